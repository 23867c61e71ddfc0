/* Unit tests for the CLAT configuration file parser (src/clat/config.c): every key, booleans with and
 * without a value, comments and blank lines, the last line winning, errors naming file:line, and the
 * printer's output parsing back to the same settings. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Part of the xlat464 binary, not a library: compile them into this test. */
#include "../../src/clat/config.c"
#include "../../src/common/siit_settings.c"
#include "../../src/common/settings_table.c"
#include "../../src/common/value_parse.c"

static int parse(struct clat_config *c, const char *text, char *err, size_t errlen)
{
	clat_config_init(c);
	err[0] = '\0';
	return clat_config_parse(c, text, strlen(text), "clat.conf", err, errlen);
}

static void test_every_key(void **state)
{
	struct clat_config c;
	char err[CLAT_CONFIG_ERR_MAX];
	const char *text = "# a CLAT\n"
			   "\n"
			   "uplink wlan0\n"
			   "pref64   2001:db8:64::/96   # the PLAT\n"
			   "tun clat1\n"
			   "no-dns64\n"
			   "resolv-conf /etc/resolv.conf.clat\n"
			   "force no\n"
			   "control /run/xlat464/c.sock\n"
			   "pidfile /run/clat.pid\r\n"
			   "\tdebug yes";
	assert_int_equal(parse(&c, text, err, sizeof(err)), 0);
	assert_string_equal(c.uplink, "wlan0");
	assert_string_equal(c.pref64, "2001:db8:64::/96");
	assert_int_equal(c.pref64_len, 96);
	static const uint8_t want[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 0x64 };
	assert_memory_equal(c.pref64_addr, want, 16);
	assert_string_equal(c.tun, "clat1");
	assert_true(c.no_dns64);
	assert_string_equal(c.resolv_conf, "/etc/resolv.conf.clat");
	assert_false(c.force);
	assert_string_equal(c.control, "/run/xlat464/c.sock");
	assert_string_equal(c.pidfile, "/run/clat.pid");
	assert_true(c.debug);
	assert_int_equal(c.set, CLAT_CFG_UPLINK | CLAT_CFG_PREF64 | CLAT_CFG_TUN | CLAT_CFG_NO_DNS64 |
					CLAT_CFG_RESOLV_CONF | CLAT_CFG_FORCE | CLAT_CFG_CONTROL | CLAT_CFG_PIDFILE |
					CLAT_CFG_DEBUG);
}

static void test_empty_and_last_wins(void **state)
{
	struct clat_config c;
	char err[CLAT_CONFIG_ERR_MAX];
	assert_int_equal(parse(&c, "", err, sizeof(err)), 0);
	assert_int_equal(c.set, 0);
	assert_int_equal(parse(&c, "  # only a comment\n\n\t\n", err, sizeof(err)), 0);
	assert_int_equal(c.set, 0);
	assert_int_equal(parse(&c, "pref64 2001:db8:64::/96\npref64 2001:db8:100::/40\nforce\nforce no\n", err,
			       sizeof(err)),
			 0);
	assert_string_equal(c.pref64, "2001:db8:100::/40");
	assert_int_equal(c.pref64_len, 40);
	assert_false(c.force);
	assert_true(c.set & CLAT_CFG_FORCE);
	/* pref64 none: set, but empty (the daemon then has no static prefix) */
	assert_int_equal(parse(&c, "pref64 2001:db8:64::/96\npref64 none\n", err, sizeof(err)), 0);
	assert_string_equal(c.pref64, "");
	assert_int_equal(c.pref64_len, 0);
	assert_true(c.set & CLAT_CFG_PREF64);
}

