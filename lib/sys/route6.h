/* IPv6 routes through a point-to-point device (the PLAT's TUN), beside sys_nl_route4 of netlink.h. */
#ifndef XLAT464_SYS_ROUTE6_H
#define XLAT464_SYS_ROUTE6_H

#include <stdbool.h>
#include <stdint.h>

#include "netlink.h"

/* Adds (add = true) or deletes the IPv6 route dst/dlen out of oif (no gateway) in the main table with
 * the given metric, on n (sys_nl_open). Adding one that exists fails with EEXIST. 0 or -1 with errno. */
int sys_nl_route6(struct sys_nl *n, bool add, int oif, const uint8_t dst[16], unsigned dlen, uint32_t metric);

#endif
