#!/bin/bash
# The client side of the status protocol (docs/design.md, "Status"): `xlat464 status` and `xlat464
# metrics` against stand-in daemons, socat serving a prepared answer on a Unix socket to each client.
#   - a daemon this xlat464 has never heard of, with a counter and a family by reason it does not
#     know: --json prints the answer byte for byte; the text shows the new counter, and of the new
#     family the nonzero reason with its description, not the zero one; metrics says xlat464_up 0;
#   - answers that are not a status (garbage, cut short, an array, bytes after the object, nested too
#     deep, empty, over 1 MiB): exit status 1 and a message naming the problem, nothing on stdout.
# No namespaces: the sockets live in the test's temporary directory. Run as root (like every test
# here) or not: sudo tests/netns/status_protocol.sh. Last line: "N passed, M failed".
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

preconditions socat timeout
need_xlat464
make_tmp x4-sp
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

# refused NAME MESSAGE: status exits 1, prints nothing, and says MESSAGE (grep -E) on stderr
refused() {
	local rc=0 rcj=0
	"$XLAT464" status --control "$tmp/$1.sock" >"$tmp/$1.out" 2>"$tmp/$1.err" || rc=$?
	"$XLAT464" status --json --control "$tmp/$1.sock" >"$tmp/$1.jout" 2>/dev/null || rcj=$?
	cat "$tmp/$1.err"
	echo "exit status $rc, with --json $rcj (want 1 and 1)"
	[ "$rc" = 1 ] && [ "$rcj" = 1 ] && [ ! -s "$tmp/$1.out" ] && [ ! -s "$tmp/$1.jout" ] && grep -qE "$2" "$tmp/$1.err"
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

finish
