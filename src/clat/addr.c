#include "addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

#include "common/csum.h"
#include "ndp/ndp.h"
#include "sys/log.h"
#include "sys/packet.h"

#define IP6_HDR_LEN 40
#define IP6_OFF_HLIM 7
#define IP6_OFF_NEXT 6
#define IP6_OFF_SRC 8
#define IP6_OFF_DST 24
#define IP6_VERSION_FLOW 0x60000000u
#define ND_RS_LEN 8 /* type, code, checksum, reserved */

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
static const uint8_t unspecified6[16];

static const char *ntop6(const uint8_t a[16], char *buf) { return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN); }

void clat_addr_init(struct clat_addr *a, const uint8_t key[CLAT_IID_KEY_LEN])
{
	memset(a, 0, sizeof(*a));
	memcpy(a->key, key, CLAT_IID_KEY_LEN);
	a->pktfd = -1;
}

/* ---- the packet socket: filter and link-layer groups --------------------------------------------- */

/* Points the packet filter at the addresses that matter now (in use, under DAD, replaced), and, on
 * a link with neighbour discovery, joins their solicited-node groups at the link layer (frames for
 * them reach the socket even where the NIC filters multicast) and leaves the others. */
static void refresh_watch(struct clat_addr *a)
{
	uint8_t list[3][16], want[3][6];
	unsigned n = 0, nw = 0;
	if (a->pktfd < 0)
		return;
	if (a->have_cur)
		memcpy(list[n++], a->cur, 16);
	if (a->probing)
		memcpy(list[n++], a->tent, 16);
	if (a->have_old)
		memcpy(list[n++], a->old, 16);
	if (sys_packet_filter_take(a->pktfd, (const uint8_t(*)[16])list, n,
				   a->ndp_only ? SYS_PACKET_TAKE_NDP : SYS_PACKET_TAKE_ALL) < 0)
		log_warn("packet filter on %s: %s", a->ifname, strerror(errno));
	if (!a->nd || a->shared) /* the kernel joins the host's own address's group */
		n = 0;
	for (unsigned i = 0; i < n; i++) {
		uint8_t snm[16];
		ndp_solicited_node(list[i], snm);
		ndp_multicast_mac(snm, want[nw]);
		bool dup = false;
		for (unsigned j = 0; j < nw; j++)
			dup |= memcmp(want[j], want[nw], 6) == 0;
		nw += !dup;
	}
	for (unsigned j = 0; j < a->njoined; j++) {
		bool keep = false;
		for (unsigned i = 0; i < nw; i++)
			keep |= memcmp(a->joined[j], want[i], 6) == 0;
		if (!keep)
			sys_packet_membership(a->pktfd, a->ifindex, a->joined[j], false);
	}
	for (unsigned i = 0; i < nw; i++) {
		bool have = false;
		for (unsigned j = 0; j < a->njoined; j++)
			have |= memcmp(a->joined[j], want[i], 6) == 0;
		if (!have && sys_packet_membership(a->pktfd, a->ifindex, want[i], true) < 0)
			log_warn("joining a solicited-node group on %s: %s", a->ifname, strerror(errno));
	}
	memcpy(a->joined, want, sizeof(want));
	a->njoined = nw;
}

void clat_addr_attach(struct clat_addr *a, int pktfd, const struct clat_uplink *u)
{
	clat_addr_detach(a);
	a->have_cur = a->probing = a->have_old = a->failed = false;
	a->pktfd = pktfd;
	a->ifindex = u->ifindex;
	memcpy(a->ifname, u->name, sizeof(a->ifname));
	a->nd = u->nd;
	memcpy(a->mac, u->mac, 6);
	a->net_iface_len = clat_uplink_iface_id(u, a->net_iface);
	refresh_watch(a);
}

void clat_addr_detach(struct clat_addr *a)
{
	for (unsigned j = 0; a->pktfd >= 0 && j < a->njoined; j++)
		sys_packet_membership(a->pktfd, a->ifindex, a->joined[j], false);
	a->njoined = 0;
	a->pktfd = -1;
}

/* ---- neighbour discovery messages --------------------------------------------------------------- */

