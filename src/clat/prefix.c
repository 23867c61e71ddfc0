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

/* Drops the PREF64s past their expiry. */
static void expire_ra(struct clat_prefixes *m, int64_t now)
{
	unsigned k = 0;
	for (unsigned i = 0; i < m->nra; i++)
		if (m->ra[i].expires > now)
			m->ra[k++] = m->ra[i];
	m->nra = k;
}

/* Is a a better successor than b? One its router still announces, the longest remaining lifetime, then the most recently heard,
 * then the longer prefix (a /96, the common case), then the lower (so the choice does not depend on
 * the order heard). */
static bool better_pref64(const struct clat_pref64 *a, const struct clat_pref64 *b)
{
	if (a->announced != b->announced)
		return a->announced;
	if (a->expires != b->expires)
		return a->expires > b->expires;
	if (a->learned != b->learned)
		return a->learned > b->learned;
	if (a->p.len != b->p.len)
		return a->p.len > b->p.len;
	return memcmp(a->p.prefix, b->p.prefix, 16) < 0;
}

/* The PREF64 in use: the one in use while it stays valid and announced, else the best successor. */
static void choose_pref64(struct clat_prefixes *m)
{
	struct clat_psrc_slot *x = &m->src[CLAT_PSRC_PREF64];
	int pick = -1;
	for (unsigned i = 0; i < m->nra; i++) {
		if (x->valid && m->ra[i].announced && pfx_equal(&m->ra[i].p, &x->p)) {
			pick = (int)i;
			break;
		}
		if (pick < 0 || better_pref64(&m->ra[i], &m->ra[pick]))
			pick = (int)i;
	}
	if (pick < 0) {
		clat_prefixes_clear(m, CLAT_PSRC_PREF64);
		return;
	}
	const struct clat_pref64 *e = &m->ra[pick];
	x->valid = true;
	x->p = e->p;
	x->lifetime = e->lifetime;
	x->learned = e->learned;
	x->expires = e->expires;
}

void clat_prefixes_clear_ra(struct clat_prefixes *m)
{
	m->nra = 0;
	clat_prefixes_clear(m, CLAT_PSRC_PREF64);
}

bool clat_prefixes_on_ra(struct clat_prefixes *m, const uint8_t router[16], const struct ndp_pref64 *list, unsigned n,
			 int64_t now)
{
	struct clat_psrc_slot *x = &m->src[CLAT_PSRC_PREF64];
	struct clat_psrc_slot before = *x;

	expire_ra(m, now);
	/* What this router announced before and leaves out now is no longer announced (still valid). */
	for (unsigned k = 0; n && k < m->nra; k++)
		if (memcmp(m->ra[k].router, router, 16) == 0)
			m->ra[k].announced = false;
	for (unsigned i = 0; i < n; i++) {
		struct clat_pfx p = { .len = list[i].len };
		memcpy(p.prefix, list[i].prefix, 16);
		unsigned at = m->nra;
		for (unsigned k = 0; k < m->nra; k++)
			if (pfx_equal(&m->ra[k].p, &p))
				at = k;
		if (list[i].lifetime == 0) { /* RFC 8781 section 4.1: no longer to be used */
			if (at < m->nra)
				m->ra[at] = m->ra[--m->nra];
			continue;
		}
		if (at == m->nra) {
			if (m->nra >= CLAT_PREF64_MAX)
				continue;
			m->nra++;
		}
		m->ra[at] = (struct clat_pref64){ .p = p, .announced = true, .lifetime = list[i].lifetime, .learned = now,
						  .expires = now + (int64_t)list[i].lifetime };
		memcpy(m->ra[at].router, router, 16);
	}
	choose_pref64(m);
	return before.valid != x->valid || (x->valid && !pfx_equal(&before.p, &x->p));
}

int clat_prefixes_select(struct clat_prefixes *m, int64_t now)
{
	bool had_pref64 = m->src[CLAT_PSRC_PREF64].valid;
	expire_ra(m, now);
	choose_pref64(m);
	int best = -1;
	for (int s = 0; s < CLAT_PSRC__COUNT; s++) {
		if (m->src[s].valid && m->src[s].expires <= now)
			clat_prefixes_clear(m, (enum clat_psrc)s);
		if (m->src[s].valid && best < 0)
			best = s;
	}
	/* The last PREF64 went: DNS64, the fallback, is asked now unless its prefix is still good. */
	if (had_pref64 && !m->src[CLAT_PSRC_PREF64].valid && !m->src[CLAT_PSRC_DNS64].valid && m->dns.next_query > now)
		m->dns.next_query = now;
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
	return now >= m->dns.next_query && !m->src[CLAT_PSRC_PREF64].valid;
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
