/* `xlat464 doctor`: a one-shot check of everything between an IPv4 application and the IPv4 Internet
 * (on a host), or of the network side (--router). Each check gives one line, PASS, WARN or FAIL, with
 * its evidence and, when not PASS, a hint.
 *
 * Three parts: doctor_status.c reads a daemon's status (JSON text) into the evidence below, pure;
 * doctor_judge.c turns evidence into lines, pure; doctor.c, doctor_host.c and doctor_router.c probe
 * the system (control sockets, netlink, /proc, DNS, ICMP) and print the report. */
#ifndef XLAT464_CLI_DOCTOR_H
#define XLAT464_CLI_DOCTOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dns64/dns64.h"
#include "xlat/xlat.h"

/* ---- the report ------------------------------------------------------------------------------- */

enum doctor_verdict { DOCTOR_PASS, DOCTOR_WARN, DOCTOR_FAIL };

#define DOCTOR_LINES_MAX 64
#define DOCTOR_EVIDENCE_MAX 400
#define DOCTOR_HINT_MAX 240

struct doctor_line {
	char check[24];
	enum doctor_verdict verdict;
	char evidence[DOCTOR_EVIDENCE_MAX];
	char hint[DOCTOR_HINT_MAX]; /* "" when there is none */
};

struct doctor_report {
	unsigned n;
	struct doctor_line line[DOCTOR_LINES_MAX];
};

const char *doctor_verdict_name(enum doctor_verdict v);
/* Appends a line (the last ones are dropped past DOCTOR_LINES_MAX); hint may be NULL. */
void doctor_add(struct doctor_report *r, const char *check, enum doctor_verdict v, const char *hint, const char *fmt,
		...) __attribute__((format(printf, 5, 6)));
unsigned doctor_count(const struct doctor_report *r, enum doctor_verdict v);
/* The line of that check, or NULL (the first one when there are several). */
const struct doctor_line *doctor_find(const struct doctor_report *r, const char *check);

/* ---- a daemon's status, as evidence ------------------------------------------------------------ */

enum doctor_kind { DOCTOR_UNKNOWN, DOCTOR_CLAT, DOCTOR_PLAT, DOCTOR_SIIT, DOCTOR_RA, DOCTOR_DHCP4 };

#define DOCTOR_TOP_DROPS 6

struct doctor_drops {
	uint64_t total;
	unsigned n; /* the largest nonzero counters, largest first */
	struct {
		char name[40];
		uint64_t count;
	} top[DOCTOR_TOP_DROPS];
};

struct doctor_daemon {
	enum doctor_kind kind;
	char name[16];   /* "clat", "plat", ... as the daemon says */
	long pid;
	char ifname[16]; /* the link it lives on: clat its uplink, plat and siit the TUN, ra and dhcp4 the interface */
	uint64_t pkts_4to6, pkts_6to4;
	struct doctor_drops drops;
	/* clat */
	char state[24], why[160];
	int uplink_ifindex;
	bool uplink_up;
	unsigned uplink_mtu;
	bool native_ipv4, ipv6_default;
	bool has_pref64; /* clat: the prefix in use; ra: the one announced */
	struct xlat_prefix6 pref64;
	char pref64_source[16];
	long pref64_lifetime, pref64_expires; /* seconds; -1 unknown */
	bool dns64_enabled;
	uint64_t dns64_answers, dns64_failures;
	char clat_ipv6[48], clat_ipv4[24], tun[16];
	unsigned tun_mtu;
	bool tun_present, route_present;
	uint64_t dad_conflicts, conflicts_after_dad;
	/* plat, siit */
	char mode[16]; /* plat: stateful or stateless; dhcp4: mostly or v6only */
	bool pool6_known;
	struct xlat_prefix6 pool6;
	bool has_pool4;
	struct xlat_prefix4 pool4;
	char bpf_ifaces[64]; /* "br0 r-s", "" when no kernel fast path */
	/* ra */
	char ra_state[24];
	/* dhcp4 */
	unsigned v6only_wait;
	uint64_t clients, clients_108, offers_108;
};

/* Reads `xlat464 status --json` text (len bytes, need not end in NUL) into out. 0, or -1 with the
 * problem in err (errcap bytes). Members it does not know are skipped; a member of the wrong type is
 * treated as absent. */
int doctor_status_parse(const char *text, size_t len, struct doctor_daemon *out, char *err, size_t errcap);

/* Finds "IPv6-Only Preferred received (N seconds) from ADDR" (dhcpcd's words for option 108, RFC
 * 8925) for interface ifname (NULL: any) in log text; copies the last such line, without the
 * timestamp before the interface name, into out. true when found. */
