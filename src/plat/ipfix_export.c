#include "common/ip_proto.h"
#include "ipfix_export.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "sys/log.h"
#include "sys/udp_export.h"

#define IPFIX_SNDBUF (1 << 20)
#define ALARM_INTERVAL_MS 1000

/* The ICMP of a NAT64 binding is the IPv6 client's, ICMPv6 (common/ip_proto.h). */

static int64_t wall_offset_ms(void)
{
	struct timespec r, m;
	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	return ((int64_t)r.tv_sec - (int64_t)m.tv_sec) * 1000 + (r.tv_nsec - m.tv_nsec) / 1000000;
}

void plat_ipfix_init(struct plat_ipfix *x)
{
	memset(x, 0, sizeof(*x));
	x->fd = -1;
}

/* Sends the queued messages in one sendmmsg; those the socket refuses are counted, with their
 * records, and lost. */
static void send_queue(struct plat_ipfix *x)
{
	static struct log_ratelimit rl;
	if (x->nq == 0)
		return;
	unsigned sent = sys_udp_export_sendm(x->fd, x->qmsg, x->qlen, x->nq);
	int e = errno;
	uint64_t lost = 0;
	for (unsigned i = 0; i < x->nq; i++) {
		if (i < sent) {
			x->c.messages_sent++;
			x->c.records_sent += x->qrec[i];
		} else {
			x->c.send_errors++;
			lost += x->qrec[i];
		}
	}
	x->c.records_dropped += lost;
	if (sent < x->nq && log_ratelimit_ok(&rl))
		log_warn("ipfix: %u messages (%llu records) not sent: %s", x->nq - sent, (unsigned long long)lost, strerror(e));
	x->nq = 0;
	x->w.buf = x->area;
}

/* Finishes the message being built (if it holds anything) into the queue; a full queue is sent. */
static void close_msg(struct plat_ipfix *x, uint64_t now_ms)
{
	if (ipfix_empty(&x->w))
		return;
	uint32_t records = x->w.records;
	uint64_t wall = now_ms + (uint64_t)x->wall_offset_ms;
	x->qmsg[x->nq] = x->w.buf;
	x->qlen[x->nq] = ipfix_finish(&x->w, (uint32_t)(wall / 1000));
	x->qrec[x->nq] = records;
	x->nq++;
	if (x->nq == PLAT_IPFIX_BATCH)
		send_queue(x);
	else
		x->w.buf = x->area + x->nq * x->slot;
}

/* Everything pending out now. */
static void flush(struct plat_ipfix *x, uint64_t now_ms)
{
	close_msg(x, now_ms);
	send_queue(x);
}

static void templates_if_due(struct plat_ipfix *x, uint64_t now_ms)
{
	if (now_ms < x->next_templates_ms)
		return;
	if (!ipfix_add_templates(&x->w)) { /* no room left in this message: the next one */
		close_msg(x, now_ms);
		if (!ipfix_add_templates(&x->w))
			return; /* ipfix-mtu is at least 512: not reached */
	}
	x->c.templates_sent++;
	x->next_templates_ms = now_ms + x->refresh_ms;
}

static void close_fd(struct plat_ipfix *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
	free(x->area);
	x->area = NULL;
	x->nq = 0;
}

