#!/bin/bash
# A SYN flood from ten subscribers held at their session cap must not starve another subscriber
# (`xlat464 plat --bpf-offload`, per-subscriber limits in the TC program before the TUN). Network
# namespaces are created and deleted by this script. Run as root: sudo tests/netns/plat_flood.sh
#
#   ns x4-fl-N-c: the client          ns x4-fl-N-r: router + xlat464 plat            ns x4-fl-N-s: IPv4 server
#  +--------------------------+    +----------------------------------------------+    +--------------------+
#  | c-r 2001:db8:1::10/64    |====| r-c 2001:db8:1::1/64       r-s 198.51.100.1/24 |====| s-r 198.51.100.2/24|
#  +--------------------------+    |  TUN plat0 (64:ff9b::/96, 203.0.113.0/24)     |    | http :8080         |
#  ns x4-fl-N-f: the flooders      |  bpf-offload r-c r-f r-s                      |    +--------------------+
#  +--------------------------+    |  max-sessions-per-subscriber 64               |
#  | f-r: SYNs from           |====| r-f 2001:db8:2::1/64                          |
#  | 2001:db8:f000:0..9::/64  |    +----------------------------------------------+
#  +--------------------------+
#
# build/tests/synflood sends FLOOD_PPS (default 200000) IPv6 SYNs per second for FLOOD_SECS (12) from
# the ten /64s to the server's port 9, where nothing listens. Each flooder /64 reaches its 64
# sessions at once; from then on the daemon refuses its new flows (nat64-limit-subscriber-sessions)
# and holds it in the kernel map, and the TC program drops its SYNs before the TUN
# (nat64-limit-subscriber-held). Meanwhile the client downloads a 1 MB file 20 times in a row.
# Checks: 20 of 20 downloads complete and identical, the slowest within 2 s; the kernel dropped
# flood SYNs as held, and less than 1% of the flood came out of the TUN to the daemon. FLOOD_HOLD_MS=0 runs the same without the
# hold (what the PLAT did before), to compare. Last line: "plat_flood: N passed, M failed".
# The PLAT runs two workers (FLOOD_WORKERS): what passes the kernel's limits is spread over them.
# Environment: XLAT464=path, KEEP=1, VERBOSE=1, FLOOD_PPS, FLOOD_SECS, FLOOD_HOLD_MS, FLOOD_WORKERS.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x4-fl-$$-
NSC=${P}c
NSF=${P}f
NSR=${P}r
NSS=${P}s
ALL_NS="$NSC $NSF $NSR $NSS"
C6=2001:db8:1::10
S4=198.51.100.2
S4_AS6=64:ff9b::c633:6402
FLOOD_PPS=${FLOOD_PPS:-200000}
FLOOD_SECS=${FLOOD_SECS:-12}
FLOOD_HOLD_MS=${FLOOD_HOLD_MS:-1000}
FLOOD_WORKERS=${FLOOD_WORKERS:-2} # what is left after the kernel's limits is spread over two workers
SYNFLOOD=${SYNFLOOD:-$(dirname "$XLAT464")/tests/synflood}
DOWNLOADS=20

preconditions ip curl timeout tc
need_xlat464
[ -x "$SYNFLOOD" ] || die "$SYNFLOOD: not built (make)"
make_tmp x4-fl
say "# plat_flood: namespaces ${P}*, temp $tmp, $FLOOD_PPS SYN/s for $FLOOD_SECS s, hold $FLOOD_HOLD_MS ms"

make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 net.ipv4.conf.all.rp_filter=0 \
	>/dev/null || die "forwarding"
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
ip -n "$NSF" link add f-r type veth peer name r-f netns "$NSR" || die "veth f-r"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"
ip -n "$NSC" addr add "$C6/64" dev c-r nodad
ip -n "$NSC" link set c-r up
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSF" addr add 2001:db8:2::10/64 dev f-r nodad
ip -n "$NSF" link set f-r up
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 2001:db8:2::1/64 dev r-f nodad
ip -n "$NSR" addr add 198.51.100.1/24 dev r-s
for l in r-c r-f r-s; do
	ip -n "$NSR" link set "$l" up
	nsx "$NSR" sysctl -qw "net.ipv4.conf.$l.rp_filter=0" >/dev/null
