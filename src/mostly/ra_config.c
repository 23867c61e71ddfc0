/* The `xlat464 ra` settings parser. Pure: words in, struct out, no system calls (inet_pton and
 * inet_ntop are libc), so the unit tests and fuzz/fuzz_ra_config.c drive it directly. Every error
 * names the flag and says what would be accepted. */
#include "ra_config.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define RA_DEFAULT_LIFETIME_FACTOR 3 /* RFC 8781 4.1, RFC 4861 6.2.1 (AdvDefaultLifetime), RFC 8106 5.1 */
#define RA_MIN_INTERVAL_PERMILLE 330 /* RFC 4861 6.2.1: 0.33 x MaxRtrAdvInterval */
#define RA_MIN_INTERVAL_CAP_PERMILLE 750 /* ... and no more than 0.75 x MaxRtrAdvInterval */
#define RA_MS_PER_S 1000u
#define RA_PREF64_UNIT 8

static int config_error(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int config_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	if (errlen)
		vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

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

/* A decimal number without sign, spaces or leading garbage, in [lo, hi]. */
static bool parse_uint(const char *s, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t v = 0;
	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > UINT32_MAX)
			return false;
	}
	if (v < lo || v > hi)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool host_bits_zero(const uint8_t p[16], unsigned len)
{
	for (unsigned b = len; b < 128; b++)
		if (p[b / 8] & (0x80u >> (b % 8)))
			return false;
	return true;
}

