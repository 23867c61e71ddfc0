/* lib/nat64: the state of a stateful NAT64 (RFC 6146 with the RFC 7857 updates), pure.
 *
 * No system calls and no clock of its own: the caller passes the time (milliseconds, monotonic) with
 * nat64_set_now() before each batch of packets and calls nat64_expire() about once a second. All
 * memory is allocated once by nat64_create() for the configured capacity; nothing is allocated per
 * packet or per session.
 *
 * The NAT64 is an address policy of lib/xlat (struct xlat_policy): lib/xlat translates the headers,
 * lib/nat64 decides the addresses and ports and keeps the binding (BIB) and session tables:
 *
 *     struct nat64 *nat = nat64_create(&cfg, seed, &why);
 *     xcfg.policy = nat64_policy(nat);           // outer_from_inner is set: ICMP errors find their session
 *     ...
 *     nat64_set_now(nat, now_ms);
 *     xlat_6to4(&xctx, pkt, len, &out);          // an IPv6 client's packet: may create a binding and session
 *     xlat_4to6(&xctx, pkt, len, &out);          // an IPv4 server's answer: found through the BIB
 *
 * Refusals come back as lib/xlat drop reasons (XLAT_DROP_NAT64_*), which lib/xlat answers with the
 * ICMP error RFC 6146 asks for (see xlat_policy_refused4/6 in lib/xlat/icmp.c).
 *
 * Many cores: one struct nat64 per worker, no shared state. Each instance owns a disjoint share of
 * the pool's ports (cfg.instance of cfg.ninstances); a packet from IPv6 goes to the instance of its
 * subscriber (nat64_instance_of_v6) and a packet from IPv4 to the instance that owns its destination
 * port (nat64_instance_of_port). The same split lets several PLAT boxes share one pool (RFC 7422). */
#ifndef XLAT464_NAT64_H
#define XLAT464_NAT64_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xlat/xlat.h"

enum nat64_proto { NAT64_TCP, NAT64_UDP, NAT64_ICMP, NAT64_NPROTO };

/* One range of the IPv4 pool: a prefix of addresses and, for each, the ports [port_min, port_max]
 * (for ICMP, the query identifiers). RFC 6146 section 3.5.1.1 and RFC 6056: ports are chosen at
 * random within the range, keeping the parity of the client's port and its range (0-1023 or
 * 1024-65535) where the range allows. */
#define NAT64_POOL4_MAX 64
struct nat64_pool4 {
	struct xlat_prefix4 prefix;
	uint16_t port_min, port_max;
};

/* A static binding: reaches the IPv6 host v6:port6 from the IPv4 side as v4:port4 (port forwarding).
 * v4 must lie in the pool. For ICMP the ports are query identifiers. */
#define NAT64_STATIC_MAX 1024
struct nat64_static_bib {
	enum nat64_proto proto;
	uint8_t v6[16];
	uint16_t port6;
	uint8_t v4[4];
	uint16_t port4;
};

