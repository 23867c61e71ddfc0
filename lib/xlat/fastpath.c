/* The entry points xlat_4to6 and xlat_6to4, and their fast path: the packets that make up nearly all
 * traffic, translated in one straight pass; everything else goes to the general path of
 * xlat_4to6.c and xlat_6to4.c, which handles every case of RFC 7915.
 *
 * The fast path takes a packet only when the general path would forward it as one packet with no
 * choice left to make, and then produces exactly the bytes, iovecs and counters the general path
 * would (tests/unit/test_fastpath.c compares the two on many packets and configurations):
 *   - 4to6: IPv4 header of 20 bytes (no options), version 4, total length within the bytes received,
 *     a correct header checksum, not a fragment (MF clear, offset zero; DF either way), TTL that
 *     survives the decrement, TCP, UDP with a checksum, or ICMP echo request/reply, and a translated
 *     packet that fits the IPv6 MTU (DF set) or the lowest IPv6 MTU (DF clear), so no fragmenting;
 *   - 6to4: no extension headers, TCP, UDP with a checksum, or ICMPv6 echo request/reply, hop limit
 *     that survives the decrement, no hairpinning (RFC 7757 section 4.2), a result that fits mtu4;
 *   - both: the policy is xlat_siit_policy (its address map read here directly, with no call through
 *     the policy), the transport has bytes beyond its copied prefix, the addresses are not special on
 *     either side (tested conservatively: a first byte of 0, 127, 169 or 224 and above in IPv4,
 *     ::/64 or a first byte 0xfe or 0xff in IPv6 sends it to the general path; for an EAM entry or
 *     pool6 the test is made on the prefix when the map is written, struct xlat_eam_fast), and each
 *     address maps through an EAM entry whose IPv6 prefix is 96 bits longer than its IPv4 prefix
 *     (/32-/128, /24-/120, ...) or through a /96 pool6 prefix.
 * Anything else (ICMP errors, fragments, options, extension headers, other policies, other prefix
 * lengths, packets to fragment, checksum zero, expired TTL, a traffic class or TOS not copied ...)
 * takes the general path unchanged.
 *
 * Why it is cheap: with the IPv4 address in the last 32 bits of the IPv6 address, sum(IPv6 address) -
 * sum(IPv4 address) depends only on the EAM entry or pool6 prefix it went through, and is computed
 * when the map is written; the transport checksum update (RFC 1624) is those two differences and the
 * old checksum; ports, protocol and length cancel. The tuples a policy would see are never built.
 * The CLAT's map (one EAM entry and pool6, fast_one) has a copy of the fast path with no table loop.
 * Every checksum is computed with the same formula the general path uses (csum_replace of the same
 * sums, up to terms that cancel), and the helpers fold any nonzero sum to its one representative,
 * so the results agree bit for bit, 0x0000 against 0xffff included. */
#include "internal.h"

#define FAST_INLINE static inline __attribute__((always_inline))

/* A 64-bit big-endian constant as the memory-order word that holds it (folded at compile time). */
#define MEM64(x) CURSOR_BE64((uint64_t)(x))

/* ---- words and bytes in memory order ----------------------------------------------------------- */

FAST_INLINE uint32_t word32(const uint8_t *p)
{
	uint32_t w;
	memcpy(&w, p, 4);
	return w;
}

/* The byte at the lowest address of a memory-order word. */
FAST_INLINE uint8_t byte0_32(uint32_t w)
{
	uint8_t b[4];
	memcpy(b, &w, 4);
	return b[0];
}

/* The 64-bit memory-order word of two 32-bit ones, first at the lower address. */
FAST_INLINE uint64_t words_pair(uint32_t first, uint32_t second)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return (uint64_t)second << 32 | first;
#else
	return (uint64_t)first << 32 | second;
#endif
}

/* The memory-order value of a 16-bit wire field (the checksums below are summed in memory order,
 * RFC 1071 section 2 (B), so that no word needs a byte swap). */
