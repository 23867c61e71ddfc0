/* The settings of `xlat464 dns64`, described once (dns64_settings.h). */
#include "dns64_settings.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/settings_table.h"
#include "common/cfgtext.h"

void dns64_settings_init(struct dns64_settings *s)
{
	memset(s, 0, sizeof(*s));
	static const uint8_t wkp[16] = { 0x00, 0x64, 0xff, 0x9b };
	memcpy(s->prefix.addr, wkp, 16);
	s->prefix.len = 96;
	s->unknown = DNS64_UNKNOWN_SYNTHESIZE;
	s->upstream_timeout_ms = 2000;
	s->max_pending = 512;
	s->max_tcp = 32;
	s->tcp_timeout = 10;
}

/* "ADDR" or "[ADDR]" (IPv6) or an IPv4 address. */
static bool parse_addr(const char *v, struct dns64_sockaddr *a)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t n = strlen(v);
	if (n >= sizeof(buf))
		return false;
	if (n > 2 && v[0] == '[' && v[n - 1] == ']') {
		memcpy(buf, v + 1, n - 2);
		buf[n - 2] = '\0';
	} else {
		memcpy(buf, v, n + 1);
	}
	memset(a->addr, 0, sizeof(a->addr));
	if (inet_pton(AF_INET6, buf, a->addr) == 1) {
		a->v6 = true;
		return true;
	}
	a->v6 = false;
	return inet_pton(AF_INET, buf, a->addr) == 1;
}

static int parse_sockaddr(const char *const *val, int nval, struct dns64_sockaddr *a, char *err, size_t errlen)
{
	uint32_t port = 53;
	if (!parse_addr(val[0], a))
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 or IPv4 address", val[0]);
	if (nval > 1 && (!settings_parse_u32(val[1], 65535, &port) || port == 0))
		return cfgtext_err(err, errlen, "port '%.16s' is not from 1 to 65535", val[1]);
	a->port = (uint16_t)port;
	return 0;
}

static void format_sockaddr(struct cfgtext_buf *b, const char *key, const struct dns64_sockaddr *a)
{
	char t[INET6_ADDRSTRLEN];
	inet_ntop(a->v6 ? AF_INET6 : AF_INET, a->addr, t, sizeof(t));
	cfgtext_add(b, "%s %s %u\n", key, t, a->port);
}

static int set_listen(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dns64_settings *s = arg;
	if (s->nlisten >= DNS64_LISTEN_MAX)
		return cfgtext_err(err, errlen, "at most %d listen addresses", DNS64_LISTEN_MAX);
	if (parse_sockaddr(val, nval, &s->listen[s->nlisten], err, errlen) < 0)
		return -1;
	s->nlisten++;
	return 0;
}

static void format_listen(const void *arg, struct cfgtext_buf *b)
{
	const struct dns64_settings *s = arg;
	if (!s->nlisten)
		cfgtext_add(b, "listen :: 53\n");
	for (unsigned i = 0; i < s->nlisten; i++)
		format_sockaddr(b, "listen", &s->listen[i]);
}

static int set_upstream(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dns64_settings *s = arg;
	if (parse_sockaddr(val, nval, &s->upstream, err, errlen) < 0)
		return -1;
	s->upstream_set = true;
	return 0;
}

static void format_upstream(const void *arg, struct cfgtext_buf *b)
{
	const struct dns64_settings *s = arg;
	if (s->upstream_set)
		format_sockaddr(b, "upstream", &s->upstream);
	else
		cfgtext_add(b, "# upstream not set\n");
}

