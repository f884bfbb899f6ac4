#!/bin/sh
# Kill -9 of the serving client in the middle of an O_DIRECT write, then a new process adopts the
# device (START/END_USER_RECOVERY): the writer must finish without an error and every byte it
# wrote must read back. Runs in the guest; env: CP, JAVA_OPTS, TARGET.
set -u
T=$(mktemp -d)
dd if=/dev/urandom of=$T/pattern bs=1M count=${RECOVER_MB:-32} status=none
java $JAVA_OPTS -cp "$CP" dst.it.ublk.UblkGuestMain "$TARGET" > $T/client1.log 2>&1 &
C1=$!
i=0; until grep -q "UBLK: attached" $T/client1.log || [ $i -ge 1200 ]; do sleep 0.1; i=$((i+1)); done
cat $T/client1.log
DEV=$(sed -n 's/.* as \(\/dev\/ublkb[0-9]*\) in .*/\1/p' $T/client1.log)
[ -b "$DEV" ] || { echo "RECOVER: FAIL no device"; exit 1; }
ID=${DEV#/dev/ublkb}
# The new process resumes the dead one's session: that session holds the export's exclusive claim (attach --name does the same).
SESSION=$(sed -n 's/^UBLK: session \([0-9-]*\)$/\1/p' $T/client1.log)
(dd if=$T/pattern of=$DEV bs=64k oflag=direct conv=fsync status=none; echo $? > $T/dd.rc) &
sleep ${KILL_AFTER:-2}
[ -f $T/dd.rc ] && echo "RECOVER: note: the write finished before the kill (make RECOVER_MB larger)"
kill -9 $C1; wait $C1 2>/dev/null
echo "RECOVER: killed the client (pid $C1) while writing to $DEV"
cat > $T/verify.sh <<EOS
i=0; until [ -f $T/dd.rc ] || [ \$i -ge 1800 ]; do sleep 0.1; i=\$((i+1)); done
[ "\$(cat $T/dd.rc 2>/dev/null)" = 0 ] || { echo "RECOVER: FAIL writer saw an error or never finished (rc \$(cat $T/dd.rc 2>/dev/null))"; exit 1; }
dd if=\$DEV of=$T/back bs=1M iflag=direct count=${RECOVER_MB:-32} status=none
cmp $T/pattern $T/back || { echo "RECOVER: FAIL data read back differs"; exit 1; }
echo "RESULT: recover ok: writer finished cleanly, all ${RECOVER_MB:-32} MiB read back"
EOS
java $JAVA_OPTS -cp "$CP" dst.it.ublk.UblkGuestMain --recover $ID --resume "${SESSION:-0}" "$TARGET" /bin/sh $T/verify.sh
rc=$?
rm -rf $T
exit $rc
