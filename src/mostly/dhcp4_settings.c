/* The `xlat464 dhcp4` settings (dhcp4_settings.h). Pure: text in, struct out. */
#include "dhcp4_settings.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgtext.h"
#include "../common/settings_table.h"
#include "../common/value_parse.h"

static uint32_t be32(const uint8_t a[4])
{
	return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
}

static void put_be32(uint32_t v, uint8_t a[4])
{
	a[0] = (uint8_t)(v >> 24);
	a[1] = (uint8_t)(v >> 16);
	a[2] = (uint8_t)(v >> 8);
	a[3] = (uint8_t)v;
}

void dhcp4_settings_init(struct dhcp4_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->mode = DHCP4_MODE_V6ONLY;
	s->v6only_wait = DHCP4_V6ONLY_WAIT_DEFAULT;
	s->plen = 24;
	s->lease_time = DHCP4_LEASE_TIME_DEFAULT;
}

/* RFC 8925 section 3.4: at least MIN_V6ONLY_WAIT; section 3.1: 'none' sends 0 */
static int set_v6only_wait(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dhcp4_settings *s = arg;
	if (strcmp(val[0], "none") == 0) {
		s->v6only_wait = 0;
		return 0;
	}
	if (!value_uint(val[0], DHCP4_MIN_V6ONLY_WAIT, UINT32_MAX, &s->v6only_wait))
		return cfgtext_err(err, errlen, "'%.32s' is neither none nor a number of seconds from %u (RFC 8925 section 3.4)",
				   val[0], DHCP4_MIN_V6ONLY_WAIT);
	return 0;
}

static void format_v6only_wait(const void *arg, struct cfgtext_buf *b)
{
	const struct dhcp4_settings *s = arg;
	if (s->v6only_wait)
		cfgtext_add(b, "v6only-wait %u\n", s->v6only_wait);
	else
		cfgtext_add(b, "v6only-wait none\n");
}

static int set_pool(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dhcp4_settings *s = arg;
	const char *v = val[0], *dash = strchr(v, '-');
	char first[INET_ADDRSTRLEN], last[INET_ADDRSTRLEN];
	uint8_t fa[4], la[4];
	if (strcmp(v, "none") == 0) {
		s->pool_first = s->pool_last = 0;
		return 0;
	}
	if (!dash || (size_t)(dash - v) >= sizeof(first) || strlen(dash + 1) >= sizeof(last))
		return cfgtext_err(err, errlen, "'%.64s' is not FIRST-LAST, e.g. 192.0.2.100-192.0.2.199", v);
	snprintf(first, sizeof(first), "%.*s", (int)(dash - v), v);
	snprintf(last, sizeof(last), "%s", dash + 1);
	if (value_addr4(first, fa, err, errlen) < 0 || value_addr4(last, la, err, errlen) < 0)
		return -1;
	uint32_t f = be32(fa), l = be32(la);
	if (l < f || l - f >= DHCP4_POOL_MAX || f == 0)
		return cfgtext_err(err, errlen, "'%.64s': FIRST must not be above LAST, and at most %d addresses", v,
				   DHCP4_POOL_MAX);
	s->pool_first = f;
	s->pool_last = l;
	return 0;
}

static void format_pool(const void *arg, struct cfgtext_buf *b)
{
	const struct dhcp4_settings *s = arg;
	char a[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];
	uint8_t f[4], l[4];
	if (!s->pool_first) {
		cfgtext_add(b, "pool none\n");
		return;
	}
	put_be32(s->pool_first, f);
	put_be32(s->pool_last, l);
	cfgtext_add(b, "pool %s-%s\n", inet_ntop(AF_INET, f, a, sizeof(a)), inet_ntop(AF_INET, l, c, sizeof(c)));
}

static int add_addr(const char *v, uint8_t (*list)[4], unsigned *n, char *err, size_t errlen)
{
	if (*n >= DHCP4_MAX_ADDRS)
		return cfgtext_err(err, errlen, "'%.64s': at most %d addresses", v, DHCP4_MAX_ADDRS);
	if (value_addr4(v, list[*n], err, errlen) < 0)
		return -1;
	(*n)++;
	return 0;
}

static int set_router(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dhcp4_settings *s = arg;
	return add_addr(val[0], s->routers, &s->nrouters, err, errlen);
}

