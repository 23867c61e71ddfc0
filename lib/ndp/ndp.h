/* libndp: Neighbor Discovery messages (RFC 4861) and the PREF64 option (RFC 8781).
 *
 * Pure code: no system calls, no allocation. A message is an ICMPv6 message starting at the type
 * byte (what a raw IPPROTO_ICMPV6 socket delivers). Parsers take the IPv6 source and destination to
 * verify the checksum and the RFC 4861 addressing rules; the hop limit (255) is the caller's check,
 * because only the socket layer sees it. Builders write into caller-owned space and fill in the
 * checksum from the given source and destination.
 *
 *     struct ndp_ra ra;
 *     enum ndp_result r = ndp_parse_ra(src, dst, msg, len, &ra);
 *     if (r != NDP_OK) { count ndp_result_name(r); drop; }
 *     for (unsigned i = 0; i < ra.npref64; i++) use ra.pref64[i];
 *     ra.nignored options were skipped as malformed; ra.ignored_reason names the first one.
 *
 * Option handling (RFC 4861 section 4.6, systemd's ndisc walk):
 *   - the option framing is checked first, for the whole message, before anything is written:
 *     an option with length 0 rejects the message (NDP_ZERO_OPTION_LENGTH), an option running past
 *     the end rejects it (NDP_TRUNCATED), more than NDP_MAX_OPTIONS options reject it;
 *   - unknown options are skipped silently (RFC 4861 section 4.6);
 *   - a known option whose content is wrong (a length other than its type allows, a PREF64 with an
 *     undefined prefix length code, a Prefix Information with a prefix length above 128, or one
 *     more entry than the struct holds) is IGNORED, not fatal: the rest of the RA is still good, and
 *     RFC 8781 section 4 says a receiver ignores a PREF64 whose Length is not 2 or whose PLC is
 *     undefined. Such options are counted in ndp_ra.nignored; ignored_reason is the first reason.
 *     A link-layer address option of a length other than 1 (not Ethernet) is ignored the same way.
 *   - a repeated Source/Target Link-Layer Address or MTU option: the first one counts.
 *   - RDNSS (RFC 8106): addresses of every RDNSS option are collected; rdnss_lifetime is the
 *     smallest lifetime of the options that contributed an address (0 when nrdnss is 0).
 */
#ifndef XLAT464_NDP_H
#define XLAT464_NDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- protocol constants (RFC 4861 section 4, RFC 8106, RFC 8781) ----------------------------- */

#define NDP_ICMP6_ROUTER_SOLICIT 133
#define NDP_ICMP6_ROUTER_ADVERT 134
#define NDP_ICMP6_NEIGHBOR_SOLICIT 135
#define NDP_ICMP6_NEIGHBOR_ADVERT 136
#define NDP_NEXT_HEADER_ICMP6 58
#define NDP_HOP_LIMIT 255 /* RFC 4861 sections 6.1.2, 7.1.1, 7.1.2: the caller checks it */

#define NDP_OPT_SOURCE_LLADDR 1
#define NDP_OPT_TARGET_LLADDR 2
#define NDP_OPT_PREFIX_INFO 3
#define NDP_OPT_MTU 5
#define NDP_OPT_RDNSS 25
#define NDP_OPT_DNSSL 31
#define NDP_OPT_PREF64 38

#define NDP_RA_HDR_LEN 16 /* type, code, checksum, hop limit, flags, lifetime, reachable, retrans */
#define NDP_NS_HDR_LEN 24 /* type, code, checksum, reserved, target */
#define NDP_NA_HDR_LEN 24 /* type, code, checksum, flags + reserved, target */

#define NDP_RA_FLAG_MANAGED 0x80
#define NDP_RA_FLAG_OTHER 0x40
#define NDP_NA_FLAG_ROUTER 0x80
#define NDP_NA_FLAG_SOLICITED 0x40
#define NDP_NA_FLAG_OVERRIDE 0x20
#define NDP_PIO_FLAG_ONLINK 0x80
#define NDP_PIO_FLAG_AUTONOMOUS 0x40

