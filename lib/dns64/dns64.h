/* libdns64: discovery of the NAT64 prefix from a DNS64 (RFC 7050).
 *
 * Pure code: no sockets, no allocation. The caller sends the query dns64_build_query writes to its
 * DNS server (UDP port 53) and hands the answer to dns64_parse_response:
 *
 *     uint8_t q[DNS64_QUERY_LEN];
 *     size_t n = dns64_build_query(id, q, sizeof(q));      // id: random per query
 *     ... send, receive ...
 *     struct dns64_result res;
 *     enum dns64_status s = dns64_parse_response(msg, len, id, &res);
 *     if (s == DNS64_OK) use res.prefix[0..res.nprefix), refresh before res.ttl seconds pass.
 *     if (s == DNS64_TC) ask again over TCP (RFC 7766), not handled here.
 *
 * Decisions where RFC 7050 section 3 leaves room:
 *   - positions are tried longest prefix first (/96, /64, /56, /48, /40, /32) and the first position
 *     holding 192.0.0.170 or 192.0.0.171 gives the prefix: one prefix per AAAA record;
 *   - the u-octet (bits 64-71, RFC 6052 section 2.2) must be zero, for every length (for /96 it is
 *     part of the prefix); a record with a non-zero u-octet gives no prefix;
 *   - only AAAA records whose owner is ipv4only.arpa count (no CNAME chasing); other records are
 *     walked over; names compare case-insensitively (RFC 4343);
 *   - a response with the TC bit is not used (RFC 2181 section 9), nor one with a non-zero RCODE or
 *     OPCODE, nor one whose question is not ipv4only.arpa AAAA IN;
 *   - an AAAA record with RDLENGTH other than 16 rejects the response (DNS64_BAD_RDATA);
 *   - distinct prefixes are kept in the order met, up to DNS64_MAX_PREFIXES (the rest dropped);
 *   - a TTL with the top bit set counts as 0 (RFC 2181 section 8).
 */
#ifndef XLAT464_DNS64_H
#define XLAT464_DNS64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS64_PORT 53
#define DNS64_HDR_LEN 12
#define DNS64_QUERY_LEN 31         /* header, ipv4only.arpa (15 bytes), QTYPE, QCLASS */
#define DNS64_MAX_PREFIXES 8
#define DNS64_MAX_RECORDS 64       /* responses claiming more records (all sections) are refused */
#define DNS64_MAX_POINTER_HOPS 16  /* compression pointers followed while reading one name */
#define DNS64_TYPE_A 1
#define DNS64_TYPE_CNAME 5
#define DNS64_TYPE_AAAA 28
#define DNS64_CLASS_IN 1

/* X(ENUM_SUFFIX, "short-name", "description") */
#define DNS64_STATUSES(X) \
	X(OK,                "ok",                "at least one NAT64 prefix found") \
	X(TRUNCATED,         "truncated",         "message ends before its header, a name or a record does") \
	X(NOT_A_RESPONSE,    "not-a-response",    "QR bit is clear") \
	X(ID_MISMATCH,       "id-mismatch",       "response ID differs from the query's") \
	X(BAD_OPCODE,        "bad-opcode",        "OPCODE is not QUERY") \
	X(TC,                "tc",                "response truncated by the server (TC bit): ask again over TCP") \
	X(RCODE,             "rcode",             "RCODE is not NOERROR (for example NXDOMAIN: no DNS64 here)") \
	X(BAD_QUESTION,      "bad-question",      "question section is not exactly ipv4only.arpa AAAA IN") \
	X(NO_AAAA,           "no-aaaa",           "no AAAA record for ipv4only.arpa in the answer section") \
	X(NO_WKA,            "no-wka",            "no AAAA record holds 192.0.0.170 or 192.0.0.171 at an RFC 6052 position") \
	X(BAD_NAME,          "bad-name",          "malformed name: label type, length over 255, or a pointer out of range") \
	X(POINTER_LOOP,      "pointer-loop",      "compression pointer that does not point backwards, or too many of them") \
	X(BAD_RDATA,         "bad-rdata",         "AAAA record whose RDLENGTH is not 16") \
	X(TOO_MANY_RECORDS,  "too-many-records",  "more records (all sections together) than DNS64_MAX_RECORDS")

enum dns64_status {
#define DNS64_X_ENUM(e, n, d) DNS64_##e,
	DNS64_STATUSES(DNS64_X_ENUM)
#undef DNS64_X_ENUM
	DNS64__STATUS_COUNT
};

const char *dns64_status_name(enum dns64_status s);
const char *dns64_status_desc(enum dns64_status s);

/* Builds a DNS query (RFC 1035 section 4.1, RD set) for ipv4only.arpa AAAA IN with the given id;
 * returns its length (DNS64_QUERY_LEN), or 0 when cap is too small. */
size_t dns64_build_query(uint16_t id, uint8_t *buf, size_t cap);

struct dns64_prefix {
	uint8_t prefix[16]; /* bits beyond len are zero */
	uint8_t len;        /* 96, 64, 56, 48, 40 or 32 */
};

struct dns64_result {
	unsigned nprefix;
	struct dns64_prefix prefix[DNS64_MAX_PREFIXES];
	uint32_t ttl; /* the smallest TTL of the AAAA records that gave a prefix */
};

/* Parses a response to the query above (see the decisions at the top). DNS64_OK means nprefix >= 1;
 * on any other status out is zeroed. */
enum dns64_status dns64_parse_response(const uint8_t *msg, size_t len, uint16_t id, struct dns64_result *out);

/* Looks for a well-known address in one IPv6 address (RFC 7050 section 3); true and the prefix if
 * found. Exposed for the tests and for callers that already hold the addresses. */
bool dns64_find_prefix(const uint8_t addr[16], struct dns64_prefix *out);

#endif
