/* The CLAT configuration file parser (config.h). Pure: text in, struct out; the only helpers it calls
 * are string functions (siit_parse_prefix6 is inet_pton). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "common/cfgtext.h"
#include "../common/siit_settings.h"
#include "xlat/xlat.h"

#define CFG_WORDS_MAX 4

void clat_config_init(struct clat_config *c) { memset(c, 0, sizeof(*c)); }

const char *clat_config_check_pref64(const char *text, uint8_t addr[16], uint8_t *len)
{
	struct xlat_prefix6 p;
	if (!siit_parse_prefix6(text, &p))
		return "not an IPv6 prefix (ADDR/LEN)";
	if (!xlat_rfc6052_len_ok(p.len))
		return "not an RFC 6052 prefix length (32, 40, 48, 56, 64, 96)";
	for (unsigned bit = p.len; bit < 128; bit++)
		if (p.addr[bit / 8] & (0x80 >> (bit % 8)))
			return "bits set beyond the prefix length";
	if (p.len > 64 && p.addr[8] != 0)
		return "bits 64 to 71 (the u-octet) must be zero (RFC 6052 section 2.2)";
	memcpy(addr, p.addr, 16);
	*len = p.len;
	return NULL;
}

/* Linux's dev_valid_name(): 1 to 15 bytes, not "." or "..", no '/', ':' or white space. */
static const char *check_ifname(const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= CLAT_CONFIG_NAME_MAX)
		return "an interface name is 1 to 15 characters";
	if (strcmp(v, ".") == 0 || strcmp(v, "..") == 0)
		return "not a valid interface name";
	for (size_t i = 0; i < n; i++)
		if (v[i] == '/' || v[i] == ':' || (unsigned char)v[i] <= ' ' || v[i] == 0x7f)
			return "an interface name has no '/', ':', space or control character";
	return NULL;
}

static const char *set_str(char *dst, size_t cap, const char *v)
{
	size_t n = strlen(v);
	if (n == 0 || n >= cap)
		return "too long";
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < ' ' || v[i] == 0x7f)
			return "control character in a path";
	memcpy(dst, v, n + 1);
	return NULL;
}

static const char *set_bool(bool *dst, const char *v)
{
	if (!v || strcmp(v, "yes") == 0) {
		*dst = true;
		return NULL;
	}
	if (strcmp(v, "no") == 0) {
		*dst = false;
		return NULL;
	}
	return "expects yes or no (or nothing, which means yes)";
}

struct cfg_key {
	const char *name;
	unsigned bit;
	bool is_bool;
};

static const struct cfg_key cfg_keys[] = {
	{ "uplink", CLAT_CFG_UPLINK, false },	    { "pref64", CLAT_CFG_PREF64, false },
	{ "tun", CLAT_CFG_TUN, false },		    { "no-dns64", CLAT_CFG_NO_DNS64, true },
	{ "resolv-conf", CLAT_CFG_RESOLV_CONF, false }, { "force", CLAT_CFG_FORCE, true },
	{ "control", CLAT_CFG_CONTROL, false },	    { "pidfile", CLAT_CFG_PIDFILE, false },
	{ "debug", CLAT_CFG_DEBUG, true },	    { "shared", CLAT_CFG_SHARED, true },
	{ "tether", CLAT_CFG_TETHER, false },	    { "fast-path", CLAT_CFG_FAST_PATH, true },
	{ "workers", CLAT_CFG_WORKERS, false },
};

const char *clat_config_check_workers(const char *text, unsigned *n)
{
	unsigned v = 0;
	for (const char *p = text; *p; p++) {
		if (*p < '0' || *p > '9' || v > CLAT_CONFIG_WORKERS_MAX)
			return "expects a number of threads, 1 to 16";
		v = v * 10 + (unsigned)(*p - '0');
	}
	if (v < 1 || v > CLAT_CONFIG_WORKERS_MAX)
		return "expects a number of threads, 1 to 16";
	*n = v;
	return NULL;
}

/* One setting; returns NULL or the problem. */
static const char *set_key(struct clat_config *c, const struct cfg_key *k, const char *v)
{
	const char *why = NULL;
	switch (k->bit) {
	case CLAT_CFG_UPLINK:
		if (!(why = check_ifname(v)))
			memcpy(c->uplink, v, strlen(v) + 1);
		break;
	case CLAT_CFG_TUN:
		if (!(why = check_ifname(v)))
			memcpy(c->tun, v, strlen(v) + 1);
		break;
	case CLAT_CFG_PREF64:
		if (strcmp(v, "none") == 0) {
			c->pref64[0] = '\0';
			memset(c->pref64_addr, 0, 16);
			c->pref64_len = 0;
		} else if (strlen(v) >= sizeof(c->pref64)) {
			why = "not an IPv6 prefix (ADDR/LEN)";
		} else if (!(why = clat_config_check_pref64(v, c->pref64_addr, &c->pref64_len))) {
			memcpy(c->pref64, v, strlen(v) + 1);
		}
		break;
	case CLAT_CFG_RESOLV_CONF:
		why = set_str(c->resolv_conf, sizeof(c->resolv_conf), v);
		break;
	case CLAT_CFG_CONTROL:
		why = set_str(c->control, sizeof(c->control), v);
		break;
	case CLAT_CFG_PIDFILE:
		why = set_str(c->pidfile, sizeof(c->pidfile), v);
		break;
	case CLAT_CFG_NO_DNS64:
		why = set_bool(&c->no_dns64, v);
		break;
	case CLAT_CFG_FORCE:
		why = set_bool(&c->force, v);
		break;
	case CLAT_CFG_DEBUG:
		why = set_bool(&c->debug, v);
		break;
	case CLAT_CFG_SHARED:
		why = set_bool(&c->shared, v);
		break;
	case CLAT_CFG_FAST_PATH:
		why = set_bool(&c->fast_path, v);
		break;
	case CLAT_CFG_WORKERS:
		why = clat_config_check_workers(v, &c->workers);
		break;
	case CLAT_CFG_TETHER:
		if (strcmp(v, "none") == 0) {
			c->ntether = 0;
			break;
		}
		if ((why = check_ifname(v)))
			break;
		if (strpbrk(v, "\"\\")) /* the name goes inside quotes in the nftables ruleset */
			return "an interface name to tether has no '\"' or '\\'";
		if (c->ntether >= CLAT_CONFIG_TETHER_MAX)
			return "too many tether lines (at most 8 interfaces)";
		for (unsigned i = 0; i < c->ntether; i++)
			if (strcmp(c->tether[i], v) == 0)
				return "given twice";
		memcpy(c->tether[c->ntether++], v, strlen(v) + 1);
		break;
	default:
		why = "unknown key";
	}
	return why;
}

