# Libreswan pluto (Debian 12's 4.10, unpacked by `lab.sh fetch-libreswan`) in
# namespace B, against charon and against our Endpoint (ikev2-udp) in A.
# Sourced by scripts/test.d/50-strongswan.sh; each case's up_<case> names the
# lab it needs. pluto uses the kernel's XFRM for ESP, which this kernel lacks:
# its Child SAs are negotiated, then refused at install ("netlink response for
# Add SA ...: Protocol not supported / Function not implemented"), so the
# cases prove IKE SAs both ways, the Child SA negotiation up to that point,
# and RFC 6023 childless IKE SAs. pluto logs no IKE keys: the key tables come
# from charon's log or from ikev2-udp --key-log.
CASES+=(pluto_psk pluto_childless pluto_ecdsa pluto_rsa_frag ours_i_pluto_gcm_x25519 ours_i_pluto_chacha_ecp256
    ours_i_pluto_cbc_modp2048 ours_i_pluto_child ours_r_pluto
    ours_i_pluto_ecdsa ours_i_pluto_rsa ours_r_pluto_ecdsa)
whack() { "$L" whack B "$@"; }
# pluto's own view: an established IKE SA of CONN with A (whack --showstates)
pluto_ike_up() { # conn
    grep -q "\"$1\"\[1\] 10.231.0.1:[0-9]* STATE_V2_ESTABLISHED_IKE_SA" <<< "$(whack --showstates)"
}
# only the kernel refused pluto's Child SA (as responder, pluto chose an ESP
# proposal first: pluto_child_refused_by_kernel chosen)
pluto_child_refused_by_kernel() {
    { [ -z "${1:-}" ] || grep -q ': proposal 1:ESP=.* chosen from remote proposals' "$LAB_RUN/B/pluto.log"; } &&
    grep -Eq 'netlink response for Add SA esp\.[0-9a-f]+@[0-9.]+: .*\(errno (93|38)\)' "$LAB_RUN/B/pluto.log"
}
pluto_log() { grep -v '^[^|]*: | ' "$LAB_RUN/B/pluto.log" | tail -n 20; }
ours_pluto() { ours --key-log "$LAB_RUN/A/ikev2-keys" "$@"; }

up_pluto_psk() { echo --b=pluto; }
case_pluto_psk() { # charon initiates IKE + Child SA to pluto
    "$L" initiate psk psk-net || true # the Child SA is refused, see below
    pluto_log
    grep -q 'psk {[^{]*state=ESTABLISHED[^{]*remote-id=b.lab' <<< "$(sas A)" &&
    pluto_ike_up psk &&
    grep -q "responder established IKE SA; authenticated peer using authby=secret and ID_FQDN '@a.lab'" "$LAB_RUN/B/pluto.log" &&
    pluto_child_refused_by_kernel chosen
}
must_pluto_psk() { grep -q '"notify":"TS_UNACCEPTABLE"' "$1" && [ "$(grep -c '"type":"AUTH"' "$1")" = 2 ]; }

up_pluto_childless() { echo --b=pluto; }
case_pluto_childless() { # RFC 6023: charon's `childless` connection, no Child SA at all
    "$L" initiate childless && pluto_log &&
    grep -q 'childless {[^{]*state=ESTABLISHED[^{]*dh-group=ECP_384' <<< "$(sas A)" &&
    pluto_ike_up psk &&
    grep -q 'IKE_AUTH request does not propose a Child SA; creating childless SA' "$LAB_RUN/B/pluto.log"
}
must_pluto_childless() { [ "$(grep -c '"type":"AUTH"' "$1")" = 2 ] && ! grep -q '"type":"TSi"' "$1"; }

