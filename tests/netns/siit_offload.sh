#!/bin/bash
# `xlat464 siit --offload yes`: TCP through the stateless translator as 64 KiB super-packets
# (IFF_VNET_HDR, TUNSETOFFLOAD; lib/xlat/offload.h), against the same with `--offload no`, in
# namespaces this script creates and deletes. Run as root: sudo tests/netns/siit_offload.sh
#
#   ns h6: IPv6-only host        ns x: router + xlat464 siit                ns s4: IPv4-only server
#  +------------------+        +-------------------------------------+      +------------------+
#  | h-x              |        | x-h                             x-s |      | s-x              |
#  | 2001:db8:6::2/64 |========| 2001:db8:6::1/64      203.0.113.1/24|======| 203.0.113.2/24   |
#  | default via ::1  |        |        siit0 (TUN, both families)   |      | default via .1   |
#  +------------------+        +-------------------------------------+      +------------------+
#
#  siit: pool6 64:ff9b::/96 (the server is 64:ff9b::cb00:7102 to the host), EAM 192.0.2.2/32 =
#  2001:db8:6::2/128 (the host is 192.0.2.2 to the server); routes 64:ff9b::/96 and 192.0.2.2 dev siit0.
#
# A TCP sender in a namespace hands its veth 64 KiB segments (TSO) that cross it whole, so the router
# forwards super-packets into the TUN: with offload the daemon reads them whole, translates them once
# and writes them back behind a virtio_net_hdr for the kernel to cut. Checks, with offload yes:
#  - the status says offload on, and each TCP transfer (iperf3 for 3 s and a file copy, each direction) moved super-packets through it (offload_super_packets grew): a daemon that silently
#    took the packets one by one, or a TUN without the offloads, fails here;
#  - 32 MiB copied each way arrive whole (size and sha256 at both ends; iperf3 counts no exact bytes),
#    and again with transmit checksum offload off on the router's veths, so that the kernel computes
#    every segment's checksum from the partial sum the daemon wrote (a wrong one is dropped by the
#    receiver: TcpInCsumErrors stays 0);
#  - ping and UDP (small and fragmented) both ways still work, behind all-zero headers;
#  - no offload-bad-header or offload-unsupported drops, no TUN write errors;
#  - two workers (a multi-queue TUN, each queue with its header) carry the same.
# With offload no: the status says off, the same transfers work and offload_super_packets stays 0.
#
# Environment: XLAT464=path, KEEP=1, VERBOSE=1 (tests/netns/lib.sh).
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-so-$$-
NS6=${P}h6
NSX=${P}x
NS4=${P}s4
ALL_NS="$NS6 $NSX $NS4"
H6=2001:db8:6::2
H6_AS4=192.0.2.2
S4=203.0.113.2
S4_AS6=64:ff9b::cb00:7102
TUN=siit0
CTL=

preconditions ip iperf3 socat ping ethtool nstat timeout sha256sum ss cmp
need_xlat464
make_tmp x4-so
say "# siit_offload: namespaces ${P}*, temp $tmp"
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
h6_x_s4_topology "$H6"

ip netns exec "$NS4" timeout 300 iperf3 -s -p 5201 >"$tmp/iperf3-server.log" 2>&1 &
pids+=($!)
wait_listen "$NS4" tcp 5201 >/dev/null || die "iperf3 server"
udp_echo_server "$NS4" 7777
ip netns exec "$NS6" timeout 300 socat -T 5 "UDP6-RECVFROM:7778,fork" PIPE >/dev/null 2>&1 &
pids+=($!)
wait_listen "$NS6" udp 7778 >/dev/null || die "udp echo on the host"
make_payloads

# start_siit NAME ARGS...: the daemon, its control socket $CTL, the routes into its TUN
start_siit() {
	local name=$1
	shift
	CTL=$tmp/$name.sock
	daemon_log=$tmp/$name.log
	ip netns exec "$NSX" "$XLAT464" siit --tun "$TUN" --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
		--eam "$H6_AS4/32" "$H6/128" --control "$CTL" --foreground "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 5 test -S "$CTL" || { cat "$daemon_log"; return 1; }
	ip -n "$NSX" route add 64:ff9b::/96 dev "$TUN" || return 1
	ip -n "$NSX" route add "$H6_AS4/32" dev "$TUN" || return 1
}

supers() { jget "j['offload_super_packets']"; }

# iperf3_tcp NAME ARGS...: a TCP run from the host to the server (-R: back), its JSON in $tmp/NAME.json
iperf3_tcp() {
	local name=$1
	shift
	nsx "$NS6" timeout 30 iperf3 -c "$S4_AS6" -p 5201 -J "$@" >"$tmp/$name.json" || { tail -5 "$tmp/$name.json"; return 1; }
	"$PY" - "$tmp/$name.json" <<-'PYEOF'
		import json, sys
		e = json.load(open(sys.argv[1]))["end"]
		print("sent %d bytes, received %d bytes, %.0f Mbit/s" % (e["sum_sent"]["bytes"], e["sum_received"]["bytes"],
		      e["sum_received"]["bits_per_second"] / 1e6))
		sys.exit(0 if e["sum_received"]["bytes"] > 0 else 1)
	PYEOF
}

