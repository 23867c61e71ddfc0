/* The kernel fast path of `xlat464 clat`: two TC programs that translate the CLAT's common packets
 * in the kernel, so that a bulk TCP or UDP flow of the host never crosses the TUN to the daemon.
 * The daemon stays the CLAT: it owns the address, the prefix and the TUN, and translates whatever
 * the programs leave alone (clat_offload.h says where each goes). Both directions produce exactly
 * what lib/xlat produces for the same packet (fuzz/fuzz_clat_bpf.c and tests/bpf/clat_diff.c run
 * the programs against it), but for the IPv4 Identification of a packet that may be fragmented,
 * which comes from a counter of its own.
 *
 * egress, at the TUN (RFC 7915 section 4), takes an IPv4 packet from 192.0.0.1 (the host, or a
 * tethered client after its NAT44) with a 20-byte header and a correct checksum, not a fragment, to
 * an address that is not special, carrying TCP, UDP with a checksum or an ICMP echo, whose IPv6 form
 * fits the uplink (with DF; without DF it must fit lowest-ipv6-mtu, or the daemon fragments it). The
 * IPv6 header gets TOS as traffic class, TTL as hop limit unchanged (a host CLAT is no router hop),
 * the CLAT address as source and the destination under the PLAT prefix (RFC 6052, any length). The
 * transport checksum is adjusted for the pseudo-header (RFC 1624; ICMPv6 adds one, section 4.2). The
 * packet leaves by the uplink: on Ethernet through bpf_redirect_neigh, which routes it and resolves
 * the next hop as the kernel's own output would; on a layer-3 link (raw IP, PPP) straight out.
 *
 * ingress, at the uplink (RFC 7915 section 5), takes an IPv6 packet to the CLAT address from the
 * PLAT prefix (u-octet and suffix zero) with no extension header, carrying TCP, UDP with a checksum
 * or an ICMPv6 echo, that fits the TUN; in the shared mode only the CLAT's ports. The IPv4 header gets
 * the traffic class as TOS, the hop limit as TTL, DF above 1260 bytes (section 5.1; ID 0 then, RFC
 * 6864 section 4.1) and a fresh ID below. The packet is delivered as if it came out of the TUN
 * (bpf_redirect with BPF_F_INGRESS), where the daemon would have written it.
 *
 * GSO and GRO super-packets stay whole: bpf_skb_change_proto changes their type, and the TUN's MTU
 * (the uplink's less 20) keeps each segment within the uplink's. A packet a program leaves alone is
 * counted under its reason and goes on unchanged (TC_ACT_UNSPEC). Every read is bounds-checked (the
 * verifier refuses the program otherwise). */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/pkt_cls.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "bpf_common.h"

#include "clat_offload_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct x4_clat_cfg);
} x4_clat_cfg SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct x4_clat_stats);
} x4_clat_stats SEC(".maps");

#define ETH_LEN 14
#define IP4_LEN 20
#define IP6_LEN 40
#define IPPROTO_ICMP6 58
#define DF_THRESHOLD 1260 /* RFC 7915 section 5.1: up to 1260 bytes the IPv4 packet leaves without DF */
#define IP4_DF 0x4000
#define IP4_MF_OFFSET 0x3fff
#define TCP_MIN 20
#define UDP_LEN 8
#define ICMP_LEN 8
#define TCP_CSUM_OFF 16
#define UDP_CSUM_OFF 6
#define ICMP_CSUM_OFF 2
#define ICMP4_ECHO_REPLY 0
#define ICMP4_ECHO_REQUEST 8
#define ICMP6_ECHO_REQUEST 128
#define ICMP6_ECHO_REPLY 129

static __always_inline int pass(struct x4_clat_stats *st, int why)
{
	st->c[why]++;
	return TC_ACT_UNSPEC;
}

/* A helper refused a packet already half rewritten: it cannot go on, so it is dropped, and counted. */
static __always_inline int failed(struct x4_clat_stats *st)
{
	st->c[X4_CLAT_FAILED]++;
	return TC_ACT_SHOT;
}

/* As lib/xlat's fast path tests it, conservatively: 0/8, 127/8, 169/8 and 224/3 may be special
 * (xlat_v4_special); the daemon decides those. */
static __always_inline int maybe_special4(__u32 a)
{
	__u8 b0 = (__u8)(bpf_ntohl(a) >> 24);
	return b0 == 0 || b0 == 127 || b0 == 169 || b0 >= 224;
}

