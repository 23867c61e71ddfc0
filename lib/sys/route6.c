#include "route6.h"

#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

int sys_nl_route6(struct sys_nl *n, bool add, int oif, const uint8_t dst[16], unsigned dlen, uint32_t metric)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
	h->nlmsg_type = add ? RTM_NEWROUTE : RTM_DELROUTE;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (add ? NLM_F_CREATE | NLM_F_EXCL : 0);
	unsigned seq = h->nlmsg_seq = ++n->seq;
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(h, sizeof(*rtm));

	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = (uint8_t)dlen;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_STATIC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put(h, RTA_DST, 16, dst);
	mnl_attr_put_u32(h, RTA_OIF, (uint32_t)oif);
	mnl_attr_put_u32(h, RTA_PRIORITY, metric);
	if (mnl_socket_sendto(n->nl, h, h->nlmsg_len) < 0)
		return -1;
	for (;;) {
		ssize_t len = mnl_socket_recvfrom(n->nl, buf, sizeof(buf));
		if (len < 0)
			return -1;
		int r = mnl_cb_run(buf, (size_t)len, seq, n->portid, NULL, NULL);
		if (r < 0)
			return -1;
		if (r == MNL_CB_STOP)
			return 0;
	}
}
