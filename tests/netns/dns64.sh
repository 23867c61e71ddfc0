#!/bin/bash
# End-to-end test of `xlat464 dns64`, the selective DNS64 (RFC 6147), with unbound as the upstream
# resolver, `xlat464 dhcp4` telling which clients asked for option 108, and dig as the clients, in
# namespaces this script creates and deletes. Run as root: sudo tests/netns/dns64.sh
#
#   ns c108: 2001:db8:64::21      ns cno: 2001:db8:64::22      ns cunk: 2001:db8:64::23
#   MAC 00:00:5e:00:53:21         MAC 00:00:5e:00:53:22        MAC 00:00:5e:00:53:23
#   udhcpc -O 108 (has a CLAT)    udhcpc without 108           no DHCPv4 at all (unknown)
#          |                             |                            |
#          +-------------+---------------+----------------------------+
#                        | br0 2001:db8:64::1/64 (bridge in ns rtr)
#   ns rtr: xlat464 dhcp4 --mode v6only on br0 (writes the clients file)
#           xlat464 dns64 on [2001:db8:64::1]:53, interface br0, upstream [::1]:5300
#           unbound on [::1]:5300, resolving the zone example. (SOA TTL 60) from a zone file:
#             v4only.example   A 192.0.2.10 (TTL 300)       short.example  A 192.0.2.13 (TTL 30)
#             dual.example     A 192.0.2.11, AAAA 2001:db8:2::11
#             excl.example     A 192.0.2.12, AAAA 2001:db8:bad::12 (exclude 2001:db8:bad::/48)
#             cname.example    CNAME v4only.example
#             PTR 10.2.0.192.in-addr.arpa -> v4only.example
#
# Checks: the CLAT client gets no synthesized AAAA, the others 64:ff9b::/96 ones (UDP and TCP); a
# real AAAA is untouched; an excluded one is replaced by synthesis; TTL = min(A, SOA) (RFC 6147 5.1.7);
# CNAME chain kept; CD+DO gets no synthesis, DO alone does without AD, CD alone does (5.5); PTR under
# the prefix answers with a CNAME to in-addr.arpa (5.3.1); ipv4only.arpa for every client (RFC 8880);
# unknown-clients pass after a SIGHUP reload; a malformed query is counted; the JSON status counts.
# Needs: iproute2, unbound, dig (bind9-dnsutils), udhcpc.
set -u
. "$(dirname "$0")/lib.sh"

P=d64$$
NSR=${P}rtr
NSA=${P}c108
NSB=${P}cno
NSC=${P}cunk
ALL_NS="$NSR $NSA $NSB $NSC"
R6=2001:db8:64::1
A6=2001:db8:64::21
B6=2001:db8:64::22
C6=2001:db8:64::23
ub_pid=
dh_pid=

preconditions unbound dig udhcpc
need_xlat464
make_tmp xlat464-dns64
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

nsx "$NSR" ip link add br0 type bridge || die "bridge"
nsx "$NSR" ip link set br0 up
nsx "$NSR" ip addr add $R6/64 dev br0 nodad
n=0
for ns in $NSA $NSB $NSC; do
	n=$((n + 1))
	ip link add "v$n$$" type veth peer name "e$n$$" || die "veth"
	ip link set "v$n$$" netns "$NSR"
	ip link set "e$n$$" netns "$ns"
	nsx "$NSR" ip link set "v$n$$" master br0 up
	nsx "$ns" ip link set "e$n$$" name eth0
	nsx "$ns" ip link set eth0 address "00:00:5e:00:53:2$n"
	nsx "$ns" ip link set eth0 up
	nsx "$ns" ip addr add "2001:db8:64::2$n/64" dev eth0 nodad
done

