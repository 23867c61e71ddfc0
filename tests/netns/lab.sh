#!/bin/bash
# End-to-end test of `xlat464 lab up|tour|down` (scripts/lab.sh, docs/lab.md): the lab is built, the
# tour is run and every one of its steps is checked by what it printed, not only by its exit status;
# then `down` must leave no namespace, no state and no process behind. Run as root:
#
#     sudo tests/netns/lab.sh                          # against build/xlat464
#     sudo XLAT464=build-lab/xlat464 tests/netns/lab.sh
#
# The lab runs under its own namespace prefix (x464lab-t<pid>-) and state directory
# (/run/xlat464-lab-t<pid>), so a lab someone has up is never touched. Topology: scripts/lab.sh.
#
# Every check prints PASS or FAIL; the last line is "N passed, N failed"; exit 1 when a check failed,
# 2 when the setup failed. The tour's output and the lab's logs stay in a temporary directory when
# something failed, or always with KEEP=1.
# Needs: iproute2, nftables, dhcpcd-base, udhcpc, socat, curl, traceroute, iputils-ping, python3.
LAB_TAG=t
. "$(dirname "$0")/lab_lib.sh"
NSC=${P}client
S4=203.0.113.2

# ---- preconditions ------------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$XLAT464" ] || die "no binary at $XLAT464 (make, or set XLAT464=)"
for c in ip nft dhcpcd udhcpc socat curl traceroute ping setsid timeout; do
	command -v "$c" >/dev/null || die "missing command: $c (scripts/install-deps.sh)"
done
tmp=$(mktemp -d /tmp/xlat464-lab.XXXXXX) || die mktemp
say "# lab: namespaces ${P}*, state $XLAT464_LAB_DIR, output $tmp"

# ---- up -----------------------------------------------------------------------------------------
# a bad --plats is refused before anything is built, naming the flag (tests/netns/plat_ecmp.sh runs
# the lab with --plats 3)
timeout 30 "$XLAT464" lab up --plats 9 >"$tmp/up-bad.out" 2>&1
rc=$?
refused_plats() { [ "$1" = 2 ] && grep -q -- "--plats '9'" "$tmp/up-bad.out" && ! ip netns list | grep -q "^$P" && [ ! -e "$XLAT464_LAB_DIR" ]; }
check "lab up --plats 9: refused (exit $rc), names the flag, builds nothing" refused_plats "$rc"

timeout 240 "$XLAT464" lab up >"$tmp/up.out" 2>&1
rc=$?
check "lab up: exit status 0 (got $rc)" test "$rc" = 0
[ "$rc" = 0 ] || { sed 's/^/    /' "$tmp/up.out"; }
check "lab up: says it is up" grep -q "xlat464 lab: up" "$tmp/up.out"
check "lab up: 4 namespaces ${P}{router,server,client,client4}" \
	test "$(ip netns list | awk '{print $1}' | grep -cE "^${P}(router|server|client|client4)$")" = 4
cp "$XLAT464_LAB_DIR/pids" "$tmp/pids" 2>/dev/null
check "lab up: pids recorded (web echo ra dhcp4 dhcpcd clat plat)" \
	test "$(awk '{print $1}' "$tmp/pids" 2>/dev/null | sort | tr '\n' ' ')" = "clat dhcp4 dhcpcd echo plat ra web "

timeout 60 "$XLAT464" lab up >"$tmp/up2.out" 2>&1
rc=$?
refused_up() { [ "$1" -ne 0 ] && grep -q 'already up' "$tmp/up2.out" && grep -q 'lab down' "$tmp/up2.out"; }
check "lab up again: refused (exit $rc), says how to take it down" refused_up "$rc"
check "lab up again: the lab still works (ping)" ip netns exec "$NSC" ping -c 1 -W 3 "$S4"

# ---- tour ---------------------------------------------------------------------------------------
timeout 180 "$XLAT464" lab tour >"$tmp/tour.out" 2>&1
rc=$?
check "lab tour: exit status 0 (got $rc)" test "$rc" = 0
check "tour: steps 1 to 7 in order" \
	test "$(sed -n 's/^== \([0-9]*\)\..*/\1/p' "$tmp/tour.out" | tr '\n' ' ')" = "1 2 3 4 5 6 7 "

# 1. DHCPv4 and option 108
check "tour 1: dhcpcd's log line: option 108 received from the lab's dhcp4" \
	sec_has 1 "IPv6-Only Preferred received \(1800 seconds\) from 192\.0\.2\.1"
