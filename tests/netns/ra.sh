#!/bin/bash
# Namespace test of `xlat464 ra`, the PREF64 announcer (RFC 8781), against real receivers: the client
# kernel's RA handling (SLAAC, default router), scapy decoding the raw option bytes, and, when it can
# learn PREF64 from RAs, the project's own CLAT. Run as root:   sudo tests/netns/ra.sh
#
# Topology:
#
#   ns rt (router)                                        ns cl (client, a plain host)
#  +-------------------------------------------+        +----------------------------------------+
#  | xlat464 ra --interface r-c                |        | kernel: accept_ra 1, autoconf 1        |
#  |   phase 1: --router --prefix 2001:db8:1::/64       | scapy: sniffs RAs, sends good and bad  |
#  |            --rdnss 2001:db8:1::53          |        |        Router Solicitations            |
#  |            --dnssl example.com ...        |        |                                        |
#  |            --pref64 2001:db8:64::/96       |        | xlat464 clat (when it reads PREF64)    |
#  |   phase 2: --beside-router, six PREF64s   |        |                                        |
#  |            (every prefix length code)     |        |                                        |
#  |   phase 3: --config FILE, then SIGHUP     |        |                                        |
#  |            with another PREF64            |        |                                        |
#  | r-c  fe80::... (link-local only)          |========| c-r  fe80::..., SLAAC in 2001:db8:1::/64 |
#  +-------------------------------------------+        +----------------------------------------+
#
# Every check prints PASS or FAIL (optional ones may print SKIP); the last line is "N passed, N failed";
# exit status 1 when a check failed, 2 when the setup failed. Logs stay in the temporary directory when
# something failed, or always with KEEP=1. Environment: XLAT464=path (default build/xlat464), KEEP=1,
# VERBOSE=1. Debian packages: iproute2, python3-scapy, coreutils, procps.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

P=x464ra-$$-
NSR=${P}rt
NSC=${P}cl
ALL_NS="$NSR $NSC"

PREFIX6=2001:db8:1::     # the SLAAC /64 of phase 1
RDNSS=2001:db8:1::53
DNSSL1=example.com       # the DNS search list (RFC 8106 section 5.2), reserved names (RFC 2606)
DNSSL2=lab.example.net
PLAT=2001:db8:64::/96    # the PREF64 of phase 1
INTERVAL=4               # MaxRtrAdvInterval: PREF64 and router lifetime default to 12 s (scaled 2)
# Phase 2: one prefix per RFC 8781 prefix length code (PLC 0..5 = /96 /64 /56 /48 /40 /32).
BESIDE_PREF64="64:ff9b::/96 2001:db8:64:64::/64 2001:db8:56:5600::/56 2001:db8:48::/48 2001:db8:100::/40 2001:db8::/32"
BESIDE_LIFETIME=100      # announced as ceil(100 / 8) = 13 units (104 s)

clat_pid=

cleanup_extra() { # run at exit by lib.sh: the CLAT of t_clat, when a failure left it running
	[ -z "$clat_pid" ] || { kill -TERM "$clat_pid" 2>/dev/null; wait "$clat_pid" 2>/dev/null; }
}
check_failed_extra() { say "    --- daemon log (tail)"; tail -n 10 "$tmp/ra.log" 2>/dev/null | sed 's/^/    /'; }

# ---- preconditions ----------------------------------------------------------------------------
preconditions ip timeout sysctl
need_scapy
need_xlat464
make_tmp x464ra
say "# ra: namespaces ${P}*, temp $tmp"

# ---- the scapy side ---------------------------------------------------------------------------
cat >"$tmp/ra_scapy.py" <<'PYEOF'
#!/usr/bin/python3
"""Receiver side of tests/netns/ra.sh. Decodes RAs from their raw bytes (not scapy's option classes),
so the check is independent of both scapy's and our own codec.
  ra IFACE TIMEOUT EXPECT_JSON [READY_FILE]  first RA (matching EXPECT's "match": "final" = any PREF64
                                             with scaled lifetime 0, or "match_pref64": a PREF64 of that
                                             prefix) must meet EXPECT
  rs IFACE SRC KIND                          sends a Router Solicitation of KIND (valid, zero-len-opt,
                                             truncated-opt, hlim64) and reports a unicast RA to SRC
"""
import ipaddress, json, sys, time, threading
from scapy.all import AsyncSniffer, Ether, IPv6, Raw, conf, get_if_hwaddr, sendp, ICMPv6ND_RS, ICMPv6NDOptSrcLLAddr
conf.verb = 0
RA_FILTER = "icmp6 and ip6[6] == 58 and ip6[40] == 134"

