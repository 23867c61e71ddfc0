#include "tun.h"

#include "xlat/offload.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

static int tun_open(const char *name, bool *created, short extra_flags)
{
	struct ifreq ifr;

	if (strlen(name) >= IFNAMSIZ) {
		errno = ENAMETOOLONG;
		return -1;
	}
	*created = if_nametoindex(name) == 0;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | extra_flags);
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	/* Without a header, a persistent TUN must not keep an earlier run's offloads: the kernel would
	 * hand over super-packets and unfinished checksums with nothing to say so. */
	if (!(extra_flags & IFF_VNET_HDR))
		ioctl(fd, TUNSETOFFLOAD, 0ul);
	return fd;
}

int sys_tun_open(const char *name, bool *created) { return tun_open(name, created, 0); }

int sys_tun_open_mq(const char *name, bool *created, int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		bool c;
		fds[i] = tun_open(name, &c, IFF_MULTI_QUEUE);
		if (fds[i] < 0) {
			int e = errno;
			while (i--)
				close(fds[i]);
			errno = e;
			return -1;
		}
		if (i == 0)
			*created = c;
	}
	return 0;
}

/* lib/xlat/offload.h reads the header itself: the sizes must agree. */
_Static_assert(sizeof(struct virtio_net_hdr) == XLAT_VNET_HDR_LEN, "virtio_net_hdr is 10 bytes");
_Static_assert(VIRTIO_NET_HDR_F_NEEDS_CSUM == XLAT_VNET_F_NEEDS_CSUM && VIRTIO_NET_HDR_GSO_TCPV4 == XLAT_VNET_GSO_TCPV4 &&
		       VIRTIO_NET_HDR_GSO_TCPV6 == XLAT_VNET_GSO_TCPV6 && VIRTIO_NET_HDR_GSO_ECN == XLAT_VNET_GSO_ECN,
	       "virtio_net_hdr constants");

static int tun_open_vnet(const char *name, bool *created, bool *offload, short extra)
{
	int fd = tun_open(name, created, (short)(IFF_VNET_HDR | extra));
	if (fd < 0)
		return -1;
	int sz = XLAT_VNET_HDR_LEN, le = 1;
	if (ioctl(fd, TUNSETVNETHDRSZ, &sz) < 0 || ioctl(fd, TUNSETVNETLE, &le) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (*offload && ioctl(fd, TUNSETOFFLOAD, (unsigned long)(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN)) < 0)
		*offload = false;
	if (!*offload)
		ioctl(fd, TUNSETOFFLOAD, 0ul); /* a persistent TUN may keep an earlier run's offloads */
	return fd;
}

ssize_t sys_tun_write_vnet(int fd, const struct xlat_vnet *vh, const struct xlat_pkt *p)
{
	static const uint8_t none[XLAT_VNET_HDR_LEN];
	uint8_t hb[XLAT_VNET_HDR_LEN];
	struct iovec iov[1 + XLAT_PKT_IOV];
	unsigned n = p->niov < XLAT_PKT_IOV ? p->niov : XLAT_PKT_IOV;
	iov[0].iov_base = (void *)none;
	if (vh) {
		xlat_vnet_write(vh, hb);
		iov[0].iov_base = hb;
	}
	iov[0].iov_len = XLAT_VNET_HDR_LEN;
	memcpy(iov + 1, p->iov, n * sizeof(p->iov[0]));
	return writev(fd, iov, (int)n + 1);
}

int sys_tun_open_vnet(const char *name, bool *created, bool *offload) { return tun_open_vnet(name, created, offload, 0); }

int sys_tun_open_vnet_mq(const char *name, bool *created, bool *offload, int *fds, unsigned n)
{
	bool want = *offload;
	for (unsigned i = 0; i < n; i++) {
		bool c, off = want;
		fds[i] = tun_open_vnet(name, &c, &off, IFF_MULTI_QUEUE);
		if (fds[i] < 0) {
			int e = errno;
			while (i--)
				close(fds[i]);
			errno = e;
			return -1;
		}
		if (i == 0) {
			*created = c;
			*offload = off;
		}
	}
	return 0;
}

int sys_link_set_mtu_up(const char *name, unsigned mtu)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strnlen(name, IFNAMSIZ - 1));
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		goto fail;
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		goto fail;
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		goto fail;
	close(s);
	return 0;
fail:;
	int e = errno;
	close(s);
	errno = e;
	return -1;
}
