#!/bin/bash
# End-to-end throughput of `xlat464 clat` in a namespace lab, beside baselines measured in the same
# run: plain IPv4 forwarding (the kernel, no translation) and Debian's TAYGA used as the CLAT (the
# clatd + TAYGA setup people use today). Not a test: it prints a table and the ratios.
#   sudo bench/clat.sh          (or: sudo make bench-clat)
# Environment: XLAT464=path (default build/xlat464), SECONDS_PER_RUN (default 5), ROUNDS (default 3:
# the modes take turns in each round; the figures are medians over the rounds, the ratios medians of
# each round's ratio), PLAT=1 (put the project's PLAT, with its kernel fast path, between the router
# and an IPv4-only server: the whole 464XLAT path; by default the CLAT is the only translator),
# MODES="ipv4 clat clat-tun tayga" (a subset; clat-tun2 adds --no-fast-path --workers 2: each test is
# one flow, so one worker carries it), KEEP=1.
#
#  ns cl (host)                             ns rt (router)                     ns sv (server)
# +-------------------------------+      +---------------------------+      +-----------------------------+
# | mode ipv4:   192.0.2.2/24     |      | 192.0.2.1/24  203.0.113.1 |      | 203.0.113.2/24              |
# | mode clat:   xlat464 clat     |      | 2001:db8:1::1 2001:db8:2::1|     | 2001:db8:2::2/64 and        |
# | mode clat-tun: --no-fast-path |======| forwarding both families  |======| 2001:db8:64::cb00:7102/128  |
# | mode tayga:  TAYGA (tclat)    |      | 2001:db8:64::/96 -> sv     |     | iperf3 -s                   |
# | c-r 2001:db8:1::2/64 (static) |      | (PLAT=1: xlat464 plat)     |     | (PLAT=1: IPv4 only)         |
# +-------------------------------+      +---------------------------+      +-----------------------------+
#
# Without PLAT=1 there is no PLAT: the server owns 2001:db8:64::cb00:7102, the RFC 6052 image of
# 203.0.113.2 under the CLAT's prefix 2001:db8:64::/96, so the CLAT is the only translator and its cost
# is what is measured. With PLAT=1 the router runs `xlat464 plat --pool6 2001:db8:64::/96 --bpf-offload
# r-c r-s` and the server has IPv4 only. The application is the same in all modes: iperf3 to
# 203.0.113.2. Per mode and round: one TCP stream up (host to server) and one down (iperf3 -R), with
# the sender's TCP retransmissions; 64-byte IPv4 UDP packets (36 bytes of payload) up, unlimited rate,
# packets per second received. TAYGA as the CLAT is set up as clatd does: TUN tclat with 192.0.0.1,
# map 192.0.0.1 = 2001:db8:1::c1a7, that address routed into the TUN and proxied by NDP.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh source-path=SCRIPTDIR
. "$here/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$here/../build/xlat464}
T=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
PLAT=${PLAT:-0}
MODES=${MODES:-ipv4 clat clat-tun tayga}

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
ip -n "$NSS" addr add "$S4/24" dev s-r
for l in "$NSC c-r" "$NSR r-c" "$NSR r-s" "$NSS s-r"; do ip -n "${l% *}" link set "${l#* }" up; done
# The veths keep their checksum offload: the server's packets reach the CLAT with the checksum left
# to the device (CHECKSUM_PARTIAL), which the CLAT finishes itself (docs/clat.md).
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSS" route add default via 203.0.113.1
if [ "$PLAT" = 1 ]; then
	# the PLAT's IPv4 side comes back in on r-s from the pool, routed to its TUN: loose rp_filter
	nsx "$NSR" sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.r-s.rp_filter=2 net.ipv4.conf.r-c.rp_filter=2 >/dev/null
	ip netns exec "$NSR" timeout 900 "$XLAT464" plat --pool6 2001:db8:64::/96 --pool4 198.51.100.0/28 \
		--allow-wkp-non-global yes --bpf-offload r-c r-s --control "$tmp/plat.sock" --foreground \
		>"$tmp/plat.log" 2>&1 &
	pids+=($!)
	wait_until 10 grep -q "plat0" "$tmp/plat.log" || die "xlat464 plat: $(cat "$tmp/plat.log")"
	ip -n "$NSS" route add 198.51.100.0/28 via 203.0.113.1 2>/dev/null || :
