/* `xlat464 clat`: a host CLAT (RFC 6877) that carries the host's IPv4 traffic across an IPv6-only
 * uplink to a PLAT. This file is the daemon's decision: it watches the host (netlink, timers, the
 * packet socket), hands what it sees to the modules below, and decides from their state, in one
 * place (evaluate), what the CLAT does. Each module owns its state; the calls go one way, from here
 * down:
 *
 *   uplink.c    which link is the uplink (it follows the IPv6 default route, or --uplink), its kind
 *               (Ethernet with neighbour discovery, or a layer-3 raw-IP or PPP link), MTU, /64s
 *   addr.c      the CLAT's IPv6 address in a /64: DAD on a timer, announced, defended, renumbered
 *   prefix.c    the PLAT prefix: RA PREF64, DNS64 (dns.c asks), static
 *   datapath.c  the TUN with 192.0.0.1/29 and its route, the uplink's sockets, lib/xlat between them
 *   fastpath.c  the eBPF programs that translate the common packets in the kernel (on by default)
 *   nft.c       tethering's NAT44 and the shared address mode's port split
 * report.c answers the control socket from the same state (daemon.h).
 *
 * States, each change logged as `old -> new (why)`:
 *   init -> dad -> waiting | standby | running -> stopping
 *   dad: the CLAT's address is being probed; waiting: no IPv6 uplink, no /64, no PLAT prefix (or no
 *   IPv6 default route); standby: a native IPv4 default route exists; running: translating. Only in
 *   running (and in a dad that renumbering or a new uplink interrupts it with) does the TUN exist.
 * docs/clat.md describes the choices. */
#include "clat.h"
#include "daemon.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "addr.h"
#include "config.h"
#include "../common/daemon_opts.h"
#include "../common/settings_load.h"
#include "../common/settings_table.h"
#include "datapath.h"
#include "dns.h"
#include "fastpath.h"
#include "iid.h"
#include "ndp/ndp.h"
#include "nft.h"
#include "prefix.h"
#include "shared.h"
#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/netlink.h"
#include "sys/notify.h"
#include "sys/packet.h"
#include "sys/priv.h"
#include "sys/sig.h"
#include "translator.h"
#include "uplink.h"

const char *const clat_state_name[] = { "init", "dad", "waiting", "standby", "running", "stopping" };

static const char clat_usage[] =
	"usage: xlat464 clat [--pref64 PREFIX] [--uplink IF] [--tun NAME] [--force] [--control PATH]\n"
	"                    [--no-dns64] [--resolv-conf FILE] [--pidfile FILE] [--config FILE]\n"
	"                    [--foreground | --daemon] [--debug] [--check | --print-config | --list-settings]\n"
	"  --config FILE     `key value` lines with the settings below; flags override it; SIGHUP re-reads it\n"
	"  --no-fast-path    the same as --fast-path no\n"
	"  --check           validate the flags and --config file, print the effective configuration, exit\n"
	"  --print-config    print the effective configuration (config-file syntax) and exit\n"
	"  --list-settings   print the settings table (Markdown: docs/clat-settings.md) and exit\n"
	"settings (flags, or `key value` lines in FILE; a boolean alone means yes):\n";

static void set_state(struct clat *c, enum clat_state s, const char *why)
{
	if (c->state == s && strcmp(c->why, why) == 0)
		return;
	if (c->state != s)
		log_info("state %s -> %s (%s)", clat_state_name[c->state], clat_state_name[s], why);
	else
		log_info("state %s (%s)", clat_state_name[s], why);
	c->state = s;
	snprintf(c->why, sizeof(c->why), "%s", why);
	sys_notifyf("%sSTATUS=%s (%s)", s == CLAT_STATE_STOPPING ? "STOPPING=1\n" : "", clat_state_name[s], why);
}

/* ---- the translator and the fast path follow the address, the prefix and the MTU ---------------- */

/* Can the kernel fast path take this prefix with this address? Not a prefix under which special
 * addresses may lie (lib/xlat's fast path has the same test: ::/64, fe00::/7), nor one that holds
 * the CLAT's own address (the programs do not tell the two apart). */
static bool fast_prefix_ok(const struct clat_pfx *p, const uint8_t clat6[16])
{
	static const uint8_t zero8[8];
	if (p->prefix[0] >= 0xfe || memcmp(p->prefix, zero8, 8) == 0)
		return false;
	for (unsigned i = 0; i < p->len / 8u; i++)
		if (p->prefix[i] != clat6[i])
			return true;
	return false;
}

/* What the fast path's programs must know now; disabled unless translating. */
static void update_fast(struct clat *c)
{
	struct sys_clat_offload_cfg k;
	memset(&k, 0, sizeof(k));
	bool on = c->state == CLAT_STATE_RUNNING && c->addr.have_cur && c->applied >= 0 && c->dp.tunfd >= 0 &&
		  c->up.ifindex && fast_prefix_ok(&c->applied_pfx, c->addr.cur);
	if (on) {
		k.enabled = true;
		memcpy(k.clat6, c->addr.cur, 16);
		memcpy(k.pool6, c->applied_pfx.prefix, 16);
		k.pool6_len = c->applied_pfx.len;
		memcpy(k.clat4, clat_host4, 4);
		k.tun_ifindex = c->dp.tun_ifindex;
		k.uplink_ifindex = c->up.ifindex;
		k.uplink_eth = c->up.eth_header;
		k.mtu6 = c->dp.v6.tr.cfg.mtu6;
		k.mtu4 = c->dp.v6.tr.cfg.mtu4;
		k.lowest_mtu6 = c->dp.v6.tr.cfg.lowest_ipv6_mtu;
		if (c->nft.shared) {
			k.port_lo = c->nft.port_lo;
			k.port_hi = c->nft.port_hi;
		}
		/* On Ethernet, the gateway of the route to the PLAT prefix, when one route covers all of it
		 * (a default route, or one for the prefix or shorter): the programs then skip the route
		 * lookup per packet. Looked up again with every netlink notification and every second. */
		uint8_t gw[16];
		bool has_gw = false;
		unsigned dlen = 128;
		if (c->up.eth_header && sys_nl_route6_get(&c->nl, c->applied_pfx.prefix, c->up.ifindex, gw, &has_gw, &dlen) == 0 &&
		    has_gw && dlen <= c->applied_pfx.len) {
			k.has_gw = true;
			memcpy(k.gw6, gw, 16);
		}
	}
	clat_fast_update(&c->fast, &k);
}

