/* lib/dhcp4 against messages written byte by byte from RFC 2131 section 2 (figure 1: the fixed
 * part), RFC 2132 (options: section 2 framing, 3.1 Pad, 3.2 End, 9.3 Overload, 9.6 Message Type,
 * 9.7 Server Identifier, 9.8 Parameter Request List), RFC 3396 (split options) and RFC 8925 section
 * 3.1 (option 108: code 108, length 4, V6ONLY_WAIT in seconds). Addresses: 192.0.2.0/24,
 * 198.51.100.0/24; MACs from 00:00:5e:00:53:00/24 (RFC 7042 section 2.1.1). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "dhcp4/dhcp4.h"
#include "dhcp4/dhcp4_server.h"

static const uint8_t MAC1[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01 };
static const uint8_t MAC2[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x02 };
static const uint8_t MAC3[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x03 };
static const uint8_t SRV[4] = { 192, 0, 2, 1 };

/* The 240 bytes before the options: op 1, htype 1, hlen 6, hops 0, xid 0x3903f326, secs 0,
 * flags 0x8000 (broadcast), ciaddr/yiaddr/siaddr/giaddr 0, chaddr, sname and file zero, cookie. */
static size_t fixed(uint8_t *b, const uint8_t mac[6])
{
	memset(b, 0, 240);
	b[0] = 1;
	b[1] = 1;
	b[2] = 6;
	b[4] = 0x39, b[5] = 0x03, b[6] = 0xf3, b[7] = 0x26;
	b[10] = 0x80;
	memcpy(b + 28, mac, 6);
	b[236] = 99, b[237] = 130, b[238] = 83, b[239] = 99;
	return 240;
}

/* A message: the fixed part for mac, then opts (the options field, End included by the caller). */
static size_t msg(uint8_t *b, const uint8_t mac[6], const uint8_t *opts, size_t n)
{
	size_t l = fixed(b, mac);
	if (n)
		memcpy(b + l, opts, n);
	return l + n;
}

/* A DISCOVER as dhcpcd sends it, trimmed: type, client id, PRL with 108, max size, End. */
static const uint8_t DISCOVER108_OPTS[] = {
	53, 1, 1,                                    /* DHCPDISCOVER */
	61, 7, 1, 0x00, 0x00, 0x5e, 0x00, 0x53, 0x01, /* client identifier: htype 1 + MAC */
	55, 5, 1, 3, 6, 15, 108,                     /* PRL: mask, router, DNS, domain, 108 */
	57, 2, 0x05, 0xdc,                           /* maximum message size 1500 */
	255,
};

static void test_parse_discover_108(void **state)
{
	uint8_t b[600];
	struct dhcp4_msg m;
	size_t n = msg(b, MAC1, DISCOVER108_OPTS, sizeof(DISCOVER108_OPTS));

	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.op, DHCP4_OP_BOOTREQUEST);
	assert_int_equal(m.xid, 0x3903f326);
	assert_int_equal(m.flags, DHCP4_FLAG_BROADCAST);
	assert_memory_equal(m.chaddr, MAC1, 6);
	assert_int_equal(m.type, DHCP4_DISCOVER);
	assert_true(dhcp4_msg_requests(&m, DHCP4_OPT_IPV6_ONLY_PREFERRED));
	assert_true(dhcp4_msg_requests(&m, DHCP4_OPT_ROUTER));
	assert_false(dhcp4_msg_requests(&m, DHCP4_OPT_LEASE_TIME));
	assert_false(dhcp4_msg_requests(&m, 107));
	assert_false(dhcp4_msg_requests(&m, 109));
	assert_int_equal(m.prl_len, 5);
	assert_int_equal(m.client_id_len, 7);
	assert_true(m.has_max_msg_size);
	assert_int_equal(m.max_msg_size, 1500);
	assert_int_equal(m.noptions, 4);
	uint8_t key[DHCP4_KEY_MAX];
	assert_int_equal(dhcp4_msg_key(&m, key), 7);
	assert_memory_equal(key, DISCOVER108_OPTS + 5, 7);
}

static void test_parse_prl_without_108_and_split(void **state)
{
	uint8_t b[600];
	struct dhcp4_msg m;
	static const uint8_t no108[] = { 53, 1, 1, 55, 4, 1, 3, 6, 51, 255 };
	/* RFC 3396 section 7: two PRL instances are one list; 108 is in the second. */
	static const uint8_t split[] = { 53, 1, 1, 55, 2, 1, 3, 0, 0, 55, 1, 108, 255 };

	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, no108, sizeof(no108)), &m), DHCP4_DROP_NONE);
	assert_false(dhcp4_msg_requests(&m, DHCP4_OPT_IPV6_ONLY_PREFERRED));
	assert_true(dhcp4_msg_requests(&m, DHCP4_OPT_LEASE_TIME));
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, split, sizeof(split)), &m), DHCP4_DROP_NONE);
	assert_true(dhcp4_msg_requests(&m, DHCP4_OPT_IPV6_ONLY_PREFERRED));
	assert_int_equal(m.prl_len, 3);
	/* No client identifier: the key is htype + chaddr. */
	uint8_t key[DHCP4_KEY_MAX];
	assert_int_equal(dhcp4_msg_key(&m, key), 7);
	assert_int_equal(key[0], 1);
	assert_memory_equal(key + 1, MAC1, 6);
}

