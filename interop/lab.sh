#!/usr/bin/env bash
# lab.sh: two network namespaces joined by a veth pair, with strongSwan's
# charon (Debian 12 charon-systemd) or Libreswan's pluto (Debian 12
# libreswan 4.10, unpacked, not installed) in either or both, for interop tests.
#
#   <lab>-a  veth <lab>a 10.231.0.1/24 <====> veth <lab>b 10.231.0.2/24  <lab>-b
#            lo 10.231.1.1/32 (inner)               lo 10.231.2.1/32 (inner)
#
# Commands (root):
#   up [--a=charon|pluto|none] [--b=charon|pluto|none] [--capture=FILE]
#      [--loglevel=N] [--charon-opt='key = value']...
#      [--pluto-conn=NAME]... [--plutodebug='base crypt ...']
#                                           create namespaces, start daemons
#                                           (pluto loads the named conns of
#                                           conf/libreswan/ipsec.conf.in;
#                                           default: psk)
#   down                                    stop everything, delete namespaces
#   status                                  each daemon's view of its SAs
#   exec A|B CMD...                         run CMD inside that namespace
#   swanctl A|B ARGS...                     swanctl on that side's vici socket
#   whack A|B ARGS...                       whack on that side's pluto
#   fetch-libreswan                         apt-get download + unpack libreswan
#                                           into LSW_ROOT (when missing)
#   initiate CONN [CHILD]                   swanctl --initiate from side A
#   wait-sa A|B CONN [SECONDS]              wait for an ESTABLISHED IKE SA
#   keys OUTDIR [DECODED]                   Wireshark key tables from charon's
#                                           logs and from A|B/ikev2-keys
#                                           (DECODED: ikev2-decode --json of the
#                                           capture, to resolve rekeyed IKE SAs)
#   capture FILE | capture stop             (re)start/stop tcpdump on side B
# Environment: LAB (namespace prefix, default ik2lab), LAB_RUN (state
# directory, default /tmp/$LAB), LAB_PKI (a directory to make the PKI in once
# and reuse; by default every `up` makes a fresh one), CHARON, LSW_ROOT (the
# unpacked libreswan package, default ~/.cache/ikev2-rs/libreswan).
# `--a=none` leaves namespace A empty for the program under test (run it with
# `lab.sh exec A ...`).
set -euo pipefail
HERE=$(cd "$(dirname "$(readlink -f "$0")")" && pwd)
LAB=${LAB:-ik2lab}
RUN=${LAB_RUN:-/tmp/$LAB}
NS_A=$LAB-a NS_B=$LAB-b
CHARON=${CHARON:-/usr/sbin/charon-systemd}
PLUGINS="random nonce openssl x509 revocation constraints pubkey pkcs1 pkcs8 pem gmp curve25519 aes sha1 sha2 hmac kdf gcm vici kernel-libipsec kernel-netlink socket-default updown"
LSW_ROOT=${LSW_ROOT:-${XDG_CACHE_HOME:-$HOME/.cache}/ikev2-rs/libreswan}
export STRONGSWAN_CONF_TOOLS=$HERE/conf/tools.conf

say() { echo "lab: $*" >&2; }
die() { echo "lab: ERROR: $*" >&2; exit 1; }
side() { case $1 in A|a) echo A ;; B|b) echo B ;; *) die "side must be A or B, not '$1'" ;; esac; }
ns() { case $(side "$1") in A) echo "$NS_A" ;; B) echo "$NS_B" ;; esac; }
lower() { tr AB ab <<< "$1"; }
vici() { echo "unix://$RUN/$1/charon.vici"; }
sw() { local s; s=$(side "$1"); shift; STRONGSWAN_CONF=$STRONGSWAN_CONF_TOOLS swanctl "$@" --uri "$(vici "$s")"; }
running() { [ -f "$RUN/$1/charon.pid" ]; }
plutoing() { [ -f "$RUN/$1/pluto.pid" ]; }
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

