/* DHCPv4 message parsing and building (RFC 2131 sections 2-4, RFC 2132, RFC 3396). */
#include <string.h>

#include "common/cursor.h"
#include "dhcp4.h"

static const char *const drop_names[] = {
#define DHCP4_X_NAME(e, n, d) n,
	DHCP4_DROPS(DHCP4_X_NAME)
#undef DHCP4_X_NAME
};
static const char *const drop_descs[] = {
#define DHCP4_X_DESC(e, n, d) d,
	DHCP4_DROPS(DHCP4_X_DESC)
#undef DHCP4_X_DESC
};

const char *dhcp4_drop_name(enum dhcp4_drop r)
{
	return (unsigned)r < DHCP4_DROP__COUNT ? drop_names[r] : "?";
}

const char *dhcp4_drop_desc(enum dhcp4_drop r)
{
	return (unsigned)r < DHCP4_DROP__COUNT ? drop_descs[r] : "?";
}

const char *dhcp4_type_name(unsigned type)
{
	static const char *const names[] = { "?",   "DISCOVER", "OFFER",   "REQUEST", "DECLINE",
					      "ACK", "NAK",      "RELEASE", "INFORM" };
	return type <= DHCP4_TYPE_MAX ? names[type] : "?";
}

/* One option of a known fixed length that may appear once. */
static enum dhcp4_drop take_fixed(const uint8_t *v, unsigned len, unsigned want, bool *seen, void *dst)
{
	if (len != want)
		return DHCP4_DROP_BAD_OPTION_LENGTH;
	if (*seen)
		return DHCP4_DROP_DUPLICATE_OPTION;
	*seen = true;
	memcpy(dst, v, want);
	return DHCP4_DROP_NONE;
}

struct walk {
	bool seen_type, seen_overload, seen_lease, seen_size;
	uint8_t lease[4], size[2];
};

static enum dhcp4_drop take_option(struct dhcp4_msg *m, struct walk *w, bool main_field, uint8_t code,
				   const uint8_t *v, unsigned len)
{
	switch (code) {
	case DHCP4_OPT_MESSAGE_TYPE:
		return take_fixed(v, len, 1, &w->seen_type, &m->type);
	case DHCP4_OPT_OVERLOAD:
		/* RFC 2131 section 4.1: only meaningful in the options field itself. */
		if (!main_field)
			return DHCP4_DROP_NONE;
		return take_fixed(v, len, 1, &w->seen_overload, &m->overload);
	case DHCP4_OPT_SERVER_ID:
		return take_fixed(v, len, 4, &m->has_server_id, m->server_id);
	case DHCP4_OPT_REQUESTED_IP:
		return take_fixed(v, len, 4, &m->has_requested_ip, m->requested_ip);
	case DHCP4_OPT_LEASE_TIME:
		return take_fixed(v, len, 4, &w->seen_lease, w->lease);
	case DHCP4_OPT_MAX_MSG_SIZE:
		return take_fixed(v, len, 2, &w->seen_size, w->size);
	case DHCP4_OPT_PRL:
		for (unsigned i = 0; i < len; i++)
			m->prl[v[i] >> 3] |= (uint8_t)(1u << (v[i] & 7));
		m->prl_len += len;
		return DHCP4_DROP_NONE;
	case DHCP4_OPT_CLIENT_ID:
		/* RFC 3396 section 7: split instances are concatenated. */
		if (len > DHCP4_CLIENT_ID_MAX - m->client_id_len)
			return DHCP4_DROP_CLIENT_ID_TOO_LONG;
		memcpy(m->client_id + m->client_id_len, v, len);
		m->client_id_len += len;
		return DHCP4_DROP_NONE;
	case DHCP4_OPT_RELAY_AGENT_INFO:
		/* RFC 3046 section 2.2 (echoed verbatim); split instances concatenate (RFC 3396 7). */
		if (len > DHCP4_RELAY_INFO_MAX - m->relay_info_len)
			return DHCP4_DROP_RELAY_INFO_TOO_LONG;
		memcpy(m->relay_info + m->relay_info_len, v, len);
		m->relay_info_len += len;
		m->has_relay_info = true;
		return DHCP4_DROP_NONE;
	default:
		return DHCP4_DROP_NONE;
	}
}

/* Walks one field holding options. must_end: the field has to close with End. */
static enum dhcp4_drop walk_field(struct dhcp4_msg *m, struct walk *w, const uint8_t *p, size_t n, bool main_field)
{
	struct cursor c = cursor_make(p, n);

