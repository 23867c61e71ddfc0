/* IPFIX messages (RFC 7011) for NAT64 events (RFC 8158): the templates, declared once in the table
 * below, drive both the template set and the data records. */
#include "ipfix.h"

#include <string.h>

struct ipfix_field {
	uint16_t ie;  /* enum ipfix_ie */
	uint16_t len; /* bytes: the IE's abstract data type at full length (RFC 7012) */
};

#define IPFIX_FIELDS_MAX 12

struct ipfix_template_desc {
	unsigned nfields;
	struct ipfix_field f[IPFIX_FIELDS_MAX];
};

#define F_TIME { IPFIX_IE_OBSERVATION_TIME_MILLISECONDS, 8 } /* dateTimeMilliseconds */
#define F_EVENT { IPFIX_IE_NAT_EVENT, 1 }                    /* unsigned8 */
#define F_SRC6 { IPFIX_IE_SOURCE_IPV6_ADDRESS, 16 }
#define F_NAT4 { IPFIX_IE_POST_NAT_SOURCE_IPV4_ADDRESS, 4 }
#define F_QUOTA { IPFIX_IE_NAT_QUOTA_EXCEEDED_EVENT, 4 }     /* unsigned32 */

/* RFC 8158 gives the information elements each event carries; these templates carry them in its
 * order, with natEvent last as in its tables, plus the destination's post-NAPT port for sessions and
 * the subscriber's prefix length for port blocks (the prefix alone does not say it). */
static const struct ipfix_template_desc templates[IPFIX_NTEMPLATES] = {
	[IPFIX_TPL_NAT64_SESSION - IPFIX_TEMPLATE_ID_MIN] = { 11, {
		F_TIME, F_SRC6, F_NAT4,
		{ IPFIX_IE_PROTOCOL_IDENTIFIER, 1 },
		{ IPFIX_IE_SOURCE_TRANSPORT_PORT, 2 },
		{ IPFIX_IE_POST_NAPT_SOURCE_TRANSPORT_PORT, 2 },
		{ IPFIX_IE_DESTINATION_IPV6_ADDRESS, 16 },
		{ IPFIX_IE_POST_NAT_DESTINATION_IPV4_ADDRESS, 4 },
		{ IPFIX_IE_DESTINATION_TRANSPORT_PORT, 2 },
		{ IPFIX_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT, 2 },
		F_EVENT } },
	[IPFIX_TPL_NAT64_BIB - IPFIX_TEMPLATE_ID_MIN] = { 7, {
		F_TIME, F_SRC6, F_NAT4,
		{ IPFIX_IE_PROTOCOL_IDENTIFIER, 1 },
		{ IPFIX_IE_SOURCE_TRANSPORT_PORT, 2 },
		{ IPFIX_IE_POST_NAPT_SOURCE_TRANSPORT_PORT, 2 },
		F_EVENT } },
	[IPFIX_TPL_PORT_BLOCK - IPFIX_TEMPLATE_ID_MIN] = { 9, {
		F_TIME, F_SRC6,
		{ IPFIX_IE_SOURCE_IPV6_PREFIX_LENGTH, 1 },
		F_NAT4,
		{ IPFIX_IE_PORT_RANGE_START, 2 },
		{ IPFIX_IE_PORT_RANGE_END, 2 },
		{ IPFIX_IE_PORT_RANGE_STEP_SIZE, 2 },
		{ IPFIX_IE_PORT_RANGE_NUM_PORTS, 2 },
		F_EVENT } },
	[IPFIX_TPL_ADDRESSES_EXHAUSTED - IPFIX_TEMPLATE_ID_MIN] = { 3, {
		F_TIME, F_EVENT, { IPFIX_IE_NAT_POOL_ID, 4 } } },
	[IPFIX_TPL_PORTS_EXHAUSTED - IPFIX_TEMPLATE_ID_MIN] = { 3, {
		F_TIME, F_EVENT, F_NAT4 } },
	[IPFIX_TPL_QUOTA_SESSIONS - IPFIX_TEMPLATE_ID_MIN] = { 4, {
		F_TIME, F_EVENT, F_QUOTA, { IPFIX_IE_MAX_SESSION_ENTRIES, 4 } } },
	[IPFIX_TPL_QUOTA_BIBS - IPFIX_TEMPLATE_ID_MIN] = { 4, {
		F_TIME, F_EVENT, F_QUOTA, { IPFIX_IE_MAX_BIB_ENTRIES, 4 } } },
	[IPFIX_TPL_QUOTA_PER_USER - IPFIX_TEMPLATE_ID_MIN] = { 5, {
		F_TIME, F_EVENT, F_QUOTA, { IPFIX_IE_MAX_ENTRIES_PER_USER, 4 }, F_SRC6 } },
	[IPFIX_TPL_QUOTA_SUBSCRIBERS - IPFIX_TEMPLATE_ID_MIN] = { 4, {
		F_TIME, F_EVENT, F_QUOTA, { IPFIX_IE_MAX_SUBSCRIBERS, 4 } } },
	[IPFIX_TPL_ADDRESS_BINDING - IPFIX_TEMPLATE_ID_MIN] = { 4, {
		F_TIME, F_SRC6, F_NAT4, F_EVENT } },
};

