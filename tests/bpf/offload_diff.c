/* The PLAT's kernel fast path against its userspace path, packet by packet: the TC program of
 * lib/sys/bpf/nat64_offload.bpf.c, run by the kernel on each packet with BPF_PROG_TEST_RUN, must give
 * what lib/xlat with lib/nat64 gives for the same packet of the same session, byte for byte, except
 * where the two are meant to differ (tests/bpf/offload_compare.h: the TTL or hop limit, and the
 * Identification of an IPv4 packet that may be fragmented).
 * Sessions are made the real way: a SYN through the userspace path, the SYN-ACK back (the library
 * then hands the established session to the program's maps through nat64_set_offload), or a first
 * UDP datagram. Then random data packets of those sessions go both ways: TCP with any flags but SYN,
 * FIN and RST, UDP with a checksum, any size up to 1400 bytes, any traffic class and hop limit.
 * Packets the program must leave alone (SYN, FIN, RST, UDP without checksum, hop limit 1, a flow not
 * in the maps, an IPv6 packet shorter than its payload length) must come back untouched with
 * TC_ACT_UNSPEC; a small IPv4 packet with bytes after it (an Ethernet frame's padding) is translated
 * without them. fuzz/fuzz_offload_bpf.c does the
 * same on the packets a fuzzer makes.
 *
 *   build/tests/offload_diff [ROUNDS [SEED]]   (root, a kernel that runs BPF; tests/netns/plat_bpf.sh
 *                                               runs it) exits 1 at the first difference */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/pkt_cls.h>

#include "nat64/nat64.h"
#include "offload_compare.h"
#include "sys/nat64_offload.h"
#include "testutil.h"

#define NFLOWS 16
#define T_SYN 0x02
#define T_ACK 0x10
#define T_FIN 0x01
#define T_RST 0x04

static uint64_t rng;
static struct xlat_out out;
static struct xlat_ctx ctx;
static struct xlat_config xcfg;
static struct nat64 *nat;
static struct sys_offload *off;
static unsigned long n_same, n_left, n_adds, n_padded;

struct flow {
	uint8_t proto;
	uint8_t c6[16], s4[4], b4[4];
	uint16_t cport, sport, bport;
};
static struct flow flows[NFLOWS];

static bool op_add(void *arg, const struct nat64_flow *f)
{
	n_adds++;
	return sys_offload_add(arg, f) == 0;
}

static void op_del(void *arg, const struct nat64_flow *f) { (void)arg, (void)f; }
static uint64_t op_last(void *arg, const struct nat64_flow *f) { return (void)arg, (void)f, 0; }
static const struct nat64_offload_ops ops = { op_add, op_del, op_last };

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* A TCP or UDP packet of n payload bytes; v6: from the client (pool6 + server), else from the server
 * to the binding. tc: traffic class / TOS, hop: hop limit / TTL. Returns its length. */
