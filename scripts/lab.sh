#!/bin/bash
# xlat464 lab: the whole 464XLAT system of an IPv6-mostly network, in network namespaces on this
# machine. Run as root (usually through `xlat464 lab up|tour|doctor|down`, which sets XLAT464):
#
#     scripts/lab.sh up      # build the namespaces and start every daemon (refuses if already up)
#     scripts/lab.sh up --plats 3   # the same with 3 PLAT instances behind ECMP (below)
#     scripts/lab.sh up --v6only    # an IPv6-only network instead (below)
#     scripts/lab.sh tour    # show, step by step, IPv4 working from the IPv6-only client
#     scripts/lab.sh doctor  # xlat464 doctor in the client (target: the server), --router in the router
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
# With --plats N (2 to 8) the PLAT leaves the router: N instances, each in its namespace
# x464lab-platK on a link r-pK (router) <-> p-r (198.51.100.128+4(K-1)+1/30 and 2001:db8:2:K::1/64 on
# the router side, +2 and ::2 on the PLAT's), each with a disjoint share of 198.51.100.0/28 (a /29, /30
# or /31). A BIRD in each PLAT namespace announces its share and 64:ff9b::/96 by eBGP (AS 64496+K) to
# the BIRD of the router (AS 64496) for as long as its TUN nat64 exists, that is for as long as
# xlat464 plat runs; the router merges the instances' 64:ff9b::/96 into one multipath route and,
# for a hashing that does not move surviving flows when an instance leaves, nftables marks each flow
# with a stable hash (symhash mod N) that picks kernel table 100+K, which holds instance K's route
# only while it is announced (docs/plat.md, "Scale-out behind ECMP").
#
# With --v6only the access side has no IPv4 at all: br0 has no IPv4 address, xlat464 dhcp4 runs in
# --mode v6only (option 108 to the clients that ask, nothing to the others) and writes its clients
# file, the second client (udhcpc, no option 108) gets no IPv4 and lives on SLAAC, and the router runs
# unbound (on [::1]:5300, serving the zone example., server.example A 203.0.113.2) behind xlat464
# dns64 on [2001:db8:1::1]:53, announced by RDNSS: the second client gets
# server.example AAAA 64:ff9b::203.0.113.2 and reaches the server through the PLAT; the first, which
# has a CLAT, gets the A record only and reaches it through its CLAT (docs/dns64.md).
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
PLATS=1             # PLAT instances: `up --plats N`; recorded in $STATE/plats for tour and down
V6ONLY=0            # `up --v6only`; recorded in $STATE/v6only for tour
NAME4=server.example  # the IPv4-only server's name in the --v6only lab's DNS
DNS64_ADDR=64:ff9b::cb00:7102  # 64:ff9b::203.0.113.2, what dns64 synthesizes for it
PLATS_MAX=8
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

