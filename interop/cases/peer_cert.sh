# ikev2-peer with certificates (auth = "pubkey", swanctl's local.certs,
# remote.cacerts and a private key in [secrets]) against charon, traffic
# through the tunnel both ways: ECDSA with ikev2-peer initiating to B's
# `ecdsa` connection, RSA with charon initiating `to-ours-rsa` (from
# b-initiator-cert.swanctl.conf) to ikev2-peer. The lab PKI is
# interop/pki.sh's. Uses peer_run and peer_capture from peer.sh.
# Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_peer_i_ecdsa ours_peer_r_rsa)
# peer_cert_conf START TYPE IKE ESP: A's configuration with A's certificate
peer_cert_conf() {
    local pki=$LAB_RUN/pki
    cat <<EOC
[settings]
control_socket = "$d/peer.sock"

[dataplane]
type = "userspace"
tun = "ik2tun"
address = "10.231.1.1/32"

[connections.lab]
local_addrs = ["10.231.0.1"]
remote_addrs = ["10.231.0.2"]
proposals = "$3"
local = { auth = "pubkey", id = "a.$2.lab", certs = "$pki/x509/a-$2.crt.pem" }
remote = { auth = "pubkey", id = "b.$2.lab", cacerts = "$pki/x509ca/ca-$2.crt.pem" }

[connections.lab.children.net]
local_ts = "10.231.1.0/24"
remote_ts = "10.231.2.0/24"
esp_proposals = "$4"
start_action = "$1"

[secrets.private-a]
file = "$pki/private/a-$2.key.pem"
EOC
}
case_ours_peer_i_ecdsa() {
    peer_cert_conf start ecdsa aes256gcm16-prfsha256-ecp256 aes128gcm16 > "$d/peer.toml" &&
    peer_run i aes128gcm16 'remote-id=a.ecdsa.lab' &&
    grep '"event":"ike_sa_established"' "$d/ours.jsonl" | grep -q 'b.ecdsa.lab'
}
case_ours_peer_r_rsa() {
    cp "$ROOT/interop/conf/b-initiator-cert.swanctl.conf" "$LAB_RUN/B/swanctl/" &&
    (cd "$LAB_RUN/B/swanctl" &&
        "$L" swanctl B --load-all --noprompt --file "$LAB_RUN/B/swanctl/b-initiator-cert.swanctl.conf") || return 1
    peer_cert_conf none rsa aes128-sha256-x25519 aes256-sha256 > "$d/peer.toml" &&
    peer_run r aes256-sha256 'remote-id=a.rsa.lab' to-ours-rsa &&
    grep '"event":"ike_sa_established"' "$d/ours.jsonl" | grep -q 'b.rsa.lab'
}
# certificates and signatures both ways (decoded by both tools), then ESP
peer_cert_capture() {
    peer_capture "$1" && [ "$(grep -c '"type":"CERT"' "$1")" -ge 2 ]
}
must_ours_peer_i_ecdsa() { peer_cert_capture "$1"; }
must_ours_peer_r_rsa() { peer_cert_capture "$1"; }
