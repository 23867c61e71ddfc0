#include "netlink.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

/* Big enough for a dump batch of the kernel (it sizes them to the page size, at most 32 KiB). */
#define SYS_NL_BUF 32768

int sys_nl_open(struct sys_nl *n)
{
	memset(n, 0, sizeof(*n));
	n->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!n->nl)
		return -1;
	if (mnl_socket_bind(n->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(n->nl);
		n->nl = NULL;
		errno = e;
		return -1;
	}
	n->portid = mnl_socket_get_portid(n->nl);
	n->seq = (unsigned)time(NULL);
	return 0;
}

void sys_nl_close(struct sys_nl *n)
{
	if (n->nl)
		mnl_socket_close(n->nl);
	n->nl = NULL;
}

/* Sends one request and runs cb over every answer until the dump ends or the ACK arrives.
 * Returns 0 or -1 with errno (an error the kernel answered with comes back as its errno). */
static int nl_talk(struct sys_nl *n, struct nlmsghdr *req, mnl_cb_t cb, void *arg)
{
	/* one netlink conversation at a time per thread: the data-plane workers ask for next hops on
	 * sockets of their own while the main thread talks on its own */
	static _Thread_local char buf[SYS_NL_BUF];
	unsigned seq = req->nlmsg_seq = ++n->seq;

	if (mnl_socket_sendto(n->nl, req, req->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf));
		if (len < 0)
			return -1;
		int r = mnl_cb_run(buf, (size_t)len, seq, n->portid, cb, arg);
		if (r < 0)
			return -1;
		if (r == MNL_CB_STOP)
			return 0;
	}
}

static struct nlmsghdr *nl_req(char *buf, uint16_t type, uint16_t flags)
{
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = type;
	h->nlmsg_flags = NLM_F_REQUEST | flags;
	return h;
}

/* ---- links -------------------------------------------------------------------------------- */

static int link_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);
	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;
	tb[type] = a;
	return MNL_CB_OK;
}

static int link_cb(const struct nlmsghdr *h, void *data)
{
	struct sys_link *out = data;
	const struct nlattr *tb[IFLA_MAX + 1] = { 0 };
	const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);

	if (h->nlmsg_type != RTM_NEWLINK || mnl_nlmsg_get_payload_len(h) < sizeof(*ifi))
		return MNL_CB_OK;
	mnl_attr_parse(h, sizeof(*ifi), link_attr, tb);
	out->ifindex = ifi->ifi_index;
	out->up = ifi->ifi_flags & IFF_UP;
	out->running = ifi->ifi_flags & IFF_RUNNING;
	out->type = ifi->ifi_type;
	out->flags = ifi->ifi_flags;
	if (tb[IFLA_IFNAME] && mnl_attr_validate(tb[IFLA_IFNAME], MNL_TYPE_STRING) >= 0)
		strncpy(out->name, mnl_attr_get_str(tb[IFLA_IFNAME]), sizeof(out->name) - 1);
	if (tb[IFLA_MTU] && mnl_attr_validate(tb[IFLA_MTU], MNL_TYPE_U32) >= 0)
		out->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_ADDRESS] && mnl_attr_get_payload_len(tb[IFLA_ADDRESS]) == 6 && ifi->ifi_type == ARPHRD_ETHER) {
		memcpy(out->mac, mnl_attr_get_payload(tb[IFLA_ADDRESS]), 6);
		out->has_mac = true;
	}
	if (tb[IFLA_IFALIAS] && mnl_attr_validate(tb[IFLA_IFALIAS], MNL_TYPE_STRING) >= 0)
		strncpy(out->alias, mnl_attr_get_str(tb[IFLA_IFALIAS]), sizeof(out->alias) - 1);
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *a;
		mnl_attr_for_each_nested(a, tb[IFLA_LINKINFO])
			if (mnl_attr_get_type(a) == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_STRING) >= 0)
				strncpy(out->kind, mnl_attr_get_str(a), sizeof(out->kind) - 1);
	}
	return MNL_CB_OK;
}

