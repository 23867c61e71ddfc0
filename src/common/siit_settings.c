/* The SIIT settings parser. Pure: text in, struct out, no system calls (inet_pton/inet_ntop are
 * string functions), so fuzz/fuzz_settings.c can run it on anything. */
#include "siit_settings.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgtext.h"


void siit_settings_init(struct siit_settings *s)
{
	memset(s, 0, sizeof(*s));
	xlat_config_init(&s->cfg);
	xlat_siit_map_set_wkp_global_only(&s->map, true); /* RFC 6052 section 3.1 */
	s->cfg.reasm_max = 0; /* RFC 7915 section 4.5 as written unless asked: no reassembly */
	siit_settings_bind(s);
}

void siit_settings_bind(struct siit_settings *s) { s->cfg.policy = xlat_siit_policy(&s->map); }

/* Strict decimal: digits only, no sign, no overflow past 6 digits. */
static bool parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	unsigned long v = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 6)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = v;
	return true;
}

/* Splits "ADDR/LEN" (LEN optional: the full length) into the address text and its length. */
static bool split_prefix(const char *s, char *addr, size_t cap, unsigned maxlen, unsigned *len)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	unsigned long l = maxlen;
	if (alen == 0 || alen >= cap)
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (slash && !parse_uint(slash + 1, maxlen, &l))
		return false;
	*len = (unsigned)l;
	return true;
}

