#!/bin/bash
# End-to-end throughput of `xlat464 clat` in a namespace lab, beside two baselines measured in the same
# run: plain IPv4 forwarding (the kernel, no translation) and Debian's TAYGA used as the CLAT (the
# clatd + TAYGA setup people use today). Not a test: it prints a table and the ratios.
#   sudo bench/clat.sh          (or: sudo make bench-clat)
# Environment: XLAT464=path (default build/xlat464), SECONDS_PER_RUN (default 5), KEEP=1.
#
#  ns cl (host)                             ns rt (router)                     ns sv (server)
# +-------------------------------+      +---------------------------+      +-----------------------------+
# | mode ipv4:   192.0.2.2/24     |      | 192.0.2.1/24  203.0.113.1 |      | 203.0.113.2/24              |
# | mode xlat464: xlat464 clat    |      | 2001:db8:1::1 2001:db8:2::1|     | 2001:db8:2::2/64 and        |
# | mode tayga:  TAYGA (tclat)    |======| forwarding both families  |======| 2001:db8:64::cb00:7102/128  |
# | c-r 2001:db8:1::2/64 (static) |      | 2001:db8:64::/96 -> sv    |      | iperf3 -s                   |
# +-------------------------------+      +---------------------------+      +-----------------------------+
#
# There is no PLAT: the server owns 2001:db8:64::cb00:7102, the RFC 6052 image of 203.0.113.2 under
# the CLAT's prefix 2001:db8:64::/96, so the CLAT is the only translator and its cost is what is
# measured. The application is the same in all three modes: iperf3 to 203.0.113.2. TCP: one stream,
# -t SECONDS_PER_RUN. UDP: 64-byte IPv4 packets (36 bytes of payload), unlimited rate, packets per
# second received by the server. TAYGA as the CLAT is set up as clatd does: TUN tclat with
# 192.0.0.1, map 192.0.0.1 = 2001:db8:1::c1a7, that address routed into the TUN and proxied by NDP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh source-path=SCRIPTDIR
. "$here/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$here/../build/xlat464}
T=${SECONDS_PER_RUN:-5}

P=x4-cm-bench-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}sv
ALL_NS="$NSC $NSR $NSS" # lib.sh: created by make_namespaces, deleted at exit
S4=203.0.113.2
S6=2001:db8:64::cb00:7102
CLAT6_TAYGA=2001:db8:1::c1a7

preconditions ip tayga iperf3 timeout
need_xlat464
make_tmp x4-cm-bench
make_namespaces net.ipv4.icmp_ratelimit=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die veth
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die veth
nsx "$NSC" sysctl -qw net.ipv6.conf.c-r.accept_ra=0 net.ipv6.conf.c-r.accept_dad=0 >/dev/null
ip -n "$NSC" addr add 2001:db8:1::2/64 dev c-r nodad
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 192.0.2.1/24 dev r-c
ip -n "$NSR" addr add 2001:db8:2::1/64 dev r-s nodad
ip -n "$NSR" addr add 203.0.113.1/24 dev r-s
ip -n "$NSS" addr add 2001:db8:2::2/64 dev s-r nodad
ip -n "$NSS" addr add "$S6/128" dev s-r nodad
ip -n "$NSS" addr add "$S4/24" dev s-r
for l in "$NSC c-r" "$NSR r-c" "$NSR r-s" "$NSS s-r"; do ip -n "${l% *}" link set "${l#* }" up; done
# The veths keep their checksum offload: the server's packets reach the CLAT with the checksum left
# to the device (CHECKSUM_PARTIAL), which the CLAT finishes itself (docs/clat.md).
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSR" -6 route add 2001:db8:64::/96 via 2001:db8:2::2
# src: iperf3's UDP socket is not bound to an address, so its replies take the route's preferred
# source; it must be the address the CLAT talked to.
ip -n "$NSS" -6 route add default via 2001:db8:2::1 src "$S6"
ip -n "$NSS" route add default via 203.0.113.1
ip netns exec "$NSS" timeout 600 iperf3 -s -p 5201 >"$tmp/iperf3-server.log" 2>&1 &
pids+=($!)
wait_listen "$NSS" tcp 5201 >/dev/null || die "iperf3 server"
sleep 1

