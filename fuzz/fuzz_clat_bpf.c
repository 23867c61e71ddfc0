/* libFuzzer target: the CLAT's kernel fast path, the two TC programs of
 * lib/sys/bpf/clat_offload.bpf.c, run by the kernel with BPF_PROG_TEST_RUN on the packets the fuzzer
 * makes, against the CLAT's userspace path on the same packet (a differential target:
 * tests/bpf/clat_check.h says what must hold; the verifier already proves the programs' reads in
 * bounds). tests/bpf/clat_diff.c does the same with random packets. Needs root and a kernel that
 * runs BPF: without them it says so and exits 0 at the start.
 *
 * Input: one byte of choices, then the IP packet (at most 1500 bytes of it are used).
 *   bit 0: the packet is IPv6 (the uplink's ingress, 6to4), else IPv4 (the TUN's egress, 4to6)
 *   bits 1-3: the PLAT prefix: 2001:db8:64::/32, /40, /48, /56, /64 or /96, or 64:ff9b::/96 (6, 7)
 *   bit 4: write the CLAT's addresses into the packet (IPv4: the source 192.0.0.1; IPv6: the
 *          destination, and the source under the prefix from its own last four bytes), so that mutated
 *          packets still reach the translation
 *   bit 5: make the IPv4 header checksum right
 *   bit 6: make the transport checksum right (else both paths carry a wrong one over, incrementally)
 *   bit 7: the shared address mode (ports 61000-65535), else the dedicated one */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../tests/bpf/clat_check.h"
#include "check_packet.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { PKT_MAX = 1500 };

static struct clat_check k;
static uint8_t clat6[16];
static struct xlat_prefix6 prefixes[8];
static int configured = -1;

static void summary(void)
{
	fprintf(stderr, "fuzz_clat_bpf: %lu packets translated the same by the kernel and userspace, %lu left to the daemon\n",
		k.translated, k.left);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char err[256];
	static const uint8_t lens[8] = { 32, 40, 48, 56, 64, 96, 96, 96 };
	if (geteuid() != 0) {
		printf("fuzz_clat_bpf: needs root (BPF_PROG_TEST_RUN): not run\n");
		exit(0);
	}
	k.off = sys_clat_offload_load(err, sizeof(err));
	if (!k.off) {
		printf("fuzz_clat_bpf: the kernel did not load the programs (%s): not run\n", err);
		exit(0);
	}
	inet_pton(AF_INET6, "2001:db8:1::5eed:c1a7", clat6);
	for (int i = 0; i < 8; i++) {
		inet_pton(AF_INET6, i < 6 ? "2001:db8:64:6400::" : "64:ff9b::", prefixes[i].addr);
		prefixes[i].len = lens[i];
		memset(prefixes[i].addr + lens[i] / 8, 0, 16 - lens[i] / 8u);
	}
	atexit(summary);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t pkt[PKT_MAX];
	if (size < 1)
		return 0;
	uint8_t c = data[0];
	bool v6 = c & 1;
	int which = (c >> 1 & 7) | (c & 0x80 ? 8 : 0);
	const struct xlat_prefix6 *pool6 = &prefixes[c >> 1 & 7];
	if (which != configured) {
		bool shared = c & 0x80;
		if (clat_check_setup(&k, clat6, pool6, 1480, 1500, shared ? CLAT_SHARED_PORT_LO : 0,
				     shared ? CLAT_SHARED_PORT_HI : 0) < 0) {
			perror("fuzz_clat_bpf: setting up");
			abort();
		}
		configured = which;
	}
	size_t n = size - 1 < PKT_MAX ? size - 1 : PKT_MAX;
	memcpy(pkt, data + 1, n);
	if (c & 0x10) {
		if (v6 && n >= 40) {
			uint8_t v4[4];
			memcpy(v4, pkt + 20, 4);
			xlat_rfc6052_embed(pool6, v4, pkt + 8);
			memcpy(pkt + 24, clat6, 16);
		} else if (!v6 && n >= 20) {
			memcpy(pkt + 12, clat_host4, 4);
		}
	}
	chk_fix_checksums(v6 ? 6 : 4, pkt, n, c & 0x20, c & 0x40);
	int action;
	const char *why = clat_check_one(&k, v6, pkt, n, &action);
	if (why && action == -1) {
		/* BPF_PROG_TEST_RUN refuses a frame shorter than its EtherType's header (the programs read
		 * no byte they have not checked: the verifier holds them to that) */
		if (errno == EINVAL && n < (v6 ? 40u : 20u))
			return 0;
		perror("fuzz_clat_bpf: BPF_PROG_TEST_RUN");
		abort();
	}
	if (why)
		chk_violation(why, pkt, n);
	return 0;
}
