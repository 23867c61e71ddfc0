/* The CLAT's uplink: which link it is, what kind (Ethernet or Wi-Fi with neighbour discovery, or a
 * layer-3 link without a link-layer address: a raw-IP cellular modem, PPP), its IPv6 MTU, and what
 * its IPv6 addresses offer the CLAT (a /64 to take a dedicated address from, or only the host's
 * own address to share). Reads through netlink; the classification is pure (tests/unit/test_clat_uplink.c).
 *
 * On a layer-3 link the network routes the whole /64 to the host (3GPP TS 23.401 section 5.3.1.2.2;
 * RFC 5072 for PPP) and there is no neighbour discovery: no DAD, no neighbour advertisements, no
 * link-layer header on the wire. */
#ifndef XLAT464_CLAT_UPLINK_H
#define XLAT464_CLAT_UPLINK_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/netlink.h"

enum clat_link_kind {
	CLAT_LINK_ETHERNET, /* ARPHRD_ETHER with ARP: Ethernet, Wi-Fi, a USB modem in Ethernet mode */
	CLAT_LINK_RAWIP,    /* ARPHRD_NONE or ARPHRD_RAWIP: qmi_wwan or mhi raw IP, a TUN */
	CLAT_LINK_PPP,      /* ARPHRD_PPP */
	CLAT_LINK_L3,       /* any other link without neighbour discovery (NOARP, a tunnel) */
};

const char *clat_link_kind_name(enum clat_link_kind k);

/* What a link is, from its ARPHRD type and IFF flags (pure). nd: it does neighbour discovery;
 * eth_header: its frames carry an Ethernet header (the kernel fast path's ingress variant). */
enum clat_link_kind clat_link_kind_of(unsigned type, unsigned flags, bool *nd, bool *eth_header);

struct clat_uplink {
	int ifindex;           /* 0: none chosen */
	char name[IF_NAMESIZE];
	enum clat_link_kind kind;
	bool nd, eth_header;
	uint8_t mac[6];        /* with nd */
	bool up;               /* administratively up with carrier (IFF_UP, IFF_RUNNING) */
	unsigned link_mtu;
	unsigned mtu;          /* the IPv6 MTU: the lower of the link's and net.ipv6.conf.IF.mtu (an RA's MTU
				* option sets the latter without a link notification) */
};

/* Reads the link. 0, or -1 with errno (ENODEV: it is gone). */
int clat_uplink_read(struct sys_nl *nl, int ifindex, struct clat_uplink *u);

/* RFC 7217's Net_Iface for the link: its MAC address where it has one (stable across reboots,
 * unlike the index), else its name (wwan0, ppp0). Returns the length written into out. */
size_t clat_uplink_iface_id(const struct clat_uplink *u, uint8_t out[IF_NAMESIZE]);

/* What the link's IPv6 addresses offer. */
struct clat_uplink_addrs {
	bool global;       /* a global address out of DAD: IPv6 is here */
	bool have64;       /* a usable /64 (global, not tentative, deprecated or temporary) ... */
	uint8_t best64[16]; /* ... the one to take the CLAT address from (below), bits past 64 zero */
	bool cur_ok;       /* cur (the /64 in use) is among the usable ones */
	bool cur_present;  /* cur is on the link at all (deprecated included): its address is still answered */
	bool have_own;     /* an address of the host to share (a DHCPv6 /128 first) */
	uint8_t own[16];
	unsigned own_plen;
	unsigned n64;      /* how many usable /64s there are */
};

/* Reads the link's addresses. cur may be NULL. The /64 chosen among several (draft-ietf-v6ops-claton):
 * the one cur is in while it stays usable, else one the network gave by SLAAC (not a static one),
 * the longest preferred lifetime first (the network means to keep it), then the lowest. 0 or -1. */
int clat_uplink_addrs(struct sys_nl *nl, int ifindex, const uint8_t *cur, struct clat_uplink_addrs *out);

#endif
