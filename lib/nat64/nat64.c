/* lib/nat64: the stateful NAT64 (RFC 6146 with the RFC 7857 updates). See nat64.h for the contract
 * and docs/nat64.md for the design: preallocated slabs of sessions, bindings (BIB) and subscribers,
 * index-linked chains in seeded hash tables, one FIFO expiry list per timeout class, random port
 * allocation keeping parity and range (RFC 6056, RFC 6146 section 3.5.1.1), optional RFC 7422 port
 * blocks, and a small table of first fragments (RFC 6146 section 3.5). */
#include "nat64.h"

#include <stdlib.h>
#include <string.h>

#include "common/ip_proto.h"
#include "dynpool.h"

#define NONE UINT32_MAX
#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_ACK 0x10
#define NAT64_SYN4_MAX 65536u
#define INSTANCE_UNIT 64 /* without port blocks, ports are split among instances in runs of 64 */
#define NAT64_POOL_ADDRS_MAX 65536u
#define NAT64_BLOCKS_MAX (1u << 22)
#define NAT64_FRAGS 1024u
#define RANDOM_TRIES 64

/* Timeout classes: one FIFO list each, so that the head is always the next to expire. */
enum tclass { TC_UDP, TC_ICMP, TC_TCP_EST, TC_TCP_TRANS, TC_TCP_SYN4, TC_N, TC_FREE = 0xff };

struct sess {
	uint32_t bib;
	uint32_t remote4;  /* host order */
	uint16_t rport;    /* 0 for ICMP */
	uint8_t tc;        /* enum tclass, TC_FREE when on the free list */
	uint8_t state;     /* enum nat64_tcp_state */
	uint32_t hnext;    /* session hash chain; the free list when free */
	uint32_t lprev, lnext; /* expiry list of class tc */
	uint32_t bprev, bnext; /* the sessions of one binding */
	uint64_t expires;
	uint8_t off;       /* carried by the fast path (nat64_set_offload) */
};

struct bib {
	uint8_t v6[16];
	uint32_t v4;       /* host order */
	uint16_t port6, port4;
	uint8_t proto;     /* enum nat64_proto; NAT64_NPROTO when free */
	uint8_t is_static;
	uint32_t h6next, h4next; /* h6next is the free list when free */
	uint32_t sub;
	uint32_t sess_head;
	uint32_t nsess;
};

struct sub {
	uint8_t prefix[16];
	uint32_t hnext;    /* the free list when free */
	uint32_t nsess, nports, nbibs;
	uint32_t addr;     /* preferred pool address (paired pooling, RFC 6146 section 3.5.1.1) */
	uint32_t block_head, nblocks;
	uint8_t used;
};

/* One address of one pool4 range (an address in two ranges is two of these). */
struct paddr {
	uint32_t v4;
	uint16_t lo, hi;
	uint32_t block0;   /* index of its first port block */
	uint32_t used[NAT64_NPROTO];
	uint32_t cap;      /* ports of this instance's share */
};

struct frag {
	uint8_t family, proto, used;
	uint32_t id;
	uint8_t src[16], dst[16];
	uint8_t osrc[16], odst[16];
	uint64_t expires;
	uint32_t hnext;
};

/* An IPv4 SYN kept for a simultaneous open (section 3.5.2.2). Kept SYNs sit in a ring in the order
 * they came, which is the order they expire in (one timeout for all), and in chains hashed by their
 * sender's address (so that one sender's are counted in one walk). */
struct syn4 {
	uint64_t expires;
	uint32_t remote4, v4;  /* host order: the sender, and the pool address it was sent to */
	uint16_t rport, port4;
	uint32_t hnext;
	uint16_t len;          /* bytes kept: 0 until nat64_syn4_keep */
	uint8_t live;          /* 0 once taken by a simultaneous open (its ring slot waits its turn) */
	uint8_t pkt[NAT64_SYN4_BYTES];
};

struct pool {
	uint32_t naddrs;
	struct paddr *addrs;
	uint32_t nblocks;  /* all blocks of all addresses (0 without port blocks) */
	uint32_t *block_owner; /* subscriber, or NONE; blocks not in this instance's share are never free */
	uint32_t *block_next;  /* a subscriber's blocks */
	uint32_t *block_addr;  /* the address of each block */
	uint32_t blocks_free;
	uint64_t ports_total;
	size_t mem;
};

struct nat64 {
	struct nat64_config cfg;
	uint64_t now;
	uint64_t rng;
	uint64_t k0, k1;
	uint32_t cap_sess, cap_bib, cap_sub;
	struct sess *sess;
	struct bib *bib;
	struct sub *sub;
	uint32_t *hsess, *hbib6, *hbib4, *hsub, *hfrag;
	uint32_t msess, mbib, msub, mfrag; /* bucket masks */
	uint32_t free_sess, free_bib, free_sub;
	uint32_t lhead[TC_N], ltail[TC_N];
	struct frag *frags;
	uint32_t frag_next;
	struct pool pool;
	bool is_wkp;
	nat64_log_fn log_fn;
	void *log_arg;
	unsigned log_what;
	uint64_t nsess[NAT64_NPROTO], nbib[NAT64_NPROTO], nsubs;
	uint64_t created, expired, flushed;
	const struct nat64_offload_ops *off_ops;
	void *off_arg;
	uint64_t noff, off_refreshed, off_refused;
	struct syn4 *syn;
	uint32_t *hsyn;
	uint32_t cap_syn, msyn, syn_head, syn_count, syn_live, syn_pending;
	uint64_t syn_kept, syn_sim, syn_unreach, syn_full;
	size_t memory;
};

/* ---- small helpers ------------------------------------------------------------------------------ */

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

static uint64_t load64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, 8);
	return v;
}

