#!/bin/bash
# End-to-end test of `xlat464 dhcp4`, the option-108 DHCPv4 responder (RFC 8925), against real
# Debian clients and scapy, in network namespaces this script creates and deletes. Run as root:
#
#     sudo tests/netns/dhcp4.sh                  # against build/xlat464
#     sudo XLAT464=build-san/xlat464 tests/netns/dhcp4.sh
#
# Topology: one LAN, a bridge in its own namespace (documentation addresses and MACs only):
#
#   ns srv: xlat464 dhcp4      ns c108: dhcpcd         ns c4: udhcpc (busybox)   ns cs: scapy
#   +-----------------+        +---------------+       +----------------+        +--------------+
#   | s-IF            |        | d-IF          |       | u-IF           |        | p-IF         |
#   | phase 1: no IPv4|        | option        |       | 00:00:5e:00:   |        | crafted      |
#   | phase 2+3:      |        | ipv6_only_    |       |   53:22        |        | DISCOVER,    |
#   |  192.0.2.1/24   |        | preferred     |       | no option 108  |        | REQUEST, bad |
#   +--------+--------+        +-------+-------+       +-------+--------+        +------+-------+
#            +--------------------+----+-------------------+------------------------+
#                                ns sw: bridge br0
#
# Phase 1, --mode v6only (the server's interface has no IPv4 address; --server-id 192.0.2.1,
#   --v6only-wait 900): dhcpcd gets option 108 = 900 and configures no IPv4 address; udhcpc gets no
#   answer; scapy checks the OFFER and ACK field by field, that a client without 108 gets nothing,
#   that malformed messages get nothing and are counted; `xlat464 status` shows the 108 share.
# Phase 2, --mode mostly (--pool 192.0.2.100-192.0.2.199): scapy binds an address, udhcpc gets
#   another from the pool (with router, mask, DNS, lease time), dhcpcd still gets option 108.
# Phase 3: the daemon restarts with the same --lease-file; udhcpc gets the same address again
#   (without the file it would get the pool's first free one, which is different).
# Phase 4: the settings from --config FILE; a bad line stops the start naming the line; SIGHUP with a
#   new V6ONLY_WAIT and lease time: dhcpcd and udhcpc see them; a new pool (restart only) is kept and
#   logged; a bad file on reload changes nothing.
#
# Every check prints PASS or FAIL; the last line is "N passed, N failed"; exit 1 when a check failed,
# 2 when the setup failed. Logs stay in the temporary directory with KEEP=1 or on failure.
# Needs: iproute2, dhcpcd-base, udhcpc, python3-scapy.
set -u
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
XLAT464=${XLAT464:-$here/../../build/xlat464}
XLAT464=$(readlink -f "$XLAT464")
KEEP=${KEEP:-0}
PY=/usr/bin/python3

P=x4d$$
NSW=${P}sw
NSS=${P}srv
NSD=${P}c108
NSU=${P}c4
NSP=${P}cs
ALL_NS="$NSW $NSS $NSD $NSU $NSP"
# Interface names are unique per run: dhcpcd keeps per-interface pid and lease files in /run and /var/lib.
IFS_=s$$
IFD=d$$
IFU=u$$
IFP=p$$
WAIT=900
LEASE=600
POOL_FIRST=192.0.2.100
POOL_LAST=192.0.2.199

pass=0
fail=0
tmp=$(mktemp -d /tmp/xlat464-dhcp4.XXXXXX)
srv_pid=
dc_pid=

check() { # check NAME COMMAND...: runs the command, prints PASS/FAIL
	local name=$1
	shift
	if "$@" >>"$tmp/checks.log" 2>&1; then
		echo "PASS $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		fail=$((fail + 1))
	fi
}

