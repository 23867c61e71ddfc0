/* Internet checksum helpers (RFC 1071, RFC 1624), used the same way everywhere:
 *   sum = csum_partial(data, len, sum)   accumulate 16-bit big-endian words into a 32-bit sum
 *   csum_fold(sum)                       fold to 16 bits and complement: the value for the wire
 *   csum_replace(old_csum, old_sum, new_sum)  RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m')
 * Sums are kept in host order of big-endian words, so they are independent of the machine. */
#ifndef XLAT464_CSUM_H
#define XLAT464_CSUM_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* The 64-bit helpers below serve the fast path (lib/xlat/fastpath.c), where every instruction
 * counts: always inlined, whatever the inliner thinks of a function with many callers. */
#define CSUM_INLINE static inline __attribute__((always_inline))

uint32_t csum_partial(const void *data, size_t len, uint32_t sum);

/* Two folds reduce any 32-bit sum to 16 bits: the first leaves at most 0x1fffe. */
static inline uint16_t csum_fold16(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
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

/* Sum of a short run of 32-bit big-endian words (addresses, IPv4 headers): the same one's-complement
 * sum as csum_partial, but inlined, so the per-packet path makes no call. n must be a multiple of 4. */
/* Accumulates 32-bit words in native order without folding; csum_acc_fold turns the total into the
 * folded big-endian sum (RFC 1071 section 2 (B): the sum is byte-order independent, so one swap at
 * the end suffices). Several short fields then cost one fold. n must be a multiple of 4. */
static inline uint64_t csum_acc(const uint8_t *p, size_t n, uint64_t acc)
{
	/* Unrolled by hand for the sizes on the per-packet path (addresses, IPv4 headers): -O2 does not
	 * unroll this loop, and its overhead would double the cost. */
	uint32_t w[5];
	if (n == 4 || n == 16 || n == 20) {
		memcpy(w, p, n); /* alignment-safe loads */
		acc += w[0];
		if (n >= 16)
			acc += (uint64_t)w[1] + w[2] + w[3];
		if (n == 20)
			acc += w[4];
		return acc;
	}
	for (size_t i = 0; i < n; i += 4) {
		memcpy(w, p + i, 4);
		acc += w[0];
	}
	return acc;
}

static inline uint32_t csum_acc_fold(uint64_t s)
{
	s = (s & 0xffffffff) + (s >> 32); /* at most 33 bits */
	s = (s & 0xffff) + (s >> 16);     /* at most 0x1fffe */
	s = (s & 0xffff) + (s >> 16);
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	s = (uint16_t)(s << 8 | s >> 8);
#endif
	return (uint32_t)s;
}

/* One's-complement addition of 64-bit words in memory order (end-around carry): the 64-bit form of
 * csum_acc, two instructions a word; csum_acc_fold folds the result like any other accumulator. */
CSUM_INLINE uint64_t csum_add64(uint64_t acc, uint64_t w)
{
	acc += w;
	return acc + (acc < w);
}

/* csum_add64(csum_add64(a, b), c): on x86-64 one carry chain (add, adc, adc), as the kernel's
 * csum_add does, where C needs a compare for each carry. */
CSUM_INLINE uint64_t csum_add64x3(uint64_t a, uint64_t b, uint64_t c)
{
#if defined(__x86_64__) && defined(__GNUC__)
	__asm__("addq %2, %0\n\tadcq %3, %0\n\tadcq $0, %0" : "=r"(a) : "0"(a), "r"(b), "r"(c) : "cc");
	return a;
#else
	return csum_add64(csum_add64(a, b), c);
#endif
}

/* Folds a 64-bit one's-complement sum to 16 bits without complementing or byte-swapping it: two
 * end-around-carry additions of halves (64 to 32, 32 to 16 bits). A nonzero sum stays nonzero. */
CSUM_INLINE uint16_t csum_fold64(uint64_t s)
{
	uint32_t lo = (uint32_t)s, hi = (uint32_t)(s >> 32);
	lo += hi;
	lo += lo < hi;
	uint16_t l = (uint16_t)lo, h = (uint16_t)(lo >> 16);
	l = (uint16_t)(l + h);
	return (uint16_t)(l + (l < h));
}

/* The memory-order 64-bit word at p (alignment-safe), for csum_add64. */
CSUM_INLINE uint64_t csum_word64(const uint8_t *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
	return w;
}

/* Sum of a short run of 32-bit words (addresses, IPv4 headers): csum_partial's result, inlined. */
static inline uint32_t csum_words(const uint8_t *p, size_t n) { return csum_acc_fold(csum_acc(p, n, 0)); }

/* Pseudo-header sums (RFC 768/793 for IPv4, RFC 8200 section 8.1 for IPv6). */
static inline uint32_t csum_pseudo4(const uint8_t src[4], const uint8_t dst[4], uint8_t proto, uint32_t len)
{
	return csum_fold16(csum_acc_fold(csum_acc(src, 4, csum_acc(dst, 4, 0))) + proto + (len & 0xffff));
}

static inline uint32_t csum_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint8_t next, uint32_t len)
{
	return csum_fold16(csum_acc_fold(csum_acc(src, 16, csum_acc(dst, 16, 0))) + (len >> 16) + (len & 0xffff) + next);
}

#endif
