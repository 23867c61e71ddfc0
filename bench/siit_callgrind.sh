#!/bin/bash
# Userspace instructions per translated 64-byte UDP packet of the whole stateless daemon (read,
# translate, write, its event loop), under callgrind, for `xlat464 siit` and Debian's TAYGA in the
# same invocation. Not a test: it prints a table.
#   sudo bench/siit_callgrind.sh     Environment: XLAT464=path, K1 (1000), K2 (3000), KEEP=1,
#                                    ONLY=xlat464|tayga, MODES="queued paced" (both)
#
# One namespace; the translator on a TUN made beforehand (txqueuelen above K2, no IPv6 link-local,
# so the kernel itself sends nothing into it). A Python socket in the namespace sends K 64-byte
# IPv4 UDP packets (4to6: 192.0.2.1 -> 198.51.100.2, 64 bytes in, 84 out) or 84-byte IPv6 ones
# (6to4: 2001:db8:eeee::3 -> pool6 + 192.0.2.2) routed into the TUN; the translator writes them back,
# and the kernel drops them (blackhole routes, no ICMP error). The translator runs
# under `valgrind --tool=callgrind`; once all K are written (the TUN's rx counter) it gets SIGTERM
# and callgrind's total over all its threads is read. Two runs, K1 and K2 packets:
# (Ir(K2) - Ir(K1)) / (K2 - K1) cancels start-up and exit.
#
# Figures and what they mean: docs/performance.md, "The siit daemon, per packet".
#
# Two ways of sending:
#   queued: the translator is stopped (SIGSTOP) while the K packets are queued on the TUN, then
#           continued: it drains them as a loaded daemon would (the batching case);
#   paced:  one packet at a time, the next only after the translator wrote the previous and went
#           back to wait: one wake-up per packet, the dearest case per packet.
# Addresses: pool6 2001:db8:6464::/96, EAM 198.51.100.0/24 = 2001:db8:eeee::/120
# (TAYGA: prefix and map); xlat464 siit with its defaults otherwise (one worker).
set -u
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh source-path=SCRIPTDIR
. "$here/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$here/../build/xlat464}
K1=${K1:-1000}
K2=${K2:-3000}
MODES=${MODES:-queued paced}
ONLY=${ONLY:-}

NS=x4-cg-$$
ALL_NS=$NS
TUN=tcg0
POOL6=2001:db8:6464::
preconditions ip valgrind timeout
need_xlat464
command -v tayga >/dev/null || [ "$ONLY" = xlat464 ] || die "missing tayga (apt-get install tayga, or ONLY=xlat464)"
make_tmp x4-cg
make_namespaces net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0 net.ipv6.conf.all.accept_dad=0 \
	net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0
ip -n "$NS" addr add 192.0.2.1/32 dev lo
ip -n "$NS" addr add 2001:db8:eeee::3/128 dev lo nodad
# where the translated packets go: dropped without an ICMP error (which would come back into the TUN)
ip -n "$NS" route add blackhole 192.0.2.2/32
ip -n "$NS" route add blackhole 2001:db8:eeee::2/128

cat >"$tmp/tayga.conf" <<EOF
tun-device $TUN
ipv4-addr 192.0.2.254
prefix $POOL6/96
map 198.51.100.0/24 2001:db8:eeee::/120
EOF

# send.py DIR K MODE: K packets into the TUN; paced waits for each to come back out of the translator
cat >"$tmp/send.py" <<'PYEOF'
import socket, sys, time
d, k, mode, tun = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rx = "/sys/class/net/%s/statistics/rx_packets" % tun
def count():
    with open(rx) as f:
        return int(f.read())
if d == "4to6":
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("192.0.2.1", 4000))
    dst = ("198.51.100.2", 5000)
else:
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("2001:db8:eeee::3", 4000))
    dst = ("2001:db8:6464::c000:202", 5000)
payload = b"x" * 36  # 64-byte IPv4 packet, 84-byte IPv6 packet
base = count()
for i in range(k):
    s.sendto(payload, dst)
    if mode == "paced":
        t = time.time() + 10
        while count() < base + i + 1:
            if time.time() > t:
                sys.exit("packet %d not translated within 10 s" % i)
            time.sleep(0.0005)
        time.sleep(0.002)  # the translator is back in its wait
PYEOF

