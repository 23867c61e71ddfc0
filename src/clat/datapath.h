/* The CLAT's userspace data path: the IPv4 side (the TUN with 192.0.0.1/29 and the default route),
 * the two sockets on the uplink, and lib/xlat between them.
 *
 *   IPv4 app -> TUN clat -> read -> xlat_4to6 -> raw IPv6 socket bound to the uplink -> PLAT
 *   PLAT -> uplink -> packet socket (filter: the CLAT's addresses) -> xlat_6to4 -> TUN -> app
 *
 * The TUN runs with IFF_VNET_HDR and checksum and TCP segmentation offload: a local application's TCP
 * reaches the CLAT as super-packets of up to 64 KiB, each translated once (lib/xlat/offload.h) and
 * sent out of the uplink whole through a packet socket with PACKET_VNET_HDR, to the next hop the
 * kernel's neighbour table gives; the device or the kernel's GSO cuts it into segments.
 *
 * With the kernel fast path (fastpath.h) this path sees only what the programs leave: fragments,
 * ICMP errors, options and the rest. */
#ifndef XLAT464_CLAT_DATAPATH_H
#define XLAT464_CLAT_DATAPATH_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/netlink.h"
#include "translator.h"
#include "uplink.h"
#include "xlat/offload.h"
#include "xlat/reasm.h"

#define CLAT_PKT_MAX (65535 + 40) /* the largest IPv6 packet: a super-packet can be it */
#define CLAT_ROUTE_METRIC 2048    /* above the metrics DHCP clients and NetworkManager give native routes */
#define CLAT_TUN_ALIAS "xlat464 clat" /* marks a TUN this daemon set up (IFLA_IFALIAS survives kill -9) */

struct clat_dp_counters {
	uint64_t tun_read_errors, tun_write_errors, uplink_send_errors, uplink_read_errors;
	uint64_t csum_completed;   /* packets whose checksum a same-host sender left to the device */
	uint64_t uplink_drops;     /* packets the kernel dropped because the packet socket's queue was full */
	uint64_t not_running;      /* packets read while not running (no prefix or address): not translated */
	uint64_t gso_out, gso_bytes; /* TCP super-packets from the TUN sent out of the uplink whole */
	uint64_t no_neighbour;     /* ... dropped: the next hop's link-layer address not known yet (the
				    * kernel is asked to resolve it; TCP sends the data again) */
};

/* The next hop of a destination on an Ethernet uplink, for super-packets (kept for a second). */
#define CLAT_NEXTHOP_CACHE 8
#define CLAT_NEXTHOP_TTL_MS 1000
struct clat_nexthop {
	uint8_t dst[16], mac[6];
	long at_ms; /* 0: empty */
};

struct clat_dp {
	/* the uplink */
	int pktfd, rawfd, gsofd; /* receive; send one packet (routed by the kernel); send a super-packet */
	int up_ifindex;
	bool up_eth;             /* an Ethernet header: a super-packet needs its next hop's address */
	uint8_t up_mac[6];       /* and ours */
	char up_name[IF_NAMESIZE];
	struct sys_nl *nl;       /* for next hops */
	struct clat_nexthop nh[CLAT_NEXTHOP_CACHE];
	/* the IPv4 side */
	char tun[IF_NAMESIZE];
	int tunfd, tun_ifindex;
	unsigned tun_mtu;
	bool tun_offload;        /* the TUN hands over TCP super-packets and checksums to finish (IFF_VNET_HDR) */
	bool addr4_added, route_added;
	/* translating */
	struct clat_translator tr;
	uint8_t *rx;
	struct xlat_out *out;
	struct clat_dp_counters n;
	/* UDP with checksum zero from local applications, fragmented by this host's stack, made whole
	 * for its checksum (lib/xlat/reasm.h; xlat_config_init's reasm_max slots and timeout) */
	struct xlat_reasm reasm;
	void *reasm_slots;
};

/* Allocates the buffers. 0, or -1 when out of memory. nl: for next-hop lookups. */
int clat_dp_init(struct clat_dp *dp, const char *tun, struct sys_nl *nl);
void clat_dp_free(struct clat_dp *dp);

/* Opens the packet socket and the raw IPv6 socket on the uplink, closing those of the one before.
 * 0, or -1 with errno (logged). */
int clat_dp_open_uplink(struct clat_dp *dp, const struct clat_uplink *u);
void clat_dp_close_uplink(struct clat_dp *dp);

/* The IPv4 side: the TUN (created by this process, not persistent, so it goes with the process),
 * 192.0.0.1/29 with host scope and the default route (metric CLAT_ROUTE_METRIC, source 192.0.0.1).
 * 0, or -1 (logged; clat_dp_tun_down undoes what was done). */
int clat_dp_tun_up(struct clat_dp *dp, struct sys_nl *nl, bool *created);
void clat_dp_tun_down(struct clat_dp *dp, struct sys_nl *nl);
/* A new MTU for the TUN (it exists or not). */
void clat_dp_tun_mtu(struct clat_dp *dp, unsigned mtu);

/* kill -9 recovery before anything is set up: a persistent TUN of our name that an earlier run set
 * up (CLAT_TUN_ALIAS) loses its address and route; one held open by another process is refused. */
int clat_dp_recover_stale(struct clat_dp *dp, struct sys_nl *nl);

/* Reads and translates what waits on the TUN (a burst); running: whether to translate at all. */
void clat_dp_from_tun(struct clat_dp *dp, bool running);
/* Translates one IPv6 packet for the CLAT address, read from the uplink into dp->rx; vh: what the
 * packet socket said of its checksum. */
void clat_dp_from_uplink(struct clat_dp *dp, size_t len, const struct xlat_vnet *vh);

/* The kernel's count of packets the packet socket dropped since the last call, added to n. */
void clat_dp_poll_drops(struct clat_dp *dp);

#endif
