# Shared helpers for the project's scripts. Sourced, not executed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

log() { printf '==> %s\n' "$*" >&2; }
# `producer | has PATTERN`: a match test for pipelines. Unlike `grep -q` it
# reads all its input, so under pipefail an early match cannot kill the
# producer with SIGPIPE and turn a success into a failure.
has() { grep "$@" > /dev/null; }

# Rust toolchain: the machine's rustup if present; on a bare Debian 12 install
# rustup (Debian's own rustc is too old for this workspace).
ensure_rust() {
    if [ -f "$HOME/.cargo/env" ]; then . "$HOME/.cargo/env"; fi
    if ! command -v cargo >/dev/null 2>&1; then
        log "installing the Rust toolchain with rustup"
        apt_install curl ca-certificates gcc libc6-dev
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal -c rustfmt,clippy
        . "$HOME/.cargo/env"
    fi
    # A rustup toolchain installed without them (e.g. --profile minimal).
    if command -v rustup >/dev/null 2>&1; then
        cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
        cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
    fi
}

# check_disk GIB: stop early, naming the cause, when the filesystem that will
# hold the build has less than GIB GiB free. A full disk otherwise shows up
# deep inside a C++ compile (libFuzzer) as an unrelated-looking error.
check_disk() {
    local need="$1" dir="${CARGO_TARGET_DIR:-$ROOT/target}" avail
    mkdir -p "$dir"
    avail=$(df -Pk "$dir" | awk 'NR == 2 { print int($4 / 1048576) }')
    log "disk: ${avail} GiB free for $dir (the full suite builds about ${need} GiB)"
    if [ "$avail" -lt "$need" ]; then
        log "not enough disk space: free at least ${need} GiB (old target/ directories?) and rerun"
        return 1
    fi
}

APT_UPDATED=0
# apt_install PKG...: install the Debian packages that are missing.
apt_install() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | has "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -ne 0 ]; then
        log "need root to install: ${missing[*]}"; return 1
    fi
    if [ "$APT_UPDATED" = 0 ]; then
        DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
        APT_UPDATED=1
    fi
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
