#!/bin/sh
# Usage: make-base-image.sh [IMAGE [COMMENT]]   (default IMAGE: dst-jre:local)
#
# Builds the base image of the dst Docker images without any registry: make-rootfs.sh's root
# (jlink'd JRE at /opt/jre + busybox + libraries) imported with `docker import`. The dst-server and
# dst-client Dockerfiles start FROM it. Needs a running Docker engine (scripts/docker-up.sh).
set -eu
image=${1:-dst-jre:local}
comment=${2:-dst base: jlinked JRE + busybox}
here=$(dirname "$(readlink -f "$0")")
work=$(mktemp -d "${TMPDIR:-/tmp}/dst-jre-rootfs.XXXXXX")
trap 'rm -rf "$work"' EXIT
"$here/make-rootfs.sh" "$work/rootfs" /opt/jre
tar -C "$work/rootfs" -c . | docker import \
  -c 'ENV PATH=/opt/jre/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  -c 'ENV JAVA_HOME=/opt/jre' \
  -c 'WORKDIR /' \
  -m "$comment" - "$image" >/dev/null
echo "make-base-image: built $image ($(docker image inspect -f '{{.Size}}' "$image" | awk '{ printf "%.0f MB", $1 / 1e6 }'))"
