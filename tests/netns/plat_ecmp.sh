#!/bin/bash
# Scale-out of the PLAT behind ECMP (docs/plat.md, "Scale-out behind ECMP"): `xlat464 lab up --plats
# 3` builds the lab with three instances of xlat464 plat, each with a disjoint share of pool4 and
# announced by BIRD; long-lived TCP flows from the IPv6-only client (through its CLAT) spread over all
# three; one instance is killed (SIGKILL, by its recorded pid) in the middle, and then:
#   - BIRD withdraws its pool4 share from the router and its next hop from the multipath route for
#     64:ff9b::/96 (the time from the kill is printed);
#   - new connections succeed: 60 of 60, from 60 source ports, so that every hash bucket, the dead
#     instance's included, is tried; they start as soon as the routes are withdrawn, which must be
#     within 15 s of the kill;
#   - every long-lived flow through a surviving instance keeps echoing, before and after the kill,
#     without a single failure; only the flows of the killed instance break.
# Run as root:
#
#     sudo tests/netns/plat_ecmp.sh               # against build/xlat464
#     sudo KILL=2 tests/netns/plat_ecmp.sh        # kill another instance (1 to 3; default 1)
#     sudo FAULT=stop tests/netns/plat_ecmp.sh    # the instance hangs (SIGSTOP) instead of dying:
#                                                 # nothing is withdrawn, and the test must fail
#     sudo FAULT=stop-bird tests/netns/plat_ecmp.sh   # the instance's BIRD is frozen (SIGSTOP) before
#                                                 # the kill, as when the whole host dies: the router
#                                                 # withdraws when the BGP hold timer (6 s) expires
#     sudo FAULT=no-stable-hash KILL=1 tests/netns/plat_ecmp.sh   # without the router's stable hash
#                                                 # (its ip rules deleted), the kernel's multipath
#                                                 # route alone moves some surviving flows: they break
#
# Topology: scripts/lab.sh with --plats 3 (namespaces x4-ec-PID-{router,server,client,client4,
# plat1,plat2,plat3}, state in the temporary directory; documentation addresses only):
#
#   client (CLAT 192.0.0.1) == router: symhash -> table 101..103, else multipath ==+== plat1 198.51.100.0/30
#                              BIRD AS 64496 <- eBGP: shares and 64:ff9b::/96 ===+== plat2 198.51.100.4/30
#                              r-s == server 203.0.113.2 (TCP echo :7007)        +== plat3 198.51.100.8/30
#
# Every check prints PASS or FAIL; the last line is "plat_ecmp: N passed, M failed". Environment:
# XLAT464=path, KEEP=1, VERBOSE=1, KILL=1|2|3, FAULT=stop|stop-bird|no-stable-hash, FLOWS (long-lived flows, default 30).
# Needs what the lab needs (scripts/install-deps.sh), bird2 included.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-ec-$$-
NSR=${P}router
NSS=${P}server
NSC=${P}client
PLATS=3
ALL_NS="$NSR $NSS $NSC ${P}client4 ${P}plat1 ${P}plat2 ${P}plat3"
KILL=${KILL:-1}
FAULT=${FAULT:-}
FLOWS=${FLOWS:-30}
S4=203.0.113.2
ECHO_PORT=7007
PREF64=64:ff9b::/96
FLOW_SPORT=20001   # the long-lived flows' source ports: 20001..20000+FLOWS
NEW_SPORT=30001    # the new connections': 30001..30060
NEW_CONNS=60
FLOWS_PY=$here/plat_flows.py
case $KILL in [1-3]) ;; *) die "KILL=$KILL: want 1, 2 or 3" ;; esac
case $FAULT in '' | stop | stop-bird | no-stable-hash) ;; *) die "FAULT=$FAULT: want stop, stop-bird or no-stable-hash" ;; esac

preconditions ip nft bird birdc socat curl timeout
need_xlat464
XLAT464=$(readlink -f "$XLAT464")
make_tmp x4-ec
export XLAT464_LAB_PREFIX=$P XLAT464_LAB_DIR=$tmp/lab XLAT464_LAB_IFTAG=e$$c
export XLAT464_LAB_SCRIPT=$here/../../scripts/lab.sh
say "# plat_ecmp: namespaces ${P}*, temp $tmp, killing plat$KILL${FAULT:+ (FAULT=$FAULT)}"

