/* Per-packet cost of the translation core on one core: no I/O, packets built in memory.
 *
 *   percore                          time every case in both directions: ns per packet (median of
 *                                    several runs) for xlat_4to6/xlat_6to4 and for a plain memcpy of
 *                                    the same bytes (the floor); one line per case and direction
 *   percore --count K --case C --dir 4to6|6to4 [--memcpy | --harness]
 *                                    translate (or copy) exactly K packets and exit, for
 *                                    `valgrind --tool=callgrind`: two runs with K1 and K2 packets give
 *                                    instructions per packet as (Ir2 - Ir1) / (K2 - K1), so start-up
 *                                    cost cancels (bench/run.sh does this)
 *
 * Cases: tcp1400 (TCP with 1400 data bytes), udp64 (a 64-byte IPv4 UDP packet, the same UDP payload
 * in IPv6), icmp-echo (echo request, 56 data bytes), icmp-error (Destination Unreachable, port, quoting
 * a UDP packet). The configuration is a CLAT-like SIIT: pool6 2001:db8:6464:6464:6464:6464::/96 for the
 * IPv4 side (host 203.0.113.5) and one EAM entry 198.51.100.0/24 = 2001:db8:eeee::/120 for the IPv6
 * side (host 2001:db8:eeee::7), router behaviour, MTUs 1500. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/csum.h"
#include "xlat/xlat.h"

enum { B_ICMP = 1, B_TCP = 6, B_UDP = 17, B_ICMPV6 = 58 };
enum bench_case { CASE_TCP, CASE_UDP, CASE_ECHO, CASE_ERROR, CASE__COUNT };
static const char *const case_names[CASE__COUNT] = { "tcp1400", "udp64", "icmp-echo", "icmp-error" };

static const uint8_t host4[4] = { 203, 0, 113, 5 };      /* IPv4 side, through pool6 */
static const uint8_t host6_4[4] = { 198, 51, 100, 7 };   /* the IPv6 host's IPv4 address (EAM) */
static const uint8_t host6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee, [15] = 7 };
static const uint8_t pool6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x64, 0x64, 0x64, 0x64, 0x64, 0x64, 0x64, 0x64 };

struct bench_pkt {
	uint8_t b[2048];
	size_t len;
};

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void fill(uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + 3);
}

static size_t ip4_hdr(uint8_t *h, size_t l4_len, uint8_t proto, const uint8_t src[4], const uint8_t dst[4])
{
	memset(h, 0, 20);
	h[0] = 0x45;
	put16(h + 2, (unsigned)(20 + l4_len));
	put16(h + 4, 0x1234);
	put16(h + 6, 0x4000); /* DF: no fragmentation on the way */
	h[8] = 64;
	h[9] = proto;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	put16(h + 10, csum_fold(csum_partial(h, 20, 0)));
	return 20;
}

static size_t ip6_hdr(uint8_t *h, size_t l4_len, uint8_t next, const uint8_t src[16], const uint8_t dst[16])
{
	memset(h, 0, 40);
	h[0] = 0x60;
	put16(h + 4, (unsigned)l4_len);
	h[6] = next;
	h[7] = 64;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	return 40;
}

/* Writes the transport checksum at csum_off of l4 (family 4 or 6 pseudo-header; none for ICMPv4). */
static void l4_csum(int family, const uint8_t *ip, uint8_t *l4, size_t n, uint8_t proto, unsigned csum_off)
{
	uint32_t s = 0;
	if (family == 4 && proto != B_ICMP)
		s = csum_pseudo4(ip + 12, ip + 16, proto, (uint32_t)n);
	else if (family == 6)
		s = csum_pseudo6(ip + 8, ip + 24, proto, (uint32_t)n);
	put16(l4 + csum_off, 0);
	uint16_t c = csum_fold(csum_partial(l4, n, s));
	put16(l4 + csum_off, proto == B_UDP && c == 0 ? 0xffff : c);
}

/* A UDP datagram with n payload bytes, from sport to dport, after the IP header at ip. */
static size_t udp_build(int family, uint8_t *ip, uint8_t *l4, size_t n, unsigned sport, unsigned dport)
{
	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, (unsigned)(8 + n));
	fill(l4 + 8, n);
	l4_csum(family, ip, l4, 8 + n, B_UDP, 6);
	return 8 + n;
}

