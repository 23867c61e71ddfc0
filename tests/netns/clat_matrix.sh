#!/bin/bash
# The CLAT across the kinds of network a host meets (issue 3's scenario matrix), with real DHCP servers
# and clients: the CLAT runs exactly when IPv4 is missing. Also tethering (--tether) and the multicast
# leak check. Run as root:   sudo tests/netns/clat_matrix.sh
#
# Fixed part:
#
#   ns rt (router + PLAT)                                                  ns sv (IPv4-only server)
#  +--------------------------------------------------------------+      +--------------------+
#  | TAYGA (TUN nat64): 2001:db8:64::/96, pool 198.51.100.128/25   |      |                    |
#  | nft masquerade of 198.51.100.0/24 out of r-s                  |      |                    |
#  | rcN: one link per scenario, 2001:db8:N::1/64 (+ 192.0.2.1/24) | r-s  | s-r 203.0.113.2/24 |
#  | radvd / dnsmasq / xlat464 dhcp4 on rcN as the scenario needs  |======| default via .1     |
#  +--------------------------------------------------------------+      +--------------------+
#            || rcN = cmN-PID (one client namespace per scenario, deleted after it)
#  ns cN: xlat464 clat --pref64 2001:db8:64::/96 --no-dns64 (+ dhcpcd as the scenario needs)
#
# Scenarios (N):
#   1 SLAAC only (kernel SLAAC from radvd): running, dedicated address; ping, TCP; --tether tl0 with
#     a LAN namespace behind it (ping and a byte-exact TCP transfer from 192.0.2.10 through the CLAT
#     and the PLAT; IPv4 forwarding on while running and restored; nftables table removed on exit);
#     IPv4 mDNS and SSDP sent on the host: nothing from 192.0.0.0/29 and nothing translated from them
#     on the uplink.
#   2 stateful DHCPv6 only (radvd M=1, PIO without A; dnsmasq DHCPv6; dhcpcd: a /128): running in the
#     shared mode; ping, TCP, UDP, --tether (the LAN's ping and TCP); the host's own IPv6 TCP, to the
#     router and to the PLAT's prefix (same source prefix as the CLAT's traffic), still works beside it;
#     the CLAT's flows leave from ports 61000-65535.
#   3 stateless DHCPv6 (radvd O=1 + SLAAC; dnsmasq answers Information-Requests; dhcpcd): running,
#     dedicated.
#   4 DHCPv4 only (dnsmasq DHCPv4, dhcpcd -4; no IPv6 router): the CLAT does not run.
#   5 dual stack (SLAAC + DHCPv4 lease with a router): standby, no TUN.
#   6 IPv6-mostly (SLAAC + `xlat464 dhcp4 --mode mostly` with option 108; dhcpcd asks for 108): no IPv4
#     lease, the CLAT runs; ping.
#   7 two interfaces (two PDP contexts): IPv6 on cm7a, IPv4 default route on cm7b: standby; IPv4
#     default route removed: running; ping.
#   8 cellular raw-IP modem (the link a TUN pair joined by tests/tools/tunrelay: ARPHRD_NONE, NOARP, no
#     link-layer header; SLAAC from radvd without a link-layer address option): running, dedicated,
#     uplink kind raw-ip without neighbour discovery (no DAD); ping, a web page, the fast path carried
#     it.
# Each asserts the state with `xlat464 status --json`.
#
# Last line "clat_matrix: N passed, N failed"; exit status 1 when a check failed, 2 when the setup failed.
# Environment: XLAT464=path (default build/xlat464), KEEP=1, VERBOSE=1, ONLY="1 2 ..." (scenarios),
# CLAT_ARGS (more flags for every CLAT, e.g. "--workers 2").
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-cm-$$-
NSR=${P}rt
NSS=${P}sv
NSL=${P}lan
ALL_NS="$NSR $NSS" # make_namespaces creates these; the per-scenario ones are added after it
ONLY=${ONLY:-1 2 3 4 5 6 7 8}

PLAT=2001:db8:64::/96
POOL4=198.51.100.128/25
TAYGA4=198.51.100.1
RS4=203.0.113.1
S4=203.0.113.2

