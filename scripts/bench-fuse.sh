#!/usr/bin/env bash
# Measures the FUSE + loop frontend with fio (direct I/O) against a memory export, next to two references
# taken in the same run: the loop device on a tmpfs file (the ceiling of the loop path on this machine) and
# `dst-client bench` (the client library with real queue depth, no kernel in between). Needs root, fio,
# and a build (./mvnw -DskipTests package). Usage: sudo [DST_ATTACH_OPTS="--cache 0"] scripts/bench-fuse.sh [SECONDS_PER_JOB]
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-10}
work=$(mktemp -d /tmp/dst-bench.XXXXXX)
export DST_RUN_DIR=$work/run
server_pid=""; dev=""; ref=""
cleanup() {
  [ -n "$dev" ] && bin/dst-client detach "$dev" >/dev/null 2>&1 || true
  [ -n "$ref" ] && losetup -d "$ref" 2>/dev/null || true
  mountpoint -q "$work/tmpfs" 2>/dev/null && umount "$work/tmpfs"
  [ -n "$server_pid" ] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

jobs=("seq-write-1M-qd8 write 1M 8" "seq-read-1M-qd8 read 1M 8" "randread-4k-qd32 randread 4k 32"
      "randwrite-4k-qd32 randwrite 4k 32" "randread-4k-qd1 randread 4k 1" "randwrite-4k-qd1 randwrite 4k 1")
fio_all() { # DEVICE LABEL
  for j in "${jobs[@]}"; do
    set -- $j
    fio --name="$1" --filename="$DEV" --direct=1 --ioengine=libaio --rw="$2" --bs="$3" --iodepth="$4" --runtime="$secs" \
      --time_based --size=1G --output-format=terse --terse-version=3 2>/dev/null |
      awk -F';' -v n="$1" -v l="$LABEL" '{ if ($8>0) printf "%-14s %-20s %9.1f MiB/s %8d IOPS  mean %9.1f us\n", l, n, $7/1024, $8, $40;
                                          else printf "%-14s %-20s %9.1f MiB/s %8d IOPS  mean %9.1f us\n", l, n, $48/1024, $49, $81 }'
  done
}

echo "== $(uptime)"
mkdir -p "$work/tmpfs"; mount -t tmpfs -o size=1100M tmpfs "$work/tmpfs"; truncate -s 1G "$work/tmpfs/ref.img"
ref=$(losetup --find --show --direct-io=on "$work/tmpfs/ref.img")
DEV=$ref LABEL=loop-tmpfs fio_all
losetup -d "$ref"; ref=""

bin/dst-server --listen 127.0.0.1:0 --export bench=mem:2G >"$work/server.log" 2>&1 &
server_pid=$!
for _ in $(seq 100); do grep -q "listening on" "$work/server.log" && break; sleep 0.1; done
addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$work/server.log" | head -1)
dev=$(bin/dst-client attach "$addr/bench" --connect-timeout 30 ${DST_ATTACH_OPTS:-})
dd if=/dev/zero of="$dev" bs=1M count=1024 oflag=direct status=none # reads then hit allocated memory
DEV=$dev LABEL=dst-fuse-loop fio_all
bin/dst-client detach "$dev" >/dev/null; dev=""

for j in "randread 4K 1" "randwrite 4K 1" "randread 4K 32" "randwrite 4K 32" "read 1M 8" "write 1M 8"; do
  set -- $j
  printf "%-14s " "dst-library"; bin/dst-client bench "$addr/bench" --rw "$1" --bs "$2" --qd "$3" --duration "$secs" --span 1G 2>&1 | tail -1
done
echo "== $(uptime)"
