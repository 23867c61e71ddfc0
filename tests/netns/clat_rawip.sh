#!/bin/bash
# `xlat464 clat` on a layer-3 uplink: a raw-IP cellular modem (wwan0 of qmi_wwan or mhi: ARPHRD_NONE,
# POINTOPOINT, NOARP, no link-layer header) and a PPP link (ARPHRD_PPP), which this kernel cannot
# make (no PPP) but a TUN presents exactly: two TUNs joined by tests/tools/tunrelay stand in for the
# modem and the network's side of it. radvd gives the /64 by SLAAC, as a 3GPP network does, and routes
# all of it to the host; Debian's TAYGA is the PLAT. Run as root:   sudo tests/netns/clat_rawip.sh
#
#  ns cl (IPv6-only client)         ns rt (the network: router + PLAT)                  ns sv (IPv4 server)
# +--------------------------+     +-------------------------------------------------+    +--------------------+
# | xlat464 clat             |     | radvd: 2001:db8:1::/64 (SLAAC), no link-layer   |    |                    |
# |  TUN clat 192.0.0.1/29   |     |   address option                                |    |                    |
# | c-r: TUN, raw IP         |==R==| r-c: TUN, 2001:db8:1::1/64 (the /64 routed to   |    |                    |
# |  SLAAC 2001:db8:1::/64   |     |   the host: no neighbour discovery)             |    |                    |
# |                          |     | TAYGA 2001:db8:64::/96, pool 198.51.100.128/25  |    |                    |
# |                          |     | r-s 203.0.113.1/24                              |====| s-r 203.0.113.2/24 |
# +--------------------------+     +-------------------------------------------------+    +--------------------+
#   R: build/tests/tunrelay, copying packets between the two TUNs (their descriptors stay with it)
#
# Checked on the raw-IP link, with the kernel fast path (the default): the uplink is found by the
# IPv6 default route and seen as raw-ip without neighbour discovery; the CLAT address is in the /64
# and in use at once (no DAD probe, no neighbour advertisement); ping; 2 MiB TCP each way byte-exact;
# UDP echo; an ICMP error reaches the application (port unreachable: ECONNREFUSED); traceroute shows
# the IPv6 router as 192.0.0.8 and reaches the server; the fast path carried the transfers (its
# raw-IP ingress and the egress without a link-layer header); a smaller MTU on the link is followed
# (TUN MTU 1380, a 1380-byte DF ping passes, 1381 gets Fragmentation Needed with mtu=1380); SIGTERM
# removes the TUN, route, address, control socket and the fast path's filter on the uplink.
# Then the same link with the fast path off (the daemon's packet socket and raw socket on a link
# without a link-layer header, super-packets from the TUN sent whole): ping, TCP both ways. Then a PPP link (TUNSETLINK ARPHRD_PPP,
# link-local addresses set by hand as pppd does): seen as ppp, ping, TCP both ways, UDP echo.
#
# Every check prints PASS or FAIL; the last line is "N passed, N failed". Environment: XLAT464,
# TUNRELAY (default build/tests/tunrelay), KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

clat_names x464l3 # NSC NSR NSS ALL_NS PREFIX6 R6 PLAT RS4 S4

POOL4=198.51.100.128/25
TAYGA4=198.51.100.1
RFC6791=192.0.0.8

preconditions ip nft tayga radvd socat traceroute tcpdump ping timeout sha256sum ss cmp tc
need_xlat464
make_tmp x464l3
say "# clat_rawip: namespaces ${P}*, temp $tmp"

CTL=$tmp/ctl.sock
clat_running() { [ -S "$CTL" ] && grep -q -- "-> running" "$daemon_log"; }
start_clat() { # LOGNAME [EXTRA ARGS...]
	daemon_log=$tmp/$1.log
	shift
	ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --control "$CTL" --foreground "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 10 clat_running && return 0
	sed 's/^/    /' "$daemon_log"
	return 1
}
stop_clat() { stop_daemon 3; }
jc() { jget "j['clat']$1"; }

