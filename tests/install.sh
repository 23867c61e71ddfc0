#!/bin/bash
# `make install` into a staging directory (DESTDIR): the binary, the systemd units (clat, plat, and the
# ra@ and dhcp4@ templates) pointing at it, example configs that the installed binary accepts (the
# PLAT's as plat.conf.example only; ra's and dhcp4's flags as the templates pass them), the lab's
# script where `xlat464 lab` finds it, the NetworkManager dispatcher hook, the man pages, an
# existing config kept on a second install, and `make uninstall`. No root needed. Last line:
# "install: N passed, N failed".
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
for t in ra dhcp4; do
	tunit=$d/opt/x464/lib/systemd/system/xlat464-$t@.service
	check "$t-template-installed" grep -q "^ExecStart=/opt/x464/bin/xlat464 $t --interface %i \\$" "$tunit"
	check "$t-template-reads-its-env-file" grep -qx "EnvironmentFile=/etc/xlat464/$t-%i.env" "$tunit"
	# The example's flags, as the template's ExecStartPre passes them (lo stands for %i).
	check "$t-example-accepted" sh -c ". '$d/etc/xlat464/$t.env.example' && \
		'$d/opt/x464/bin/xlat464' $t --interface lo \$XLAT464_$(echo $t | tr a-z A-Z)_ARGS --check"
done
# Only what each needs at start (a bounding set of exactly these was seen to suffice, and less not to).
check ra-template-capabilities grep -qx 'CapabilityBoundingSet=CAP_NET_RAW' "$d/opt/x464/lib/systemd/system/xlat464-ra@.service"
check dhcp4-template-capabilities grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$d/opt/x464/lib/systemd/system/xlat464-dhcp4@.service"
check dns64-unit-capabilities grep -qx 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE' "$d/opt/x464/lib/systemd/system/xlat464-dns64.service"
check dns64-unit-binary grep -q "^ExecStart=/opt/x464/bin/xlat464 dns64 --config /etc/xlat464/dns64.conf" \
	"$d/opt/x464/lib/systemd/system/xlat464-dns64.service"
check dns64-example-accepted "$d/opt/x464/bin/xlat464" dns64 --config "$d/etc/xlat464/dns64.conf.example" --check
check units-type-notify sh -c "grep -l '^Type=notify$' '$d'/opt/x464/lib/systemd/system/*.service | wc -l | grep -qx 5"
# `xlat464 lab` looks for DIR/../share/xlat464/lab.sh beside DIR/xlat464.
check lab-script-installed test -x "$d/opt/x464/share/xlat464/lab.sh"
check lab-script-beside-binary test "$(readlink -f "$d/opt/x464/bin/../share/xlat464/lab.sh")" = "$d/opt/x464/share/xlat464/lab.sh"
# NetworkManager's dispatcher runs only root's executables that others cannot write (docs/coexistence.md).
hook=$d/opt/x464/lib/NetworkManager/dispatcher.d/90-xlat464-clat
check nm-dispatcher-hook-installed-0755 sh -c "test \"\$(stat -c %a '$hook')\" = 755 && sh -n '$hook'"
man8=$(cd man && ls ./*.8 | wc -l)
check man-pages-installed sh -c "test \$(ls '$d'/opt/x464/share/man/man8/*.8 | wc -l) -eq $man8 && test -e '$d/opt/x464/share/man/man8/xlat464.8' && test -e '$d/opt/x464/share/man/man5/xlat464.conf.5'"
check man-page-renders sh -c "MANWIDTH=80 man -l '$d/opt/x464/share/man/man8/xlat464-plat.8' | grep -q -- '--pool4'"
echo "uplink wlan7" >"$d/etc/xlat464/clat.conf"
check second-install-keeps-config sh -c "make -s install DESTDIR='$d' PREFIX=/opt/x464 | grep -q keeping && grep -qx 'uplink wlan7' '$d/etc/xlat464/clat.conf'"
check make-uninstall sh -c "make -s uninstall DESTDIR='$d' PREFIX=/opt/x464 && test ! -e '$d/opt/x464/bin/xlat464' && test ! -e '$unit' && test ! -e '$punit'"
check uninstall-removes-templates-lab-and-man sh -c "! ls '$d'/opt/x464/lib/systemd/system/*.service '$d'/opt/x464/share/man/man*/*.[58] '$d/opt/x464/share/xlat464' 2>/dev/null"
check uninstall-removes-the-hook test ! -e "$hook"
echo "install: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