int sys_nl_link_get(struct sys_nl *n, int ifindex, struct sys_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, RTM_GETLINK, NLM_F_ACK); /* the answer, then an ACK ends it */
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	memset(out, 0, sizeof(*out));
	if (nl_talk(n, h, link_cb, out) < 0)
		return -1;
	if (out->ifindex != ifindex) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

int sys_nl_link_get_by_name(struct sys_nl *n, const char *name, struct sys_link *out)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, RTM_GETLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	mnl_attr_put_strz(h, IFLA_IFNAME, name);
	memset(out, 0, sizeof(*out));
	if (nl_talk(n, h, link_cb, out) < 0)
		return -1;
	if (out->ifindex <= 0) {
		errno = ENODEV;
		return -1;
	}
	return 0;
}

int sys_nl_link_set_alias(struct sys_nl *n, int ifindex, const char *alias)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, RTM_NEWLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	mnl_attr_put_strz(h, IFLA_IFALIAS, alias);
	return nl_talk(n, h, NULL, NULL);
}

int sys_nl_link_del(struct sys_nl *n, int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, RTM_DELLINK, NLM_F_ACK);
	struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return nl_talk(n, h, NULL, NULL);
}

/* ---- addresses ---------------------------------------------------------------------------- */

struct addr6_dump {
	int ifindex, max, count;
	struct sys_addr6 *out;
};

static int addr_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, IFA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int addr6_cb(const struct nlmsghdr *h, void *data)
{
	struct addr6_dump *d = data;
	const struct nlattr *tb[IFA_MAX + 1] = { 0 };
	const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);

	if (h->nlmsg_type != RTM_NEWADDR || mnl_nlmsg_get_payload_len(h) < sizeof(*ifa))
		return MNL_CB_OK;
	if (ifa->ifa_family != AF_INET6 || (d->ifindex && (int)ifa->ifa_index != d->ifindex))
		return MNL_CB_OK;
	mnl_attr_parse(h, sizeof(*ifa), addr_attr, tb);
	const struct nlattr *a = tb[IFA_ADDRESS] ? tb[IFA_ADDRESS] : tb[IFA_LOCAL];
	if (!a || mnl_attr_get_payload_len(a) != 16)
		return MNL_CB_OK;
	if (d->count < d->max) {
		struct sys_addr6 *o = &d->out[d->count];
		memset(o, 0, sizeof(*o));
		memcpy(o->addr, mnl_attr_get_payload(a), 16);
		o->plen = ifa->ifa_prefixlen;
		o->scope = ifa->ifa_scope;
		o->flags = ifa->ifa_flags;
		if (tb[IFA_FLAGS] && mnl_attr_get_payload_len(tb[IFA_FLAGS]) == 4)
			o->flags = mnl_attr_get_u32(tb[IFA_FLAGS]);
		o->preferred = o->valid = 0xffffffffu;
		if (tb[IFA_CACHEINFO] && mnl_attr_get_payload_len(tb[IFA_CACHEINFO]) >= sizeof(struct ifa_cacheinfo)) {
			const struct ifa_cacheinfo *ci = mnl_attr_get_payload(tb[IFA_CACHEINFO]);
			o->preferred = ci->ifa_prefered;
			o->valid = ci->ifa_valid;
		}
	}
	d->count++;
	return MNL_CB_OK;
}

int sys_nl_addr6_list(struct sys_nl *n, int ifindex, struct sys_addr6 *out, int max)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, RTM_GETADDR, NLM_F_DUMP);
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
	struct addr6_dump d = { ifindex, max, 0, out };

	ifa->ifa_family = AF_INET6;
	if (nl_talk(n, h, addr6_cb, &d) < 0)
		return -1;
	return d.count;
}

int sys_nl_addr4(struct sys_nl *n, bool add, int ifindex, const uint8_t addr[4], unsigned plen, unsigned scope)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, add ? RTM_NEWADDR : RTM_DELADDR, NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0));
	struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (uint8_t)plen;
	ifa->ifa_scope = (uint8_t)scope;
	ifa->ifa_index = (unsigned)ifindex;
	mnl_attr_put(h, IFA_LOCAL, 4, addr);
	mnl_attr_put(h, IFA_ADDRESS, 4, addr);
	return nl_talk(n, h, NULL, NULL);
}

