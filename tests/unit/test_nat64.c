/* Unit tests of lib/nat64/nat64.c, the stateful NAT64 (RFC 6146, RFC 7857), with a fake clock. Most
 * tests drive real packets through lib/xlat (xlat_6to4 / xlat_4to6 with nat64_policy) and check the
 * packets that come out, checksums included; a few call the policy functions directly.
 * Addresses: pool6 2001:db8:64::/96, pool4 198.51.100.0/30, clients 2001:db8:1::/64 and
 * 2001:db8:2::/64, servers 203.0.113.5 and 203.0.113.6. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "nat64/nat64.h"
#include "testutil.h"

#define SRV1 "2001:db8:64::cb00:7105" /* 203.0.113.5 */
#define SRV2 "2001:db8:64::cb00:7106" /* 203.0.113.6 */
#define T_FIN 0x01
#define T_SYN 0x02
#define T_RST 0x04
#define T_ACK 0x10

static struct xlat_out out;

/* ---- packets -------------------------------------------------------------------------------------- */

static void put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned get16(const uint8_t *p) { return (unsigned)p[0] << 8 | p[1]; }

/* The transport part: TCP (20 bytes + 8), UDP (8 + 8) or an echo request (8 + 8). */
static size_t l4_write(uint8_t *u, uint8_t proto, uint16_t sport, uint16_t dport, uint8_t flags, bool v6)
{
	size_t n;
	if (proto == T_PROTO_TCP) {
		n = 28;
		memset(u, 0, n);
		put16(u, sport);
		put16(u + 2, dport);
		u[12] = 5 << 4;
		u[13] = flags;
		put16(u + 14, 65535);
	} else if (proto == T_PROTO_UDP) {
		n = 16;
		memset(u, 0, n);
		put16(u, sport);
		put16(u + 2, dport);
		put16(u + 4, (unsigned)n);
	} else {
		n = 16;
		memset(u, 0, n);
		u[0] = v6 ? 128 : 8;
		put16(u + 4, sport); /* identifier */
		put16(u + 6, 1);
	}
	memcpy(u + n - 8, "nat64!!!", 8);
	return n;
}

/* RFC 768: a UDP checksum that computes to zero is sent as all ones (zero means "none"). */
static uint16_t udp_csum(uint8_t proto, uint16_t c)
{
	return proto == T_PROTO_UDP && c == 0 ? 0xffff : c;
}

static size_t pkt6(uint8_t *p, uint8_t proto, const char *src, uint16_t sport, const char *dst, uint16_t dport,
		   uint8_t flags)
{
	uint8_t *u = p + 40;
	uint8_t next = proto == T_PROTO_ICMP ? T_PROTO_ICMP6 : proto;
	size_t l4 = l4_write(u, proto, sport, dport, flags, true);
	memset(p, 0, 40);
	p[0] = 0x60;
	put16(p + 4, (unsigned)l4);
	p[6] = next;
	p[7] = 64;
	t_v6(src, p + 8);
	t_v6(dst, p + 24);
	unsigned coff = proto == T_PROTO_TCP ? 16 : proto == T_PROTO_UDP ? 6 : 2;
	put16(u + coff, udp_csum(proto, t_naive_csum(u, l4, t_pseudo6(p, next, l4))));
	return 40 + l4;
}

static size_t pkt4(uint8_t *p, uint8_t proto, const char *src, uint16_t sport, const char *dst, uint16_t dport,
		   uint8_t flags)
{
	uint8_t *u = p + 20;
	size_t l4 = l4_write(u, proto, sport, dport, flags, false);
	memset(p, 0, 20);
	p[0] = 0x45;
	put16(p + 2, (unsigned)(20 + l4));
	p[8] = 64;
	p[9] = proto;
	t_v4(src, p + 12);
	t_v4(dst, p + 16);
	put16(p + 10, t_naive_csum(p, 20, 0));
	unsigned coff = proto == T_PROTO_TCP ? 16 : proto == T_PROTO_UDP ? 6 : 2;
	put16(u + coff, udp_csum(proto, t_naive_csum(u, l4, proto == T_PROTO_ICMP ? 0 : t_pseudo4(p, proto, l4))));
	return 20 + l4;
}

/* What came out, parsed, with its checksum verified. */
struct res {
	enum xlat_action action;
	enum xlat_drop reason;
	int family;
	uint8_t src[16], dst[16];
	unsigned sport, dport; /* ports, or the echo identifier in both */
	uint8_t icmp_type, icmp_code;
	uint8_t flat[2048];
	size_t len;
};

static void parse_out(struct res *r)
{
	r->action = out.action;
	r->reason = out.reason;
	r->family = 0;
	if (out.action == XLAT_DROP)
		return;
	r->len = xlat_pkt_flatten(&out.pkt[0], r->flat, sizeof(r->flat));
	assert_true(r->len >= 28);
	const uint8_t *p = r->flat;
	r->family = p[0] >> 4;
	const uint8_t *u;
	uint8_t proto;
	size_t l4;
	uint64_t ps;
	if (r->family == 6) {
		memcpy(r->src, p + 8, 16);
		memcpy(r->dst, p + 24, 16);
		proto = p[6];
		u = p + 40;
		l4 = r->len - 40;
		ps = t_pseudo6(p, proto, l4);
	} else {
		memset(r->src, 0, 16);
		memset(r->dst, 0, 16);
		memcpy(r->src, p + 12, 4);
		memcpy(r->dst, p + 16, 4);
		proto = p[9];
		u = p + 20;
		l4 = r->len - 20;
		ps = proto == T_PROTO_ICMP ? 0 : t_pseudo4(p, proto, l4);
		assert_int_equal(t_naive_csum(p, 20, 0), 0);
	}
	if (proto == T_PROTO_ICMP || proto == T_PROTO_ICMP6) {
		r->icmp_type = u[0];
		r->icmp_code = u[1];
		r->sport = r->dport = get16(u + 4);
	} else {
		r->sport = get16(u);
		r->dport = get16(u + 2);
	}
	assert_int_equal(t_naive_csum(u, l4, ps), 0); /* the transport checksum verifies */
}

/* ---- the environment ------------------------------------------------------------------------------ */

struct env {
	struct nat64_config cfg;
	struct nat64 *nat;
	struct xlat_config xcfg;
	struct xlat_ctx ctx;
	uint64_t now;
	uint8_t buf[2048];
	unsigned ev[NAT64_EV_QUOTA_EXCEEDED + 1];
	struct nat64_event last;
};

static void on_event(void *arg, const struct nat64_event *ev)
{
	struct env *e = arg;
	e->ev[ev->kind]++;
	e->last = *ev;
}

static void env_cfg(struct env *e)
{
	memset(e, 0, sizeof(*e));
	nat64_config_init(&e->cfg);
	assert_true(t_parse_prefix6("2001:db8:64::/96", &e->cfg.pool6));
	assert_true(t_parse_prefix4("198.51.100.0/30", &e->cfg.pool4[0].prefix));
	e->cfg.pool4[0].port_min = 1024;
	e->cfg.pool4[0].port_max = 65535;
	e->cfg.npool4 = 1;
	e->cfg.max_sessions = 1024;
}

static void env_start(struct env *e)
{
	const char *why = NULL;
	e->nat = nat64_create(&e->cfg, 42, &why);
	if (!e->nat)
		fail_msg("nat64_create: %s", why);
	nat64_set_log(e->nat, on_event, e, NAT64_LOG_BIB | NAT64_LOG_SESSION | NAT64_LOG_BLOCK);
	xlat_config_init(&e->xcfg);
	e->xcfg.policy = nat64_policy(e->nat);
	e->xcfg.has_self6 = true;
	t_v6("2001:db8:64::1", e->xcfg.self6);
	e->xcfg.has_self4 = true;
	t_v4("198.51.100.1", e->xcfg.self4);
	xlat_ctx_init(&e->ctx, &e->xcfg);
	e->now = 1000000;
	nat64_set_now(e->nat, e->now);
}

static void env_init(struct env *e)
{
	env_cfg(e);
	env_start(e);
}

static void env_free(struct env *e) { nat64_destroy(e->nat); }

/* Advances the fake clock by ms and runs the expiry. */
static unsigned tick(struct env *e, uint64_t ms)
{
	e->now += ms;
	nat64_set_now(e->nat, e->now);
	return nat64_expire(e->nat, e->now, 1u << 30);
}

static struct res send6(struct env *e, uint8_t proto, const char *src, uint16_t sport, const char *dst,
			uint16_t dport, uint8_t flags)
{
	struct res r;
	size_t n = pkt6(e->buf, proto, src, sport, dst, dport, flags);
	xlat_6to4(&e->ctx, e->buf, n, &out);
	parse_out(&r);
	return r;
}

static struct res send4(struct env *e, uint8_t proto, const char *src, uint16_t sport, const uint8_t dst[4],
			uint16_t dport, uint8_t flags)
{
	struct res r;
	char d[INET_ADDRSTRLEN];
	inet_ntop(AF_INET, dst, d, sizeof(d));
	size_t n = pkt4(e->buf, proto, src, sport, d, dport, flags);
	xlat_4to6(&e->ctx, e->buf, n, &out);
	parse_out(&r);
	return r;
}

static uint64_t total_sessions(const struct env *e)
{
	struct nat64_stats st;
	nat64_get_stats(e->nat, &st);
	return st.sessions[0] + st.sessions[1] + st.sessions[2];
}

struct find {
	uint8_t remote4[4];
	uint16_t remote_port;
	enum nat64_proto proto;
	bool found;
	struct nat64_session_info info;
};

static bool find_cb(void *arg, const struct nat64_session_info *s)
{
	struct find *f = arg;
	if (s->proto == f->proto && memcmp(s->remote4, f->remote4, 4) == 0 &&
	    (f->proto == NAT64_ICMP || s->remote_port == f->remote_port)) {
		f->found = true;
		f->info = *s;
		return false;
	}
	return true;
}

/* The session with this remote end, or false. */
static bool session_of(const struct env *e, enum nat64_proto proto, const char *remote4, uint16_t rport,
		       struct nat64_session_info *info)
{
	struct find f = { .remote_port = rport, .proto = proto };
	t_v4(remote4, f.remote4);
	nat64_sessions_foreach(e->nat, find_cb, &f);
	if (f.found && info)
		*info = f.info;
	return f.found;
}

static enum nat64_tcp_state tcp_state(const struct env *e, const char *remote4, uint16_t rport)
{
	struct nat64_session_info i;
	if (!session_of(e, NAT64_TCP, remote4, rport, &i))
		return (enum nat64_tcp_state)-1;
	return i.tcp_state;
}

