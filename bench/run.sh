#!/bin/sh
# Per-packet cost of the translation core: ns/packet (median of 11 runs, clock_gettime) and
# instructions/packet (callgrind, (Ir(K2) - Ir(K1)) / (K2 - K1) so start-up cost cancels), for the
# translator and for a plain memcpy of the same bytes (the floor). instr/pkt counts everything the
# benchmark loop runs per packet; own/pkt takes away the loop's own cost (the same loop calling, with
# the same arguments, a function that does nothing, measured in the same run): the translator's
# instructions, which the issue's target is about.
#   bench/run.sh            all cases;  NO_CALLGRIND=1 bench/run.sh  skips the instruction counts
#   O=build-x bench/run.sh  uses (and builds) build-x/ instead of build/
# What is counted per packet: one call of xlat_4to6 or xlat_6to4 (what the CLAT calls; the siit
# daemon adds xlat_translate's version dispatch, a handful of instructions), everything it runs,
# and (in instr/pkt, not own/pkt) percore's loop around it. The packets are all translated, never
# dropped (percore checks). Needs: a C compiler, make, valgrind (for the instruction counts).
# The issue's target: at most 150 instructions per TCP data packet in either direction (own/pkt); figures,
# before and after the fast path, in docs/performance.md. tests/unit/test_fastpath.c (run by
# `make unit`) holds the fast path to the general path's exact output.
set -eu
cd "$(dirname "$0")/.."
BUILD=${O:-build}
make -s -C bench O="$BUILD" >/dev/null
B=$BUILD/bench/percore
K1=${K1:-1000}
K2=${K2:-11000}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# instr CASE DIR [--memcpy]: instructions per packet
instr() {
	for k in $K1 $K2; do
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$k" "$B" --count "$k" --case "$1" --dir "$2" ${3:-} \
			>/dev/null 2>"$tmp/vg.log" || { cat "$tmp/vg.log" >&2; exit 1; }
	done
	i1=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$tmp/cg.$K1" | head -n 1 | cut -d' ' -f1)
	i2=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$tmp/cg.$K2" | head -n 1 | cut -d' ' -f1)
	awk -v a="$i1" -v b="$i2" -v k1="$K1" -v k2="$K2" 'BEGIN { printf "%.1f", (b - a) / (k2 - k1) }'
}

"$B" >"$tmp/ns"
printf '%-11s %-5s %6s %6s | %8s %9s %7s | %8s %9s | %7s %8s\n' case dir in_B out_B ns/pkt instr/pkt own/pkt \
	memcpy_ns memcpy_in x_ns x_instr
grep -v '^#' "$tmp/ns" | while read -r c d inb outb xn mn; do
	if [ -n "${NO_CALLGRIND:-}" ] || ! command -v valgrind >/dev/null; then
		xi=nan mi=nan hi=nan
	else
		xi=$(instr "$c" "$d")
		mi=$(instr "$c" "$d" --memcpy)
		hi=$(instr "$c" "$d" --harness)
	fi
	awk -v c="$c" -v d="$d" -v ib="$inb" -v ob="$outb" -v xn="$xn" -v xi="$xi" -v mn="$mn" -v mi="$mi" -v hi="$hi" 'BEGIN {
		rn = mn > 0 ? xn / mn : 0; ri = (mi + 0 > 0) ? xi / mi : 0
		own = (hi + 0 > 0) ? sprintf("%.1f", xi - hi) : "nan"
		printf "%-11s %-5s %6d %6d | %8.1f %9s %7s | %8.1f %9s | %7.1f %8.1f\n", c, d, ib, ob, xn, xi, own, mn, mi, rn, ri }'
done
echo "(own/pkt: instr/pkt less the benchmark loop's own, measured for each row with percore --harness; x_ns, x_instr: translator / memcpy floor; K1=$K1 K2=$K2 packets under callgrind)"
