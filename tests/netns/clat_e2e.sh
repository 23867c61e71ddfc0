#!/bin/bash
# End-to-end test of `xlat464 clat`, the host CLAT, against independent peers (radvd for SLAAC, Debian's
# TAYGA plus nftables masquerade as the PLAT), in network namespaces this script creates and deletes.
# Run as root:   sudo tests/netns/clat_e2e.sh
#
# Topology:
#
#  ns cl (IPv6-only client)          ns rt (router + PLAT)                            ns sv (IPv4-only server)
# +---------------------------+    +------------------------------------------------+    +--------------------+
# | xlat464 clat              |    | radvd: 2001:db8:1::/64 (SLAAC)                 |    |                    |
# |  TUN clat 192.0.0.1/29,   |    | TAYGA (TUN nat64): prefix 2001:db8:64::/96,    |    |                    |
# |  default route metric 2048|    |   dynamic pool 198.51.100.128/25, itself       |    |                    |
# |  CLAT IPv6 address: its   |    |   198.51.100.1; nft masquerade out of r-s      |    |                    |
# |  own, in the SLAAC /64    |    |                                                |    |                    |
# | c-r  SLAAC 2001:db8:1::/64|====| r-c 2001:db8:1::1/64        r-s 203.0.113.1/24 |====| s-r 203.0.113.2/24 |
# |  IPv6 default via RA      |    |                                                |    | default via .1     |
# +---------------------------+    +------------------------------------------------+    +--------------------+
#
# IPv4 from the client: 192.0.0.1 -> CLAT (EAM 192.0.0.1 = CLAT-IPv6, pool6 = the PLAT prefix) ->
# IPv6 2001:db8:1::<iid> -> 2001:db8:64::203.0.113.2 -> TAYGA (198.51.100.x) -> masquerade -> server.
# The PLAT prefix is a network-specific one under 2001:db8::/32, not 64:ff9b::/96: RFC 6052 section 3.1
# forbids the well-known prefix for non-global IPv4 addresses (the RFC 5737 ranges used here), and
# TAYGA enforces that. traceroute's first hop is the router's IPv6 kernel, which has no IPv4 address:
# the CLAT shows it as 192.0.0.8 (its RFC 6791 source).
#
# Every check prints PASS or FAIL; the last line is "N passed, N failed"; exit status 1 when a check
# failed, 2 when the setup failed. Logs and captures stay in the temporary directory when something
# failed, or always with KEEP=1. Environment: XLAT464=path (default build/xlat464), KEEP=1, VERBOSE=1.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
XLAT464=${XLAT464:-$here/../../build/xlat464}
KEEP=${KEEP:-0}
VERBOSE=${VERBOSE:-0}
PY=/usr/bin/python3

P=x464clat-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}sv
ALL_NS="$NSC $NSR $NSS"

PREFIX6=2001:db8:1::      # the client's SLAAC /64
R6=2001:db8:1::1          # the router on it
PLAT=2001:db8:64::/96     # TAYGA's prefix
POOL4=198.51.100.128/25   # TAYGA's dynamic pool (NAT44 to the server's network after it)
TAYGA4=198.51.100.1
RS4=203.0.113.1           # the router, server side
S4=203.0.113.2            # the IPv4-only server
RFC6791=192.0.0.8         # what the CLAT shows IPv6 routers as

pass=0
fail=0
pids=()
daemon_pid=
tmp=

