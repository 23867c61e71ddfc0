#!/bin/bash
# tests/netns/clat_roam.sh with two workers and the userspace path only: every uplink change swaps the
# packet socket each worker reads on the uplink (a fanout group per link), and both workers must
# still translate in both directions after it. Run as root.
CLAT_ARGS="--workers 2 --no-fast-path ${CLAT_ARGS:-}" exec "$(dirname "$0")/clat_roam.sh" "$@"
