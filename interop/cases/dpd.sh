# Dead-peer detection (RFC 7296 §2.4): our Endpoint (ikev2-udp, $UDP) in A
# with a liveness check after 1 s of silence, charon in B killed once the
# SAs are up. Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_dpd)
case_ours_dpd() {
    ours --remote 10.231.0.2 --initiate --dpd 1 --retransmit 0.5,2 --linger 20 > "$d/ours.jsonl" &
    local pid=$! rc=0 t0
    for _ in $(seq 200); do grep -q '"event":"child_sa_established"' "$d/ours.jsonl" && break; sleep 0.05; done
    # one liveness check charon answers, then charon dies (SIGKILL: no Delete)
    sleep 1.5
    kill -KILL "$(cat "$LAB_RUN/B/charon.pid")"
    t0=$(date +%s%N)
    wait "$pid" || rc=$?
    echo "ikev2-udp exited $rc after $((($(date +%s%N) - t0) / 1000000)) ms"
    cat "$d/ours.jsonl"
    [ $rc = 4 ] &&
    grep -q '"event":"ike_sa_established"' "$d/ours.jsonl" &&
    grep -q '"event":"peer_dead","exchange":"Informational","peer":"10.231.0.2:4500","retransmits":2' "$d/ours.jsonl"
}
# answered liveness checks before the kill, then one request sent three times
# (first send and two retransmissions) with no response
must_ours_dpd() {
    local req resp
    req=$(grep -c '"exchange":"INFORMATIONAL".*"response":false' "$1")
    resp=$(grep -c '"exchange":"INFORMATIONAL".*"response":true' "$1")
    ours_capture "$1" && [ "$resp" -ge 1 ] && [ "$req" -ge $((resp + 3)) ]
}
