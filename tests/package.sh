#!/bin/bash
# The Debian package end to end, as root on Debian 12: `dpkg-buildpackage -us -uc -b` in a clean copy
# of the source (the files git knows, no build output), lintian without errors, `apt-get install
# ./xlat464_*.deb`, the installed files (binary, man pages, units, conffiles), then the lab run from
# the installed files alone: `xlat464 lab up`, `tour`, `down`, with the daemons checked to be
# /usr/bin/xlat464 and the script /usr/share/xlat464/lab.sh. Last, `apt-get purge`, so that nothing
# of the package stays for the rest of the run.
#
# The lab runs under its own namespace prefix (x464pkg<pid>-) and state directory, so a lab someone
# has up is never touched. A machine where a package xlat464 is already installed is refused: this
# test would remove it.
#
# Every check prints PASS or FAIL; the last line is "package: N passed, N failed".
set -u
export LC_ALL=C DEBIAN_FRONTEND=noninteractive
src=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0
tmp= installed=0 labup=0

say() { printf '%s\n' "$*"; }
check() { # NAME COMMAND...
	local name=$1
	shift
	if "$@" >"$tmp/out" 2>&1; then
		say "PASS $name"
		pass=$((pass + 1))
	else
		say "FAIL $name"
		sed 's/^/    /' "$tmp/out" | tail -n 30
		fail=$((fail + 1))
	fi
}
finish() {
	[ "$labup" = 1 ] && timeout 60 xlat464 lab down >/dev/null 2>&1
	[ "$installed" = 1 ] && apt-get purge -y -qq xlat464 >/dev/null 2>&1
	[ -n "$tmp" ] && rm -rf "$tmp"
}
trap finish EXIT

[ "$(id -u)" = 0 ] || { say "package: needs root (apt-get install, the lab's namespaces)"; exit 2; }
if dpkg-query -W -f='${Status}' xlat464 2>/dev/null | grep -q 'install ok installed'; then
	say "package: a package xlat464 is installed on this machine; this test would purge it. Not run."
	exit 2
fi
for c in dpkg-buildpackage dh lintian; do
	command -v "$c" >/dev/null || { say "package: missing $c (scripts/install-deps.sh installs it)"; exit 2; }
done
tmp=$(mktemp -d /tmp/xlat464-package.XXXXXX)

# ---- build --------------------------------------------------------------------------------------
mkdir "$tmp/xlat464"
if git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
	# tracked and untracked files, without what .gitignore names (build trees, fuzz output)
	(cd "$src" && git ls-files -z -c -o --exclude-standard | tar --null -T - -cf -) | tar -xf - -C "$tmp/xlat464"
else
	tar -C "$src" --exclude='./build*' --exclude=./debian/xlat464 -cf - . | tar -xf - -C "$tmp/xlat464"
fi
build() { (cd "$tmp/xlat464" && dpkg-buildpackage -us -uc -b >"$tmp/build.log" 2>&1) || { tail -n 40 "$tmp/build.log"; return 1; }; }
check "dpkg-buildpackage -us -uc -b in a clean copy" build
deb=$(ls "$tmp"/xlat464_*.deb 2>/dev/null | head -n 1)
check "xlat464_*.deb built" test -n "$deb"
[ -n "$deb" ] || { say "package: $pass passed, $fail failed"; exit 1; }
say "# $(basename "$deb"): $(stat -c %s "$deb") bytes"
# Errors fail; warnings, informational and pedantic tags are printed.
check "lintian: no error" lintian --fail-on error -I --pedantic "$deb"
sed 's/^/    /' "$tmp/out"

# ---- install ------------------------------------------------------------------------------------
installed=1
check "apt-get install ./$(basename "$deb")" sh -c "cd '$tmp' && apt-get install -y -qq './$(basename "$deb")'"
check "xlat464 is /usr/bin/xlat464" test "$(command -v xlat464)" = /usr/bin/xlat464
check "xlat464 --help" sh -c 'xlat464 --help | grep -q "^  clat "'
check "man -w xlat464" sh -c 'test "$(man -w xlat464)" = /usr/share/man/man8/xlat464.8.gz'
check "man -w: every subcommand's page and xlat464.conf(5)" sh -c \
	'for p in clat plat siit ra dhcp4 dns64 translate status metrics doctor report lab; do man -w xlat464-$p >/dev/null || exit 1; done; man -w 5 xlat464.conf'
