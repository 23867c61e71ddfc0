/* Unit tests for lib/xlat/offload.c: the TUN's virtio_net_hdr, checksums left to the device, and TCP
 * super-packets translated whole. The proof for a super-packet is what the kernel would do with it:
 * finish the partial checksum over the translated packet (the sum from csum_start, field included)
 * and compare with a checksum computed from scratch, naively, over the translated bytes; and split it
 * into segments of gso_size that must fit the MTU. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "testutil.h"
#include "xlat/offload.h"

static struct xlat_siit_map map;
static struct xlat_config cfg;
static struct xlat_ctx ctx;
static struct xlat_out out;
static uint8_t pkt[70000], flat[70000];

/* pool6 2001:db8:64::/96 for the IPv4 side; the IPv6 client 2001:db8:1::/120 = 198.51.100.0/24. */
static void setup_siit(void)
{
	memset(&map, 0, sizeof(map));
	struct xlat_prefix6 pool6;
	assert_true(t_parse_prefix6("2001:db8:64::/96", &pool6));
	xlat_siit_map_set_pool6(&map, &pool6);
	struct xlat_prefix4 e4;
	struct xlat_prefix6 e6;
	assert_true(t_parse_prefix4("198.51.100.0/24", &e4));
	assert_true(t_parse_prefix6("2001:db8:1::/120", &e6));
	const char *why = NULL;
	assert_int_equal(xlat_siit_map_add_eam(&map, &e4, &e6, &why), 0);
	xlat_config_init(&cfg);
	cfg.policy = xlat_siit_policy(&map);
	xlat_ctx_init(&ctx, &cfg);
}

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] << 8 | p[1]); }

/* A TCP segment with data bytes after the IP header at ip (l4 offset hl), its checksum field the
 * partial pseudo-header sum a sender with checksum offload leaves (not complemented). */
static size_t tcp_partial(uint8_t *ip, size_t hl, size_t data, int family)
{
	uint8_t *t = ip + hl;
	memset(t, 0, 20);
	put16(t, 40000);
	put16(t + 2, 5201);
	put16(t + 4, 0x1234);
	t[12] = 5 << 4;
	t[13] = 0x10; /* ACK */
	put16(t + 14, 65535);
	for (size_t i = 0; i < data; i++)
		t[20 + i] = (uint8_t)(i * 13 + 7);
	size_t l4 = 20 + data;
	uint64_t ps = family == 4 ? t_pseudo4(ip, T_PROTO_TCP, l4) : t_pseudo6(ip, T_PROTO_TCP, l4);
	put16(t + 16, t_naive_sum(NULL, 0, ps));
	return hl + l4;
}

static size_t ipv6_tcp(size_t data)
{
	memset(pkt, 0, 40);
	pkt[0] = 0x60;
	put16(pkt + 4, (unsigned)(20 + data));
	pkt[6] = T_PROTO_TCP;
	pkt[7] = 64;
	t_v6("2001:db8:1::7", pkt + 8);
	t_v6("2001:db8:64::cb00:7102", pkt + 24); /* 203.0.113.2 */
	return tcp_partial(pkt, 40, data, 6);
}

static size_t ipv4_tcp(size_t data, bool df)
{
	memset(pkt, 0, 20);
	pkt[0] = 0x45;
	put16(pkt + 2, (unsigned)(40 + data));
	put16(pkt + 4, 0x4321);
	put16(pkt + 6, df ? 0x4000 : 0);
	pkt[8] = 64;
	pkt[9] = T_PROTO_TCP;
	t_v4("203.0.113.2", pkt + 12);
	t_v4("198.51.100.7", pkt + 16);
	put16(pkt + 10, t_naive_csum(pkt, 20, 0));
	return tcp_partial(pkt, 20, data, 4);
}

/* Translates a super-packet as src/plat and src/siit do (xlat_offload_translate) and checks what the
 * kernel will make of it. */
