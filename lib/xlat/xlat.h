/* libxlat: stateless IP/ICMP translation (RFC 7915) with RFC 6052 / RFC 7757 / RFC 6791 addressing.
 *
 * Pure code: no system calls, no allocation. One call translates one packet:
 *
 *     struct xlat_out out;                       // caller-owned, reused for every packet
 *     xlat_4to6(&ctx, pkt, len, &out);           // or xlat_6to4
 *     switch (out.action) {
 *     case XLAT_FORWARD: write out.pkt[0..out.npkts) to the other side (writev of each iov list)
 *     case XLAT_REPLY:   write out.pkt[0] back towards the sender (an ICMP error of the input's family)
 *     case XLAT_DROP:    nothing to send; out.reason says why (and ctx.stats counted it)
 *     }
 *
 * The output is a list of iovecs: new headers live in out's scratch space, the payload points into
 * the caller's input buffer, which must stay untouched until the output is written.
 *
 * Addresses are decided by a policy (struct xlat_policy) so that a CLAT, an SIIT and a NAT64 share
 * this translator; xlat_siit_policy() is the stateless one (pool6 prefix + EAM table). */
#ifndef XLAT464_XLAT_H
#define XLAT464_XLAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/uio.h>

#include "xlat_drops.h"

/* ---- addresses ---------------------------------------------------------------------------- */

struct xlat_prefix6 {
	uint8_t addr[16];
	uint8_t len; /* 0..128 */
};

struct xlat_prefix4 {
	uint8_t addr[4];
	uint8_t len; /* 0..32 */
};

/* RFC 6052 section 2.2: is len one of 32, 40, 48, 56, 64, 96? */
bool xlat_rfc6052_len_ok(unsigned len);
/* Embeds v4 into prefix (RFC 6052 section 2.2, skipping the u-octet, suffix zero). */
void xlat_rfc6052_embed(const struct xlat_prefix6 *prefix, const uint8_t v4[4], uint8_t out[16]);
/* Extracts the IPv4 address from an IPv4-embedded address; the caller checks the prefix matches. */
void xlat_rfc6052_extract(const struct xlat_prefix6 *prefix, const uint8_t v6[16], uint8_t out[4]);

bool xlat_prefix6_match(const struct xlat_prefix6 *p, const uint8_t a[16]);
bool xlat_prefix4_match(const struct xlat_prefix4 *p, const uint8_t a[4]);

/* Addresses that are never translated (RFC 7915 section 4.1 / RFC 1812 section 5.3.7, and the issue's
 * list): IPv4 0/8, 127/8, 169.254/16, 224/4 and 240/4 (which includes the broadcast address);
 * IPv6 ::, ::1, fe80::/10 and ff00::/8. */
static inline bool xlat_v4_special(const uint8_t a[4])
{
	return a[0] == 0 || a[0] == 127 || (a[0] == 169 && a[1] == 254) || a[0] >= 224;
}

static inline bool xlat_v6_special(const uint8_t a[16])
{
	static const uint8_t zero[15];
	if (a[0] == 0xff || (a[0] == 0xfe && (a[1] & 0xc0) == 0x80))
		return true;
	return a[0] == 0 && memcmp(a, zero, 15) == 0 && a[15] <= 1; /* :: and ::1; the first byte decides fast */
}

/* Is a globally reachable (RFC 6890: not in a special-purpose block marked not global)? RFC 6052
 * section 3.1 allows only these with the well-known prefix 64:ff9b::/96. */
bool xlat_v4_global(const uint8_t a[4]);
/* First-byte classes of IPv4 addresses (fastpath.c): may be special (xlat_v4_special), may be not
 * global (xlat_v4_global). */
enum { XLAT_CLASS4_SPECIAL = 1, XLAT_CLASS4_NONGLOBAL = 2 };

/* ---- the address policy --------------------------------------------------------------------- */

/* Where the addresses being mapped sit, because the rules differ (RFC 7915 sections 4.1, 4.3, 5.3). */
enum xlat_role {
	XLAT_ROLE_PACKET,      /* an ordinary packet */
	XLAT_ROLE_ERROR_OUTER, /* the outer header of an ICMP error: its source may be any router */
	XLAT_ROLE_ERROR_INNER, /* the packet quoted inside an ICMP error */
};

