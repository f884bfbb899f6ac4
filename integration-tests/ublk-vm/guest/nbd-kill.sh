#!/bin/sh
# The NBD server is SIGKILLed and restarted on the same port KILLS times while a writer runs
# `dd oflag=direct conv=fsync bs=1M` of a random pattern onto the device that an NBD client made of it;
# then the acknowledged bytes are compared on the device and in the server's file. Runs in the guest.
# CLIENT=kernel: nbd.ko through `nbd-client -persist -timeout TIMEOUT` (/dev/nbdN);
# CLIENT=dst:    `dst-client attach nbd://... --frontend ublk --io-timeout TIMEOUT` (/dev/ublkbN).
# The server is nbdkit's file plugin for both (C, so the emulated guest spends its time in the clients).
# The script reports, it does not judge: one KILL: line per kill, RESULT: lines at the end, exit 0 unless the
# rig itself failed (no server, no device). The caller (NbdServerKillLoopInGuestIT) decides what must hold.
# Kill K comes once the writer has written K * STEP_MB (or after STALL s without progress); the server stays
# down DOWN s. After each restart: how long until the writer's next write completes and, with the writer gone,
# whether the device still reads.
# env: CLIENT, KILLS (10), STEP_MB (4), DOWN (1), TIMEOUT (30), STALL (90), PORT (10809),
#      NBD_CLIENT_OPTS (more nbd-client options, e.g. -nonetlink: the ioctl interface instead of netlink);
#      for dst: REPO (the checkout, same path in the guest), JAVA_OPTS
set -u
CLIENT=${CLIENT:?CLIENT=kernel or dst}
KILLS=${KILLS:-10}; STEP_MB=${STEP_MB:-4}; DOWN=${DOWN:-1}; TIMEOUT=${TIMEOUT:-30}; STALL=${STALL:-90}; PORT=${PORT:-10809}
MB=$(( (KILLS + 1) * STEP_MB ))
T=$(mktemp -d /tmp/nbd-kill-$CLIENT.XXXXXX)
IMG=$T/disk.img
SRV=; DEV=; DD=; NBDC=
# Shell builtins only (the loop polls; every exec costs in the emulated guest). Times in centiseconds.
now() { read u _ < /proc/uptime; echo ${u%.*}${u#*.}; }
ms() { echo $(( ($2 - $1) * 10 )); }
say() { echo "NBDKILL[$CLIENT${NBD_CLIENT_OPTS:+ $NBD_CLIENT_OPTS}]: $*"; }
wchar() { while read k v; do [ "$k" = wchar: ] && { echo $v; return; }; done 2>/dev/null < /proc/$DD/io; echo -1; }
state() { { read _ _ s _ && echo $s; } 2>/dev/null < /proc/$DD/stat || echo gone; }

start_server() {
    rm -f $T/nbdkit.pid
    nbdkit -f -P $T/nbdkit.pid -i 127.0.0.1 -p $PORT file $IMG >> $T/nbdkit.log 2>&1 &
    SRV=$!
    i=0; until [ -s $T/nbdkit.pid ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done
    [ -s $T/nbdkit.pid ] || { say "FAIL nbdkit did not start"; cat $T/nbdkit.log; exit 2; }
}

cleanup() {
    [ -n "$DD" ] && kill -9 $DD 2>/dev/null
    [ -n "$SRV" ] && kill $SRV 2>/dev/null
    [ -n "$NBDC" ] && kill $NBDC 2>/dev/null
    rm -rf $T/pattern $T/back $IMG
    true
}
trap cleanup EXIT

dd if=/dev/urandom of=$T/pattern bs=1M count=$MB status=none
truncate -s $((MB + 16))M $IMG
start_server

if [ "$CLIENT" = kernel ]; then
    DEV=/dev/nbd0
    for i in $(seq 0 15); do [ -e /sys/block/nbd$i/pid ] || { DEV=/dev/nbd$i; break; }; done
    # -nofork: what nbd-client says while it runs (reconnects) lands in its log instead of /dev/null
    nbd-client 127.0.0.1 $PORT $DEV -persist -timeout $TIMEOUT -nofork ${NBD_CLIENT_OPTS:-} > $T/client.log 2>&1 &
    NBDC=$!
    i=0; until [ -e /sys/block/${DEV#/dev/}/pid ] || [ $i -ge 300 ]; do sleep 0.1; i=$((i+1)); done
    [ -e /sys/block/${DEV#/dev/}/pid ] || { say "FAIL nbd-client did not connect $DEV: $(cat $T/client.log)"; exit 2; }
    say "attached $DEV: $(tr '\n' ' ' < $T/client.log)"
else
    export DST_RUN_DIR=$T/run
    java ${JAVA_OPTS:-} -jar "$REPO/dst-client/target/dst-client.jar" attach "nbd://127.0.0.1:$PORT/" --frontend ublk \
        --name nbdkill --io-timeout $TIMEOUT --connect-timeout 60 --ready-timeout 300 > $T/client.log 2>&1 \
        || { say "FAIL dst-client attach: $(cat $T/client.log)"; tail -40 $T/run/nbdkill.log; exit 2; }
    DEV=$(tail -1 $T/client.log)
    say "attached $DEV"
fi
[ -b "$DEV" ] || { say "FAIL no device $DEV"; exit 2; }

T0=$(now)
# dd's own pid (for /proc/PID/io and its state), its exit code in a file: a shell cannot tell a zombie from a runner
( dd if=$T/pattern of=$DEV bs=1M oflag=direct conv=fsync 2> $T/dd.err & echo $! > $T/dd.pid; wait $!; echo $? > $T/dd.rc ) &
i=0; until [ -s $T/dd.pid ] || [ $i -ge 100 ]; do sleep 0.1; i=$((i+1)); done
DD=$(cat $T/dd.pid)
DDRC=
writer_done() {
    [ -n "$DDRC" ] && return 0
    [ -s $T/dd.rc ] || return 1
    DDRC=$(cat $T/dd.rc); TW=$(now); say "writer exited rc=$DDRC at $(ms $T0 $(now)) ms: $(tr '\n' ' ' < $T/dd.err)"
}

# What serves the device now: nbd-client -c prints the pid of the nbd-client holding it; dst's daemon is in its record.
holder() {
    if [ "$CLIENT" = kernel ]; then p=$(nbd-client -c $DEV 2>/dev/null); echo "nbd-client -c: ${p:-not connected}";
    else echo "dst-client daemon alive: $(kill -0 $(sed -n 's/^pid=//p' $DST_RUN_DIR/nbdkill/state 2>/dev/null) 2>/dev/null && echo yes || echo no)"; fi
}
# A disconnected nbd device has size 0 and "reads" nothing without an error: count the bytes.
readable() {
    n=$(timeout 20 dd if=$DEV bs=4k count=1 iflag=direct status=none 2>/dev/null | wc -c)
    [ "$n" = 4096 ] && echo yes || echo "no ($n bytes, size $(cat /sys/block/${DEV#/dev/}/size 2>/dev/null) sectors)"
}

k=0; stalls=0; maxstall=0; recoveries=
while [ $k -lt $KILLS ]; do
    k=$((k + 1))
    # wait until k * STEP_MB are written, or STALL s
    t=$(now)
    while ! writer_done && [ $(wchar) -lt $(( (k * STEP_MB) << 20)) ] && [ $(ms $t $(now)) -lt $((STALL * 1000)) ]; do sleep 0.1; done
    kill -9 $SRV; wait $SRV 2>/dev/null
    tk=$(now); w0=$(wchar)
    sleep $DOWN
    start_server
    up=$(ms $tk $(now))
    # progress after the restart: the writer's next completed write (or its end)
    while ! writer_done && [ "$(wchar)" = "$w0" ] && [ $(ms $tk $(now)) -lt $((STALL * 1000)) ]; do sleep 0.1; done
    stall=$(ms $tk $(now)); st=$(state); w=$(wchar)
    if [ "$w0" = -1 ]; then
        outcome="no writer any more; device readable: $(readable); $(holder)"
    elif [ -n "$DDRC" ]; then
        outcome="writer ended (rc $DDRC) $stall ms after the kill; device readable: $(readable); $(holder)"
    elif [ "$w" = "$w0" ]; then
        outcome="writer stuck for $stall ms (state $st)"; stalls=$((stalls + 1))
    else
        outcome="writer's next write done $stall ms after the kill"; [ $stall -gt $maxstall ] && maxstall=$stall
        recoveries=${recoveries:+$recoveries,}$stall
    fi
    say "KILL $k at $(ms $T0 $tk) ms, $([ "$w0" -ge 0 ] && echo "$((w0 >> 20)) MiB written" || echo "writer gone"): server back after $up ms, $outcome"
done
say "kills done; waiting for the writer (up to $((STALL * 2)) s)"
t=$(now)
while ! writer_done && [ $(ms $t $(now)) -lt $((STALL * 2000)) ]; do sleep 0.2; done
if [ -z "$DDRC" ]; then
    say "writer still running after the kills: state $(state), $(( $(wchar) >> 20 )) MiB written; kernel stack: $(tr '\n' ' ' < /proc/$DD/stack 2>/dev/null)"
    DDRC=hung; TW=$(now)
fi
written=$(sed -n 's/^\([0-9]*\)+[0-9]* records out$/\1/p' $T/dd.err)
written=${written:-$(( $(wchar) >> 20 ))}

# The bytes dd was told were written, in the server's file and through the device.
cmp -n $((written << 20)) $T/pattern $IMG > $T/cmp.img 2>&1 && file_ok=yes || file_ok="no: $(cat $T/cmp.img)"
if timeout 120 dd if=$DEV of=$T/back bs=1M iflag=direct count=$written status=none 2> $T/back.err; then
    cmp -n $((written << 20)) $T/pattern $T/back > $T/cmp.dev 2>&1 && dev_ok=yes || dev_ok="no: $(cat $T/cmp.dev)"
else
    dev_ok="read failed: $(tr '\n' ' ' < $T/back.err)"
fi

if [ "$CLIENT" = kernel ]; then
    say "nbd-client (pid $NBDC, $(kill -0 $NBDC 2>/dev/null && echo running || echo exited)) said: $(tr '\n' ' ' < $T/client.log)"
    td=$(now)
    timeout 60 nbd-client -d $DEV > $T/detach.log 2>&1; drc=$?
    i=0; while [ -e /sys/block/${DEV#/dev/}/pid ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done
    [ -e /sys/block/${DEV#/dev/}/pid ] && freed=no || freed=yes
    detach="nbd-client -d rc=$drc in $(ms $td $(now)) ms, freed=$freed"
    # the kernel's view, most frequent nbd messages first (timestamps cut)
    counters="dmesg: $(dmesg | grep -c 'nbd[0-9]') nbd lines: $(dmesg | grep 'nbd[0-9]' | sed 's/^\[[^]]*\] //' | sort | uniq -c | sort -rn | head -6 | tr -s ' \n' ' ;')"
else
    counters=$(java ${JAVA_OPTS:-} -jar "$REPO/dst-client/target/dst-client.jar" status nbdkill | sed -n 's/^counters: *//p')
    td=$(now)
    java ${JAVA_OPTS:-} -jar "$REPO/dst-client/target/dst-client.jar" detach nbdkill > $T/detach.log 2>&1; drc=$?
    [ -e $DEV ] && freed=no || freed=yes
    detach="dst-client detach rc=$drc in $(ms $td $(now)) ms, freed=$freed"
fi
echo "RESULT: nbd-kill client=$CLIENT kills=$k writer_rc=$DDRC written_mib=$written of $MB writer_ms=$(ms $T0 $TW) stuck=$stalls kill_to_next_write_ms=${recoveries:-none} max=$maxstall"
echo "RESULT: nbd-kill client=$CLIENT server_file_matches=$file_ok"
echo "RESULT: nbd-kill client=$CLIENT device_reads_back=$dev_ok"
echo "RESULT: nbd-kill client=$CLIENT $detach"
echo "RESULT: nbd-kill client=$CLIENT counters: $counters"
trap - EXIT
cleanup
exit 0
