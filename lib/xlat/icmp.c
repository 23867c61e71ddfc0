/* ICMP in the translator: the type and code tables of RFC 7915 sections 4.2 and 5.2, the translation
 * of ICMP errors with the packet they quote (sections 4.3 and 5.3, with RFC 4884 extensions), and the
 * errors the translator sends itself (sections 4.4 and 5.4). */
#include "internal.h"

bool xlat_icmp4_is_error(uint8_t type)
{
	return type == ICMP4_DEST_UNREACH || type == ICMP4_TIME_EXCEEDED || type == ICMP4_PARAM_PROBLEM ||
	       type == 4 /* source quench */ || type == 5 /* redirect */;
}

bool xlat_icmp6_is_error(uint8_t type) { return type < 128; }

/* ---- errors the translator sends itself ------------------------------------------------------ */

/* Builds an ICMPv4 error from src4 to the quoted packet's source into out->err, quoting quote_len
 * bytes of it (at most what keeps the error within 576 bytes). */
static void icmp4_build(struct xlat_ctx *ctx, struct xlat_out *out, const uint8_t *quote_hdr, size_t quote_len,
			const uint8_t src4[4], const uint8_t dst4[4], uint8_t type, uint8_t code, uint32_t rest)
{
	size_t quote = quote_len;
	if (quote > ICMP4_ERROR_MAX - IPV4_HDR_LEN - ICMP_HDR_LEN)
		quote = ICMP4_ERROR_MAX - IPV4_HDR_LEN - ICMP_HDR_LEN;
	size_t tot = IPV4_HDR_LEN + ICMP_HDR_LEN + quote;
	uint8_t *h = out->err, *icmp = h + IPV4_HDR_LEN;
	ip4_write(h, 0, (unsigned)tot, (uint16_t)ctx->ipv4_id++, 0, IPV4_DEFAULT_TTL, PROTO_ICMP, src4, dst4);
	icmp[0] = type;
	icmp[1] = code;
	put_be16(icmp + 2, 0);
	put_be32(icmp + 4, rest);
	memcpy(icmp + ICMP_HDR_LEN, quote_hdr, quote);
	put_be16(icmp + 2, csum_fold(csum_partial(icmp, ICMP_HDR_LEN + quote, 0)));
	struct xlat_pkt *p = out_pkt(out, 0, 4);
	pkt_add(p, h, tot);
	out->npkts = 1;
	out->action = XLAT_REPLY;
	ctx->stats.replies++;
}

/* Never answer what must not be answered (RFC 1812 section 4.3.2.7, RFC 4443 section 2.4 (e)): an
 * ICMP error, a later fragment, a packet to a multicast, broadcast or unspecified address, or from
 * an address that is not a single host. */
static bool icmp4_answerable(const struct ip4_view *in)
{
	bool is_error = in->proto == PROTO_ICMP && in->frag_off == 0 && in->l4_avail >= 1 && xlat_icmp4_is_error(in->l4[0]);
	return !in->frag_off && !is_error && !xlat_v4_special(in->src) && !xlat_v4_special(in->dst);
}

void xlat_icmp4_reply(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip4_view *in, uint8_t type,
		 uint8_t code, uint32_t rest, enum xlat_drop why)
{
	const struct xlat_config *cfg = ctx->cfg;
	if (!cfg->has_self4 || !icmp4_answerable(in))
		return out_drop(ctx, out, why);
	icmp4_build(ctx, out, in->hdr, in->tot_len, cfg->self4, in->src, type, code, rest);
	out->reason = why;
	ctx->stats.drops[why]++;
}

bool xlat_icmp4_error(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, const uint8_t src4[4], uint8_t type,
		      uint8_t code, struct xlat_out *out)
{
	struct ip4_view v;
	out->action = XLAT_DROP;
	out->reason = XLAT_DROP_NONE;
	out->npkts = 0;
	if (ip4_parse(pkt, len, PARSE_INNER, &v) != XLAT_DROP_NONE || !icmp4_answerable(&v) || xlat_v4_special(src4))
		return false;
	size_t have = v.tot_len < len ? v.tot_len : len; /* a kept copy may be cut short */
	icmp4_build(ctx, out, pkt, have, src4, v.src, type, code, 0);
	out->reason = XLAT_DROP_NONE;
	return true;
}

/* What a policy's refusal is answered with. A stateful NAT64 answers some refusals (RFC 6146
 * section 3.5: address unreachable when no binding can be made; administratively prohibited for
 * filtering and for the operator's limits); an address RFC 6052 section 3.1 keeps from the
 * well-known prefix gets administratively prohibited as RFC 7915 sections 4.4 and 5.4 say for a
 * discarded packet; every other reason is a silent, counted drop. */
