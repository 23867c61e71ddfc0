/* Unit tests of lib/ipfix/ipfix.c, the IPFIX (RFC 7011) encoder of NAT64 events (RFC 8158). The
 * expected bytes are written out here by hand from the RFC texts and the IANA registry (element IDs,
 * lengths, natEvent and natQuotaExceededEvent values), not computed with the library's own table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ipfix/ipfix.h"
#include "testutil.h"

static uint8_t buf[2048];

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) << 16 | rd16(p + 2); }

/* A NAT64 session: 2001:db8:1::10#40000 as 203.0.113.5#61001 to 64:ff9b::198.51.100.2#80, TCP. */
static struct ipfix_nat_record session(uint8_t event)
{
	struct ipfix_nat_record r;
	memset(&r, 0, sizeof(r));
	r.event = event;
	r.time_ms = 0x0000018C2B3C4D5EULL;
	r.proto = 6;
	t_v6("2001:db8:1::10", r.src6);
	r.sport = 40000;
	t_v4("203.0.113.5", r.nat4);
	r.nat_sport = 61001;
	t_v6("64:ff9b::c633:6402", r.dst6);
	t_v4("198.51.100.2", r.dst4);
	r.dport = 80;
	return r;
}

static const uint8_t session_template[] = {
	0x01, 0x00, 0x00, 0x0b, /* template 256, 11 fields */
	0x01, 0x43, 0x00, 0x08, /* observationTimeMilliseconds (323), 8 */
	0x00, 0x1b, 0x00, 0x10, /* sourceIPv6Address (27), 16 */
	0x00, 0xe1, 0x00, 0x04, /* postNATSourceIPv4Address (225), 4 */
	0x00, 0x04, 0x00, 0x01, /* protocolIdentifier (4), 1 */
	0x00, 0x07, 0x00, 0x02, /* sourceTransportPort (7), 2 */
	0x00, 0xe3, 0x00, 0x02, /* postNAPTSourceTransportPort (227), 2 */
	0x00, 0x1c, 0x00, 0x10, /* destinationIPv6Address (28), 16 */
	0x00, 0xe2, 0x00, 0x04, /* postNATDestinationIPv4Address (226), 4 */
	0x00, 0x0b, 0x00, 0x02, /* destinationTransportPort (11), 2 */
	0x00, 0xe4, 0x00, 0x02, /* postNAPTDestinationTransportPort (228), 2 */
	0x00, 0xe6, 0x00, 0x01, /* natEvent (230), 1 */
};

static const uint8_t session_record[] = {
	0x00, 0x00, 0x01, 0x8c, 0x2b, 0x3c, 0x4d, 0x5e,                 /* time */
	0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, /* 2001:db8:1::10 */
	203, 0, 113, 5,                                                  /* 203.0.113.5 */
	6,                                                               /* TCP */
	0x9c, 0x40,                                                      /* 40000 */
	0xee, 0x49,                                                      /* 61001 */
	0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0, 198, 51, 100, 2, /* 64:ff9b::198.51.100.2 */
	198, 51, 100, 2,
	0x00, 0x50, /* 80 */
	0x00, 0x50, /* 80: a NAT64 does not change the destination port */
	6,          /* NAT64 session create */
};

