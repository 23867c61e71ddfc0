/* lib/nat64/dynpool: the stateless NAT64 of `xlat464 plat --mode stateless`, pure.
 *
 * The SIIT core (RFC 7915, RFC 6052) with a dynamic IPv4 pool, as TAYGA's dynamic-pool does: the
 * first packet of an IPv6 client takes one free IPv4 address of the pool (a lease), and from then on
 * that client is that address to the IPv4 side, for every protocol and port. Ports are not touched,
 * so a kernel NAT44 (nftables masquerade) usually sits behind it. A lease that carries no packet for
 * idle_timeout seconds is given back by nat64_dynpool_expire().
 *
 * No system calls and no clock of its own: the caller passes the time (milliseconds, monotonic) with
 * nat64_dynpool_set_now() before each batch of packets. All memory is allocated once by
 * nat64_dynpool_create() for the pool's size; nothing per packet or per lease.
 *
 *     struct nat64_dynpool *dp = nat64_dynpool_create(&cfg, seed, &why);
 *     xcfg.policy = nat64_dynpool_policy(dp);
 *     nat64_dynpool_set_now(dp, now_ms);
 *     xlat_translate(&xctx, pkt, len, &out);
 *
 * Refusals come back as lib/xlat drop reasons: a full pool is XLAT_DROP_NAT64_POOL_EXHAUSTED (the
 * client gets ICMPv6 address unreachable), an IPv4 packet to a pool address nobody holds is
 * XLAT_DROP_NAT64_NO_BINDING, and the well-known prefix with a non-global IPv4 address is
 * XLAT_DROP_WKP_NON_GLOBAL (RFC 6052 section 3.1) unless allow_wkp_non_global is set. */
#ifndef XLAT464_NAT64_DYNPOOL_H
#define XLAT464_NAT64_DYNPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlat/xlat.h"

#define NAT64_DYNPOOL_RANGES_MAX 64
#define NAT64_DYNPOOL_ADDRS_MAX (1u << 20) /* a /12 of addresses: the table is sized for the pool */

struct nat64_dynpool_config {
	struct xlat_prefix6 pool6;
	unsigned nranges;
	struct xlat_prefix4 ranges[NAT64_DYNPOOL_RANGES_MAX];
	bool has_reserved;   /* one address of the pool that is never leased (the translator's own) */
	uint8_t reserved[4];
	uint32_t idle_timeout; /* seconds; default 7200 (TAYGA keeps an idle mapping 2 hours) */
	bool allow_wkp_non_global;
};

/* Defaults: no pool6, no ranges, idle timeout 7200 s, WKP rule enforced. */
void nat64_dynpool_config_init(struct nat64_dynpool_config *cfg);
/* Returns 0, or -1 with *why set to a sentence naming the field. */
int nat64_dynpool_config_check(const struct nat64_dynpool_config *cfg, const char **why);

struct nat64_dynpool;

/* Allocates the lease table for the pool. Returns NULL with *why set on a bad configuration or when
 * memory runs out. seed keys the hash of IPv6 addresses. */
struct nat64_dynpool *nat64_dynpool_create(const struct nat64_dynpool_config *cfg, uint64_t seed, const char **why);
void nat64_dynpool_destroy(struct nat64_dynpool *dp);

/* SIGHUP: a new configuration. Leases whose address is still in the (new) pool are kept; the others
 * are ended (and logged). The pool may not grow past NAT64_DYNPOOL_ADDRS_MAX. Returns 0, or -1 with
 * *why set and the old state kept. */
int nat64_dynpool_reconfigure(struct nat64_dynpool *dp, const struct nat64_dynpool_config *cfg, const char **why);

struct xlat_policy nat64_dynpool_policy(struct nat64_dynpool *dp);

void nat64_dynpool_set_now(struct nat64_dynpool *dp, uint64_t now_ms);
/* Ends up to budget leases idle for idle_timeout. Returns how many ended. */
unsigned nat64_dynpool_expire(struct nat64_dynpool *dp, uint64_t now_ms, unsigned budget);
/* Ends every lease. Returns how many ended. */
unsigned nat64_dynpool_flush(struct nat64_dynpool *dp);

/* Lease events for the log: add is true when the lease begins. */
typedef void (*nat64_dynpool_log_fn)(void *arg, bool add, const uint8_t v6[16], const uint8_t v4[4], uint64_t time_ms);
void nat64_dynpool_set_log(struct nat64_dynpool *dp, nat64_dynpool_log_fn fn, void *arg);

struct nat64_dynpool_stats {
	uint64_t leases, addrs_total; /* now, and the pool's leasable addresses */
	uint64_t leases_created, leases_expired, leases_flushed, refused_full;
	size_t memory_bytes;
};
void nat64_dynpool_get_stats(const struct nat64_dynpool *dp, struct nat64_dynpool_stats *st);

struct nat64_dynpool_lease {
	uint8_t v6[16];
	uint8_t v4[4];
	uint64_t last_used_ms, expires_ms;
	uint64_t packets; /* both directions */
};
/* Calls cb for every lease (stop early by returning false). */
void nat64_dynpool_foreach(const struct nat64_dynpool *dp,
			   bool (*cb)(void *arg, const struct nat64_dynpool_lease *l), void *arg);
/* The lease of v6, or false. */
bool nat64_dynpool_lookup6(const struct nat64_dynpool *dp, const uint8_t v6[16], uint8_t v4[4]);

#endif
