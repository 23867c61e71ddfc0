#!/bin/bash
# Namespace test of one `xlat464 ra` process announcing on two links, each with its own settings (the
# `interface IF` sections of its config file). Run as root:   sudo tests/netns/ra_multi.sh
#
#   ns ha (host a)              ns rt (router)                                  ns hb (host b)
#  +-------------+      +-------------------------------------------+      +-------------+
#  | scapy       |      | xlat464 ra --config ra.conf               |      | scapy       |
#  |             |      |   interface r-a: beside-router, PREF64 A  |      |             |
#  |             |      |   interface r-b: router, 2001:db8:2::/64, |      |             |
#  |             |      |                  PREF64 B                  |      |             |
#  | a-r         |======| r-a                                 r-b   |======| b-r         |
#  +-------------+      +-------------------------------------------+      +-------------+
#
# A third link, r-c, has no carrier: it waits for a link-local address without holding up the others.
# Checks: each host hears only its own link's RA (source, PREF64, mode); an RS on one link is
# answered there and counted on that interface only; SIGHUP changing r-a's PREF64 shows on link a
# only; the status has both interfaces and `xlat464 metrics` labels each one's counters; SIGTERM sends
# the final RA on both links; doctor names the waiting interface. Prints PASS/FAIL per check and "N passed, N failed"; exit 1 when a check
# failed, 2 when the setup failed. Environment: XLAT464=path (default build/xlat464), KEEP=1, VERBOSE=1.
# Debian packages: iproute2, python3-scapy, coreutils; promtool (prometheus) checks the scrape when present.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x464rm-$$-
NSR=${P}rt
NSA=${P}ha
NSB=${P}hb
ALL_NS="$NSR $NSA $NSB"

PREF_A=2001:db8:64:a::/96   # link a's PREF64, beside another router
PREF_A2=2001:db8:64:aa::/96 # ... after the SIGHUP
PREF_B=64:ff9b::/96         # link b's PREF64, with us as the router
PREFIX_B=2001:db8:2::/64
INTERVAL=4                  # lifetimes 12 s (scaled 2); the initial RAs come at most 4 s apart

check_failed_extra() { say "    --- daemon log (tail)"; tail -n 10 "$tmp/ra.log" 2>/dev/null | sed 's/^/    /'; }

preconditions ip timeout sysctl
need_scapy
need_xlat464
make_tmp x464rm
say "# ra_multi: namespaces ${P}*, temp $tmp"

cat >"$tmp/rm.py" <<'PYEOF'
#!/usr/bin/python3
"""Host side of tests/netns/ra_multi.sh, decoding RAs from their raw bytes.
  ra IFACE SECONDS SRC PREF64 RLIFE [PIO] [READY]  every multicast RA heard in SECONDS comes from SRC
                                                   and carries exactly PREF64 (and PIO, router lifetime
                                                   RLIFE); at least one is heard. PREF64 "final": the
                                                   RAs with a PREF64 lifetime 0, each with only that
  wait IFACE SECONDS PREF64 [READY]                 the first RA carrying PREF64 arrives in SECONDS
  rs IFACE SRC                                      a valid RS from SRC gets a unicast RA within 1 s
"""
import ipaddress, sys, threading, time
from scapy.all import AsyncSniffer, Ether, IPv6, conf, get_if_hwaddr, sendp, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr
conf.verb = 0
F = "icmp6 and ip6[6] == 58 and ip6[40] == 134"

def decode(p):
    raw = bytes(p[IPv6].payload)
    d = {"src": p[IPv6].src, "dst": p[IPv6].dst, "rlife": int.from_bytes(raw[6:8], "big"), "pref64": [], "pio": [],
         "scaled": []}
    i = 16
    while i + 2 <= len(raw) and raw[i + 1]:
        t, l = raw[i], raw[i + 1]
        o = raw[i:i + 8 * l]
        if t == 38:
            w = int.from_bytes(o[2:4], "big")
            d["pref64"].append(str(ipaddress.IPv6Address(o[4:16] + bytes(4))))
            d["scaled"].append(w >> 3)
        elif t == 3:
            d["pio"].append("%s/%d" % (ipaddress.IPv6Address(o[16:32]), o[2]))
        i += 8 * l
    return d

