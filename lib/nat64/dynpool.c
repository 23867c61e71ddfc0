/* The stateless NAT64's dynamic IPv4 pool (see dynpool.h): one IPv4 address leased to each IPv6
 * client, looked up by IPv6 address through an open-addressing hash and by IPv4 address through the
 * pool's own numbering (the slot of an address is its offset in the ranges). */
#include "dynpool.h"

#include <stdlib.h>
#include <string.h>

#define NO_SLOT UINT32_MAX

struct lease {
	uint8_t v6[16];
	uint64_t last_used_ms;
	uint64_t packets;
	bool used;
	bool leasable; /* in the pool, not reserved, not special */
};

struct nat64_dynpool {
	struct nat64_dynpool_config cfg;
	uint32_t range_first[NAT64_DYNPOOL_RANGES_MAX]; /* slot of each range's first address */
	uint32_t naddrs;        /* slots */
	uint32_t nleasable;
	struct lease *slots;
	uint32_t *hash;         /* slot + 1, 0 = empty; linear probing */
	uint32_t hash_mask;
	uint32_t *freeq;        /* ring of free leasable slots, least recently freed first */
	uint32_t free_head, free_count;
	uint64_t key0, key1;
	uint64_t now_ms;
	uint64_t leases, created, expired, flushed, refused_full;
	nat64_dynpool_log_fn log_fn;
	void *log_arg;
};

/* ---- configuration ---------------------------------------------------------------------------- */

void nat64_dynpool_config_init(struct nat64_dynpool_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->idle_timeout = 7200;
}

static uint32_t v4_u32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static void u32_v4(uint32_t v, uint8_t a[4])
{
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
}

static uint32_t range_size(const struct xlat_prefix4 *p) { return p->len == 0 ? 0 : 1u << (32 - p->len); }

static uint32_t range_base(const struct xlat_prefix4 *p)
{
	return p->len == 0 ? 0 : v4_u32(p->addr) & ~(uint32_t)(range_size(p) - 1);
}

static const uint8_t wkp[12] = { 0x00, 0x64, 0xff, 0x9b };

static bool is_wkp(const struct xlat_prefix6 *p) { return p->len == 96 && memcmp(p->addr, wkp, 12) == 0; }

int nat64_dynpool_config_check(const struct nat64_dynpool_config *cfg, const char **why)
{
	uint64_t total = 0;
	if (!xlat_rfc6052_len_ok(cfg->pool6.len)) {
		*why = "pool6: no RFC 6052 prefix (length 32, 40, 48, 56, 64 or 96)";
		return -1;
	}
	if (cfg->nranges == 0 || cfg->nranges > NAT64_DYNPOOL_RANGES_MAX) {
		*why = "pool4: no IPv4 range to lease addresses from";
		return -1;
	}
	if (cfg->idle_timeout == 0) {
		*why = "lease idle timeout: must be at least 1 second";
		return -1;
	}
	for (unsigned i = 0; i < cfg->nranges; i++) {
		const struct xlat_prefix4 *a = &cfg->ranges[i];
		if (a->len == 0 || a->len > 32) {
			*why = "pool4: a range's prefix length must be 1 to 32";
			return -1;
		}
		total += range_size(a);
		for (unsigned j = 0; j < i; j++) {
			const struct xlat_prefix4 *b = &cfg->ranges[j];
			uint32_t a0 = range_base(a), a1 = a0 + (range_size(a) - 1);
			uint32_t b0 = range_base(b), b1 = b0 + (range_size(b) - 1);
			if (a0 <= b1 && b0 <= a1) {
				*why = "pool4: two ranges overlap";
				return -1;
			}
		}
	}
	if (total > NAT64_DYNPOOL_ADDRS_MAX) {
		*why = "pool4: more than 2^20 addresses";
		return -1;
	}
	return 0;
}

/* ---- tables ------------------------------------------------------------------------------------ */

