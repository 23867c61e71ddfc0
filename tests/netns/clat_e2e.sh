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
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh" # say, die, nsx, check, the exit cleanup, waits, traffic, clat_topology

P=x464clat-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}sv
ALL_NS="$NSC $NSR $NSS"

PREFIX6=2001:db8:1::      # the client's SLAAC /64
R6=2001:db8:1::1          # the router on it
PLAT=2001:db8:64::/96     # TAYGA's prefix
case " ${CLAT_ARGS:-} " in *" --no-fast-path "*) FAST=0 ;; *) FAST=1 ;; esac
POOL4=198.51.100.128/25   # TAYGA's dynamic pool (NAT44 to the server's network after it)
TAYGA4=198.51.100.1
RS4=203.0.113.1           # the router, server side
S4=203.0.113.2            # the IPv4-only server
RFC6791=192.0.0.8         # what the CLAT shows IPv6 routers as

# ---- preconditions ------------------------------------------------------------------------------
preconditions ip nft tayga radvd socat traceroute tcpdump ping timeout sha256sum ss cmp
need_xlat464

make_tmp x464clat
say "# clat_e2e: namespaces ${P}*, temp $tmp"

# ---- topology -----------------------------------------------------------------------------------
# lib.sh: namespaces, links, addresses, radvd (SLAAC for the client), NAT44 behind the PLAT
clat_topology x464clat
# TAYGA as the PLAT
clat_tayga nat64 "$PLAT" "$POOL4" "$TAYGA4" 198.51.100.0/24
# Wait for SLAAC (an address out of DAD) and the IPv6 default route from the RA.
clat_wait_slaac
sleep 0.5
kill -0 "$tayga_pid" 2>/dev/null || die "tayga exited: $(cat "$tmp/tayga-nat64.log")"
CMAC=$(nsx "$NSC" cat /sys/class/net/c-r/address)

# Everything IPv4 on the client's uplink, for the leak check (bounded in count and time).
capture "$NSC" c-r uplink4 2000 ip
capture "$NSC" c-r uplink6 20000 ip6
sleep 1

# ---- the CLAT -----------------------------------------------------------------------------------
CTL=$tmp/ctl.sock
clat_running() { [ -S "$CTL" ] && grep -q "dad -> running" "$daemon_log"; }
start_clat() { # LOGNAME [EXTRA ARGS...]
	daemon_log=$tmp/$1.log
	shift
	# shellcheck disable=SC2086 # CLAT_ARGS: words
	ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --control "$CTL" --foreground ${CLAT_ARGS:-} "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 10 clat_running && return 0
	sed 's/^/    /' "$daemon_log"
	return 1
}
clat_addr() { sed -n 's/.*: CLAT \([0-9a-f:]*\) = 192.0.0.1 via.*/\1/p' "$1" | tail -n 1; }
stop_clat() { stop_daemon 3; }

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

make_payloads
# client -> server, then server -> client over a connection the client opened; 2 MiB, sha256 both ends
check tcp-upload-2MiB-sha256 tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5001 "$tmp/blob"
check tcp-download-2MiB-sha256 tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" 5002 "$tmp/blob" pull

# A peer on this same host (the router namespace, over veth) leaves the TCP checksum to the "device"
# (CHECKSUM_PARTIAL) and sends 64 KiB super-packets: the CLAT finishes the checksum itself
# (PACKET_VNET_HDR, lib/xlat/offload.h). The router owns 203.0.113.99 in the PLAT prefix directly.
PEER4=203.0.113.99
ip -n "$NSR" addr add 2001:db8:64::cb00:7163/128 dev r-c nodad
check tcp-upload-to-same-host-peer-sha256 tcp_copy "$NSC" "$NSR" TCP6-LISTEN "TCP4:$PEER4" 5003 "$tmp/blob"
check tcp-download-from-same-host-peer-sha256 tcp_copy "$NSR" "$NSC" TCP6-LISTEN "TCP4:$PEER4" 5004 "$tmp/blob" pull
finished_checksums() {
	"$XLAT464" status --control "$CTL" --json | "$PY" -c 'import json, sys; n = json.load(sys.stdin)["clat"]["checksums_finished"]; print("checksums finished:", n); sys.exit(0 if n > 0 else 1)'
}
# The kernel fast path carried the bulk of the four transfers both ways, and failed nothing.
fast_path_carried() {
	"$XLAT464" status --control "$CTL" --json | "$PY" -c '
import json, sys
c = json.load(sys.stdin)["clat"]
f = c["fast_path"]
print("fast path active:", c["fast_path_active"], f)
ok = c["fast_path_active"] and f["bytes-4to6"] > 4 * 2**20 and f["bytes-6to4"] > 4 * 2**20 and f["failed"] == 0
sys.exit(0 if ok else 1)'
}
if [ "$FAST" = 1 ]; then
	check clat-fast-path-carried-the-transfers fast_path_carried
