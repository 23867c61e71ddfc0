/* libFuzzer target for lib/ndp: the RA, NS and NA parsers, and the PREF64 codec.
 * Input: byte 0 chooses the setting, the rest is the ICMPv6 message.
 *   bits 0-1 source: fe80::1, ::, 2001:db8::1, ff02::1
 *   bits 2-3 destination: ff02::1, ff02::1:ff00:2, 2001:db8::2, fe80::2
 *   bit 4    recompute the checksum (so that mutations get past it)
 *   bits 5-6 overwrite the type: keep, RA, NS, NA
 * Every message goes through all three parsers. Whatever parses must satisfy the documented
 * invariants, build back, and parse back to the same content; every decoded PREF64 must re-encode
 * and re-decode to itself. The first 16 message bytes also go straight to ndp_pref64_decode. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csum.h"
#include "ndp/ndp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#include "fz_check.h"

static const uint8_t fz_src[4][16] = {
	{ 0xfe, 0x80, [15] = 1 },
	{ 0 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 },
	{ 0xff, 0x02, [15] = 1 },
};
static const uint8_t fz_dst[4][16] = {
	{ 0xff, 0x02, [15] = 1 },
	{ 0xff, 0x02, [11] = 1, 0xff, 0, 0, 2 },
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
	{ 0xfe, 0x80, [15] = 2 },
};
static const uint8_t fz_type[4] = { 0, NDP_ICMP6_ROUTER_ADVERT, NDP_ICMP6_NEIGHBOR_SOLICIT, NDP_ICMP6_NEIGHBOR_ADVERT };

static bool bits_beyond_zero(const uint8_t p[16], unsigned len)
{
	for (unsigned b = len; b < 128; b++)
		if (p[b / 8] & (0x80u >> (b % 8)))
			return false;
	return true;
}

static void check_pref64(const struct ndp_pref64 *p)
{
	FZ_CHECK(ndp_pref64_len_to_plc(p->len) >= 0);
	FZ_CHECK(p->lifetime % 8 == 0 && p->lifetime <= NDP_PREF64_MAX_LIFETIME);
	FZ_CHECK(bits_beyond_zero(p->prefix, p->len));
	uint8_t opt[16];
	struct ndp_pref64 back;
	FZ_CHECK(ndp_pref64_encode(p, opt));
	FZ_CHECK(ndp_pref64_decode(opt, &back) == NDP_OK);
	FZ_CHECK(back.len == p->len && back.lifetime == p->lifetime);
	FZ_CHECK(memcmp(back.prefix, p->prefix, 16) == 0);
}

static void check_ra(const uint8_t *src, const uint8_t *dst, const struct ndp_ra *ra)
{
	FZ_CHECK(ra->npref64 <= NDP_MAX_PREF64 && ra->nprefix <= NDP_MAX_PREFIX && ra->nrdnss <= NDP_MAX_RDNSS);
	FZ_CHECK((ra->nignored == 0) == (ra->ignored_reason == NDP_OK));
	FZ_CHECK(ra->nrdnss > 0 || ra->rdnss_lifetime == 0);
	for (unsigned i = 0; i < ra->npref64; i++)
		check_pref64(&ra->pref64[i]);
	for (unsigned i = 0; i < ra->nprefix; i++)
		FZ_CHECK(ra->prefix[i].len <= 128 && bits_beyond_zero(ra->prefix[i].prefix, ra->prefix[i].len));

	static uint8_t buf[NDP_RA_MAX_LEN];
	size_t n = ndp_build_ra(src, dst, ra, buf, sizeof(buf));
	FZ_CHECK(n >= NDP_RA_HDR_LEN);
	FZ_CHECK(ndp_build_ra(src, dst, ra, buf, n - 1) == 0);
	struct ndp_ra back;
	enum ndp_result r = ndp_parse_ra(src, dst, buf, n, &back);
	FZ_CHECK(r == NDP_OK);
	FZ_CHECK(ndp_ra_same(ra, &back));
	FZ_CHECK(back.nignored == 0);
}

static void check_ns(const uint8_t *src, const uint8_t *dst, const struct ndp_ns *ns)
{
	FZ_CHECK(!ndp_is_multicast(ns->target));
	FZ_CHECK(!(ndp_is_unspecified(src) && ns->has_src_lladdr));
	uint8_t buf[NDP_NS_MAX_LEN];
	size_t n = ndp_build_ns(src, dst, ns, buf, sizeof(buf));
	FZ_CHECK(n >= NDP_NS_HDR_LEN);
	struct ndp_ns back;
	FZ_CHECK(ndp_parse_ns(src, dst, buf, n, &back) == NDP_OK);
	FZ_CHECK(memcmp(back.target, ns->target, 16) == 0 && back.has_src_lladdr == ns->has_src_lladdr);
	FZ_CHECK(!ns->has_src_lladdr || memcmp(back.src_lladdr, ns->src_lladdr, 6) == 0);
}

static void check_na(const uint8_t *src, const uint8_t *dst, const struct ndp_na *na)
{
	FZ_CHECK(!ndp_is_multicast(na->target));
	FZ_CHECK(!(ndp_is_multicast(dst) && na->solicited));
	uint8_t buf[NDP_NA_MAX_LEN];
	size_t n = ndp_build_na(src, dst, na, buf, sizeof(buf));
	FZ_CHECK(n >= NDP_NA_HDR_LEN);
	struct ndp_na back;
	FZ_CHECK(ndp_parse_na(src, dst, buf, n, &back) == NDP_OK);
	FZ_CHECK(memcmp(back.target, na->target, 16) == 0 && back.router == na->router &&
		 back.solicited == na->solicited && back.override == na->override &&
		 back.has_tgt_lladdr == na->has_tgt_lladdr);
	FZ_CHECK(!na->has_tgt_lladdr || memcmp(back.tgt_lladdr, na->tgt_lladdr, 6) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1 || size > 4096)
		return 0;
	uint8_t cfg = data[0];
	const uint8_t *src = fz_src[cfg & 3], *dst = fz_dst[(cfg >> 2) & 3];
	size_t len = size - 1;
	/* An exact-size copy: ASan sees any read past the message. */
	uint8_t *msg = malloc(len ? len : 1);
	if (!msg)
		return 0;
	memcpy(msg, data + 1, len);
	if (len >= 1 && fz_type[(cfg >> 5) & 3])
		msg[0] = fz_type[(cfg >> 5) & 3];
	if (len >= 4 && (cfg & 0x10)) {
		msg[2] = msg[3] = 0;
		uint16_t c = csum_fold(csum_partial(msg, len, csum_pseudo6(src, dst, NDP_NEXT_HEADER_ICMP6, (uint32_t)len)));
		msg[2] = (uint8_t)(c >> 8);
		msg[3] = (uint8_t)c;
	}

	struct ndp_ra ra;
	enum ndp_result r = ndp_parse_ra(src, dst, msg, len, &ra);
	FZ_CHECK((unsigned)r < NDP__RESULT_COUNT);
	if (r == NDP_OK)
		check_ra(src, dst, &ra);

	struct ndp_ns ns;
	r = ndp_parse_ns(src, dst, msg, len, &ns);
	FZ_CHECK((unsigned)r < NDP__RESULT_COUNT);
	if (r == NDP_OK)
		check_ns(src, dst, &ns);

	struct ndp_na na;
	r = ndp_parse_na(src, dst, msg, len, &na);
	FZ_CHECK((unsigned)r < NDP__RESULT_COUNT);
	if (r == NDP_OK)
		check_na(src, dst, &na);

	if (len >= NDP_PREF64_OPT_LEN) {
		struct ndp_pref64 p;
		if (ndp_pref64_decode(msg, &p) == NDP_OK) {
			check_pref64(&p);
			uint8_t opt[16];
			FZ_CHECK(ndp_pref64_encode(&p, opt));
			FZ_CHECK(memcmp(opt, msg, 4) == 0); /* type, length, lifetime and PLC exact */
		}
	}
	free(msg);
	return 0;
}
