#include "datapath.h"

#include <errno.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sys/log.h"
#include "sys/packet.h"
#include "sys/tun.h"

#define CLAT_READ_BURST 64
#define IP6_OFF_DST 24

static const uint8_t zero4[4];

int clat_dp_init(struct clat_dp *dp, const char *tun)
{
	memset(dp, 0, sizeof(*dp));
	dp->pktfd = dp->rawfd = dp->tunfd = -1;
	snprintf(dp->tun, sizeof(dp->tun), "%s", tun);
	dp->rx = malloc(CLAT_PKT_MAX);
	dp->out = malloc(sizeof(*dp->out)); /* several KiB of scratch: once, never per packet */
	return dp->rx && dp->out ? 0 : -1;
}

void clat_dp_free(struct clat_dp *dp)
{
	clat_dp_close_uplink(dp);
	if (dp->tunfd >= 0)
		close(dp->tunfd);
	dp->tunfd = -1;
	free(dp->rx);
	free(dp->out);
	dp->rx = NULL;
	dp->out = NULL;
}

/* ---- the uplink's sockets ---------------------------------------------------------------------- */

void clat_dp_close_uplink(struct clat_dp *dp)
{
	if (dp->pktfd >= 0)
		close(dp->pktfd);
	if (dp->rawfd >= 0)
		close(dp->rawfd);
	dp->pktfd = dp->rawfd = -1;
	dp->up_ifindex = 0;
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
	dp->up_ifindex = u->ifindex;
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
	dp->tunfd = sys_tun_open(dp->tun, created);
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
	if (dp->tunfd < 0 || writev(dp->tunfd, p->iov, (int)p->niov) < 0) {
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

void clat_dp_from_tun(struct clat_dp *dp, bool running)
{
	static struct log_ratelimit rl;
	for (int i = 0; i < CLAT_READ_BURST && dp->tunfd >= 0; i++) {
		ssize_t n = read(dp->tunfd, dp->rx, CLAT_PKT_MAX);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			dp->n.tun_read_errors++;
			if (log_ratelimit_ok(&rl))
				log_warn("read from %s: %s", dp->tun, strerror(errno));
			return;
		}
		/* The TUN carries what the host routes to it: IPv4, and the odd IPv6 packet (router
		 * solicitations and MLD the kernel sends on any link), which has no business here. */
		if (n == 0 || dp->rx[0] >> 4 != 4)
			continue;
		if (!running) {
			dp->n.not_running++;
			continue;
		}
		xlat_4to6(&dp->tr.ctx, dp->rx, (size_t)n, dp->out);
		emit(dp, dp->out);
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
