# Reauthentication, make-before-break, against charon in both directions:
# our Endpoint (ikev2-udp in A) reauthenticates toward charon
# (`--at 1:reauth`): a second IKE_SA_INIT and IKE_AUTH without
# INITIAL_CONTACT, the Child SA recreated, then the old IKE SA deleted;
# charon must end with one IKE SA carrying our new SPIs and an INSTALLED
# child, and a liveness check on the new IKE SA must be answered. Then
# charon reauthenticates toward us (`reauth_time` short,
# `make_before_break = yes`): our events must show the second IKE SA and its
# Child SA up before charon deletes the old IKE SA, whose Child SA alone is
# removed. Uses `ours`, `jfield` and `info_wait` (ours.sh, child.sh,
# info.sh). Sourced by scripts/test.d/50-strongswan.sh.

# IKE SAs charon holds for connection $1 in state ESTABLISHED
ra_count() { grep -o "$1 {[^{]*state=ESTABLISHED" <<< "$(sas B)" | wc -l; }

CASES+=(ours_reauth)
case_ours_reauth() {
    # reauthenticate 1 s after up; a liveness check on the (followed) new IKE
    # SA at 2.5 s with a short retransmission schedule: unanswered, it
    # would end the run as peer_dead (exit 4) before the linger is over
    ours --remote 10.231.0.2 --initiate --linger 6 --retransmit 0.5,2 \
        --at 1:reauth --after 2.5 dpd > "$d/ours.jsonl" || { cat "$d/ours.jsonl"; return 1; }
    cat "$d/ours.jsonl"
    sas B
    local old_i new_i new_r old_child
    old_i=$(jfield "$d/ours.jsonl" ike_sa_established spi_i)
    new_i=$(jfield "$d/ours.jsonl" ike_sa_reauthenticated spi_i)
    new_r=$(jfield "$d/ours.jsonl" ike_sa_reauthenticated spi_r)
    old_child=$(jfield "$d/ours.jsonl" child_sa_installed spi_in)
    [ -n "$new_i" ] && [ -n "$old_i" ] && [ "$new_i" != "$old_i" ] || { echo "no new IKE SA"; return 1; }
    grep -q '"event":"ike_sa_reauthenticated".*"missing":\[\]' "$d/ours.jsonl" || { echo "children missing"; return 1; }
    # the child recreated (two installs), the old one removed after
    [ "$(grep -c '"event":"child_sa_installed"' "$d/ours.jsonl")" = 2 ] &&
        grep -q "\"event\":\"child_sa_removed\".*\"spi_in\":\"$old_child\"" "$d/ours.jsonl" &&
        [ "$(grep -c '"event":"child_sa_removed"' "$d/ours.jsonl")" = 1 ] || { echo "children"; return 1; }
    grep -q '"by_peer":false,"event":"ike_sa_deleted"' "$d/ours.jsonl" || { echo "old not deleted"; return 1; }
    grep -q '"command":"dpd","event":"command","result":"ok"' "$d/ours.jsonl" &&
        grep -q '"liveness_sent":1' "$d/ours.jsonl" || { echo "liveness check"; return 1; }
    # charon: one IKE SA, ours with the new SPIs, its child INSTALLED
    [ "$(ra_count psk)" = 1 ] &&
        grep -q "psk {[^{]*state=ESTABLISHED[^{]*initiator-spi=$new_i responder-spi=$new_r.*state=INSTALLED" <<< "$(sas B)" &&
        ! grep -q "initiator-spi=$old_i" <<< "$(sas B)" || { echo "charon's view"; return 1; }
}
# two IKE_SA_INIT/IKE_AUTH pairs; INITIAL_CONTACT only in the first IKE_AUTH
must_ours_reauth() {
    [ "$(grep -c '"type":"AUTH"' "$1")" = 4 ] && [ "$(grep -c 'INITIAL_CONTACT' "$1")" = 1 ] &&
        grep -q '"kind":"ikev2","non_esp_marker":true' "$1"
}