static void test_template_set_bytes(void **state)
{
	struct ipfix_writer w;
	ipfix_writer_init(&w, buf, 1400, 7);
	assert_true(ipfix_empty(&w));
	assert_true(ipfix_add_templates(&w));
	size_t n = ipfix_finish(&w, 0x65000000);
	/* 10 templates, 54 fields: 4 + 10 * 4 + 54 * 4 bytes of set, behind the 16-byte header */
	assert_int_equal(ipfix_templates_len(), 260);
	assert_int_equal(n, 276);
	static const uint8_t hdr[] = { 0x00, 0x0a, 0x01, 0x14, 0x65, 0x00, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 7,
				       0x00, 0x02, 0x01, 0x04 };
	assert_memory_equal(buf, hdr, sizeof(hdr));
	assert_memory_equal(buf + 20, session_template, sizeof(session_template));
	/* the BIB template follows: 257, 7 fields */
	static const uint8_t bib[] = { 0x01, 0x01, 0x00, 0x07, 0x01, 0x43, 0x00, 0x08, 0x00, 0x1b, 0x00, 0x10,
				       0x00, 0xe1, 0x00, 0x04, 0x00, 0x04, 0x00, 0x01, 0x00, 0x07, 0x00, 0x02,
				       0x00, 0xe3, 0x00, 0x02, 0x00, 0xe6, 0x00, 0x01 };
	assert_memory_equal(buf + 20 + sizeof(session_template), bib, sizeof(bib));
	/* the port block template: 258, 9 fields */
	static const uint8_t block[] = { 0x01, 0x02, 0x00, 0x09, 0x01, 0x43, 0x00, 0x08, 0x00, 0x1b, 0x00, 0x10,
					 0x00, 0x1d, 0x00, 0x01, 0x00, 0xe1, 0x00, 0x04, 0x01, 0x69, 0x00, 0x02,
					 0x01, 0x6a, 0x00, 0x02, 0x01, 0x6b, 0x00, 0x02, 0x01, 0x6c, 0x00, 0x02,
					 0x00, 0xe6, 0x00, 0x01 };
	assert_memory_equal(buf + 20 + sizeof(session_template) + sizeof(bib), block, sizeof(block));
	/* 264, quota exceeded with maxSubscribers (474); the last one, 265, address bindings */
	static const uint8_t subs[] = { 0x01, 0x08, 0x00, 0x04, 0x01, 0x43, 0x00, 0x08, 0x00, 0xe6, 0x00, 0x01,
					0x01, 0xd2, 0x00, 0x04, 0x01, 0xda, 0x00, 0x04 };
	static const uint8_t last[] = { 0x01, 0x09, 0x00, 0x04, 0x01, 0x43, 0x00, 0x08, 0x00, 0x1b, 0x00, 0x10,
					0x00, 0xe1, 0x00, 0x04, 0x00, 0xe6, 0x00, 0x01 };
	assert_memory_equal(buf + n - sizeof(last) - sizeof(subs), subs, sizeof(subs));
	assert_memory_equal(buf + n - sizeof(last), last, sizeof(last));
	assert_true(ipfix_empty(&w));
}

static void test_session_record_bytes(void **state)
{
	struct ipfix_writer w;
	struct ipfix_nat_record r = session(IPFIX_NAT64_SESSION_CREATE);
	ipfix_writer_init(&w, buf, 1400, 0x01020304);
	assert_int_equal(ipfix_record_len(IPFIX_TPL_NAT64_SESSION), sizeof(session_record));
	assert_true(ipfix_add_record(&w, &r));
	assert_false(ipfix_empty(&w));
	size_t n = ipfix_finish(&w, 1);
	assert_int_equal(n, 16 + 4 + sizeof(session_record));
	static const uint8_t hdr[] = { 0x00, 0x0a, 0x00, 0x4e, 0, 0, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4,
				       0x01, 0x00, 0x00, 0x3e }; /* data set 256, 62 bytes */
	assert_memory_equal(buf, hdr, sizeof(hdr));
	assert_memory_equal(buf + 20, session_record, sizeof(session_record));
}

