#!/bin/bash
# usage: vmrun.sh WORKDIR SCRIPT
# Boots the ublk test guest (qemu TCG), runs SCRIPT (relative to WORKDIR) inside it as root with
# the host's / mounted read-only and WORKDIR mounted read-write at the same path, streams the
# serial console, and exits with the script's exit code.
# WORKDIR must be under /tmp (the guest can create mount points only on its tmpfs).
# The TCG guest is occasionally flaky on its own (an early oops, a crashed boot): when the guest
# never reports an exit code, the boot is retried once and the retry is reported.
# env: DST_VM_HOME (kernel + initrd, see setup.sh), VM_MEM (MiB, 2048), VM_CPUS (2), VM_TIMEOUT (s, 900),
#      VM_TCG_THREADS (single: one host thread for all vCPUs, the default; multi: one per vCPU, faster, see below)
set -u
W=$(realpath "$1"); S=$2
VM_HOME=${DST_VM_HOME:-/var/tmp/dst-ublk-vm}
case "$W" in /tmp/?*) ;; *) echo "vmrun: WORKDIR must be under /tmp, got $W" >&2; exit 2;; esac
[ -f "$VM_HOME/vmlinuz" ] && [ -f "$VM_HOME/initrd.gz" ] || { echo "vmrun: no guest in $VM_HOME: run setup.sh" >&2; exit 2; }
[ -f "$W/$S" ] || { echo "vmrun: no script $W/$S" >&2; exit 2; }
LOG=$(mktemp)
QPID=
trap '[ -n "$QPID" ] && kill $QPID 2>/dev/null; rm -f "$LOG"' EXIT
trap 'exit 130' INT TERM

# One TCG thread for all vCPUs by default: with thread=multi the guest's JVMs died of SIGILL now and then (code the
# JIT had just patched on one vCPU while another ran it: two CI runs in a row lost a ublk test that way).
# KVM is no way out here: /dev/kvm exists but qemu cannot set the guest's MSRs under this nested hypervisor.
TCG_THREADS=${VM_TCG_THREADS:-single}

boot() {
    qemu-system-x86_64 -accel tcg,thread="$TCG_THREADS" -cpu max \
      -m "${VM_MEM:-2048}" -smp "${VM_CPUS:-2}" -nographic -no-reboot -nodefaults -serial stdio \
      -kernel "$VM_HOME/vmlinuz" -initrd "$VM_HOME/initrd.gz" \
      -append "console=ttyS0 panic=-1 quiet vmwork=$W vmscript=$S" \
      -virtfs local,path=/,mount_tag=host,security_model=none,readonly=on,multidevs=remap \
      -virtfs local,path="$W",mount_tag=work,security_model=none,multidevs=remap \
      -netdev user,id=n0 -device virtio-net-pci,netdev=n0,romfile= < /dev/null > >(tee "$LOG") 2>&1 &
    QPID=$!
    local deadline=$((SECONDS + ${VM_TIMEOUT:-900}))
    while kill -0 $QPID 2>/dev/null; do
        if [ $SECONDS -ge $deadline ]; then
            echo "vmrun: timeout after ${VM_TIMEOUT:-900}s, killing qemu" >&2; kill $QPID; TIMED_OUT=1
        fi
        sleep 1
    done
    wait $QPID; QPID=
}

TIMED_OUT=
for attempt in 1 2; do
    : > "$LOG"
    boot
    sleep 0.2   # let tee drain
    rc=$(grep -a -o 'VM_EXIT=[0-9]*' "$LOG" | tail -1 | cut -d= -f2)
    [ -n "$rc" ] && exit "$rc"
    [ -n "$TIMED_OUT" ] && { echo "vmrun: no retry after a timeout" >&2; exit 124; }
    if grep -aq 'VM: ready' "$LOG" && [ "$attempt" = 1 ]; then
        echo "vmrun: guest started the script but reported no exit code; retrying once" >&2
    elif [ "$attempt" = 1 ]; then
        echo "vmrun: guest failed to boot; retrying once" >&2
    fi
done
echo "vmrun: no VM_EXIT marker after 2 boots" >&2
exit 125
