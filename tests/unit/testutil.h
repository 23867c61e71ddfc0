/* Small helpers shared by the unit tests (header-only: each test is one translation unit).
 * Reference checksums here are written the naive way on purpose, to check lib/common/csum.c. */
#ifndef XLAT464_TESTUTIL_H
#define XLAT464_TESTUTIL_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/cursor.h"
#include "xlat/xlat.h"

#define T_PROTO_ICMP 1
#define T_PROTO_TCP 6
#define T_PROTO_UDP 17
#define T_PROTO_FRAG 44
#define T_PROTO_ICMP6 58

/* splitmix64: a seeded PRNG whose sequence is the same on every machine. */
static inline uint64_t t_rand(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static inline uint32_t t_rand_below(uint64_t *s, uint32_t n) { return (uint32_t)(t_rand(s) % n); }

static inline void t_rand_bytes(uint64_t *s, uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)t_rand(s);
}

/* The seed comes from XLAT_SEED when set (to replay a failure), else from the clock. */
static inline uint64_t t_seed(const char *test)
{
	const char *e = getenv("XLAT_SEED");
	uint64_t seed = e ? strtoull(e, NULL, 0) : (uint64_t)time(NULL);
	printf("%s: seed %llu (replay with XLAT_SEED=%llu)\n", test, (unsigned long long)seed,
	       (unsigned long long)seed);
	return seed;
}

/* Naive RFC 1071 sum: 16-bit big-endian words added in 64 bits, folded at the end. */
static inline uint16_t t_naive_sum(const uint8_t *p, size_t n, uint64_t start)
{
	uint64_t s = start;
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint64_t)p[i] << 8 | p[i + 1];
	if (n & 1)
		s += (uint64_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static inline uint16_t t_naive_csum(const uint8_t *p, size_t n, uint64_t start)
{
	return (uint16_t)~t_naive_sum(p, n, start);
}

static inline uint64_t t_pseudo4(const uint8_t *ip4, uint8_t proto, size_t l4len)
{
	return (uint64_t)t_naive_sum(ip4 + 12, 8, 0) + proto + l4len;
}

static inline uint64_t t_pseudo6(const uint8_t *ip6, uint8_t next, size_t l4len)
{
	return (uint64_t)t_naive_sum(ip6 + 8, 32, 0) + next + (l4len >> 16) + (l4len & 0xffff);
}

static inline bool t_parse_prefix6(const char *s, struct xlat_prefix6 *p)
{
	char buf[64];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(p, 0, sizeof(*p));
	p->len = slash ? (uint8_t)atoi(slash + 1) : 128;
	return inet_pton(AF_INET6, buf, p->addr) == 1;
}

static inline bool t_parse_prefix4(const char *s, struct xlat_prefix4 *p)
{
	char buf[32];
	const char *slash = strchr(s, '/');
	size_t n = slash ? (size_t)(slash - s) : strlen(s);
	if (n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = 0;
	memset(p, 0, sizeof(*p));
	p->len = slash ? (uint8_t)atoi(slash + 1) : 32;
	return inet_pton(AF_INET, buf, p->addr) == 1;
}

static inline void t_v6(const char *s, uint8_t a[16])
{
	if (inet_pton(AF_INET6, s, a) != 1) {
		fprintf(stderr, "bad IPv6 literal in test: %s\n", s);
		abort();
	}
}

static inline void t_v4(const char *s, uint8_t a[4])
{
	if (inet_pton(AF_INET, s, a) != 1) {
		fprintf(stderr, "bad IPv4 literal in test: %s\n", s);
		abort();
	}
}

#endif