nstat() { ip netns exec "$NS" cat "/sys/class/net/$TUN/statistics/$1"; }
rx_at_least() { [ "$(nstat rx_packets)" -ge "$1" ]; }

# one TRANSLATOR DIR MODE K: sets ir to callgrind's instruction total (not in a subshell: pids)
one() {
	local tr=$1 dir=$2 mode=$3 k=$4 out=$tmp/cg.$1.$2.$3.$4 pid rx0
	ip -n "$NS" tuntap add dev $TUN mode tun || die "tuntap"
	ip -n "$NS" link set $TUN txqueuelen $((K2 + 1000)) addrgenmode none || die "txqueuelen"
	if [ "$tr" = xlat464 ]; then
		ip netns exec "$NS" timeout 300 valgrind --tool=callgrind --callgrind-out-file="$out" \
			"$XLAT464" siit --tun $TUN --pool6 "$POOL6/96" --eam 198.51.100.0/24 2001:db8:eeee::/120 \
			--control "$tmp/ctl.sock" --foreground >"$tmp/log.$tr.$dir.$mode.$k" 2>&1 &
	else
		ip -n "$NS" link set $TUN mtu 1500 up
		ip netns exec "$NS" timeout 300 valgrind --tool=callgrind --callgrind-out-file="$out" \
			tayga -c "$tmp/tayga.conf" --nodetach >"$tmp/log.$tr.$dir.$mode.$k" 2>&1 &
	fi
	pid=$!
	pids+=("$pid")
	# ready: the TUN is up and attached (TUN's carrier), and a few more seconds for the daemon's wait
	wait_until 30 sh -c "ip -n $NS link show $TUN | grep -q 'state UNKNOWN\|LOWER_UP'" || die "$tr did not start: $(cat "$tmp/log.$tr.$dir.$mode.$k")"
	[ "$tr" = xlat464 ] && { wait_until 30 test -S "$tmp/ctl.sock" || die "xlat464 did not start"; }
	sleep 2
	ip -n "$NS" route add 198.51.100.0/24 dev $TUN
	ip -n "$NS" route add "$POOL6/96" dev $TUN
	rx0=$(nstat rx_packets)
	[ "$mode" = queued ] && kill -STOP "$pid"
	nsx "$NS" timeout 120 "$PY" "$tmp/send.py" "$dir" "$k" "$mode" $TUN || die "sender"
	[ "$mode" = queued ] && kill -CONT "$pid"
	wait_until 120 rx_at_least $((rx0 + k)) ||
		die "$tr $dir $mode: $(($(nstat rx_packets) - rx0)) of $k translated (tx_dropped $(nstat tx_dropped))"
	sleep 0.5
	[ "$(nstat rx_packets)" -eq $((rx0 + k)) ] || die "$tr $dir $mode: $(($(nstat rx_packets) - rx0)) packets came out for $k sent (TUN tx $(nstat tx_packets))"
	kill -TERM "$pid"
	wait_until 30 pid_gone "$pid" || die "$tr did not exit"
	wait "$pid" 2>/dev/null
	ip -n "$NS" link del $TUN 2>/dev/null
	[ -s "$out" ] || die "no callgrind output for $tr"
	ir=$(awk '/^totals:/ { t += $2 } /^summary:/ { s += $2 } END { print (t ? t : s) }' "$out")
}

say "userspace instructions per 64-byte UDP packet (callgrind, (Ir(K2) - Ir(K1)) / (K2 - K1), K1=$K1 K2=$K2)"
printf '%-10s %-6s %-7s %12s %12s %8s\n' translator dir mode "Ir(K1)" "Ir(K2)" instr/pkt
for tr in xlat464 tayga; do
	[ -n "$ONLY" ] && [ "$ONLY" != "$tr" ] && continue
	for mode in $MODES; do
		for dir in 4to6 6to4; do
			one "$tr" "$dir" "$mode" "$K1"
			a=$ir
			one "$tr" "$dir" "$mode" "$K2"
			b=$ir
			printf '%-10s %-6s %-7s %12s %12s %8s\n' "$tr" "$dir" "$mode" "$a" "$b" \
				"$(awk -v a="$a" -v b="$b" -v k1="$K1" -v k2="$K2" 'BEGIN { printf "%.1f", (b - a) / (k2 - k1) }')"
		done
	done
done
say "callgrind outputs in $tmp (KEEP=1 keeps them): callgrind_annotate FILE"
