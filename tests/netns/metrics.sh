#!/bin/bash
# shellcheck disable=SC2015 # ok and bad never fail: "A && ok ... || bad ..." is an if-then-else here
# `xlat464 metrics`: the counters of running daemons (siit, plat, clat, ra, dhcp4) in the Prometheus
# text format, printed and served over HTTP, checked with promtool (Debian's prometheus package) and
# against `xlat464 status --json`, in namespaces this script creates and deletes. Run as root.
#
#   ns xmet-N-c: IPv6-only client            ns xmet-N-r: router + xlat464 plat        ns xmet-N-s: IPv4 server
#  +--------------------------------+    +-----------------------------------+    +--------------------+
#  | c-r 2001:db8:1::10/64          |====| r-c 2001:db8:1::1/64              |====| s-r 198.51.100.2/24|
#  | default via 2001:db8:1::1      |    | r-s 198.51.100.1/24               |    | default via .1     |
#  | xlat464 clat on c-r, PREF64    |    | plat0: xlat464 plat (stateful),   |    +--------------------+
#  |   64:ff9b::/96 (to the PLAT)   |    |   pool6 64:ff9b::/96, pool4       |
#  | siit0: xlat464 siit, pool6     |    |   203.0.113.0/28                  |
#  |   2001:db8:64::/96; routes     |    | xlat464 ra on r-c, dhcp4 on r-s   |
#  |   2001:db8:64::/96 and         |    | xlat464 metrics --listen          |
#  |   2001:db8:99::/64 into it     |    |   127.0.0.1:9464                  |
#  +--------------------------------+    +-----------------------------------+
#
# Traffic: pings through the PLAT to the server (translated both ways: sessions); IPv4 pings from the
# client through the CLAT and the PLAT (464XLAT; the CLAT's kernel fast path may carry them); pings
# the server sends to a pool address without a binding (nat64-no-binding drops); pings into the SIIT
# (6to4, then dropped by the client's kernel, which has no IPv4 route) and to 2001:db8:99::1, which
# no pool6 or EAM maps (dst-unmapped drops).
# Checks: `xlat464 metrics --control A --control B ...` passes `promtool check metrics`, keeps each
# family's samples together under one HELP and TYPE, has every drop reason for each translator, and
# agrees with `xlat464 status --json` (packets, a drop reason, ICMP sessions, the CLAT's state and
# fast path, ra's state, every dhcp4 drop reason); a socket nobody answers on is xlat464_up 0;
# `xlat464 metrics --listen` serves the same families at /metrics (promtool passes too), fresh per
# request, answers HEAD, 404 elsewhere and 405 to POST, and exits 0 on SIGTERM.
# Needs root, iproute2, iputils-ping, curl, promtool, /usr/bin/python3. Environment: XLAT464=path,
# KEEP=1, VERBOSE=1. The last line is "metrics: N passed, M failed".
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=xmet-$$-
NSC=${P}c
NSR=${P}r
NSS=${P}s
ALL_NS="$NSC $NSR $NSS"
PORT=9464

preconditions ip ping curl promtool timeout ss
need_xlat464
make_tmp xmet

# ---- topology -------------------------------------------------------------------------------------
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
	net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"
ip -n "$NSC" addr add 2001:db8:1::10/64 dev c-r nodad
ip -n "$NSC" link set c-r up
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 198.51.100.1/24 dev r-s
ip -n "$NSR" link set r-c up
ip -n "$NSR" link set r-s up
ip -n "$NSS" addr add 198.51.100.2/24 dev s-r
ip -n "$NSS" link set s-r up
ip -n "$NSS" route add default via 198.51.100.1
nsx "$NSC" ip tuntap add dev siit0 mode tun || die "tuntap siit0"
nsx "$NSC" ip link set siit0 up
nsx "$NSC" ip -6 route add 2001:db8:64::/96 dev siit0
nsx "$NSC" ip -6 route add 2001:db8:99::/64 dev siit0

