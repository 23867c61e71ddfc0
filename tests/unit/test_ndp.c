/* lib/ndp against messages written byte by byte from RFC 4861 section 4, RFC 8106 section 5.1 and
 * RFC 8781 section 4. Checksums in the vectors are computed here with the naive reference sum of
 * testutil.h, not with the library's. Addresses: fe80::/10, 2001:db8::/32, 64:ff9b::/96; MACs from
 * the documentation block 00:00:5e:00:53:xx (RFC 7042 section 2.1.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "ndp/ndp.h"
#include "testutil.h"

static uint8_t LL_ROUTER[16], LL_HOST[16], ALL_NODES[16], GLOBAL1[16], GLOBAL2[16], UNSPEC[16], SNM2[16];

static int setup_addrs(void **state)
{
	t_v6("fe80::1", LL_ROUTER);
	t_v6("fe80::2", LL_HOST);
	t_v6("ff02::1", ALL_NODES);
	t_v6("2001:db8::1", GLOBAL1);
	t_v6("2001:db8::2", GLOBAL2);
	t_v6("::", UNSPEC);
	t_v6("ff02::1:ff00:2", SNM2);
	return 0;
}

/* Writes the ICMPv6 checksum with the naive reference (RFC 8200 section 8.1 pseudo-header). */
static void fix_csum(const uint8_t src[16], const uint8_t dst[16], uint8_t *m, size_t len)
{
	m[2] = m[3] = 0;
	uint64_t start = (uint64_t)t_naive_sum(src, 16, 0) + t_naive_sum(dst, 16, 0) + (len >> 16) + (len & 0xffff) + 58;
	uint16_t c = t_naive_csum(m, len, start);
	m[2] = (uint8_t)(c >> 8);
	m[3] = (uint8_t)c;
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/* ---- the reference RA ----------------------------------------------------------------------- */

/* RFC 4861 4.2 header, then SLLA (4.6.1), MTU (4.6.4), Prefix Information (4.6.2), RDNSS (RFC 8106
 * 5.1) and PREF64 (RFC 8781 4). */
static const uint8_t RA_VEC[] = {
	0x86, 0x00, 0x00, 0x00,             /* type 134, code 0, checksum (filled in) */
	0x40, 0xc0, 0x07, 0x08,             /* cur hop limit 64, M|O, router lifetime 1800 */
	0x00, 0x00, 0x75, 0x30,             /* reachable time 30000 ms */
	0x00, 0x00, 0x03, 0xe8,             /* retrans timer 1000 ms */
	0x01, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, /* SLLA 00:00:5e:00:53:01 */
	0x05, 0x01, 0x00, 0x00, 0x00, 0x00, 0x05, 0xdc, /* MTU 1500 */
	0x03, 0x04, 0x40, 0xc0,             /* PIO, /64, L|A */
	0x00, 0x27, 0x8d, 0x00,             /* valid 2592000 */
	0x00, 0x09, 0x3a, 0x80,             /* preferred 604800 */
	0x00, 0x00, 0x00, 0x00,             /* reserved2 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, /* 2001:db8:1::/64 */
	0x19, 0x03, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x10, /* RDNSS, lifetime 3600 */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, /* 2001:db8:1::53 */
	0x26, 0x02, 0x07, 0x08,             /* PREF64: scaled lifetime 225 (1800 s) << 3 | PLC 0 (/96) */
	0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, /* 64:ff9b::/96 */
};
#define RA_VEC_LEN sizeof(RA_VEC)
static const size_t RA_VEC_OPT_ENDS[] = { 16, 24, 32, 64, 88, 104 }; /* option boundaries */

static void ra_vec(uint8_t *m)
{
	memcpy(m, RA_VEC, RA_VEC_LEN);
	fix_csum(LL_ROUTER, ALL_NODES, m, RA_VEC_LEN);
}

static void ra_vec_struct(struct ndp_ra *ra)
{
	memset(ra, 0, sizeof(*ra));
	ra->cur_hop_limit = 64;
	ra->managed = ra->other = true;
	ra->router_lifetime = 1800;
	ra->reachable = 30000;
	ra->retrans = 1000;
	ra->has_src_lladdr = true;
	memcpy(ra->src_lladdr, (const uint8_t[6]){ 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 }, 6);
	ra->has_mtu = true;
	ra->mtu = 1500;
	ra->nprefix = 1;
	t_v6("2001:db8:1::", ra->prefix[0].prefix);
	ra->prefix[0].len = 64;
	ra->prefix[0].onlink = ra->prefix[0].autonomous = true;
	ra->prefix[0].valid = 2592000;
	ra->prefix[0].preferred = 604800;
	ra->nrdnss = 1;
	t_v6("2001:db8:1::53", ra->rdnss[0]);
	ra->rdnss_lifetime = 3600;
	ra->npref64 = 1;
	t_v6("64:ff9b::", ra->pref64[0].prefix);
	ra->pref64[0].len = 96;
	ra->pref64[0].lifetime = 1800;
}

static void test_ra_parse_vector(void **state)
{
	uint8_t m[RA_VEC_LEN];
	ra_vec(m);
	struct ndp_ra ra, want;
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, sizeof(m), &ra), NDP_OK);
	ra_vec_struct(&want);
	assert_int_equal(ra.cur_hop_limit, 64);
	assert_true(ra.managed && ra.other);
	assert_int_equal(ra.router_lifetime, 1800);
	assert_int_equal(ra.reachable, 30000);
	assert_int_equal(ra.retrans, 1000);
	assert_true(ra.has_src_lladdr);
	assert_memory_equal(ra.src_lladdr, want.src_lladdr, 6);
	assert_true(ra.has_mtu);
	assert_int_equal(ra.mtu, 1500);
	assert_int_equal(ra.nprefix, 1);
	assert_int_equal(ra.prefix[0].len, 64);
	assert_true(ra.prefix[0].onlink && ra.prefix[0].autonomous);
	assert_int_equal(ra.prefix[0].valid, 2592000);
	assert_int_equal(ra.prefix[0].preferred, 604800);
	assert_memory_equal(ra.prefix[0].prefix, want.prefix[0].prefix, 16);
	assert_int_equal(ra.nrdnss, 1);
	assert_memory_equal(ra.rdnss[0], want.rdnss[0], 16);
	assert_int_equal(ra.rdnss_lifetime, 3600);
	assert_int_equal(ra.npref64, 1);
	assert_int_equal(ra.pref64[0].len, 96);
	assert_int_equal(ra.pref64[0].lifetime, 1800);
	assert_memory_equal(ra.pref64[0].prefix, want.pref64[0].prefix, 16);
	assert_int_equal(ra.nignored, 0);
	assert_int_equal(ra.ignored_reason, NDP_OK);
	assert_true(ndp_ra_same(&ra, &want));
}

