/* Server decisions: RFC 8925 section 3.3 for clients asking for option 108, RFC 2131 section 4.3
 * for the others (mostly mode). */
#include "dhcp4_server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/cursor.h"

static const uint8_t zero4[4];

static uint32_t addr_u32(const uint8_t a[4])
{
	return be32_at(a);
}

static uint32_t mask_of(unsigned plen)
{
	return plen == 0 ? 0 : 0xffffffffu << (32 - plen);
}

/* Slot of address a, or -1 when it is outside the pool. */
static long slot_of(const struct dhcp4_server *s, const uint8_t a[4])
{
	uint32_t v = addr_u32(a);
	if (!s->lease || v < s->cfg.pool_first || v > s->cfg.pool_last)
		return -1;
	return (long)(v - s->cfg.pool_first);
}

static bool in_subnet(const struct dhcp4_server *s, const uint8_t a[4])
{
	uint32_t m = mask_of(s->cfg.plen);
	return (addr_u32(a) & m) == (s->cfg.pool_first & m);
}

static bool key_is(const struct dhcp4_lease *l, const uint8_t *key, unsigned keylen)
{
	return l->state != DHCP4_SLOT_FREE && l->state != DHCP4_SLOT_DECLINED && l->keylen == keylen &&
	       memcmp(l->key, key, keylen) == 0;
}

static bool available(const struct dhcp4_lease *l, uint64_t now)
{
	return l->state == DHCP4_SLOT_FREE || l->expires <= now;
}

/* RFC 2131 section 4.3.1: the client's current or previous address, else the requested one if
 * free, else a never-used one, else the one that expired longest ago. -1: none. */
static long choose(const struct dhcp4_server *s, const struct dhcp4_msg *m, const uint8_t *key, unsigned keylen,
		   uint64_t now)
{
	long oldest = -1;

	for (unsigned i = 0; i < s->nlease; i++)
		if (key_is(&s->lease[i], key, keylen))
			return (long)i;
	if (m->has_requested_ip) {
		long i = slot_of(s, m->requested_ip);
		if (i >= 0 && available(&s->lease[i], now))
			return i;
	}
	for (unsigned i = 0; i < s->nlease; i++)
		if (s->lease[i].state == DHCP4_SLOT_FREE)
			return (long)i;
	for (unsigned i = 0; i < s->nlease; i++)
		if (s->lease[i].expires <= now && (oldest < 0 || s->lease[i].expires < s->lease[oldest].expires))
			oldest = (long)i;
	return oldest;
}

static void slot_addr(const struct dhcp4_server *s, long i, uint8_t a[4])
{
	put_be32(a, s->cfg.pool_first + (uint32_t)i);
}

static void set_slot(struct dhcp4_server *s, long i, enum dhcp4_slot_state st, const uint8_t *key, unsigned keylen,
		     uint64_t expires)
{
	struct dhcp4_lease *l = &s->lease[i];
	if (st == DHCP4_SLOT_BOUND || st == DHCP4_SLOT_DECLINED || l->state == DHCP4_SLOT_BOUND ||
	    l->state == DHCP4_SLOT_DECLINED)
		s->dirty = true;
	l->state = (uint8_t)st;
	l->keylen = (uint8_t)keylen;
	memset(l->key, 0, sizeof(l->key));
	if (keylen)
		memcpy(l->key, key, keylen);
	l->expires = expires;
}

/* RFC 8925 section 3.3: yiaddr 0.0.0.0 and option 108 carrying the configured V6ONLY_WAIT; with the
 * message type and server identifier that every OFFER and ACK carries (RFC 2131 table 3), and
 * nothing that would configure IPv4 (no lease time, mask, router or DNS: there is no lease). */
static void v6only_reply(const struct dhcp4_server *s, const struct dhcp4_msg *m, uint8_t type,
			 struct dhcp4_reply *r)
{
	r->type = type;
	memcpy(r->server_id, s->cfg.server_id, 4);
	if (type == DHCP4_ACK)
		memcpy(r->ciaddr, m->ciaddr, 4);
	r->v6only = true;
	r->v6only_wait = s->cfg.v6only_wait;
}

static void config_options(const struct dhcp4_server *s, struct dhcp4_reply *r)
{
	r->has_mask = true;
	put_be32(r->mask, mask_of(s->cfg.plen));
	r->nrouters = s->cfg.nrouters;
	memcpy(r->routers, s->cfg.routers, sizeof(r->routers));
	r->ndns = s->cfg.ndns;
	memcpy(r->dns, s->cfg.dns, sizeof(r->dns));
}

