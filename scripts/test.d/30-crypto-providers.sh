#!/usr/bin/env bash
# ikev2-crypto with every provider: the fast aws-lc-rs provider and the NO
# SECURITY `testing` provider are behind features that `cargo test
# --workspace` does not enable. This stage lints them and runs the crate's
# tests (the known-answer tests in tests/kat.rs run once per provider) with
# both features on. aws-lc-sys builds its C code with the system compiler.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
ensure_rust
log "30-crypto-providers: clippy with aws-lc,testing"
cargo clippy -p ikev2-crypto --all-targets --features aws-lc,testing --locked -- -D warnings
log "30-crypto-providers: tests with aws-lc,testing"
cargo test -p ikev2-crypto --features aws-lc,testing --locked
log "30-crypto-providers: PASS"