struct nat64_config {
	struct xlat_prefix6 pool6;          /* the RFC 6052 prefix, e.g. 64:ff9b::/96 */
	unsigned npool4;
	struct nat64_pool4 pool4[NAT64_POOL4_MAX];
	bool address_dependent_filtering;   /* default false: endpoint-independent filtering */
	bool allow_wkp_non_global;          /* translate to non-global IPv4 with 64:ff9b::/96 (RFC 6052 3.1) */
	/* Timeouts in seconds (RFC 6146 section 4 defaults: UDP 300, TCP established 7440, TCP
	 * transitory 240, ICMP 60, and 6 s for an unsolicited IPv4 SYN waiting for its IPv6 SYN). */
	uint32_t timeout_udp, timeout_tcp_est, timeout_tcp_trans, timeout_icmp, timeout_tcp_syn4;
	uint32_t timeout_fragment_ms;       /* how long a first fragment's ports are kept for the rest (2000) */
	/* RFC 6146 section 3.5.2.2: an IPv4 SYN to a pool address and port without a binding is kept
	 * timeout_tcp_syn4 seconds for a simultaneous open (an IPv6 SYN to its sender gets that address
	 * and port), then answered with Port Unreachable. drop_external_tcp drops it at once instead
	 * (the policy the RFC leaves to the operator). max_stored_syns bounds the kept SYNs (memory is
	 * allocated for it at create; 0 keeps none), max_stored_syns_per_source those of one IPv4
	 * sender. */
	bool drop_external_tcp;
	uint32_t max_stored_syns, max_stored_syns_per_source;
	/* Capacity and limits. max_sessions sizes the tables (memory is allocated for it). 0 = no limit
	 * for the per-subscriber caps. A subscriber is the client's IPv6 address cut to subscriber_len
	 * (64 or 128; default 64). */
	uint32_t max_sessions;
	uint32_t max_sessions_per_subscriber;
	uint32_t max_ports_per_subscriber;  /* BIB entries (mapped ports and identifiers, all protocols) */
	uint8_t subscriber_len;
	/* RFC 7422 deterministic port blocks: 0 = off (random ports per RFC 6056). Otherwise each
	 * subscriber is given whole blocks of this many ports of one pool address, and one log line per
	 * block replaces one per session. */
	uint16_t port_block_size;
	/* This instance's share of the pool: ports are split into ninstances disjoint sets. */
	unsigned instance, ninstances;      /* default 0 of 1 */
	unsigned nstatic;
	struct nat64_static_bib statics[NAT64_STATIC_MAX];
};

/* Fills in the defaults above; no pool6, no pool4, max_sessions 65536 x 4. */
void nat64_config_init(struct nat64_config *cfg);
/* Checks a configuration. Returns 0, or -1 with *why set to a sentence naming the field. */
int nat64_config_check(const struct nat64_config *cfg, const char **why);

struct nat64;

/* Allocates the tables for cfg->max_sessions. seed feeds the port randomisation and the hash keys
 * (the caller takes it from getrandom). Returns NULL with *why set on a bad configuration or
 * when memory runs out. */
struct nat64 *nat64_create(const struct nat64_config *cfg, uint64_t seed, const char **why);
void nat64_destroy(struct nat64 *nat);

/* SIGHUP: applies a new configuration without dropping sessions. Timeouts, limits, filtering and
 * static entries change in place; sessions whose pool address or port left the pool are removed
 * (and logged). max_sessions cannot grow past what nat64_create allocated. Returns 0, or -1 with
 * *why set and the old configuration kept. */
int nat64_reconfigure(struct nat64 *nat, const struct nat64_config *cfg, const char **why);

/* The policy for lib/xlat (its ctx is nat). */
struct xlat_policy nat64_policy(struct nat64 *nat);

void nat64_set_now(struct nat64 *nat, uint64_t now_ms);
/* Removes up to budget expired sessions (and the bindings left without sessions). Returns the number
 * removed. Call it about once a second with a budget large enough to keep up. */
unsigned nat64_expire(struct nat64 *nat, uint64_t now_ms, unsigned budget);

/* Instance steering for several workers or boxes sharing one pool (see the top of this file). */
unsigned nat64_instance_of_v6(const struct nat64_config *cfg, const uint8_t v6[16]);
unsigned nat64_instance_of_port(const struct nat64_config *cfg, uint16_t port4);

/* ---- logging (RFC 6888 REQ-12, RFC 7422) ---------------------------------------------------- */

enum nat64_event_kind {
	NAT64_EV_BIB_ADD,    /* a binding v6:port6 <-> v4:port4 was made */
	NAT64_EV_BIB_DEL,
	NAT64_EV_SESSION_ADD, /* with the remote end */
	NAT64_EV_SESSION_DEL,
	NAT64_EV_BLOCK_ADD,  /* RFC 7422: a port block was given to a subscriber */
	NAT64_EV_BLOCK_DEL,
	/* Refusals of a new binding or session (RFC 8158 section 4.3 events 3, 12 and 13), one per
	 * refused packet: the receiver rate-limits them. */
	NAT64_EV_ADDRS_EXHAUSTED, /* no pool address has a free port (or block) for the protocol */
	NAT64_EV_PORTS_EXHAUSTED, /* v4, the subscriber's address (paired pooling), has no free port */
	NAT64_EV_QUOTA_EXCEEDED,  /* a limit (quota, limit) was reached; v6: the subscriber, if one */
};