# ---- unbound, the upstream ----------------------------------------------------------------------
# an authoritative zone unbound resolves through (auth-zone for-upstream), so CNAMEs are chased as
# for any name; the PTR goes into unbound's own 2.0.192.in-addr.arpa zone (RFC 5737)
cat >"$tmp/example.zone" <<'EOZ'
$ORIGIN example.
@ 60 IN SOA ns.example. admin.example. 1 3600 600 86400 60
@ 60 IN NS ns.example.
ns 300 IN AAAA 2001:db8:64::53
v4only 300 IN A 192.0.2.10
short 30 IN A 192.0.2.13
dual 300 IN A 192.0.2.11
dual 300 IN AAAA 2001:db8:2::11
excl 300 IN A 192.0.2.12
excl 300 IN AAAA 2001:db8:bad::12
cname 300 IN CNAME v4only.example.
EOZ
cat >"$tmp/unbound.conf" <<EOC
server:
	interface: ::1@5300
	access-control: ::1/128 allow
	do-ip4: no
	username: ""
	chroot: ""
	directory: "$tmp"
	pidfile: "$tmp/unbound.pid"
	use-syslog: no
	logfile: "$tmp/unbound.log"
	module-config: "iterator"
	local-data-ptr: "192.0.2.10 v4only.example."
auth-zone:
	name: "example."
	zonefile: "$tmp/example.zone"
	for-downstream: no
	for-upstream: yes
	fallback-enabled: no
EOC
ip netns exec "$NSR" unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.out" 2>&1 &
ub_pid=$!
pids+=("$ub_pid")
wait_listen "$NSR" udp 5300 || die "unbound did not start ($(tail -3 "$tmp/unbound.out" "$tmp/unbound.log" 2>/dev/null))"

# ---- dhcp4: who asked for option 108 ------------------------------------------------------------
ip netns exec "$NSR" "$XLAT464" dhcp4 --interface br0 --server-id 192.0.2.1 --clients-file "$tmp/dhcp4.clients" \
	--control "$tmp/dhcp4.sock" >"$tmp/dhcp4.log" 2>&1 &
dh_pid=$!
pids+=("$dh_pid")
wait_log "$tmp/dhcp4.log" "serving br0" || die "dhcp4 did not start"
# udhcpc sends DISCOVERs for about 3 s; -O 108 puts 108 in its Parameter Request List
nsx "$NSA" timeout 5 udhcpc -i eth0 -n -q -t 2 -T 1 -O 108 -s /bin/true >"$tmp/udhcpc-a.log" 2>&1
nsx "$NSB" timeout 5 udhcpc -i eth0 -n -q -t 2 -T 1 -s /bin/true >"$tmp/udhcpc-b.log" 2>&1
check clients-file-108 grep -qx "00:00:5e:00:53:21 yes" "$tmp/dhcp4.clients"
check clients-file-no grep -qx "00:00:5e:00:53:22 no" "$tmp/dhcp4.clients"

# ---- dns64 ---------------------------------------------------------------------------------------
CTL=$tmp/dns64.sock
printf 'upstream ::1 5300\nexclude 2001:db8:bad::/48\n' >"$tmp/dns64.conf"
ip netns exec "$NSR" "$XLAT464" dns64 --config "$tmp/dns64.conf" --listen $R6 53 --interface br0 \
	--clients-file "$tmp/dhcp4.clients" --control "$CTL" --debug >"$tmp/dns64.log" 2>&1 &
daemon_pid=$!
daemon_log=$tmp/dns64.log
wait_daemon 5 test -S "$CTL" || die "dns64 did not start ($(tail -3 "$tmp/dns64.log"))"
# the router learns each client's address and hardware address (dns64 follows its neighbour table)
for ns in $NSA $NSB $NSC; do nsx "$ns" ping -c 1 -W 2 $R6 >/dev/null || die "ping from $ns"; done

status() { # the daemon's JSON status (xlat464 status --json); EXPR over j
	"$XLAT464" status --control "$CTL" --json | "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"
}
q() { # NS ARGS...: dig from that client's address, answer section only
	local ns=$1 src
	shift
	case $ns in $NSA) src=$A6 ;; $NSB) src=$B6 ;; *) src=$C6 ;; esac
	nsx "$ns" dig @$R6 -b "$src" +tries=1 +time=3 +noall +answer "$@"
}
has() { # PATTERN ARGS...: the answer has a line matching PATTERN
	local pat=$1
	shift
	local out
	out=$(q "$@")
	echo "$out"
	grep -qE "$pat" <<<"$out"
}
hasnt() {
	local pat=$1
	shift
	local out
	out=$(q "$@")
	echo "$out"
	! grep -qE "$pat" <<<"$out"
}
flags() { # NS ARGS...: the header flags line
	local ns=$1
	shift
	nsx "$ns" dig @$R6 +tries=1 +time=3 "$@" | grep -E '^;; flags:'
}

