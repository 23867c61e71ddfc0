#!/bin/bash
# End-to-end test of the PLAT's kernel fast path (`xlat464 plat --bpf-offload IF...`: the TC program
# of lib/sys/bpf/nat64_offload.bpf.c), with real traffic in network namespaces this script creates
# and deletes. Run as root: sudo tests/netns/plat_bpf.sh
#
# Topology (documentation addresses only), as plat_e2e.sh:
#
#   ns x4-pb-N-c: IPv6-only client     ns x4-pb-N-r: router + xlat464 plat               ns x4-pb-N-s: IPv4 server
#  +---------------------------+    +---------------------------------------------+    +--------------------+
#  | c-r 2001:db8:1::10/64     |====| r-c 2001:db8:1::1/64     r-s 198.51.100.1/24 |====| s-r 198.51.100.2/24|
#  | default via 2001:db8:1::1 |    |  TUN plat0 (64:ff9b::/96, 203.0.113.0/28)    |    | default via .1     |
#  |                           |    |  bpf-offload r-c r-s                        |    |                    |
#  +---------------------------+    +---------------------------------------------+    +--------------------+
#
# Checks: tests/bpf/offload_diff.c (the program run by the kernel on 20,000 random packets of real
# sessions gives what lib/xlat with lib/nat64 gives, byte for byte, and leaves alone what it must);
# the program attaches to both interfaces; TCP transfers both ways are byte-exact while the
# kernel carries their data (its counters grow by thousands, the TUN's by a handful: the handshake
# and the FINs), the server sees the pool address and a TTL one below the client's hop limit; the
# FIN takes the session out of the kernel; with a smaller IPv4 MTU the client gets Packet Too Big
# (from the stack's forwarding, translated by the daemon) and the transfer goes on through the kernel; a UDP flow is carried by the kernel and kept alive past
# its timeout while packets flow, then expires; a bogus interface leaves the PLAT running on the TUN
# and says why; at exit the program and the clsact qdiscs it made are gone; and, on the TUN path, TCP
# super-packets both ways keep partial checksums right (no checksum error at either end when the
# router finishes every segment's checksum in software). The last line is
# "plat_bpf: N passed, M failed". Environment: XLAT464=path, KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-pb-$$-
NSC=${P}c
NSR=${P}r
NSS=${P}s
ALL_NS="$NSC $NSR $NSS"
C6=2001:db8:1::10
S4=198.51.100.2
S4_AS6=64:ff9b::c633:6402
TUN=plat0
FLOWS_PY=$(dirname "$0")/plat_flows.py

preconditions ip socat tcpdump timeout sha256sum ss tc ethtool nstat
need_xlat464
make_tmp x4-pb
say "# plat_bpf: namespaces ${P}*, temp $tmp"

make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"
ip -n "$NSC" addr add "$C6/64" dev c-r nodad
ip -n "$NSC" link set c-r up
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 198.51.100.1/24 dev r-s
ip -n "$NSR" link set r-c up
ip -n "$NSR" link set r-s up
ip -n "$NSS" addr add "$S4/24" dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via 198.51.100.1
# The IPv4 packets the fast path makes on r-c come from the pool, whose route is the TUN: strict
# reverse-path filtering would drop them (the daemon warns when it sees it).
nsx "$NSR" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r-c.rp_filter=0 >/dev/null
capture "$NSS" s-r server4 20000
capture "$NSC" c-r client6 2000 icmp6
sleep 0.5

CTL=$tmp/plat.sock
start_plat() { # LOGNAME ARGS...
	daemon_log=$tmp/$1.log
	shift
	# shellcheck disable=SC2086 # WRAP: a command (and its arguments) the daemon runs under
	ip netns exec "$NSR" ${WRAP:-} "$XLAT464" plat --control "$CTL" --foreground --tun "$TUN" --pool6 64:ff9b::/96 \
		--allow-wkp-non-global yes --pool4 203.0.113.0/28 "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 5 test -S "$CTL" || { sed 's/^/    /' "$daemon_log"; return 1; }
}
filters() { nsx "$NSR" tc filter show dev "$1" ingress 2>/dev/null; }

