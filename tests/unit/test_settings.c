/* Unit tests for the SIIT settings parser (src/common/siit_settings.c): every key, the error messages
 * (which name the problem and, for files, the line), and the config-syntax printer round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* The parser is part of the xlat464 binary, not a library: compile it into this test. */
#include "../../src/common/siit_settings.c"
#include "../../src/common/settings_table.c"
#include "../../src/common/value_parse.c"

static int parse(struct siit_settings *s, const char *text, char *err)
{
	siit_settings_init(s);
	return siit_settings_parse_text(s, text, strlen(text), "t.conf", err, SIIT_ERR_MAX);
}

static int set1(struct siit_settings *s, const char *key, const char *v, char *err)
{
	const char *val[1] = { v };
	return siit_settings_set(s, key, val, 1, err, SIIT_ERR_MAX);
}

static void test_defaults(void **state)
{
	struct siit_settings s;
	siit_settings_init(&s);
	assert_int_equal(s.cfg.lowest_ipv6_mtu, 1280);
	assert_int_equal(s.cfg.mtu4, 1500);
	assert_int_equal(s.cfg.mtu6, 1500);
	assert_true(s.cfg.decrement_ttl);
	assert_false(s.map.has_pool6);
	assert_int_equal(s.map.neam, 0);
	assert_string_equal(s.tun, "");
}

static void test_full_profile(void **state)
{
	static const char text[] = "# Jool-style profile\n"
				   "tun nat64\n"
				   "pool6 2001:db8:100::/40   # exercises the u-octet\n"
				   "eam 1.0.0.0/24 2001:db8:3::/120\n"
				   "\team 10.0.0.0/24\t2001:db8:2::/120\r\n"
				   "rfc6791v4 203.0.113.8\n"
				   "rfc6791v6 none\n"
				   "self4 198.51.100.1\n"
				   "self6 2001:db8:1c0:2:1::\n"
				   "lowest-ipv6-mtu 1300\n"
				   "mtu4 1400\n"
				   "mtu6 1280\n"
				   "amend-udp-checksum-zero yes\n"
				   "reassembly-max 4\n"
				   "reassembly-timeout-ms 250\n"
				   "router no\n"
				   "\n#end";
	struct siit_settings s;
	char err[SIIT_ERR_MAX] = "";
	assert_int_equal(parse(&s, text, err), 0);
	assert_string_equal(s.tun, "nat64");
	assert_true(s.map.has_pool6);
	assert_int_equal(s.map.pool6.len, 40);
	assert_int_equal(s.map.neam, 2);
	assert_true(s.cfg.has_rfc6791v4);
	assert_false(s.cfg.has_rfc6791v6);
	assert_true(s.cfg.has_self4 && s.cfg.has_self6);
	assert_memory_equal(s.cfg.self4, ((uint8_t[]){ 198, 51, 100, 1 }), 4);
	assert_int_equal(s.cfg.lowest_ipv6_mtu, 1300);
	assert_int_equal(s.cfg.mtu4, 1400);
	assert_int_equal(s.cfg.mtu6, 1280);
	assert_true(s.cfg.amend_udp_zero_csum);
	assert_int_equal(s.cfg.reasm_max, 4);
	assert_int_equal(s.cfg.reasm_timeout_ms, 250);
	assert_false(s.cfg.decrement_ttl);
	assert_int_equal(siit_settings_validate(&s, true, err, sizeof(err)), 0);
}