bool doctor_log_option108(const char *text, size_t len, const char *ifname, char *out, size_t cap);

/* Is buf (n bytes, from a raw socket) an echo reply with that id and sequence? For IPv4 buf starts
 * with the IP header (RFC 791); for IPv6 with the ICMPv6 header (RFC 4443 section 4.2). */
bool doctor_echo_reply_match(const uint8_t *buf, size_t n, bool v6, uint16_t id, uint16_t seq);

/* ---- judging evidence (doctor_judge.c, pure) ----------------------------------------------------- */

/* What the DNS64 query for ipv4only.arpa gave (RFC 7050 section 3). */
struct doctor_dns64 {
	bool asked;          /* false: no resolver to ask */
	bool answered;       /* a response came back */
	enum dns64_status status;
	struct dns64_result result;
	char server[64];     /* who answered, or who was asked */
};

/* With no CLAT to ask: what the RAs answering a Router Solicitation said (RFC 4861 section 6.3.7). */
struct doctor_ra_seen {
	bool asked;          /* an RS went out */
	unsigned nra;        /* RAs received */
	bool has_pref64;     /* one carried a PREF64 (RFC 8781); the first one's */
	struct xlat_prefix6 pref64;
	uint32_t lifetime;
	char from[48];       /* the router that sent it */
	unsigned waited_ms;
};

void doctor_judge_uplink(struct doctor_report *r, const char *uplink, bool up, unsigned mtu, bool native4,
			 const char *native4_dev);
void doctor_judge_clat(struct doctor_report *r, const struct doctor_daemon *clat, bool native4);
/* ra: what RAs said when there is no CLAT (NULL: not asked). */
void doctor_judge_prefixes(struct doctor_report *r, const struct doctor_daemon *clat, const struct doctor_ra_seen *ra,
			   const struct doctor_dns64 *d);
/* ok4: the target answered through the CLAT; ok6: its IPv6 form (pool6 + target) answered directly.
 * synth is that IPv6 form ("" when no prefix is known); rtt in milliseconds. */
void doctor_judge_probe(struct doctor_report *r, const char *target, bool ok4, double rtt4, const char *synth, bool ok6,
			double rtt6, const struct xlat_prefix6 *pref64);
void doctor_judge_drops(struct doctor_report *r, const char *who, const struct doctor_daemon *d);

void doctor_judge_pref64_pool6(struct doctor_report *r, const struct doctor_daemon *ra, const struct doctor_daemon *plat);
void doctor_judge_forwarding(struct doctor_report *r, int fwd6, int fwd4, bool need4);
/* devs: "LINK VALUE, ..." (each link's effective rp_filter, the larger of all's and its own, as the
 * kernel takes it); worst: 1 when one is strict, -1 when one is unreadable, else the largest. */
void doctor_judge_rp_filter(struct doctor_report *r, const char *devs, int worst);
/* oif_name: the link the kernel routes the pool's first address by, "" when no route. */
void doctor_judge_route_back(struct doctor_report *r, const char *what, const char *prefix, const char *oif_name,
			     const char *tun);
/* No PLAT here: the announced PREF64 (addr/len) is routed out of oif_name ("" when not) by a route of
 * length dlen. */
void doctor_judge_pref64_route(struct doctor_report *r, const char *addr, unsigned len, const char *oif_name,
			       unsigned dlen);
void doctor_judge_dhcp4(struct doctor_report *r, const struct doctor_daemon *d);

/* ---- the subcommand --------------------------------------------------------------------------- */

#define DOCTOR_CONTROL_MAX 16

struct doctor_opts {
	bool router, json;
	const char *target;   /* IPv4 address for the end-to-end probe, or NULL */
	const char *dns;      /* resolver to ask for ipv4only.arpa, or NULL: resolv.conf */
	const char *resolv_conf;
	const char *control_dir;
	unsigned ncontrol;
	const char *control[DOCTOR_CONTROL_MAX];
	unsigned timeout_ms;  /* each network probe, and the control sockets' answers (all at once) */
};

/* A daemon found through the control sockets, whether it answered. */
struct doctor_found {
	char path[256];
	bool answered;
	int err;              /* errno when it did not: ETIMEDOUT when not within timeout_ms */
	bool here;            /* its link exists in this network namespace */
	struct doctor_daemon d;
};

#define DOCTOR_FOUND_MAX 32

unsigned doctor_collect(const struct doctor_opts *o, struct doctor_found *f, unsigned max);
void doctor_host(const struct doctor_opts *o, struct doctor_found *f, unsigned nf, struct doctor_report *r);
void doctor_router(const struct doctor_opts *o, struct doctor_found *f, unsigned nf, struct doctor_report *r);

int doctor_main(int argc, char **argv);

#endif
