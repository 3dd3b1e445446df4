#!/usr/bin/env bash
# lab.sh: two network namespaces joined by a veth pair, with strongSwan's
# charon (Debian 12 charon-systemd) in either or both, for interop tests.
#
#   <lab>-a  veth <lab>a 10.231.0.1/24 <====> veth <lab>b 10.231.0.2/24  <lab>-b
#            lo 10.231.1.1/32 (inner)               lo 10.231.2.1/32 (inner)
#
# Commands (root):
#   up [--a=charon|none] [--b=charon|none] [--capture=FILE] [--loglevel=N]
#      [--charon-opt='key = value']...      create namespaces, start daemons
#   down                                    stop everything, delete namespaces
#   status                                  charon's view of IKE/CHILD SAs
#   exec A|B CMD...                         run CMD inside that namespace
#   swanctl A|B ARGS...                     swanctl on that side's vici socket
#   initiate CONN [CHILD]                   swanctl --initiate from side A
#   wait-sa A|B CONN [SECONDS]              wait for an ESTABLISHED IKE SA
#   keys OUTDIR [DECODED]                   Wireshark key tables from the logs
#                                           (DECODED: ikev2-decode --json of the
#                                           capture, to resolve rekeyed IKE SAs)
#   capture FILE | capture stop             (re)start/stop tcpdump on side B
# Environment: LAB (namespace prefix, default ik2lab), LAB_RUN (state
# directory, default /tmp/$LAB), LAB_PKI (a directory to make the PKI in once
# and reuse; by default every `up` makes a fresh one), CHARON. `--a=none` leaves namespace A empty for the
# program under test (run it with `lab.sh exec A ...`).
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
LAB=${LAB:-ik2lab}
RUN=${LAB_RUN:-/tmp/$LAB}
NS_A=$LAB-a NS_B=$LAB-b
CHARON=${CHARON:-/usr/sbin/charon-systemd}
PLUGINS="random nonce openssl x509 revocation constraints pubkey pkcs1 pkcs8 pem gmp curve25519 aes sha1 sha2 hmac kdf gcm vici kernel-libipsec kernel-netlink socket-default updown"
export STRONGSWAN_CONF_TOOLS=$HERE/conf/tools.conf

say() { echo "lab: $*" >&2; }
die() { echo "lab: ERROR: $*" >&2; exit 1; }
side() { case $1 in A|a) echo A ;; B|b) echo B ;; *) die "side must be A or B, not '$1'" ;; esac; }
ns() { case $(side "$1") in A) echo "$NS_A" ;; B) echo "$NS_B" ;; esac; }
lower() { tr AB ab <<< "$1"; }
vici() { echo "unix://$RUN/$1/charon.vici"; }
sw() { local s; s=$(side "$1"); shift; STRONGSWAN_CONF=$STRONGSWAN_CONF_TOOLS swanctl "$@" --uri "$(vici "$s")"; }
running() { [ -f "$RUN/$1/charon.pid" ]; }
# alive PID: exists and is not a zombie
alive() { local st; st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1; [ "$st" != Z ]; }
poll() { # tries command...: retry every 50 ms
	local n=$1 i; shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.05; done
	return 1
}

stop_pidfile() {
	local f=$1 pid
	[ -f "$f" ] || return 0
	pid=$(cat "$f")
	if alive "$pid"; then
		kill -TERM "$pid" 2>/dev/null || true
		poll 60 eval "! alive $pid" || kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$f"
}

netns_up() {
	ip netns add "$NS_A"
	ip netns add "$NS_B"
	ip link add "${LAB}a" netns "$NS_A" type veth peer name "${LAB}b" netns "$NS_B"
	ip -n "$NS_A" addr add 10.231.0.1/24 dev "${LAB}a"
	ip -n "$NS_B" addr add 10.231.0.2/24 dev "${LAB}b"
	ip -n "$NS_A" addr add 10.231.1.1/32 dev lo
	ip -n "$NS_B" addr add 10.231.2.1/32 dev lo
	ip -n "$NS_A" link set lo up
	ip -n "$NS_B" link set lo up
	ip -n "$NS_A" link set "${LAB}a" up
	ip -n "$NS_B" link set "${LAB}b" up
}

# start_charon SIDE LOGLEVEL EXTRA
start_charon() {
	local s=$1 d=$RUN/$1 other
	other=$(lower "$([ "$s" = A ] && echo B || echo A)")
	mkdir -p "$d/swanctl"
	cp -r "$RUN/pki/x509" "$RUN/pki/x509ca" "$d/swanctl/"
	mkdir -p "$d/swanctl/private" && chmod 700 "$d/swanctl/private"
	cp "$RUN/pki/private/$(lower "$s")-"* "$d/swanctl/private/"
	rm -f "$d/swanctl/private/$other-"*
	cp "$HERE/conf/$(lower "$s").swanctl.conf" "$d/swanctl/swanctl.conf"
	printf '%s\n' "$3" > "$d/extra.conf"
	sed -e "s|%RUN%|$d|g" -e "s|%PLUGINS%|$PLUGINS|" -e "s|%LOGLEVEL%|$2|g" \
		"$HERE/conf/strongswan.conf.in" > "$d/strongswan.conf"
	STRONGSWAN_CONF=$d/strongswan.conf ip netns exec "$(ns "$s")" "$CHARON" \
		> "$d/charon.out" 2>&1 < /dev/null &
	echo $! > "$d/charon.pid"
}

