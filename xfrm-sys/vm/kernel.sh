#!/bin/bash
# Fetches Debian's own kernel (the package linux-image-amd64 depends on),
# unpacks it without installing it, and prints the unpacked directory.
# Cached in $XFRM_VM_CACHE (default ~/.cache/ikev2-rs/kernel-vm), keyed by the
# package name, so CI can cache it.
set -euo pipefail
CACHE=${XFRM_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/ikev2-rs/kernel-vm}
mkdir -p "$CACHE"
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
if [ -z "$pkg" ]; then
    apt-get update -qq >&2
    pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/{print $2; exit}')
fi
[ -n "$pkg" ] || { echo "kernel.sh: cannot resolve linux-image-amd64" >&2; exit 1; }
dir=$CACHE/$pkg
if [ ! -f "$dir/.unpacked" ]; then
    rm -rf "$dir" "$CACHE"/dl && mkdir -p "$dir" "$CACHE/dl"
    (cd "$CACHE/dl" && apt-get download "$pkg" >&2)
    dpkg-deb -x "$CACHE"/dl/"$pkg"_*.deb "$dir"
    rm -rf "$CACHE/dl"
    touch "$dir/.unpacked"
fi
echo "$dir"
