/* RFC 7050 discovery of the PLAT prefix for the CLAT: one query for ipv4only.arpa AAAA at a time, to
 * every resolver of resolv.conf (re-read before each query: it changes with the network), the first
 * good answer wins. The schedule (when to ask, backoff) and what an answer means are the prefix
 * manager's (prefix.h); this is the socket side. */
#ifndef XLAT464_CLAT_DNS_H
#define XLAT464_CLAT_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>

#include "prefix.h"

#define CLAT_DNS64_TIMEOUT_MS 3000 /* one query to every resolver, then give up on it */

struct clat_dns {
	int fd;                 /* -1 until the first query */
	bool inflight;
	uint16_t id;
	long deadline_ms;
	unsigned nservers, nsent, nreplies;
	struct sockaddr_in6 server[CLAT_RESOLV_MAX];
	char last[96];          /* what the last query gave, for the status */
	uint64_t queries, answers, failures;
};

void clat_dns_init(struct clat_dns *d);
/* Opens the socket now (before privileges are dropped, it needs none, but the loop watches it). */
int clat_dns_open(struct clat_dns *d);
void clat_dns_close(struct clat_dns *d);

/* Sends a query (resolv.conf at path) when the prefix manager says one is due; fails it when its
 * time is up. Returns true when the prefix manager changed (a failure recorded). */
bool clat_dns_tick(struct clat_dns *d, struct clat_prefixes *pm, const char *resolv_conf, long now_ms, int64_t now_s);
/* Reads the answers waiting on the socket. Returns true when the DNS64 prefix was learned (or
 * refreshed, or the query failed): the caller then decides again. */
bool clat_dns_on_readable(struct clat_dns *d, struct clat_prefixes *pm, long now_ms, int64_t now_s);
/* Forgets the query in flight (DNS64 turned off, the network changed). */
void clat_dns_cancel(struct clat_dns *d, const char *why);

#endif