head -c 16777216 /dev/urandom >"$tmp/big" || die "payload"
# The segment with the FIN goes through the TUN (the daemon's state machine sees it) and may carry
# the last data with it: up to a 64 KiB super-packet when the sender coalesces (a busy machine)
KERNEL_BYTES_MIN=$((16777216 - 65536))
udp_echo_server "$NSS" 7777

# ---- the program against the userspace path, packet by packet (BPF_PROG_TEST_RUN) -----------------
OFFLOAD_DIFF=${OFFLOAD_DIFF:-$(dirname "$XLAT464")/tests/offload_diff}
same_as_userspace() {
	[ -x "$OFFLOAD_DIFF" ] || { echo "$OFFLOAD_DIFF: not built (make)"; return 1; }
	"$OFFLOAD_DIFF" 20000
}
check kernel-translates-as-userspace same_as_userspace

# ---- attach -------------------------------------------------------------------------------------
start_plat plat --bpf-offload r-c r-s --timeout-udp 4 || { bad "start"; finish; exit 1; }
ok "start"
attached() {
	filters r-c | grep -q "x4_nat64" && filters r-s | grep -q "x4_nat64" || { filters r-c; return 1; }
	eq "bpf_offload.on" "$(jget "j['bpf_offload']['on']")" True &&
		st | sed -n '/^bpf_offload:/,/^[^ ]/p' | grep -E "^  interfaces +r-c, r-s$"
}
check attached attached

# ---- TCP, client to server and back -------------------------------------------------------------
tcp_push() {
	local k6 k4 t6
	tcp_copy "$NSC" "$NSS" "TCP4-LISTEN" "TCP6:[$S4_AS6]" 5001 "$tmp/big" || return 1
	st --json >"$tmp/after-push.json"
	k6=$(jget "j['bpf_offload']['packets_6to4']")
	k4=$(jget "j['bpf_offload']['packets_4to6']")
	t6=$(jget "j['packets_6to4']")
	# 16 MiB: at least 11,000 segments of 1440 bytes, fewer when GSO carries them whole
	ge "kernel 6to4 packets" "$k6" 20 && ge "kernel 4to6 packets (ACKs)" "$k4" 20 &&
		le "TUN 6to4 packets (SYN, the last ACK of the handshake, FIN, ...)" "$t6" 12 &&
		ge "kernel 6to4 bytes (the file, less the tail that may ride with the FIN)" "$(jget "j['bpf_offload']['bytes_6to4']")" "$KERNEL_BYTES_MIN"
}
check tcp-push-byte-exact-through-the-kernel tcp_push

server_saw_pool() {
	# the server's capture: data from a pool address, TTL 63 (the client's hop limit 64, less one hop)
	nsx "$NSS" tcpdump -nn -v -r "$tmp/server4.pcap" "tcp port 5001 and src net 203.0.113.0/28 and greater 1000" \
		2>/dev/null | head -n 4 | tee "$tmp/server-view.txt"
	grep -q "ttl 63" "$tmp/server-view.txt" && grep -Eq "203\.0\.113\.[0-9]+\.[0-9]+ > $S4\.5001" "$tmp/server-view.txt"
}
check server-sees-the-pool-and-one-hop server_saw_pool

fin_takes_back() {
	wait_until 5 sh -c "[ \"\$($XLAT464 status --control $CTL --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"bpf_offload\"][\"flows\"])')\" = 0 ]" ||
		{ st | sed -n '/^bpf_offload:/,$p'; return 1; }
	eq "flows in the kernel after the FINs" "$(jget "j['bpf_offload']['flows']")" 0 &&
		ge "packets left to the TUN (FIN, ...)" "$(jget "j['bpf_offload']['passed']")" 1 &&
		eq "dropped half rewritten" "$(jget "j['bpf_offload']['failed']")" 0
}
check fin-takes-the-session-back fin_takes_back

