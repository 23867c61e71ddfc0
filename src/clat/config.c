/* The CLAT settings (config.h). Pure: text in, struct out; the only helpers it calls are string
 * functions. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgtext.h"
#include "../common/settings_table.h"
#include "../common/value_parse.h"
#include "sys/ctl.h" /* SYS_CTL_DIR, the default control socket's folder */

void clat_config_init(struct clat_config *c)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->tun, CLAT_CONFIG_DEFAULT_TUN, sizeof(CLAT_CONFIG_DEFAULT_TUN));
	memcpy(c->resolv_conf, CLAT_CONFIG_RESOLV_CONF, sizeof(CLAT_CONFIG_RESOLV_CONF));
	c->fast_path = true;
	c->workers = 1;
}

int clat_config_check_pref64(const char *text, uint8_t addr[16], uint8_t *len, char *err, size_t errlen)
{
	struct xlat_prefix6 p;
	if (value_nat64_prefix(text, &p, err, errlen) < 0)
		return -1;
	memcpy(addr, p.addr, 16);
	*len = p.len;
	return 0;
}

static int set_pref64(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct clat_config *c = arg;
	const char *v = val[0];
	if (strcmp(v, "none") == 0) {
		c->pref64[0] = '\0';
		memset(c->pref64_addr, 0, 16);
		c->pref64_len = 0;
		return 0;
	}
	if (strlen(v) >= sizeof(c->pref64))
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 prefix (ADDR/LEN)", v);
	if (clat_config_check_pref64(v, c->pref64_addr, &c->pref64_len, err, errlen) < 0)
		return -1;
	memcpy(c->pref64, v, strlen(v) + 1);
	return 0;
}

static void format_pref64(const void *arg, struct cfgtext_buf *b)
{
	const struct clat_config *c = arg;
	cfgtext_add(b, "pref64 %s\n", c->pref64[0] ? c->pref64 : "none");
}

static int set_tether(void *arg, const char *const *val, int nval, char *err, size_t errlen)
{
	struct clat_config *c = arg;
	const char *v = val[0];
	char name[CLAT_CONFIG_NAME_MAX];
	if (strcmp(v, "none") == 0) {
		memset(c->tether, 0, sizeof(c->tether));
		c->ntether = 0;
		return 0;
	}
	if (cfgtext_ifname(v, name, sizeof(name), err, errlen) < 0)
		return -1;
	if (strpbrk(v, "\"\\")) /* the name goes inside quotes in the nftables ruleset */
		return cfgtext_err(err, errlen, "'%s': an interface name to tether has no '\"' or '\\'", v);
	if (c->ntether >= CLAT_CONFIG_TETHER_MAX)
		return cfgtext_err(err, errlen, "'%s': too many (at most %d interfaces)", v, CLAT_CONFIG_TETHER_MAX);
	for (unsigned i = 0; i < c->ntether; i++)
		if (strcmp(c->tether[i], v) == 0)
			return cfgtext_err(err, errlen, "'%s' given twice", v);
	memcpy(c->tether[c->ntether++], name, sizeof(name));
	return 0;
}

static void clear_tether(void *arg)
{
	struct clat_config *c = arg;
	memset(c->tether, 0, sizeof(c->tether));
	c->ntether = 0;
}

static void format_tether(const void *arg, struct cfgtext_buf *b)
{
	const struct clat_config *c = arg;
	if (!c->ntether)
		cfgtext_add(b, "tether none\n");
	for (unsigned i = 0; i < c->ntether && i < CLAT_CONFIG_TETHER_MAX; i++)
		cfgtext_add(b, "tether %.16s\n", c->tether[i]);
}

static void format_uplink(const void *arg, struct cfgtext_buf *b)
{
	const struct clat_config *c = arg;
	if (c->uplink[0])
		cfgtext_add(b, "uplink %.16s\n", c->uplink);
	else
		cfgtext_add(b, "# uplink (none given: the link of the IPv6 default route, followed)\n");
}

static void format_control(const void *arg, struct cfgtext_buf *b)
{
	const struct clat_config *c = arg;
	if (c->control[0])
		cfgtext_add(b, "control %.108s\n", c->control);
	else
		cfgtext_add(b, "control %s/clat-%.16s.sock\n", SYS_CTL_DIR, c->tun);
}

static void format_pidfile(const void *arg, struct cfgtext_buf *b)
{
	const struct clat_config *c = arg;
	if (c->pidfile[0])
		cfgtext_add(b, "pidfile %.256s\n", c->pidfile);
	else
		cfgtext_add(b, "# pidfile (none)\n");
}

#define C(field) offsetof(struct clat_config, field)
/* The settings of `xlat464 clat`, in the order --print-config writes them. A boolean takes yes or no,
 * or nothing (yes): `--force`, a line `force`. */