static void test_ra_build_vector(void **state)
{
	uint8_t want[RA_VEC_LEN], buf[NDP_RA_MAX_LEN];
	ra_vec(want);
	struct ndp_ra ra;
	ra_vec_struct(&ra);
	size_t n = ndp_build_ra(LL_ROUTER, ALL_NODES, &ra, buf, sizeof(buf));
	assert_int_equal(n, RA_VEC_LEN);
	assert_memory_equal(buf, want, RA_VEC_LEN);
	/* Every capacity below the length fails without writing past cap. */
	for (size_t cap = 0; cap < RA_VEC_LEN; cap++) {
		uint8_t *small = malloc(cap ? cap : 1);
		assert_int_equal(ndp_build_ra(LL_ROUTER, ALL_NODES, &ra, small, cap), 0);
		free(small);
	}
	/* Counts beyond the arrays, or a PREF64 that cannot be encoded, refuse to build. */
	ra.npref64 = NDP_MAX_PREF64 + 1;
	assert_int_equal(ndp_build_ra(LL_ROUTER, ALL_NODES, &ra, buf, sizeof(buf)), 0);
	ra.npref64 = 1;
	ra.pref64[0].len = 80;
	assert_int_equal(ndp_build_ra(LL_ROUTER, ALL_NODES, &ra, buf, sizeof(buf)), 0);
}

static void test_ra_round_trip_full(void **state)
{
	/* Every list at its maximum: the longest RA the builder writes parses back to the same content. */
	struct ndp_ra ra, back;
	ra_vec_struct(&ra);
	static const uint8_t lens[] = { 96, 64, 56, 48, 40, 32, 96, 64 };
	ra.npref64 = NDP_MAX_PREF64;
	ra.nprefix = NDP_MAX_PREFIX;
	ra.nrdnss = NDP_MAX_RDNSS;
	for (unsigned i = 0; i < NDP_MAX_PREF64; i++) {
		t_v6("2001:db8:6464:6464:6464:6464::", ra.pref64[i].prefix);
		ra.pref64[i].prefix[3] = (uint8_t)i;
		ra.pref64[i].len = lens[i];
		for (unsigned b = lens[i]; b < 128; b++)
			ra.pref64[i].prefix[b / 8] &= (uint8_t)~(0x80u >> (b % 8));
		ra.pref64[i].lifetime = 8 * i;
	}
	for (unsigned i = 0; i < NDP_MAX_PREFIX; i++) {
		t_v6("2001:db8:1::", ra.prefix[i].prefix);
		ra.prefix[i].prefix[5] = (uint8_t)i;
		ra.prefix[i].len = 64;
		ra.prefix[i].onlink = i & 1;
		ra.prefix[i].autonomous = i & 2;
		ra.prefix[i].valid = 1000 + i;
		ra.prefix[i].preferred = 500 + i;
	}
	for (unsigned i = 0; i < NDP_MAX_RDNSS; i++) {
		t_v6("2001:db8:53::", ra.rdnss[i]);
		ra.rdnss[i][15] = (uint8_t)i;
	}
	/* a full DNSSL option: names of one-byte labels ("a.a.a...", 127 labels, 255 bytes), then the root */
	for (unsigned i = 0; i + 1 < NDP_DNSSL_WIRE_MAX; i += 2) {
		ra.dnssl[i] = 1;
		ra.dnssl[i + 1] = 'a';
	}
	ra.dnssl[NDP_DNSSL_WIRE_MAX - 1] = 0;
	ra.dnssl_len = NDP_DNSSL_WIRE_MAX;
	ra.dnssl_lifetime = 1200;
	uint8_t buf[NDP_RA_MAX_LEN];
	size_t n = ndp_build_ra(LL_ROUTER, ALL_NODES, &ra, buf, sizeof(buf));
	assert_int_equal(n, NDP_RA_MAX_LEN);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, buf, n, &back), NDP_OK);
	/* the parser reads no DNSSL (a host's business; nothing here uses it): compare the rest */
	ra.dnssl_len = 0;
	ra.dnssl_lifetime = 0;
	memset(ra.dnssl, 0, sizeof(ra.dnssl));
	assert_true(ndp_ra_same(&ra, &back));
	assert_int_equal(back.nignored, 0);
	/* The checksum the library wrote agrees with the naive one. */
	uint8_t again[NDP_RA_MAX_LEN];
	memcpy(again, buf, n);
	fix_csum(LL_ROUTER, ALL_NODES, again, n);
	assert_memory_equal(again, buf, n);
}

/* Truncation at every length with the original checksum must fail; with a checksum recomputed for
 * the shorter message, it must fail with NDP_TRUNCATED except exactly at an option boundary. */
static void test_ra_truncated_every_length(void **state)
{
	uint8_t full[RA_VEC_LEN];
	ra_vec(full);
	for (size_t len = 0; len < RA_VEC_LEN; len++) {
		uint8_t *m = malloc(len ? len : 1); /* exact size: ASan catches any read past len */
		memcpy(m, full, len);
		struct ndp_ra ra;
		memset(&ra, 0xa5, sizeof(ra));
		enum ndp_result r = ndp_parse_ra(LL_ROUTER, ALL_NODES, m, len, &ra);
		if (r == NDP_OK)
			fail_msg("len %zu accepted with the full message's checksum", len);
		assert_true(all_zero(&ra, sizeof(ra)));

		bool boundary = false;
		for (size_t i = 0; i < sizeof(RA_VEC_OPT_ENDS) / sizeof(RA_VEC_OPT_ENDS[0]); i++)
			boundary |= len == RA_VEC_OPT_ENDS[i];
		if (len >= 4)
			fix_csum(LL_ROUTER, ALL_NODES, m, len);
		r = ndp_parse_ra(LL_ROUTER, ALL_NODES, m, len, &ra);
		if (boundary)
			assert_int_equal(r, NDP_OK);
		else if (r != NDP_TRUNCATED)
			fail_msg("len %zu: %s, want truncated", len, ndp_result_name(r));
		free(m);
	}
}