# ---- Libreswan pluto
# Libreswan conflicts with strongSwan's packages, so it is unpacked from its
# Debian package into LSW_ROOT instead of installed. pluto hard-codes
# /usr/libexec/ipsec (it runs addconn from there), so it runs in a private
# mount namespace with the unpacked tree overlaid on /usr/libexec; nothing
# outside that namespace changes.
lsw() { echo "$LSW_ROOT/usr/libexec/ipsec/$1"; }
cmd_fetch_libreswan() {
	[ -x "$(lsw pluto)" ] && return 0
	local tmp; tmp=$(mktemp -d); chmod 755 "$tmp"
	(cd "$tmp" && apt-get download -q libreswan > /dev/null 2>&1) || { rm -rf "$tmp"; die "apt-get download libreswan failed"; }
	mkdir -p "$LSW_ROOT"
	dpkg-deb -x "$tmp"/libreswan_*.deb "$LSW_ROOT"
	rm -rf "$tmp"
	[ -x "$(lsw pluto)" ] || die "no pluto in the libreswan package"
}
whack() { local s; s=$(side "$1"); shift; "$(lsw whack)" --ctlsocket "$RUN/$s/pluto.ctl" "$@"; }
# start_pluto SIDE PLUTODEBUG
start_pluto() {
	local s=$1 d=$RUN/$1
	[ -x "$(lsw pluto)" ] || die "libreswan is not unpacked in $LSW_ROOT (lab.sh fetch-libreswan)"
	command -v certutil > /dev/null || die "certutil missing (apt-get install libnss3-tools)"
	mkdir -p "$d/nss" "$d/ipsec.d"
	certutil -N -d "sql:$d/nss" --empty-password
	# the lab PKI in pluto's NSS database: both CAs trusted, this side's
	# certificates and keys under the names ipsec.conf's leftcert= uses
	local c k; k=$(lower "$s")
	for c in ca-ecdsa ca-rsa; do
		certutil -A -d "sql:$d/nss" -n "$c" -t 'CT,,' -a -i "$RUN/pki/x509ca/$c.crt.pem"
	done
	for c in "$k-ecdsa" "$k-rsa"; do
		openssl pkcs12 -export -in "$RUN/pki/x509/$c.crt.pem" -inkey "$RUN/pki/private/$c.key.pem" \
			-name "$c" -passout pass: -out "$d/$c.p12"
		pk12util -i "$d/$c.p12" -d "sql:$d/nss" -W '' > /dev/null
		rm -f "$d/$c.p12"
	done
	sed -e "s|%RUN%|$d|g" -e "s|%DEBUG%|$2|g" "$HERE/conf/libreswan/ipsec.conf.in" > "$d/ipsec.conf"
	cp "$HERE/conf/libreswan/ipsec.secrets" "$d/ipsec.secrets"
	ip netns exec "$(ns "$s")" unshare -m --propagation private sh -c "
		mount -t overlay overlay -o lowerdir=$LSW_ROOT/usr/libexec:/usr/libexec /usr/libexec &&
		exec /usr/libexec/ipsec/pluto --nofork --config $d/ipsec.conf --rundir $d --dumpdir $d \
			--nssdir $d/nss --secretsfile $d/ipsec.secrets --ipsecdir $d/ipsec.d --no-dnssec" \
		> "$d/pluto.out" 2>&1 < /dev/null &
	echo $! > "$d/pluto.pid"
}
# ready_pluto SIDE CONN...: control socket up, UDP 500 bound, conns loaded
ready_pluto() {
	local s=$1 d=$RUN/$1 c; shift
	local i up=0
	for ((i = 0; i < 200; i++)); do
		[ -S "$d/pluto.ctl" ] && whack "$s" --status > /dev/null 2>&1 && { up=1; break; }
		alive "$(cat "$d/pluto.pid")" || break
		sleep 0.05
	done
	[ $up = 1 ] || { tail -n 20 "$d/pluto.out" "$d/pluto.log" >&2 2>/dev/null || true; die "pluto $s did not start"; }
	poll 100 udp500 "$s" || die "pluto $s does not listen on UDP 500"
	for c in "$@"; do
		"$(lsw addconn)" --config "$d/ipsec.conf" --ctlsocket "$d/pluto.ctl" "$c" >> "$d/load.log" 2>&1 ||
			{ cat "$d/load.log" >&2; die "addconn $c failed on $s"; }
	done
	# pluto deletes an IKE SA whose Child SA the kernel refuses and then
	# revives the connection for ever: no revival, so a test sees one attempt
	whack "$s" --impair revival > /dev/null 2>&1 || true
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
	local a=charon b=charon cap="" level=4 extra="" conns=() pdebug=none
	for o in "$@"; do
		case $o in
			--a=*) a=${o#*=} ;; --b=*) b=${o#*=} ;;
			--capture=*) cap=${o#*=} ;; --loglevel=*) level=${o#*=} ;;
			--charon-opt=*) extra+="${o#*=}"$'\n' ;;
			--pluto-conn=*) conns+=("${o#*=}") ;;
			--plutodebug=*) pdebug=${o#*=} ;;
			*) die "up: unknown option $o" ;;
		esac
	done
	[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
	[ "$a$b" = "${a/charon}${b/charon}" ] || [ -x "$CHARON" ] || die "$CHARON missing (apt-get install charon-systemd)"
	[ ${#conns[@]} -gt 0 ] || conns=(psk)
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
	case $a in charon) start_charon A "$level" "$extra" ;; pluto) start_pluto A "$pdebug" ;; none) ;; *) die "--a=$a?" ;; esac
	case $b in charon) start_charon B "$level" "$extra" ;; pluto) start_pluto B "$pdebug" ;; none) ;; *) die "--b=$b?" ;; esac
	for s in A B; do
		if running "$s"; then ready_charon "$s"; elif plutoing "$s"; then ready_pluto "$s" "${conns[@]}"; fi
	done
	trap - EXIT
	say "up (A=$a B=$b) in $RUN"
}