static void test_pool6_lengths(void **state)
{
	static const char *const ok[] = { "2001:db8::/32", "2001:db8:100::/40", "2001:db8:1::/48",
					  "2001:db8:1:100::/56", "2001:db8:1:2::/64", "64:ff9b::/96" };
	struct siit_settings s;
	char err[SIIT_ERR_MAX];
	siit_settings_init(&s);
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++)
		assert_int_equal(set1(&s, "pool6", ok[i], err), 0);
	assert_int_equal(set1(&s, "pool6", "2001:db8::/33", err), -1);
	assert_string_equal(err, "prefix length 33 is not an RFC 6052 length (32, 40, 48, 56, 64, 96)");
	assert_int_equal(set1(&s, "pool6", "64:ff9b::1/96", err), -1);
	assert_non_null(strstr(err, "bits set beyond"));
	assert_int_equal(set1(&s, "pool6", "64:ff9b:0:0:ff00::/96", err), -1);
	assert_non_null(strstr(err, "u-octet"));
	assert_int_equal(set1(&s, "pool6", "garbage", err), -1);
	assert_int_equal(set1(&s, "pool6", "64:ff9b::/", err), -1);
	assert_int_equal(set1(&s, "pool6", "64:ff9b::/-96", err), -1);
	assert_int_equal(set1(&s, "pool6", "none", err), 0);
	assert_false(s.map.has_pool6);
}

static void test_eam(void **state)
{
	struct siit_settings s;
	char err[SIIT_ERR_MAX];
	const char *good[2] = { "192.0.0.4", "2001:db8:0:b11::464" }; /* lengths default to /32 and /128 */
	const char *longer[2] = { "192.0.2.0/24", "2001:db8:1c0:2::/72" }; /* Jool's 6791v46 case */
	const char *shorter[2] = { "198.51.100.0/24", "2001:db8::/124" };
	const char *host[2] = { "192.0.2.1/24", "2001:db8::100/120" };
	siit_settings_init(&s);
	assert_int_equal(siit_settings_set(&s, "eam", good, 2, err, sizeof(err)), 0);
	assert_int_equal(s.map.neam, 1);
	assert_int_equal(s.map.eam[0].v4.len, 32);
	assert_int_equal(s.map.eam[0].v6.len, 128);
	/* RFC 7757 section 3.2: a longer IPv6 suffix is padded with zeros, a shorter one cannot hold
	 * the IPv4 suffix. */
	assert_int_equal(siit_settings_set(&s, "eam", longer, 2, err, sizeof(err)), 0);
	assert_int_equal(s.map.neam, 2);
	assert_int_equal(siit_settings_set(&s, "eam", shorter, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "shorter than the IPv4 suffix"));
	assert_int_equal(siit_settings_set(&s, "eam", host, 2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bits set beyond"));
	assert_int_equal(siit_settings_set(&s, "eam", good, 1, err, sizeof(err)), -1);
	assert_string_equal(err, "expects 2 values, got 1");
}

static void test_numbers_and_bools(void **state)
{
	struct siit_settings s;
	char err[SIIT_ERR_MAX];
	siit_settings_init(&s);
	assert_int_equal(set1(&s, "mtu4", "68", err), 0);
	assert_int_equal(set1(&s, "mtu4", "67", err), -1);
	assert_int_equal(set1(&s, "mtu6", "1279", err), -1);
	assert_int_equal(set1(&s, "mtu6", "65535", err), 0);
	assert_int_equal(set1(&s, "lowest-ipv6-mtu", "65536", err), -1);
	assert_int_equal(set1(&s, "lowest-ipv6-mtu", "99999999999999999999", err), -1);
	assert_int_equal(set1(&s, "lowest-ipv6-mtu", "+1300", err), -1);
	assert_int_equal(set1(&s, "router", "maybe", err), -1);
	assert_string_equal(err, "'maybe' is neither yes nor no");
	assert_int_equal(set1(&s, "self4", "198.51.100.300", err), -1);
	assert_int_equal(set1(&s, "self6", "2001:db8::g", err), -1);
	assert_int_equal(set1(&s, "tun", "way-too-long-interface-name", err), -1);
	assert_int_equal(set1(&s, "tun", "a/b", err), -1);
	assert_int_equal(set1(&s, "nonsense", "1", err), -1);
	assert_string_equal(err, "unknown setting");
}

/* RFC 7915 sections 4.1 and 5.1: the two options that replace copying TOS and traffic class. */
static void test_tos_options(void **state)
{
	struct siit_settings s;
	char err[SIIT_ERR_MAX], out[4096];
	siit_settings_init(&s);
	assert_false(s.cfg.zero_tclass);
	assert_false(s.cfg.set_tos);
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\nzero-traffic-class yes\ntos 184\n", err), 0);
	assert_true(s.cfg.zero_tclass);
	assert_true(s.cfg.set_tos);
	assert_int_equal(s.cfg.tos, 184);
	siit_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "zero-traffic-class yes\n"));
	assert_non_null(strstr(out, "tos 184\n"));
	assert_int_equal(set1(&s, "tos", "copy", err), 0);
	assert_false(s.cfg.set_tos);
	siit_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "tos copy\n"));
	assert_int_equal(set1(&s, "tos", "0", err), 0);
	assert_true(s.cfg.set_tos);
	assert_int_equal(s.cfg.tos, 0);
	static const char *const bad[] = { "256", "-1", "0x10", "", "1000", "copyx", "12a" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(set1(&s, "tos", bad[i], err), -1);
		assert_non_null(strstr(err, "neither copy nor a TOS value 0 to 255"));
	}
	assert_int_equal(set1(&s, "zero-traffic-class", "sometimes", err), -1);
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\ntos 300\n", err), -1);
	assert_non_null(strstr(err, ":2"));
}

