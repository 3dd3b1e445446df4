# IKE fragmentation (RFC 7383): our Endpoint (ikev2-udp, $UDP) in namespace A
# against charon in B, both sides with fragment sizes so small that even a
# PSK IKE_AUTH is split into SKF fragments in both directions: ours via
# `--fragment-size`, charon's via `charon.fragment_size`. Each case checks
# charon's view (ESTABLISHED/INSTALLED), our fragment counters, and that the
# capture, decoded by ikev2-decode, holds SKF payloads sent by each side.
# Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_frag_initiator ours_frag_responder)
FRAG_OURS=200   # IP datagram octets: 168 octets of IKE message on UDP 4500
FRAG_CHARON=200
up_ours_frag_initiator() { echo "--charon-opt=fragment_size=$FRAG_CHARON"; }
up_ours_frag_responder() { up_ours_frag_initiator; }
# we sent fragments, received charon's and reassembled its IKE_AUTH message
frag_counted() { # jsonl
    grep -q '"event":"fragments".*"reassembled":1' "$1" &&
    ! grep -q '"event":"fragments".*"sent":0,' "$1" &&
    ! grep -q '"event":"fragments".*"received":0,' "$1"
}
case_ours_frag_initiator() {
    ours --remote 10.231.0.2 --initiate --fragment-size "$FRAG_OURS" > "$d/ours.jsonl" &&
    cat "$d/ours.jsonl" && ours_up "$d/ours.jsonl" psk && frag_counted "$d/ours.jsonl"
}
case_ours_frag_responder() {
    (cd "$LAB_RUN/B/swanctl" &&
        "$L" swanctl B --load-all --noprompt --file "$ROOT/interop/conf/b-initiator.swanctl.conf") || return 1
    ours --remote %any --linger 1 --fragment-size "$FRAG_OURS" > "$d/ours.jsonl" &
    local pid=$! rc=0
    for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :4500')" ] && break; sleep 0.05; done
    "$L" swanctl B --initiate --ike to-ours --child to-ours-net --timeout 10 || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && ours_up "$d/ours.jsonl" to-ours && frag_counted "$d/ours.jsonl"
}
# SKF in both directions of the decoded capture (our decoder reassembles them)
frag_both_ways() { # jsonl
    grep '"type":"SKF"' "$1" | has '"src":"10.231.0.1:4500"' &&
    grep '"type":"SKF"' "$1" | has '"src":"10.231.0.2:4500"' &&
    ours_capture "$1"
}
must_ours_frag_initiator() { frag_both_ways "$1"; }
must_ours_frag_responder() { frag_both_ways "$1"; }
