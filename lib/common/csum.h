/* Internet checksum helpers (RFC 1071, RFC 1624), used the same way everywhere:
 *   sum = csum_partial(data, len, sum)   accumulate 16-bit big-endian words into a 32-bit sum
 *   csum_fold(sum)                       fold to 16 bits and complement: the value for the wire
 *   csum_replace(old_csum, old_sum, new_sum)  RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')
 * Sums are kept in host order of big-endian words, so they are independent of the machine. */
#ifndef XLAT464_CSUM_H
#define XLAT464_CSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t csum_partial(const void *data, size_t len, uint32_t sum);

static inline uint16_t csum_fold16(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static inline uint16_t csum_fold(uint32_t sum) { return (uint16_t)~csum_fold16(sum); }

/* Adjusts a wire checksum when data summing to old_sum is replaced by data summing to new_sum. */
static inline uint16_t csum_replace(uint16_t old_csum, uint32_t old_sum, uint32_t new_sum)
{
	uint32_t s = (uint16_t)~old_csum;
	s += (uint16_t)~csum_fold16(old_sum);
	s += csum_fold16(new_sum);
	return (uint16_t)~csum_fold16(s);
}

/* Pseudo-header sums (RFC 768/793 for IPv4, RFC 8200 section 8.1 for IPv6). */
uint32_t csum_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint32_t len);
uint32_t csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t next, uint32_t len);

#endif
