/* libFuzzer target: the TUN offload path (lib/xlat/offload.c) on arbitrary offload headers and
 * packets, as src/plat and src/siit run it (xlat_offload_translate). Input: FZ_CFG_BYTES of
 * configuration (fuzz/fuzz_common.h), one byte of choices (bit 0: the packet is IPv6, else IPv4;
 * bit 1: give a TCP super-packet a correct partial checksum first), the 10-byte virtio_net_hdr, then
 * the packet.
 *
 * Checked, independently of the code under test: an ordinary packet (after its checksum was finished)
 * gives what fuzz/check_packet.h accepts; a translated super-packet has a header that the kernel will
 * take (offsets inside the packet, the checksum field inside the transport part, segments that fit
 * the MTU of their side) and, when its input checksum was a correct partial sum, a partial checksum
 * that the kernel finishes into the right checksum of the translated bytes. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "xlat/offload.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t flat[CHK_PKT_MAX];

/* The partial sum a sender with checksum offload leaves in the TCP checksum field. */
static void fix_partial(int family, uint8_t *p, size_t len, size_t l4)
{
	if (len < l4 + 18)
		return;
	uint64_t s = family == 4 ? chk_pseudo(4, p + 12, p + 16, CHK_TCP, (uint32_t)(len - l4))
				 : chk_pseudo(6, p + 8, p + 24, CHK_TCP, (uint32_t)(len - l4));
	chk_put16(p + l4 + 16, chk_fold(s));
}