# The lab's namespaces: exactly these names (so that a lab under another prefix, such as the test's
# x464lab-t<pid>-, is never taken for this one).
lab_namespaces() { ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^${P}(router|server|client|client4|plat[1-8])\$" || true; }

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
	[ "$PLATS" -eq 1 ] || need bird birdc
	[ "$V6ONLY" -eq 0 ] || need unbound dig
	[ -x "$PY" ] || die "missing $PY"
	if [ -e "$STATE/pids" ] || [ -n "$(lab_namespaces)" ]; then
		die "the lab is already up (namespaces: $(lab_namespaces | tr '\n' ' ')state: $STATE); run 'xlat464 lab down' first"
	fi
	mkdir -p "$STATE" || die "mkdir $STATE"
	chmod 755 "$STATE"
	local k
	: >"$STATE/pids"
	say "$PLATS" >"$STATE/plats"
	say "$V6ONLY" >"$STATE/v6only"
	if [ "$PLATS" -gt 1 ]; then
		for k in $(seq 1 "$PLATS"); do ALL_NS="$ALL_NS ${P}plat$k"; done
		say "xlat464 lab: building namespaces ${P}{router,server,client,client4,plat1..$PLATS} (state in $STATE)"
	else
		say "xlat464 lab: building namespaces ${P}{router,server,client,client4} (state in $STATE)"
	fi

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
	[ "$V6ONLY" -eq 1 ] || ip -n "$NSR" addr add "$R4/24" dev br0
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
	if [ "$V6ONLY" -eq 1 ]; then
		start ra "$NSR" "$XLAT464" ra --interface br0 --router --prefix "${PREFIX6}/64" --pref64 "$PREF64" \
			--rdnss "$R6" --interval 10 --control "$STATE/ra.sock" --foreground
		start dhcp4 "$NSR" "$XLAT464" dhcp4 --interface br0 --mode v6only --server-id "$R4" \
			--clients-file "$STATE/dhcp4.clients" --control "$STATE/dhcp4.sock"
	else
		start ra "$NSR" "$XLAT464" ra --interface br0 --router --prefix "${PREFIX6}/64" --pref64 "$PREF64" \
			--interval 10 --control "$STATE/ra.sock" --foreground
		start dhcp4 "$NSR" "$XLAT464" dhcp4 --interface br0 --mode mostly --pool "$POOL_FIRST-$POOL_LAST" \
			--router "$R4" --lease-time 3600 --lease-file "$STATE/dhcp4.leases" --control "$STATE/dhcp4.sock"
	fi
	wait_for 10 test -S "$STATE/ra.sock" || fail_up "xlat464 ra did not start"
	wait_for 10 test -S "$STATE/dhcp4.sock" || fail_up "xlat464 dhcp4 did not start"
	[ "$V6ONLY" -eq 0 ] || up_dns64

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
	if [ "$PLATS" -eq 1 ]; then
		start plat "$NSR" "$XLAT464" plat --tun nat64 --pool6 "$PREF64" --pool4 "$POOL4" --allow-wkp-non-global yes \
			--self4 "$SELF4" --self6 "$SELF6" --log "$STATE/plat-events.log" --control "$STATE/plat.sock" \
			--bpf-offload br0 r-s --foreground
		wait_for 10 test -S "$STATE/plat.sock" || fail_up "xlat464 plat did not start"
	else
		up_plats
	fi

	if [ "$V6ONLY" -eq 1 ]; then
		up_client2_v6only
	else
		up_client2_mostly
	fi

	# End to end, within a deadline, before saying it is up.
	wait_for 20 nsx "$NSC" ping -c 1 -W 1 "$S4" || fail_up "no IPv4 from the client to $S4 through the CLAT and PLAT"
	wait_for 10 nsx "$NSC" curl -s -m 2 -o /dev/null "http://$S4:$WEB_PORT/" || fail_up "the web server does not answer"
	if [ "$V6ONLY" -eq 1 ]; then
		wait_for 10 client2_fetch || fail_up "the second client does not reach $NAME4 through dns64 and the PLAT"
	fi
	if [ "$PLATS" -eq 1 ]; then
		say "xlat464 lab: up. The client $NSC is IPv6-only (CLAT $clat6 = 192.0.0.1; PLAT pool $POOL4)."
	else
		say "xlat464 lab: up. The client $NSC is IPv6-only (CLAT $clat6 = 192.0.0.1); $PLATS PLAT instances behind ECMP:"
		for k in $(seq 1 "$PLATS"); do say "  ${P}plat$k: pool4 $(plat_share "$k"), BGP AS $(plat_as "$k")"; done
	fi
	[ "$V6ONLY" -eq 0 ] || say "  IPv6-only network: $NSC4 has no CLAT and reaches $NAME4 through xlat464 dns64 ($R6) and the PLAT."
	say "  next: xlat464 lab tour     (or: ip netns exec $NSC ping $S4)"
	say "  then: xlat464 lab down"
}

