#include "packet.h"

#include "xlat/offload.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define IP6_HDR_LEN 40
#define IP6_OFF_PLEN 4
#define IP6_OFF_NEXT 6
#define IP6_OFF_DST 24
#define ICMP6_OFF_TYPE IP6_HDR_LEN
#define NDP_OFF_TARGET (IP6_HDR_LEN + 8) /* type, code, checksum, 4 reserved/flag bytes */
#define PROTO_ICMPV6 58
#define PROTO_TCP 6
#define PROTO_UDP 17
#define ND_ROUTER_ADVERT_TYPE 134
#define ND_NEIGHBOR_SOLICIT_TYPE 135
#define ND_NEIGHBOR_ADVERT_TYPE 136
#define BPF_ACCEPT 0x40000u

static int close_keep_errno(int fd)
{
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

static int attach(int fd, struct sock_filter *code, unsigned n)
{
	struct sock_fprog prog = { .len = (unsigned short)n, .filter = code };
	return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int sys_packet_open(int ifindex)
{
	struct sock_filter drop_all[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	/* Protocol 0: nothing arrives until bind() below, after the drop-all filter is in place. */
	int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (attach(fd, drop_all, 1) < 0)
		return close_keep_errno(fd);
	/* Auxiliary data with each packet: it says when a sender on this host left the transport
	 * checksum to the device (CHECKSUM_PARTIAL over veth), which the CLAT then finishes. */
	int aux = 1;
	if (setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, &aux, sizeof(aux)) < 0)
		return close_keep_errno(fd);
#ifdef PACKET_IGNORE_OUTGOING
	int one = 1;
	(void)setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof(one)); /* Linux 4.20; also checked per packet */
#endif
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6), .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return close_keep_errno(fd);
	return fd;
}

static uint32_t be32_at(const uint8_t *a) { return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3]; }

int sys_packet_filter(int fd, const uint8_t addr[16])
{
	/* Offsets are from the IPv6 header: a SOCK_DGRAM packet socket filters after the link-layer header.
	 * Jump offsets count from the next instruction; the labels are the comments' line numbers. */
	enum { L_NDP = 9, L_TARGET = 15, L_ACCEPT = 23, L_DROP = 24 };
#define JUMP_EQ(k, at, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (uint8_t)((t) - (at) - 1), (uint8_t)((f) - (at) - 1))
	struct sock_filter code[] = {
		/* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP6_OFF_DST),
		/* 1 */ JUMP_EQ(be32_at(addr), 1, 2, L_NDP),
		/* 2 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP6_OFF_DST + 4),
		/* 3 */ JUMP_EQ(be32_at(addr + 4), 3, 4, L_NDP),
		/* 4 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP6_OFF_DST + 8),
		/* 5 */ JUMP_EQ(be32_at(addr + 8), 5, 6, L_NDP),
		/* 6 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, IP6_OFF_DST + 12),
		/* 7 */ JUMP_EQ(be32_at(addr + 12), 7, 8, L_NDP),
		/* 8 */ BPF_STMT(BPF_RET | BPF_K, BPF_ACCEPT),
		/* 9: L_NDP, a neighbour solicitation or advertisement (without extension headers) for addr,
		 * or a router advertisement */
		BPF_STMT(BPF_LD | BPF_B | BPF_ABS, IP6_OFF_NEXT),
		/* 10 */ JUMP_EQ(PROTO_ICMPV6, 10, 11, L_DROP),
		/* 11 */ BPF_STMT(BPF_LD | BPF_B | BPF_ABS, ICMP6_OFF_TYPE),
		/* 12 */ JUMP_EQ(ND_NEIGHBOR_SOLICIT_TYPE, 12, L_TARGET, 13),
		/* 13 */ JUMP_EQ(ND_NEIGHBOR_ADVERT_TYPE, 13, L_TARGET, 14),
		/* 14 */ JUMP_EQ(ND_ROUTER_ADVERT_TYPE, 14, L_ACCEPT, L_DROP),
		/* 15: L_TARGET */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NDP_OFF_TARGET),
		/* 16 */ JUMP_EQ(be32_at(addr), 16, 17, L_DROP),
		/* 17 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NDP_OFF_TARGET + 4),
		/* 18 */ JUMP_EQ(be32_at(addr + 4), 18, 19, L_DROP),
		/* 19 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NDP_OFF_TARGET + 8),
		/* 20 */ JUMP_EQ(be32_at(addr + 8), 20, 21, L_DROP),
		/* 21 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, NDP_OFF_TARGET + 12),
		/* 22 */ JUMP_EQ(be32_at(addr + 12), 22, L_ACCEPT, L_DROP),
		/* 23: L_ACCEPT */ BPF_STMT(BPF_RET | BPF_K, BPF_ACCEPT),
		/* 24: L_DROP */ BPF_STMT(BPF_RET | BPF_K, 0),
	};
