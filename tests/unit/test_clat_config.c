/* Unit tests for the CLAT settings (src/clat/config.c): every key, booleans with and without a value,
 * comments and blank lines, the last line winning, errors naming file:line, flags over the file, the
 * printer's output parsing back to the same settings, and a reload keeping what needs a restart. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Part of the xlat464 binary, not a library: compile them into this test. */
#include "../../src/clat/config.c"
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
	assert_true(c.fast_path); /* not given: the default */
}

static void test_empty_and_last_wins(void **state)
{
	struct clat_config c;
	char err[CLAT_CONFIG_ERR_MAX];
	struct clat_config dflt;
	clat_config_init(&dflt);
	assert_int_equal(parse(&c, "", err, sizeof(err)), 0);
	assert_memory_equal(&c, &dflt, sizeof(c));
	assert_string_equal(c.tun, "clat");
	assert_string_equal(c.resolv_conf, "/etc/resolv.conf");
	assert_int_equal(parse(&c, "  # only a comment\n\n\t\n", err, sizeof(err)), 0);
	assert_memory_equal(&c, &dflt, sizeof(c));
	assert_int_equal(parse(&c, "pref64 2001:db8:64::/96\npref64 2001:db8:100::/40\nforce\nforce no\n", err,
			       sizeof(err)),
			 0);
	assert_string_equal(c.pref64, "2001:db8:100::/40");
	assert_int_equal(c.pref64_len, 40);
	assert_false(c.force);
	/* pref64 none: set, but empty (the daemon then has no static prefix) */
	assert_int_equal(parse(&c, "pref64 2001:db8:64::/96\npref64 none\n", err, sizeof(err)), 0);
	assert_string_equal(c.pref64, "");
	assert_int_equal(c.pref64_len, 0);
}

