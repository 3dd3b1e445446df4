#!/usr/bin/env bash
# The whole test suite. Installs what it needs (Debian packages, cargo tools)
# when missing, then runs formatting and lint checks, every crate's tests, and
# each extra stage in scripts/test.d/ (fuzz smoke, interop, kernel VM...).
. "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_rust
check_disk 16
# Packages the test stages need; each stage may add its own with apt_install.
apt_install $(grep -v '^#' scripts/apt-packages.txt)

log "cargo fmt --check"
cargo fmt --all -- --check
(cd fuzz && cargo fmt --all -- --check)   # its own workspace
log "cargo clippy"
cargo clippy --workspace --all-targets --locked -- -D warnings
log "cargo doc (a broken intra-doc link fails)"
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --locked -q
log "cargo test"
TEST_LOG="$(mktemp)"
trap 'rm -f "$TEST_LOG"' EXIT
cargo test --workspace --locked --no-fail-fast 2>&1 | tee "$TEST_LOG"

stages=0
for stage in scripts/test.d/*.sh; do
    [ -e "$stage" ] || continue
    log "stage $(basename "$stage")"
    bash "$stage"
    stages=$((stages + 1))
done
log "all test stages passed"
# One closing line over the whole run: cargo's test results plus one per stage
# (a stage that failed has already stopped the script).
read -r passed failed < <(awk '/^test result:/ { p += $4; f += $6 } END { print p + 0, f + 0 }' "$TEST_LOG")
echo "suite: $((passed + stages)) passed, $failed failed"
