/* Checksum and segmentation offload around the core (offload.h says how and why). */
#include "offload.h"

#include <string.h>

#include "common/csum.h"
#include "internal.h"

enum { TCP_CSUM_OFFSET = 16, TCP_MIN_HDR = 20 };

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

void xlat_vnet_read(const uint8_t b[XLAT_VNET_HDR_LEN], struct xlat_vnet *h)
{
	h->flags = b[0];
	h->gso_type = b[1];
	h->hdr_len = le16(b + 2);
	h->gso_size = le16(b + 4);
	h->csum_start = le16(b + 6);
	h->csum_offset = le16(b + 8);
}

void xlat_vnet_write(const struct xlat_vnet *h, uint8_t b[XLAT_VNET_HDR_LEN])
{
	b[0] = h->flags;
	b[1] = h->gso_type;
	put_le16(b + 2, h->hdr_len);
	put_le16(b + 4, h->gso_size);
	put_le16(b + 6, h->csum_start);
	put_le16(b + 8, h->csum_offset);
}

/* A TCP super-packet the core and the kernel can both take: IPv4 without options and not a
 * fragment, or IPv6 without extension headers, carrying TCP, its checksum where TCP's is. Returns the
 * offset of the TCP header, or 0. */
static size_t gso_tcp_offset(const uint8_t *pkt, size_t len, const struct xlat_vnet *in)
{
	unsigned type = in->gso_type & ~XLAT_VNET_GSO_ECN;
	size_t l4;
	if (type == XLAT_VNET_GSO_TCPV4) {
		if (len < IPV4_HDR_LEN || pkt[0] != 0x45 || pkt[9] != PROTO_TCP || (be16_at(pkt + 6) & 0x3fff) != 0 ||
		    be16_at(pkt + 2) != len)
			return 0; /* options, another protocol, a fragment, bytes beyond the packet */
		l4 = IPV4_HDR_LEN;
	} else if (type == XLAT_VNET_GSO_TCPV6) {
		if (len < IPV6_HDR_LEN || pkt[0] >> 4 != 6 || pkt[6] != PROTO_TCP || be16_at(pkt + 4) + (size_t)IPV6_HDR_LEN != len)
			return 0; /* an extension header, another protocol, bytes beyond the packet */
		l4 = IPV6_HDR_LEN;
	} else {
		return 0; /* UDP segmentation: not advertised, not taken */
	}
	if (in->csum_start != l4 || in->csum_offset != TCP_CSUM_OFFSET || len < l4 + TCP_MIN_HDR ||
	    (size_t)(pkt[l4 + 12] >> 4) * 4 < TCP_MIN_HDR || len < l4 + (size_t)(pkt[l4 + 12] >> 4) * 4)
		return 0;
	return l4;
}

enum xlat_drop xlat_offload_prepare(uint8_t *pkt, size_t len, const struct xlat_vnet *in)
{
	if (!xlat_vnet_is_gso(in)) {
		if (!(in->flags & XLAT_VNET_F_NEEDS_CSUM))
			return XLAT_DROP_NONE;
		/* the field holds the pseudo-header sum: summing from csum_start over it finishes the job */
		size_t start = in->csum_start, at = start + (size_t)in->csum_offset;
		if (start >= len || at + 2 > len)
			return XLAT_DROP_OFFLOAD_BAD_HEADER;
		uint16_t c = csum_fold(csum_partial(pkt + start, len - start, 0));
		put_be16(pkt + at, c ? c : 0xffff); /* 0 would mean "no checksum" to UDP; -0 is as good for TCP */
		return XLAT_DROP_NONE;
	}
	if (!(in->flags & XLAT_VNET_F_NEEDS_CSUM) || in->gso_size == 0)
		return XLAT_DROP_OFFLOAD_BAD_HEADER; /* nothing could finish the segments' checksums */
	size_t l4 = gso_tcp_offset(pkt, len, in);
	if (!l4)
		return XLAT_DROP_OFFLOAD_UNSUPPORTED;
	uint8_t *f = pkt + l4 + TCP_CSUM_OFFSET;
	put_be16(f, (uint16_t)~be16_at(f)); /* the core updates complemented checksums */
	return XLAT_DROP_NONE;
}

void xlat_offload_config(const struct xlat_config *cfg, struct xlat_config *lifted)
{
	*lifted = *cfg;
	/* above any packet: a 65535-byte IPv4 super-packet is 65555 bytes in IPv6 */
	lifted->mtu4 = lifted->mtu6 = lifted->lowest_ipv6_mtu = XLAT_OFFLOAD_NO_MTU;
}

/* The byte at off of a packet made of iovecs (the core's output points into its scratch space and
 * into the input, both the caller's memory). */
static uint8_t *pkt_at(struct xlat_pkt *p, size_t off)
{
	for (unsigned i = 0; i < p->niov; i++) {
		if (off < p->iov[i].iov_len)
			return (uint8_t *)p->iov[i].iov_base + off;
		off -= p->iov[i].iov_len;
	}
	return NULL;
}

