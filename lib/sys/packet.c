#include "common/ip_proto.h"
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

#define IP6_HDR_LEN IPV6_HDR_LEN
#define IP6_OFF_PLEN 4
#define IP6_OFF_NEXT 6
#define IP6_OFF_DST 24
#define ICMP6_OFF_TYPE IP6_HDR_LEN
#define NDP_OFF_TARGET (IP6_HDR_LEN + 8) /* type, code, checksum, 4 reserved/flag bytes */
#define ND_ROUTER_SOLICIT_TYPE 133
#define ND_ROUTER_ADVERT_TYPE 134
#define ND_NEIGHBOR_SOLICIT_TYPE 135
#define ND_NEIGHBOR_ADVERT_TYPE 136
#define ND_REDIRECT_TYPE 137
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
	/* Room for bursts: a peer's GRO or TSO super-packets are up to 64 KiB each, and the default
	 * buffer (about 200 KiB) holds three, after which the kernel drops (TCP then retransmits). */
	int rcvbuf = SYS_PACKET_RCVBUF;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof(rcvbuf)) < 0)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_IPV6), .sll_ifindex = ifindex };
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return close_keep_errno(fd);
	return fd;
}

int sys_packet_drops(int fd, uint64_t *drops)
{
	struct tpacket_stats st;
	socklen_t len = sizeof(st);
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &st, &len) < 0)
		return -1;
	*drops += st.tp_drops;
	return 0;
}

int sys_packet_fanout(int fd, uint16_t *id)
{
	/* PACKET_FANOUT_HASH: the flow hash picks the socket, so a flow stays on one and in order. No
	 * PACKET_FANOUT_FLAG_DEFRAG: it reassembles IPv4 only; the hash of an IPv6 fragment leaves the
	 * ports out (the kernel's flow dissector does not look behind a fragment header), so the
	 * fragments of one datagram go to one socket. */
	int arg = PACKET_FANOUT_HASH | (*id ? 0 : PACKET_FANOUT_FLAG_UNIQUEID);
	arg |= (int)*id;
	if (setsockopt(fd, SOL_PACKET, PACKET_FANOUT, &arg, sizeof(arg)) < 0)
		return -1;
	if (*id)
		return 0;
	int val = 0;
	socklen_t len = sizeof(val);
	if (getsockopt(fd, SOL_PACKET, PACKET_FANOUT, &val, &len) < 0)
		return -1;
	*id = (uint16_t)(val & 0xffff);
	return 0;
}

static uint32_t be32_at(const uint8_t *a) { return (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3]; }

/* A classic BPF program under construction: instructions with jumps to labels, resolved at the end
 * (every jump goes forward, as classic BPF requires). */
enum { FLT_MAX_INSNS = 96, FLT_LABELS = 2 * SYS_PACKET_ADDRS_MAX + 5 };
struct pf {
	struct sock_filter code[FLT_MAX_INSNS];
	int jt_label[FLT_MAX_INSNS], jf_label[FLT_MAX_INSNS]; /* -1: a plain instruction (or a jump to the next one) */
	int label_at[FLT_LABELS];
	unsigned n;
};

static void pf_stmt(struct pf *p, uint16_t code, uint32_t k)
{
	p->code[p->n] = (struct sock_filter)BPF_STMT(code, k);
	p->jt_label[p->n] = p->jf_label[p->n] = -1;
	p->n++;
}

/* if A == k goto jt else goto jf (labels; -1 is the next instruction) */
static void pf_jeq(struct pf *p, uint32_t k, int jt, int jf)
{
	p->code[p->n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, k, 0, 0);
	p->jt_label[p->n] = jt;
	p->jf_label[p->n] = jf;
	p->n++;
}

/* if A >= k goto jt else goto jf */
static void pf_jge(struct pf *p, uint32_t k, int jt, int jf)
{
	p->code[p->n] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, k, 0, 0);
	p->jt_label[p->n] = jt;
	p->jf_label[p->n] = jf;
	p->n++;
}

static void pf_label(struct pf *p, int label) { p->label_at[label] = (int)p->n; }

/* The 16 bytes at off equal one of addrs: goto yes; else goto no. Labels first, first + 1, ... are
 * the starts of the comparisons after each address's. */
static void pf_match16(struct pf *p, uint32_t off, const uint8_t (*addrs)[16], unsigned n, int first, int yes, int no)
{
	for (unsigned i = 0; i < n; i++) {
		int next = i + 1 < n ? first + (int)i : no;
		for (unsigned w = 0; w < 4; w++) {
			pf_stmt(p, BPF_LD | BPF_W | BPF_ABS, off + 4 * w);
			pf_jeq(p, be32_at(addrs[i] + 4 * w), w == 3 ? yes : -1, next);
		}
		if (i + 1 < n)
			pf_label(p, first + (int)i);
	}
}