static void test_ra_bad_checksum(void **state)
{
	uint8_t m[RA_VEC_LEN];
	ra_vec(m);
	struct ndp_ra ra;
	/* One flipped bit anywhere changes the sum by a power of two: always caught. */
	for (size_t i = 1; i < RA_VEC_LEN; i++)
		for (unsigned bit = 0; bit < 8; bit++) {
			m[i] ^= (uint8_t)(1u << bit);
			assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, sizeof(m), &ra), NDP_BAD_CHECKSUM);
			assert_true(all_zero(&ra, sizeof(ra)));
			m[i] ^= (uint8_t)(1u << bit);
		}
	/* The pseudo-header counts: another source or destination breaks it. */
	assert_int_equal(ndp_parse_ra(LL_HOST, ALL_NODES, m, sizeof(m), &ra), NDP_BAD_CHECKSUM);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, LL_HOST, m, sizeof(m), &ra), NDP_BAD_CHECKSUM);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, sizeof(m), &ra), NDP_OK);
}

static void test_ra_header_rules(void **state)
{
	uint8_t m[RA_VEC_LEN];
	struct ndp_ra ra;

	ra_vec(m);
	m[0] = NDP_ICMP6_NEIGHBOR_ADVERT;
	fix_csum(LL_ROUTER, ALL_NODES, m, sizeof(m));
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, sizeof(m), &ra), NDP_BAD_TYPE);

	ra_vec(m);
	m[1] = 1;
	fix_csum(LL_ROUTER, ALL_NODES, m, sizeof(m));
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, sizeof(m), &ra), NDP_BAD_CODE);

	/* RFC 4861 6.1.2: the source must be link-local. fe80::/10 includes febf::, not fec0::. */
	static const char *const srcs[] = { "2001:db8::1", "::", "fec0::1", "ff02::1" };
	for (size_t i = 0; i < 4; i++) {
		uint8_t src[16];
		t_v6(srcs[i], src);
		memcpy(m, RA_VEC, sizeof(m));
		fix_csum(src, ALL_NODES, m, sizeof(m));
		assert_int_equal(ndp_parse_ra(src, ALL_NODES, m, sizeof(m), &ra), NDP_SRC_NOT_LINK_LOCAL);
	}
	uint8_t febf[16];
	t_v6("febf::1", febf);
	memcpy(m, RA_VEC, sizeof(m));
	fix_csum(febf, ALL_NODES, m, sizeof(m));
	assert_int_equal(ndp_parse_ra(febf, ALL_NODES, m, sizeof(m), &ra), NDP_OK);

	/* A bare 16-byte RA (no options) is fine; the reserved flag bits are ignored. */
	memcpy(m, RA_VEC, 16);
	m[5] = 0x3f;
	fix_csum(LL_ROUTER, ALL_NODES, m, 16);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, 16, &ra), NDP_OK);
	assert_false(ra.managed || ra.other || ra.has_mtu || ra.has_src_lladdr);
	assert_int_equal(ra.npref64 + ra.nprefix + ra.nrdnss, 0);
}

/* ---- option walk ---------------------------------------------------------------------------- */

/* An RA header followed by the given options, checksummed. */
static size_t ra_with(uint8_t *m, const uint8_t *opts, size_t olen)
{
	memcpy(m, RA_VEC, 16);
	memcpy(m + 16, opts, olen);
	fix_csum(LL_ROUTER, ALL_NODES, m, 16 + olen);
	return 16 + olen;
}

static void test_zero_length_option(void **state)
{
	uint8_t m[600];
	struct ndp_ra ra;
	/* A zero-length option first, after a good option, and after good PREF64s: the RA is dropped
	 * whole (RFC 4861 section 4.6), nothing half-filled. */
	static const uint8_t zero_first[] = { 0x26, 0x00, 0, 0, 0, 0, 0, 0 };
	size_t n = ra_with(m, zero_first, sizeof(zero_first));
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_ZERO_OPTION_LENGTH);
	assert_true(all_zero(&ra, sizeof(ra)));

	uint8_t opts[64];
	memcpy(opts, RA_VEC + 88, 16);                      /* the PREF64 of the vector */
	memcpy(opts + 16, (const uint8_t[8]){ 0x05, 0x00 }, 8); /* MTU with length 0 */
	n = ra_with(m, opts, 24);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_ZERO_OPTION_LENGTH);
	assert_true(all_zero(&ra, sizeof(ra)));

	/* An unknown type with length 0 also rejects (the walk cannot step over it). */
	n = ra_with(m, (const uint8_t[8]){ 0xc8, 0x00 }, 8);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_ZERO_OPTION_LENGTH);

	/* And in NS and NA. */
	uint8_t ns[32] = { 0x87, 0, 0, 0, 0, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, [23] = 2, 0x01, 0x00 };
	fix_csum(GLOBAL1, SNM2, ns, sizeof(ns));
	struct ndp_ns s;
	assert_int_equal(ndp_parse_ns(GLOBAL1, SNM2, ns, sizeof(ns), &s), NDP_ZERO_OPTION_LENGTH);
	uint8_t na[32] = { 0x88, 0, 0, 0, 0x60, 0, 0, 0, 0x20, 0x01, 0x0d, 0xb8, [23] = 2, 0x02, 0x00 };
	fix_csum(GLOBAL2, GLOBAL1, na, sizeof(na));
	struct ndp_na a;
	assert_int_equal(ndp_parse_na(GLOBAL2, GLOBAL1, na, sizeof(na), &a), NDP_ZERO_OPTION_LENGTH);
}

static void test_option_overrun(void **state)
{
	uint8_t m[64];
	struct ndp_ra ra;
	/* PREF64 claiming 3 units (24 bytes) with 16 present; then a lone trailing byte. */
	uint8_t opts[16];
	memcpy(opts, RA_VEC + 88, 16);
	opts[1] = 3;
	size_t n = ra_with(m, opts, 16);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_TRUNCATED);
	uint8_t tail[17];
	memcpy(tail, RA_VEC + 88, 16);
	tail[16] = 0x01;
	n = ra_with(m, tail, 17);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_TRUNCATED);
	/* Length 255 (2040 bytes) in a short message: the subtraction-style check, no overflow. */
	opts[1] = 0xff;
	n = ra_with(m, opts, 16);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_TRUNCATED);
}

static void test_too_many_options(void **state)
{
	uint8_t m[16 + 8 * (NDP_MAX_OPTIONS + 1)];
	uint8_t opts[8 * (NDP_MAX_OPTIONS + 1)];
	for (size_t i = 0; i <= NDP_MAX_OPTIONS; i++)
		memcpy(opts + 8 * i, (const uint8_t[8]){ 0xc8, 0x01 }, 8); /* unknown type 200 */
	struct ndp_ra ra;
	size_t n = ra_with(m, opts, 8 * NDP_MAX_OPTIONS);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_int_equal(ra.nignored, 0); /* unknown options are skipped, not "ignored as malformed" */
	n = ra_with(m, opts, 8 * (NDP_MAX_OPTIONS + 1));
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_TOO_MANY_OPTIONS);
}