void xlat_policy_refused4(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip4_view *in, enum xlat_drop why)
{
	switch (why) {
	case XLAT_DROP_NAT64_FILTERED:
	case XLAT_DROP_NAT64_LIMIT:
	case XLAT_DROP_NAT64_LIMIT_SUB_SESSIONS:
	case XLAT_DROP_NAT64_LIMIT_SUB_PORTS:
	case XLAT_DROP_WKP_NON_GLOBAL:
		return xlat_icmp4_reply(ctx, out, in, ICMP4_DEST_UNREACH, ICMP4_ADMIN_PROHIBITED, 0, why);
	default:
		return out_drop(ctx, out, why);
	}
}

void xlat_policy_refused6(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip6_view *in, enum xlat_drop why)
{
	switch (why) {
	case XLAT_DROP_NAT64_POOL_EXHAUSTED:
		return xlat_icmp6_reply(ctx, out, in, ICMP6_DEST_UNREACH, ICMP6_ADDR_UNREACH, 0, why);
	case XLAT_DROP_NAT64_FILTERED:
	case XLAT_DROP_NAT64_LIMIT:
	case XLAT_DROP_NAT64_LIMIT_SUB_SESSIONS:
	case XLAT_DROP_NAT64_LIMIT_SUB_PORTS:
	case XLAT_DROP_WKP_NON_GLOBAL:
		return xlat_icmp6_reply(ctx, out, in, ICMP6_DEST_UNREACH, ICMP6_ADMIN_PROHIBITED, 0, why);
	default:
		return out_drop(ctx, out, why);
	}
}

void xlat_icmp6_reply(struct xlat_ctx *ctx, struct xlat_out *out, const struct ip6_view *in, uint8_t type,
		 uint8_t code, uint32_t rest, enum xlat_drop why)
{
	const struct xlat_config *cfg = ctx->cfg;
	bool is_error = in->proto == PROTO_ICMPV6 && in->frag_off == 0 && in->l4_avail >= 1 && xlat_icmp6_is_error(in->l4[0]);
	if (!cfg->has_self6 || (in->has_frag && in->frag_off) || is_error || xlat_v6_special(in->src) ||
	    xlat_v6_special(in->dst))
		return out_drop(ctx, out, why);
	size_t quote = IPV6_HDR_LEN + (size_t)in->payload_len;
	if (quote > ICMP6_ERROR_MAX - IPV6_HDR_LEN - ICMP_HDR_LEN)
		quote = ICMP6_ERROR_MAX - IPV6_HDR_LEN - ICMP_HDR_LEN;
	size_t plen = ICMP_HDR_LEN + quote;
	uint8_t *h = out->err, *icmp = h + IPV6_HDR_LEN;
	ip6_write(h, 0, 0, (unsigned)plen, PROTO_ICMPV6, IPV4_DEFAULT_TTL, cfg->self6, in->src);
	icmp[0] = type;
	icmp[1] = code;
	put_be16(icmp + 2, 0);
	put_be32(icmp + 4, rest);
	memcpy(icmp + ICMP_HDR_LEN, in->hdr, quote);
	uint32_t s = csum_pseudo6(cfg->self6, in->src, PROTO_ICMPV6, (uint32_t)plen);
	put_be16(icmp + 2, csum_fold(csum_partial(icmp, plen, s)));
	struct xlat_pkt *p = out_pkt(out, 0, 6);
	pkt_add(p, h, IPV6_HDR_LEN + plen);
	out->npkts = 1;
	out->action = XLAT_REPLY;
	out->reason = why;
	ctx->stats.drops[why]++;
	ctx->stats.replies++;
}

/* ---- type and code tables -------------------------------------------------------------------- */

struct icmp_map {
	uint8_t type, code;
	uint32_t rest;  /* MTU or pointer; the length attribute is added later */
	bool has_length; /* the output type carries an RFC 4884 length attribute */
};

/* RFC 1191 section 7: the plateau table, for routers that report an MTU of zero. */
static const uint16_t mtu_plateaus[] = { 65535, 32000, 17914, 8166, 4352, 2002, 1492, 1006, 508, 296, 68 };

static unsigned plateau_below(unsigned tot_len)
{
	for (unsigned i = 0; i < sizeof(mtu_plateaus) / sizeof(mtu_plateaus[0]); i++)
		if (mtu_plateaus[i] < tot_len)
			return mtu_plateaus[i];
	return 68;
}

/* Section 4.2, Figure 3: the IPv4 header field a Parameter Problem points at, moved to IPv6. */
static int param_pointer_4to6(unsigned p)
{
	if (p <= 1) return (int)p;       /* version/IHL, type of service */
	if (p <= 3) return 4;            /* total length -> payload length */
	if (p == 8) return 7;            /* TTL -> hop limit */
	if (p == 9) return 6;            /* protocol -> next header */
	if (p >= 12 && p <= 15) return 8;  /* source address */
	if (p >= 16 && p <= 19) return 24; /* destination address */
	return -1;                       /* identification, flags, checksum: no counterpart */
}

/* Section 5.2, Figure 6 */
static int param_pointer_6to4(uint32_t p)
{
	if (p <= 1) return (int)p;
	if (p == 4 || p == 5) return 2;
	if (p == 6) return 9;
	if (p == 7) return 8;
	if (p >= 8 && p <= 23) return 12;
	if (p >= 24 && p <= 39) return 16;
	return -1;                       /* flow label: no counterpart */
}