static void check_super(int family, const struct fz_state *st, const struct xlat_pkt *o, const struct xlat_vnet *h,
			bool partial_ok)
{
	size_t m = xlat_pkt_flatten(o, flat, sizeof(flat));
	CHK(m == o->len && m > 0, "flatten: %zu of %zu bytes", m, o->len);
	int fam = flat[0] >> 4;
	CHK(fam == 4 || fam == 6, "super-packet of version %d", fam);
	CHK((h->gso_type & ~XLAT_VNET_GSO_ECN) == (fam == 4 ? XLAT_VNET_GSO_TCPV4 : XLAT_VNET_GSO_TCPV6),
	    "gso type %u for an IPv%d packet", h->gso_type, fam);
	CHK(h->flags == XLAT_VNET_F_NEEDS_CSUM && h->csum_offset == 16, "flags %u, csum offset %u", h->flags,
	    h->csum_offset);
	CHK(h->csum_start == (fam == 4 ? 20 : 40), "csum start %u", h->csum_start);
	CHK((size_t)h->csum_start + 20 <= m && h->hdr_len <= m && h->hdr_len >= h->csum_start + 20,
	    "csum start %u, header %u, packet %zu", h->csum_start, h->hdr_len, m);
	CHK(flat[fam == 4 ? 9 : 6] == CHK_TCP, "not TCP");
	unsigned mtu = fam == 4 ? st->cfg.mtu4 : st->cfg.mtu6;
	CHK(h->gso_size > 0 && (unsigned)h->hdr_len + h->gso_size <= mtu, "segments of %u + %u bytes, MTU %u",
	    h->hdr_len, h->gso_size, mtu);
	CHK(fam == 4 ? chk_be16(flat + 2) == m : chk_be16(flat + 4) + 40u == m, "IP length field");
	if (!partial_ok)
		return;
	/* what the kernel does: ~sum over the transport part, the partial field included */
	unsigned finished = (~chk_fold(chk_sum(flat + h->csum_start, m - h->csum_start, 0))) & 0xffff;
	uint8_t *f = flat + h->csum_start + 16;
	unsigned keep = chk_be16(f);
	chk_put16(f, 0);
	uint64_t ps = fam == 4 ? chk_pseudo(4, flat + 12, flat + 16, CHK_TCP, (uint32_t)(m - h->csum_start))
			       : chk_pseudo(6, flat + 8, flat + 24, CHK_TCP, (uint32_t)(m - h->csum_start));
	unsigned scratch = (~chk_fold(chk_sum(flat + h->csum_start, m - h->csum_start, ps))) & 0xffff;
	chk_put16(f, keep);
	CHK(finished == scratch || (finished == 0xffff && scratch == 0) || (finished == 0 && scratch == 0xffff),
	    "the finished checksum %04x is not the translated packet's %04x", finished, scratch);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz_state st;
	if (size < FZ_CFG_BYTES + 1 + XLAT_VNET_HDR_LEN)
		return 0;
	fz_setup(&st, data);
	uint8_t choice = data[FZ_CFG_BYTES];
	int family = choice & 1 ? 6 : 4;
	struct xlat_vnet in;
	xlat_vnet_read(data + FZ_CFG_BYTES + 1, &in);
	size_t off = FZ_CFG_BYTES + 1 + XLAT_VNET_HDR_LEN, n = size - off;
	uint8_t *pkt = malloc(n ? n : 1); /* exact size: ASan sees any read past it */
	if (!pkt)
		return 0;
	memcpy(pkt, data + off, n);
	bool gso = xlat_vnet_is_gso(&in);
	if (!gso) {
		chk_fix_checksums(family, pkt, n, st.fix_hdr, st.fix_l4);
	} else {
		chk_fix_checksums(family, pkt, n, st.fix_hdr, false);
		if (choice & 2)
			fix_partial(family, pkt, n, family == 4 ? 20 : 40);
	}
	if (setjmp(chk_jmp) != 0) {
		free(pkt);
		return 0;
	}
	/* the daemons' step (xlat_offload_translate), its four ways out each checked */
	uint64_t off_drops = st.ctx.stats.drops[XLAT_DROP_OFFLOAD_BAD_HEADER] + st.ctx.stats.drops[XLAT_DROP_OFFLOAD_UNSUPPORTED];
	struct xlat_config lifted;
	struct xlat_vnet o;
	struct xlat_offload_stats ost = { 0 };
	enum xlat_offload_path path = xlat_offload_translate(&st.ctx, &lifted, pkt, n, &in, &st.out, &o, &ost);
	CHK(st.ctx.cfg == &st.cfg, "the configuration proper is not back");
	switch (path) {
	case XLAT_OFFLOAD_DROPPED:
		CHK(st.ctx.stats.drops[XLAT_DROP_OFFLOAD_BAD_HEADER] + st.ctx.stats.drops[XLAT_DROP_OFFLOAD_UNSUPPORTED] ==
			    off_drops + 1,
		    "a drop not counted under an offload reason");
		break;
	case XLAT_OFFLOAD_PLAIN: {
		CHK(!gso && ost.csum_completed == ((in.flags & XLAT_VNET_F_NEEDS_CSUM) != 0), "plain: gso %d, counted %llu",
		    gso, (unsigned long long)ost.csum_completed);
		/* an ordinary packet from here on: the core and the checker as in fuzz_4to6/6to4 */
		struct xlat_stats before = st.ctx.stats;
		if (family == 4)
			xlat_4to6(&st.ctx, pkt, n, &st.out);
		else
			xlat_6to4(&st.ctx, pkt, n, &st.out);
		chk_output(&st.su, family, pkt, n, &st.ctx, &before, &st.out);
		break;
	}
	case XLAT_OFFLOAD_SUPER:
		CHK(gso && (in.gso_type & ~XLAT_VNET_GSO_ECN) == (pkt[0] >> 4 == 4 ? XLAT_VNET_GSO_TCPV4 : XLAT_VNET_GSO_TCPV6),
		    "took an IPv%d super-packet of gso type %u", pkt[0] >> 4, in.gso_type);
		CHK(ost.super_packets == 1 && ost.super_bytes == n, "super-packet not counted");
		check_super(family, &st, &st.out.pkt[0], &o, choice & 2);
		break;
	case XLAT_OFFLOAD_OTHER:
		CHK(gso && st.out.action != XLAT_FORWARD, "other: gso %d, action %d", gso, (int)st.out.action);
		break;
	}
	free(pkt);
	return 0;
}
