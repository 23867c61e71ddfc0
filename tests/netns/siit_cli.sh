#!/bin/bash
# shellcheck disable=SC2015 # ok and bad never fail: "A && ok ... || bad ..." is an if-then-else here
# Daemon lifecycle of `xlat464 siit`, in a namespace this script creates and deletes:
#
#   +-------------------- netns xsiitcli-PID --------------------+
#   |  kernel  -- 2001:db8:1::1/64, route 64:ff9b::/96 -->  siit0 (TUN, made beforehand with
#   |                                                        `ip tuntap add`, so it must survive)
#   |  xlat464 siit --tun siit0 --config FILE (pool6 64:ff9b::/96, eam 192.0.2.1 <-> 2001:db8:1::1)
#   +-------------------------------------------------------------+
#
# Checks: bad flags are rejected with a message naming the flag; the daemon starts; ping traffic
# shows up in `xlat464 status` (text and JSON, every drop counter in JSON); the IPv4 TOS is the
# traffic class by default and the configured `tos` after a reload (RFC 7915 section 5.1, seen by
# tcpdump on the TUN); SIGHUP with a broken config keeps the old one, with a good one applies it;
# SIGTERM exits 0, removes the control socket and the pid file, and leaves the TUN, its addresses and
# the config file alone; a daemon whose TUN is deleted exits 1 instead of spinning.
# Needs root, iproute2, iputils-ping, tcpdump, /usr/bin/python3.
# Usage: tests/netns/siit_cli.sh [XLAT464_BIN]
# (or XLAT464_BIN= or XLAT464=; default build/xlat464). Each result prints PASS or FAIL; the last line
# is "N passed, N failed"; exit status 1 when one failed.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh" # say, ok, bad, nsx, the exit cleanup, waits, finish

bin=${1:-${XLAT464_BIN:-$XLAT464}}
ns=xsiitcli-$$
ALL_NS=$ns
preconditions ip ping tcpdump timeout
make_tmp xsiitcli

expect_reject() { # expect_reject NEEDLE ARGS...: siit must fail and name NEEDLE on stderr
	local needle=$1; shift
	if "$bin" siit "$@" >"$tmp/out" 2>"$tmp/err"; then
		bad "siit $* was accepted"
	elif grep -qF -- "$needle" "$tmp/err"; then
		ok "rejected ($needle): $(head -1 "$tmp/err")"
	else
		bad "siit $*: message does not name $needle: $(cat "$tmp/err")"
	fi
}

expect_reject --pool6 --tun siit0 --pool6 64:ff9b::/33
expect_reject --bogus-flag --tun siit0 --pool6 64:ff9b::/96 --bogus-flag
expect_reject --mtu4 --tun siit0 --pool6 64:ff9b::/96 --mtu4
expect_reject --eam --tun siit0 --eam 192.0.2.0/24 2001:db8::/124
expect_reject tun --pool6 64:ff9b::/96
expect_reject --tos --tun siit0 --pool6 64:ff9b::/96 --tos 256

ip netns add "$ns"
nsx "$ns" ip link set lo up
nsx "$ns" ip tuntap add dev siit0 mode tun
nsx "$ns" ip link set siit0 up
nsx "$ns" ip -6 addr add 2001:db8:1::1/64 dev siit0 nodad
nsx "$ns" ip -6 route add 64:ff9b::/96 dev siit0

conf=$tmp/siit.conf
cat >"$conf" <<CONF
tun siit0
pool6 64:ff9b::/96
eam 192.0.2.1 2001:db8:1::1   # the host's address gets 192.0.2.1
allow-wkp-non-global yes      # documentation addresses behind 64:ff9b::/96 (RFC 6052 section 3.1)
self4 198.51.100.1
self6 2001:db8:ffff::1
mtu4 1500
CONF

daemon_log=$tmp/log
ip netns exec "$ns" "$bin" siit --config "$conf" --control "$tmp/ctl.sock" --pidfile "$tmp/pid" >"$daemon_log" 2>&1 </dev/null &
daemon_pid=$! # ip netns exec execs the daemon: this is its pid
answers() { [ -S "$1" ] && nsx "$ns" "$bin" status --control "$1" >/dev/null 2>&1; }
if wait_daemon 5 answers "$tmp/ctl.sock"; then ok "daemon ready"; else
	bad "daemon not ready: $(cat "$tmp/log")"; exit 1; fi
[ "$(cat "$tmp/pid")" = "$daemon_pid" ] && ok "pid file holds $daemon_pid" || bad "pid file: $(cat "$tmp/pid" 2>&1)"

# Three echo requests towards 198.51.100.2 through the translator: nobody answers, but each one
# is read from the TUN and translated 6to4 (then dropped by the kernel: forwarding is off).
nsx "$ns" ping -6 -n -q -c 3 -i 0.2 -W 1 64:ff9b::198.51.100.2 >/dev/null 2>&1 || true

nsx "$ns" "$bin" status --control "$tmp/ctl.sock" >"$tmp/status"
if awk '$1 == "packets_6to4" && $2 >= 3 { found = 1 } END { exit !found }' "$tmp/status"; then
	ok "status counts the 6to4 packets: $(grep -E '^packets_6to4' "$tmp/status")"
else
	bad "status: $(cat "$tmp/status")"
