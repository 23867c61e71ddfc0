#!/bin/bash
# End-to-end test of `xlat464 siit`, the stateless translator (RFC 7915 + RFC 6052 + RFC 7757),
# run in network namespaces that this script creates and deletes. Run as root:
#
#     sudo tests/netns/siit_e2e.sh                      # against build/xlat464
#     sudo TRANSLATOR=tayga tests/netns/siit_e2e.sh     # baseline: Debian's TAYGA, same checks
#
# Topology (one TUN carries both families, the TAYGA model; every address is a documentation address):
#
#   ns v6: IPv6-only host     ns xlat: router + translator            ns r4: IPv4 router    ns v4: IPv4-only server
#  +--------------------+    +-----------------------------------+    +------------------+    +------------------+
#  | v6-x               |    | x-v6                         x-r4 |    | r4-x       r4-v4 |    | v4-r4            |
#  | 2001:db8:6::2/64   |====| 2001:db8:6::1/64   198.51.100.1/24|====| 198.51.100.2/24  |====| 203.0.113.2/24   |
#  |                    |    |          \          /             |    |    203.0.113.1/24|    |                  |
#  | default via        |    |        siit0 (TUN): xlat464 siit  |    | 192.0.2.0/24 via |    | default via      |
#  |   2001:db8:6::1    |    |        or TAYGA                   |    |   198.51.100.1   |    |   203.0.113.1    |
#  +--------------------+    +-----------------------------------+    +------------------+    +------------------+
#
#  xlat: forwarding on; routes 64:ff9b::/96, 192.0.2.0/24 and 2001:db8:64::1 dev siit0,
#        203.0.113.0/24 via 198.51.100.2.
#  translator: pool6 64:ff9b::/96; EAM 192.0.2.2/32 = 2001:db8:6::2/128 (the host is 192.0.2.2 to IPv4);
#        self4 192.0.2.1 and self6 2001:db8:64::1 (sources of the errors it generates itself);
#        rfc6791v4 192.0.2.254 (source of translated ICMPv6 errors from unmappable routers).
#
# The IPv6 host reaches the server as 64:ff9b::203.0.113.2 (64:ff9b::cb00:7102); the server reaches
# the host as 192.0.2.2. r4 is an IPv4 router behind the translator, so that traceroute, Fragmentation
# Needed and Time Exceeded come from a real IPv4 hop and have to be translated on their way back.
# Expected IPv6 traceroute: 2001:db8:6::1 (xlat kernel), 2001:db8:64::1 (translator), 64:ff9b::198.51.100.1
# (xlat kernel, IPv4 side), 64:ff9b::198.51.100.2 (r4), then the server. Expected IPv4 traceroute:
# 203.0.113.1 (r4), 198.51.100.1 (xlat kernel), 192.0.2.1 (translator), 192.0.2.254 (xlat kernel, IPv6
# side, RFC 6791 source), then 192.0.2.2.
#
# TAYGA refuses the well-known prefix with these (non-global) IPv4 addresses, as RFC 6052 section 3.1
# says; with TRANSLATOR=tayga the prefix is 2001:db8:ff9b::/96 instead, and TAYGA, which has no RFC 6791
# setting, answers with 192.0.2.1 where xlat464 uses 192.0.2.254.
#
# Every check prints PASS or FAIL; the last line is "N passed, N failed"; the exit status is 1 when a
# check failed (2 when the setup itself failed). Captures (tcpdump, -c bounded) and logs stay in the
# temporary directory printed at the start when something failed, or always with KEEP=1.
#
# Environment: TRANSLATOR=xlat464|tayga (default xlat464); XLAT464=path (default build/xlat464 of this
# repository, e.g. XLAT464=build-san/xlat464 for the sanitizer build); XLAT464_ARGS="..." adds flags to
# `xlat464 siit` (split into words); POOL6=prefix/96; KEEP=1 keeps the temporary directory;
# VERBOSE=1 prints every check's log.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh" # say, die, nsx, check, the exit cleanup, waits, traffic helpers

TRANSLATOR=${TRANSLATOR:-xlat464}

P=x464e2e-$$-
NS6=${P}v6
NSX=${P}xlat
NSR=${P}r4
NS4=${P}v4
ALL_NS="$NS6 $NSX $NSR $NS4"

