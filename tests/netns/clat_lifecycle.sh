#!/bin/bash
# The life of `xlat464 clat` beyond the data path, in network namespaces this script creates and deletes:
# its config file (--config, errors naming file:line, flags over the file), the capabilities it keeps,
# SIGHUP (a static prefix changed live, DNS64 off/on, an invalid file refused, a running ping losing
# nothing), the uplink's MTU followed live, roaming to a new SLAAC /64 (renumbering by radvd), and
# recovery after kill -9 (with the TUN the daemon creates, and with a persistent TUN that keeps the
# address and route). Run as root:   sudo tests/netns/clat_lifecycle.sh
#
# Topology (tests/netns/lib.sh clat_topology, as clat_e2e.sh):
#
#  ns x4-cl-PID-cl (client)         ns x4-cl-PID-rt (router + two PLATs)                ns x4-cl-PID-sv
# +------------------------+     +-------------------------------------------------+    +-------------------+
# | xlat464 clat --config  |     | radvd: 2001:db8:1::/64, later 2001:db8:2::/64   |    |                   |
# |  TUN clat 192.0.0.1/29 |     | TAYGA nat64a 2001:db8:64::/96 (pool .128/26)    |    |                   |
# |                        |     | TAYGA nat64b 2001:db8:65::/96 (pool .192/26)    |    |                   |
# | c-r SLAAC              |=====| r-c 2001:db8:1::1/64 (+ 2001:db8:2::1/64)       |====| s-r 203.0.113.2   |
# +------------------------+     | r-s 203.0.113.1/24, nft masquerade              |    | default via .1    |
#                                +-------------------------------------------------+    +-------------------+
#
# Every check prints PASS or FAIL; the last line is "clat_lifecycle: N passed, N failed"; exit status 1
# when a check failed, 2 when the setup failed. Environment: XLAT464=path, KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-cl-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}sv
ALL_NS="$NSC $NSR $NSS"

PREFIX6=2001:db8:1::
R6=2001:db8:1::1
PREFIX6B=2001:db8:2::     # the /64 the router renumbers the client to
PLAT_A=2001:db8:64::/96
PLAT_B=2001:db8:65::/96
RS4=203.0.113.1
S4=203.0.113.2

preconditions ip nft tayga radvd ping timeout ss socat tcpdump sha256sum
need_xlat464
make_tmp x4-cl
say "# clat_lifecycle: namespaces ${P}*, temp $tmp"

clat_topology x4cl
clat_tayga nat64a "$PLAT_A" 198.51.100.128/26 198.51.100.1 198.51.100.128/26 198.51.100.1/32
clat_tayga nat64b "$PLAT_B" 198.51.100.192/26 198.51.100.2 198.51.100.192/26 198.51.100.2/32
clat_wait_slaac
sleep 0.5

CTL=$tmp/ctl.sock
CONF=$tmp/clat.conf
daemon_log=$tmp/clat.log

write_conf() { # PREF64 [EXTRA LINES...]
	local p=$1
	shift
	{
		echo "# xlat464 clat, written by clat_lifecycle.sh"
		echo "uplink c-r"
		echo "pref64 $p   # the static PLAT prefix"
		echo "tun clatx   # overridden by --tun on the command line"
		echo "no-dns64"
		echo "control $CTL"
		printf '%s\n' "$@"
	} >"$CONF"
}
status() { "$XLAT464" status --control "$CTL"; }
running() { [ -S "$CTL" ] && status 2>/dev/null | grep -q "^  state running"; }
start_clat() { # starts the daemon (log appended to $daemon_log); waits for running unless told "nowait"
	echo "---- start" >>"$daemon_log"
	ip netns exec "$NSC" "$XLAT464" clat --config "$CONF" --tun clat --foreground >>"$daemon_log" 2>&1 &
	daemon_pid=$!
	[ "${1:-}" = nowait ] && return 0
	wait_daemon 10 running && return 0
	tail -n 20 "$daemon_log"
	return 1
}
tayga_rx() { nsx "$NSR" cat "/sys/class/net/$1/statistics/rx_packets"; }
ping4() { nsx "$NSC" ping -c "${1:-2}" -i 0.2 -W 2 "$S4"; }