# --v6only: unbound with the lab's zone, and xlat464 dns64 in front of it on the LAN.
up_dns64() {
	cat >"$STATE/example.zone" <<EOF
\$ORIGIN example.
@ 300 IN SOA ns.example. admin.example. 1 3600 600 86400 300
@ 300 IN NS ns.example.
ns 300 IN AAAA $R6
server 300 IN A $S4
EOF
	cat >"$STATE/unbound.conf" <<EOF
server:
	interface: ::1@5300
	access-control: ::1/128 allow
	do-ip4: no
	username: ""
	chroot: ""
	directory: "$STATE"
	pidfile: "$STATE/unbound.pid"
	use-syslog: no
	module-config: "iterator"
auth-zone:
	name: "example."
	zonefile: "$STATE/example.zone"
	for-downstream: no
	for-upstream: yes
	fallback-enabled: no
EOF
	start unbound "$NSR" unbound -d -c "$STATE/unbound.conf"
	wait_for 10 sh -c "ip netns exec $NSR ss -Hlun 'sport = :5300' | grep -q ." || fail_up "unbound did not start"
	start dns64 "$NSR" "$XLAT464" dns64 --upstream ::1 5300 --listen "$R6" 53 --prefix "$PREF64" --interface br0 \
		--clients-file "$STATE/dhcp4.clients" --control "$STATE/dns64.sock" --foreground
	wait_for 10 test -S "$STATE/dns64.sock" || fail_up "xlat464 dns64 did not start"
}

# --v6only: client 2 asks for an address without option 108 (xlat464 dhcp4 notes it and stays
# silent), and lives on SLAAC; the router learns its addresses when it talks to it.
up_client2_v6only() {
	nsx "$NSC4" timeout 10 udhcpc -i "$IFC4" -f -n -q -t 2 -T 1 -s /bin/true >"$STATE/udhcpc.log" 2>&1
	wait_for 10 grep -q "00:00:5e:00:53:22 no" "$STATE/dhcp4.clients" || fail_up "dhcp4 did not note the second client"
	wait_for 30 sh -c "ip -n $NSC4 -6 route show default | grep -q . &&
		ip -n $NSC4 -6 addr show dev $IFC4 scope global | grep -v tentative | grep -q 'inet6 ${PREFIX6%::}:'" ||
		fail_up "no SLAAC address or default route on the second client"
	nsx "$NSC4" ping -c 1 -W 2 "$R6" >/dev/null 2>&1
	nsx "$NSC" ping -c 1 -W 2 "$R6" >/dev/null 2>&1
}
client2_aaaa() { nsx "$NSC4" dig @"$R6" +short +time=2 +tries=1 AAAA "$NAME4"; }
client2_fetch() {
	local a
	a=$(client2_aaaa | head -n 1)
	[ "$a" = "$DNS64_ADDR" ] && nsx "$NSC4" curl -s -m 3 -o /dev/null -g "http://[$a]:$WEB_PORT/"
}

up_client2_mostly() {
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
}

# ---- up --plats N: PLAT instances behind ECMP ----------------------------------------------------
# Instance K (1..N): a share of pool4 (198.51.100.0/28 cut into the smallest power of two of equal
# parts that holds N: a /29, /30 or /31; disjoint prefixes, because the IPv4 side can route a prefix
# back to its instance but not a port range), its link to the router and its BGP AS (RFC 5398
# documentation numbers: the router 64496, instance K 64496+K).
ROUTER_AS=64496
plat_share_len() { local b=0; while [ $((1 << b)) -lt "$PLATS" ]; do b=$((b + 1)); done; say $((28 + b)); }
plat_share() { local len; len=$(plat_share_len); say "198.51.100.$((($1 - 1) << (32 - len)))/$len"; }
plat_self4() { local len; len=$(plat_share_len); say "198.51.100.$(((($1 - 1) << (32 - len)) + 1))"; }
plat_link4() { say "198.51.100.$((128 + 4 * ($1 - 1) + $2))"; } # K 1: the router's end; K 2: the PLAT's
plat_as() { say $((ROUTER_AS + $1)); }
plat_table() { say $((100 + $1)); }

