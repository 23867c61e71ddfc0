/* `xlat464 doctor`: the report, and what the evidence means (pure: no system calls, unit-tested by
 * tests/unit/test_doctor.c). */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "doctor.h"

const char *doctor_verdict_name(enum doctor_verdict v)
{
	return v == DOCTOR_PASS ? "PASS" : v == DOCTOR_WARN ? "WARN" : "FAIL";
}

void doctor_add(struct doctor_report *r, const char *check, enum doctor_verdict v, const char *hint, const char *fmt, ...)
{
	if (r->n >= DOCTOR_LINES_MAX)
		return;
	struct doctor_line *l = &r->line[r->n++];
	va_list ap;
	snprintf(l->check, sizeof(l->check), "%s", check);
	l->verdict = v;
	va_start(ap, fmt);
	vsnprintf(l->evidence, sizeof(l->evidence), fmt, ap);
	va_end(ap);
	snprintf(l->hint, sizeof(l->hint), "%s", hint ? hint : "");
}

unsigned doctor_count(const struct doctor_report *r, enum doctor_verdict v)
{
	unsigned c = 0;
	for (unsigned i = 0; i < r->n; i++)
		c += r->line[i].verdict == v;
	return c;
}

const struct doctor_line *doctor_find(const struct doctor_report *r, const char *check)
{
	for (unsigned i = 0; i < r->n; i++)
		if (strcmp(r->line[i].check, check) == 0)
			return &r->line[i];
	return NULL;
}

static const char *pfx6(const struct xlat_prefix6 *p, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, p->addr, a, sizeof(a));
	snprintf(buf, cap, "%s/%u", a, p->len);
	return buf;
}

static bool pfx6_equal(const struct xlat_prefix6 *a, const struct xlat_prefix6 *b)
{
	return a->len == b->len && memcmp(a->addr, b->addr, 16) == 0;
}

/* ---- host --------------------------------------------------------------------------------------- */

void doctor_judge_uplink(struct doctor_report *r, const char *uplink, bool up, unsigned mtu, bool native4,
			 const char *native4_dev)
{
	if (!uplink || !uplink[0])
		doctor_add(r, "ipv6-uplink", DOCTOR_FAIL,
			   "no IPv6 default route: is the link up, and did a Router Advertisement arrive (RFC 4861)?",
			   "no IPv6 default route");
	else if (!up)
		doctor_add(r, "ipv6-uplink", DOCTOR_FAIL, "bring the link up", "IPv6 default route via %s, which is down",
			   uplink);
	else if (mtu < 1280)
		doctor_add(r, "ipv6-uplink", DOCTOR_FAIL, "IPv6 needs an MTU of at least 1280 (RFC 8200 section 5)",
			   "IPv6 default route via %s, MTU %u", uplink, mtu);
	else
		doctor_add(r, "ipv6-uplink", DOCTOR_PASS, NULL, "IPv6 default route via %s (up, MTU %u)", uplink, mtu);
	if (native4)
		doctor_add(r, "native-ipv4", DOCTOR_PASS, NULL,
			   "native IPv4 default route via %s: IPv4 does not need the CLAT (RFC 6877 section 6.3)",
			   native4_dev);
	else
		doctor_add(r, "native-ipv4", DOCTOR_PASS, NULL, "no native IPv4 default route: IPv4 goes through a CLAT");
}

