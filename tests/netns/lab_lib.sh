# shellcheck shell=bash
# What the tests of `xlat464 lab` share (lab.sh, lab_v6only.sh): sourced, never run (mode 0644, so
# scripts/test.sh does not take it for a test). Set LAB_TAG (a letter) before sourcing: the lab then
# runs under its own namespace prefix (x464lab-TAG<pid>-) and state directory, so a lab someone has up
# is never touched. Gives say, die, check NAME COMMAND..., section N and sec_has N REGEX (the tour's
# output in $tmp/tour.out), and an EXIT trap that takes the lab down unless the test set downed=1.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
XLAT464=${XLAT464:-$here/../../build/xlat464}
XLAT464=$(readlink -f "$XLAT464")
KEEP=${KEEP:-0}

export XLAT464_LAB_PREFIX=x464lab-$LAB_TAG$$-
export XLAT464_LAB_DIR=/run/xlat464-lab-$LAB_TAG$$
export XLAT464_LAB_IFTAG=$LAB_TAG$$c
export XLAT464_LAB_SCRIPT=$here/../../scripts/lab.sh
P=$XLAT464_LAB_PREFIX

pass=0
fail=0
tmp=
downed=0

say() { printf '%s\n' "$*"; }
die() {
	say "setup failed: $*" >&2
	say "$pass passed, $((fail + 1)) failed"
	exit 2
}

cleanup() {
	if [ "$downed" = 0 ]; then
		# The lab's own teardown; then whatever it left (only our prefix, only processes in our namespaces).
		timeout 60 "$XLAT464" lab down >/dev/null 2>&1
		local ns p
		for ns in $(ip netns list | awk '{print $1}' | grep "^$P"); do
			for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
			ip netns del "$ns" 2>/dev/null
		done
		rm -rf "$XLAT464_LAB_DIR"
	fi
	if [ -n "$tmp" ] && [ -d "$tmp" ]; then
		if [ "$fail" -eq 0 ] && [ "$KEEP" != 1 ]; then rm -rf "$tmp"; else say "output kept in $tmp"; fi
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

check() { # check NAME COMMAND...
	local name=$1
	shift
	if "$@" >>"$tmp/checks.log" 2>&1; then
		say "PASS $name"
		pass=$((pass + 1))
	else
		say "FAIL $name"
		fail=$((fail + 1))
	fi
}

# section N: the tour's output from "== N." (or "== 5b.") up to the next "== " header
section() { awk -v n="$1" '/^== [0-9]+[a-z]?\./ { on = ($2 == n ".") } on' "$tmp/tour.out"; }
sec_has() { section "$1" | grep -qE -- "$2"; }