/* Which limit a NAT64_EV_QUOTA_EXCEEDED reached. */
enum nat64_quota {
	NAT64_QUOTA_SESSIONS,                /* max-sessions: the session table is full */
	NAT64_QUOTA_BIBS,                    /* the binding table is full */
	NAT64_QUOTA_SESSIONS_PER_SUBSCRIBER, /* max-sessions-per-subscriber */
	NAT64_QUOTA_PORTS_PER_SUBSCRIBER,    /* max-ports-per-subscriber */
	NAT64_QUOTA_SUBSCRIBERS,             /* the subscriber table is full */
};

struct nat64_event {
	enum nat64_event_kind kind;
	enum nat64_proto proto;       /* not for blocks */
	uint64_t time_ms;             /* the clock given with nat64_set_now */
	uint8_t v6[16];               /* the client (for blocks: the subscriber prefix) */
	uint16_t port6;
	uint8_t v4[4];                /* the pool address */
	uint16_t port4;               /* for blocks: the first port */
	uint16_t port4_last;          /* for blocks: the last port */
	uint8_t remote4[4];           /* sessions: the IPv4 peer */
	uint16_t remote_port;
	bool is_static;
	enum nat64_quota quota;       /* NAT64_EV_QUOTA_EXCEEDED: which limit */
	uint32_t limit;               /* and its value */
};

enum {
	NAT64_LOG_BIB = 1 << 0,
	NAT64_LOG_SESSION = 1 << 1,
	NAT64_LOG_BLOCK = 1 << 2,
	NAT64_LOG_ALARM = 1 << 3, /* exhaustion and quota events */
};

/* The NAT64_LOG_* class of an event. */
static inline unsigned nat64_event_class(enum nat64_event_kind k)
{
	switch (k) {
	case NAT64_EV_BIB_ADD:
	case NAT64_EV_BIB_DEL: return NAT64_LOG_BIB;
	case NAT64_EV_SESSION_ADD:
	case NAT64_EV_SESSION_DEL: return NAT64_LOG_SESSION;
	case NAT64_EV_BLOCK_ADD:
	case NAT64_EV_BLOCK_DEL: return NAT64_LOG_BLOCK;
	case NAT64_EV_ADDRS_EXHAUSTED:
	case NAT64_EV_PORTS_EXHAUSTED:
	case NAT64_EV_QUOTA_EXCEEDED: return NAT64_LOG_ALARM;
	}
	return 0;
}

typedef void (*nat64_log_fn)(void *arg, const struct nat64_event *ev);
/* what: a mask of NAT64_LOG_*. The callback runs inside the packet path: it must not block. */
void nat64_set_log(struct nat64 *nat, nat64_log_fn fn, void *arg, unsigned what);

/* ---- status -------------------------------------------------------------------------------- */

struct nat64_stats {
	uint64_t sessions[NAT64_NPROTO];  /* live now */
	uint64_t bibs[NAT64_NPROTO];      /* live now, static ones included */
	uint64_t subscribers;             /* with at least one binding */
	uint64_t sessions_created, sessions_expired, sessions_flushed;
	uint64_t ports_in_use, ports_total; /* this instance's share of the pool, all protocols */
	size_t memory_bytes;              /* allocated by nat64_create */
	size_t bytes_per_session;         /* what one session with its binding costs */
	uint64_t sessions_offloaded;      /* carried by the fast path now (nat64_set_offload) */
	uint64_t offload_refreshed;       /* expiries put off because the fast path carried the session */
	uint64_t offload_refused;         /* sessions the fast path could not take (full) */
	uint64_t syn4_kept_now;           /* IPv4 SYNs without a binding kept now (section 3.5.2.2) */
	uint64_t syn4_kept, syn4_simultaneous_opens, syn4_unreachable, syn4_full;
};
void nat64_get_stats(const struct nat64 *nat, struct nat64_stats *st);
/* Adds src (another instance's) to dst: the counts add up, bytes_per_session is the same for all. */
void nat64_stats_add(struct nat64_stats *dst, const struct nat64_stats *src);

/* The IPv4 SYNs kept for RFC 6146 section 3.5.2.2. The policy sees addresses and ports only, so the
 * caller hands over the bytes of a packet whose translation ended with XLAT_DROP_NAT64_SYN4_KEPT
 * (at most NAT64_SYN4_BYTES are kept: what a 576-byte ICMPv4 error quotes). */
