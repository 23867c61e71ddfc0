/* `xlat464 dhcp4`: the option-108 DHCPv4 responder of an IPv6-mostly network (RFC 8925), and its
 * lease file. */
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

/* ---- the lease file (dhcp4_leasefile.c) ---- */

/* Loads path into s (a missing file is an empty table). 0, or -1 after logging file:line: problem. */
int dhcp4_leasefile_load(const char *path, struct dhcp4_server *s);
/* Writes every bound and declined slot to path.tmp, fsyncs it and renames it over path, so a crash
 * leaves the old or the new file, never half of one. 0 or -1 with errno. */
int dhcp4_leasefile_save(const char *path, const struct dhcp4_server *s);

#endif