say() { printf '%s\n' "$*"; }
die() { say "setup: $*" >&2; exit 2; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

cleanup() {
	local rc=$? p ns
	[ -n "$daemon_pid" ] && kill -TERM "$daemon_pid" 2>/dev/null
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${pids[@]}" $daemon_pid; do wait "$p" 2>/dev/null; done
	for ns in $ALL_NS; do ip netns del "$ns" 2>/dev/null; done
	if [ -n "$tmp" ] && [ -d "$tmp" ]; then
		if [ "$fail" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$KEEP" != 1 ]; then
			rm -rf "$tmp"
		else
			say "logs and captures kept in $tmp"
		fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # NAME FUNCTION [ARGS...]
	local name=$1; shift
	local log=$tmp/$name.log
	if "$@" >"$log" 2>&1; then
		say "PASS $name"
		pass=$((pass + 1))
		[ "$VERBOSE" = 1 ] && sed 's/^/    /' "$log"
	else
		say "FAIL $name"
		fail=$((fail + 1))
		sed 's/^/    /' "$log" | tail -n 25
	fi
	return 0
}

# ---- preconditions ------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || die "must run as root"
for c in ip nft tayga radvd socat traceroute tcpdump ping timeout sha256sum ss cmp; do
	command -v "$c" >/dev/null || die "missing command: $c (see scripts/install-deps.sh)"
done
[ -x "$PY" ] || die "missing $PY"
[ -x "$XLAT464" ] || die "no binary at $XLAT464 (run make, or set XLAT464=)"

tmp=$(mktemp -d /tmp/x464clat.XXXXXX) || die "mktemp"
chmod 755 "$tmp"
say "# clat_e2e: namespaces ${P}*, temp $tmp"

# ---- topology -----------------------------------------------------------------------------------
for ns in $ALL_NS; do
	ip netns add "$ns" || die "ip netns add $ns"
	nsx "$ns" ip link set lo up
	nsx "$ns" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null || die "sysctl $ns"
done
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"

ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"

nsx "$NSC" sysctl -qw net.ipv6.conf.c-r.accept_ra=1 net.ipv6.conf.c-r.autoconf=1 >/dev/null
ip -n "$NSC" link set c-r up
ip -n "$NSR" addr add "$R6/64" dev r-c nodad
ip -n "$NSR" addr add "$RS4/24" dev r-s
ip -n "$NSR" link set r-c up
ip -n "$NSR" link set r-s up
ip -n "$NSS" addr add "$S4/24" dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via "$RS4"

# radvd: SLAAC for the client
cat >"$tmp/radvd.conf" <<EOF
interface r-c {
	AdvSendAdvert on;
	MinRtrAdvInterval 3;
	MaxRtrAdvInterval 10;
	prefix ${PREFIX6}/64 { AdvOnLink on; AdvAutonomous on; };
};
EOF
ip netns exec "$NSR" timeout 900 radvd -n -C "$tmp/radvd.conf" -p "$tmp/radvd.pid" -m stderr >"$tmp/radvd.log" 2>&1 &
pids+=($!)

# TAYGA as the PLAT, with NAT44 behind it
mkdir -p "$tmp/tayga"
cat >"$tmp/tayga.conf" <<EOF
tun-device nat64
ipv4-addr $TAYGA4
prefix $PLAT
dynamic-pool $POOL4
data-dir $tmp/tayga
EOF
ip -n "$NSR" tuntap add nat64 mode tun || die "tuntap nat64"
ip -n "$NSR" link set nat64 up
ip netns exec "$NSR" timeout 900 tayga -c "$tmp/tayga.conf" --nodetach >"$tmp/tayga.log" 2>&1 &
pids+=($!)
ip -n "$NSR" route add "$PLAT" dev nat64 || die "route PLAT"
ip -n "$NSR" route add 198.51.100.0/24 dev nat64 || die "route pool"
nsx "$NSR" nft -f - <<EOF || die "nft"
table ip x464clat {
	chain post {
		type nat hook postrouting priority 100;
		oifname "r-s" ip saddr 198.51.100.0/24 masquerade
	}
}
EOF

# Wait for SLAAC (an address out of DAD) and the IPv6 default route from the RA.
for _ in $(seq 150); do
	nsx "$NSC" ip -6 addr show dev c-r scope global | grep -v tentative | grep -q "inet6 ${PREFIX6%::}:" &&
		nsx "$NSC" ip -6 route show default | grep -q . && break
	sleep 0.1
done
nsx "$NSC" ip -6 route show default | grep -q . || die "no SLAAC/default route on the client (radvd: $(tail -n 3 "$tmp/radvd.log"))"
sleep 0.5
kill -0 "${pids[1]}" 2>/dev/null || die "tayga exited: $(cat "$tmp/tayga.log")"
CMAC=$(nsx "$NSC" cat /sys/class/net/c-r/address)

# Everything IPv4 on the client's uplink, for the leak check (bounded in count and time).
ip netns exec "$NSC" timeout 600 tcpdump --immediate-mode -n -U -c 2000 -i c-r -w "$tmp/uplink4.pcap" ip >/dev/null 2>&1 &
pids+=($!)
ip netns exec "$NSC" timeout 600 tcpdump --immediate-mode -n -U -s 200 -c 20000 -i c-r -w "$tmp/uplink6.pcap" ip6 >/dev/null 2>&1 &
pids+=($!)
sleep 1

# ---- the CLAT -----------------------------------------------------------------------------------
CTL=$tmp/ctl.sock
start_clat() { # LOGNAME [EXTRA ARGS...]
	local log=$tmp/$1.log i
	shift
	ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --control "$CTL" --foreground "$@" >"$log" 2>&1 &
	daemon_pid=$!
	for i in $(seq 100); do
		[ -S "$CTL" ] && grep -q "dad -> running" "$log" && return 0
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	sed 's/^/    /' "$log"
	return 1
}
clat_addr() { sed -n 's/.*: CLAT \([0-9a-f:]*\) = 192.0.0.1 via.*/\1/p' "$1" | tail -n 1; }

stop_clat() {
	local rc
	kill -TERM "$daemon_pid" || return 1
	for _ in $(seq 30); do
		kill -0 "$daemon_pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$daemon_pid" 2>/dev/null; then
		echo "still running 3 s after SIGTERM"
		kill -KILL "$daemon_pid"
		wait "$daemon_pid"
		daemon_pid=
		return 1
	fi
	wait "$daemon_pid"
	rc=$?
	daemon_pid=
	echo "exit status $rc"
	return "$rc"
}

start_clat clat1 --uplink c-r || die "xlat464 clat did not come up"
A1=$(clat_addr "$tmp/clat1.log")
say "# CLAT address $A1"

dad_passed() {
	grep -E "DAD|state" "$tmp/clat1.log"
	grep -q "DAD: $A1 is free" "$tmp/clat1.log" || return 1
	case "$A1" in "${PREFIX6%::}":*) ;; *) echo "$A1 is not in ${PREFIX6}/64"; return 1 ;; esac
}
check clat-address-passed-dad dad_passed