/* Points the translator at the address in use, the applied prefix and the uplink's MTU. */
static void update_translator(struct clat *c)
{
	static const uint8_t none[16];
	struct xlat_prefix6 p6;
	const struct xlat_prefix6 *pool6 = NULL;
	if (c->applied >= 0) {
		memcpy(p6.addr, c->applied_pfx.prefix, 16);
		p6.len = c->applied_pfx.len;
		pool6 = &p6;
	}
	unsigned mtu6 = c->up.mtu ? c->up.mtu : 1280;
	clat_dp_set_shared(&c->dp, c->nft.shared, c->nft.port_lo, c->nft.port_hi);
	if (clat_dp_set_translator(&c->dp, c->addr.have_cur ? c->addr.cur : none, pool6, mtu6 - 20, mtu6) < 0)
		log_warn("translator settings refused");
	clat_dp_set_running(&c->dp, c->state == CLAT_STATE_RUNNING && c->addr.have_cur);
	update_fast(c);
}

/* Makes the winning source's prefix the translator's pool6 (live: the core reads the map per packet). */
static void apply_prefix(struct clat *c, int sel)
{
	char was[INET6_ADDRSTRLEN + 4], now[INET6_ADDRSTRLEN + 4];
	const struct clat_pfx *p = sel >= 0 ? &c->pm.src[sel].p : NULL;
	if (sel == c->applied && (!p || memcmp(p, &c->applied_pfx, sizeof(*p)) == 0))
		return;
	if (c->applied >= 0)
		clat_pfx_str(&c->applied_pfx, was, sizeof(was));
	else
		snprintf(was, sizeof(was), "none");
	if (p)
		clat_pfx_str(p, now, sizeof(now));
	else
		snprintf(now, sizeof(now), "none");
	log_info("PLAT prefix %s (%s) -> %s (%s)", was, c->applied >= 0 ? clat_psrc_name((enum clat_psrc)c->applied) : "-",
		 now, p ? clat_psrc_name((enum clat_psrc)sel) : "-");
	c->applied = sel;
	if (p)
		c->applied_pfx = *p;
	else
		memset(&c->applied_pfx, 0, sizeof(c->applied_pfx));
	c->n.prefix_changes++;
	update_translator(c);
}

/* ---- the IPv4 side ---------------------------------------------------------------------------- */

static void on_tun(void *arg, int fd, uint32_t events);

static int bring_up(struct clat *c)
{
	bool created;
	c->dp.tun_mtu = c->up.mtu - 20; /* RFC 7915: an IPv4 header is 20 bytes shorter than IPv6's */
	if (clat_dp_tun_up(&c->dp, &c->nl, &created) < 0)
		return -1;
	if (clat_nft_up(&c->nft) < 0) /* tethering, shared mode (nft.h) */
		return -1;
	/* One worker reads the TUN on this loop; more have threads (datapath.h). */
	if (c->dp.nworkers == 1 && sys_loop_add(&c->loop, c->dp.tunfd, on_tun, &c->dp.wk[0]) < 0) {
		log_warn("epoll: %s", strerror(errno));
		return -1;
	}
	if (clat_dp_workers_start(&c->dp) < 0)
		return -1;
	char pin_err[160];
	if (tun_workers_pin(&c->dp.pool, &c->cfg.worker_cpus, pin_err, sizeof(pin_err)) < 0) {
		log_warn("%s", pin_err);
		return -1;
	}
	clat_fast_tun(&c->fast, c->dp.tun_ifindex);
	log_info("IPv4 side: %s%s, 192.0.0.1/%u, MTU %u, default route metric %u, %u worker%s", c->dp.tun,
		 created ? " (created)" : "", CLAT_HOST4_PLEN, c->dp.tun_mtu, CLAT_ROUTE_METRIC, c->dp.nworkers,
		 c->dp.nworkers == 1 ? "" : "s");
	return 0;
}

static void take_down(struct clat *c)
{
	if (c->nft.applied || c->nft.forwarding_set)
		clat_nft_down(&c->nft);
	if (c->dp.tunfd >= 0 && c->dp.nworkers == 1)
		sys_loop_del(&c->loop, c->dp.tunfd);
	clat_fast_tun(&c->fast, 0);
	clat_dp_tun_down(&c->dp, &c->nl);
}

/* ---- the decision ------------------------------------------------------------------------------ */

static void say_waiting(struct clat *c, const char *why)
{
	if (strcmp(why, c->waiting_said) == 0)
		return;
	log_info("waiting for IPv6: %s", why);
	snprintf(c->waiting_said, sizeof(c->waiting_said), "%s", why);
	c->ipv6_said = false;
}