static void gso_through(size_t n, const struct xlat_vnet *in, struct xlat_vnet *o)
{
	struct xlat_config lifted;
	struct xlat_offload_stats st = { 0 };
	enum xlat_offload_path path = xlat_offload_translate(&ctx, &lifted, pkt, n, in, &out, o, &st);
	if (path != XLAT_OFFLOAD_SUPER)
		fail_msg("%zu bytes: path %d, action %d, reason %s", n, (int)path, (int)out.action, xlat_drop_name(out.reason));
	assert_ptr_equal(ctx.cfg, &cfg); /* the configuration proper is back */
	assert_int_equal(st.super_packets, 1);
	assert_int_equal(st.super_bytes, n);
	assert_int_equal(st.csum_completed, 0);
	assert_int_equal(out.npkts, 1);
	size_t m = xlat_pkt_flatten(&out.pkt[0], flat, sizeof(flat));
	assert_int_equal(m, out.pkt[0].len);
	assert_int_equal(o->flags, XLAT_VNET_F_NEEDS_CSUM);
	assert_int_equal(o->csum_offset, 16);
	assert_int_equal(m - o->csum_start, n - in->csum_start); /* the transport part keeps its length */
	/* the kernel: checksum = ~sum(from csum_start, the partial field included) */
	uint16_t finished = t_naive_csum(flat + o->csum_start, m - o->csum_start, 0);
	/* from scratch: the pseudo-header of the translated packet and its transport bytes */
	uint8_t *tcp = flat + o->csum_start;
	uint16_t keep = get16(tcp + 16);
	put16(tcp + 16, 0);
	size_t l4 = m - o->csum_start;
	uint64_t ps = flat[0] >> 4 == 4 ? t_pseudo4(flat, T_PROTO_TCP, l4) : t_pseudo6(flat, T_PROTO_TCP, l4);
	uint16_t scratch = t_naive_csum(tcp, l4, ps);
	put16(tcp + 16, keep);
	assert_int_equal(finished, scratch);
	/* every segment of gso_size fits the MTU of its side */
	unsigned mtu = flat[0] >> 4 == 4 ? cfg.mtu4 : cfg.mtu6;
	assert_true(o->hdr_len + o->gso_size <= mtu);
	assert_int_equal(o->hdr_len, o->csum_start + 20);
}

static void test_vnet_round_trip(void **state)
{
	struct xlat_vnet h = { 1, 4 | 0x80, 60, 1440, 40, 16 }, g;
	uint8_t b[XLAT_VNET_HDR_LEN];
	xlat_vnet_write(&h, b);
	static const uint8_t want[XLAT_VNET_HDR_LEN] = { 1, 0x84, 60, 0, 0xa0, 0x05, 40, 0, 16, 0 }; /* little-endian */
	assert_memory_equal(b, want, sizeof(b));
	xlat_vnet_read(b, &g);
	assert_memory_equal(&g, &h, sizeof(h));
	assert_true(xlat_vnet_is_gso(&g));
	h.gso_type = XLAT_VNET_GSO_ECN; /* the ECN bit alone is no segmentation */
	assert_false(xlat_vnet_is_gso(&h));
}

/* A checksum left to the device, no segmentation: finished in place, then an ordinary packet. */
static void test_checksum_completed(void **state)
{
	size_t n = ipv6_tcp(999);
	uint16_t partial = get16(pkt + 40 + 16);
	struct xlat_vnet h = { XLAT_VNET_F_NEEDS_CSUM, 0, 0, 0, 40, 16 };
	assert_int_equal(xlat_offload_prepare(pkt, n, &h), XLAT_DROP_NONE);
	uint16_t got = get16(pkt + 40 + 16);
	put16(pkt + 40 + 16, 0);
	assert_int_equal(got, t_naive_csum(pkt + 40, n - 40, t_pseudo6(pkt, T_PROTO_TCP, n - 40)));
	put16(pkt + 40 + 16, got);
	assert_int_not_equal(got, partial);
	/* no flag: untouched */
	struct xlat_vnet none = { 0 };
	assert_int_equal(xlat_offload_prepare(pkt, n, &none), XLAT_DROP_NONE);
	assert_int_equal(get16(pkt + 40 + 16), got);
	/* offsets outside the packet */
	struct xlat_vnet bad = { XLAT_VNET_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)n, 0 };
	assert_int_equal(xlat_offload_prepare(pkt, n, &bad), XLAT_DROP_OFFLOAD_BAD_HEADER);
	bad.csum_start = 40;
	bad.csum_offset = (uint16_t)(n - 41);
	assert_int_equal(xlat_offload_prepare(pkt, n, &bad), XLAT_DROP_OFFLOAD_BAD_HEADER);
	bad.csum_offset = (uint16_t)(n - 42); /* the last two bytes: in bounds */
	assert_int_equal(xlat_offload_prepare(pkt, n, &bad), XLAT_DROP_NONE);
}

