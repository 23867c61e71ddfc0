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
#include "shared.h"

#define CLAT_READ_BURST 64
#define IP6_OFF_DST 24
#define ETH_HDR_LEN 14
#define ETH_TYPE_IPV6 0x86dd

static const uint8_t zero4[4];

static int path_init(struct clat_dp_path *w, struct clat_dp *dp, struct sys_nl *nl)
{
	static const uint8_t none[16];
	w->dp = dp;
	w->tunfd = w->pktfd = -1;
	w->nl = nl;
	w->rx = malloc(XLAT_VNET_HDR_LEN + CLAT_PKT_MAX);
	w->out = malloc(sizeof(*w->out)); /* several KiB of scratch: once, never per packet */
	struct xlat_config defaults;
	xlat_config_init(&defaults);
	w->reasm_slots = calloc(defaults.reasm_max, xlat_reasm_slot_size());
	xlat_reasm_init(&w->reasm, w->reasm_slots, defaults.reasm_max, defaults.reasm_timeout_ms);
	clat_translator_init(&w->tr, none, 1260, 1280);
	return w->rx && w->out && w->reasm_slots ? 0 : -1;
}

static void path_free(struct clat_dp_path *w)
{
	free(w->rx);
	free(w->out);
	free(w->reasm_slots);
	w->rx = NULL;
	w->out = NULL;
	w->reasm_slots = NULL;
	if (w->own_nl_open)
		sys_nl_close(&w->own_nl);
	w->own_nl_open = false;
}

int clat_dp_init(struct clat_dp *dp, const char *tun, struct sys_nl *nl, unsigned nworkers)
{
	memset(dp, 0, sizeof(*dp));
	dp->pktfd = dp->rawfd = dp->gsofd = dp->tunfd = -1;
	dp->nl = nl;
	snprintf(dp->tun, sizeof(dp->tun), "%s", tun);
	if (nworkers < 1 || nworkers > TUN_WORKERS_MAX)
		return -1;
	int r = path_init(&dp->v6, dp, nl);
	dp->wk = calloc(nworkers, sizeof(*dp->wk));
	if (!dp->wk)
		return -1;
	dp->nworkers = nworkers;
	for (unsigned i = 0; i < nworkers; i++) {
		struct clat_dp_path *w = &dp->wk[i];
		r |= path_init(w, dp, nl);
		/* A worker on a thread of its own asks for next hops on its own socket. */
		if (nworkers > 1) {
			if (sys_nl_open(&w->own_nl) < 0)
				return -1;
			w->own_nl_open = true;
			w->nl = &w->own_nl;
		}
	}
	return r;
}

void clat_dp_free(struct clat_dp *dp)
{
	tun_workers_stop(&dp->pool);
	clat_dp_close_uplink(dp);
	for (unsigned i = 0; i < dp->nworkers; i++) {
		if (dp->wk[i].tunfd >= 0)
			close(dp->wk[i].tunfd);
		dp->wk[i].tunfd = -1;
		path_free(&dp->wk[i]);
	}
	dp->tunfd = -1;
	path_free(&dp->v6);
	free(dp->wk);
	dp->wk = NULL;
	dp->nworkers = 0;
}

/* Every worker stops between two bursts (a pool not running: nothing to wait for). The main thread
 * changes what the workers read (the uplink's sockets, the translators, running) only so. */
static void lock_all(struct clat_dp *dp)
{
	for (unsigned i = 0; i < dp->nworkers; i++)
		tun_workers_lock(&dp->pool, i);
}

static void unlock_all(struct clat_dp *dp)
{
	for (unsigned i = dp->nworkers; i-- > 0;)
		tun_workers_unlock(&dp->pool, i);
}

/* The workers' packet sockets take the packets for the CLAT address while it translates, and
 * nothing otherwise: not running, the workers may be stopped (no TUN), and what the kernel queued
 * for them would fill their buffers (and count as uplink_drops). */
static void worker_filters(struct clat_dp *dp)
{
	bool take = dp->running && dp->have_clat6;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		int fd = dp->wk[i].pktfd;
		if (fd >= 0 && sys_packet_filter_take(fd, (const uint8_t(*)[16])dp->clat6, take, SYS_PACKET_TAKE_DATA) < 0 &&
		    log_ratelimit_ok(&dp->v6.rl))
			log_warn("packet filter on %s (worker %u): %s", dp->up_name, i, strerror(errno));
	}
}

