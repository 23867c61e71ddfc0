#!/bin/bash
# What IPFIX export (RFC 8158) costs `xlat464 plat`: new sessions per second end to end with the
# export off and on, in the same run, and the event rate a collector received without loss. Not a
# test: it prints the figures and the ratio.
#   sudo bench/plat_ipfix.sh
# Environment: XLAT464=path (default build/xlat464), ROUNDS (default 5: off and on take turns in each
# round; the figures are medians, the ratios the medians of each round's ratio), FLOWS (default
# 300000 new UDP flows per sender), SENDERS (default 1 sender process; this machine has 2 cores),
# LOSSLESS (default 2 runs with a decoding collector), KEEP=1.
#
#  ns cl (client)              ns rt (router)                          ns sv (server)
# +----------------------+    +---------------------------------+    +-------------------+
# | c-r 2001:db8:1::2/64 |====| r-c 2001:db8:1::1/64            |====| s-r 203.0.113.2/24|
# +----------------------+    | plat0: 64:ff9b::/96 -> pool4    |    +-------------------+
#                             |   198.51.100.0/28               |
#                             | r-s 203.0.113.1/24              |
#                             | r-k 192.0.2.1/24                |====  ns k: k-r 192.0.2.2/24, the collector
#                             +---------------------------------+
#
# Each run starts a new PLAT (ipfix-events all when exporting: a BIB and a session record per new
# binding and session), then the senders each send FLOWS new UDP flows from one raw socket as fast as
# they can (tests/netns/plat_flows.py flows, no pacing); the end-to-end rate is the sessions the PLAT
# made divided by the time the senders took (flows the TUN queue dropped are lost in both modes
# alike), and the CPU rate the sessions divided by the PLAT's CPU time. Rounds alternate export off
# and on; there the collector drops the datagrams at its link's ingress, so that its own work does
# not compete with the PLAT for this machine's cores, as it would not on another machine. Then
# LOSSLESS runs export to a UDP sink beside a capture, which tshark's IPFIX dissector decodes: the
# records the PLAT counted as sent against the records decoded gives the event rate without loss.
set -u
benchdir=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=../tests/netns/lib.sh
. "$benchdir/../tests/netns/lib.sh"
XLAT464=${XLAT464:-$benchdir/../build/xlat464}
ROUNDS=${ROUNDS:-5}
FLOWS=${FLOWS:-300000}
SENDERS=${SENDERS:-1}
LOSSLESS=${LOSSLESS:-2}
FLOWS_PY=$benchdir/../tests/netns/plat_flows.py

P=x4-pxb-$$-
NSC=${P}cl
NSR=${P}rt
NSS=${P}sv
NSK=${P}k
ALL_NS="$NSC $NSR $NSS $NSK"

preconditions ip tcpdump tshark socat timeout
need_xlat464
make_tmp x4-pxb
make_namespaces net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 net.ipv6.conf.all.accept_dad=0 \
	net.ipv6.conf.default.accept_dad=0
