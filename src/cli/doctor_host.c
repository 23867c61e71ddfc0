/* `xlat464 doctor` on a host: probes the system (netlink, the CLAT's status, DNS, ICMP, /proc) and
 * hands the evidence to doctor_judge.c. Every probe is bounded by --timeout. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <inttypes.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../clat/prefix.h"
#include "ndp/ndp.h"
#include "ctl_client.h"
#include "doctor.h"
#include "doctor_sys.h"
#include "sys/icmp6.h"
#include "sys/netlink.h"

double doctor_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

size_t doctor_read_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	if (fd < 0 || cap == 0) {
		if (cap)
			buf[0] = '\0';
		if (fd >= 0)
			close(fd);
		return 0;
	}
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

size_t doctor_read_tail(const char *path, char *buf, size_t cap)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t len = 0;
	if (cap == 0)
		return 0;
	buf[0] = '\0';
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) == 0 && st.st_size > (off_t)(cap - 1))
		lseek(fd, st.st_size - (off_t)(cap - 1), SEEK_SET);
	while (len + 1 < cap) {
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return len;
}

/* ---- DNS64: ipv4only.arpa AAAA (RFC 7050 section 3), through lib/dns64 ------------------------------ */

static void ask_dns64(const struct doctor_opts *o, struct doctor_dns64 *d)
{
	struct clat_nameserver ns[CLAT_RESOLV_MAX];
	unsigned nns = 0;
	memset(d, 0, sizeof(*d));
	if (o->dns) {
		memset(&ns[0], 0, sizeof(ns[0]));
		if (inet_pton(AF_INET6, o->dns, ns[0].addr) == 1)
			ns[0].v6 = true;
		else
			inet_pton(AF_INET, o->dns, ns[0].addr);
		nns = 1;
	} else {
		static char text[16384];
		size_t len = doctor_read_file(o->resolv_conf, text, sizeof(text));
		nns = clat_resolv_parse(text, len, ns);
	}
	if (nns == 0)
		return;
	d->asked = true;
	for (unsigned i = 0; i < nns; i++) {
		char a[INET6_ADDRSTRLEN];
		inet_ntop(ns[i].v6 ? AF_INET6 : AF_INET, ns[i].addr, a, sizeof(a));
		snprintf(d->server, sizeof(d->server), "%s%s%s", a, ns[i].scope[0] ? "%" : "", ns[i].scope);
		struct sockaddr_storage ss = { 0 };
		socklen_t sl;
		if (ns[i].v6) {
			struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(DNS64_PORT);
			memcpy(&s6->sin6_addr, ns[i].addr, 16);
			s6->sin6_scope_id = ns[i].scope[0] ? if_nametoindex(ns[i].scope) : 0;
			sl = sizeof(*s6);
		} else {
			struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
			s4->sin_family = AF_INET;
			s4->sin_port = htons(DNS64_PORT);
			memcpy(&s4->sin_addr, ns[i].addr, 4);
			sl = sizeof(*s4);
		}
		int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		uint16_t id = (uint16_t)(getpid() ^ (unsigned)time(NULL) ^ i);
		uint8_t q[DNS64_QUERY_LEN], ans[4096];
		size_t ql = dns64_build_query(id, q, sizeof(q));
		if (connect(fd, (struct sockaddr *)&ss, sl) < 0 || send(fd, q, ql, 0) < 0) {
			close(fd);
			continue;
		}
		double deadline = doctor_now_ms() + o->timeout_ms;
		for (;;) {
			double left = deadline - doctor_now_ms();
			struct pollfd p = { .fd = fd, .events = POLLIN };
			if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0)
				break;
			ssize_t n = recv(fd, ans, sizeof(ans), 0);
			if (n < 0)
				break;
			struct dns64_result res;
			enum dns64_status s = dns64_parse_response(ans, (size_t)n, id, &res);
			if (s == DNS64_ID_MISMATCH || s == DNS64_NOT_A_RESPONSE)
				continue; /* not the answer to this query */
			d->answered = true;
			d->status = s;
			d->result = res;
			break;
		}
		close(fd);
		if (d->answered)
			return;
	}
}