static void test_parse_pad_end_and_trailer(void **state)
{
	uint8_t b[600];
	struct dhcp4_msg m;
	/* RFC 2132 3.1: Pad is one byte; 3.2: End closes the field, what follows is ignored (even a
	 * byte that would be an option running past the end). A zero-length option (Rapid Commit, RFC
	 * 4039) is legal framing. */
	static const uint8_t o[] = { 0, 0, 53, 1, 3, 0, 80, 0, 55, 1, 108, 255, 55, 200, 1 };

	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, o, sizeof(o)), &m), DHCP4_DROP_NONE);
	assert_int_equal(m.type, DHCP4_REQUEST);
	assert_true(dhcp4_msg_requests(&m, 108));
	assert_int_equal(m.noptions, 3);
}

static void test_parse_overload(void **state)
{
	uint8_t b[600];
	struct dhcp4_msg m;
	size_t n;

	/* RFC 2131 4.1 / RFC 2132 9.3: overload 1 = options continue in file, 2 = in sname, 3 = both;
	 * the options field is read first, then file, then sname. */
	static const uint8_t ov1[] = { 52, 1, 1, 255 };
	n = msg(b, MAC1, ov1, sizeof(ov1));
	static const uint8_t file1[] = { 53, 1, 1, 55, 1, 108, 255 };
	memcpy(b + DHCP4_OFF_FILE, file1, sizeof(file1));
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_int_equal(m.overload, 1);
	assert_int_equal(m.type, DHCP4_DISCOVER);
	assert_true(dhcp4_msg_requests(&m, 108));

	/* Overload 3: PRL in sname, without End (the field ends it); message type in file. */
	static const uint8_t ov3[] = { 52, 1, 3, 255 };
	n = msg(b, MAC1, ov3, sizeof(ov3));
	static const uint8_t file3[] = { 53, 1, 1, 255 };
	memcpy(b + DHCP4_OFF_FILE, file3, sizeof(file3));
	memset(b + DHCP4_OFF_SNAME, 0, DHCP4_SNAME_LEN);
	b[DHCP4_OFF_SNAME + 62] = 55; /* last two bytes of sname: PRL of length 0 */
	b[DHCP4_OFF_SNAME + 63] = 0;
	b[DHCP4_OFF_SNAME + 0] = 55;
	b[DHCP4_OFF_SNAME + 1] = 1;
	b[DHCP4_OFF_SNAME + 2] = 108;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_true(dhcp4_msg_requests(&m, 108));

	/* Overload 2 with the file field holding a message type: file is not read. */
	static const uint8_t ov2[] = { 52, 1, 2, 255 };
	n = msg(b, MAC1, ov2, sizeof(ov2));
	memcpy(b + DHCP4_OFF_FILE, file1, sizeof(file1));
	b[DHCP4_OFF_SNAME] = 255;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NO_MESSAGE_TYPE);

	/* An option in sname running past the sname field. */
	n = msg(b, MAC1, ov3, sizeof(ov3));
	memcpy(b + DHCP4_OFF_FILE, file3, sizeof(file3));
	memset(b + DHCP4_OFF_SNAME, 0, DHCP4_SNAME_LEN);
	b[DHCP4_OFF_SNAME + 62] = 55;
	b[DHCP4_OFF_SNAME + 63] = 5;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_OPTION_TRUNCATED);

	static const uint8_t bad[] = { 52, 1, 4, 53, 1, 1, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, bad, sizeof(bad)), &m), DHCP4_DROP_BAD_OVERLOAD);
	static const uint8_t badlen[] = { 52, 2, 1, 0, 53, 1, 1, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, badlen, sizeof(badlen)), &m), DHCP4_DROP_BAD_OPTION_LENGTH);
	/* An overload option inside file is ignored (only the options field's counts). */
	n = msg(b, MAC1, ov1, sizeof(ov1));
	static const uint8_t file_ov[] = { 52, 1, 2, 53, 1, 1, 255 };
	memcpy(b + DHCP4_OFF_FILE, file_ov, sizeof(file_ov));
	b[DHCP4_OFF_SNAME] = 53; /* would be a truncated option if sname were read */
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
}

/* Every strict prefix of a valid message is dropped, and never read past its length (the copy on
 * the heap lets ASan catch an overread). */
