#!/bin/bash
# Boots Debian's kernel under QEMU once, with an initramfs holding the
# PROGRAMs, and runs them in order as PID 1's children with the IPsec modules
# loaded. Prints the guest console and exits with the first failing
# program's exit status, 0 if all passed (125 if the VM failed to boot or
# never reported a status, 124 on timeout).
# Usage: run.sh PROGRAM...
# Env: XFRM_VM_CACHE (kernel cache dir), XFRM_VM_TIMEOUT (seconds, 180),
#      XFRM_VM_ACCEL (kvm|tcg|auto), XFRM_VM_BINS (more binaries for the
#      programs, put in /usr/local/bin).
set -uo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 1 ] || { echo "usage: run.sh PROGRAM..." >&2; exit 125; }
PROGS=()
for p in "$@"; do PROGS+=("$(readlink -f "$p")"); done
TIMEOUT=${XFRM_VM_TIMEOUT:-180}
ACCEL=${XFRM_VM_ACCEL:-auto}

KDIR=$("$HERE/kernel.sh") || { echo "run.sh: cannot get the Debian kernel" >&2; exit 125; }
KV=$(ls "$KDIR/lib/modules" | head -n1)
VMLINUZ=$KDIR/boot/vmlinuz-$KV
[ -r "$VMLINUZ" ] || { echo "run.sh: no $VMLINUZ" >&2; exit 125; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$HERE/build-initramfs.sh" "$KDIR" "$work/initrd.gz" "${PROGS[@]}" || { echo "run.sh: initramfs build failed" >&2; exit 125; }

if [ "$ACCEL" = auto ]; then
    if [ -w /dev/kvm ] && grep -qE '\b(vmx|svm)\b' /proc/cpuinfo; then ACCEL=kvm; else ACCEL=tcg; fi
fi
cpu=max; [ "$ACCEL" = kvm ] && cpu=host
start=$(date +%s)
timeout -k 5 "$TIMEOUT" qemu-system-x86_64 -accel "$ACCEL" -cpu "$cpu" -smp 2 -m 768 \
    -display none -monitor none -no-reboot -nic none \
    -kernel "$VMLINUZ" -initrd "$work/initrd.gz" \
    -append "console=ttyS0 panic=-1 quiet loglevel=3" \
    -serial "file:$work/console.log" < /dev/null
qrc=$?
tr -d '\r' < "$work/console.log"
echo "run.sh: VM ran $(( $(date +%s) - start )) s (accel $ACCEL, qemu rc $qrc)" >&2
st=$(tr -d '\r' < "$work/console.log" | sed -n 's/^XFRM-VM-EXIT=\([0-9]*\)$/\1/p' | tail -n1)
if [ -z "$st" ]; then
    [ "$qrc" = 124 ] && { echo "run.sh: VM timed out after ${TIMEOUT}s" >&2; exit 124; }
    echo "run.sh: the VM did not boot or never reported a status" >&2
    exit 125
fi
exit "$st"
