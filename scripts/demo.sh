#!/bin/bash
# The main job: the whole 464XLAT system on this one machine, in network namespaces, with xlat464
# alone — PREF64 announcer, option-108 DHCPv4 responder, PLAT (stateful NAT64, xlat464 plat) and
# the CLAT on an IPv6-only client — then a step-by-step tour of what a newcomer should see (the
# DHCPv4 exchange ending in option 108, PREF64 learned from the RA, the CLAT up, ping, a web page
# fetched from an IPv4 literal, traceroute with hops, every daemon's status), then everything
# removed again. Run as root on Debian 12:   sudo scripts/demo.sh
# (The same as: xlat464 lab up; xlat464 lab tour; xlat464 lab down.)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }
scripts/install-deps.sh
make -j"$(nproc)" all >/dev/null
trap 'build/xlat464 lab down >/dev/null 2>&1 || true' EXIT
build/xlat464 lab up
build/xlat464 lab tour
build/xlat464 lab down
trap - EXIT
echo
echo "demo: done; the lab's namespaces and processes are gone."
