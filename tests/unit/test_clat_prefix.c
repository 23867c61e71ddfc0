/* Unit tests for the CLAT's prefix manager (src/clat/prefix.c) on a fake clock: source priority,
 * expiry, RA PREF64 handling (several prefixes kept with their lifetimes, the one in use kept while
 * valid, lifetime 0, a graceful change), DNS64 only without a PREF64 (RFC 9872), the DNS64 refresh
 * schedule at TTL - 10 s
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

static const uint8_t r1[16] = { 0xfe, 0x80, [15] = 1 }, r2[16] = { 0xfe, 0x80, [15] = 2 };

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
	assert_true(clat_prefixes_on_ra(&m, r1, &o, 1, 1002));
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
	clat_prefixes_on_ra(&m, r1, &o, 1, 10);
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
	assert_true(clat_prefixes_on_ra(&m, r1, &o, 1, 0));
	assert_false(clat_prefixes_on_ra(&m, r1, &o, 1, 100)); /* a refresh, not a change */
	assert_int_equal(m.src[CLAT_PSRC_PREF64].expires, 700);
	/* Several prefixes: every one is kept, and the one in use stays while it is valid. */
	struct ndp_pref64 three[3] = { ra_opt(&pc, 0), ra_opt(&pb, 900), ra_opt(&pa, 600) };
	assert_false(clat_prefixes_on_ra(&m, r1, three, 3, 200));
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pa.prefix, 16);
	assert_int_equal(m.nra, 2);
	/* Lifetime 0 for the one in use withdraws it: the other takes over at once. */
	o = ra_opt(&pa, 0);
	assert_true(clat_prefixes_on_ra(&m, r1, &o, 1, 300));
	assert_int_equal(clat_prefixes_select(&m, 300), CLAT_PSRC_PREF64);
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pb.prefix, 16);
	/* Lifetime 0 for a prefix not in use changes nothing. */
	struct ndp_pref64 ba[2] = { ra_opt(&pb, 900), ra_opt(&pa, 600) };
	assert_false(clat_prefixes_on_ra(&m, r1, ba, 2, 400));
	ba[1] = ra_opt(&pa, 0);
	assert_false(clat_prefixes_on_ra(&m, r1, ba, 2, 401));
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pb.prefix, 16);
	assert_int_equal(m.nra, 1);
	/* The last one withdrawn: none. */
	o = ra_opt(&pb, 0);
	assert_true(clat_prefixes_on_ra(&m, r1, &o, 1, 402));
	assert_int_equal(clat_prefixes_select(&m, 402), -1);
	/* An RA without PREF64 changes nothing. */
	assert_false(clat_prefixes_on_ra(&m, r1, NULL, 0, 403));
}

/* RFC 8781 section 5: a network moving from one prefix to another announces both, the old one with
 * a shrinking lifetime. Flows stay on the old prefix while it is valid; at its end, the new. */
