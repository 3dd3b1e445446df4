# INFORMATIONAL (RFC 7296 1.4, 2.4): our Endpoint (ikev2-udp, $UDP, via
# `ours` from ours.sh) in namespace A against charon in B. Deletes of the
# Child SA and of the IKE SA from either side, liveness checks in both
# directions (a killed charon declared dead is `ours_dpd` in dpd.sh). Each
# case checks our events and charon's own view (`swanctl --list-sas`); the
# decoded capture must show the Delete payloads / empty INFORMATIONAL
# exchanges.
# Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_info_delete ours_info_charon_deletes ours_info_dpd ours_info_charon_dpd)

# (ikev2-udp prints JSON objects with their keys in alphabetical order)
info_wait() { # file pattern [tries]: poll (50 ms) until the pattern shows up
    local i
    for ((i = 0; i < ${3:-200}; i++)); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.05; done
    echo "info: no '$2' in $1" >&2; return 1
}
# charon's view of connection `psk`: IKE SA up, with or without its Child SA
b_ike_only() { local s; s=$(sas B); grep -q 'psk {[^{]*state=ESTABLISHED' <<< "$s" && ! grep -q 'state=INSTALLED' <<< "$s"; }
b_none() { ! grep -q 'state=' <<< "$(sas B)"; }
# loads B's configuration again with `dpd_delay` on connection psk
b_dpd() { # delay
    # (in B's swanctl directory: swanctl finds certificates next to the file)
    local f=$LAB_RUN/B/swanctl/b-dpd.conf
    sed "s/^    psk {\$/    psk {\n        dpd_delay = $1/" "$ROOT/interop/conf/b.swanctl.conf" > "$f" &&
    grep -q "dpd_delay = $1" "$f" &&
    (cd "$LAB_RUN/B/swanctl" && "$L" swanctl B --load-all --noprompt --file "$f")
}

case_ours_info_delete() { # we delete the Child SA, then the IKE SA
    ours --remote 10.231.0.2 --initiate --until-down --after 1 delete-child --after 2.5 delete-ike \
        > "$d/ours.jsonl" &
    local pid=$! rc=0
    info_wait "$d/ours.jsonl" '"by_peer":false,"event":"child_sa_deleted"' &&
        b_ike_only || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && grep -q '"event":"child_sa_removed"' "$d/ours.jsonl" &&
        grep -q '"by_peer":false,"event":"ike_sa_deleted"' "$d/ours.jsonl" &&
        grep -q '"child_deletes_sent":1,.*"ike_deletes_sent":1' "$d/ours.jsonl" && b_none
}
case_ours_info_charon_deletes() { # charon deletes the Child SA, then the IKE SA
    ours --remote 10.231.0.2 --initiate --until-down > "$d/ours.jsonl" &
    local pid=$! rc=0
    info_wait "$d/ours.jsonl" '"event":"child_sa_established"' &&
        "$L" swanctl B --terminate --child psk-net --timeout 5 &&
        info_wait "$d/ours.jsonl" '"by_peer":true,"event":"child_sa_deleted"' &&
        b_ike_only &&
        "$L" swanctl B --terminate --ike psk --timeout 5 || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && grep -q '"by_peer":true,"event":"ike_sa_deleted"' "$d/ours.jsonl" &&
        grep -q '"child_deletes_received":1,.*"ike_deletes_received":1' "$d/ours.jsonl" && b_none
}
case_ours_info_dpd() { # our dpd_delay of 1 s: charon answers our checks, the SA stays
    ours --remote 10.231.0.2 --initiate --dpd 1 --linger 3.6 > "$d/ours.jsonl" && cat "$d/ours.jsonl" &&
    grep -q '"event":"info_stats".*"liveness_sent":[3-9]' "$d/ours.jsonl" &&
    ! grep -q '"event":"peer_dead"' "$d/ours.jsonl" &&
    grep -q 'psk {[^{]*state=ESTABLISHED' <<< "$(sas B)"
}
case_ours_info_charon_dpd() { # charon's dpd_delay of 1 s: we answer its checks
    b_dpd 1s || return 1
    ours --remote 10.231.0.2 --initiate --dpd 0 --linger 3.6 > "$d/ours.jsonl" && cat "$d/ours.jsonl" &&
    grep -q '"event":"info_stats".*"liveness_answered":[2-9]' "$d/ours.jsonl" &&
    grep -q '"event":"info_stats".*"liveness_sent":0' "$d/ours.jsonl" &&
    grep -q 'psk {[^{]*state=ESTABLISHED' <<< "$(sas B)"
}
# in the decoded capture: INFORMATIONAL requests from us (A) with a Delete of
# `protocol`, and charon's answer
info_delete_from() { # jsonl src protocol
    grep '"exchange":"INFORMATIONAL"' "$1" | grep "\"src\":\"$2:4500\"" | has "\"type\":\"D\"[^}]*\"protocol\":\"$3\""
}
# empty INFORMATIONAL requests (liveness checks) from src, and answers
info_empty_from() { # jsonl src
    grep '"exchange":"INFORMATIONAL"' "$1" | grep "\"src\":\"$2:4500\"" | grep '"response":false' | has '"inner":\[\]'
}
must_ours_info_delete() {
    info_delete_from "$1" 10.231.0.1 ESP && info_delete_from "$1" 10.231.0.2 ESP &&
    info_delete_from "$1" 10.231.0.1 IKE && ours_capture "$1"
}
must_ours_info_charon_deletes() {
    info_delete_from "$1" 10.231.0.2 ESP && info_delete_from "$1" 10.231.0.1 ESP &&
    info_delete_from "$1" 10.231.0.2 IKE && ours_capture "$1"
}
must_ours_info_dpd() { info_empty_from "$1" 10.231.0.1 && ours_capture "$1"; }
must_ours_info_charon_dpd() { info_empty_from "$1" 10.231.0.2 && ours_capture "$1"; }
