#!/bin/bash
# The stateful NAT64's table in memory, one core (bench/nat64.c; no I/O, no root): new sessions per
# second, ns per packet of established flows, expiry, memory per session, and instructions per packet
# under callgrind, each beside the stateless SIIT translation of the same packet in the same run.
#   bench/nat64.sh            FLOWS (default 1048576) flows for the timed figures
#   NO_CALLGRIND=1 bench/nat64.sh   skips the instruction counts;  O=build-x uses build-x/
# Issue 4's targets: at least 100,000 new sessions per second per core, at most 512 bytes per session.
set -eu
cd "$(dirname "$0")/.."
BUILD=${O:-build}
make -s -C bench O="$BUILD" >/dev/null
B=$BUILD/bench/nat64
FLOWS=${FLOWS:-1048576}
K1=${K1:-2000}
K2=${K2:-22000}
M=${M:-32768}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$B" --flows "$FLOWS" >"$tmp/t"
v() { awk -v k="$1" '$1 == k { print $2 }' "$tmp/t"; }

# instr PHASE: instructions per packet, (Ir(K2) - Ir(K1)) / (K2 - K1), M packets built in both runs
instr() {
	for k in $K1 $K2; do
		valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$k" "$B" --count "$k" --of "$M" --phase "$1" \
			>/dev/null 2>"$tmp/vg.log" || { cat "$tmp/vg.log" >&2; exit 1; }
	done
	i1=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$tmp/cg.$K1" | head -n 1 | cut -d' ' -f1)
	i2=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$tmp/cg.$K2" | head -n 1 | cut -d' ' -f1)
	awk -v a="$i1" -v b="$i2" -v k1="$K1" -v k2="$K2" 'BEGIN { printf "%.0f", (b - a) / (k2 - k1) }'
}
if [ -n "${NO_CALLGRIND:-}" ] || ! command -v valgrind >/dev/null; then
	in_new=nan in_est=nan in_hot=nan in_siit=nan
else
	in_new=$(instr new) in_est=$(instr est6) in_hot=$(instr hot6) in_siit=$(instr siit6)
fi

echo "# lib/nat64 + lib/xlat, one core, in memory ($(nproc) CPUs, $(uname -r)); $FLOWS UDP flows, capacity $(v capacity)"
printf '%-44s %12s %12s %10s\n' figure ns/pkt instr/pkt "x SIIT ns"
row() { awk -v n="$1" -v ns="$2" -v i="$3" -v b="$(v siit6_ns)" 'BEGIN { printf "%-44s %12.1f %12s %10.2f\n", n, ns, i, (b > 0 ? ns / b : 0) }'; }
row "new flow (binding + session made), 6to4" "$(v new_session_ns)" "$in_new"
row "established, $FLOWS flows round robin, 6to4" "$(v est6_ns)" "$in_est"
row "established, $FLOWS flows round robin, 4to6" "$(v est4_ns)" nan
row "established, one flow (cache-hot), 6to4" "$(v hot6_ns)" "$in_hot"
row "baseline: stateless SIIT, same packet, 6to4" "$(v siit6_ns)" "$in_siit"
row "expiry, per session removed" "$(v expire_ns)" nan
awk -v s="$(v new_sessions_per_second)" 'BEGIN { printf "new sessions per second, one core: %.0f (target at least 100000: %s)\n", s, (s >= 100000 ? "met" : "NOT met") }'
awk -v m="$(v memory)" -v c="$(v capacity)" -v p="$(v bytes_per_session)" 'BEGIN {
	printf "memory: %d bytes for %d sessions, %.1f bytes per session of capacity (lib/nat64: %d bytes per session with its binding; target at most 512: %s)\n", m, c, m / c, p, (m / c <= 512 ? "met" : "NOT met") }'
echo "(instr/pkt: callgrind, K1=$K1 K2=$K2 of $M built; x SIIT ns: this row's ns / the stateless row's ns)"
