# shellcheck shell=bash
# Helpers shared by the namespace tests (siit_e2e.sh, clat_e2e.sh, ra.sh and most others). Not a
# test: this file is sourced, never run, and is mode 0644 on purpose, because scripts/test.sh runs every
# *executable* tests/netns/*.sh. Each test starts with
#
#     set -u                               # (siit_cli.sh: set -euo pipefail; everything here copes)
#     . "$(dirname "$0")/lib.sh"
#
# and then sets ALL_NS (its namespaces, deleted at exit) before it creates any. Sourcing this file sets
# LC_ALL=C, the defaults below, and the EXIT/INT/TERM traps: at exit every process whose pid is in
# $daemon_pid or ${pids[@]} gets SIGTERM (SIGKILL 5 s later), the function cleanup_extra runs when the
# test defines one, the namespaces in $ALL_NS are deleted, and $tmp is removed unless a check failed,
# the exit status is not 0, or KEEP=1. A test's function check_failed_extra, when it has one, runs
# after a failed check's own output (to show the tail of a daemon log that is still running, say).
#
# Background processes are started with `ip netns exec NS CMD ... &` written out where they start (in
# the test or in a function here), never through nsx, so that $! is the real pid; they go into pids (or
# daemon_pid for the daemon under test), and only those pids are ever signalled.
#
# Results: `check NAME FUNCTION [ARGS...]` runs FUNCTION with its output in $tmp/NAME.log and prints
# "PASS NAME" or "FAIL NAME" (on failure: the log's tail, the daemon log's tail when the daemon died, and
# what the captures in $tmp/*.pcap saw while the check ran); `ok MESSAGE` / `bad MESSAGE` count a result
# a test decided itself; `finish` prints "N passed, N failed" and returns 1 when a check failed (make it
# the script's last command). `die` is for setup failures: exit status 2.
#
# Environment (all tests): XLAT464=path of the binary (default build/xlat464 of this repository),
# KEEP=1 keeps the temporary directory, VERBOSE=1 prints every passing check's log too.
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
XLAT464=${XLAT464:-$here/../../build/xlat464}
KEEP=${KEEP:-0}
VERBOSE=${VERBOSE:-0}
PY=/usr/bin/python3

pass=0
fail=0
pids=()      # background processes the test started (signalled by pid at exit)
daemon_pid=  # the daemon under test, while it runs
daemon_log=  # its log, shown by check when the daemon has died
tmp=         # the temporary directory (make_tmp)
ALL_NS=      # the test's namespaces

say() { printf '%s\n' "$*"; }
die() { say "setup: $*" >&2; exit 2; }
# Foreground commands only (see above: `nsx ... &` would make $! the pid of a subshell).
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

# ---- exit -----------------------------------------------------------------------------------------
netns_cleanup() {
	local rc=$? p ns
	for p in $daemon_pid "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || :; done
	for p in $daemon_pid "${pids[@]}"; do
		wait_until 5 pid_gone "$p" || kill -KILL "$p" 2>/dev/null || :
		wait "$p" 2>/dev/null || :
	done
	if declare -F cleanup_extra >/dev/null; then cleanup_extra || :; fi
	for ns in $ALL_NS; do ip netns del "$ns" 2>/dev/null || :; done
	if [ -n "$tmp" ] && [ -d "$tmp" ]; then
		if [ "$fail" -eq 0 ] && [ "$rc" -eq 0 ] && [ "$KEEP" != 1 ]; then
			rm -rf "$tmp"
		else
			say "logs and captures kept in $tmp"
		fi
	fi
}
trap netns_cleanup EXIT
trap 'exit 130' INT TERM

# ---- results --------------------------------------------------------------------------------------
ok() { say "PASS $*"; pass=$((pass + 1)); }
bad() { say "FAIL $*"; fail=$((fail + 1)); }

# check NAME FUNCTION [ARGS...]: runs the function with its output in $tmp/NAME.log.
# On failure it prints the log's tail and what the captures saw while the check ran.
check() {
	local name=$1; shift
	local log=$tmp/$name.log t0 t1
	t0=$(date +%s.%N)
	if "$@" >"$log" 2>&1; then
		ok "$name"
		if [ "$VERBOSE" = 1 ]; then sed 's/^/    /' "$log"; fi
	else
		bad "$name"
		sed 's/^/    /' "$log" | tail -n 25 || :
		t1=$(date +%s.%N)
		if [ -n "$daemon_pid" ] && [ -n "$daemon_log" ] && ! kill -0 "$daemon_pid" 2>/dev/null; then
			say "    -- the translator is not running; $(basename "$daemon_log") ends:"
			tail -n 5 "$daemon_log" | sed 's/^/       /' || :
		fi
		pcap_excerpt "$t0" "$t1"
		if declare -F check_failed_extra >/dev/null; then check_failed_extra || :; fi
	fi
	return 0
}

