#!/bin/bash
# check.sh SUITE MIN: runs a peer conformance suite from ../shared against `xlat464 siit` through
# tests/conformance/adapter and fails unless at least MIN cases pass. Prints the harness's report.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
suite=$1 min=$2
run=$here/../../../shared/conformance/run
out=$(mktemp)
trap 'rm -f "$out"' EXIT
"$run" "$suite" "$here/adapter" | tee "$out"
last=$(tail -n 1 "$out")
n=$(sed -n 's/^\([0-9]*\) passed, \([0-9]*\) failed$/\1/p' <<<"$last")
[ -n "$n" ] || { echo "check: no summary line from the harness"; exit 1; }
echo "check: $suite $n passed (need $min)"
[ "$n" -ge "$min" ]
