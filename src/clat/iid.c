#include "iid.h"

#include <string.h>

static const char clat_iid_label[] = "xlat464-clat-iid"; /* domain separation from other uses of the key */

static inline uint64_t rotl(uint64_t x, unsigned b) { return (x << b) | (x >> (64 - b)); }

static inline uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#define SIPROUND()                                                                                           \
	do {                                                                                                 \
		v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);                                    \
		v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;                                                       \
		v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;                                                       \
		v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);                                    \
	} while (0)

uint64_t clat_siphash24(const uint8_t key[CLAT_IID_KEY_LEN], const uint8_t *data, size_t len)
{
	uint64_t k0 = le64(key), k1 = le64(key + 8);
	uint64_t v0 = 0x736f6d6570736575ULL ^ k0, v1 = 0x646f72616e646f6dULL ^ k1;
	uint64_t v2 = 0x6c7967656e657261ULL ^ k0, v3 = 0x7465646279746573ULL ^ k1;
	size_t full = len - len % 8;

	for (size_t i = 0; i < full; i += 8) {
		uint64_t m = le64(data + i);
		v3 ^= m;
		SIPROUND();
		SIPROUND();
		v0 ^= m;
	}
	uint64_t b = (uint64_t)len << 56;
	for (size_t i = 0; i < len % 8; i++)
		b |= (uint64_t)data[full + i] << (8 * i);
	v3 ^= b;
	SIPROUND();
	SIPROUND();
	v0 ^= b;
	v2 ^= 0xff;
	SIPROUND();
	SIPROUND();
	SIPROUND();
	SIPROUND();
	return v0 ^ v1 ^ v2 ^ v3;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

bool clat_iid_key_from_machine_id(const char *text, size_t len, uint8_t key[CLAT_IID_KEY_LEN])
{
	if (len > 2 * CLAT_IID_KEY_LEN && text[2 * CLAT_IID_KEY_LEN] == '\n')
		len = 2 * CLAT_IID_KEY_LEN;
	if (len != 2 * CLAT_IID_KEY_LEN)
		return false;
	for (size_t i = 0; i < CLAT_IID_KEY_LEN; i++) {
		int hi = hexval(text[2 * i]), lo = hexval(text[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		key[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

bool clat_iid_reserved(const uint8_t a[16])
{
	static const uint8_t zero[8];
	static const uint8_t eth_reserved[5] = { 0x02, 0x00, 0x5e, 0xff, 0xfe }; /* 0200:5eff:fe00::/104 */
	if (memcmp(a + 8, zero, 8) == 0)
		return true;
	if (memcmp(a + 8, eth_reserved, 5) == 0)
		return true;
	/* Subnet anycast, RFC 2526: fdff:ffff:ffff:ff80 to fdff:ffff:ffff:ffff. */
	static const uint8_t anycast[7] = { 0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	return memcmp(a + 8, anycast, 7) == 0 && a[15] >= 0x80;
}

void clat_iid_make(const uint8_t key[CLAT_IID_KEY_LEN], const uint8_t prefix64[16], const uint8_t *net_iface,
		   size_t net_iface_len, unsigned dad_counter, uint8_t out[16])
{
	uint8_t in[sizeof(clat_iid_label) - 1 + 8 + CLAT_IID_NET_IFACE_MAX + 4];
	size_t off = 0;

	if (net_iface_len > CLAT_IID_NET_IFACE_MAX)
		net_iface_len = CLAT_IID_NET_IFACE_MAX;
	memcpy(in, clat_iid_label, sizeof(clat_iid_label) - 1);
	off += sizeof(clat_iid_label) - 1;
	memcpy(in + off, prefix64, 8);
	off += 8;
	memcpy(in + off, net_iface, net_iface_len);
	off += net_iface_len;
	memcpy(out, prefix64, 8);
	/* A reserved result moves on to a counter value no caller uses (the high bit set). */
	for (uint32_t c = dad_counter, tries = 0;; c = (c | 0x80000000u) + 1, tries++) {
		in[off] = (uint8_t)(c >> 24);
		in[off + 1] = (uint8_t)(c >> 16);
		in[off + 2] = (uint8_t)(c >> 8);
		in[off + 3] = (uint8_t)c;
		uint64_t rid = clat_siphash24(key, in, off + 4);
		for (int i = 0; i < 8; i++)
			out[8 + i] = (uint8_t)(rid >> (56 - 8 * i));
		if (!clat_iid_reserved(out) || tries > 16)
			return;
	}
}
