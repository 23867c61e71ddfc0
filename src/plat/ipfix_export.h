/* The PLAT's IPFIX exporter (RFC 7011 over UDP, RFC 8158 NAT events): turns lib/nat64's events into
 * lib/ipfix records and batches them into messages of at most ipfix-mtu bytes; full messages queue
 * up to PLAT_IPFIX_BATCH and leave together in one sendmmsg on a connected non-blocking UDP socket,
 * and whatever is pending leaves at least once a second (plat_ipfix_tick, from the daemon's 1 s
 * timer). Templates go out first and again every ipfix-template-refresh
 * seconds (RFC 7011 section 8.4). Nothing waits: a send that fails is counted and its records are
 * lost (the collector sees the gap in the sequence numbers). Exhaustion and quota events are
 * limited to one a second for each (event, limit, subscriber or address). */
#ifndef XLAT464_PLAT_IPFIX_EXPORT_H
#define XLAT464_PLAT_IPFIX_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "ipfix/ipfix.h"
#include "nat64/nat64.h"
#include "plat_settings.h"

struct plat_ipfix_counters {
	uint64_t records_sent;      /* data records in messages the socket took */
	uint64_t messages_sent;     /* messages the socket took (templates-only ones included) */
	uint64_t templates_sent;    /* template sets sent */
	uint64_t send_errors;       /* messages the socket refused (buffer full, collector unreachable) */
	uint64_t records_dropped;   /* data records in those messages */
	uint64_t alarms_suppressed; /* exhaustion and quota events over the one-a-second limit */
};

#define PLAT_IPFIX_ALARM_SLOTS 64
#define PLAT_IPFIX_BATCH 32 /* messages per sendmmsg */

struct plat_ipfix {
	int fd;                     /* -1: off */
	bool v6;
	uint8_t addr[16];
	uint16_t port;
	unsigned events;            /* NAT64_LOG_* */
	uint64_t refresh_ms;
	uint64_t next_templates_ms; /* on the monotonic clock of the events */
	int64_t wall_offset_ms;     /* realtime minus monotonic, for observationTimeMilliseconds */
	struct xlat_prefix6 pool6;  /* destinationIPv6Address of a session: its IPv4 peer in pool6 */
	unsigned subscriber_len;
	struct ipfix_writer w;      /* builds the message in slot nq of area */
	uint8_t *area;              /* PLAT_IPFIX_BATCH slots of ipfix-mtu bytes (allocated at setup) */
	size_t slot;
	unsigned nq;                /* finished messages waiting in slots 0..nq-1 */
	uint8_t *qmsg[PLAT_IPFIX_BATCH];
	size_t qlen[PLAT_IPFIX_BATCH];
	uint32_t qrec[PLAT_IPFIX_BATCH];
	struct {
		uint64_t key, last_ms;
	} alarm[PLAT_IPFIX_ALARM_SLOTS];
	struct plat_ipfix_counters c;
};

/* Before the first plat_ipfix_setup. */
void plat_ipfix_init(struct plat_ipfix *x);
/* Starts, changes or stops the export as the settings say (at start and on every reload), keeping
 * the counters and, for the same collector and domain, the socket and the sequence numbers. now_ms:
 * the monotonic clock. Returns 0, or -1 with errno when the socket could not be opened (the export
 * is then off). */
int plat_ipfix_setup(struct plat_ipfix *x, const struct plat_settings *s, uint64_t now_ms);
/* Sends what is pending, closes and frees. */
void plat_ipfix_close(struct plat_ipfix *x);
static inline bool plat_ipfix_on(const struct plat_ipfix *x) { return x->fd >= 0; }
/* One event (the receiver of the daemon's nat64 log callback). */
void plat_ipfix_event(struct plat_ipfix *x, const struct nat64_event *ev);
/* Stateless mode: a lease of v4 to v6 began (add) or ended, an address binding (class bib). */
void plat_ipfix_lease(struct plat_ipfix *x, bool begins, const uint8_t v6[16], const uint8_t v4[4], uint64_t time_ms);
/* Once a second: the template refresh when due, and the pending records out. */
void plat_ipfix_tick(struct plat_ipfix *x, uint64_t now_ms);

#endif