else
	ip -n "$NSS" addr add 2001:db8:2::2/64 dev s-r nodad
	ip -n "$NSS" addr add "$S6/128" dev s-r nodad
	ip -n "$NSR" -6 route add 2001:db8:64::/96 via 2001:db8:2::2
	# src: iperf3's UDP socket is not bound to an address, so its replies take the route's preferred
	# source; it must be the address the CLAT talked to.
	ip -n "$NSS" -6 route add default via 2001:db8:2::1 src "$S6"
fi
ip netns exec "$NSS" timeout 3600 iperf3 -s -p 5201 >"$tmp/iperf3-server.log" 2>&1 &
pids+=($!)
wait_listen "$NSS" tcp 5201 >/dev/null || die "iperf3 server"
sleep 1

json() { "$PY" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1" 2>/dev/null || echo 0; }

# measure MODE ROUND: into $tmp/MODE.ROUND.{up,down,upretr,downretr,udp}
measure() {
	local m=$1 r=$2 f=$tmp/$1.$2
	if ! nsx "$NSC" ping -c 1 -W 2 "$S4" >/dev/null; then
		echo "$m: no connectivity to $S4" >&2
		for k in up down upretr downretr udp; do echo 0 >"$f.$k"; done
		return
	fi
	nsx "$NSC" timeout $((T + 15)) iperf3 -c "$S4" -p 5201 -t "$T" -J >"$f.up.json" 2>&1
	json "$f.up.json" 'd["end"]["sum_received"]["bits_per_second"]' >"$f.up"
	json "$f.up.json" 'd["end"]["sum_sent"].get("retransmits", 0)' >"$f.upretr"
	sleep 1
	nsx "$NSC" timeout $((T + 15)) iperf3 -c "$S4" -p 5201 -t "$T" -R -J >"$f.down.json" 2>&1
	json "$f.down.json" 'd["end"]["sum_received"]["bits_per_second"]' >"$f.down"
	json "$f.down.json" 'd["end"]["sum_sent"].get("retransmits", 0)' >"$f.downretr"
	sleep 1
	nsx "$NSC" timeout $((T + 15)) iperf3 -c "$S4" -p 5201 -u -b 0 -l 36 -t "$T" -J >"$f.udp.json" 2>&1
	json "$f.udp.json" '(d["end"]["sum"]["packets"]-d["end"]["sum"]["lost_packets"])/d["end"]["sum"]["seconds"]' >"$f.udp"
	sleep 1
}

mode_ipv4() { # on|off
	if [ "$1" = on ]; then
		ip -n "$NSC" addr add 192.0.2.2/24 dev c-r
		ip -n "$NSC" route add default via 192.0.2.1
		[ "$PLAT" = 1 ] && ip -n "$NSS" route replace 192.0.2.0/24 via 203.0.113.1
	else
		ip -n "$NSC" route del default via 192.0.2.1
		ip -n "$NSC" addr del 192.0.2.2/24 dev c-r
	fi
}

clat_pid=
mode_clat() { # on|off [ARGS]
	if [ "$1" = on ]; then
		shift
		daemon_log=$tmp/clat.log
		ip netns exec "$NSC" timeout 3600 "$XLAT464" clat --pref64 2001:db8:64::/96 --no-dns64 --uplink c-r \
			--control "$tmp/clat.sock" --foreground "$@" >>"$daemon_log" 2>&1 &
		daemon_pid=$!
		wait_daemon 15 grep -q -- "-> running" "$daemon_log" || die "xlat464 clat did not come up: $(tail "$daemon_log")"
	else
		"$XLAT464" status --control "$tmp/clat.sock" >"$tmp/clat.status.$2" 2>&1
		stop_daemon 5 >/dev/null
		: >"$tmp/clat.log"
	fi
}

tayga_pid=
mode_tayga() { # on|off
	if [ "$1" = on ]; then
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
		ip netns exec "$NSC" timeout 3600 tayga -c "$tmp/tayga.conf" --nodetach >"$tmp/tayga.log" 2>&1 &
		tayga_pid=$!
		pids+=("$tayga_pid")
		sleep 1
	else
		kill "$tayga_pid"
		wait "$tayga_pid" 2>/dev/null
		ip -n "$NSC" -6 neigh del proxy "$CLAT6_TAYGA" dev c-r
		ip -n "$NSC" link del tclat
		nsx "$NSC" sysctl -qw net.ipv6.conf.all.forwarding=0 net.ipv6.conf.c-r.proxy_ndp=0 >/dev/null
	fi
}

for r in $(seq 1 "$ROUNDS"); do
	for m in $MODES; do
		case $m in
		ipv4) mode_ipv4 on; measure ipv4 "$r"; mode_ipv4 off ;;
		clat) mode_clat on; measure clat "$r"; mode_clat off "$r" ;;
		clat-tun) mode_clat on --no-fast-path; measure clat-tun "$r"; mode_clat off "$r.tun" ;;
		clat-tun2) mode_clat on --no-fast-path --workers 2; measure clat-tun2 "$r"; mode_clat off "$r.tun2" ;;
		tayga) mode_tayga on; measure tayga "$r"; mode_tayga off ;;
		esac
		printf '# round %s %-9s up %8.0f Mbit/s (%s retr)  down %8.0f Mbit/s (%s retr)  udp %8.0f pkt/s\n' "$r" "$m" \
			"$(awk '{ print $1 / 1e6 }' "$tmp/$m.$r.up")" "$(cat "$tmp/$m.$r.upretr")" \
			"$(awk '{ print $1 / 1e6 }' "$tmp/$m.$r.down")" "$(cat "$tmp/$m.$r.downretr")" "$(cat "$tmp/$m.$r.udp")"
	done
