/* The siit daemon's read loop (siit_engine_step, then siit_engine_emit when it returns NULL) must
 * do exactly what siit_engine_process does, which `xlat464 translate` and the reassembling daemon
 * use: the same packets handed to emit, of the same kind, in the same order, byte for byte, and the
 * same counters (translator, hairpinned) and IPv4 identification. Packets: UDP, TCP and ICMP echo
 * both ways under pool6 and EAM, hairpinned ones (RFC 7757 section 4.2), ones answered with an ICMP
 * error (hop limit 1, too big), fragmented output, other versions, then random mutations of them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* The engine is part of the xlat464 binary, not a library: compile it into this test. */
#include "../../src/common/siit_engine.c"

struct rec {
	unsigned n;
	uint8_t kind[XLAT_MAX_PKTS + 1];
	size_t len[XLAT_MAX_PKTS + 1];
	uint8_t family[XLAT_MAX_PKTS + 1];
	uint8_t bytes[XLAT_MAX_PKTS + 1][2048];
};

static struct rec rec_a, rec_b;

static void record(void *arg, const struct xlat_pkt *p, enum siit_emit_kind kind)
{
	struct rec *r = arg;
	assert_true(r->n <= XLAT_MAX_PKTS);
	r->kind[r->n] = (uint8_t)kind;
	r->family[r->n] = p->family;
	r->len[r->n] = xlat_pkt_flatten(p, r->bytes[r->n], sizeof(r->bytes[0]));
	r->n++;
}

static uint64_t rng = 464;
static unsigned below(unsigned n)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (unsigned)((z ^ (z >> 31)) % n);
}

static uint16_t csum(const uint8_t *p, size_t n, uint32_t s)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		s += (uint32_t)p[n - 1] << 8;
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)~s;
}

/* IPv4 packet 192.0.2.1 (through pool6) -> dst, transport proto, payload bytes. */
static size_t make4(uint8_t *p, const uint8_t dst[4], uint8_t proto, unsigned payload, uint8_t ttl, bool df)
{
	unsigned l4 = (proto == 6 ? 20 : 8) + payload, tl = 20 + l4;
	memset(p, 0, tl);
	p[0] = 0x45;
	p[2] = (uint8_t)(tl >> 8);
	p[3] = (uint8_t)tl;
	p[6] = df ? 0x40 : 0;
	p[8] = ttl;
	p[9] = proto;
	const uint8_t src[4] = { 192, 0, 2, 1 };
	memcpy(p + 12, src, 4);
	memcpy(p + 16, dst, 4);
	uint16_t h = csum(p, 20, 0);
	p[10] = (uint8_t)(h >> 8);
	p[11] = (uint8_t)h;
	uint8_t *t = p + 20;
	for (unsigned i = 0; i < payload; i++)
		t[l4 - payload + i] = (uint8_t)(i * 7);
	if (proto == 1) {
		t[0] = 8; /* echo request */
		t[4] = 0x12;
	} else {
		t[1] = 0x35;
		t[3] = 0x50;
		if (proto == 17) {
			t[4] = (uint8_t)(l4 >> 8);
			t[5] = (uint8_t)l4;
		} else {
			t[12] = 0x50;
		}
	}
	uint32_t s = 0;
	if (proto != 1)
		s = (uint32_t)(src[0] << 8 | src[1]) + (uint32_t)(src[2] << 8 | src[3]) + (uint32_t)(dst[0] << 8 | dst[1]) +
		    (uint32_t)(dst[2] << 8 | dst[3]) + proto + l4;
	uint16_t c = csum(t, l4, s);
	unsigned off = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	t[off] = (uint8_t)(c >> 8);
	t[off + 1] = (uint8_t)c;
	return tl;
}

/* IPv6 packet src -> dst, transport proto (6, 17, 58), payload bytes. */
static size_t make6(uint8_t *p, const uint8_t src[16], const uint8_t dst[16], uint8_t proto, unsigned payload,
		    uint8_t hlim)
{
	unsigned l4 = (proto == 6 ? 20 : 8) + payload;
	memset(p, 0, 40 + l4);
	p[0] = 0x60;
	p[4] = (uint8_t)(l4 >> 8);
	p[5] = (uint8_t)l4;
	p[6] = proto;
	p[7] = hlim;
	memcpy(p + 8, src, 16);
	memcpy(p + 24, dst, 16);
	uint8_t *t = p + 40;
	for (unsigned i = 0; i < payload; i++)
		t[l4 - payload + i] = (uint8_t)(i * 5);
	if (proto == 58) {
		t[0] = 128;
		t[4] = 0x34;
	} else {
		t[1] = 0x35;
		t[3] = 0x50;
		if (proto == 17) {
			t[4] = (uint8_t)(l4 >> 8);
			t[5] = (uint8_t)l4;
		} else {
			t[12] = 0x50;
		}
	}
	uint32_t s = proto + l4;
	for (unsigned i = 8; i < 40; i += 2)
		s += (uint32_t)(p[i] << 8 | p[i + 1]);
	uint16_t c = csum(t, l4, s);
	unsigned off = proto == 6 ? 16 : proto == 17 ? 6 : 2;
	t[off] = (uint8_t)(c >> 8);
	t[off + 1] = (uint8_t)c;
	return 40 + l4;
}

static struct xlat_siit_map map;
static struct xlat_config cfg;
static struct siit_engine ea, eb;