#undef JUMP_EQ
	_Static_assert(sizeof(code) / sizeof(code[0]) == L_DROP + 1, "BPF labels out of step");
	return attach(fd, code, sizeof(code) / sizeof(code[0]));
}

int sys_packet_membership(int fd, int ifindex, const uint8_t mac[6], bool join)
{
	struct packet_mreq mr = { .mr_ifindex = ifindex, .mr_type = PACKET_MR_MULTICAST, .mr_alen = 6 };
	memcpy(mr.mr_address, mac, 6);
	return setsockopt(fd, SOL_PACKET, join ? PACKET_ADD_MEMBERSHIP : PACKET_DROP_MEMBERSHIP, &mr, sizeof(mr));
}

ssize_t sys_packet_recv(int fd, uint8_t *buf, size_t cap, uint8_t src_mac[6], struct xlat_vnet *vh)
{
	struct sockaddr_ll sll;
	union {
		struct cmsghdr h;
		uint8_t b[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_name = &sll, .msg_namelen = sizeof(sll), .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	ssize_t n = recvmsg(fd, &mh, MSG_TRUNC);

	if (n < 0)
		return -1;
	if ((size_t)n > cap || sll.sll_pkttype == PACKET_OUTGOING || n < IP6_HDR_LEN)
		return 0; /* too big for buf, our own frame, or not even an IPv6 header */
	memset(src_mac, 0, 6);
	if (sll.sll_halen == 6)
		memcpy(src_mac, sll.sll_addr, 6);
	size_t want = IP6_HDR_LEN + ((size_t)buf[IP6_OFF_PLEN] << 8 | buf[IP6_OFF_PLEN + 1]);
	if (want < (size_t)n)
		n = (ssize_t)want; /* Ethernet pads short frames to 60 bytes */
	/* A checksum left to the device: the kernel says so (TP_STATUS_CSUMNOTREADY) but not where,
	 * so the transport must follow the IPv6 header; anything else is an offset outside the packet,
	 * which xlat_offload_prepare refuses. */
	memset(vh, 0, sizeof(*vh));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_PACKET || c->cmsg_type != PACKET_AUXDATA ||
		    c->cmsg_len < CMSG_LEN(sizeof(struct tpacket_auxdata)))
			continue;
		struct tpacket_auxdata a;
		memcpy(&a, CMSG_DATA(c), sizeof(a));
		if (!(a.tp_status & TP_STATUS_CSUMNOTREADY))
			continue;
		uint8_t next = buf[IP6_OFF_NEXT];
		vh->flags = XLAT_VNET_F_NEEDS_CSUM;
		vh->csum_start = next == PROTO_TCP || next == PROTO_UDP || next == PROTO_ICMPV6 ? IP6_HDR_LEN : 0xffff;
		vh->csum_offset = next == PROTO_TCP ? 16 : next == PROTO_UDP ? 6 : 2;
	}
	return n;
}

int sys_packet_send(int fd, int ifindex, const uint8_t dst_mac[6], const void *buf, size_t len)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IPV6),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};
	memcpy(sll.sll_addr, dst_mac, 6);
	ssize_t n = sendto(fd, buf, len, 0, (struct sockaddr *)&sll, sizeof(sll));
	return n == (ssize_t)len ? 0 : -1;
}

int sys_raw6_open(const char *ifname)
{
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_RAW);
	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strnlen(ifname, IFNAMSIZ)) < 0)
		return close_keep_errno(fd);
	return fd;
}

int sys_raw6_send(int fd, const struct iovec *iov, int niov, const uint8_t dst[16])
{
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	memcpy(&sin6.sin6_addr, dst, 16);
	struct msghdr mh = { .msg_name = &sin6, .msg_namelen = sizeof(sin6), .msg_iov = (struct iovec *)iov,
			     .msg_iovlen = (size_t)niov };
	return sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
}

int sys_udp_open(void)
{
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int off = 0;
	if (setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0)
		return close_keep_errno(fd);
	return fd;
}
