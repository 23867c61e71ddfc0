/* Property: a valid packet translated to the other family and back is the packet we started with,
 * except for the fields RFC 7915 makes irreversible. Seeded (the seed is printed; XLAT_SEED replays).
 *
 * IPv4 -> IPv6 -> IPv4, for unfragmented TCP, UDP and ICMP Echo packets that need no fragmentation:
 *   - Identification (bytes 4-5): RFC 7915 4.1 keeps it only in a Fragment Header, and no Fragment
 *     Header is added to an unfragmented packet (DF=1, or DF=0 within lowest-ipv6-mtu); on the way
 *     back RFC 7915 5.1 sets it "according to a Fragment Identification algorithm".
 *   - DF (bit 0x40 of byte 6): RFC 7915 5.1 sets DF from the translated size (0 at or below 1260
 *     bytes, 1 above), not from the original; we check that rule instead.
 *   - Header checksum (bytes 10-11): follows from the two above; we check it is valid.
 *   - TTL: equal with router no; with router yes it must be two less (one hop each way).
 *   Everything else must come back: version/IHL (no options are generated: RFC 7915 4.1 drops
 *   options), TOS (copied both ways), total length, protocol, addresses (pool6 and the EAM entry are
 *   bijective), the transport header with its checksum (the RFC 1624 updates are exact inverses;
 *   ICMP types 8/0 <-> 128/129 map one to one) and the payload.
 *
 * IPv6 -> IPv4 -> IPv6, for TCP, UDP and ICMPv6 Echo without extension headers:
 *   - Flow Label (low nibble of byte 1, bytes 2-3): RFC 7915 5.1 has no IPv4 field for it and 4.1
 *     sets it to zero.
 *   - Hop Limit: as TTL above.
 *   Everything else must come back, including the Traffic Class. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/csum.h"
#include "testutil.h"

#define ROUNDS 20000

static struct xlat_siit_map g_map;
static struct xlat_config g_cfg;
static struct xlat_out g_out;

static void setup_config(bool router)
{
	memset(&g_map, 0, sizeof(g_map));
	struct xlat_prefix6 pool6;
	assert_true(t_parse_prefix6("64:ff9b::/96", &pool6));
	xlat_siit_map_set_pool6(&g_map, &pool6);
	struct xlat_prefix4 p4;
	struct xlat_prefix6 p6;
	const char *why = NULL;
	assert_true(t_parse_prefix4("192.0.2.1/32", &p4));
	assert_true(t_parse_prefix6("2001:db8::1/128", &p6));
	assert_int_equal(xlat_siit_map_add_eam(&g_map, &p4, &p6, &why), 0);
	xlat_config_init(&g_cfg);
	g_cfg.policy = xlat_siit_policy(&g_map);
	g_cfg.has_self4 = g_cfg.has_self6 = true;
	t_v4("203.0.113.1", g_cfg.self4);
	t_v6("2001:db8:ffff::1", g_cfg.self6);
	g_cfg.decrement_ttl = router;
}

/* A global unicast IPv4 address (not 0/8, 127/8, 169.254/16, 224/3), sometimes the EAM one. */
static void rand_v4(uint64_t *s, uint8_t a[4])
{
	if (t_rand_below(s, 4) == 0) {
		t_v4("192.0.2.1", a);
		return;
	}
	do
		t_rand_bytes(s, a, 4);
	while (a[0] == 0 || a[0] == 127 || a[0] >= 224 || (a[0] == 169 && a[1] == 254));
}

/* Fills l4 (len bytes) with a random TCP, UDP or ICMP/ICMPv6 echo message and returns the protocol;
 * the checksum is left zero for the caller. */
