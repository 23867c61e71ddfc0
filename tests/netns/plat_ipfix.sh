#!/bin/bash
# IPFIX export (RFC 7011, RFC 8158) of `xlat464 plat`'s NAT64 events, decoded by a real collector:
# tshark's IPFIX dissector reads what a capture on the collector's link saw. Traffic through the PLAT
# makes sessions, bindings, port blocks and refusals; each must come out as the record RFC 8158
# describes, with the addresses and ports the PLAT's own session list shows. Run as root:
#
#     sudo tests/netns/plat_ipfix.sh
#
# Topology (documentation addresses only):
#
#   ns x4-px-N-c: IPv6-only client   ns x4-px-N-r: router + xlat464 plat                ns x4-px-N-s: IPv4 server
#  +-------------------------+    +---------------------------------------------+    +--------------------+
#  | c-r 2001:db8:1::10/64   |====| r-c 2001:db8:1::1/64    r-s 198.51.100.1/24 |====| s-r 198.51.100.2/24|
#  |     2001:db8:2::10/64   |    |     2001:db8:2::1/64                        |    | default via .1     |
#  | default via 2001:db8:1::1    |  TUN plat0: 64:ff9b::/96, 203.0.113.0/28    |    +--------------------+
#  +-------------------------+    |  r-k 192.0.2.1/24, 2001:db8:c::1/64         |
#                                 +---------------------||----------------------+
#                                  ns x4-px-N-k: the collector, k-r 192.0.2.2/24, 2001:db8:c::2/64,
#                                  a UDP sink on port 4739 and a capture that tshark decodes
#
# Parts: sessions and bindings (IPv4 collector: create with the right addresses and ports, delete
# after expiry, TCP, template refresh, sequence numbers, counters against decoded records), port
# blocks (allocation and release), refusals (IPv6 collector: per-subscriber quota, ports and
# addresses exhausted, the one-a-second limit), a collector that goes away (send errors counted,
# traffic unharmed), stateless mode (a lease is an address binding, create and delete), and a reload
# that moves the export to the IPv6 collector (a new stream). The last line is "plat_ipfix: N passed, M failed". Environment: XLAT464=path,
# KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-px-$$-
NSC=${P}c
NSR=${P}r
NSS=${P}s
NSK=${P}k
ALL_NS="$NSC $NSR $NSS $NSK"

C6=2001:db8:1::10
C6O=2001:db8:2::10    # another /64: another subscriber
S4=198.51.100.2
S4_AS6=64:ff9b::c633:6402
K4=192.0.2.2          # the collector
K6=2001:db8:c::2
IPFIX_PORT=4739
FLOWS=20
FLOWS_PY=$(dirname "$0")/plat_flows.py
DEC="$PY $(dirname "$0")/plat_ipfix.py"

preconditions ip socat tcpdump tshark timeout ss
need_xlat464
make_tmp x4-px
say "# plat_ipfix: namespaces ${P}*, temp $tmp"

# ---- topology -----------------------------------------------------------------------------------
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"
ip -n "$NSR" link add r-k type veth peer name k-r netns "$NSK" || die "veth r-k"
ip -n "$NSC" addr add "$C6/64" dev c-r nodad
ip -n "$NSC" addr add "$C6O/64" dev c-r nodad preferred_lft 0 # never picked as a source by itself
ip -n "$NSC" link set c-r up
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 2001:db8:2::1/64 dev r-c nodad
ip -n "$NSR" addr add 198.51.100.1/24 dev r-s
ip -n "$NSR" addr add 192.0.2.1/24 dev r-k
ip -n "$NSR" addr add 2001:db8:c::1/64 dev r-k nodad
for l in r-c r-s r-k; do ip -n "$NSR" link set "$l" up; done
ip -n "$NSS" addr add "$S4/24" dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via 198.51.100.1
ip -n "$NSK" addr add "$K4/24" dev k-r
ip -n "$NSK" addr add "$K6/64" dev k-r nodad
ip -n "$NSK" link set k-r up

# The collector: a capture of every IPFIX datagram (whole: -s 0), decoded by tshark afterwards, and a
# UDP sink so that the datagrams meet a socket (else each would bring back a port unreachable).
ip netns exec "$NSK" timeout 300 tcpdump --immediate-mode -n -U -s 0 -c 20000 -i k-r -w "$tmp/ipfix.pcap" \
	"udp port $IPFIX_PORT" >/dev/null 2>&1 &
