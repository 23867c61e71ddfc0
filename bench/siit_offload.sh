#!/bin/bash
# TCP throughput through `xlat464 siit` with `--offload yes` (TCP super-packets translated whole
# through the TUN's virtio_net_hdr, lib/xlat/offload.h) against `--offload no` and against plain
# kernel IPv6 forwarding over the same links, in the same run. Not a test: it prints a table and
# ratios.
#   sudo bench/siit_offload.sh      Environment: XLAT464=path, SECONDS_PER_RUN (5), ROUNDS (3), KEEP=1.
#
#   ns h6 (2001:db8:6::2) ==== ns x (router; xlat464 siit, TUN siit0, pool6 64:ff9b::/96) ==== ns s4
#                                                                              (203.0.113.2, 2001:db8:4::2)
#
# One iperf3 TCP stream a run, up (host to server, 6to4) and down (-R, 4to6), to 64:ff9b::203.0.113.2
# through the translator, or to the server's 2001:db8:4::2 for the kernel's forwarding (no TUN). The
# veths hand the router 64 KiB super-packets (TSO), so the kernel forwards them whole; the translator
# with offload does too, and without it reads and writes every 1500-byte packet. On 2 vCPUs iperf3's
# two ends, the kernel and the daemon share the CPUs: the ratios, measured within each round, are the
# figures to keep. Figures and what they mean: docs/performance.md, "siit: TUN offload".
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh source-path=SCRIPTDIR
. "$here/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$here/../build/xlat464}
T=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}

P=x4-sob-$$-
NS6=${P}h6
NSX=${P}x
NS4=${P}s4
ALL_NS="$NS6 $NSX $NS4"
S4_AS6=64:ff9b::cb00:7102
S6=2001:db8:4::2

preconditions ip iperf3 timeout
need_xlat464
make_tmp x4-sob
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
h6_x_s4_topology 2001:db8:6::2
# the same server over IPv6, for the kernel's forwarding
ip -n "$NSX" addr add 2001:db8:4::1/64 dev x-s nodad
ip -n "$NS4" addr add "$S6/64" dev s-x nodad
ip -n "$NS4" -6 route add default via 2001:db8:4::1
ip netns exec "$NS4" timeout 3600 iperf3 -s -p 5201 >"$tmp/iperf3-server.log" 2>&1 &
pids+=($!) # not -D: a daemonized server has no pid to stop and outlives the namespace
sleep 0.5

pid=
start_siit() { # OFFLOAD
	local ctl=$tmp/ctl-$1.sock
	ip netns exec "$NSX" "$XLAT464" siit --tun siit0 --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
		--eam 192.0.2.2/32 2001:db8:6::2/128 --offload "$1" --control "$ctl" --foreground >"$tmp/siit-$1.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_until 5 test -S "$ctl" || die "siit --offload $1: $(cat "$tmp/siit-$1.log")"
	ip -n "$NSX" route add 64:ff9b::/96 dev siit0
	ip -n "$NSX" route add 192.0.2.2/32 dev siit0
	[ "$1" = no ] ||
		"$XLAT464" status --control "$ctl" --json | "$PY" -c 'import json,sys; sys.exit(0 if json.load(sys.stdin)["offload"] else 1)' ||
		die "the TUN did not take the offloads"
}
stop_siit() {
	kill -TERM "$pid"
	wait_until 5 pid_gone "$pid" || die "siit did not stop"
}

tcp() { # DEST [-R]: Mbit/s received
	nsx "$NS6" timeout $((T + 20)) iperf3 -c "$1" -p 5201 -t "$T" -J ${2:+"$2"} >"$tmp/run.json" 2>&1 || die "iperf3: $(tail -3 "$tmp/run.json")"
	"$PY" -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"] / 1e6))' "$tmp/run.json"
}

printf '%-6s %-12s %14s %14s\n' round mode "up Mbit/s" "down Mbit/s"
for r in $(seq 1 "$ROUNDS"); do
	for m in kernel offload-no offload-yes; do
		case $m in
		kernel) up=$(tcp "$S6") down=$(tcp "$S6" -R) ;;
		*)
			start_siit "${m#offload-}"
			up=$(tcp "$S4_AS6")
			down=$(tcp "$S4_AS6" -R)
			stop_siit
			;;
		esac
		printf '%-6s %-12s %14s %14s\n' "$r" "$m" "$up" "$down"
		echo "$r $m $up $down" >>"$tmp/results"
	done
done
"$PY" - "$tmp/results" <<'PYEOF'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
rounds = sorted({r[0] for r in rows})
def val(r, m, k):
    return next(float(x[k]) for x in rows if x[0] == r and x[1] == m)
for k, d in ((2, "up (6to4)"), (3, "down (4to6)")):
    med = {m: statistics.median(val(r, m, k) for r in rounds) for m in ("kernel", "offload-no", "offload-yes")}
    print("%s medians: kernel %.0f, offload no %.0f, offload yes %.0f Mbit/s" % (d, med["kernel"], med["offload-no"], med["offload-yes"]))
    for a, b in (("offload-yes", "offload-no"), ("offload-yes", "kernel"), ("offload-no", "kernel")):
        ratios = [val(r, a, k) / val(r, b, k) for r in rounds if val(r, b, k) > 0]
        print("  %s / %s: %.2f (rounds: %s)" % (a, b, statistics.median(ratios), ", ".join("%.2f" % x for x in ratios)))
PYEOF