static void test_truncation_every_length(void **state)
{
	uint8_t b[600];
	struct dhcp4_msg m;
	size_t n = msg(b, MAC1, DISCOVER108_OPTS, sizeof(DISCOVER108_OPTS));

	for (size_t l = 0; l < n; l++) {
		uint8_t *h = malloc(l ? l : 1);
		memcpy(h, b, l);
		enum dhcp4_drop r = dhcp4_parse(h, l, &m);
		if (l < DHCP4_MIN_LEN)
			assert_int_equal(r, DHCP4_DROP_TRUNCATED);
		else
			assert_true(r == DHCP4_DROP_OPTION_TRUNCATED || r == DHCP4_DROP_NO_END);
		free(h);
	}
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
}

static void test_parse_drops(void **state)
{
	uint8_t b[600];
	struct dhcp4_msg m;
	size_t n;
	static const uint8_t disc[] = { 53, 1, 1, 255 };

	n = msg(b, MAC1, disc, sizeof(disc));
	b[0] = 2;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NOT_BOOTREQUEST);
	n = msg(b, MAC1, disc, sizeof(disc));
	b[2] = 7;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_BAD_HLEN);
	n = msg(b, MAC1, disc, sizeof(disc));
	b[1] = 6, b[2] = 17; /* IEEE 802 htype, hlen beyond chaddr */
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_BAD_HLEN);
	n = msg(b, MAC1, disc, sizeof(disc));
	b[239] = 98;
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_BAD_COOKIE);

	static const uint8_t notype[] = { 55, 1, 108, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, notype, sizeof(notype)), &m), DHCP4_DROP_NO_MESSAGE_TYPE);
	static const uint8_t type9[] = { 53, 1, 9, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, type9, sizeof(type9)), &m), DHCP4_DROP_BAD_MESSAGE_TYPE);
	static const uint8_t type0[] = { 53, 1, 0, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, type0, sizeof(type0)), &m), DHCP4_DROP_BAD_MESSAGE_TYPE);
	static const uint8_t offer[] = { 53, 1, 2, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, offer, sizeof(offer)), &m), DHCP4_DROP_SERVER_MESSAGE);
	static const uint8_t typelen[] = { 53, 2, 1, 1, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, typelen, sizeof(typelen)), &m), DHCP4_DROP_BAD_OPTION_LENGTH);
	static const uint8_t dup[] = { 53, 1, 1, 53, 1, 3, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, dup, sizeof(dup)), &m), DHCP4_DROP_DUPLICATE_OPTION);
	static const uint8_t sid3[] = { 53, 1, 3, 54, 3, 192, 0, 2, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, sid3, sizeof(sid3)), &m), DHCP4_DROP_BAD_OPTION_LENGTH);
	static const uint8_t past[] = { 53, 1, 1, 55, 9, 1, 3, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, past, sizeof(past)), &m), DHCP4_DROP_OPTION_TRUNCATED);
	static const uint8_t lenbyte[] = { 53, 1, 1, 55 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, lenbyte, sizeof(lenbyte)), &m), DHCP4_DROP_OPTION_TRUNCATED);
	static const uint8_t noend[] = { 53, 1, 1, 0, 0 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, noend, sizeof(noend)), &m), DHCP4_DROP_NO_END);
	/* No options at all after the cookie: no End. */
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, NULL, 0), &m), DHCP4_DROP_NO_END);

	/* Client identifier: 40 + 40 bytes in two instances exceed DHCP4_CLIENT_ID_MAX (64). */
	uint8_t cid[2 + 40 + 2 + 40 + 4] = { 61, 40 };
	cid[42] = 61, cid[43] = 40;
	cid[84] = 53, cid[85] = 1, cid[86] = 1, cid[87] = 255;
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, cid, sizeof(cid)), &m), DHCP4_DROP_CLIENT_ID_TOO_LONG);

	/* DHCP4_MAX_OPTIONS + 1 zero-length options. */
	uint8_t many[2 * (DHCP4_MAX_OPTIONS + 1) + 4];
	for (int i = 0; i < DHCP4_MAX_OPTIONS + 1; i++)
		many[2 * i] = 80, many[2 * i + 1] = 0;
	memcpy(many + 2 * (DHCP4_MAX_OPTIONS + 1), (uint8_t[]){ 53, 1, 1, 255 }, 4);
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, many, sizeof(many)), &m), DHCP4_DROP_TOO_MANY_OPTIONS);
	/* Exactly DHCP4_MAX_OPTIONS (127 of them plus the message type) is fine. */
	memcpy(many + 2 * (DHCP4_MAX_OPTIONS - 1), (uint8_t[]){ 53, 1, 1, 255 }, 4);
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, many, 2 * (DHCP4_MAX_OPTIONS - 1) + 4), &m), DHCP4_DROP_NONE);
}

static void test_drop_names(void **state)
{
	for (int r = 0; r < DHCP4_DROP__COUNT; r++) {
		assert_non_null(dhcp4_drop_name((enum dhcp4_drop)r));
		assert_true(strlen(dhcp4_drop_desc((enum dhcp4_drop)r)) > 3);
		for (int k = 0; k < r; k++)
			assert_string_not_equal(dhcp4_drop_name((enum dhcp4_drop)r), dhcp4_drop_name((enum dhcp4_drop)k));
	}
	assert_string_equal(dhcp4_drop_name(DHCP4_DROP__COUNT), "?");
	assert_string_equal(dhcp4_type_name(DHCP4_INFORM), "INFORM");
}

