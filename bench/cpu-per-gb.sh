#!/usr/bin/env bash
# CPU per GB moved, one setup at a time: a quick check of a change to the data path (bench/run.sh is the suite;
# this measures the client's and the server's utime+stime, the figures that stay steady on a shared machine).
#
#   sudo bench/cpu-per-gb.sh SETUP [SECS] [JOB...]
#     SETUP  nbdfuse   nbdkit memory + nbdfuse + loop(direct-io)                     (the peer)
#            nbdkit    nbdkit memory + dst-client attach nbd:// --frontend fuse       (only the client differs)
#            dst       dst-server mem: + dst-client attach --frontend fuse
#            dst-file  dst-server exporting a sparse file in DST_BENCH_DISK_DIR (default /var/tmp) + the same client
#     SECS   seconds per job (default 10), after an untimed warm-up of each job (DST_CPU_WARM seconds, default 4)
#     JOB    seqwrite seqread randwrite randread (default: all four)
# DST_CLIENT_JAR and DST_SERVER_JAR pick other builds (A/B). dst-client runs with --cache 0 --read-ahead 0, as in bench/run.sh; DST_JAVA_OPTS reach its device daemon.
# Prints one line per job: SETUP JOB MB/s-or-IOPS client-CPU-ms/GB, how much of it the JVM's JIT compiler
# threads took (a fresh daemon compiles its hot paths for many seconds of CPU on a loaded machine), and the
# server's CPU ms/GB (nbdkit or dst-server). Everything it set up is torn down on exit.
set -euo pipefail
SETUP=${1:?setup: nbdfuse, nbdkit, dst or dst-file}; SECS=${2:-10}; shift $(( $# >= 2 ? 2 : $# ))
JOBS=("$@"); [ ${#JOBS[@]} -gt 0 ] || JOBS=(seqwrite seqread randwrite randread)
SIZE_MB=${DST_BENCH_SIZE_MB:-512}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
JAVA=${JAVA:-java}
DST_SERVER=("$JAVA" ${DST_JAVA_OPTS:-} -jar "${DST_SERVER_JAR:-$ROOT/dst-server/target/dst-server.jar}")
DST_CLIENT=("$JAVA" ${DST_JAVA_OPTS:-} -jar "${DST_CLIENT_JAR:-$ROOT/dst-client/target/dst-client.jar}")
WORK=$(mktemp -d /tmp/dst-cpu.XXXXXX)
PIDS=(); LOOP=""; MOUNT=""
cleanup() {
  set +e
  grep -rh -A3 "LEAK:" "$WORK/run" 2>/dev/null | head -20 # with DST_JAVA_OPTS=-Dio.netty.leakDetection.level=paranoid
  [ -n "$LOOP" ] && losetup -d "$LOOP"
  [ -d "$WORK/run/cpu" ] && "${DST_CLIENT[@]}" detach --run-dir "$WORK/run" --timeout 20 cpu >/dev/null 2>&1
  [ -n "$MOUNT" ] && { fusermount -u "$MOUNT" 2>/dev/null || umount -l "$MOUNT"; }
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  sleep 0.3; rm -rf "$WORK" "${DISK_FILE:-}"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() { for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done; return 1; }
. "$ROOT/bench/cpu.sh"

P=$(port)
case "$SETUP" in
  nbdfuse|nbdkit)
    nbdkit -f -i 127.0.0.1 -p "$P" memory "${SIZE_MB}M" & SPID=$!; PIDS+=($SPID); wait_port "$P" ;;
  dst|dst-file)
    export="bench=mem:${SIZE_MB}M"
    if [ "$SETUP" = dst-file ]; then
      DISK_FILE=$(mktemp "${DST_BENCH_DISK_DIR:-/var/tmp}/dst-cpu.XXXXXX.img"); rm -f "$DISK_FILE"
      export="bench=$DISK_FILE,size=${SIZE_MB}M"
    fi
    "${DST_SERVER[@]}" --listen "127.0.0.1:$P" --ctl-socket none --export "$export" >"$WORK/server.log" 2>&1 & SPID=$!; PIDS+=($SPID)
    wait_port "$P" ;;
  *) echo "unknown setup $SETUP" >&2; exit 2 ;;
esac
if [ "$SETUP" = nbdfuse ]; then
  MOUNT=$WORK/fuse; mkdir -p "$MOUNT"
  nbdfuse "$MOUNT/disk" "nbd://127.0.0.1:$P" & CPID=$!; PIDS+=($CPID)
  for _ in $(seq 100); do [ -e "$MOUNT/disk" ] && break; sleep 0.1; done
  LOOP=$(losetup --find --show --direct-io=on "$MOUNT/disk"); DEV=$LOOP
else
  target="127.0.0.1:$P/bench"; [ "$SETUP" = nbdkit ] && target="nbd://127.0.0.1:$P/"
  DEV=$("${DST_CLIENT[@]}" attach --run-dir "$WORK/run" --name cpu --frontend fuse --cache 0 --read-ahead 0 "$target")
  CPID=$(sed -n 's/^pid=//p' "$WORK/run/cpu/state")
fi
echo "# $SETUP: client pid $CPID, device $DEV, ${SECS} s per job"

for job in "${JOBS[@]}"; do
  case "$job" in
    seqwrite) a=(--rw=write --bs=1M --iodepth=8) ;;
    seqread) a=(--rw=read --bs=1M --iodepth=8) ;;
    randwrite) a=(--rw=randwrite --bs=4k --iodepth=32) ;;
    randread) a=(--rw=randread --bs=4k --iodepth=32) ;;
    *) echo "unknown job $job" >&2; exit 2 ;;
  esac
  common=(--name="$job" "${a[@]}" --direct=1 --ioengine=libaio --filename="$DEV" --size="${SIZE_MB}M" --time_based
          --norandommap --randrepeat=0 --group_reporting)
  fio "${common[@]}" --runtime="${DST_CPU_WARM:-4}" --output=/dev/null
  c0=$(cpu_ms "$CPID" | tr -d " "); j0=$(jit_ms "$CPID"); s0=$(cpu_ms "$SPID" | tr -d " ")
  fio "${common[@]}" --runtime="$SECS" --output-format=json >"$WORK/$job.json"
  c1=$(cpu_ms "$CPID" | tr -d " "); j1=$(jit_ms "$CPID"); s1=$(cpu_ms "$SPID" | tr -d " ")
  python3 - "$WORK/$job.json" "$SETUP" "$job" "$((c1 - c0))" "$((j1 - j0))" "$((s1 - s0))" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))["jobs"][0]
moved = j["read"]["io_bytes"] + j["write"]["io_bytes"]
secs = (j["read"]["runtime"] or j["write"]["runtime"]) / 1000
rate = f'{moved / secs / 1e6:.0f} MB/s' if sys.argv[3].startswith("seq") else f'{(j["read"]["total_ios"] + j["write"]["total_ios"]) / secs:.0f} IOPS'
gb = moved / 1e9
print(f'{sys.argv[2]} {sys.argv[3]} {rate} client {int(sys.argv[4]) / gb:.0f} ms/GB'
      f' (JIT compiler threads {int(sys.argv[5]) / gb:.0f} of it) server {int(sys.argv[6]) / gb:.0f} ms/GB')
EOF
  [ -n "${DST_CPU_HOOK:-}" ] && $DST_CPU_HOOK "$CPID" "$job"
done