int clat_dp_set_translator(struct clat_dp *dp, const uint8_t clat6[16], const struct xlat_prefix6 *pool6,
			   unsigned mtu4, unsigned mtu6)
{
	static const uint8_t none[16];
	int r = clat_translator_set(&dp->v6.tr, clat6, pool6, mtu4, mtu6);
	lock_all(dp);
	for (unsigned i = 0; i < dp->nworkers; i++)
		r |= clat_translator_set(&dp->wk[i].tr, clat6, pool6, mtu4, mtu6);
	memcpy(dp->clat6, clat6, 16);
	dp->have_clat6 = memcmp(clat6, none, 16) != 0;
	unlock_all(dp);
	worker_filters(dp);
	return r;
}

void clat_dp_set_running(struct clat_dp *dp, bool running)
{
	if (dp->running == running)
		return;
	lock_all(dp);
	dp->running = running;
	unlock_all(dp);
	worker_filters(dp);
}

void clat_dp_set_shared(struct clat_dp *dp, bool shared, uint16_t port_lo, uint16_t port_hi)
{
	if (dp->shared == shared && dp->port_lo == port_lo && dp->port_hi == port_hi)
		return;
	lock_all(dp);
	dp->shared = shared;
	dp->port_lo = port_lo;
	dp->port_hi = port_hi;
	unlock_all(dp);
}

static void counters_add(struct clat_dp_counters *a, const struct clat_dp_counters *b)
{
	a->tun_read_errors += b->tun_read_errors;
	a->tun_write_errors += b->tun_write_errors;
	a->uplink_send_errors += b->uplink_send_errors;
	a->uplink_read_errors += b->uplink_read_errors;
	a->csum_completed += b->csum_completed;
	a->uplink_drops += b->uplink_drops;
	a->not_running += b->not_running;
	a->gso_out += b->gso_out;
	a->gso_bytes += b->gso_bytes;
	a->no_neighbour += b->no_neighbour;
	a->shared_host += b->shared_host;
	a->shared_malformed += b->shared_malformed;
}

void clat_dp_sum(struct clat_dp *dp, struct clat_dp_counters *n, struct xlat_stats *st)
{
	*n = dp->v6.n;
	*st = dp->v6.tr.ctx.stats;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		tun_workers_lock(&dp->pool, i);
		counters_add(n, &dp->wk[i].n);
		xlat_stats_add(st, &dp->wk[i].tr.ctx.stats);
		tun_workers_unlock(&dp->pool, i);
	}
}

uint64_t clat_dp_worker_packets_4to6(struct clat_dp *dp, unsigned i)
{
	tun_workers_lock(&dp->pool, i);
	uint64_t v = i < dp->nworkers ? dp->wk[i].tr.ctx.stats.pkts_4to6 : 0;
	tun_workers_unlock(&dp->pool, i);
	return v;
}

uint64_t clat_dp_worker_packets_6to4(struct clat_dp *dp, unsigned i)
{
	if (dp->nworkers == 1)
		return i == 0 ? dp->v6.tr.ctx.stats.pkts_6to4 + dp->wk[0].tr.ctx.stats.pkts_6to4 : 0; /* one thread */
	tun_workers_lock(&dp->pool, i);
	uint64_t v = i < dp->nworkers ? dp->wk[i].tr.ctx.stats.pkts_6to4 : 0;
	tun_workers_unlock(&dp->pool, i);
	return v;
}

/* ---- the uplink's sockets ---------------------------------------------------------------------- */

/* Without the workers' locks: the callers hold them. */
static void close_uplink(struct clat_dp *dp)
{
	int fds[] = { dp->pktfd, dp->rawfd, dp->gsofd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	dp->pktfd = dp->rawfd = dp->gsofd = -1;
	dp->up_ifindex = 0;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		struct clat_dp_path *w = &dp->wk[i];
		memset(w->nh, 0, sizeof(w->nh));
		tun_workers_set_fd2(&dp->pool, i, -1);
		if (w->pktfd >= 0)
			close(w->pktfd);
		w->pktfd = -1;
	}
}

