/* Shared between the translator's files; not part of the public API. */
#ifndef XLAT464_XLAT_INTERNAL_H
#define XLAT464_XLAT_INTERNAL_H

#include <string.h>

#include "common/csum.h"
#include "common/cursor.h"
#include "common/ip_proto.h"
#include "xlat.h"

/* A validated IPv4 header and where its payload lies. For a packet quoted in an ICMP error the total
 * length is what the header claims, while avail counts the bytes actually present. */
struct ip4_view {
	const uint8_t *hdr;
	unsigned ihl;        /* header length in bytes */
	unsigned tot_len;    /* total length as claimed */
	uint8_t tos, ttl, proto;
	uint16_t id, frag_off; /* offset in 8-byte units */
	bool df, mf;
	const uint8_t *src, *dst;
	const uint8_t *l4;   /* payload */
	size_t l4_avail;     /* payload bytes present */
	unsigned l4_len;     /* payload bytes claimed */
};

static inline bool ip4_is_fragment(const struct ip4_view *v) { return v->mf || v->frag_off; }

/* A validated IPv6 header, its extension headers walked. */
struct ip6_view {
	const uint8_t *hdr;
	unsigned payload_len; /* as claimed */
	uint8_t tclass, hop_limit, proto; /* proto: the upper-layer protocol after the extension headers */
	uint32_t flow;
	const uint8_t *src, *dst;
	bool has_frag, mf;
	uint16_t frag_off;   /* 8-byte units */
	uint32_t frag_id;
	unsigned l4_off;     /* from hdr to the upper-layer header */
	const uint8_t *l4;
	size_t l4_avail;
	unsigned l4_len;     /* claimed upper-layer length: payload_len minus extension headers */
	unsigned segleft_ptr; /* offset of a nonzero Segments Left field, or 0 */
};

static inline bool ip6_is_fragment(const struct ip6_view *v) { return v->has_frag && (v->mf || v->frag_off); }

enum parse_mode { PARSE_OUTER, PARSE_INNER };

enum xlat_drop xlat_ip6_parse(const uint8_t *p, size_t len, enum parse_mode mode, struct ip6_view *v);

void xlat_frag6_write(uint8_t *f, uint8_t next, uint16_t off8, bool mf, uint32_t id);

/* Small and on every packet's path: inline. */
static inline enum xlat_drop ip4_parse(const uint8_t *p, size_t len, enum parse_mode mode, struct ip4_view *v)
{
	struct cursor c = cursor_make(p, len);
	const uint8_t *h = cursor_take(&c, IPV4_HDR_LEN);
	if (!h)
		return XLAT_DROP_TRUNCATED;
	if (h[0] >> 4 != 4)
		return XLAT_DROP_BAD_VERSION;
	v->hdr = h;
	v->ihl = (h[0] & 0xf) * 4u;
	if (v->ihl < IPV4_HDR_LEN || v->ihl > len)
		return XLAT_DROP_BAD_IHL;
	v->tot_len = be16_at(h + 2);
	if (v->tot_len < v->ihl)
		return XLAT_DROP_BAD_LENGTH;
	if (mode == PARSE_OUTER) {
		/* Bytes past the total length (link padding) are ignored; fewer bytes are an error. */
		if (v->tot_len > len)
			return XLAT_DROP_BAD_LENGTH;
		/* the usual 20-byte header gets the unrolled sum */
		if (csum_fold(v->ihl == IPV4_HDR_LEN ? csum_words(h, IPV4_HDR_LEN) : csum_words(h, v->ihl)) != 0)
			return XLAT_DROP_BAD_IPV4_CSUM;
	}
	v->tos = h[1];
	v->id = be16_at(h + 4);
	uint16_t fo = be16_at(h + 6);
	v->df = fo & IPV4_DF;
	v->mf = fo & IPV4_MF;
	v->frag_off = fo & IPV4_OFFSET_MASK;
	v->ttl = h[8];
	v->proto = h[9];
	v->src = h + 12;
	v->dst = h + 16;
	v->l4 = p + v->ihl;
	size_t end = v->tot_len < len ? v->tot_len : len;
	v->l4_avail = end - v->ihl;
	v->l4_len = v->tot_len - v->ihl;
	/* RFC 791: offset and length together stay within a 65535-byte datagram. */
	if (v->frag_off * 8u + v->l4_len + v->ihl > 0xffff)
		return XLAT_DROP_BAD_LENGTH;
	return XLAT_DROP_NONE;
}

static inline void ip6_write(uint8_t *h, uint8_t tclass, uint32_t flow, unsigned payload_len, uint8_t next,
	       uint8_t hop_limit, const uint8_t src[16], const uint8_t dst[16])
{
	put_be32(h, 6u << 28 | (uint32_t)tclass << 20 | (flow & 0xfffff));
	put_be16(h + 4, (uint16_t)payload_len);
	h[6] = next;
	h[7] = hop_limit;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
}

static inline void ip4_write(uint8_t *h, uint8_t tos, unsigned tot_len, uint16_t id, uint16_t flags_off, uint8_t ttl,
	       uint8_t proto, const uint8_t src[4], const uint8_t dst[4])
{
	h[0] = 0x45;
	h[1] = tos;
	put_be16(h + 2, (uint16_t)tot_len);
	put_be16(h + 4, id);
	put_be16(h + 6, flags_off);
	h[8] = ttl;
	h[9] = proto;
	h[10] = h[11] = 0;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	put_be16(h + 10, csum_fold(csum_words(h, IPV4_HDR_LEN)));
}

