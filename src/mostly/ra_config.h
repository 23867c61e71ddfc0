/* The settings of `xlat464 ra`, the PREF64 announcer: a pure parser from config file text and the
 * command line words to a struct (no system calls; inet_pton is libc), so that every check is testable
 * and fuzzable. The settings are described once, in a table (ra_settings_table, settings_table.h):
 * each is a flag `--key value` or a config file line `key value`; flags override the file.
 *
 * Timing follows RFC 4861 section 6.2.1: --interval is MaxRtrAdvInterval (4..1800 s, default 600);
 * MinRtrAdvInterval is 0.33 x MaxRtrAdvInterval, but never below 3 s nor above 0.75 x MaxRtrAdvInterval
 * (the two bounds the RFC puts on it). The PREF64 lifetime follows RFC 8781 section 4.1: by default
 * 3 x MaxRtrAdvInterval; one given with --lifetime must be at least MaxRtrAdvInterval (a prefix that
 * expires between two RAs flaps) and at most 65528 s (8191 units of 8 s); one that is not a multiple
 * of 8 is rounded up. */
#ifndef XLAT464_RA_CONFIG_H
#define XLAT464_RA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ndp/ndp.h"

#define RA_IFNAME_MAX 16     /* IF_NAMESIZE */
#define RA_PATH_MAX 108      /* sizeof(sockaddr_un.sun_path) */
#define RA_ERR_MAX 256
#define RA_MAX_DNSSL 8
#define RA_DNSSL_NAME_MAX 254 /* text, with the NUL: 253 characters make a 255-byte wire name */

/* RFC 4861 section 6.2.1 bounds and defaults. */
#define RA_MAX_INTERVAL_MIN 4
#define RA_MAX_INTERVAL_MAX 1800
#define RA_MAX_INTERVAL_DEFAULT 600
#define RA_MIN_INTERVAL_FLOOR_MS 3000 /* MinRtrAdvInterval MUST be no less than 3 s */
#define RA_ROUTER_LIFETIME_MAX 9000   /* AdvDefaultLifetime MUST be no greater than 9000 s */
#define RA_CUR_HOP_LIMIT 64           /* AdvCurHopLimit: the value of the IANA registry (RFC 4861 6.2.1) */
/* AdvValidLifetime and AdvPreferredLifetime defaults of RFC 4861 section 6.2.1: 30 and 7 days. */
#define RA_PIO_VALID_DEFAULT 2592000u
#define RA_PIO_PREFERRED_DEFAULT 604800u
#define RA_SLAAC_PREFIX_LEN 64 /* RFC 4862 with an Ethernet interface identifier (RFC 2464) */

enum ra_mode {
	RA_MODE_BESIDE_ROUTER, /* router lifetime 0, only the PREF64 options */
	RA_MODE_ROUTER,        /* the only router: router lifetime, Prefix Information, RDNSS */
};

struct ra_config {
	char ifname[RA_IFNAME_MAX];
	enum ra_mode mode;
	uint32_t max_interval;     /* MaxRtrAdvInterval, seconds */
	uint32_t min_interval_ms;  /* MinRtrAdvInterval, milliseconds (derived) */
	uint32_t lifetime;         /* PREF64 lifetime in seconds, a multiple of 8 (effective value) */
	uint32_t lifetime_asked;   /* what --lifetime said (with lifetime_given) */
	bool lifetime_given;
	bool lifetime_short;       /* below 3 x MaxRtrAdvInterval: allowed, but RFC 8781 4.1 advises more */
	uint16_t router_lifetime;  /* 0 beside a router; 3 x MaxRtrAdvInterval (<= 9000) as the router */
	unsigned npref64;
	struct ndp_pref64 pref64[NDP_MAX_PREF64];
	unsigned nprefix;
	struct ndp_prefix_info prefix[NDP_MAX_PREFIX];
	unsigned nrdnss;
	uint8_t rdnss[NDP_MAX_RDNSS][16];
	uint32_t rdnss_lifetime;   /* RFC 8106 section 5.1: at least MaxRtrAdvInterval; we use 3 x */
	unsigned ndnssl;           /* DNS search list (RFC 8106 section 5.2), as given */
	char dnssl[RA_MAX_DNSSL][RA_DNSSL_NAME_MAX];
	uint8_t dnssl_wire[NDP_DNSSL_WIRE_MAX]; /* the names in DNS wire format, for the option */
	unsigned dnssl_wire_len;
	uint32_t dnssl_lifetime;   /* as rdnss_lifetime */
	char control[RA_PATH_MAX]; /* empty: the default, SYS_CTL_DIR "/ra-IF.sock" */
	char pidfile[RA_PATH_MAX];
	bool daemon, debug, check, print_config; /* lifecycle flags, not settings */
};

