#include "sock6.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <unistd.h>

static void fill_sa(struct sockaddr_in6 *sa, const uint8_t addr[16], uint16_t port)
{
	memset(sa, 0, sizeof(*sa));
	sa->sin6_family = AF_INET6;
	sa->sin6_port = htons(port);
	memcpy(&sa->sin6_addr, addr, 16);
}

static int open_bound(int type, const uint8_t addr[16], uint16_t port)
{
	struct sockaddr_in6 sa;
	int one = 1, zero = 0;
	int fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	fill_sa(&sa, addr, port);
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof(zero)) < 0 ||
	    (type == SOCK_DGRAM && setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one)) < 0) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || (type == SOCK_STREAM && listen(fd, 64) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int sys_udp6_listen(const uint8_t addr[16], uint16_t port) { return open_bound(SOCK_DGRAM, addr, port); }
int sys_tcp6_listen(const uint8_t addr[16], uint16_t port) { return open_bound(SOCK_STREAM, addr, port); }

ssize_t sys_udp6_recv(int fd, void *buf, size_t cap, struct sys_peer6 *from)
{
	struct sockaddr_in6 sa;
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} c;
	struct iovec iov = { buf, cap };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = c.b, .msg_controllen = sizeof(c.b) };
	ssize_t n = recvmsg(fd, &mh, 0);
	if (n < 0)
		return -1;
	memset(from, 0, sizeof(*from));
	memcpy(from->addr, &sa.sin6_addr, 16);
	from->port = ntohs(sa.sin6_port);
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			struct in6_pktinfo pi;
			memcpy(&pi, CMSG_DATA(cm), sizeof(pi));
			memcpy(from->local, &pi.ipi6_addr, 16);
			from->ifindex = (int)pi.ipi6_ifindex;
		}
	}
	return (size_t)n > cap ? (ssize_t)cap : n;
}

int sys_udp6_reply(int fd, const void *buf, size_t len, const struct sys_peer6 *to)
{
	struct sockaddr_in6 sa;
	union {
		char b[CMSG_SPACE(sizeof(struct in6_pktinfo))];
		struct cmsghdr align;
	} c;
	struct in6_pktinfo pi;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1 };
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	fill_sa(&sa, to->addr, to->port);
	if (memcmp(to->addr, mapped, 12) != 0) { /* IPv4 through the dual-stack socket: the kernel picks */
		memset(&c, 0, sizeof(c));
		memset(&pi, 0, sizeof(pi));
		memcpy(&pi.ipi6_addr, to->local, 16);
		pi.ipi6_ifindex = (unsigned)to->ifindex;
		mh.msg_control = c.b;
		mh.msg_controllen = sizeof(c.b);
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
	}
	return sendmsg(fd, &mh, 0) < 0 ? -1 : 0;
}

static int open_connected(int type, const uint8_t addr[16], uint16_t port)
{
	struct sockaddr_in6 sa;
	int fd = socket(AF_INET6, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	fill_sa(&sa, addr, port);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 && errno != EINPROGRESS) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int sys_udp6_connect(const uint8_t addr[16], uint16_t port) { return open_connected(SOCK_DGRAM, addr, port); }
int sys_tcp6_connect(const uint8_t addr[16], uint16_t port) { return open_connected(SOCK_STREAM, addr, port); }

int sys_tcp6_connected(int fd)
{
	int err = 0;
	socklen_t l = sizeof(err);
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) < 0)
		return -1;
	if (err) {
		errno = err;
		return -1;
	}
	return 0;
}

int sys_tcp6_accept(int lfd, uint8_t peer[16])
{
	struct sockaddr_in6 sa;
	socklen_t l = sizeof(sa);
	int fd = accept4(lfd, (struct sockaddr *)&sa, &l, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd >= 0)
		memcpy(peer, &sa.sin6_addr, 16);
	return fd;
}

int sys_dirwatch_open(const char *dir)
{
	int fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (fd < 0)
		return -1;
	if (inotify_add_watch(fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_CREATE) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int sys_dirwatch_read(int fd, const char *name)
{
	union {
		char b[4096];
		struct inotify_event align;
	} u;
	int hit = 0;
	for (;;) {
		ssize_t n = read(fd, u.b, sizeof(u.b));
		if (n < 0)
			return errno == EAGAIN ? hit : -1;
		for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
			struct inotify_event ev;
			memcpy(&ev, u.b + off, sizeof(ev));
			if (ev.len && off + (ssize_t)sizeof(ev) + (ssize_t)ev.len <= n &&
			    strncmp(u.b + off + sizeof(ev), name, ev.len) == 0)
				hit = 1;
			off += (ssize_t)sizeof(ev) + ev.len;
		}
	}
}
