#!/bin/bash
# End-to-end throughput of `xlat464 plat` (stateful NAT64) in a namespace lab, beside three baselines
# in the same run: plain IPv4 and plain IPv6 forwarding (the kernel, no translation) and Debian's
# TAYGA (stateless NAT64, dynamic pool) followed by nftables masquerade, the usual userspace PLAT
# today. Then the connection setup rate through the daemon and the memory per session (RFC 9693
# style) from its status. Not a test: it prints a table and the ratios.
#   sudo bench/plat.sh
# Environment: XLAT464=path (default build/xlat464), SECONDS_PER_RUN (default 5), ROUNDS (default 3:
# the modes take turns in each round, the figures are medians over the rounds, the ratios medians of
# each round's ratio), FLOWS (default 50000, the new-session burst), PLAT_MODE=stateful|stateless,
# PLAT_ARGS="more flags", KEEP=1, BPF=0 (skip the mode with the kernel fast path, bpf-offload, which
# the stateful mode has).
#
#  ns cl (client)                       ns rt (router)                              ns sv (server)
# +-----------------------------+    +------------------------------------------+    +-------------------+
# | c-r 2001:db8:1::2/64        |    | r-c 2001:db8:1::1/64, 192.0.2.1/25       |    | s-r 203.0.113.2/24|
# |     192.0.2.2/25 (mode ipv4)|====| plat0: xlat464 plat, 64:ff9b::/96 ->     |====|  2001:db8:2::2/64 |
# |                             |    |   pool4 198.51.100.0/28                  |    | iperf3 -s         |
# |                             |    | nat64t: TAYGA 2001:db8:64::/96 -> pool   |    |                   |
# |                             |    |   192.0.2.128/26, nft masquerade on r-s  |    |                   |
# |                             |    | r-s 203.0.113.1/24, 2001:db8:2::1/64     |    |                   |
# +-----------------------------+    +------------------------------------------+    +-------------------+
#
# Each round: ipv4, ipv6 (forwarding), xlat464 (the PLAT on its TUN alone), xlat464bpf (stateful mode:
# a new PLAT with bpf-offload r-c r-s, its kernel fast path for established TCP and UDP sessions,
# lib/sys/bpf/nat64_offload.bpf.c), tayga.
#
# The application is the same in all modes: iperf3 from the client to the server, over IPv4
# (mode ipv4), IPv6 (mode ipv6), or to the server's IPv4-embedded IPv6 address (64:ff9b::203.0.113.2
# for xlat464, 2001:db8:64::203.0.113.2 for TAYGA, which refuses the well-known prefix with these
# non-global addresses). TCP: one stream, -t SECONDS_PER_RUN. UDP: 36 bytes of payload (64-byte IPv4
# packets at the server), unlimited rate, packets per second received by the server. A NAT64's client
# is an IPv6 host, so plain IPv6 forwarding of the same client is the ceiling of a translator in the
# forwarding path; plain IPv4 forwarding is the cheaper path of neither.
set -u
benchdir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh
. "$benchdir/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$benchdir/../build/xlat464}
T=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
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
S6=2001:db8:2::2 # the server's IPv6 address, for the plain IPv6 forwarding baseline

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
ip -n "$NSR" addr add 2001:db8:2::1/64 dev r-s nodad
ip -n "$NSS" addr add "$S6/64" dev s-r nodad
for l in "$NSC c-r" "$NSR r-c" "$NSR r-s" "$NSS s-r"; do ip -n ${l% *} link set ${l#* } up; done
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSS" route add default via 203.0.113.1
ip -n "$NSS" -6 route add default via 2001:db8:2::1
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

# CPU time (user + system, in clock ticks) of the router namespace's process called COMM (0: none)
ticks_of() {
	local p t=0
	for p in $(ip netns pids "$NSR" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$1" ] || continue
		t=$((t + $(awk '{ print $14 + $15 }' "/proc/$p/stat" 2>/dev/null || echo 0)))
	done
	echo "$t"
}
# measure MODE ROUND DEST [COMM]: TCP bits/s and UDP received packets/s into $tmp/MODE.ROUND.tcp and
# $tmp/MODE.ROUND.udp; with COMM, the translator's share of one CPU during the TCP run into .cpu
measure() {
	local m=$1.$2 dst=$3 comm=${4:-} c0 c1
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

# ROUNDS rounds, the modes one after another in each, so that a slow minute of this shared machine
# falls on all of them; the figures are the medians, the ratios the medians of each round's ratio
MODES="ipv4 ipv6 xlat464 tayga"
[ "$BPF" = 1 ] && MODES="ipv4 ipv6 xlat464 xlat464bpf tayga"
for r in $(seq 1 "$ROUNDS"); do
	ip -n "$NSC" addr add 192.0.2.2/25 dev c-r
	ip -n "$NSC" route add default via 192.0.2.1
	measure ipv4 "$r" "$S4"
	ip -n "$NSC" route del default via 192.0.2.1
	ip -n "$NSC" addr del 192.0.2.2/25 dev c-r
	measure ipv6 "$r" "$S6"
	start_plat "plat.$r"
	measure xlat464 "$r" 64:ff9b::203.0.113.2 xlat464
	stop_daemon 5 >/dev/null
	rm -f "$CTL"
	if [ "$BPF" = 1 ]; then
		start_plat "plat-bpf.$r" --bpf-offload r-c r-s
		grep -q "bpf-offload: established" "$daemon_log" || die "bpf-offload did not attach: $(cat "$daemon_log")"
		measure xlat464bpf "$r" 64:ff9b::203.0.113.2 xlat464
		"$XLAT464" status --control "$CTL" --json >"$tmp/plat-bpf.$r.status.json"
		stop_daemon 5 >/dev/null
		rm -f "$CTL"
	fi
	measure tayga "$r" 2001:db8:64::203.0.113.2 tayga
done

# med MODE KIND [MODE2]: the median over the rounds of MODE's KIND figure (tcp, udp, cpu), or of the
# ratio MODE / MODE2 in each round
med() {
	local r f
	for r in $(seq 1 "$ROUNDS"); do
		f=$(cat "$tmp/$1.$r.$2" 2>/dev/null || echo 0)
		if [ -n "${3:-}" ]; then awk -v a="$f" -v b="$(cat "$tmp/$3.$r.$2" 2>/dev/null || echo 0)" 'BEGIN { print b ? a / b : 0 }'; else echo "$f"; fi
	done | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
# span MODE KIND MODE2: "min-max" of the per-round ratio MODE / MODE2
span() {
	local r
	for r in $(seq 1 "$ROUNDS"); do
		awk -v a="$(cat "$tmp/$1.$r.$2" 2>/dev/null || echo 0)" -v b="$(cat "$tmp/$3.$r.$2" 2>/dev/null || echo 0)" 'BEGIN { print b ? a / b : 0 }'
	done | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'
}

# new sessions per second through the daemon (the last kind measured): a burst of FLOWS new UDP flows
# from one raw socket
[ "$PLAT_MODE" = stateless ] && FLOWS=0
[ "$FLOWS" -gt 0 ] && {
if [ "$BPF" = 1 ]; then start_plat plat-bpf --bpf-offload r-c r-s; else start_plat plat; fi
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

name_of() {
	case $1 in
	ipv4) echo "plain IPv4 forwarding" ;;
	ipv6) echo "plain IPv6 forwarding" ;;
	xlat464) echo "xlat464 plat ($PLAT_MODE, TUN)" ;;
	xlat464bpf) echo "xlat464 plat ($PLAT_MODE, bpf-offload)" ;;
	tayga) echo "TAYGA $(dpkg-query -W -f='${Version}' tayga 2>/dev/null | cut -d- -f1) + nft masquerade" ;;
	esac
}
say "# PLAT throughput, $ROUNDS rounds of ${T} s each per mode (nproc $(nproc), $(uname -r))"
say "# each round, TCP Mbit/s and UDP 64 B pkt/s:"
for r in $(seq 1 "$ROUNDS"); do
	line="round $r:"
	for m in $MODES; do
		line="$line $m $(awk -v t="$(cat "$tmp/$m.$r.tcp")" -v u="$(cat "$tmp/$m.$r.udp")" 'BEGIN { printf "%.0f/%.0f", t / 1e6, u }')"
	done
	say "$line"