static void test_super_packet_6to4(void **state)
{
	setup_siit();
	size_t n = ipv6_tcp(20000);
	struct xlat_vnet in = { XLAT_VNET_F_NEEDS_CSUM, XLAT_VNET_GSO_TCPV6, 60, 1440, 40, 16 }, o;
	gso_through(n, &in, &o);
	assert_int_equal(o.gso_type, XLAT_VNET_GSO_TCPV4);
	assert_int_equal(o.csum_start, 20);
	assert_int_equal(o.hdr_len, 40);
	assert_int_equal(o.gso_size, 1440); /* 20 bytes smaller headers: the segments still fit */
	assert_int_equal(flat[0], 0x45);
	assert_int_equal(get16(flat + 2), 20 + 20 + 20000);
	assert_true(get16(flat + 6) & 0x4000); /* DF: each segment is above 1260 bytes */
	assert_int_equal(t_naive_sum(flat, 20, 0), 0xffff); /* the IPv4 header checksum is whole */
	/* the ECN bit is carried */
	n = ipv6_tcp(5000);
	in.gso_type |= XLAT_VNET_GSO_ECN;
	gso_through(n, &in, &o);
	assert_int_equal(o.gso_type, XLAT_VNET_GSO_TCPV4 | XLAT_VNET_GSO_ECN);
	/* segments that would not fit mtu4 are made smaller */
	cfg.mtu4 = 1280;
	in.gso_type = XLAT_VNET_GSO_TCPV6;
	n = ipv6_tcp(5000);
	gso_through(n, &in, &o);
	assert_int_equal(o.gso_size, 1280 - 40);
}

static void test_super_packet_4to6(void **state)
{
	setup_siit();
	size_t n = ipv4_tcp(30000, true);
	struct xlat_vnet in = { XLAT_VNET_F_NEEDS_CSUM, XLAT_VNET_GSO_TCPV4, 40, 1460, 20, 16 }, o;
	gso_through(n, &in, &o);
	assert_int_equal(o.gso_type, XLAT_VNET_GSO_TCPV6);
	assert_int_equal(o.csum_start, 40);
	assert_int_equal(o.hdr_len, 60);
	assert_int_equal(o.gso_size, 1500 - 60); /* 20 bytes more header per segment: 20 bytes less data */
	assert_int_equal(flat[0] >> 4, 6);
	assert_int_equal(get16(flat + 4), 20 + 30000);
	assert_int_equal(flat[6], T_PROTO_TCP); /* no fragment header */
	/* DF clear: RFC 7915 section 4.1's lowest-ipv6-mtu, reached by smaller segments */
	n = ipv4_tcp(30000, false);
	gso_through(n, &in, &o);
	assert_int_equal(o.gso_size, 1280 - 60);
	assert_int_equal(flat[6], T_PROTO_TCP);
}

/* The largest IPv4 super-packet (65535 bytes) becomes a 65555-byte IPv6 one, which is why the
 * daemons' buffers hold 65535 + 40 bytes; and the way back (the CLAT's direction) gives 65535 again. */