# ---- a raw-IP link ----------------------------------------------------------------------------------
clat_topology x464l3 none
clat_tayga nat64 "$PLAT" "$POOL4" "$TAYGA4" 198.51.100.0/24
clat_wait_slaac
make_payloads
udp_echo_server "$NSS" 7777

start_clat rawip || die "xlat464 clat did not come up on the raw-IP link"
A1=$(sed -n 's/.*: CLAT \([0-9a-f:]*\) = 192.0.0.1 via.*/\1/p' "$daemon_log" | tail -n 1)
say "# CLAT address $A1"

uplink_is_rawip() {
	nsx "$NSC" ip -d link show c-r | head -n 2
	eq uplink "$(jc "['uplink']")" c-r &&
		eq uplink_kind "$(jc "['uplink_kind']")" raw-ip &&
		eq neighbour_discovery "$(jc "['uplink_neighbour_discovery']")" False &&
		eq state "$(jc "['state']")" running
}
check rawip-uplink-found-and-kind uplink_is_rawip

no_dad_on_l3() {
	grep -E "DAD|neighbour|uplink" "$daemon_log"
	case "$A1" in "${PREFIX6%::}":*) ;; *) echo "$A1 is not in ${PREFIX6}/64"; return 1 ;; esac
	! grep -q "DAD: probing" "$daemon_log" && grep -q "no neighbour discovery on a layer-3 link" "$daemon_log" &&
		eq na_sent "$(jc "['na_sent']")" 0
}
check rawip-address-without-dad no_dad_on_l3

check rawip-ping nsx "$NSC" ping -c 3 -W 2 "$S4"
check rawip-tcp-upload-2MiB tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5001 "$tmp/blob"
check rawip-tcp-download-2MiB tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" 5002 "$tmp/blob" pull
check rawip-udp-echo udp_echo "$NSC" "UDP4:$S4:7777" "$tmp/udp.small"

# A datagram to a port nobody listens on: the server's port unreachable comes back through the PLAT
# and the CLAT (ICMPv6 to ICMPv4) to the application, which sees ECONNREFUSED.
icmp_error_to_app() {
	nsx "$NSC" "$PY" - "$S4" <<-'EOF'
		import socket, sys, time
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.settimeout(3)
		s.connect((sys.argv[1], 9))
		s.send(b"anyone?")
		time.sleep(0.5)
		try:
		    s.send(b"anyone?")
		    s.recv(100)
		    print("an answer: no port unreachable"); sys.exit(1)
		except ConnectionRefusedError:
		    print("ECONNREFUSED: the port unreachable reached the application"); sys.exit(0)
		except socket.timeout:
		    print("no answer, no error"); sys.exit(1)
	EOF
}
check rawip-icmp-error-reaches-app icmp_error_to_app
check rawip-traceroute traceroute_check "$NSC" "$S4" "$RFC6791" -n -w 1 -q 1 -m 8

fast_carried() {
	jget "j['clat']['fast_path']"
	[ "$(jc "['fast_path_active']")" = True ] &&
		ge fast-bytes-4to6 "$(jc "['fast_path']['bytes-4to6']")" $((2 * 1024 * 1024)) &&
		ge fast-bytes-6to4 "$(jc "['fast_path']['bytes-6to4']")" $((2 * 1024 * 1024)) &&
		eq fast-failed "$(jc "['fast_path']['failed']")" 0
}
check rawip-fast-path-carried-the-transfers fast_carried