static uint64_t mix64(uint64_t z)
{
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t hash6(const struct nat64_dynpool *dp, const uint8_t v6[16])
{
	uint64_t hi, lo;
	memcpy(&hi, v6, 8);
	memcpy(&lo, v6 + 8, 8);
	return (uint32_t)mix64(mix64(hi ^ dp->key0) ^ lo ^ dp->key1);
}

static uint32_t find6(const struct nat64_dynpool *dp, const uint8_t v6[16])
{
	for (uint32_t i = hash6(dp, v6) & dp->hash_mask;; i = (i + 1) & dp->hash_mask) {
		uint32_t e = dp->hash[i];
		if (e == 0)
			return NO_SLOT;
		if (memcmp(dp->slots[e - 1].v6, v6, 16) == 0)
			return e - 1;
	}
}

static void hash_insert(struct nat64_dynpool *dp, uint32_t slot)
{
	uint32_t i = hash6(dp, dp->slots[slot].v6) & dp->hash_mask;
	while (dp->hash[i])
		i = (i + 1) & dp->hash_mask;
	dp->hash[i] = slot + 1;
}

/* Backward-shift deletion keeps every probe chain unbroken without tombstones. */
static void hash_remove(struct nat64_dynpool *dp, uint32_t slot)
{
	uint32_t i = hash6(dp, dp->slots[slot].v6) & dp->hash_mask;
	while (dp->hash[i] != slot + 1)
		i = (i + 1) & dp->hash_mask;
	for (uint32_t j = i;;) {
		dp->hash[i] = 0;
		for (;;) {
			j = (j + 1) & dp->hash_mask;
			if (dp->hash[j] == 0)
				return;
			uint32_t home = hash6(dp, dp->slots[dp->hash[j] - 1].v6) & dp->hash_mask;
			/* may the entry at j move to the hole at i? only when its home is not in (i, j] */
			if (i <= j ? (home <= i || home > j) : (home <= i && home > j))
				break;
		}
		dp->hash[i] = dp->hash[j];
		i = j;
	}
}

static bool slot_of_v4(const struct nat64_dynpool *dp, const uint8_t v4[4], uint32_t *slot)
{
	uint32_t v = v4_u32(v4);
	for (unsigned r = 0; r < dp->cfg.nranges; r++) {
		const struct xlat_prefix4 *p = &dp->cfg.ranges[r];
		uint32_t base = range_base(p);
		if (v - base < range_size(p)) {
			*slot = dp->range_first[r] + (v - base);
			return true;
		}
	}
	return false;
}

static void v4_of_slot(const struct nat64_dynpool *dp, uint32_t slot, uint8_t v4[4])
{
	unsigned r = 0;
	while (r + 1 < dp->cfg.nranges && slot >= dp->range_first[r + 1])
		r++;
	u32_v4(range_base(&dp->cfg.ranges[r]) + (slot - dp->range_first[r]), v4);
}

static void log_lease(struct nat64_dynpool *dp, uint32_t slot, bool add)
{
	if (!dp->log_fn)
		return;
	uint8_t v4[4];
	v4_of_slot(dp, slot, v4);
	dp->log_fn(dp->log_arg, add, dp->slots[slot].v6, v4, dp->now_ms);
}

static void free_push(struct nat64_dynpool *dp, uint32_t slot)
{
	dp->freeq[(dp->free_head + dp->free_count) % dp->nleasable] = slot;
	dp->free_count++;
}

static uint32_t free_pop(struct nat64_dynpool *dp)
{
	if (dp->free_count == 0)
		return NO_SLOT;
	uint32_t s = dp->freeq[dp->free_head];
	dp->free_head = (dp->free_head + 1) % dp->nleasable;
	dp->free_count--;
	return s;
}

static void lease_end(struct nat64_dynpool *dp, uint32_t slot)
{
	log_lease(dp, slot, false);
	hash_remove(dp, slot);
	dp->slots[slot].used = false;
	dp->leases--;
	free_push(dp, slot);
}

static uint32_t lease_begin(struct nat64_dynpool *dp, const uint8_t v6[16])
{
	uint32_t s = free_pop(dp);
	if (s == NO_SLOT)
		return NO_SLOT;
	struct lease *l = &dp->slots[s];
	memcpy(l->v6, v6, 16);
	l->used = true;
	l->packets = 0;
	l->last_used_ms = dp->now_ms;
	hash_insert(dp, s);
	dp->leases++;
	dp->created++;
	log_lease(dp, s, true);
	return s;
}

/* Builds the tables for cfg into a zeroed *dp (which keeps its counters and log hook). */
static int tables_build(struct nat64_dynpool *dp, const struct nat64_dynpool_config *cfg, const char **why)
{
	if (nat64_dynpool_config_check(cfg, why) < 0)
		return -1;
	dp->cfg = *cfg;
	uint32_t n = 0;
	for (unsigned r = 0; r < cfg->nranges; r++) {
		dp->range_first[r] = n;
		n += range_size(&cfg->ranges[r]);
	}
	dp->naddrs = n;
	uint32_t hsize = 16;
	while (hsize < 2 * n)
		hsize <<= 1;
	dp->hash_mask = hsize - 1;
	dp->slots = calloc(n, sizeof(*dp->slots));
	dp->hash = calloc(hsize, sizeof(*dp->hash));
	dp->freeq = calloc(n, sizeof(*dp->freeq));
	if (!dp->slots || !dp->hash || !dp->freeq) {
		free(dp->slots);
		free(dp->hash);
		free(dp->freeq);
		*why = "out of memory";
		return -1;
	}
	dp->nleasable = 0;
	for (uint32_t s = 0; s < n; s++) {
		uint8_t v4[4];
		v4_of_slot(dp, s, v4);
		bool ok = !xlat_v4_special(v4) && !(cfg->has_reserved && memcmp(v4, cfg->reserved, 4) == 0);
		dp->slots[s].leasable = ok;
		if (ok)
			dp->nleasable++;
	}
	dp->free_head = dp->free_count = 0;
	if (dp->nleasable == 0) {
		free(dp->slots);
		free(dp->hash);
		free(dp->freeq);
		*why = "pool4: no address left to lease (all reserved or special)";
		return -1;
	}
	for (uint32_t s = 0; s < n; s++)
		if (dp->slots[s].leasable)
			free_push(dp, s);
	return 0;
}

struct nat64_dynpool *nat64_dynpool_create(const struct nat64_dynpool_config *cfg, uint64_t seed, const char **why)
{
	struct nat64_dynpool *dp = calloc(1, sizeof(*dp));
	if (!dp) {
		*why = "out of memory";
		return NULL;
	}
	dp->key0 = mix64(seed);
	dp->key1 = mix64(seed ^ 0x6a09e667f3bcc909ULL);
	if (tables_build(dp, cfg, why) < 0) {
		free(dp);
		return NULL;
	}
	return dp;
}

void nat64_dynpool_destroy(struct nat64_dynpool *dp)
{
	if (!dp)
		return;
	free(dp->slots);
	free(dp->hash);
	free(dp->freeq);
	free(dp);
}

int nat64_dynpool_reconfigure(struct nat64_dynpool *dp, const struct nat64_dynpool_config *cfg, const char **why)
{
	struct nat64_dynpool nd = *dp;
	if (tables_build(&nd, cfg, why) < 0)
		return -1;
	nd.leases = 0;
	/* Carry each lease whose address stays leasable into the new tables, oldest free order aside. */
	for (uint32_t s = 0; s < dp->naddrs; s++) {
		const struct lease *l = &dp->slots[s];
		uint8_t v4[4];
		uint32_t ns;
		if (!l->used)
			continue;
		v4_of_slot(dp, s, v4);
		if (!slot_of_v4(&nd, v4, &ns) || !nd.slots[ns].leasable) {
			log_lease(dp, s, false);
			dp->flushed++;
			continue;
		}
		nd.slots[ns] = *l;
		hash_insert(&nd, ns);
		nd.leases++;
	}
	/* Rebuild the free ring without the carried slots. */
	nd.free_head = nd.free_count = 0;
	for (uint32_t s = 0; s < nd.naddrs; s++)
		if (nd.slots[s].leasable && !nd.slots[s].used)
			free_push(&nd, s);
	nd.flushed = dp->flushed;
	free(dp->slots);
	free(dp->hash);
	free(dp->freeq);
	*dp = nd;
	return 0;
}

void nat64_dynpool_set_log(struct nat64_dynpool *dp, nat64_dynpool_log_fn fn, void *arg)
{
	dp->log_fn = fn;
	dp->log_arg = arg;
}

void nat64_dynpool_set_now(struct nat64_dynpool *dp, uint64_t now_ms) { dp->now_ms = now_ms; }

unsigned nat64_dynpool_expire(struct nat64_dynpool *dp, uint64_t now_ms, unsigned budget)
{
	uint64_t idle = (uint64_t)dp->cfg.idle_timeout * 1000;
	unsigned n = 0;
	dp->now_ms = now_ms;
	for (uint32_t s = 0; s < dp->naddrs && n < budget; s++) {
		struct lease *l = &dp->slots[s];
		if (l->used && now_ms >= l->last_used_ms + idle) {
			lease_end(dp, s);
			dp->expired++;
			n++;
		}
	}
	return n;
}

unsigned nat64_dynpool_flush(struct nat64_dynpool *dp)
{
	unsigned n = 0;
	for (uint32_t s = 0; s < dp->naddrs; s++) {
		if (dp->slots[s].used) {
			lease_end(dp, s);
			n++;
		}
	}
	dp->flushed += n;
	return n;
}

void nat64_dynpool_get_stats(const struct nat64_dynpool *dp, struct nat64_dynpool_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->leases = dp->leases;
	st->addrs_total = dp->nleasable;
	st->leases_created = dp->created;
	st->leases_expired = dp->expired;
	st->leases_flushed = dp->flushed;
	st->refused_full = dp->refused_full;
	st->memory_bytes = sizeof(*dp) + (size_t)dp->naddrs * (sizeof(struct lease) + sizeof(uint32_t)) +
			   ((size_t)dp->hash_mask + 1) * sizeof(uint32_t);
}

void nat64_dynpool_foreach(const struct nat64_dynpool *dp,
			   bool (*cb)(void *arg, const struct nat64_dynpool_lease *l), void *arg)
{
	for (uint32_t s = 0; s < dp->naddrs; s++) {
		const struct lease *l = &dp->slots[s];
		if (!l->used)
			continue;
		struct nat64_dynpool_lease out;
		memcpy(out.v6, l->v6, 16);
		v4_of_slot(dp, s, out.v4);
		out.last_used_ms = l->last_used_ms;
		out.expires_ms = l->last_used_ms + (uint64_t)dp->cfg.idle_timeout * 1000;
		out.packets = l->packets;
		if (!cb(arg, &out))
			return;
	}
}

bool nat64_dynpool_lookup6(const struct nat64_dynpool *dp, const uint8_t v6[16], uint8_t v4[4])
{
	uint32_t s = find6(dp, v6);
	if (s == NO_SLOT)
		return false;
	v4_of_slot(dp, s, v4);
	return true;
}

/* ---- the policy -------------------------------------------------------------------------------- */

static void copy_ports(const struct xlat_tuple *in, struct xlat_tuple *out)
{
	out->sport = in->sport;
	out->dport = in->dport;
	out->proto = in->proto;
	out->tcp_flags = in->tcp_flags;
	out->has_ports = in->has_ports;
	out->fragment = in->fragment;
	out->frag_id = in->frag_id;
	out->hairpin = false;
}

static void touch(struct nat64_dynpool *dp, uint32_t s)
{
	dp->slots[s].last_used_ms = dp->now_ms;
	dp->slots[s].packets++;
}

/* The IPv4 address inside a pool6 address; RFC 6052 section 3.1 for the well-known prefix. */
static enum xlat_drop from_pool6(const struct nat64_dynpool *dp, const uint8_t v6[16], uint8_t v4[4],
				 enum xlat_drop unmapped)
{
	if (!xlat_prefix6_match(&dp->cfg.pool6, v6))
		return unmapped;
	xlat_rfc6052_extract(&dp->cfg.pool6, v6, v4);
	if (!dp->cfg.allow_wkp_non_global && is_wkp(&dp->cfg.pool6) && !xlat_v4_global(v4))
		return XLAT_DROP_WKP_NON_GLOBAL;
	return XLAT_DROP_NONE;
}

static enum xlat_drop to_pool6(const struct nat64_dynpool *dp, const uint8_t v4[4], uint8_t v6[16])
{
	if (!dp->cfg.allow_wkp_non_global && is_wkp(&dp->cfg.pool6) && !xlat_v4_global(v4))
		return XLAT_DROP_WKP_NON_GLOBAL;
	xlat_rfc6052_embed(&dp->cfg.pool6, v4, v6);
	return XLAT_DROP_NONE;
}

static bool in_pool4(const struct nat64_dynpool *dp, const uint8_t v4[4])
{
	uint32_t s;
	return slot_of_v4(dp, v4, &s);
}

static enum xlat_drop dp_map_6to4(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out, enum xlat_role role)
{
	struct nat64_dynpool *dp = ctx;
	enum xlat_drop r;
	uint32_t s;

	copy_ports(in, out);
	memset(out->src, 0, 16);
	memset(out->dst, 0, 16);
	switch (role) {
	case XLAT_ROLE_PACKET:
		/* the destination first: no lease for a packet that goes nowhere */
		if ((r = from_pool6(dp, in->dst, out->dst, XLAT_DROP_DST_UNMAPPED)) != XLAT_DROP_NONE)
			return r;
		s = find6(dp, in->src);
		if (s == NO_SLOT) {
			if (xlat_v6_special(in->src))
				return XLAT_DROP_SRC_ILLEGAL;
			s = lease_begin(dp, in->src);
			if (s == NO_SLOT) {
				dp->refused_full++;
				return XLAT_DROP_NAT64_POOL_EXHAUSTED;
			}
		}
		touch(dp, s);
		v4_of_slot(dp, s, out->src);
		/* to another client of this translator: back into IPv6 (RFC 6146 section 3.8's hairpin) */
		out->hairpin = in_pool4(dp, out->dst);
		return XLAT_DROP_NONE;
	case XLAT_ROLE_ERROR_OUTER:
		/* from the client or a router in front of it: the client's lease, or RFC 6791 */
		s = find6(dp, in->src);
		if (s == NO_SLOT)
			return XLAT_DROP_SRC_UNMAPPED;
		v4_of_slot(dp, s, out->src);
		if ((r = from_pool6(dp, in->dst, out->dst, XLAT_DROP_DST_UNMAPPED)) != XLAT_DROP_NONE)
			return r;
		/* an error to another client of this translator goes back into IPv6 (RFC 6146 section 3.8,
		 * RFC 5508 REQ-7) */
		out->hairpin = in_pool4(dp, out->dst);
		return XLAT_DROP_NONE;
	case XLAT_ROLE_ERROR_INNER:
		/* the quoted packet went from the IPv4 peer to the client */
		if ((r = from_pool6(dp, in->src, out->src, XLAT_DROP_SRC_UNMAPPED)) != XLAT_DROP_NONE)
			return r;
		s = find6(dp, in->dst);
		if (s == NO_SLOT)
			return XLAT_DROP_DST_UNMAPPED;
		v4_of_slot(dp, s, out->dst);
		return XLAT_DROP_NONE;
	}
	return XLAT_DROP_POLICY;
}

static enum xlat_drop dp_map_4to6(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out, enum xlat_role role,
				  bool hairpin)
{
	struct nat64_dynpool *dp = ctx;
	enum xlat_drop r;
	uint32_t s;

	copy_ports(in, out);
	switch (role) {
	case XLAT_ROLE_PACKET:
		if (!slot_of_v4(dp, in->dst, &s) || !dp->slots[s].used)
			return XLAT_DROP_NAT64_NO_BINDING;
		/* a hairpinned packet's source is a pool address: it reaches the peer through pool6 too */
		if (!hairpin && (r = to_pool6(dp, in->src, out->src)) != XLAT_DROP_NONE)
			return r;
		if (hairpin)
			xlat_rfc6052_embed(&dp->cfg.pool6, in->src, out->src);
		touch(dp, s);
		memcpy(out->dst, dp->slots[s].v6, 16);
		return XLAT_DROP_NONE;
	case XLAT_ROLE_ERROR_OUTER:
		/* any router on the IPv4 side; one the prefix may not carry gets the RFC 6791 source */
		if (to_pool6(dp, in->src, out->src) != XLAT_DROP_NONE)
			return XLAT_DROP_SRC_UNMAPPED;
		if (!slot_of_v4(dp, in->dst, &s) || !dp->slots[s].used)
			return XLAT_DROP_DST_UNMAPPED;
		memcpy(out->dst, dp->slots[s].v6, 16);
		return XLAT_DROP_NONE;
	case XLAT_ROLE_ERROR_INNER:
		/* the quoted packet went from the client (its lease) to the IPv4 peer */
		if (!slot_of_v4(dp, in->src, &s) || !dp->slots[s].used)
			return XLAT_DROP_SRC_UNMAPPED;
		memcpy(out->src, dp->slots[s].v6, 16);
		if (hairpin) {
			xlat_rfc6052_embed(&dp->cfg.pool6, in->dst, out->dst);
			return XLAT_DROP_NONE;
		}
		return to_pool6(dp, in->dst, out->dst);
	}
	return XLAT_DROP_POLICY;
}

struct xlat_policy nat64_dynpool_policy(struct nat64_dynpool *dp)
{
	struct xlat_policy p = { .map_4to6 = dp_map_4to6, .map_6to4 = dp_map_6to4, .ctx = dp, .outer_from_inner = false };
	return p;
}
