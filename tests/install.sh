#!/bin/bash
# `make install` into a staging directory (DESTDIR): the binary, the CLAT's and the PLAT's systemd
# units pointing at it, example configs that the installed binary accepts (the PLAT's as
# plat.conf.example only), an existing config kept on a second install, and `make uninstall`. No
# root needed. Last line: "install: N passed, N failed".
set -u
cd "$(dirname "$0")/.."
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT
pass=0 fail=0
check() { # NAME COMMAND...
	local name=$1
	shift
	if "$@" >"$d/out" 2>&1; then echo "PASS $name"; pass=$((pass + 1)); else echo "FAIL $name"; sed 's/^/    /' "$d/out"; fail=$((fail + 1)); fi
}
unit=$d/opt/x464/lib/systemd/system/xlat464-clat.service
check make-install make -s install DESTDIR="$d" PREFIX=/opt/x464
check binary-installed test -x "$d/opt/x464/bin/xlat464"
check unit-installed grep -qx 'ExecStart=/opt/x464/bin/xlat464 clat --config /etc/xlat464/clat.conf --foreground' "$unit"
check unit-grants-net-and-bpf-capabilities grep -qx 'CapabilityBoundingSet=CAP_NET_ADMIN CAP_NET_RAW CAP_BPF CAP_PERFMON' "$unit"
check example-config-accepted "$d/opt/x464/bin/xlat464" clat --config "$d/etc/xlat464/clat.conf" --check
punit=$d/opt/x464/lib/systemd/system/xlat464-plat.service
check plat-unit-installed grep -qx 'ExecStart=/opt/x464/bin/xlat464 plat --config /etc/xlat464/plat.conf --foreground' "$punit"
check plat-unit-checks-its-config-first grep -qx 'ExecStartPre=/opt/x464/bin/xlat464 plat --config /etc/xlat464/plat.conf --check' "$punit"
check plat-unit-waits-for-a-config grep -qx 'ConditionPathExists=/etc/xlat464/plat.conf' "$punit"
check plat-example-accepted "$d/opt/x464/bin/xlat464" plat --config "$d/etc/xlat464/plat.conf.example" --check
check plat-not-configured-by-install test ! -e "$d/etc/xlat464/plat.conf"
echo "uplink wlan7" >"$d/etc/xlat464/clat.conf"
check second-install-keeps-config sh -c "make -s install DESTDIR='$d' PREFIX=/opt/x464 | grep -q keeping && grep -qx 'uplink wlan7' '$d/etc/xlat464/clat.conf'"
check make-uninstall sh -c "make -s uninstall DESTDIR='$d' PREFIX=/opt/x464 && test ! -e '$d/opt/x464/bin/xlat464' && test ! -e '$unit' && test ! -e '$punit'"
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
