#!/usr/bin/env bash
# dst benchmark suite: dst side by side with the limit of each path and with the peer a user would pick,
# on the same machine in the same run (absolute numbers on a shared machine are noisy: compare ratios).
#
#   bench/run.sh            full run: 1 GiB devices, 15 s per job after 3 s warm-up  (~9 min)
#   bench/run.sh --quick    512 MiB devices, 5 s per job after 2 s warm-up         (< 5 min)
#   bench/run.sh --smoke    64 MiB devices, 1 s per job: proves the suite works (CI); writes no result files
#   --guest                 adds dst's ublk device in the emulated qemu guest (integration-tests/ublk-vm, set up
#                           by its setup.sh; integration-tests built) next to the C ublk RAM disk there (+~5 min)
# Every device gets an untimed warm-up first (1 MiB writes, then 4 KiB random mixed I/O, WARM s each: full 10,
# quick 4), the same for every row: the JVMs compile their hot paths in the first seconds (C2 took ~4 s of CPU
# per process), which is not what a long-running daemon looks like.
#
# Block rows (fio, direct I/O, libaio: seq 1 MiB QD8 read/write, 4 KiB random QD32 read/write):
#   limit        loop(--direct-io=on) on a tmpfs file
#   peer         nbdkit memory over TCP loopback + nbdfuse + loop(direct-io)
#   dst-nbdkit   the same nbdkit process + dst-client attach nbd://... --frontend fuse --cache 0 --read-ahead 0
#                (only the client differs from the peer row; its CPU per GB is measured next to nbdfuse's)
#   dst-fuse     dst-server mem: export + dst-client attach --frontend fuse --cache 0 --read-ahead 0
#   dst-fuse-wb  the same with the client write-back cache and read-ahead (--cache 256M --read-ahead 4M;
#                DST_BENCH_CACHE / DST_BENCH_READ_AHEAD change them)
#   dst-ublk     dst-client attach --frontend ublk --cache 0 --read-ahead 0, when this kernel has /dev/ublk-control
#   peer-file    nbdkit's file plugin on a sparse file on the local disk + nbdfuse + loop
#   dst-fuse-file   dst-server exporting a sparse file on the same disk + dst FUSE (no cache)
#   peer-tls     nbdkit memory --tls=require + nbdfuse (nbds://, TLS 1.3 via GnuTLS) + loop
#   dst-fuse-tls    dst-server --tls mem: export + dst FUSE --tls-ca (no cache)
#   (the files live in DST_BENCH_DISK_DIR, default /var/tmp: a disk, not a tmpfs)
# CPU per GB: utime+stime of the server and of the client process over each job (all but the limit rows).
# Protocol rows (same patterns, no kernel in the way):
#   limit        iperf3 on loopback, one stream: default (128 KiB writes) and -l 1M (the seq jobs' size)
#   peer         fio's nbd engine against nbdkit memory over TCP loopback
#   dst          dst-client bench against dst-server
#   dst NBD      fio's nbd engine against dst-server's NBD listener (--nbd-listen), mem: export: same client as the peer
# Results: a table on stdout, and bench/results/<date>.md and .csv with machine info and every command run.
# Needs root (loop devices, FUSE). Installs fio, nbdkit, libnbd-bin, iperf3 with apt-get when missing.
set -euo pipefail

MODE=full
GUEST=0
for a in "$@"; do
  case "$a" in
    --guest) GUEST=1 ;;
    --quick) MODE=quick ;;
    --smoke) MODE=smoke ;;
    --full) MODE=full ;;
    -h|--help) sed -n '2,28p' "$0"; exit 0 ;;
    *) echo "unknown option $a" >&2; exit 2 ;;
  esac
done
case "$MODE" in
  full)  SIZE_MB=1024; SECS=15; RAMP=3; WARM=10 ;;
  quick) SIZE_MB=512;  SECS=5;  RAMP=2; WARM=4 ;;
  smoke) SIZE_MB=64;   SECS=1;  RAMP=0; WARM=0 ;;
