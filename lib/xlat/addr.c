/* Address mapping: RFC 6052 IPv4-embedded IPv6 addresses, RFC 7757 explicit address mappings, and the
 * stateless (SIIT) policy built from them. */
#include <string.h>

#include "internal.h"

bool xlat_rfc6052_len_ok(unsigned len)
{
	return len == 32 || len == 40 || len == 48 || len == 56 || len == 64 || len == 96;
}

/* RFC 6052 section 2.2: the IPv4 address fills the bits after the prefix, skipping bits 64..71 (the
 * u-octet, which stays zero); the suffix is zero. Byte positions of the four IPv4 octets per length: */
static const uint8_t rfc6052_pos[7][4] = {
	{ 4, 5, 6, 7 },     /* /32 */
	{ 5, 6, 7, 9 },     /* /40 */
	{ 6, 7, 9, 10 },    /* /48 */
	{ 7, 9, 10, 11 },   /* /56 */
	{ 9, 10, 11, 12 },  /* /64 */
	{ 0, 0, 0, 0 },     /* unused */
	{ 12, 13, 14, 15 }, /* /96 */
};

static const uint8_t *rfc6052_positions(unsigned len)
{
	return rfc6052_pos[len == 96 ? 6 : (len - 32) / 8];
}

void xlat_rfc6052_embed(const struct xlat_prefix6 *prefix, const uint8_t v4[4], uint8_t out[16])
{
	if (prefix->len == 96) { /* the common case, and the only one without a u-octet to skip */
		memcpy(out, prefix->addr, 12);
		memcpy(out + 12, v4, 4);
		return;
	}
	const uint8_t *pos = rfc6052_positions(prefix->len);
	memset(out, 0, 16);
	memcpy(out, prefix->addr, prefix->len / 8);
	for (int i = 0; i < 4; i++)
		out[pos[i]] = v4[i];
}

void xlat_rfc6052_extract(const struct xlat_prefix6 *prefix, const uint8_t v6[16], uint8_t out[4])
{
	if (prefix->len == 96) {
		memcpy(out, v6 + 12, 4);
		return;
	}
	const uint8_t *pos = rfc6052_positions(prefix->len);
	for (int i = 0; i < 4; i++)
		out[i] = v6[pos[i]];
}

