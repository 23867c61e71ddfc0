/* The PLAT settings parser. Pure: text in, struct out, no system calls (inet_pton/inet_ntop are
 * string functions), so fuzz/fuzz_plat_settings.c can run it on anything. */
#include "plat_settings.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgtext.h"
#include "nat64/dynpool.h"

#define TIME_MAX_SEC 31536000u /* a year */

void plat_settings_init(struct plat_settings *s)
{
	memset(s, 0, sizeof(*s));
	snprintf(s->tun, sizeof(s->tun), "plat0");
	s->mode = PLAT_STATEFUL;
	nat64_config_init(&s->nat); /* lib/nat64's defaults: RFC 6146 section 4 timeouts, limits */
	s->lease_timeout = 7200;
	s->log_events = NAT64_LOG_BIB | NAT64_LOG_BLOCK;
	xlat_config_init(&s->xcfg);
	s->reply_rate = 100;
	s->reply_burst = 200;
	s->routes = true;
	s->offload = true;
	s->bpf_redirect = true;
	s->xcfg.amend_udp_zero_csum = true; /* RFC 6146 section 3.4: MUST, for a whole datagram */
	s->subscriber_burst = 200;
	s->subscriber_hold_ms = 1000;
	s->workers = 1;
	s->ipfix_refresh = 60;
	s->ipfix_mtu = 1400;
	s->ipfix_events = NAT64_LOG_BIB | NAT64_LOG_SESSION | NAT64_LOG_BLOCK | NAT64_LOG_ALARM;
}

/* ---- value parsers ---------------------------------------------------------------------------- */

/* Strict decimal: digits only, no sign, at most 10 digits, at most max. */
static bool parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v = 0;
	size_t n = strlen(s);
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* "300", "5m", "2h4m", "1h30m15s": seconds, at most a year. */
static bool parse_time(const char *s, uint32_t *out)
{
	uint64_t total = 0;
	const char *p = s;
	if (*p == '\0')
		return false;
	while (*p) {
		uint64_t v = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			if (++digits > 9)
				return false;
			v = v * 10 + (uint64_t)(*p++ - '0');
		}
		if (digits == 0)
			return false;
		uint64_t unit = 1;
		if (*p == 's' || *p == 'm' || *p == 'h' || *p == 'd') {
			unit = *p == 's' ? 1 : *p == 'm' ? 60 : *p == 'h' ? 3600 : 86400;
			p++;
		} else if (*p != '\0') {
			return false;
		}
		total += v * unit;
		if (total > TIME_MAX_SEC)
			return false;
	}
	*out = (uint32_t)total;
	return true;
}

