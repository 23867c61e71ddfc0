#!/bin/bash
# End-to-end test of `xlat464 plat`, the PLAT (stateful NAT64 of RFC 6146, and the stateless NAT64
# with a dynamic IPv4 pool), with real traffic between an IPv6-only client and an IPv4-only server,
# in network namespaces this script creates and deletes. Run as root:
#
#     sudo tests/netns/plat_e2e.sh                  # against build/xlat464
#     sudo PARTS=stateless tests/netns/plat_e2e.sh  # only some parts: stateful, limits, stateless
#
# Topology (documentation addresses only):
#
#   ns x4-pl-N-c: IPv6-only client     ns x4-pl-N-r: router + xlat464 plat               ns x4-pl-N-s: IPv4 server
#  +---------------------------+    +---------------------------------------------+    +--------------------+
#  | c-r 2001:db8:1::10/64     |====| r-c 2001:db8:1::1/64     r-s 198.51.100.1/24 |====| s-r 198.51.100.2/24|
#  |     2001:db8:1::20/64     |    |     2001:db8:2::1/64                        |    | default via .1     |
#  |     2001:db8:2::10/64     |    |  TUN plat0: xlat464 plat, which routes      |    |                    |
#  | default via 2001:db8:1::1 |    |   64:ff9b::/96 and 203.0.113.0/28 into it   |    |                    |
#  +---------------------------+    +---------------------------------------------+    +--------------------+
#
# The client reaches the server as 64:ff9b::198.51.100.2 (64:ff9b::c633:6402); the server sees the
# client as an address of the pool 203.0.113.0/28. RFC 6052 section 3.1 forbids the well-known prefix
# with non-global IPv4 addresses, and the RFC 5737 documentation ranges are not global: so the daemon
# runs with allow-wkp-non-global yes (what the operator of a lab would set), and one check shows that
# without it the packet is refused and counted under wkp-non-global.
#
# Parts: "stateful" (ping, TCP both ways byte-exact, UDP, ICMP port unreachable, 10,000 concurrent UDP
# flows, a static binding reached from IPv4, logging, flush, SIGHUP during a TCP transfer, expiry,
# teardown), "limits" (pool exhaustion, the per-subscriber limit), "stateless" (two clients, two IPv4
# addresses; the RFC 6052 3.1 rule). Every check prints PASS or FAIL; the last line is
# "plat_e2e: N passed, M failed". Environment: XLAT464=path, KEEP=1, VERBOSE=1, PARTS="...".
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

PARTS=${PARTS:-stateful limits stateless}
P=x4-pl-$$-
NSC=${P}c
NSR=${P}r
NSS=${P}s
ALL_NS="$NSC $NSR $NSS"
FLOWS=${FLOWS:-10000}

C6=2001:db8:1::10       # the client
C6B=2001:db8:1::20      # a second client in the same /64 (stateless part)
C6O=2001:db8:2::10      # the client's address in another /64: another subscriber
C6D=2001:db8:1::30      # a fourth client (stateless pool exhaustion)
S4=198.51.100.2         # the server
S4_AS6=64:ff9b::c633:6402
POOL6=64:ff9b::/96
POOL4=203.0.113.0/28
STATIC4=203.0.113.1     # static binding: 203.0.113.1#8080 -> [$C6]#8080
TUN=plat0
FLOWS_PY=$(dirname "$0")/plat_flows.py

preconditions ip socat tcpdump ping timeout sha256sum ss cmp
need_xlat464
make_tmp x4-pl
say "# plat_e2e: namespaces ${P}*, temp $tmp, parts: $PARTS"

# ---- topology -----------------------------------------------------------------------------------
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"
ip -n "$NSC" addr add "$C6/64" dev c-r nodad
# The other clients' addresses are deprecated (preferred_lft 0): the kernel then never picks them as a
# source by itself (RFC 6724 rule 3), so unbound sockets use $C6, and the checks bind the others.
for a in "$C6B" "$C6O" "$C6D"; do
	ip -n "$NSC" addr add "$a/64" dev c-r nodad preferred_lft 0