static uint64_t rng_next(struct nat64 *nat)
{
	uint64_t z = (nat->rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rng_below(struct nat64 *nat, uint32_t n) { return n ? (uint32_t)(rng_next(nat) % n) : 0; }

/* A keyed multiply-xor hash: the keys come from the seed, so the chains an attacker can make long are
 * not predictable from outside. */
static inline uint64_t hstep(uint64_t h, uint64_t w)
{
	h ^= w;
	h *= 0x9fb21c651e98df25ULL;
	return h ^ (h >> 29);
}

static inline uint32_t hfinal(const struct nat64 *nat, uint64_t h)
{
	h = (h ^ nat->k1) * 0xc2b2ae3d27d4eb4fULL;
	return (uint32_t)(h ^ (h >> 32));
}

static uint32_t hash_bib6(const struct nat64 *nat, unsigned proto, const uint8_t v6[16], uint16_t port)
{
	uint64_t h = hstep(nat->k0, load64(v6));
	h = hstep(h, load64(v6 + 8));
	return hfinal(nat, hstep(h, (uint64_t)proto << 16 | port));
}

static uint32_t hash_bib4(const struct nat64 *nat, unsigned proto, uint32_t v4, uint16_t port)
{
	return hfinal(nat, hstep(nat->k0 ^ 0x5bd1e995, (uint64_t)v4 << 32 | (uint64_t)proto << 16 | port));
}

static uint32_t hash_sess(const struct nat64 *nat, uint32_t bib, uint32_t remote4, uint16_t rport)
{
	uint64_t h = hstep(nat->k0 ^ 0x27d4eb2f, (uint64_t)bib << 32 | remote4);
	return hfinal(nat, hstep(h, rport));
}

static uint32_t hash_sub(const struct nat64 *nat, const uint8_t p[16])
{
	uint64_t h = hstep(nat->k0 ^ 0x165667b1, load64(p));
	return hfinal(nat, hstep(h, load64(p + 8)));
}

static uint32_t hash_syn(const struct nat64 *nat, uint32_t remote4)
{
	return hfinal(nat, hstep(nat->k0 ^ 0x2545f491, remote4));
}

static uint32_t hash_frag(const struct nat64 *nat, unsigned family, unsigned proto, uint32_t id,
			  const uint8_t *src, const uint8_t *dst)
{
	uint64_t h = hstep(nat->k0 ^ 0x85ebca6b, (uint64_t)family << 40 | (uint64_t)proto << 32 | id);
	h = hstep(hstep(h, load64(src)), load64(src + 8));
	h = hstep(hstep(h, load64(dst)), load64(dst + 8));
	return hfinal(nat, h);
}

static uint32_t pow2_at_least(uint64_t n)
{
	uint32_t p = 16;
	while (p < n && p < (1u << 30))
		p <<= 1;
	return p;
}

static const uint8_t wkp_prefix[12] = { 0x00, 0x64, 0xff, 0x9b };

static void subscriber_prefix(const struct nat64_config *cfg, const uint8_t v6[16], uint8_t out[16])
{
	unsigned len = cfg->subscriber_len ? cfg->subscriber_len : 64;
	memset(out, 0, 16);
	memcpy(out, v6, len / 8);
	if (len % 8)
		out[len / 8] = (uint8_t)(v6[len / 8] & (0xff << (8 - len % 8)));
}

static enum nat64_proto proto_of(uint8_t ip_proto)
{
	switch (ip_proto) {
	case PROTO_TCP: return NAT64_TCP;
	case PROTO_UDP: return NAT64_UDP;
	case PROTO_ICMP: case PROTO_ICMPV6: return NAT64_ICMP;
	default: return NAT64_NPROTO;
	}
}

static unsigned port_unit(const struct nat64_config *cfg)
{
	return cfg->port_block_size ? cfg->port_block_size : INSTANCE_UNIT;
}

static bool port_mine(const struct nat64_config *cfg, uint16_t port)
{
	unsigned n = cfg->ninstances ? cfg->ninstances : 1;
	return n == 1 || (port / port_unit(cfg)) % n == cfg->instance;
}

/* ---- configuration ------------------------------------------------------------------------------ */

void nat64_config_init(struct nat64_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout_udp = 300;
	cfg->timeout_tcp_est = 7440;
	cfg->timeout_tcp_trans = 240;
	cfg->timeout_icmp = 60;
	cfg->timeout_tcp_syn4 = 6;
	cfg->timeout_fragment_ms = 2000;
	cfg->max_sessions = 65536 * 4;
	cfg->max_stored_syns = 1024;
	cfg->max_stored_syns_per_source = 8;
	cfg->subscriber_len = 64;
	cfg->instance = 0;
	cfg->ninstances = 1;
}

static uint32_t range_size(const struct xlat_prefix4 *p) { return p->len == 0 ? 0 : (uint32_t)1 << (32 - p->len); }

static uint32_t range_base(const struct xlat_prefix4 *p)
{
	return p->len == 0 ? 0 : v4_u32(p->addr) & ~(range_size(p) - 1);
}

static bool static_in_pool(const struct nat64_config *cfg, const struct nat64_static_bib *s)
{
	for (unsigned i = 0; i < cfg->npool4; i++) {
		const struct nat64_pool4 *p = &cfg->pool4[i];
		if (xlat_prefix4_match(&p->prefix, s->v4) && s->port4 >= p->port_min && s->port4 <= p->port_max)
			return true;
	}
	return false;
}

int nat64_config_check(const struct nat64_config *cfg, const char **why)
{
	if (!xlat_rfc6052_len_ok(cfg->pool6.len)) {
		*why = "pool6: needs an RFC 6052 prefix of length 32, 40, 48, 56, 64 or 96";
		return -1;
	}
	if (cfg->npool4 == 0 || cfg->npool4 > NAT64_POOL4_MAX) {
		*why = "pool4: needs 1 to 64 ranges";
		return -1;
	}
	uint64_t addrs = 0, blocks = 0;
	for (unsigned i = 0; i < cfg->npool4; i++) {
		const struct nat64_pool4 *p = &cfg->pool4[i];
		if (p->prefix.len < 16 || p->prefix.len > 32) {
			*why = "pool4: a prefix must be /16 to /32";
			return -1;
		}
		if (p->port_min > p->port_max) {
			*why = "pool4: port range with its first port above its last";
			return -1;
		}
		addrs += range_size(&p->prefix);
		if (cfg->port_block_size)
			blocks += range_size(&p->prefix) *
				  (uint64_t)(p->port_max / cfg->port_block_size - p->port_min / cfg->port_block_size + 1);
	}
	if (addrs > NAT64_POOL_ADDRS_MAX) {
		*why = "pool4: more than 65536 addresses in all";
		return -1;
	}
	if (blocks > NAT64_BLOCKS_MAX) {
		*why = "port-block-size: too many port blocks (more than 2^22); use larger blocks";
		return -1;
	}
	if (!cfg->timeout_udp || !cfg->timeout_tcp_est || !cfg->timeout_tcp_trans || !cfg->timeout_icmp ||
	    !cfg->timeout_tcp_syn4 || !cfg->timeout_fragment_ms) {
		*why = "timeouts: every timeout must be at least 1";
		return -1;
	}
	if (cfg->max_sessions == 0 || cfg->max_sessions > (1u << 26)) {
		*why = "max-sessions: must be 1 to 67108864";
		return -1;
	}
	if (cfg->max_stored_syns > NAT64_SYN4_MAX) {
		*why = "max-stored-syns: must be 0 to 65536";
		return -1;
	}
	if (cfg->subscriber_len == 0 || cfg->subscriber_len > 128) {
		*why = "subscriber-len: must be 1 to 128 (usually 64 or 128)";
		return -1;
	}
	if (cfg->ninstances == 0 || cfg->instance >= cfg->ninstances || cfg->ninstances > 1024) {
		*why = "instance: must be below the number of instances (1 to 1024)";
		return -1;
	}
	if (cfg->nstatic > NAT64_STATIC_MAX) {
		*why = "static BIB: more than 1024 entries";
		return -1;
	}
	for (unsigned i = 0; i < cfg->nstatic; i++) {
		const struct nat64_static_bib *s = &cfg->statics[i];
		if ((unsigned)s->proto >= NAT64_NPROTO) {
			*why = "static BIB: unknown protocol";
			return -1;
		}
		if (!static_in_pool(cfg, s)) {
			*why = "static BIB: the IPv4 address and port are not in pool4";
			return -1;
		}
		for (unsigned j = 0; j < i; j++) {
			const struct nat64_static_bib *o = &cfg->statics[j];
			if (o->proto == s->proto && ((memcmp(o->v6, s->v6, 16) == 0 && o->port6 == s->port6) ||
						     (memcmp(o->v4, s->v4, 4) == 0 && o->port4 == s->port4))) {
				*why = "static BIB: two entries for the same IPv6 or IPv4 transport address";
				return -1;
			}
		}
	}
	return 0;
}

/* ---- logging ------------------------------------------------------------------------------------ */

static void log_bib(struct nat64 *nat, enum nat64_event_kind kind, const struct bib *b)
{
	if (!nat->log_fn || !(nat->log_what & NAT64_LOG_BIB))
		return;
	struct nat64_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.proto = (enum nat64_proto)b->proto;
	ev.time_ms = nat->now;
	memcpy(ev.v6, b->v6, 16);
	ev.port6 = b->port6;
	u32_v4(b->v4, ev.v4);
	ev.port4 = b->port4;
	ev.is_static = b->is_static;
	nat->log_fn(nat->log_arg, &ev);
}

static void log_sess(struct nat64 *nat, enum nat64_event_kind kind, const struct sess *s)
{
	if (!nat->log_fn || !(nat->log_what & NAT64_LOG_SESSION))
		return;
	const struct bib *b = &nat->bib[s->bib];
	struct nat64_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.proto = (enum nat64_proto)b->proto;
	ev.time_ms = nat->now;
	memcpy(ev.v6, b->v6, 16);
	ev.port6 = b->port6;
	u32_v4(b->v4, ev.v4);
	ev.port4 = b->port4;
	u32_v4(s->remote4, ev.remote4);
	ev.remote_port = s->rport;
	ev.is_static = b->is_static;
	nat->log_fn(nat->log_arg, &ev);
}

static void block_range(const struct nat64 *nat, uint32_t blk, uint16_t *first, uint16_t *last);

static void log_block(struct nat64 *nat, enum nat64_event_kind kind, uint32_t sub, uint32_t blk)
{
	if (!nat->log_fn || !(nat->log_what & NAT64_LOG_BLOCK))
		return;
	struct nat64_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.proto = NAT64_NPROTO;
	ev.time_ms = nat->now;
	memcpy(ev.v6, nat->sub[sub].prefix, 16);
	u32_v4(nat->pool.addrs[nat->pool.block_addr[blk]].v4, ev.v4);
	block_range(nat, blk, &ev.port4, &ev.port4_last);
	nat->log_fn(nat->log_arg, &ev);
}

/* A refused binding or session (NAT64_EV_ADDRS_EXHAUSTED, _PORTS_EXHAUSTED, _QUOTA_EXCEEDED). sub is
 * the subscriber or NONE; addr a pool address index or NONE. */
static void log_alarm(struct nat64 *nat, enum nat64_event_kind kind, enum nat64_quota q, uint32_t limit, uint32_t sub,
		      uint32_t addr)
{
	if (!nat->log_fn || !(nat->log_what & NAT64_LOG_ALARM))
		return;
	struct nat64_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.proto = NAT64_NPROTO;
	ev.time_ms = nat->now;
	ev.quota = q;
	ev.limit = limit;
	if (sub != NONE)
		memcpy(ev.v6, nat->sub[sub].prefix, 16);
	if (addr != NONE)
		u32_v4(nat->pool.addrs[addr].v4, ev.v4);
	nat->log_fn(nat->log_arg, &ev);
}

void nat64_set_log(struct nat64 *nat, nat64_log_fn fn, void *arg, unsigned what)
{
	nat->log_fn = fn;
	nat->log_arg = arg;
	nat->log_what = what;
	/* The static bindings were made before there was a log: state them in each log opened, so that
	 * the log alone tells who was reachable from IPv4 (RFC 6888 REQ-12). */
	for (uint32_t i = 0; i < nat->cap_bib; i++)
		if (nat->bib[i].proto != NAT64_NPROTO && nat->bib[i].is_static)
			log_bib(nat, NAT64_EV_BIB_ADD, &nat->bib[i]);
}

/* ---- the pool ----------------------------------------------------------------------------------- */

static void pool_free(struct pool *p)
{
	free(p->addrs);
	free(p->block_owner);
	free(p->block_next);
	free(p->block_addr);
	memset(p, 0, sizeof(*p));
}

static uint32_t ports_mine(const struct nat64_config *cfg, unsigned lo, unsigned hi)
{
	uint32_t n = 0;
	for (unsigned p = lo; p <= hi; p++)
		n += port_mine(cfg, (uint16_t)p);
	return n;
}

static int pool_build(struct pool *p, const struct nat64_config *cfg)
{
	size_t *mem = &p->mem;
	memset(p, 0, sizeof(*p));
	uint32_t n = 0;
	for (unsigned i = 0; i < cfg->npool4; i++)
		n += range_size(&cfg->pool4[i].prefix);
	p->addrs = calloc(n, sizeof(*p->addrs));
	if (!p->addrs)
		return -1;
	unsigned bs = cfg->port_block_size;
	uint32_t nb = 0;
	for (unsigned i = 0; i < cfg->npool4; i++) {
		const struct nat64_pool4 *r = &cfg->pool4[i];
		uint32_t cap = ports_mine(cfg, r->port_min, r->port_max);
		uint32_t base = range_base(&r->prefix), size = range_size(&r->prefix);
		for (uint32_t k = 0; k < size; k++) {
			struct paddr *a = &p->addrs[p->naddrs++];
			a->v4 = base + k;
			a->lo = r->port_min;
			a->hi = r->port_max;
			a->cap = cap;
			a->block0 = nb;
			if (bs)
				nb += (uint32_t)(r->port_max / bs - r->port_min / bs + 1);
			p->ports_total += (uint64_t)cap * NAT64_NPROTO;
		}
	}
	*mem += (size_t)n * sizeof(*p->addrs);
	if (bs) {
		p->nblocks = nb;
		p->block_owner = malloc((size_t)nb * sizeof(uint32_t));
		p->block_next = malloc((size_t)nb * sizeof(uint32_t));
		p->block_addr = malloc((size_t)nb * sizeof(uint32_t));
		if (!p->block_owner || !p->block_next || !p->block_addr) {
			pool_free(p);
			return -1;
		}
		*mem += (size_t)nb * 3 * sizeof(uint32_t);
		for (uint32_t a = 0; a < p->naddrs; a++) {
			const struct paddr *pa = &p->addrs[a];
			uint32_t cnt = (uint32_t)(pa->hi / bs - pa->lo / bs + 1);
			for (uint32_t b = 0; b < cnt; b++) {
				uint32_t blk = pa->block0 + b;
				uint32_t first = (pa->lo / bs + b) * bs;
				p->block_addr[blk] = a;
				p->block_next[blk] = NONE;
				/* the instance of a block is that of its first port (a block is one unit) */
				bool mine = port_mine(cfg, (uint16_t)first);
				p->block_owner[blk] = mine ? NONE : NONE - 1;
				p->blocks_free += mine;
			}
		}
	}
	return 0;
}

static void block_range(const struct nat64 *nat, uint32_t blk, uint16_t *first, uint16_t *last)
{
	const struct paddr *a = &nat->pool.addrs[nat->pool.block_addr[blk]];
	unsigned bs = nat->cfg.port_block_size;
	unsigned lo = (a->lo / bs + (blk - a->block0)) * bs, hi = lo + bs - 1;
	if (lo < a->lo)
		lo = a->lo;
	if (hi > a->hi)
		hi = a->hi;
	*first = (uint16_t)lo;
	*last = (uint16_t)hi;
}

/* The pool address holding v4:port (any range), or NONE. */
static uint32_t pool_find(const struct nat64 *nat, uint32_t v4, uint16_t port)
{
	for (uint32_t a = 0; a < nat->pool.naddrs; a++) {
		const struct paddr *pa = &nat->pool.addrs[a];
		if (pa->v4 == v4 && port >= pa->lo && port <= pa->hi)
			return a;
	}
	return NONE;
}

/* Is v4 one of the pool's addresses (hairpinning)? Ranges are checked, not the address list. */
static bool pool_has_addr(const struct nat64 *nat, const uint8_t v4[4])
{
	for (unsigned i = 0; i < nat->cfg.npool4; i++)
		if (xlat_prefix4_match(&nat->cfg.pool4[i].prefix, v4))
			return true;
	return false;
}

/* ---- tables ------------------------------------------------------------------------------------- */

static uint32_t bib_find6(const struct nat64 *nat, unsigned proto, const uint8_t v6[16], uint16_t port)
{
	for (uint32_t i = nat->hbib6[hash_bib6(nat, proto, v6, port) & nat->mbib]; i != NONE; i = nat->bib[i].h6next) {
		const struct bib *b = &nat->bib[i];
		if (b->port6 == port && b->proto == proto && memcmp(b->v6, v6, 16) == 0)
			return i;
	}
	return NONE;
}

static uint32_t bib_find4(const struct nat64 *nat, unsigned proto, uint32_t v4, uint16_t port)
{
	for (uint32_t i = nat->hbib4[hash_bib4(nat, proto, v4, port) & nat->mbib]; i != NONE; i = nat->bib[i].h4next) {
		const struct bib *b = &nat->bib[i];
		if (b->port4 == port && b->v4 == v4 && b->proto == proto)
			return i;
	}
	return NONE;
}

static uint32_t sess_find(const struct nat64 *nat, uint32_t bib, uint32_t remote4, uint16_t rport)
{
	for (uint32_t i = nat->hsess[hash_sess(nat, bib, remote4, rport) & nat->msess]; i != NONE; i = nat->sess[i].hnext) {
		const struct sess *s = &nat->sess[i];
		if (s->bib == bib && s->remote4 == remote4 && s->rport == rport)
			return i;
	}
	return NONE;
}

static uint32_t sub_find(const struct nat64 *nat, const uint8_t prefix[16])
{
	for (uint32_t i = nat->hsub[hash_sub(nat, prefix) & nat->msub]; i != NONE; i = nat->sub[i].hnext)
		if (memcmp(nat->sub[i].prefix, prefix, 16) == 0)
			return i;
	return NONE;
}

/* Unlinks index i from a chain whose next field is at byte offset off of each element. */
#define CHAIN_UNLINK(head, arr, field, i)                           \
	do {                                                        \
		uint32_t *pp_ = (head);                             \
		while (*pp_ != NONE && *pp_ != (i))                 \
			pp_ = &(arr)[*pp_].field;                   \
		if (*pp_ == (i))                                    \
			*pp_ = (arr)[i].field;                      \
	} while (0)

/* Subscribers: found or made for a client; freed when they hold nothing. */
static uint32_t sub_get(struct nat64 *nat, const uint8_t v6[16])
{
	uint8_t prefix[16];
	subscriber_prefix(&nat->cfg, v6, prefix);
	uint32_t i = sub_find(nat, prefix);
	if (i != NONE || nat->free_sub == NONE)
		return i;
	i = nat->free_sub;
	struct sub *s = &nat->sub[i];
	nat->free_sub = s->hnext;
	memset(s, 0, sizeof(*s));
	memcpy(s->prefix, prefix, 16);
	s->addr = NONE;
	s->block_head = NONE;
	s->used = 1;
	uint32_t *head = &nat->hsub[hash_sub(nat, prefix) & nat->msub];
	s->hnext = *head;
	*head = i;
	nat->nsubs++;
	return i;
}

static void sub_release_blocks(struct nat64 *nat, uint32_t si)
{
	struct sub *s = &nat->sub[si];
	while (s->block_head != NONE) {
		uint32_t blk = s->block_head;
		log_block(nat, NAT64_EV_BLOCK_DEL, si, blk);
		s->block_head = nat->pool.block_next[blk];
		nat->pool.block_next[blk] = NONE;
		nat->pool.block_owner[blk] = NONE;
		nat->pool.blocks_free++;
	}
	s->nblocks = 0;
}

static void sub_put(struct nat64 *nat, uint32_t si)
{
	struct sub *s = &nat->sub[si];
	if (s->nbibs || s->nsess)
		return;
	if (nat->pool.nblocks)
		sub_release_blocks(nat, si);
	CHAIN_UNLINK(&nat->hsub[hash_sub(nat, s->prefix) & nat->msub], nat->sub, hnext, si);
	s->used = 0;
	s->hnext = nat->free_sub;
	nat->free_sub = si;
	nat->nsubs--;
}

/* ---- expiry lists ------------------------------------------------------------------------------- */

static void list_del(struct nat64 *nat, uint32_t i)
{
	struct sess *s = &nat->sess[i];
	if (s->lprev != NONE)
		nat->sess[s->lprev].lnext = s->lnext;
	else
		nat->lhead[s->tc] = s->lnext;
	if (s->lnext != NONE)
		nat->sess[s->lnext].lprev = s->lprev;
	else
		nat->ltail[s->tc] = s->lprev;
}

static void list_add_tail(struct nat64 *nat, uint32_t i, enum tclass tc)
{
	struct sess *s = &nat->sess[i];
	s->tc = (uint8_t)tc;
	s->lnext = NONE;
	s->lprev = nat->ltail[tc];
	if (s->lprev != NONE)
		nat->sess[s->lprev].lnext = i;
	else
		nat->lhead[tc] = i;
	nat->ltail[tc] = i;
}

static uint64_t tc_timeout_ms(const struct nat64_config *cfg, enum tclass tc)
{
	switch (tc) {
	case TC_UDP: return cfg->timeout_udp * 1000ull;
	case TC_ICMP: return cfg->timeout_icmp * 1000ull;
	case TC_TCP_EST: return cfg->timeout_tcp_est * 1000ull;
	case TC_TCP_TRANS: return cfg->timeout_tcp_trans * 1000ull;
	case TC_TCP_SYN4: return cfg->timeout_tcp_syn4 * 1000ull;
	default: return 0;
	}
}

/* (Re)starts a session's timer: it goes to the tail of its class, which keeps each list in expiry
 * order because every entry of a class got the same timeout from a clock that never goes back. */
static void timer_set(struct nat64 *nat, uint32_t i, enum tclass tc)
{
	list_del(nat, i);
	nat->sess[i].expires = nat->now + tc_timeout_ms(&nat->cfg, tc);
	list_add_tail(nat, i, tc);
}

/* ---- the fast path (nat64_set_offload) ---------------------------------------------------------- */

static void flow_of(const struct nat64 *nat, uint32_t i, struct nat64_flow *f)
{
	const struct sess *s = &nat->sess[i];
	const struct bib *b = &nat->bib[s->bib];
	memset(f, 0, sizeof(*f));
	f->proto = (enum nat64_proto)b->proto;
	memcpy(f->v6, b->v6, 16);
	f->port6 = b->port6;
	u32_v4(b->v4, f->v4);
	f->port4 = b->port4;
	u32_v4(s->remote4, f->remote4);
	f->remote_port = s->rport;
}

static bool pool_has_addr(const struct nat64 *nat, const uint8_t v4[4]);

/* Hands session i to the fast path, if there is one and it may carry it. */
static void offload_add(struct nat64 *nat, uint32_t i)
{
	struct sess *s = &nat->sess[i];
	unsigned proto = nat->bib[s->bib].proto;
	if (!nat->off_ops || s->off || (proto != NAT64_TCP && proto != NAT64_UDP))
		return;
	struct nat64_flow f;
	flow_of(nat, i, &f);
	if (pool_has_addr(nat, f.remote4))
		return; /* hairpinning: both halves are the library's */
	if (!nat->off_ops->add(nat->off_arg, &f)) {
		nat->off_refused++;
		return;
	}
	s->off = 1;
	nat->noff++;
}

static void offload_del(struct nat64 *nat, uint32_t i)
{
	struct sess *s = &nat->sess[i];
	if (!s->off)
		return;
	struct nat64_flow f;
	flow_of(nat, i, &f);
	nat->off_ops->del(nat->off_arg, &f);
	s->off = 0;
	nat->noff--;
}

void nat64_set_offload(struct nat64 *nat, const struct nat64_offload_ops *ops, void *arg)
{
	for (uint32_t i = 0; nat->off_ops && i < nat->cap_sess; i++)
		if (nat->sess[i].tc != TC_FREE)
			offload_del(nat, i);
	nat->off_ops = ops;
	nat->off_arg = arg;
}

/* ---- bindings and sessions ---------------------------------------------------------------------- */

static void bib_link(struct nat64 *nat, uint32_t i)
{
	struct bib *b = &nat->bib[i];
	uint32_t *h6 = &nat->hbib6[hash_bib6(nat, b->proto, b->v6, b->port6) & nat->mbib];
	uint32_t *h4 = &nat->hbib4[hash_bib4(nat, b->proto, b->v4, b->port4) & nat->mbib];
	b->h6next = *h6;
	*h6 = i;
	b->h4next = *h4;
	*h4 = i;
}

static void bib_free(struct nat64 *nat, uint32_t i)
{
	struct bib *b = &nat->bib[i];
	log_bib(nat, NAT64_EV_BIB_DEL, b);
	CHAIN_UNLINK(&nat->hbib6[hash_bib6(nat, b->proto, b->v6, b->port6) & nat->mbib], nat->bib, h6next, i);
	CHAIN_UNLINK(&nat->hbib4[hash_bib4(nat, b->proto, b->v4, b->port4) & nat->mbib], nat->bib, h4next, i);
	uint32_t a = pool_find(nat, b->v4, b->port4);
	if (a != NONE && nat->pool.addrs[a].used[b->proto])
		nat->pool.addrs[a].used[b->proto]--;
	nat->nbib[b->proto]--;
	struct sub *s = &nat->sub[b->sub];
	s->nbibs--;
	if (!b->is_static)
		s->nports--;
	uint32_t si = b->sub;
	b->proto = NAT64_NPROTO;
	b->h6next = nat->free_bib;
	nat->free_bib = i;
	sub_put(nat, si);
}

static void sess_free(struct nat64 *nat, uint32_t i)
{
	struct sess *s = &nat->sess[i];
	offload_del(nat, i);
	log_sess(nat, NAT64_EV_SESSION_DEL, s);
	CHAIN_UNLINK(&nat->hsess[hash_sess(nat, s->bib, s->remote4, s->rport) & nat->msess], nat->sess, hnext, i);
	list_del(nat, i);
	struct bib *b = &nat->bib[s->bib];
	if (s->bprev != NONE)
		nat->sess[s->bprev].bnext = s->bnext;
	else
		b->sess_head = s->bnext;
	if (s->bnext != NONE)
		nat->sess[s->bnext].bprev = s->bprev;
	b->nsess--;
	nat->nsess[b->proto]--;
	nat->sub[b->sub].nsess--;
	uint32_t bi = s->bib;
	s->tc = TC_FREE;
	s->hnext = nat->free_sess;
	nat->free_sess = i;
	if (!b->nsess && !b->is_static)
		bib_free(nat, bi);
	else
		sub_put(nat, b->sub);
}

static enum tclass tc_of_new(enum nat64_proto p)
{
	return p == NAT64_UDP ? TC_UDP : p == NAT64_ICMP ? TC_ICMP : TC_TCP_TRANS;
}

/* Makes a session of binding bi; the caller checked the limits. */
static uint32_t sess_new(struct nat64 *nat, uint32_t bi, uint32_t remote4, uint16_t rport, enum nat64_tcp_state st,
			 enum tclass tc)
{
	uint32_t i = nat->free_sess;
	struct sess *s = &nat->sess[i];
	nat->free_sess = s->hnext;
	struct bib *b = &nat->bib[bi];
	s->bib = bi;
	s->remote4 = remote4;
	s->rport = rport;
	s->state = (uint8_t)st;
	s->off = 0;
	uint32_t *h = &nat->hsess[hash_sess(nat, bi, remote4, rport) & nat->msess];
	s->hnext = *h;
	*h = i;
	s->bprev = NONE;
	s->bnext = b->sess_head;
	if (b->sess_head != NONE)
		nat->sess[b->sess_head].bprev = i;
	b->sess_head = i;
	b->nsess++;
	s->expires = nat->now + tc_timeout_ms(&nat->cfg, tc);
	list_add_tail(nat, i, tc);
	nat->nsess[b->proto]++;
	nat->sub[b->sub].nsess++;
	nat->created++;
	log_sess(nat, NAT64_EV_SESSION_ADD, s);
	if (b->proto == NAT64_UDP)
		offload_add(nat, i);
	return i;
}

/* The limits on a new session of binding bi (global and per subscriber). */
static enum xlat_drop sess_room(struct nat64 *nat, uint32_t sub)
{
	if (nat->free_sess == NONE) {
		log_alarm(nat, NAT64_EV_QUOTA_EXCEEDED, NAT64_QUOTA_SESSIONS, nat->cap_sess, NONE, NONE);
		return XLAT_DROP_NAT64_LIMIT;
	}
	if (nat->cfg.max_sessions_per_subscriber && nat->sub[sub].nsess >= nat->cfg.max_sessions_per_subscriber) {
		log_alarm(nat, NAT64_EV_QUOTA_EXCEEDED, NAT64_QUOTA_SESSIONS_PER_SUBSCRIBER,
			  nat->cfg.max_sessions_per_subscriber, sub, NONE);
		return XLAT_DROP_NAT64_LIMIT_SUB_SESSIONS;
	}
	return XLAT_DROP_NONE;
}

/* ---- port allocation (RFC 6056, RFC 6146 section 3.5.1.1, RFC 7422) ----------------------------- */

static bool port_free(const struct nat64 *nat, unsigned proto, uint32_t v4, unsigned port)
{
	return port_mine(&nat->cfg, (uint16_t)port) && bib_find4(nat, proto, v4, (uint16_t)port) == NONE;
}

/* A free port of address a in [lo, hi] with the parity par (0, 1, or 2 for any): random probes, then a
 * scan from a random start. Returns the port, or -1. */
static int alloc_in(struct nat64 *nat, unsigned proto, uint32_t a, unsigned lo, unsigned hi, unsigned par,
		    bool scan)
{
	const struct paddr *pa = &nat->pool.addrs[a];
	if (lo < pa->lo)
		lo = pa->lo;
	if (hi > pa->hi)
		hi = pa->hi;
	if (lo == 0 && proto != NAT64_ICMP)
		lo = 1; /* port 0 is no port */
	if (lo > hi || pa->used[proto] >= pa->cap)
		return -1;
	unsigned span = hi - lo + 1;
	for (int t = 0; t < RANDOM_TRIES; t++) {
		unsigned p = lo + rng_below(nat, span);
		if (par < 2 && (p & 1) != par)
			p = p > lo ? p - 1 : p + 1;
		if (p < lo || p > hi || (par < 2 && (p & 1) != par))
			continue;
		if (port_free(nat, proto, pa->v4, p))
			return (int)p;
	}
	if (!scan)
		return -1;
	unsigned start = rng_below(nat, span);
	for (unsigned k = 0; k < span; k++) {
		unsigned p = lo + (start + k) % span;
		if (par < 2 && (p & 1) != par)
			continue;
		if (port_free(nat, proto, pa->v4, p))
			return (int)p;
	}
	return -1;
}

/* The candidate port specs in order of preference: same range and parity, same parity, any. ICMP
 * identifiers have neither. */
static int alloc_addr(struct nat64 *nat, unsigned proto, uint32_t a, uint16_t want, bool scan)
{
	if (proto == NAT64_ICMP)
		return alloc_in(nat, proto, a, 0, 65535, 2, scan);
	unsigned par = want & 1;
	unsigned lo = want < 1024 ? 0 : 1024, hi = want < 1024 ? 1023 : 65535;
	int p = alloc_in(nat, proto, a, lo, hi, par, scan);
	if (p < 0)
		p = alloc_in(nat, proto, a, 0, 65535, par, scan);
	if (p < 0)
		p = alloc_in(nat, proto, a, 0, 65535, 2, scan);
	return p;
}

static int alloc_block_port(struct nat64 *nat, unsigned proto, uint32_t blk, uint16_t want)
{
	uint16_t first, last;
	block_range(nat, blk, &first, &last);
	uint32_t v4 = nat->pool.addrs[nat->pool.block_addr[blk]].v4;
	unsigned span = (unsigned)last - first + 1, start = rng_below(nat, span);
	int any = -1;
	for (unsigned k = 0; k < span; k++) {
		unsigned p = first + (start + k) % span;
		if ((p == 0 && proto != NAT64_ICMP) || bib_find4(nat, proto, v4, (uint16_t)p) != NONE)
			continue;
		if (proto == NAT64_ICMP || (p & 1) == (want & 1u))
			return (int)p;
		if (any < 0)
			any = (int)p;
	}
	return any;
}

/* A free block, preferring address pref (the subscriber's other blocks: one address per subscriber). */
static uint32_t block_take(struct nat64 *nat, uint32_t si, uint32_t pref)
{
	struct pool *pl = &nat->pool;
	if (!pl->blocks_free)
		return NONE;
	if (pref != NONE) {
		const struct paddr *pa = &pl->addrs[pref];
		uint32_t cnt = (uint32_t)(pa->hi / nat->cfg.port_block_size - pa->lo / nat->cfg.port_block_size + 1);
		uint32_t start = rng_below(nat, cnt);
		for (uint32_t k = 0; k < cnt; k++) {
			uint32_t blk = pa->block0 + (start + k) % cnt;
			if (pl->block_owner[blk] == NONE)
				return blk;
		}
	}
	for (int t = 0; t < RANDOM_TRIES; t++) {
		uint32_t blk = rng_below(nat, pl->nblocks);
		if (pl->block_owner[blk] == NONE)
			return blk;
	}
	uint32_t start = rng_below(nat, pl->nblocks);
	for (uint32_t k = 0; k < pl->nblocks; k++) {
		uint32_t blk = (start + k) % pl->nblocks;
		if (pl->block_owner[blk] == NONE)
			return blk;
	}
	return NONE;
}

static void block_give(struct nat64 *nat, uint32_t si, uint32_t blk)
{
	struct sub *s = &nat->sub[si];
	nat->pool.block_owner[blk] = si;
	nat->pool.block_next[blk] = s->block_head;
	s->block_head = blk;
	s->nblocks++;
	nat->pool.blocks_free--;
	log_block(nat, NAT64_EV_BLOCK_ADD, si, blk);
}

/* Chooses v4:port4 for a new binding of subscriber si. */
static enum xlat_drop alloc_binding(struct nat64 *nat, uint32_t si, unsigned proto, uint16_t want, uint32_t *v4,
				    uint16_t *port4)
{
	struct sub *s = &nat->sub[si];
	struct pool *pl = &nat->pool;
	int p = -1;
	uint32_t a = NONE;
	if (pl->nblocks) {
		for (uint32_t blk = s->block_head; blk != NONE && p < 0; blk = pl->block_next[blk]) {
			p = alloc_block_port(nat, proto, blk, want);
			a = pl->block_addr[blk];
		}
		if (p < 0) {
			uint32_t pref = s->block_head != NONE ? pl->block_addr[s->block_head] : NONE;
			uint32_t blk = block_take(nat, si, pref);
			if (blk == NONE) {
				log_alarm(nat, NAT64_EV_ADDRS_EXHAUSTED, 0, 0, si, NONE);
				return XLAT_DROP_NAT64_POOL_EXHAUSTED;
			}
			block_give(nat, si, blk);
			p = alloc_block_port(nat, proto, blk, want);
			a = pl->block_addr[blk];
		}
	} else {
		/* Paired pooling: the subscriber's address first, then random others, then all of them. */
		if (s->addr != NONE && s->addr < pl->naddrs) {
			a = s->addr;
			p = alloc_addr(nat, proto, a, want, true);
			if (p < 0) /* the subscriber moves to another address, if one has room */
				log_alarm(nat, NAT64_EV_PORTS_EXHAUSTED, 0, 0, si, a);
		}
		for (int t = 0; t < 8 && p < 0; t++) {
			a = rng_below(nat, pl->naddrs);
			p = alloc_addr(nat, proto, a, want, false);
		}
		if (p < 0) {
			uint32_t start = rng_below(nat, pl->naddrs);
			for (uint32_t k = 0; k < pl->naddrs && p < 0; k++) {
				a = (start + k) % pl->naddrs;
				p = alloc_addr(nat, proto, a, want, true);
			}
		}
		if (p >= 0)
			s->addr = a;
	}
	if (p < 0) {
		log_alarm(nat, NAT64_EV_ADDRS_EXHAUSTED, 0, 0, si, NONE);
		return XLAT_DROP_NAT64_POOL_EXHAUSTED;
	}
	*v4 = pl->addrs[a].v4;
	*port4 = (uint16_t)p;
	return XLAT_DROP_NONE;
}

static uint32_t bib_insert(struct nat64 *nat, uint32_t si, unsigned proto, const uint8_t v6[16], uint16_t port6,
			   uint32_t v4, uint16_t port4, bool is_static)
{
	uint32_t i = nat->free_bib;
	struct bib *b = &nat->bib[i];
	nat->free_bib = b->h6next;
	memset(b, 0, sizeof(*b));
	memcpy(b->v6, v6, 16);
	b->port6 = port6;
	b->v4 = v4;
	b->port4 = port4;
	b->proto = (uint8_t)proto;
	b->is_static = is_static;
	b->sub = si;
	b->sess_head = NONE;
	bib_link(nat, i);
	uint32_t a = pool_find(nat, v4, port4);
	if (a != NONE)
		nat->pool.addrs[a].used[proto]++;
	nat->nbib[proto]++;
	nat->sub[si].nbibs++;
	if (!is_static)
		nat->sub[si].nports++;
	log_bib(nat, NAT64_EV_BIB_ADD, b);
	return i;
}

/* ---- fragments (RFC 6146 section 3.5: later fragments carry no ports) ---------------------------- */

static struct frag *frag_find(struct nat64 *nat, unsigned family, unsigned proto, uint32_t id, const uint8_t *src,
			      const uint8_t *dst)
{
	uint8_t s[16] = { 0 }, d[16] = { 0 };
	memcpy(s, src, family == 6 ? 16 : 4);
	memcpy(d, dst, family == 6 ? 16 : 4);
	for (uint32_t i = nat->hfrag[hash_frag(nat, family, proto, id, s, d) & nat->mfrag]; i != NONE;
	     i = nat->frags[i].hnext) {
		struct frag *f = &nat->frags[i];
		if (f->family == family && f->proto == proto && f->id == id && memcmp(f->src, s, 16) == 0 &&
		    memcmp(f->dst, d, 16) == 0)
			return f->expires > nat->now ? f : NULL;
	}
	return NULL;
}

/* Remembers the addresses a first fragment was translated to. The table is a ring: the oldest entry
 * makes room for the newest. */
static void frag_remember(struct nat64 *nat, const struct xlat_tuple *in, unsigned family, const struct xlat_tuple *out)
{
	struct frag *f = frag_find(nat, family, in->proto, in->frag_id, in->src, in->dst);
	if (!f) {
		uint32_t i = nat->frag_next;
		nat->frag_next = (i + 1) % NAT64_FRAGS;
		f = &nat->frags[i];
		if (f->used)
			CHAIN_UNLINK(&nat->hfrag[hash_frag(nat, f->family, f->proto, f->id, f->src, f->dst) & nat->mfrag],
				     nat->frags, hnext, i);
		memset(f, 0, sizeof(*f));
		f->used = 1;
		f->family = (uint8_t)family;
		f->proto = in->proto;
		f->id = in->frag_id;
		memcpy(f->src, in->src, family == 6 ? 16 : 4);
		memcpy(f->dst, in->dst, family == 6 ? 16 : 4);
		uint32_t *h = &nat->hfrag[hash_frag(nat, family, f->proto, f->id, f->src, f->dst) & nat->mfrag];
		f->hnext = *h;
		*h = i;
	}
	memcpy(f->osrc, out->src, 16);
	memcpy(f->odst, out->dst, 16);
	f->expires = nat->now + nat->cfg.timeout_fragment_ms;
}

static enum xlat_drop frag_follow(struct nat64 *nat, const struct xlat_tuple *in, unsigned family,
				  struct xlat_tuple *out)
{
	struct frag *f = frag_find(nat, family, in->proto, in->frag_id, in->src, in->dst);
	if (!f)
		return XLAT_DROP_NAT64_FRAGMENT;
	memcpy(out->src, f->osrc, 16);
	memcpy(out->dst, f->odst, 16);
	return XLAT_DROP_NONE;
}

/* ---- the TCP state machine (RFC 6146 section 3.5.2.2, RFC 7857 section 3.1 for RST) -------------- */

static void tcp_update(struct nat64 *nat, uint32_t i, bool from6, uint8_t flags)
{
	struct sess *s = &nat->sess[i];
	bool syn = flags & TCP_SYN, fin = flags & TCP_FIN, rst = flags & TCP_RST;
	switch ((enum nat64_tcp_state)s->state) {
	case NAT64_TCP_V4_INIT:
		if (from6 && syn) {
			s->state = NAT64_TCP_ESTABLISHED;
			timer_set(nat, i, TC_TCP_EST);
			offload_add(nat, i);
		}
		break;
	case NAT64_TCP_V6_INIT:
		if (!from6 && syn) {
			s->state = NAT64_TCP_ESTABLISHED;
			timer_set(nat, i, TC_TCP_EST);
			offload_add(nat, i);
		} else if (from6 && syn) {
			timer_set(nat, i, TC_TCP_TRANS);
		}
		break;
	case NAT64_TCP_ESTABLISHED:
		if (rst) {
			s->state = NAT64_TCP_TRANS;
			timer_set(nat, i, TC_TCP_TRANS);
			offload_del(nat, i);
		} else if (fin) {
			s->state = from6 ? NAT64_TCP_V6_FIN_RCV : NAT64_TCP_V4_FIN_RCV; /* timer unchanged */
			offload_del(nat, i);
		} else {
			timer_set(nat, i, TC_TCP_EST);
		}
		break;
	case NAT64_TCP_V4_FIN_RCV:
	case NAT64_TCP_V6_FIN_RCV: {
		bool other = s->state == NAT64_TCP_V4_FIN_RCV ? from6 : !from6;
		if (other && fin) {
			s->state = NAT64_TCP_V4_FIN_V6_FIN_RCV;
			timer_set(nat, i, TC_TCP_TRANS);
		} else if (rst) {
			s->state = NAT64_TCP_TRANS;
			timer_set(nat, i, TC_TCP_TRANS);
		} else {
			timer_set(nat, i, TC_TCP_EST);
		}
		break;
	}
	case NAT64_TCP_V4_FIN_V6_FIN_RCV:
		break; /* only the timer ends it */
	case NAT64_TCP_TRANS:
		if (!rst) {
			s->state = NAT64_TCP_ESTABLISHED;
			timer_set(nat, i, TC_TCP_EST);
			offload_add(nat, i);
		}
		break;
	default:
		break;
	}
}

/* ---- the policy --------------------------------------------------------------------------------- */

static bool v4_ok_for_pool6(const struct nat64 *nat, const uint8_t v4[4])
{
	return !nat->is_wkp || nat->cfg.allow_wkp_non_global || xlat_v4_global(v4) || pool_has_addr(nat, v4);
}

static void out_init(const struct xlat_tuple *in, struct xlat_tuple *out)
{
	memset(out->src, 0, 16);
	memset(out->dst, 0, 16);
	out->proto = in->proto;
	out->tcp_flags = in->tcp_flags;
	out->has_ports = in->has_ports;
	out->fragment = in->fragment;
	out->frag_id = in->frag_id;
	out->hairpin = false;
	out->sport = in->sport;
	out->dport = in->dport;
}

static void set_ports(struct xlat_tuple *out, enum nat64_proto p, uint16_t sport, uint16_t dport, uint16_t id)
{
	if (p == NAT64_ICMP) {
		out->sport = out->dport = id;
	} else {
		out->sport = sport;
		out->dport = dport;
	}
}

/* An IPv6 client's packet (RFC 6146 sections 3.5.1, 3.5.2, 3.5.3, first halves). */
/* ---- kept IPv4 SYNs (RFC 6146 section 3.5.2.2) ---------------------------------------------------- */

/* The live kept SYN from remote4:rport (to v4:port4 when to_v4 is given), or NONE; *from_source counts
 * the live ones of that sender. */
static uint32_t syn4_find(const struct nat64 *nat, uint32_t remote4, uint16_t rport, const uint32_t *to_v4,
			  uint16_t to_port, uint32_t *from_source)
{
	uint32_t found = NONE, n = 0;
	if (nat->cap_syn)
		for (uint32_t i = nat->hsyn[hash_syn(nat, remote4) & nat->msyn]; i != NONE; i = nat->syn[i].hnext) {
			const struct syn4 *k = &nat->syn[i];
			if (k->remote4 != remote4)
				continue;
			n++;
			if (k->rport == rport && (!to_v4 || (k->v4 == *to_v4 && k->port4 == to_port)))
				found = i;
		}
	if (from_source)
		*from_source = n;
	return found;
}

static void syn4_unlink(struct nat64 *nat, uint32_t i)
{
	uint32_t *pp = &nat->hsyn[hash_syn(nat, nat->syn[i].remote4) & nat->msyn];
	while (*pp != NONE && *pp != i)
		pp = &nat->syn[*pp].hnext;
	if (*pp == i)
		*pp = nat->syn[i].hnext;
	nat->syn[i].live = 0;
	nat->syn_live--;
	if (nat->syn_pending == i)
		nat->syn_pending = NONE;
}

/* An IPv4 SYN to v4:port4, which has no binding: refused by the operator's policy, or kept for
 * timeout_tcp_syn4 seconds (its bytes follow through nat64_syn4_keep). A retransmission of a kept
 * one is dropped and does not restart its timer, so that a sender that keeps trying still gets its
 * Port Unreachable. */
static enum xlat_drop syn4_store(struct nat64 *nat, uint32_t remote4, uint16_t rport, uint32_t v4, uint16_t port4)
{
	nat->syn_pending = NONE;
	if (nat->cfg.drop_external_tcp)
		return XLAT_DROP_NAT64_TCP_EXTERNAL;
	uint32_t n;
	if (syn4_find(nat, remote4, rport, &v4, port4, &n) != NONE)
		return XLAT_DROP_NAT64_SYN4_KEPT;
	uint32_t limit = nat->cfg.max_stored_syns < nat->cap_syn ? nat->cfg.max_stored_syns : nat->cap_syn;
	if (nat->syn_count >= limit ||
	    (nat->cfg.max_stored_syns_per_source && n >= nat->cfg.max_stored_syns_per_source)) {
		nat->syn_full++;
		return XLAT_DROP_NAT64_SYN4_FULL;
	}
	uint32_t i = (nat->syn_head + nat->syn_count) % nat->cap_syn;
	struct syn4 *k = &nat->syn[i];
	k->expires = nat->now + nat->cfg.timeout_tcp_syn4 * 1000ull;
	k->remote4 = remote4;
	k->rport = rport;
	k->v4 = v4;
	k->port4 = port4;
	k->len = 0;
	k->live = 1;
	uint32_t *b = &nat->hsyn[hash_syn(nat, remote4) & nat->msyn];
	k->hnext = *b;
	*b = i;
	nat->syn_count++;
	nat->syn_live++;
	nat->syn_kept++;
	nat->syn_pending = i;
	return XLAT_DROP_NAT64_SYN4_KEPT;
}

/* A simultaneous open: an IPv6 SYN towards the sender of a kept IPv4 SYN gets the address and port
 * that SYN was sent to, when they are free and may go to subscriber sub (with port blocks: a block of
 * its own, or a free one it is then given). */
static bool syn4_take(struct nat64 *nat, uint32_t sub, uint32_t remote4, uint16_t rport, uint32_t *v4,
		      uint16_t *port4)
{
	uint32_t i = syn4_find(nat, remote4, rport, NULL, 0, NULL);
	if (i == NONE)
		return false;
	const struct syn4 *k = &nat->syn[i];
	uint32_t a = pool_find(nat, k->v4, k->port4);
	if (a == NONE || !port_free(nat, NAT64_TCP, k->v4, k->port4))
		return false;
	struct pool *pl = &nat->pool;
	if (pl->nblocks) {
		const struct paddr *pa = &pl->addrs[a];
		uint32_t bs = nat->cfg.port_block_size;
		uint32_t blk = pa->block0 + (k->port4 / bs - pa->lo / bs);
		if (pl->block_owner[blk] == NONE)
			block_give(nat, sub, blk);
		else if (pl->block_owner[blk] != sub)
			return false;
	}
	*v4 = k->v4;
	*port4 = k->port4;
	syn4_unlink(nat, i);
	nat->syn_sim++;
	return true;
}

void nat64_syn4_keep(struct nat64 *nat, const uint8_t *pkt, size_t len)
{
	uint32_t i = nat->syn_pending;
	nat->syn_pending = NONE;
	if (i == NONE || !nat->syn[i].live)
		return;
	if (len > NAT64_SYN4_BYTES)
		len = NAT64_SYN4_BYTES;
	memcpy(nat->syn[i].pkt, pkt, len);
	nat->syn[i].len = (uint16_t)len;
}

bool nat64_syn4_due(struct nat64 *nat, uint64_t now_ms, struct nat64_syn4_due *due)
{
	nat64_set_now(nat, now_ms);
	while (nat->syn_count) {
		uint32_t i = nat->syn_head;
		struct syn4 *k = &nat->syn[i];
		if (k->live && k->expires > nat->now)
			return false;
		nat->syn_head = (i + 1) % nat->cap_syn;
		nat->syn_count--;
		if (!k->live)
			continue;
		syn4_unlink(nat, i);
		/* No error when a binding took the address and port meanwhile: the sender's retransmission
		 * went to it, and its owner answers. */
		if (!k->len || bib_find4(nat, NAT64_TCP, k->v4, k->port4) != NONE)
			continue;
		memcpy(due->pkt, k->pkt, k->len);
		due->len = k->len;
		u32_v4(k->v4, due->src4);
		nat->syn_unreach++;
		return true;
	}
	return false;
}

static enum xlat_drop packet_6to4(struct nat64 *nat, const struct xlat_tuple *in, struct xlat_tuple *out,
				  enum nat64_proto p, uint32_t remote4)
{
	uint16_t rport = p == NAT64_ICMP ? 0 : in->dport;
	uint32_t bi = bib_find6(nat, p, in->src, in->sport);
	uint32_t si = NONE;
	if (bi != NONE)
		si = sess_find(nat, bi, remote4, rport);
	if (si != NONE) {
		if (p == NAT64_TCP)
			tcp_update(nat, si, true, in->tcp_flags);
		else
			timer_set(nat, si, p == NAT64_UDP ? TC_UDP : TC_ICMP);
	} else {
		if (p == NAT64_TCP && (!(in->tcp_flags & TCP_SYN) || (in->tcp_flags & TCP_RST)))
			return XLAT_DROP_NAT64_NO_SESSION; /* section 3.5.2.2: only a SYN opens */
		uint32_t sub = bi != NONE ? nat->bib[bi].sub : sub_get(nat, in->src);
		if (sub == NONE) {
			log_alarm(nat, NAT64_EV_QUOTA_EXCEEDED, NAT64_QUOTA_SUBSCRIBERS, nat->cap_sub, NONE, NONE);
			return XLAT_DROP_NAT64_LIMIT;
		}
		enum xlat_drop r = sess_room(nat, sub);
		bool new_bib = bi == NONE;
		if (!r && new_bib) {
			if (nat->free_bib == NONE) {
				log_alarm(nat, NAT64_EV_QUOTA_EXCEEDED, NAT64_QUOTA_BIBS, nat->cap_bib, NONE, NONE);
				r = XLAT_DROP_NAT64_LIMIT;
			} else if (nat->cfg.max_ports_per_subscriber &&
				   nat->sub[sub].nports >= nat->cfg.max_ports_per_subscriber) {
				log_alarm(nat, NAT64_EV_QUOTA_EXCEEDED, NAT64_QUOTA_PORTS_PER_SUBSCRIBER,
					  nat->cfg.max_ports_per_subscriber, sub, NONE);
				r = XLAT_DROP_NAT64_LIMIT_SUB_PORTS;
			}
			uint32_t v4 = 0;
			uint16_t port4 = 0;
			if (!r && !(p == NAT64_TCP && syn4_take(nat, sub, remote4, rport, &v4, &port4)))
				r = alloc_binding(nat, sub, p, in->sport, &v4, &port4);
			if (!r)
				bi = bib_insert(nat, sub, p, in->src, in->sport, v4, port4, false);
		}
		if (r) {
			sub_put(nat, sub);
			return r;
		}
		si = sess_new(nat, bi, remote4, rport, p == NAT64_TCP ? NAT64_TCP_V6_INIT : NAT64_TCP_CLOSED,
			      tc_of_new(p));
	}
	const struct bib *b = &nat->bib[bi];
	u32_v4(b->v4, out->src);
	u32_v4(remote4, out->dst);
	set_ports(out, p, b->port4, in->dport, b->port4);
	return XLAT_DROP_NONE;
}

/* Address-dependent filtering: is there a session of binding bi with this remote address? */
static bool adf_allows(const struct nat64 *nat, uint32_t bi, uint32_t remote4)
{
	for (uint32_t i = nat->bib[bi].sess_head; i != NONE; i = nat->sess[i].bnext)
		if (nat->sess[i].remote4 == remote4)
			return true;
	return false;
}

/* An IPv4 peer's packet (second halves of sections 3.5.1, 3.5.2, 3.5.3). */
static enum xlat_drop packet_4to6(struct nat64 *nat, const struct xlat_tuple *in, struct xlat_tuple *out,
				  enum nat64_proto p, bool hairpin)
{
	uint32_t remote4 = v4_u32(in->src);
	uint16_t rport = p == NAT64_ICMP ? 0 : in->sport;
	uint32_t bi = bib_find4(nat, p, v4_u32(in->dst), in->dport);
	if (bi == NONE) {
		/* Section 3.5.2.2: a SYN (no ACK, no RST, whole) from IPv4 to a pool address and port of
		 * this instance is kept for a simultaneous open. A hairpinned one is not: its sender is an
		 * IPv6 client of this translator, whose packet the caller holds in another form. */
		uint32_t v4 = v4_u32(in->dst);
		if (p == NAT64_TCP && !hairpin && !in->fragment &&
		    (in->tcp_flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN && pool_find(nat, v4, in->dport) != NONE &&
		    port_mine(&nat->cfg, in->dport))
			return syn4_store(nat, remote4, rport, v4, in->dport);
		return XLAT_DROP_NAT64_NO_BINDING;
	}
	uint32_t si = sess_find(nat, bi, remote4, rport);
	if (si != NONE) {
		if (p == NAT64_TCP)
			tcp_update(nat, si, false, in->tcp_flags);
		else
			timer_set(nat, si, p == NAT64_UDP ? TC_UDP : TC_ICMP);
	} else {
		if (p == NAT64_TCP && (!(in->tcp_flags & TCP_SYN) || (in->tcp_flags & TCP_RST)))
			return XLAT_DROP_NAT64_NO_SESSION;
		if (nat->cfg.address_dependent_filtering && !adf_allows(nat, bi, remote4))
			return XLAT_DROP_NAT64_FILTERED;
		enum xlat_drop r = sess_room(nat, nat->bib[bi].sub);
		if (r)
			return r;
		/* An IPv4 SYN waits timeout_tcp_syn4 (6 s) in V4 INIT for the IPv6 side's SYN. */
		si = sess_new(nat, bi, remote4, rport, p == NAT64_TCP ? NAT64_TCP_V4_INIT : NAT64_TCP_CLOSED,
			      p == NAT64_TCP ? TC_TCP_SYN4 : tc_of_new(p));
	}
	const struct bib *b = &nat->bib[bi];
	xlat_rfc6052_embed(&nat->cfg.pool6, in->src, out->src);
	memcpy(out->dst, b->v6, 16);
	set_ports(out, p, in->sport, b->port6, b->port6);
	return XLAT_DROP_NONE;
}

static enum xlat_drop nat64_map_6to4(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out, enum xlat_role role)
{
	struct nat64 *nat = ctx;
	const struct nat64_config *cfg = &nat->cfg;
	out_init(in, out);
	enum nat64_proto p = proto_of(in->proto);
	if (role == XLAT_ROLE_ERROR_INNER) {
		/* The quoted packet went from the IPv4 peer (pool6 + remote) to the client: find its session,
		 * change nothing (RFC 6146 section 3.5.4 is silent; errors never make or refresh state). */
		if (p == NAT64_NPROTO || !in->has_ports || !xlat_prefix6_match(&cfg->pool6, in->src))
			return XLAT_DROP_NAT64_NO_SESSION;
		uint8_t r4[4];
		xlat_rfc6052_extract(&cfg->pool6, in->src, r4);
		uint32_t bi = bib_find6(nat, p, in->dst, in->dport);
		if (bi == NONE)
			return XLAT_DROP_NAT64_NO_BINDING;
		if (sess_find(nat, bi, v4_u32(r4), p == NAT64_ICMP ? 0 : in->sport) == NONE)
			return XLAT_DROP_NAT64_NO_SESSION;
		const struct bib *b = &nat->bib[bi];
		memcpy(out->src, r4, 4);
		u32_v4(b->v4, out->dst);
		set_ports(out, p, in->sport, b->port4, b->port4);
		/* The quoted packet came from another client of this translator (a hairpinned flow): the
		 * error goes back to it through IPv6 (RFC 6146 section 3.8, RFC 5508 REQ-7). */
		out->hairpin = pool_has_addr(nat, out->src);
		return XLAT_DROP_NONE;
	}
	if (role == XLAT_ROLE_ERROR_OUTER)
		return XLAT_DROP_POLICY; /* outer_from_inner: never asked */
	if (xlat_prefix6_match(&cfg->pool6, in->src))
		return XLAT_DROP_HAIRPIN_LOOP;
	if (!xlat_prefix6_match(&cfg->pool6, in->dst))
		return XLAT_DROP_DST_UNMAPPED;
	uint8_t r4[4];
	xlat_rfc6052_extract(&cfg->pool6, in->dst, r4);
	if (!v4_ok_for_pool6(nat, r4))
		return XLAT_DROP_WKP_NON_GLOBAL;
	if (p == NAT64_NPROTO)
		return XLAT_DROP_NAT64_PROTOCOL;
	if (!in->has_ports) {
		if (!in->fragment)
			return XLAT_DROP_NAT64_PROTOCOL;
		return frag_follow(nat, in, 6, out);
	}
	enum xlat_drop r = packet_6to4(nat, in, out, p, v4_u32(r4));
	if (r)
		return r;
	out->hairpin = pool_has_addr(nat, out->dst);
	if (in->fragment)
		frag_remember(nat, in, 6, out);
	return XLAT_DROP_NONE;
}

static enum xlat_drop nat64_map_4to6(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out, enum xlat_role role,
				     bool hairpin)
{
	struct nat64 *nat = ctx;
	const struct nat64_config *cfg = &nat->cfg;
	out_init(in, out);
	enum nat64_proto p = proto_of(in->proto);
	if (role == XLAT_ROLE_ERROR_OUTER) {
		/* The router that sent the error: its IPv6 form, or the RFC 6791 address (the core's) when
		 * the well-known prefix may not carry it. */
		if (!hairpin && !v4_ok_for_pool6(nat, in->src))
			return XLAT_DROP_SRC_UNMAPPED;
		xlat_rfc6052_embed(&cfg->pool6, in->src, out->src);
		return XLAT_DROP_NONE;
	}
	if (role == XLAT_ROLE_ERROR_INNER) {
		/* The quoted packet went from the binding (src) to the IPv4 peer (dst). */
		if (p == NAT64_NPROTO || !in->has_ports)
			return XLAT_DROP_NAT64_NO_SESSION;
		uint32_t bi = bib_find4(nat, p, v4_u32(in->src), in->sport);
		if (bi == NONE)
			return XLAT_DROP_NAT64_NO_BINDING;
		if (sess_find(nat, bi, v4_u32(in->dst), p == NAT64_ICMP ? 0 : in->dport) == NONE)
			return XLAT_DROP_NAT64_NO_SESSION;
		const struct bib *b = &nat->bib[bi];
		memcpy(out->src, b->v6, 16);
		xlat_rfc6052_embed(&cfg->pool6, in->dst, out->dst);
		set_ports(out, p, b->port6, in->dport, b->port6);
		return XLAT_DROP_NONE;
	}
	if (!hairpin && !v4_ok_for_pool6(nat, in->src))
		return XLAT_DROP_WKP_NON_GLOBAL;
	if (p == NAT64_NPROTO)
		return XLAT_DROP_NAT64_PROTOCOL;
	if (!in->has_ports) {
		if (!in->fragment)
			return XLAT_DROP_NAT64_PROTOCOL;
		return frag_follow(nat, in, 4, out);
	}
	enum xlat_drop r = packet_4to6(nat, in, out, p, hairpin);
	if (r)
		return r;
	if (in->fragment)
		frag_remember(nat, in, 4, out);
	return XLAT_DROP_NONE;
}

struct xlat_policy nat64_policy(struct nat64 *nat)
{
	struct xlat_policy p = { .map_4to6 = nat64_map_4to6, .map_6to4 = nat64_map_6to4, .ctx = nat,
				 .outer_from_inner = true };
	return p;
}

/* ---- create, destroy, statics ------------------------------------------------------------------- */

static void add_statics(struct nat64 *nat)
{
	for (unsigned i = 0; i < nat->cfg.nstatic; i++) {
		const struct nat64_static_bib *s = &nat->cfg.statics[i];
		if (!port_mine(&nat->cfg, s->port4))
			continue; /* another instance owns this port */
		uint32_t v4 = v4_u32(s->v4);
		uint32_t old = bib_find4(nat, s->proto, v4, s->port4);
		if (old != NONE) {
			struct bib *b = &nat->bib[old];
			if (b->port6 == s->port6 && memcmp(b->v6, s->v6, 16) == 0) {
				b->is_static = 1; /* a dynamic binding becomes the static one */
				continue;
			}
		}
		if (bib_find6(nat, s->proto, s->v6, s->port6) != NONE || old != NONE || nat->free_bib == NONE)
			continue; /* taken by a dynamic binding: nat64_reconfigure removed those first */
		uint32_t sub = sub_get(nat, s->v6);
		if (sub == NONE)
			continue;
		bib_insert(nat, sub, s->proto, s->v6, s->port6, v4, s->port4, true);
	}
}

void nat64_destroy(struct nat64 *nat)
{
	if (!nat)
		return;
	free(nat->sess);
	free(nat->bib);
	free(nat->sub);
	free(nat->hsess);
	free(nat->hbib6);
	free(nat->hbib4);
	free(nat->hsub);
	free(nat->hfrag);
	free(nat->frags);
	free(nat->syn);
	free(nat->hsyn);
	pool_free(&nat->pool);
	free(nat);
}

static uint32_t *buckets(uint32_t n, size_t *mem)
{
	uint32_t *b = malloc((size_t)n * sizeof(uint32_t));
	if (b)
		memset(b, 0xff, (size_t)n * sizeof(uint32_t));
	*mem += (size_t)n * sizeof(uint32_t);
	return b;
}

struct nat64 *nat64_create(const struct nat64_config *cfg, uint64_t seed, const char **why)
{
	if (nat64_config_check(cfg, why) != 0)
		return NULL;
	struct nat64 *nat = calloc(1, sizeof(*nat));
	if (!nat) {
		*why = "out of memory";
		return NULL;
	}
	nat->cfg = *cfg;
	nat->rng = seed;
	nat->k0 = rng_next(nat) | 1;
	nat->k1 = rng_next(nat);
	nat->is_wkp = cfg->pool6.len == 96 && memcmp(cfg->pool6.addr, wkp_prefix, 12) == 0;
	nat->cap_sess = cfg->max_sessions;
	nat->cap_bib = cfg->max_sessions + NAT64_STATIC_MAX;
	nat->cap_sub = nat->cap_bib;
	size_t mem = sizeof(*nat);
	nat->sess = malloc((size_t)nat->cap_sess * sizeof(struct sess));
	nat->bib = malloc((size_t)nat->cap_bib * sizeof(struct bib));
	nat->sub = malloc((size_t)nat->cap_sub * sizeof(struct sub));
	mem += (size_t)nat->cap_sess * sizeof(struct sess) + (size_t)nat->cap_bib * sizeof(struct bib) +
	       (size_t)nat->cap_sub * sizeof(struct sub);
	uint32_t ns = pow2_at_least(nat->cap_sess), nb = pow2_at_least(nat->cap_bib), nu = pow2_at_least(nat->cap_sub);
	uint32_t nf = pow2_at_least(NAT64_FRAGS * 2);
	nat->msess = ns - 1;
	nat->mbib = nb - 1;
	nat->msub = nu - 1;
	nat->mfrag = nf - 1;
	nat->hsess = buckets(ns, &mem);
	nat->hbib6 = buckets(nb, &mem);
	nat->hbib4 = buckets(nb, &mem);
	nat->hsub = buckets(nu, &mem);
	nat->hfrag = buckets(nf, &mem);
	nat->frags = calloc(NAT64_FRAGS, sizeof(struct frag));
	mem += NAT64_FRAGS * sizeof(struct frag);
	nat->cap_syn = cfg->max_stored_syns;
	nat->syn_pending = NONE;
	uint32_t nk = pow2_at_least(nat->cap_syn ? nat->cap_syn : 1);
	nat->msyn = nk - 1;
	nat->hsyn = buckets(nk, &mem);
	nat->syn = nat->cap_syn ? calloc(nat->cap_syn, sizeof(struct syn4)) : NULL;
	mem += (size_t)nat->cap_syn * sizeof(struct syn4);
	if (!nat->sess || !nat->bib || !nat->sub || !nat->hsess || !nat->hbib6 || !nat->hbib4 || !nat->hsub ||
	    !nat->hfrag || !nat->frags || !nat->hsyn || (nat->cap_syn && !nat->syn) ||
	    pool_build(&nat->pool, cfg) != 0) {
		nat64_destroy(nat);
		*why = "out of memory for the session tables (lower max-sessions)";
		return NULL;
	}
	nat->memory = mem + nat->pool.mem;
	for (uint32_t i = 0; i < nat->cap_sess; i++) {
		nat->sess[i].tc = TC_FREE;
		nat->sess[i].hnext = i + 1 < nat->cap_sess ? i + 1 : NONE;
	}
	for (uint32_t i = 0; i < nat->cap_bib; i++) {
		nat->bib[i].proto = NAT64_NPROTO;
		nat->bib[i].h6next = i + 1 < nat->cap_bib ? i + 1 : NONE;
	}
	for (uint32_t i = 0; i < nat->cap_sub; i++) {
		nat->sub[i].used = 0;
		nat->sub[i].hnext = i + 1 < nat->cap_sub ? i + 1 : NONE;
	}
	for (int c = 0; c < TC_N; c++)
		nat->lhead[c] = nat->ltail[c] = NONE;
	add_statics(nat);
	return nat;
}

void nat64_set_now(struct nat64 *nat, uint64_t now_ms)
{
	if (now_ms > nat->now)
		nat->now = now_ms; /* the lists rely on a clock that never goes back */
}

/* ---- expiry ------------------------------------------------------------------------------------- */

unsigned nat64_expire(struct nat64 *nat, uint64_t now_ms, unsigned budget)
{
	nat64_set_now(nat, now_ms);
	unsigned removed = 0, work = 0;
	for (int c = 0; c < TC_N; c++) {
		while (work < budget && nat->lhead[c] != NONE && nat->sess[nat->lhead[c]].expires <= nat->now) {
			uint32_t i = nat->lhead[c];
			work++;
			if (nat->sess[i].off) {
				/* The fast path carried it since its timer was set: it expires a timeout after
				 * its last packet there (placed at its class's tail, later than a few entries
				 * ahead of it perhaps: never earlier than due). */
				struct nat64_flow f;
				flow_of(nat, i, &f);
				uint64_t last = nat->off_ops->last_ms(nat->off_arg, &f);
				uint64_t tmo = tc_timeout_ms(&nat->cfg, (enum tclass)c);
				if (last && last + tmo > nat->now) {
					list_del(nat, i);
					nat->sess[i].expires = last + tmo;
					list_add_tail(nat, i, (enum tclass)c);
					nat->off_refreshed++;
					continue;
				}
			}
			if (c == TC_TCP_EST && nat->sess[i].state == NAT64_TCP_ESTABLISHED) {
				/* Section 3.5.2.2: an idle established session becomes transitory (we send no
				 * probe: the lib has no packet to send); traffic brings it back. */
				nat->sess[i].state = NAT64_TCP_TRANS;
				timer_set(nat, i, TC_TCP_TRANS);
				offload_del(nat, i);
				continue;
			}
			sess_free(nat, i);
			nat->expired++;
			removed++;
		}
	}
	return removed;
}

/* ---- instance steering -------------------------------------------------------------------------- */

unsigned nat64_instance_of_v6(const struct nat64_config *cfg, const uint8_t v6[16])
{
	unsigned n = cfg->ninstances ? cfg->ninstances : 1;
	if (n == 1)
		return 0;
	uint8_t p[16];
	subscriber_prefix(cfg, v6, p);
	/* Unkeyed on purpose: every instance and every box must agree. */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < 16; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	return (unsigned)(h % n);
}

unsigned nat64_instance_of_port(const struct nat64_config *cfg, uint16_t port4)
{
	unsigned n = cfg->ninstances ? cfg->ninstances : 1;
	return (port4 / port_unit(cfg)) % n;
}

/* ---- status ------------------------------------------------------------------------------------- */

static size_t bytes_per_session(const struct nat64 *nat)
{
	/* One session, its binding and its subscriber (the worst case: one of each per session), and
	 * their share of the hash buckets. */
	uint64_t buckets_bytes = ((uint64_t)nat->msess + 1 + 2 * ((uint64_t)nat->mbib + 1) + nat->msub + 1) * 4;
	return sizeof(struct sess) + sizeof(struct bib) + sizeof(struct sub) +
	       (size_t)(buckets_bytes / nat->cap_sess);
}

void nat64_stats_add(struct nat64_stats *dst, const struct nat64_stats *src)
{
	for (int p = 0; p < NAT64_NPROTO; p++) {
		dst->sessions[p] += src->sessions[p];
		dst->bibs[p] += src->bibs[p];
	}
	dst->subscribers += src->subscribers;
	dst->sessions_created += src->sessions_created;
	dst->sessions_expired += src->sessions_expired;
	dst->sessions_flushed += src->sessions_flushed;
	dst->ports_in_use += src->ports_in_use;
	dst->ports_total += src->ports_total;
	dst->memory_bytes += src->memory_bytes;
	dst->bytes_per_session = src->bytes_per_session;
	dst->sessions_offloaded += src->sessions_offloaded;
	dst->offload_refreshed += src->offload_refreshed;
	dst->offload_refused += src->offload_refused;
	dst->syn4_kept_now += src->syn4_kept_now;
	dst->syn4_kept += src->syn4_kept;
	dst->syn4_simultaneous_opens += src->syn4_simultaneous_opens;
	dst->syn4_unreachable += src->syn4_unreachable;
	dst->syn4_full += src->syn4_full;
}

void nat64_get_stats(const struct nat64 *nat, struct nat64_stats *st)
{
	memset(st, 0, sizeof(*st));
	for (int p = 0; p < NAT64_NPROTO; p++) {
		st->sessions[p] = nat->nsess[p];
		st->bibs[p] = nat->nbib[p];
		st->ports_in_use += nat->nbib[p];
	}
	st->subscribers = nat->nsubs;
	st->sessions_created = nat->created;
	st->sessions_expired = nat->expired;
	st->sessions_flushed = nat->flushed;
	st->ports_total = nat->pool.ports_total;
	st->memory_bytes = nat->memory;
	st->bytes_per_session = bytes_per_session(nat);
	st->sessions_offloaded = nat->noff;
	st->offload_refreshed = nat->off_refreshed;
	st->offload_refused = nat->off_refused;
	st->syn4_kept_now = nat->syn_live;
	st->syn4_kept = nat->syn_kept;
	st->syn4_simultaneous_opens = nat->syn_sim;
	st->syn4_unreachable = nat->syn_unreach;
	st->syn4_full = nat->syn_full;
}

unsigned nat64_top_subscribers(const struct nat64 *nat, struct nat64_subscriber_usage *out, unsigned max)
{
	unsigned n = 0;
	if (!max)
		return 0;
	for (uint32_t i = 0; i < nat->cap_sub; i++) {
		const struct sub *s = &nat->sub[i];
		if (!s->used)
			continue;
		if (n == max && s->nsess <= out[n - 1].sessions)
			continue;
		unsigned at = n < max ? n++ : max - 1;
		while (at > 0 && out[at - 1].sessions < s->nsess) {
			out[at] = out[at - 1];
			at--;
		}
		memcpy(out[at].prefix, s->prefix, 16);
		out[at].len = nat->cfg.subscriber_len;
		out[at].sessions = s->nsess;
		out[at].ports = s->nports;
	}
	return n;
}

const char *nat64_tcp_state_name(enum nat64_tcp_state s)
{
	switch (s) {
	case NAT64_TCP_CLOSED: return "closed";
	case NAT64_TCP_V4_INIT: return "v4-init";
	case NAT64_TCP_V6_INIT: return "v6-init";
	case NAT64_TCP_ESTABLISHED: return "established";
	case NAT64_TCP_V4_FIN_RCV: return "v4-fin-rcv";
	case NAT64_TCP_V6_FIN_RCV: return "v6-fin-rcv";
	case NAT64_TCP_V4_FIN_V6_FIN_RCV: return "v4-fin-v6-fin-rcv";
	case NAT64_TCP_TRANS: return "trans";
	}
	return "?";
}

const char *nat64_proto_name(enum nat64_proto p)
{
	switch (p) {
	case NAT64_TCP: return "tcp";
	case NAT64_UDP: return "udp";
	case NAT64_ICMP: return "icmp";
	default: return "?";
	}
}

void nat64_sessions_foreach(const struct nat64 *nat, bool (*cb)(void *arg, const struct nat64_session_info *s),
			    void *arg)
{
	for (uint32_t i = 0; i < nat->cap_sess; i++) {
		const struct sess *s = &nat->sess[i];
		if (s->tc == TC_FREE)
			continue;
		const struct bib *b = &nat->bib[s->bib];
		struct nat64_session_info info;
		memset(&info, 0, sizeof(info));
		info.proto = (enum nat64_proto)b->proto;
		memcpy(info.v6, b->v6, 16);
		info.port6 = b->port6;
		u32_v4(b->v4, info.v4);
		info.port4 = b->port4;
		u32_v4(s->remote4, info.remote4);
		info.remote_port = s->rport;
		info.tcp_state = b->proto == NAT64_TCP ? (enum nat64_tcp_state)s->state : NAT64_TCP_CLOSED;
		info.expires_ms = s->expires;
		info.is_static = b->is_static;
		info.offloaded = s->off;
		if (!cb(arg, &info))
			return;
	}
}

unsigned nat64_flush(struct nat64 *nat, enum nat64_proto proto)
{
	unsigned n = 0;
	for (uint32_t i = 0; i < nat->cap_sess; i++) {
		const struct sess *s = &nat->sess[i];
		if (s->tc == TC_FREE)
			continue;
		if (proto != NAT64_NPROTO && nat->bib[s->bib].proto != proto)
			continue;
		sess_free(nat, i);
		n++;
	}
	nat->flushed += n;
	return n;
}

/* ---- reconfiguration ---------------------------------------------------------------------------- */

static void bib_remove_all(struct nat64 *nat, uint32_t bi)
{
	struct bib *b = &nat->bib[bi];
	b->is_static = 0; /* so that the last session takes the binding with it */
	if (!b->nsess) {
		bib_free(nat, bi);
		return;
	}
	while (nat->bib[bi].proto != NAT64_NPROTO && nat->bib[bi].sess_head != NONE) {
		sess_free(nat, nat->bib[bi].sess_head);
		nat->flushed++; /* removed by the operator's reload, as a flush removes them */
	}
}

static bool pool_changed(const struct nat64_config *a, const struct nat64_config *b)
{
	return a->npool4 != b->npool4 || memcmp(a->pool4, b->pool4, sizeof(a->pool4[0]) * a->npool4) != 0 ||
	       a->port_block_size != b->port_block_size || a->instance != b->instance || a->ninstances != b->ninstances;
}

static bool is_static_in(const struct nat64_config *cfg, const struct bib *b)
{
	for (unsigned i = 0; i < cfg->nstatic; i++) {
		const struct nat64_static_bib *s = &cfg->statics[i];
		if ((unsigned)s->proto == b->proto && s->port4 == b->port4 && v4_u32(s->v4) == b->v4 &&
		    s->port6 == b->port6 && memcmp(s->v6, b->v6, 16) == 0)
			return true;
	}
	return false;
}

/* Clamps a class's expiry times to a shorter timeout; min() keeps the list in order. */
static void clamp_class(struct nat64 *nat, enum tclass tc)
{
	uint64_t limit = nat->now + tc_timeout_ms(&nat->cfg, tc);
	for (uint32_t i = nat->lhead[tc]; i != NONE; i = nat->sess[i].lnext)
		if (nat->sess[i].expires > limit)
			nat->sess[i].expires = limit;
}

int nat64_reconfigure(struct nat64 *nat, const struct nat64_config *cfg, const char **why)
{
	if (nat64_config_check(cfg, why) != 0)
		return -1;
	if (cfg->max_sessions > nat->cap_sess) {
		*why = "max-sessions: cannot grow past what was allocated at start (restart to grow)";
		return -1;
	}
	if (cfg->subscriber_len != nat->cfg.subscriber_len) {
		*why = "subscriber-len: cannot change while running (restart to change it)";
		return -1;
	}
	if (cfg->max_stored_syns > nat->cap_syn) {
		*why = "max-stored-syns: cannot grow past what was allocated at start (restart to grow)";
		return -1;
	}
	struct pool np;
	bool repool = pool_changed(&nat->cfg, cfg);
	if (repool && pool_build(&np, cfg) != 0) {
		*why = "out of memory for the new pool";
		return -1;
	}
	struct nat64_config oldcfg = nat->cfg;
	nat->cfg = *cfg;
	nat->is_wkp = cfg->pool6.len == 96 && memcmp(cfg->pool6.addr, wkp_prefix, 12) == 0;
	/* Statics that left the configuration become dynamic bindings (they expire with their sessions). */
	for (uint32_t i = 0; i < nat->cap_bib; i++) {
		struct bib *b = &nat->bib[i];
		if (b->proto != NAT64_NPROTO && b->is_static && !is_static_in(cfg, b)) {
			b->is_static = 0;
			nat->sub[b->sub].nports++;
			if (!b->nsess)
				bib_free(nat, i);
		}
	}
	if (repool) {
		/* Every binding must lie in this instance's share of the new pool, and with port blocks in
		 * a block of its own subscriber; the others go (logged). The usage counters are rebuilt
		 * after the removals. */
		nat->memory = nat->memory - nat->pool.mem + np.mem;
		pool_free(&nat->pool);
		nat->pool = np;
		struct pool *pl = &nat->pool;
		for (uint32_t i = 0; i < nat->cap_sub; i++) {
			nat->sub[i].block_head = NONE;
			nat->sub[i].nblocks = 0;
			if (nat->sub[i].addr != NONE && nat->sub[i].addr >= pl->naddrs)
				nat->sub[i].addr = NONE;
		}
		for (uint32_t i = 0; i < nat->cap_bib; i++) {
			struct bib *b = &nat->bib[i];
			if (b->proto == NAT64_NPROTO)
				continue;
			uint32_t a = pool_find(nat, b->v4, b->port4);
			bool keep = a != NONE && port_mine(cfg, b->port4);
			if (keep && pl->nblocks && !b->is_static) {
				const struct paddr *pa = &pl->addrs[a];
				uint32_t blk = pa->block0 + (b->port4 / cfg->port_block_size - pa->lo / cfg->port_block_size);
				if (pl->block_owner[blk] == NONE)
					block_give(nat, b->sub, blk);
				else if (pl->block_owner[blk] != b->sub)
					keep = false;
			}
			if (!keep)
				bib_remove_all(nat, i);
		}
		for (uint32_t i = 0; i < nat->cap_bib; i++) {
			const struct bib *b = &nat->bib[i];
			uint32_t a = b->proto == NAT64_NPROTO ? NONE : pool_find(nat, b->v4, b->port4);
			if (a != NONE)
				pl->addrs[a].used[b->proto]++;
		}
	}
	/* Shorter timeouts apply to the sessions already there too. */
	if (cfg->timeout_udp < oldcfg.timeout_udp)
		clamp_class(nat, TC_UDP);
	if (cfg->timeout_icmp < oldcfg.timeout_icmp)
		clamp_class(nat, TC_ICMP);
	if (cfg->timeout_tcp_est < oldcfg.timeout_tcp_est)
		clamp_class(nat, TC_TCP_EST);
	if (cfg->timeout_tcp_trans < oldcfg.timeout_tcp_trans)
		clamp_class(nat, TC_TCP_TRANS);
	if (cfg->timeout_tcp_syn4 < oldcfg.timeout_tcp_syn4)
		clamp_class(nat, TC_TCP_SYN4);
	/* Statics: new ones displace dynamic bindings of the same addresses. */
	for (unsigned k = 0; k < cfg->nstatic; k++) {
		const struct nat64_static_bib *s = &cfg->statics[k];
		uint32_t b4 = bib_find4(nat, s->proto, v4_u32(s->v4), s->port4);
		uint32_t b6 = bib_find6(nat, s->proto, s->v6, s->port6);
		if (b4 != NONE && b4 == b6)
			continue;
		if (b4 != NONE && !nat->bib[b4].is_static)
			bib_remove_all(nat, b4);
		b6 = bib_find6(nat, s->proto, s->v6, s->port6);
		if (b6 != NONE && !nat->bib[b6].is_static)
			bib_remove_all(nat, b6);
	}
	add_statics(nat);
	return 0;
}
