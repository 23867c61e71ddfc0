/* What `xlat464 clat` answers on its control socket: the status lines (text) and the typed facts
 * `xlat464 status --json` prints as "clat" (clat_ctl.h), read off the daemon's state (daemon.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../common/siit_ctl.h"
#include "daemon.h"
#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/priv.h"
#include "translator.h"

static void format_sources(const struct clat *c, int64_t now, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int s = 0; s < CLAT_PSRC__COUNT && used < cap; s++) {
		const struct clat_psrc_slot *x = &c->pm.src[s];
		char p[INET6_ADDRSTRLEN + 4];
		int k;
		if (!x->valid)
			k = snprintf(buf + used, cap - used, "%s%s none", s ? "; " : "", clat_psrc_name((enum clat_psrc)s));
		else if (s == CLAT_PSRC_STATIC)
			k = snprintf(buf + used, cap - used, "%s%s %s", s ? "; " : "", clat_psrc_name((enum clat_psrc)s),
				     clat_pfx_str(&x->p, p, sizeof(p)));
		else
			k = snprintf(buf + used, cap - used, "%s%s %s expires in %lld s", s ? "; " : "",
				     clat_psrc_name((enum clat_psrc)s), clat_pfx_str(&x->p, p, sizeof(p)), (long long)(x->expires - now));
		if (k < 0)
			return;
		used += (size_t)k;
	}
}

/* The kernel fast path's line: in use or why not, and its counters. */
static size_t format_fast(struct clat *c, char *buf, size_t cap)
{
	struct sys_clat_offload_counters k;
	int n;
	if (!c->fast.off)
		return (size_t)snprintf(buf, cap, "fast-path not in use: %s\n", c->fast.why);
	clat_fast_counters(&c->fast, &k);
	char gw[INET6_ADDRSTRLEN + 8] = "";
	if (c->fast.have_cfg && c->fast.cfg.has_gw) {
		char a[INET6_ADDRSTRLEN];
		snprintf(gw, sizeof(gw), ", via %s", clat_ntop6(c->fast.cfg.gw6, a));
	}
	n = snprintf(buf, cap, "fast-path %s (eBPF on %s ingress and the TUN's egress%s) 4to6 %llu pkts %llu bytes, "
			       "6to4 %llu pkts %llu bytes; left to this process:",
		     clat_fast_active(&c->fast) ? "active" : "loaded, standing aside while not running", c->up.name, gw,
		     (unsigned long long)k.c[SYS_CLAT_OFF_PKTS_4TO6], (unsigned long long)k.c[SYS_CLAT_OFF_BYTES_4TO6],
		     (unsigned long long)k.c[SYS_CLAT_OFF_PKTS_6TO4], (unsigned long long)k.c[SYS_CLAT_OFF_BYTES_6TO4]);
	for (unsigned i = SYS_CLAT_OFF_FIRST_PASS; i < SYS_CLAT_OFFLOAD_NCOUNTERS && n > 0 && (size_t)n < cap; i++)
		n += snprintf(buf + n, cap - (size_t)n, " %s %llu", sys_clat_offload_counter_name(i),
			      (unsigned long long)k.c[i]);
	if (n > 0 && (size_t)n < cap)
		n += snprintf(buf + n, cap - (size_t)n, "\n");
	return n < 0 ? 0 : (size_t)n < cap ? (size_t)n : cap - 1;
}