done
ip -n "$NSC" link set c-r up
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 2001:db8:2::1/64 dev r-c nodad
ip -n "$NSR" addr add 198.51.100.1/24 dev r-s
ip -n "$NSR" link set r-c up
ip -n "$NSR" link set r-s up
ip -n "$NSS" addr add "$S4/24" dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via 198.51.100.1
capture "$NSS" s-r server4 20000
capture "$NSC" c-r client6 40000 icmp6
sleep 0.5

# ---- helpers ------------------------------------------------------------------------------------
CTL=$tmp/plat.sock
CONF=$tmp/plat.conf
EVLOG=$tmp/events.log
start_plat() { # LOGNAME ARGS...: xlat464 plat in the router namespace, up when its socket answers
	daemon_log=$tmp/$1.log
	shift
	ip netns exec "$NSR" "$XLAT464" plat --control "$CTL" --foreground "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 5 test -S "$CTL" || { sed 's/^/    /' "$daemon_log"; return 1; }
}

probe() { # NS DST PORT WANT [SRC]: a connected UDP socket's datagram comes back as WANT
	local got
	got=$(nsx "$1" timeout 10 "$PY" "$FLOWS_PY" probe "$2" "$3" ${5:+"$5"})
	echo "got: $got, want: $4"
	[ "$got" = "$4" ]
}


# RFC 6146 section 3.5.2.2: an IPv4 SYN without a binding is kept 6 s for a simultaneous open, then
# answered with Port Unreachable, which the server's TCP takes as a refusal (connect: ECONNREFUSED)
# after 6 to 7 s (the daemon's timer ticks every second).
syn4_refused() {
	local got
	got=$(nsx "$NSS" timeout 20 "$PY" "$FLOWS_PY" connect 203.0.113.2 4446 15)
	echo "got: $got, want: refused after 6 to 8 s"
	[[ $got =~ ^refused\ after\ ([0-9]+)\.[0-9]\ s$ ]] && [ "${BASH_REMATCH[1]}" -ge 5 ] && [ "${BASH_REMATCH[1]}" -le 8 ]
}

# A simultaneous open through the NAT64: the server's SYN to 203.0.113.5:7001 is kept; a second later
# the client's SYN to the server (from port 7001) gets that address and port, and both connects
# succeed, each side then reading the other's message.
simopen() {
	nsx "$NSS" timeout 20 "$PY" "$FLOWS_PY" simopen 198.51.100.2 7000 203.0.113.5 7001 12 >"$tmp/simopen.s" 2>&1 &
	local spid=$! c s
	sleep 1
	c=$(nsx "$NSC" timeout 20 "$PY" "$FLOWS_PY" simopen "$C6" 7001 "$S4_AS6" 7000 10 2>&1)
	wait "$spid" || true
	s=$(cat "$tmp/simopen.s")
	echo "client: $c; server: $s"
	[ "$c" = "open, got 198.51.100.2" ] && [ "$s" = "open, got $C6" ]
}

routes_gone() {
	! nsx "$NSR" ip -6 route show | grep -q "64:ff9b::/96" && ! nsx "$NSR" ip route show | grep -q "203.0.113.0/28"
}
routes_there() {
	nsx "$NSR" ip -6 route show | grep "64:ff9b::/96 dev $TUN" && nsx "$NSR" ip route show | grep "203.0.113.0/28 dev $TUN"
}

make_payloads
udp_echo_server "$NSS" 7777