# ---- the config file ------------------------------------------------------------------------------
bad_config() {
	write_conf "$PLAT_A" "force maybe"
	local out rc=0
	out=$(ip netns exec "$NSC" timeout 10 "$XLAT464" clat --config "$CONF" --foreground 2>&1) || rc=$?
	echo "exit $rc: $out"
	[ "$rc" -eq 2 ] && echo "$out" | grep -qF "$CONF:7: force: 'maybe' is neither yes nor no"
}
check bad-config-names-file-line-exit-2 bad_config
missing_config() {
	local out rc=0
	out=$(ip netns exec "$NSC" timeout 10 "$XLAT464" clat --config "$tmp/nonexistent.conf" 2>&1) || rc=$?
	echo "exit $rc: $out"
	[ "$rc" -eq 2 ] && echo "$out" | grep -q "nonexistent.conf: No such file"
}
check missing-config-exit-2 missing_config

write_conf "$PLAT_A"
start_clat || die "xlat464 clat --config did not come up: $(tail -n 5 "$daemon_log")"
config_applied() {
	status | tee "$tmp/status1.txt" | head -n 20
	# flags over the file: --tun clat beats "tun clatx"; the file's uplink, prefix, no-dns64, control
	nsx "$NSC" ip link show clat >/dev/null && ! nsx "$NSC" ip link show clatx >/dev/null 2>&1 &&
		grep -q "pref64 $PLAT_A (source: static" "$tmp/status1.txt" &&
		grep -q "dns64 off" "$tmp/status1.txt" && grep -q "uplink c-r" "$tmp/status1.txt"
}
check config-file-and-flag-override config_applied
check ping-through-plat-a ping4 3

caps_kept() {
	grep -E "^Cap(Eff|Prm|Bnd|Amb|Inh)|NoNewPrivs" "/proc/$daemon_pid/status"
	grep -q "capabilities kept: 0x3000" "$daemon_log" &&
		grep -q "^CapEff:[[:space:]]*0000000000003000$" "/proc/$daemon_pid/status" &&
		grep -q "^CapPrm:[[:space:]]*0000000000003000$" "/proc/$daemon_pid/status" &&
		grep -q "^CapBnd:[[:space:]]*0000000000003000$" "/proc/$daemon_pid/status" &&
		grep -q "^NoNewPrivs:[[:space:]]*1$" "/proc/$daemon_pid/status" &&
		status | grep -q "capabilities 0x3000"
}
check only-net-admin-net-raw-kept caps_kept

# ---- SIGHUP ----------------------------------------------------------------------------------------
# A reload while a ping runs: the prefix moves from PLAT A to PLAT B (live), then DNS64 goes on, then an
# invalid file is refused. The ping must lose nothing across the first and last (no flow is reset).
reload_same_prefix_no_loss() {
	local out
	nsx "$NSC" ping -c 25 -i 0.2 -W 2 "$S4" >"$tmp/ping-reload.txt" 2>&1 &
	local p=$!
	sleep 1
	write_conf "$PLAT_A" "resolv-conf /etc/resolv.conf" "debug no"
	kill -HUP "$daemon_pid"
	sleep 1
	kill -HUP "$daemon_pid"
	wait "$p"
	out=$(cat "$tmp/ping-reload.txt")
	echo "$out" | tail -n 3
	wait_log "$daemon_log" "reloaded $CONF" || return 1
	echo "$out" | grep -q " 0% packet loss" && [ "$(grep -c "reloaded $CONF" "$daemon_log")" -ge 2 ]
}
check sighup-keeps-flows-no-loss reload_same_prefix_no_loss

reload_prefix_live() {
	local a0 b0 a1 b1
	write_conf "$PLAT_B"
	kill -HUP "$daemon_pid"
	wait_log "$daemon_log" "reload: static prefix $PLAT_A -> $PLAT_B" || return 1
	wait_log "$daemon_log" "PLAT prefix $PLAT_A (static) -> $PLAT_B (static)" || return 1
	a0=$(tayga_rx nat64a) b0=$(tayga_rx nat64b)
	ping4 3 || return 1
	a1=$(tayga_rx nat64a) b1=$(tayga_rx nat64b)
	echo "nat64a rx +$((a1 - a0)), nat64b rx +$((b1 - b0))"
	status | grep "pref64 "
	[ $((b1 - b0)) -ge 3 ] && [ $((a1 - a0)) -eq 0 ] && running
}
check sighup-static-prefix-changes-live reload_prefix_live