/* What a policy sees and may change: the addresses and, for a NAT64, the transport identifiers
 * (ports, or the ICMP echo identifier in sport and dport both). The core fixes the checksums for
 * whatever changed. */
struct xlat_tuple {
	uint8_t src[16], dst[16]; /* IPv4 addresses use the first 4 bytes */
	uint16_t sport, dport;
	uint8_t proto; /* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP or IPPROTO_ICMPV6 of the input family */
	uint8_t tcp_flags; /* the TCP flags byte (FIN 0x01, SYN 0x02, RST 0x04, ...) when has_ports and TCP */
	bool has_ports; /* false for non-first fragments and protocols without ports */
	bool fragment;  /* part of a fragmented packet (first or later); frag_id identifies it */
	uint32_t frag_id; /* IPv4 Identification or IPv6 fragment header Identification */
	bool hairpin;   /* set by map_6to4: the IPv4 destination leads straight back into the IPv6 side
			 * (RFC 7757 section 4.2), so the core translates the packet back to IPv6 */
};

struct xlat_policy {
	/* Fill out from in. Return XLAT_DROP_NONE, or SRC_UNMAPPED / DST_UNMAPPED / POLICY. A policy that
	 * cannot map the source of an ICMP error's outer header returns SRC_UNMAPPED and the core uses the
	 * RFC 6791 address. hairpin is set on the second, IPv4-to-IPv6 pass of a hairpinned packet
	 * (RFC 7757 section 4.2): the side that came from IPv6 is then mapped with the pool6 prefix. */
	enum xlat_drop (*map_4to6)(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out,
				   enum xlat_role role, bool hairpin);
	enum xlat_drop (*map_6to4)(void *ctx, const struct xlat_tuple *in, struct xlat_tuple *out,
				   enum xlat_role role);
	void *ctx;
	/* A stateful (NAT64) policy cannot map the outer destination of an ICMP error from its address
	 * alone: the session is found through the quoted packet. When set, the core maps the quoted
	 * packet first and takes the outer destination from the quoted packet's translated source; in
	 * IPv6 to IPv4 the outer source is the quoted packet's translated destination too (the binding's
	 * IPv4 address stands for the IPv6 node or router behind it). map_*(ROLE_ERROR_OUTER) is then
	 * asked for the outer source only (4to6). */
	bool outer_from_inner;
};

/* The stateless address map: an optional RFC 6052 prefix and an RFC 7757 EAM table. EAM entries
 * take precedence (RFC 7757 section 3.2), longest prefix first. Filled in at configuration time. */
#define XLAT_EAM_MAX 256
/* What the fast path (fastpath.c) reads of an entry instead of v4 and v6, derived from them by
 * xlat_siit_map_add_eam (the only writer of entries). Words are in memory order, so that an address
 * is matched and rewritten with no byte swap. */
struct xlat_eam_fast {
	uint32_t mask4;   /* the IPv4 prefix as a mask */
	uint32_t addr4;   /* v4.addr (zero past the prefix) */
	uint32_t lo6;     /* the last 32 bits of v6.addr (zero past the prefix) */
	bool ok;          /* the fast path takes the entry: v6.len == v4.len + 96 (the IPv4 suffix bits are
			   * the address's last bits), and no address of either prefix can be special
			   * (fastpath.c's conservative tests) */
	uint16_t csum;    /* ok: the one's-complement sum of any IPv6 address of the entry minus that of
			   * its IPv4 address (the suffix bits cancel), folded, nonzero */
};
struct xlat_eam {
	struct xlat_prefix4 v4;
	struct xlat_prefix6 v6;
	struct xlat_eam_fast fast;
};
struct xlat_siit_map {
	bool has_pool6;            /* written only by xlat_siit_map_set_pool6 (make lint-map) */
	struct xlat_prefix6 pool6; /* likewise */
	struct {                   /* derived by it for the fast path */
		bool ok;           /* has_pool6, a /96, and no address under it can be special */
		uint16_t csum;     /* the folded one's-complement sum of its first 96 bits, nonzero */
		uint8_t decline4;  /* IPv4 first-byte classes it leaves to the general path (fastpath.c) */
	} pool6_fast;
	/* RFC 6052 section 3.1: with the well-known prefix as pool6, only global IPv4 addresses go
	 * through it (a refusal is counted as wkp-non-global). Set with xlat_siit_map_set_wkp_global_only;
	 * off by default in the library (the CLAT and tests use documentation addresses), on by default
	 * in `xlat464 siit` (allow-wkp-non-global no). */
	bool wkp_global_only;
	bool pool6_wkp_strict;     /* derived: pool6 is 64:ff9b::/96 and wkp_global_only */
	unsigned neam;
	bool fast_one;             /* neam == 1, and the fast path takes the entry (fast.ok) and pool6
				    * (pool6_fast.ok): the CLAT's map, with a copy of the fast path of
				    * its own; set by xlat_siit_map_add_eam and xlat_siit_map_set_pool6 */
	struct xlat_eam eam[XLAT_EAM_MAX]; /* kept sorted, longest prefix first */
};

