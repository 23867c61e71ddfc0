#!/bin/bash
# The CLAT's prefix manager end to end: DNS64 discovery (RFC 7050) through a real unbound DNS64, the
# re-query at TTL - 10 s seen on the wire, PREF64 from Router Advertisements (RFC 8781, sent by scapy)
# winning over DNS64, a PREF64 change mid-run followed live, and expiry of every source standing the
# CLAT down. Namespaces this script creates and deletes. Run as root: sudo tests/netns/clat_prefix.sh
#
#  ns cl (IPv6-only client)         ns rt (router, DNS64, two PLATs)                       ns sv (IPv4 server)
# +--------------------------+    +---------------------------------------------------+   +------------------+
# | xlat464 clat (no --pref64)|   | radvd: SLAAC 2001:db8:1::/64                       |   |                  |
# | resolv.conf (netns):     |    | unbound on 2001:db8:1::1: dns64-prefix A, auth-zone|   |                  |
# |   2001:db8:1::1          |    |   ipv4only.arpa A 192.0.0.170/171 TTL 15           |   |                  |
# |                          |    | scapy: RAs with PREF64 B, then A                   |   |                  |
# |                          |    | TAYGA a: A = 2001:db8:64::/96, pool .128/26        |   |                  |
# |                          |    | TAYGA b: B = 2001:db8:46::/96, pool .192/26        |   |                  |
# | c-r SLAAC                |====| r-c 2001:db8:1::1/64   r-s 203.0.113.1/24, masq.   |===| s-r 203.0.113.2  |
# +--------------------------+    +---------------------------------------------------+   +------------------+
#
# Every check prints PASS or FAIL; the last line is "N passed, N failed"; exit 1 when a check failed,
# 2 when the setup failed. Environment: XLAT464=path (default build/xlat464), KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh" # say, die, nsx, check, the exit cleanup, waits, clat_topology
RA_PY=$here/clat_pref64_ra.py

clat_names x464cpfx # NSC NSR NSS ALL_NS PREFIX6 R6 PLAT RS4 S4
PLAT_A=$PLAT        # the first PLAT's prefix, and a second one
PLAT_B=2001:db8:46::/96
TTL=15

ra_pid=
unbound_pid=
cleanup_extra() { # run at exit by lib.sh, after the daemon and ${pids[@]}
	local p
	for p in $ra_pid $unbound_pid; do kill -TERM "$p" 2>/dev/null; done
	for p in $ra_pid $unbound_pid; do wait "$p" 2>/dev/null; done
	rm -rf "/etc/netns/$NSC"
}

# ---- preconditions ------------------------------------------------------------------------------
preconditions ip nft tayga radvd unbound tcpdump ping timeout
"$PY" -c "import scapy.all" 2>/dev/null || die "missing $PY with scapy (python3-scapy)"
need_xlat464
make_tmp x464cpfx
say "# clat_prefix: namespaces ${P}*, temp $tmp"

# ---- topology -----------------------------------------------------------------------------------
# lib.sh: namespaces, links, addresses, radvd (SLAAC for the client), NAT44 behind the PLATs
clat_topology x464cpfx
# Two TAYGA instances, one per PLAT prefix.
clat_tayga nat64a "$PLAT_A" 198.51.100.128/26 198.51.100.1 198.51.100.128/26 198.51.100.1/32
clat_tayga nat64b "$PLAT_B" 198.51.100.192/26 198.51.100.2 198.51.100.192/26 198.51.100.2/32

# unbound as DNS64 (prefix A). ipv4only.arpa comes from an auth-zone served "for upstream", so the
# answer passes through the dns64 module (local-data would be answered before it).
cat >"$tmp/ipv4only.zone" <<EOC
\$TTL $TTL
ipv4only.arpa. 3600 IN SOA localhost. nobody.invalid. 1 3600 600 86400 $TTL
ipv4only.arpa. 3600 IN NS localhost.
ipv4only.arpa. $TTL IN A 192.0.0.170
ipv4only.arpa. $TTL IN A 192.0.0.171
EOC
cat >"$tmp/unbound.conf" <<EOC
server:
	interface: $R6
	port: 53
	do-daemonize: no
	username: ""
	chroot: ""
	directory: "$tmp"
	pidfile: "$tmp/unbound.pid"
	use-syslog: no
	logfile: ""
	verbosity: 1
	access-control: ::/0 allow
	module-config: "dns64 iterator"
	dns64-prefix: $PLAT_A
	do-ip4: no
auth-zone:
	name: "ipv4only.arpa."
	zonefile: "$tmp/ipv4only.zone"
	for-upstream: yes
	for-downstream: no
remote-control:
	control-enable: no
EOC
ip netns exec "$NSR" timeout 900 unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.log" 2>&1 &
unbound_pid=$!

mkdir -p "/etc/netns/$NSC" || die "mkdir /etc/netns/$NSC"
echo "nameserver $R6" >"/etc/netns/$NSC/resolv.conf"

clat_wait_slaac
wait_listen "$NSR" udp 53 >/dev/null
kill -0 "$unbound_pid" 2>/dev/null || die "unbound exited: $(cat "$tmp/unbound.log")"

# DNS queries on the router's link, bounded in count and time.
capture "$NSR" r-c dns 200 'udp dst port 53'
sleep 1

# ---- DNS64 ----------------------------------------------------------------------------------------
CTL=$tmp/ctl.sock
LOG=$tmp/clat.log
daemon_log=$LOG
ip netns exec "$NSC" "$XLAT464" clat --uplink c-r --control "$CTL" --foreground >"$LOG" 2>&1 &
daemon_pid=$!

