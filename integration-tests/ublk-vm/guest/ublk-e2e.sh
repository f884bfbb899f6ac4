#!/bin/sh
# Runs inside the guest (PID 1 chroots into the host's read-only /; cwd = the shared work dir).
# A dst-server on 127.0.0.1 with a memory export, the ublk frontend attaching it as /dev/ublkbN,
# and checks.sh against that device. env: REPO (repository root on the host, same path here).
set -u
: "${REPO:?REPO not set}"
JAVA_OPTS=${JAVA_OPTS:-"-XX:+UseSerialGC -Xshare:auto"}
SERVER_JAR=$REPO/dst-server/target/dst-server.jar
CP=$REPO/dst-client/target/dst-client.jar:$REPO/integration-tests/target/test-classes
PORT=7070
echo "GUEST: kernel $(uname -r), $(nproc) cpus, ublk-control: $(ls /dev/ublk-control 2>&1)"
java $JAVA_OPTS -jar "$SERVER_JAR" --listen 127.0.0.1:$PORT --export disk=mem:${DISK_SIZE:-256M} > server.log 2>&1 &
SERVER=$!
i=0
until grep -q "listening\|Listening" server.log 2>/dev/null || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done
echo "GUEST: server up after $((i/10)) s"; cat server.log
java $JAVA_OPTS -cp "$CP" dst.it.ublk.UblkGuestMain 127.0.0.1:$PORT/disk /bin/sh "$(dirname "$0")/checks.sh"
rc=$?
if [ $rc = 0 ] && [ "${RECOVER:-1}" != 0 ]; then
    CP=$CP JAVA_OPTS=$JAVA_OPTS TARGET=127.0.0.1:$PORT/disk /bin/sh "$(dirname "$0")/recover.sh"
    rc=$?
fi
if [ -x "${BASELINE:-}" ]; then
    echo "GUEST: baseline: the C ublk RAM disk (no network), same queue depth"
    "$BASELINE" "LABEL=c-ramdisk /bin/sh '$(dirname "$0")/perf.sh'" > baseline.log 2>&1 || { echo "GUEST: baseline failed"; cat baseline.log; }
    grep RESULT baseline.log
fi
kill $SERVER; wait $SERVER 2>/dev/null
echo "GUEST: ublk-e2e exit $rc; devices left: $(ls /dev/ublk[bc]* 2>/dev/null | tr '\n' ' ')"
exit $rc
