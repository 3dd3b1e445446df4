#!/usr/bin/env bash
# The whole test suite. Installs what it needs (Debian packages, cargo tools)
# when missing, then runs formatting and lint checks, every crate's tests, and
# each extra stage in scripts/test.d/ (fuzz smoke, interop, kernel VM...).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_rust
# Packages the test stages need; each stage may add its own with apt_install.
apt_install $(grep -v '^#' scripts/apt-packages.txt)

log "cargo fmt --check"
cargo fmt --all -- --check
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
log "cargo test"
cargo test --workspace --locked --no-fail-fast

for stage in scripts/test.d/*.sh; do
    [ -e "$stage" ] || continue
    log "stage $(basename "$stage")"
    bash "$stage"
done
log "all test stages passed"