/* ---- building ---------------------------------------------------------------------------------- */

static void test_build_v6only_offer_bytes(void **state)
{
	uint8_t b[600], out[DHCP4_MAX_REPLY_LEN];
	struct dhcp4_msg m;
	struct dhcp4_reply r = { .type = DHCP4_OFFER, .v6only = true, .v6only_wait = 1800 };

	memcpy(r.server_id, SRV, 4);
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, DISCOVER108_OPTS, sizeof(DISCOVER108_OPTS)), &m), DHCP4_DROP_NONE);
	size_t n = dhcp4_build_reply(&m, &r, out, sizeof(out));
	assert_int_equal(n, DHCP4_BOOTP_MIN_LEN);
	static const uint8_t head[12] = { 2, 1, 6, 0, 0x39, 0x03, 0xf3, 0x26, 0, 0, 0x80, 0 };
	assert_memory_equal(out, head, sizeof(head));
	static const uint8_t zero16[16];
	assert_memory_equal(out + 12, zero16, 16); /* ciaddr, yiaddr 0.0.0.0, siaddr, giaddr */
	assert_memory_equal(out + 28, MAC1, 6);
	static const uint8_t cookie[4] = { 99, 130, 83, 99 };
	assert_memory_equal(out + 236, cookie, 4);
	/* 53 = OFFER, 54 = 192.0.2.1, 108 = 1800 (0x708), End; nothing else (RFC 8925 3.3). */
	static const uint8_t opts[] = { 53, 1, 2, 54, 4, 192, 0, 2, 1, 108, 4, 0, 0, 0x07, 0x08, 255 };
	assert_memory_equal(out + 240, opts, sizeof(opts));
	for (size_t i = 240 + sizeof(opts); i < n; i++)
		assert_int_equal(out[i], 0);
	/* The reply parses as a well-formed message (as a request, once op is flipped). */
	out[0] = 1;
	struct dhcp4_msg back;
	assert_int_equal(dhcp4_parse(out, n, &back), DHCP4_DROP_SERVER_MESSAGE);

	assert_int_equal(dhcp4_build_reply(&m, &r, out, 299), 0);
}

static void test_build_address_ack(void **state)
{
	uint8_t b[600], out[DHCP4_MAX_REPLY_LEN];
	struct dhcp4_msg m;
	struct dhcp4_reply r = { .type = DHCP4_ACK, .lease = true, .lease_time = 600, .has_mask = true,
				 .nrouters = 1, .ndns = 2, .yiaddr = { 192, 0, 2, 100 }, .mask = { 255, 255, 255, 0 },
				 .routers = { { 192, 0, 2, 1 } }, .dns = { { 192, 0, 2, 53 }, { 198, 51, 100, 53 } } };
	memcpy(r.server_id, SRV, 4);
	static const uint8_t req[] = { 53, 1, 3, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC2, req, sizeof(req)), &m), DHCP4_DROP_NONE);
	size_t n = dhcp4_build_reply(&m, &r, out, sizeof(out));
	assert_int_equal(n, DHCP4_BOOTP_MIN_LEN);
	static const uint8_t yi[4] = { 192, 0, 2, 100 };
	assert_memory_equal(out + DHCP4_OFF_YIADDR, yi, 4);
	static const uint8_t opts[] = { 53, 1, 5, 54, 4, 192, 0, 2, 1, 51, 4, 0, 0, 2, 0x58, 58, 4, 0, 0, 1, 0x2c,
					59, 4, 0, 0, 2, 0x0d, 1, 4, 255, 255, 255, 0, 3, 4, 192, 0, 2, 1,
					6, 8, 192, 0, 2, 53, 198, 51, 100, 53, 255 };
	assert_memory_equal(out + 240, opts, sizeof(opts));
}

static void test_reply_destination(void **state)
{
	struct dhcp4_msg m = { 0 };
	struct dhcp4_reply r = { .type = DHCP4_OFFER };
	uint8_t dst[4];
	uint16_t port;
	static const uint8_t bcast[4] = { 255, 255, 255, 255 }, ci[4] = { 192, 0, 2, 7 }, gi[4] = { 198, 51, 100, 1 };

	assert_int_equal(dhcp4_reply_dest(&m, &r, dst, &port), DHCP4_DEST_BROADCAST);
	assert_memory_equal(dst, bcast, 4);
	assert_int_equal(port, 68);
	memcpy(m.ciaddr, ci, 4);
	r.type = DHCP4_ACK;
	assert_int_equal(dhcp4_reply_dest(&m, &r, dst, &port), DHCP4_DEST_UNICAST); /* RFC 2131 4.1: ciaddr */
	assert_memory_equal(dst, ci, 4);
	r.type = DHCP4_NAK;
	assert_int_equal(dhcp4_reply_dest(&m, &r, dst, &port), DHCP4_DEST_BROADCAST); /* a NAK: broadcast */
	/* RFC 2131 4.1: with giaddr set, every reply, a NAK too, goes to the relay's port 67. */
	memcpy(m.giaddr, gi, 4);
	assert_int_equal(dhcp4_reply_dest(&m, &r, dst, &port), DHCP4_DEST_RELAY);
	assert_memory_equal(dst, gi, 4);
	assert_int_equal(port, 67);
	r.type = DHCP4_ACK;
	assert_int_equal(dhcp4_reply_dest(&m, &r, dst, &port), DHCP4_DEST_RELAY);
}