# addresses (documentation ranges only)
H6=2001:db8:6::2          # the IPv6-only host
X6=2001:db8:6::1          # the router in front of the translator, IPv6 side
X4=198.51.100.1           # the same router, IPv4 side
R4X=198.51.100.2          # IPv4 router, towards the translator
R4S=203.0.113.1           # IPv4 router, towards the server
S4=203.0.113.2            # the IPv4-only server
# RFC 6052 section 3.1 forbids the well-known prefix for non-global IPv4 addresses (which include the
# RFC 5737 documentation ranges), and TAYGA enforces that; so TAYGA gets a network-specific prefix.
if [ "$TRANSLATOR" = tayga ]; then POOL6=${POOL6:-2001:db8:ff9b::/96}; else POOL6=${POOL6:-64:ff9b::/96}; fi
# v4 embedded in the /96 pool6, in the form inet_ntop prints (what ping, traceroute and python show)
embed() {
	"$PY" -c 'import ipaddress as i, sys; print(i.IPv6Address(int(i.IPv6Network(sys.argv[1]).network_address) + int(i.IPv4Address(sys.argv[2]))))' "$POOL6" "$1"
}
H6_AS4=192.0.2.2          # the host as the server sees it (EAM)
SELF4=192.0.2.1           # source of ICMPv4 errors the translator generates itself
SELF6=2001:db8:64::1      # source of ICMPv6 errors the translator generates itself
RFC6791V4=192.0.2.254     # RFC 6791 source of translated ICMPv6 errors from unmappable routers
# TAYGA has no RFC 6791 setting: it uses its own IPv4 address there.
if [ "$TRANSLATOR" = tayga ]; then RFC6791_HOP=$SELF4; else RFC6791_HOP=$RFC6791V4; fi
TUN=siit0
PMTU4=1400                # MTU put on r4 -> server for the PMTU checks
PMTU6=1400                # MTU put on xlat -> host for the reverse PMTU check

cleanup_extra() { ip -n "$NSX" link del "$TUN" 2>/dev/null; } # run at exit by lib.sh

# ---- preconditions ------------------------------------------------------------------------------
preconditions ip socat traceroute tcpdump ping timeout sha256sum ss head cmp
case "$TRANSLATOR" in
xlat464) need_xlat464 ;;
tayga) command -v tayga >/dev/null || die "tayga not installed (apt-get install tayga)" ;;
*) die "TRANSLATOR must be xlat464 or tayga" ;;
esac

make_tmp x464e2e
daemon_log=$tmp/daemon.log
say "# siit_e2e: translator $TRANSLATOR, namespaces ${P}*, temp $tmp"

case "$POOL6" in */96) ;; *) die "POOL6 must be a /96 (the test embeds IPv4 addresses in the last 32 bits)" ;; esac
S4_AS6=$(embed "$S4") || die "embed"   # the server as the IPv6 host sees it
R4_AS6=$(embed "$R4X") || die "embed"  # r4 as the IPv6 host sees it
X4_AS6=$(embed "$X4") || die "embed"   # the translator's router, IPv4 side, as the host sees it

# ---- topology -----------------------------------------------------------------------------------
# no DAD delays, no ICMP rate limiting (the checks count on every error arriving)
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
	net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0
nsx "$NSX" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 >/dev/null || die "forwarding"

ip -n "$NS6" link add v6-x type veth peer name x-v6 netns "$NSX" || die "veth v6"
ip -n "$NSX" link add x-r4 type veth peer name r4-x netns "$NSR" || die "veth xlat-r4"
ip -n "$NSR" link add r4-v4 type veth peer name v4-r4 netns "$NS4" || die "veth r4-v4"

ip -n "$NS6" addr add "$H6/64" dev v6-x nodad
ip -n "$NS6" link set v6-x up
ip -n "$NS6" -6 route add default via "$X6"

ip -n "$NSX" addr add "$X6/64" dev x-v6 nodad
ip -n "$NSX" addr add "$X4/24" dev x-r4
ip -n "$NSX" link set x-v6 up
ip -n "$NSX" link set x-r4 up
ip -n "$NSX" route add 203.0.113.0/24 via "$R4X"

ip -n "$NSR" addr add "$R4X/24" dev r4-x
ip -n "$NSR" addr add "$R4S/24" dev r4-v4
ip -n "$NSR" link set r4-x up
ip -n "$NSR" link set r4-v4 up
ip -n "$NSR" route add 192.0.2.0/24 via "$X4"

ip -n "$NS4" addr add "$S4/24" dev v4-r4
ip -n "$NS4" link set v4-r4 up
ip -n "$NS4" route add default via "$R4S"

