/* Shared by the lib/ndp sources: the checksum and the option walk. Not part of the API. */
#ifndef XLAT464_NDP_INTERNAL_H
#define XLAT464_NDP_INTERNAL_H

#include "ndp.h"

#define NDP_OPT_UNIT 8        /* option lengths count 8-octet units (RFC 4861 section 4.6) */
#define NDP_LLADDR_OPT_LEN 8  /* type, length, 6-byte Ethernet address */
#define NDP_MTU_OPT_LEN 8
#define NDP_PIO_OPT_LEN 32
#define NDP_DNSSL_HDR_LEN 8   /* type, length, reserved, lifetime; then the names */
#define NDP_RDNSS_HDR_LEN 8   /* type, length, reserved, lifetime; then 16 bytes per address */
#define NDP_CSUM_OFF 2

/* The ICMPv6 checksum over msg with the RFC 8200 section 8.1 pseudo-header. */
uint16_t ndp_checksum(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len);
/* Fills the checksum field of a message whose other bytes are final. */
void ndp_checksum_fill(const uint8_t src[16], const uint8_t dst[16], uint8_t *msg, size_t len);


/* A Source or Target Link-Layer Address option holding an Ethernet address (length 1). */
enum ndp_result ndp_option_lladdr(const uint8_t *opt, size_t len, uint8_t mac[6]);
/* Writes a link-layer address option of the given type; returns its length (8). */
size_t ndp_option_put_lladdr(uint8_t *p, uint8_t type, const uint8_t mac[6]);

#endif