/* The one place that decides the state, from what the modules hold and the routes last read. */
static void evaluate(struct clat *c)
{
	char why[CLAT_WHY_MAX], p[INET6_ADDRSTRLEN + 4];
	enum clat_state want;
	int sel = clat_prefixes_select(&c->pm, clat_now_s());

	if (c->state == CLAT_STATE_STOPPING)
		return;
	apply_prefix(c, sel);
	if (!c->up.ifindex) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), c->opt.uplink ? "no link %s" : "no IPv6 default route to find the uplink by",
			 c->opt.uplink ? c->opt.uplink : "");
		say_waiting(c, why);
	} else if (!c->up.up) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), "uplink %s is down", c->up.name);
	} else if (!c->ua.global && !c->addr.have_cur) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), "uplink %s has no global IPv6 address yet", c->up.name);
		say_waiting(c, why);
	} else if (!c->addr.have_cur && c->addr.probing) {
		want = CLAT_STATE_DAD;
		snprintf(why, sizeof(why), "probing the CLAT IPv6 address");
	} else if (!c->addr.have_cur) {
		want = CLAT_STATE_WAITING;
		if (c->addr.failed)
			snprintf(why, sizeof(why), "every CLAT address candidate on %s is in use (DAD); trying again", c->up.name);
		else
			snprintf(why, sizeof(why), "no SLAAC /64 on %s for the CLAT address", c->up.name);
	} else if (sel < 0) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), "no PLAT prefix: none in Router Advertisements%s%s",
			 c->opt.no_dns64 ? "" : ", none from DNS64", c->opt.pref64 ? "" : ", no --pref64");
	} else if (!c->opt.force && c->native4) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname((unsigned)c->native4_oif, name);
		want = CLAT_STATE_STANDBY;
		snprintf(why, sizeof(why), "native IPv4 default route on %s", name);
	} else if (!c->opt.force && !c->default6) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), "no IPv6 default route");
	} else {
		want = CLAT_STATE_RUNNING;
		snprintf(why, sizeof(why), "PLAT prefix %s from %s%s", clat_pfx_str(&c->applied_pfx, p, sizeof(p)),
			 clat_psrc_name((enum clat_psrc)sel),
			 c->opt.force && c->native4 ? ", --force despite native IPv4" : ", no native IPv4");
	}
	if (c->ua.global && c->up.ifindex && !c->ipv6_said && c->waiting_said[0]) {
		log_info("IPv6 is here: starting");
		c->ipv6_said = true;
		c->waiting_said[0] = '\0';
	}
	/* A new address being probed on a new uplink interrupts running only for the probe: the TUN and
	 * its route stay, so applications see a pause rather than a vanished route. */
	bool keep_tun = want == CLAT_STATE_DAD && c->dp.tunfd >= 0;
	if (want == CLAT_STATE_RUNNING && c->dp.tunfd < 0) {
		if (bring_up(c) < 0) {
			take_down(c);
			want = CLAT_STATE_WAITING;
			snprintf(why, sizeof(why), "the IPv4 side could not be set up (see the log); retrying");
		} else {
			char a[INET6_ADDRSTRLEN];
			c->n.standby_count += c->state == CLAT_STATE_STANDBY;
			log_info("CLAT %s = 192.0.0.1 via %s, PLAT prefix %s (%s), control %s", clat_ntop6(c->addr.cur, a),
				 c->up.name, p, clat_psrc_name((enum clat_psrc)sel), c->ctlpath);
		}
	} else if (want != CLAT_STATE_RUNNING && !keep_tun && c->dp.tunfd >= 0) {
		take_down(c);
	}
	set_state(c, want, why);
	clat_dp_set_running(&c->dp, c->state == CLAT_STATE_RUNNING && c->addr.have_cur);
	update_fast(c);
}

/* ---- the address manager's results ----------------------------------------------------------- */

static void on_addr_event(struct clat *c, enum clat_addr_event ev)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	if (ev == CLAT_ADDR_READY) {
		if (c->addr.have_old) {
			c->n.renumbers++;
			log_info("CLAT address %s -> %s", clat_ntop6(c->addr.old, a), clat_ntop6(c->addr.cur, b));
		}
		update_translator(c);
		clat_addr_send_rs(&c->addr); /* the prefix from this network's routers, now */
	}
	if (ev != CLAT_ADDR_NONE)
		evaluate(c);
}

