# INITIAL_CONTACT (RFC 7296 §2.4): a peer that lost its state (crashed,
# rebooted) says so in its first IKE_AUTH, and the other side drops the IKE
# SAs it still holds for that identity. Both directions against charon:
# our endpoint restarted after a SIGKILL (no Delete sent) and charon
# replacing its stale SA (ours_initial_contact); charon forgetting its SA
# without telling us and our endpoint removing the stale one when charon
# comes back (ours_initial_contact_by_charon). Without INITIAL_CONTACT both
# sides would keep a dead duplicate IKE SA until its liveness checks fail.
# Sourced by scripts/test.d/50-strongswan.sh.

# charon's established IKE SAs of connection $1 (raw list: one per line)
ic_count() { grep -o "$1 {[^{]*state=ESTABLISHED" <<< "$(sas B)" | wc -l; }

# B's connections say `unique = never` (other cases run SAs side by side),
# which makes charon ignore INITIAL_CONTACT; this loads them with charon's
# default, `unique = no`, under which INITIAL_CONTACT replaces old SAs.
ic_unique_no() {
    local f=$LAB_RUN/B/swanctl/b-unique-no.conf
    sed 's/unique = never/unique = no/' "$ROOT/interop/conf/b.swanctl.conf" > "$f" &&
        ! grep -q 'unique = never' "$f" &&
        (cd "$LAB_RUN/B/swanctl" && "$L" swanctl B --load-all --noprompt --file "$f")
}

CASES+=(ours_initial_contact)
case_ours_initial_contact() {
    ic_unique_no > /dev/null || return 1
    ours --remote 10.231.0.2 --initiate --linger 30 > "$d/first.jsonl" &
    local pid=$!
    info_wait "$d/first.jsonl" '"event":"child_sa_established"' || return 1
    pkill -KILL -x ikev2-udp; wait "$pid" 2> /dev/null
    [ "$(ic_count psk)" = 1 ] || { echo "charon lacks the first IKE SA"; return 1; }
    ours --remote 10.231.0.2 --initiate --linger 0.5 > "$d/ours.jsonl" || return 1
    cat "$d/first.jsonl" "$d/ours.jsonl"
    sas B
    local spi
    spi=$(grep -o '"event":"ike_sa_established"[^}]*' "$d/ours.jsonl" | grep -o '"spi_i":"[0-9a-f]*"' | cut -d'"' -f4)
    # exactly one IKE SA left at charon, and it is the new one
    [ -n "$spi" ] && [ "$(ic_count psk)" = 1 ] &&
        grep -q "psk {[^{]*state=ESTABLISHED[^{]*initiator-spi=$spi" <<< "$(sas B)" &&
        grep -q "destroying duplicate IKE_SA for peer 'a.lab', received INITIAL_CONTACT" "$LAB_RUN/B/charon.log"
}
# two IKE_AUTH exchanges on 4500, INITIAL_CONTACT in them (decoded by both tools)
ic_capture() {
    grep -q '"dst":"10.231.0.[12]:4500","kind":"ikev2","non_esp_marker":true' "$1" &&
        [ "$(grep -c '"type":"AUTH"' "$1")" = 4 ] && grep -q 'INITIAL_CONTACT' "$1"
}
must_ours_initial_contact() { ic_capture "$1"; }

CASES+=(ours_initial_contact_by_charon)
case_ours_initial_contact_by_charon() {
    (cd "$LAB_RUN/B/swanctl" &&
        "$L" swanctl B --load-all --noprompt --file "$ROOT/interop/conf/b-initiator.swanctl.conf") || return 1
    ours --remote %any --linger 4 > "$d/ours.jsonl" &
    local pid=$! rc=0
    for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :4500')" ] && break; sleep 0.05; done
    "$L" swanctl B --initiate --ike to-ours --child to-ours-net --timeout 10 || { echo "first initiate"; rc=1; }
    # charon forgets its IKE SA while the link is down: its Delete is lost
    "$L" exec B ip link set "${LAB}b" down
    "$L" swanctl B --terminate --ike to-ours --force --timeout 1 > /dev/null 2>&1
    "$L" exec B ip link set "${LAB}b" up
    b_none || { echo "charon kept its IKE SA"; rc=1; }
    grep -q '"event":"ike_sa_deleted"' "$d/ours.jsonl" && { echo "the Delete was not lost"; rc=1; }
    "$L" swanctl B --initiate --ike to-ours --child to-ours-net --timeout 10 || { echo "second initiate"; rc=1; }
    wait "$pid" || { echo "ikev2-udp exited $?"; rc=1; }
    cat "$d/ours.jsonl"
    # our endpoint saw INITIAL_CONTACT and removed the stale SA and its child
    [ $rc = 0 ] && [ "$(grep -c '"event":"ike_sa_established"' "$d/ours.jsonl")" = 2 ] &&
        grep -q '"event":"InitialContact { peer_id: Fqdn(\\"b.lab\\"), replaced: 1 }"' "$d/ours.jsonl" &&
        grep -q '"event":"child_sa_removed"' "$d/ours.jsonl"
}
must_ours_initial_contact_by_charon() { ic_capture "$1"; }
