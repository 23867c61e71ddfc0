#!/bin/bash
# xlat464 lab: the whole 464XLAT system of an IPv6-mostly network, in network namespaces on this
# machine. Run as root (usually through `xlat464 lab up|tour|down`, which sets XLAT464):
#
#     scripts/lab.sh up      # build the namespaces and start every daemon (refuses if already up)
#     scripts/lab.sh tour    # show, step by step, IPv4 working from the IPv6-only client
#     scripts/lab.sh down    # stop every process the lab started, delete its namespaces and state
#
# Topology (documentation addresses only; nothing is connected to a real interface):
#
#  ns x464lab-client (IPv6-only)    ns x464lab-router                               ns x464lab-server
# +---------------------------+    +----------------------------------------------+   +--------------------+
# | dhcpcd, option            |    | xlat464 ra --router: SLAAC 2001:db8:1::/64,  |   | IPv4 only          |
# |   ipv6_only_preferred     |    |   PREF64 64:ff9b::/96                        |   | python3 http.server|
# |   -> option 108, no IPv4  |    | xlat464 dhcp4 --mode mostly: option 108 to   |   |   :8000            |
# | xlat464 clat: PREF64 from |    |   clients that ask, else 192.0.2.100-199     |   | socat UDP echo :7  |
# |   the RA; TUN clat        |    | PLAT: xlat464 plat (stateful NAT64) on TUN   |   |                    |
# |   192.0.0.1               |    |   nat64, pool6 64:ff9b::/96, pool4           |   |                    |
# | x464c1 SLAAC              |    |   198.51.100.0/28 (routed to it by itself)   |   |                    |
# +-------------+-------------+    | br0 2001:db8:1::1/64          r-s            |   | s-r 203.0.113.2/24 |
#               +------------------+ 192.0.2.1/24        203.0.113.1/24 +---------+---+ default via .1     |
#  ns x464lab-client4 (udhcpc,     |                                              |   +--------------------+
#  no option 108): 192.0.2.1xx  ---+                                              |
#                                  +----------------------------------------------+
#
# The client's IPv4 path: 192.0.0.1 -> CLAT (RFC 7915) -> 2001:db8:1::<CLAT iid> -> 64:ff9b::203.0.113.2
# -> router kernel -> TUN nat64 -> xlat464 plat (RFC 6146: the source gets a binding in the pool
# 198.51.100.0/28, the destination is 203.0.113.2 by pool6) -> r-s -> server; and back the same way,
# the server answering 198.51.100.x, which the router routes into the TUN. The IPv4 client of the mostly
# network (192.0.2.0/24) is masqueraded out of r-s by nftables, as a home router would.
#
# State: /run/xlat464-lab/ (pids, logs, control sockets). Environment: XLAT464 (the binary),
# XLAT464_LAB_DIR (state directory, default /run/xlat464-lab), XLAT464_LAB_PREFIX (namespace name
# prefix, default x464lab-), XLAT464_LAB_IFTAG (client interface names TAG1 and TAG2, default x464c;
# tests/netns/lab.sh uses its own prefix, directory and tag so that it never touches a lab in use).
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
XLAT464=${XLAT464:-$here/../build/xlat464}
XLAT464=$(readlink -f "$XLAT464")
STATE=${XLAT464_LAB_DIR:-/run/xlat464-lab}
PY=/usr/bin/python3

P=${XLAT464_LAB_PREFIX:-x464lab-}   # every namespace's name starts with it; `down` deletes them all
NSR=${P}router
NSS=${P}server
NSC=${P}client
NSC4=${P}client4
ALL_NS="$NSR $NSS $NSC $NSC4"
IFT=${XLAT464_LAB_IFTAG:-x464c}   # client interface names: dhcpcd keeps per-interface files in /run
IFC=${IFT}1         # the client's uplink
IFC4=${IFT}2        # the second client's
PREFIX6=2001:db8:1::
R6=2001:db8:1::1
R4=192.0.2.1
POOL_FIRST=192.0.2.100
POOL_LAST=192.0.2.199
PREF64=64:ff9b::/96
RS4=203.0.113.1
S4=203.0.113.2
POOL4=198.51.100.0/28
SELF4=198.51.100.1
SELF6=64:ff9b::c633:6401   # 64:ff9b::198.51.100.1: the CLAT shows the PLAT's own errors as 198.51.100.1
WEB_PORT=8000
ECHO_PORT=7