else
	check clat-finished-partial-checksums finished_checksums
fi

udp_echo_server "$NSS" 7777
check udp-echo udp_echo "$NSC" "UDP4:$S4:7777" "$tmp/udp.small"

check traceroute-shows-192.0.0.8 traceroute_check "$NSC" "$S4" "$RFC6791" -n -w 1 -q 1 -m 8

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
	if [ "$FAST" = 1 ]; then # the bulk in the kernel, the rest (ICMP errors for traceroute) here
		grep -qE "^  fast-path active .* 4to6 [1-9][0-9]* pkts .* 6to4 [1-9][0-9]* pkts" "$tmp/status.txt" || return 1
		awk '$1 == "packets_6to4" && $2 > 0 { b = 1 } END { exit !b }' "$tmp/status.txt"
	else
		grep -q "^  fast-path not in use: off (fast-path no)" "$tmp/status.txt" || return 1
		# the local TCP reached the CLAT as super-packets (TUN offload) and left the uplink whole
		grep -qE "^  userspace-path tun-offload yes super-packets-out [1-9]" "$tmp/status.txt" || return 1
		awk '$1 == "packets_4to6" && $2 > 0 { a = 1 } $1 == "packets_6to4" && $2 > 0 { b = 1 } END { exit !(a && b) }' "$tmp/status.txt"
	fi
}
check status-shows-running-and-traffic status_check

# `xlat464 status --json`: the CLAT's facts as typed members of "clat", each against what the test
# itself knows (the address from the log, the static prefix, the uplink's MTU read from the kernel).
status_json_check() {
	local mtu
	mtu=$(nsx "$NSC" cat /sys/class/net/c-r/mtu)
	"$XLAT464" status --control "$CTL" --json >"$tmp/status.json" || return 1
	"$PY" - "$tmp/status.json" "$A1" "$PLAT" "$mtu" "$FAST" <<-'EOF'
		import json, sys
		d = json.load(open(sys.argv[1]))
		c = d["clat"]
		want = {"state": "running", "uplink": "c-r", "pref64": sys.argv[3], "pref64_source": "static",
		        "pref64_expires_in_seconds": None, "address_mode": "dedicated", "clat_ipv6": sys.argv[2],
		        "clat_ipv4": "192.0.0.1/29", "tun": "clat", "tun_present": True, "route_present": True,
		        "native_ipv4": False, "ipv6_default_route": True, "uplink_mtu": int(sys.argv[4]),
		        "tun_mtu": int(sys.argv[4]) - 20, "dad_conflicts": 0}
		bad = {k: (c.get(k), v) for k, v in want.items() if c.get(k) != v}
		print("clat:", {k: c[k] for k in ("state", "why", "pref64", "clat_ipv6", "tun_mtu", "dns64_next_query_in_seconds")})
		for k, (got, w) in bad.items():
		    print(f"  {k}: got {got!r}, want {w!r}")
		drops = d["drops"]
		f = c["fast_path"]
		if sys.argv[5] == "1":
		    both = f["pkts-4to6"] > 0 and f["pkts-6to4"] > 0 and c["uplink_kind"] == "ethernet"
		else:
		    both = d["packets_4to6"] > 0 and d["packets_6to4"] > 0 and f["pkts-4to6"] == 0
		ok = not bad and c["na_sent"] >= 1 and both
		ok = ok and len(drops) > 20 and all(isinstance(v, int) for v in drops.values())
		sys.exit(0 if ok else 1)
	EOF
}
check status-json-clat-members status_json_check

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
tun_route() { nsx "$NSC" ip -4 route show default | grep -q "dev clat.*metric 2048"; }
no_tun_route() { ! tun_route; }
standby_native_v4() {
	wait_log "$tmp/clat3.log" "dad -> standby (native IPv4 default route on c-r)" || return 1
	cat "$tmp/clat3.log"
	if nsx "$NSC" ip link show clat >/dev/null 2>&1; then echo "TUN clat exists in standby"; return 1; fi
	"$XLAT464" status --control "$CTL" | grep "state standby"
}
comes_back() {
	ip -n "$NSC" route del default via 192.0.2.1 dev c-r metric 100 || return 1
	wait_log "$tmp/clat3.log" "standby -> running" || return 1
	wait_until 5 tun_route
	nsx "$NSC" ip -4 route
	tun_route && nsx "$NSC" ping -c 2 -W 2 "$S4"
}
stands_down() {
	ip -n "$NSC" route add default via 192.0.2.1 dev c-r metric 100 || return 1
	wait_log "$tmp/clat3.log" "running -> standby (native IPv4 default route on c-r)" || return 1
	wait_until 5 no_tun_route
	nsx "$NSC" ip -4 route
	! tun_route && ! nsx "$NSC" ip link show clat >/dev/null 2>&1
}
daemon_log=$tmp/clat3.log
ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --control "$CTL" --foreground >"$daemon_log" 2>&1 &
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

