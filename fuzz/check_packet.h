/* An independent checker of what the translator emits, for the fuzz targets.
 *
 * It shares no code with lib/xlat or lib/common: its own bounds-checked parsers and its own checksum,
 * so a bug in the translator's helpers cannot hide itself. It parses the input once (chk_parse), then
 * chk_output() re-parses every output packet and aborts with a message on the first violation:
 *   - the action, the reason and the drop counters agree; the iovecs add up to pkt.len and point only
 *     into `out` or into the input buffer (so the translator read nothing outside the input);
 *   - every packet is a well-formed IPv4/IPv6 packet of its family: IHL, total length, header checksum,
 *     payload length; none is larger than the MTU of the side it goes to;
 *   - the transport checksum of a forwarded packet verifies whenever the input's did (reassembling the
 *     fragments the translator made); a first fragment keeps the same checksum residue; IPv6 UDP never
 *     carries checksum zero;
 *   - the upper-layer bytes are carried unchanged (except the fields the translation rewrites), the
 *     fragment offsets, MF flags, identification and sizes are consistent with the input;
 *   - ICMP errors fit in 1280 bytes (IPv6) / 576 bytes (translator's own ICMPv4) and the MTU; their
 *     quoted packet has the family of the error; no ICMP error answers an ICMP error, a non-first IPv4
 *     fragment, or goes to a multicast/broadcast address.
 * Pure: libc only. Header-only so each fuzz target is one translation unit. */
#ifndef XLAT464_FUZZ_CHECK_PACKET_H
#define XLAT464_FUZZ_CHECK_PACKET_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlat/xlat.h"

enum {
	CHK_ICMP = 1,
	CHK_TCP = 6,
	CHK_UDP = 17,
	CHK_HOPOPTS = 0,
	CHK_ROUTING = 43,
	CHK_FRAGMENT = 44,
	CHK_ICMPV6 = 58,
	CHK_DSTOPTS = 60,
	CHK_MAX_EXT = 16,
	CHK_PKT_MAX = 65536 + 64, /* IPv6: 40 + 65535 */
};

/* A violation aborts, unless its message contains one of the '|'-separated substrings of the
 * environment variable CHK_IGNORE (to keep fuzzing past a known, reported bug): then chk_output()
 * returns early through chk_jmp, which the caller must have set with setjmp(). */
static jmp_buf chk_jmp;

__attribute__((format(printf, 1, 2), noreturn)) static void chk_fail(const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	const char *ign = getenv("CHK_IGNORE");
	while (ign && *ign) {
		const char *end = strchr(ign, '|');
		size_t n = end ? (size_t)(end - ign) : strlen(ign);
		if (n && memmem(msg, strlen(msg), ign, n))
			longjmp(chk_jmp, 1);
		ign = end ? end + 1 : NULL;
	}
	fprintf(stderr, "check_packet: VIOLATION: %s\n", msg);
	abort();
}

/* For the differential targets (a kernel program against lib/xlat): a disagreement aborts at once,
 * with the first 64 bytes of the input packet. */
__attribute__((noreturn)) static inline void chk_violation(const char *why, const uint8_t *in, size_t n)
{
	fprintf(stderr, "VIOLATION: %s (input packet %zu bytes:", why, n);
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, " %02x", in[i]);
	fprintf(stderr, ")\n");
	abort();
}

#define CHK(cond, ...)                      \
	do {                                \
		if (!(cond))                \
			chk_fail(__VA_ARGS__); \
	} while (0)

/* ---- byte access and the Internet checksum, written independently --------------------------- */

static inline unsigned chk_be16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }
static inline uint32_t chk_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static inline uint64_t chk_sum(const uint8_t *p, size_t n, uint64_t s)
{
	size_t i;
	for (i = 0; i + 1 < n; i += 2)
		s += chk_be16(p + i);
	if (i < n)
		s += (uint64_t)p[i] << 8;
	return s;
}

