/* Unit tests for the redactor of `xlat464 report` (src/cli/redact.c): each kind of address and
 * what of it is kept, the words that look like addresses and are not, ports and prefix lengths,
 * the well-known addresses left alone, a second pass changing nothing, the output bound, and the
 * masking of secret-looking configuration lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* The redactor is part of the xlat464 binary, not a library: compile it into this test. */
#include "../../src/cli/redact.c"

/* in redacted, compared with want */
static void check(const char *in, const char *want)
{
	char out[512];
	size_t n = redact_text(in, strlen(in), out, sizeof(out));
	assert_true(n != (size_t)-1);
	out[n] = '\0';
	if (strcmp(out, want) != 0)
		fail_msg("redact(\"%s\") = \"%s\", want \"%s\"", in, out, want);
}

static void ipv4_host_part(void **state)
{
	check("inet 192.0.2.1/24 brd 192.0.2.255 scope global eth0", "inet 192.0.2.x/24 brd 192.0.2.255 scope global eth0");
	check("203.0.113.2", "203.0.113.x");
	check("pool4 198.51.100.0/28", "pool4 198.51.100.0/28"); /* a prefix: nothing to hide */
	check("range 192.0.2.100-192.0.2.199", "range 192.0.2.x-192.0.2.x");
	check("(192.0.2.7)", "(192.0.2.x)");
	check("from 192.0.2.1.", "from 192.0.2.x.");
	check("addr 192.0.2.1:", "addr 192.0.2.x:");
}

static void ipv4_kept(void **state)
{
	check("127.0.0.1 0.0.0.0 255.255.255.255 224.0.0.251", "127.0.0.1 0.0.0.0 255.255.255.255 224.0.0.251");
	check("inet 192.0.0.1/29 scope host clat", "inet 192.0.0.1/29 scope host clat"); /* RFC 7335 */
	check("192.0.0.8", "192.0.0.8"); /* RFC 7600's dummy address */
	check("192.0.0.9", "192.0.0.x");
}

static void ipv4_ports(void **state)
{
	check("198.51.100.3:8000", "198.51.100.x:8000");
	check("IP 192.0.2.1.53 > 192.0.2.2.4000:", "IP 192.0.2.x.53 > 192.0.2.x.4000:");
	check("udp 2001:db8:1::5#1234 198.51.100.3#40000", "udp 2001:db8:1::x#1234 198.51.100.x#40000");
}

static void not_addresses(void **state)
{
	const char *same[] = {
		"version 6.1.0-18-amd64",
		"1.2.3",
		"256.1.1.1",
		"1.2.3.4.5.6",
		"12:34:56",
		"deadbeef cafe",
		"x464c1 v1.2.3.4",
		"ipv4only.arpa",
		"2001:db8::g",
		"00:00:5e:00:53",
		"Dec  7 11:52:02 host",
		"",
	};
	for (size_t i = 0; i < sizeof(same) / sizeof(same[0]); i++)
		check(same[i], same[i]);
}

static void ipv6_host_part(void **state)
{
	check("inet6 2001:db8:1:0:200:5eff:fe00:5321/64 scope global dynamic",
	      "inet6 2001:db8:1::x/64 scope global dynamic");
	check("default via fe80::1 dev x464c1", "default via fe80::x dev x464c1");
	check("fe80::1%eth0", "fe80::x%eth0");
	check("[2001:db8:2:3::9]:53", "[2001:db8:2:3::x]:53");
	check("2001:DB8:1::A", "2001:db8:1::x");
	check("2001:db8:1::/64 dev br0", "2001:db8:1::/64 dev br0"); /* a prefix */
	check("2001:db8:1:2:3::/80", "2001:db8:1:2::x/80"); /* bits beyond the /64 are host bits */
	check("2001:db8::1.53 >", "2001:db8::x.53 >");
}

static void ipv6_embedded_ipv4(void **state)
{
	check("64:ff9b::cb00:7102", "64:ff9b::203.0.113.x");
	check("64:ff9b::203.0.113.2", "64:ff9b::203.0.113.x");
	check("pref64 64:ff9b::/96", "pref64 64:ff9b::/96");
	check("64:ff9b::c633:6400", "64:ff9b::198.51.100.0");
	check("::ffff:192.0.2.1", "::ffff:192.0.2.x");
}

static void ipv6_kept(void **state)
{
	check("::1 :: ::/0 ff02::1:ff00:1", "::1 :: ::/0 ff02::1:ff00:1");
}

static void mac(void **state)
{
	check("link/ether 00:00:5e:00:53:21 brd ff:ff:ff:ff:ff:ff", "link/ether 00:00:5e:xx:xx:xx brd ff:ff:ff:ff:ff:ff");
	check("lladdr 02:FC:00:12:34:56 REACHABLE", "lladdr 02:FC:00:xx:xx:xx REACHABLE");
	check("33:33:00:00:00:01 00:00:00:00:00:00", "33:33:00:00:00:01 00:00:00:00:00:00");
}

static void idempotent_and_bounded(void **state)
{
	const char *texts[] = {
		"inet 192.0.2.1/24 inet6 2001:db8:1::5/64 64:ff9b::1 00:00:5e:00:53:21 192.0.2.1.53 ::ffff:0:1",
		"64:ff9b::1 64:ff9b::1 64:ff9b::1",
		"1:0:1::1",
	};
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		size_t n = strlen(texts[i]), cap = REDACT_OUT_MAX(n);
		char once[512], twice[1100];
		size_t a = redact_text(texts[i], n, once, cap);
		assert_true(a != (size_t)-1 && a <= cap);
		size_t b = redact_text(once, a, twice, sizeof(twice));
		assert_int_equal(a, b);
		assert_memory_equal(once, twice, a);
	}
	/* too small an output is refused, not overrun */
	char small[8];
	assert_true(redact_text("192.0.2.1 192.0.2.2", 19, small, sizeof(small)) == (size_t)-1);
}

static void secrets(void **state)
{
	const char *in = "uplink wlan0\n"
			 "api-key abc123\n"
			 "# password hunter2\n"
			 "TOKEN=xyz\n"
			 "psk\n"
			 "pref64 64:ff9b::/96";
	char out[512];
	unsigned masked = 99;
	size_t cap = redact_secrets_max(in, strlen(in));
	assert_true(cap <= sizeof(out));
	size_t n = redact_secrets(in, strlen(in), out, cap, &masked);
	assert_true(n != (size_t)-1);
	out[n] = '\0';
	assert_string_equal(out, "uplink wlan0\n"
				 "api-key <removed by xlat464 report>\n"
				 "# password <removed by xlat464 report>\n"
				 "TOKEN=<removed by xlat464 report>\n"
				 "psk\n"
				 "pref64 64:ff9b::/96");
	assert_int_equal(masked, 3);
	assert_true(redact_is_secret_key("wg-private.key", 14));
	assert_true(redact_is_secret_key("Secrets", 7));
	assert_false(redact_is_secret_key("clat.conf", 9));
	assert_false(redact_is_secret_key("plat.conf.example", 17));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(ipv4_host_part), cmocka_unit_test(ipv4_kept),	     cmocka_unit_test(ipv4_ports),
		cmocka_unit_test(not_addresses),  cmocka_unit_test(ipv6_host_part),  cmocka_unit_test(ipv6_embedded_ipv4),
		cmocka_unit_test(ipv6_kept),	  cmocka_unit_test(mac),	     cmocka_unit_test(idempotent_and_bounded),
		cmocka_unit_test(secrets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