downed=0
cleanup_extra() { # the lab's own teardown (every pid it recorded), the logs kept when something failed
	[ "$downed" = 1 ] && return 0
	if [ "$fail" -ne 0 ] && [ -d "$tmp/lab" ]; then cp -r "$tmp/lab" "$tmp/lab-logs" 2>/dev/null; fi
	for p in ${stopped_pid:-}; do kill -CONT "$p" 2>/dev/null; done
	timeout 60 "$XLAT464" lab down >"$tmp/down.out" 2>&1
}

share() { say "198.51.100.$((($1 - 1) * 4))/30"; }
plat_pid() { awk -v n="plat$1" '$1 == n { print $2 }' "$tmp/lab/pids"; }
tcp_sessions() { CTL=$tmp/lab/plat$1.sock jget 'j["sessions"]["tcp"]'; }

# ---- up -----------------------------------------------------------------------------------------
lab_up() { timeout 120 "$XLAT464" lab up --plats "$PLATS"; }
check lab-up-plats-3 lab_up
[ "$fail" -eq 0 ] || { say "plat_ecmp: $pass passed, $fail failed"; exit 1; }
ip netns exec "$NSS" timeout 120 socat "TCP4-LISTEN:$ECHO_PORT,bind=$S4,fork,reuseaddr,backlog=128" PIPE &
pids+=($!)
wait_listen "$NSS" tcp "$ECHO_PORT" >/dev/null || die "no TCP echo server in $NSS"
if [ "$FAULT" = no-stable-hash ]; then
	for k in 1 2 3; do ip -n "$NSR" -6 rule del pref $((1000 + k)); done
fi

# ---- before the kill: long-lived flows on every instance ------------------------------------------
# 30 flows: the chance that one of 3 instances gets none by the hash is 3 x (2/3)^30, about 1 in 60,000
ip netns exec "$NSC" timeout 90 "$PY" "$FLOWS_PY" echoes "$S4" "$ECHO_PORT" "$FLOWS" "$FLOW_SPORT" 24 \
	"$tmp/killed" >"$tmp/echoes.out" 2>"$tmp/echoes.err" &
echoes_pid=$!
pids+=("$echoes_pid")
sleep 4

# which instance carries each long-lived flow: "SPORT K", from each instance's session list
for k in 1 2 3; do
	"$XLAT464" status --control "$tmp/lab/plat$k.sock" --sessions |
		awk -v k="$k" -v p="$ECHO_PORT" '$1 == "tcp" && $5 == "203.0.113.2#" p { split($2, a, "#"); print a[2], k }'
done | sort >"$tmp/flowmap"
mapped() { echo "$(wc -l <"$tmp/flowmap") of $FLOWS flows found in the instances' session lists"; [ "$(wc -l <"$tmp/flowmap")" -eq "$FLOWS" ]; }
check every-flow-has-one-instance mapped
every_instance() { # each instance's status counts TCP sessions, and some are the long-lived flows
	local k n rc=0
	for k in 1 2 3; do
		n=$(tcp_sessions "$k")
		ge "plat$k tcp sessions" "$n" 1 || rc=1
		ge "plat$k long-lived flows" "$(awk -v k="$k" '$2 == k' "$tmp/flowmap" | wc -l)" 1 || rc=1
	done
	return $rc
}
check flows-hashed-over-all-3-instances every_instance

# ---- the kill -----------------------------------------------------------------------------------
victim=$(plat_pid "$KILL")
[ -n "$victim" ] || die "no pid recorded for plat$KILL"
touch "$tmp/killed"
t_kill=$(date +%s%N)
if [ "$FAULT" = stop ]; then
	stopped_pid=$victim
	kill -STOP "$victim"
else
	if [ "$FAULT" = stop-bird ]; then
		stopped_pid=$(awk -v n="bird-plat$KILL" '$1 == n { print $2 }' "$tmp/lab/pids")
		kill -STOP "$stopped_pid"
	fi
	kill -KILL "$victim"
fi

