/* The CLAT's translator: lib/xlat's stateless map in the profile of Android's clatd, built in one
 * place for the daemon's userspace path and for the tests that hold the kernel fast path to it
 * (tests/bpf/clat_diff.c, fuzz/fuzz_clat_bpf.c). No system calls.
 *
 *   pool6      the PLAT prefix (any RFC 6052 length), or none until one is learned
 *   eam        192.0.0.1/32 = the CLAT's IPv6 address/128 (RFC 7757)
 *   self4      192.0.0.2, the source of ICMPv4 errors the CLAT makes (RFC 7335's 192.0.0.0/29)
 *   self6      the CLAT's IPv6 address
 *   rfc6791v4  192.0.0.8, what IPv6 routers are shown as (traceroute shows a hop, not `*`)
 *   router no  TTL and hop limit pass unchanged: a host CLAT is no router hop
 *   amend-udp-checksum-zero yes: a local application may send UDP without a checksum
 *   mtu4, mtu6 the TUN's MTU and the uplink's IPv6 MTU */
#ifndef XLAT464_CLAT_TRANSLATOR_H
#define XLAT464_CLAT_TRANSLATOR_H

#include <stddef.h>
#include <stdint.h>

#include "xlat/xlat.h"

extern const uint8_t clat_host4[4];  /* 192.0.0.1, the host's IPv4 address on the TUN */
#define CLAT_HOST4_PLEN 29           /* RFC 7335: 192.0.0.0/29 */

struct clat_translator {
	struct xlat_siit_map map;
	struct xlat_config cfg;    /* cfg.policy reads map */
	struct xlat_config lifted; /* cfg with the MTUs lifted, for super-packets (lib/xlat/offload.h) */
	struct xlat_ctx ctx;       /* its counters survive every clat_translator_set */
};

/* Zero counters, no prefix, the profile above for clat6. */
void clat_translator_init(struct clat_translator *t, const uint8_t clat6[16], unsigned mtu4, unsigned mtu6);
/* Points the translator at a new CLAT address, prefix (NULL: none) and MTUs, live: the map is read
 * per packet, the counters stay. Returns 0, or -1 when the map refuses the entry (never for a valid
 * global address). */
int clat_translator_set(struct clat_translator *t, const uint8_t clat6[16], const struct xlat_prefix6 *pool6,
			unsigned mtu4, unsigned mtu6);
/* The settings in `key value` lines, as `xlat464 status` shows them. Returns the length written. */
size_t clat_translator_format(const struct clat_translator *t, char *buf, size_t cap);

#endif