# certificates: charon's `ecdsa` and `rsa` connections to pluto, whose NSS
# database lab.sh filled with the lab PKI (RFC 7427 signatures both ways)
pluto_cert_case() { # conn what-pluto-verified
    "$L" initiate "$1" "$1-net" || true # the Child SA is refused, as above
    pluto_log
    grep -q "$1 {[^{]*state=ESTABLISHED[^{]*remote-id=b.$1.lab" <<< "$(sas A)" &&
    pluto_ike_up "$1" &&
    grep -q "responder established IKE SA; authenticated peer '$2' digital signature using peer certificate '@a.$1.lab' issued by CA 'C=XX, O=ikev2-rs interop lab, CN=lab" "$LAB_RUN/B/pluto.log" &&
    pluto_child_refused_by_kernel chosen
}
up_pluto_ecdsa() { echo --b=pluto --pluto-conn=ecdsa; }
up_pluto_rsa_frag() { echo --b=pluto --pluto-conn=rsa; }
case_pluto_ecdsa() { pluto_cert_case ecdsa 'P-256 ECDSA with SHA2_256'; }
case_pluto_rsa_frag() { pluto_cert_case rsa '3072-bit PKCS#1 1.5 RSA with SHA2_256'; }
must_pluto_ecdsa() { grep -q '"type":"CERT"' "$1" && [ "$(grep -c '"type":"AUTH"' "$1")" = 2 ]; }
must_pluto_rsa_frag() { grep -q '"type":"SKF"' "$1" && grep -q '"type":"CERT"' "$1"; } # RFC 7383 from charon

# our initiator, IKE SA only (RFC 6023), with the matrix's algorithms
pluto_i_case() { # ike-proposal pluto's-name-for-it
    ours_pluto --remote 10.231.0.2 --initiate --childless --ike "$1" > "$d/ours.jsonl" ||
        { cat "$d/ours.jsonl"; pluto_log; return 1; }
    cat "$d/ours.jsonl"; pluto_log
    grep -q '"event":"ike_sa_established","initiator":true' "$d/ours.jsonl" &&
    pluto_ike_up psk &&
    grep -q "\"psk\"\[1\] 10.231.0.1 #1: proposal 1:IKE=$2 chosen" "$LAB_RUN/B/pluto.log" &&
    grep -q 'creating childless SA' "$LAB_RUN/B/pluto.log"
}
up_ours_i_pluto_gcm_x25519() { echo --b=pluto; }
up_ours_i_pluto_chacha_ecp256() { echo --b=pluto; }
up_ours_i_pluto_cbc_modp2048() { echo --b=pluto; }
case_ours_i_pluto_gcm_x25519() { pluto_i_case aes256gcm16-prfsha256-x25519 'AES_GCM_C_256-HMAC_SHA2_256-CURVE25519'; }
case_ours_i_pluto_chacha_ecp256() { pluto_i_case chacha20poly1305-prfsha256-ecp256 'CHACHA20_POLY1305-HMAC_SHA2_256-ECP_256'; }
case_ours_i_pluto_cbc_modp2048() { pluto_i_case aes256-sha384-modp2048 'AES_CBC_256-HMAC_SHA2_384-HMAC_SHA2_384_192-MODP2048'; }
pluto_capture() { [ "$(grep -c '"type":"AUTH"' "$1")" = 2 ] && grep -q '"type":"IDi"' "$1"; }
must_ours_i_pluto_gcm_x25519() { pluto_capture "$1"; }
must_ours_i_pluto_chacha_ecp256() { pluto_capture "$1"; }
must_ours_i_pluto_cbc_modp2048() { pluto_capture "$1"; }

up_ours_i_pluto_child() { echo --b=pluto; }
case_ours_i_pluto_child() { # with a Child SA: pluto agrees, its kernel refuses, it answers TS_UNACCEPTABLE
    local rc=0
    ours_pluto --remote 10.231.0.2 --initiate > "$d/ours.jsonl" || rc=$?
    cat "$d/ours.jsonl"; pluto_log
    [ $rc = 2 ] &&
    grep -q '"event":"ike_sa_established","initiator":true' "$d/ours.jsonl" &&
    grep -q '"event":"failed","kind":"PeerError","reason":"peer sent TS_UNACCEPTABLE"' "$d/ours.jsonl" &&
    pluto_ike_up psk && pluto_child_refused_by_kernel chosen
}
must_ours_i_pluto_child() { pluto_capture "$1" && grep -q '"notify":"TS_UNACCEPTABLE"' "$1"; }

