/* DNS messages for `xlat464 dns64`, read and written with ldns: the client's query, the facts of an
 * upstream AAAA answer for the decision (lib/dns64/dns64_synth.h), and the answers dns64 writes
 * itself (synthesized AAAA, filtered AAAA, PTR through a CNAME, ipv4only.arpa, SERVFAIL, TC). No
 * system calls: fuzz/fuzz_dns64_msg.c runs all of it on arbitrary bytes. Every function that writes a
 * message returns it malloc'd in *out (the caller frees) with its length, or NULL. */
#ifndef XLAT464_DNS64_MSG_H
#define XLAT464_DNS64_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns64/dns64_synth.h"

#define DNS64_UDP_MIN 512      /* RFC 1035 section 4.2.1 without EDNS */
#define DNS64_EDNS_SIZE 1232   /* what dns64 advertises upstream and to clients (DNS flag day 2020) */

struct dns64_q {
	uint16_t id, qtype, qclass;
	uint8_t opcode;
	bool rd, cd, dok, edns;
	uint16_t udp_size;           /* the client's EDNS size, 0 without EDNS */
	char qname[DNS64_NAME_MAX];  /* presentation form, absolute, as ldns prints it */
};

/* Reads a client's query. DNS64_DROP_NONE, MALFORMED, NOT_A_QUERY or NO_QUESTION (q->id is set for
 * the FORMERR answer). */
enum dns64_drop dns64_msg_query(const uint8_t *buf, size_t len, struct dns64_q *q);

/* The most a UDP answer to q may be. */
size_t dns64_msg_udp_limit(const struct dns64_q *q);

/* The facts of an upstream answer to q's AAAA question: 0, or -1 when it cannot be parsed or answers
 * another question. The SOA of the authority section gives *soa_ttl (section 5.1.7). */
int dns64_msg_aaaa_facts(const uint8_t *r, size_t len, const struct dns64_q *q, const struct dns64_exclude *ex,
			 struct dns64_aaaa_facts *f, bool *have_soa, uint32_t *soa_ttl);

/* A query dns64 sends upstream for name and type, with q's RD, CD and DO, and id. */
uint8_t *dns64_msg_build_query(const char *name, uint16_t type, const struct dns64_q *q, uint16_t id, size_t *len);

/* The upstream AAAA answer r without its excluded AAAA records and their signatures (section 5.1.4). */
uint8_t *dns64_msg_filtered(const uint8_t *r, size_t len, const struct dns64_exclude *ex, size_t *outlen);

/* Sections 5.1.5 to 5.1.7: the answer to q from the upstream A answer a: its CNAME and DNAME records
 * (with their signatures when DO is set), an AAAA for each A record under prefix, with the TTL rule;
 * AD clear. *nsynth gets the number of AAAA records made: 0 (NULL returned) when the A answer is an
 * error or holds no A record, and the AAAA answer stands (section 5.1.6). *unparsable is set when a
 * cannot be read at all. */
uint8_t *dns64_msg_synth(const struct dns64_q *q, const uint8_t *a, size_t alen, const struct xlat_prefix6 *prefix,
			 bool have_soa, uint32_t soa_ttl, unsigned *nsynth, bool *unparsable, size_t *outlen);

/* Section 5.3.1: the answer to q (a PTR for an ip6.arpa name under the prefix): a CNAME to target,
 * then the upstream answer p for target (its answer and authority sections, its RCODE). */
uint8_t *dns64_msg_ptr(const struct dns64_q *q, const char *target, const uint8_t *p, size_t plen, size_t *outlen);

/* RFC 8880 section 7.2: ipv4only.arpa answered locally: A gives 192.0.0.170 and 192.0.0.171, AAAA
 * their addresses under prefix, any other type no data. */
uint8_t *dns64_msg_ipv4only(const struct dns64_q *q, const struct xlat_prefix6 *prefix, size_t *outlen);

/* An answer with rcode and q's question and nothing else; tc sets the TC bit (the answer would not
 * fit: ask again over TCP). */
uint8_t *dns64_msg_empty(const struct dns64_q *q, uint8_t rcode, bool tc, size_t *outlen);

/* A header-only answer with rcode to a query that could not be read beyond its ID (FORMERR). */
void dns64_msg_header_error(uint16_t id, uint8_t rcode, uint8_t out[12]);

#endif
