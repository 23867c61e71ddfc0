#!/bin/bash
# End-to-end throughput of `xlat464 plat` (stateful NAT64) in a namespace lab, beside two baselines in
# the same run: plain IPv4 forwarding (the kernel, no translation) and Debian's TAYGA (stateless
# NAT64, dynamic pool) followed by nftables masquerade, the usual userspace PLAT today. Then the
# connection setup rate through the daemon and the memory per session (RFC 9693 style) from its
# status. Not a test: it prints a table and the ratios.
#   sudo bench/plat.sh
# Environment: XLAT464=path (default build/xlat464), SECONDS_PER_RUN (default 5), FLOWS (default
# 50000, the new-session burst), PLAT_MODE=stateful|stateless, PLAT_ARGS="more flags", KEEP=1,
# BPF=0 (skip the run with the kernel fast path, bpf-offload, which the stateful mode has).
#
#  ns cl (client)                       ns rt (router)                              ns sv (server)
# +-----------------------------+    +------------------------------------------+    +-------------------+
# | c-r 2001:db8:1::2/64        |    | r-c 2001:db8:1::1/64, 192.0.2.1/25       |    |                   |
# |     192.0.2.2/25 (mode ipv4)|====| plat0: xlat464 plat, 64:ff9b::/96 ->     |====| s-r 203.0.113.2/24|
# |                             |    |   pool4 198.51.100.0/28                  |    | iperf3 -s         |
# |                             |    | nat64t: TAYGA 2001:db8:64::/96 -> pool   |    |                   |
# |                             |    |   192.0.2.128/26, nft masquerade on r-s  |    |                   |
# +-----------------------------+    +------------------------------------------+    +-------------------+
#
# xlat464 plat runs twice: on its TUN alone, then (stateful mode) with bpf-offload r-c r-s, its kernel
# fast path for established TCP and UDP sessions (lib/sys/bpf/nat64_offload.bpf.c).
#
# The application is the same in all modes: iperf3 from the client to the server, over IPv4
# (mode ipv4) or to the server's IPv4-embedded IPv6 address (64:ff9b::203.0.113.2 for xlat464,
# 2001:db8:64::203.0.113.2 for TAYGA, which refuses the well-known prefix with these non-global
# addresses). TCP: one stream, -t SECONDS_PER_RUN. UDP: 36 bytes of payload (64-byte IPv4 packets at
# the server), unlimited rate, packets per second received by the server.
set -u
benchdir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh
. "$benchdir/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$benchdir/../build/xlat464}
T=${SECONDS_PER_RUN:-5}
FLOWS=${FLOWS:-50000}
PLAT_MODE=${PLAT_MODE:-stateful} # stateless: the dynamic-pool mode (then no session figures)
BPF=${BPF:-1}
[ "$PLAT_MODE" = stateful ] || BPF=0

P=x4-pl-bench-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}sv
ALL_NS="$NSC $NSR $NSS"
S4=203.0.113.2