/* "ADDR/LEN" into addr and len; false when malformed. */
static bool parse_prefix6(const char *s, uint8_t addr[16], unsigned *len)
{
	char a[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	uint32_t l;
	if (!slash || (size_t)(slash - s) >= sizeof(a) || !parse_uint(slash + 1, 0, 128, &l))
		return false;
	memcpy(a, s, (size_t)(slash - s));
	a[slash - s] = '\0';
	if (inet_pton(AF_INET6, a, addr) != 1)
		return false;
	*len = l;
	return true;
}

static bool is_multicast(const uint8_t a[16]) { return a[0] == 0xff; }
static bool is_link_local(const uint8_t a[16]) { return a[0] == 0xfe && (a[1] & 0xc0) == 0x80; }
static bool is_unspecified(const uint8_t a[16])
{
	static const uint8_t zero[16];
	return memcmp(a, zero, 16) == 0;
}
static bool is_loopback(const uint8_t a[16])
{
	static const uint8_t one[16] = { [15] = 1 };
	return memcmp(a, one, 16) == 0;
}

static int take_pref64(struct ra_config *cfg, const char *v, char *err, size_t errlen)
{
	struct ndp_pref64 p = { 0 };
	unsigned len;
	if (!parse_prefix6(v, p.prefix, &len))
		return config_error(err, errlen, "--pref64 %s: not an IPv6 prefix (ADDR/LEN, e.g. 64:ff9b::/96)", v);
	if (ndp_pref64_len_to_plc(len) < 0)
		return config_error(err, errlen, "--pref64 %s: length /%u cannot be announced; RFC 8781 allows /32, /40, /48, "
			    "/56, /64 and /96", v, len);
	if (!host_bits_zero(p.prefix, len))
		return config_error(err, errlen, "--pref64 %s: bits set beyond /%u (did you mean a prefix, not an address?)",
			    v, len);
	if (is_multicast(p.prefix) || is_link_local(p.prefix))
		return config_error(err, errlen, "--pref64 %s: a multicast or link-local prefix cannot be a NAT64 prefix", v);
	p.len = (uint8_t)len;
	for (unsigned i = 0; i < cfg->npref64; i++)
		if (cfg->pref64[i].len == p.len && memcmp(cfg->pref64[i].prefix, p.prefix, 16) == 0)
			return config_error(err, errlen, "--pref64 %s: given twice", v);
	if (cfg->npref64 >= NDP_MAX_PREF64)
		return config_error(err, errlen, "--pref64 %s: at most %u PREF64 prefixes", v, NDP_MAX_PREF64);
	cfg->pref64[cfg->npref64++] = p;
	return 0;
}

static int take_prefix(struct ra_config *cfg, const char *v, char *err, size_t errlen)
{
	struct ndp_prefix_info p = { 0 };
	unsigned len;
	if (!parse_prefix6(v, p.prefix, &len))
		return config_error(err, errlen, "--prefix %s: not an IPv6 prefix (ADDR/64, e.g. 2001:db8:1::/64)", v);
	if (len != RA_SLAAC_PREFIX_LEN)
		return config_error(err, errlen, "--prefix %s: SLAAC needs a /%u (RFC 4862, RFC 2464), not /%u", v,
			    RA_SLAAC_PREFIX_LEN, len);
	if (!host_bits_zero(p.prefix, len))
		return config_error(err, errlen, "--prefix %s: bits set beyond /%u", v, len);
	if (is_multicast(p.prefix) || is_link_local(p.prefix) || is_unspecified(p.prefix))
		return config_error(err, errlen, "--prefix %s: not a prefix hosts can form addresses in (multicast, "
			    "link-local or ::)", v);
	p.len = (uint8_t)len;
	p.onlink = p.autonomous = true;
	p.valid = RA_PIO_VALID_DEFAULT;
	p.preferred = RA_PIO_PREFERRED_DEFAULT;
	for (unsigned i = 0; i < cfg->nprefix; i++)
		if (memcmp(cfg->prefix[i].prefix, p.prefix, 16) == 0)
			return config_error(err, errlen, "--prefix %s: given twice", v);
	if (cfg->nprefix >= NDP_MAX_PREFIX)
		return config_error(err, errlen, "--prefix %s: at most %u prefixes", v, NDP_MAX_PREFIX);
	cfg->prefix[cfg->nprefix++] = p;
	return 0;
}

static int take_rdnss(struct ra_config *cfg, const char *v, char *err, size_t errlen)
{
	uint8_t a[16];
	if (inet_pton(AF_INET6, v, a) != 1)
		return config_error(err, errlen, "--rdnss %s: not an IPv6 address", v);
	if (is_multicast(a) || is_unspecified(a) || is_loopback(a))
		return config_error(err, errlen, "--rdnss %s: a DNS server needs a unicast address", v);
	for (unsigned i = 0; i < cfg->nrdnss; i++)
		if (memcmp(cfg->rdnss[i], a, 16) == 0)
			return config_error(err, errlen, "--rdnss %s: given twice", v);
	if (cfg->nrdnss >= NDP_MAX_RDNSS)
		return config_error(err, errlen, "--rdnss %s: at most %u DNS servers", v, NDP_MAX_RDNSS);
	memcpy(cfg->rdnss[cfg->nrdnss++], a, 16);
	return 0;
}

static int take_string(char *dst, size_t cap, const char *flag, const char *v, char *err, size_t errlen)
{
	size_t n = strlen(v);
	if (n == 0 || n >= cap)
		return config_error(err, errlen, "%s: %s (at most %zu characters)", flag, n ? "too long" : "empty", cap - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

int ra_config_parse(struct ra_config *cfg, int argc, char *const *argv, char *err, size_t errlen)
{
	bool mode_beside = false, mode_router = false, has_lifetime = false;
	uint32_t lifetime = 0;

	memset(cfg, 0, sizeof(*cfg));
	cfg->max_interval = RA_MAX_INTERVAL_DEFAULT;
	if (errlen)
		err[0] = '\0';
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return 1;
		/* Flags without a value. */
		if (strcmp(a, "--beside-router") == 0) {
			mode_beside = true;
			continue;
		} else if (strcmp(a, "--router") == 0) {
			mode_router = true;
			continue;
		} else if (strcmp(a, "--foreground") == 0 || strcmp(a, "-f") == 0) {
			cfg->daemon = false;
			continue;
		} else if (strcmp(a, "--daemon") == 0) {
			cfg->daemon = true;
			continue;
		} else if (strcmp(a, "--debug") == 0 || strcmp(a, "-d") == 0) {
			cfg->debug = true;
			continue;
		} else if (strcmp(a, "--check") == 0) {
			cfg->check = true;
			continue;
		}
		static const char *const with_value[] = { "--interface", "--pref64", "--lifetime", "--interval", "--prefix",
							  "--rdnss", "--control", "--pidfile" };
		bool known = false;
		for (size_t k = 0; k < sizeof(with_value) / sizeof(with_value[0]); k++)
			known |= strcmp(a, with_value[k]) == 0;
		if (!known)
			return config_error(err, errlen, "%s: unknown option (see xlat464 ra --help)", a);
		if (i + 1 >= argc)
			return config_error(err, errlen, "%s: needs a value", a);
		const char *v = argv[++i];
		int r = 0;
		if (strcmp(a, "--interface") == 0) {
			r = take_string(cfg->ifname, sizeof(cfg->ifname), a, v, err, errlen);
			if (r == 0 && (strchr(v, '/') || strcmp(v, ".") == 0 || strcmp(v, "..") == 0))
				r = config_error(err, errlen, "--interface %s: not an interface name", v);
		} else if (strcmp(a, "--pref64") == 0) {
			r = take_pref64(cfg, v, err, errlen);
		} else if (strcmp(a, "--lifetime") == 0) {
			if (!parse_uint(v, 0, UINT32_MAX, &lifetime))
				r = config_error(err, errlen, "--lifetime %s: not a number of seconds", v);
			has_lifetime = true;
		} else if (strcmp(a, "--interval") == 0) {
			if (!parse_uint(v, RA_MAX_INTERVAL_MIN, RA_MAX_INTERVAL_MAX, &cfg->max_interval))
				r = config_error(err, errlen, "--interval %s: MaxRtrAdvInterval must be %u to %u seconds (RFC 4861 "
					 "section 6.2.1)", v, RA_MAX_INTERVAL_MIN, RA_MAX_INTERVAL_MAX);
		} else if (strcmp(a, "--prefix") == 0) {
			r = take_prefix(cfg, v, err, errlen);
		} else if (strcmp(a, "--rdnss") == 0) {
			r = take_rdnss(cfg, v, err, errlen);
		} else if (strcmp(a, "--control") == 0) {
			r = take_string(cfg->control, sizeof(cfg->control), a, v, err, errlen);
		} else {
			r = take_string(cfg->pidfile, sizeof(cfg->pidfile), a, v, err, errlen);
		}
		if (r < 0)
			return -1;
	}

	if (!cfg->ifname[0])
		return config_error(err, errlen, "--interface IF is required (the link to announce on)");
	if (cfg->npref64 == 0)
		return config_error(err, errlen, "--pref64 PREFIX is required (the NAT64 prefix to announce, e.g. 64:ff9b::/96)");
	if (mode_beside && mode_router)
		return config_error(err, errlen, "--router and --beside-router: choose one");
	cfg->mode = mode_router ? RA_MODE_ROUTER : RA_MODE_BESIDE_ROUTER;
	if (cfg->mode == RA_MODE_BESIDE_ROUTER && cfg->nprefix)
		return config_error(err, errlen, "--prefix needs --router (beside another router, that router announces prefixes)");
	if (cfg->mode == RA_MODE_BESIDE_ROUTER && cfg->nrdnss)
		return config_error(err, errlen, "--rdnss needs --router (beside another router, that router announces DNS)");

	cfg->min_interval_ms = ra_min_interval_ms(cfg->max_interval);
	uint32_t three = RA_DEFAULT_LIFETIME_FACTOR * cfg->max_interval;
	if (has_lifetime) {
		if (ra_lifetime_check(lifetime, cfg->max_interval, err, errlen) < 0)
			return -1;
		cfg->lifetime_asked = lifetime;
		cfg->lifetime = (lifetime + RA_PREF64_UNIT - 1) / RA_PREF64_UNIT * RA_PREF64_UNIT;
	} else {
		cfg->lifetime = ndp_pref64_default_lifetime(cfg->max_interval);
	}
	cfg->lifetime_short = !ndp_pref64_lifetime_covers(cfg->lifetime, cfg->max_interval);
	for (unsigned i = 0; i < cfg->npref64; i++)
		cfg->pref64[i].lifetime = cfg->lifetime;
	if (cfg->mode == RA_MODE_ROUTER)
		cfg->router_lifetime = (uint16_t)(three < RA_ROUTER_LIFETIME_MAX ? three : RA_ROUTER_LIFETIME_MAX);
	cfg->rdnss_lifetime = cfg->nrdnss ? three : 0;
	return 0;
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
	return used;
}
