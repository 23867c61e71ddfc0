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

#include "bpf_common.h"

#include "nat64_offload_maps.h"

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
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, X4_OFF_MAX_SUBS);
	__type(key, struct x4_off_sub_key);
	__type(value, struct x4_off_sub);
} x4_off_subs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct x4_off_stats);
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
#define F_SYN 0x02
#define F_ACK 0x10
#define TCP_MIN 20 /* the TCP header without options */
#define UDP_MIN 8

static __always_inline struct x4_off_stats *stats(void)
{
	__u32 zero = 0;
	return bpf_map_lookup_elem(&x4_off_stats, &zero);
}

/* A helper refused a packet half rewritten: it is dropped, and counted. */
static __always_inline int failed(struct x4_off_stats *st)
{
	if (st)
		st->c[X4_OFF_FAILED]++;
	return TC_ACT_SHOT;
}

/* The transport header's ports and checksum offset: 1 when the packet may be translated here, -1
 * when it belongs to a flow's daemon half (TCP SYN, FIN, RST; UDP without checksum), 0 when it is
 * not TCP or UDP with its whole header (l4 is its offset, l4_len its length by the IP header). */
static __always_inline int l4_check(struct __sk_buff *skb, __u32 l4, __u32 l4_len, __u8 proto, __u16 *sport,
				    __u16 *dport, __u32 *csum_at, __u32 *l4_hlen, __u8 *tcp_flags)
{
	__u32 need = proto == IPPROTO_TCP ? TCP_MIN : UDP_MIN;
	if ((proto != IPPROTO_TCP && proto != IPPROTO_UDP) || l4_len < need || !x4_linear(skb, l4 + need))
		return 0;
	const __u8 *t = (const __u8 *)(long)skb->data + l4;
	if ((void *)(t + need) > (void *)(long)skb->data_end)
		return 0;
	__builtin_memcpy(sport, t, 2);
	__builtin_memcpy(dport, t + 2, 2);
	if (proto == IPPROTO_TCP) {
		if ((void *)(t + TCP_MIN) > (void *)(long)skb->data_end)
			return 0;
		*csum_at = TCP_CSUM_OFF;
		*l4_hlen = (__u32)(t[12] >> 4) * 4; /* with its options: a GSO segment's headers */
		*tcp_flags = t[TCP_FLAGS_OFF];
		return t[TCP_FLAGS_OFF] & F_SYN_FIN_RST ? -1 : 1; /* the daemon's state machine sees these */
	}
	*csum_at = UDP_CSUM_OFF;
	*l4_hlen = UDP_MIN;
	return t[6] == 0 && t[7] == 0 ? -1 : 1; /* IPv4 "no checksum": the daemon amends or refuses it */
}

/* The transport checksum, RFC 1624: the pseudo-header's difference, precomputed for the flow (csum),
 * and the port that changes (at port_at, from old to new). The helpers know the skb's checksum state
 * (a CHECKSUM_PARTIAL packet of a local sender holds only the pseudo-header sum). */
static __always_inline int l4_rewrite(struct __sk_buff *skb, __u32 l4, __u32 csum_at, __u8 proto, __u32 csum,
				      __u32 port_at, __u16 old, __u16 new)
{
	__u64 mangled = proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0;
	__u16 *port = (void *)(long)skb->data + l4 + port_at;
	if ((void *)(port + 1) > (void *)(long)skb->data_end)
		return -1;
	*port = new;
	if (bpf_l4_csum_replace(skb, l4 + csum_at, 0, csum, BPF_F_PSEUDO_HDR | mangled) < 0 ||
	    bpf_l4_csum_replace(skb, l4 + csum_at, old, new, 2 | mangled) < 0)
		return -1;
	return 0;
}

/* With cfg->redirect: may the program send the translated packet (already in the skb) out itself?
 * The flow's route (rt) is used while it is fresh, else looked up (p holds the lookup's inputs).
 * 1: yes, through rt->ifindex, to its cached neighbour (*neigh 0) or to one the kernel resolves
 * (*neigh 1; not cached); the caller decrements the TTL or hop limit. 0: the stack forwards it (no
 * route, a local destination, a packet, or a GSO super-packet's segments, too big for the interface:
 * the stack's forwarding answers those with Fragmentation Needed or Packet Too Big, which reach the
 * daemon). hlen is the translated packet's IP and transport header length. */