static void arm_wake(struct clat *c)
{
	long d = clat_addr_deadline(&c->addr);
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	if (d >= 0) {
		if (d <= 0)
			d = 1;
		its.it_value.tv_sec = d / 1000;
		its.it_value.tv_nsec = (d % 1000) * 1000000L;
	}
	if (timerfd_settime(c->wakefd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("timerfd: %s", strerror(errno));
}

/* ---- following the uplink: which link, up or down, MTU, /64s (renumbering, roaming) ---------------- */

static void on_pkt(void *arg, int fd, uint32_t events);

/* The uplink is gone or replaced: the address, the sockets, the fast path's ingress and the prefix
 * learned from its routers go with it. */
static void leave_uplink(struct clat *c)
{
	if (!c->up.ifindex)
		return;
	if (c->dp.pktfd >= 0)
		sys_loop_del(&c->loop, c->dp.pktfd);
	clat_addr_detach(&c->addr);
	clat_addr_drop(&c->addr);
	clat_addr_forget_old(&c->addr);
	clat_dp_close_uplink(&c->dp);
	clat_prefixes_clear_ra(&c->pm); /* that network's routers said them */
	memset(&c->up, 0, sizeof(c->up));
	memset(&c->ua, 0, sizeof(c->ua));
}

static int take_uplink(struct clat *c, int ifindex, const char *how)
{
	struct clat_uplink u;
	if (clat_uplink_read(&c->nl, ifindex, &u) < 0)
		return -1;
	if (u.mtu < 1280 + 20) {
		static struct log_ratelimit rl;
		if (log_ratelimit_ok(&rl))
			log_warn("uplink %s: MTU %u is below the IPv6 minimum; not using it", u.name, u.mtu);
		return -1;
	}
	char was[IF_NAMESIZE];
	snprintf(was, sizeof(was), "%s", c->up.ifindex ? c->up.name : "");
	leave_uplink(c);
	c->up = u;
	if (clat_dp_open_uplink(&c->dp, &c->up) < 0 || sys_loop_add(&c->loop, c->dp.pktfd, on_pkt, c) < 0) {
		clat_dp_close_uplink(&c->dp);
		memset(&c->up, 0, sizeof(c->up));
		return -1;
	}
	c->addr.ndp_only = c->dp.nworkers > 1;
	clat_addr_attach(&c->addr, c->dp.pktfd, &c->up);
	clat_fast_uplink(&c->fast, &c->up);
	c->up_since_ms = clat_now_ms();
	if (was[0]) {
		c->n.uplink_changes++;
		log_info("uplink %s -> %s (%s)", was, c->up.name, how);
		clat_dns_cancel(&c->dns, "asked again: the uplink changed");
		c->pm.dns.next_query = clat_now_s(); /* another network, another resolver: ask now */
	}
	log_info("uplink %s (index %d, %s, MTU %u)%s", c->up.name, c->up.ifindex, clat_link_kind_name(c->up.kind),
		 c->up.mtu, c->opt.uplink ? "" : ", found by the IPv6 default route");
	clat_dp_tun_mtu(&c->dp, c->up.mtu - 20);
	update_translator(c);
	clat_addr_send_rs(&c->addr);
	return 0;
}

/* The uplink's IPv6 MTU, followed: the TUN gets 20 bytes less, the translator the pair, so a full-size
 * IPv4 packet becomes a full-size IPv6 one and bigger DF packets get Fragmentation Needed. */
static void follow_mtu(struct clat *c, unsigned mtu)
{
	if (mtu == c->up.mtu)
		return;
	if (mtu < 1280 + 20 || mtu > 65535) {
		static struct log_ratelimit rl;
		if (log_ratelimit_ok(&rl))
			log_warn("uplink %s: IPv6 MTU %u is not usable; keeping %u", c->up.name, mtu, c->up.mtu);
		return;
	}
	unsigned was = c->up.mtu;
	c->up.mtu = mtu;
	clat_dp_tun_mtu(&c->dp, mtu - 20);
	update_translator(c);
	c->n.mtu_changes++;
	log_info("uplink %s: IPv6 MTU %u -> %u; TUN %s MTU %u, translator mtu6 %u", c->up.name, was, mtu, c->dp.tun,
		 mtu - 20, mtu);
}

/* The address mode, chosen once with the first uplink that has IPv6: dedicated when it has a /64
 * (SLAAC), else, after CLAT_SHARED_WAIT_S for SLAAC, or with --shared, the host's own address. */
static void choose_mode(struct clat *c)
{
	char a[INET6_ADDRSTRLEN];
	long waited = (clat_now_ms() - c->up_since_ms) / 1000;
	if (c->mode_chosen)
		return;
	if (c->ua.have_own && (c->opt.shared || (!c->ua.have64 && waited >= CLAT_SHARED_WAIT_S))) {
		c->nft.shared = true;
		c->mode_chosen = true;
		log_info("uplink %s: %s; shared mode: the CLAT uses the host's own address %s/%u, ports %u-%u", c->up.name,
			 c->opt.shared ? "--shared" : "no /64", clat_ntop6(c->ua.own, a), c->ua.own_plen, c->nft.port_lo,
			 c->nft.port_hi);
	} else if (c->ua.have64 && !c->opt.shared) {
		c->mode_chosen = true;
		log_info("uplink %s: /64 %s/64 (from %s)", c->up.name, clat_ntop6(c->ua.best64, a),
			 c->ua.n64 ? "SLAAC or a static address" : "?");
	} else if (waited == CLAT_PREFIX_WAIT_S && c->ua.global) {
		log_warn("uplink %s has no /64 for a CLAT address yet%s", c->up.name,
			 c->opt.shared ? "" : " (and no address to share)");
	}
}

static void follow_addresses(struct clat *c)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	enum clat_addr_event ev = CLAT_ADDR_NONE;

	if (clat_uplink_addrs(&c->nl, c->up.ifindex, c->addr.have_cur && !c->nft.shared ? c->addr.cur : NULL, &c->ua) < 0)
		return;
	choose_mode(c);
	if (!c->mode_chosen)
		return;
	if (c->nft.shared) {
		if (c->ua.have_own && (!c->addr.have_cur || memcmp(c->addr.cur, c->ua.own, 16) != 0)) {
			bool had = c->addr.have_cur;
			if (had)
				log_info("shared mode: the host's address %s -> %s", clat_ntop6(c->addr.cur, a), clat_ntop6(c->ua.own, b));
			memcpy(c->nft.host6, c->ua.own, 16);
			ev = clat_addr_set_shared(&c->addr, c->ua.own);
			if (had && c->nft.applied)
				clat_nft_up(&c->nft); /* the port split's rules name the address */
		}
	} else if (c->ua.have64) {
		if (!c->addr.have_cur && !c->addr.probing && !c->addr.failed) {
			ev = clat_addr_begin(&c->addr, c->ua.best64, clat_now_ms());
		} else if (c->addr.have_cur && !c->ua.cur_ok && memcmp(c->ua.best64, c->addr.cur, 8) != 0 &&
			   !(c->addr.probing && memcmp(c->addr.tent_prefix, c->ua.best64, 8) == 0)) {
			uint8_t was[16] = { 0 };
			memcpy(was, c->addr.cur, 8);
			log_info("uplink %s: /64 %s/64 -> %s/64 (renumbered or roamed); a new CLAT address", c->up.name,
				 clat_ntop6(was, a), clat_ntop6(c->ua.best64, b));
			ev = clat_addr_begin(&c->addr, c->ua.best64, clat_now_ms());
		}
	} else if (c->addr.have_cur && !c->ua.cur_present) {
		uint8_t p[16] = { 0 };
		memcpy(p, c->addr.cur, 8);
		log_warn("uplink %s: /64 %s/64 is gone and there is no other; waiting for one", c->up.name, clat_ntop6(p, a));
		clat_addr_drop(&c->addr);
		update_translator(c);
	} else if (c->addr.probing && !c->addr.have_cur) {
		clat_addr_drop(&c->addr); /* the /64 went while its address was probed */
	}
	if (c->addr.have_old && !c->nft.shared) {
		struct clat_uplink_addrs o;
		if (clat_uplink_addrs(&c->nl, c->up.ifindex, c->addr.old, &o) == 0 && !o.cur_present)
			clat_addr_forget_old(&c->addr); /* its /64 has left the link: no one asks for it now */
	}
	arm_wake(c);
	if (ev != CLAT_ADDR_NONE)
		on_addr_event(c, ev);
}

/* Re-reads the routing table: a native IPv4 default route (not the CLAT's own), an IPv6 default
 * route and the link it leaves by. */
static int read_routes(struct clat *c)
{
	int v4 = sys_nl_default_route_oif(&c->nl, AF_INET, c->dp.tunfd >= 0 ? c->dp.tun_ifindex : 0);
	int v6 = sys_nl_default_route_oif(&c->nl, AF_INET6, 0);
	if (v4 < 0 || v6 < 0) {
		log_warn("reading the routes: %s", strerror(errno));
		return 0;
	}
	c->native4 = v4 > 0;
	c->native4_oif = v4;
	c->default6 = v6 > 0;
	return v6;
}

/* After every batch of netlink notifications and every second: the uplink (the link of the IPv6
 * default route, or --uplink, followed as it changes), its state, MTU and addresses, the routes. */
static void follow(struct clat *c)
{
	int v6oif = read_routes(c);
	int want = 0;
	const char *how = "";
	if (c->opt.uplink) {
		want = (int)if_nametoindex(c->opt.uplink);
		how = "--uplink";
	} else if (v6oif > 0) {
		want = v6oif;
		how = "the IPv6 default route moved";
	}
	if (want && want != c->up.ifindex)
		take_uplink(c, want, how);
	else if (c->opt.uplink && !want && c->up.ifindex) {
		log_warn("uplink %s is gone", c->up.name);
		leave_uplink(c);
	}
	if (!c->up.ifindex)
		return;
	struct clat_uplink u;
	if (clat_uplink_read(&c->nl, c->up.ifindex, &u) < 0) {
		log_warn("uplink %s is gone", c->up.name);
		leave_uplink(c);
		return;
	}
	if (u.up != c->up.up)
		log_info("uplink %s: %s -> %s", c->up.name, c->up.up ? "up" : "down", u.up ? "up (carrier)" : "down (no carrier, or set down)");
	c->up.up = u.up;
	if (u.up)
		clat_dp_open_workers(&c->dp); /* unless they are open: a link down refuses them (datapath.h) */
	c->up.link_mtu = u.link_mtu;
	follow_mtu(c, u.mtu);
	follow_addresses(c);
}

static void on_nl(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	int n = sys_nl_monitor_drain(&c->mon);
	if (n < 0 && errno != ENOBUFS)
		log_warn("netlink notifications: %s", strerror(errno));
	if (n == 0)
		return;
	c->n.nl_events++;
	follow(c);
	evaluate(c);
}

/* ---- Router Advertisements: PREF64 (RFC 8781) ------------------------------------------------- */

static void on_ra(struct clat *c, const uint8_t *pkt, size_t len)
{
	static struct log_ratelimit rl;
	static struct ndp_ra ra;
	char p[INET6_ADDRSTRLEN + 4];
	enum ndp_result r = NDP_OK;

	c->n.ra_seen++;
	/* RFC 4861 section 6.1.2: hop limit 255 proves the RA was not forwarded. */
	if (pkt[IP6_OFF_HLIM] != NDP_HOP_LIMIT ||
	    (r = ndp_parse_ra(pkt + IP6_OFF_SRC, pkt + IP6_OFF_DST, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN, &ra)) != NDP_OK) {
		c->n.ra_bad++;
		if (log_ratelimit_ok(&rl))
			log_debug("ignored a router advertisement: %s", r == NDP_OK ? "hop limit is not 255" : ndp_result_name(r));
		return;
	}
	if (!ra.npref64)
		return;
	c->n.ra_pref64++;
	if (clat_prefixes_on_ra(&c->pm, pkt + IP6_OFF_SRC, ra.pref64, ra.npref64, clat_now_s())) {
		const struct clat_psrc_slot *x = &c->pm.src[CLAT_PSRC_PREF64];
		if (x->valid)
			log_info("RA PREF64: %s, lifetime %u s (%u option%s in the RA)", clat_pfx_str(&x->p, p, sizeof(p)),
				 x->lifetime, ra.npref64, ra.npref64 == 1 ? "" : "s");
		else
			log_info("RA PREF64: withdrawn (lifetime 0)");
	} else if (log_enabled(LOG_LEVEL_DEBUG)) {
		log_debug("RA PREF64: refreshed, lifetime %u s", c->pm.src[CLAT_PSRC_PREF64].lifetime);
	}
	evaluate(c);
}

/* ---- the data path's event handlers ------------------------------------------------------------- */

static void on_tun(void *arg, int fd, uint32_t events)
{
	clat_dp_from_tun(arg, fd); /* the one worker, on this thread */
}

static void on_pkt(void *arg, int fd, uint32_t events)
{
	static struct log_ratelimit rl;
	struct clat *c = arg;
	uint8_t mac[6];
	uint8_t *rx = c->dp.v6.rx;

	for (int i = 0; i < 64; i++) {
		struct xlat_vnet vh;
		ssize_t n = sys_packet_recv(fd, rx, CLAT_PKT_MAX, mac, &vh);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			c->dp.v6.n.uplink_read_errors++;
			if (log_ratelimit_ok(&rl))
				log_warn("read on %s: %s", c->up.name, strerror(errno));
			return;
		}
		if (n == 0)
			continue;
		if ((size_t)n > IP6_HDR_LEN && rx[IP6_OFF_NEXT] == NDP_NEXT_HEADER_ICMP6 && rx[IP6_HDR_LEN] == NDP_ICMP6_ROUTER_ADVERT) {
			on_ra(c, rx, (size_t)n);
			continue;
		}
		enum clat_addr_event ev;
		if (clat_addr_on_ndp(&c->addr, rx, (size_t)n, mac, clat_now_ms(), &ev)) {
			arm_wake(c);
			on_addr_event(c, ev);
			continue;
		}
		/* With several workers only neighbour discovery comes here; they read the rest. */
		clat_dp_from_uplink(&c->dp, (size_t)n, &vh);
	}
}

