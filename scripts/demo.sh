#!/usr/bin/env bash
# The main command: a live IPsec tunnel in one process, no root and no
# configuration. Two ikev2-peer endpoints on loopback UDP negotiate an IKE SA
# and a Child SA (IKE_SA_INIT + IKE_AUTH, PSK, X25519, AES-GCM), then push a
# stream of numbered packets through ESP-in-UDP both ways, check every one on
# arrival, and print what was negotiated, the throughput and both peers' SA
# listings. Extra arguments go to `ikev2-peer demo` (e.g. `--packets 100000`,
# `--esp chacha20poly1305`, `--json`).
#
# `scripts/demo.sh decode [ARGS]` runs the capture decoder instead, on the
# capture shipped in the repository (Wireshark wiki "IPsec Example 2").
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_rust
target="${CARGO_TARGET_DIR:-$ROOT/target}"
if [ "${1:-}" = decode ]; then
    shift
    log "building ikev2-decode"
    cargo build --quiet --locked --release -p ikev2-examples --bin ikev2-decode
    log "decoding the embedded capture"
    exec "$target/release/ikev2-decode" "$@"
fi
log "building ikev2-peer"
cargo build --quiet --locked --release -p ikev2-examples --bin ikev2-peer
log "tunnel demo: two peers on loopback, ESP both ways"
exec "$target/release/ikev2-peer" demo "$@"
