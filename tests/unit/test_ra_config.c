/* Unit tests for the `xlat464 ra` settings (src/mostly/ra_config.c): defaults, MinRtrAdvInterval
 * (RFC 4861 6.2.1), the PREF64 lifetime rules (RFC 8781 4.1), and that every error names its flag. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Part of the xlat464 binary, not a library: compile it into this test. */
#include "../../src/mostly/ra_config.c"
#include "../../src/mostly/ra_proto.c"
#include "../../src/common/settings_table.c"
#include "../../src/common/value_parse.c"

#define MAXARGS 32

/* Splits a space-separated command line (after "ra") and parses it. */
static int parse(struct ra_config *c, const char *line, char *err)
{
	static char buf[1024];
	char *argv[MAXARGS] = { "ra" };
	int argc = 1;
	snprintf(buf, sizeof(buf), "%s", line);
	for (char *save = NULL, *w = strtok_r(buf, " ", &save); w && argc < MAXARGS; w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	return ra_config_parse(c, argc, argv, err, RA_ERR_MAX);
}

static void test_defaults(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX];
	assert_int_equal(parse(&c, "--interface eth0 --pref64 64:ff9b::/96", err), 0);
	assert_string_equal(c.ifname, "eth0");
	assert_int_equal(c.mode, RA_MODE_BESIDE_ROUTER);
	assert_int_equal(c.max_interval, 600);
	assert_int_equal(c.min_interval_ms, 198000);
	assert_int_equal(c.lifetime, 1800);      /* 3 x 600, RFC 8781 4.1 */
	assert_int_equal(c.router_lifetime, 0); /* beside a router */
	assert_int_equal(c.npref64, 1);
	assert_int_equal(c.pref64[0].len, 96);
	assert_int_equal(c.pref64[0].lifetime, 1800);
	assert_false(c.lifetime_short);
	assert_false(c.daemon);
}

static void test_min_interval(void **state)
{
	/* 0.33 x max ... */
	assert_int_equal(ra_min_interval_ms(600), 198000);
	assert_int_equal(ra_min_interval_ms(1800), 594000);
	assert_int_equal(ra_min_interval_ms(10), 3300);
	assert_int_equal(ra_min_interval_ms(9), 3000); /* 2.97 s raised to the 3 s floor */
	/* ... never below 3 s, and never above 0.75 x max (the floor wins the tie at max = 4) */
	assert_int_equal(ra_min_interval_ms(4), 3000);
	assert_int_equal(ra_min_interval_ms(5), 3000);
	for (uint32_t m = RA_MAX_INTERVAL_MIN; m <= RA_MAX_INTERVAL_MAX; m++) {
		uint32_t v = ra_min_interval_ms(m);
		assert_true(v >= 3000);
		assert_true(v <= m * 750);
	}
}