/* ---- PREF64 from RAs, when no CLAT can say: one Router Solicitation (RFC 4861 section 6.3.7) ----- */

static void solicit_pref64(const char *ifname, int ifindex, unsigned timeout_ms, struct doctor_ra_seen *s)
{
	static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
	static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };
	static const uint8_t any[16];
	memset(s, 0, sizeof(*s));
	if (!ifname || !ifname[0] || ifindex <= 0)
		return;
	int fd = sys_icmp6_open_link(ifname, ifindex, NDP_ICMP6_ROUTER_ADVERT, all_nodes, NDP_HOP_LIMIT);
	if (fd < 0)
		return;
	/* RFC 4861 section 4.1: type, code, checksum (the kernel's), reserved; no option needed */
	const uint8_t rs[8] = { NDP_ICMP6_ROUTER_SOLICIT };
	if (sys_icmp6_send(fd, ifindex, any, all_routers, rs, sizeof(rs)) < 0) {
		close(fd);
		return;
	}
	s->asked = true;
	double start = doctor_now_ms(), deadline = start + timeout_ms;
	for (;;) {
		double left = deadline - doctor_now_ms();
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0)
			break;
		uint8_t buf[1500], src[16], dst[16];
		bool trunc = false;
		int hops = -1;
		ssize_t n = sys_icmp6_recv(fd, buf, sizeof(buf), &trunc, src, dst, &hops);
		if (n <= 0 || trunc || hops != NDP_HOP_LIMIT) /* RFC 4861 section 6.1.2 */
			continue;
		struct ndp_ra ra;
		if (ndp_parse_ra(src, dst, buf, (size_t)n, &ra) != NDP_OK)
			continue;
		s->nra++;
		for (unsigned i = 0; i < ra.npref64 && !s->has_pref64; i++) {
			if (ra.pref64[i].lifetime == 0) /* withdrawn (RFC 8781 section 4.1) */
				continue;
			s->has_pref64 = true;
			memcpy(s->pref64.addr, ra.pref64[i].prefix, 16);
			s->pref64.len = ra.pref64[i].len;
			s->lifetime = ra.pref64[i].lifetime;
			inet_ntop(AF_INET6, src, s->from, sizeof(s->from));
		}
		if (s->has_pref64)
			break;
	}
	s->waited_ms = (unsigned)(doctor_now_ms() - start);
	close(fd);
}

/* ---- end-to-end: ICMP echo through the CLAT, and to the target's IPv6 form -------------------------- */

static bool echo(int family, const void *dst, unsigned timeout_ms, double *rtt)
{
	int fd = socket(family, SOCK_RAW | SOCK_CLOEXEC, family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	bool v6 = family == AF_INET6;
	if (fd < 0)
		return false;
	if (v6) {
		struct icmp6_filter f;
		ICMP6_FILTER_SETBLOCKALL(&f);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f);
		setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f, sizeof(f));
	}
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	if (v6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;
		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, dst, 16);
		sl = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, dst, 4);
		sl = sizeof(*s4);
	}
	uint16_t id = (uint16_t)(getpid() ^ (v6 ? 0x6666 : 0x4444));
	double start = doctor_now_ms(), deadline = start + timeout_ms, next_send = start;
	double sent_at[3] = { 0 };
	unsigned sent = 0;
	bool ok = false;
	while (!ok) {
		double now = doctor_now_ms();
		if (now >= deadline)
			break;
		if (sent < 3 && now >= next_send) {
			/* ICMP echo request (RFC 792; RFC 4443 section 4.1), 16 bytes of payload */
			uint8_t pkt[24] = { v6 ? 128 : 8, 0, 0, 0, (uint8_t)(id >> 8), (uint8_t)id, 0, (uint8_t)sent };
			memcpy(pkt + 8, "xlat464 doctor!!", 16);
			if (!v6) { /* the kernel sums ICMPv6 itself, not ICMP */
				uint32_t sum = 0;
				for (size_t i = 0; i < sizeof(pkt); i += 2)
					sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
				while (sum >> 16)
					sum = (sum & 0xffff) + (sum >> 16);
				pkt[2] = (uint8_t)(~sum >> 8);
				pkt[3] = (uint8_t)~sum;
			}
			sent_at[sent] = now;
			if (sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl) >= 0)
				sent++;
			else
				sent_at[sent++] = -1;
			next_send = now + timeout_ms / 3.0;
		}
		double wait = (sent < 3 ? next_send : deadline) - now;
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, wait > 0 ? (int)wait + 1 : 0) <= 0)
			continue;
		uint8_t buf[1500];
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
		if (n < 0)
			continue;
		bool same = v6 ? memcmp(&((struct sockaddr_in6 *)&from)->sin6_addr, dst, 16) == 0
			       : memcmp(&((struct sockaddr_in *)&from)->sin_addr, dst, 4) == 0;
		for (unsigned k = 0; k < sent && same; k++)
			if (sent_at[k] > 0 && doctor_echo_reply_match(buf, (size_t)n, v6, id, (uint16_t)k)) {
				*rtt = doctor_now_ms() - sent_at[k];
				ok = true;
				break;
			}
	}
	close(fd);
	return ok;
}