static void test_malformed_known_options_ignored(void **state)
{
	uint8_t m[256];
	struct ndp_ra ra;
	static const uint8_t opts[] = {
		0x01, 0x02, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, /* SLLA, 16 bytes */
		0x05, 0x02, 0, 0, 0, 0, 0x05, 0xdc, 0, 0, 0, 0, 0, 0, 0, 0, /* MTU with length 2 */
		0x19, 0x02, 0, 0, 0, 0, 0x0e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, /* RDNSS with length 2 (< 3) */
		0x19, 0x04, 0, 0, 0, 0, 0x0e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, /* RDNSS with length 4 (even) */
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x03, 0x04, 0x81, 0xc0, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 0, /* PIO with prefix length 129 */
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
		0x26, 0x03, 0x07, 0x08, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, /* PREF64 length 3 */
		0, 0, 0, 0, 0, 0, 0, 0,
		0x26, 0x02, 0x07, 0x0e, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, /* PREF64 PLC 6 */
		0x26, 0x02, 0x07, 0x0f, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, /* PREF64 PLC 7 */
		0x26, 0x02, 0x07, 0x08, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, /* the good one */
		0x18, 0x01, 0, 0, 0, 0, 0, 0,                                   /* unknown (RIO): skipped */
	};
	size_t n = ra_with(m, opts, sizeof(opts));
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_false(ra.has_src_lladdr);
	assert_false(ra.has_mtu);
	assert_int_equal(ra.nrdnss, 0);
	assert_int_equal(ra.rdnss_lifetime, 0);
	assert_int_equal(ra.nprefix, 0);
	assert_int_equal(ra.npref64, 1);
	assert_int_equal(ra.pref64[0].len, 96);
	assert_int_equal(ra.nignored, 8);
	assert_int_equal(ra.ignored_reason, NDP_BAD_OPTION_LENGTH);

	/* The first reason is kept: here the PLC. */
	n = ra_with(m, opts + 136, 16 * 3);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_int_equal(ra.nignored, 2);
	assert_int_equal(ra.ignored_reason, NDP_BAD_PREF64_LENGTH_CODE);
	n = ra_with(m, opts + 80, 32);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_int_equal(ra.ignored_reason, NDP_BAD_PREFIX_LENGTH);
}

static void test_repeated_options(void **state)
{
	uint8_t m[512];
	struct ndp_ra ra;
	static const uint8_t opts[] = {
		0x01, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, /* first SLLA wins */
		0x01, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02,
		0x05, 0x01, 0, 0, 0, 0, 0x05, 0xdc, /* first MTU wins */
		0x05, 0x01, 0, 0, 0, 0, 0x05, 0x00,
		0x19, 0x05, 0, 0, 0, 0, 0x0e, 0x10, /* RDNSS, 2 addresses, 3600 s */
		0x20, 0x01, 0x0d, 0xb8, 0, 0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
		0x20, 0x01, 0x0d, 0xb8, 0, 0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
		0x19, 0x03, 0, 0, 0, 0, 0x02, 0x58, /* RDNSS, 1 address, 600 s: the minimum wins */
		0x20, 0x01, 0x0d, 0xb8, 0, 0x53, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3,
	};
	size_t n = ra_with(m, opts, sizeof(opts));
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_int_equal(ra.src_lladdr[5], 0x01);
	assert_int_equal(ra.mtu, 1500);
	assert_int_equal(ra.nrdnss, 3);
	assert_int_equal(ra.rdnss[2][15], 3);
	assert_int_equal(ra.rdnss_lifetime, 600);
	assert_int_equal(ra.nignored, 0);

	/* Nine RDNSS addresses in one option: eight kept, the option counted as partly ignored. */
	uint8_t big[8 + 16 * 9] = { 0x19, 1 + 2 * 9, 0, 0, 0, 0, 0x0e, 0x10 };
	for (int i = 0; i < 9; i++) {
		big[8 + 16 * i] = 0x20;
		big[8 + 16 * i + 15] = (uint8_t)i;
	}
	n = ra_with(m, big, sizeof(big));
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_int_equal(ra.nrdnss, NDP_MAX_RDNSS);
	assert_int_equal(ra.rdnss_lifetime, 3600);
	assert_int_equal(ra.nignored, 1);
	assert_int_equal(ra.ignored_reason, NDP_LIST_FULL);
}

/* ---- PREF64 --------------------------------------------------------------------------------- */

/* Each PLC (RFC 8781 section 4) with the prefix field full of ones beyond the prefix: decoding keeps
 * exactly len bits; encoding writes zeros there. */
static void test_pref64_each_plc(void **state)
{
	static const unsigned plc_len[] = { 96, 64, 56, 48, 40, 32 };
	for (unsigned plc = 0; plc < 6; plc++) {
		uint8_t opt[16] = { 0x26, 0x02, 0x00, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff,
				    0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
		unsigned len = plc_len[plc];
		uint16_t word = (uint16_t)(600 / 8 << 3 | plc); /* 600 s = scaled 75 */
		opt[2] = (uint8_t)(word >> 8);
		opt[3] = (uint8_t)word;
		struct ndp_pref64 p;
		assert_int_equal(ndp_pref64_decode(opt, &p), NDP_OK);
		assert_int_equal(p.len, len);
		assert_int_equal(p.lifetime, 600);
		assert_int_equal(ndp_pref64_plc_to_len(plc), len);
		assert_int_equal(ndp_pref64_len_to_plc(len), (int)plc);
		uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8 };
		for (unsigned b = 32; b < len; b++)
			want[b / 8] |= (uint8_t)(0x80u >> (b % 8));
		assert_memory_equal(p.prefix, want, 16);

		uint8_t enc[16];
		assert_true(ndp_pref64_encode(&p, enc));
		assert_memory_equal(enc, opt, 4);
		assert_memory_equal(enc + 4, want, 12);
		struct ndp_pref64 again;
		assert_int_equal(ndp_pref64_decode(enc, &again), NDP_OK);
		assert_int_equal(again.len, p.len);
		assert_int_equal(again.lifetime, p.lifetime);
		assert_memory_equal(again.prefix, p.prefix, 16);
	}
	/* The example of RFC 8781 section 4's figure, filled in: 64:ff9b::/96, 1800 s. */
	struct ndp_pref64 wkp = { .len = 96, .lifetime = 1800 };
	t_v6("64:ff9b::", wkp.prefix);
	uint8_t enc[16];
	assert_true(ndp_pref64_encode(&wkp, enc));
	assert_memory_equal(enc, RA_VEC + 88, 16);
	/* Encoding zeroes prefix bits the caller left set beyond the length. */
	wkp.prefix[12] = 0xc0;
	wkp.prefix[15] = 0xaa;
	assert_true(ndp_pref64_encode(&wkp, enc));
	assert_memory_equal(enc, RA_VEC + 88, 16);
}

