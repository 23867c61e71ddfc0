/* A raw ICMPv6 socket serving one link (see icmp6.h). */
#include <errno.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "sys/icmp6.h"

int sys_icmp6_open_link(const char *ifname, int ifindex, uint8_t pass_type, const uint8_t group[16], int hops)
{
	int one = 1, zero = 0;
	struct icmp6_filter filt;
	struct ipv6_mreq mr = { .ipv6mr_interface = (unsigned)ifindex };
	int fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_ICMPV6);
	if (fd < 0)
		return -1;
	ICMP6_FILTER_SETBLOCKALL(&filt);
	ICMP6_FILTER_SETPASS(pass_type, &filt);
	memcpy(&mr.ipv6mr_multiaddr, group, 16);
	if (setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 ||
	    setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filt, sizeof(filt)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex, sizeof(ifindex)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops)) < 0 ||
	    /* Our own multicasts are of no use to this host's stack. */
	    setsockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &zero, sizeof(zero)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof(mr)) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

ssize_t sys_icmp6_recv(int fd, void *buf, size_t cap, bool *truncated, uint8_t src[16], uint8_t dst[16],
		       int *hop_limit)
{
	struct sockaddr_in6 from;
	union {
		struct cmsghdr h;
		char b[128];
	} ctl;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_name = &from, .msg_namelen = sizeof(from), .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	ssize_t n;
	do
		n = recvmsg(fd, &mh, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	bool has_dst = false;
	*hop_limit = -1;
	memset(dst, 0, 16);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != IPPROTO_IPV6)
			continue;
		if (cm->cmsg_type == IPV6_HOPLIMIT && cm->cmsg_len >= CMSG_LEN(sizeof(int))) {
			memcpy(hop_limit, CMSG_DATA(cm), sizeof(int));
		} else if (cm->cmsg_type == IPV6_PKTINFO && cm->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(dst, &pi.ipi6_addr, 16);
			has_dst = true;
		}
	}
	if (!has_dst || (mh.msg_flags & MSG_CTRUNC))
		*hop_limit = -1;
	memcpy(src, &from.sin6_addr, 16);
	*truncated = (mh.msg_flags & MSG_TRUNC) != 0;
	return n;
}

int sys_icmp6_send(int fd, int ifindex, const uint8_t src[16], const uint8_t dst[16], const void *buf, size_t len)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6, .sin6_scope_id = (uint32_t)ifindex };
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = &to, .msg_namelen = sizeof(to), .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = ctl.b, .msg_controllen = sizeof(ctl.b) };
	memset(&ctl, 0, sizeof(ctl));
	memcpy(&to.sin6_addr, dst, 16);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_IPV6;
	cm->cmsg_type = IPV6_PKTINFO;
	cm->cmsg_len = CMSG_LEN(sizeof(struct in6_pktinfo));
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned)ifindex };
	memcpy(&pi.ipi6_addr, src, 16);
	memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	return sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
}
