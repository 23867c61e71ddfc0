/* Unit tests for the CLAT's prefix manager (src/clat/prefix.c) on a fake clock: source priority,
 * expiry, RA PREF64 handling (several prefixes, lifetime 0), the DNS64 refresh schedule at TTL - 10 s
 * and the failure backoff (every 10 s for a minute, then doubling to 10 minutes), and resolv.conf. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Part of the xlat464 binary, not a library: compile it into this test. */
#include "../../src/clat/prefix.c"

static const struct clat_pfx pa = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64 }, 96 };
static const struct clat_pfx pb = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x65 }, 96 };
static const struct clat_pfx pc = { { 0x20, 0x01, 0x0d, 0xb8, 0, 0x66 }, 64 };

static struct ndp_pref64 ra_opt(const struct clat_pfx *p, uint32_t lifetime)
{
	struct ndp_pref64 o = { .len = p->len, .lifetime = lifetime };
	memcpy(o.prefix, p->prefix, 16);
	return o;
}

static void test_priority(void **state)
{
	struct clat_prefixes m;
	clat_prefixes_init(&m, 1000);
	assert_int_equal(clat_prefixes_select(&m, 1000), -1);
	clat_prefixes_set(&m, CLAT_PSRC_STATIC, &pc, 0, 1000);
	assert_int_equal(clat_prefixes_select(&m, 1000), CLAT_PSRC_STATIC);
	clat_prefixes_dns64_ok(&m, &pb, 300, 1000);
	assert_int_equal(clat_prefixes_select(&m, 1001), CLAT_PSRC_DNS64);
	struct ndp_pref64 o = ra_opt(&pa, 1800);
	assert_true(clat_prefixes_on_ra(&m, &o, 1, 1002));
	assert_int_equal(clat_prefixes_select(&m, 1002), CLAT_PSRC_PREF64);
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pa.prefix, 16);
	/* Static never expires; the others do, in order. */
	assert_int_equal(clat_prefixes_select(&m, 1002 + 1800), CLAT_PSRC_STATIC);
	assert_false(m.src[CLAT_PSRC_PREF64].valid);
	assert_false(m.src[CLAT_PSRC_DNS64].valid);
}

static void test_expiry_leaves_nothing(void **state)
{
	struct clat_prefixes m;
	clat_prefixes_init(&m, 0);
	struct ndp_pref64 o = ra_opt(&pa, 24);
	clat_prefixes_on_ra(&m, &o, 1, 10);
	assert_int_equal(clat_prefixes_next_expiry(&m), 34);
	assert_int_equal(clat_prefixes_select(&m, 33), CLAT_PSRC_PREF64);
	assert_int_equal(clat_prefixes_select(&m, 34), -1);
	assert_int_equal(clat_prefixes_next_expiry(&m), CLAT_PREFIX_FOREVER);
}

static void test_ra_refresh_change_withdraw(void **state)
{
	struct clat_prefixes m;
	clat_prefixes_init(&m, 0);
	struct ndp_pref64 o = ra_opt(&pa, 600);
	assert_true(clat_prefixes_on_ra(&m, &o, 1, 0));
	assert_false(clat_prefixes_on_ra(&m, &o, 1, 100)); /* a refresh, not a change */
	assert_int_equal(m.src[CLAT_PSRC_PREF64].expires, 700);
	/* Several prefixes: the first with a non-zero lifetime wins. */
	struct ndp_pref64 two[3] = { ra_opt(&pc, 0), ra_opt(&pb, 600), ra_opt(&pa, 600) };
	assert_true(clat_prefixes_on_ra(&m, two, 3, 200));
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pb.prefix, 16);
	/* Lifetime 0 for the kept prefix withdraws it. */
	o = ra_opt(&pb, 0);
	assert_true(clat_prefixes_on_ra(&m, &o, 1, 300));
	assert_int_equal(clat_prefixes_select(&m, 300), -1);
	/* Lifetime 0 for another prefix changes nothing. */
	o = ra_opt(&pa, 600);
	clat_prefixes_on_ra(&m, &o, 1, 400);
	o = ra_opt(&pb, 0);
	assert_false(clat_prefixes_on_ra(&m, &o, 1, 401));
	assert_int_equal(clat_prefixes_select(&m, 401), CLAT_PSRC_PREF64);
	/* An RA without PREF64 changes nothing. */
	assert_false(clat_prefixes_on_ra(&m, NULL, 0, 402));
}

