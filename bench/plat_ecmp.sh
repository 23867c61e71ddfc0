#!/bin/bash
# Per-instance throughput of `xlat464 plat` behind ECMP: one instance alone against the same
# instance as one of three, each of the three under the same load, in the same run. Not a test: it
# prints the figures and the ratios.
#   sudo bench/plat_ecmp.sh
# Environment: XLAT464=path (default build/xlat464), SECONDS_PER_RUN (default 5), ROUNDS (default 3:
# the cases take turns in each round; figures are medians over the rounds), RATE (default 2G: the
# fixed per-instance load, iperf3 -b), KEEP=1.
#
# The lab of `xlat464 lab up --plats 3` (scripts/lab.sh: three instances, each with bpf-offload on
# its link, announced by BIRD), under the prefix x4-ecb-PID-. The load is iperf3 TCP, one stream
# per instance, from the IPv6-only client's own address (not through its CLAT, whose cost is not
# what is measured here) to 64:ff9b::203.0.113.2, port 5201 + K - 1 for instance K. For the
# benchmark, the router's nftables pins each port to its instance (mark K, after the stable hash);
# the three instances stay announced throughout, so the routing is the same in every case:
#
#   alone  : only instance 1 carries a flow (the other two idle)
#   of 3   : the three instances carry one flow each, at the same time; instance 1's figure is
#            compared with "alone" (and the mean of the three)
#
# each at a fixed load (-b RATE: the same per-instance load, which a machine that carries 3 x RATE
# delivers whole if the instances do not slow one another) and unlimited (-b 0: what one instance
# gets when all the machine's cores are shared with the other two; on a machine with fewer cores
# than instances, this ratio falls by the CPU, not by the scale-out, and the sum of the three against
# one alone says whether anything was lost beyond the sharing).
set -u
benchdir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh source-path=SCRIPTDIR
. "$benchdir/../tests/netns/lib.sh"
XLAT464=$(readlink -f "${XLAT464:-$benchdir/../build/xlat464}")
T=${SECONDS_PER_RUN:-5}
ROUNDS=${ROUNDS:-3}
RATE=${RATE:-2G}

P=x4-ecb-$$-
NSR=${P}router
NSS=${P}server
NSC=${P}client
ALL_NS="$NSR $NSS $NSC ${P}client4 ${P}plat1 ${P}plat2 ${P}plat3"
DST6=64:ff9b::cb00:7102 # 203.0.113.2

preconditions ip nft bird birdc iperf3 timeout
need_xlat464
make_tmp x4-ecb
export XLAT464_LAB_PREFIX=$P XLAT464_LAB_DIR=$tmp/lab XLAT464_LAB_IFTAG=b$$c
export XLAT464_LAB_SCRIPT=$benchdir/../scripts/lab.sh
downed=0
cleanup_extra() { [ "$downed" = 1 ] || timeout 60 "$XLAT464" lab down >"$tmp/down.out" 2>&1; }

timeout 120 "$XLAT464" lab up --plats 3 >"$tmp/up.out" 2>&1 || { cat "$tmp/up.out"; die "lab up --plats 3"; }
for k in 1 2 3; do
	ip netns exec "$NSS" timeout 900 iperf3 -s -B 203.0.113.2 -p $((5200 + k)) >"$tmp/iperf3-server$k.log" 2>&1 &
	pids+=($!)
	wait_listen "$NSS" tcp $((5200 + k)) >/dev/null || die "iperf3 server $k"
done
# pin port 5200+K to instance K (after the lab's stable hash, so it wins)
nsx "$NSR" nft -f - <<EOF || die "nft pin"
table ip6 x464bench_pin {
	chain pre {
		type filter hook prerouting priority mangle + 1;
		ip6 daddr $DST6 tcp dport 5201 meta mark set 1
		ip6 daddr $DST6 tcp dport 5202 meta mark set 2
		ip6 daddr $DST6 tcp dport 5203 meta mark set 3
	}
}
EOF
say "# plat_ecmp bench: 3 instances (lab $P), ${T} s per run, $ROUNDS rounds, fixed load $RATE per instance, $(nproc) CPUs"

