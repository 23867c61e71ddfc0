/* The decisions of an option-108 DHCPv4 server (RFC 8925 section 3.3, RFC 2131 section 4.3), as a
 * pure function of the parsed message, the lease table and the clock (seconds since the epoch, so
 * that leases written to a file mean the same after a restart). The daemon (src/mostly/dhcp4.c)
 * only moves bytes and saves the table.
 *
 * The lease table has one slot per pool address (slot i is pool_first + i), caller-allocated. */
#ifndef XLAT464_DHCP4_SERVER_H
#define XLAT464_DHCP4_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dhcp4.h"

#define DHCP4_OFFER_HOLD 60         /* seconds an offered address waits for the REQUEST */
#define DHCP4_POOL_MAX 65536        /* addresses in a pool */
#define DHCP4_LEASE_TIME_DEFAULT 3600
#define DHCP4_LEASE_TIME_MIN 60
#define DHCP4_LEASE_LINE_MAX (16 + 10 + 21 + 2 * DHCP4_KEY_MAX + 8)

enum dhcp4_mode {
	DHCP4_MODE_V6ONLY, /* an IPv6-only network: clients without 108 get no answer */
	DHCP4_MODE_MOSTLY, /* an IPv6-mostly network: they get an address from the pool */
};

enum dhcp4_slot_state {
	DHCP4_SLOT_FREE,     /* never given out (no key) */
	DHCP4_SLOT_OFFERED,  /* offered to key until expires */
	DHCP4_SLOT_BOUND,    /* leased to key until expires; after that, kept for the same client */
	DHCP4_SLOT_DECLINED, /* a client found it in use (DHCPDECLINE); unusable until expires */
};

struct dhcp4_lease {
	uint8_t state; /* enum dhcp4_slot_state */
	uint8_t keylen;
	uint8_t key[DHCP4_KEY_MAX];
	uint64_t expires;
};

struct dhcp4_server_cfg {
	enum dhcp4_mode mode;
	uint8_t server_id[4];
	uint32_t v6only_wait;
	/* mostly mode only: */
	uint32_t pool_first, pool_last; /* host byte order, inclusive */
	unsigned plen;                  /* subnet prefix length (subnet mask option) */
	uint32_t lease_time;
	unsigned nrouters, ndns;
	uint8_t routers[DHCP4_MAX_ADDRS][4], dns[DHCP4_MAX_ADDRS][4];
};

struct dhcp4_server {
	struct dhcp4_server_cfg cfg;
	struct dhcp4_lease *lease; /* pool_last - pool_first + 1 slots (mostly mode), else NULL */
	unsigned nlease;
	bool dirty; /* a bound or declined slot changed: the lease file needs writing */
};

/* What the server did with a message that was not dropped. */
enum dhcp4_verdict {
	DHCP4_VERDICT_REPLY,    /* *reply is to be sent */
	DHCP4_VERDICT_RELEASED, /* RELEASE accepted: no answer (RFC 2131 section 4.3.4) */
	DHCP4_VERDICT_DECLINED, /* DECLINE accepted: the address is set aside, no answer */
};

/* Decides the answer to m at time now. Returns DHCP4_DROP_NONE with *verdict (and *reply when it is
 * DHCP4_VERDICT_REPLY), or the reason the message gets no answer. */
enum dhcp4_drop dhcp4_server_handle(struct dhcp4_server *s, const struct dhcp4_msg *m, uint64_t now,
				    enum dhcp4_verdict *verdict, struct dhcp4_reply *reply);

/* Number of slots bound and unexpired at now. */
unsigned dhcp4_server_bound(const struct dhcp4_server *s, uint64_t now);

/* ---- the lease file: one line per bound or declined slot -------------------------------------
 *   ADDRESS STATE EXPIRES KEY        e.g.   192.0.2.100 bound 1767225600 0102000000000a
 * STATE is bound or declined, EXPIRES seconds since the epoch, KEY the client key in hex (declined:
 * "-"). Lines starting with '#' and blank lines are skipped. */

/* Writes slot i as a line (with '\n') into buf; returns its length, or 0 when the slot is not saved
 * (free or offered) or buf is too small. */
size_t dhcp4_lease_format(const struct dhcp4_server *s, unsigned i, char *buf, size_t cap);
/* Applies one line to the table. Returns 0 (also for comments and for addresses outside the pool,
 * which a changed --pool leaves behind: *skipped is set), or -1 with a message in err. */
int dhcp4_lease_parse(struct dhcp4_server *s, const char *line, bool *skipped, char *err, size_t errlen);

/* Dotted quad helpers without libc's inet functions (this library stays pure). */
size_t dhcp4_addr_format(const uint8_t a[4], char *buf, size_t cap);
/* Parses exactly "a.b.c.d" (each 0-255, no leading '+'/'-', at most 3 digits). true on success. */
bool dhcp4_addr_parse(const char *s, uint8_t a[4]);

#endif