/* Each bad line: exit status -1 and a message that starts with the file and line. */
static void test_errors_name_the_line(void **state)
{
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{ "uplink eth0\nbogus 1\n", "clat.conf:2: bogus: unknown setting" },
		{ "\n\npref64 2001:db8::/33\n", "clat.conf:3: pref64: prefix length 33 is not an RFC 6052 length" },
		{ "pref64 192.0.2.0/24\n", "clat.conf:1: pref64: '192.0.2.0/24' is not an IPv6 prefix" },
		{ "pref64 2001:db8::1/96\n", "clat.conf:1: pref64: '2001:db8::1/96' has bits set beyond" },
		{ "pref64 2001:db8:0:0:ff00::/96\n", "clat.conf:1: pref64: '2001:db8:0:0:ff00::/96': bits 64 to 71" },
		{ "pref64\n", "clat.conf:1: pref64: expects 1 value, got 0" },
		{ "tun a b\n", "clat.conf:1: tun: expects 1 value, got 2" },
		{ "tun a b c d e\n", "clat.conf:1: tun: expects 1 value, got 5" },
		{ "tun abcdefghijklmnop\n", "clat.conf:1: tun: interface name must be 1 to 15" },
		{ "uplink a/b\n", "clat.conf:1: uplink: 'a/b' is not a valid interface name" },
		{ "uplink ..\n", "clat.conf:1: uplink: '..' is not a valid interface name" },
		{ "force maybe\n", "clat.conf:1: force: 'maybe' is neither yes nor no" },
		{ "no-dns64 1\n", "clat.conf:1: no-dns64: '1' is neither yes nor no" },
		{ "force yes no\n", "clat.conf:1: force: expects 0 to 1 values, got 2" },
		{ "# ok\nforce\ndebug\nuplink", "clat.conf:4: uplink: expects 1 value, got 0" },
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
	assert_non_null(strstr(err, "a path is 1 to 107 characters"));
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
	assert_string_equal(out, "uplink c-r\npref64 none\ntun clat\nno-dns64 no\nresolv-conf /etc/resolv.conf\nforce no\n"
				 "control /tmp/x.sock\n# pidfile (none)\ndebug yes\nshared no\ntether none\nfast-path yes\nworkers 1\nworker-cpus none\n");
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
	clat_config_format(&c, out, sizeof(out));
	assert_non_null(strstr(out, "\nshared yes\ntether wlan1\ntether usb0\n"));
	clat_config_init(&again);
	assert_int_equal(clat_config_parse(&again, out, strlen(out), "printed", err, sizeof(err)), 0);
	clat_config_format(&again, out2, sizeof(out2));
	assert_string_equal(out, out2);

	assert_int_equal(parse(&c, "tether wlan1\ntether none\nshared no\n", err, sizeof(err)), 0);
	assert_int_equal(c.ntether, 0);
	assert_false(c.shared);
	clat_config_format(&c, out, sizeof(out));
	assert_non_null(strstr(out, "\nshared no\ntether none\n"));

	assert_int_equal(parse(&c, "tether a\ntether b\ntether c\ntether d\ntether e\ntether f\ntether g\ntether h\n",
			       err, sizeof(err)), 0);
	assert_int_equal(c.ntether, 8);
	assert_int_equal(parse(&c, "tether a\ntether b\ntether c\ntether d\ntether e\ntether f\ntether g\ntether h\n"
				   "tether i\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:9: tether: 'i': too many (at most 8 interfaces)");
	assert_int_equal(parse(&c, "tether wlan1\n\ntether wlan1\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:3: tether: 'wlan1' given twice");
	assert_int_equal(parse(&c, "tether wl\"an\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:1: tether: 'wl\"an': an interface name to tether has no '\"' or '\\'");
	assert_int_equal(parse(&c, "tether\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:1: tether: expects 1 value, got 0");
	assert_int_equal(parse(&c, "shared maybe\n", err, sizeof(err)), -1);
	assert_string_equal(err, "clat.conf:1: shared: 'maybe' is neither yes nor no");
}

/* Flags over the file: a boolean flag alone is yes, --tether replaces the file's tether lines, and
 * `--force -d` is two flags. */
static void test_flags_over_file(void **state)
{
	struct clat_config c;
	char err[CLAT_CONFIG_ERR_MAX], *words[32];
	int nwords = 0;
	char *argv[] = { "clat", "--force", "--tether", "eth9", "--pref64", "64:ff9b::/96", "--shared", "no", "--tun" };
	int argc = 8;
	for (int i = 1; i < argc;)
		assert_int_equal(settings_flag_take(&clat_settings_table, argc, argv, &i, words, &nwords, err, sizeof(err)), 1);
	assert_int_equal(parse(&c, "force no\nshared yes\ntether a\ntether b\npref64 2001:db8:64::/96\n", err, sizeof(err)), 0);
	assert_int_equal(settings_apply_words(&clat_settings_table, &c, words, nwords, err, sizeof(err)), 0);
	assert_true(c.force);
	assert_false(c.shared);
	assert_int_equal(c.ntether, 1);
	assert_string_equal(c.tether[0], "eth9");
	assert_string_equal(c.pref64, "64:ff9b::/96");
	/* a flag without its value: named; never the next flag taken as the value */
	int i = 8;
	argc = 9;
	assert_int_equal(settings_flag_take(&clat_settings_table, argc, argv, &i, words, &nwords, err, sizeof(err)), -1);
	assert_string_equal(err, "--tun: expects 1 value");
	char *argv2[] = { "clat", "--tun", "--check" };
	i = 1;
	assert_int_equal(settings_flag_take(&clat_settings_table, 3, argv2, &i, words, &nwords, err, sizeof(err)), -1);
	char *argv3[] = { "clat", "--no-dns64", "-d" };
	i = 1;
	nwords = 0;
	assert_int_equal(settings_flag_take(&clat_settings_table, 3, argv3, &i, words, &nwords, err, sizeof(err)), 1);
	assert_int_equal(i, 2); /* -d left for the next round */
	char *bad[] = { "--tether", "a/b", NULL };
	assert_int_equal(settings_apply_words(&clat_settings_table, &c, bad, 3, err, sizeof(err)), -1);
	assert_string_equal(err, "--tether: 'a/b' is not a valid interface name");
}

/* A reload keeps tun, control, pidfile, shared, tether and fast-path, and names them. */
static void test_reload_keeps_restart(void **state)
{
	struct clat_config run, next;
	char err[CLAT_CONFIG_ERR_MAX], kept[256];
	assert_int_equal(parse(&run, "tun clat1\ntether a\npref64 64:ff9b::/96\n", err, sizeof(err)), 0);
	assert_int_equal(parse(&next, "tun clat2\ntether a\ntether b\nfast-path no\npref64 2001:db8:64::/96\nforce\n",
			       err, sizeof(err)), 0);
	assert_int_equal(settings_keep_restart(&clat_settings_table, &next, &run, kept, sizeof(kept)), 3);
	assert_string_equal(kept, "tun, tether, fast-path");
	assert_string_equal(next.tun, "clat1");
	assert_int_equal(next.ntether, 1);
	assert_true(next.fast_path);
	assert_string_equal(next.pref64, "2001:db8:64::/96"); /* live */
	assert_true(next.force);
}

/* workers: 1 to 16 threads, 1 by default, printed back; anything else refused with the line named. */
static void test_workers(void **state)
{
	struct clat_config c;
	char err[CLAT_CONFIG_ERR_MAX], out[2048];
	assert_int_equal(parse(&c, "", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 1);
	assert_int_equal(parse(&c, "workers 4\n", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 4);
	clat_config_format(&c, out, sizeof(out));
	assert_non_null(strstr(out, "\nworkers 4\n"));
	assert_int_equal(parse(&c, "workers 16\n", err, sizeof(err)), 0);
	assert_int_equal(c.workers, 16);
	static const char *const bad[] = { "0", "17", "2x", "-1", "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char line[64];
		snprintf(line, sizeof(line), "\nworkers %s\n", bad[i]);
		assert_int_equal(parse(&c, line, err, sizeof(err)), -1);
		printf("%s\n", err);
		assert_int_equal(strncmp(err, "clat.conf:2: workers", 20), 0);
	}
	assert_int_equal(parse(&c, "workers\n", err, sizeof(err)), -1);
	assert_int_equal(strncmp(err, "clat.conf:1: workers", 20), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_empty_and_last_wins),
		cmocka_unit_test(test_errors_name_the_line),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_tether_and_shared),
		cmocka_unit_test(test_workers),
		cmocka_unit_test(test_flags_over_file),
		cmocka_unit_test(test_reload_keeps_restart),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