void clat_dp_close_uplink(struct clat_dp *dp)
{
	lock_all(dp);
	close_uplink(dp);
	unlock_all(dp);
}

static void close_fds(int *fds, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

/* With more than one worker, a packet socket each, in one fanout group (a new one per uplink, its id
 * chosen by the kernel): the kernel hands each packet to one of them by its flow's hash. They take
 * nothing until worker_filters says. 0, or -1 with errno (none left open). */
static int open_worker_sockets(struct clat_dp *dp, int *fds)
{
	uint16_t id = 0;
	for (unsigned i = 0; i < dp->nworkers; i++)
		fds[i] = -1;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		fds[i] = sys_packet_open(dp->up_ifindex);
		if (fds[i] < 0 || sys_packet_filter_take(fds[i], NULL, 0, SYS_PACKET_TAKE_DATA) < 0 ||
		    sys_packet_fanout(fds[i], &id) < 0) {
			int e = errno;
			close_fds(fds, i + 1);
			errno = e;
			return -1;
		}
	}
	log_info("uplink %s: %u packet sockets for the workers, fanout group %u", dp->up_name, dp->nworkers, id);
	return 0;
}

int clat_dp_open_workers(struct clat_dp *dp)
{
	int fds[TUN_WORKERS_MAX];
	if (dp->nworkers < 2 || dp->up_ifindex <= 0 || dp->wk[0].pktfd >= 0)
		return 0;
	if (open_worker_sockets(dp, fds) < 0) {
		/* A packet socket joins a fanout group only while its link is up (the kernel's EINVAL):
		 * the daemon asks again when it comes up. */
		if (errno == EINVAL)
			log_debug("uplink %s: down; the workers' packet sockets wait for it", dp->up_name);
		else if (log_ratelimit_ok(&dp->v6.rl))
			log_warn("packet sockets for the workers on %s: %s", dp->up_name, strerror(errno));
		return -1;
	}
	lock_all(dp);
	for (unsigned i = 0; i < dp->nworkers; i++) {
		dp->wk[i].pktfd = fds[i];
		tun_workers_set_fd2(&dp->pool, i, fds[i]);
	}
	unlock_all(dp);
	worker_filters(dp);
	return 0;
}

/* The sockets are opened before the workers stop, and swapped while they are stopped. */
int clat_dp_open_uplink(struct clat_dp *dp, const struct clat_uplink *u)
{
	int pktfd = sys_packet_open(u->ifindex), rawfd = -1;
	if (pktfd < 0) {
		log_warn("packet socket on %s: %s", u->name, strerror(errno));
		clat_dp_close_uplink(dp);
		return -1;
	}
	rawfd = sys_raw6_open(u->name);
	if (rawfd < 0) {
		log_warn("raw IPv6 socket on %s: %s", u->name, strerror(errno));
		close(pktfd);
		clat_dp_close_uplink(dp);
		return -1;
	}
	int gsofd = sys_packet_open_gso(); /* without it super-packets are cut here: not fatal */
	if (gsofd < 0)
		log_warn("packet socket for super-packets on %s: %s; the TUN hands over no super-packets", u->name,
			 strerror(errno));
	lock_all(dp);
	close_uplink(dp);
	dp->pktfd = pktfd;
	dp->rawfd = rawfd;
	dp->gsofd = gsofd;
	dp->up_ifindex = u->ifindex;
	dp->up_eth = u->eth_header;
	memcpy(dp->up_mac, u->mac, 6);
	memcpy(dp->up_name, u->name, sizeof(dp->up_name));
	unlock_all(dp);
	clat_dp_open_workers(dp); /* or when the link comes up */
	return 0;
}

void clat_dp_poll_drops(struct clat_dp *dp)
{
	/* the main thread alone changes the fds: it reads them without the locks */
	if (dp->pktfd >= 0)
		sys_packet_drops(dp->pktfd, &dp->v6.n.uplink_drops);
	for (unsigned i = 0; i < dp->nworkers; i++)
		if (dp->wk[i].pktfd >= 0)
			sys_packet_drops(dp->wk[i].pktfd, &dp->v6.n.uplink_drops);
}