tcp_pull() {
	local before after
	before=$(jget "j['bpf_offload']['packets_4to6']")
	tcp_copy "$NSS" "$NSC" "TCP4-LISTEN" "TCP6:[$S4_AS6]" 5002 "$tmp/big" pull || return 1
	after=$(jget "j['bpf_offload']['packets_4to6']")
	ge "kernel 4to6 packets for the download" "$((after - before))" 20 &&
		ge "kernel 4to6 bytes (the file, less the tail that may ride with the FIN)" "$(jget "j['bpf_offload']['bytes_4to6']")" "$KERNEL_BYTES_MIN"
}
check tcp-pull-byte-exact-through-the-kernel tcp_pull

# ---- a smaller MTU on the IPv4 side: the super-packets' segments no longer fit ------------------------
# The program leaves them to the stack's forwarding, whose Fragmentation Needed comes back through the
# daemon as Packet Too Big: the client sends smaller segments, and the kernel carries them again.
smaller_mtu() {
	local before after rc=0
	# the router's side only: the server still announces MSS 1460, so only the path knows
	ip -n "$NSR" link set r-s mtu 1400 || return 1
	before=$(jget "j['bpf_offload']['packets_6to4']")
	tcp_copy "$NSC" "$NSS" "TCP4-LISTEN" "TCP6:[$S4_AS6]" 5004 "$tmp/big" || rc=1
	after=$(jget "j['bpf_offload']['packets_6to4']")
	st | sed -n '/^bpf_offload:/,/passed/p'
	nsx "$NSR" nstat -az IpExtInNoRoutes IpFragFails Ip6FragFails Icmp6OutPktTooBigs IcmpOutDestUnreachs 2>/dev/null
	ip -n "$NSR" link set r-s mtu 1500
	[ "$rc" -eq 0 ] || return 1
	sleep 1
	nsx "$NSC" tcpdump -nn -v -r "$tmp/client6.pcap" 2>/dev/null | grep -A1 "packet too big" | head -n 4 | tee "$tmp/ptb.txt"
	grep -q "mtu 1420" "$tmp/ptb.txt" && ge "kernel 6to4 packets after the Packet Too Big" "$((after - before))" 20
}
check smaller-ipv4-mtu-packet-too-big smaller_mtu

# ---- UDP: carried by the kernel, kept alive past its timeout, then expired ------------------------
udp_hold() {
	local before after refreshed made
	before=$(jget "j['bpf_offload']['packets_6to4']")
	made=$(jget "j['sessions_created']")
	# one flow for 9 s (a datagram every 0.2 s, each echoed) against a 4 s UDP timeout
	nsx "$NSC" timeout 20 "$PY" "$FLOWS_PY" hold "$S4_AS6" 7777 9 "$tmp/hold.txt" || true
	cat "$tmp/hold.txt"
	after=$(jget "j['bpf_offload']['packets_6to4']")
	refreshed=$(jget "j['bpf_offload']['expiries_put_off']")
	grep -q "^ok " "$tmp/hold.txt" && ge "kernel 6to4 packets of the flow" "$((after - before))" 30 &&
		ge "expiries put off" "$refreshed" 1 && eq "sessions made by the flow" "$(($(jget "j['sessions_created']") - made))" 1
}
check udp-kept-alive-by-the-kernel udp_hold

udp_expires() {
	wait_until 12 sh -c "[ \"\$($XLAT464 status --control $CTL --json | $PY -c 'import json,sys; print(json.load(sys.stdin)[\"sessions\"][\"udp\"])')\" = 0 ]" ||
		return 1
	eq "UDP sessions after the flow stopped" "$(jget "j['sessions']['udp']")" 0 &&
		eq "flows in the kernel" "$(jget "j['bpf_offload']['flows']")" 0
}
check udp-expires-when-idle udp_expires

# ---- teardown -----------------------------------------------------------------------------------
detached() {
	stop_daemon 10 || return 1
	if filters r-c | grep -q x4_nat64 || filters r-s | grep -q x4_nat64; then
		filters r-c
		return 1
	fi
	! nsx "$NSR" tc qdisc show dev r-c | grep -q clsact && ! nsx "$NSR" tc qdisc show dev r-s | grep -q clsact
}
check exit-detaches detached