preconditions ip nft tayga radvd dnsmasq dhcpcd socat tcpdump ping timeout sha256sum ss
need_xlat464
make_tmp x4-cm

cleanup_extra() {
	local n
	for n in 1 2 3 4 5 6 7 8; do rm -rf "/etc/netns/${P}c$n"; done
	rm -f /var/lib/dhcpcd/cm[0-9]*-$$* /run/dhcpcd/cm[0-9]*-$$* 2>/dev/null
}

say "# clat_matrix: namespaces ${P}*, temp $tmp"
make_namespaces net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
ALL_NS="$ALL_NS $NSL"
for n in 1 2 3 4 5 6 7 8; do ALL_NS="$ALL_NS ${P}c$n"; done
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"
ip -n "$NSR" addr add "$RS4/24" dev r-s
ip -n "$NSR" link set r-s up
ip -n "$NSS" addr add "$S4/24" dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via "$RS4"
nsx "$NSR" nft -f - <<-EOF || die "nft"
	table ip x4-cm {
		chain post {
			type nat hook postrouting priority 100;
			oifname "r-s" ip saddr 198.51.100.0/24 masquerade
		}
	}
EOF
clat_tayga nat64 "$PLAT" "$POOL4" "$TAYGA4" 198.51.100.0/24
make_payloads
udp_echo_server "$NSS" 7777
ip netns exec "$NSS" timeout 900 socat TCP4-LISTEN:8080,fork,reuseaddr SYSTEM:'echo hello-from-ipv4-server' \
	>/dev/null 2>&1 &
pids+=($!)

# ---- per-scenario helpers ----------------------------------------------------------------------
scen_pids=()
N=
NSC=
IFC=
CTL=

new_client() { # N [tun]: namespace ${P}cN, link cmN-PID (client) == rcN (router, 2001:db8:N::1/64): a
	# veth, or with tun a raw-IP link (two TUNs and tests/tools/tunrelay)
	N=$1
	NSC=${P}c$N
	IFC=cm$N-$$
	CTL=$tmp/clat$N.sock
	ip netns add "$NSC" || die "netns $NSC"
	mkdir -p "/etc/netns/$NSC"
	echo "nameserver 2001:db8:$N::1" >"/etc/netns/$NSC/resolv.conf" # dhcpcd hooks never see the host's
	nsx "$NSC" ip link set lo up
	nsx "$NSC" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 >/dev/null
	if [ "${2:-}" = tun ]; then
		"$TUNRELAY" --type none "$IFC" "rc$N" >"$tmp/relay$N.out" 2>"$tmp/relay$N.log" &
		scen_pids+=($!)
		pids+=($!)
		wait_until 5 grep -q ready "$tmp/relay$N.out" || die "tunrelay: $(cat "$tmp/relay$N.log")"
		ip link set "$IFC" netns "$NSC" && ip link set "rc$N" netns "$NSR" || die "TUNs into the namespaces"
	else
		ip -n "$NSC" link add "$IFC" type veth peer name "rc$N" netns "$NSR" || die "veth $IFC"
	fi
	ip -n "$NSR" addr add "2001:db8:$N::1/64" dev "rc$N" nodad
	ip -n "$NSR" link set "rc$N" up
	ip -n "$NSC" link set "$IFC" up
}

end_client() { # stops what the scenario started and deletes the client namespace
	local p
	if [ -n "$daemon_pid" ]; then stop_daemon 5 >/dev/null || :; fi
	for p in "${scen_pids[@]}"; do kill -TERM "$p" 2>/dev/null || :; done
	for p in "${scen_pids[@]}"; do wait_until 5 pid_gone "$p" || kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	scen_pids=()
	ip netns del "$NSC" 2>/dev/null
	rm -rf "/etc/netns/$NSC"
}

bg() { # NS LOG CMD...: a background process of this scenario
	local ns=$1 log=$2
	shift 2
	ip netns exec "$ns" timeout 300 "$@" >"$log" 2>&1 &
	scen_pids+=($!)
	pids+=($!)
}