# ---- stateful ------------------------------------------------------------------------------------
part_stateful() {
	cat >"$CONF" <<-EOF
		# the PLAT of plat_e2e.sh
		tun $TUN
		pool6 $POOL6
		allow-wkp-non-global yes
		pool4 $POOL4
		static tcp $C6#8080 $STATIC4#8080
		log $EVLOG
		log-events bib,session
	EOF
	start_plat plat-stateful --config "$CONF" || { bad "stateful-start"; return; }
	ok "stateful-start"
	check routes-added routes_there

	check ping nsx "$NSC" ping -c 3 -W 2 "$S4_AS6"
	check tcp-6to4-2MiB-sha256 tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP6:[$S4_AS6]" 5001 "$tmp/blob"
	check tcp-4to6-pull-2MiB-sha256 tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP6:[$S4_AS6]" 5002 "$tmp/blob" pull
	# The veth peers hand the router 64 KiB TCP super-packets (GSO): with TUN offload the daemon
	# translates them whole (lib/xlat/offload.h), and the byte-exact copies above went through it.
	check tcp-went-through-offload eq super-packets-translated "$(jget 'int(j["offload"] and j["offload_super_packets"] > 0)')" 1
	check udp-echo udp_echo "$NSC" "UDP6:[$S4_AS6]:7777" "$tmp/udp.small"
	check udp-echo-fragmented udp_echo "$NSC" "UDP6:[$S4_AS6]:7777" "$tmp/udp.large"
	check closed-udp-port-gives-icmpv6-port-unreachable probe "$NSC" "$S4_AS6" 9 port-unreachable
	# static binding: the IPv4 server opens a connection to 203.0.113.1:8080, the client listens
	check static-bib-from-ipv4 tcp_copy "$NSS" "$NSC" TCP6-LISTEN "TCP4:$STATIC4" 8080 "$tmp/blob"

	# without a binding, IPv4 cannot come in: the pool address's other ports are closed
	check no-binding-from-ipv4 probe "$NSS" 203.0.113.2 4444 timeout
	check unsolicited-tcp-refused-after-6s syn4_refused
	check syn4-port-unreachable-counted ge syn4-port-unreachables "$(jget 'j["syn4"]["port_unreachables"]')" 1
	check tcp-simultaneous-open simopen
	check simultaneous-open-counted eq syn4-simultaneous-opens "$(jget 'j["syn4"]["simultaneous_opens"]')" 1

	# 10,000 concurrent UDP flows, each a session
	local before
	before=$(jget 'j["sessions"]["udp"]')
	check "udp-$FLOWS-flows-sent" nsx "$NSC" timeout 60 "$PY" "$FLOWS_PY" flows "$S4_AS6" 9999 "$FLOWS" "$C6"
	sleep 1
	check "udp-$FLOWS-sessions" ge udp-sessions "$(jget 'j["sessions"]["udp"]')" $((before + FLOWS))
	check sessions-list-has-them ge listed "$(st --sessions | grep -c '^udp .*#9999 ')" "$FLOWS"
	check sessions-json-parses ge json-total "$(st --sessions --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["total"])')" "$FLOWS"

	# status JSON carries every drop reason, NAT64 ones included
	check status-json-drop-reasons eq has-nat64-reasons "$(jget 'all(k in j["drops"] for k in ("nat64-pool-exhausted","nat64-limit","nat64-no-binding","wkp-non-global"))')" True
	check status-text nsx "$NSR" sh -c "'$XLAT464' status --control '$CTL' | grep -E '^  (tcp|udp|icmp) '"

	# logging: one parseable line per binding and session
	log_lines() {
		sleep 1.5 # flushed once a second
		grep -cE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z nat64 bib-add udp 2001:db8:1::10#[0-9]+ 203\.0\.113\.[0-9]+#[0-9]+$' "$EVLOG" | {
			read -r n
			echo "bib-add udp lines: $n"
			[ "$n" -ge "$FLOWS" ]
		} &&
			grep -qE ' nat64 session-add tcp 2001:db8:1::10#[0-9]+ 203\.0\.113\.[0-9]+#[0-9]+ 198\.51\.100\.2#5001$' "$EVLOG" &&
			grep -qE ' nat64 bib-add tcp 2001:db8:1::10#8080 203\.0\.113\.1#8080 static$' "$EVLOG"
	}
	check log-lines log_lines

	# flush: dynamic sessions go, the static binding stays
	check flush-all nsx "$NSR" "$XLAT464" status --control "$CTL" --flush
	check sessions-after-flush eq sessions "$(jget 'j["sessions"]["udp"] + j["sessions"]["icmp"]')" 0
	check static-survives-flush tcp_copy "$NSS" "$NSC" TCP6-LISTEN "TCP4:$STATIC4" 8080 "$tmp/blob"

	# SIGHUP while a TCP transfer runs: the transfer completes byte-exact, sessions stay
	reload_during_tcp() {
		local rx=$tmp/rx.hup lpid cpid
		rm -f "$rx"
		ip netns exec "$NSS" timeout 30 socat -u TCP4-LISTEN:5005,reuseaddr "CREATE:$rx" &
		lpid=$!
		wait_listen "$NSS" tcp 5005 || return 1
		ip netns exec "$NSC" timeout 30 "$PY" "$FLOWS_PY" slowtcp "$S4_AS6" 5005 "$tmp/blob" 3 &
		cpid=$!
		sleep 1
		echo "timeout-udp 2" >>"$CONF"
		kill -HUP "$daemon_pid"
		wait "$cpid" || { echo "client failed"; return 1; }
		wait "$lpid" || { echo "server failed"; return 1; }
		grep -q "reloaded settings" "$daemon_log" || { echo "no reload in the log"; return 1; }
		cmp "$tmp/blob" "$rx" && echo "2 MiB arrived intact across the reload"
	}
	check sighup-keeps-tcp-transfer reload_during_tcp
	check reloads-counted eq reloads "$(jget 'j["reloads"]')" 1
	check reload-applied nsx "$NSR" sh -c "'$XLAT464' status --control '$CTL' | grep -q 'timeout-udp 2$'"

	# expiry: timeout-udp is 2 s now
	expiry() {
		nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" flows "$S4_AS6" 9998 50 "$C6" || return 1
		local n
		n=$(jget 'j["sessions"]["udp"]')
		echo "udp sessions right after: $n"
		[ "$n" -ge 50 ] || return 1
		sleep 4
		n=$(jget 'j["sessions"]["udp"]')
		echo "udp sessions 4 s later: $n"
		[ "$n" -eq 0 ] && [ "$(jget 'j["sessions_expired"]')" -ge 50 ]
	}
	check udp-sessions-expire expiry

	check sigterm-exits-0 stop_daemon 5
	check routes-removed routes_gone
	check control-socket-removed test ! -e "$CTL"
}

