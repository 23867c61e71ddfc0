#!/bin/bash
# Every daemon as systemd runs it: sd_notify readiness (READY=1 once set up, RELOADING=1 then READY=1
# around SIGHUP, STOPPING=1 on SIGTERM) to a $NOTIFY_SOCKET this test listens on, and the capabilities
# it keeps once set up, read from /proc/PID/status: at most CAP_NET_ADMIN, CAP_NET_RAW and
# CAP_NET_BIND_SERVICE, and exactly what docs/design.md lists per daemon. Namespaces are created and
# deleted by this script. Run as root: sudo tests/netns/daemon_notify.sh
#
#   ns x4-dn-N-r: siit (TUN siit0), plat (TUN plat0), ra and dhcp4 on r-c (2001:db8:1::1/64, 192.0.2.1/24),
#                 dns64 on [2001:db8:1::1]:53 (its upstream need not answer here)
#   ns x4-dn-N-c: clat on c-r (2001:db8:1::10/64)
# Last line: "daemon_notify: N passed, M failed". Environment: XLAT464=path, KEEP=1, VERBOSE=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-dn-$$-
NSR=${P}r
NSC=${P}c
ALL_NS="$NSR $NSC"
CAP_NET_BIND_SERVICE=$((1 << 10))
CAP_NET_ADMIN=$((1 << 12))
CAP_NET_RAW=$((1 << 13))

preconditions ip timeout
need_xlat464
make_tmp x4-dn
say "# daemon_notify: namespaces ${P}*, temp $tmp"

make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth"
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 192.0.2.1/24 dev r-c
ip -n "$NSR" link set r-c up
ip -n "$NSC" addr add 2001:db8:1::10/64 dev c-r nodad
ip -n "$NSC" link set c-r up
ip -n "$NSC" -6 route add default via 2001:db8:1::1
wait_until 10 sh -c "ip -n $NSR -6 addr show dev r-c scope link | grep -v tentative | grep -q inet6" ||
	die "r-c has no link-local address"

# One listener per daemon: each datagram it gets, as one line with its newlines shown as '|'.
listen() { # NAME
	ip netns exec "$NSR" timeout 120 "$PY" -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
out = open(sys.argv[2], "a", buffering=1)
while True:
    out.write(s.recv(4096).decode(errors="replace").replace("\n", "|") + "\n")
' "$tmp/$1.notify" "$tmp/$1.msgs" &
	pids+=($!)
	touch "$tmp/$1.msgs"
	wait_until 5 test -S "$tmp/$1.notify" || die "notify listener for $1"
}

declare -A dpid
start() { # NAME NS ARGS...
	local name=$1 ns=$2
	shift 2
	listen "$name"
	NOTIFY_SOCKET=$tmp/$name.notify ip netns exec "$ns" "$XLAT464" "$@" >"$tmp/$name.log" 2>&1 &
	dpid[$name]=$!
	pids+=($!)
}
got() { grep -qx "$2" "$tmp/$1.msgs" 2>/dev/null || grep -q "^$2|" "$tmp/$1.msgs" 2>/dev/null; }
ready() { wait_until 15 got "$1" "READY=1" || { echo "no READY=1 from $1:"; cat "$tmp/$1.msgs" "$tmp/$1.log"; return 1; }; cat "$tmp/$1.msgs"; }
caps() { # NAME ALLOWED: CapEff within ALLOWED (and within the three the issue allows)
	local eff
	eff=$(awk '/^CapEff:/ {print $2}' "/proc/${dpid[$1]}/status")
	echo "$1 (pid ${dpid[$1]}) CapEff $eff, allowed $(printf '%x' "$2")"
	[ $((0x$eff & ~$2)) -eq 0 ] && [ $((0x$eff & ~(CAP_NET_ADMIN | CAP_NET_RAW | CAP_NET_BIND_SERVICE))) -eq 0 ]
}
reloads() { # NAME: SIGHUP -> RELOADING=1 (with MONOTONIC_USEC) then READY=1 again
	local before
	before=$(grep -c "READY=1" "$tmp/$1.msgs")
	kill -HUP "${dpid[$1]}"
	wait_until 10 sh -c "[ \$(grep -c READY=1 $tmp/$1.msgs) -gt $before ]" || { cat "$tmp/$1.msgs"; return 1; }
	cat "$tmp/$1.msgs"
	grep -q "^RELOADING=1|MONOTONIC_USEC=[0-9]*$" "$tmp/$1.msgs"
}
stops() { # NAME: SIGTERM -> STOPPING=1, and the process exits
	kill -TERM "${dpid[$1]}"
	wait_until 10 pid_gone "${dpid[$1]}" || return 1
	cat "$tmp/$1.msgs"
	grep -q "STOPPING=1" "$tmp/$1.msgs"
}