fi
nsx "$ns" "$bin" status --json --control "$tmp/ctl.sock" >"$tmp/status.json"
nreasons=$("$bin" siit --list-drop-reasons | grep -c '^| `')
if "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
assert j["packets_6to4"] >= 3, j["packets_6to4"]
assert len(j["drops"]) == int(sys.argv[2]), len(j["drops"])
assert "pool6 64:ff9b::/96" in j["settings"]
' "$tmp/status.json" "$nreasons"; then ok "status --json is valid, with all $nreasons drop counters"; else
	bad "status --json: $(cat "$tmp/status.json")"; fi

# tos_seen TCLASS: the TOS of the translated IPv4 echo request, as tcpdump sees it written to siit0
# (the kernel then drops it: forwarding is off), for echo requests sent with traffic class TCLASS.
tos_seen() {
	nsx "$ns" timeout 5 tcpdump -n -v -l -i siit0 -c 1 'ip and icmp' >"$tmp/td" 2>/dev/null &
	local td=$!
	sleep 0.7 # let tcpdump attach
	nsx "$ns" ping -6 -n -q -c 3 -i 0.2 -W 1 -Q "$1" 64:ff9b::198.51.100.2 >/dev/null 2>&1 || true
	wait "$td" || true
	grep -o 'tos 0x[0-9a-f]*' "$tmp/td" | head -n 1
}
seen=$(tos_seen 0x28)
[ "$seen" = "tos 0x28" ] && ok "traffic class 0x28 copied to the IPv4 TOS" || bad "tos copy: saw '$seen': $(head -3 "$tmp/td")"

# SIGHUP: a broken file is refused (the daemon keeps running), a good one is applied.
cp "$conf" "$conf.good"
echo "mtu4 12" >>"$conf"
kill -HUP "$daemon_pid"
sleep 0.3
kill -0 "$daemon_pid" && grep -q "keeping the current settings" "$tmp/log" && ok "SIGHUP with a bad config keeps the old one" ||
	bad "SIGHUP bad config: $(tail -3 "$tmp/log")"
sed 's/^mtu4 1500/mtu4 1400/' "$conf.good" >"$conf"
echo "tos 16" >>"$conf"
kill -HUP "$daemon_pid"
sleep 0.3
nsx "$ns" "$bin" status --json --control "$tmp/ctl.sock" >"$tmp/status.json"
grep -q '"mtu4 1400"' "$tmp/status.json" && grep -q '"reloads": 1' "$tmp/status.json" &&
	ok "SIGHUP applied the new config" || bad "SIGHUP good config: $(grep -E 'mtu4|reloads' "$tmp/status.json")"
seen=$(tos_seen 0x28)
[ "$seen" = "tos 0x10" ] && ok "tos 16 after the reload: traffic class 0x28 ignored" || bad "tos 16: saw '$seen': $(head -3 "$tmp/td")"

# RFC 6052 section 3.1, the default: without allow-wkp-non-global, 198.51.100.2 (not global) is not
# translated behind 64:ff9b::/96; ping gets administratively prohibited from self6, and it is counted.
grep -v '^allow-wkp-non-global' "$conf" >"$conf.strict"
cp "$conf.strict" "$conf"
kill -HUP "$daemon_pid"
sleep 0.3
pinged=$(nsx "$ns" ping -6 -n -c 2 -i 0.2 -W 1 64:ff9b::198.51.100.2 2>&1 || true)
grep -q "From 2001:db8:ffff::1 .*Administratively prohibited" <<<"$pinged" &&
	ok "default allow-wkp-non-global no: administratively prohibited from self6" || bad "wkp refusal: $pinged"
nsx "$ns" "$bin" status --json --control "$tmp/ctl.sock" >"$tmp/status.json"
"$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); assert j["drops"]["wkp-non-global"] >= 2, j["drops"]' \
	"$tmp/status.json" && ok "wkp-non-global counted" || bad "wkp-non-global counter: $(grep -o '"wkp-non-global": [0-9]*' "$tmp/status.json")"

rc=0
stop_daemon 5 >"$tmp/stop" || rc=$? # "exit status N", or "still running 5 s after SIGTERM"
[ "$rc" = 0 ] && ok "SIGTERM: exit status 0" || bad "SIGTERM: $(tail -n 1 "$tmp/stop"): $(tail -3 "$tmp/log")"
[ ! -e "$tmp/ctl.sock" ] && ok "control socket removed" || bad "control socket left behind"
[ ! -e "$tmp/pid" ] && ok "pid file removed" || bad "pid file left behind"
addrs=$(nsx "$ns" ip -6 addr show dev siit0 2>&1 || true) # no pipe into grep -q: pipefail + SIGPIPE
grep -q 2001:db8:1::1 <<<"$addrs" && ok "TUN siit0 and its address are still there" ||
	bad "siit0 or its address vanished"
[ -f "$conf" ] && ok "config file untouched" || bad "config file vanished"

# A TUN deleted under a running daemon: it must notice and exit (status 1), not spin.
daemon_log=$tmp/log1
ip netns exec "$ns" "$bin" siit --tun siit1 --pool6 64:ff9b::/96 --control "$tmp/ctl1.sock" >"$daemon_log" 2>&1 </dev/null &
daemon_pid=$!
wait_until 5 test -S "$tmp/ctl1.sock" || true
nsx "$ns" ip link del siit1
wait_until 3 daemon_gone || true
rc=0
if kill -0 "$daemon_pid" 2>/dev/null; then bad "daemon still running after its TUN was deleted"; else
	wait "$daemon_pid" || rc=$?
	daemon_pid=
	[ "$rc" = 1 ] && [ ! -e "$tmp/ctl1.sock" ] && ok "TUN deleted: daemon exited 1 and removed its socket" ||
		bad "TUN deleted: exit $rc: $(cat "$tmp/log1")"
fi

finish