/* ---- the IPv4 side -------------------------------------------------------------------------------- */

int clat_dp_tun_up(struct clat_dp *dp, struct sys_nl *nl, bool *created)
{
	/* Super-packets only when they can leave whole (the packet socket for them exists). */
	dp->tun_offload = dp->gsofd >= 0;
	int fds[TUN_WORKERS_MAX];
	/* one worker: the TUN as ever (a persistent one made without multi-queue still works) */
	int r = dp->nworkers == 1 ? ((fds[0] = sys_tun_open_vnet(dp->tun, created, &dp->tun_offload)) < 0 ? -1 : 0)
				   : sys_tun_open_vnet_mq(dp->tun, created, &dp->tun_offload, fds, dp->nworkers);
	if (r < 0) {
		int e = errno;
		log_warn("TUN %s%s: %s%s", dp->tun, dp->nworkers > 1 ? " (multi-queue)" : "", strerror(e),
			 dp->nworkers > 1 && e == EINVAL ? " (a TUN made beforehand without multi_queue takes workers 1)" : "");
		return -1;
	}
	for (unsigned i = 0; i < dp->nworkers; i++)
		dp->wk[i].tunfd = fds[i];
	dp->tunfd = fds[0];
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
	tun_workers_stop(&dp->pool);
	if (dp->tunfd >= 0)
		log_info("removed the TUN %s, its address and route", dp->tun);
	for (unsigned i = 0; i < dp->nworkers; i++) {
		if (dp->wk[i].tunfd >= 0)
			close(dp->wk[i].tunfd); /* not persistent: the TUN goes with its descriptors */
		dp->wk[i].tunfd = -1;
	}
	dp->tunfd = -1;
	dp->tun_ifindex = 0;
}

int clat_dp_workers_start(struct clat_dp *dp)
{
	int fds[TUN_WORKERS_MAX], pktfds[TUN_WORKERS_MAX];
	void *states[TUN_WORKERS_MAX];
	if (dp->nworkers < 2)
		return 0;
	for (unsigned i = 0; i < dp->nworkers; i++) {
		fds[i] = dp->wk[i].tunfd;
		pktfds[i] = dp->wk[i].pktfd;
		states[i] = &dp->wk[i];
	}
	if (tun_workers_start2(&dp->pool, fds, pktfds, states, dp->nworkers, clat_dp_from_tun,
			       clat_dp_from_uplink_socket) < 0) {
		log_warn("worker threads: %s", strerror(errno));
		return -1;
	}
	return 0;
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

static void send_v6(struct clat_dp_path *w, const struct xlat_pkt *p)
{
	struct log_ratelimit *rl = &w->rl;
	const struct clat_dp *dp = w->dp;
	uint8_t dst[16];
	if (!pkt_bytes(p, IP6_OFF_DST, dst, 16) || dp->rawfd < 0 || sys_raw6_send(dp->rawfd, p->iov, (int)p->niov, dst) < 0) {
		w->n.uplink_send_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(rl))
			log_debug("send on %s (%zu bytes): %s", dp->up_name, p->len, strerror(errno));
	}
}

static void send_v4(struct clat_dp_path *w, const struct xlat_pkt *p)
{
	struct log_ratelimit *rl = &w->rl;
	static const uint8_t none[XLAT_VNET_HDR_LEN]; /* a complete packet: no offload asked */
	struct iovec iov[1 + XLAT_PKT_IOV];
	iov[0].iov_base = (void *)none;
	iov[0].iov_len = sizeof(none);
	memcpy(iov + 1, p->iov, p->niov * sizeof(p->iov[0]));
	int fd = w->tunfd >= 0 ? w->tunfd : w->dp->tunfd;
	if (fd < 0 || writev(fd, iov, (int)p->niov + 1) < 0) {
		w->n.tun_write_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(rl))
			log_debug("write to %s (%zu bytes): %s", w->dp->tun, p->len, strerror(errno));
	}
}

/* Sends every packet of out where its family belongs: IPv6 to the uplink, IPv4 to the TUN. A reply
 * (an ICMP error of the input's family) goes back the way the input came, which is the same rule. */
