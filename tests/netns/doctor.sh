#!/bin/bash
# shellcheck disable=SC2015 # ok and bad never fail: "A && ok ... || bad ..." is an if-then-else here
# `xlat464 doctor` and `xlat464 doctor --router` in the lab (scripts/lab.sh, docs/lab.md), run under
# its own names (namespaces x4-dr-<pid>-*, state /run/xlat464-lab-dr<pid>), with a DNS64 stand-in:
# dnsmasq in the router namespace on 2001:db8:1::1 answering ipv4only.arpa AAAA.
#
#   ns client: dhcpcd (option 108), xlat464 clat      ns router: ra, dhcp4, plat, dnsmasq       ns server
#   +-------------------------------+                +------------------------------------+    +--------------+
#   | xlat464 doctor --target       |== br0 ========| 2001:db8:1::1  PREF64 64:ff9b::/96 |====| 203.0.113.2  |
#   |   203.0.113.2 --dns           |                | plat pool6 64:ff9b::/96            |    +--------------+
#   |   2001:db8:1::1               |                | dnsmasq: ipv4only.arpa AAAA        |
#   +-------------------------------+                +------------------------------------+
#
# Checks, in order (the PLAT is stopped last):
#   1. the host's doctor passes: exit 0, no FAIL line, the checks it must make are there and PASS, the
#      DNS64's prefix agrees with the PREF64, also without --control-dir (the CLAT's socket found on its
#      command line); --json parses and carries the same verdicts; in the second
#      client (native IPv4, no CLAT) it passes too, with the PREF64 of the RAs answering its RS; with
#      TAYGA started by "clatd" (a script of that name) beside the CLAT it fails, naming both;
#   2. with the DNS64 answering another prefix (2001:db8:64::/96), it warns (prefix-agree WARN), still
#      exit 0;
#   3. the router's doctor passes; --json carries the same verdicts; with IPv6 forwarding off it fails
#      (exit 1, forwarding FAIL), and passes again once it is back on; with strict rp_filter it warns;
#      `xlat464 lab doctor` runs both, the server as the target, and passes;
#   4. with the PLAT stopped, the host's doctor fails (exit 1) and its FAIL line names the PLAT; the
#      router's doctor fails too (no PLAT answers, or its socket is gone).
# Needs root, what the lab needs (docs/lab.md), dnsmasq (dnsmasq-base), dig (bind9-dnsutils),
# tayga, /usr/bin/python3. About 20 s.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

XLAT464=$(readlink -f "$XLAT464")
export XLAT464_LAB_PREFIX=x4-dr-$$-
export XLAT464_LAB_DIR=/run/xlat464-lab-dr$$
export XLAT464_LAB_IFTAG=d$$c
export XLAT464_LAB_SCRIPT=$here/../../scripts/lab.sh
P=$XLAT464_LAB_PREFIX
NSC=${P}client
NSR=${P}router
STATE=$XLAT464_LAB_DIR
S4=203.0.113.2
DNS=2001:db8:1::1

cleanup_extra() {
	timeout 60 "$XLAT464" lab down >/dev/null 2>&1
	local ns p
	for ns in $(ip netns list | awk '{print $1}' | grep "^$P"); do
		for p in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$p" 2>/dev/null; done
		ip netns del "$ns" 2>/dev/null
	done
	rm -rf "$STATE"
}

preconditions ip nft dhcpcd udhcpc socat curl ping setsid timeout dnsmasq dig tayga pgrep
[ -x "$XLAT464" ] || die "no binary at $XLAT464 (make, or set XLAT464=)"
make_tmp xlat464-doctor

timeout 240 "$XLAT464" lab up >"$tmp/up.out" 2>&1 || { sed 's/^/    /' "$tmp/up.out"; die "lab up failed"; }

