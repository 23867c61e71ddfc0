/* The queue of the PLAT's multi-queue TUN for a packet the kernel routes into it
 * (TUNSETSTEERINGEBPF): the queue of the lib/nat64 instance that owns the packet's state, so that
 * each worker sees only its own subscribers and its own share of the pool's ports.
 *   IPv6 (from a client): the instance of its subscriber, the source's first sub_len bits hashed
 *     as nat64_instance_of_v6 does (FNV-1a, unkeyed, so that every instance agrees).
 *   IPv4 (to the pool): the instance owning the destination port (the echo identifier of an ICMP
 *     echo reply), (port / unit) % n as nat64_instance_of_port; an ICMP error goes by the quoted
 *     packet's source port (its binding). A packet with no port (a later fragment, another
 *     protocol) goes to queue 0.
 * Bounds-checked loads only (bpf_skb_load_bytes); the packet starts at its IP header. */
#include <linux/bpf.h>
#include <linux/in.h>

#include <bpf/bpf_endian.h>
#include <bpf/bpf_helpers.h>

#include "tun_steer_maps.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct x4_steer_cfg);
} x4_steer_cfg SEC(".maps");

static __always_inline __u32 of_port(const struct x4_steer_cfg *c, __u16 port)
{
	return c->unit ? ((__u32)port / c->unit) % c->n : 0;
}

/* The identifier of a TCP or UDP header (sport or dport) or of an ICMP echo at off. */
static __always_inline int l4_id(struct __sk_buff *skb, __u32 off, __u8 proto, int want_src, __u16 *id)
{
	__u8 b[6];
	if (bpf_skb_load_bytes(skb, off, b, 6) < 0)
		return -1;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		*id = want_src ? (__u16)(b[0] << 8 | b[1]) : (__u16)(b[2] << 8 | b[3]);
		return 0;
	}
	if (proto == IPPROTO_ICMP && (b[0] == 0 || b[0] == 8)) { /* echo reply or request */
		*id = (__u16)(b[4] << 8 | b[5]);
		return 0;
	}
	return -1;
}

static __always_inline __u32 steer4(struct __sk_buff *skb, const struct x4_steer_cfg *c)
{
	__u8 h[20];
	if (bpf_skb_load_bytes(skb, 0, h, 20) < 0)
		return 0;
	__u32 ihl = (__u32)(h[0] & 0xf) * 4;
	if (ihl < 20 || (((__u16)(h[6] & 0x1f) << 8 | h[7]) != 0))
		return 0; /* a later fragment: no port */
	__u8 proto = h[9];
	__u16 id;
	if (proto == IPPROTO_ICMP) {
		__u8 t;
		if (bpf_skb_load_bytes(skb, ihl, &t, 1) < 0)
			return 0;
		if (t == 3 || t == 11 || t == 12) { /* an error: the quoted packet left through its binding */
			__u8 q[20];
			__u32 qoff = ihl + 8;
			if (bpf_skb_load_bytes(skb, qoff, q, 20) < 0)
				return 0;
			__u32 qihl = (__u32)(q[0] & 0xf) * 4;
			if (qihl < 20 || l4_id(skb, qoff + qihl, q[9], 1, &id) < 0)
				return 0;
			return of_port(c, id);
		}
	}
	if (l4_id(skb, ihl, proto, 0, &id) < 0)
		return 0;
	return of_port(c, id);
}

static __always_inline __u32 steer6(struct __sk_buff *skb, const struct x4_steer_cfg *c)
{
	__u8 src[16];
	if (bpf_skb_load_bytes(skb, 8, src, 16) < 0)
		return 0;
	__u32 len = c->sub_len ? c->sub_len : 64;
#pragma unroll
	for (int i = 0; i < 16; i++) { /* zero past the subscriber's prefix */
		__u32 bit = (__u32)i * 8;
		if (bit >= len)
			src[i] = 0;
		else if (bit + 8 > len)
			src[i] &= (__u8)(0xff << (8 - (len - bit)));
	}
	__u64 h = 0xcbf29ce484222325ULL;
#pragma unroll
	for (int i = 0; i < 16; i++)
		h = (h ^ src[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	return (__u32)(h % c->n);
}

SEC("socket")
int x4_tun_steer(struct __sk_buff *skb)
{
	__u32 zero = 0;
	const struct x4_steer_cfg *c = bpf_map_lookup_elem(&x4_steer_cfg, &zero);
	if (!c || c->n <= 1)
		return 0;
	__u8 v;
	if (bpf_skb_load_bytes(skb, 0, &v, 1) < 0)
		return 0;
	if (v >> 4 == 6)
		return (int)steer6(skb, c);
	if (v >> 4 == 4)
		return (int)steer4(skb, c);
	return 0;
}

char _license[] SEC("license") = "GPL";