check ping-ipv4-literal nsx "$NSC" ping -c 3 -W 2 "$S4"

router_neigh() { # the router resolved the CLAT address to the client's MAC through our NA
	local out
	out=$(nsx "$NSR" ip -6 neigh show "$A1" dev r-c)
	echo "router: $out (client MAC $CMAC)"
	echo "$out" | grep -q "lladdr $CMAC" && echo "$out" | grep -qE "REACHABLE|STALE|DELAY|PROBE"
}
check router-neighbour-reachable router_neigh

wait_listen() { # NS tcp|udp PORT
	local i flag=-ltn
	[ "$2" = udp ] && flag=-lun
	for i in $(seq 50); do
		nsx "$1" ss -H "$flag" "sport = :$3" | grep -q . && return 0
		sleep 0.1
	done
	echo "nothing listening on $2 port $3"
	return 1
}

dd if=/dev/urandom of="$tmp/blob" bs=1M count=2 status=none
tcp_upload() { # client -> server, 2 MiB, sha256 on both ends
	local rx=$tmp/rx.up lpid rc h1 h2
	ip netns exec "$NSS" timeout 30 socat -u TCP4-LISTEN:5001,reuseaddr "CREATE:$rx" &
	lpid=$!
	wait_listen "$NSS" tcp 5001 || { kill "$lpid"; return 1; }
	nsx "$NSC" timeout 30 socat -u "OPEN:$tmp/blob" "TCP4:$S4:5001"
	rc=$?
	wait "$lpid" || rc=1
	h1=$(sha256sum <"$tmp/blob" | cut -d' ' -f1)
	h2=$(sha256sum <"$rx" | cut -d' ' -f1)
	echo "sent $h1"; echo "recv $h2"
	[ "$rc" -eq 0 ] && [ "$h1" = "$h2" ]
}
tcp_download() { # server -> client over a connection the client opened
	local rx=$tmp/rx.down lpid rc h1 h2
	ip netns exec "$NSS" timeout 30 socat -u "OPEN:$tmp/blob" TCP4-LISTEN:5002,reuseaddr &
	lpid=$!
	wait_listen "$NSS" tcp 5002 || { kill "$lpid"; return 1; }
	nsx "$NSC" timeout 30 socat -u "TCP4:$S4:5002" "CREATE:$rx"
	rc=$?
	wait "$lpid" || rc=1
	h1=$(sha256sum <"$tmp/blob" | cut -d' ' -f1)
	h2=$(sha256sum <"$rx" | cut -d' ' -f1)
	echo "sent $h1"; echo "recv $h2"
	[ "$rc" -eq 0 ] && [ "$h1" = "$h2" ]
}
check tcp-upload-2MiB-sha256 tcp_upload
check tcp-download-2MiB-sha256 tcp_download

