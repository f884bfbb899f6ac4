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
                ("dst-nbdkit", "dst FUSE -> the same nbdkit (no cache)"),
                ("dst-fuse", "dst FUSE (no cache)"), ("dst-fuse-wb", "dst FUSE (cache + read-ahead)"),
                ("dst-ublk", "dst ublk (no cache)"),
                ("peer-file", "peer: nbdkit file+nbdfuse+loop"), ("dst-fuse-file", "dst FUSE, file export (no cache)"),
                ("peer-tls", "peer: nbdkit TLS+nbdfuse+loop"), ("dst-fuse-tls", "dst FUSE, TLS (no cache)")]
# (setup, short name in the ratio columns, its peer, what else it is compared with); a setup without any result (ublk
# on a kernel without it) is left out
DST_SETUPS = [("dst-nbdkit", "nbd", "peer", ["limit"]), ("dst-fuse", "wt", "peer", ["limit"]),
              ("dst-fuse-wb", "wb", "peer", ["limit"]), ("dst-ublk", "ublk", "peer", ["limit"]),
              ("dst-fuse-file", "file", "peer-file", []), ("dst-fuse-tls", "tls", "peer-tls", ["dst-fuse"])]
SHORT = {"peer": "peer", "limit": "limit", "peer-file": "file peer", "peer-tls": "TLS peer", "dst-fuse": "wt"}
PROTO_SETUPS = [("proto-limit", "limit: iperf3 loopback (128 KiB writes)"),
                ("proto-limit-1m", "limit: iperf3 -l 1M"), ("proto-peer", "peer: fio nbd engine -> nbdkit"),
                ("proto-dst", "dst-client bench -> dst-server"), ("proto-dst-nbd", "fio nbd engine -> dst-server NBD port")]
GUEST_LINE = re.compile(r"^RESULT: (\S+) (.+?): (.*)$")


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


def cpu_rows(work):
    """CPU (utime+stime, ms) per GB moved of the server and the client, per job, from run.sh's cpu.txt
    (SETUP JOB SERVER0 CLIENT0 SERVER1 CLIENT1 [CLIENT-JIT0 CLIENT-JIT1 [SERVER-JIT0 SERVER-JIT1]]) and the job's fio
    bytes (the ramp's CPU is counted, its bytes not); the JIT compiler threads of either JVM (its warm-up) also on
    their own; each dst row also as a ratio of its total without JIT to its peer's total for the same job (below 1:
    dst spends less; the peers are C programs, without JIT)."""
    path = os.path.join(work, "cpu.txt")
    rows = []
    if not os.path.exists(path):
        return rows
    totals = {}
    for line in open(path):
        f = line.split()
        if len(f) not in (6, 8, 10):
            continue
        setup, job = f[0], f[1]
        s0, c0, s1, c1 = map(int, f[2:6])
        cj0, cj1 = map(int, f[6:8]) if len(f) >= 8 else (0, 0)
        sj0, sj1 = map(int, f[8:10]) if len(f) == 10 else (0, 0)
        fio = os.path.join(work, "json", f"{setup}.{job}.json")
        if not os.path.exists(fio):
            continue
        text = open(fio).read()
        j = json.loads(text[text.index("{"):])["jobs"][0]
        gb = (j["read"]["io_bytes"] + j["write"]["io_bytes"]) / 1e9
        if gb > 0:
            server, client, sjit, cjit = (s1 - s0) / gb, (c1 - c0) / gb, (sj1 - sj0) / gb, (cj1 - cj0) / gb
            totals[(setup, job)] = server + client - sjit - cjit
            rows.append(["cpu", setup, job, f"{server:,.0f}", f"{sjit:,.0f}", f"{client:,.0f}", f"{cjit:,.0f}",
                         f"{server + client:,.0f}", f"{totals[(setup, job)]:,.0f}"])
    peers = {d: p for d, _, p, _ in DST_SETUPS}
    for r in rows:
        p = peers.get(r[1])
        mine, theirs = totals.get((r[1], r[2])), totals.get((p, r[2]))
        r.append(f"{mine / theirs:.2f} of {p}" if mine and theirs else "-")
    return rows


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