/* The settings table: --help, --list-settings, docs/ra-settings.md. */
struct settings_table;
extern const struct settings_table ra_settings_table;

/* Defaults: beside a router, interval 600, nothing else. */
void ra_config_init(struct ra_config *cfg);

/* The config file's text (len bytes, need not be NUL-terminated; NULL: no file), then the flags of
 * argv[1..argc) (argv[0] is the subcommand name and skipped; --config FILE is skipped, the caller
 * read it into text), then ra_config_finish. Returns 1 when --help was given (nothing else is
 * checked), 0 when cfg is complete and valid, -1 with a message that names the flag ("--key: ...")
 * or the line ("NAME:LINE: key: ...") in err. --help and -h are the caller's to print. */
int ra_config_load(struct ra_config *cfg, const char *text, size_t len, const char *name, int argc,
		   char *const *argv, char *err, size_t errlen);
/* ra_config_load without a file. */
int ra_config_parse(struct ra_config *cfg, int argc, char *const *argv, char *err, size_t errlen);

/* Checks what one setting cannot (interface and pref64 given, prefix and rdnss only as the router,
 * the lifetime against the interval) and derives the rest (MinRtrAdvInterval, the lifetimes). */
int ra_config_finish(struct ra_config *cfg, char *err, size_t errlen);

/* Several interfaces in one process, as radvd's `interface eth0 { ... };`: in the file, an
 * `interface IF` line opens a section that runs to the next `interface` line; the lines before the
 * first `interface` line are defaults every section starts from (a repeatable key such as pref64 adds
 * to them). The flags apply to every section, after the file. A file with at most one `interface`
 * line is read exactly as by ra_config_load (there --interface on the command line overrides it);
 * with two or more, --interface is refused (it could not say which section it replaces), control
 * and pidfile must be the same in every section (one process, one control socket). */
#define RA_MAX_IFACES 8
struct ra_multi {
	unsigned n;
	struct ra_config ifc[RA_MAX_IFACES]; /* in file order; ifc[0] carries the lifecycle flags */
};

/* As ra_config_load, into m: 1 (--help), 0 (every section complete and valid) or -1 with a message
 * naming the line, the flag, or the section ("interface IF: ...") in err. */
int ra_multi_load(struct ra_multi *m, const char *text, size_t len, const char *name, int argc, char *const *argv,
		  char *err, size_t errlen);

/* --print-config for all sections: each section whole (every setting, its `interface` line first),
 * so the output reads back as the same interfaces. */
size_t ra_multi_print(const struct ra_multi *m, char *buf, size_t cap);

/* The settings in config file syntax (--print-config): every setting, from the table. */
size_t ra_config_print(const struct ra_config *cfg, char *buf, size_t cap);

/* The RFC 4861 MinRtrAdvInterval (ms) for a MaxRtrAdvInterval (s): 0.33 x max, clamped to
 * [3 s, 0.75 x max]. */
uint32_t ra_min_interval_ms(uint32_t max_interval);

/* Checks a --lifetime value against the interval. 0 when acceptable (the caller then rounds it up to
 * a multiple of 8), -1 with a message naming --lifetime in err. */
int ra_lifetime_check(uint32_t lifetime, uint32_t max_interval, char *err, size_t errlen);

/* Writes the effective settings with what they give (the MinRtrAdvInterval, the scaled lifetime),
 * one `key value (...)` per line, for the status. Returns the length written (truncated to cap - 1,
 * always terminated). */
size_t ra_config_format(const struct ra_config *cfg, char *buf, size_t cap);

#endif
