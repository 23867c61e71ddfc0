#!/bin/bash
# `xlat464 clat` roaming between uplinks, live: it follows the IPv6 default route to whichever link
# carries it (Wi-Fi replaced by a cellular modem, the modem unplugged and plugged in again), as it
# follows a link going down and up. Run as root:   sudo tests/netns/clat_roam.sh
#
#  ns cl (laptop)                              ns rt (the networks: router + PLAT)          ns sv
# +-----------------------------------+     +-------------------------------------+     +-----------+
# | xlat464 clat (no --uplink)        |     | radvd on both links                 |     |           |
# | c-r  "Wi-Fi": veth, SLAAC         |=====| r-c 2001:db8:1::1/64                |     |           |
# |      2001:db8:1::/64, metric 100  |     |                                     |     |           |
# | c-w  "cellular": raw-IP TUN, SLAAC|==R==| r-w 2001:db8:2::1/64 (tunrelay R)   |     |           |
# |      2001:db8:2::/64, metric 200  |     | TAYGA 2001:db8:64::/96              |     |           |
# |                                   |     | r-s 203.0.113.1/24                  |=====| .2/24     |
# +-----------------------------------+     +-------------------------------------+     +-----------+
#
# The two default routes come from the RAs with the metrics the client gives them
# (net.ipv6.conf.IF.ra_defrtr_metric): Wi-Fi is preferred while it is there.
# Checked: the CLAT starts on c-r (ethernet); the Wi-Fi link is deleted (an unplugged USB adapter,
# a suspended card) while a ping runs every 0.1 s: the CLAT follows the default route to c-w, logs
# `uplink c-r -> c-w`, takes an address in c-w's /64 at once (raw IP: no DAD), and the ping loses
# at most 5 packets (0.5 s); a TCP transfer over it is byte-exact and carried by the fast path on
# the raw-IP link; exactly one TUN and one IPv4 default route of ours. Then a new c-r appears (the
# adapter plugged in again: a new link, new index): the CLAT moves back (DAD on Ethernet), ping and
# TCP work. Then c-r goes down and up (a link flap): the modem carries the default route while it
# is down and the CLAT follows it there, and back to c-r when it is up.
# With CLAT_ARGS="--workers 2 --no-fast-path" (tests/netns/clat_roam_workers.sh) the same, on two
# workers that each read a TUN queue and a packet socket of their own on the uplink: after each
# uplink change twelve more connections must reach both workers in both directions (every worker's
# packet socket swapped to the new link), and the fast path's check is left out.
# Environment: XLAT464, TUNRELAY, CLAT_ARGS, KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

clat_names x464rm # NSC NSR NSS ALL_NS PREFIX6 R6 PLAT RS4 S4
PREFIX6W=2001:db8:2::
case " ${CLAT_ARGS:-} " in *" --no-fast-path "*) FAST=0 ;; *) FAST=1 ;; esac
WORKERS=$(echo " ${CLAT_ARGS:-} " | sed -n 's/.* --workers \([0-9]*\) .*/\1/p')
WORKERS=${WORKERS:-1}
WORKER_CPUS=$(echo " ${CLAT_ARGS:-} " | sed -n 's/.* --worker-cpus \([0-9,-]*\) .*/\1/p')

preconditions ip tayga radvd socat ping timeout sha256sum ss tc
need_xlat464
make_tmp x464rm
say "# clat_roam: namespaces ${P}*, temp $tmp"

# the Wi-Fi link and the router, server, PLAT as in the other CLAT tests
clat_topology x464rm
nsx "$NSC" sysctl -qw net.ipv6.conf.c-r.ra_defrtr_metric=100 >/dev/null
clat_tayga nat64 "$PLAT" 198.51.100.128/25 198.51.100.1 198.51.100.0/24

# the cellular link: a raw-IP modem (two TUNs and a relay), its own /64 and radvd
[ -x "$TUNRELAY" ] || die "no $TUNRELAY (run make)"
"$TUNRELAY" --type none c-w r-w >"$tmp/relay-w.out" 2>"$tmp/relay-w.log" &
pids+=($!)
wait_until 5 grep -q ready "$tmp/relay-w.out" || die "tunrelay: $(cat "$tmp/relay-w.log")"
ip link set c-w netns "$NSC" && ip link set r-w netns "$NSR" || die "c-w, r-w into the namespaces"
nsx "$NSC" sysctl -qw net.ipv6.conf.c-w.accept_ra=1 net.ipv6.conf.c-w.autoconf=1 net.ipv6.conf.c-w.ra_defrtr_metric=200 >/dev/null
ip -n "$NSC" link set c-w up
ip -n "$NSR" link set r-w up
ip -n "$NSR" addr add "${PREFIX6W}1/64" dev r-w nodad
cat >"$tmp/radvd-w.conf" <<-EOF
	interface r-w {
		AdvSendAdvert on;
		MinRtrAdvInterval 3;
		MaxRtrAdvInterval 10;
		AdvSourceLLAddress off;
		prefix ${PREFIX6W}/64 { AdvOnLink on; AdvAutonomous on; };
	};