# dnsmasq answers ipv4only.arpa AAAA with 192.0.0.170 in PREFIX (RFC 7050 section 3), nothing else.
dns_pid=
dns64() { # PREFIX_ADDR: (re)start the stand-in DNS64 with the well-known address embedded in it
	if [ -n "$dns_pid" ]; then
		kill -TERM "$dns_pid" 2>/dev/null
		wait_until 5 pid_gone "$dns_pid" || kill -KILL "$dns_pid" 2>/dev/null
		wait "$dns_pid" 2>/dev/null
	fi
	ip netns exec "$NSR" dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv --no-hosts \
		--bind-interfaces --listen-address="$DNS" --port=53 --local-ttl=300 --user=root --pid-file= \
		--log-facility=- --address="/ipv4only.arpa/$1" >>"$tmp/dnsmasq.log" 2>&1 &
	dns_pid=$!
	pids+=("$dns_pid")
	wait_until 5 dns_answers "$1" || die "dnsmasq did not answer ipv4only.arpa"
}
dns_answers() { nsx "$NSC" dig +short +time=1 +tries=1 AAAA ipv4only.arpa @"$DNS" 2>/dev/null | grep -qx "$1"; }

host_doctor() { # OUT [ARGS]: the host's doctor in the client namespace ($ns_host); its exit status in OUT.rc
	local out=$1; shift
	timeout 60 ip netns exec "${ns_host:-$NSC}" "$XLAT464" doctor --control-dir "$STATE" --target "$S4" --dns "$DNS" \
		--timeout 1500 "$@" >"$out" 2>"$out.err"
	echo $? >"$out.rc"
}
router_doctor() { # OUT [ARGS]
	local out=$1; shift
	timeout 60 ip netns exec "$NSR" "$XLAT464" doctor --router --control-dir "$STATE" "$@" >"$out" 2>"$out.err"
	echo $? >"$out.rc"
}
rc_is() { echo "exit status $(cat "$1.rc") (want $2)"; [ "$(cat "$1.rc")" = "$2" ]; }
verdict() { # OUT CHECK: the verdict of the first line of CHECK in the text report
	awk -v c="$2" '$2 == c { print $1; exit }' "$1"
}
has_line() { # OUT VERDICT CHECK [PATTERN]
	grep -E "^$2 +$3 " "$1" | grep -qE -- "${4:-.}" || { cat "$1"; return 1; }
}
no_fail() { ! grep -q '^FAIL' "$1" || { cat "$1"; return 1; }; }
# The JSON report parses, and its checks and verdicts are those of the text report, in order.
same_verdicts() { # TEXT JSON
	awk '/^(PASS|WARN|FAIL) / { print $2, $1 }' "$1" >"$1.verdicts"
	"$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["failed"] == sum(c["verdict"] == "FAIL" for c in j["checks"])
assert all(c["evidence"] for c in j["checks"])
for c in j["checks"]:
    print(c["check"], c["verdict"])
' "$2" >"$2.verdicts" || return 1
	diff "$1.verdicts" "$2.verdicts" && [ -s "$1.verdicts" ]
}

# ---- 1. the host: everything works ----------------------------------------------------------------
dns64 64:ff9b::c000:aa
host_doctor "$tmp/host.txt"
check host-exit-0 rc_is "$tmp/host.txt" 0
check host-no-fail no_fail "$tmp/host.txt"
for c in ipv6-uplink native-ipv4 clat clat-dad mtu pref64 dns64 option108 end-to-end plat other-clats clat-drops; do
	check "host-$c-pass" has_line "$tmp/host.txt" PASS "$c"
