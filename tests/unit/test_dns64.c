/* lib/dns64 against DNS messages written byte by byte from RFC 1035 section 4.1 and RFC 7050
 * section 3, with RFC 6052 section 2.2 positions for every prefix length. Prefixes are documentation
 * ones: 64:ff9b::/96 and 2001:db8::/32 cut to each length. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "dns64/dns64.h"
#include "testutil.h"

#define ID 0x1234

/* ipv4only.arpa AAAA IN, id 0x1234, RD (RFC 1035 section 4.1.1 and 4.1.2). */
static const uint8_t QUERY_VEC[] = {
	0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
	0x08, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 0x04, 'a', 'r', 'p', 'a', 0x00,
	0x00, 0x1c, 0x00, 0x01,
};

/* The answer of a DNS64 with the well-known prefix: two AAAA records (one per WKA), names compressed
 * to the question (pointer 0xc00c), TTLs 3600 and 600. */
static const uint8_t RESP_VEC[] = {
	0x12, 0x34, 0x81, 0x80, 0x00, 0x01, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, /* QR RD RA, 1 q, 2 an */
	0x08, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 0x04, 'a', 'r', 'p', 'a', 0x00,
	0x00, 0x1c, 0x00, 0x01,
	0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x0e, 0x10, 0x00, 0x10,
	0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x00, 0xaa, /* 64:ff9b::192.0.0.170 */
	0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00, 0x02, 0x58, 0x00, 0x10,
	0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 0xc0, 0x00, 0x00, 0xab, /* 64:ff9b::192.0.0.171 */
};

/* A message under construction. */
struct msg {
	uint8_t b[2048];
	size_t n;
};

