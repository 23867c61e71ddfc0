/* The value parsers every daemon's settings share: strict decimals, IPv4 and IPv6 prefixes, the RFC
 * 6052 checks of a NAT64 prefix (siit's and plat's pool6, clat's and ra's pref64), unicast IPv6
 * addresses. Pure (libc string functions only), so each settings parser built on them stays
 * fuzzable. Booleans, interface names, paths and TOS are cfgtext's (lib/common/cfgtext.h), durations
 * the settings table's (SETTING_DURATION). */
#ifndef XLAT464_VALUE_PARSE_H
#define XLAT464_VALUE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlat/xlat.h"

/* A strict decimal: digits only, no sign or space, at most 10 digits, from lo to hi. */
bool value_uint(const char *v, uint32_t lo, uint32_t hi, uint32_t *out);

/* "ADDR[/LEN]" (no LEN: the full length); false when malformed. */
bool value_prefix4(const char *s, struct xlat_prefix4 *p);
bool value_prefix6(const char *s, struct xlat_prefix6 *p);
/* The bits of a (bytes long) past len are zero. */
bool value_host_bits_zero(const uint8_t *a, unsigned bytes, unsigned len);

/* A NAT64 prefix (RFC 6052 section 2.2): an IPv6 prefix with its length, of length 32, 40, 48, 56, 64
 * or 96, no bits beyond it, the u-octet (bits 64 to 71) zero. 0, or -1 with the problem in err. */
int value_nat64_prefix(const char *v, struct xlat_prefix6 *p, char *err, size_t errlen);

/* A dotted-quad IPv4 address. 0, or -1 with "'V' is not an IPv4 address (a.b.c.d)". */
int value_addr4(const char *v, uint8_t a[4], char *err, size_t errlen);

/* A list of CPU numbers, as taskset -c and the kernel's cpulist files write it: "0-3,6" (ranges and
 * single CPUs, in the order given, each below VALUE_CPU_MAX), or "none" (an empty list). 0, or -1 with
 * the problem in err; at most VALUE_CPUS_MAX CPUs in all. */
#define VALUE_CPU_MAX 1024 /* CPU_SETSIZE */
#define VALUE_CPUS_MAX 64
struct value_cpus {
	uint16_t n;
	uint16_t cpu[VALUE_CPUS_MAX];
};
int value_cpus(const char *v, struct value_cpus *c, char *err, size_t errlen);
/* c as value_cpus reads it ("none" when empty), ranges joined: 0-3,6. */
void value_cpus_format(const struct value_cpus *c, char *buf, size_t cap);
/* A unicast IPv6 address (not ::, ::1 or multicast), for a server the hosts are to use. 0, or -1. */
int value_unicast6(const char *v, uint8_t a[16], char *err, size_t errlen);

#endif
