#!/bin/sh
# Runs inside the test VM (xfrm-sys/vm/run.sh, busybox sh): two ikev2-peer
# processes with `dataplane = "kernel"` in two network namespaces. A
# initiates; the Child SA goes into both kernels through xfrm-sys's bridge;
# pings cross kernel ESP both ways; `--status` shows the kernel's counters;
# the SAs and policies are listed by iproute2. Then the trap: A restarts
# with `start_action = trap`, so its kernel holds policies with no SA; the
# first ping raises ACQUIRE, A negotiates, pings pass through the trap's
# policies; B restarts (the IKE SA is deleted), the trap stays, and the next
# ping negotiates again. Last, a MAPPING: A forces ESP-in-UDP, B's SA is
# made to send from another port, A reports the change and does not follow
# it (no NAT). Prints PEER-KERNEL: PASS/FAIL.
set -u
# busybox sh runs its own applets before PATH: use iproute2 by path.
IP=/sbin/ip
NA=pk-a NB=pk-b
tmp=/tmp/peer-kernel
mkdir -p "$tmp"
fail() {
    echo "PEER-KERNEL: FAIL: $*"
    for f in "$tmp"/*.out "$tmp"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -n 15 "$f"; }; done
    $IP -n "$NA" xfrm state 2>/dev/null | head -20
    exit 1
}
$IP netns add "$NA" && $IP netns add "$NB" || fail "netns"
$IP link add pka netns "$NA" type veth peer name pkb netns "$NB" || fail "veth"
$IP -n "$NA" addr add 10.0.30.1/24 dev pka
$IP -n "$NB" addr add 10.0.30.2/24 dev pkb
$IP -n "$NA" addr add 10.230.1.1/32 dev lo
$IP -n "$NB" addr add 10.230.2.1/32 dev lo
for ns in "$NA" "$NB"; do $IP -n "$ns" link set lo up; done
$IP -n "$NA" link set pka up
$IP -n "$NB" link set pkb up
$IP -n "$NA" route add 10.230.2.0/24 via 10.0.30.2 src 10.230.1.1
$IP -n "$NB" route add 10.230.1.0/24 via 10.0.30.1 src 10.230.2.1

# conf NAME LOCAL REMOTE MY_NET THEIR_NET START [CONNECTION_LINE]
conf() {
    peer=a; [ "$1" = a ] && peer=b
    cat <<EOC
[settings]
control_socket = "$tmp/$1.sock"

[dataplane]
type = "kernel"

[connections.lab]
local_addrs = ["$2"]
remote_addrs = ["$3"]
proposals = "aes256gcm16-prfsha256-x25519"
local = { auth = "psk", id = "$1.lab" }
remote = { auth = "psk", id = "$peer.lab" }
${7:-}

[connections.lab.children.net]
local_ts = "$4"
remote_ts = "$5"
esp_proposals = "aes256gcm16-esn"
start_action = "$6"

[secrets.ike-lab]
id = ["a.lab", "b.lab"]
secret = "0x5ec2e7a1b2c3d4e5f60718293a4b5c6d"
EOC
}
conf a 10.0.30.1 10.0.30.2 10.230.1.0/24 10.230.2.0/24 start >"$tmp/a.toml"
conf b 10.0.30.2 10.0.30.1 10.230.2.0/24 10.230.1.0/24 none >"$tmp/b.toml"

$IP netns exec "$NB" ikev2-peer --config "$tmp/b.toml" --json >"$tmp/b.out" 2>"$tmp/b.err" &
pb=$!
sleep 0.5
$IP netns exec "$NA" ikev2-peer --config "$tmp/a.toml" --json >"$tmp/a.out" 2>"$tmp/a.err" &
pa=$!
trap 'kill $pa $pb 2>/dev/null' EXIT

# seen FILE PATTERN N: FILE has at least N lines matching PATTERN.
seen() { [ "$(grep -c "$2" "$1" 2>/dev/null)" -ge "$3" ]; }
# await FILE PATTERN N WHAT: waits up to 30 s for `seen`.
await() {
    i=0
    until seen "$1" "$2" "$3"; do
        i=$((i + 1))
        [ "$i" -ge 150 ] && fail "$4 within 30 s"
        sleep 0.2
    done
}
# count NS state|policy: SAs, or policies (not the IKE sockets' bypass ones).
count() {
    pat='^src'; [ "$2" = policy ] && pat='^[[:space:]]dir (out|in|fwd) '
    $IP -n "$1" xfrm "$2" | grep -cE "$pat"
}
CHILD_UP='"event":"child_sa_established"'
await "$tmp/a.out" "$CHILD_UP" 1 "no Child SA in A"
await "$tmp/b.out" "$CHILD_UP" 1 "no Child SA in B"
echo "peer-kernel: Child SA up in both peers"
[ "$($IP -n "$NA" xfrm state | grep -c '^src')" = 2 ] || fail "A's kernel does not hold 2 SAs"
[ "$($IP -n "$NA" xfrm policy | grep -c '^src')" -ge 3 ] || fail "A's kernel does not hold the policies"
$IP netns exec "$NA" ping -c 3 -i 0.2 -W 2 -I 10.230.1.1 10.230.2.1 || fail "ping A -> B through kernel ESP"
$IP netns exec "$NB" ping -c 3 -i 0.2 -W 2 -I 10.230.2.1 10.230.1.1 || fail "ping B -> A through kernel ESP"
$IP -n "$NA" -s xfrm state
st=$(ikev2-peer --status --control "$tmp/a.sock" --json) || fail "--status"
echo "$st"
echo "$st" | grep -Eq "\"packets_out\":([6-9]|[1-9][0-9])" || fail "status: kernel counters out"
echo "$st" | grep -Eq "\"packets_in\":([6-9]|[1-9][0-9])" || fail "status: kernel counters in"

echo "peer-kernel: trap"
kill "$pa"; wait "$pa"
[ "$(count "$NA" state)" = 0 ] || fail "A left SAs behind"
[ "$(count "$NA" policy)" = 0 ] || fail "A left policies behind"
conf a 10.0.30.1 10.0.30.2 10.230.1.0/24 10.230.2.0/24 trap >"$tmp/t.toml"
$IP netns exec "$NA" ikev2-peer --config "$tmp/t.toml" --json >"$tmp/t.out" 2>"$tmp/t.err" &
pa=$!
await "$tmp/t.out" '"event":"trap_installed"' 1 "no trap_installed event"
[ "$(count "$NA" policy)" = 3 ] || fail "the trap is not 3 policies (out, in, fwd)"
[ "$(count "$NA" state)" = 0 ] || fail "the trap installed an SA"
$IP -n "$NA" xfrm policy
# The first packet raises ACQUIRE (the kernel drops it while the SA is
# negotiated, as with strongSwan).
$IP netns exec "$NA" ping -c 1 -W 1 -I 10.230.1.1 10.230.2.1 >/dev/null 2>&1
await "$tmp/t.out" '"action":"initiate".*"event":"acquire"' 1 "no ACQUIRE-started initiation"
await "$tmp/t.out" "$CHILD_UP" 1 "no Child SA after the ACQUIRE"
$IP netns exec "$NA" ping -c 3 -i 0.2 -W 2 -I 10.230.1.1 10.230.2.1 || fail "ping through the trapped child"
[ "$(count "$NA" policy)" = 3 ] || fail "the Child SA did not take over the trap's policies"
[ "$(count "$NA" state)" = 2 ] || fail "A's kernel does not hold the 2 SAs"
# B goes away (deleting the IKE SA): A's SAs go, the trap stays.
kill "$pb"; wait "$pb"
await "$tmp/t.out" '"event":"child_sa_deleted"' 1 "no child_sa_deleted in A"
[ "$(count "$NA" state)" = 0 ] || fail "A kept SAs after the delete"
[ "$(count "$NA" policy)" = 3 ] || fail "the trap did not stay after the delete"
$IP netns exec "$NB" ikev2-peer --config "$tmp/b.toml" --json >"$tmp/b2.out" 2>"$tmp/b2.err" &
pb=$!
sleep 0.5
$IP netns exec "$NA" ping -c 1 -W 1 -I 10.230.1.1 10.230.2.1 >/dev/null 2>&1
await "$tmp/t.out" '"action":"initiate".*"event":"acquire"' 2 "no second ACQUIRE after the delete"
await "$tmp/t.out" "$CHILD_UP" 2 "no second Child SA"
$IP netns exec "$NA" ping -c 3 -i 0.2 -W 2 -I 10.230.1.1 10.230.2.1 || fail "ping after the trap re-negotiated"
grep '"event":"acquire"' "$tmp/t.out"
st=$(ikev2-peer --status --control "$tmp/a.sock" --json) || fail "--status (trap)"
echo "$st" | grep -q '"traps":{' || fail "status: no traps"
# Shutdown deletes the IKE SA and removes the trap: nothing is left.
kill "$pa"; wait "$pa"
[ "$(count "$NA" state)" = 0 ] || fail "A left SAs behind (trap)"
[ "$(count "$NA" policy)" = 0 ] || fail "A left the trap's policies behind"

echo "peer-kernel: NAT mapping"
# A forces ESP-in-UDP (encap = true); no NAT is on the path. B's kernel is
# then told to send from UDP 4501: A's kernel reports the new port
# (MAPPING), and A refuses to follow a peer that is not behind a NAT.
conf a 10.0.30.1 10.0.30.2 10.230.1.0/24 10.230.2.0/24 start "encap = true" >"$tmp/n.toml"
$IP netns exec "$NA" ikev2-peer --config "$tmp/n.toml" --json >"$tmp/n.out" 2>"$tmp/n.err" &
pa=$!
await "$tmp/n.out" "$CHILD_UP" 1 "no encapsulated Child SA"
seen "$tmp/n.out" '"udp_encap":true' 1 || fail "the Child SA is not UDP-encapsulated"
# B's outbound SA: SPI and reqid from `ip xfrm state`, a dummy key (an
# update changes the encapsulation only).
set -- $($IP -n "$NB" xfrm state | grep -A1 '^src 10.0.30.2 dst 10.0.30.1' | sed -n 's/.* spi \(0x[0-9a-f]*\).* reqid \([0-9]*\).*/\1 \2/p')
[ $# = 2 ] || fail "B's outbound SA not found"
$IP -n "$NB" xfrm state update src 10.0.30.2 dst 10.0.30.1 proto esp spi "$1" reqid "$2" mode tunnel \
    replay-window 32 flag esn aead 'rfc4106(gcm(aes))' 0x000000000000000000000000000000000000000000000000000000000000000000000000 128 \
    encap espinudp 4501 4500 0.0.0.0 || fail "B's SA update"
$IP netns exec "$NB" ping -c 1 -W 1 -I 10.230.2.1 10.230.1.1 >/dev/null 2>&1
await "$tmp/n.out" '"event":"nat_mapping_changed","new":"10.0.30.2:4501"' 1 "no nat_mapping_changed event"
grep '"event":"nat_mapping_changed"' "$tmp/n.out"
seen "$tmp/n.out" '"result":"refused: the peer is not behind a NAT' 1 || fail "a mapping change of a peer not behind a NAT was followed"
$IP -n "$NA" xfrm state | grep -q 'dport 4501' && fail "A's SA followed the new port"
st=$(ikev2-peer --status --control "$tmp/a.sock" --json) || fail "--status (mapping)"
echo "$st" | grep -q '"mappings_refused":[1-9]' || fail "status: mapping refusal not counted"
echo "PEER-KERNEL: PASS"
