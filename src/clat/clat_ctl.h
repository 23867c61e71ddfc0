/* The CLAT's answer on its control socket: the SIIT daemon's message (counters, drops, the status
 * lines as text) followed by the CLAT's own facts as typed fields, which `xlat464 status --json`
 * prints as the "clat" object (docs/clat.md lists the members). Same binary on both ends: magic and
 * size catch a mismatch. */
#ifndef XLAT464_CLAT_CTL_MSG_H
#define XLAT464_CLAT_CTL_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "../common/siit_ctl.h"
#include "nft.h"

#define CLAT_STATUS_MAGIC 0x78433032u /* "xC02", in siit.magic */
#define CLAT_FAST_COUNTERS_MAX 16     /* the kernel fast path's counters (lib/sys/clat_offload.h) */

struct clat_status_info {
	char state[16];    /* init, dad, waiting, standby, running, stopping */
	char why[160];
	char uplink[16];
	char uplink_kind[12]; /* ethernet, raw-ip, ppp, layer-3; "" when there is no uplink */
	bool uplink_nd, uplink_up;
	uint64_t uplink_changes;
	int32_t uplink_ifindex;
	uint32_t uplink_mtu; /* the lower of the link MTU and net.ipv6.conf.IF.mtu */
	bool native_ipv4, ipv6_default, force;
	char pref64[52];        /* "" when none */
	char pref64_source[16]; /* ra-pref64, dns64, static, or "" */
	int64_t pref64_lifetime_s;   /* RA lifetime or DNS TTL; -1: none (static, or no prefix) */
	int64_t pref64_expires_in_s; /* -1: never (static) or no prefix */
	int64_t dns64_next_query_in_s; /* -1: DNS64 off or a query in flight */
	bool dns64_enabled;
	uint64_t dns64_queries, dns64_answers, dns64_failures;
	char address_mode[12]; /* dedicated or shared */
	char clat_ipv6[48];
	char clat_ipv4[20];    /* 192.0.0.1/29 */
	char tun[16];
	uint32_t tun_mtu;
	bool tun_present, route_present;
	uint32_t ntether;
	char tether[CLAT_TETHER_MAX][16];
	bool tether_applied;
	uint64_t dad_conflicts, conflicts_after_dad, ns_answered, na_sent;
	uint64_t renumbers, mtu_changes, reloads, reload_errors;
	uint64_t shared_left_to_host, shared_malformed;
	uint64_t checksums_finished; /* packets whose checksum a same-host sender left to the device */
	uint64_t uplink_queue_full;  /* packets the kernel dropped: the packet socket's queue was full */
	bool fast_path_active;       /* the kernel fast path translates now */
	char fast_path_why[200];     /* why it is not in use; "" when it is (or loaded, standing aside) */
	uint64_t fast_path[CLAT_FAST_COUNTERS_MAX];
};

struct clat_status_msg {
	struct siit_status_msg siit;
	struct clat_status_info clat;
};

/* Prints the members of the "clat" JSON object (src/clat/status.c), without braces. */
void clat_status_json(const struct clat_status_info *c);

#endif
