/* libFuzzer target: the stateful NAT64 (lib/nat64) behind lib/xlat, fed a sequence of packets both
 * ways with a fake clock. Every output is re-parsed and checked by fuzz/check_packet.h, and after
 * every step the tables must agree with the statistics.
 *
 * Input: byte 0 chooses the configuration (bit 0 address-dependent filtering, bit 1 port blocks of
 * 16, bit 2 /128 subscribers, bit 3 the well-known prefix 64:ff9b::/96, bit 4 a tiny port range
 * (1024-1039, so the pool runs out), bit 5 per-subscriber limits, bit 6 a static BIB entry, bit 7
 * two instances). Then records, each an opcode byte (low 3 bits: what; high 5 bits: milliseconds x 64
 * to advance the clock) and its operands:
 *   0 c s s d p p f  an IPv6 packet from client c, port s, to server d, port p, f: bits 0-1 protocol
 *                    (TCP, UDP, echo), 2-7 TCP flags (FIN SYN RST PSH ACK URG) / fragment kind
 *   1 k f            the IPv4 answer to the k-th recent IPv6-to-IPv4 output, with TCP flags f
 *   2 a p p d s s f  an IPv4 packet from server d, port s, to pool address a, port p
 *   3 k t            an ICMPv4 error of type/code choice t quoting the k-th recent 6to4 output
 *   4 k t            an ICMPv6 error quoting the k-th recent 4to6 output
 *   5 n bytes        a raw IPv6 packet (checksums fixed)
 *   6 n bytes        a raw IPv4 packet (checksums fixed)
 *   7 x              x < 8: expire with a budget of x * 4; 8..15: flush one protocol or all;
 *                    16..19: reconfigure (timeouts, filtering); otherwise advance x seconds
 * Ports and identifiers that the NAT64 rewrites are masked for the byte comparison of the checker by
 * copying the translated values back into the input (with an incremental checksum update), so every
 * other check of check_packet.h applies unchanged. */
#include <stddef.h>
#include <stdint.h>

#include "check_packet.h"
#include "nat64/nat64.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECENT 8

struct fz {
	struct nat64_config ncfg;
	struct nat64 *nat;
	struct xlat_config cfg;
	struct xlat_ctx ctx;
	struct xlat_out out;
	struct chk_setup su;
	uint64_t now;
	uint8_t recent4[RECENT][128]; /* IPv4 packets the NAT64 sent (6to4 outputs), their first bytes */
	size_t recent4_len[RECENT];
	unsigned n4;
	uint8_t recent6[RECENT][128];
	size_t recent6_len[RECENT];
	unsigned n6;
};

static struct fz F;

static const uint8_t pool6_doc[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x64 };
static const uint8_t pool6_wkp[16] = { 0x00, 0x64, 0xff, 0x9b };

static void setup(uint8_t c)
{
	struct nat64_config *n = &F.ncfg;
	nat64_config_init(n);
	memcpy(n->pool6.addr, c & 0x08 ? pool6_wkp : pool6_doc, 16);
	n->pool6.len = 96;
	n->npool4 = 1;
	memcpy(n->pool4[0].prefix.addr, (const uint8_t[4]){ 198, 51, 100, 0 }, 4);
	n->pool4[0].prefix.len = 30;
	n->pool4[0].port_min = 1024;
	n->pool4[0].port_max = c & 0x10 ? 1039 : 65535;
	n->address_dependent_filtering = c & 0x01;
	n->port_block_size = c & 0x02 ? 16 : 0;
	n->subscriber_len = c & 0x04 ? 128 : 64;
	if (c & 0x20) {
		n->max_sessions_per_subscriber = 6;
		n->max_ports_per_subscriber = 4;
	}
	if (c & 0x40) {
		n->nstatic = 1;
		n->statics[0].proto = NAT64_TCP;
		memcpy(n->statics[0].v6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0, 1, [15] = 0x80 }, 16);
		n->statics[0].port6 = 80;
		memcpy(n->statics[0].v4, (const uint8_t[4]){ 198, 51, 100, 1 }, 4);
		n->statics[0].port4 = 1030;
	}
	if (c & 0x80) {
		n->ninstances = 2;
		n->instance = 1;
	}
	n->max_sessions = 64;
	n->max_stored_syns = 8; /* small, so that the bounds are reached */
	n->max_stored_syns_per_source = 3;
	const char *why = NULL;
	F.nat = nat64_create(n, 7, &why);
	if (!F.nat)
		chk_fail("nat64_create: %s", why ? why : "?");
	F.now = 1000;
	nat64_set_now(F.nat, F.now);
	xlat_config_init(&F.cfg);
	F.cfg.policy = nat64_policy(F.nat);
	F.cfg.has_self4 = F.cfg.has_self6 = true;
	memcpy(F.cfg.self4, (const uint8_t[4]){ 198, 51, 100, 1 }, 4);
	memcpy(F.cfg.self6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 1 }, 16);
	F.cfg.has_rfc6791v6 = true;
	memcpy(F.cfg.rfc6791v6, (const uint8_t[16]){ 0x20, 0x01, 0x0d, 0xb8, 0xff, 0xff, [15] = 2 }, 16);
	xlat_ctx_init(&F.ctx, &F.cfg);
	F.su.cfg = &F.cfg;
	F.su.may_hairpin = true;
	F.n4 = F.n6 = 0;
}