static bool bits_equal(const uint8_t *a, const uint8_t *b, unsigned nbits)
{
	unsigned bytes = nbits / 8, rest = nbits % 8;
	if (memcmp(a, b, bytes) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return ((a[bytes] ^ b[bytes]) & mask) == 0;
}

/* Two 64-bit masked compares: no call and no loop on the per-packet path. */
static inline uint64_t mask64(unsigned bits) { return bits >= 64 ? ~0ULL : bits ? ~0ULL << (64 - bits) : 0; }

bool xlat_prefix6_match(const struct xlat_prefix6 *p, const uint8_t a[16])
{
	unsigned len = p->len;
	uint64_t mhi = mask64(len), mlo = mask64(len > 64 ? len - 64 : 0);
	return ((be64_at(a) ^ be64_at(p->addr)) & mhi) == 0 && ((be64_at(a + 8) ^ be64_at(p->addr + 8)) & mlo) == 0;
}

bool xlat_prefix4_match(const struct xlat_prefix4 *p, const uint8_t a[4])
{
	uint32_t m = p->len >= 32 ? ~0u : p->len ? ~0u << (32 - p->len) : 0;
	return ((be32_at(a) ^ be32_at(p->addr)) & m) == 0;
}

/* ---- RFC 7757 explicit address mappings ----------------------------------------------------- */

static unsigned get_bit(const uint8_t *p, unsigned i) { return (p[i / 8] >> (7 - i % 8)) & 1; }

static void set_bit(uint8_t *p, unsigned i, unsigned v)
{
	uint8_t m = (uint8_t)(0x80 >> (i % 8));
	p[i / 8] = (uint8_t)(v ? p[i / 8] | m : p[i / 8] & ~m);
}

/* Copies n bits from src starting at bit s to dst starting at bit d. Whole bytes go at once when both
 * positions are byte-aligned, which covers the /32 <-> /128 and /24 <-> /120 entries seen in practice. */
static void copy_bits(uint8_t *dst, unsigned d, const uint8_t *src, unsigned s, unsigned n)
{
	while (n >= 8 && d % 8 == 0 && s % 8 == 0) {
		dst[d / 8] = src[s / 8];
		d += 8, s += 8, n -= 8;
	}
	for (; n; n--, d++, s++)
		set_bit(dst, d, get_bit(src, s));
}

/* Can an address under the prefix be special, by fastpath.c's conservative test (maybe_special6:
 * ::/64 and fe00::/7)? Any prefix shorter than 64 bits may hold one. */
static bool prefix6_maybe_special(const struct xlat_prefix6 *p)
{
	static const uint8_t zero8[8];
	return p->len < 64 || p->addr[0] >= 0xfe || memcmp(p->addr, zero8, 8) == 0;
}

/* The fast path's form of an entry (struct xlat_eam_fast). */
static void eam_derive_fast(struct xlat_eam *e)
{
	struct xlat_eam_fast *f = &e->fast;
	uint32_t mask = e->v4.len ? ~0u << (32 - e->v4.len) : 0;
	uint8_t m[4] = { (uint8_t)(mask >> 24), (uint8_t)(mask >> 16), (uint8_t)(mask >> 8), (uint8_t)mask };
	memcpy(&f->mask4, m, 4);
	memcpy(&f->addr4, e->v4.addr, 4);
	memcpy(&f->lo6, e->v6.addr + 12, 4);
	/* As fastpath.c's maybe_special4: IPv4 0/8, 127/8, 169/8, 224/3. A prefix shorter than 8 bits
	 * may hold special addresses. */
	uint8_t b4 = e->v4.addr[0];
	bool special4 = e->v4.len < 8 || b4 == 0 || b4 == 127 || b4 == 169 || b4 >= 224;
	f->ok = e->v6.len == e->v4.len + 96u && !special4 && !prefix6_maybe_special(&e->v6);
	/* sum(IPv6 address) - sum(IPv4 address) = sum(first 96 bits) + lo6 - addr4: the suffix bits
	 * are the same bits at a 16-bit-aligned place in both. */
	uint64_t w0, s;
	uint32_t w1;
	memcpy(&w0, e->v6.addr, 8);
	memcpy(&w1, e->v6.addr + 8, 4);
	s = csum_add64(csum_add64(csum_add64(w0, w1), f->lo6), ~(uint64_t)f->addr4);
	f->csum = csum_fold64(s) ? csum_fold64(s) : 0xffff;
}

bool xlat_v4_global(const uint8_t a[4])
{
	/* RFC 6890 (and its updates) special-purpose blocks that are not globally reachable */
	static const struct {
		uint8_t a[4];
		uint8_t len;
	} special[] = {
		{ { 0, 0, 0, 0 }, 8 },       { { 10, 0, 0, 0 }, 8 },     { { 100, 64, 0, 0 }, 10 },
		{ { 127, 0, 0, 0 }, 8 },     { { 169, 254, 0, 0 }, 16 }, { { 172, 16, 0, 0 }, 12 },
		{ { 192, 0, 0, 0 }, 24 },    { { 192, 0, 2, 0 }, 24 },   { { 192, 88, 99, 0 }, 24 },
		{ { 192, 168, 0, 0 }, 16 },  { { 198, 18, 0, 0 }, 15 },  { { 198, 51, 100, 0 }, 24 },
		{ { 203, 0, 113, 0 }, 24 },  { { 224, 0, 0, 0 }, 3 },
	};
	uint32_t v = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		uint32_t s = (uint32_t)special[i].a[0] << 24 | (uint32_t)special[i].a[1] << 16 |
			     (uint32_t)special[i].a[2] << 8 | special[i].a[3];
		uint32_t mask = ~(uint32_t)0 << (32 - special[i].len);
		if ((v & mask) == s)
			return false;
	}
	return true;
}

/* What the fast path leaves to the general path through pool6 (fastpath.c's class4): special IPv4
 * addresses always, non-global ones too under RFC 6052 section 3.1. */
static void map_derive_wkp(struct xlat_siit_map *m)
{
	static const uint8_t wkp[12] = { 0x00, 0x64, 0xff, 0x9b };
	m->pool6_wkp_strict = m->wkp_global_only && m->has_pool6 && m->pool6.len == 96 &&
			      memcmp(m->pool6.addr, wkp, 12) == 0;
	m->pool6_fast.decline4 = m->pool6_wkp_strict ? XLAT_CLASS4_SPECIAL | XLAT_CLASS4_NONGLOBAL : XLAT_CLASS4_SPECIAL;
}

void xlat_siit_map_set_wkp_global_only(struct xlat_siit_map *m, bool on)
{
	m->wkp_global_only = on;
	map_derive_wkp(m);
}

