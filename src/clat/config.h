/* The CLAT's settings (`xlat464 clat`): flags and `--config FILE` lines, described once in a table
 * (clat_settings_table, settings_table.h) that gives the flag and file parsers, --print-config,
 * --help and docs/clat-settings.md. A pure parser from text to a struct, no system calls, so
 * fuzz/fuzz_clat_config.c can run it on anything.
 *
 * One `key value` per line, `#` starts a comment, blank lines are ignored; a flag `--key value` is
 * the same setting, and flags override the file. A boolean alone (`force`, `--force`) means yes. A
 * key given twice: the last wins, except tether, whose lines add up (up to CLAT_CONFIG_TETHER_MAX
 * interfaces; `tether none` clears the list; --tether flags replace the file's lines). */
#ifndef XLAT464_CLAT_CONFIG_H
#define XLAT464_CLAT_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/value_parse.h"

#define CLAT_CONFIG_NAME_MAX 16  /* IFNAMSIZ, with the NUL */
#define CLAT_CONFIG_PATH_MAX 256 /* resolv-conf, pidfile */
#define CLAT_CONFIG_CTL_MAX 108  /* sizeof(sun_path) */
#define CLAT_CONFIG_ERR_MAX 320
#define CLAT_CONFIG_FILE_MAX 65536 /* a bigger file is refused, not truncated */
#define CLAT_CONFIG_TETHER_MAX 8
#define CLAT_CONFIG_WORKERS_MAX 16 /* TUN_WORKERS_MAX */
#define CLAT_CONFIG_DEFAULT_TUN "clat"
#define CLAT_CONFIG_RESOLV_CONF "/etc/resolv.conf"

struct clat_config {
	char uplink[CLAT_CONFIG_NAME_MAX]; /* empty: the link of the IPv6 default route, followed */
	char tun[CLAT_CONFIG_NAME_MAX];
	char pref64[48];     /* as written (canonical text is the daemon's business); "" for none */
	uint8_t pref64_addr[16];
	uint8_t pref64_len;  /* 0 with pref64 "" (none) */
	char resolv_conf[CLAT_CONFIG_PATH_MAX];
	char control[CLAT_CONFIG_CTL_MAX]; /* empty: SYS_CTL_DIR/clat-TUN.sock */
	char pidfile[CLAT_CONFIG_PATH_MAX];
	bool no_dns64, force, debug, shared;
	bool fast_path; /* the kernel fast path (default yes) */
	unsigned workers; /* threads reading the TUN, 1..CLAT_CONFIG_WORKERS_MAX */
	struct value_cpus worker_cpus; /* where they run (none: where the scheduler puts them) */
	char tether[CLAT_CONFIG_TETHER_MAX][CLAT_CONFIG_NAME_MAX];
	unsigned ntether; /* right after tether: a reload keeps the two together */
};

/* The settings table: --help, --list-settings, docs/clat-settings.md. */
struct settings_table;
extern const struct settings_table clat_settings_table;

/* The defaults: tun clat, resolv-conf /etc/resolv.conf, fast-path yes, workers 1, nothing else. */
void clat_config_init(struct clat_config *c);

/* Parses config text (len bytes, need not be NUL-terminated) over c. Returns 0, or -1 with
 * "NAME:LINE: key: problem" in err (always NUL-terminated when errlen > 0). */
int clat_config_parse(struct clat_config *c, const char *text, size_t len, const char *name, char *err,
		      size_t errlen);

/* Checks a PLAT prefix as --pref64 or `pref64` takes it: an IPv6 prefix of an RFC 6052 length, no bits
 * beyond its length, u-octet zero. Returns 0 (addr/len filled), or -1 with the problem in err. */
int clat_config_check_pref64(const char *text, uint8_t addr[16], uint8_t *len, char *err, size_t errlen);

/* Writes every setting, one `key value` line each, in config syntax (--print-config); a setting left
 * to run time (uplink, pidfile) as a comment. Returns the length snprintf would have written. */
size_t clat_config_format(const struct clat_config *c, char *buf, size_t cap);

#endif