static size_t build(uint8_t *p, const struct flow *f, bool v6, uint8_t flags, size_t n, uint8_t tc, uint8_t hop,
		    bool udp_zero)
{
	size_t hl = v6 ? 40 : 20, l4 = (f->proto == 6 ? 20 : 8) + n;
	uint8_t *u = p + hl;
	memset(p, 0, hl + l4);
	t_rand_bytes(&rng, u + (f->proto == 6 ? 20 : 8), n);
	put16(u, v6 ? f->cport : f->sport);
	put16(u + 2, v6 ? f->sport : f->bport);
	if (f->proto == 6) {
		u[4] = (uint8_t)t_rand(&rng);
		u[8] = (uint8_t)t_rand(&rng);
		u[12] = 5 << 4;
		u[13] = flags;
		put16(u + 14, 65535);
	} else {
		put16(u + 4, (unsigned)l4);
	}
	if (v6) {
		p[0] = (uint8_t)(0x60 | tc >> 4);
		p[1] = (uint8_t)(tc << 4);
		put16(p + 4, (unsigned)l4);
		p[6] = f->proto;
		p[7] = hop;
		memcpy(p + 8, f->c6, 16);
		t_v6("64:ff9b::", p + 24);
		memcpy(p + 36, f->s4, 4);
	} else {
		p[0] = 0x45;
		p[1] = tc;
		put16(p + 2, (unsigned)(20 + l4));
		put16(p + 4, (unsigned)t_rand(&rng));
		if (t_rand_below(&rng, 2))
			put16(p + 6, 0x4000);
		p[8] = hop;
		p[9] = f->proto;
		memcpy(p + 12, f->s4, 4);
		memcpy(p + 16, f->b4, 4);
		put16(p + 10, t_naive_csum(p, 20, 0));
	}
	unsigned coff = f->proto == 6 ? 16 : 6;
	uint16_t c = t_naive_csum(u, l4, v6 ? t_pseudo6(p, f->proto, l4) : t_pseudo4(p, f->proto, l4));
	if (f->proto == 17 && c == 0)
		c = 0xffff;
	put16(u + coff, udp_zero ? 0 : c);
	return hl + l4;
}

static int run(const uint8_t *pkt, size_t n, bool v6, uint8_t *res, size_t *res_len)
{
	static uint8_t frame[2048];
	size_t fn = offload_frame(frame, pkt, n, v6);
	int action = 0;
	*res_len = 2048;
	if (sys_offload_run(off, frame, fn, res, res_len, &action) < 0) {
		perror("offload_diff: BPF_PROG_TEST_RUN");
		exit(2);
	}
	return action;
}

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	fprintf(stderr, "%s (%zu bytes):", what, n);
	for (size_t i = 0; i < n && i < 96; i++)
		fprintf(stderr, "%s%02x", i % 16 ? " " : "\n  ", p[i]);
	fprintf(stderr, "\n");
}

static void fail(const char *why, const uint8_t *in, size_t n, const uint8_t *a, size_t an, const uint8_t *b, size_t bn)
{
	fprintf(stderr, "offload_diff: %s\n", why);
	hexdump("input", in, n);
	hexdump("userspace", a, an);
	hexdump("kernel (after the Ethernet header)", b, bn);
	exit(1);
}

/* One packet both ways of translating it. */
static void compare(const struct flow *f, bool v6, const uint8_t *pkt, size_t n)
{
	static uint8_t user[2048], res[2048];
	if (v6)
		xlat_6to4(&ctx, pkt, n, &out);
	else
		xlat_4to6(&ctx, pkt, n, &out);
	if (out.action != XLAT_FORWARD || out.npkts != 1)
		fail("the userspace path did not forward one packet", pkt, n, NULL, 0, NULL, 0);
	size_t un = xlat_pkt_flatten(&out.pkt[0], user, sizeof(user));
	size_t rn;
	int action = run(pkt, n, v6, res, &rn);
	if (action != TC_ACT_OK)
		fail("the kernel left a packet of its flow alone", pkt, n, user, un, res, rn);
	static uint8_t before[2048];
	memcpy(before, res, rn);
	const char *why = offload_compare(v6, user, un, res, rn);
	if (why)
		fail(why, pkt, n, user, un, before + OFFLOAD_ETH_LEN, rn > OFFLOAD_ETH_LEN ? rn - OFFLOAD_ETH_LEN : 0);
	n_same++;
	(void)f;
}

/* A packet the kernel must leave untouched. */
static void left_alone(const uint8_t *pkt, size_t n, bool v6, const char *what)
{
	static uint8_t res[2048];
	size_t rn;
	int action = run(pkt, n, v6, res, &rn);
	if (action != TC_ACT_UNSPEC || rn != n + 14 || memcmp(res + 14, pkt, n) != 0) {
		fprintf(stderr, "offload_diff: %s: action %d, %zu bytes\n", what, action, rn);
		hexdump("input", pkt, n);
		hexdump("kernel", res + 14, rn > 14 ? rn - 14 : 0);
		exit(1);
	}
	n_left++;
}

