#!/usr/bin/env bash
# Real strongSwan on both sides of interop/lab.sh, every exchange captured,
# then our decoder on each capture checked against tshark with the same keys.
# Cases: PSK, ECDSA certificates, RSA certificates with fragmented IKE_AUTH
# (RFC 7383), a childless IKE SA (RFC 6023), a CHILD SA rekey
# and an IKE SA rekey followed by a CHILD SA rekey under the new IKE SA
# (CREATE_CHILD_SA); pings through the tunnel; then our own state machine
# (examples' ikev2-udp driving an ikev2_sm::Endpoint in namespace A) against
# charon in B, as initiator and as responder, PSK, X25519, AES-GCM (and as
# initiator AES-CBC/HMAC-SHA-256 with MODP-2048, and an INVALID_KE_PAYLOAD
# retry), with the
# move to UDP 4500 (kernel-libipsec fakes a NAT), and a wrong PSK reported
# as a typed failure; then ikev2-wire round trips
# of every captured message (examples/tests/strongswan_live.rs).
# Needs root; fails, never skips.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
apt_install charon-systemd strongswan-swanctl strongswan-pki libstrongswan-standard-plugins \
    libstrongswan-extra-plugins libcharon-extra-plugins tcpdump iproute2 iputils-ping tshark python3
[ "$(id -u)" = 0 ] || { log "50-strongswan: needs root (network namespaces)"; exit 1; }

L=$ROOT/interop/lab.sh
export LAB=ik2ci LAB_RUN=/tmp/ik2ci-run
OUT=${INTEROP_OUT:-/tmp/ik2ci-out}
rm -rf "$OUT"; mkdir -p "$OUT"
# one PKI for every case (RSA-3072 key generation dominates start-up)
export LAB_PKI=$OUT/pki
trap '"$L" down >/dev/null 2>&1 || true' EXIT

log "building ikev2-decode and ikev2-udp"
cargo build --locked -q -p ikev2-examples --bin ikev2-decode --bin ikev2-udp
DECODE=${CARGO_TARGET_DIR:-$ROOT/target}/debug/ikev2-decode
UDP=${CARGO_TARGET_DIR:-$ROOT/target}/debug/ikev2-udp
[ -x "$DECODE" ] && [ -x "$UDP" ] || { log "no $DECODE or $UDP"; exit 1; }

# charon must start: if it does not, the whole stage fails here
"$L" up > "$OUT/smoke.log" 2>&1 || { cat "$OUT/smoke.log" >&2; log "charon does not start"; exit 1; }
"$L" down