# ---- limits --------------------------------------------------------------------------------------
part_limits() {
	# a pool of 8 ports, 5 sessions per subscriber
	start_plat plat-limits --pool6 "$POOL6" --allow-wkp-non-global yes --pool4 203.0.113.1/32 2000-2007 \
		--max-sessions-per-subscriber 5 --reply-rate 1000 || { bad "limits-start"; return; }
	# an established flow, echoed every 0.2 s for 6 s while the pool fills up
	ip netns exec "$NSC" timeout 20 "$PY" "$FLOWS_PY" hold "$S4_AS6" 7777 6 "$tmp/hold.out" &
	local hold_pid=$!
	pids+=("$hold_pid")
	sleep 0.5
	# subscriber limit: the client's /64 has 1 session; 4 more fit, then administratively prohibited
	subscriber_limit() {
		local i got ok=0 refused=0
		for i in 1 2 3 4 5 6; do
			got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777)
			echo "flow $i: $got"
			case $got in reply) ok=$((ok + 1)) ;; admin-prohibited) refused=$((refused + 1)) ;; esac
		done
		echo "ok $ok, refused $refused"
		[ "$ok" -eq 4 ] && [ "$refused" -eq 2 ]
	}
	check per-subscriber-limit subscriber_limit
	check limit-counted ge nat64-limit-subscriber-sessions "$(jget 'j["drops"]["nat64-limit-subscriber-sessions"]')" 2
	# another subscriber (2001:db8:2::/64) takes the 3 ports left, then the pool is exhausted
	pool_exhaustion() {
		local i got ok=0 refused=0
		for i in 1 2 3 4 5; do
			got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 "$C6O")
			echo "flow $i: $got"
			case $got in reply) ok=$((ok + 1)) ;; addr-unreachable) refused=$((refused + 1)) ;; esac
		done
		echo "ok $ok, refused $refused"
		[ "$ok" -eq 3 ] && [ "$refused" -eq 2 ]
	}
	check pool-exhausted-gets-icmpv6-unreachable pool_exhaustion
	check pool-exhausted-counted ge nat64-pool-exhausted "$(jget 'j["drops"]["nat64-pool-exhausted"]')" 2
	check pool-ports-all-used eq ports-in-use "$(jget 'j["pool4"]["ports_in_use"]')" 8
	held() {
		wait "$hold_pid"
		cat "$tmp/hold.out"
		grep -q '^ok [1-9]' "$tmp/hold.out"
	}
	check established-flow-kept-working held
	check top-subscribers nsx "$NSR" sh -c "'$XLAT464' status --control '$CTL' | grep -A2 '^top_subscribers:' | grep -q '2001:db8:1::/64 .*sessions 5 '"
	check limits-stop stop_daemon 5
}

