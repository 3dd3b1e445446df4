#!/bin/bash
# Builds an initramfs for the XFRM ESP test VM:
#   static busybox, iproute2's `ip` with its shared libraries, the test
#   programs (run in the order given) with their shared libraries, the IPsec/crypto/veth modules of the
#   unpacked Debian kernel (dependencies resolved with modules.dep), and /init.
# Usage: build-initramfs.sh KERNEL_DIR OUT.cpio.gz PROGRAM...
# Env: XFRM_VM_BINS: more binaries (space-separated paths) the programs run,
#      copied with their libraries to /usr/local/bin.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
KDIR=${1:?unpacked kernel package dir}
OUT=${2:?output initramfs}
shift 2
[ $# -ge 1 ] || { echo "build-initramfs.sh: no program to run in the VM" >&2; exit 1; }
KV=$(ls "$KDIR/lib/modules" | head -n1)
MODDIR=$KDIR/lib/modules/$KV
[ -f "$MODDIR/modules.dep" ] || depmod -b "$KDIR" "$KV"

ROOT=$(mktemp -d)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,run/netns,etc,lib64,lib/modules/$KV}
ln -s /run "$ROOT/var" 2>/dev/null || true

BUSYBOX=$(command -v busybox)
file -L "$BUSYBOX" 2>/dev/null | grep 'dynamically' > /dev/null && { echo "busybox must be static (busybox-static)" >&2; exit 1; }
cp "$BUSYBOX" "$ROOT/bin/busybox"

# copy_bin SRC DST: a host binary and the shared libraries it loads.
copy_bin() {
    local src=$1 dst=$2
    mkdir -p "$ROOT/$(dirname "$dst")"
    cp -L "$src" "$ROOT/$dst"
    # (scripts have no libraries: ldd fails on them)
    { ldd "$src" 2>/dev/null || true; } | awk '/=>/ {print $3} /^[[:space:]]*\// {print $1}' | while read -r lib; do
        [ -f "$lib" ] || continue
        mkdir -p "$ROOT/$(dirname "$lib")"
        cp -Ln "$lib" "$ROOT/$lib"
    done
}
copy_bin "$(command -v ip)" /sbin/ip     # busybox's ip knows no xfrm/netns details we rely on
for extra in ${XFRM_VM_BINS:-}; do
    copy_bin "$extra" "/usr/local/bin/$(basename "$extra")"
done
n=0
for prog in "$@"; do
    n=$((n + 1))
    copy_bin "$prog" "/test-programs/$n-$(basename "$prog")"
done

MODS="xfrm_user xfrm_algo esp4 esp6 xfrm4_tunnel tunnel4 ip_tunnel veth drbg
      aes_generic aesni_intel gcm ghash_generic ctr seqiv echainiv authenc authencesn
      chacha20poly1305 chacha_generic poly1305_generic cbc hmac sha256_generic sha512_generic"
: > "$ROOT/etc/modules"
for m in $MODS; do
    line=$(grep -E "(^|/)${m//_/[_-]}\.ko(\.xz|\.zst)?:" "$MODDIR/modules.dep" || true)
    if [ -z "$line" ]; then
        grep -qE "(^|/)${m//_/[_-]}\.ko" "$MODDIR/modules.builtin" 2>/dev/null || echo "note: module $m not in this kernel" >&2
        continue
    fi
    for f in $(echo "$line" | tr -d ':'); do
        mkdir -p "$ROOT/lib/modules/$KV/$(dirname "$f")"
        cp -n "$MODDIR/$f" "$ROOT/lib/modules/$KV/$f"
    done
    echo "$m" >> "$ROOT/etc/modules"
done
cp "$MODDIR"/modules.builtin* "$MODDIR"/modules.order "$ROOT/lib/modules/$KV/"
depmod -b "$ROOT" "$KV"

cp "$HERE/init" "$ROOT/init"
chmod +x "$ROOT/init"
(cd "$ROOT" && find . | cpio -o -H newc --quiet | gzip -1) > "$OUT"
echo "initramfs: $OUT ($(du -h "$OUT" | cut -f1)), kernel $KV" >&2