sas() { "$L" swanctl "$1" --list-sas --raw 2>/dev/null; }
ping_b() { "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.2.1; }
child_up() { # conn child
    "$L" initiate "$1" "$2" &&
    grep -q "state=ESTABLISHED.*$2-1 {.*state=INSTALLED" <<< "$(sas A)" &&
    grep -q "state=ESTABLISHED.*state=INSTALLED" <<< "$(sas B)"
}
case_psk() { child_up psk psk-net && ping_b; }
case_ecdsa() {
    child_up ecdsa ecdsa-net && ping_b &&
    grep -q 'remote-id=a.ecdsa.lab' <<< "$(sas B)"
}
case_rsa_frag() {
    child_up rsa rsa-net && ping_b &&
    grep -q 'remote-id=a.rsa.lab' <<< "$(sas B)"
}
case_childless() {
    "$L" initiate childless &&
    grep -q 'state=ESTABLISHED' <<< "$(sas B)" &&
    ! grep -q 'child-sas {[^}]' <<< "$(sas B)"
}
case_rekey() {
    child_up psk psk-net && ping_b &&
    "$L" swanctl A --rekey --child psk-net &&
    sleep 0.3 &&
    grep -q 'psk-net-2 {[^}]*state=INSTALLED' <<< "$(sas A)" &&
    grep -q 'state=INSTALLED' <<< "$(sas B)" &&
    ping_b
}
case_ike_rekey() {
    child_up psk psk-net && ping_b &&
    old=$(grep -o 'initiator-spi=[0-9a-f]*' <<< "$(sas A)") &&
    "$L" swanctl A --rekey --ike psk &&
    sleep 0.3 &&
    new=$(grep -o 'initiator-spi=[0-9a-f]*' <<< "$(sas B)") &&
    [ -n "$new" ] && [ "$old" != "$new" ] &&
    grep -q "$new.*state=ESTABLISHED\|state=ESTABLISHED.*$new" <<< "$(sas A)" &&
    ping_b &&
    # a CREATE_CHILD_SA under the new IKE SA: its keys must be right too
    "$L" swanctl A --rekey --child psk-net && sleep 0.3 && ping_b
}
# Our Endpoint (ikev2-udp) in A; IDs, PSK and selectors match B's `psk`
# connection and interop/conf/b-initiator.swanctl.conf.
ours() { # extra args...
    "$L" exec A "$UDP" --local 10.231.0.1 --psk "ikev2-rs interop lab shared secret" \
        --local-id a.lab --remote-id b.lab --ike aes256gcm16-prfsha256-x25519 --esp aes256gcm16 \
        --local-ts 10.231.1.0/24 --remote-ts 10.231.2.0/24 --json --timeout 15 "$@"
}
# our events and charon's own view: IKE SA ESTABLISHED on 4500, child INSTALLED
ours_up() { # jsonl conn
    grep -q '"event":"ike_sa_established"' "$1" &&
    grep -q '"event":"child_sa_established"' "$1" &&
    grep -q '"event":"child_sa_installed".*"udp_encap":true' "$1" &&
    grep -q "$2 {[^{]*state=ESTABLISHED[^{]*remote-port=4500[^{]*remote-id=a.lab.*state=INSTALLED" <<< "$(sas B)"
}
case_ours_initiator() {
    ours --remote 10.231.0.2 --initiate > "$d/ours.jsonl" && cat "$d/ours.jsonl" &&
    ours_up "$d/ours.jsonl" psk
}
case_ours_responder() {
    (cd "$LAB_RUN/B/swanctl" &&
        "$L" swanctl B --load-all --noprompt --file "$ROOT/interop/conf/b-initiator.swanctl.conf") || return 1
    ours --remote %any --linger 1 > "$d/ours.jsonl" &
    local pid=$! rc=0
    poll_udp() { [ -n "$("$L" exec A ss -Hlun 'sport = :4500')" ]; }
    for _ in $(seq 100); do poll_udp && break; sleep 0.05; done
    "$L" swanctl B --initiate --ike to-ours --child to-ours-net --timeout 10 || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && ours_up "$d/ours.jsonl" to-ours
}
case_ours_cbc_modp() { # AES-CBC/HMAC-SHA-256 and MODP-2048 for IKE and ESP
    ours --remote 10.231.0.2 --initiate --ike aes128-sha256-modp2048 --esp aes128-sha256 \
        > "$d/ours.jsonl" && cat "$d/ours.jsonl" && ours_up "$d/ours.jsonl" psk &&
    grep -q 'encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA2_256_128 prf-alg=PRF_HMAC_SHA2_256 dh-group=MODP_2048' <<< "$(sas B)" &&
    grep -q '"integ":"HmacSha2_256_128"' "$d/ours.jsonl"
}
case_ours_invalid_ke() { # we guess ECP-384, charon prefers MODP-2048: INVALID_KE_PAYLOAD, retry
    ours --remote 10.231.0.2 --initiate --ike aes128-sha256-ecp384-modp2048 --esp aes128gcm16 \
        > "$d/ours.jsonl" && cat "$d/ours.jsonl" && ours_up "$d/ours.jsonl" psk &&
    grep -q 'dh-group=MODP_2048' <<< "$(sas B)"
}
case_ours_bad_psk() { # a wrong PSK: exit 2 with the typed cause, no SA at charon
    local rc=0
    ours --remote 10.231.0.2 --initiate --psk "not the lab secret" > "$d/ours.jsonl" || rc=$?
    cat "$d/ours.jsonl"
    [ $rc = 2 ] && grep -q '"event":"failed","kind":"AuthenticationFailed"' "$d/ours.jsonl" &&
        ! grep -q 'state=ESTABLISHED' <<< "$(sas B)"
}
# IKE_AUTH on 4500 behind the non-ESP marker, decrypted by both tools
ours_capture() {
    grep -q '"dst":"10.231.0.[12]:4500","kind":"ikev2","non_esp_marker":true' "$1" &&
    grep -q '"type":"IDi"' "$1" && [ "$(grep -c '"type":"AUTH"' "$1")" = 2 ]
}
# what the capture must contain beyond agreement: payload type numbers
must_have() { # case jsonl
    case $1 in
        rsa_frag) grep -q '"type":"SKF"' "$2" ;;                       # RFC 7383 fragments
        childless) ! grep -q '"type":"SA","type_value":33[^]]*"protocol":"ESP"' "$2" ;;
        ours_bad_psk) grep -q '"notify":"AUTHENTICATION_FAILED"' "$2" ;;
        ours_invalid_ke) grep -q '"notify":"INVALID_KE_PAYLOAD"' "$2" && ours_capture "$2" ;;
        ours_*) ours_capture "$2" ;;
        rekey) grep -q '"exchange":"CREATE_CHILD_SA"' "$2" && grep -q '"notify":"REKEY_SA"' "$2" ;;
        ike_rekey) grep -q '"protocol":"IKE","protocol_value":1,"spi":"[0-9a-f]' "$2" &&
            [ "$(grep -o '"spi_i":"[0-9a-f]*"' "$2" | sort -u | wc -l)" = 2 ] ;;
        *) grep -q '"kind":"esp"' "$2" ;;
    esac
}

