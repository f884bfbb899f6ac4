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

# 2. Throughput, direct I/O (the guest is emulated: compare only within one run).
dd if=/dev/zero of=$DEV bs=1M count=${MB:-128} oflag=direct 2>&1 | tail -1 | sed 's/^/RESULT: dd write 1M direct: /'
dd if=$DEV of=/dev/null bs=1M count=${MB:-128} iflag=direct 2>&1 | tail -1 | sed 's/^/RESULT: dd read 1M direct: /'
if command -v fio >/dev/null; then
    for job in "randread 4k 32" "randwrite 4k 32" "read 1m 8" "write 1m 8"; do
        set -- $job
        fio --name=f --filename=$DEV --direct=1 --ioengine=libaio --rw=$1 --bs=$2 --iodepth=$3 --size=64M \
            --time_based --runtime=${FIO_SECONDS:-4} --group_reporting --output-format=terse --terse-version=3 > $T/fio.out 2>&1 \
          || { cat $T/fio.out; exit 1; }
        awk -F';' -v j="$job" '{ printf "RESULT: fio %s: read %d KiB/s %d IOPS, write %d KiB/s %d IOPS\n", j, $7, $8, $48, $49 }' $T/fio.out
    done
fi

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