static void establish(struct flow *f, unsigned i)
{
	static uint8_t pkt[2048];
	f->proto = i % 2 ? 17 : 6;
	t_v6("2001:db8:1::10", f->c6);
	f->c6[15] = (uint8_t)(0x10 + i % 4);
	t_v4("198.51.100.2", f->s4);
	f->s4[3] = (uint8_t)(2 + i % 3);
	f->cport = (uint16_t)(20000 + i);
	f->sport = (uint16_t)(i % 3 ? 443 : 53);
	size_t n = build(pkt, f, true, T_SYN, 0, 0, 64, false);
	xlat_6to4(&ctx, pkt, n, &out);
	if (out.action != XLAT_FORWARD) {
		fprintf(stderr, "offload_diff: flow %u: the first packet was not translated (%s)\n", i,
			xlat_drop_name(out.reason));
		exit(2);
	}
	uint8_t flat[2048];
	xlat_pkt_flatten(&out.pkt[0], flat, sizeof(flat));
	memcpy(f->b4, flat + 12, 4);
	f->bport = (uint16_t)(flat[20] << 8 | flat[21]);
	if (f->proto == 6) { /* the SYN-ACK: established */
		n = build(pkt, f, false, T_SYN | T_ACK, 0, 0, 64, false);
		xlat_4to6(&ctx, pkt, n, &out);
	}
}

/* The verdict (TC_ACT_*) of the program on a packet of flow f (not in the maps) from src6. */
static int verdict_of(const char *src6, bool udp, uint8_t flags)
{
	static uint8_t pkt[2048], res[2048];
	struct flow g = flows[0];
	t_v6(src6, g.c6);
	g.proto = udp ? 17 : 6;
	g.cport = 61000; /* no flow of the maps has it */
	size_t rn, n = build(pkt, &g, true, flags, 20, 0, 64, false);
	return run(pkt, n, true, res, &rn);
}

static void expect_verdict(const char *what, int got, int want)
{
	if (got != want) {
		fprintf(stderr, "offload_diff: limits: %s: action %d, want %d\n", what, got, want);
		exit(1);
	}
}

