/* RFC 6147's decisions for a selective DNS64 (dns64_synth.h). */
#include "dns64_synth.h"

#include <stdio.h>
#include <string.h>

const uint8_t dns64_ipv4only_addrs[2][4] = { { 192, 0, 0, 170 }, { 192, 0, 0, 171 } };

static const char *const kind_names[DNS64_CLIENT__COUNT] = { "clat", "no-clat", "unknown" };

const char *dns64_client_kind_name(enum dns64_client_kind k)
{
	return (unsigned)k < DNS64_CLIENT__COUNT ? kind_names[k] : "?";
}

static const char *const pass_names[DNS64_PASS__COUNT] = {
	"clat", "real-aaaa", "nxdomain", "cd-do", "truncated", "no-a", "not-aaaa",
};

const char *dns64_pass_reason_name(enum dns64_pass_reason r)
{
	return (unsigned)r < DNS64_PASS__COUNT ? pass_names[r] : "?";
}

static const char *const drop_names[DNS64_DROP__COUNT] = {
#define DNS64_X_NAME(e, n, d) n,
	DNS64_DROPS(DNS64_X_NAME)
#undef DNS64_X_NAME
};
static const char *const drop_descs[DNS64_DROP__COUNT] = {
#define DNS64_X_DESC(e, n, d) d,
	DNS64_DROPS(DNS64_X_DESC)
#undef DNS64_X_DESC
};

const char *dns64_drop_name(enum dns64_drop d)
{
	return (unsigned)d < DNS64_DROP__COUNT ? drop_names[d] : "?";
}

const char *dns64_drop_desc(enum dns64_drop d)
{
	return (unsigned)d < DNS64_DROP__COUNT ? drop_descs[d] : "?";
}

enum dns64_client_kind dns64_classify(bool have_mac, bool seen, bool asked108)
{
	if (!have_mac || !seen)
		return DNS64_CLIENT_UNKNOWN;
	return asked108 ? DNS64_CLIENT_CLAT : DNS64_CLIENT_NO_CLAT;
}

bool dns64_client_synthesizes(enum dns64_client_kind k, enum dns64_unknown_policy p)
{
	switch (k) {
	case DNS64_CLIENT_NO_CLAT:
		return true;
	case DNS64_CLIENT_UNKNOWN:
		return p == DNS64_UNKNOWN_SYNTHESIZE;
	default:
		return false;
	}
}

enum dns64_aaaa_action dns64_aaaa_decide(const struct dns64_aaaa_facts *f, enum dns64_pass_reason *why)
{
	/* Section 5.5, item 3: CD and DO set, the client validates; it gets the data as is. */
	if (f->cd && f->dok) {
		*why = DNS64_PASS_CD_DO;
		return DNS64_PASS;
	}
	if (f->truncated) {
		*why = DNS64_PASS_TRUNCATED;
		return DNS64_PASS;
	}
	/* Section 5.1.2: a name error is final. */
	if (f->rcode == DNS64_RCODE_NXDOMAIN) {
		*why = DNS64_PASS_NXDOMAIN;
		return DNS64_PASS;
	}
	/* Section 5.1.2: any other error counts as an empty answer; section 5.1.1 and 5.1.4: real AAAA
	 * records outside the excluded ranges are returned, without the excluded ones. */
	if (f->rcode == DNS64_RCODE_NOERROR && f->aaaa > f->aaaa_excluded) {
		*why = DNS64_PASS_REAL_AAAA;
		return f->aaaa_excluded ? DNS64_PASS_FILTERED : DNS64_PASS;
	}
	return DNS64_SYNTHESIZE;
}

uint32_t dns64_synth_ttl(uint32_t a_ttl, bool have_soa, uint32_t soa_ttl)
{
	/* RFC 2181 section 8: a TTL with the top bit set is 0 */
	if (a_ttl & 0x80000000u)
		a_ttl = 0;
	if (soa_ttl & 0x80000000u)
		soa_ttl = 0;
	uint32_t cap = have_soa ? soa_ttl : DNS64_SYNTH_TTL_NO_SOA;
	return a_ttl < cap ? a_ttl : cap;
}

bool dns64_excluded(const struct dns64_exclude *ex, const uint8_t a[16])
{
	/* ::ffff:0:0/96, IPv4-mapped addresses, MUST be excluded (section 5.1.4) */
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	if (memcmp(a, mapped, sizeof(mapped)) == 0)
		return true;
	for (unsigned i = 0; ex && i < ex->n && i < DNS64_EXCLUDE_MAX; i++)
		if (xlat_prefix6_match(&ex->p[i], a))
			return true;
	return false;
}

void dns64_synth_addr(const struct xlat_prefix6 *prefix, const uint8_t v4[4], uint8_t out[16])
{
	xlat_rfc6052_embed(prefix, v4, out);
}

static int lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

/* Does s (len bytes) equal lowercase word w, ignoring case? */
static bool eq_nocase(const char *s, size_t len, const char *w)
{
	if (strlen(w) != len)
		return false;
	for (size_t i = 0; i < len; i++)
		if (lower((unsigned char)s[i]) != w[i])
			return false;
	return true;
}

static size_t name_len(const char *qname)
{
	size_t n = strlen(qname);
	if (n && qname[n - 1] == '.')
		n--;
	return n;
}

bool dns64_is_ipv4only(const char *qname)
{
	return eq_nocase(qname, name_len(qname), "ipv4only.arpa");
}

static int nibble(int c)
{
	c = lower(c);
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

bool dns64_ptr_target(const struct xlat_prefix6 *prefix, const char *qname, char *out, size_t cap)
{
	/* 32 labels of one nibble each, least significant first, then ip6.arpa (RFC 3596 section 2.5) */
	size_t n = name_len(qname);
	uint8_t a[16] = { 0 };
	if (n != 64 + 8 || !eq_nocase(qname + 64, 8, "ip6.arpa"))
		return false;
	for (unsigned i = 0; i < 32; i++) {
		int v = nibble((unsigned char)qname[2 * i]);
		if (v < 0 || qname[2 * i + 1] != '.')
			return false;
		unsigned pos = 31 - i; /* nibble index from the most significant */
		a[pos / 2] |= (uint8_t)(pos % 2 ? v : v << 4);
	}
	if (!xlat_prefix6_match(prefix, a))
		return false;
	/* RFC 6052 section 2.2: the suffix is zero for a synthesized address; with another suffix the
	 * name is not one dns64 made */
	uint8_t v4[4], back[16];
	xlat_rfc6052_extract(prefix, a, v4);
	xlat_rfc6052_embed(prefix, v4, back);
	if (memcmp(a, back, 16) != 0)
		return false;
	int k = snprintf(out, cap, "%u.%u.%u.%u.in-addr.arpa.", v4[3], v4[2], v4[1], v4[0]);
	return k > 0 && (size_t)k < cap;
}
