/* The SIIT settings parser. Pure: text in, struct out, no system calls (inet_pton/inet_ntop are
 * string functions), so fuzz/fuzz_settings.c can run it on anything. */
#include "siit_settings.h"

#include <arpa/inet.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgtext.h"
#include "settings_table.h"
#include "value_parse.h"


void siit_settings_init(struct siit_settings *s)
{
	memset(s, 0, sizeof(*s));
	xlat_config_init(&s->cfg);
	xlat_siit_map_set_wkp_global_only(&s->map, true); /* RFC 6052 section 3.1 */
	s->cfg.reasm_max = 0; /* RFC 7915 section 4.5 as written unless asked: no reassembly */
	s->workers = 1;
	siit_settings_bind(s);
}

void siit_settings_bind(struct siit_settings *s) { s->cfg.policy = xlat_siit_policy(&s->map); }

bool siit_parse_prefix4(const char *s, struct xlat_prefix4 *p) { return value_prefix4(s, p); }
bool siit_parse_prefix6(const char *s, struct xlat_prefix6 *p) { return value_prefix6(s, p); }

static int set_pool6(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct siit_settings *s = arg;
	struct xlat_prefix6 p;
	if (strcmp(val[0], "none") == 0) {
		xlat_siit_map_set_pool6(&s->map, NULL);
		return 0;
	}
	if (value_nat64_prefix(val[0], &p, err, errlen) < 0)
		return -1;
	xlat_siit_map_set_pool6(&s->map, &p);
	return 0;
}

static int set_eam(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct siit_settings *s = arg;
	const char *v4s = val[0], *v6s = val[1];
	struct xlat_prefix4 v4;
	struct xlat_prefix6 v6;
	const char *why = NULL;

	if (!siit_parse_prefix4(v4s, &v4))
		return cfgtext_err(err, errlen, "'%s' is not an IPv4 prefix (ADDR[/LEN])", v4s);
	if (!siit_parse_prefix6(v6s, &v6))
		return cfgtext_err(err, errlen, "'%s' is not an IPv6 prefix (ADDR[/LEN])", v6s);
	if (!value_host_bits_zero(v4.addr, 4, v4.len))
		return cfgtext_err(err, errlen, "'%s' has bits set beyond its length /%u", v4s, v4.len);
	if (!value_host_bits_zero(v6.addr, 16, v6.len))
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

/* RFC 6052 section 3.1: the well-known prefix with non-global IPv4 addresses (a lab's choice) */
static int set_wkp(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct siit_settings *s = arg;
	bool allow;
	if (cfgtext_bool(val[0], &allow, err, errlen) < 0)
		return -1;
	xlat_siit_map_set_wkp_global_only(&s->map, !allow);
	return 0;
}

/* RFC 7915 section 5.1: the option to ignore the traffic class */
static int set_tos(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct siit_settings *s = arg;
	return cfgtext_tos(val[0], &s->cfg.set_tos, &s->cfg.tos, err, errlen);
}

static const char *ntop4(const uint8_t a[4], char *buf) { return inet_ntop(AF_INET, a, buf, INET_ADDRSTRLEN); }
static const char *ntop6(const uint8_t a[16], char *buf) { return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN); }

static void format_pool6(const void *arg, struct cfgtext_buf *b)
{
	const struct siit_settings *s = arg;
	char a[INET6_ADDRSTRLEN];
	if (s->map.has_pool6)
		cfgtext_add(b, "pool6 %s/%u\n", ntop6(s->map.pool6.addr, a), s->map.pool6.len);
	else
		cfgtext_add(b, "pool6 none\n");
}

static void format_eam(const void *arg, struct cfgtext_buf *b)
{
	const struct siit_settings *s = arg;
	char a[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];
	for (unsigned i = 0; i < s->map.neam && i < XLAT_EAM_MAX; i++) {
		const struct xlat_eam *e = &s->map.eam[i];
		cfgtext_add(b, "eam %s/%u %s/%u\n", ntop4(e->v4.addr, a), e->v4.len, ntop6(e->v6.addr, a2), e->v6.len);
	}
}

