/* Unit tests for the pure half of `xlat464 ra` (src/mostly/ra_proto.c): the strict Router Solicitation
 * parser (every reason), the RA content in both modes and the final RA (through lib/ndp's builder and
 * parser, so the PREF64 bytes are checked too), the random interval, and the RFC 4861 6.2.4-6.2.6
 * timing on a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Part of the xlat464 binary, not a library: compile them into this test. */
#include "../../src/mostly/ra_config.c"
#include "../../src/mostly/ra_proto.c"
#include "../../src/common/settings_table.c"
#include "../../src/common/value_parse.c"
#include "common/csum.h"

static const uint8_t ll_host[16] = { 0xfe, 0x80, [8] = 0x02, [9] = 0x11, [15] = 0x22 };
static const uint8_t ll_host2[16] = { 0xfe, 0x80, [15] = 0x33 };
static const uint8_t unspec[16];
static const uint8_t global_host[16] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 9 };
static const uint8_t ff02_2[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t ff02_1[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t mac[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

/* An RS with the given options, checksum filled for src -> ff02::2. */
static size_t make_rs(uint8_t *buf, const uint8_t src[16], const uint8_t *opts, size_t optlen)
{
	memset(buf, 0, RA_RS_HDR_LEN);
	buf[0] = NDP_ICMP6_ROUTER_SOLICIT;
	if (optlen)
		memcpy(buf + RA_RS_HDR_LEN, opts, optlen);
	size_t len = RA_RS_HDR_LEN + optlen;
	put_be16(buf + 2, csum_fold(csum_partial(buf, len, csum_pseudo6(src, ff02_2, NDP_NEXT_HEADER_ICMP6, (uint32_t)len))));
	return len;
}

static void test_rs_valid(void **state)
{
	uint8_t buf[64];
	struct ra_rs rs;
	uint8_t slla[8] = { NDP_OPT_SOURCE_LLADDR, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	size_t len = make_rs(buf, ll_host, slla, sizeof(slla));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_OK);
	assert_true(rs.has_src_lladdr);
	assert_memory_equal(rs.src_lladdr, mac, 6);
	/* Bare, from :: (no SLLA allowed then). */
	len = make_rs(buf, unspec, NULL, 0);
	assert_int_equal(ra_parse_rs(unspec, ff02_2, 255, buf, len, 6, &rs), RA_RS_OK);
	assert_false(rs.has_src_lladdr);
	/* An unknown option is skipped. */
	uint8_t unk[16] = { 200, 1, 0, 0, 0, 0, 0, 0, NDP_OPT_SOURCE_LLADDR, 1, 2, 0x11, 0x22, 0x33, 0x44, 0x55 };
	len = make_rs(buf, ll_host, unk, sizeof(unk));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_OK);
	assert_int_equal(rs.noptions, 2);
	/* An SLLA of another length is fine on a link of unknown address length. */
	uint8_t long_slla[16] = { NDP_OPT_SOURCE_LLADDR, 2 };
	len = make_rs(buf, ll_host, long_slla, sizeof(long_slla));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 0, &rs), RA_RS_OK);
	assert_false(rs.has_src_lladdr);
}