/* A sum folded to 16 bits, with 0 and 0xffff identified (both are ones' complement zero). */
static inline unsigned chk_fold(uint64_t s)
{
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0 ? 0xffff : (unsigned)s;
}

static inline bool chk_sum_ok(uint64_t s) { return chk_fold(s) == 0xffff; }

static inline uint64_t chk_pseudo(int family, const uint8_t *src, const uint8_t *dst, uint8_t proto, uint32_t len)
{
	size_t alen = family == 4 ? 4 : 16;
	uint64_t s = chk_sum(src, alen, 0);
	s = chk_sum(dst, alen, s);
	return s + proto + (len >> 16) + (len & 0xffff);
}

static inline bool chk_icmp_is_error(int family, uint8_t type)
{
	if (family == 4)
		return type == 3 || type == 11 || type == 12; /* the errors RFC 7915 translates */
	return type < 128;
}

/* Destinations an ICMP error must never go to (RFC 1812 section 4.3.2.7, RFC 4443 section 2.4 (e)). */
static inline bool chk_dst_no_error(int family, const uint8_t *a)
{
	if (family == 4)
		return a[0] == 0 || a[0] == 127 || a[0] >= 224;
	static const uint8_t zero[16];
	return a[0] == 0xff || memcmp(a, zero, 16) == 0;
}

static inline bool chk_is_ext6(uint8_t proto)
{
	return proto == CHK_HOPOPTS || proto == CHK_ROUTING || proto == CHK_FRAGMENT || proto == CHK_DSTOPTS;
}

/* ---- one parsed packet --------------------------------------------------------------------------- */

struct chk_info {
	bool ok;           /* lengths consistent, headers walkable */
	bool hdr_csum_ok;  /* IPv4 header checksum (true for IPv6) */
	int family;
	const uint8_t *hdr, *src, *dst;
	size_t len;        /* bytes of the packet proper (IPv4 total length, IPv6 40 + payload length) */
	uint8_t ttl, proto;
	bool df, mf, has_frag_hdr, frag; /* frag: a fragment proper (offset or MF) */
	unsigned frag_off;               /* bytes */
	uint32_t frag_id;
	unsigned segleft;                /* nonzero Segments Left seen */
	const uint8_t *l4;               /* upper-layer bytes of this packet */
	size_t l4_len;
	bool first;                      /* carries the upper-layer header (not a non-first fragment) */
	bool csum_ok;                    /* a whole packet whose TCP/UDP/ICMP checksum verifies */
	bool udp_zero;                   /* UDP header present with checksum zero */
	bool icmp_error;                 /* a (first part of an) ICMP error message */
};

static inline void chk_l4_csum(struct chk_info *v)
{
	v->csum_ok = false;
	v->udp_zero = false;
	v->icmp_error = false;
	if (!v->first)
		return;
	if (v->proto == CHK_UDP && v->l4_len >= 8 && chk_be16(v->l4 + 6) == 0)
		v->udp_zero = true;
	if ((v->proto == CHK_ICMP && v->family == 4) || (v->proto == CHK_ICMPV6 && v->family == 6))
		v->icmp_error = v->l4_len >= 1 && chk_icmp_is_error(v->family, v->l4[0]);
	if (v->frag)
		return;
	switch (v->proto) {
	case CHK_TCP:
		if (v->l4_len >= 20)
			v->csum_ok = chk_sum_ok(chk_sum(v->l4, v->l4_len,
				chk_pseudo(v->family, v->src, v->dst, CHK_TCP, (uint32_t)v->l4_len)));
		break;
	case CHK_UDP:
		/* Only a UDP length that agrees with the IP length makes the checksum well defined. */
		if (v->l4_len >= 8 && chk_be16(v->l4 + 4) == v->l4_len && !v->udp_zero)
			v->csum_ok = chk_sum_ok(chk_sum(v->l4, v->l4_len,
				chk_pseudo(v->family, v->src, v->dst, CHK_UDP, (uint32_t)v->l4_len)));
		break;
	case CHK_ICMP:
		if (v->family == 4 && v->l4_len >= 8)
			v->csum_ok = chk_sum_ok(chk_sum(v->l4, v->l4_len, 0));
		break;
	case CHK_ICMPV6:
		if (v->family == 6 && v->l4_len >= 8)
			v->csum_ok = chk_sum_ok(chk_sum(v->l4, v->l4_len,
				chk_pseudo(6, v->src, v->dst, CHK_ICMPV6, (uint32_t)v->l4_len)));
		break;
	default:
		break;
	}
}