say() { printf '%s\n' "$*"; }
die() { say "xlat464 lab: $*" >&2; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

wait_for() { # wait_for SECONDS COMMAND...: poll every 0.2 s until the command succeeds or time runs out
	local deadline=$((SECONDS + $1))
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		[ "$SECONDS" -ge "$deadline" ] && return 1
		sleep 0.2
	done
}

# The lab's namespaces: exactly these four names (so that a lab under another prefix, such as the
# test's x464lab-t<pid>-, is never taken for this one).
lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}(router|server|client|client4)\$" || true; }

# start NAME NS COMMAND...: a daemon in its own session inside NS, output to $STATE/NAME.log. setsid and
# `ip netns exec` both exec, so $! is the daemon's own pid; it is recorded as "NAME PID NS".
start() {
	local name=$1 ns=$2
	shift 2
	setsid ip netns exec "$ns" "$@" </dev/null >"$STATE/$name.log" 2>&1 &
	say "$name $! $ns" >>"$STATE/pids"
}
pid_of() { awk -v n="$1" '$1 == n {print $2}' "$STATE/pids" 2>/dev/null | tail -n 1; }
alive() { local p; p=$(pid_of "$1"); [ -n "$p" ] && kill -0 "$p" 2>/dev/null; }

need() {
	local c
	for c in "$@"; do command -v "$c" >/dev/null || die "missing command: $c (scripts/install-deps.sh installs it)"; done
}