static void test_pref64_bad(void **state)
{
	uint8_t opt[16];
	struct ndp_pref64 p = { .len = 77 };
	for (unsigned plc = 6; plc < 8; plc++) {
		memcpy(opt, RA_VEC + 88, 16);
		opt[3] = (uint8_t)((opt[3] & 0xf8) | plc);
		assert_int_equal(ndp_pref64_decode(opt, &p), NDP_BAD_PREF64_LENGTH_CODE);
		assert_int_equal(p.len, 77); /* untouched */
	}
	memcpy(opt, RA_VEC + 88, 16);
	opt[1] = 1;
	assert_int_equal(ndp_pref64_decode(opt, &p), NDP_BAD_OPTION_LENGTH);
	opt[1] = 3;
	assert_int_equal(ndp_pref64_decode(opt, &p), NDP_BAD_OPTION_LENGTH);
	opt[1] = 2;
	opt[0] = NDP_OPT_RDNSS;
	assert_int_equal(ndp_pref64_decode(opt, &p), NDP_BAD_OPTION_TYPE);

	/* Encoding refuses lengths outside the six and lifetimes beyond 65528 s. */
	static const unsigned bad_len[] = { 0, 8, 24, 33, 72, 80, 95, 97, 128, 255 };
	struct ndp_pref64 e = { .lifetime = 8 };
	for (size_t i = 0; i < sizeof(bad_len) / sizeof(bad_len[0]); i++) {
		e.len = (uint8_t)bad_len[i];
		assert_false(ndp_pref64_encode(&e, opt));
		assert_int_equal(ndp_pref64_len_to_plc(bad_len[i]), -1);
	}
	assert_int_equal(ndp_pref64_plc_to_len(6), 0);
	assert_int_equal(ndp_pref64_plc_to_len(7), 0);
	e.len = 96;
	e.lifetime = 65528;
	assert_true(ndp_pref64_encode(&e, opt));
	assert_int_equal(opt[2], 0xff);
	assert_int_equal(opt[3], 0xf8);
	e.lifetime = 65529;
	assert_false(ndp_pref64_encode(&e, opt));
	e.lifetime = UINT32_MAX;
	assert_false(ndp_pref64_encode(&e, opt));
	/* Lifetime 0 means "stop using it" and is encodable. */
	e.lifetime = 0;
	assert_true(ndp_pref64_encode(&e, opt));
	assert_int_equal(opt[2], 0);
	assert_int_equal(opt[3], 0);
}

static void test_pref64_scaled_lifetime(void **state)
{
	assert_int_equal(ndp_pref64_scaled_lifetime(0), 0);
	assert_int_equal(ndp_pref64_scaled_lifetime(1), 1);
	assert_int_equal(ndp_pref64_scaled_lifetime(7), 1);
	assert_int_equal(ndp_pref64_scaled_lifetime(8), 1);
	assert_int_equal(ndp_pref64_scaled_lifetime(9), 2);
	assert_int_equal(ndp_pref64_scaled_lifetime(1800), 225);
	assert_int_equal(ndp_pref64_scaled_lifetime(65520), 8190);
	assert_int_equal(ndp_pref64_scaled_lifetime(65521), 8191);
	assert_int_equal(ndp_pref64_scaled_lifetime(65528), 8191);
	assert_int_equal(ndp_pref64_scaled_lifetime(65529), 8191);
	assert_int_equal(ndp_pref64_scaled_lifetime(UINT32_MAX), 8191);

	/* A lifetime that is not a multiple of 8 is rounded up, never down. */
	struct ndp_pref64 p = { .len = 96, .lifetime = 1801 }, back;
	uint8_t opt[16];
	assert_true(ndp_pref64_encode(&p, opt));
	assert_int_equal(ndp_pref64_decode(opt, &back), NDP_OK);
	assert_int_equal(back.lifetime, 1808);

	/* RFC 8781 4.1: default 3 * MaxRtrAdvInterval, in 8 s units, at most 8191 units. */
	assert_int_equal(ndp_pref64_default_lifetime(600), 1800);  /* RFC 4861 default interval */
	assert_int_equal(ndp_pref64_default_lifetime(601), 1808);  /* 1803 rounded up */
	assert_int_equal(ndp_pref64_default_lifetime(4), 16);      /* 12 rounded up */
	assert_int_equal(ndp_pref64_default_lifetime(0), 0);
	assert_int_equal(ndp_pref64_default_lifetime(1800), 5400);
	assert_int_equal(ndp_pref64_default_lifetime(21843), 65528);
	assert_int_equal(ndp_pref64_default_lifetime(UINT32_MAX), 65528);
	for (uint32_t iv = 4; iv <= 21842; iv += 97) {
		uint32_t lt = ndp_pref64_default_lifetime(iv);
		assert_true(ndp_pref64_lifetime_covers(lt, iv));
		assert_true(lt % 8 == 0 && lt - 3 * iv < 8);
	}
	assert_true(ndp_pref64_lifetime_covers(1800, 600));
	assert_false(ndp_pref64_lifetime_covers(1792, 600));
	assert_false(ndp_pref64_lifetime_covers(65528, UINT32_MAX));
}

static void test_multiple_pref64(void **state)
{
	uint8_t m[16 + 16 * 10];
	uint8_t opts[16 * 10];
	static const unsigned lens[] = { 96, 64, 32 };
	for (unsigned i = 0; i < 10; i++) {
		struct ndp_pref64 p = { .len = (uint8_t)lens[i % 3], .lifetime = 8 * (i + 1) };
		t_v6("2001:db8:64::", p.prefix);
		p.prefix[3] = (uint8_t)(0xb8 + i); /* 2001:db8:: .. 2001:dc1:: */
		assert_true(ndp_pref64_encode(&p, opts + 16 * i));
	}
	struct ndp_ra ra;
	size_t n = ra_with(m, opts, 16 * 3);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_int_equal(ra.npref64, 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(ra.pref64[i].len, lens[i]);
		assert_int_equal(ra.pref64[i].lifetime, 8 * (i + 1));
		assert_int_equal(ra.pref64[i].prefix[3], 0xb8 + i);
	}
	assert_int_equal(ra.pref64[0].prefix[5], 0x64);  /* kept inside a /96 */
	assert_int_equal(ra.pref64[2].prefix[5], 0);     /* cut by the /32 */

	n = ra_with(m, opts, 16 * 10);
	assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, m, n, &ra), NDP_OK);
	assert_int_equal(ra.npref64, NDP_MAX_PREF64);
	assert_int_equal(ra.nignored, 10 - NDP_MAX_PREF64);
	assert_int_equal(ra.ignored_reason, NDP_LIST_FULL);
	assert_int_equal(ra.pref64[7].prefix[3], 0xb8 + 7);
}