/* ---- UDP, ICMP, EIM ------------------------------------------------------------------------------- */

static void test_udp_round_trip_and_eim(void **state)
{
	struct env e;
	env_init(&e);
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::10", 40001, SRV1, 53, 0);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(r.family, 4);
	assert_int_equal(r.src[0], 198);
	assert_int_equal(r.src[2], 100);
	uint8_t b4[4];
	memcpy(b4, r.src, 4);
	unsigned p4 = r.sport;
	assert_true(p4 >= 1024);
	assert_int_equal(p4 & 1, 1); /* parity kept */
	assert_int_equal(r.dport, 53);
	uint8_t want[4];
	t_v4("203.0.113.5", want);
	assert_memory_equal(r.dst, want, 4);

	/* EIM: the same client port towards another server gets the same binding */
	struct res r2 = send6(&e, T_PROTO_UDP, "2001:db8:1::10", 40001, SRV2, 123, 0);
	assert_int_equal(r2.action, XLAT_FORWARD);
	assert_memory_equal(r2.src, b4, 4);
	assert_int_equal(r2.sport, p4);

	/* The answer comes back to the client, from the server's IPv6 form */
	struct res a = send4(&e, T_PROTO_UDP, "203.0.113.5", 53, b4, (uint16_t)p4, 0);
	assert_int_equal(a.action, XLAT_FORWARD);
	assert_int_equal(a.family, 6);
	uint8_t c6[16], s6[16];
	t_v6("2001:db8:1::10", c6);
	t_v6(SRV1, s6);
	assert_memory_equal(a.dst, c6, 16);
	assert_memory_equal(a.src, s6, 16);
	assert_int_equal(a.dport, 40001);
	assert_int_equal(a.sport, 53);

	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.sessions[NAT64_UDP], 2);
	assert_int_equal(st.bibs[NAT64_UDP], 1);
	assert_int_equal(st.subscribers, 1);
	assert_int_equal(st.ports_in_use, 1);
	assert_true(st.bytes_per_session > 0 && st.bytes_per_session <= 512);
	assert_true(st.memory_bytes >= 1024 * st.bytes_per_session / 2);
	assert_int_equal(e.ev[NAT64_EV_BIB_ADD], 1);
	assert_int_equal(e.ev[NAT64_EV_SESSION_ADD], 2);

	/* No binding for another port: dropped, counted */
	struct res n = send4(&e, T_PROTO_UDP, "203.0.113.5", 53, b4, (uint16_t)(p4 ^ 2), 0);
	assert_int_equal(n.action, XLAT_DROP);
	assert_int_equal(n.reason, XLAT_DROP_NAT64_NO_BINDING);
	assert_int_equal(e.ctx.stats.drops[XLAT_DROP_NAT64_NO_BINDING], 1);
	env_free(&e);
}

static void test_udp_timeout_and_refresh(void **state)
{
	struct env e;
	env_init(&e);
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::10", 5000, SRV1, 53, 0);
	assert_int_equal(r.action, XLAT_FORWARD);
	uint8_t b4[4];
	memcpy(b4, r.src, 4);
	uint16_t p4 = (uint16_t)r.sport;
	assert_int_equal(tick(&e, 299000), 0);
	/* refreshed from the IPv6 side: 300 s again from now */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::10", 5000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(tick(&e, 299000), 0);
	/* refreshed from the IPv4 side too (RFC 6146 section 3.5.1: every packet of the session) */
	assert_int_equal(send4(&e, T_PROTO_UDP, "203.0.113.5", 53, b4, p4, 0).action, XLAT_FORWARD);
	assert_int_equal(tick(&e, 299000), 0);
	assert_int_equal(total_sessions(&e), 1);
	assert_int_equal(tick(&e, 1000), 1);
	assert_int_equal(total_sessions(&e), 0);
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.bibs[NAT64_UDP], 0);
	assert_int_equal(st.subscribers, 0);
	assert_int_equal(st.sessions_expired, 1);
	assert_int_equal(e.ev[NAT64_EV_SESSION_DEL], 1);
	assert_int_equal(e.ev[NAT64_EV_BIB_DEL], 1);
	/* the binding is gone: the server cannot come back */
	assert_int_equal(send4(&e, T_PROTO_UDP, "203.0.113.5", 53, b4, p4, 0).reason, XLAT_DROP_NAT64_NO_BINDING);
	env_free(&e);
}

static void test_icmp_query(void **state)
{
	struct env e;
	env_init(&e);
	struct res r = send6(&e, T_PROTO_ICMP, "2001:db8:1::10", 777, SRV1, 777, 0);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(r.icmp_type, 8);
	unsigned id4 = r.sport;
	uint8_t b4[4];
	memcpy(b4, r.src, 4);
	/* the echo reply */
	size_t n = pkt4(e.buf, T_PROTO_ICMP, "203.0.113.5", (uint16_t)id4, "198.51.100.0", (uint16_t)id4, 0);
	memcpy(e.buf + 16, b4, 4);
	e.buf[20] = 0; /* echo reply */
	e.buf[10] = e.buf[11] = 0;
	put16(e.buf + 10, t_naive_csum(e.buf, 20, 0));
	e.buf[22] = e.buf[23] = 0;
	put16(e.buf + 22, t_naive_csum(e.buf + 20, n - 20, 0));
	xlat_4to6(&e.ctx, e.buf, n, &out);
	struct res a;
	parse_out(&a);
	assert_int_equal(a.action, XLAT_FORWARD);
	assert_int_equal(a.icmp_type, 129);
	assert_int_equal(a.sport, 777);
	/* ICMP timeout 60 s */
	assert_int_equal(tick(&e, 59000), 0);
	assert_int_equal(tick(&e, 1000), 1);
	env_free(&e);
}

/* ---- TCP: RFC 6146 section 3.5.2.2 ------------------------------------------------------------------ */

struct tcpflow {
	uint8_t b4[4];
	uint16_t p4;
};

static void tcp6(struct env *e, struct tcpflow *f, uint8_t flags, enum xlat_action want)
{
	struct res r = send6(e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV1, 80, flags);
	assert_int_equal(r.action, want);
	if (r.action == XLAT_FORWARD) {
		memcpy(f->b4, r.src, 4);
		f->p4 = (uint16_t)r.sport;
	}
}

static void tcp4(struct env *e, const struct tcpflow *f, uint8_t flags, enum xlat_action want)
{
	struct res r = send4(e, T_PROTO_TCP, "203.0.113.5", 80, f->b4, f->p4, flags);
	assert_int_equal(r.action, want);
	if (r.action == XLAT_FORWARD)
		assert_int_equal(r.dport, 40000);
}

#define STATE(e) tcp_state((e), "203.0.113.5", 80)

static void test_tcp_v6_init_to_established_and_idle(void **state)
{
	struct env e;
	struct tcpflow f;
	env_init(&e);
	tcp6(&e, &f, T_SYN, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_V6_INIT);
	struct nat64_session_info i;
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, e.now + 240000); /* TCP_TRANS while V6 INIT */
	tick(&e, 1000);
	tcp6(&e, &f, T_SYN, XLAT_FORWARD); /* a retransmitted SYN restarts the transitory timer */
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, e.now + 240000);
	tcp4(&e, &f, T_SYN | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_ESTABLISHED);
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, e.now + 7440000);
	/* traffic refreshes TCP_EST */
	tick(&e, 7000000);
	tcp6(&e, &f, T_ACK, XLAT_FORWARD);
	assert_int_equal(tick(&e, 7439000), 0);
	assert_int_equal(STATE(&e), NAT64_TCP_ESTABLISHED);
	/* idle for TCP_EST: moved to TRANS, then gone after TCP_TRANS */
	assert_int_equal(tick(&e, 1000), 0);
	assert_int_equal(STATE(&e), NAT64_TCP_TRANS);
	assert_int_equal(tick(&e, 239000), 0);
	assert_int_equal(tick(&e, 1000), 1);
	assert_int_equal(total_sessions(&e), 0);
	env_free(&e);
}

static void test_tcp_v6_init_expires(void **state)
{
	struct env e;
	struct tcpflow f;
	env_init(&e);
	tcp6(&e, &f, T_SYN, XLAT_FORWARD);
	assert_int_equal(tick(&e, 239999), 0);
	assert_int_equal(tick(&e, 1), 1);
	/* without a session only a SYN opens one */
	tcp6(&e, &f, T_ACK, XLAT_DROP);
	assert_int_equal(out.reason, XLAT_DROP_NAT64_NO_SESSION);
	tcp4(&e, &f, T_ACK, XLAT_DROP);
	env_free(&e);
}

static void established(struct env *e, struct tcpflow *f)
{
	tcp6(e, f, T_SYN, XLAT_FORWARD);
	tcp4(e, f, T_SYN | T_ACK, XLAT_FORWARD);
	tcp6(e, f, T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(e), NAT64_TCP_ESTABLISHED);
}

static void test_tcp_fin_v4_first(void **state)
{
	struct env e;
	struct tcpflow f;
	env_init(&e);
	established(&e, &f);
	struct nat64_session_info i;
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	uint64_t exp = i.expires_ms;
	tick(&e, 1000);
	tcp4(&e, &f, T_FIN | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_V4_FIN_RCV);
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, exp); /* the FIN itself leaves the timer */
	tcp4(&e, &f, T_ACK, XLAT_FORWARD);   /* other packets: TCP_EST */
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, e.now + 7440000);
	tcp6(&e, &f, T_FIN | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_V4_FIN_V6_FIN_RCV);
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, e.now + 240000);
	tick(&e, 100000);
	tcp6(&e, &f, T_ACK, XLAT_FORWARD); /* packets do not change the state or the timer */
	assert_int_equal(STATE(&e), NAT64_TCP_V4_FIN_V6_FIN_RCV);
	assert_int_equal(tick(&e, 139999), 0);
	assert_int_equal(tick(&e, 1), 1);
	env_free(&e);
}

static void test_tcp_fin_v6_first(void **state)
{
	struct env e;
	struct tcpflow f;
	env_init(&e);
	established(&e, &f);
	tcp6(&e, &f, T_FIN | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_V6_FIN_RCV);
	tcp6(&e, &f, T_FIN | T_ACK, XLAT_FORWARD); /* the same side again: still V6 FIN RCV */
	assert_int_equal(STATE(&e), NAT64_TCP_V6_FIN_RCV);
	tcp4(&e, &f, T_FIN | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_V4_FIN_V6_FIN_RCV);
	assert_int_equal(tick(&e, 240000), 1);
	env_free(&e);
}