static void addr_reply(const struct dhcp4_server *s, const struct dhcp4_msg *m, uint8_t type, long i,
		       struct dhcp4_reply *r)
{
	r->type = type;
	memcpy(r->server_id, s->cfg.server_id, 4);
	slot_addr(s, i, r->yiaddr);
	if (type == DHCP4_ACK)
		memcpy(r->ciaddr, m->ciaddr, 4);
	r->lease = true;
	r->lease_time = s->cfg.lease_time;
	config_options(s, r);
}

static void nak(const struct dhcp4_server *s, struct dhcp4_reply *r, const char *why)
{
	r->type = DHCP4_NAK;
	memcpy(r->server_id, s->cfg.server_id, 4);
	r->message = why;
}

static enum dhcp4_drop on_request(struct dhcp4_server *s, const struct dhcp4_msg *m, const uint8_t *key,
				  unsigned keylen, uint64_t now, struct dhcp4_reply *r)
{
	const uint8_t *addr;
	bool selecting = m->has_server_id;
	bool renewing = memcmp(m->ciaddr, zero4, 4) != 0;

	if (selecting || (m->has_requested_ip && !renewing))
		addr = m->has_requested_ip ? m->requested_ip : m->ciaddr;
	else if (renewing)
		addr = m->ciaddr;
	else
		return DHCP4_DROP_BAD_REQUEST;
	if (memcmp(addr, zero4, 4) == 0)
		return DHCP4_DROP_BAD_REQUEST;
	/* RFC 2131 section 4.3.2: a requested address on the wrong network gets a NAK. */
	if (!in_subnet(s, addr)) {
		nak(s, r, "address not on this network");
		return DHCP4_DROP_NONE;
	}
	long i = slot_of(s, addr);
	if (i < 0)
		return DHCP4_DROP_NO_RECORD;
	struct dhcp4_lease *l = &s->lease[i];
	if (!key_is(l, key, keylen)) {
		/* The client holds another of our addresses, or this one is someone else's: NAK, so
		 * that it starts over. Otherwise (no record either way) stay silent unless it is the
		 * client's answer to our OFFER (selecting) or a renewal of a free address, which we
		 * adopt (a lost lease file must not strand clients). */
		for (unsigned k = 0; k < s->nlease; k++)
			if ((long)k != i && key_is(&s->lease[k], key, keylen) && s->lease[k].expires > now) {
				nak(s, r, "you have another address here");
				return DHCP4_DROP_NONE;
			}
		if (!available(l, now)) {
			nak(s, r, "address in use");
			return DHCP4_DROP_NONE;
		}
		if (!selecting && !renewing)
			return DHCP4_DROP_NO_RECORD;
	}
	set_slot(s, i, DHCP4_SLOT_BOUND, key, keylen, now + s->cfg.lease_time);
	addr_reply(s, m, DHCP4_ACK, i, r);
	return DHCP4_DROP_NONE;
}

enum dhcp4_drop dhcp4_server_handle(struct dhcp4_server *s, const struct dhcp4_msg *m, uint64_t now,
				    enum dhcp4_verdict *verdict, struct dhcp4_reply *r)
{
	uint8_t key[DHCP4_KEY_MAX];
	unsigned keylen = dhcp4_msg_key(m, key);
	bool asked = dhcp4_msg_requests(m, DHCP4_OPT_IPV6_ONLY_PREFERRED);
	bool mostly = s->cfg.mode == DHCP4_MODE_MOSTLY && s->lease;
	bool relayed = memcmp(m->giaddr, zero4, 4) != 0;
	bool other_server = m->has_server_id && memcmp(m->server_id, s->cfg.server_id, 4) != 0;
	long i;

	memset(r, 0, sizeof(*r));
	*verdict = DHCP4_VERDICT_REPLY;
	/* RFC 2131 section 4.3.1: a relayed client's address comes from giaddr's subnet. This server
	 * has one pool, so it hands out addresses only to the relay of that pool's subnet; option-108
	 * answers carry no address and go to any relay. */
	if (relayed && mostly && !asked && !in_subnet(s, m->giaddr) && m->type != DHCP4_RELEASE &&
	    m->type != DHCP4_DECLINE && !other_server)
		return DHCP4_DROP_RELAY_OTHER_SUBNET;

