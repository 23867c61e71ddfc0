/* lib/ipfix: IPFIX messages (RFC 7011) carrying NAT64 events (RFC 8158), built into a caller's
 * buffer. Pure: no system calls, no allocation, no clock (the caller passes the times).
 *
 * A message is a 16-byte header followed by sets; a set is a 4-byte header (set ID, length) followed
 * by records. A template record (set ID 2) tells the collector which information elements (IEs), in
 * which order and of which length, make up the data records of one template ID (256 and up); a data
 * set's ID is its template ID. This library knows one template per event shape (enum
 * ipfix_template, the table in ipfix.c), and a record is written from the fields of struct
 * ipfix_nat_record that its template names:
 *
 *     struct ipfix_writer w;
 *     ipfix_writer_init(&w, buf, 1400, domain_id);
 *     ipfix_add_templates(&w);                 // at start and every template refresh (RFC 7011 8.4)
 *     while (... an event ...)
 *             if (!ipfix_add_record(&w, &rec)) { // full: send what there is, start again
 *                     send(ipfix_finish(&w, export_time), w.len); ipfix_add_record(&w, &rec); }
 *     n = ipfix_finish(&w, export_time);       // the header written; w.seq advanced; send buf[0..n)
 *
 * Sequence numbers follow RFC 7011 section 3.1: a message carries the number of data records sent
 * before it in this observation domain (modulo 2^32); template records do not count. */
#ifndef XLAT464_IPFIX_H
#define XLAT464_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define IPFIX_VERSION 10          /* RFC 7011 section 3.1 */
#define IPFIX_MSG_HDR_LEN 16
#define IPFIX_SET_HDR_LEN 4
#define IPFIX_SET_ID_TEMPLATE 2   /* section 3.3.2 */
#define IPFIX_TEMPLATE_ID_MIN 256 /* data set IDs start here */
#define IPFIX_PORT 4739           /* section 10.3.3: the collector's UDP port */

/* Information element IDs (IANA "IPFIX Information Elements"). */
enum ipfix_ie {
	IPFIX_IE_PROTOCOL_IDENTIFIER = 4,
	IPFIX_IE_SOURCE_TRANSPORT_PORT = 7,
	IPFIX_IE_DESTINATION_TRANSPORT_PORT = 11,
	IPFIX_IE_SOURCE_IPV6_ADDRESS = 27,
	IPFIX_IE_DESTINATION_IPV6_ADDRESS = 28,
	IPFIX_IE_SOURCE_IPV6_PREFIX_LENGTH = 29,
	IPFIX_IE_POST_NAT_SOURCE_IPV4_ADDRESS = 225,
	IPFIX_IE_POST_NAT_DESTINATION_IPV4_ADDRESS = 226,
	IPFIX_IE_POST_NAPT_SOURCE_TRANSPORT_PORT = 227,
	IPFIX_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT = 228,
	IPFIX_IE_NAT_EVENT = 230,
	IPFIX_IE_NAT_POOL_ID = 283,
	IPFIX_IE_OBSERVATION_TIME_MILLISECONDS = 323,
	IPFIX_IE_PORT_RANGE_START = 361,
	IPFIX_IE_PORT_RANGE_END = 362,
	IPFIX_IE_PORT_RANGE_STEP_SIZE = 363,
	IPFIX_IE_PORT_RANGE_NUM_PORTS = 364,
	IPFIX_IE_NAT_QUOTA_EXCEEDED_EVENT = 466,
	IPFIX_IE_MAX_SESSION_ENTRIES = 471,
	IPFIX_IE_MAX_BIB_ENTRIES = 472,
	IPFIX_IE_MAX_ENTRIES_PER_USER = 473,
	IPFIX_IE_MAX_SUBSCRIBERS = 474,
};

/* natEvent values (RFC 8158 section 4.3, IANA "NAT Event Type"). */
enum ipfix_nat_event {
	IPFIX_NAT_ADDRESSES_EXHAUSTED = 3,
	IPFIX_NAT64_SESSION_CREATE = 6,
	IPFIX_NAT64_SESSION_DELETE = 7,
	IPFIX_NAT64_BIB_CREATE = 10,
	IPFIX_NAT64_BIB_DELETE = 11,
	IPFIX_NAT_PORTS_EXHAUSTED = 12,
	IPFIX_NAT_QUOTA_EXCEEDED = 13,
	IPFIX_NAT_ADDRESS_BINDING_CREATE = 14,
	IPFIX_NAT_ADDRESS_BINDING_DELETE = 15,
	IPFIX_NAT_PORT_BLOCK_ALLOCATION = 16,
	IPFIX_NAT_PORT_BLOCK_DEALLOCATION = 17,
};

