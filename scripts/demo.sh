#!/bin/bash
# The main job until `xlat464 lab` exists (issue 5): on this one machine, in network namespaces that
# the scripts create and delete, show IPv4 working across IPv6-only networks with xlat464.
#   1. xlat464 siit, a stateless translator between an IPv6-only host and an IPv4-only server:
#      ping, TCP, UDP, traceroute (with the translator's own hops), PMTUD, status.
#   2. xlat464 clat, a host CLAT on an IPv6-only SLAAC uplink, through an independent PLAT (Debian's
#      TAYGA + nftables): ping, TCP and traceroute to an IPv4 literal, DAD, no 192.0.0.x leak.
# Every step prints what it saw (VERBOSE=1). Run as root on Debian 12: sudo scripts/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: run as root (it creates network namespaces)" >&2; exit 1; }
scripts/install-deps.sh
make -j"$(nproc)" all >/dev/null
echo
echo "################ 1. xlat464 siit: IPv6-only host <-> IPv4-only server ################"
sed -n '/^# Topology/,/^# The IPv6 host reaches/p' tests/netns/siit_e2e.sh
VERBOSE=1 tests/netns/siit_e2e.sh
echo
echo "################ 2. xlat464 clat: IPv4 literals from an IPv6-only client ################"
sed -n '/^# Topology/,/^# the CLAT shows it as/p' tests/netns/clat_e2e.sh
VERBOSE=1 tests/netns/clat_e2e.sh
echo
echo "demo: done; every namespace it made is gone (ip netns list shows none of x464*)."