	switch (m->type) {
	case DHCP4_DISCOVER:
		/* RFC 8925 section 3.3: 108 requested on a network configured as IPv6-mostly. */
		if (asked) {
			v6only_reply(s, m, DHCP4_OFFER, r);
			return DHCP4_DROP_NONE;
		}
		if (!mostly)
			return DHCP4_DROP_V6ONLY_NETWORK;
		i = choose(s, m, key, keylen, now);
		if (i < 0)
			return DHCP4_DROP_POOL_EXHAUSTED;
		/* A client's unexpired binding stays bound; anything else is held for the REQUEST. */
		if (!(s->lease[i].state == DHCP4_SLOT_BOUND && key_is(&s->lease[i], key, keylen) &&
		      s->lease[i].expires > now))
			set_slot(s, i, DHCP4_SLOT_OFFERED, key, keylen, now + DHCP4_OFFER_HOLD);
		addr_reply(s, m, DHCP4_OFFER, i, r);
		return DHCP4_DROP_NONE;

	case DHCP4_REQUEST:
		if (other_server) {
			/* RFC 2131 section 4.3.2: the client declined our offer by choosing another. */
			for (unsigned k = 0; mostly && k < s->nlease; k++)
				if (s->lease[k].state == DHCP4_SLOT_OFFERED && key_is(&s->lease[k], key, keylen))
					s->lease[k].expires = now;
			return DHCP4_DROP_OTHER_SERVER;
		}
		if (asked) {
			v6only_reply(s, m, DHCP4_ACK, r);
			return DHCP4_DROP_NONE;
		}
		if (!mostly)
			return DHCP4_DROP_V6ONLY_NETWORK;
		return on_request(s, m, key, keylen, now, r);

	case DHCP4_DECLINE:
		if (other_server)
			return DHCP4_DROP_OTHER_SERVER;
		i = mostly && m->has_requested_ip ? slot_of(s, m->requested_ip) : -1;
		if (i < 0 || !key_is(&s->lease[i], key, keylen))
			return DHCP4_DROP_NOT_OUR_LEASE;
		/* RFC 2131 section 4.3.3: mark the address as not available. */
		set_slot(s, i, DHCP4_SLOT_DECLINED, NULL, 0, now + s->cfg.lease_time);
		*verdict = DHCP4_VERDICT_DECLINED;
		return DHCP4_DROP_NONE;

	case DHCP4_RELEASE:
		if (other_server)
			return DHCP4_DROP_OTHER_SERVER;
		i = mostly ? slot_of(s, m->ciaddr) : -1;
		if (i < 0 || !key_is(&s->lease[i], key, keylen))
			return DHCP4_DROP_NOT_OUR_LEASE;
		/* RFC 2131 section 4.3.4: the lease ends; the address stays recorded for this client
		 * (section 4.3.1 gives it back to it first). */
		set_slot(s, i, DHCP4_SLOT_BOUND, key, keylen, now);
		*verdict = DHCP4_VERDICT_RELEASED;
		return DHCP4_DROP_NONE;

	case DHCP4_INFORM:
		/* RFC 2131 section 4.3.5: ACK with parameters, no lease time, yiaddr 0, to ciaddr. */
		if (asked) {
			v6only_reply(s, m, DHCP4_ACK, r);
			return DHCP4_DROP_NONE;
		}
		if (!mostly)
			return DHCP4_DROP_V6ONLY_NETWORK;
		r->type = DHCP4_ACK;
		memcpy(r->server_id, s->cfg.server_id, 4);
		memcpy(r->ciaddr, m->ciaddr, 4);
		config_options(s, r);
		return DHCP4_DROP_NONE;
	}
	return DHCP4_DROP_BAD_MESSAGE_TYPE; /* the parser lets no other type through */
}

unsigned dhcp4_server_bound(const struct dhcp4_server *s, uint64_t now)
{
	unsigned n = 0;
	for (unsigned i = 0; i < s->nlease; i++)
		n += s->lease[i].state == DHCP4_SLOT_BOUND && s->lease[i].expires > now;
	return n;
}

/* ---- addresses and the lease file ------------------------------------------------------------- */