static void test_dns64_refresh_schedule(void **state)
{
	struct clat_prefixes m;
	clat_prefixes_init(&m, 50);
	assert_true(clat_prefixes_dns64_due(&m, 50));
	clat_prefixes_dns64_ok(&m, &pa, 3600, 50);
	assert_int_equal(m.dns.next_query, 50 + 3590);
	assert_false(clat_prefixes_dns64_due(&m, 50 + 3589));
	assert_true(clat_prefixes_dns64_due(&m, 50 + 3590));
	assert_int_equal(m.src[CLAT_PSRC_DNS64].expires, 50 + 3600);
	/* TTL 15: re-query after 5 s. */
	clat_prefixes_dns64_ok(&m, &pa, 15, 100);
	assert_int_equal(m.dns.next_query, 105);
	assert_int_equal(m.src[CLAT_PSRC_DNS64].expires, 115);
	/* A tiny TTL: not sooner than 5 s, and the prefix outlives the first retry. */
	clat_prefixes_dns64_ok(&m, &pa, 0, 200);
	assert_int_equal(m.dns.next_query, 205);
	assert_int_equal(m.src[CLAT_PSRC_DNS64].expires, 200 + CLAT_DNS64_MIN_LIFETIME);
	assert_int_equal(clat_dns64_refresh_delay(11), 5);
	assert_int_equal(clat_dns64_refresh_delay(16), 6);
}

static void test_dns64_failure_backoff(void **state)
{
	struct clat_prefixes m;
	int64_t now = 1000;
	clat_prefixes_init(&m, now);
	clat_prefixes_dns64_ok(&m, &pa, 30, now);
	now = m.dns.next_query; /* 1020 */
	/* Every 10 s for the first minute of failures. */
	for (int i = 0; i < 6; i++) {
		clat_prefixes_dns64_fail(&m, now);
		assert_int_equal(m.dns.next_query - now, 10);
		now = m.dns.next_query;
	}
	/* The prefix already known expired meanwhile (30 s TTL). */
	assert_int_equal(clat_prefixes_select(&m, now), -1);
	static const int64_t want[] = { 20, 40, 80, 160, 320, 600, 600 };
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		clat_prefixes_dns64_fail(&m, now);
		assert_int_equal(m.dns.next_query - now, want[i]);
		now = m.dns.next_query;
	}
	/* A success resets it. */
	clat_prefixes_dns64_ok(&m, &pb, 100, now);
	assert_int_equal(m.dns.failures, 0);
	clat_prefixes_dns64_fail(&m, now + 90);
	assert_int_equal(m.dns.next_query, now + 100);
	assert_int_equal(clat_prefixes_select(&m, now + 99), CLAT_PSRC_DNS64);
}

static void test_resolv_conf(void **state)
{
	struct clat_nameserver ns[CLAT_RESOLV_MAX];
	const char *t = "# comment\nsearch example\nnameserver\t2001:db8:1::1 # the router\n"
			"nameserver 192.0.2.53\nnameserver not-an-address\nnameserverx 1.2.3.4\n"
			"  nameserver fe80::1%eth0\nnameserver 198.51.100.1\n";
	unsigned n = clat_resolv_parse(t, strlen(t), ns);
	assert_int_equal(n, 3);
	assert_true(ns[0].v6);
	assert_int_equal(ns[0].addr[15], 1);
	assert_false(ns[1].v6);
	assert_int_equal(ns[1].addr[3], 53);
	assert_true(ns[2].v6);
	assert_string_equal(ns[2].scope, "eth0");
	assert_int_equal(clat_resolv_parse("nameserver 192.0.2.1", 20, ns), 1);
	assert_int_equal(clat_resolv_parse("", 0, ns), 0);
	assert_int_equal(clat_resolv_parse("nameserver ", 11, ns), 0);
	assert_string_equal(clat_psrc_name(CLAT_PSRC_PREF64), "ra-pref64");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_expiry_leaves_nothing),
		cmocka_unit_test(test_ra_refresh_change_withdraw),
		cmocka_unit_test(test_dns64_refresh_schedule),
		cmocka_unit_test(test_dns64_failure_backoff),
		cmocka_unit_test(test_resolv_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
