#!/bin/bash
# 464XLAT end to end with both halves from this project: `xlat464 clat` on an IPv6-only host and
# `xlat464 plat` (stateful NAT64) on its router; an IPv4-only application on the host reaches an
# IPv4-only server. Namespaces are created and deleted by this script. Run as root:
#     sudo tests/netns/plat_clat.sh            (XLAT464=path, KEEP=1, VERBOSE=1; PLAT_MODE=stateless)
#
#  ns x4-pl-N-cl (IPv6-only host)      ns x4-pl-N-rt (router + PLAT)                   ns x4-pl-N-sv (IPv4 server)
# +----------------------------+    +------------------------------------------------+    +--------------------+
# | xlat464 clat --pref64      |    | radvd: SLAAC 2001:db8:1::/64                   |    | python http.server |
# |   64:ff9b::/96: TUN clat   |    | xlat464 plat: TUN plat0, pool6 64:ff9b::/96,   |    |   :8080, socat     |
# |   192.0.0.1/29             |    |   pool4 192.0.2.128/28 (routes its own)        |    |                    |
# | c-r SLAAC 2001:db8:1::/64  |====| r-c 2001:db8:1::1/64        r-s 203.0.113.1/24 |====| s-r 203.0.113.2/24 |
# +----------------------------+    +------------------------------------------------+    +--------------------+
#
# IPv4 on the host: 192.0.0.1 -> CLAT -> [CLAT address] -> 64:ff9b::203.0.113.2 -> xlat464 plat ->
# 192.0.2.128/28 -> server, and back. The documentation addresses are not global, so the PLAT runs
# with allow-wkp-non-global yes (RFC 6052 section 3.1). lib.sh's clat_topology also installs an
# nftables masquerade of 198.51.100.0/24, which this test's addresses never use.
# Last line: "plat_clat: N passed, M failed".
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-pl-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}sv
ALL_NS="$NSC $NSR $NSS"
PREFIX6=2001:db8:1::
R6=2001:db8:1::1
RS4=203.0.113.1
S4=203.0.113.2
PLAT=64:ff9b::/96
POOL4=192.0.2.128/28
PLAT_MODE=${PLAT_MODE:-stateful}

preconditions ip nft radvd socat curl tcpdump ping timeout sha256sum ss cmp
need_xlat464
make_tmp x4-pl-clat
say "# plat_clat: namespaces ${P}*, temp $tmp, PLAT mode $PLAT_MODE"

clat_topology x4plclat
clat_wait_slaac

PCTL=$tmp/plat.sock
ip netns exec "$NSR" "$XLAT464" plat --mode "$PLAT_MODE" --pool6 "$PLAT" --allow-wkp-non-global yes \
	--pool4 "$POOL4" --log "$tmp/plat-events.log" --log-events bib --control "$PCTL" --foreground \
	>"$tmp/plat.log" 2>&1 &
plat_pid=$!
pids+=("$plat_pid")
wait_until 5 test -S "$PCTL" || die "xlat464 plat did not start: $(cat "$tmp/plat.log")"

CTL=$tmp/clat.sock
daemon_log=$tmp/clat.log
ip netns exec "$NSC" "$XLAT464" clat --pref64 "$PLAT" --uplink c-r --no-dns64 --control "$CTL" --foreground \
	>"$daemon_log" 2>&1 &
daemon_pid=$!
wait_daemon 15 grep -q -- "-> running" "$daemon_log" || die "xlat464 clat did not come up: $(tail -n 5 "$daemon_log")"
A1=$(sed -n 's/.*: CLAT \([0-9a-f:]*\) = 192.0.0.1 via.*/\1/p' "$daemon_log" | tail -n 1)
say "# CLAT address $A1"

mkdir -p "$tmp/www"
head -c 300000 /dev/urandom >"$tmp/www/page.bin"
ip netns exec "$NSS" timeout 300 "$PY" -m http.server 8080 --bind "$S4" --directory "$tmp/www" >"$tmp/http.log" 2>&1 &
pids+=($!)
wait_listen "$NSS" tcp 8080 >/dev/null || die "http server"

check ipv4-ping-through-clat-and-plat nsx "$NSC" ping -c 3 -W 2 "$S4"
# Both translators' counters and drops, for a check that failed.
translators() {
	echo "-- PLAT:"
	"$XLAT464" status --control "$PCTL" | sed -n '/^packets_4to6/,$p'
	echo "-- CLAT:"
	"$XLAT464" status --control "$CTL" | sed -n '/^packets_4to6/,$p'
	echo "-- the client's stack:"
	nsx "$NSC" nstat -az TcpInCsumErrors TcpInErrs IpInHdrErrors IpInDiscards IpInTruncatedPkts IpInAddrErrors \
		TcpExtTCPLostRetransmit TcpRetransSegs 2>/dev/null
	nsx "$NSS" ss -tin src "$S4" 2>/dev/null | head -n 6
}
curl_page() {
	nsx "$NSC" timeout 20 curl -sS --max-time 15 -o "$tmp/got.bin" "http://$S4:8080/page.bin" || { translators; return 1; }
	cmp "$tmp/www/page.bin" "$tmp/got.bin" && echo "300000 bytes over HTTP, identical"
}
check ipv4-curl-through-clat-and-plat curl_page
make_payloads
check ipv4-tcp-2MiB-sha256 tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5001 "$tmp/blob"
udp_echo_server "$NSS" 7777
check ipv4-udp-echo udp_echo "$NSC" "UDP4:$S4:7777" "$tmp/udp.small"

