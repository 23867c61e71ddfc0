/* The stateful NAT64's cost on one core, in memory: lib/nat64 deciding, lib/xlat translating, no I/O
 * (RFC 9693 style: connection setup rate, per-packet cost, table capacity and memory per session).
 *
 *   nat64 [--flows N]      one table line per figure (bench/nat64.sh prints them):
 *                            new     N new UDP flows, each packet the first of its flow (a binding and
 *                                    a session made): ns per new session, new sessions per second
 *                            est6    the same N flows again, round robin (every packet a lookup in a
 *                                    table of N sessions): ns per packet, IPv6 to IPv4
 *                            est4    the servers' answers to the N flows, IPv4 to IPv6
 *                            hot6    one established flow, the same packet again (the table in cache)
 *                            siit6   the same packet through the stateless SIIT policy: the baseline
 *                                    of the same run (what the state costs on top of translating)
 *                            expire  removing the N sessions once their timeout passed: ns per session
 *                          and the memory: bytes allocated for the capacity, per session of capacity
 *   nat64 --count K --of M --phase new|est6|hot6|siit6
 *                          builds M packets, runs K of them through the phase and exits, for
 *                          `valgrind --tool=callgrind`: (Ir(K2) - Ir(K1)) / (K2 - K1) is instructions
 *                          per packet with start-up and packet building cancelled (same M in both)
 *
 * The flows: client 2001:db8:0:S::H (a subscriber /64 S per 256 flows) port 40000 to
 * 64:ff9b::203.0.113.D port 53, 36 bytes of UDP payload (a 64-byte IPv4 packet); pool4 198.51.100.0/24
 * with ports 1024-65535; capacity the next power of two at or above N (at least 65536). Every packet
 * is checked to be forwarded; any that is not stops the run. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/csum.h"
#include "nat64/nat64.h"
#include "xlat/xlat.h"

enum { B_UDP = 17, PAYLOAD = 36, PKT6_LEN = 40 + 8 + PAYLOAD, PKT4_LEN = 20 + 8 + PAYLOAD, RUNS = 5 };

static const uint8_t wkp[16] = { 0x00, 0x64, 0xff, 0x9b };

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void udp_fill(uint8_t *l4, unsigned sport, unsigned dport, uint32_t pseudo)
{
	put16(l4, sport);
	put16(l4 + 2, dport);
	put16(l4 + 4, 8 + PAYLOAD);
	put16(l4 + 6, 0);
	for (unsigned i = 0; i < PAYLOAD; i++)
		l4[8 + i] = (uint8_t)(i * 7 + 3);
	uint16_t c = csum_fold(csum_partial(l4, 8 + PAYLOAD, pseudo));
	put16(l4 + 6, c ? c : 0xffff);
}

static void client6(uint32_t flow, uint8_t a[16])
{
	memset(a, 0, 16);
	a[0] = 0x20, a[1] = 0x01, a[2] = 0x0d, a[3] = 0xb8;
	a[6] = (uint8_t)(flow >> 16), a[7] = (uint8_t)(flow >> 8); /* the subscriber /64 */
	a[15] = (uint8_t)flow;
	a[14] = 1;
}

static void server4(uint32_t flow, uint8_t a[4])
{
	a[0] = 203, a[1] = 0, a[2] = 113, a[3] = (uint8_t)(1 + flow % 200);
}

static void build6(uint32_t flow, uint8_t *p)
{
	uint8_t dst[16];
	memcpy(dst, wkp, 16);
	server4(flow, dst + 12);
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, 8 + PAYLOAD);
	p[6] = B_UDP;
	p[7] = 64;
	client6(flow, p + 8);
	memcpy(p + 24, dst, 16);
	udp_fill(p + 40, 40000, 53, csum_pseudo6(p + 8, p + 24, B_UDP, 8 + PAYLOAD));
}

/* The server's answer to the packet that left as out4 (its source is the binding). */
static void build4_answer(const uint8_t *out4, uint8_t *p)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, PKT4_LEN);
	put16(p + 6, 0x4000);
	p[8] = 64;
	p[9] = B_UDP;
	memcpy(p + 12, out4 + 16, 4);
	memcpy(p + 16, out4 + 12, 4);
	put16(p + 10, csum_fold(csum_partial(p, 20, 0)));
	unsigned port4 = (unsigned)out4[20] << 8 | out4[21];
	udp_fill(p + 20, 53, port4, csum_pseudo4(p + 12, p + 16, B_UDP, 8 + PAYLOAD));
}

