#!/bin/bash
# One-time setup of the ublk test guest: qemu (no recommends), Debian's 6.12 kernel package
# (unpacked, not installed: it has CONFIG_BLK_DEV_UBLK=m and nbd.ko) and a small busybox initramfs.
# Idempotent: does nothing when the guest files are already there. ~15 s the first time.
#
# usage: setup.sh            env: DST_VM_HOME (default /var/tmp/dst-ublk-vm), DST_VM_KERNEL_PKG
set -euo pipefail
HERE=$(dirname "$(realpath "$0")")
VM_HOME=${DST_VM_HOME:-/var/tmp/dst-ublk-vm}
META=${DST_VM_KERNEL_PKG:-linux-image-6.12-amd64}
mkdir -p "$VM_HOME"

need=()
command -v qemu-system-x86_64 >/dev/null || need+=(qemu-system-x86)
[ -x /bin/busybox ] && /bin/busybox --list | grep -qx insmod || need+=(busybox-static)
command -v xz >/dev/null || need+=(xz-utils)
command -v mkfs.ext4 >/dev/null || need+=(e2fsprogs)
command -v fio >/dev/null || need+=(fio)
command -v nbd-client >/dev/null || need+=(nbd-client)   # the guest's kernel NBD client test runs the host's nbd-client
if [ ${#need[@]} -gt 0 ]; then
    echo "setup: installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${need[@]}" >/dev/null
fi

# The meta package names the current versioned image package, e.g. linux-image-6.12.117+deb12-amd64.
pkg() { apt-cache depends "$META" 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}'; }
PKG=$(pkg)
if [ -z "$PKG" ]; then
    echo "setup: $META unknown to apt, running apt-get update"
    apt-get update >/dev/null
    PKG=$(pkg)
fi
[ -n "$PKG" ] || { echo "setup: no package behind $META (is bookworm-security in the apt sources?)" >&2; exit 1; }

if [ -f "$VM_HOME/vmlinuz" ] && [ -f "$VM_HOME/initrd.gz" ] && [ "$(cat "$VM_HOME/kernel-package" 2>/dev/null)" = "$PKG" ] \
        && [ "$VM_HOME/initrd.gz" -nt "$HERE/init" ] && [ "$VM_HOME/initrd.gz" -nt "$HERE/mkinitrd.sh" ]; then
    echo "setup: $VM_HOME is up to date ($PKG)"
    exit 0
fi

T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "setup: downloading $PKG"
(cd "$T" && apt-get download "$PKG" >/dev/null 2>&1) || { echo "setup: apt-get download $PKG failed" >&2; exit 1; }
dpkg -x "$T"/*.deb "$T/k"
cp "$T"/k/boot/vmlinuz-* "$VM_HOME/vmlinuz"
"$HERE/mkinitrd.sh" "$T/k" "$VM_HOME/initrd.gz"
echo "$PKG" > "$VM_HOME/kernel-package"
echo "setup: guest ready in $VM_HOME ($PKG)"
