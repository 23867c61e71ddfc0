#!/bin/bash
# The CLAT's kernel fast path (lib/sys/bpf/clat_offload.bpf.c) beyond what clat_e2e.sh and
# clat_rawip.sh see of it. Run as root:   sudo tests/netns/clat_bpf.sh
#
# Topology: clat_e2e.sh's (tests/netns/lib.sh clat_topology: client, router with radvd and TAYGA as
# the PLAT, IPv4-only server).
#
# Checked:
#  - the differential test: tests/bpf/clat_diff.c runs both programs with BPF_PROG_TEST_RUN against
#    the userspace path on random packets (every prefix length, both address modes, MTUs 1280-9000),
#    DIFF_ROUNDS of them (default 60000) with a fresh seed, printed for a replay;
#  - checksums: with the router finishing every checksum in software (ethtool tx off), 4 MiB each way
#    through the fast path arrive byte-exact with no TcpInCsumErrors at the client or the server (a
#    super-packet's partial checksum keeps only the pseudo-header's change), and the same on the TUN
#    path (the super-packets the daemon sends whole);
#  - what the programs leave goes to the daemon, unchanged in behaviour: a 3000-byte UDP datagram
#    without DF (the daemon fragments it; the fast path counts a fragment) is echoed whole;
#  - the capabilities of dist/systemd/xlat464-clat.service load the programs (fast path active,
#    then only CAP_NET_ADMIN and CAP_NET_RAW left); without CAP_BPF the kernel refuses them, and the
#    CLAT says why (log and status) and carries the traffic on its TUN;
#  - kill -9 leaves the ingress filter on the uplink; the next start replaces it (one filter, the
#    new daemon's, carrying traffic); SIGTERM removes it.
# Environment: XLAT464, DIFF=path of clat_diff (default build/tests/clat_diff), DIFF_ROUNDS, KEEP=1.
set -u
# shellcheck source=lib.sh source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

clat_names x464cb # NSC NSR NSS ALL_NS PREFIX6 R6 PLAT RS4 S4
DIFF=${DIFF:-$here/../../build/tests/clat_diff}
DIFF_ROUNDS=${DIFF_ROUNDS:-60000}
UNIT=$here/../../dist/systemd/xlat464-clat.service

preconditions ip tayga radvd socat tcpdump ping timeout sha256sum ss cmp tc ethtool nstat setpriv
need_xlat464
make_tmp x464cb
say "# clat_bpf: namespaces ${P}*, temp $tmp"

# ---- the differential test ----------------------------------------------------------------------
seed=$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')
check differential-kernel-against-userspace "$DIFF" "$DIFF_ROUNDS" "$seed"

clat_topology x464cb
clat_tayga nat64 "$PLAT" 198.51.100.128/25 198.51.100.1 198.51.100.0/24
clat_wait_slaac
dd if=/dev/urandom of="$tmp/big" bs=1M count=4 status=none
make_payloads
udp_echo_server "$NSS" 7777

CTL=$tmp/ctl.sock
clat_running() { [ -S "$CTL" ] && grep -q -- "-> running" "$daemon_log"; }
start_clat() { # LOGNAME [EXTRA ARGS...]; WRAP: a command to run the daemon under
	daemon_log=$tmp/$1.log
	shift
	# shellcheck disable=SC2086 # WRAP: words
	ip netns exec "$NSC" ${WRAP:-} "$XLAT464" clat --pref64 "$PLAT" --uplink c-r --control "$CTL" --foreground "$@" \
		>"$daemon_log" 2>&1 &
	daemon_pid=$!
	wait_daemon 10 clat_running && return 0
	sed 's/^/    /' "$daemon_log"
	return 1
}
jc() { jget "j['clat']$1"; }
csum_errors() { nsx "$1" nstat -az TcpInCsumErrors | awk '/TcpInCsumErrors/ { print $2 }'; }