# IPsec NAT traversal as Wi-Fi calling sends it: UDP port 4500, checksum zero, 1,600-byte datagrams
# that the stacks at both ends fragment. The CLAT (one way) and the PLAT (the other) reassemble them
# to give them the checksum IPv6 requires (RFC 7915 section 4.5, RFC 6146 section 3.4). The IPv6
# link between them is captured whole, and every datagram on it is checked.
ip netns exec "$NSR" timeout 60 tcpdump --immediate-mode -n -U -s 0 -c 40 -i r-c -w "$tmp/nat-t.pcap" \
	'ip6 and (udp port 4500 or ip6[6] == 44)' >/dev/null 2>&1 &
nat_t_cap=$!
pids+=("$nat_t_cap")
ip netns exec "$NSS" timeout 60 "$PY" "$here/plat_flows.py" nocsum-echo "$S4" 4500 10 40 &
pids+=($!)
wait_listen "$NSS" udp 4500 >/dev/null || die "UDP 4500 echo server"
sleep 0.5 # tcpdump is listening
nat_t() {
	nsx "$NSC" timeout 40 "$PY" "$here/plat_flows.py" nocsum-send "$S4" 4500 10 1600 | tee "$tmp/nat-t.out"
	grep -qx "echoed 10 of 10" "$tmp/nat-t.out" || { translators; return 1; }
}
check ipv4-udp-4500-checksum-zero-1600-bytes-both-ways nat_t
nat_t_wire() {
	wait_until 5 pid_gone "$nat_t_cap" || echo "(capture still running: fewer than 40 packets)"
	"$PY" - "$tmp/nat-t.pcap" <<'PYEOF'
import sys
from scapy.all import IPv6, UDP, IPv6ExtHdrFragment, defragment6, rdpcap, raw
pkts = rdpcap(sys.argv[1])
frags = [p for p in pkts if IPv6ExtHdrFragment in p]
whole = [p[IPv6] for p in pkts if IPv6ExtHdrFragment not in p and UDP in p]
groups = {}
for p in frags:
    groups.setdefault((p[IPv6].src, p[IPv6].dst, p[IPv6ExtHdrFragment].id), []).append(p[IPv6])
for g in groups.values():
    whole.append(defragment6(g))
ways = {}
bad = 0
for p in whole:
    p = IPv6(raw(p))
    if UDP not in p or p[UDP].sport != 4500 and p[UDP].dport != 4500:
        continue
    got = p[UDP].chksum
    del p[UDP].chksum
    want = IPv6(raw(p))[UDP].chksum
    ok = got != 0 and got == want and len(p[UDP].payload) == 1600
    bad += not ok
    way = "to-plat" if p[UDP].dport == 4500 else "to-clat"
    ways[way] = ways.get(way, 0) + 1
    if not ok:
        print("bad: %s -> %s checksum %#x want %#x, %d bytes" % (p.src, p.dst, got, want, len(p[UDP].payload)))
print("%d fragments; datagrams %s, %d bad" % (len(frags), ways, bad))
sys.exit(0 if bad == 0 and ways.get("to-plat", 0) >= 10 and ways.get("to-clat", 0) >= 10 else 1)
PYEOF
}
check udp-4500-on-ipv6-fragmented-with-valid-checksums nat_t_wire
# each translator made them whole, and dropped none
reassembled() { # CONTROL: the daemon's reassembled datagrams and its drops about checksum zero
	"$XLAT464" status --control "$1" --json | "$PY" -c '
import json, sys
j = json.load(sys.stdin)
d = j["drops"]
bad = {k: v for k, v in d.items() if (k.startswith("udp-zero") or k.startswith("reassembly")) and v}
print("reassembled %d datagrams, computed %d checksums, drops %s" % (j["reassembled_datagrams"], j["udp_checksums_computed"], bad))
sys.exit(0 if j["reassembled_datagrams"] >= 10 and j["udp_checksums_computed"] >= 10 and not bad else 1)'
}
check clat-reassembled-nat-t reassembled "$CTL"
check plat-reassembled-nat-t reassembled "$PCTL"

# the PLAT saw the CLAT's address as its client, and logged its binding
plat_saw_clat() {
	"$XLAT464" status --control "$PCTL" --sessions | tee "$tmp/sessions.txt"
	grep -q " $A1" "$tmp/sessions.txt" || grep -q "^lease $A1 " "$tmp/sessions.txt"
}
check plat-sessions-show-clat-address plat_saw_clat
logged() {
	sleep 1.5
	cat "$tmp/plat-events.log"
	grep -qE "Z nat64 (bib-add tcp $A1#[0-9]+ 192\.0\.2\.1[2-4][0-9]#[0-9]+|lease-add $A1 192\.0\.2\.)" "$tmp/plat-events.log"
}
check plat-logged-clat-binding logged

check clat-stop stop_daemon 5
kill -TERM "$plat_pid"
check plat-stop wait_until 5 pid_gone "$plat_pid"

say "plat_clat: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