ip netns exec "$NSS" timeout 300 socat -T 5 UDP4-RECVFROM:7777,fork PIPE >/dev/null 2>&1 &
pids+=($!)
wait_listen "$NSS" udp 7777 >/dev/null
head -c 600 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/udp.small" # 1200 bytes
udp_echo() {
	nsx "$NSC" timeout 10 socat -t 3 -T 5 STDIO "UDP4:$S4:7777" <"$tmp/udp.small" >"$tmp/udp.reply"
	echo "sent $(stat -c %s "$tmp/udp.small") bytes, got $(stat -c %s "$tmp/udp.reply") back"
	cmp "$tmp/udp.small" "$tmp/udp.reply"
}
check udp-echo udp_echo

traceroute_hops() {
	local out hops
	out=$(nsx "$NSC" timeout 60 traceroute -n -w 1 -q 1 -m 8 "$S4" 2>&1)
	echo "$out"
	hops=$(echo "$out" | awk '$1 ~ /^[0-9]+$/ { print $2 }')
	[ "$(echo "$hops" | tail -n 1)" = "$S4" ] || { echo "destination not reached"; return 1; }
	echo "$hops" | grep -qFx "$RFC6791" || { echo "no hop shows as $RFC6791"; return 1; }
}
check traceroute-shows-192.0.0.8 traceroute_hops

# IPv4 multicast (mDNS, SSDP) forced out of the uplink, which has no IPv4 address: the kernel must not
# pick 192.0.0.1 as its source (the address has host scope), and the CLAT must not translate it.
mcast_probe() {
	nsx "$NSC" "$PY" - <<-'EOF'
		import socket
		sent = 0
		for dev in (b"c-r", None):
		    for grp in (("224.0.0.251", 5353), ("239.255.255.250", 1900)):
		        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
		        if dev:
		            s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev)
		        try:
		            s.sendto(b"x464clat leak probe", grp); sent += 1
		        except OSError as e:
		            print(dev, grp, "not sent:", e)
		print("sent", sent)
	EOF
}
mcast_probe >"$tmp/mcast.log" 2>&1
sleep 1

status_check() {
	"$XLAT464" status --control "$CTL" | tee "$tmp/status.txt"
	grep -q "^  state running" "$tmp/status.txt" || return 1
	awk '$1 == "4to6" && $2 > 0 { a = 1 } $1 == "6to4" && $2 > 0 { b = 1 } END { exit !(a && b) }' "$tmp/status.txt"
}
check status-shows-running-and-traffic status_check

sigterm_cleans_up() {
	stop_clat || return 1
	tail -n 3 "$tmp/clat1.log"
	if nsx "$NSC" ip link show clat >/dev/null 2>&1; then echo "TUN clat still there"; return 1; fi
	if nsx "$NSC" ip -4 route | grep -q .; then echo "IPv4 routes left:"; nsx "$NSC" ip -4 route; return 1; fi
	if nsx "$NSC" ip -4 addr | grep -q 192.0.0; then echo "192.0.0.x left"; return 1; fi
	[ ! -e "$CTL" ] || { echo "control socket left"; return 1; }
	echo "no TUN, no IPv4 route or address, no control socket"
}
check sigterm-removes-tun-route-address sigterm_cleans_up

