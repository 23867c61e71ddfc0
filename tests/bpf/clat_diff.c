/* The CLAT's kernel fast path against its userspace path, packet by packet (tests/bpf/clat_check.h
 * says what must hold): random packets of the kinds a CLAT sees, both ways, under every RFC 6052
 * prefix length, in the dedicated and the shared address mode, with MTUs from 1280 to 9000. Most
 * are what the programs translate (TCP with any flags and options, UDP, ICMP echo, any TOS or
 * traffic class, TTL and size); some are what they must leave to the daemon (fragments, options,
 * extension headers, ICMP errors, UDP without checksum, special or foreign addresses, wrong lengths
 * and checksums, packets too big or to fragment, the host's own ports in the shared mode).
 *
 *   build/tests/clat_diff [ROUNDS [SEED]]   (root, a kernel that runs BPF; tests/netns/clat_bpf.sh
 *                                            runs it) exits 1 at the first difference */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clat_check.h"
#include "testutil.h"

static uint64_t rng;
static struct clat_check k;
static uint8_t clat6[16];
static struct xlat_prefix6 pool6;
static unsigned mtu6;
static bool shared;

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static bool one_in(unsigned n) { return t_rand_below(&rng, n) == 0; }

/* A new configuration: prefix length and bits, CLAT address, MTU, address mode. */
static void configure(void)
{
	static const uint8_t lens[] = { 32, 40, 48, 56, 64, 96 };
	memset(&pool6, 0, sizeof(pool6));
	pool6.len = lens[t_rand_below(&rng, 6)];
	if (one_in(4)) {
		t_v6("64:ff9b::", pool6.addr);
		pool6.len = 96;
	} else {
		t_v6("2001:db8::", pool6.addr);
		t_rand_bytes(&rng, pool6.addr + 4, pool6.len / 8 - 4);
	}
	t_v6("2001:db8:1::", clat6);
	t_rand_bytes(&rng, clat6 + 8, 8);
	static const unsigned mtus[] = { 1280, 1400, 1480, 1500, 9000 };
	mtu6 = mtus[t_rand_below(&rng, 5)];
	shared = one_in(3);
	if (clat_check_setup(&k, clat6, &pool6, mtu6 - 20, mtu6, shared ? CLAT_SHARED_PORT_LO : 0,
			     shared ? CLAT_SHARED_PORT_HI : 0) < 0) {
		fprintf(stderr, "clat_diff: a configuration was refused\n");
		exit(2);
	}
}

/* An IPv4 address a CLAT sends to: mostly global, now and then special. */
static void dst4(uint8_t a[4])
{
	t_rand_bytes(&rng, a, 4);
	if (one_in(12)) {
		static const uint8_t first[] = { 0, 127, 169, 224, 255, 192 };
		a[0] = first[t_rand_below(&rng, 6)];
		if (a[0] == 169)
			a[1] = 254;
		if (a[0] == 192 && one_in(2))
			memcpy(a, clat_host4, 4);
	} else if (a[0] == 0 || a[0] == 127 || a[0] == 169 || a[0] >= 224) {
		a[0] = 198;
	}
}

/* The transport part: TCP (random flags, options), UDP, ICMP(v6) echo or error, or another protocol.
 * Returns the protocol number of the input family; *l4len its length. */
