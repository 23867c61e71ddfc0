/* The `xlat464 ra` settings parser. Pure: text and words in, struct out, no system calls (inet_pton
 * and inet_ntop are libc), so the unit tests and fuzz/fuzz_ra_config.c drive it directly. Every error
 * names the flag or the file line and says what would be accepted. */
#include "ra_config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cfgtext.h"
#include "../common/settings_table.h"
#include "../common/value_parse.h"

#define RA_DEFAULT_LIFETIME_FACTOR 3 /* RFC 8781 4.1, RFC 4861 6.2.1 (AdvDefaultLifetime), RFC 8106 5.1 */
#define RA_MIN_INTERVAL_PERMILLE 330 /* RFC 4861 6.2.1: 0.33 x MaxRtrAdvInterval */
#define RA_MIN_INTERVAL_CAP_PERMILLE 750 /* ... and no more than 0.75 x MaxRtrAdvInterval */
#define RA_MS_PER_S 1000u
#define RA_PREF64_UNIT 8

#define config_error cfgtext_err

uint32_t ra_min_interval_ms(uint32_t max_interval)
{
	uint32_t ms = max_interval * RA_MIN_INTERVAL_PERMILLE;
	uint32_t cap = max_interval * RA_MIN_INTERVAL_CAP_PERMILLE;
	if (ms < RA_MIN_INTERVAL_FLOOR_MS)
		ms = RA_MIN_INTERVAL_FLOOR_MS;
	return ms > cap ? cap : ms;
}

int ra_lifetime_check(uint32_t lifetime, uint32_t max_interval, char *err, size_t errlen)
{
	if (lifetime > NDP_PREF64_MAX_LIFETIME)
		return config_error(err, errlen,
			    "--lifetime %u: above %u s, the longest a PREF64 option can carry (8191 units of 8 s, "
			    "RFC 8781 section 4)",
			    lifetime, NDP_PREF64_MAX_LIFETIME);
	if (lifetime < max_interval)
		return config_error(err, errlen,
			    "--lifetime %u: below the RA interval (--interval %u), so hosts would drop the prefix "
			    "between two RAs; use at least %u (the default is 3 x interval = %u s, RFC 8781 section 4.1)",
			    lifetime, max_interval, max_interval, ndp_pref64_default_lifetime(max_interval));
	return 0;
}

static bool is_link_local(const uint8_t a[16]) { return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; }

/* ---- the settings that need their own parser ---------------------------------------------------- */

static int set_interval(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct ra_config *cfg = arg;
	if (!value_uint(val[0], RA_MAX_INTERVAL_MIN, RA_MAX_INTERVAL_MAX, &cfg->max_interval))
		return config_error(err, errlen, "'%.32s': MaxRtrAdvInterval must be %u to %u seconds (RFC 4861 section 6.2.1)",
				    val[0], RA_MAX_INTERVAL_MIN, RA_MAX_INTERVAL_MAX);
	return 0;
}

static int set_lifetime(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct ra_config *cfg = arg;
	if (strcmp(val[0], "default") == 0) {
		cfg->lifetime_given = false;
		cfg->lifetime_asked = 0;
		return 0;
	}
	if (!value_uint(val[0], 0, UINT32_MAX, &cfg->lifetime_asked))
		return config_error(err, errlen, "'%.32s' is not a number of seconds or default", val[0]);
	cfg->lifetime_given = true;
	return 0;
}

