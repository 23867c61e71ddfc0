/* RFC 7915 section 5: translating IPv6 packets into IPv4. */
#include "internal.h"

static unsigned l4_prefix_len(uint8_t proto)
{
	switch (proto) {
	case PROTO_TCP: return TCP_CSUM_END;
	case PROTO_UDP: return UDP_HDR_LEN;
	case PROTO_ICMPV6: return ICMP_HDR_LEN;
	default: return 0;
	}
}

/* Section 5.1: DF is clear on packets of at most 1260 bytes (so IPv4 routers may fragment what the
 * IPv6 sender believes fits 1280) and set above, so that PMTUD works end to end. */
enum { DF_THRESHOLD = IPV6_MIN_MTU - (IPV6_HDR_LEN - IPV4_HDR_LEN) };

void xlat_hairpin(struct xlat_ctx *ctx, struct xlat_out *out)
{
	size_t n = xlat_pkt_flatten(&out->pkt[0], out->hairpin, sizeof(out->hairpin));
	xlat_4to6_pass(ctx, out->hairpin, n, out, true);
	if (out->action == XLAT_REPLY) {
		/* The second pass would answer in ICMPv4, but the sender speaks IPv6: drop instead (the
		 * reason stays counted). */
		out->action = XLAT_DROP;
		out->npkts = 0;
		ctx->stats.replies--;
	}
}

