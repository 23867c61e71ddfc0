#!/bin/bash
# Runs every test of xlat464: builds with gcc and clang (warnings are errors), the unit and vector
# tests plain and under ASan+UBSan, the man pages, the namespace tests, the Debian package (built,
# installed, its lab run, purged), the peer conformance suites when ../shared is beside the
# repository, and a short fuzzing run. Installs missing Debian packages first (as root).
# The last line is "suites: N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-15}
JOBS=$(nproc 2>/dev/null || echo 2)
passed=0 failed=0 failures=()

stage() { # stage NAME COMMAND...
	local name=$1
	shift
	echo
	echo "=== $name"
	local t0=$SECONDS
	if "$@"; then
		echo "=== $name: PASS ($((SECONDS - t0)) s)"
		passed=$((passed + 1))
	else
		echo "=== $name: FAIL ($((SECONDS - t0)) s)"
		failed=$((failed + 1))
		failures+=("$name")
	fi
}

if [ "$(id -u)" -eq 0 ]; then
	scripts/install-deps.sh || { echo "install-deps failed"; exit 1; }
	# The CLAT keys its stable address on /etc/machine-id (and its test checks the stability); a bare
	# container may have none, so give it one as systemd would on first boot.
	if ! grep -qE '^[0-9a-f]{32}$' /etc/machine-id 2>/dev/null; then
		od -An -N16 -tx1 /dev/urandom | tr -d ' \n' >/etc/machine-id && echo >>/etc/machine-id
		echo "(created /etc/machine-id)"
	fi
else
	scripts/install-deps.sh || echo "(not root: continuing with what is installed)"
fi

stage "build (gcc)" make -j"$JOBS" all
stage "build (clang)" make -j"$JOBS" CC=clang O=build-clang all
stage "unit and vector tests (gcc)" make -j"$JOBS" unit
stage "unit and vector tests (clang)" make -j"$JOBS" CC=clang O=build-clang unit
stage "unit and vector tests (ASan+UBSan)" make -j"$JOBS" SAN=1 unit
stage "xlat464 translate (pcap in, pcap out)" tests/translate_pcap.sh
stage "make install (staging directory)" tests/install.sh
stage "docs/drop-reasons.md matches lib/xlat/xlat_drops.h" sh -c 'build/xlat464 siit --list-drop-reasons | diff -u docs/drop-reasons.md -'
stage "docs/siit-settings.md matches the SIIT settings table" sh -c 'build/xlat464 siit --list-settings | diff -u docs/siit-settings.md -'
stage "docs/plat-settings.md matches the PLAT settings table" sh -c 'build/xlat464 plat --list-settings | diff -u docs/plat-settings.md -'
stage "docs/clat-settings.md matches the CLAT settings table" sh -c 'build/xlat464 clat --list-settings | diff -u docs/clat-settings.md -'
stage "docs/ra-settings.md matches the ra settings table" sh -c 'build/xlat464 ra --list-settings | diff -u docs/ra-settings.md -'
stage "docs/dhcp4-settings.md matches the dhcp4 settings table" sh -c 'build/xlat464 dhcp4 --list-settings | diff -u docs/dhcp4-settings.md -'
stage "example configs parse: dist/*.conf*" sh -c 'build/xlat464 clat -c dist/clat.conf --print-config >/dev/null && build/xlat464 plat -c dist/plat.conf.example --print-config >/dev/null && build/xlat464 ra -c dist/ra.conf.example --interface eth1 --print-config >/dev/null && build/xlat464 dhcp4 -c dist/dhcp4.conf.example --interface lan0 --print-config >/dev/null'
stage "docs/dns64-settings.md matches the DNS64 settings table" sh -c 'build/xlat464 dns64 --list-settings | diff -u docs/dns64-settings.md -'
stage "docs/dns64.md's drop reasons match lib/dns64/dns64_synth.h" bash -c 'diff -u <(awk "/^\\| reason \\| meaning \\|\$/{on=1} on && /^\$/{exit} on" docs/dns64.md) <(build/xlat464 dns64 --list-drop-reasons)'
stage "man pages: generated parts current, no groff warning" make -s man-check

if [ "$(id -u)" -eq 0 ]; then
	for t in tests/netns/*.sh; do
		[ -x "$t" ] && stage "namespace test $(basename "$t")" "$t"
	done
	stage "Debian package: build, lintian, apt-get install, the lab from it, purge" tests/package.sh
	conf=$root/../shared/conformance
	if [ -x "$conf/run" ]; then
		stage "conformance android-clatd (10 of 10)" tests/conformance/check.sh android-clatd 10
		stage "conformance jool-siit (at least 120 of 124)" tests/conformance/check.sh jool-siit 120
	else
		echo "(../shared/conformance not found: peer conformance suites skipped)"
	fi
else
	echo "(not root: namespace tests and conformance suites skipped)"
fi

stage "fuzzing, ${FUZZ_SECONDS} s per target" fuzz/run.sh "$FUZZ_SECONDS"

echo
[ ${#failures[@]} -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