static void test_tcp_half_closed_expires_at_est(void **state)
{
	struct env e;
	struct tcpflow f;
	env_init(&e);
	established(&e, &f);
	tcp4(&e, &f, T_FIN | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_V4_FIN_RCV);
	/* a half-closed session that stays idle for TCP_EST is removed, not moved to TRANS */
	assert_int_equal(tick(&e, 7439999), 0);
	assert_int_equal(tick(&e, 1), 1);
	env_free(&e);
}

static void test_tcp_rst_trans(void **state)
{
	struct env e;
	struct tcpflow f;
	env_init(&e);
	established(&e, &f);
	tcp4(&e, &f, T_RST, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_TRANS);
	struct nat64_session_info i;
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, e.now + 240000);
	tcp6(&e, &f, T_RST, XLAT_FORWARD); /* RST in TRANS: no change */
	assert_int_equal(STATE(&e), NAT64_TCP_TRANS);
	tcp6(&e, &f, T_ACK, XLAT_FORWARD); /* anything else: back to ESTABLISHED */
	assert_int_equal(STATE(&e), NAT64_TCP_ESTABLISHED);
	tcp6(&e, &f, T_RST | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_TRANS);
	assert_int_equal(tick(&e, 240000), 1);
	/* RFC 7857: a RST in a FIN RCV state also gets the transitory timer */
	established(&e, &f);
	tcp6(&e, &f, T_FIN | T_ACK, XLAT_FORWARD);
	tcp4(&e, &f, T_RST, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_TRANS);
	assert_int_equal(tick(&e, 240000), 1);
	env_free(&e);
}

static void test_tcp_v4_init(void **state)
{
	struct env e;
	struct tcpflow f;
	env_init(&e);
	/* a binding from an earlier UDP-less TCP flow of the client to another server */
	struct res r = send6(&e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV2, 443, T_SYN);
	assert_int_equal(r.action, XLAT_FORWARD);
	memcpy(f.b4, r.src, 4);
	f.p4 = (uint16_t)r.sport;
	/* an unsolicited IPv4 SYN from 203.0.113.5 to that binding (EIF): V4 INIT for 6 s */
	tcp4(&e, &f, T_SYN, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_V4_INIT);
	struct nat64_session_info i;
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i));
	assert_int_equal(i.expires_ms, e.now + 6000);
	tcp4(&e, &f, T_SYN, XLAT_FORWARD); /* retransmission: no change */
	assert_int_equal(STATE(&e), NAT64_TCP_V4_INIT);
	assert_int_equal(tick(&e, 5999), 0);
	assert_int_equal(tick(&e, 1), 1);
	assert_int_equal((int)STATE(&e), -1);
	/* again, and this time the IPv6 side answers with its SYN: ESTABLISHED */
	tcp4(&e, &f, T_SYN, XLAT_FORWARD);
	tick(&e, 2000);
	tcp6(&e, &f, T_SYN | T_ACK, XLAT_FORWARD);
	assert_int_equal(STATE(&e), NAT64_TCP_ESTABLISHED);
	assert_int_equal(tick(&e, 10000), 0);
	env_free(&e);
}

/* ---- IPv4 SYNs without a binding (RFC 6146 section 3.5.2.2) -------------------------------------- */

/* Sends an IPv4 TCP segment to dst:dport and, as the PLAT does, hands the NAT64 its bytes when it was
 * kept. Returns the drop reason (NONE when forwarded). */
static enum xlat_drop syn4(struct env *e, const char *src, uint16_t sport, const char *dst, uint16_t dport,
			   uint8_t flags, bool keep)
{
	size_t n = pkt4(e->buf, T_PROTO_TCP, src, sport, dst, dport, flags);
	xlat_4to6(&e->ctx, e->buf, n, &out);
	if (keep && out.action == XLAT_DROP && out.reason == XLAT_DROP_NAT64_SYN4_KEPT)
		nat64_syn4_keep(e->nat, e->buf, n);
	return out.action == XLAT_FORWARD ? XLAT_DROP_NONE : out.reason;
}

static struct nat64_stats stats(const struct env *e)
{
	struct nat64_stats st;
	nat64_get_stats(e->nat, &st);
	return st;
}

static void test_syn4_kept_then_port_unreachable(void **state)
{
	struct env e;
	env_init(&e);
	uint8_t sent[64];
	size_t n = pkt4(sent, T_PROTO_TCP, "203.0.113.5", 80, "198.51.100.2", 5000, T_SYN);
	assert_int_equal(syn4(&e, "203.0.113.5", 80, "198.51.100.2", 5000, T_SYN, true), XLAT_DROP_NAT64_SYN4_KEPT);
	assert_int_equal(stats(&e).syn4_kept_now, 1);
	/* a retransmission is dropped and does not restart the 6 s */
	e.now += 3000;
	assert_int_equal(syn4(&e, "203.0.113.5", 80, "198.51.100.2", 5000, T_SYN, true), XLAT_DROP_NAT64_SYN4_KEPT);
	assert_int_equal(stats(&e).syn4_kept, 1);
	struct nat64_syn4_due due;
	assert_false(nat64_syn4_due(e.nat, e.now + 2999, &due));
	assert_true(nat64_syn4_due(e.nat, e.now + 3000, &due));
	assert_false(nat64_syn4_due(e.nat, e.now + 3000, &due)); /* once */
	uint8_t a4[4];
	t_v4("198.51.100.2", a4);
	assert_memory_equal(due.src4, a4, 4);
	assert_int_equal(due.len, n);
	assert_memory_equal(due.pkt, sent, n);
	/* the Port Unreachable: from the address the SYN was sent to, quoting the SYN whole */
	assert_true(xlat_icmp4_error(&e.ctx, due.pkt, due.len, due.src4, 3, 3, &out));
	struct res r;
	parse_out(&r);
	assert_int_equal(r.family, 4);
	assert_memory_equal(r.src, a4, 4);
	t_v4("203.0.113.5", a4);
	assert_memory_equal(r.dst, a4, 4);
	assert_int_equal(r.icmp_type, 3);
	assert_int_equal(r.icmp_code, 3);
	assert_int_equal(r.len, 28 + n);
	assert_memory_equal(r.flat + 28, sent, n);
	struct nat64_stats st = stats(&e);
	assert_int_equal(st.syn4_kept_now, 0);
	assert_int_equal(st.syn4_unreachable, 1);
	assert_int_equal(st.syn4_simultaneous_opens, 0);
	/* an ICMP error is never answered */
	uint8_t err[128];
	assert_true(r.len <= sizeof(err));
	memcpy(err, r.flat, r.len);
	assert_false(xlat_icmp4_error(&e.ctx, err, r.len, due.src4, 3, 3, &out));
	env_free(&e);
}

static void test_syn4_simultaneous_open(void **state)
{
	struct env e;
	env_init(&e);
	/* the IPv4 peer's SYN reaches 198.51.100.2:5000 before the client's SYN has made a binding */
	assert_int_equal(syn4(&e, "203.0.113.5", 80, "198.51.100.2", 5000, T_SYN, true), XLAT_DROP_NAT64_SYN4_KEPT);
	tick(&e, 1000);
	/* the client's SYN to that peer gets the address and port the peer aimed at */
	struct res r = send6(&e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV1, 80, T_SYN);
	assert_int_equal(r.action, XLAT_FORWARD);
	uint8_t a4[4];
	t_v4("198.51.100.2", a4);
	assert_memory_equal(r.src, a4, 4);
	assert_int_equal(r.sport, 5000);
	struct nat64_stats st = stats(&e);
	assert_int_equal(st.syn4_simultaneous_opens, 1);
	assert_int_equal(st.syn4_kept_now, 0);
	/* the peer's retransmitted SYN now finds the binding: the open completes */
	assert_int_equal(syn4(&e, "203.0.113.5", 80, "198.51.100.2", 5000, T_SYN, true), XLAT_DROP_NONE);
	assert_int_equal(STATE(&e), NAT64_TCP_ESTABLISHED);
	/* and no Port Unreachable ever follows */
	struct nat64_syn4_due due;
	assert_false(nat64_syn4_due(e.nat, e.now + 60000, &due));
	assert_int_equal(stats(&e).syn4_unreachable, 0);
	env_free(&e);
}

static void test_syn4_bounds_and_policy(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.max_stored_syns = 3;
	e.cfg.max_stored_syns_per_source = 2;
	env_start(&e);
	/* per sender: two, then refused */
	assert_int_equal(syn4(&e, "203.0.113.5", 1001, "198.51.100.2", 6001, T_SYN, true), XLAT_DROP_NAT64_SYN4_KEPT);
	assert_int_equal(syn4(&e, "203.0.113.5", 1002, "198.51.100.2", 6002, T_SYN, false), XLAT_DROP_NAT64_SYN4_KEPT);
	assert_int_equal(syn4(&e, "203.0.113.5", 1003, "198.51.100.2", 6003, T_SYN, true), XLAT_DROP_NAT64_SYN4_FULL);
	/* in all: three, then refused */
	assert_int_equal(syn4(&e, "203.0.113.6", 1001, "198.51.100.2", 6004, T_SYN, true), XLAT_DROP_NAT64_SYN4_KEPT);
	assert_int_equal(syn4(&e, "203.0.113.6", 1002, "198.51.100.2", 6005, T_SYN, true), XLAT_DROP_NAT64_SYN4_FULL);
	struct nat64_stats st = stats(&e);
	assert_int_equal(st.syn4_kept_now, 3);
	assert_int_equal(st.syn4_full, 2);
	assert_int_equal(e.ctx.stats.drops[XLAT_DROP_NAT64_SYN4_FULL], 2);
	/* only a pure SYN to a pool port is kept */
	assert_int_equal(syn4(&e, "203.0.113.7", 80, "198.51.100.2", 6006, T_SYN | T_ACK, true), XLAT_DROP_NAT64_NO_BINDING);
	assert_int_equal(syn4(&e, "203.0.113.7", 80, "198.51.100.2", 6006, T_RST, true), XLAT_DROP_NAT64_NO_BINDING);
	assert_int_equal(syn4(&e, "203.0.113.7", 80, "198.51.100.2", 80, T_SYN, true), XLAT_DROP_NAT64_NO_BINDING);
	/* a binding made for 198.51.100.2:6004 meanwhile (a static one here): no error for that SYN */
	struct nat64_static_bib *s = &e.cfg.statics[0];
	s->proto = NAT64_TCP;
	t_v6("2001:db8:1::80", s->v6);
	s->port6 = 80;
	t_v4("198.51.100.2", s->v4);
	s->port4 = 6004;
	e.cfg.nstatic = 1;
	const char *why = NULL;
	assert_int_equal(nat64_reconfigure(e.nat, &e.cfg, &why), 0);
	/* after 6 s: an error for the first (its bytes were kept), none for the second (no bytes) and
	 * the third (bound now) */
	struct nat64_syn4_due due;
	unsigned n = 0;
	while (nat64_syn4_due(e.nat, e.now + 6000, &due))
		n++;
	assert_int_equal(n, 1);
	assert_int_equal(stats(&e).syn4_kept_now, 0);
	/* room again */
	assert_int_equal(syn4(&e, "203.0.113.5", 1003, "198.51.100.2", 6003, T_SYN, true), XLAT_DROP_NAT64_SYN4_KEPT);
	/* max-stored-syns cannot grow while running; drop-externally-initiated-tcp refuses at once */
	e.cfg.max_stored_syns = 4;
	assert_int_equal(nat64_reconfigure(e.nat, &e.cfg, &why), -1);
	assert_non_null(strstr(why, "max-stored-syns"));
	e.cfg.max_stored_syns = 3;
	e.cfg.drop_external_tcp = true;
	assert_int_equal(nat64_reconfigure(e.nat, &e.cfg, &why), 0);
	assert_int_equal(syn4(&e, "203.0.113.8", 80, "198.51.100.2", 6010, T_SYN, true), XLAT_DROP_NAT64_TCP_EXTERNAL);
	assert_int_equal(stats(&e).syn4_kept_now, 1);
	env_free(&e);
}