cmd_down() {
	for s in A B; do stop_pidfile "$RUN/$s/charon.pid"; stop_pidfile "$RUN/$s/pluto.pid"; done
	capture_stop
	ip netns del "$NS_A" 2>/dev/null || true
	ip netns del "$NS_B" 2>/dev/null || true
}

cmd_status() {
	for s in A B; do
		echo "== $s ($(ns "$s"))"
		if running "$s"; then sw "$s" --list-sas
		elif plutoing "$s"; then whack "$s" --showstates; whack "$s" --trafficstatus
		else echo "(no daemon)"; fi
	done
}

cmd_wait_sa() {
	local s; s=$(side "$1")
	local conn=$2 secs=${3:-10}
	established() { sw "$s" --list-sas --ike "$conn" --noblock 2>/dev/null | grep ESTABLISHED > /dev/null; }
	poll $((secs * 20)) established || die "no ESTABLISHED IKE SA '$conn' on $s after ${secs}s"
}

cmd=${1:-}; shift || true
case $cmd in
	up) cmd_up "$@" ;;
	down) cmd_down ;;
	status) cmd_status ;;
	exec) n=$(ns "${1:?side}"); shift; exec ip netns exec "$n" "$@" ;;
	swanctl) sw "$@" ;;
	whack) whack "$@" ;;
	fetch-libreswan) cmd_fetch_libreswan ;;
	initiate)
		if [ -n "${2:-}" ]; then sw A --initiate --ike "$1" --child "$2" --timeout 20
		else sw A --initiate --ike "${1:?connection}" --timeout 20; fi ;;
	wait-sa) cmd_wait_sa "$@" ;;
	keys)
		# charon's logs, and the key tables a program under test wrote to
		# $LAB_RUN/<side>/ikev2-keys (ikev2-udp --key-log); pluto logs no IKE keys
		logs=(); for s in A B; do
			[ -s "$RUN/$s/charon.log" ] && logs+=("$RUN/$s/charon.log")
			[ -s "$RUN/$s/ikev2-keys" ] && logs+=(--table "$RUN/$s/ikev2-keys")
		done
		[ ${#logs[@]} -gt 0 ] || die "no charon log and no ikev2-keys table in $RUN"
		dec=(); [ -n "${2:-}" ] && dec=(--decoded "$2")
		python3 "$HERE/charon-keys.py" --out "${1:?outdir}" "${dec[@]}" "${logs[@]}" ;;
	capture) if [ "${1:?FILE or stop}" = stop ]; then capture_stop; else capture_start "$1"; fi ;;
	*) sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; exit 2 ;;
esac
