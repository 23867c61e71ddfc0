/* The PLAT settings parser. Pure: text in, struct out, no system calls (inet_pton/inet_ntop are
 * string functions), so fuzz/fuzz_plat_settings.c can run it on anything. */
#include "plat_settings.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../common/settings_table.h"
#include "../common/value_parse.h"
#include "common/cfgtext.h"
#include "nat64/dynpool.h"


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

/* ADDR#PORT */
static bool split_port(const char *s, char *addr, size_t cap, uint16_t *port)
{
	const char *hash = strrchr(s, '#');
	uint32_t v;
	if (!hash || hash == s || (size_t)(hash - s) >= cap || strlen(hash + 1) > 5 ||
	    !settings_parse_u32(hash + 1, 65535, &v))
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


/* ---- the settings that need their own parser ---------------------------------------------------- */

/* Zero-filled, so that a reload compares the whole buffer (settings_keep_restart). */
static int set_path(char *dst, const char *v, bool allow_words, char *err, size_t errlen)
{
	size_t n = strlen(v);
	if (allow_words && (strcmp(v, "none") == 0 || strcmp(v, "syslog") == 0)) {
		if (strcmp(v, "none") == 0)
			n = 0;
	} else if (v[0] != '/') {
		return cfgtext_err(err, errlen, "'%.64s' is not an absolute path%s", v, allow_words ? ", none or syslog" : "");
	} else if (n >= PLAT_PATH_MAX) {
		return cfgtext_err(err, errlen, "path longer than %d bytes", PLAT_PATH_MAX - 1);
	}
	memset(dst, 0, PLAT_PATH_MAX);
	memcpy(dst, v, n);
	return 0;
}

static int set_control(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	return set_path(s->control, val[0], false, err, errlen);
}

static int set_pool6(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	struct xlat_prefix6 p;
	if (value_nat64_prefix(val[0], &p, err, errlen) < 0)
		return -1;
	s->nat.pool6 = p;
	return 0;
}

static int set_pool4(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	struct nat64_pool4 p = { .port_min = 1024, .port_max = 65535 };
	if (s->nat.npool4 >= NAT64_POOL4_MAX)
		return cfgtext_err(err, errlen, "more than %d pool4 entries", NAT64_POOL4_MAX);
	if (!value_prefix4(val[0], &p.prefix) || p.prefix.len == 0)
		return cfgtext_err(err, errlen, "'%s' is not an IPv4 prefix (ADDR[/LEN], LEN 1 to 32)", val[0]);
	if (!value_host_bits_zero(p.prefix.addr, 4, p.prefix.len))
		return cfgtext_err(err, errlen, "'%s' has bits set beyond its length /%u", val[0], p.prefix.len);
	if (nval == 2) {
		const char *dash = strchr(val[1], '-');
		char lo[8];
		uint32_t a, b;
		if (!dash || dash == val[1] || (size_t)(dash - val[1]) >= sizeof(lo))
			return cfgtext_err(err, errlen, "'%s' is not a port range (FIRST-LAST)", val[1]);
		memcpy(lo, val[1], (size_t)(dash - val[1]));
		lo[dash - val[1]] = '\0';
		if (!settings_parse_u32(lo, 65535, &a) || strlen(dash + 1) > 5 ||
		    !settings_parse_u32(dash + 1, 65535, &b) || a == 0 || a > b)
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

static int set_filtering(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	if (strcmp(val[0], "endpoint-independent") == 0)
		s->nat.address_dependent_filtering = false;
	else if (strcmp(val[0], "address-dependent") == 0)
		s->nat.address_dependent_filtering = true;
	else
		return cfgtext_err(err, errlen, "'%.32s' is neither endpoint-independent nor address-dependent", val[0]);
	return 0;
}

static int set_static(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
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

static int set_log(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	return set_path(s->log_target, val[0], true, err, errlen);
}

static int set_log_events(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	return set_events(&s->log_events, val[0], false, err, errlen);
}

static int set_ipfix_events(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	return set_events(&s->ipfix_events, val[0], true, err, errlen);
}

/* RFC 7011 and RFC 8158: ipfix-collector ADDR PORT (IPv4, IPv6 or [IPv6]) or none. */
static int set_ipfix_collector(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
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
	if (!settings_parse_u32(val[1], 65535, &port) || port == 0)
		return cfgtext_err(err, errlen, "'%.16s' is not a port from 1 to 65535 (IPFIX uses 4739)", val[1]);
	s->ipfix_on = true;
	s->ipfix_v6 = v6;
	memcpy(s->ipfix_addr, addr, 16);
	s->ipfix_port = (uint16_t)port;
	return 0;
}

static int set_self4(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	if (inet_pton(AF_INET, val[0], s->xcfg.self4) != 1)
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv4 address", val[0]);
	s->self4_given = s->xcfg.has_self4 = true;
	return 0;
}

static int set_self6(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	if (inet_pton(AF_INET6, val[0], s->xcfg.self6) != 1)
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 address", val[0]);
	s->self6_given = s->xcfg.has_self6 = true;
	return 0;
}

/* RFC 7915 section 5.1: the option to ignore the traffic class */
static int set_tos(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	return cfgtext_tos(val[0], &s->xcfg.set_tos, &s->xcfg.tos, err, errlen);
}

/* The list is zero-filled past its last name, so that a reload compares it whole. */
static int set_bpf_offload(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct plat_settings *s = arg;
	s->nbpf_ifs = 0;
	memset(s->bpf_ifs, 0, sizeof(s->bpf_ifs));
	if (nval == 1 && strcmp(val[0], "none") == 0)
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

/* ---- printing: the custom settings' lines ----------------------------------------------------- */

static const char *proto_name(enum nat64_proto p)
{
	return p == NAT64_TCP ? "tcp" : p == NAT64_UDP ? "udp" : "icmp";
}

static void format_control(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	if (s->control[0])
		cfgtext_add(b, "control %s\n", s->control);
}

static void format_pool6(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	char a[INET6_ADDRSTRLEN];
	if (s->nat.pool6.len)
		cfgtext_add(b, "pool6 %s/%u\n", inet_ntop(AF_INET6, s->nat.pool6.addr, a, sizeof(a)), s->nat.pool6.len);
}

static void format_pool4(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	char a[INET_ADDRSTRLEN];
	for (unsigned i = 0; i < s->nat.npool4 && i < NAT64_POOL4_MAX; i++) {
		const struct nat64_pool4 *p = &s->nat.pool4[i];
		cfgtext_add(b, "pool4 %s/%u %u-%u\n", inet_ntop(AF_INET, p->prefix.addr, a, sizeof(a)), p->prefix.len,
			    p->port_min, p->port_max);
	}
}

static void format_filtering(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	cfgtext_add(b, "filtering %s\n", s->nat.address_dependent_filtering ? "address-dependent" : "endpoint-independent");
}

static void format_static(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	char a[INET6_ADDRSTRLEN], a2[INET_ADDRSTRLEN];
	for (unsigned i = 0; i < s->nat.nstatic && i < NAT64_STATIC_MAX; i++) {
		const struct nat64_static_bib *e = &s->nat.statics[i];
		cfgtext_add(b, "static %s %s#%u %s#%u\n", proto_name(e->proto), inet_ntop(AF_INET6, e->v6, a, sizeof(a)),
			    e->port6, inet_ntop(AF_INET, e->v4, a2, sizeof(a2)), e->port4);
	}
}

static void format_log(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	cfgtext_add(b, "log %s\n", s->log_target[0] ? s->log_target : "none");
}

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

static void format_log_events(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	add_events(b, "log-events", s->log_events);
}

static void format_ipfix_events(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	add_events(b, "ipfix-events", s->ipfix_events);
}

/* self4 and self6 are written only when given: otherwise plat_settings_finish derives them. */
static void format_self4(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	char a[INET_ADDRSTRLEN];
	if (s->self4_given)
		cfgtext_add(b, "self4 %s\n", inet_ntop(AF_INET, s->xcfg.self4, a, sizeof(a)));
}

static void format_self6(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	char a[INET6_ADDRSTRLEN];
	if (s->self6_given)
		cfgtext_add(b, "self6 %s\n", inet_ntop(AF_INET6, s->xcfg.self6, a, sizeof(a)));
}

static void format_bpf_offload(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	if (s->nbpf_ifs == 0) {
		cfgtext_add(b, "bpf-offload none\n");
		return;
	}
	cfgtext_add(b, "bpf-offload");
	for (unsigned i = 0; i < s->nbpf_ifs && i < PLAT_BPF_IFS_MAX; i++)
		cfgtext_add(b, " %.16s", s->bpf_ifs[i]);
	cfgtext_add(b, "\n");
}

static void format_tos(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	if (s->xcfg.set_tos)
		cfgtext_add(b, "tos %u\n", s->xcfg.tos);
	else
		cfgtext_add(b, "tos copy\n");
}

static void format_ipfix_collector(const void *arg, struct cfgtext_buf *b)
{
	const struct plat_settings *s = arg;
	char a[INET6_ADDRSTRLEN];
	if (s->ipfix_on)
		cfgtext_add(b, s->ipfix_v6 ? "ipfix-collector [%s] %u\n" : "ipfix-collector %s %u\n",
			    inet_ntop(s->ipfix_v6 ? AF_INET6 : AF_INET, s->ipfix_addr, a, sizeof(a)), s->ipfix_port);
	else
		cfgtext_add(b, "ipfix-collector none\n");
}

/* ---- the table -------------------------------------------------------------------------------- */

static const char *const mode_names[] = { "stateful", "stateless", NULL };
_Static_assert(PLAT_STATEFUL == 0 && PLAT_STATELESS == 1 && sizeof(enum plat_mode) == sizeof(int),
	       "mode is stored as the index of its name");
/* bpf-offload is the count and the names after it: a reload keeps both at once */
_Static_assert(offsetof(struct plat_settings, bpf_ifs) == offsetof(struct plat_settings, nbpf_ifs) + sizeof(unsigned),
	       "bpf_ifs follows nbpf_ifs");

/* --pool4 and --static flags replace the file's lines (settings_apply_words) */
static void clear_pool4(void *arg) { ((struct plat_settings *)arg)->nat.npool4 = 0; }
static void clear_static(void *arg) { ((struct plat_settings *)arg)->nat.nstatic = 0; }

#define S(field) offsetof(struct plat_settings, field)
#define NAT(field) offsetof(struct plat_settings, nat.field)
#define X(field) offsetof(struct plat_settings, xcfg.field)
/* The settings of `xlat464 plat`, in the order --print-config writes them (tools and tests parse
 * that output). */
static const struct setting plat_settings_list[] = {
	{ .key = "tun", .nval = 1, .kind = SETTING_IFNAME, .off = S(tun), .restart = true,
	  .syntax = "NAME", .dflt = "plat0", .doc = "the TUN carrying both families (created when missing)" },
	{ .key = "control", .nval = 1, .kind = SETTING_CUSTOM, .set = set_control, .format = format_control,
	  .off = S(control), .size = PLAT_PATH_MAX, .restart = true, .syntax = "PATH",
	  .dflt = "/run/xlat464/plat-TUN.sock", .doc = "the status socket; the command socket is the same path with .cmd" },
	{ .key = "mode", .nval = 1, .kind = SETTING_ENUM, .off = S(mode), .names = mode_names, .restart = true,
	  .syntax = "stateful|stateless", .dflt = "stateful",
	  .doc = "RFC 6146 NAT64, or one IPv4 address leased to each client (stateless)" },
	{ .key = "pool6", .nval = 1, .kind = SETTING_CUSTOM, .set = set_pool6, .format = format_pool6,
	  .syntax = "PREFIX", .dflt = "none (required)",
	  .doc = "RFC 6052 prefix, length 32, 40, 48, 56, 64 or 96, the u-octet zero; e.g. 64:ff9b::/96" },
	{ .key = "pool4", .nval = 1, .nval_max = 2, .kind = SETTING_CUSTOM, .set = set_pool4, .format = format_pool4,
	  .clear = clear_pool4,
	  .repeat = true, .syntax = "PREFIX [FIRST-LAST]", .dflt = "none (required); ports 1024-65535",
	  .doc = "IPv4 addresses and their ports (ICMP identifiers too), up to 64 entries, no overlaps; a pool4 flag "
		 "replaces the file's pool4 lines; stateless mode leases whole addresses (no port range)" },
	{ .key = "filtering", .nval = 1, .kind = SETTING_CUSTOM, .set = set_filtering, .format = format_filtering,
	  .syntax = "endpoint-independent|address-dependent", .dflt = "endpoint-independent",
	  .doc = "RFC 4787 filtering of the packets from IPv4" },
	{ .key = "allow-wkp-non-global", .nval = 1, .kind = SETTING_BOOL, .off = NAT(allow_wkp_non_global),
	  .syntax = "yes|no", .dflt = "no",
	  .doc = "with pool6 64:ff9b::/96, yes translates non-global IPv4 addresses too (RFC 6052 section 3.1 "
		 "refuses them: wkp-non-global)" },
	{ .key = "timeout-udp", .nval = 1, .kind = SETTING_DURATION, .off = NAT(timeout_udp), .lo = 1,
	  .syntax = "T", .dflt = "5m", .doc = "UDP session lifetime (RFC 6146 section 4: at least 2m)" },
	{ .key = "timeout-tcp-est", .nval = 1, .kind = SETTING_DURATION, .off = NAT(timeout_tcp_est), .lo = 1,
	  .syntax = "T", .dflt = "2h4m", .doc = "established TCP session lifetime" },
	{ .key = "timeout-tcp-trans", .nval = 1, .kind = SETTING_DURATION, .off = NAT(timeout_tcp_trans), .lo = 1,
	  .syntax = "T", .dflt = "4m", .doc = "transitory TCP session lifetime (opening, closing)" },
	{ .key = "timeout-icmp", .nval = 1, .kind = SETTING_DURATION, .off = NAT(timeout_icmp), .lo = 1,
	  .syntax = "T", .dflt = "60s", .doc = "ICMP query session lifetime" },
	{ .key = "timeout-tcp-syn4", .nval = 1, .kind = SETTING_DURATION, .off = NAT(timeout_tcp_syn4), .lo = 1,
	  .syntax = "T", .dflt = "6s", .doc = "how long an unsolicited IPv4 SYN waits for its IPv6 side" },
	{ .key = "timeout-fragment-ms", .nval = 1, .kind = SETTING_U32, .off = NAT(timeout_fragment_ms), .lo = 1,
	  .hi = 600000, .syntax = "N", .dflt = "2000", .doc = "how long a first fragment's ports are kept for the others" },
	{ .key = "lease-timeout", .nval = 1, .kind = SETTING_DURATION, .off = S(lease_timeout), .lo = 1,
	  .syntax = "T", .dflt = "2h", .doc = "stateless: idle time before a lease ends (TAYGA keeps 2h)" },
	{ .key = "max-sessions", .nval = 1, .kind = SETTING_U32, .off = NAT(max_sessions), .lo = 1, .hi = 1u << 26,
	  .syntax = "N", .dflt = "262144", .doc = "table capacity; memory is allocated for it at start" },
	{ .key = "max-sessions-per-subscriber", .nval = 1, .kind = SETTING_U32, .off = NAT(max_sessions_per_subscriber),
	  .hi = 1u << 26, .syntax = "N", .dflt = "0", .doc = "sessions per subscriber; 0: no limit" },
	{ .key = "max-ports-per-subscriber", .nval = 1, .kind = SETTING_U32, .off = NAT(max_ports_per_subscriber),
	  .hi = 1u << 26, .syntax = "N", .dflt = "0", .doc = "bindings per subscriber, all protocols; 0: no limit" },
	/* RFC 6146 section 3.5.2.2: IPv4 SYNs without a binding, kept for a simultaneous open or not */
	{ .key = "drop-externally-initiated-tcp", .nval = 1, .kind = SETTING_BOOL, .off = NAT(drop_external_tcp),
	  .syntax = "yes|no", .dflt = "no",
	  .doc = "no keeps an IPv4 SYN to a pool address and port without a binding for timeout-tcp-syn4 (a simultaneous "
		 "open may take it), then answers port unreachable; yes drops it at once (RFC 6146 section 3.5.2.2)" },
	{ .key = "max-stored-syns", .nval = 1, .kind = SETTING_U32, .off = NAT(max_stored_syns), .hi = 65536,
	  .syntax = "N", .dflt = "1024",
	  .doc = "such SYNs kept in all; memory is allocated for it, so a reload cannot grow it; 0 keeps none" },
	{ .key = "max-stored-syns-per-source", .nval = 1, .kind = SETTING_U32, .off = NAT(max_stored_syns_per_source),
	  .hi = 65536, .syntax = "N", .dflt = "8", .doc = "such SYNs kept per IPv4 sender" },
	{ .key = "reassembly-max", .nval = 1, .kind = SETTING_U32, .off = X(reasm_max), .hi = 1024, .restart = true,
	  .syntax = "N", .dflt = "16",
	  .doc = "IPv4 UDP datagrams with checksum zero that arrive fragmented, reassembled at once to compute their "
		 "checksum (RFC 6146 section 3.4); 0 refuses their fragments (udp-zero-checksum-fragment)" },
	{ .key = "reassembly-timeout-ms", .nval = 1, .kind = SETTING_U32, .off = X(reasm_timeout_ms), .lo = 100,
	  .hi = 60000, .syntax = "N", .dflt = "5000", .doc = "how long their fragments wait for the rest" },
	{ .key = "subscriber-len", .nval = 1, .kind = SETTING_U32, .off = NAT(subscriber_len), .size = 1, .lo = 1,
	  .hi = 128, .syntax = "64|128", .dflt = "64", .doc = "a subscriber is the client's /64 (a home) or its /128" },
	{ .key = "port-block-size", .nval = 1, .kind = SETTING_U32, .off = NAT(port_block_size), .size = 2, .hi = 65535,
	  .syntax = "N", .dflt = "0",
	  .doc = "RFC 7422 deterministic port blocks of N ports per subscriber (one log line per block); 0: random ports "
		 "per RFC 6056" },
	{ .key = "static", .nval = 3, .kind = SETTING_CUSTOM, .set = set_static, .format = format_static, .repeat = true,
	  .clear = clear_static,
	  .syntax = "tcp|udp|icmp V6#PORT V4#PORT", .dflt = "none",
	  .doc = "a static binding (icmp: identifiers); V4#PORT must lie in a pool4 range; a static flag replaces the "
		 "file's static lines" },
	{ .key = "log", .nval = 1, .kind = SETTING_CUSTOM, .set = set_log, .format = format_log,
	  .syntax = "none|syslog|/PATH", .dflt = "none",
	  .doc = "where the binding events go (docs/plat.md has the line format)" },
	{ .key = "log-events", .nval = 1, .kind = SETTING_CUSTOM, .set = set_log_events, .format = format_log_events,
	  .syntax = "LIST|none", .dflt = "bib,block",
	  .doc = "what is logged: comma list of bib, session, block, alarm (pool or ports exhausted, a limit reached)" },
	{ .key = "self4", .nval = 1, .kind = SETTING_CUSTOM, .set = set_self4, .format = format_self4,
	  .syntax = "ADDR", .dflt = "the first pool4 address",
	  .doc = "source of the ICMPv4 errors the translator sends itself, and of translated ICMPv6 errors from routers "
		 "that have no mapping (RFC 6791)" },
	{ .key = "self6", .nval = 1, .kind = SETTING_CUSTOM, .set = set_self6, .format = format_self6,
	  .syntax = "ADDR", .dflt = "self4 inside pool6",
	  .doc = "source of the ICMPv6 errors the translator sends itself, and of translated ICMPv4 errors from routers "
		 "that have no mapping (RFC 6791)" },
	{ .key = "mtu4", .nval = 1, .kind = SETTING_U32, .off = X(mtu4), .lo = 68, .hi = 65535,
	  .syntax = "N", .dflt = "1500", .doc = "next-hop MTU on the IPv4 side" },
	{ .key = "mtu6", .nval = 1, .kind = SETTING_U32, .off = X(mtu6), .lo = 1280, .hi = 65535,
	  .syntax = "N", .dflt = "1500", .doc = "next-hop MTU on the IPv6 side" },
	{ .key = "reply-rate", .nval = 1, .kind = SETTING_U32, .off = S(reply_rate), .hi = 1000000,
	  .syntax = "N", .dflt = "100",
	  .doc = "ICMP errors the translator makes (pool exhausted, limits, ...) per second, a token bucket; the rest are "
		 "counted as suppressed" },
	{ .key = "reply-burst", .nval = 1, .kind = SETTING_U32, .off = S(reply_burst), .lo = 1, .hi = 1000000,
	  .syntax = "N", .dflt = "200", .doc = "that bucket's burst" },
	{ .key = "routes", .nval = 1, .kind = SETTING_BOOL, .off = S(routes),
	  .syntax = "yes|no", .dflt = "yes", .doc = "add and remove the routes for pool6 and pool4 into the TUN" },
	{ .key = "offload", .nval = 1, .kind = SETTING_BOOL, .off = S(offload), .restart = true,
	  .syntax = "yes|no", .dflt = "yes", .doc = "checksum and TCP segmentation offload through the TUN" },
	{ .key = "bpf-offload", .nval = 1, .nval_max = PLAT_BPF_IFS_MAX, .kind = SETTING_CUSTOM, .set = set_bpf_offload,
	  .format = format_bpf_offload, .off = S(nbpf_ifs),
	  .size = sizeof(unsigned) + sizeof(((struct plat_settings *)0)->bpf_ifs), .restart = true,
	  .syntax = "IFNAME...|none", .dflt = "none",
	  .doc = "stateful mode, a /96 pool6: the kernel fast path, a TC program at ingress of these interfaces (towards "
		 "the clients and towards the IPv4 side; up to 8) that translates established TCP and UDP sessions" },
	{ .key = "bpf-redirect", .nval = 1, .kind = SETTING_BOOL, .off = S(bpf_redirect), .restart = true,
	  .syntax = "yes|no", .dflt = "yes",
	  .doc = "the fast path sends its packets out itself (past the stack's forwarding and netfilter), or leaves them to "
		 "the stack's forwarding" },
	{ .key = "subscriber-rate", .nval = 1, .kind = SETTING_U32, .off = S(subscriber_rate), .hi = 10000000,
	  .syntax = "N", .dflt = "0 (off)",
	  .doc = "with bpf-offload: each subscriber's packets for the daemon (what the TC program does not translate) paced "
		 "in the kernel to N per second before the TUN; past it, dropped as nat64-limit-subscriber-rate" },
	{ .key = "subscriber-burst", .nval = 1, .kind = SETTING_U32, .off = S(subscriber_burst), .lo = 1, .hi = 10000000,
	  .syntax = "N", .dflt = "200", .doc = "that pace's burst" },
	{ .key = "subscriber-hold-ms", .nval = 1, .kind = SETTING_U32, .off = S(subscriber_hold_ms), .hi = 60000,
	  .syntax = "N", .dflt = "1000",
	  .doc = "with bpf-offload: a subscriber refused for max-sessions-per-subscriber or max-ports-per-subscriber has "
		 "its new flows dropped by the TC program this long (nat64-limit-subscriber-held); 0: off" },
	{ .key = "workers", .nval = 1, .kind = SETTING_U32, .off = S(workers), .lo = 1, .hi = 16, .restart = true,
	  .syntax = "N", .dflt = "1",
	  .doc = "threads translating, each reading one queue of a multi-queue TUN; more than 1 needs mode stateful" },
	{ .key = "worker-cpus", .nval = 1, .kind = SETTING_CPUS, .off = S(worker_cpus), .restart = true,
	  .syntax = "LIST|none", .dflt = "none", .doc = WORKER_CPUS_DOC },
	/* RFC 7915 sections 4.1 and 5.1: the options to ignore the TOS and the traffic class */
	{ .key = "zero-traffic-class", .nval = 1, .kind = SETTING_BOOL, .off = X(zero_tclass),
	  .syntax = "yes|no", .dflt = "no (copy)",
	  .doc = "traffic class 0 instead of the IPv4 TOS, outer and quoted headers, the kernel fast path too (RFC 7915 "
		 "section 4.1)" },
	{ .key = "tos", .nval = 1, .kind = SETTING_CUSTOM, .set = set_tos, .format = format_tos,
	  .syntax = "copy|N", .dflt = "copy",
	  .doc = "every IPv4 packet gets TOS N (0-255) instead of the traffic class (RFC 7915 section 5.1)" },
	{ .key = "ipfix-collector", .nval = 1, .nval_max = 2, .kind = SETTING_CUSTOM, .set = set_ipfix_collector,
	  .format = format_ipfix_collector, .syntax = "ADDR PORT|none", .dflt = "none",
	  .doc = "export the NAT64 events (stateless mode: its leases) as IPFIX (RFC 7011, RFC 8158) over UDP to this "
		 "collector, IPv4 or IPv6 ([ADDR] too); the IANA port is 4739" },
	{ .key = "ipfix-domain", .nval = 1, .kind = SETTING_U32, .off = S(ipfix_domain), .hi = UINT32_MAX,
	  .syntax = "N", .dflt = "0", .doc = "the IPFIX Observation Domain ID; give each PLAT its own" },
	{ .key = "ipfix-template-refresh", .nval = 1, .kind = SETTING_DURATION, .off = S(ipfix_refresh), .lo = 1,
	  .syntax = "T", .dflt = "60s", .doc = "the templates are sent with the first message and again every T" },
	{ .key = "ipfix-mtu", .nval = 1, .kind = SETTING_U32, .off = S(ipfix_mtu), .lo = 512, .hi = 65000,
	  .syntax = "N", .dflt = "1400", .doc = "the largest IPFIX message in bytes, IP and UDP headers not counted" },
	{ .key = "ipfix-events", .nval = 1, .kind = SETTING_CUSTOM, .set = set_ipfix_events, .format = format_ipfix_events,
	  .syntax = "LIST|all|none", .dflt = "all", .doc = "what is exported: comma list of bib, session, block, alarm" },
};
#undef S
#undef NAT
#undef X

const struct settings_table plat_settings_table = { plat_settings_list,
						    sizeof(plat_settings_list) / sizeof(plat_settings_list[0]), true };

int plat_settings_arity(const char *key, int *max) { return settings_arity(&plat_settings_table, key, max); }

int plat_settings_set(struct plat_settings *s, const char *key, const char *const *val, int nval, char *err,
		      size_t errlen)
{
	return settings_apply(&plat_settings_table, s, key, val, nval, err, errlen);
}

size_t plat_settings_format(const struct plat_settings *s, char *buf, size_t cap)
{
	return settings_format_buf(&plat_settings_table, s, buf, cap);
}

int plat_settings_parse_text(struct plat_settings *s, const char *text, size_t len, const char *name, char *err,
			     size_t errlen)
{
	/* '#' starts a comment only at the start of a word (the table says so): static entries use ADDR#PORT */
	return settings_parse_text(&plat_settings_table, s, text, len, name, err, errlen);
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

