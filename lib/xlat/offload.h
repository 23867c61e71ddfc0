/* Checksum and segmentation offload through a TUN (IFF_VNET_HDR), pure.
 *
 * With TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6) the kernel hands the TUN whole TCP
 * super-packets (up to 64 KiB, "GSO", as a local sender or GRO made them) and packets whose transport
 * checksum it left to the device, each behind a 10-byte struct virtio_net_hdr, and takes the same
 * back. A translator that reads one 64 KiB super-packet instead of 45 segments spends one read, one
 * translation and one write on all of them: this is where a userspace translator's TCP throughput
 * comes from (wireguard-go does the same).
 *
 * The core translates a super-packet like any packet; around it:
 *  - xlat_offload_prepare: a packet whose checksum was left to the device and that is not a
 *    super-packet gets its checksum completed here (it then goes through the core as usual). A TCP
 *    super-packet keeps its partial checksum: the field holds the pseudo-header sum, not complemented
 *    (the kernel finishes it per segment). The core's RFC 1624 update takes a complemented checksum,
 *    so the field is complemented before the core (and xlat_offload_finish complements it after):
 *    ~U(~P) = P - old + new. The core's old and new include the ports, which a NAT64 changes and a
 *    partial sum does not cover (they are summed with each segment): xlat_offload_finish takes
 *    their change back out, leaving exactly the pseudo-header change.
 *  - the caller translates it with MTU limits lifted (xlat_offload_config), since the segments, not the
 *    super-packet, must fit;
 *  - xlat_offload_finish: the header of the translated super-packet (TCPV4 <-> TCPV6, checksum start
 *    and header length moved by the header change) and a segment size that fits the way out
 *    (translating IPv4 to IPv6 adds 20 bytes to every segment: the segments are made 20 bytes
 *    shorter, as an MSS clamp would; a DF=0 IPv4 super-packet is cut to segments that fit
 *    lowest-ipv6-mtu, which RFC 7915 section 4.1 would otherwise reach by fragmenting).
 *
 * Only TCP super-packets are taken (UDP GSO and packets with IPv4 options or IPv6 extension headers
 * are dropped under offload-unsupported; the TUN does not advertise UDP segmentation). */
#ifndef XLAT464_XLAT_OFFLOAD_H
#define XLAT464_XLAT_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlat.h"

/* struct virtio_net_hdr (linux/virtio_net.h), little-endian (the TUN is told TUNSETVNETLE). */
#define XLAT_VNET_HDR_LEN 10
#define XLAT_VNET_F_NEEDS_CSUM 1 /* checksum from csum_start, stored at csum_start + csum_offset */
#define XLAT_VNET_F_DATA_VALID 2 /* the checksum was checked already */
#define XLAT_VNET_GSO_NONE 0
#define XLAT_VNET_GSO_TCPV4 1
#define XLAT_VNET_GSO_UDP 3
#define XLAT_VNET_GSO_TCPV6 4
#define XLAT_VNET_GSO_UDP_L4 5
#define XLAT_VNET_GSO_ECN 0x80

struct xlat_vnet {
	uint8_t flags, gso_type;
	uint16_t hdr_len, gso_size, csum_start, csum_offset;
};

void xlat_vnet_read(const uint8_t b[XLAT_VNET_HDR_LEN], struct xlat_vnet *h);
void xlat_vnet_write(const struct xlat_vnet *h, uint8_t b[XLAT_VNET_HDR_LEN]);

static inline bool xlat_vnet_is_gso(const struct xlat_vnet *h) { return (h->gso_type & ~XLAT_VNET_GSO_ECN) != 0; }

/* Before the core: completes a checksum left to the device, or readies a TCP super-packet (see the
 * top). pkt is the packet after the header, len its length; it is changed in place. Returns
 * XLAT_DROP_NONE, XLAT_DROP_OFFLOAD_BAD_HEADER (offsets outside the packet, a super-packet without a
 * checksum to finish) or XLAT_DROP_OFFLOAD_UNSUPPORTED. */
enum xlat_drop xlat_offload_prepare(uint8_t *pkt, size_t len, const struct xlat_vnet *in);

/* The configuration to translate a super-packet with: cfg with its MTUs lifted above any packet. */
#define XLAT_OFFLOAD_NO_MTU 0x20000u
void xlat_offload_config(const struct xlat_config *cfg, struct xlat_config *lifted);

/* After the core forwarded a prepared super-packet as the one packet *out: restores its partial
 * checksum and fills *o, its header. in, in_pkt and in_len are the input's header, packet and length;
 * cfg the ordinary configuration (its MTUs bound the segments). Returns XLAT_DROP_NONE or a reason
 * (the caller drops the packet). */
enum xlat_drop xlat_offload_finish(const struct xlat_config *cfg, const struct xlat_vnet *in, const uint8_t *in_pkt,
				   size_t in_len, struct xlat_pkt *out, struct xlat_vnet *o);

/* What a TUN translator with offload counts besides the core's counters. */
struct xlat_offload_stats {
	uint64_t super_packets, super_bytes; /* TCP super-packets translated whole, their bytes as read */
	uint64_t csum_completed;             /* checksums left to the device, finished before the core */
};

static inline void xlat_offload_stats_add(struct xlat_offload_stats *sum, const struct xlat_offload_stats *st)
{
	sum->super_packets += st->super_packets;
	sum->super_bytes += st->super_bytes;
	sum->csum_completed += st->csum_completed;
}

enum xlat_offload_path {
	XLAT_OFFLOAD_DROPPED, /* counted in ctx->stats under its reason */
	XLAT_OFFLOAD_PLAIN,   /* no super-packet (a checksum left to the device is finished): translate it as
			       * any packet, and write what comes out behind an all-zero header */
	XLAT_OFFLOAD_SUPER,   /* a super-packet translated whole: out->pkt[0] goes out behind *o */
	XLAT_OFFLOAD_OTHER,   /* a super-packet the core did not forward: out holds what it did (a drop it
			       * counted, an ICMP error to send) */
};

/* The step every translator on an offloading TUN takes for a packet read behind its header in:
 * xlat_offload_prepare, then for a super-packet the core (xlat_translate) with ctx's configuration
 * lifted into *lifted (scratch, overwritten) and xlat_offload_finish against the configuration
 * proper. Counts into ctx->stats (drops) and *st. */
enum xlat_offload_path xlat_offload_translate(struct xlat_ctx *ctx, struct xlat_config *lifted, uint8_t *pkt,
					      size_t len, const struct xlat_vnet *in, struct xlat_out *out,
					      struct xlat_vnet *o, struct xlat_offload_stats *st);

#endif
