/* lib/xlat/reasm.c: zero-checksum UDP datagrams made whole (RFC 7915 section 4.5, RFC 6146 section
 * 3.4), and everything else left alone. Fragments are cut here by hand from a datagram written
 * independently of the library; the checksum of the translated result is checked with the naive sum
 * of testutil.h over the IPv6 fragments put back together. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "testutil.h"
#include "xlat/reasm.h"

#define NSLOTS 2
#define TIMEOUT 5000
#define DGRAM 1608 /* UDP header and 1600 bytes: an IPsec NAT-T datagram on port 4500 */

static struct xlat_reasm r;
static void *slots;
static struct xlat_stats st;
static uint8_t dgram[20 + DGRAM]; /* the whole IPv4 datagram, unfragmented */

static int setup(void **state)
{
	slots = calloc(NSLOTS, xlat_reasm_slot_size());
	assert_non_null(slots);
	xlat_reasm_init(&r, slots, NSLOTS, TIMEOUT);
	memset(&st, 0, sizeof(st));
	return 0;
}

static int teardown(void **state)
{
	free(slots);
	return 0;
}

static void ip4_hdr(uint8_t *h, unsigned tot, uint16_t id, uint16_t flags_off, const char *src, const char *dst)
{
	memset(h, 0, 20);
	h[0] = 0x45;
	h[2] = (uint8_t)(tot >> 8);
	h[3] = (uint8_t)tot;
	h[4] = (uint8_t)(id >> 8);
	h[5] = (uint8_t)id;
	h[6] = (uint8_t)(flags_off >> 8);
	h[7] = (uint8_t)flags_off;
	h[8] = 64;
	h[9] = T_PROTO_UDP;
	t_v4(src, h + 12);
	t_v4(dst, h + 16);
	uint16_t c = t_naive_csum(h, 20, 0);
	h[10] = (uint8_t)(c >> 8);
	h[11] = (uint8_t)c;
}

/* The datagram: 192.0.2.10:4500 -> 198.51.100.7:4500, checksum as given (0: none). */
static void make_dgram(uint16_t id, bool with_csum)
{
	ip4_hdr(dgram, sizeof(dgram), id, 0, "192.0.2.10", "198.51.100.7");
	uint8_t *u = dgram + 20;
	u[0] = 0x11, u[1] = 0x94, u[2] = 0x11, u[3] = 0x94; /* 4500 -> 4500 */
	u[4] = (uint8_t)(DGRAM >> 8);
	u[5] = (uint8_t)DGRAM;
	u[6] = u[7] = 0;
	for (unsigned i = 8; i < DGRAM; i++)
		u[i] = (uint8_t)(i * 7 + id);
	if (with_csum) {
		uint16_t c = t_naive_csum(u, DGRAM, t_pseudo4(dgram, T_PROTO_UDP, DGRAM));
		u[6] = (uint8_t)(c >> 8);
		u[7] = (uint8_t)c;
	}
}

/* Fragment: payload bytes [off, off+n) of dgram, MF as given, into buf. Returns its length. */
static size_t frag(uint8_t *buf, unsigned off, unsigned n, bool mf)
{
	uint16_t id = (uint16_t)(dgram[4] << 8 | dgram[5]);
	ip4_hdr(buf, 20 + n, id, (uint16_t)((mf ? 0x2000 : 0) | off / 8), "192.0.2.10", "198.51.100.7");
	memcpy(buf + 20, dgram + 20 + off, n);
	return 20 + n;
}

static enum xlat_reasm_verdict add(unsigned off, unsigned n, bool mf, uint64_t now, const uint8_t **w, size_t *wl)
{
	static uint8_t buf[2048];
	size_t len = frag(buf, off, n, mf);
	return xlat_reasm_add(&r, buf, len, now, w, wl, &st);
}

static void assert_whole_is_dgram(const uint8_t *w, size_t wl)
{
	assert_int_equal(wl, sizeof(dgram));
	assert_int_equal(t_naive_sum(w, 20, 0), 0xffff); /* a valid header checksum */
	assert_int_equal(w[6] & 0x3f, 0);                /* no MF, offset 0 */
	assert_int_equal(w[7], 0);
	assert_memory_equal(w + 20, dgram + 20, DGRAM);
	assert_int_equal(w[2] << 8 | w[3], sizeof(dgram));
}