def guest_rows(path):
    """RESULT lines of the guest's perf.sh (dst and c-ramdisk) as table rows: test, unit, dst, C, dst/C."""
    if not os.path.exists(path):
        return []
    values, units = {}, {}  # (label, test) -> (value, None) as fmt/ratio take it; test -> unit
    for line in open(path):
        m = GUEST_LINE.match(line.strip())
        if not m:
            continue
        label, test, rest = m.groups()
        if test.startswith("dd "):
            v = re.findall(r"([\d.]+) ([MGk]B)/s", rest)
            if v:
                num, unit = v[-1]
                values[(label, test)] = (float(num) * {"kB": 1e-3, "MB": 1, "GB": 1e3}[unit], None)
                units[test] = "MB/s"
        elif test.startswith("fio "):
            f = re.match(r"read (\d+) KiB/s (\d+) IOPS, write (\d+) KiB/s (\d+) IOPS", rest)
            if f:
                rkib, riops, wkib, wiops = map(int, f.groups())
                kib, iops = (wkib, wiops) if "write" in test else (rkib, riops)
                seq = " 1m " in test + " "
                values[(label, test)] = (kib * 1024 / 1e6 if seq else iops, None)
                units[test] = "MB/s" if seq else "IOPS"
    rows = []
    for test, unit in units.items():
        d, c = values.get(("dst", test)), values.get(("c-ramdisk", test))
        rows.append(["guest", test, unit, fmt(d), fmt(c), ratio(d, c)])
    return rows