#define NDP_MAX_OPTIONS 64 /* more options than this reject the message */
#define NDP_MAX_PREF64 8
#define NDP_MAX_PREFIX 8
#define NDP_MAX_RDNSS 8
#define NDP_DNSSL_WIRE_MAX 256 /* the DNSSL option's names, in DNS wire format, before padding */
#define NDP_DNSSL_NAME_MAX 255 /* one name in wire format (RFC 1035 section 2.3.4) */

#define NDP_PREF64_OPT_LEN 16
#define NDP_PREF64_MAX_SCALED 8191 /* 13 bits */
#define NDP_PREF64_MAX_LIFETIME (NDP_PREF64_MAX_SCALED * 8) /* 65528 s, RFC 8781 section 4.1 */

/* The longest RA ndp_build_ra writes: header, SLLA, MTU, every prefix, one RDNSS, one DNSSL, every
 * PREF64. */
#define NDP_RA_MAX_LEN (NDP_RA_HDR_LEN + 8 + 8 + 32 * NDP_MAX_PREFIX + 8 + 16 * NDP_MAX_RDNSS + \
			8 + NDP_DNSSL_WIRE_MAX + 16 * NDP_MAX_PREF64)
#define NDP_NS_MAX_LEN (NDP_NS_HDR_LEN + 8)
#define NDP_NA_MAX_LEN (NDP_NA_HDR_LEN + 8)

/* ---- results: one list gives the enum, the short names and the descriptions ------------------ */

/* X(ENUM_SUFFIX, "short-name", "description") */
#define NDP_RESULTS(X) \
	X(OK,                     "ok",                     "message accepted") \
	X(TRUNCATED,              "truncated",              "message shorter than its fixed part, or an option runs past the end") \
	X(BAD_CHECKSUM,           "bad-checksum",           "ICMPv6 checksum is wrong") \
	X(BAD_TYPE,               "bad-type",               "ICMPv6 type is not the one this parser reads") \
	X(BAD_CODE,               "bad-code",               "ICMPv6 code is not 0 (RFC 4861 sections 6.1.2, 7.1.1, 7.1.2)") \
	X(BAD_OPTION_LENGTH,      "bad-option-length",      "option length is wrong for its type (the option is ignored)") \
	X(ZERO_OPTION_LENGTH,     "zero-option-length",     "an option has length 0 (RFC 4861 section 4.6)") \
	X(TOO_MANY_OPTIONS,       "too-many-options",       "more options than the parser walks (NDP_MAX_OPTIONS)") \
	X(BAD_PREF64_LENGTH_CODE, "bad-pref64-length-code", "PREF64 prefix length code is not 0-5 (RFC 8781 section 4; the option is ignored)") \
	X(BAD_TARGET,             "bad-target",             "target address is multicast (RFC 4861 sections 7.1.1, 7.1.2)") \
	X(SRC_NOT_LINK_LOCAL,     "src-not-link-local",     "router advertisement from a source outside fe80::/10 (RFC 4861 section 6.1.2)") \
	X(DAD_WITH_LLADDR,        "dad-with-lladdr",        "solicitation from :: carries a source link-layer address (RFC 4861 section 7.1.1)") \
	X(DAD_NOT_SOLICITED_NODE, "dad-not-solicited-node", "solicitation from :: not sent to a solicited-node address (RFC 4861 section 7.1.1)") \
	X(SOLICITED_TO_MULTICAST, "solicited-to-multicast", "advertisement to a multicast address with the Solicited flag (RFC 4861 section 7.1.2)") \
	X(BAD_OPTION_TYPE,        "bad-option-type",        "option is not of the type the decoder reads") \
	X(BAD_PREFIX_LENGTH,      "bad-prefix-length",      "prefix information with a prefix length above 128 (the option is ignored)") \
	X(LIST_FULL,              "list-full",              "more PREF64, prefix or RDNSS entries than struct ndp_ra holds (the extra are ignored)")

enum ndp_result {
#define NDP_X_ENUM(e, n, d) NDP_##e,
	NDP_RESULTS(NDP_X_ENUM)
#undef NDP_X_ENUM
	NDP__RESULT_COUNT
};

