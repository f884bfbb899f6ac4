#!/bin/bash
# Host side of the ublk end-to-end test: boots the guest (setup.sh must have run, the jars and
# integration-tests test classes must be built) and runs guest/ublk-e2e.sh in it.
# usage: run-e2e.sh   env: as vmrun.sh; DISK_SIZE, MB, FIO_SECONDS, RECOVER(=0 skips), RECOVER_MB, KILL_AFTER,
#                     JAVA_OPTS are passed to the guest; BASELINE=0 skips the C RAM-disk baseline
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
REPO=$(realpath "$HERE/../..")
for f in dst-server/target/dst-server.jar dst-client/target/dst-client.jar integration-tests/target/test-classes/dst/it/ublk/UblkGuestMain.class; do
    [ -e "$REPO/$f" ] || { echo "run-e2e: $f missing: build first (./mvnw -pl integration-tests -am -DskipTests package)" >&2; exit 2; }
done
W=$(mktemp -d /tmp/dst-ublk-e2e.XXXXXX)
trap 'rm -rf "$W"' EXIT
# Optional baseline: the C ublk RAM disk, when gcc and liburing-dev are there (BASELINE=0 skips it).
BASELINE_BIN=
if [ "${BASELINE:-1}" != 0 ] && [ -f /usr/include/liburing.h ] && command -v gcc >/dev/null; then
    gcc -O2 -static -w -o "$W/ublk_ramdisk" "$HERE/baseline/ublk_ramdisk.c" -luring -lpthread && BASELINE_BIN=$W/ublk_ramdisk
fi
cat > "$W/run.sh" <<EOS
export REPO='$REPO' DISK_SIZE='${DISK_SIZE:-256M}' MB='${MB:-128}' FIO_SECONDS='${FIO_SECONDS:-4}' BASELINE='$BASELINE_BIN'
export RECOVER='${RECOVER:-1}' RECOVER_MB='${RECOVER_MB:-32}' KILL_AFTER='${KILL_AFTER:-2}'
${JAVA_OPTS:+export JAVA_OPTS='$JAVA_OPTS'}
exec /bin/sh '$HERE/guest/ublk-e2e.sh'
EOS
"$HERE/vmrun.sh" "$W" run.sh
