/* Unit tests for the CLAT's shared address mode (src/clat/shared.c, the classifier that splits the
 * host's address by port) and for the nftables text of tethering and the shared mode (src/clat/nft.c):
 * TCP, UDP, ICMPv6 echo replies and the packets quoted by ICMPv6 errors, extension headers and
 * fragments, every truncation of each packet, and the rulesets with and without --tether. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Part of the xlat464 binary, not a library: compile them into this test. */
#include "../../src/clat/nft.c"
#include "../../src/clat/shared.c"

#define LO CLAT_SHARED_PORT_LO
#define HI CLAT_SHARED_PORT_HI

/* An IPv6 header with next header nh and payload length plen at p; returns 40. */
static size_t ip6(uint8_t *p, uint8_t nh, uint16_t plen)
{
	memset(p, 0, 40);
	p[0] = 0x60;
	p[4] = (uint8_t)(plen >> 8);
	p[5] = (uint8_t)plen;
	p[6] = nh;
	p[7] = 64;
	return 40;
}

static size_t ports(uint8_t *p, uint16_t sport, uint16_t dport)
{
	p[0] = (uint8_t)(sport >> 8);
	p[1] = (uint8_t)sport;
	p[2] = (uint8_t)(dport >> 8);
	p[3] = (uint8_t)dport;
	memset(p + 4, 0, 16);
	return 20;
}

static size_t icmp6(uint8_t *p, uint8_t type, uint16_t id)
{
	memset(p, 0, 8);
	p[0] = type;
	p[4] = (uint8_t)(id >> 8);
	p[5] = (uint8_t)id;
	return 8;
}

/* Every shorter prefix of a packet the classifier accepts or leaves to the host must not read past
 * its end (ASan in the SAN build) and, when the deciding field is cut off, is malformed. */
static void truncations(const uint8_t *p, size_t len)
{
	for (size_t l = 0; l < len; l++)
		(void)clat_shared_classify(p, l, LO, HI);
}

static void test_tcp_udp(void **state)
{
	uint8_t p[256];
	size_t n = ip6(p, 6, 20);
	n += ports(p + n, 80, 61000);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_CLAT);
	ports(p + 40, 80, 65535);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_CLAT);
	ports(p + 40, 80, 60999);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_HOST);
	ports(p + 40, 61000, 443); /* the source port does not count */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_HOST);
	p[6] = 17;
	ports(p + 40, 53, 62000);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_CLAT);
	assert_int_equal(clat_shared_classify(p, 43, LO, HI), CLAT_SHARED_MALFORMED); /* half a port */
	truncations(p, n);
	p[0] = 0x40; /* not IPv6 */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_MALFORMED);
	assert_int_equal(clat_shared_classify(p, 0, LO, HI), CLAT_SHARED_MALFORMED);
}

static void test_ext_headers_fragments(void **state)
{
	uint8_t p[256];
	size_t n = ip6(p, 0, 0);
	/* hop-by-hop (8 bytes) -> fragment (offset 0) -> UDP */
	memset(p + n, 0, 8);
	p[n] = 44;
	n += 8;
	memset(p + n, 0, 8);
	p[n] = 17;
	n += 8;
	n += ports(p + n, 53, 61234);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_CLAT);
	truncations(p, n);
	/* a non-first fragment: no ports */
	p[48 + 3] = 0xb8; /* offset 23 * 8 */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_FRAGMENT);
	/* an extension header running past the end */
	p[41] = 200;
	p[48 + 3] = 0;
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_MALFORMED);
	/* nine extension headers: more than the walk allows */
	n = ip6(p, 60, 0);
	for (int i = 0; i < 9; i++, n += 8) {
		memset(p + n, 0, 8);
		p[n] = i < 8 ? 60 : 17;
	}
	n += ports(p + n, 1, 61000);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_MALFORMED);
	/* another protocol (GRE): the host's */
	n = ip6(p, 47, 4);
	memset(p + n, 0, 4);
	assert_int_equal(clat_shared_classify(p, n + 4, LO, HI), CLAT_SHARED_HOST);
}