static int set_dns(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct dhcp4_settings *s = arg;
	return add_addr(val[0], s->dns, &s->ndns, err, errlen);
}

static void format_list(struct cfgtext_buf *b, const char *key, const uint8_t (*list)[4], unsigned n)
{
	char a[INET_ADDRSTRLEN];
	for (unsigned i = 0; i < n && i < DHCP4_MAX_ADDRS; i++)
		cfgtext_add(b, "%s %s\n", key, inet_ntop(AF_INET, list[i], a, sizeof(a)));
}

static void format_router(const void *arg, struct cfgtext_buf *b)
{
	const struct dhcp4_settings *s = arg;
	format_list(b, "router", (const uint8_t (*)[4])s->routers, s->nrouters);
}

static void format_dns(const void *arg, struct cfgtext_buf *b)
{
	const struct dhcp4_settings *s = arg;
	format_list(b, "dns", (const uint8_t (*)[4])s->dns, s->ndns);
}

static void clear_router(void *arg) { ((struct dhcp4_settings *)arg)->nrouters = 0; }
static void clear_dns(void *arg) { ((struct dhcp4_settings *)arg)->ndns = 0; }

static const char *const mode_names[] = { "v6only", "mostly", NULL };
_Static_assert(DHCP4_MODE_V6ONLY == 0 && DHCP4_MODE_MOSTLY == 1, "mode_names follows enum dhcp4_mode");

#define S(field) offsetof(struct dhcp4_settings, field)
/* The settings of `xlat464 dhcp4`, in the order --print-config writes them. */
static const struct setting dhcp4_settings_list[] = {
	{ .key = "interface", .nval = 1, .kind = SETTING_IFNAME, .off = S(ifname), .restart = true,
	  .syntax = "IF", .dflt = "none (required)", .doc = "the link to serve (UDP 67, SO_BINDTODEVICE); --iface is the same" },
	{ .key = "mode", .nval = 1, .kind = SETTING_ENUM, .off = S(mode), .names = mode_names, .restart = true,
	  .syntax = "v6only|mostly", .dflt = "v6only",
	  .doc = "v6only: only clients asking for option 108 get an answer; mostly: the others get an address from pool" },
	{ .key = "v6only-wait", .nval = 1, .kind = SETTING_CUSTOM, .set = set_v6only_wait, .format = format_v6only_wait,
	  .syntax = "SECONDS|none", .dflt = "1800",
	  .doc = "V6ONLY_WAIT in option 108, at least 300 (RFC 8925 section 3.4); none: the option carries 0 (section 3.1)" },
	{ .key = "server-id", .nval = 1, .kind = SETTING_ADDR4, .off = S(server_id), .off2 = S(has_server_id),
	  .syntax = "ADDR|none", .dflt = "none: the interface's first IPv4 address", .doc = "server identifier (option 54)" },
	{ .key = "pool", .nval = 1, .kind = SETTING_CUSTOM, .set = set_pool, .format = format_pool, .restart = true,
	  .size = 2 * sizeof(uint32_t), .off = S(pool_first), .syntax = "FIRST-LAST|none", .dflt = "none",
	  .doc = "mostly mode: the addresses to lease, inside one prefix-len subnet" },
	{ .key = "prefix-len", .nval = 1, .kind = SETTING_U32, .off = S(plen), .lo = 8, .hi = 30, .restart = true,
	  .syntax = "N", .dflt = "24", .doc = "mostly mode: the subnet of the pool (subnet mask, option 1)" },
	{ .key = "lease-time", .nval = 1, .kind = SETTING_U32, .off = S(lease_time), .lo = DHCP4_LEASE_TIME_MIN,
	  .hi = UINT32_MAX - 1, .syntax = "SECONDS", .dflt = "3600", .doc = "mostly mode: lease length, at least 60" },
	{ .key = "router", .nval = 1, .kind = SETTING_CUSTOM, .set = set_router, .format = format_router, .clear = clear_router,
	  .repeat = true, .syntax = "ADDR", .dflt = "none", .doc = "mostly mode: option 3, up to 4" },
	{ .key = "dns", .nval = 1, .kind = SETTING_CUSTOM, .set = set_dns, .format = format_dns, .clear = clear_dns,
	  .repeat = true, .syntax = "ADDR", .dflt = "none", .doc = "mostly mode: option 6, up to 4" },
	{ .key = "lease-file", .nval = 1, .kind = SETTING_PATH, .off = S(lease_file), .size = DHCP4_SET_PATH_MAX,
	  .restart = true, .syntax = "PATH", .dflt = "/var/lib/xlat464/dhcp4-IF.leases",
	  .doc = "mostly mode: the leases, kept across restarts" },
	{ .key = "clients-file", .nval = 1, .kind = SETTING_PATH, .off = S(clients_file), .size = DHCP4_SET_PATH_MAX,
	  .restart = true, .syntax = "PATH|none", .dflt = "/run/xlat464/dhcp4-IF.clients",
	  .doc = "the clients seen and whether each asked for option 108, for `xlat464 dns64` (docs/dns64.md); none: "
		 "not written; write errors count as lease file errors" },
	{ .key = "control", .nval = 1, .kind = SETTING_PATH, .off = S(control), .size = DHCP4_SET_CTL_MAX, .restart = true,
	  .syntax = "PATH", .dflt = "/run/xlat464/dhcp4-IF.sock", .doc = "control socket; `xlat464 status` reads it" },
	{ .key = "pidfile", .nval = 1, .kind = SETTING_PATH, .off = S(pidfile), .size = DHCP4_SET_PATH_MAX, .restart = true,
	  .syntax = "FILE", .dflt = "none", .doc = "write the process id to FILE" },
};
#undef S