static void test_syn4_none_kept(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.max_stored_syns = 0;
	env_start(&e);
	assert_int_equal(syn4(&e, "203.0.113.5", 80, "198.51.100.2", 5000, T_SYN, true), XLAT_DROP_NAT64_SYN4_FULL);
	struct nat64_syn4_due due;
	assert_false(nat64_syn4_due(e.nat, e.now + 10000, &due));
	/* a client's SYN still works */
	assert_int_equal(send6(&e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV1, 80, T_SYN).action, XLAT_FORWARD);
	env_free(&e);
}

/* ---- ports -------------------------------------------------------------------------------------- */

static void test_port_parity_and_range(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.pool4[0].port_min = 0;
	env_start(&e);
	uint64_t seed = t_seed("test_port_parity_and_range");
	for (int k = 0; k < 300; k++) {
		uint16_t cp = (uint16_t)(1 + t_rand_below(&seed, 65535));
		char src[64];
		snprintf(src, sizeof(src), "2001:db8:1::%x", (unsigned)(k + 1));
		struct res r = send6(&e, T_PROTO_UDP, src, cp, SRV1, 53, 0);
		assert_int_equal(r.action, XLAT_FORWARD);
		assert_int_equal(r.sport & 1, cp & 1);
		assert_int_equal(r.sport < 1024, cp < 1024);
	}
	/* a pool range above 1023 keeps parity but cannot keep the range */
	struct env e2;
	env_init(&e2);
	struct res r = send6(&e2, T_PROTO_UDP, "2001:db8:1::1", 123, SRV1, 123, 0);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_true(r.sport >= 1024);
	assert_int_equal(r.sport & 1, 1);
	/* the ports are spread, not sequential: 20 bindings of one client use many distinct ports */
	unsigned lowbits = 0;
	for (int k = 0; k < 20; k++) {
		r = send6(&e2, T_PROTO_UDP, "2001:db8:1::1", (uint16_t)(2000 + 2 * k), SRV1, 123, 0);
		lowbits |= 1u << ((r.sport >> 8) & 31);
	}
	assert_true(__builtin_popcount(lowbits) > 4);
	env_free(&e);
	env_free(&e2);
}

static void test_pool_exhausted(void **state)
{
	struct env e;
	env_cfg(&e);
	assert_true(t_parse_prefix4("198.51.100.1/32", &e.cfg.pool4[0].prefix));
	e.cfg.pool4[0].port_min = 2000;
	e.cfg.pool4[0].port_max = 2003;
	env_start(&e);
	for (int k = 0; k < 4; k++)
		assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", (uint16_t)(3000 + k), SRV1, 53, 0).action,
				 XLAT_FORWARD);
	/* RFC 6146 section 3.5.1.1: no port left, ICMPv6 Destination Unreachable, Address Unreachable */
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::1", 4000, SRV1, 53, 0);
	assert_int_equal(r.action, XLAT_REPLY);
	assert_int_equal(r.reason, XLAT_DROP_NAT64_POOL_EXHAUSTED);
	assert_int_equal(r.family, 6);
	assert_int_equal(r.icmp_type, 1);
	assert_int_equal(r.icmp_code, 3);
	/* existing flows keep working, and TCP has its own port space */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 3001, SRV2, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_TCP, "2001:db8:1::1", 4000, SRV1, 80, T_SYN).action, XLAT_FORWARD);
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.ports_total, 4 * 3);
	assert_int_equal(st.ports_in_use, 5);
	/* after expiry the ports come back */
	tick(&e, 300000);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 4000, SRV1, 53, 0).action, XLAT_FORWARD);
	env_free(&e);
}

/* ---- filtering ---------------------------------------------------------------------------------- */

static void test_filtering(void **state)
{
	/* EIF (the default, RFC 7857): any IPv4 peer reaches an existing binding */
	struct env e;
	env_init(&e);
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::10", 5000, SRV1, 53, 0);
	uint8_t b4[4];
	memcpy(b4, r.src, 4);
	uint16_t p4 = (uint16_t)r.sport;
	assert_int_equal(send4(&e, T_PROTO_UDP, "203.0.113.99", 1234, b4, p4, 0).action, XLAT_FORWARD);
	assert_int_equal(total_sessions(&e), 2);
	env_free(&e);

	/* address-dependent: only the addresses the client talked to, on any port */
	env_cfg(&e);
	e.cfg.address_dependent_filtering = true;
	env_start(&e);
	r = send6(&e, T_PROTO_UDP, "2001:db8:1::10", 5000, SRV1, 53, 0);
	memcpy(b4, r.src, 4);
	p4 = (uint16_t)r.sport;
	r = send4(&e, T_PROTO_UDP, "203.0.113.99", 1234, b4, p4, 0);
	assert_int_equal(r.action, XLAT_REPLY); /* ICMP administratively prohibited */
	assert_int_equal(r.reason, XLAT_DROP_NAT64_FILTERED);
	assert_int_equal(r.icmp_type, 3);
	assert_int_equal(r.icmp_code, 13);
	assert_int_equal(send4(&e, T_PROTO_UDP, "203.0.113.5", 9999, b4, p4, 0).action, XLAT_FORWARD);
	assert_int_equal(total_sessions(&e), 2);
	/* a TCP SYN from a stranger is filtered too */
	struct res t = send6(&e, T_PROTO_TCP, "2001:db8:1::10", 6000, SRV1, 80, T_SYN);
	memcpy(b4, t.src, 4);
	r = send4(&e, T_PROTO_TCP, "203.0.113.99", 80, b4, (uint16_t)t.sport, T_SYN);
	assert_int_equal(r.reason, XLAT_DROP_NAT64_FILTERED);
	env_free(&e);
}

/* ---- hairpinning ------------------------------------------------------------------------------------ */

static void assert_quote_ok(const struct res *r);

static void test_hairpin(void **state)
{
	struct env e;
	env_init(&e);
	/* client A has a binding T1:t1 */
	struct res a = send6(&e, T_PROTO_UDP, "2001:db8:1::a", 7000, SRV1, 53, 0);
	assert_int_equal(a.action, XLAT_FORWARD);
	char dst6[64];
	snprintf(dst6, sizeof(dst6), "2001:db8:64::%x:%x", a.src[0] << 8 | a.src[1], a.src[2] << 8 | a.src[3]);
	/* client B sends to pool6(T1):t1: it comes back into the IPv6 side, to A */
	struct res h = send6(&e, T_PROTO_UDP, "2001:db8:2::b", 8000, dst6, (uint16_t)a.sport, 0);
	assert_int_equal(h.action, XLAT_FORWARD);
	assert_int_equal(h.family, 6);
	uint8_t a6[16];
	t_v6("2001:db8:1::a", a6);
	assert_memory_equal(h.dst, a6, 16);
	assert_int_equal(h.dport, 7000);
	/* its source is B's own binding in pool6 form */
	assert_int_equal(h.src[12], 198);
	assert_int_equal(h.src[14], 100);
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.bibs[NAT64_UDP], 2);
	assert_int_equal(st.sessions[NAT64_UDP], 3); /* A->srv, B->T1, T2->A */
	/* a packet from an address inside pool6 is a loop */
	struct res l = send6(&e, T_PROTO_UDP, "2001:db8:64::c633:6401", 8000, SRV1, 53, 0);
	assert_int_equal(l.reason, XLAT_DROP_HAIRPIN_LOOP);

	/* A answers B's hairpinned datagram with a port unreachable, to the source it saw (B's binding
	 * in pool6 form): the error is hairpinned too (RFC 6146 section 3.8, RFC 5508 REQ-7), reaching B
	 * as ICMPv6 with one translation's hop-limit decrement, quoting B's own packet. */
	uint8_t *err = e.buf;
	size_t qn = h.len;
	memset(err, 0, 48);
	err[0] = 0x60;
	put16(err + 4, (unsigned)(8 + qn));
	err[6] = T_PROTO_ICMP6;
	err[7] = 64;
	memcpy(err + 8, a6, 16);
	memcpy(err + 24, h.src, 16);
	err[40] = 1;
	err[41] = 4;
	memcpy(err + 48, h.flat, qn);
	put16(err + 42, t_naive_csum(err + 40, 8 + qn, t_pseudo6(err, T_PROTO_ICMP6, 8 + qn)));
	xlat_6to4(&e.ctx, err, 48 + qn, &out);
	struct res x;
	parse_out(&x);
	assert_int_equal(x.action, XLAT_FORWARD);
	assert_int_equal(x.family, 6);
	uint8_t b6[16];
	t_v6("2001:db8:2::b", b6);
	assert_memory_equal(x.dst, b6, 16);
	assert_int_equal(x.icmp_type, 1);
	assert_int_equal(x.icmp_code, 4);
	assert_int_equal(x.flat[7], 63);                       /* one decrement */
	assert_memory_equal(x.flat + 48 + 8, b6, 16);          /* the quote: B's own packet */
	assert_int_equal(get16(x.flat + 48 + 40), 8000);
	assert_quote_ok(&x);
	env_free(&e);
}