static enum xlat_drop map_icmp4_error(const struct xlat_config *cfg, const uint8_t *icmp, const uint8_t *inner,
				      size_t inner_avail, struct icmp_map *m)
{
	uint8_t code = icmp[1];
	m->rest = 0;
	m->has_length = false;
	switch (icmp[0]) {
	case ICMP4_DEST_UNREACH:
		m->type = ICMP6_DEST_UNREACH;
		m->has_length = true;
		switch (code) {
		case ICMP4_NET_UNREACH: case ICMP4_HOST_UNREACH: case ICMP4_SOURCE_ROUTE_FAILED:
		case ICMP4_NET_UNKNOWN: case ICMP4_HOST_UNKNOWN: case ICMP4_HOST_ISOLATED:
		case ICMP4_NET_TOS_UNREACH: case ICMP4_HOST_TOS_UNREACH:
			m->code = ICMP6_NO_ROUTE;
			return XLAT_DROP_NONE;
		case ICMP4_NET_PROHIBITED: case ICMP4_HOST_PROHIBITED: case ICMP4_ADMIN_PROHIBITED:
		case ICMP4_PRECEDENCE_CUTOFF:
			m->code = ICMP6_ADMIN_PROHIBITED;
			return XLAT_DROP_NONE;
		case ICMP4_PORT_UNREACH:
			m->code = ICMP6_PORT_UNREACH;
			return XLAT_DROP_NONE;
		case ICMP4_PROTO_UNREACH:
			/* Parameter Problem, unrecognized Next Header, pointing at the Next Header field */
			m->type = ICMP6_PARAM_PROBLEM;
			m->code = ICMP6_PARAM_NEXT_HEADER;
			m->rest = 6;
			m->has_length = false;
			return XLAT_DROP_NONE;
		case ICMP4_FRAG_NEEDED: {
			m->type = ICMP6_PACKET_TOO_BIG;
			m->code = 0;
			m->has_length = false;
			unsigned adv = be16_at(icmp + 6);
			if (adv == 0) {
				unsigned tot = inner_avail >= 4 ? be16_at(inner + 2) : 0;
				adv = plateau_below(tot);
			}
			/* minimum(advertised MTU + 20, MTU of the IPv6 next hop, MTU of the IPv4 next hop + 20),
			 * and never below 1280 (section 5, first bullet) */
			unsigned mtu = adv + 20;
			if (mtu > cfg->mtu6) mtu = cfg->mtu6;
			if (mtu > cfg->mtu4 + 20u) mtu = cfg->mtu4 + 20u;
			if (mtu < IPV6_MIN_MTU) mtu = IPV6_MIN_MTU;
			m->rest = mtu;
			return XLAT_DROP_NONE;
		}
		default: /* 14 precedence violation and unknown codes: silently dropped */
			return XLAT_DROP_ICMP_TYPE;
		}
	case ICMP4_TIME_EXCEEDED:
		m->type = ICMP6_TIME_EXCEEDED;
		m->code = code;
		m->has_length = true;
		return code <= 1 ? XLAT_DROP_NONE : XLAT_DROP_ICMP_TYPE;
	case ICMP4_PARAM_PROBLEM: {
		if (code != ICMP4_PARAM_POINTER && code != ICMP4_PARAM_BAD_LENGTH)
			return XLAT_DROP_ICMP_TYPE;
		int p = param_pointer_4to6(icmp[4]);
		if (p < 0)
			return XLAT_DROP_ICMP_PARAM_POINTER;
		m->type = ICMP6_PARAM_PROBLEM;
		m->code = ICMP6_PARAM_HEADER;
		m->rest = (uint32_t)p;
		return XLAT_DROP_NONE;
	}
	default: /* source quench, redirect and the rest: single-hop or obsolete */
		return XLAT_DROP_ICMP_TYPE;
	}
}