/* ---- timers ------------------------------------------------------------------------------------ */

/* Once a second: DNS64 due or timed out, prefixes expired, the uplink looked at again (an RA's MTU
 * option changes the IPv6 MTU without a notification; SLAAC's wait runs out). */
static void tick(struct clat *c)
{
	if (!c->opt.no_dns64 && c->dns.fd >= 0)
		clat_dns_tick(&c->dns, &c->pm, c->opt.resolv_conf ? c->opt.resolv_conf : CLAT_RESOLV_CONF, clat_now_ms(), clat_now_s());
	clat_dp_poll_drops(&c->dp);
	follow(c);
	evaluate(c);
}

static void on_timer(void *arg, int fd, uint32_t events)
{
	uint64_t ticks;
	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timer: %s", strerror(errno));
	tick(arg);
}

static void on_wake(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	uint64_t ticks;
	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timer: %s", strerror(errno));
	enum clat_addr_event ev = clat_addr_tick(&c->addr, clat_now_ms());
	arm_wake(c);
	on_addr_event(c, ev);
}

static void on_dns(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	if (clat_dns_on_readable(&c->dns, &c->pm, clat_now_ms(), clat_now_s()))
		evaluate(c);
}

/* ---- configuration file and SIGHUP --------------------------------------------------------------- */

