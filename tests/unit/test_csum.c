/* lib/common/csum.h against a naive RFC 1071 reference, and the RFC 1624 property the translator
 * relies on: an incremental update equals a full recomputation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/csum.h"
#include "testutil.h"

#define PROPERTY_ROUNDS 20000

/* One's-complement equality: 0x0000 and 0xffff both mean zero. */
static bool csum_equiv(uint16_t a, uint16_t b)
{
	return a == b || ((a == 0 || a == 0xffff) && (b == 0 || b == 0xffff));
}

static void test_rfc1071_example(void **state)
{
	/* RFC 1071 section 3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (after the end-around carry). */
	static const uint8_t b[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };
	assert_int_equal(csum_fold16(csum_partial(b, sizeof(b), 0)), 0xddf2);
	assert_int_equal(csum_fold(csum_partial(b, sizeof(b), 0)), (uint16_t)~0xddf2);
	assert_int_equal(csum_fold16(csum_partial(b, 0, 0)), 0);
}

static void test_partial_vs_naive(void **state)
{
	uint64_t s = t_seed("csum_partial vs naive");
	static uint8_t buf[2100];
	for (int round = 0; round < PROPERTY_ROUNDS; round++) {
		size_t off = t_rand_below(&s, 8), len = t_rand_below(&s, 2048);
		uint32_t start = t_rand_below(&s, 0x20000);
		if (round % 7 == 0)
			memset(buf, 0xff, sizeof(buf)); /* worst case for carries */
		else
			t_rand_bytes(&s, buf, sizeof(buf));
		uint16_t want = t_naive_sum(buf + off, len, start);
		uint16_t got = csum_fold16(csum_partial(buf + off, len, start));
		if (!csum_equiv(want, got))
			fail_msg("round %d off %zu len %zu start %u: naive %04x, csum_partial %04x", round, off, len,
				 start, want, got);
		/* Chaining over an even split equals one pass. */
		size_t cut = len ? (t_rand_below(&s, (uint32_t)len + 1) & ~(size_t)1) : 0;
		uint16_t chained = csum_fold16(csum_partial(buf + off + cut, len - cut, csum_partial(buf + off, cut, start)));
		if (!csum_equiv(chained, got))
			fail_msg("round %d: chained at %zu gives %04x, one pass %04x", round, cut, chained, got);
	}
}

static void test_pseudo_headers(void **state)
{
	uint64_t s = t_seed("pseudo headers");
	for (int round = 0; round < PROPERTY_ROUNDS; round++) {
		uint8_t h4[20] = { 0 }, h6[40] = { 0 };
		t_rand_bytes(&s, h4 + 12, 8);
		t_rand_bytes(&s, h6 + 8, 32);
		uint8_t proto = (uint8_t)t_rand(&s);
		uint32_t len4 = t_rand_below(&s, 65536), len6 = (uint32_t)t_rand(&s);
		uint16_t want4 = t_naive_sum((const uint8_t *)"", 0, t_pseudo4(h4, proto, len4));
		uint16_t got4 = csum_fold16(csum_pseudo4(h4 + 12, h4 + 16, proto, len4));
		assert_true(csum_equiv(want4, got4));
		uint16_t want6 = t_naive_sum((const uint8_t *)"", 0, t_pseudo6(h6, proto, len6));
		uint16_t got6 = csum_fold16(csum_pseudo6(h6 + 8, h6 + 24, proto, len6));
		assert_true(csum_equiv(want6, got6));
	}
}

/* A random transport segment (UDP, TCP or ICMPv6 shape: only the checksum offset matters) whose
 * pseudo-header changes from IPv4 to IPv6 addresses or between two IPv4 address pairs: the RFC 1624
 * update of the checksum must equal the checksum computed from scratch. */