/* RFC 6052 section 2.2: the IPv4 address v4 under the prefix (bits past the prefix, the u-octet and
 * the suffix are zero in cfg->pool6). */
static __always_inline void embed(const struct x4_clat_cfg *c, __u32 v4, __u8 out[16])
{
	__u8 b[4];
	__builtin_memcpy(b, &v4, 4);
	__builtin_memcpy(out, c->pool6, 16);
	switch (c->pool6_len) {
	case 32: out[4] = b[0]; out[5] = b[1]; out[6] = b[2]; out[7] = b[3]; break;
	case 40: out[5] = b[0]; out[6] = b[1]; out[7] = b[2]; out[9] = b[3]; break;
	case 48: out[6] = b[0]; out[7] = b[1]; out[9] = b[2]; out[10] = b[3]; break;
	case 56: out[7] = b[0]; out[9] = b[1]; out[10] = b[2]; out[11] = b[3]; break;
	case 64: out[9] = b[0]; out[10] = b[1]; out[11] = b[2]; out[12] = b[3]; break;
	default: out[12] = b[0]; out[13] = b[1]; out[14] = b[2]; out[15] = b[3]; break;
	}
}

/* The reverse, for an address already known to lie under the prefix with the zero bits zero. */
static __always_inline __u32 extract(const struct x4_clat_cfg *c, const __u8 a[16])
{
	__u8 b[4];
	switch (c->pool6_len) {
	case 32: b[0] = a[4]; b[1] = a[5]; b[2] = a[6]; b[3] = a[7]; break;
	case 40: b[0] = a[5]; b[1] = a[6]; b[2] = a[7]; b[3] = a[9]; break;
	case 48: b[0] = a[6]; b[1] = a[7]; b[2] = a[9]; b[3] = a[10]; break;
	case 56: b[0] = a[7]; b[1] = a[9]; b[2] = a[10]; b[3] = a[11]; break;
	case 64: b[0] = a[9]; b[1] = a[10]; b[2] = a[11]; b[3] = a[12]; break;
	default: b[0] = a[12]; b[1] = a[13]; b[2] = a[14]; b[3] = a[15]; break;
	}
	__u32 v4;
	__builtin_memcpy(&v4, b, 4);
	return v4;
}

/* Is the IPv6 address under the PLAT prefix, with the u-octet and suffix zero? */
static __always_inline int under_pool6(const struct x4_clat_cfg *c, const __u32 w[4])
{
	const __u32 *p = (const __u32 *)c->pool6;
#pragma unroll
	for (int i = 0; i < 4; i++)
		if ((w[i] & c->pool6_mask[i]) != p[i] || (w[i] & c->pool6_zero[i]))
			return 0;
	return 1;
}

/* The IPv6 pseudo-header of RFC 8200 section 8.1 for ICMPv6, and the first word of an ICMP header
 * (type, code, checksum zero), laid out for bpf_csum_diff. */
struct icmp6_pseudo {
	__u8 src[16], dst[16];
	__u32 len;
	__u8 zero[3], next;
	__u8 type, code, csum[2];
};

/* Each field of the context read on its own: the verifier refuses a computed offset into it. */
static __always_inline __u32 gso_segs(const struct __sk_buff *skb)
{
	__u32 v = skb->gso_segs;
	__asm__ volatile("" : "+r"(v));
	return v;
}
static __always_inline __u32 gso_size(const struct __sk_buff *skb)
{
	__u32 v = skb->gso_size;
	__asm__ volatile("" : "+r"(v));
	return v;
}

/* ---- egress: IPv4 from the host into the TUN, to IPv6 out of the uplink ------------------------- */

