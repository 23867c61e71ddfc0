/* The CLAT's prefix manager: which PLAT prefix the translator uses, from which source, until when, and
 * when to ask DNS64 again. Pure logic: no system calls; the clock (monotonic seconds) is passed in, so
 * the unit tests run it on a fake clock (tests/unit/test_clat_prefix.c).
 *
 * Sources, in priority order (a valid source of higher priority always wins):
 *   PREF64  the PREF64 option of Router Advertisements on the uplink (RFC 8781), valid for its lifetime;
 *   DNS64   RFC 7050 discovery through the system's resolvers, valid for the answer's TTL;
 *   STATIC  --pref64, valid forever.
 * A source past its expiry is dropped when clat_prefixes_select() runs; with no source left the CLAT
 * has no prefix and stands down.
 *
 * Decisions where RFC 8781, RFC 7050 and RFC 9872 leave room (docs/clat.md):
 *   - every PREF64 the uplink's routers announce is kept with its own lifetime (up to
 *     CLAT_PREF64_MAX); an option with lifetime 0 withdraws its prefix (RFC 8781 section 4.1), and
 *     an RA may carry several (section 5: a graceful change from one prefix to another);
 *   - the one in use stays in use while it is valid and its router still announces it, so established
 *     flows through its PLAT are not moved (and two routers announcing two prefixes do not make
 *     the CLAT flap between them); when it is withdrawn, expires, or its router's latest RA leaves
 *     it out (a change that did not wait for the lifetime), another takes over: one still
 *     announced first, then the longest remaining lifetime (the network's intent in a graceful
 *     change), then the most recently heard, then the longer prefix, then the lower;
 *   - RFC 9872 section 3.1: PREF64 from RAs is used over RFC 7050's DNS64; DNS64 is asked only while
 *     no PREF64 is valid (at once when the last one goes and no DNS64 prefix is left);
 *   - of the prefixes a DNS64 answer gives, the first is used (lib/dns64 orders them);
 *   - DNS64 is re-queried at TTL - 10 s, never sooner than 5 s after the answer; the DNS64 prefix is
 *     kept for max(TTL, 15 s) so one retry fits before it expires however short the TTL;
 *   - a failed query is retried every 10 s during the first minute of failures, then the delay doubles
 *     (20, 40, ... s) up to 10 minutes; a success resets that.
 * A change of the prefix in use is applied live (the translator's map and the fast path's); a new
 * source with the same prefix changes nothing the packets see.
 */
#ifndef XLAT464_CLAT_PREFIX_H
#define XLAT464_CLAT_PREFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ndp/ndp.h"

#define CLAT_PREFIX_FOREVER INT64_MAX
#define CLAT_DNS64_REFRESH_MARGIN 10 /* re-query this long before the TTL runs out (issue 3) */
#define CLAT_DNS64_MIN_REFRESH 5     /* never re-query sooner than this after an answer */
#define CLAT_DNS64_RETRY 10          /* retry delay during the first minute of failures */
#define CLAT_DNS64_RETRY_PHASE 60    /* how long failures are retried every CLAT_DNS64_RETRY */
#define CLAT_DNS64_MAX_BACKOFF 600   /* the doubling delay stops here (10 minutes) */
#define CLAT_DNS64_MIN_LIFETIME (CLAT_DNS64_MIN_REFRESH + CLAT_DNS64_RETRY)

/* Priority order: lower value wins. */
enum clat_psrc { CLAT_PSRC_PREF64, CLAT_PSRC_DNS64, CLAT_PSRC_STATIC, CLAT_PSRC__COUNT };

const char *clat_psrc_name(enum clat_psrc s);

struct clat_pfx {
	uint8_t prefix[16]; /* bits beyond len are zero */
	uint8_t len;        /* an RFC 6052 length: 32, 40, 48, 56, 64 or 96 */
};

struct clat_psrc_slot {
	bool valid;
	struct clat_pfx p;
	uint32_t lifetime; /* as learned: RA lifetime or DNS TTL in seconds (0 for static) */
	int64_t learned;   /* when it was last learned or refreshed */
	int64_t expires;   /* CLAT_PREFIX_FOREVER for static */
};