# measure MODE: TCP bits/s and UDP received packets/s, into $tmp/MODE.tcp and $tmp/MODE.udp
measure() {
	local m=$1
	nsx "$NSC" ping -c 1 -W 2 "$S4" >/dev/null || { echo "$m: no connectivity to $S4" >&2; echo 0 >"$tmp/$m.tcp"; echo 0 >"$tmp/$m.udp"; return; }
	nsx "$NSC" timeout $((T + 15)) iperf3 -c "$S4" -p 5201 -t "$T" -J >"$tmp/$m.tcp.json" 2>&1
	"$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["end"]["sum_received"]["bits_per_second"])' \
		"$tmp/$m.tcp.json" >"$tmp/$m.tcp" 2>/dev/null || echo 0 >"$tmp/$m.tcp"
	sleep 1
	nsx "$NSC" timeout $((T + 15)) iperf3 -c "$S4" -p 5201 -u -b 0 -l 36 -t "$T" -J >"$tmp/$m.udp.json" 2>&1
	"$PY" -c 'import json,sys; s=json.load(open(sys.argv[1]))["end"]["sum"]; print((s["packets"]-s["lost_packets"])/s["seconds"])' \
		"$tmp/$m.udp.json" >"$tmp/$m.udp" 2>/dev/null || echo 0 >"$tmp/$m.udp"
	sleep 1
}

# 1. plain IPv4 forwarding
ip -n "$NSC" addr add 192.0.2.2/24 dev c-r
ip -n "$NSC" route add default via 192.0.2.1
measure ipv4
ip -n "$NSC" route del default via 192.0.2.1
ip -n "$NSC" addr del 192.0.2.2/24 dev c-r

# 2. xlat464 clat
daemon_log=$tmp/clat.log
ip netns exec "$NSC" timeout 600 "$XLAT464" clat --pref64 2001:db8:64::/96 --no-dns64 --uplink c-r \
	--control "$tmp/clat.sock" --foreground >"$daemon_log" 2>&1 &
daemon_pid=$!
wait_daemon 15 grep -q -- "-> running" "$daemon_log" || die "xlat464 clat did not come up: $(cat "$daemon_log")"
measure xlat464
"$XLAT464" status --control "$tmp/clat.sock" >"$tmp/clat.status" 2>&1
stop_daemon 5 >/dev/null

# 3. TAYGA as the CLAT
mkdir -p "$tmp/tayga"
printf 'tun-device tclat\nipv4-addr 192.0.0.2\nprefix 2001:db8:64::/96\nmap 192.0.0.1 %s\ndata-dir %s\n' \
	"$CLAT6_TAYGA" "$tmp/tayga" >"$tmp/tayga.conf"
nsx "$NSC" sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv6.conf.c-r.proxy_ndp=1 >/dev/null
ip -n "$NSC" tuntap add tclat mode tun || die tuntap
ip -n "$NSC" link set tclat up
ip -n "$NSC" addr add 192.0.0.1/32 dev tclat
ip -n "$NSC" route add default dev tclat mtu 1480
ip -n "$NSC" -6 route add "$CLAT6_TAYGA" dev tclat
ip -n "$NSC" -6 neigh add proxy "$CLAT6_TAYGA" dev c-r
ip netns exec "$NSC" timeout 600 tayga -c "$tmp/tayga.conf" --nodetach >"$tmp/tayga.log" 2>&1 &
tayga=$!
pids+=($!)
sleep 1
measure tayga
kill "$tayga"

say "# CLAT throughput, one run, ${T} s each (nproc $(nproc), $(uname -r))"
printf '%-28s %14s %10s %18s %10s\n' mode "TCP Mbit/s" "x IPv4" "UDP 64 B pkt/s" "x IPv4"
for m in ipv4 xlat464 tayga; do
	case $m in ipv4) name="plain IPv4 forwarding" ;; xlat464) name="xlat464 clat" ;; tayga) name="TAYGA 0.9.2 as the CLAT" ;; esac
	awk -v n="$name" -v t="$(cat "$tmp/$m.tcp")" -v u="$(cat "$tmp/$m.udp")" \
		-v t0="$(cat "$tmp/ipv4.tcp")" -v u0="$(cat "$tmp/ipv4.udp")" 'BEGIN {
		printf "%-28s %14.0f %10.3f %18.0f %10.3f\n", n, t / 1e6, t0 ? t / t0 : 0, u, u0 ? u / u0 : 0 }'
done
awk -v a="$(cat "$tmp/xlat464.tcp")" -v b="$(cat "$tmp/tayga.tcp")" -v c="$(cat "$tmp/xlat464.udp")" \
	-v d="$(cat "$tmp/tayga.udp")" 'BEGIN { printf "xlat464 clat / TAYGA: TCP %.2f, UDP 64 B %.2f\n", b ? a / b : 0, d ? c / d : 0 }'