/* ---- routes ------------------------------------------------------------------------------- */

int sys_nl_route4(struct sys_nl *n, bool add, int oif, const uint8_t dst[4], unsigned dlen, const uint8_t *prefsrc,
		  uint32_t metric)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, add ? RTM_NEWROUTE : RTM_DELROUTE, NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0));
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = (uint8_t)dlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_LINK; /* no gateway: the TUN is point-to-point */
	rtm->rtm_type = RTN_UNICAST;
	if (dlen)
		mnl_attr_put(h, RTA_DST, 4, dst);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)oif);
	mnl_attr_put_u32(h, RTA_PRIORITY, metric);
	if (prefsrc)
		mnl_attr_put(h, RTA_PREFSRC, 4, prefsrc);
	return nl_talk(n, h, NULL, NULL);
}

struct default_dump {
	int family, skip_oif, oif;
	uint32_t metric;
};

static int route_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, RTA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int default_cb(const struct nlmsghdr *h, void *data)
{
	struct default_dump *d = data;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	uint32_t table, metric = 0;
	int oif = 0;

	if (h->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(h) < sizeof(*rtm))
		return MNL_CB_OK;
	if (rtm->rtm_family != d->family || rtm->rtm_dst_len != 0 || rtm->rtm_type != RTN_UNICAST)
		return MNL_CB_OK;
	mnl_attr_parse(h, sizeof(*rtm), route_attr, tb);
	table = tb[RTA_TABLE] && mnl_attr_get_payload_len(tb[RTA_TABLE]) == 4 ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	if (table != RT_TABLE_MAIN)
		return MNL_CB_OK;
	if (tb[RTA_PRIORITY] && mnl_attr_get_payload_len(tb[RTA_PRIORITY]) == 4)
		metric = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	if (tb[RTA_OIF] && mnl_attr_get_payload_len(tb[RTA_OIF]) == 4) {
		oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	} else if (tb[RTA_MULTIPATH] && mnl_attr_get_payload_len(tb[RTA_MULTIPATH]) >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = mnl_attr_get_payload(tb[RTA_MULTIPATH]);
		oif = nh->rtnh_ifindex;
	}
	if (oif <= 0 || oif == d->skip_oif)
		return MNL_CB_OK;
	if (!d->oif || metric < d->metric) {
		d->oif = oif;
		d->metric = metric;
	}
	return MNL_CB_OK;
}

int sys_nl_default_route_oif(struct sys_nl *n, int family, int skip_oif)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = nl_req(buf, RTM_GETROUTE, NLM_F_DUMP);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
	struct default_dump d = { family, skip_oif, 0, 0 };

	rtm->rtm_family = (uint8_t)family;
	if (nl_talk(n, h, default_cb, &d) < 0)
		return -1;
	return d.oif;
}

/* ---- the next hop of an IPv6 destination ------------------------------------------------------ */

struct route_get {
	uint8_t gw[16];
	bool has_gw;
	int oif;
	unsigned dst_len;
};

static int route_get_cb(const struct nlmsghdr *h, void *data)
{
	struct route_get *r = data;
	const struct nlattr *tb[RTA_MAX + 1] = { 0 };
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(h);
	if (h->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(h) < sizeof(*rtm))
		return MNL_CB_OK;
	mnl_attr_parse(h, sizeof(*rtm), route_attr, tb);
	r->dst_len = rtm->rtm_dst_len;
	if (tb[RTA_GATEWAY] && mnl_attr_get_payload_len(tb[RTA_GATEWAY]) == 16) {
		memcpy(r->gw, mnl_attr_get_payload(tb[RTA_GATEWAY]), 16);
		r->has_gw = true;
	}
	if (tb[RTA_OIF] && mnl_attr_get_payload_len(tb[RTA_OIF]) == 4)
		r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	return MNL_CB_OK;
}

