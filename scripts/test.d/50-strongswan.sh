#!/usr/bin/env bash
# Real strongSwan in network namespaces (interop/lab.sh), every exchange
# captured, then our decoder on each capture checked against tshark with the
# same keys, and ikev2-wire round trips of every captured message
# (examples/tests/strongswan_live.rs). The cases live in interop/cases/*.sh:
# charon.sh (charon on both sides: PSK, ECDSA, RSA with RFC 7383 fragments,
# childless, Child and IKE rekey), ours.sh (our Endpoint in A against
# charon in B), matrix.sh (the algorithm matrix, both roles), frag.sh (RFC
# 7383 fragments both ways with our Endpoint, both roles), cert.sh (DN
# identities, charon's fragmented certificate IKE_AUTH), info.sh
# (INFORMATIONAL: deletes, liveness, dead peer, with our Endpoint),
# initial_contact.sh (INITIAL_CONTACT both ways), reauth.sh
# (reauthentication, make-before-break, both ways and both at once),
# collision.sh (forced IKE and Child SA rekey collisions) and
# libreswan.sh (Libreswan's pluto in B), one file per topic.
# Needs root; fails, never skips.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
apt_install charon-systemd strongswan-swanctl strongswan-pki libstrongswan-standard-plugins \
    libstrongswan-extra-plugins libcharon-extra-plugins tcpdump iproute2 iputils-ping tshark python3 \
    libnss3-tools libldns3 libevent-pthreads-2.1-7 libunbound8 libcurl3-nss libcap-ng0 libaudit1
[ "$(id -u)" = 0 ] || { log "50-strongswan: needs root (network namespaces)"; exit 1; }

L=$ROOT/interop/lab.sh
# LAB/LAB_RUN may be set to run two stages side by side
export LAB=${LAB:-ik2ci} LAB_RUN=${LAB_RUN:-/tmp/ik2ci-run}
OUT=${INTEROP_OUT:-/tmp/ik2ci-out}
rm -rf "$OUT"; mkdir -p "$OUT"
# one PKI for every case (RSA-3072 key generation dominates start-up)
export LAB_PKI=$OUT/pki
trap '"$L" down >/dev/null 2>&1 || true' EXIT

log "building ikev2-decode, ikev2-udp and ikev2-peer"
cargo build --locked -q -p ikev2-examples --bin ikev2-decode --bin ikev2-udp --bin ikev2-peer
DECODE=${CARGO_TARGET_DIR:-$ROOT/target}/debug/ikev2-decode
UDP=${CARGO_TARGET_DIR:-$ROOT/target}/debug/ikev2-udp
PEER=${CARGO_TARGET_DIR:-$ROOT/target}/debug/ikev2-peer
[ -x "$DECODE" ] && [ -x "$UDP" ] && [ -x "$PEER" ] || { log "no $DECODE, $UDP or $PEER"; exit 1; }

# Libreswan conflicts with strongSwan's packages: unpacked, not installed
"$L" fetch-libreswan || { log "cannot fetch Libreswan"; exit 1; }
# charon and pluto must start: if they do not, the whole stage fails here
"$L" up > "$OUT/smoke.log" 2>&1 || { cat "$OUT/smoke.log" >&2; log "charon does not start"; exit 1; }
"$L" down
"$L" up --a=none --b=pluto > "$OUT/smoke.log" 2>&1 || { cat "$OUT/smoke.log" >&2; log "pluto does not start"; exit 1; }
"$L" down