static int clat_line(void *arg, const struct cfgtext_line *l, char *msg, size_t msgcap)
{
	struct clat_config *c = arg;
	const struct cfg_key *k = NULL;
	for (size_t i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++)
		if (strcmp(l->word[0], cfg_keys[i].name) == 0)
			k = &cfg_keys[i];
	/* word[0] and the values may be long junk: bound them in messages */
	if (!k) {
		snprintf(msg, msgcap,
			 "%.64s: unknown key (uplink, pref64, tun, no-dns64, resolv-conf, force, control, pidfile, debug, "
			 "shared, tether, fast-path, workers)",
			 l->word[0]);
		return -1;
	}
	if (l->nw > 2) {
		snprintf(msg, msgcap, "%s: one value expected, got %s%d", k->name, l->more ? "at least " : "", l->nw - 1);
		return -1;
	}
	if (l->nw < 2 && !k->is_bool) {
		snprintf(msg, msgcap, "%s: expects a value", k->name);
		return -1;
	}
	const char *why = set_key(c, k, l->nw > 1 ? l->word[1] : NULL);
	if (why) {
		snprintf(msg, msgcap, "%s %.64s: %s", k->name, l->nw > 1 ? l->word[1] : "", why);
		return -1;
	}
	c->set |= k->bit;
	return 0;
}

int clat_config_parse(struct clat_config *c, const char *text, size_t len, const char *name, char *err,
		      size_t errlen)
{
	static const struct cfgtext_rules rules = { .max_words = CFG_WORDS_MAX, .more_ok = true };
	if (len > CLAT_CONFIG_FILE_MAX)
		return cfgtext_err(err, errlen, "%s: larger than %u bytes", name, CLAT_CONFIG_FILE_MAX);
	return cfgtext_walk(text, len, name, &rules, clat_line, c, err, errlen);
}

size_t clat_config_format(const struct clat_config *c, char *buf, size_t cap)
{
	struct cfgtext_buf b = { buf, cap, 0 };
	if (cap)
		buf[0] = '\0';
	if (c->set & CLAT_CFG_UPLINK)
		cfgtext_add(&b, "uplink %s\n", c->uplink);
	if (c->set & CLAT_CFG_PREF64)
		cfgtext_add(&b, "pref64 %s\n", c->pref64[0] ? c->pref64 : "none");
	if (c->set & CLAT_CFG_TUN)
		cfgtext_add(&b, "tun %s\n", c->tun);
	if (c->set & CLAT_CFG_NO_DNS64)
		cfgtext_add(&b, "no-dns64 %s\n", c->no_dns64 ? "yes" : "no");
	if (c->set & CLAT_CFG_RESOLV_CONF)
		cfgtext_add(&b, "resolv-conf %s\n", c->resolv_conf);
	if (c->set & CLAT_CFG_FORCE)
		cfgtext_add(&b, "force %s\n", c->force ? "yes" : "no");
	if (c->set & CLAT_CFG_CONTROL)
		cfgtext_add(&b, "control %s\n", c->control);
	if (c->set & CLAT_CFG_PIDFILE)
		cfgtext_add(&b, "pidfile %s\n", c->pidfile);
	if (c->set & CLAT_CFG_DEBUG)
		cfgtext_add(&b, "debug %s\n", c->debug ? "yes" : "no");
	if (c->set & CLAT_CFG_SHARED)
		cfgtext_add(&b, "shared %s\n", c->shared ? "yes" : "no");
	if ((c->set & CLAT_CFG_TETHER) && !c->ntether)
		cfgtext_add(&b, "tether none\n");
	for (unsigned i = 0; i < c->ntether; i++)
		cfgtext_add(&b, "tether %s\n", c->tether[i]);
	if (c->set & CLAT_CFG_FAST_PATH)
		cfgtext_add(&b, "fast-path %s\n", c->fast_path ? "yes" : "no");
	if (c->set & CLAT_CFG_WORKERS)
		cfgtext_add(&b, "workers %u\n", c->workers);
	return b.len;
}
