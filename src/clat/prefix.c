/* The CLAT's prefix manager (prefix.h): pure logic on a clock passed in. */
#include "prefix.h"

#include <arpa/inet.h>
#include <string.h>

static const char *const psrc_names[CLAT_PSRC__COUNT] = { "ra-pref64", "dns64", "static" };

const char *clat_psrc_name(enum clat_psrc s)
{
	return (unsigned)s < CLAT_PSRC__COUNT ? psrc_names[s] : "none";
}

void clat_prefixes_init(struct clat_prefixes *m, int64_t now)
{
	memset(m, 0, sizeof(*m));
	m->dns.next_query = now;
}

static bool pfx_equal(const struct clat_pfx *a, const struct clat_pfx *b)
{
	return a->len == b->len && memcmp(a->prefix, b->prefix, 16) == 0;
}

void clat_prefixes_set(struct clat_prefixes *m, enum clat_psrc s, const struct clat_pfx *p, uint32_t lifetime,
		       int64_t now)
{
	struct clat_psrc_slot *x = &m->src[s];
	if (s != CLAT_PSRC_STATIC && lifetime == 0) {
		clat_prefixes_clear(m, s);
		return;
	}
	x->valid = true;
	x->p = *p;
	x->learned = now;
	x->lifetime = s == CLAT_PSRC_STATIC ? 0 : lifetime;
	x->expires = s == CLAT_PSRC_STATIC ? CLAT_PREFIX_FOREVER : now + (int64_t)lifetime;
}

void clat_prefixes_clear(struct clat_prefixes *m, enum clat_psrc s)
{
	memset(&m->src[s], 0, sizeof(m->src[s]));
}

bool clat_prefixes_on_ra(struct clat_prefixes *m, const struct ndp_pref64 *list, unsigned n, int64_t now)
{
	struct clat_psrc_slot *x = &m->src[CLAT_PSRC_PREF64];
	struct clat_psrc_slot before = *x;

	/* RFC 8781 section 4.1: lifetime 0 means the prefix is no longer to be used. */
	for (unsigned i = 0; i < n; i++) {
		struct clat_pfx p = { .len = list[i].len };
		memcpy(p.prefix, list[i].prefix, 16);
		if (list[i].lifetime == 0 && x->valid && pfx_equal(&p, &x->p))
			clat_prefixes_clear(m, CLAT_PSRC_PREF64);
	}
	for (unsigned i = 0; i < n; i++) {
		if (list[i].lifetime == 0)
			continue;
		struct clat_pfx p = { .len = list[i].len };
		memcpy(p.prefix, list[i].prefix, 16);
		clat_prefixes_set(m, CLAT_PSRC_PREF64, &p, list[i].lifetime, now);
		break;
	}
	return before.valid != x->valid || (x->valid && !pfx_equal(&before.p, &x->p));
}

int clat_prefixes_select(struct clat_prefixes *m, int64_t now)
{
	int best = -1;
	for (int s = 0; s < CLAT_PSRC__COUNT; s++) {
		if (m->src[s].valid && m->src[s].expires <= now)
			clat_prefixes_clear(m, (enum clat_psrc)s);
		if (m->src[s].valid && best < 0)
			best = s;
	}
	return best;
}

int64_t clat_prefixes_next_expiry(const struct clat_prefixes *m)
{
	int64_t t = CLAT_PREFIX_FOREVER;
	for (int s = 0; s < CLAT_PSRC__COUNT; s++)
		if (m->src[s].valid && m->src[s].expires < t)
			t = m->src[s].expires;
	return t;
}

bool clat_prefixes_dns64_due(const struct clat_prefixes *m, int64_t now)
{
	return now >= m->dns.next_query;
}

int64_t clat_dns64_refresh_delay(uint32_t ttl)
{
	int64_t d = (int64_t)ttl - CLAT_DNS64_REFRESH_MARGIN;
	return d < CLAT_DNS64_MIN_REFRESH ? CLAT_DNS64_MIN_REFRESH : d;
}

void clat_prefixes_dns64_ok(struct clat_prefixes *m, const struct clat_pfx *p, uint32_t ttl, int64_t now)
{
	uint32_t life = ttl < CLAT_DNS64_MIN_LIFETIME ? CLAT_DNS64_MIN_LIFETIME : ttl;
	clat_prefixes_set(m, CLAT_PSRC_DNS64, p, life, now);
	m->src[CLAT_PSRC_DNS64].lifetime = ttl; /* shown as the TTL */
	m->dns.failures = 0;
	m->dns.first_fail = 0;
	m->dns.retry_delay = 0;
	m->dns.last_ttl = ttl;
	m->dns.next_query = now + clat_dns64_refresh_delay(ttl);
}

void clat_prefixes_dns64_fail(struct clat_prefixes *m, int64_t now)
{
	struct clat_dns64_sched *d = &m->dns;
	if (d->failures++ == 0)
		d->first_fail = now;
	int64_t delay = CLAT_DNS64_RETRY;
	if (now - d->first_fail >= CLAT_DNS64_RETRY_PHASE) {
		delay = (d->retry_delay < CLAT_DNS64_RETRY ? CLAT_DNS64_RETRY : d->retry_delay) * 2;
		if (delay > CLAT_DNS64_MAX_BACKOFF)
			delay = CLAT_DNS64_MAX_BACKOFF;
	}
	d->retry_delay = delay;
	d->next_query = now + delay;
}

/* ---- /etc/resolv.conf -------------------------------------------------------------------------- */

static bool is_blank(char ch) { return ch == ' ' || ch == '\t' || ch == '\r'; }

static bool parse_nameserver(const char *s, size_t n, struct clat_nameserver *ns)
{
	char buf[INET6_ADDRSTRLEN + 16];
	if (n == 0 || n >= sizeof(buf))
		return false;
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(ns, 0, sizeof(*ns));
	char *pct = strchr(buf, '%');
	if (pct) {
		*pct = '\0';
		if (strlen(pct + 1) >= sizeof(ns->scope))
			return false;
		strcpy(ns->scope, pct + 1);
	}
	if (inet_pton(AF_INET6, buf, ns->addr) == 1) {
		ns->v6 = true;
		return true;
	}
	return !pct && inet_pton(AF_INET, buf, ns->addr) == 1;
}

unsigned clat_resolv_parse(const char *text, size_t len, struct clat_nameserver out[CLAT_RESOLV_MAX])
{
	static const char kw[] = "nameserver";
	unsigned count = 0;
	size_t i = 0;

	while (i < len && count < CLAT_RESOLV_MAX) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		size_t p = i;
		while (p < end && is_blank(text[p]))
			p++;
		if (end - p > sizeof(kw) - 1 && memcmp(text + p, kw, sizeof(kw) - 1) == 0 &&
		    is_blank(text[p + sizeof(kw) - 1])) {
			p += sizeof(kw) - 1;
			while (p < end && is_blank(text[p]))
				p++;
			size_t q = p;
			while (q < end && !is_blank(text[q]) && text[q] != '#' && text[q] != ';')
				q++;
			if (parse_nameserver(text + p, q - p, &out[count]))
				count++;
		}
		i = end + 1;
	}
	return count;
}
