/* Shared by the translation fuzz targets: the first FZ_CFG_BYTES input bytes choose the configuration,
 * the rest is the packet. Layout (kept in step with fuzz/make_corpus.py):
 *   byte 0: bits 0-2 pool6 length (32, 40, 48, 56, 64, 96, 96, 96), bit 3 an EAM entry
 *           198.51.100.0/24 = 2001:db8:eeee::/120, bit 4 rfc6791v4, bit 5 rfc6791v6,
 *           bit 6 amend-udp-checksum-zero, bit 7 router (decrement TTL)
 *   byte 1: bits 0-2 mtu6, bits 3-4 lowest-ipv6-mtu (clamped to mtu6), bits 5-7 mtu4
 *   byte 2: bit 0 self4, bit 1 self6, bit 2 fix the IPv4 header checksum, bit 3 fix the transport
 *           checksum (so that mutated packets get past validation), bit 4 no pool6 (when an EAM is set),
 *           bit 5 zero-traffic-class, bit 6 tos 0xb8 (RFC 7915 4.1 and 5.1 options)
 * pool6 is 2001:db8:6464:6464:6464:6464::/96 cut to its length. */
#ifndef XLAT464_FUZZ_COMMON_H
#define XLAT464_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_packet.h"
#include "xlat/xlat.h"

enum { FZ_CFG_BYTES = 3 };

static const unsigned fz_pool6_len[8] = { 32, 40, 48, 56, 64, 96, 96, 96 };
static const uint16_t fz_mtu6[8] = { 1280, 1300, 1400, 1500, 1501, 4000, 9000, 65535 };
static const uint16_t fz_lowest[4] = { 1280, 1400, 1500, 65535 };
static const uint16_t fz_mtu4[8] = { 576, 1000, 1280, 1400, 1500, 1501, 9000, 65535 };

struct fz_state {
	struct xlat_config cfg;
	struct xlat_siit_map map;
	struct xlat_ctx ctx;
	struct xlat_out out;
	struct chk_setup su;
	bool fix_hdr, fix_l4;
};

static void fz_setup(struct fz_state *st, const uint8_t *c)
{
	static const uint8_t base6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x64, 0x64, 0x64, 0x64,
					   0x64, 0x64, 0x64, 0x64 };
	struct xlat_config *cfg = &st->cfg;
	memset(&st->map, 0, sizeof(st->map));
	xlat_config_init(cfg);

	bool eam = c[0] & 0x08;
	unsigned plen = fz_pool6_len[c[0] & 7];
	struct xlat_prefix6 pool6;
	memcpy(pool6.addr, base6, 16);
	for (unsigned b = plen; b < 128; b++)
		pool6.addr[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
	pool6.len = (uint8_t)plen;
	xlat_siit_map_set_pool6(&st->map, eam && (c[2] & 0x10) ? NULL : &pool6);
	if (eam) {
		struct xlat_prefix4 v4 = { { 198, 51, 100, 0 }, 24 };
		struct xlat_prefix6 v6 = { { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee }, 120 };
		const char *why = NULL;
		if (xlat_siit_map_add_eam(&st->map, &v4, &v6, &why) != 0)
			chk_fail("EAM setup: %s", why ? why : "?");
	}
	cfg->policy = xlat_siit_policy(&st->map);
	cfg->has_rfc6791v4 = c[0] & 0x10;
	cfg->has_rfc6791v6 = c[0] & 0x20;
	memcpy(cfg->rfc6791v4, (const uint8_t[4]){ 192, 0, 2, 254 }, 4);
	memcpy(cfg->rfc6791v6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1 }, 16);
	cfg->amend_udp_zero_csum = c[0] & 0x40;
	cfg->decrement_ttl = c[0] & 0x80;
	cfg->mtu6 = fz_mtu6[c[1] & 7];
	cfg->lowest_ipv6_mtu = fz_lowest[(c[1] >> 3) & 3];
	if (cfg->lowest_ipv6_mtu > cfg->mtu6)
		cfg->lowest_ipv6_mtu = cfg->mtu6;
	cfg->mtu4 = fz_mtu4[c[1] >> 5];
	cfg->has_self4 = c[2] & 0x01;
	cfg->has_self6 = c[2] & 0x02;
	memcpy(cfg->self4, (const uint8_t[4]){ 192, 0, 2, 253 }, 4);
	memcpy(cfg->self6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2 }, 16);
	cfg->zero_tclass = c[2] & 0x20;
	cfg->set_tos = c[2] & 0x40;
	cfg->tos = 0xb8;
	st->fix_hdr = c[2] & 0x04;
	st->fix_l4 = c[2] & 0x08;
	st->su.cfg = cfg;
	st->su.may_hairpin = eam && st->map.has_pool6;
	xlat_ctx_init(&st->ctx, cfg);
}

/* Translates data[FZ_CFG_BYTES..] as a packet of family (4: xlat_4to6, 6: xlat_6to4) and checks. */
__attribute__((unused)) static int fz_run(int family, const uint8_t *data, size_t size)
{
	static struct fz_state st;
	if (size < FZ_CFG_BYTES)
		return 0;
	fz_setup(&st, data);
	size_t n = size - FZ_CFG_BYTES;
	/* An exact-size copy: ASan then catches any read past the packet, and the checker can tell
	 * input pointers from everything else. */
	uint8_t *pkt = malloc(n ? n : 1);
	if (!pkt)
		return 0;
	memcpy(pkt, data + FZ_CFG_BYTES, n);
	chk_fix_checksums(family, pkt, n, st.fix_hdr, st.fix_l4);

	struct xlat_stats before = st.ctx.stats;
	st.out.action = (enum xlat_action)99; /* the translator must set it */
	st.out.npkts = 12345;
	if (family == 4)
		xlat_4to6(&st.ctx, pkt, n, &st.out);
	else
		xlat_6to4(&st.ctx, pkt, n, &st.out);
	static int verbose = -1;
	if (verbose < 0)
		verbose = getenv("FUZZ_VERBOSE") != NULL;
	if (verbose)
		fprintf(stderr, "fuzz: %zu bytes -> action %d reason %s, %u packets\n", n, (int)st.out.action,
			(unsigned)st.out.reason < XLAT_DROP__COUNT ? xlat_drop_name(st.out.reason) : "?",
			st.out.npkts);
	if (setjmp(chk_jmp) == 0)
		chk_output(&st.su, family, pkt, n, &st.ctx, &before, &st.out);
	free(pkt);
	return 0;
}

#endif
