#!/bin/bash
# `xlat464 siit` with one worker against two (--workers 2, a multi-queue TUN), in the same run: 64-byte
# UDP from many flows (iperf3 -u -l 64 -P 8, unlimited rate) from an IPv6 host through the
# translator to an IPv4 server, the packets per second the server received and the daemon's CPU
# time per packet (all its threads, from /proc/PID/stat). Not a test: it prints a table and ratios.
#   sudo bench/siit_workers.sh      Environment: XLAT464=path, SECONDS_PER_RUN (5), ROUNDS (3), KEEP=1,
#                                   OFFLOAD=no|yes (default no): the daemon's `--offload` in both runs
#                                   (yes: every queue of the TUN with a virtio_net_hdr, lib/xlat/offload.h).
#
#   ns h6 (2001:db8:6::2) ==== ns x (xlat464 siit, TUN siit0, pool6 64:ff9b::/96) ==== ns s4 (203.0.113.2)
#
# On 2 vCPUs iperf3's sender, the kernel's forwarding and the daemon share the CPUs, so the rate
# says little alone: the CPU per packet says whether the second worker costs or saves work.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh source-path=SCRIPTDIR
. "$here/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$here/../build/xlat464}
T=${SECONDS_PER_RUN:-5}
OFFLOAD=${OFFLOAD:-no}
ROUNDS=${ROUNDS:-3}

P=x4-sw-$$-
NS6=${P}h6
NSX=${P}x
NS4=${P}s4
ALL_NS="$NS6 $NSX $NS4"
S4=203.0.113.2
S4_AS6=64:ff9b::cb00:7102

preconditions ip iperf3 timeout
need_xlat464
make_tmp x4-sw
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
h6_x_s4_topology 2001:db8:6::2
ip netns exec "$NS4" timeout 3600 iperf3 -s -p 5201 >"$tmp/iperf3-server.log" 2>&1 &
pids+=($!) # not -D: a daemonized server has no pid to stop and outlives the namespace
sleep 0.5

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_mode() { # WORKERS: prints "pps ticks_per_mpkt"
	local w=$1 ctl=$tmp/ctl-$1.sock pid before after rx
	ip netns exec "$NSX" "$XLAT464" siit --tun siit0 --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
		--eam 192.0.2.2/32 2001:db8:6::2/128 --workers "$w" --offload "$OFFLOAD" --control "$ctl" --foreground >"$tmp/siit-$w.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_until 5 test -S "$ctl" || die "siit --workers $w: $(cat "$tmp/siit-$w.log")"
	ip -n "$NSX" route add 64:ff9b::/96 dev siit0
	ip -n "$NSX" route add 192.0.2.2/32 dev siit0
	before=$(cpu_ticks "$pid")
	nsx "$NS6" timeout $((T + 20)) iperf3 -c "$S4_AS6" -u -b 0 -l 64 -P 8 -t "$T" -J >"$tmp/run-$w.json" 2>&1
	after=$(cpu_ticks "$pid")
	kill -TERM "$pid"
	wait_until 5 pid_gone "$pid"
	"$PY" - "$tmp/run-$w.json" "$((after - before))" "$T" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
s = j["end"]["sum"]
rx = s["packets"] - s["lost_packets"]
pps = rx / float(sys.argv[3])
ticks = int(sys.argv[2])  # 1/100 s
print("%.0f %.2f" % (pps, ticks * 10000.0 / max(rx, 1)))  # us of CPU per packet
PYEOF
}

printf '%-6s %-8s %14s %22s\n' round workers "received pps" "daemon CPU us/pkt"
for r in $(seq 1 "$ROUNDS"); do
	for w in 1 2; do
		read -r pps cpu < <(run_mode "$w")
		printf '%-6s %-8s %14s %22s\n' "$r" "$w" "$pps" "$cpu"
		echo "$r $w $pps $cpu" >>"$tmp/results"
	done
done
"$PY" - "$tmp/results" <<'PYEOF'
import sys, statistics
rows = [l.split() for l in open(sys.argv[1])]
def med(w, k):
    return statistics.median(float(r[k]) for r in rows if r[1] == w)
p1, p2, c1, c2 = med("1", 2), med("2", 2), med("1", 3), med("2", 3)
ratios = [float(b[2]) / float(a[2]) for a, b in zip(rows[0::2], rows[1::2]) if float(a[2]) > 0]
print("medians: 1 worker %.0f pps, %.1f us CPU/pkt; 2 workers %.0f pps, %.1f us CPU/pkt" % (p1, c1, p2, c2))
print("2 workers / 1 worker, packet rate: %.2f (rounds: %s)" % (statistics.median(ratios), ", ".join("%.2f" % x for x in ratios)))
PYEOF
