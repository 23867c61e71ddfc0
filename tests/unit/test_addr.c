/* RFC 6052 embedding/extraction, the RFC 7757 EAM table and the never-translated address
 * predicates of lib/xlat/xlat.h. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"

/* RFC 6052 section 2.4, "Table 2: Text Representation of IPv4-Embedded IPv6 Address", typed in
 * from the RFC: the IPv4 address 192.0.2.33 under each prefix length. */
static const struct {
	const char *prefix, *embedded;
} rfc6052_table[] = {
	{ "2001:db8::/32", "2001:db8:c000:221::" },
	{ "2001:db8:100::/40", "2001:db8:1c0:2:21::" },
	{ "2001:db8:122::/48", "2001:db8:122:c000:2:2100::" },
	{ "2001:db8:122:300::/56", "2001:db8:122:3c0:0:221::" },
	{ "2001:db8:122:344::/64", "2001:db8:122:344:c0:2:2100:0" },
	{ "2001:db8:122:344::/96", "2001:db8:122:344::192.0.2.33" },
	{ "64:ff9b::/96", "64:ff9b::192.0.2.33" }, /* RFC 6052 section 2.4, second example */
};

static void test_rfc6052_len_ok(void **state)
{
	static const unsigned good[] = { 32, 40, 48, 56, 64, 96 };
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(xlat_rfc6052_len_ok(good[i]));
	static const unsigned bad[] = { 0, 8, 16, 24, 31, 33, 72, 80, 88, 95, 97, 112, 120, 128, 129, 255 };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(xlat_rfc6052_len_ok(bad[i]));
}

static void test_rfc6052_table(void **state)
{
	uint8_t v4[4], want[16], got[16], back[4];
	t_v4("192.0.2.33", v4);
	for (size_t i = 0; i < sizeof(rfc6052_table) / sizeof(rfc6052_table[0]); i++) {
		struct xlat_prefix6 p;
		assert_true(t_parse_prefix6(rfc6052_table[i].prefix, &p));
		t_v6(rfc6052_table[i].embedded, want);
		memset(got, 0xee, sizeof(got));
		xlat_rfc6052_embed(&p, v4, got);
		if (memcmp(got, want, 16) != 0) {
			char s[64];
			inet_ntop(AF_INET6, got, s, sizeof(s));
			fail_msg("embed 192.0.2.33 in %s: got %s, RFC 6052 says %s", rfc6052_table[i].prefix, s,
				 rfc6052_table[i].embedded);
		}
		assert_true(xlat_prefix6_match(&p, got));
		memset(back, 0, sizeof(back));
		xlat_rfc6052_extract(&p, want, back);
		assert_memory_equal(back, v4, 4);
	}
}

/* The u-octet (bits 64-71) is zero after embedding and skipped by extraction, at every length; the
 * suffix after the IPv4 address is zero. Random addresses, both ways. */
static void test_rfc6052_uoctet_random(void **state)
{
	static const unsigned lens[] = { 32, 40, 48, 56, 64, 96 };
	uint64_t s = t_seed("rfc6052 random");
	for (int round = 0; round < 5000; round++) {
		struct xlat_prefix6 p;
		memset(&p, 0, sizeof(p));
		p.len = (uint8_t)lens[round % 6];
		t_rand_bytes(&s, p.addr, p.len / 8); /* the prefix bits only */
		uint8_t v4[4], v6[16], back[4];
		t_rand_bytes(&s, v4, 4);
		xlat_rfc6052_embed(&p, v4, v6);
		assert_memory_equal(v6, p.addr, p.len / 8);
		if (p.len != 96)
			assert_int_equal(v6[8], 0); /* the u-octet */
		/* Where the 32 bits go: the bytes after the prefix, skipping byte 8. */
		unsigned k = 0;
		for (unsigned b = p.len / 8; k < 4; b++) {
			if (b == 8)
				continue;
			assert_int_equal(v6[b], v4[k]);
			k++;
		}
		for (unsigned b = p.len == 96 ? 16 : p.len / 8 + 5; b < 16; b++)
			assert_int_equal(v6[b], 0);
		xlat_rfc6052_extract(&p, v6, back);
		assert_memory_equal(back, v4, 4);
	}
}