# DAD conflict: the router takes the address the CLAT chose, the CLAT must pick another one. This run
# also finds the uplink by itself (no --uplink) and shows the identifier is stable across restarts.
ip -n "$NSR" addr add "$A1/128" dev r-c nodad || die "addr add $A1 on the router"
if start_clat clat2; then
	A2=$(clat_addr "$tmp/clat2.log")
	dad_conflict() {
		grep -E "DAD|uplink" "$tmp/clat2.log"
		grep -q "DAD: probing $A1 on c-r (attempt 1)" "$tmp/clat2.log" || { echo "first probe was not $A1 (not stable?)"; return 1; }
		grep -q "DAD: $A1 is in use" "$tmp/clat2.log" || return 1
		[ -n "$A2" ] && [ "$A2" != "$A1" ] && grep -q "DAD: $A2 is free" "$tmp/clat2.log"
	}
	check dad-conflict-picks-new-address dad_conflict
	check ping-after-dad-conflict nsx "$NSC" ping -c 3 -W 2 "$S4"
	check sigterm-after-dad-conflict stop_clat
else
	check dad-conflict-picks-new-address false
fi

leak_check() {
	cat "$tmp/mcast.log"
	local n all leaked
	sleep 1
	all=$(tcpdump -n -r "$tmp/uplink4.pcap" 2>/dev/null | wc -l)
	leaked=$(tcpdump -n -r "$tmp/uplink4.pcap" 'src net 192.0.0.0/29' 2>/dev/null)
	[ -n "$leaked" ] && echo "$leaked"
	n=$(printf '%s' "$leaked" | grep -c .)
	echo "IPv4 packets on the uplink: $all; from 192.0.0.0/29: $n"
	[ "$n" -eq 0 ]
}
check no-192.0.0.x-on-uplink leak_check

# Native IPv4 present (a DHCPv4 lease, say): without --force the CLAT stands by (no TUN, no route) and
# comes up when the native default route goes, and stands down again when it comes back; with --force it
# runs, and its metric-2048 default route does not beat the native one.
ip -n "$NSC" addr add 192.0.2.10/24 dev c-r
ip -n "$NSC" route add default via 192.0.2.1 dev c-r metric 100
wait_log() { # LOG PATTERN: up to 10 s
	for _ in $(seq 100); do grep -q "$2" "$1" && return 0; sleep 0.1; done
	echo "not in $1: $2"; return 1
}
tun_route() { nsx "$NSC" ip -4 route show default | grep -q "dev clat.*metric 2048"; }
standby_native_v4() {
	wait_log "$tmp/clat3.log" "dad -> standby (native IPv4 default route on c-r)" || return 1
	cat "$tmp/clat3.log"
	if nsx "$NSC" ip link show clat >/dev/null 2>&1; then echo "TUN clat exists in standby"; return 1; fi
	"$XLAT464" status --control "$CTL" | grep "state standby"
}
comes_back() {
	ip -n "$NSC" route del default via 192.0.2.1 dev c-r metric 100 || return 1
	wait_log "$tmp/clat3.log" "standby -> running" || return 1
	for _ in $(seq 50); do tun_route && break; sleep 0.1; done
	nsx "$NSC" ip -4 route
	tun_route && nsx "$NSC" ping -c 2 -W 2 "$S4"
}
stands_down() {
	ip -n "$NSC" route add default via 192.0.2.1 dev c-r metric 100 || return 1
	wait_log "$tmp/clat3.log" "running -> standby (native IPv4 default route on c-r)" || return 1
	for _ in $(seq 50); do tun_route || break; sleep 0.1; done
	nsx "$NSC" ip -4 route
	! tun_route && ! nsx "$NSC" ip link show clat >/dev/null 2>&1
}
ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --control "$CTL" --foreground >"$tmp/clat3.log" 2>&1 &
daemon_pid=$!
check standby-when-native-ipv4 standby_native_v4
check native-ipv4-gone-clat-comes-back comes_back
check native-ipv4-back-clat-stands-down stands_down
check sigterm-in-standby stop_clat
native_wins() {
	nsx "$NSC" ip -4 route
	nsx "$NSC" ip -4 route show default | grep -q "dev clat.*metric 2048" || { echo "no CLAT route"; return 1; }
	local out
	out=$(nsx "$NSC" ip -4 route get "$S4")
	echo "$out"
	echo "$out" | grep -q "dev c-r"
}
if start_clat clat4 --force; then
	check force-native-route-wins native_wins
	check sigterm-after-force stop_clat
else
	check force-native-route-wins false
fi
ip -n "$NSC" route del default via 192.0.2.1 dev c-r metric 100
ip -n "$NSC" addr del 192.0.2.10/24 dev c-r

say "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