static void test_replace_equals_recompute(void **state)
{
	uint64_t s = t_seed("csum_replace property");
	static uint8_t seg[1600];
	for (int round = 0; round < PROPERTY_ROUNDS; round++) {
		bool tcp = t_rand(&s) & 1;
		size_t coff = tcp ? 16 : 6, len = (tcp ? 20 : 8) + t_rand_below(&s, 1400);
		t_rand_bytes(&s, seg, len);
		seg[coff] = seg[coff + 1] = 0;
		uint8_t proto = tcp ? T_PROTO_TCP : T_PROTO_UDP;
		uint8_t h4[20] = { 0 }, h4b[20] = { 0 }, h6[40] = { 0 };
		t_rand_bytes(&s, h4 + 12, 8);
		t_rand_bytes(&s, h4b + 12, 8);
		t_rand_bytes(&s, h6 + 8, 32);

		uint32_t old_ph = csum_pseudo4(h4 + 12, h4 + 16, proto, (uint32_t)len);
		uint16_t c4 = csum_fold(csum_partial(seg, len, old_ph));
		put_be16(seg + coff, c4);
		assert_int_equal(t_naive_sum(seg, len, t_pseudo4(h4, proto, len)), 0xffff);

		/* 4to6: uncover the IPv4 pseudo-header, cover the IPv6 one. */
		uint32_t ph6 = csum_pseudo6(h6 + 8, h6 + 24, proto, (uint32_t)len);
		uint16_t inc6 = csum_replace(c4, old_ph, ph6);
		seg[coff] = seg[coff + 1] = 0;
		uint16_t full6 = csum_fold(csum_partial(seg, len, ph6));
		if (!csum_equiv(inc6, full6))
			fail_msg("round %d (%s, %zu bytes): incremental %04x, full %04x", round, tcp ? "TCP" : "UDP",
				 len, inc6, full6);
		/* The result is a valid checksum by the naive reference as well. */
		put_be16(seg + coff, inc6);
		assert_int_equal(t_naive_sum(seg, len, t_pseudo6(h6, proto, len)), 0xffff);

		/* 6to4 back to another IPv4 pair. */
		uint32_t ph4b = csum_pseudo4(h4b + 12, h4b + 16, proto, (uint32_t)len);
		uint16_t inc4 = csum_replace(inc6, ph6, ph4b);
		seg[coff] = seg[coff + 1] = 0;
		uint16_t full4 = csum_fold(csum_partial(seg, len, ph4b));
		if (!csum_equiv(inc4, full4))
			fail_msg("round %d: 6to4 incremental %04x, full %04x", round, inc4, full4);

		/* A wrong checksum stays wrong by the same amount (what the translator forwards). */
		uint16_t wrong = (uint16_t)(c4 ^ 0x0100);
		uint16_t inc_wrong = csum_replace(wrong, old_ph, ph6);
		uint32_t d_in = (uint32_t)(uint16_t)~wrong + c4, d_out = (uint32_t)(uint16_t)~inc_wrong + inc6;
		if (!csum_equiv(csum_fold16(d_in), csum_fold16(d_out)))
			fail_msg("round %d: error not preserved: %04x vs %04x", round, csum_fold16(d_in),
				 csum_fold16(d_out));
	}
}

/* Replacing a 16-bit field (an ICMP type, a port) incrementally equals recomputing. */
static void test_replace_field(void **state)
{
	uint64_t s = t_seed("csum_replace field");
	uint8_t m[64];
	for (int round = 0; round < PROPERTY_ROUNDS; round++) {
		t_rand_bytes(&s, m, sizeof(m));
		m[2] = m[3] = 0;
		uint16_t c = csum_fold(csum_partial(m, sizeof(m), 0));
		size_t f = 4 + 2 * t_rand_below(&s, 30);
		uint8_t old[2] = { m[f], m[f + 1] };
		t_rand_bytes(&s, m + f, 2);
		uint16_t inc = csum_replace(c, csum_partial(old, 2, 0), csum_partial(m + f, 2, 0));
		uint16_t full = csum_fold(csum_partial(m, sizeof(m), 0));
		if (!csum_equiv(inc, full))
			fail_msg("round %d field %zu: incremental %04x, full %04x", round, f, inc, full);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep our lines in order with cmocka's */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc1071_example),
		cmocka_unit_test(test_partial_vs_naive),
		cmocka_unit_test(test_pseudo_headers),
		cmocka_unit_test(test_replace_equals_recompute),
		cmocka_unit_test(test_replace_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
