/* RFC 7050 prefix discovery: the ipv4only.arpa query and the walk of its response (RFC 1035
 * section 4.1), with name compression (section 4.1.4) read defensively. */
#include <string.h>

#include "common/cursor.h"
#include "dns64.h"

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_TC 0x0200
#define DNS_FLAG_RD 0x0100
#define DNS_OPCODE(f) (((f) >> 11) & 0xf)
#define DNS_RCODE(f) ((f)&0xf)
#define DNS_OPCODE_QUERY 0
#define DNS_RCODE_NOERROR 0
#define DNS_LABEL_POINTER 0xc0 /* top two bits of a length byte: 11 pointer, 00 label, others reserved */
#define DNS_LABEL_MAX 63
#define DNS_NAME_MAX 255       /* wire form, length bytes and the root included (section 2.3.4) */
#define DNS_RR_FIXED_LEN 10    /* TYPE, CLASS, TTL, RDLENGTH */
#define DNS_TTL_MAX 0x7fffffffu /* RFC 2181 section 8 */

/* ipv4only.arpa in wire form (RFC 7050 section 2.2). */
static const uint8_t wka_name[] = { 8, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 4, 'a', 'r', 'p', 'a', 0 };

/* 192.0.0.170 and 192.0.0.171 (RFC 7050 section 2.2). */
static const uint8_t wka_addr[2][4] = { { 192, 0, 0, 170 }, { 192, 0, 0, 171 } };

/* RFC 6052 section 2.2: where the four IPv4 bytes sit for each prefix length, skipping the u-octet
 * (byte 8). Longest prefix first: the first position holding a WKA decides. */
static const struct {
	uint8_t len;
	uint8_t at[4];
} rfc6052_pos[] = {
	{ 96, { 12, 13, 14, 15 } }, { 64, { 9, 10, 11, 12 } }, { 56, { 7, 9, 10, 11 } },
	{ 48, { 6, 7, 9, 10 } },    { 40, { 5, 6, 7, 9 } },    { 32, { 4, 5, 6, 7 } },
};
#define RFC6052_UOCTET 8

static const char *const dns64_names[] = {
#define DNS64_X_NAME(e, n, d) [DNS64_##e] = n,
	DNS64_STATUSES(DNS64_X_NAME)
#undef DNS64_X_NAME
};

static const char *const dns64_descs[] = {
#define DNS64_X_DESC(e, n, d) [DNS64_##e] = d,
	DNS64_STATUSES(DNS64_X_DESC)
#undef DNS64_X_DESC
};

const char *dns64_status_name(enum dns64_status s)
{
	return (unsigned)s < DNS64__STATUS_COUNT ? dns64_names[s] : "unknown";
}

const char *dns64_status_desc(enum dns64_status s)
{
	return (unsigned)s < DNS64__STATUS_COUNT ? dns64_descs[s] : "unknown status";
}

size_t dns64_build_query(uint16_t id, uint8_t *buf, size_t cap)
{
	if (cap < DNS64_QUERY_LEN)
		return 0;
	memset(buf, 0, DNS64_HDR_LEN);
	put_be16(buf, id);
	put_be16(buf + 2, DNS_FLAG_RD);
	put_be16(buf + 4, 1); /* QDCOUNT; AN, NS and AR stay 0 */
	memcpy(buf + DNS64_HDR_LEN, wka_name, sizeof(wka_name));
	put_be16(buf + DNS64_HDR_LEN + sizeof(wka_name), DNS64_TYPE_AAAA);
	put_be16(buf + DNS64_HDR_LEN + sizeof(wka_name) + 2, DNS64_CLASS_IN);
	return DNS64_QUERY_LEN;
}