preconditions ip tayga iperf3 timeout nft
need_xlat464
make_tmp x4-pl-bench
make_namespaces net.ipv4.icmp_ratelimit=0 net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
# the fast path's IPv4 packets come in on r-c from the pool, routed to the TUN: no strict rp_filter
nsx "$NSR" sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 >/dev/null
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die veth
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die veth
ip -n "$NSC" addr add 2001:db8:1::2/64 dev c-r nodad
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 192.0.2.1/25 dev r-c
ip -n "$NSR" addr add 203.0.113.1/24 dev r-s
ip -n "$NSS" addr add "$S4/24" dev s-r
for l in "$NSC c-r" "$NSR r-c" "$NSR r-s" "$NSS s-r"; do ip -n ${l% *} link set ${l#* } up; done
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSS" route add default via 203.0.113.1
nsx "$NSR" nft -f - <<-EOF || die nft
	table ip x4plbench {
		chain post {
			type nat hook postrouting priority 100;
			oifname "r-s" ip saddr 192.0.2.128/25 masquerade
		}
	}
EOF
ip netns exec "$NSS" timeout 900 iperf3 -s -p 5201 >"$tmp/iperf3-server.log" 2>&1 &
pids+=($!)
wait_listen "$NSS" tcp 5201 >/dev/null || die "iperf3 server"

# TAYGA (stateless NAT64 with a dynamic pool) + nftables masquerade
mkdir -p "$tmp/tayga"
printf 'tun-device nat64t\nipv4-addr 192.0.2.193\nprefix 2001:db8:64::/96\ndynamic-pool 192.0.2.128/26\ndata-dir %s\n' \
	"$tmp/tayga" >"$tmp/tayga.conf"
ip -n "$NSR" tuntap add nat64t mode tun || die tuntap
ip -n "$NSR" link set nat64t up
ip -n "$NSR" route add 192.0.2.128/25 dev nat64t
ip -n "$NSR" -6 route add 2001:db8:64::/96 dev nat64t
ip netns exec "$NSR" timeout 900 tayga -c "$tmp/tayga.conf" --nodetach >"$tmp/tayga.log" 2>&1 &
pids+=($!)

# xlat464 plat, stateful
CTL=$tmp/plat.sock
start_plat() { # LOGNAME EXTRA-FLAGS...
	daemon_log=$tmp/$1.log
	shift
	# shellcheck disable=SC2086
	ip netns exec "$NSR" timeout 900 "$XLAT464" plat --mode "$PLAT_MODE" --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
		--pool4 198.51.100.0/28 --max-sessions 262144 --control "$CTL" --foreground ${PLAT_ARGS:-} "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 5 test -S "$CTL" || die "xlat464 plat did not start: $(cat "$daemon_log")"
	sleep 1
}
start_plat plat

# CPU time (user + system, in clock ticks) of the router namespace's process called COMM (0: none)
ticks_of() {
	local p t=0
	for p in $(ip netns pids "$NSR" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] || continue
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
# measure MODE DEST [COMM]: TCP bits/s and UDP received packets/s into $tmp/MODE.tcp and $tmp/MODE.udp;
# with COMM, the translator's share of one CPU during the TCP run into $tmp/MODE.cpu
measure() {
	local m=$1 dst=$2 comm=${3:-} c0 c1
	nsx "$NSC" ping -c 1 -W 2 "$dst" >/dev/null || { echo "$m: no connectivity to $dst" >&2; echo 0 >"$tmp/$m.tcp"; echo 0 >"$tmp/$m.udp"; return; }
	[ -n "$comm" ] && c0=$(ticks_of "$comm")
	nsx "$NSC" timeout $((T + 15)) iperf3 -c "$dst" -p 5201 -t "$T" -J >"$tmp/$m.tcp.json" 2>&1
	[ -n "$comm" ] && c1=$(ticks_of "$comm") &&
		awk -v a="$c0" -v b="$c1" -v hz="$(getconf CLK_TCK)" -v t="$T" 'BEGIN { printf "%.0f\n", 100 * (b - a) / hz / t }' >"$tmp/$m.cpu"
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["end"]["sum_received"]["bits_per_second"])' \
		"$tmp/$m.tcp.json" >"$tmp/$m.tcp" 2>/dev/null || echo 0 >"$tmp/$m.tcp"
	sleep 1
	nsx "$NSC" timeout $((T + 15)) iperf3 -c "$dst" -p 5201 -u -b 0 -l 36 -t "$T" -J >"$tmp/$m.udp.json" 2>&1
	"$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))["end"]["sum"]; print((s["packets"]-s["lost_packets"])/s["seconds"])' \
		"$tmp/$m.udp.json" >"$tmp/$m.udp" 2>/dev/null || echo 0 >"$tmp/$m.udp"
	sleep 1
}

ip -n "$NSC" addr add 192.0.2.2/25 dev c-r
ip -n "$NSC" route add default via 192.0.2.1
measure ipv4 "$S4"
ip -n "$NSC" route del default via 192.0.2.1
ip -n "$NSC" addr del 192.0.2.2/25 dev c-r
measure xlat464 64:ff9b::203.0.113.2 xlat464
measure tayga 2001:db8:64::203.0.113.2 tayga
MODES="ipv4 xlat464 tayga"
if [ "$BPF" = 1 ]; then
	stop_daemon 5 >/dev/null
	rm -f "$CTL"
	start_plat plat-bpf --bpf-offload r-c r-s
	grep -q "bpf-offload: established" "$daemon_log" || die "bpf-offload did not attach: $(cat "$daemon_log")"
	measure xlat464bpf 64:ff9b::203.0.113.2 xlat464
	"$XLAT464" status --control "$CTL" --json >"$tmp/plat-bpf.status.json"
	MODES="ipv4 xlat464 xlat464bpf tayga"
fi

if [ "$PLAT_MODE" = stateless ]; then
	stop_daemon 5 >/dev/null
	FLOWS=0
fi
# new sessions per second through the daemon: a burst of FLOWS new UDP flows from one raw socket
[ "$FLOWS" -gt 0 ] && {
c0=$(jget 'j["sessions_created"]')
burst=$(PLAT_FLOWS_PACE=${PACE:-0} nsx "$NSC" timeout 120 "$PY" "$benchdir/../tests/netns/plat_flows.py" flows 64:ff9b::203.0.113.2 20000 "$FLOWS")
sleep 1
c1=$(jget 'j["sessions_created"]')
secs=$(echo "$burst" | awk '{ print $4 }')
"$XLAT464" status --control "$CTL" --json >"$tmp/plat.status.json"
mem=$(jget 'j["memory_bytes"]')
per=$(jget 'j["bytes_per_session"]')
cap=$(jget '[l for l in j["settings"] if l.startswith("max-sessions ")][0].split()[1]')
stop_daemon 5 >/dev/null
}

say "# PLAT throughput, one run, ${T} s each (nproc $(nproc), $(uname -r))"
printf '%-38s %14s %10s %18s %10s\n' mode "TCP Mbit/s" "x IPv4" "UDP 64 B pkt/s" "x IPv4"
for m in $MODES; do
	case $m in
	ipv4) name="plain IPv4 forwarding" ;;
	xlat464) name="xlat464 plat ($PLAT_MODE, TUN)" ;;
	xlat464bpf) name="xlat464 plat ($PLAT_MODE, bpf-offload)" ;;
	tayga) name="TAYGA $(dpkg-query -W -f='${Version}' tayga 2>/dev/null | cut -d- -f1) + nft masquerade" ;;
	esac
	awk -v n="$name" -v t="$(cat "$tmp/$m.tcp")" -v u="$(cat "$tmp/$m.udp")" \
		-v t0="$(cat "$tmp/ipv4.tcp")" -v u0="$(cat "$tmp/ipv4.udp")" 'BEGIN {
		printf "%-38s %14.0f %10.3f %18.0f %10.3f\n", n, t / 1e6, t0 ? t / t0 : 0, u, u0 ? u / u0 : 0 }'
