/* The settings of `xlat464 dhcp4`, the option-108 responder: a pure parser from config file text and
 * flags to a struct (no system calls), described once in a table (dhcp4_settings_table,
 * settings_table.h) that gives the flag and file parsers, --print-config, --help and
 * docs/dhcp4-settings.md. fuzz/fuzz_dhcp4_settings.c runs it on anything. */
#ifndef XLAT464_DHCP4_SETTINGS_H
#define XLAT464_DHCP4_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp4/dhcp4.h"
#include "dhcp4/dhcp4_server.h"

#define DHCP4_SET_IFNAME_MAX 16 /* IF_NAMESIZE */
#define DHCP4_SET_CTL_MAX 108   /* sizeof(sun_path) */
#define DHCP4_SET_PATH_MAX 256
#define DHCP4_SET_ERR_MAX 320

struct dhcp4_settings {
	char ifname[DHCP4_SET_IFNAME_MAX];
	int mode; /* enum dhcp4_mode */
	uint32_t v6only_wait; /* 0: none (option 108 carries 0) */
	bool has_server_id;   /* else the interface's first IPv4 address */
	uint8_t server_id[4];
	uint32_t pool_first, pool_last; /* host byte order, inclusive; both 0: none (kept together: a reload
					 * keeps the two) */
	uint32_t plen;
	uint32_t lease_time;
	unsigned nrouters, ndns;
	uint8_t routers[DHCP4_MAX_ADDRS][4], dns[DHCP4_MAX_ADDRS][4];
	char lease_file[DHCP4_SET_PATH_MAX]; /* empty: /var/lib/xlat464/dhcp4-IF.leases */
	char control[DHCP4_SET_CTL_MAX];     /* empty: SYS_CTL_DIR/dhcp4-IF.sock */
	char pidfile[DHCP4_SET_PATH_MAX];
	char clients_file[DHCP4_SET_PATH_MAX]; /* empty: SYS_CTL_DIR/dhcp4-IF.clients; "none": not written */
};

struct settings_table;
extern const struct settings_table dhcp4_settings_table;

/* Defaults: v6only mode, V6ONLY_WAIT 1800, /24, lease time 3600, nothing else. */
void dhcp4_settings_init(struct dhcp4_settings *s);

/* What one setting cannot check: an interface; pool, router, dns and lease-file only in mostly mode,
 * where a pool is needed inside one --prefix-len subnet; the server identifier outside the pool.
 * 0, or -1 with the problem (naming the flags) in err. */
int dhcp4_settings_finish(const struct dhcp4_settings *s, char *err, size_t errlen);

/* The server's part of the settings. */
void dhcp4_settings_server_cfg(const struct dhcp4_settings *s, struct dhcp4_server_cfg *c);

/* Every setting in config file syntax (--print-config). Returns the length snprintf would have written. */
size_t dhcp4_settings_format(const struct dhcp4_settings *s, char *buf, size_t cap);

#endif