static void test_graceful_change(void **state)
{
	struct clat_prefixes m;
	clat_prefixes_init(&m, 0);
	struct ndp_pref64 o = ra_opt(&pa, 1800);
	clat_prefixes_on_ra(&m, r1, &o, 1, 0);
	struct ndp_pref64 both[2] = { ra_opt(&pb, 1800), ra_opt(&pa, 120) };
	assert_false(clat_prefixes_on_ra(&m, r1, both, 2, 1000));
	assert_int_equal(clat_prefixes_select(&m, 1119), CLAT_PSRC_PREF64);
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pa.prefix, 16);
	/* pa runs out at 1120: pb, heard with it, takes over without an RA */
	assert_int_equal(clat_prefixes_select(&m, 1120), CLAT_PSRC_PREF64);
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pb.prefix, 16);
	assert_int_equal(m.src[CLAT_PSRC_PREF64].expires, 2800);
	/* A choice among several new ones: the longest remaining lifetime, then the most recent. */
	clat_prefixes_init(&m, 0);
	struct ndp_pref64 new3[3] = { ra_opt(&pa, 300), ra_opt(&pc, 600), ra_opt(&pb, 600) };
	clat_prefixes_on_ra(&m, r1, new3, 3, 10);
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pb.prefix, 16); /* 600, and /96 before /64 */
	o = ra_opt(&pc, 600);
	clat_prefixes_on_ra(&m, r2, &o, 1, 20); /* pc heard later from another router: pb stays */
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pb.prefix, 16);
	clat_prefixes_clear_ra(&m);
	assert_int_equal(clat_prefixes_select(&m, 21), -1);
	/* Two routers, two prefixes: no flapping between them; one router switching abruptly (its RA
	 * leaves the prefix in use out, lifetime left or not): the CLAT follows at once. */
	clat_prefixes_init(&m, 0);
	o = ra_opt(&pa, 600);
	clat_prefixes_on_ra(&m, r1, &o, 1, 0);
	o = ra_opt(&pb, 900);
	assert_false(clat_prefixes_on_ra(&m, r2, &o, 1, 1));
	o = ra_opt(&pa, 600);
	assert_false(clat_prefixes_on_ra(&m, r1, &o, 1, 2));
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pa.prefix, 16);
	o = ra_opt(&pc, 600);
	assert_true(clat_prefixes_on_ra(&m, r1, &o, 1, 3)); /* r1: pc instead of pa */
	assert_memory_equal(m.src[CLAT_PSRC_PREF64].p.prefix, pb.prefix, 16); /* announced, 900 > 600 */
	assert_int_equal(m.nra, 3);                                           /* pa kept until it expires */
	clat_prefixes_clear_ra(&m);
	/* No more than CLAT_PREF64_MAX are kept. */
	for (unsigned i = 0; i < CLAT_PREF64_MAX + 3; i++) {
		struct clat_pfx p = pa;
		p.prefix[7] = (uint8_t)i;
		o = ra_opt(&p, 100 + i);
		clat_prefixes_on_ra(&m, r1, &o, 1, 30);
	}
	assert_int_equal(m.nra, CLAT_PREF64_MAX);
}

/* RFC 9872 section 3.1: DNS64 only while no PREF64 is valid. */
static void test_dns64_only_without_pref64(void **state)
{
	struct clat_prefixes m;
	clat_prefixes_init(&m, 0);
	assert_true(clat_prefixes_dns64_due(&m, 0));
	struct ndp_pref64 o = ra_opt(&pa, 60);
	clat_prefixes_on_ra(&m, r1, &o, 1, 0);
	assert_false(clat_prefixes_dns64_due(&m, 0));
	assert_false(clat_prefixes_dns64_due(&m, 59));
	/* the RA's prefix runs out with no DNS64 prefix known: DNS64 is due at once */
	m.dns.next_query = 500;
	assert_int_equal(clat_prefixes_select(&m, 60), -1);
	assert_true(clat_prefixes_dns64_due(&m, 60));
	/* with a DNS64 prefix still good, it serves and is asked on its own schedule */
	clat_prefixes_dns64_ok(&m, &pb, 300, 60);
	clat_prefixes_on_ra(&m, r1, &o, 1, 61);
	assert_int_equal(clat_prefixes_select(&m, 61), CLAT_PSRC_PREF64);
	assert_int_equal(clat_prefixes_select(&m, 121), CLAT_PSRC_DNS64);
	assert_int_equal(m.dns.next_query, 60 + 290);
	assert_false(clat_prefixes_dns64_due(&m, 121));
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
		cmocka_unit_test(test_graceful_change),
		cmocka_unit_test(test_dns64_only_without_pref64),
		cmocka_unit_test(test_dns64_refresh_schedule),
		cmocka_unit_test(test_dns64_failure_backoff),
		cmocka_unit_test(test_resolv_conf),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