def fmt(r):
    if r is None:
        return "-"
    value, p99 = r
    s = f"{value:,.0f}" if value >= 100 else f"{value:.1f}"
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
        "proto-dst-nbd": {j: fio_result(os.path.join(J, f"proto-dst-nbd.{j}.json"), j) for j, _, _ in JOBS},
    }
    iperf = iperf_result(os.path.join(J, "proto-limit.iperf.json"))
    iperf_1m = iperf_result(os.path.join(J, "proto-limit-1m.iperf.json"))

    setups = [(s, label) for s, label in BLOCK_SETUPS if any(block[s].values())]
    # each dst setup against its peer and the others it is compared with: (setup, column head, base setup)
    compared = [(s, f"{short}/{SHORT[base]}", base) for s, short, peer, more in DST_SETUPS if any(block[s].values())
                for base in [peer] + more if any(block[base].values())]
    rows = []  # (section, job label, unit, values by setup..., ratios...)
    head_block = ["job", "unit"] + [label for _, label in setups] + [head for _, head, _ in compared]
    for j, label, unit in JOBS:
        b = block
        rows.append(["block", label, unit] + [fmt(b[s][j]) for s, _ in setups] + [
            ratio(b[s][j], b[base][j]) for s, _, base in compared])
    # dst NBD/peer: the same client (fio's nbd engine) and jobs against dst-server and against nbdkit memory
    head_proto = ["job", "unit"] + [label for _, label in PROTO_SETUPS] + ["dst/peer", "dst/limit", "dst/limit 1M", "dst NBD/peer"]
    prows = []
    for j, label, unit in JOBS:
        seq = j.startswith("seq")
        lim, lim1m = (iperf, iperf_1m) if seq else (None, None)
        prows.append(["protocol", label, unit, fmt(lim), fmt(lim1m), fmt(proto["proto-peer"][j]),
                      fmt(proto["proto-dst"][j]), fmt(proto["proto-dst-nbd"][j]), ratio(proto["proto-dst"][j], proto["proto-peer"][j]),
                      ratio(proto["proto-dst"][j], lim), ratio(proto["proto-dst"][j], lim1m),
                      ratio(proto["proto-dst-nbd"][j], proto["proto-peer"][j])])
    crows = cpu_rows(work)
    head_cpu = ["setup", "job", "server CPU ms/GB", "of it server JIT compiler ms/GB", "client CPU ms/GB",
                "of it client JIT compiler ms/GB", "total ms/GB", "total without JIT ms/GB", "without JIT vs its peer"]
    grows = guest_rows(os.path.join(work, "guest.txt"))
    head_guest = ["test", "unit", "dst ublk (guest)", "C ublk RAM disk (guest)", "dst/C"]

    def md_table(head, body):
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r[1:]) + " |" for r in body]
        return "\n".join(lines)

    machine = open(os.path.join(work, "machine.txt")).read().strip()
    rss = open(os.path.join(work, "rss.txt")).read().strip()
    cmds = open(os.path.join(work, "commands.txt")).read().strip()
    md = ["# dst benchmark " + machine.splitlines()[0].split("=", 1)[1], "",
          "All rows were measured in the same run on the same machine; compare the ratios, not absolute numbers",
          "(the machine is shared). nbd = dst FUSE against the peer's own nbdkit (only the client differs), wt = dst FUSE without client caching (--cache 0 --read-ahead 0), wb = dst FUSE with the write-back cache and read-ahead, ublk = dst's ublk device (only where the kernel has ublk), file = dst FUSE on a file export (sparse file on the local disk; peer: nbdkit's file plugin on the same disk), tls = dst FUSE over TLS 1.3 (peer: nbdkit --tls=require through nbdfuse; tls/wt: against plaintext dst).",
          "Every device had an untimed warm-up (1 MiB writes, then 4 KiB random mixed I/O) before its jobs.",
          "", "## Block device (fio, direct I/O, libaio)", "", md_table(head_block, rows), "",
          "## Protocol level (no kernel frontend)", "",
          "The limits for seq rows are iperf3's single-stream loopback throughput (MB/s), with its default 128 KiB",
          "writes and with 1 MiB writes (the seq jobs' request size). dst NBD/peer compares dst-server's NBD listener",
          "with nbdkit memory through the same client, fio's nbd engine, with the same jobs (goal: >= 1.0).", "",
          md_table(head_proto, prows), ""]
    if crows:
        md += ["## CPU per GB moved", "",
               "utime+stime of the server (nbdkit, dst-server) and of the client process (nbdfuse, or dst-client's",
               "device daemon) over each job, ramp included, per GB fio moved: steadier than throughput on a shared",
               "machine. Peers: peer for dst-nbdkit (the same nbdkit), dst-fuse and dst-fuse-wb; peer-file; peer-tls.",
               "A fresh JVM compiles its hot paths for tens of seconds of CPU on a loaded machine: the JIT compiler",
               "threads of dst-server and of the client's daemon are given apart; without them is the long-running",
               "daemons' steady state, which the ratio compares (the peers are C programs).", "",
               md_table(head_cpu, crows), ""]
    if grows:
        md += ["## ublk in the emulated guest (bench/run.sh --guest)", "",
               "qemu TCG guest (integration-tests/ublk-vm), Debian 6.12 kernel: every instruction, the JVMs included, is",
               "emulated, so only the ratio to the C RAM disk measured in the same boot means anything; dst runs its",
               "server and client in the guest over TCP loopback. Direct I/O, dd 1 MiB and fio (64 MiB span).", "",
               md_table(head_guest, grows), ""]
    md += ["## Memory", "", "```", rss, "```", "",
          "## Machine", "", "```", machine, "```", "", "## Commands", "", "```", cmds, "```", ""]
    with open(out + ".md", "w") as f:
        f.write("\n".join(md))
    with open(out + ".csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["section"] + head_block)
        w.writerows(rows)
        w.writerow(["section"] + head_proto)
        w.writerows(prows)
        if crows:
            w.writerow(["section"] + head_cpu)
            w.writerows(crows)
        if grows:
            w.writerow(["section"] + head_guest)
            w.writerows(grows)
    print(md_table(head_block, rows))
    print()
    print(md_table(head_proto, prows))
    print()
    if crows:
        print(md_table(head_cpu, crows))
        print()
    if grows:
        print(md_table(head_guest, grows))
        print()
    print(rss)
    print(f"\nwritten: {out}.md {out}.csv")


if __name__ == "__main__":
    main()