FAST_INLINE uint64_t raw16_at(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

FAST_INLINE uint64_t raw16(uint16_t host) { return CURSOR_BE16(host); }

/* The transport prefix into the new header; TCP's but its checksum, the prefix's last field, written
 * next (16 bytes copy in one move, 18 do not; UDP's 8 bytes do). */
FAST_INLINE void copy_l4_head(uint8_t *d, const uint8_t *l4, unsigned prefix, unsigned coff)
{
	if (prefix == TCP_CSUM_END && coff + 2 == prefix)
		memcpy(d, l4, coff);
	else
		copy_l4_prefix(d, l4, prefix);
}

/* ---- address mapping: the stateless policy, restricted to the cases above --------------------- */

/* The classes of each first byte of an IPv4 address: may be special (xlat_v4_special: 0/8, 127/8,
 * 169/8 for 169.254/16, 224/3), may be not global (xlat_v4_global's blocks). pool6_fast.decline4 says
 * which classes the general path must see. */
#define C4S XLAT_CLASS4_SPECIAL
#define C4N XLAT_CLASS4_NONGLOBAL
static const uint8_t class4[256] = { [0] = C4S | C4N, [10] = C4N, [100] = C4N, [127] = C4S | C4N,
				     [169] = C4S | C4N, [172] = C4N, [192] = C4N, [198] = C4N, [203] = C4N,
				     [224 ... 255] = C4S | C4N };
#undef C4S
#undef C4N

/* An IPv6 address may be special (xlat_v6_special) in ::/64 (for :: and ::1; also the IPv4-compatible
 * and -mapped forms) and fe00::/7 (for fe80::/10 and ff00::/8); not all of ::/8, as the well-known
 * prefix 64:ff9b::/96, the one most PLATs and CLATs use, starts with a zero byte. Every address the
 * fast path takes lies under an EAM entry or pool6 whose prefix rules that out (fast.ok,
 * pool6_fast.ok: addr.c's prefix6_maybe_special). */

/* Does the IPv4 address a (a memory-order word) lie in the entry's IPv4 prefix? */
FAST_INLINE bool eam_match4(const struct xlat_eam *e, uint32_t a) { return (a & e->fast.mask4) == e->fast.addr4; }

/* eam_4to6 for an entry the fast path takes (fast.ok: its IPv6 prefix 96 bits longer than its IPv4
 * prefix, neither special): the entry's IPv6 address with the IPv4 suffix bits in its last 32 bits,
 * and the entry's checksum difference added to *acc. False for any other entry. */
FAST_INLINE bool fast_eam_4to6(const struct xlat_eam *e, uint32_t a, uint8_t *v6, uint32_t *acc, bool one)
{
	if (!one && !e->fast.ok)
		return false;
	uint32_t lo = e->fast.lo6 | (a & ~e->fast.mask4);
	memcpy(v6, e->v6.addr, 12);
	memcpy(v6 + 12, &lo, 4);
	*acc += e->fast.csum;
	return true;
}

/* RFC 6052 at /96 (pool6_fast.ok: not special either); the checksum difference is the sum of the
 * prefix's 96 bits. */
FAST_INLINE bool fast_pool6_4to6(const struct xlat_siit_map *m, uint32_t a, uint8_t *v6, uint32_t *acc, bool one)
{
	if ((!one && !m->pool6_fast.ok) || (class4[byte0_32(a)] & m->pool6_fast.decline4))
		return false;
	memcpy(v6, m->pool6.addr, 12);
	memcpy(v6 + 12, &a, 4);
	*acc += m->pool6_fast.csum;
	return true;
}

/* The stateless policy for an ordinary packet (xlat_siit_policy_4to6 without hairpin): each address
 * through the first (longest) matching EAM entry, else pool6. One pass over the table for both.
 * *acc gets sum(IPv6 addresses) - sum(IPv4 addresses). */
FAST_INLINE bool fast_map_4to6(const struct xlat_siit_map *m, uint32_t src, uint32_t dst, uint8_t *h6, uint32_t *acc,
				bool one)
{
	const struct xlat_eam *se = NULL, *de = NULL;
	unsigned n = m->neam;
	if (one) { /* the CLAT's table: one entry, no loop */
		se = eam_match4(&m->eam[0], src) ? &m->eam[0] : NULL;
		de = eam_match4(&m->eam[0], dst) ? &m->eam[0] : NULL;
	} else {
		for (unsigned i = 0; i < n; i++) {
			const struct xlat_eam *e = &m->eam[i];
			if (!se && eam_match4(e, src))
				se = e;
			if (!de && eam_match4(e, dst))
				de = e;
		}
	}
	if (!(se ? fast_eam_4to6(se, src, h6 + 8, acc, one) : fast_pool6_4to6(m, src, h6 + 8, acc, one)))
		return false;
	return de ? fast_eam_4to6(de, dst, h6 + 24, acc, one) : fast_pool6_4to6(m, dst, h6 + 24, acc, one);
}

/* Does the IPv6 address a lie in the entry's IPv6 prefix? (xlat_prefix6_match.) w0, w1, w2 are the
 * address's memory-order words at bytes 0, 8 and 12. */
FAST_INLINE bool eam_match6(const struct xlat_eam *e, const uint8_t *a, uint64_t w0, uint32_t w1, uint32_t w2,
			    bool one)
{
	if (one || e->fast.ok) /* 96 bits, then the IPv4 prefix's length of the last word */
		return w0 == csum_word64(e->v6.addr) && w1 == word32(e->v6.addr + 8) &&
		       (w2 & e->fast.mask4) == e->fast.lo6;
	unsigned len = e->v6.len;
	if (len >= 64) {
		if (w0 != csum_word64(e->v6.addr))
			return false;
		return len == 64 || ((be64_at(a + 8) ^ be64_at(e->v6.addr + 8)) >> (128 - len)) == 0;
	}
	return len == 0 || ((be64_at(a) ^ be64_at(e->v6.addr)) >> (64 - len)) == 0;
}

/* The EAM entry with the longest IPv6 match (eam_find6), or NULL. */
FAST_INLINE const struct xlat_eam *fast_find6(const struct xlat_siit_map *m, const uint8_t *a, uint64_t w0,
					      uint32_t w1, uint32_t w2, bool one)
{
	unsigned n = m->neam;
	if (one) /* the CLAT's table */
		return eam_match6(&m->eam[0], a, w0, w1, w2, true) ? &m->eam[0] : NULL;
	const struct xlat_eam *best = NULL;
	for (unsigned i = 0; i < n; i++)
		if (eam_match6(&m->eam[i], a, w0, w1, w2, false) && (!best || m->eam[i].v6.len > best->v6.len))
			best = &m->eam[i];
	return best;
}

/* The stateless policy (xlat_siit_policy_6to4) for one address: the EAM entry with the longest IPv6
 * match, else pool6; *a gets the IPv4 address as a memory-order word, and *acc sum(IPv6 address) -
 * sum(IPv4 address). Neither address may be special: an entry the fast path takes has prefixes that
 * rule it out (fast.ok), an address through pool6 is tested here. A destination that went through
 * pool6 but lies in an EAM entry is hairpinned (RFC 7757 section 4.2), which the fast path leaves
 * alone. */
FAST_INLINE bool fast_addr_6to4(const struct xlat_siit_map *m, const uint8_t *a6, uint32_t *a, uint32_t *acc,
				bool is_dst, bool one)
{
	uint64_t w0 = csum_word64(a6);
	uint32_t w1 = word32(a6 + 8), w2 = word32(a6 + 12);
	const struct xlat_eam *e = fast_find6(m, a6, w0, w1, w2, one);
	if (e) {
		if (!one && !e->fast.ok)
			return false;
		*a = e->fast.addr4 | (w2 & ~e->fast.mask4);
		*acc += e->fast.csum;
		return true;
	}
	if ((!one && !m->pool6_fast.ok) || w0 != csum_word64(m->pool6.addr) || w1 != word32(m->pool6.addr + 8) ||
	    (class4[byte0_32(w2)] & m->pool6_fast.decline4))
		return false;
	*a = w2;
	*acc += m->pool6_fast.csum;
	if (is_dst) {
		unsigned n = m->neam;
		if (one)
			return !eam_match4(&m->eam[0], w2);
		for (unsigned i = 0; i < n; i++)
			if (eam_match4(&m->eam[i], w2))
				return false;
	}
	return true;
}

/* ---- checksums and output ---------------------------------------------------------------------- */

/* The 64-bit one's-complement sum of the two addresses of the IPv6 header at h6 (memory order). */
FAST_INLINE uint64_t sum_addrs6(const uint8_t *h6)
{
	uint64_t s = csum_add64x3(csum_word64(h6 + 8), csum_word64(h6 + 16), csum_word64(h6 + 24));
	return csum_add64(s, csum_word64(h6 + 32));
}

/* A transport checksum sum (of at most 0x2fffd) folded as the general path's csum_replace leaves
 * it: its sum always has a nonzero term, so it never folds to 0 (the one's-complement zero there is
 * 0xffff). */
FAST_INLINE uint16_t fold_nonzero(uint32_t s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return s ? (uint16_t)s : 0xffff;
}

/* The one output packet: new headers at h, the rest of the payload (never empty: the fast path
 * leaves a packet that ends with its transport prefix to the general path) where it lies. */
FAST_INLINE void fast_out(struct xlat_out *out, uint8_t *h, unsigned hlen, const uint8_t *rest, unsigned rest_len,
			  uint8_t family)
{
	struct xlat_pkt *p = &out->pkt[0];
	p->iov[0].iov_base = h;
	p->iov[0].iov_len = hlen;
	p->iov[1].iov_base = (void *)(uintptr_t)rest;
	p->iov[1].iov_len = rest_len;
	p->niov = 2;
	p->len = hlen + rest_len;
	p->family = family;
	out->npkts = 1;
	/* action and reason in one store of an immediate (gcc otherwise loads the pair from memory) */
	_Static_assert(offsetof(struct xlat_out, reason) == offsetof(struct xlat_out, action) + 4 &&
			       sizeof(out->action) == 4 && sizeof(out->reason) == 4,
		       "action and reason are two adjacent 32-bit words");
	uint64_t forward = words_pair(XLAT_FORWARD, XLAT_DROP_NONE);
	memcpy((char *)out + offsetof(struct xlat_out, action), &forward, 8); /* within the struct, not the field */
}

/* ---- IPv4 to IPv6 ------------------------------------------------------------------------------ */

/* The transport part of fast_4to6, specialised by the compiler for each protocol (proto, prefix and
 * coff are constants at each call). The addresses are already in h6; tl is the IPv4 total length. */
FAST_INLINE bool fast_4to6_l4(struct xlat_ctx *ctx, const uint8_t *pkt, struct xlat_out *out, uint8_t *h6,
			      unsigned tl, uint32_t delta, unsigned proto, unsigned prefix, unsigned coff)
{
	const struct xlat_config *cfg = ctx->cfg;
	unsigned l4_len = tl - IPV4_HDR_LEN;
	if (tl - (IPV4_HDR_LEN + prefix + 1) > 0xffffu) /* not beyond the transport prefix: wraps */
		return false;
	const uint8_t *l4 = pkt + IPV4_HDR_LEN;
	uint64_t old = raw16_at(l4 + coff);
	if (proto == PROTO_UDP && old == 0)
		return false; /* section 4.5: refused or amended, by the general path */
	uint8_t type6 = 0;
	if (proto == PROTO_ICMP) {
		if (l4[0] == ICMP4_ECHO_REQUEST)
			type6 = ICMP6_ECHO_REQUEST;
		else if (l4[0] == ICMP4_ECHO_REPLY)
			type6 = ICMP6_ECHO_REPLY;
		else
			return false;
	}
	/* Section 4.1: no fragmenting here, and no Fragmentation Needed. */
	unsigned limit = cfg->mtu6;
	if (!(pkt[6] & IPV4_DF >> 8) && cfg->lowest_ipv6_mtu < limit)
		limit = cfg->lowest_ipv6_mtu;
	if (IPV6_HDR_LEN + l4_len > limit)
		return false;

	/* Committed. The transport checksum, RFC 1624 as in xlat_4to6_pass: TCP and UDP trade the IPv4
	 * addresses of the pseudo-header for the IPv6 ones, a difference of delta; ICMPv6 adds a whole
	 * pseudo-header (its addresses sum to the IPv4 ones plus delta) and the type changes (the echo
	 * identifier is added and taken away, as there). */
	uint8_t *d = h6 + IPV6_HDR_LEN;
	copy_l4_head(d, l4, prefix, coff);
	unsigned next = proto;
	uint16_t csum;
	if (proto == PROTO_ICMP) {
		uint64_t id = raw16_at(l4 + 4);
		uint64_t acc = csum_add64(delta, csum_word64(pkt + 12));
		acc = csum_add64(acc, raw16((uint16_t)(type6 << 8 | l4[1])) + id + raw16((uint16_t)l4_len) +
					      raw16(PROTO_ICMPV6));
		acc = csum_add64(acc, ~(raw16_at(l4) + id));
		csum = (uint16_t)~csum_fold64(csum_add64(acc, (uint16_t)~old));
		d[0] = type6;
		next = PROTO_ICMPV6;
	} else {
		csum = (uint16_t)~fold_nonzero(delta + (uint16_t)~old);
	}
	if (proto == PROTO_UDP && csum == 0)
		csum = 0xffff; /* zero means "no checksum" to UDP */
	memcpy(d + coff, &csum, 2);
	put_be64(h6, 6ULL << 60 | (uint64_t)pkt[1] << 52 | (uint64_t)l4_len << 16 | next << 8 |
			     (uint8_t)(pkt[8] - cfg->decrement_ttl));
	fast_out(out, h6, IPV6_HDR_LEN + prefix, l4 + prefix, l4_len - prefix, 6);
	ctx->stats.pkts_4to6++;
	ctx->stats.bytes_4to6 += IPV6_HDR_LEN + l4_len;
	return true;
}

/* one: the caller has seen the stateless policy with the CLAT's map (fast_one: an EAM table of one
 * entry that the fast path takes, and a pool6 it takes). */
FAST_INLINE bool fast_4to6_inline(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out,
				  bool one)
{
	const struct xlat_config *cfg = ctx->cfg;
	/* Every packet of the fast path has at least 8 transport bytes; an ICMP message other than echo
	 * (an error, mostly) leaves at once. */
	if ((!one && cfg->policy.map_4to6 != xlat_siit_policy_4to6) || cfg->zero_tclass ||
	    len < IPV4_HDR_LEN + ICMP_HDR_LEN ||
	    (pkt[9] == PROTO_ICMP && (pkt[IPV4_HDR_LEN] & ~ICMP4_ECHO_REQUEST) != ICMP4_ECHO_REPLY))
		return false;
	/* The 20-byte header as two 64-bit words and one 32-bit word: version and IHL, no fragment (DF
	 * either way), total length within the bytes, TTL, checksum, addresses; the addresses mapped
	 * into the IPv6 header being built; then the transport. */
	uint64_t r0 = csum_word64(pkt), r1 = csum_word64(pkt + 8);
	uint32_t r2 = word32(pkt + 16);
	if ((r0 & MEM64(0xff0000000000ffffULL & ~(uint64_t)IPV4_DF)) != MEM64(0x4500000000000000ULL))
		return false;
	unsigned tl = be16_at(pkt + 2);
	if (tl > len || pkt[8] <= cfg->decrement_ttl)
		return false;
	/* The header checksum: the sum of a correct header is a nonzero multiple of 0xffff. */
	if (csum_add64x3(r0, r1, r2) % 0xffff != 0)
		return false;
	/* The addresses, tested for special ones as they are mapped (an EAM entry the fast path takes
	 * has a prefix with no special address, fast.ok; one through pool6 is tested). */
	uint32_t src = word32(pkt + 12), dst = r2;
	uint8_t *h6 = out->hdr[0];
	uint32_t delta = 0;
	if (!fast_map_4to6(cfg->policy.ctx, src, dst, h6, &delta, one))
		return false;
	unsigned proto = pkt[9];
	if (proto == PROTO_TCP)
		return fast_4to6_l4(ctx, pkt, out, h6, tl, delta, PROTO_TCP, TCP_CSUM_END, TCP_CSUM_OFF);
	if (proto == PROTO_UDP)
		return fast_4to6_l4(ctx, pkt, out, h6, tl, delta, PROTO_UDP, UDP_HDR_LEN, UDP_CSUM_OFF);
	if (proto == PROTO_ICMP)
		return fast_4to6_l4(ctx, pkt, out, h6, tl, delta, PROTO_ICMP, ICMP_HDR_LEN, ICMP_CSUM_OFF);
	return false;
}

bool xlat_fast_4to6(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out)
{
	return fast_4to6_inline(ctx, pkt, len, out, false);
}

/* Two copies of the fast path, each with the general path behind it: one for the CLAT's map of one
 * EAM entry, where nothing loops and few registers are live (in xlat_4to6 itself), and this one for
 * any other. */
static __attribute__((noinline)) void xlat_4to6_any(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len,
						    struct xlat_out *out)
{
	if (!fast_4to6_inline(ctx, pkt, len, out, false))
		xlat_4to6_pass(ctx, pkt, len, out, false);
}

/* Is the policy the stateless one, with the CLAT's map (fast_one)? */
FAST_INLINE bool siit_one_entry(const struct xlat_config *cfg, bool v4)
{
	if (v4 ? cfg->policy.map_4to6 != xlat_siit_policy_4to6 : cfg->policy.map_6to4 != xlat_siit_policy_6to4)
		return false;
	return ((const struct xlat_siit_map *)cfg->policy.ctx)->fast_one;
}

void xlat_4to6(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out)
{
	if (!siit_one_entry(ctx->cfg, true))
		xlat_4to6_any(ctx, pkt, len, out);
	else if (!fast_4to6_inline(ctx, pkt, len, out, true))
		xlat_4to6_pass(ctx, pkt, len, out, false);
}

/* ---- IPv6 to IPv4 ------------------------------------------------------------------------------ */

/* Section 5.1: DF clear up to 1260 bytes (as in xlat_6to4.c). */
enum { FAST_DF_THRESHOLD = IPV6_MIN_MTU - (IPV6_HDR_LEN - IPV4_HDR_LEN) };

/* The transport part of fast_6to4, specialised per protocol like fast_4to6_l4. */
FAST_INLINE bool fast_6to4_l4(struct xlat_ctx *ctx, const uint8_t *pkt, struct xlat_out *out, unsigned proto,
			      unsigned prefix, unsigned coff, bool one)
{
	const struct xlat_config *cfg = ctx->cfg;
	unsigned l4_len = be16_at(pkt + 4), out_len = IPV4_HDR_LEN + l4_len;
	if (l4_len <= prefix || out_len > cfg->mtu4)
		return false;
	const uint8_t *l4 = pkt + IPV6_HDR_LEN;
	uint64_t old = raw16_at(l4 + coff);
	if (proto == PROTO_UDP && old == 0)
		return false; /* kept as zero by the general path */
	uint8_t type4 = 0;
	if (proto == PROTO_ICMPV6) {
		if (l4[0] == ICMP6_ECHO_REQUEST)
			type4 = ICMP4_ECHO_REQUEST;
		else if (l4[0] == ICMP6_ECHO_REPLY)
			type4 = ICMP4_ECHO_REPLY;
		else
			return false;
		/* The general path sums the new type, code and identifier alone; when all three are zero,
		 * its checksum may come out as 0xffff where ours gives 0: leave that packet to it. */
		if ((type4 | l4[1] | l4[4] | l4[5]) == 0)
			return false;
	}
	const struct xlat_siit_map *m = cfg->policy.ctx;
	uint32_t src, dst, delta = 0;
	if (!fast_addr_6to4(m, pkt + 8, &src, &delta, false, one) || !fast_addr_6to4(m, pkt + 24, &dst, &delta, true, one))
		return false;

	/* Committed. The transport checksum: TCP and UDP lose delta (the IPv6 addresses of the
	 * pseudo-header become the IPv4 ones); ICMPv4 loses the whole ICMPv6 pseudo-header. */
	uint8_t *h = out->hdr[0], *d = h + IPV4_HDR_LEN;
	copy_l4_head(d, l4, prefix, coff);
	unsigned proto4 = proto;
	uint16_t csum;
	if (proto == PROTO_ICMPV6) {
		/* As in xlat_6to4_slow: the ICMPv6 pseudo-header leaves the checksum, the type changes. */
		uint64_t id = raw16_at(l4 + 4);
		uint64_t acc = sum_addrs6(pkt);
		acc = csum_add64(acc, raw16_at(l4) + id + raw16((uint16_t)l4_len) + raw16(PROTO_ICMPV6));
		acc = csum_add64(~acc, raw16((uint16_t)(type4 << 8 | l4[1])) + id);
		csum = (uint16_t)~csum_fold64(csum_add64(acc, (uint16_t)~old));
		d[0] = type4;
		proto4 = PROTO_ICMP;
	} else {
		csum = (uint16_t)~fold_nonzero(3 * 0xffff - delta - (uint32_t)old); /* ~old - delta, kept positive */
	}
	if (proto == PROTO_UDP && csum == 0)
		csum = 0xffff;
	memcpy(d + coff, &csum, 2);

	/* The IPv4 header of ip4_write, built as words; its checksum is the sum of those words. */
	unsigned tclass = (uint8_t)(be16_at(pkt) >> 4);
	/* Identification and flags: DF and ID 0 above 1260 bytes (atomic, as in xlat_6to4.c), else a
	 * fresh ID and no flag. */
	uint64_t idf = out_len > FAST_DF_THRESHOLD ? IPV4_DF : (uint64_t)(uint16_t)ctx->ipv4_id++ << 16;
	uint64_t w0 = MEM64((uint64_t)(0x4500u | tclass) << 48 | (uint64_t)out_len << 32 | idf);
	uint64_t w1 = raw16((uint16_t)((uint8_t)(pkt[7] - cfg->decrement_ttl) << 8 | proto4));
	uint64_t a4 = words_pair(src, dst); /* bytes 12..19 */
	uint16_t hsum = (uint16_t)~csum_fold64(csum_add64x3(w0, a4, w1));
	memcpy(h, &w0, 8);
	memcpy(h + 8, &w1, 2);
	memcpy(h + 10, &hsum, 2);
	memcpy(h + 12, &a4, 8);
	fast_out(out, h, IPV4_HDR_LEN + prefix, l4 + prefix, l4_len - prefix, 4);
	ctx->stats.pkts_6to4++;
	ctx->stats.bytes_6to4 += out_len;
	return true;
}

FAST_INLINE bool fast_6to4_inline(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out,
				  bool one)
{
	const struct xlat_config *cfg = ctx->cfg;
	if ((!one && cfg->policy.map_6to4 != xlat_siit_policy_6to4) || cfg->set_tos ||
	    len < IPV6_HDR_LEN + ICMP_HDR_LEN)
		return false;
	/* Version, payload length within the bytes, hop limit; no extension header (the next header is
	 * the transport); then the transport, where the addresses are mapped. */
	if ((pkt[0] & 0xf0) != 0x60 || IPV6_HDR_LEN + (size_t)be16_at(pkt + 4) > len || pkt[7] <= cfg->decrement_ttl)
		return false;
	unsigned next = pkt[6];
	if (next == PROTO_TCP)
		return fast_6to4_l4(ctx, pkt, out, PROTO_TCP, TCP_CSUM_END, TCP_CSUM_OFF, one);
	if (next == PROTO_UDP)
		return fast_6to4_l4(ctx, pkt, out, PROTO_UDP, UDP_HDR_LEN, UDP_CSUM_OFF, one);
	if (next == PROTO_ICMPV6 && (pkt[IPV6_HDR_LEN] & ~1) == ICMP6_ECHO_REQUEST)
		return fast_6to4_l4(ctx, pkt, out, PROTO_ICMPV6, ICMP_HDR_LEN, ICMP_CSUM_OFF, one);
	return false;
}

bool xlat_fast_6to4(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out)
{
	return fast_6to4_inline(ctx, pkt, len, out, false);
}

static __attribute__((noinline)) void xlat_6to4_any(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len,
						    struct xlat_out *out)
{
	if (!fast_6to4_inline(ctx, pkt, len, out, false))
		xlat_6to4_slow(ctx, pkt, len, out);
}

void xlat_6to4(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out)
{
	if (!siit_one_entry(ctx->cfg, false))
		xlat_6to4_any(ctx, pkt, len, out);
	else if (!fast_6to4_inline(ctx, pkt, len, out, true))
		xlat_6to4_slow(ctx, pkt, len, out);
}

/* ---- both ---------------------------------------------------------------------------------------- */

/* The slow outcomes of xlat_translate_fwd, out of line. */
static __attribute__((noinline)) const struct xlat_pkt *translate_fwd_slow(struct xlat_ctx *ctx, const uint8_t *pkt,
									   size_t len, struct xlat_out *out)
{
	xlat_translate(ctx, pkt, len, out);
	if (out->action == XLAT_FORWARD && out->npkts == 1 && out->pkt[0].family != pkt[0] >> 4)
		return &out->pkt[0];
	return NULL;
}

/* The CLAT's map's fast paths inlined once more here, so that the common packet costs one call, one
 * look at the version and no look at out afterwards. */
const struct xlat_pkt *xlat_translate_fwd(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out)
{
	if (__builtin_expect(len != 0, 1)) {
		unsigned version = pkt[0] >> 4;
		if (version == 6 && siit_one_entry(ctx->cfg, false) && fast_6to4_inline(ctx, pkt, len, out, true))
			return &out->pkt[0];
		if (version == 4 && siit_one_entry(ctx->cfg, true) && fast_4to6_inline(ctx, pkt, len, out, true))
			return &out->pkt[0];
	}
	return translate_fwd_slow(ctx, pkt, len, out);
}
