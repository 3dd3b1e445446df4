# ikev2-peer ($PEER, userspace ESP over a TUN device) in namespace A against
# charon in B, beyond one tunnel set up once (peer.sh): Child SA and IKE SA
# rekeys while pings flow (started by us, then by charon) with no ping lost;
# dead-peer detection both ways; ChaCha20-Poly1305 ESP; two children on one
# IKE SA. ikev2-peer always initiates; B loads a connection `pr` rendered
# per case (pr_charon). Sourced by scripts/test.d/50-strongswan.sh.
CASES+=(ours_peer_rekey_ours ours_peer_rekey_charon ours_peer_dpd ours_peer_dpd_by_charon
    ours_peer_i_chacha ours_peer_two_children)

# pr_conf ESP CONN-EXTRA CHILD-EXTRA [SETTINGS-EXTRA [SECOND-CHILD-REMOTE-TS]]:
# A's TOML, peer_conf's (peer.sh) with the lab's PSK and these extra lines
pr_conf() {
    PEER_SETTINGS=${4:-} PEER_CONN=$2 PEER_CHILD=$3 PEER_NET2_TS=${5:-} \
        peer_conf start aes256gcm16-prfsha256-x25519 "$1"
}
# pr_charon ESP CONN-EXTRA CHILD-EXTRA [SECOND-CHILD-LOCAL-TS]: B's `pr`
# connection, loaded in place of the lab's
pr_charon() {
    local f=$LAB_RUN/B/swanctl/b-pr.conf net2=""
    [ -n "${4:-}" ] && net2="
            pr-net2 {
                local_ts = $4
                remote_ts = 10.231.1.0/24
                esp_proposals = $1
                rekey_time = 0
            }"
    cat > "$f" <<EOC
connections {
    pr {
        version = 2
        local_addrs = 10.231.0.2
        remote_addrs = %any
        proposals = aes256gcm16-prfsha256-x25519
        unique = never
        $2
        local {
            auth = psk
            id = b.lab
        }
        remote {
            auth = psk
            id = a.lab
        }
        children {
            pr-net {
                local_ts = 10.231.2.0/24
                remote_ts = 10.231.1.0/24
                esp_proposals = $1
                $3
            }$net2
        }
    }
}
secrets {
    ike-lab {
        id-a = a.lab
        id-b = b.lab
        secret = "ikev2-rs interop lab shared secret"
    }
}
EOC
    (cd "$LAB_RUN/B/swanctl" && "$L" swanctl B --load-all --noprompt --file "$f")
}
# pr_start: runs ikev2-peer in A on $d/peer.toml (pid in $pr_pid), waits
# for all `want` (default 1) Child SAs
pr_start() {
    # our key table for the rekeyed IKE SAs (lab.sh keys reads it): charon
    # logs no SPIs of an IKE SA it rekeys as responder
    "$L" exec A "$PEER" --config "$d/peer.toml" --json --key-log "$LAB_RUN/A/ikev2-keys" \
        > "$d/ours.jsonl" 2> "$d/peer.err" &
    pr_pid=$!
    local i want=${1:-1}
    for ((i = 0; i < 200; i++)); do
        [ "$(grep -c '"event":"child_sa_established"' "$d/ours.jsonl")" -ge "$want" ] && return 0
        sleep 0.05
    done
    echo "peer_rekey: no $want Child SA(s)"; cat "$d/ours.jsonl" "$d/peer.err"; return 1
}
pr_stop() {
    "$PEER" --status --control "$d/peer.sock" --json > "$d/status.json" 2> /dev/null || true
    kill "$pr_pid" 2> /dev/null; wait "$pr_pid" 2> /dev/null || true
    cat "$d/ours.jsonl" "$d/status.json"; tail -n 5 "$d/peer.err"
}
# a ping both ways at 20 per second for COUNT/20 seconds; ping's own summary
# must say no packet was lost
pr_pings() { # count
    "$L" exec A ping -q -c "$1" -i 0.05 -W 1 -I 10.231.1.1 10.231.2.1 > "$d/ping-a.txt" 2>&1 &
    local pa=$! rc=0
    "$L" exec B ping -q -c "$1" -i 0.05 -W 1 -I 10.231.2.1 10.231.1.1 > "$d/ping-b.txt" 2>&1 || rc=1
    wait "$pa" || rc=1
    cat "$d/ping-a.txt" "$d/ping-b.txt"
    [ $rc = 0 ] && grep -q "$1 packets transmitted, $1 received, 0% packet loss" "$d/ping-a.txt" &&
        grep -q "$1 packets transmitted, $1 received, 0% packet loss" "$d/ping-b.txt"
}
# the first SPIs we reported, and charon's view now: none of them is left
pr_first() { grep -m1 "\"event\":\"$1\"" "$d/ours.jsonl" | python3 -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }
pr_renewed() {
    local view
    view=$(sas B); echo "charon: $view"
    printf '%s\n' "$view" > "$d/charon-view.txt"
    python3 - "$d/ours.jsonl" "$d/charon-view.txt" <<'EOP'
import json, re, sys
evs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith('{')]
ike = next(e for e in evs if e["event"] == "ike_sa_established")
child = next(e for e in evs if e["event"] == "child_sa_established")
view = open(sys.argv[2]).read()
sas = re.findall(r'initiator-spi=(\w+)[^{]*state=ESTABLISHED|state=ESTABLISHED[^{]*initiator-spi=(\w+)', view)
spis = [a or b for a, b in sas]
installed = re.findall(r'state=INSTALLED[^}]*spi-in=(\w+) spi-out=(\w+)', view)
print("charon: IKE SAs", spis, "installed Child SAs (in, out)", installed)
ok = (spis and ike["spi_i"] not in spis and installed and
      all(i != child["spi_out"] and o != child["spi_in"] for i, o in installed))