check clat-client-no-synthesis hasnt 'AAAA' "$NSA" AAAA v4only.example
check clat-client-a-untouched has 'IN[[:space:]]+A[[:space:]]+192\.0\.2\.10' "$NSA" A v4only.example
check no-clat-synthesized has 'IN[[:space:]]+AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSB" AAAA v4only.example
check no-clat-synthesized-tcp has 'IN[[:space:]]+AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSB" +tcp AAAA v4only.example
check unknown-synthesized has 'AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSC" AAAA v4only.example
check dual-stack-untouched has 'AAAA[[:space:]]+2001:db8:2::11$' "$NSB" AAAA dual.example
check dual-stack-no-synthesis hasnt '64:ff9b' "$NSB" AAAA dual.example
check excluded-replaced has 'AAAA[[:space:]]+64:ff9b::c000:20c$' "$NSB" AAAA excl.example
check excluded-gone hasnt '2001:db8:bad' "$NSB" AAAA excl.example
check excluded-clat-untouched has 'AAAA[[:space:]]+2001:db8:bad::12$' "$NSA" AAAA excl.example
# RFC 6147 5.1.7: min(A TTL, SOA TTL of the negative answer): 300 vs 60, and 30 vs 60 (unbound's
# cache counts both down as they age: a range, below the larger of the two)
ttl_in() { # LO HI NAME: the synthesized AAAA's TTL for NAME lies in [LO, HI]
	local out ttl
	out=$(q "$NSB" AAAA "$3")
	echo "$out"
	ttl=$(awk '$4 == "AAAA" { print $2; exit }' <<<"$out")
	[ -n "$ttl" ] && [ "$ttl" -ge "$1" ] && [ "$ttl" -le "$2" ]
}
check ttl-soa-caps ttl_in 40 60 v4only.example
check ttl-a-smaller ttl_in 10 30 short.example
check cname-chain-kept has 'CNAME[[:space:]]+v4only\.example\.' "$NSB" AAAA cname.example
check cname-synthesized has '^v4only\.example\..*AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSB" AAAA cname.example
# RFC 6147 5.5
check cd-do-no-synthesis hasnt 'AAAA' "$NSB" +dnssec +cdflag AAAA v4only.example
check do-synthesized has 'AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSB" +dnssec AAAA v4only.example
ad_clear() { local f; f=$(flags "$NSB" +dnssec +adflag AAAA v4only.example); echo "$f"; ! grep -q ' ad' <<<"$f"; }
check do-synthesized-no-ad ad_clear
check cd-only-synthesized has 'AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSB" +cdflag AAAA v4only.example
# RFC 6147 5.3.1
check ptr-cname has 'CNAME[[:space:]]+10\.2\.0\.192\.in-addr\.arpa\.' "$NSB" -x 64:ff9b::c000:20a
check ptr-answer has 'PTR[[:space:]]+v4only\.example\.' "$NSB" -x 64:ff9b::c000:20a
# RFC 8880 / RFC 7050: every client, the CLAT one first of all
check ipv4only-aaaa-clat has 'AAAA[[:space:]]+64:ff9b::c000:aa$' "$NSA" AAAA ipv4only.arpa
check ipv4only-aaaa-both has 'AAAA[[:space:]]+64:ff9b::c000:ab$' "$NSB" AAAA ipv4only.arpa
check ipv4only-a has 'A[[:space:]]+192\.0\.0\.170$' "$NSB" A ipv4only.arpa
nxd() { nsx "$NSB" dig @$R6 +tries=1 +time=3 AAAA nosuch.example | grep -q 'status: NXDOMAIN'; }
check nxdomain-passed nxd