static const struct ipfix_template_desc *desc_of(unsigned id)
{
	if (id < IPFIX_TEMPLATE_ID_MIN || id >= IPFIX_TPL_END)
		return NULL;
	return &templates[id - IPFIX_TEMPLATE_ID_MIN];
}

unsigned ipfix_template_of(const struct ipfix_nat_record *r)
{
	switch (r->event) {
	case IPFIX_NAT64_SESSION_CREATE:
	case IPFIX_NAT64_SESSION_DELETE:
		return IPFIX_TPL_NAT64_SESSION;
	case IPFIX_NAT64_BIB_CREATE:
	case IPFIX_NAT64_BIB_DELETE:
		return IPFIX_TPL_NAT64_BIB;
	case IPFIX_NAT_PORT_BLOCK_ALLOCATION:
	case IPFIX_NAT_PORT_BLOCK_DEALLOCATION:
		return IPFIX_TPL_PORT_BLOCK;
	case IPFIX_NAT_ADDRESS_BINDING_CREATE:
	case IPFIX_NAT_ADDRESS_BINDING_DELETE:
		return IPFIX_TPL_ADDRESS_BINDING;
	case IPFIX_NAT_ADDRESSES_EXHAUSTED:
		return IPFIX_TPL_ADDRESSES_EXHAUSTED;
	case IPFIX_NAT_PORTS_EXHAUSTED:
		return IPFIX_TPL_PORTS_EXHAUSTED;
	case IPFIX_NAT_QUOTA_EXCEEDED:
		switch (r->quota) {
		case IPFIX_QUOTA_MAX_SESSION_ENTRIES: return IPFIX_TPL_QUOTA_SESSIONS;
		case IPFIX_QUOTA_MAX_BIB_ENTRIES: return IPFIX_TPL_QUOTA_BIBS;
		case IPFIX_QUOTA_MAX_ENTRIES_PER_USER: return IPFIX_TPL_QUOTA_PER_USER;
		case IPFIX_QUOTA_MAX_SUBSCRIBERS: return IPFIX_TPL_QUOTA_SUBSCRIBERS;
		}
		return 0;
	}
	return 0;
}

size_t ipfix_record_len(unsigned id)
{
	const struct ipfix_template_desc *d = desc_of(id);
	size_t n = 0;
	for (unsigned i = 0; d && i < d->nfields; i++)
		n += d->f[i].len;
	return n;
}

size_t ipfix_templates_len(void)
{
	size_t n = IPFIX_SET_HDR_LEN;
	for (unsigned i = 0; i < IPFIX_NTEMPLATES; i++)
		n += 4 + 4 * (size_t)templates[i].nfields; /* template ID, field count; (IE, length) each */
	return n;
}

/* ---- big-endian writers into space already checked ------------------------------------------- */

static uint8_t *put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p = put16(p, (uint16_t)(v >> 16));
	return put16(p, (uint16_t)v);
}

static uint8_t *put64(uint8_t *p, uint64_t v)
{
	p = put32(p, (uint32_t)(v >> 32));
	return put32(p, (uint32_t)v);
}

static uint8_t *putn(uint8_t *p, const uint8_t *v, size_t n)
{
	memcpy(p, v, n);
	return p + n;
}

/* ---- the writer ---------------------------------------------------------------------------- */

void ipfix_writer_init(struct ipfix_writer *w, uint8_t *buf, size_t cap, uint32_t domain)
{
	memset(w, 0, sizeof(*w));
	w->buf = buf;
	w->cap = cap > 65535 ? 65535 : cap;
	w->len = IPFIX_MSG_HDR_LEN;
	w->domain = domain;
}

bool ipfix_empty(const struct ipfix_writer *w) { return w->len <= IPFIX_MSG_HDR_LEN; }

static void close_set(struct ipfix_writer *w)
{
	if (w->set_off)
		put16(w->buf + w->set_off + 2, (uint16_t)(w->len - w->set_off));
	w->set_off = 0;
	w->set_id = 0;
}