# Two workers (`workers 2` in a config file): a multi-queue TUN, one thread per queue, each with its
# own translator; the kernel spreads the flows over the queues by their hash. The userspace path only
# (the fast path would carry the flows in the kernel). Two 2 MiB transfers byte-exact both ways, then
# twelve more connections so that both queues see flows (all on one: odds 1 in 2048), and the status
# sums the two workers' counters, both directions (the replies come back over the workers' packet
# sockets, spread by the same kind of hash).
printf 'workers 2\nfast-path no\n' >"$tmp/workers.conf"
two_workers_up() {
	grep -E "IPv4 side|worker" "$tmp/clat5.log"
	grep -q "IPv4 side: clat (created), .*, 2 workers" "$tmp/clat5.log" || return 1
	local flags
	flags=$(nsx "$NSC" cat /sys/class/net/clat/tun_flags) # IFF_MULTI_QUEUE is 0x100
	echo "tun_flags $flags"
	[ $((flags & 0x100)) -ne 0 ]
}
many_flows() {
	local port
	head -c 65536 /dev/urandom >"$tmp/small"
	for port in $(seq 5011 5022); do
		tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" "$port" "$tmp/small" >"$tmp/flow.$port" 2>&1 ||
			{ cat "$tmp/flow.$port"; return 1; }
	done
	echo "12 connections of 64 KiB, each byte-exact"
}
workers_sum() {
	"$XLAT464" status --control "$CTL" --json >"$tmp/status5.json" || return 1
	"$PY" - "$tmp/status5.json" <<-'EOF'
		import json, sys
		d = json.load(open(sys.argv[1]))
		c = d["clat"]
		per = c["worker_packets_4to6"]
		per6 = c["worker_packets_6to4"]
		print("workers", c["workers"], "per worker 4to6", per, "total 4to6", d["packets_4to6"],
		      "per worker 6to4", per6, "total 6to4", d["packets_6to4"], "fast path", c["fast_path_active"])
		ok = c["workers"] == 2 and len(per) == 2 and all(n > 0 for n in per)
		ok = ok and sum(per) == d["packets_4to6"] and d["packets_6to4"] > 0 and not c["fast_path_active"]
		ok = ok and len(per6) == 2 and all(n > 0 for n in per6) and sum(per6) == d["packets_6to4"]
		sys.exit(0 if ok else 1)
	EOF
}
# The IPv6 side on the workers too: each reads a packet socket of its own on the uplink, the two in one
# PACKET_FANOUT group that hands each flow to one of them by its hash. Sixteen UDP flows (sixteen
# source ports) of 100 datagrams each from the router's 203.0.113.99 (an address in the PLAT prefix)
# to the CLAT address: an application on 192.0.0.1 counts what arrives, per flow. Every datagram must
# arrive, and each worker's worker_packets_6to4 must have grown (all sixteen flows hashed to one
# socket: odds 1 in 32768), so a worker that does not read its socket fails this twice over.
downlink_flows() {
	local a6
	a6=$(clat_addr "$daemon_log")
	"$XLAT464" status --control "$CTL" --json >"$tmp/status5a.json" || return 1
	nsx "$NSC" timeout 30 "$PY" - 6000 1600 >"$tmp/flows.rx" <<-'EOF' &
		import socket, sys, time
		port, want = int(sys.argv[1]), int(sys.argv[2])
		s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
		s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
		s.bind(("192.0.0.1", port))
		print("ready", flush=True)
		s.settimeout(5)
		got, flows = 0, {}
		try:
		    while got < want:
		        d, src = s.recvfrom(2048)
		        if src[0] != "203.0.113.99" or not d.startswith(b"flow "):
		            continue
		        got += 1
		        f = d.split()[1]
		        flows[f] = flows.get(f, 0) + 1
		except socket.timeout:
		    pass
		print("received", got, "flows", len(flows), "per flow", sorted(flows.values()))
	EOF
	local rx=$!
	wait_until 5 grep -q ready "$tmp/flows.rx" || { kill "$rx"; return 1; }
	nsx "$NSR" timeout 20 "$PY" - "$a6" 6000 16 100 <<-'EOF' || { kill "$rx"; return 1; }
		import socket, sys, time
		dst, port, nflows, each = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
		socks = []
		for f in range(nflows):
		    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
		    s.bind(("2001:db8:64::cb00:7163", 0))
		    socks.append(s)
		for i in range(each):
		    for f, s in enumerate(socks):
		        s.sendto(b"flow %d seq %d " % (f, i) + b"x" * 200, (dst, port))
		    time.sleep(0.002)
		print("sent", nflows * each, "datagrams in", nflows, "flows to", dst)
	EOF
	wait "$rx"
	cat "$tmp/flows.rx"
	"$XLAT464" status --control "$CTL" --json >"$tmp/status5b.json" || return 1
	"$PY" - "$tmp/status5a.json" "$tmp/status5b.json" "$tmp/flows.rx" <<-'EOF'
		import json, sys
		a, b = (json.load(open(f)) for f in sys.argv[1:3])
		rx = open(sys.argv[3]).read().split()
		got = int(rx[rx.index("received") + 1])
		per = [y - x for x, y in zip(a["clat"]["worker_packets_6to4"], b["clat"]["worker_packets_6to4"])]
		total = b["packets_6to4"] - a["packets_6to4"]
		print("per worker 6to4 (this test)", per, "total 6to4", total, "received", got, "of 1600",
		      "uplink_queue_full", b["clat"]["uplink_queue_full"])
		ok = len(per) == 2 and all(n > 0 for n in per) and got == 1600 and sum(per) == total and total >= 1600
		sys.exit(0 if ok else 1)
	EOF
}
if start_clat clat5 --uplink c-r --config "$tmp/workers.conf"; then
	check workers-2-multi-queue-tun two_workers_up
	check workers-2-ping nsx "$NSC" ping -c 3 -W 2 "$S4"
	check workers-2-tcp-upload-2MiB-sha256 tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5005 "$tmp/blob"
	check workers-2-tcp-download-2MiB-sha256 tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" 5006 "$tmp/blob" pull
	check workers-2-twelve-more-flows many_flows
	check workers-2-status-sums-both workers_sum
	check workers-2-ipv6-flows-spread-none-lost downlink_flows
	check sigterm-with-2-workers stop_clat
else
	check workers-2-multi-queue-tun false
fi

finish