static void format_wkp(const void *arg, struct cfgtext_buf *b)
{
	const struct siit_settings *s = arg;
	cfgtext_add(b, "allow-wkp-non-global %s\n", s->map.wkp_global_only ? "no" : "yes");
}

static void format_tos(const void *arg, struct cfgtext_buf *b)
{
	const struct siit_settings *s = arg;
	if (s->cfg.set_tos)
		cfgtext_add(b, "tos %u\n", s->cfg.tos);
	else
		cfgtext_add(b, "tos copy\n");
}

#define CFG(field) offsetof(struct siit_settings, cfg.field)
/* The settings of `xlat464 siit` and `xlat464 translate`, in the order --print-config writes them. */
static const struct setting siit_settings_list[] = {
	{ .key = "tun", .nval = 1, .kind = SETTING_IFNAME, .off = offsetof(struct siit_settings, tun), .restart = true,
	  .syntax = "NAME", .dflt = "none (required for the daemon)", .doc = "the TUN carrying both families (created if missing)" },
	{ .key = "pool6", .nval = 1, .kind = SETTING_CUSTOM, .set = set_pool6, .format = format_pool6,
	  .syntax = "PREFIX|none", .dflt = "none", .doc = "RFC 6052 prefix, length 32, 40, 48, 56, 64 or 96" },
	{ .key = "eam", .nval = 2, .kind = SETTING_CUSTOM, .set = set_eam, .format = format_eam, .repeat = true,
	  .syntax = "V4PREFIX V6PREFIX", .dflt = "none",
	  .doc = "RFC 7757 explicit address mapping; takes precedence over pool6" },
	{ .key = "rfc6791v4", .nval = 1, .kind = SETTING_ADDR4, .off = CFG(rfc6791v4), .off2 = CFG(has_rfc6791v4),
	  .syntax = "ADDR|none", .dflt = "self4", .doc = "source of translated ICMPv6 errors from routers that have no mapping (RFC 6791)" },
	{ .key = "rfc6791v6", .nval = 1, .kind = SETTING_ADDR6, .off = CFG(rfc6791v6), .off2 = CFG(has_rfc6791v6),
	  .syntax = "ADDR|none", .dflt = "self6", .doc = "source of translated ICMPv4 errors from routers that have no mapping (RFC 6791)" },
	{ .key = "self4", .nval = 1, .kind = SETTING_ADDR4, .off = CFG(self4), .off2 = CFG(has_self4),
	  .syntax = "ADDR|none", .dflt = "none: no such errors", .doc = "source of the ICMPv4 errors the translator sends itself" },
	{ .key = "self6", .nval = 1, .kind = SETTING_ADDR6, .off = CFG(self6), .off2 = CFG(has_self6),
	  .syntax = "ADDR|none", .dflt = "none: no such errors", .doc = "source of the ICMPv6 errors the translator sends itself" },
	{ .key = "lowest-ipv6-mtu", .nval = 1, .kind = SETTING_U32, .off = CFG(lowest_ipv6_mtu), .lo = 1280, .hi = 65535,
	  .syntax = "N", .dflt = "1280", .doc = "IPv4 packets without DF are fragmented to this (RFC 7915 section 4.1)" },
	{ .key = "mtu4", .nval = 1, .kind = SETTING_U32, .off = CFG(mtu4), .lo = 68, .hi = 65535,
	  .syntax = "N", .dflt = "1500", .doc = "next-hop MTU on the IPv4 side" },
	{ .key = "mtu6", .nval = 1, .kind = SETTING_U32, .off = CFG(mtu6), .lo = 1280, .hi = 65535,
	  .syntax = "N", .dflt = "1500", .doc = "next-hop MTU on the IPv6 side" },
	{ .key = "amend-udp-checksum-zero", .nval = 1, .kind = SETTING_BOOL, .off = CFG(amend_udp_zero_csum),
	  .syntax = "yes|no", .dflt = "no", .doc = "compute a checksum for IPv4 UDP with checksum zero instead of dropping it (RFC 7915 section 4.5)" },
	{ .key = "reassembly-max", .nval = 1, .kind = SETTING_U32, .off = CFG(reasm_max), .lo = 0, .hi = 1024, .restart = true,
	  .syntax = "N", .dflt = "0", .doc = "with amend-udp-checksum-zero: zero-checksum UDP datagrams reassembled at once to compute their checksum; 0 refuses their fragments" },
	{ .key = "reassembly-timeout-ms", .nval = 1, .kind = SETTING_U32, .off = CFG(reasm_timeout_ms), .lo = 100, .hi = 60000,
	  .syntax = "N", .dflt = "5000", .doc = "how long their fragments wait for the rest" },
	{ .key = "zero-traffic-class", .nval = 1, .kind = SETTING_BOOL, .off = CFG(zero_tclass),
	  .syntax = "yes|no", .dflt = "no (copy)", .doc = "traffic class 0 instead of the IPv4 TOS, outer and quoted headers (RFC 7915 section 4.1)" },
	{ .key = "tos", .nval = 1, .kind = SETTING_CUSTOM, .set = set_tos, .format = format_tos,
	  .syntax = "copy|N", .dflt = "copy", .doc = "every IPv4 packet gets TOS N (0-255) instead of the traffic class (RFC 7915 section 5.1)" },
	{ .key = "allow-wkp-non-global", .nval = 1, .kind = SETTING_CUSTOM, .set = set_wkp, .format = format_wkp,
	  .syntax = "yes|no", .dflt = "no", .doc = "with pool6 64:ff9b::/96, yes translates non-global IPv4 addresses too (RFC 6052 section 3.1 refuses them: wkp-non-global)" },
	{ .key = "router", .nval = 1, .kind = SETTING_BOOL, .off = CFG(decrement_ttl),
	  .syntax = "yes|no", .dflt = "yes", .doc = "decrement the TTL and hop limit as a router does" },
	{ .key = "workers", .nval = 1, .kind = SETTING_U32, .off = offsetof(struct siit_settings, workers), .lo = 1, .hi = 16,
	  .restart = true, .syntax = "N", .dflt = "1",
	  .doc = "threads translating, each reading one queue of a multi-queue TUN (the kernel spreads flows over them)" },
	{ .key = "worker-cpus", .nval = 1, .kind = SETTING_CPUS, .off = offsetof(struct siit_settings, worker_cpus),
	  .restart = true, .syntax = "LIST|none", .dflt = "none", .doc = WORKER_CPUS_DOC },
	{ .key = "offload", .nval = 1, .kind = SETTING_BOOL, .off = offsetof(struct siit_settings, offload), .restart = true,
	  .syntax = "yes|no", .dflt = "no",
	  .doc = "checksum and TCP segmentation offload through the TUN: TCP super-packets of up to 64 KiB translated whole (lib/xlat/offload.h)" },
};
#undef CFG

