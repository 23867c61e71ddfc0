#!/bin/bash
# The client side of the status protocol (docs/design.md, "Status"): `xlat464 status` and `xlat464
# metrics` against stand-in daemons, socat serving a prepared answer on a Unix socket to each client.
#   - a daemon this xlat464 has never heard of, with a counter and a family by reason it does not
#     know: --json prints the answer byte for byte; the text shows the new counter, and of the new
#     family the nonzero reason with its description, not the zero one; metrics says xlat464_up 0;
#   - answers that are not a status (garbage, cut short, an array, bytes after the object, nested too
#     deep, empty, over 1 MiB): exit status 1 and a message naming the problem; nothing on stdout but,
#     with --json, the error entry {"control", "error", "timed_out": false} naming the socket;
#   - wedged daemons (a /usr/bin/python3 peer that accepts and never answers, one whose backlog is full
#     and accepts nothing) beside a stand-in siit: `xlat464 metrics --timeout` asks them all at once,
#     so the three cost one deadline, not three; each is xlat464_up 0 and xlat464_scrape_timed_out 1,
#     named on stderr once; the siit's samples are written. The same through `--listen`, scraped by
#     curl in a namespace of the test's own;
#   - the same wedged daemons for `xlat464 status --timeout` (text: the siit shown, each wedged socket
#     named, exit 1; --json: one entry each, in order, the siit's answer byte for byte) and for
#     `xlat464 doctor --timeout` (--router: a daemon FAIL naming each, the siit's PASS; the host's: a
#     daemons WARN naming each), each within one deadline; both run in the test's namespace, where
#     the host doctor finds no route to send a probe by.
# The sockets live in the test's temporary directory. Run as root, like every test here:
# sudo tests/netns/status_protocol.sh. Last line: "N passed, M failed".
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

preconditions socat timeout curl ss ip
need_xlat464
make_tmp x4-sp
NS=x4-sp-$$
say "# status_protocol: temp $tmp"

# serve NAME: answers every client of $tmp/NAME.sock with the file $tmp/NAME.json
serve() {
	socat "UNIX-LISTEN:$tmp/$1.sock,fork" "SYSTEM:cat $tmp/$1.json" 2>>"$tmp/socat.log" </dev/null &
	pids+=($!)
	wait_until 5 test -S "$tmp/$1.sock" || die "socat did not listen on $tmp/$1.sock"
}

cat >"$tmp/new.json" <<'JSON'
{
  "schema": 1,
  "daemon": "sentinel",
  "control": "/run/xlat464/sentinel-tun9.sock",
  "pid": 7,
  "uptime_seconds": 5,
  "tun": "tun9",
  "settings": [
    "watch tun9"
  ],
  "new_counter": 42,
  "gauges": {"alpha": 1, "beta": 0},
  "widgets": {
    "frobbed": 3,
    "polished": 0
  },
  "descriptions": {
    "widgets": {
      "frobbed": "widgets frobbed beyond repair",
      "polished": "widgets polished too much"
    }
  }
}
JSON
serve new

passthrough() { "$XLAT464" status --control "$tmp/new.sock" --json >"$tmp/new.out" && cmp "$tmp/new.json" "$tmp/new.out"; }
check json-passed-through-unchanged passthrough

text() {
	"$XLAT464" status --control "$tmp/new.sock" >"$tmp/new.txt" || return 1
	cat "$tmp/new.txt"
	grep -qx "sentinel on tun9 (pid 7, up 5 s, control /run/xlat464/sentinel-tun9.sock)" "$tmp/new.txt" &&
		grep -qE "^new_counter +42$" "$tmp/new.txt" &&
		grep -qx "  watch tun9" "$tmp/new.txt" &&
		grep -qE "^  frobbed +3  widgets frobbed beyond repair$" "$tmp/new.txt" &&
		! grep -q "polished" "$tmp/new.txt" &&
		grep -qE "^  beta +0$" "$tmp/new.txt"
}
check text-shows-an-unknown-counter-and-family text

unknown_daemon() {
	"$XLAT464" metrics --control "$tmp/new.sock" >"$tmp/new.prom" 2>"$tmp/new.err"
	cat "$tmp/new.prom" "$tmp/new.err"
	grep -qx "xlat464_up{control=\"$tmp/new.sock\"} 0" "$tmp/new.prom" && grep -q "no daemon this xlat464 knows" "$tmp/new.err"
}
check metrics-unknown-daemon-is-down unknown_daemon

