/* rtnetlink through libmnl: the links, addresses and routes a daemon reads and changes.
 *
 * Every call is a synchronous request and answer on one NETLINK_ROUTE socket (a dump, or a change
 * acknowledged with NLM_F_ACK), so errors come back as errno from the call that caused them. */
#ifndef XLAT464_SYS_NETLINK_H
#define XLAT464_SYS_NETLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

struct mnl_socket;

struct sys_nl {
	struct mnl_socket *nl;
	unsigned portid;
	unsigned seq;
};

/* Returns 0 or -1 with errno. */
int sys_nl_open(struct sys_nl *n);
void sys_nl_close(struct sys_nl *n);

struct sys_link {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned mtu;
	bool up, running;
	unsigned type;  /* ARPHRD_* (ifi_type): ARPHRD_ETHER, ARPHRD_NONE (a TUN, a raw-IP modem), ARPHRD_PPP ... */
	unsigned flags; /* IFF_* (ifi_flags): IFF_NOARP, IFF_POINTOPOINT ... */
	bool has_mac; /* an Ethernet-like link-layer address of 6 bytes */
	uint8_t mac[6];
	char kind[16];  /* IFLA_INFO_KIND ("tun", "veth", ...), "" when the kernel gives none */
	char alias[64]; /* IFLA_IFALIAS, "" when none */
};

/* Reads one link. Returns 0, or -1 with errno (ENODEV when there is no such link). */
int sys_nl_link_get(struct sys_nl *n, int ifindex, struct sys_link *out);
/* Reads one link by name. Returns 0, or -1 with errno (ENODEV when there is no such link). */
int sys_nl_link_get_by_name(struct sys_nl *n, const char *name, struct sys_link *out);
/* Sets a link's alias (IFLA_IFALIAS; "" removes it), a mark that survives the process. 0 or -1. */
int sys_nl_link_set_alias(struct sys_nl *n, int ifindex, const char *alias);
/* Deletes a link (RTM_DELLINK). 0 or -1 with errno. */
int sys_nl_link_del(struct sys_nl *n, int ifindex);

struct sys_addr6 {
	uint8_t addr[16];
	uint8_t plen;
	uint8_t scope;  /* RT_SCOPE_* */
	uint32_t flags; /* IFA_F_* (IFA_FLAGS when present) */
	uint32_t preferred, valid; /* lifetimes in seconds; 0xffffffff is forever */
};

/* Lists the IPv6 addresses on ifindex (0: every link) into out[0..max). Returns how many there are
 * (which may exceed max: only the first max are stored), or -1 with errno. */
int sys_nl_addr6_list(struct sys_nl *n, int ifindex, struct sys_addr6 *out, int max);

/* Adds (add = true) or deletes an IPv4 address with its prefix length and scope (RT_SCOPE_*).
 * Adding an address that exists already fails with EEXIST. 0 or -1 with errno. */
int sys_nl_addr4(struct sys_nl *n, bool add, int ifindex, const uint8_t addr[4], unsigned plen, unsigned scope);

/* Adds or deletes an IPv4 route dst/dlen out of oif (no gateway: a point-to-point device), in the
 * main table, with the given metric and, when prefsrc is not NULL, a preferred source. 0 or -1. */
int sys_nl_route4(struct sys_nl *n, bool add, int oif, const uint8_t dst[4], unsigned dlen, const uint8_t *prefsrc,
		  uint32_t metric);

/* Finds the unicast default route of family (AF_INET or AF_INET6) in the main table with the lowest
 * metric, ignoring routes out of skip_oif (0: none). Returns its output link's index (the first
 * next hop's, for a multipath route), 0 when there is none, or -1 with errno. */
int sys_nl_default_route_oif(struct sys_nl *n, int family, int skip_oif);

/* The route towards dst out of oif: its gateway (*has_gw; else gw is dst itself, on-link) and the
 * length of the route's prefix (0: the default route). 0, or -1 with errno (ENETUNREACH: the route
 * leaves by another link). */
int sys_nl_route6_get(struct sys_nl *n, const uint8_t dst[16], int oif, uint8_t gw[16], bool *has_gw, unsigned *dst_len);

/* The link-layer address of the next hop towards dst out of oif (the route's gateway, or dst itself
 * on-link), from the kernel's neighbour table. 0 with *resolved true and mac filled; 0 with *resolved
 * false when the kernel has no usable entry yet (it is asked to resolve one: NTF_USE); -1 with errno
 * (ENETUNREACH: the route leaves by another link). */
int sys_nl_nexthop6(struct sys_nl *n, const uint8_t dst[16], int oif, uint8_t mac[6], bool *resolved);

/* ---- change notifications ------------------------------------------------------------------- */

/* Opens n as a listener for the rtnetlink multicast groups in groups (RTMGRP_* bits, for example
 * RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE), non-blocking, for an event loop. The daemon
 * re-reads the state it cares about (with its request socket) after each batch: notifications only
 * say that something changed. 0 or -1 with errno. */
int sys_nl_monitor_open(struct sys_nl *n, unsigned groups);
/* The descriptor to watch for input. */
int sys_nl_fd(const struct sys_nl *n);
/* Reads and discards every waiting notification. Returns how many messages were read (0: none), or
 * -1 with errno; ENOBUFS means some were lost, which the caller treats as a change as well. */
int sys_nl_monitor_drain(struct sys_nl *n);

/* The link the kernel would send a packet to dst by (family AF_INET or AF_INET6, dst 4 or 16 bytes):
 * *oif its index, *dst_len the length of the route that matched (0: the default route). 0, or -1
 * with errno (ENETUNREACH, EHOSTUNREACH: no route). For `xlat464 doctor`. */
int sys_nl_route_lookup(struct sys_nl *n, int family, const uint8_t *dst, int *oif, unsigned *dst_len);

/* ---- the IPv6 neighbour table, followed ---------------------------------------------------- */

struct sys_neigh6 {
	int ifindex;
	uint8_t addr[16];
	uint8_t mac[6];
	bool has_mac;   /* NDA_LLADDR of 6 bytes */
	uint16_t state; /* NUD_* */
	bool deleted;   /* RTM_DELNEIGH */
};

typedef void (*sys_nl_neigh_fn)(void *arg, const struct sys_neigh6 *ne);

/* Calls fn for every IPv6 neighbour entry on ifindex (0: every link). 0 or -1 with errno. */
int sys_nl_neigh6_dump(struct sys_nl *n, int ifindex, sys_nl_neigh_fn fn, void *arg);
/* On a monitor opened with RTMGRP_NEIGH: reads every waiting notification and calls fn for each IPv6
 * neighbour added, changed or deleted. Returns how many messages were read, or -1 with errno
 * (ENOBUFS: some were lost; dump the table again). */
int sys_nl_monitor_neigh6(struct sys_nl *n, sys_nl_neigh_fn fn, void *arg);

#endif