static __always_inline int clat_4to6(struct __sk_buff *skb, const __u32 l2)
{
	__u32 zero = 0;
	const struct x4_clat_cfg *cfg = bpf_map_lookup_elem(&x4_clat_cfg, &zero);
	struct x4_clat_stats *st = bpf_map_lookup_elem(&x4_clat_stats, &zero);
	if (!cfg || !st || !cfg->enabled)
		return TC_ACT_UNSPEC;
	if (skb->protocol != bpf_htons(ETH_P_IP))
		return pass(st, X4_CLAT_PASS_NOT_OURS); /* the odd IPv6 packet the kernel sends on any link */
	if (!x4_linear(skb, l2 + IP4_LEN))
		return pass(st, X4_CLAT_PASS_HEADER);
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct iphdr *ip4 = data + l2;
	if ((void *)(ip4 + 1) > end)
		return pass(st, X4_CLAT_PASS_HEADER);
	if (ip4->saddr != cfg->clat4)
		return pass(st, X4_CLAT_PASS_NOT_OURS);
	if (ip4->version != 4 || ip4->ihl != 5)
		return pass(st, X4_CLAT_PASS_HEADER); /* options: the daemon skips them (section 4.1) */
	__u32 tot = bpf_ntohs(ip4->tot_len);
	if (tot < IP4_LEN || tot + l2 != skb->len || x4_ip4_csum(ip4) != 0)
		return pass(st, X4_CLAT_PASS_HEADER);
	if (ip4->frag_off & bpf_htons(IP4_MF_OFFSET))
		return pass(st, X4_CLAT_PASS_FRAGMENT);
	__u32 dst4 = ip4->daddr, src4 = ip4->saddr;
	if (maybe_special4(dst4) || dst4 == cfg->clat4)
		return pass(st, X4_CLAT_PASS_ADDRESS);
	int df = (ip4->frag_off & bpf_htons(IP4_DF)) != 0;
	__u8 proto = ip4->protocol, tos = ip4->tos, ttl = ip4->ttl;
	__u32 l4min = proto == IPPROTO_TCP ? TCP_MIN : proto == IPPROTO_UDP ? UDP_LEN : ICMP_LEN;
	if (proto != IPPROTO_TCP && proto != IPPROTO_UDP && proto != IPPROTO_ICMP)
		return pass(st, X4_CLAT_PASS_PROTO);
	if (tot - IP4_LEN < l4min || !x4_linear(skb, l2 + IP4_LEN + l4min))
		return pass(st, X4_CLAT_PASS_HEADER);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	__u8 *l4 = data + l2 + IP4_LEN;
	if ((void *)(l4 + ICMP_LEN) > end)
		return pass(st, X4_CLAT_PASS_HEADER);
	__u32 l4hdr = UDP_LEN;
	__u8 type4 = l4[0], code = l4[1];
	if (proto == IPPROTO_TCP) {
		if ((void *)(l4 + TCP_MIN) > end)
			return pass(st, X4_CLAT_PASS_HEADER);
		l4hdr = (__u32)(l4[12] >> 4) * 4;
	} else if (proto == IPPROTO_UDP) {
		if (l4[UDP_CSUM_OFF] == 0 && l4[UDP_CSUM_OFF + 1] == 0)
			return pass(st, X4_CLAT_PASS_PROTO); /* no checksum: the daemon computes one */
	} else if (type4 != ICMP4_ECHO_REQUEST && type4 != ICMP4_ECHO_REPLY) {
		return pass(st, X4_CLAT_PASS_PROTO); /* errors and the rest: the daemon (section 4.2) */
	}

	/* Section 4.1: with DF the IPv6 packet (each segment of a super-packet) must fit the uplink,
	 * else the daemon answers Fragmentation Needed; without DF it must fit lowest-ipv6-mtu, else the
	 * daemon fragments it. */
	__u32 out_len = tot + IP6_LEN - IP4_LEN, segs = gso_segs(skb);
	if (df) {
		if (segs > 1 ? IP6_LEN + l4hdr + gso_size(skb) > cfg->mtu6 : out_len > cfg->mtu6)
			return pass(st, X4_CLAT_PASS_SIZE);
	} else if (segs > 1 || out_len > cfg->lowest_mtu6 || out_len > cfg->mtu6) {
		return pass(st, X4_CLAT_PASS_FRAGMENT);
	}

	/* The IPv6 header, made before the IPv4 one is gone. */
	struct ipv6hdr h = { .version = 6, .nexthdr = proto == IPPROTO_ICMP ? IPPROTO_ICMP6 : proto, .hop_limit = ttl };
	h.priority = tos >> 4;
	h.flow_lbl[0] = (__u8)(tos << 4);
	h.payload_len = bpf_htons((__u16)(tot - IP4_LEN));
	__builtin_memcpy(&h.saddr, cfg->clat6, 16);
	embed(cfg, dst4, (__u8 *)&h.daddr);

	/* The transport checksum (RFC 1624): TCP and UDP for the pseudo-header's addresses; ICMPv6 adds
	 * a pseudo-header and the type changes (section 4.2). */
	__u32 l4off = l2 + IP4_LEN;
	if (proto == IPPROTO_ICMP) {
		struct icmp6_pseudo ph = { .next = IPPROTO_ICMP6, .type = type4 == ICMP4_ECHO_REQUEST ? ICMP6_ECHO_REQUEST : ICMP6_ECHO_REPLY,
					   .code = code };
		__u8 old[4] = { type4, code, 0, 0 };
		__builtin_memcpy(ph.src, &h.saddr, 16);
		__builtin_memcpy(ph.dst, &h.daddr, 16);
		ph.len = bpf_htonl(tot - IP4_LEN);
		__s64 d = bpf_csum_diff((__be32 *)old, 4, (__be32 *)&ph, sizeof(ph), 0);
		__u8 *t = data + l4off;
		if (d < 0 || (void *)(t + 1) > end)
			return pass(st, X4_CLAT_PASS_HEADER);
		*t = ph.type;
		if (bpf_l4_csum_replace(skb, l4off + ICMP_CSUM_OFF, 0, (__u32)d, 0) < 0)
			return failed(st);
	} else {
		__u32 a4[2] = { src4, dst4 };
		__s64 d = bpf_csum_diff(a4, 8, (__be32 *)&h.saddr, 32, 0);
		__u64 flags = BPF_F_PSEUDO_HDR | (proto == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0);
		if (d < 0)
			return pass(st, X4_CLAT_PASS_HEADER);
		if (bpf_l4_csum_replace(skb, l4off + (proto == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF), 0, (__u32)d,
					flags) < 0)
			return failed(st);
	}
	if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IPV6), 0) < 0)
		return failed(st);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + l2;
	if ((void *)(ip6 + 1) > end)
		return failed(st);
	__builtin_memcpy(ip6, &h, sizeof(h));
	if (l2) {
		struct ethhdr *eth = data;
		if ((void *)(eth + 1) > end)
			return failed(st);
		eth->h_proto = bpf_htons(ETH_P_IPV6);
	}
	st->c[X4_CLAT_PKTS_4TO6]++;
	st->c[X4_CLAT_BYTES_4TO6] += tot;
	if (!cfg->uplink_eth)
		return (int)bpf_redirect(cfg->uplink_ifindex, 0);
	/* Ethernet: the kernel routes the packet out of the uplink and fills in the next hop's address
	 * (a route lookup and the neighbour table, resolving it when needed), as for its own output. The
	 * helper takes the packet with a link-layer header in front, to replace. */
	if (!l2 && bpf_skb_change_head(skb, ETH_LEN, 0) < 0)
		return failed(st);
	if (cfg->has_gw) { /* the daemon looked the route up: its gateway is the next hop */
		struct bpf_redir_neigh nh = { .nh_family = 10 /* AF_INET6 */ };
		__builtin_memcpy(nh.ipv6_nh, cfg->gw6, 16);
		return (int)bpf_redirect_neigh(cfg->uplink_ifindex, &nh, sizeof(nh), 0);
	}
	return (int)bpf_redirect_neigh(cfg->uplink_ifindex, NULL, 0, 0);
}