void doctor_judge_clat(struct doctor_report *r, const struct doctor_daemon *c, bool native4)
{
	if (!c) {
		if (native4)
			doctor_add(r, "clat", DOCTOR_PASS, NULL, "no CLAT running; native IPv4 carries IPv4");
		else
			doctor_add(r, "clat", DOCTOR_FAIL,
				   "start one: xlat464 clat --uplink IF (or point --control at its socket)",
				   "no CLAT running here and no native IPv4: IPv4 applications have no way out");
		return;
	}
	if (strcmp(c->state, "running") == 0)
		doctor_add(r, "clat", DOCTOR_PASS, NULL, "%s (pid %ld) running on uplink %s: %s", c->name, c->pid, c->ifname,
			   c->why);
	else if (native4)
		doctor_add(r, "clat", DOCTOR_PASS, NULL, "%s (pid %ld) %s, as it should with native IPv4: %s", c->name,
			   c->pid, c->state, c->why);
	else
		doctor_add(r, "clat", DOCTOR_FAIL, "the reason is the CLAT's own: see xlat464 status and its log",
			   "%s (pid %ld) %s, not running: %s", c->name, c->pid, c->state[0] ? c->state : "in an unknown state",
			   c->why);
	if (strcmp(c->state, "running") != 0)
		return;
	if (!c->tun_present || !c->route_present)
		doctor_add(r, "clat-tun", DOCTOR_FAIL, "something removed them; restart the CLAT",
			   "TUN %s %s, IPv4 default route %s", c->tun, c->tun_present ? "present" : "missing",
			   c->route_present ? "present" : "missing");
	/* RFC 4862 section 5.4: the CLAT's IPv6 address is its own and must pass DAD (RFC 6877 section 6.3). */
	if (c->conflicts_after_dad)
		doctor_add(r, "clat-dad", DOCTOR_WARN, "another node uses the CLAT's address: it picked a new one; look for a duplicate",
			   "%s: %" PRIu64 " conflict(s) after DAD, %" PRIu64 " during", c->clat_ipv6, c->conflicts_after_dad,
			   c->dad_conflicts);
	else if (c->dad_conflicts)
		doctor_add(r, "clat-dad", DOCTOR_WARN, "DAD failed before and the CLAT moved on to another address",
			   "%s: %" PRIu64 " DAD conflict(s) before this address", c->clat_ipv6, c->dad_conflicts);
	else
		doctor_add(r, "clat-dad", DOCTOR_PASS, NULL, "%s passed DAD, no conflict", c->clat_ipv6);
	/* RFC 6877 section 6.4 / RFC 7915 section 5.1: the IPv4 MTU must leave room for the 20 bytes the
	 * IPv6 header adds over IPv4's. */
	if (c->tun_mtu && c->uplink_mtu && c->tun_mtu + 20 > c->uplink_mtu)
		doctor_add(r, "mtu", DOCTOR_WARN, "lower the TUN's MTU to the uplink's minus 20 (RFC 6877 section 6.4)",
			   "TUN %s MTU %u, uplink %s MTU %u: translated packets of full size do not fit", c->tun, c->tun_mtu,
			   c->ifname, c->uplink_mtu);
	else if (c->tun_mtu && c->tun_mtu < 1260)
		doctor_add(r, "mtu", DOCTOR_WARN, NULL, "TUN %s MTU %u is below IPv6's minimum less 20", c->tun, c->tun_mtu);
	else
		doctor_add(r, "mtu", DOCTOR_PASS, NULL, "TUN %s MTU %u, uplink %s MTU %u", c->tun, c->tun_mtu, c->ifname,
			   c->uplink_mtu);
}

