#!/bin/bash
# The NetworkManager dispatcher hook dist/networkmanager/90-xlat464-clat (docs/coexistence.md): what
# it asks systemd to do for each event. systemd and NetworkManager do not run here, so the hook runs
# with the environment NetworkManager gives it (INTERFACE ACTION, CONNECTION_UUID) and stubs first on
# its PATH: systemctl (records its arguments; is-enabled and is-active answer as the case says),
# nmcli (the profile's ipv4.clat), NetworkManager --print-config (the global default), ip (the
# addresses in 192.0.0.0/29, in the format `ip -4 -o addr show to 192.0.0.0/29` prints; the hook
# meets the real ip in tests/netns/clat_coexist.sh) and logger. Each case checks the
# exact list of state-changing systemctl calls (start/stop) and the log line. No root needed.
set -u
. "$(dirname "$0")/lib.sh"

HOOK=$(readlink -f "$here/../../dist/networkmanager/90-xlat464-clat")
make_tmp xlat464-nmhook
mkdir -p "$tmp/bin"

# ---- stubs ----------------------------------------------------------------------------------------
cat >"$tmp/bin/systemctl" <<'EOF'
#!/bin/sh
echo "systemctl $*" >>"$STUB_DIR/calls"
case $1 in
is-enabled) [ "$STUB_ENABLED" = yes ] ;;
is-active) [ "$STUB_ACTIVE" = yes ] ;;
*) exit 0 ;;
esac
EOF
cat >"$tmp/bin/nmcli" <<'EOF'
#!/bin/sh
echo "nmcli $*" >>"$STUB_DIR/calls"
[ "$*" = "-g ipv4.clat connection show uuid $STUB_UUID" ] || exit 10
printf '%s\n' "$STUB_CLAT"
EOF
cat >"$tmp/bin/NetworkManager" <<'EOF'
#!/bin/sh
[ "$*" = "--print-config" ] || exit 2
printf '[main]\nplugins=keyfile\n\n[connection-24-clat-auto]\n%s\n' "$STUB_NMCONF"
EOF
cat >"$tmp/bin/ip" <<'EOF'
#!/bin/sh
[ "$*" = "-4 -o addr show to 192.0.0.0/29" ] || exit 1
printf '%b' "$STUB_IPADDR"
EOF
cat >"$tmp/bin/logger" <<'EOF'
#!/bin/sh
echo "logger $*" >>"$STUB_DIR/log"
EOF
chmod 755 "$tmp/bin"/*

# run_hook IFACE ACTION [VAR=VALUE...]: a fresh calls/log, then the hook with the case's stubs
run_hook() {
	local iface=$1 action=$2
	shift 2
	: >"$tmp/calls"
	: >"$tmp/log"
	env -i PATH="$tmp/bin:/usr/bin:/bin" STUB_DIR="$tmp" STUB_UUID=5f6e-uuid CONNECTION_UUID=5f6e-uuid \
		STUB_ENABLED=yes STUB_ACTIVE=no STUB_CLAT=no STUB_NMCONF= STUB_IPADDR= \
		XLAT464_CLAT_CONF="$tmp/clat.conf" XLAT464_NM_DEFAULTS="$tmp/default" "$@" \
		/bin/sh "$HOOK" "$iface" "$action"
}
# the systemctl calls that change something (start, stop, restart...), one line
changes() { grep -vE '^systemctl is-(enabled|active) ' "$tmp/calls" | grep '^systemctl' | tr '\n' ';'; }
expect() { # WANT-CHANGES [LOG-PATTERN]
	local got
	got=$(changes)
	echo "systemctl: '$got' (want '$1')"
	sed 's/^/  log: /' "$tmp/log"
	[ "$got" = "$1" ] || return 1
	[ -z "${2:-}" ] || grep -qE -- "$2" "$tmp/log"
}
: >"$tmp/clat.conf"
: >"$tmp/default"

NM32='3: wlp2s0    inet 192.0.0.5/32 scope global wlp2s0\\       valid_lft forever preferred_lft forever\n'
OURS='7: clat    inet 192.0.0.1/29 scope host clat\\       valid_lft forever preferred_lft forever\n'

c_start() { run_hook wlp2s0 up STUB_CLAT=no && expect "systemctl start xlat464-clat.service;" "up wlp2s0: ipv4.clat no, no other CLAT: starting"; }
check nm-clat-off-up-starts-the-unit c_start
c_running() { run_hook wlp2s0 dhcp6-change STUB_CLAT=no STUB_ACTIVE=yes && expect ""; }
check nm-clat-off-already-running-nothing c_running
c_auto() { run_hook wlp2s0 up STUB_CLAT=auto STUB_ACTIVE=yes && expect "systemctl stop xlat464-clat.service;" "ipv4.clat auto on wlp2s0: stopping xlat464-clat.service"; }
check nm-clat-auto-stops-a-running-unit c_auto
c_force_idle() { run_hook wlp2s0 up STUB_CLAT=force && expect "" "ipv4.clat force on wlp2s0: leaving xlat464-clat.service stopped"; }
check nm-clat-force-unit-stopped-stays-stopped c_force_idle
c_numeric() { run_hook wlp2s0 reapply STUB_CLAT=1 STUB_ACTIVE=yes && expect "systemctl stop xlat464-clat.service;" "ipv4.clat auto"; }
check nm-clat-numeric-1-is-auto c_numeric
c_global() { run_hook wlp2s0 up STUB_CLAT=default STUB_NMCONF='ipv4.clat=1' STUB_ACTIVE=yes && expect "systemctl stop xlat464-clat.service;" "ipv4.clat auto"; }
check nm-clat-default-with-global-auto-stops c_global
c_global_no() { run_hook wlp2s0 up STUB_CLAT=default && expect "systemctl start xlat464-clat.service;" "ipv4.clat no"; }
check nm-clat-default-without-global-starts c_global_no
c_addr() { run_hook eth0 up STUB_CLAT=no STUB_IPADDR="$NM32" STUB_ACTIVE=yes && expect "systemctl stop xlat464-clat.service;" "CLAT address on wlp2s0: stopping"; }
check nm-clat-address-on-another-device-stops c_addr
c_ours() { run_hook wlp2s0 up STUB_CLAT=no STUB_IPADDR="$OURS" && expect "systemctl start xlat464-clat.service;"; }
check our-own-29-on-the-tun-is-not-another-clat c_ours
c_disabled() { run_hook wlp2s0 up STUB_ENABLED=no STUB_CLAT=auto STUB_ACTIVE=yes && expect "" && [ ! -s "$tmp/log" ] && ! grep -q nmcli "$tmp/calls"; }
check unit-not-enabled-hook-does-nothing c_disabled
c_down() { run_hook wlp2s0 down STUB_CLAT=auto STUB_ACTIVE=yes && expect "" && [ ! -s "$tmp/calls" ]; }
check down-event-does-nothing c_down
c_noiface() { run_hook "" connectivity-change STUB_ACTIVE=no && expect "" && [ ! -s "$tmp/calls" ]; }
check connectivity-change-does-nothing c_noiface
c_pinned() {
	printf '# pinned\nuplink wwan0   # the modem\n' >"$tmp/clat.conf"
	run_hook wlp2s0 up STUB_CLAT=no && expect "" || return 1
	run_hook wwan0 up STUB_CLAT=no && expect "systemctl start xlat464-clat.service;"
	local rc=$?
	: >"$tmp/clat.conf"
	return $rc
}
check pinned-uplink-only-that-interface-counts c_pinned
c_optout() {
	echo 'XLAT464_NM_HOOK=no' >"$tmp/default"
	run_hook wlp2s0 up STUB_CLAT=no && expect "" && [ ! -s "$tmp/calls" ]
	local rc=$?
	: >"$tmp/default"
	return $rc
}
check default-file-opt-out c_optout
c_no_nmcli() { # without nmcli (nor NetworkManager) the address check still works
	mkdir -p "$tmp/bin2"
	cp "$tmp/bin/systemctl" "$tmp/bin/ip" "$tmp/bin/logger" "$tmp/bin2/"
	: >"$tmp/calls"
	: >"$tmp/log"
	env -i PATH="$tmp/bin2:/usr/bin:/bin" STUB_DIR="$tmp" CONNECTION_UUID=x STUB_ENABLED=yes STUB_ACTIVE=yes \
		STUB_IPADDR="$NM32" XLAT464_CLAT_CONF="$tmp/clat.conf" XLAT464_NM_DEFAULTS="$tmp/default" \
		/bin/sh "$HOOK" wlp2s0 up
	command -v nmcli >/dev/null && { echo "(a real nmcli in /usr/bin: this case is weaker)"; }
	expect "systemctl stop xlat464-clat.service;" "CLAT address on wlp2s0"
}
check without-nmcli-the-address-still-decides c_no_nmcli
mode_ok() { [ "$(stat -c %a "$HOOK")" = 755 ] && sh -n "$HOOK"; }
check hook-is-executable-0755-and-parses mode_ok

finish
