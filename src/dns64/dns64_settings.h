/* `xlat464 dns64` settings: a pure parser from flags or config text to a struct (no system calls), so
 * it can be fuzzed with the rest of the DNS64 (fuzz/fuzz_dns64_msg.c). The keys are described once, in
 * dns64_settings_table: the parser, --print-config, --help and docs/dns64-settings.md come from it. */
#ifndef XLAT464_DNS64_SETTINGS_H
#define XLAT464_DNS64_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns64/dns64_synth.h"
#include "xlat/xlat.h"

#define DNS64_PATH_MAX 108 /* sun_path */
#define DNS64_FILE_MAX 256
#define DNS64_LISTEN_MAX 4
#define DNS64_ERR_MAX 256

struct dns64_sockaddr {
	bool v6;          /* else IPv4, in addr[0..4) */
	uint8_t addr[16];
	uint16_t port;
};

struct dns64_settings {
	unsigned nlisten;                       /* 0: [::]:53 */
	struct dns64_sockaddr listen[DNS64_LISTEN_MAX];
	bool upstream_set;
	struct dns64_sockaddr upstream;         /* required */
	struct xlat_prefix6 prefix;             /* 64:ff9b::/96 */
	struct dns64_exclude exclude;           /* beyond ::ffff:0:0/96 */
	char interface[16];                     /* the clients' link: its neighbour table ("" every link) */
	char clients_file[DNS64_FILE_MAX];      /* "" = SYS_CTL_DIR/dhcp4-IF.clients; "none" */
	int unknown;                            /* enum dns64_unknown_policy */
	uint32_t upstream_timeout_ms;           /* 2000 */
	uint32_t max_pending;                   /* 512 */
	uint32_t max_tcp;                       /* 32 */
	uint32_t tcp_timeout;                   /* seconds, 10 */
	char control[DNS64_PATH_MAX];           /* "" = SYS_CTL_DIR/dns64.sock */
};

struct settings_table;
extern const struct settings_table dns64_settings_table;

void dns64_settings_init(struct dns64_settings *s);
int dns64_settings_arity(const char *key, int *max);
int dns64_settings_set(struct dns64_settings *s, const char *key, const char *const *val, int nval, char *err,
		       size_t errlen);
/* `key value...` lines, `#` comments; -1 with "NAME:LINE: key: problem" in err. */
int dns64_settings_parse_text(struct dns64_settings *s, const char *text, size_t len, const char *name, char *err,
			      size_t errlen);
/* What a running dns64 needs: an upstream. 0 or -1 with the problem in err. */
int dns64_settings_finish(struct dns64_settings *s, char *err, size_t errlen);
/* The effective settings in config syntax; returns the length it would have written. */
size_t dns64_settings_format(const struct dns64_settings *s, char *buf, size_t cap);

#endif