static enum xlat_drop map_icmp6_error(const struct xlat_config *cfg, const uint8_t *icmp, struct icmp_map *m)
{
	uint8_t code = icmp[1];
	m->rest = 0;
	m->has_length = false;
	switch (icmp[0]) {
	case ICMP6_DEST_UNREACH:
		m->type = ICMP4_DEST_UNREACH;
		m->has_length = true;
		switch (code) {
		case ICMP6_NO_ROUTE: case ICMP6_BEYOND_SCOPE: case ICMP6_ADDR_UNREACH:
			m->code = ICMP4_HOST_UNREACH;
			return XLAT_DROP_NONE;
		case ICMP6_ADMIN_PROHIBITED:
			m->code = ICMP4_HOST_PROHIBITED;
			return XLAT_DROP_NONE;
		case ICMP6_PORT_UNREACH:
			m->code = ICMP4_PORT_UNREACH;
			return XLAT_DROP_NONE;
		default:
			return XLAT_DROP_ICMP_TYPE;
		}
	case ICMP6_PACKET_TOO_BIG: {
		m->type = ICMP4_DEST_UNREACH;
		m->code = ICMP4_FRAG_NEEDED;
		m->has_length = true;
		/* minimum(advertised MTU - 20, MTU of the IPv4 next hop, MTU of the IPv6 next hop - 20) */
		uint32_t adv = be32_at(icmp + 4);
		uint32_t mtu = adv > 0xffff + 20u ? 0xffff : adv < 68 + 20u ? 68 : adv - 20;
		if (mtu > cfg->mtu4) mtu = cfg->mtu4;
		if (mtu > cfg->mtu6 - 20u) mtu = cfg->mtu6 - 20u;
		m->rest = mtu;
		return XLAT_DROP_NONE;
	}
	case ICMP6_TIME_EXCEEDED:
		m->type = ICMP4_TIME_EXCEEDED;
		m->code = code;
		m->has_length = true;
		return code <= 1 ? XLAT_DROP_NONE : XLAT_DROP_ICMP_TYPE;
	case ICMP6_PARAM_PROBLEM:
		if (code == ICMP6_PARAM_HEADER) {
			int p = param_pointer_6to4(be32_at(icmp + 4));
			if (p < 0)
				return XLAT_DROP_ICMP_PARAM_POINTER;
			m->type = ICMP4_PARAM_PROBLEM;
			m->code = ICMP4_PARAM_POINTER;
			m->rest = (uint32_t)p << 24;
			m->has_length = true;
			return XLAT_DROP_NONE;
		}
		if (code == ICMP6_PARAM_NEXT_HEADER) {
			m->type = ICMP4_DEST_UNREACH;
			m->code = ICMP4_PROTO_UNREACH;
			m->has_length = true;
			return XLAT_DROP_NONE;
		}
		return XLAT_DROP_ICMP_TYPE;
	default:
		return XLAT_DROP_ICMP_TYPE;
	}
}

/* ---- the packet quoted inside an error ------------------------------------------------------- */

static size_t take(size_t avail, size_t cap) { return avail < cap ? avail : cap; }

size_t xlat_inner_4to6(struct xlat_ctx *ctx, const uint8_t *p, size_t len, uint8_t *buf, size_t cap,
		  bool hairpin, enum xlat_drop *why)
{
	const struct xlat_config *cfg = ctx->cfg;
	struct ip4_view v;
	*why = ip4_parse(p, len, PARSE_INNER, &v);
	if (*why) {
		*why = XLAT_DROP_ICMP_INNER;
		return 0;
	}
	bool first = v.frag_off == 0;
	if (v.proto == PROTO_ICMP && first && v.l4_avail >= 1 && xlat_icmp4_is_error(v.l4[0])) {
		*why = XLAT_DROP_ICMP_NESTED_ERROR; /* section 4.3: one level only */
		return 0;
	}
	/* The quoted packet stands for one that was translated: the same addresses are refused as in
	 * an ordinary packet's header (section 4.1), and the policy's rules apply alike. */
	if (xlat_v4_special(v.src) || xlat_v4_special(v.dst)) {
		*why = XLAT_DROP_ICMP_INNER_ILLEGAL;
		return 0;
	}
	struct xlat_tuple t4, t6;
	memcpy(t4.src, v.src, 4);
	memcpy(t4.dst, v.dst, 4);
	xlat_l4_ports_read(v.proto, v.l4, v.l4_avail, first, &t4);
	t4.fragment = ip4_is_fragment(&v);
	t4.frag_id = v.id;
	enum xlat_drop r = cfg->policy.map_4to6(cfg->policy.ctx, &t4, &t6, XLAT_ROLE_ERROR_INNER, hairpin);
	if (r) {
		*why = r == XLAT_DROP_WKP_NON_GLOBAL ? r : XLAT_DROP_ICMP_INNER;
		return 0;
	}
	bool has_fh = ip4_is_fragment(&v);
	size_t hdr = IPV6_HDR_LEN + (has_fh ? FRAG6_HDR_LEN : 0);
	uint8_t next = v.proto == PROTO_ICMP ? PROTO_ICMPV6 : v.proto;
	ip6_write(buf, tclass_of_tos(cfg, v.tos), 0, v.l4_len + (has_fh ? FRAG6_HDR_LEN : 0u),
		  has_fh ? PROTO_FRAGMENT : next, v.ttl, t6.src, t6.dst);
	if (has_fh)
		xlat_frag6_write(buf + IPV6_HDR_LEN, next, v.frag_off, v.mf, v.id);
	size_t n = take(v.l4_avail, cap - hdr);
	uint8_t *l4 = buf + hdr;
	memcpy(l4, v.l4, n);
	if (first) {
		/* The quoted transport header is translated too, checksum included, where it is present: the
		 * addresses' change and, for a NAT64, the ports' or the echo identifier's, so that the quoted
		 * checksum is as right (or as wrong) for the rewritten quote as it was for the original. */
		uint32_t old_sum = sum_addrs(t4.src, t4.dst, 4) + tuple_ports_sum(&t4);
		uint32_t new_sum = sum_addrs(t6.src, t6.dst, 16) + tuple_ports_sum(&t6);
		if (v.proto == PROTO_TCP && n >= TCP_CSUM_END)
			put_be16(l4 + TCP_CSUM_OFF, csum_replace(be16_at(l4 + TCP_CSUM_OFF), old_sum, new_sum));
		else if (v.proto == PROTO_UDP && n >= UDP_HDR_LEN && be16_at(l4 + UDP_CSUM_OFF)) {
			uint16_t c = csum_replace(be16_at(l4 + UDP_CSUM_OFF), old_sum, new_sum);
			put_be16(l4 + UDP_CSUM_OFF, c ? c : 0xffff);
		} else if (v.proto == PROTO_ICMP && n >= 4 && (l4[0] == ICMP4_ECHO_REQUEST || l4[0] == ICMP4_ECHO_REPLY)) {
			uint8_t t = l4[0] == ICMP4_ECHO_REQUEST ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY;
			uint32_t o = (uint32_t)(l4[0] << 8 | l4[1]) + tuple_ports_sum(&t4) / 2;
			uint32_t nw = (uint32_t)(t << 8 | l4[1]) + tuple_ports_sum(&t6) / 2 +
				      csum_pseudo6(t6.src, t6.dst, PROTO_ICMPV6, v.l4_len);
			l4[0] = t;
			put_be16(l4 + ICMP_CSUM_OFF, csum_replace(be16_at(l4 + ICMP_CSUM_OFF), o, nw));
			if (t6.has_ports && n >= 6)
				put_be16(l4 + 4, t6.sport);
		}
		if (t6.has_ports && n >= 4 && (v.proto == PROTO_TCP || v.proto == PROTO_UDP)) {
			put_be16(l4, t6.sport);
			put_be16(l4 + 2, t6.dport);
		}
	}
	return hdr + n;
}

