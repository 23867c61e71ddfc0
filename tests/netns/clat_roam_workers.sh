#!/bin/bash
# tests/netns/clat_roam.sh with two workers and the userspace path only: every uplink change swaps the
# packet socket each worker reads on the uplink (a fanout group per link), and both workers must
# still translate in both directions after it, on the CPUs worker-cpus pins them to (1 and 0; not
# pinned on a machine of one CPU, where a pinned thread looks like any other). Run as root.
pin=
[ "$(nproc)" -lt 2 ] || pin="--worker-cpus 1,0"
CLAT_ARGS="--workers 2 --no-fast-path $pin ${CLAT_ARGS:-}" exec "$(dirname "$0")/clat_roam.sh" "$@"