static uint8_t transport(uint8_t *u, bool v6, size_t payload, size_t *l4len)
{
	unsigned pick = t_rand_below(&rng, 20);
	uint8_t proto;
	size_t hl;
	if (pick < 9) {
		proto = 6;
		hl = 20 + 4 * t_rand_below(&rng, one_in(4) ? 11 : 1);
		t_rand_bytes(&rng, u, hl);
		u[12] = (uint8_t)(hl / 4 << 4);
		if (shared && one_in(2))
			put16(u + 2, CLAT_SHARED_PORT_LO + t_rand_below(&rng, 4536));
	} else if (pick < 16) {
		proto = 17;
		hl = 8;
		t_rand_bytes(&rng, u, 8);
		if (shared && one_in(2))
			put16(u + 2, CLAT_SHARED_PORT_LO + t_rand_below(&rng, 4536));
	} else if (pick < 19) {
		proto = v6 ? 58 : 1;
		hl = 8;
		t_rand_bytes(&rng, u, 8);
		static const uint8_t t4[] = { 8, 0, 0, 8, 3, 11, 13 }, t6[] = { 128, 129, 129, 128, 1, 3, 135 };
		unsigned t = t_rand_below(&rng, 7);
		u[0] = v6 ? t6[t] : t4[t];
		u[1] = one_in(4) ? (uint8_t)t_rand(&rng) : 0;
		if (shared && one_in(2))
			put16(u + 4, CLAT_SHARED_PORT_LO + t_rand_below(&rng, 4536));
	} else {
		static const uint8_t other[] = { 47, 132, 44, 0, 43, 60 };
		proto = other[t_rand_below(&rng, 6)];
		hl = 8;
		t_rand_bytes(&rng, u, 8);
	}
	t_rand_bytes(&rng, u + hl, payload);
	*l4len = hl + payload;
	return proto;
}

static void fix_l4_csum(uint8_t *p, bool v6, uint8_t proto, size_t l4len)
{
	size_t hl = v6 ? 40 : 20;
	uint8_t *u = p + hl;
	unsigned coff = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	if (proto != 6 && proto != 17 && proto != 1 && proto != 58)
		return;
	if (l4len < coff + 2u)
		return;
	put16(u + coff, 0);
	uint64_t start = proto == 1 ? 0 : v6 ? t_pseudo6(p, proto, l4len) : t_pseudo4(p, proto, l4len);
	uint16_t c = t_naive_csum(u, l4len, start);
	if (proto == 17 && c == 0)
		c = 0xffff;
	if (one_in(30))
		c ^= (uint16_t)(1 + t_rand_below(&rng, 0xfffe)); /* carried over, wrong, by both paths */
	if (proto == 17 && one_in(20))
		c = 0; /* no checksum */
	put16(u + coff, c);
}

static size_t payload_size(void)
{
	size_t big = mtu6 > 1500 ? 1900 : mtu6 + 40;
	return one_in(3) ? t_rand_below(&rng, 64) : t_rand_below(&rng, (uint32_t)big);
}

/* IPv4 from the host, as the TUN's egress sees it. */
static size_t build4(uint8_t *p)
{
	size_t l4len;
	uint8_t proto = transport(p + 20, false, payload_size(), &l4len);
	size_t n = 20 + l4len;
	memset(p, 0, 20);
	p[0] = 0x45;
	p[1] = (uint8_t)t_rand(&rng);
	put16(p + 2, (unsigned)n);
	put16(p + 4, (unsigned)t_rand(&rng));
	put16(p + 6, one_in(4) ? 0 : 0x4000);
	if (one_in(25))
		put16(p + 6, (unsigned)(one_in(2) ? 0x2000 : 0x0000 | t_rand_below(&rng, 0x1fff)));
	p[8] = (uint8_t)t_rand(&rng);
	p[9] = proto == 44 || proto == 0 || proto == 43 || proto == 60 ? 47 : proto;
	memcpy(p + 12, clat_host4, 4);
	if (one_in(20))
		t_rand_bytes(&rng, p + 12, 4); /* not from the CLAT */
	dst4(p + 16);
	fix_l4_csum(p, false, p[9], l4len);
	put16(p + 10, t_naive_csum(p, 20, 0));
	if (one_in(30)) /* options: a header of 24 bytes (the program leaves it) */
		p[0] = 0x46;
	if (one_in(40))
		p[10] ^= 0x21; /* a bad header checksum */
	if (one_in(40))
		put16(p + 2, (unsigned)n - 1 - t_rand_below(&rng, 8)); /* shorter than the bytes */
	return n;
}