radvd_start() { # EXTRA_INTERFACE_LINES PREFIX_OPTIONS
	cat >"$tmp/radvd$N.conf" <<-EOF
		interface rc$N {
			AdvSendAdvert on;
			MinRtrAdvInterval 3;
			MaxRtrAdvInterval 10;
			$1
			prefix 2001:db8:$N::/64 { $2 };
		};
	EOF
	bg "$NSR" "$tmp/radvd$N.log" radvd -n -C "$tmp/radvd$N.conf" -p "$tmp/radvd$N.pid" -m stderr
}

dnsmasq_start() { # ARGS...: dnsmasq on rcN, DHCP only (no DNS)
	bg "$NSR" "$tmp/dnsmasq$N.log" dnsmasq -d --conf-file=/dev/null --port=0 --no-hosts --no-resolv \
		--interface="rc$N" --bind-interfaces --user=root --dhcp-leasefile="$tmp/dnsmasq$N.leases" \
		--pid-file="$tmp/dnsmasq$N.pid" --log-dhcp "$@"
}

dhcpcd_start() { # CONF_LINES ARGS...: dhcpcd in the client namespace, no hook scripts
	printf '%b' "$1" >"$tmp/dhcpcd$N.conf"
	shift
	bg "$NSC" "$tmp/dhcpcd$N.log" dhcpcd -f "$tmp/dhcpcd$N.conf" -c /bin/true -B -d -t 60 "$@" "$IFC"
}

clat_start() { # EXTRA ARGS...
	daemon_log=$tmp/clat$N.log
	# shellcheck disable=SC2086 # CLAT_ARGS: words
	ip netns exec "$NSC" timeout 300 "$XLAT464" clat --pref64 "$PLAT" --no-dns64 --control "$CTL" \
		--foreground ${CLAT_ARGS:-} "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	pids+=($!)
}

# state_is STATE: `xlat464 status --json` says "state STATE (...)" (and prints the state line and mode)
status_json() { "$XLAT464" status --control "$CTL" --json >"$tmp/status$N.json" 2>&1; }
state_is() {
	status_json || { cat "$tmp/status$N.json"; return 1; }
	"$PY" - "$tmp/status$N.json" "$1" <<-'EOF'
		import json, sys
		c = json.load(open(sys.argv[1]))["clat"]
		print("state", c["state"], "(" + c["why"] + ") | address mode", c["address_mode"], c["clat_ipv6"])
		sys.exit(0 if c["state"] == sys.argv[2] else 1)
	EOF
}
wait_state() { # STATE [SECONDS]
	wait_daemon "${2:-20}" state_is "$1" >/dev/null 2>&1
	state_is "$1"
}
mode_is() { # dedicated|shared
	status_json || return 1
	"$PY" - "$tmp/status$N.json" "$1" <<-'EOF'
		import json, sys
		c = json.load(open(sys.argv[1]))["clat"]
		print("address mode", c["address_mode"], c["clat_ipv6"], "| left to the host", c["shared_left_to_host"])
		sys.exit(0 if c["address_mode"] == sys.argv[2] else 1)
	EOF
}
no_tun() {
	if nsx "$NSC" ip link show clat >/dev/null 2>&1; then echo "TUN clat exists"; return 1; fi
	if nsx "$NSC" ip -4 route show default | grep -q "dev clat"; then echo "CLAT default route exists"; return 1; fi
	echo "no TUN clat, no CLAT route"
}
ping_via_clat() {
	nsx "$NSC" ip -4 route get "$S4" | tee /dev/stderr | grep -q "dev clat" || { echo "route to $S4 not via clat"; return 1; }
	nsx "$NSC" ping -c 3 -W 2 "$S4"
}
http_via_clat() { nsx "$NSC" timeout 10 socat -T 5 - "TCP4:$S4:8080" </dev/null | grep -q hello-from-ipv4-server; }
slaac_done() { nsx "$NSC" ip -6 addr show dev "$IFC" scope global | grep -v tentative | grep -q "inet6 2001:db8:$N:" &&
	nsx "$NSC" ip -6 route show default | grep -q .; }

