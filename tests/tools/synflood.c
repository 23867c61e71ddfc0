/* synflood: IPv6 TCP SYNs from many subscribers, at a set rate, for the PLAT's flood test
 * (tests/netns/plat_flood.sh) and its benchmark. Bounded in time and in count.
 *
 *     synflood IFNAME DST_MAC SRC_PREFIX NSUBS DST6 DPORT PPS SECONDS
 *
 * Sends Ethernet frames on IFNAME (AF_PACKET, sendmmsg in batches) to DST_MAC: TCP SYNs to
 * [DST6]:DPORT from NSUBS /64s, SRC_PREFIX's first 48 bits with the fourth group 0, 1, ... NSUBS-1,
 * each from random interface identifiers and source ports, with correct checksums. Paced to PPS
 * packets per second (0: as fast as it can) for SECONDS, at most PPS * SECONDS packets. Prints
 * "sent N in T s (R pps)" at the end. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NFRAMES 4096
#define BATCH 64
#define FRAME_LEN (14 + 40 + 20)

static uint8_t frames[NFRAMES][FRAME_LEN];

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static uint16_t tcp_csum(const uint8_t *ip6, const uint8_t *tcp, unsigned len)
{
	uint64_t s = 0;
	for (int i = 8; i < 40; i += 2)
		s += (unsigned)ip6[i] << 8 | ip6[i + 1];
	s += len + 6;
	for (unsigned i = 0; i < len; i += 2)
		s += (unsigned)tcp[i] << 8 | tcp[i + 1];
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

int main(int argc, char **argv)
{
	if (argc != 9) {
		fprintf(stderr, "usage: synflood IFNAME DST_MAC SRC_PREFIX NSUBS DST6 DPORT PPS SECONDS\n");
		return 2;
	}
	unsigned mac[6], nsubs = (unsigned)atoi(argv[4]), dport = (unsigned)atoi(argv[6]);
	double pps = atof(argv[7]), secs = atof(argv[8]);
	uint8_t src[16], dst[16];
	if (sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &mac[0], &mac[1], &mac[2], &mac[3], &mac[4], &mac[5]) != 6 ||
	    inet_pton(AF_INET6, argv[3], src) != 1 || inet_pton(AF_INET6, argv[5], dst) != 1 || nsubs == 0 ||
	    nsubs > 65536 || dport == 0 || dport > 65535 || pps < 0 || secs <= 0 || secs > 600) {
		fprintf(stderr, "synflood: bad arguments\n");
		return 2;
	}
	int ifindex = (int)if_nametoindex(argv[1]);
	int fd = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_IPV6));
	if (!ifindex || fd < 0) {
		fprintf(stderr, "synflood: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6), .sll_ifindex = ifindex,
				   .sll_halen = 6 };
	for (int i = 0; i < 6; i++)
		sll.sll_addr[i] = (uint8_t)mac[i];

	for (unsigned f = 0; f < NFRAMES; f++) {
		uint8_t *e = frames[f], *ip6 = e + 14, *tcp = ip6 + 40;
		memset(e, 0, FRAME_LEN);
		memcpy(e, sll.sll_addr, 6);
		e[6] = 0x02; /* a locally administered source MAC */
		e[11] = 0x01;
		e[12] = 0x86;
		e[13] = 0xdd;
		ip6[0] = 0x60;
		ip6[5] = 20;
		ip6[6] = 6;
		ip6[7] = 64;
		memcpy(ip6 + 8, src, 6);
		unsigned sub = f % nsubs;
		ip6[14] = (uint8_t)(sub >> 8);
		ip6[15] = (uint8_t)sub;
		uint64_t iid = next_rand() | 1;
		memcpy(ip6 + 16, &iid, 8);
		memcpy(ip6 + 24, dst, 16);
		uint16_t sport = (uint16_t)(1024 + next_rand() % 60000);
		uint32_t seq = (uint32_t)next_rand();
		tcp[0] = (uint8_t)(sport >> 8);
		tcp[1] = (uint8_t)sport;
		tcp[2] = (uint8_t)(dport >> 8);
		tcp[3] = (uint8_t)dport;
		memcpy(tcp + 4, &seq, 4);
		tcp[12] = 5 << 4;
		tcp[13] = 0x02; /* SYN */
		tcp[14] = 0xff;
		tcp[15] = 0xff;
		uint16_t c = tcp_csum(ip6, tcp, 20);
		tcp[16] = (uint8_t)(c >> 8);
		tcp[17] = (uint8_t)c;
	}

	struct mmsghdr msgs[BATCH];
	struct iovec iov[BATCH];
	uint64_t limit = pps > 0 ? (uint64_t)(pps * secs) : UINT64_MAX, sent = 0, errors = 0;
	unsigned next = 0;
	double t0 = now_s(), t;
	while ((t = now_s()) - t0 < secs && sent < limit) {
		if (pps > 0 && (double)sent > (t - t0) * pps) {
			struct timespec nap = { 0, 200000 };
			nanosleep(&nap, NULL);
			continue;
		}
		unsigned n = BATCH;
		if (limit - sent < n)
			n = (unsigned)(limit - sent);
		for (unsigned i = 0; i < n; i++) {
			iov[i].iov_base = frames[next];
			iov[i].iov_len = FRAME_LEN;
			next = (next + 1) % NFRAMES;
			memset(&msgs[i], 0, sizeof(msgs[i]));
			msgs[i].msg_hdr.msg_name = &sll;
			msgs[i].msg_hdr.msg_namelen = sizeof(sll);
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
		}
		int r = sendmmsg(fd, msgs, n, 0);
		if (r < 0) {
			errors++;
			if (errno != ENOBUFS && errno != EAGAIN) {
				fprintf(stderr, "synflood: sendmmsg: %s\n", strerror(errno));
				return 1;
			}
			continue;
		}
		sent += (unsigned)r;
	}
	double el = now_s() - t0;
	printf("sent %llu in %.1f s (%.0f pps), %llu send errors\n", (unsigned long long)sent, el,
	       el > 0 ? (double)sent / el : 0.0, (unsigned long long)errors);
	return 0;
}
