/* libFuzzer target: the PLAT's kernel fast path, the TC program of lib/sys/bpf/nat64_offload.bpf.c,
 * run by the kernel with BPF_PROG_TEST_RUN on the packets the fuzzer makes, against lib/xlat with
 * lib/nat64 on the same packet (a differential target: the verifier already proves the program's
 * reads in bounds; this holds its answers to the userspace path's). The program's maps hold four
 * sessions made the real way (tests/bpf/offload_diff.c does the same with random packets).
 * Needs root and a kernel that runs BPF: without them it says so and exits 0 at the start.
 *
 * Input: one byte of choices, then the IP packet (at most 1500 bytes of it are used).
 *   bit 0: the packet is IPv6 (client to server, 6to4), else IPv4 (server to client, 4to6)
 *   bit 1: write the addresses and ports of session (bits 2-3) into the packet, so that mutated
 *          packets still find the maps
 *   bit 4: make the IPv4 header checksum right
 *   bit 5: make the transport checksum right (else both paths carry a wrong one over, incrementally)
 * Checked: what the program leaves (TC_ACT_UNSPEC) comes back unchanged; what it translates
 * (TC_ACT_OK), userspace translates into one packet, the same but for what
 * tests/bpf/offload_compare.h allows; the program returns nothing else (TC_ACT_SHOT is for a helper
 * that failed half-way, which no packet may cause). */
#include <arpa/inet.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/pkt_cls.h>

#include "../tests/bpf/offload_compare.h"
#include "check_packet.h"
#include "nat64/nat64.h"
#include "sys/nat64_offload.h"
#include "xlat/xlat.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NSESS = 4, PKT_MAX = 1500 };

struct sess {
	uint8_t proto;
	uint8_t c6[16], s4[4], b4[4]; /* client, server, the client's binding */
	uint16_t cport, sport, bport;
};

static struct sess sessions[NSESS];
static struct nat64 *nat;
static struct sys_offload *off;
static struct xlat_config xcfg;
static struct xlat_ctx ctx;
static struct xlat_out out;
static unsigned handed;
static unsigned long n_translated, n_left; /* printed at exit: a run that never translates tests little */

static bool op_add(void *arg, const struct nat64_flow *f)
{
	handed++;
	return sys_offload_add(arg, f) == 0;
}
static void op_del(void *arg, const struct nat64_flow *f) { (void)arg, (void)f; }
static uint64_t op_last(void *arg, const struct nat64_flow *f) { return (void)arg, (void)f, 0; }
static const struct nat64_offload_ops ops = { op_add, op_del, op_last };

/* The addresses and ports of session s, and the protocol, into pkt where they fit. */
static void stamp(uint8_t *p, size_t n, bool v6, const struct sess *s)
{
	size_t l4 = v6 ? 40 : (n >= 1 ? (size_t)(p[0] & 15) * 4 : 20);
	if (n < (v6 ? 40u : 20u) || l4 < 20)
		return;
	if (v6) {
		p[6] = s->proto;
		memcpy(p + 8, s->c6, 16);
		inet_pton(AF_INET6, "64:ff9b::", p + 24);
		memcpy(p + 36, s->s4, 4);
	} else {
		p[9] = s->proto;
		memcpy(p + 12, s->s4, 4);
		memcpy(p + 16, s->b4, 4);
	}
	if (n >= l4 + 4) {
		chk_put16(p + l4, v6 ? s->cport : s->sport);
		chk_put16(p + l4 + 2, v6 ? s->sport : s->bport);
	}
}

/* A packet of session s with TCP flags (ignored for UDP), no payload. Returns its length. */
static size_t build(uint8_t *p, const struct sess *s, bool v6, uint8_t flags)
{
	size_t hl = v6 ? 40 : 20, l4 = s->proto == 6 ? 20 : 8;
	memset(p, 0, hl + l4);
	if (v6) {
		p[0] = 0x60;
		chk_put16(p + 4, (unsigned)l4);
		p[7] = 64;
	} else {
		p[0] = 0x45;
		chk_put16(p + 2, (unsigned)(hl + l4));
		chk_put16(p + 6, 0x4000);
		p[8] = 64;
	}
	if (s->proto == 6) {
		p[hl + 12] = 5 << 4;
		p[hl + 13] = flags;
		chk_put16(p + hl + 14, 65535);
	} else {
		chk_put16(p + hl + 4, (unsigned)l4);
	}
	stamp(p, hl + l4, v6, s);
	chk_fix_checksums(v6 ? 6 : 4, p, hl + l4, true, true);
	return hl + l4;
}

static void establish(struct sess *s, unsigned i)
{
	uint8_t pkt[64], flat[128];
	s->proto = i % 2 ? 17 : 6;
	inet_pton(AF_INET6, "2001:db8:1::10", s->c6);
	s->c6[15] = (uint8_t)(0x10 + i);
	inet_pton(AF_INET, "198.51.100.2", s->s4);
	s->s4[3] = (uint8_t)(2 + i);
	s->cport = (uint16_t)(20000 + i);
	s->sport = (uint16_t)(i < 2 ? 443 : 53);
	size_t n = build(pkt, s, true, 0x02);
	xlat_6to4(&ctx, pkt, n, &out);
	if (out.action != XLAT_FORWARD || out.npkts != 1) {
		fprintf(stderr, "fuzz_offload_bpf: session %u: the first packet was not translated (%s)\n", i,
			xlat_drop_name(out.reason));
		exit(2);
	}
	xlat_pkt_flatten(&out.pkt[0], flat, sizeof(flat));
	memcpy(s->b4, flat + 12, 4);
	s->bport = chk_be16(flat + 20);
	if (s->proto == 6) { /* the SYN-ACK: established, handed to the program */
		n = build(pkt, s, false, 0x12);
		xlat_4to6(&ctx, pkt, n, &out);
	}
}

