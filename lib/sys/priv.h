/* Privileges: after setup a daemon keeps only the capabilities it still needs (CAP_NET_ADMIN for
 * links, addresses and routes; CAP_NET_RAW for raw and packet sockets), with no libcap: capset(2) and
 * prctl(2) directly. */
#ifndef XLAT464_SYS_PRIV_H
#define XLAT464_SYS_PRIV_H

#include <stdint.h>

/* The capabilities a daemon may keep after setup (linux/capability.h's numbers). */
#define SYS_PRIV_NET_BIND_SERVICE (1ull << 10)
#define SYS_PRIV_NET_ADMIN (1ull << 12)
#define SYS_PRIV_NET_RAW (1ull << 13)

/* Keeps the capabilities of keep (those of them the process has) in the effective and permitted sets
 * and drops every other: from the bounding set too when CAP_SETPCAP allows it, and from the
 * inheritable and ambient sets (which keep the kept ones, for helpers the daemon runs); no_new_privs
 * is set. The uid does not change. keep 0 drops them all.
 * Returns 0, or -1 with errno. */
int sys_priv_keep(uint64_t keep);
/* sys_priv_keep(CAP_NET_ADMIN | CAP_NET_RAW). */
int sys_priv_keep_net(void);

/* The effective capability set of this process (bit n = capability n), or 0 when unreadable. */
uint64_t sys_priv_effective(void);

/* Reads a small unsigned number from a file such as /proc/sys/net/ipv6/conf/IF/mtu. 0 or -1. */
int sys_read_uint_file(const char *path, unsigned *out);

#endif