sas() { "$L" swanctl "$1" --list-sas --raw 2>/dev/null; }
ping_b() { "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.2.1; }
child_up() { # conn child
    "$L" initiate "$1" "$2" &&
    grep -q "state=ESTABLISHED.*$2-1 {.*state=INSTALLED" <<< "$(sas A)" &&
    grep -q "state=ESTABLISHED.*state=INSTALLED" <<< "$(sas B)"
}
# Each interop/cases/*.sh adds names to CASES and defines case_<name> (run in
# the lab; its stdout/stderr go to the case log), optionally must_<name>
# <decoded.jsonl> (what the decoded capture must contain; default: ESP) and
# up_<name> (prints extra `lab.sh up` options, e.g. --b=pluto).
CASES=()
for f in interop/cases/*.sh; do . "$f"; done
# IK2_CASES="a b" runs only those cases (while developing one)
[ -n "${IK2_CASES:-}" ] && read -r -a CASES <<< "$IK2_CASES"
must_have() { # case jsonl
    if declare -F "must_$1" > /dev/null; then "must_$1" "$2"; else grep -q '"kind":"esp"' "$2"; fi
}

decode() { "$DECODE" --json --ikev2-keys "$1/keys/ikev2_decryption_table" --esp-keys "$1/keys/esp_sa" "$1/capture.pcap"; }
pass=0 fail=0
for c in "${CASES[@]}"; do
    t0=$(date +%s%N)
    d=$OUT/$c
    mkdir -p "$d"
    ok=1
    a=charon; case $c in ours_*) a=none ;; esac   # namespace A is ours
    up=(); declare -F "up_$c" > /dev/null && read -r -a up <<< "$("up_$c")"
    { "$L" up --a=$a "${up[@]}" --capture="$d/capture.pcap" && "case_$c"; } > "$d/lab.log" 2>&1 || ok=0
    "$L" capture stop > /dev/null 2>&1 || true
    if [ $ok = 1 ]; then
        # two passes when there was a CREATE_CHILD_SA: the first decode
        # reveals the SPIs of rekeyed IKE SAs
        "$L" keys "$d/keys" >> "$d/lab.log" 2>&1 &&
        decode "$d" > "$d/decoded-1.jsonl" 2>> "$d/lab.log" &&
        if grep -q '"exchange":"CREATE_CHILD_SA"' "$d/decoded-1.jsonl"; then
            "$L" keys "$d/keys" "$d/decoded-1.jsonl" >> "$d/lab.log" 2>&1 &&
            decode "$d" > "$d/decoded.jsonl" 2>> "$d/lab.log"
        else mv "$d/decoded-1.jsonl" "$d/decoded.jsonl"; fi &&
        python3 interop/agree.py "$d/capture.pcap" "$d/keys" "$d/decoded.jsonl" > "$d/agree.txt" 2>&1 &&
        must_have "$c" "$d/decoded.jsonl" || ok=0
    fi
    cp "$LAB_RUN"/A/charon.log "$d/charon-a.log" 2>/dev/null || true
    cp "$LAB_RUN"/B/charon.log "$d/charon-b.log" 2>/dev/null || true
    cp "$LAB_RUN"/B/pluto.log "$d/pluto-b.log" 2>/dev/null || true
    "$L" down > /dev/null 2>&1 || true
    ms=$((($(date +%s%N) - t0) / 1000000))
    if [ $ok = 1 ]; then
        pass=$((pass + 1)); printf 'PASS %-10s %5d ms  %s\n' "$c" "$ms" "$(head -1 "$d/agree.txt")"
    else
        fail=$((fail + 1)); printf 'FAIL %-10s %5d ms  (see %s)\n' "$c" "$ms" "$d"
        tail -n 15 "$d/lab.log" "$d/agree.txt" 2>/dev/null | sed "s/^/    /" || true
    fi
done
# ikev2-wire on the same captures: every message and every decrypted (and
# reassembled) inner chain re-emits byte for byte
t0=$(date +%s%N)
if IKEV2_INTEROP_CAPTURES=$OUT cargo test --locked -q -p ikev2-examples --test strongswan_live \
    -- --nocapture > "$OUT/round-trip.log" 2>&1; then
    pass=$((pass + 1)); printf 'PASS %-10s %5d ms  every message and inner chain re-emits identically\n' \
        round_trip $((($(date +%s%N) - t0) / 1000000))
else
    fail=$((fail + 1)); printf 'FAIL %-10s (see %s)\n' round_trip "$OUT/round-trip.log"
    tail -n 15 "$OUT/round-trip.log" | sed 's/^/    /'
fi
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