static void test_other_records_bytes(void **state)
{
	struct ipfix_writer w;
	struct ipfix_nat_record r;
	ipfix_writer_init(&w, buf, 1400, 0);

	/* port block 61000-61127 of 203.0.113.1 for 2001:db8:1::/64 */
	memset(&r, 0, sizeof(r));
	r.event = IPFIX_NAT_PORT_BLOCK_ALLOCATION;
	r.time_ms = 1;
	t_v6("2001:db8:1::", r.src6);
	r.src6_len = 64;
	t_v4("203.0.113.1", r.nat4);
	r.port_first = 61000;
	r.port_last = 61127;
	assert_true(ipfix_add_record(&w, &r));
	static const uint8_t block[] = { 0x01, 0x02, 0x00, 0x2a, /* set 258, 4 + 38 bytes */
					 0, 0, 0, 0, 0, 0, 0, 1, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0, 0, 0, 0,
					 0, 0, 0, 0, 0, 0, 64, 203, 0, 113, 1, 0xee, 0x48, 0xee, 0xc7, 0x00, 0x01,
					 0x00, 0x80, 16 };
	/* per-subscriber quota: 5 sessions for 2001:db8:1::/64 */
	memset(&r, 0, sizeof(r));
	r.event = IPFIX_NAT_QUOTA_EXCEEDED;
	r.quota = IPFIX_QUOTA_MAX_ENTRIES_PER_USER;
	r.time_ms = 2;
	r.limit = 5;
	t_v6("2001:db8:1::", r.src6);
	assert_true(ipfix_add_record(&w, &r));
	static const uint8_t quota[] = { 0x01, 0x07, 0x00, 0x25, /* set 263, 4 + 33 bytes */
					 0, 0, 0, 0, 0, 0, 0, 2, 13, 0, 0, 0, 3, 0, 0, 0, 5, 0x20, 0x01, 0x0d, 0xb8,
					 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	/* addresses exhausted, pool 0; ports exhausted of 203.0.113.1 */
	memset(&r, 0, sizeof(r));
	r.event = IPFIX_NAT_ADDRESSES_EXHAUSTED;
	r.time_ms = 3;
	assert_true(ipfix_add_record(&w, &r));
	static const uint8_t addrs[] = { 0x01, 0x03, 0x00, 0x11, 0, 0, 0, 0, 0, 0, 0, 3, 3, 0, 0, 0, 0 };
	r.event = IPFIX_NAT_PORTS_EXHAUSTED;
	t_v4("203.0.113.1", r.nat4);
	assert_true(ipfix_add_record(&w, &r));
	static const uint8_t ports[] = { 0x01, 0x04, 0x00, 0x11, 0, 0, 0, 0, 0, 0, 0, 3, 12, 203, 0, 113, 1 };
	/* a stateless lease ending: address binding delete, 2001:db8::10 had 203.0.113.1 */
	r.event = IPFIX_NAT_ADDRESS_BINDING_DELETE;
	r.time_ms = 4;
	t_v6("2001:db8::10", r.src6);
	assert_true(ipfix_add_record(&w, &r));
	static const uint8_t lease[] = { 0x01, 0x09, 0x00, 0x21, 0, 0, 0, 0, 0, 0, 0, 4, 0x20, 0x01, 0x0d, 0xb8,
					 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 203, 0, 113, 1, 15 };

	size_t n = ipfix_finish(&w, 0);
	assert_int_equal(n, 16 + sizeof(block) + sizeof(quota) + sizeof(addrs) + sizeof(ports) + sizeof(lease));
	assert_int_equal(rd16(buf + 2), n);
	const uint8_t *p = buf + 16;
	assert_memory_equal(p, block, sizeof(block));
	p += sizeof(block);
	assert_memory_equal(p, quota, sizeof(quota));
	p += sizeof(quota);
	assert_memory_equal(p, addrs, sizeof(addrs));
	p += sizeof(addrs);
	assert_memory_equal(p, ports, sizeof(ports));
	p += sizeof(ports);
	assert_memory_equal(p, lease, sizeof(lease));
}

/* RFC 7011 section 3.1: the sequence number counts the data records sent before the message;
 * template records do not count; it wraps modulo 2^32. */
static void test_sequence_numbers(void **state)
{
	struct ipfix_writer w;
	struct ipfix_nat_record r = session(IPFIX_NAT64_SESSION_DELETE);
	ipfix_writer_init(&w, buf, 1400, 0);
	assert_true(ipfix_add_templates(&w));
	ipfix_finish(&w, 0);
	assert_int_equal(rd32(buf + 8), 0);
	for (int i = 0; i < 3; i++)
		assert_true(ipfix_add_record(&w, &r));
	assert_true(ipfix_add_templates(&w)); /* a refresh in the middle: no record */
	ipfix_finish(&w, 0);
	assert_int_equal(rd32(buf + 8), 0);
	assert_true(ipfix_add_record(&w, &r));
	ipfix_finish(&w, 0);
	assert_int_equal(rd32(buf + 8), 3);
	ipfix_finish(&w, 0); /* an empty message carries the count too */
	assert_int_equal(rd32(buf + 8), 4);
	w.seq = 0xfffffffeu;
	for (int i = 0; i < 3; i++)
		assert_true(ipfix_add_record(&w, &r));
	ipfix_finish(&w, 0);
	assert_int_equal(rd32(buf + 8), 0xfffffffeu);
	ipfix_finish(&w, 0);
	assert_int_equal(rd32(buf + 8), 1);
}

/* A message holds as many records as its capacity allows, in one set per run of a template. */
static void test_batching_boundary(void **state)
{
	struct ipfix_writer w;
	struct ipfix_nat_record s = session(IPFIX_NAT64_SESSION_CREATE);
	struct ipfix_nat_record b = s;
	b.event = IPFIX_NAT64_BIB_CREATE;
	/* room for the header, one set header and exactly two session records */
	ipfix_writer_init(&w, buf, 16 + 4 + 2 * 58, 0);
	assert_true(ipfix_add_record(&w, &s));
	assert_true(ipfix_add_record(&w, &s));
	size_t before = w.len;
	assert_false(ipfix_add_record(&w, &s)); /* full: nothing written */
	assert_false(ipfix_add_record(&w, &b));
	assert_int_equal(w.len, before);
	assert_int_equal(ipfix_finish(&w, 0), 136);
	assert_int_equal(rd16(buf + 16 + 2), 4 + 2 * 58);
	/* the next message starts empty: one more fits */
	assert_true(ipfix_add_record(&w, &s));
	ipfix_finish(&w, 0);
	assert_int_equal(rd32(buf + 8), 2);

	/* a record of another template opens a new set, which needs its 4-byte header too */
	ipfix_writer_init(&w, buf, 16 + 4 + 58 + 4 + 34 - 1, 0);
	assert_true(ipfix_add_record(&w, &s));
	assert_false(ipfix_add_record(&w, &b));
	ipfix_writer_init(&w, buf, 16 + 4 + 58 + 4 + 34 + 4 + 58, 0);
	assert_true(ipfix_add_record(&w, &s));
	assert_true(ipfix_add_record(&w, &b));
	assert_true(ipfix_add_record(&w, &s)); /* back to sessions: a third set */
	size_t n = ipfix_finish(&w, 0);
	assert_int_equal(n, w.cap);
	assert_int_equal(rd16(buf + 16), 256);
	assert_int_equal(rd16(buf + 18), 62);
	assert_int_equal(rd16(buf + 16 + 62), 257);
	assert_int_equal(rd16(buf + 16 + 62 + 2), 38);
	assert_int_equal(rd16(buf + 16 + 62 + 38), 256);
	assert_int_equal(rd16(buf + 16 + 62 + 38 + 2), 62);

	/* the templates do not fit a message too small for them */
	ipfix_writer_init(&w, buf, 16 + 259, 0);
	assert_false(ipfix_add_templates(&w));
	assert_true(ipfix_empty(&w));
}

static void test_unknown_event_refused(void **state)
{
	struct ipfix_writer w;
	struct ipfix_nat_record r = session(1); /* NAT translation create: historic, no template here */
	ipfix_writer_init(&w, buf, 1400, 0);
	assert_int_equal(ipfix_template_of(&r), 0);
	assert_false(ipfix_add_record(&w, &r));
	r.event = IPFIX_NAT_QUOTA_EXCEEDED;
	r.quota = 5; /* fragments pending reassembly: not a limit of this NAT64 */
	assert_false(ipfix_add_record(&w, &r));
	assert_true(ipfix_empty(&w));
	assert_int_equal(ipfix_record_len(255), 0);
	assert_int_equal(ipfix_record_len(IPFIX_TPL_END), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_template_set_bytes),
		cmocka_unit_test(test_session_record_bytes),
		cmocka_unit_test(test_other_records_bytes),
		cmocka_unit_test(test_sequence_numbers),
		cmocka_unit_test(test_batching_boundary),
		cmocka_unit_test(test_unknown_event_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