done
echo "translator's CPU during the TCP run (100 = one core): xlat464 plat $(cat "$tmp/xlat464.cpu" 2>/dev/null || echo '?')$( [ "$BPF" = 1 ] && echo ", with bpf-offload $(cat "$tmp/xlat464bpf.cpu" 2>/dev/null || echo '?') (the daemon only; the kernel's share is not counted)"), TAYGA $(cat "$tmp/tayga.cpu" 2>/dev/null || echo '?') (the machine has $(nproc))"
awk -v a="$(cat "$tmp/xlat464.tcp")" -v b="$(cat "$tmp/tayga.tcp")" -v c="$(cat "$tmp/xlat464.udp")" \
	-v d="$(cat "$tmp/tayga.udp")" 'BEGIN { printf "xlat464 plat (TUN) / TAYGA+nft: TCP %.2f, UDP 64 B %.2f\n", b ? a / b : 0, d ? c / d : 0 }'
[ "$BPF" = 1 ] && awk -v a="$(cat "$tmp/xlat464bpf.tcp")" -v b="$(cat "$tmp/tayga.tcp")" -v c="$(cat "$tmp/xlat464bpf.udp")" \
	-v d="$(cat "$tmp/tayga.udp")" -v f="$(cat "$tmp/ipv4.tcp")" 'BEGIN { printf "xlat464 plat (bpf-offload) / TAYGA+nft: TCP %.2f, UDP 64 B %.2f; / plain forwarding: TCP %.2f\n", b ? a / b : 0, d ? c / d : 0, f ? a / f : 0 }'
[ "$BPF" = 1 ] && "$PY" -c 'import json,sys; b=json.load(open(sys.argv[1]))["bpf_offload"]; print("bpf-offload counters: 6to4 %d packets (%d bytes), 4to6 %d packets (%d bytes), %d passed to the TUN, %d failed" % (b["packets_6to4"], b["bytes_6to4"], b["packets_4to6"], b["bytes_4to6"], b["passed"], b["failed"]))' "$tmp/plat-bpf.status.json"
[ "$FLOWS" -gt 0 ] || exit 0
awk -v n="$FLOWS" -v c=$((c1 - c0)) -v s="$secs" 'BEGIN {
	printf "new sessions: %d of %d flows sent in %.3f s became sessions: %.0f new sessions/s end to end (one Python sender; flows the TUN queue dropped are lost; bench/nat64.sh measures the table itself)\n", c, n, s, (s > 0 ? c / s : 0) }'
awk -v m="$mem" -v p="$per" -v c="$cap" 'BEGIN {
	printf "memory: %d bytes allocated for %d sessions (%.0f bytes per session of capacity; lib/nat64: %d bytes per session with its binding)\n", m, c, c ? m / c : 0, p }'
