/* RFC 7915 section 4: translating IPv4 packets into IPv6. */
#include "internal.h"

/* RFC 791 options: skipped (section 4.1), except that an unexpired source route must not be silently
 * ignored: the packet is answered with Destination Unreachable, Source Route Failed. */
static enum xlat_drop ip4_check_options(const struct ip4_view *v)
{
	struct cursor c = cursor_make(v->hdr + IPV4_HDR_LEN, v->ihl - IPV4_HDR_LEN);
	while (cursor_left(&c)) {
		uint8_t type = cursor_u8(&c);
		if (type == IPOPT_END)
			break;
		if (type == IPOPT_NOP)
			continue;
		const uint8_t *o = cursor_take(&c, 1);
		if (!o || o[0] < 2 || !cursor_skip(&c, o[0] - 2u))
			return XLAT_DROP_BAD_IHL;
		if ((type == IPOPT_LSRR || type == IPOPT_SSRR) && o[0] >= 3 && o[1] <= o[0])
			return XLAT_DROP_SOURCE_ROUTE; /* pointer within the option: route not yet exhausted */
	}
	return XLAT_DROP_NONE;
}

/* How many leading transport bytes are copied so that their checksum (and, for a NAT64, ports or
 * echo identifier) can be rewritten. Zero for protocols the translator passes through untouched. */
static unsigned l4_prefix_len(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP: return TCP_CSUM_END;
	case PROTO_UDP: return UDP_HDR_LEN;
	case PROTO_ICMP: case PROTO_ICMPV6: return ICMP_HDR_LEN;
	default: return 0;
	}
}