make_lan() { # the LAN behind the host: tl0 192.0.2.1/24 == lan0 192.0.2.10/24 in $NSL
	ip netns add "$NSL" && nsx "$NSL" ip link set lo up
	ip -n "$NSC" link add tl0 type veth peer name lan0 netns "$NSL" || die "veth tl0"
	ip -n "$NSC" addr add 192.0.2.1/24 dev tl0
	ip -n "$NSC" link set tl0 up
	ip -n "$NSL" addr add 192.0.2.10/24 dev lan0
	ip -n "$NSL" link set lan0 up
	ip -n "$NSL" route add default via 192.0.2.1
}

run() { case " $ONLY " in *" $1 "*) return 0 ;; esac; return 1; }

# ---- 1: SLAAC only, with tethering and the multicast leak check ---------------------------------
if run 1; then
	say "# 1: SLAAC only (+ tether from the config file, multicast)"
	new_client 1
	radvd_start "" "AdvOnLink on; AdvAutonomous on;"
	wait_until 15 slaac_done || die "no SLAAC in scenario 1"
	make_lan
	fwd_before=$(nsx "$NSC" sysctl -n net.ipv4.ip_forward)
	capture "$NSC" "$IFC" uplink1 5000 "ip or ip6"
	sleep 1
	# tethering from the config file (`tether IF`), the uplink from the command line
	printf 'tether tl0   # the LAN behind the host\n' >"$tmp/clat1.conf"
	check 1-config-check nsx "$NSC" sh -c "'$XLAT464' clat --config '$tmp/clat1.conf' --uplink '$IFC' --check | grep -x 'tether tl0'"
	clat_start --uplink "$IFC" --config "$tmp/clat1.conf"
	check 1-slaac-running wait_state running
	check 1-slaac-dedicated-mode mode_is dedicated
	check 1-slaac-ping ping_via_clat
	check 1-slaac-tcp http_via_clat
	tether_on() {
		nsx "$NSC" nft list table ip xlat464-clat || return 1
		echo "ip_forward: before $fwd_before, now $(nsx "$NSC" sysctl -n net.ipv4.ip_forward)"
		[ "$(nsx "$NSC" sysctl -n net.ipv4.ip_forward)" = 1 ]
	}
	check 1-tether-nat44-and-forwarding tether_on
	check 1-tether-lan-ping nsx "$NSL" ping -c 3 -W 2 "$S4"
	check 1-tether-lan-tcp-2MiB-sha256 tcp_copy "$NSL" "$NSS" TCP4-LISTEN "TCP4:$S4" 5101 "$tmp/blob"
	check 1-tether-lan-tcp-download-2MiB-sha256 tcp_copy "$NSS" "$NSL" TCP4-LISTEN "TCP4:$S4" 5102 "$tmp/blob" pull
	check 1-tether-lan-udp-echo udp_echo "$NSL" "UDP4:$S4:7777" "$tmp/udp.small"
	tether_status() {
		"$XLAT464" status --control "$CTL" | grep -E "^  tether tl0 .*in place" || return 1
		status_json || return 1
		"$PY" -c 'import json, sys; c = json.load(open(sys.argv[1]))["clat"]; print(c["tether"], c["tether_nat44_in_place"]); sys.exit(0 if c["tether"] == ["tl0"] and c["tether_nat44_in_place"] else 1)' "$tmp/status$N.json"
	}
	check 1-tether-in-status tether_status
	# IPv4 mDNS and SSDP from the host, to each group on every way out: default route, the uplink,
	# the TUN; then nothing from 192.0.0.0/29 on the uplink and nothing translated from them.
	mcast() {
		nsx "$NSC" "$PY" - "$IFC" <<-'EOF'
			import socket, sys
			sent = 0
			for dev in (None, sys.argv[1].encode(), b"clat"):
			    for grp in (("224.0.0.251", 5353), ("239.255.255.250", 1900)):
			        for _ in range(3):
			            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
			            s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 4)
			            if dev:
			                s.setsockopt(socket.SOL_SOCKET, socket.SO_BINDTODEVICE, dev)
			            try:
			                s.sendto(b"x4-cm multicast probe", grp); sent += 1
			            except OSError as e:
			                print(dev, grp, "not sent:", e)
			print("sent", sent)
		EOF
	}
	no_mcast_leak() {
		local tun_before tun_after
		tun_before=$("$XLAT464" status --control "$CTL" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["packets_4to6"])')
		mcast || return 1
		sleep 1
		tun_after=$("$XLAT464" status --control "$CTL" --json | "$PY" -c 'import json,sys; d=json.load(sys.stdin); print(d["packets_4to6"], d["drops"].get("dst-illegal"), d["drops"].get("src-illegal"))')
		echo "CLAT 4to6 packets before $tun_before, after/dst-illegal/src-illegal: $tun_after"
		local v4 v6
		v4=$(tcpdump -n -r "$tmp/uplink1.pcap" 'ip and src net 192.0.0.0/29' 2>/dev/null | wc -l)
		# translated: towards the PLAT prefix's image of the groups, or UDP 5353/1900 in IPv6
		v6=$(tcpdump -n -r "$tmp/uplink1.pcap" \
			'ip6 and (udp port 5353 or udp port 1900 or dst host 2001:db8:64::e000:fb or dst host 2001:db8:64::efff:fffa)' \
			2>/dev/null | wc -l)
		echo "uplink: IPv4 from 192.0.0.0/29: $v4; translated mDNS/SSDP: $v6; IPv4 multicast on the uplink (no 192.0.0.x source):"
		tcpdump -n -r "$tmp/uplink1.pcap" 'ip and ip multicast' 2>/dev/null | head -5
		[ "$v4" -eq 0 ] && [ "$v6" -eq 0 ] && [ "${tun_after%% *}" = "$tun_before" ]
	}
	check 1-no-multicast-leak no_mcast_leak
	tether_off() {
		stop_daemon 5 || return 1
		if nsx "$NSC" nft list table ip xlat464-clat >/dev/null 2>&1; then echo "table ip xlat464-clat left"; return 1; fi
		echo "ip_forward: before $fwd_before, after exit $(nsx "$NSC" sysctl -n net.ipv4.ip_forward)"
		[ "$(nsx "$NSC" sysctl -n net.ipv4.ip_forward)" = "$fwd_before" ] && no_tun
	}
	check 1-exit-removes-nat44-restores-forwarding tether_off
	end_client
	ip netns del "$NSL"
