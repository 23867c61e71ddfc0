/* The kernel fast path of `xlat464 plat` (stateful NAT64): a TC ingress program that translates
 * the packets of the sessions the daemon has put in the maps (nat64_offload.h), in the kernel, so
 * that a bulk TCP or UDP flow no longer crosses the TUN twice. The daemon stays the NAT64: it makes
 * every binding and session (RFC 6146), sees every SYN, FIN and RST, and takes a session out of the
 * maps when it stops being established; a session stays alive while the programs carry its packets
 * (last_ns).
 *
 * What the program does with a packet of a flow in the maps (RFC 7915, the same as lib/xlat does):
 *   6to4 (coming in from the IPv6 clients): an IPv6 packet with no
 *     extension header, TCP without SYN/FIN/RST or UDP with a checksum, hop limit above 1, to pool6;
 *     the IPv4 header gets the traffic class as TOS, the hop limit as TTL (the kernel's forwarding
 *     then decrements it, once, as a router does), DF and ID 0 above 1260 bytes (RFC 7915 5.1,
 *     RFC 6864 4.1) or the flow's next ID without DF; the transport checksum is updated for the
 *     pseudo-header and the port (RFC 1624); the packet goes on to the kernel's IPv4 forwarding.
 *   4to6 (coming in from the IPv4 side): an IPv4 packet of 20 header bytes
 *     with a correct checksum, not a fragment, TTL above 1, TCP without SYN/FIN/RST or UDP with a
 *     checksum, to a binding; DF clear and too big for the IPv6 minimum MTU goes on to the daemon,
 *     which fragments; the IPv6 header gets TOS as traffic class, TTL as hop limit, flow label 0.
 * Anything else, and every packet of a flow not in the maps, goes on untouched (TC_ACT_UNSPEC: to the
 * next filter if any, then the stack): to the TUN, where the daemon translates it. A translated
 * packet goes on to the stack (TC_ACT_OK), which forwards it. A GSO super-packet is translated whole (bpf_skb_change_proto
 * changes its GSO type).
 *
 * Every read is bounds-checked (the verifier refuses the program otherwise). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>
#include <linux/tcp.h>
#include <linux/udp.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "nat64_offload.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct x4_off_cfg);
} x4_off_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, X4_OFFLOAD_MAX_FLOWS);
	__type(key, struct x4_off_key6);
	__type(value, struct x4_off_val6);
} x4_off_flows6 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, X4_OFFLOAD_MAX_FLOWS);
	__type(key, struct x4_off_key4);
	__type(value, struct x4_off_val4);
} x4_off_flows4 SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, X4_OFF_NCOUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} x4_off_stats SEC(".maps");

#define ETH_LEN 14
#define IP4_LEN 20
#define IP6_LEN 40
#define DF_THRESHOLD 1260 /* RFC 7915 section 5.1: IPv4 packets up to 1260 bytes leave without DF */
#define IPV6_MIN_MTU 1280
#define TCP_FLAGS_OFF 13
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define F_SYN_FIN_RST 0x07

static __always_inline void count(__u32 which, __u64 n)
{
	__u64 *c = bpf_map_lookup_elem(&x4_off_stats, &which);
	if (c)
		*c += n;
}

/* A helper refused a packet half rewritten: it is dropped, and counted. */
static __always_inline int failed(void)
{
	count(X4_OFF_FAILED, 1);
	return TC_ACT_SHOT;
}