/* ---- option 108 as the host's DHCPv4 client saw it -------------------------------------------------- */

static void check_option108(struct doctor_report *r, const char *uplink, bool native4)
{
	struct doctor_proc procs[16];
	unsigned n = doctor_procs_here("dhcpcd", procs, 16);
	static char log[1 << 20];
	char line[200];
	for (unsigned i = 0; i < n; i++) {
		/* dhcpcd -d logs to its stderr: when that is a file, read it. */
		for (int fdn = 2; fdn >= 1; fdn--) {
			char fdpath[64], target[256];
			snprintf(fdpath, sizeof(fdpath), "/proc/%d/fd/%d", procs[i].pid, fdn);
			ssize_t tl = readlink(fdpath, target, sizeof(target) - 1);
			if (tl <= 0)
				continue;
			target[tl] = '\0';
			struct stat st;
			if (target[0] != '/' || stat(target, &st) < 0 || !S_ISREG(st.st_mode))
				continue;
			size_t len = doctor_read_tail(target, log, sizeof(log));
			if (doctor_log_option108(log, len, uplink, line, sizeof(line))) {
				doctor_add(r, "option108", DOCTOR_PASS, NULL, "dhcpcd (pid %d): %s", procs[i].pid, line);
				return;
			}
		}
	}
	if (native4)
		doctor_add(r, "option108", DOCTOR_PASS, NULL,
			   "not in use: native IPv4 (no DHCPv4 client here shows option 108, RFC 8925)");
	else if (n)
		doctor_add(r, "option108", DOCTOR_WARN,
			   "dhcpcd logs 'IPv6-Only Preferred received' when it gets option 108: see its log (syslog, journal)",
			   "dhcpcd runs (pid %d) but this check found no option 108 in what it wrote", procs[0].pid);
	else
		doctor_add(r, "option108", DOCTOR_WARN,
			   "a DHCPv4 client that asks for option 108 (dhcpcd: option ipv6_only_preferred) lets the network "
			   "say it is IPv6-only",
			   "no DHCPv4 client here shows option 108");
}

/* ---- other CLATs --------------------------------------------------------------------------------- */

