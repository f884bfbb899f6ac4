#!/bin/sh
# Runs inside the guest (PID 1 chroots into the host's read-only /; cwd = the shared work dir).
#  1. with GUEST_CP: the JUnit tests that need this kernel (GUEST_TESTS: UblkDeviceIT, the kernel NBD client test
#     KernelNbdClientCarriesExt4OnDstExportIT, the NBD server kill loop with nbd-client vs dst-client on ublk
#     NbdServerKillLoopKernelClientVsDstIT, md raid1 over two dst devices MdRaid1OverTwoUblkDevicesIT,
#     OnlineResizeGrowsAMountedExt4IT, whose resize2fs on a mounted ext4 needs the capability the host lacks, and
#     UblkRestartUnderLoadIT, dst-client restart of a ublk device under load) through GuestJUnit;
#  2. with PERF != 0: dst-server (memory export) + the ublk frontend, direct-I/O throughput (perf.sh),
#     then the same on the C RAM-disk baseline when BASELINE names its binary.
# env: REPO (repository root, same path here), GUEST_CP, GUEST_TESTS, PERF, BASELINE, JAVA_OPTS, DISK_SIZE, MB, FIO_SECONDS
set -u
: "${REPO:?REPO not set}"
HERE=$(dirname "$0")
JAVA_OPTS=${JAVA_OPTS:-"-XX:+UseSerialGC -Xshare:auto"}
echo "GUEST: kernel $(uname -r), $(nproc) cpus, ublk-control: $(ls /dev/ublk-control 2>&1)"
rc=0
if [ -n "${GUEST_CP:-}" ]; then
    # The host's tree is read-only here: server logs go to a tmpfs.
    mount -t tmpfs tmpfs "$REPO/integration-tests/target/server-logs" || rc=1
    # dst-client commands of the tests (and the device daemons they start, which inherit JVM options) compile with C1
    # only: under TCG a C2 warm-up costs a minute of emulated CPU per JVM (ublk restarts paused I/O 60-104 s with it, 42-87 s without).
    CLI_JVM=${CLI_JVM:-"-XX:TieredStopAtLevel=1"}
    java $JAVA_OPTS -cp "$GUEST_CP" -Ddst.repo.root="$REPO" -Ddst.it.server.start.seconds=300 -Ddst.it.cli.jvm="$CLI_JVM" dst.it.ublk.GuestJUnit ${GUEST_TESTS:-dst.it.ublk.UblkDeviceIT dst.it.nbd.KernelNbdClientCarriesExt4OnDstExportIT dst.it.nbd.NbdServerKillLoopKernelClientVsDstIT dst.it.mirror.MdRaid1OverTwoUblkDevicesIT dst.it.ops.OnlineResizeGrowsAMountedExt4IT dst.it.ublk.UblkRestartUnderLoadIT} || rc=1
    for f in "$REPO"/integration-tests/target/server-logs/*.log; do [ $rc = 0 ] || { echo "--- $f"; tail -20 "$f"; }; done
fi
if [ "${PERF:-1}" != 0 ]; then
    PORT=7070
    java $JAVA_OPTS -jar "$REPO/dst-server/target/dst-server.jar" --listen 127.0.0.1:$PORT --idle-timeout 120 --export disk=mem:${DISK_SIZE:-256M} > server.log 2>&1 &
    SERVER=$!
    i=0; until grep -q "listening" server.log 2>/dev/null || [ $i -ge 600 ]; do sleep 0.1; i=$((i+1)); done
    java $JAVA_OPTS -cp "$REPO/dst-client/target/dst-client.jar:$REPO/integration-tests/target/test-classes" \
        dst.it.ublk.UblkGuestMain 127.0.0.1:$PORT/disk /bin/sh -c "LABEL=dst /bin/sh '$HERE/perf.sh'" || rc=1
    kill $SERVER; wait $SERVER 2>/dev/null
    if [ -x "${BASELINE:-}" ]; then
        echo "GUEST: baseline: the C ublk RAM disk (no network), same queue depth"
        "$BASELINE" "LABEL=c-ramdisk /bin/sh '$HERE/perf.sh'" > baseline.log 2>&1 || { echo "GUEST: baseline failed"; cat baseline.log; }
        grep RESULT baseline.log
    fi
fi
echo "GUEST: nbd devices still connected: $(ls -d /sys/block/nbd*/pid 2>/dev/null | cut -d/ -f4 | tr '\n' ' ')"
echo "GUEST: ublk-e2e exit $rc; devices left: $(ls /dev/ublk[bc]* 2>/dev/null | tr '\n' ' ')"
exit $rc