/* The one's-complement checksum of a 20-byte IPv4 header (its checksum field zero or not). */
static __always_inline __u16 ip4_csum(const struct iphdr *h)
{
	const __u16 *w = (const __u16 *)h;
	__u32 s = 0;
#pragma unroll
	for (int i = 0; i < IP4_LEN / 2; i++)
		s += w[i];
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The transport header's ports and checksum offset: 1 when the packet may be translated here, -1
 * when it belongs to a flow's daemon half (TCP SYN, FIN, RST; UDP without checksum), 0 when it is
 * not TCP or UDP with a whole header. l4 is the transport's offset in the packet. */
static __always_inline int l4_check(struct __sk_buff *skb, __u32 l4, __u8 proto, __u16 *sport, __u16 *dport,
				    __u32 *csum_off)
{
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	if (proto == IPPROTO_TCP) {
		struct tcphdr *t = data + l4;
		if ((void *)(t + 1) > end)
			return 0;
		*sport = t->source;
		*dport = t->dest;
		*csum_off = l4 + TCP_CSUM_OFF;
		if (((__u8 *)t)[TCP_FLAGS_OFF] & F_SYN_FIN_RST)
			return -1; /* the daemon's state machine sees these */
		return 1;
	}
	if (proto == IPPROTO_UDP) {
		struct udphdr *u = data + l4;
		if ((void *)(u + 1) > end)
			return 0;
		*sport = u->source;
		*dport = u->dest;
		*csum_off = l4 + UDP_CSUM_OFF;
		if (u->check == 0)
			return -1; /* IPv4 "no checksum": the daemon amends or refuses it */
		return 1;
	}
	return 0;
}

static __always_inline int nat64_6to4(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct x4_off_cfg *cfg = bpf_map_lookup_elem(&x4_off_cfg, &zero);
	if (!cfg || !cfg->enabled || skb->protocol != bpf_htons(ETH_P_IPV6))
		return TC_ACT_UNSPEC;
	if (bpf_skb_pull_data(skb, ETH_LEN + IP6_LEN + sizeof(struct tcphdr)) < 0 && skb->len >= ETH_LEN + IP6_LEN)
		bpf_skb_pull_data(skb, ETH_LEN + IP6_LEN + sizeof(struct udphdr));
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = data + ETH_LEN;
	if ((void *)(ip6 + 1) > end || eth->h_proto != bpf_htons(ETH_P_IPV6) || ip6->version != 6)
		return TC_ACT_UNSPEC;
	if (ip6->hop_limit <= 1 || (ip6->nexthdr != IPPROTO_TCP && ip6->nexthdr != IPPROTO_UDP))
		return TC_ACT_UNSPEC;
	const __u32 *d6 = (const __u32 *)&ip6->daddr, *p6 = (const __u32 *)cfg->pool6;
	if (d6[0] != p6[0] || d6[1] != p6[1] || d6[2] != p6[2])
		return TC_ACT_UNSPEC;
	__u32 payload = bpf_ntohs(ip6->payload_len);
	if (payload == 0 || payload > 0xffff - IP4_LEN)
		return TC_ACT_UNSPEC; /* jumbograms and their kin */

	struct x4_off_key6 k = {};
	__builtin_memcpy(k.src6, &ip6->saddr, 16);
	k.dst4 = d6[3];
	k.proto = ip6->nexthdr;
	__u32 csum_off = 0;
	int ok = l4_check(skb, ETH_LEN + IP6_LEN, k.proto, &k.sport, &k.dport, &csum_off);
	if (ok == 0)
		return TC_ACT_UNSPEC;
	struct x4_off_val6 *v = bpf_map_lookup_elem(&x4_off_flows6, &k);
	if (!v)
		return TC_ACT_UNSPEC;
	if (ok < 0) {
		count(X4_OFF_PASSED, 1);
		return TC_ACT_UNSPEC;
	}
	/* Re-read after the helper calls: the packet pointers do not survive them. */
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	ip6 = data + ETH_LEN;
	if ((void *)(ip6 + 1) > end)
		return TC_ACT_UNSPEC;

	/* The IPv4 header, built before the IPv6 one is gone. */
	struct iphdr h = {};
	__u32 tot = payload + IP4_LEN;
	h.version = 4;
	h.ihl = 5;
	h.tos = (__u8)(bpf_ntohl(*(const __u32 *)ip6) >> 20);
	h.tot_len = bpf_htons((__u16)tot);
	if (tot > DF_THRESHOLD || skb->gso_segs > 1) {
		h.frag_off = bpf_htons(0x4000); /* DF; ID 0: an atomic datagram */
	} else {
		h.id = bpf_htons(v->ipid);
		v->ipid++;
	}
	h.ttl = ip6->hop_limit; /* decremented by the kernel's forwarding */
	h.protocol = k.proto;
	h.saddr = v->src4;
	h.daddr = k.dst4;
	h.check = ip4_csum(&h);

	/* The transport checksum: the pseudo-header's addresses, then the source port (RFC 1624). */
	__u32 from[8], to[2] = { h.saddr, h.daddr };
	__builtin_memcpy(from, &ip6->saddr, 32);
	__s64 diff = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0);
	__u64 mangled = k.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	if (diff < 0 || bpf_l4_csum_replace(skb, csum_off, 0, (__u32)diff, BPF_F_PSEUDO_HDR | mangled) < 0 ||
	    bpf_l4_csum_replace(skb, csum_off, k.sport, v->sport4, 2 | mangled) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_LEN + IP6_LEN, &v->sport4, 2, 0) < 0)
		return failed(); /* half rewritten: not to be sent on */

	__u64 len = skb->len;
	if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0) < 0)
		return failed();
	__u16 ethertype = bpf_htons(ETH_P_IP);
	if (bpf_skb_store_bytes(skb, ETH_LEN, &h, sizeof(h), 0) < 0 ||
	    bpf_skb_store_bytes(skb, 12 /* h_proto */, &ethertype, 2, 0) < 0)
		return failed();
	v->last_ns = bpf_ktime_get_ns();
	count(X4_OFF_PKTS6, 1);
	count(X4_OFF_BYTES6, len - ETH_LEN);
	if (!cfg->redirect)
		return TC_ACT_OK;
	struct bpf_fib_lookup p = { .family = 2 /* AF_INET */, .l4_protocol = k.proto, .sport = v->sport4,
				    .dport = k.dport, .tos = h.tos, .ipv4_src = h.saddr, .ipv4_dst = h.daddr,
				    .ifindex = skb->ingress_ifindex };
	/* the TTL as the stack's forwarding would leave it, before the route is known to be ours */
	struct iphdr fwd = h;
	fwd.ttl--;
	fwd.check = 0;
	fwd.check = ip4_csum(&fwd);
	long r = bpf_fib_lookup(skb, &p, sizeof(p), 0);
	if (r != BPF_FIB_LKUP_RET_SUCCESS && r != BPF_FIB_LKUP_RET_NO_NEIGH)
		return TC_ACT_OK;
	if (bpf_skb_store_bytes(skb, ETH_LEN, &fwd, sizeof(fwd), 0) < 0)
		return failed();
	count(X4_OFF_REDIRECTED, 1);
	if (r == BPF_FIB_LKUP_RET_NO_NEIGH)
		return (int)bpf_redirect_neigh(p.ifindex, NULL, 0, 0);
	if (bpf_skb_store_bytes(skb, 0, p.dmac, 6, 0) < 0 || bpf_skb_store_bytes(skb, 6, p.smac, 6, 0) < 0)
		return failed();
	return (int)bpf_redirect(p.ifindex, 0);
}

