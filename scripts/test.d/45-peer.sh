#!/usr/bin/env bash
# ikev2-peer live, as root: two processes in two network namespaces joined by
# a veth pair, each with the userspace data plane (ESP in this process over a
# TUN device). A initiates; both must report the IKE SA and the Child SA;
# pings go through the tunnel both ways; `--status` must show the ESP
# counters of both directions moving; a replayed ESP packet is refused and
# reported (`esp_dropped`, cause `replay_duplicate`); A's `rekey_packets`
# makes its data plane ask for a Child SA rekey, done without losing pings; a configuration with an error must be
# refused with its file and line. Fails loudly; a few seconds.
. "$(dirname "$0")/../lib.sh"
cd "$ROOT"
ensure_rust
[ "$(id -u)" -eq 0 ] || { log "45-peer: FAIL: needs root (namespaces, TUN)"; exit 1; }
apt_install iproute2 iputils-ping jq tcpdump python3
[ -c /dev/net/tun ] || { log "45-peer: FAIL: /dev/net/tun missing"; exit 1; }

log "45-peer: building ikev2-peer"
cargo build --quiet --locked -p ikev2-examples --bin ikev2-peer
bin="${CARGO_TARGET_DIR:-$ROOT/target}/debug/ikev2-peer"

NA=ik2peerA NB=ik2peerB
tmp="$(mktemp -d)"
pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    ip netns del "$NA" 2>/dev/null || true
    ip netns del "$NB" 2>/dev/null || true
    rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
    log "45-peer: FAIL: $*"
    for f in "$tmp"/a.out "$tmp"/b.out "$tmp"/*.err; do [ -s "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }; done
    exit 1
}

ip netns del "$NA" 2>/dev/null || true
ip netns del "$NB" 2>/dev/null || true
ip netns add "$NA"
ip netns add "$NB"
ip link add ik2a netns "$NA" type veth peer name ik2b netns "$NB"
ip -n "$NA" addr add 192.168.231.1/24 dev ik2a
ip -n "$NB" addr add 192.168.231.2/24 dev ik2b
for ns in "$NA" "$NB"; do ip -n "$ns" link set lo up; done
ip -n "$NA" link set ik2a up
ip -n "$NB" link set ik2b up

# conf NAME LOCAL REMOTE MY_NET THEIR_NET TUN_ADDR START
conf() {
    cat <<EOC
[settings]
control_socket = "$tmp/$1.sock"

[dataplane]
type = "userspace"
tun = "ik2tun$1"
address = "$6"

[connections.lab]
local_addrs = ["$2"]
remote_addrs = ["$3"]
proposals = "aes256gcm16-prfsha256-x25519"
local = { auth = "psk", id = "$1.lab" }
remote = { auth = "psk", id = "$( [ "$1" = a ] && echo b || echo a ).lab" }

[connections.lab.children.net]
local_ts = "$4"
remote_ts = "$5"
esp_proposals = "aes256gcm16"
start_action = "$7"

[secrets.ike-lab]
id = ["a.lab", "b.lab"]
secret = "0x5ec2e7a1b2c3d4e5f60718293a4b5c6d"
EOC
}
conf a 192.168.231.1 192.168.231.2 10.231.1.0/24 10.231.2.0/24 10.231.1.1/24 start >"$tmp/a.toml"
# A's Child SA has a volume limit (RFC 4301 lifetimes in packets): the
# userspace plane reports the soft limit and the SA is rekeyed under load.
sed -i 's/^start_action = "start"$/start_action = "start"\nrekey_packets = 60\nlife_packets = 200/' "$tmp/a.toml"
grep -q '^rekey_packets = 60$' "$tmp/a.toml" || fail "rekey_packets not in A's configuration"
conf b 192.168.231.2 192.168.231.1 10.231.2.0/24 10.231.1.0/24 10.231.2.1/24 none >"$tmp/b.toml"

# A configuration error stops everything before a socket is bound.
sed 's/^esp_proposals = .*/esp_proposals = "aes256gcm17"/' "$tmp/a.toml" >"$tmp/bad.toml"
rc=0; "$bin" --config "$tmp/bad.toml" 2>"$tmp/bad.err" || rc=$?
[ "$rc" = 1 ] || fail "bad configuration: exit $rc, want 1"
grep -q "^ikev2-peer: $tmp/bad.toml:19: esp_proposals: " "$tmp/bad.err" || fail "bad configuration not reported with file:line: $(cat "$tmp/bad.err")"
"$bin" --config "$tmp/a.toml" --check >/dev/null || fail "--check refused a good configuration"

ip netns exec "$NB" "$bin" --config "$tmp/b.toml" --json -v >"$tmp/b.out" 2>"$tmp/b.err" &
pids+=($!)
sleep 0.3
ip netns exec "$NA" "$bin" --config "$tmp/a.toml" --json -v >"$tmp/a.out" 2>"$tmp/a.err" &
pids+=($!)

for i in $(seq 1 100); do
    grep -q '"event":"child_sa_established"' "$tmp/a.out" 2>/dev/null &&
        grep -q '"event":"child_sa_established"' "$tmp/b.out" 2>/dev/null && break
    [ "$i" = 100 ] && fail "no Child SA within 10 s"
    sleep 0.1
done
grep -q '"event":"ike_sa_established"' "$tmp/a.out" || fail "no ike_sa_established event from A"
jq -se 'any(.[]; .event=="child_sa_established" and .esp=="aes256gcm16" and .udp_encap==true and .remote_ts==["10.231.2.0/24"])' "$tmp/a.out" >/dev/null ||
    fail "A's child_sa_established event lacks the negotiated values"
