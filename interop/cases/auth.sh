# IKE_SA_INIT and IKE_AUTH features of our Endpoint against charon (issue 5):
# COOKIE in both roles. Uses `ours`, `ours_up`, `ours_capture` from ours.sh.
# Sourced by scripts/test.d/50-strongswan.sh; names start with `ours_` so
# namespace A is left to us.
CASES+=(ours_cookie_initiator ours_cookie_responder)

stat_is() { grep '"event":"stats"' "$1" | grep -q "\"$2\":$3[,}]"; } # jsonl counter value

# charon counts half-open *responder* SAs and asks for cookies from
# `cookie_threshold` of them on (0 turns cookies off). So: restart B with
# threshold 1, leave one half-open SA there with a bare IKE_SA_INIT, and
# our initiator then must go through the COOKIE exchange.
case_ours_cookie_initiator() {
    "$L" down && "$L" up --a=none --capture="$d/capture.pcap" --charon-opt='cookie_threshold = 1' &&
    "$L" exec A python3 "$ROOT/interop/ike_init_probe.py" 10.231.0.2 10.231.0.1 &&
    ours --remote 10.231.0.2 --initiate > "$d/ours.jsonl" && cat "$d/ours.jsonl" &&
    ours_up "$d/ours.jsonl" psk &&
    stat_is "$d/ours.jsonl" cookie_restarts 1
}
# charon initiates; we demand a cookie of everyone (threshold 0)
case_ours_cookie_responder() {
    (cd "$LAB_RUN/B/swanctl" &&
        "$L" swanctl B --load-all --noprompt --file "$ROOT/interop/conf/b-initiator.swanctl.conf") || return 1
    ours --remote %any --linger 1 --cookie-threshold 0 > "$d/ours.jsonl" &
    local pid=$! rc=0
    poll_udp() { [ -n "$("$L" exec A ss -Hlun 'sport = :4500')" ]; }
    for _ in $(seq 100); do poll_udp && break; sleep 0.05; done
    "$L" swanctl B --initiate --ike to-ours --child to-ours-net --timeout 10 || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && ours_up "$d/ours.jsonl" to-ours &&
    stat_is "$d/ours.jsonl" cookies_sent 1 && stat_is "$d/ours.jsonl" cookies_verified 1
}
# the COOKIE notify went out, and came back first in the retried request
cookie_capture() { [ "$(grep -c '"notify":"COOKIE"' "$1")" -ge 2 ] && ours_capture "$1"; }
must_ours_cookie_initiator() { cookie_capture "$1"; }
must_ours_cookie_responder() { cookie_capture "$1"; }