up_ours_r_pluto() { echo --b=pluto --pluto-conn=to-a; }
case_ours_r_pluto() { # pluto initiates IKE + Child SA to our responder
    ours_pluto --remote %any --linger 0.3 > "$d/ours.jsonl" &
    local pid=$! rc=0 out
    for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :500')" ] && break; sleep 0.05; done
    out=$(whack --name to-a --initiate 2>&1) || true # pluto fails the Child SA install, see below
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"; echo "$out"
    [ $rc = 0 ] &&
    grep -q '"event":"ike_sa_established","initiator":false' "$d/ours.jsonl" &&
    grep -q '"event":"child_sa_established"' "$d/ours.jsonl" &&
    grep -q "initiator established IKE SA; authenticated peer using authby=secret and ID_FQDN '@a.lab'" <<< "$out" &&
    pluto_child_refused_by_kernel
}
must_ours_r_pluto() { pluto_capture "$1"; }

# our certificates (ours_cert in auth.sh: A's key and certificate of the lab
# PKI, the lab CA trusted) against pluto's, RFC 7427 signatures both ways
pluto_cert_i() { # ecdsa|rsa what-pluto-verified
    ours_cert "$1" --key-log "$LAB_RUN/A/ikev2-keys" --remote 10.231.0.2 --initiate --childless \
        > "$d/ours.jsonl" || { cat "$d/ours.jsonl"; pluto_log; return 1; }
    cat "$d/ours.jsonl"; pluto_log
    grep '"event":"ike_sa_established"' "$d/ours.jsonl" | has "b\.$1\.lab" &&
    pluto_ike_up "$1" &&
    grep -q "responder established IKE SA; authenticated peer '$2' digital signature using peer certificate '@a.$1.lab'" "$LAB_RUN/B/pluto.log"
}
up_ours_i_pluto_ecdsa() { echo --b=pluto --pluto-conn=ecdsa; }
up_ours_i_pluto_rsa() { echo --b=pluto --pluto-conn=rsa; }
case_ours_i_pluto_ecdsa() { pluto_cert_i ecdsa 'P-256 ECDSA with SHA2_256'; }
case_ours_i_pluto_rsa() { pluto_cert_i rsa '3072-bit RSASSA-PSS with SHA2_256'; }
must_ours_i_pluto_ecdsa() { cert_capture "$1"; }
must_ours_i_pluto_rsa() { cert_capture "$1"; }

up_ours_r_pluto_ecdsa() { echo --b=pluto --pluto-conn=to-a-ecdsa; }
case_ours_r_pluto_ecdsa() { # pluto initiates with its certificate to our responder
    ours_cert ecdsa --key-log "$LAB_RUN/A/ikev2-keys" --remote %any --linger 0.3 > "$d/ours.jsonl" &
    local pid=$! rc=0 out
    for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :500')" ] && break; sleep 0.05; done
    out=$(whack --name to-a-ecdsa --initiate 2>&1) || true # its Child SA install fails, as above
    wait "$pid" || rc=1
    cat "$d/ours.jsonl"; echo "$out"
    [ $rc = 0 ] &&
    grep '"event":"ike_sa_established"' "$d/ours.jsonl" | has 'b\.ecdsa\.lab' &&
    grep -q "initiator established IKE SA; authenticated peer 'P-256 ECDSA with SHA2_256' digital signature using peer certificate '@a.ecdsa.lab'" <<< "$out" &&
    pluto_child_refused_by_kernel
}
must_ours_r_pluto_ecdsa() { cert_capture "$1"; }