enum xlat_drop xlat_offload_finish(const struct xlat_config *cfg, const struct xlat_vnet *in, const uint8_t *in_pkt,
				   size_t in_len, struct xlat_pkt *out, struct xlat_vnet *o)
{
	if (in->csum_start > in_len)
		return XLAT_DROP_OFFLOAD_BAD_HEADER;
	/* The transport part keeps its length: what changed is the IP header in front of it. */
	size_t l4_len = in_len - in->csum_start;
	if (out->len < l4_len + IPV4_HDR_LEN)
		return XLAT_DROP_OFFLOAD_UNSUPPORTED;
	size_t start = out->len - l4_len;
	uint8_t *hi = pkt_at(out, start + TCP_CSUM_OFFSET), *lo = pkt_at(out, start + TCP_CSUM_OFFSET + 1);
	const uint8_t *doff = pkt_at(out, start + 12);
	if (!hi || !lo || !doff || start > 0xffff)
		return XLAT_DROP_OFFLOAD_UNSUPPORTED;
	*hi = (uint8_t)~*hi; /* back to the partial sum (offload.h) */
	*lo = (uint8_t)~*lo;
	/* The core's RFC 1624 update took a port change (a NAT64's) in with the addresses, but a
	 * partial sum covers the pseudo-header only: the ports are summed with the rest of each segment
	 * when it is finished. Take their change back out: + old ports - new ports. */
	const uint8_t *in_l4 = in_pkt + in->csum_start;
	uint32_t sum = (uint32_t)(*hi << 8 | *lo);
	for (size_t k = 0; k < 4; k += 2) {
		const uint8_t *nh = pkt_at(out, start + k), *nl = pkt_at(out, start + k + 1);
		if (!nh || !nl || in->csum_start + k + 2 > in_len)
			return XLAT_DROP_OFFLOAD_UNSUPPORTED;
		sum += (uint32_t)be16_at(in_l4 + k) + (uint16_t)~(*nh << 8 | *nl);
	}
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	*hi = (uint8_t)(sum >> 8);
	*lo = (uint8_t)sum;
	size_t hdr = start + (size_t)(*doff >> 4) * 4;

	/* Each segment must fit the way out. */
	unsigned limit;
	if (out->family == 4) {
		limit = cfg->mtu4;
	} else {
		bool df = in_pkt[0] >> 4 == 4 ? (be16_at(in_pkt + 6) & 0x4000) != 0 : true;
		limit = cfg->mtu6;
		if (!df && cfg->lowest_ipv6_mtu < limit)
			limit = cfg->lowest_ipv6_mtu; /* RFC 7915 section 4.1, reached by segmenting */
	}
	if (limit <= hdr)
		return XLAT_DROP_OFFLOAD_UNSUPPORTED;
	memset(o, 0, sizeof(*o));
	o->flags = XLAT_VNET_F_NEEDS_CSUM;
	o->gso_type = (uint8_t)((out->family == 4 ? XLAT_VNET_GSO_TCPV4 : XLAT_VNET_GSO_TCPV6) |
				(in->gso_type & XLAT_VNET_GSO_ECN));
	o->csum_start = (uint16_t)start;
	o->csum_offset = TCP_CSUM_OFFSET;
	o->hdr_len = (uint16_t)hdr;
	o->gso_size = in->gso_size;
	if (o->gso_size > limit - hdr)
		o->gso_size = (uint16_t)(limit - hdr);
	return XLAT_DROP_NONE;
}

enum xlat_offload_path xlat_offload_translate(struct xlat_ctx *ctx, struct xlat_config *lifted, uint8_t *pkt,
					      size_t len, const struct xlat_vnet *in, struct xlat_out *out,
					      struct xlat_vnet *o, struct xlat_offload_stats *st)
{
	enum xlat_drop why = xlat_offload_prepare(pkt, len, in);
	if (why != XLAT_DROP_NONE) {
		ctx->stats.drops[why]++;
		return XLAT_OFFLOAD_DROPPED;
	}
	if (!xlat_vnet_is_gso(in)) {
		st->csum_completed += (in->flags & XLAT_VNET_F_NEEDS_CSUM) != 0;
		return XLAT_OFFLOAD_PLAIN;
	}
	/* the segments, not the super-packet, must fit: MTUs lifted for the core, kept for finish */
	const struct xlat_config *cfg = ctx->cfg;
	xlat_offload_config(cfg, lifted);
	ctx->cfg = lifted;
	xlat_translate(ctx, pkt, len, out);
	ctx->cfg = cfg;
	if (out->action != XLAT_FORWARD)
		return XLAT_OFFLOAD_OTHER;
	why = out->npkts == 1 ? xlat_offload_finish(cfg, in, pkt, len, &out->pkt[0], o) : XLAT_DROP_OFFLOAD_UNSUPPORTED;
	if (why != XLAT_DROP_NONE) {
		ctx->stats.drops[why]++;
		return XLAT_OFFLOAD_DROPPED;
	}
	st->super_packets++;
	st->super_bytes += len;
	return XLAT_OFFLOAD_SUPER;
}