/* Wraps an ICMPv6 message in an IPv6 header (hop limit 255, RFC 4861) and sends it to dst_mac. */
static int send_ndp(struct clat_addr *a, const uint8_t src[16], const uint8_t dst[16], const uint8_t dst_mac[6],
		    const uint8_t *msg, size_t len)
{
	uint8_t pkt[IP6_HDR_LEN + NDP_NA_MAX_LEN + NDP_NS_MAX_LEN];
	if (len > sizeof(pkt) - IP6_HDR_LEN) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(pkt, 0, IP6_HDR_LEN);
	pkt[0] = IP6_VERSION_FLOW >> 24;
	pkt[4] = (uint8_t)(len >> 8);
	pkt[5] = (uint8_t)len;
	pkt[IP6_OFF_NEXT] = NDP_NEXT_HEADER_ICMP6;
	pkt[IP6_OFF_HLIM] = NDP_HOP_LIMIT;
	memcpy(pkt + IP6_OFF_SRC, src, 16);
	memcpy(pkt + IP6_OFF_DST, dst, 16);
	memcpy(pkt + IP6_HDR_LEN, msg, len);
	int r = sys_packet_send(a->pktfd, a->ifindex, dst_mac, pkt, IP6_HDR_LEN + len);
	a->n.send_errors += r < 0;
	return r;
}

/* An advertisement for target with our link-layer address: solicited (to the asker) or unsolicited
 * (to all nodes, RFC 4861 section 7.2.6). Override is set: the address is ours alone. */
static void send_na(struct clat_addr *a, const uint8_t target[16], const uint8_t dst[16], const uint8_t dst_mac[6],
		    bool solicited)
{
	struct ndp_na na = { .solicited = solicited, .override = true, .has_tgt_lladdr = true };
	uint8_t msg[NDP_NA_MAX_LEN];
	char t[INET6_ADDRSTRLEN];

	memcpy(na.target, target, 16);
	memcpy(na.tgt_lladdr, a->mac, 6);
	size_t len = ndp_build_na(target, dst, &na, msg, sizeof(msg));
	if (!len || send_ndp(a, target, dst, dst_mac, msg, len) < 0) {
		static struct log_ratelimit rl;
		if (log_ratelimit_ok(&rl))
			log_warn("neighbour advertisement for %s: %s", ntop6(target, t), len ? strerror(errno) : "cannot build");
		return;
	}
	a->n.na_sent++;
}

static void send_na_all(struct clat_addr *a, const uint8_t target[16])
{
	uint8_t m[6];
	ndp_multicast_mac(all_nodes, m);
	send_na(a, target, all_nodes, m, false);
}

static int send_dad_ns(struct clat_addr *a)
{
	struct ndp_ns ns = { 0 };
	uint8_t msg[NDP_NS_MAX_LEN], snm[16], mac[6];

	memcpy(ns.target, a->tent, 16);
	ndp_solicited_node(a->tent, snm);
	ndp_multicast_mac(snm, mac);
	size_t len = ndp_build_ns(unspecified6, snm, &ns, msg, sizeof(msg));
	if (!len) {
		errno = EINVAL;
		return -1;
	}
	return send_ndp(a, unspecified6, snm, mac, msg, len);
}

void clat_addr_send_rs(struct clat_addr *a)
{
	uint8_t msg[ND_RS_LEN] = { NDP_ICMP6_ROUTER_SOLICIT }, mac[6];
	uint32_t sum = csum_partial(unspecified6, 16, 0);
	sum = csum_partial(all_routers, 16, sum);
	sum += ND_RS_LEN + NDP_NEXT_HEADER_ICMP6;
	sum = csum_partial(msg, sizeof(msg), sum);
	uint16_t ck = csum_fold(sum);
	msg[2] = (uint8_t)(ck >> 8);
	msg[3] = (uint8_t)ck;
	ndp_multicast_mac(all_routers, mac);
	if (a->pktfd >= 0 && send_ndp(a, unspecified6, all_routers, mac, msg, sizeof(msg)) < 0)
		log_warn("router solicitation on %s: %s", a->ifname, strerror(errno));
}

/* ---- choosing and probing ----------------------------------------------------------------------- */

/* The candidate becomes the address in use; the one it replaces is still answered for. */
static enum clat_addr_event promote(struct clat_addr *a)
{
	char t[INET6_ADDRSTRLEN];
	if (a->have_cur && memcmp(a->cur, a->tent, 16) != 0) {
		memcpy(a->old, a->cur, 16);
		a->have_old = true;
	} else if (a->have_old && memcmp(a->old, a->tent, 16) == 0) {
		a->have_old = false; /* back to an address we were retiring */
	}
	memcpy(a->cur, a->tent, 16);
	a->cur_counter = a->counter;
	a->have_cur = true;
	a->probing = false;
	refresh_watch(a);
	if (a->nd) {
		log_info("DAD: %s is free; using it", ntop6(a->cur, t));
		send_na_all(a, a->cur); /* RFC 4861 section 7.2.6: tell caches that ask no one */
	} else {
		log_info("uplink %s: no neighbour discovery on a layer-3 link: %s is the CLAT's at once (no DAD)", a->ifname,
			 ntop6(a->cur, t));
	}
	return CLAT_ADDR_READY;
}