static struct nat64_config ncfg;
static struct nat64 *nat;
static struct xlat_config xcfg_nat, xcfg_siit;
static struct xlat_ctx ctx_nat, ctx_siit;
static struct xlat_siit_map siit_map;
static struct xlat_out out;
static uint8_t *pk6, *pk4; /* flows x PKT6_LEN, flows x PKT4_LEN */
static uint32_t nflows;
static uint64_t now_ms = 1000000;

static void die(const char *what)
{
	fprintf(stderr, "nat64 bench: %s (reason %s)\n", what, xlat_drop_name(out.reason));
	exit(1);
}

static void setup(uint32_t flows)
{
	const char *why = NULL;
	nflows = flows;
	nat64_config_init(&ncfg);
	memcpy(ncfg.pool6.addr, wkp, 16);
	ncfg.pool6.len = 96;
	ncfg.allow_wkp_non_global = true; /* documentation addresses on both sides */
	ncfg.npool4 = 1;
	ncfg.pool4[0].prefix = (struct xlat_prefix4){ { 198, 51, 100, 0 }, 24 };
	ncfg.pool4[0].port_min = 1024;
	ncfg.pool4[0].port_max = 65535;
	uint32_t cap = 65536;
	while (cap < flows)
		cap <<= 1;
	ncfg.max_sessions = cap;
	nat = nat64_create(&ncfg, 0x464464, &why);
	if (!nat) {
		fprintf(stderr, "nat64 bench: nat64_create: %s\n", why ? why : "?");
		exit(1);
	}
	nat64_set_now(nat, now_ms);
	xlat_config_init(&xcfg_nat);
	xcfg_nat.policy = nat64_policy(nat);
	xlat_ctx_init(&ctx_nat, &xcfg_nat);

	/* The stateless baseline: the same prefix, the client's /104 mapped by an EAM entry. */
	xlat_siit_map_set_pool6(&siit_map, &ncfg.pool6);
	struct xlat_prefix4 e4 = { { 198, 51, 100, 0 }, 24 };
	struct xlat_prefix6 e6 = { { 0x20, 0x01, 0x0d, 0xb8 }, 120 };
	client6(0, e6.addr);
	e6.addr[15] = 0;
	if (xlat_siit_map_add_eam(&siit_map, &e4, &e6, &why) != 0) {
		fprintf(stderr, "nat64 bench: EAM: %s\n", why ? why : "?");
		exit(1);
	}
	xlat_config_init(&xcfg_siit);
	xcfg_siit.policy = xlat_siit_policy(&siit_map);
	xlat_ctx_init(&ctx_siit, &xcfg_siit);

	pk6 = malloc((size_t)flows * PKT6_LEN);
	pk4 = malloc((size_t)flows * PKT4_LEN);
	if (!pk6 || !pk4)
		die("out of memory");
	for (uint32_t f = 0; f < flows; f++)
		build6(f, pk6 + (size_t)f * PKT6_LEN);
}

static inline void run6(struct xlat_ctx *ctx, const uint8_t *p)
{
	xlat_6to4(ctx, p, PKT6_LEN, &out);
	if (__builtin_expect(out.action != XLAT_FORWARD, 0))
		die("a 6to4 packet was not forwarded");
}

static inline void run4(const uint8_t *p)
{
	xlat_4to6(&ctx_nat, p, PKT4_LEN, &out);
	if (__builtin_expect(out.action != XLAT_FORWARD, 0))
		die("a 4to6 answer was not forwarded");
}

