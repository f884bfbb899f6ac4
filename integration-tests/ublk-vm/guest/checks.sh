#!/bin/sh
# The checks run against $DEV (/dev/ublkbN) while the ublk frontend serves it. Prints RESULT lines.
# (Throughput is measured separately: perf.sh.)
set -eu
: "${DEV:?}"
echo "CHECK: $DEV size $(blockdev --getsize64 $DEV) bytes, logical block $(blockdev --getss $DEV), physical $(blockdev --getpbsz $DEV)"
T=$(mktemp -d)

# 1. Pattern: random data written with O_DIRECT, read back with O_DIRECT, compared.
/bin/sh "$(dirname "$0")/pattern.sh"

# 2. A filesystem: mkfs (sends a discard of the whole device), files, remount, compare, fsck.
dd if=/dev/urandom of=$T/pattern bs=1M count=16 status=none
mkfs.ext4 -q -F $DEV
mkdir -p $T/mnt
mount $DEV $T/mnt
cp $T/pattern $T/mnt/a
mkdir $T/mnt/dir; i=0; while [ $i -lt 50 ]; do echo "file $i" > $T/mnt/dir/f$i; i=$((i+1)); done
sync
umount $T/mnt
mount $DEV $T/mnt
cmp $T/pattern $T/mnt/a
[ "$(cat $T/mnt/dir/f49)" = "file 49" ]
umount $T/mnt
e2fsck -fn $DEV
echo "RESULT: ext4 ok"
rm -rf $T
