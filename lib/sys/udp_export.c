#include "udp_export.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#define SENDM_MAX 64

int sys_udp_export_open(bool v6, const uint8_t addr[16], uint16_t port, int sndbuf)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	memset(&ss, 0, sizeof(ss));
	if (v6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		memcpy(&a->sin6_addr, addr, 16);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		memcpy(&a->sin_addr, addr, 4);
		sl = sizeof(*a);
	}
	int fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (sndbuf > 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf)); /* best effort */
	if (connect(fd, (struct sockaddr *)&ss, sl) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int sys_udp_export_send(int fd, const void *buf, size_t len)
{
	ssize_t n = send(fd, buf, len, MSG_DONTWAIT | MSG_NOSIGNAL);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

unsigned sys_udp_export_sendm(int fd, uint8_t *const *msgs, const size_t *lens, unsigned n)
{
	struct mmsghdr mh[SENDM_MAX];
	struct iovec iov[SENDM_MAX];
	unsigned done = 0;
	while (done < n) {
		unsigned k = n - done > SENDM_MAX ? SENDM_MAX : n - done;
		memset(mh, 0, k * sizeof(mh[0]));
		for (unsigned i = 0; i < k; i++) {
			iov[i].iov_base = msgs[done + i];
			iov[i].iov_len = lens[done + i];
			mh[i].msg_hdr.msg_iov = &iov[i];
			mh[i].msg_hdr.msg_iovlen = 1;
		}
		int r = sendmmsg(fd, mh, k, MSG_DONTWAIT | MSG_NOSIGNAL);
		if (r <= 0) {
			if (r == 0)
				errno = EAGAIN;
			return done;
		}
		done += (unsigned)r;
		if ((unsigned)r < k) {
			/* the next one failed: its error is what another try now says */
			if (sys_udp_export_send(fd, msgs[done], lens[done]) == 0)
				done++;
			else
				return done;
		}
	}
	return done;
}