# ---- up -----------------------------------------------------------------------------------------
fail_up() {
	say "xlat464 lab up: $*" >&2
	local f
	for f in "$STATE"/*.log; do
		[ -s "$f" ] || continue
		say "--- $f (last lines)" >&2
		tail -n 8 "$f" >&2
	done
	say "xlat464 lab up: undoing what was built" >&2
	do_down >/dev/null 2>&1
	exit 1
}

do_up() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -x "$XLAT464" ] || die "no xlat464 binary at $XLAT464 (run make, or set XLAT464=)"
	need ip nft dhcpcd udhcpc socat curl traceroute ping setsid
	[ -x "$PY" ] || die "missing $PY"
	if [ -e "$STATE/pids" ] || [ -n "$(lab_namespaces)" ]; then
		die "the lab is already up (namespaces: $(lab_namespaces | tr '\n' ' ')state: $STATE); run 'xlat464 lab down' first"
	fi
	mkdir -p "$STATE" || die "mkdir $STATE"
	chmod 755 "$STATE"
	: >"$STATE/pids"
	say "xlat464 lab: building namespaces ${P}{router,server,client,client4} (state in $STATE)"

	local ns
	for ns in $ALL_NS; do
		ip netns add "$ns" || fail_up "ip netns add $ns"
		nsx "$ns" ip link set lo up
		nsx "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null
	done
	nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || fail_up "forwarding"
	# Loose reverse-path filtering: the PLAT's kernel fast path makes IPv4 packets from the pool on br0,
	# whose route is the TUN (strict filtering, 1, would drop them; docs/plat.md)
	nsx "$NSR" sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.default.rp_filter=2 >/dev/null

	# The LAN: a bridge in the router namespace (no STP delay, no multicast snooping: the CLAT
	# answers neighbour solicitations for its address without sending MLD reports).
	ip -n "$NSR" link add br0 type bridge forward_delay 0 stp_state 0 mcast_snooping 0 || fail_up "bridge"
	ip -n "$NSR" addr add "$R6/64" dev br0 nodad
	ip -n "$NSR" addr add "$R4/24" dev br0
	ip -n "$NSR" link set br0 up
	ip link add "$IFC" netns "$NSC" address 00:00:5e:00:53:21 type veth peer name lan-c1 netns "$NSR" || fail_up "veth client"
	ip link add "$IFC4" netns "$NSC4" address 00:00:5e:00:53:22 type veth peer name lan-c2 netns "$NSR" || fail_up "veth client4"
	ip -n "$NSR" link set lan-c1 master br0 up
	ip -n "$NSR" link set lan-c2 master br0 up
	nsx "$NSC" sysctl -qw "net.ipv6.conf.$IFC.accept_ra=1" "net.ipv6.conf.$IFC.autoconf=1" >/dev/null
	nsx "$NSC4" sysctl -qw "net.ipv6.conf.$IFC4.accept_ra=1" "net.ipv6.conf.$IFC4.autoconf=1" >/dev/null
	ip -n "$NSC" link set "$IFC" up
	ip -n "$NSC4" link set "$IFC4" up

	# The IPv4 side: router <-> server.
	ip link add r-s netns "$NSR" type veth peer name s-r netns "$NSS" || fail_up "veth server"
	ip -n "$NSR" addr add "$RS4/24" dev r-s
	ip -n "$NSR" link set r-s up
	ip -n "$NSS" addr add "$S4/24" dev s-r
	ip -n "$NSS" link set s-r up
	ip -n "$NSS" route add default via "$RS4"

	# The server: a web page and a UDP echo.
	mkdir -p "$STATE/www"
	cat >"$STATE/www/index.html" <<EOF
<!DOCTYPE html>
<html><head><title>xlat464 lab</title></head>
<body><h1>Hello from the IPv4-only server</h1><p>$S4, reached through 464XLAT.</p></body></html>
EOF
	head -c 8388608 /dev/urandom >"$STATE/www/8MiB.bin"
	start web "$NSS" "$PY" -m http.server "$WEB_PORT" --bind "$S4" --directory "$STATE/www"
	start echo "$NSS" socat "UDP4-RECVFROM:$ECHO_PORT,bind=$S4,fork" PIPE

	# The router: PREF64 announcer and SLAAC router, option-108 DHCPv4 responder.
	wait_for 10 sh -c "ip -n $NSR -6 addr show dev br0 scope link | grep -v tentative | grep -q inet6" ||
		fail_up "br0 has no link-local address"
	start ra "$NSR" "$XLAT464" ra --interface br0 --router --prefix "${PREFIX6}/64" --pref64 "$PREF64" \
		--interval 10 --control "$STATE/ra.sock" --foreground
	start dhcp4 "$NSR" "$XLAT464" dhcp4 --interface br0 --mode mostly --pool "$POOL_FIRST-$POOL_LAST" \
		--router "$R4" --lease-time 3600 --lease-file "$STATE/dhcp4.leases" --control "$STATE/dhcp4.sock"
	wait_for 10 test -S "$STATE/ra.sock" || fail_up "xlat464 ra did not start"
	wait_for 10 test -S "$STATE/dhcp4.sock" || fail_up "xlat464 dhcp4 did not start"

	# NAT44 for the IPv4 client of the mostly network (the PLAT needs none: its pool is routed).
	nsx "$NSR" nft -f - <<EOF || fail_up "nft"
table ip x464lab {
	chain post {
		type nat hook postrouting priority 100;
		oifname "r-s" ip saddr 192.0.2.0/24 masquerade
	}
}
EOF

	# Client 1: dhcpcd asks for option 108 (and gets no IPv4), the kernel does SLAAC, the CLAT learns
	# the PREF64 from the RA.
	printf 'option ipv6_only_preferred\nrequire dhcp_server_identifier\nnoipv4ll\n' >"$STATE/dhcpcd.conf"
	rm -f /var/lib/dhcpcd/"$IFC"*.lease /run/dhcpcd/"$IFC"* 2>/dev/null
	start dhcpcd "$NSC" dhcpcd -f "$STATE/dhcpcd.conf" -c /bin/true -4 -B -d "$IFC"
	wait_for 30 grep -q "IPv6-Only Preferred received" "$STATE/dhcpcd.log" || fail_up "dhcpcd got no option 108"
	wait_for 30 sh -c "ip -n $NSC -6 route show default | grep -q . &&
		ip -n $NSC -6 addr show dev $IFC scope global | grep -v tentative | grep -q 'inet6 ${PREFIX6%::}:'" ||
		fail_up "no SLAAC address or default route on the client"
	start clat "$NSC" "$XLAT464" clat --uplink "$IFC" --no-dns64 --control "$STATE/clat.sock" --foreground
	wait_for 30 grep -q "waiting -> running\|dad -> running" "$STATE/clat.log" || fail_up "the CLAT did not come up"
	local clat6
	clat6=$(sed -n 's/.*: CLAT \([0-9a-f:]*\) = 192.0.0.1 via.*/\1/p' "$STATE/clat.log" | tail -n 1)
	[ -n "$clat6" ] || fail_up "could not read the CLAT's IPv6 address from its status"
	say "$clat6" >"$STATE/clat-ipv6"

	# The PLAT: the stateful NAT64, which makes its TUN and routes pool6 and pool4 into it itself. The
	# lab's "Internet" uses documentation addresses, which RFC 6052 section 3.1 keeps away from the
	# well-known prefix unless the operator says otherwise (docs/plat.md).
	# With its kernel fast path on the LAN bridge and the server side: established TCP and UDP sessions
	# are translated by a TC program at their ingress (on a kernel that refuses it, the PLAT says why
	# and carries everything on its TUN).
	start plat "$NSR" "$XLAT464" plat --tun nat64 --pool6 "$PREF64" --pool4 "$POOL4" --allow-wkp-non-global yes \
		--self4 "$SELF4" --self6 "$SELF6" --log "$STATE/plat-events.log" --control "$STATE/plat.sock" \
		--bpf-offload br0 r-s --foreground
	wait_for 10 test -S "$STATE/plat.sock" || fail_up "xlat464 plat did not start"

	# Client 2: udhcpc, no option 108: an IPv4 lease from the pool (recorded, then configured here).
	cat >"$STATE/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] || [ "\$1" = renew ] || exit 0
echo "ip=\$ip subnet=\$subnet router=\$router lease=\$lease serverid=\$serverid" >"$STATE/udhcpc.\$\$"
mv "$STATE/udhcpc.\$\$" "$STATE/udhcpc.lease"
EOF
	chmod +x "$STATE/udhcpc.sh"
	nsx "$NSC4" timeout 30 udhcpc -i "$IFC4" -f -n -q -t 5 -T 2 -A 1 -s "$STATE/udhcpc.sh" >"$STATE/udhcpc.log" 2>&1
	local ip4
	ip4=$(sed -n 's/^ip=\([0-9.]*\) .*/\1/p' "$STATE/udhcpc.lease" 2>/dev/null)
	if [ -n "$ip4" ]; then
		ip -n "$NSC4" addr add "$ip4/24" dev "$IFC4"
		ip -n "$NSC4" route add default via "$R4"
	else
		say "xlat464 lab: the second client (udhcpc) got no lease; going on without it" >&2
	fi

	# End to end, within a deadline, before saying it is up.
	wait_for 20 nsx "$NSC" ping -c 1 -W 1 "$S4" || fail_up "no IPv4 from the client to $S4 through the CLAT and PLAT"
	wait_for 10 nsx "$NSC" curl -s -m 2 -o /dev/null "http://$S4:$WEB_PORT/" || fail_up "the web server does not answer"
	say "xlat464 lab: up. The client $NSC is IPv6-only (CLAT $clat6 = 192.0.0.1; PLAT pool $POOL4)."
	say "  next: xlat464 lab tour     (or: ip netns exec $NSC ping $S4)"
	say "  then: xlat464 lab down"
}