static void setup_engines(void)
{
	memset(&map, 0, sizeof(map));
	struct xlat_prefix6 p6 = { .len = 96 };
	const uint8_t pool[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x64, 0x64 };
	memcpy(p6.addr, pool, 16);
	xlat_siit_map_set_pool6(&map, &p6);
	const char *why;
	struct xlat_prefix4 e4 = { .addr = { 198, 51, 100, 0 }, .len = 24 };
	struct xlat_prefix6 e6 = { .addr = { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee }, .len = 120 };
	assert_int_equal(xlat_siit_map_add_eam(&map, &e4, &e6, &why), 0);
	xlat_config_init(&cfg);
	cfg.policy = xlat_siit_policy(&map);
	cfg.mtu4 = 1500;
	cfg.mtu6 = 1500;
	cfg.reasm_max = 0;
	/* the sources of the ICMP errors it answers with */
	const uint8_t self4[4] = { 192, 0, 2, 254 }, self6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xff, [15] = 1 };
	cfg.has_self4 = cfg.has_self6 = true;
	memcpy(cfg.self4, self4, 4);
	memcpy(cfg.self6, self6, 16);
	assert_int_equal(siit_engine_init(&ea, &cfg), 0);
	assert_int_equal(siit_engine_init(&eb, &cfg), 0);
	assert_true(eb.direct);
}

static unsigned n_step; /* packets siit_engine_step took whole */

static void compare_one(const uint8_t *pkt, size_t len)
{
	static uint8_t copy[70000];
	memcpy(copy, pkt, len);
	memset(&rec_a, 0, sizeof(rec_a));
	memset(&rec_b, 0, sizeof(rec_b));
	siit_engine_process(&ea, pkt, len, 0, record, &rec_a);
	const struct xlat_pkt *p = siit_engine_step(&eb, copy, len);
	if (p) {
		record(&rec_b, p, SIIT_EMIT_FORWARD);
		n_step++;
	} else {
		siit_engine_emit(&eb, copy, len, record, &rec_b);
	}
	assert_int_equal(rec_a.n, rec_b.n);
	for (unsigned i = 0; i < rec_a.n; i++) {
		assert_int_equal(rec_a.kind[i], rec_b.kind[i]);
		assert_int_equal(rec_a.family[i], rec_b.family[i]);
		assert_int_equal(rec_a.len[i], rec_b.len[i]);
		assert_memory_equal(rec_a.bytes[i], rec_b.bytes[i], rec_a.len[i] < 2048 ? rec_a.len[i] : 2048);
	}
	assert_memory_equal(&ea.ctx.stats, &eb.ctx.stats, sizeof(ea.ctx.stats));
	assert_int_equal(ea.ctx.ipv4_id, eb.ctx.ipv4_id);
	assert_int_equal(ea.hairpinned, eb.hairpinned);
}

static size_t make_any(uint8_t *p, unsigned k)
{
	const uint8_t eam4[4] = { 198, 51, 100, 2 }, pool4[4] = { 203, 0, 113, 9 };
	const uint8_t eam6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee, [15] = 3 };
	const uint8_t eam6b[16] = { 0x20, 0x01, 0x0d, 0xb8, 0xee, 0xee, [15] = 7 };
	const uint8_t pool6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x64, 0x64, [12] = 192, 0, 2, 2 };
	/* a pool6 destination whose IPv4 address lies in the EAM entry: hairpinned */
	const uint8_t hair6[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x64, 0x64, [12] = 198, 51, 100, 7 };
	const uint8_t protos4[3] = { 17, 6, 1 }, protos6[3] = { 17, 6, 58 };
	unsigned payload = below(4) == 0 ? 1400 + below(200) : 36 + below(64);
	switch (k % 8) {
	case 0: return make4(p, eam4, protos4[below(3)], payload, 64, below(2));
	case 1: return make4(p, pool4, protos4[below(3)], payload, 64, below(2));
	case 2: return make4(p, eam4, protos4[below(3)], payload, 1, true); /* time exceeded */
	case 3: return make6(p, eam6, pool6, protos6[below(3)], payload, 64);
	case 4: return make6(p, eam6, hair6, protos6[below(3)], payload, 64);
	case 5: return make6(p, eam6b, pool6, protos6[below(3)], payload, 1);
	case 6: return make4(p, eam4, 17, 1400 + below(100), 64, false); /* fragmented for IPv6 */
	default:
		p[0] = (uint8_t)(below(16) << 4);
		return 1 + below(60);
	}
}

static void test_step_equals_process(void **state)
{
	static uint8_t pkt[70000];
	setup_engines();
	for (unsigned k = 0; k < 200000; k++) {
		size_t len = make_any(pkt, k);
		if (k >= 800) { /* mutate: a byte or two, or cut short */
			unsigned m = below(3);
			if (m == 0 && len > 1)
				len = 1 + below((unsigned)len - 1);
			for (unsigned j = 0; j < m; j++)
				pkt[below((unsigned)len)] ^= (uint8_t)(1 + below(255));
		}
		compare_one(pkt, len);
	}
	printf("step took %u of 200000; replies %llu, hairpinned %llu, bad version %llu\n", n_step,
	       (unsigned long long)ea.ctx.stats.replies, (unsigned long long)ea.hairpinned,
	       (unsigned long long)ea.ctx.stats.drops[XLAT_DROP_BAD_VERSION]);
	/* each kind was met: translations the inline step took, replies, hairpins, drops */
	assert_true(n_step > 20000);
	assert_true(ea.ctx.stats.replies > 1000);
	assert_true(ea.hairpinned > 1000);
	assert_true(ea.ctx.stats.drops[XLAT_DROP_BAD_VERSION] > 100);
	siit_engine_free(&ea);
	siit_engine_free(&eb);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_step_equals_process) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