/* ---- ingress: IPv6 from the uplink, to IPv4 into the host as out of the TUN --------------------- */

static __always_inline int clat_6to4(struct __sk_buff *skb, const __u32 l2)
{
	__u32 zero = 0;
	const struct x4_clat_cfg *cfg = bpf_map_lookup_elem(&x4_clat_cfg, &zero);
	struct x4_clat_stats *st = bpf_map_lookup_elem(&x4_clat_stats, &zero);
	if (!cfg || !st || !cfg->enabled || !cfg->tun_ifindex)
		return TC_ACT_UNSPEC;
	if (skb->protocol != bpf_htons(ETH_P_IPV6))
		return TC_ACT_UNSPEC; /* the uplink's other traffic: not counted */
	if (!x4_linear(skb, l2 + IP6_LEN))
		return TC_ACT_UNSPEC;
	void *data = (void *)(long)skb->data, *end = (void *)(long)skb->data_end;
	struct ipv6hdr *ip6 = data + l2;
	if ((void *)(ip6 + 1) > end)
		return TC_ACT_UNSPEC;
	const __u32 *d6 = (const __u32 *)&ip6->daddr, *c6 = (const __u32 *)cfg->clat6;
	if (d6[0] != c6[0] || d6[1] != c6[1] || d6[2] != c6[2] || d6[3] != c6[3])
		return TC_ACT_UNSPEC; /* not for the CLAT address: not counted either */
	if (ip6->version != 6)
		return pass(st, X4_CLAT_PASS_HEADER);
	__u32 plen = bpf_ntohs(ip6->payload_len);
	if (plen == 0 || plen > 0xffff - IP4_LEN || plen + IP6_LEN + l2 != skb->len)
		return pass(st, X4_CLAT_PASS_HEADER); /* a jumbogram, truncated, or bytes after the packet */
	__u32 s6[4];
	__builtin_memcpy(s6, &ip6->saddr, 16);
	if (!under_pool6(cfg, s6))
		return pass(st, X4_CLAT_PASS_NOT_OURS); /* not from the PLAT: the daemon decides */
	__u32 src4 = extract(cfg, (const __u8 *)s6);
	if (maybe_special4(src4))
		return pass(st, X4_CLAT_PASS_ADDRESS);
	__u8 next = ip6->nexthdr, hop = ip6->hop_limit;
	__u8 tos = (__u8)(bpf_ntohl(*(const __u32 *)ip6) >> 20);
	if (next == 44)
		return pass(st, X4_CLAT_PASS_FRAGMENT);
	if (next != IPPROTO_TCP && next != IPPROTO_UDP && next != IPPROTO_ICMP6)
		return pass(st, next == 0 || next == 43 || next == 60 || next == 51 || next == 50 || next == 135 ||
					next == 139 || next == 140 || next == 253 || next == 254
				? X4_CLAT_PASS_HEADER
				: X4_CLAT_PASS_PROTO);
	__u32 l4min = next == IPPROTO_TCP ? TCP_MIN : next == IPPROTO_UDP ? UDP_LEN : ICMP_LEN;
	if (plen < l4min || !x4_linear(skb, l2 + IP6_LEN + l4min))
		return pass(st, X4_CLAT_PASS_HEADER);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	__u32 l4off = l2 + IP6_LEN;
	__u8 *l4 = data + l4off;
	if ((void *)(l4 + ICMP_LEN) > end)
		return pass(st, X4_CLAT_PASS_HEADER);
	__u8 type6 = l4[0], code = l4[1];
	__u16 port;
	if (next == IPPROTO_UDP && l4[UDP_CSUM_OFF] == 0 && l4[UDP_CSUM_OFF + 1] == 0)
		return pass(st, X4_CLAT_PASS_PROTO);
	if (next == IPPROTO_ICMP6 && type6 != ICMP6_ECHO_REQUEST && type6 != ICMP6_ECHO_REPLY)
		return pass(st, X4_CLAT_PASS_PROTO); /* errors and the rest: the daemon (section 5.2) */
	if (cfg->port_hi) {
		/* The shared mode: the address is the host's; of its traffic the CLAT's ports only. */
		port = bpf_ntohs(next == IPPROTO_ICMP6 ? *(__u16 *)(l4 + 4) : *(__u16 *)(l4 + 2));
		if ((next == IPPROTO_ICMP6 && type6 != ICMP6_ECHO_REPLY) || port < cfg->port_lo || port > cfg->port_hi)
			return pass(st, X4_CLAT_PASS_SHARED);
	}
	__u32 out_len = plen + IP4_LEN;
	if (gso_segs(skb) <= 1 && out_len > cfg->mtu4)
		return pass(st, X4_CLAT_PASS_SIZE); /* the daemon answers Packet Too Big (section 5.1) */

	/* The IPv4 header, made while the IPv6 one is still there. */
	int df = out_len > DF_THRESHOLD;
	struct iphdr h = { .version = 4, .ihl = 5, .tos = tos, .ttl = hop, .saddr = src4, .daddr = cfg->clat4 };
	h.protocol = next == IPPROTO_ICMP6 ? IPPROTO_ICMP : next;
	h.tot_len = bpf_htons((__u16)out_len);
	if (df)
		h.frag_off = bpf_htons(IP4_DF); /* ID 0: an atomic datagram (RFC 6864 section 4.1) */
	else
		h.id = bpf_htons((__u16)st->ipv4_id++);
	h.check = x4_ip4_csum(&h);

	/* The transport checksum: the pseudo-header's addresses (TCP, UDP); ICMPv6's pseudo-header and
	 * the type leave (section 5.2). Each change through the helper that knows its kind, so that
	 * skb->csum stays right for CHECKSUM_COMPLETE and the partial sum for CHECKSUM_PARTIAL. */
	if (next == IPPROTO_ICMP6) {
		struct icmp6_pseudo ph = { .next = IPPROTO_ICMP6 };
		__builtin_memcpy(ph.src, s6, 16);
		__builtin_memcpy(ph.dst, cfg->clat6, 16);
		ph.len = bpf_htonl(plen);
		__s64 d = bpf_csum_diff((__be32 *)&ph, 40, NULL, 0, 0);
		__u8 type4 = type6 == ICMP6_ECHO_REQUEST ? ICMP4_ECHO_REQUEST : ICMP4_ECHO_REPLY;
		__u16 was = (__u16)(type6 << 8 | code), now = (__u16)(type4 << 8 | code);
		if (d < 0)
			return pass(st, X4_CLAT_PASS_HEADER);
		l4[0] = type4;
		if (bpf_l4_csum_replace(skb, l4off + ICMP_CSUM_OFF, 0, (__u32)d, BPF_F_PSEUDO_HDR) < 0 ||
		    bpf_l4_csum_replace(skb, l4off + ICMP_CSUM_OFF, bpf_htons(was), bpf_htons(now), 2) < 0)
			return failed(st);
	} else {
		__u32 a4[2] = { src4, cfg->clat4 }, a6[8];
		__builtin_memcpy(a6, s6, 16);
		__builtin_memcpy(&a6[4], cfg->clat6, 16);
		__s64 d = bpf_csum_diff(a6, 32, a4, 8, 0);
		__u64 flags = BPF_F_PSEUDO_HDR | (next == IPPROTO_UDP ? BPF_F_MARK_MANGLED_0 : 0);
		if (d < 0)
			return pass(st, X4_CLAT_PASS_HEADER);
		if (bpf_l4_csum_replace(skb, l4off + (next == IPPROTO_TCP ? TCP_CSUM_OFF : UDP_CSUM_OFF), 0, (__u32)d,
					flags) < 0)
			return failed(st);
	}
	/* What stays of the IPv6 header after the helper takes 20 bytes off its front (bytes 20-39: the
	 * source's last word and the destination), for CHECKSUM_COMPLETE's sum below. */
	__u32 tail[5];
	tail[0] = s6[3];
	__builtin_memcpy(&tail[1], cfg->clat6, 16);
	if (bpf_skb_change_proto(skb, bpf_htons(ETH_P_IP), 0) < 0)
		return failed(st);
	data = (void *)(long)skb->data;
	end = (void *)(long)skb->data_end;
	struct iphdr *ip4 = data + l2;
	if ((void *)(ip4 + 1) > end)
		return failed(st);
	__builtin_memcpy(ip4, &h, sizeof(h));
	/* skb->csum of a CHECKSUM_COMPLETE packet covers those 20 bytes, now the IPv4 header (the helper
	 * refuses any other kind of packet, which needs nothing). */
	__s64 d = bpf_csum_diff(tail, sizeof(tail), (__be32 *)&h, sizeof(h), 0);
	if (d >= 0)
		bpf_csum_update(skb, (__u32)d);
	if (l2) {
		struct ethhdr *eth = data;
		if ((void *)(eth + 1) > end)
			return failed(st);
		eth->h_proto = bpf_htons(ETH_P_IP);
	}
	st->c[X4_CLAT_PKTS_6TO4]++;
	st->c[X4_CLAT_BYTES_6TO4] += plen + IP6_LEN;
	return (int)bpf_redirect(cfg->tun_ifindex, BPF_F_INGRESS);
}

/* The TUN has no link-layer header; the _eth variant exists for BPF_PROG_TEST_RUN, which always
 * hands a program an Ethernet frame (the differential tests). */
SEC("tc")
int x4_clat_egress(struct __sk_buff *skb) { return clat_4to6(skb, 0); }
SEC("tc")
int x4_clat_egress_eth(struct __sk_buff *skb) { return clat_4to6(skb, ETH_LEN); }
/* At the uplink: Ethernet and Wi-Fi, or a layer-3 link (raw IP, PPP: no header). */
SEC("tc")
int x4_clat_ingress_eth(struct __sk_buff *skb) { return clat_6to4(skb, ETH_LEN); }
SEC("tc")
int x4_clat_ingress_l3(struct __sk_buff *skb) { return clat_6to4(skb, 0); }

char _license[] SEC("license") = "GPL";
