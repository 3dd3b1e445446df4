# ikev2-peer ($PEER: tokio, TOML configuration, userspace ESP over a TUN
# device) in namespace A against charon in B, with traffic through the
# tunnel: pings and a TCP transfer (interop/tcp.py) both ways, our events,
# our --status counters and charon's own view (bytes in and out of its
# Child SA). Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_peer_i_gcm ours_peer_r_cbc)
# peer_conf START IKE ESP [CERT-TYPE]: A's configuration (ids and selectors
# of the lab): the lab's PSK, or with CERT-TYPE (ecdsa, rsa) A's certificate,
# key and CA from the lab PKI (interop/pki.sh). Extra lines, when set:
# PEER_SETTINGS in [settings], PEER_CONN in the connection, PEER_CHILD in
# its child `net`; PEER_NET2_TS adds a second child `net2` with that
# remote_ts (peer_rekey.sh).
peer_conf() {
    local pki=$LAB_RUN/pki t=${4:-}
    local auth_l='{ auth = "psk", id = "a.lab" }' auth_r='{ auth = "psk", id = "b.lab" }'
    local secret='[secrets.ike-lab]
id = ["a.lab", "b.lab"]
secret = "ikev2-rs interop lab shared secret"'
    if [ -n "$t" ]; then
        auth_l="{ auth = \"pubkey\", id = \"a.$t.lab\", certs = \"$pki/x509/a-$t.crt.pem\" }"
        auth_r="{ auth = \"pubkey\", id = \"b.$t.lab\", cacerts = \"$pki/x509ca/ca-$t.crt.pem\" }"
        secret="[secrets.private-a]
file = \"$pki/private/a-$t.key.pem\""
    fi
    cat <<EOC
[settings]
control_socket = "$d/peer.sock"
${PEER_SETTINGS:-}

[dataplane]
type = "userspace"
tun = "ik2tun"
address = "10.231.1.1/32"

[connections.lab]
local_addrs = ["10.231.0.1"]
remote_addrs = ["10.231.0.2"]
proposals = "$2"
local = $auth_l
remote = $auth_r
${PEER_CONN:-}

[connections.lab.children.net]
local_ts = "10.231.1.0/24"
remote_ts = "10.231.2.0/24"
esp_proposals = "$3"
start_action = "$1"
${PEER_CHILD:-}
EOC
    [ -n "${PEER_NET2_TS:-}" ] && cat <<EOC

[connections.lab.children.net2]
local_ts = "10.231.1.0/24"
remote_ts = "$PEER_NET2_TS"
esp_proposals = "$3"
start_action = "$1"
EOC
    printf '\n%s\n' "$secret"
}
# traffic both ways through the tunnel: pings, then 256 KiB over TCP each way
peer_traffic() {
    "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.2.1 &&
    "$L" exec B ping -c 3 -i 0.2 -W 2 -I 10.231.2.1 10.231.1.1 &&
    tcp_one B 10.231.2.1 A && tcp_one A 10.231.1.1 B
}
tcp_one() { # server-side server-address client-side [bytes [client-address]]
    local srv rc=0
    "$L" exec "$1" python3 "$ROOT/interop/tcp.py" serve "$2" 5001 > "$d/tcp-$1.out" 2>&1 &
    srv=$!
    for _ in $(seq 100); do grep -q listening "$d/tcp-$1.out" && break; sleep 0.05; done
    "$L" exec "$3" python3 "$ROOT/interop/tcp.py" send "$2" 5001 "${4:-262144}" ${5:+"$5"} || rc=1
    wait "$srv" || rc=1
    return $rc
}
# peer_case ROLE IKE ESP CHARON-VIEW: one case (ROLE i: we initiate)
peer_case() {
    local start=start
    [ "$1" = r ] && start=none
    peer_conf "$start" "$2" "$3" > "$d/peer.toml"
    if [ "$1" = r ]; then # charon initiates: B's `mx`, rendered for these algorithms
        mx_render "$2" "$3" 10.231.0.1
    fi
    peer_run "$1" "$3" "$4" mx
}
# peer_run ROLE ESP CHARON-VIEW [CHARON-CONN]: runs $PEER on $d/peer.toml
# (ROLE r: charon initiates CHARON-CONN and its child CHARON-CONN-net),
# then traffic both ways, our events and counters, charon's view.
peer_run() {
    local pid rc=0 view
    "$L" exec A "$PEER" --config "$d/peer.toml" --json > "$d/ours.jsonl" 2> "$d/peer.err" &
    pid=$!
    if [ "$1" = r ]; then
        for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :500')" ] && break; sleep 0.05; done
        "$L" swanctl B --initiate --ike "$4" --child "$4-net" --timeout 10 || rc=1
    fi
    for _ in $(seq 200); do grep -q '"event":"child_sa_established"' "$d/ours.jsonl" && break; sleep 0.05; done
    [ $rc = 0 ] && peer_traffic || rc=1
    "$PEER" --status --control "$d/peer.sock" --json > "$d/status.json" || rc=1
    view=$(sas B)
    kill "$pid"; wait "$pid" || true
    cat "$d/ours.jsonl" "$d/status.json"; echo "charon: $view"; tail -n 5 "$d/peer.err"
    [ $rc = 0 ] &&
    grep -q '"event":"ike_sa_established"' "$d/ours.jsonl" &&
    grep '"event":"child_sa_established"' "$d/ours.jsonl" | has "\"esp\":\"$2\"" &&
    grep -q "state=ESTABLISHED[^{]*$3.*state=INSTALLED[^}]*bytes-in=[1-9][0-9]*[^}]*bytes-out=[1-9]" <<< "$view" &&
    python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["ike_sas"][0]["children"][0]["counters"]; sys.exit(not (c["packets_in"] >= 6 and c["packets_out"] >= 6 and c["dropped_in"] == 0))' "$d/status.json"
}
case_ours_peer_i_gcm() {
    peer_case i aes256gcm16-prfsha256-x25519 aes256gcm16 'encr-alg=AES_GCM_16 encr-keysize=256 prf-alg=PRF_HMAC_SHA2_256 dh-group=CURVE_25519'
}
case_ours_peer_r_cbc() {
    peer_case r aes256-sha384-ecp256 aes128-sha256 'encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA2_384_192 prf-alg=PRF_HMAC_SHA2_384 dh-group=ECP_256'
}
# ESP both ways, opened by our decoder and by tshark (the stage's agree.py)
peer_capture() { ours_capture "$1" && [ "$(grep -c '"kind":"esp"' "$1")" -ge 12 ]; }
must_ours_peer_i_gcm() { peer_capture "$1"; }
must_ours_peer_r_cbc() { peer_capture "$1"; }