nsx "$NSR" sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
ip -n "$NSC" link add c-r type veth peer name r-c netns "$NSR" || die veth
ip -n "$NSR" link add r-s type veth peer name s-r netns "$NSS" || die veth
ip -n "$NSR" link add r-k type veth peer name k-r netns "$NSK" || die veth
ip -n "$NSC" addr add 2001:db8:1::2/64 dev c-r nodad
for i in $(seq 3 $((SENDERS + 2))); do ip -n "$NSC" addr add "2001:db8:1::$i/64" dev c-r nodad; done
ip -n "$NSR" addr add 2001:db8:1::1/64 dev r-c nodad
ip -n "$NSR" addr add 203.0.113.1/24 dev r-s
ip -n "$NSR" addr add 192.0.2.1/24 dev r-k
ip -n "$NSS" addr add 203.0.113.2/24 dev s-r
ip -n "$NSK" addr add 192.0.2.2/24 dev k-r
for l in "$NSC c-r" "$NSR r-c" "$NSR r-s" "$NSR r-k" "$NSS s-r" "$NSK k-r"; do ip -n ${l% *} link set ${l#* } up; done
ip -n "$NSC" -6 route add default via 2001:db8:1::1
ip -n "$NSS" route add default via 203.0.113.1
# the server drops the flows' datagrams quietly (no port unreachable to translate back)
nsx "$NSS" nft -f - <<-EOF || die nft
	table ip x4pxb {
		chain in {
			type filter hook input priority 0;
			udp dport 20000-20099 drop
		}
	}
EOF
ip netns exec "$NSK" timeout 1800 socat -u UDP4-RECV:4739 /dev/null &
pids+=($!)
wait_listen "$NSK" udp 4739 >/dev/null || die "collector sink"

CTL=$tmp/plat.sock
start_plat() { # LOGNAME EXTRA-FLAGS...
	daemon_log=$tmp/$1.log
	shift
	ip netns exec "$NSR" "$XLAT464" plat --pool6 64:ff9b::/96 --allow-wkp-non-global yes \
		--pool4 198.51.100.0/28 --max-sessions 524288 --control "$CTL" --foreground "$@" >"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 5 test -S "$CTL" || die "xlat464 plat did not start: $(cat "$daemon_log")"
	sleep 0.5
}

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$daemon_pid/stat"; } # the PLAT's user + system time

# run MODE ROUND: one PLAT (MODE off: no export; on: export to the collector, which drops the
# datagrams as they arrive, at its link's ingress, as if it were another machine; lossless: export to
# the collector's sink with a capture that tshark decodes), SENDERS x FLOWS new flows:
# $tmp/MODE.ROUND.rate (sessions/s end to end), .cpurate (sessions per CPU second of the PLAT),
# .sessions, .secs; for on and lossless .sent (records the PLAT sent), .errors (send errors + records
# dropped); for lossless .decoded (records tshark decoded)
run() {
	local m=$1.$2 cap_pid k c0 c1 t0 t1 u0 u1
	if [ "$1" = lossless ]; then
		ip netns exec "$NSK" timeout 300 tcpdump -B 65536 -n -U -s 0 -i k-r -w "$tmp/$m.pcap" udp port 4739 \
			>/dev/null 2>"$tmp/$m.tcpdump" &
		cap_pid=$!
		pids+=("$cap_pid")
		sleep 1
	else
		collector_drop add
	fi
	if [ "$1" = off ]; then
		start_plat "plat.$m"
	else
		start_plat "plat.$m" --ipfix-collector 192.0.2.2 4739 --ipfix-events all
	fi
	# neighbours resolved first: packets queued behind a neighbour solicitation are dropped by the dozen
	nsx "$NSC" ping -c 1 -W 2 64:ff9b::203.0.113.2 >/dev/null || echo "$m: no ping through the PLAT" >&2
	c0=$(jget 'j["sessions_created"]')
	u0=$(cpu_ticks)
	t0=$(date +%s.%N)
	for k in $(seq 1 "$SENDERS"); do
		PLAT_FLOWS_PACE=0 ip netns exec "$NSC" timeout 120 "$PY" "$FLOWS_PY" flows 64:ff9b::203.0.113.2 \
			$((20000 + 10 * k)) "$FLOWS" "2001:db8:1::$((k + 2))" >"$tmp/$m.sender$k" &
		pids+=($!)
		eval "sp$k=\$!"
	done
	for k in $(seq 1 "$SENDERS"); do eval "wait \$sp$k"; done
	t1=$(date +%s.%N)
	sleep 1.5 # the PLAT's queue drained, the last records flushed (once a second)
	c1=$(jget 'j["sessions_created"]')
	u1=$(cpu_ticks)
	awk -v c=$((c1 - c0)) -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f\n", c / (b - a) }' >"$tmp/$m.rate"
	awk -v c=$((c1 - c0)) -v u=$((u1 - u0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f\n", u ? c / (u / hz) : 0 }' >"$tmp/$m.cpurate"
	echo $((c1 - c0)) >"$tmp/$m.sessions"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }' >"$tmp/$m.secs"
	if [ "$1" != off ]; then
		jget 'j["ipfix"]["records_sent"]' >"$tmp/$m.sent"
		jget 'j["ipfix"]["send_errors"] + j["ipfix"]["records_dropped"]' >"$tmp/$m.errors"
	fi
	stop_daemon 5 >/dev/null
	rm -f "$CTL"
	if [ "$1" = lossless ]; then
		sleep 0.5
		kill "$cap_pid" 2>/dev/null
		wait "$cap_pid" 2>/dev/null
		tshark -n -r "$tmp/$m.pcap" -d udp.port==4739,cflow -T fields -e cflow.nat_event 2>/dev/null |
			awk -F, '$1 != "" { n += NF } END { print n + 0 }' >"$tmp/$m.decoded"
	else
		collector_drop delete
	fi
}
collector_drop() { # add|delete: the collector's link drops IPFIX at ingress (before any socket or capture)
	if [ "$1" = add ]; then
		nsx "$NSK" nft -f - <<-EOF
			table netdev x4pxbk {
				chain in {
					type filter hook ingress device "k-r" priority 0;
					udp dport 4739 drop
				}
			}
		EOF
	else
		nsx "$NSK" nft delete table netdev x4pxbk
	fi
}

for r in $(seq 1 "$ROUNDS"); do
	run off "$r"
	run on "$r"
done
for r in $(seq 1 "$LOSSLESS"); do
	run lossless "$r"
done

span() { # MODE KIND MODE2: "min-max" of the rounds' ratios
	local r
	for r in $(seq 1 "$ROUNDS"); do
		awk -v a="$(cat "$tmp/$1.$r.$2")" -v b="$(cat "$tmp/$3.$r.$2")" 'BEGIN { print b ? a / b : 0 }'
	done | sort -g | awk 'NR == 1 { lo = $1 } { hi = $1 } END { printf "%.2f-%.2f", lo, hi }'
}
med() { # MODE KIND [MODE2]: the median over the rounds of MODE's KIND, or of the ratio MODE / MODE2
	local r
	for r in $(seq 1 "$ROUNDS"); do
		if [ -n "${3:-}" ]; then
			awk -v a="$(cat "$tmp/$1.$r.$2")" -v b="$(cat "$tmp/$3.$r.$2")" 'BEGIN { print b ? a / b : 0 }'
		else
			cat "$tmp/$1.$r.$2"
		fi
	done | sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

say "# xlat464 plat, IPFIX export off and on: $ROUNDS rounds, $SENDERS sender(s) x $FLOWS new UDP flows each (nproc $(nproc), $(uname -r))"
for r in $(seq 1 "$ROUNDS"); do
	say "round $r: off $(cat "$tmp/off.$r.sessions") sessions in $(cat "$tmp/off.$r.secs") s = $(cat "$tmp/off.$r.rate")/s" \
		"($(cat "$tmp/off.$r.cpurate") per CPU s); on $(cat "$tmp/on.$r.sessions") sessions in $(cat "$tmp/on.$r.secs") s" \
		"= $(cat "$tmp/on.$r.rate")/s ($(cat "$tmp/on.$r.cpurate") per CPU s), $(cat "$tmp/on.$r.sent") records sent"
done
say "new sessions/s end to end, median: off $(med off rate), on $(med on rate); on / off $(med on rate off | awk '{ printf "%.2f", $1 }') (median of the rounds' ratios, $(span on rate off))"
say "new sessions per CPU second of the PLAT, median: off $(med off cpurate), on $(med on cpurate); on / off $(med on cpurate off | awk '{ printf "%.2f", $1 }') ($(span on cpurate off))"
for r in $(seq 1 "$LOSSLESS"); do
	awk -v s="$(cat "$tmp/lossless.$r.sent")" -v d="$(cat "$tmp/lossless.$r.decoded")" -v t="$(cat "$tmp/lossless.$r.secs")" \
		-v e="$(cat "$tmp/lossless.$r.errors")" -v n="$(cat "$tmp/lossless.$r.sessions")" 'BEGIN {
		printf "collector run %d: %d sessions, %d records sent in %.3f s (%.0f records/s), %d decoded by tshark, %d send errors + dropped: %s\n",
			'"$r"', n, s, t, s / t, d, e, (s == d && e == 0) ? "no loss" : "LOSS" }'
done
