/* The fast path (lib/xlat/fastpath.c) must give exactly what the general path gives. This translates
 * many packets both ways, xlat_4to6 / xlat_6to4 (fast path first) against xlat_4to6_pass /
 * xlat_6to4_slow (the general path alone), each with its own context, and compares the action, the
 * reason, every output packet byte for byte with its iovec lengths and family, the counters and the
 * IPv4 identification counter. The packets are the common shapes the fast path takes, with
 * addresses drawn from pool6, EAM ranges, special and random addresses, under many configurations
 * (pool6 at every RFC 6052 length or none, EAM tables with aligned, unaligned and overlapping
 * entries, router or not, several MTUs), then mutated at random; and for a few packets every one of
 * the 65536 transport checksum values, so that the 0x0000 / 0xffff edge cases are all met.
 *
 *   build/tests/test_fastpath [ROUNDS [SEED]]   (make unit runs it with 1000000 rounds) exits 1 at the first difference, printing the packet in hex
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlat/internal.h"

static uint64_t rng;

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned below(unsigned n) { return (unsigned)(rnd() % n); }

static struct xlat_siit_map map;
static struct xlat_config cfg;
static struct xlat_ctx ctx_fast, ctx_slow, ctx_probe, ctx_fwd;
static struct xlat_out out_fast, out_slow, out_probe, out_fwd;
static uint8_t flat_a[70000], flat_b[70000];
static unsigned long n_fast, n_fast_one, n_total, n_fwd;

static const uint8_t pool_base[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x64, 0x64, 0x64, 0x64,
				       0x64, 0x64, 0x64, 0x64, 0x11, 0x22, 0x33, 0x44 };
static const unsigned pool_lens[] = { 32, 40, 48, 56, 64, 96, 96, 96, 96, 96, 96, 96, 96, 96 };

struct eam_spec {
	uint8_t v4[4], len4;
	uint8_t v6[16], len6;
};
static const struct eam_spec eam_specs[] = {
	{ { 198, 51, 100, 0 }, 24, { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee }, 120 },
	{ { 192, 0, 0, 1 }, 32, { 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0x0b, 0x11, [14] = 0x04, [15] = 0x64 }, 128 },
	{ { 203, 0, 113, 128 }, 25, { 0x20, 0x01, 0x0d, 0xb8, 0xaa, 0xaa, [15] = 0x80 }, 121 },
	{ { 198, 51, 0, 0 }, 16, { 0x20, 0x01, 0x0d, 0xb8, 0xbb, 0xbb, [12] = 0 }, 112 },
	{ { 203, 0, 113, 0 }, 24, { 0x20, 0x01, 0x0d, 0xb8, 0xcc, 0xcc }, 64 },        /* unaligned */
	{ { 198, 51, 100, 8 }, 29, { 0x20, 0x01, 0x0d, 0xb8, 0xdd, 0xdd, [15] = 8 }, 125 },
	{ { 192, 0, 2, 0 }, 24, { 0x20, 0x01, 0x0d, 0xb8, 0x64, 0x64, 0x64, 0x64, 0x64, 0x64, 0x64, 0x64 }, 120 },
	{ { 198, 51, 100, 200 }, 32, { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee, [15] = 1 }, 100 }, /* unaligned */
	{ { 10, 0, 0, 0 }, 8, { 0x20, 0x01, 0x0d, 0xb8, 0xff }, 104 },
	{ { 0, 0, 0, 0 }, 0, { 0x20, 0x01, 0x0d, 0xb8, 0x99, 0x99, 0x99, 0x99 }, 96 },
};
enum { NSPECS = sizeof(eam_specs) / sizeof(eam_specs[0]) };