#define NAT64_SYN4_BYTES 548
void nat64_syn4_keep(struct nat64 *nat, const uint8_t *pkt, size_t len);
/* A kept SYN whose time ran out with no binding made for its address and port: it is owed a Port
 * Unreachable from that address (section 3.5.2.2). */
struct nat64_syn4_due {
	uint8_t pkt[NAT64_SYN4_BYTES];
	size_t len;
	uint8_t src4[4]; /* the pool address the SYN was sent to */
};
/* Pops the next such SYN due by now_ms into *due (true), or returns false when none is. */
bool nat64_syn4_due(struct nat64 *nat, uint64_t now_ms, struct nat64_syn4_due *due);

struct nat64_subscriber_usage {
	uint8_t prefix[16];
	uint8_t len;
	uint32_t sessions, ports;
};
/* The subscribers with the most sessions, most first. Returns how many were written. */
unsigned nat64_top_subscribers(const struct nat64 *nat, struct nat64_subscriber_usage *out, unsigned max);

enum nat64_tcp_state {
	NAT64_TCP_CLOSED, NAT64_TCP_V4_INIT, NAT64_TCP_V6_INIT, NAT64_TCP_ESTABLISHED,
	NAT64_TCP_V4_FIN_RCV, NAT64_TCP_V6_FIN_RCV, NAT64_TCP_V4_FIN_V6_FIN_RCV, NAT64_TCP_TRANS,
};
const char *nat64_tcp_state_name(enum nat64_tcp_state s);
const char *nat64_proto_name(enum nat64_proto p);

struct nat64_session_info {
	enum nat64_proto proto;
	uint8_t v6[16];       /* the IPv6 client */
	uint16_t port6;
	uint8_t v4[4];        /* its binding in the pool */
	uint16_t port4;
	uint8_t remote4[4];   /* the IPv4 peer (its IPv6 form is pool6 + remote4) */
	uint16_t remote_port;
	enum nat64_tcp_state tcp_state;
	uint64_t expires_ms;
	bool is_static;
	bool offloaded;       /* carried by the fast path (nat64_set_offload) */
};
/* Calls cb for every session (stop early by returning false). */
void nat64_sessions_foreach(const struct nat64 *nat, bool (*cb)(void *arg, const struct nat64_session_info *s),
			    void *arg);
/* Removes every dynamic session and binding of proto (or of all protocols when proto is
 * NAT64_NPROTO); static bindings stay. Returns the number of sessions removed. */
unsigned nat64_flush(struct nat64 *nat, enum nat64_proto proto);

/* ---- a fast path outside the library (src/plat: lib/sys/nat64_offload.c, in the kernel) ------- */

/* A session, as a fast path needs it. */
struct nat64_flow {
	enum nat64_proto proto; /* NAT64_TCP or NAT64_UDP */
	uint8_t v6[16];         /* the IPv6 client */
	uint16_t port6;
	uint8_t v4[4];          /* its binding */
	uint16_t port4;
	uint8_t remote4[4];     /* the IPv4 peer */
	uint16_t remote_port;
};

/* The library tells a fast path which sessions it may carry: add when a TCP session becomes
 * established or a UDP session is made (not one to a pool address: hairpinning stays here), del
 * when a TCP session stops being established (FIN, RST, idle) or any session ends. The fast path
 * leaves every TCP SYN, FIN and RST to the library, so the RFC 6146 state machine sees them all.
 * Before a session it carries would expire, the library asks last_ms (when the fast path last
 * carried a packet of it, on the clock of nat64_set_now; 0 never) and keeps it until last_ms plus
 * its timeout. add returns false when the fast path cannot take the flow (it is full); the session
 * then stays on the library's path. ops NULL: no fast path. */
struct nat64_offload_ops {
	bool (*add)(void *arg, const struct nat64_flow *f);
	void (*del)(void *arg, const struct nat64_flow *f);
	uint64_t (*last_ms)(void *arg, const struct nat64_flow *f);
};
void nat64_set_offload(struct nat64 *nat, const struct nat64_offload_ops *ops, void *arg);

#endif
