#!/bin/bash
# End-to-end test of `xlat464 lab up --v6only` (scripts/lab.sh, docs/lab.md): the lab as an
# IPv6-only network, where the client with a CLAT (dhcpcd, option 108) reaches the IPv4-only server
# through its CLAT and the client without one (udhcpc, no option 108, no IPv4) through xlat464 dns64
# and the PLAT. Checked from the tour's output and from the daemons; `down` leaves nothing. Run as
# root: sudo tests/netns/lab_v6only.sh
#
# The lab runs under its own namespace prefix (x464lab-v<pid>-) and state directory, so a lab someone
# has up is never touched. Last line "N passed, N failed"; exit 1 when a check failed, 2 when the
# setup failed. Needs what tests/netns/lab.sh needs, and unbound and dig.
LAB_TAG=v
. "$(dirname "$0")/lab_lib.sh"
NSR=${P}router
NSC4=${P}client4
R6=2001:db8:1::1

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$XLAT464" ] || die "no binary at $XLAT464 (make, or set XLAT464=)"
for c in ip nft dhcpcd udhcpc socat curl traceroute ping setsid timeout unbound dig; do
	command -v "$c" >/dev/null || die "missing command: $c (scripts/install-deps.sh)"
done
tmp=$(mktemp -d /tmp/xlat464-lab-v6only.XXXXXX) || die mktemp

timeout 240 "$XLAT464" lab up --v6only >"$tmp/up.out" 2>&1
rc=$?
check "lab up --v6only: exit status 0 (got $rc)" test "$rc" = 0
[ "$rc" = 0 ] || sed 's/^/    /' "$tmp/up.out"
check "lab up --v6only: says the second client goes through dns64" grep -q "through xlat464 dns64" "$tmp/up.out"
no_ipv4_access() { ! ip -n "$NSR" -4 addr show dev br0 | grep -q inet && ! ip -n "$NSC4" -4 addr show | grep -v ' lo$' | grep -q 'inet .*global'; }
check "no IPv4 on the access side (router's br0, second client)" no_ipv4_access
check "dhcp4 runs in v6only mode" grep -q "in v6only mode" "$XLAT464_LAB_DIR/dhcp4.log"

timeout 180 "$XLAT464" lab tour >"$tmp/tour.out" 2>&1
rc=$?
check "lab tour: exit status 0 (got $rc)" test "$rc" = 0
check "tour: steps 1 to 7 with 5b" \
	test "$(sed -n 's/^== \([0-9]*[a-z]*\)\..*/\1/p' "$tmp/tour.out" | tr '\n' ' ')" = "1 2 3 4 5 5b 6 7 "
check "tour 1: dhcpcd got option 108" sec_has 1 "IPv6-Only Preferred received \(1800 seconds\)"
check "tour 1: the clients file: one with 108, one without" \
	sh -c "grep -qx '    00:00:5e:00:53:21 yes' '$tmp/tour.out' && grep -qx '    00:00:5e:00:53:22 no' '$tmp/tour.out'"
check "tour 4: the CLAT client pings 203.0.113.2" sec_has 4 "3 packets transmitted, 3 received, 0% packet loss"
clat_no_aaaa() { section 5b | awk '/dig .* AAAA server.example/ && /-client /{f=1; next} f && /^\$/{exit} f && /64:ff9b/{bad=1} END{exit bad}'; }
check "tour 5b: the CLAT client gets no synthesized AAAA" clat_no_aaaa
check "tour 5b: the CLAT client gets the A record" sec_has 5b "^    203\.0\.113\.2$"
check "tour 5b: the other client gets 64:ff9b::cb00:7102" sec_has 5b "^    64:ff9b::cb00:7102$"
check "tour 5b: and fetches the page through the PLAT" sec_has 5b "Hello from the IPv4-only server"
dns64_counts() {
	"$XLAT464" status --control "$XLAT464_LAB_DIR/dns64.sock" --json >"$tmp/dns64.json" || return 1
	/usr/bin/python3 - "$tmp/dns64.json" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
print(j["answers"], j["queries_by_client_kind"], j["clients"])
assert j["clients"] == {"clat": 1, "no-clat": 1}
assert j["answers"]["synthesized"] >= 2
assert j["queries_by_client_kind"]["clat"] >= 2 and j["queries_by_client_kind"]["no-clat"] >= 2
assert j["passed_by_reason"]["clat"] >= 2
PY
}
check "dns64 status: 1 CLAT and 1 other client, answers synthesized and passed" dns64_counts
plat_has_client2() { # the second client's own IPv6 address has PLAT sessions (it used NAT64 directly)
	local a
	a=$(ip -n "$NSC4" -6 addr show dev "${XLAT464_LAB_IFTAG}2" scope global | awk '/inet6/ {sub("/.*", "", $2); print $2; exit}')
	echo "second client $a"
	[ -n "$a" ] && "$XLAT464" status --control "$XLAT464_LAB_DIR/plat.sock" --sessions | grep -q "$a#"
}
check "the PLAT has sessions of the second client's own address" plat_has_client2

timeout 60 "$XLAT464" lab down >"$tmp/down.out" 2>&1
rc=$?
downed=1
check "lab down: exit status 0 (got $rc)" test "$rc" = 0
no_ns() { ! ip netns list | grep -q "^$P"; }
check "lab down: no ${P} namespace left" no_ns
check "lab down: state directory removed" test ! -e "$XLAT464_LAB_DIR"
say "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
