/* The CLAT's shared address mode: for an uplink with no /64 of its own (a DHCPv6 /128, a static
 * /128), the CLAT translates 192.0.0.1 to the host's own IPv6 address instead of a dedicated one.
 *
 * The host and the CLAT then share one address, so they split it by transport port: every IPv4 flow
 * leaving the TUN is source-NATed by the kernel (nftables, src/clat/nft.c) into a port range the host
 * never picks for its own connections (CLAT_SHARED_PORT_LO..HI, above Linux's default ephemeral
 * range 32768-60999), and an IPv6 packet arriving for the address belongs to the CLAT when its
 * destination port (TCP, UDP), echo identifier (ICMPv6 Echo Reply) or, inside an ICMPv6 error, the
 * quoted packet's source port or identifier is in that range. The host's kernel drops what belongs to
 * the CLAT (nftables again), and the CLAT leaves everything else to the kernel. docs/clat.md gives
 * the reasons and the limits. Pure code. */
#ifndef XLAT464_CLAT_SHARED_H
#define XLAT464_CLAT_SHARED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLAT_SHARED_PORT_LO 61000
#define CLAT_SHARED_PORT_HI 65535

enum clat_shared_verdict {
	CLAT_SHARED_HOST,     /* the host's own traffic: leave it to the kernel */
	CLAT_SHARED_CLAT,     /* for the CLAT: port or identifier in the range */
	CLAT_SHARED_FRAGMENT, /* a non-first fragment: no ports to tell by; the CLAT translates it */
	CLAT_SHARED_MALFORMED /* too short, too many extension headers: not translated */
};

/* Decides whom an IPv6 packet (from its first byte) for the shared address belongs to, by the port
 * or identifier in [lo, hi]. Bounds-checked against len. */
enum clat_shared_verdict clat_shared_classify(const uint8_t *pkt, size_t len, uint16_t lo, uint16_t hi);

const char *clat_shared_verdict_name(enum clat_shared_verdict v);

#endif