/* ---- NS and NA ------------------------------------------------------------------------------ */

/* NS from 2001:db8::1 for 2001:db8::2, to its solicited-node group, with SLLA (RFC 4861 4.3). */
static const uint8_t NS_VEC[] = {
	0x87, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x01, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01,
};

/* Solicited NA from 2001:db8::2 back to 2001:db8::1, S|O, with TLLA (RFC 4861 4.4). */
static const uint8_t NA_VEC[] = {
	0x88, 0x00, 0x00, 0x00, 0x60, 0x00, 0x00, 0x00,
	0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02,
	0x02, 0x01, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02,
};

static void test_ns_vector_and_round_trip(void **state)
{
	uint8_t m[sizeof(NS_VEC)], buf[NDP_NS_MAX_LEN];
	memcpy(m, NS_VEC, sizeof(m));
	fix_csum(GLOBAL1, SNM2, m, sizeof(m));
	struct ndp_ns ns;
	assert_int_equal(ndp_parse_ns(GLOBAL1, SNM2, m, sizeof(m), &ns), NDP_OK);
	assert_memory_equal(ns.target, GLOBAL2, 16);
	assert_true(ns.has_src_lladdr);
	assert_memory_equal(ns.src_lladdr, ((const uint8_t[6]){ 0, 0, 0x5e, 0, 0x53, 1 }), 6);

	size_t n = ndp_build_ns(GLOBAL1, SNM2, &ns, buf, sizeof(buf));
	assert_int_equal(n, sizeof(NS_VEC));
	assert_memory_equal(buf, m, n);
	for (size_t cap = 0; cap < n; cap++)
		assert_int_equal(ndp_build_ns(GLOBAL1, SNM2, &ns, buf, cap), 0);

	/* Without SLLA; unicast NS (NUD) is fine too. */
	ns.has_src_lladdr = false;
	n = ndp_build_ns(GLOBAL1, GLOBAL2, &ns, buf, sizeof(buf));
	assert_int_equal(n, NDP_NS_HDR_LEN);
	struct ndp_ns back;
	assert_int_equal(ndp_parse_ns(GLOBAL1, GLOBAL2, buf, n, &back), NDP_OK);
	assert_false(back.has_src_lladdr);
	assert_memory_equal(back.target, GLOBAL2, 16);
}

static void test_ns_dad(void **state)
{
	/* RFC 4862 5.4.2: the probe from :: carries no SLLA, whatever the caller asked. */
	struct ndp_ns ns = { .has_src_lladdr = true, .src_lladdr = { 0, 0, 0x5e, 0, 0x53, 1 } };
	memcpy(ns.target, GLOBAL2, 16);
	uint8_t buf[NDP_NS_MAX_LEN];
	size_t n = ndp_build_ns(UNSPEC, SNM2, &ns, buf, sizeof(buf));
	assert_int_equal(n, NDP_NS_HDR_LEN);
	struct ndp_ns back;
	assert_int_equal(ndp_parse_ns(UNSPEC, SNM2, buf, n, &back), NDP_OK);
	assert_false(back.has_src_lladdr);

	/* RFC 4861 7.1.1: from :: with an SLLA, or not to a solicited-node group: dropped. */
	uint8_t m[sizeof(NS_VEC)];
	memcpy(m, NS_VEC, sizeof(m));
	fix_csum(UNSPEC, SNM2, m, sizeof(m));
	assert_int_equal(ndp_parse_ns(UNSPEC, SNM2, m, sizeof(m), &back), NDP_DAD_WITH_LLADDR);
	assert_true(all_zero(&back, sizeof(back)));
	/* An SLLA that is malformed (16 bytes long) but present is refused as well. */
	uint8_t m2[40] = { 0 };
	memcpy(m2, NS_VEC, sizeof(NS_VEC));
	m2[25] = 2;
	fix_csum(UNSPEC, SNM2, m2, sizeof(m2));
	assert_int_equal(ndp_parse_ns(UNSPEC, SNM2, m2, sizeof(m2), &back), NDP_DAD_WITH_LLADDR);

	n = ndp_build_ns(UNSPEC, GLOBAL2, &ns, buf, sizeof(buf));
	assert_int_equal(ndp_parse_ns(UNSPEC, GLOBAL2, buf, n, &back), NDP_DAD_NOT_SOLICITED_NODE);
	n = ndp_build_ns(UNSPEC, ALL_NODES, &ns, buf, sizeof(buf));
	assert_int_equal(ndp_parse_ns(UNSPEC, ALL_NODES, buf, n, &back), NDP_DAD_NOT_SOLICITED_NODE);
}

static void test_ns_rules(void **state)
{
	uint8_t m[sizeof(NS_VEC)];
	struct ndp_ns ns;
	memcpy(m, NS_VEC, sizeof(m));
	m[8] = 0xff; /* target ff01:db8::2 */
	fix_csum(GLOBAL1, SNM2, m, sizeof(m));
	assert_int_equal(ndp_parse_ns(GLOBAL1, SNM2, m, sizeof(m), &ns), NDP_BAD_TARGET);
	memcpy(m, NS_VEC, sizeof(m));
	m[1] = 9;
	fix_csum(GLOBAL1, SNM2, m, sizeof(m));
	assert_int_equal(ndp_parse_ns(GLOBAL1, SNM2, m, sizeof(m), &ns), NDP_BAD_CODE);
	assert_int_equal(ndp_parse_ns(GLOBAL1, SNM2, NA_VEC, sizeof(NA_VEC), &ns), NDP_BAD_TYPE);
	memcpy(m, NS_VEC, sizeof(m));
	fix_csum(GLOBAL1, SNM2, m, sizeof(m));
	m[30] ^= 1;
	assert_int_equal(ndp_parse_ns(GLOBAL1, SNM2, m, sizeof(m), &ns), NDP_BAD_CHECKSUM);
	/* Other options in an NS (a PREF64, say) are skipped. */
	uint8_t big[sizeof(NS_VEC) + 16];
	memcpy(big, NS_VEC, sizeof(NS_VEC));
	memcpy(big + sizeof(NS_VEC), RA_VEC + 88, 16);
	fix_csum(GLOBAL1, SNM2, big, sizeof(big));
	assert_int_equal(ndp_parse_ns(GLOBAL1, SNM2, big, sizeof(big), &ns), NDP_OK);
	assert_true(ns.has_src_lladdr);
}