/* ---- a fast path (nat64_set_offload) ------------------------------------------------------------ */

/* A fake fast path: records what it was handed; last_ms and whether it takes flows are set by the
 * test. */
struct fake_off {
	unsigned adds, dels, asked;
	struct nat64_flow last_add, last_del;
	uint64_t last_ms;
	bool full;
};

static bool fo_add(void *arg, const struct nat64_flow *f)
{
	struct fake_off *o = arg;
	if (o->full)
		return false;
	o->adds++;
	o->last_add = *f;
	return true;
}

static void fo_del(void *arg, const struct nat64_flow *f)
{
	struct fake_off *o = arg;
	o->dels++;
	o->last_del = *f;
}

static uint64_t fo_last(void *arg, const struct nat64_flow *f)
{
	struct fake_off *o = arg;
	(void)f;
	o->asked++;
	return o->last_ms;
}

static const struct nat64_offload_ops fake_ops = { fo_add, fo_del, fo_last };

static uint64_t offloaded(const struct env *e)
{
	struct nat64_stats st;
	nat64_get_stats(e->nat, &st);
	return st.sessions_offloaded;
}

/* TCP: handed over when established (not at the first SYN), with the session's addresses and ports;
 * taken back at the FIN, which the fast path leaves to the library. */
static void test_offload_tcp(void **state)
{
	struct env e;
	struct fake_off o = { 0 };
	env_init(&e);
	nat64_set_offload(e.nat, &fake_ops, &o);
	struct res r = send6(&e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV1, 80, T_SYN);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(o.adds, 0); /* V6 INIT */
	uint8_t b4[4];
	memcpy(b4, r.src, 4);
	uint16_t p4 = (uint16_t)r.sport;
	assert_int_equal(send4(&e, T_PROTO_TCP, "203.0.113.5", 80, b4, p4, T_SYN | T_ACK).action, XLAT_FORWARD);
	assert_int_equal(o.adds, 1);
	assert_int_equal(offloaded(&e), 1);
	uint8_t c6[16], s4[4];
	t_v6("2001:db8:1::10", c6);
	t_v4("203.0.113.5", s4);
	assert_int_equal(o.last_add.proto, NAT64_TCP);
	assert_memory_equal(o.last_add.v6, c6, 16);
	assert_int_equal(o.last_add.port6, 40000);
	assert_memory_equal(o.last_add.v4, b4, 4);
	assert_int_equal(o.last_add.port4, p4);
	assert_memory_equal(o.last_add.remote4, s4, 4);
	assert_int_equal(o.last_add.remote_port, 80);
	/* data through the library does not hand it over twice */
	assert_int_equal(send6(&e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV1, 80, T_ACK).action, XLAT_FORWARD);
	assert_int_equal(o.adds, 1);
	/* the fast path carried it recently: the established timeout is put off, not turned to TRANS */
	o.last_ms = e.now + 7000 * 1000ull;
	assert_int_equal(tick(&e, 7440 * 1000ull), 0);
	assert_true(o.asked >= 1);
	assert_int_equal(o.dels, 0);
	struct find fd = { .proto = NAT64_TCP, .remote_port = 80 };
	memcpy(fd.remote4, s4, 4);
	nat64_sessions_foreach(e.nat, find_cb, &fd);
	assert_true(fd.found);
	assert_int_equal(fd.info.tcp_state, NAT64_TCP_ESTABLISHED);
	assert_true(fd.info.offloaded);
	/* a FIN takes it back */
	assert_int_equal(send6(&e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV1, 80, T_FIN | T_ACK).action, XLAT_FORWARD);
	assert_int_equal(o.dels, 1);
	assert_memory_equal(o.last_del.v6, c6, 16);
	assert_int_equal(offloaded(&e), 0);
	env_free(&e);
}

/* UDP: handed over when made; kept while the fast path carries it, expired a timeout after its last
 * packet there; an idle one goes as before. A full fast path refuses, and the session stays here. */
static void test_offload_udp_expiry(void **state)
{
	struct env e;
	struct fake_off o = { 0 };
	env_init(&e);
	nat64_set_offload(e.nat, &fake_ops, &o);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::10", 5000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(o.adds, 1);
	assert_int_equal(o.last_add.proto, NAT64_UDP);
	o.last_ms = e.now + 250 * 1000ull; /* the fast path's last packet, 250 s in */
	assert_int_equal(tick(&e, 300 * 1000ull), 0); /* due at 300 s: kept, to 550 s */
	assert_int_equal(total_sessions(&e), 1);
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.offload_refreshed, 1);
	assert_int_equal(tick(&e, 249 * 1000ull), 0); /* 549 s */
	assert_int_equal(total_sessions(&e), 1);
	assert_int_equal(tick(&e, 1000), 1); /* 550 s: the fast path saw nothing newer */
	assert_int_equal(total_sessions(&e), 0);
	assert_int_equal(o.dels, 1);
	assert_int_equal(offloaded(&e), 0);
	/* refused when full: counted, and the library keeps the session */
	o.full = true;
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::11", 5000, SRV1, 53, 0).action, XLAT_FORWARD);
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.offload_refused, 1);
	assert_int_equal(st.sessions_offloaded, 0);
	assert_int_equal(o.adds, 1);
	env_free(&e);
}

/* Hairpinned sessions (to a pool address) stay with the library; dropping the fast path takes back
 * what it had. */
static void test_offload_hairpin_and_unset(void **state)
{
	struct env e;
	struct fake_off o = { 0 };
	env_init(&e);
	nat64_set_offload(e.nat, &fake_ops, &o);
	struct res a = send6(&e, T_PROTO_UDP, "2001:db8:1::a", 7000, SRV1, 53, 0);
	assert_int_equal(o.adds, 1);
	char dst6[64];
	snprintf(dst6, sizeof(dst6), "2001:db8:64::%x:%x", a.src[0] << 8 | a.src[1], a.src[2] << 8 | a.src[3]);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:2::b", 8000, dst6, (uint16_t)a.sport, 0).family, 6);
	assert_int_equal(o.adds, 1); /* neither B->T1 nor T2->A */
	assert_int_equal(total_sessions(&e), 3);
	nat64_set_offload(e.nat, NULL, NULL);
	assert_int_equal(o.dels, 1);
	assert_int_equal(offloaded(&e), 0);
	env_free(&e);
}

/* ---- limits ------------------------------------------------------------------------------------- */

static void test_limits_per_subscriber(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.max_sessions_per_subscriber = 3;
	env_start(&e);
	/* two hosts of one /64 share the subscriber's 3 sessions */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::2", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_TCP, "2001:db8:1::2", 1000, SRV1, 80, T_SYN).action, XLAT_FORWARD);
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::3", 1000, SRV1, 53, 0);
	assert_int_equal(r.action, XLAT_REPLY);
	assert_int_equal(r.reason, XLAT_DROP_NAT64_LIMIT_SUB_SESSIONS); /* its own reason, not the table's */
	assert_int_equal(r.icmp_type, 1);
	assert_int_equal(r.icmp_code, 1);
	/* another /64 is another subscriber; established flows keep working */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:2::1", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	struct nat64_subscriber_usage top[4];
	assert_int_equal(nat64_top_subscribers(e.nat, top, 4), 2);
	assert_int_equal(top[0].sessions, 3);
	assert_int_equal(top[0].len, 64);
	assert_int_equal(top[1].sessions, 1);
	uint8_t p[16];
	t_v6("2001:db8:1::", p);
	assert_memory_equal(top[0].prefix, p, 16);
	env_free(&e);

	/* /128 subscribers, and a cap on ports */
	env_cfg(&e);
	e.cfg.subscriber_len = 128;
	e.cfg.max_ports_per_subscriber = 2;
	env_start(&e);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1001, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1001, SRV2, 53, 0).action, XLAT_FORWARD); /* same port */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1002, SRV1, 53, 0).reason, XLAT_DROP_NAT64_LIMIT_SUB_PORTS);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::2", 1002, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(nat64_top_subscribers(e.nat, top, 1), 1);
	assert_int_equal(top[0].sessions, 3);
	assert_int_equal(top[0].ports, 2);
	assert_int_equal(top[0].len, 128);
	env_free(&e);
}

static void test_limits_global(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.max_sessions = 4;
	env_start(&e);
	for (int k = 0; k < 4; k++) {
		char src[64];
		snprintf(src, sizeof(src), "2001:db8:%x::1", k + 1);
		assert_int_equal(send6(&e, T_PROTO_UDP, src, 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	}
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:9::1", 1000, SRV1, 53, 0);
	assert_int_equal(r.reason, XLAT_DROP_NAT64_LIMIT);
	/* from IPv4 too: a new session to an existing binding is refused, the old one still works */
	struct res first = send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0);
	assert_int_equal(first.action, XLAT_FORWARD);
	r = send4(&e, T_PROTO_UDP, "203.0.113.77", 53, first.src, (uint16_t)first.sport, 0);
	assert_int_equal(r.reason, XLAT_DROP_NAT64_LIMIT);
	assert_int_equal(send4(&e, T_PROTO_UDP, "203.0.113.5", 53, first.src, (uint16_t)first.sport, 0).action,
			 XLAT_FORWARD);
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.sessions[NAT64_UDP], 4);
	env_free(&e);
}

/* RFC 8158 section 4.3 events 3, 12 and 13: each refusal of a new binding or session is reported
 * under NAT64_LOG_ALARM, with the limit and the subscriber or address it concerns. */