# The TUN is made here for both translators (each daemon attaches to an existing one by name).
ip -n "$NSX" tuntap add "$TUN" mode tun || die "tuntap add"
ip -n "$NSX" link set "$TUN" mtu 1500 up || die "tun up"

# ---- the translator -----------------------------------------------------------------------------
start_xlat464() {
	CTL=$tmp/ctl.sock
	# shellcheck disable=SC2086 # XLAT464_ARGS is split into words on purpose
	ip netns exec "$NSX" "$XLAT464" siit --tun "$TUN" --pool6 "$POOL6" --eam "$H6_AS4/32" "$H6/128" \
		--self4 "$SELF4" --self6 "$SELF6" --rfc6791v4 "$RFC6791V4" --mtu4 1500 --mtu6 1500 \
		--control "$CTL" --foreground --allow-wkp-non-global yes \
		${XLAT464_ARGS:-} \
		>"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 5 test -S "$CTL" ||
		{ sed 's/^/    /' "$daemon_log"; die "xlat464 siit did not open its control socket $CTL"; }
}

start_tayga() {
	mkdir -p "$tmp/tayga"
	cat >"$tmp/tayga.conf" <<-EOF
		tun-device $TUN
		ipv4-addr $SELF4
		ipv6-addr $SELF6
		prefix $POOL6
		map $H6_AS4 $H6
		data-dir $tmp/tayga
	EOF
	ip netns exec "$NSX" tayga -c "$tmp/tayga.conf" --nodetach >"$daemon_log" 2>&1 &
	daemon_pid=$!
	sleep 0.5
	kill -0 "$daemon_pid" 2>/dev/null || { sed 's/^/    /' "$daemon_log"; die "tayga exited"; }
}

"start_$TRANSLATOR"
ip -n "$NSX" route add "$POOL6" dev "$TUN" || die "route pool6"
ip -n "$NSX" route add 192.0.2.0/24 dev "$TUN" || die "route 192.0.2.0/24"
ip -n "$NSX" route add "$SELF6/128" dev "$TUN" || die "route self6"

# Captures for debugging (check prints what they saw during a failed check).
capture "$NS6" v6-x host6 20000
capture "$NSX" "$TUN" tun 20000
capture "$NS4" v4-r4 server4 20000
sleep 1 # let tcpdump attach

# ---- helpers for the checks -----------------------------------------------------------------------
# icmp_error NS FAMILY DST PORT TYPE CODE OFFENDER: a connected UDP socket to a closed port gets
# ECONNREFUSED, and its error queue (IP_RECVERR / IPV6_RECVERR) names the ICMP type, code and sender.
icmp_error() {
	nsx "$1" timeout 10 "$PY" - "$2" "$3" "$4" "$5" "$6" "$7" <<-'EOF'
		import errno, select, socket, struct, sys
		fam, dst, port, want_type, want_code, want_from = sys.argv[1:7]
		IP_RECVERR, IPV6_RECVERR = 11, 25            # <linux/in.h>, <linux/in6.h>
		SO_EE_ORIGIN_ICMP, SO_EE_ORIGIN_ICMP6 = 2, 3  # <linux/errqueue.h>
		MSG_ERRQUEUE = 0x2000
		if fam == "6":
		    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
		    level, opt, origin_want = socket.IPPROTO_IPV6, IPV6_RECVERR, SO_EE_ORIGIN_ICMP6
		else:
		    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		    level, opt, origin_want = socket.IPPROTO_IP, IP_RECVERR, SO_EE_ORIGIN_ICMP
		s.setsockopt(level, opt, 1)
		s.connect((dst, int(port)))
		s.send(b"x464e2e closed-port probe")
		r, _, _ = select.select([s], [], [], 3)
		if not r:
		    sys.exit("no ICMP error within 3 s")
		_, anc, _, _ = s.recvmsg(512, 512, MSG_ERRQUEUE)
		for lvl, typ, data in anc:
		    if lvl != level or typ != opt:
		        continue
		    ee_errno, origin, itype, code = struct.unpack_from("=IBBB", data, 0)
		    if fam == "6":
		        sender = socket.inet_ntop(socket.AF_INET6, data[16 + 8:16 + 24])
		    else:
		        sender = socket.inet_ntop(socket.AF_INET, data[16 + 4:16 + 8])
		    print(f"errno {errno.errorcode.get(ee_errno, ee_errno)} origin {origin} type {itype} code {code} from {sender}")
		    ok = (ee_errno == errno.ECONNREFUSED and origin == origin_want and itype == int(want_type)
		          and code == int(want_code) and sender == want_from)
		    sys.exit(0 if ok else f"want type {want_type} code {want_code} from {want_from}")
		sys.exit("no error queue message")
	EOF
}

