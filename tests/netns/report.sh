#!/bin/bash
# `xlat464 report` against the running lab (scripts/lab.sh, docs/report.md): the bundle holds what
# it promises, and --redact hides what it promises to hide. Run as root:
#
#     sudo tests/netns/report.sh                  # against build/xlat464
#
# The lab runs under its own names (namespaces x464lab-r<pid>-*, state /run/xlat464-lab-r<pid>,
# client interfaces r<pid>c1/2), as tests/netns/lab.sh does; its topology is in scripts/lab.sh. The
# report runs inside the lab's client namespace (the CLAT's), reads the four daemons' control
# sockets in the lab's state directory and a configuration directory made here, with a secret line,
# a commented-out secret and a key file in it.
#
#   plain:    the archive is mode 0600; index.json parses and names exactly the members of the
#             archive; status/NAME.json of clat, plat, ra and dhcp4 parses and is that daemon's;
#             versions, addresses, links, routes, rules, neighbours, the nft ruleset, the sysctls,
#             the configuration and the CLAT's log are there with the lab's content in them;
#             nothing secret is.
#   tools:    with nft, journalctl and systemctl missing from PATH the report is written and the
#             index says each is missing; an nft that hangs (output open, or closed) is cut at
#             10 s, its process killed.
#   redacted: every address of the lab (each namespace's addresses and MACs, and every address in
#             the plain bundle) whose host part the documented rule hides is absent from the
#             redacted bundle, compared by value, not by spelling; its /24 or /64 and the prefix
#             lengths are still there; the status JSON still parses; the host name is gone.
set -u
. "$(dirname "$0")/lib.sh"

XLAT464=$(readlink -f "$XLAT464")
export XLAT464_LAB_PREFIX=x464lab-r$$-
export XLAT464_LAB_DIR=/run/xlat464-lab-r$$
export XLAT464_LAB_IFTAG=r$$c
export XLAT464_LAB_SCRIPT=$here/../../scripts/lab.sh
P=$XLAT464_LAB_PREFIX
STATE=$XLAT464_LAB_DIR
NSC=${P}client
ALL_NS="${P}router ${P}server ${P}client ${P}client4"

cleanup_extra() {
	# the lab's own teardown (it stops every pid it recorded), then whatever is left of our names
	timeout 60 "$XLAT464" lab down >/dev/null 2>&1
	rm -rf "$STATE"
}

preconditions ip nft tar dhcpcd udhcpc socat curl setsid timeout
[ -x "$XLAT464" ] || die "no binary at $XLAT464 (make, or set XLAT464=)"
make_tmp xlat464-report
say "# report: lab ${P}*, state $STATE, output $tmp"

timeout 240 "$XLAT464" lab up >"$tmp/up.out" 2>&1 || { sed 's/^/    /' "$tmp/up.out"; die "lab up failed"; }
clat_running() { "$XLAT464" status --control "$STATE/clat.sock" 2>/dev/null | grep -q 'state running'; }
wait_until 30 clat_running || die "the lab's CLAT is not running after 30 s"

# A configuration directory: the CLAT's example with settings, a secret line, a commented-out secret,
# and a file whose name says it holds a key.
mkdir -p "$tmp/etc"
{
	cat "$here/../../dist/clat.conf"
	echo "uplink ${XLAT464_LAB_IFTAG}1"
	echo "pref64 64:ff9b::/96"
	echo "api-token s3cr3t-t0ken-value"
	echo "# password hunter2-passw0rd"
} >"$tmp/etc/clat.conf"
echo "PRIVATE-KEY-MATERIAL-0123" >"$tmp/etc/wg-private.key"