# ---- stateless -----------------------------------------------------------------------------------
part_stateless() {
	cat >"$CONF" <<-EOF
		mode stateless
		pool6 $POOL6
		pool4 $POOL4
		log $EVLOG
	EOF
	: >"$EVLOG"
	start_plat plat-stateless --config "$CONF" || { bad "stateless-start"; return; }
	ok stateless-start
	# the documentation address is not global: refused until the operator allows it
	check wkp-non-global-refused probe "$NSC" "$S4_AS6" 7777 admin-prohibited
	check wkp-non-global-counted ge wkp-non-global "$(jget 'j["drops"]["wkp-non-global"]')" 1
	echo "allow-wkp-non-global yes" >>"$CONF"
	kill -HUP "$daemon_pid"
	sleep 0.5
	two_addresses() {
		ip netns exec "$NSS" timeout 10 "$PY" "$FLOWS_PY" sources 6000 3 >"$tmp/sources" &
		local spid=$!
		sleep 0.5
		nsx "$NSC" "$PY" "$FLOWS_PY" probe "$S4_AS6" 6000 "$C6" >/dev/null
		nsx "$NSC" "$PY" "$FLOWS_PY" probe "$S4_AS6" 6000 "$C6B" >/dev/null
		wait "$spid"
		echo "the server saw:"
		cat "$tmp/sources"
		[ "$(sort -u "$tmp/sources" | grep -c '^203\.0\.113\.')" -eq 2 ]
	}
	check two-clients-two-ipv4-addresses two_addresses
	check stateless-ping nsx "$NSC" ping -c 2 -W 2 "$S4_AS6"
	check stateless-tcp-2MiB-sha256 tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP6:[$S4_AS6]" 5011 "$tmp/blob"
	check stateless-closed-port probe "$NSC" "$S4_AS6" 9 port-unreachable
	leases_listed() {
		st --sessions
		st --sessions | grep -q "^lease $C6 .* 203\.0\.113\." && st --sessions | grep -q "^lease $C6B .* 203\.0\.113\." &&
			[ "$(st --sessions | awk '/^lease/ { print $3 }' | sort | uniq -d | wc -l)" -eq 0 ]
	}
	check leases-listed-distinct leases_listed
	lease_log() {
		sleep 1.5
		cat "$EVLOG"
		grep -qE 'Z nat64 lease-add 2001:db8:1::10 203\.0\.113\.[0-9]+$' "$EVLOG" &&
			grep -qE 'Z nat64 lease-add 2001:db8:1::20 203\.0\.113\.[0-9]+$' "$EVLOG"
	}
	check lease-log-lines lease_log
	check stateless-flush nsx "$NSR" "$XLAT464" status --control "$CTL" --flush
	check leases-after-flush eq leases "$(jget 'j["leases"]')" 0
	# a pool of 3 addresses (203.0.113.0 is the translator's own) and one ICMP error per second
	sed -i "s|^pool4 .*|pool4 203.0.113.0/30|" "$CONF"
	printf 'reply-rate 1\nreply-burst 1\n' >>"$CONF"
	kill -HUP "$daemon_pid"
	sleep 0.5
	stateless_exhaustion() {
		local a got
		for a in "$C6" "$C6B" "$C6O"; do
			got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 "$a")
			echo "$a: $got"
			[ "$got" = reply ] || return 1
		done
		got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 "$C6D")
		echo "$C6D (pool full): $got"
		[ "$got" = addr-unreachable ] || return 1
		# at once again: the token bucket (1 per second) holds this answer back
		got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 "$C6D")
		echo "$C6D again: $got"
		# the earlier clients keep their addresses
		got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 "$C6")
		echo "$C6 again: $got"
		[ "$got" = reply ]
	}
	check stateless-pool-exhausted stateless_exhaustion
	check stateless-exhausted-counted ge nat64-pool-exhausted "$(jget 'j["drops"]["nat64-pool-exhausted"]')" 2
	check replies-suppressed-counted ge replies_suppressed "$(jget 'j["replies_suppressed"]')" 1
	check leases-refused-counted ge leases_refused "$(jget 'j["leases_refused_pool_full"]')" 2
	check stateless-stop stop_daemon 5
}

for part in $PARTS; do "part_$part"; done

say "plat_e2e: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
