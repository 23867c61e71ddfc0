/* `xlat464 doctor --router`: the network side. The PREF64 announced is the PLAT's pool6 (RFC 8781),
 * forwarding is on, rp_filter lets the fast path through, pool4 and pool6 are routed into the PLAT's
 * TUN, option 108 is served (RFC 8925), and every daemon answers. */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "ctl_client.h"
#include "doctor.h"
#include "doctor_sys.h"
#include "sys/netlink.h"

static void route_check(struct doctor_report *r, struct sys_nl *nl, const char *what, int family, const uint8_t *addr,
			const char *prefix, const char *tun)
{
	int oif = 0;
	unsigned dlen = 0;
	char name[IF_NAMESIZE] = "";
	if (nl && sys_nl_route_lookup(nl, family, addr, &oif, &dlen) == 0 && oif > 0)
		if_indextoname((unsigned)oif, name);
	doctor_judge_route_back(r, what, prefix, name, tun);
}

/* The effective rp_filter of dev: the larger of conf/all's and conf/DEV's (Documentation/networking/ip-sysctl). */
static int rp_filter(const char *dev)
{
	char name[128];
	int all = doctor_sysctl("net/ipv4/conf/all/rp_filter");
	snprintf(name, sizeof(name), "net/ipv4/conf/%s/rp_filter", dev);
	int one = doctor_sysctl(name);
	if (all < 0 || one < 0)
		return -1;
	return all > one ? all : one;
}

void doctor_router(const struct doctor_opts *o, struct doctor_found *f, unsigned nf, struct doctor_report *r)
{
	const struct doctor_daemon *ra = NULL, *dhcp4 = NULL, *plat = NULL;
	unsigned here = 0;
	struct sys_nl nl;
	bool have_nl = sys_nl_open(&nl) == 0;

	/* each daemon up: every socket answers */
	for (unsigned i = 0; i < nf; i++) {
		const struct doctor_daemon *d = &f[i].d;
		if (!f[i].answered) {
			char why[80];
			doctor_add(r, "daemon", DOCTOR_FAIL, "the daemon died or hangs: see its log, restart it",
				   "%s: %s", f[i].path,
				   ctl_strerror(f[i].err, CTL_STATUS_MAX, o->timeout_ms, why, sizeof(why)));
			continue;
		}
		if (!f[i].here || d->kind == DOCTOR_CLAT)
			continue; /* another namespace's, or a host's */
		here++;
		doctor_add(r, "daemon", DOCTOR_PASS, NULL, "%s on %s (pid %ld) answers at %s", d->name, d->ifname, d->pid,
			   f[i].path);
		if (d->kind == DOCTOR_RA && !ra)
			ra = d;
		else if (d->kind == DOCTOR_DHCP4 && !dhcp4)
			dhcp4 = d;
		else if ((d->kind == DOCTOR_PLAT || d->kind == DOCTOR_SIIT) && !plat)
			plat = d;
	}
	if (!here)
		doctor_add(r, "daemon", DOCTOR_FAIL, "start them, or point --control / --control-dir at their sockets",
			   "no xlat464 daemon of the network side answers here");
	else if (!plat)
		doctor_add(r, "plat", DOCTOR_WARN, "fine when the PLAT runs elsewhere: run doctor --router there too",
			   "no PLAT in this network namespace");
	if (ra && strcmp(ra->ra_state, "advertising") != 0)
		doctor_add(r, "ra", DOCTOR_FAIL, "see xlat464 status of the announcer and its log", "ra on %s is %s, not advertising",
			   ra->ifname, ra->ra_state[0] ? ra->ra_state : "in an unknown state");

	doctor_judge_pref64_pool6(r, ra, plat);
	if (!plat && ra && ra->has_pref64) {
		/* the PLAT elsewhere (behind ECMP, say): the prefix the hosts are told must lead somewhere */
		int oif = 0;
		unsigned dlen = 0;
		char name[IF_NAMESIZE] = "", a[INET6_ADDRSTRLEN];
		inet_ntop(AF_INET6, ra->pref64.addr, a, sizeof(a));
		if (have_nl && sys_nl_route_lookup(&nl, AF_INET6, ra->pref64.addr, &oif, &dlen) == 0 && oif > 0)
			if_indextoname((unsigned)oif, name);
		doctor_judge_pref64_route(r, a, ra->pref64.len, name, dlen);
	}
	doctor_judge_forwarding(r, doctor_sysctl("net/ipv6/conf/all/forwarding"), doctor_sysctl("net/ipv4/ip_forward"),
				plat != NULL);
	if (plat) {
		/* rp_filter on the links the PLAT's traffic arrives by: its TUN and its fast path's links */
		char links[128], seen[160] = "", *save = NULL;
		size_t at = 0;
		int worst = 0;
		snprintf(links, sizeof(links), "%s %s", plat->ifname, plat->bpf_ifaces);
		for (char *t = strtok_r(links, " ,", &save); t; t = strtok_r(NULL, " ,", &save)) {
			int v = rp_filter(t);
			if (v == 1 || (v < 0 && worst != 1) || (worst == 0 && v == 2))
				worst = v;
			int k = snprintf(seen + at, sizeof(seen) - at, "%s%s %d", at ? ", " : "", t, v);
			if (k > 0 && (size_t)k < sizeof(seen) - at)
				at += (size_t)k;
		}
		doctor_judge_rp_filter(r, seen, worst);
		char a[INET6_ADDRSTRLEN], p[64];
		if (plat->has_pool4) {
			inet_ntop(AF_INET, plat->pool4.addr, a, sizeof(a));
			snprintf(p, sizeof(p), "%s/%u", a, plat->pool4.len);
			route_check(r, have_nl ? &nl : NULL, "pool4", AF_INET, plat->pool4.addr, p, plat->ifname);
		}
		if (plat->pool6_known) {
			inet_ntop(AF_INET6, plat->pool6.addr, a, sizeof(a));
			snprintf(p, sizeof(p), "%s/%u", a, plat->pool6.len);
			route_check(r, have_nl ? &nl : NULL, "pool6", AF_INET6, plat->pool6.addr, p, plat->ifname);
		}
		doctor_judge_drops(r, plat->name, plat);
	}
	doctor_judge_dhcp4(r, dhcp4);
	if (have_nl)
		sys_nl_close(&nl);
}
