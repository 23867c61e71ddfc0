/* The one list of reasons a packet is not translated as it stands. It generates the enum, the short
 * names printed by `xlat464 status` and the one-line descriptions in docs/drop-reasons.md
 * (`xlat464 siit --list-drop-reasons`), so they cannot drift apart.
 * X(ENUM_SUFFIX, "short-name", "description") */
#ifndef XLAT464_XLAT_DROPS_H
#define XLAT464_XLAT_DROPS_H

#define XLAT_DROP_REASONS(X) \
	X(NONE,                 "none",                 "not dropped") \
	X(TRUNCATED,            "truncated",            "packet shorter than its headers or length fields claim") \
	X(BAD_VERSION,          "bad-version",          "IP version is neither 4 nor 6") \
	X(BAD_IHL,              "bad-ihl",              "IPv4 header length below 20 bytes or beyond the packet") \
	X(BAD_LENGTH,           "bad-length",           "IPv4 total length or IPv6 payload length disagrees with the bytes received") \
	X(BAD_IPV4_CSUM,        "bad-ipv4-checksum",    "IPv4 header checksum is wrong") \
	X(SRC_ILLEGAL,          "src-illegal",          "source is unspecified, loopback, multicast, broadcast or link-local") \
	X(DST_ILLEGAL,          "dst-illegal",          "destination is unspecified, loopback, multicast, broadcast or link-local") \
	X(SRC_UNMAPPED,         "src-unmapped",         "no pool6 prefix or EAM entry translates the source") \
	X(DST_UNMAPPED,         "dst-unmapped",         "no pool6 prefix or EAM entry translates the destination") \
	X(TTL_EXPIRED,          "ttl-expired",          "TTL or hop limit ran out; answered with ICMP Time Exceeded") \
	X(FRAG_NEEDED,          "frag-needed",          "IPv4 packet with DF too big for the IPv6 MTU; answered with Fragmentation Needed") \
	X(PACKET_TOO_BIG,       "packet-too-big",       "IPv6 packet too big for the IPv4 MTU; answered with Packet Too Big") \
	X(SOURCE_ROUTE,         "source-route",         "unexpired IPv4 source route option; answered with Source Route Failed") \
	X(SEGMENTS_LEFT,        "segments-left",        "IPv6 routing header with segments left; answered with Parameter Problem") \
	X(EXT_HEADER,           "ext-header",           "IPv6 extension header that cannot be translated (after a fragment header, or malformed)") \
	X(TOO_MANY_EXT_HEADERS, "too-many-ext-headers", "more IPv6 extension headers than the translator walks") \
	X(ICMP_FRAGMENTED,      "icmp-fragmented",      "fragmented ICMP message (RFC 7915 section 1.2)") \
	X(ICMP_TYPE,            "icmp-type",            "ICMP type or code with no translation (RFC 7915 sections 4.2 and 5.2)") \
	X(ICMP_CSUM,            "icmp-checksum",        "ICMP error whose checksum is wrong") \
	X(ICMP_NESTED_ERROR,    "icmp-nested-error",    "ICMP error quoting another ICMP error") \
	X(ICMP_INNER,           "icmp-inner",           "packet quoted in an ICMP error cannot be translated") \
	X(ICMP_INNER_ILLEGAL,   "icmp-inner-illegal",   "packet quoted in an ICMP error has an address that is never translated (unspecified, loopback, multicast, link-local, ...)") \
	X(ICMP_PARAM_POINTER,   "icmp-param-pointer",   "Parameter Problem pointer with no counterpart field") \
	X(UDP_ZERO_CSUM,        "udp-zero-checksum",    "IPv4 UDP with checksum zero (enable amend-udp-checksum-zero to translate)") \
	X(UDP_ZERO_CSUM_FRAG,   "udp-zero-checksum-fragment", "fragment of an IPv4 UDP datagram with checksum zero, not reassembled (reassembly-max 0 or amend-udp-checksum-zero no): no checksum can be computed") \
	X(TOO_MANY_FRAGMENTS,   "too-many-fragments",   "splitting the packet would need more fragments than the translator emits") \
	X(REASM_FULL,           "reassembly-full",      "first fragment of a UDP datagram with checksum zero while reassembly-max datagrams are being reassembled") \
	X(REASM_TIMEOUT,        "reassembly-timeout",   "fragment of a UDP datagram with checksum zero whose other fragments did not all come within reassembly-timeout") \
	X(REASM_BAD,            "reassembly-bad",       "fragment of a UDP datagram with checksum zero that overlaps another, reaches past 65,535 bytes or is one too many; the datagram is dropped") \
	X(POLICY,               "policy",               "the address policy refused the packet") \
	X(NAT64_NO_BINDING,     "nat64-no-binding",     "packet from IPv4 to a pool address and port without a binding (stateful NAT64)") \
	X(NAT64_NO_SESSION,     "nat64-no-session",     "TCP segment that opens no session and matches none (RFC 6146 section 3.5.2)") \
	X(NAT64_SYN4_KEPT,      "nat64-syn4-kept",      "IPv4 SYN to a pool address and port without a binding: kept 6 s for a simultaneous open, then answered with port unreachable (RFC 6146 section 3.5.2.2)") \
	X(NAT64_SYN4_FULL,      "nat64-syn4-full",      "IPv4 SYN without a binding not kept: max-stored-syns or max-stored-syns-per-source reached") \
	X(NAT64_TCP_EXTERNAL,   "nat64-tcp-external",   "IPv4 SYN without a binding, refused by drop-externally-initiated-tcp yes") \
	X(NAT64_FILTERED,       "nat64-filtered",       "packet from IPv4 refused by address-dependent filtering; answered with administratively prohibited") \
	X(NAT64_POOL_EXHAUSTED, "nat64-pool-exhausted", "no free IPv4 address and port for a new binding; answered with address unreachable") \
	X(NAT64_LIMIT,          "nat64-limit",          "the session, binding or subscriber table is full (max-sessions); answered with administratively prohibited") \
	X(NAT64_LIMIT_SUB_SESSIONS, "nat64-limit-subscriber-sessions", "the subscriber has max-sessions-per-subscriber sessions; answered with administratively prohibited") \
	X(NAT64_LIMIT_SUB_PORTS, "nat64-limit-subscriber-ports", "the subscriber has max-ports-per-subscriber bindings; answered with administratively prohibited") \
	X(NAT64_LIMIT_SUB_HELD, "nat64-limit-subscriber-held", "new flow of a subscriber refused for a per-subscriber limit in the last second, dropped by the kernel fast path before the TUN (bpf-offload)") \
	X(NAT64_LIMIT_SUB_RATE, "nat64-limit-subscriber-rate", "packet for the daemon past its subscriber's subscriber-rate, dropped by the kernel fast path before the TUN (bpf-offload)") \
	X(NAT64_FRAGMENT,       "nat64-fragment",       "later fragment whose first fragment was not seen, so its ports are unknown") \
	X(NAT64_PROTOCOL,       "nat64-protocol",       "protocol a stateful NAT64 does not translate (it carries TCP, UDP and ICMP queries)") \
	X(WKP_NON_GLOBAL,       "wkp-non-global",       "well-known prefix 64:ff9b::/96 with a non-global IPv4 address (RFC 6052 section 3.1)") \
	X(HAIRPIN_LOOP,         "hairpin-loop",         "hairpinned packet would be translated a second time back into itself") \
	X(OFFLOAD_BAD_HEADER,   "offload-bad-header",   "TUN offload header (virtio_net_hdr) whose checksum offsets fall outside the packet, or a super-packet with no checksum to finish") \
	X(OFFLOAD_UNSUPPORTED,  "offload-unsupported",  "segmentation-offload super-packet of a kind not translated (UDP, IPv4 options, IPv6 extension headers), or whose segments cannot fit the MTU")

enum xlat_drop {
#define XLAT_X_ENUM(e, n, d) XLAT_DROP_##e,
	XLAT_DROP_REASONS(XLAT_X_ENUM)
#undef XLAT_X_ENUM
	XLAT_DROP__COUNT
};

const char *xlat_drop_name(enum xlat_drop r);
const char *xlat_drop_desc(enum xlat_drop r);

#endif