pids+=($!)
ip netns exec "$NSK" timeout 300 socat -u "UDP6-RECV:$IPFIX_PORT,ipv6only=0" /dev/null &
sink_pid=$!
pids+=("$sink_pid")
wait_listen "$NSK" udp "$IPFIX_PORT" >/dev/null || die "no collector sink"
udp_echo_server "$NSS" 7777
sleep 0.5

# ---- helpers ------------------------------------------------------------------------------------
CTL=$tmp/plat.sock
start_plat() { # LOGNAME ARGS...: xlat464 plat in the router namespace, up when its socket answers
	SINCE=$(date +%s.%N)
	daemon_log=$tmp/$1.log
	shift
	ip netns exec "$NSR" "$XLAT464" plat --control "$CTL" --foreground --pool6 64:ff9b::/96 \
		--allow-wkp-non-global yes "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 5 test -S "$CTL" || { sed 's/^/    /' "$daemon_log"; return 1; }
}

# decoded [FILTER]: the records captured since the running PLAT started ($SINCE) (and matching the
# tshark display filter FILTER), one line each (plat_ipfix.py records), in $tmp/records; it waits
# until the PLAT's once-a-second flush has sent what is pending.
SINCE=
decoded() {
	sleep 1.3
	$DEC records "$tmp/ipfix.pcap" "$IPFIX_PORT" "frame.time_epoch >= $SINCE${1:+ && $1}" >"$tmp/records" ||
		{ echo "tshark failed"; return 1; }
	wc -l <"$tmp/records"
}
udp_sessions_at_least() { [ "$(jget 'j["sessions"]["udp"]')" -ge "$1" ]; }
has() { # PATTERN [MIN]: at least MIN (1) records match the extended regular expression
	local n
	n=$(grep -cE -- "$1" "$tmp/records")
	echo "records matching '$1': $n (want >= ${2:-1})"
	[ "$n" -ge "${2:-1}" ]
}

# ---- sessions and bindings ------------------------------------------------------------------------
start_plat plat-sessions --pool4 203.0.113.0/28 --timeout-udp 2 --static tcp "$C6#8080" 203.0.113.1#8080 --ipfix-collector "$K4" "$IPFIX_PORT" \
	--ipfix-domain 46 --ipfix-template-refresh 2 || die "the PLAT did not start"
ok ipfix-start
check export-logged grep -q "ipfix: exporting NAT64 events to $K4 port $IPFIX_PORT" "$daemon_log"