# ---- checksums finished in software by the router -----------------------------------------------------
soft_csum() { # LOGNAME [ARGS]: 4 MiB each way with the router's transmit checksum offload off
	local rc=0
	start_clat "$@" || return 1
	nsx "$NSR" ethtool -K r-c tx off >/dev/null && nsx "$NSR" ethtool -K r-s tx off >/dev/null || return 1
	nsx "$NSC" nstat -n >/dev/null
	nsx "$NSS" nstat -n >/dev/null
	tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5001 "$tmp/big" || rc=1
	tcp_copy "$NSS" "$NSC" TCP4-LISTEN "TCP4:$S4" 5002 "$tmp/big" pull || rc=1
	nsx "$NSR" ethtool -K r-c tx on >/dev/null
	nsx "$NSR" ethtool -K r-s tx on >/dev/null
	st | grep -E "fast-path|userspace-path"
	eq "checksum errors at the client" "$(csum_errors "$NSC")" 0 && eq "checksum errors at the server" "$(csum_errors "$NSS")" 0 || rc=1
	stop_daemon 5 || rc=1
	return "$rc"
}
check fast-path-checksums-right-when-the-router-finishes-them soft_csum fast-csum
check tun-path-checksums-right-when-the-router-finishes-them soft_csum tun-csum --no-fast-path

# ---- what the programs leave goes to the daemon -------------------------------------------------------
left_to_daemon() {
	start_clat left || return 1
	# 3000 bytes of UDP without DF: the daemon fragments it (RFC 7915 section 4.1), the server echoes
	# it (fragmented the other way too), and it comes back whole
	head -c 3000 /dev/urandom >"$tmp/udp3000"
	udp_echo "$NSC" "UDP4:$S4:7777" "$tmp/udp3000" || return 1
	jget "j['clat']['fast_path']"
	ge "left to the daemon: fragment" "$(jc "['fast_path']['fragment']")" 1 &&
		ge "translated by the daemon 4to6" "$(jget "j['packets_4to6']")" 2 || return 1
	stop_daemon 5
}
check fragments-go-to-the-daemon left_to_daemon

# ---- the unit's capabilities, and a kernel that refuses -----------------------------------------------
unit_caps() { # the unit's CapabilityBoundingSet as setpriv's list: +net_admin,+net_raw,...
	sed -n 's/^CapabilityBoundingSet=//p' "$UNIT" | tr ' ' '\n' | sed 's/^CAP_//' | tr 'A-Z' 'a-z' | sed 's/^/+/' | paste -sd,
}
unit_caps_load() {
	local caps
	caps=$(unit_caps)
	echo "the unit's capabilities: $caps"
	[ -n "$caps" ] || return 1
	WRAP="setpriv --bounding-set=-all,$caps --inh-caps=-all" start_clat unit-caps || return 1
	eq fast_path_active "$(jc "['fast_path_active']")" True || return 1
	grep -q "capabilities kept: 0x3000" "$daemon_log" || return 1
	tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5003 "$tmp/big" || return 1
	ge "bytes the kernel carried" "$(jc "['fast_path']['bytes-4to6']")" $((4 * 1024 * 1024)) || return 1
	stop_daemon 5
}
check unit-capabilities-load-the-fast-path unit_caps_load

refused() {
	local caps
	caps=$(unit_caps)
	caps=${caps//,+bpf/}
	WRAP="setpriv --bounding-set=-all,$caps --inh-caps=-all" start_clat no-bpf || return 1
	grep "kernel fast path: loading the BPF programs" "$daemon_log" || return 1
	eq fast_path_active "$(jc "['fast_path_active']")" False || return 1
	st | grep "fast-path not in use: loading the BPF programs" || return 1
	tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5004 "$tmp/big" || return 1
	ge "translated on the TUN" "$(jget "j['packets_4to6']")" 10 || return 1
	stop_daemon 5
}
check kernel-refuses-clat-says-why-and-runs-on-its-tun refused

# ---- kill -9: the filter stays; the next start replaces it ------------------------------------------
filters() { nsx "$NSC" tc filter show dev c-r ingress | grep -c "x4_clat_ingress"; }
kill9() {
	start_clat k1 || return 1
	kill -KILL "$daemon_pid"
	wait "$daemon_pid" 2>/dev/null
	daemon_pid=
	eq "filters after kill -9" "$(filters)" 1 || return 1
	rm -f "$CTL"
	start_clat k2 || return 1
	eq "filters after a new start" "$(filters)" 1 || return 1
	tcp_copy "$NSC" "$NSS" TCP4-LISTEN "TCP4:$S4" 5005 "$tmp/big" || return 1
	ge "bytes the new daemon's program carried" "$(jc "['fast_path']['bytes-4to6']")" $((4 * 1024 * 1024)) || return 1
	stop_daemon 5 || return 1
	eq "filters after SIGTERM" "$(filters)" 0
}
check kill-9-then-start-replaces-the-filter kill9
finish