static bool host_bits_zero(const uint8_t *a, unsigned bytes, unsigned len)
{
	for (unsigned bit = len; bit < bytes * 8; bit++)
		if (a[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static bool split_prefix(const char *s, char *addr, size_t cap, unsigned maxlen, unsigned *len)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t l = maxlen;
	if (alen == 0 || alen >= cap)
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (slash && (strlen(slash + 1) > 3 || !parse_u32(slash + 1, maxlen, &l)))
		return false;
	*len = l;
	return true;
}

static bool parse_prefix4(const char *s, struct xlat_prefix4 *p)
{
	char a[INET_ADDRSTRLEN];
	unsigned len;
	if (!split_prefix(s, a, sizeof(a), 32, &len) || inet_pton(AF_INET, a, p->addr) != 1)
		return false;
	p->len = (uint8_t)len;
	return true;
}

static bool parse_prefix6(const char *s, struct xlat_prefix6 *p)
{
	char a[INET6_ADDRSTRLEN];
	unsigned len;
	if (!split_prefix(s, a, sizeof(a), 128, &len) || inet_pton(AF_INET6, a, p->addr) != 1)
		return false;
	p->len = (uint8_t)len;
	return true;
}

/* ADDR#PORT */
static bool split_port(const char *s, char *addr, size_t cap, uint16_t *port)
{
	const char *hash = strrchr(s, '#');
	uint32_t v;
	if (!hash || hash == s || (size_t)(hash - s) >= cap || strlen(hash + 1) > 5 || !parse_u32(hash + 1, 65535, &v))
		return false;
	memcpy(addr, s, (size_t)(hash - s));
	addr[hash - s] = '\0';
	*port = (uint16_t)v;
	return true;
}

bool plat_parse_addr_port6(const char *s, uint8_t a[16], uint16_t *port)
{
	char buf[INET6_ADDRSTRLEN];
	return split_port(s, buf, sizeof(buf), port) && inet_pton(AF_INET6, buf, a) == 1;
}

bool plat_parse_addr_port4(const char *s, uint8_t a[4], uint16_t *port)
{
	char buf[INET_ADDRSTRLEN];
	return split_port(s, buf, sizeof(buf), port) && inet_pton(AF_INET, buf, a) == 1;
}

static int parse_num(const char *v, uint32_t lo, uint32_t hi, uint32_t *out, char *err, size_t errlen)
{
	if (!parse_u32(v, hi, out) || *out < lo)
		return cfgtext_err(err, errlen, "'%s' is not a number from %u to %u", v, lo, hi);
	return 0;
}

static int parse_timeout(const char *v, uint32_t lo, uint32_t *out, char *err, size_t errlen)
{
	uint32_t t;
	if (!parse_time(v, &t) || t < lo)
		return cfgtext_err(err, errlen, "'%s' is not a time from %u s to a year (seconds, or e.g. 5m, 2h4m)", v, lo);
	*out = t;
	return 0;
}

/* ---- one setting at a time -------------------------------------------------------------------- */

static int set_path(char *dst, const char *v, bool allow_words, char *err, size_t errlen)
{
	size_t n = strlen(v);
	if (allow_words && (strcmp(v, "none") == 0 || strcmp(v, "syslog") == 0)) {
		snprintf(dst, PLAT_PATH_MAX, "%s", strcmp(v, "none") == 0 ? "" : v);
		return 0;
	}
	if (v[0] != '/')
		return cfgtext_err(err, errlen, "'%.64s' is not an absolute path%s", v, allow_words ? ", none or syslog" : "");
	if (n >= PLAT_PATH_MAX)
		return cfgtext_err(err, errlen, "path longer than %d bytes", PLAT_PATH_MAX - 1);
	memcpy(dst, v, n + 1);
	return 0;
}

static int set_pool6(struct plat_settings *s, const char *v, char *err, size_t errlen)
{
	struct xlat_prefix6 p;
	if (!parse_prefix6(v, &p))
		return cfgtext_err(err, errlen, "'%s' is not an IPv6 prefix (ADDR/LEN)", v);
	if (!xlat_rfc6052_len_ok(p.len))
		return cfgtext_err(err, errlen, "prefix length %u is not an RFC 6052 length (32, 40, 48, 56, 64, 96)", p.len);
	if (!host_bits_zero(p.addr, 16, p.len))
		return cfgtext_err(err, errlen, "'%s' has bits set beyond its length /%u", v, p.len);
	if (p.len > 64 && p.addr[8] != 0)
		return cfgtext_err(err, errlen, "'%s': bits 64 to 71 (the u-octet) must be zero (RFC 6052 section 2.2)", v);
	s->nat.pool6 = p;
	return 0;
}

static int set_pool4(struct plat_settings *s, const char *const *val, int nval, char *err, size_t errlen)
{
	struct nat64_pool4 p = { .port_min = 1024, .port_max = 65535 };
	if (s->nat.npool4 >= NAT64_POOL4_MAX)
		return cfgtext_err(err, errlen, "more than %d pool4 entries", NAT64_POOL4_MAX);
	if (!parse_prefix4(val[0], &p.prefix) || p.prefix.len == 0)
		return cfgtext_err(err, errlen, "'%s' is not an IPv4 prefix (ADDR[/LEN], LEN 1 to 32)", val[0]);
	if (!host_bits_zero(p.prefix.addr, 4, p.prefix.len))
		return cfgtext_err(err, errlen, "'%s' has bits set beyond its length /%u", val[0], p.prefix.len);
	if (nval == 2) {
		const char *dash = strchr(val[1], '-');
		char lo[8];
		uint32_t a, b;
		if (!dash || dash == val[1] || (size_t)(dash - val[1]) >= sizeof(lo))
			return cfgtext_err(err, errlen, "'%s' is not a port range (FIRST-LAST)", val[1]);
		memcpy(lo, val[1], (size_t)(dash - val[1]));
		lo[dash - val[1]] = '\0';
		if (!parse_u32(lo, 65535, &a) || strlen(dash + 1) > 5 || !parse_u32(dash + 1, 65535, &b) || a == 0 || a > b)
			return cfgtext_err(err, errlen, "'%s' is not a port range FIRST-LAST with 1 <= FIRST <= LAST <= 65535",
				       val[1]);
		p.port_min = (uint16_t)a;
		p.port_max = (uint16_t)b;
	}
	for (unsigned i = 0; i < s->nat.npool4; i++) {
		const struct xlat_prefix4 *q = &s->nat.pool4[i].prefix;
		unsigned l = q->len < p.prefix.len ? q->len : p.prefix.len;
		struct xlat_prefix4 shorter = { .len = (uint8_t)l };
		memcpy(shorter.addr, q->addr, 4);
		if (xlat_prefix4_match(&shorter, p.prefix.addr))
			return cfgtext_err(err, errlen, "'%s' overlaps an earlier pool4 entry", val[0]);
	}
	s->nat.pool4[s->nat.npool4++] = p;
	return 0;
}

static int set_static(struct plat_settings *s, const char *const *val, char *err, size_t errlen)
{
	struct nat64_static_bib b;
	memset(&b, 0, sizeof(b));
	if (s->nat.nstatic >= NAT64_STATIC_MAX)
		return cfgtext_err(err, errlen, "more than %d static entries", NAT64_STATIC_MAX);
	if (strcmp(val[0], "tcp") == 0)
		b.proto = NAT64_TCP;
	else if (strcmp(val[0], "udp") == 0)
		b.proto = NAT64_UDP;
	else if (strcmp(val[0], "icmp") == 0)
		b.proto = NAT64_ICMP;
	else
		return cfgtext_err(err, errlen, "'%.16s' is not tcp, udp or icmp", val[0]);
	if (!plat_parse_addr_port6(val[1], b.v6, &b.port6))
		return cfgtext_err(err, errlen, "'%.64s' is not IPV6#PORT", val[1]);
	if (!plat_parse_addr_port4(val[2], b.v4, &b.port4))
		return cfgtext_err(err, errlen, "'%.64s' is not IPV4#PORT", val[2]);
	for (unsigned i = 0; i < s->nat.nstatic; i++) {
		const struct nat64_static_bib *o = &s->nat.statics[i];
		if (o->proto == b.proto && memcmp(o->v4, b.v4, 4) == 0 && o->port4 == b.port4)
			return cfgtext_err(err, errlen, "%s %s is already taken by an earlier static entry", val[0], val[2]);
		if (o->proto == b.proto && memcmp(o->v6, b.v6, 16) == 0 && o->port6 == b.port6)
			return cfgtext_err(err, errlen, "%s %s has an earlier static entry", val[0], val[1]);
	}
	s->nat.statics[s->nat.nstatic++] = b;
	return 0;
}

/* "bib,session,block,alarm" (any of them), "none", or with allow_all "all". */
static int set_events(unsigned *out, const char *v, bool allow_all, char *err, size_t errlen)
{
	unsigned mask = 0;
	char buf[64];
	if (strcmp(v, "none") == 0) {
		*out = 0;
		return 0;
	}
	if (allow_all && strcmp(v, "all") == 0) {
		*out = NAT64_LOG_BIB | NAT64_LOG_SESSION | NAT64_LOG_BLOCK | NAT64_LOG_ALARM;
		return 0;
	}
	if (strlen(v) >= sizeof(buf))
		return cfgtext_err(err, errlen, "list too long");
	snprintf(buf, sizeof(buf), "%s", v);
	char *save = NULL;
	for (char *w = strtok_r(buf, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
		if (strcmp(w, "bib") == 0)
			mask |= NAT64_LOG_BIB;
		else if (strcmp(w, "session") == 0)
			mask |= NAT64_LOG_SESSION;
		else if (strcmp(w, "block") == 0)
			mask |= NAT64_LOG_BLOCK;
		else if (strcmp(w, "alarm") == 0)
			mask |= NAT64_LOG_ALARM;
		else
			return cfgtext_err(err, errlen, "'%.16s' is not bib, session, block or alarm (a comma list, or none)", w);
	}
	if (mask == 0)
		return cfgtext_err(err, errlen, "'%s' names no event (bib, session, block, alarm, or none)", v);
	*out = mask;
	return 0;
}

/* ipfix-collector ADDR PORT (IPv4, IPv6 or [IPv6]) or none. */
static int set_ipfix_collector(struct plat_settings *s, const char *const *val, int nval, char *err, size_t errlen)
{
	char a[INET6_ADDRSTRLEN + 2];
	uint32_t port;
	size_t n = strlen(val[0]);
	if (nval == 1) {
		if (strcmp(val[0], "none") != 0)
			return cfgtext_err(err, errlen, "'%.64s': ADDR PORT, or none", val[0]);
		s->ipfix_on = false;
		return 0;
	}
	if (n >= sizeof(a))
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv4 or IPv6 address", val[0]);
	bool bracketed = n > 2 && val[0][0] == '[' && val[0][n - 1] == ']';
	if (bracketed) {
		memcpy(a, val[0] + 1, n - 2);
		a[n - 2] = '\0';
	} else {
		memcpy(a, val[0], n + 1);
	}
	uint8_t addr[16] = { 0 };
	bool v6;
	if (!bracketed && inet_pton(AF_INET, a, addr) == 1)
		v6 = false;
	else if (inet_pton(AF_INET6, a, addr) == 1)
		v6 = true;
	else
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv4 or IPv6 address", val[0]);
	if (!parse_u32(val[1], 65535, &port) || port == 0)
		return cfgtext_err(err, errlen, "'%.16s' is not a port from 1 to 65535 (IPFIX uses 4739)", val[1]);
	s->ipfix_on = true;
	s->ipfix_v6 = v6;
	memcpy(s->ipfix_addr, addr, 16);
	s->ipfix_port = (uint16_t)port;
	return 0;
}

struct key_desc {
	const char *key;
	int min, max;
};

static const struct key_desc keys[] = {
	{ "tun", 1, 1 },
	{ "control", 1, 1 },
	{ "mode", 1, 1 },
	{ "pool6", 1, 1 },
	{ "pool4", 1, 2 },
	{ "filtering", 1, 1 },
	{ "allow-wkp-non-global", 1, 1 },
	{ "timeout-udp", 1, 1 },
	{ "timeout-tcp-est", 1, 1 },
	{ "timeout-tcp-trans", 1, 1 },
	{ "timeout-icmp", 1, 1 },
	{ "timeout-tcp-syn4", 1, 1 },
	{ "timeout-fragment-ms", 1, 1 },
	{ "lease-timeout", 1, 1 },
	{ "max-sessions", 1, 1 },
	{ "max-sessions-per-subscriber", 1, 1 },
	{ "drop-externally-initiated-tcp", 1, 1 },
	{ "max-stored-syns", 1, 1 },
	{ "max-stored-syns-per-source", 1, 1 },
	{ "max-ports-per-subscriber", 1, 1 },
	{ "subscriber-len", 1, 1 },
	{ "port-block-size", 1, 1 },
	{ "static", 3, 3 },
	{ "log", 1, 1 },
	{ "log-events", 1, 1 },
	{ "self4", 1, 1 },
	{ "self6", 1, 1 },
	{ "mtu4", 1, 1 },
	{ "mtu6", 1, 1 },
	{ "reply-rate", 1, 1 },
	{ "reply-burst", 1, 1 },
	{ "routes", 1, 1 },
	{ "offload", 1, 1 },
	{ "bpf-offload", 1, PLAT_BPF_IFS_MAX },
	{ "bpf-redirect", 1, 1 },
	{ "zero-traffic-class", 1, 1 },
	{ "tos", 1, 1 },
	{ "reassembly-max", 1, 1 },
	{ "subscriber-rate", 1, 1 },
	{ "subscriber-burst", 1, 1 },
	{ "subscriber-hold-ms", 1, 1 },
	{ "workers", 1, 1 },
	{ "reassembly-timeout-ms", 1, 1 },
	{ "ipfix-collector", 1, 2 },
	{ "ipfix-domain", 1, 1 },
	{ "ipfix-template-refresh", 1, 1 },
	{ "ipfix-mtu", 1, 1 },
	{ "ipfix-events", 1, 1 },
};

int plat_settings_arity(const char *key, int *max)
{
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i].key) == 0) {
			if (max)
				*max = keys[i].max;
			return keys[i].min;
		}
	}
	return -1;
}

