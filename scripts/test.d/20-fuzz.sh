#!/usr/bin/env bash
# Fuzz smoke stage: builds every cargo-fuzz target in fuzz/ (its own cargo
# workspace) and runs each one from its committed seed corpus for a bounded
# time (FUZZ_SECONDS, default 10 s per target). Any crash, panic, sanitizer
# report or failed round-trip assertion fails the stage. Installs cargo-fuzz
# when missing; uses the nightly toolchain when rustup has one, otherwise lets
# stable accept the nightly flags cargo-fuzz needs (RUSTC_BOOTSTRAP=1).
#
# Longer runs, by hand:
#   cd fuzz && cargo +nightly fuzz run message -- -max_total_time=3600
. "$(dirname "$0")/../lib.sh"
cd "$ROOT/fuzz"
ensure_rust
secs="${FUZZ_SECONDS:-10}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    log "20-fuzz: installing cargo-fuzz"
    cargo install cargo-fuzz --locked
fi
if rustup toolchain list 2>/dev/null | has '^nightly'; then
    fuzz() { cargo +nightly fuzz "$@"; }
    log "20-fuzz: using the nightly toolchain"
else
    export RUSTC_BOOTSTRAP=1
    fuzz() { cargo fuzz "$@"; }
    log "20-fuzz: no nightly toolchain; stable with RUSTC_BOOTSTRAP=1"
fi

mapfile -t targets < <(fuzz list)
[ "${#targets[@]}" -gt 0 ] || { log "20-fuzz: FAIL: cargo fuzz list found no targets"; exit 1; }
log "20-fuzz: building ${#targets[@]} targets: ${targets[*]}"
fuzz build --debug-assertions

# New inputs go to a scratch directory; the committed seeds stay untouched.
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
for t in "${targets[@]}"; do
    mkdir -p "$work/$t" "corpus/$t"
    log "20-fuzz: running $t for ${secs}s"
    fuzz run --debug-assertions "$t" "$work/$t" "corpus/$t" -- \
        -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 2>"$work/$t.log" \
        || { tail -n 60 "$work/$t.log" >&2; log "20-fuzz: FAIL: $t crashed (artifacts in fuzz/artifacts/$t)"; exit 1; }
    grep -E '^stat::number_of_executed_units' "$work/$t.log" | sed "s/^/    $t /" >&2 || true
done
log "20-fuzz: PASS (${#targets[@]} targets, ${secs}s each)"