static void test_rs_reasons(void **state)
{
	uint8_t buf[NDP_MAX_OPTIONS * 8 + 64];
	struct ra_rs rs;
	uint8_t slla[8] = { NDP_OPT_SOURCE_LLADDR, 1, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	size_t len = make_rs(buf, ll_host, slla, sizeof(slla));

	assert_int_equal(ra_parse_rs(ll_host, ff02_2, -1, buf, len, 6, &rs), RA_RS_NO_HOP_LIMIT);
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 64, buf, len, 6, &rs), RA_RS_HOP_LIMIT);
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 254, buf, len, 6, &rs), RA_RS_HOP_LIMIT);
	for (size_t n = 0; n < RA_RS_HDR_LEN; n++)
		assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, n, 6, &rs), RA_RS_TOO_SHORT);
	/* The checksum covers the pseudo-header: another source breaks it. */
	assert_int_equal(ra_parse_rs(ll_host2, ff02_2, 255, buf, len, 6, &rs), RA_RS_BAD_CHECKSUM);
	buf[len - 1] ^= 1;
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_BAD_CHECKSUM);
	assert_false(rs.has_src_lladdr); /* zeroed on failure */

	len = make_rs(buf, ll_host, slla, sizeof(slla));
	buf[1] = 1;
	put_be16(buf + 2, 0);
	put_be16(buf + 2, csum_fold(csum_partial(buf, len, csum_pseudo6(ll_host, ff02_2, 58, (uint32_t)len))));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_BAD_CODE);
	buf[0] = NDP_ICMP6_ROUTER_ADVERT;
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_BAD_TYPE);

	uint8_t zero[8] = { NDP_OPT_SOURCE_LLADDR, 0 };
	len = make_rs(buf, ll_host, zero, sizeof(zero));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_ZERO_OPTION_LENGTH);
	uint8_t past[8] = { NDP_OPT_SOURCE_LLADDR, 2, 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };
	len = make_rs(buf, ll_host, past, sizeof(past));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_OPTION_TRUNCATED);
	uint8_t one_byte[1] = { NDP_OPT_SOURCE_LLADDR };
	len = make_rs(buf, ll_host, one_byte, sizeof(one_byte));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_OPTION_TRUNCATED);
	uint8_t long_slla[16] = { NDP_OPT_SOURCE_LLADDR, 2 };
	len = make_rs(buf, ll_host, long_slla, sizeof(long_slla));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_BAD_LLADDR_LENGTH);
	len = make_rs(buf, unspec, slla, sizeof(slla));
	assert_int_equal(ra_parse_rs(unspec, ff02_2, 255, buf, len, 6, &rs), RA_RS_UNSPEC_WITH_LLADDR);
	len = make_rs(buf, ff02_1, NULL, 0);
	assert_int_equal(ra_parse_rs(ff02_1, ff02_2, 255, buf, len, 6, &rs), RA_RS_BAD_SOURCE);

	uint8_t many[(NDP_MAX_OPTIONS + 1) * 8];
	memset(many, 0, sizeof(many));
	for (unsigned i = 0; i <= NDP_MAX_OPTIONS; i++) {
		many[i * 8] = 200;
		many[i * 8 + 1] = 1;
	}
	len = make_rs(buf, ll_host, many, sizeof(many));
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_TOO_MANY_OPTIONS);
	len = make_rs(buf, ll_host, many, sizeof(many) - 8);
	assert_int_equal(ra_parse_rs(ll_host, ff02_2, 255, buf, len, 6, &rs), RA_RS_OK);

	/* The X-macro list gives every reason a distinct name and a description. */
	for (int r = 0; r < RA_RS__COUNT; r++) {
		assert_true(strlen(ra_rs_result_name((enum ra_rs_result)r)) > 1);
		assert_true(strlen(ra_rs_result_desc((enum ra_rs_result)r)) > 10);
		for (int q = 0; q < r; q++)
			assert_string_not_equal(ra_rs_result_name((enum ra_rs_result)r), ra_rs_result_name((enum ra_rs_result)q));
	}
}

static void cfg_from(struct ra_config *c, const char *const *words, int n)
{
	char err[RA_ERR_MAX];
	char *argv[32] = { "ra" };
	for (int i = 0; i < n; i++)
		argv[i + 1] = (char *)words[i];
	assert_int_equal(ra_config_parse(c, n + 1, argv, err, sizeof(err)), 0);
}

/* Builds the RA and parses it back with lib/ndp; also returns the raw bytes. */
static void round_trip(const struct ra_config *c, bool final, struct ndp_ra *back, uint8_t *raw, size_t *rawlen)
{
	struct ndp_ra ra;
	ra_build_content(c, mac, final, &ra);
	size_t len = ndp_build_ra(ll_host2, ff02_1, &ra, raw, NDP_RA_MAX_LEN);
	assert_true(len > 0);
	assert_int_equal(ndp_parse_ra(ll_host2, ff02_1, raw, len, back), NDP_OK);
	assert_int_equal(back->nignored, 0);
	*rawlen = len;
}

/* The scaled lifetime field of the n-th PREF64 option in a raw RA. */
static unsigned raw_scaled(const uint8_t *raw, size_t len, unsigned n)
{
	for (size_t i = NDP_RA_HDR_LEN; i + 8 <= len; i += raw[i + 1] * 8u) {
		if (raw[i + 1] == 0)
			break;
		if (raw[i] == NDP_OPT_PREF64 && n-- == 0)
			return be16_at(raw + i + 2) >> 3;
	}
	return 0xffff;
}