# ---- tour ---------------------------------------------------------------------------------------
step() { printf '\n== %s\n' "$*"; }
show() { # show COMMAND...: print the command as typed, then its output indented
	say "\$ $*"
	"$@" 2>&1 | sed 's/^/    /'
	return "${PIPESTATUS[0]}"
}
inc() { say "\$ ip netns exec $NSC $*"; ip netns exec "$NSC" "$@" 2>&1 | sed 's/^/    /'; return "${PIPESTATUS[0]}"; }

do_tour() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -e "$STATE/pids" ] || die "the lab is not up (run 'xlat464 lab up' first)"
	local rc=0 n
	say "The tour: an IPv6-only client ($NSC) on an IPv6-mostly network reaching an IPv4-only server ($S4)."

	step "1. DHCPv4: the client asks for option 108 (IPv6-Only Preferred, RFC 8925) and gets no IPv4 address"
	say "\$ grep 'IPv6-Only Preferred' $STATE/dhcpcd.log   # dhcpcd in $NSC"
	grep -m 1 "IPv6-Only Preferred received" "$STATE/dhcpcd.log" | sed 's/^/    /' || rc=1
	say "\$ grep 'option 108' $STATE/dhcp4.log   # xlat464 dhcp4 in $NSR"
	grep "asked for option 108" "$STATE/dhcp4.log" | sed 's/^/    /'
	inc ip -4 addr show dev "$IFC"
	say "    (no inet line: the client has no IPv4 address)"
	if [ -s "$STATE/udhcpc.lease" ]; then
		say "The second client ($NSC4, udhcpc, does not ask for 108) got a lease from the pool:"
		sed 's/^/    /' "$STATE/udhcpc.lease"
	fi

	step "2. The PREF64 learned from the Router Advertisement (RFC 8781)"
	say "\$ xlat464 status --control $STATE/clat.sock | grep -E '^ *(pref64|prefix-sources|ra seen) '"
	"$XLAT464" status --control "$STATE/clat.sock" 2>&1 | grep -E '^ *(pref64|prefix-sources|ra seen) ' | sed 's/^/    /'

	step "3. The CLAT is up: state running, 192.0.0.1 on the TUN clat"
	say "\$ xlat464 status --control $STATE/clat.sock | grep -E '^ *(state|clat-ipv6|clat-ipv4|route4) '"
	"$XLAT464" status --control "$STATE/clat.sock" 2>&1 | grep -E '^ *(state|clat-ipv6|clat-ipv4|route4) ' | sed 's/^/    /'
	inc ip -4 addr show dev clat
	inc ip -4 route show

	step "4. ping an IPv4 literal from the IPv6-only client"
	inc ping -c 3 -W 2 "$S4" || rc=1

	step "5. A web page from an IPv4 literal, and a UDP echo"
	inc curl -s -m 10 "http://$S4:$WEB_PORT/" || rc=1
	say "\$ echo 'hello over UDP' | ip netns exec $NSC socat -T 3 - UDP4:$S4:$ECHO_PORT"
	echo "hello over UDP" | ip netns exec "$NSC" timeout 10 socat -T 3 - "UDP4:$S4:$ECHO_PORT" 2>&1 | sed 's/^/    /'
	say "A bigger download: once the TCP session is established, the PLAT hands it to its kernel fast path"
	inc curl -s -m 30 -o /dev/null -w '%{size_download} bytes, HTTP %{http_code}\n' "http://$S4:$WEB_PORT/8MiB.bin" || rc=1
	say "\$ xlat464 status --control $STATE/plat.sock | sed -n '/^kernel fast path/,/passed/p'"
	"$XLAT464" status --control "$STATE/plat.sock" 2>&1 | sed -n '/^kernel fast path/,/passed/p' | sed 's/^/    /'

	step "6. traceroute with hops (192.0.0.8: an IPv6 router seen through the CLAT; $SELF4: the PLAT)"
	inc traceroute -n -q 1 -w 2 -m 8 "$S4" || rc=1

	step "7. The status of every daemon"
	for n in clat plat ra dhcp4; do
		say "\$ xlat464 status --control $STATE/$n.sock   # $n"
		"$XLAT464" status --control "$STATE/$n.sock" 2>&1 | sed 's/^/    /'
		[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	done
	say "\$ xlat464 status --control $STATE/plat.sock --sessions   # the PLAT's sessions (RFC 6146)"
	"$XLAT464" status --control "$STATE/plat.sock" --sessions 2>&1 | head -n 12 | sed 's/^/    /'
	say "\$ head $STATE/plat-events.log   # its binding log (RFC 6888 REQ-12)"
	head -n 6 "$STATE/plat-events.log" 2>&1 | sed 's/^/    /'
	say ""
	say "End of the tour. 'xlat464 lab down' removes everything."
	return $rc
}

