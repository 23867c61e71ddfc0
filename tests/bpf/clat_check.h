/* One packet through the CLAT's kernel fast path and through its userspace path, compared: shared by
 * tests/bpf/clat_diff.c (random packets) and fuzz/fuzz_clat_bpf.c (the fuzzer's packets).
 *
 * The programs of lib/sys/bpf/clat_offload.bpf.c run with BPF_PROG_TEST_RUN (their Ethernet
 * variants: the test runner hands them a frame); the userspace path is what the daemon does with
 * the same packet: src/clat/translator.c's lib/xlat profile, after, in the shared mode, the port
 * split of src/clat/shared.c. A program may
 *   - leave a packet alone (TC_ACT_UNSPEC): it must come back byte for byte as it went in, and the
 *     daemon then translates it as before;
 *   - translate it (TC_ACT_REDIRECT): the daemon must translate the same packet into exactly one
 *     packet, and the two must agree byte for byte but for the IPv4 Identification of a packet that
 *     may be fragmented (tests/bpf/offload_compare.h, with no TTL difference: the CLAT decrements on
 *     neither path);
 * and nothing else (TC_ACT_SHOT is for a helper failing half-way, which no packet may cause). */
#ifndef XLAT464_TESTS_CLAT_CHECK_H
#define XLAT464_TESTS_CLAT_CHECK_H

#include <linux/pkt_cls.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../../src/clat/shared.h"
#include "../../src/clat/translator.h"
#include "offload_compare.h"
#include "sys/clat_offload.h"

enum { CLAT_CHECK_FRAME_MAX = 2048 };

/* Both paths' configuration, made the same. */
struct clat_check {
	struct sys_clat_offload *off;
	struct clat_translator tr;
	struct sys_clat_offload_cfg oc;
	struct xlat_out out;
	uint8_t user[CLAT_CHECK_FRAME_MAX], frame[CLAT_CHECK_FRAME_MAX], res[CLAT_CHECK_FRAME_MAX];
	size_t user_len, res_len;
	unsigned long translated, left;
};

/* Sets both paths up for a CLAT address, a prefix, the MTUs and, for the shared mode, ports lo..hi
 * (0, 0: the dedicated mode). 0, or -1 when a configuration was refused. */
static inline int clat_check_setup(struct clat_check *k, const uint8_t clat6[16], const struct xlat_prefix6 *pool6,
				   unsigned mtu4, unsigned mtu6, uint16_t lo, uint16_t hi)
{
	clat_translator_init(&k->tr, clat6, mtu4, mtu6);
	if (clat_translator_set(&k->tr, clat6, pool6, mtu4, mtu6) < 0)
		return -1;
	memset(&k->oc, 0, sizeof(k->oc));
	k->oc.enabled = true;
	memcpy(k->oc.clat6, clat6, 16);
	memcpy(k->oc.pool6, pool6->addr, 16);
	k->oc.pool6_len = pool6->len;
	memcpy(k->oc.clat4, clat_host4, 4);
	k->oc.tun_ifindex = 1;    /* never used: the test runner redirects nothing */
	k->oc.uplink_ifindex = 1;
	k->oc.uplink_eth = true;
	k->oc.mtu6 = mtu6;
	k->oc.mtu4 = mtu4;
	k->oc.lowest_mtu6 = k->tr.cfg.lowest_ipv6_mtu;
	k->oc.port_lo = lo;
	k->oc.port_hi = hi;
	return sys_clat_offload_set(k->off, &k->oc);
}

/* Runs pkt (n bytes; IPv6 when v6) both ways. NULL when they agree, else what is wrong; -1 in
 * *action when BPF_PROG_TEST_RUN itself failed. */
static inline const char *clat_check_one(struct clat_check *k, bool v6, const uint8_t *pkt, size_t n, int *action)
{
	if (n + OFFLOAD_ETH_LEN > sizeof(k->frame))
		return NULL;
	size_t fn = offload_frame(k->frame, pkt, n, v6);
	k->res_len = sizeof(k->res);
	k->user_len = 0;
	if (sys_clat_offload_run(k->off, !v6, k->frame, fn, k->res, &k->res_len, action) < 0) {
		*action = -1;
		return "BPF_PROG_TEST_RUN failed";
	}
	if (*action == TC_ACT_UNSPEC) {
		k->left++;
		if (k->res_len != fn || memcmp(k->res, k->frame, fn) != 0)
			return "a packet left to the daemon came back changed";
		return NULL;
	}
	if (*action != TC_ACT_REDIRECT)
		return "the program returned neither TC_ACT_UNSPEC nor TC_ACT_REDIRECT";
	if (v6 && k->oc.port_hi && clat_shared_classify(pkt, n, k->oc.port_lo, k->oc.port_hi) != CLAT_SHARED_CLAT)
		return "the program took a packet the shared mode leaves to the host";
	if (v6)
		xlat_6to4(&k->tr.ctx, pkt, n, &k->out);
	else
		xlat_4to6(&k->tr.ctx, pkt, n, &k->out);
	if (k->out.action != XLAT_FORWARD || k->out.npkts != 1)
		return "the program translated a packet the daemon does not forward as one packet";
	k->user_len = xlat_pkt_flatten(&k->out.pkt[0], k->user, sizeof(k->user));
	const char *why = offload_compare_ttl(v6, k->user, k->user_len, k->res, k->res_len, 0);
	if (!why)
		k->translated++;
	return why;
}

#endif