vici_up() { sw "$1" --stats > /dev/null 2>&1 || { alive "$(cat "$RUN/$1/charon.pid")" || return 2; false; }; }
udp500() { [ -n "$(ip netns exec "$(ns "$1")" ss -Hlun 'sport = :500')" ]; }

ready_charon() {
	local s=$1 d=$RUN/$1 i rc
	for ((i = 0; i < 200; i++)); do
		rc=0; vici_up "$s" || rc=$?
		[ $rc = 0 ] && break
		[ $rc = 2 ] && { tail -n 20 "$d/charon.out" "$d/charon.log" >&2 2>/dev/null || true; die "charon $s exited during start-up"; }
		sleep 0.05
	done
	[ "$rc" = 0 ] || die "charon $s: no answer on $(vici "$s")"
	poll 100 udp500 "$s" || die "charon $s does not listen on UDP 500"
	(cd "$d/swanctl" && sw "$s" --load-all --noprompt --file "$d/swanctl/swanctl.conf") > "$d/load.log" 2>&1 ||
		{ cat "$d/load.log" >&2; die "swanctl --load-all failed on $s"; }
	grep -q 'successfully loaded' "$d/load.log" || { cat "$d/load.log" >&2; die "no connection loaded on $s"; }
}

capture_start() {
	local f=$1
	capture_stop
	mkdir -p "$(dirname "$f")"
	ip netns exec "$NS_B" tcpdump -i "${LAB}b" -n -U --immediate-mode -s 0 -w "$f" \
		'udp port 500 or udp port 4500 or esp' > "$RUN/tcpdump.log" 2>&1 < /dev/null &
	echo $! > "$RUN/tcpdump.pid"
	poll 100 grep -q 'listening on' "$RUN/tcpdump.log" || die "tcpdump did not start: $(cat "$RUN/tcpdump.log")"
}
# tcpdump flushes each packet (-U); give the last ones a moment, then stop it
capture_stop() { [ -f "$RUN/tcpdump.pid" ] || return 0; sleep 0.1; stop_pidfile "$RUN/tcpdump.pid"; }

cmd_up() {
	local a=charon b=charon cap="" level=4 extra=""
	for o in "$@"; do
		case $o in
			--a=*) a=${o#*=} ;; --b=*) b=${o#*=} ;;
			--capture=*) cap=${o#*=} ;; --loglevel=*) level=${o#*=} ;;
			--charon-opt=*) extra+="${o#*=}"$'\n' ;;
			*) die "up: unknown option $o" ;;
		esac
	done
	[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
	[ -x "$CHARON" ] || die "$CHARON missing (apt-get install charon-systemd)"
	for n in "$NS_A" "$NS_B"; do [ -e "/run/netns/$n" ] && die "namespace $n exists: run '$0 down' first"; done
	# anything that fails from here on (die included) leaves nothing behind
	trap 'say "up failed, tearing down"; cmd_down' EXIT
	rm -rf "$RUN"; mkdir -p "$RUN/A" "$RUN/B"
	if [ -n "${LAB_PKI:-}" ]; then
		[ -d "$LAB_PKI/x509ca" ] || "$HERE/pki.sh" "$LAB_PKI"
		cp -r "$LAB_PKI" "$RUN/pki"
	else
		"$HERE/pki.sh" "$RUN/pki"
	fi
	netns_up
	[ -n "$cap" ] && capture_start "$cap"
	case $a in charon) start_charon A "$level" "$extra" ;; none) ;; *) die "--a=$a?" ;; esac
	case $b in charon) start_charon B "$level" "$extra" ;; none) ;; *) die "--b=$b?" ;; esac
	for s in A B; do running "$s" && ready_charon "$s"; done
	trap - EXIT
	say "up (A=$a B=$b) in $RUN"
}

cmd_down() {
	for s in A B; do stop_pidfile "$RUN/$s/charon.pid"; done
	capture_stop
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}

cmd_status() {
	for s in A B; do
		echo "== $s ($(ns "$s"))"
		if running "$s"; then sw "$s" --list-sas; else echo "(no charon)"; fi
	done
}

cmd_wait_sa() {
	local s; s=$(side "$1")
	local conn=$2 secs=${3:-10}
	established() { sw "$s" --list-sas --ike "$conn" --noblock 2>/dev/null | grep -q ESTABLISHED; }
	poll $((secs * 20)) established || die "no ESTABLISHED IKE SA '$conn' on $s after ${secs}s"
}

cmd=${1:-}; shift || true
case $cmd in
	up) cmd_up "$@" ;;
	down) cmd_down ;;
	status) cmd_status ;;
	exec) n=$(ns "${1:?side}"); shift; exec ip netns exec "$n" "$@" ;;
	swanctl) sw "$@" ;;
	initiate)
		if [ -n "${2:-}" ]; then sw A --initiate --ike "$1" --child "$2" --timeout 20
		else sw A --initiate --ike "${1:?connection}" --timeout 20; fi ;;
	wait-sa) cmd_wait_sa "$@" ;;
	keys)
		logs=(); for s in A B; do [ -s "$RUN/$s/charon.log" ] && logs+=("$RUN/$s/charon.log"); done
		[ ${#logs[@]} -gt 0 ] || die "no charon log in $RUN"
		dec=(); [ -n "${2:-}" ] && dec=(--decoded "$2")
		python3 "$HERE/charon-keys.py" --out "${1:?outdir}" "${dec[@]}" "${logs[@]}" ;;
	capture) if [ "${1:?FILE or stop}" = stop ]; then capture_stop; else capture_start "$1"; fi ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
esac
