#!/bin/sh
# Usage: make-rootfs.sh ROOTFS [JRE_DIR]
#
# Makes a minimal Linux root filesystem in the directory ROOTFS (emptied first), with nothing fetched
# from anywhere: a Java runtime jlink'd from this machine's JDK at JRE_DIR inside it (default /opt/jre),
# the shared libraries it needs (ldd closure + the loader), busybox as /bin/sh and the usual tools,
# and, when this machine has them, what the FUSE + loop frontend needs (util-linux
# losetup; the frontend speaks /dev/fuse itself). It is the root of the dst-jre:local base image (make-base-image.sh) and the
# "clean root" the .deb is installed into by the packaging tests. Needs: jlink (JDK 17+), ldd,
# busybox-static.
set -eu

root=${1:?usage: make-rootfs.sh ROOTFS [JRE_DIR]}
jre_dir=${2:-/opt/jre}
modules=java.base,java.logging,java.management,java.naming,jdk.unsupported,java.net.http,jdk.crypto.ec,jdk.jcmd,jdk.httpserver

jlink=$(command -v jlink || true)
[ -n "$jlink" ] || { [ -n "${JAVA_HOME:-}" ] && jlink="$JAVA_HOME/bin/jlink"; }
[ -x "${jlink:-}" ] || { echo "make-rootfs: jlink not found (install a JDK 17+, or set JAVA_HOME)" >&2; exit 1; }
busybox=$(command -v busybox || true)
[ -n "$busybox" ] && ldd "$busybox" 2>&1 | grep -q "not a dynamic executable" ||
  { echo "make-rootfs: needs a static busybox (apt-get install busybox-static)" >&2; exit 1; }

rm -rf "$root"
mkdir -p "$root"
root=$(cd "$root" && pwd)
mkdir -p "$root$(dirname "$jre_dir")"
"$jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages --compress=2 \
  --output "$root$jre_dir"

# Copies files and every shared library they load (and the loader), under the same paths.
copy_with_libraries() {
  for f in "$@"; do
    case "$f" in "$root"/*) ;; *) cp -L --parents "$f" "$root" ;; esac
    ldd "$f" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'
  done | sort -u | while read -r lib; do
    case "$lib" in "$root"/*) continue ;; esac
    [ -e "$root$lib" ] || cp -L --parents "$lib" "$root"
  done
}
copy_with_libraries $(find "$root$jre_dir" -type f \( -name '*.so' -o -perm -u+x \))
# The C library's parts that JNI libraries unpacked at run time load, which the JRE's ldd closure need not hold:
# Netty's epoll transport (Unix sockets: the server's control socket, the FUSE holder) needs libdl.so.2, and without
# it the server ran without a control socket in the image and in the .deb's clean root.
libc_dir=$(dirname "$(ldd "$root$jre_dir/bin/java" | awk '$1 == "libc.so.6" { print $3 }')")
for lib in libdl.so.2 libpthread.so.0 librt.so.1 libm.so.6 libutil.so.1 libresolv.so.2; do
  if [ -e "$libc_dir/$lib" ]; then copy_with_libraries "$libc_dir/$lib"; fi
done

# The FUSE + loop frontend's needs, when this machine has them (the dst-client image uses them).
# (/lib and /usr/lib are one directory on Debian 12: the first path found of each is taken.)
for candidates in "/sbin/losetup /usr/sbin/losetup"; do
  for optional in $candidates; do
    if [ -e "$optional" ]; then copy_with_libraries "$optional"; break; fi
  done
done

mkdir -p "$root/bin" "$root/sbin" "$root/usr/bin" "$root/usr/sbin" "$root/etc" "$root/root" "$root/tmp" "$root/var/tmp" \
  "$root/proc" "$root/sys" "$root/dev" "$root/run"
chmod 1777 "$root/tmp" "$root/var/tmp"
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$root/bin/$applet" ] || [ -e "$root/sbin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$root/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
[ -e "$root/etc/hosts" ] || printf '127.0.0.1 localhost\n::1 localhost\n' >"$root/etc/hosts"

"$root$jre_dir/bin/java" -version 2>&1 | head -n 1 | sed "s|^|make-rootfs: $root: |"