static void build(enum bench_case c, int family, struct bench_pkt *p)
{
	uint8_t dst6[16];
	memcpy(dst6, pool6, 16);
	memcpy(dst6 + 12, host4, 4);
	uint8_t *ip = p->b;
	size_t hl = family == 4 ? 20 : 40;
	uint8_t *l4 = ip + hl;
	size_t n = 0;
	uint8_t proto = 0;

	switch (c) {
	case CASE_TCP:
		proto = B_TCP;
		memset(l4, 0, 20);
		put16(l4, 443);
		put16(l4 + 2, 40000);
		put16(l4 + 4, 0x0102);
		put16(l4 + 10, 0x0304);
		l4[12] = 5 << 4;
		l4[13] = 0x18; /* PSH, ACK */
		put16(l4 + 14, 65535);
		fill(l4 + 20, 1400);
		n = 20 + 1400;
		break;
	case CASE_UDP:
		proto = B_UDP;
		n = 8 + 36; /* a 64-byte IPv4 packet */
		break;
	case CASE_ECHO:
		proto = family == 4 ? B_ICMP : B_ICMPV6;
		memset(l4, 0, 8);
		l4[0] = family == 4 ? 8 : 128;
		put16(l4 + 4, 0x4242);
		put16(l4 + 6, 1);
		fill(l4 + 8, 56);
		n = 8 + 56;
		break;
	case CASE_ERROR: {
		/* Port unreachable from the host on this side about a UDP packet it got from the other. */
		proto = family == 4 ? B_ICMP : B_ICMPV6;
		memset(l4, 0, 8);
		l4[0] = family == 4 ? 3 : 1;
		l4[1] = family == 4 ? 3 : 4;
		uint8_t *in = l4 + 8;
		size_t il;
		if (family == 4) {
			il = ip4_hdr(in, 8 + 36, B_UDP, host6_4, host4);
			il += udp_build(4, in, in + il, 36, 40000, 53);
		} else {
			il = ip6_hdr(in, 8 + 36, B_UDP, dst6, host6);
			il += udp_build(6, in, in + il, 36, 53, 40000);
		}
		n = 8 + il;
		break;
	}
	default:
		abort();
	}
	/* 4to6 packets go from the IPv4 host to the IPv6 host, 6to4 ones the other way. */
	if (family == 4)
		ip4_hdr(ip, n, proto, host4, host6_4);
	else
		ip6_hdr(ip, n, proto, host6, dst6);
	if (c == CASE_UDP)
		udp_build(family, ip, l4, 36, 53, 40000);
	else if (c == CASE_TCP)
		l4_csum(family, ip, l4, n, proto, 16);
	else
		l4_csum(family, ip, l4, n, proto, 2);
	p->len = hl + n;
}

static struct xlat_config cfg;
static struct xlat_siit_map map;
static struct xlat_ctx ctx;
static struct xlat_out out;
static uint8_t copy_dst[2048];

static void setup(void)
{
	xlat_config_init(&cfg);
	struct xlat_prefix6 p6 = { .len = 96 };
	memcpy(p6.addr, pool6, 16);
	xlat_siit_map_set_pool6(&map, &p6);
	struct xlat_prefix4 v4 = { { 198, 51, 100, 0 }, 24 };
	struct xlat_prefix6 v6 = { { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee }, 120 };
	const char *why = NULL;
	if (xlat_siit_map_add_eam(&map, &v4, &v6, &why) != 0) {
		fprintf(stderr, "percore: EAM: %s\n", why ? why : "?");
		exit(1);
	}
	cfg.policy = xlat_siit_policy(&map);
	ctx.cfg = &cfg;
	xlat_ctx_init(&ctx, &cfg);
}

static void translate(int family, const struct bench_pkt *p)
{
	if (family == 4)
		xlat_4to6(&ctx, p->b, p->len, &out);
	else
		xlat_6to4(&ctx, p->b, p->len, &out);
}

/* The harness alone: the loop and a call with the translator's arguments to a function that does
 * nothing, so that bench/run.sh can give the translator's own instructions. */
static __attribute__((noinline)) void do_nothing(struct xlat_ctx *c, const uint8_t *pkt, size_t len, struct xlat_out *o)
{
	__asm__ volatile("" : : "r"(c), "r"(pkt), "r"(len), "r"(o) : "memory");
}

