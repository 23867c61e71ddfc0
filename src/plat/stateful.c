/* The stateful mode: lib/nat64 (RFC 6146) behind the plat_sf_* calls of stateful.h. */
#include <string.h>

#include "stateful.h"

struct nat64 *plat_sf_create(const struct nat64_config *cfg, uint64_t seed, const char **why)
{
	return nat64_create(cfg, seed, why);
}
void plat_sf_destroy(struct nat64 *nat) { nat64_destroy(nat); }
int plat_sf_reconfigure(struct nat64 *nat, const struct nat64_config *cfg, const char **why)
{
	return nat64_reconfigure(nat, cfg, why);
}
struct xlat_policy plat_sf_policy(struct nat64 *nat) { return nat64_policy(nat); }
void plat_sf_set_now(struct nat64 *nat, uint64_t now_ms) { nat64_set_now(nat, now_ms); }
unsigned plat_sf_expire(struct nat64 *nat, uint64_t now_ms, unsigned budget)
{
	return nat64_expire(nat, now_ms, budget);
}
void plat_sf_set_log(struct nat64 *nat, nat64_log_fn fn, void *arg, unsigned what) { nat64_set_log(nat, fn, arg, what); }
void plat_sf_set_offload(struct nat64 *nat, const struct nat64_offload_ops *ops, void *arg)
{
	nat64_set_offload(nat, ops, arg);
}
void plat_sf_syn4_keep(struct nat64 *nat, const uint8_t *pkt, size_t len) { nat64_syn4_keep(nat, pkt, len); }
bool plat_sf_syn4_due(struct nat64 *nat, uint64_t now_ms, struct nat64_syn4_due *due)
{
	return nat64_syn4_due(nat, now_ms, due);
}
void plat_sf_get_stats(const struct nat64 *nat, struct nat64_stats *st) { nat64_get_stats(nat, st); }
unsigned plat_sf_top(const struct nat64 *nat, struct nat64_subscriber_usage *out, unsigned max)
{
	return nat64_top_subscribers(nat, out, max);
}

struct collect {
	struct plat_session_rec *recs;
	uint64_t n, max, now_ms;
};

static bool collect_one(void *arg, const struct nat64_session_info *s)
{
	struct collect *c = arg;
	if (c->n < c->max) {
		struct plat_session_rec *r = &c->recs[c->n];
		memset(r, 0, sizeof(*r));
		r->proto = (uint8_t)s->proto;
		r->is_static = s->is_static;
		r->port6 = s->port6;
		r->port4 = s->port4;
		r->remote_port = s->remote_port;
		memcpy(r->v6, s->v6, 16);
		memcpy(r->v4, s->v4, 4);
		memcpy(r->remote4, s->remote4, 4);
		if (s->proto == NAT64_TCP)
			strncpy(r->state, nat64_tcp_state_name(s->tcp_state), sizeof(r->state) - 1);
		r->expires_in_ms = s->expires_ms > c->now_ms ? s->expires_ms - c->now_ms : 0;
	}
	c->n++;
	return true;
}

uint64_t plat_sf_sessions(const struct nat64 *nat, uint64_t now_ms, struct plat_session_rec *recs, uint64_t max)
{
	struct collect c = { recs, 0, max, now_ms };
	nat64_sessions_foreach(nat, collect_one, &c);
	return c.n;
}
unsigned plat_sf_flush(struct nat64 *nat, enum nat64_proto proto) { return nat64_flush(nat, proto); }