int plat_settings_set(struct plat_settings *s, const char *key, const char *const *val, int nval, char *err,
		      size_t errlen)
{
	struct nat64_config *c = &s->nat;
	int max, min = plat_settings_arity(key, &max);
	uint32_t n;

	if (min < 0)
		return cfgtext_err(err, errlen, "unknown setting");
	if (nval < min || nval > max) {
		if (min == max)
			return cfgtext_err(err, errlen, "expects %d value%s, got %d", min, min == 1 ? "" : "s", nval);
		return cfgtext_err(err, errlen, "expects %d to %d values, got %d", min, max, nval);
	}
	const char *v = val[0];
	if (strcmp(key, "tun") == 0)
		return cfgtext_ifname(v, s->tun, sizeof(s->tun), err, errlen);
	if (strcmp(key, "control") == 0)
		return set_path(s->control, v, false, err, errlen);
	if (strcmp(key, "mode") == 0) {
		if (strcmp(v, "stateful") == 0)
			s->mode = PLAT_STATEFUL;
		else if (strcmp(v, "stateless") == 0)
			s->mode = PLAT_STATELESS;
		else
			return cfgtext_err(err, errlen, "'%.32s' is neither stateful nor stateless", v);
		return 0;
	}
	if (strcmp(key, "pool6") == 0)
		return set_pool6(s, v, err, errlen);
	if (strcmp(key, "pool4") == 0)
		return set_pool4(s, val, nval, err, errlen);
	if (strcmp(key, "filtering") == 0) {
		if (strcmp(v, "endpoint-independent") == 0)
			c->address_dependent_filtering = false;
		else if (strcmp(v, "address-dependent") == 0)
			c->address_dependent_filtering = true;
		else
			return cfgtext_err(err, errlen, "'%.32s' is neither endpoint-independent nor address-dependent", v);
		return 0;
	}
	if (strcmp(key, "allow-wkp-non-global") == 0)
		return cfgtext_bool(v, &c->allow_wkp_non_global, err, errlen);
	if (strcmp(key, "timeout-udp") == 0)
		return parse_timeout(v, 1, &c->timeout_udp, err, errlen);
	if (strcmp(key, "timeout-tcp-est") == 0)
		return parse_timeout(v, 1, &c->timeout_tcp_est, err, errlen);
	if (strcmp(key, "timeout-tcp-trans") == 0)
		return parse_timeout(v, 1, &c->timeout_tcp_trans, err, errlen);
	if (strcmp(key, "timeout-icmp") == 0)
		return parse_timeout(v, 1, &c->timeout_icmp, err, errlen);
	if (strcmp(key, "timeout-tcp-syn4") == 0)
		return parse_timeout(v, 1, &c->timeout_tcp_syn4, err, errlen);
	if (strcmp(key, "timeout-fragment-ms") == 0)
		return parse_num(v, 1, 600000, &c->timeout_fragment_ms, err, errlen);
	if (strcmp(key, "lease-timeout") == 0)
		return parse_timeout(v, 1, &s->lease_timeout, err, errlen);
	if (strcmp(key, "max-sessions") == 0)
		return parse_num(v, 1, 1u << 26, &c->max_sessions, err, errlen);
	if (strcmp(key, "max-sessions-per-subscriber") == 0)
		return parse_num(v, 0, 1u << 26, &c->max_sessions_per_subscriber, err, errlen);
	if (strcmp(key, "max-ports-per-subscriber") == 0)
		return parse_num(v, 0, 1u << 26, &c->max_ports_per_subscriber, err, errlen);
	/* RFC 6146 section 3.5.2.2: IPv4 SYNs without a binding, kept for a simultaneous open or not */
	if (strcmp(key, "drop-externally-initiated-tcp") == 0)
		return cfgtext_bool(v, &c->drop_external_tcp, err, errlen);
	if (strcmp(key, "subscriber-rate") == 0)
		return parse_num(v, 0, 10000000, &s->subscriber_rate, err, errlen);
	if (strcmp(key, "subscriber-burst") == 0)
		return parse_num(v, 1, 10000000, &s->subscriber_burst, err, errlen);
	if (strcmp(key, "workers") == 0)
		return parse_num(v, 1, 16, &s->workers, err, errlen);
	if (strcmp(key, "subscriber-hold-ms") == 0)
		return parse_num(v, 0, 60000, &s->subscriber_hold_ms, err, errlen);
	if (strcmp(key, "reassembly-max") == 0)
		return parse_num(v, 0, 1024, &s->xcfg.reasm_max, err, errlen);
	if (strcmp(key, "reassembly-timeout-ms") == 0)
		return parse_num(v, 100, 60000, &s->xcfg.reasm_timeout_ms, err, errlen);
	if (strcmp(key, "max-stored-syns") == 0)
		return parse_num(v, 0, 65536, &c->max_stored_syns, err, errlen);
	if (strcmp(key, "max-stored-syns-per-source") == 0)
		return parse_num(v, 0, 65536, &c->max_stored_syns_per_source, err, errlen);
	if (strcmp(key, "subscriber-len") == 0) {
		if (parse_num(v, 1, 128, &n, err, errlen) < 0)
			return -1;
		c->subscriber_len = (uint8_t)n;
		return 0;
	}
	if (strcmp(key, "port-block-size") == 0) {
		if (parse_num(v, 0, 65535, &n, err, errlen) < 0)
			return -1;
		c->port_block_size = (uint16_t)n;
		return 0;
	}
	if (strcmp(key, "static") == 0)
		return set_static(s, val, err, errlen);
	if (strcmp(key, "log") == 0)
		return set_path(s->log_target, v, true, err, errlen);
	if (strcmp(key, "log-events") == 0)
		return set_events(&s->log_events, v, false, err, errlen);
	/* RFC 7011 and RFC 8158: the IPFIX exporter */
	if (strcmp(key, "ipfix-collector") == 0)
		return set_ipfix_collector(s, val, nval, err, errlen);
	if (strcmp(key, "ipfix-domain") == 0)
		return parse_num(v, 0, UINT32_MAX, &s->ipfix_domain, err, errlen);
	if (strcmp(key, "ipfix-template-refresh") == 0)
		return parse_timeout(v, 1, &s->ipfix_refresh, err, errlen);
	if (strcmp(key, "ipfix-mtu") == 0)
		return parse_num(v, 512, 65000, &s->ipfix_mtu, err, errlen);
	if (strcmp(key, "ipfix-events") == 0)
		return set_events(&s->ipfix_events, v, true, err, errlen);
	if (strcmp(key, "self4") == 0) {
		if (inet_pton(AF_INET, v, s->xcfg.self4) != 1)
			return cfgtext_err(err, errlen, "'%.64s' is not an IPv4 address", v);
		s->self4_given = s->xcfg.has_self4 = true;
		return 0;
	}
	if (strcmp(key, "self6") == 0) {
		if (inet_pton(AF_INET6, v, s->xcfg.self6) != 1)
			return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 address", v);
		s->self6_given = s->xcfg.has_self6 = true;
		return 0;
	}
	if (strcmp(key, "mtu4") == 0 || strcmp(key, "mtu6") == 0) {
		bool four = key[3] == '4';
		if (parse_num(v, four ? 68 : 1280, 65535, &n, err, errlen) < 0)
			return -1;
		*(four ? &s->xcfg.mtu4 : &s->xcfg.mtu6) = (uint32_t)n;
		return 0;
	}
	if (strcmp(key, "reply-rate") == 0)
		return parse_num(v, 0, 1000000, &s->reply_rate, err, errlen);
	if (strcmp(key, "reply-burst") == 0)
		return parse_num(v, 1, 1000000, &s->reply_burst, err, errlen);
	if (strcmp(key, "offload") == 0)
		return cfgtext_bool(v, &s->offload, err, errlen);
	if (strcmp(key, "bpf-redirect") == 0)
		return cfgtext_bool(v, &s->bpf_redirect, err, errlen);
	/* RFC 7915 sections 4.1 and 5.1: the options to ignore the TOS and the traffic class */
	if (strcmp(key, "zero-traffic-class") == 0)
		return cfgtext_bool(v, &s->xcfg.zero_tclass, err, errlen);
	if (strcmp(key, "tos") == 0)
		return cfgtext_tos(v, &s->xcfg.set_tos, &s->xcfg.tos, err, errlen);
	if (strcmp(key, "bpf-offload") == 0) {
		s->nbpf_ifs = 0;
		if (nval == 1 && strcmp(v, "none") == 0)
			return 0;
		for (int i = 0; i < nval; i++) {
			for (unsigned j = 0; j < s->nbpf_ifs; j++)
				if (strcmp(s->bpf_ifs[j], val[i]) == 0)
					return cfgtext_err(err, errlen, "%s is given twice", val[i]);
			if (cfgtext_ifname(val[i], s->bpf_ifs[s->nbpf_ifs], sizeof(s->bpf_ifs[0]), err, errlen) < 0)
				return -1;
			s->nbpf_ifs++;
		}
		return 0;
	}
	/* routes */
	return cfgtext_bool(v, &s->routes, err, errlen);
}

