/* The clients file: the hardware addresses `xlat464 dhcp4` has seen and whether each asked for
 * option 108 (RFC 8925), one per line, for `xlat464 dns64` to tell the clients with a CLAT from the
 * others:
 *
 *     # xlat464 dhcp4 clients: HWADDR OPTION-108(yes|no)
 *     00:00:5e:00:53:21 yes
 *
 * Only 6-byte (Ethernet) hardware addresses are written: the neighbour table dns64 joins them with
 * holds those. Pure: the line format only. */
#ifndef XLAT464_DHCP4_CLIENTS_H
#define XLAT464_DHCP4_CLIENTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DHCP4_CLIENTS_HEADER "# xlat464 dhcp4 clients: HWADDR OPTION-108(yes|no)\n"
#define DHCP4_CLIENTS_LINE_MAX 32 /* "xx:xx:xx:xx:xx:xx yes\n" and its NUL */

/* Writes one line; returns its length, or 0 when cap is too small. */
size_t dhcp4_clients_format(const uint8_t mac[6], bool asked108, char *buf, size_t cap);
/* Parses one line (its newline optional): 1 with mac and asked108, 0 for a blank or '#' line, -1 for
 * anything else. */
int dhcp4_clients_parse(const char *line, uint8_t mac[6], bool *asked108);

#endif