def sniff(iface, secs, ready, lf, count=0):
    got, ev = [], threading.Event()
    sn = AsyncSniffer(iface=iface, filter=F, lfilter=lf, count=count, timeout=secs, started_callback=ev.set,
                      prn=lambda p: got.append(decode(p)))
    sn.start()
    ev.wait(10)
    if ready:
        open(ready, "w").close()
    sn.join()
    return got

def addr(prefix):
    return str(ipaddress.IPv6Network(prefix).network_address)

def cmd_ra(iface, secs, src, pref64, rlife, pio, ready):
    got = sniff(iface, float(secs), ready, lambda p: IPv6 in p and p[IPv6].dst == "ff02::1")
    if pref64 == "final":  # the RAs before it (quick ones after a reload, say) are not the point
        got = [d for d in got if 0 in d["scaled"]]
    bad = 0
    for d in got:
        print(d)
        want64 = [addr(pref64)] if pref64 != "final" else d["pref64"]
        ok = d["src"] == src and d["pref64"] == want64 and d["rlife"] == int(rlife)
        ok = ok and d["pio"] == ([pio] if pio else [])
        if pref64 == "final":
            ok = ok and d["scaled"] == [0]
        if not ok:
            print("MISMATCH: expected src %s pref64 %s router lifetime %s pio %s" % (src, pref64, rlife, pio))
            bad += 1
    print("%d RAs, %d not as expected" % (len(got), bad))
    return 0 if got and not bad else 1

def cmd_wait(iface, secs, pref64, ready):
    got = sniff(iface, float(secs), ready, lambda p: IPv6 in p and addr(pref64) in decode(p)["pref64"], 1)
    print(got)
    return 0 if got else 1

def cmd_rs(iface, src):
    mac = get_if_hwaddr(iface)
    got, ev = [], threading.Event()
    sn = AsyncSniffer(iface=iface, filter=F, started_callback=ev.set,
                      lfilter=lambda p: IPv6 in p and p[IPv6].dst == src, prn=lambda p: got.append(time.time()))
    sn.start()
    ev.wait(10)
    time.sleep(0.2)
    t0 = time.time()
    sendp(Ether(src=mac, dst="33:33:00:00:00:02") / IPv6(src=src, dst="ff02::2", hlim=255) /
          ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac), iface=iface)
    while time.time() - t0 < 1.0 and not got:
        time.sleep(0.02)
    sn.stop()
    print("unicast RA %s" % ("after %.3f s" % (got[0] - t0) if got else "missing"))
    return 0 if got else 1

if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "ra":
        sys.exit(cmd_ra(a[1], a[2], a[3], a[4], a[5], a[6] if len(a) > 6 else "", a[7] if len(a) > 7 else None))
    if a[0] == "wait":
        sys.exit(cmd_wait(a[1], a[2], a[3], a[4] if len(a) > 4 else None))
    sys.exit(cmd_rs(a[1], a[2]))
PYEOF
chmod 755 "$tmp/rm.py"
RM=$tmp/rm.py

# ---- topology ---------------------------------------------------------------------------------
make_namespaces net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0
ip link add r-a netns "$NSR" type veth peer name a-r netns "$NSA" || die "veth a"
ip link add r-b netns "$NSR" type veth peer name b-r netns "$NSB" || die "veth b"
for h in "$NSA a-r" "$NSB b-r"; do
	set -- $h
	# the hosts' kernels neither solicit nor process RAs: every RS in the test is ours
	nsx "$1" sysctl -qw net.ipv6.conf."$2".accept_ra=0 net.ipv6.conf."$2".router_solicitations=0
	nsx "$1" ip link set "$2" up
done
nsx "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1
nsx "$NSR" ip link set r-a up
nsx "$NSR" ip link set r-b up
# a third link without carrier (its peer down): no link-local address, so r-c waits, alone
nsx "$NSR" ip link add r-c type veth peer name c-r
nsx "$NSR" ip link set r-c up

RLL_A=$(lladdr "$NSR" r-a) || die "no link-local address on r-a"
RLL_B=$(lladdr "$NSR" r-b) || die "no link-local address on r-b"
HLL_A=$(lladdr "$NSA" a-r) || die "no link-local address on a-r"
HLL_B=$(lladdr "$NSB" b-r) || die "no link-local address on b-r"

