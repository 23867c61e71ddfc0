/* The redactor of `xlat464 report` (redact.h). It reads text as words of address characters
 * ([0-9A-Za-z_.:]) and rewrites only the words that parse as an address, whole or with a port
 * after it (192.0.2.1:53, [2001:db8::1]:53's inside, tcpdump's 192.0.2.1.53); every other byte is
 * copied. Nothing is trusted: a word is cut at WORD_MAX before it is parsed, and every write is
 * checked against the output's room. */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "redact.h"

#define WORD_MAX 63 /* longer than any address with a port: such a word is copied as it is */
#define SECRET_MARK "<removed by xlat464 report>"

struct out {
	char *p;
	size_t len, cap;
	int full;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->full || n > o->cap - o->len) {
		o->full = 1;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static int is_word(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '.' || c == ':';
}

/* ---- IPv4 --------------------------------------------------------------------------------------- */

/* Strict dotted quad: four decimal numbers of 1 to 3 digits, each at most 255. */
static int parse4(const char *s, size_t n, uint8_t a[4])
{
	size_t i = 0;
	for (int k = 0; k < 4; k++) {
		unsigned v = 0, digits = 0;
		while (i < n && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i] - '0');
			i++;
			digits++;
		}
		if (digits == 0 || digits > 3 || v > 255)
			return -1;
		a[k] = (uint8_t)v;
		if (k < 3) {
			if (i >= n || s[i] != '.')
				return -1;
			i++;
		}
	}
	return i == n ? 0 : -1;
}

/* Well-known IPv4 addresses, the same on every host: nothing to hide. */
static int keep4(const uint8_t a[4])
{
	if (a[0] == 0 || a[0] == 127 || a[0] >= 224) /* this network, loopback, multicast and above */
		return 1;
	/* RFC 7335: the CLAT's 192.0.0.0/29; RFC 7600: the dummy address 192.0.0.8 */
	if (a[0] == 192 && a[1] == 0 && a[2] == 0 && a[3] <= 8)
		return 1;
	return 0;
}

static void emit4(struct out *o, const uint8_t a[4])
{
	char buf[24];
	/* REDACT_KEEP4 = 24: the host part is the last byte; zero (a prefix) and 255 (the /24's
	 * broadcast) name no host */
	if (keep4(a) || a[3] == 0 || a[3] == 255)
		snprintf(buf, sizeof(buf), "%u.%u.%u.%u", a[0], a[1], a[2], a[3]);
	else
		snprintf(buf, sizeof(buf), "%u.%u.%u.x", a[0], a[1], a[2]);
	puts_(o, buf);
}

/* ---- IPv6 --------------------------------------------------------------------------------------- */

static const uint8_t wkp96[12] = { 0x00, 0x64, 0xff, 0x9b };			 /* 64:ff9b::/96, RFC 6052 */
static const uint8_t mapped96[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff }; /* ::ffff:0:0/96 */
static const uint8_t zero15[15];							 /* ::1 is zero15 then 1 */

static int parse6(const char *s, size_t n, uint8_t a[16])
{
	char buf[WORD_MAX + 1];
	if (n == 0 || n > WORD_MAX || !memchr(s, ':', n))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return inet_pton(AF_INET6, buf, a) == 1 ? 0 : -1;
}

static void emit6(struct out *o, const uint8_t a[16])
{
	char buf[INET6_ADDRSTRLEN + 4];
	uint8_t z[16];
	int host_zero = 1;

	for (int i = REDACT_KEEP6 / 8; i < 16; i++)
		host_zero &= a[i] == 0;
	/* kept as is: a prefix (host part zero), ::1, multicast (ff00::/8) */
	if (host_zero || a[0] == 0xff || (memcmp(a, zero15, 15) == 0 && a[15] == 1)) {
		inet_ntop(AF_INET6, a, buf, sizeof(buf));
		puts_(o, buf);
		return;
	}
	if (memcmp(a, wkp96, 12) == 0 || memcmp(a, mapped96, 12) == 0) {
		puts_(o, memcmp(a, wkp96, 12) == 0 ? "64:ff9b::" : "::ffff:");
		emit4(o, a + 12);
		return;
	}
	memcpy(z, a, 16);
	memset(z + REDACT_KEEP6 / 8, 0, 16 - REDACT_KEEP6 / 8);
	inet_ntop(AF_INET6, z, buf, sizeof(buf)); /* ends in "::": the host part is at least 64 zero bits */
	puts_(o, buf);
	puts_(o, "x");
}

/* ---- MAC ---------------------------------------------------------------------------------------- */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Six bytes of two hex digits, colon-separated (17 characters). */
static int parse_mac(const char *s, size_t n, uint8_t m[6])
{
	if (n != 17)
		return -1;
	for (int k = 0; k < 6; k++) {
		int h = hexval(s[3 * k]), l = hexval(s[3 * k + 1]);
		if (h < 0 || l < 0 || (k < 5 && s[3 * k + 2] != ':'))
			return -1;
		m[k] = (uint8_t)(h << 4 | l);
	}
	return 0;
}