static void test_icmp6(void **state)
{
	uint8_t p[256];
	size_t n = ip6(p, 58, 8);
	n += icmp6(p + n, 129, 61500); /* echo reply */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_CLAT);
	icmp6(p + 40, 129, 1234);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_HOST);
	icmp6(p + 40, 128, 61500); /* an echo request to the host: the host answers */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_HOST);
	icmp6(p + 40, 135, 0); /* neighbour solicitation: the kernel's */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_HOST);
	truncations(p, n);

	/* Packet Too Big quoting a TCP segment the CLAT sent (source port in the range) */
	n = ip6(p, 58, 0);
	n += icmp6(p + n, 2, 0);
	n += ip6(p + n, 6, 20);
	n += ports(p + n, 61001, 80);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_CLAT);
	truncations(p, n);
	ports(p + 88, 40000, 80); /* the host's own connection */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_HOST);
	/* quoted with only two bytes of the transport header: still enough */
	assert_int_equal(clat_shared_classify(p, 90, LO, HI), CLAT_SHARED_HOST);
	assert_int_equal(clat_shared_classify(p, 89, LO, HI), CLAT_SHARED_MALFORMED);

	/* Time Exceeded quoting an echo request the CLAT sent */
	n = ip6(p, 58, 0);
	n += icmp6(p + n, 3, 0);
	n += ip6(p + n, 58, 8);
	n += icmp6(p + n, 128, 65000);
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_CLAT);
	truncations(p, n);
	p[88] = 129; /* quoting an echo reply: never the CLAT's */
	assert_int_equal(clat_shared_classify(p, n, LO, HI), CLAT_SHARED_HOST);
	assert_string_equal(clat_shared_verdict_name(CLAT_SHARED_FRAGMENT), "fragment");
}

static void test_nft_ruleset(void **state)
{
	struct clat_nft n = { .tun = "clat", .port_lo = LO, .port_hi = HI };
	char buf[4096];

	/* nothing to do: only the deletion of what a killed run may have left */
	size_t len = clat_nft_ruleset(&n, buf, sizeof(buf));
	assert_true(len > 0 && len == strlen(buf));
	assert_non_null(strstr(buf, "add table ip xlat464-clat\ndelete table ip xlat464-clat\n"));
	assert_non_null(strstr(buf, "delete table ip6 xlat464-clat\n"));
	assert_null(strstr(buf, "snat"));
	assert_false(clat_nft_needed(&n));

	snprintf(n.tether[0], sizeof(n.tether[0]), "wlan0");
	snprintf(n.tether[1], sizeof(n.tether[1]), "usb0");
	n.ntether = 2;
	len = clat_nft_ruleset(&n, buf, sizeof(buf));
	assert_true(len > 0);
	assert_non_null(strstr(buf, "iifname { \"wlan0\", \"usb0\" } oifname \"clat\" snat to 192.0.0.1\n"));
	assert_null(strstr(buf, "masquerade"));
	assert_null(strstr(buf, "table ip6 xlat464-clat {"));

	n.shared = true;
	memcpy(n.host6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, [15] = 0x42 }, 16);
	len = clat_nft_ruleset(&n, buf, sizeof(buf));
	assert_true(len > 0);
	assert_non_null(strstr(buf, "oifname \"clat\" meta l4proto { tcp, udp, icmp } snat to 192.0.0.1:61000-65535\n"));
	assert_non_null(strstr(buf, "oifname \"clat\" ip saddr != 192.0.0.1 snat to 192.0.0.1\n"));
	assert_non_null(strstr(buf, "ip6 daddr 2001:db8::42 meta l4proto { tcp, udp } th dport 61000-65535 counter drop"));
	/* too small a buffer: 0, never a cut-off script */
	assert_int_equal(clat_nft_ruleset(&n, buf, 100), 0);

	len = clat_nft_format(&n, 7, 1, buf, sizeof(buf));
	assert_int_equal(len, strlen(buf));
	assert_non_null(strstr(buf, "address mode: shared (the host's own address 2001:db8::42;"));
	assert_non_null(strstr(buf, "left to the host 7, malformed 1"));
	assert_non_null(strstr(buf, "\ntether wlan0 usb0 (NAT44 onto 192.0.0.1, nftables table ip xlat464-clat not in place"));
	n.shared = false;
	clat_nft_format(&n, 0, 0, buf, sizeof(buf));
	assert_non_null(strstr(buf, "address mode: dedicated"));
	assert_true(clat_nft_format(&n, 0, 0, buf, 10) == 9 && strlen(buf) == 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tcp_udp),
		cmocka_unit_test(test_ext_headers_fragments),
		cmocka_unit_test(test_icmp6),
		cmocka_unit_test(test_nft_ruleset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