static void test_prefix_match(void **state)
{
	struct xlat_prefix6 p6;
	struct xlat_prefix4 p4;
	uint8_t a6[16], a4[4];
	assert_true(t_parse_prefix6("2001:db8:100::/40", &p6));
	t_v6("2001:db8:1ff:ffff::1", a6);
	assert_true(xlat_prefix6_match(&p6, a6));
	t_v6("2001:db8:200::1", a6);
	assert_false(xlat_prefix6_match(&p6, a6));
	assert_true(t_parse_prefix6("::/0", &p6));
	assert_true(xlat_prefix6_match(&p6, a6));
	assert_true(t_parse_prefix4("192.0.2.128/25", &p4));
	t_v4("192.0.2.200", a4);
	assert_true(xlat_prefix4_match(&p4, a4));
	t_v4("192.0.2.127", a4);
	assert_false(xlat_prefix4_match(&p4, a4));
	assert_true(t_parse_prefix4("198.51.100.7/32", &p4));
	t_v4("198.51.100.7", a4);
	assert_true(xlat_prefix4_match(&p4, a4));
	t_v4("198.51.100.6", a4);
	assert_false(xlat_prefix4_match(&p4, a4));
}

static void add_eam(struct xlat_siit_map *m, const char *v4, const char *v6)
{
	struct xlat_prefix4 p4;
	struct xlat_prefix6 p6;
	const char *why = NULL;
	assert_true(t_parse_prefix4(v4, &p4));
	assert_true(t_parse_prefix6(v6, &p6));
	if (xlat_siit_map_add_eam(m, &p4, &p6, &why) != 0)
		fail_msg("EAM %s %s refused: %s", v4, v6, why ? why : "(no reason)");
}

static void expect_4to6(const struct xlat_siit_map *m, const char *v4, const char *v6)
{
	uint8_t a4[4], want[16], got[16];
	t_v4(v4, a4);
	t_v6(v6, want);
	if (!xlat_siit_map_4to6(m, a4, got))
		fail_msg("%s: not mapped, expected %s", v4, v6);
	if (memcmp(got, want, 16) != 0) {
		char s[64];
		inet_ntop(AF_INET6, got, s, sizeof(s));
		fail_msg("%s: mapped to %s, expected %s", v4, s, v6);
	}
}

static void expect_6to4(const struct xlat_siit_map *m, const char *v6, const char *v4)
{
	uint8_t a6[16], want[4], got[4];
	t_v6(v6, a6);
	t_v4(v4, want);
	if (!xlat_siit_map_6to4(m, a6, got))
		fail_msg("%s: not mapped, expected %s", v6, v4);
	if (memcmp(got, want, 4) != 0) {
		char s[32];
		inet_ntop(AF_INET, got, s, sizeof(s));
		fail_msg("%s: mapped to %s, expected %s", v6, s, v4);
	}
}