fi

# ---- 2: stateful DHCPv6 only: the shared mode --------------------------------------------------
if run 2; then
	say "# 2: stateful DHCPv6 only (dnsmasq, dhcpcd): shared mode"
	new_client 2
	radvd_start "AdvManagedFlag on; AdvOtherConfigFlag on;" "AdvOnLink on; AdvAutonomous off;"
	dnsmasq_start --dhcp-range=2001:db8:2::100,2001:db8:2::1ff,64,1h
	dhcpcd_start 'noipv4\nnoipv4ll\n' -6
	have128() { nsx "$NSC" ip -6 addr show dev "$IFC" scope global | grep -q "inet6 2001:db8:2::1[0-9a-f][0-9a-f]/128" &&
		nsx "$NSC" ip -6 route show default | grep -q .; }
	lease6() {
		wait_until 30 have128
		nsx "$NSC" ip -6 addr show dev "$IFC"
		nsx "$NSC" ip -6 route
		have128 && ! nsx "$NSC" ip -6 addr show dev "$IFC" scope global | grep -q "/64"
	}
	check 2-dhcpv6-address-128-only lease6
	make_lan
	clat_start --uplink "$IFC" --tether tl0
	check 2-dhcpv6-running wait_state running 30
	check 2-dhcpv6-shared-mode mode_is shared
	shared_text() { "$XLAT464" status --control "$CTL" | grep "address mode: shared"; }
	check 2-dhcpv6-status-says-shared shared_text
	check 2-dhcpv6-ping ping_via_clat
	check 2-dhcpv6-tcp http_via_clat
	check 2-dhcpv6-tcp-upload-2MiB-sha256 tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5201 "$tmp/blob"
	check 2-dhcpv6-udp-echo udp_echo "$NSC" "UDP4:$S4:7777" "$tmp/udp.small"
	check 2-dhcpv6-tether-lan-ping nsx "$NSL" ping -c 3 -W 2 "$S4"
	check 2-dhcpv6-tether-lan-tcp-2MiB-sha256 tcp_copy "$NSL" "$NSS" TCP4-LISTEN "TCP4:$S4" 5203 "$tmp/blob"
	# the host's own IPv6 on the shared address still works: TCP to the router and back
	host_v6_tcp() {
		ip netns exec "$NSR" timeout 10 socat TCP6-LISTEN:5299,reuseaddr SYSTEM:'echo host-v6-ok' &
		local l=$!
		wait_listen "$NSR" tcp 5299 || return 1
		nsx "$NSC" timeout 5 socat -u "TCP6:[2001:db8:2::1]:5299" - | grep -q host-v6-ok
		local r=$?
		wait "$l" 2>/dev/null
		nsx "$NSC" ping -6 -c 2 -W 2 2001:db8:2::1 && return $r
	}
	check 2-dhcpv6-host-ipv6-unaffected host_v6_tcp
	# ... and so does its own IPv6 to the PLAT (as after a DNS64 answer): the same source prefix as the
	# CLAT's traffic, told apart only by port; if the CLAT took these, the IPv4 stack would reset them
	host_v6_via_plat() {
		nsx "$NSC" timeout 10 socat -T 5 - "TCP6:[2001:db8:64::cb00:7102]:8080" </dev/null | grep hello-from-ipv4-server &&
			tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP6:[2001:db8:64::cb00:7102]" 5202 "$tmp/blob"
	}
	check 2-dhcpv6-host-ipv6-via-plat-unaffected host_v6_via_plat
	ports_in_range() { # what the router saw from the host's address to the PLAT: source ports of the range
		nsx "$NSR" ss -tn state all | head -3
		tcpdump -n -r "$tmp/rt2.pcap" 2>/dev/null | head -5
		local bad
		bad=$(tcpdump -n -r "$tmp/rt2.pcap" 'ip6 and tcp and dst net 2001:db8:64::/96' 2>/dev/null |
			awk '{ split($3, a, "."); p = a[length(a)]; if (p < 61000) print }' | head -3)
		[ -z "$bad" ] || { echo "source ports outside 61000-65535: $bad"; return 1; }
		[ "$(tcpdump -n -r "$tmp/rt2.pcap" 'ip6 and tcp and dst net 2001:db8:64::/96' 2>/dev/null | wc -l)" -gt 0 ]
	}
	capture "$NSR" rc2 rt2 200 "ip6 and tcp and dst net 2001:db8:64::/96"
	sleep 1
	http_via_clat >/dev/null
	sleep 1
	check 2-dhcpv6-clat-flows-use-port-range ports_in_range
	shared_exit() {
		stop_daemon 5 || return 1
		if nsx "$NSC" nft list tables | grep xlat464; then echo "tables left"; return 1; fi
		no_tun && nsx "$NSC" ip -6 addr show dev "$IFC" | grep -q "2001:db8:2::1[0-9a-f][0-9a-f]/128"
	}
	check 2-dhcpv6-exit-clean-host-address-kept shared_exit
	end_client
	ip netns del "$NSL"
