#!/bin/sh
# Builds the libFuzzer targets (make fuzz: clang, ASan+UBSan) and runs each for SECONDS seconds
# from its seed corpus. Exits non-zero on any finding (crash, sanitizer report, checker violation,
# timeout, out-of-memory) and prints the input that caused it in hex.
#   fuzz/run.sh SECONDS [TARGET...]      e.g. fuzz/run.sh 30   or   fuzz/run.sh 600 fuzz_4to6
# New corpus entries go to build-fuzz/corpus/<target>/ (the seeds in fuzz/corpus/ stay untouched);
# artifacts to build-fuzz/artifacts/<target>/. Needs clang and its libFuzzer runtime
# (Debian: clang, libclang-rt-14-dev), and python3-scapy only to regenerate the seeds.
# CHK_IGNORE='substring|...' in the environment skips checker violations whose message contains one
# of the substrings (fuzz/check_packet.h), to keep fuzzing past a known, reported bug.
set -eu
secs=${1:?usage: fuzz/run.sh SECONDS [TARGET...]}
shift
cd "$(dirname "$0")/.."
make -s fuzz
[ -d fuzz/corpus ] || fuzz/make_corpus.py
if [ $# -eq 0 ]; then
	set -- $(for f in fuzz/fuzz_*.c; do basename "$f" .c; done)
fi
fail=0
for t in "$@"; do
	work=build-fuzz/corpus/$t
	art=build-fuzz/artifacts/$t/
	mkdir -p "$work" "$art" "fuzz/corpus/$t"
	log=build-fuzz/$t.log
	echo "== $t: ${secs}s"
	rc=0
	"build-fuzz/$t" -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$art" "$work" "fuzz/corpus/$t" >"$log" 2>&1 || rc=$?
	grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb|$t: )" "$log" || true
	if [ "$rc" -ne 0 ]; then
		fail=1
		echo "!! $t: exit $rc; log $log"
		grep -E 'VIOLATION|ERROR: |SUMMARY|runtime error' "$log" | head -n 5
		for a in "$art"*; do
			[ -f "$a" ] || continue
			echo "   input $a:"
			od -An -tx1 -v "$a" | tr -d '\n' | tr -s ' ' | fold -w 96
			echo
		done
	fi
done
exit $fail