static void test_alarm_events(void **state)
{
	struct env e;
	uint8_t sub[16], a4[4];
	env_cfg(&e);
	assert_true(t_parse_prefix4("198.51.100.1/32", &e.cfg.pool4[0].prefix));
	e.cfg.pool4[0].port_min = 2000;
	e.cfg.pool4[0].port_max = 2003;
	e.cfg.max_sessions_per_subscriber = 3;
	env_start(&e);
	nat64_set_log(e.nat, on_event, &e, NAT64_LOG_ALARM);
	for (int k = 0; k < 3; k++)
		assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", (uint16_t)(3000 + k), SRV1, 53, 0).action,
				 XLAT_FORWARD);
	assert_int_equal(e.ev[NAT64_EV_BIB_ADD], 0); /* only what the mask asks */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 3003, SRV1, 53, 0).reason, XLAT_DROP_NAT64_LIMIT_SUB_SESSIONS);
	assert_int_equal(e.ev[NAT64_EV_QUOTA_EXCEEDED], 1);
	assert_int_equal(e.last.kind, NAT64_EV_QUOTA_EXCEEDED);
	assert_int_equal(e.last.quota, NAT64_QUOTA_SESSIONS_PER_SUBSCRIBER);
	assert_int_equal(e.last.limit, 3);
	assert_int_equal(e.last.time_ms, e.now);
	t_v6("2001:db8:1::", sub);
	assert_memory_equal(e.last.v6, sub, 16);
	/* another subscriber takes the fourth port, then the pool (one address) is out of ports: its
	 * paired address is exhausted, and so is the pool */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:2::1", 3000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:2::1", 3001, SRV1, 53, 0).reason,
			 XLAT_DROP_NAT64_POOL_EXHAUSTED);
	assert_int_equal(e.ev[NAT64_EV_PORTS_EXHAUSTED], 1);
	assert_int_equal(e.ev[NAT64_EV_ADDRS_EXHAUSTED], 1);
	assert_int_equal(e.last.kind, NAT64_EV_ADDRS_EXHAUSTED);
	env_free(&e);

	/* the port cap of a subscriber, and the global session table */
	env_cfg(&e);
	e.cfg.max_ports_per_subscriber = 1;
	e.cfg.max_sessions = 2;
	env_start(&e);
	nat64_set_log(e.nat, on_event, &e, NAT64_LOG_ALARM);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1001, SRV1, 53, 0).reason, XLAT_DROP_NAT64_LIMIT_SUB_PORTS);
	assert_int_equal(e.last.quota, NAT64_QUOTA_PORTS_PER_SUBSCRIBER);
	assert_int_equal(e.last.limit, 1);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:2::1", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:3::1", 1000, SRV1, 53, 0).reason, XLAT_DROP_NAT64_LIMIT);
	assert_int_equal(e.last.quota, NAT64_QUOTA_SESSIONS);
	assert_int_equal(e.last.limit, 2);
	assert_int_equal(e.ev[NAT64_EV_QUOTA_EXCEEDED], 2);
	env_free(&e);

	/* port blocks: one block of 4 ports in all; a second subscriber finds none */
	env_cfg(&e);
	assert_true(t_parse_prefix4("198.51.100.1/32", &e.cfg.pool4[0].prefix));
	e.cfg.pool4[0].port_min = 2000;
	e.cfg.pool4[0].port_max = 2003;
	e.cfg.port_block_size = 4;
	env_start(&e);
	nat64_set_log(e.nat, on_event, &e, NAT64_LOG_ALARM | NAT64_LOG_BLOCK);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0).action, XLAT_FORWARD);
	assert_int_equal(e.ev[NAT64_EV_BLOCK_ADD], 1);
	t_v4("198.51.100.1", a4);
	assert_memory_equal(e.last.v4, a4, 4);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:2::1", 1000, SRV1, 53, 0).reason,
			 XLAT_DROP_NAT64_POOL_EXHAUSTED);
	assert_int_equal(e.ev[NAT64_EV_ADDRS_EXHAUSTED], 1);
	t_v6("2001:db8:2::", sub);
	assert_memory_equal(e.last.v6, sub, 16);
	env_free(&e);
}

/* ---- static bindings -------------------------------------------------------------------------------- */

static void test_static_bib(void **state)
{
	struct env e;
	env_cfg(&e);
	struct nat64_static_bib *s = &e.cfg.statics[0];
	s->proto = NAT64_TCP;
	t_v6("2001:db8:1::80", s->v6);
	s->port6 = 8080;
	t_v4("198.51.100.2", s->v4);
	s->port4 = 80;
	e.cfg.pool4[0].port_min = 1;
	e.cfg.nstatic = 1;
	env_start(&e);
	/* the static binding was made before the log was set: setting it states the binding */
	assert_int_equal(e.ev[NAT64_EV_BIB_ADD], 1);
	assert_true(e.last.is_static);
	assert_int_equal(e.last.port6, 8080);
	assert_int_equal(e.last.port4, 80);
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.bibs[NAT64_TCP], 1);
	assert_int_equal(st.sessions[NAT64_TCP], 0);
	/* reached from the IPv4 side: a SYN to 198.51.100.2:80 goes to [2001:db8:1::80]:8080 */
	uint8_t v4[4];
	t_v4("198.51.100.2", v4);
	struct res r = send4(&e, T_PROTO_TCP, "203.0.113.5", 33333, v4, 80, T_SYN);
	assert_int_equal(r.action, XLAT_FORWARD);
	uint8_t h6[16];
	t_v6("2001:db8:1::80", h6);
	assert_memory_equal(r.dst, h6, 16);
	assert_int_equal(r.dport, 8080);
	assert_int_equal(tcp_state(&e, "203.0.113.5", 33333), NAT64_TCP_V4_INIT);
	/* the server answers from 8080: the static binding, ESTABLISHED */
	struct res a = send6(&e, T_PROTO_TCP, "2001:db8:1::80", 8080, "2001:db8:64::cb00:7105", 33333, T_SYN | T_ACK);
	assert_int_equal(a.action, XLAT_FORWARD);
	assert_memory_equal(a.src, v4, 4);
	assert_int_equal(a.sport, 80);
	assert_int_equal(tcp_state(&e, "203.0.113.5", 33333), NAT64_TCP_ESTABLISHED);
	/* flush removes the session, the static binding stays */
	assert_int_equal(nat64_flush(e.nat, NAT64_NPROTO), 1);
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.bibs[NAT64_TCP], 1);
	assert_int_equal(st.sessions_flushed, 1);
	assert_int_equal(send4(&e, T_PROTO_TCP, "203.0.113.5", 33334, v4, 80, T_SYN).action, XLAT_FORWARD);
	/* nothing else of the pool is reachable: a SYN to another port is only kept (section 3.5.2.2) */
	struct res k = send4(&e, T_PROTO_TCP, "203.0.113.5", 33334, v4, 81, T_SYN);
	assert_int_equal(k.action, XLAT_DROP);
	assert_int_equal(k.reason, XLAT_DROP_NAT64_SYN4_KEPT);
	env_free(&e);
}

/* ---- ICMP errors -------------------------------------------------------------------------------- */

static void test_icmp_error_inner(void **state)
{
	struct env e;
	env_init(&e);
	size_t n = pkt6(e.buf, T_PROTO_UDP, "2001:db8:1::10", 5000, SRV1, 53, 0);
	xlat_6to4(&e.ctx, e.buf, n, &out);
	assert_int_equal(out.action, XLAT_FORWARD);
	uint8_t sent[64];
	size_t sn = xlat_pkt_flatten(&out.pkt[0], sent, sizeof(sent));
	uint64_t before = total_sessions(&e);
	/* a router 192.0.2.77 sends port unreachable about the translated packet */
	uint8_t err[128];
	memset(err, 0, sizeof(err));
	err[0] = 0x45;
	put16(err + 2, (unsigned)(20 + 8 + sn));
	err[8] = 64;
	err[9] = T_PROTO_ICMP;
	t_v4("203.0.113.5", err + 12);
	memcpy(err + 16, sent + 12, 4);
	put16(err + 10, t_naive_csum(err, 20, 0));
	err[20] = 3;
	err[21] = 3;
	memcpy(err + 28, sent, sn);
	put16(err + 22, t_naive_csum(err + 20, 8 + sn, 0));
	xlat_4to6(&e.ctx, err, 28 + sn, &out);
	struct res r;
	parse_out(&r);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(r.icmp_type, 1);
	assert_int_equal(r.icmp_code, 4);
	uint8_t c6[16];
	t_v6("2001:db8:1::10", c6);
	assert_memory_equal(r.dst, c6, 16);
	/* the quoted packet is the client's original */
	assert_memory_equal(r.flat + 48 + 8, c6, 16);
	assert_int_equal(get16(r.flat + 48 + 40), 5000);
	assert_int_equal(total_sessions(&e), before); /* no state made */
	/* an error quoting a packet of no session is dropped, and makes nothing */
	put16(err + 28 + 20, 1); /* a different source port in the quote */
	err[22] = err[23] = 0;
	put16(err + 22, t_naive_csum(err + 20, 8 + sn, 0));
	xlat_4to6(&e.ctx, err, 28 + sn, &out);
	assert_int_equal(out.action, XLAT_DROP);
	assert_int_equal(total_sessions(&e), before);
	env_free(&e);
}

/* The transport checksum inside a translated error's quote (an ICMP error about a NAT64'd flow): the
 * core rewrites the quoted ports or echo identifier to the other side's, and the checksum must follow
 * them as well as the addresses (RFC 6146 section 3.5.4, "checksum included"); a whole quote with a
 * right checksum stays right. Checked with a naive sum over the quote as it comes out. */
static void assert_quote_ok(const struct res *r)
{
	const uint8_t *q, *u;
	size_t l4;
	uint64_t ps;
	if (r->family == 6) {
		q = r->flat + 48;
		l4 = get16(q + 4);
		u = q + 40;
		assert_true(48 + 40 + l4 <= r->len);
		ps = t_pseudo6(q, q[6], l4);
	} else {
		q = r->flat + 28;
		l4 = get16(q + 2) - 20u;
		u = q + 20;
		assert_true(28 + 20 + l4 <= r->len);
		ps = q[9] == T_PROTO_ICMP ? 0 : t_pseudo4(q, q[9], l4);
	}
	assert_int_equal(t_naive_csum(u, l4, ps), 0);
}

/* An ICMPv4 error from src about pkt (flattened, n bytes), into e->buf; returns its length. */
static size_t icmp4_error_about(struct env *e, const char *src, uint8_t type, uint8_t code, const uint8_t *pkt, size_t n)
{
	uint8_t *err = e->buf;
	memset(err, 0, 28);
	err[0] = 0x45;
	put16(err + 2, (unsigned)(28 + n));
	err[8] = 64;
	err[9] = T_PROTO_ICMP;
	t_v4(src, err + 12);
	memcpy(err + 16, pkt + 12, 4);
	put16(err + 10, t_naive_csum(err, 20, 0));
	err[20] = type;
	err[21] = code;
	memcpy(err + 28, pkt, n);
	put16(err + 22, t_naive_csum(err + 20, 8 + n, 0));
	return 28 + n;
}