void doctor_judge_prefixes(struct doctor_report *r, const struct doctor_daemon *c, const struct doctor_ra_seen *ra,
			   const struct doctor_dns64 *d)
{
	char a[64], b[64];
	bool pref = c ? c->has_pref64 : ra && ra->has_pref64;
	const struct xlat_prefix6 *mine = c ? &c->pref64 : ra ? &ra->pref64 : NULL;
	const char *source = c ? c->pref64_source : "ra-pref64";
	if (!c && (!ra || !ra->asked))
		doctor_add(r, "pref64", DOCTOR_WARN, "no CLAT to ask, and no uplink to solicit RAs on",
			   "not checked: no CLAT running");
	else if (!c && ra->nra == 0)
		doctor_add(r, "pref64", DOCTOR_WARN, "is a router on the link? (RFC 4861 section 6.3.7)",
			   "no CLAT running; no RA answered a Router Solicitation within %u ms", ra->waited_ms);
	else if (!c && !pref)
		doctor_add(r, "pref64", DOCTOR_WARN, "the router should announce PREF64 (RFC 8781)",
			   "no CLAT running; %u RA(s) answered a Router Solicitation, none with a PREF64", ra->nra);
	else if (!c)
		doctor_add(r, "pref64", DOCTOR_PASS, NULL, "no CLAT running; an RA from %s carries PREF64 %s, lifetime %u s",
			   ra->from, pfx6(&ra->pref64, a, sizeof(a)), ra->lifetime);
	else if (!pref)
		doctor_add(r, "pref64", DOCTOR_FAIL,
			   "the router should announce PREF64 (RFC 8781), or a DNS64 answer ipv4only.arpa (RFC 7050)",
			   "the CLAT has no NAT64 prefix");
	else if (strcmp(c->pref64_source, "ra-pref64") == 0 && c->pref64_lifetime >= 0 && c->pref64_expires >= 0 &&
		 c->pref64_expires < 10)
		doctor_add(r, "pref64", DOCTOR_WARN, "RAs are not refreshing the PREF64 in time (RFC 8781 section 4.1)",
			   "%s from %s, lifetime %ld s, expires in %ld s", pfx6(&c->pref64, a, sizeof(a)), c->pref64_source,
			   c->pref64_lifetime, c->pref64_expires);
	else if (c->pref64_lifetime >= 0)
		doctor_add(r, "pref64", DOCTOR_PASS, NULL, "%s from %s, lifetime %ld s, expires in %ld s",
			   pfx6(&c->pref64, a, sizeof(a)), c->pref64_source, c->pref64_lifetime, c->pref64_expires);
	else
		doctor_add(r, "pref64", DOCTOR_PASS, NULL, "%s from %s", pfx6(&c->pref64, a, sizeof(a)), c->pref64_source);

	/* DNS64 (RFC 7050 section 3): optional when the RA carries PREF64, so its absence is a warning. */
	if (!d->asked)
		doctor_add(r, "dns64", DOCTOR_WARN, "no nameserver in resolv.conf (or give --dns ADDR)",
			   "ipv4only.arpa AAAA not asked: no resolver");
	else if (!d->answered)
		doctor_add(r, "dns64", pref ? DOCTOR_WARN : DOCTOR_FAIL, "is the resolver reachable? (--dns ADDR asks another)",
			   "ipv4only.arpa AAAA: no answer from %s", d->server);
	else if (d->status != DNS64_OK)
		doctor_add(r, "dns64", DOCTOR_WARN, pref ? "no DNS64 here: names of IPv4-only hosts get no AAAA" : NULL,
			   "ipv4only.arpa AAAA from %s: %s (%s)", d->server, dns64_status_name(d->status),
			   dns64_status_desc(d->status));
	else {
		struct xlat_prefix6 p;
		memcpy(p.addr, d->result.prefix[0].prefix, 16);
		p.len = d->result.prefix[0].len;
		doctor_add(r, "dns64", DOCTOR_PASS, NULL, "ipv4only.arpa AAAA from %s: %s (TTL %u s)%s", d->server,
			   pfx6(&p, a, sizeof(a)), d->result.ttl, d->result.nprefix > 1 ? ", and more" : "");
	}

	if (!pref || !d->answered || d->status != DNS64_OK)
		return;
	for (unsigned i = 0; i < d->result.nprefix; i++) {
		struct xlat_prefix6 p;
		memcpy(p.addr, d->result.prefix[i].prefix, 16);
		p.len = d->result.prefix[i].len;
		if (pfx6_equal(&p, mine)) {
			doctor_add(r, "prefix-agree", DOCTOR_PASS, NULL, "the %s %s and the DNS64's agree",
				   c ? "CLAT's" : "RA's", pfx6(mine, a, sizeof(a)));
			return;
		}
	}
	struct xlat_prefix6 p0;
	memcpy(p0.addr, d->result.prefix[0].prefix, 16);
	p0.len = d->result.prefix[0].len;
	doctor_add(r, "prefix-agree", DOCTOR_WARN,
		   "names resolved through the DNS64 go to another NAT64 than IPv4 literals: make the RA's PREF64 "
		   "and the DNS64's prefix the same (RFC 8781 section 1)",
		   "the %s prefix %s (%s) differs from the DNS64's %s", c ? "CLAT's" : "RA's", pfx6(mine, a, sizeof(a)),
		   source, pfx6(&p0, b, sizeof(b)));
}

void doctor_judge_probe(struct doctor_report *r, const char *target, bool ok4, double rtt4, const char *synth, bool ok6,
			double rtt6, const struct xlat_prefix6 *pref64)
{
	char a[64];
	if (!target) {
		doctor_add(r, "end-to-end", DOCTOR_WARN, "name an IPv4 host that answers ping: --target ADDR",
			   "not probed: no target");
		return;
	}
	if (ok4)
		doctor_add(r, "end-to-end", DOCTOR_PASS, NULL, "ICMP echo to %s answered in %.1f ms", target, rtt4);
	else
		doctor_add(r, "end-to-end", DOCTOR_FAIL,
			   ok6 ? "the PLAT answers but the CLAT does not carry IPv4: see the clat lines"
			   : synth && synth[0] ? "see the plat line"
					       : "no NAT64 prefix known, so the PLAT could not be asked: see the pref64 line",
			   "ICMP echo to %s: no answer", target);
	if (!synth || !synth[0] || !pref64)
		return;
	/* The target's IPv6 form asked directly: the PLAT alone, without the CLAT. */
	if (ok6)
		doctor_add(r, "plat", DOCTOR_PASS, NULL, "PLAT for %s: ICMPv6 echo to %s answered in %.1f ms",
			   pfx6(pref64, a, sizeof(a)), synth, rtt6);
	else
		doctor_add(r, "plat", ok4 ? DOCTOR_WARN : DOCTOR_FAIL,
			   "is the PLAT up, and is the prefix routed to it? (xlat464 doctor --router on its side)",
			   "PLAT for %s: ICMPv6 echo to %s: no answer", pfx6(pref64, a, sizeof(a)), synth);
}

