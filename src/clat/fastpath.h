/* The daemon's side of the CLAT's kernel fast path (lib/sys/clat_offload.h): loaded once at start
 * (loading needs CAP_BPF, which the daemon then drops), the ingress program moved to whichever link
 * is the uplink, the egress program put on each new TUN, and the programs told the CLAT's address,
 * prefix and MTUs whenever one changes, or to stand aside (not running, or a prefix the fast path
 * cannot take). When the kernel refuses, the CLAT says why (log and status) and runs on the TUN. */
#ifndef XLAT464_CLAT_FASTPATH_H
#define XLAT464_CLAT_FASTPATH_H

#include <stdbool.h>
#include <stdint.h>

#include "sys/clat_offload.h"
#include "uplink.h"

struct clat_fast {
	bool wanted;                    /* fast-path yes (the default) */
	struct sys_clat_offload *off;   /* NULL: not in use (why says why) */
	char why[200];                  /* "" when in use */
	int uplink_ifindex, tun_ifindex; /* where the programs are attached; 0: nowhere */
	bool have_cfg;
	struct sys_clat_offload_cfg cfg; /* what the programs were last told */
};

/* Loads the programs (when wanted). Their failure is logged and kept in why, not fatal. */
void clat_fast_open(struct clat_fast *f, bool wanted);
/* Puts the ingress program on the uplink (from the one before). */
void clat_fast_uplink(struct clat_fast *f, const struct clat_uplink *u);
/* Puts the egress program on a new TUN (0: the TUN is gone, and the program with it). */
void clat_fast_tun(struct clat_fast *f, int tun_ifindex);
/* Tells the programs the configuration (enabled or not), when it changed. */
void clat_fast_update(struct clat_fast *f, const struct sys_clat_offload_cfg *c);
/* True when the programs translate now. */
bool clat_fast_active(const struct clat_fast *f);
void clat_fast_counters(struct clat_fast *f, struct sys_clat_offload_counters *c);
void clat_fast_close(struct clat_fast *f);

#endif