CONF=$tmp/ra.conf
CTL=$tmp/ra.sock
write_conf() { # PREF64 of link a
	cat >"$CONF" <<EOF
# process settings and defaults, before the first interface line
control $CTL
interval $INTERVAL

interface r-a
pref64 $1

interface r-b
mode router
prefix $PREFIX_B
pref64 $PREF_B

interface r-c
pref64 $PREF_B
EOF
}
write_conf "$PREF_A"

ready() { wait_until 10 exists "$1"; }

# Both hosts listen before the daemon starts, so that its first RAs are heard too.
nsx "$NSA" "$PY" "$RM" ra a-r 9 "$RLL_A" "$PREF_A" 0 "" "$tmp/ready-a" >"$tmp/first-a.out" 2>&1 &
sa=$!
nsx "$NSB" "$PY" "$RM" ra b-r 9 "$RLL_B" "$PREF_B" 12 "$PREFIX_B" "$tmp/ready-b" >"$tmp/first-b.out" 2>&1 &
sb=$!
ready "$tmp/ready-a" && ready "$tmp/ready-b" || die "scapy did not start"
ip netns exec "$NSR" timeout 300 "$XLAT464" ra --config "$CONF" --foreground >"$tmp/ra.log" 2>&1 </dev/null &
daemon_pid=$!
wait "$sa"; rca=$?
wait "$sb"; rcb=$?

status() { nsx "$NSR" timeout 5 "$XLAT464" status --json --control "$CTL"; }
jq_py() { "$PY" -c "import json,sys; j=json.load(sys.stdin); print($1)"; }

# SIGHUP straight to the daemon: timeout(1) in between would pass on only the first one.
ra_pid=$(status | jq_py 'j["pid"]') || die "no status from ra"
t_first_a() { cat "$tmp/first-a.out"; return "$rca"; }
t_first_b() { cat "$tmp/first-b.out"; return "$rcb"; }
check link-a-hears-only-its-ra t_first_a
check link-b-hears-only-its-ra t_first_b

# An RS on one link: answered on that link, counted on that interface only.
t_rs() { # NS IF SRC INDEX-ANSWERED
	local s
	nsx "$1" "$PY" "$RM" rs "$2" "$3" || return 1
	s=$(status) || return 1
	echo "$s" | jq_py '[(i["interface"], i["rs"]["valid"], i["rs"]["answered_unicast"]) for i in j["interfaces"]]'
	[ "$(echo "$s" | jq_py "[i['rs']['valid'] for i in j['interfaces']]")" = "$4" ]
}
check rs-on-link-a-answered-there t_rs "$NSA" a-r "$HLL_A" "[1, 0, 0]"
check rs-on-link-b-answered-there t_rs "$NSB" b-r "$HLL_B" "[1, 1, 0]"

t_status() {
	local s
	s=$(status) || return 1
	echo "$s" | jq_py 'json.dumps({k: j[k] for k in ("interface", "state", "rs")})'
	echo "$s" | jq_py '[(i["interface"], i["state"], i["source"]) for i in j["interfaces"]]'
	[ "$(echo "$s" | jq_py '[(i["interface"], i["state"], i["source"]) for i in j["interfaces"]]')" = \
		"[('r-a', 'advertising', '$RLL_A'), ('r-b', 'advertising', '$RLL_B'), ('r-c', 'waiting', 'none')]" ] &&
	[ "$(echo "$s" | jq_py 'j["rs"]["valid"]')" = 2 ] && # the top level sums the interfaces
	[ "$(echo "$s" | jq_py 'j["interface"]')" = r-a ]
}
check status-has-both-interfaces t_status