# ---- down ---------------------------------------------------------------------------------------
do_down() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	local name pid ns left p deadline
	# Every pid the lab recorded, if it is still in the namespace it was started in (a recycled pid
	# belonging to something else is never signalled).
	if [ -e "$STATE/pids" ]; then
		while read -r name pid ns; do
			[ -n "$pid" ] || continue
			kill -0 "$pid" 2>/dev/null || continue
			[ "$(ip netns identify "$pid" 2>/dev/null)" = "$ns" ] || continue
			kill -TERM "$pid" 2>/dev/null && say "stopped $name ($pid)"
		done <"$STATE/pids"
	fi
	# Anything else still inside the lab's namespaces was started by the lab (udhcpc, a tour command).
	for ns in $(lab_namespaces); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -TERM "$p" 2>/dev/null; done
	done
	# xlat464 ra sends its final RA up to 3 s after SIGTERM; wait up to 8 s, then SIGKILL.
	deadline=$((SECONDS + 8))
	while :; do
		left=
		for ns in $(lab_namespaces); do left="$left$(ip netns pids "$ns" 2>/dev/null)"; done
		[ -z "$left" ] && break
		if [ "$SECONDS" -ge "$deadline" ]; then
			for ns in $(lab_namespaces); do
				for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
			done
			sleep 0.3
			break
		fi
		sleep 0.2
	done
	for ns in $(lab_namespaces); do ip netns del "$ns" && say "deleted namespace $ns"; done
	rm -f /var/lib/dhcpcd/"$IFC"*.lease /run/dhcpcd/"$IFC"* 2>/dev/null
	rm -rf "$STATE"
	left=$(lab_namespaces)
	[ -z "$left" ] || die "namespaces left: $left"
	say "xlat464 lab: down"
}

case "${1:-}" in
up) do_up ;;
tour) do_tour ;;
down) do_down ;;
*)
	say "usage: xlat464 lab up|tour|down   (or scripts/lab.sh, as root)" >&2
	exit 2
	;;
esac