static uint8_t rand_l4(uint64_t *s, uint8_t *l4, size_t len, bool v6, size_t *csum_off)
{
	t_rand_bytes(s, l4, len);
	switch (t_rand_below(s, 3)) {
	case 0:
		l4[12] = 5 << 4; /* data offset 5: no options */
		*csum_off = 16;
		return T_PROTO_TCP;
	case 1:
		put_be16(l4 + 4, (uint16_t)len);
		*csum_off = 6;
		return T_PROTO_UDP;
	default:
		if (v6)
			l4[0] = t_rand(s) & 1 ? 128 : 129;
		else
			l4[0] = t_rand(s) & 1 ? 8 : 0;
		l4[1] = 0;
		*csum_off = 2;
		return v6 ? T_PROTO_ICMP6 : T_PROTO_ICMP;
	}
}

static size_t translate_one(struct xlat_ctx *ctx, const uint8_t *in, size_t len, uint8_t *buf, size_t cap,
			    const char *dir, uint64_t round)
{
	xlat_translate(ctx, in, len, &g_out);
	if (g_out.action != XLAT_FORWARD || g_out.npkts != 1)
		fail_msg("round %llu %s: action %d, %u packets, reason %s", (unsigned long long)round, dir,
			 g_out.action, g_out.npkts, xlat_drop_name(g_out.reason));
	size_t n = xlat_pkt_flatten(&g_out.pkt[0], buf, cap);
	assert_true(n > 0);
	return n;
}

static void dump(const char *label, const uint8_t *p, size_t n)
{
	printf("%s:", label);
	for (size_t i = 0; i < n && i < 96; i++)
		printf("%s%02x", i % 32 ? "" : "\n  ", p[i]);
	printf("%s\n", n > 96 ? " ..." : "");
}

static void run_4to6to4(bool router)
{
	static uint8_t pkt[1600], mid[1700], back[1600];
	uint64_t s = t_seed(router ? "roundtrip 4to6to4 router yes" : "roundtrip 4to6to4 router no");
	setup_config(router);
	struct xlat_ctx ctx;
	xlat_ctx_init(&ctx, &g_cfg);
	for (uint64_t round = 0; round < ROUNDS; round++) {
		bool df = t_rand(&s) & 1;
		size_t max = df ? 1480 : 1260; /* mtu6 1500; lowest-ipv6-mtu 1280 */
		size_t len = 20 + 20 + t_rand_below(&s, (uint32_t)(max - 40 + 1));
		memset(pkt, 0, 20);
		pkt[0] = 0x45;
		pkt[1] = (uint8_t)t_rand(&s);
		put_be16(pkt + 2, (uint16_t)len);
		put_be16(pkt + 4, (uint16_t)t_rand(&s));
		pkt[6] = df ? 0x40 : 0;
		pkt[8] = (uint8_t)(router ? 3 + t_rand_below(&s, 253) : 1 + t_rand_below(&s, 255));
		rand_v4(&s, pkt + 12);
		rand_v4(&s, pkt + 16);
		size_t coff;
		pkt[9] = rand_l4(&s, pkt + 20, len - 20, false, &coff);
		uint16_t c = pkt[9] == T_PROTO_ICMP ? t_naive_csum(pkt + 20, len - 20, 0)
			: t_naive_csum(pkt + 20, len - 20, t_pseudo4(pkt, pkt[9], len - 20));
		if (c == 0 && pkt[9] == T_PROTO_UDP)
			c = 0xffff;
		put_be16(pkt + 20 + coff, c);
		put_be16(pkt + 10, t_naive_csum(pkt, 20, 0));

		size_t n6 = translate_one(&ctx, pkt, len, mid, sizeof(mid), "4to6", round);
		assert_int_equal(n6, len + 20);
		size_t n4 = translate_one(&ctx, mid, n6, back, sizeof(back), "6to4", round);

		bool ok = n4 == len && t_naive_sum(back, 20, 0) == 0xffff &&
			  (back[6] & 0x40) == (len > 1260 ? 0x40 : 0) && (back[6] & 0xbf) == (pkt[6] & 0xbf) &&
			  back[8] == (uint8_t)(router ? pkt[8] - 2 : pkt[8]) && memcmp(back, pkt, 4) == 0 &&
			  memcmp(back + 7, pkt + 7, 1) == 0 && back[9] == pkt[9] &&
			  memcmp(back + 12, pkt + 12, len - 12) == 0;
		if (!ok) {
			printf("round %llu: packet changed by the round trip\n", (unsigned long long)round);
			dump("original", pkt, len);
			dump("ipv6", mid, n6);
			dump("back", back, n4);
			fail();
		}
	}
	printf("4to6to4 (router %s): %d packets came back\n", router ? "yes" : "no", ROUNDS);
}