static void emit_mac(struct out *o, const char *s, const uint8_t m[6])
{
	static const uint8_t zero[6];
	/* multicast and broadcast (the group bit), and 00:00:00:00:00:00, name no host */
	if ((m[0] & 1) || memcmp(m, zero, 6) == 0) {
		put(o, s, 17);
		return;
	}
	put(o, s, 3 * REDACT_KEEP_MAC);
	puts_(o, "xx:xx:xx");
}

/* ---- words -------------------------------------------------------------------------------------- */

static int all_digits(const char *s, size_t n)
{
	if (n == 0 || n > 5)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* One word (no trailing dot or colon): an address, an address with a port, or anything else. */
static void emit_word(struct out *o, const char *s, size_t n)
{
	uint8_t a[16];
	const char *dot, *colon;

	if (n <= WORD_MAX) {
		if (parse4(s, n, a) == 0) {
			emit4(o, a);
			return;
		}
		if (parse_mac(s, n, a) == 0) {
			emit_mac(o, s, a);
			return;
		}
		if (parse6(s, n, a) == 0) {
			emit6(o, a);
			return;
		}
		/* ADDR:PORT (IPv4) and ADDR.PORT (tcpdump, either family) */
		colon = memrchr(s, ':', n);
		dot = memrchr(s, '.', n);
		if (colon && all_digits(colon + 1, n - (size_t)(colon - s) - 1) && parse4(s, (size_t)(colon - s), a) == 0) {
			emit4(o, a);
			put(o, colon, n - (size_t)(colon - s));
			return;
		}
		if (dot && all_digits(dot + 1, n - (size_t)(dot - s) - 1)) {
			size_t k = (size_t)(dot - s);
			if (parse4(s, k, a) == 0) {
				emit4(o, a);
				put(o, dot, n - k);
				return;
			}
			if (parse6(s, k, a) == 0) {
				emit6(o, a);
				put(o, dot, n - k);
				return;
			}
		}
	}
	put(o, s, n);
}

size_t redact_text(const char *in, size_t n, char *out, size_t cap)
{
	struct out o = { out, 0, cap, 0 };
	size_t i = 0;

	while (i < n) {
		if (!is_word((unsigned char)in[i])) {
			size_t j = i;
			while (j < n && !is_word((unsigned char)in[j]))
				j++;
			put(&o, in + i, j - i);
			i = j;
			continue;
		}
		size_t j = i;
		while (j < n && is_word((unsigned char)in[j]))
			j++;
		/* a trailing '.' or ':' ends a sentence or labels a field ("inet 192.0.2.1:"), but "::"
		 * ends an address (2001:db8::) */
		size_t end = j;
		while (end > i && (in[end - 1] == '.' || (in[end - 1] == ':' && !(end - i >= 2 && in[end - 2] == ':'))))
			end--;
		emit_word(&o, in + i, end - i);
		put(&o, in + end, j - end);
		i = j;
	}
	return o.full ? (size_t)-1 : o.len;
}

/* ---- secrets ------------------------------------------------------------------------------------ */

static const char *const secret_words[] = { "key",	  "secret",	"password", "passwd", "passphrase",
					    "token",  "psk",	"credential", "private", "auth" };

bool redact_is_secret_key(const char *s, size_t n)
{
	for (size_t w = 0; w < sizeof(secret_words) / sizeof(secret_words[0]); w++) {
		size_t k = strlen(secret_words[w]);
		for (size_t i = 0; i + k <= n; i++)
			if (strncasecmp(s + i, secret_words[w], k) == 0)
				return true;
	}
	return false;
}

size_t redact_secrets_max(const char *in, size_t n)
{
	size_t lines = 1;
	for (size_t i = 0; i < n; i++)
		lines += in[i] == '\n';
	return n + lines * sizeof(SECRET_MARK) + 1;
}

/* A line: leading blanks and comment marks, then the key up to a blank or '=', then the value. The
 * value of a secret key is replaced; a commented-out secret is still one. */
size_t redact_secrets(const char *in, size_t n, char *out, size_t cap, unsigned *masked)
{
	struct out o = { out, 0, cap, 0 };
	unsigned count = 0;
	size_t i = 0;

	while (i < n) {
		const char *nl = memchr(in + i, '\n', n - i);
		size_t end = nl ? (size_t)(nl - in) : n, k = i;
		while (k < end && (in[k] == ' ' || in[k] == '\t' || in[k] == '#' || in[k] == ';'))
			k++;
		size_t key = k;
		while (k < end && in[k] != ' ' && in[k] != '\t' && in[k] != '=')
			k++;
		if (k > key && redact_is_secret_key(in + key, k - key)) {
			size_t v = k;
			while (v < end && (in[v] == ' ' || in[v] == '\t' || in[v] == '='))
				v++;
			put(&o, in + i, v - i);
			if (v < end) {
				puts_(&o, SECRET_MARK);
				count++;
			}
		} else {
			put(&o, in + i, end - i);
		}
		if (nl)
			put(&o, "\n", 1);
		i = end + (nl ? 1 : 0);
	}
	if (masked)
		*masked = count;
	return o.full ? (size_t)-1 : o.len;
}
