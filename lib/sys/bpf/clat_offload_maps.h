/* The map shared by the CLAT's kernel fast path (clat_offload.bpf.c) and its loader
 * (lib/sys/clat_offload.c): one layout, compiled both for BPF and for the daemon. Addresses are in
 * network byte order, as they lie in the packet.
 *
 * Two TC programs translate the common packets of `xlat464 clat` in the kernel:
 *   egress  at the egress of the CLAT's TUN: IPv4 the host sends into the TUN becomes IPv6 and is
 *           sent out of the uplink (RFC 7915 section 4);
 *   ingress at the ingress of the uplink: IPv6 for the CLAT address from the PLAT prefix becomes
 *           IPv4 and is delivered to the host as if it came out of the TUN (RFC 7915 section 5).
 * Whatever they do not take goes on untouched: at the TUN's egress to the daemon's TUN read, at the
 * uplink's ingress to the stack and the daemon's packet socket, which translate it as before. */
#ifndef XLAT464_SYS_BPF_CLAT_OFFLOAD_H
#define XLAT464_SYS_BPF_CLAT_OFFLOAD_H

#include <linux/types.h>

/* The single entry of the array x4_clat_cfg. */
struct x4_clat_cfg {
	__u8 clat6[16];        /* the CLAT's IPv6 address (in the shared mode, the host's own) */
	__u8 pool6[16];        /* the PLAT prefix, bits past pool6_len zero */
	__u32 pool6_mask[4];   /* the prefix's bits, as words in memory order */
	__u32 pool6_zero[4];   /* bits that must be zero in an address under it: the u-octet (bits 64-71)
				* and the suffix, for prefixes shorter than /96 (RFC 6052 section 2.2) */
	__u32 pool6_len;       /* 32, 40, 48, 56, 64 or 96 */
	__u32 clat4;           /* 192.0.0.1 */
	__u32 enabled;         /* 0: every packet goes on untouched */
	__u32 tun_ifindex;     /* where translated IPv4 is delivered; 0: no TUN (not running) */
	__u32 uplink_ifindex;  /* where translated IPv6 leaves */
	__u32 uplink_eth;      /* 1: the uplink has an Ethernet header (the kernel resolves the next hop,
				* bpf_redirect_neigh); 0: a layer-3 link (raw IP, PPP), no header */
	__u32 mtu6;            /* the uplink's IPv6 MTU (the translator's mtu6) */
	__u32 mtu4;            /* the TUN's MTU (the translator's mtu4) */
	__u32 lowest_mtu6;     /* RFC 7915 section 4.1: IPv4 without DF above this is fragmented */
	__u16 port_lo, port_hi; /* the shared mode's port range; both 0 in the dedicated mode */
	__u32 has_gw;          /* Ethernet: the route to the PLAT prefix is known, via gw6 (no lookup per packet) */
	__u8 gw6[16];
};

/* x4_clat_stats, one struct x4_clat_stats per CPU. The first block is what was translated; the
 * second why a packet was left to the daemon (each packet counted once, under the first reason);
 * the last, packets dropped because a kernel helper refused a packet already half rewritten. */
#define X4_CLAT_COUNTERS(X)                                                                          \
	X(PKTS_4TO6, "pkts-4to6", "IPv4 packets translated to IPv6 and sent out of the uplink")         \
	X(BYTES_4TO6, "bytes-4to6", "their IPv4 bytes (a super-packet counts whole)")                    \
	X(PKTS_6TO4, "pkts-6to4", "IPv6 packets translated to IPv4 and delivered to the host")          \
	X(BYTES_6TO4, "bytes-6to4", "their IPv6 bytes")                                                  \
	X(PASS_NOT_OURS, "not-ours", "not for the CLAT: another source or destination, another family") \
	X(PASS_HEADER, "header", "IPv4 options, IPv6 extension headers, a length or checksum to check")  \
	X(PASS_FRAGMENT, "fragment", "fragments, and packets without DF to fragment")                    \
	X(PASS_PROTO, "protocol", "not TCP, UDP with a checksum, or ICMP echo (ICMP errors among them)") \
	X(PASS_ADDRESS, "address", "an address the translator must look at (special, malformed)")       \
	X(PASS_SIZE, "size", "too big for the next hop: the daemon answers with an ICMP error")          \
	X(PASS_SHARED, "shared-host", "shared mode: the host's own traffic on its address")              \
	X(FAILED, "failed", "dropped: a kernel helper refused a packet half rewritten")

enum x4_clat_counter {
#define X4_CLAT_ENUM(name, label, doc) X4_CLAT_##name,
	X4_CLAT_COUNTERS(X4_CLAT_ENUM)
#undef X4_CLAT_ENUM
	X4_CLAT_NCOUNTERS
};

struct x4_clat_stats {
	__u64 c[X4_CLAT_NCOUNTERS];
	__u32 ipv4_id; /* the next IPv4 Identification of a packet that may be fragmented (this CPU's) */
	__u32 pad;
};

#endif
