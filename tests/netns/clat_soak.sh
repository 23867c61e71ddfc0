#!/bin/bash
# A soak of `xlat464 clat`'s life on a restless uplink: FLAPS link flaps and RENUMBERS renumberings in
# a row (defaults 1000 and 100), then IPv4 must work again within 15 s, with exactly one TUN, one IPv4
# default route of ours, one 192.0.0.1, no nftables table and one fast-path filter each on the uplink
# and the TUN, as many open descriptors as before and flat memory; then kill -9 and a new start come
# up clean. Run as root:   sudo tests/netns/clat_soak.sh    (FLAPS=10000 RENUMBERS=1000 for longer)
#
# Topology: clat_e2e.sh's (tests/netns/lib.sh clat_topology: client on a veth with SLAAC from radvd,
# the router with TAYGA as the PLAT, an IPv4-only server).
#
# A flap is `ip link set c-r down; ip link set c-r up` (the kernel flushes the link's addresses and
# its default route, then SLAAC gives them back). A renumbering (SLAAC off by then) adds a new /64 (an
# address in 2001:db8:1NN::/64, which the router routes to the link) and removes the one the CLAT's
# address is in, so the CLAT takes a new address in the new /64 (DAD) while the old one serves;
# RENUMBER_GAP (default 1.2 s) apart, so that each DAD completes and each renumbering is counted.
# Environment: XLAT464, FLAPS, RENUMBERS, RENUMBER_GAP, KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

clat_names x464sk # NSC NSR NSS ALL_NS PREFIX6 R6 PLAT RS4 S4
FLAPS=${FLAPS:-1000}
RENUMBERS=${RENUMBERS:-100}

preconditions ip tayga radvd ping timeout tc nft
need_xlat464
make_tmp x464sk
say "# clat_soak: namespaces ${P}*, temp $tmp, $FLAPS flaps, $RENUMBERS renumberings"

clat_topology x464sk
clat_tayga nat64 "$PLAT" 198.51.100.128/25 198.51.100.1 198.51.100.0/24
clat_wait_slaac

CTL=$tmp/ctl.sock
start_clat() { # LOGNAME
	daemon_log=$tmp/$1.log
	ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --control "$CTL" --foreground >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 10 grep -q -- "-> running" "$daemon_log" && return 0
	cat "$daemon_log"
	return 1
}
start_clat clat || die "the CLAT did not come up"
jc() { jget "j['clat']$1"; }
rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$daemon_pid/status"; }
nfds() { find "/proc/$daemon_pid/fd" -mindepth 1 | wc -l; }

nsx "$NSC" ping -c 2 -W 2 "$S4" >/dev/null || die "no ping before the soak"
RSS0=$(rss_kb)
FDS0=$(nfds)
say "# before: RSS $RSS0 kB, $FDS0 descriptors"

t0=$SECONDS
for _ in $(seq 1 "$FLAPS"); do
	ip -n "$NSC" link set c-r down
	ip -n "$NSC" link set c-r up
done
say "# $FLAPS flaps in $((SECONDS - t0)) s"
kill -0 "$daemon_pid" && ok "alive-after-$FLAPS-flaps" || bad "alive-after-$FLAPS-flaps"
works() { nsx "$NSC" ping -c 1 -W 1 "$S4" >/dev/null 2>&1; }
t0=$SECONDS
if wait_until 15 works; then
	ok "ipv4-works-within-15s-after-the-flaps ($((SECONDS - t0)) s)"
else
	bad "ipv4-works-within-15s-after-the-flaps"
	st | head -n 12
fi

# Renumbering: the network moves the host from one /64 to the next, each routed to it by the router.
# SLAAC is turned off first, so the /64s are only those the test gives.
renumbers0=$(jc "['renumbers']")
nsx "$NSC" sysctl -qw net.ipv6.conf.c-r.autoconf=0 >/dev/null
ip -n "$NSR" -6 route add 2001:db8:100::/40 dev r-c
t0=$SECONDS
prev=
for i in $(seq 1 "$RENUMBERS"); do
	new=$(printf '2001:db8:1%02x::5' $((i % 256)))
	ip -n "$NSC" addr add "$new/64" dev c-r nodad
	if [ -z "$prev" ]; then # SLAAC's /64 leaves
		nsx "$NSC" ip -6 -o addr show dev c-r scope global | awk '/2001:db8:1:/ { print $4 }' |
			while read -r a; do ip -n "$NSC" addr del "$a" dev c-r; done
	else
		ip -n "$NSC" addr del "$prev/64" dev c-r
	fi
	prev=$new
	sleep "${RENUMBER_GAP:-1.2}" # DAD (1 s) done before the next
done
say "# $RENUMBERS renumberings in $((SECONDS - t0)) s"
kill -0 "$daemon_pid" && ok "alive-after-$RENUMBERS-renumberings" || bad "alive-after-$RENUMBERS-renumberings"

t0=$SECONDS
if wait_until 15 works; then
	ok "ipv4-works-within-15s-after-the-renumberings ($((SECONDS - t0)) s)"
else
	bad "ipv4-works-within-15s-after-the-renumberings"
	st | head -n 12
fi

leaks() {
	st | head -n 3
	eq "TUNs named clat" "$(nsx "$NSC" ip -o link show | grep -c ': clat:')" 1 &&
		eq "IPv4 default routes via clat" "$(nsx "$NSC" ip -4 route show default | grep -c 'dev clat')" 1 &&
		eq "addresses 192.0.0.1" "$(nsx "$NSC" ip -4 -o addr show | grep -c '192.0.0.1/')" 1 &&
		eq "nftables tables" "$(nsx "$NSC" nft list tables | grep -c .)" 0 &&
		eq "fast-path filters on the uplink" "$(nsx "$NSC" tc filter show dev c-r ingress | grep -c x4_clat_ingress)" 1 &&
		eq "fast-path filters on the TUN" "$(nsx "$NSC" tc filter show dev clat egress | grep -c x4_clat_egress)" 1 &&
		eq "open descriptors" "$(nfds)" "$FDS0"
}
check nothing-leaked leaks
memory() {
	local rss
	rss=$(rss_kb)
	echo "RSS before $RSS0 kB, after $rss kB"
	le "RSS growth (kB)" $((rss - RSS0)) 512
}
check memory-flat memory
renumbered() {
	jget "{k: j['clat'][k] for k in ('renumbers', 'uplink_changes', 'dad_conflicts', 'state', 'clat_ipv6')}"
	ge "renumberings the CLAT followed" $(($(jc "['renumbers']") - renumbers0)) "$RENUMBERS"
}
check every-renumbering-followed renumbered

kill9_restart() {
	kill -KILL "$daemon_pid"
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	rm -f "$CTL"
	start_clat clat2 || return 1
	wait_until 10 works || return 1
	leaks
}
check kill-9-then-restart-is-clean kill9_restart
check sigterm stop_daemon 3
finish