static void test_build_beside(void **state)
{
	static const char *const w[] = { "--interface", "e", "--pref64", "64:ff9b::/96", "--pref64", "2001:db8::/32",
					 "--interval", "10", "--lifetime", "100" };
	struct ra_config c;
	struct ndp_ra back;
	uint8_t raw[NDP_RA_MAX_LEN];
	size_t len;
	cfg_from(&c, w, 10);
	round_trip(&c, false, &back, raw, &len);
	assert_int_equal(back.router_lifetime, 0);
	assert_int_equal(back.cur_hop_limit, 0);
	assert_int_equal(back.nprefix, 0);
	assert_int_equal(back.nrdnss, 0);
	assert_true(back.has_src_lladdr);
	assert_int_equal(back.npref64, 2);
	assert_int_equal(back.pref64[0].len, 96);
	assert_int_equal(back.pref64[1].len, 32);
	assert_int_equal(back.pref64[0].lifetime, 104);
	assert_int_equal(raw_scaled(raw, len, 0), 13); /* ceil(100 / 8) */
	assert_int_equal(raw_scaled(raw, len, 1), 13);
	round_trip(&c, true, &back, raw, &len);
	assert_int_equal(back.pref64[0].lifetime, 0);
	assert_int_equal(back.pref64[1].lifetime, 0);
	assert_int_equal(raw_scaled(raw, len, 0), 0);
}

static void test_build_router(void **state)
{
	static const char *const w[] = { "--interface", "e", "--pref64", "2001:db8:64::/96", "--router", "--prefix",
					 "2001:db8:1::/64", "--rdnss", "2001:db8:1::53", "--interval", "4" };
	struct ra_config c;
	struct ndp_ra back;
	uint8_t raw[NDP_RA_MAX_LEN];
	size_t len;
	cfg_from(&c, w, 11);
	round_trip(&c, false, &back, raw, &len);
	assert_int_equal(back.router_lifetime, 12);
	assert_int_equal(back.cur_hop_limit, 64);
	assert_int_equal(back.nprefix, 1);
	assert_true(back.prefix[0].onlink && back.prefix[0].autonomous);
	assert_int_equal(back.prefix[0].valid, 2592000);
	assert_int_equal(back.prefix[0].preferred, 604800);
	assert_int_equal(back.nrdnss, 1);
	assert_int_equal(back.rdnss_lifetime, 12);
	assert_int_equal(raw_scaled(raw, len, 0), 2); /* ceil(12 / 8) */
	round_trip(&c, true, &back, raw, &len);
	assert_int_equal(back.router_lifetime, 0);
	assert_int_equal(back.prefix[0].preferred, 0);
	assert_int_equal(back.prefix[0].valid, 0);
	assert_int_equal(back.nrdnss, 1);
	assert_int_equal(back.rdnss_lifetime, 0);
	assert_int_equal(raw_scaled(raw, len, 0), 0);
}

static void test_interval(void **state)
{
	/* Uniform over [min, max], inclusive at both ends. */
	assert_int_equal(ra_interval_ms(198000, 600, false, 0), 198000);
	assert_int_equal(ra_interval_ms(198000, 600, false, 600000 - 198000), 600000);
	assert_int_equal(ra_interval_ms(198000, 600, false, 600000 - 198000 + 1), 198000);
	for (uint32_t r = 0; r < 100000; r += 997) {
		uint32_t v = ra_interval_ms(3300, 10, false, r * 2654435761u);
		assert_true(v >= 3300 && v <= 10000);
	}
	/* The first advertisements: at most 16 s apart (RFC 4861 6.2.4). */
	assert_int_equal(ra_interval_ms(198000, 600, true, 12345), 16000);
	assert_int_equal(ra_interval_ms(3000, 4, true, 0), 3000);
	assert_int_equal(ra_interval_ms(3000, 4, true, 1000), 4000);
	/* A degenerate min above max stays at max. */
	assert_int_equal(ra_interval_ms(5000, 4, false, 77), 4000);
}

static void test_sched_periodic(void **state)
{
	struct ra_sched s;
	ra_sched_start(&s, 1000);
	/* The first RA at once. */
	assert_int_equal(ra_sched_due(&s, 1000), RA_DUE_MULTICAST);
	assert_int_equal(ra_sched_next_ms(&s, 1000), 0);
	unsigned initial = 0;
	uint64_t now = 1000;
	for (int i = 0; i < 5; i++) {
		if (s.initial_left)
			initial++;
		uint32_t iv = ra_interval_ms(198000, 600, s.initial_left > 0, 500000);
		ra_sched_sent_multicast(&s, now, iv);
		assert_int_equal(ra_sched_due(&s, now + iv - 1), 0);
		assert_int_equal(ra_sched_next_ms(&s, now), iv);
		now += iv;
		assert_int_equal(ra_sched_due(&s, now), RA_DUE_MULTICAST);
	}
	assert_int_equal(initial, RA_MAX_INITIAL_RTR_ADVERTISEMENTS);
	assert_int_equal(s.initial_left, 0);
}