static __always_inline int fits(struct __sk_buff *skb, __u32 hlen, __u32 mtu)
{
	/* each field read on its own: the verifier refuses a computed offset into the context */
	__u32 segs = skb->gso_segs, gso = skb->gso_size, len = skb->len;
	__asm__ volatile("" : "+r"(segs), "+r"(gso), "+r"(len));
	return (segs > 1 ? hlen + gso : len - ETH_LEN) <= mtu;
}

static __always_inline int route(struct __sk_buff *skb, struct x4_off_route *rt, struct bpf_fib_lookup *p, __u64 now,
				 __u32 hlen, int *neigh)
{
	*neigh = 0;
	if (rt->at_ns && now - rt->at_ns < X4_OFF_ROUTE_NS)
		return fits(skb, hlen, rt->mtu);
	long r = bpf_fib_lookup(skb, p, sizeof(*p), 0); /* tot_len 0: the skb against the interface's MTU */
	if (r == BPF_FIB_LKUP_RET_SUCCESS) {
		rt->ifindex = p->ifindex;
		rt->mtu = p->mtu_result;
		__builtin_memcpy(rt->dmac, p->dmac, 6);
		__builtin_memcpy(rt->smac, p->smac, 6);
		rt->at_ns = now;
		return fits(skb, hlen, rt->mtu);
	}
	if (r == BPF_FIB_LKUP_RET_NO_NEIGH) {
		rt->at_ns = 0;
		rt->ifindex = p->ifindex;
		*neigh = 1;
		return 1;
	}
	return 0;
}

static __always_inline int redirect(struct __sk_buff *skb, const struct x4_off_route *rt, int neigh,
				    struct x4_off_stats *st)
{
	st->c[X4_OFF_REDIRECTED]++;
	if (neigh)
		return (int)bpf_redirect_neigh(rt->ifindex, NULL, 0, 0);
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	if ((void *)(eth + 1) > end)
		return failed(st);
	__builtin_memcpy(eth->h_dest, rt->dmac, 6);
	__builtin_memcpy(eth->h_source, rt->smac, 6);
	return (int)bpf_redirect(rt->ifindex, 0);
}

/* A packet from a subscriber that goes on to the daemon through the TUN, whose one queue every
 * subscriber shares: a new flow (new_flow) of a subscriber the daemon holds back is dropped here, and
 * with pacing on, so is a packet past the subscriber's pace (GCRA). Neither reaches the TUN. */
static __always_inline int to_daemon(const struct x4_off_cfg *cfg, struct x4_off_stats *st, const __u8 *saddr,
				     int new_flow)
{
	struct x4_off_sub_key k = {};
	__builtin_memcpy(k.prefix, saddr, 16);
	if (cfg->sub_len <= 64)
		__builtin_memset(k.prefix + 8, 0, 8);
	__u64 now = bpf_ktime_get_ns();
	struct x4_off_sub *s = bpf_map_lookup_elem(&x4_off_subs, &k);
	if (s && new_flow && s->held_until_ns > now) {
		st->c[X4_OFF_SUB_HELD]++;
		return TC_ACT_SHOT;
	}
	__u64 interval = cfg->sub_interval_ns;
	if (!interval)
		return TC_ACT_UNSPEC;
	if (!s) {
		struct x4_off_sub n = { .tat_ns = now + interval };
		bpf_map_update_elem(&x4_off_subs, &k, &n, BPF_NOEXIST);
		return TC_ACT_UNSPEC;
	}
	/* per-CPU races may let a few more through: a pace, not an exact count */
	__u64 tat = s->tat_ns > now ? s->tat_ns : now;
	if (tat - now > cfg->sub_tau_ns) {
		st->c[X4_OFF_SUB_RATE]++;
		return TC_ACT_SHOT;
	}
	s->tat_ns = tat + interval;
	return TC_ACT_UNSPEC;
}