static void emit(struct clat_dp_path *w, const struct xlat_out *out)
{
	if (out->action == XLAT_DROP)
		return; /* counted by the core, by reason */
	unsigned n = out->action == XLAT_REPLY ? (out->npkts > 0) : out->npkts;
	for (unsigned i = 0; i < n; i++) {
		if (out->pkt[i].family == 6)
			send_v6(w, &out->pkt[i]);
		else
			send_v4(w, &out->pkt[i]);
	}
}


/* The next hop's link-layer address for dst on an Ethernet uplink, from a small cache refreshed
 * every CLAT_NEXTHOP_TTL_MS (routes and neighbours change). NULL while the kernel has none. */
static const uint8_t *nexthop_mac(struct clat_dp_path *w, const uint8_t dst[16])
{
	const struct clat_dp *dp = w->dp;
	long now = (long)sys_mono_ms();
	struct clat_nexthop *slot = &w->nh[0];
	for (int i = 0; i < CLAT_NEXTHOP_CACHE; i++) {
		struct clat_nexthop *e = &w->nh[i];
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
	if (sys_nl_nexthop6(w->nl, dst, dp->up_ifindex, slot->mac, &resolved) < 0 || !resolved) {
		slot->at_ms = 0;
		return NULL;
	}
	memcpy(slot->dst, dst, 16);
	slot->at_ms = now;
	return slot->mac;
}

/* A translated TCP super-packet out of the uplink whole, behind its offload header. */
static void send_gso(struct clat_dp_path *w, const struct xlat_pkt *p, const struct xlat_vnet *vh)
{
	const struct clat_dp *dp = w->dp;
	struct log_ratelimit *rl = &w->rl;
	uint8_t hb[XLAT_VNET_HDR_LEN], dst[16], eth[ETH_HDR_LEN];
	struct iovec iov[2 + XLAT_PKT_IOV];
	struct xlat_vnet v = *vh;
	int n = 0;
	if (!pkt_bytes(p, IP6_OFF_DST, dst, 16))
		return;
	iov[n].iov_base = hb;
	iov[n++].iov_len = sizeof(hb);
	if (dp->up_eth) {
		const uint8_t *mac = nexthop_mac(w, dst);
		if (!mac) {
			w->n.no_neighbour++;
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
		w->n.uplink_send_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(rl))
			log_debug("super-packet on %s (%zu bytes): %s", dp->up_name, p->len, strerror(errno));
		return;
	}
	w->n.gso_out++;
	w->n.gso_bytes += p->len;
}

/* One IPv4 packet read from the TUN behind its offload header: a checksum to finish, or a TCP
 * super-packet translated whole (its segments, not it, must fit the uplink), and sent. */
static void from_tun_one(struct clat_dp_path *w, uint8_t *pkt, size_t n, const struct xlat_vnet *vh, uint64_t now)
{
	struct xlat_vnet oh;
	struct xlat_offload_stats st = { 0 };
	/* the step the PLAT and siit take too (lib/xlat/offload.h); a super-packet leaves through the
	 * uplink's packet socket whole, not through the TUN */
	switch (xlat_offload_translate(&w->tr.ctx, &w->tr.lifted, pkt, n, vh, w->out, &oh, &st)) {
	case XLAT_OFFLOAD_DROPPED:
		return; /* counted by reason */
	case XLAT_OFFLOAD_PLAIN:
		w->n.csum_completed += st.csum_completed;
		xlat_translate_reasm(&w->tr.ctx, &w->reasm, pkt, n, now, w->out);
		emit(w, w->out);
		return;
	case XLAT_OFFLOAD_OTHER:
		emit(w, w->out); /* a drop (counted) or an answer */
		return;
	case XLAT_OFFLOAD_SUPER:
		send_gso(w, &w->out->pkt[0], &oh);
		return;
	}
}

void clat_dp_from_tun(void *worker, int fd)
{
	struct clat_dp_path *w = worker;
	struct log_ratelimit *rl = &w->rl;
	uint64_t now = sys_mono_ms();
	xlat_reasm_expire(&w->reasm, now, &w->tr.ctx.stats);
	for (int i = 0; i < CLAT_READ_BURST; i++) {
		ssize_t n = read(fd, w->rx, XLAT_VNET_HDR_LEN + CLAT_PKT_MAX);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			w->n.tun_read_errors++;
			if (log_ratelimit_ok(rl))
				log_warn("read from %s: %s", w->dp->tun, strerror(errno));
			return;
		}
		if (n <= XLAT_VNET_HDR_LEN)
			continue;
		uint8_t *pkt = w->rx + XLAT_VNET_HDR_LEN;
		size_t len = (size_t)n - XLAT_VNET_HDR_LEN;
		/* The TUN carries what the host routes to it: IPv4, and the odd IPv6 packet (router
		 * solicitations and MLD the kernel sends on any link), which has no business here. */
		if (pkt[0] >> 4 != 4)
			continue;
		if (!w->dp->running) {
			w->n.not_running++;
			continue;
		}
		struct xlat_vnet vh;
		xlat_vnet_read(w->rx, &vh);
		from_tun_one(w, pkt, len, &vh, now);
	}
}