static int set_pref64(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct ra_config *cfg = arg;
	const char *v = val[0];
	struct xlat_prefix6 x;
	struct ndp_pref64 p = { 0 };
	/* RFC 8781 section 4 encodes the RFC 6052 lengths: the same check as every NAT64 prefix */
	if (value_nat64_prefix(v, &x, err, errlen) < 0)
		return -1;
	if (ndp_pref64_len_to_plc(x.len) < 0)
		return config_error(err, errlen, "'%.64s': length /%u cannot be announced (RFC 8781 section 4)", v, x.len);
	if (x.addr[0] == 0xff || is_link_local(x.addr))
		return config_error(err, errlen, "'%.64s': a multicast or link-local prefix cannot be a NAT64 prefix", v);
	memcpy(p.prefix, x.addr, 16);
	p.len = x.len;
	for (unsigned i = 0; i < cfg->npref64; i++)
		if (cfg->pref64[i].len == p.len && memcmp(cfg->pref64[i].prefix, p.prefix, 16) == 0)
			return config_error(err, errlen, "'%.64s' given twice", v);
	if (cfg->npref64 >= NDP_MAX_PREF64)
		return config_error(err, errlen, "'%.64s': at most %u PREF64 prefixes", v, NDP_MAX_PREF64);
	cfg->pref64[cfg->npref64++] = p;
	return 0;
}

static int set_prefix(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct ra_config *cfg = arg;
	const char *v = val[0];
	struct xlat_prefix6 x;
	struct ndp_prefix_info p = { 0 };
	if (!strchr(v, '/') || !value_prefix6(v, &x))
		return config_error(err, errlen, "'%.64s' is not an IPv6 prefix (ADDR/64, e.g. 2001:db8:1::/64)", v);
	if (x.len != RA_SLAAC_PREFIX_LEN)
		return config_error(err, errlen, "'%.64s': SLAAC needs a /%u (RFC 4862, RFC 2464), not /%u", v,
				    RA_SLAAC_PREFIX_LEN, x.len);
	if (!value_host_bits_zero(x.addr, 16, x.len))
		return config_error(err, errlen, "'%.64s' has bits set beyond its length /%u", v, x.len);
	if (x.addr[0] == 0xff || is_link_local(x.addr) || value_host_bits_zero(x.addr, 16, 0))
		return config_error(err, errlen, "'%.64s' is not a prefix hosts can form addresses in (multicast, "
				    "link-local or ::)", v);
	memcpy(p.prefix, x.addr, 16);
	p.len = x.len;
	p.onlink = p.autonomous = true;
	p.valid = RA_PIO_VALID_DEFAULT;
	p.preferred = RA_PIO_PREFERRED_DEFAULT;
	for (unsigned i = 0; i < cfg->nprefix; i++)
		if (memcmp(cfg->prefix[i].prefix, p.prefix, 16) == 0)
			return config_error(err, errlen, "'%.64s' given twice", v);
	if (cfg->nprefix >= NDP_MAX_PREFIX)
		return config_error(err, errlen, "'%.64s': at most %u prefixes", v, NDP_MAX_PREFIX);
	cfg->prefix[cfg->nprefix++] = p;
	return 0;
}

static int set_rdnss(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct ra_config *cfg = arg;
	uint8_t a[16];
	if (value_unicast6(val[0], a, err, errlen) < 0)
		return -1;
	for (unsigned i = 0; i < cfg->nrdnss; i++)
		if (memcmp(cfg->rdnss[i], a, 16) == 0)
			return config_error(err, errlen, "'%.64s' given twice", val[0]);
	if (cfg->nrdnss >= NDP_MAX_RDNSS)
		return config_error(err, errlen, "'%.64s': at most %u DNS servers", val[0], NDP_MAX_RDNSS);
	memcpy(cfg->rdnss[cfg->nrdnss++], a, 16);
	return 0;
}

