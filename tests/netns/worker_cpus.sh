#!/bin/bash
# shellcheck disable=SC2015 # ok and bad never fail: "A && ok ... || bad ..." is an if-then-else here
# worker-cpus: the data-plane workers of `xlat464 siit` and `xlat464 plat` pinned to the CPUs asked
# for, read back from /proc/PID/task/TID/status (Cpus_allowed_list), in a namespace this script
# creates and deletes:
#
#   +-------------- netns x4-wcpu-PID --------------+
#   |  kernel -- 2001:db8:1::1/64, route 64:ff9b::/96 --> TUN -- xlat464 siit | plat
#   +-----------------------------------------------+
#
# Checks, with C the machine's CPUs (two CPUs, 0 and 1, when it has them; else CPU 0 twice):
#   - siit workers 2 worker-cpus "1,0": one worker thread on 1, the other on 0, the main thread left
#     alone; ping through the TUN still translated, each worker's count in the status and the metrics
#     (xlat464_worker_packets_total) summing to the total;
#   - siit workers 1 worker-cpus 1: the main thread (the one worker) on 1;
#   - plat workers 2 worker-cpus 0: both worker threads on 0, each worker's counts in its status;
#   - worker-cpus naming a CPU the process may not use: siit exits 1 and says so, naming worker-cpus.
# Needs root, iproute2, iputils-ping, /usr/bin/python3.
set -euo pipefail
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

ns=x4-wcpu-$$
ALL_NS=$ns
preconditions ip ping timeout
need_xlat464
make_tmp x4-wcpu
make_namespaces net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0

ncpu=$(nproc)
if [ "$ncpu" -ge 2 ]; then first=1 second=0; else first=0 second=0; fi
say "CPUs: $ncpu; pinning to $first and $second"

# the threads of PID other than the main one, and the CPUs each may run on
threads_cpus() { # PID: "TID CPUS" per thread but the main one
	local t
	for t in /proc/"$1"/task/*; do
		[ "${t##*/}" = "$1" ] && continue
		printf '%s %s\n' "${t##*/}" "$(awk '/^Cpus_allowed_list:/ {print $2}' "$t/status")"
	done
}
main_cpus() { awk '/^Cpus_allowed_list:/ {print $2}' "/proc/$1/status"; }
all_cpus=$(main_cpus $$)

start() { # NAME ARGS...: the daemon in the namespace; sets daemon_pid and CTL
	local name=$1
	shift
	CTL=$tmp/$name.sock
	ip netns exec "$ns" "$XLAT464" "$@" --control "$CTL" --foreground >"$tmp/$name.log" 2>&1 &
	daemon_pid=$!
	pids+=("$daemon_pid")
	wait_until 10 test -S "$CTL" || die "$name did not start: $(cat "$tmp/$name.log")"
}

make_tun() { # [multi_queue]: the TUN wcpu0 afresh, with its address and routes
	nsx "$ns" ip link del wcpu0 2>/dev/null || true
	nsx "$ns" ip tuntap add dev wcpu0 mode tun "$@"
	nsx "$ns" ip link set wcpu0 up
	nsx "$ns" ip -6 addr add 2001:db8:1::1/64 dev wcpu0 nodad
	nsx "$ns" ip -6 route add 64:ff9b::/96 dev wcpu0
	nsx "$ns" ip -4 route add 192.0.2.0/24 dev wcpu0
}
make_tun multi_queue

say "== siit, workers 2, worker-cpus $first,$second"
start siit2 siit --tun wcpu0 --pool6 64:ff9b::/96 --eam 192.0.2.1 2001:db8:1::1 --allow-wkp-non-global yes --workers 2 --worker-cpus "$first,$second"
threads_cpus "$daemon_pid" >"$tmp/threads"
cat "$tmp/threads"
got=$(awk '{print $2}' "$tmp/threads" | sort | tr '\n' ' ')
want=$(printf '%s\n' "$first" "$second" | sort | tr '\n' ' ')
[ "$got" = "$want" ] && ok "the two worker threads run on CPUs $want" || bad "worker threads on '$got', want '$want'"
[ "$(main_cpus "$daemon_pid")" = "$all_cpus" ] && ok "the main thread is left on $all_cpus" ||
	bad "the main thread on $(main_cpus "$daemon_pid"), want $all_cpus"