static inline struct chk_info chk_parse4(const uint8_t *p, size_t len)
{
	struct chk_info v;
	memset(&v, 0, sizeof(v));
	v.family = 4;
	v.hdr = p;
	if (len < 20 || p[0] >> 4 != 4)
		return v;
	size_t ihl = (size_t)(p[0] & 0xf) * 4;
	size_t tot = chk_be16(p + 2);
	if (ihl < 20 || ihl > len || tot < ihl || tot > len)
		return v;
	v.ok = true;
	v.hdr_csum_ok = chk_sum_ok(chk_sum(p, ihl, 0));
	v.len = tot;
	v.ttl = p[8];
	v.proto = p[9];
	v.src = p + 12;
	v.dst = p + 16;
	unsigned fo = chk_be16(p + 6);
	v.df = fo & 0x4000;
	v.mf = fo & 0x2000;
	v.frag_off = (fo & 0x1fff) * 8;
	v.frag = v.mf || v.frag_off;
	v.has_frag_hdr = v.frag;
	v.frag_id = chk_be16(p + 4);
	v.l4 = p + ihl;
	v.l4_len = tot - ihl;
	v.first = v.frag_off == 0;
	chk_l4_csum(&v);
	return v;
}

static inline struct chk_info chk_parse6(const uint8_t *p, size_t len)
{
	struct chk_info v;
	memset(&v, 0, sizeof(v));
	v.family = 6;
	v.hdr = p;
	if (len < 40 || p[0] >> 4 != 6)
		return v;
	size_t tot = 40 + (size_t)chk_be16(p + 4);
	if (tot > len)
		return v;
	v.hdr_csum_ok = true;
	v.len = tot;
	v.ttl = p[7];
	v.src = p + 8;
	v.dst = p + 24;
	uint8_t nh = p[6];
	size_t off = 40;
	for (int n = 0;; n++) {
		if (n > CHK_MAX_EXT)
			return v;
		if (nh == CHK_HOPOPTS || nh == CHK_ROUTING || nh == CHK_DSTOPTS) {
			if (tot - off < 2)
				return v;
			size_t hl = ((size_t)p[off + 1] + 1) * 8;
			if (tot - off < hl)
				return v;
			if (nh == CHK_ROUTING && p[off + 3] != 0)
				v.segleft = p[off + 3];
			nh = p[off];
			off += hl;
		} else if (nh == CHK_FRAGMENT) {
			if (tot - off < 8 || v.has_frag_hdr)
				return v;
			v.has_frag_hdr = true;
			unsigned fo = chk_be16(p + off + 2);
			v.frag_off = fo & 0xfff8;
			v.mf = fo & 1;
			v.frag = v.mf || v.frag_off;
			v.frag_id = chk_be32(p + off + 4);
			nh = p[off];
			off += 8;
			if (v.frag_off)
				break; /* a later fragment: the rest is payload */
		} else {
			break;
		}
	}
	v.ok = true;
	v.proto = nh;
	v.l4 = p + off;
	v.l4_len = tot - off;
	v.first = v.frag_off == 0;
	chk_l4_csum(&v);
	return v;
}

static inline struct chk_info chk_parse(int family, const uint8_t *p, size_t len)
{
	return family == 4 ? chk_parse4(p, len) : chk_parse6(p, len);
}

/* ---- making fuzz inputs interesting: fix the checksums the translator validates ------------------ */

static inline void chk_put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Rewrites the IPv4 header checksum (and, with l4, the transport checksum of a whole packet) so that
 * the fuzzer reaches past the validation. p must be writable. */
