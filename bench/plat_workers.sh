#!/bin/bash
# `xlat464 plat` (stateful NAT64, on its TUN alone: no bpf-offload) with one worker against two
# (--workers 2: two lib/nat64 instances on a steered multi-queue TUN), in the same run: 64-byte UDP
# from four subscribers at once (four iperf3 clients bound to four addresses, subscriber-len 128,
# -P 2 each, unlimited rate) through the PLAT to an IPv4 server, the packets per second the server
# received and the daemon's CPU time per packet (all its threads, /proc/PID/stat). Not a test.
#   sudo bench/plat_workers.sh      Environment: XLAT464=path, SECONDS_PER_RUN (5), ROUNDS (3), KEEP=1.
#
#   ns h6 (2001:db8:6::2-5) ==== ns x (xlat464 plat, pool6 64:ff9b::/96, pool4 192.0.2.0/28) ==== ns s4 (203.0.113.2)
#
# On 2 vCPUs iperf3's sender, the kernel's forwarding and the daemon share the CPUs, so the rate
# says little alone: the CPU per packet says whether the second worker costs or saves work.
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh source-path=SCRIPTDIR
. "$here/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$here/../build/xlat464}
T=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}

P=x4-pw-bench-$$-
NS6=${P}h6
NSX=${P}x
NS4=${P}s4
ALL_NS="$NS6 $NSX $NS4"
S4=203.0.113.2
S4_AS6=64:ff9b::cb00:7102

preconditions ip iperf3 timeout
need_xlat464
make_tmp x4-pw-bench
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
h6_x_s4_topology 2001:db8:6::2 2001:db8:6::3 2001:db8:6::4 2001:db8:6::5
for k in 1 2 3 4; do
	ip netns exec "$NS4" timeout 3600 iperf3 -s -p "520$k" >"$tmp/iperf3-server-$k.log" 2>&1 &
	pids+=($!) # not -D: a daemonized server has no pid to stop and outlives the namespace
done
sleep 0.5

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

run_mode() { # WORKERS: prints "pps us_cpu_per_1000_pkts"
	local w=$1 ctl=$tmp/ctl-$1.sock pid before after k cpids=()
	ip netns exec "$NSX" "$XLAT464" plat --tun plat0 --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
		--pool4 192.0.2.0/28 --subscriber-len 128 --workers "$w" --control "$ctl" --foreground >"$tmp/plat-$w.log" 2>&1 &
	pid=$!
	pids+=("$pid")
	wait_until 5 test -S "$ctl" || die "plat --workers $w: $(cat "$tmp/plat-$w.log")"
	before=$(cpu_ticks "$pid")
	for k in 1 2 3 4; do
		nsx "$NS6" timeout $((T + 20)) iperf3 -c "$S4_AS6" -B "2001:db8:6::$((k + 1))" -p "520$k" -u -b 0 -l 64 -P 2 \
			-t "$T" -J >"$tmp/run-$w-$k.json" 2>&1 &
		cpids+=($!)
	done
	for k in "${cpids[@]}"; do wait "$k"; done
	after=$(cpu_ticks "$pid")
	kill -TERM "$pid"
	wait_until 5 pid_gone "$pid"
	"$PY" - "$((after - before))" "$T" "$tmp"/run-"$w"-*.json <<'PYEOF'
import json, sys
rx = 0
for f in sys.argv[3:]:
    s = json.load(open(f))["end"]["sum"]
    rx += s["packets"] - s["lost_packets"]
pps = rx / float(sys.argv[2])
ticks = int(sys.argv[1])  # 1/100 s
print("%.0f %.2f" % (pps, ticks * 10000.0 / max(rx, 1)))
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