static __always_inline int nat64_6to4(struct __sk_buff *skb, const struct x4_off_cfg *cfg, struct x4_off_stats *st)
{
	if (!x4_linear(skb, ETH_LEN + IP6_LEN))
		return TC_ACT_UNSPEC;
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + ETH_LEN;
	if ((void *)(ip6 + 1) > end || ip6->version != 6 || ip6->hop_limit <= 1)
		return TC_ACT_UNSPEC;
	const __u32 *d6 = (const __u32 *)&ip6->daddr, *p6 = (const __u32 *)cfg->pool6;
	if (d6[0] != p6[0] || d6[1] != p6[1] || d6[2] != p6[2])
		return TC_ACT_UNSPEC;
	__u32 payload = bpf_ntohs(ip6->payload_len);
	if (payload > 0xffff - IP4_LEN)
		return TC_ACT_UNSPEC;
	if (payload + IP6_LEN + ETH_LEN != skb->len)
		return TC_ACT_UNSPEC; /* truncated, or bytes after the packet: the stack drops or trims it */
	__u8 hop = ip6->hop_limit, tos = (__u8)(bpf_ntohl(*(const __u32 *)ip6) >> 20);

	struct x4_off_key6 k = { .dst4 = d6[3], .proto = ip6->nexthdr };
	__builtin_memcpy(k.src6, &ip6->saddr, 16);
	__u32 csum_at = 0;
	__u32 l4_hlen = 0;
	__u8 flags = 0;
	int ok = l4_check(skb, ETH_LEN + IP6_LEN, payload, k.proto, &k.sport, &k.dport, &csum_at, &l4_hlen, &flags);
	if (ok == 0)
		return to_daemon(cfg, st, k.src6, 0); /* ICMPv6, other protocols, a jumbogram */
	struct x4_off_val6 *v = bpf_map_lookup_elem(&x4_off_flows6, &k);
	if (!v) /* a flow the daemon has not handed over: new when a SYN opens it, or UDP */
		return to_daemon(cfg, st, k.src6,
				 k.proto == IPPROTO_UDP || (flags & (F_SYN | F_ACK | 0x05)) == F_SYN);
	if (ok < 0) {
		st->c[X4_OFF_PASSED]++;
		return to_daemon(cfg, st, k.src6, 0);
	}

	/* The IPv4 header, made before the IPv6 one is gone; the TTL as the stack's forwarding leaves
	 * it when the program sends the packet out itself, else the hop limit (the stack decrements). */
	struct iphdr h = { .version = 4, .ihl = 5, .protocol = k.proto, .saddr = v->src4, .daddr = k.dst4 };
	__u32 tot = payload + IP4_LEN;
	__u64 len = skb->len;
	h.tos = cfg->set_tos ? (__u8)cfg->tos : tos;
	h.tot_len = bpf_htons((__u16)tot);
	if (tot > DF_THRESHOLD || skb->gso_segs > 1) {
		h.frag_off = bpf_htons(0x4000); /* DF; ID 0: an atomic datagram */
	} else {
		h.id = bpf_htons(v->ipid);
		v->ipid++;
	}

	if (l4_rewrite(skb, ETH_LEN + IP6_LEN, csum_at, k.proto, v->csum, 0, k.sport, v->sport4) < 0 ||
	    bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0) < 0)
		return failed(st); /* half rewritten: not to be sent on */
	__u64 now = bpf_ktime_get_ns();
	int mine = 0, neigh = 0;
	h.ttl = hop;
	if (cfg->redirect) {
		/* the lookup reads the addresses from p, the length from the skb: the header can wait */
		struct bpf_fib_lookup p = { .family = 2 /* AF_INET */, .l4_protocol = k.proto, .sport = v->sport4,
					    .dport = k.dport, .tos = h.tos, .ipv4_src = h.saddr, .ipv4_dst = h.daddr,
					    .ifindex = skb->ingress_ifindex };
		mine = route(skb, &v->rt, &p, now, IP4_LEN + l4_hlen, &neigh);
		h.ttl = (__u8)(hop - mine);
	}
	h.check = x4_ip4_csum(&h);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip4 = data + ETH_LEN;
	if ((void *)(ip4 + 1) > end)
		return failed(st);
	eth->h_proto = bpf_htons(ETH_P_IP);
	__builtin_memcpy(ip4, &h, sizeof(h));
	v->last_ns = now;
	st->c[X4_OFF_PKTS6]++;
	st->c[X4_OFF_BYTES6] += len - ETH_LEN;
	return mine ? redirect(skb, &v->rt, neigh, st) : TC_ACT_OK;
}