done

say "# CLAT throughput, ${ROUNDS} rounds of ${T} s per test (nproc $(nproc), $(uname -r))$([ "$PLAT" = 1 ] && echo ', through xlat464 plat --bpf-offload to an IPv4-only server')"
"$PY" - "$tmp" "$ROUNDS" $MODES <<-'EOF'
	import statistics, sys
	tmp, rounds, modes = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
	names = {"ipv4": "plain IPv4 forwarding", "clat": "xlat464 clat (default)", "clat-tun": "xlat464 clat --no-fast-path",
	         "clat-tun2": "... --no-fast-path --workers 2",
	         "tayga": "TAYGA 0.9.2 as the CLAT"}
	def val(m, r, k):
	    try:
	        return float(open(f"{tmp}/{m}.{r}.{k}").read().split()[0])
	    except Exception:
	        return 0.0
	print(f"{'mode':30} {'up Mbit/s':>10} {'x IPv4':>7} {'retr':>7} {'down Mbit/s':>11} {'x IPv4':>7} {'retr':>7} {'UDP pkt/s':>10} {'x IPv4':>7}")
	base = "ipv4" if "ipv4" in modes else None
	for m in modes:
	    row = []
	    for k in ("up", "down"):
	        v = [val(m, r, k) for r in range(1, rounds + 1)]
	        x = [val(m, r, k) / val(base, r, k) if base and val(base, r, k) else 0 for r in range(1, rounds + 1)]
	        retr = [val(m, r, k + "retr") for r in range(1, rounds + 1)]
	        row.append((statistics.median(v) / 1e6, statistics.median(x), min(x), max(x), statistics.median(retr)))
	    u = [val(m, r, "udp") for r in range(1, rounds + 1)]
	    ux = [val(m, r, "udp") / val(base, r, "udp") if base and val(base, r, "udp") else 0 for r in range(1, rounds + 1)]
	    (a, ax, _, _, ar), (b, bx, _, _, br) = row
	    print(f"{names.get(m, m):30} {a:10.0f} {ax:7.3f} {ar:7.0f} {b:11.0f} {bx:7.3f} {br:7.0f} {statistics.median(u):10.0f} {statistics.median(ux):7.3f}")
	print("ratios are medians of each round's ratio; min-max over the rounds:")
	for m in modes:
	    if m == base:
	        continue
	    spans = []
	    for k in ("up", "down", "udp"):
	        x = [val(m, r, k) / val(base, r, k) if base and val(base, r, k) else 0 for r in range(1, rounds + 1)]
	        spans.append(f"{k} {min(x):.3f}-{max(x):.3f}")
	    print(f"  {names.get(m, m)}: " + ", ".join(spans))
	if "clat" in modes and "tayga" in modes:
	    for k in ("up", "down", "udp"):
	        x = [val("clat", r, k) / val("tayga", r, k) if val("tayga", r, k) else 0 for r in range(1, rounds + 1)]
	        print(f"  xlat464 clat / TAYGA {k}: {statistics.median(x):.2f}")
	EOF
say "(retr: the TCP sender's retransmissions over the run, median of the rounds; the CLAT's status of the last round in $tmp/clat.status.*, kept with KEEP=1)"