/* natQuotaExceededEvent values (RFC 8158, IANA "NAT Quota Exceeded Event Type"). */
enum ipfix_nat_quota {
	IPFIX_QUOTA_MAX_SESSION_ENTRIES = 1,
	IPFIX_QUOTA_MAX_BIB_ENTRIES = 2,
	IPFIX_QUOTA_MAX_ENTRIES_PER_USER = 3,
	IPFIX_QUOTA_MAX_SUBSCRIBERS = 4,
};

/* One template per event shape; the IDs are what the data sets carry. */
enum ipfix_template {
	IPFIX_TPL_NAT64_SESSION = IPFIX_TEMPLATE_ID_MIN, /* natEvent 6, 7 */
	IPFIX_TPL_NAT64_BIB,                             /* 10, 11 */
	IPFIX_TPL_PORT_BLOCK,                            /* 16, 17 */
	IPFIX_TPL_ADDRESSES_EXHAUSTED,                   /* 3 */
	IPFIX_TPL_PORTS_EXHAUSTED,                       /* 12 */
	IPFIX_TPL_QUOTA_SESSIONS,                        /* 13, quota 1 */
	IPFIX_TPL_QUOTA_BIBS,                            /* 13, quota 2 */
	IPFIX_TPL_QUOTA_PER_USER,                        /* 13, quota 3 */
	IPFIX_TPL_QUOTA_SUBSCRIBERS,                     /* 13, quota 4 */
	IPFIX_TPL_ADDRESS_BINDING,                       /* 14, 15 (stateless mode's leases) */
	IPFIX_TPL_END
};
#define IPFIX_NTEMPLATES (IPFIX_TPL_END - IPFIX_TEMPLATE_ID_MIN)

/* An event. Which fields a record carries depends on its template (ipfix_template_of). */
struct ipfix_nat_record {
	uint8_t event;           /* enum ipfix_nat_event */
	uint32_t quota;          /* IPFIX_NAT_QUOTA_EXCEEDED: enum ipfix_nat_quota */
	uint64_t time_ms;        /* observationTimeMilliseconds: milliseconds since 1970 (UTC) */
	uint8_t proto;           /* protocolIdentifier (IANA protocol number) */
	uint8_t src6[16];        /* sourceIPv6Address: the client, or the subscriber's prefix */
	uint8_t src6_len;        /* sourceIPv6PrefixLength (port blocks) */
	uint16_t sport;          /* sourceTransportPort (ICMP: the query identifier) */
	uint8_t nat4[4];         /* postNATSourceIPv4Address */
	uint16_t nat_sport;      /* postNAPTSourceTransportPort */
	uint8_t dst6[16];        /* destinationIPv6Address: the server as the client addressed it */
	uint8_t dst4[4];         /* postNATDestinationIPv4Address */
	uint16_t dport;          /* destinationTransportPort and postNAPTDestinationTransportPort */
	uint16_t port_first, port_last; /* portRangeStart, portRangeEnd (step size 1) */
	uint32_t limit;          /* maxSessionEntries, maxBIBEntries, maxEntriesPerUser, maxSubscribers */
	uint32_t pool_id;        /* natPoolID */
};

/* The template of a record (by event and quota), or 0 when no template carries it. */
unsigned ipfix_template_of(const struct ipfix_nat_record *r);
/* The bytes one data record of template id takes (0 for an unknown id). */
size_t ipfix_record_len(unsigned id);
/* The bytes of the template set with every template. */
size_t ipfix_templates_len(void);

struct ipfix_writer {
	uint8_t *buf;
	size_t cap;              /* at most 65535: the message length field is 16 bits */
	size_t len;              /* bytes written so far (the header is counted from the start) */
	size_t set_off;          /* where the open set starts, or 0 when none is open */
	unsigned set_id;
	uint32_t records;        /* data records in this message */
	uint32_t seq;            /* data records finished before this message (RFC 7011 3.1) */
	uint32_t domain;         /* Observation Domain ID */
};

/* buf must hold cap bytes, at least IPFIX_MSG_HDR_LEN + ipfix_templates_len(). */
void ipfix_writer_init(struct ipfix_writer *w, uint8_t *buf, size_t cap, uint32_t domain);
/* Adds the template set with every template. False (nothing written) when it does not fit. */
bool ipfix_add_templates(struct ipfix_writer *w);
/* Adds one data record, in the open data set when it has the same template, else in a new one.
 * False (nothing written) when it does not fit, or has no template. */
bool ipfix_add_record(struct ipfix_writer *w, const struct ipfix_nat_record *r);
/* True when nothing but the header has been written since the last finish. */
bool ipfix_empty(const struct ipfix_writer *w);
/* Closes the open set, writes the message header (export_time: seconds since 1970), counts the
 * message's data records into the sequence number and starts the next message. Returns the message
 * length (the bytes at buf to send). */
size_t ipfix_finish(struct ipfix_writer *w, uint32_t export_time);

#endif