/* Each bad line: exit status -1 and a message that starts with the file and line. */
static void test_errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "uplink eth0\nbogus 1\n", "clat.conf:2: bogus: unknown key" },
		{ "\n\npref64 2001:db8::/33\n", "clat.conf:3: pref64 2001:db8::/33: not an RFC 6052 prefix length" },
		{ "pref64 192.0.2.0/24\n", "clat.conf:1: pref64 192.0.2.0/24: not an IPv6 prefix" },
		{ "pref64 2001:db8::1/96\n", "clat.conf:1: pref64 2001:db8::1/96: bits set beyond" },
		{ "pref64 2001:db8:0:0:ff00::/96\n", "clat.conf:1: pref64 2001:db8:0:0:ff00::/96: bits 64 to 71" },
		{ "pref64\n", "clat.conf:1: pref64: expects a value" },
		{ "tun a b\n", "clat.conf:1: tun: one value expected, got 2" },
		{ "tun a b c d e\n", "clat.conf:1: tun: one value expected, got at least 3" },
		{ "tun abcdefghijklmnop\n", "clat.conf:1: tun abcdefghijklmnop: an interface name is 1 to 15" },
		{ "uplink a/b\n", "clat.conf:1: uplink a/b: an interface name has no '/'" },
		{ "uplink ..\n", "clat.conf:1: uplink ..: not a valid interface name" },
		{ "force maybe\n", "clat.conf:1: force maybe: expects yes or no" },
		{ "no-dns64 1\n", "clat.conf:1: no-dns64 1: expects yes or no" },
		{ "# ok\nforce\ndebug\nuplink", "clat.conf:4: uplink: expects a value" },
	};
	char err[CLAT_CONFIG_ERR_MAX];
	struct clat_config c;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse(&c, bad[i].text, err, sizeof(err)), -1);
		if (strncmp(err, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("case %zu: got \"%s\", want \"%s...\"", i, err, bad[i].msg);
	}
	/* a NUL byte in the middle, and an over-long line */
	clat_config_init(&c);
	assert_int_equal(clat_config_parse(&c, "force\nfo\0rce\n", 12, "x", err, sizeof(err)), -1);
	assert_string_equal(err, "x:2: NUL byte in line");
	static char big[2000];
	memset(big, 'a', sizeof(big) - 1);
	assert_int_equal(parse(&c, big, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "clat.conf:1: line longer than"));
	/* a long path: refused, not cut */
	static char longpath[400];
	snprintf(longpath, sizeof(longpath), "control /%0300d\n", 0);
	assert_int_equal(parse(&c, longpath, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "too long"));
	/* a tiny error buffer is still terminated */
	char small[8];
	assert_int_equal(parse(&c, "bogus\n", small, sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_format_round_trip(void **state)
{
	struct clat_config c, again;
	char err[CLAT_CONFIG_ERR_MAX], out[2048], out2[2048];
	assert_int_equal(parse(&c, "debug\nforce no\nuplink c-r\npref64 none\ncontrol /tmp/x.sock\n", err, sizeof(err)), 0);
	size_t n = clat_config_format(&c, out, sizeof(out));
	assert_string_equal(out, "uplink c-r\npref64 none\nforce no\ncontrol /tmp/x.sock\ndebug yes\n");
	assert_int_equal(n, strlen(out));
	clat_config_init(&again);
	assert_int_equal(clat_config_parse(&again, out, n, "printed", err, sizeof(err)), 0);
	clat_config_format(&again, out2, sizeof(out2));
	assert_string_equal(out, out2);
	/* a short buffer: the would-be length comes back, the text is cut and terminated */
	char tiny[10];
	assert_int_equal(clat_config_format(&c, tiny, sizeof(tiny)), n);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* tether lines add up (up to 8, no repeats, none clears), shared is a boolean; both print back. */
static void test_tether_and_shared(void **state)
{
	struct clat_config c, again;
	char err[CLAT_CONFIG_ERR_MAX], out[2048], out2[2048];
	assert_int_equal(parse(&c, "tether wlan1\nshared\ntether usb0\n", err, sizeof(err)), 0);
	assert_int_equal(c.ntether, 2);
	assert_string_equal(c.tether[0], "wlan1");
	assert_string_equal(c.tether[1], "usb0");
	assert_true(c.shared);
	assert_int_equal(c.set, CLAT_CFG_TETHER | CLAT_CFG_SHARED);
	clat_config_format(&c, out, sizeof(out));
	assert_string_equal(out, "shared yes\ntether wlan1\ntether usb0\n");
	clat_config_init(&again);
	assert_int_equal(clat_config_parse(&again, out, strlen(out), "printed", err, sizeof(err)), 0);
	clat_config_format(&again, out2, sizeof(out2));
	assert_string_equal(out, out2);

	assert_int_equal(parse(&c, "tether wlan1\ntether none\nshared no\n", err, sizeof(err)), 0);
	assert_int_equal(c.ntether, 0);
	assert_false(c.shared);
	clat_config_format(&c, out, sizeof(out));
	assert_string_equal(out, "shared no\ntether none\n");

	assert_int_equal(parse(&c, "tether a\ntether b\ntether c\ntether d\ntether e\ntether f\ntether g\ntether h\n",
			       err, sizeof(err)), 0);
	assert_int_equal(c.ntether, 8);
	assert_int_equal(parse(&c, "tether a\ntether b\ntether c\ntether d\ntether e\ntether f\ntether g\ntether h\n"
				   "tether i\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:9: tether i: too many tether lines (at most 8 interfaces)");
	assert_int_equal(parse(&c, "tether wlan1\n\ntether wlan1\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:3: tether wlan1: given twice");
	assert_int_equal(parse(&c, "tether wl\"an\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:1: tether wl\"an: an interface name to tether has no '\"' or '\\'");
	assert_int_equal(parse(&c, "tether\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:1: tether: expects a value");
	assert_int_equal(parse(&c, "shared maybe\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:1: shared maybe: expects yes or no (or nothing, which means yes)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_empty_and_last_wins),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_tether_and_shared),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
