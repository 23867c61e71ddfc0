/* The client side of the daemons' control sockets (ctl_client.h). */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../clat/clat_ctl.h"
#include "../common/siit_ctl.h"
#include "../mostly/dhcp4_daemon.h"
#include "../mostly/ra.h"
#include "../plat/plat_ctl.h"
#include "ctl_client.h"
#include "sys/ctl.h"

#define CTL_TIMEOUT_SEC 5

size_t cli_ctl_msg_max(void)
{
	size_t sizes[] = { sizeof(struct siit_status_msg), sizeof(struct clat_status_msg), sizeof(struct plat_status_msg),
			   sizeof(struct ra_status_msg), sizeof(struct dhcp4_status_msg) };
	size_t max = 0;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		if (sizes[i] > max)
			max = sizes[i];
	return max > 16384 ? max : 16384; /* dns64's JSON status is at most 16 KiB */
}

long cli_ctl_fetch(const char *path, void *buf, size_t cap)
{
	int fd = sys_ctl_connect(path);
	if (fd < 0)
		return -1;
	struct timeval tv = { .tv_sec = CTL_TIMEOUT_SEC };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	long n = sys_read_all(fd, buf, cap);
	int err = errno;
	close(fd);
	errno = err;
	return n;
}

enum cli_ctl_kind cli_ctl_kind(const void *msg, long n)
{
	const struct siit_status_msg *s = msg;
	if (n < 12)
		return CLI_CTL_UNKNOWN;
	switch (s->magic) {
	case SIIT_STATUS_MAGIC:
		return n == (long)sizeof(*s) && s->size == sizeof(*s) && s->ndrops == XLAT_DROP__COUNT ? CLI_CTL_SIIT
												     : CLI_CTL_UNKNOWN;
	case CLAT_STATUS_MAGIC:
		return n == (long)sizeof(struct clat_status_msg) && s->size == sizeof(struct clat_status_msg) &&
				       s->ndrops == XLAT_DROP__COUNT
			       ? CLI_CTL_CLAT
			       : CLI_CTL_UNKNOWN;
	case PLAT_STATUS_MAGIC: {
		const struct plat_status_msg *p = msg;
		return n == (long)sizeof(*p) && p->size == sizeof(*p) && p->ndrops == XLAT_DROP__COUNT ? CLI_CTL_PLAT
												     : CLI_CTL_UNKNOWN;
	}
	case RA_STATUS_MAGIC: {
		const struct ra_status_msg *r = msg;
		return n == (long)sizeof(*r) && r->size == sizeof(*r) && r->nreasons == RA_RS__COUNT ? CLI_CTL_RA
												   : CLI_CTL_UNKNOWN;
	}
	case DHCP4_STATUS_MAGIC: {
		const struct dhcp4_status_msg *d = msg;
		return n == (long)sizeof(*d) && d->size == sizeof(*d) && d->ndrops == DHCP4_DROP__COUNT ? CLI_CTL_DHCP4
												      : CLI_CTL_UNKNOWN;
	}
	default:
		return CLI_CTL_UNKNOWN;
	}
}

unsigned cli_ctl_list(char (*paths)[256], unsigned max)
{
	glob_t g = { 0 };
	unsigned n = 0;
	if (glob(SYS_CTL_DIR "/*.sock", 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc && n < max; i++)
			snprintf(paths[n++], 256, "%s", g.gl_pathv[i]);
	globfree(&g);
	return n;
}