# json_entries FILE WANT...: FILE is a run of JSON objects, one per WANT in order: "error:TIMED_OUT:
# MESSAGE" an error entry for the socket of the same rank in $ENTRY_SOCKS (TIMED_OUT true or false,
# MESSAGE a Python regular expression its error matches), "same:FILE2" an object byte for byte FILE2's.
json_entries() {
	local f=$1
	shift
	"$PY" - "$f" "$@" <<'PYEOF'
import json, os, re, sys
text = open(sys.argv[1]).read()
socks = os.environ["ENTRY_SOCKS"].split()
dec, at, objs = json.JSONDecoder(), 0, []
while text[at:].strip():
    at += len(text[at:]) - len(text[at:].lstrip())
    start = at
    obj, at = dec.raw_decode(text, at)
    objs.append((obj, text[start:at]))
wants = sys.argv[2:]
print("%d objects, want %d" % (len(objs), len(wants)))
assert len(objs) == len(wants)
for (obj, raw), want, sock in zip(objs, wants, socks):
    print(raw)
    kind, _, rest = want.partition(":")
    if kind == "same":
        assert raw == open(rest).read().rstrip("\n"), "not byte for byte " + rest
    else:
        to, _, msg = rest.partition(":")
        assert sorted(obj) == ["control", "error", "timed_out"], obj
        assert obj["control"] == sock and obj["timed_out"] == (to == "true"), obj
        assert re.search(msg, obj["error"]), obj
PYEOF
}

# refused NAME MESSAGE: status exits 1 and says MESSAGE (grep -E) on stderr; prints nothing, and with
# --json the error entry naming the socket
refused() {
	local rc=0 rcj=0
	"$XLAT464" status --control "$tmp/$1.sock" >"$tmp/$1.out" 2>"$tmp/$1.err" || rc=$?
	"$XLAT464" status --json --control "$tmp/$1.sock" >"$tmp/$1.jout" 2>/dev/null || rcj=$?
	cat "$tmp/$1.err"
	echo "exit status $rc, with --json $rcj (want 1 and 1)"
	[ "$rc" = 1 ] && [ "$rcj" = 1 ] && [ ! -s "$tmp/$1.out" ] && grep -qE "$2" "$tmp/$1.err" &&
		ENTRY_SOCKS="$tmp/$1.sock" json_entries "$tmp/$1.jout" "error:false:$2"
}
printf 'hello, I am not JSON\n' >"$tmp/garbage.json"
printf '{"daemon": "siit", "drops": {"a": 1' >"$tmp/cut.json"
printf '[{"daemon": "siit"}]\n' >"$tmp/array.json"
printf '{"daemon": "siit"} {"daemon": "plat"}\n' >"$tmp/trailing.json"
"$PY" -c 'print("{\"a\": " * 40 + "1" + "}" * 40)' >"$tmp/deep.json"
: >"$tmp/empty.json"
"$PY" -c 'print("{\"settings\": [" + ",".join(["\"%s\"" % ("x" * 1000)] * 2100) + "]}")' >"$tmp/big.json"
for n in garbage cut array trailing deep empty big; do serve "$n"; done
check garbage-refused refused garbage "not valid JSON"
check cut-short-refused refused cut "not valid JSON \(cut short"
check array-refused refused array "not a JSON object"
check trailing-bytes-refused refused trailing "more after the object"
check too-deep-refused refused deep "not valid JSON"
check empty-answer-refused refused empty "empty answer"
check over-1-MiB-refused refused big "longer than 1 MiB"

# ---- wedged daemons: one deadline for the whole scrape ---------------------------------------------
# hung.py PATH accept|full: a control socket that accepts and never answers, or whose backlog is full
# (connections of its own that it never accepts), so that a connect cannot even get in. 120 s at most.
cat >"$tmp/hung.py" <<'PYEOF'
import socket, sys, time
path, kind = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
held = []
if kind == "accept":
    s.listen(8)
    s.settimeout(0.1)
else:
    s.listen(0)
    for _ in range(3):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(path)
            held.append(c)
        except BlockingIOError:
            c.close()
print("ready", flush=True)
end = time.time() + 120
while time.time() < end:
    if kind == "accept":
        try:
            held.append(s.accept()[0])
        except socket.timeout:
            pass
    else:
        time.sleep(0.1)
PYEOF
for h in hung1:accept hung2:accept hung3:full; do
	"$PY" "$tmp/hung.py" "$tmp/${h%:*}.sock" "${h#*:}" >"$tmp/${h%:*}.out" 2>&1 &
	pids+=($!)
	wait_until 5 grep -q ready "$tmp/${h%:*}.out" || die "hung.py ${h#*:} did not start: $(cat "$tmp/${h%:*}.out")"
done
cat >"$tmp/siit.json" <<'JSON'
{"schema": 1, "daemon": "siit", "control": "/run/xlat464/siit-siit9.sock", "pid": 8, "uptime_seconds": 3,
 "tun": "siit9", "packets_4to6": 5, "packets_6to4": 6, "drops": {"ttl-expired": 2}}