/* RFC 8106 section 5.2: a domain name of the search list, in the one DNSSL option */
static int set_dnssl(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct ra_config *cfg = arg;
	const char *v = val[0];
	uint8_t wire[NDP_DNSSL_NAME_MAX];
	size_t n = ndp_dnssl_encode(v, wire, sizeof(wire));
	if (n == 0 || strlen(v) >= RA_DNSSL_NAME_MAX)
		return config_error(err, errlen, "'%.64s' is not a domain name (labels of letters, digits and '-', "
				    "at most 63 each, 253 in all)", v);
	for (unsigned i = 0; i < cfg->ndnssl; i++)
		if (strcmp(cfg->dnssl[i], v) == 0)
			return config_error(err, errlen, "'%.64s' given twice", v);
	if (cfg->ndnssl >= RA_MAX_DNSSL || cfg->dnssl_wire_len + n > NDP_DNSSL_WIRE_MAX)
		return config_error(err, errlen, "'%.64s': at most %u names, %u bytes in all", v, RA_MAX_DNSSL,
				    NDP_DNSSL_WIRE_MAX);
	memcpy(cfg->dnssl_wire + cfg->dnssl_wire_len, wire, n);
	cfg->dnssl_wire_len += (unsigned)n;
	memcpy(cfg->dnssl[cfg->ndnssl++], v, strlen(v) + 1);
	return 0;
}

static void clear_dnssl(void *arg)
{
	struct ra_config *cfg = arg;
	cfg->ndnssl = 0;
	cfg->dnssl_wire_len = 0;
	memset(cfg->dnssl, 0, sizeof(cfg->dnssl));
	memset(cfg->dnssl_wire, 0, sizeof(cfg->dnssl_wire));
}

static void format_dnssl(const void *arg, struct cfgtext_buf *b)
{
	const struct ra_config *cfg = arg;
	for (unsigned i = 0; i < cfg->ndnssl && i < RA_MAX_DNSSL; i++)
		cfgtext_add(b, "dnssl %.253s\n", cfg->dnssl[i]);
}

static void clear_pref64(void *arg) { ((struct ra_config *)arg)->npref64 = 0; }
static void clear_prefix(void *arg) { ((struct ra_config *)arg)->nprefix = 0; }
static void clear_rdnss(void *arg) { ((struct ra_config *)arg)->nrdnss = 0; }

static void format_interval(const void *arg, struct cfgtext_buf *b)
{
	cfgtext_add(b, "interval %u\n", ((const struct ra_config *)arg)->max_interval);
}

static void format_lifetime(const void *arg, struct cfgtext_buf *b)
{
	const struct ra_config *cfg = arg;
	if (cfg->lifetime_given)
		cfgtext_add(b, "lifetime %u\n", cfg->lifetime_asked);
	else
		cfgtext_add(b, "lifetime default\n");
}

static void format_pref64(const void *arg, struct cfgtext_buf *b)
{
	const struct ra_config *cfg = arg;
	char a[INET6_ADDRSTRLEN];
	for (unsigned i = 0; i < cfg->npref64; i++)
		cfgtext_add(b, "pref64 %s/%u\n", inet_ntop(AF_INET6, cfg->pref64[i].prefix, a, sizeof(a)), cfg->pref64[i].len);
}

static void format_prefix(const void *arg, struct cfgtext_buf *b)
{
	const struct ra_config *cfg = arg;
	char a[INET6_ADDRSTRLEN];
	for (unsigned i = 0; i < cfg->nprefix; i++)
		cfgtext_add(b, "prefix %s/%u\n", inet_ntop(AF_INET6, cfg->prefix[i].prefix, a, sizeof(a)), cfg->prefix[i].len);
}

static void format_rdnss(const void *arg, struct cfgtext_buf *b)
{
	const struct ra_config *cfg = arg;
	char a[INET6_ADDRSTRLEN];
	for (unsigned i = 0; i < cfg->nrdnss; i++)
		cfgtext_add(b, "rdnss %s\n", inet_ntop(AF_INET6, cfg->rdnss[i], a, sizeof(a)));
}

static const char *const mode_names[] = { "beside-router", "router", NULL };

