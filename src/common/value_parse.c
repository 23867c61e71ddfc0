/* The shared value parsers (value_parse.h). */
#include "value_parse.h"

#include <arpa/inet.h>
#include <string.h>

#include "common/cfgtext.h"

bool value_uint(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	uint64_t x = 0;
	size_t n = strlen(v);
	if (n == 0 || n > 10)
		return false;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return false;
		x = x * 10 + (uint64_t)(v[i] - '0');
	}
	if (x < lo || x > hi)
		return false;
	*out = (uint32_t)x;
	return true;
}

bool value_host_bits_zero(const uint8_t *a, unsigned bytes, unsigned len)
{
	for (unsigned bit = len; bit < bytes * 8; bit++)
		if (a[bit / 8] & (0x80 >> (bit % 8)))
			return false;
	return true;
}

/* Splits "ADDR/LEN" (LEN optional: the full length) into the address text and its length. */
static bool split_prefix(const char *s, char *addr, size_t cap, unsigned maxlen, unsigned *len)
{
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	uint32_t l = maxlen;
	if (alen == 0 || alen >= cap)
		return false;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	if (slash && (strlen(slash + 1) > 3 || !value_uint(slash + 1, 0, maxlen, &l)))
		return false;
	*len = l;
	return true;
}

bool value_prefix4(const char *s, struct xlat_prefix4 *p)
{
	char a[INET_ADDRSTRLEN];
	unsigned len;
	if (!split_prefix(s, a, sizeof(a), 32, &len) || inet_pton(AF_INET, a, p->addr) != 1)
		return false;
	p->len = (uint8_t)len;
	return true;
}

bool value_prefix6(const char *s, struct xlat_prefix6 *p)
{
	char a[INET6_ADDRSTRLEN];
	unsigned len;
	if (!split_prefix(s, a, sizeof(a), 128, &len) || inet_pton(AF_INET6, a, p->addr) != 1)
		return false;
	p->len = (uint8_t)len;
	return true;
}

int value_nat64_prefix(const char *v, struct xlat_prefix6 *p, char *err, size_t errlen)
{
	if (!strchr(v, '/') || !value_prefix6(v, p))
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 prefix (ADDR/LEN)", v);
	if (!xlat_rfc6052_len_ok(p->len))
		return cfgtext_err(err, errlen, "prefix length %u is not an RFC 6052 length (32, 40, 48, 56, 64, 96)", p->len);
	if (!value_host_bits_zero(p->addr, 16, p->len))
		return cfgtext_err(err, errlen, "'%.64s' has bits set beyond its length /%u", v, p->len);
	if (p->len > 64 && p->addr[8] != 0)
		return cfgtext_err(err, errlen, "'%.64s': bits 64 to 71 (the u-octet) must be zero (RFC 6052 section 2.2)", v);
	return 0;
}

int value_addr4(const char *v, uint8_t a[4], char *err, size_t errlen)
{
	if (inet_pton(AF_INET, v, a) != 1)
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv4 address (a.b.c.d)", v);
	return 0;
}

int value_unicast6(const char *v, uint8_t a[16], char *err, size_t errlen)
{
	static const uint8_t zero[16], one[16] = { [15] = 1 };
	if (inet_pton(AF_INET6, v, a) != 1)
		return cfgtext_err(err, errlen, "'%.64s' is not an IPv6 address", v);
	if (a[0] == 0xff || memcmp(a, zero, 16) == 0 || memcmp(a, one, 16) == 0)
		return cfgtext_err(err, errlen, "'%.64s' is not a unicast address", v);
	return 0;
}

/* One CPU number at *p, moved past it. 0, or -1 with the problem in err (v: the whole list). */
static int take_cpu(const char **p, const char *v, uint32_t *cpu, char *err, size_t errlen)
{
	char num[12];
	size_t k = strspn(*p, "0123456789");
	if (k == 0 || k >= sizeof(num))
		return cfgtext_err(err, errlen, "'%s' is not a CPU list (like 0-3,6) or none", v);
	memcpy(num, *p, k);
	num[k] = '\0';
	if (!value_uint(num, 0, VALUE_CPU_MAX - 1, cpu))
		return cfgtext_err(err, errlen, "CPU %s is above %u", num, VALUE_CPU_MAX - 1);
	*p += k;
	return 0;
}

int value_cpus(const char *v, struct value_cpus *c, char *err, size_t errlen)
{
	struct value_cpus out = { 0 };
	if (strcmp(v, "none") == 0) {
		*c = out;
		return 0;
	}
	const char *p = v;
	for (;;) {
		uint32_t lo, hi;
		if (take_cpu(&p, v, &lo, err, errlen) < 0)
			return -1;
		hi = lo;
		if (*p == '-') {
			p++;
			if (take_cpu(&p, v, &hi, err, errlen) < 0)
				return -1;
			if (hi < lo)
				return cfgtext_err(err, errlen, "range %u-%u runs backwards", lo, hi);
		}
		for (uint32_t cpu = lo; cpu <= hi; cpu++) {
			if (out.n == VALUE_CPUS_MAX)
				return cfgtext_err(err, errlen, "more than %u CPUs", VALUE_CPUS_MAX);
			out.cpu[out.n++] = (uint16_t)cpu;
		}
		if (*p == '\0')
			break;
		if (*p != ',')
			return cfgtext_err(err, errlen, "'%s' is not a CPU list (like 0-3,6) or none", v);
		p++;
	}
	*c = out;
	return 0;
}

void value_cpus_format(const struct value_cpus *c, char *buf, size_t cap)
{
	struct cfgtext_buf b = { buf, cap, 0 };
	if (cap)
		buf[0] = '\0';
	if (c->n == 0) {
		cfgtext_add(&b, "none");
		return;
	}
	for (unsigned i = 0; i < c->n;) {
		unsigned j = i;
		while (j + 1 < c->n && c->cpu[j + 1] == c->cpu[j] + 1)
			j++;
		if (j - i >= 1)
			cfgtext_add(&b, "%s%u-%u", i ? "," : "", c->cpu[i], c->cpu[j]);
		else
			cfgtext_add(&b, "%s%u", i ? "," : "", c->cpu[i]);
		i = j + 1;
	}
}