static size_t format_status(struct clat *c, char *buf, size_t cap)
{
	char a6[INET6_ADDRSTRLEN], pref[INET6_ADDRSTRLEN + 160], p[INET6_ADDRSTRLEN + 4], srcs[400], dns[200];
	int64_t now = clat_now_s();
	int sel = c->applied;

	if (sel < 0) {
		snprintf(pref, sizeof(pref), "none");
	} else if (sel == CLAT_PSRC_STATIC) {
		snprintf(pref, sizeof(pref), "%s (source: static --pref64, no expiry)", clat_pfx_str(&c->applied_pfx, p, sizeof(p)));
	} else if (sel == CLAT_PSRC_PREF64) {
		const struct clat_psrc_slot *x = &c->pm.src[sel];
		snprintf(pref, sizeof(pref), "%s (source: ra-pref64, lifetime %u s, expires in %lld s unless an RA refreshes it)",
			 clat_pfx_str(&c->applied_pfx, p, sizeof(p)), x->lifetime, (long long)(x->expires - now));
	} else {
		const struct clat_psrc_slot *x = &c->pm.src[sel];
		snprintf(pref, sizeof(pref), "%s (source: dns64, TTL %u s, expires in %lld s, next query in %lld s)",
			 clat_pfx_str(&c->applied_pfx, p, sizeof(p)), x->lifetime, (long long)(x->expires - now),
			 (long long)(c->pm.dns.next_query > now ? c->pm.dns.next_query - now : 0));
	}
	format_sources(c, now, srcs, sizeof(srcs));
	if (c->opt.no_dns64)
		snprintf(dns, sizeof(dns), "off (--no-dns64)");
	else
		snprintf(dns, sizeof(dns), "%s; %s; queries %llu answers %llu failures %llu (%u in a row)",
			 c->dns.last[0] ? c->dns.last : "not asked yet", c->dns.inflight ? "query in flight" : "next query due",
			 (unsigned long long)c->dns.queries, (unsigned long long)c->dns.answers,
			 (unsigned long long)c->dns.failures, c->pm.dns.failures);
	if (!c->opt.no_dns64 && !c->dns.inflight) {
		size_t l = strlen(dns);
		snprintf(dns + l, sizeof(dns) - l, ", in %lld s",
			 (long long)(c->pm.dns.next_query > now ? c->pm.dns.next_query - now : 0));
	}
	const struct clat_addr_counters *an = &c->addr.n;
	const struct clat_dp_counters *dn = &c->dp.n;
	int k = snprintf(buf, cap,
			 "state %s (%s)\nuplink %s (index %d, %s%s, MTU %u, %s; changes %llu)\npref64 %s\nprefix-sources %s\n"
			 "dns64 %s\nra seen %llu with-pref64 %llu ignored %llu\nnative-ipv4 %s, ipv6-default %s%s\n"
			 "clat-ipv6 %s (stable, RFC 7217 style, DAD counter %u)%s\nclat-ipv4 192.0.0.1/%u on %s (MTU %u)%s\n"
			 "route4 default dev %s metric %u src 192.0.0.1%s\n"
			 "ndp ns-answered %llu na-sent %llu dad-conflicts %llu conflicts-after-dad %llu ignored %llu\n"
			 "errors uplink-send %llu uplink-read %llu uplink-queue-full %llu tun-write %llu tun-read %llu\n",
			 clat_state_name[c->state], c->why, c->up.ifindex ? c->up.name : "(none)", c->up.ifindex,
			 clat_link_kind_name(c->up.kind), c->up.nd ? ", neighbour discovery" : ", no neighbour discovery",
			 c->up.mtu, c->up.up ? "up" : "down", (unsigned long long)c->n.uplink_changes, pref, srcs, dns,
			 (unsigned long long)c->n.ra_seen, (unsigned long long)c->n.ra_pref64, (unsigned long long)c->n.ra_bad,
			 c->native4 ? "yes" : "no", c->default6 ? "yes" : "no", c->opt.force ? " (--force)" : "",
			 c->addr.have_cur ? clat_ntop6(c->addr.cur, a6) : "none", c->addr.cur_counter,
			 c->addr.probing ? " (a successor under DAD)" : "", CLAT_HOST4_PLEN, c->dp.tun, c->dp.tun_mtu,
			 c->dp.tunfd >= 0 ? "" : " (not present: not running)", c->dp.tun, CLAT_ROUTE_METRIC,
			 c->dp.route_added ? "" : " (not present)", (unsigned long long)an->ns_answered,
			 (unsigned long long)an->na_sent, (unsigned long long)an->dad_conflicts,
			 (unsigned long long)an->addr_conflicts, (unsigned long long)an->ndp_bad,
			 (unsigned long long)dn->uplink_send_errors, (unsigned long long)dn->uplink_read_errors,
			 (unsigned long long)dn->uplink_drops, (unsigned long long)dn->tun_write_errors,
			 (unsigned long long)dn->tun_read_errors);
	if (k < 0)
		return 0;
	if ((size_t)k >= cap)
		return cap - 1;
	size_t used = (size_t)k;
	k = snprintf(buf + used, cap - used,
		     "life config %s reloads %llu reload-errors %llu mtu-changes %llu renumbers %llu capabilities %#llx\n",
		     c->cli.config ? c->cli.config : "(none)", (unsigned long long)c->n.reloads,
		     (unsigned long long)c->n.reload_errors, (unsigned long long)c->n.mtu_changes,
		     (unsigned long long)c->n.renumbers, (unsigned long long)sys_priv_effective());
	if (k > 0 && (size_t)k < cap - used)
		used += (size_t)k;
	/* every PREF64 the uplink's routers announce, with its lifetime (the one in use is the pref64 line) */
	k = snprintf(buf + used, cap - used, "pref64-announced %u", c->pm.nra);
	for (unsigned i = 0; k > 0 && (size_t)k < cap - used && i < c->pm.nra; i++) {
		used += (size_t)k;
		k = snprintf(buf + used, cap - used, "%s %s lifetime %u s expires in %lld s", i ? ";" : ":",
			     clat_pfx_str(&c->pm.ra[i].p, p, sizeof(p)), c->pm.ra[i].lifetime, (long long)(c->pm.ra[i].expires - now));
	}
	if (k > 0 && (size_t)k < cap - used)
		used += (size_t)k;
	k = snprintf(buf + used, cap - used, "\n");
	if (k > 0 && (size_t)k < cap - used)
		used += (size_t)k;
	k = snprintf(buf + used, cap - used,
		     "userspace-path tun-offload %s super-packets-out %llu (%llu bytes) no-neighbour-yet %llu "
		     "not-running %llu checksums-finished %llu\n",
		     c->dp.tunfd < 0 ? "-" : c->dp.tun_offload ? "yes" : "no", (unsigned long long)dn->gso_out,
		     (unsigned long long)dn->gso_bytes, (unsigned long long)dn->no_neighbour,
		     (unsigned long long)dn->not_running, (unsigned long long)dn->csum_completed);
	if (k > 0 && (size_t)k < cap - used)
		used += (size_t)k;
	used += format_fast(c, buf + used, cap - used);
	used += clat_nft_format(&c->nft, c->n.shared_host, c->n.shared_malformed, buf + used, cap - used);
	clat_translator_format(&c->dp.tr, buf + used, cap - used);
	return strlen(buf);
}