static int plat_line(void *arg, const struct cfgtext_line *l, char *msg, size_t msgcap)
{
	char why[PLAT_ERR_MAX];
	if (plat_settings_set(arg, l->word[0], l->word + 1, l->nw - 1, why, sizeof(why)) < 0) {
		snprintf(msg, msgcap, "%.64s: %s", l->word[0], why);
		return -1;
	}
	return 0;
}

int plat_settings_parse_text(struct plat_settings *s, const char *text, size_t len, const char *name, char *err,
			     size_t errlen)
{
	/* '#' starts a comment only at the start of a word: static entries use ADDR#PORT */
	static const struct cfgtext_rules rules = { .max_words = CFGTEXT_WORDS_MAX, .hash_at_word_start = true };
	return cfgtext_walk(text, len, name, &rules, plat_line, s, err, errlen);
}

static const char *proto_name(enum nat64_proto p)
{
	return p == NAT64_TCP ? "tcp" : p == NAT64_UDP ? "udp" : "icmp";
}

static bool in_pool4(const struct nat64_config *c, const uint8_t v4[4], uint16_t port, bool check_port)
{
	for (unsigned i = 0; i < c->npool4; i++) {
		const struct nat64_pool4 *p = &c->pool4[i];
		if (xlat_prefix4_match(&p->prefix, v4) && (!check_port || (port >= p->port_min && port <= p->port_max)))
			return true;
	}
	return false;
}