#define C(field) offsetof(struct ra_config, field)
/* The settings of `xlat464 ra`, in the order --print-config writes them. */
static const struct setting ra_settings_list[] = {
	{ .key = "interface", .nval = 1, .kind = SETTING_IFNAME, .off = C(ifname), .restart = true,
	  .syntax = "IF", .dflt = "none (required)", .doc = "the link to announce on" },
	{ .key = "mode", .nval = 1, .kind = SETTING_ENUM, .off = C(mode), .names = mode_names,
	  .syntax = "beside-router|router", .dflt = "beside-router",
	  .doc = "beside-router: another router serves the link (router lifetime 0, PREF64 only); router: this is the "
		 "link's router (router lifetime 3 x interval, prefix and rdnss)" },
	{ .key = "interval", .nval = 1, .kind = SETTING_CUSTOM, .set = set_interval, .format = format_interval,
	  .syntax = "SECONDS", .dflt = "600",
	  .doc = "MaxRtrAdvInterval, 4 to 1800; RAs go out at random times between 0.33 x and 1 x it (RFC 4861 section 6.2.4)" },
	{ .key = "pref64", .nval = 1, .kind = SETTING_CUSTOM, .set = set_pref64, .format = format_pref64,
	  .clear = clear_pref64, .repeat = true, .syntax = "PREFIX", .dflt = "none (at least one is required)",
	  .doc = "NAT64 prefix to announce (RFC 8781), length 32, 40, 48, 56, 64 or 96" },
	{ .key = "lifetime", .nval = 1, .kind = SETTING_CUSTOM, .set = set_lifetime, .format = format_lifetime,
	  .syntax = "SECONDS|default", .dflt = "3 x interval",
	  .doc = "PREF64 lifetime: at least the interval, at most 65528, rounded up to 8 s (RFC 8781 section 4.1)" },
	{ .key = "prefix", .nval = 1, .kind = SETTING_CUSTOM, .set = set_prefix, .format = format_prefix,
	  .clear = clear_prefix, .repeat = true, .syntax = "PREFIX/64", .dflt = "none",
	  .doc = "with mode router: Prefix Information for SLAAC (RFC 4861 section 4.6.2)" },
	{ .key = "rdnss", .nval = 1, .kind = SETTING_CUSTOM, .set = set_rdnss, .format = format_rdnss,
	  .clear = clear_rdnss, .repeat = true, .syntax = "ADDR", .dflt = "none",
	  .doc = "with mode router: recursive DNS server (RFC 8106)" },
	{ .key = "dnssl", .nval = 1, .kind = SETTING_CUSTOM, .set = set_dnssl, .format = format_dnssl,
	  .clear = clear_dnssl, .repeat = true, .syntax = "DOMAIN", .dflt = "none",
	  .doc = "with mode router: a domain of the DNS search list (RFC 8106 section 5.2), up to 8" },
	{ .key = "control", .nval = 1, .kind = SETTING_PATH, .off = C(control), .size = RA_PATH_MAX, .restart = true,
	  .syntax = "PATH", .dflt = "/run/xlat464/ra-IF.sock", .doc = "control socket; `xlat464 status` reads it" },
	{ .key = "pidfile", .nval = 1, .kind = SETTING_PATH, .off = C(pidfile), .size = RA_PATH_MAX, .restart = true,
	  .syntax = "FILE", .dflt = "none", .doc = "write the process id to FILE" },
};
#undef C

const struct settings_table ra_settings_table = { ra_settings_list, sizeof(ra_settings_list) / sizeof(ra_settings_list[0]), false };

void ra_config_init(struct ra_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_interval = RA_MAX_INTERVAL_DEFAULT;
}

/* The flags that are no setting (the lifecycle ones, daemon_opts.h) and the aliases of mode. */
static const char *const lifecycle_flags[] = { "--foreground", "-f", "--daemon", "--debug", "-d", "--check",
					       "--print-config", "--list-settings", NULL };

