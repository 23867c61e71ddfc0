#!/bin/bash
# `xlat464 dhcp4` behind a real DHCP relay agent (ISC dhcrelay, appending option 82), in namespaces
# this script creates and deletes. Run as root: sudo tests/netns/dhcp4_relay.sh
#
#   ns c108: dhcpcd        ns c4: udhcpc              ns rly: dhcrelay -a             ns srv: xlat464 dhcp4
#   (asks for 108)         (does not)                 br0 198.51.100.1/24  r-up  ---  s-up 203.0.113.2/24
#        +---- veth ---------- veth ---- br0 (clients' link)      203.0.113.1/24      route to 198.51.100.0/24
#
# The relay sets giaddr 198.51.100.1 and appends option 82 (circuit id: its interface), the server
# answers the relay on port 67 (RFC 2131 section 4.1) and echoes option 82 verbatim (RFC 3046
# section 2.2); the relay strips it and hands the answer to the client.
# Phase 1, --mode mostly with a pool in 198.51.100.0/24: dhcpcd gets option 108 and no address, udhcpc
#   an address from the pool; a capture on the server's link checks the replies' destination and
#   option 82 against the requests'; status counts the two clients under the relay.
# Phase 2, a pool in another subnet (192.0.2.0/24): udhcpc gets nothing (relay-other-subnet), dhcpcd
#   still gets option 108.
set -u
. "$(dirname "$0")/lib.sh"

P=x4r$$
NSR=${P}rly
NSS=${P}srv
NSD=${P}c108
NSU=${P}c4
ALL_NS="$NSR $NSS $NSD $NSU"
IFD=d$$
IFU=u$$
WAIT=900
CTL=

preconditions dhcrelay dhcpcd udhcpc tcpdump promtool
need_xlat464
make_tmp xlat464-dhcp4-relay
CTL=$tmp/dhcp4.sock
make_namespaces net.ipv4.ip_forward=1

cleanup_extra() { rm -f /var/lib/dhcpcd/"$IFD"*.lease /run/dhcpcd/"$IFD"* 2>/dev/null; }

nsx "$NSR" ip link add br0 type bridge forward_delay 0 stp_state 0 || die bridge
nsx "$NSR" ip addr add 198.51.100.1/24 dev br0
nsx "$NSR" ip link set br0 up
for pair in "$NSD:$IFD:00:00:5e:00:53:21:b1" "$NSU:$IFU:00:00:5e:00:53:22:b2"; do
	IFS=: read -r ns ifn m1 m2 m3 m4 m5 m6 port <<<"$pair"
	ip link add "$ifn" netns "$ns" address "$m1:$m2:$m3:$m4:$m5:$m6" type veth peer name "$port" netns "$NSR" ||
		die "veth $ifn"
	nsx "$NSR" ip link set "$port" master br0 up
	nsx "$ns" ip link set "$ifn" up
done
ip link add r-up netns "$NSR" type veth peer name s-up netns "$NSS" || die "veth r-up"
nsx "$NSR" ip addr add 203.0.113.1/24 dev r-up
nsx "$NSR" ip link set r-up up
nsx "$NSS" ip addr add 203.0.113.2/24 dev s-up
nsx "$NSS" ip link set s-up up
nsx "$NSS" ip route add 198.51.100.0/24 via 203.0.113.1

# dhcrelay: -a appends option 82 (agent circuit id = the downstream interface), -id/-iu name the
# clients' and the server's sides.
touch "$tmp/dhcrelay.leases"
ip netns exec "$NSR" timeout 300 dhcrelay -d -4 -a -pf "$tmp/dhcrelay.pid" -id br0 -iu r-up 203.0.113.2 \
	>"$tmp/dhcrelay.log" 2>&1 &
pids+=($!)

# (lib.sh's capture cuts packets at 256 bytes: option 82 comes last, so this one keeps them whole)
ip netns exec "$NSS" timeout 300 tcpdump --immediate-mode -n -U -s 1500 -c 200 -i s-up -w "$tmp/relay.pcap" \
	udp port 67 >/dev/null 2>&1 &
pids+=($!)

cat >"$tmp/udhcpc.sh" <<EOF
#!/bin/sh
[ "\$1" = bound ] || [ "\$1" = renew ] || exit 0
echo "ip=\$ip router=\$router subnet=\$subnet lease=\$lease serverid=\$serverid" >"$tmp/udhcpc.\$\$"
mv "$tmp/udhcpc.\$\$" "$tmp/udhcpc.lease"
EOF
chmod +x "$tmp/udhcpc.sh"
printf 'option ipv6_only_preferred\nrequire dhcp_server_identifier\nnoipv4ll\n' >"$tmp/dhcpcd.conf"

start_server() { # LOGNAME ARGS...
	local log=$tmp/$1
	shift
	ip netns exec "$NSS" "$XLAT464" dhcp4 --interface s-up --server-id 203.0.113.2 --control "$CTL" \
		--v6only-wait $WAIT --debug "$@" >"$log" 2>&1 &
	daemon_pid=$!
	daemon_log=$log
	wait_daemon 10 test -S "$CTL" || die "xlat464 dhcp4 did not start: $(tail -3 "$log")"
}

