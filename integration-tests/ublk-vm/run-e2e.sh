#!/bin/bash
# Host side of the ublk tests: boots the guest (setup.sh must have run; jars and integration-tests
# test classes built) and runs guest/ublk-e2e.sh in it: the JUnit ublk tests when GUEST_CP is set
# (UblkInGuestIT sets it to its own test classpath), then, unless PERF=0, throughput measurements
# of dst's ublk device and of the C RAM-disk baseline (BASELINE=0 skips that; needs gcc + liburing-dev).
# env: as vmrun.sh; GUEST_CP, GUEST_TESTS (test classes, default: UblkDeviceIT and the two kernel NBD client tests), PERF, BASELINE, JAVA_OPTS, DISK_SIZE, MB, FIO_SECONDS, RECOVER_MB, KILL_AFTER
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
REPO=$(realpath "$HERE/../..")
for f in dst-server/target/dst-server.jar dst-client/target/dst-client.jar integration-tests/target/test-classes/dst/it/ublk/UblkGuestMain.class; do
    [ -e "$REPO/$f" ] || { echo "run-e2e: $f missing: build first (./mvnw -B -pl integration-tests -am -DskipTests package)" >&2; exit 2; }
done
W=$(mktemp -d /tmp/dst-ublk-e2e.XXXXXX)
STAGE=
trap 'rm -rf "$W" ${STAGE:+"$STAGE"}' EXIT
# The guest sees the host's / read-only, but its /tmp is its own tmpfs: a checkout under /tmp (CI may
# clone there) is invisible in it. Stage what the guest needs elsewhere, same layout, and rewrite paths.
if [[ "$REPO/" == /tmp/* ]]; then
    STAGE=$(mktemp -d /var/tmp/dst-ublk-repo.XXXXXX)
    (cd "$REPO" && find . \( -path '*/target/classes' -o -path '*/target/test-classes' -o -path './*/target/*.jar' \
        -o -path ./integration-tests/ublk-vm \) -prune -print | xargs -r cp -a --parents -t "$STAGE")
    GUEST_CP=${GUEST_CP:-}; GUEST_CP=${GUEST_CP//$REPO/$STAGE}
    REPO=$STAGE
    echo "run-e2e: checkout under /tmp, staged for the guest in $STAGE"
fi
GUEST_HERE=$REPO/integration-tests/ublk-vm
mkdir -p "$REPO/integration-tests/target/server-logs"   # mount point for the guest's tmpfs
BASELINE_BIN=
if [ "${PERF:-1}" != 0 ] && [ "${BASELINE:-1}" != 0 ] && [ -f /usr/include/liburing.h ] && command -v gcc >/dev/null; then
    gcc -O2 -static -w -o "$W/ublk_ramdisk" "$HERE/baseline/ublk_ramdisk.c" -luring -lpthread && BASELINE_BIN=$W/ublk_ramdisk
fi
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }
{
    echo "export REPO=$(q "$REPO") GUEST_CP=$(q "${GUEST_CP:-}") PERF=$(q "${PERF:-1}") BASELINE=$(q "$BASELINE_BIN")"
    [ -n "${GUEST_TESTS:-}" ] && echo "export GUEST_TESTS=$(q "$GUEST_TESTS")"
    echo "export DISK_SIZE=$(q "${DISK_SIZE:-256M}") MB=$(q "${MB:-128}") FIO_SECONDS=$(q "${FIO_SECONDS:-4}")"
    echo "export RECOVER_MB=$(q "${RECOVER_MB:-32}") KILL_AFTER=$(q "${KILL_AFTER:-2}")"
    [ -n "${JAVA_OPTS:-}" ] && echo "export JAVA_OPTS=$(q "$JAVA_OPTS")"
    echo "exec /bin/sh $(q "$GUEST_HERE/guest/ublk-e2e.sh")"
} > "$W/run.sh"
"$HERE/vmrun.sh" "$W" run.sh