static inline void chk_fix_checksums(int family, uint8_t *p, size_t len, bool hdr, bool l4)
{
	struct chk_info v = chk_parse(family, p, len);
	if (family == 4 && hdr && len >= 20 && p[0] >> 4 == 4) {
		size_t ihl = (size_t)(p[0] & 0xf) * 4;
		if (ihl >= 20 && ihl <= len) {
			chk_put16(p + 10, 0);
			chk_put16(p + 10, ~chk_fold(chk_sum(p, ihl, 0)) & 0xffff);
		}
	}
	if (!l4 || !v.ok || v.frag)
		return;
	uint8_t *l = p + (v.l4 - p);
	size_t n = v.l4_len, at;
	uint64_t s;
	switch (v.proto) {
	case CHK_TCP:
		if (n < 20)
			return;
		at = 16;
		s = chk_pseudo(family, v.src, v.dst, CHK_TCP, (uint32_t)n);
		break;
	case CHK_UDP:
		if (n < 8 || chk_be16(l + 6) == 0) /* keep the zero-checksum case */
			return;
		chk_put16(l + 4, (unsigned)n);
		at = 6;
		s = chk_pseudo(family, v.src, v.dst, CHK_UDP, (uint32_t)n);
		break;
	case CHK_ICMP:
	case CHK_ICMPV6:
		if (n < 4)
			return;
		at = 2;
		s = family == 6 ? chk_pseudo(6, v.src, v.dst, CHK_ICMPV6, (uint32_t)n) : 0;
		break;
	default:
		return;
	}
	chk_put16(l + at, 0);
	unsigned c = ~chk_fold(chk_sum(l, n, s)) & 0xffff;
	if (v.proto == CHK_UDP && c == 0)
		c = 0xffff;
	chk_put16(l + at, c);
}

/* ---- the checks on one translation ----------------------------------------------------------------- */

struct chk_setup {
	const struct xlat_config *cfg;
	bool may_hairpin; /* an EAM table is configured next to pool6 */
};

static inline bool chk_inside(const void *base, size_t len, const void *lo, size_t cap)
{
	uintptr_t b = (uintptr_t)base, l = (uintptr_t)lo;
	return b >= l && b - l <= cap && len <= cap - (b - l);
}

static inline unsigned chk_side_mtu(const struct xlat_config *cfg, int family)
{
	return family == 4 ? cfg->mtu4 : cfg->mtu6;
}

/* Upper-layer bytes that translation may rewrite: checksums, and the ICMP type and code. */
static inline bool chk_masked(uint8_t proto, size_t pos)
{
	switch (proto) {
	case CHK_TCP:
		return pos == 16 || pos == 17;
	case CHK_UDP:
		return pos == 6 || pos == 7;
	case CHK_ICMP:
	case CHK_ICMPV6:
		return pos < 4;
	default:
		return false;
	}
}

static uint8_t chk_buf[XLAT_MAX_PKTS][CHK_PKT_MAX];
static uint8_t chk_data[CHK_PKT_MAX];