# ---- a bogus interface: the PLAT runs on the TUN and says why -------------------------------------
fallback() {
	start_plat plat-fallback --bpf-offload nosuch0 || return 1
	eq "bpf_offload.on" "$(jget "j['bpf_offload']['on']")" False || return 1
	st | sed -n '/^bpf_offload:/,/^[^ ]/p' | grep -E "^  error +interface nosuch0" || return 1
	grep "bpf-offload: interface nosuch0" "$daemon_log" || return 1
	tcp_copy "$NSC" "$NSS" "TCP4-LISTEN" "TCP6:[$S4_AS6]" 5003 "$tmp/big" || return 1
	stop_daemon 10
}
check bogus-interface-falls-back-to-the-tun fallback

# ---- the capabilities of dist/systemd/xlat464-plat.service are enough, and the two BPF ones needed --
UNIT=$(dirname "$0")/../../dist/systemd/xlat464-plat.service
unit_caps() { # the unit's CapabilityBoundingSet as setpriv's list: +net_admin,+net_raw,...
	sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,
}
unit_caps_suffice() {
	local caps p0
	caps=$(unit_caps)
	echo "the unit's capabilities: $caps"
	[ -n "$caps" ] || return 1
	WRAP="setpriv --bounding-set=-all,$caps --inh-caps=-all" start_plat plat-unit-caps --bpf-offload r-c r-s || return 1
	eq "bpf_offload.on" "$(jget "j['bpf_offload']['on']")" True || return 1
	p0=$(jget "j['bpf_offload']['packets_6to4']")
	tcp_copy "$NSC" "$NSS" "TCP4-LISTEN" "TCP6:[$S4_AS6]" 5007 "$tmp/big" || return 1
	ge "packets the kernel carried" "$(($(jget "j['bpf_offload']['packets_6to4']") - p0))" 100 || return 1
	stop_daemon 10 || return 1
	# without CAP_PERFMON the verifier refuses the program: the daemon says so and uses its TUN
	WRAP="setpriv --bounding-set=-all,${caps//,+perfmon/} --inh-caps=-all" start_plat plat-no-perfmon --bpf-offload r-c r-s || return 1
	eq "bpf_offload.on without CAP_PERFMON" "$(jget "j['bpf_offload']['on']")" False || return 1
	grep "bpf-offload: loading the BPF program" "$daemon_log" || return 1
	stop_daemon 10
}
check unit-capabilities-carry-the-kernel-fast-path unit_caps_suffice

# ---- the TUN path's super-packets, with the router finishing every checksum in software -------------
# A NAT64 changes ports; a super-packet keeps a partial checksum (the pseudo-header's sum) that the
# kernel finishes per segment, which must not have the port change in it. With transmit checksum
# offload off on the router's interfaces, each segment's checksum is computed there from that sum,
# and a wrong one is dropped by the receiver (TcpInCsumErrors).
tun_super_packets() {
	local rc=0
	start_plat plat-tun || return 1
	nsx "$NSR" ethtool -K r-c tx off >/dev/null && nsx "$NSR" ethtool -K r-s tx off >/dev/null || return 1
	tcp_copy "$NSS" "$NSC" "TCP4-LISTEN" "TCP6:[$S4_AS6]" 5005 "$tmp/big" pull || rc=1
	tcp_copy "$NSC" "$NSS" "TCP4-LISTEN" "TCP6:[$S4_AS6]" 5006 "$tmp/big" || rc=1
	nsx "$NSR" ethtool -K r-c tx on >/dev/null
	nsx "$NSR" ethtool -K r-s tx on >/dev/null
	st | grep -E "^offload"
	eq "checksum errors at the client" "$(nsx "$NSC" nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }')" 0 &&
		eq "checksum errors at the server" "$(nsx "$NSS" nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }')" 0 &&
		ge "super-packets translated whole" "$(jget "j['offload_super_packets']")" 100 || rc=1
	stop_daemon 10 || rc=1
	return "$rc"
}
check tun-super-packets-right-when-the-router-finishes-checksums tun_super_packets

say "plat_bpf: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