sys.exit(not ok)
EOP
}
# status: no ESP dropped for any cause (an unknown SPI, failed ICV, replay,
# policy) while SAs switched; `no_sa` only counts what the TUN device sends
# outside every Child SA (IPv6 router solicitations)
pr_clean() {
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["dataplane_drops"]; print("drops:", d); sys.exit(set(d) - {"no_sa"} != set())' "$d/status.json"
}
# pr_rekey WHO: child rekey every 2 s and IKE rekey every 3 s, by us or
# by charon, during 6 s of pings both ways. charon's lifetimes are given in
# full: with its defaults (life 110 % of rekey) a 2 s Child SA can reach its
# hard limit before its soft one (libipsec counts whole seconds).
pr_rekey() {
    local rc=0 ours_c="" ours_i="" ch_c="rekey_time = 0" ch_i="rekey_time = 0" gen parsed
    if [ "$1" = ours ]; then ours_c='rekey_time = "2s"' ours_i='rekey_time = "3s"'
    else
        ch_c="rekey_time = 2s
                life_time = 30s
                rand_time = 0"
        ch_i="rekey_time = 3s
        over_time = 30s
        rand_time = 0"
    fi
    pr_charon aes256gcm16 "$ch_i" "$ch_c" && pr_conf aes256gcm16 "$ours_i" "$ours_c" > "$d/peer.toml" &&
        pr_start || return 1
    pr_pings 120 || rc=1
    pr_renewed || rc=1
    pr_stop
    pr_clean || rc=1
    # who started the rekeys: charon's log names the requests it generated
    gen=$(grep -c 'generating CREATE_CHILD_SA request' "$LAB_RUN/B/charon.log")
    parsed=$(grep -c 'parsed CREATE_CHILD_SA request' "$LAB_RUN/B/charon.log")
    echo "charon generated $gen and parsed $parsed CREATE_CHILD_SA requests"
    if [ "$1" = ours ]; then [ "$gen" = 0 ] && [ "$parsed" -ge 2 ] || rc=1
    else [ "$parsed" = 0 ] && [ "$gen" -ge 2 ] || rc=1; fi
    [ $rc = 0 ] &&
    [ "$(grep -c '"event":"child_sa_rekeyed"' "$d/ours.jsonl")" -ge 1 ] &&
    [ "$(grep -c '"event":"ike_sa_rekeyed"' "$d/ours.jsonl")" -ge 1 ]
}
case_ours_peer_rekey_ours() { pr_rekey ours; }
case_ours_peer_rekey_charon() { pr_rekey charon; }
# rekeys in the capture: CREATE_CHILD_SA both for the Child SA (REKEY_SA)
# and the IKE SA, all opened by both decoders
pr_rekeyed_capture() {
    ours_capture "$1" && grep -q '"exchange":"CREATE_CHILD_SA"' "$1" && grep -q '"kind":"esp"' "$1"
}
must_ours_peer_rekey_ours() { pr_rekeyed_capture "$1"; }
must_ours_peer_rekey_charon() { pr_rekeyed_capture "$1"; }

# Our dpd_delay of 1 s (retransmissions 0.5 s x 2): charon answers, is
# SIGKILLed, and we declare it dead, remove the Child SA and its route.
case_ours_peer_dpd() {
    local rc=0 routes
    pr_charon aes256gcm16 "" "" &&
        pr_conf aes256gcm16 'dpd_delay = "1s"' "" 'retransmit_timeout = 0.5
retransmit_tries = 2' > "$d/peer.toml" && pr_start || return 1
    "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.2.1 || rc=1
    "$L" exec A ip route show dev ik2tun > "$d/routes-up.txt"
    sleep 1.5 # at least one liveness check answered
    kill -KILL "$(cat "$LAB_RUN/B/charon.pid")"
    info_wait "$d/ours.jsonl" '"event":"peer_dead"' 160 || rc=1
    routes=$("$L" exec A ip route show dev ik2tun)
    pr_stop
    echo "routes before: $(cat "$d/routes-up.txt") after: $routes"
    [ $rc = 0 ] &&
    grep -q '^10.231.2.0/24' "$d/routes-up.txt" && ! grep -q '10.231.2.0/24' <<< "$routes" &&
    grep '"event":"peer_dead"' "$d/ours.jsonl" | has '"exchange":"INFORMATIONAL".*"retransmits":2' &&
    grep -q '"event":"child_sa_deleted"' "$d/ours.jsonl" &&
    python3 -c 'import json,sys; sys.exit(json.load(open(sys.argv[1]))["ike_sas"] != [])' "$d/status.json"
}
must_ours_peer_dpd() { must_ours_dpd "$1"; }

