#!/bin/bash
# `xlat464 plat --workers 2`: the stateful NAT64 on two threads, each with its own lib/nat64 instance
# owning half of the pool's ports, on a multi-queue TUN that the kernel steers with
# lib/sys/bpf/tun_steer.bpf.c (IPv6 by subscriber, IPv4 by pool port). Namespaces are created and
# deleted by this script. Run as root: sudo tests/netns/plat_workers.sh
#
#   ns x4-pw-N-c: 8 clients 2001:db8:1::10-17 (each a subscriber: subscriber-len 128)
#   ns x4-pw-N-r: xlat464 plat --workers 2, pool6 64:ff9b::/96, pool4 203.0.113.0/28
#   ns x4-pw-N-s: the IPv4 server 198.51.100.2 (TCP and UDP echo)
#
# Checks: tests/bpf/steer_diff.c (the steering program picks the instance lib/nat64 names, for random
# packets under random splits); the daemon has a thread per worker; from every client UDP and TCP
# echo and ping work (each answer from IPv4 reaches the instance that made the binding: a wrong
# queue would drop it as nat64-no-binding); the server sees source ports of both instances' shares
# (runs of 64 ports, alternate instances); an ICMP error from the server (port unreachable) reaches
# the client; the status sums both instances; flush empties both; a reload keeps them; SIGTERM exits 0.
# Last line: "plat_workers: N passed, M failed". Environment: XLAT464=path, KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-pw-$$-
NSC=${P}c
NSR=${P}r
NSS=${P}s
ALL_NS="$NSC $NSR $NSS"
S4=198.51.100.2
S4_AS6=64:ff9b::c633:6402
FLOWS_PY=$(dirname "$0")/plat_flows.py
STEER_DIFF=${STEER_DIFF:-$(dirname "$XLAT464")/tests/steer_diff}
CLIENTS="2001:db8:1::10 2001:db8:1::11 2001:db8:1::12 2001:db8:1::13 2001:db8:1::14 2001:db8:1::15 2001:db8:1::16 2001:db8:1::17"

preconditions ip socat ping timeout ss
need_xlat464
make_tmp x4-pw
say "# plat_workers: namespaces ${P}*, temp $tmp"

make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"
for a in $CLIENTS; do
	ip -n "$NSC" addr add "$a/64" dev c-r nodad preferred_lft 0
done
ip -n "$NSC" link set c-r up
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 198.51.100.1/24 dev r-s
ip -n "$NSR" link set r-c up
ip -n "$NSR" link set r-s up
ip -n "$NSS" addr add "$S4/24" dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via 198.51.100.1

same_as_lib() {
	[ -x "$STEER_DIFF" ] || { echo "$STEER_DIFF: not built (make)"; return 1; }
	"$STEER_DIFF" 24000
}
check steering-program-as-lib-nat64 same_as_lib

CTL=$tmp/plat.sock
daemon_log=$tmp/plat.log
ip netns exec "$NSR" "$XLAT464" plat --control "$CTL" --foreground --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
	--pool4 203.0.113.0/28 --subscriber-len 128 --workers 2 >"$daemon_log" 2>&1 &
daemon_pid=$!
wait_daemon 5 test -S "$CTL" || die "xlat464 plat did not start: $(cat "$daemon_log")"
st() { "$XLAT464" status --control "$CTL" "$@"; }
jget() { st --json | "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

threads() {
	local n
	n=$(ls "/proc/$daemon_pid/task" | wc -l)
	echo "threads: $n (want 3)"
	grep -h "workers" "$daemon_log" | head -n 1
	[ "$n" -eq 3 ]
}
check three-threads threads

udp_echo_server "$NSS" 7777
nsx "$NSS" timeout 120 socat -T 10 TCP4-LISTEN:7778,reuseaddr,fork PIPE >/dev/null 2>&1 &
pids+=($!)
wait_listen "$NSS" tcp 7778 >/dev/null || die "tcp echo"

every_client() { # every client: a UDP echo, a TCP echo, a ping; bound to its own address
	local a ok=0 n=0 got
	for a in $CLIENTS; do
		n=$((n + 1))
		got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 "$a")
		r=$(echo "tcp from $a" | nsx "$NSC" timeout 5 socat -T 3 - "TCP6:[$S4_AS6]:7778,bind=[$a]" 2>&1)
		p=$(nsx "$NSC" ping -c 1 -W 2 -I "$a" "$S4_AS6" >/dev/null 2>&1 && echo ping-ok || echo ping-lost)
		echo "$a: udp $got, tcp '${r}', $p"
		[ "$got" = reply ] && [ "$r" = "tcp from $a" ] && [ "$p" = ping-ok ] && ok=$((ok + 1))
	done
	echo "$ok of $n clients got through both ways"
	[ "$ok" -eq "$n" ]
}
check every-client-udp-tcp-ping every_client

both_instances() { # the pool ports the server saw come from both instances' shares
	local a
	for a in $CLIENTS; do
		for k in 1 2 3 4; do
			nsx "$NSC" timeout 5 "$PY" "$FLOWS_PY" probe "$S4" 7779 "$a" >/dev/null 2>&1 || :
		done
	done
	sleep 0.5
	st --sessions | tee "$tmp/sessions.txt" | head -n 20
	"$PY" - "$tmp/sessions.txt" <<'PYEOF'
import re, sys
inst = {}
for line in open(sys.argv[1]):
    m = re.search(r"203\.0\.113\.\d+#(\d+)", line)
    if m:
        port = int(m.group(1))
        inst.setdefault((port // 64) % 2, 0)
        inst[(port // 64) % 2] += 1
print("sessions per instance (by port share):", inst)
sys.exit(0 if len(inst) == 2 else 1)
PYEOF
}
check sessions-in-both-instances both_instances

port_unreachable() { # an ICMP error from IPv4 reaches the client: steered by the quoted port
	local a ok=0 got
	for a in $CLIENTS; do
		got=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 9 "$a")
		echo "$a: $got"
		[ "$got" = port-unreachable ] && ok=$((ok + 1))
	done
	[ "$ok" -eq 8 ]
}
check icmp-errors-reach-every-client port_unreachable

status_sums() { # the status counts the sessions of both instances: at least UDP, TCP and ICMP of 8 clients
	local listed counted
	listed=$(st --sessions | grep -c '203\.0\.113\.')
	counted=$(jget 'j["sessions"]["total"]')
	echo "listed $listed sessions; status counts $counted"
	[ "$listed" -ge 24 ] && [ "$counted" = "$listed" ]
}
check status-lists-both-instances status_sums

reload_keeps() {
	kill -HUP "$daemon_pid"
	sleep 1
	grep -q "reloaded settings" "$daemon_log" || return 1
	probe_again=$(nsx "$NSC" timeout 10 "$PY" "$FLOWS_PY" probe "$S4_AS6" 7777 2001:db8:1::13)
	echo "after reload: $probe_again"
	[ "$probe_again" = reply ]
}
check reload-keeps-translating reload_keeps

flush_all() {
	"$XLAT464" status --control "$CTL" --flush all
	local n
	n=$(st --sessions | grep -c '203\.0\.113\.' || true)
	echo "sessions after flush: $n"
	[ "$n" -eq 0 ]
}
check flush-empties-both flush_all

check sigterm-exit-0 stop_daemon 5
finish