int ra_config_load(struct ra_config *cfg, const char *text, size_t len, const char *name, int argc, char *const *argv,
		   char *err, size_t errlen)
{
	bool mode_beside = false, mode_router = false;
	int nwords = 0, r = -1;
	char **words = calloc((size_t)(argc > 0 ? argc : 1) * 3 + 2, sizeof(*words));

	ra_config_init(cfg);
	if (errlen)
		err[0] = '\0';
	if (!words)
		return config_error(err, errlen, "out of memory");
	if (text && settings_parse_text(&ra_settings_table, cfg, text, len, name, err, errlen) < 0)
		goto out;
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		bool life = false;
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			r = 1;
			goto out;
		}
		for (int k = 0; lifecycle_flags[k]; k++)
			life |= strcmp(a, lifecycle_flags[k]) == 0;
		if (life) {
			cfg->daemon = strcmp(a, "--daemon") == 0 ? true : strcmp(a, "--foreground") == 0 || strcmp(a, "-f") == 0 ? false : cfg->daemon;
			cfg->debug |= strcmp(a, "--debug") == 0 || strcmp(a, "-d") == 0;
			cfg->check |= strcmp(a, "--check") == 0;
			cfg->print_config |= strcmp(a, "--print-config") == 0;
			i++;
			continue;
		}
		if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0) { /* the caller reads it: text */
			if (i + 1 >= argc) {
				config_error(err, errlen, "%s: needs a value", a);
				goto out;
			}
			i += 2;
			continue;
		}
		if (strcmp(a, "--router") == 0 || strcmp(a, "--beside-router") == 0) {
			bool router = a[2] == 'r';
			mode_router |= router;
			mode_beside |= !router;
			words[nwords++] = (char *)"--mode";
			words[nwords++] = (char *)(router ? "router" : "beside-router");
			words[nwords++] = NULL;
			i++;
			continue;
		}
		int took = settings_flag_take(&ra_settings_table, argc, (char **)argv, &i, words, &nwords, err, errlen);
		if (took < 0)
			goto out;
		if (took == 0) {
			config_error(err, errlen, "%s: unknown option (see xlat464 ra --help)", a);
			goto out;
		}
	}
	if (mode_beside && mode_router) {
		config_error(err, errlen, "--router and --beside-router: choose one");
		goto out;
	}
	if (settings_apply_words(&ra_settings_table, cfg, words, nwords, err, errlen) < 0)
		goto out;
	r = ra_config_finish(cfg, err, errlen);
out:
	free(words);
	return r;
}

int ra_config_parse(struct ra_config *cfg, int argc, char *const *argv, char *err, size_t errlen)
{
	return ra_config_load(cfg, NULL, 0, NULL, argc, argv, err, errlen);
}

int ra_config_finish(struct ra_config *cfg, char *err, size_t errlen)
{
	if (!cfg->ifname[0])
		return config_error(err, errlen, "--interface IF is required (the link to announce on)");
	if (cfg->npref64 == 0)
		return config_error(err, errlen, "--pref64 PREFIX is required (the NAT64 prefix to announce, e.g. 64:ff9b::/96)");
	if (cfg->mode == RA_MODE_BESIDE_ROUTER && cfg->nprefix)
		return config_error(err, errlen, "--prefix needs --router (beside another router, that router announces prefixes)");
	if (cfg->mode == RA_MODE_BESIDE_ROUTER && cfg->nrdnss)
		return config_error(err, errlen, "--rdnss needs --router (beside another router, that router announces DNS)");
	if (cfg->mode == RA_MODE_BESIDE_ROUTER && cfg->ndnssl)
		return config_error(err, errlen, "--dnssl needs --router (beside another router, that router announces DNS)");

	cfg->min_interval_ms = ra_min_interval_ms(cfg->max_interval);
	uint32_t three = RA_DEFAULT_LIFETIME_FACTOR * cfg->max_interval;
	if (cfg->lifetime_given) {
		if (ra_lifetime_check(cfg->lifetime_asked, cfg->max_interval, err, errlen) < 0)
			return -1;
		cfg->lifetime = (cfg->lifetime_asked + RA_PREF64_UNIT - 1) / RA_PREF64_UNIT * RA_PREF64_UNIT;
	} else {
		cfg->lifetime = ndp_pref64_default_lifetime(cfg->max_interval);
	}
	cfg->lifetime_short = !ndp_pref64_lifetime_covers(cfg->lifetime, cfg->max_interval);
	for (unsigned i = 0; i < cfg->npref64; i++)
		cfg->pref64[i].lifetime = cfg->lifetime;
	cfg->router_lifetime = 0;
	if (cfg->mode == RA_MODE_ROUTER)
		cfg->router_lifetime = (uint16_t)(three < RA_ROUTER_LIFETIME_MAX ? three : RA_ROUTER_LIFETIME_MAX);
	cfg->rdnss_lifetime = cfg->nrdnss ? three : 0;
	cfg->dnssl_lifetime = cfg->ndnssl ? three : 0; /* RFC 8106 section 5.2: as RDNSS */
	return 0;
}