const struct settings_table siit_settings_table = { siit_settings_list,
						    sizeof(siit_settings_list) / sizeof(siit_settings_list[0]), false };

int siit_settings_arity(const char *key)
{
	const struct setting *e = settings_find(&siit_settings_table, key);
	return e ? (int)e->nval : -1;
}

int siit_settings_set(struct siit_settings *s, const char *key, const char *const *val, int nval, char *err,
		      size_t errlen)
{
	return settings_apply(&siit_settings_table, s, key, val, nval, err, errlen);
}

int siit_settings_parse_text(struct siit_settings *s, const char *text, size_t len, const char *name, char *err,
			     size_t errlen)
{
	return settings_parse_text(&siit_settings_table, s, text, len, name, err, errlen);
}

int siit_settings_validate(const struct siit_settings *s, bool need_tun, char *err, size_t errlen)
{
	if (need_tun && s->tun[0] == '\0')
		return cfgtext_err(err, errlen, "no TUN device given (--tun NAME, or a 'tun NAME' line)");
	if (!s->map.has_pool6 && s->map.neam == 0)
		return cfgtext_err(err, errlen, "nothing to translate with: give a pool6 prefix or at least one eam");
	return 0;
}

size_t siit_settings_format(const struct siit_settings *s, char *buf, size_t cap)
{
	return settings_format_buf(&siit_settings_table, s, buf, cap);
}
