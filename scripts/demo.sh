#!/usr/bin/env bash
# The main job on an embedded default: build the capture decoder and decode
# the capture shipped in the repository (Wireshark wiki "IPsec Example 2":
# three IKEv2 sessions over UDP 4500 from a client behind NAT, with ESP).
# Extra arguments go to the decoder, e.g. `scripts/demo.sh --json`.
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_rust
log "building ikev2-decode"
cargo build --quiet --locked --release -p ikev2-examples --bin ikev2-decode
target="${CARGO_TARGET_DIR:-$ROOT/target}"
log "decoding the embedded capture"
exec "$target/release/ikev2-decode" "$@"
