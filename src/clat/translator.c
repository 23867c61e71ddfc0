#include "translator.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "xlat/offload.h"

const uint8_t clat_host4[4] = { 192, 0, 0, 1 };
static const uint8_t clat_self4[4] = { 192, 0, 0, 2 };
static const uint8_t clat_rfc6791v4[4] = { 192, 0, 0, 8 };

void clat_translator_init(struct clat_translator *t, const uint8_t clat6[16], unsigned mtu4, unsigned mtu6)
{
	memset(t, 0, sizeof(*t));
	xlat_ctx_init(&t->ctx, &t->cfg);
	clat_translator_set(t, clat6, NULL, mtu4, mtu6);
}

int clat_translator_set(struct clat_translator *t, const uint8_t clat6[16], const struct xlat_prefix6 *pool6,
			unsigned mtu4, unsigned mtu6)
{
	struct xlat_config *c = &t->cfg;
	const char *why = NULL;
	struct xlat_prefix4 v4 = { .len = 32 };
	struct xlat_prefix6 v6 = { .len = 128 };

	memset(&t->map, 0, sizeof(t->map));
	xlat_config_init(c);
	memcpy(v4.addr, clat_host4, 4);
	memcpy(v6.addr, clat6, 16);
	int r = xlat_siit_map_add_eam(&t->map, &v4, &v6, &why);
	xlat_siit_map_set_pool6(&t->map, pool6);
	c->policy = xlat_siit_policy(&t->map);
	c->has_self4 = c->has_self6 = c->has_rfc6791v4 = true;
	memcpy(c->self4, clat_self4, 4);
	memcpy(c->self6, clat6, 16);
	memcpy(c->rfc6791v4, clat_rfc6791v4, 4);
	c->mtu4 = mtu4;
	c->mtu6 = mtu6;
	c->decrement_ttl = false;
	c->amend_udp_zero_csum = true;
	t->ctx.cfg = c;
	xlat_offload_config(c, &t->lifted);
	return r;
}

size_t clat_translator_format(const struct clat_translator *t, char *buf, size_t cap)
{
	const struct xlat_config *c = &t->cfg;
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN], p[INET6_ADDRSTRLEN + 4];
	const struct xlat_eam *e = &t->map.eam[0];
	if (t->map.has_pool6)
		snprintf(p, sizeof(p), "%s/%u", inet_ntop(AF_INET6, t->map.pool6.addr, d, sizeof(d)), t->map.pool6.len);
	else
		snprintf(p, sizeof(p), "none");
	int n = snprintf(buf, cap,
			 "pool6 %s\neam %s/%u %s/%u\nrfc6791v4 %s\nself4 192.0.0.2\nself6 %s\nlowest-ipv6-mtu %u\n"
			 "mtu4 %u\nmtu6 %u\namend-udp-checksum-zero yes\nreassembly-max %u\nreassembly-timeout-ms %u\nrouter no\n",
			 p, inet_ntop(AF_INET, e->v4.addr, a, sizeof(a)), e->v4.len,
			 inet_ntop(AF_INET6, e->v6.addr, b, sizeof(b)), e->v6.len, "192.0.0.8",
			 inet_ntop(AF_INET6, c->self6, d, sizeof(d)), c->lowest_ipv6_mtu, c->mtu4, c->mtu6, c->reasm_max,
			 c->reasm_timeout_ms);
	if (n < 0)
		return 0;
	return (size_t)n < cap ? (size_t)n : (cap ? cap - 1 : 0);
}