/* The effective options: pointers into the settings (flags over the file over the defaults), and the
 * lifecycle options of the command line. */
static void opts_from(struct clat_opts *o, const struct clat_opts *cli, const struct clat_config *s)
{
	*o = *cli;
	o->uplink = s->uplink[0] ? s->uplink : NULL;
	o->pref64 = s->pref64[0] ? s->pref64 : NULL;
	o->tun = s->tun;
	o->resolv_conf = s->resolv_conf;
	o->control = s->control[0] ? s->control : NULL;
	o->pidfile = s->pidfile[0] ? s->pidfile : NULL;
	o->no_dns64 = s->no_dns64;
	o->force = s->force;
	o->debug = s->debug;
	o->shared = s->shared;
	o->fast_path = s->fast_path;
	o->workers = s->workers;
	o->ntether = s->ntether;
	for (unsigned i = 0; i < s->ntether && i < CLAT_TETHER_MAX; i++)
		o->tether[i] = s->tether[i];
}

/* The defaults, --config FILE, then the flags. 0, or -1 with "FILE:LINE: key: problem" or "--key:
 * problem" in err. */
static int load(const struct clat *c, struct clat_config *out, char *err, size_t errlen)
{
	clat_config_init(out);
	return settings_load(&clat_settings_table, out, c->cli.config, c->words, c->nwords, err, errlen);
}

/* SIGHUP: re-reads --config and applies what changed live (the static prefix, DNS64 on or off, force,
 * the uplink, the resolv.conf path, debug); the translator, the TUN and the CLAT address stay as
 * they are, so running flows see nothing. tun, control and pidfile need a restart: a change to them
 * is logged and the running value kept; so are tether, shared and fast-path, which are set up with
 * the TUN and at start. An unreadable or invalid file changes nothing. */
