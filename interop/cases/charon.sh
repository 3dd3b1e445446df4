# Cases with strongSwan charon on both sides of the lab: they prove the lab,
# the captures and our decoder against tshark. Sourced by
# scripts/test.d/50-strongswan.sh (see interop/README.md for the contract).
CASES+=(psk ecdsa rsa_frag childless rekey ike_rekey)
case_psk() { child_up psk psk-net && ping_b; }
case_ecdsa() {
    child_up ecdsa ecdsa-net && ping_b &&
    grep -q 'remote-id=a.ecdsa.lab' <<< "$(sas B)"
}
case_rsa_frag() {
    child_up rsa rsa-net && ping_b &&
    grep -q 'remote-id=a.rsa.lab' <<< "$(sas B)"
}
case_childless() {
    "$L" initiate childless &&
    grep -q 'state=ESTABLISHED' <<< "$(sas B)" &&
    ! grep -q 'child-sas {[^}]' <<< "$(sas B)"
}
case_rekey() {
    child_up psk psk-net && ping_b &&
    "$L" swanctl A --rekey --child psk-net &&
    sleep 0.3 &&
    grep -q 'psk-net-2 {[^}]*state=INSTALLED' <<< "$(sas A)" &&
    grep -q 'state=INSTALLED' <<< "$(sas B)" &&
    ping_b
}
case_ike_rekey() {
    child_up psk psk-net && ping_b &&
    old=$(grep -o 'initiator-spi=[0-9a-f]*' <<< "$(sas A)") &&
    "$L" swanctl A --rekey --ike psk &&
    sleep 0.3 &&
    new=$(grep -o 'initiator-spi=[0-9a-f]*' <<< "$(sas B)") &&
    [ -n "$new" ] && [ "$old" != "$new" ] &&
    grep -q "$new.*state=ESTABLISHED\|state=ESTABLISHED.*$new" <<< "$(sas A)" &&
    ping_b &&
    # a CREATE_CHILD_SA under the new IKE SA: its keys must be right too
    "$L" swanctl A --rekey --child psk-net && sleep 0.3 && ping_b
}
must_rsa_frag() { grep -q '"type":"SKF"' "$1"; }                 # RFC 7383 fragments
must_childless() { ! grep -q '"type":"SA","type_value":33[^]]*"protocol":"ESP"' "$1"; }
must_rekey() { grep -q '"exchange":"CREATE_CHILD_SA"' "$1" && grep -q '"notify":"REKEY_SA"' "$1"; }
must_ike_rekey() {
    grep -q '"protocol":"IKE","protocol_value":1,"spi":"[0-9a-f]' "$1" &&
        [ "$(grep -o '"spi_i":"[0-9a-f]*"' "$1" | sort -u | wc -l)" = 2 ]
}
