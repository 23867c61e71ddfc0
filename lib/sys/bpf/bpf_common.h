/* Helpers the TC programs of the kernel fast paths share (nat64_offload.bpf.c, clat_offload.bpf.c).
 * BPF code: included by the programs only. */
#ifndef XLAT464_SYS_BPF_COMMON_H
#define XLAT464_SYS_BPF_COMMON_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#define X4_IP4_HDR_LEN 20

/* The one's-complement checksum of a 20-byte IPv4 header (its checksum field zero or not). */
static __always_inline __u16 x4_ip4_csum(const void *hdr)
{
	const __u16 *w = hdr;
	__u32 s = 0;
#pragma unroll
	for (int i = 0; i < X4_IP4_HDR_LEN / 2; i++)
		s += w[i];
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

/* The first need bytes of the packet in the linear part of the skb (pulled there when they are
 * not; every packet pointer must be read again afterwards). */
static __always_inline int x4_linear(struct __sk_buff *skb, __u32 need)
{
	if ((void *)(long)skb->data + need <= (void *)(long)skb->data_end)
		return 1;
	return skb->len >= need && bpf_skb_pull_data(skb, need) == 0;
}

#endif