bool dns64_find_prefix(const uint8_t addr[16], struct dns64_prefix *out)
{
	if (addr[RFC6052_UOCTET] != 0)
		return false; /* RFC 6052 section 2.2: bits 64-71 must be zero */
	for (size_t i = 0; i < sizeof(rfc6052_pos) / sizeof(rfc6052_pos[0]); i++) {
		const uint8_t *at = rfc6052_pos[i].at;
		for (size_t w = 0; w < 2; w++) {
			if (addr[at[0]] != wka_addr[w][0] || addr[at[1]] != wka_addr[w][1] ||
			    addr[at[2]] != wka_addr[w][2] || addr[at[3]] != wka_addr[w][3])
				continue;
			unsigned len = rfc6052_pos[i].len;
			memset(out, 0, sizeof(*out));
			memcpy(out->prefix, addr, len / 8); /* every length is a whole number of bytes */
			out->len = (uint8_t)len;
			return true;
		}
	}
	return false;
}

/* Reads the name at *off into name (uncompressed wire form, ASCII folded to lower case) and moves
 * *off past it (past its first pointer when compressed). Loops cannot happen: every pointer must
 * point before the start of the labels it ends, so the read position strictly falls at each hop;
 * the hop count is capped as well. */
static enum dns64_status dns_read_name(const uint8_t *msg, size_t len, size_t *off, uint8_t name[DNS_NAME_MAX],
				       size_t *name_len)
{
	size_t pos = *off, after = 0, n = 0;
	size_t limit = pos; /* every pointer must point below this; it falls at each hop */
	unsigned hops = 0;

	for (;;) {
		if (pos >= len)
			return DNS64_TRUNCATED;
		uint8_t l = msg[pos];
		if ((l & DNS_LABEL_POINTER) == DNS_LABEL_POINTER) {
			if (len - pos < 2)
				return DNS64_TRUNCATED;
			size_t target = (size_t)(l & ~DNS_LABEL_POINTER) << 8 | msg[pos + 1];
			if (hops++ == 0)
				after = pos + 2;
			if (hops > DNS64_MAX_POINTER_HOPS || target >= limit)
				return DNS64_POINTER_LOOP;
			if (target < DNS64_HDR_LEN)
				return DNS64_BAD_NAME;
			pos = limit = target;
			continue;
		}
		if (l & DNS_LABEL_POINTER)
			return DNS64_BAD_NAME; /* 01 and 10: extended label types (RFC 6891 section 5) */
		if (l == 0) {
			name[n++] = 0; /* n <= 254 here: the label test below keeps room for the root */
			pos++;
			break;
		}
		if (len - pos - 1 < l) /* pos < len, so no wrap */
			return DNS64_TRUNCATED;
		if (DNS_NAME_MAX - n < (size_t)l + 2) /* this label, its length byte and the root */
			return DNS64_BAD_NAME;
		name[n++] = l;
		for (size_t i = 0; i < l; i++) {
			uint8_t ch = msg[pos + 1 + i];
			name[n++] = (ch >= 'A' && ch <= 'Z') ? (uint8_t)(ch + ('a' - 'A')) : ch;
		}
		pos += 1 + (size_t)l;
	}
	*off = hops ? after : pos;
	*name_len = n;
	return DNS64_OK;
}

static bool dns_name_is_wka(const uint8_t *name, size_t n)
{
	return n == sizeof(wka_name) && memcmp(name, wka_name, n) == 0;
}

struct dns_rr {
	bool is_wka;
	uint16_t type, class;
	uint32_t ttl;
	uint16_t rdlength;
	const uint8_t *rdata;
};

static enum dns64_status dns_read_rr(const uint8_t *msg, size_t len, size_t *off, struct dns_rr *rr)
{
	uint8_t name[DNS_NAME_MAX];
	size_t n;
	enum dns64_status s = dns_read_name(msg, len, off, name, &n);
	if (s != DNS64_OK)
		return s;
	struct cursor c = cursor_make(msg + *off, len - *off);
	rr->is_wka = dns_name_is_wka(name, n);
	rr->type = cursor_be16(&c);
	rr->class = cursor_be16(&c);
	rr->ttl = cursor_be32(&c);
	rr->rdlength = cursor_be16(&c);
	rr->rdata = cursor_take(&c, rr->rdlength);
	if (!cursor_ok(&c))
		return DNS64_TRUNCATED;
	*off = len - cursor_left(&c);
	if (rr->ttl > DNS_TTL_MAX)
		rr->ttl = 0;
	return DNS64_OK;
}