/* RFC 3046: a relay agent appends option 82 (here circuit id "eth1", sub-option 1, and remote id
 * sub-option 2) as the last option; the server echoes it verbatim, last, in every reply (section
 * 2.2), and a NAK to a relay sets the broadcast flag (RFC 2131 section 4.3.2). */
static void test_relay_agent_info(void **state)
{
	uint8_t b[700], out[DHCP4_MAX_RELAYED_REPLY_LEN];
	struct dhcp4_msg m;
	static const uint8_t opts[] = { 53, 1, 1, 55, 1, 108,
					82, 12, 1, 4, 'e', 't', 'h', '1', 2, 4, 0xc6, 0x33, 0x64, 0x01,
					255 };
	size_t n = msg(b, MAC1, opts, sizeof(opts));
	b[DHCP4_OFF_FLAGS] = 0; /* a relay may clear it; the NAK must set it again */
	b[DHCP4_OFF_HOPS] = 1;
	memcpy(b + DHCP4_OFF_GIADDR, (const uint8_t[]){ 198, 51, 100, 1 }, 4);
	assert_int_equal(dhcp4_parse(b, n, &m), DHCP4_DROP_NONE);
	assert_true(m.has_relay_info);
	assert_int_equal(m.relay_info_len, 12);
	assert_memory_equal(m.relay_info, opts + 8, 12);

	struct dhcp4_reply r = { .type = DHCP4_OFFER, .v6only = true, .v6only_wait = 1800 };
	memcpy(r.server_id, SRV, 4);
	size_t k = dhcp4_build_reply(&m, &r, out, sizeof(out));
	static const uint8_t want[] = { 53, 1, 2, 54, 4, 192, 0, 2, 1, 108, 4, 0, 0, 7, 8,
					82, 12, 1, 4, 'e', 't', 'h', '1', 2, 4, 0xc6, 0x33, 0x64, 0x01, 255 };
	assert_int_equal(k, DHCP4_BOOTP_MIN_LEN);
	assert_memory_equal(out + 240, want, sizeof(want));
	assert_memory_equal(out + DHCP4_OFF_GIADDR, b + DHCP4_OFF_GIADDR, 4);
	assert_int_equal(out[DHCP4_OFF_HOPS], 0);
	assert_int_equal(out[DHCP4_OFF_FLAGS], 0); /* an OFFER keeps the request's flags */
	r.type = DHCP4_NAK;
	r.v6only = false;
	k = dhcp4_build_reply(&m, &r, out, sizeof(out));
	assert_int_equal(out[DHCP4_OFF_FLAGS], 0x80);

	/* Split in two instances (RFC 3396 section 7): concatenated, echoed as one. */
	static const uint8_t split[] = { 53, 1, 1, 82, 6, 1, 4, 'e', 't', 'h', '1', 82, 6, 2, 4, 0xc6, 0x33, 0x64, 0x01, 255 };
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, split, sizeof(split)), &m), DHCP4_DROP_NONE);
	assert_int_equal(m.relay_info_len, 12);
	assert_memory_equal(m.relay_info, opts + 8, 12);
	/* More than 255 bytes cannot be echoed in one option: dropped with its reason. */
	uint8_t big[3 + 2 * 130 + 1] = { 53, 1, 1 };
	for (int i = 0; i < 2; i++) {
		big[3 + i * 130] = 82;
		big[4 + i * 130] = 128;
		memset(big + 5 + i * 130, 0x55, 128);
	}
	big[sizeof(big) - 1] = 255;
	assert_int_equal(dhcp4_parse(b, msg(b, MAC1, big, sizeof(big)), &m), DHCP4_DROP_RELAY_INFO_TOO_LONG);
}

/* ---- the server ---------------------------------------------------------------------------------- */

#define POOL_N 3
static struct dhcp4_lease leases[POOL_N];

