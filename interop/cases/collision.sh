# Forced rekey collisions (RFC 7296 §2.8) between our Endpoint (ikev2-udp,
# $UDP) in A and charon in B (connection `psk`, child `psk-net`): both
# sides rekey the same SA at the same moment. This kernel has no `netem`
# qdisc, so the slow link is in front of us: `--rx-delay 600` holds every
# datagram we receive for 600 ms. Charon's rekey (`swanctl --rekey`) is
# started 50-450 ms before ours (`--at`), so each side receives the
# other's request while its own is outstanding and both resolve the
# collision by the nonces, with no retry. Asserted from both views: our
# `rekey_collision` line and charon's log agree on who won; afterwards
# charon has exactly one IKE SA and one INSTALLED Child SA, the same SPIs as
# the ones our events leave us with; and a Child SA rekey under the
# survivor (`--at 4.5:rekey-child`) still completes.
# Uses `ours` (ours.sh) and `jfield`, `charon_children` (child.sh).
# Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_ike_rekey_collision ours_child_rekey_collision)

# Runs ours with `--at 2:<what>` and the follow-up rekey, and charon's
# `swanctl --rekey <args...>` 1.55 s after ours is up plus swanctl's own
# start-up time (so 0.05-0.45 s before ours fires, inside the 0.6 s window).
collide() { # what swanctl-args...
    local what=$1; shift
    ours --remote 10.231.0.2 --initiate --rx-delay 600 --linger 8 \
        --key-log "$LAB_RUN/A/ikev2-keys" --at "2:$what" --at 4.5:rekey-child > "$d/ours.jsonl" &
    local pid=$! rc=0
    for _ in $(seq 400); do grep -q '"event":"child_sa_established"' "$d/ours.jsonl" && break; sleep 0.02; done
    sleep 1.55
    "$L" swanctl B --rekey "$@" || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    return $rc
}
# The last value of `key` in the lines with `"event":"<event>"`.
jlast() { # file event key
    grep "\"event\":\"$2\"" "$1" | tail -1 | sed -n "s/.*\"$3\":\"\([^\"]*\)\".*/\1/p"
}
# Our Child SA pair in use, as "spi-out/spi-in": installed, neither removed
# nor replaced by a rekey (a replaced one keeps its inbound SA a few seconds
# for packets in flight; charon lists it DELETED meanwhile).
ours_children() { # jsonl
    local spi
    for spi in $(sed -n 's/.*"event":"child_sa_installed".*"spi_in":"\([0-9a-f]*\)".*/\1/p' "$1"); do
        grep -q "\"event\":\"child_sa_removed\".*\"spi_in\":\"$spi\"" "$1" && continue
        grep -q "\"event\":\"child_sa_rekeyed\".*\"old_spi_in\":\"$spi\"" "$1" && continue
        grep "\"event\":\"child_sa_installed\".*\"spi_in\":\"$spi\"" "$1" |
            sed -n 's/.*"spi_in":"\([0-9a-f]*\)","spi_out":"\([0-9a-f]*\)".*/\2\/\1/p'
    done
}
# One nonce-resolved collision, the same winner in our line and in charon's log.
collided() { # jsonl kind(simultaneous_ike_rekey|simultaneous_rekey) charon-pattern
    local won
    won=$(grep -m1 "\"collision\":\"$2\"" "$1" | sed -n 's/.*"we_won":\(true\|false\).*/\1/p')
    [ -n "$won" ] || { echo "no $2 line"; return 1; }
    # charon's view is the other side's
    if [ "$won" = true ]; then grep -q "$3 collision lost" "$LAB_RUN/B/charon.log"
    else grep -q "$3 collision won" "$LAB_RUN/B/charon.log"; fi || { echo "charon disagrees (we_won=$won)"; return 1; }
    ! grep -q '"collision":"retry_after"' "$1"
}
# Exactly one IKE SA at charon, with the SPIs our last rekey event names, and
# exactly one Child SA pair, the one we still have; the follow-up rekey ran.
one_of_each() { # jsonl
    local spi_i spi_r ours_c charon_c
    spi_i=$(jlast "$1" ike_sa_rekeyed spi_i)
    spi_r=$(jlast "$1" ike_sa_rekeyed spi_r)
    [ -n "$spi_i" ] || spi_i=$(jfield "$1" ike_sa_established spi_i)
    [ -n "$spi_r" ] || spi_r=$(jfield "$1" ike_sa_established spi_r)
    sas B
    [ "$(sas B | grep -o 'state=ESTABLISHED' | wc -l)" = 1 ] || { echo "charon: not one IKE SA"; return 1; }
    sas B | has "initiator-spi=$spi_i responder-spi=$spi_r" || { echo "charon: not our IKE SA $spi_i/$spi_r"; return 1; }
    ours_c=$(ours_children "$1")
    charon_c=$(charon_children)
    echo "ours: $ours_c charon: $charon_c"
    [ "$(wc -l <<< "$ours_c")" = 1 ] && [ -n "$ours_c" ] && [ "$ours_c" = "$charon_c" ] &&
        grep -q '"command":"rekey-child","error":null,"event":"command","ok":true' "$1" &&
        [ "$(grep -c '"event":"child_sa_rekeyed"' "$1")" -ge 1 ]
}
case_ours_ike_rekey_collision() {
    collide rekey-ike --ike psk &&
        collided "$d/ours.jsonl" simultaneous_ike_rekey "IKE_SA rekey" &&
        one_of_each "$d/ours.jsonl"
}
case_ours_child_rekey_collision() {
    collide rekey-child --child psk-net &&
        collided "$d/ours.jsonl" simultaneous_rekey "CHILD_SA rekey" &&
        one_of_each "$d/ours.jsonl"
}
must_ours_ike_rekey_collision() {
    # three new IKE SAs on the wire: ours, charon's and the first one
    [ "$(grep -o '"spi_i":"[0-9a-f]*"' "$1" | sort -u | wc -l)" -ge 3 ]
}
must_ours_child_rekey_collision() { grep -q '"notify":"REKEY_SA"' "$1"; }