static void reload(struct clat *c)
{
	static struct clat_config nc;
	char err[CLAT_CONFIG_ERR_MAX], oldpref[sizeof(c->cfg.pref64)], kept[256];

	if (!c->cli.config) {
		log_info("SIGHUP: no --config file; nothing to reload");
		return;
	}
	if (load(c, &nc, err, sizeof(err)) < 0) {
		c->n.reload_errors++;
		log_warn("reload: %s; keeping the current configuration", err);
		return;
	}
	/* The NAT44 table and the address mode are set up with the TUN, the fast path at start. */
	if (settings_keep_restart(&clat_settings_table, &nc, &c->cfg, kept, sizeof(kept)))
		log_warn("reload: %s change only with a restart; keeping the running values", kept);
	snprintf(oldpref, sizeof(oldpref), "%s", c->opt.pref64 ? c->opt.pref64 : "");
	bool old_dns64 = !c->opt.no_dns64, old_force = c->opt.force;
	char olduplink[IF_NAMESIZE];
	snprintf(olduplink, sizeof(olduplink), "%s", c->opt.uplink ? c->opt.uplink : "");
	c->cfg = nc;
	opts_from(&c->opt, &c->cli, &c->cfg);
	log_set_level(c->opt.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);

	const char *newpref = c->opt.pref64 ? c->opt.pref64 : "";
	if (strcmp(oldpref, newpref) != 0) {
		struct clat_pfx x = { 0 };
		if (newpref[0] && !clat_config_check_pref64(newpref, x.prefix, &x.len, err, sizeof(err)))
			clat_prefixes_set(&c->pm, CLAT_PSRC_STATIC, &x, 0, clat_now_s());
		else
			clat_prefixes_clear(&c->pm, CLAT_PSRC_STATIC);
		log_info("reload: static prefix %s -> %s", oldpref[0] ? oldpref : "none", newpref[0] ? newpref : "none");
	}
	if (old_dns64 != !c->opt.no_dns64) {
		if (c->opt.no_dns64) {
			clat_dns_cancel(&c->dns, "turned off by a reload");
			clat_prefixes_clear(&c->pm, CLAT_PSRC_DNS64);
		} else {
			if (c->dns.fd < 0 && clat_dns_open(&c->dns) >= 0 && sys_loop_add(&c->loop, c->dns.fd, on_dns, c) < 0)
				clat_dns_close(&c->dns);
			if (c->dns.fd < 0)
				log_warn("reload: UDP socket for DNS64: %s", strerror(errno));
			c->pm.dns.next_query = clat_now_s(); /* ask now */
		}
		log_info("reload: DNS64 %s", c->opt.no_dns64 ? "off" : "on");
	}
	if (old_force != c->opt.force)
		log_info("reload: force %s", c->opt.force ? "on" : "off");
	if (strcmp(olduplink, c->opt.uplink ? c->opt.uplink : "") != 0)
		log_info("reload: uplink %s -> %s", olduplink[0] ? olduplink : "(the IPv6 default route's)",
			 c->opt.uplink ? c->opt.uplink : "(the IPv6 default route's)");
	c->n.reloads++;
	log_info("reloaded %s", c->cli.config);
	follow(c);
	evaluate(c);
}

static void reload_cb(void *ctx)
{
	reload(ctx);
}

/* SIGTERM, SIGINT: the state machine takes the CLAT down (STOPPING=1 with its STATUS line). */
static void stopping_cb(void *ctx, int sig)
{
	struct clat *c = ctx;
	log_info("%s: exiting", strsignal(sig));
	set_state(c, CLAT_STATE_STOPPING, strsignal(sig));
	sys_loop_stop(&c->loop);
}

/* ---- setup and teardown ------------------------------------------------------------------------ */

static void clat_help(void)
{
	fputs(clat_usage, stdout);
	settings_help(&clat_settings_table, stdout);
}

static int parse_opts(int argc, char **argv, struct clat *c)
{
	struct daemon_opts d = { 0 };
	c->words = calloc((size_t)argc * 3 + 2, sizeof(*c->words));
	if (!c->words)
		fatal("out of memory");
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (strcmp(a, "--no-fast-path") == 0) { /* an older spelling of --fast-path no */
			c->words[c->nwords++] = (char *)"--fast-path";
			c->words[c->nwords++] = (char *)"no";
			c->words[c->nwords++] = NULL;
			i++;
			continue;
		}
		if (strcmp(a, "-d") == 0)
			argv[i] = (char *)"--debug";
		int r = daemon_arg_take(&clat_settings_table, argc, argv, &i, c->words, &c->nwords, &d, clat_help);
		if (r < 0)
			return -1;
		if (r == 0) {
			log_warn("%s: unknown option (see xlat464 clat --help)", a);
			return -1;
		}
	}
	c->list_settings = d.list_settings;
	c->cli.config = d.config;
	c->cli.daemon = d.daemon;
	c->cli.check = d.check;
	c->cli.print_config = d.print_config;
	return 0;
}

