/* The PLAT's TUN steering program (lib/sys/bpf/tun_steer.bpf.c) against lib/nat64's own split of the
 * work, packet by packet: the queue the kernel runs the program to pick (BPF_PROG_TEST_RUN) must be
 * the instance nat64_instance_of_v6 (an IPv6 packet, by its subscriber) or nat64_instance_of_port
 * (an IPv4 packet, by its destination port, its echo identifier, or the quoted packet's source
 * port in an ICMP error) names, for random packets under random splits: 2 to 8 instances, runs of
 * 64 ports or port blocks, /64 or /128 subscribers. A later IPv4 fragment goes to queue 0.
 *
 *   build/tests/steer_diff [ROUNDS [SEED]]   (root; tests/netns/plat_workers.sh runs it) exits 1 at
 *                                           the first difference */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nat64/nat64.h"
#include "sys/tun_steer.h"
#include "testutil.h"

static uint64_t rng;

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* An IPv4 header of proto at p (20 bytes), total length tot. */
static void ip4(uint8_t *p, uint8_t proto, unsigned tot, unsigned frag)
{
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, tot);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	t_rand_bytes(&rng, p + 12, 8);
}

int main(int argc, char **argv)
{
	unsigned long rounds = argc > 1 ? strtoul(argv[1], NULL, 0) : 20000;
	rng = argc > 2 ? strtoull(argv[2], NULL, 0) : 464;
	static const unsigned blocks[] = { 0, 0, 128, 256, 1000, 4096 };
	unsigned long n_v6 = 0, n_v4 = 0, n_err = 0, n_frag = 0;
	for (unsigned cfgi = 0; cfgi < 12; cfgi++) {
		struct nat64_config c;
		nat64_config_init(&c);
		c.ninstances = 2 + t_rand_below(&rng, 7);
		c.port_block_size = blocks[t_rand_below(&rng, 6)];
		c.subscriber_len = t_rand_below(&rng, 2) ? 64 : 128;
		unsigned unit = c.port_block_size ? c.port_block_size : 64;
		char err[256];
		struct sys_tun_steer *s = sys_tun_steer_load(c.ninstances, unit, c.subscriber_len, err, sizeof(err));
		if (!s) {
			fprintf(stderr, "steer_diff: %s\n", err);
			return 2;
		}
		for (unsigned long r = 0; r < rounds / 12; r++) {
			uint8_t p[128];
			size_t len;
			unsigned want, got;
			const char *what;
			unsigned kind = t_rand_below(&rng, 5);
			if (kind == 0) { /* IPv6 from a client */
				memset(p, 0, 48);
				p[0] = 0x60;
				put16(p + 4, 8);
				p[6] = 17;
				p[7] = 64;
				t_rand_bytes(&rng, p + 8, 32);
				len = 48;
				want = nat64_instance_of_v6(&c, p + 8);
				what = "IPv6";
				n_v6++;
			} else if (kind == 1 || kind == 2) { /* TCP, UDP or an echo reply to the pool */
				uint8_t proto = kind == 1 ? (t_rand_below(&rng, 2) ? 6 : 17) : 1;
				unsigned port = t_rand_below(&rng, 65536);
				ip4(p, proto, 48, t_rand_below(&rng, 2) ? 0x4000 : 0);
				t_rand_bytes(&rng, p + 20, 28);
				if (proto == 1) {
					p[20] = 0;
					put16(p + 24, port);
				} else {
					put16(p + 22, port);
				}
				len = 48;
				want = nat64_instance_of_port(&c, (uint16_t)port);
				what = "IPv4";
				n_v4++;
			} else if (kind == 3) { /* an ICMP error quoting a packet that left through a binding */
				unsigned port = t_rand_below(&rng, 65536);
				uint8_t qproto = t_rand_below(&rng, 3) == 0 ? 1 : t_rand_below(&rng, 2) ? 6 : 17;
				ip4(p, 1, 56, 0);
				memset(p + 20, 0, 8);
				p[20] = (uint8_t)(t_rand_below(&rng, 2) ? 3 : 11);
				ip4(p + 28, qproto, 48, 0);
				t_rand_bytes(&rng, p + 48, 8);
				if (qproto == 1) {
					p[48] = 8; /* the echo request the PLAT sent */
					put16(p + 52, port);
				} else {
					put16(p + 48, port);
				}
				len = 56;
				want = nat64_instance_of_port(&c, (uint16_t)port);
				what = "ICMPv4 error";
				n_err++;
			} else { /* a later fragment: no port */
				ip4(p, 17, 48, 0x2000 | (1 + t_rand_below(&rng, 100)));
				t_rand_bytes(&rng, p + 20, 28);
				len = 48;
				want = 0;
				what = "later fragment";
				n_frag++;
			}
			if (sys_tun_steer_run(s, p, len, &got) < 0) {
				perror("steer_diff: BPF_PROG_TEST_RUN");
				return 2;
			}
			if (got != want) {
				fprintf(stderr, "steer_diff: %s: the program picked queue %u, lib/nat64 instance %u (%u instances, "
						"unit %u, /%u subscribers)\n", what, got, want, c.ninstances, unit, c.subscriber_len);
				return 1;
			}
		}
		sys_tun_steer_close(s);
	}
	printf("steer_diff: the program and lib/nat64 agree on %lu IPv6, %lu IPv4, %lu ICMPv4 error and %lu later "
	       "fragment packets under 12 splits (seed %llu)\n", n_v6, n_v4, n_err, n_frag,
	       (unsigned long long)(argc > 2 ? strtoull(argv[2], NULL, 0) : 464));
	return 0;
}