static void map_derive_fast_one(struct xlat_siit_map *m)
{
	m->fast_one = m->neam == 1 && m->eam[0].fast.ok && m->pool6_fast.ok;
}

void xlat_siit_map_set_pool6(struct xlat_siit_map *m, const struct xlat_prefix6 *p)
{
	memset(&m->pool6, 0, sizeof(m->pool6));
	memset(&m->pool6_fast, 0, sizeof(m->pool6_fast));
	m->has_pool6 = p != NULL;
	m->fast_one = false;
	map_derive_wkp(m);
	if (!p)
		return;
	m->pool6 = *p;
	uint64_t w0;
	uint32_t w1;
	memcpy(&w0, p->addr, 8);
	memcpy(&w1, p->addr + 8, 4);
	uint16_t f = csum_fold64(csum_add64(w0, w1));
	m->pool6_fast.csum = f ? f : 0xffff;
	m->pool6_fast.ok = p->len == 96 && !prefix6_maybe_special(p);
	map_derive_wkp(m);
	map_derive_fast_one(m);
}

int xlat_siit_map_add_eam(struct xlat_siit_map *m, const struct xlat_prefix4 *v4,
			  const struct xlat_prefix6 *v6, const char **why)
{
	if (v4->len > 32 || v6->len > 128) {
		*why = "prefix length out of range";
		return -1;
	}
	if (128u - v6->len < 32u - v4->len) {
		*why = "the IPv6 suffix is shorter than the IPv4 suffix (RFC 7757 section 3.2)";
		return -1;
	}
	if (m->neam >= XLAT_EAM_MAX) {
		*why = "too many EAM entries";
		return -1;
	}
	for (unsigned i = 0; i < m->neam; i++) {
		const struct xlat_eam *e = &m->eam[i];
		if ((e->v4.len == v4->len && bits_equal(e->v4.addr, v4->addr, v4->len)) ||
		    (e->v6.len == v6->len && bits_equal(e->v6.addr, v6->addr, v6->len))) {
			*why = "an EAM entry for this prefix exists already";
			return -1;
		}
	}
	/* Keep the table sorted longest IPv4 prefix first, so the first match is the longest. */
	unsigned at = 0;
	while (at < m->neam && m->eam[at].v4.len >= v4->len)
		at++;
	memmove(&m->eam[at + 1], &m->eam[at], (m->neam - at) * sizeof(m->eam[0]));
	struct xlat_eam *e = &m->eam[at];
	memset(e, 0, sizeof(*e));
	e->v4.len = v4->len;
	e->v6.len = v6->len;
	copy_bits(e->v4.addr, 0, v4->addr, 0, v4->len);
	copy_bits(e->v6.addr, 0, v6->addr, 0, v6->len);
	eam_derive_fast(e);
	m->neam++;
	map_derive_fast_one(m);
	return 0;
}

static const struct xlat_eam *eam_find4(const struct xlat_siit_map *m, const uint8_t v4[4])
{
	for (unsigned i = 0; i < m->neam; i++)
		if (xlat_prefix4_match(&m->eam[i].v4, v4))
			return &m->eam[i];
	return NULL;
}

static const struct xlat_eam *eam_find6(const struct xlat_siit_map *m, const uint8_t v6[16])
{
	const struct xlat_eam *best = NULL;
	for (unsigned i = 0; i < m->neam; i++)
		if (xlat_prefix6_match(&m->eam[i].v6, v6) && (!best || m->eam[i].v6.len > best->v6.len))
			best = &m->eam[i];
	return best;
}

static void eam_4to6(const struct xlat_eam *e, const uint8_t v4[4], uint8_t v6[16])
{
	memcpy(v6, e->v6.addr, 16);
	copy_bits(v6, e->v6.len, v4, e->v4.len, 32u - e->v4.len);
}

static void eam_6to4(const struct xlat_eam *e, const uint8_t v6[16], uint8_t v4[4])
{
	memcpy(v4, e->v4.addr, 4);
	copy_bits(v4, e->v4.len, v6, e->v6.len, 32u - e->v4.len);
}

static bool pool6_4to6(const struct xlat_siit_map *m, const uint8_t v4[4], uint8_t v6[16])
{
	if (!m->has_pool6)
		return false;
	xlat_rfc6052_embed(&m->pool6, v4, v6);
	return true;
}