static void put(struct msg *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put16(struct msg *m, uint16_t v) { put(m, (const uint8_t[2]){ (uint8_t)(v >> 8), (uint8_t)v }, 2); }
static void put32(struct msg *m, uint32_t v)
{
	put16(m, (uint16_t)(v >> 16));
	put16(m, (uint16_t)v);
}

/* Header and the question, as a DNS64 answers. */
static void resp_start(struct msg *m, uint16_t flags, uint16_t an, uint16_t ns, uint16_t ar)
{
	m->n = 0;
	put16(m, ID);
	put16(m, flags);
	put16(m, 1);
	put16(m, an);
	put16(m, ns);
	put16(m, ar);
	put(m, QUERY_VEC + 12, sizeof(QUERY_VEC) - 12);
}

/* An AAAA record named by a pointer to the question. */
static void put_aaaa(struct msg *m, const char *addr, uint32_t ttl)
{
	uint8_t a[16];
	t_v6(addr, a);
	put16(m, 0xc00c);
	put16(m, DNS64_TYPE_AAAA);
	put16(m, DNS64_CLASS_IN);
	put32(m, ttl);
	put16(m, 16);
	put(m, a, 16);
}

static bool all_zero(const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static void test_query_vector(void **state)
{
	uint8_t buf[64];
	assert_int_equal(dns64_build_query(ID, buf, sizeof(buf)), sizeof(QUERY_VEC));
	assert_memory_equal(buf, QUERY_VEC, sizeof(QUERY_VEC));
	assert_int_equal(DNS64_QUERY_LEN, sizeof(QUERY_VEC));
	for (size_t cap = 0; cap < sizeof(QUERY_VEC); cap++)
		assert_int_equal(dns64_build_query(ID, buf, cap), 0);
	/* The query is not a response to itself. */
	struct dns64_result r;
	assert_int_equal(dns64_parse_response(buf, sizeof(QUERY_VEC), ID, &r), DNS64_NOT_A_RESPONSE);
}

static void test_wkp_both_wkas(void **state)
{
	struct dns64_result r;
	assert_int_equal(dns64_parse_response(RESP_VEC, sizeof(RESP_VEC), ID, &r), DNS64_OK);
	assert_int_equal(r.nprefix, 1); /* both WKAs give the same prefix: kept once */
	uint8_t want[16];
	t_v6("64:ff9b::", want);
	assert_memory_equal(r.prefix[0].prefix, want, 16);
	assert_int_equal(r.prefix[0].len, 96);
	assert_int_equal(r.ttl, 600); /* the smaller TTL */
}

/* Each RFC 6052 length, with either WKA; the addresses are written out by hand from the figure of
 * RFC 6052 section 2.2 (u-octet = byte 8 always zero). */
static const struct {
	const char *addr, *prefix;
	unsigned len;
} EMBED[] = {
	{ "64:ff9b::c000:aa", "64:ff9b::", 96 },
	{ "2001:db8:64:64:c0:0:aa00:0", "2001:db8:64:64::", 64 },
	{ "2001:db8:64:c0:0:aa::", "2001:db8:64::", 56 },
	{ "2001:db8:64:c000:0:aa00::", "2001:db8:64::", 48 },
	{ "2001:db8:c0:0:aa::", "2001:db8::", 40 },
	{ "2001:db8:c000:aa::", "2001:db8::", 32 },
	{ "64:ff9b::c000:ab", "64:ff9b::", 96 },
	{ "2001:db8:64:64:c0:0:ab00:0", "2001:db8:64:64::", 64 },
	{ "2001:db8:64:c0:0:ab::", "2001:db8:64::", 56 },
	{ "2001:db8:64:c000:0:ab00::", "2001:db8:64::", 48 },
	{ "2001:db8:1c0:0:ab::", "2001:db8:100::", 40 },
	{ "2001:db8:c000:ab::", "2001:db8::", 32 },
};

static void test_each_length(void **state)
{
	for (size_t i = 0; i < sizeof(EMBED) / sizeof(EMBED[0]); i++) {
		struct msg m;
		resp_start(&m, 0x8180, 1, 0, 0);
		put_aaaa(&m, EMBED[i].addr, 300);
		struct dns64_result r;
		enum dns64_status s = dns64_parse_response(m.b, m.n, ID, &r);
		if (s != DNS64_OK)
			fail_msg("%s: %s", EMBED[i].addr, dns64_status_name(s));
		uint8_t want[16];
		t_v6(EMBED[i].prefix, want);
		assert_int_equal(r.nprefix, 1);
		assert_int_equal(r.prefix[0].len, EMBED[i].len);
		assert_memory_equal(r.prefix[0].prefix, want, 16);
		assert_int_equal(r.ttl, 300);

		uint8_t a[16];
		struct dns64_prefix p;
		t_v6(EMBED[i].addr, a);
		assert_true(dns64_find_prefix(a, &p));
		assert_int_equal(p.len, EMBED[i].len);
		/* The u-octet set: no prefix at any length. */
		a[8] = 0x01;
		assert_false(dns64_find_prefix(a, &p));
	}
}

static void test_two_prefixes(void **state)
{
	/* /96 and /64 in one answer, plus a repeat of the first: two distinct prefixes, in order. */
	struct msg m;
	resp_start(&m, 0x8180, 3, 0, 0);
	put_aaaa(&m, "64:ff9b::c000:aa", 3600);
	put_aaaa(&m, "2001:db8:64:64:c0:0:aa00:0", 1200);
	put_aaaa(&m, "64:ff9b::c000:ab", 86400);
	struct dns64_result r;
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_OK);
	assert_int_equal(r.nprefix, 2);
	assert_int_equal(r.prefix[0].len, 96);
	assert_int_equal(r.prefix[1].len, 64);
	uint8_t want[16];
	t_v6("2001:db8:64:64::", want);
	assert_memory_equal(r.prefix[1].prefix, want, 16);
	assert_int_equal(r.ttl, 1200);

	/* More distinct prefixes than the result holds: the first DNS64_MAX_PREFIXES are kept. */
	resp_start(&m, 0x8180, DNS64_MAX_PREFIXES + 2, 0, 0);
	for (unsigned i = 0; i < DNS64_MAX_PREFIXES + 2; i++) {
		char a[64];
		snprintf(a, sizeof(a), "2001:db8:%x::c000:aa", i);
		put_aaaa(&m, a, 100 + i);
	}
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_OK);
	assert_int_equal(r.nprefix, DNS64_MAX_PREFIXES);
	assert_int_equal(r.prefix[DNS64_MAX_PREFIXES - 1].prefix[5], DNS64_MAX_PREFIXES - 1);
	assert_int_equal(r.ttl, 100);
}