esac
CACHE=${DST_BENCH_CACHE:-256M}
READ_AHEAD=${DST_BENCH_READ_AHEAD:-4M}

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
[ "$(id -u)" = 0 ] || { echo "bench/run.sh needs root (loop devices, FUSE)" >&2; exit 1; }

# ---- tools ----
need=()
command -v fio >/dev/null || need+=(fio)
command -v nbdkit >/dev/null || need+=(nbdkit)
command -v nbdfuse >/dev/null || need+=(libnbd-bin)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v losetup >/dev/null || need+=(util-linux)
command -v fusermount >/dev/null || need+=(fuse)
command -v openssl >/dev/null || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "== installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
modprobe loop 2>/dev/null || true
modprobe fuse 2>/dev/null || true
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3

# ---- build ----
SERVER_JAR=$ROOT/dst-server/target/dst-server.jar
CLIENT_JAR=$ROOT/dst-client/target/dst-client.jar
if [ ! -f "$SERVER_JAR" ] || [ ! -f "$CLIENT_JAR" ] || [ -n "${DST_BENCH_REBUILD:-}" ]; then
  echo "== building dst"
  ./mvnw -B -q -ntp -pl dst-server,dst-client -am -DskipTests package
fi
JAVA=${JAVA:-java}
DST_SERVER=("$JAVA" ${DST_JAVA_OPTS:-} -jar "$SERVER_JAR")
DST_CLIENT=("$JAVA" ${DST_JAVA_OPTS:-} -jar "$CLIENT_JAR")

# ---- state and cleanup ----
WORK=$(mktemp -d /tmp/dst-bench.XXXXXX)
DISK_DIR=$(mktemp -d "${DST_BENCH_DISK_DIR:-/var/tmp}/dst-bench-files.XXXXXX")
RUN_DIR=$WORK/run
DATE=$(date -u +%Y-%m-%dT%H%M%SZ)
OUT=${DST_BENCH_OUT:-$ROOT/bench/results}
[ "$MODE" = smoke ] && [ -z "${DST_BENCH_OUT:-}" ] && OUT=$WORK/results # smoke proves the suite works; keeps nothing
mkdir -p "$OUT" "$WORK/json"
CMDS=$WORK/commands.txt
: >"$CMDS"
PIDS=()
LOOPS=()
MOUNTS=()

cleanup() {
  local rc=$?
  set +e
  if [ "$rc" != 0 ]; then
    echo "bench failed (exit $rc); last log lines:" >&2
    for f in "$WORK"/*.log "$RUN_DIR"/*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -n 15 "$f" >&2; }; done
  fi
  for l in "${LOOPS[@]:-}"; do [ -n "$l" ] && losetup -d "$l" 2>/dev/null; done
  if [ -d "$RUN_DIR" ]; then
    for d in "$RUN_DIR"/*/; do [ -d "$d" ] && "${DST_CLIENT[@]}" detach --run-dir "$RUN_DIR" --timeout 20 "$(basename "$d")" >/dev/null 2>&1; done
  fi
  for m in "${MOUNTS[@]:-}"; do [ -n "$m" ] && { fusermount -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null; }; done
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null; done
  sleep 0.3
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null; done
  rm -rf "$WORK" "$DISK_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log_cmd() { printf '%s\n' "$*" >>"$CMDS"; }
port_free() { ! (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
pick_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }
wait_port() { for _ in $(seq 100); do port_free "$1" || return 0; sleep 0.1; done; echo "port $1 never opened" >&2; return 1; }
wait_file() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done; echo "$1 never appeared" >&2; return 1; }
. "$ROOT/bench/cpu.sh" # cpu_ms, jit_ms
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2/1024}' "/proc/$1/status" 2>/dev/null || echo "?"; }

# fio jobs: NAME RW BS QD
JOBS=("seqwrite write 1M 8" "seqread read 1M 8" "randwrite randwrite 4k 32" "randread randread 4k 32")