start siit "$NSR" siit --tun siit0 --pool6 64:ff9b::/96 --allow-wkp-non-global yes --control "$tmp/siit.sock"
start plat "$NSR" plat --tun plat0 --pool6 64:ff9b::/96 --allow-wkp-non-global yes --pool4 203.0.113.0/28 \
	--control "$tmp/plat.sock" --foreground
start ra "$NSR" ra --interface r-c --router --prefix 2001:db8:1::/64 --pref64 64:ff9b::/96 \
	--control "$tmp/ra.sock" --foreground
start dhcp4 "$NSR" dhcp4 --interface r-c --mode mostly --pool 192.0.2.100-192.0.2.150 --router 192.0.2.1 \
	--lease-file "$tmp/dhcp4.leases" --clients-file "$tmp/dhcp4.clients" --control "$tmp/dhcp4.sock"
printf 'upstream 2001:db8:1::53\ninterface r-c\n' >"$tmp/dns64.conf"
start dns64 "$NSR" dns64 --config "$tmp/dns64.conf" --listen 2001:db8:1::1 53 --clients-file "$tmp/dhcp4.clients" \
	--control "$tmp/dns64.sock" --foreground
start clat "$NSC" clat --uplink c-r --pref64 64:ff9b::/96 --no-dns64 --control "$tmp/clat.sock" --foreground

for d in siit plat ra dhcp4 dns64 clat; do check "$d-ready" ready "$d"; done
check siit-caps caps siit $CAP_NET_ADMIN
check plat-caps caps plat $((CAP_NET_ADMIN | CAP_NET_RAW))
check clat-caps caps clat $((CAP_NET_ADMIN | CAP_NET_RAW))
check ra-caps-none caps ra 0
check dhcp4-caps-none caps dhcp4 0
seccomp_filter() { # NAME: the daemon runs under a seccomp filter (mode 2)
	grep "^Seccomp:" "/proc/${dpid[$1]}/status"
	grep -q "^Seccomp:[[:space:]]*2$" "/proc/${dpid[$1]}/status" && grep -q "seccomp: allow-list loaded" "$tmp/$1.log"
}
check ra-seccomp seccomp_filter ra
check dhcp4-seccomp seccomp_filter dhcp4
dhcp4_answers() { "$XLAT464" status --control "$tmp/dhcp4.sock" | head -n 2; }
check dhcp4-status-under-seccomp dhcp4_answers
check dns64-caps-bind caps dns64 $CAP_NET_BIND_SERVICE
clat_status() { wait_until 10 grep -q "^STATUS=running" "$tmp/clat.msgs" && grep "^STATUS=" "$tmp/clat.msgs"; }
check clat-status-line clat_status
for d in siit plat dns64 clat; do check "$d-reload" reloads "$d"; done
# ra and dhcp4 keep serving without capabilities: an RA went out after the drop, the status answers
ra_sends() {
	wait_until 10 sh -c "$XLAT464 status --control $tmp/ra.sock --json | grep -q '\"advertising\"'" || return 1
	"$XLAT464" status --control "$tmp/ra.sock" | head -n 3
}
check ra-advertises-without-capabilities ra_sends
for d in siit plat ra dhcp4 dns64 clat; do check "$d-stopping" stops "$d"; done

finish
