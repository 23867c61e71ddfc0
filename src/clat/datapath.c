#include "datapath.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "sys/log.h"
#include "sys/loop.h"
#include "sys/packet.h"
#include "sys/tun.h"

#define CLAT_READ_BURST 64
#define IP6_OFF_DST 24
#define ETH_HDR_LEN 14
#define ETH_TYPE_IPV6 0x86dd

static const uint8_t zero4[4];

int clat_dp_init(struct clat_dp *dp, const char *tun, struct sys_nl *nl)
{
	memset(dp, 0, sizeof(*dp));
	dp->pktfd = dp->rawfd = dp->gsofd = dp->tunfd = -1;
	dp->nl = nl;
	snprintf(dp->tun, sizeof(dp->tun), "%s", tun);
	dp->rx = malloc(XLAT_VNET_HDR_LEN + CLAT_PKT_MAX);
	dp->out = malloc(sizeof(*dp->out)); /* several KiB of scratch: once, never per packet */
	struct xlat_config defaults;
	xlat_config_init(&defaults);
	dp->reasm_slots = calloc(defaults.reasm_max, xlat_reasm_slot_size());
	xlat_reasm_init(&dp->reasm, dp->reasm_slots, defaults.reasm_max, defaults.reasm_timeout_ms);
	return dp->rx && dp->out && dp->reasm_slots ? 0 : -1;
}

void clat_dp_free(struct clat_dp *dp)
{
	clat_dp_close_uplink(dp);
	if (dp->tunfd >= 0)
		close(dp->tunfd);
	dp->tunfd = -1;
	free(dp->rx);
	free(dp->out);
	free(dp->reasm_slots);
	dp->rx = NULL;
	dp->out = NULL;
	dp->reasm_slots = NULL;
}

/* ---- the uplink's sockets ---------------------------------------------------------------------- */