done
check host-pref64-from-ra has_line "$tmp/host.txt" PASS pref64 '64:ff9b::/96 from ra-pref64, lifetime'
check host-option108-dhcpcd has_line "$tmp/host.txt" PASS option108 'IPv6-Only Preferred received'
check host-prefixes-agree has_line "$tmp/host.txt" PASS prefix-agree '64:ff9b::/96'
check host-e2e-target has_line "$tmp/host.txt" PASS end-to-end "$S4"
# without --control-dir: the sockets the daemons running here were given (--control on their command line)
timeout 60 ip netns exec "$NSC" "$XLAT464" doctor --target "$S4" --dns "$DNS" --timeout 1500 >"$tmp/auto.txt" 2>&1
echo $? >"$tmp/auto.txt.rc"
check host-finds-clat-socket-itself has_line "$tmp/auto.txt" PASS clat 'running on uplink'
check host-finds-clat-socket-exit-0 rc_is "$tmp/auto.txt" 0
host_doctor "$tmp/host.json" --json
check host-json-exit-0 rc_is "$tmp/host.json" 0
check host-json-same-verdicts same_verdicts "$tmp/host.txt" "$tmp/host.json"

# The second client (native IPv4 from the pool, no CLAT): the PREF64 from the RAs answering its RS.
ns_host=${P}client4 host_doctor "$tmp/client4.txt"
check client4-exit-0 rc_is "$tmp/client4.txt" 0
check client4-no-clat-native-ipv4 has_line "$tmp/client4.txt" PASS clat 'no CLAT running; native IPv4'
check client4-pref64-from-rs has_line "$tmp/client4.txt" PASS pref64 'an RA from fe80::[0-9a-f:]+ carries PREF64 64:ff9b::/96'
check client4-prefixes-agree has_line "$tmp/client4.txt" PASS prefix-agree "RA's 64:ff9b::/96"
check client4-e2e has_line "$tmp/client4.txt" PASS end-to-end "$S4"

# Another CLAT beside the CLAT: TAYGA started by a script named clatd (as clatd starts it), on a TUN
# of its own with no route, so it takes no traffic. The doctor names both, and fails.
clatd_tun=tdr$$
ip -n "$NSC" tuntap add "$clatd_tun" mode tun || die "tuntap $clatd_tun"
mkdir -p "$tmp/tayga"
printf 'tun-device %s\nipv4-addr 192.0.2.254\nprefix 2001:db8:64::/96\ndynamic-pool 192.0.2.240/28\ndata-dir %s\n' \
	"$clatd_tun" "$tmp/tayga" >"$tmp/tayga.conf"
# shellcheck disable=SC2016 # $1 is the script's own argument
printf '#!/bin/sh\ntayga -c "$1" --nodetach\n' >"$tmp/clatd"
ip netns exec "$NSC" timeout 60 sh "$tmp/clatd" "$tmp/tayga.conf" >"$tmp/clatd.log" 2>&1 &
clatd_pid=$!
pids+=("$clatd_pid")
tayga_here() { nsx "$NSC" pgrep -x tayga >/dev/null; }
wait_until 5 tayga_here || die "tayga did not start"
host_doctor "$tmp/tayga.txt"
kill -TERM "$clatd_pid"
check other-clat-fails has_line "$tmp/tayga.txt" FAIL other-clats 'TAYGA \(pid [0-9]+, started by clatd\); clatd \(pid [0-9]+\)'
check other-clat-exit-1 rc_is "$tmp/tayga.txt" 1
wait_until 5 pid_gone "$clatd_pid"
ip -n "$NSC" link del "$clatd_tun" 2>/dev/null

# ---- 2. PREF64 and DNS64 disagree --------------------------------------------------------------------
dns64 2001:db8:64::c000:aa
host_doctor "$tmp/disagree.txt"
check disagree-warns has_line "$tmp/disagree.txt" WARN prefix-agree '64:ff9b::/96 .*2001:db8:64::/96'
check disagree-exit-0 rc_is "$tmp/disagree.txt" 0
host_doctor "$tmp/disagree.json" --json
check disagree-json-same-verdicts same_verdicts "$tmp/disagree.txt" "$tmp/disagree.json"
kill -TERM "$dns_pid" 2>/dev/null

# ---- 3. the router ------------------------------------------------------------------------------------
router_doctor "$tmp/router.txt"
check router-exit-0 rc_is "$tmp/router.txt" 0
check router-no-fail no_fail "$tmp/router.txt"
for c in pref64-pool6 forwarding forwarding4 rp_filter pool4-route pool6-route option108; do
	check "router-$c-pass" has_line "$tmp/router.txt" PASS "$c"