static void test_lifetime(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX];

	/* Default: 3 x interval rounded up to 8 s units. */
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 4", err), 0);
	assert_int_equal(c.lifetime, 16);
	assert_int_equal(c.router_lifetime, 0);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 1800", err), 0);
	assert_int_equal(c.lifetime, 5400);
	/* Rounded up, never down. */
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 10 --lifetime 100", err), 0);
	assert_int_equal(c.lifetime, 104);
	assert_int_equal(c.lifetime_asked, 100);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 10 --lifetime 65528", err), 0);
	assert_int_equal(c.lifetime, 65528);
	/* At the interval: allowed, but flagged short (below 3 x). */
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 10 --lifetime 10", err), 0);
	assert_int_equal(c.lifetime, 16);
	assert_true(c.lifetime_short);
	/* Below the interval (the flag order does not matter) and above 65528: refused, naming --lifetime. */
	assert_int_equal(parse(&c, "--interface e --lifetime 599 --pref64 64:ff9b::/96", err), -1);
	assert_non_null(strstr(err, "--lifetime 599: below the RA interval"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --lifetime 9 --interval 10", err), -1);
	assert_non_null(strstr(err, "--lifetime 9"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --lifetime 0 --interval 10", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --lifetime 65529", err), -1);
	assert_non_null(strstr(err, "--lifetime 65529: above 65528"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --lifetime 4294967296", err), -1);
	assert_non_null(strstr(err, "--lifetime"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --lifetime -1", err), -1);
	/* The check on its own. */
	assert_int_equal(ra_lifetime_check(600, 600, err, sizeof(err)), 0);
	assert_int_equal(ra_lifetime_check(599, 600, err, sizeof(err)), -1);
	assert_int_equal(ra_lifetime_check(65528, 4, err, sizeof(err)), 0);
	assert_int_equal(ra_lifetime_check(65529, 4, err, sizeof(err)), -1);
}

static void test_interval_bounds(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX];
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 3", err), -1);
	assert_string_equal(err, "--interval: '3': MaxRtrAdvInterval must be 4 to 1800 seconds (RFC 4861 section 6.2.1)");
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 1801", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval 4x", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --interval", err), -1);
	assert_string_equal(err, "--interval: expects 1 value");
}

static void test_pref64(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX];
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --pref64 2001:db8:64:64::/64 --pref64 "
				   "2001:db8:56:5600::/56 --pref64 2001:db8:48::/48 --pref64 2001:db8:100::/40 --pref64 2001:db8::/32",
			       err),
			 0);
	assert_int_equal(c.npref64, 6);
	static const uint8_t lens[] = { 96, 64, 56, 48, 40, 32 };
	for (unsigned i = 0; i < 6; i++)
		assert_int_equal(c.pref64[i].len, lens[i]);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/97", err), -1);
	assert_string_equal(err, "--pref64: prefix length 97 is not an RFC 6052 length (32, 40, 48, 56, 64, 96)");
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::1/96", err), -1);
	assert_string_equal(err, "--pref64: '64:ff9b::1/96' has bits set beyond its length /96");
	assert_int_equal(parse(&c, "--interface e --pref64 2001:db8:0:0:ff00::/96", err), -1);
	assert_non_null(strstr(err, "u-octet"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 nonsense/96", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 ff02::/96", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --pref64 64:ff9b::/96", err), -1);
	assert_non_null(strstr(err, "given twice"));
	assert_int_equal(parse(&c, "--interface e", err), -1);
	assert_non_null(strstr(err, "--pref64"));
	assert_int_equal(parse(&c, "--pref64 64:ff9b::/96", err), -1);
	assert_non_null(strstr(err, "--interface"));
}

static void test_router_mode(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX];
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --prefix 2001:db8:1::/64 --rdnss "
				   "2001:db8:1::53 --interval 20",
			       err),
			 0);
	assert_int_equal(c.mode, RA_MODE_ROUTER);
	assert_int_equal(c.router_lifetime, 60);
	assert_int_equal(c.nprefix, 1);
	assert_true(c.prefix[0].onlink && c.prefix[0].autonomous);
	assert_int_equal(c.prefix[0].valid, RA_PIO_VALID_DEFAULT);
	assert_int_equal(c.nrdnss, 1);
	assert_int_equal(c.rdnss_lifetime, 60);
	/* Router lifetime capped at 9000 s is never reached with interval <= 1800 (5400 s). */
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --interval 1800", err), 0);
	assert_int_equal(c.router_lifetime, 5400);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --prefix 2001:db8:1::/64", err), -1);
	assert_non_null(strstr(err, "--prefix needs --router"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --rdnss 2001:db8::53", err), -1);
	assert_non_null(strstr(err, "--rdnss needs --router"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --prefix 2001:db8:1::/48", err), -1);
	assert_string_equal(err, "--prefix: '2001:db8:1::/48': SLAAC needs a /64 (RFC 4862, RFC 2464), not /48");
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --prefix fe80::/64", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --rdnss ff02::1", err), -1);
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --beside-router", err), -1);
	assert_non_null(strstr(err, "choose one"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --bogus", err), -1);
	assert_non_null(strstr(err, "--bogus: unknown option"));
	assert_int_equal(parse(&c, "--interface e --help", err), 1);
}

/* The config file: the same settings as lines, flags over them, errors naming the line. */
static void test_config_file(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX], out[1024];
	static const char text[] = "# an RA config\n"
				   "interface br0\n"
				   "mode router   # the link's router\n"
				   "pref64 64:ff9b::/96\n"
				   "prefix 2001:db8:1::/64\n"
				   "rdnss 2001:db8:1::53\n"
				   "interval 30\n"
				   "lifetime 100\n";
	char *argv[] = { "ra", "--interval", "40", "--pref64", "2001:db8:64::/96", NULL };
	assert_int_equal(ra_config_load(&c, text, strlen(text), "ra.conf", 5, argv, err, sizeof(err)), 0);
	assert_int_equal(c.mode, RA_MODE_ROUTER);
	assert_int_equal(c.max_interval, 40); /* the flag wins */
	assert_int_equal(c.npref64, 1);      /* --pref64 replaces the file's lines */
	assert_int_equal(c.pref64[0].len, 96);
	assert_int_equal(c.pref64[0].prefix[2], 0x0d);
	assert_int_equal(c.lifetime, 104);
	assert_int_equal(c.nprefix, 1);
	ra_config_print(&c, out, sizeof(out));
	assert_string_equal(out, "interface br0\nmode router\ninterval 40\npref64 2001:db8:64::/96\nlifetime 100\n"
				 "prefix 2001:db8:1::/64\nrdnss 2001:db8:1::53\n");
	/* what --print-config writes reads back to the same settings */
	struct ra_config again;
	assert_int_equal(ra_config_load(&again, out, strlen(out), "print", 1, argv, err, sizeof(err)), 0);
	char out2[1024];
	ra_config_print(&again, out2, sizeof(out2));
	assert_string_equal(out, out2);

	static const char bad[] = "interface br0\npref64 64:ff9b::/96\n\ninterval 2\n";
	assert_int_equal(ra_config_load(&c, bad, strlen(bad), "ra.conf", 1, argv, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:4: interval: '2': MaxRtrAdvInterval must be 4 to 1800 seconds (RFC 4861 section 6.2.1)");
	static const char unknown[] = "interface br0\nadvertise yes\n";
	assert_int_equal(ra_config_load(&c, unknown, strlen(unknown), "ra.conf", 1, argv, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:2: advertise: unknown setting");
	static const char two[] = "interface br0 br1\n";
	assert_int_equal(ra_config_load(&c, two, strlen(two), "ra.conf", 1, argv, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:1: interface: expects 1 value, got 2");
}

/* Several interfaces: `interface IF` sections over the defaults before the first one; the flags over
 * every section; errors name the line or the section. */
static void test_multi(void **state)
{
	static struct ra_multi m, again;
	static char out[8192], out2[8192];
	char err[RA_ERR_MAX];
	char *none[] = { "ra", NULL };
	char *interval[] = { "ra", "--interval", "20", NULL };
	static const char text[] = "# defaults\n"
				   "interval 30\n"
				   "pref64 64:ff9b::/96\n"
				   "control /run/xlat464/ra.sock\n"
				   "\n"
				   "interface eth0\n"
				   "mode router\n"
				   "prefix 2001:db8:1::/64\n"
				   "rdnss 2001:db8:1::53\n"
				   "interface eth1\n"
				   "pref64 2001:db8:64::/96\n"
				   "interval 60\n";
	assert_int_equal(ra_multi_load(&m, text, strlen(text), "ra.conf", 1, none, err, sizeof(err)), 0);
	assert_int_equal(m.n, 2);
	assert_string_equal(m.ifc[0].ifname, "eth0");
	assert_int_equal(m.ifc[0].mode, RA_MODE_ROUTER);
	assert_int_equal(m.ifc[0].max_interval, 30);
	assert_int_equal(m.ifc[0].npref64, 1);
	assert_int_equal(m.ifc[0].nprefix, 1);
	assert_int_equal(m.ifc[0].router_lifetime, 90);
	assert_string_equal(m.ifc[1].ifname, "eth1");
	assert_int_equal(m.ifc[1].mode, RA_MODE_BESIDE_ROUTER); /* eth0's lines do not reach eth1 */
	assert_int_equal(m.ifc[1].max_interval, 60);
	assert_int_equal(m.ifc[1].npref64, 2); /* a repeatable key adds to the defaults */
	assert_int_equal(m.ifc[1].nprefix, 0);
	assert_string_equal(m.ifc[1].control, "/run/xlat464/ra.sock");
	/* a flag applies to every section, over the file */
	assert_int_equal(ra_multi_load(&m, text, strlen(text), "ra.conf", 3, interval, err, sizeof(err)), 0);
	assert_int_equal(m.ifc[0].max_interval, 20);
	assert_int_equal(m.ifc[1].max_interval, 20);
	/* --print-config reads back as the same interfaces */
	ra_multi_print(&m, out, sizeof(out));
	assert_non_null(strstr(out, "\n\ninterface eth1\nmode beside-router\ninterval 20\n"));
	assert_int_equal(ra_multi_load(&again, out, strlen(out), "print", 1, none, err, sizeof(err)), 0);
	assert_int_equal(again.n, 2);
	ra_multi_print(&again, out2, sizeof(out2));
	assert_string_equal(out, out2);

	/* one interface line, anywhere: as ra_config_load, and --interface still replaces it */
	static const char one[] = "pref64 64:ff9b::/96\ninterface eth0\ninterval 30\n";
	char *flag[] = { "ra", "--interface", "br0", NULL };
	assert_int_equal(ra_multi_load(&m, one, strlen(one), "one", 3, flag, err, sizeof(err)), 0);
	assert_int_equal(m.n, 1);
	assert_string_equal(m.ifc[0].ifname, "br0");
	assert_int_equal(m.ifc[0].max_interval, 30);

	/* errors: the line of the section or the setting; --interface with sections; twice the same */
	assert_int_equal(ra_multi_load(&m, text, strlen(text), "ra.conf", 3, flag, err, sizeof(err)), -1);
	assert_string_equal(err, "--interface: ra.conf has 2 interface sections; name the interfaces there, not on the "
				 "command line");
	static const char bad[] = "pref64 64:ff9b::/96\ninterface a\ninterface b\ninterval 2\n";
	assert_int_equal(ra_multi_load(&m, bad, strlen(bad), "ra.conf", 1, none, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:4: interval: '2': MaxRtrAdvInterval must be 4 to 1800 seconds (RFC 4861 section 6.2.1)");
	static const char nopref[] = "interface a\npref64 64:ff9b::/96\ninterface b\n";
	assert_int_equal(ra_multi_load(&m, nopref, strlen(nopref), "ra.conf", 1, none, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:3: interface b: --pref64 PREFIX is required (the NAT64 prefix to announce, e.g. "
				 "64:ff9b::/96)");
	static const char twice[] = "pref64 64:ff9b::/96\ninterface a\ninterface b\n  interface a\n";
	assert_int_equal(ra_multi_load(&m, twice, strlen(twice), "ra.conf", 1, none, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:4: interface a: a second section for it (the first is at line 2)");
	static const char ctl[] = "pref64 64:ff9b::/96\ninterface a\ninterface b\ncontrol /run/b.sock\n";
	assert_int_equal(ra_multi_load(&m, ctl, strlen(ctl), "ra.conf", 1, none, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "ra.conf:3: interface b: control and pidfile belong to the process"));
	static const char nine[] = "pref64 64:ff9b::/96\ninterface a\ninterface b\ninterface c\ninterface d\n"
				   "interface e\ninterface f\ninterface g\ninterface h\ninterface i\n";
	assert_int_equal(ra_multi_load(&m, nine, strlen(nine), "ra.conf", 1, none, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:10: interface: at most 8 interfaces in one process");
	/* "interfaces" is not an interface line: an unknown setting */
	static const char prefix_word[] = "pref64 64:ff9b::/96\ninterface a\ninterfaces b\ninterface c\n";
	assert_int_equal(ra_multi_load(&m, prefix_word, strlen(prefix_word), "ra.conf", 1, none, err, sizeof(err)), -1);
	assert_string_equal(err, "ra.conf:3: interfaces: unknown setting");
}

/* A reload keeps what needs a restart and names it; the rest changes. */
static void test_reload_keeps_restart(void **state)
{
	struct ra_config run, next;
	char err[RA_ERR_MAX], kept[128];
	char *argv[] = { "ra", NULL };
	static const char a[] = "interface br0\npref64 64:ff9b::/96\ninterval 600\n";
	static const char b[] = "interface br1\npref64 64:ff9b::/96\ninterval 30\ncontrol /run/x.sock\n";
	assert_int_equal(ra_config_load(&run, a, strlen(a), "a", 1, argv, err, sizeof(err)), 0);
	assert_int_equal(ra_config_load(&next, b, strlen(b), "b", 1, argv, err, sizeof(err)), 0);
	assert_int_equal(settings_keep_restart(&ra_settings_table, &next, &run, kept, sizeof(kept)), 2);
	assert_string_equal(kept, "interface, control");
	assert_string_equal(next.ifname, "br0");
	assert_string_equal(next.control, "");
	assert_int_equal(next.max_interval, 30);
}

/* DNSSL (RFC 8106 section 5.2): names in DNS wire format, one option padded to 8 octets, with the
 * mode router only; what a bad name is. */
static void test_dnssl(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX];
	uint8_t w[NDP_DNSSL_NAME_MAX];
	assert_int_equal(ndp_dnssl_encode("example.com", w, sizeof(w)), 13);
	assert_memory_equal(w, "\x07" "example" "\x03" "com" "\x00", 13);
	assert_int_equal(ndp_dnssl_encode("example.com.", w, sizeof(w)), 13);
	static const char *const bad[] = { "", ".", "a..b", "-a.com", "a-.com", "a_b.com", "a b", "a..",
					   "0123456789012345678901234567890123456789012345678901234567890123.com" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ndp_dnssl_encode(bad[i], w, sizeof(w)) != 0)
			fail_msg("'%s' encoded", bad[i]);
	assert_int_equal(ndp_dnssl_encode("example.com", w, 12), 0); /* does not fit */

	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --interval 20 --dnssl example.com "
				   "--dnssl lab.example.net",
			       err),
			 0);
	assert_int_equal(c.ndnssl, 2);
	assert_int_equal(c.dnssl_lifetime, 60);
	struct ndp_ra ra;
	uint8_t buf[NDP_RA_MAX_LEN], ll[16] = { 0xfe, 0x80, [15] = 1 }, dst[16] = { 0xff, 0x02, [15] = 1 };
	ra_build_content(&c, NULL, false, &ra);
	size_t n = ndp_build_ra(ll, dst, &ra, buf, sizeof(buf));
	assert_true(n > 16);
	size_t off = 16;
	while (off + 2 <= n && buf[off] != NDP_OPT_DNSSL)
		off += 8u * buf[off + 1];
	assert_true(off + 8 <= n);
	/* 8 + 13 + 17 = 38 bytes, padded to 40: length 5 */
	assert_int_equal(buf[off + 1], 5);
	assert_int_equal(buf[off + 4] << 24 | buf[off + 5] << 16 | buf[off + 6] << 8 | buf[off + 7], 60);
	assert_memory_equal(buf + off + 8, "\x07" "example" "\x03" "com" "\x00" "\x03" "lab" "\x07" "example" "\x03" "net" "\x00"
				"\x00\x00", 32);
	ra_build_content(&c, NULL, true, &ra); /* the final RA: lifetime 0 */
	assert_int_equal(ra.dnssl_lifetime, 0);

	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --dnssl example.com", err), -1);
	assert_non_null(strstr(err, "--dnssl needs --router"));
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --dnssl a_b.example", err), -1);
	assert_string_equal(err, "--dnssl: 'a_b.example' is not a domain name (labels of letters, digits and '-', at most 63 "
				 "each, 253 in all)");
	assert_int_equal(parse(&c, "--interface e --pref64 64:ff9b::/96 --router --dnssl a.example --dnssl a.example", err), -1);
	assert_non_null(strstr(err, "given twice"));
}

static void test_format(void **state)
{
	struct ra_config c;
	char err[RA_ERR_MAX], out[1024];
	assert_int_equal(parse(&c, "--interface e --pref64 2001:db8:64::/96 --router --prefix 2001:db8:1::/64 --interval 10 "
				   "--lifetime 21",
			       err),
			 0);
	ra_config_format(&c, out, sizeof(out));
	assert_non_null(strstr(out, "mode router\n"));
	assert_non_null(strstr(out, "pref64 2001:db8:64::/96\n"));
	assert_non_null(strstr(out, "lifetime 24 (scaled 3, rounded up to 8 s units)\n"));
	assert_non_null(strstr(out, "prefix 2001:db8:1::/64"));
	/* Truncation keeps the buffer terminated. */
	char small[10];
	assert_true(ra_config_format(&c, small, sizeof(small)) < sizeof(small));
	assert_int_equal(strlen(small), 9);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),   cmocka_unit_test(test_min_interval), cmocka_unit_test(test_lifetime),
		cmocka_unit_test(test_interval_bounds), cmocka_unit_test(test_pref64), cmocka_unit_test(test_router_mode),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_config_file),
		cmocka_unit_test(test_reload_keeps_restart),
		cmocka_unit_test(test_multi),
		cmocka_unit_test(test_dnssl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
