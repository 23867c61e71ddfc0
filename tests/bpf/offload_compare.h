/* What a kernel fast path may do differently from lib/xlat, in one place for the differential tests
 * (tests/bpf/offload_diff.c and fuzz/fuzz_offload_bpf.c for the PLAT, tests/bpf/clat_diff.c and
 * fuzz/fuzz_clat_bpf.c for the CLAT), which hold a TC program (run with BPF_PROG_TEST_RUN) to the
 * userspace translation of the same packet:
 *   - the PLAT's TTL or hop limit: its program leaves the decrement to the stack's forwarding, so its
 *     value is one more (the CLAT decrements on neither path);
 *   - for an IPv4 packet that may be fragmented (DF clear), the Identification (each path has its own
 *     counter) and so the header checksum, which is verified on its own instead.
 * Everything else, the Ethernet type included, must be the same byte for byte. */
#ifndef XLAT464_TESTS_OFFLOAD_COMPARE_H
#define XLAT464_TESTS_OFFLOAD_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

enum { OFFLOAD_ETH_LEN = 14 };

/* The program's view of an IP packet: an Ethernet frame to and from 02:00:00:00:00:(00|01). frame
 * has room for OFFLOAD_ETH_LEN + n bytes. Returns the frame's length. */
static inline size_t offload_frame(uint8_t *frame, const uint8_t *pkt, size_t n, bool v6)
{
	memset(frame, 0, OFFLOAD_ETH_LEN);
	frame[0] = 0x02, frame[6] = 0x02, frame[11] = 1;
	frame[12] = v6 ? 0x86 : 0x08;
	frame[13] = v6 ? 0xdd : 0x00;
	memcpy(frame + OFFLOAD_ETH_LEN, pkt, n);
	return OFFLOAD_ETH_LEN + n;
}

/* A naive sum of its own: the check does not lean on lib/common/csum.h, which one side of the
 * comparison uses. */
static inline unsigned offload_csum16(const uint8_t *p, size_t n)
{
	uint32_t s = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

/* in_v6: the input was IPv6 (so the output is IPv4). user: the userspace translation (un bytes);
 * res: the frame the kernel gave back (rn bytes), whose IP part is rewritten to the allowed
 * differences. ttl_delta: how much higher the kernel's TTL or hop limit is (1 for the PLAT, whose
 * program leaves the decrement to the stack; 0 for the CLAT, which decrements on neither path).
 * NULL when the two agree, else what differs. */
static inline const char *offload_compare_ttl(bool in_v6, const uint8_t *user, size_t un, uint8_t *res, size_t rn,
					      unsigned ttl_delta)
{
	if (rn < OFFLOAD_ETH_LEN)
		return "the kernel's frame is shorter than an Ethernet header";
	uint8_t *k = res + OFFLOAD_ETH_LEN;
	size_t kn = rn - OFFLOAD_ETH_LEN;
	if (kn != un)
		return "lengths differ";
	if (in_v6) { /* out: IPv4 */
		if (un < 20)
			return "the userspace IPv4 packet is shorter than its header";
		if (res[12] != 0x08 || res[13] != 0x00)
			return "EtherType is not IPv4";
		if (offload_csum16(k, 20) != 0)
			return "the kernel's IPv4 header checksum is wrong";
		if (k[8] != (uint8_t)(user[8] + ttl_delta))
			return ttl_delta ? "TTL: the kernel's should be one more (the stack decrements)" : "TTL differs";
		k[8] = user[8];
		memcpy(k + 10, user + 10, 2);
		if (!(user[6] & 0x40)) /* each path its own Identification counter */
			memcpy(k + 4, user + 4, 2);
	} else {
		if (un < 40)
			return "the userspace IPv6 packet is shorter than its header";
		if (res[12] != 0x86 || res[13] != 0xdd)
			return "EtherType is not IPv6";
		if (k[7] != (uint8_t)(user[7] + ttl_delta))
			return ttl_delta ? "hop limit: the kernel's should be one more (the stack decrements)"
					 : "hop limit differs";
		k[7] = user[7];
	}
	return memcmp(k, user, un) == 0 ? NULL : "the packets differ";
}

/* The PLAT's comparison. */
static inline const char *offload_compare(bool in_v6, const uint8_t *user, size_t un, uint8_t *res, size_t rn)
{
	return offload_compare_ttl(in_v6, user, un, res, rn, 1);
}

#endif