void doctor_judge_drops(struct doctor_report *r, const char *who, const struct doctor_daemon *d)
{
	char list[DOCTOR_EVIDENCE_MAX - 120] = "";
	size_t at = 0;
	for (unsigned i = 0; i < d->drops.n && at < sizeof(list); i++) {
		int k = snprintf(list + at, sizeof(list) - at, "%s%s %" PRIu64, i ? ", " : "", d->drops.top[i].name,
				 d->drops.top[i].count);
		if (k < 0)
			break;
		at += (size_t)k;
	}
	uint64_t pkts = d->pkts_4to6 + d->pkts_6to4;
	char check[24];
	snprintf(check, sizeof(check), "%s-drops", who);
	if (d->drops.total == 0)
		doctor_add(r, check, DOCTOR_PASS, NULL, "no drops since start (%" PRIu64 " packets translated)", pkts);
	/* A few drops are normal (multicast, stray ICMP); many against the traffic are worth a look. */
	else if (d->drops.total >= 10 && d->drops.total * 100 > pkts)
		doctor_add(r, check, DOCTOR_WARN, "docs/drop-reasons.md says what each reason means",
			   "%" PRIu64 " drops since start against %" PRIu64 " packets translated: %s", d->drops.total, pkts, list);
	else
		doctor_add(r, check, DOCTOR_PASS, NULL, "%" PRIu64 " drops since start (%" PRIu64 " packets translated): %s",
			   d->drops.total, pkts, list);
}

/* ---- router ------------------------------------------------------------------------------------- */

void doctor_judge_pref64_pool6(struct doctor_report *r, const struct doctor_daemon *ra, const struct doctor_daemon *plat)
{
	char a[64], b[64];
	if (!ra || !plat) {
		doctor_add(r, "pref64-pool6", DOCTOR_WARN, "run doctor --router where both run, or compare them by hand",
			   "not compared: %s", !ra ? "no xlat464 ra here" : "no PLAT here");
		return;
	}
	if (!ra->has_pref64)
		doctor_add(r, "pref64-pool6", DOCTOR_FAIL, "give xlat464 ra --pref64 the PLAT's pool6 (RFC 8781)",
			   "ra on %s announces no PREF64", ra->ifname);
	else if (!plat->pool6_known)
		doctor_add(r, "pref64-pool6", DOCTOR_WARN, NULL, "the PLAT on %s shows no pool6", plat->ifname);
	else if (!pfx6_equal(&ra->pref64, &plat->pool6))
		doctor_add(r, "pref64-pool6", DOCTOR_FAIL, "make ra --pref64 and the PLAT's pool6 the same",
			   "ra on %s announces %s, the PLAT on %s translates %s", ra->ifname, pfx6(&ra->pref64, a, sizeof(a)),
			   plat->ifname, pfx6(&plat->pool6, b, sizeof(b)));
	else
		doctor_add(r, "pref64-pool6", DOCTOR_PASS, NULL, "ra on %s announces %s, the PLAT's pool6", ra->ifname,
			   pfx6(&ra->pref64, a, sizeof(a)));
}

void doctor_judge_forwarding(struct doctor_report *r, int fwd6, int fwd4, bool need4)
{
	if (fwd6 != 1)
		doctor_add(r, "forwarding", DOCTOR_FAIL, "sysctl -w net.ipv6.conf.all.forwarding=1",
			   "net.ipv6.conf.all.forwarding is %d: IPv6 is not routed", fwd6);
	else
		doctor_add(r, "forwarding", DOCTOR_PASS, NULL, "net.ipv6.conf.all.forwarding is 1");
	if (need4 && fwd4 != 1)
		doctor_add(r, "forwarding4", DOCTOR_FAIL, "sysctl -w net.ipv4.ip_forward=1",
			   "net.ipv4.ip_forward is %d: the PLAT's IPv4 side is not routed", fwd4);
	else if (need4)
		doctor_add(r, "forwarding4", DOCTOR_PASS, NULL, "net.ipv4.ip_forward is 1");
}