# The router's BIRD: one eBGP session per instance and family, each accepting only what that instance
# may announce. IPv4: each share into master4, exported to the kernel. IPv6: each instance's
# 64:ff9b::/96 into a table of its own, piped into master6, where `merge paths` makes one multipath
# route of them in the main kernel table; and the instance's table alone goes to kernel table 100+K,
# chosen by the nftables hash. Short BGP timers: a dead BIRD (a dead PLAT host) is noticed within 6 s;
# a dead xlat464 plat is withdrawn at once, because its BIRD sees the TUN go.
bird_router_conf() {
	local k
	cat <<EOF
# BIRD of the lab's router (${NSR}); written by scripts/lab.sh up --plats $PLATS
router id $RS4;
log stderr all;
protocol device { }
protocol kernel kernel4 {
	ipv4 { import none; export where source = RTS_BGP; };
}
protocol kernel kernel6 {
	merge paths on limit $PLATS_MAX;
	ipv6 { import none; export where source = RTS_BGP; };
}
template bgp plat {
	local as $ROUTER_AS;
	hold time 6; keepalive time 2;
	connect delay time 1; connect retry time 1; error wait time 1, 5;
}
EOF
	for k in $(seq 1 "$PLATS"); do
		cat <<EOF
ipv6 table plat${k}v6;
protocol bgp plat${k}_4 from plat {
	neighbor $(plat_link4 "$k" 2) as $(plat_as "$k");
	ipv4 { import where net = $(plat_share "$k"); export none; };
}
protocol bgp plat${k}_6 from plat {
	neighbor 2001:db8:2:$k::2 as $(plat_as "$k");
	ipv6 { table plat${k}v6; import where net = $PREF64; export none; };
}
protocol pipe plat${k}_pipe { table master6; peer table plat${k}v6; import all; export none; }
protocol kernel plat${k}_kernel {
	kernel table $(plat_table "$k");
	ipv6 { table plat${k}v6; import none; export all; };
}
EOF
	done
}

# BIRD of instance K: its share and 64:ff9b::/96 as routes through the TUN nat64, which exists only
# while xlat464 plat runs (the daemon makes it, not persistent; the kernel deletes it with its last
# file descriptor, even after SIGKILL): BIRD's device protocol sees it come and go, the static routes
# follow, and BGP announces or withdraws them. No kernel protocol: the daemon routes into its TUN itself.
bird_plat_conf() {
	local k=$1
	cat <<EOF
# BIRD of PLAT instance $k (${P}plat$k); written by scripts/lab.sh up --plats $PLATS
router id $(plat_link4 "$k" 2);
log stderr all;
protocol device { }
protocol static pool4 { ipv4; route $(plat_share "$k") via "nat64"; }
protocol static pool6 { ipv6; route $PREF64 via "nat64"; }
template bgp uplink {
	local as $(plat_as "$k");
	hold time 6; keepalive time 2;
	connect delay time 1; connect retry time 1; error wait time 1, 5;
}
protocol bgp uplink4 from uplink {
	neighbor $(plat_link4 "$k" 1) as $ROUTER_AS;
	ipv4 { import none; export where proto = "pool4"; };
}
protocol bgp uplink6 from uplink {
	neighbor 2001:db8:2:$k::1 as $ROUTER_AS;
	ipv6 { import none; export where proto = "pool6"; };
}
EOF
}

# start_bird NAME NS CONF: BIRD in the foreground (so that the recorded pid is its own), with its own
# control socket and pid file in $STATE: never the system's /run/bird or /etc/bird.
start_bird() {
	bird -p -c "$3" >"$STATE/$1.check" 2>&1 || fail_up "bird -p $3: $(cat "$STATE/$1.check")"
	start "$1" "$2" bird -f -c "$3" -s "$STATE/$1.ctl" -P "$STATE/$1.pid"
}