static void configure(void)
{
	memset(&map, 0, sizeof(map));
	xlat_config_init(&cfg);
	bool has_pool6 = below(8) != 0;
	unsigned plen = pool_lens[below(sizeof(pool_lens) / sizeof(pool_lens[0]))];
	/* the well-known prefix half the time: its first byte is zero, next to the special ::/64 */
	static const uint8_t wkp[16] = { 0x00, 0x64, 0xff, 0x9b, [12] = 0x11, 0x22, 0x33, 0x44 };
	struct xlat_prefix6 pool6;
	memcpy(pool6.addr, below(2) ? pool_base : wkp, 16);
	if (below(2)) /* bits beyond the prefix: zero, or left as they are (the core ignores them) */
		for (unsigned b = plen; b < 128; b++)
			pool6.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	pool6.len = (uint8_t)plen;
	xlat_siit_map_set_pool6(&map, has_pool6 ? &pool6 : NULL);
	unsigned neam = below(4) == 0 ? 0 : below(5);
	for (unsigned i = 0; i < neam; i++) {
		const struct eam_spec *s = &eam_specs[below(NSPECS)];
		struct xlat_prefix4 p4;
		struct xlat_prefix6 p6;
		memcpy(p4.addr, s->v4, 4);
		p4.len = s->len4;
		memcpy(p6.addr, s->v6, 16);
		p6.len = s->len6;
		const char *why;
		(void)xlat_siit_map_add_eam(&map, &p4, &p6, &why); /* duplicates are refused: fine */
	}
	xlat_siit_map_set_wkp_global_only(&map, below(2)); /* RFC 6052 section 3.1, half the time */
	cfg.policy = xlat_siit_policy(&map);
	bool friendly = below(2); /* half the time, the configuration the fast path is made for */
	if (friendly) {
		pool6.len = 96;
		xlat_siit_map_set_pool6(&map, &pool6);
	}
	cfg.decrement_ttl = below(4) != 0;
	static const uint16_t mtus[] = { 1500, 1500, 1280, 1400, 9000, 576, 68, 65535 };
	cfg.mtu4 = mtus[below(8)];
	cfg.mtu6 = mtus[below(8)];
	if (cfg.mtu6 < 1280)
		cfg.mtu6 = 1280;
	static const uint16_t lows[] = { 1280, 1280, 1400, 1500, 2000 };
	cfg.lowest_ipv6_mtu = lows[below(5)];
	if (friendly)
		cfg.mtu4 = cfg.mtu6 = 1500;
	cfg.amend_udp_zero_csum = below(2);
	/* RFC 7915 4.1 and 5.1 options: the fast path copies TOS and traffic class, so it must decline */
	cfg.zero_tclass = !friendly && below(8) == 0;
	cfg.set_tos = !friendly && below(8) == 0;
	cfg.tos = (uint8_t)rnd();
	cfg.has_self4 = cfg.has_self6 = below(2);
	memcpy(cfg.self4, (const uint8_t[4]){ 192, 0, 2, 1 }, 4);
	memcpy(cfg.self6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, 16);
	cfg.has_rfc6791v4 = cfg.has_rfc6791v6 = below(2);
	memcpy(cfg.rfc6791v4, (const uint8_t[4]){ 192, 0, 2, 254 }, 4);
	memcpy(cfg.rfc6791v6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 2 }, 16);
	xlat_ctx_init(&ctx_fast, &cfg);
	xlat_ctx_init(&ctx_slow, &cfg);
	xlat_ctx_init(&ctx_probe, &cfg);
	xlat_ctx_init(&ctx_fwd, &cfg);
	uint32_t id = (uint32_t)rnd();
	ctx_fast.ipv4_id = ctx_slow.ipv4_id = ctx_probe.ipv4_id = ctx_fwd.ipv4_id = id;
}