bool ipfix_add_templates(struct ipfix_writer *w)
{
	if (w->cap - w->len < ipfix_templates_len())
		return false;
	close_set(w);
	uint8_t *start = w->buf + w->len, *p = start;
	p = put16(p, IPFIX_SET_ID_TEMPLATE);
	p = put16(p, (uint16_t)ipfix_templates_len());
	for (unsigned i = 0; i < IPFIX_NTEMPLATES; i++) {
		const struct ipfix_template_desc *d = &templates[i];
		p = put16(p, (uint16_t)(IPFIX_TEMPLATE_ID_MIN + i));
		p = put16(p, (uint16_t)d->nfields);
		for (unsigned k = 0; k < d->nfields; k++) {
			p = put16(p, d->f[k].ie); /* enterprise bit 0: IANA elements */
			p = put16(p, d->f[k].len);
		}
	}
	w->len += (size_t)(p - start);
	return true;
}

/* One field's value from the record, in network byte order. */
static uint8_t *put_field(uint8_t *p, const struct ipfix_field *f, const struct ipfix_nat_record *r)
{
	switch (f->ie) {
	case IPFIX_IE_OBSERVATION_TIME_MILLISECONDS: return put64(p, r->time_ms);
	case IPFIX_IE_NAT_EVENT: *p = r->event; return p + 1;
	case IPFIX_IE_PROTOCOL_IDENTIFIER: *p = r->proto; return p + 1;
	case IPFIX_IE_SOURCE_IPV6_ADDRESS: return putn(p, r->src6, 16);
	case IPFIX_IE_SOURCE_IPV6_PREFIX_LENGTH: *p = r->src6_len; return p + 1;
	case IPFIX_IE_SOURCE_TRANSPORT_PORT: return put16(p, r->sport);
	case IPFIX_IE_POST_NAT_SOURCE_IPV4_ADDRESS: return putn(p, r->nat4, 4);
	case IPFIX_IE_POST_NAPT_SOURCE_TRANSPORT_PORT: return put16(p, r->nat_sport);
	case IPFIX_IE_DESTINATION_IPV6_ADDRESS: return putn(p, r->dst6, 16);
	case IPFIX_IE_POST_NAT_DESTINATION_IPV4_ADDRESS: return putn(p, r->dst4, 4);
	case IPFIX_IE_DESTINATION_TRANSPORT_PORT:
	case IPFIX_IE_POST_NAPT_DESTINATION_TRANSPORT_PORT: return put16(p, r->dport); /* NAT64 keeps it */
	case IPFIX_IE_PORT_RANGE_START: return put16(p, r->port_first);
	case IPFIX_IE_PORT_RANGE_END: return put16(p, r->port_last);
	case IPFIX_IE_PORT_RANGE_STEP_SIZE: return put16(p, 1);
	case IPFIX_IE_PORT_RANGE_NUM_PORTS:
		return put16(p, (uint16_t)(r->port_last >= r->port_first ? r->port_last - r->port_first + 1 : 0));
	case IPFIX_IE_NAT_QUOTA_EXCEEDED_EVENT: return put32(p, r->quota);
	case IPFIX_IE_MAX_SESSION_ENTRIES:
	case IPFIX_IE_MAX_BIB_ENTRIES:
	case IPFIX_IE_MAX_ENTRIES_PER_USER:
	case IPFIX_IE_MAX_SUBSCRIBERS: return put32(p, r->limit);
	case IPFIX_IE_NAT_POOL_ID: return put32(p, r->pool_id);
	}
	memset(p, 0, f->len); /* not reached: every IE of the table is above */
	return p + f->len;
}

bool ipfix_add_record(struct ipfix_writer *w, const struct ipfix_nat_record *r)
{
	unsigned id = ipfix_template_of(r);
	const struct ipfix_template_desc *d = desc_of(id);
	if (!d)
		return false;
	size_t need = ipfix_record_len(id) + (w->set_off && w->set_id == id ? 0 : IPFIX_SET_HDR_LEN);
	if (w->cap - w->len < need)
		return false;
	if (!w->set_off || w->set_id != id) {
		close_set(w);
		w->set_off = w->len;
		w->set_id = id;
		put16(w->buf + w->len, (uint16_t)id); /* the length is written when the set closes */
		put16(w->buf + w->len + 2, 0);
		w->len += IPFIX_SET_HDR_LEN;
	}
	uint8_t *p = w->buf + w->len;
	for (unsigned k = 0; k < d->nfields; k++)
		p = put_field(p, &d->f[k], r);
	w->len = (size_t)(p - w->buf);
	w->records++;
	return true;
}

size_t ipfix_finish(struct ipfix_writer *w, uint32_t export_time)
{
	close_set(w);
	uint8_t *p = w->buf;
	size_t n = w->len;
	p = put16(p, IPFIX_VERSION);
	p = put16(p, (uint16_t)n);
	p = put32(p, export_time);
	p = put32(p, w->seq);
	put32(p, w->domain);
	w->seq += w->records; /* modulo 2^32 */
	w->records = 0;
	w->len = IPFIX_MSG_HDR_LEN;
	return n;
}