reload_dns64_on() {
	write_conf "$PLAT_B" "no-dns64 no"
	kill -HUP "$daemon_pid"
	wait_log "$daemon_log" "reload: DNS64 on" || return 1
	# no DNS64 server in this test: the query fails, the static prefix stays in use
	wait_log "$daemon_log" "DNS64: " 10 || return 1
	status | grep -E "^  (dns64|pref64) "
	status | grep -q "pref64 $PLAT_B" && ! status | grep -q "dns64 off" && ping4 2
}
check sighup-dns64-on reload_dns64_on

reload_invalid_kept() {
	local n0
	n0=$(grep -c "keeping the current configuration" "$daemon_log")
	write_conf "$PLAT_A" "pref64 2001:db8:66::/33"
	kill -HUP "$daemon_pid"
	wait_until 5 eval '[ "$(grep -c "keeping the current configuration" "$daemon_log")" -gt "$n0" ]' || return 1
	grep "keeping the current" "$daemon_log" | tail -n 1
	grep -q "reload: $CONF:7: pref64: prefix length 33 is not an RFC 6052 length" "$daemon_log" &&
		status | grep -q "pref64 $PLAT_B" && status | grep -q "reload-errors 1" && ping4 2 && running
}
check sighup-invalid-file-keeps-old reload_invalid_kept

reload_restart_key() {
	write_conf "$PLAT_B" "no-dns64 no"
	sed -i 's/^control .*/control \/tmp\/elsewhere.sock/' "$CONF"
	kill -HUP "$daemon_pid"
	wait_log "$daemon_log" "reload: control change only with a restart; keeping the running values" || return 1
	[ -S "$CTL" ] && [ ! -e /tmp/elsewhere.sock ] && running
}
check sighup-restart-only-key-kept reload_restart_key
write_conf "$PLAT_B"
kill -HUP "$daemon_pid"

# ---- MTU ------------------------------------------------------------------------------------------
tun_mtu() { nsx "$NSC" cat /sys/class/net/clat/mtu; }
mtu_follows() {
	echo "TUN MTU before: $(tun_mtu)"
	[ "$(tun_mtu)" = 1480 ] || return 1
	ip -n "$NSR" link set r-c mtu 1400
	ip -n "$NSC" link set c-r mtu 1400
	wait_until 5 eval '[ "$(tun_mtu)" = 1380 ]' || { echo "TUN MTU $(tun_mtu), want 1380"; return 1; }
	echo "TUN MTU after: $(tun_mtu)"
	grep "IPv6 MTU 1500 -> 1400" "$daemon_log" && status | grep -q "mtu6 1400" && status | grep -q "mtu4 1380"
}
check uplink-mtu-1400-tun-follows mtu_follows
# what the big packets do on the client's uplink and towards the server (shown when a check fails)
capture "$NSC" c-r mtu-uplink 100 'ip6 and greater 1200'
capture "$NSR" r-s mtu-server 100 'icmp and greater 1200'
sleep 1
# 1380 bytes of IPv4 with DF become 1400 of IPv6: they must reach the server whole. (The echo reply, sent
# without DF, is fragmented by TAYGA to 1280 and a fragmented ICMP message is not translated back, RFC 7915
# section 1.2, so the ping itself gets no answer: the server's capture is the proof.)
df_fits() {
	nsx "$NSC" ping -c 2 -i 0.3 -W 1 -M do -s 1352 "$S4"
	sleep 1
	local n
	n=$(tcpdump -n -v -r "$tmp/mtu-server.pcap" 2>/dev/null | grep -c "flags \[DF\], proto ICMP (1), length 1380")
	echo "1380-byte DF echo requests at the server: $n"
	[ "$n" -ge 2 ]
}
check df-1380-bytes-reach-server df_fits
make_payloads
check tcp-2MiB-at-mtu-1400 tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5001 "$tmp/blob"
df_too_big() {
	local out
	out=$(nsx "$NSC" ping -c 1 -W 2 -M do -s 1353 "$S4" 2>&1)
	echo "$out"
	echo "$out" | grep -q "mtu=1380"
}
check df-1381-bytes-frag-needed-mtu-1380 df_too_big