int plat_settings_finish(struct plat_settings *s, char *err, size_t errlen)
{
	struct nat64_config *c = &s->nat;
	if (c->pool6.len == 0)
		return cfgtext_err(err, errlen, "no pool6 prefix (--pool6 PREFIX, e.g. 64:ff9b::/96)");
	if (c->npool4 == 0)
		return cfgtext_err(err, errlen, "no pool4 (--pool4 PREFIX [FIRST-LAST], e.g. 203.0.113.0/28)");
	if (c->subscriber_len != 64 && c->subscriber_len != 128 && s->mode == PLAT_STATEFUL)
		return cfgtext_err(err, errlen, "subscriber-len %u: 64 or 128", c->subscriber_len);
	if (s->nbpf_ifs && s->mode != PLAT_STATEFUL)
		return cfgtext_err(err, errlen, "bpf-offload needs mode stateful");
	if (s->workers > 1 && s->mode != PLAT_STATEFUL)
		return cfgtext_err(err, errlen, "workers %u needs mode stateful (stateless mode has one worker)", s->workers);
	if (s->nbpf_ifs && c->pool6.len != 96)
		return cfgtext_err(err, errlen, "bpf-offload needs a /96 pool6 (its program embeds the IPv4 address in the last 32 bits)");
	if (s->mode == PLAT_STATELESS) {
		if (c->nstatic)
			return cfgtext_err(err, errlen, "static entries need mode stateful (stateless mode maps whole addresses)");
		if (c->port_block_size)
			return cfgtext_err(err, errlen, "port-block-size needs mode stateful");
		for (unsigned i = 0; i < c->npool4; i++)
			if (c->pool4[i].port_min != 1024 || c->pool4[i].port_max != 65535)
				return cfgtext_err(err, errlen, "pool4 port ranges need mode stateful (stateless mode leases whole addresses)");
	}
	for (unsigned i = 0; i < c->nstatic; i++) {
		const struct nat64_static_bib *b = &c->statics[i];
		char a[INET_ADDRSTRLEN];
		inet_ntop(AF_INET, b->v4, a, sizeof(a));
		/* ICMP identifiers are not ports: only the address must lie in the pool */
		if (!in_pool4(c, b->v4, b->port4, b->proto != NAT64_ICMP))
			return cfgtext_err(err, errlen, "static %s %s#%u: not in any pool4 entry (address and port range)",
				       proto_name(b->proto), a, b->port4);
	}
	if (c->port_block_size) {
		for (unsigned i = 0; i < c->npool4; i++) {
			unsigned span = (unsigned)c->pool4[i].port_max - c->pool4[i].port_min + 1;
			if (c->port_block_size > span)
				return cfgtext_err(err, errlen, "port-block-size %u is larger than a pool4 port range (%u ports)",
					       c->port_block_size, span);
		}
	}
	if (!s->self4_given) {
		memcpy(s->xcfg.self4, c->pool4[0].prefix.addr, 4);
		s->xcfg.has_self4 = true;
	}
	if (!s->self6_given) {
		xlat_rfc6052_embed(&c->pool6, s->xcfg.self4, s->xcfg.self6);
		s->xcfg.has_self6 = true;
	}
	/* The translator's own errors from unmappable routers come from the same addresses. */
	s->xcfg.has_rfc6791v4 = true;
	memcpy(s->xcfg.rfc6791v4, s->xcfg.self4, 4);
	s->xcfg.has_rfc6791v6 = true;
	memcpy(s->xcfg.rfc6791v6, s->xcfg.self6, 16);
	return 0;
}

