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
 * ICMP errors, options and the rest.
 *
 * Both directions run on src/common/tun_workers.c's workers, each a struct clat_dp_path of its own:
 *
 *  - workers 1: the daemon's loop reads the TUN (wk[0]) and the one packet socket on the uplink
 *    (dp->pktfd), whose packets for the CLAT address it translates on dp->v6, as it ever did;
 *  - workers N > 1: a thread per queue of a multi-queue TUN, and per worker a packet socket on the
 *    uplink (wk[i].pktfd), the N of them in one PACKET_FANOUT group (hash mode), so the kernel hands
 *    each IPv6 flow to one worker, which translates it (6to4) with its own translator and writes it to
 *    its own TUN queue. Their filter takes the packets for the CLAT address that are not neighbour
 *    discovery, while the CLAT runs; dp->pktfd then takes only the neighbour discovery and router
 *    advertisements, for the daemon's thread (sys_packet_filter_take).
 *
 * The daemon changes what the workers read (sockets, translators, running) only under their locks. */
#ifndef XLAT464_CLAT_DATAPATH_H
#define XLAT464_CLAT_DATAPATH_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../common/tun_workers.h"
#include "sys/log.h"
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
	uint64_t shared_host, shared_malformed; /* shared mode: left to the host's kernel, unparsable */
};

/* The next hop of a destination on an Ethernet uplink, for super-packets (kept for a second). */
#define CLAT_NEXTHOP_CACHE 8
#define CLAT_NEXTHOP_TTL_MS 1000
struct clat_nexthop {
	uint8_t dst[16], mac[6];
	long at_ms; /* 0: empty */
};

/* One translator and its scratch: the IPv6 side's with one worker (on the main thread) and one per
 * queue of the TUN (a worker: on the main thread with one, on a thread of its own with more,
 * src/common/tun_workers.h). Nothing in it is shared: a worker's counters are read, and its
 * translator set, under its lock. */
struct clat_dp_path {
	struct clat_dp *dp;
	int tunfd;               /* the queue it reads (a worker) or writes to (the IPv6 side: queue 0) */
	int pktfd;               /* a worker of several: its packet socket on the uplink (else -1) */
	struct clat_translator tr;
	uint8_t *rx;
	struct xlat_out *out;
	struct clat_dp_counters n;
	/* UDP with checksum zero from local applications, fragmented by this host's stack, made whole
	 * for its checksum (lib/xlat/reasm.h; xlat_config_init's reasm_max slots and timeout) */
	struct xlat_reasm reasm;
	void *reasm_slots;
	struct sys_nl *nl;       /* for next hops: the daemon's, or own_nl on a thread of its own */
	struct sys_nl own_nl;
	bool own_nl_open;
	struct clat_nexthop nh[CLAT_NEXTHOP_CACHE];
	struct log_ratelimit rl; /* its warnings: one per path, workers run on threads */
};

struct clat_dp {
	/* the uplink: written by the main thread only with every worker's lock held */
	int pktfd, rawfd, gsofd; /* receive (with workers N > 1: neighbour discovery only); send one packet
				  * (routed by the kernel); send a super-packet */
	int up_ifindex;
	bool up_eth;             /* an Ethernet header: a super-packet needs its next hop's address */
	uint8_t up_mac[6];       /* and ours */
	char up_name[IF_NAMESIZE];
	struct sys_nl *nl;       /* the daemon's netlink socket */
	bool running;            /* translate what the TUN gives (else count it as not_running) */
	uint8_t clat6[16];       /* the CLAT address the uplink's packets are translated for */
	bool have_clat6;
	bool shared;             /* shared mode: only the packets in port_lo..port_hi (shared.h) */
	uint16_t port_lo, port_hi;
	/* the IPv4 side */
	char tun[IF_NAMESIZE];
	int tunfd, tun_ifindex;  /* tunfd: queue 0 (-1: no TUN) */
	unsigned tun_mtu;
	bool tun_offload;        /* the TUN hands over TCP super-packets and checksums to finish (IFF_VNET_HDR) */
	bool addr4_added, route_added;
	/* translating: the IPv6 side, whose translator is the reference the status shows, and the workers */
	struct clat_dp_path v6;
	unsigned nworkers;
	struct clat_dp_path *wk; /* nworkers of them */
	struct tun_workers pool; /* running while the TUN exists, with more than one worker */
};