/* ---- masking the rewritten identifiers ----------------------------------------------------------- */

/* RFC 1624: checksum after 16-bit word old becomes new. */
static unsigned csum_update(unsigned c, unsigned old, unsigned nw)
{
	uint32_t s = (~c & 0xffff) + (~old & 0xffff) + nw;
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

static void patch16(uint8_t *l4, size_t at, unsigned nw, size_t coff, bool udp)
{
	unsigned old = chk_be16(l4 + at);
	if (old == nw)
		return;
	chk_put16(l4 + at, nw);
	unsigned c = chk_be16(l4 + coff);
	if (udp && c == 0)
		return; /* no checksum */
	c = csum_update(c, old, nw);
	if (udp && c == 0)
		c = 0xffff;
	chk_put16(l4 + coff, c);
}

/* Copies the output's ports (or echo identifier) into the input, so the checker sees them unchanged. */
static void mask_ports(int family, uint8_t *pkt, size_t n)
{
	if (F.out.action != XLAT_FORWARD || F.out.npkts == 0)
		return;
	struct chk_info iv = chk_parse(family, pkt, n);
	if (!iv.ok || !iv.first || iv.icmp_error)
		return;
	static uint8_t flat[CHK_PKT_MAX];
	size_t m = xlat_pkt_flatten(&F.out.pkt[0], flat, sizeof(flat));
	struct chk_info ov = chk_parse(F.out.pkt[0].family, flat, m);
	if (!ov.ok || !ov.first)
		return;
	uint8_t *l4 = pkt + (iv.l4 - pkt);
	if ((iv.proto == CHK_TCP && iv.l4_len >= 18 && ov.l4_len >= 4) ||
	    (iv.proto == CHK_UDP && iv.l4_len >= 8 && ov.l4_len >= 4)) {
		size_t coff = iv.proto == CHK_TCP ? 16 : 6;
		patch16(l4, 0, chk_be16(ov.l4), coff, iv.proto == CHK_UDP);
		patch16(l4, 2, chk_be16(ov.l4 + 2), coff, iv.proto == CHK_UDP);
	} else if ((iv.proto == CHK_ICMP || iv.proto == CHK_ICMPV6) && iv.l4_len >= 8 && ov.l4_len >= 8) {
		patch16(l4, 4, chk_be16(ov.l4 + 4), 2, false);
	}
}

/* ---- invariants ---------------------------------------------------------------------------------- */

struct walk {
	uint64_t n[NAT64_NPROTO];
	uint64_t now, max_timeout;
};

static bool walk_cb(void *arg, const struct nat64_session_info *s)
{
	struct walk *w = arg;
	if ((unsigned)s->proto >= NAT64_NPROTO)
		chk_fail("session of protocol %d", (int)s->proto);
	w->n[s->proto]++;
	if (s->v4[0] != 198 || s->v4[1] != 51 || s->v4[2] != 100 || s->v4[3] > 3)
		chk_fail("session bound outside pool4");
	if (!s->is_static && (s->port4 < F.ncfg.pool4[0].port_min || s->port4 > F.ncfg.pool4[0].port_max))
		chk_fail("session port %u outside pool4's range", s->port4);
	if (s->proto != NAT64_ICMP && !s->port4)
		chk_fail("port 0 allocated");
	if (s->proto == NAT64_TCP && (unsigned)s->tcp_state > NAT64_TCP_TRANS)
		chk_fail("TCP state %d", (int)s->tcp_state);
	if (s->expires_ms > w->now + w->max_timeout)
		chk_fail("session expires beyond its timeout");
	if (F.ncfg.ninstances > 1 && !s->is_static && nat64_instance_of_port(&F.ncfg, s->port4) != F.ncfg.instance)
		chk_fail("port %u of another instance", s->port4);
	return true;
}

static void check_tables(void)
{
	struct nat64_stats st;
	nat64_get_stats(F.nat, &st);
	struct walk w = { .now = F.now, .max_timeout = 7440000 };
	nat64_sessions_foreach(F.nat, walk_cb, &w);
	uint64_t live = 0, bibs = 0;
	for (int p = 0; p < NAT64_NPROTO; p++) {
		if (w.n[p] != st.sessions[p])
			chk_fail("%s: %llu sessions in the table, %llu in the stats", nat64_proto_name((enum nat64_proto)p),
				 (unsigned long long)w.n[p], (unsigned long long)st.sessions[p]);
		live += st.sessions[p];
		bibs += st.bibs[p];
		if (st.bibs[p] > 64 + NAT64_STATIC_MAX)
			chk_fail("bib count %llu", (unsigned long long)st.bibs[p]);
	}
	if (live > F.ncfg.max_sessions)
		chk_fail("%llu sessions, max %u", (unsigned long long)live, F.ncfg.max_sessions);
	if (st.sessions_created - st.sessions_expired - st.sessions_flushed != live)
		chk_fail("created %llu - expired %llu - flushed %llu != live %llu", (unsigned long long)st.sessions_created,
			 (unsigned long long)st.sessions_expired, (unsigned long long)st.sessions_flushed,
			 (unsigned long long)live);
	if (st.syn4_kept_now > F.ncfg.max_stored_syns ||
	    st.syn4_kept_now + st.syn4_simultaneous_opens + st.syn4_unreachable > st.syn4_kept)
		chk_fail("kept SYNs: %llu now, %llu kept, %llu opens, %llu errors", (unsigned long long)st.syn4_kept_now,
			 (unsigned long long)st.syn4_kept, (unsigned long long)st.syn4_simultaneous_opens,
			 (unsigned long long)st.syn4_unreachable);
	if (st.ports_in_use != bibs)
		chk_fail("ports in use %llu, bindings %llu", (unsigned long long)st.ports_in_use, (unsigned long long)bibs);
	if (st.subscribers > bibs)
		chk_fail("%llu subscribers for %llu bindings", (unsigned long long)st.subscribers, (unsigned long long)bibs);
	/* The figure counts a session, its binding, its subscriber and their share of the hash buckets:
	 * never more than what was allocated per session of capacity. (Issue 4's 512-byte target is for
	 * real capacities; a 64-session table still carries the static bindings' reserve and its buckets.) */
	if (!st.bytes_per_session || (uint64_t)st.bytes_per_session * F.ncfg.max_sessions > st.memory_bytes ||
	    (F.ncfg.max_sessions >= 65536 && st.bytes_per_session > 512))
		chk_fail("bytes per session %zu, memory %zu for %u sessions", st.bytes_per_session, st.memory_bytes,
			 F.ncfg.max_sessions);
	struct nat64_subscriber_usage top[4];
	unsigned nt = nat64_top_subscribers(F.nat, top, 4);
	for (unsigned i = 1; i < nt; i++)
		if (top[i].sessions > top[i - 1].sessions)
			chk_fail("top subscribers out of order");
	if (F.ncfg.max_sessions_per_subscriber)
		for (unsigned i = 0; i < nt; i++)
			if (top[i].sessions > F.ncfg.max_sessions_per_subscriber)
				chk_fail("subscriber over its session limit");
}

/* ---- packets ------------------------------------------------------------------------------------- */

static void translate(int family, const uint8_t *bytes, size_t n)
{
	uint8_t *pkt = malloc(n ? n : 1); /* exact size: ASan sees any read past it */
	if (!pkt)
		return;
	memcpy(pkt, bytes, n);
	struct xlat_stats before = F.ctx.stats;
	F.out.action = (enum xlat_action)99;
	if (family == 4)
		xlat_4to6(&F.ctx, pkt, n, &F.out);
	else
		xlat_6to4(&F.ctx, pkt, n, &F.out);
	if (F.out.action == XLAT_DROP && F.out.reason == XLAT_DROP_NAT64_SYN4_KEPT)
		nat64_syn4_keep(F.nat, pkt, n); /* as the PLAT does */
	if (F.out.action == XLAT_FORWARD && F.out.npkts) {
		/* remember what went out, for answers and errors */
		static uint8_t tmp[CHK_PKT_MAX];
		const struct xlat_pkt *p = &F.out.pkt[0];
		size_t m = xlat_pkt_flatten(p, tmp, sizeof(tmp));
		if (m > 128)
			m = 128;
		if (p->family == 4) {
			unsigned k = F.n4++ % RECENT;
			F.recent4_len[k] = m;
			memcpy(F.recent4[k], tmp, m);
		} else {
			unsigned k = F.n6++ % RECENT;
			F.recent6_len[k] = m;
			memcpy(F.recent6[k], tmp, m);
		}
	}
	mask_ports(family, pkt, n);
	if (setjmp(chk_jmp) == 0)
		chk_output(&F.su, family, pkt, n, &F.ctx, &before, &F.out);
	free(pkt);
}

static void client_addr(uint8_t c, uint8_t a[16])
{
	static const uint8_t base[16] = { 0x20, 0x01, 0x0d, 0xb8, 0, 1 };
	memcpy(a, base, 16);
	a[5] = (uint8_t)(1 + (c >> 6));  /* 2001:db8:1::/64 .. 2001:db8:4::/64 */
	a[15] = (uint8_t)(c & 0x0f);
	if (c & 0x30)
		a[15] = 0x80; /* the static entry's host */
}

static void server_v4(uint8_t d, uint8_t a[4])
{
	static const uint8_t list[8][4] = {
		{ 203, 0, 113, 5 }, { 203, 0, 113, 6 }, { 8, 8, 8, 8 }, { 198, 51, 100, 0 },
		{ 198, 51, 100, 1 }, { 10, 1, 2, 3 }, { 192, 0, 2, 1 }, { 203, 0, 113, 7 },
	};
	memcpy(a, list[d & 7], 4);
}

static size_t build_l4(uint8_t *l4, unsigned proto, bool v6, uint16_t sport, uint16_t dport, uint8_t flags)
{
	size_t n;
	if (proto == 0) { /* TCP */
		n = 24;
		memset(l4, 0, n);
		chk_put16(l4, sport);
		chk_put16(l4 + 2, dport);
		l4[12] = 5 << 4;
		l4[13] = flags & 0x3f;
	} else if (proto == 1) { /* UDP */
		n = 12;
		memset(l4, 0, n);
		chk_put16(l4, sport);
		chk_put16(l4 + 2, dport);
		chk_put16(l4 + 4, (unsigned)n);
		chk_put16(l4 + 6, 1);
	} else {
		n = 12;
		memset(l4, 0, n);
		l4[0] = v6 ? (flags & 1 ? 129 : 128) : (flags & 1 ? 0 : 8);
		chk_put16(l4 + 4, sport);
	}
	memcpy(l4 + n - 4, "fz64", 4);
	return n;
}

static const uint8_t ipproto[3] = { CHK_TCP, CHK_UDP, CHK_ICMP };

static void send6(const uint8_t *a)
{
	uint8_t p[128];
	unsigned proto = a[7] & 3;
	if (proto == 3)
		proto = 1;
	memset(p, 0, 40);
	p[0] = 0x60;
	p[7] = 64;
	client_addr(a[0], p + 8);
	uint8_t d4[4];
	server_v4(a[3], d4);
	memcpy(p + 24, F.ncfg.pool6.addr, 12);
	memcpy(p + 36, d4, 4);
	uint8_t next = proto == 2 ? CHK_ICMPV6 : ipproto[proto];
	uint8_t flags = (uint8_t)(a[7] >> 2);
	size_t off = 40;
	bool frag = proto != 2 && (a[7] & 0xc0) == 0xc0 && (a[3] & 0x08);
	if (frag) {
		/* a fragment: first (offset 0, MF) or a later one (offset 8), identification from the port */
		bool first = a[4] & 1;
		p[6] = CHK_FRAGMENT;
		p[40] = next;
		chk_put16(p + 42, first ? 1 : 8);
		chk_put16(p + 46, (unsigned)a[1]);
		off = 48;
		if (!first) {
			memcpy(p + off, "later fragment!!", 16);
			chk_put16(p + 4, (unsigned)(off - 40 + 16));
			translate(6, p, off + 16);
			return;
		}
	} else {
		p[6] = next;
	}
	size_t n = build_l4(p + off, proto, true, (uint16_t)(a[1] << 8 | a[2]), (uint16_t)(a[4] << 8 | a[5]), flags);
	chk_put16(p + 4, (unsigned)(off - 40 + n));
	if (!frag)
		chk_fix_checksums(6, p, off + n, false, true);
	translate(6, p, off + n);
}

static void send4(const uint8_t *a)
{
	uint8_t p[128];
	unsigned proto = a[6] & 3;
	if (proto == 3)
		proto = 1;
	memset(p, 0, 20);
	p[0] = 0x45;
	p[8] = 64;
	p[9] = ipproto[proto];
	server_v4(a[3], p + 12);
	memcpy(p + 16, (const uint8_t[4]){ 198, 51, 100, (uint8_t)(a[0] & 3) }, 4);
	size_t n = build_l4(p + 20, proto, false, (uint16_t)(a[4] << 8 | a[5]), (uint16_t)(a[1] << 8 | a[2]),
			    (uint8_t)(a[6] >> 2));
	chk_put16(p + 2, (unsigned)(20 + n));
	chk_fix_checksums(4, p, 20 + n, true, true);
	translate(4, p, 20 + n);
}

/* The IPv4 server's answer to a recent 6to4 output: addresses and ports swapped. */
static void answer4(uint8_t k, uint8_t flags)
{
	if (!F.n4)
		return;
	unsigned i = (F.n4 - 1 - k % (F.n4 < RECENT ? F.n4 : RECENT)) % RECENT;
	uint8_t p[128];
	size_t n = F.recent4_len[i];
	if (n < 28)
		return;
	memcpy(p, F.recent4[i], n);
	size_t ihl = (size_t)(p[0] & 0xf) * 4;
	if (ihl != 20 || (chk_be16(p + 6) & 0x3fff))
		return; /* options or a fragment: not worth answering */
	uint8_t t[4];
	memcpy(t, p + 12, 4);
	memcpy(p + 12, p + 16, 4);
	memcpy(p + 16, t, 4);
	uint8_t *l4 = p + 20;
	if (p[9] == CHK_TCP || p[9] == CHK_UDP) {
		unsigned s = chk_be16(l4);
		chk_put16(l4, chk_be16(l4 + 2));
		chk_put16(l4 + 2, s);
		if (p[9] == CHK_TCP && n >= 34)
			l4[13] = flags & 0x3f;
	} else if (p[9] == CHK_ICMP) {
		l4[0] = l4[0] == 8 ? 0 : 8;
	}
	chk_put16(p + 2, (unsigned)n);
	chk_fix_checksums(4, p, n, true, true);
	translate(4, p, n);
}

static void error4(uint8_t k, uint8_t t)
{
	if (!F.n4)
		return;
	unsigned i = (F.n4 - 1 - k % (F.n4 < RECENT ? F.n4 : RECENT)) % RECENT;
	static const uint8_t tc[8][2] = { { 3, 3 }, { 3, 1 }, { 3, 4 }, { 11, 0 }, { 3, 13 }, { 12, 0 }, { 3, 0 }, { 3, 2 } };
	uint8_t p[192];
	size_t q = F.recent4_len[i];
	memset(p, 0, 28);
	p[0] = 0x45;
	p[8] = 64;
	p[9] = CHK_ICMP;
	/* from the quoted packet's destination (the server) or a router */
	if (t & 8)
		memcpy(p + 12, (const uint8_t[4]){ 10, 9, 9, 9 }, 4);
	else
		memcpy(p + 12, F.recent4[i] + 16, 4);
	memcpy(p + 16, F.recent4[i] + 12, 4);
	p[20] = tc[t & 7][0];
	p[21] = tc[t & 7][1];
	if (p[20] == 3 && p[21] == 4)
		chk_put16(p + 26, 1400);
	memcpy(p + 28, F.recent4[i], q);
	chk_put16(p + 2, (unsigned)(28 + q));
	chk_fix_checksums(4, p, 28 + q, true, true);
	translate(4, p, 28 + q);
}

static void error6(uint8_t k, uint8_t t)
{
	if (!F.n6)
		return;
	unsigned i = (F.n6 - 1 - k % (F.n6 < RECENT ? F.n6 : RECENT)) % RECENT;
	static const uint8_t tc[4][2] = { { 1, 4 }, { 1, 0 }, { 3, 0 }, { 2, 0 } };
	uint8_t p[192];
	size_t q = F.recent6_len[i];
	memset(p, 0, 48);
	p[0] = 0x60;
	p[6] = CHK_ICMPV6;
	p[7] = 64;
	memcpy(p + 8, F.recent6[i] + 24, 16); /* the client answers */
	memcpy(p + 24, F.recent6[i] + 8, 16);
	p[40] = tc[t & 3][0];
	p[41] = tc[t & 3][1];
	if (p[40] == 2)
		chk_put16(p + 46, 1280);
	memcpy(p + 48, F.recent6[i], q);
	chk_put16(p + 4, (unsigned)(8 + q));
	chk_fix_checksums(6, p, 48 + q, false, true);
	translate(6, p, 48 + q);
}

/* RFC 6146 section 3.5.2.2: the kept SYNs whose time ran out, answered as the PLAT answers them. The
 * answer is a well-formed ICMPv4 Port Unreachable of at most 576 bytes quoting the kept bytes. */
static void syn4_answers(void)
{
	static struct nat64_syn4_due due;
	static struct xlat_out eo;
	static uint8_t flat[CHK_PKT_MAX];
	while (nat64_syn4_due(F.nat, F.now, &due)) {
		if (due.len > NAT64_SYN4_BYTES)
			chk_fail("kept SYN of %zu bytes", due.len);
		if (!xlat_icmp4_error(&F.ctx, due.pkt, due.len, due.src4, 3, 3, &eo))
			continue;
		size_t m = xlat_pkt_flatten(&eo.pkt[0], flat, sizeof(flat));
		if (eo.npkts != 1 || m < 28 + 20 || m > 576 || flat[0] != 0x45 || flat[9] != 1 || flat[20] != 3 ||
		    flat[21] != 3 || memcmp(flat + 12, due.src4, 4) != 0 || memcmp(flat + 28, due.pkt, m - 28) != 0)
			chk_fail("port unreachable for a kept SYN malformed (%zu bytes)", m);
	}
}

static void control(uint8_t x)
{
	if (x < 8) {
		nat64_expire(F.nat, F.now, x * 4u);
	} else if (x < 12) {
		nat64_flush(F.nat, (enum nat64_proto)(x - 8));
	} else if (x < 20) {
		struct nat64_config c = F.ncfg;
		c.timeout_udp = x & 1 ? 30 : 300;
		c.timeout_tcp_trans = x & 2 ? 10 : 240;
		c.address_dependent_filtering = x & 4;
		if (x >= 16)
			c.pool4[0].prefix.len = 31; /* shrink the pool: bindings outside go */
		const char *why = NULL;
		if (nat64_reconfigure(F.nat, &c, &why) != 0)
			chk_fail("reconfigure refused: %s", why ? why : "?");
		F.ncfg = c;
	} else {
		F.now += (uint64_t)x * 1000;
		nat64_expire(F.nat, F.now, 1u << 20);
		syn4_answers();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	setup(data[0]);
	size_t at = 1;
	unsigned steps = 0;
	while (at < size && steps++ < 256) {
		uint8_t op = data[at++];
		F.now += (uint64_t)(op >> 3) * 64;
		nat64_set_now(F.nat, F.now);
		size_t need = (size_t[]){ 8, 2, 7, 2, 2, 1, 1, 1 }[op & 7];
		if (size - at < need)
			break;
		const uint8_t *a = data + at;
		at += need;
		switch (op & 7) {
		case 0: send6(a); break;
		case 1: answer4(a[0], a[1]); break;
		case 2: send4(a); break;
		case 3: error4(a[0], a[1]); break;
		case 4: error6(a[0], a[1]); break;
		case 5:
		case 6: {
			size_t n = a[0];
			if (size - at < n)
				n = size - at;
			uint8_t p[256];
			memcpy(p, data + at, n);
			at += n;
			int fam = (op & 7) == 5 ? 6 : 4;
			if (n >= 1)
				p[0] = (uint8_t)((p[0] & 0x0f) | (fam << 4));
			chk_fix_checksums(fam, p, n, true, true);
			translate(fam, p, n);
			break;
		}
		case 7: control(a[0]); break;
		}
		check_tables();
	}
	nat64_destroy(F.nat);
	F.nat = NULL;
	return 0;
}