/* The typed facts behind the status lines, for `xlat464 status --json` (src/clat/clat_ctl.h). */
static void fill_info(struct clat *c, struct clat_status_info *i)
{
	int64_t now = clat_now_s();
	int sel = c->applied;
	char p[INET6_ADDRSTRLEN + 4];

	snprintf(i->state, sizeof(i->state), "%s", clat_state_name[c->state]);
	snprintf(i->why, sizeof(i->why), "%s", c->why);
	snprintf(i->uplink, sizeof(i->uplink), "%s", c->up.name);
	snprintf(i->uplink_kind, sizeof(i->uplink_kind), "%s", c->up.ifindex ? clat_link_kind_name(c->up.kind) : "");
	i->uplink_nd = c->up.nd;
	i->uplink_up = c->up.up;
	i->uplink_ifindex = c->up.ifindex;
	i->uplink_mtu = c->up.mtu;
	i->uplink_changes = c->n.uplink_changes;
	i->native_ipv4 = c->native4;
	i->ipv6_default = c->default6;
	i->force = c->opt.force;
	i->pref64_lifetime_s = i->pref64_expires_in_s = -1;
	if (sel >= 0) {
		const struct clat_psrc_slot *x = &c->pm.src[sel];
		snprintf(i->pref64, sizeof(i->pref64), "%s", clat_pfx_str(&c->applied_pfx, p, sizeof(p)));
		snprintf(i->pref64_source, sizeof(i->pref64_source), "%s", clat_psrc_name((enum clat_psrc)sel));
		if (sel != CLAT_PSRC_STATIC) {
			i->pref64_lifetime_s = x->lifetime;
			i->pref64_expires_in_s = x->expires > now ? x->expires - now : 0;
		}
	}
	i->dns64_enabled = !c->opt.no_dns64;
	i->dns64_next_query_in_s = -1;
	if (i->dns64_enabled && !c->dns.inflight)
		i->dns64_next_query_in_s = c->pm.dns.next_query > now ? c->pm.dns.next_query - now : 0;
	i->dns64_queries = c->dns.queries;
	i->dns64_answers = c->dns.answers;
	i->dns64_failures = c->dns.failures;
	snprintf(i->address_mode, sizeof(i->address_mode), "%s", c->nft.shared ? "shared" : "dedicated");
	if (c->addr.have_cur)
		clat_ntop6(c->addr.cur, i->clat_ipv6);
	snprintf(i->clat_ipv4, sizeof(i->clat_ipv4), "192.0.0.1/%u", CLAT_HOST4_PLEN);
	snprintf(i->tun, sizeof(i->tun), "%s", c->dp.tun);
	i->tun_mtu = c->dp.tun_mtu;
	i->tun_present = c->dp.tunfd >= 0;
	i->route_present = c->dp.route_added;
	i->ntether = c->nft.ntether < CLAT_TETHER_MAX ? c->nft.ntether : CLAT_TETHER_MAX;
	for (unsigned t = 0; t < i->ntether; t++)
		snprintf(i->tether[t], sizeof(i->tether[t]), "%s", c->nft.tether[t]);
	i->tether_applied = i->ntether && c->nft.applied;
	i->dad_conflicts = c->addr.n.dad_conflicts;
	i->conflicts_after_dad = c->addr.n.addr_conflicts;
	i->ns_answered = c->addr.n.ns_answered;
	i->na_sent = c->addr.n.na_sent;
	i->renumbers = c->n.renumbers;
	i->mtu_changes = c->n.mtu_changes;
	i->reloads = c->n.reloads;
	i->reload_errors = c->n.reload_errors;
	i->shared_left_to_host = c->n.shared_host;
	i->shared_malformed = c->n.shared_malformed;
	i->checksums_finished = c->dp.n.csum_completed;
	i->uplink_queue_full = c->dp.n.uplink_drops;
	i->fast_path_active = clat_fast_active(&c->fast);
	snprintf(i->fast_path_why, sizeof(i->fast_path_why), "%s", c->fast.why);
	struct sys_clat_offload_counters k;
	clat_fast_counters(&c->fast, &k);
	for (unsigned n = 0; n < SYS_CLAT_OFFLOAD_NCOUNTERS && n < CLAT_FAST_COUNTERS_MAX; n++)
		i->fast_path[n] = k.c[n];
}

void clat_on_ctl(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	struct siit_status_msg *m = &c->msg->siit;
	int cl;

	while ((cl = sys_ctl_accept(fd)) >= 0) {
		memset(c->msg, 0, sizeof(*c->msg));
		m->magic = CLAT_STATUS_MAGIC;
		m->size = sizeof(*c->msg);
		m->ndrops = XLAT_DROP__COUNT;
		m->pid = (int32_t)getpid();
		m->uptime_sec = (uint64_t)(time(NULL) - c->started);
		m->tun_read_errors = c->dp.n.tun_read_errors;
		m->tun_write_errors = c->dp.n.tun_write_errors;
		snprintf(m->daemon, sizeof(m->daemon), "clat");
		snprintf(m->tun, sizeof(m->tun), "%s", c->dp.tun);
		m->stats = c->dp.tr.ctx.stats;
		format_status(c, m->settings, sizeof(m->settings));
		fill_info(c, &c->msg->clat);
		if (sys_write_all(cl, c->msg, sizeof(*c->msg)) < 0)
			log_debug("status client: %s", strerror(errno));
		close(cl);
	}
}

