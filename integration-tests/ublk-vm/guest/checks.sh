#!/bin/sh
# The checks run against $DEV (/dev/ublkbN) while the ublk frontend serves it. Prints RESULT lines.
set -eu
: "${DEV:?}"
echo "CHECK: $DEV size $(blockdev --getsize64 $DEV) bytes, logical block $(blockdev --getss $DEV), physical $(blockdev --getpbsz $DEV)"
T=$(mktemp -d)

# 1. Pattern: random data written with O_DIRECT, read back with O_DIRECT, compared.
dd if=/dev/urandom of=$T/pattern bs=1M count=16 status=none
dd if=$T/pattern of=$DEV bs=1M oflag=direct seek=3 conv=fsync status=none
dd if=$DEV of=$T/back bs=1M iflag=direct skip=3 count=16 status=none
cmp $T/pattern $T/back
# odd sizes and offsets (4 KiB granularity) through the same path
dd if=$T/pattern of=$DEV bs=4k count=37 oflag=direct seek=1001 status=none
dd if=$DEV of=$T/back4k bs=4k count=37 iflag=direct skip=1001 status=none
head -c $((37*4096)) $T/pattern | cmp - $T/back4k
echo "RESULT: pattern ok"

# 2. (the throughput numbers come from perf.sh, run separately by ublk-e2e.sh)

# 3. A filesystem: mkfs (sends a discard of the whole device), files, unmount, fsck.
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