/* RFC 7757 section 3.2: EAM before pool6, longest prefix first, suffix bits copied, both ways. */
static void test_eam_longest_match(void **state)
{
	static struct xlat_siit_map m;
	memset(&m, 0, sizeof(m));
	struct xlat_prefix6 pool6;
	assert_true(t_parse_prefix6("64:ff9b::/96", &pool6));
	xlat_siit_map_set_pool6(&m, &pool6);
	add_eam(&m, "192.0.2.0/24", "2001:db8:aaaa::/120");
	add_eam(&m, "192.0.2.128/25", "2001:db8:bbbb::/121");
	add_eam(&m, "192.0.2.200/32", "2001:db8:cccc::200/128");
	add_eam(&m, "203.0.113.0/24", "2001:db8:dd00::/120");

	expect_4to6(&m, "192.0.2.5", "2001:db8:aaaa::5");
	expect_4to6(&m, "192.0.2.130", "2001:db8:bbbb::2");
	expect_4to6(&m, "192.0.2.255", "2001:db8:bbbb::7f");
	expect_4to6(&m, "192.0.2.200", "2001:db8:cccc::200");
	expect_4to6(&m, "203.0.113.9", "2001:db8:dd00::9");
	expect_4to6(&m, "198.51.100.2", "64:ff9b::c633:6402"); /* no EAM: pool6 */

	expect_6to4(&m, "2001:db8:aaaa::5", "192.0.2.5");
	expect_6to4(&m, "2001:db8:bbbb::2", "192.0.2.130");
	expect_6to4(&m, "2001:db8:cccc::200", "192.0.2.200");
	expect_6to4(&m, "2001:db8:dd00::ff", "203.0.113.255");
	expect_6to4(&m, "64:ff9b::c633:6402", "198.51.100.2");

	uint8_t a6[16], a4[4];
	t_v6("2001:db8:eeee::1", a6);
	assert_false(xlat_siit_map_6to4(&m, a6, a4)); /* neither EAM nor pool6 */
	t_v6("2001:db8:aaaa::100", a6);
	assert_false(xlat_siit_map_6to4(&m, a6, a4)); /* outside the /120 */

	/* RFC 7757 section 4.2: an IPv6 destination that went through pool6 but whose IPv4 address lies in
	 * an EAM entry is hairpinned; one mapped by the EAM entry itself, or by pool6 to a non-EAM
	 * address, is not. */
	uint8_t d4[4];
	t_v4("192.0.2.77", d4);
	t_v6("64:ff9b::c000:24d", a6);
	assert_true(xlat_siit_map_is_hairpin(&m, a6, d4));
	t_v6("2001:db8:aaaa::4d", a6);
	assert_false(xlat_siit_map_is_hairpin(&m, a6, d4));
	t_v4("198.51.100.2", d4);
	t_v6("64:ff9b::c633:6402", a6);
	assert_false(xlat_siit_map_is_hairpin(&m, a6, d4));
}

/* xlat.h: an IPv6 suffix longer than the IPv4 suffix is allowed; the IPv4 suffix bits go right
 * after the IPv6 prefix and the rest is zero. */
static void test_eam_longer_v6_suffix(void **state)
{
	static struct xlat_siit_map m;
	memset(&m, 0, sizeof(m));
	add_eam(&m, "192.0.2.0/24", "2001:db8:1::/112");
	expect_4to6(&m, "192.0.2.5", "2001:db8:1::500");
	expect_6to4(&m, "2001:db8:1::500", "192.0.2.5");
}

static void test_eam_no_pool6(void **state)
{
	static struct xlat_siit_map m;
	memset(&m, 0, sizeof(m));
	add_eam(&m, "192.0.2.1/32", "2001:db8::1/128");
	expect_4to6(&m, "192.0.2.1", "2001:db8::1");
	uint8_t a4[4], a6[16];
	t_v4("192.0.2.2", a4);
	assert_false(xlat_siit_map_4to6(&m, a4, a6));
	t_v6("64:ff9b::c000:202", a6);
	assert_false(xlat_siit_map_6to4(&m, a6, a4));
}

static int try_add(struct xlat_siit_map *m, const char *v4, const char *v6, const char **why)
{
	struct xlat_prefix4 p4;
	struct xlat_prefix6 p6;
	assert_true(t_parse_prefix4(v4, &p4));
	assert_true(t_parse_prefix6(v6, &p6));
	*why = NULL;
	return xlat_siit_map_add_eam(m, &p4, &p6, why);
}