def decode(pkt):
    ip = pkt[IPv6]
    raw = bytes(ip.payload)
    d = {"src": ip.src, "dst": ip.dst, "hlim": ip.hlim, "code": raw[1], "cur_hop_limit": raw[4],
         "flags": raw[5], "router_lifetime": int.from_bytes(raw[6:8], "big"),
         "pref64": [], "pio": [], "rdnss": [], "dnssl": [], "slla": None, "t": float(pkt.time)}
    i = 16
    while i + 2 <= len(raw):
        t, l = raw[i], raw[i + 1]
        if l == 0:
            d["bad"] = "zero-length option"
            break
        o = raw[i:i + 8 * l]
        if t == 38:
            w = int.from_bytes(o[2:4], "big")
            d["pref64"].append({"type": t, "length": l, "scaled": w >> 3, "plc": w & 7, "prefix": o[4:16].hex()})
        elif t == 3:
            d["pio"].append({"length": l, "plen": o[2], "flags": o[3], "valid": int.from_bytes(o[4:8], "big"),
                             "preferred": int.from_bytes(o[8:12], "big"), "prefix": o[16:32].hex()})
        elif t == 25:
            d["rdnss"].append({"lifetime": int.from_bytes(o[4:8], "big"),
                               "addrs": [str(ipaddress.IPv6Address(o[8 + 16 * k:24 + 16 * k])) for k in range((l - 1) // 2)]})
        elif t == 31:  # RFC 8106 section 5.2: names in DNS wire format, zero padding after the last
            names, k = [], 8
            while k < len(o) and o[k] != 0:
                labels = []
                while k < len(o) and o[k] != 0:
                    labels.append(o[k + 1:k + 1 + o[k]].decode("ascii", "replace"))
                    k += 1 + o[k]
                names.append(".".join(labels))
                k += 1
            d["dnssl"].append({"lifetime": int.from_bytes(o[4:8], "big"), "names": names,
                               "padding_zero": all(b == 0 for b in o[k:])})
        elif t == 1:
            d["slla"] = o[2:8].hex()
        i += 8 * l
    return d

def pfx12(s):
    return ipaddress.IPv6Network(s).network_address.packed[:12].hex()

def cmd_ra(iface, timeout, expect, ready):
    want_final = expect.get("match") == "final"
    def ok(p):
        # Multicast RAs only: a unicast answer to the client kernel's own solicitations may come first.
        if IPv6 not in p or p[IPv6].dst != "ff02::1":
            return False
        d = decode(p)
        if "match_pref64" in expect:
            return any(x["prefix"] == pfx12(expect["match_pref64"]) for x in d["pref64"])
        return (not want_final) or any(x["scaled"] == 0 for x in d["pref64"])
    got = []
    ev = threading.Event()
    sn = AsyncSniffer(iface=iface, filter=RA_FILTER, lfilter=ok, count=1, timeout=timeout,
                      started_callback=ev.set, prn=lambda p: got.append(decode(p)))
    sn.start()
    ev.wait(10)
    if ready:
        open(ready, "w").close()
    sn.join()
    if not got:
        print("no matching RA within %s s" % timeout)
        return 1
    d = got[0]
    print(json.dumps(d, indent=1))
    errs = []
    def eq(what, have, want):
        if have != want:
            errs.append("%s: %r, expected %r" % (what, have, want))
    eq("hop limit", d["hlim"], 255)
    eq("destination", d["dst"], "ff02::1")
    eq("code", d["code"], 0)
    for k in ("src", "router_lifetime", "cur_hop_limit", "slla"):
        if k in expect:
            eq(k, d[k], expect[k])
    if "pref64" in expect:
        have = [[x["type"], x["length"], x["prefix"], x["plc"], x["scaled"]] for x in d["pref64"]]
        want = [[38, 2, pfx12(p), plc, sc] for p, plc, sc in expect["pref64"]]
        eq("PREF64 options (type, length, prefix, PLC, scaled lifetime)", have, want)
    if "pio" in expect:
        have = [[x["prefix"], x["plen"], x["flags"], x["valid"], x["preferred"]] for x in d["pio"]]
        want = [[ipaddress.IPv6Network(p).network_address.packed.hex(), 64, 0xc0, v, pr] for p, v, pr in expect["pio"]]
        eq("Prefix Information", have, want)
    if "rdnss" in expect:
        eq("RDNSS", [[x["lifetime"], x["addrs"]] for x in d["rdnss"]], expect["rdnss"])
    if "dnssl" in expect:
        eq("DNSSL", [[x["lifetime"], x["names"], x["padding_zero"]] for x in d["dnssl"]], expect["dnssl"])
    for e in errs:
        print("MISMATCH " + e)
    return 1 if errs else 0

def cmd_rs(iface, src, kind):
    mac = get_if_hwaddr(iface)
    ip = IPv6(src=src, dst="ff02::2", hlim=64 if kind == "hlim64" else 255)
    if kind in ("valid", "hlim64"):
        icmp = ICMPv6ND_RS() / ICMPv6NDOptSrcLLAddr(lladdr=mac)
    elif kind == "zero-len-opt":
        icmp = ICMPv6ND_RS() / Raw(b"\x01\x00" + bytes.fromhex(mac.replace(":", "")))
    elif kind == "truncated-opt":
        icmp = ICMPv6ND_RS() / Raw(b"\x01\x02" + bytes.fromhex(mac.replace(":", "")))  # claims 16 bytes, has 8
    else:
        raise SystemExit("unknown kind " + kind)
    got = []
    ev = threading.Event()
    sn = AsyncSniffer(iface=iface, filter=RA_FILTER, started_callback=ev.set,
                      lfilter=lambda p: IPv6 in p and p[IPv6].dst == src, prn=lambda p: got.append(time.time()))
    sn.start()
    ev.wait(10)
    time.sleep(0.2)
    t0 = time.time()
    sendp(Ether(src=mac, dst="33:33:00:00:00:02") / ip / icmp, iface=iface)
    wait = 1.0 if kind == "valid" else 1.5
    while time.time() - t0 < wait and not got:
        time.sleep(0.02)
    if kind != "valid":
        time.sleep(max(0.0, t0 + wait - time.time()))
    sn.stop()
    if got:
        print("unicast RA to %s %.3f s after the %s RS" % (src, got[0] - t0, kind))
    else:
        print("no unicast RA to %s within %.1f s of the %s RS" % (src, wait, kind))
    return 0 if bool(got) == (kind == "valid") else 1

if __name__ == "__main__":
    a = sys.argv[1:]
    if a[0] == "ra":
        sys.exit(cmd_ra(a[1], float(a[2]), json.loads(a[3]), a[4] if len(a) > 4 else None))
    sys.exit(cmd_rs(a[1], a[2], a[3]))
PYEOF
chmod 755 "$tmp/ra_scapy.py"
SCAPY=$tmp/ra_scapy.py

# ---- topology ---------------------------------------------------------------------------------
make_namespaces
nsx "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1 >/dev/null || die "forwarding"
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die "veth"
nsx "$NSC" sysctl -qw net.ipv6.conf.c-r.accept_ra=1 net.ipv6.conf.c-r.autoconf=1 net.ipv6.conf.c-r.accept_dad=0 \
	>/dev/null || die "sysctl client"
ip -n "$NSC" link set c-r up
ip -n "$NSR" link set r-c up

CLL=$(lladdr "$NSC" c-r) || die "no link-local address on the client"
RLL_EARLY=$(nsx "$NSR" ip -6 addr show dev r-c scope link | sed -n 's/.*inet6 \(fe80::[0-9a-f:]*\)\/64.*/\1/p')
RMAC=$(nsx "$NSR" cat /sys/class/net/r-c/address)
CTL=$tmp/ra.sock

advertising() { [ -S "$CTL" ] && grep -q "waiting -> advertising" "$tmp/ra.log"; }
start_ra() { # starts xlat464 ra with the given flags and waits for it to advertise
	rm -f "$tmp/ra.log"
	ip netns exec "$NSR" timeout 600 "$XLAT464" ra --interface r-c --control "$CTL" --foreground "$@" >"$tmp/ra.log" 2>&1 &
	daemon_pid=$!
	wait_daemon 15 advertising && return 0
	cat "$tmp/ra.log" >&2
	return 1
}

# ---- flag checks (no network) ------------------------------------------------------------------
t_bad_lifetime() {
	local out rc
	out=$("$XLAT464" ra --interface r-c --pref64 64:ff9b::/96 --interval 10 --lifetime 9 2>&1); rc=$?
	echo "exit $rc: $out"
	[ "$rc" -eq 2 ] && grep -q -- "--lifetime 9: below the RA interval" <<<"$out" || return 1
	out=$("$XLAT464" ra --interface r-c --pref64 64:ff9b::/96 --lifetime 65529 2>&1); rc=$?
	echo "exit $rc: $out"
	[ "$rc" -eq 2 ] && grep -q -- "--lifetime 65529: above 65528" <<<"$out"
}
check flags-lifetime-rejected t_bad_lifetime

t_bad_config_line() { # a bad line stops the start, exit 2, with the file, the line and the key
	local out rc
	printf 'interface r-c\npref64 64:ff9b::/96\n# the interval\ninterval 2\n' >"$tmp/bad.conf"
	out=$("$XLAT464" ra --config "$tmp/bad.conf" --check 2>&1); rc=$?
	echo "exit $rc: $out"
	[ "$rc" -eq 2 ] && grep -qF -- "$tmp/bad.conf:4: interval: '2': MaxRtrAdvInterval must be 4 to 1800 seconds" <<<"$out" ||
		return 1
	printf 'interface r-c\npref64 64:ff9b::/96\nadvertise yes\n' >"$tmp/bad.conf"
	out=$("$XLAT464" ra --config "$tmp/bad.conf" --check 2>&1); rc=$?
	echo "exit $rc: $out"
	[ "$rc" -eq 2 ] && grep -qF -- "$tmp/bad.conf:3: advertise: unknown setting" <<<"$out" || return 1
	out=$("$XLAT464" ra --interface r-c --pref64 64:ff9b::/96 --interval 2>&1); rc=$?
	echo "exit $rc: $out"
	[ "$rc" -eq 2 ] && grep -qF -- "--interval: expects 1 value" <<<"$out"
}
check config-bad-line-rejected t_bad_config_line

# ---- phase 1: --router ---------------------------------------------------------------------------
# The router's link-local address may still be tentative: the daemon waits for DAD to finish.
start_ra --router --prefix "$PREFIX6/64" --rdnss "$RDNSS" --dnssl "$DNSSL1" --dnssl "$DNSSL2" --pref64 "$PLAT" \
	--interval "$INTERVAL" ||
	die "xlat464 ra did not start advertising"
RLL=$(lladdr "$NSR" r-c) || die "no link-local address on the router"
[ -n "$RLL_EARLY" ] || true

t_ra_router() {
	nsx "$NSC" timeout 60 "$PY" "$SCAPY" ra c-r 30 "$(printf '{"src": "%s", "slla": "%s", "router_lifetime": 12, "cur_hop_limit": 64, "pref64": [["%s", 0, 2]], "pio": [["%s/64", 2592000, 604800]], "rdnss": [[12, ["%s"]]], "dnssl": [[12, ["%s", "%s"], true]]}' \
		"$RLL" "${RMAC//:/}" "$PLAT" "$PREFIX6" "$RDNSS" "$DNSSL1" "$DNSSL2")"
}
check router-ra-decoded t_ra_router

slaac_done() { nsx "$NSC" ip -6 addr show dev c-r scope global | grep -q "inet6 ${PREFIX6%::}:"; }
t_slaac() {
	wait_until 20 slaac_done
	nsx "$NSC" ip -6 addr show dev c-r scope global
	nsx "$NSC" ip -6 addr show dev c-r scope global | grep -q "inet6 ${PREFIX6%::}:[0-9a-f:]*/64"
}
check router-slaac-address t_slaac

default_via() { nsx "$NSC" ip -6 route show default | grep -q "via $1"; }
t_default_route() {
	wait_until 20 default_via "$RLL dev c-r"
	nsx "$NSC" ip -6 route show default
	nsx "$NSC" ip -6 route show default | grep -q "via $RLL dev c-r proto ra"
}
check router-default-route t_default_route

t_rs() { nsx "$NSC" timeout 30 "$PY" "$SCAPY" rs c-r "$CLL" "$1"; }
check rs-valid-answered-within-1s t_rs valid
check rs-zero-length-option-ignored t_rs zero-len-opt
check rs-truncated-option-ignored t_rs truncated-opt
check rs-hop-limit-64-ignored t_rs hlim64

t_status() {
	local js
	js=$(nsx "$NSR" timeout 10 "$XLAT464" status --control "$CTL" --json) || return 1
	echo "$js"
	"$PY" -c '
import json, sys
s = json.loads(sys.argv[1])
ign = s["rs_ignored"]
ok = (s["daemon"] == "ra" and s["interface"] == "r-c" and s["state"] == "advertising"
      and ign["zero-option-length"] == 1 and ign["option-truncated"] == 1 and ign["hop-limit-not-255"] == 1
      and s["rs"]["ignored"] == 3 and s["rs"]["valid"] >= 1 and s["ra_sent"]["solicited_unicast"] >= 1
      and s["ra_sent"]["periodic"] >= 1 and s["rs"]["received"] == s["rs"]["valid"] + s["rs"]["ignored"])
sys.exit(0 if ok else 1)' "$js" || return 1
	nsx "$NSR" timeout 10 "$XLAT464" status --control "$CTL" >"$tmp/status.txt" || return 1
	cat "$tmp/status.txt"
	grep -Eq "^  zero-option-length +1 " "$tmp/status.txt" && grep -Eq "^  hop-limit-not-255 +1 " "$tmp/status.txt" &&
		grep -q "pref64 $PLAT" "$tmp/status.txt"
}
check status-counters t_status

# Optional: the project's CLAT learning the PREF64 from our RAs (skipped when it cannot).
clat_learnt() { # CONTROL: the CLAT's PLAT prefix came from our RAs, or it has exited
	pid_gone "$clat_pid" ||
		{ [ -S "$1" ] && nsx "$NSC" timeout 5 "$XLAT464" status --control "$1" 2>/dev/null | grep -q "$PLAT (source: ra-pref64"; }
}
t_clat() {
	local ctl=$tmp/clat.sock
	ip netns exec "$NSC" timeout 120 "$XLAT464" clat --uplink c-r --force --no-dns64 --control "$ctl" \
		--foreground >"$tmp/clat.log" 2>&1 &
	clat_pid=$!
	wait_until 30 clat_learnt "$ctl"
	nsx "$NSC" timeout 5 "$XLAT464" status --control "$ctl" | grep -i pref64
	nsx "$NSC" timeout 5 "$XLAT464" status --control "$ctl" | grep -q "$PLAT (source: ra-pref64"
	local rc=$?
	kill -TERM "$clat_pid" 2>/dev/null
	wait "$clat_pid" 2>/dev/null
	clat_pid=
	return $rc
}
if "$XLAT464" clat --help 2>&1 | grep -q "PREF64 in Router Advertisements"; then
	check clat-learns-pref64-from-ra t_clat
else
	say "SKIP clat-learns-pref64-from-ra (xlat464 clat --help mentions no PREF64 from RAs)"
fi

t_final() { # MODE EXPECT_JSON: SIGTERM gives a final RA, exit status 0, the control socket removed
	local rdy=$tmp/final.ready rc
	rm -f "$rdy"
	ip netns exec "$NSC" timeout 60 "$PY" "$SCAPY" ra c-r 20 "$2" "$rdy" >"$tmp/final.out" 2>&1 &
	local sn=$!
	wait_until 10 exists "$rdy"
	sleep 0.3
	kill -TERM "$daemon_pid"
	wait_until 10 daemon_gone
	wait "$daemon_pid"; rc=$?
	daemon_pid=
	wait "$sn"; local src=$?
	cat "$tmp/final.out"
	echo "daemon exit status $rc"
	grep "final RA" "$tmp/ra.log"
	[ "$src" -eq 0 ] && [ "$rc" -eq 0 ] && [ ! -e "$CTL" ]
}
check router-sigterm-final-ra t_final router \
	"$(printf '{"match": "final", "src": "%s", "router_lifetime": 0, "pref64": [["%s", 0, 0]], "pio": [["%s/64", 0, 0]], "rdnss": [[0, ["%s"]]], "dnssl": [[0, ["%s", "%s"], true]]}' \
		"$RLL" "$PLAT" "$PREFIX6" "$RDNSS" "$DNSSL1" "$DNSSL2")"

no_default_via() { ! default_via "$1"; }
t_route_gone() {
	wait_until 10 no_default_via "$RLL"
	nsx "$NSC" ip -6 route show default
	no_default_via "$RLL"
}
check router-final-ra-removes-default-route t_route_gone

# ---- phase 2: --beside-router ---------------------------------------------------------------------
args=()
want=
plc=0
for p in $BESIDE_PREF64; do
	args+=(--pref64 "$p")
	want="$want${want:+, }[\"$p\", $plc, 13]"
	plc=$((plc + 1))
done
start_ra --beside-router "${args[@]}" --lifetime "$BESIDE_LIFETIME" --interval 10 ||
	die "xlat464 ra (beside-router) did not start advertising"

check beside-ra-every-plc nsx "$NSC" timeout 60 "$PY" "$SCAPY" ra c-r 30 \
	"{\"src\": \"$RLL\", \"router_lifetime\": 0, \"cur_hop_limit\": 0, \"pref64\": [$want], \"pio\": [], \"rdnss\": []}"

t_no_default() {
	# The RA above reached the kernel too; give it a moment, then no default route may point at us.
	sleep 1
	nsx "$NSC" ip -6 route show default
	! nsx "$NSC" ip -6 route show default | grep -q "via $RLL"
}
check beside-no-default-route t_no_default

check beside-sigterm-final-ra t_final beside \
	"{\"match\": \"final\", \"src\": \"$RLL\", \"router_lifetime\": 0, \"pref64\": [${want//, 13]/, 0]}], \"pio\": []}"

kill -TERM "$daemon_pid" 2>/dev/null
wait "$daemon_pid" 2>/dev/null
daemon_pid=

# ---- phase 3: --config FILE and SIGHUP ----------------------------------------------------------
CONF=$tmp/ra.conf
printf '# phase 3\nmode beside-router\npref64 %s\ninterval 600\npidfile %s/ra.pid\n' "$PLAT" "$tmp" >"$CONF"
start_ra --config "$CONF" || die "xlat464 ra --config did not start advertising"
# SIGHUP goes to the daemon itself: timeout(1) would pass it on twice (to its child and its group).
hup_pid=$(cat "$tmp/ra.pid") || die "no pidfile from the config file"

check config-file-ra nsx "$NSC" timeout 60 "$PY" "$SCAPY" ra c-r 30 \
	"{\"src\": \"$RLL\", \"router_lifetime\": 0, \"pref64\": [[\"$PLAT\", 0, 225]]}"

# SIGHUP with another prefix, lifetime and interval (live) and another pidfile (restart only): within
# 6 s an RA carries the new prefix with the new lifetime, though the interval was 600 s.
t_sighup_live() {
	local rdy=$tmp/hup.ready sn rc
	printf 'mode beside-router\npref64 64:ff9b::/96\nlifetime 80\ninterval 10\npidfile %s/elsewhere.pid\n' "$tmp" >"$CONF"
	rm -f "$rdy"
	nsx "$NSC" timeout 20 "$PY" "$SCAPY" ra c-r 6 \
		"{\"match_pref64\": \"64:ff9b::/96\", \"src\": \"$RLL\", \"pref64\": [[\"64:ff9b::/96\", 0, 10]]}" "$rdy" \
		>"$tmp/hup.out" 2>&1 &
	sn=$!
	wait_until 10 exists "$rdy"
	sleep 0.3
	kill -HUP "$hup_pid"
	wait "$sn"; rc=$?
	cat "$tmp/hup.out"
	grep "reload" "$tmp/ra.log"
	[ "$rc" -eq 0 ] && grep -q "reload: pidfile change only with a restart; keeping the running values" "$tmp/ra.log" &&
		[ -e "$tmp/ra.pid" ] && [ ! -e "$tmp/elsewhere.pid" ]
}
check config-sighup-applies-live t_sighup_live

t_sighup_bad() { # a bad file changes nothing: logged, the daemon keeps announcing
	printf 'pref64 64:ff9b::/97\n' >"$CONF"
	kill -HUP "$hup_pid"
	wait_log "$tmp/ra.log" "keeping the current settings" 5
	grep -qF "reload: $CONF:1: pref64: prefix length 97 is not an RFC 6052 length" "$tmp/ra.log" &&
		kill -0 "$daemon_pid" && nsx "$NSC" timeout 30 "$PY" "$SCAPY" ra c-r 15 \
		"{\"src\": \"$RLL\", \"pref64\": [[\"64:ff9b::/96\", 0, 10]]}"
}
check config-sighup-bad-file-kept t_sighup_bad

finish
