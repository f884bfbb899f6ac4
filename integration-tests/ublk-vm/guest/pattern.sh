#!/bin/sh
# O_DIRECT random pattern on $DEV: written, read back, compared (16 MiB at 3 MiB, and odd 4 KiB pieces).
set -eu
: "${DEV:?}"
T=$(mktemp -d)
dd if=/dev/urandom of=$T/pattern bs=1M count=16 status=none
dd if=$T/pattern of=$DEV bs=1M oflag=direct seek=3 conv=fsync status=none
dd if=$DEV of=$T/back bs=1M iflag=direct skip=3 count=16 status=none
cmp $T/pattern $T/back
dd if=$T/pattern of=$DEV bs=4k count=37 oflag=direct seek=1001 status=none
dd if=$DEV of=$T/back4k bs=4k count=37 iflag=direct skip=1001 status=none
head -c $((37*4096)) $T/pattern | cmp - $T/back4k
rm -rf $T
echo "RESULT: pattern ok"
