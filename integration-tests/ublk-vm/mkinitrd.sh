#!/bin/bash
# usage: mkinitrd.sh KERNEL_EXTRACT_DIR OUT.cpio.gz      (needs busybox-static, xz-utils)
# A busybox initramfs with the few modules the guest needs, decompressed here because busybox's
# insmod cannot read .ko.xz, and listed in load order because the guest has no modprobe/depmod.
# md-mod, raid1 and dm-mod: the mirrored-storage test (md raid1 over two dst devices; dm-linear in the README).
# loop: the FUSE+loop frontend (FUSE itself is built in), for the online resize test, which needs the guest's full
# capabilities (resize2fs on a mounted ext4 needs CAP_SYS_RESOURCE, which the host's sandbox lacks).
set -euo pipefail
K=$1; OUT=$2
KV=$(ls "$K/lib/modules"); MD=$K/lib/modules/$KV/kernel
R=$(mktemp -d)
trap 'rm -rf "$R"' EXIT
mkdir -p "$R"/{bin,proc,sys,dev,mnt/host,lib/modules}
cp /bin/busybox "$R/bin/busybox"; ln -s busybox "$R/bin/sh"
MODS="fs/netfs/netfs net/9p/9pnet net/9p/9pnet_virtio fs/9p/9p drivers/block/ublk_drv drivers/block/nbd
      net/core/failover drivers/net/net_failover drivers/net/virtio_net
      lib/crc16 fs/mbcache fs/jbd2/jbd2 crypto/crc32c_generic fs/ext4/ext4
      drivers/md/md-mod drivers/md/raid1 drivers/md/dm-mod drivers/block/loop"
: > "$R/lib/modules/order"
for m in $MODS; do
    [ -f "$MD/$m.ko.xz" ] || { echo "mkinitrd: $m.ko.xz missing in $KV (built in?)" >&2; continue; }
    xz -dc "$MD/$m.ko.xz" > "$R/lib/modules/$(basename "$m").ko"
    basename "$m" >> "$R/lib/modules/order"
done
cp "$(dirname "$(realpath "$0")")/init" "$R/init"; chmod +x "$R/init"
(cd "$R" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) > "$OUT"
