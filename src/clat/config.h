/* The CLAT's configuration file (`xlat464 clat --config FILE`): a pure parser from text to a struct,
 * no system calls, so fuzz/fuzz_clat_config.c can run it on anything.
 *
 * One `key value` per line, `#` starts a comment, blank lines are ignored. The keys mirror the long
 * options of `xlat464 clat`:
 *   uplink NAME | pref64 PREFIX|none | tun NAME | no-dns64 [yes|no] | resolv-conf FILE |
 *   force [yes|no] | control PATH | pidfile FILE | debug [yes|no] | shared [yes|no] |
 *   tether IF|none | fast-path yes|no | workers N
 * A boolean key alone means yes. A key given twice: the last line wins, except tether, whose lines
 * add up (up to CLAT_CONFIG_TETHER_MAX interfaces; `tether none` clears the list). Flags on the command line
 * override the file (the daemon merges them, clat.c). */
#ifndef XLAT464_CLAT_CONFIG_H
#define XLAT464_CLAT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLAT_CONFIG_NAME_MAX 16  /* IFNAMSIZ, with the NUL */
#define CLAT_CONFIG_PATH_MAX 256 /* resolv-conf, pidfile */
#define CLAT_CONFIG_CTL_MAX 108  /* sizeof(sun_path) */
#define CLAT_CONFIG_ERR_MAX 320
#define CLAT_CONFIG_FILE_MAX 65536 /* a bigger file is refused, not truncated */

/* Which keys a file set (bits of clat_config.set). */
enum clat_config_key {
	CLAT_CFG_UPLINK = 1u << 0,
	CLAT_CFG_PREF64 = 1u << 1,
	CLAT_CFG_TUN = 1u << 2,
	CLAT_CFG_NO_DNS64 = 1u << 3,
	CLAT_CFG_RESOLV_CONF = 1u << 4,
	CLAT_CFG_FORCE = 1u << 5,
	CLAT_CFG_CONTROL = 1u << 6,
	CLAT_CFG_PIDFILE = 1u << 7,
	CLAT_CFG_DEBUG = 1u << 8,
	CLAT_CFG_SHARED = 1u << 9,
	CLAT_CFG_TETHER = 1u << 10,
	CLAT_CFG_FAST_PATH = 1u << 11,
	CLAT_CFG_WORKERS = 1u << 12,
};

#define CLAT_CONFIG_TETHER_MAX 8
#define CLAT_CONFIG_WORKERS_MAX 16 /* TUN_WORKERS_MAX */

struct clat_config {
	unsigned set; /* enum clat_config_key bits: the keys the text gave */
	char uplink[CLAT_CONFIG_NAME_MAX];
	char tun[CLAT_CONFIG_NAME_MAX];
	char pref64[48];     /* as written (canonical text is the daemon's business); "" for none */
	uint8_t pref64_addr[16];
	uint8_t pref64_len;  /* 0 with pref64 "" (none) */
	char resolv_conf[CLAT_CONFIG_PATH_MAX];
	char control[CLAT_CONFIG_CTL_MAX];
	char pidfile[CLAT_CONFIG_PATH_MAX];
	bool no_dns64, force, debug, shared;
	bool fast_path; /* the kernel fast path (default yes) */
	unsigned workers; /* threads reading the TUN, 1..CLAT_CONFIG_WORKERS_MAX (0: not set) */
	char tether[CLAT_CONFIG_TETHER_MAX][CLAT_CONFIG_NAME_MAX];
	unsigned ntether;
};

void clat_config_init(struct clat_config *c);

/* Parses config text (len bytes, need not be NUL-terminated). Returns 0, or -1 with
 * "NAME:LINE: problem" in err (always NUL-terminated when errlen > 0). */
int clat_config_parse(struct clat_config *c, const char *text, size_t len, const char *name, char *err,
		      size_t errlen);

/* Checks a PLAT prefix as --pref64 or `pref64` takes it: an IPv6 prefix of an RFC 6052 length, no bits
 * beyond its length, u-octet zero. Returns NULL when good (addr/len filled), else the problem. */
const char *clat_config_check_pref64(const char *text, uint8_t addr[16], uint8_t *len);

/* Checks a `workers` value (--workers, `workers`): 1..CLAT_CONFIG_WORKERS_MAX. NULL when good (*n set),
 * else the problem. */
const char *clat_config_check_workers(const char *text, unsigned *n);

/* Writes the keys set, one `key value` line each, in config syntax. Returns the length snprintf would
 * have written. */
size_t clat_config_format(const struct clat_config *c, char *buf, size_t cap);

#endif