cleanup() {
	[ -n "$dc_pid" ] && kill "$dc_pid" 2>/dev/null
	[ -n "$srv_pid" ] && kill "$srv_pid" 2>/dev/null
	sleep 0.3
	for ns in $ALL_NS; do ip netns del "$ns" 2>/dev/null; done
	rm -f /var/lib/dhcpcd/"$IFD"*.lease /run/dhcpcd/"$IFD"* 2>/dev/null
	if [ "$KEEP" = 1 ] || [ "$fail" -ne 0 ]; then
		echo "logs kept in $tmp"
	else
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

die() {
	echo "setup failed: $*" >&2
	echo "0 passed, 1 failed"
	exit 2
}

[ "$(id -u)" = 0 ] || die "run as root"
[ -x "$XLAT464" ] || die "$XLAT464 not built (make)"
for t in dhcpcd udhcpc; do command -v $t >/dev/null || die "$t not installed (apt-get install dhcpcd-base udhcpc)"; done
$PY -c 'import scapy' 2>/dev/null || die "python3-scapy not installed"

for ns in $ALL_NS; do ip netns add "$ns" || die "netns $ns"; ip -n "$ns" link set lo up; done
ip -n "$NSW" link add br0 type bridge || die bridge
ip -n "$NSW" link set br0 type bridge forward_delay 0 stp_state 0
ip -n "$NSW" link set br0 up
i=0
for pair in "$NSS:$IFS_:00:00:5e:00:53:01" "$NSD:$IFD:00:00:5e:00:53:21" "$NSU:$IFU:00:00:5e:00:53:22" \
	"$NSP:$IFP:00:00:5e:00:53:23"; do
	ns=${pair%%:*}
	rest=${pair#*:}
	ifn=${rest%%:*}
	mac=${rest#*:}
	i=$((i + 1))
	ip link add "$ifn" netns "$ns" address "$mac" type veth peer name "br$i" netns "$NSW" || die "veth $ifn"
	ip -n "$NSW" link set "br$i" master br0 up
	ip -n "$ns" link set "$ifn" up
done

# The udhcpc script records what it was given (and configures nothing).
cat >"$tmp/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] || [ "\$1" = renew ] || exit 0
echo "ip=\$ip router=\$router dns=\$dns subnet=\$subnet lease=\$lease serverid=\$serverid" >"$tmp/udhcpc.\$\$"
mv "$tmp/udhcpc.\$\$" "$tmp/udhcpc.lease"
EOF
chmod +x "$tmp/udhcpc.sh"
printf 'option ipv6_only_preferred\nrequire dhcp_server_identifier\nnoipv4ll\n' >"$tmp/dhcpcd.conf"

start_server() { # start_server LOGNAME ARGS...
	local log=$1
	shift
	ip netns exec "$NSS" "$XLAT464" dhcp4 --interface "$IFS_" --control "$tmp/dhcp4.sock" --debug "$@" \
		>"$tmp/$log" 2>&1 &
	srv_pid=$!
	for _ in $(seq 1 100); do
		[ -S "$tmp/dhcp4.sock" ] && return 0
		kill -0 "$srv_pid" 2>/dev/null || break
		sleep 0.1
	done
	cat "$tmp/$log" >&2
	die "xlat464 dhcp4 did not start"
}

stop_server() {
	kill "$srv_pid" 2>/dev/null
	for _ in $(seq 1 100); do kill -0 "$srv_pid" 2>/dev/null || break; sleep 0.1; done
	wait "$srv_pid" 2>/dev/null
	srv_pid=
}

wait_for() { # wait_for SECONDS COMMAND...: polls until the command succeeds
	local end=$((SECONDS + $1))
	shift
	while [ $SECONDS -lt $end ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	return 1
}

run_dhcpcd() { # dhcpcd in the foreground of a background job, bounded by timeout
	rm -f "$tmp/dhcpcd.log"
	ip netns exec "$NSD" timeout 40 dhcpcd -f "$tmp/dhcpcd.conf" -c /bin/true -4 -B -d -t 30 "$IFD" \
		>"$tmp/dhcpcd.log" 2>&1 &
	dc_pid=$!
	wait_for 25 grep -q "IPv6-Only Preferred received" "$tmp/dhcpcd.log"
	sleep 1 # let it act on the answer (it must not configure an address)
	kill "$dc_pid" 2>/dev/null
	wait "$dc_pid" 2>/dev/null
	dc_pid=
}

run_udhcpc() { # udhcpc -n: exit when no lease after 3 DISCOVERs, -q: exit once bound
	rm -f "$tmp/udhcpc.lease"
	ip netns exec "$NSU" timeout 30 udhcpc -i "$IFU" -f -n -q -t 3 -T 2 -A 1 -s "$tmp/udhcpc.sh" \
		>>"$tmp/udhcpc.log" 2>&1
}

json() { # json EXPR: evaluates a Python expression on `xlat464 status --json` as j
	"$XLAT464" status --control "$tmp/dhcp4.sock" --json >"$tmp/status.json" 2>>"$tmp/checks.log" || return 1
	$PY -c "import json,sys; j=json.load(open('$tmp/status.json')); sys.exit(0 if ($1) else 1)"
}

no_ipv4() { ! ip -n "$NSD" -4 addr show dev "$IFD" | grep -q inet; }
log_has() { grep -q -- "$2" "$tmp/$1"; }

# ---- phase 1: IPv6-only network ---------------------------------------------------------------
echo "== phase 1: --mode v6only, no IPv4 address on the server's interface"
start_server srv1.log --mode v6only --server-id 192.0.2.1 --v6only-wait $WAIT

run_dhcpcd
check "dhcpcd: option 108 received with V6ONLY_WAIT $WAIT from 192.0.2.1" \
	grep -q "IPv6-Only Preferred received ($WAIT seconds) from 192.0.2.1" "$tmp/dhcpcd.log"
check "dhcpcd: no IPv4 address configured" no_ipv4
check "server log: dhcpcd's MAC asked for 108" log_has srv1.log "client 00:00:5e:00:53:21 asked for option 108: yes"

run_udhcpc
check "udhcpc (no 108) on an IPv6-only network: no lease" test ! -e "$tmp/udhcpc.lease"
check "server log: udhcpc's MAC did not ask for 108" log_has srv1.log "client 00:00:5e:00:53:22 asked for option 108: no"
check "status: udhcpc's DISCOVERs counted as v6only-no-108" json "j['drops']['v6only-no-108'] >= 3"

ip netns exec "$NSP" $PY "$here/dhcp4_scapy.py" v6only "$IFP" $WAIT 192.0.2.1 >"$tmp/scapy1.log" 2>&1
grep -E '^(PASS|FAIL)' "$tmp/scapy1.log" | sed 's/^\(PASS\|FAIL\) /\1 scapy: /'
pass=$((pass + $(grep -c '^PASS' "$tmp/scapy1.log")))
fail=$((fail + $(grep -c '^FAIL' "$tmp/scapy1.log")))
check "scapy ran to the end" grep -q "malformed" "$tmp/scapy1.log"

check "status: malformed messages dropped by reason" \
	json "j['drops']['truncated'] >= 1 and j['drops']['bad-cookie'] >= 1 and j['drops']['option-truncated'] >= 1 and j['drops']['no-end'] >= 1 and j['drops']['bad-message-type'] >= 1 and j['drops']['duplicate-option'] >= 1 and j['drops']['bad-overload'] >= 1 and j['drops']['not-bootrequest'] >= 1"
# Clients: dhcpcd (108), udhcpc (no), scapy 108 MAC, scapy no-108 MAC (the malformed one never parses).
check "status --json: 4 clients, 2 asked for 108 (50.0%)" \
	json "j['clients'] == 4 and j['clients_option108'] == 2 and j['option108_share_percent'] == 50.0"
"$XLAT464" status --control "$tmp/dhcp4.sock" >"$tmp/status1.txt" 2>&1
check "status text: share of option-108 clients" grep -qE "^option108_share_percent +50\.0$" "$tmp/status1.txt"
check "daemon survived everything" kill -0 "$srv_pid"
stop_server
check "control socket removed at exit" test ! -e "$tmp/dhcp4.sock"

# ---- phase 2: IPv6-mostly network ---------------------------------------------------------------
echo "== phase 2: --mode mostly with a pool and a lease file"
ip -n "$NSS" addr add 192.0.2.1/24 dev "$IFS_"
MOSTLY="--mode mostly --pool $POOL_FIRST-$POOL_LAST --router 192.0.2.1 --dns 192.0.2.53 --lease-time $LEASE \
	--lease-file $tmp/leases --v6only-wait $WAIT"
# shellcheck disable=SC2086
start_server srv2.log $MOSTLY
ip netns exec "$NSP" $PY "$here/dhcp4_scapy.py" mostly "$IFP" $WAIT 192.0.2.1 $POOL_FIRST $POOL_LAST $LEASE \
	192.0.2.1 >"$tmp/scapy2.log" 2>&1
grep -E '^(PASS|FAIL)' "$tmp/scapy2.log" | sed 's/^\(PASS\|FAIL\) /\1 scapy: /'
pass=$((pass + $(grep -c '^PASS' "$tmp/scapy2.log")))
fail=$((fail + $(grep -c '^FAIL' "$tmp/scapy2.log")))
scapy_ip=$(sed -n 's/^BOUND //p' "$tmp/scapy2.log")
check "scapy client bound an address ($scapy_ip)" test -n "$scapy_ip"

run_udhcpc
ip1=$(sed -n 's/^ip=\([0-9.]*\) .*/\1/p' "$tmp/udhcpc.lease" 2>/dev/null)
check "udhcpc (no 108): got an address from the pool ($ip1)" \
	$PY -c "import ipaddress as a,sys; sys.exit(0 if a.ip_address('$POOL_FIRST') <= a.ip_address('${ip1:-0.0.0.0}') <= a.ip_address('$POOL_LAST') else 1)"
check "udhcpc: a different address than the scapy client's" test "$ip1" != "$scapy_ip"
check "udhcpc: router 192.0.2.1, DNS 192.0.2.53, mask 255.255.255.0, lease $LEASE, server 192.0.2.1" \
	grep -q "router=192.0.2.1 dns=192.0.2.53 subnet=255.255.255.0 lease=$LEASE serverid=192.0.2.1" "$tmp/udhcpc.lease"
check "lease file: udhcpc's address bound" grep -qE "^$ip1 bound [0-9]+ " "$tmp/leases"

run_dhcpcd
check "dhcpcd in mostly mode: still option 108 ($WAIT)" \
	grep -q "IPv6-Only Preferred received ($WAIT seconds)" "$tmp/dhcpcd.log"
check "dhcpcd in mostly mode: no IPv4 address configured" no_ipv4
check "status: 4 clients, 2 asked for 108; 1+ address ACKs" \
	json "j['clients'] == 4 and j['clients_option108'] == 2 and j['acks'] >= 2 and j['leases_bound'] == 2"
check "server log: binding logged" log_has srv2.log "bound to $ip1"
stop_server

# ---- phase 3: restart with the lease file -------------------------------------------------------
echo "== phase 3: restart with the same lease file"
cp "$tmp/leases" "$tmp/leases.before"
# shellcheck disable=SC2086
start_server srv3.log $MOSTLY
check "server log: leases loaded" log_has srv3.log "2 leases loaded"
run_udhcpc
ip2=$(sed -n 's/^ip=\([0-9.]*\) .*/\1/p' "$tmp/udhcpc.lease" 2>/dev/null)
check "udhcpc after the restart: the same address ($ip1 = ${ip2:-none})" test -n "$ip2" -a "$ip1" = "$ip2"
check "status after restart: 2 leases bound" json "j['leases_bound'] == 2"
stop_server

# ---- phase 4: config file and SIGHUP ------------------------------------------------------------
echo "== phase 4: --config FILE, SIGHUP"
printf 'mode mostly\npool %s-%s\n# seconds\nlease-time 5\n' $POOL_FIRST $POOL_LAST >"$tmp/bad.conf"
bad_out=$(ip netns exec "$NSS" "$XLAT464" dhcp4 --interface "$IFS_" --config "$tmp/bad.conf" --check 2>&1)
bad_rc=$?
echo "bad config: exit $bad_rc: $bad_out" >>"$tmp/checks.log"
check "bad config line: exit 2, named with its line" test "$bad_rc" = 2 -a \
	"$bad_out" = "xlat464 dhcp4: $tmp/bad.conf:4: lease-time: '5' is not a number from 60 to 4294967294"
CONF=$tmp/dhcp4.conf
write_conf() { # write_conf V6ONLY_WAIT LEASE_TIME POOL
	printf '# phase 4\nmode mostly\npool %s\nrouter 192.0.2.1\ndns 192.0.2.53\nlease-time %s\nlease-file %s\nv6only-wait %s\n' \
		"$3" "$2" "$tmp/leases" "$1" >"$CONF"
}
write_conf $WAIT $LEASE "$POOL_FIRST-$POOL_LAST"
start_server srv4.log --config "$CONF"
write_conf 1200 300 192.0.2.10-192.0.2.20
kill -HUP "$srv_pid"
wait_for 5 log_has srv4.log "reloaded: server-id"
check "SIGHUP: the new pool is kept and logged as needing a restart" \
	log_has srv4.log "reload: pool change only with a restart; keeping the running values"
run_dhcpcd
check "SIGHUP: dhcpcd gets the new V6ONLY_WAIT (1200)" grep -q "IPv6-Only Preferred received (1200 seconds)" "$tmp/dhcpcd.log"
run_udhcpc
ip3=$(sed -n 's/^ip=\([0-9.]*\) .*/\1/p' "$tmp/udhcpc.lease" 2>/dev/null)
check "SIGHUP: udhcpc gets the new lease time (300), from the running pool ($ip3)" \
	grep -q "router=192.0.2.1 dns=192.0.2.53 subnet=255.255.255.0 lease=300 serverid=192.0.2.1" "$tmp/udhcpc.lease"
check "SIGHUP: the address is still from the running pool" test "$ip3" = "$ip1"
printf 'lease-time 5\n' >"$CONF"
kill -HUP "$srv_pid"
wait_for 5 log_has srv4.log "keeping the current settings"
check "SIGHUP with a bad file: logged with its line, nothing changed" \
	log_has srv4.log "reload: $CONF:1: lease-time: '5' is not a number from 60 to 4294967294; keeping the current settings"
run_dhcpcd
check "SIGHUP with a bad file: dhcpcd still gets 1200" grep -q "IPv6-Only Preferred received (1200 seconds)" "$tmp/dhcpcd.log"
check "daemon survived the reloads" kill -0 "$srv_pid"
stop_server

echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