# $FLOWS UDP flows from $C6 ports 1024.. to the server's port 9999: one binding and one session each
sessions_created() {
	nsx "$NSC" timeout 20 "$PY" "$FLOWS_PY" flows "$S4_AS6" 9999 "$FLOWS" "$C6" || return 1
	wait_until 5 udp_sessions_at_least "$FLOWS"
	st --sessions | grep "#9999 " >"$tmp/sessions"
	echo "the PLAT's sessions:"
	cat "$tmp/sessions"
	cat "$tmp/sessions"
	decoded
	local line a6 p6 a4 p4 n=0
	# every session the PLAT lists has its create record: same client, pool address and ports
	while read -r _ line; do
		a6=${line%%#*}
		read -r a6p n4 _ <<<"$line"
		p6=${a6p#*#}
		a4=${n4%#*}
		p4=${n4#*#}
		grep -qE "event=6 src6=$a6 dst6=64:ff9b::c633:6402 nat4=$a4 dst4=$S4 natport=$p4 natdport=9999 sport=$p6 dport=9999 proto=17( |$)" \
			"$tmp/records" || { echo "no session create record for $line"; return 1; }
		grep -qE "event=10 src6=$a6 nat4=$a4 natport=$p4 sport=$p6 proto=17( |$)" "$tmp/records" ||
			{ echo "no BIB create record for $line"; return 1; }
		n=$((n + 1))
	done <"$tmp/sessions"
	echo "$n sessions, each with its records"
	[ "$n" -eq "$FLOWS" ]
}
check udp-session-and-bib-create-records sessions_created

# the static binding is announced when the export starts, with the time it started
static_announced() {
	local t
	t=$(grep -E "event=10 src6=$C6 nat4=203\.0\.113\.1 natport=8080 sport=8080 proto=6 time=[0-9]+" "$tmp/records" | head -n 1 |
		sed -E 's/.* time=([0-9]+).*/\1/')
	echo "static binding record at $t ms, the PLAT started at $SINCE s"
	[ -n "$t" ] && awk -v t="$t" -v s="$SINCE" 'BEGIN { d = t / 1000 - s; exit !(d > -1 && d < 10) }'
}
check static-binding-announced static_announced

tcp_session() {
	echo hello >"$tmp/small"
	tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP6:[$S4_AS6]" 5001 "$tmp/small" || return 1
	decoded
	has "event=6 src6=$C6 dst6=64:ff9b::c633:6402 nat4=203\.0\.113\.[0-9]+ dst4=$S4 natport=[0-9]+ natdport=5001 sport=[0-9]+ dport=5001 proto=6( |$)"
}
check tcp-session-create-record tcp_session

# timeout-udp 2: the sessions expire within 4 s, and so do their bindings
session_deletes() {
	sleep 4
	decoded
	has "event=7 src6=$C6 .* dport=9999 proto=17" "$FLOWS" && has "event=11 src6=$C6 .* proto=17" "$FLOWS"
}
check udp-session-and-bib-delete-after-expiry session_deletes

# RFC 7011 section 8.4: the templates came with the first message and again every 2 s
templates_refreshed() {
	$DEC check-seq "$tmp/ipfix.pcap" | tee "$tmp/seq"
	local t
	t=$(sed -E 's/.*template sets ([0-9]+).*/\1/' "$tmp/seq")
	ge template-sets "$t" 3 && ge templates_sent "$(jget 'j["ipfix"]["templates_sent"]')" 3
}
check templates-refreshed templates_refreshed
check sequence-numbers-count-records $DEC check-seq "$tmp/ipfix.pcap"
check observation-domain sh -c "tshark -n -r '$tmp/ipfix.pcap' -d udp.port==$IPFIX_PORT,cflow -T fields -e cflow.od_id | sort -u | grep -qx 46"

# what the PLAT counted as sent is what the collector decoded: no loss
counters_match() {
	decoded >/dev/null
	local sent got
	sent=$(jget 'j["ipfix"]["records_sent"]')
	got=$(wc -l <"$tmp/records")
	eq records-decoded "$got" "$sent" && eq send-errors "$(jget 'j["ipfix"]["send_errors"]')" 0
}
check records-sent-equals-records-decoded counters_match
check status-text-shows-ipfix sh -c "'$XLAT464' status --control '$CTL' | grep -A2 '^ipfix:' | grep -E '^  records_sent +[0-9]+'"

# a collector that went away: each datagram meets a port unreachable; the PLAT counts the failed
# sends and keeps translating
collector_gone() {
	kill "$sink_pid"
	wait "$sink_pid" 2>/dev/null
	local i
	for i in 1 2 3 4; do
		nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" flows "$S4_AS6" 9000 5 "$C6" >/dev/null || return 1
		sleep 1.2
	done
	# (a connected UDP socket reports the port unreachable of one datagram on the next send, which
	# fails: that message and its records are lost and counted)
	ge send-errors "$(jget 'j["ipfix"]["send_errors"]')" 1 && grep -E "ipfix: [0-9]+ messages .* not sent: Connection refused" "$daemon_log" &&
		eq udp-echo-still "$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777)" reply
}
check collector-gone-counted-traffic-unharmed collector_gone
check sessions-stop stop_daemon 5
ip netns exec "$NSK" timeout 300 socat -u "UDP6-RECV:$IPFIX_PORT,ipv6only=0" /dev/null &
sink_pid=$!
pids+=("$sink_pid")
wait_listen "$NSK" udp "$IPFIX_PORT" >/dev/null || die "no collector sink"

# ---- port blocks ---------------------------------------------------------------------------------
start_plat plat-blocks --pool4 203.0.113.0/28 --port-block-size 64 --ipfix-collector "[$K6]" "$IPFIX_PORT" \
	--ipfix-events block || die "the PLAT did not start"
blocks() {
	nsx "$NSC" timeout 20 "$PY" "$FLOWS_PY" flows "$S4_AS6" 9999 3 "$C6" >/dev/null || return 1
	decoded
	has "event=16 src6=2001:db8:1:: nat4=203\.0\.113\.[0-9]+ first=[0-9]+ last=[0-9]+ nports=64 plen=64" || return 1
	local f l
	f=$(grep -E "event=16 src6=2001:db8:1:: " "$tmp/records" | tail -n 1 | sed -E 's/.* first=([0-9]+) last=([0-9]+).*/\1 \2/')
	read -r f l <<<"$f"
	echo "block $f-$l"
	[ $((l - f + 1)) -eq 64 ] || return 1
	# the sessions' ports lie in the block
	st --sessions | grep "#9999 " | awk '{ split($3, a, "#"); print a[2] }' | while read -r p; do
		[ "$p" -ge "$f" ] && [ "$p" -le "$l" ] || { echo "port $p outside the block"; exit 1; }
	done || return 1
	# only blocks were asked for
	! grep -qE "event=(6|10) " "$tmp/records" || { echo "session or BIB records although ipfix-events block"; return 1; }
	nsx "$NSR" "$XLAT464" status --control "$CTL" --flush >/dev/null
	decoded
	has "event=17 src6=2001:db8:1:: nat4=203\.0\.113\.[0-9]+ first=$f last=$l nports=64 plen=64"
}
check port-block-allocate-and-release-records blocks
check blocks-stop stop_daemon 5

# ---- refusals ----------------------------------------------------------------------------------
# a pool of 8 ports of one address, 5 sessions per subscriber; the IPv6 collector
start_plat plat-limits --pool4 203.0.113.1/32 2000-2007 --max-sessions-per-subscriber 5 --reply-rate 1000 \
	--ipfix-collector "$K6" "$IPFIX_PORT" --ipfix-events alarm || die "the PLAT did not start"
refusals() {
	local i
	for i in 1 2 3 4 5 6 7; do nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 >/dev/null; done
	for i in 1 2 3 4 5; do nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 "$C6O" >/dev/null; done
	decoded
	has "event=13 src6=2001:db8:1:: quota=3 maxuser=5( |$)" &&
		has "event=12 nat4=203\.0\.113\.1( |$)" &&
		has "event=3 pool=0( |$)" &&
		ge alarms-suppressed "$(jget 'j["ipfix"]["alarms_suppressed"]')" 1
}
check quota-and-exhaustion-records refusals
check limits-stop stop_daemon 5

# ---- stateless mode ----------------------------------------------------------------------------------
# a lease is an address binding: create when the client first sends, delete when it ends
start_plat plat-stateless --mode stateless --pool4 203.0.113.0/28 --ipfix-collector "$K4" "$IPFIX_PORT" ||
	die "the PLAT did not start"
leases() {
	eq udp-echo "$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777)" reply || return 1
	local a4
	a4=$(st --sessions | awk -v c="$C6" '$1 == "lease" && $2 == c { print $3 }')
	echo "the PLAT leased $a4 to $C6"
	[ -n "$a4" ] || return 1
	decoded
	has "event=14 src6=$C6 nat4=${a4//./\\.} time=" || return 1
	nsx "$NSR" "$XLAT464" status --control "$CTL" --flush >/dev/null
	decoded
	has "event=15 src6=$C6 nat4=${a4//./\\.} time="
}
check stateless-address-binding-records leases
check stateless-stop stop_daemon 5

# ---- reload ----------------------------------------------------------------------------------------
# SIGHUP moves the export from the IPv4 to the IPv6 collector: a new stream, which starts with the
# templates and sequence number 0; with the collector unchanged, the stream goes on
CONF=$tmp/plat.conf
printf 'pool4 203.0.113.0/28\nipfix-collector %s %s\nipfix-events session\n' "$K4" "$IPFIX_PORT" >"$CONF"
start_plat plat-reload --config "$CONF" || die "the PLAT did not start"
reload_moves_export() {
	nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" flows "$S4_AS6" 9100 3 "$C6" >/dev/null || return 1
	decoded ip.dst==$K4
	has "event=6 src6=$C6 .* dport=9100" 3 || return 1
	local before=$SINCE
	SINCE=$(date +%s.%N)
	sed -i "s/^ipfix-collector .*/ipfix-collector $K6 $IPFIX_PORT/" "$CONF"
	kill -HUP "$daemon_pid"
	wait_log "$daemon_log" "ipfix: exporting NAT64 events to $K6" 5 || return 1
	nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" flows "$S4_AS6" 9101 3 "$C6" >/dev/null || return 1
	decoded "ipv6.dst==$K6"
	has "^seq=0 n=0 event=6 src6=$C6 .* dport=9101" && has "event=6 src6=$C6 .* dport=9101" 3 || return 1
	tshark -n -r "$tmp/ipfix.pcap" -d udp.port==$IPFIX_PORT,cflow -Y "frame.time_epoch >= $SINCE && ipv6.dst==$K6" \
		-T fields -e cflow.template_id | head -n 1 | grep -q 256 || { echo "the new stream does not start with the templates"; return 1; }
	# nothing more to the old collector
	decoded "ip.dst==$K4"
	echo "records to $K4 after the reload: $(wc -l <"$tmp/records")"
	[ ! -s "$tmp/records" ] || return 1
	SINCE=$before
}
check reload-moves-export-to-ipv6-collector reload_moves_export
check reload-stop stop_daemon 5

say "plat_ipfix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