static void in_order_made_whole(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	make_dgram(0x1234, false);
	assert_int_equal(add(0, 552, true, 100, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(552, 552, true, 101, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(1104, DGRAM - 1104, false, 102, &w, &wl), XLAT_REASM_WHOLE);
	assert_whole_is_dgram(w, wl);
	assert_int_equal(st.reasm_fragments, 3);
	assert_int_equal(st.reasm_datagrams, 1);
	/* the slot is freed by the next call */
	assert_int_equal(xlat_reasm_in_progress(&r), 1);
	make_dgram(0x1235, true);
	assert_int_equal(add(0, 552, true, 103, &w, &wl), XLAT_REASM_PASS);
	assert_int_equal(xlat_reasm_in_progress(&r), 0);
}

static void out_of_order_after_first(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	make_dgram(7, false);
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(1600, DGRAM - 1600, false, 0, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(800, 800, true, 0, &w, &wl), XLAT_REASM_WHOLE);
	assert_whole_is_dgram(w, wl);
}

static void checksummed_and_unknown_pass(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	make_dgram(9, true);
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_PASS);
	assert_int_equal(add(800, DGRAM - 800, false, 0, &w, &wl), XLAT_REASM_PASS);
	/* a later fragment that no slot waits for is translated on its own */
	make_dgram(10, false);
	assert_int_equal(add(800, DGRAM - 800, false, 0, &w, &wl), XLAT_REASM_PASS);
	/* an unfragmented datagram */
	assert_int_equal(xlat_reasm_add(&r, dgram, sizeof(dgram), 0, &w, &wl, &st), XLAT_REASM_PASS);
	assert_int_equal(xlat_reasm_in_progress(&r), 0);
	assert_int_equal(st.reasm_fragments, 0);
}

static void overlap_drops_the_datagram(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	make_dgram(11, false);
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(792, 8, true, 0, &w, &wl), XLAT_REASM_DROP);
	assert_int_equal(r.why, XLAT_DROP_REASM_BAD);
	assert_int_equal(st.drops[XLAT_DROP_REASM_BAD], 2); /* the one held, and this one */
	assert_int_equal(xlat_reasm_in_progress(&r), 0);
	/* a fragment after the drop finds no slot and passes */
	assert_int_equal(add(800, DGRAM - 800, false, 0, &w, &wl), XLAT_REASM_PASS);
}

static void inconsistent_lengths_dropped(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	make_dgram(12, false);
	/* a middle fragment of a length that is not a multiple of 8 */
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(800, 12, true, 0, &w, &wl), XLAT_REASM_DROP);
	/* a last fragment ending before bytes already received */
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(400, 8, false, 0, &w, &wl), XLAT_REASM_DROP);
	/* a second last fragment */
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(1600, DGRAM - 1600, false, 0, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(1600, DGRAM - 1600, false, 0, &w, &wl), XLAT_REASM_DROP);
	assert_int_equal(st.drops[XLAT_DROP_REASM_BAD], 7);
	assert_int_equal(st.reasm_datagrams, 0);
}

static void too_many_fragments(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	make_dgram(13, false);
	enum xlat_reasm_verdict v = XLAT_REASM_HELD;
	unsigned k;
	for (k = 0; k < XLAT_REASM_MAX_FRAGS + 1 && v == XLAT_REASM_HELD; k++)
		v = add(k * 8, 8, true, 0, &w, &wl);
	assert_int_equal(v, XLAT_REASM_DROP);
	assert_int_equal(k, XLAT_REASM_MAX_FRAGS + 1);
	assert_int_equal(st.drops[XLAT_DROP_REASM_BAD], XLAT_REASM_MAX_FRAGS + 1);
}

static void timed_out(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	make_dgram(14, false);
	assert_int_equal(add(0, 800, true, 1000, &w, &wl), XLAT_REASM_HELD);
	xlat_reasm_expire(&r, 1000 + TIMEOUT - 1, &st);
	assert_int_equal(xlat_reasm_in_progress(&r), 1);
	xlat_reasm_expire(&r, 1000 + TIMEOUT, &st);
	assert_int_equal(xlat_reasm_in_progress(&r), 0);
	assert_int_equal(st.drops[XLAT_DROP_REASM_TIMEOUT], 1);
	/* one that comes too late, before any expiry ran, is counted with those held */
	make_dgram(15, false);
	assert_int_equal(add(0, 800, true, 20000, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(add(800, DGRAM - 800, false, 20000 + TIMEOUT, &w, &wl), XLAT_REASM_DROP);
	assert_int_equal(st.drops[XLAT_DROP_REASM_TIMEOUT], 3);
}

static void full(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	for (uint16_t id = 20; id < 20 + NSLOTS; id++) {
		make_dgram(id, false);
		assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_HELD);
	}
	make_dgram(99, false);
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_DROP);
	assert_int_equal(r.why, XLAT_DROP_REASM_FULL);
	assert_int_equal(st.drops[XLAT_DROP_REASM_FULL], 1);
	/* an expired slot makes room for the next first fragment */
	assert_int_equal(add(0, 800, true, TIMEOUT, &w, &wl), XLAT_REASM_HELD);
	assert_int_equal(st.drops[XLAT_DROP_REASM_TIMEOUT], NSLOTS);
}