static bool dns64_has_prefix(const struct dns64_result *r, const struct dns64_prefix *p)
{
	for (unsigned i = 0; i < r->nprefix; i++)
		if (r->prefix[i].len == p->len && memcmp(r->prefix[i].prefix, p->prefix, 16) == 0)
			return true;
	return false;
}

enum dns64_status dns64_parse_response(const uint8_t *msg, size_t len, uint16_t id, struct dns64_result *out)
{
	memset(out, 0, sizeof(*out));
	struct cursor c = cursor_make(msg, len);
	uint16_t rid = cursor_be16(&c), flags = cursor_be16(&c);
	uint16_t qdcount = cursor_be16(&c), ancount = cursor_be16(&c);
	uint16_t nscount = cursor_be16(&c), arcount = cursor_be16(&c);
	if (!cursor_ok(&c))
		return DNS64_TRUNCATED;
	if (!(flags & DNS_FLAG_QR))
		return DNS64_NOT_A_RESPONSE;
	if (rid != id)
		return DNS64_ID_MISMATCH;
	if (DNS_OPCODE(flags) != DNS_OPCODE_QUERY)
		return DNS64_BAD_OPCODE;
	if (flags & DNS_FLAG_TC)
		return DNS64_TC;
	if (DNS_RCODE(flags) != DNS_RCODE_NOERROR)
		return DNS64_RCODE;
	if (qdcount != 1)
		return DNS64_BAD_QUESTION;
	if ((unsigned)ancount + nscount + arcount > DNS64_MAX_RECORDS)
		return DNS64_TOO_MANY_RECORDS;

	/* The question: ipv4only.arpa AAAA IN, as asked. */
	size_t off = DNS64_HDR_LEN;
	uint8_t name[DNS_NAME_MAX];
	size_t n;
	enum dns64_status s = dns_read_name(msg, len, &off, name, &n);
	if (s != DNS64_OK)
		return s;
	c = cursor_make(msg + off, len - off);
	uint16_t qtype = cursor_be16(&c), qclass = cursor_be16(&c);
	if (!cursor_ok(&c))
		return DNS64_TRUNCATED;
	off += 4;
	if (!dns_name_is_wka(name, n) || qtype != DNS64_TYPE_AAAA || qclass != DNS64_CLASS_IN)
		return DNS64_BAD_QUESTION;

	/* Every record of every section is walked, so that a malformed message is refused whole;
	 * only the answers are used. */
	struct dns64_result res;
	memset(&res, 0, sizeof(res));
	bool saw_aaaa = false;
	unsigned total = (unsigned)ancount + nscount + arcount;
	for (unsigned i = 0; i < total; i++) {
		struct dns_rr rr;
		s = dns_read_rr(msg, len, &off, &rr);
		if (s != DNS64_OK)
			return s;
		if (i >= ancount || !rr.is_wka || rr.type != DNS64_TYPE_AAAA || rr.class != DNS64_CLASS_IN)
			continue;
		if (rr.rdlength != 16)
			return DNS64_BAD_RDATA;
		saw_aaaa = true;
		struct dns64_prefix p;
		if (!dns64_find_prefix(rr.rdata, &p))
			continue;
		if (res.nprefix == 0 || rr.ttl < res.ttl)
			res.ttl = rr.ttl;
		if (!dns64_has_prefix(&res, &p) && res.nprefix < DNS64_MAX_PREFIXES)
			res.prefix[res.nprefix++] = p;
	}
	if (!saw_aaaa)
		return DNS64_NO_AAAA;
	if (res.nprefix == 0)
		return DNS64_NO_WKA;
	*out = res;
	return DNS64_OK;
}
