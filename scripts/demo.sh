#!/usr/bin/env bash
# The main job, on a fresh machine: build dst, start a server on a 1 GiB sparse file, attach it as a
# local block device (ublk when the kernel has it, FUSE + loop otherwise), make an ext4 filesystem on
# it, mount it, and say where. Run it again with --stop to unmount, detach and stop the server.
# Without root (no block device possible), it does a verified copy round trip instead.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
state=${DST_DEMO_DIR:-/tmp/dst-demo}
mnt=${DST_DEMO_MOUNT:-/mnt/dst-demo}
port=${DST_DEMO_PORT:-7070}
target="127.0.0.1:$port/demo"
client="$root/bin/dst-client"

stop() {
  if mountpoint -q "$mnt" 2>/dev/null; then umount "$mnt" && echo "unmounted $mnt"; fi
  if [ -f "$state/device" ]; then
    "$client" detach "$(cat "$state/device")" || true
    rm -f "$state/device"
  fi
  if [ -f "$state/server.pid" ]; then
    pid=$(cat "$state/server.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      echo "stopped dst-server (pid $pid)"
    fi
    rm -f "$state/server.pid"
  fi
}

if [ "${1:-}" = "--stop" ]; then stop; exit 0; fi
if [ -f "$state/server.pid" ] && kill -0 "$(cat "$state/server.pid")" 2>/dev/null; then
  echo "the demo is already running (server pid $(cat "$state/server.pid")); stop it with: $0 --stop" >&2
  exit 1
fi

echo "== building dst (./mvnw -DskipTests package)"
./mvnw -B -q -ntp -DskipTests package

mkdir -p "$state"
echo "== starting dst-server on 127.0.0.1:$port, export 'demo' = $state/demo.img (1 GiB, sparse)"
setsid "$root/bin/dst-server" --listen "127.0.0.1:$port" --export "demo=$state/demo.img,size=1G" \
  >"$state/server.log" 2>&1 </dev/null &
echo $! >"$state/server.pid"
for _ in $(seq 100); do grep -q "listening on" "$state/server.log" 2>/dev/null && break; sleep 0.1; done
grep -q "listening on" "$state/server.log" || { echo "dst-server did not start:"; cat "$state/server.log"; exit 1; }

echo "== dst-client info $target"
"$client" info "$target"

if [ "$(id -u)" = 0 ] && [ -e /dev/fuse -o -e /dev/ublk-control ] && "$client" --help 2>/dev/null | grep -q "^  attach "; then
  echo "== dst-client attach $target"
  dev=$("$client" attach "$target")
  echo "$dev" >"$state/device"
  echo "== mkfs.ext4 $dev"
  mkfs.ext4 -q -F "$dev"
  mkdir -p "$mnt"
  mount "$dev" "$mnt"
  echo
  echo "Done: $target is attached as $dev, with ext4 mounted on $mnt."
  echo "  look at it:  df -h $mnt; $client list"
  echo "  stop it:     $0 --stop"
else
  echo "== no root or no FUSE/ublk here: verified copy round trip instead of a mounted device"
  head -c 64M /dev/urandom >"$state/sample.bin"
  "$client" copy --no-progress "$state/sample.bin" "dst://$target"
  "$client" copy --no-progress "dst://$target" "$state/back.bin" --length 64M
  if cmp -s "$state/sample.bin" "$state/back.bin"; then echo "round trip verified: 64 MiB identical"; else echo "MISMATCH"; exit 5; fi
  echo "  stop the server: $0 --stop"
fi
