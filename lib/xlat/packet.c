/* Header parsing and writing shared by both directions, and the small public helpers. */
#include "internal.h"

static const char *const drop_names[] = {
#define XLAT_X_NAME(e, n, d) n,
	XLAT_DROP_REASONS(XLAT_X_NAME)
#undef XLAT_X_NAME
};
static const char *const drop_descs[] = {
#define XLAT_X_DESC(e, n, d) d,
	XLAT_DROP_REASONS(XLAT_X_DESC)
#undef XLAT_X_DESC
};

const char *xlat_drop_name(enum xlat_drop r)
{
	return (unsigned)r < XLAT_DROP__COUNT ? drop_names[r] : "unknown";
}

const char *xlat_drop_desc(enum xlat_drop r)
{
	return (unsigned)r < XLAT_DROP__COUNT ? drop_descs[r] : "unknown reason";
}

void xlat_config_init(struct xlat_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->lowest_ipv6_mtu = IPV6_MIN_MTU;
	cfg->mtu4 = 1500;
	cfg->mtu6 = 1500;
	cfg->decrement_ttl = true;
	cfg->reasm_max = 16;
	cfg->reasm_timeout_ms = 5000;
}

void xlat_stats_add(struct xlat_stats *dst, const struct xlat_stats *src)
{
	dst->pkts_4to6 += src->pkts_4to6;
	dst->bytes_4to6 += src->bytes_4to6;
	dst->pkts_6to4 += src->pkts_6to4;
	dst->bytes_6to4 += src->bytes_6to4;
	dst->replies += src->replies;
	dst->udp_csum_computed += src->udp_csum_computed;
	dst->reasm_fragments += src->reasm_fragments;
	dst->reasm_datagrams += src->reasm_datagrams;
	for (int r = 0; r < XLAT_DROP__COUNT; r++)
		dst->drops[r] += src->drops[r];
}

void xlat_ctx_init(struct xlat_ctx *ctx, const struct xlat_config *cfg)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->cfg = cfg;
	ctx->ipv4_id = 0x5a5a; /* any start will do; the counter only has to avoid quick reuse */
}

size_t xlat_pkt_flatten(const struct xlat_pkt *p, uint8_t *buf, size_t cap)
{
	if (p->len > cap)
		return 0;
	size_t n = 0;
	for (unsigned i = 0; i < p->niov; i++) {
		memcpy(buf + n, p->iov[i].iov_base, p->iov[i].iov_len);
		n += p->iov[i].iov_len;
	}
	return n;
}

void xlat_translate(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out)
{
	if (len < 1) {
		out_drop(ctx, out, XLAT_DROP_TRUNCATED);
		return;
	}
	switch (pkt[0] >> 4) {
	case 4:
		xlat_4to6(ctx, pkt, len, out);
		break;
	case 6:
		xlat_6to4(ctx, pkt, len, out);
		break;
	default:
		out_drop(ctx, out, XLAT_DROP_BAD_VERSION);
	}
}

/* ---- parsing ------------------------------------------------------------------------------- */


/* Walks at most this many extension headers; more is an attack, not a packet. */
enum { MAX_EXT_HEADERS = 8 };

enum xlat_drop xlat_ip6_parse(const uint8_t *p, size_t len, enum parse_mode mode, struct ip6_view *v)
{
	struct cursor c = cursor_make(p, len);
	const uint8_t *h = cursor_take(&c, IPV6_HDR_LEN);
	if (!h)
		return XLAT_DROP_TRUNCATED;
	if (h[0] >> 4 != 6)
		return XLAT_DROP_BAD_VERSION;
	v->hdr = h;
	v->payload_len = be16_at(h + 4);
	if (mode == PARSE_OUTER) {
		/* A zero payload length means a jumbogram (RFC 2675); we do not carry those. */
		if (IPV6_HDR_LEN + (size_t)v->payload_len > len || (v->payload_len == 0 && h[6] == PROTO_HOPOPTS))
			return XLAT_DROP_BAD_LENGTH;
		c.left = v->payload_len;
	} else if (c.left > v->payload_len) {
		c.left = v->payload_len;
	}
	uint32_t w = be32_at(h);
	v->tclass = (uint8_t)(w >> 20);
	v->flow = w & 0xfffff;
	v->hop_limit = h[7];
	v->src = h + 8;
	v->dst = h + 24;
	v->has_frag = v->mf = false;
	v->frag_off = 0;
	v->frag_id = 0;
	v->segleft_ptr = 0;