decode() { "$DECODE" --json --ikev2-keys "$1/keys/ikev2_decryption_table" --esp-keys "$1/keys/esp_sa" "$1/capture.pcap"; }
pass=0 fail=0
for c in psk ecdsa rsa_frag childless rekey ike_rekey ours_initiator ours_responder ours_cbc_modp ours_invalid_ke ours_bad_psk; do
    t0=$(date +%s%N)
    d=$OUT/$c
    mkdir -p "$d"
    ok=1
    a=charon; case $c in ours_*) a=none ;; esac   # namespace A is ours
    { "$L" up --a=$a --capture="$d/capture.pcap" && "case_$c"; } > "$d/lab.log" 2>&1 || ok=0
    "$L" capture stop > /dev/null 2>&1 || true
    if [ $ok = 1 ]; then
        # two passes: the first decode reveals the SPIs of rekeyed IKE SAs
        "$L" keys "$d/keys" >> "$d/lab.log" 2>&1 &&
        decode "$d" > "$d/decoded-1.jsonl" 2>> "$d/lab.log" &&
        "$L" keys "$d/keys" "$d/decoded-1.jsonl" >> "$d/lab.log" 2>&1 &&
        decode "$d" > "$d/decoded.jsonl" 2>> "$d/lab.log" &&
        python3 interop/agree.py "$d/capture.pcap" "$d/keys" "$d/decoded.jsonl" > "$d/agree.txt" 2>&1 &&
        must_have "$c" "$d/decoded.jsonl" || ok=0
    fi
    cp "$LAB_RUN"/A/charon.log "$d/charon-a.log" 2>/dev/null || true
    cp "$LAB_RUN"/B/charon.log "$d/charon-b.log" 2>/dev/null || true
    "$L" down > /dev/null 2>&1 || true
    ms=$((($(date +%s%N) - t0) / 1000000))
    if [ $ok = 1 ]; then
        pass=$((pass + 1)); printf 'PASS %-10s %5d ms  %s\n' "$c" "$ms" "$(head -1 "$d/agree.txt")"
    else
        fail=$((fail + 1)); printf 'FAIL %-10s %5d ms  (see %s)\n' "$c" "$ms" "$d"
        tail -n 15 "$d/lab.log" "$d/agree.txt" 2>/dev/null | sed 's/^/    /'
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