void clat_dp_close_uplink(struct clat_dp *dp)
{
	int fds[] = { dp->pktfd, dp->rawfd, dp->gsofd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	dp->pktfd = dp->rawfd = dp->gsofd = -1;
	dp->up_ifindex = 0;
	memset(dp->nh, 0, sizeof(dp->nh));
}

int clat_dp_open_uplink(struct clat_dp *dp, const struct clat_uplink *u)
{
	clat_dp_close_uplink(dp);
	dp->pktfd = sys_packet_open(u->ifindex);
	if (dp->pktfd < 0) {
		log_warn("packet socket on %s: %s", u->name, strerror(errno));
		return -1;
	}
	dp->rawfd = sys_raw6_open(u->name);
	if (dp->rawfd < 0) {
		log_warn("raw IPv6 socket on %s: %s", u->name, strerror(errno));
		clat_dp_close_uplink(dp);
		return -1;
	}
	dp->gsofd = sys_packet_open_gso(); /* without it super-packets are cut here: not fatal */
	if (dp->gsofd < 0)
		log_warn("packet socket for super-packets on %s: %s; the TUN hands over no super-packets", u->name,
			 strerror(errno));
	dp->up_ifindex = u->ifindex;
	dp->up_eth = u->eth_header;
	memcpy(dp->up_mac, u->mac, 6);
	memcpy(dp->up_name, u->name, sizeof(dp->up_name));
	return 0;
}

void clat_dp_poll_drops(struct clat_dp *dp)
{
	if (dp->pktfd >= 0)
		sys_packet_drops(dp->pktfd, &dp->n.uplink_drops);
}

/* ---- the IPv4 side -------------------------------------------------------------------------------- */

int clat_dp_tun_up(struct clat_dp *dp, struct sys_nl *nl, bool *created)
{
	/* Super-packets only when they can leave whole (the packet socket for them exists). */
	dp->tun_offload = dp->gsofd >= 0;
	dp->tunfd = sys_tun_open_vnet(dp->tun, created, &dp->tun_offload);
	if (dp->tunfd < 0) {
		log_warn("TUN %s: %s", dp->tun, strerror(errno));
		return -1;
	}
	if (sys_link_set_mtu_up(dp->tun, dp->tun_mtu) < 0) {
		log_warn("TUN %s: MTU %u and up: %s", dp->tun, dp->tun_mtu, strerror(errno));
		return -1;
	}
	dp->tun_ifindex = (int)if_nametoindex(dp->tun);
	if (sys_nl_link_set_alias(nl, dp->tun_ifindex, CLAT_TUN_ALIAS) < 0) /* clat_dp_recover_stale looks for it */
		log_warn("TUN %s: alias: %s", dp->tun, strerror(errno));
	/* Scope host: the kernel never picks 192.0.0.1 as the source of a packet leaving through another
	 * interface (mDNS, SSDP on an uplink without IPv4); the CLAT's route names it as its source. */
	if (sys_nl_addr4(nl, true, dp->tun_ifindex, clat_host4, CLAT_HOST4_PLEN, RT_SCOPE_HOST) < 0 && errno != EEXIST) {
		log_warn("address 192.0.0.1/%u on %s: %s", CLAT_HOST4_PLEN, dp->tun, strerror(errno));
		return -1;
	}
	dp->addr4_added = true;
	if (sys_nl_route4(nl, true, dp->tun_ifindex, zero4, 0, clat_host4, CLAT_ROUTE_METRIC) < 0 && errno != EEXIST) {
		log_warn("default route via %s metric %u: %s", dp->tun, CLAT_ROUTE_METRIC, strerror(errno));
		return -1;
	}
	dp->route_added = true;
	return 0;
}

void clat_dp_tun_down(struct clat_dp *dp, struct sys_nl *nl)
{
	if (dp->route_added && sys_nl_route4(nl, false, dp->tun_ifindex, zero4, 0, clat_host4, CLAT_ROUTE_METRIC) < 0)
		log_warn("removing the default route via %s: %s", dp->tun, strerror(errno));
	if (dp->addr4_added && sys_nl_addr4(nl, false, dp->tun_ifindex, clat_host4, CLAT_HOST4_PLEN, RT_SCOPE_HOST) < 0)
		log_warn("removing 192.0.0.1 from %s: %s", dp->tun, strerror(errno));
	dp->route_added = dp->addr4_added = false;
	if (dp->tunfd >= 0) {
		close(dp->tunfd); /* not persistent: the TUN goes with its descriptor */
		log_info("removed the TUN %s, its address and route", dp->tun);
	}
	dp->tunfd = -1;
	dp->tun_ifindex = 0;
}

void clat_dp_tun_mtu(struct clat_dp *dp, unsigned mtu)
{
	dp->tun_mtu = mtu;
	if (dp->tunfd >= 0 && sys_link_set_mtu_up(dp->tun, mtu) < 0)
		log_warn("TUN %s: MTU %u: %s", dp->tun, mtu, strerror(errno));
}

int clat_dp_recover_stale(struct clat_dp *dp, struct sys_nl *nl)
{
	struct sys_link l;
	bool created;

	if (sys_nl_link_get_by_name(nl, dp->tun, &l) < 0) {
		if (errno == ENODEV)
			return 0;
		log_warn("TUN %s: %s", dp->tun, strerror(errno));
		return -1;
	}
	int fd = sys_tun_open(dp->tun, &created);
	if (fd < 0) {
		log_warn("TUN %s exists and cannot be taken: %s%s", dp->tun, strerror(errno),
			 errno == EBUSY ? " (another process has it open: another xlat464 clat?)" : "");
		return -1;
	}
	close(fd);
	if (strcmp(l.alias, CLAT_TUN_ALIAS) != 0) {
		log_info("TUN %s exists already (not marked \"%s\"): using it", dp->tun, CLAT_TUN_ALIAS);
		return 0;
	}
	bool r = sys_nl_route4(nl, false, l.ifindex, zero4, 0, clat_host4, CLAT_ROUTE_METRIC) == 0;
	bool a = sys_nl_addr4(nl, false, l.ifindex, clat_host4, CLAT_HOST4_PLEN, RT_SCOPE_HOST) == 0;
	sys_nl_link_set_alias(nl, l.ifindex, "");
	log_info("TUN %s: left by an earlier run that was killed; removed%s%s%s", dp->tun, r ? " its default route" : "",
		 r && a ? " and" : "", a ? " 192.0.0.1" : (r ? "" : " nothing (nothing left)"));
	return 0;
}

/* ---- translating ----------------------------------------------------------------------------------- */

/* Bytes off..off+n of a packet given as iovecs. */
static bool pkt_bytes(const struct xlat_pkt *p, size_t off, uint8_t *out, size_t n)
{
	for (unsigned i = 0; i < p->niov && n; i++) {
		size_t l = p->iov[i].iov_len;
		if (off >= l) {
			off -= l;
			continue;
		}
		size_t k = l - off < n ? l - off : n;
		memcpy(out, (const uint8_t *)p->iov[i].iov_base + off, k);
		out += k;
		n -= k;
		off = 0;
	}
	return n == 0;
}

static void send_v6(struct clat_dp *dp, const struct xlat_pkt *p)
{
	static struct log_ratelimit rl;
	uint8_t dst[16];
	if (!pkt_bytes(p, IP6_OFF_DST, dst, 16) || dp->rawfd < 0 || sys_raw6_send(dp->rawfd, p->iov, (int)p->niov, dst) < 0) {
		dp->n.uplink_send_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("send on %s (%zu bytes): %s", dp->up_name, p->len, strerror(errno));
	}
}

static void send_v4(struct clat_dp *dp, const struct xlat_pkt *p)
{
	static struct log_ratelimit rl;
	static const uint8_t none[XLAT_VNET_HDR_LEN]; /* a complete packet: no offload asked */
	struct iovec iov[1 + XLAT_PKT_IOV];
	iov[0].iov_base = (void *)none;
	iov[0].iov_len = sizeof(none);
	memcpy(iov + 1, p->iov, p->niov * sizeof(p->iov[0]));
	if (dp->tunfd < 0 || writev(dp->tunfd, iov, (int)p->niov + 1) < 0) {
		dp->n.tun_write_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("write to %s (%zu bytes): %s", dp->tun, p->len, strerror(errno));
	}
}

/* Sends every packet of out where its family belongs: IPv6 to the uplink, IPv4 to the TUN. A reply
 * (an ICMP error of the input's family) goes back the way the input came, which is the same rule. */
static void emit(struct clat_dp *dp, const struct xlat_out *out)
{
	if (out->action == XLAT_DROP)
		return; /* counted by the core, by reason */
	unsigned n = out->action == XLAT_REPLY ? (out->npkts > 0) : out->npkts;
	for (unsigned i = 0; i < n; i++) {
		if (out->pkt[i].family == 6)
			send_v6(dp, &out->pkt[i]);
		else
			send_v4(dp, &out->pkt[i]);
	}
}


/* The next hop's link-layer address for dst on an Ethernet uplink, from a small cache refreshed
 * every CLAT_NEXTHOP_TTL_MS (routes and neighbours change). NULL while the kernel has none. */
static const uint8_t *nexthop_mac(struct clat_dp *dp, const uint8_t dst[16])
{
	long now = (long)sys_mono_ms();
	struct clat_nexthop *slot = &dp->nh[0];
	for (int i = 0; i < CLAT_NEXTHOP_CACHE; i++) {
		struct clat_nexthop *e = &dp->nh[i];
		if (e->at_ms && memcmp(e->dst, dst, 16) == 0) {
			if (now - e->at_ms < CLAT_NEXTHOP_TTL_MS)
				return e->mac;
			slot = e;
			break;
		}
		if (!e->at_ms || e->at_ms < slot->at_ms)
			slot = e; /* an empty or the oldest entry */
	}
	bool resolved = false;
	if (sys_nl_nexthop6(dp->nl, dst, dp->up_ifindex, slot->mac, &resolved) < 0 || !resolved) {
		slot->at_ms = 0;
		return NULL;
	}
	memcpy(slot->dst, dst, 16);
	slot->at_ms = now;
	return slot->mac;
}

/* A translated TCP super-packet out of the uplink whole, behind its offload header. */
static void send_gso(struct clat_dp *dp, const struct xlat_pkt *p, const struct xlat_vnet *vh)
{
	static struct log_ratelimit rl;
	uint8_t hb[XLAT_VNET_HDR_LEN], dst[16], eth[ETH_HDR_LEN];
	struct iovec iov[2 + XLAT_PKT_IOV];
	struct xlat_vnet v = *vh;
	int n = 0;
	if (!pkt_bytes(p, IP6_OFF_DST, dst, 16))
		return;
	iov[n].iov_base = hb;
	iov[n++].iov_len = sizeof(hb);
	if (dp->up_eth) {
		const uint8_t *mac = nexthop_mac(dp, dst);
		if (!mac) {
			dp->n.no_neighbour++;
			return;
		}
		memcpy(eth, mac, 6);
		memcpy(eth + 6, dp->up_mac, 6);
		eth[12] = ETH_TYPE_IPV6 >> 8;
		eth[13] = ETH_TYPE_IPV6 & 0xff;
		iov[n].iov_base = eth;
		iov[n++].iov_len = sizeof(eth);
		v.csum_start += ETH_HDR_LEN; /* offsets count from the frame's start */
		v.hdr_len += ETH_HDR_LEN;
	}
	xlat_vnet_write(&v, hb);
	memcpy(iov + n, p->iov, p->niov * sizeof(p->iov[0]));
	if (sys_packet_send_gso(dp->gsofd, dp->up_ifindex, iov, n + (int)p->niov) < 0) {
		dp->n.uplink_send_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("super-packet on %s (%zu bytes): %s", dp->up_name, p->len, strerror(errno));
		return;
	}
	dp->n.gso_out++;
	dp->n.gso_bytes += p->len;
}

/* One IPv4 packet read from the TUN behind its offload header: a checksum to finish, or a TCP
 * super-packet translated whole (its segments, not it, must fit the uplink), and sent. */
static void from_tun_one(struct clat_dp *dp, uint8_t *pkt, size_t n, const struct xlat_vnet *vh, uint64_t now)
{
	struct xlat_vnet oh;
	bool gso = xlat_vnet_is_gso(vh);
	enum xlat_drop why = xlat_offload_prepare(pkt, n, vh);
	if (why != XLAT_DROP_NONE) {
		dp->tr.ctx.stats.drops[why]++;
		return;
	}
	if (!gso) {
		dp->n.csum_completed += (vh->flags & XLAT_VNET_F_NEEDS_CSUM) != 0;
		xlat_translate_reasm(&dp->tr.ctx, &dp->reasm, pkt, n, now, dp->out);
		emit(dp, dp->out);
		return;
	}
	dp->tr.ctx.cfg = &dp->tr.lifted;
	xlat_4to6(&dp->tr.ctx, pkt, n, dp->out);
	dp->tr.ctx.cfg = &dp->tr.cfg;
	if (dp->out->action != XLAT_FORWARD) {
		emit(dp, dp->out); /* a drop (counted) or an answer */
		return;
	}
	why = dp->out->npkts == 1 ? xlat_offload_finish(&dp->tr.cfg, vh, pkt, n, &dp->out->pkt[0], &oh)
				  : XLAT_DROP_OFFLOAD_UNSUPPORTED;
	if (why != XLAT_DROP_NONE) {
		dp->tr.ctx.stats.drops[why]++;
		return;
	}
	send_gso(dp, &dp->out->pkt[0], &oh);
}

void clat_dp_from_tun(struct clat_dp *dp, bool running)
{
	static struct log_ratelimit rl;
	uint64_t now = sys_mono_ms();
	xlat_reasm_expire(&dp->reasm, now, &dp->tr.ctx.stats);
	for (int i = 0; i < CLAT_READ_BURST && dp->tunfd >= 0; i++) {
		ssize_t n = read(dp->tunfd, dp->rx, XLAT_VNET_HDR_LEN + CLAT_PKT_MAX);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			dp->n.tun_read_errors++;
			if (log_ratelimit_ok(&rl))
				log_warn("read from %s: %s", dp->tun, strerror(errno));
			return;
		}
		if (n <= XLAT_VNET_HDR_LEN)
			continue;
		uint8_t *pkt = dp->rx + XLAT_VNET_HDR_LEN;
		size_t len = (size_t)n - XLAT_VNET_HDR_LEN;
		/* The TUN carries what the host routes to it: IPv4, and the odd IPv6 packet (router
		 * solicitations and MLD the kernel sends on any link), which has no business here. */
		if (pkt[0] >> 4 != 4)
			continue;
		if (!running) {
			dp->n.not_running++;
			continue;
		}
		struct xlat_vnet vh;
		xlat_vnet_read(dp->rx, &vh);
		from_tun_one(dp, pkt, len, &vh, now);
	}
}

void clat_dp_from_uplink(struct clat_dp *dp, size_t len, const struct xlat_vnet *vh)
{
	if (!(vh->flags & XLAT_VNET_F_NEEDS_CSUM)) {
		xlat_6to4(&dp->tr.ctx, dp->rx, len, dp->out);
		emit(dp, dp->out);
		return;
	}
	/* A sender on this host (a veth peer) left the transport checksum to the device: finish it
	 * (lib/xlat/offload.h). A TCP super-packet from it (longer than the link MTU) is finished and
	 * translated whole, its MTU limit lifted: the TUN takes it to this host's own stack, which takes
	 * any size. */
	enum xlat_drop why = xlat_offload_prepare(dp->rx, len, vh);
	if (why != XLAT_DROP_NONE) {
		dp->tr.ctx.stats.drops[why]++;
		return;
	}
	dp->n.csum_completed++;
	if (len > dp->tr.cfg.mtu6)
		dp->tr.ctx.cfg = &dp->tr.lifted;
	xlat_6to4(&dp->tr.ctx, dp->rx, len, dp->out);
	dp->tr.ctx.cfg = &dp->tr.cfg;
	emit(dp, dp->out);
}