	while (cursor_left(&c) > 0) {
		uint8_t code = cursor_u8(&c);
		if (code == DHCP4_OPT_PAD)
			continue;
		if (code == DHCP4_OPT_END)
			return DHCP4_DROP_NONE; /* what follows is padding */
		if (++m->noptions > DHCP4_MAX_OPTIONS)
			return DHCP4_DROP_TOO_MANY_OPTIONS;
		uint8_t len = cursor_u8(&c);
		const uint8_t *v = cursor_take(&c, len);
		if (!cursor_ok(&c))
			return DHCP4_DROP_OPTION_TRUNCATED;
		enum dhcp4_drop r = take_option(m, w, main_field, code, v, len);
		if (r != DHCP4_DROP_NONE)
			return r;
	}
	/* Ran out without End: fine for sname and file, which end with their field. */
	return main_field ? DHCP4_DROP_NO_END : DHCP4_DROP_NONE;
}

enum dhcp4_drop dhcp4_parse(const uint8_t *buf, size_t len, struct dhcp4_msg *m)
{
	struct cursor c = cursor_make(buf, len);
	struct walk w = { 0 };
	enum dhcp4_drop r;

	memset(m, 0, sizeof(*m));
	if (len < DHCP4_MIN_LEN)
		return DHCP4_DROP_TRUNCATED;
	m->op = cursor_u8(&c);
	m->htype = cursor_u8(&c);
	m->hlen = cursor_u8(&c);
	m->hops = cursor_u8(&c);
	m->xid = cursor_be32(&c);
	m->secs = cursor_be16(&c);
	m->flags = cursor_be16(&c);
	cursor_copy(&c, m->ciaddr, 4);
	cursor_copy(&c, m->yiaddr, 4);
	cursor_copy(&c, m->siaddr, 4);
	cursor_copy(&c, m->giaddr, 4);
	cursor_copy(&c, m->chaddr, DHCP4_CHADDR_LEN);
	const uint8_t *sname = cursor_take(&c, DHCP4_SNAME_LEN);
	const uint8_t *file = cursor_take(&c, DHCP4_FILE_LEN);
	uint32_t cookie = cursor_be32(&c);
	if (!cursor_ok(&c))
		return DHCP4_DROP_TRUNCATED; /* cannot happen after the length check; kept for the reader */
	if (m->op != DHCP4_OP_BOOTREQUEST)
		return DHCP4_DROP_NOT_BOOTREQUEST;
	if (m->hlen > DHCP4_CHADDR_LEN || (m->htype == DHCP4_HTYPE_ETHER && m->hlen != DHCP4_ETHER_LEN))
		return DHCP4_DROP_BAD_HLEN;
	if (cookie != DHCP4_MAGIC_COOKIE)
		return DHCP4_DROP_BAD_COOKIE;

	/* RFC 2131 section 4.1: options first (it may hold the overload), then file, then sname. */
	r = walk_field(m, &w, cursor_ptr(&c), cursor_left(&c), true);
	if (r != DHCP4_DROP_NONE)
		return r;
	if (w.seen_overload) {
		if (m->overload < DHCP4_OVERLOAD_FILE || m->overload > DHCP4_OVERLOAD_BOTH)
			return DHCP4_DROP_BAD_OVERLOAD;
		if (m->overload & DHCP4_OVERLOAD_FILE) {
			r = walk_field(m, &w, file, DHCP4_FILE_LEN, false);
			if (r != DHCP4_DROP_NONE)
				return r;
		}
		if (m->overload & DHCP4_OVERLOAD_SNAME) {
			r = walk_field(m, &w, sname, DHCP4_SNAME_LEN, false);
			if (r != DHCP4_DROP_NONE)
				return r;
		}
	}
	if (w.seen_lease) {
		m->has_lease_time = true;
		m->lease_time = be32_at(w.lease);
	}
	if (w.seen_size) {
		m->has_max_msg_size = true;
		m->max_msg_size = be16_at(w.size);
	}
	if (!w.seen_type)
		return DHCP4_DROP_NO_MESSAGE_TYPE;
	if (m->type < DHCP4_DISCOVER || m->type > DHCP4_TYPE_MAX)
		return DHCP4_DROP_BAD_MESSAGE_TYPE;
	if (m->type == DHCP4_OFFER || m->type == DHCP4_ACK || m->type == DHCP4_NAK)
		return DHCP4_DROP_SERVER_MESSAGE;
	return DHCP4_DROP_NONE;
}

unsigned dhcp4_msg_key(const struct dhcp4_msg *m, uint8_t key[DHCP4_KEY_MAX])
{
	if (m->client_id_len > 0) {
		memcpy(key, m->client_id, m->client_id_len);
		return m->client_id_len;
	}
	key[0] = m->htype;
	memcpy(key + 1, m->chaddr, m->hlen); /* hlen <= 16: checked by the parser */
	return 1u + m->hlen;
}

/* ---- building --------------------------------------------------------------------------------- */

struct out {
	uint8_t *p;
	size_t len, cap;
	bool bad;
};