static void server_init(struct dhcp4_server *s, enum dhcp4_mode mode)
{
	memset(s, 0, sizeof(*s));
	memset(leases, 0, sizeof(leases));
	s->cfg.mode = mode;
	memcpy(s->cfg.server_id, SRV, 4);
	s->cfg.v6only_wait = DHCP4_V6ONLY_WAIT_DEFAULT;
	s->cfg.pool_first = 0xc0000264; /* 192.0.2.100 */
	s->cfg.pool_last = 0xc0000264 + POOL_N - 1;
	s->cfg.plen = 24;
	s->cfg.lease_time = 600;
	s->cfg.nrouters = 1;
	memcpy(s->cfg.routers[0], SRV, 4);
	if (mode == DHCP4_MODE_MOSTLY) {
		s->lease = leases;
		s->nlease = POOL_N;
	}
}

/* Parses a client message with the given options (End appended) from mac. */
static unsigned slot_index(const uint8_t a[4])
{
	return (unsigned)a[3] - 100;
}

static void client(struct dhcp4_msg *m, const uint8_t mac[6], const uint8_t *o, size_t n)
{
	uint8_t b[600], opts[300];
	memcpy(opts, o, n);
	opts[n] = 255;
	assert_int_equal(dhcp4_parse(b, msg(b, mac, opts, n + 1), m), DHCP4_DROP_NONE);
}

static void test_server_v6only_mode(void **state)
{
	struct dhcp4_server s;
	struct dhcp4_msg m;
	struct dhcp4_reply r;
	enum dhcp4_verdict v;
	static const uint8_t zero4[4];

	server_init(&s, DHCP4_MODE_V6ONLY);
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 1, 55, 2, 1, 108 }, 7);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(v, DHCP4_VERDICT_REPLY);
	assert_int_equal(r.type, DHCP4_OFFER);
	assert_memory_equal(r.yiaddr, zero4, 4);
	assert_true(r.v6only);
	assert_int_equal(r.v6only_wait, 1800);
	assert_false(r.lease);
	assert_false(r.has_mask);
	assert_int_equal(r.nrouters, 0);
	assert_memory_equal(r.server_id, SRV, 4);

	/* REQUEST (INIT-REBOOT) and INFORM with 108: ACK with 108 and yiaddr 0. */
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 3, 50, 4, 192, 0, 2, 9, 55, 1, 108 }, 12);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(r.type, DHCP4_ACK);
	assert_true(r.v6only);
	assert_memory_equal(r.yiaddr, zero4, 4);
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 8, 55, 1, 108 }, 6);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_NONE);
	assert_true(r.v6only && r.type == DHCP4_ACK);

	/* "Not configured" (--v6only-wait none): the field is zero (RFC 8925 section 3.1). */
	s.cfg.v6only_wait = 0;
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 1, 55, 1, 108 }, 6);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_NONE);
	assert_true(r.v6only);
	assert_int_equal(r.v6only_wait, 0);

	/* Without 108 on an IPv6-only network: nothing, for every type. */
	static const uint8_t types[] = { 1, 3, 4, 7, 8 };
	for (size_t i = 0; i < sizeof(types); i++) {
		client(&m, MAC2, (const uint8_t[]){ 53, 1, types[i], 50, 4, 192, 0, 2, 100, 55, 1, 1 }, 12);
		enum dhcp4_drop d = dhcp4_server_handle(&s, &m, 1000, &v, &r);
		assert_true(d == DHCP4_DROP_V6ONLY_NETWORK || d == DHCP4_DROP_NOT_OUR_LEASE);
	}
	/* Relayed (RFC 2131 section 4.3.1): option 108 from any relay, nothing without it. */
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 1, 55, 1, 108 }, 6);
	m.giaddr[0] = 198;
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_NONE);
	assert_true(r.v6only && r.type == DHCP4_OFFER);
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 1 }, 3);
	m.giaddr[0] = 198;
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_V6ONLY_NETWORK);
}