check "man xlat464-plat renders its settings" sh -c 'MANWIDTH=80 man xlat464-plat 2>&1 | grep -q -- "--pool4 PREFIX"'
units() {
	local u
	for u in xlat464-clat xlat464-plat xlat464-dns64 xlat464-ra@ xlat464-dhcp4@; do
		grep -q '^ExecStart=/usr/bin/xlat464 ' "/lib/systemd/system/$u.service" || { say "$u: no ExecStart=/usr/bin/xlat464"; return 1; }
	done
}
check "units in /lib/systemd/system run /usr/bin/xlat464" units
check "units pass systemd-analyze verify" sh -c 'cd /lib/systemd/system && ! command -v systemd-analyze >/dev/null ||
	systemd-analyze verify xlat464-clat.service xlat464-plat.service xlat464-dns64.service xlat464-ra@eth0.service xlat464-dhcp4@eth0.service'
check "conffiles: clat.conf and the examples in /etc/xlat464" sh -c \
	'dpkg-query -W -f="\${Conffiles}\n" xlat464 | grep -q "/etc/xlat464/clat.conf " &&
	 dpkg-query -W -f="\${Conffiles}\n" xlat464 | grep -q "/etc/xlat464/plat.conf.example "'
check "installed clat.conf passes --check" xlat464 clat --config /etc/xlat464/clat.conf --check
check "lab script at /usr/share/xlat464/lab.sh" test -x /usr/share/xlat464/lab.sh
check "NetworkManager dispatcher hook, root's, mode 0755" sh -c \
	'test "$(stat -c "%U %a" /usr/lib/NetworkManager/dispatcher.d/90-xlat464-clat)" = "root 755"'
check "docs report.md, coexistence.md and the networkd example" sh -c \
	'ls /usr/share/doc/xlat464/report.md* /usr/share/doc/xlat464/coexistence.md* \
	    /usr/share/doc/xlat464/examples/10-xlat464-clat.network'

# ---- the lab from the installed files -----------------------------------------------------------
unset XLAT464 XLAT464_LAB_SCRIPT
export XLAT464_LAB_PREFIX=x464pkg$$- XLAT464_LAB_DIR=/run/xlat464-pkg$$ XLAT464_LAB_IFTAG=k$$c
labup=1
check "xlat464 lab up" timeout 240 xlat464 lab up
daemons_installed() { # every xlat464 daemon the lab started runs /usr/bin/xlat464
	local name pid ns n=0
	while read -r name pid ns; do
		case $name in clat | plat | ra | dhcp4) ;; *) continue ;; esac
		[ "$(readlink "/proc/$pid/exe")" = /usr/bin/xlat464 ] || { say "$name ($pid): $(readlink "/proc/$pid/exe")"; return 1; }
		n=$((n + 1))
	done <"$XLAT464_LAB_DIR/pids"
	[ "$n" = 4 ] || { say "$n of 4 daemons found"; return 1; }
}
check "lab: clat, plat, ra and dhcp4 are /usr/bin/xlat464" daemons_installed
tour() { timeout 180 xlat464 lab tour >"$tmp/tour.out" 2>&1 || { tail -n 30 "$tmp/tour.out"; return 1; }; }
check "xlat464 lab tour" tour
check "tour: the IPv4-only server's page reached the IPv6-only client" grep -q "Hello from the IPv4-only server" "$tmp/tour.out"
pkg_report() { # the installed binary's report in the lab's client namespace: written, the CLAT's status in it
	(cd "$tmp" && timeout 120 ip netns exec "${XLAT464_LAB_PREFIX}client" xlat464 report --redact -o pkg-report.tar.gz \
		--control-dir "$XLAT464_LAB_DIR") && tar -tzf "$tmp/pkg-report.tar.gz" | grep -q '/status/clat\.json$'
}
check "xlat464 report in the lab (installed binary, libarchive)" pkg_report
check "xlat464 lab down" timeout 60 xlat464 lab down
labup=0
check "lab down: no namespace and no state left" sh -c "! ip netns list | grep -q '^$XLAT464_LAB_PREFIX' && test ! -e '$XLAT464_LAB_DIR'"

# ---- purge --------------------------------------------------------------------------------------
check "apt-get purge xlat464" apt-get purge -y -qq xlat464
installed=0
check "purged: no binary, unit, man page, lab script or /etc/xlat464 left" sh -c \
	'test ! -e /usr/bin/xlat464 && test ! -e /lib/systemd/system/xlat464-clat.service &&
	 test ! -e /usr/share/man/man8/xlat464.8.gz && test ! -e /usr/share/xlat464 && test ! -e /etc/xlat464 &&
	 test ! -e /usr/lib/NetworkManager/dispatcher.d/90-xlat464-clat'
say "package: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