/* Sets pool6, or clears it (p NULL). A map that starts zeroed has none. */
void xlat_siit_map_set_pool6(struct xlat_siit_map *m, const struct xlat_prefix6 *p);
void xlat_siit_map_set_wkp_global_only(struct xlat_siit_map *m, bool on);

/* Adds an EAM entry. Returns 0, or -1 with *why set (table full, a duplicate prefix, or an IPv6
 * suffix shorter than the IPv4 suffix: RFC 7757 section 3.2 copies the IPv4 suffix bits right after
 * the IPv6 prefix, so they must fit; a longer IPv6 suffix is padded with zeros). */
int xlat_siit_map_add_eam(struct xlat_siit_map *m, const struct xlat_prefix4 *v4,
			  const struct xlat_prefix6 *v6, const char **why);
bool xlat_siit_map_4to6(const struct xlat_siit_map *m, const uint8_t v4[4], uint8_t v6[16]);
bool xlat_siit_map_6to4(const struct xlat_siit_map *m, const uint8_t v6[16], uint8_t v4[4]);
/* RFC 7757 section 4.2: a packet whose IPv6 destination went through pool6 but whose IPv4 destination
 * lies in an EAM entry is hairpinned. The core does this itself; the daemon needs nothing extra. */
bool xlat_siit_map_is_hairpin(const struct xlat_siit_map *m, const uint8_t dst6[16], const uint8_t dst4[4]);
struct xlat_policy xlat_siit_policy(struct xlat_siit_map *m);

/* ---- configuration and per-worker state ----------------------------------------------------- */

struct xlat_config {
	struct xlat_policy policy;
	bool has_rfc6791v4, has_rfc6791v6, has_self4, has_self6;
	uint8_t rfc6791v4[4];  /* RFC 6791 source of translated ICMPv6 errors from unmappable routers */
	uint8_t rfc6791v6[16]; /* likewise for translated ICMPv4 errors */
	uint8_t self4[4];      /* source of ICMPv4 errors the translator itself sends */
	uint8_t self6[16];     /* source of ICMPv6 errors the translator itself sends */
	uint32_t lowest_ipv6_mtu; /* RFC 7915 section 4.1; default 1280 */
	uint32_t mtu4, mtu6;      /* MTU of the next hop on each side (settings take up to 65535; 32 bits
				   * so that a super-packet's lifted limit, offload.h, is above any packet) */
	bool amend_udp_zero_csum; /* compute a checksum for IPv4 UDP with zero checksum, not drop */
	/* With amend_udp_zero_csum, the daemons reassemble such datagrams when fragmented (reasm.h):
	 * this many at once (0: refuse their fragments), their fragments kept this long. Not read by the
	 * core. Defaults 16 and 5000. */
	uint32_t reasm_max, reasm_timeout_ms;
	bool zero_tclass;         /* RFC 7915 section 4.1: ignore the IPv4 TOS, traffic class 0 (default: copy) */
	bool set_tos;             /* RFC 7915 section 5.1: ignore the IPv6 traffic class, every IPv4 packet */
	uint8_t tos;              /* gets this TOS (default: copy the traffic class) */
	bool decrement_ttl;       /* act as a router (the default); a host CLAT may turn it off */
};