static void off_passes_everything(void **state)
{
	const uint8_t *w = NULL;
	size_t wl = 0;
	xlat_reasm_init(&r, NULL, 0, TIMEOUT);
	make_dgram(30, false);
	assert_int_equal(add(0, 800, true, 0, &w, &wl), XLAT_REASM_PASS);
}

/* A stateless translator with pool6 64:ff9b::/96 that amends zero checksums. */
static void siit_setup(struct xlat_siit_map *map, struct xlat_config *cfg, struct xlat_ctx *ctx)
{
	struct xlat_prefix6 pool6;
	memset(map, 0, sizeof(*map));
	assert_true(t_parse_prefix6("64:ff9b::/96", &pool6));
	xlat_siit_map_set_pool6(map, &pool6);
	xlat_config_init(cfg);
	cfg->policy = xlat_siit_policy(map);
	cfg->amend_udp_zero_csum = true;
	xlat_ctx_init(ctx, cfg);
}

/* The whole path: fragments in, IPv6 fragments out whose reassembled UDP checksum is right. */
static void translated_with_a_checksum(void **state)
{
	struct xlat_siit_map map;
	struct xlat_config cfg;
	struct xlat_ctx ctx;
	static struct xlat_out out;
	siit_setup(&map, &cfg, &ctx);

	make_dgram(0x4242, false);
	uint8_t f[2048];
	size_t n = frag(f, 0, 1480, true);
	xlat_translate_reasm(&ctx, &r, f, n, 0, &out);
	assert_int_equal(out.action, XLAT_HELD);
	n = frag(f, 1480, DGRAM - 1480, false);
	xlat_translate_reasm(&ctx, &r, f, n, 1, &out);
	assert_int_equal(out.action, XLAT_FORWARD);
	assert_int_equal(ctx.stats.udp_csum_computed, 1);
	assert_true(out.npkts >= 2); /* 1628 bytes do not fit 1280 */

	/* put the IPv6 fragments back together */
	static uint8_t pkt[2048], l4[4096];
	size_t total = 0;
	uint8_t ip6[40];
	for (unsigned i = 0; i < out.npkts; i++) {
		size_t len = xlat_pkt_flatten(&out.pkt[i], pkt, sizeof(pkt));
		assert_true(len > 48 && len <= 1280);
		assert_int_equal(pkt[6], T_PROTO_FRAG);
		assert_int_equal(pkt[40], T_PROTO_UDP);
		unsigned off = (unsigned)(pkt[42] << 8 | pkt[43]) & ~7u;
		assert_int_equal(pkt[44] << 24 | pkt[45] << 16 | pkt[46] << 8 | pkt[47], 0x4242);
		memcpy(l4 + off, pkt + 48, len - 48);
		if (off + len - 48 > total)
			total = off + len - 48;
		if (i == 0)
			memcpy(ip6, pkt, 40);
	}
	assert_int_equal(total, DGRAM);
	assert_memory_equal(l4 + 8, dgram + 28, DGRAM - 8);
	assert_int_not_equal(l4[6] << 8 | l4[7], 0);
	assert_int_equal(t_naive_sum(l4, DGRAM, t_pseudo6(ip6, T_PROTO_UDP, DGRAM)), 0xffff);
}

/* Without reassembly, the core refuses the zero-checksum first fragment (RFC 7915 section 4.5). */
static void without_reassembly_refused(void **state)
{
	struct xlat_siit_map map;
	struct xlat_config cfg;
	struct xlat_ctx ctx;
	static struct xlat_out out;
	siit_setup(&map, &cfg, &ctx);
	make_dgram(0x4243, false);
	uint8_t f[2048];
	size_t n = frag(f, 0, 1480, true);
	xlat_translate_reasm(&ctx, NULL, f, n, 0, &out);
	assert_int_not_equal(out.action, XLAT_FORWARD);
	assert_int_equal(ctx.stats.drops[XLAT_DROP_UDP_ZERO_CSUM_FRAG], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(in_order_made_whole, setup, teardown),
		cmocka_unit_test_setup_teardown(out_of_order_after_first, setup, teardown),
		cmocka_unit_test_setup_teardown(checksummed_and_unknown_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(overlap_drops_the_datagram, setup, teardown),
		cmocka_unit_test_setup_teardown(inconsistent_lengths_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(too_many_fragments, setup, teardown),
		cmocka_unit_test_setup_teardown(timed_out, setup, teardown),
		cmocka_unit_test_setup_teardown(full, setup, teardown),
		cmocka_unit_test_setup_teardown(off_passes_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(translated_with_a_checksum, setup, teardown),
		cmocka_unit_test_setup_teardown(without_reassembly_refused, setup, teardown),
	};
	return cmocka_run_group_tests_name("reasm", tests, NULL, NULL);
}
