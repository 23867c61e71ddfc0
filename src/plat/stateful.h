/* The stateful mode's calls into lib/nat64 (RFC 6146), behind plat_sf_* so that the daemon builds
 * the same way whichever of src/plat/stateful.c (the real one) or a stand-in is compiled. */
#ifndef XLAT464_PLAT_STATEFUL_H
#define XLAT464_PLAT_STATEFUL_H

#include <stdbool.h>
#include <stdint.h>

#include "nat64/nat64.h"

#define PLAT_TOP_MAX 10            /* the busiest subscribers a status names */
#define PLAT_SESSIONS_MAX 1000000  /* the sessions (leases) a listing gives at most */
#define PLAT_REC_LEASE 3           /* proto of a stateless lease record */

/* One session (or stateless lease) of a listing, before it is written as JSON. */
struct plat_session_rec {
	uint8_t proto;   /* enum nat64_proto, or PLAT_REC_LEASE */
	uint8_t is_static;
	uint16_t port6, port4, remote_port;
	uint8_t v6[16], v4[4], remote4[4];
	char state[16];  /* TCP state name, "" for others */
	uint64_t expires_in_ms;
	uint64_t packets; /* leases */
};

struct nat64 *plat_sf_create(const struct nat64_config *cfg, uint64_t seed, const char **why);
void plat_sf_destroy(struct nat64 *nat);
int plat_sf_reconfigure(struct nat64 *nat, const struct nat64_config *cfg, const char **why);
struct xlat_policy plat_sf_policy(struct nat64 *nat);
void plat_sf_set_now(struct nat64 *nat, uint64_t now_ms);
unsigned plat_sf_expire(struct nat64 *nat, uint64_t now_ms, unsigned budget);
void plat_sf_set_log(struct nat64 *nat, nat64_log_fn fn, void *arg, unsigned what);
void plat_sf_set_offload(struct nat64 *nat, const struct nat64_offload_ops *ops, void *arg);
void plat_sf_syn4_keep(struct nat64 *nat, const uint8_t *pkt, size_t len);
bool plat_sf_syn4_due(struct nat64 *nat, uint64_t now_ms, struct nat64_syn4_due *due);
void plat_sf_get_stats(const struct nat64 *nat, struct nat64_stats *st);
unsigned plat_sf_top(const struct nat64 *nat, struct nat64_subscriber_usage *out, unsigned max);
/* Fills recs[0..max) with the sessions, expiry relative to now_ms. Returns how many sessions there
 * are (which may exceed max). */
uint64_t plat_sf_sessions(const struct nat64 *nat, uint64_t now_ms, struct plat_session_rec *recs, uint64_t max);
unsigned plat_sf_flush(struct nat64 *nat, enum nat64_proto proto);

#endif