# A smaller MTU on the link (both ends, as a modem would report it): the TUN and the translator follow.
# (The server's echo reply to a big ping has no DF, so the PLAT fragments it to 1280 bytes and no
# translator turns fragmented ICMP back, RFC 7915 section 1.2: the request is watched at the server.)
mtu_followed() {
	ip -n "$NSC" link set c-r mtu 1400 && ip -n "$NSR" link set r-c mtu 1400 || return 1
	wait_log "$daemon_log" "IPv6 MTU 1500 -> 1400" 5 || return 1
	nsx "$NSC" ip link show clat | grep -q "mtu 1380" || { nsx "$NSC" ip link show clat; return 1; }
	ip netns exec "$NSS" timeout 5 tcpdump -n -v -c 1 -i s-r "icmp[icmptype] == icmp-echo" >"$tmp/df1380.txt" 2>&1 &
	local tp=$! out
	sleep 0.5
	nsx "$NSC" ping -c 1 -W 1 -M do -s 1352 "$S4" >/dev/null # 1380 bytes
	wait "$tp"
	cat "$tmp/df1380.txt"
	grep -q "flags \[DF\], proto ICMP (1), length 1380" "$tmp/df1380.txt" || return 1
	out=$(nsx "$NSC" ping -c 1 -W 2 -M do -s 1353 "$S4" 2>&1)
	echo "$out"
	echo "$out" | grep -q "mtu=1380"
}
check rawip-mtu-change-followed mtu_followed
check rawip-tcp-after-mtu-change tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5003 "$tmp/blob"

teardown_clean() {
	stop_clat || return 1
	if nsx "$NSC" ip link show clat >/dev/null 2>&1; then echo "TUN clat still there"; return 1; fi
	if nsx "$NSC" ip -4 route | grep -q .; then echo "IPv4 routes left:"; nsx "$NSC" ip -4 route; return 1; fi
	[ ! -e "$CTL" ] || { echo "control socket left"; return 1; }
	local f
	f=$(nsx "$NSC" tc filter show dev c-r ingress 2>/dev/null)
	[ -z "$f" ] || { echo "a filter left on c-r: $f"; return 1; }
	echo "no TUN, no IPv4 route, no control socket, no filter on the uplink"
}
check rawip-sigterm-cleans-up teardown_clean

# ---- the same link, the userspace path alone ------------------------------------------------------
if start_clat rawip-tun --no-fast-path; then
	ok rawip-no-fast-path-up
	check rawip-no-fast-path-ping nsx "$NSC" ping -c 3 -W 2 "$S4"
	check rawip-no-fast-path-tcp-upload tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5004 "$tmp/blob"
	check rawip-no-fast-path-tcp-download tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" 5005 "$tmp/blob" pull
	userspace_carried() {
		st | grep -E "^  (4to6|6to4|userspace-path) "
		[ "$(jget "j['packets_4to6'] > 20 and j['packets_6to4'] > 1000")" = True ] &&
			st | grep -qE "^  userspace-path tun-offload yes super-packets-out [1-9]"
	}
	check rawip-no-fast-path-userspace-carried userspace_carried
	check rawip-no-fast-path-sigterm stop_clat
else
	bad rawip-no-fast-path-up
fi

# ---- a PPP link -------------------------------------------------------------------------------------
for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
pids=()
for ns in $ALL_NS; do ip netns del "$ns"; done
clat_topology x464l3 ppp
clat_tayga nat64 "$PLAT" "$POOL4" "$TAYGA4" 198.51.100.0/24
clat_wait_slaac
udp_echo_server "$NSS" 7777
if start_clat ppp; then
	ok ppp-clat-up
	ppp_kind() {
		nsx "$NSC" ip -d link show c-r | head -n 2
		eq uplink_kind "$(jc "['uplink_kind']")" ppp && ! grep -q "DAD: probing" "$daemon_log"
	}
	check ppp-uplink-kind ppp_kind
	check ppp-ping nsx "$NSC" ping -c 3 -W 2 "$S4"
	check ppp-tcp-upload tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5006 "$tmp/blob"
	check ppp-tcp-download tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" 5007 "$tmp/blob" pull
	check ppp-udp-echo udp_echo "$NSC" "UDP4:$S4:7777" "$tmp/udp.small"
	check ppp-sigterm stop_clat
else
	bad ppp-clat-up
fi
finish
