# Our Endpoint (examples' ikev2-udp, $UDP) in namespace A against charon in B.
# Case names start with `ours_`: the lab then starts no charon in A.
# Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_initiator ours_responder ours_cbc_modp ours_invalid_ke ours_invalid_ke_responder ours_bad_psk)
# IDs, PSK and selectors match B's `psk`
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
case_ours_invalid_ke_responder() { # charon guesses X25519, we accept only MODP-2048: we send
    # INVALID_KE_PAYLOAD naming MODP_2048 and charon retries with it (B's
    # connection from interop/conf/b-matrix.swanctl.conf.in, see matrix.sh)
    local d_ike=aes256gcm16-prfsha256
    mx_render "$d_ike-x25519-modp2048" aes256gcm16 10.231.0.1 || return 1
    ours --remote %any --linger 0.3 --ike "$d_ike-modp2048" > "$d/ours.jsonl" &
    local pid=$! rc=0
    for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :4500')" ] && break; sleep 0.05; done
    "$L" swanctl B --initiate --ike mx --child mx-net --timeout 10 || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && ours_up "$d/ours.jsonl" mx && grep -q 'dh-group=MODP_2048' <<< "$(sas B)"
}
case_ours_bad_psk() { # a wrong PSK: exit 2 with the typed cause, no SA at charon
    local rc=0
    ours --remote 10.231.0.2 --initiate --psk "not the lab secret" > "$d/ours.jsonl" || rc=$?
    cat "$d/ours.jsonl"
    [ $rc = 2 ] && grep -q '"event":"failed","kind":"AuthenticationFailed"' "$d/ours.jsonl" &&
        ! grep -q 'state=ESTABLISHED' <<< "$(sas B)"
}
# IKE_AUTH on 4500 behind the non-ESP marker, decrypted by both tools
# IKE_AUTH on 4500 behind the non-ESP marker, decrypted by both tools
ours_capture() {
    grep -q '"dst":"10.231.0.[12]:4500","kind":"ikev2","non_esp_marker":true' "$1" &&
    grep -q '"type":"IDi"' "$1" && [ "$(grep -c '"type":"AUTH"' "$1")" = 2 ]
}
must_ours_initiator() { ours_capture "$1"; }
must_ours_responder() { ours_capture "$1"; }
must_ours_cbc_modp() { ours_capture "$1"; }
must_ours_bad_psk() { grep -q '"notify":"AUTHENTICATION_FAILED"' "$1"; }
must_ours_invalid_ke_responder() { must_ours_invalid_ke "$1"; }
must_ours_invalid_ke() { grep -q '"notify":"INVALID_KE_PAYLOAD"' "$1" && ours_capture "$1"; }