void xlat_4to6_pass(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out, bool hairpin)
{
	const struct xlat_config *cfg = ctx->cfg;
	struct ip4_view v;
	enum xlat_drop r = ip4_parse(pkt, len, PARSE_OUTER, &v);
	if (r)
		return out_drop(ctx, out, r);

	bool first = v.frag_off == 0;
	bool is_icmp = v.proto == PROTO_ICMP;
	if (is_icmp && ip4_is_fragment(&v))
		return out_drop(ctx, out, XLAT_DROP_ICMP_FRAGMENTED); /* RFC 7915 section 1.2 */
	bool is_error = is_icmp && v.l4_avail >= 1 && xlat_icmp4_is_error(v.l4[0]);

	/* Section 4.1: an illegal source is dropped, except in an ICMP error, where it is translated for
	 * troubleshooting. No destination of that kind is ever translated. */
	if (xlat_v4_special(v.dst))
		return out_drop(ctx, out, XLAT_DROP_DST_ILLEGAL);
	if (!is_error && xlat_v4_special(v.src))
		return out_drop(ctx, out, XLAT_DROP_SRC_ILLEGAL);

	if (v.ihl > IPV4_HDR_LEN && !hairpin) {
		r = ip4_check_options(&v);
		if (r == XLAT_DROP_SOURCE_ROUTE && !is_error)
			return xlat_icmp4_reply(ctx, out, &v, ICMP4_DEST_UNREACH, ICMP4_SOURCE_ROUTE_FAILED, 0, r);
		if (r)
			return out_drop(ctx, out, r);
	}
	if (is_error)
		return xlat_icmp4_error_to6(ctx, &v, out, hairpin);

	bool decrement = cfg->decrement_ttl && !hairpin;
	if (decrement && v.ttl <= 1)
		return xlat_icmp4_reply(ctx, out, &v, ICMP4_TIME_EXCEEDED, ICMP4_TTL_EXCEEDED_IN_TRANSIT, 0,
				   XLAT_DROP_TTL_EXPIRED);

	unsigned prefix = first ? l4_prefix_len(v.proto) : 0;
	if (v.l4_avail < prefix)
		return out_drop(ctx, out, XLAT_DROP_TRUNCATED);
	uint8_t type6 = 0;
	if (is_icmp) {
		/* Section 4.2: of the informational messages only echo is translated. */
		if (v.l4[0] == ICMP4_ECHO_REQUEST)
			type6 = ICMP6_ECHO_REQUEST;
		else if (v.l4[0] == ICMP4_ECHO_REPLY)
			type6 = ICMP6_ECHO_REPLY;
		else
			return out_drop(ctx, out, XLAT_DROP_ICMP_TYPE);
	}
	bool amend_udp = false;
	if (v.proto == PROTO_UDP && first && be16_at(v.l4 + UDP_CSUM_OFF) == 0) {
		/* Section 4.5: no checksum can be computed over a fragment; for a whole datagram only when
		 * configured. Otherwise the packet is refused with the section 4.4 default error. */
		if (ip4_is_fragment(&v))
			return xlat_icmp4_reply(ctx, out, &v, ICMP4_DEST_UNREACH, ICMP4_ADMIN_PROHIBITED, 0,
					   XLAT_DROP_UDP_ZERO_CSUM_FRAG);
		if (!cfg->amend_udp_zero_csum)
			return xlat_icmp4_reply(ctx, out, &v, ICMP4_DEST_UNREACH, ICMP4_ADMIN_PROHIBITED, 0,
					   XLAT_DROP_UDP_ZERO_CSUM);
		amend_udp = true;
	}

	struct xlat_tuple t4, t6;
	memcpy(t4.src, v.src, 4);
	memcpy(t4.dst, v.dst, 4);
	xlat_l4_ports_read(v.proto, v.l4, v.l4_avail, first, &t4);
	t4.fragment = ip4_is_fragment(&v);
	t4.frag_id = v.id;
	r = cfg->policy.map_4to6(cfg->policy.ctx, &t4, &t6, XLAT_ROLE_PACKET, hairpin);
	if (r)
		return xlat_policy_refused4(ctx, out, &v, r);

	bool has_fh = ip4_is_fragment(&v);
	unsigned hdr_len = IPV6_HDR_LEN + (has_fh ? FRAG6_HDR_LEN : 0);
	size_t out_len = hdr_len + v.l4_len;
	/* Section 4.1: DF set and too big for the next hop: Fragmentation Needed, with the MTU the IPv4
	 * side can use. DF clear: fragments of at most lowest-ipv6-mtu (and the real next-hop MTU). */
	if (v.df && out_len > cfg->mtu6)
		return xlat_icmp4_reply(ctx, out, &v, ICMP4_DEST_UNREACH, ICMP4_FRAG_NEEDED,
				   (uint32_t)(cfg->mtu6 - (IPV6_HDR_LEN - IPV4_HDR_LEN)), XLAT_DROP_FRAG_NEEDED);
	unsigned limit = v.df ? cfg->mtu6 : (cfg->lowest_ipv6_mtu < cfg->mtu6 ? cfg->lowest_ipv6_mtu : cfg->mtu6);

	/* The transport prefix, copied so its checksum can change while the payload stays in place. */
	uint8_t l4fix[TCP_CSUM_END];
	copy_l4_prefix(l4fix, v.l4, prefix);
	if (prefix) {
		uint32_t old_sum = sum_addrs(t4.src, t4.dst, 4) + tuple_ports_sum(&t4);
		uint32_t new_sum = sum_addrs(t6.src, t6.dst, 16) + tuple_ports_sum(&t6);
		unsigned coff = v.proto == PROTO_TCP ? TCP_CSUM_OFF : v.proto == PROTO_UDP ? UDP_CSUM_OFF : ICMP_CSUM_OFF;
		if (t6.has_ports && v.proto != PROTO_ICMP) {
			put_be16(l4fix, t6.sport);
			put_be16(l4fix + 2, t6.dport);
		} else if (t6.has_ports) {
			put_be16(l4fix + 4, t6.sport);
		}
		uint16_t csum;
		if (is_icmp) {
			/* ICMPv6 adds a pseudo-header (section 4.2); type and identifier change. Incremental, so
			 * a wrong checksum stays exactly as wrong as it was. */
			old_sum = (uint32_t)(v.l4[0] << 8 | v.l4[1]) + tuple_ports_sum(&t4) / 2;
			new_sum = (uint32_t)(type6 << 8 | v.l4[1]) + tuple_ports_sum(&t6) / 2 +
				  csum_pseudo6(t6.src, t6.dst, PROTO_ICMPV6, v.l4_len);
			l4fix[0] = type6;
			csum = csum_replace(be16_at(v.l4 + coff), old_sum, new_sum);
		} else if (amend_udp) {
			uint32_t s = csum_pseudo6(t6.src, t6.dst, PROTO_UDP, v.l4_len);
			put_be16(l4fix + UDP_CSUM_OFF, 0);
			s = csum_partial(l4fix, UDP_HDR_LEN, s);
			s = csum_partial(v.l4 + UDP_HDR_LEN, v.l4_len - UDP_HDR_LEN, s);
			csum = csum_fold(s);
			ctx->stats.udp_csum_computed++;
		} else {
			csum = csum_replace(be16_at(v.l4 + coff), old_sum, new_sum);
		}
		if (v.proto == PROTO_UDP && csum == 0)
			csum = 0xffff; /* zero means "no checksum" to UDP; RFC 768 sends all ones instead */
		put_be16(l4fix + coff, csum);
	}

	uint8_t next = is_icmp ? PROTO_ICMPV6 : v.proto;
	uint8_t hop = (uint8_t)(v.ttl - (decrement ? 1 : 0));
	const uint8_t *rest = v.l4 + prefix;
	size_t rest_len = v.l4_len - prefix;
	out->action = XLAT_FORWARD;
	out->reason = XLAT_DROP_NONE;

	if (out_len <= limit) {
		uint8_t *h = out->hdr[0];
		struct xlat_pkt *p = out_pkt(out, 0, 6);
		ip6_write(h, tclass_of_tos(cfg, v.tos), 0, (unsigned)(out_len - IPV6_HDR_LEN),
			  has_fh ? PROTO_FRAGMENT : next, hop, t6.src, t6.dst);
		if (has_fh)
			xlat_frag6_write(h + IPV6_HDR_LEN, next, v.frag_off, v.mf, v.id);
		copy_l4_prefix(h + hdr_len, l4fix, prefix);
		pkt_add(p, h, hdr_len + prefix);
		pkt_add(p, rest, rest_len);
		out->npkts = 1;
	} else {
		/* Fragment the payload into 8-byte-aligned pieces; the transport prefix goes with the first. */
		size_t chunk = (limit - IPV6_HDR_LEN - FRAG6_HDR_LEN) & ~(size_t)7;
		size_t total = v.l4_len;
		size_t n = (total + chunk - 1) / chunk;
		if (n > XLAT_MAX_PKTS)
			return out_drop(ctx, out, XLAT_DROP_TOO_MANY_FRAGMENTS);
		for (size_t k = 0, off = 0; k < n; k++, off += chunk) {
			size_t piece = total - off < chunk ? total - off : chunk;
			uint8_t *h = out->hdr[k];
			struct xlat_pkt *p = out_pkt(out, (unsigned)k, 6);
			ip6_write(h, tclass_of_tos(cfg, v.tos), 0, (unsigned)(FRAG6_HDR_LEN + piece), PROTO_FRAGMENT, hop,
				  t6.src, t6.dst);
			xlat_frag6_write(h + IPV6_HDR_LEN, next, (uint16_t)(v.frag_off + off / 8), k + 1 < n || v.mf, v.id);
			if (k == 0) {
				copy_l4_prefix(h + IPV6_HDR_LEN + FRAG6_HDR_LEN, l4fix, prefix);
				pkt_add(p, h, IPV6_HDR_LEN + FRAG6_HDR_LEN + prefix);
				pkt_add(p, rest, piece - prefix);
			} else {
				pkt_add(p, h, IPV6_HDR_LEN + FRAG6_HDR_LEN);
				pkt_add(p, v.l4 + off, piece);
			}
		}
		out->npkts = (unsigned)n;
	}
	ctx->stats.pkts_4to6++;
	for (unsigned i = 0; i < out->npkts; i++)
		ctx->stats.bytes_4to6 += out->pkt[i].len;
}
