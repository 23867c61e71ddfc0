#!/bin/bash
# The CLAT beside another CLAT on its uplink (docs/coexistence.md), in the lab (scripts/lab.sh, under
# its own names as tests/netns/lab.sh does). NetworkManager cannot run here, so its CLAT is stood in
# for by what it puts in the kernel: its address as a /32 from 192.0.0.0/29 on the uplink
# (192.0.0.5) and an IPv4 default route via the IPv6 router on the uplink (`default via inet6
# fe80::... dev UPLINK src 192.0.0.5 metric 600`). Checked:
#
#   - the xlat464 CLAT stands by (`standby (native IPv4 default route on UPLINK)`) and removes its
#     TUN, its address and its route; when the other CLAT's route and address go, it runs again and
#     ping through it works;
#   - the dispatcher hook (dist/networkmanager/90-xlat464-clat), run in the client's namespace with
#     the real `ip` and a stub systemctl, stops the unit while the /32 is there and starts it when
#     only the xlat464 CLAT's own 192.0.0.1/29 is.
set -u
. "$(dirname "$0")/lib.sh"

XLAT464=$(readlink -f "$XLAT464")
HOOK=$(readlink -f "$here/../../dist/networkmanager/90-xlat464-clat")
export XLAT464_LAB_PREFIX=x464lab-n$$-
export XLAT464_LAB_DIR=/run/xlat464-lab-n$$
export XLAT464_LAB_IFTAG=n$$c
export XLAT464_LAB_SCRIPT=$here/../../scripts/lab.sh
P=$XLAT464_LAB_PREFIX
STATE=$XLAT464_LAB_DIR
NSC=${P}client
UP=${XLAT464_LAB_IFTAG}1
ALL_NS="${P}router ${P}server ${P}client ${P}client4"
S4=203.0.113.2

cleanup_extra() {
	timeout 60 "$XLAT464" lab down >/dev/null 2>&1
	rm -rf "$STATE"
}

preconditions ip dhcpcd udhcpc socat curl setsid timeout ping
[ -x "$XLAT464" ] || die "no binary at $XLAT464 (make, or set XLAT464=)"
make_tmp xlat464-coexist
timeout 240 "$XLAT464" lab up >"$tmp/up.out" 2>&1 || { sed 's/^/    /' "$tmp/up.out"; die "lab up failed"; }

state_is() { "$XLAT464" status --control "$STATE/clat.sock" 2>&1 | grep -E '^ *state ' | tee -a "$tmp/states" | grep -q "state $1"; }
wait_until 30 state_is running || die "the lab's CLAT is not running after 30 s"

# The hook with the real ip in the client's namespace and a stub systemctl (enabled; active as asked).
mkdir -p "$tmp/bin"
cat >"$tmp/bin/systemctl" <<'EOF'
#!/bin/sh
echo "systemctl $*" >>"$STUB_DIR/calls"
case $1 in
is-enabled) exit 0 ;;
is-active) [ "$STUB_ACTIVE" = yes ] ;;
*) exit 0 ;;
esac
EOF
chmod 755 "$tmp/bin/systemctl"
IP=$(command -v ip)
ln -s "$IP" "$tmp/bin/ip"
hook_does() { # ACTIVE WANT: the hook's state-changing systemctl calls on `up UPLINK`
	: >"$tmp/calls"
	ip netns exec "$NSC" env -i PATH="$tmp/bin:/usr/bin:/bin" STUB_DIR="$tmp" STUB_ACTIVE="$1" \
		XLAT464_CLAT_CONF=/nonexistent XLAT464_NM_DEFAULTS=/nonexistent /bin/sh "$HOOK" "$UP" up
	local got
	got=$(grep -vE '^systemctl is-' "$tmp/calls" | tr '\n' ';')
	echo "hook: '$got' (want '$2')"
	[ "$got" = "$2" ]
}

check hook-only-our-own-29-starts hook_does no "systemctl start xlat464-clat.service;"

# ---- another CLAT appears -------------------------------------------------------------------------
gw=$(ip -n "$NSC" -6 route show default | awk '{print $3; exit}')
[ -n "$gw" ] || die "no IPv6 default route in $NSC"
ip -n "$NSC" addr add 192.0.0.5/32 dev "$UP" || die "adding 192.0.0.5/32"
ip -n "$NSC" -4 route add default via inet6 "$gw" dev "$UP" src 192.0.0.5 metric 600 || die "adding the route via inet6"

standby() { wait_until 10 state_is "standby (native IPv4 default route on $UP)"; }
check clat-stands-by-beside-another-clat standby
no_tun() { ! ip -n "$NSC" link show clat >/dev/null 2>&1 && ! ip -n "$NSC" -4 route | grep -q 'dev clat'; }
check its-tun-and-route-are-gone no_tun
check hook-another-clat-s-32-stops-the-unit hook_does yes "systemctl stop xlat464-clat.service;"
logged() { grep -q "state running -> standby (native IPv4 default route on $UP)" "$STATE/clat.log"; }
check the-change-is-logged logged

# ---- and goes -----------------------------------------------------------------------------------
ip -n "$NSC" -4 route del default via inet6 "$gw" dev "$UP"
ip -n "$NSC" addr del 192.0.0.5/32 dev "$UP"
back() { wait_until 10 state_is running && ip -n "$NSC" -4 route | grep -q '^default dev clat'; }
check clat-runs-again-when-it-goes back
check ping-through-the-clat-again nsx "$NSC" ping -c 2 -W 3 "$S4"
check hook-after-it-starts-again hook_does no "systemctl start xlat464-clat.service;"

finish
