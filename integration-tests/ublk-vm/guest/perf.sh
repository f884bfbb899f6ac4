#!/bin/sh
# Direct-I/O throughput of $DEV (dd 1 MiB, fio 4k random QD32 and 1 MiB sequential QD8), printed as
# "RESULT: $LABEL ..." lines. Used for dst's ublk device and for the C RAM-disk baseline alike.
set -eu
: "${DEV:?}"
L=${LABEL:-dst}
T=$(mktemp -d)
dd if=/dev/zero of=$DEV bs=1M count=${MB:-128} oflag=direct 2>&1 | tail -1 | sed "s/^/RESULT: $L dd write 1M direct: /"
dd if=$DEV of=/dev/null bs=1M count=${MB:-128} iflag=direct 2>&1 | tail -1 | sed "s/^/RESULT: $L dd read 1M direct: /"
if command -v fio >/dev/null; then
    for job in "randread 4k 32" "randwrite 4k 32" "read 1m 8" "write 1m 8"; do
        set -- $job
        fio --name=f --filename=$DEV --direct=1 --ioengine=libaio --rw=$1 --bs=$2 --iodepth=$3 --size=64M \
            --time_based --runtime=${FIO_SECONDS:-4} --group_reporting --output-format=terse --terse-version=3 > $T/fio.out 2>&1 \
          || { cat $T/fio.out; exit 1; }
        awk -F';' -v j="$job" -v l="$L" '{ printf "RESULT: %s fio %s: read %d KiB/s %d IOPS, write %d KiB/s %d IOPS\n", l, j, $7, $8, $48, $49 }' $T/fio.out
    done
fi
rm -rf $T