fi

# ---- 3: stateless DHCPv6 (SLAAC + DHCPv6 information) -----------------------------------------
if run 3; then
	say "# 3: stateless DHCPv6 (SLAAC + Information-Request)"
	new_client 3
	radvd_start "AdvOtherConfigFlag on;" "AdvOnLink on; AdvAutonomous on;"
	dnsmasq_start --dhcp-range=::,static "--dhcp-option=option6:dns-server,[2001:db8:3::1]"
	dhcpcd_start 'noipv4\nnoipv4ll\n' -6
	info_got() { wait_until 30 grep -q "REPLY6 received" "$tmp/dhcpcd3.log"; grep -iE "inform|REPLY6|slaac|adding address" "$tmp/dhcpcd3.log"
		grep -q "REPLY6 received" "$tmp/dhcpcd3.log" && wait_until 10 slaac_done; }
	check 3-stateless-dhcpv6-info-and-slaac info_got
	clat_start --uplink "$IFC"
	check 3-stateless-running wait_state running 30
	check 3-stateless-dedicated-mode mode_is dedicated
	check 3-stateless-ping ping_via_clat
	end_client
fi

# ---- 4: DHCPv4 only ----------------------------------------------------------------------------
if run 4; then
	say "# 4: DHCPv4 only: the CLAT must not run; it waits, and starts (in standby) when IPv6 comes"
	new_client 4
	ip -n "$NSR" addr add 192.0.2.1/24 dev rc4
	nsx "$NSC" sysctl -qw "net.ipv6.conf.$IFC.accept_ra=0"
	dnsmasq_start --dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h --dhcp-option=option:router,192.0.2.1
	dhcpcd_start 'noipv6\nnoipv6rs\nnoipv4ll\n' -4
	lease4() { wait_until 30 sh -c "ip netns exec $NSC ip -4 route show default | grep -q 192.0.2.1"; nsx "$NSC" ip -4 route; nsx "$NSC" ip -4 route show default | grep -q "via 192.0.2.1"; }
	check 4-dhcpv4-lease-and-default-route lease4
	clat_start --uplink "$IFC"
	# With no IPv6 at all, the CLAT waits for it (a laptop on IPv4-only Wi-Fi): alive, nothing set up.
	waits4() {
		wait_until 10 grep -q "waiting for IPv6: uplink $IFC has no global IPv6 address yet" "$daemon_log"
		tail -n 3 "$daemon_log"
		kill -0 "$daemon_pid" 2>/dev/null || { echo "the CLAT exited"; return 1; }
		grep -q "waiting for IPv6" "$daemon_log" || return 1
		no_tun && nsx "$NSC" ip -4 route get "$S4" | grep "dev $IFC" # IPv4 is native
	}
	check 4-dhcpv4-only-clat-waits waits4
	# Then the network gains an IPv6 router: the CLAT starts, and stands by beside the native IPv4.
	nsx "$NSC" sysctl -qw "net.ipv6.conf.$IFC.accept_ra=1"
	radvd_start "" "AdvOnLink on; AdvAutonomous on;"
	ipv6_arrives() {
		wait_state standby 40 || return 1
		grep -q "IPv6 is here: starting" "$daemon_log" && no_tun
	}
	check 4-ipv6-arrives-clat-starts-in-standby ipv6_arrives
	end_client