void plat_settings_dynpool(const struct plat_settings *s, struct nat64_dynpool_config *dc)
{
	nat64_dynpool_config_init(dc);
	dc->pool6 = s->nat.pool6;
	for (unsigned i = 0; i < s->nat.npool4 && i < NAT64_DYNPOOL_RANGES_MAX; i++)
		dc->ranges[dc->nranges++] = s->nat.pool4[i].prefix;
	dc->idle_timeout = s->lease_timeout;
	dc->allow_wkp_non_global = s->nat.allow_wkp_non_global;
	if (s->xcfg.has_self4) {
		dc->has_reserved = true;
		memcpy(dc->reserved, s->xcfg.self4, 4);
	}
}

/* ---- printing --------------------------------------------------------------------------------- */

static void add_events(struct cfgtext_buf *b, const char *key, unsigned mask)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = { { NAT64_LOG_BIB, "bib" }, { NAT64_LOG_SESSION, "session" }, { NAT64_LOG_BLOCK, "block" },
		      { NAT64_LOG_ALARM, "alarm" } };
	if (mask == 0) {
		cfgtext_add(b, "%s none\n", key);
		return;
	}
	cfgtext_add(b, "%s", key);
	const char *sep = " ";
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (mask & names[i].bit) {
			cfgtext_add(b, "%s%s", sep, names[i].name);
			sep = ",";
		}
	}
	cfgtext_add(b, "\n");
}