static void test_eam_add_errors(void **state)
{
	static struct xlat_siit_map m;
	const char *why;
	memset(&m, 0, sizeof(m));
	/* An IPv6 suffix shorter than the IPv4 suffix cannot hold it (8 bits into 4, 16 into 8). */
	assert_int_equal(try_add(&m, "192.0.2.0/24", "2001:db8::/124", &why), -1);
	assert_non_null(why);
	assert_int_equal(try_add(&m, "198.51.0.0/16", "2001:db8::/120", &why), -1);
	assert_non_null(why);
	assert_int_equal(m.neam, 0);
	/* The same IPv4 prefix twice overlaps whatever else the core allows. */
	assert_int_equal(try_add(&m, "192.0.2.0/24", "2001:db8::/120", &why), 0);
	assert_int_equal(try_add(&m, "192.0.2.0/24", "2001:db8:1::/120", &why), -1);
	assert_non_null(why);
	/* The same IPv6 prefix twice too. */
	assert_int_equal(try_add(&m, "198.51.100.0/24", "2001:db8::/120", &why), -1);
	assert_non_null(why);
	assert_int_equal(m.neam, 1);

	/* The table holds XLAT_EAM_MAX entries and refuses one more. */
	memset(&m, 0, sizeof(m));
	char v4[32], v6[64];
	for (unsigned i = 0; i < XLAT_EAM_MAX; i++) {
		snprintf(v4, sizeof(v4), "10.%u.%u.1/32", i / 256, i % 256);
		snprintf(v6, sizeof(v6), "2001:db8:%x::1/128", i);
		if (try_add(&m, v4, v6, &why) != 0)
			fail_msg("entry %u refused: %s", i, why ? why : "?");
	}
	assert_int_equal(m.neam, XLAT_EAM_MAX);
	assert_int_equal(try_add(&m, "10.200.0.1/32", "2001:db8:ffff::1/128", &why), -1);
	assert_non_null(why);
	assert_int_equal(m.neam, XLAT_EAM_MAX);
}

static void test_special_v4(void **state)
{
	static const char *const special[] = { "0.0.0.0", "0.1.2.3", "127.0.0.1", "127.255.255.255",
		"169.254.0.1", "169.254.255.254", "224.0.0.1", "239.255.255.255", "240.0.0.1",
		"255.255.255.255" };
	static const char *const normal[] = { "1.0.0.0", "126.255.255.255", "128.0.0.0", "169.253.255.255",
		"169.255.0.0", "192.0.2.1", "198.51.100.2", "203.0.113.7", "223.255.255.255", "10.0.0.1" };
	uint8_t a[4];
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		t_v4(special[i], a);
		if (!xlat_v4_special(a))
			fail_msg("%s should be special", special[i]);
	}
	for (size_t i = 0; i < sizeof(normal) / sizeof(normal[0]); i++) {
		t_v4(normal[i], a);
		if (xlat_v4_special(a))
			fail_msg("%s should not be special", normal[i]);
	}
}

static void test_special_v6(void **state)
{
	static const char *const special[] = { "::", "::1", "fe80::1", "febf:ffff::1", "ff02::1", "ff0e::1",
		"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff" };
	static const char *const normal[] = { "::2", "2001:db8::1", "64:ff9b::c000:201", "fec0::1", "fe7f::1",
		"fc00::1", "2001:db8:ffff::1" };
	uint8_t a[16];
	for (size_t i = 0; i < sizeof(special) / sizeof(special[0]); i++) {
		t_v6(special[i], a);
		if (!xlat_v6_special(a))
			fail_msg("%s should be special", special[i]);
	}
	for (size_t i = 0; i < sizeof(normal) / sizeof(normal[0]); i++) {
		t_v6(normal[i], a);
		if (xlat_v6_special(a))
			fail_msg("%s should not be special", normal[i]);
	}
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep our lines in order with cmocka's */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc6052_len_ok),
		cmocka_unit_test(test_rfc6052_table),
		cmocka_unit_test(test_rfc6052_uoctet_random),
		cmocka_unit_test(test_prefix_match),
		cmocka_unit_test(test_eam_longest_match),
		cmocka_unit_test(test_eam_no_pool6),
		cmocka_unit_test(test_eam_longer_v6_suffix),
		cmocka_unit_test(test_eam_add_errors),
		cmocka_unit_test(test_special_v4),
		cmocka_unit_test(test_special_v6),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