static int read_key(uint8_t key[CLAT_IID_KEY_LEN])
{
	char buf[64];
	FILE *f = fopen(CLAT_MACHINE_ID, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	if (clat_iid_key_from_machine_id(buf, n, key))
		return 0;
	/* Without a machine id the address is still unguessable, only not stable across restarts. */
	log_warn("%s: missing or not 32 hex digits; the CLAT address will change on every start", CLAT_MACHINE_ID);
	return getrandom(key, CLAT_IID_KEY_LEN, 0) == CLAT_IID_KEY_LEN ? 0 : -1;
}

static void cleanup(struct clat *c)
{
	take_down(c);
	leave_uplink(c);
	clat_fast_close(&c->fast);
	daemon_frame_close(&c->frame);
	int fds[] = { c->timerfd, c->wakefd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	clat_dns_close(&c->dns);
	sys_loop_close(&c->loop);
	sys_nl_close(&c->mon);
	sys_nl_close(&c->nl);
	clat_dp_free(&c->dp);
	free(c->status_text);
	free(c->words);
}

static int run(struct clat *c)
{
	if (sys_nl_open(&c->nl) < 0) {
		log_warn("netlink: %s", strerror(errno));
		return -1;
	}
	/* Subscribe before reading anything, so no change falls between the read and the watch. */
	if (sys_nl_monitor_open(&c->mon, RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV6_IFADDR) < 0) {
		log_warn("netlink notifications: %s", strerror(errno));
		return -1;
	}
	if (read_key(c->key) < 0)
		return -1;
	clat_addr_init(&c->addr, c->key);
	clat_prefixes_init(&c->pm, clat_now_s());
	if (c->opt.pref64) {
		struct clat_pfx x = { 0 };
		char err[CLAT_CONFIG_ERR_MAX];
		clat_config_check_pref64(c->opt.pref64, x.prefix, &x.len, err, sizeof(err)); /* checked by the parser */
		clat_prefixes_set(&c->pm, CLAT_PSRC_STATIC, &x, 0, clat_now_s());
	}
	if (c->opt.control)
		snprintf(c->ctlpath, sizeof(c->ctlpath), "%s", c->opt.control);
	else
		snprintf(c->ctlpath, sizeof(c->ctlpath), "%s/clat-%s.sock", SYS_CTL_DIR, c->dp.tun);
	if (sys_loop_init(&c->loop) < 0) {
		log_warn("epoll: %s", strerror(errno));
		return -1;
	}
	c->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	c->wakefd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	if (c->timerfd < 0 || c->wakefd < 0 || timerfd_settime(c->timerfd, 0, &its, NULL) < 0) {
		log_warn("timerfd: %s", strerror(errno));
		return -1;
	}
	c->frame.loop = &c->loop;
	c->frame.ctx = c;
	c->frame.status = clat_write_status;
	c->frame.reload = reload_cb;
	c->frame.stopping = stopping_cb;
	c->frame.config = c->cli.config;
	if (daemon_frame_open(&c->frame, c->ctlpath, c->opt.pidfile) < 0)
		return -1;
	/* What a killed earlier run left, once the control socket says no live daemon of ours runs. */
	if (clat_dp_recover_stale(&c->dp, &c->nl) < 0)
		return -1;
	clat_nft_down(&c->nft);
	if (!c->opt.no_dns64 && clat_dns_open(&c->dns) < 0) {
		log_warn("UDP socket for DNS64: %s", strerror(errno));
		return -1;
	}
	/* Loading BPF programs needs CAP_BPF (and CAP_PERFMON), which go below; attaching them later
	 * needs only CAP_NET_ADMIN. */
	clat_fast_open(&c->fast, c->opt.fast_path);
	if (sys_loop_add(&c->loop, c->timerfd, on_timer, c) < 0 || sys_loop_add(&c->loop, c->wakefd, on_wake, c) < 0 ||
	    sys_loop_add(&c->loop, sys_nl_fd(&c->mon), on_nl, c) < 0 ||
	    (c->dns.fd >= 0 && sys_loop_add(&c->loop, c->dns.fd, on_dns, c) < 0)) {
		log_warn("epoll: %s", strerror(errno));
		return -1;
	}
	/* What is left to do needs links, addresses, routes (CAP_NET_ADMIN) and packet and raw sockets
	 * on whichever link becomes the uplink (CAP_NET_RAW). */
	if (sys_priv_keep_net() < 0) {
		log_warn("dropping privileges: %s", strerror(errno));
		return -1;
	}
	log_info("capabilities kept: %#llx (CAP_NET_ADMIN, CAP_NET_RAW)", (unsigned long long)sys_priv_effective());
	c->started = time(NULL);
	tick(c); /* the uplink, the first DNS64 query, the first decision */
	sys_notify("READY=1"); /* set up; the state (STATUS=) says whether it translates */
	if (c->native4 && !c->opt.force) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname((unsigned)c->native4_oif, name);
		log_info("native IPv4 default route on %s: the CLAT will stand by until it goes (--force runs it anyway)",
			 name);
	}
	if (sys_loop_run(&c->loop) < 0) {
		log_warn("epoll_wait: %s", strerror(errno));
		return -1;
	}
	return 0;
}

_Static_assert(CLAT_CONFIG_TETHER_MAX == CLAT_TETHER_MAX, "the config file and --tether take as many interfaces");
_Static_assert(CLAT_CONFIG_WORKERS_MAX == TUN_WORKERS_MAX, "workers: as many as the pool takes");

int clat_main(int argc, char **argv)
{
	static struct clat cc;
	struct clat *c = &cc;

	log_set_ident("xlat464 clat");
	daemon_frame_init(&c->frame);
	c->timerfd = c->wakefd = -1;
	c->applied = -1;
	c->loop.epfd = -1;
	clat_dns_init(&c->dns);
	char err[CLAT_CONFIG_ERR_MAX];
	if (parse_opts(argc, argv, c) < 0) {
		free(c->words);
		return 2;
	}
	if (c->list_settings) {
		settings_page(&clat_settings_table, stdout, "xlat464 clat", "xlat464 clat", "src/clat/config.c");
		free(c->words);
		return 0;
	}
	if (load(c, &c->cfg, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		free(c->words);
		return 2;
	}
	opts_from(&c->opt, &c->cli, &c->cfg);
	if (c->opt.debug)
		log_set_level(LOG_LEVEL_DEBUG);
	c->status_text = malloc(CLAT_STATUS_TEXT_MAX);
	if (!c->status_text || clat_dp_init(&c->dp, c->opt.tun, &c->nl, c->opt.workers) < 0)
		fatal("out of memory");
	snprintf(c->nft.tun, sizeof(c->nft.tun), "%s", c->opt.tun);
	for (unsigned i = 0; i < c->opt.ntether; i++)
		snprintf(c->nft.tether[i], sizeof(c->nft.tether[i]), "%s", c->opt.tether[i]);
	c->nft.ntether = c->opt.ntether;
	c->nft.port_lo = CLAT_SHARED_PORT_LO;
	c->nft.port_hi = CLAT_SHARED_PORT_HI;
	if (c->opt.check || c->opt.print_config) {
		if (c->opt.check)
			printf("# configuration OK%s%s\n", c->cli.config ? ": " : "", c->cli.config ? c->cli.config : "");
		static char text[4096];
		clat_config_format(&c->cfg, text, sizeof(text));
		fputs(text, stdout);
		cleanup(c);
		return 0;
	}
	if (c->opt.daemon && sys_daemonize() < 0)
		fatal("daemon: %s", strerror(errno));
	int r = run(c);
	if (c->state != CLAT_STATE_STOPPING)
		set_state(c, CLAT_STATE_STOPPING, r < 0 ? "setup failed" : "signal");
	cleanup(c);
	return r < 0 ? 1 : 0;
}