nsx "$ns" ping -6 -c 3 -i 0.2 -W 1 64:ff9b::c633:6402 >/dev/null 2>&1 || true # no answer: 198.51.100.2 is nowhere
n=$(jget "j['packets_6to4']" 2>/dev/null || echo 0)
ge "packets translated 6to4 by the pinned workers" "$n" 3 && ok "translation runs on the pinned workers ($n)" ||
	bad "translated $n packets 6to4"
# each worker's count: in the status (worker_packets_6to4) and in the metrics, both summing to the total
per=$(jget "j['worker_packets_6to4']" 2>/dev/null || echo none)
sum=$(jget "sum(j['worker_packets_6to4']) if len(j['worker_packets_6to4']) == j['workers'] == 2 else -1" 2>/dev/null || echo -1)
[ "$sum" = "$n" ] && ok "status: per-worker 6to4 $per, summing to $n" || bad "status: per-worker 6to4 $per (sum $sum), total $n"
"$XLAT464" metrics --control "$CTL" >"$tmp/metrics" 2>&1 || true
msum=$(awk '/^xlat464_worker_packets_total\{.*direction="6to4"/ {s += $NF; k++} END {print k + 0, s + 0}' "$tmp/metrics")
[ "$msum" = "2 $n" ] && ok "metrics: two xlat464_worker_packets_total 6to4 samples summing to $n" ||
	bad "metrics: samples and sum '$msum', want '2 $n': $(grep worker_packets "$tmp/metrics")"
stop_daemon 5 >/dev/null || bad "the daemon did not exit 0 on SIGTERM"

say "== siit, workers 1, worker-cpus $first"
make_tun
start siit1 siit --tun wcpu0 --pool6 64:ff9b::/96 --workers 1 --worker-cpus "$first"
c=$(main_cpus "$daemon_pid")
[ "$c" = "$first" ] && ok "one worker: the daemon's thread runs on CPU $first" || bad "the daemon's thread on $c, want $first"
stop_daemon 5 >/dev/null || bad "the daemon did not exit 0 on SIGTERM"

say "== plat, workers 2, worker-cpus $second"
make_tun multi_queue
start plat2 plat --tun wcpu0 --pool6 64:ff9b::/96 --pool4 192.0.2.0/28 --workers 2 --worker-cpus "$second"
threads_cpus "$daemon_pid" >"$tmp/threads"
cat "$tmp/threads"
got=$(awk '{print $2}' "$tmp/threads" | sort -u | tr '\n' ' ')
nthreads=$(wc -l <"$tmp/threads")
[ "$nthreads" -ge 2 ] && [ "$got" = "$second " ] && ok "plat's $nthreads worker threads all run on CPU $second" ||
	bad "plat's threads on '$got' ($nthreads threads), want all on $second"
nw=$(jget "len(j['worker_packets_4to6']) + len(j['worker_packets_6to4'])" 2>/dev/null || echo 0)
eq "plat's per-worker counters (2 workers, 2 directions)" "$nw" 4 && ok "plat's status has each worker's counts" ||
	bad "plat's status has $nw per-worker counts"
stop_daemon 5 >/dev/null || bad "the daemon did not exit 0 on SIGTERM"

say "== a CPU this process may not use"
if nsx "$ns" taskset -c 0 "$XLAT464" siit --tun wcpu0 --pool6 64:ff9b::/96 --workers 2 --worker-cpus 0,1023 \
	--control "$tmp/bad.sock" --foreground >"$tmp/bad.log" 2>&1; then
	bad "worker-cpus 0,1023 under taskset -c 0 was accepted"
else
	rc=$?
	grep -q "worker-cpus: CPU 1023 is not one this process may run on" "$tmp/bad.log" && [ "$rc" = 1 ] &&
		ok "refused, exit $rc: $(grep worker-cpus "$tmp/bad.log" | head -1)" || bad "exit $rc: $(cat "$tmp/bad.log")"
fi

finish