bool xlat_siit_map_4to6(const struct xlat_siit_map *m, const uint8_t v4[4], uint8_t v6[16])
{
	const struct xlat_eam *e = eam_find4(m, v4);
	if (e) {
		eam_4to6(e, v4, v6);
		return true;
	}
	return pool6_4to6(m, v4, v6);
}

bool xlat_siit_map_6to4(const struct xlat_siit_map *m, const uint8_t v6[16], uint8_t v4[4])
{
	const struct xlat_eam *e = eam_find6(m, v6);
	if (e) {
		eam_6to4(e, v6, v4);
		return true;
	}
	if (m->has_pool6 && xlat_prefix6_match(&m->pool6, v6)) {
		xlat_rfc6052_extract(&m->pool6, v6, v4);
		return true;
	}
	return false;
}

bool xlat_siit_map_is_hairpin(const struct xlat_siit_map *m, const uint8_t dst6[16], const uint8_t dst4[4])
{
	return m->neam && !eam_find6(m, dst6) && eam_find4(m, dst4);
}

/* ---- the stateless policy ------------------------------------------------------------------ */

static void copy_ports(const struct xlat_tuple *in, struct xlat_tuple *out)
{
	out->sport = in->sport;
	out->dport = in->dport;
	out->proto = in->proto;
	out->has_ports = in->has_ports;
	out->hairpin = false;
}

enum xlat_drop xlat_siit_policy_4to6(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out,
				     enum xlat_role role, bool hairpin)
{
	const struct xlat_siit_map *m = ctx;
	copy_ports(in, out);
	/* RFC 7757 section 4.2: on a hairpin's way back, the address that was translated from IPv6 (the
	 * source, or the destination of a packet quoted in an error) goes through pool6, not the EAM. */
	bool src_pool6 = hairpin && role != XLAT_ROLE_ERROR_INNER;
	bool dst_pool6 = hairpin && role == XLAT_ROLE_ERROR_INNER;
	if (!(src_pool6 ? pool6_4to6(m, in->src, out->src) : xlat_siit_map_4to6(m, in->src, out->src)))
		return XLAT_DROP_SRC_UNMAPPED;
	/* RFC 6052 section 3.1, for an address that went through the well-known prefix. The source of
	 * an error's outer header is a router: it gets the RFC 6791 address instead. */
	if (m->pool6_wkp_strict && (src_pool6 || !eam_find4(m, in->src)) && !xlat_v4_global(in->src))
		return role == XLAT_ROLE_ERROR_OUTER ? XLAT_DROP_SRC_UNMAPPED : XLAT_DROP_WKP_NON_GLOBAL;
	if (!(dst_pool6 ? pool6_4to6(m, in->dst, out->dst) : xlat_siit_map_4to6(m, in->dst, out->dst)))
		return XLAT_DROP_DST_UNMAPPED;
	if (m->pool6_wkp_strict && (dst_pool6 || !eam_find4(m, in->dst)) && !xlat_v4_global(in->dst))
		return XLAT_DROP_WKP_NON_GLOBAL;
	return XLAT_DROP_NONE;
}

enum xlat_drop xlat_siit_policy_6to4(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out,
				     enum xlat_role role)
{
	const struct xlat_siit_map *m = ctx;
	copy_ports(in, out);
	if (!xlat_siit_map_6to4(m, in->src, out->src))
		return XLAT_DROP_SRC_UNMAPPED;
	if (m->pool6_wkp_strict && !eam_find6(m, in->src) && !xlat_v4_global(out->src))
		return role == XLAT_ROLE_ERROR_OUTER ? XLAT_DROP_SRC_UNMAPPED : XLAT_DROP_WKP_NON_GLOBAL;
	const struct xlat_eam *e = eam_find6(m, in->dst);
	if (e) {
		eam_6to4(e, in->dst, out->dst);
	} else if (m->has_pool6 && xlat_prefix6_match(&m->pool6, in->dst)) {
		xlat_rfc6052_extract(&m->pool6, in->dst, out->dst);
		if (m->pool6_wkp_strict && !xlat_v4_global(out->dst))
			return XLAT_DROP_WKP_NON_GLOBAL;
		out->hairpin = m->neam && eam_find4(m, out->dst);
	} else {
		return XLAT_DROP_DST_UNMAPPED;
	}
	return XLAT_DROP_NONE;
}

struct xlat_policy xlat_siit_policy(struct xlat_siit_map *m)
{
	struct xlat_policy p = { .map_4to6 = xlat_siit_policy_4to6, .map_6to4 = xlat_siit_policy_6to4, .ctx = m, .outer_from_inner = false };
	return p;
}