static __always_inline int nat64_4to6(struct __sk_buff *skb, const struct x4_off_cfg *cfg, struct x4_off_stats *st)
{
	if (!x4_linear(skb, ETH_LEN + IP4_LEN))
		return TC_ACT_UNSPEC;
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip4 = data + ETH_LEN;
	if ((void *)(ip4 + 1) > end || ip4->version != 4 || ip4->ihl != 5)
		return TC_ACT_UNSPEC;
	if (ip4->ttl <= 1 || (ip4->frag_off & bpf_htons(0x3fff)))
		return TC_ACT_UNSPEC; /* fragments are the daemon's */
	__u32 tot = bpf_ntohs(ip4->tot_len);
	if (tot < IP4_LEN || tot + ETH_LEN > skb->len)
		return TC_ACT_UNSPEC;
	if (!(ip4->frag_off & bpf_htons(0x4000)) && tot + IP6_LEN - IP4_LEN > IPV6_MIN_MTU && skb->gso_segs <= 1)
		return TC_ACT_UNSPEC; /* DF clear and too big for every IPv6 path: the daemon fragments */
	if (x4_ip4_csum(ip4) != 0)
		return TC_ACT_UNSPEC; /* a bad header checksum: the daemon drops and counts it */
	__u8 tos = ip4->tos, ttl = ip4->ttl;

	struct x4_off_key4 k = { .src4 = ip4->saddr, .dst4 = ip4->daddr, .proto = ip4->protocol };
	__u32 csum_at = 0;
	__u32 l4_hlen = 0;
	__u8 flags = 0;
	int ok = l4_check(skb, ETH_LEN + IP4_LEN, tot - IP4_LEN, k.proto, &k.sport, &k.dport, &csum_at, &l4_hlen, &flags);
	if (ok == 0)
		return TC_ACT_UNSPEC;
	struct x4_off_val4 *v = bpf_map_lookup_elem(&x4_off_flows4, &k);
	if (!v)
		return TC_ACT_UNSPEC;
	if (ok < 0) {
		st->c[X4_OFF_PASSED]++;
		return TC_ACT_UNSPEC;
	}
	/* Bytes after the IPv4 packet (an Ethernet frame's padding, below 60 bytes): the stack's input
	 * would trim them, and so does the program, lest the IPv6 packet carry them */
	if (tot + ETH_LEN < skb->len && bpf_skb_change_tail(skb, tot + ETH_LEN, 0) < 0)
		return TC_ACT_UNSPEC;

	struct ipv6hdr h = { .version = 6, .nexthdr = k.proto };
	__u64 len = skb->len;
	if (cfg->zero_tclass)
		tos = 0;
	h.priority = tos >> 4;
	h.flow_lbl[0] = (__u8)(tos << 4);
	h.payload_len = bpf_htons((__u16)(tot - IP4_LEN));
	__builtin_memcpy(&h.saddr, cfg->pool6, 12);
	__builtin_memcpy((__u8 *)&h.saddr + 12, &k.src4, 4);
	__builtin_memcpy(&h.daddr, v->dst6, 16);

	if (l4_rewrite(skb, ETH_LEN + IP4_LEN, csum_at, k.proto, v->csum, 2, k.dport, v->dport6) < 0 ||
	    bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) < 0)
		return failed(st);
	__u64 now = bpf_ktime_get_ns();
	int mine = 0, neigh = 0;
	if (cfg->redirect) {
		struct bpf_fib_lookup p = { .family = 10 /* AF_INET6 */, .l4_protocol = k.proto, .sport = k.sport,
					    .dport = v->dport6, .ifindex = skb->ingress_ifindex };
		__builtin_memcpy(p.ipv6_src, &h.saddr, 16);
		__builtin_memcpy(p.ipv6_dst, &h.daddr, 16);
		mine = route(skb, &v->rt, &p, now, IP6_LEN + l4_hlen, &neigh);
	}
	h.hop_limit = (__u8)(ttl - mine); /* or the stack's forwarding decrements it */
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct ipv6hdr *ip6 = data + ETH_LEN;
	if ((void *)(ip6 + 1) > end)
		return failed(st);
	eth->h_proto = bpf_htons(ETH_P_IPV6);
	__builtin_memcpy(ip6, &h, sizeof(h));
	v->last_ns = now;
	st->c[X4_OFF_PKTS4]++;
	st->c[X4_OFF_BYTES4] += len - ETH_LEN;
	return mine ? redirect(skb, &v->rt, neigh, st) : TC_ACT_OK;
}

/* The one program, on every interface given to the daemon: each packet goes to the half of its
 * family, and whatever is not translated goes on to the next filter, if any, and to the stack. */
SEC("tc")
int x4_nat64(struct __sk_buff *skb)
{
	__u32 zero = 0;
	const struct x4_off_cfg *cfg = bpf_map_lookup_elem(&x4_off_cfg, &zero);
	struct x4_off_stats *st = stats();
	if (!cfg || !cfg->enabled || !st)
		return TC_ACT_UNSPEC;
	if (skb->protocol == bpf_htons(ETH_P_IPV6))
		return nat64_6to4(skb, cfg, st);
	if (skb->protocol == bpf_htons(ETH_P_IP))
		return nat64_4to6(skb, cfg, st);
	return TC_ACT_UNSPEC;
}

char _license[] SEC("license") = "GPL";
