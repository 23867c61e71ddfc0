/* tunrelay: two TUN devices joined back to back, a stand-in for a layer-3 link (a raw-IP cellular
 * modem's wwan0, a PPP link) that this machine's kernel cannot make otherwise.
 *
 *     tunrelay [--type none|ppp|rawip] [--mtu N] NAME_A NAME_B
 *
 * Makes the TUNs NAME_A and NAME_B (IFF_TUN | IFF_NO_PI, so each is ARPHRD_NONE, POINTOPOINT and
 * NOARP, exactly as qmi_wwan's raw-IP mode presents a modem), optionally with another link type
 * (TUNSETLINK: ARPHRD_PPP as ppp0 shows, ARPHRD_RAWIP as mhi and rmnet do), prints "ready" on stdout,
 * and then copies every packet read from one to the other until SIGTERM or SIGINT. The test moves the
 * two devices into its namespaces (`ip link set NAME netns NS`); the descriptors stay attached. A
 * packet the other side cannot take (its queue full, the device down) is dropped and counted, as on a
 * real link; the counts go to stderr at exit. */
#include <errno.h>
#include <fcntl.h>
#include <net/if_arp.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519
#endif

static volatile sig_atomic_t stop;
static void on_signal(int sig) { (void)sig; stop = 1; }

static int make_tun(const char *name, int type)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0 || (type >= 0 && ioctl(fd, TUNSETLINK, (unsigned long)type) < 0)) {
		int e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

static int set_mtu(const char *name, int mtu)
{
	struct ifreq ifr;
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -1;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_mtu = mtu;
	int r = ioctl(s, SIOCSIFMTU, &ifr);
	close(s);
	return r;
}

int main(int argc, char **argv)
{
	int type = -1, mtu = 0, i = 1;
	for (; i < argc && argv[i][0] == '-'; i += 2) {
		if (i + 1 >= argc)
			break;
		if (!strcmp(argv[i], "--type")) {
			const char *t = argv[i + 1];
			type = !strcmp(t, "none") ? ARPHRD_NONE : !strcmp(t, "ppp") ? ARPHRD_PPP : !strcmp(t, "rawip") ? ARPHRD_RAWIP : -2;
			if (type == -2) {
				fprintf(stderr, "tunrelay: --type %s: expects none, ppp or rawip\n", t);
				return 2;
			}
		} else if (!strcmp(argv[i], "--mtu")) {
			mtu = atoi(argv[i + 1]);
			if (mtu < 68 || mtu > 65535) {
				fprintf(stderr, "tunrelay: --mtu %s: expects 68..65535\n", argv[i + 1]);
				return 2;
			}
		} else {
			fprintf(stderr, "tunrelay: %s: unknown option\n", argv[i]);
			return 2;
		}
	}
	if (argc - i != 2) {
		fprintf(stderr, "usage: tunrelay [--type none|ppp|rawip] [--mtu N] NAME_A NAME_B\n");
		return 2;
	}
	const char *name[2] = { argv[i], argv[i + 1] };
	int fd[2];
	for (int k = 0; k < 2; k++) {
		if (strlen(name[k]) >= IFNAMSIZ || (fd[k] = make_tun(name[k], type)) < 0) {
			fprintf(stderr, "tunrelay: TUN %s: %s\n", name[k], strerror(errno));
			return 1;
		}
		if (mtu && set_mtu(name[k], mtu) < 0) {
			fprintf(stderr, "tunrelay: MTU of %s: %s\n", name[k], strerror(errno));
			return 1;
		}
	}
	struct sigaction sa = { .sa_handler = on_signal };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("ready\n");
	fflush(stdout);

	static unsigned char buf[65536];
	unsigned long long moved[2] = { 0, 0 }, lost[2] = { 0, 0 };
	struct pollfd p[2] = { { .fd = fd[0], .events = POLLIN }, { .fd = fd[1], .events = POLLIN } };
	while (!stop) {
		if (poll(p, 2, 500) < 0 && errno != EINTR)
			break;
		for (int k = 0; k < 2; k++) {
			for (int burst = 0; burst < 64; burst++) {
				ssize_t n = read(fd[k], buf, sizeof(buf));
				if (n <= 0)
					break;
				if (write(fd[!k], buf, (size_t)n) == n)
					moved[k]++;
				else
					lost[k]++;
			}
		}
	}
	fprintf(stderr, "tunrelay: %s -> %s %llu packets (%llu lost), %s -> %s %llu packets (%llu lost)\n", name[0],
		name[1], moved[0], lost[0], name[1], name[0], moved[1], lost[1]);
	return 0;
}
