# ikev2-peer with certificates (auth = "pubkey", swanctl's local.certs,
# remote.cacerts and a private key in [secrets]) against charon, traffic
# through the tunnel both ways: ECDSA with ikev2-peer initiating to B's
# `ecdsa` connection, RSA with charon initiating `to-ours-rsa` (from
# b-initiator-cert.swanctl.conf) to ikev2-peer. The lab PKI is
# interop/pki.sh's. Uses peer_conf, peer_run and peer_capture from peer.sh.
# Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_peer_i_ecdsa ours_peer_r_rsa)
case_ours_peer_i_ecdsa() {
    peer_conf start aes256gcm16-prfsha256-ecp256 aes128gcm16 ecdsa > "$d/peer.toml" &&
    peer_run i aes128gcm16 'remote-id=a.ecdsa.lab' &&
    grep '"event":"ike_sa_established"' "$d/ours.jsonl" | has 'b.ecdsa.lab'
}
case_ours_peer_r_rsa() {
    cp "$ROOT/interop/conf/b-initiator-cert.swanctl.conf" "$LAB_RUN/B/swanctl/" &&
    (cd "$LAB_RUN/B/swanctl" &&
        "$L" swanctl B --load-all --noprompt --file "$LAB_RUN/B/swanctl/b-initiator-cert.swanctl.conf") || return 1
    peer_conf none aes128-sha256-x25519 aes256-sha256 rsa > "$d/peer.toml" &&
    peer_run r aes256-sha256 'remote-id=a.rsa.lab' to-ours-rsa &&
    grep '"event":"ike_sa_established"' "$d/ours.jsonl" | has 'b.rsa.lab'
}
# certificates and signatures both ways (decoded by both tools), then ESP
peer_cert_capture() {
    peer_capture "$1" && [ "$(grep -c '"type":"CERT"' "$1")" -ge 2 ]
}
must_ours_peer_i_ecdsa() { peer_cert_capture "$1"; }
must_ours_peer_r_rsa() { peer_cert_capture "$1"; }