struct neigh_get {
	uint8_t mac[6];
	bool has_mac;
	uint16_t state;
};

static int neigh_attr(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	if (mnl_attr_type_valid(a, NDA_MAX) < 0)
		return MNL_CB_OK;
	tb[mnl_attr_get_type(a)] = a;
	return MNL_CB_OK;
}

static int neigh_get_cb(const struct nlmsghdr *h, void *data)
{
	struct neigh_get *g = data;
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	const struct ndmsg *nd = mnl_nlmsg_get_payload(h);
	if (h->nlmsg_type != RTM_NEWNEIGH || mnl_nlmsg_get_payload_len(h) < sizeof(*nd))
		return MNL_CB_OK;
	mnl_attr_parse(h, sizeof(*nd), neigh_attr, tb);
	g->state = nd->ndm_state;
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		memcpy(g->mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		g->has_mac = true;
	}
	return MNL_CB_OK;
}

int sys_nl_route6_get(struct sys_nl *n, const uint8_t dst[16], int oif, uint8_t gw[16], bool *has_gw, unsigned *dst_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct route_get r = { .oif = 0 };
	struct nlmsghdr *h = nl_req(buf, RTM_GETROUTE, NLM_F_ACK); /* the answer, then an ACK ends it */
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_flags = RTM_F_FIB_MATCH; /* the route itself (its prefix length), not a /128 answer */
	mnl_attr_put(h, RTA_DST, 16, dst);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)oif);
	if (nl_talk(n, h, route_get_cb, &r) < 0)
		return -1;
	if (r.oif && r.oif != oif) {
		errno = ENETUNREACH; /* the route leaves by another link */
		return -1;
	}
	*has_gw = r.has_gw;
	memcpy(gw, r.has_gw ? r.gw : dst, 16);
	*dst_len = r.dst_len;
	return 0;
}

int sys_nl_nexthop6(struct sys_nl *n, const uint8_t dst[16], int oif, uint8_t mac[6], bool *resolved)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	uint8_t hop[16];
	bool has_gw;
	unsigned dlen;
	*resolved = false;
	if (sys_nl_route6_get(n, dst, oif, hop, &has_gw, &dlen) < 0)
		return -1;
	struct nlmsghdr *h;

	struct neigh_get g = { .has_mac = false };
	h = nl_req(buf, RTM_GETNEIGH, NLM_F_ACK);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(h, sizeof(*nd));
	nd->ndm_family = AF_INET6;
	nd->ndm_ifindex = oif;
	mnl_attr_put(h, NDA_DST, 16, hop);
	bool usable = false;
	if (nl_talk(n, h, neigh_get_cb, &g) == 0)
		usable = g.has_mac && (g.state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP));
	if (usable) {
		memcpy(mac, g.mac, 6);
		*resolved = true;
		return 0;
	}
	/* Not known (or failed): have the kernel resolve it (NTF_USE sends a solicitation), for next time. */
	h = nl_req(buf, RTM_NEWNEIGH, NLM_F_CREATE | NLM_F_ACK);
	nd = mnl_nlmsg_put_extra_header(h, sizeof(*nd));
	nd->ndm_family = AF_INET6;
	nd->ndm_ifindex = oif;
	nd->ndm_flags = NTF_USE;
	nd->ndm_state = NUD_NONE;
	mnl_attr_put(h, NDA_DST, 16, hop);
	nl_talk(n, h, NULL, NULL);
	return 0;
}

/* ---- change notifications ------------------------------------------------------------------- */

int sys_nl_monitor_open(struct sys_nl *n, unsigned groups)
{
	memset(n, 0, sizeof(*n));
	n->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC | SOCK_NONBLOCK);
	if (!n->nl)
		return -1;
	if (mnl_socket_bind(n->nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;
		mnl_socket_close(n->nl);
		n->nl = NULL;
		errno = e;
		return -1;
	}
	n->portid = mnl_socket_get_portid(n->nl);
	return 0;
}

int sys_nl_fd(const struct sys_nl *n)
{
	return n->nl ? mnl_socket_get_fd(n->nl) : -1;
}