static enum clat_addr_event start_candidate(struct clat_addr *a, long now_ms)
{
	char t[INET6_ADDRSTRLEN];
	clat_iid_make(a->key, a->tent_prefix, a->net_iface, a->net_iface_len, a->counter, a->tent);
	if (!a->nd)
		return promote(a);
	if (a->have_cur && memcmp(a->cur, a->tent, 16) == 0) {
		a->probing = false; /* the address in use already */
		return CLAT_ADDR_NONE;
	}
	a->probing = true;
	a->failed = false;
	refresh_watch(a);
	if (send_dad_ns(a) < 0)
		log_warn("DAD probe for %s: %s; taking the answer's silence as it comes", ntop6(a->tent, t), strerror(errno));
	/* The random delay before the first probe (RFC 4862 section 5.4.2) is skipped: the CLAT starts
	 * long after the link came up, when no burst of other nodes' solicitations is expected. */
	log_info("DAD: probing %s on %s (attempt %u)", ntop6(a->tent, t), a->ifname, a->counter + 1);
	a->deadline_ms = now_ms + CLAT_DAD_WAIT_MS;
	return CLAT_ADDR_NONE;
}

enum clat_addr_event clat_addr_begin(struct clat_addr *a, const uint8_t prefix64[16], long now_ms)
{
	if (a->shared || a->pktfd < 0)
		return CLAT_ADDR_NONE;
	if ((a->probing || a->failed) && memcmp(a->tent_prefix, prefix64, 8) == 0)
		return CLAT_ADDR_NONE; /* under way already */
	memset(a->tent_prefix, 0, 16);
	memcpy(a->tent_prefix, prefix64, 8);
	a->counter = 0;
	a->failed = false;
	return start_candidate(a, now_ms);
}

enum clat_addr_event clat_addr_set_shared(struct clat_addr *a, const uint8_t host6[16])
{
	a->shared = true;
	a->probing = a->failed = a->have_old = false;
	if (a->have_cur && memcmp(a->cur, host6, 16) == 0)
		return CLAT_ADDR_NONE;
	memcpy(a->cur, host6, 16);
	a->have_cur = true;
	refresh_watch(a);
	return CLAT_ADDR_READY;
}

void clat_addr_drop(struct clat_addr *a)
{
	a->have_cur = a->probing = a->failed = false;
	refresh_watch(a);
}

void clat_addr_forget_old(struct clat_addr *a)
{
	if (!a->have_old)
		return;
	a->have_old = false;
	refresh_watch(a);
}

/* RFC 7217 section 6: a candidate is taken; the next counter value, up to IDGEN_RETRIES more. */
static enum clat_addr_event conflict(struct clat_addr *a, long now_ms)
{
	char t[INET6_ADDRSTRLEN];
	a->n.dad_conflicts++;
	log_warn("DAD: %s is in use on %s; trying the next address", ntop6(a->tent, t), a->ifname);
	if (++a->counter <= CLAT_IID_MAX_DAD_RETRIES)
		return start_candidate(a, now_ms);
	log_warn("DAD: %u addresses in use; giving up on %s for %d s (RFC 7217 IDGEN_RETRIES)", CLAT_IID_MAX_DAD_RETRIES + 1,
		 ntop6(a->tent_prefix, t), CLAT_DAD_RETRY_MS / 1000);
	a->probing = false;
	a->failed = true;
	a->deadline_ms = now_ms + CLAT_DAD_RETRY_MS;
	refresh_watch(a);
	return CLAT_ADDR_FAILED;
}

enum clat_addr_event clat_addr_tick(struct clat_addr *a, long now_ms)
{
	if (a->probing && now_ms >= a->deadline_ms)
		return promote(a); /* RFC 4862 section 5.4.5: no answer, the address is ours */
	if (a->failed && now_ms >= a->deadline_ms) {
		a->failed = false;
		a->counter = 0;
		return start_candidate(a, now_ms);
	}
	return CLAT_ADDR_NONE;
}

long clat_addr_deadline(const struct clat_addr *a) { return a->probing || a->failed ? a->deadline_ms : -1; }

enum ndp_seen { NDP_SEEN_NOTHING, NDP_SEEN_IGNORED, NDP_SEEN_NS, NDP_SEEN_DAD_NS, NDP_SEEN_NA };