size_t ra_config_print(const struct ra_config *cfg, char *buf, size_t cap)
{
	return settings_format_buf(&ra_settings_table, cfg, buf, cap);
}

/* Appends to buf at *used, keeping it terminated. */
static void put(char *buf, size_t cap, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static void put(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
	va_list ap;
	if (*used + 1 >= cap)
		return;
	va_start(ap, fmt);
	int n = vsnprintf(buf + *used, cap - *used, fmt, ap);
	va_end(ap);
	if (n > 0)
		*used = *used + (size_t)n < cap ? *used + (size_t)n : cap - 1;
}

size_t ra_config_format(const struct ra_config *cfg, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	size_t used = 0;

	if (cap == 0)
		return 0;
	buf[0] = '\0';
	put(buf, cap, &used, "interface %s\nmode %s\n", cfg->ifname,
	    cfg->mode == RA_MODE_ROUTER ? "router" : "beside-router");
	put(buf, cap, &used, "interval %u (MinRtrAdvInterval %u.%03u s)\n", cfg->max_interval,
	    cfg->min_interval_ms / RA_MS_PER_S, cfg->min_interval_ms % RA_MS_PER_S);
	for (unsigned i = 0; i < cfg->npref64; i++)
		put(buf, cap, &used, "pref64 %s/%u\n", inet_ntop(AF_INET6, cfg->pref64[i].prefix, a, sizeof(a)),
		    cfg->pref64[i].len);
	put(buf, cap, &used, "lifetime %u (scaled %u%s)\n", cfg->lifetime, ndp_pref64_scaled_lifetime(cfg->lifetime),
	    cfg->lifetime_asked && cfg->lifetime_asked != cfg->lifetime ? ", rounded up to 8 s units" :
	    cfg->lifetime_asked ? "" : ", default 3 x interval");
	put(buf, cap, &used, "router-lifetime %u\n", cfg->router_lifetime);
	for (unsigned i = 0; i < cfg->nprefix; i++)
		put(buf, cap, &used, "prefix %s/%u (valid %u, preferred %u)\n",
		    inet_ntop(AF_INET6, cfg->prefix[i].prefix, a, sizeof(a)), cfg->prefix[i].len, cfg->prefix[i].valid,
		    cfg->prefix[i].preferred);
	for (unsigned i = 0; i < cfg->nrdnss; i++)
		put(buf, cap, &used, "rdnss %s (lifetime %u)\n", inet_ntop(AF_INET6, cfg->rdnss[i], a, sizeof(a)),
		    cfg->rdnss_lifetime);
	for (unsigned i = 0; i < cfg->ndnssl && i < RA_MAX_DNSSL; i++)
		put(buf, cap, &used, "dnssl %.253s (lifetime %u)\n", cfg->dnssl[i], cfg->dnssl_lifetime);
	return used;
}

/* ---- several interfaces ------------------------------------------------------------------------ */

/* The start of line text[i..) is an `interface` line: the key as the first word. */
static bool is_interface_line(const char *text, size_t len, size_t i)
{
	static const char key[] = "interface";
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (len - i < sizeof(key) - 1 || memcmp(text + i, key, sizeof(key) - 1) != 0)
		return false;
	i += sizeof(key) - 1;
	return i == len || text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r';
}

int ra_multi_load(struct ra_multi *m, const char *text, size_t len, const char *name, int argc, char *const *argv,
		  char *err, size_t errlen)
{
	size_t start[RA_MAX_IFACES + 1]; /* byte offset of each section's `interface` line */
	unsigned line[RA_MAX_IFACES + 1], nsec = 0, lineno = 1;
	const char *fname = name ? name : "config";

	memset(m, 0, sizeof(*m));
	if (errlen)
		err[0] = '\0';
	for (size_t i = 0; text && i < len; lineno++) {
		if (is_interface_line(text, len, i)) {
			if (nsec >= RA_MAX_IFACES)
				return config_error(err, errlen, "%s:%u: interface: at most %u interfaces in one process",
						    fname, lineno, RA_MAX_IFACES);
			start[nsec] = i;
			line[nsec++] = lineno;
		}
		const char *nl = memchr(text + i, '\n', len - i);
		i = nl ? (size_t)(nl - text) + 1 : len;
	}
	if (nsec <= 1) {
		int r = ra_config_load(&m->ifc[0], text, len, name, argc, argv, err, errlen);
		m->n = r == 0 ? 1 : 0;
		return r;
	}
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return 1;
		if (strcmp(argv[i], "--interface") == 0)
			return config_error(err, errlen, "--interface: %s has %u interface sections; name the interfaces "
					    "there, not on the command line", fname, nsec);
	}
	char *masked = malloc(len ? len : 1);
	if (!masked)
		return config_error(err, errlen, "out of memory");
	start[nsec] = len;
	for (unsigned k = 0; k < nsec; k++) {
		/* The defaults and section k, every other line blanked, so that errors keep their line numbers. */
		memcpy(masked, text, len);
		for (size_t i = start[0]; i < len; i++)
			if ((i < start[k] || i >= start[k + 1]) && masked[i] != '\n')
				masked[i] = ' ';
		struct ra_config *c = &m->ifc[k];
		int r = ra_config_load(c, masked, len, name, argc, argv, err, errlen);
		if (r != 0) {
			free(masked);
			if (r < 0 && strncmp(err, fname, strlen(fname)) != 0) { /* a check of the whole section */
				char why[RA_ERR_MAX];
				snprintf(why, sizeof(why), "%s", err);
				config_error(err, errlen, "%s:%u: interface %s: %s", fname, line[k], c->ifname, why);
			}
			return r;
		}
		for (unsigned j = 0; j < k; j++) {
			if (strcmp(m->ifc[j].ifname, c->ifname) == 0) {
				free(masked);
				return config_error(err, errlen, "%s:%u: interface %s: a second section for it (the first is "
						    "at line %u)", fname, line[k], c->ifname, line[j]);
			}
		}
		if (k > 0 && (strcmp(c->control, m->ifc[0].control) != 0 || strcmp(c->pidfile, m->ifc[0].pidfile) != 0)) {
			free(masked);
			return config_error(err, errlen, "%s:%u: interface %s: control and pidfile belong to the process: "
					    "set them once, before the first interface line", fname, line[k], c->ifname);
		}
	}
	free(masked);
	m->n = nsec;
	return 0;
}

size_t ra_multi_print(const struct ra_multi *m, char *buf, size_t cap)
{
	size_t used = 0;
	if (cap)
		buf[0] = '\0';
	for (unsigned k = 0; k < m->n && used + 1 < cap; k++) {
		if (k > 0 && used + 2 < cap) {
			buf[used++] = '\n'; /* a blank line between the sections */
			buf[used] = '\0';
		}
		used += ra_config_print(&m->ifc[k], buf + used, cap - used);
	}
	return used;
}