# fio_run SETUP TARGET-ARGS... : the four jobs against a device (or the nbd engine)
fio_run() {
  local setup=$1; shift
  for j in "${JOBS[@]}"; do
    set -- $j "$@"
    local name=$1 rw=$2 bs=$3 qd=$4; shift 4
    local cmd=(fio --name="$name" --rw="$rw" --bs="$bs" --iodepth="$qd" --direct=1 --size="${SIZE_MB}M"
               --runtime="$SECS" --time_based --ramp_time="$RAMP" --norandommap --randrepeat=0 --group_reporting
               --output-format=json "$@")
    log_cmd "${cmd[*]}"
    # CPU_WATCH="SERVER CLIENT": both processes' CPU, and (for JVMs) their JIT compiler threads' apart, client first
    local cpu0="" cjit0="" sjit0=""
    [ -n "${CPU_WATCH:-}" ] && { cpu0=$(cpu_ms $CPU_WATCH); cjit0=$(jit_ms "${CPU_WATCH#* }"); sjit0=$(jit_ms "${CPU_WATCH% *}"); }
    "${cmd[@]}" >"$WORK/json/$setup.$name.json"
    [ -n "$cpu0" ] && echo "$setup $name $cpu0 $(cpu_ms $CPU_WATCH) $cjit0 $(jit_ms "${CPU_WATCH#* }") $sjit0 $(jit_ms "${CPU_WATCH% *}")" >>"$WORK/cpu.txt"
    if [ -n "${RSS_WATCH:-}" ]; then RSS_TRACE+=" $name $(rss_mb "${RSS_WATCH% *}")/$(rss_mb "${RSS_WATCH#* }")"; fi
  done
}
fio_dev() { warm_up --filename="$2" --ioengine=libaio; fio_run "$1" --filename="$2" --ioengine=libaio; }

warm_up() { # TARGET-ARGS... (--filename=DEV --ioengine=libaio, or the nbd engine's): untimed, results discarded
  [ "$WARM" -gt 0 ] || return 0
  local w=(--direct=1 "$@" --size="${SIZE_MB}M" --runtime="$WARM" --time_based --output=/dev/null)
  log_cmd "fio --name=warmup --rw=write --bs=1M --iodepth=8 ${w[*]}; fio --name=warmup --rw=randrw --bs=4k --iodepth=32 ${w[*]}"
  fio --name=warmup --rw=write --bs=1M --iodepth=8 "${w[@]}"
  fio --name=warmup --rw=randrw --bs=4k --iodepth=32 "${w[@]}"
}

# CPU time the hypervisor gave to other guests between two /proc/stat "cpu" lines: on a shared VM it moves MB/s
# between identical runs (a run here saw 34-43% steal while busy), CPU per GB much less. Fields user..steal (guest
# time is already counted in user).
steal_share() {
  echo "$1" "$2" | awk '{ n = (NF - 2) / 2; for (i = 2; i <= 9; i++) { d = $(i + n + 1) - $i; t += d; if (i == 5 || i == 6) idle += d; if (i == 9) st = d }
    if (t > 0) printf "cpu_steal=%.1f%% of all CPU time during the run, %.1f%% of the non-idle time\n", 100 * st / t, (t - idle > 0 ? 100 * st / (t - idle) : 0) }'
}

loop_attach() { # FILE -> prints /dev/loopN
  local l; l=$(losetup --find --show --direct-io=on "$1"); LOOPS+=("$l"); log_cmd "losetup --find --show --direct-io=on $1"; echo "$l"
}
loop_detach() { losetup -d "$1"; LOOPS=("${LOOPS[@]/$1}"); }

echo "== dst bench ($MODE: ${SIZE_MB} MiB devices, ${SECS} s per job) -> $OUT/$DATE.{md,csv}"
LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_START=$(head -1 /proc/stat)
RSS=()
: >"$WORK/cpu.txt"

# ---- limit: loop(direct-io) on tmpfs ----
echo "-- limit: loop on tmpfs"
mkdir -p "$WORK/tmpfs"; mount -t tmpfs -o size=$((SIZE_MB + 64))M tmpfs "$WORK/tmpfs"; MOUNTS+=("$WORK/tmpfs")
log_cmd "mount -t tmpfs tmpfs $WORK/tmpfs && truncate -s ${SIZE_MB}M $WORK/tmpfs/disk"
dd if=/dev/zero of="$WORK/tmpfs/disk" bs=1M count="$SIZE_MB" status=none
L=$(loop_attach "$WORK/tmpfs/disk")
fio_dev limit "$L"
loop_detach "$L"; umount "$WORK/tmpfs"

# ---- peer: nbdkit memory + nbdfuse + loop ----
echo "-- peer: nbdkit memory + nbdfuse + loop"
NBD_PORT=$(pick_port 10809)
nbdkit -f -i 127.0.0.1 -p "$NBD_PORT" memory "${SIZE_MB}M" & PIDS+=($!)
log_cmd "nbdkit -f -i 127.0.0.1 -p $NBD_PORT memory ${SIZE_MB}M"
wait_port "$NBD_PORT"
mkdir -p "$WORK/nbdfuse"
nbdfuse "$WORK/nbdfuse/disk" "nbd://127.0.0.1:$NBD_PORT" & NBDFUSE_PID=$!; PIDS+=($NBDFUSE_PID); MOUNTS+=("$WORK/nbdfuse")
log_cmd "nbdfuse $WORK/nbdfuse/disk nbd://127.0.0.1:$NBD_PORT"
wait_file "$WORK/nbdfuse/disk"
L=$(loop_attach "$WORK/nbdfuse/disk")
NBDKIT_PID=${PIDS[0]}
CPU_WATCH="$NBDKIT_PID $NBDFUSE_PID"
fio_dev peer "$L"
CPU_WATCH=""
loop_detach "$L"; fusermount -u "$WORK/nbdfuse" 2>/dev/null || umount "$WORK/nbdfuse"

# dst-client against the same nbdkit process: only the client differs from the peer row
echo "-- dst-nbdkit: the same nbdkit + dst-client attach nbd:// --frontend fuse --cache 0 --read-ahead 0"
a=(attach --run-dir "$RUN_DIR" --name dst-nbdkit --frontend fuse --cache 0 --read-ahead 0 "nbd://127.0.0.1:$NBD_PORT/")
log_cmd "dst-client ${a[*]}"
DEV=$("${DST_CLIENT[@]}" "${a[@]}")
CPID=$(sed -n 's/^pid=//p' "$RUN_DIR/dst-nbdkit/state" 2>/dev/null || true)
CPU_WATCH="$NBDKIT_PID ${CPID:-0}"
fio_dev dst-nbdkit "$DEV"
CPU_WATCH=""
RSS+=("dst-nbdkit: client RSS $(rss_mb "${CPID:-0}") MB after the jobs; $("${DST_CLIENT[@]}" status --run-dir "$RUN_DIR" dst-nbdkit | grep -E '^(connections|counters):' | tr -s ' ' | paste -sd ';')")
log_cmd "dst-client detach --run-dir $RUN_DIR dst-nbdkit"
"${DST_CLIENT[@]}" detach --run-dir "$RUN_DIR" dst-nbdkit >/dev/null

# protocol peer: fio's nbd engine against the same nbdkit
echo "-- protocol peer: fio nbd engine -> nbdkit"
fio_run proto-peer --ioengine=nbd --uri="nbd://127.0.0.1:$NBD_PORT"
kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; PIDS=()

# nbdkit (given plugin and options) + nbdfuse URI + loop: the peer rows for file exports and TLS
nbdfuse_row() { # SETUP URI-SCHEME-AND-QUERY(nbd:// or nbds://...?...) NBDKIT-ARGS...
  local setup=$1 scheme=$2; shift 2
  echo "-- $setup: nbdkit $* + nbdfuse + loop"
  local port; port=$(pick_port 10809)
  nbdkit -f -i 127.0.0.1 -p "$port" "$@" & local kit=$!; PIDS+=($kit)
  log_cmd "nbdkit -f -i 127.0.0.1 -p $port $*"
  wait_port "$port"
  local uri=${scheme/PORT/$port}
  mkdir -p "$WORK/nbdfuse"
  nbdfuse "$WORK/nbdfuse/disk" "$uri" & local fuse=$!; PIDS+=($fuse); MOUNTS+=("$WORK/nbdfuse")
  log_cmd "nbdfuse $WORK/nbdfuse/disk $uri"
  wait_file "$WORK/nbdfuse/disk"
  local l; l=$(loop_attach "$WORK/nbdfuse/disk")
  CPU_WATCH="$kit $fuse"
  fio_dev "$setup" "$l"
  CPU_WATCH=""
  loop_detach "$l"; fusermount -u "$WORK/nbdfuse" 2>/dev/null || umount "$WORK/nbdfuse"
  kill "${PIDS[@]}" 2>/dev/null || true; wait 2>/dev/null || true; PIDS=()
}
truncate -s "${SIZE_MB}M" "$DISK_DIR/peer.img"
log_cmd "truncate -s ${SIZE_MB}M $DISK_DIR/peer.img"
nbdfuse_row peer-file "nbd://127.0.0.1:PORT" file "$DISK_DIR/peer.img"
rm -f "$DISK_DIR/peer.img"
# One self-signed certificate for 127.0.0.1 (nbdkit wants ca-cert.pem, server-cert.pem, server-key.pem); nbdfuse
# cannot be given a certificate directory in its URI (libnbd refuses local files there), so it encrypts without
# checking the peer: what is measured is the record layer, the handshake is outside the timed jobs anyway.
mkdir -p "$WORK/nbdkit-tls"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -keyout "$WORK/nbdkit-tls/server-key.pem" -out "$WORK/nbdkit-tls/server-cert.pem" 2>/dev/null
cp "$WORK/nbdkit-tls/server-cert.pem" "$WORK/nbdkit-tls/ca-cert.pem"
log_cmd "openssl req -x509 -newkey ec ... -subj /CN=127.0.0.1 -keyout $WORK/nbdkit-tls/server-key.pem -out $WORK/nbdkit-tls/server-cert.pem"
nbdfuse_row peer-tls "nbds://127.0.0.1:PORT/?tls-verify-peer=false" --tls=require --tls-certificates="$WORK/nbdkit-tls" memory "${SIZE_MB}M"

# ---- dst ----
DST_PORT=$(pick_port 17070)
DST_EXPORT="bench=mem:${SIZE_MB}M"
start_dst_server() { # [MORE SERVER ARGS...]; exports $DST_EXPORT
  "${DST_SERVER[@]}" --listen "127.0.0.1:$DST_PORT" --ctl-socket none --export "$DST_EXPORT" "$@" >"$WORK/server.log" 2>&1 & DST_SERVER_PID=$!
  PIDS+=($DST_SERVER_PID)
  log_cmd "dst-server --listen 127.0.0.1:$DST_PORT --ctl-socket none --export $DST_EXPORT $*"
  wait_port "$DST_PORT"
}
stop_dst_server() { kill "$DST_SERVER_PID"; wait "$DST_SERVER_PID" 2>/dev/null || true; PIDS=(); }
attach_dst() { # NAME FRONTEND CACHE READ-AHEAD [MORE ATTACH ARGS...] -> prints the device
  local a=(attach --run-dir "$RUN_DIR" --name "$1" --frontend "$2" --cache "$3" --read-ahead "$4" "${@:5}" "127.0.0.1:$DST_PORT/bench")
  log_cmd "dst-client ${a[*]}"
  "${DST_CLIENT[@]}" "${a[@]}"
}
daemon_pid() { sed -n 's/^pid=//p' "$RUN_DIR/$1/state" 2>/dev/null || true; }
dst_row() { # SETUP FRONTEND CACHE READ-AHEAD [--server ARGS... --] [MORE ATTACH ARGS...]
  local setup=$1 frontend=$2 cache=$3 ra=$4; shift 4
  local server_args=()
  if [ "${1:-}" = --server ]; then
    shift; while [ "$1" != -- ]; do server_args+=("$1"); shift; done; shift
  fi
  echo "-- $setup: dst-server $DST_EXPORT ${server_args[*]} + attach --frontend $frontend --cache $cache --read-ahead $ra $*"
  start_dst_server "${server_args[@]}"
  local dev; dev=$(attach_dst "$setup" "$frontend" "$cache" "$ra" "$@")
  local cpid; cpid=$(daemon_pid "$setup")
  set -- "$setup"
  RSS_WATCH="$DST_SERVER_PID ${cpid:-0}"; RSS_TRACE=""
  CPU_WATCH="$DST_SERVER_PID ${cpid:-0}"
  fio_dev "$1" "$dev"
  RSS_WATCH=""; CPU_WATCH=""
  RSS+=("$1: dst-server RSS $(rss_mb "$DST_SERVER_PID") MB, client RSS $(rss_mb "${cpid:-0}") MB after the jobs (server/client MB after each job:$RSS_TRACE)")
  log_cmd "dst-client detach --run-dir $RUN_DIR $1"
  "${DST_CLIENT[@]}" detach --run-dir "$RUN_DIR" "$1" >/dev/null
  stop_dst_server
}
dst_row dst-fuse fuse 0 0
dst_row dst-fuse-wb fuse "$CACHE" "$READ_AHEAD"
if [ -e /dev/ublk-control ]; then
  modprobe ublk_drv 2>/dev/null || true
  dst_row dst-ublk ublk 0 0
else
  echo "-- dst-ublk: skipped (no /dev/ublk-control in this kernel; --guest measures ublk in the qemu guest)"
fi
DST_EXPORT="bench=$DISK_DIR/dst.img,size=${SIZE_MB}M"
dst_row dst-fuse-file fuse 0 0
rm -f "$DISK_DIR/dst.img"
DST_EXPORT="bench=mem:${SIZE_MB}M"
log_cmd "dst-server tls init --dir $WORK/dst-tls --name 127.0.0.1"
"${DST_SERVER[@]}" tls init --dir "$WORK/dst-tls" --name 127.0.0.1 >/dev/null
dst_row dst-fuse-tls fuse 0 0 --server --tls --tls-dir "$WORK/dst-tls" -- --tls-ca "$WORK/dst-tls/server.crt"

echo "-- protocol: dst-client bench -> dst-server"
start_dst_server
if [ "$WARM" -gt 0 ]; then # the server's warm-up, as the block rows had (each bench JVM warms itself: --warmup)
  log_cmd "dst-client bench 127.0.0.1:$DST_PORT/bench --rw randrw --bs 64k --qd 16 --duration $((2 * WARM))"
  "${DST_CLIENT[@]}" bench "127.0.0.1:$DST_PORT/bench" --rw randrw --bs 64k --qd 16 --duration $((2 * WARM)) >/dev/null
fi
for j in "${JOBS[@]}"; do
  set -- $j
  cmd=("${DST_CLIENT[@]}" bench "127.0.0.1:$DST_PORT/bench" --rw "$2" --bs "$3" --qd "$4" --duration "$SECS" --warmup "$RAMP")
  log_cmd "dst-client bench 127.0.0.1:$DST_PORT/bench --rw $2 --bs $3 --qd $4 --duration $SECS --warmup $RAMP"
  "${cmd[@]}" >"$WORK/json/proto-dst.$1.txt"
done
RSS+=("protocol: dst-server RSS $(rss_mb "$DST_SERVER_PID") MB after the bench")
stop_dst_server

# dst-server's NBD listener with the peer's own client: fio's nbd engine, the same jobs as against nbdkit
if "${DST_SERVER[@]}" --help 2>&1 | grep -q -- --nbd-listen; then
  echo "-- protocol: fio nbd engine -> dst-server NBD port"
  DST_NBD_PORT=$(pick_port 10909)
  start_dst_server --nbd-listen "127.0.0.1:$DST_NBD_PORT"
  wait_port "$DST_NBD_PORT"
  warm_up --ioengine=nbd --uri="nbd://127.0.0.1:$DST_NBD_PORT/bench"
  fio_run proto-dst-nbd --ioengine=nbd --uri="nbd://127.0.0.1:$DST_NBD_PORT/bench"
  RSS+=("protocol NBD: dst-server RSS $(rss_mb "$DST_SERVER_PID") MB after the fio nbd jobs")
  stop_dst_server
else
  echo "-- protocol: dst-server NBD skipped (this dst-server has no --nbd-listen)"
fi

echo "-- protocol limit: iperf3 loopback"
IPERF_PORT=$(pick_port 15201)
iperf3 -s -B 127.0.0.1 -p "$IPERF_PORT" >/dev/null 2>&1 & IPERF_PID=$!; PIDS+=($IPERF_PID)
sleep 1 # no probe: a probe connection would count as a test
log_cmd "iperf3 -s -B 127.0.0.1 -p $IPERF_PORT; iperf3 -c 127.0.0.1 -p $IPERF_PORT -t $SECS -O $RAMP -J"
iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t "$SECS" -O "$RAMP" -J >"$WORK/json/proto-limit.iperf.json"
log_cmd "iperf3 -c 127.0.0.1 -p $IPERF_PORT -t $SECS -O $RAMP -J -l 1M"
iperf3 -c 127.0.0.1 -p "$IPERF_PORT" -t "$SECS" -O "$RAMP" -J -l 1M >"$WORK/json/proto-limit-1m.iperf.json"
kill "$IPERF_PID"; wait 2>/dev/null || true; PIDS=()

# ---- ublk in the emulated guest (optional) ----
if [ "$GUEST" = 1 ]; then
  echo "-- guest: dst ublk vs the C ublk RAM disk in the qemu guest (TCG: everything emulated, ~5 min)"
  if [ ! -e integration-tests/target/test-classes/dst/it/ublk/UblkGuestMain.class ]; then
    echo "== building the integration tests' classes (the guest runs UblkGuestMain from them)"
    ./mvnw -B -q -ntp -pl integration-tests -am -DskipTests test-compile
  fi
  log_cmd "PERF=1 FIO_SECONDS=$((SECS / 3 + 2)) integration-tests/ublk-vm/run-e2e.sh"
  if PERF=1 FIO_SECONDS=$((SECS / 3 + 2)) integration-tests/ublk-vm/run-e2e.sh >"$WORK/guest.log" 2>&1; then
    grep '^RESULT: ' "$WORK/guest.log" >"$WORK/guest.txt" || true
  else
    echo "guest run failed; last lines:" >&2; tail -n 20 "$WORK/guest.log" >&2
  fi
fi

# ---- report ----
{
  echo "date=$DATE"; echo "mode=$MODE size_mb=$SIZE_MB secs=$SECS cache=$CACHE read_ahead=$READ_AHEAD"
  echo "nproc=$(nproc)"; echo "memory=$(free -m | awk '/Mem:/ {print $2 " MiB"}')"
  echo "kernel=$(uname -r)"; echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
  echo "load_start=$LOAD_START"; echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)"
  steal_share "$CPU_START" "$(head -1 /proc/stat)"
  echo "java=$("$JAVA" -version 2>&1 | head -1)"; echo "git=$(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo "fio=$(fio --version) nbdkit=$(nbdkit --version | head -1) iperf3=$(iperf3 --version | head -1 | cut -d' ' -f1-2)"
} >"$WORK/machine.txt"
printf '%s\n' "${RSS[@]}" >"$WORK/rss.txt"
"$PY" "$ROOT/bench/report.py" "$WORK" "$OUT/$DATE"