static void test_server_mostly_mode(void **state)
{
	struct dhcp4_server s;
	struct dhcp4_msg m;
	struct dhcp4_reply r;
	enum dhcp4_verdict v;
	static const uint8_t a100[4] = { 192, 0, 2, 100 }, a101[4] = { 192, 0, 2, 101 }, a102[4] = { 192, 0, 2, 102 };
	static const uint8_t disc[] = { 53, 1, 1 };

	server_init(&s, DHCP4_MODE_MOSTLY);
	/* MAC1 without 108: OFFER .100 with a lease, mask and router. */
	client(&m, MAC1, disc, 3);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(r.type, DHCP4_OFFER);
	assert_memory_equal(r.yiaddr, a100, 4);
	assert_true(r.lease && r.lease_time == 600 && r.has_mask && r.nrouters == 1 && !r.v6only);
	assert_false(s.dirty); /* an offer is not written to the lease file */
	/* MAC2 while .100 is held: .101. */
	client(&m, MAC2, disc, 3);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1000, &v, &r), DHCP4_DROP_NONE);
	assert_memory_equal(r.yiaddr, a101, 4);
	/* MAC1 selects us: ACK, bound, lease file dirty. */
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 3, 54, 4, 192, 0, 2, 1, 50, 4, 192, 0, 2, 100 }, 15);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1001, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(r.type, DHCP4_ACK);
	assert_memory_equal(r.yiaddr, a100, 4);
	assert_true(s.dirty);
	assert_int_equal(dhcp4_server_bound(&s, 1001), 1);
	/* MAC2 selects another server: silent, and its offer is released. */
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 3, 54, 4, 198, 51, 100, 1, 50, 4, 192, 0, 2, 101 }, 15);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1002, &v, &r), DHCP4_DROP_OTHER_SERVER);
	assert_int_equal(leases[1].expires, 1002);
	/* A client with 108 in mostly mode: still option 108, no address. */
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 1, 55, 1, 108 }, 6);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1002, &v, &r), DHCP4_DROP_NONE);
	assert_true(r.v6only && !r.lease && r.yiaddr[0] == 0);

	/* Relayed from the pool's subnet (giaddr 192.0.2.1): an address; from another: nothing, as
	 * the pool cannot serve that link (RFC 2131 section 4.3.1); option 108 from anywhere. */
	client(&m, MAC3, disc, 3);
	memcpy(m.giaddr, (const uint8_t[]){ 192, 0, 2, 1 }, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1002, &v, &r), DHCP4_DROP_NONE);
	assert_true(r.type == DHCP4_OFFER && r.lease && r.yiaddr[0] == 192);
	s.lease[slot_index(r.yiaddr)].expires = 1002; /* give the offer back */
	memcpy(m.giaddr, (const uint8_t[]){ 198, 51, 100, 1 }, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1002, &v, &r), DHCP4_DROP_RELAY_OTHER_SUBNET);
	client(&m, MAC3, (const uint8_t[]){ 53, 1, 1, 55, 1, 108 }, 6);
	memcpy(m.giaddr, (const uint8_t[]){ 198, 51, 100, 1 }, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1002, &v, &r), DHCP4_DROP_NONE);
	assert_true(r.v6only && !r.lease);

	/* INIT-REBOOT: on the wrong network -> NAK; in the subnet, no record -> silent; its own -> ACK. */
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 3, 50, 4, 198, 51, 100, 7 }, 9);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1003, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(r.type, DHCP4_NAK);
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 3, 50, 4, 192, 0, 2, 102 }, 9);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1003, &v, &r), DHCP4_DROP_NO_RECORD);
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 3, 50, 4, 192, 0, 2, 100 }, 9);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1003, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(r.type, DHCP4_NAK); /* MAC1's address */
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 3, 50, 4, 192, 0, 2, 100 }, 9);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1003, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(r.type, DHCP4_ACK);

	/* RENEWING (ciaddr set): ACK, unicast; ciaddr copied. */
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 3 }, 3);
	memcpy(m.ciaddr, a100, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1100, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(r.type, DHCP4_ACK);
	assert_memory_equal(r.ciaddr, a100, 4);
	assert_int_equal(leases[0].expires, 1700);

	/* INFORM: parameters, no lease, no yiaddr. */
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 8 }, 3);
	memcpy(m.ciaddr, (const uint8_t[]){ 192, 0, 2, 50 }, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1100, &v, &r), DHCP4_DROP_NONE);
	assert_true(r.type == DHCP4_ACK && !r.lease && r.has_mask && r.yiaddr[0] == 0);

	/* RELEASE by someone else: ignored; by MAC1: accepted, and MAC1 gets .100 back later. */
	client(&m, MAC2, (const uint8_t[]){ 53, 1, 7, 54, 4, 192, 0, 2, 1 }, 9);
	memcpy(m.ciaddr, a100, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1200, &v, &r), DHCP4_DROP_NOT_OUR_LEASE);
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 7, 54, 4, 192, 0, 2, 1 }, 9);
	memcpy(m.ciaddr, a100, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1200, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(v, DHCP4_VERDICT_RELEASED);
	assert_int_equal(dhcp4_server_bound(&s, 1200), 0);
	client(&m, MAC1, disc, 3);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1300, &v, &r), DHCP4_DROP_NONE);
	assert_memory_equal(r.yiaddr, a100, 4);

	/* DECLINE of .100 by MAC1: set aside; MAC1 then gets another address. */
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 4, 54, 4, 192, 0, 2, 1, 50, 4, 192, 0, 2, 100 }, 15);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1300, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(v, DHCP4_VERDICT_DECLINED);
	assert_int_equal(leases[0].state, DHCP4_SLOT_DECLINED);
	client(&m, MAC1, disc, 3);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1300, &v, &r), DHCP4_DROP_NONE);
	assert_false(memcmp(r.yiaddr, a100, 4) == 0);

	/* Pool exhaustion: .100 declined, .101 and .102 held for two clients; a third gets nothing. */
	static const uint8_t mac3[6] = { 0x00, 0x00, 0x5e, 0x00, 0x53, 0x03 };
	client(&m, MAC2, disc, 3);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1300, &v, &r), DHCP4_DROP_NONE);
	client(&m, mac3, disc, 3);
	assert_int_equal(dhcp4_server_handle(&s, &m, 1300, &v, &r), DHCP4_DROP_POOL_EXHAUSTED);
	/* Once the offers run out (DHCP4_OFFER_HOLD), the longest-expired one is given again. */
	assert_int_equal(dhcp4_server_handle(&s, &m, 1300 + DHCP4_OFFER_HOLD, &v, &r), DHCP4_DROP_NONE);
	assert_true(memcmp(r.yiaddr, a101, 4) == 0 || memcmp(r.yiaddr, a102, 4) == 0);
}

