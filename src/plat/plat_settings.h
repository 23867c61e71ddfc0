/* `xlat464 plat` settings: a pure parser from text to a struct, with no system calls, so it can be
 * fuzzed (fuzz/fuzz_plat_settings.c). Each key is given as a flag `--key value...` or as a config file
 * line `key value...`; flags override the file. The keys are described once, in plat_settings_table
 * (plat_settings.c): the parser, --print-config, --help and docs/plat-settings.md come from it.
 *
 * A time T is seconds, or a number with a unit s, m, h or d, or several of them (2h4m). Errors are
 * written to err without location; plat_settings_parse_text prefixes "NAME:LINE: " and the flag
 * loader "--key: ". */
#ifndef XLAT464_PLAT_SETTINGS_H
#define XLAT464_PLAT_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/value_parse.h"
#include "nat64/nat64.h"
#include "xlat/xlat.h"

#define PLAT_TUN_NAME_MAX 16
#define PLAT_PATH_MAX 108 /* sun_path */
#define PLAT_ERR_MAX 256
#define PLAT_BPF_IFS_MAX 8 /* SYS_OFFLOAD_IFS_MAX */

enum plat_mode { PLAT_STATEFUL, PLAT_STATELESS };

struct plat_settings {
	char tun[PLAT_TUN_NAME_MAX];     /* default "plat0" */
	char control[PLAT_PATH_MAX];     /* "" = SYS_CTL_DIR/plat-TUN.sock */
	enum plat_mode mode;             /* default stateful */
	struct nat64_config nat;         /* pool6, pool4, filtering, timeouts, limits, statics */
	uint32_t lease_timeout;          /* stateless: seconds a lease may stay idle (7200) */
	char log_target[PLAT_PATH_MAX];  /* "" = none, "syslog", or an absolute file path */
	unsigned log_events;             /* NAT64_LOG_* mask; default BIB | BLOCK */
	struct xlat_config xcfg;         /* self4/self6, MTUs; policy filled in by the daemon */
	bool self4_given, self6_given;   /* else derived from the pool (plat_settings_finish) */
	uint32_t reply_rate, reply_burst; /* ICMP errors the translator sends: per second, burst (100, 200) */
	bool routes;                     /* add and remove the routes for pool6 and pool4 (yes) */
	bool offload;                    /* TUN checksum and TCP segmentation offload (yes; lib/xlat/offload.h) */
	/* The kernel fast path (lib/sys/nat64_offload.h): the interfaces the clients' and the IPv4
	 * side's packets come in on, where its TC program is attached; none by default. Stateful mode,
	 * pool6 a /96. */
	unsigned nbpf_ifs;
	char bpf_ifs[PLAT_BPF_IFS_MAX][PLAT_TUN_NAME_MAX];
	bool bpf_redirect;               /* the program sends its packets out itself (yes), else the stack */
	/* the program paces each subscriber's packets for the daemon (0: off), burst packets at once */
	uint32_t subscriber_rate, subscriber_burst;
	uint32_t workers;                /* threads, one per queue of a multi-queue TUN (1; stateful only) */
	struct value_cpus worker_cpus;   /* where they run (none: where the scheduler puts them) */
	/* a subscriber refused for a per-subscriber limit: its new flows dropped by the program (0: off) */
	uint32_t subscriber_hold_ms;
	/* IPFIX export of the NAT64 events, or the stateless leases (RFC 7011, RFC 8158; ipfix_export.h) */
	bool ipfix_on;                   /* a collector is set */
	bool ipfix_v6;                   /* its address is IPv6 (ipfix_addr), else IPv4 (the first 4 bytes) */
	uint8_t ipfix_addr[16];
	uint16_t ipfix_port;
	uint32_t ipfix_domain;           /* the Observation Domain ID (0) */
	uint32_t ipfix_refresh;          /* seconds between template sends (60) */
	uint32_t ipfix_mtu;              /* the largest message, IP and UDP headers not counted (1400) */
	unsigned ipfix_events;           /* NAT64_LOG_* mask; default all */
};

/* The settings table (settings_table.h): the parser, --help, --list-settings and docs/plat-settings.md. */
struct settings_table;
extern const struct settings_table plat_settings_table;

/* Defaults (docs/plat-settings.md; the lib/nat64 defaults of nat64.h for the rest). */
void plat_settings_init(struct plat_settings *s);

/* How many values key takes: min and max (pool4 takes 1 or 2). -1 when key is not a setting. */
int plat_settings_arity(const char *key, int *max);

/* Applies one setting. Returns 0, or -1 with a message in err. */
int plat_settings_set(struct plat_settings *s, const char *key, const char *const *val, int nval, char *err,
		      size_t errlen);

/* Parses config text (len bytes): `key value...` lines, `#` comments. Returns 0, or -1 with
 * "NAME:LINE: key: problem" in err. */
int plat_settings_parse_text(struct plat_settings *s, const char *text, size_t len, const char *name, char *err,
			     size_t errlen);

/* Checks what a running PLAT needs (pool6, pool4, a consistent pool and static entries, workers only
 * in stateful mode) and fills in what is derived: self4 (the first pool4 address) and self6 (self4 in
 * pool6) unless given. Returns 0, or -1 with a message in err. */
int plat_settings_finish(struct plat_settings *s, char *err, size_t errlen);

/* The stateless mode's pool from the settings. */
struct nat64_dynpool_config;
void plat_settings_dynpool(const struct plat_settings *s, struct nat64_dynpool_config *dc);

/* Writes the effective settings in config file syntax. Returns the length snprintf would have written. */
size_t plat_settings_format(const struct plat_settings *s, char *buf, size_t cap);

/* "V6#PORT" and "V4#PORT" (also [V6]:PORT is not accepted: '#' as in Jool). */
bool plat_parse_addr_port6(const char *s, uint8_t a[16], uint16_t *port);
bool plat_parse_addr_port4(const char *s, uint8_t a[4], uint16_t *port);

#endif