JSON
serve siit
HUNG="$tmp/hung1.sock $tmp/hung2.sock $tmp/hung3.sock"

ms_now() { echo $(($(date +%s%N) / 1000000)); }
# scrape_ok FILE STDERR_FILE MS_TAKEN LIMIT_MS TIMEOUT_MS: what a bounded scrape must show
scrape_ok() {
	local f=$1 e=$2 took=$3 limit=$4 to=$5 h r=0
	grep -E '^xlat464_(up|scrape_timed_out|packets_total)' "$f"
	cat "$e"
	echo "took $took ms (want under $limit: three wedged daemons cost one deadline of $to ms, not three)"
	[ "$took" -ge "$to" ] && [ "$took" -lt "$limit" ] || r=1
	for h in $HUNG; do
		grep -qx "xlat464_up{control=\"$h\"} 0" "$f" &&
			grep -qx "xlat464_scrape_timed_out{control=\"$h\"} 1" "$f" || { echo "no timed-out $h"; r=1; }
		[ "$(grep -c "$h: no answer within $to ms" "$e")" = 1 ] || { echo "$h not named once on stderr"; r=1; }
	done
	grep -qx "xlat464_up{control=\"$tmp/siit.sock\"} 1" "$f" &&
		grep -qx "xlat464_scrape_timed_out{control=\"$tmp/siit.sock\"} 0" "$f" &&
		grep -qx 'xlat464_packets_total{daemon="siit",tun="siit9",direction="4to6"} 5' "$f" &&
		grep -qx "xlat464_scrape_timed_out{control=\"$tmp/absent.sock\"} 0" "$f" || { echo "siit or absent wrong"; r=1; }
	return "$r"
}

hung_print() {
	local t0 t1 args=() h
	for h in $HUNG "$tmp/siit.sock" "$tmp/absent.sock"; do args+=(--control "$h"); done
	t0=$(ms_now)
	timeout 20 "$XLAT464" metrics --timeout 1000 "${args[@]}" >"$tmp/hung.prom" 2>"$tmp/hung.err" || return 1
	t1=$(ms_now)
	scrape_ok "$tmp/hung.prom" "$tmp/hung.err" $((t1 - t0)) 2000 1000
}
check metrics-wedged-daemons-one-deadline hung_print

bad_timeout() { # SUBCOMMAND: a --timeout out of range or not a number exits 2 naming it
	local rc=0 v
	for v in 99 30001 1s "" -5 " 500"; do
		rc=0
		"$XLAT464" "$1" --timeout "$v" --control "$tmp/siit.sock" >"$tmp/bt.out" 2>"$tmp/bt.err" || rc=$?
		cat "$tmp/bt.err"
		[ "$rc" = 2 ] && [ ! -s "$tmp/bt.out" ] && grep -qF -- "--timeout '$v': want milliseconds from 100 to 30000" "$tmp/bt.err" ||
			return 1
	done
}
check metrics-bad-timeout-refused bad_timeout metrics
check status-bad-timeout-refused bad_timeout status
check doctor-bad-timeout-refused bad_timeout doctor

# timed TIMEOUT_MS LIMIT_MS COMMAND...: runs COMMAND (stdout $tmp/t.out, stderr $tmp/t.err, exit status
# $tmp/t.rc), which must take at least the timeout (the wedged daemons never answer) and less than
# the limit: one deadline for all of them, not one each
timed() {
	local to=$1 limit=$2 t0 t1 rc=0
	shift 2
	t0=$(ms_now)
	timeout 20 "$@" >"$tmp/t.out" 2>"$tmp/t.err" || rc=$?
	t1=$(ms_now)
	echo "$rc" >"$tmp/t.rc"
	echo "$* took $((t1 - t0)) ms, exit status $rc (want $to to $limit ms)"
	[ $((t1 - t0)) -ge "$to" ] && [ $((t1 - t0)) -lt "$limit" ]
}
# named_once FILE PATTERN: each wedged socket named once in FILE, by the line PATTERN (%s the socket)
named_once() {
	local h r=0 line
	for h in $HUNG; do
		# shellcheck disable=SC2059 # the pattern is ours
		line=$(printf "$2" "$h")
		[ "$(grep -cxF -- "$line" "$1")" = 1 ] || { echo "not once in $1: $line"; r=1; }
	done
	return "$r"
}

