/* SIIT settings (shared by `xlat464 siit` and `xlat464 translate`): a pure parser from text to a
 * struct, with no system calls, so it can be fuzzed (fuzz/fuzz_settings.c).
 *
 * The keys, each given as a flag `--key value...` or as a config file line `key value...`:
 *   tun NAME | pool6 PREFIX|none | eam V4PREFIX V6PREFIX (repeatable) | rfc6791v4 ADDR|none |
 *   rfc6791v6 ADDR|none | self4 ADDR | self6 ADDR | lowest-ipv6-mtu N | mtu4 N | mtu6 N |
 *   amend-udp-checksum-zero yes|no | router yes|no | zero-traffic-class yes|no | tos copy|0..255 |
 *   allow-wkp-non-global yes|no | reassembly-max N | reassembly-timeout-ms N | workers N |
 *   worker-cpus LIST|none | offload yes|no
 *
 * Errors are written to err without location; the callers prefix "FILE:LINE: " or "--key: ". */
#ifndef XLAT464_SIIT_SETTINGS_H
#define XLAT464_SIIT_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>

#include "value_parse.h"
#include "xlat/xlat.h"

#define SIIT_TUN_NAME_MAX 16 /* IFNAMSIZ, including the terminating NUL */
#define SIIT_ERR_MAX 256

struct siit_settings {
	char tun[SIIT_TUN_NAME_MAX]; /* empty when not given */
	struct xlat_config cfg;      /* cfg.policy points at map once siit_settings_bind() ran */
	struct xlat_siit_map map;
	uint32_t workers;            /* threads, one per TUN queue (the daemon; 1) */
	struct value_cpus worker_cpus; /* where they run (none: where the scheduler puts them) */
	bool offload;                /* TUN checksum and TCP segmentation offload (the daemon; no) */
};

/* Defaults: xlat_config_init(), no pool6, no EAM, no TUN. */
void siit_settings_init(struct siit_settings *s);

/* Number of values key takes (1, or 2 for eam), or -1 when key is not a setting. */
int siit_settings_arity(const char *key);

/* Applies one setting. Returns 0, or -1 with a message in err. */
int siit_settings_set(struct siit_settings *s, const char *key, const char *const *val, int nval,
		      char *err, size_t errlen);

/* Parses config text (len bytes, need not be NUL-terminated): `key value...` lines, `#` comments.
 * Returns 0, or -1 with "NAME:LINE: problem" in err. */
int siit_settings_parse_text(struct siit_settings *s, const char *text, size_t len, const char *name,
			     char *err, size_t errlen);

/* Points cfg.policy at this struct's own map; call again after copying the struct. */
void siit_settings_bind(struct siit_settings *s);

/* Checks what a running translator needs (something to translate with). need_tun: the daemon needs
 * a TUN name. Returns 0, or -1 with a message in err. */
int siit_settings_validate(const struct siit_settings *s, bool need_tun, char *err, size_t errlen);

/* Writes the effective settings in config file syntax (one `key value` line each). Returns the
 * length snprintf would have written. */
size_t siit_settings_format(const struct siit_settings *s, char *buf, size_t cap);

/* The settings table (settings_table.h): --help, --list-settings and docs/siit-settings.md. */
struct settings_table;
extern const struct settings_table siit_settings_table;

/* Address helpers (also used by status output). */
bool siit_parse_prefix4(const char *s, struct xlat_prefix4 *p);
bool siit_parse_prefix6(const char *s, struct xlat_prefix6 *p);

#endif