/* RFC 6052 section 3.1 by default; allow-wkp-non-global yes for a lab. */
static void test_wkp_setting(void **state)
{
	struct siit_settings s;
	char err[SIIT_ERR_MAX], out[4096];
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\n", err), 0);
	assert_true(s.map.wkp_global_only);
	assert_true(s.map.pool6_wkp_strict);
	siit_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "allow-wkp-non-global no\n"));
	assert_int_equal(parse(&s, "allow-wkp-non-global yes\npool6 64:ff9b::/96\n", err), 0);
	assert_false(s.map.pool6_wkp_strict);
	siit_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "allow-wkp-non-global yes\n"));
	/* another prefix is not the well-known one: nothing to refuse */
	assert_int_equal(parse(&s, "pool6 2001:db8:64::/96\n", err), 0);
	assert_true(s.map.wkp_global_only);
	assert_false(s.map.pool6_wkp_strict);
	assert_int_equal(set1(&s, "allow-wkp-non-global", "perhaps", err), -1);
	assert_string_equal(err, "'perhaps' is neither yes nor no");
}

static void test_file_errors_name_the_line(void **state)
{
	struct siit_settings s;
	char err[SIIT_ERR_MAX];
	assert_int_equal(parse(&s, "tun nat64\n# comment\npool6 2001:db8::/33\n", err), -1);
	assert_string_equal(err, "t.conf:3: pool6: prefix length 33 is not an RFC 6052 length (32, 40, 48, 56, 64, 96)");
	assert_int_equal(parse(&s, "bogus 1\n", err), -1);
	assert_string_equal(err, "t.conf:1: bogus: unknown setting");
	assert_int_equal(parse(&s, "mtu4\n", err), -1);
	assert_string_equal(err, "t.conf:1: mtu4: expects 1 value, got 0");
	assert_int_equal(parse(&s, "reassembly-max 1025\n", err), -1);
	assert_string_equal(err, "t.conf:1: reassembly-max: '1025' is not a number from 0 to 1024");
	assert_int_equal(parse(&s, "reassembly-timeout-ms 99\n", err), -1);
	assert_string_equal(err, "t.conf:1: reassembly-timeout-ms: '99' is not a number from 100 to 60000");
	assert_int_equal(parse(&s, "a b c d e f g h i j\n", err), -1);
	assert_non_null(strstr(err, "too many words"));
	assert_int_equal(siit_settings_parse_text(&s, "tun a\0b\n", 8, "t.conf", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL byte"));
}

/* The table is the one description: every key parses, prints, appears in --help and in the docs
 * table, and a reload keeps the ones that need a restart. */
static void test_table_is_the_description(void **state)
{
	static char help[16384], md[16384], out[32768];
	FILE *f = fmemopen(help, sizeof(help) - 1, "w");
	settings_help(&siit_settings_table, f);
	fclose(f);
	f = fmemopen(md, sizeof(md) - 1, "w");
	settings_markdown(&siit_settings_table, f);
	fclose(f);
	struct siit_settings s, before;
	siit_settings_init(&s);
	siit_settings_bind(&s);
	siit_settings_format(&s, out, sizeof(out));
	for (size_t i = 0; i < siit_settings_table.n; i++) {
		const struct setting *e = &siit_settings_table.s[i];
		char flag[64], row[64], line[64];
		snprintf(flag, sizeof(flag), "  --%s %s", e->key, e->syntax);
		snprintf(row, sizeof(row), "| `%s ", e->key);
		snprintf(line, sizeof(line), "%s ", e->key);
		assert_non_null(strstr(help, flag));
		assert_non_null(strstr(md, row));
		assert_int_equal(siit_settings_arity(e->key), (int)e->nval);
		if (strcmp(e->key, "tun") && strcmp(e->key, "eam")) /* empty by default: no line */
			assert_non_null(strstr(out, line));
	}
	char err[SIIT_ERR_MAX];
	assert_int_equal(parse(&before, "tun a\nmtu4 1400\nreassembly-max 4\npool6 64:ff9b::/96\n", err), 0);
	assert_int_equal(parse(&s, "tun b\nmtu4 1300\nreassembly-max 8\npool6 64:ff9b::/96\n", err), 0);
	char kept[128];
	assert_int_equal(settings_keep_restart(&siit_settings_table, &s, &before, kept, sizeof(kept)), 2);
	assert_string_equal(kept, "tun, reassembly-max");
	assert_string_equal(s.tun, "a");
	assert_int_equal(s.cfg.reasm_max, 4);
	assert_int_equal(s.cfg.mtu4, 1300); /* live: the new value */
}

/* The kinds the SIIT does not use: a range of values, durations, names, narrow integers; and a
 * custom setting a reload keeps by its size. */
struct kinds {
	uint8_t len;
	uint16_t block;
	uint32_t secs;
	int mode, ab;
	unsigned nwords;
	char word[2][8];
};

static int set_words(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct kinds *k = arg;
	memset(k->word, 0, sizeof(k->word));
	for (int i = 0; i < nval; i++)
		snprintf(k->word[i], sizeof(k->word[i]), "%s", val[i]);
	k->nwords = (unsigned)nval;
	return 0;
}

static void format_words(const void *arg, struct cfgtext_buf *b)
{
	const struct kinds *k = arg;
	cfgtext_add(b, "words %s%s%s\n", k->word[0], k->nwords > 1 ? " " : "", k->nwords > 1 ? k->word[1] : "");
}

static void test_other_kinds(void **state)
{
	static const char *const modes[] = { "one", "two", "three", NULL }, *const two[] = { "a", "b", NULL };
	const struct setting list[] = {
		{ .key = "len", .nval = 1, .kind = SETTING_U32, .off = offsetof(struct kinds, len), .size = 1, .lo = 1, .hi = 128 },
		{ .key = "block", .nval = 1, .kind = SETTING_U32, .off = offsetof(struct kinds, block), .size = 2, .hi = 65535 },
		{ .key = "secs", .nval = 1, .kind = SETTING_DURATION, .off = offsetof(struct kinds, secs), .lo = 1 },
		{ .key = "mode", .nval = 1, .kind = SETTING_ENUM, .off = offsetof(struct kinds, mode), .names = modes, .restart = true },
		{ .key = "ab", .nval = 1, .kind = SETTING_ENUM, .off = offsetof(struct kinds, ab), .names = two },
		{ .key = "words", .nval = 1, .nval_max = 2, .kind = SETTING_CUSTOM, .set = set_words, .format = format_words,
		  .off = offsetof(struct kinds, nwords), .size = sizeof(unsigned) + sizeof(((struct kinds *)0)->word),
		  .restart = true },
	};
	const struct settings_table t = { .s = list, .n = sizeof(list) / sizeof(list[0]) };
	struct kinds k, before;
	char err[128], out[512];
	const char *v[3];
	int max;
	memset(&k, 0, sizeof(k));
#define SET(key, n, ...) (memcpy(v, (const char *[]){ __VA_ARGS__ }, sizeof(char *) * (n)), \
			  settings_apply(&t, &k, key, v, n, err, sizeof(err)))
	assert_int_equal(SET("len", 1, "128"), 0);
	assert_int_equal(SET("block", 1, "65535"), 0);
	assert_int_equal(SET("secs", 1, "2h4m"), 0);
	assert_int_equal(SET("mode", 1, "three"), 0);
	assert_int_equal(SET("words", 2, "x", "y"), 0);
	assert_true(k.len == 128 && k.block == 65535 && k.secs == 7440 && k.mode == 2 && k.nwords == 2);
	struct cfgtext_buf b = { out, sizeof(out), 0 };
	settings_format(&t, &k, &b);
	assert_string_equal(out, "len 128\nblock 65535\nsecs 7440\nmode three\nab a\nwords x y\n");
	assert_int_equal(SET("len", 1, "129"), -1);
	assert_string_equal(err, "'129' is not a number from 1 to 128");
	assert_int_equal(SET("secs", 1, "0"), -1);
	assert_string_equal(err, "'0' is not a time from 1 s to a year (seconds, or e.g. 5m, 2h4m)");
	assert_int_equal(SET("secs", 1, "400d"), -1);
	assert_int_equal(SET("secs", 1, "5x"), -1);
	assert_int_equal(SET("mode", 1, "four"), -1);
	assert_string_equal(err, "'four' is not one, two or three");
	assert_int_equal(SET("ab", 1, "c"), -1);
	assert_string_equal(err, "'c' is neither a nor b");
	assert_int_equal(SET("words", 3, "x", "y", "z"), -1);
	assert_string_equal(err, "expects 1 to 2 values, got 3");
	assert_int_equal(SET("len", 2, "1", "2"), -1);
	assert_string_equal(err, "expects 1 value, got 2");
	assert_int_equal(settings_arity(&t, "words", &max), 1);
	assert_int_equal(max, 2);
	assert_int_equal(settings_arity(&t, "len", &max), 1);
	assert_int_equal(max, 1);
	assert_int_equal(settings_arity(&t, "nope", NULL), -1);
	/* a reload keeps mode and words, by their sizes */
	before = k;
	assert_int_equal(SET("mode", 1, "one"), 0);
	assert_int_equal(SET("words", 1, "z"), 0);
	assert_int_equal(SET("len", 1, "64"), 0);
	char kept[64];
	assert_int_equal(settings_keep_restart(&t, &k, &before, kept, sizeof(kept)), 2);
	assert_string_equal(kept, "mode, words");
	assert_true(k.mode == 2 && k.nwords == 2 && strcmp(k.word[1], "y") == 0 && k.len == 64);
#undef SET
}

static void test_validate(void **state)
{
	struct siit_settings s;
	char err[SIIT_ERR_MAX];
	assert_int_equal(parse(&s, "pool6 64:ff9b::/96\n", err), 0);
	assert_int_equal(siit_settings_validate(&s, true, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "no TUN"));
	assert_int_equal(siit_settings_validate(&s, false, err, sizeof(err)), 0);
	assert_int_equal(parse(&s, "tun t0\n", err), 0);
	assert_int_equal(siit_settings_validate(&s, true, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "nothing to translate"));
}

static void test_format_round_trip(void **state)
{
	static const char text[] = "tun nat64\npool6 64:ff9b::/96\neam 192.0.0.4/32 2001:db8:0:b11::464/128\n"
				   "self4 192.0.0.1\nself6 2001:db8:ffff::1\nmtu4 1400\nrouter no\n";
	struct siit_settings a, b;
	char err[SIIT_ERR_MAX], out1[4096], out2[4096];
	assert_int_equal(parse(&a, text, err), 0);
	size_t n = siit_settings_format(&a, out1, sizeof(out1));
	assert_true(n > 0 && n < sizeof(out1));
	assert_int_equal(parse(&b, out1, err), 0);
	siit_settings_format(&b, out2, sizeof(out2));
	assert_string_equal(out1, out2);
	assert_non_null(strstr(out1, "eam 192.0.0.4/32 2001:db8:0:b11::464/128\n"));
	/* A buffer too small is never overrun and the needed length is still reported. */
	char small[8];
	assert_int_equal(siit_settings_format(&a, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

/* worker-cpus: the CPU list syntax of taskset -c, in order, and every way it can be wrong. */
static void test_worker_cpus(void **state)
{
	struct siit_settings s;
	char err[SIIT_ERR_MAX], out[4096];
	siit_settings_init(&s);
	assert_int_equal(s.worker_cpus.n, 0);
	assert_int_equal(set1(&s, "worker-cpus", "3,0-2,7", err), 0);
	assert_int_equal(s.worker_cpus.n, 5);
	const uint16_t want[] = { 3, 0, 1, 2, 7 };
	for (unsigned i = 0; i < 5; i++)
		assert_int_equal(s.worker_cpus.cpu[i], want[i]);
	siit_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "worker-cpus 3,0-2,7\n"));
	assert_int_equal(set1(&s, "worker-cpus", "none", err), 0);
	assert_int_equal(s.worker_cpus.n, 0);
	siit_settings_format(&s, out, sizeof(out));
	assert_non_null(strstr(out, "worker-cpus none\n"));
	assert_int_equal(set1(&s, "worker-cpus", "1023", err), 0);
	assert_int_equal(s.worker_cpus.cpu[0], 1023);

	static const struct {
		const char *v, *msg;
	} bad[] = {
		{ "", "is not a CPU list" },     { "1,", "is not a CPU list" },  { ",1", "is not a CPU list" },
		{ "1-", "is not a CPU list" },   { "-1", "is not a CPU list" },  { "a", "is not a CPU list" },
		{ "1 2", "is not a CPU list" },  { "0x1", "is not a CPU list" }, { "3-1", "runs backwards" },
		{ "1024", "is above 1023" },     { "0-1024", "is above 1023" },  { "0-64", "more than 64 CPUs" },
		{ "99999999999", "is above 1023" },
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		siit_settings_init(&s);
		err[0] = '\0';
		assert_int_equal(set1(&s, "worker-cpus", bad[i].v, err), -1);
		if (!strstr(err, bad[i].msg))
			fail_msg("worker-cpus '%s': got \"%s\", want \"%s\"", bad[i].v, err, bad[i].msg);
		assert_int_equal(s.worker_cpus.n, 0); /* nothing half written */
	}
	/* from a file, the error names the line */
	assert_int_equal(parse(&s, "tun t\nworker-cpus 0,,1\n", err), -1);
	assert_non_null(strstr(err, "t.conf:2"));
	assert_non_null(strstr(err, "worker-cpus"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_profile),
		cmocka_unit_test(test_pool6_lengths),
		cmocka_unit_test(test_eam),
		cmocka_unit_test(test_numbers_and_bools),
		cmocka_unit_test(test_tos_options),
		cmocka_unit_test(test_wkp_setting),
		cmocka_unit_test(test_file_errors_name_the_line),
		cmocka_unit_test(test_table_is_the_description),
		cmocka_unit_test(test_other_kinds),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_worker_cpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