static void harness(const struct bench_pkt *p) { do_nothing(&ctx, p->b, p->len, &out); }

/* The floor: copying the packet's bytes once. The barrier keeps the copy from being optimised away. */
static void copy(const struct bench_pkt *p)
{
	memcpy(copy_dst, p->b, p->len);
	__asm__ volatile("" : : "r"(copy_dst) : "memory");
}

static void check_forwarded(enum bench_case c, int family, const struct bench_pkt *p)
{
	translate(family, p);
	if (out.action != XLAT_FORWARD || out.npkts != 1) {
		fprintf(stderr, "percore: %s %s: action %d, reason %s, %u packets (expected one forwarded)\n",
			case_names[c], family == 4 ? "4to6" : "6to4", (int)out.action, xlat_drop_name(out.reason),
			out.npkts);
		exit(1);
	}
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

enum { RUNS = 11 };

/* Median over RUNS runs of ns per operation; each run lasts about 20 ms. */
static double time_op(int family, const struct bench_pkt *p, bool memcpy_only)
{
	unsigned long iters = 1000;
	for (;;) { /* calibrate */
		double t0 = now_ns();
		for (unsigned long i = 0; i < iters; i++)
			memcpy_only ? copy(p) : translate(family, p);
		if (now_ns() - t0 > 5e6 || iters > (1ul << 30))
			break;
		iters *= 2;
	}
	iters *= 4;
	double r[RUNS];
	for (int k = 0; k < RUNS; k++) {
		double t0 = now_ns();
		for (unsigned long i = 0; i < iters; i++)
			memcpy_only ? copy(p) : translate(family, p);
		r[k] = (now_ns() - t0) / (double)iters;
	}
	qsort(r, RUNS, sizeof(r[0]), cmp_double);
	return r[RUNS / 2];
}

static int usage(void)
{
	fprintf(stderr, "usage: percore\n       percore --count K --case tcp1400|udp64|icmp-echo|icmp-error "
			"--dir 4to6|6to4 [--memcpy | --harness]\n");
	return 2;
}

int main(int argc, char **argv)
{
	long count = -1;
	int only_case = -1, only_family = 0;
	bool memcpy_only = false, harness_only = false;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--count") && i + 1 < argc) {
			count = strtol(argv[++i], NULL, 10);
		} else if (!strcmp(argv[i], "--case") && i + 1 < argc) {
			i++;
			for (int c = 0; c < CASE__COUNT; c++)
				if (!strcmp(argv[i], case_names[c]))
					only_case = c;
			if (only_case < 0)
				return usage();
		} else if (!strcmp(argv[i], "--dir") && i + 1 < argc) {
			i++;
			only_family = !strcmp(argv[i], "4to6") ? 4 : !strcmp(argv[i], "6to4") ? 6 : 0;
			if (!only_family)
				return usage();
		} else if (!strcmp(argv[i], "--memcpy")) {
			memcpy_only = true;
		} else if (!strcmp(argv[i], "--harness")) {
			harness_only = true;
		} else {
			return usage();
		}
	}
	setup();

	if (count >= 0) {
		if (only_case < 0 || !only_family)
			return usage();
		static struct bench_pkt p;
		build((enum bench_case)only_case, only_family, &p);
		check_forwarded((enum bench_case)only_case, only_family, &p); /* the same in every run */
		for (long i = 0; i < count; i++)
			memcpy_only ? copy(&p) : harness_only ? harness(&p) : translate(only_family, &p);
		return 0;
	}

	printf("# case dir in_bytes out_bytes xlat_ns memcpy_ns\n");
	for (int c = 0; c < CASE__COUNT; c++) {
		if (only_case >= 0 && c != only_case)
			continue;
		for (int family = 4; family <= 6; family += 2) {
			if (only_family && family != only_family)
				continue;
			static struct bench_pkt p;
			build((enum bench_case)c, family, &p);
			check_forwarded((enum bench_case)c, family, &p);
			size_t out_len = out.pkt[0].len;
			double xn = time_op(family, &p, false);
			double mn = time_op(family, &p, true);
			printf("%s %s %zu %zu %.1f %.1f\n", case_names[c], family == 4 ? "4to6" : "6to4", p.len,
			       out_len, xn, mn);
			fflush(stdout);
		}
	}
	return 0;
}