EOF
ip netns exec "$NSR" timeout 900 radvd -n -C "$tmp/radvd-w.conf" -p "$tmp/radvd-w.pid" -m stderr >"$tmp/radvd-w.log" 2>&1 &
pids+=($!)
clat_wait_slaac
wait_until 15 sh -c "ip -n $NSC -6 route show default | grep -q 'dev c-w'" || die "no default route via c-w"
nsx "$NSC" ip -6 route show default

CTL=$tmp/ctl.sock
daemon_log=$tmp/clat.log
# shellcheck disable=SC2086 # CLAT_ARGS: words
ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --control "$CTL" --foreground ${CLAT_ARGS:-} >"$daemon_log" 2>&1 &
daemon_pid=$!
wait_daemon 10 grep -q -- "-> running" "$daemon_log" || { cat "$daemon_log"; die "the CLAT did not come up"; }
jc() { jget "j['clat']$1"; }
dd if=/dev/urandom of="$tmp/blob" bs=1M count=2 status=none

on_uplink() { # NAME KIND
	eq uplink "$(jc "['uplink']")" "$1" && eq uplink_kind "$(jc "['uplink_kind']")" "$2" &&
		eq state "$(jc "['state']")" running
}
check starts-on-wifi on_uplink c-r ethernet
check ping-on-wifi nsx "$NSC" ping -c 2 -W 2 "$S4"

# With several workers: twelve downloads of 64 KiB (the data IPv6 to IPv4, the ACKs back) must each
# arrive byte-exact, and every worker's worker_packets_4to6 and worker_packets_6to4 must grow (all
# twelve flows on one worker: odds 1 in 2048 per direction). A worker left reading the packet socket
# of the link before would see none.
workers_spread() { # FIRST-PORT
	local port per0 per1
	per0=$(jget "j['clat']['worker_packets_4to6'] + j['clat']['worker_packets_6to4']") || return 1
	head -c 65536 /dev/urandom >"$tmp/small"
	for port in $(seq "$1" $(($1 + 11))); do
		tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" "$port" "$tmp/small" pull >"$tmp/flow.$port" 2>&1 ||
			{ cat "$tmp/flow.$port"; return 1; }
	done
	per1=$(jget "j['clat']['worker_packets_4to6'] + j['clat']['worker_packets_6to4']") || return 1
	"$PY" - "$per0" "$per1" "$WORKERS" <<-'EOF'
		import ast, sys
		a, b, n = ast.literal_eval(sys.argv[1]), ast.literal_eval(sys.argv[2]), int(sys.argv[3])
		d = [y - x for x, y in zip(a, b)]
		print("12 downloads of 64 KiB byte-exact; per worker 4to6", d[:n], "6to4", d[n:])
		sys.exit(0 if len(d) == 2 * n and all(v > 0 for v in d) else 1)
	EOF
}

# With --worker-cpus A,B (single CPUs): the worker threads run pinned to A and B, each time the TUN
# and its workers come up again after an uplink change.
workers_pinned() {
	local t got want all
	all=$(awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$daemon_pid/status")
	got=$(for t in /proc/"$daemon_pid"/task/*; do
		[ "${t##*/}" = "$daemon_pid" ] && continue
		awk -v all="$all" '/^Cpus_allowed_list:/ && $2 != all {print $2}' "$t/status"
	done | sort | tr '\n' ' ')
	want=$(echo "$WORKER_CPUS" | tr ',' '\n' | sort | tr '\n' ' ')
	eq "worker threads' CPUs" "$got" "$want"
}

one_of_each() { # exactly one TUN and one IPv4 default route of ours
	eq "TUNs named clat" "$(nsx "$NSC" ip -o link show | grep -c ': clat:')" 1 &&
		eq "IPv4 default routes via clat" "$(nsx "$NSC" ip -4 route show default | grep -c 'dev clat')" 1
}

