/* Unit tests for the CLAT's interface identifier (src/clat/iid.c): SipHash-2-4 against the reference
 * vectors of the SipHash paper, the /etc/machine-id key parser, the RFC 5453 reserved identifiers,
 * and the properties RFC 7217 asks for: stable for the same inputs, different for a different
 * prefix, interface, key or DAD counter, and the prefix kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Part of the xlat464 binary, not a library: compile it into this test. */
#include "../../src/clat/iid.c"

static const uint8_t key_seq[16] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15 };
static const uint8_t prefix_a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0 };
static const uint8_t prefix_b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0 };
static const uint8_t mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
static const uint8_t mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static void test_siphash_reference(void **state)
{
	uint8_t msg[64];
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	/* Aumasson and Bernstein, "SipHash: a fast short-input PRF", appendix A, and vectors.h of the
	 * reference implementation (entries 0, 8 and 15: the empty message, one block, the paper's). */
	assert_true(clat_siphash24(key_seq, msg, 0) == 0x726fdb47dd0e0e31ULL);
	assert_true(clat_siphash24(key_seq, msg, 8) == 0x93f5f5799a932462ULL);
	assert_true(clat_siphash24(key_seq, msg, 15) == 0xa129ca6149be45e5ULL);
}

static void test_machine_id_key(void **state)
{
	uint8_t key[16];
	const char *id = "000102030405060708090a0b0c0d0e0f\n";
	assert_true(clat_iid_key_from_machine_id(id, strlen(id), key));
	assert_memory_equal(key, key_seq, 16);
	assert_true(clat_iid_key_from_machine_id(id, 32, key));
	assert_true(clat_iid_key_from_machine_id("000102030405060708090A0B0C0D0E0F", 32, key));
	assert_memory_equal(key, key_seq, 16);
	assert_false(clat_iid_key_from_machine_id(id, 31, key));                        /* short */
	assert_false(clat_iid_key_from_machine_id("000102030405060708090a0b0c0d0e0fff", 34, key)); /* long */
	assert_false(clat_iid_key_from_machine_id("g00102030405060708090a0b0c0d0e0f", 32, key));   /* not hex */
	assert_false(clat_iid_key_from_machine_id("", 0, key));
}

static void test_reserved(void **state)
{
	uint8_t a[16] = { 0x20, 0x01, 0x0d, 0xb8 };
	assert_true(clat_iid_reserved(a)); /* all zero: the subnet-router anycast address */
	memcpy(a + 8, (const uint8_t[]){ 0x02, 0x00, 0x5e, 0xff, 0xfe, 0x12, 0x34, 0x56 }, 8);
	assert_true(clat_iid_reserved(a));
	memcpy(a + 8, (const uint8_t[]){ 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x80 }, 8);
	assert_true(clat_iid_reserved(a));
	a[15] = 0x7f;
	assert_false(clat_iid_reserved(a));
	memcpy(a + 8, (const uint8_t[]){ 0x25, 0x37, 0xfe, 0xea, 0x07, 0x4f, 0xf2, 0x64 }, 8);
	assert_false(clat_iid_reserved(a));
}

static void test_stable_and_distinct(void **state)
{
	uint8_t k2[16], a1[16], a2[16], b[16];
	memcpy(k2, key_seq, 16);
	k2[0] ^= 1;

	clat_iid_make(key_seq, prefix_a, mac_a, 6, 0, a1);
	clat_iid_make(key_seq, prefix_a, mac_a, 6, 0, a2);
	assert_memory_equal(a1, a2, 16);          /* stable */
	assert_memory_equal(a1, prefix_a, 8);     /* in the /64 */
	assert_false(clat_iid_reserved(a1));

	clat_iid_make(key_seq, prefix_a, mac_a, 6, 1, b); /* next DAD attempt */
	assert_memory_equal(b, prefix_a, 8);
	assert_memory_not_equal(a1 + 8, b + 8, 8);
	clat_iid_make(key_seq, prefix_b, mac_a, 6, 0, b); /* another network */
	assert_memory_equal(b, prefix_b, 8);
	assert_memory_not_equal(a1 + 8, b + 8, 8);
	clat_iid_make(key_seq, prefix_a, mac_b, 6, 0, b); /* another interface */
	assert_memory_not_equal(a1 + 8, b + 8, 8);
	clat_iid_make(k2, prefix_a, mac_a, 6, 0, b);       /* another host */
	assert_memory_not_equal(a1 + 8, b + 8, 8);
}

/* A layer-3 uplink (a raw-IP modem, PPP) has no MAC: the interface name is the Net_Iface. */
static void test_name_as_net_iface(void **state)
{
	uint8_t a1[16], a2[16], b[16];
	clat_iid_make(key_seq, prefix_a, (const uint8_t *)"wwan0", 5, 0, a1);
	clat_iid_make(key_seq, prefix_a, (const uint8_t *)"wwan0", 5, 0, a2);
	assert_memory_equal(a1, a2, 16);
	assert_memory_equal(a1, prefix_a, 8);
	clat_iid_make(key_seq, prefix_a, (const uint8_t *)"wwan1", 5, 0, b);
	assert_memory_not_equal(a1 + 8, b + 8, 8);
	clat_iid_make(key_seq, prefix_a, (const uint8_t *)"ppp0", 4, 0, b);
	assert_memory_not_equal(a1 + 8, b + 8, 8);
	/* longer than a name can be: cut, not read past */
	clat_iid_make(key_seq, prefix_a, (const uint8_t *)"0123456789abcdefXYZ", 19, 0, a1);
	clat_iid_make(key_seq, prefix_a, (const uint8_t *)"0123456789abcdef", 16, 0, a2);
	assert_memory_equal(a1, a2, 16);
}

static void test_prefix_bits_beyond_64_ignored(void **state)
{
	uint8_t p[16], a1[16], a2[16];
	memcpy(p, prefix_a, 16);
	memset(p + 8, 0xab, 8); /* the caller may pass an address rather than a clean prefix */
	clat_iid_make(key_seq, prefix_a, mac_a, 6, 0, a1);
	clat_iid_make(key_seq, p, mac_a, 6, 0, a2);
	assert_memory_equal(a1, a2, 16);
}

static void test_never_reserved(void **state)
{
	/* Many counters and prefixes: none gives a reserved identifier. */
	uint8_t p[16], a[16];
	memcpy(p, prefix_a, 16);
	for (unsigned i = 0; i < 20000; i++) {
		p[6] = (uint8_t)(i >> 8);
		p[7] = (uint8_t)i;
		clat_iid_make(key_seq, p, mac_a, 6, i % 4, a);
		assert_false(clat_iid_reserved(a));
		assert_memory_equal(a, p, 8);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_siphash_reference),
		cmocka_unit_test(test_machine_id_key),
		cmocka_unit_test(test_reserved),
		cmocka_unit_test(test_stable_and_distinct),
		cmocka_unit_test(test_name_as_net_iface),
		cmocka_unit_test(test_prefix_bits_beyond_64_ignored),
		cmocka_unit_test(test_never_reserved),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