static void put(struct out *o, const void *b, size_t n)
{
	if (o->bad || n > o->cap - o->len) {
		o->bad = true;
		return;
	}
	memcpy(o->p + o->len, b, n);
	o->len += n;
}

static void put_opt(struct out *o, uint8_t code, const void *v, uint8_t n)
{
	uint8_t h[2] = { code, n };
	put(o, h, 2);
	put(o, v, n);
}

static void put_opt32(struct out *o, uint8_t code, uint32_t v)
{
	uint8_t b[4];
	put_be32(b, v);
	put_opt(o, code, b, 4);
}

static void put_addrs(struct out *o, uint8_t code, const uint8_t (*a)[4], unsigned n)
{
	if (n == 0)
		return;
	if (n > DHCP4_MAX_ADDRS)
		n = DHCP4_MAX_ADDRS;
	put_opt(o, code, a, (uint8_t)(4 * n));
}

size_t dhcp4_build_reply(const struct dhcp4_msg *req, const struct dhcp4_reply *r, uint8_t *buf, size_t cap)
{
	struct out o = { buf, 0, cap, false };
	uint8_t fixed[DHCP4_OFF_OPTIONS];

	memset(fixed, 0, sizeof(fixed));
	fixed[DHCP4_OFF_OP] = DHCP4_OP_BOOTREPLY;
	fixed[DHCP4_OFF_HTYPE] = req->htype;
	fixed[DHCP4_OFF_HLEN] = req->hlen;
	put_be32(fixed + DHCP4_OFF_XID, req->xid);
	uint16_t flags = req->flags;
	if (r->type == DHCP4_NAK && be32_at(req->giaddr) != 0)
		flags |= DHCP4_FLAG_BROADCAST; /* RFC 2131 section 4.3.2 */
	put_be16(fixed + DHCP4_OFF_FLAGS, flags);
	memcpy(fixed + DHCP4_OFF_CIADDR, r->ciaddr, 4);
	memcpy(fixed + DHCP4_OFF_YIADDR, r->yiaddr, 4);
	memcpy(fixed + DHCP4_OFF_GIADDR, req->giaddr, 4);
	memcpy(fixed + DHCP4_OFF_CHADDR, req->chaddr, DHCP4_CHADDR_LEN);
	put_be32(fixed + DHCP4_FIXED_LEN, DHCP4_MAGIC_COOKIE);
	put(&o, fixed, sizeof(fixed));

	put_opt(&o, DHCP4_OPT_MESSAGE_TYPE, &r->type, 1);
	put_opt(&o, DHCP4_OPT_SERVER_ID, r->server_id, 4);
	if (r->v6only)
		put_opt32(&o, DHCP4_OPT_IPV6_ONLY_PREFERRED, r->v6only_wait);
	if (r->lease) {
		put_opt32(&o, DHCP4_OPT_LEASE_TIME, r->lease_time);
		put_opt32(&o, DHCP4_OPT_RENEWAL_TIME, r->lease_time / 2);
		put_opt32(&o, DHCP4_OPT_REBINDING_TIME, (uint32_t)((uint64_t)r->lease_time * 7 / 8));
	}
	if (r->has_mask)
		put_opt(&o, DHCP4_OPT_SUBNET_MASK, r->mask, 4);
	put_addrs(&o, DHCP4_OPT_ROUTER, r->routers, r->nrouters);
	put_addrs(&o, DHCP4_OPT_DNS, r->dns, r->ndns);
	if (r->message) {
		size_t n = strlen(r->message);
		put_opt(&o, DHCP4_OPT_MESSAGE, r->message, (uint8_t)(n > 255 ? 255 : n));
	}
	if (req->has_relay_info)
		put_opt(&o, DHCP4_OPT_RELAY_AGENT_INFO, req->relay_info, (uint8_t)req->relay_info_len);
	uint8_t end = DHCP4_OPT_END;
	put(&o, &end, 1);
	static const uint8_t pads[DHCP4_BOOTP_MIN_LEN];
	if (o.len < DHCP4_BOOTP_MIN_LEN)
		put(&o, pads, DHCP4_BOOTP_MIN_LEN - o.len);
	return o.bad ? 0 : o.len;
}

enum dhcp4_dest dhcp4_reply_dest(const struct dhcp4_msg *req, const struct dhcp4_reply *r, uint8_t dst[4],
				 uint16_t *port)
{
	if (be32_at(req->giaddr) != 0) {
		memcpy(dst, req->giaddr, 4);
		*port = DHCP4_SERVER_PORT;
		return DHCP4_DEST_RELAY;
	}
	*port = DHCP4_CLIENT_PORT;
	if (r->type == DHCP4_NAK || be32_at(req->ciaddr) == 0) {
		memset(dst, 0xff, 4);
		return DHCP4_DEST_BROADCAST;
	}
	memcpy(dst, req->ciaddr, 4);
	return DHCP4_DEST_UNICAST;
}