int sys_packet_filter_take(int fd, const uint8_t (*addrs)[16], unsigned n, enum sys_packet_take take)
{
	/* Offsets are from the IPv6 header: a SOCK_DGRAM packet socket filters after the link-layer header. */
	enum { L_NDP, L_TARGET, L_ACCEPT, L_DROP, L_DATA, L_DST0, L_TGT0 = L_DST0 + SYS_PACKET_ADDRS_MAX };
	struct pf p = { .n = 0 };
	if (n > SYS_PACKET_ADDRS_MAX || (take == SYS_PACKET_TAKE_DATA && n > 1)) {
		errno = EINVAL;
		return -1;
	}
	for (int i = 0; i < FLT_LABELS; i++)
		p.label_at[i] = -1;
	if (take == SYS_PACKET_TAKE_DATA) {
		/* a packet for the address that is not neighbour discovery (ICMPv6 types 133 to 137,
		 * RFC 4861 section 4): the socket that takes those has it. No address: nothing. */
		if (!n) {
			pf_stmt(&p, BPF_RET | BPF_K, 0);
			return attach(fd, p.code, p.n);
		}
		pf_match16(&p, IP6_OFF_DST, addrs, n, L_DST0, L_DATA, L_DROP);
		pf_label(&p, L_DATA);
		pf_stmt(&p, BPF_LD | BPF_B | BPF_ABS, IP6_OFF_NEXT);
		pf_jeq(&p, PROTO_ICMPV6, -1, L_ACCEPT);
		pf_stmt(&p, BPF_LD | BPF_B | BPF_ABS, ICMP6_OFF_TYPE);
		pf_jge(&p, ND_ROUTER_SOLICIT_TYPE, -1, L_ACCEPT);
		pf_jge(&p, ND_REDIRECT_TYPE + 1, L_ACCEPT, L_DROP);
	} else {
		/* a packet for one of the addresses (not with SYS_PACKET_TAKE_NDP) */
		if (n && take == SYS_PACKET_TAKE_ALL)
			pf_match16(&p, IP6_OFF_DST, addrs, n, L_DST0, L_ACCEPT, L_NDP);
		/* a neighbour solicitation or advertisement (no extension headers) for one of them, or a
		 * router advertisement */
		pf_label(&p, L_NDP);
		pf_stmt(&p, BPF_LD | BPF_B | BPF_ABS, IP6_OFF_NEXT);
		pf_jeq(&p, PROTO_ICMPV6, -1, L_DROP);
		pf_stmt(&p, BPF_LD | BPF_B | BPF_ABS, ICMP6_OFF_TYPE);
		pf_jeq(&p, ND_ROUTER_ADVERT_TYPE, L_ACCEPT, -1);
		if (n) {
			pf_jeq(&p, ND_NEIGHBOR_SOLICIT_TYPE, L_TARGET, -1);
			pf_jeq(&p, ND_NEIGHBOR_ADVERT_TYPE, L_TARGET, L_DROP);
			pf_label(&p, L_TARGET);
			pf_match16(&p, NDP_OFF_TARGET, addrs, n, L_TGT0, L_ACCEPT, L_DROP);
		}
	}
	pf_label(&p, L_ACCEPT);
	pf_stmt(&p, BPF_RET | BPF_K, BPF_ACCEPT);
	pf_label(&p, L_DROP);
	pf_stmt(&p, BPF_RET | BPF_K, 0);
	for (unsigned i = 0; i < p.n; i++) {
		if (p.jt_label[i] < 0 && p.jf_label[i] < 0)
			continue;
		int jt = p.jt_label[i] < 0 ? (int)i + 1 : p.label_at[p.jt_label[i]];
		int jf = p.jf_label[i] < 0 ? (int)i + 1 : p.label_at[p.jf_label[i]];
		if (jt <= (int)i || jf <= (int)i || jt - (int)i - 1 > 255 || jf - (int)i - 1 > 255) {
			errno = EINVAL; /* a label never placed, or out of reach: a bug here */
			return -1;
		}
		p.code[i].jt = (uint8_t)(jt - (int)i - 1);
		p.code[i].jf = (uint8_t)(jf - (int)i - 1);
	}
	return attach(fd, p.code, p.n);
}

int sys_packet_filter_addrs(int fd, const uint8_t (*addrs)[16], unsigned n)
{
	return sys_packet_filter_take(fd, addrs, n, SYS_PACKET_TAKE_ALL);
}

int sys_packet_filter(int fd, const uint8_t addr[16]) { return sys_packet_filter_addrs(fd, (const uint8_t (*)[16])addr, 1); }

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

int sys_packet_open_gso(void)
{
	/* Protocol 0: it receives nothing; it only sends. SOCK_RAW: the kernel takes PACKET_VNET_HDR on
	 * no other kind, so the caller writes the link-layer header. */
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	int one = 1;
	if (setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) < 0)
		return close_keep_errno(fd);
	return fd;
}

int sys_packet_send_gso(int fd, int ifindex, const struct iovec *iov, int niov)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IPV6),
		.sll_ifindex = ifindex,
	};
	struct msghdr mh = { .msg_name = &sll, .msg_namelen = sizeof(sll), .msg_iov = (struct iovec *)iov,
			     .msg_iovlen = (size_t)niov };
	return sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
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