int plat_ipfix_setup(struct plat_ipfix *x, const struct plat_settings *s, uint64_t now_ms)
{
	bool same = x->fd >= 0 && s->ipfix_on && x->v6 == s->ipfix_v6 && memcmp(x->addr, s->ipfix_addr, 16) == 0 &&
		    x->port == s->ipfix_port && x->w.domain == s->ipfix_domain && x->w.cap == s->ipfix_mtu;
	x->events = s->ipfix_events;
	x->refresh_ms = (uint64_t)s->ipfix_refresh * 1000;
	x->pool6 = s->nat.pool6;
	x->subscriber_len = s->nat.subscriber_len;
	x->wall_offset_ms = wall_offset_ms();
	if (same) {
		if (x->next_templates_ms > now_ms + x->refresh_ms)
			x->next_templates_ms = now_ms + x->refresh_ms;
		return 0;
	}
	if (x->fd >= 0) {
		flush(x, now_ms);
		close_fd(x);
	}
	if (!s->ipfix_on)
		return 0;
	x->area = malloc((size_t)PLAT_IPFIX_BATCH * s->ipfix_mtu);
	if (!x->area)
		return -1;
	int fd = sys_udp_export_open(s->ipfix_v6, s->ipfix_addr, s->ipfix_port, IPFIX_SNDBUF);
	if (fd < 0) {
		int e = errno;
		free(x->area);
		x->area = NULL;
		errno = e;
		return -1;
	}
	x->fd = fd;
	x->slot = s->ipfix_mtu;
	x->v6 = s->ipfix_v6;
	memcpy(x->addr, s->ipfix_addr, 16);
	x->port = s->ipfix_port;
	/* A new collector or domain is a new stream: sequence numbers start at 0 (RFC 7011 3.1). */
	ipfix_writer_init(&x->w, x->area, s->ipfix_mtu, s->ipfix_domain);
	x->next_templates_ms = 0; /* templates first */
	memset(x->alarm, 0, sizeof(x->alarm));
	return 0;
}

void plat_ipfix_close(struct plat_ipfix *x)
{
	if (x->fd < 0)
		return;
	struct timespec m;
	clock_gettime(CLOCK_MONOTONIC, &m);
	flush(x, (uint64_t)m.tv_sec * 1000 + (uint64_t)m.tv_nsec / 1000000);
	close_fd(x);
}

void plat_ipfix_tick(struct plat_ipfix *x, uint64_t now_ms)
{
	if (x->fd < 0)
		return;
	x->wall_offset_ms = wall_offset_ms(); /* follows clock steps */
	templates_if_due(x, now_ms);
	flush(x, now_ms);
}

/* At most one exhaustion or quota record a second for each (kind, quota, subscriber, address). */
static bool alarm_allowed(struct plat_ipfix *x, const struct nat64_event *ev)
{
	uint64_t key = 0xcbf29ce484222325ULL; /* FNV-1a */
	uint8_t k[2 + 16 + 4];
	k[0] = (uint8_t)ev->kind;
	k[1] = (uint8_t)ev->quota;
	memcpy(k + 2, ev->v6, 16);
	memcpy(k + 18, ev->v4, 4);
	for (size_t i = 0; i < sizeof(k); i++)
		key = (key ^ k[i]) * 0x100000001b3ULL;
	key |= 1; /* 0 marks an empty slot */
	unsigned slot = (unsigned)(key >> 58) % PLAT_IPFIX_ALARM_SLOTS;
	if (x->alarm[slot].key == key && ev->time_ms < x->alarm[slot].last_ms + ALARM_INTERVAL_MS) {
		x->c.alarms_suppressed++;
		return false;
	}
	x->alarm[slot].key = key;
	x->alarm[slot].last_ms = ev->time_ms;
	return true;
}

static uint8_t proto_number(enum nat64_proto p)
{
	return p == NAT64_TCP ? PROTO_TCP : p == NAT64_UDP ? PROTO_UDP : PROTO_ICMPV6;
}

