/* `xlat464 dhcp4`: the option-108 DHCPv4 responder of an IPv6-mostly network (RFC 8925), and the
 * fixed-size status message it writes on its control socket for `xlat464 status`. */
#ifndef XLAT464_MOSTLY_DHCP4_H
#define XLAT464_MOSTLY_DHCP4_H

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "dhcp4/dhcp4.h"
#include "dhcp4/dhcp4_server.h"
#include "dhcp4/dhcp4_clients.h"

/* `xlat464 dhcp4 --interface IF [--mode v6only|mostly] ...` */
int dhcp4_main(int argc, char **argv);

#define DHCP4_STATUS_MAGIC 0x78443031u /* "xD01"; siit's is "xS01" */
#define DHCP4_STATUS_SETTINGS_MAX 2048

struct dhcp4_status_msg {
	uint32_t magic;
	uint32_t size;   /* sizeof(struct dhcp4_status_msg) */
	uint32_t ndrops; /* DHCP4_DROP__COUNT */
	int32_t pid;
	uint64_t uptime_sec;
	char daemon[16]; /* "dhcp4" */
	char ifname[IF_NAMESIZE];
	uint64_t clients;     /* distinct client hardware addresses seen */
	uint64_t clients_108; /* of which asked for option 108 */
	uint64_t clients_untracked; /* seen after the table filled up (not deduplicated) */
	uint64_t rx[DHCP4_TYPE_MAX + 1]; /* valid messages by type */
	uint64_t offers_v6only, acks_v6only, offers, acks, naks, informs, releases, declines;
	uint64_t recv_errors, send_errors, lease_write_errors;
	uint32_t pool_size, bound;
	uint64_t drops[DHCP4_DROP__COUNT];
	char settings[DHCP4_STATUS_SETTINGS_MAX];
};

/* Called by `xlat464 status` when the answer carries DHCP4_STATUS_MAGIC: checks the size and prints
 * it as text or JSON. Returns the exit status. */
int dhcp4_status_print(const void *buf, size_t len, const char *path, int json);


/* ---- the lease file (dhcp4_leasefile.c) ---- */

/* Loads path into s (a missing file is an empty table). 0, or -1 after logging file:line: problem. */
int dhcp4_leasefile_load(const char *path, struct dhcp4_server *s);
/* Writes every bound and declined slot to path.tmp, fsyncs it and renames it over path, so a crash
 * leaves the old or the new file, never half of one. 0 or -1 with errno. */
int dhcp4_leasefile_save(const char *path, const struct dhcp4_server *s);

#endif