void xlat_6to4_slow(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out)
{
	const struct xlat_config *cfg = ctx->cfg;
	struct ip6_view v;
	enum xlat_drop r = xlat_ip6_parse(pkt, len, PARSE_OUTER, &v);
	if (r == XLAT_DROP_SEGMENTS_LEFT) /* section 5.1: Parameter Problem pointing at Segments Left */
		return xlat_icmp6_reply(ctx, out, &v, ICMP6_PARAM_PROBLEM, ICMP6_PARAM_HEADER, v.segleft_ptr, r);
	if (r == XLAT_DROP_EXT_HEADER) /* section 5.1 drops it; section 5.4 says what to answer */
		return xlat_icmp6_reply(ctx, out, &v, ICMP6_DEST_UNREACH, ICMP6_ADMIN_PROHIBITED, 0, r);
	if (r)
		return out_drop(ctx, out, r);

	bool first = v.frag_off == 0;
	bool is_icmp = v.proto == PROTO_ICMPV6;
	if (is_icmp && ip6_is_fragment(&v))
		return out_drop(ctx, out, XLAT_DROP_ICMP_FRAGMENTED);
	bool is_error = is_icmp && v.l4_avail >= 1 && xlat_icmp6_is_error(v.l4[0]);

	if (xlat_v6_special(v.dst))
		return out_drop(ctx, out, XLAT_DROP_DST_ILLEGAL);
	if (!is_error && xlat_v6_special(v.src))
		return out_drop(ctx, out, XLAT_DROP_SRC_ILLEGAL);
	if (is_error)
		return xlat_icmp6_error_to4(ctx, &v, out);

	if (cfg->decrement_ttl && v.hop_limit <= 1)
		return xlat_icmp6_reply(ctx, out, &v, ICMP6_TIME_EXCEEDED, ICMP6_HOP_LIMIT_EXCEEDED, 0,
				   XLAT_DROP_TTL_EXPIRED);

	unsigned prefix = first ? l4_prefix_len(v.proto) : 0;
	if (v.l4_avail < prefix)
		return out_drop(ctx, out, XLAT_DROP_TRUNCATED);
	uint8_t type4 = 0;
	if (is_icmp) {
		/* Section 5.2: echo is translated; MLD, ND and the rest are single-hop or unknown. */
		if (v.l4[0] == ICMP6_ECHO_REQUEST)
			type4 = ICMP4_ECHO_REQUEST;
		else if (v.l4[0] == ICMP6_ECHO_REPLY)
			type4 = ICMP4_ECHO_REPLY;
		else
			return out_drop(ctx, out, XLAT_DROP_ICMP_TYPE);
	}

	struct xlat_tuple t6, t4;
	memcpy(t6.src, v.src, 16);
	memcpy(t6.dst, v.dst, 16);
	xlat_l4_ports_read(v.proto, v.l4, v.l4_avail, first, &t6);
	t6.fragment = ip6_is_fragment(&v);
	t6.frag_id = v.frag_id;
	r = cfg->policy.map_6to4(cfg->policy.ctx, &t6, &t4, XLAT_ROLE_PACKET);
	if (r)
		return xlat_policy_refused6(ctx, out, &v, r);
	if (xlat_v4_special(t4.dst))
		return out_drop(ctx, out, XLAT_DROP_DST_ILLEGAL);
	if (xlat_v4_special(t4.src))
		return out_drop(ctx, out, XLAT_DROP_SRC_ILLEGAL);
	bool is_hairpin = t4.hairpin;

	size_t out_len = IPV4_HDR_LEN + (size_t)v.l4_len;
	if (out_len > 0xffff)
		return out_drop(ctx, out, XLAT_DROP_BAD_LENGTH);
	bool df = !v.has_frag && out_len > DF_THRESHOLD;
	bool split = false;
	if (!is_hairpin && out_len > cfg->mtu4) {
		/* Too big for the IPv4 next hop. The IPv6 sender can react to Packet Too Big when the packet
		 * would leave with DF, or is already a fragment; below 1260 bytes only IPv4 fragmentation
		 * helps, since an IPv6 host ignores an MTU under 1280. */
		if (df || v.has_frag) {
			unsigned mtu = cfg->mtu4 + (IPV6_HDR_LEN - IPV4_HDR_LEN);
			return xlat_icmp6_reply(ctx, out, &v, ICMP6_PACKET_TOO_BIG, 0, mtu < IPV6_MIN_MTU ? IPV6_MIN_MTU : mtu,
					   XLAT_DROP_PACKET_TOO_BIG);
		}
		split = true;
	}

	uint8_t l4fix[TCP_CSUM_END];
	copy_l4_prefix(l4fix, v.l4, prefix);
	if (prefix) {
		unsigned coff = v.proto == PROTO_TCP ? TCP_CSUM_OFF : v.proto == PROTO_UDP ? UDP_CSUM_OFF : ICMP_CSUM_OFF;
		uint16_t old = be16_at(v.l4 + coff), csum;
		if (t4.has_ports && !is_icmp) {
			put_be16(l4fix, t4.sport);
			put_be16(l4fix + 2, t4.dport);
		} else if (t4.has_ports) {
			put_be16(l4fix + 4, t4.sport);
		}
		if (is_icmp) {
			/* Section 5.2: the ICMPv6 pseudo-header leaves the checksum; the type changes. */
			uint32_t old_sum = (uint32_t)(v.l4[0] << 8 | v.l4[1]) + tuple_ports_sum(&t6) / 2 +
					   csum_pseudo6(t6.src, t6.dst, PROTO_ICMPV6, v.l4_len);
			uint32_t new_sum = (uint32_t)(type4 << 8 | v.l4[1]) + tuple_ports_sum(&t4) / 2;
			l4fix[0] = type4;
			csum = csum_replace(old, old_sum, new_sum);
		} else if (v.proto == PROTO_UDP && old == 0) {
			csum = 0; /* not valid IPv6 (RFC 8200 section 8.1), but IPv4 reads it as "no checksum" */
		} else {
			uint32_t old_sum = sum_addrs(t6.src, t6.dst, 16) + tuple_ports_sum(&t6);
			uint32_t new_sum = sum_addrs(t4.src, t4.dst, 4) + tuple_ports_sum(&t4);
			csum = csum_replace(old, old_sum, new_sum);
			if (v.proto == PROTO_UDP && csum == 0)
				csum = 0xffff;
		}
		put_be16(l4fix + coff, csum);
	}

	uint8_t proto = is_icmp ? PROTO_ICMP : v.proto;
	uint8_t ttl = (uint8_t)(v.hop_limit - (cfg->decrement_ttl ? 1 : 0));
	/* Section 5.1.1: a fragment keeps the low 16 bits of its identification; otherwise RFC 6864
	 * wants a fresh one for anything that may be fragmented (DF clear). A packet with DF set is
	 * atomic, whose ID "has no meaning; thus, it can be set to an arbitrary value" (RFC 6864
	 * section 4.1): 0, as Linux writes for DF packets of unconnected sockets, so that the counter
	 * advances only where it matters and large packets do not reveal it. */
	uint16_t id = v.has_frag ? (uint16_t)v.frag_id : df ? 0 : (uint16_t)ctx->ipv4_id++;
	const uint8_t *rest = v.l4 + prefix;
	out->action = XLAT_FORWARD;
	out->reason = XLAT_DROP_NONE;

	if (!split) {
		uint8_t *h = out->hdr[0];
		struct xlat_pkt *p = out_pkt(out, 0, 4);
		uint16_t fo = (uint16_t)((df ? IPV4_DF : 0) | (v.mf ? IPV4_MF : 0) | v.frag_off);
		ip4_write(h, tos_of_tclass(cfg, v.tclass), (unsigned)out_len, id, fo, ttl, proto, t4.src, t4.dst);
		copy_l4_prefix(h + IPV4_HDR_LEN, l4fix, prefix);
		pkt_add(p, h, IPV4_HDR_LEN + prefix);
		pkt_add(p, rest, v.l4_len - prefix);
		out->npkts = 1;
	} else {
		size_t chunk = (cfg->mtu4 - IPV4_HDR_LEN) & ~(size_t)7;
		size_t total = v.l4_len;
		size_t n = chunk ? (total + chunk - 1) / chunk : XLAT_MAX_PKTS + 1;
		if (n > XLAT_MAX_PKTS || chunk < prefix)
			return out_drop(ctx, out, XLAT_DROP_TOO_MANY_FRAGMENTS);
		for (size_t k = 0, off = 0; k < n; k++, off += chunk) {
			size_t piece = total - off < chunk ? total - off : chunk;
			uint8_t *h = out->hdr[k];
			struct xlat_pkt *p = out_pkt(out, (unsigned)k, 4);
			uint16_t fo = (uint16_t)((k + 1 < n || v.mf ? IPV4_MF : 0) | (v.frag_off + off / 8));
			ip4_write(h, tos_of_tclass(cfg, v.tclass), (unsigned)(IPV4_HDR_LEN + piece), id, fo, ttl, proto,
				  t4.src, t4.dst);
			if (k == 0) {
				copy_l4_prefix(h + IPV4_HDR_LEN, l4fix, prefix);
				pkt_add(p, h, IPV4_HDR_LEN + prefix);
				pkt_add(p, rest, piece - prefix);
			} else {
				pkt_add(p, h, IPV4_HDR_LEN);
				pkt_add(p, v.l4 + off, piece);
			}
		}
		out->npkts = (unsigned)n;
	}
	ctx->stats.pkts_6to4++;
	for (unsigned i = 0; i < out->npkts; i++)
		ctx->stats.bytes_6to4 += out->pkt[i].len;
	if (is_hairpin)
		xlat_hairpin(ctx, out);
}