static bool parse_prefix(const char *v, struct xlat_prefix6 *p)
{
	char a[INET6_ADDRSTRLEN];
	const char *slash = strchr(v, '/');
	uint32_t len;
	if (!slash || (size_t)(slash - v) >= sizeof(a) || !settings_parse_u32(slash + 1, 128, &len))
		return false;
	memcpy(a, v, (size_t)(slash - v));
	a[slash - v] = '\0';
	if (inet_pton(AF_INET6, a, p->addr) != 1)
		return false;
	p->len = (uint8_t)len;
	for (unsigned bit = len; bit < 128; bit++)
		if (p->addr[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

static void format_prefix(struct cfgtext_buf *b, const char *key, const struct xlat_prefix6 *p)
{
	char t[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, p->addr, t, sizeof(t));
	cfgtext_add(b, "%s %s/%u\n", key, t, p->len);
}

static int set_prefix(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dns64_settings *s = arg;
	struct xlat_prefix6 p;
	if (!parse_prefix(val[0], &p))
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 prefix ADDR/LEN with zero host bits", val[0]);
	if (!xlat_rfc6052_len_ok(p.len))
		return cfgtext_err(err, errlen, "length %u is not an RFC 6052 length (32, 40, 48, 56, 64, 96)", p.len);
	if (p.len > 64 && p.addr[8] != 0)
		return cfgtext_err(err, errlen, "bits 64 to 71 (the u-octet) must be zero (RFC 6052 section 2.2)");
	s->prefix = p;
	return 0;
}

static void format_prefix_setting(const void *arg, struct cfgtext_buf *b)
{
	format_prefix(b, "prefix", &((const struct dns64_settings *)arg)->prefix);
}

static int set_exclude(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dns64_settings *s = arg;
	if (s->exclude.n >= DNS64_EXCLUDE_MAX)
		return cfgtext_err(err, errlen, "at most %d excluded ranges", DNS64_EXCLUDE_MAX);
	if (!parse_prefix(val[0], &s->exclude.p[s->exclude.n]))
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 prefix ADDR/LEN with zero host bits", val[0]);
	s->exclude.n++;
	return 0;
}

static void format_exclude(const void *arg, struct cfgtext_buf *b)
{
	const struct dns64_settings *s = arg;
	for (unsigned i = 0; i < s->exclude.n; i++)
		format_prefix(b, "exclude", &s->exclude.p[i]);
}

static int set_path(char *dst, size_t cap, const char *v, char *err, size_t errlen)
{
	if (strlen(v) >= cap)
		return cfgtext_err(err, errlen, "longer than %zu bytes", cap - 1);
	snprintf(dst, cap, "%s", v);
	return 0;
}

static int set_clients_file(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dns64_settings *s = arg;
	return set_path(s->clients_file, sizeof(s->clients_file), val[0], err, errlen);
}

static void format_clients_file(const void *arg, struct cfgtext_buf *b)
{
	const struct dns64_settings *s = arg;
	if (s->clients_file[0])
		cfgtext_add(b, "clients-file %s\n", s->clients_file);
}

static int set_control(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dns64_settings *s = arg;
	return set_path(s->control, sizeof(s->control), val[0], err, errlen);
}

static void format_control(const void *arg, struct cfgtext_buf *b)
{
	const struct dns64_settings *s = arg;
	if (s->control[0])
		cfgtext_add(b, "control %s\n", s->control);
}

static const char *const unknown_names[] = { "synthesize", "pass", NULL };

/* --listen and --exclude flags replace the file's lines (settings_apply_words) */
static void clear_listen(void *arg) { ((struct dns64_settings *)arg)->nlisten = 0; }
static void clear_exclude(void *arg) { ((struct dns64_settings *)arg)->exclude.n = 0; }

#define S(f) offsetof(struct dns64_settings, f)
static const struct setting dns64_settings_list[] = {
	{ .key = "upstream", .nval = 1, .nval_max = 2, .kind = SETTING_CUSTOM, .set = set_upstream,
	  .format = format_upstream, .syntax = "ADDR [PORT]", .dflt = "required",
	  .doc = "the recursive resolver every query goes to (IPv6 or IPv4; port 53 unless given)" },
	{ .key = "listen", .nval = 1, .nval_max = 2, .kind = SETTING_CUSTOM, .set = set_listen, .format = format_listen,
	  .clear = clear_listen, .repeat = true, .restart = true, .syntax = "ADDR [PORT]", .dflt = ":: 53",
	  .doc = "where clients' queries arrive, UDP and TCP (up to 4; :: takes IPv4 too)" },
	{ .key = "prefix", .nval = 1, .kind = SETTING_CUSTOM, .set = set_prefix, .format = format_prefix_setting,
	  .syntax = "PREFIX", .dflt = "64:ff9b::/96",
	  .doc = "the PLAT's prefix: synthesized AAAA records embed the A record's address in it (RFC 6052 section 2.2)" },
	{ .key = "exclude", .nval = 1, .kind = SETTING_CUSTOM, .set = set_exclude, .format = format_exclude, .repeat = true,
	  .clear = clear_exclude,
	  .syntax = "PREFIX", .dflt = "none (::ffff:0:0/96 always)",
	  .doc = "a real AAAA record in this range counts as absent (RFC 6147 section 5.1.4); up to 16" },
	{ .key = "interface", .nval = 1, .kind = SETTING_IFNAME, .off = S(interface), .restart = true,
	  .syntax = "IFNAME", .dflt = "every link",
	  .doc = "the clients' link: whose neighbour table maps a query's IPv6 source to a hardware address" },
	{ .key = "clients-file", .nval = 1, .kind = SETTING_CUSTOM, .set = set_clients_file,
	  .format = format_clients_file, .restart = true, .syntax = "PATH|none",
	  .dflt = "/run/xlat464/dhcp4-IF.clients",
	  .doc = "xlat464 dhcp4's record of which hardware addresses asked for option 108, followed with inotify; none: "
		 "every client is unknown" },
	{ .key = "unknown-clients", .nval = 1, .kind = SETTING_ENUM, .off = S(unknown), .names = unknown_names,
	  .syntax = "synthesize|pass", .dflt = "synthesize",
	  .doc = "what a client gets when it cannot be placed (no neighbour entry, or a hardware address dhcp4 never saw)" },
	{ .key = "upstream-timeout-ms", .nval = 1, .kind = SETTING_U32, .off = S(upstream_timeout_ms), .lo = 100,
	  .hi = 60000, .syntax = "N", .dflt = "2000",
	  .doc = "how long a query waits for the upstream resolver before the client gets SERVFAIL" },
	{ .key = "max-pending", .nval = 1, .kind = SETTING_U32, .off = S(max_pending), .lo = 1, .hi = 16384,
	  .restart = true, .syntax = "N", .dflt = "512", .doc = "queries waiting for the upstream resolver at once" },
	{ .key = "max-tcp", .nval = 1, .kind = SETTING_U32, .off = S(max_tcp), .lo = 1, .hi = 48, .restart = true,
	  .syntax = "N", .dflt = "32", .doc = "TCP client connections open at once (RFC 7766)" },
	{ .key = "tcp-timeout", .nval = 1, .kind = SETTING_DURATION, .off = S(tcp_timeout), .lo = 1, .syntax = "T",
	  .dflt = "10s", .doc = "a TCP client connection idle this long is closed (RFC 7766 section 6.2.3)" },
	{ .key = "control", .nval = 1, .kind = SETTING_CUSTOM, .set = set_control, .format = format_control,
	  .restart = true, .syntax = "PATH", .dflt = "/run/xlat464/dns64.sock",
	  .doc = "the control socket: its JSON status (counters) for xlat464 status" },
};
#undef S

const struct settings_table dns64_settings_table = { dns64_settings_list,
						     sizeof(dns64_settings_list) / sizeof(dns64_settings_list[0]), false };

int dns64_settings_arity(const char *key, int *max) { return settings_arity(&dns64_settings_table, key, max); }

int dns64_settings_set(struct dns64_settings *s, const char *key, const char *const *val, int nval, char *err,
		       size_t errlen)
{
	return settings_apply(&dns64_settings_table, s, key, val, nval, err, errlen);
}

int dns64_settings_parse_text(struct dns64_settings *s, const char *text, size_t len, const char *name, char *err,
			      size_t errlen)
{
	return settings_parse_text(&dns64_settings_table, s, text, len, name, err, errlen);
}

int dns64_settings_finish(struct dns64_settings *s, char *err, size_t errlen)
{
	if (!s->upstream_set)
		return cfgtext_err(err, errlen, "no upstream resolver (--upstream ADDR [PORT])");
	return 0;
}

size_t dns64_settings_format(const struct dns64_settings *s, char *buf, size_t cap)
{
	struct cfgtext_buf b = { buf, cap, 0 };
	if (cap)
		buf[0] = '\0';
	settings_format(&dns64_settings_table, s, &b);
	return b.len;
}