fi

# ---- 5: dual stack ------------------------------------------------------------------------------
if run 5; then
	say "# 5: dual stack: standby"
	new_client 5
	ip -n "$NSR" addr add 192.0.2.1/24 dev rc5
	radvd_start "" "AdvOnLink on; AdvAutonomous on;"
	dnsmasq_start --dhcp-range=192.0.2.100,192.0.2.150,255.255.255.0,1h --dhcp-option=option:router,192.0.2.1
	dhcpcd_start 'noipv6\nnoipv6rs\nnoipv4ll\n' -4
	dual() { wait_until 30 sh -c "ip netns exec $NSC ip -4 route show default | grep -q 192.0.2.1"; wait_until 15 slaac_done
		nsx "$NSC" ip -4 route; nsx "$NSC" ip -6 route show default; slaac_done && nsx "$NSC" ip -4 route show default | grep -q "via 192.0.2.1"; }
	check 5-dual-stack-lease-and-slaac dual
	clat_start --uplink "$IFC"
	check 5-dual-stack-standby wait_state standby 25
	check 5-dual-stack-no-tun no_tun
	end_client
fi

# ---- 6: IPv6-mostly (option 108) ---------------------------------------------------------------
if run 6; then
	say "# 6: IPv6-mostly: option 108, no IPv4 lease, the CLAT runs"
	new_client 6
	ip -n "$NSR" addr add 192.0.2.1/24 dev rc6
	radvd_start "" "AdvOnLink on; AdvAutonomous on;"
	bg "$NSR" "$tmp/dhcp4srv6.log" "$XLAT464" dhcp4 --interface rc6 --mode mostly --v6only-wait 300 \
		--pool 192.0.2.100-192.0.2.199 --router 192.0.2.1 --prefix-len 24 --lease-file "$tmp/dhcp4-6.leases" \
		--control "$tmp/dhcp4-6.sock" --debug
	wait_until 5 test -S "$tmp/dhcp4-6.sock" || die "xlat464 dhcp4 did not start: $(cat "$tmp/dhcp4srv6.log")"
	dhcpcd_start 'option ipv6_only_preferred\nrequire dhcp_server_identifier\nnoipv4ll\nnoipv6\nnoipv6rs\n' -4
	v6only() {
		wait_until 30 grep -q "IPv6-Only Preferred received" "$tmp/dhcpcd6.log" || { cat "$tmp/dhcpcd6.log"; return 1; }
		grep "IPv6-Only" "$tmp/dhcpcd6.log"
		wait_until 15 slaac_done
		sleep 1
		if nsx "$NSC" ip -4 addr show dev "$IFC" | grep -q inet; then echo "an IPv4 address was configured"; return 1; fi
		grep "asked for option 108: yes" "$tmp/dhcp4srv6.log"
	}
	check 6-option-108-no-ipv4-lease v6only
	clat_start --uplink "$IFC"
	check 6-ipv6-mostly-running wait_state running 20
	check 6-ipv6-mostly-ping ping_via_clat
	end_client