static __always_inline int nat64_4to6(struct __sk_buff *skb)
{
	__u32 zero = 0;
	struct x4_off_cfg *cfg = bpf_map_lookup_elem(&x4_off_cfg, &zero);
	if (!cfg || !cfg->enabled || skb->protocol != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	if (bpf_skb_pull_data(skb, ETH_LEN + IP4_LEN + sizeof(struct tcphdr)) < 0 && skb->len >= ETH_LEN + IP4_LEN)
		bpf_skb_pull_data(skb, ETH_LEN + IP4_LEN + sizeof(struct udphdr));
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = data + ETH_LEN;
	if ((void *)(ip4 + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) || ip4->version != 4 || ip4->ihl != 5)
		return TC_ACT_UNSPEC;
	if (ip4->ttl <= 1 || (ip4->protocol != IPPROTO_TCP && ip4->protocol != IPPROTO_UDP) ||
	    (ip4->frag_off & bpf_htons(0x3fff)) || ip4_csum(ip4) != 0)
		return TC_ACT_UNSPEC; /* fragments and bad headers are the daemon's */
	__u32 tot = bpf_ntohs(ip4->tot_len);
	if (tot < IP4_LEN || tot + ETH_LEN > skb->len)
		return TC_ACT_UNSPEC;
	if (!(ip4->frag_off & bpf_htons(0x4000)) && tot + IP6_LEN - IP4_LEN > IPV6_MIN_MTU && skb->gso_segs <= 1)
		return TC_ACT_UNSPEC; /* DF clear and too big for every IPv6 path: the daemon fragments */

	struct x4_off_key4 k = { .src4 = ip4->saddr, .dst4 = ip4->daddr, .proto = ip4->protocol };
	__u8 tos = ip4->tos, ttl = ip4->ttl;
	__u32 csum_off = 0;
	int ok = l4_check(skb, ETH_LEN + IP4_LEN, k.proto, &k.sport, &k.dport, &csum_off);
	if (ok == 0)
		return TC_ACT_UNSPEC;
	struct x4_off_val4 *v = bpf_map_lookup_elem(&x4_off_flows4, &k);
	if (!v)
		return TC_ACT_UNSPEC;
	if (ok < 0) {
		count(X4_OFF_PASSED, 1);
		return TC_ACT_UNSPEC;
	}

	struct ipv6hdr h = {};
	h.version = 6;
	h.priority = tos >> 4;
	h.flow_lbl[0] = (__u8)(tos << 4);
	h.payload_len = bpf_htons((__u16)(tot - IP4_LEN));
	h.nexthdr = k.proto;
	h.hop_limit = ttl; /* decremented by the kernel's forwarding */
	__builtin_memcpy(&h.saddr, cfg->pool6, 12);
	__builtin_memcpy((__u8 *)&h.saddr + 12, &k.src4, 4);
	__builtin_memcpy(&h.daddr, v->dst6, 16);

	__u32 from[2] = { k.src4, k.dst4 }, to[8];
	__builtin_memcpy(to, &h.saddr, 32);
	__s64 diff = bpf_csum_diff(from, sizeof(from), to, sizeof(to), 0);
	__u64 mangled = k.proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	if (diff < 0 || bpf_l4_csum_replace(skb, csum_off, 0, (__u32)diff, BPF_F_PSEUDO_HDR | mangled) < 0 ||
	    bpf_l4_csum_replace(skb, csum_off, k.dport, v->dport6, 2 | mangled) < 0 ||
	    bpf_skb_store_bytes(skb, ETH_LEN + IP4_LEN + 2, &v->dport6, 2, 0) < 0)
		return failed();

	__u64 len = skb->len;
	if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) < 0)
		return failed();
	__u16 ethertype = bpf_htons(ETH_P_IPV6);
	if (bpf_skb_store_bytes(skb, ETH_LEN, &h, sizeof(h), 0) < 0 ||
	    bpf_skb_store_bytes(skb, 12 /* h_proto */, &ethertype, 2, 0) < 0)
		return failed();
	v->last_ns = bpf_ktime_get_ns();
	count(X4_OFF_PKTS4, 1);
	count(X4_OFF_BYTES4, len - ETH_LEN);
	if (!cfg->redirect)
		return TC_ACT_OK;
	struct bpf_fib_lookup p = { .family = 10 /* AF_INET6 */, .l4_protocol = k.proto, .sport = k.sport,
				    .dport = v->dport6, .ifindex = skb->ingress_ifindex };
	__builtin_memcpy(p.ipv6_src, &h.saddr, 16);
	__builtin_memcpy(p.ipv6_dst, &h.daddr, 16);
	long r = bpf_fib_lookup(skb, &p, sizeof(p), 0);
	if (r != BPF_FIB_LKUP_RET_SUCCESS && r != BPF_FIB_LKUP_RET_NO_NEIGH)
		return TC_ACT_OK;
	__u8 hop = ttl - 1;
	if (bpf_skb_store_bytes(skb, ETH_LEN + 7 /* hop_limit */, &hop, 1, 0) < 0)
		return failed();
	count(X4_OFF_REDIRECTED, 1);
	if (r == BPF_FIB_LKUP_RET_NO_NEIGH)
		return (int)bpf_redirect_neigh(p.ifindex, NULL, 0, 0);
	if (bpf_skb_store_bytes(skb, 0, p.dmac, 6, 0) < 0 || bpf_skb_store_bytes(skb, 6, p.smac, 6, 0) < 0)
		return failed();
	return (int)bpf_redirect(p.ifindex, 0);
}

/* The one program, on every interface given to the daemon: each packet goes to the half of its
 * family, and whatever is not translated goes on to the next filter, if any, and to the stack. */
SEC("tc")
int x4_nat64(struct __sk_buff *skb)
{
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return nat64_6to4(skb);
	if (skb->protocol == bpf_htons(ETH_P_IP))
		return nat64_4to6(skb);
	return TC_ACT_UNSPEC;
}

char _license[] SEC("license") = "GPL";