# ---- Wi-Fi gone: the CLAT follows the default route to the modem ------------------------------------
ping_loss() { # LOG: how many of the pings were lost (ping -i 0.1 -D output)
	awk '/packets transmitted/ { print $1 - $4 }' "$1"
}
wifi_gone() {
	ip netns exec "$NSC" timeout 20 ping -i 0.1 -c 100 -W 1 "$S4" >"$tmp/ping-roam1.log" 2>&1 &
	local pp=$!
	sleep 1
	ip -n "$NSC" link del c-r || return 1
	wait "$pp"
	tail -n 3 "$tmp/ping-roam1.log"
	grep -E "uplink|DAD|state" "$daemon_log" | tail -n 8
	grep -q "uplink c-r -> c-w" "$daemon_log" || return 1
	on_uplink c-w raw-ip || return 1
	le "pings lost (0.1 s apart)" "$(ping_loss "$tmp/ping-roam1.log")" 5
}
check wifi-gone-clat-follows-to-the-modem wifi_gone
check tcp-over-the-modem-after-roaming tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5001 "$tmp/blob"
modem_fast() {
	jget "j['clat']['fast_path']"
	eq fast_path_active "$(jc "['fast_path_active']")" True && ge "bytes the fast path carried" "$(jc "['fast_path']['bytes-4to6']")" $((2 * 1024 * 1024))
}
[ "$FAST" = 1 ] && check fast-path-moved-to-the-modem modem_fast
[ "$WORKERS" -gt 1 ] && check "workers-$WORKERS-both-directions-on-the-modem" workers_spread 5101
[ -n "$WORKER_CPUS" ] && check "workers-pinned-on-the-modem" workers_pinned
check one-tun-one-route-after-roaming one_of_each

# ---- the Wi-Fi adapter plugged in again: a new c-r, preferred again -----------------------------------
wifi_back() {
	ip -n "$NSC" link add c-r type veth peer name r-c2 netns "$NSR" || return 1
	nsx "$NSC" sysctl -qw net.ipv6.conf.c-r.accept_ra=1 net.ipv6.conf.c-r.autoconf=1 net.ipv6.conf.c-r.ra_defrtr_metric=100 >/dev/null
	ip -n "$NSR" addr add "${R6%1}11/64" dev r-c2 nodad 2>/dev/null
	ip -n "$NSC" link set c-r up
	ip -n "$NSR" link set r-c2 up
	cat >"$tmp/radvd-c2.conf" <<-EOF
		interface r-c2 {
			AdvSendAdvert on;
			MinRtrAdvInterval 3;
			MaxRtrAdvInterval 4;
			prefix ${PREFIX6}/64 { AdvOnLink on; AdvAutonomous on; };
		};
	EOF
	ip netns exec "$NSR" timeout 900 radvd -n -C "$tmp/radvd-c2.conf" -p "$tmp/radvd-c2.pid" -m stderr >"$tmp/radvd-c2.log" 2>&1 &
	pids+=($!)
	wait_until 20 grep -q "uplink c-w -> c-r" "$daemon_log" || { grep -E "uplink" "$daemon_log"; return 1; }
	wait_until 10 on_uplink c-r ethernet || return 1
	nsx "$NSC" ping -c 2 -W 2 "$S4"
}
check wifi-back-clat-returns wifi_back
check tcp-over-wifi-again tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" 5002 "$tmp/blob" pull
check one-tun-one-route-after-returning one_of_each
[ "$WORKERS" -gt 1 ] && check "workers-$WORKERS-both-directions-on-wifi-again" workers_spread 5121
[ -n "$WORKER_CPUS" ] && check "workers-pinned-on-wifi-again" workers_pinned

# ---- a link flap on the Wi-Fi: the modem carries the default route meanwhile, then Wi-Fi again -------
flap() {
	local before
	before=$(jc "['uplink_changes']")
	ip -n "$NSC" link set c-r down || return 1
	wait_until 10 sh -c "'$XLAT464' status --control '$CTL' | grep -q 'uplink c-w'" || return 1
	nsx "$NSC" ping -c 2 -W 2 "$S4" || return 1
	ip -n "$NSC" link set c-r up || return 1
	wait_until 20 on_uplink c-r ethernet || return 1
	nsx "$NSC" ping -c 2 -W 2 "$S4" || return 1
	ge "uplink changes" "$(jc "['uplink_changes']")" $((before + 2))
}
check link-flap-followed flap
check one-tun-one-route-after-the-flap one_of_each
[ "$WORKERS" -gt 1 ] && check "workers-$WORKERS-both-directions-after-the-flap" workers_spread 5141
[ -n "$WORKER_CPUS" ] && check "workers-pinned-after-the-flap" workers_pinned

check sigterm stop_daemon 3
finish