size_t xlat_inner_6to4(struct xlat_ctx *ctx, const uint8_t *p, size_t len, uint8_t *buf, size_t cap,
		  enum xlat_drop *why, bool *hairpin)
{
	const struct xlat_config *cfg = ctx->cfg;
	struct ip6_view v;
	*why = xlat_ip6_parse(p, len, PARSE_INNER, &v);
	if (*why) {
		*why = XLAT_DROP_ICMP_INNER;
		return 0;
	}
	bool first = v.frag_off == 0;
	if (v.proto == PROTO_ICMPV6 && first && v.l4_avail >= 1 && xlat_icmp6_is_error(v.l4[0])) {
		*why = XLAT_DROP_ICMP_NESTED_ERROR;
		return 0;
	}
	if (xlat_v6_special(v.src) || xlat_v6_special(v.dst)) { /* as in xlat_inner_4to6 (section 5.1) */
		*why = XLAT_DROP_ICMP_INNER_ILLEGAL;
		return 0;
	}
	struct xlat_tuple t6, t4;
	memcpy(t6.src, v.src, 16);
	memcpy(t6.dst, v.dst, 16);
	xlat_l4_ports_read(v.proto, v.l4, v.l4_avail, first, &t6);
	t6.fragment = ip6_is_fragment(&v);
	t6.frag_id = v.frag_id;
	enum xlat_drop r = cfg->policy.map_6to4(cfg->policy.ctx, &t6, &t4, XLAT_ROLE_ERROR_INNER);
	if (r) {
		*why = r == XLAT_DROP_WKP_NON_GLOBAL ? r : XLAT_DROP_ICMP_INNER;
		return 0;
	}
	if (xlat_v4_special(t4.src) || xlat_v4_special(t4.dst)) {
		*why = XLAT_DROP_ICMP_INNER_ILLEGAL;
		return 0;
	}
	if (hairpin)
		*hairpin = t4.hairpin;
	unsigned tot = IPV4_HDR_LEN + v.l4_len;
	bool df = !v.has_frag && tot > 1260;
	uint16_t fo = (uint16_t)((df ? IPV4_DF : 0) | (v.mf ? IPV4_MF : 0) | v.frag_off);
	uint8_t proto = v.proto == PROTO_ICMPV6 ? PROTO_ICMP : v.proto;
	ip4_write(buf, tos_of_tclass(cfg, v.tclass), tot, (uint16_t)v.frag_id, fo, v.hop_limit, proto, t4.src, t4.dst);
	size_t n = take(v.l4_avail, cap - IPV4_HDR_LEN);
	uint8_t *l4 = buf + IPV4_HDR_LEN;
	memcpy(l4, v.l4, n);
	if (first) {
		/* As in xlat_inner_4to6: the addresses' change and the ports' or the identifier's. */
		uint32_t old_sum = sum_addrs(t6.src, t6.dst, 16) + tuple_ports_sum(&t6);
		uint32_t new_sum = sum_addrs(t4.src, t4.dst, 4) + tuple_ports_sum(&t4);
		if (v.proto == PROTO_TCP && n >= TCP_CSUM_END)
			put_be16(l4 + TCP_CSUM_OFF, csum_replace(be16_at(l4 + TCP_CSUM_OFF), old_sum, new_sum));
		else if (v.proto == PROTO_UDP && n >= UDP_HDR_LEN && be16_at(l4 + UDP_CSUM_OFF)) {
			uint16_t c = csum_replace(be16_at(l4 + UDP_CSUM_OFF), old_sum, new_sum);
			put_be16(l4 + UDP_CSUM_OFF, c ? c : 0xffff);
		} else if (v.proto == PROTO_ICMPV6 && n >= 4 &&
			   (l4[0] == ICMP6_ECHO_REQUEST || l4[0] == ICMP6_ECHO_REPLY)) {
			uint8_t t = l4[0] == ICMP6_ECHO_REQUEST ? ICMP4_ECHO_REQUEST : ICMP4_ECHO_REPLY;
			uint32_t o = (uint32_t)(l4[0] << 8 | l4[1]) + tuple_ports_sum(&t6) / 2 +
				     csum_pseudo6(t6.src, t6.dst, PROTO_ICMPV6, v.l4_len);
			uint32_t nw = (uint32_t)(t << 8 | l4[1]) + tuple_ports_sum(&t4) / 2;
			l4[0] = t;
			put_be16(l4 + ICMP_CSUM_OFF, csum_replace(be16_at(l4 + ICMP_CSUM_OFF), o, nw));
			if (t4.has_ports && n >= 6)
				put_be16(l4 + 4, t4.sport);
		}
		if (t4.has_ports && n >= 4 && (v.proto == PROTO_TCP || v.proto == PROTO_UDP)) {
			put_be16(l4, t4.sport);
			put_be16(l4 + 2, t4.dport);
		}
	}
	return IPV4_HDR_LEN + n;
}

