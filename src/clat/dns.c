#include "dns.h"

#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns64/dns64.h"
#include "sys/log.h"
#include "sys/packet.h"

#define CLAT_RESOLV_MAX_BYTES 8192

void clat_dns_init(struct clat_dns *d)
{
	memset(d, 0, sizeof(*d));
	d->fd = -1;
}

int clat_dns_open(struct clat_dns *d)
{
	if (d->fd < 0)
		d->fd = sys_udp_open();
	return d->fd;
}

void clat_dns_close(struct clat_dns *d)
{
	if (d->fd >= 0)
		close(d->fd);
	d->fd = -1;
	d->inflight = false;
}

void clat_dns_cancel(struct clat_dns *d, const char *why)
{
	d->inflight = false;
	snprintf(d->last, sizeof(d->last), "%s", why);
}

static const char *pfx_str(const struct clat_pfx *p, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	snprintf(buf, cap, "%s/%u", inet_ntop(AF_INET6, p->prefix, a, sizeof(a)), p->len);
	return buf;
}

static void done_fail(struct clat_dns *d, struct clat_prefixes *pm, int64_t now_s, const char *why)
{
	static struct log_ratelimit rl;
	d->inflight = false;
	d->failures++;
	clat_prefixes_dns64_fail(pm, now_s);
	snprintf(d->last, sizeof(d->last), "failed: %s", why);
	if (pm->dns.failures == 1 || log_enabled(LOG_LEVEL_DEBUG) || log_ratelimit_ok(&rl))
		log_info("DNS64: %s; next query in %lld s", why, (long long)(pm->dns.next_query - now_s));
}

/* Sends ipv4only.arpa AAAA to every resolver of resolv.conf. */
static void start(struct clat_dns *d, struct clat_prefixes *pm, const char *path, long now_ms, int64_t now_s)
{
	static char text[CLAT_RESOLV_MAX_BYTES];
	struct clat_nameserver ns[CLAT_RESOLV_MAX];
	uint8_t q[DNS64_QUERY_LEN];

	d->inflight = true;
	d->queries++;
	FILE *f = fopen(path, "re");
	size_t len = f ? fread(text, 1, sizeof(text), f) : 0;
	if (f)
		fclose(f);
	unsigned n = clat_resolv_parse(text, len, ns);
	if (n == 0) {
		done_fail(d, pm, now_s, f ? "no nameserver in resolv.conf" : "cannot read resolv.conf");
		return;
	}
	if (clat_dns_open(d) < 0) {
		done_fail(d, pm, now_s, strerror(errno));
		return;
	}
	if (getrandom(&d->id, sizeof(d->id), 0) != sizeof(d->id))
		d->id = (uint16_t)now_ms;
	size_t qlen = dns64_build_query(d->id, q, sizeof(q));
	d->nservers = d->nsent = d->nreplies = 0;
	int err = 0;
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_in6 *sa = &d->server[d->nservers];
		memset(sa, 0, sizeof(*sa));
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(DNS64_PORT);
		if (ns[i].v6) {
			memcpy(&sa->sin6_addr, ns[i].addr, 16);
			if (ns[i].scope[0])
				sa->sin6_scope_id = if_nametoindex(ns[i].scope);
		} else {
			static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
			memcpy(sa->sin6_addr.s6_addr, mapped, 12);
			memcpy(sa->sin6_addr.s6_addr + 12, ns[i].addr, 4);
		}
		d->nservers++;
		if (sendto(d->fd, q, qlen, 0, (struct sockaddr *)sa, sizeof(*sa)) == (ssize_t)qlen)
			d->nsent++;
		else
			err = errno;
	}
	if (!d->nsent) {
		done_fail(d, pm, now_s, strerror(err));
		return;
	}
	d->deadline_ms = now_ms + CLAT_DNS64_TIMEOUT_MS;
	log_debug("DNS64: asked %u resolver%s for ipv4only.arpa AAAA", d->nsent, d->nsent == 1 ? "" : "s");
}

bool clat_dns_tick(struct clat_dns *d, struct clat_prefixes *pm, const char *resolv_conf, long now_ms, int64_t now_s)
{
	if (d->inflight && now_ms >= d->deadline_ms) {
		done_fail(d, pm, now_s, "no answer from any resolver");
		return true;
	}
	if (!d->inflight && clat_prefixes_dns64_due(pm, now_s)) {
		uint64_t before = d->failures;
		start(d, pm, resolv_conf, now_ms, now_s);
		return d->failures != before;
	}
	return false;
}

static bool from_server(const struct clat_dns *d, const struct sockaddr_in6 *from)
{
	for (unsigned i = 0; i < d->nservers; i++)
		if (from->sin6_port == d->server[i].sin6_port && memcmp(&from->sin6_addr, &d->server[i].sin6_addr, 16) == 0)
			return true;
	return false;
}

bool clat_dns_on_readable(struct clat_dns *d, struct clat_prefixes *pm, long now_ms, int64_t now_s)
{
	uint8_t buf[1500];
	struct sockaddr_in6 from;
	socklen_t flen;
	ssize_t n;
	char p[INET6_ADDRSTRLEN + 4];
	bool changed = false;
	(void)now_ms;

	while (flen = sizeof(from), (n = recvfrom(d->fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen)) >= 0) {
		if (!d->inflight || !from_server(d, &from))
			continue; /* late, or not from a resolver we asked */
		struct dns64_result res;
		enum dns64_status st = dns64_parse_response(buf, (size_t)n, d->id, &res);
		if (st == DNS64_ID_MISMATCH)
			continue; /* an answer to an earlier query */
		if (st == DNS64_OK) {
			struct clat_pfx x = { .len = res.prefix[0].len };
			memcpy(x.prefix, res.prefix[0].prefix, 16);
			bool fresh = !pm->src[CLAT_PSRC_DNS64].valid || memcmp(&pm->src[CLAT_PSRC_DNS64].p, &x, sizeof(x)) != 0;
			d->inflight = false;
			d->answers++;
			clat_prefixes_dns64_ok(pm, &x, res.ttl, now_s);
			snprintf(d->last, sizeof(d->last), "ok: %s, TTL %u s (%u prefix%s)", pfx_str(&x, p, sizeof(p)), res.ttl,
				 res.nprefix, res.nprefix == 1 ? "" : "es");
			if (fresh)
				log_info("DNS64: ipv4only.arpa gives %s, TTL %u s; next query in %lld s", p, res.ttl,
					 (long long)clat_dns64_refresh_delay(res.ttl));
			else
				log_debug("DNS64: %s again, TTL %u s", p, res.ttl);
			changed = true;
			continue;
		}
		if (++d->nreplies >= d->nsent) {
			char why[64];
			snprintf(why, sizeof(why), "no NAT64 prefix in the answer (%s)", dns64_status_name(st));
			done_fail(d, pm, now_s, why);
			changed = true;
		}
	}
	return changed;
}