static void test_lease_lines(void **state)
{
	struct dhcp4_server s, t;
	struct dhcp4_msg m;
	struct dhcp4_reply r;
	enum dhcp4_verdict v;
	char line[DHCP4_LEASE_LINE_MAX + 16], err[128];
	bool skipped;

	server_init(&s, DHCP4_MODE_MOSTLY);
	client(&m, MAC1, (const uint8_t[]){ 53, 1, 3, 50, 4, 192, 0, 2, 101 }, 9);
	/* INIT-REBOOT with no record stays silent; SELECTING binds. */
	m.has_server_id = true;
	memcpy(m.server_id, SRV, 4);
	assert_int_equal(dhcp4_server_handle(&s, &m, 5000, &v, &r), DHCP4_DROP_NONE);
	assert_int_equal(dhcp4_lease_format(&s, 0, line, sizeof(line)), 0); /* free: not saved */
	size_t n = dhcp4_lease_format(&s, 1, line, sizeof(line));
	assert_true(n > 0);
	assert_string_equal(line, "192.0.2.101 bound 5600 0100005e005301\n");
	leases[2].state = DHCP4_SLOT_DECLINED;
	leases[2].expires = 7000;
	assert_true(dhcp4_lease_format(&s, 2, line, sizeof(line)) > 0);
	assert_string_equal(line, "192.0.2.102 declined 7000 -\n");

	struct dhcp4_lease copy[POOL_N];
	memcpy(copy, leases, sizeof(copy));
	server_init(&t, DHCP4_MODE_MOSTLY);
	assert_int_equal(dhcp4_lease_parse(&t, "192.0.2.101 bound 5600 0100005e005301\n", &skipped, err, sizeof(err)), 0);
	assert_int_equal(dhcp4_lease_parse(&t, "192.0.2.102 declined 7000 -", &skipped, err, sizeof(err)), 0);
	assert_int_equal(dhcp4_lease_parse(&t, "# comment", &skipped, err, sizeof(err)), 0);
	assert_int_equal(dhcp4_lease_parse(&t, "   ", &skipped, err, sizeof(err)), 0);
	assert_memory_equal(leases, copy, sizeof(copy));
	assert_int_equal(dhcp4_lease_parse(&t, "198.51.100.1 bound 1 01", &skipped, err, sizeof(err)), 0);
	assert_true(skipped);

	static const char *const bad[] = {
		"192.0.2.101 bound 5600",              "192.0.2.101 leased 5600 01",  "192.0.2.1011 bound 5600 01",
		"192.0.2.101 bound -5 01",             "192.0.2.101 bound 5x 01",     "192.0.2.101 bound 5600 0g",
		"192.0.2.101 bound 5600 012",          "192.0.2.101 bound 5600 -",    "192.0.2.101 declined 5600 01",
		"192.0.2.101 bound 5600 01 extra",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(dhcp4_lease_parse(&t, bad[i], &skipped, err, sizeof(err)), -1);
}

static void test_addr_parse(void **state)
{
	uint8_t a[4];
	char buf[16];

	assert_true(dhcp4_addr_parse("192.0.2.255", a));
	assert_int_equal(dhcp4_addr_format(a, buf, sizeof(buf)), 11);
	assert_string_equal(buf, "192.0.2.255");
	static const char *const bad[] = { "", "1.2.3", "1.2.3.4.", "256.0.0.1", "1..2.3", "1.2.3.4 ", "-1.2.3.4",
					   "0001.2.3.4", "a.b.c.d" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(dhcp4_addr_parse(bad[i], a));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_discover_108),
		cmocka_unit_test(test_parse_prl_without_108_and_split),
		cmocka_unit_test(test_parse_pad_end_and_trailer),
		cmocka_unit_test(test_parse_overload),
		cmocka_unit_test(test_truncation_every_length),
		cmocka_unit_test(test_parse_drops),
		cmocka_unit_test(test_drop_names),
		cmocka_unit_test(test_build_v6only_offer_bytes),
		cmocka_unit_test(test_build_address_ack),
		cmocka_unit_test(test_reply_destination),
		cmocka_unit_test(test_relay_agent_info),
		cmocka_unit_test(test_server_v6only_mode),
		cmocka_unit_test(test_server_mostly_mode),
		cmocka_unit_test(test_lease_lines),
		cmocka_unit_test(test_addr_parse),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