const char *ndp_result_name(enum ndp_result r);
const char *ndp_result_desc(enum ndp_result r);

/* ---- messages ------------------------------------------------------------------------------- */

struct ndp_pref64 {
	uint8_t prefix[16]; /* bits beyond len are zero */
	uint8_t len;        /* 96, 64, 56, 48, 40 or 32 */
	uint32_t lifetime;  /* seconds: the scaled lifetime * 8; 0 means stop using it (RFC 8781 4.1) */
};

struct ndp_prefix_info {
	uint8_t prefix[16]; /* bits beyond len are zero (RFC 4861 section 4.6.2: ignored by receivers) */
	uint8_t len;
	bool onlink, autonomous;
	uint32_t valid, preferred;
};

struct ndp_ra {
	uint8_t cur_hop_limit;
	bool managed, other;
	uint16_t router_lifetime;
	uint32_t reachable, retrans;
	bool has_src_lladdr;
	uint8_t src_lladdr[6];
	bool has_mtu;
	uint32_t mtu;
	unsigned npref64;
	struct ndp_pref64 pref64[NDP_MAX_PREF64];
	unsigned nprefix;
	struct ndp_prefix_info prefix[NDP_MAX_PREFIX];
	unsigned nrdnss;
	uint8_t rdnss[NDP_MAX_RDNSS][16];
	uint32_t rdnss_lifetime;
	/* Written by the builder, not filled by the parser: the DNSSL option's domain names (RFC 8106
	 * section 5.2) already in DNS wire format (ndp_dnssl_encode), dnssl_len bytes, none when 0. */
	uint8_t dnssl[NDP_DNSSL_WIRE_MAX];
	unsigned dnssl_len;
	uint32_t dnssl_lifetime;
	/* Filled by the parser, ignored by the builder: known options skipped as malformed. */
	unsigned nignored;
	enum ndp_result ignored_reason; /* the first one; NDP_OK when nignored is 0 */
};

struct ndp_ns {
	uint8_t target[16];
	bool has_src_lladdr;
	uint8_t src_lladdr[6];
};

struct ndp_na {
	uint8_t target[16];
	bool router, solicited, override;
	bool has_tgt_lladdr;
	uint8_t tgt_lladdr[6];
};

/* Parsers: NDP_OK and the filled struct, or a reason and a zeroed struct (nothing half-written). */
enum ndp_result ndp_parse_ra(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len,
			     struct ndp_ra *ra);
enum ndp_result ndp_parse_ns(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len,
			     struct ndp_ns *ns);
enum ndp_result ndp_parse_na(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len,
			     struct ndp_na *na);

/* A domain name ("example.com", a final dot allowed) in DNS wire format (RFC 1035 section 3.1,
 * uncompressed, as RFC 8106 section 5.2 wants it): labels of 1 to 63 letters, digits and hyphens,
 * not starting or ending with a hyphen, at most NDP_DNSSL_NAME_MAX bytes in all. Returns the bytes
 * written to out, or 0 when the name is not one or does not fit in cap. */
size_t ndp_dnssl_encode(const char *name, uint8_t *out, size_t cap);

/* Builders return the message length, or 0 when cap is too small or the content cannot be encoded
 * (a count above its NDP_MAX_*, or a PREF64 that ndp_pref64_encode refuses). Sizes: NDP_*_MAX_LEN.
 * The RA carries, in this order: SLLA, MTU, the prefixes, one RDNSS option with every address and
 * rdnss_lifetime, one DNSSL option with every name and dnssl_lifetime, the PREF64s. */
size_t ndp_build_ra(const uint8_t src[16], const uint8_t dst[16], const struct ndp_ra *ra, uint8_t *buf,
		    size_t cap);
/* From :: (DAD) no source link-layer address option is written, whatever has_src_lladdr says
 * (RFC 4861 section 7.1.1, RFC 4862 section 5.4.2). */
size_t ndp_build_ns(const uint8_t src[16], const uint8_t dst[16], const struct ndp_ns *ns, uint8_t *buf,
		    size_t cap);