pmtu_route() { # -4|-6 NS DEST WANT: the route cache towards DEST holds MTU WANT
	local out
	out=$(nsx "$2" ip "$1" route get "$3")
	echo "$out"
	echo "$out" | grep -qw "mtu $4"
}

# ---- the checks ---------------------------------------------------------------------------------
make_payloads # blob (2 MiB), udp.small (1200 bytes), udp.large (3000 bytes: fragments)

check ping-6to4 nsx "$NS6" ping -c 3 -W 2 "$S4_AS6"
check ping-4to6 nsx "$NS4" ping -c 3 -W 2 "$H6_AS4"

check tcp-4to6-2MiB tcp_copy "$NS4" "$NS6" TCP6-LISTEN TCP4:"$H6_AS4" 5001 "$tmp/blob"
check tcp-6to4-2MiB tcp_copy "$NS6" "$NS4" TCP4-LISTEN "TCP6:[$S4_AS6]" 5002 "$tmp/blob"

udp_echo_server "$NS4" 7777
check udp-echo-6to4 udp_echo "$NS6" "UDP6:[$S4_AS6]:7777" "$tmp/udp.small"
check udp-echo-6to4-fragmented udp_echo "$NS6" "UDP6:[$S4_AS6]:7777" "$tmp/udp.large"

# IPv6 host -> server: the translator's own Time Exceeded (from self6), and a translated ICMPv4 Time
# Exceeded from an IPv4 router behind it.
check traceroute-6to4 traceroute_check "$NS6" "$S4_AS6" "$SELF6 $X4_AS6|$R4_AS6" -n -6 -w 1 -q 1 -m 6
# server -> IPv6 host: the translator's own Time Exceeded (from self4), and the ICMPv6 Time Exceeded of
# the IPv6 router behind it (2001:db8:6::1, not mappable), translated with the RFC 6791 source.
check traceroute-4to6 traceroute_check "$NS4" "$H6_AS4" "$SELF4 $RFC6791_HOP" -n -w 1 -q 1 -m 8

# ICMP errors crossing the translator: port unreachable from the far side, translated
check icmp-port-unreach-4to6 icmp_error "$NS6" 6 "$S4_AS6" 9 1 4 "$S4_AS6"
check icmp-port-unreach-6to4 icmp_error "$NS4" 4 "$H6_AS4" 9 3 3 "$H6_AS4"

# PMTU, IPv6 -> IPv4: r4 -> server shrinks to 1400, so r4 answers DF packets with Fragmentation
# Needed (MTU 1400), which reaches the host as Packet Too Big with MTU 1420 (RFC 7915 section 4.2).
ip -n "$NSR" link set r4-v4 mtu "$PMTU4"
check pmtu-tcp-6to4 tcp_copy "$NS6" "$NS4" TCP4-LISTEN "TCP6:[$S4_AS6]" 5003 "$tmp/blob"
check pmtu-ptb-6to4-mtu-$((PMTU4 + 20)) pmtu_route -6 "$NS6" "$S4_AS6" $((PMTU4 + 20))
check pmtu-ping-df-fits nsx "$NS6" ping -c 3 -W 2 -M "do" -s $((PMTU4 + 20 - 48)) "$S4_AS6"

# PMTU, IPv4 -> IPv6: xlat -> host shrinks to 1400; the kernel's Packet Too Big goes back through the
# translator and reaches the server as Fragmentation Needed with MTU 1380.
ip -n "$NSX" link set x-v6 mtu "$PMTU6"
check pmtu-tcp-4to6 tcp_copy "$NS4" "$NS6" TCP6-LISTEN TCP4:"$H6_AS4" 5004 "$tmp/blob"
check pmtu-fragneeded-4to6-mtu-$((PMTU6 - 20)) pmtu_route -4 "$NS4" "$H6_AS4" $((PMTU6 - 20))

