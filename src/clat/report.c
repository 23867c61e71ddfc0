/* What `xlat464 clat` answers on its control socket: its status as JSON (src/common/json.h), with
 * the status lines as "settings" and the typed facts as the object "clat", read off the daemon's
 * state (daemon.h). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "../common/json.h"
#include "daemon.h"
#include "sys/clat_offload.h"
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
	struct clat_dp_counters sum;
	struct xlat_stats st;
	const struct clat_dp_counters *dn = &sum;
	clat_dp_sum(&c->dp, &sum, &st);
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
		     "not-running %llu checksums-finished %llu workers %u\n",
		     c->dp.tunfd < 0 ? "-" : c->dp.tun_offload ? "yes" : "no", (unsigned long long)dn->gso_out,
		     (unsigned long long)dn->gso_bytes, (unsigned long long)dn->no_neighbour,
		     (unsigned long long)dn->not_running, (unsigned long long)dn->csum_completed, c->dp.nworkers);
	if (k > 0 && (size_t)k < cap - used)
		used += (size_t)k;
	used += format_fast(c, buf + used, cap - used);
	used += clat_nft_format(&c->nft, dn->shared_host, dn->shared_malformed, buf + used, cap - used);
	clat_translator_format(&c->dp.v6.tr, buf + used, cap - used);
	return strlen(buf);
}

/* -1 (none) is JSON null. */
static void opt_num(struct json_w *w, const char *key, int64_t v)
{
	if (v < 0)
		json_null(w, key);
	else
		json_i64(w, key, v);
}