void doctor_judge_rp_filter(struct doctor_report *r, const char *devs, int worst)
{
	/* Strict reverse-path filtering (RFC 3704 section 2.2) drops what the kernel fast path redirects
	 * and what comes back asymmetrically; loose (2) still drops spoofed sources with no route. */
	if (worst == 1)
		doctor_add(r, "rp_filter", DOCTOR_WARN, "use loose mode: sysctl -w net.ipv4.conf.all.rp_filter=2 (and per link)",
			   "rp_filter (effective) %s: strict (1) can drop the PLAT's traffic", devs);
	else if (worst < 0)
		doctor_add(r, "rp_filter", DOCTOR_WARN, NULL, "rp_filter (effective) %s: one is unreadable", devs);
	else
		doctor_add(r, "rp_filter", DOCTOR_PASS, NULL, "rp_filter (effective) %s: %s", devs,
			   worst ? "loose" : "off");
}

void doctor_judge_route_back(struct doctor_report *r, const char *what, const char *prefix, const char *oif_name,
			     const char *tun)
{
	char check[24];
	snprintf(check, sizeof(check), "%s-route", what);
	if (!oif_name || !oif_name[0])
		doctor_add(r, check, DOCTOR_FAIL, "route it into the PLAT's TUN (the PLAT's routes yes does it)",
			   "%s %s: no route", what, prefix);
	else if (strcmp(oif_name, tun) != 0)
		doctor_add(r, check, DOCTOR_FAIL, "route it into the PLAT's TUN (the PLAT's routes yes does it)",
			   "%s %s is routed to %s, not to the PLAT's TUN %s", what, prefix, oif_name, tun);
	else
		doctor_add(r, check, DOCTOR_PASS, NULL, "%s %s is routed into the PLAT's TUN %s", what, prefix, tun);
}

void doctor_judge_pref64_route(struct doctor_report *r, const char *addr, unsigned len, const char *oif_name,
			       unsigned dlen)
{
	if (!oif_name || !oif_name[0])
		doctor_add(r, "pref64-route", DOCTOR_FAIL, "is the PLAT up? Its pool6 must be routed to it",
			   "PREF64 %s/%u is announced, but no PLAT runs here and the prefix has no route", addr, len);
	else if (dlen == 0)
		doctor_add(r, "pref64-route", DOCTOR_WARN, "route the prefix to the PLAT explicitly",
			   "PREF64 %s/%u is announced; no PLAT here, and only the default route (via %s) leads on", addr,
			   len, oif_name);
	else
		doctor_add(r, "pref64-route", DOCTOR_PASS, NULL, "PREF64 %s/%u is routed via %s (a /%u route) to a PLAT elsewhere",
			   addr, len, oif_name, dlen);
}

void doctor_judge_dhcp4(struct doctor_report *r, const struct doctor_daemon *d)
{
	if (!d) {
		doctor_add(r, "option108", DOCTOR_WARN, "xlat464 dhcp4 --mode mostly|v6only serves it (RFC 8925)",
			   "no xlat464 dhcp4 here: option 108 not checked");
		return;
	}
	if (strcmp(d->mode, "mostly") != 0 && strcmp(d->mode, "v6only") != 0)
		doctor_add(r, "option108", DOCTOR_FAIL, "--mode mostly or v6only", "dhcp4 on %s in mode '%s'", d->ifname,
			   d->mode);
	else if (d->v6only_wait == 0)
		doctor_add(r, "option108", DOCTOR_WARN, NULL, "dhcp4 on %s (mode %s) shows no V6ONLY_WAIT", d->ifname, d->mode);
	else
		doctor_add(r, "option108", DOCTOR_PASS, NULL,
			   "dhcp4 on %s serves option 108 (mode %s, V6ONLY_WAIT %u s): %" PRIu64 " of %" PRIu64
			   " clients asked, %" PRIu64 " offers carried it",
			   d->ifname, d->mode, d->v6only_wait, d->clients_108, d->clients, d->offers_108);
}