# ---- the daemons ----------------------------------------------------------------------------------
SIIT=$tmp/siit.sock
PLAT=$tmp/plat.sock
printf 'tun siit0\npool6 2001:db8:64::/96\neam 192.0.2.1 2001:db8:1::10\n' >"$tmp/siit.conf"
printf 'tun plat0\npool6 64:ff9b::/96\nallow-wkp-non-global yes\npool4 203.0.113.0/28\n' >"$tmp/plat.conf"
ip netns exec "$NSC" "$XLAT464" siit --config "$tmp/siit.conf" --control "$SIIT" >"$tmp/siit.log" 2>&1 </dev/null &
pids+=($!)
daemon_log=$tmp/plat.log
ip netns exec "$NSR" "$XLAT464" plat --config "$tmp/plat.conf" --control "$PLAT" --foreground >"$daemon_log" 2>&1 </dev/null &
daemon_pid=$!
# ra and dhcp4 on the router's links, for their families (no client asks them anything)
RA=$tmp/ra.sock
DHCP4=$tmp/dhcp4.sock
ip netns exec "$NSR" "$XLAT464" ra --interface r-c --pref64 64:ff9b::/96 --control "$RA" --foreground \
	>"$tmp/ra.log" 2>&1 </dev/null &
pids+=($!)
ip netns exec "$NSR" "$XLAT464" dhcp4 --interface r-s --control "$DHCP4" \
	>"$tmp/dhcp4.log" 2>&1 </dev/null &
pids+=($!)
# the CLAT on the client, towards the PLAT: 464XLAT end to end
CLAT=$tmp/clat.sock
ip netns exec "$NSC" "$XLAT464" clat --uplink c-r --pref64 64:ff9b::/96 --control "$CLAT" --foreground \
	>"$tmp/clat.log" 2>&1 </dev/null &
pids+=($!)
answers() { [ -S "$1" ] && "$XLAT464" status --control "$1" >/dev/null 2>&1; }
wait_until 5 answers "$SIIT" || die "siit did not start: $(tail -n 5 "$tmp/siit.log")"
wait_daemon 5 answers "$PLAT" || die "plat did not start: $(tail -n 5 "$daemon_log")"
wait_until 5 answers "$RA" || die "ra did not start: $(tail -n 5 "$tmp/ra.log")"
wait_until 5 answers "$DHCP4" || die "dhcp4 did not start: $(tail -n 5 "$tmp/dhcp4.log")"
wait_until 5 answers "$CLAT" || die "clat did not start: $(tail -n 5 "$tmp/clat.log")"
ok "siit, plat, ra, dhcp4 and clat answer on their control sockets"
clat_running() { "$XLAT464" status --json --control "$CLAT" | grep -q '"state": "running"'; }
check clat-running wait_until 10 clat_running

# ---- traffic --------------------------------------------------------------------------------------
check ping-through-plat nsx "$NSC" ping -6 -n -c 3 -i 0.2 -W 2 64:ff9b::198.51.100.2
check ping-through-clat-and-plat nsx "$NSC" ping -4 -n -c 3 -i 0.2 -W 2 198.51.100.2
nsx "$NSS" ping -n -c 3 -i 0.2 -W 1 203.0.113.9 >/dev/null 2>&1 || : # no binding: dropped
nsx "$NSC" ping -6 -n -c 3 -i 0.2 -W 1 2001:db8:64::198.51.100.2 >/dev/null 2>&1 || : # 6to4, then nowhere
nsx "$NSC" ping -6 -n -c 3 -i 0.2 -W 1 2001:db8:99::1 >/dev/null 2>&1 || : # no mapping: dropped
sleep 0.3

# ---- printed --------------------------------------------------------------------------------------
"$XLAT464" metrics --control "$SIIT" --control "$PLAT" --control "$RA" --control "$DHCP4" --control "$CLAT" \
	>"$tmp/metrics.prom" 2>"$tmp/metrics.err"
for d in siit plat ra dhcp4 clat; do "$XLAT464" status --json --control "$tmp/$d.sock" >"$tmp/$d.json"; done

check promtool-accepts-printed promtool check metrics <"$tmp/metrics.prom"