/* ---- RFC 4884 sizing ------------------------------------------------------------------------- */

/* Lays out the translated quoted packet (already at body, inner_len bytes) and the extension of the
 * input (ext, ext_len, or none) within max_body bytes. unit is the length attribute's unit of the
 * output (4 for ICMPv4, 8 for ICMPv6). Priorities (RFC 4884 section 5.1 and common sense): the first
 * 128 bytes of the quote, then the whole extension, then the rest of the quote; an extension is kept
 * whole or not at all. Returns the body length and sets *len_attr (0 without extension). */
static size_t layout_error_body(uint8_t *body, size_t inner_len, const uint8_t *ext, size_t ext_len,
				size_t max_body, unsigned unit, uint8_t *len_attr)
{
	*len_attr = 0;
	if (ext && ext_len && max_body >= RFC4884_MIN_ORIGINAL + ext_len) {
		size_t q = inner_len;
		if (q < RFC4884_MIN_ORIGINAL) {
			memset(body + q, 0, RFC4884_MIN_ORIGINAL - q); /* zero padding up to 128 */
			q = RFC4884_MIN_ORIGINAL;
		}
		size_t room = max_body - ext_len;
		if (q > room)
			q = room;
		q -= q % unit;
		memmove(body + q, ext, ext_len);
		*len_attr = (uint8_t)(q / unit);
		return q + ext_len;
	}
	return inner_len < max_body ? inner_len : max_body;
}

/* ---- ICMPv4 error -> ICMPv6 error (section 4.3) ---------------------------------------------- */