# moved COMMAND...: COMMAND succeeds and super-packets went through the daemon meanwhile
moved() {
	local before after
	before=$(supers) || return 1
	"$@" || return 1
	after=$(supers) || return 1
	ge "super-packets translated" "$((after - before))" 1
}

csum_errors() { nsx "$1" nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }'; }

copy_6to4() { tcp_copy "$NS6" "$NS4" TCP4-LISTEN "TCP6:[$S4_AS6]" "$1" "$tmp/big"; }
copy_4to6() { tcp_copy "$NS4" "$NS6" TCP4-LISTEN "TCP6:[$S4_AS6]" "$1" "$tmp/big" pull; }
copy_4to6_opened_by_v4() { tcp_copy "$NS4" "$NS6" TCP6-LISTEN "TCP4:$H6_AS4" "$1" "$tmp/big"; }

# the router computes every segment's checksum from the partial sums the daemon wrote
software_checksums() {
	local rc=0 before
	before=$(supers) || return 1
	nsx "$NSX" ethtool -K x-h tx off >/dev/null && nsx "$NSX" ethtool -K x-s tx off >/dev/null || return 1
	copy_6to4 5301 || rc=1
	copy_4to6 5302 || rc=1
	copy_4to6_opened_by_v4 5303 || rc=1
	nsx "$NSX" ethtool -K x-h tx on >/dev/null
	nsx "$NSX" ethtool -K x-s tx on >/dev/null
	eq "checksum errors at the host" "$(csum_errors "$NS6")" 0 || rc=1
	eq "checksum errors at the server" "$(csum_errors "$NS4")" 0 || rc=1
	ge "super-packets translated" "$(($(supers) - before))" 1 || rc=1
	return "$rc"
}

no_offload_trouble() {
	eq offload-bad-header "$(jget "j['drops']['offload-bad-header']")" 0 &&
		eq offload-unsupported "$(jget "j['drops']['offload-unsupported']")" 0 &&
		eq tun_write_errors "$(jget "j['tun_write_errors']")" 0
}

small_traffic() {
	check "$1-ping-6to4" nsx "$NS6" ping -c 2 -W 2 "$S4_AS6"
	check "$1-ping-4to6" nsx "$NS4" ping -c 2 -W 2 "$H6_AS4"
	check "$1-udp-echo" udp_echo "$NS6" "UDP6:[$S4_AS6]:7777" "$tmp/udp.small"
	check "$1-udp-echo-fragmented" udp_echo "$NS6" "UDP6:[$S4_AS6]:7777" "$tmp/udp.large"
	check "$1-udp-echo-4to6" udp_echo "$NS4" "UDP4:$H6_AS4:7778" "$tmp/udp.small"
}

# a 32 MiB file for the sha256-checked copies
head -c $((32 * 1024 * 1024)) /dev/urandom >"$tmp/big" || die "payload"

# ---- offload yes ---------------------------------------------------------------------------------
start_siit offload-yes --offload yes || die "siit --offload yes did not start"
check offload-on eq offload "$(jget "j['offload']")" True
check tcp-6to4-3s-super-packets moved iperf3_tcp up-3s -t 3
check tcp-4to6-3s-super-packets moved iperf3_tcp down-3s -t 3 -R
check tcp-6to4-32MiB-sha256-super-packets moved copy_6to4 5401
check tcp-4to6-32MiB-sha256-super-packets moved copy_4to6 5402
check tcp-sha256-with-software-checksums software_checksums
small_traffic offload
check offload-no-trouble no_offload_trouble
check offload-settings-line grep -qx "offload yes" <(st --json | "$PY" -c 'import json,sys; print("\n".join(json.load(sys.stdin)["settings"]))')
check offload-metrics sh -c "'$XLAT464' metrics --control '$CTL' | grep -E '^xlat464_tun_offload_super_packets_total\\{.*\\} [1-9]'"
check offload-yes-stops stop_daemon 10

# ---- offload yes, two workers (a multi-queue TUN made by the daemon) -------------------------------
start_siit offload-workers --offload yes --workers 2 || die "siit --offload yes --workers 2 did not start"
check workers2-offload-on eq offload "$(jget "j['offload']")" True
check workers2-tcp-6to4-super-packets moved iperf3_tcp w2-up -t 3 -P 2
check workers2-tcp-4to6-32MiB-sha256-super-packets moved copy_4to6 5403
check workers2-ping nsx "$NS6" ping -c 2 -W 2 "$S4_AS6"
check workers2-no-trouble no_offload_trouble
check workers2-stops stop_daemon 10

# ---- offload no ----------------------------------------------------------------------------------
start_siit offload-no --offload no || die "siit --offload no did not start"
check offload-off eq offload "$(jget "j['offload']")" False
check no-offload-tcp-6to4-3s iperf3_tcp no-up-3s -t 3
check no-offload-tcp-4to6-3s iperf3_tcp no-down-3s -t 3 -R
check no-offload-tcp-6to4-32MiB-sha256 copy_6to4 5404
check no-offload-tcp-4to6-32MiB-sha256 copy_4to6 5405
small_traffic no-offload
check no-offload-no-super-packets eq offload_super_packets "$(supers)" 0
check no-offload-stops stop_daemon 10

finish