struct clat_dns64_sched {
	int64_t next_query;  /* when the next query is due */
	unsigned failures;   /* consecutive failed queries */
	int64_t first_fail;  /* when the first of them failed */
	int64_t retry_delay; /* the last delay chosen after a failure */
	uint32_t last_ttl;   /* TTL of the last good answer */
};

#define CLAT_PREF64_MAX 8 /* PREF64s kept at once; more are ignored until one goes */

/* One PREF64 the uplink's routers announced. */
struct clat_pref64 {
	struct clat_pfx p;
	uint8_t router[16]; /* the router that last announced it (its RA's source) */
	bool announced;     /* in that router's latest RA */
	uint32_t lifetime; /* as announced */
	int64_t learned;   /* when last heard */
	int64_t expires;
};

struct clat_prefixes {
	struct clat_psrc_slot src[CLAT_PSRC__COUNT]; /* src[CLAT_PSRC_PREF64]: the PREF64 in use */
	struct clat_pref64 ra[CLAT_PREF64_MAX];      /* every valid PREF64 */
	unsigned nra;
	struct clat_dns64_sched dns;
};

/* Empty, with the first DNS64 query due now. */
void clat_prefixes_init(struct clat_prefixes *m, int64_t now);

/* Sets a source's prefix for lifetime seconds from now (CLAT_PSRC_STATIC: forever, lifetime ignored).
 * A lifetime of 0 withdraws the source. */
void clat_prefixes_set(struct clat_prefixes *m, enum clat_psrc s, const struct clat_pfx *p, uint32_t lifetime,
		       int64_t now);
void clat_prefixes_clear(struct clat_prefixes *m, enum clat_psrc s);

/* Applies the PREF64 options of one Router Advertisement (see the decisions above). Returns true if
 * the PREF64 in use changed (prefix, or valid or not), false for a refresh or nothing. */
bool clat_prefixes_on_ra(struct clat_prefixes *m, const uint8_t router[16], const struct ndp_pref64 *list, unsigned n,
			 int64_t now);
/* Forgets every PREF64 (the uplink changed: those were another network's). */
void clat_prefixes_clear_ra(struct clat_prefixes *m);

/* Drops expired sources and returns the winning source, or -1 when none is valid. */
int clat_prefixes_select(struct clat_prefixes *m, int64_t now);

/* The earliest expiry of a valid source (CLAT_PREFIX_FOREVER when none expires). */
int64_t clat_prefixes_next_expiry(const struct clat_prefixes *m);

/* ---- DNS64 schedule ---------------------------------------------------------------------------- */

/* A DNS64 query is due: its time has come and no PREF64 is valid (RFC 9872 section 3.1). */
bool clat_prefixes_dns64_due(const struct clat_prefixes *m, int64_t now);
/* A good answer: the prefix for max(ttl, CLAT_DNS64_MIN_LIFETIME), the next query at
 * clat_dns64_refresh_delay(ttl). */
void clat_prefixes_dns64_ok(struct clat_prefixes *m, const struct clat_pfx *p, uint32_t ttl, int64_t now);
/* A failed query (no server, timeout, no DNS64, a bad answer): schedules the retry. The DNS64 prefix
 * already known is kept until it expires. */
void clat_prefixes_dns64_fail(struct clat_prefixes *m, int64_t now);
/* TTL - 10 s, at least CLAT_DNS64_MIN_REFRESH. */
int64_t clat_dns64_refresh_delay(uint32_t ttl);

/* ---- /etc/resolv.conf -------------------------------------------------------------------------- */

#define CLAT_RESOLV_MAX 3 /* MAXNS of the resolver library */

struct clat_nameserver {
	bool v6;
	uint8_t addr[16]; /* IPv4 in the first 4 bytes when !v6 */
	char scope[16];   /* the interface after '%' in a link-local address, or empty */
};

/* Reads the `nameserver ADDR` lines of resolv.conf text (len bytes, need not end in NUL) into
 * out[0..CLAT_RESOLV_MAX). Comments (# ;) and other lines are skipped, as are unparsable addresses.
 * Returns how many were stored. */
unsigned clat_resolv_parse(const char *text, size_t len, struct clat_nameserver out[CLAT_RESOLV_MAX]);

#endif