static void test_icmp_error_quote_checksum(void **state)
{
	struct env e;
	env_init(&e);
	uint8_t sent[256];
	/* 4to6: the server's port unreachable about the client's UDP datagram */
	struct res a = send6(&e, T_PROTO_UDP, "2001:db8:1::10", 5000, SRV1, 53, 0);
	assert_int_equal(a.action, XLAT_FORWARD);
	assert_int_not_equal(a.sport, 5000); /* the binding's port differs, or this tests nothing */
	size_t sn = a.len;
	memcpy(sent, a.flat, sn);
	size_t n = icmp4_error_about(&e, "203.0.113.5", 3, 3, sent, sn);
	xlat_4to6(&e.ctx, e.buf, n, &out);
	struct res r;
	parse_out(&r);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(get16(r.flat + 48 + 40), 5000); /* the client's own port in the quote */
	assert_quote_ok(&r);

	/* 6to4: the client's port unreachable about the server's datagram to it */
	struct res b = send4(&e, T_PROTO_UDP, "203.0.113.5", 53, a.src, (uint16_t)a.sport, 0);
	assert_int_equal(b.action, XLAT_FORWARD);
	assert_int_equal(b.dport, 5000);
	uint8_t *err = e.buf, c6[16];
	size_t qn = b.len;
	memset(err, 0, 48);
	err[0] = 0x60;
	put16(err + 4, (unsigned)(8 + qn));
	err[6] = T_PROTO_ICMP6;
	err[7] = 64;
	t_v6("2001:db8:1::10", c6);
	memcpy(err + 8, c6, 16);
	memcpy(err + 24, b.flat + 8, 16); /* to the server's pool6 form */
	err[40] = 1;
	err[41] = 4;
	memcpy(err + 48, b.flat, qn);
	put16(err + 42, t_naive_csum(err + 40, 8 + qn, t_pseudo6(err, T_PROTO_ICMP6, 8 + qn)));
	xlat_6to4(&e.ctx, err, 48 + qn, &out);
	parse_out(&r);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(r.family, 4);
	assert_int_equal(get16(r.flat + 28 + 22), a.sport); /* the binding's port in the quote */
	assert_quote_ok(&r);

	/* 4to6, an echo: a router's host unreachable about the client's echo request; the quoted
	 * identifier is the client's again, and the ICMPv6 checksum with its pseudo-header right */
	struct res c = send6(&e, T_PROTO_ICMP, "2001:db8:1::10", 0x1234, SRV1, 0, 0);
	assert_int_equal(c.action, XLAT_FORWARD);
	assert_int_not_equal(c.sport, 0x1234);
	sn = c.len;
	memcpy(sent, c.flat, sn);
	n = icmp4_error_about(&e, "192.0.2.77", 3, 1, sent, sn);
	xlat_4to6(&e.ctx, e.buf, n, &out);
	parse_out(&r);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(r.flat[48 + 40], 128);                      /* echo request */
	assert_int_equal(get16(r.flat + 48 + 40 + 4), 0x1234);       /* the client's identifier */
	assert_quote_ok(&r);
	env_free(&e);
}

static void test_icmp_error_inner_direct(void **state)
{
	/* the policy functions directly: error lookups never create or refresh anything */
	struct env e;
	env_init(&e);
	struct res r = send6(&e, T_PROTO_TCP, "2001:db8:1::10", 40000, SRV1, 80, T_SYN);
	assert_int_equal(r.action, XLAT_FORWARD);
	struct xlat_policy pol = nat64_policy(e.nat);
	assert_true(pol.outer_from_inner);
	struct xlat_tuple in, o;
	memset(&in, 0, sizeof(in));
	memcpy(in.src, r.src, 4);
	t_v4("203.0.113.5", in.dst);
	in.sport = (uint16_t)r.sport;
	in.dport = 80;
	in.proto = T_PROTO_TCP;
	in.has_ports = true;
	struct nat64_session_info i1, i2;
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i1));
	tick(&e, 5000);
	assert_int_equal(pol.map_4to6(pol.ctx, &in, &o, XLAT_ROLE_ERROR_INNER, false), XLAT_DROP_NONE);
	assert_int_equal(o.sport, 40000);
	assert_true(session_of(&e, NAT64_TCP, "203.0.113.5", 80, &i2));
	assert_int_equal(i1.expires_ms, i2.expires_ms);
	assert_int_equal(i2.tcp_state, NAT64_TCP_V6_INIT);
	in.dport = 81;
	assert_int_not_equal(pol.map_4to6(pol.ctx, &in, &o, XLAT_ROLE_ERROR_INNER, false), XLAT_DROP_NONE);
	/* the other way: a quoted packet from the server to the client */
	memset(&in, 0, sizeof(in));
	t_v6(SRV1, in.src);
	t_v6("2001:db8:1::10", in.dst);
	in.sport = 80;
	in.dport = 40000;
	in.proto = T_PROTO_TCP;
	in.has_ports = true;
	assert_int_equal(pol.map_6to4(pol.ctx, &in, &o, XLAT_ROLE_ERROR_INNER), XLAT_DROP_NONE);
	assert_memory_equal(o.dst, r.src, 4);
	assert_int_equal(o.dport, r.sport);
	assert_int_equal(total_sessions(&e), 1);
	env_free(&e);
}

/* ---- fragments ---------------------------------------------------------------------------------- */

/* An IPv6 UDP datagram of 64 bytes in two fragments (offset 0 and 32). */
static size_t frag6(uint8_t *p, uint32_t id, bool first, uint16_t sport)
{
	memset(p, 0, 40 + 8 + 32);
	p[0] = 0x60;
	put16(p + 4, 8 + 32);
	p[6] = T_PROTO_FRAG;
	p[7] = 64;
	t_v6("2001:db8:1::10", p + 8);
	t_v6(SRV1, p + 24);
	uint8_t *f = p + 40;
	f[0] = T_PROTO_UDP;
	put16(f + 2, first ? 1 : 32 / 8 << 3);
	f[4] = (uint8_t)(id >> 24), f[5] = (uint8_t)(id >> 16), f[6] = (uint8_t)(id >> 8), f[7] = (uint8_t)id;
	uint8_t *u = p + 48;
	if (first) {
		put16(u, sport);
		put16(u + 2, 53);
		put16(u + 4, 64);
		put16(u + 6, 0x1234);
	}
	return 40 + 8 + 32;
}

static void test_fragments(void **state)
{
	struct env e;
	env_init(&e);
	size_t n = frag6(e.buf, 7, true, 5000);
	xlat_6to4(&e.ctx, e.buf, n, &out);
	assert_int_equal(out.action, XLAT_FORWARD);
	uint8_t a[2048], b[2048];
	xlat_pkt_flatten(&out.pkt[0], a, sizeof(a));
	n = frag6(e.buf, 7, false, 0);
	xlat_6to4(&e.ctx, e.buf, n, &out);
	assert_int_equal(out.action, XLAT_FORWARD);
	xlat_pkt_flatten(&out.pkt[0], b, sizeof(b));
	assert_memory_equal(a + 12, b + 12, 8); /* same addresses */
	assert_int_equal(get16(b + 6) & 0x1fff, 4); /* offset 32 bytes */
	/* a later fragment whose first was never seen */
	n = frag6(e.buf, 8, false, 0);
	xlat_6to4(&e.ctx, e.buf, n, &out);
	assert_int_equal(out.action, XLAT_DROP);
	assert_int_equal(out.reason, XLAT_DROP_NAT64_FRAGMENT);
	/* nor after the fragment timeout */
	tick(&e, 2001);
	n = frag6(e.buf, 7, false, 0);
	xlat_6to4(&e.ctx, e.buf, n, &out);
	assert_int_equal(out.reason, XLAT_DROP_NAT64_FRAGMENT);
	env_free(&e);
}

/* ---- well-known prefix -------------------------------------------------------------------------- */

static void test_wkp_non_global(void **state)
{
	struct env e;
	env_cfg(&e);
	assert_true(t_parse_prefix6("64:ff9b::/96", &e.cfg.pool6));
	env_start(&e);
	/* 10.1.2.3 and 192.0.2.1 are not global (RFC 6052 section 3.1) */
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, "64:ff9b::a01:203", 53, 0).reason,
			 XLAT_DROP_WKP_NON_GLOBAL);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, "64:ff9b::c000:201", 53, 0).reason,
			 XLAT_DROP_WKP_NON_GLOBAL);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, "64:ff9b::808:808", 53, 0).action, XLAT_FORWARD);
	assert_int_equal(total_sessions(&e), 1);
	env_free(&e);
	env_cfg(&e);
	assert_true(t_parse_prefix6("64:ff9b::/96", &e.cfg.pool6));
	e.cfg.allow_wkp_non_global = true;
	env_start(&e);
	assert_int_equal(send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, "64:ff9b::a01:203", 53, 0).action, XLAT_FORWARD);
	env_free(&e);
}

/* ---- port blocks, instances --------------------------------------------------------------------- */

static void test_port_blocks(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.port_block_size = 64;
	env_start(&e);
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(e.ev[NAT64_EV_BLOCK_ADD], 1);
	unsigned base = r.sport / 64 * 64;
	for (int k = 1; k < 70; k++) {
		struct res q = send6(&e, T_PROTO_UDP, "2001:db8:1::1", (uint16_t)(1000 + k), SRV1, 53, 0);
		assert_int_equal(q.action, XLAT_FORWARD);
		if (k < 64)
			assert_int_equal(q.sport / 64 * 64, base); /* the block fills before another is taken */
		if (k < 32)
			assert_int_equal(q.sport & 1, k & 1);    /* 32 ports of each parity per block */
		assert_memory_equal(q.src, r.src, 4);   /* one address per subscriber */
	}
	assert_int_equal(e.ev[NAT64_EV_BLOCK_ADD], 2);
	/* a block event names the subscriber and the ports */
	struct env e2;
	env_cfg(&e2);
	e2.cfg.port_block_size = 64;
	env_start(&e2);
	nat64_set_log(e2.nat, on_event, &e2, NAT64_LOG_BLOCK);
	r = send6(&e2, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0);
	assert_int_equal(e2.last.kind, NAT64_EV_BLOCK_ADD);
	assert_int_equal(e2.last.port4, r.sport / 64 * 64);
	assert_int_equal(e2.last.port4_last, r.sport / 64 * 64 + 63);
	assert_memory_equal(e2.last.v4, r.src, 4);
	uint8_t pfx[16];
	t_v6("2001:db8:1::", pfx);
	assert_memory_equal(e2.last.v6, pfx, 16);
	env_free(&e2);
	tick(&e, 300000);
	assert_int_equal(e.ev[NAT64_EV_BLOCK_DEL], 2);
	env_free(&e);
}