/* Per-subscriber limits before the TUN: pacing (GCRA) and the daemon's hold on a subscriber. */
static void limits(void)
{
	/* 10 per second with a burst of 5: the sixth SYN in a row is dropped; another /64 is not */
	if (sys_offload_set_sub_limits(off, 64, 10, 5) < 0) {
		fprintf(stderr, "offload_diff: subscriber limits: %s\n", strerror(errno));
		exit(2);
	}
	for (int i = 0; i < 5; i++)
		expect_verdict("a SYN within the burst", verdict_of(i % 2 ? "2001:db8:7::1" : "2001:db8:7::2", false, T_SYN),
			       TC_ACT_UNSPEC);
	expect_verdict("a SYN past the burst", verdict_of("2001:db8:7::3", false, T_SYN), TC_ACT_SHOT);
	expect_verdict("an ACK past the burst", verdict_of("2001:db8:7::3", false, T_ACK), TC_ACT_SHOT);
	expect_verdict("another /64", verdict_of("2001:db8:77::1", false, T_SYN), TC_ACT_UNSPEC);
	/* no pacing; the daemon holds 2001:db8:8::/64: its new flows are dropped, nothing else */
	if (sys_offload_set_sub_limits(off, 64, 0, 1) < 0 || sys_offload_sub_hold(off, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0, 8, [15] = 9 }, 5000) < 0) {
		fprintf(stderr, "offload_diff: hold: %s\n", strerror(errno));
		exit(2);
	}
	expect_verdict("a held subscriber's SYN", verdict_of("2001:db8:8::1", false, T_SYN), TC_ACT_SHOT);
	expect_verdict("a held subscriber's new UDP flow", verdict_of("2001:db8:8::2", true, 0), TC_ACT_SHOT);
	expect_verdict("a held subscriber's SYN-ACK", verdict_of("2001:db8:8::1", false, T_SYN | T_ACK), TC_ACT_UNSPEC);
	expect_verdict("a held subscriber's ACK", verdict_of("2001:db8:8::1", false, T_ACK), TC_ACT_UNSPEC);
	expect_verdict("another subscriber's SYN", verdict_of("2001:db8:9::1", false, T_SYN), TC_ACT_UNSPEC);
	/* /128 subscribers: the hold is the address's alone */
	if (sys_offload_set_sub_limits(off, 128, 0, 1) < 0 || sys_offload_sub_hold(off, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0, 0xa, [15] = 1 }, 5000) < 0)
		exit(2);
	expect_verdict("a held /128's SYN", verdict_of("2001:db8:a::1", false, T_SYN), TC_ACT_SHOT);
	expect_verdict("its neighbour's SYN", verdict_of("2001:db8:a::2", false, T_SYN), TC_ACT_UNSPEC);
	struct sys_offload_counters c;
	sys_offload_counters(off, &c);
	if (c.sub_rate != 2 || c.sub_held != 3) {
		fprintf(stderr, "offload_diff: limits: counted %llu paced and %llu held, want 2 and 3\n",
			(unsigned long long)c.sub_rate, (unsigned long long)c.sub_held);
		exit(1);
	}
	sys_offload_set_sub_limits(off, 64, 0, 1);
	printf("offload_diff: per-subscriber limits: pacing and holds as set (%llu paced, %llu held)\n",
	       (unsigned long long)c.sub_rate, (unsigned long long)c.sub_held);
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 464;
	char err[256];
	const char *why = NULL;
	struct nat64_config cfg;
	nat64_config_init(&cfg);
	if (!t_parse_prefix6("64:ff9b::/96", &cfg.pool6) || !t_parse_prefix4("203.0.113.0/28", &cfg.pool4[0].prefix))
		return 2;
	cfg.pool4[0].port_min = 1024;
	cfg.pool4[0].port_max = 65535;
	cfg.npool4 = 1;
	cfg.allow_wkp_non_global = true;
	cfg.max_sessions = 1024;
	nat = nat64_create(&cfg, 7, &why);
	if (!nat) {
		fprintf(stderr, "offload_diff: %s\n", why);
		return 2;
	}
	off = sys_offload_load(cfg.pool6.addr, false, err, sizeof(err));
	if (!off) {
		fprintf(stderr, "offload_diff: %s\n", err);
		return 2;
	}
	nat64_set_offload(nat, &ops, off);
	xlat_config_init(&xcfg);
	xcfg.policy = nat64_policy(nat);
	xcfg.has_self4 = true;
	t_v4("203.0.113.1", xcfg.self4);
	xcfg.has_self6 = true;
	t_v6("64:ff9b::cb00:7101", xcfg.self6);
	xlat_ctx_init(&ctx, &xcfg);
	nat64_set_now(nat, 1000);
	for (unsigned i = 0; i < NFLOWS; i++)
		establish(&flows[i], i);
	if (n_adds != NFLOWS) {
		fprintf(stderr, "offload_diff: %lu of %d flows handed to the kernel\n", n_adds, NFLOWS);
		return 1;
	}

	static uint8_t pkt[2048];
	unsigned long n_tos_sets = 0;
	for (unsigned long r = 0; r < rounds; r++) {
		/* Every 2,000 packets, other RFC 7915 4.1/5.1 TOS options (copy most of the time), set alike
		 * in userspace and in the kernel's map. */
		if (r % 2000 == 1999) {
			xcfg.zero_tclass = t_rand_below(&rng, 3) == 0;
			xcfg.set_tos = t_rand_below(&rng, 3) == 0;
			xcfg.tos = (uint8_t)t_rand(&rng);
			if (sys_offload_set_tos(off, xcfg.zero_tclass, xcfg.set_tos, xcfg.tos) < 0) {
				fprintf(stderr, "offload_diff: the TOS settings: %s\n", strerror(errno));
				return 1;
			}
			n_tos_sets++;
		}
		struct flow *f = &flows[t_rand_below(&rng, NFLOWS)];
		bool v6 = t_rand_below(&rng, 2);
		size_t payload = t_rand_below(&rng, 8) ? t_rand_below(&rng, 1401) : t_rand_below(&rng, 40);
		uint8_t tc = (uint8_t)t_rand(&rng), hop = (uint8_t)(2 + t_rand_below(&rng, 254));
		uint8_t flags = (uint8_t)(t_rand(&rng) & ~(T_SYN | T_FIN | T_RST));
		size_t n = build(pkt, f, v6, flags, payload, tc, hop, false);
		if (!v6 && !(pkt[6] & 0x40) && n + 20 > 1280)
			left_alone(pkt, n, v6, "an IPv4 packet without DF too big for IPv6 (the daemon fragments)");
		else
			compare(f, v6, pkt, n);
		/* now and then, one the kernel must not touch */
		switch (t_rand_below(&rng, 8)) {
		case 0:
			if (f->proto == 6) {
				n = build(pkt, f, v6, (uint8_t)(T_ACK | (T_SYN << t_rand_below(&rng, 2)) | T_FIN), payload, tc,
					  hop, false);
				left_alone(pkt, n, v6, "SYN, FIN or RST");
			} else {
				n = build(pkt, f, v6, 0, payload, tc, hop, true);
				left_alone(pkt, n, v6, "UDP without checksum");
			}
			break;
		case 1:
			n = build(pkt, f, v6, T_ACK, payload, tc, 1, false);
			left_alone(pkt, n, v6, "hop limit or TTL 1");
			break;
		case 2: {
			struct flow g = *f;
			g.cport ^= 0x4000; /* a flow the kernel does not have */
			g.sport ^= 0x4000;
			n = build(pkt, &g, v6, T_ACK, payload, tc, hop, false);
			left_alone(pkt, n, v6, "a flow not in the maps");
			break;
		}
		case 3:
			if (!v6) {
				n = build(pkt, f, v6, T_ACK, payload, tc, hop, false);
				pkt[10] ^= 0x55; /* a bad header checksum */
				left_alone(pkt, n, v6, "an IPv4 header with a bad checksum");
			}
			break;
		case 4:
			if (!v6 && f->proto == 6) { /* an Ethernet frame's padding after a small packet */
				n = build(pkt, f, v6, T_ACK, t_rand_below(&rng, 7), tc, hop, false);
				pkt[6] |= 0x40;
				put16(pkt + 10, 0);
				put16(pkt + 10, t_naive_csum(pkt, 20, 0));
				size_t pad = 1 + t_rand_below(&rng, 26);
				t_rand_bytes(&rng, pkt + n, pad);
				compare(f, v6, pkt, n + pad);
				n_padded++;
			} else if (v6) {
				n = build(pkt, f, v6, T_ACK, payload, tc, hop, false);
				left_alone(pkt, n - 1 - t_rand_below(&rng, n - 40), v6, "an IPv6 packet shorter than its payload length");
			}
			break;
		default:
			break;
		}
	}
	limits();
	printf("offload_diff: %lu packets translated the same by the kernel and by userspace (%lu of them IPv4 with "
	       "bytes after the packet, under %lu TOS settings), %lu left alone as they should be (seed %llu)\n",
	       n_same, n_padded, n_tos_sets + 1, n_left, (unsigned long long)(argc > 2 ? strtoull(argv[2], NULL, 0) : 464));
	sys_offload_close(off);
	nat64_destroy(nat);
	return n_same > rounds / 2 ? 0 : 1;
}