static bool host_bits_zero(const uint8_t *a, unsigned bytes, unsigned len)
{
	for (unsigned bit = len; bit < bytes * 8; bit++)
		if (a[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

bool siit_parse_prefix4(const char *s, struct xlat_prefix4 *p)
{
	char a[INET_ADDRSTRLEN];
	unsigned len;
	if (!split_prefix(s, a, sizeof(a), 32, &len) || inet_pton(AF_INET, a, p->addr) != 1)
		return false;
	p->len = (uint8_t)len;
	return true;
}

bool siit_parse_prefix6(const char *s, struct xlat_prefix6 *p)
{
	char a[INET6_ADDRSTRLEN];
	unsigned len;
	if (!split_prefix(s, a, sizeof(a), 128, &len) || inet_pton(AF_INET6, a, p->addr) != 1)
		return false;
	p->len = (uint8_t)len;
	return true;
}

static int parse_addr4(const char *v, uint8_t out[4], bool *has, bool none_ok, char *err, size_t errlen)
{
	if (none_ok && strcmp(v, "none") == 0) {
		*has = false;
		memset(out, 0, 4);
		return 0;
	}
	if (inet_pton(AF_INET, v, out) != 1)
		return cfgtext_err(err, errlen, "'%s' is not an IPv4 address%s", v, none_ok ? " or none" : "");
	*has = true;
	return 0;
}

static int parse_addr6(const char *v, uint8_t out[16], bool *has, bool none_ok, char *err, size_t errlen)
{
	if (none_ok && strcmp(v, "none") == 0) {
		*has = false;
		memset(out, 0, 16);
		return 0;
	}
	if (inet_pton(AF_INET6, v, out) != 1)
		return cfgtext_err(err, errlen, "'%s' is not an IPv6 address%s", v, none_ok ? " or none" : "");
	*has = true;
	return 0;
}

static int parse_range(const char *v, unsigned long lo, unsigned long hi, uint32_t *out, char *err, size_t errlen)
{
	unsigned long n;
	if (!parse_uint(v, hi, &n) || n < lo)
		return cfgtext_err(err, errlen, "'%s' is not a number from %lu to %lu", v, lo, hi);
	*out = (uint32_t)n;
	return 0;
}

static int parse_mtu(const char *v, unsigned long lo, uint32_t *out, char *err, size_t errlen)
{
	return parse_range(v, lo, 65535, out, err, errlen);
}

static int set_pool6(struct siit_settings *s, const char *v, char *err, size_t errlen)
{
	struct xlat_prefix6 p;
	if (strcmp(v, "none") == 0) {
		xlat_siit_map_set_pool6(&s->map, NULL);
		return 0;
	}
	if (!siit_parse_prefix6(v, &p))
		return cfgtext_err(err, errlen, "'%s' is not an IPv6 prefix (ADDR/LEN) or none", v);
	if (!xlat_rfc6052_len_ok(p.len))
		return cfgtext_err(err, errlen, "prefix length %u is not an RFC 6052 length (32, 40, 48, 56, 64, 96)",
			       p.len);
	if (!host_bits_zero(p.addr, 16, p.len))
		return cfgtext_err(err, errlen, "'%s' has bits set beyond its length /%u", v, p.len);
	if (p.len > 64 && p.addr[8] != 0)
		return cfgtext_err(err, errlen, "'%s': bits 64 to 71 (the u-octet) must be zero (RFC 6052 section 2.2)", v);
	xlat_siit_map_set_pool6(&s->map, &p);
	return 0;
}

static int set_eam(struct siit_settings *s, const char *v4s, const char *v6s, char *err, size_t errlen)
{
	struct xlat_prefix4 v4;
	struct xlat_prefix6 v6;
	const char *why = NULL;

	if (!siit_parse_prefix4(v4s, &v4))
		return cfgtext_err(err, errlen, "'%s' is not an IPv4 prefix (ADDR[/LEN])", v4s);
	if (!siit_parse_prefix6(v6s, &v6))
		return cfgtext_err(err, errlen, "'%s' is not an IPv6 prefix (ADDR[/LEN])", v6s);
	if (!host_bits_zero(v4.addr, 4, v4.len))
		return cfgtext_err(err, errlen, "'%s' has bits set beyond its length /%u", v4s, v4.len);
	if (!host_bits_zero(v6.addr, 16, v6.len))
		return cfgtext_err(err, errlen, "'%s' has bits set beyond its length /%u", v6s, v6.len);
	/* RFC 7757 section 3.2: the IPv4 suffix bits are copied right after the IPv6 prefix, so they must
	 * fit; a longer IPv6 suffix is padded with zeros. */
	if (32 - v4.len > 128 - v6.len)
		return cfgtext_err(err, errlen,
			       "%s %s: the IPv6 suffix (%u bits) is shorter than the IPv4 suffix (%u bits; RFC 7757 section 3.2)",
			       v4s, v6s, 128u - v6.len, 32u - v4.len);
	if (xlat_siit_map_add_eam(&s->map, &v4, &v6, &why) < 0)
		return cfgtext_err(err, errlen, "%s %s: %s", v4s, v6s, why ? why : "rejected");
	return 0;
}

int siit_settings_arity(const char *key)
{
	static const char *const one[] = { "tun",   "pool6", "rfc6791v4", "rfc6791v6", "self4", "self6", "lowest-ipv6-mtu",
					   "mtu4",  "mtu6",  "amend-udp-checksum-zero", "router", "zero-traffic-class", "tos",
					   "allow-wkp-non-global", "reassembly-max", "reassembly-timeout-ms" };
	if (strcmp(key, "eam") == 0)
		return 2;
	for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++)
		if (strcmp(key, one[i]) == 0)
			return 1;
	return -1;
}

int siit_settings_set(struct siit_settings *s, const char *key, const char *const *val, int nval, char *err,
		      size_t errlen)
{
	struct xlat_config *c = &s->cfg;
	int arity = siit_settings_arity(key);

	if (arity < 0)
		return cfgtext_err(err, errlen, "unknown setting");
	if (nval != arity)
		return cfgtext_err(err, errlen, "expects %d value%s, got %d", arity, arity == 1 ? "" : "s", nval);
	const char *v = val[0];
	if (strcmp(key, "tun") == 0)
		return cfgtext_ifname(v, s->tun, sizeof(s->tun), err, errlen);
	if (strcmp(key, "pool6") == 0)
		return set_pool6(s, v, err, errlen);
	if (strcmp(key, "eam") == 0)
		return set_eam(s, v, val[1], err, errlen);
	if (strcmp(key, "rfc6791v4") == 0)
		return parse_addr4(v, c->rfc6791v4, &c->has_rfc6791v4, true, err, errlen);
	if (strcmp(key, "rfc6791v6") == 0)
		return parse_addr6(v, c->rfc6791v6, &c->has_rfc6791v6, true, err, errlen);
	if (strcmp(key, "self4") == 0)
		return parse_addr4(v, c->self4, &c->has_self4, true, err, errlen);
	if (strcmp(key, "self6") == 0)
		return parse_addr6(v, c->self6, &c->has_self6, true, err, errlen);
	if (strcmp(key, "lowest-ipv6-mtu") == 0)
		return parse_mtu(v, 1280, &c->lowest_ipv6_mtu, err, errlen);
	if (strcmp(key, "mtu4") == 0)
		return parse_mtu(v, 68, &c->mtu4, err, errlen);
	if (strcmp(key, "mtu6") == 0)
		return parse_mtu(v, 1280, &c->mtu6, err, errlen);
	if (strcmp(key, "amend-udp-checksum-zero") == 0)
		return cfgtext_bool(v, &c->amend_udp_zero_csum, err, errlen);
	if (strcmp(key, "reassembly-max") == 0)
		return parse_range(v, 0, 1024, &c->reasm_max, err, errlen);
	if (strcmp(key, "reassembly-timeout-ms") == 0)
		return parse_range(v, 100, 60000, &c->reasm_timeout_ms, err, errlen);
	/* RFC 6052 section 3.1: the well-known prefix with non-global IPv4 addresses (a lab's choice) */
	if (strcmp(key, "allow-wkp-non-global") == 0) {
		bool allow;
		if (cfgtext_bool(v, &allow, err, errlen) < 0)
			return -1;
		xlat_siit_map_set_wkp_global_only(&s->map, !allow);
		return 0;
	}
	/* RFC 7915 sections 4.1 and 5.1: the options to ignore the TOS and the traffic class */
	if (strcmp(key, "zero-traffic-class") == 0)
		return cfgtext_bool(v, &c->zero_tclass, err, errlen);
	if (strcmp(key, "tos") == 0)
		return cfgtext_tos(v, &c->set_tos, &c->tos, err, errlen);
	/* router: decrement TTL / hop limit as a router does (RFC 7915 sections 4.1 and 5.1) */
	return cfgtext_bool(v, &c->decrement_ttl, err, errlen);
}

static int siit_line(void *arg, const struct cfgtext_line *l, char *msg, size_t msgcap)
{
	char why[SIIT_ERR_MAX];
	if (siit_settings_set(arg, l->word[0], l->word + 1, l->nw - 1, why, sizeof(why)) < 0) {
		snprintf(msg, msgcap, "%.64s: %s", l->word[0], why); /* word[0] may be long junk: bounded */
		return -1;
	}
	return 0;
}

int siit_settings_parse_text(struct siit_settings *s, const char *text, size_t len, const char *name, char *err,
			     size_t errlen)
{
	static const struct cfgtext_rules rules = { .max_words = CFGTEXT_WORDS_MAX };
	return cfgtext_walk(text, len, name, &rules, siit_line, s, err, errlen);
}

int siit_settings_validate(const struct siit_settings *s, bool need_tun, char *err, size_t errlen)
{
	if (need_tun && s->tun[0] == '\0')
		return cfgtext_err(err, errlen, "no TUN device given (--tun NAME, or a 'tun NAME' line)");
	if (!s->map.has_pool6 && s->map.neam == 0)
		return cfgtext_err(err, errlen, "nothing to translate with: give a pool6 prefix or at least one eam");
	return 0;
}

static const char *ntop4(const uint8_t a[4], char *buf) { return inet_ntop(AF_INET, a, buf, INET_ADDRSTRLEN); }
static const char *ntop6(const uint8_t a[16], char *buf) { return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN); }

size_t siit_settings_format(const struct siit_settings *s, char *buf, size_t cap)
{
	struct cfgtext_buf b = { buf, cap, 0 };
	const struct xlat_config *c = &s->cfg;
	char a[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];

	if (cap)
		buf[0] = '\0';
	if (s->tun[0])
		cfgtext_add(&b, "tun %s\n", s->tun);
	if (s->map.has_pool6)
		cfgtext_add(&b, "pool6 %s/%u\n", ntop6(s->map.pool6.addr, a), s->map.pool6.len);
	else
		cfgtext_add(&b, "pool6 none\n");
	for (unsigned i = 0; i < s->map.neam && i < XLAT_EAM_MAX; i++) {
		const struct xlat_eam *e = &s->map.eam[i];
		cfgtext_add(&b, "eam %s/%u %s/%u\n", ntop4(e->v4.addr, a), e->v4.len, ntop6(e->v6.addr, a2), e->v6.len);
	}
	cfgtext_add(&b, "rfc6791v4 %s\n", c->has_rfc6791v4 ? ntop4(c->rfc6791v4, a) : "none");
	cfgtext_add(&b, "rfc6791v6 %s\n", c->has_rfc6791v6 ? ntop6(c->rfc6791v6, a) : "none");
	cfgtext_add(&b, "self4 %s\n", c->has_self4 ? ntop4(c->self4, a) : "none");
	cfgtext_add(&b, "self6 %s\n", c->has_self6 ? ntop6(c->self6, a) : "none");
	cfgtext_add(&b, "lowest-ipv6-mtu %u\n", c->lowest_ipv6_mtu);
	cfgtext_add(&b, "mtu4 %u\n", c->mtu4);
	cfgtext_add(&b, "mtu6 %u\n", c->mtu6);
	cfgtext_add(&b, "amend-udp-checksum-zero %s\n", c->amend_udp_zero_csum ? "yes" : "no");
	cfgtext_add(&b, "reassembly-max %u\n", c->reasm_max);
	cfgtext_add(&b, "reassembly-timeout-ms %u\n", c->reasm_timeout_ms);
	cfgtext_add(&b, "zero-traffic-class %s\n", c->zero_tclass ? "yes" : "no");
	if (c->set_tos)
		cfgtext_add(&b, "tos %u\n", c->tos);
	else
		cfgtext_add(&b, "tos copy\n");
	cfgtext_add(&b, "allow-wkp-non-global %s\n", s->map.wkp_global_only ? "no" : "yes");
	cfgtext_add(&b, "router %s\n", c->decrement_ttl ? "yes" : "no");
	return b.len;
}