static void test_other_records_skipped(void **state)
{
	/* A CNAME, an A record, an AAAA for another name and an AAAA without WKA around the good one; an
	 * EDNS OPT record (RFC 6891) in the additional section. TTLs of records that gave no prefix do
	 * not count. */
	struct msg m;
	resp_start(&m, 0x8180, 5, 0, 1);
	put16(&m, 0xc00c);
	put16(&m, DNS64_TYPE_CNAME);
	put16(&m, DNS64_CLASS_IN);
	put32(&m, 5);
	put16(&m, 2);
	put16(&m, 0xc00c);
	put16(&m, 0xc00c);
	put16(&m, DNS64_TYPE_A);
	put16(&m, DNS64_CLASS_IN);
	put32(&m, 5);
	put16(&m, 4);
	put(&m, (const uint8_t[4]){ 192, 0, 0, 170 }, 4);
	/* other.arpa AAAA with a WKA: not our name */
	put(&m, (const uint8_t[]){ 5, 'o', 't', 'h', 'e', 'r', 0xc0, 0x15 }, 8); /* pointer to "arpa" */
	put16(&m, DNS64_TYPE_AAAA);
	put16(&m, DNS64_CLASS_IN);
	put32(&m, 5);
	put16(&m, 16);
	uint8_t a[16];
	t_v6("2001:db8:bad::c000:aa", a);
	put(&m, a, 16);
	put_aaaa(&m, "2001:db8::1", 5);
	put_aaaa(&m, "64:ff9b::c000:aa", 700);
	put(&m, (const uint8_t[]){ 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 }, 11); /* OPT, 1232 */
	struct dns64_result r;
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_OK);
	assert_int_equal(r.nprefix, 1);
	assert_int_equal(r.prefix[0].len, 96);
	assert_int_equal(r.ttl, 700);
}

static void test_case_insensitive_uncompressed(void **state)
{
	/* 0x20 mixing (a resolver may echo the case it was asked in): IPv4Only.ARPA, uncompressed. */
	struct msg m;
	resp_start(&m, 0x8180, 1, 0, 0);
	memcpy(m.b + 12, (const uint8_t[]){ 8, 'I', 'P', 'v', '4', 'O', 'n', 'l', 'Y' }, 9);
	put(&m, (const uint8_t[]){ 8, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 4, 'A', 'R', 'P', 'A', 0 }, 15);
	put16(&m, DNS64_TYPE_AAAA);
	put16(&m, DNS64_CLASS_IN);
	put32(&m, 60);
	put16(&m, 16);
	uint8_t a[16];
	t_v6("64:ff9b::c000:aa", a);
	put(&m, a, 16);
	struct dns64_result r;
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_OK);
	assert_int_equal(r.ttl, 60);
}