static void run_6to4to6(bool router)
{
	static uint8_t pkt[1600], mid[1600], back[1700];
	uint64_t s = t_seed(router ? "roundtrip 6to4to6 router yes" : "roundtrip 6to4to6 router no");
	setup_config(router);
	struct xlat_ctx ctx;
	xlat_ctx_init(&ctx, &g_cfg);
	for (uint64_t round = 0; round < ROUNDS; round++) {
		size_t len = 40 + 20 + t_rand_below(&s, 1500 - 60 + 1);
		uint8_t v4[4];
		t_rand_bytes(&s, pkt, 4);
		pkt[0] = (uint8_t)(0x60 | (pkt[0] & 0x0f));
		put_be16(pkt + 4, (uint16_t)(len - 40));
		pkt[7] = (uint8_t)(router ? 3 + t_rand_below(&s, 253) : 1 + t_rand_below(&s, 255));
		/* The EAM host itself, or a pool6 address of any other IPv4 address (a pool6 address of the
		 * EAM'd 192.0.2.1 would come back as 2001:db8::1, RFC 7757 section 4). */
		for (int k = 0; k < 2; k++) {
			rand_v4(&s, v4);
			if (memcmp(v4, "\xc0\x00\x02\x01", 4) == 0)
				t_v6("2001:db8::1", pkt + 8 + 16 * k);
			else
				xlat_rfc6052_embed(&g_map.pool6, v4, pkt + 8 + 16 * k);
		}
		size_t coff;
		pkt[6] = rand_l4(&s, pkt + 40, len - 40, true, &coff);
		uint16_t c = t_naive_csum(pkt + 40, len - 40, t_pseudo6(pkt, pkt[6], len - 40));
		if (c == 0 && pkt[6] == T_PROTO_UDP)
			c = 0xffff;
		put_be16(pkt + 40 + coff, c);

		size_t n4 = translate_one(&ctx, pkt, len, mid, sizeof(mid), "6to4", round);
		assert_int_equal(n4, len - 20);
		size_t n6 = translate_one(&ctx, mid, n4, back, sizeof(back), "4to6", round);

		bool ok = n6 == len && back[0] == pkt[0] && (back[1] & 0xf0) == (pkt[1] & 0xf0) &&
			  (back[1] & 0x0f) == 0 && back[2] == 0 && back[3] == 0 &&
			  memcmp(back + 4, pkt + 4, 3) == 0 && back[7] == (uint8_t)(router ? pkt[7] - 2 : pkt[7]) &&
			  memcmp(back + 8, pkt + 8, len - 8) == 0;
		if (!ok) {
			printf("round %llu: packet changed by the round trip\n", (unsigned long long)round);
			dump("original", pkt, len);
			dump("ipv4", mid, n4);
			dump("back", back, n6);
			fail();
		}
	}
	printf("6to4to6 (router %s): %d packets came back\n", router ? "yes" : "no", ROUNDS);
}

static void test_4to6to4_router_no(void **state) { run_4to6to4(false); }
static void test_4to6to4_router_yes(void **state) { run_4to6to4(true); }
static void test_6to4to6_router_no(void **state) { run_6to4to6(false); }
static void test_6to4to6_router_yes(void **state) { run_6to4to6(true); }

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0); /* keep our lines in order with cmocka's */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_4to6to4_router_no),
		cmocka_unit_test(test_4to6to4_router_yes),
		cmocka_unit_test(test_6to4to6_router_no),
		cmocka_unit_test(test_6to4to6_router_yes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