static void test_sched_unicast(void **state)
{
	struct ra_sched s;
	ra_sched_start(&s, 0);
	ra_sched_sent_multicast(&s, 0, 16000);
	/* A link-local source: unicast, after the random delay from the first solicitation. */
	assert_int_equal(ra_sched_solicit(&s, 100, ll_host, 300), RA_ANSWER_UNICAST);
	assert_int_equal(ra_sched_solicit(&s, 200, ll_host2, 100), RA_ANSWER_UNICAST);
	assert_int_equal(ra_sched_solicit(&s, 250, ll_host, 0), RA_ANSWER_ALREADY_PENDING);
	assert_int_equal(ra_sched_next_ms(&s, 100), 300);
	assert_int_equal(ra_sched_due(&s, 399), 0);
	assert_int_equal(ra_sched_due(&s, 400), RA_DUE_UNICAST);
	assert_int_equal(s.nunicast, 2);
	ra_sched_sent_unicast(&s);
	assert_int_equal(ra_sched_due(&s, 400), 0);
	/* The delay is capped at MAX_RA_DELAY_TIME. */
	assert_int_equal(ra_sched_solicit(&s, 1000, ll_host, 99999), RA_ANSWER_UNICAST);
	assert_int_equal(s.unicast_at, 1000 + RA_MAX_RA_DELAY_TIME_MS);
	ra_sched_sent_unicast(&s);
	/* The unicast budget: once spent, answers go multicast (rate-limited); it refills with time. */
	ra_sched_start(&s, 0);
	ra_sched_sent_multicast(&s, 0, 600000);
	uint8_t a[16];
	memcpy(a, ll_host, 16);
	for (unsigned i = 0; i < RA_UNICAST_BURST; i++) {
		a[15] = (uint8_t)(i + 1);
		assert_int_equal(ra_sched_solicit(&s, 10, a, 0), RA_ANSWER_UNICAST);
	}
	a[15] = 200;
	assert_int_equal(ra_sched_solicit(&s, 10, a, 0), RA_ANSWER_MULTICAST);
	ra_sched_sent_unicast(&s);
	a[15] = 201;
	assert_int_equal(ra_sched_solicit(&s, 10 + RA_UNICAST_REFILL_MS, a, 0), RA_ANSWER_UNICAST);
}

static void test_sched_multicast(void **state)
{
	struct ra_sched s;
	ra_sched_start(&s, 0);
	ra_sched_sent_multicast(&s, 0, 16000);
	/* From :: within MIN_DELAY_BETWEEN_RAS of the last multicast RA: 3 s + delay after it. */
	assert_int_equal(ra_sched_solicit(&s, 1000, unspec, 200), RA_ANSWER_MULTICAST);
	assert_int_equal(s.mcast_at, 3200);
	/* A second one leaves the answer where it is (the delay counts from the first). */
	assert_int_equal(ra_sched_solicit(&s, 1500, global_host, 0), RA_ANSWER_ALREADY_PENDING);
	assert_int_equal(ra_sched_due(&s, 3199), 0);
	assert_int_equal(ra_sched_due(&s, 3200), RA_DUE_MULTICAST);
	ra_sched_sent_multicast(&s, 3200, 16000);
	assert_false(s.mcast_pending);
	assert_int_equal(s.next_periodic, 19200); /* the timer restarts, as after an unsolicited RA */
	/* Long after the last one: just the random delay. */
	assert_int_equal(ra_sched_solicit(&s, 10000, unspec, 400), RA_ANSWER_MULTICAST);
	assert_int_equal(s.mcast_at, 10400);
	ra_sched_sent_multicast(&s, 10400, 5000);
	/* Never later than the next periodic RA. */
	assert_int_equal(ra_sched_solicit(&s, 15300, unspec, 500), RA_ANSWER_MULTICAST);
	assert_int_equal(s.mcast_at, 15400);
	/* The final RA also waits for MIN_DELAY_BETWEEN_RAS. */
	ra_sched_sent_multicast(&s, 15400, 5000);
	assert_int_equal(ra_sched_final_at(&s, 16000), 18400);
	assert_int_equal(ra_sched_final_at(&s, 20000), 20000);
	ra_sched_start(&s, 0);
	assert_int_equal(ra_sched_final_at(&s, 5), 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rs_valid),       cmocka_unit_test(test_rs_reasons),   cmocka_unit_test(test_build_beside),
		cmocka_unit_test(test_build_router),   cmocka_unit_test(test_interval),     cmocka_unit_test(test_sched_periodic),
		cmocka_unit_test(test_sched_unicast),  cmocka_unit_test(test_sched_multicast),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