static void test_header_checks(void **state)
{
	uint8_t m[sizeof(RESP_VEC)];
	struct dns64_result r;

	assert_int_equal(dns64_parse_response(RESP_VEC, sizeof(RESP_VEC), ID + 1, &r), DNS64_ID_MISMATCH);
	assert_true(all_zero(&r, sizeof(r)));

	memcpy(m, RESP_VEC, sizeof(m));
	m[2] &= 0x7f; /* QR clear */
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_NOT_A_RESPONSE);

	for (unsigned rcode = 1; rcode < 16; rcode++) { /* FORMERR, SERVFAIL, NXDOMAIN, ... */
		memcpy(m, RESP_VEC, sizeof(m));
		m[3] = (uint8_t)((m[3] & 0xf0) | rcode);
		assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_RCODE);
		assert_true(all_zero(&r, sizeof(r)));
	}
	memcpy(m, RESP_VEC, sizeof(m));
	m[2] |= 0x02; /* TC */
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_TC);
	memcpy(m, RESP_VEC, sizeof(m));
	m[2] |= 0x10; /* OPCODE 2 (STATUS) */
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_BAD_OPCODE);
	memcpy(m, RESP_VEC, sizeof(m));
	m[2] |= 0x04; /* AA: fine */
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_OK);

	/* The question must be ours. */
	memcpy(m, RESP_VEC, sizeof(m));
	m[28] = DNS64_TYPE_A;
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_BAD_QUESTION);
	memcpy(m, RESP_VEC, sizeof(m));
	m[30] = 3; /* class CH */
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_BAD_QUESTION);
	memcpy(m, RESP_VEC, sizeof(m));
	m[14] = 'x'; /* ixv4only.arpa */
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_BAD_QUESTION);
	memcpy(m, RESP_VEC, sizeof(m));
	m[5] = 2; /* two questions */
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_BAD_QUESTION);
	m[5] = 0;
	assert_int_equal(dns64_parse_response(m, sizeof(m), ID, &r), DNS64_BAD_QUESTION);
}

static void test_no_answer(void **state)
{
	struct msg m;
	struct dns64_result r;
	resp_start(&m, 0x8180, 0, 0, 0); /* NODATA: the resolver is not a DNS64 */
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_NO_AAAA);
	resp_start(&m, 0x8180, 2, 0, 0);
	put_aaaa(&m, "2001:db8::1", 60);
	put_aaaa(&m, "64:ff9b:0:0:100::c000:aa", 60); /* u-octet not zero */
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_NO_WKA);
	assert_true(all_zero(&r, sizeof(r)));

	/* AAAA with RDLENGTH 4. */
	resp_start(&m, 0x8180, 1, 0, 0);
	put16(&m, 0xc00c);
	put16(&m, DNS64_TYPE_AAAA);
	put16(&m, DNS64_CLASS_IN);
	put32(&m, 60);
	put16(&m, 4);
	put(&m, (const uint8_t[4]){ 192, 0, 0, 170 }, 4);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_BAD_RDATA);

	/* Too many records claimed. */
	resp_start(&m, 0x8180, DNS64_MAX_RECORDS, 0, 1);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_TOO_MANY_RECORDS);
	resp_start(&m, 0x8180, 0xffff, 0xffff, 0xffff);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_TOO_MANY_RECORDS);
}

/* Truncation at every length: never OK, the result zeroed, ASan watching the exact-size copy. */
static void test_truncated_every_length(void **state)
{
	struct msg big;
	resp_start(&big, 0x8180, 3, 0, 1);
	put_aaaa(&big, "64:ff9b::c000:aa", 3600);
	put_aaaa(&big, "2001:db8:64:64:c0:0:aa00:0", 1200);
	put_aaaa(&big, "64:ff9b::c000:ab", 600);
	put(&big, (const uint8_t[]){ 0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0 }, 11);
	const uint8_t *vecs[] = { RESP_VEC, big.b };
	size_t lens[] = { sizeof(RESP_VEC), big.n };
	for (int v = 0; v < 2; v++) {
		struct dns64_result r;
		assert_int_equal(dns64_parse_response(vecs[v], lens[v], ID, &r), DNS64_OK);
		for (size_t len = 0; len < lens[v]; len++) {
			uint8_t *m = malloc(len ? len : 1);
			memcpy(m, vecs[v], len);
			memset(&r, 0xa5, sizeof(r));
			enum dns64_status s = dns64_parse_response(m, len, ID, &r);
			if (s != DNS64_TRUNCATED)
				fail_msg("vector %d len %zu: %s", v, len, dns64_status_name(s));
			assert_true(all_zero(&r, sizeof(r)));
			free(m);
		}
	}
}

/* ---- names: compression pointers ------------------------------------------------------------ */

/* The response of RESP_VEC with its first answer's name replaced by the given bytes, which land at
 * offset 31 (the AAAA record follows them). */