fi

# ---- 7: IPv4 and IPv6 on two interfaces --------------------------------------------------------
if run 7; then
	say "# 7: two interfaces (two PDP contexts)"
	new_client 7
	ip -n "$NSC" link add cm7b type veth peer name rc7b netns "$NSR" || die "veth cm7b"
	ip -n "$NSR" addr add 192.0.2.1/24 dev rc7b
	ip -n "$NSR" link set rc7b up
	ip -n "$NSC" addr add 192.0.2.2/24 dev cm7b
	ip -n "$NSC" link set cm7b up
	ip -n "$NSC" route add default via 192.0.2.1 dev cm7b
	radvd_start "" "AdvOnLink on; AdvAutonomous on;"
	wait_until 15 slaac_done || die "no SLAAC in scenario 7"
	clat_start # the uplink found by the IPv6 default route
	standby7() { wait_state standby 20 && no_tun && grep "native IPv4 default route on cm7b" "$tmp/clat7.log"; }
	check 7-two-interfaces-standby standby7
	ip -n "$NSC" route del default via 192.0.2.1 dev cm7b
	check 7-ipv4-gone-running wait_state running 10
	check 7-ipv4-gone-ping ping_via_clat
	end_client
fi

# ---- 8: a cellular raw-IP modem ---------------------------------------------------------------
if run 8; then
	say "# 8: cellular raw-IP modem (no link-layer address, no neighbour discovery)"
	new_client 8 tun
	nsx "$NSC" sysctl -qw "net.ipv6.conf.$IFC.accept_ra=1" "net.ipv6.conf.$IFC.autoconf=1"
	radvd_start "AdvSourceLLAddress off;" "AdvOnLink on; AdvAutonomous on;"
	wait_until 15 slaac_done || die "no SLAAC in scenario 8"
	clat_start # the uplink found by the IPv6 default route
	check 8-rawip-running wait_state running 20
	check 8-rawip-dedicated-mode mode_is dedicated
	kind8() {
		status_json || return 1
		"$PY" - "$tmp/status8.json" <<-'EOF'
			import json, sys
			c = json.load(open(sys.argv[1]))["clat"]
			print("uplink", c["uplink"], c["uplink_kind"], "neighbour discovery", c["uplink_neighbour_discovery"],
			      "na_sent", c["na_sent"])
			sys.exit(0 if c["uplink_kind"] == "raw-ip" and not c["uplink_neighbour_discovery"] and c["na_sent"] == 0 else 1)
		EOF
	}
	check 8-rawip-uplink-kind-no-dad kind8
	check 8-rawip-ping ping_via_clat
	check 8-rawip-http http_via_clat
	fast8() {
		status_json && "$PY" -c 'import json,sys; c=json.load(open(sys.argv[1]))["clat"]; print(c["fast_path"]);
sys.exit(0 if c["fast_path_active"] and c["fast_path"]["pkts-6to4"] > 0 else 1)' "$tmp/status8.json"
	}
	check 8-rawip-fast-path fast8
	end_client
fi

say "clat_matrix: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