void xlat_icmp4_error_to6(struct xlat_ctx *ctx, const struct ip4_view *v, struct xlat_out *out, bool hairpin)
{
	const struct xlat_config *cfg = ctx->cfg;
	const uint8_t *msg = v->l4;
	size_t mlen = v->l4_avail;
	if (mlen < ICMP_HDR_LEN)
		return out_drop(ctx, out, XLAT_DROP_TRUNCATED);
	if (csum_fold(csum_partial(msg, mlen, 0)) != 0)
		return out_drop(ctx, out, XLAT_DROP_ICMP_CSUM);
	bool decrement = cfg->decrement_ttl && !hairpin;
	if (decrement && v->ttl <= 1)
		return out_drop(ctx, out, XLAT_DROP_TTL_EXPIRED); /* never an error about an error */

	const uint8_t *quote = msg + ICMP_HDR_LEN;
	size_t qlen = mlen - ICMP_HDR_LEN;
	struct icmp_map m;
	enum xlat_drop r = map_icmp4_error(cfg, msg, quote, qlen, &m);
	if (r)
		return out_drop(ctx, out, r);

	/* RFC 4884: a nonzero length attribute (32-bit words, in the sixth byte) marks an extension. */
	const uint8_t *ext = NULL;
	size_t ext_len = 0;
	unsigned area = msg[5] * 4u;
	if ((msg[0] == ICMP4_DEST_UNREACH || msg[0] == ICMP4_TIME_EXCEEDED || msg[0] == ICMP4_PARAM_PROBLEM) &&
	    area && area < qlen) {
		ext = quote + area;
		ext_len = qlen - area;
		qlen = area;
	}
	if (!m.has_length)
		ext = NULL; /* Packet Too Big and Parameter Problem have no room for the attribute */

	uint8_t *h = out->err, *icmp = h + IPV6_HDR_LEN, *body = icmp + ICMP_HDR_LEN;
	size_t body_cap = XLAT_ERR_ROOM - IPV6_HDR_LEN - ICMP_HDR_LEN;
	size_t inner_len = 0;
	struct xlat_tuple t4, t6;
	memset(&t4, 0, sizeof(t4));
	memcpy(t4.src, v->src, 4);
	memcpy(t4.dst, v->dst, 4);
	t4.proto = PROTO_ICMP;
	if (cfg->policy.outer_from_inner) {
		/* Stateful: the session behind the quoted packet names the IPv6 node the error is for. */
		inner_len = xlat_inner_4to6(ctx, quote, qlen, body, body_cap, hairpin, &r);
		if (!inner_len)
			return out_drop(ctx, out, r);
		r = cfg->policy.map_4to6(cfg->policy.ctx, &t4, &t6, XLAT_ROLE_ERROR_OUTER, hairpin);
		if (r == XLAT_DROP_SRC_UNMAPPED && cfg->has_rfc6791v6)
			memcpy(t6.src, cfg->rfc6791v6, 16);
		else if (r == XLAT_DROP_SRC_UNMAPPED && cfg->has_self6)
			memcpy(t6.src, cfg->self6, 16);
		else if (r)
			return out_drop(ctx, out, r);
		memcpy(t6.dst, body + 8, 16); /* the quoted packet's translated source */
	} else if ((r = cfg->policy.map_4to6(cfg->policy.ctx, &t4, &t6, XLAT_ROLE_ERROR_OUTER, hairpin)) ==
		   XLAT_DROP_SRC_UNMAPPED) {
		/* RFC 6791: a router without an IPv6 address of its own still gets a source */
		if (cfg->has_rfc6791v6)
			memcpy(t6.src, cfg->rfc6791v6, 16);
		else if (cfg->has_self6)
			memcpy(t6.src, cfg->self6, 16);
		else
			return out_drop(ctx, out, r);
		t4.has_ports = false;
		memcpy(t4.src, v->dst, 4); /* map the destination alone */
		struct xlat_tuple tmp;
		r = cfg->policy.map_4to6(cfg->policy.ctx, &t4, &tmp, XLAT_ROLE_ERROR_OUTER, hairpin);
		if (r == XLAT_DROP_NONE || r == XLAT_DROP_SRC_UNMAPPED)
			r = xlat_v4_special(v->dst) ? XLAT_DROP_DST_UNMAPPED : r;
		if (r == XLAT_DROP_NONE)
			memcpy(t6.dst, tmp.dst, 16);
		else
			return out_drop(ctx, out, XLAT_DROP_DST_UNMAPPED);
	} else if (r) {
		return out_drop(ctx, out, r);
	}

	if (!inner_len)
		inner_len = xlat_inner_4to6(ctx, quote, qlen, body, body_cap, hairpin, &r);
	if (!inner_len)
		return out_drop(ctx, out, r);
	uint8_t len_attr;
	size_t blen = layout_error_body(body, inner_len, ext, ext_len, ICMP6_ERROR_MAX - IPV6_HDR_LEN - ICMP_HDR_LEN,
					8, &len_attr);
	size_t plen = ICMP_HDR_LEN + blen;
	icmp[0] = m.type;
	icmp[1] = m.code;
	put_be16(icmp + 2, 0);
	put_be32(icmp + 4, m.has_length ? (uint32_t)len_attr << 24 : m.rest);
	ip6_write(h, tclass_of_tos(cfg, v->tos), 0, (unsigned)plen, PROTO_ICMPV6,
		  (uint8_t)(v->ttl - (decrement ? 1 : 0)), t6.src, t6.dst);
	uint32_t s = csum_pseudo6(t6.src, t6.dst, PROTO_ICMPV6, (uint32_t)plen);
	put_be16(icmp + 2, csum_fold(csum_partial(icmp, plen, s)));
	struct xlat_pkt *p = out_pkt(out, 0, 6);
	pkt_add(p, h, IPV6_HDR_LEN + plen);
	out->npkts = 1;
	out->action = XLAT_FORWARD;
	out->reason = XLAT_DROP_NONE;
	ctx->stats.pkts_4to6++;
	ctx->stats.bytes_4to6 += p->len;
}

/* ---- ICMPv6 error -> ICMPv4 error (section 5.3) ---------------------------------------------- */