/* An NS or NA: hop limit 255 (RFC 4861 sections 7.1.1 and 7.1.2: it proves the sender is on the
 * link), no extension headers (the filter looks at the first next header only), and what lib/ndp
 * says of its content, checksum included. */
static enum ndp_seen classify(struct clat_addr *a, const uint8_t *pkt, size_t len, struct ndp_ns *ns, struct ndp_na *na,
			      const uint8_t **target)
{
	static struct log_ratelimit rl;
	if (len < IP6_HDR_LEN + 1 || pkt[IP6_OFF_NEXT] != NDP_NEXT_HEADER_ICMP6)
		return NDP_SEEN_NOTHING;
	uint8_t type = pkt[IP6_HDR_LEN];
	if (type != NDP_ICMP6_NEIGHBOR_SOLICIT && type != NDP_ICMP6_NEIGHBOR_ADVERT)
		return NDP_SEEN_NOTHING;
	const uint8_t *src = pkt + IP6_OFF_SRC, *dst = pkt + IP6_OFF_DST;
	const char *why = NULL;
	if (pkt[IP6_OFF_HLIM] != NDP_HOP_LIMIT) {
		why = "hop limit is not 255";
	} else {
		enum ndp_result r = type == NDP_ICMP6_NEIGHBOR_SOLICIT
					    ? ndp_parse_ns(src, dst, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN, ns)
					    : ndp_parse_na(src, dst, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN, na);
		if (r != NDP_OK)
			why = ndp_result_name(r);
	}
	if (why) {
		a->n.ndp_bad++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("ignored neighbour discovery message: %s", why);
		return NDP_SEEN_IGNORED;
	}
	*target = type == NDP_ICMP6_NEIGHBOR_ADVERT ? na->target : ns->target;
	if (type == NDP_ICMP6_NEIGHBOR_ADVERT)
		return NDP_SEEN_NA;
	static const uint8_t any[16];
	return memcmp(src, any, 16) == 0 ? NDP_SEEN_DAD_NS : NDP_SEEN_NS;
}

bool clat_addr_on_ndp(struct clat_addr *a, const uint8_t *pkt, size_t len, const uint8_t src_mac[6], long now_ms,
		      enum clat_addr_event *ev)
{
	static struct log_ratelimit rl;
	char t[INET6_ADDRSTRLEN];
	struct ndp_ns ns;
	struct ndp_na na;
	const uint8_t *target = NULL;

	*ev = CLAT_ADDR_NONE;
	if (a->shared || !a->nd)
		return false; /* the kernel's, or no neighbour discovery at all: nothing to classify */
	enum ndp_seen s = classify(a, pkt, len, &ns, &na, &target);
	if (s == NDP_SEEN_NOTHING)
		return false;
	if (s == NDP_SEEN_IGNORED)
		return true;
	bool is_cur = a->have_cur && memcmp(target, a->cur, 16) == 0;
	bool is_old = a->have_old && memcmp(target, a->old, 16) == 0;
	bool is_tent = a->probing && memcmp(target, a->tent, 16) == 0;
	if (is_tent && (s == NDP_SEEN_NA || s == NDP_SEEN_DAD_NS)) {
		/* RFC 4862 sections 5.4.3 and 5.4.4: an advertisement for the tentative address, or another
		 * node's probe for it, means it is not ours to take. */
		*ev = conflict(a, now_ms);
		return true;
	}
	if (!is_cur && !is_old)
		return true;
	switch (s) {
	case NDP_SEEN_NS:
		/* RFC 4861 section 7.2.4: answer to the solicitation's source, at its link-layer address
		 * (the option when present, else the frame's source). */
		send_na(a, target, pkt + IP6_OFF_SRC, ns.has_src_lladdr ? ns.src_lladdr : src_mac, true);
		a->n.ns_answered++;
		break;
	case NDP_SEEN_DAD_NS:
		/* Another node probes our address: defend it (RFC 4862 section 5.4.3, as Linux does). */
		send_na_all(a, target);
		a->n.addr_conflicts++;
		if (log_ratelimit_ok(&rl))
			log_warn("another node probes %s with DAD; defended it", ntop6(target, t));
		break;
	case NDP_SEEN_NA:
		a->n.addr_conflicts++;
		if (log_ratelimit_ok(&rl))
			log_warn("another node advertises %s, the CLAT address (a duplicate after DAD)", ntop6(target, t));
		break;
	default:
		break;
	}
	return true;
}