static void check_conflicts(struct doctor_report *r, const struct doctor_daemon *clat)
{
	struct doctor_proc p[16];
	char what[DOCTOR_EVIDENCE_MAX - 40] = "";
	size_t at = 0;
	unsigned n;
#define ADD(...)                                                                                         \
	do {                                                                                             \
		if (at < sizeof(what)) {                                                                 \
			int k_ = snprintf(what + at, sizeof(what) - at, "%s", at ? "; " : "");           \
			at += k_ > 0 ? (size_t)k_ : 0;                                                   \
		}                                                                                        \
		if (at < sizeof(what)) {                                                                 \
			int k_ = snprintf(what + at, sizeof(what) - at, __VA_ARGS__);                    \
			at += k_ > 0 ? (size_t)k_ : 0;                                                   \
		}                                                                                        \
	} while (0)
	n = doctor_procs_here("tayga", p, 16);
	for (unsigned i = 0; i < n; i++)
		ADD("TAYGA (pid %d%s)", p[i].pid, strstr(p[i].parent_cmdline, "clatd") ? ", started by clatd" : "");
	n = doctor_procs_here("clatd", p, 16);
	for (unsigned i = 0; i < n; i++)
		ADD("clatd (pid %d)", p[i].pid);
	n = doctor_procs_here("xlat464 clat", p, 16);
	/* The CLAT under examination and its own children are not others; with no CLAT answering, the
	 * first one is the one the clat line already names. */
	for (unsigned i = clat ? 0 : 1; i < n; i++)
		if (!clat || (p[i].pid != clat->pid && p[i].ppid != clat->pid))
			ADD("another xlat464 clat (pid %d)", p[i].pid);
	/* NetworkManager's own CLAT (ipv4.clat, NetworkManager 1.52 on). */
	n = doctor_procs_here("NetworkManager", p, 16);
	if (n) {
		/* each active connection's ipv4.clat (NetworkManager 1.52 on; older ones have no such
		 * property and nmcli fails: no CLAT of theirs) */
		char names[2048], val[64], *save = NULL;
		char *list[] = { "nmcli", "-t", "-g", "NAME", "connection", "show", "--active", NULL };
		unsigned asked = 0;
		if (doctor_run(list, names, sizeof(names), 3000) == 0)
			for (char *c = strtok_r(names, "\n", &save); c && asked < 8; c = strtok_r(NULL, "\n", &save), asked++) {
				char *one[] = { "nmcli", "-g", "ipv4.clat", "connection", "show", c, NULL };
				if (doctor_run(one, val, sizeof(val), 3000) == 0 &&
				    (strncmp(val, "yes", 3) == 0 || strncmp(val, "auto", 4) == 0))
					ADD("NetworkManager's CLAT (ipv4.clat %.4s on connection '%.40s')", val, c);
			}
	}
#undef ADD
	if (at)
		doctor_add(r, "other-clats", clat ? DOCTOR_FAIL : DOCTOR_WARN,
			   "two CLATs fight over the IPv4 default route and the NAT64: keep one", "%s", what);
	else
		doctor_add(r, "other-clats", DOCTOR_PASS, NULL, "no other CLAT here (TAYGA, clatd, NetworkManager, xlat464)");
}

/* RFC 7335: a CLAT's IPv4 address is in 192.0.0.0/29, so an IPv4 default route over a link holding
 * one is a CLAT's (another's, or one whose socket was not asked), not native IPv4. */
static bool link_has_clat_ipv4(const char *ifname)
{
	struct ifaddrs *ifa = NULL;
	bool found = false;
	if (getifaddrs(&ifa) < 0)
		return false;
	for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || strcmp(i->ifa_name, ifname) != 0)
			continue;
		uint32_t a = ntohl(((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr.s_addr);
		found = (a & 0xfffffff8u) == 0xc0000000u; /* 192.0.0.0/29 */
	}
	freeifaddrs(ifa);
	return found;
}