CASES+=(ours_reauth_by_charon)
up_ours_reauth_by_charon() { echo "--charon-opt=make_before_break=yes"; }
# charon in B as initiator towards us, reauthenticating $1 s after its IKE
# SA is up (no jitter, no rekey)
charon_reauths() {
    local f=$LAB_RUN/B/swanctl/b-reauth.conf
    sed "s/^        rekey_time = 0\$/        rekey_time = 0\n        reauth_time = $1s\n        over_time = 60s\n        rand_time = 0/" \
        "$ROOT/interop/conf/b-initiator.swanctl.conf" > "$f" && grep -q "reauth_time = $1s" "$f" &&
        (cd "$LAB_RUN/B/swanctl" && "$L" swanctl B --load-all --noprompt --file "$f")
}
# runs `ours --remote %any "$@"` in the background, has charon initiate to it
# and waits for it; its events in $d/ours.jsonl
ours_initiated_by_charon() {
    ours --remote %any "$@" > "$d/ours.jsonl" &
    local pid=$! rc=0
    for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :4500')" ] && break; sleep 0.05; done
    "$L" swanctl B --initiate --ike to-ours --child to-ours-net --timeout 10 || { echo "initiate"; rc=1; }
    wait "$pid" || { echo "ikev2-udp exited $?"; rc=1; }
    return $rc
}
case_ours_reauth_by_charon() {
    # once before we exit 6.5 s after the first IKE SA is up
    charon_reauths 4 || return 1
    local rc=0
    ours_initiated_by_charon --linger 6.5 || rc=1
    cat "$d/ours.jsonl"
    sas B
    [ $rc = 0 ] || return 1
    # our view: two IKE SAs, two Child SAs; the old IKE SA deleted by charon
    # only after the new child was up; exactly the old child removed
    local ev first_child
    ev=$(grep -o '"event":"[a-z_]*"' "$d/ours.jsonl" | cut -d'"' -f4 | tr '\n' ' ')
    echo "events: $ev"
    [ "$(grep -c '"event":"ike_sa_established"' "$d/ours.jsonl")" = 2 ] &&
        [ "$(grep -c '"event":"child_sa_established"' "$d/ours.jsonl")" = 2 ] || { echo "not reauthenticated"; return 1; }
    grep -q 'ike_sa_established .*child_sa_established .*ike_sa_established .*child_sa_established .*ike_sa_deleted' <<< "$ev" ||
        { echo "order: old deleted before the new child was up"; return 1; }
    grep -q '"by_peer":true,"event":"ike_sa_deleted"' "$d/ours.jsonl" || { echo "no delete by charon"; return 1; }
    first_child=$(jfield "$d/ours.jsonl" child_sa_installed spi_in)
    [ "$(grep -c '"event":"child_sa_removed"' "$d/ours.jsonl")" = 1 ] &&
        grep -q "\"event\":\"child_sa_removed\".*\"spi_in\":\"$first_child\"" "$d/ours.jsonl" || { echo "wrong child removed"; return 1; }
    ! grep -q '"event":"failed"' "$d/ours.jsonl" || return 1
    # charon: one IKE SA left (the second one), child INSTALLED; it said why
    [ "$(ra_count to-ours)" = 1 ] && grep -q 'state=INSTALLED' <<< "$(sas B)" &&
        grep -qi 'reauthenticat' "$LAB_RUN/B/charon.log" || { echo "charon's view"; return 1; }
}
must_ours_reauth_by_charon() {
    [ "$(grep -c '"type":"AUTH"' "$1")" = 4 ] && grep -q '"kind":"ikev2","non_esp_marker":true' "$1"
}

# Both ends reauthenticate the same IKE SA at once (sa/reauth_collision.rs):
# charon 6 s after its IKE SA is up (`reauth_time`, `make_before_break`),
# we 6 s after ours (`--at 6:reauth`), every datagram held 300 ms on our
# side so the two reauthentications overlap; we exit 11 s after up, before
# charon reauthenticates the survivor (6 s after it is up, about 12.6 s).
# Our retransmission schedule (`--retransmit 0.5,2`, 3 s in all) is the
# collision window: when ours completes first, loses, and we deleted the
# old SA ourselves, nothing from charon says its SA is complete, so we
# delete ours at the end of that window (about 9.6 s); with 0.5,3 (5.9 s)
# that came after our exit and a CI run failed. charon does not settle the
# collision by our nonce rule (it keeps duplicates, `unique = no`), so the
# end state is what our fallbacks give: if our new IKE SA wins, we delete
# charon's new one with the old one once ours is complete; if charon's
# wins, charon deletes the old one and we delete our redundant one a
# retransmission timeout later. Either way: one IKE SA on each side, the
# same SPIs, its Child SA INSTALLED, and our events say which won.
CASES+=(ours_reauth_simultaneous)
up_ours_reauth_simultaneous() { echo "--charon-opt=make_before_break=yes"; }
case_ours_reauth_simultaneous() {
    charon_reauths 6 || return 1
    local rc=0
    ours_initiated_by_charon --linger 11 --rx-delay 300 --retransmit 0.5,2 --at 6:reauth || rc=1
    cat "$d/ours.jsonl"
    sas B
    grep -iE 'reauth|deleting IKE_SA|duplicate|uniqueness' "$LAB_RUN/B/charon.log" | tail -n 20
    [ $rc = 0 ] || return 1
    grep -q '"event":"simultaneous_reauth"' "$d/ours.jsonl" || { echo "no collision seen"; return 1; }
    grep -m1 '"event":"simultaneous_reauth"' "$d/ours.jsonl"
    local si sr
    si=$(jfield "$d/ours.jsonl" simultaneous_reauth survivor_spi_i)
    sr=$(jfield "$d/ours.jsonl" simultaneous_reauth survivor_spi_r)
    # we follow the survivor: the last reauthenticated line names it (when
    # ours completed before the collision was decided, an earlier one
    # named ours)
    local last
    last=$(grep '"event":"ike_sa_reauthenticated"' "$d/ours.jsonl" | tail -n 1 |
        sed -n 's/.*"spi_i":"\([0-9a-f]*\)".*/\1/p')
    [ "$last" = "$si" ] || { echo "not followed ($last, survivor $si)"; return 1; }
    ! grep -q '"event":"failed"' "$d/ours.jsonl" || return 1
    # charon: exactly one IKE SA, the survivor, with its child
    [ "$(ra_count to-ours)" = 1 ] &&
        grep -q "to-ours {[^{]*state=ESTABLISHED[^{]*initiator-spi=$si responder-spi=$sr.*state=INSTALLED" <<< "$(sas B)" ||
        { echo "charon's view"; return 1; }
}
must_ours_reauth_simultaneous() {
    # three IKE_AUTH exchanges: the first IKE SA and both reauthentications
    [ "$(grep -c '"type":"AUTH"' "$1")" = 6 ] && grep -q '"kind":"ikev2","non_esp_marker":true' "$1"
}