withdrawn() {
	! ip -n "$NSR" route show "$(share "$KILL")" | grep -q . &&
		[ "$(ip -n "$NSR" -6 route show "$PREF64" | grep -c 'nexthop via')" -eq 2 ] &&
		! ip -n "$NSR" -6 route show "$PREF64" | grep -q "dev r-p$KILL " &&
		! ip -n "$NSR" -6 route show table $((100 + KILL)) | grep -q .
}
since_kill_ms() { say $((($(date +%s%N) - t_kill) / 1000000)); }
wait_withdrawn() { # up to 15 s from the kill, every 20 ms
	local ms
	while ! withdrawn && [ "$(since_kill_ms)" -lt 15000 ]; do sleep 0.02; done
	ms=$(since_kill_ms)
	say "$ms" >"$tmp/convergence_ms"
	if withdrawn; then echo "withdrawn $ms ms after the kill"; return 0; fi
	echo "not withdrawn $ms ms after the kill"
	return 1
}
check "routes-withdrawn-within-15s" wait_withdrawn
say "# convergence: $(cat "$tmp/convergence_ms") ms from the kill to the router's routes"
share_gone() {
	ip -n "$NSR" route show proto bird
	! ip -n "$NSR" route show "$(share "$KILL")" | grep -q . &&
		[ "$(ip -n "$NSR" route show proto bird | grep -c '^198\.51\.100\.')" -eq 2 ]
}
check "plat$KILL-pool4-share-withdrawn-from-router" share_gone
nexthop_gone() {
	ip -n "$NSR" -6 route show "$PREF64"
	[ "$(ip -n "$NSR" -6 route show "$PREF64" | grep -c 'nexthop via')" -eq 2 ] &&
		! ip -n "$NSR" -6 route show "$PREF64" | grep -q "dev r-p$KILL " &&
		! ip -n "$NSR" -6 route show table $((100 + KILL)) | grep -q .
}
check "plat$KILL-next-hop-gone-from-multipath-route" nexthop_gone

# ---- new connections ----------------------------------------------------------------------------
new_conns() { # each connects and gets one echo back within 3 s
	local out began
	began=$(since_kill_ms)
	out=$(nsx "$NSC" timeout 120 "$PY" "$FLOWS_PY" connects "$S4" "$ECHO_PORT" "$NEW_CONNS" "$NEW_SPORT" 3)
	echo "$out" | grep -v ' ok$'
	echo "began $began ms after the kill, took $(($(since_kill_ms) - began)) ms"
	[ "$(echo "$out" | tail -n 1)" = "ok $NEW_CONNS failed 0" ]
}
check "new-connections-$NEW_CONNS-of-$NEW_CONNS" new_conns
survivors_took_them() { # the new connections went to the surviving instances, some to each
	local k n sum=0 rc=0
	for k in 1 2 3; do
		[ "$k" = "$KILL" ] && continue
		n=$("$XLAT464" status --control "$tmp/lab/plat$k.sock" --sessions | awk -v p="$ECHO_PORT" -v lo="$NEW_SPORT" \
			'$1 == "tcp" && $5 == "203.0.113.2#" p { split($2, a, "#"); if (a[2] >= lo && a[2] < lo + 1000) n++ } END { print n + 0 }')
		ge "plat$k: new connections" "$n" 1 || rc=1
		sum=$((sum + n))
	done
	eq "new connections on the survivors" "$sum" "$NEW_CONNS" || rc=1
	return $rc
}
check new-connections-on-survivors survivors_took_them

# ---- the long-lived flows -----------------------------------------------------------------------
survivors_unbroken() {
	wait "$echoes_pid"
	join "$tmp/flowmap" "$tmp/echoes.out" >"$tmp/flows" # SPORT K BEFORE AFTER STATE [REASON]
	awk -v k="$KILL" '{ print "flow " $1 " on plat" $2 ": " $3 " echoes before, " $4 " after, " ($5 == "-" ? "unbroken" : $5 " " $6) ($2 == k ? " (killed instance)" : "") }' "$tmp/flows"
	awk -v k="$KILL" '$2 != k { n++; if ($5 == "-" && $3 > 0 && $4 > 0) good++ }
		END { printf "%d of %d flows through the surviving instances unbroken\n", good, n; exit !(n > 0 && good == n) }' "$tmp/flows"
}
check surviving-flows-never-break survivors_unbroken
say "# $(awk -v k="$KILL" '$2 == k { n++; if ($5 != "-") b++ } END { printf "%d flows were on plat%s, %d of them broke (its sessions are lost)", n, k, b }' "$tmp/flows")"
survivors_answer() {
	local k
	for k in 1 2 3; do
		[ "$k" = "$KILL" ] && continue
		"$XLAT464" status --control "$tmp/lab/plat$k.sock" | head -n 1 || return 1
	done
}
check surviving-instances-answer survivors_answer

# ---- down ---------------------------------------------------------------------------------------
if [ "$fail" -ne 0 ]; then cp -r "$tmp/lab" "$tmp/lab-logs" 2>/dev/null; fi
for p in ${stopped_pid:-}; do kill -CONT "$p" 2>/dev/null; done
lab_down() { timeout 60 "$XLAT464" lab down; }
check lab-down lab_down
downed=1
no_ns() { ! ip netns list | grep -q "^$P"; }
check no-namespace-left no_ns

say "plat_ecmp: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