/* An established pass that keeps each flow's answer for est4 (its destination is the binding). */
static void pass_answers(uint32_t count)
{
	uint8_t flat[128];
	for (uint32_t f = 0; f < count; f++) {
		run6(&ctx_nat, pk6 + (size_t)f * PKT6_LEN);
		if (xlat_pkt_flatten(&out.pkt[0], flat, sizeof(flat)) != PKT4_LEN)
			die("unexpected output length");
		build4_answer(flat, pk4 + (size_t)f * PKT4_LEN);
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

static double median(double *r, int n)
{
	qsort(r, (size_t)n, sizeof(r[0]), cmp_double);
	return r[n / 2];
}

/* ns per packet of the same packet again and again (cache-hot), median of RUNS runs. */
static double time_hot(struct xlat_ctx *ctx, const uint8_t *p)
{
	enum { ITERS = 2000000 };
	double r[RUNS];
	for (int k = 0; k < RUNS; k++) {
		double t0 = now_ns();
		for (int i = 0; i < ITERS; i++)
			run6(ctx, p);
		r[k] = (now_ns() - t0) / ITERS;
	}
	return median(r, RUNS);
}

static int usage(void)
{
	fprintf(stderr, "usage: nat64 [--flows N]\n       nat64 --count K --of M --phase new|est6|hot6|siit6\n");
	return 2;
}

int main(int argc, char **argv)
{
	long count = -1, of = -1, flows = 1 << 20;
	const char *phase = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--flows") && i + 1 < argc)
			flows = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--count") && i + 1 < argc)
			count = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--of") && i + 1 < argc)
			of = strtol(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--phase") && i + 1 < argc)
			phase = argv[++i];
		else
			return usage();
	}
	if (count >= 0) { /* callgrind mode */
		if (!phase || of < count || of < 1 || of > (1 << 24))
			return usage();
		setup((uint32_t)of);
		if (!strcmp(phase, "new")) {
			for (long f = 0; f < count; f++)
				run6(&ctx_nat, pk6 + (size_t)f * PKT6_LEN);
		} else if (!strcmp(phase, "est6")) {
			pass_answers((uint32_t)of);
			for (long f = 0; f < count; f++)
				run6(&ctx_nat, pk6 + (size_t)f * PKT6_LEN);
		} else if (!strcmp(phase, "hot6") || !strcmp(phase, "siit6")) {
			struct xlat_ctx *ctx = phase[0] == 'h' ? &ctx_nat : &ctx_siit;
			for (long f = 0; f < count; f++)
				run6(ctx, pk6);
		} else {
			return usage();
		}
		return 0;
	}
	if (flows < 1 || flows > (1 << 24))
		return usage();
	setup((uint32_t)flows);
	printf("# figure value unit\n");

	double t0 = now_ns();
	for (uint32_t f = 0; f < nflows; f++)
		run6(&ctx_nat, pk6 + (size_t)f * PKT6_LEN);
	double t_new = now_ns() - t0;
	pass_answers(nflows); /* untimed */
	struct nat64_stats st;
	nat64_get_stats(nat, &st);
	uint64_t sessions = st.sessions[NAT64_UDP];
	if (sessions != nflows || st.bibs[NAT64_UDP] != nflows) {
		fprintf(stderr, "nat64 bench: %llu sessions and %llu bindings for %u flows\n",
			(unsigned long long)sessions, (unsigned long long)st.bibs[NAT64_UDP], nflows);
		return 1;
	}
	printf("new_session_ns %.1f ns\n", t_new / nflows);
	printf("new_sessions_per_second %.0f 1/s\n", nflows / (t_new / 1e9));

	double r6[RUNS], r4[RUNS];
	for (int k = 0; k < RUNS; k++) {
		t0 = now_ns();
		for (uint32_t f = 0; f < nflows; f++)
			run6(&ctx_nat, pk6 + (size_t)f * PKT6_LEN);
		r6[k] = (now_ns() - t0) / nflows;
		t0 = now_ns();
		for (uint32_t f = 0; f < nflows; f++)
			run4(pk4 + (size_t)f * PKT4_LEN);
		r4[k] = (now_ns() - t0) / nflows;
	}
	nat64_get_stats(nat, &st);
	if (st.sessions_created != nflows)
		die("an established flow made a new session");
	printf("est6_ns %.1f ns\n", median(r6, RUNS));
	printf("est4_ns %.1f ns\n", median(r4, RUNS));
	printf("hot6_ns %.1f ns\n", time_hot(&ctx_nat, pk6));
	printf("siit6_ns %.1f ns\n", time_hot(&ctx_siit, pk6));

	/* expiry: past the UDP timeout, in budgets of 100,000 as the daemon's timer would */
	now_ms += (uint64_t)ncfg.timeout_udp * 1000 + 1000;
	nat64_set_now(nat, now_ms);
	t0 = now_ns();
	uint64_t gone = 0;
	unsigned n;
	while ((n = nat64_expire(nat, now_ms, 100000)) > 0)
		gone += n;
	double t_exp = now_ns() - t0;
	nat64_get_stats(nat, &st);
	if (gone != nflows || st.sessions[NAT64_UDP] != 0 || st.bibs[NAT64_UDP] != 0)
		die("expiry left sessions or bindings behind");
	printf("expire_ns %.1f ns\n", t_exp / nflows);
	printf("capacity %u sessions\n", ncfg.max_sessions);
	printf("memory %zu bytes\n", st.memory_bytes);
	printf("memory_per_session_of_capacity %.1f bytes\n", (double)st.memory_bytes / ncfg.max_sessions);
	printf("bytes_per_session %zu bytes\n", st.bytes_per_session);
	nat64_destroy(nat);
	free(pk6);
	free(pk4);
	return 0;
}