# ---- roaming: the router renumbers the link ---------------------------------------------------------
A_OLD=$(sed -n 's/.*: CLAT \([0-9a-f:]*\) = 192.0.0.1 via.*/\1/p' "$daemon_log" | tail -n 1)
roaming() {
	ip -n "$NSR" addr add "${PREFIX6B}1/64" dev r-c nodad || return 1
	cat >"$tmp/radvd.conf" <<-EOF
		interface r-c {
			AdvSendAdvert on;
			MinRtrAdvInterval 3;
			MaxRtrAdvInterval 4;
			prefix ${PREFIX6}/64 { AdvOnLink on; AdvAutonomous on; AdvPreferredLifetime 0; };
			prefix ${PREFIX6B}/64 { AdvOnLink on; AdvAutonomous on; };
		};
	EOF
	kill -HUP "$(cat "$tmp/radvd.pid")" || return 1
	wait_log "$daemon_log" "/64 ${PREFIX6}/64 -> ${PREFIX6B}/64" 15 || { nsx "$NSC" ip -6 addr show dev c-r; return 1; }
	wait_log "$daemon_log" "CLAT address $A_OLD -> ${PREFIX6B%::}:" 5 || return 1
	grep -E "renumbered|CLAT address|DAD" "$daemon_log" | tail -n 4
	wait_daemon 5 running || return 1
	ping4 3 || return 1
	local a_new
	a_new=$(grep "CLAT address $A_OLD -> " "$daemon_log" | tail -n 1 | sed 's/.* -> //')
	echo "router neighbour: $(nsx "$NSR" ip -6 neigh show "$a_new" dev r-c)"
	nsx "$NSR" ip -6 neigh show "$a_new" dev r-c | grep -q lladdr && status | grep -q "renumbers 1" &&
		status | grep -q "clat-ipv6 $a_new"
}
check roaming-new-slaac-64-new-address roaming

# ---- kill -9 ----------------------------------------------------------------------------------------
kill9_plain() {
	kill -KILL "$daemon_pid"
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	sleep 0.5
	[ -S "$CTL" ] && echo "stale control socket left (expected)"
	start_clat || return 1
	ping4 2
}
check kill-9-then-start-works kill9_plain

# A persistent TUN (made before the CLAT, as an administrator might): kill -9 leaves its address and
# default route; the next start (here in standby, native IPv4 present) must remove them.
tun_route() { nsx "$NSC" ip -4 route show default | grep -q "dev clat.*metric 2048"; }
kill9_persistent() {
	stop_daemon 3 || return 1
	ip -n "$NSC" tuntap add clat mode tun || return 1
	start_clat || return 1
	grep -q "TUN clat exists already" "$daemon_log" || return 1
	kill -KILL "$daemon_pid"
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	sleep 0.5
	nsx "$NSC" ip -4 route
	tun_route && nsx "$NSC" ip -4 addr show dev clat | grep -q 192.0.0.1 || { echo "nothing stale to recover?"; return 1; }
	echo "stale route and address left by kill -9 (expected)"
	ip -n "$NSC" addr add 192.0.2.10/24 dev c-r
	ip -n "$NSC" route add default via 192.0.2.1 dev c-r metric 100
	start_clat nowait
	wait_log "$daemon_log" "TUN clat: left by an earlier run that was killed; removed its default route and 192.0.0.1" || return 1
	wait_log "$daemon_log" "-> standby (native IPv4" || return 1
	nsx "$NSC" ip -4 route
	! tun_route && ! nsx "$NSC" ip -4 addr show dev clat | grep -q 192.0.0.1 || return 1
	ip -n "$NSC" route del default via 192.0.2.1 dev c-r metric 100
	ip -n "$NSC" addr del 192.0.2.10/24 dev c-r
	wait_daemon 10 running && ping4 2
}
check kill-9-persistent-tun-cleaned kill9_persistent
sigterm_clean() {
	stop_daemon 3 || return 1
	nsx "$NSC" ip -4 route
	! tun_route && ! nsx "$NSC" ip -4 addr | grep -q 192.0.0.1 && [ ! -e "$CTL" ]
}
check sigterm-leaves-nothing sigterm_clean
ip -n "$NSC" tuntap del clat mode tun 2>/dev/null

say "clat_lifecycle: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