/* The record of an event; false when the event has none. */
static bool to_record(const struct plat_ipfix *x, const struct nat64_event *ev, struct ipfix_nat_record *r)
{
	memset(r, 0, sizeof(*r));
	r->time_ms = ev->time_ms + (uint64_t)x->wall_offset_ms;
	memcpy(r->src6, ev->v6, 16);
	memcpy(r->nat4, ev->v4, 4);
	switch (ev->kind) {
	case NAT64_EV_SESSION_ADD:
	case NAT64_EV_SESSION_DEL:
		r->event = ev->kind == NAT64_EV_SESSION_ADD ? IPFIX_NAT64_SESSION_CREATE : IPFIX_NAT64_SESSION_DELETE;
		r->proto = proto_number(ev->proto);
		r->sport = ev->port6;
		r->nat_sport = ev->port4;
		memcpy(r->dst4, ev->remote4, 4);
		xlat_rfc6052_embed(&x->pool6, ev->remote4, r->dst6);
		r->dport = ev->remote_port;
		return true;
	case NAT64_EV_BIB_ADD:
	case NAT64_EV_BIB_DEL:
		r->event = ev->kind == NAT64_EV_BIB_ADD ? IPFIX_NAT64_BIB_CREATE : IPFIX_NAT64_BIB_DELETE;
		r->proto = proto_number(ev->proto);
		r->sport = ev->port6;
		r->nat_sport = ev->port4;
		return true;
	case NAT64_EV_BLOCK_ADD:
	case NAT64_EV_BLOCK_DEL:
		r->event = ev->kind == NAT64_EV_BLOCK_ADD ? IPFIX_NAT_PORT_BLOCK_ALLOCATION : IPFIX_NAT_PORT_BLOCK_DEALLOCATION;
		r->src6_len = (uint8_t)x->subscriber_len;
		r->port_first = ev->port4;
		r->port_last = ev->port4_last;
		return true;
	case NAT64_EV_ADDRS_EXHAUSTED:
		r->event = IPFIX_NAT_ADDRESSES_EXHAUSTED;
		r->pool_id = 0; /* one pool4 */
		return true;
	case NAT64_EV_PORTS_EXHAUSTED:
		r->event = IPFIX_NAT_PORTS_EXHAUSTED;
		return true;
	case NAT64_EV_QUOTA_EXCEEDED:
		r->event = IPFIX_NAT_QUOTA_EXCEEDED;
		r->limit = ev->limit;
		switch (ev->quota) {
		case NAT64_QUOTA_SESSIONS: r->quota = IPFIX_QUOTA_MAX_SESSION_ENTRIES; break;
		case NAT64_QUOTA_BIBS: r->quota = IPFIX_QUOTA_MAX_BIB_ENTRIES; break;
		case NAT64_QUOTA_SESSIONS_PER_SUBSCRIBER:
		case NAT64_QUOTA_PORTS_PER_SUBSCRIBER: r->quota = IPFIX_QUOTA_MAX_ENTRIES_PER_USER; break;
		case NAT64_QUOTA_SUBSCRIBERS: r->quota = IPFIX_QUOTA_MAX_SUBSCRIBERS; break;
		}
		return true;
	}
	return false;
}

/* Into the message being built; a full one is queued and the record starts the next. */
static void add(struct plat_ipfix *x, const struct ipfix_nat_record *r, uint64_t now_ms)
{
	templates_if_due(x, now_ms);
	if (ipfix_add_record(&x->w, r))
		return;
	close_msg(x, now_ms);
	templates_if_due(x, now_ms);
	if (!ipfix_add_record(&x->w, r))
		x->c.records_dropped++; /* not reached: ipfix-mtu holds any record */
}

void plat_ipfix_event(struct plat_ipfix *x, const struct nat64_event *ev)
{
	struct ipfix_nat_record r;
	if (x->fd < 0 || !(x->events & nat64_event_class(ev->kind)))
		return;
	if (nat64_event_class(ev->kind) == NAT64_LOG_ALARM && !alarm_allowed(x, ev))
		return;
	if (to_record(x, ev, &r))
		add(x, &r, ev->time_ms);
}

void plat_ipfix_lease(struct plat_ipfix *x, bool begins, const uint8_t v6[16], const uint8_t v4[4], uint64_t time_ms)
{
	struct ipfix_nat_record r;
	if (x->fd < 0 || !(x->events & NAT64_LOG_BIB))
		return;
	memset(&r, 0, sizeof(r));
	r.event = begins ? IPFIX_NAT_ADDRESS_BINDING_CREATE : IPFIX_NAT_ADDRESS_BINDING_DELETE;
	r.time_ms = time_ms + (uint64_t)x->wall_offset_ms;
	memcpy(r.src6, v6, 16);
	memcpy(r.nat4, v4, 4);
	add(x, &r, time_ms);
}