done
each_daemon() { local d; for d in ra dhcp4 plat; do has_line "$tmp/router.txt" PASS daemon "^PASS +daemon +$d on " || return 1; done; }
check router-each-daemon-up each_daemon
router_doctor "$tmp/router.json" --json
check router-json-same-verdicts same_verdicts "$tmp/router.txt" "$tmp/router.json"
nsx "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=0
router_doctor "$tmp/nofwd.txt"
nsx "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1
check router-no-forwarding-exit-1 rc_is "$tmp/nofwd.txt" 1
check router-no-forwarding-fails has_line "$tmp/nofwd.txt" FAIL forwarding 'net.ipv6.conf.all.forwarding is 0'
router_doctor "$tmp/router2.txt"
check router-forwarding-back-exit-0 rc_is "$tmp/router2.txt" 0
# the kernel takes the larger of conf/all and conf/LINK: both must be 1 for the TUN to be strict
rp_all=$(nsx "$NSR" sysctl -n net.ipv4.conf.all.rp_filter)
rp_tun=$(nsx "$NSR" sysctl -n net.ipv4.conf.nat64.rp_filter)
nsx "$NSR" sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.nat64.rp_filter=1
router_doctor "$tmp/strict.txt"
nsx "$NSR" sysctl -qw net.ipv4.conf.all.rp_filter="$rp_all" net.ipv4.conf.nat64.rp_filter="$rp_tun"
check router-strict-rp_filter-warns has_line "$tmp/strict.txt" WARN rp_filter 'nat64 1.*strict'
check router-strict-rp_filter-exit-0 rc_is "$tmp/strict.txt" 0

# `xlat464 lab doctor`: both doctors with the lab's arguments (the server as the target)
timeout 60 "$XLAT464" lab doctor >"$tmp/labdoctor.txt" 2>&1
echo $? >"$tmp/labdoctor.txt.rc"
check lab-doctor-exit-0 rc_is "$tmp/labdoctor.txt" 0
lab_doctor_both() {
	grep -q "^== the client ($NSC)" "$tmp/labdoctor.txt" && grep -q "^== the router ($NSR)" "$tmp/labdoctor.txt" &&
		grep -qE "^PASS +end-to-end +ICMP echo to $S4 answered" "$tmp/labdoctor.txt" &&
		grep -q '^doctor --router: [0-9]* passed, [0-9]* warned, 0 failed' "$tmp/labdoctor.txt" || { cat "$tmp/labdoctor.txt"; return 1; }
}
check lab-doctor-both-doctors lab_doctor_both

# ---- 4. the PLAT stopped ------------------------------------------------------------------------------
plat_pid=$(awk '$1 == "plat" { print $2 }' "$STATE/pids")
[ -n "$plat_pid" ] || die "no plat in $STATE/pids"
kill -TERM "$plat_pid"
wait_until 10 pid_gone "$plat_pid" || die "the PLAT (pid $plat_pid) did not stop"
host_doctor "$tmp/noplat.txt"
check noplat-exit-1 rc_is "$tmp/noplat.txt" 1
check noplat-e2e-fails has_line "$tmp/noplat.txt" FAIL end-to-end "$S4"
check noplat-names-the-plat has_line "$tmp/noplat.txt" FAIL plat 'PLAT for 64:ff9b::/96'
check noplat-clat-still-passes has_line "$tmp/noplat.txt" PASS clat running
host_doctor "$tmp/noplat.json" --json
check noplat-json-same-verdicts same_verdicts "$tmp/noplat.txt" "$tmp/noplat.json"
router_doctor "$tmp/router-noplat.txt"
check router-noplat-exit-1 rc_is "$tmp/router-noplat.txt" 1
check router-noplat-pref64-unrouted has_line "$tmp/router-noplat.txt" FAIL pref64-route "64:ff9b::/96 is announced"

finish
