/* What `xlat464 report` hides: the host part of every address in a text (--redact), and the values
 * of configuration lines that look secret (always). docs/report.md states the rules. */
#ifndef XLAT464_CLI_REDACT_H
#define XLAT464_CLI_REDACT_H

#include <stdbool.h>
#include <stddef.h>

/* Bits of an address kept by redact_text: IPv4 the /24, IPv6 the /64, a MAC its OUI (3 bytes). */
#define REDACT_KEEP4 24
#define REDACT_KEEP6 64
#define REDACT_KEEP_MAC 3

/* The most a redacted text can grow: every word gets at most twice its length plus a few bytes
 * (64:ff9b::1 becomes 64:ff9b::0.0.0.x). A caller gives redact_text an output of this size. */
#define REDACT_OUT_MAX(n) (2 * (n) + 16)

/* Copies the n bytes of in to out (cap bytes, at least REDACT_OUT_MAX(n)) with the host part of
 * every IPv4 address (192.0.2.x), IPv6 address (2001:db8:1::x) and MAC address
 * (00:00:5e:xx:xx:xx) replaced. An address whose host part is zero (a prefix: 2001:db8:1::/64,
 * 198.51.100.0/28) and a well-known one (loopback, unspecified, multicast, broadcast, the CLAT's
 * 192.0.0.0/29 of RFC 7335, RFC 7600's 192.0.0.8) is left as it is; in 64:ff9b::/96 (RFC 6052) and ::ffff:0:0/96 the
 * embedded IPv4 address is redacted as IPv4 (64:ff9b::203.0.113.x). Prefix lengths, ports and
 * every other byte are copied. Returns the bytes written, or (size_t)-1 when cap is too small. */
size_t redact_text(const char *in, size_t n, char *out, size_t cap);

/* Whether a configuration line, or a file of that name, looks like it holds a secret: a key (the
 * first word) or a file name with key, secret, password, passwd, pass, token, psk, credential,
 * private or auth in it, any case. */
bool redact_is_secret_key(const char *s, size_t n);

/* Copies a configuration text (n bytes) to out (cap bytes, at least n + 64 * lines), the value of
 * every line whose key looks secret replaced by "<removed by xlat464 report>". Comment lines
 * (# or ;) are copied. Returns the bytes written, or (size_t)-1 when cap is too small; *masked
 * (may be NULL) gets how many lines were masked. */
size_t redact_secrets(const char *in, size_t n, char *out, size_t cap, unsigned *masked);

/* The room redact_secrets needs for n bytes of text. */
size_t redact_secrets_max(const char *in, size_t n);

#endif