/* Fills in the RFC defaults: lowest-ipv6-mtu 1280, MTUs 1500, router behaviour, no addresses. */
void xlat_config_init(struct xlat_config *cfg);

struct xlat_stats {
	uint64_t pkts_4to6, bytes_4to6, pkts_6to4, bytes_6to4;
	uint64_t replies; /* ICMP errors the translator generated */
	uint64_t udp_csum_computed; /* IPv4 UDP with checksum zero given one (RFC 6146 section 3.4 counter) */
	uint64_t reasm_fragments;   /* fragments kept for reassembly (reasm.h) */
	uint64_t reasm_datagrams;   /* datagrams made whole from them */
	uint64_t drops[XLAT_DROP__COUNT]; /* by reason; replies are counted here under their reason too */
};

struct xlat_ctx {
	const struct xlat_config *cfg;
	uint32_t ipv4_id; /* RFC 6864 identification for non-atomic IPv4 packets made from IPv6 */
	struct xlat_stats stats;
};

/* ---- output ----------------------------------------------------------------------------------- */

/* XLAT_HELD: a fragment kept for reassembly (reasm.h); nothing to send now, nothing lost. */
enum xlat_action { XLAT_DROP, XLAT_FORWARD, XLAT_REPLY, XLAT_HELD };

/* 65535 bytes split into 1232-byte IPv6 fragments need 54 packets. */
#define XLAT_MAX_PKTS 64
#define XLAT_PKT_IOV 3
#define XLAT_HDR_ROOM 128   /* per packet: IPv6 (40) + fragment (8) + a copied transport prefix (<= 20) */
#define XLAT_ERR_ROOM 2048  /* an ICMP error built or translated whole */

struct xlat_pkt {
	struct iovec iov[XLAT_PKT_IOV];
	unsigned niov;
	size_t len;
	uint8_t family; /* 4 or 6 */
};

struct xlat_out {
	enum xlat_action action;
	enum xlat_drop reason; /* why it was dropped or answered; NONE when forwarded */
	unsigned npkts;
	struct xlat_pkt pkt[XLAT_MAX_PKTS];
	uint8_t hdr[XLAT_MAX_PKTS][XLAT_HDR_ROOM];
	uint8_t err[XLAT_ERR_ROOM];
	uint8_t hairpin[65536]; /* a hairpinned packet between its two passes */
};

void xlat_ctx_init(struct xlat_ctx *ctx, const struct xlat_config *cfg);
/* Adds src's counters to dst's (workers' counters summed for status). */
void xlat_stats_add(struct xlat_stats *dst, const struct xlat_stats *src);

/* Translate one IPv4 packet (starting at its IPv4 header) towards IPv6, and the reverse. */
void xlat_4to6(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out);
void xlat_6to4(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out);

/* Dispatches on the version nibble. */
void xlat_translate(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, struct xlat_out *out);
/* xlat_translate for a daemon's read loop: the same translation, and the one packet to send when the
 * outcome is the usual one, forwarded as a single packet of the other family; NULL for anything else
 * (a drop, an answer, fragments, a hairpinned packet), which out describes as ever. One call with no
 * second look at out for the common case. */
const struct xlat_pkt *xlat_translate_fwd(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len,
					  struct xlat_out *out);

/* An ICMPv4 error (type, code) from src4 about the IPv4 packet pkt, made outside a translation: for
 * errors a policy owes later, such as RFC 6146 section 3.5.2.2's Port Unreachable for an IPv4 SYN
 * kept 6 seconds. pkt may be cut short (PARSE_INNER rules). Returns false (out->action XLAT_DROP, no
 * packet) for a packet that must not be answered (RFC 1812 section 4.3.2.7). */
bool xlat_icmp4_error(struct xlat_ctx *ctx, const uint8_t *pkt, size_t len, const uint8_t src4[4], uint8_t type,
		      uint8_t code, struct xlat_out *out);

/* Copies packet i of out into buf (for hairpinning, pcap writing and tests). Returns its length, or
 * 0 when it does not fit. */
size_t xlat_pkt_flatten(const struct xlat_pkt *p, uint8_t *buf, size_t cap);

#endif