/* Transport identifiers a policy may see or change: ports, or an echo identifier. */
void xlat_l4_ports_read(uint8_t proto, const uint8_t *l4, size_t avail, bool first, struct xlat_tuple *t);

/* Output helpers */
static inline void out_drop(struct xlat_ctx *ctx, struct xlat_out *out, enum xlat_drop why)
{
	out->action = XLAT_DROP;
	out->reason = why;
	out->npkts = 0;
	ctx->stats.drops[why]++;
}

static inline struct xlat_pkt *out_pkt(struct xlat_out *out, unsigned i, uint8_t family)
{
	struct xlat_pkt *p = &out->pkt[i];
	p->niov = 0;
	p->len = 0;
	p->family = family;
	return p;
}

static inline void pkt_add(struct xlat_pkt *p, const void *base, size_t len)
{
	if (!len)
		return;
	p->iov[p->niov].iov_base = (void *)(uintptr_t)base;
	p->iov[p->niov].iov_len = len;
	p->niov++;
	p->len += len;
}

/* ICMP: errors the translator sends itself (RFC 7915 sections 4.4 and 5.4) and the translation of
 * ICMP messages (sections 4.2, 4.3, 5.2, 5.3). */
void xlat_icmp4_reply(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip4_view *in, uint8_t type,
		 uint8_t code, uint32_t rest, enum xlat_drop why);
void xlat_policy_refused4(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip4_view *in, enum xlat_drop why);
void xlat_policy_refused6(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip6_view *in, enum xlat_drop why);
void xlat_icmp6_reply(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip6_view *in, uint8_t type,
		 uint8_t code, uint32_t rest, enum xlat_drop why);
void xlat_icmp4_error_to6(struct xlat_ctx *ctx, const struct ip4_view *v, struct xlat_out *out, bool hairpin);
void xlat_icmp6_error_to4(struct xlat_ctx *ctx, const struct ip6_view *v, struct xlat_out *out);
bool xlat_icmp4_is_error(uint8_t type);
bool xlat_icmp6_is_error(uint8_t type);

/* The IPv6 traffic class of a translated IPv4 packet and the IPv4 TOS of a translated IPv6 one (RFC 7915
 * sections 4.1 and 5.1: copied, unless configured otherwise). Quoted packets in ICMP errors follow the
 * same rule as the outer header. */
static inline uint8_t tclass_of_tos(const struct xlat_config *c, uint8_t tos) { return c->zero_tclass ? 0 : tos; }
static inline uint8_t tos_of_tclass(const struct xlat_config *c, uint8_t tclass) { return c->set_tos ? c->tos : tclass; }

/* The sum of a tuple's ports (an ICMP echo's identifier twice), for RFC 1624 updates across a change of
 * them; 0 for a tuple without. */
static inline uint32_t tuple_ports_sum(const struct xlat_tuple *t)
{
	return t->has_ports ? (uint32_t)t->sport + t->dport : 0;
}

/* Translates a packet quoted in an ICMP error into buf (headers and payload, untruncated but bounded
 * by cap). Returns its length, or 0 with *why set. */
size_t xlat_inner_4to6(struct xlat_ctx *ctx, const uint8_t *p, size_t len, uint8_t *buf, size_t cap,
		  bool hairpin, enum xlat_drop *why);
/* hairpin (may be NULL): the policy said the quoted packet's IPv4 source leads back into the IPv6 side. */
size_t xlat_inner_6to4(struct xlat_ctx *ctx, const uint8_t *p, size_t len, uint8_t *buf, size_t cap,
		  enum xlat_drop *why, bool *hairpin);

/* The general path of each direction (every case of RFC 7915); xlat_4to6 and xlat_6to4 try the fast
 * path (fastpath.c) first. Tests call these directly to compare the two. */
void xlat_4to6_pass(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out, bool hairpin);
void xlat_6to4_slow(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out);
/* The fast path: translates the common packet and returns true, or touches nothing but out->hdr[0]
 * and returns false, leaving the packet to the general path. */
bool xlat_fast_4to6(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out);
bool xlat_fast_6to4(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out);

/* The stateless policy's functions (xlat_siit_policy), which the fast path recognises so that it can
 * map addresses itself instead of calling through the policy. */
enum xlat_drop xlat_siit_policy_4to6(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out,
				     enum xlat_role role, bool hairpin);
enum xlat_drop xlat_siit_policy_6to4(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out,
				     enum xlat_role role);
/* Sends the IPv4 packet out->pkt[0] back into the IPv6 side (RFC 7757 section 4.2). */
void xlat_hairpin(struct xlat_ctx *ctx, struct xlat_out *out);

/* The folded sum of a source and destination address pair (n = 4 or 16), for pseudo-header updates. */
static inline uint32_t sum_addrs(const uint8_t *src, const uint8_t *dst, size_t n)
{
	return csum_acc_fold(csum_acc(src, n, csum_acc(dst, n, 0)));
}

/* Copies a transport prefix of one of the few lengths in use, as fixed-size copies (no call). */
static inline __attribute__((always_inline)) void copy_l4_prefix(uint8_t *d, const uint8_t *s, unsigned n)
{
	if (n == TCP_CSUM_END)
		memcpy(d, s, TCP_CSUM_END);
	else if (n == UDP_HDR_LEN)
		memcpy(d, s, UDP_HDR_LEN);
	else
		memcpy(d, s, n);
}

#endif
