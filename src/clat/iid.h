/* The CLAT's IPv6 address: a stable, semantically opaque interface identifier in the uplink's /64,
 * in the manner of RFC 7217 section 5:
 *
 *     RID = F(Prefix, Net_Iface, Network_ID, DAD_Counter, secret_key)
 *
 * with F = SipHash-2-4 (a keyed PRF with a 128-bit key; RFC 7217 asks only for a PRF that cannot be
 * inverted without the key), secret_key = the 128-bit /etc/machine-id, Net_Iface = the uplink's
 * link-layer address (stable across reboots, unlike its ifindex), no Network_ID, and a fixed label so
 * the CLAT never computes the address the kernel's own stable-privacy SLAAC would. The same host on
 * the same network gets the same address after every restart; another host or another network
 * cannot guess it. Pure code: the caller reads the key. */
#ifndef XLAT464_CLAT_IID_H
#define XLAT464_CLAT_IID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CLAT_IID_KEY_LEN 16
#define CLAT_IID_MAX_DAD_RETRIES 3 /* RFC 7217 section 6: IDGEN_RETRIES */

/* SipHash-2-4 of data under a 16-byte key (Aumasson and Bernstein, 2012). */
uint64_t clat_siphash24(const uint8_t key[CLAT_IID_KEY_LEN], const uint8_t *data, size_t len);

/* Parses the 32 hex digits of /etc/machine-id (a trailing newline allowed) into a key. */
bool clat_iid_key_from_machine_id(const char *text, size_t len, uint8_t key[CLAT_IID_KEY_LEN]);

#define CLAT_IID_NET_IFACE_MAX 16 /* a MAC address, or an interface name (IFNAMSIZ) */

/* Writes prefix64 (its first 8 bytes count) + the identifier for dad_counter into out. net_iface is
 * RFC 7217's Net_Iface (net_iface_len bytes, at most CLAT_IID_NET_IFACE_MAX: more are ignored). Identifiers
 * reserved by RFC 5453 (all zero, the subnet-router anycast range, the Ethernet-derived reserved
 * range 0200:5eff:fe00:0000/104 ...) are skipped by hashing again with the next counter value
 * internally, so any counter gives a usable address. */
void clat_iid_make(const uint8_t key[CLAT_IID_KEY_LEN], const uint8_t prefix64[16], const uint8_t *net_iface,
		   size_t net_iface_len, unsigned dad_counter, uint8_t out[16]);

/* True for the RFC 5453 reserved interface identifiers (bytes 8..15 of addr). */
bool clat_iid_reserved(const uint8_t addr[16]);

#endif
