/* libFuzzer target: the PLAT's TUN steering program (lib/sys/bpf/tun_steer.bpf.c), run by the kernel
 * with BPF_PROG_TEST_RUN on the packets the fuzzer makes, against lib/nat64's own split of the work:
 * whatever the bytes, the queue is below the number of queues, and for a packet whose owner the
 * rule names (an IPv6 packet; an IPv4 TCP, UDP or echo packet, not a later fragment; an ICMPv4
 * error quoting one) it is nat64_instance_of_v6 or nat64_instance_of_port of the same bytes, read
 * here independently. Needs root: without it, says so and exits 0 at the start.
 * Input: one byte of choices (bits 0-2: instances - 2; bit 3: port blocks of 256, else runs of 64;
 * bit 4: /128 subscribers, else /64), then the IP packet (at most 1500 bytes). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_packet.h"
#include "nat64/nat64.h"
#include "sys/tun_steer.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct sys_tun_steer *steer[16]; /* one per choice of split */
static struct nat64_config cfgs[16];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	if (geteuid() != 0) {
		printf("fuzz_steer_bpf: needs root (BPF_PROG_TEST_RUN): not run\n");
		exit(0);
	}
	for (unsigned k = 0; k < 16; k++) {
		struct nat64_config *c = &cfgs[k];
		nat64_config_init(c);
		c->ninstances = 2 + (k & 7);
		c->port_block_size = k & 8 ? 256 : 0;
		c->subscriber_len = 64; /* bit 4 of the choices, set per input */
		char err[256];
		steer[k] = sys_tun_steer_load(c->ninstances, c->port_block_size ? 256 : 64, 64, err, sizeof(err));
		if (!steer[k]) {
			printf("fuzz_steer_bpf: the kernel did not load the program (%s): not run\n", err);
			exit(0);
		}
	}
	return 0;
}

/* The owner's port by the rule, read independently of the program: -1 when the rule names none. */
static long owner_port(const uint8_t *p, size_t n)
{
	if (n < 20 || (p[0] & 0xf) < 5)
		return -1;
	size_t ihl = (size_t)(p[0] & 0xf) * 4;
	if ((chk_be16(p + 6) & 0x1fff) != 0)
		return -2; /* a later fragment: queue 0 */
	uint8_t proto = p[9];
	if (proto == 1 && n >= ihl + 1 && (p[ihl] == 3 || p[ihl] == 11 || p[ihl] == 12)) {
		size_t q = ihl + 8;
		if (n < q + 20 || (p[q] & 0xf) < 5)
			return -1;
		size_t qihl = (size_t)(p[q] & 0xf) * 4, l = q + qihl;
		if (n < l + 6)
			return -1;
		if (p[q + 9] == 6 || p[q + 9] == 17)
			return chk_be16(p + l);
		if (p[q + 9] == 1 && (p[l] == 0 || p[l] == 8))
			return chk_be16(p + l + 4);
		return -1;
	}
	if (n < ihl + 6)
		return -1;
	if (proto == 6 || proto == 17)
		return chk_be16(p + ihl + 2);
	if (proto == 1 && (p[ihl] == 0 || p[ihl] == 8))
		return chk_be16(p + ihl + 4);
	return -1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	unsigned k = data[0] & 15;
	struct nat64_config c = cfgs[k];
	struct sys_tun_steer *s = steer[k];
	const uint8_t *p = data + 1;
	size_t n = size - 1 > 1500 ? 1500 : size - 1;
	if (data[0] & 16) { /* /128 subscribers: a program of its own, loaded once */
		static struct sys_tun_steer *s128[16];
		char err[256];
		if (!s128[k] && !(s128[k] = sys_tun_steer_load(c.ninstances, c.port_block_size ? 256 : 64, 128, err, sizeof(err))))
			chk_fail("loading a /128 steering program: %s", err);
		s = s128[k];
		c.subscriber_len = 128;
	}
	unsigned got;
	if (sys_tun_steer_run(s, p, n, &got) < 0)
		return 0; /* a frame the test run refuses (too short for the kernel) */
	CHK(got < c.ninstances, "queue %u of %u", got, c.ninstances);
	long want = -1;
	if (n >= 24 && p[0] >> 4 == 6)
		want = nat64_instance_of_v6(&c, p + 8);
	else if (p[0] >> 4 == 4) {
		long port = owner_port(p, n);
		want = port == -2 ? 0 : port >= 0 ? (long)nat64_instance_of_port(&c, (uint16_t)port) : -1;
	}
	if (want >= 0)
		CHK((long)got == want, "queue %u, lib/nat64 instance %ld (%u instances)", got, want, c.ninstances);
	return 0;
}