static const struct setting clat_settings_list[] = {
	{ .key = "uplink", .nval = 1, .kind = SETTING_IFNAME, .off = C(uplink), .format = format_uplink,
	  .syntax = "IF", .dflt = "the link of the IPv6 default route, followed as it moves", .doc = "the IPv6 uplink" },
	{ .key = "pref64", .nval = 1, .kind = SETTING_CUSTOM, .set = set_pref64, .format = format_pref64,
	  .syntax = "PREFIX|none", .dflt = "none",
	  .doc = "a static PLAT prefix (RFC 6052 length 32, 40, 48, 56, 64 or 96), used when neither a PREF64 in "
		 "Router Advertisements (RFC 8781) nor DNS64 (RFC 7050) gives one" },
	{ .key = "tun", .nval = 1, .kind = SETTING_IFNAME, .off = C(tun), .restart = true,
	  .syntax = "NAME", .dflt = "clat", .doc = "the IPv4 side, a TUN device" },
	{ .key = "no-dns64", .nval = 0, .nval_max = 1, .kind = SETTING_BOOL, .off = C(no_dns64),
	  .syntax = "[yes|no]", .dflt = "no", .doc = "do not ask DNS64 for ipv4only.arpa (RFC 7050)" },
	{ .key = "resolv-conf", .nval = 1, .kind = SETTING_PATH, .off = C(resolv_conf), .size = CLAT_CONFIG_PATH_MAX,
	  .syntax = "FILE", .dflt = "/etc/resolv.conf", .doc = "the resolvers DNS64 is asked through" },
	{ .key = "force", .nval = 0, .nval_max = 1, .kind = SETTING_BOOL, .off = C(force),
	  .syntax = "[yes|no]", .dflt = "no", .doc = "run even when the host has a native IPv4 default route (or no IPv6 one)" },
	{ .key = "control", .nval = 1, .kind = SETTING_PATH, .format = format_control, .off = C(control), .size = CLAT_CONFIG_CTL_MAX, .restart = true, .syntax = "PATH",
	  .dflt = "/run/xlat464/clat-TUN.sock", .doc = "control socket; `xlat464 status` reads it" },
	{ .key = "pidfile", .nval = 1, .kind = SETTING_PATH, .format = format_pidfile, .off = C(pidfile), .size = CLAT_CONFIG_PATH_MAX, .restart = true, .syntax = "FILE", .dflt = "none",
	  .doc = "write the process id to FILE" },
	{ .key = "debug", .nval = 0, .nval_max = 1, .kind = SETTING_BOOL, .off = C(debug),
	  .syntax = "[yes|no]", .dflt = "no", .doc = "log at debug level (-d is the same)" },
	{ .key = "shared", .nval = 0, .nval_max = 1, .kind = SETTING_BOOL, .off = C(shared), .restart = true,
	  .syntax = "[yes|no]", .dflt = "no (only when the uplink has no /64)",
	  .doc = "use the uplink's own IPv6 address, sharing it by port, even when it has a /64" },
	{ .key = "tether", .nval = 1, .kind = SETTING_CUSTOM, .set = set_tether, .format = format_tether,
	  .clear = clear_tether, .off = C(tether), .size = C(ntether) + sizeof(unsigned) - C(tether), .restart = true,
	  .repeat = true, .syntax = "IF|none", .dflt = "none",
	  .doc = "IPv4 clients behind IF reach IPv4 through the CLAT: NAT44 onto 192.0.0.1 (up to 8)" },
	{ .key = "fast-path", .nval = 1, .kind = SETTING_BOOL, .off = C(fast_path), .restart = true,
	  .syntax = "yes|no", .dflt = "yes",
	  .doc = "translate in the kernel (eBPF) where it can; no: in this process only (--no-fast-path is the same)" },
	{ .key = "workers", .nval = 1, .kind = SETTING_U32, .off = C(workers), .lo = 1, .hi = CLAT_CONFIG_WORKERS_MAX,
	  .restart = true, .syntax = "N", .dflt = "1",
	  .doc = "threads translating in this process, each reading a queue of a multi-queue TUN (IPv4 to IPv6) and a packet socket on the uplink (IPv6 to IPv4)" },
	{ .key = "worker-cpus", .nval = 1, .kind = SETTING_CPUS, .off = C(worker_cpus), .restart = true,
	  .syntax = "LIST|none", .dflt = "none", .doc = WORKER_CPUS_DOC },
};
#undef C

const struct settings_table clat_settings_table = { clat_settings_list,
						    sizeof(clat_settings_list) / sizeof(clat_settings_list[0]), false };

int clat_config_parse(struct clat_config *c, const char *text, size_t len, const char *name, char *err,
		      size_t errlen)
{
	if (len > CLAT_CONFIG_FILE_MAX)
		return cfgtext_err(err, errlen, "%s: larger than %u bytes", name, CLAT_CONFIG_FILE_MAX);
	return settings_parse_text(&clat_settings_table, c, text, len, name, err, errlen);
}

size_t clat_config_format(const struct clat_config *c, char *buf, size_t cap)
{
	return settings_format_buf(&clat_settings_table, c, buf, cap);
}