# run NAME RATE K...: one iperf3 TCP stream to each instance K at once; $tmp/NAME.K.bps each
run() {
	local name=$1 rate=$2 k jpids=()
	shift 2
	for k; do
		ip netns exec "$NSC" timeout $((T + 20)) iperf3 -6 -c "$DST6" -p $((5200 + k)) -t "$T" -b "$rate" -J \
			>"$tmp/$name.$k.json" 2>&1 &
		jpids+=($!)
	done
	for k in "${jpids[@]}"; do wait "$k"; done
	for k; do
		"$PY" -c 'import json,sys; print("%.0f" % json.load(open(sys.argv[1]))["end"]["sum_received"]["bits_per_second"])' \
			"$tmp/$name.$k.json" >"$tmp/$name.$k.bps" 2>/dev/null || say 0 >"$tmp/$name.$k.bps"
	done
}

for r in $(seq 1 "$ROUNDS"); do
	run "alone-fixed.$r" "$RATE" 1
	run "of3-fixed.$r" "$RATE" 1 2 3
	run "alone-max.$r" 0 1
	run "of3-max.$r" 0 1 2 3
	say "round $r: fixed alone $(($(cat "$tmp/alone-fixed.$r.1.bps") / 1000000)) Mbit/s, of 3: $(($(cat "$tmp/of3-fixed.$r.1.bps") / 1000000)) $(($(cat "$tmp/of3-fixed.$r.2.bps") / 1000000)) $(($(cat "$tmp/of3-fixed.$r.3.bps") / 1000000));" \
		"unlimited alone $(($(cat "$tmp/alone-max.$r.1.bps") / 1000000)), of 3: $(($(cat "$tmp/of3-max.$r.1.bps") / 1000000)) $(($(cat "$tmp/of3-max.$r.2.bps") / 1000000)) $(($(cat "$tmp/of3-max.$r.3.bps") / 1000000))"
done

# the instances did the work: each one's kernel fast path and TUN counters, after all the runs
for k in 1 2 3; do
	say "plat$k: $("$XLAT464" status --control "$tmp/lab/plat$k.sock" | awk '$1 == "bytes_6to4" { printf "%s 6to4 bytes (TUN) ", $2; exit }')$("$XLAT464" status --control "$tmp/lab/plat$k.sock" | awk '/^bpf_offload:/ { f = 1 } f && $1 == "bytes_6to4" { printf "%s 6to4 bytes (fast path)", $2; exit }')"
done

med() { # med FILEPATTERN: the median of the numbers in the files
	cat "$@" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
sum3() { # sum3 CASE: the median over rounds of the sum of the three instances
	local r
	for r in $(seq 1 "$ROUNDS"); do
		cat "$tmp/$1.$r.1.bps" "$tmp/$1.$r.2.bps" "$tmp/$1.$r.3.bps" | awk '{ s += $1 } END { printf "%.0f\n", s }'
	done | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}
say "# medians over $ROUNDS rounds (Mbit/s received by the server, per instance):"
for load in fixed max; do
	a=$(med "$tmp"/alone-$load.*.1.bps)
	b=$(med "$tmp"/of3-$load.*.1.bps)
	m=$(sum3 "of3-$load")
	awk -v l="$load" -v rate="$RATE" -v a="$a" -v b="$b" -v m="$m" 'BEGIN {
		printf "%-22s alone %6.0f   one of 3 %6.0f (ratio %.3f)   mean of the 3 %6.0f (ratio %.3f)   sum of the 3 %6.0f (/ alone %.3f)\n",
			(l == "fixed" ? "load " rate "/instance" : "unlimited load"), a / 1e6, b / 1e6, a ? b / a : 0,
			m / 3e6, a ? m / 3 / a : 0, m / 1e6, a ? m / a : 0 }'
done

downed=1
timeout 60 "$XLAT464" lab down >"$tmp/down.out" 2>&1 || say "lab down failed: $(tail -n 3 "$tmp/down.out")"