static void test_largest(void **state)
{
	setup_siit();
	size_t n = ipv4_tcp(65535 - 40, true);
	assert_int_equal(n, 65535);
	struct xlat_vnet in = { XLAT_VNET_F_NEEDS_CSUM, XLAT_VNET_GSO_TCPV4, 40, 1460, 20, 16 }, o;
	gso_through(n, &in, &o);
	assert_int_equal(out.pkt[0].len, 65555);
	assert_int_equal(get16(flat + 4), 65515);
	/* back: an IPv6 packet of 65555 bytes from the IPv4 side's mapping */
	memcpy(pkt, flat, 65555);
	t_v6("2001:db8:1::7", pkt + 8);           /* swap the roles: the EAM host sends */
	t_v6("2001:db8:64::cb00:7102", pkt + 24); /* to 203.0.113.2 */
	struct xlat_vnet in6 = { XLAT_VNET_F_NEEDS_CSUM, XLAT_VNET_GSO_TCPV6, 60, 1440, 40, 16 };
	size_t l4 = 65555 - 40;
	put16(pkt + 40 + 16, t_naive_sum(NULL, 0, t_pseudo6(pkt, T_PROTO_TCP, l4)));
	gso_through(65555, &in6, &o);
	assert_int_equal(out.pkt[0].len, 65535);
	assert_int_equal(get16(flat + 2), 65535);
}

static void test_refused(void **state)
{
	setup_siit();
	size_t n = ipv6_tcp(3000);
	struct xlat_vnet in = { XLAT_VNET_F_NEEDS_CSUM, XLAT_VNET_GSO_TCPV6, 60, 1440, 40, 16 };
	struct xlat_vnet h = in;
	h.flags = 0; /* nothing would finish the segments' checksums */
	assert_int_equal(xlat_offload_prepare(pkt, n, &h), XLAT_DROP_OFFLOAD_BAD_HEADER);
	h = in;
	h.gso_size = 0;
	assert_int_equal(xlat_offload_prepare(pkt, n, &h), XLAT_DROP_OFFLOAD_BAD_HEADER);
	h = in;
	h.gso_type = XLAT_VNET_GSO_UDP_L4;
	assert_int_equal(xlat_offload_prepare(pkt, n, &h), XLAT_DROP_OFFLOAD_UNSUPPORTED);
	h = in;
	h.gso_type = XLAT_VNET_GSO_TCPV4; /* the wrong family for the packet */
	assert_int_equal(xlat_offload_prepare(pkt, n, &h), XLAT_DROP_OFFLOAD_UNSUPPORTED);
	h = in;
	h.csum_offset = 6; /* not TCP's checksum */
	assert_int_equal(xlat_offload_prepare(pkt, n, &h), XLAT_DROP_OFFLOAD_UNSUPPORTED);
	pkt[6] = 0; /* a hop-by-hop header first */
	assert_int_equal(xlat_offload_prepare(pkt, n, &in), XLAT_DROP_OFFLOAD_UNSUPPORTED);
	assert_int_equal(xlat_offload_prepare(pkt, 30, &in), XLAT_DROP_OFFLOAD_UNSUPPORTED); /* truncated */
	n = ipv4_tcp(3000, true);
	struct xlat_vnet in4 = { XLAT_VNET_F_NEEDS_CSUM, XLAT_VNET_GSO_TCPV4, 40, 1460, 20, 16 };
	pkt[0] = 0x46; /* IPv4 options */
	assert_int_equal(xlat_offload_prepare(pkt, n, &in4), XLAT_DROP_OFFLOAD_UNSUPPORTED);
	pkt[0] = 0x45;
	put16(pkt + 6, 0x2000); /* a fragment */
	assert_int_equal(xlat_offload_prepare(pkt, n, &in4), XLAT_DROP_OFFLOAD_UNSUPPORTED);
	/* segments that cannot fit at all */
	n = ipv4_tcp(3000, true);
	assert_int_equal(xlat_offload_prepare(pkt, n, &in4), XLAT_DROP_NONE);
	struct xlat_config lifted, tiny = cfg;
	xlat_offload_config(&cfg, &lifted);
	ctx.cfg = &lifted;
	xlat_translate(&ctx, pkt, n, &out);
	ctx.cfg = &cfg;
	assert_int_equal(out.action, XLAT_FORWARD);
	struct xlat_vnet o;
	tiny.mtu6 = 60; /* headers alone */
	assert_int_equal(xlat_offload_finish(&tiny, &in4, pkt, n, &out.pkt[0], &o), XLAT_DROP_OFFLOAD_UNSUPPORTED);
	struct xlat_vnet wrong = in4;
	wrong.csum_start = (uint16_t)(n + 1);
	assert_int_equal(xlat_offload_finish(&cfg, &wrong, pkt, n, &out.pkt[0], &o), XLAT_DROP_OFFLOAD_BAD_HEADER);
}