/* An IPv4 address: from an EAM entry, the pool6 side, special or random. */
static void pick4(uint8_t a[4])
{
	unsigned k = below(10);
	if (k < 4 && map.neam) {
		const struct xlat_eam *e = &map.eam[below(map.neam)];
		memcpy(a, e->v4.addr, 4);
		for (unsigned b = e->v4.len; b < 32; b++)
			if (below(2))
				a[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
		return;
	}
	static const uint8_t specials[][4] = { { 0, 1, 2, 3 }, { 127, 0, 0, 1 }, { 169, 254, 1, 1 }, { 169, 1, 1, 1 },
					       { 224, 0, 0, 1 }, { 255, 255, 255, 255 }, { 240, 1, 1, 1 }, { 223, 1, 2, 3 },
					       { 1, 2, 3, 4 }, { 126, 255, 255, 255 }, { 128, 0, 0, 0 },
					       /* around RFC 6890's non-global blocks (RFC 6052 section 3.1) */
					       { 10, 1, 2, 3 }, { 100, 64, 0, 1 }, { 100, 128, 0, 1 }, { 172, 16, 0, 1 },
					       { 172, 32, 0, 1 }, { 192, 168, 1, 1 }, { 198, 18, 0, 1 }, { 198, 20, 0, 1 } };
	if (k == 4) {
		memcpy(a, specials[below(sizeof(specials) / 4)], 4);
		return;
	}
	static const uint8_t common[][4] = { { 203, 0, 113, 5 }, { 198, 51, 100, 7 }, { 192, 0, 0, 1 }, { 192, 0, 2, 9 } };
	if (k < 8) {
		memcpy(a, common[below(4)], 4);
		return;
	}
	for (int i = 0; i < 4; i++)
		a[i] = (uint8_t)rnd();
}

/* An IPv6 address: pool6-embedded, from an EAM entry, special or random. */
static void pick6(uint8_t a[16])
{
	unsigned k = below(10);
	if (k < 4 && map.has_pool6) {
		uint8_t v4[4];
		pick4(v4);
		xlat_rfc6052_embed(&map.pool6, v4, a);
		if (below(8) == 0)
			a[below(16)] ^= (uint8_t)(1u << below(8));
		return;
	}
	if (k < 7 && map.neam) {
		const struct xlat_eam *e = &map.eam[below(map.neam)];
		memcpy(a, e->v6.addr, 16);
		for (unsigned b = e->v6.len; b < 128; b++)
			if (below(4) == 0)
				a[b / 8] ^= (uint8_t)(0x80u >> (b % 8));
		return;
	}
	if (k == 7) {
		static const uint8_t specials[][16] = { { 0 }, { [15] = 1 }, { 0xfe, 0x80, [15] = 1 }, { 0xff, 0x02, [15] = 1 },
							{ 0xfe, 0xc0, [15] = 1 }, { 0x00, 0x64, 0xff, 0x9b, [15] = 1 },
							{ [10] = 0xff, 0xff, 198, 51, 100, 7 }, { [12] = 203, 0, 113, 5 },
							{ [8] = 1, [15] = 1 }, { [7] = 1 }, { 0x00, 0x01, [15] = 1 } };
		memcpy(a, specials[below(sizeof(specials) / 16)], 16);
		return;
	}
	for (int i = 0; i < 16; i++)
		a[i] = (uint8_t)rnd();
	if (below(2))
		memcpy(a, (const uint8_t[4]){ 0x20, 0x01, 0x0d, 0xb8 }, 4);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t sum16(const uint8_t *p, size_t n, uint32_t s)
{
	return csum_fold16(csum_partial(p, n, s));
}

/* A plausible packet of the family, valid checksums, then (sometimes) mutations. */
static size_t make_packet(int family, uint8_t *p, size_t cap)
{
	static const uint8_t protos4[] = { 6, 6, 17, 17, 1, 1, 58, 47 };
	static const uint8_t protos6[] = { 6, 6, 17, 17, 58, 58, 1, 0, 44, 60 };
	uint8_t proto = family == 4 ? protos4[below(8)] : protos6[below(10)];
	static const unsigned sizes[] = { 0, 1, 7, 8, 10, 12, 17, 18, 20, 36, 56, 64, 100, 1000, 1232, 1240, 1260,
					  1300, 1400, 1460, 1480, 2000, 8960, 9000 };
	size_t l4n = sizes[below(sizeof(sizes) / sizeof(sizes[0]))];
	size_t hl = family == 4 ? 20 : 40;
	if (hl + l4n > cap)
		l4n = cap - hl;
	uint8_t *l4 = p + hl;
	for (size_t i = 0; i < l4n; i++)
		l4[i] = (uint8_t)rnd();
	uint8_t icmp = family == 4 ? 1 : 58;
	if (proto == icmp && l4n >= 1) {
		static const uint8_t t4[] = { 8, 0, 8, 0, 3, 13 }, t6[] = { 128, 129, 128, 129, 1, 135 };
		l4[0] = family == 4 ? t4[below(6)] : t6[below(6)];
		if (l4n >= 2 && below(2))
			l4[1] = 0;
		if (l4n >= 6 && below(4) == 0)
			l4[4] = l4[5] = 0;
	}
	if (proto == 17 && l4n >= 6)
		put16(l4 + 4, (unsigned)l4n);
	if (family == 4) {
		memset(p, 0, 20);
		p[0] = 0x45;
		p[1] = (uint8_t)rnd();
		put16(p + 2, (unsigned)(20 + l4n));
		put16(p + 4, (unsigned)rnd());
		p[6] = below(2) ? 0x40 : 0;
		p[8] = (uint8_t)(below(4) ? 64 : below(3));
		p[9] = proto;
		pick4(p + 12);
		pick4(p + 16);
	} else {
		memset(p, 0, 40);
		uint32_t w = 6u << 28 | (uint32_t)(rnd() & 0x0fffffff);
		p[0] = (uint8_t)(w >> 24), p[1] = (uint8_t)(w >> 16), p[2] = (uint8_t)(w >> 8), p[3] = (uint8_t)w;
		put16(p + 4, (unsigned)l4n);
		p[6] = proto;
		p[7] = (uint8_t)(below(4) ? 64 : below(3));
		pick6(p + 8);
		pick6(p + 24);
	}
	/* valid transport checksum */
	unsigned coff = proto == 6 ? 16 : proto == 17 ? 6 : (proto == 1 || proto == 58) ? 2 : 0;
	if (coff && l4n >= coff + 2) {
		put16(l4 + coff, 0);
		uint32_t s = 0;
		if (family == 4 && proto != 1)
			s = csum_pseudo4(p + 12, p + 16, proto, (uint32_t)l4n);
		else if (family == 6)
			s = csum_pseudo6(p + 8, p + 24, proto, (uint32_t)l4n);
		uint16_t c = (uint16_t)~sum16(l4, l4n, s);
		put16(l4 + coff, proto == 17 && c == 0 ? 0xffff : c);
		if (below(8) == 0)
			put16(l4 + coff, below(3) == 0 ? 0 : below(2) ? 0xffff : (unsigned)rnd());
	}
	if (family == 4)
		put16(p + 10, (uint16_t)~sum16(p, 20, 0));
	size_t len = hl + l4n;
	/* mutations */
	unsigned nm = below(3) == 0 ? 1 + below(3) : 0;
	for (unsigned i = 0; i < nm; i++) {
		switch (below(6)) {
		case 0: /* a byte of the header */
			p[below((unsigned)hl)] ^= (uint8_t)(1u << below(8));
			break;
		case 1: /* length shorter or longer than the bytes */
			if (len > 1)
				len = below(2) ? len - 1 - below((unsigned)(len < 64 ? len - 1 : 63)) : len;
			else
				len = 0;
			break;
		case 2: /* fragment bits */
			if (family == 4)
				p[6] = (uint8_t)(p[6] | (below(2) ? 0x20 : 0x00)), p[7] = (uint8_t)below(3);
			break;
		case 3: /* IHL */
			if (family == 4)
				p[0] = (uint8_t)(0x40 | (below(2) ? 6 : below(16)));
			break;
		case 4: /* extra bytes after the packet (link padding) */
			if (len + 4 <= cap)
				len += 4;
			break;
		default: /* a transport byte */
			if (len > hl)
				p[hl + below((unsigned)(len - hl))] ^= (uint8_t)(1u << below(8));
			break;
		}
		if (family == 4 && below(2)) /* keep the header checksum right most of the time */
			put16(p + 10, 0), put16(p + 10, (uint16_t)~sum16(p, 20, 0));
	}
	return len;
}

static void dump(const char *what, int family, const uint8_t *p, size_t len)
{
	fprintf(stderr, "test_fastpath: %s (%s, %zu bytes; pool6 %s/%u, %u EAM, router %d, mtu4 %u mtu6 %u low %u)\n",
		what, family == 4 ? "4to6" : "6to4", len, map.has_pool6 ? "set" : "none", map.pool6.len, map.neam,
		cfg.decrement_ttl, cfg.mtu4, cfg.mtu6, cfg.lowest_ipv6_mtu);
	for (size_t i = 0; i < len && i < 128; i++)
		fprintf(stderr, "%02x%s", p[i], i % 32 == 31 ? "\n" : " ");
	fprintf(stderr, "\n");
	exit(1);
}

/* What a fast entry point (xlat_4to6/xlat_6to4, or xlat_translate_fwd) left in out and ctx against
 * what the general path left in out_slow and ctx_slow. */
static void same_as_slow(const char *who, struct xlat_ctx *ctx, const struct xlat_out *out, int family,
			 const uint8_t *p, size_t len)
{
	char what[128];
	if (out->action != out_slow.action || out->reason != out_slow.reason || out->npkts != out_slow.npkts) {
		snprintf(what, sizeof(what), "%s: action, reason or packet count differ", who);
		dump(what, family, p, len);
	}
	for (unsigned i = 0; i < out->npkts; i++) {
		const struct xlat_pkt *a = &out->pkt[i], *b = &out_slow.pkt[i];
		if (a->len != b->len || a->family != b->family || a->niov != b->niov)
			dump("packet length, family or iovec count differ", family, p, len);
		for (unsigned k = 0; k < a->niov; k++)
			if (a->iov[k].iov_len != b->iov[k].iov_len)
				dump("iovec lengths differ", family, p, len);
		size_t na = xlat_pkt_flatten(a, flat_a, sizeof(flat_a)), nb = xlat_pkt_flatten(b, flat_b, sizeof(flat_b));
		if (na != nb || memcmp(flat_a, flat_b, na) != 0) {
			size_t at = 0;
			while (at < na && at < nb && flat_a[at] == flat_b[at])
				at++;
			fprintf(stderr, "test_fastpath: %s: packet %u: %zu and %zu bytes, first difference at %zu: %02x (fast) %02x\n",
				who, i, na, nb, at, at < na ? flat_a[at] : 0, at < nb ? flat_b[at] : 0);
			dump("packet bytes differ", family, p, len);
		}
	}
	if (memcmp(&ctx->stats, &ctx_slow.stats, sizeof(ctx->stats)) != 0 || ctx->ipv4_id != ctx_slow.ipv4_id) {
		snprintf(what, sizeof(what), "%s: counters differ", who);
		dump(what, family, p, len);
	}
}

static void compare(int family, const uint8_t *p, size_t len)
{
	bool fast;
	if (family == 4) {
		fast = xlat_fast_4to6(&ctx_probe, p, len, &out_probe);
		xlat_4to6(&ctx_fast, p, len, &out_fast);
		xlat_4to6_pass(&ctx_slow, p, len, &out_slow, false);
	} else {
		fast = xlat_fast_6to4(&ctx_probe, p, len, &out_probe);
		xlat_6to4(&ctx_fast, p, len, &out_fast);
		xlat_6to4_slow(&ctx_slow, p, len, &out_slow);
	}
	/* xlat_translate_fwd picks the direction by the version: only packets whose version says it */
	bool versioned = len > 0 && p[0] >> 4 == family;
	const struct xlat_pkt *fwd = versioned ? xlat_translate_fwd(&ctx_fwd, p, len, &out_fwd) : NULL;
	n_total++;
	n_fast += fast;
	n_fast_one += fast && map.fast_one; /* through the CLAT's copy of the fast path */
	if (fast && out_slow.action != XLAT_FORWARD)
		dump("fast path took a packet the general path does not forward", family, p, len);
	same_as_slow("xlat_4to6/xlat_6to4", &ctx_fast, &out_fast, family, p, len);
	if (!versioned) {
		ctx_fwd.stats = ctx_slow.stats; /* (what the others counted for it) */
		ctx_fwd.ipv4_id = ctx_slow.ipv4_id;
		return;
	}
	same_as_slow("xlat_translate_fwd", &ctx_fwd, &out_fwd, family, p, len);
	/* its answer: the one packet, when the general path forwards one packet of the other family */
	bool one_other = out_slow.action == XLAT_FORWARD && out_slow.npkts == 1 && out_slow.pkt[0].family != family;
	if (fwd != (one_other ? &out_fwd.pkt[0] : NULL))
		dump("xlat_translate_fwd's answer is not the one packet forwarded to the other family", family, p, len);
	n_fwd += fwd != NULL;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 1000000;
	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 464;
	printf("test_fastpath: %lu rounds, seed %llu\n", rounds, (unsigned long long)rng);
	static uint8_t pkt[9100];
	unsigned long n_sweep = 0;
	for (unsigned long r = 0; r < rounds; r++) {
		if (r % 64 == 0)
			configure();
		int family = below(2) ? 4 : 6;
		size_t len = make_packet(family, pkt, sizeof(pkt));
		compare(family, pkt, len);
		/* Now and then, every value of the transport checksum of a packet the fast path takes. */
		if (r % 2000 == 0) {
			bool fast = family == 4 ? xlat_fast_4to6(&ctx_probe, pkt, len, &out_probe)
						: xlat_fast_6to4(&ctx_probe, pkt, len, &out_probe);
			size_t hl = family == 4 ? 20 : 40;
			uint8_t proto = family == 4 ? pkt[9] : pkt[6];
			unsigned coff = proto == 6 ? 16 : proto == 17 ? 6 : 2;
			if (fast && len >= hl + coff + 2) {
				for (unsigned v = 0; v <= 0xffff; v++) {
					put16(pkt + hl + coff, v);
					compare(family, pkt, len);
				}
				n_sweep++;
			}
		}
	}
	printf("test_fastpath: %lu packets compared, %lu of them on the fast path (%lu with the one-entry map; "
	       "%lu in %lu checksum sweeps), %lu answered by xlat_translate_fwd: no difference\n", n_total, n_fast,
	       n_fast_one, n_sweep * 65536, n_sweep, n_fwd);
	if (rounds >= 10000 && (n_fwd == 0 || n_fwd == n_total)) {
		fprintf(stderr, "test_fastpath: xlat_translate_fwd must answer some packets and not all (%lu of %lu)\n",
			n_fwd, n_total);
		return 1;
	}
	if (rounds >= 10000 && (n_fast_one == 0 || n_fast_one == n_fast)) {
		fprintf(stderr, "test_fastpath: both copies of the fast path must be met (%lu of %lu)\n", n_fast_one,
			n_fast);
		return 1;
	}
	return 0;
}