check "tour 1: xlat464 dhcp4 logged the client asking for 108" sec_has 1 "client 00:00:5e:00:53:21 asked for option 108: yes"
no_ipv4() { ! section 1 | grep -q '^ *inet ' && ! ip -n "$NSC" -4 addr show dev "${XLAT464_LAB_IFTAG}1" | grep -q inet; }
check "tour 1: the client has no IPv4 address on its uplink" no_ipv4
check "tour 1: the second client (no 108) got a lease from the pool" sec_has 1 "ip=192\.0\.2\.1[0-9][0-9] .*serverid=192\.0\.2\.1"
# 2. PREF64
check "tour 2: pref64 64:ff9b::/96 from ra-pref64" sec_has 2 "pref64 64:ff9b::/96 \(source: ra-pref64"
check "tour 2: prefix-sources lists ra-pref64 64:ff9b::/96" sec_has 2 "prefix-sources ra-pref64 64:ff9b::/96"
# 3. CLAT
check "tour 3: CLAT state running" sec_has 3 "state running "
check "tour 3: 192.0.0.1/29 on TUN clat (status)" sec_has 3 "clat-ipv4 192\.0\.0\.1/29 on clat"
check "tour 3: 192.0.0.1/29 on TUN clat (ip addr)" sec_has 3 "inet 192\.0\.0\.1/29 scope host clat"
check "tour 3: default route through clat" sec_has 3 "default dev clat .*src 192\.0\.0\.1"
# 4. ping
check "tour 4: ping 203.0.113.2: 3 sent, 3 received, 0% loss" sec_has 4 "3 packets transmitted, 3 received, 0% packet loss"
# 5. web page and UDP echo
check "tour 5: curl printed the page" sec_has 5 "Hello from the IPv4-only server"
check "tour 5: UDP echo came back" sec_has 5 "^    hello over UDP$"
check "tour 5: the 8 MiB download arrived whole" sec_has 5 "^    8388608 bytes, HTTP 200$"
# the PLAT's kernel fast path carried most of it: its 4to6 bytes (the download) above 4 MiB
fast_path_carried() {
	section 5 | grep -q '^    bpf_offload:' && section 5 | grep -qE '^      on +yes$' &&
		section 5 | grep -qE '^      interfaces +br0, r-s$' &&
		[ "$(section 5 | awk '$1 == "bytes_4to6" { print $2 }')" -gt 4194304 ] 2>/dev/null
}
check "tour 5: the PLAT's kernel fast path carried the download" fast_path_carried
# 6. traceroute
hops() { section 6 | grep -E '^ +[0-9]+ +'; }
trace_reaches() { hops | tail -n 1 | grep -qE '^ +[0-9]+ +203\.0\.113\.2 '; }
trace_hop() { hops | grep -v ' 203\.0\.113\.2 ' | grep -qE '^ +[0-9]+ +[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+ '; }
check "tour 6: traceroute reaches 203.0.113.2" trace_reaches
check "tour 6: at least one intermediate hop answered (not *)" trace_hop
# 7. every daemon's status: the part of section 7 after "$ xlat464 status ... # NAME"
daemon() { section 7 | awk -v n="# $1" '/^\$ xlat464 status/ { on = (index($0, n) > 0) } on'; }
st_clat() { daemon clat | grep -q 'clat on clat (pid' && daemon clat | grep -q 'state running'; }
st_plat() { daemon plat | grep -q 'plat on nat64 (pid .*stateful' && daemon plat | grep -qE '^ +pool4 198\.51\.100\.0/28'; }
st_plat_traffic() { test "$(daemon plat | grep -cE '^    packets_(4to6|6to4) +[1-9]')" = 2; }
st_plat_sessions() { # the CLAT's flows: sessions of the CLAT address, bindings in the pool, and logged
	section 7 | grep -qE '^ +(tcp|udp|icmp) +2001:db8:1:[0-9a-f:]+#[0-9]+ +198\.51\.100\.([0-9]|1[0-5])#[0-9]+ +-> +203\.0\.113\.2#' &&
		section 7 | grep -qE 'Z nat64 bib-add (tcp|udp|icmp) 2001:db8:1:[0-9a-f:]+#[0-9]+ 198\.51\.100\.'
}
st_ra() { daemon ra | grep -q 'ra on br0 (pid' && daemon ra | grep -qE '^ +state +advertising$'; }
st_dhcp4() { daemon dhcp4 | grep -q 'dhcp4 on br0 (pid' && daemon dhcp4 | grep -qE '^ +option108_share_percent +50\.0$'; }
check "tour 7: clat status answers (running)" st_clat
check "tour 7: plat status answers (stateful NAT64, pool4 198.51.100.0/28)" st_plat
check "tour 7: plat translated traffic both ways" st_plat_traffic
check "tour 7: plat sessions and binding log show the CLAT's flows" st_plat_sessions
check "tour 7: ra status answers (advertising)" st_ra
check "tour 7: dhcp4 status answers (1 of 2 clients asked for 108)" st_dhcp4

# ---- down ---------------------------------------------------------------------------------------
timeout 60 "$XLAT464" lab down >"$tmp/down.out" 2>&1
rc=$?
downed=1
check "lab down: exit status 0 (got $rc)" test "$rc" = 0
no_ns() { ! ip netns list | grep -q "^$P"; }
check "lab down: no ${P} namespace left" no_ns
check "lab down: state directory removed" test ! -e "$XLAT464_LAB_DIR"
gone() { # every recorded pid: no such process, or a zombie waiting to be reaped by init
	local name pid ns st
	while read -r name pid ns; do
		[ -e "/proc/$pid" ] || continue
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)
		[ -z "$st" ] || [ "$st" = Z ] || { echo "$name $pid still alive ($st)"; return 1; }
	done <"$tmp/pids"
}
check "lab down: every pid the lab started is gone" gone
timeout 30 "$XLAT464" lab tour >"$tmp/tour2.out" 2>&1
rc=$?
refused_tour() { [ "$1" -ne 0 ] && grep -q 'not up' "$tmp/tour2.out"; }
check "lab tour after down: refused (exit $rc), says the lab is not up" refused_tour "$rc"

if [ "$fail" -ne 0 ]; then
	say "--- tour output"
	sed 's/^/    /' "$tmp/tour.out"
fi
say "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