size_t dhcp4_addr_format(const uint8_t a[4], char *buf, size_t cap)
{
	int k = snprintf(buf, cap, "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	return k < 0 || (size_t)k >= cap ? 0 : (size_t)k;
}

bool dhcp4_addr_parse(const char *s, uint8_t a[4])
{
	for (int part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;
		while (*s >= '0' && *s <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(*s++ - '0');
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return false;
		a[part] = (uint8_t)v;
		if (part < 3 && *s++ != '.')
			return false;
	}
	return *s == '\0';
}

static const char *const state_word[] = { "free", "offered", "bound", "declined" };

size_t dhcp4_lease_format(const struct dhcp4_server *s, unsigned i, char *buf, size_t cap)
{
	char a[16], key[2 * DHCP4_KEY_MAX + 2];
	uint8_t addr[4];

	if (!s->lease || i >= s->nlease)
		return 0;
	const struct dhcp4_lease *l = &s->lease[i];
	if (l->state != DHCP4_SLOT_BOUND && l->state != DHCP4_SLOT_DECLINED)
		return 0;
	slot_addr(s, i, addr);
	dhcp4_addr_format(addr, a, sizeof(a));
	if (l->keylen == 0)
		snprintf(key, sizeof(key), "-");
	for (unsigned k = 0; k < l->keylen; k++)
		snprintf(key + 2 * k, sizeof(key) - 2 * k, "%02x", l->key[k]);
	int n = snprintf(buf, cap, "%s %s %llu %s\n", a, state_word[l->state], (unsigned long long)l->expires, key);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dhcp4_lease_parse(struct dhcp4_server *s, const char *line, bool *skipped, char *err, size_t errlen)
{
	char a[20], st[12], exp[24], keyhex[2 * DHCP4_KEY_MAX + 4], extra[2];
	uint8_t addr[4], key[DHCP4_KEY_MAX];
	unsigned keylen = 0;
	enum dhcp4_slot_state state;

	*skipped = false;
	while (*line == ' ' || *line == '\t')
		line++;
	if (*line == '#' || *line == '\0' || *line == '\n')
		return 0;
	int n = sscanf(line, "%19s %11s %23s %131s %1s", a, st, exp, keyhex, extra);
	if (n != 4) {
		snprintf(err, errlen, "expected: ADDRESS STATE EXPIRES KEY");
		return -1;
	}
	if (!dhcp4_addr_parse(a, addr)) {
		snprintf(err, errlen, "'%s' is not an IPv4 address", a);
		return -1;
	}
	if (strcmp(st, "bound") == 0)
		state = DHCP4_SLOT_BOUND;
	else if (strcmp(st, "declined") == 0)
		state = DHCP4_SLOT_DECLINED;
	else {
		snprintf(err, errlen, "state '%s' is neither bound nor declined", st);
		return -1;
	}
	char *end;
	if (exp[0] < '0' || exp[0] > '9') {
		snprintf(err, errlen, "expiry '%s' is not a number of seconds", exp);
		return -1;
	}
	unsigned long long expires = strtoull(exp, &end, 10);
	if (*end) {
		snprintf(err, errlen, "expiry '%s' is not a number of seconds", exp);
		return -1;
	}
	if (strcmp(keyhex, "-") != 0) {
		size_t hl = strlen(keyhex);
		if (hl % 2 || hl / 2 > DHCP4_KEY_MAX || hl == 0) {
			snprintf(err, errlen, "client key '%s' is not 1-%d bytes of hex", keyhex, DHCP4_KEY_MAX);
			return -1;
		}
		for (size_t k = 0; k < hl; k += 2) {
			int hi = hexval(keyhex[k]), lo = hexval(keyhex[k + 1]);
			if (hi < 0 || lo < 0) {
				snprintf(err, errlen, "client key '%s' is not hex", keyhex);
				return -1;
			}
			key[keylen++] = (uint8_t)(hi << 4 | lo);
		}
	}
	if ((state == DHCP4_SLOT_BOUND) != (keylen > 0)) {
		snprintf(err, errlen, "a bound lease needs a client key, a declined one has none ('-')");
		return -1;
	}
	long i = slot_of(s, addr);
	if (i < 0) {
		*skipped = true;
		return 0;
	}
	struct dhcp4_lease *l = &s->lease[i];
	l->state = (uint8_t)state;
	l->keylen = (uint8_t)keylen;
	memset(l->key, 0, sizeof(l->key));
	memcpy(l->key, key, keylen);
	l->expires = expires;
	return 0;
}
