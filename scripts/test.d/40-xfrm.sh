#!/usr/bin/env bash
# Real kernel ESP through xfrm-sys: boots Debian's own kernel (which has the
# ESP transforms this machine's kernel lacks) under QEMU and runs the
# `kernel_esp` example inside it: tunnel and transport SAs and policies
# (AES-GCM, ChaCha20-Poly1305, AES-CBC + HMAC-SHA-256, ESN with a 4096-packet
# window) installed with xfrm-sys between two namespaces, pings through them,
# counters read back, soft and hard expiry events received. In the same boot,
# the `ike_esp` example: two ikev2-sm endpoints negotiate Child SAs, the
# ikev2-sm bridge installs them through xfrm-sys in two namespaces, and
# pings cross kernel ESP both ways (tunnel, transport, NAT-T). Last,
# `vm/peer_kernel.sh`: two ikev2-peer processes with `dataplane = "kernel"`,
# then `start_action = trap`: the first ping's ACQUIRE starts the tunnel, and
# the trap survives the Child SA's delete.
# Fails loudly if the VM cannot be built or booted.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
ensure_rust
[ "$(id -u)" -eq 0 ] || { log "40-xfrm: needs root (apt, and the VM's kernel download)"; exit 1; }
apt_install qemu-system-x86 busybox-static kmod cpio iproute2

log "40-xfrm: building the kernel_esp and ike_esp examples and ikev2-peer"
cargo build -p xfrm-sys --features ikev2-sm --example kernel_esp --example ike_esp --locked
cargo build -p ikev2-examples --bin ikev2-peer --locked
peer_bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ikev2-peer"
[ -x "$peer_bin" ] || { log "40-xfrm: FAIL: $peer_bin not built"; exit 1; }
bins=()
for ex in kernel_esp ike_esp; do
    bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/examples/$ex"
    [ -x "$bin" ] || { log "40-xfrm: FAIL: $bin not built"; exit 1; }
    bins+=("$bin")
done

log "40-xfrm: booting Debian's kernel under QEMU"
rc=0
XFRM_VM_BINS="$peer_bin" xfrm-sys/vm/run.sh "${bins[@]}" xfrm-sys/vm/peer_kernel.sh || rc=$?
if [ "$rc" -eq 0 ]; then
    log "40-xfrm: PASS (kernel ESP through xfrm-sys in the Debian kernel VM)"
else
    case $rc in
        124) why="the VM timed out" ;;
        125) why="the VM could not be built or booted" ;;
        *) why="an ESP scenario failed (exit $rc)" ;;
    esac
    log "40-xfrm: FAIL: $why"
    exit 1
fi
