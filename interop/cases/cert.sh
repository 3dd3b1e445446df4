# Certificates beyond auth.sh, our Endpoint (ikev2-udp, $UDP) in A against
# charon in B. Uses `ours`, `sas` and helpers of ours.sh, auth.sh, frag.sh.
# Sourced by scripts/test.d/50-strongswan.sh.
#
# * ours_dn_*: Distinguished Name identities (ID_DER_ASN1_DN, RFC 7296
#   §3.5) both ways, with the ECDSA lab certificates whose subjects they
#   are (interop/pki.sh) and B's interop/conf/b-dn.swanctl.conf. charon
#   must show our DN as the remote identity (so the DER we sent equals what
#   its `id =` text encodes to), our event must show charon's DN as text,
#   and the decoded capture must hold both ID payloads as DER DNs.
# * ours_certfrag_*: charon fragments its RSA-3072 certificate IKE_AUTH
#   towards us (RFC 7383) at charon.fragment_size 576, and we fragment ours
#   at 576 too, with charon as responder and as initiator. Our counters
#   must show several fragments received and the message reassembled; the
#   capture must hold SKF payloads from both sides and both CERTs.
CASES+=(ours_dn_initiator ours_dn_responder ours_certfrag_initiator ours_certfrag_responder)

LAB_DN="C=XX, O=ikev2-rs interop lab, CN"   # interop/pki.sh's subjects
load_b() { # conf file name: B loads only that configuration
    cp "$ROOT/interop/conf/$1" "$LAB_RUN/B/swanctl/" &&
    (cd "$LAB_RUN/B/swanctl" &&
        "$L" swanctl B --load-all --noprompt --file "$LAB_RUN/B/swanctl/$1")
}
listen_a() { # port: wait until ours listens there
    for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun "sport = :$1")" ] && return 0; sleep 0.05; done
    return 1
}
ours_dn() { # extra args...
    local pki=$LAB_RUN/pki
    ours --cert "$pki/x509/a-ecdsa.crt.pem" --key "$pki/private/a-ecdsa.key.pem" \
        --ca "$pki/x509ca/ca-ecdsa.crt.pem" --local-id "$LAB_DN=a.ecdsa.lab" \
        --remote-id "$LAB_DN=b.ecdsa.lab" --ike aes256gcm16-prfsha256-ecp256 --esp aes128gcm16 "$@"
}
# both views: our event names charon's DN, charon's SA names ours
dn_up() { # jsonl conn
    grep '"event":"ike_sa_established"' "$1" | has -F "Dn(DistinguishedName(\\\"$LAB_DN=b.ecdsa.lab\\\"))" &&
    grep -q '"event":"child_sa_established"' "$1" &&
    grep -qF "remote-id=$LAB_DN=a.ecdsa.lab" <<< "$(sas B)" &&
    grep -q "$2 {[^{]*state=ESTABLISHED.*state=INSTALLED" <<< "$(sas B)"
}
case_ours_dn_initiator() {
    load_b b-dn.swanctl.conf || return 1
    ours_dn --remote 10.231.0.2 --initiate > "$d/ours.jsonl"; local rc=$?
    cat "$d/ours.jsonl"; sas B
    [ $rc = 0 ] && dn_up "$d/ours.jsonl" dn
}
case_ours_dn_responder() {
    load_b b-dn.swanctl.conf || return 1
    ours_dn --remote %any --linger 1 > "$d/ours.jsonl" &
    local pid=$! rc=0
    listen_a 500 || rc=1
    "$L" swanctl B --initiate --ike to-ours-dn --child to-ours-dn-net --timeout 10 || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"; sas B
    [ $rc = 0 ] && dn_up "$d/ours.jsonl" to-ours-dn
}
# IDi and IDr on the wire are DER Names (our decoder prints them as text
# only when they parse as DER)
dn_capture() { # IDi and IDr (roles differ by case) carry both DNs
    local side
    for side in a b; do
        grep -q "\"type\":\"ID[ir]\".*\"id_type\":\"ID_DER_ASN1_DN\",\"value\":\"$LAB_DN=$side.ecdsa.lab\"" "$1" ||
            return 1
    done
    [ "$(grep -o '"id_type":"ID_DER_ASN1_DN"' "$1" | wc -l)" -ge 2 ] && cert_capture "$1"
}
must_ours_dn_initiator() { dn_capture "$1"; }
must_ours_dn_responder() { dn_capture "$1"; }

FRAG_CERT=576   # IP datagram octets, ours and charon's
up_ours_certfrag_initiator() { echo "--charon-opt=fragment_size=$FRAG_CERT"; }
up_ours_certfrag_responder() { up_ours_certfrag_initiator; }
# the `fragments` line: at least 3 fragments of charon's IKE_AUTH received,
# one message reassembled, ours sent in fragments too, none refused
certfrag_counted() { # jsonl
    python3 - "$1" <<'PY'
import json, sys
f = [json.loads(l) for l in open(sys.argv[1]) if '"event":"fragments"' in l]
assert f, 'no fragments line'
f = f[-1]
print('fragments:', f)
assert f['received'] >= 3 and f['reassembled'] >= 1 and f['sent'] >= 3, f
assert f['dropped_invalid'] == 0, f
PY
}
case_ours_certfrag_initiator() {
    ours_cert rsa --remote 10.231.0.2 --initiate --fragment-size "$FRAG_CERT" > "$d/ours.jsonl"
    local rc=$?
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && cert_up "$d/ours.jsonl" rsa rsa && certfrag_counted "$d/ours.jsonl"
}
case_ours_certfrag_responder() {
    load_b b-initiator-cert.swanctl.conf || return 1
    ours_cert rsa --remote %any --linger 1 --fragment-size "$FRAG_CERT" > "$d/ours.jsonl" &
    local pid=$! rc=0
    listen_a 500 || rc=1
    "$L" swanctl B --initiate --ike to-ours-rsa --child to-ours-rsa-net --timeout 10 || rc=1
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"
    [ $rc = 0 ] && cert_up "$d/ours.jsonl" to-ours-rsa rsa && certfrag_counted "$d/ours.jsonl"
}
# SKF both ways (frag.sh), both CERTs and AUTHs once reassembled (auth.sh)
must_ours_certfrag_initiator() { frag_both_ways "$1" && cert_capture "$1"; }
must_ours_certfrag_responder() { frag_both_ways "$1" && cert_capture "$1"; }