# families_grouped FILE: every family has one HELP and one TYPE line, and its samples follow them
# with no other family's in between (promtool's parser does not insist on the latter).
families_grouped() {
	"$PY" - "$1" <<-'PY'
		import re, sys
		fam, seen, n = None, set(), 0
		for line in open(sys.argv[1]):
		    line = line.rstrip("\n")
		    m = re.match(r"# (HELP|TYPE) (\S+)", line)
		    if m:
		        if m.group(1) == "HELP":
		            assert m.group(2) not in seen, "family %s twice" % m.group(2)
		            seen.add(m.group(2)); fam = m.group(2)
		        else:
		            assert m.group(2) == fam, "TYPE %s after HELP %s" % (m.group(2), fam)
		        continue
		    name = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
		    assert name == fam, "sample %s under family %s" % (name, fam)
		    n += 1
		print("%d families, %d samples" % (len(seen), n))
		assert len(seen) > 50 and n > 100
	PY
}
check families-grouped families_grouped "$tmp/metrics.prom"

# value FILE FAMILY LABELS...: the value of the sample with these labels (k="v", in any order)
value() {
	"$PY" - "$@" <<-'PY'
		import re, sys
		path, fam, want = sys.argv[1], sys.argv[2], set(sys.argv[3:])
		for line in open(path):
		    m = re.match(r"(\w+)(?:\{(.*)\})? (\S+)$", line.strip())
		    if m and m.group(1) == fam and want <= set(re.findall(r'\w+="[^"]*"', m.group(2) or "")):
		        print(m.group(3)); break
		else:
		    print("absent")
	PY
}
jget_file() { "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
# agree NAME METRIC_VALUE JSON_VALUE MIN: both equal, and at least MIN
agree() { echo "$1: metrics $2, status --json $3 (want equal, >= $4)"; [ "$2" = "$3" ] && [ "$2" -ge "$4" ] 2>/dev/null; }

S='daemon="siit"'
L='daemon="plat"'
M=$tmp/metrics.prom
check siit-packets-6to4 agree packets_6to4 "$(value "$M" xlat464_packets_total "$S" 'direction="6to4"')" \
	"$(jget_file "$tmp/siit.json" 'j["packets_6to4"]')" 3
check siit-drops-dst-unmapped agree dst-unmapped "$(value "$M" xlat464_drops_total "$S" 'reason="dst-unmapped"')" \
	"$(jget_file "$tmp/siit.json" 'j["drops"]["dst-unmapped"]')" 3
check plat-packets-6to4 agree packets_6to4 "$(value "$M" xlat464_packets_total "$L" 'direction="6to4"')" \
	"$(jget_file "$tmp/plat.json" 'j["packets_6to4"]')" 3
check plat-packets-4to6 agree packets_4to6 "$(value "$M" xlat464_packets_total "$L" 'direction="4to6"')" \
	"$(jget_file "$tmp/plat.json" 'j["packets_4to6"]')" 3
check plat-drops-no-binding agree nat64-no-binding "$(value "$M" xlat464_drops_total "$L" 'reason="nat64-no-binding"')" \
	"$(jget_file "$tmp/plat.json" 'j["drops"]["nat64-no-binding"]')" 3
check plat-icmp-sessions agree icmp-sessions "$(value "$M" xlat464_nat64_sessions "$L" 'proto="icmp"')" \
	"$(jget_file "$tmp/plat.json" 'j["sessions"]["icmp"]')" 1
check plat-pool-ports agree ports_total "$(value "$M" xlat464_nat64_pool4_ports "$L")" \
	"$(jget_file "$tmp/plat.json" 'j["pool4"]["ports_total"]')" 1
nreasons=$("$XLAT464" siit --list-drop-reasons | grep -c '^| `')
check siit-every-drop-reason eq siit-drop-samples "$(grep -c "^xlat464_drops_total{$S," "$M")" "$nreasons"
check plat-every-drop-reason eq plat-drop-samples "$(grep -c "^xlat464_drops_total{$L," "$M")" "$nreasons"
check all-up eq daemons-up "$(grep -c '^xlat464_up{.*} 1$' "$M")" 5
C='daemon="clat"'
# the CLAT's pings went through its daemon or its kernel fast path: together at least 3
check clat-packets-4to6 agree packets_4to6 "$(value "$M" xlat464_packets_total "$C" 'direction="4to6"')" \
	"$(jget_file "$tmp/clat.json" 'j["packets_4to6"]')" 0
check clat-fastpath-4to6 agree fast-path-4to6 "$(value "$M" xlat464_fastpath_packets_total "$C" 'direction="4to6"')" \
	"$(jget_file "$tmp/clat.json" 'j["clat"]["fast_path"]["pkts-4to6"]')" 0
check clat-translated-pings ge translated-4to6 \
	$(($(value "$M" xlat464_packets_total "$C" 'direction="4to6"') + \
	$(value "$M" xlat464_fastpath_packets_total "$C" 'direction="4to6"'))) 3
check clat-state-running eq running "$(value "$M" xlat464_clat_state "$C" 'state="running"')" 1
check clat-one-state eq states-set "$(grep -c '^xlat464_clat_state{.*} 1$' "$M")" 1
check clat-info eq pref64 "$(value "$M" xlat464_clat_info "$C" 'pref64="64:ff9b::/96"' 'uplink="c-r"')" 1
check ra-state agree ra-state "$(value "$M" xlat464_ra_state 'daemon="ra"' 'interface="r-c"' \
	"state=\"$(jget_file "$tmp/ra.json" 'j["state"]')\"")" 1 1
check ra-periodic agree ra-periodic "$(value "$M" xlat464_ra_sent_total 'daemon="ra"' 'kind="periodic"')" \
	"$(jget_file "$tmp/ra.json" 'j["ra_sent"]["periodic"]')" 0
check dhcp4-every-drop-reason eq dhcp4-drop-samples \
	"$(grep -c '^xlat464_dhcp4_drops_total{daemon="dhcp4",interface="r-s",' "$M")" \
	"$(jget_file "$tmp/dhcp4.json" 'len(j["drops"])')"

# A socket nobody answers on: xlat464_up 0 for it, the others still reported.
"$XLAT464" metrics --control "$tmp/nobody.sock" --control "$PLAT" >"$tmp/partial.prom" 2>/dev/null
check down-daemon-reported eq nobody-up "$(value "$tmp/partial.prom" xlat464_up "control=\"$tmp/nobody.sock\"")" 0

# ---- served ---------------------------------------------------------------------------------------
ip netns exec "$NSR" "$XLAT464" metrics --listen "127.0.0.1:$PORT" --control "$SIIT" --control "$PLAT" \
	--control "$RA" --control "$DHCP4" --control "$CLAT" >"$tmp/http.log" 2>&1 </dev/null &
http_pid=$!
pids+=("$http_pid")
check http-listening wait_listen "$NSR" tcp "$PORT"
nsx "$NSR" curl -s -D "$tmp/http.headers" "http://127.0.0.1:$PORT/metrics" >"$tmp/scrape.prom"
check promtool-accepts-scrape promtool check metrics <"$tmp/scrape.prom"
check scrape-grouped families_grouped "$tmp/scrape.prom"
check scrape-content-type grep -qi '^content-type: text/plain; version=0.0.4' "$tmp/http.headers"
check scrape-same-families diff <(grep '^# TYPE' "$M") <(grep '^# TYPE' "$tmp/scrape.prom")
code() { nsx "$NSR" curl -s -o /dev/null -w '%{http_code}' "$@"; }
check wrong-path-404 eq status "$(code "http://127.0.0.1:$PORT/")" 404
check post-405 eq status "$(code -X POST "http://127.0.0.1:$PORT/metrics")" 405
check head-200 eq status "$(code -I "http://127.0.0.1:$PORT/metrics")" 200
# read fresh per request: more pings through the PLAT show up in the next scrape
before=$(value "$tmp/scrape.prom" xlat464_packets_total "$L" 'direction="6to4"')
nsx "$NSC" ping -6 -n -c 2 -i 0.2 -W 2 64:ff9b::198.51.100.2 >/dev/null 2>&1
nsx "$NSR" curl -s "http://127.0.0.1:$PORT/metrics" >"$tmp/scrape2.prom"
check scrape-is-fresh ge packets_6to4 "$(value "$tmp/scrape2.prom" xlat464_packets_total "$L" 'direction="6to4"')" \
	$((before + 2))
stop_http() {
	kill -TERM "$http_pid" || return 1
	wait_until 5 pid_gone "$http_pid" || { echo "still running 5 s after SIGTERM"; return 1; }
	local rc=0
	wait "$http_pid" || rc=$?
	echo "exit status $rc"
	[ "$rc" -eq 0 ]
}
check sigterm-stops-server stop_http
check port-closed-after eq listeners "$(nsx "$NSR" ss -Hltn "sport = :$PORT" | wc -l)" 0

say "metrics: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
