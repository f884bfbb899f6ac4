#!/usr/bin/env python3
"""Turns the raw outputs of bench/run.sh (fio JSON, dst-client bench lines, iperf3 JSON) into one table:
printed, and written as OUT.md and OUT.csv with the machine info and the commands that were run.

usage: report.py WORKDIR OUT-PREFIX
"""
import csv
import json
import os
import re
import sys

JOBS = [("seqwrite", "seq 1M QD8 write", "MB/s"), ("seqread", "seq 1M QD8 read", "MB/s"),
        ("randwrite", "4k rand QD32 write", "IOPS"), ("randread", "4k rand QD32 read", "IOPS")]
BLOCK_SETUPS = [("limit", "limit: loop on tmpfs"), ("peer", "peer: nbdkit+nbdfuse+loop"),
                ("dst-fuse", "dst FUSE (no cache)"), ("dst-fuse-wb", "dst FUSE (cache + read-ahead)")]
PROTO_SETUPS = [("proto-limit", "limit: iperf3 loopback"), ("proto-peer", "peer: fio nbd engine -> nbdkit"),
                ("proto-dst", "dst-client bench -> dst-server")]


def fio_result(path, job):
    """(value, p99 us) from a fio JSON file: MB/s for seq jobs, IOPS for random ones."""
    if not os.path.exists(path):
        return None
    with open(path) as f:
        text = f.read()
    data = json.loads(text[text.index("{"):])
    j = data["jobs"][0]
    side = j["write"] if "write" in job else j["read"]
    value = side["bw_bytes"] / 1e6 if job.startswith("seq") else side["iops"]
    pct = side.get("clat_ns", {}).get("percentile", {})
    p99 = pct.get("99.000000")
    return value, (p99 / 1000 if p99 else None)


BENCH_LINE = re.compile(r"([\d.]+) MB/s, ([\d.]+) IOPS, latency p50=(\d+) us p99=(\d+) us")


def bench_result(path, job):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        m = BENCH_LINE.search(f.read())
    if not m:
        return None
    value = float(m.group(1)) if job.startswith("seq") else float(m.group(2))
    return value, float(m.group(4))


def iperf_result(path):
    if not os.path.exists(path):
        return None
    with open(path) as f:
        data = json.load(f)
    return data["end"]["sum_received"]["bits_per_second"] / 8 / 1e6, None


def fmt(r):
    if r is None:
        return "-"
    value, p99 = r
    s = f"{value:,.0f}"
    return s + (f" (p99 {p99:,.0f} us)" if p99 is not None else "")


def ratio(a, b):
    if a is None or b is None or not b[0]:
        return "-"
    return f"{a[0] / b[0]:.2f}"


def main():
    work, out = sys.argv[1], sys.argv[2]
    J = os.path.join(work, "json")
    block = {s: {j: fio_result(os.path.join(J, f"{s}.{j}.json"), j) for j, _, _ in JOBS} for s, _ in BLOCK_SETUPS}
    proto = {
        "proto-peer": {j: fio_result(os.path.join(J, f"proto-peer.{j}.json"), j) for j, _, _ in JOBS},
        "proto-dst": {j: bench_result(os.path.join(J, f"proto-dst.{j}.txt"), j) for j, _, _ in JOBS},
    }
    iperf = iperf_result(os.path.join(J, "proto-limit.iperf.json"))

    rows = []  # (section, job label, unit, values by setup..., ratios...)
    head_block = ["job", "unit"] + [label for _, label in BLOCK_SETUPS] + [
        "wt/peer", "wt/limit", "wb/peer", "wb/limit"]
    for j, label, unit in JOBS:
        b = block
        rows.append(["block", label, unit] + [fmt(b[s][j]) for s, _ in BLOCK_SETUPS] + [
            ratio(b["dst-fuse"][j], b["peer"][j]), ratio(b["dst-fuse"][j], b["limit"][j]),
            ratio(b["dst-fuse-wb"][j], b["peer"][j]), ratio(b["dst-fuse-wb"][j], b["limit"][j])])
    head_proto = ["job", "unit"] + [label for _, label in PROTO_SETUPS] + ["dst/peer", "dst/limit"]
    prows = []
    for j, label, unit in JOBS:
        lim = iperf if j.startswith("seq") else None
        prows.append(["protocol", label, unit, fmt(lim), fmt(proto["proto-peer"][j]), fmt(proto["proto-dst"][j]),
                      ratio(proto["proto-dst"][j], proto["proto-peer"][j]), ratio(proto["proto-dst"][j], lim)])

    def md_table(head, body):
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r[1:]) + " |" for r in body]
        return "\n".join(lines)

    machine = open(os.path.join(work, "machine.txt")).read().strip()
    rss = open(os.path.join(work, "rss.txt")).read().strip()
    cmds = open(os.path.join(work, "commands.txt")).read().strip()
    md = ["# dst benchmark " + machine.splitlines()[0].split("=", 1)[1], "",
          "All rows were measured in the same run on the same machine; compare the ratios, not absolute numbers",
          "(the machine is shared). wt = dst FUSE without client caching (--cache 0 --read-ahead 0), wb = dst FUSE with the write-back cache and read-ahead.",
          "", "## Block device (fio, direct I/O, libaio)", "", md_table(head_block, rows), "",
          "## Protocol level (no kernel frontend)", "",
          "The limit for seq rows is iperf3's single-stream loopback throughput (MB/s).", "",
          md_table(head_proto, prows), "", "## Memory", "", "```", rss, "```", "",
          "## Machine", "", "```", machine, "```", "", "## Commands", "", "```", cmds, "```", ""]
    with open(out + ".md", "w") as f:
        f.write("\n".join(md))
    with open(out + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["section"] + head_block)
        w.writerows(rows)
        w.writerow(["section"] + head_proto)
        w.writerows(prows)
    print(md_table(head_block, rows))
    print()
    print(md_table(head_proto, prows))
    print()
    print(rss)
    print(f"\nwritten: {out}.md {out}.csv")


if __name__ == "__main__":
    main()
