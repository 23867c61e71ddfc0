/* The CLAT's IPv6 address on its uplink: chosen, probed, announced, defended and retired.
 *
 * The address is not the kernel's: it is a dedicated address in one of the uplink's /64s, RFC 7217
 * style (iid.h), that this manager owns on the daemon's packet socket. On a link with neighbour
 * discovery (Ethernet, Wi-Fi) a new address is probed with Duplicate Address Detection (RFC 4862
 * section 5.4, one probe and RetransTimer = 1 s, driven by the daemon's timer: nothing here blocks),
 * the next candidate taken on a conflict (RFC 7217 section 6, IDGEN_RETRIES = 3), announced once it
 * is free (an unsolicited Neighbor Advertisement to all nodes, Override set, RFC 4861 section 7.2.6),
 * and every Neighbor Solicitation for it answered. On a layer-3 link (a raw-IP modem, PPP) the
 * network routes the whole /64 to the host and there is no neighbour discovery: the address is
 * usable at once.
 *
 * When the uplink is renumbered, the address in use stays in use while its successor is probed, so
 * the translation never stops; the replaced one is still answered for (solicitations, and what the
 * PLAT still sends it) until its /64 has left the link. In the shared mode the address is the host's
 * own, which the kernel manages: this manager only records it.
 *
 * One calling direction: the daemon calls in, and reads the result (an event) back. */
#ifndef XLAT464_CLAT_ADDR_H
#define XLAT464_CLAT_ADDR_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "iid.h"
#include "uplink.h"

#define CLAT_DAD_WAIT_MS 1000 /* RFC 4861 section 10: RetransTimer; DupAddrDetectTransmits = 1 */
#define CLAT_DAD_RETRY_MS 30000 /* after every candidate of a /64 was taken: try the /64 again */

struct clat_addr_counters {
	uint64_t ns_answered, na_sent, dad_conflicts, addr_conflicts, ndp_bad, send_errors;
};

struct clat_addr {
	uint8_t key[CLAT_IID_KEY_LEN];
	/* the link it works on (clat_addr_attach) */
	int pktfd;
	int ifindex;
	char ifname[IF_NAMESIZE];
	bool nd;
	uint8_t mac[6];
	uint8_t net_iface[IF_NAMESIZE];
	size_t net_iface_len;
	bool shared;                /* the host's own address: the kernel's neighbour discovery */
	bool ndp_only;              /* pktfd takes neighbour discovery only: the data plane's workers
				     * have sockets of their own for the rest (datapath.h) */
	/* the address in use */
	bool have_cur;
	uint8_t cur[16];
	unsigned cur_counter;       /* the DAD counter it was made with */
	/* the candidate under DAD */
	bool probing;
	uint8_t tent[16], tent_prefix[16];
	unsigned counter;
	long deadline_ms;           /* the probe's answer is due; or, failed, when to try again */
	bool failed;                /* every candidate of tent_prefix was taken */
	/* the replaced address, answered for until its /64 leaves the link */
	bool have_old;
	uint8_t old[16];
	/* the solicited-node groups joined at the link layer (cur, tent, old) */
	uint8_t joined[3][6];
	unsigned njoined;
	struct clat_addr_counters n;
};

enum clat_addr_event {
	CLAT_ADDR_NONE,
	CLAT_ADDR_READY,  /* cur is new (the first address, or a successor that passed DAD) */
	CLAT_ADDR_FAILED, /* every candidate of the /64 is in use; tried again after CLAT_DAD_RETRY_MS */
};

void clat_addr_init(struct clat_addr *a, const uint8_t key[CLAT_IID_KEY_LEN]);

/* Works on uplink u through the packet socket pktfd from now on: forgets every address of the link
 * before (the caller stops translating for them) and lets only Router Advertisements through. */
void clat_addr_attach(struct clat_addr *a, int pktfd, const struct clat_uplink *u);

/* Starts taking an address in prefix64: probes the first candidate (DAD) on a link with neighbour
 * discovery; on one without, the address is in use at once (READY). While an address is in use it
 * stays so until the successor is ready. */
enum clat_addr_event clat_addr_begin(struct clat_addr *a, const uint8_t prefix64[16], long now_ms);

/* The shared mode: the host's own address host6, whose neighbour discovery is the kernel's. READY
 * when it changed. */
enum clat_addr_event clat_addr_set_shared(struct clat_addr *a, const uint8_t host6[16]);

/* Stops probing, and forgets the address in use (its /64 is gone from the link). */
void clat_addr_drop(struct clat_addr *a);
/* Stops answering for the replaced address (its /64 has left the link). */
void clat_addr_forget_old(struct clat_addr *a);

/* What a neighbour discovery message on the packet socket means for the addresses: answers a
 * solicitation, defends against another node's DAD, takes the next candidate when one is in use.
 * Returns true when the packet was such a message (about one of the addresses or not; none is ever
 * translated), with an event in *ev. */
bool clat_addr_on_ndp(struct clat_addr *a, const uint8_t *pkt, size_t len, const uint8_t src_mac[6], long now_ms,
		      enum clat_addr_event *ev);

/* The timer: a probe that got no answer by its deadline makes its candidate the address in use. */
enum clat_addr_event clat_addr_tick(struct clat_addr *a, long now_ms);
/* When clat_addr_tick wants to run next, or -1. */
long clat_addr_deadline(const struct clat_addr *a);

/* A Router Solicitation from :: (RFC 4861 section 6.3.7), so a router tells its PREF64 now. */
void clat_addr_send_rs(struct clat_addr *a);

/* Leaves the link (the solicited-node groups); the packet socket is the caller's. */
void clat_addr_detach(struct clat_addr *a);

#endif
