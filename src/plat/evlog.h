/* The PLAT's event log (RFC 6888 REQ-12, RFC 7422): one line per binding, session, port block or
 * stateless lease event, to a file or to syslog. Lines (docs/plat.md):
 *
 *   2026-11-22T10:00:00.123Z nat64 bib-add tcp 2001:db8::10#40000 198.51.100.1#61001
 *   2026-11-22T10:00:00.123Z nat64 session-add tcp 2001:db8::10#40000 198.51.100.1#61001 203.0.113.2#80
 *   2026-11-22T10:00:00.123Z nat64 block-add 2001:db8:1::/64 198.51.100.1#61000-61127
 *   2026-11-22T10:00:00.123Z nat64 lease-add 2001:db8::10 198.51.100.1
 *
 * (-del for the ends; " static" is appended for static bindings). File writes are buffered and
 * flushed once a second (plat_evlog_flush), so the packet path never waits for the disk; syslog
 * lines carry no timestamp of their own (syslog adds one). */
#ifndef XLAT464_PLAT_EVLOG_H
#define XLAT464_PLAT_EVLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "nat64/nat64.h"

struct plat_evlog {
	FILE *f;
	bool syslog;
	char target[108];
	unsigned subscriber_len; /* for block lines */
	uint64_t lines, errors;
};

/* target: "" (no log), "syslog", or a file path (appended to). 0, or -1 with errno. */
int plat_evlog_open(struct plat_evlog *l, const char *target);
void plat_evlog_close(struct plat_evlog *l);
void plat_evlog_flush(struct plat_evlog *l);

/* Formats one event without the timestamp ("nat64 bib-add tcp ..."). Returns the length. */
size_t plat_evlog_format(char *buf, size_t cap, const struct nat64_event *ev, unsigned subscriber_len);
size_t plat_evlog_format_lease(char *buf, size_t cap, bool add, const uint8_t v6[16], const uint8_t v4[4]);

/* The callbacks for nat64_set_log and nat64_dynpool_set_log (arg is the struct plat_evlog). */
void plat_evlog_nat64(void *arg, const struct nat64_event *ev);
void plat_evlog_lease(void *arg, bool add, const uint8_t v6[16], const uint8_t v4[4], uint64_t time_ms);

#endif