/* IPv6 from the PLAT to the CLAT, as the uplink's ingress sees it. */
static size_t build6(uint8_t *p)
{
	size_t l4len;
	uint8_t proto = transport(p + 40, true, payload_size(), &l4len);
	size_t n = 40 + l4len;
	memset(p, 0, 40);
	uint32_t tc = (uint32_t)t_rand(&rng) & 0xff, fl = (uint32_t)t_rand(&rng) & 0xfffff;
	p[0] = (uint8_t)(0x60 | tc >> 4);
	p[1] = (uint8_t)(tc << 4 | fl >> 16);
	put16(p + 2, fl & 0xffff);
	put16(p + 4, (unsigned)l4len);
	p[6] = proto;
	p[7] = (uint8_t)t_rand(&rng);
	uint8_t v4[4];
	dst4(v4);
	xlat_rfc6052_embed(&pool6, v4, p + 8);
	if (one_in(25))
		p[8 + 8] = 1; /* a u-octet that is not zero */
	if (one_in(25))
		p[8 + 15] ^= 1; /* a suffix that is not zero (or another address at /96) */
	if (one_in(25))
		t_rand_bytes(&rng, p + 8, 16); /* not from the PLAT */
	memcpy(p + 24, clat6, 16);
	if (one_in(30))
		p[24 + 15] ^= 0x40; /* not for the CLAT */
	fix_l4_csum(p, true, proto, l4len);
	if (one_in(40))
		put16(p + 4, (unsigned)l4len + 1 + t_rand_below(&rng, 4)); /* longer than the bytes */
	if (one_in(40))
		p[0] = 0x50; /* version 5 */
	return n;
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	unsigned long long seed = argc > 2 ? strtoull(argv[2], NULL, 0) : 464;
	char err[256];
	rng = seed;
	k.off = sys_clat_offload_load(err, sizeof(err));
	if (!k.off) {
		fprintf(stderr, "clat_diff: %s\n", err);
		return 2;
	}
	static uint8_t pkt[CLAT_CHECK_FRAME_MAX];
	unsigned long per[2][2] = { { 0 } };
	for (unsigned long r = 0; r < rounds; r++) {
		if (r % 500 == 0)
			configure();
		bool v6 = one_in(2);
		size_t n = v6 ? build6(pkt) : build4(pkt);
		int action;
		unsigned long before = k.translated;
		const char *why = clat_check_one(&k, v6, pkt, n, &action);
		if (why) {
			char p[64];
			fprintf(stderr, "clat_diff: round %lu (seed %llu): %s %s: %s (action %d)\n", r, seed,
				v6 ? "6to4" : "4to6", inet_ntop(AF_INET6, pool6.addr, p, sizeof(p)), why, action);
			fprintf(stderr, "  prefix length %u, MTU %u, %s mode\n", pool6.len, mtu6, shared ? "shared" : "dedicated");
			for (int which = 0; which < 3; which++) {
				const uint8_t *b = which == 0 ? pkt : which == 1 ? k.user : k.res + OFFLOAD_ETH_LEN;
				size_t bn = which == 0 ? n : which == 1 ? k.user_len : (k.res_len > 14 ? k.res_len - 14 : 0);
				fprintf(stderr, "  %s (%zu bytes):", which == 0 ? "input" : which == 1 ? "userspace" : "kernel", bn);
				for (size_t i = 0; i < bn && i < 80; i++)
					fprintf(stderr, "%s%02x", i % 20 ? " " : "\n    ", b[i]);
				fprintf(stderr, "\n");
			}
			return 1;
		}
		per[v6][k.translated > before]++;
	}
	printf("clat_diff: 4to6 %lu translated the same by the kernel and userspace, %lu left to the daemon; "
	       "6to4 %lu and %lu (seed %llu)\n",
	       per[0][1], per[0][0], per[1][1], per[1][0], seed);
	sys_clat_offload_close(k.off);
	/* A run that translates little tests little. */
	return per[0][1] > rounds / 5 && per[1][1] > rounds / 5 ? 0 : 1;
}
