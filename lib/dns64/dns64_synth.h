/* The decisions of a selective DNS64 (RFC 6147), as pure functions: which kind of client asks, whether
 * its AAAA answer is synthesized, the TTL of a synthesized record, the excluded ranges, the ip6.arpa
 * names under the prefix and ipv4only.arpa (RFC 8880). No DNS parsing here: the daemon
 * (src/dns64) reads messages with ldns and hands these functions the facts.
 *
 * Kinds of client (who has a CLAT): a client whose IPv6 source maps through the router's neighbour
 * table to a hardware address that `xlat464 dhcp4` saw asking for option 108 (RFC 8925) has a CLAT
 * and gets the upstream answer untouched; one seen without 108 gets synthesis; one it cannot place
 * (no neighbour entry, or a hardware address dhcp4 never saw) gets the configured policy. */
#ifndef XLAT464_DNS64_SYNTH_H
#define XLAT464_DNS64_SYNTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns64.h"
#include "xlat/xlat.h"

#define DNS64_RCODE_NOERROR 0
#define DNS64_RCODE_FORMERR 1
#define DNS64_RCODE_SERVFAIL 2
#define DNS64_RCODE_NXDOMAIN 3
#define DNS64_TYPE_PTR 12
#define DNS64_SYNTH_TTL_NO_SOA 600   /* RFC 6147 section 5.1.7: no SOA with the negative answer */
#define DNS64_IPV4ONLY_TTL 86400     /* the TTL of ipv4only.arpa's records (RFC 8880 section 7.2) */
#define DNS64_EXCLUDE_MAX 16
#define DNS64_NAME_MAX 256           /* a presentation name, with its final dot and NUL */

enum dns64_client_kind {
	DNS64_CLIENT_CLAT,    /* asked for option 108: has a CLAT */
	DNS64_CLIENT_NO_CLAT, /* seen by dhcp4 without option 108 */
	DNS64_CLIENT_UNKNOWN, /* no neighbour entry, or a hardware address dhcp4 has not seen */
	DNS64_CLIENT__COUNT
};

/* What a client dns64 cannot place gets. */
enum dns64_unknown_policy { DNS64_UNKNOWN_SYNTHESIZE, DNS64_UNKNOWN_PASS };

const char *dns64_client_kind_name(enum dns64_client_kind k);

/* The kind of a client from what the neighbour table (have_mac) and dhcp4's record (seen, asked108)
 * say. */
enum dns64_client_kind dns64_classify(bool have_mac, bool seen, bool asked108);
/* Does this client get DNS64 synthesis (and the PTR names under the prefix)? */
bool dns64_client_synthesizes(enum dns64_client_kind k, enum dns64_unknown_policy p);

/* The facts about the answer to a client's AAAA query that RFC 6147 section 5.1 decides on. */
struct dns64_aaaa_facts {
	uint8_t rcode;         /* of the upstream answer */
	bool truncated;        /* TC set: the client asks again over TCP */
	unsigned aaaa;         /* AAAA records for the name in the answer section */
	unsigned aaaa_excluded; /* of which in an excluded range (section 5.1.4) */
	bool cd, dok;          /* the client's query: CD bit, EDNS DO bit */
};

enum dns64_aaaa_action {
	DNS64_PASS,            /* the upstream answer, untouched */
	DNS64_PASS_FILTERED,   /* the upstream answer without the excluded AAAA records (section 5.1.4) */
	DNS64_SYNTHESIZE,      /* ask for A and synthesize (sections 5.1.3 to 5.1.6) */
};

/* Why an answer is passed (the status counts each). */
enum dns64_pass_reason {
	DNS64_PASS_CLAT,        /* the client has a CLAT (or the unknown policy says pass) */
	DNS64_PASS_REAL_AAAA,   /* a real AAAA outside the excluded ranges (section 5.1.1) */
	DNS64_PASS_NXDOMAIN,    /* name error: never synthesized (section 5.1.2) */
	DNS64_PASS_CD_DO,       /* CD and DO set: the client validates and synthesizes itself (section 5.5) */
	DNS64_PASS_TRUNCATED,   /* TC: the client retries over TCP */
	DNS64_PASS_NO_A,        /* the A query gave no address: the AAAA answer stands (section 5.1.6) */
	DNS64_PASS_NOT_AAAA,    /* another query type */
	DNS64_PASS__COUNT
};
const char *dns64_pass_reason_name(enum dns64_pass_reason r);

