#!/bin/bash
# Path MTU discovery through `xlat464 clat`: a 1400-byte link between the PLAT and the IPv4 server, so
# the host's 1480-byte IPv4 packets meet it only after both translations, and the Fragmentation
# Needed the IPv4 router sends must come back as an ICMPv6 Packet Too Big (TAYGA: MTU 1420) and be
# translated by the CLAT into a Fragmentation Needed with MTU 1400 for the host's kernel (RFC 7915
# section 5.2: MTU - 20). Run as root:   sudo tests/netns/clat_pmtu.sh
#
#  ns cl                 ns rt (router + PLAT)           ns md (IPv4 router)             ns sv
# +---------------+    +---------------------------+    +---------------------------+    +----------------+
# | xlat464 clat  |    | radvd, TAYGA 2001:db8:64:: |    |                           |    |                |
# | c-r SLAAC     |====| r-c 2001:db8:1::1  r-s     |====| s-r 203.0.113.2   m-v     |====| v-m 192.0.2.2  |
# | MTU 1500      |    | MTU 1500   203.0.113.1/24  |    | MTU 1400          192.0.2.1|    | MTU 1500       |
# +---------------+    |            MTU 1400        |    |                   MTU 1500 |    +----------------+
#                      +---------------------------+    +---------------------------+
#
# Checks: 200 KB uploaded byte-exact (TCP sets DF); the uplink saw an ICMPv6 Packet Too Big for the
# CLAT address and the TUN an ICMPv4 Fragmentation Needed with MTU 1400; the host's kernel learned
# the path MTU 1400; ping -M "do" -s 1450 gets the error back (mtu 1400); a 1400-byte UDP datagram
# echoed; 200 KB downloaded byte-exact.
# Last line "clat_pmtu: N passed, N failed". Environment: XLAT464=path, KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-cm-pm-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}md # clat_topology's "server" is the middle router here
NSV=${P}sv
ALL_NS="$NSC $NSR $NSS" # clat_topology creates these; $NSV is added below
PREFIX6=2001:db8:1::
R6=2001:db8:1::1
PLAT=2001:db8:64::/96
RS4=203.0.113.1
S4=203.0.113.2
V4=192.0.2.2

preconditions ip nft tayga radvd socat tcpdump ping timeout sha256sum ss
need_xlat464
make_tmp x4-cm-pm
say "# clat_pmtu: namespaces ${P}*, temp $tmp"

clat_topology x4-cm-pm
clat_tayga nat64 "$PLAT" 198.51.100.128/25 198.51.100.1 198.51.100.0/24
ALL_NS="$ALL_NS $NSV"
ip netns add "$NSV" || die "netns $NSV"
nsx "$NSV" ip link set lo up
nsx "$NSS" sysctl -qw net.ipv4.ip_forward=1 >/dev/null
ip -n "$NSS" link add m-v type veth peer name v-m netns "$NSV" || die "veth m-v"
ip -n "$NSS" addr add 192.0.2.1/24 dev m-v
ip -n "$NSS" link set m-v up
ip -n "$NSV" addr add "$V4/24" dev v-m
ip -n "$NSV" link set v-m up
ip -n "$NSV" route add default via 192.0.2.1
ip -n "$NSR" route add 192.0.2.0/24 via "$S4"
# the 1400-byte link, after the PLAT
ip -n "$NSR" link set r-s mtu 1400
ip -n "$NSS" link set s-r mtu 1400
clat_wait_slaac

capture "$NSC" c-r ptb6 50 "icmp6 and ip6[40] == 2"
capture "$NSC" c-r all6 3000 "ip6"

daemon_log=$tmp/clat.log
ip netns exec "$NSC" timeout 300 "$XLAT464" clat --pref64 "$PLAT" --no-dns64 --uplink c-r --control "$tmp/ctl.sock" \
	--foreground >"$daemon_log" 2>&1 &
daemon_pid=$!
wait_daemon 15 grep -q -- "-> running" "$daemon_log" || die "the CLAT did not come up: $(cat "$daemon_log")"
wait_until 5 nsx "$NSC" ip link show clat >/dev/null 2>&1
capture "$NSC" clat frag4 50 "icmp and icmp[0] == 3 and icmp[1] == 4"
sleep 1

head -c 204800 /dev/urandom >"$tmp/200k"
check ping-small nsx "$NSC" ping -c 2 -W 2 "$V4"
check upload-200KB-sha256-pmtud tcp_copy "$NSC" "$NSV" TCP4-LISTEN "TCP4:$V4" 5301 "$tmp/200k"

ptb_seen() {
	sleep 1
	tcpdump -n -v -r "$tmp/ptb6.pcap" 2>/dev/null | head -4
	tcpdump -n -v -r "$tmp/ptb6.pcap" 2>/dev/null | grep -q "packet too big.*mtu 1420"
}
check uplink-saw-icmpv6-packet-too-big-1420 ptb_seen
frag_seen() {
	tcpdump -n -v -r "$tmp/frag4.pcap" 2>/dev/null | head -4
	tcpdump -n -v -r "$tmp/frag4.pcap" 2>/dev/null | grep -qE "$V4 unreachable - need to frag \(mtu 1400\)"
}
check tun-saw-icmpv4-frag-needed-1400 frag_seen
pmtu_learned() {
	nsx "$NSC" ip -4 route get "$V4" | tee /dev/stderr | grep -q "mtu 1400"
}
check host-learned-path-mtu-1400 pmtu_learned
ping_df() {
	local out
	out=$(nsx "$NSC" ping -M "do" -s 1450 -c 2 -W 2 "$V4" 2>&1)
	echo "$out"
	echo "$out" | grep -qE "mtu ?= ?1400"
}
check ping-df-too-big-reports-1400 ping_df
# A 1400-byte UDP datagram (DF: Linux sets it by default) each way fits the path exactly. (Not a
# 1400-byte ping: the server's echo reply has no DF, TAYGA splits it into IPv6 fragments of 1280, and
# lib/xlat drops fragmented ICMP, counted as icmp-fragmented.)
head -c 1372 /dev/urandom >"$tmp/udp1372"
udp_echo_server "$NSV" 7777
check udp-1400-byte-df-echo-fits udp_echo "$NSC" "UDP4:$V4:7777" "$tmp/udp1372"
check download-200KB-sha256 tcp_copy "$NSV" "$NSC" TCP4-LISTEN "TCP4:$V4" 5302 "$tmp/200k" pull
status_ptb() {
	"$XLAT464" status --control "$tmp/ctl.sock" | tee "$tmp/status.txt" | grep -E "^(packets_4to6|packets_6to4|replies) "
	grep -q "state running" "$tmp/status.txt"
}
check status-running status_ptb
check sigterm stop_daemon 5
say "clat_pmtu: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