static void test_na_vector_and_round_trip(void **state)
{
	uint8_t m[sizeof(NA_VEC)], buf[NDP_NA_MAX_LEN];
	memcpy(m, NA_VEC, sizeof(m));
	fix_csum(GLOBAL2, GLOBAL1, m, sizeof(m));
	struct ndp_na na;
	assert_int_equal(ndp_parse_na(GLOBAL2, GLOBAL1, m, sizeof(m), &na), NDP_OK);
	assert_memory_equal(na.target, GLOBAL2, 16);
	assert_false(na.router);
	assert_true(na.solicited && na.override);
	assert_true(na.has_tgt_lladdr);
	assert_int_equal(na.tgt_lladdr[5], 0x02);
	size_t n = ndp_build_na(GLOBAL2, GLOBAL1, &na, buf, sizeof(buf));
	assert_int_equal(n, sizeof(NA_VEC));
	assert_memory_equal(buf, m, n);
	for (size_t cap = 0; cap < n; cap++)
		assert_int_equal(ndp_build_na(GLOBAL2, GLOBAL1, &na, buf, cap), 0);

	/* Every flag combination round-trips. */
	for (unsigned f = 0; f < 16; f++) {
		struct ndp_na a = { .router = f & 1, .solicited = f & 2, .override = f & 4, .has_tgt_lladdr = f & 8 };
		memcpy(a.target, GLOBAL2, 16);
		memcpy(a.tgt_lladdr, (const uint8_t[6]){ 0, 0, 0x5e, 0, 0x53, (uint8_t)f }, 6);
		n = ndp_build_na(GLOBAL2, GLOBAL1, &a, buf, sizeof(buf));
		struct ndp_na b;
		assert_int_equal(ndp_parse_na(GLOBAL2, GLOBAL1, buf, n, &b), NDP_OK);
		assert_int_equal(b.router, a.router);
		assert_int_equal(b.solicited, a.solicited);
		assert_int_equal(b.override, a.override);
		assert_int_equal(b.has_tgt_lladdr, a.has_tgt_lladdr);
		if (a.has_tgt_lladdr)
			assert_memory_equal(b.tgt_lladdr, a.tgt_lladdr, 6);
	}
}

static void test_na_rules(void **state)
{
	uint8_t buf[NDP_NA_MAX_LEN];
	struct ndp_na na = { .solicited = true, .override = true }, back;
	memcpy(na.target, GLOBAL2, 16);
	/* RFC 4861 7.1.2: to a multicast destination the S flag must be clear. */
	size_t n = ndp_build_na(GLOBAL2, ALL_NODES, &na, buf, sizeof(buf));
	assert_int_equal(ndp_parse_na(GLOBAL2, ALL_NODES, buf, n, &back), NDP_SOLICITED_TO_MULTICAST);
	assert_true(all_zero(&back, sizeof(back)));
	na.solicited = false; /* an unsolicited NA, as after DAD */
	n = ndp_build_na(GLOBAL2, ALL_NODES, &na, buf, sizeof(buf));
	assert_int_equal(ndp_parse_na(GLOBAL2, ALL_NODES, buf, n, &back), NDP_OK);
	/* Multicast target. */
	t_v6("ff02::2", na.target);
	n = ndp_build_na(GLOBAL2, ALL_NODES, &na, buf, sizeof(buf));
	assert_int_equal(ndp_parse_na(GLOBAL2, ALL_NODES, buf, n, &back), NDP_BAD_TARGET);
	/* Code, type. */
	memcpy(na.target, GLOBAL2, 16);
	n = ndp_build_na(GLOBAL2, ALL_NODES, &na, buf, sizeof(buf));
	buf[1] = 1;
	fix_csum(GLOBAL2, ALL_NODES, buf, n);
	assert_int_equal(ndp_parse_na(GLOBAL2, ALL_NODES, buf, n, &back), NDP_BAD_CODE);
	uint8_t m[sizeof(NS_VEC)];
	memcpy(m, NS_VEC, sizeof(m));
	fix_csum(GLOBAL1, SNM2, m, sizeof(m));
	assert_int_equal(ndp_parse_na(GLOBAL1, SNM2, m, sizeof(m), &back), NDP_BAD_TYPE);
}

static void check_truncations(const uint8_t *vec, size_t full, const uint8_t src[16], const uint8_t dst[16],
			      bool is_ns)
{
	uint8_t good[64];
	memcpy(good, vec, full);
	fix_csum(src, dst, good, full);
	for (size_t len = 0; len < full; len++) {
		uint8_t *m = malloc(len ? len : 1);
		memcpy(m, good, len);
		for (int pass = 0; pass < 2; pass++) {
			if (pass == 1 && len >= 4)
				fix_csum(src, dst, m, len);
			enum ndp_result r;
			if (is_ns) {
				struct ndp_ns ns;
				r = ndp_parse_ns(src, dst, m, len, &ns);
				if (r != NDP_OK)
					assert_true(all_zero(&ns, sizeof(ns)));
			} else {
				struct ndp_na na;
				r = ndp_parse_na(src, dst, m, len, &na);
				if (r != NDP_OK)
					assert_true(all_zero(&na, sizeof(na)));
			}
			bool boundary = len == 24; /* the fixed part alone is a whole message */
			if (pass == 0 && r == NDP_OK)
				fail_msg("len %zu accepted with the full message's checksum", len);
			if (pass == 1 && boundary != (r == NDP_OK))
				fail_msg("len %zu: %s", len, ndp_result_name(r));
			if (pass == 1 && !boundary && r != NDP_TRUNCATED)
				fail_msg("len %zu: %s, want truncated", len, ndp_result_name(r));
		}
		free(m);
	}
}

static void test_ns_na_truncated_every_length(void **state)
{
	check_truncations(NS_VEC, sizeof(NS_VEC), GLOBAL1, SNM2, true);
	check_truncations(NA_VEC, sizeof(NA_VEC), GLOBAL2, GLOBAL1, false);
}