run_report() { # OUTPUT [--redact]: the report in the client namespace
	local out=$1
	shift
	(cd "$tmp" && timeout 120 ip netns exec "$NSC" "$XLAT464" report -o "$out" "$@" --control-dir "$STATE" \
		--config-dir "$tmp/etc" --log "$STATE/clat.log")
}
run_report plain.tar.gz >"$tmp/plain.out" 2>&1
rc_plain=$?
run_report redacted.tar.gz --redact >"$tmp/redacted.out" 2>&1
rc_red=$?
mkdir -p "$tmp/plain" "$tmp/redacted"
tar -xzf "$tmp/plain.tar.gz" -C "$tmp/plain" 2>/dev/null
tar -xzf "$tmp/redacted.tar.gz" -C "$tmp/redacted" 2>/dev/null
PD=$(find "$tmp/plain" -mindepth 1 -maxdepth 1 -type d | head -n 1)
RD=$(find "$tmp/redacted" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[ -n "$PD" ] || PD=$tmp/plain/none
[ -n "$RD" ] || RD=$tmp/redacted/none

# ---- the plain bundle ---------------------------------------------------------------------------
written() { [ "$1" = 0 ] && grep -q "wrote $2" "$3" && [ "$(stat -c %a "$tmp/$2")" = 600 ]; }
check plain-exit-0-says-what-it-wrote-mode-0600 written "$rc_plain" plain.tar.gz "$tmp/plain.out"
check redacted-exit-0-says-what-it-wrote-mode-0600 written "$rc_red" redacted.tar.gz "$tmp/redacted.out"

index_matches() { # DIR: index.json parses; its members are exactly the archive's files (index.json aside)
	$PY - "$1" <<'EOF'
import json, os, sys
d = sys.argv[1]
idx = json.load(open(os.path.join(d, "index.json")))
named = sorted(m["name"] for m in idx["members"] if m["name"])
files = sorted(os.path.relpath(os.path.join(r, f), d) for r, _, fs in os.walk(d) for f in fs)
files.remove("index.json")
print("index:", named, "\narchive:", files)
assert named == files, "index and archive differ"
assert all(m["status"] for m in idx["members"])
EOF
}
check plain-index-json-parses-and-lists-exactly-the-archive-s-members index_matches "$PD"

status_json() { # DIR NAME: status/NAME.json parses and is that daemon's
	$PY - "$1/status/$2.json" "$2" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
print(s.get("daemon"), s.get("pid"), s.get("control"))
assert s["daemon"] == sys.argv[2] and s["pid"] > 0 and s["control"].endswith("/" + sys.argv[2] + ".sock")
EOF
}
for d in clat plat ra dhcp4; do
	check "plain-status-$d-json-parses-and-is-the-$d-daemon-s" status_json "$PD" "$d"
done

has() { grep -qE -- "$2" "$PD/$1"; }
version_same() { [ "$(cat "$PD/versions/xlat464.txt")" = "$("$XLAT464" --version)" ]; }
check plain-versions-xlat464-txt-is-the-binary-s-version version_same
check plain-versions-uname-txt-names-the-kernel has versions/uname.txt "^Linux .*$(uname -r)"
check plain-versions-iproute2-txt has versions/iproute2.txt "iproute2"
check plain-versions-nft-txt has versions/nft.txt "nftables"
check plain-net-addr-txt-the-clat-s-192-0-0-1-29-on-tun-clat has net/addr.txt "inet 192\.0\.0\.1/29 .*clat"
check plain-net-addr-txt-the-uplink-s-slaac-address-in-2001-db8-1-64 has net/addr.txt "inet6 2001:db8:1:[0-9a-f:]+/64 .*global"
check plain-net-link-txt-the-uplink-and-its-mac \
	eval 'grep -qE "^[0-9]+: ${XLAT464_LAB_IFTAG}1@" "$PD/net/link.txt" && grep -qE "link/ether 00:00:5e:00:53:[0-9a-f]{2} " "$PD/net/link.txt"'
check plain-net-route4-txt-the-default-route-through-clat has net/route4.txt "^default dev clat"
check plain-net-route4-txt-table-local-too-table-all has net/route4.txt "table local"
check plain-net-route6-txt-2001-db8-1-64-and-a-default-route has net/route6.txt "^2001:db8:1::/64 "
check plain-net-rule4-txt-and-rule6-txt-the-main-table-s-rule \
	eval 'grep -q "lookup main" "$PD/net/rule4.txt" && grep -q "lookup main" "$PD/net/rule6.txt"'
check plain-net-neigh-txt-is-there test -f "$PD/net/neigh.txt"
tc_clat() { awk -v h="== tc -s filter show dev ${XLAT464_LAB_IFTAG}1 ingress" '/^== / { on = ($0 == h) } on' "$PD/net/tc-filters.txt" | grep -q 'x4_clat_ingress'; }
check plain-net-tc-filters-the-clat-s-ingress-program-on-the-uplink tc_clat
nft_index_ok() { $PY -c 'import json,sys; m=[x for x in json.load(open(sys.argv[1]))["members"] if x["source"]=="nft list ruleset"]; print(m); assert m[0]["name"]=="nft/ruleset.txt" and m[0]["status"]=="ok"' "$PD/index.json"; }
check plain-nft-ruleset-txt-from-nft-list-ruleset-status-ok nft_index_ok
check plain-sysctl-txt-the-uplink-s-accept-ra-and-ip-forward \
	eval 'grep -qE "^net\.ipv6\.conf\.${XLAT464_LAB_IFTAG}1\.accept_ra = [0-9]" "$PD/sysctl.txt" && grep -qE "^net\.ipv4\.ip_forward = [01]$" "$PD/sysctl.txt"'
check plain-config-clat-conf-with-its-settings has config/clat.conf "^pref64 64:ff9b::/96$"
check plain-logs-clat-log-the-clat-s-log has logs/clat.log "running"
journal_indexed() { grep -q '"source": "journalctl ' "$PD/index.json"; }
check plain-the-journal-is-in-the-index-a-member-or-why-not journal_indexed

no_secret() { ! grep -rqE 's3cr3t-t0ken-value|hunter2-passw0rd|PRIVATE-KEY-MATERIAL' "$1"; }
check plain-no-secret-value-no-key-file-s-content no_secret "$PD"
masked() { [ "$(grep -c '<removed by xlat464 report>' "$PD/config/clat.conf")" = 2 ] && grep -q '"status": "left out: its name looks secret"' "$PD/index.json" && [ ! -e "$PD/config/wg-private.key" ]; }
check plain-both-secret-lines-masked-the-key-file-left-out-and-said-so masked

# ---- the redacted bundle ------------------------------------------------------------------------
check redacted-index-json-parses-and-lists-exactly-the-archive-s-members index_matches "$RD"
for d in clat plat ra dhcp4; do
	check "redacted-status-$d-json-still-parses" status_json "$RD" "$d"
done
check redacted-index-json-says-redacted grep -q '"redacted": true' "$RD/index.json"
check redacted-no-secret-value-no-key-file-s-content no_secret "$RD"

# Every address of the lab: each namespace's addresses and MACs, and every address-looking word of
# the plain bundle. The rule (docs/report.md) is written again here, apart from src/cli/redact.c.
for ns in $ALL_NS; do
	ip -n "$ns" -j addr show
	echo
	ip -n "$ns" -j link show
	echo
done >"$tmp/lab-addrs.json"

no_host_part() {
	$PY - "$tmp/lab-addrs.json" "$PD" "$RD" <<'EOF'
import ipaddress, json, os, re, sys
lab, plain, red = sys.argv[1:4]

def hidden4(a):
    a = ipaddress.IPv4Address(a)
    o = a.packed
    if o[0] == 0 or o[0] == 127 or o[0] >= 224 or a in ipaddress.ip_network("192.0.0.0/29") or str(a) == "192.0.0.8":
        return False
    return o[3] not in (0, 255)

def hidden6(a):
    a = ipaddress.IPv6Address(a)
    p = a.packed
    if a.is_multicast or a == ipaddress.IPv6Address("::1") or p[8:] == bytes(8):
        return False
    if a in ipaddress.ip_network("64:ff9b::/96") or a.ipv4_mapped:
        return hidden4(ipaddress.IPv4Address(p[12:]))
    return True

def hidden_mac(m):
    b = bytes(int(x, 16) for x in m.split(":"))
    return not (b[0] & 1) and b != bytes(6)

values = set()   # ("4"|"6"|"mac", canonical value)
def add(word):
    try:
        a = ipaddress.ip_address(word)
        if a.version == 4 and hidden4(a):
            values.add(("4", a))
        elif a.version == 6 and hidden6(a):
            values.add(("6", a))
        return
    except ValueError:
        pass
    if re.fullmatch(r"([0-9a-fA-F]{2}:){5}[0-9a-fA-F]{2}", word) and hidden_mac(word):
        values.add(("mac", word.lower()))

dec = json.JSONDecoder()
text = open(lab).read()
i = 0
while True:
    while i < len(text) and text[i].isspace():
        i += 1
    if i >= len(text):
        break
    objs, i = dec.raw_decode(text, i)
    for o in objs:
        for ai in o.get("addr_info", []):
            add(ai["local"])
        if "address" in o:
            add(o["address"])

def words(path):
    for w in re.findall(r"[0-9A-Za-z_.:%]+", open(path, errors="replace").read()):
        w = w.split("%")[0].rstrip(".")
        if w.endswith(":") and not w.endswith("::"):
            w = w[:-1]
        yield w
        m = re.fullmatch(r"(.+)[.:#](\d{1,5})", w)   # ADDR:PORT, ADDR.PORT
        if m:
            yield m.group(1)

def files(d):
    for r, _, fs in os.walk(d):
        for f in fs:
            yield os.path.join(r, f)

n_lab = len(values)
for f in files(plain):
    for w in words(f):
        add(w)
print("addresses to hide: %d from the namespaces, %d in all" % (n_lab, len(values)))
assert n_lab >= 8, "too few addresses found in the lab"
kinds = {k for k, _ in values}
assert kinds == {"4", "6", "mac"}, kinds

leaks = []
for f in files(red):
    for w in words(f):
        for cand in (w,):
            try:
                a = ipaddress.ip_address(cand)
                if (str(a.version), a) in values:
                    leaks.append((f, cand))
            except ValueError:
                if cand.lower() in {v for k, v in values if k == "mac"}:
                    leaks.append((f, cand))
for f, w in leaks[:20]:
    print("LEAK", os.path.relpath(f, red), w)
assert not leaks, "%d host parts left" % len(leaks)
EOF
}
check redacted-no-host-part-of-any-lab-address-or-mac-is-left no_host_part

rhas() { grep -qE -- "$2" "$RD/$1"; }
check redacted-the-uplink-s-address-keeps-its-64-and-length-2001-db8-1-x-64 rhas net/addr.txt "inet6 2001:db8:1::x/64 "
check redacted-route6-keeps-the-prefix-2001-db8-1-64 rhas net/route6.txt "^2001:db8:1::/64 "
check redacted-the-clat-s-192-0-0-1-29-is-kept-rfc-7335-the-same-on-every-ho rhas net/addr.txt "inet 192\.0\.0\.1/29 "
check redacted-the-clat-s-status-keeps-pref64-64-ff9b-96 rhas status/clat.json "64:ff9b::/96"
check redacted-the-plat-s-pool4-198-51-100-0-28-is-kept rhas status/plat.json "198\.51\.100\.0/28"
check redacted-macs-keep-their-oui-00-00-5e-xx-xx-xx rhas net/link.txt "link/ether [0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:xx:xx:xx "
check redacted-the-dhcp4-status-keeps-192-0-2-x rhas status/dhcp4.json "192\.0\.2\.x"
# ---- missing and hanging tools ------------------------------------------------------------------
# A PATH with ip and uname only: nft, journalctl and systemctl are missing. Then an nft that hangs,
# with its output open (list ruleset) and with it closed (--version, so that only the exit is
# awaited): the 10 s limit ends each (and its process group), the rest of the report is written.
mkdir -p "$tmp/minbin" "$tmp/slowbin" "$tmp/min" "$tmp/slow"
ln -s "$(command -v ip)" "$tmp/minbin/ip"
ln -s "$(command -v uname)" "$tmp/minbin/uname"
printf '#!/bin/sh\necho "$$" >>%s/slow-nft.pid\n[ "$1" = --version ] && exec >/dev/null 2>&1\nexec sleep 60\n' "$tmp" \
	>"$tmp/slowbin/nft"
chmod 755 "$tmp/slowbin/nft"
TIMEOUT=$(command -v timeout)
IP=$(command -v ip)
(cd "$tmp/min" && PATH=$tmp/minbin "$TIMEOUT" 60 "$IP" netns exec "$NSC" "$XLAT464" report --redact \
	--control-dir "$STATE" --config-dir "$tmp/etc") >"$tmp/min.out" 2>&1
rc_min=$?
t0=$(date +%s)
(cd "$tmp/slow" && PATH=$tmp/slowbin:$PATH timeout 60 ip netns exec "$NSC" "$XLAT464" report -o slow.tar.gz \
	--control-dir "$STATE" --config-dir "$tmp/etc") >"$tmp/slow.out" 2>&1
rc_slow=$?
t_slow=$(($(date +%s) - t0))
index_status() { # ARCHIVE SOURCE-PREFIX STATUS-PREFIX: the index entry of that source has that status
	tar -xzOf "$1" --wildcards '*/index.json' | $PY -c '
import json, sys
m = [x for x in json.load(sys.stdin)["members"] if x["source"].startswith(sys.argv[1])]
print(m)
assert m and m[0]["status"].startswith(sys.argv[2])
if sys.argv[2].startswith("missing"):
    assert m[0]["name"] is None, "a missing tool has no member"' "$2" "$3"
}
min_archive() { ls "$tmp"/min/xlat464-report-redacted-*.tar.gz 2>/dev/null | head -n 1; }
default_name() { [ "$rc_min" = 0 ] && [ -n "$(min_archive)" ] && [ "$(stat -c %a "$(min_archive)")" = 600 ]; }
check redacted-default-name-xlat464-report-redacted-date-tar-gz-mode-0600 default_name
check missing-nft-in-the-index-not-a-failure index_status "$(min_archive)" "nft list ruleset" "missing: nft not found"
check missing-journalctl-in-the-index index_status "$(min_archive)" "journalctl " "missing: journalctl not found"
min_has_rest() { tar -tzf "$(min_archive)" | grep -q '/net/addr.txt$' && tar -tzf "$(min_archive)" | grep -q '/status/clat.json$' && ! tar -tzf "$(min_archive)" | grep -q '/nft/'; }
check missing-tools-the-rest-is-there-no-nft-member min_has_rest
slow_bounded() { echo "report took ${t_slow}s, exit $rc_slow"; [ "$rc_slow" = 0 ] && [ "$t_slow" -ge 19 ] && [ "$t_slow" -le 45 ]; }
check hanging-nft-report-still-written-within-its-limit slow_bounded
check hanging-nft-timed-out-in-the-index index_status "$tmp/slow/slow.tar.gz" "nft list ruleset" "timed out after 10 s"
check hanging-nft-output-closed-timed-out-too index_status "$tmp/slow/slow.tar.gz" "nft --version" "timed out after 10 s"
slow_killed() { # both stubs ran and are gone
	local p n=0
	for p in $(cat "$tmp/slow-nft.pid" 2>/dev/null); do
		n=$((n + 1))
		echo "nft stub pid $p"
		! kill -0 "$p" 2>/dev/null || return 1
	done
	[ "$n" = 2 ]
}
check hanging-nft-its-process-was-killed slow_killed

no_hostname() {
	local h
	h=$(hostname)
	[ ${#h} -lt 3 ] && { echo "host name '$h' is too short to be hidden (documented)"; return 0; }
	! grep -rqF -- "$h" "$RD" && ! tar -tzf "$tmp/redacted.tar.gz" | grep -qF -- "$h"
}
check redacted-the-host-name-is-in-no-member-and-no-path no_hostname

finish