void xlat_icmp6_error_to4(struct xlat_ctx *ctx, const struct ip6_view *v, struct xlat_out *out)
{
	const struct xlat_config *cfg = ctx->cfg;
	const uint8_t *msg = v->l4;
	size_t mlen = v->l4_avail;
	if (mlen < ICMP_HDR_LEN)
		return out_drop(ctx, out, XLAT_DROP_TRUNCATED);
	if (csum_fold(csum_partial(msg, mlen, csum_pseudo6(v->src, v->dst, PROTO_ICMPV6, (uint32_t)mlen))) != 0)
		return out_drop(ctx, out, XLAT_DROP_ICMP_CSUM);
	if (cfg->decrement_ttl && v->hop_limit <= 1)
		return out_drop(ctx, out, XLAT_DROP_TTL_EXPIRED);

	const uint8_t *quote = msg + ICMP_HDR_LEN;
	size_t qlen = mlen - ICMP_HDR_LEN;
	struct icmp_map m;
	enum xlat_drop r = map_icmp6_error(cfg, msg, &m);
	if (r)
		return out_drop(ctx, out, r);

	/* RFC 4884: the length attribute of ICMPv6 is the fifth byte, in 64-bit words. */
	const uint8_t *ext = NULL;
	size_t ext_len = 0;
	unsigned area = msg[4] * 8u;
	if ((msg[0] == ICMP6_DEST_UNREACH || msg[0] == ICMP6_TIME_EXCEEDED) && area && area < qlen) {
		ext = quote + area;
		ext_len = qlen - area;
		qlen = area;
	}

	uint8_t *h = out->err, *icmp = h + IPV4_HDR_LEN, *body = icmp + ICMP_HDR_LEN;
	size_t body_cap = XLAT_ERR_ROOM - IPV4_HDR_LEN - ICMP_HDR_LEN;
	size_t inner_len = 0;
	struct xlat_tuple t6, t4;
	memset(&t6, 0, sizeof(t6));
	memcpy(t6.src, v->src, 16);
	memcpy(t6.dst, v->dst, 16);
	t6.proto = PROTO_ICMPV6;
	if (cfg->policy.outer_from_inner) {
		/* Stateful: the error comes from behind the binding the quoted packet went to, so it leaves
		 * from that binding's IPv4 address towards the quoted packet's IPv4 source. */
		bool back = false;
		inner_len = xlat_inner_6to4(ctx, quote, qlen, body, body_cap, &r, &back);
		if (!inner_len)
			return out_drop(ctx, out, r);
		memset(&t4, 0, sizeof(t4));
		memcpy(t4.src, body + 16, 4);
		memcpy(t4.dst, body + 12, 4);
		t4.hairpin = back; /* to another client of this translator: hairpinned like the flow was */
	} else if ((r = cfg->policy.map_6to4(cfg->policy.ctx, &t6, &t4, XLAT_ROLE_ERROR_OUTER)) ==
		   XLAT_DROP_SRC_UNMAPPED) {
		if (cfg->has_rfc6791v4)
			memcpy(t4.src, cfg->rfc6791v4, 4);
		else if (cfg->has_self4)
			memcpy(t4.src, cfg->self4, 4);
		else
			return out_drop(ctx, out, r);
		memcpy(t6.src, v->dst, 16);
		struct xlat_tuple tmp;
		r = cfg->policy.map_6to4(cfg->policy.ctx, &t6, &tmp, XLAT_ROLE_ERROR_OUTER);
		if (r != XLAT_DROP_NONE)
			return out_drop(ctx, out, XLAT_DROP_DST_UNMAPPED);
		memcpy(t4.dst, tmp.dst, 4);
		t4.hairpin = tmp.hairpin;
	} else if (r) {
		return out_drop(ctx, out, r);
	}
	bool hairpin = t4.hairpin;
	if (xlat_v4_special(t4.dst))
		return out_drop(ctx, out, XLAT_DROP_DST_ILLEGAL);

	if (!inner_len)
		inner_len = xlat_inner_6to4(ctx, quote, qlen, body, body_cap, &r, NULL);
	if (!inner_len)
		return out_drop(ctx, out, r);
	uint8_t len_attr;
	size_t blen = layout_error_body(body, inner_len, ext, ext_len, ICMP4_ERROR_MAX - IPV4_HDR_LEN - ICMP_HDR_LEN,
					4, &len_attr);
	size_t tot = IPV4_HDR_LEN + ICMP_HDR_LEN + blen;
	icmp[0] = m.type;
	icmp[1] = m.code;
	put_be16(icmp + 2, 0);
	put_be32(icmp + 4, m.rest | (m.has_length ? (uint32_t)len_attr << 16 : 0));
	/* Section 5.1.1: an (atomic) fragment header gives its identification, as for any packet. */
	uint16_t id = v->has_frag ? (uint16_t)v->frag_id : (uint16_t)ctx->ipv4_id++;
	ip4_write(h, tos_of_tclass(cfg, v->tclass), (unsigned)tot, id, 0,
		  (uint8_t)(v->hop_limit - (cfg->decrement_ttl ? 1 : 0)), PROTO_ICMP, t4.src, t4.dst);
	put_be16(icmp + 2, csum_fold(csum_partial(icmp, ICMP_HDR_LEN + blen, 0)));
	struct xlat_pkt *p = out_pkt(out, 0, 4);
	pkt_add(p, h, tot);
	out->npkts = 1;
	out->action = XLAT_FORWARD;
	out->reason = XLAT_DROP_NONE;
	ctx->stats.pkts_6to4++;
	ctx->stats.bytes_6to4 += p->len;
	if (hairpin)
		xlat_hairpin(ctx, out);
}