/* The "clat" object: the typed facts behind the status lines (docs/clat.md lists the members). */
static void write_clat(struct clat *c, const struct clat_dp_counters *dn, struct json_w *w)
{
	int64_t now = clat_now_s();
	int sel = c->applied;
	char p[INET6_ADDRSTRLEN + 4], a6[INET6_ADDRSTRLEN];
	int64_t lifetime = -1, expires = -1, next_query = -1;

	json_obj_open(w, "clat");
	json_str(w, "state", clat_state_name[c->state]);
	json_str(w, "why", c->why);
	json_str(w, "uplink", c->up.name);
	json_str(w, "uplink_kind", c->up.ifindex ? clat_link_kind_name(c->up.kind) : "");
	json_boolean(w, "uplink_neighbour_discovery", c->up.nd);
	json_boolean(w, "uplink_up", c->up.up);
	json_u64(w, "uplink_changes", c->n.uplink_changes);
	json_u64(w, "uplink_ifindex", (uint64_t)(c->up.ifindex > 0 ? c->up.ifindex : 0));
	json_u64(w, "uplink_mtu", c->up.mtu);
	json_boolean(w, "native_ipv4", c->native4);
	json_boolean(w, "ipv6_default_route", c->default6);
	json_boolean(w, "force", c->opt.force);
	if (sel >= 0) {
		const struct clat_psrc_slot *x = &c->pm.src[sel];
		json_str(w, "pref64", clat_pfx_str(&c->applied_pfx, p, sizeof(p)));
		json_str(w, "pref64_source", clat_psrc_name((enum clat_psrc)sel));
		if (sel != CLAT_PSRC_STATIC) {
			lifetime = x->lifetime;
			expires = x->expires > now ? x->expires - now : 0;
		}
	} else {
		json_null(w, "pref64");
		json_null(w, "pref64_source");
	}
	opt_num(w, "pref64_lifetime_seconds", lifetime);
	opt_num(w, "pref64_expires_in_seconds", expires);
	json_boolean(w, "dns64_enabled", !c->opt.no_dns64);
	if (!c->opt.no_dns64 && !c->dns.inflight)
		next_query = c->pm.dns.next_query > now ? c->pm.dns.next_query - now : 0;
	opt_num(w, "dns64_next_query_in_seconds", next_query);
	json_u64(w, "dns64_queries", c->dns.queries);
	json_u64(w, "dns64_answers", c->dns.answers);
	json_u64(w, "dns64_failures", c->dns.failures);
	json_str(w, "address_mode", c->nft.shared ? "shared" : "dedicated");
	json_str(w, "clat_ipv6", c->addr.have_cur ? clat_ntop6(c->addr.cur, a6) : "");
	snprintf(p, sizeof(p), "192.0.0.1/%u", CLAT_HOST4_PLEN);
	json_str(w, "clat_ipv4", p);
	json_str(w, "tun", c->dp.tun);
	json_u64(w, "tun_mtu", c->dp.tun_mtu);
	json_boolean(w, "tun_present", c->dp.tunfd >= 0);
	json_boolean(w, "route_present", c->dp.route_added);
	unsigned nt = c->nft.ntether < CLAT_TETHER_MAX ? c->nft.ntether : CLAT_TETHER_MAX;
	json_arr_open(w, "tether");
	for (unsigned t = 0; t < nt; t++)
		json_str(w, NULL, c->nft.tether[t]);
	json_arr_close(w);
	json_boolean(w, "tether_nat44_in_place", nt && c->nft.applied);
	json_u64(w, "dad_conflicts", c->addr.n.dad_conflicts);
	json_u64(w, "conflicts_after_dad", c->addr.n.addr_conflicts);
	json_u64(w, "ns_answered", c->addr.n.ns_answered);
	json_u64(w, "na_sent", c->addr.n.na_sent);
	json_u64(w, "renumbers", c->n.renumbers);
	json_u64(w, "mtu_changes", c->n.mtu_changes);
	json_u64(w, "reloads", c->n.reloads);
	json_u64(w, "reload_errors", c->n.reload_errors);
	json_u64(w, "shared_left_to_host", dn->shared_host);
	json_u64(w, "shared_malformed", dn->shared_malformed);
	uint64_t w4[TUN_WORKERS_MAX], w6[TUN_WORKERS_MAX];
	for (unsigned i = 0; i < c->dp.nworkers && i < TUN_WORKERS_MAX; i++) {
		w4[i] = clat_dp_worker_packets_4to6(&c->dp, i);
		w6[i] = clat_dp_worker_packets_6to4(&c->dp, i);
	}
	json_workers(w, c->dp.nworkers, w4, w6);
	json_u64(w, "checksums_finished", dn->csum_completed);
	json_u64(w, "uplink_queue_full", dn->uplink_drops);
	json_boolean(w, "fast_path_active", clat_fast_active(&c->fast));
	json_str(w, "fast_path_not_in_use", c->fast.why[0] ? c->fast.why : NULL);
	struct sys_clat_offload_counters k;
	clat_fast_counters(&c->fast, &k);
	json_obj_open(w, "fast_path");
	for (unsigned n = 0; n < SYS_CLAT_OFFLOAD_NCOUNTERS; n++)
		json_u64(w, sys_clat_offload_counter_name(n), k.c[n]);
	json_obj_close(w);
	json_obj_close(w);
}

void clat_write_status(void *arg, struct json_w *w)
{
	struct clat *c = arg;
	struct xlat_stats sum; /* the IPv6 side's and every worker's */
	struct clat_dp_counters dn;

	clat_dp_sum(&c->dp, &dn, &sum);
	format_status(c, c->status_text, CLAT_STATUS_TEXT_MAX);
	json_obj_open(w, NULL);
	json_status_head(w, "clat", c->ctlpath, (uint64_t)(time(NULL) - c->started));
	json_str(w, "tun", c->dp.tun);
	json_lines(w, "settings", c->status_text);
	json_u64(w, "packets_4to6", sum.pkts_4to6);
	json_u64(w, "bytes_4to6", sum.bytes_4to6);
	json_u64(w, "packets_6to4", sum.pkts_6to4);
	json_u64(w, "bytes_6to4", sum.bytes_6to4);
	json_u64(w, "replies", sum.replies);
	json_u64(w, "hairpinned", 0);
	json_u64(w, "tun_read_errors", dn.tun_read_errors);
	json_u64(w, "tun_write_errors", dn.tun_write_errors);
	json_u64(w, "reloads", c->n.reloads);
	write_clat(c, &dn, w);
	/* the status lines ("settings") say in words what "clat" has as members */
	json_arr_open(w, "text_omit");
	json_str(w, NULL, "clat");
	json_arr_close(w);
	json_xlat_drops(w, &sum);
	json_descriptions(w, &json_xlat_drop_reasons);
	json_obj_close(w);
}