static inline void chk_output(const struct chk_setup *su, int in_family, const uint8_t *in, size_t in_len,
			      const struct xlat_ctx *ctx, const struct xlat_stats *before,
			      const struct xlat_out *out)
{
	const struct xlat_config *cfg = su->cfg;
	struct chk_info iv = chk_parse(in_family, in, in_len);
	/* RFC 7915 sections 4.1/5.1 copy the protocol number, so an IPv4 protocol 0, 43, 44 or 60 makes an
	 * IPv6 packet whose payload reads as an extension header. Tolerated (and reported to the lead):
	 * only the structural checks run on such packets. */
	bool ext_proto = iv.ok && chk_is_ext6(iv.proto);

	/* The verdict and the counters. */
	CHK(out->action == XLAT_DROP || out->action == XLAT_FORWARD || out->action == XLAT_REPLY,
	    "unknown action %d", (int)out->action);
	CHK((unsigned)out->reason < XLAT_DROP__COUNT, "reason %d out of range", (int)out->reason);
	if (out->action == XLAT_DROP) {
		CHK(out->npkts == 0, "drop with %u packets", out->npkts);
		CHK(out->reason != XLAT_DROP_NONE, "drop with reason none");
	} else if (out->action == XLAT_REPLY) {
		CHK(out->npkts == 1, "reply with %u packets", out->npkts);
		CHK(out->reason != XLAT_DROP_NONE, "reply with reason none");
		CHK(ctx->stats.replies == before->replies + 1, "reply not counted in stats.replies");
	} else {
		CHK(out->npkts >= 1 && out->npkts <= XLAT_MAX_PKTS, "forward with %u packets", out->npkts);
		CHK(out->reason == XLAT_DROP_NONE, "forward with reason %s", xlat_drop_name(out->reason));
	}
	if (out->action != XLAT_FORWARD)
		CHK(ctx->stats.drops[out->reason] == before->drops[out->reason] + 1, "reason %s not counted",
		    xlat_drop_name(out->reason));
	if (out->action == XLAT_DROP)
		return;

	/* Every packet: iovecs, flattening, a well-formed IP header, the MTU of its side. */
	struct chk_info ov[XLAT_MAX_PKTS];
	for (unsigned i = 0; i < out->npkts; i++) {
		const struct xlat_pkt *p = &out->pkt[i];
		CHK(p->family == 4 || p->family == 6, "pkt %u: family %u", i, p->family);
		CHK(p->niov <= XLAT_PKT_IOV, "pkt %u: niov %u", i, p->niov);
		size_t sum = 0;
		for (unsigned k = 0; k < p->niov; k++) {
			const struct iovec *v = &p->iov[k];
			CHK(v->iov_len == 0 || v->iov_base != NULL, "pkt %u iov %u: NULL base", i, k);
			CHK(chk_inside(v->iov_base, v->iov_len, out, sizeof(*out)) ||
			    chk_inside(v->iov_base, v->iov_len, in, in_len),
			    "pkt %u iov %u: [%p, +%zu) is neither in out nor in the input", i, k, v->iov_base,
			    v->iov_len);
			sum += v->iov_len;
		}
		CHK(sum == p->len, "pkt %u: iovecs sum to %zu, pkt.len %zu", i, sum, p->len);
		CHK(p->len >= 1 && p->len <= CHK_PKT_MAX, "pkt %u: length %zu", i, p->len);
		size_t n = xlat_pkt_flatten(p, chk_buf[i], CHK_PKT_MAX);
		CHK(n == p->len, "pkt %u: flatten gave %zu of %zu", i, n, p->len);
		const uint8_t *b = chk_buf[i];
		CHK(b[0] >> 4 == p->family, "pkt %u: version %u but family %u", i, b[0] >> 4, p->family);
		struct chk_info o = chk_parse(p->family, b, n);
		if (p->family == 4) {
			CHK(n >= 20, "pkt %u: IPv4 of %zu bytes", i, n);
			size_t ihl = (size_t)(b[0] & 0xf) * 4;
			CHK(ihl >= 20 && ihl <= n, "pkt %u: IHL %zu for %zu bytes", i, ihl, n);
			CHK(chk_be16(b + 2) == n, "pkt %u: total length %u, flattened %zu", i, chk_be16(b + 2), n);
			CHK(chk_sum_ok(chk_sum(b, ihl, 0)), "pkt %u: IPv4 header checksum wrong", i);
		} else {
			CHK(n >= 40, "pkt %u: IPv6 of %zu bytes", i, n);
			CHK(chk_be16(b + 4) == n - 40, "pkt %u: payload length %u, flattened %zu", i, chk_be16(b + 4), n);
		}
		CHK(n <= chk_side_mtu(cfg, p->family), "pkt %u: %zu bytes exceed the IPv%u MTU %u", i, n,
		    p->family, chk_side_mtu(cfg, p->family));
		if (ext_proto && out->action == XLAT_FORWARD)
			continue;
		CHK(o.ok, "pkt %u: extension headers do not parse", i);
		if (o.proto == CHK_UDP && p->family == 6 && o.first && o.l4_len >= 8 && !(in_family == 6 && iv.udp_zero))
			CHK(chk_be16(o.l4 + 6) != 0, "pkt %u: IPv6 UDP with checksum zero", i);
		ov[i] = o;
	}

	if (out->action == XLAT_REPLY) {
		const struct chk_info *o = &ov[0];
		CHK(out->pkt[0].family == in_family, "reply of family %u to IPv%d", out->pkt[0].family, in_family);
		CHK(!o->frag, "reply is a fragment");
		CHK(o->proto == (in_family == 4 ? CHK_ICMP : CHK_ICMPV6) && o->l4_len >= 8, "reply is not ICMP");
		CHK(chk_icmp_is_error(in_family, o->l4[0]), "reply ICMP type %u is not an error", o->l4[0]);
		CHK(o->csum_ok, "reply ICMP checksum wrong");
		CHK(o->len <= (in_family == 4 ? 576u : 1280u), "reply of %zu bytes", o->len);
		if (iv.ok) {
			size_t alen = in_family == 4 ? 4 : 16;
			CHK(memcmp(o->dst, iv.src, alen) == 0, "reply not addressed to the input's source");
			CHK(!iv.icmp_error, "ICMP error (reason %s) sent in reply to an ICMP error",
			    xlat_drop_name(out->reason));
			CHK(!(in_family == 4 && iv.frag_off), "ICMP error (reason %s) sent in reply to a non-first fragment",
			    xlat_drop_name(out->reason));
		}
		CHK(!chk_dst_no_error(in_family, o->dst), "ICMP error sent to a multicast/unspecified address");
		/* RFC 1812 section 4.3.2.7, RFC 4443 section 2.4 (e.3): none for a packet sent to a multicast
		 * (or broadcast) address, but IPv6 Packet Too Big and Parameter Problem code 2. */
		if (iv.ok) {
			bool ok6 = in_family == 6 && (o->l4[0] == 2 || (o->l4[0] == 4 && o->l4[1] == 2));
			CHK(!chk_dst_no_error(in_family, iv.dst) || ok6,
			    "ICMP error (reason %s) sent about a packet to a multicast/broadcast address",
			    xlat_drop_name(out->reason));
		}
		if (o->l4_len > 8)
			CHK(o->l4[8] >> 4 == in_family, "reply quotes a packet of version %u", o->l4[8] >> 4);
		return;
	}

	/* Forwarded: the packets form one datagram (or fragment) of the other family, or of the same
	 * family when the translator hairpinned it. */
	int fam = out->pkt[0].family;
	bool hairpin = fam == in_family;
	CHK(!hairpin || (in_family == 6 && su->may_hairpin), "forwarded IPv%d as IPv%d", in_family, fam);
	CHK(iv.ok, "forwarded a packet whose lengths do not parse");
	CHK(in_family == 6 || iv.hdr_csum_ok, "forwarded IPv4 with a bad header checksum");
	uint8_t native_icmp = in_family == 4 ? CHK_ICMP : CHK_ICMPV6;
	CHK(!(iv.frag && iv.proto == native_icmp), "forwarded a fragmented ICMP message");
	if (ext_proto)
		return;
	if (in_family == 4 && iv.udp_zero)
		CHK(!iv.frag && cfg->amend_udp_zero_csum, "forwarded IPv4 UDP with checksum zero (%s)",
		    iv.frag ? "fragment" : "amend off");
	CHK(iv.frag_off + iv.l4_len <= 65535, "forwarded a fragment ending beyond 65535 bytes (offset %u + %zu)",
	    iv.frag_off, iv.l4_len);
	uint8_t want_proto = iv.proto;
	if (!hairpin && iv.proto == native_icmp)
		want_proto = in_family == 4 ? CHK_ICMPV6 : CHK_ICMP;
	/* A hairpinned IPv6 packet with Next Header 1 comes back as ICMPv6 (1 -> 1 -> 58): tolerated. */
	if (hairpin && iv.proto == CHK_ICMP)
		want_proto = ov[0].proto == CHK_ICMPV6 ? CHK_ICMPV6 : CHK_ICMP;
	size_t alen = fam == 4 ? 4 : 16;
	size_t total = 0;
	for (unsigned i = 0; i < out->npkts; i++) {
		const struct chk_info *o = &ov[i];
		CHK(out->pkt[i].family == fam, "pkt %u: family %u, pkt 0: %d", i, out->pkt[i].family, fam);
		CHK(o->proto == want_proto, "pkt %u: protocol %u, expected %u", i, o->proto, want_proto);
		CHK(memcmp(o->src, ov[0].src, alen) == 0 && memcmp(o->dst, ov[0].dst, alen) == 0,
		    "pkt %u: addresses differ from pkt 0", i);
		CHK(o->segleft == 0, "pkt %u: routing header with segments left", i);
		if (!hairpin) {
			unsigned want_ttl = cfg->decrement_ttl ? iv.ttl - 1u : iv.ttl;
			CHK(o->ttl == want_ttl, "pkt %u: TTL/hop limit %u, input %u, router %d", i, o->ttl, iv.ttl,
			    cfg->decrement_ttl);
		}
		if (out->npkts > 1) {
			CHK(o->frag, "pkt %u of %u is not a fragment", i, out->npkts);
			CHK(o->frag_id == ov[0].frag_id, "pkt %u: fragment id differs", i);
			CHK(o->frag_off == iv.frag_off + total, "pkt %u: offset %u, expected %zu", i, o->frag_off,
			    iv.frag_off + total);
			if (i + 1 < out->npkts)
				CHK(o->mf && o->l4_len % 8 == 0, "pkt %u: not last but MF %d, %zu bytes", i, o->mf,
				    o->l4_len);
		}
		CHK(total + o->l4_len <= sizeof(chk_data), "datagram too long");
		memcpy(chk_data + total, o->l4, o->l4_len);
		total += o->l4_len;
	}
	const struct chk_info *last = &ov[out->npkts - 1];
	CHK(ov[0].frag_off == iv.frag_off, "offset %u, input offset %u", ov[0].frag_off, iv.frag_off);
	CHK(last->mf == iv.mf, "last MF %d, input MF %d", last->mf, iv.mf);
	if (iv.frag && !hairpin && ov[0].frag) {
		uint32_t want = in_family == 4 ? iv.frag_id : (iv.frag_id & 0xffff);
		CHK(ov[0].frag_id == want, "fragment id %#x, input %#x", ov[0].frag_id, iv.frag_id);
	}
	bool out_frag = ov[0].frag || out->npkts > 1;
	if (!iv.frag && out_frag) {
		/* The translator may fragment a whole packet only when the sender allowed it: IPv4 without DF
		 * (RFC 7915 section 4), or its own IPv4 output without DF (section 5.1: DF clear up to 1260
		 * bytes, which an IPv4 router may then fragment). */
		bool may = hairpin || (in_family == 4 ? !iv.df : !ov[0].df);
		CHK(may, "whole packet in (DF %d), fragments out", iv.df);
	} else {
		CHK(out_frag == iv.frag, "fragment in, %s out", out_frag ? "fragment" : "whole packet");
	}
	if (in_family == 4 && !iv.df && !hairpin) {
		/* RFC 7915 section 4: without DF the IPv6 packets fit the lowest IPv6 MTU. */
		unsigned lim = cfg->lowest_ipv6_mtu < cfg->mtu6 ? cfg->lowest_ipv6_mtu : cfg->mtu6;
		for (unsigned i = 0; i < out->npkts; i++)
			CHK(ov[i].len <= lim, "pkt %u: %zu bytes from IPv4 without DF, lowest-ipv6-mtu %u", i,
			    ov[i].len, lim);
	}

	if (iv.icmp_error && !iv.frag) {
		/* A translated ICMP error: one packet, an error, checksum over the rebuilt message. */
		const struct chk_info *o = &ov[0];
		CHK(iv.csum_ok || iv.l4_len < 8, "forwarded an ICMP error whose checksum is wrong");
		CHK(out->npkts == 1, "ICMP error split into %u packets", out->npkts);
		CHK(o->l4_len >= 8 && chk_icmp_is_error(fam, o->l4[0]), "ICMP error translated to type %u",
		    o->l4_len ? o->l4[0] : 0);
		if (fam == 6)
			CHK(o->len <= 1280, "ICMPv6 error of %zu bytes", o->len);
		if (iv.csum_ok)
			CHK(o->csum_ok, "translated ICMP error: checksum wrong");
		if (o->l4_len > 8) {
			const uint8_t *q = o->l4 + 8;
			size_t qn = o->l4_len - 8;
			CHK(q[0] >> 4 == fam, "ICMP error quotes a packet of version %u", q[0] >> 4);
			if (fam == 4 && qn >= 20 && (size_t)(q[0] & 0xf) * 4 <= qn && (q[0] & 0xf) >= 5)
				CHK(chk_sum_ok(chk_sum(q, (size_t)(q[0] & 0xf) * 4, 0)),
				    "quoted IPv4 header checksum wrong");
		}
		return;
	}

	/* The upper-layer bytes travel unchanged, but for checksums (and ICMP type/code). */
	CHK(total == iv.l4_len, "%zu upper-layer bytes out, %zu in", total, iv.l4_len);
	for (size_t k = 0; k < total; k++) {
		size_t pos = iv.frag_off + k;
		if (iv.first && chk_masked(iv.proto, pos))
			continue;
		CHK(chk_data[k] == iv.l4[k], "upper-layer byte %zu changed: %#x -> %#x", pos, iv.l4[k], chk_data[k]);
	}
	if (!iv.first)
		return;
	if (iv.proto == native_icmp && total >= 2) {
		/* Echo request/reply map to each other; other informational types are not translated. */
		unsigned t = iv.l4[0], u = chk_data[0];
		bool echo = hairpin ? t == u
				    : (in_family == 4 ? (t == 8 && u == 128) || (t == 0 && u == 129)
						      : (t == 128 && u == 8) || (t == 129 && u == 0));
		CHK(echo, "ICMP type %u translated to %u", t, u);
		CHK(chk_data[1] == iv.l4[1], "ICMP echo code changed");
	}
	const struct chk_info *o = &ov[0];
	if (!iv.frag) {
		bool valid = iv.csum_ok || (in_family == 4 && iv.udp_zero && chk_be16(iv.l4 + 4) == iv.l4_len);
		if (valid && (o->proto == CHK_TCP || o->proto == CHK_UDP || o->proto == CHK_ICMPV6 ||
			      o->proto == CHK_ICMP)) {
			uint64_t s = o->proto == CHK_ICMP ? 0 : chk_pseudo(fam, o->src, o->dst, o->proto, (uint32_t)total);
			CHK(chk_sum_ok(chk_sum(chk_data, total, s)), "%s checksum wrong after translation (%u packets)",
			    o->proto == CHK_TCP ? "TCP" : o->proto == CHK_UDP ? "UDP" : "ICMP", out->npkts);
		}
	} else if ((iv.proto == CHK_TCP && total >= 18) || (iv.proto == CHK_UDP && total >= 8 && !iv.udp_zero)) {
		/* A first fragment: the bytes we cannot see are the same on both sides, and so is the
		 * upper-layer length, so the pseudo-header (without its length) plus the bytes we see must
		 * sum to the same value. */
		uint64_t si = chk_sum(iv.l4, total, chk_pseudo(in_family, iv.src, iv.dst, iv.proto, 0));
		uint64_t so = chk_sum(chk_data, total, chk_pseudo(fam, o->src, o->dst, o->proto, 0));
		CHK(chk_fold(si) == chk_fold(so), "first fragment: checksum not adjusted (%#x vs %#x)", chk_fold(si),
		    chk_fold(so));
	}
}

#endif