done
say "# medians:"
printf '%-38s %14s %10s %18s %10s\n' mode "TCP Mbit/s" "x IPv4" "UDP 64 B pkt/s" "x IPv4"
for m in $MODES; do
	awk -v n="$(name_of "$m")" -v t="$(med "$m" tcp)" -v u="$(med "$m" udp)" -v rt="$(med "$m" tcp ipv4)" \
		-v ru="$(med "$m" udp ipv4)" 'BEGIN { printf "%-38s %14.0f %10.3f %18.0f %10.3f\n", n, t / 1e6, rt, u, ru }'
done
echo "translator's CPU during the TCP run, median (100 = one core): xlat464 plat $(med xlat464 cpu)$( [ "$BPF" = 1 ] && echo ", with bpf-offload $(med xlat464bpf cpu) (the daemon only; the kernel's share is not counted)"), TAYGA $(med tayga cpu) (the machine has $(nproc))"
say "ratios, median of the rounds (min-max):"
say "  plain IPv4 forwarding / TAYGA+nft: TCP $(med ipv4 tcp tayga | awk '{ printf "%.2f", $1 }') ($(span ipv4 tcp tayga))"
say "  plain IPv6 forwarding / TAYGA+nft: TCP $(med ipv6 tcp tayga | awk '{ printf "%.2f", $1 }') ($(span ipv6 tcp tayga)), the ceiling of a translator in the forwarding path; / plain IPv4 forwarding: $(med ipv6 tcp ipv4 | awk '{ printf "%.2f", $1 }') ($(span ipv6 tcp ipv4))"
say "  xlat464 plat (TUN) / TAYGA+nft: TCP $(med xlat464 tcp tayga | awk '{ printf "%.2f", $1 }') ($(span xlat464 tcp tayga)), UDP 64 B $(med xlat464 udp tayga | awk '{ printf "%.2f", $1 }') ($(span xlat464 udp tayga))"
[ "$BPF" = 1 ] && {
say "  xlat464 plat (bpf-offload) / TAYGA+nft: TCP $(med xlat464bpf tcp tayga | awk '{ printf "%.2f", $1 }') ($(span xlat464bpf tcp tayga)), UDP 64 B $(med xlat464bpf udp tayga | awk '{ printf "%.2f", $1 }') ($(span xlat464bpf udp tayga))"
say "  xlat464 plat (bpf-offload) / plain IPv4 forwarding: TCP $(med xlat464bpf tcp ipv4 | awk '{ printf "%.2f", $1 }') ($(span xlat464bpf tcp ipv4)), UDP 64 B $(med xlat464bpf udp ipv4 | awk '{ printf "%.2f", $1 }') ($(span xlat464bpf udp ipv4))"
say "  xlat464 plat (bpf-offload) / plain IPv6 forwarding: TCP $(med xlat464bpf tcp ipv6 | awk '{ printf "%.2f", $1 }') ($(span xlat464bpf tcp ipv6)), UDP 64 B $(med xlat464bpf udp ipv6 | awk '{ printf "%.2f", $1 }') ($(span xlat464bpf udp ipv6))"
"$PY" -c 'import json,sys; b=json.load(open(sys.argv[1]))["bpf_offload"]; print("bpf-offload counters, last round: 6to4 %d packets (%d bytes), 4to6 %d packets (%d bytes), %d passed to the TUN, %d failed" % (b["packets_6to4"], b["bytes_6to4"], b["packets_4to6"], b["bytes_4to6"], b["passed"], b["failed"]))' "$tmp/plat-bpf.$ROUNDS.status.json"
}
[ "$FLOWS" -gt 0 ] || exit 0
awk -v n="$FLOWS" -v c=$((c1 - c0)) -v s="$secs" 'BEGIN {
	printf "new sessions: %d of %d flows sent in %.3f s became sessions: %.0f new sessions/s end to end (one Python sender; flows the TUN queue dropped are lost; bench/nat64.sh measures the table itself)\n", c, n, s, (s > 0 ? c / s : 0) }'
awk -v m="$mem" -v p="$per" -v c="$cap" 'BEGIN {
	printf "memory: %d bytes allocated for %d sessions (%.0f bytes per session of capacity; lib/nat64: %d bytes per session with its binding)\n", m, c, c ? m / c : 0, p }'