dhcpcd_108() { # dhcpcd hears option 108 from the server through the relay, and configures no IPv4
	local log=$tmp/dhcpcd.$1.log
	ip netns exec "$NSD" timeout 40 dhcpcd -f "$tmp/dhcpcd.conf" -c /bin/true -4 -B -d -t 30 "$IFD" >"$log" 2>&1 &
	local p=$!
	pids+=($p)
	wait_until 25 grep -q "IPv6-Only Preferred received" "$log"
	sleep 1
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	grep "IPv6-Only Preferred received" "$log"
	grep -q "IPv6-Only Preferred received ($WAIT seconds) from 203.0.113.2" "$log" &&
		! nsx "$NSD" ip -4 addr show dev "$IFD" | grep -q inet
}

run_udhcpc() {
	rm -f "$tmp/udhcpc.lease"
	ip netns exec "$NSU" timeout 30 udhcpc -i "$IFU" -f -n -q -t 3 -T 2 -A 1 -s "$tmp/udhcpc.sh" \
		>>"$tmp/udhcpc.log" 2>&1
	return 0
}

udhcpc_lease() { # the client got an address of the pool in 198.51.100.0/24, routed by the relay
	run_udhcpc
	cat "$tmp/udhcpc.lease"
	grep -Eq "ip=198\.51\.100\.1([0-4][0-9]|50) router=198\.51\.100\.1 subnet=255\.255\.255\.0 .*serverid=203\.0\.113\.2" \
		"$tmp/udhcpc.lease"
}

udhcpc_nothing() { run_udhcpc; [ ! -e "$tmp/udhcpc.lease" ]; }

# The server's replies on its link: every one to 198.51.100.1:67, each with the option 82 of a
# request of the same xid, byte for byte.
replies_echo_82() {
	"$PY" - "$tmp/relay.pcap" <<'EOF'
import sys
from scapy.all import rdpcap, BOOTP, DHCP, IP, UDP
req, rep, nreq = {}, [], 0
for p in rdpcap(sys.argv[1]):
    if BOOTP not in p or DHCP not in p:
        continue
    o82 = [v for o in p[DHCP].options if isinstance(o, tuple) and o[0] == 'relay_agent_information' for v in o[1:]]
    if p[BOOTP].op == 1:
        nreq += 1
        req.setdefault(p[BOOTP].xid, set()).add(bytes(o82[0]) if o82 else None)
    else:
        rep.append((p[IP].dst, p[UDP].dport, p[BOOTP].xid, bytes(o82[0]) if o82 else None, p[BOOTP].giaddr))
print(f"{nreq} requests, {len(rep)} replies")
bad = 0
for dst, dport, xid, o82, gi in rep:
    ok = dst == '198.51.100.1' and dport == 67 and gi == '198.51.100.1' and o82 is not None and o82 in req.get(xid, ())
    print(dst, dport, hex(xid), gi, o82.hex() if o82 else None, 'ok' if ok else 'BAD')
    bad += not ok
sys.exit(1 if bad or not rep else 0)
EOF
}

say "== phase 1: --mode mostly, pool in the relay's subnet"
start_server srv1.log --mode mostly --pool 198.51.100.100-198.51.100.150 --prefix-len 24 --router 198.51.100.1 \
	--lease-file "$tmp/leases"
check relay-dhcpcd-gets-option-108 dhcpcd_108 1
check relay-udhcpc-gets-pool-address udhcpc_lease
check server-log-names-the-relay wait_log "$tmp/srv1.log" "first request relayed by 198.51.100.1"
check status-relay-counts-two-clients-one-108 \
	eval 'eq relay "$(jget "[(r['"'"'giaddr'"'"'], r['"'"'clients'"'"'], r['"'"'clients_108'"'"']) for r in j['"'"'relays'"'"']]")" "[('"'"'198.51.100.1'"'"', 2, 1)]"'
relay_metrics() { # promtool accepts them, and the relay's two clients, one with 108, are there
	"$XLAT464" metrics --control "$CTL" >"$tmp/metrics.txt" || return 1
	promtool check metrics <"$tmp/metrics.txt" || return 1
	grep relay "$tmp/metrics.txt" | grep -v '^#'
	grep -q '^xlat464_dhcp4_relay_clients{daemon="dhcp4",interface="s-up",relay="198.51.100.1"} 2$' "$tmp/metrics.txt" &&
		grep -q '^xlat464_dhcp4_relay_clients_option108{daemon="dhcp4",interface="s-up",relay="198.51.100.1"} 1$' \
			"$tmp/metrics.txt"
}
check metrics-per-relay relay_metrics
check status-no-drops-for-relayed eval 'eq drops "$(jget "sum(j['"'"'drops'"'"'].values())")" 0'
sleep 0.5
check replies-to-relay-port-67-echo-option-82 replies_echo_82
check stop-server stop_daemon 5

say "== phase 2: the pool in another subnet"
start_server srv2.log --mode mostly --pool 192.0.2.100-192.0.2.150 --prefix-len 24 --router 192.0.2.1 \
	--lease-file "$tmp/leases2"
check other-subnet-udhcpc-gets-nothing udhcpc_nothing
check other-subnet-counted eval 'ge relay-other-subnet "$(jget "j['"'"'drops'"'"']['"'"'relay-other-subnet'"'"']")" 1'
check other-subnet-dhcpcd-still-gets-108 dhcpcd_108 2
check stop-server-2 stop_daemon 5
finish