ecmp_ready() { # the router has every instance's share and N next hops for 64:ff9b::/96
	local k
	[ "$(ip -n "$NSR" -6 route show "$PREF64" | grep -c 'nexthop via')" -eq "$PLATS" ] || return 1
	for k in $(seq 1 "$PLATS"); do
		ip -n "$NSR" route show "$(plat_share "$k")" | grep -q "via $(plat_link4 "$k" 2)" || return 1
		ip -n "$NSR" -6 route show table "$(plat_table "$k")" "$PREF64" | grep -q via || return 1
	done
}

up_plats() {
	local k ns
	# L4 hashing for the multipath route (it carries the flows of an instance that has gone)
	nsx "$NSR" sysctl -qw net.ipv6.fib_multipath_hash_policy=1 net.ipv4.fib_multipath_hash_policy=1 >/dev/null ||
		fail_up "fib_multipath_hash_policy"
	# no DAD on the links (BGP wants the link-local next hop at once)
	nsx "$NSR" sysctl -qw net.ipv6.conf.default.accept_dad=0 >/dev/null
	bird_router_conf >"$STATE/bird-router.conf"
	start_bird bird-router "$NSR" "$STATE/bird-router.conf"
	for k in $(seq 1 "$PLATS"); do
		ns=${P}plat$k
		nsx "$ns" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv6.conf.default.accept_dad=0 \
			net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.default.rp_filter=2 >/dev/null || fail_up "forwarding in $ns"
		ip link add "r-p$k" netns "$NSR" type veth peer name p-r netns "$ns" || fail_up "veth r-p$k"
		ip -n "$NSR" addr add "$(plat_link4 "$k" 1)/30" dev "r-p$k"
		ip -n "$NSR" addr add "2001:db8:2:$k::1/64" dev "r-p$k" nodad
		ip -n "$NSR" link set "r-p$k" up
		ip -n "$ns" addr add "$(plat_link4 "$k" 2)/30" dev p-r
		ip -n "$ns" addr add "2001:db8:2:$k::2/64" dev p-r nodad
		ip -n "$ns" link set p-r up
		ip -n "$ns" route add default via "$(plat_link4 "$k" 1)"
		ip -n "$ns" -6 route add default via "2001:db8:2:$k::1"
		# the stable hash's mark K looks in table 100+K first; empty (instance K gone): on to main
		ip -n "$NSR" -6 rule add pref $((1000 + k)) fwmark "$k" lookup "$(plat_table "$k")" || fail_up "ip rule $k"
		start "plat$k" "$ns" "$XLAT464" plat --tun nat64 --pool6 "$PREF64" --pool4 "$(plat_share "$k")" \
			--allow-wkp-non-global yes --self4 "$(plat_self4 "$k")" --log "$STATE/plat$k-events.log" \
			--control "$STATE/plat$k.sock" --bpf-offload p-r --foreground
		bird_plat_conf "$k" >"$STATE/bird-plat$k.conf"
		start_bird "bird-plat$k" "$ns" "$STATE/bird-plat$k.conf"
	done
	nsx "$NSR" nft -f - <<EOF || fail_up "nft (ecmp)"
table ip6 x464lab_ecmp {
	chain pre {
		type filter hook prerouting priority mangle;
		ip6 daddr $PREF64 meta mark set symhash mod $PLATS offset 1
	}
}
EOF
	for k in $(seq 1 "$PLATS"); do
		wait_for 10 test -S "$STATE/plat$k.sock" || fail_up "xlat464 plat in ${P}plat$k did not start"
	done
	wait_for 30 ecmp_ready || fail_up "BIRD did not give the router all $PLATS instances' routes"
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
	if [ "$V6ONLY" -eq 1 ]; then
		say "The tour: two IPv6-only clients ($NSC with a CLAT, $NSC4 without) on an IPv6-only network reaching an IPv4-only server ($S4, $NAME4)."
	else
		say "The tour: an IPv6-only client ($NSC) on an IPv6-mostly network reaching an IPv4-only server ($S4)."
	fi

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
	if [ "$V6ONLY" -eq 1 ]; then
		say "An IPv6-only network (--mode v6only): the second client ($NSC4, udhcpc, does not ask for 108)"
		say "got no answer and no IPv4 address. dhcp4's clients file, which xlat464 dns64 follows:"
		show cat "$STATE/dhcp4.clients"
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
	for n in $(plat_names); do
		say "\$ xlat464 status --control $STATE/$n.sock | sed -n '/^bpf_offload:/,/passed/p'"
		"$XLAT464" status --control "$STATE/$n.sock" 2>&1 | sed -n '/^bpf_offload:/,/passed/p' | sed 's/^/    /'
	done

	[ "$V6ONLY" -eq 0 ] || tour_dns64 || rc=1

	if [ "$PLATS" -eq 1 ]; then
		step "6. traceroute with hops (192.0.0.8: an IPv6 router seen through the CLAT; $SELF4: the PLAT)"
	else
		step "6. traceroute with hops (192.0.0.8: an IPv6 router seen through the CLAT; 198.51.100.x: a PLAT instance)"
	fi
	inc traceroute -n -q 1 -w 2 -m 8 "$S4" || rc=1

	step "7. The status of every daemon"
	local daemons="clat $(plat_names) ra dhcp4"
	[ "$V6ONLY" -eq 0 ] || daemons="$daemons dns64"
	for n in $daemons; do
		say "\$ xlat464 status --control $STATE/$n.sock   # $n"
		"$XLAT464" status --control "$STATE/$n.sock" 2>&1 | sed 's/^/    /'
		[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	done
	for n in $(plat_names); do
		say "\$ xlat464 status --control $STATE/$n.sock --sessions   # the PLAT's sessions (RFC 6146)"
		"$XLAT464" status --control "$STATE/$n.sock" --sessions 2>&1 | head -n 12 | sed 's/^/    /'
		say "\$ head $STATE/$n-events.log   # its binding log (RFC 6888 REQ-12)"
		head -n 6 "$STATE/$n-events.log" 2>&1 | sed 's/^/    /'
	done
	[ "$PLATS" -eq 1 ] || tour_ecmp || rc=1
	say ""
	say "End of the tour. 'xlat464 lab down' removes everything."
	return $rc
}

# Step 5b, with --v6only: the selective DNS64 answers each client as it needs.
tour_dns64() {
	local rc=0 a
	step "5b. DNS64 for the client without a CLAT, not for the one with it (xlat464 dns64, RFC 6147)"
	say "The CLAT client ($NSC) asked for option 108: dns64 passes its answers untouched, no AAAA for $NAME4;"
	say "it uses the A record through its CLAT, as above:"
	inc dig @"$R6" +short AAAA "$NAME4"
	inc dig @"$R6" +short A "$NAME4" || rc=1
	say "The other client ($NSC4) has no CLAT and no IPv4: dns64 synthesizes $NAME4 AAAA under $PREF64:"
	say "\$ ip netns exec $NSC4 dig @$R6 +short AAAA $NAME4"
	a=$(client2_aaaa 2>&1)
	say "$a" | sed 's/^/    /'
	[ "$(say "$a" | head -n 1)" = "$DNS64_ADDR" ] || rc=1
	say "and fetches the page over IPv6, through the PLAT:"
	say "\$ ip netns exec $NSC4 curl -g http://[$DNS64_ADDR]:$WEB_PORT/"
	nsx "$NSC4" curl -s -m 10 -g "http://[$DNS64_ADDR]:$WEB_PORT/" 2>&1 | sed 's/^/    /'
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	return $rc
}

plat_names() { # the PLAT daemons' names in $STATE/pids (and of their sockets and logs)
	if [ "$PLATS" -eq 1 ]; then say plat; else seq -f 'plat%g' 1 "$PLATS"; fi
}

# Step 8, with --plats N: what routing made of the instances, and where the flows went.
tour_ecmp() {
	local k rc=0
	step "8. Scale-out: $PLATS PLAT instances behind ECMP, announced by BIRD"
	say "Each instance's BIRD announces its pool4 share and 64:ff9b::/96 while its TUN exists; the router's BIRD"
	say "installs one route per share and a multipath route for 64:ff9b::/96:"
	say "\$ birdc -s $STATE/bird-router.ctl show protocols   # in $NSR"
	birdc -s "$STATE/bird-router.ctl" show protocols 2>&1 | sed 's/^/    /'
	[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	show ip -n "$NSR" route show proto bird
	show ip -n "$NSR" -6 route show "$PREF64"
	say "Flows are pinned by a stable hash (nftables symhash -> mark K -> table 100+K), so that surviving flows stay"
	say "where they are when an instance leaves; the multipath route takes the flows of an instance that is gone:"
	show ip -n "$NSR" -6 rule show
	for k in $(seq 1 "$PLATS"); do
		say "\$ xlat464 status --control $STATE/plat$k.sock | grep -E '^  (pool4|tcp|udp|icmp) '   # instance $k"
		"$XLAT464" status --control "$STATE/plat$k.sock" 2>&1 | grep -E '^  (pool4|tcp|udp|icmp) ' | sed 's/^/    /'
		[ "${PIPESTATUS[0]}" = 0 ] || rc=1
	done
	say "Kill one (kill -KILL \$(awk '\$1 == \"plat2\" {print \$2}' $STATE/pids)): its BIRD sees the TUN go and withdraws"
	say "its share and its next hop within a fraction of a second; only its sessions are lost (docs/plat.md)."
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

read_plats() { # tour and down: the number the lab was built with, and whether it is IPv6-only
	PLATS=$(cat "$STATE/plats" 2>/dev/null || say 1)
	case $PLATS in [1-8]) ;; *) PLATS=1 ;; esac
	V6ONLY=$(cat "$STATE/v6only" 2>/dev/null || say 0)
	[ "$V6ONLY" = 1 ] || V6ONLY=0
}

# Both doctors (docs/doctor.md) with the lab's sockets and its IPv4 server as the probe's target: the
# client's, then the router's, then each PLAT namespace's with --plats N. The lab has no DNS64, so the
# client's doctor is given no resolver (resolv.conf names the machine's, which it cannot reach).
do_doctor() {
	[ "$(id -u)" = 0 ] || die "must run as root"
	[ -e "$STATE/pids" ] || die "the lab is not up (run 'xlat464 lab up' first)"
	local rc=0 k
	say "== the client ($NSC): xlat464 doctor --target $S4"
	ip netns exec "$NSC" "$XLAT464" doctor --control-dir "$STATE" --target "$S4" --resolv-conf /dev/null || rc=1
	say "== the router ($NSR): xlat464 doctor --router"
	ip netns exec "$NSR" "$XLAT464" doctor --router --control-dir "$STATE" || rc=1
	if [ "$PLATS" -gt 1 ]; then
		for k in $(seq 1 "$PLATS"); do
			say "== PLAT instance $k (${P}plat$k): xlat464 doctor --router"
			ip netns exec "${P}plat$k" "$XLAT464" doctor --router --control-dir "$STATE" || rc=1
		done
	fi
	return "$rc"
}

case "${1:-}" in
up)
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--plats)
			case ${2:-} in
			[1-8]) PLATS=$2 ;;
			*) die "--plats '${2:-}': want a number of PLAT instances from 1 to $PLATS_MAX" ;;
			esac
			shift 2
			;;
		--v6only) V6ONLY=1; shift ;;
		*) die "usage: up [--plats N] [--v6only]" ;;
		esac
	done
	do_up
	;;
tour) read_plats; do_tour ;;
doctor) read_plats; do_doctor ;;
down) read_plats; do_down ;;
*)
	say "usage: xlat464 lab up|tour|doctor|down   (or scripts/lab.sh, as root)" >&2
	exit 2
	;;
esac
