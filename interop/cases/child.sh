# CREATE_CHILD_SA with our Endpoint (examples' ikev2-udp, $UDP) in A as the
# initiator against charon in B (connection `psk`, child `psk-net`, no rekey
# timers of its own): a second Child SA, Child SA rekeys and IKE SA rekeys
# started by us (`--at SECS:COMMAND`) and by charon (`swanctl --rekey`).
# There is no data plane in ikev2-udp, so each case asserts both views: our
# events and charon's `--list-sas` (new SPIs installed, old ones gone).
# Uses `ours` and `ours_up` from ours.sh. Sourced by
# scripts/test.d/50-strongswan.sh.
CASES+=(ours_create_child ours_rekey_child ours_rekey_child_by_charon ours_rekey_ike ours_rekey_ike_by_charon)

# The value of `key` in the first jsonl line with `"event":"<event>"`.
jfield() { # file event key
    grep -m1 "\"event\":\"$2\"" "$1" | sed -n "s/.*\"$3\":\"\([^\"]*\)\".*/\1/p"
}
# Child SAs charon has INSTALLED under `psk`, as "spi-in/spi-out" lines.
charon_children() {
    sas B | grep -o 'state=INSTALLED[^{}]*' |
        sed -n 's/.*spi-in=\([0-9a-f]*\).*spi-out=\([0-9a-f]*\).*/\1\/\2/p'
}
# Runs ours as initiator in the background for `secs`, waits until charon
# has the IKE SA, runs `cmd...` in B, then waits for ours.
ours_while() { # secs cmd...
    local secs=$1; shift
    ours --remote 10.231.0.2 --initiate --linger "$secs" > "$d/ours.jsonl" &
    local pid=$! rc=0
    for _ in $(seq 100); do grep -q state=ESTABLISHED <<< "$(sas B)" && break; sleep 0.05; done
    sleep 0.5
    "$L" swanctl B "$@" || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    return $rc
}
# After a Child SA rekey: our new SA is charon's only INSTALLED one (its
# spi-in is our spi-out), the old one is gone on both sides.
child_rekeyed() { # jsonl
    local new_in new_out old_in
    new_in=$(jfield "$1" child_sa_rekeyed new_spi_in)
    new_out=$(jfield "$1" child_sa_rekeyed new_spi_out)
    old_in=$(jfield "$1" child_sa_rekeyed old_spi_in)
    [ -n "$new_in" ] && [ -n "$old_in" ] || return 1
    charon_children
    [ "$(charon_children)" = "$new_out/$new_in" ] &&
        grep -q "\"event\":\"child_sa_removed\".*\"spi_in\":\"$old_in\"" "$1"
}
case_ours_create_child() { # a second Child SA of the same configuration
    ours --remote 10.231.0.2 --initiate --linger 3 --at 1:create-child > "$d/ours.jsonl" &&
        cat "$d/ours.jsonl" && ours_up "$d/ours.jsonl" psk &&
        [ "$(grep -c '"event":"child_sa_established"' "$d/ours.jsonl")" = 2 ] &&
        [ "$(charon_children | wc -l)" = 2 ]
}
case_ours_rekey_child() {
    ours --remote 10.231.0.2 --initiate --linger 8 --at 1:rekey-child > "$d/ours.jsonl" &&
        cat "$d/ours.jsonl" && child_rekeyed "$d/ours.jsonl"
}
case_ours_rekey_child_by_charon() {
    ours_while 8 --rekey --child psk-net && child_rekeyed "$d/ours.jsonl"
}
# After an IKE SA rekey: charon's one IKE SA has our new SPIs, the Child SA
# is still INSTALLED under it.
ike_rekeyed() { # jsonl
    local spi_i spi_r
    spi_i=$(jfield "$1" ike_sa_rekeyed spi_i)
    spi_r=$(jfield "$1" ike_sa_rekeyed spi_r)
    [ -n "$spi_i" ] || return 1
    sas B
    [ "$(sas B | grep -o 'state=ESTABLISHED' | wc -l)" = 1 ] &&
        sas B | has "initiator-spi=$spi_i responder-spi=$spi_r.*state=INSTALLED"
}
case_ours_rekey_ike() {
    ours --remote 10.231.0.2 --initiate --linger 4 --at 1:rekey-ike > "$d/ours.jsonl" &&
        cat "$d/ours.jsonl" && ike_rekeyed "$d/ours.jsonl"
}
case_ours_rekey_ike_by_charon() {
    ours_while 4 --rekey --ike psk && ike_rekeyed "$d/ours.jsonl"
}
# CREATE_CHILD_SA on the wire, decoded by both tools.
must_ours_create_child() { grep -q '"exchange":"CREATE_CHILD_SA"' "$1"; }
must_ours_rekey_child() { grep -q '"exchange":"CREATE_CHILD_SA"' "$1"; }
must_ours_rekey_child_by_charon() { grep -q '"exchange":"CREATE_CHILD_SA"' "$1"; }
must_ours_rekey_ike() { grep -q '"exchange":"CREATE_CHILD_SA"' "$1"; }
must_ours_rekey_ike_by_charon() { grep -q '"exchange":"CREATE_CHILD_SA"' "$1"; }
