#include "uplink.h"

#include <errno.h>
#include <linux/if_addr.h>
#include <linux/if_arp.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <string.h>

#include "ndp/ndp.h"
#include "sys/priv.h"

#ifndef ARPHRD_RAWIP
#define ARPHRD_RAWIP 519
#endif

#define CLAT_MAX_ADDRS 64

const char *clat_link_kind_name(enum clat_link_kind k)
{
	switch (k) {
	case CLAT_LINK_ETHERNET: return "ethernet";
	case CLAT_LINK_RAWIP: return "raw-ip";
	case CLAT_LINK_PPP: return "ppp";
	case CLAT_LINK_L3: return "layer-3";
	}
	return "?";
}

enum clat_link_kind clat_link_kind_of(unsigned type, unsigned flags, bool *nd, bool *eth_header)
{
	*eth_header = type == ARPHRD_ETHER;
	*nd = type == ARPHRD_ETHER && !(flags & IFF_NOARP);
	if (*nd)
		return CLAT_LINK_ETHERNET;
	if (type == ARPHRD_NONE || type == ARPHRD_RAWIP)
		return CLAT_LINK_RAWIP;
	if (type == ARPHRD_PPP)
		return CLAT_LINK_PPP;
	return CLAT_LINK_L3;
}

int clat_uplink_read(struct sys_nl *nl, int ifindex, struct clat_uplink *u)
{
	struct sys_link l;
	char path[80];
	unsigned m6;
	if (sys_nl_link_get(nl, ifindex, &l) < 0)
		return -1;
	memset(u, 0, sizeof(*u));
	u->ifindex = ifindex;
	snprintf(u->name, sizeof(u->name), "%s", l.name);
	u->kind = clat_link_kind_of(l.type, l.flags, &u->nd, &u->eth_header);
	if (u->nd && !l.has_mac) /* ARPHRD_ETHER always has one; be safe */
		u->nd = false;
	if (l.has_mac)
		memcpy(u->mac, l.mac, 6);
	u->up = l.up && l.running;
	u->link_mtu = l.mtu;
	u->mtu = l.mtu;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/mtu", u->name);
	if (sys_read_uint_file(path, &m6) == 0 && m6 < u->mtu)
		u->mtu = m6;
	return 0;
}

size_t clat_uplink_iface_id(const struct clat_uplink *u, uint8_t out[IF_NAMESIZE])
{
	if (u->nd) {
		memcpy(out, u->mac, 6);
		return 6;
	}
	size_t n = strnlen(u->name, IF_NAMESIZE - 1);
	memcpy(out, u->name, n);
	return n;
}

/* Is a better than b as the CLAT's /64 (both usable)? SLAAC over static, longer preferred lifetime,
 * then the lower prefix (so the choice does not depend on the kernel's order). */
static bool better64(const struct sys_addr6 *a, const struct sys_addr6 *b)
{
	bool sa = !(a->flags & IFA_F_PERMANENT), sb = !(b->flags & IFA_F_PERMANENT);
	if (sa != sb)
		return sa;
	if (a->preferred != b->preferred)
		return a->preferred > b->preferred;
	return memcmp(a->addr, b->addr, 8) < 0;
}

int clat_uplink_addrs(struct sys_nl *nl, int ifindex, const uint8_t *cur, struct clat_uplink_addrs *out)
{
	static struct sys_addr6 list[CLAT_MAX_ADDRS];
	int n = sys_nl_addr6_list(nl, ifindex, list, CLAT_MAX_ADDRS), best = -1, own = -1;
	memset(out, 0, sizeof(*out));
	if (n < 0)
		return -1;
	for (int i = 0; i < n && i < CLAT_MAX_ADDRS; i++) {
		const struct sys_addr6 *x = &list[i];
		if (x->scope != RT_SCOPE_UNIVERSE || ndp_is_multicast(x->addr) || (x->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			continue;
		out->global = true;
		bool in_cur = cur && x->plen == 64 && memcmp(x->addr, cur, 8) == 0;
		if (in_cur)
			out->cur_present = true;
		if (x->flags & (IFA_F_DEPRECATED | IFA_F_TEMPORARY))
			continue;
		if (own < 0 || (list[own].plen != 128 && x->plen == 128)) /* a DHCPv6 /128 first */
			own = i;
		if (x->plen != 64)
			continue;
		out->n64++;
		if (in_cur)
			out->cur_ok = true;
		if (best < 0 || better64(x, &list[best]))
			best = i;
	}
	if (out->cur_ok) {
		memset(out->best64, 0, 16);
		memcpy(out->best64, cur, 8);
		out->have64 = true;
	} else if (best >= 0) {
		memset(out->best64, 0, 16);
		memcpy(out->best64, list[best].addr, 8);
		out->have64 = true;
	}
	if (own >= 0) {
		out->have_own = true;
		memcpy(out->own, list[own].addr, 16);
		out->own_plen = list[own].plen;
	}
	return 0;
}
