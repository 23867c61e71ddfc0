#!/bin/bash
# clat_e2e.sh with the kernel fast path off: every check on the daemon's userspace path (the TUN,
# the packet and raw sockets), which carries what the fast path leaves and everything on a kernel
# that refuses the programs. Run as root: sudo tests/netns/clat_e2e_tun.sh
CLAT_ARGS="--no-fast-path ${CLAT_ARGS:-}" exec "$(dirname "$0")/clat_e2e.sh" "$@"