/* Allocates the buffers of the IPv6 side and of nworkers workers (1..TUN_WORKERS_MAX). 0, or -1 when
 * out of memory or a worker's netlink socket cannot be opened. nl: for next-hop lookups. */
int clat_dp_init(struct clat_dp *dp, const char *tun, struct sys_nl *nl, unsigned nworkers);
void clat_dp_free(struct clat_dp *dp);

/* Opens the packet socket and the raw IPv6 socket on the uplink, closing those of the one before,
 * and the workers' packet sockets (clat_dp_open_workers). 0, or -1 with errno (logged). */
int clat_dp_open_uplink(struct clat_dp *dp, const struct clat_uplink *u);
/* With workers N > 1: N packet sockets on the uplink in a new fanout group, swapped into the workers
 * while they are stopped, unless they are open already. The kernel lets a socket join a fanout group
 * only while its link is up: call it again when the uplink comes up. 0, or -1 (not open). */
int clat_dp_open_workers(struct clat_dp *dp);
void clat_dp_close_uplink(struct clat_dp *dp);

/* The IPv4 side: the TUN (multi-queue with more than one worker; created by this process, not persistent, so it goes with the process),
 * 192.0.0.1/29 with host scope and the default route (metric CLAT_ROUTE_METRIC, source 192.0.0.1).
 * 0, or -1 (logged; clat_dp_tun_down undoes what was done). */
int clat_dp_tun_up(struct clat_dp *dp, struct sys_nl *nl, bool *created);
void clat_dp_tun_down(struct clat_dp *dp, struct sys_nl *nl);
/* With more than one worker: starts their threads on the TUN's queues (after clat_dp_tun_up, and after
 * the capabilities are dropped). 0, or -1 (logged). clat_dp_tun_down stops them. */
int clat_dp_workers_start(struct clat_dp *dp);
/* A new MTU for the TUN (it exists or not). */
void clat_dp_tun_mtu(struct clat_dp *dp, unsigned mtu);

/* kill -9 recovery before anything is set up: a persistent TUN of our name that an earlier run set
 * up (CLAT_TUN_ALIAS) loses its address and route; one held open by another process is refused. */
int clat_dp_recover_stale(struct clat_dp *dp, struct sys_nl *nl);

/* The translators' settings (clat_translator_set), for the IPv6 side and every worker. */
int clat_dp_set_translator(struct clat_dp *dp, const uint8_t clat6[16], const struct xlat_prefix6 *pool6,
			   unsigned mtu4, unsigned mtu6);
/* Whether the workers translate what they read (the daemon is running with an address). */
void clat_dp_set_running(struct clat_dp *dp, bool running);
/* The shared address mode and its port range (shared.h): which packets for the address are the CLAT's. */
void clat_dp_set_shared(struct clat_dp *dp, bool shared, uint16_t port_lo, uint16_t port_hi);
/* Reads and translates what waits on a worker's queue (a burst; tun_worker_burst_fn). */
void clat_dp_from_tun(void *worker, int fd);
/* With one worker: translates one IPv6 packet (not neighbour discovery) read from the uplink into
 * dp->v6.rx, when it is for the CLAT address and the CLAT runs; vh: what the packet socket said of
 * its checksum. */
void clat_dp_from_uplink(struct clat_dp *dp, size_t len, const struct xlat_vnet *vh);
/* With several: reads and translates what waits on a worker's packet socket (a burst; the workers'
 * second tun_worker_burst_fn). */
void clat_dp_from_uplink_socket(void *worker, int fd);

/* The kernel's count of packets the packet sockets dropped since the last call, added to v6.n. */
void clat_dp_poll_drops(struct clat_dp *dp);
/* The counters of the IPv6 side and every worker, summed (each worker's read under its lock). */
void clat_dp_sum(struct clat_dp *dp, struct clat_dp_counters *n, struct xlat_stats *st);
/* Worker i's IPv4 packets translated (how the kernel spread the flows over the queues), and its IPv6
 * packets translated (how the fanout group spread them; with one worker, the daemon's thread's). */
uint64_t clat_dp_worker_packets_4to6(struct clat_dp *dp, unsigned i);
uint64_t clat_dp_worker_packets_6to4(struct clat_dp *dp, unsigned i);

#endif