STATUS_ARGS=()
for h in $HUNG "$tmp/siit.sock" "$tmp/absent.sock"; do STATUS_ARGS+=(--control "$h"); done
status_wedged_text() {
	timed 1000 2000 "$XLAT464" status --timeout 1000 "${STATUS_ARGS[@]}"
	local r=$?
	cat "$tmp/t.out" "$tmp/t.err"
	[ "$r" = 0 ] && [ "$(cat "$tmp/t.rc")" = 1 ] &&
		grep -qx "siit on siit9 (pid 8, up 3 s, control /run/xlat464/siit-siit9.sock)" "$tmp/t.out" &&
		grep -qE "^packets_4to6 +5$" "$tmp/t.out" &&
		named_once "$tmp/t.err" "xlat464 status: %s: no answer within 1000 ms" &&
		grep -qx "xlat464 status: $tmp/absent.sock: No such file or directory" "$tmp/t.err" &&
		! grep -q "hung" "$tmp/t.out"
}
check status-wedged-daemons-one-deadline status_wedged_text

status_wedged_json() {
	timed 500 1500 "$XLAT464" status --json --timeout 500 "${STATUS_ARGS[@]}"
	local r=$?
	cat "$tmp/t.err"
	[ "$r" = 0 ] && [ "$(cat "$tmp/t.rc")" = 1 ] &&
		named_once "$tmp/t.err" "xlat464 status: %s: no answer within 500 ms" &&
		ENTRY_SOCKS="$HUNG $tmp/siit.sock $tmp/absent.sock" json_entries "$tmp/t.out" \
			"error:true:^no answer within 500 ms$" "error:true:^no answer within 500 ms$" \
			"error:true:^no answer within 500 ms$" "same:$tmp/siit.json" "error:false:No such file"
}
check status-json-wedged-daemons-one-deadline status_wedged_json

# --listen: the same, scraped twice over HTTP in a namespace of our own (the socket files are shared);
# the second scrape is as quick, and the wedged daemons are still named once in the log.
hung_listen() {
	local t0 t1 t2 args=() h port=9464
	for h in $HUNG "$tmp/siit.sock" "$tmp/absent.sock"; do args+=(--control "$h"); done
	ip netns exec "$NS" timeout 60 "$XLAT464" metrics --listen "127.0.0.1:$port" --timeout 500 "${args[@]}" \
		>"$tmp/listen.out" 2>"$tmp/listen.err" &
	pids+=($!)
	wait_listen "$NS" tcp "$port" || return 1
	t0=$(ms_now)
	nsx "$NS" curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$tmp/listen1.prom" || return 1
	t1=$(ms_now)
	nsx "$NS" curl -s -m 10 "http://127.0.0.1:$port/metrics" >"$tmp/listen2.prom" || return 1
	t2=$(ms_now)
	scrape_ok "$tmp/listen1.prom" "$tmp/listen.err" $((t1 - t0)) 1500 500 &&
		scrape_ok "$tmp/listen2.prom" "$tmp/listen.err" $((t2 - t1)) 1500 500
}
ALL_NS=$NS
make_namespaces
check metrics-listen-wedged-daemons-one-deadline hung_listen

# The doctor, in the test's namespace: a siit of its own, on lo (pid 0: no /proc entry to compare
# namespaces by, so its link, lo, being here makes it this namespace's), and the wedged daemons.
cat >"$tmp/siitlo.json" <<'JSON'
{"schema": 1, "daemon": "siit", "control": "/run/xlat464/siit-lo.sock", "pid": 0, "uptime_seconds": 3,
 "tun": "lo", "packets_4to6": 5, "packets_6to4": 6, "drops": {}}
JSON
serve siitlo
: >"$tmp/resolv.conf"
DOCTOR_ARGS=(--timeout 1000)
for h in $HUNG "$tmp/siitlo.sock"; do DOCTOR_ARGS+=(--control "$h"); done
doctor_router_wedged() {
	timed 1000 2000 ip netns exec "$NS" "$XLAT464" doctor --router "${DOCTOR_ARGS[@]}"
	local r=$?
	cat "$tmp/t.out" "$tmp/t.err"
	[ "$r" = 0 ] && [ "$(cat "$tmp/t.rc")" = 1 ] &&
		named_once "$tmp/t.out" "FAIL  daemon         %s: no answer within 1000 ms" &&
		grep -qx "PASS  daemon         siit on lo (pid 0) answers at $tmp/siitlo.sock" "$tmp/t.out"
}
check doctor-router-wedged-daemons-one-deadline doctor_router_wedged

doctor_host_wedged() {
	timed 1000 2000 ip netns exec "$NS" "$XLAT464" doctor --resolv-conf "$tmp/resolv.conf" "${DOCTOR_ARGS[@]}"
	local r=$?
	cat "$tmp/t.out" "$tmp/t.err"
	[ "$r" = 0 ] && named_once "$tmp/t.out" "WARN  daemons        %s: no answer within 1000 ms"
}
check doctor-host-wedged-daemons-one-deadline doctor_host_wedged

finish
