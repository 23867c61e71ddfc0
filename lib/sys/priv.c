#include "priv.h"

#include <errno.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int cap_get(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capget, &h, d);
}

static int cap_set(struct __user_cap_data_struct d[2])
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	return (int)syscall(SYS_capset, &h, d);
}

uint64_t sys_priv_effective(void)
{
	struct __user_cap_data_struct d[2];
	if (cap_get(d) < 0)
		return 0;
	return (uint64_t)d[0].effective | (uint64_t)d[1].effective << 32;
}

_Static_assert(SYS_PRIV_NET_ADMIN == 1ull << CAP_NET_ADMIN && SYS_PRIV_NET_RAW == 1ull << CAP_NET_RAW &&
		       SYS_PRIV_NET_BIND_SERVICE == 1ull << CAP_NET_BIND_SERVICE,
	       "priv.h's capability numbers");

int sys_priv_keep_net(void) { return sys_priv_keep(SYS_PRIV_NET_ADMIN | SYS_PRIV_NET_RAW); }

int sys_priv_keep(uint64_t keep)
{
	struct __user_cap_data_struct d[2];

	if (cap_get(d) < 0)
		return -1;
	uint64_t perm = (uint64_t)d[0].permitted | (uint64_t)d[1].permitted << 32;
	/* The bounding set first: dropping from it needs CAP_SETPCAP, which goes next. */
	if (perm & 1ull << CAP_SETPCAP) {
		for (int cap = 0; cap <= 63; cap++) {
			if (keep & 1ull << cap)
				continue;
			if (prctl(PR_CAPBSET_DROP, (unsigned long)cap, 0, 0, 0) < 0 && errno != EINVAL)
				return -1; /* EINVAL: beyond the kernel's last capability */
		}
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return -1;
	uint64_t now = perm & keep;
	d[0].effective = d[0].permitted = d[0].inheritable = (uint32_t)now;
	d[1].effective = d[1].permitted = d[1].inheritable = (uint32_t)(now >> 32);
	if (cap_set(d) < 0)
		return -1;
	/* The kept ones stay ambient, so a helper the daemon runs (nft) has them even when the daemon is not
	 * root (systemd's AmbientCapabilities=); a root daemon's helpers get them from the bounding set. */
	for (int cap = 0; cap <= 63; cap++)
		if (now & 1ull << cap)
			prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, (unsigned long)cap, 0, 0);
	return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
}

int sys_read_uint_file(const char *path, unsigned *out)
{
	char buf[32];
	FILE *f = fopen(path, "re");
	if (!f)
		return -1;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	char *end;
	errno = 0;
	unsigned long v = strtoul(buf, &end, 10);
	if (end == buf || errno || v > 0xffffffffu) {
		errno = EINVAL;
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}