# a malformed query: counted, not answered
bad_query() {
	nsx "$NSB" "$PY" -c "import socket
s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(('$B6',0)); s.settimeout(1)
s.sendto(bytes([0x12,0x34,1,0,0,1,0,0,0,0,0,0,63,ord('a')]), ('$R6',53))
try:
    s.recv(512); print('answered'); raise SystemExit(1)
except socket.timeout: print('no answer')"
	local m
	m=$(status "j['drops']['malformed']")
	ge drops.malformed "$m" 1
}
check malformed-counted bad_query

counters() {
	local v
	v=$(status "j['answers']['synthesized']"); ge answers.synthesized "$v" 10 || return 1
	v=$(status "j['answers']['passed']"); ge answers.passed "$v" 4 || return 1
	v=$(status "j['passed_by_reason']['clat']"); ge passed_by_reason.clat "$v" 3 || return 1
	v=$(status "j['passed_by_reason']['cd-do']"); ge passed_by_reason.cd-do "$v" 1 || return 1
	v=$(status "j['answers']['ptr_synthesized']"); ge answers.ptr_synthesized "$v" 1 || return 1
	v=$(status "j['answers']['ipv4only']"); ge answers.ipv4only "$v" 3 || return 1
	v=$(status "j['clients']['clat']"); eq clients.clat "$v" 1 || return 1
	v=$(status "j['clients']['no-clat']"); eq clients.no-clat "$v" 1 || return 1
	v=$(status "j['queries_by_client_kind']['unknown']"); ge queries_by_client_kind.unknown "$v" 1 || return 1
	v=$(status "j['queries']['tcp']"); ge queries.tcp "$v" 1
}
check status-counters counters

# the unknown-client policy, changed by a reload
printf 'upstream ::1 5300\nexclude 2001:db8:bad::/48\nunknown-clients pass\n' >"$tmp/dns64.conf"
kill -HUP "$daemon_pid"
wait_log "$tmp/dns64.log" "reloaded" || bad "reload not logged"
check unknown-pass-after-reload hasnt 'AAAA' "$NSC" AAAA v4only.example
check no-clat-still-synthesized has 'AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSB" AAAA v4only.example
# the neighbour table, followed live: the router forgets the no-CLAT client's address, so its next
# query is from an unknown client (now: pass); answering it, the router learns the address again
neigh_forgotten() {
	nsx "$NSR" ip -6 neigh del $B6 dev br0 || return 1
	sleep 0.5
	hasnt 'AAAA' "$NSB" AAAA v4only.example || return 1
	wait_until 5 sh -c "ip netns exec $NSR ip -6 neigh show $B6 dev br0 | grep -q lladdr" || return 1
	sleep 0.3
	has 'AAAA[[:space:]]+64:ff9b::c000:20a$' "$NSB" AAAA v4only.example
}
check neighbour-deleted-then-relearned neigh_forgotten
status_text() { # the generic renderer shows the counters and names the daemon
	"$XLAT464" status --control "$CTL" >"$tmp/status.txt" || return 1
	head -n 1 "$tmp/status.txt"
	grep -q "^dns64 " "$tmp/status.txt" && grep -Eq "synthesized[ :]+[1-9]" "$tmp/status.txt"
}
check status-text status_text
metrics_dns64() { # promtool accepts the families, and the synthesized answers are counted
	"$XLAT464" metrics --control "$CTL" >"$tmp/metrics.txt" || return 1
	promtool check metrics <"$tmp/metrics.txt" || return 1
	grep -E '^xlat464_dns64_answers_total\{daemon="dns64",kind="synthesized"\} [1-9]' "$tmp/metrics.txt"
}
check metrics-dns64 metrics_dns64
neigh_count() { local v; v=$(status "j['neighbours']"); ge neighbours "$v" 3; }
check status-neighbours neigh_count

caps() { local c; c=$(awk '/^CapEff/ {print $2}' /proc/"$daemon_pid"/status); echo "CapEff $c"; [ "$c" = 0000000000000400 ]; }
check keeps-only-net-bind-service caps
check stops-on-sigterm stop_daemon 5
finish