static void resp_named(struct msg *m, const uint8_t *name, size_t n)
{
	resp_start(m, 0x8180, 1, 0, 0);
	put(m, name, n);
	put16(m, DNS64_TYPE_AAAA);
	put16(m, DNS64_CLASS_IN);
	put32(m, 60);
	put16(m, 16);
	uint8_t a[16];
	t_v6("64:ff9b::c000:aa", a);
	put(m, a, 16);
}

static void test_pointer_loops(void **state)
{
	struct msg m;
	struct dns64_result r;
	/* Points at itself (offset 31). */
	resp_named(&m, (const uint8_t[]){ 0xc0, 31 }, 2);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_POINTER_LOOP);
	/* Forward pointer. */
	resp_named(&m, (const uint8_t[]){ 0xc0, 40 }, 2);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_POINTER_LOOP);
	/* A label then a pointer back to that label: "a.a.a..." forever. */
	resp_named(&m, (const uint8_t[]){ 1, 'a', 0xc0, 31 }, 4);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_POINTER_LOOP);
	/* Two pointers pointing at each other: the second one jumps forwards. */
	resp_named(&m, (const uint8_t[]){ 0xc0, 33, 0xc0, 31 }, 4);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_POINTER_LOOP);
	/* Pointer to the middle of the question: "arpa" at offset 21 (the owner would be arpa). */
	resp_named(&m, (const uint8_t[]){ 0xc0, 21 }, 2);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_NO_AAAA);
	/* Label then pointer to "arpa": ipv4only + arpa spelled in two pieces. */
	resp_named(&m, (const uint8_t[]){ 8, 'i', 'p', 'v', '4', 'o', 'n', 'l', 'y', 0xc0, 21 }, 11);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_OK);
	/* Into the header: out of range. */
	resp_named(&m, (const uint8_t[]){ 0xc0, 4 }, 2);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_BAD_NAME);
	/* Beyond the message. */
	resp_named(&m, (const uint8_t[]){ 0xff, 0xff }, 2);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_POINTER_LOOP);
	/* Reserved label types 01 and 10. */
	resp_named(&m, (const uint8_t[]){ 0x41, 0 }, 2);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_BAD_NAME);
	resp_named(&m, (const uint8_t[]){ 0x80, 0 }, 2);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_BAD_NAME);
}

/* A chain of backward pointers stored in a NULL record's RDATA, then a record named by the last
 * link: within the hop limit it resolves to ipv4only.arpa, beyond it is refused. */
static enum dns64_status chain(unsigned links)
{
	struct msg m;
	resp_start(&m, 0x8180, 2, 0, 0);
	put16(&m, 0xc00c);
	put16(&m, 10); /* NULL */
	put16(&m, DNS64_CLASS_IN);
	put32(&m, 60);
	put16(&m, (uint16_t)(2 * links));
	size_t first = m.n;
	for (unsigned i = 0; i < links; i++)
		put16(&m, (uint16_t)(0xc000 | (i == 0 ? 12 : first + 2 * (i - 1))));
	put16(&m, (uint16_t)(0xc000 | (first + 2 * (links - 1))));
	put16(&m, DNS64_TYPE_AAAA);
	put16(&m, DNS64_CLASS_IN);
	put32(&m, 60);
	put16(&m, 16);
	uint8_t a[16];
	t_v6("64:ff9b::c000:aa", a);
	put(&m, a, 16);
	struct dns64_result r;
	return dns64_parse_response(m.b, m.n, ID, &r);
}

static void test_pointer_hop_limit(void **state)
{
	/* The record's own pointer plus the links: links + 1 hops. */
	assert_int_equal(chain(1), DNS64_OK);
	assert_int_equal(chain(DNS64_MAX_POINTER_HOPS - 1), DNS64_OK);
	assert_int_equal(chain(DNS64_MAX_POINTER_HOPS), DNS64_POINTER_LOOP);
	assert_int_equal(chain(100), DNS64_POINTER_LOOP);
}

