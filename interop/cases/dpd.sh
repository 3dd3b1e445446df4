# Dead-peer detection (RFC 7296 §2.4): our Endpoint (ikev2-udp, $UDP) in A
# with a liveness check after 1 s of silence, charon in B killed once the
# SAs are up (ours_dpd), and charon finding us dead (ours_dpd_by_charon).
# Sourced by scripts/test.d/50-strongswan.sh.
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

# The other direction: charon (dpd_delay 1 s, retransmissions shortened to
# 0.5 s x 2 through --charon-opt) finds our endpoint dead after we are
# SIGKILLed, and clears its IKE SA. b_dpd and b_none come from info.sh.
# Waits (at most 6 s) until charon has sent its first liveness check, then
# a moment for the answer: it comes 1-2 s after the last traffic, so a fixed
# sleep before killing our side can come too early under load.
charon_dpd_sent() {
    local i
    for ((i = 0; i < 60; i++)); do
        grep -q 'sending DPD request' "$LAB_RUN/B/charon.log" && break
        sleep 0.1
    done
    sleep 0.3
}
CASES+=(ours_dpd_by_charon)
up_ours_dpd_by_charon() { echo "--charon-opt=retransmit_timeout=0.5 --charon-opt=retransmit_tries=2"; }
case_ours_dpd_by_charon() {
    b_dpd 1s || return 1
    ours --remote 10.231.0.2 --initiate --dpd 0 --linger 30 > "$d/ours.jsonl" &
    local pid=$!
    info_wait "$d/ours.jsonl" '"event":"child_sa_established"' || return 1
    charon_dpd_sent
    local i
    grep -q 'psk {[^{]*state=ESTABLISHED' <<< "$(sas B)" || return 1
    pkill -KILL -x ikev2-udp
    wait "$pid" 2> /dev/null
    for ((i = 0; i < 100; i++)); do b_none && break; sleep 0.1; done
    cat "$d/ours.jsonl"
    b_none && grep -q 'giving up after 2 retransmits' "$LAB_RUN/B/charon.log"
}
# charon's liveness checks: some answered before the kill, then one request
# from B sent three times with no answer
must_ours_dpd_by_charon() {
    local req resp
    req=$(grep '"exchange":"INFORMATIONAL"' "$1" | grep '"src":"10.231.0.2:4500"' | grep -c '"response":false')
    resp=$(grep '"exchange":"INFORMATIONAL"' "$1" | grep '"src":"10.231.0.1:4500"' | grep -c '"response":true')
    ours_capture "$1" && [ "$resp" -ge 1 ] && [ "$req" -ge $((resp + 3)) ]
}
