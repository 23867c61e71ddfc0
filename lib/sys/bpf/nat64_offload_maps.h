/* The maps shared by the NAT64 offload's TC programs (nat64_offload.bpf.c) and their loader
 * (lib/sys/nat64_offload.c): one layout, compiled both for BPF and for the daemon. Addresses and
 * ports are in network byte order, as they lie in the packet.
 *
 * An entry exists for each session of `xlat464 plat` that lib/nat64 lets the kernel carry (an
 * established TCP session, a UDP session); the programs translate its packets in the kernel and
 * write down when they last did, and everything else (no entry, TCP SYN/FIN/RST, fragments, options,
 * extension headers, ICMP, hop limit or TTL running out, ...) goes on to the TUN as before. */
#ifndef XLAT464_SYS_BPF_NAT64_OFFLOAD_H
#define XLAT464_SYS_BPF_NAT64_OFFLOAD_H

#include <linux/types.h>

#define X4_OFFLOAD_MAX_FLOWS 65536

/* One entry of the array x4_off_cfg. */
struct x4_off_cfg {
	__u8 pool6[12];    /* the /96 prefix (RFC 6052) */
	__u32 enabled;     /* 0: every packet goes on untouched */
	__u32 redirect;    /* 1: a translated packet is sent out by the program itself (bpf_fib_lookup,
			    * bpf_redirect), not by the stack's forwarding, and so not seen by netfilter */
	__u32 zero_tclass; /* RFC 7915 section 4.1: the IPv6 traffic class 0, not the TOS */
	__u32 set_tos;     /* RFC 7915 section 5.1: the IPv4 TOS tos, not the traffic class */
	__u32 tos;
	/* Per-subscriber limits on what goes on to the TUN (x4_off_subs): a subscriber is the source's
	 * first sub_len bits (64 or 128); its packets for the daemon are paced to one per
	 * sub_interval_ns with a burst of sub_tau_ns (GCRA; interval 0: no pacing). */
	__u32 sub_len;
	__u32 pad;
	__u64 sub_interval_ns;
	__u64 sub_tau_ns;
};

/* x4_off_subs: what the program knows of a subscriber (LRU: the idle ones make room). */
#define X4_OFF_MAX_SUBS 65536
struct x4_off_sub_key {
	__u8 prefix[16];   /* the source address, zero past sub_len */
};
struct x4_off_sub {
	__u64 tat_ns;         /* GCRA's theoretical arrival time of its next packet for the daemon */
	__u64 held_until_ns;  /* set by the daemon when it refused the subscriber's new flow for a
			       * per-subscriber limit: until then, new flows (a TCP SYN, UDP not in the
			       * maps) are dropped here, before the TUN */
};

/* Where the program last found a flow's translated packets to go (bpf-redirect): looked up again
 * when older than X4_OFF_ROUTE_NS, so that a route or neighbour change reaches the flow within it. */
#define X4_OFF_ROUTE_NS 1000000000ull
struct x4_off_route {
	__u64 at_ns;       /* when it was looked up; 0 never */
	__u32 ifindex;     /* the egress interface */
	__u16 mtu;         /* its MTU */
	__u8 dmac[6], smac[6];
	__u8 pad[2];
};

/* x4_off_flows6: a packet from the IPv6 client. dst4 is the last 32 bits of its destination. */
struct x4_off_key6 {
	__u8 src6[16];
	__u32 dst4;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};
struct x4_off_val6 {
	__u32 src4;        /* the binding's pool address */
	__u16 sport4;      /* and port */
	__u16 ipid;        /* the next IPv4 Identification of a packet that may be fragmented */
	__u32 csum;        /* the pseudo-header's change, IPv6 addresses to IPv4 (a __wsum, as
			    * bpf_csum_diff gives it), for bpf_l4_csum_replace */
	__u32 pad;
	__u64 last_ns;     /* bpf_ktime_get_ns() of the last packet translated */
	struct x4_off_route rt;
};

/* x4_off_flows4: a packet from the IPv4 peer (src4) to the binding (dst4). */
struct x4_off_key4 {
	__u32 src4, dst4;
	__u16 sport, dport;
	__u8 proto;
	__u8 pad[3];
};
struct x4_off_val4 {
	__u8 dst6[16];     /* the IPv6 client */
	__u16 dport6;      /* and its port */
	__u16 pad;
	__u32 csum;        /* the pseudo-header's change, IPv4 addresses to IPv6 */
	__u64 last_ns;
	struct x4_off_route rt;
};

/* x4_off_stats, one struct x4_off_stats per CPU: what the program did. */
enum x4_off_counter {
	X4_OFF_PKTS6,      /* IPv6 packets translated to IPv4 */
	X4_OFF_BYTES6,     /* their IPv6 bytes (a super-packet counts whole) */
	X4_OFF_PKTS4,      /* IPv4 packets translated to IPv6 */
	X4_OFF_BYTES4,
	X4_OFF_PASSED,     /* packets of a flow in the maps left to the TUN (SYN, FIN, RST, ...) */
	X4_OFF_FAILED,     /* dropped: a kernel helper refused a packet half rewritten */
	X4_OFF_REDIRECTED, /* translated packets the program sent out itself (redirect) */
	X4_OFF_SUB_HELD,   /* new flows dropped: their subscriber is held (held_until_ns) */
	X4_OFF_SUB_RATE,   /* packets for the daemon dropped: their subscriber is over its pace */
	X4_OFF_NCOUNTERS
};
struct x4_off_stats {
	__u64 c[X4_OFF_NCOUNTERS];
};

#endif