log "45-peer: Child SA up; pinging through the tunnel"
ip netns exec "$NA" ping -c 3 -i 0.2 -W 2 10.231.2.1 >"$tmp/ping-ab.out" || fail "ping A -> B through the tunnel"
ip netns exec "$NB" ping -c 3 -i 0.2 -W 2 10.231.1.1 >"$tmp/ping-ba.out" || fail "ping B -> A through the tunnel"

st="$("$bin" --status --control "$tmp/a.sock" --json)" || fail "--status"
echo "$st" | jq -e '.ike_sas[0].state=="established" and .ike_sas[0].children[0].counters.packets_out>=6 and .ike_sas[0].children[0].counters.packets_in>=6 and .ike_sas[0].children[0].counters.dropped_in==0' >/dev/null ||
    fail "status counters: $st"
"$bin" --status --control "$tmp/b.sock" | has "INSTALLED, TUNNEL-in-UDP, ESP:aes256gcm16" || fail "text status of B"

# A replayed ESP packet: captured on B's side of the link, sent again from A
# unchanged (raw socket, same addresses and ports). B must refuse it as a
# duplicate, count it, and report it as an esp_dropped event naming the cause,
# the SPI and the sender; the tunnel keeps working.
ip netns exec "$NB" timeout 10 tcpdump -i ik2b -c 1 -U -w "$tmp/esp.pcap" 'src host 192.168.231.1 and udp dst port 4500 and udp[8:4] != 0' 2>/dev/null &
tcpd=$!
sleep 0.5
ip netns exec "$NA" ping -c 1 -W 2 10.231.2.1 >/dev/null || fail "ping A -> B before the replay"
wait "$tcpd" || fail "no ESP packet captured for the replay"
ip netns exec "$NA" python3 - "$tmp/esp.pcap" <<'PY' || fail "replaying the captured ESP packet"
import socket, struct, sys
data = open(sys.argv[1], "rb").read()
incl = struct.unpack("<I", data[24 + 8:24 + 12])[0]       # first record's captured length
frame = data[24 + 16:24 + 16 + incl]
ip = bytearray(frame[14:])                                  # after the Ethernet header
# veth offloads the UDP checksum, so the capture holds a partial one; 0 means
# "no checksum" in IPv4 (RFC 768).
ihl = (ip[0] & 0x0F) * 4
ip[ihl + 6:ihl + 8] = b"\0\0"
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip, (socket.inet_ntoa(ip[16:20]), 0))
PY
for i in $(seq 1 30); do
    grep -q '"event":"esp_dropped"' "$tmp/b.out" && break
    [ "$i" = 30 ] && fail "B reported no esp_dropped event for the replayed packet"
    sleep 0.1
done
jq -se 'any(.[]; .event=="esp_dropped" and .cause=="replay_duplicate" and .peer=="192.168.231.1:4500" and (.spi|type)=="string")' "$tmp/b.out" >/dev/null ||
    fail "B's esp_dropped event: $(grep esp_dropped "$tmp/b.out")"
st="$("$bin" --status --control "$tmp/b.sock" --json)" || fail "--status of B"
echo "$st" | jq -e '.dataplane_drops.replay_duplicate==1' >/dev/null || fail "B's replay counter: $st"
ip netns exec "$NA" ping -c 1 -W 2 10.231.2.1 >/dev/null || fail "ping A -> B after the replay"

# Past A's rekey_packets (60, both directions counted per SA): a
# make-before-break Child SA rekey while the pings flow, none lost.
ip netns exec "$NA" ping -c 60 -i 0.02 -W 2 10.231.2.1 >"$tmp/ping-volume.out" || fail "pings through the volume rekey: $(tail -2 "$tmp/ping-volume.out")"
grep -q ' 0% packet loss' "$tmp/ping-volume.out" || fail "pings lost across the volume rekey: $(tail -2 "$tmp/ping-volume.out")"
for i in $(seq 1 30); do
    grep -q '"event":"child_sa_rekeyed"' "$tmp/a.out" && break
    [ "$i" = 30 ] && fail "A did not rekey at its packet limit"
    sleep 0.1
done
grep -q 'reached its soft limit' "$tmp/a.err" || fail "A's log does not name the data-plane soft limit"
ip netns exec "$NA" ping -c 2 -i 0.2 -W 2 10.231.2.1 >/dev/null || fail "ping A -> B on the rekeyed Child SA"
# A clean shutdown of A deletes its IKE SA (INFORMATIONAL Delete): B must
# report both deletions as the peer's doing.
kill -TERM "${pids[1]}"
for i in $(seq 1 50); do
    grep -q '"event":"ike_sa_deleted"' "$tmp/b.out" && break
    [ "$i" = 50 ] && fail "B did not report the deletion within 5 s"
    sleep 0.1
done
jq -se 'any(.[]; .event=="ike_sa_deleted" and .by_peer==true and .conn=="lab")' "$tmp/b.out" >/dev/null || fail "B's ike_sa_deleted"
jq -se 'any(.[]; .event=="child_sa_deleted" and .by_peer==true and .child=="net")' "$tmp/b.out" >/dev/null || fail "B's child_sa_deleted"
log "45-peer: PASS (IKE + Child SA between two ikev2-peer processes, pings both ways through userspace ESP over TUN, replay refused and reported, rekey at a packet limit)"