/* ---- addresses and names -------------------------------------------------------------------- */

static void test_solicited_node_and_mac(void **state)
{
	static const struct {
		const char *addr, *snm;
		uint8_t mac[6];
	} cases[] = {
		/* RFC 4291 section 2.7.1's example: 4037::01:800:200E:8C6C -> FF02::1:FF0E:8C6C */
		{ "4037::1:800:200e:8c6c", "ff02::1:ff0e:8c6c", { 0x33, 0x33, 0xff, 0x0e, 0x8c, 0x6c } },
		{ "2001:db8::2", "ff02::1:ff00:2", { 0x33, 0x33, 0xff, 0x00, 0x00, 0x02 } },
		{ "fe80::200:5eff:fe00:5301", "ff02::1:ff00:5301", { 0x33, 0x33, 0xff, 0x00, 0x53, 0x01 } },
		{ "2001:db8::abcd:ef12:3456", "ff02::1:ff12:3456", { 0x33, 0x33, 0xff, 0x12, 0x34, 0x56 } },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t a[16], want[16], got[16], mac[6];
		t_v6(cases[i].addr, a);
		t_v6(cases[i].snm, want);
		ndp_solicited_node(a, got);
		assert_memory_equal(got, want, 16);
		assert_true(ndp_is_solicited_node(got));
		assert_false(ndp_is_solicited_node(a));
		ndp_multicast_mac(got, mac);
		assert_memory_equal(mac, cases[i].mac, 6);
		ndp_solicited_node(a, a); /* in place */
		assert_memory_equal(a, want, 16);
	}
	/* RFC 2464 section 7: 33:33 and the low 32 bits of the group. */
	uint8_t mac[6];
	ndp_multicast_mac(ALL_NODES, mac);
	assert_memory_equal(mac, ((const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 1 }), 6);
	uint8_t routers[16];
	t_v6("ff02::2", routers);
	ndp_multicast_mac(routers, mac);
	assert_memory_equal(mac, ((const uint8_t[6]){ 0x33, 0x33, 0, 0, 0, 2 }), 6);

	assert_true(ndp_is_link_local(LL_ROUTER));
	assert_false(ndp_is_link_local(GLOBAL1));
	assert_true(ndp_is_multicast(ALL_NODES));
	assert_true(ndp_is_unspecified(UNSPEC));
	assert_false(ndp_is_unspecified(GLOBAL1));
}

static void test_result_names(void **state)
{
	for (int r = 0; r < NDP__RESULT_COUNT; r++) {
		const char *n = ndp_result_name((enum ndp_result)r);
		assert_non_null(n);
		assert_true(strlen(n) > 0);
		assert_non_null(ndp_result_desc((enum ndp_result)r));
		for (int q = 0; q < r; q++)
			assert_string_not_equal(n, ndp_result_name((enum ndp_result)q));
	}
	assert_string_equal(ndp_result_name(NDP_OK), "ok");
	assert_string_equal(ndp_result_name(NDP_ZERO_OPTION_LENGTH), "zero-option-length");
	assert_string_equal(ndp_result_name(NDP__RESULT_COUNT), "unknown");
	assert_string_equal(ndp_result_name((enum ndp_result)-1), "unknown");
}

/* Random messages through every parser (a small in-tree fuzz, so `make unit` covers it under ASan):
 * each mutation of a valid message, checksum refreshed or not, must come back cleanly. */
static void test_random_mutations(void **state)
{
	uint64_t s = t_seed("ndp mutations");
	uint8_t base[RA_VEC_LEN];
	ra_vec(base);
	for (int round = 0; round < 20000; round++) {
		uint8_t m[RA_VEC_LEN];
		memcpy(m, base, sizeof(m));
		unsigned flips = 1 + t_rand_below(&s, 4);
		for (unsigned f = 0; f < flips; f++)
			m[t_rand_below(&s, RA_VEC_LEN)] = (uint8_t)t_rand(&s);
		size_t len = t_rand_below(&s, RA_VEC_LEN + 1);
		if (len >= 4 && (round & 1))
			fix_csum(LL_ROUTER, ALL_NODES, m, len);
		struct ndp_ra ra;
		struct ndp_ns ns;
		struct ndp_na na;
		enum ndp_result r = ndp_parse_ra(LL_ROUTER, ALL_NODES, m, len, &ra);
		assert_true((unsigned)r < NDP__RESULT_COUNT);
		if (r == NDP_OK) {
			uint8_t out[NDP_RA_MAX_LEN];
			struct ndp_ra back;
			size_t n = ndp_build_ra(LL_ROUTER, ALL_NODES, &ra, out, sizeof(out));
			assert_true(n > 0);
			assert_int_equal(ndp_parse_ra(LL_ROUTER, ALL_NODES, out, n, &back), NDP_OK);
			assert_true(ndp_ra_same(&ra, &back));
		}
		assert_true((unsigned)ndp_parse_ns(LL_ROUTER, ALL_NODES, m, len, &ns) < NDP__RESULT_COUNT);
		assert_true((unsigned)ndp_parse_na(LL_ROUTER, ALL_NODES, m, len, &na) < NDP__RESULT_COUNT);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ra_parse_vector),
		cmocka_unit_test(test_ra_build_vector),
		cmocka_unit_test(test_ra_round_trip_full),
		cmocka_unit_test(test_ra_truncated_every_length),
		cmocka_unit_test(test_ra_bad_checksum),
		cmocka_unit_test(test_ra_header_rules),
		cmocka_unit_test(test_zero_length_option),
		cmocka_unit_test(test_option_overrun),
		cmocka_unit_test(test_too_many_options),
		cmocka_unit_test(test_malformed_known_options_ignored),
		cmocka_unit_test(test_repeated_options),
		cmocka_unit_test(test_pref64_each_plc),
		cmocka_unit_test(test_pref64_bad),
		cmocka_unit_test(test_pref64_scaled_lifetime),
		cmocka_unit_test(test_multiple_pref64),
		cmocka_unit_test(test_ns_vector_and_round_trip),
		cmocka_unit_test(test_ns_dad),
		cmocka_unit_test(test_ns_rules),
		cmocka_unit_test(test_na_vector_and_round_trip),
		cmocka_unit_test(test_na_rules),
		cmocka_unit_test(test_ns_na_truncated_every_length),
		cmocka_unit_test(test_solicited_node_and_mac),
		cmocka_unit_test(test_result_names),
		cmocka_unit_test(test_random_mutations),
	};
	return cmocka_run_group_tests_name("ndp", tests, setup_addrs, NULL);
}