static void summary(void)
{
	fprintf(stderr, "fuzz_offload_bpf: %lu packets translated the same by the kernel and userspace, %lu left alone\n",
		n_translated, n_left);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char err[256];
	const char *why = NULL;
	struct nat64_config cfg;
	nat64_config_init(&cfg);
	inet_pton(AF_INET6, "64:ff9b::", cfg.pool6.addr);
	cfg.pool6.len = 96;
	inet_pton(AF_INET, "203.0.113.0", cfg.pool4[0].prefix.addr);
	cfg.pool4[0].prefix.len = 28;
	cfg.pool4[0].port_min = 1024;
	cfg.pool4[0].port_max = 65535;
	cfg.npool4 = 1;
	cfg.allow_wkp_non_global = true;
	cfg.max_sessions = 64;
	if (geteuid() != 0) {
		printf("fuzz_offload_bpf: needs root (BPF_PROG_TEST_RUN): not run\n");
		exit(0);
	}
	off = sys_offload_load(cfg.pool6.addr, false, err, sizeof(err));
	if (!off) {
		printf("fuzz_offload_bpf: the kernel did not load the program (%s): not run\n", err);
		exit(0);
	}
	nat = nat64_create(&cfg, 7, &why);
	if (!nat) {
		fprintf(stderr, "fuzz_offload_bpf: %s\n", why);
		exit(2);
	}
	nat64_set_offload(nat, &ops, off);
	xlat_config_init(&xcfg);
	/* no MTU on either side: with bpf-redirect no the stack's forwarding holds the program's packets
	 * to the next hop's MTU afterwards (its Packet Too Big or Fragmentation Needed reaching the
	 * daemon, as tests/netns/plat_bpf.sh checks); a 1500-byte packet is not too big here */
	xcfg.mtu4 = xcfg.mtu6 = 65535;
	xcfg.policy = nat64_policy(nat);
	xcfg.has_self4 = true;
	inet_pton(AF_INET, "203.0.113.1", xcfg.self4);
	xcfg.has_self6 = true;
	inet_pton(AF_INET6, "64:ff9b::cb00:7101", xcfg.self6);
	xlat_ctx_init(&ctx, &xcfg);
	nat64_set_now(nat, 1000);
	for (unsigned i = 0; i < NSESS; i++)
		establish(&sessions[i], i);
	atexit(summary);
	if (handed != NSESS) {
		fprintf(stderr, "fuzz_offload_bpf: %u of %d sessions handed to the kernel\n", handed, NSESS);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[PKT_MAX], frame[OFFLOAD_ETH_LEN + PKT_MAX], res[OFFLOAD_ETH_LEN + PKT_MAX + 64];
	static uint8_t user[PKT_MAX + 64];
	if (size < 1)
		return 0;
	uint8_t c = data[0];
	bool v6 = c & 1;
	size_t n = size - 1 < PKT_MAX ? size - 1 : PKT_MAX;
	memcpy(pkt, data + 1, n);
	if (c & 2)
		stamp(pkt, n, v6, &sessions[(c >> 2) & 3]);
	chk_fix_checksums(v6 ? 6 : 4, pkt, n, c & 0x10, c & 0x20);

	size_t fn = offload_frame(frame, pkt, n, v6), rn = sizeof(res);
	int action = 0;
	if (sys_offload_run(off, frame, fn, res, &rn, &action) < 0) {
		/* BPF_PROG_TEST_RUN refuses a frame shorter than its EtherType's header (the program reads
		 * no byte it has not checked: the verifier holds it to that) */
		if (errno == EINVAL && n < (v6 ? 40u : 20u))
			return 0;
		perror("fuzz_offload_bpf: BPF_PROG_TEST_RUN");
		abort();
	}
	if (action == TC_ACT_UNSPEC) {
		if (rn != fn || memcmp(res, frame, fn) != 0)
			chk_violation("the program left a packet (TC_ACT_UNSPEC) but changed it", pkt, n);
		n_left++;
		return 0;
	}
	if (action != TC_ACT_OK) {
		char why[64];
		snprintf(why, sizeof(why), "the program returned %d", action);
		chk_violation(why, pkt, n);
	}
	if (v6)
		xlat_6to4(&ctx, pkt, n, &out);
	else
		xlat_4to6(&ctx, pkt, n, &out);
	if (out.action != XLAT_FORWARD || out.npkts != 1) {
		char why[128];
		snprintf(why, sizeof(why), "the program translated a packet that userspace does not forward (%s)",
			 out.action == XLAT_DROP ? xlat_drop_name(out.reason) : "not one packet");
		chk_violation(why, pkt, n);
	}
	size_t un = xlat_pkt_flatten(&out.pkt[0], user, sizeof(user));
	const char *why = offload_compare(v6, user, un, res, rn);
	if (why)
		chk_violation(why, pkt, n);
	n_translated++;
	return 0;
}