size_t plat_settings_format(const struct plat_settings *s, char *buf, size_t cap)
{
	struct cfgtext_buf b = { buf, cap, 0 };
	const struct nat64_config *c = &s->nat;
	char a[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];

	if (cap)
		buf[0] = '\0';
	cfgtext_add(&b, "tun %s\n", s->tun);
	if (s->control[0])
		cfgtext_add(&b, "control %s\n", s->control);
	cfgtext_add(&b, "mode %s\n", s->mode == PLAT_STATEFUL ? "stateful" : "stateless");
	if (c->pool6.len)
		cfgtext_add(&b, "pool6 %s/%u\n", inet_ntop(AF_INET6, c->pool6.addr, a, sizeof(a)), c->pool6.len);
	for (unsigned i = 0; i < c->npool4 && i < NAT64_POOL4_MAX; i++) {
		const struct nat64_pool4 *p = &c->pool4[i];
		cfgtext_add(&b, "pool4 %s/%u %u-%u\n", inet_ntop(AF_INET, p->prefix.addr, a, sizeof(a)), p->prefix.len,
			p->port_min, p->port_max);
	}
	cfgtext_add(&b, "filtering %s\n", c->address_dependent_filtering ? "address-dependent" : "endpoint-independent");
	cfgtext_add(&b, "allow-wkp-non-global %s\n", c->allow_wkp_non_global ? "yes" : "no");
	cfgtext_add(&b, "timeout-udp %u\n", c->timeout_udp);
	cfgtext_add(&b, "timeout-tcp-est %u\n", c->timeout_tcp_est);
	cfgtext_add(&b, "timeout-tcp-trans %u\n", c->timeout_tcp_trans);
	cfgtext_add(&b, "timeout-icmp %u\n", c->timeout_icmp);
	cfgtext_add(&b, "timeout-tcp-syn4 %u\n", c->timeout_tcp_syn4);
	cfgtext_add(&b, "timeout-fragment-ms %u\n", c->timeout_fragment_ms);
	cfgtext_add(&b, "lease-timeout %u\n", s->lease_timeout);
	cfgtext_add(&b, "max-sessions %u\n", c->max_sessions);
	cfgtext_add(&b, "max-sessions-per-subscriber %u\n", c->max_sessions_per_subscriber);
	cfgtext_add(&b, "max-ports-per-subscriber %u\n", c->max_ports_per_subscriber);
	cfgtext_add(&b, "drop-externally-initiated-tcp %s\n", c->drop_external_tcp ? "yes" : "no");
	cfgtext_add(&b, "max-stored-syns %u\n", c->max_stored_syns);
	cfgtext_add(&b, "max-stored-syns-per-source %u\n", c->max_stored_syns_per_source);
	cfgtext_add(&b, "reassembly-max %u\n", s->xcfg.reasm_max);
	cfgtext_add(&b, "reassembly-timeout-ms %u\n", s->xcfg.reasm_timeout_ms);
	cfgtext_add(&b, "subscriber-len %u\n", c->subscriber_len);
	cfgtext_add(&b, "port-block-size %u\n", c->port_block_size);
	for (unsigned i = 0; i < c->nstatic && i < NAT64_STATIC_MAX; i++) {
		const struct nat64_static_bib *e = &c->statics[i];
		cfgtext_add(&b, "static %s %s#%u %s#%u\n", proto_name(e->proto),
			inet_ntop(AF_INET6, e->v6, a, sizeof(a)), e->port6, inet_ntop(AF_INET, e->v4, a2, sizeof(a2)),
			e->port4);
	}
	cfgtext_add(&b, "log %s\n", s->log_target[0] ? s->log_target : "none");
	add_events(&b, "log-events", s->log_events);
	if (s->self4_given)
		cfgtext_add(&b, "self4 %s\n", inet_ntop(AF_INET, s->xcfg.self4, a, sizeof(a)));
	if (s->self6_given)
		cfgtext_add(&b, "self6 %s\n", inet_ntop(AF_INET6, s->xcfg.self6, a, sizeof(a)));
	cfgtext_add(&b, "mtu4 %u\n", s->xcfg.mtu4);
	cfgtext_add(&b, "mtu6 %u\n", s->xcfg.mtu6);
	cfgtext_add(&b, "reply-rate %u\n", s->reply_rate);
	cfgtext_add(&b, "reply-burst %u\n", s->reply_burst);
	cfgtext_add(&b, "routes %s\n", s->routes ? "yes" : "no");
	cfgtext_add(&b, "offload %s\n", s->offload ? "yes" : "no");
	if (s->nbpf_ifs == 0)
		cfgtext_add(&b, "bpf-offload none\n");
	else
		for (unsigned i = 0; i < s->nbpf_ifs; i++)
			cfgtext_add(&b, "%s%s%s", i ? " " : "bpf-offload ", s->bpf_ifs[i], i + 1 == s->nbpf_ifs ? "\n" : "");
	cfgtext_add(&b, "bpf-redirect %s\n", s->bpf_redirect ? "yes" : "no");
	cfgtext_add(&b, "subscriber-rate %u\n", s->subscriber_rate);
	cfgtext_add(&b, "subscriber-burst %u\n", s->subscriber_burst);
	cfgtext_add(&b, "subscriber-hold-ms %u\n", s->subscriber_hold_ms);
	cfgtext_add(&b, "workers %u\n", s->workers);
	cfgtext_add(&b, "zero-traffic-class %s\n", s->xcfg.zero_tclass ? "yes" : "no");
	if (s->xcfg.set_tos)
		cfgtext_add(&b, "tos %u\n", s->xcfg.tos);
	else
		cfgtext_add(&b, "tos copy\n");
	if (s->ipfix_on)
		cfgtext_add(&b, s->ipfix_v6 ? "ipfix-collector [%s] %u\n" : "ipfix-collector %s %u\n",
			inet_ntop(s->ipfix_v6 ? AF_INET6 : AF_INET, s->ipfix_addr, a, sizeof(a)), s->ipfix_port);
	else
		cfgtext_add(&b, "ipfix-collector none\n");
	cfgtext_add(&b, "ipfix-domain %u\n", s->ipfix_domain);
	cfgtext_add(&b, "ipfix-template-refresh %u\n", s->ipfix_refresh);
	cfgtext_add(&b, "ipfix-mtu %u\n", s->ipfix_mtu);
	add_events(&b, "ipfix-events", s->ipfix_events);
	return b.len;
}