/* The four ways out of xlat_offload_translate, and what each counts. */
static void test_translate_paths(void **state)
{
	setup_siit();
	struct xlat_offload_stats st = { 0 };
	struct xlat_config lifted;
	struct xlat_vnet o;
	/* a checksum left to the device: finished, then the caller's ordinary way */
	size_t n = ipv6_tcp(999);
	struct xlat_vnet h = { XLAT_VNET_F_NEEDS_CSUM, 0, 0, 0, 40, 16 };
	assert_int_equal(xlat_offload_translate(&ctx, &lifted, pkt, n, &h, &out, &o, &st), XLAT_OFFLOAD_PLAIN);
	assert_int_equal(st.csum_completed, 1);
	uint16_t got = get16(pkt + 40 + 16);
	put16(pkt + 40 + 16, 0);
	assert_int_equal(got, t_naive_csum(pkt + 40, n - 40, t_pseudo6(pkt, T_PROTO_TCP, n - 40)));
	/* an all-zero header: plain, nothing counted */
	struct xlat_vnet none = { 0 };
	assert_int_equal(xlat_offload_translate(&ctx, &lifted, pkt, n, &none, &out, &o, &st), XLAT_OFFLOAD_PLAIN);
	assert_int_equal(st.csum_completed, 1);
	/* a header that does not fit the packet: dropped under its reason */
	struct xlat_vnet bad = { XLAT_VNET_F_NEEDS_CSUM, 0, 0, 0, (uint16_t)n, 0 };
	uint64_t d = ctx.stats.drops[XLAT_DROP_OFFLOAD_BAD_HEADER];
	assert_int_equal(xlat_offload_translate(&ctx, &lifted, pkt, n, &bad, &out, &o, &st), XLAT_OFFLOAD_DROPPED);
	assert_int_equal(ctx.stats.drops[XLAT_DROP_OFFLOAD_BAD_HEADER], d + 1);
	/* a super-packet the core does not forward (no mapping for its destination): its outcome is
	 * the caller's, with the MTUs lifted no longer in force */
	struct xlat_vnet in = { XLAT_VNET_F_NEEDS_CSUM, XLAT_VNET_GSO_TCPV6, 60, 1440, 40, 16 };
	n = ipv6_tcp(3000);
	t_v6("2001:db8:99::1", pkt + 24);
	assert_int_equal(xlat_offload_translate(&ctx, &lifted, pkt, n, &in, &out, &o, &st), XLAT_OFFLOAD_OTHER);
	assert_int_not_equal(out.action, XLAT_FORWARD);
	assert_ptr_equal(ctx.cfg, &cfg);
	assert_int_equal(st.super_packets, 0);
	/* forwarded, but its segments cannot fit the way out: dropped, counted */
	n = ipv6_tcp(3000);
	cfg.mtu4 = 40; /* the headers alone */
	d = ctx.stats.drops[XLAT_DROP_OFFLOAD_UNSUPPORTED];
	assert_int_equal(xlat_offload_translate(&ctx, &lifted, pkt, n, &in, &out, &o, &st), XLAT_OFFLOAD_DROPPED);
	assert_int_equal(ctx.stats.drops[XLAT_DROP_OFFLOAD_UNSUPPORTED], d + 1);
	assert_int_equal(st.super_packets, 0);
	/* and whole */
	cfg.mtu4 = 1500;
	n = ipv6_tcp(3000);
	assert_int_equal(xlat_offload_translate(&ctx, &lifted, pkt, n, &in, &out, &o, &st), XLAT_OFFLOAD_SUPER);
	assert_int_equal(st.super_packets, 1);
	assert_int_equal(st.super_bytes, n);
	assert_int_equal(o.gso_type, XLAT_VNET_GSO_TCPV4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vnet_round_trip),	 cmocka_unit_test(test_checksum_completed),
		cmocka_unit_test(test_super_packet_6to4), cmocka_unit_test(test_super_packet_4to6),
		cmocka_unit_test(test_largest),	 cmocka_unit_test(test_refused),
		cmocka_unit_test(test_translate_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
