/* The shared address mode's packet classifier (shared.h). */
#include "shared.h"

#include "common/cursor.h"
#include "common/ip_proto.h"

#define IP6_NEXT_OFF 6
#define FRAG_OFFSET_MASK 0xfff8
#define ICMP6_ERROR_FIRST ICMP6_DEST_UNREACH /* to Parameter Problem: the ICMPv6 errors */
#define ICMP6_ERROR_LAST ICMP6_PARAM_PROBLEM
#define MAX_EXT_HEADERS 8

static bool in_range(uint16_t v, uint16_t lo, uint16_t hi)
{
	return v >= lo && v <= hi;
}

/* Skips the IPv6 header and its extension headers; leaves the cursor at the upper-layer header and
 * returns its protocol number, or -1 (malformed), or -2 (a non-first fragment). */
static int walk_ip6(struct cursor *c)
{
	const uint8_t *h = cursor_take(c, IPV6_HDR_LEN);
	if (!h || h[0] >> 4 != 6)
		return -1;
	unsigned nh = h[IP6_NEXT_OFF];
	for (int i = 0; i < MAX_EXT_HEADERS; i++) {
		if (nh == PROTO_FRAGMENT) {
			const uint8_t *f = cursor_take(c, FRAG6_HDR_LEN);
			if (!f)
				return -1;
			if (((unsigned)f[2] << 8 | f[3]) & FRAG_OFFSET_MASK)
				return -2;
			nh = f[0];
		} else if (nh == PROTO_HOPOPTS || nh == PROTO_ROUTING || nh == PROTO_DSTOPTS) {
			const uint8_t *e = cursor_take(c, 2);
			if (!e || !cursor_skip(c, (size_t)e[1] * 8 + 6))
				return -1;
			nh = e[0];
		} else {
			return (int)nh;
		}
	}
	return -1;
}

enum clat_shared_verdict clat_shared_classify(const uint8_t *pkt, size_t len, uint16_t lo, uint16_t hi)
{
	struct cursor c = cursor_make(pkt, len);
	int proto = walk_ip6(&c);
	if (proto == -2)
		return CLAT_SHARED_FRAGMENT;
	if (proto == PROTO_TCP || proto == PROTO_UDP) {
		cursor_skip(&c, 2); /* source port */
		uint16_t dport = cursor_be16(&c);
		if (!cursor_ok(&c))
			return CLAT_SHARED_MALFORMED;
		return in_range(dport, lo, hi) ? CLAT_SHARED_CLAT : CLAT_SHARED_HOST;
	}
	if (proto != PROTO_ICMPV6)
		return proto < 0 ? CLAT_SHARED_MALFORMED : CLAT_SHARED_HOST;
	uint8_t type = cursor_u8(&c);
	cursor_skip(&c, 3); /* code, checksum */
	uint16_t id = cursor_be16(&c);
	cursor_skip(&c, 2); /* sequence number, or the rest of an error's fixed header */
	if (!cursor_ok(&c))
		return CLAT_SHARED_MALFORMED;
	if (type == ICMP6_ECHO_REPLY)
		return in_range(id, lo, hi) ? CLAT_SHARED_CLAT : CLAT_SHARED_HOST;
	if (type < ICMP6_ERROR_FIRST || type > ICMP6_ERROR_LAST)
		return CLAT_SHARED_HOST;
	/* An error quotes a packet the host or the CLAT sent: its source port (or echo identifier) tells
	 * whose (RFC 4443 section 2.4: as much of it as fits; the first 8 bytes are enough). */
	int inner = walk_ip6(&c);
	if (inner == -2)
		return CLAT_SHARED_HOST; /* a quoted non-first fragment: no ports; the CLAT never sends one without the first */
	if (inner == PROTO_TCP || inner == PROTO_UDP) {
		uint16_t sport = cursor_be16(&c);
		if (!cursor_ok(&c))
			return CLAT_SHARED_MALFORMED;
		return in_range(sport, lo, hi) ? CLAT_SHARED_CLAT : CLAT_SHARED_HOST;
	}
	if (inner == PROTO_ICMPV6) {
		uint8_t itype = cursor_u8(&c);
		cursor_skip(&c, 3);
		uint16_t iid = cursor_be16(&c);
		if (!cursor_ok(&c))
			return CLAT_SHARED_MALFORMED;
		return itype == ICMP6_ECHO_REQUEST && in_range(iid, lo, hi) ? CLAT_SHARED_CLAT : CLAT_SHARED_HOST;
	}
	return inner < 0 ? CLAT_SHARED_MALFORMED : CLAT_SHARED_HOST;
}

const char *clat_shared_verdict_name(enum clat_shared_verdict v)
{
	switch (v) {
	case CLAT_SHARED_HOST:
		return "host";
	case CLAT_SHARED_CLAT:
		return "clat";
	case CLAT_SHARED_FRAGMENT:
		return "fragment";
	case CLAT_SHARED_MALFORMED:
		return "malformed";
	}
	return "?";
}