size_t ndp_build_na(const uint8_t src[16], const uint8_t dst[16], const struct ndp_na *na, uint8_t *buf,
		    size_t cap);

/* True if two RAs carry the same content (every field but nignored and ignored_reason, lists in
 * order): lets a daemon tell a refresh from a change. */
bool ndp_ra_same(const struct ndp_ra *a, const struct ndp_ra *b);

/* ---- addresses ------------------------------------------------------------------------------ */

void ndp_solicited_node(const uint8_t addr[16], uint8_t out[16]); /* ff02::1:ffXX:XXXX, RFC 4291 2.7.1 */
void ndp_multicast_mac(const uint8_t group[16], uint8_t mac[6]);  /* 33:33:xx:xx:xx:xx, RFC 2464 7 */
bool ndp_is_solicited_node(const uint8_t addr[16]);                /* in ff02::1:ff00:0/104 */
bool ndp_is_link_local(const uint8_t addr[16]);                    /* in fe80::/10 */
bool ndp_is_multicast(const uint8_t addr[16]);                     /* in ff00::/8 */
bool ndp_is_unspecified(const uint8_t addr[16]);                   /* :: */

/* For parsers of other ND messages (the RS reader of src/mostly/ra): the checksum test and the
 * option walk that the parsers here use. */
/* True if msg's checksum field makes the whole sum come out right. */
bool ndp_checksum_ok(const uint8_t src[16], const uint8_t dst[16], const uint8_t *msg, size_t len);
/* Called once per option: opt points at the type byte, len (>= 8) is the whole option in bytes. */
typedef void ndp_option_fn(void *arg, uint8_t type, const uint8_t *opt, size_t len);
/* Walks the options in opts[0..len), checking each option's framing before it calls fn (if any) for
 * it. Returns NDP_OK, NDP_TRUNCATED, NDP_ZERO_OPTION_LENGTH or NDP_TOO_MANY_OPTIONS. Parsers that
 * must write nothing for a bad message walk once with fn NULL first. */
enum ndp_result ndp_options_walk(const uint8_t *opts, size_t len, ndp_option_fn *fn, void *arg);

/* ---- PREF64 (RFC 8781) ---------------------------------------------------------------------- */

/* Decodes one option of type 38 and length 2 (16 bytes). Errors: NDP_BAD_OPTION_TYPE,
 * NDP_BAD_OPTION_LENGTH, NDP_BAD_PREF64_LENGTH_CODE; p is left untouched then. */
enum ndp_result ndp_pref64_decode(const uint8_t opt[16], struct ndp_pref64 *p);
/* Encodes p. False if len is not one of the six lengths or lifetime > NDP_PREF64_MAX_LIFETIME;
 * a lifetime that is not a multiple of 8 is rounded up (the prefix never expires earlier than asked).
 * Prefix bits beyond len are written as zero. */
bool ndp_pref64_encode(const struct ndp_pref64 *p, uint8_t opt[16]);
/* RFC 8781 section 4.1: the lifetime in 8-second units, rounded up, clamped to 8191 (65528 s). */
uint16_t ndp_pref64_scaled_lifetime(uint32_t seconds);
/* RFC 8781 section 4.1: the default lifetime for a router is 3 * MaxRtrAdvInterval (seconds),
 * rounded up to 8-second units and clamped to 65528 s; the result is in seconds, ready for
 * ndp_pref64.lifetime. A lifetime below 3 * the RA interval risks the prefix expiring between RAs. */
uint32_t ndp_pref64_default_lifetime(uint32_t max_rtr_adv_interval);
/* True if a PREF64 lifetime outlasts three RA intervals, as RFC 8781 section 4.1 recommends. */
bool ndp_pref64_lifetime_covers(uint32_t lifetime, uint32_t max_rtr_adv_interval);
/* PLC (0-5) to prefix length (96, 64, 56, 48, 40, 32), 0 for an undefined code; and back (-1). */
unsigned ndp_pref64_plc_to_len(unsigned plc);
int ndp_pref64_len_to_plc(unsigned len);

#endif
