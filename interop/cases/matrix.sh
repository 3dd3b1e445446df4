# The algorithm matrix: our Endpoint (ikev2-udp, $UDP) in namespace A against
# charon in B, as initiator (`ours_i_*`) and as responder (`ours_r_*`), for
# every cipher family x key exchange below. B loads conf/b-matrix.swanctl.conf.in
# rendered with exactly the case's proposals, so charon's own view must name
# exactly those algorithms. Sourced by scripts/test.d/50-strongswan.sh; one
# case: IK2_CASES=ours_i_chacha_ecp256 bash scripts/test.d/50-strongswan.sh
#
# cipher  IKE proposal               ESP proposal      charon's view (IKE)
# gcm     aes256gcm16-prfsha256      aes256gcm16       AES_GCM_16 256, PRF_HMAC_SHA2_256
# chacha  chacha20poly1305-prfsha256 chacha20poly1305  CHACHA20_POLY1305, PRF_HMAC_SHA2_256
# cbc     aes256-sha384              aes128-sha256     AES_CBC 256 + HMAC_SHA2_384_192, PRF_HMAC_SHA2_384
MX_CIPHERS=(gcm chacha cbc)
MX_GROUPS=(x25519 ecp256 modp2048)
mx_ike() { case $1 in gcm) echo aes256gcm16-prfsha256 ;; chacha) echo chacha20poly1305-prfsha256 ;; cbc) echo aes256-sha384 ;; esac; }
mx_esp() { case $1 in gcm) echo aes256gcm16 ;; chacha) echo chacha20poly1305 ;; cbc) echo aes128-sha256 ;; esac; }
# what `swanctl --list-sas --raw` shows for the IKE SA and for the Child SA
mx_view_ike() {
    case $1 in
        gcm) echo 'encr-alg=AES_GCM_16 encr-keysize=256 prf-alg=PRF_HMAC_SHA2_256' ;;
        chacha) echo 'encr-alg=CHACHA20_POLY1305 prf-alg=PRF_HMAC_SHA2_256' ;;
        cbc) echo 'encr-alg=AES_CBC encr-keysize=256 integ-alg=HMAC_SHA2_384_192 prf-alg=PRF_HMAC_SHA2_384' ;;
    esac
}
mx_view_group() { case $1 in x25519) echo CURVE_25519 ;; ecp256) echo ECP_256 ;; modp2048) echo MODP_2048 ;; esac; }
mx_view_esp() {
    case $1 in
        gcm) echo 'encr-alg=AES_GCM_16 encr-keysize=256' ;;
        chacha) echo 'encr-alg=CHACHA20_POLY1305' ;;
        cbc) echo 'encr-alg=AES_CBC encr-keysize=128 integ-alg=HMAC_SHA2_256_128' ;;
    esac
}
# our own event names the negotiated ESP transform (ikev2-sm's EncrId Debug)
mx_ours_esp() { case $1 in gcm) echo AesGcm16 ;; chacha) echo Chacha20Poly1305 ;; cbc) echo AesCbc ;; esac; }

# mx_render IKE ESP REMOTE: B's `mx` connection with exactly these proposals
mx_render() {
    sed -e "s|%IKE%|$1|" -e "s|%ESP%|$2|" -e "s|%REMOTE%|$3|" \
        "$ROOT/interop/conf/b-matrix.swanctl.conf.in" > "$d/b.swanctl.conf"
    (cd "$LAB_RUN/B/swanctl" && "$L" swanctl B --load-all --noprompt --file "$d/b.swanctl.conf")
}
# mx_case ROLE CIPHER GROUP: one case (ROLE i: we initiate, r: charon does)
mx_case() {
    local role=$1 c=$2 g=$3 ike esp remote=%any
    ike=$(mx_ike "$c")-$g esp=$(mx_esp "$c")
    [ "$role" = r ] && remote=10.231.0.1
    mx_render "$ike" "$esp" "$remote" || return 1
    if [ "$role" = i ]; then
        ours --remote 10.231.0.2 --initiate --ike "$ike" --esp "$esp" > "$d/ours.jsonl" || { cat "$d/ours.jsonl"; return 1; }
    else
        ours --remote %any --linger 0.3 --ike "$ike" --esp "$esp" > "$d/ours.jsonl" &
        local pid=$! rc=0
        for _ in $(seq 100); do [ -n "$("$L" exec A ss -Hlun 'sport = :4500')" ] && break; sleep 0.05; done
        "$L" swanctl B --initiate --ike mx --child mx-net --timeout 10 || rc=1
        wait "$pid" || rc=1
        [ $rc = 0 ] || { cat "$d/ours.jsonl"; return 1; }
    fi
    cat "$d/ours.jsonl"
    local view; view=$(sas B)
    echo "charon: $view"
    ours_up "$d/ours.jsonl" mx &&
    grep -q "$(mx_view_ike "$c") dh-group=$(mx_view_group "$g")" <<< "$view" &&
    grep -q "state=INSTALLED[^}]*$(mx_view_esp "$c")" <<< "$view" &&
    grep -q "\"encr\":\"($(mx_ours_esp "$c")" "$d/ours.jsonl"
}

# Every combination is a case (IK2_CASES can name any); the stage runs all
# nine as initiator and, as responder, each cipher once with a different group
# (every algorithm in both roles, about 35 s instead of 60).
for _r in i r; do
    for _c in "${MX_CIPHERS[@]}"; do
        for _g in "${MX_GROUPS[@]}"; do
            eval "case_ours_${_r}_${_c}_${_g}() { mx_case $_r $_c $_g; }"
            eval "must_ours_${_r}_${_c}_${_g}() { ours_capture \"\$1\"; }"
        done
    done
done
unset _r _c _g
for _c in "${MX_CIPHERS[@]}"; do for _g in "${MX_GROUPS[@]}"; do CASES+=("ours_i_${_c}_${_g}"); done; done
CASES+=(ours_r_gcm_x25519 ours_r_chacha_ecp256 ours_r_cbc_modp2048)
unset _c _g

# ChaCha20-Poly1305 for IKE and ESP between two charons, with pings: ESP that
# our decoder opens (RFC 7634) and Wireshark 4.0 cannot (agree.py counts it)
CASES+=(charon_chacha)
case_charon_chacha() {
    local ike=chacha20poly1305-prfsha256-x25519 esp=chacha20poly1305
    mx_render "$ike" "$esp" %any || return 1
    sed -e "s|%IKE%|$ike|" -e "s|%ESP%|$esp|" "$ROOT/interop/conf/a-matrix.swanctl.conf.in" > "$d/a.swanctl.conf"
    (cd "$LAB_RUN/A/swanctl" && "$L" swanctl A --load-all --noprompt --file "$d/a.swanctl.conf") &&
    child_up mx mx-net && ping_b &&
    grep -q 'encr-alg=CHACHA20_POLY1305.*state=INSTALLED[^}]*encr-alg=CHACHA20_POLY1305' <<< "$(sas B)"
}
must_charon_chacha() { [ "$(grep -c '"kind":"esp".*"inner":{' "$1")" -ge 6 ]; }