/* RFC 6147 section 5.1 and 5.5 for one AAAA answer: pass, pass filtered, or synthesize; *why says why
 * when it is a pass. An RCODE other than NOERROR and NXDOMAIN counts as an empty answer (section
 * 5.1.2); a response whose AAAA records are all excluded counts as empty (section 5.1.4). */
enum dns64_aaaa_action dns64_aaaa_decide(const struct dns64_aaaa_facts *f, enum dns64_pass_reason *why);

/* RFC 6147 section 5.1.7: the TTL of a synthesized AAAA record, the smaller of the A record's and the
 * SOA's that came with the negative AAAA answer, or of the A record's and 600 s without a SOA. */
uint32_t dns64_synth_ttl(uint32_t a_ttl, bool have_soa, uint32_t soa_ttl);

/* The excluded ranges (section 5.1.4): ::ffff:0:0/96 always, and the configured ones. */
struct dns64_exclude {
	unsigned n;
	struct xlat_prefix6 p[DNS64_EXCLUDE_MAX];
};
bool dns64_excluded(const struct dns64_exclude *ex, const uint8_t a[16]);

/* Synthesizes the AAAA address of v4 under prefix (RFC 6052 section 2.2). */
void dns64_synth_addr(const struct xlat_prefix6 *prefix, const uint8_t v4[4], uint8_t out[16]);

/* RFC 6147 section 5.3.1: qname (presentation form, case-insensitive, final dot optional) is a full
 * 32-nibble ip6.arpa name of an address under prefix: writes the in-addr.arpa name of the embedded
 * IPv4 address ("4.3.2.1.in-addr.arpa.") to out and returns true. */
bool dns64_ptr_target(const struct xlat_prefix6 *prefix, const char *qname, char *out, size_t cap);

/* RFC 8880: is qname ipv4only.arpa (case-insensitive, final dot optional)? */
bool dns64_is_ipv4only(const char *qname);
/* Its two addresses, 192.0.0.170 and 192.0.0.171 (RFC 7050 section 2.2). */
extern const uint8_t dns64_ipv4only_addrs[2][4];

/* The bad queries and failed exchanges: each has a counter. */
#define DNS64_DROPS(X) \
	X(NONE,              "none",              "not dropped") \
	X(MALFORMED,         "malformed",         "a query ldns cannot parse (header, names, records)") \
	X(NOT_A_QUERY,       "not-a-query",       "QR bit set: a response sent to the server port") \
	X(NO_QUESTION,       "no-question",       "QDCOUNT is not 1 (answered FORMERR)") \
	X(TCP_LENGTH,        "tcp-length",        "a TCP message length of 0, or a connection closed mid-message") \
	X(QUEUE_FULL,        "queue-full",        "max-pending queries already wait for the upstream resolver") \
	X(TCP_FULL,          "tcp-full",          "max-tcp connections are open already: a new one is closed") \
	X(UPSTREAM_TIMEOUT,  "upstream-timeout",  "the upstream resolver did not answer within upstream-timeout (SERVFAIL)") \
	X(UPSTREAM_ERROR,    "upstream-error",    "sending to or reading from the upstream resolver failed (SERVFAIL)") \
	X(UPSTREAM_BAD,      "upstream-bad",      "an upstream answer ldns cannot parse, or for another question (SERVFAIL)") \
	X(UPSTREAM_STRAY,    "upstream-stray",    "an upstream answer with an ID no query waits for (ignored)") \
	X(CLIENT_TIMEOUT,    "client-timeout",    "a TCP client idle or slow past tcp-timeout (closed)") \
	X(SEND_ERROR,        "send-error",        "the answer could not be sent to the client")

enum dns64_drop {
#define DNS64_X_DROP(e, n, d) DNS64_DROP_##e,
	DNS64_DROPS(DNS64_X_DROP)
#undef DNS64_X_DROP
	DNS64_DROP__COUNT
};
const char *dns64_drop_name(enum dns64_drop d);
const char *dns64_drop_desc(enum dns64_drop d);

#endif