done
ip -n "$NSR" -6 route add 2001:db8:f000::/52 via 2001:db8:2::10
ip -n "$NSS" addr add "$S4/24" dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via 198.51.100.1

CTL=$tmp/plat.sock
daemon_log=$tmp/plat.log
ip netns exec "$NSR" "$XLAT464" plat --control "$CTL" --foreground --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
	--pool4 203.0.113.0/24 --bpf-offload r-c r-f r-s --max-sessions-per-subscriber 64 \
	--subscriber-hold-ms "$FLOOD_HOLD_MS" --reply-rate 100 --workers "$FLOOD_WORKERS" >"$daemon_log" 2>&1 &
daemon_pid=$!
wait_daemon 5 test -S "$CTL" || die "xlat464 plat did not start: $(cat "$daemon_log")"
st() { "$XLAT464" status --control "$CTL" "$@"; }

mkdir -p "$tmp/www"
head -c 1000000 /dev/urandom >"$tmp/www/file" || die "payload"
ip netns exec "$NSS" timeout 300 "$PY" -m http.server 8080 --bind "$S4" --directory "$tmp/www" >"$tmp/http.log" 2>&1 &
pids+=($!)
wait_listen "$NSS" tcp 8080 >/dev/null || die "http server"
check warm-up-download nsx "$NSC" timeout 10 curl -sS --max-time 8 -o /dev/null "http://[$S4_AS6]:8080/file"

RMAC=$(ip -n "$NSR" -br link show r-f | awk '{print $3}')
nsx "$NSF" timeout $((FLOOD_SECS + 30)) "$SYNFLOOD" f-r "$RMAC" 2001:db8:f000:: 10 "$S4_AS6" 9 "$FLOOD_PPS" \
	"$FLOOD_SECS" >"$tmp/flood.out" 2>&1 &
flood_pid=$!
pids+=("$flood_pid")
sleep 2 # the flooders reach their caps

downloads() {
	local i t ok=0 slowest=0
	for i in $(seq 1 "$DOWNLOADS"); do
		rm -f "$tmp/got"
		t=$(nsx "$NSC" timeout 30 curl -sS --max-time 25 -o "$tmp/got" -w '%{time_total}' \
			"http://[$S4_AS6]:8080/file" 2>>"$tmp/curl.err") || t=fail
		if [ "$t" != fail ] && cmp -s "$tmp/got" "$tmp/www/file"; then
			ok=$((ok + 1))
			slowest=$("$PY" -c "print(max($slowest, $t))")
		fi
		echo "download $i: $t s"
	done
	echo "$ok of $DOWNLOADS complete and identical; slowest $slowest s"
	echo "$ok $slowest" >"$tmp/downloads.result"
	[ "$ok" -eq "$DOWNLOADS" ] && "$PY" -c "import sys; sys.exit(0 if $slowest <= 2.0 else 1)"
}
check downloads-20-of-20-slowest-within-2s downloads
flood_still_running() { ! pid_gone "$flood_pid" || { echo "the flood ended before the downloads did"; return 1; }; }
check flood-lasted-the-downloads flood_still_running
wait_until $((FLOOD_SECS + 20)) pid_gone "$flood_pid"
say "# flood: $(cat "$tmp/flood.out")"

counted() {
	st --json >"$tmp/status.json"
	"$PY" - "$tmp/status.json" "$(awk '{print $2}' "$tmp/flood.out")" <<'PYEOF'
import json, sys
j = json.load(open(sys.argv[1]))
sent = int(sys.argv[2])
d = j["drops"]
held, sess, tun = d["nat64-limit-subscriber-held"], d["nat64-limit-subscriber-sessions"], j["packets_6to4"]
reached = sess + tun  # what came out of the TUN: refused for the cap, or translated
print("of %d flood SYNs the kernel held %d; the daemon refused %d for the cap and translated %d IPv6 packets:"
      " %.2f%% of the flood reached the TUN (want below 1%%)" % (sent, held, sess, tun, 100.0 * reached / max(sent, 1)))
sys.exit(0 if sess > 0 and held > 0 and reached * 100 < sent else 1)
PYEOF
}
check flood-dropped-before-the-tun counted

check plat-stop stop_daemon 5
finish