t_metrics() {
	local m
	m=$(nsx "$NSR" timeout 5 "$XLAT464" metrics --control "$CTL") || return 1
	echo "$m" | grep -E 'xlat464_ra_rs_valid_total|xlat464_ra_state'
	echo "$m" | grep -q '^xlat464_ra_rs_valid_total{daemon="ra",interface="r-a"} 1$' &&
	echo "$m" | grep -q '^xlat464_ra_rs_valid_total{daemon="ra",interface="r-b"} 1$' &&
	echo "$m" | grep -q '^xlat464_ra_state{daemon="ra",interface="r-b",state="advertising"} 1$' &&
	[ "$(echo "$m" | grep -c '^# TYPE xlat464_ra_rs_valid_total ')" = 1 ] || return 1
	if command -v promtool >/dev/null; then
		echo "$m" | promtool check metrics
	fi
}
check metrics-label-each-interface t_metrics

# doctor names the interface that is not advertising, not just the first one
t_doctor() {
	local out
	out=$(nsx "$NSR" timeout 20 "$XLAT464" doctor --router --control "$CTL" --timeout 500 2>&1)
	echo "$out" | grep -i "ra"
	echo "$out" | grep -q "ra on r-c is waiting, not advertising"
}
check doctor-names-waiting-interface t_doctor

# SIGHUP with another PREF64 on link a: a carries it soon, b keeps its own.
write_conf "$PREF_A2"
nsx "$NSA" "$PY" "$RM" wait a-r 8 "$PREF_A2" "$tmp/ready-a2" >"$tmp/hup-a.out" 2>&1 &
sa=$!
nsx "$NSB" "$PY" "$RM" ra b-r 8 "$RLL_B" "$PREF_B" 12 "$PREFIX_B" "$tmp/ready-b2" >"$tmp/hup-b.out" 2>&1 &
sb=$!
ready "$tmp/ready-a2" && ready "$tmp/ready-b2" || die "scapy did not start"
kill -HUP "$ra_pid"
wait "$sa"; rca=$?
wait "$sb"; rcb=$?
t_hup_a() { cat "$tmp/hup-a.out"; grep "reloaded: r-a: pref64 $PREF_A2" "$tmp/ra.log" && return "$rca"; }
t_hup_b() { cat "$tmp/hup-b.out"; grep "reloaded: r-b: nothing changed" "$tmp/ra.log" && return "$rcb"; }
check sighup-changes-link-a t_hup_a
check sighup-leaves-link-b t_hup_b

# SIGHUP with a section for a new interface and without r-c's: both take a restart, logged; the
# running interfaces stay as they are.
write_conf "$PREF_A2"
sed -i 's/^interface r-c$/interface r-d/' "$CONF"
kill -HUP "$ra_pid"
t_hup_set() {
	local s
	wait_log "$tmp/ra.log" "interface r-c is no longer" 5
	grep "reload: interface" "$tmp/ra.log"
	s=$(status) || return 1
	echo "$s" | jq_py '[i["interface"] for i in j["interfaces"]]'
	grep -q "reload: interface r-d is new; it takes a restart" "$tmp/ra.log" &&
	grep -q "reload: interface r-c is no longer in the settings; it keeps its running values until a restart" \
		"$tmp/ra.log" &&
	[ "$(echo "$s" | jq_py '[i["interface"] for i in j["interfaces"]]')" = "['r-a', 'r-b', 'r-c']" ]
}
check sighup-interface-set-needs-restart t_hup_set

# SIGTERM: the final RA (PREF64 lifetime 0) on both links, then the process ends.
nsx "$NSA" "$PY" "$RM" ra a-r 6 "$RLL_A" final 0 "" "$tmp/ready-a3" >"$tmp/fin-a.out" 2>&1 &
sa=$!
nsx "$NSB" "$PY" "$RM" ra b-r 6 "$RLL_B" final 0 "$PREFIX_B" "$tmp/ready-b3" >"$tmp/fin-b.out" 2>&1 &
sb=$!
ready "$tmp/ready-a3" && ready "$tmp/ready-b3" || die "scapy did not start"
kill -TERM "$daemon_pid"
t_exit() { wait_until 6 daemon_gone || return 1; wait "$daemon_pid"; }
check sigterm-exits-zero t_exit
daemon_pid=
wait "$sa"; rca=$?
wait "$sb"; rcb=$?
t_fin() { cat "$tmp/fin-$1.out"; grep -c "final RA sent" "$tmp/ra.log"; return "$2"; }
check final-ra-on-link-a t_fin a "$rca"
check final-ra-on-link-b t_fin b "$rcb"

finish