static void test_instances(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.ninstances = 4;
	e.cfg.instance = 2;
	env_start(&e);
	for (int k = 0; k < 100; k++) {
		struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::1", (uint16_t)(2000 + k), SRV1, 53, 0);
		assert_int_equal(r.action, XLAT_FORWARD);
		assert_int_equal(nat64_instance_of_port(&e.cfg, (uint16_t)r.sport), 2);
	}
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_true(st.ports_total > 0 && st.ports_total < 4ull * 64512 * 3 / 2);
	uint8_t a[16], b[16];
	t_v6("2001:db8:1::1", a);
	t_v6("2001:db8:1::2", b);
	assert_int_equal(nat64_instance_of_v6(&e.cfg, a), nat64_instance_of_v6(&e.cfg, b)); /* one /64 */
	assert_true(nat64_instance_of_v6(&e.cfg, a) < 4);
	env_free(&e);
}

/* ---- operations --------------------------------------------------------------------------------- */

static void test_reconfigure(void **state)
{
	struct env e;
	env_init(&e);
	struct res r = send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0);
	assert_int_equal(r.action, XLAT_FORWARD);
	struct nat64_config c = e.cfg;
	c.timeout_udp = 10;
	c.max_sessions_per_subscriber = 5;
	const char *why = NULL;
	assert_int_equal(nat64_reconfigure(e.nat, &c, &why), 0);
	assert_int_equal(total_sessions(&e), 1); /* kept */
	assert_int_equal(send4(&e, T_PROTO_UDP, "203.0.113.5", 53, r.src, (uint16_t)r.sport, 0).action, XLAT_FORWARD);
	assert_int_equal(tick(&e, 10000), 1); /* the shorter timeout applies */
	/* growing past the allocation is refused, the old configuration stays */
	c.max_sessions = 1 << 20;
	assert_int_equal(nat64_reconfigure(e.nat, &c, &why), -1);
	assert_non_null(why);
	/* a pool change removes the bindings outside it (logged) */
	c = e.cfg;
	r = send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0);
	unsigned dels = e.ev[NAT64_EV_BIB_DEL];
	char keep[32];
	snprintf(keep, sizeof(keep), "198.51.100.%u/32", r.src[3] ^ 1);
	assert_true(t_parse_prefix4(keep, &c.pool4[0].prefix));
	assert_int_equal(nat64_reconfigure(e.nat, &c, &why), 0);
	assert_int_equal(total_sessions(&e), 0);
	assert_int_equal(e.ev[NAT64_EV_BIB_DEL], dels + 1);
	/* ... and counts the session it removed, as a flush would (created = expired + flushed + live) */
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.sessions_created, 2);
	assert_int_equal(st.sessions_expired, 1);
	assert_int_equal(st.sessions_flushed, 1);
	r = send6(&e, T_PROTO_UDP, "2001:db8:1::1", 1000, SRV1, 53, 0);
	assert_int_equal(r.action, XLAT_FORWARD);
	assert_int_equal(r.src[3], keep[11] - '0');
	/* and one that keeps the address keeps the session */
	c.pool4[1] = e.cfg.pool4[0];
	c.npool4 = 2;
	assert_int_equal(nat64_reconfigure(e.nat, &c, &why), 0);
	assert_int_equal(total_sessions(&e), 1);
	env_free(&e);
}

static void test_config_check(void **state)
{
	struct nat64_config c;
	const char *why = NULL;
	nat64_config_init(&c);
	assert_int_equal(nat64_config_check(&c, &why), -1); /* no pool6 */
	assert_non_null(strstr(why, "pool6"));
	assert_true(t_parse_prefix6("64:ff9b::/96", &c.pool6));
	assert_int_equal(nat64_config_check(&c, &why), -1);
	assert_non_null(strstr(why, "pool4"));
	assert_true(t_parse_prefix4("192.0.2.0/24", &c.pool4[0].prefix));
	c.pool4[0].port_min = 2000;
	c.pool4[0].port_max = 1000;
	c.npool4 = 1;
	assert_int_equal(nat64_config_check(&c, &why), -1);
	c.pool4[0].port_max = 3000;
	assert_int_equal(nat64_config_check(&c, &why), 0);
	c.statics[0].proto = NAT64_UDP;
	t_v4("192.0.2.1", c.statics[0].v4);
	c.statics[0].port4 = 80; /* outside the port range */
	c.nstatic = 1;
	assert_int_equal(nat64_config_check(&c, &why), -1);
	assert_non_null(strstr(why, "static"));
	c.nstatic = 0;
	c.instance = 1;
	assert_int_equal(nat64_config_check(&c, &why), -1);
	c.instance = 0;
	c.timeout_udp = 0;
	assert_int_equal(nat64_config_check(&c, &why), -1);
	assert_string_equal(nat64_tcp_state_name(NAT64_TCP_V4_FIN_V6_FIN_RCV), "v4-fin-v6-fin-rcv");
	assert_string_equal(nat64_proto_name(NAT64_ICMP), "icmp");
}

/* Random traffic both ways with expiry: the counters always agree with the tables. */
struct count {
	uint64_t n[NAT64_NPROTO];
};

static bool count_cb(void *arg, const struct nat64_session_info *s)
{
	((struct count *)arg)->n[s->proto]++;
	return true;
}

static void test_churn(void **state)
{
	struct env e;
	env_cfg(&e);
	e.cfg.max_sessions = 512;
	e.cfg.max_sessions_per_subscriber = 200;
	e.cfg.timeout_udp = 30;
	e.cfg.timeout_tcp_trans = 20;
	e.cfg.timeout_icmp = 10;
	env_start(&e);
	uint64_t seed = t_seed("test_churn");
	for (int k = 0; k < 20000; k++) {
		char src[64], dst[64];
		snprintf(src, sizeof(src), "2001:db8:%x::%x", 1 + t_rand_below(&seed, 4), 1 + t_rand_below(&seed, 8));
		snprintf(dst, sizeof(dst), "2001:db8:64::cb00:71%02x", t_rand_below(&seed, 16));
		uint8_t proto = (uint8_t[]){ T_PROTO_TCP, T_PROTO_UDP, T_PROTO_ICMP }[t_rand_below(&seed, 3)];
		uint8_t flags = (uint8_t[]){ T_SYN, T_ACK, T_FIN, T_RST }[t_rand_below(&seed, 4)];
		struct res r = send6(&e, proto, src, (uint16_t)(1000 + t_rand_below(&seed, 50)), dst,
				     (uint16_t)(80 + t_rand_below(&seed, 3)), flags);
		if (r.action == XLAT_FORWARD && t_rand_below(&seed, 2)) {
			char rs[32];
			snprintf(rs, sizeof(rs), "203.0.113.%u", r.dst[3]);
			send4(&e, proto, rs, (uint16_t)r.dport, r.src, (uint16_t)r.sport,
			      (uint8_t[]){ T_SYN, T_ACK, T_FIN, T_RST }[t_rand_below(&seed, 4)]);
		}
		if (k % 100 == 0)
			tick(&e, t_rand_below(&seed, 5000));
		if (k % 1000 == 0) {
			struct nat64_stats st;
			nat64_get_stats(e.nat, &st);
			struct count c = { { 0 } };
			nat64_sessions_foreach(e.nat, count_cb, &c);
			for (int p = 0; p < NAT64_NPROTO; p++)
				assert_int_equal(c.n[p], st.sessions[p]);
			assert_true(st.sessions[0] + st.sessions[1] + st.sessions[2] <= 512);
			assert_int_equal(st.sessions_created - st.sessions_expired - st.sessions_flushed,
					 st.sessions[0] + st.sessions[1] + st.sessions[2]);
		}
	}
	tick(&e, 100000000); /* established sessions become transitory ... */
	tick(&e, 100000);    /* ... and go */
	struct nat64_stats st;
	nat64_get_stats(e.nat, &st);
	assert_int_equal(st.sessions[0] + st.sessions[1] + st.sessions[2], 0);
	assert_int_equal(st.bibs[0] + st.bibs[1] + st.bibs[2], 0);
	assert_int_equal(st.subscribers, 0);
	assert_int_equal(e.ev[NAT64_EV_BIB_ADD], e.ev[NAT64_EV_BIB_DEL]);
	assert_int_equal(e.ev[NAT64_EV_SESSION_ADD], e.ev[NAT64_EV_SESSION_DEL]);
	env_free(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_udp_round_trip_and_eim),
		cmocka_unit_test(test_udp_timeout_and_refresh),
		cmocka_unit_test(test_icmp_query),
		cmocka_unit_test(test_tcp_v6_init_to_established_and_idle),
		cmocka_unit_test(test_tcp_v6_init_expires),
		cmocka_unit_test(test_tcp_fin_v4_first),
		cmocka_unit_test(test_tcp_fin_v6_first),
		cmocka_unit_test(test_tcp_half_closed_expires_at_est),
		cmocka_unit_test(test_tcp_rst_trans),
		cmocka_unit_test(test_tcp_v4_init),
		cmocka_unit_test(test_syn4_kept_then_port_unreachable),
		cmocka_unit_test(test_syn4_simultaneous_open),
		cmocka_unit_test(test_syn4_bounds_and_policy),
		cmocka_unit_test(test_syn4_none_kept),
		cmocka_unit_test(test_port_parity_and_range),
		cmocka_unit_test(test_pool_exhausted),
		cmocka_unit_test(test_filtering),
		cmocka_unit_test(test_hairpin),
		cmocka_unit_test(test_offload_tcp),
		cmocka_unit_test(test_offload_udp_expiry),
		cmocka_unit_test(test_offload_hairpin_and_unset),
		cmocka_unit_test(test_limits_per_subscriber),
		cmocka_unit_test(test_limits_global),
		cmocka_unit_test(test_alarm_events),
		cmocka_unit_test(test_static_bib),
		cmocka_unit_test(test_icmp_error_inner),
		cmocka_unit_test(test_icmp_error_inner_direct),
		cmocka_unit_test(test_icmp_error_quote_checksum),
		cmocka_unit_test(test_fragments),
		cmocka_unit_test(test_wkp_non_global),
		cmocka_unit_test(test_port_blocks),
		cmocka_unit_test(test_instances),
		cmocka_unit_test(test_reconfigure),
		cmocka_unit_test(test_config_check),
		cmocka_unit_test(test_churn),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