void doctor_host(const struct doctor_opts *o, struct doctor_found *f, unsigned nf, struct doctor_report *r)
{
	struct sys_nl nl;
	const struct doctor_daemon *clat = NULL;
	struct sys_link up6 = { 0 }, dev4 = { 0 };
	bool have_nl = sys_nl_open(&nl) == 0;

	for (unsigned i = 0; i < nf; i++)
		if (f[i].answered && f[i].here && f[i].d.kind == DOCTOR_CLAT && !clat)
			clat = &f[i].d;
	/* A wedged daemon (its socket accepts and says nothing, or accepts no more) may be anyone's; a
	 * socket nobody listens on matters only when it is a CLAT's. */
	for (unsigned i = 0; i < nf; i++) {
		char why[80];
		if (f[i].answered)
			continue;
		ctl_strerror(f[i].err, CTL_STATUS_MAX, o->timeout_ms, why, sizeof(why));
		if (f[i].err == ETIMEDOUT)
			doctor_add(r, "daemons", DOCTOR_WARN, "a daemon that hangs: see its log, restart it",
				   "%s: %s", f[i].path, why);
		else if (strstr(f[i].path, "clat"))
			doctor_add(r, "daemons", DOCTOR_WARN, "a stale socket of a CLAT that died?", "%s does not answer: %s",
				   f[i].path, why);
	}

	/* the uplink: the IPv6 default route; native IPv4: an IPv4 default route not through the CLAT */
	int skip = clat && clat->tun[0] ? (int)if_nametoindex(clat->tun) : 0;
	int oif6 = have_nl ? sys_nl_default_route_oif(&nl, AF_INET6, 0) : -1;
	int oif4 = have_nl ? sys_nl_default_route_oif(&nl, AF_INET, skip) : -1;
	if (oif6 > 0)
		sys_nl_link_get(&nl, oif6, &up6);
	if (oif4 > 0)
		sys_nl_link_get(&nl, oif4, &dev4);
	bool native4 = oif4 > 0 && !link_has_clat_ipv4(dev4.name);
	doctor_judge_uplink(r, oif6 > 0 ? up6.name : NULL, up6.up, up6.mtu, native4, dev4.name);

	struct doctor_proc xp[4];
	unsigned nx = clat ? 0 : doctor_procs_here("xlat464 clat", xp, 4);
	if (nx) /* one runs, but no socket asked is its */
		doctor_add(r, "clat", native4 ? DOCTOR_WARN : DOCTOR_FAIL,
			   "give its control socket: --control PATH or --control-dir DIR",
			   "xlat464 clat runs here (pid %d) but did not answer on any control socket asked", xp[0].pid);
	else
		doctor_judge_clat(r, clat, native4);
	struct doctor_dns64 d;
	struct doctor_ra_seen ra = { 0 };
	if (!clat && oif6 > 0)
		solicit_pref64(up6.name, oif6, o->timeout_ms, &ra);
	ask_dns64(o, &d);
	doctor_judge_prefixes(r, clat, clat ? NULL : &ra, &d);
	check_option108(r, clat ? clat->ifname : (oif6 > 0 ? up6.name : NULL), native4);

	/* The end-to-end probe, then the target's IPv6 form (pool6 + target, RFC 6052 section 2.2) asked
	 * directly, which tells the PLAT's fault from the CLAT's. */
	struct xlat_prefix6 pfx = { 0 };
	bool has_pfx = false;
	if (clat && clat->has_pref64) {
		pfx = clat->pref64;
		has_pfx = true;
	} else if (!clat && ra.has_pref64) {
		pfx = ra.pref64;
		has_pfx = true;
	} else if (d.answered && d.status == DNS64_OK) {
		memcpy(pfx.addr, d.result.prefix[0].prefix, 16);
		pfx.len = d.result.prefix[0].len;
		has_pfx = true;
	}
	bool ok4 = false, ok6 = false;
	double rtt4 = 0, rtt6 = 0;
	char synth[INET6_ADDRSTRLEN] = "";
	if (o->target) {
		uint8_t t4[4], t6[16];
		inet_pton(AF_INET, o->target, t4);
		ok4 = echo(AF_INET, t4, o->timeout_ms, &rtt4);
		if (has_pfx) {
			xlat_rfc6052_embed(&pfx, t4, t6);
			inet_ntop(AF_INET6, t6, synth, sizeof(synth));
			ok6 = echo(AF_INET6, t6, o->timeout_ms, &rtt6);
		}
	}
	doctor_judge_probe(r, o->target, ok4, rtt4, synth, ok6, rtt6, has_pfx ? &pfx : NULL);

	check_conflicts(r, clat);
	if (clat) {
		/* counters as they are now, after the probe */
		for (unsigned i = 0; i < nf; i++)
			if (&f[i].d == clat) {
				char *json = NULL, err[64];
				struct doctor_daemon now;
				if (ctl_status_json(f[i].path, o->timeout_ms, &json) == 0 &&
				    doctor_status_parse(json, strlen(json), &now, err, sizeof(err)) == 0)
					f[i].d = now;
				free(json);
			}
		doctor_judge_drops(r, "clat", clat);
	}
	if (have_nl)
		sys_nl_close(&nl);
}