dns64_learned() {
	wait_log "$LOG" "DNS64: ipv4only.arpa gives ${PLAT_A%/96}/96, TTL" 20 || { cat "$LOG"; return 1; }
	wait_log "$LOG" "-> running (PLAT prefix ${PLAT_A%/96}/96 from dns64" 10 || { cat "$LOG"; return 1; }
	grep -E "DNS64|state|PLAT" "$LOG"
	"$XLAT464" status --control "$CTL" | grep -E "state|pref64|dns64"
	"$XLAT464" status --control "$CTL" | grep -q "pref64 ${PLAT_A%/96}/96 (source: dns64, TTL"
}
check dns64-prefix-learned dns64_learned
check ping-via-dns64-prefix nsx "$NSC" ping -c 3 -W 2 "$S4"

# TTL 15: the CLAT asks again 5 s after each answer (TTL - 10 s), so over ~13 s at least 3 queries,
# 4-8 s apart (the cache hands out decreasing TTLs, each giving the 5-s minimum).
dns64_requery() {
	sleep 13
	local times
	times=$(tcpdump -n -tt -r "$tmp/dns.pcap" 2>/dev/null | awk '{ print $1 }')
	tcpdump -n -tt -r "$tmp/dns.pcap" 2>/dev/null | tail -n 6
	echo "$times" | awk 'NR > 1 { d = $1 - p; print "gap " d; if (d < 4 || d > 8) bad = 1 } { p = $1; n++ }
		END { print n " queries"; exit !(n >= 3 && !bad) }'
}
check dns64-requery-at-ttl-minus-10s dns64_requery

tayga_rx() { nsx "$NSR" cat /sys/class/net/nat64"$1"/statistics/tx_packets; }

# ---- PREF64 wins over DNS64, then changes --------------------------------------------------------
ip netns exec "$NSR" timeout 120 "$PY" "$RA_PY" r-c "$PLAT_B" 600 2 60 >"$tmp/ra1.log" 2>&1 &
ra_pid=$!
pref64_wins() {
	wait_log "$LOG" "PLAT prefix ${PLAT_A%/96}/96 (dns64) -> ${PLAT_B%/96}/96 (ra-pref64)" 15 || { cat "$LOG" "$tmp/ra1.log"; return 1; }
	grep -E "RA PREF64|PLAT prefix" "$LOG"
	local before after
	before=$(tayga_rx b)
	nsx "$NSC" ping -c 3 -W 2 "$S4" || return 1
	after=$(tayga_rx b)
	echo "TAYGA b (prefix B) packets to the kernel: $before -> $after"
	[ "$after" -ge $((before + 3)) ] && "$XLAT464" status --control "$CTL" | grep "pref64 ${PLAT_B%/96}/96 (source: ra-pref64, lifetime 600 s"
}
check pref64-from-ra-wins-over-dns64 pref64_wins
q_at_pref64=$("$XLAT464" status --control "$CTL" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["clat"]["dns64_queries"])')
t_at_pref64=$SECONDS

kill "$ra_pid"; wait "$ra_pid" 2>/dev/null
ip netns exec "$NSR" timeout 120 "$PY" "$RA_PY" r-c "$PLAT_A" 600 2 60 >"$tmp/ra2.log" 2>&1 &
ra_pid=$!
pref64_change() {
	wait_log "$LOG" "PLAT prefix ${PLAT_B%/96}/96 (ra-pref64) -> ${PLAT_A%/96}/96 (ra-pref64)" 15 || { cat "$LOG"; return 1; }
	local before after
	before=$(tayga_rx a)
	nsx "$NSC" ping -c 3 -W 2 "$S4" || return 1
	after=$(tayga_rx a)
	echo "TAYGA a (prefix A) packets to the kernel: $before -> $after"
	[ "$after" -ge $((before + 3)) ]
}
check pref64-change-followed-live pref64_change

# RFC 9872 section 3.1: with a PREF64 from the RAs, DNS64 (a TTL of 15 s: asked every 5 s before) is
# not asked at all.
no_dns64_with_pref64() {
	local q
	sleep $((t_at_pref64 + 8 - SECONDS > 0 ? t_at_pref64 + 8 - SECONDS : 0))
	q=$("$XLAT464" status --control "$CTL" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["clat"]["dns64_queries"])')
	echo "DNS64 queries: $q_at_pref64 when the PREF64 came, $q $((SECONDS - t_at_pref64)) s later"
	[ "$q" = "$q_at_pref64" ]
}
check no-dns64-queries-while-pref64-valid no_dns64_with_pref64

# ---- expiry: the last RA gives A a 16-s lifetime and withdraws B (lifetime 0; B is still valid
# otherwise, announced with 600 s), DNS64 goes away: the CLAT stands down -------------------------------
kill "$ra_pid"; wait "$ra_pid" 2>/dev/null; ra_pid=
kill "$unbound_pid"; wait "$unbound_pid" 2>/dev/null; unbound_pid=
nsx "$NSR" "$PY" "$RA_PY" r-c "$PLAT_A" 16 0 1 "$PLAT_B=0" >"$tmp/ra3.log" 2>&1
expiry_stands_down() {
	wait_log "$LOG" "running -> waiting (no PLAT prefix" 40 || { tail -n 20 "$LOG"; return 1; }
	grep -E "PLAT prefix|state|DNS64" "$LOG" | tail -n 8
	if nsx "$NSC" ip link show clat >/dev/null 2>&1; then echo "TUN still there"; return 1; fi
	nsx "$NSC" ip -4 route show default | grep -q clat && { echo "route still there"; return 1; }
	"$XLAT464" status --control "$CTL" | grep -E "state waiting|pref64 none"
}
check expiry-stands-clat-down expiry_stands_down

sigterm() { stop_daemon 3 && [ ! -e "$CTL" ]; }
check sigterm-clean-exit sigterm

finish
