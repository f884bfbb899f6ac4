#!/usr/bin/env bash
# Starts a Docker engine for the Docker tests, loopback-only and without touching the firewall, and
# builds the base image dst-jre:local (no registry is reachable: nothing is ever pulled).
#   - installs docker.io and busybox-static when missing (Debian, as root);
#   - uses an engine that already answers `docker info` as it is; otherwise starts dockerd with
#     --iptables=false --ip6tables=false --ip-forward=false --ip=127.0.0.1 and remembers its pid;
#   - builds dst-jre:local (jlink'd JRE + busybox, `docker import`) unless it exists and matches this JDK.
# Stop with scripts/docker-down.sh, which stops only an engine this script started.
# Exit status is not 0 when no engine could be had: the Docker tests then skip themselves with a message.
set -euo pipefail
cd "$(dirname "$0")/.."
state=${DST_DOCKER_STATE:-/tmp/dst-docker}
image=dst-jre:local
mkdir -p "$state"

static_busybox() { command -v busybox >/dev/null && [[ "$(ldd "$(command -v busybox)" 2>&1)" == *"not a dynamic"* ]]; }
if ! command -v dockerd >/dev/null || ! static_busybox; then
  echo "== docker-up: installing docker.io busybox-static"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq --no-install-recommends docker.io busybox-static >/dev/null ||
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends docker.io busybox-static >/dev/null; }
fi

if docker info >/dev/null 2>&1; then
  echo "== docker-up: using the Docker engine that is already running"
else
  echo "== docker-up: starting dockerd (loopback only, no iptables), log: $state/dockerd.log"
  setsid dockerd --iptables=false --ip6tables=false --ip-forward=false --ip=127.0.0.1 \
    >"$state/dockerd.log" 2>&1 </dev/null &
  echo $! >"$state/dockerd.pid"
  for _ in $(seq 150); do
    docker info >/dev/null 2>&1 && break
    kill -0 "$(cat "$state/dockerd.pid")" 2>/dev/null || break
    sleep 0.2
  done
  if ! docker info >/dev/null 2>&1; then
    echo "docker-up: dockerd did not come up; last lines of its log:" >&2
    tail -n 20 "$state/dockerd.log" >&2 || true
    exit 1
  fi
  echo "== docker-up: dockerd $(docker version -f '{{.Server.Version}}') ready (pid $(cat "$state/dockerd.pid"))"
fi

# The image is remade when this machine's JDK or the JRE's module list changed (both kept as a label-like comment).
jdk=$(java -version 2>&1 | head -n 1)
modules=$(sed -n 's/^modules=//p' packaging/src/docker/jre/make-rootfs.sh)
if [ "$(docker image inspect -f '{{.Comment}}' "$image" 2>/dev/null || true)" = "jdk: $jdk; modules: $modules" ]; then
  echo "== docker-up: $image is up to date"
else
  echo "== docker-up: building $image"
  packaging/src/docker/jre/make-base-image.sh "$image" "jdk: $jdk; modules: $modules"
fi
