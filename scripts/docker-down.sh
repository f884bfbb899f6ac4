#!/usr/bin/env bash
# Removes what the Docker tests may have left (containers and networks labelled dst.test) and stops
# the Docker engine that scripts/docker-up.sh started, by its pid. An engine it did not start is left
# running. Never fails: it runs at the end of CI, after the tests.
set -uo pipefail
state=${DST_DOCKER_STATE:-/tmp/dst-docker}

if docker info >/dev/null 2>&1; then
  left=$(docker ps -aq --filter label=dst.test)
  [ -z "$left" ] || { echo "== docker-down: removing test containers left behind: $left"; docker rm -f $left >/dev/null; }
  nets=$(docker network ls -q --filter label=dst.test)
  [ -z "$nets" ] || docker network rm $nets >/dev/null
fi

if [ -f "$state/dockerd.pid" ]; then
  pid=$(cat "$state/dockerd.pid")
  # Only that pid, and only while it is still a dockerd (not a reused pid).
  if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] && kill "$pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$pid" 2>/dev/null; then kill -9 "$pid" 2>/dev/null; echo "== docker-down: dockerd (pid $pid) killed"
    else echo "== docker-down: dockerd (pid $pid) stopped"; fi
  fi
  rm -f "$state/dockerd.pid"
fi
exit 0