static void test_name_too_long(void **state)
{
	/* Four 63-byte labels and the root: 4 * 64 + 1 = 257 > 255. Three: 193, fine (not our name). */
	uint8_t name[4 * 64 + 1];
	for (int i = 0; i < 4; i++) {
		name[64 * i] = 63;
		memset(name + 64 * i + 1, 'a', 63);
	}
	name[256] = 0;
	struct msg m;
	struct dns64_result r;
	resp_named(&m, name, sizeof(name));
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_BAD_NAME);
	name[192] = 0;
	resp_named(&m, name, 193);
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_NO_AAAA);
	/* 253 characters plus length bytes: exactly 255 is allowed. */
	uint8_t max[255];
	memcpy(max, name, 192);           /* three labels of 63 */
	max[192] = 61;                     /* 192 + 1 + 61 = 254, then the root */
	memset(max + 193, 'b', 61);
	max[254] = 0;
	resp_named(&m, max, sizeof(max));
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_NO_AAAA);
	max[192] = 62; /* one byte too many: the root byte becomes part of the label */
	resp_named(&m, max, sizeof(max));
	assert_int_not_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_OK);
}

static void test_ttl_top_bit(void **state)
{
	/* RFC 2181 section 8: a TTL with the top bit set is read as 0. */
	struct msg m;
	resp_start(&m, 0x8180, 1, 0, 0);
	put_aaaa(&m, "64:ff9b::c000:aa", 0x80000000u);
	struct dns64_result r;
	assert_int_equal(dns64_parse_response(m.b, m.n, ID, &r), DNS64_OK);
	assert_int_equal(r.ttl, 0);
}

static void test_status_names(void **state)
{
	for (int s = 0; s < DNS64__STATUS_COUNT; s++) {
		const char *n = dns64_status_name((enum dns64_status)s);
		assert_non_null(n);
		assert_non_null(dns64_status_desc((enum dns64_status)s));
		for (int q = 0; q < s; q++)
			assert_string_not_equal(n, dns64_status_name((enum dns64_status)q));
	}
	assert_string_equal(dns64_status_name(DNS64_POINTER_LOOP), "pointer-loop");
	assert_string_equal(dns64_status_name(DNS64__STATUS_COUNT), "unknown");
}

static void test_random_mutations(void **state)
{
	uint64_t s = t_seed("dns64 mutations");
	for (int round = 0; round < 50000; round++) {
		uint8_t m[sizeof(RESP_VEC)];
		memcpy(m, RESP_VEC, sizeof(m));
		unsigned flips = 1 + t_rand_below(&s, 4);
		for (unsigned f = 0; f < flips; f++)
			m[t_rand_below(&s, sizeof(m))] = (uint8_t)t_rand(&s);
		size_t len = t_rand_below(&s, sizeof(m) + 1);
		struct dns64_result r;
		enum dns64_status st = dns64_parse_response(m, len, ID, &r);
		assert_true((unsigned)st < DNS64__STATUS_COUNT);
		if (st == DNS64_OK) {
			assert_true(r.nprefix >= 1 && r.nprefix <= DNS64_MAX_PREFIXES);
			for (unsigned i = 0; i < r.nprefix; i++)
				assert_int_equal(r.prefix[i].prefix[8], 0);
		} else {
			assert_true(all_zero(&r, sizeof(r)));
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_vector),
		cmocka_unit_test(test_wkp_both_wkas),
		cmocka_unit_test(test_each_length),
		cmocka_unit_test(test_two_prefixes),
		cmocka_unit_test(test_other_records_skipped),
		cmocka_unit_test(test_case_insensitive_uncompressed),
		cmocka_unit_test(test_header_checks),
		cmocka_unit_test(test_no_answer),
		cmocka_unit_test(test_truncated_every_length),
		cmocka_unit_test(test_pointer_loops),
		cmocka_unit_test(test_pointer_hop_limit),
		cmocka_unit_test(test_name_too_long),
		cmocka_unit_test(test_ttl_top_bit),
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_random_mutations),
	};
	return cmocka_run_group_tests_name("dns64", tests, NULL, NULL);
}