	uint8_t nh = h[6];
	unsigned ext_len = 0;
	bool bad_ext = false; /* keep walking, so that the caller still learns the upper layer */
	for (int n = 0;; n++) {
		if (nh != PROTO_HOPOPTS && nh != PROTO_DSTOPTS && nh != PROTO_ROUTING && nh != PROTO_FRAGMENT)
			break;
		if (n == MAX_EXT_HEADERS)
			return XLAT_DROP_TOO_MANY_EXT_HEADERS;
		unsigned off = IPV6_HDR_LEN + ext_len;
		if (nh == PROTO_FRAGMENT) {
			const uint8_t *f = cursor_take(&c, FRAG6_HDR_LEN);
			if (!f)
				return XLAT_DROP_TRUNCATED;
			if (v->has_frag)
				bad_ext = true;
			v->has_frag = true;
			uint16_t om = be16_at(f + 2);
			v->frag_off = om >> 3;
			v->mf = om & 1;
			v->frag_id = be32_at(f + 4);
			nh = f[0];
			ext_len += FRAG6_HDR_LEN;
			if (v->frag_off)
				break; /* a later fragment: what follows is payload, not headers */
			continue;
		}
		/* RFC 7915 section 5.1 (Total Length): an extension header after the fragment header
		 * cannot be translated; the packet is dropped. */
		if (v->has_frag)
			bad_ext = true;
		const uint8_t *e = cursor_take(&c, 2);
		if (!e)
			return XLAT_DROP_TRUNCATED;
		unsigned elen = (e[1] + 1u) * 8;
		if (!cursor_skip(&c, elen - 2))
			return XLAT_DROP_TRUNCATED;
		if (nh == PROTO_ROUTING) {
			/* Segments Left is the fourth byte: we took two, the rest of the header is skipped. */
			const uint8_t *r = p + off;
			if (r[3] != 0 && !v->segleft_ptr)
				v->segleft_ptr = off + 3;
		}
		nh = e[0];
		ext_len += elen;
	}
	v->proto = nh;
	v->l4_off = IPV6_HDR_LEN + ext_len;
	v->l4 = p + v->l4_off;
	v->l4_avail = c.left;
	v->l4_len = v->payload_len - ext_len;
	if (bad_ext)
		return XLAT_DROP_EXT_HEADER;
	/* RFC 8200 section 4.5: no fragment may reach past the largest possible packet. */
	if (v->has_frag && v->frag_off * 8u + v->l4_len > 0xffff)
		return XLAT_DROP_BAD_LENGTH;
	if (mode == PARSE_OUTER && v->segleft_ptr)
		return XLAT_DROP_SEGMENTS_LEFT;
	return XLAT_DROP_NONE;
}

/* ---- writing ------------------------------------------------------------------------------- */


void xlat_frag6_write(uint8_t *f, uint8_t next, uint16_t off8, bool mf, uint32_t id)
{
	f[0] = next;
	f[1] = 0;
	put_be16(f + 2, (uint16_t)(off8 << 3 | (mf ? 1 : 0)));
	put_be32(f + 4, id);
}


void xlat_l4_ports_read(uint8_t proto, const uint8_t *l4, size_t avail, bool first, struct xlat_tuple *t)
{
	t->proto = proto;
	t->has_ports = false;
	t->hairpin = false;
	t->fragment = false;
	t->frag_id = 0;
	t->tcp_flags = 0;
	t->sport = t->dport = 0;
	if (!first)
		return;
	if ((proto == PROTO_TCP || proto == PROTO_UDP) && avail >= 4) {
		t->sport = be16_at(l4);
		t->dport = be16_at(l4 + 2);
		t->has_ports = true;
		if (proto == PROTO_TCP && avail > TCP_FLAGS_OFF)
			t->tcp_flags = l4[TCP_FLAGS_OFF];
	} else if ((proto == PROTO_ICMP || proto == PROTO_ICMPV6) && avail >= 8) {
		t->sport = t->dport = be16_at(l4 + 4); /* echo identifier */
		t->has_ports = true;
	}
}