const struct settings_table dhcp4_settings_table = { dhcp4_settings_list,
						     sizeof(dhcp4_settings_list) / sizeof(dhcp4_settings_list[0]), false };

int dhcp4_settings_finish(const struct dhcp4_settings *s, char *err, size_t errlen)
{
	if (!s->ifname[0])
		return cfgtext_err(err, errlen, "--interface IF is required");
	if (s->mode == DHCP4_MODE_V6ONLY) {
		if (s->pool_first || s->nrouters || s->ndns || s->lease_file[0])
			return cfgtext_err(err, errlen, "--pool, --router, --dns and --lease-file need --mode mostly");
		return 0;
	}
	if (!s->pool_first)
		return cfgtext_err(err, errlen, "--mode mostly needs --pool FIRST-LAST");
	uint32_t mask = 0xffffffffu << (32 - s->plen);
	char f[INET_ADDRSTRLEN], l[INET_ADDRSTRLEN];
	uint8_t a[4];
	put_be32(s->pool_first, a);
	inet_ntop(AF_INET, a, f, sizeof(f));
	put_be32(s->pool_last, a);
	inet_ntop(AF_INET, a, l, sizeof(l));
	if ((s->pool_first & mask) != (s->pool_last & mask) || (s->pool_first & ~mask) == 0 ||
	    (s->pool_last & ~mask) == ~mask)
		return cfgtext_err(err, errlen, "--pool %s-%s: must lie inside one /%u subnet, without its network and "
				   "broadcast addresses (--prefix-len)", f, l, s->plen);
	uint32_t sid = be32(s->server_id);
	if (s->has_server_id && sid >= s->pool_first && sid <= s->pool_last)
		return cfgtext_err(err, errlen, "--server-id %u.%u.%u.%u: inside --pool %s-%s", s->server_id[0],
				   s->server_id[1], s->server_id[2], s->server_id[3], f, l);
	return 0;
}

void dhcp4_settings_server_cfg(const struct dhcp4_settings *s, struct dhcp4_server_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->mode = (enum dhcp4_mode)s->mode;
	if (s->has_server_id)
		memcpy(c->server_id, s->server_id, 4);
	c->v6only_wait = s->v6only_wait;
	c->pool_first = s->pool_first;
	c->pool_last = s->pool_last;
	c->plen = s->plen;
	c->lease_time = s->lease_time;
	c->nrouters = s->nrouters;
	c->ndns = s->ndns;
	memcpy(c->routers, s->routers, sizeof(c->routers));
	memcpy(c->dns, s->dns, sizeof(c->dns));
}

size_t dhcp4_settings_format(const struct dhcp4_settings *s, char *buf, size_t cap)
{
	return settings_format_buf(&dhcp4_settings_table, s, buf, cap);
}