# ---- counters and teardown ------------------------------------------------------------------------
status_check() {
	local json=$tmp/status.json
	"$XLAT464" status --control "$CTL" || return 1
	"$XLAT464" status --control "$CTL" --json >"$json" || return 1
	"$PY" -m json.tool "$json" >/dev/null || { echo "status --json is not JSON"; cat "$json"; return 1; }
	# Find the 4to6 and 6to4 packet counters wherever they sit: a key naming the direction and
	# packets (pkts_4to6, packets_4to6, "4to6": {"packets": N}, ...).
	"$PY" - "$json" <<-'EOF'
		import json, re, sys
		doc = json.load(open(sys.argv[1]))
		found = {}
		def walk(node, path):
		    if isinstance(node, dict):
		        for k, v in node.items():
		            walk(v, path + [str(k)])
		    elif isinstance(node, list):
		        for i, v in enumerate(node):
		            walk(v, path + [str(i)])
		    elif isinstance(node, int) and not isinstance(node, bool):
		        p = "/".join(path).lower()
		        if re.search(r"pa?c?ke?ts", p) and "drop" not in p and "byte" not in p:
		            for d in ("4to6", "6to4"):
		                if d in p:
		                    found.setdefault(d, []).append((p, node))
		walk(doc, [])
		for d in ("4to6", "6to4"):
		    print(d, found.get(d))
		ok = all(any(v > 0 for _, v in found.get(d, [])) for d in ("4to6", "6to4"))
		sys.exit(0 if ok else "want nonzero 4to6 and 6to4 packet counters")
	EOF
}
if [ "$TRANSLATOR" = xlat464 ]; then
	check status-counters status_check
else
	say "SKIP status-counters (not an xlat464 daemon)"
fi

teardown_check() { # SIGTERM: exit status 0 within 2 s
	local rc=0
	stop_daemon 2 || rc=$?
	tail -n 5 "$daemon_log"
	[ "$rc" -eq 0 ] || return 1
	# nothing left behind: the control socket is gone
	if [ "$TRANSLATOR" = xlat464 ] && [ -e "$CTL" ]; then
		echo "control socket $CTL still exists"
		return 1
	fi
}
check sigterm-exit-0 teardown_check

# ---- several workers on a multi-queue TUN (xlat464 only) -------------------------------------------
workers_threads() { # the daemon has its main thread and one per worker
	local n
	n=$(ls "/proc/$daemon_pid/task" | wc -l)
	echo "threads: $n (want 3: the main thread and 2 workers)"
	grep -h "worker" "$daemon_log" | head -n 2
	[ "$n" -eq 3 ]
}
if [ "$TRANSLATOR" = xlat464 ]; then
	ip -n "$NSX" link del "$TUN"
	ip -n "$NSX" tuntap add "$TUN" mode tun multi_queue || die "tuntap add multi_queue"
	ip -n "$NSX" link set "$TUN" mtu 1500 up || die "tun up"
	XLAT464_ARGS="${XLAT464_ARGS:-} --workers 2" start_xlat464
	ip -n "$NSX" route add "$POOL6" dev "$TUN" || die "route pool6"
	ip -n "$NSX" route add 192.0.2.0/24 dev "$TUN" || die "route 192.0.2.0/24"
	ip -n "$NSX" route add "$SELF6/128" dev "$TUN" || die "route self6"
	check workers-2-threads workers_threads
	# the links as they were before the PMTU checks, and the host's learned path MTU gone
	ip -n "$NSX" link set x-v6 mtu 1500
	ip -n "$NSR" link set r4-v4 mtu 1500
	ip -n "$NS6" -6 route flush cache
	ip -n "$NS4" route flush cache
	capture "$NSX" "$TUN" tun-workers 20000
	check workers-2-ping-6to4 nsx "$NS6" ping -c 3 -W 2 "$S4_AS6"
	check workers-2-ping-4to6 nsx "$NS4" ping -c 3 -W 2 "$H6_AS4"
	check workers-2-tcp-4to6 tcp_copy "$NS4" "$NS6" TCP6-LISTEN TCP4:"$H6_AS4" 5011 "$tmp/blob"
	check workers-2-tcp-6to4 tcp_copy "$NS6" "$NS4" TCP4-LISTEN "TCP6:[$S4_AS6]" 5012 "$tmp/blob"
	check workers-2-udp-echo udp_echo "$NS6" "UDP6:[$S4_AS6]:7777" "$tmp/udp.small"
	check workers-2-udp-fragmented udp_echo "$NS6" "UDP6:[$S4_AS6]:7777" "$tmp/udp.large"
	check workers-2-status-sums status_check
	reload_workers() { kill -HUP "$daemon_pid"; sleep 0.5; nsx "$NS6" ping -c 2 -W 2 "$S4_AS6" && grep -q "reloaded settings" "$daemon_log"; }
	check workers-2-reload reload_workers
	check workers-2-sigterm-exit-0 teardown_check
fi

finish