pcap_excerpt() { # T0 T1: the first packets of each capture between two times
	local f
	for f in "$tmp"/*.pcap; do
		[ -s "$f" ] || continue
		say "    -- $(basename "$f" .pcap):"
		tcpdump -tt -n -v -r "$f" 2>/dev/null | awk -v a="$1" -v b="$2" '
			/^[0-9]/ { show = ($1 + 0 >= a + 0 && $1 + 0 <= b + 0) }
			show && n++ < 12 { print "       " $0 }' || :
	done
}

finish() { say "$pass passed, $fail failed"; [ "$fail" -eq 0 ]; }

# ---- setup ----------------------------------------------------------------------------------------
preconditions() { # COMMAND...: root, each COMMAND on PATH, and $PY
	local c
	[ "$(id -u)" -eq 0 ] || die "must run as root"
	for c; do
		command -v "$c" >/dev/null || die "missing command: $c (see scripts/install-deps.sh)"
	done
	[ -x "$PY" ] || die "missing $PY"
}
need_xlat464() { [ -x "$XLAT464" ] || die "no xlat464 binary at $XLAT464 (run make, or set XLAT464=)"; }
need_scapy() { "$PY" -c 'import scapy.all' 2>/dev/null || die "scapy is missing (apt-get install python3-scapy)"; }

make_tmp() { # NAME: $tmp becomes a new /tmp/NAME.XXXXXX, readable by the daemons' unprivileged users
	tmp=$(mktemp -d "/tmp/$1.XXXXXX") || die "mktemp"
	chmod 755 "$tmp"
}

make_namespaces() { # [SYSCTL=VALUE...]: each of $ALL_NS, with lo up and these sysctls
	local ns
	for ns in $ALL_NS; do
		ip netns add "$ns" || die "ip netns add $ns"
		nsx "$ns" ip link set lo up
		[ "$#" -eq 0 ] || nsx "$ns" sysctl -qw "$@" >/dev/null || die "sysctl in $ns"
	done
}

# h6_x_s4_topology [HOST6...]: the siit tests' and benches' three namespaces, $NS6 (an IPv6-only host,
# HOST6 addresses, default 2001:db8:6::2, /64 on h-x) == $NSX (a router forwarding both families:
# 2001:db8:6::1/64 on x-h, 203.0.113.1/24 on x-s) == $NS4 (an IPv4-only server, 203.0.113.2/24 on s-x).
h6_x_s4_topology() {
	local a
	nsx "$NSX" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
	ip -n "$NS6" link add h-x type veth peer name x-h netns "$NSX" || die "veth h-x"
	ip -n "$NSX" link add x-s type veth peer name s-x netns "$NS4" || die "veth x-s"
	for a in "${@:-2001:db8:6::2}"; do ip -n "$NS6" addr add "$a/64" dev h-x nodad || die "address $a"; done
	ip -n "$NS6" link set h-x up
	ip -n "$NS6" -6 route add default via 2001:db8:6::1
	ip -n "$NSX" addr add 2001:db8:6::1/64 dev x-h nodad
	ip -n "$NSX" addr add 203.0.113.1/24 dev x-s
	ip -n "$NSX" link set x-h up
	ip -n "$NSX" link set x-s up
	ip -n "$NS4" addr add 203.0.113.2/24 dev s-x
	ip -n "$NS4" link set s-x up
	ip -n "$NS4" route add default via 203.0.113.1
}

# capture NS IFACE NAME COUNT [FILTER...]: tcpdump into $tmp/NAME.pcap, bounded in count and time.
capture() {
	local ns=$1 ifc=$2 name=$3 count=$4
	shift 4
	ip netns exec "$ns" timeout 600 tcpdump --immediate-mode -n -U -s 256 -c "$count" -i "$ifc" \
		-w "$tmp/$name.pcap" "$@" >/dev/null 2>&1 &
	pids+=($!)
}

make_payloads() { # $tmp/blob (2 MiB), $tmp/udp.small (1200 bytes), $tmp/udp.large (3000 bytes: fragments)
	dd if=/dev/urandom of="$tmp/blob" bs=1M count=2 status=none
	head -c 600 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/udp.small"
	head -c 1500 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/udp.large"
}

# ---- waiting --------------------------------------------------------------------------------------
# wait_until SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds; its status after SECONDS.
wait_until() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		n=$((n - 1))
		sleep 0.1
	done
	"$@"
}
# wait_daemon SECONDS COMMAND...: the same, but gives up as soon as $daemon_pid has exited.
wait_daemon() {
	local n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		kill -0 "$daemon_pid" 2>/dev/null || break
		n=$((n - 1))
		sleep 0.1
	done
	"$@"
}
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
exists() { [ -e "$1" ]; }

# lladdr NS IF: prints IF's link-local address once it has passed DAD (10 s at most).
lladdr() {
	wait_until 10 lladdr_now "$@" >/dev/null && lladdr_now "$@"
}
lladdr_now() {
	local a
	a=$(nsx "$1" ip -6 addr show dev "$2" scope link | grep -v tentative |
		sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p' | head -n 1)
	[ -n "$a" ] && echo "$a"
}
daemon_gone() { pid_gone "$daemon_pid"; }

wait_log() { # LOG PATTERN [SECONDS]: PATTERN (grep) appears in LOG within SECONDS (default 10)
	wait_until "${3:-10}" grep -q -- "$2" "$1" && return 0
	echo "not in $1 within ${3:-10} s: $2"
	return 1
}

wait_listen() { # NS tcp|udp PORT: a socket listens on PORT in NS within 5 s
	local flag=-ltn
	[ "$2" = udp ] && flag=-lun
	wait_until 5 listening "$1" "$flag" "$3" && return 0
	echo "nothing listening on $2 port $3 in $1"
	return 1
}
listening() { nsx "$1" ss -H "$2" "sport = :$3" | grep -q .; }

# stop_daemon SECONDS: SIGTERM to $daemon_pid; returns its exit status, or 1 (after SIGKILL) when it
# still runs SECONDS later. Either way daemon_pid is empty afterwards.
stop_daemon() {
	local rc
	kill -TERM "$daemon_pid" || return 1
	if ! wait_until "$1" daemon_gone; then
		echo "still running $1 s after SIGTERM"
		kill -KILL "$daemon_pid"
		wait "$daemon_pid"
		daemon_pid=
		return 1
	fi
	rc=0
	wait "$daemon_pid" || rc=$?
	daemon_pid=
	echo "exit status $rc"
	return "$rc"
}

# ---- a daemon's status, and values checked in a log --------------------------------------------
# st ARGS...: `xlat464 status` of the daemon whose control socket is $CTL; jget EXPR: a value from
# its `--json` (EXPR in Python over the parsed object j). ge/le/eq NAME VALUE WANT: print the
# comparison, true when it holds.
st() { "$XLAT464" status --control "$CTL" "$@"; }
jget() { st --json | "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }
ge() { echo "$1 = $2 (want >= $3)"; [ "$2" -ge "$3" ] 2>/dev/null; }
le() { echo "$1 = $2 (want <= $3)"; [ "$2" -le "$3" ] 2>/dev/null; }
eq() { echo "$1 = $2 (want $3)"; [ "$2" = "$3" ]; }

# ---- traffic --------------------------------------------------------------------------------------
# tcp_copy SRC_NS DST_NS LISTEN_ADDR CONNECT_ADDR PORT FILE [pull]: byte-exact transfer of FILE from
# SRC_NS to DST_NS with socat, sha256 on both ends. DST_NS listens (LISTEN_ADDR:PORT) and SRC_NS connects
# (CONNECT_ADDR:PORT); with "pull" SRC_NS listens and sends, and DST_NS connects and receives.
tcp_copy() {
	local src=$1 dst=$2 laddr=$3 caddr=$4 port=$5 file=$6 mode=${7:-push} rx lpid lns rc h1 h2
	rx=$tmp/rx.$port
	rm -f "$rx"
	if [ "$mode" = pull ]; then
		ip netns exec "$src" timeout 30 socat -u "OPEN:$file" "$laddr:$port,reuseaddr" &
		lpid=$! lns=$src
	else
		ip netns exec "$dst" timeout 30 socat -u "$laddr:$port,reuseaddr" "CREATE:$rx" &
		lpid=$! lns=$dst
	fi
	wait_listen "$lns" tcp "$port" || { kill "$lpid" 2>/dev/null; return 1; }
	if [ "$mode" = pull ]; then
		nsx "$dst" timeout 30 socat -u "$caddr:$port" "CREATE:$rx"
	else
		nsx "$src" timeout 30 socat -u "OPEN:$file" "$caddr:$port"
	fi
	rc=$?
	wait "$lpid" || { echo "the listening side failed"; rc=1; }
	h1=$(sha256sum <"$file" | cut -d' ' -f1)
	h2=$(sha256sum <"$rx" 2>/dev/null | cut -d' ' -f1)
	echo "sent     $(stat -c %s "$file") bytes sha256 $h1"
	echo "received $(stat -c %s "$rx" 2>/dev/null || echo 0) bytes sha256 $h2"
	[ "$rc" -eq 0 ] && [ -n "$h1" ] && [ "$h1" = "$h2" ]
}

udp_echo_server() { # NS PORT: a socat UDP echo on PORT in NS (IPv4), for udp_echo
	ip netns exec "$1" timeout 300 socat -T 5 "UDP4-RECVFROM:$2,fork" PIPE >/dev/null 2>&1 &
	pids+=($!)
	wait_listen "$1" udp "$2" >/dev/null
}

udp_echo() { # SRC_NS CONNECT_ADDR PAYLOAD_FILE: the datagram comes back unchanged
	local out=$tmp/udp.reply
	rm -f "$out"
	nsx "$1" timeout 10 socat -t 3 -T 5 STDIO "$2" <"$3" >"$out"
	echo "sent $(stat -c %s "$3") bytes, got $(stat -c %s "$out") bytes back"
	cmp "$3" "$out"
}

# traceroute_check NS DEST "NEED..." TRACEROUTE_ARGS...: the destination is reached (the last hop is
# the destination) and, for each NEED (addresses separated by |), some hop before it is one of them.
traceroute_check() {
	local ns=$1 dst=$2 needs=$3 out hops last need a found
	shift 3
	out=$(nsx "$ns" timeout 60 traceroute "$@" "$dst" 2>&1)
	echo "$out"
	hops=$(echo "$out" | awk '$1 ~ /^[0-9]+$/ { print $2 }')
	last=$(echo "$hops" | tail -n 1)
	[ "$last" = "$dst" ] || { echo "destination $dst not reached (last hop: $last)"; return 1; }
	hops=$(echo "$hops" | sed '$d')
	echo "$hops" | grep -qvx '\*' || { echo "no answering hop before the destination"; return 1; }
	for need in $needs; do
		found=0
		for a in ${need//|/ }; do
			echo "$hops" | grep -qFx "$a" && found=1
		done
		[ "$found" = 1 ] || { echo "no hop before the destination is $need"; return 1; }
	done
}

# ---- the CLAT tests' topology (clat_e2e.sh, clat_prefix.sh) -----------------------------------------
# clat_names TAG: the names and addresses of the CLAT tests' topology: namespaces TAG-PID-{cl,rt,sv}
# (NSC, NSR, NSS, ALL_NS), the client's /64 and the router on it (PREFIX6, R6), the PLAT prefix, the
# router's and the server's IPv4 addresses (RS4, S4).
clat_names() {
	P=$1-$$-
	NSC=${P}cl
	NSR=${P}rt
	NSS=${P}sv
	ALL_NS="$NSC $NSR $NSS"
	PREFIX6=2001:db8:1::
	R6=2001:db8:1::1
	PLAT=2001:db8:64::/96
	RS4=203.0.113.1
	S4=203.0.113.2
}

# Client $NSC (c-r: SLAAC in $PREFIX6/64 from radvd, IPv6 default route from its RAs) == router $NSR
# (r-c $R6/64, r-s $RS4/24, forwarding; radvd; nftables masquerade of 198.51.100.0/24 out of r-s, the
# PLATs' pools) == server $NSS (s-r $S4/24, default via $RS4). The TAYGA PLATs are clat_tayga's.

# clat_link_tun TYPE: the client's uplink as a layer-3 link, as a raw-IP cellular modem (qmi_wwan,
# mhi: TYPE none or rawip) or PPP (TYPE ppp) presents it: no link-layer address, no neighbour
# discovery. Two TUNs, c-r in $NSC and r-c in $NSR, joined by tests/tools/tunrelay (pid in pids); a
# PPP link gets its link-local addresses by hand, as pppd sets them after IPV6CP (the kernel makes
# none for ARPHRD_PPP, and SLAAC takes the interface identifier from it).
TUNRELAY=${TUNRELAY:-$here/../../build/tests/tunrelay}
clat_link_tun() {
	[ -x "$TUNRELAY" ] || die "no $TUNRELAY (run make)"
	"$TUNRELAY" --type "$1" c-r r-c >"$tmp/tunrelay.out" 2>"$tmp/tunrelay.log" &
	pids+=($!)
	wait_until 5 grep -q ready "$tmp/tunrelay.out" || die "tunrelay did not start: $(cat "$tmp/tunrelay.log")"
	ip link set c-r netns "$NSC" || die "c-r into $NSC"
	ip link set r-c netns "$NSR" || die "r-c into $NSR"
	if [ "$1" = ppp ]; then # up first: the kernel routes link-local multicast only on a link that is up
		ip -n "$NSC" link set c-r up
		ip -n "$NSR" link set r-c up
		ip -n "$NSC" addr add fe80::5eed:c1/64 dev c-r
		ip -n "$NSR" addr add fe80::1/64 dev r-c
	fi
}

clat_topology() { # NFT_TABLE [veth|none|rawip|ppp]: namespaces, links, addresses, radvd and the NAT44 (table ip NFT_TABLE)
	local link=${2:-veth} lladdr=""
	make_namespaces net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0
	nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"

	if [ "$link" = veth ]; then
		ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth c-r"
	else
		clat_link_tun "$link"
		lladdr="AdvSourceLLAddress off;" # no link-layer address to announce
	fi
	ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die "veth r-s"

	nsx "$NSC" sysctl -qw net.ipv6.conf.c-r.accept_ra=1 net.ipv6.conf.c-r.autoconf=1 >/dev/null
	ip -n "$NSC" link set c-r up
	ip -n "$NSR" addr add "$R6/64" dev r-c nodad
	ip -n "$NSR" addr add "$RS4/24" dev r-s
	ip -n "$NSR" link set r-c up
	ip -n "$NSR" link set r-s up
	ip -n "$NSS" addr add "$S4/24" dev s-r
	ip -n "$NSS" link set s-r up
	ip -n "$NSS" route add default via "$RS4"

	cat >"$tmp/radvd.conf" <<-EOF
		interface r-c {
			AdvSendAdvert on;
			MinRtrAdvInterval 3;
			MaxRtrAdvInterval 10;
			$lladdr
			prefix ${PREFIX6}/64 { AdvOnLink on; AdvAutonomous on; };
		};
	EOF
	ip netns exec "$NSR" timeout 900 radvd -n -C "$tmp/radvd.conf" -p "$tmp/radvd.pid" -m stderr >"$tmp/radvd.log" 2>&1 &
	pids+=($!)

	nsx "$NSR" nft -f - <<-EOF || die "nft"
		table ip $1 {
			chain post {
				type nat hook postrouting priority 100;
				oifname "r-s" ip saddr 198.51.100.0/24 masquerade
			}
		}
	EOF
}

# clat_tayga TUN PREFIX6 POOL4 ADDR4 [ROUTE4...]: a TAYGA PLAT in $NSR on the TUN device TUN (files
# $tmp/tayga-TUN.conf, .log and data directory), routes PREFIX6 and each ROUTE4 to it; tayga_pid.
clat_tayga() {
	local tun=$1 prefix=$2 pool=$3 addr=$4 r
	shift 4
	mkdir -p "$tmp/tayga-$tun"
	printf 'tun-device %s\nipv4-addr %s\nprefix %s\ndynamic-pool %s\ndata-dir %s\n' \
		"$tun" "$addr" "$prefix" "$pool" "$tmp/tayga-$tun" >"$tmp/tayga-$tun.conf"
	ip -n "$NSR" tuntap add "$tun" mode tun || die "tuntap $tun"
	ip -n "$NSR" link set "$tun" up
	ip netns exec "$NSR" timeout 900 tayga -c "$tmp/tayga-$tun.conf" --nodetach >"$tmp/tayga-$tun.log" 2>&1 &
	tayga_pid=$!
	pids+=("$tayga_pid")
	for r in "$prefix" "$@"; do
		ip -n "$NSR" route add "$r" dev "$tun" || die "route $r"
	done
}

clat_slaac_done() { # an address in $PREFIX6/64 out of DAD, and an IPv6 default route
	nsx "$NSC" ip -6 addr show dev c-r scope global | grep -v tentative | grep -q "inet6 ${PREFIX6%::}:" &&
		nsx "$NSC" ip -6 route show default | grep -q .
}
clat_wait_slaac() { # up to 15 s
	wait_until 15 clat_slaac_done
	nsx "$NSC" ip -6 route show default | grep -q . ||
		die "no SLAAC/default route on the client (radvd: $(tail -n 3 "$tmp/radvd.log"))"
}