# charon's dpd_delay of 1 s (retransmissions 0.5 s x 2): ikev2-peer answers,
# is SIGKILLed, and charon declares us dead and clears its IKE SA.
up_ours_peer_dpd_by_charon() { up_ours_dpd_by_charon; }
case_ours_peer_dpd_by_charon() {
    pr_charon aes256gcm16 "dpd_delay = 1s" "" && pr_conf aes256gcm16 "" "" > "$d/peer.toml" &&
        pr_start || return 1
    "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.2.1 || return 1
    charon_dpd_sent # (dpd.sh)
    local i
    grep -q 'pr {[^{]*state=ESTABLISHED' <<< "$(sas B)" || return 1
    kill -KILL "$pr_pid"; wait "$pr_pid" 2> /dev/null
    # the TUN device went with the process; nothing else of ours is left
    for ((i = 0; i < 100; i++)); do b_none && break; sleep 0.1; done
    cat "$d/ours.jsonl"
    b_none && grep -q 'giving up after 2 retransmits' "$LAB_RUN/B/charon.log"
}
must_ours_peer_dpd_by_charon() { must_ours_dpd_by_charon "$1"; }

# ChaCha20-Poly1305 ESP (RFC 7634): pings and 2 MiB over TCP each way
case_ours_peer_i_chacha() {
    local rc=0
    pr_charon chacha20poly1305 "" "" && pr_conf chacha20poly1305 "" "" > "$d/peer.toml" &&
        pr_start || return 1
    "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.2.1 &&
        "$L" exec B ping -c 3 -i 0.2 -W 2 -I 10.231.2.1 10.231.1.1 &&
        tcp_one B 10.231.2.1 A 2097152 && tcp_one A 10.231.1.1 B 2097152 || rc=1
    local view; view=$(sas B); echo "charon: $view"
    pr_stop
    [ $rc = 0 ] && pr_clean &&
    grep '"event":"child_sa_established"' "$d/ours.jsonl" | has '"esp":"chacha20poly1305"' &&
    grep -q 'pr {[^{]*state=ESTABLISHED.*state=INSTALLED[^}]*encr-alg=CHACHA20_POLY1305[^}]*bytes-in=[1-9][0-9]\{6\}[^}]*bytes-out=[1-9][0-9]\{6\}' <<< "$view"
}
must_ours_peer_i_chacha() { peer_capture "$1"; }

# Two children on one IKE SA: `net` in IKE_AUTH, `net2` (its own remote
# selector 10.231.12.0/24 and route) by CREATE_CHILD_SA; traffic on both.
case_ours_peer_two_children() {
    local rc=0
    "$L" exec B ip addr add 10.231.12.1/32 dev lo || return 1
    pr_charon aes256gcm16 "" "" 10.231.12.0/24 &&
        pr_conf aes256gcm16 "" "" "" 10.231.12.0/24 > "$d/peer.toml" && pr_start 2 || return 1
    "$L" exec A ip route show dev ik2tun
    "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.2.1 &&
        "$L" exec A ping -c 3 -i 0.2 -W 2 -I 10.231.1.1 10.231.12.1 &&
        "$L" exec B ping -c 3 -i 0.2 -W 2 -I 10.231.12.1 10.231.1.1 &&
        tcp_one B 10.231.12.1 A 262144 && tcp_one A 10.231.1.1 B 262144 10.231.12.1 || rc=1
    local view; view=$(sas B); echo "charon: $view"
    pr_stop
    [ $rc = 0 ] && pr_clean &&
    grep -q '"child":"net",.*"event":"child_sa_established"\|"event":"child_sa_established".*"child":"net"' "$d/ours.jsonl" &&
    grep -q 'pr-net[^2].*state=INSTALLED[^}]*bytes-in=[1-9][^}]*bytes-out=[1-9]' <<< "$view" &&
    grep -q 'pr-net2[^{]*{[^}]*state=INSTALLED[^}]*bytes-in=[1-9][^}]*bytes-out=[1-9]' <<< "$view" &&
    python3 - "$d/status.json" <<'EOP'
import json, sys
ch = json.load(open(sys.argv[1]))["ike_sas"][0]["children"]
by = {c["child"]: c for c in ch}
print({n: c["counters"] for n, c in by.items()})
ok = set(by) == {"net", "net2"} and by["net2"]["remote_ts"] == ["10.231.12.0/24"] and all(
    c["counters"]["packets_in"] >= 3 and c["counters"]["packets_out"] >= 3 for c in ch)
sys.exit(not ok)
EOP
}
must_ours_peer_two_children() { peer_capture "$1" && grep -q '"exchange":"CREATE_CHILD_SA"' "$1"; }