int sys_nl_monitor_drain(struct sys_nl *n)
{
	static char buf[SYS_NL_BUF];
	int count = 0;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf));
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return count;
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len))
			count++;
	}
}

int sys_nl_route_lookup(struct sys_nl *n, int family, const uint8_t *dst, int *oif, unsigned *dst_len)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned alen = family == AF_INET ? 4 : 16;
	/* Twice: the route itself (RTM_F_FIB_MATCH) for its prefix length, then the path the kernel
	 * picks for dst, for the link (a multipath route has no RTA_OIF of its own). */
	for (int pass = 0; pass < 2; pass++) {
		struct route_get r = { .oif = 0 };
		struct nlmsghdr *h = nl_req(buf, RTM_GETROUTE, NLM_F_ACK);
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));
		rtm->rtm_family = (unsigned char)family;
		rtm->rtm_dst_len = (unsigned char)(alen * 8);
		rtm->rtm_flags = pass == 0 ? RTM_F_FIB_MATCH : 0;
		mnl_attr_put(h, RTA_DST, alen, dst);
		if (nl_talk(n, h, route_get_cb, &r) < 0)
			return -1;
		if (pass == 0)
			*dst_len = r.dst_len;
		else
			*oif = r.oif;
	}
	return 0;
}

/* ---- the IPv6 neighbour table, followed ---------------------------------------------------- */

struct neigh_walk {
	sys_nl_neigh_fn fn;
	void *arg;
	int ifindex;
};

static int neigh_walk_cb(const struct nlmsghdr *h, void *data)
{
	struct neigh_walk *w = data;
	const struct nlattr *tb[NDA_MAX + 1] = { 0 };
	const struct ndmsg *nd = mnl_nlmsg_get_payload(h);
	struct sys_neigh6 ne;

	if ((h->nlmsg_type != RTM_NEWNEIGH && h->nlmsg_type != RTM_DELNEIGH) ||
	    mnl_nlmsg_get_payload_len(h) < sizeof(*nd) || nd->ndm_family != AF_INET6)
		return MNL_CB_OK;
	if (w->ifindex && nd->ndm_ifindex != w->ifindex)
		return MNL_CB_OK;
	if (mnl_attr_parse(h, sizeof(*nd), neigh_attr, tb) < 0 || !tb[NDA_DST] ||
	    mnl_attr_get_payload_len(tb[NDA_DST]) != 16)
		return MNL_CB_OK;
	memset(&ne, 0, sizeof(ne));
	ne.ifindex = nd->ndm_ifindex;
	ne.state = nd->ndm_state;
	ne.deleted = h->nlmsg_type == RTM_DELNEIGH;
	memcpy(ne.addr, mnl_attr_get_payload(tb[NDA_DST]), 16);
	if (tb[NDA_LLADDR] && mnl_attr_get_payload_len(tb[NDA_LLADDR]) == 6) {
		memcpy(ne.mac, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
		ne.has_mac = true;
	}
	w->fn(w->arg, &ne);
	return MNL_CB_OK;
}

int sys_nl_neigh6_dump(struct sys_nl *n, int ifindex, sys_nl_neigh_fn fn, void *arg)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct neigh_walk w = { fn, arg, ifindex };
	struct nlmsghdr *h = nl_req(buf, RTM_GETNEIGH, NLM_F_DUMP);
	struct ndmsg *nd = mnl_nlmsg_put_extra_header(h, sizeof(*nd));
	nd->ndm_family = AF_INET6;
	return nl_talk(n, h, neigh_walk_cb, &w);
}

int sys_nl_monitor_neigh6(struct sys_nl *n, sys_nl_neigh_fn fn, void *arg)
{
	static char buf[SYS_NL_BUF];
	struct neigh_walk w = { fn, arg, 0 };
	int count = 0;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf));
		if (len < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return count;
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf; mnl_nlmsg_ok(h, (int)len);
		     h = mnl_nlmsg_next(h, (int *)&len)) {
			neigh_walk_cb(h, &w);
			count++;
		}
	}
}