/* One IPv6 packet from the uplink in w->rx that is not neighbour discovery: translated when it is
 * for the CLAT address (in shared mode, when its port is the CLAT's, shared.h). */
static void from_uplink_one(struct clat_dp_path *w, size_t len, const struct xlat_vnet *vh)
{
	const struct clat_dp *dp = w->dp;
	/* Shared mode: the kernel owns the address and does its neighbour discovery; of the packets
	 * for it, the CLAT takes those in its port range. */
	if (dp->shared) {
		enum clat_shared_verdict v = clat_shared_classify(w->rx, len, dp->port_lo, dp->port_hi);
		if (v == CLAT_SHARED_HOST || v == CLAT_SHARED_MALFORMED) {
			w->n.shared_host += v == CLAT_SHARED_HOST;
			w->n.shared_malformed += v == CLAT_SHARED_MALFORMED;
			return;
		}
	}
	/* Only what is addressed to the CLAT address in use is translated (the main thread's filter
	 * also passes the one under DAD and the one being retired, for their neighbour discovery). */
	if (!dp->have_clat6 || memcmp(w->rx + IP6_OFF_DST, dp->clat6, 16) != 0)
		return;
	if (!dp->running) {
		w->n.not_running++;
		return;
	}
	if (!(vh->flags & XLAT_VNET_F_NEEDS_CSUM)) {
		xlat_6to4(&w->tr.ctx, w->rx, len, w->out);
		emit(w, w->out);
		return;
	}
	/* A sender on this host (a veth peer) left the transport checksum to the device: finish it
	 * (lib/xlat/offload.h). A TCP super-packet from it (longer than the link MTU) is finished and
	 * translated whole, its MTU limit lifted: the TUN takes it to this host's own stack, which takes
	 * any size. */
	enum xlat_drop why = xlat_offload_prepare(w->rx, len, vh);
	if (why != XLAT_DROP_NONE) {
		w->tr.ctx.stats.drops[why]++;
		return;
	}
	w->n.csum_completed++;
	if (len > w->tr.cfg.mtu6)
		w->tr.ctx.cfg = &w->tr.lifted;
	xlat_6to4(&w->tr.ctx, w->rx, len, w->out);
	w->tr.ctx.cfg = &w->tr.cfg;
	emit(w, w->out);
}

void clat_dp_from_uplink(struct clat_dp *dp, size_t len, const struct xlat_vnet *vh)
{
	from_uplink_one(&dp->v6, len, vh);
}

void clat_dp_from_uplink_socket(void *worker, int fd)
{
	struct clat_dp_path *w = worker;
	uint8_t mac[6];
	for (int i = 0; i < CLAT_READ_BURST; i++) {
		struct xlat_vnet vh;
		ssize_t n = sys_packet_recv(fd, w->rx, CLAT_PKT_MAX, mac, &vh);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			w->n.uplink_read_errors++;
			if (log_ratelimit_ok(&w->rl))
				log_warn("read on %s: %s", w->dp->up_name, strerror(errno));
			return;
		}
		if (n > 0)
			from_uplink_one(w, (size_t)n, &vh);
	}
}
