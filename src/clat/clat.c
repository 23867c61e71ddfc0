/* `xlat464 clat`: a host CLAT (RFC 6877) that carries the host's IPv4 traffic across an IPv6-only
 * uplink to a PLAT.
 *
 *   IPv4 apps -> TUN "clat" (192.0.0.1/29, default route metric 2048) -> read -> xlat_4to6()
 *             -> raw IPv6 socket (header included) bound to the uplink -> kernel routing -> PLAT
 *   PLAT -> uplink -> AF_PACKET socket, BPF: "IPv6 destination = the CLAT address" -> xlat_6to4()
 *             -> write(TUN) -> IPv4 apps
 *
 * The translator is the core's stateless map, as in Android's clatd: pool6 = the PLAT prefix
 * (--pref64, any RFC 6052 length) and one EAM entry 192.0.0.1/32 = CLAT-IPv6/128. The CLAT's IPv6
 * address is not given to the kernel: it is a dedicated address in the uplink's SLAAC /64 (RFC 7217
 * style, src/clat/iid.h) that this daemon defends itself: Duplicate Address Detection before use,
 * a new address on conflict, an unsolicited Neighbor Advertisement once it is up, and an answer to
 * every Neighbor Solicitation for it, all on the AF_PACKET socket.
 *
 * The PLAT prefix comes from the prefix manager (prefix.h): PREF64 in Router Advertisements (the
 * packet socket's filter passes RAs too), DNS64 discovery of ipv4only.arpa through the resolvers of
 * /etc/resolv.conf (RFC 7050), or --pref64; a change is applied live to the translator's pool6.
 * A netlink listener (links, IPv4 and IPv6 routes) tells when a native IPv4 default route comes or goes.
 *
 * States, each change logged as `old -> new (why)`:
 *   init -> dad -> waiting | standby | running -> stopping
 *   waiting: no PLAT prefix (or no IPv6 default route); standby: a native IPv4 default route exists.
 *   Only in running does the TUN exist (with its address and route); leaving running removes them.
 * docs/clat.md describes the choices. */
#include "clat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../siit/ctl_msg.h"
#include "ctl_msg.h"
#include "../siit/settings.h"
#include "common/csum.h"
#include "config.h"
#include "dns64/dns64.h"
#include "iid.h"
#include "ndp/ndp.h"
#include "nft.h"
#include "prefix.h"
#include "shared.h"
#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/netlink.h"
#include "sys/packet.h"
#include "sys/priv.h"
#include "sys/sig.h"
#include "sys/tun.h"
#include "xlat/offload.h"

#define CLAT_PKT_MAX (65535 + 40) /* the largest IPv6 packet: a TCP super-packet from a same-host peer can be it */
#define CLAT_READ_BURST 64
#define CLAT_CTL_PATH_MAX 108
#define CLAT_DEFAULT_TUN "clat"
/* Above the metrics DHCP clients, NetworkManager and systemd-networkd give native IPv4 default routes
 * (0 to about 1024 unless a user sets more), so a native route wins while both exist. */
#define CLAT_ROUTE_METRIC 2048
/* The mark on a TUN this daemon set up (IFLA_IFALIAS): it survives kill -9 on a TUN that existed
 * before the daemon (a persistent one), so the next start knows what is its own to clean. */
#define CLAT_TUN_ALIAS "xlat464 clat"
#define CLAT_DAD_WAIT_MS 1000  /* RFC 4861 section 10: RetransTimer; DupAddrDetectTransmits = 1 */
#define CLAT_PREFIX_WAIT_S 10  /* how long to wait for SLAAC to give the uplink a /64 */
#define CLAT_SHARED_WAIT_S 3   /* ... when it has an address to share already (a DHCPv6 /128) */
#define CLAT_MACHINE_ID "/etc/machine-id"
#define CLAT_MAX_ADDRS 64
#define CLAT_RESOLV_CONF "/etc/resolv.conf"
#define CLAT_DNS64_TIMEOUT_MS 3000 /* one query to every resolver, then give up on it */
#define CLAT_RESOLV_MAX_BYTES 8192
#define CLAT_WHY_MAX 160
#define ND_RS_LEN 8 /* type, code, checksum, reserved */

#define IP6_HDR_LEN 40
#define IP6_OFF_HLIM 7
#define IP6_OFF_NEXT 6
#define IP6_OFF_SRC 8
#define IP6_OFF_DST 24
#define IP6_VERSION_FLOW 0x60000000u

/* RFC 7335: the IPv4 Service Continuity Prefix 192.0.0.0/29. */
static const uint8_t clat_host4[4] = { 192, 0, 0, 1 };    /* the host's IPv4 address, on the TUN */
/* 192.0.0.2: the source of ICMPv4 errors the CLAT makes itself (self4); 192.0.0.8: the source of
 * translated errors from IPv6 routers, which have no IPv4 address (rfc6791v4), so traceroute shows
 * a hop instead of `*`. Both are given to the core as settings below. */
#define CLAT_HOST4_PLEN 29
static const uint8_t zero4[4];
static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };
static const uint8_t unspecified6[16];
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };

enum clat_state {
	CLAT_STATE_INIT,
	CLAT_STATE_DAD,
	CLAT_STATE_WAITING,
	CLAT_STATE_STANDBY,
	CLAT_STATE_RUNNING,
	CLAT_STATE_STOPPING
};
static const char *const clat_state_name[] = { "init", "dad", "waiting", "standby", "running", "stopping" };

struct clat_opts {
	const char *uplink, *pref64, *tun, *control, *pidfile, *resolv_conf, *config;
	bool force, daemon, debug, no_dns64;
	bool shared; /* --shared: the shared address mode even when the uplink has a /64 */
	bool check, print_config; /* validate (and print) the effective configuration, touch nothing */
	const char *tether[CLAT_TETHER_MAX];
	unsigned ntether;
};

struct clat_counters {
	uint64_t ns_answered, na_sent, dad_conflicts, addr_conflicts, ndp_bad;
	uint64_t raw_send_errors, tun_write_errors, tun_read_errors, pkt_read_errors;
	uint64_t ra_seen, ra_bad, ra_pref64, prefix_changes;
	uint64_t dns_queries, dns_answers, dns_failures;
	uint64_t nl_events, standby_count;
	uint64_t reloads, reload_errors, mtu_changes, renumbers; /* the daemon's life (docs/clat.md) */
	uint64_t shared_host, shared_malformed; /* shared mode: left to the host's kernel, unparsable */
	uint64_t csum_completed; /* packets whose checksum a same-host sender left to the device */
};

/* The DNS64 query in flight (one at a time, to every resolver of resolv.conf). */
struct clat_dns {
	int fd;
	bool inflight;
	uint16_t id;
	long deadline_ms;
	unsigned nservers, nsent, nreplies;
	struct sockaddr_in6 server[CLAT_RESOLV_MAX];
	char last[96]; /* what the last query gave, for the status */
};

struct clat {
	struct clat_opts opt; /* effective: the flags (cli) over the config file (cfg) over the defaults */
	struct clat_opts cli;
	struct clat_config cfg;
	bool no_prefix64;     /* the uplink lost its /64 and has no other yet (roaming) */
	enum clat_state state;
	struct sys_nl nl;
	struct sys_link up;
	int tun_ifindex;
	char tun[IF_NAMESIZE];
	unsigned tun_mtu;
	uint8_t key[CLAT_IID_KEY_LEN];
	uint8_t prefix64[16], addr6[16];
	unsigned dad_counter;
	uint8_t snm[16], snm_mac[6]; /* solicited-node group of addr6 and its MAC */
	bool snm_joined, addr4_added, route_added;
	int pktfd, rawfd, tunfd, sigfd, ctlfd, timerfd;
	struct sys_nl mon; /* netlink notifications */
	bool native4, default6; /* what the routing table said at the last event */
	int native4_oif;
	struct clat_prefixes pm;
	int applied;              /* the source whose prefix is the translator's pool6, -1: none */
	struct clat_pfx applied_pfx;
	struct clat_dns dns;
	char why[CLAT_WHY_MAX];   /* why the state is what it is */
	struct siit_settings *set;
	struct xlat_ctx ctx;
	struct xlat_out *out;
	uint8_t *rx;
	struct sys_loop loop;
	char ctlpath[CLAT_CTL_PATH_MAX];
	struct clat_status_msg *msg;
	time_t started;
	struct clat_counters n;
	struct clat_nft nft; /* tethering and the shared address mode (nft.h); nft.shared: the mode */
	struct xlat_config lifted; /* the translator's settings with MTUs lifted, for super-packets */
};

static const char clat_usage[] =
	"usage: xlat464 clat [--pref64 PREFIX] [--uplink IF] [--tun NAME] [--force] [--control PATH]\n"
	"                    [--no-dns64] [--resolv-conf FILE] [--pidfile FILE] [--foreground | --daemon] [--debug]\n"
	"  --pref64 PREFIX   a static PLAT prefix (RFC 6052 length 32, 40, 48, 56, 64 or 96), used when neither\n"
	"                    a PREF64 in Router Advertisements nor DNS64 (RFC 7050) gives one\n"
	"  --uplink IF       the IPv6 uplink (default: the link of the IPv6 default route)\n"
	"  --tun NAME        the IPv4 side (default " CLAT_DEFAULT_TUN ")\n"
	"  --force           run even when the host has a native IPv4 default route (or no IPv6 one)\n"
	"  --no-dns64        do not ask DNS64 for ipv4only.arpa\n"
	"  --resolv-conf FILE  the resolvers for DNS64 (default " CLAT_RESOLV_CONF ")\n"
	"  --control PATH    control socket (default " SYS_CTL_DIR "/clat-TUN.sock); `xlat464 status` reads it\n"
	"  --config FILE     `key value` lines with the keys above (uplink, pref64, tun, no-dns64, resolv-conf,\n"
	"                    force, control, pidfile, debug, shared, tether); flags override it; SIGHUP re-reads it\n"
	"  --tether IF       IPv4 clients behind IF reach IPv4 through the CLAT: NAT44 onto 192.0.0.1 (repeatable)\n"
	"  --shared          use the uplink's own IPv6 address, sharing it by port, even when it has a /64\n"
	"                    (without it: only when the uplink has no /64, e.g. a DHCPv6 /128)\n"
	"  --check           validate the flags and --config file, print the effective configuration, exit\n"
	"  --print-config    print the effective configuration (config-file syntax) and exit\n"
	"  the config file takes the same keys, plus `shared yes|no` and `tether IF` (repeatable)\n";

static void set_state(struct clat *c, enum clat_state s, const char *why)
{
	if (c->state == s && strcmp(c->why, why) == 0)
		return;
	if (c->state != s)
		log_info("state %s -> %s (%s)", clat_state_name[c->state], clat_state_name[s], why);
	else
		log_info("state %s (%s)", clat_state_name[s], why);
	c->state = s;
	snprintf(c->why, sizeof(c->why), "%s", why);
}

static const char *ntop6(const uint8_t a[16], char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* ---- neighbour discovery on the packet socket ------------------------------------------------ */

/* Wraps an ICMPv6 message in an IPv6 header (hop limit 255, RFC 4861) and sends it to dst_mac. */
static int send_ndp(struct clat *c, const uint8_t src[16], const uint8_t dst[16], const uint8_t dst_mac[6],
		    const uint8_t *msg, size_t len)
{
	uint8_t pkt[IP6_HDR_LEN + NDP_NA_MAX_LEN + NDP_NS_MAX_LEN];
	if (len > sizeof(pkt) - IP6_HDR_LEN)
		return -1;
	memset(pkt, 0, IP6_HDR_LEN);
	pkt[0] = IP6_VERSION_FLOW >> 24;
	pkt[4] = (uint8_t)(len >> 8);
	pkt[5] = (uint8_t)len;
	pkt[IP6_OFF_NEXT] = NDP_NEXT_HEADER_ICMP6;
	pkt[IP6_OFF_HLIM] = NDP_HOP_LIMIT;
	memcpy(pkt + IP6_OFF_SRC, src, 16);
	memcpy(pkt + IP6_OFF_DST, dst, 16);
	memcpy(pkt + IP6_HDR_LEN, msg, len);
	return sys_packet_send(c->pktfd, c->up.ifindex, dst_mac, pkt, IP6_HDR_LEN + len);
}

/* An advertisement for addr6 with our link-layer address: solicited (to the asker) or unsolicited
 * (to all nodes, RFC 4861 section 7.2.6). Override is set: the address is ours alone. */
static void send_na(struct clat *c, const uint8_t dst[16], const uint8_t dst_mac[6], bool solicited)
{
	struct ndp_na na = { .solicited = solicited, .override = true, .has_tgt_lladdr = true };
	uint8_t msg[NDP_NA_MAX_LEN];
	char a[INET6_ADDRSTRLEN];

	memcpy(na.target, c->addr6, 16);
	memcpy(na.tgt_lladdr, c->up.mac, 6);
	size_t len = ndp_build_na(c->addr6, dst, &na, msg, sizeof(msg));
	if (!len || send_ndp(c, c->addr6, dst, dst_mac, msg, len) < 0) {
		static struct log_ratelimit rl;
		if (log_ratelimit_ok(&rl))
			log_warn("neighbour advertisement to %s: %s", ntop6(dst, a), len ? strerror(errno) : "cannot build");
		return;
	}
	c->n.na_sent++;
}

static int send_dad_ns(struct clat *c)
{
	struct ndp_ns ns = { 0 };
	uint8_t msg[NDP_NS_MAX_LEN];

	memcpy(ns.target, c->addr6, 16);
	size_t len = ndp_build_ns(unspecified6, c->snm, &ns, msg, sizeof(msg));
	if (!len) {
		errno = EINVAL;
		return -1;
	}
	return send_ndp(c, unspecified6, c->snm, c->snm_mac, msg, len);
}

/* NOTHING: not neighbour discovery (translate it if it is for us); IGNORED: an NS or NA that is
 * invalid or about another address (never translated). */
enum ndp_seen { NDP_SEEN_NOTHING, NDP_SEEN_IGNORED, NDP_SEEN_NS, NDP_SEEN_DAD_NS, NDP_SEEN_NA };

/* Checks an NS or NA for addr6: hop limit 255 (RFC 4861 sections 7.1.1 and 7.1.2: it proves the
 * sender is on the link), no extension headers (the filter looks at the first next header only), and
 * what lib/ndp says of its content, checksum included. */
static enum ndp_seen ndp_classify(struct clat *c, const uint8_t *pkt, size_t len, struct ndp_ns *ns, struct ndp_na *na)
{
	static struct log_ratelimit rl;
	if (len < IP6_HDR_LEN + 1 || pkt[IP6_OFF_NEXT] != NDP_NEXT_HEADER_ICMP6)
		return NDP_SEEN_NOTHING;
	uint8_t type = pkt[IP6_HDR_LEN];
	if (type != NDP_ICMP6_NEIGHBOR_SOLICIT && type != NDP_ICMP6_NEIGHBOR_ADVERT)
		return NDP_SEEN_NOTHING;
	const uint8_t *src = pkt + IP6_OFF_SRC, *dst = pkt + IP6_OFF_DST;
	const char *why = NULL;
	if (pkt[IP6_OFF_HLIM] != NDP_HOP_LIMIT) {
		why = "hop limit is not 255";
	} else {
		enum ndp_result r = type == NDP_ICMP6_NEIGHBOR_SOLICIT
					    ? ndp_parse_ns(src, dst, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN, ns)
					    : ndp_parse_na(src, dst, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN, na);
		if (r != NDP_OK)
			why = ndp_result_name(r);
	}
	if (why) {
		c->n.ndp_bad++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("ignored neighbour discovery message: %s", why);
		return NDP_SEEN_IGNORED;
	}
	if (type == NDP_ICMP6_NEIGHBOR_ADVERT)
		return memcmp(na->target, c->addr6, 16) == 0 ? NDP_SEEN_NA : NDP_SEEN_IGNORED;
	if (memcmp(ns->target, c->addr6, 16) != 0)
		return NDP_SEEN_IGNORED;
	return memcmp(src, unspecified6, 16) == 0 ? NDP_SEEN_DAD_NS : NDP_SEEN_NS;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Points the filter and the multicast membership at c->addr6. */
static int watch_addr(struct clat *c)
{
	if (c->snm_joined && sys_packet_membership(c->pktfd, c->up.ifindex, c->snm_mac, false) < 0)
		log_warn("leaving the solicited-node group: %s", strerror(errno));
	c->snm_joined = false;
	ndp_solicited_node(c->addr6, c->snm);
	ndp_multicast_mac(c->snm, c->snm_mac);
	if (sys_packet_filter(c->pktfd, c->addr6) < 0)
		return -1;
	if (sys_packet_membership(c->pktfd, c->up.ifindex, c->snm_mac, true) < 0)
		return -1;
	c->snm_joined = true;
	return 0;
}

/* RFC 4862 section 5.4 with DupAddrDetectTransmits = 1, for up to CLAT_IID_MAX_DAD_RETRIES + 1
 * addresses (RFC 7217 section 6). The initial random delay of section 5.4.2 is skipped: the CLAT
 * starts long after the interface came up, when no burst of other nodes' solicitations is expected.
 * Blocking is fine here: nothing else runs before the address is known. Returns 0 or -1. */
static int run_dad(struct clat *c)
{
	char a[INET6_ADDRSTRLEN];
	uint8_t mac[6];
	struct ndp_ns ns;
	struct ndp_na na;

	set_state(c, CLAT_STATE_DAD, "probing the CLAT IPv6 address");
	for (c->dad_counter = 0; c->dad_counter <= CLAT_IID_MAX_DAD_RETRIES; c->dad_counter++) {
		clat_iid_make(c->key, c->prefix64, c->up.mac, c->dad_counter, c->addr6);
		if (watch_addr(c) < 0) {
			log_warn("packet socket on %s: %s", c->up.name, strerror(errno));
			return -1;
		}
		/* Drain what the old filter let in. */
		struct xlat_vnet vh;
		while (sys_packet_recv(c->pktfd, c->rx, CLAT_PKT_MAX, mac, &vh) >= 0)
			;
		if (send_dad_ns(c) < 0) {
			log_warn("DAD probe for %s: %s", ntop6(c->addr6, a), strerror(errno));
			return -1;
		}
		log_info("DAD: probing %s on %s (attempt %u)", ntop6(c->addr6, a), c->up.name, c->dad_counter + 1);
		bool conflict = false;
		long end = now_ms() + CLAT_DAD_WAIT_MS;
		for (long left; !conflict && (left = end - now_ms()) > 0;) {
			struct pollfd pfd = { .fd = c->pktfd, .events = POLLIN };
			int r = poll(&pfd, 1, (int)left);
			if (r < 0 && errno != EINTR)
				return -1;
			if (r <= 0)
				continue;
			ssize_t n;
			while (!conflict && (n = sys_packet_recv(c->pktfd, c->rx, CLAT_PKT_MAX, mac, &vh)) >= 0) {
				enum ndp_seen s = n ? ndp_classify(c, c->rx, (size_t)n, &ns, &na) : NDP_SEEN_NOTHING;
				/* RFC 4862 section 5.4.3 and 5.4.4: an NA for the tentative address, or another
				 * node's DAD probe for it, means it is not ours to take. */
				conflict = s == NDP_SEEN_NA || s == NDP_SEEN_DAD_NS;
			}
		}
		if (!conflict) {
			log_info("DAD: %s is free; using it", a);
			return 0;
		}
		c->n.dad_conflicts++;
		log_warn("DAD: %s is in use on %s; trying the next address", a, c->up.name);
	}
	log_warn("DAD: %u addresses in use; giving up (RFC 7217 IDGEN_RETRIES)", CLAT_IID_MAX_DAD_RETRIES + 1);
	return -1;
}

/* ---- the data path ----------------------------------------------------------------------------- */

/* Bytes off..off+n of a packet given as iovecs. */
static bool pkt_bytes(const struct xlat_pkt *p, size_t off, uint8_t *out, size_t n)
{
	for (unsigned i = 0; i < p->niov && n; i++) {
		size_t l = p->iov[i].iov_len;
		if (off >= l) {
			off -= l;
			continue;
		}
		size_t k = l - off < n ? l - off : n;
		memcpy(out, (const uint8_t *)p->iov[i].iov_base + off, k);
		out += k;
		n -= k;
		off = 0;
	}
	return n == 0;
}

static void send_v6(struct clat *c, const struct xlat_pkt *p)
{
	static struct log_ratelimit rl;
	uint8_t dst[16];
	if (!pkt_bytes(p, IP6_OFF_DST, dst, 16) || sys_raw6_send(c->rawfd, p->iov, (int)p->niov, dst) < 0) {
		c->n.raw_send_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("send on %s (%zu bytes): %s", c->up.name, p->len, strerror(errno));
	}
}

static void send_v4(struct clat *c, const struct xlat_pkt *p)
{
	static struct log_ratelimit rl;
	if (writev(c->tunfd, p->iov, (int)p->niov) < 0) {
		c->n.tun_write_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("write to %s (%zu bytes): %s", c->tun, p->len, strerror(errno));
	}
}

/* Sends every packet of out where its family belongs: IPv6 to the uplink, IPv4 to the TUN. A reply
 * (an ICMP error of the input's family) goes back the way the input came, which is the same rule. */
static void emit(struct clat *c, const struct xlat_out *out)
{
	if (out->action == XLAT_DROP)
		return; /* counted by the core, by reason */
	unsigned n = out->action == XLAT_REPLY ? (out->npkts > 0) : out->npkts;
	for (unsigned i = 0; i < n; i++) {
		if (out->pkt[i].family == 6)
			send_v6(c, &out->pkt[i]);
		else
			send_v4(c, &out->pkt[i]);
	}
}

static void on_tun(void *arg, int fd, uint32_t events)
{
	static struct log_ratelimit rl;
	struct clat *c = arg;

	for (int i = 0; i < CLAT_READ_BURST; i++) {
		ssize_t n = read(fd, c->rx, CLAT_PKT_MAX);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			c->n.tun_read_errors++;
			if (log_ratelimit_ok(&rl))
				log_warn("read from %s: %s", c->tun, strerror(errno));
			return;
		}
		/* The TUN carries what the host routes to it: IPv4, and the odd IPv6 packet (router
		 * solicitations and MLD the kernel sends on any link), which has no business here. */
		if (n == 0 || c->rx[0] >> 4 != 4 || c->state != CLAT_STATE_RUNNING)
			continue;
		xlat_4to6(&c->ctx, c->rx, (size_t)n, c->out);
		emit(c, c->out);
	}
}

static void on_ndp(struct clat *c, enum ndp_seen s, const uint8_t *pkt, const struct ndp_ns *ns, const uint8_t mac[6])
{
	static struct log_ratelimit rl;
	char a[INET6_ADDRSTRLEN];

	switch (s) {
	case NDP_SEEN_NS:
		/* RFC 4861 section 7.2.4: answer to the solicitation's source, at its link-layer address
		 * (the option when present, else the frame's source). */
		send_na(c, pkt + IP6_OFF_SRC, ns->has_src_lladdr ? ns->src_lladdr : mac, true);
		c->n.ns_answered++;
		break;
	case NDP_SEEN_DAD_NS: {
		/* Another node probes our address: defend it (RFC 4862 section 5.4.3, as Linux does). */
		uint8_t m[6];
		ndp_multicast_mac(all_nodes, m);
		send_na(c, all_nodes, m, false);
		c->n.addr_conflicts++;
		if (log_ratelimit_ok(&rl))
			log_warn("another node probes %s with DAD; defended it", ntop6(c->addr6, a));
		break;
	}
	case NDP_SEEN_NA:
		c->n.addr_conflicts++;
		if (log_ratelimit_ok(&rl))
			log_warn("another node advertises %s, the CLAT address (a duplicate after DAD)", ntop6(c->addr6, a));
		break;
	case NDP_SEEN_NOTHING:
	case NDP_SEEN_IGNORED:
		break;
	}
}

static void on_ra(struct clat *c, const uint8_t *pkt, size_t len);

static void on_pkt(void *arg, int fd, uint32_t events)
{
	static struct log_ratelimit rl;
	struct clat *c = arg;
	uint8_t mac[6];
	struct ndp_ns ns;
	struct ndp_na na;

	for (int i = 0; i < CLAT_READ_BURST; i++) {
		struct xlat_vnet vh;
		ssize_t n = sys_packet_recv(fd, c->rx, CLAT_PKT_MAX, mac, &vh);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			c->n.pkt_read_errors++;
			if (log_ratelimit_ok(&rl))
				log_warn("read on %s: %s", c->up.name, strerror(errno));
			return;
		}
		if (n == 0)
			continue;
		if ((size_t)n > IP6_HDR_LEN && c->rx[IP6_OFF_NEXT] == NDP_NEXT_HEADER_ICMP6 &&
		    c->rx[IP6_HDR_LEN] == NDP_ICMP6_ROUTER_ADVERT) {
			on_ra(c, c->rx, (size_t)n);
			continue;
		}
		/* Shared mode: the kernel owns the address and does its neighbour discovery; of the packets
		 * for it, the CLAT takes those in its port range (shared.h). */
		enum ndp_seen s = c->nft.shared ? NDP_SEEN_NOTHING : ndp_classify(c, c->rx, (size_t)n, &ns, &na);
		if (s != NDP_SEEN_NOTHING) {
			on_ndp(c, s, c->rx, &ns, mac);
			continue;
		}
		if (c->nft.shared) {
			enum clat_shared_verdict v = clat_shared_classify(c->rx, (size_t)n, c->nft.port_lo, c->nft.port_hi);
			if (v == CLAT_SHARED_HOST || v == CLAT_SHARED_MALFORMED) {
				c->n.shared_host += v == CLAT_SHARED_HOST;
				c->n.shared_malformed += v == CLAT_SHARED_MALFORMED;
				continue;
			}
		}
		/* Only what is addressed to the CLAT address is translated (the filter also passes NS and NA
		 * for it sent to multicast groups). */
		if (memcmp(c->rx + IP6_OFF_DST, c->addr6, 16) != 0 || c->state != CLAT_STATE_RUNNING)
			continue;
		if (!(vh.flags & XLAT_VNET_F_NEEDS_CSUM)) {
			xlat_6to4(&c->ctx, c->rx, (size_t)n, c->out);
			emit(c, c->out);
			continue;
		}
		/* A sender on this host (a veth peer) left the transport checksum to the device: finish it
		 * (lib/xlat/offload.h). A TCP super-packet from it (longer than the link MTU) is finished and
		 * translated whole, its MTU limit lifted: the TUN takes it to this host's own stack, which
		 * takes any size. */
		enum xlat_drop why = xlat_offload_prepare(c->rx, (size_t)n, &vh);
		if (why != XLAT_DROP_NONE) {
			c->ctx.stats.drops[why]++;
			continue;
		}
		c->n.csum_completed++;
		const struct xlat_config *cfg = c->ctx.cfg;
		if ((size_t)n > c->up.mtu) {
			xlat_offload_config(cfg, &c->lifted);
			c->ctx.cfg = &c->lifted;
		}
		xlat_6to4(&c->ctx, c->rx, (size_t)n, c->out);
		c->ctx.cfg = cfg;
		emit(c, c->out);
	}
}

/* ---- prefix, activation ------------------------------------------------------------------------ */

static int64_t now_s(void)
{
	return now_ms() / 1000;
}

static const char *pfx_str(const struct clat_pfx *p, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	snprintf(buf, cap, "%s/%u", ntop6(p->prefix, a), p->len);
	return buf;
}

static int set_kv(struct clat *c, const char *key, const char *v1, const char *v2)
{
	char err[SIIT_ERR_MAX];
	const char *val[2] = { v1, v2 };
	if (siit_settings_set(c->set, key, val, v2 ? 2 : 1, err, sizeof(err)) < 0) {
		log_warn("%s %s%s%s: %s", key, v1, v2 ? " " : "", v2 ? v2 : "", err);
		return -1;
	}
	return 0;
}

/* Makes the winning source's prefix the translator's pool6 (live: the core reads the map per packet). */
static void apply_prefix(struct clat *c, int sel)
{
	char was[INET6_ADDRSTRLEN + 4], now[INET6_ADDRSTRLEN + 4];
	const struct clat_pfx *p = sel >= 0 ? &c->pm.src[sel].p : NULL;
	if (sel == c->applied && (!p || memcmp(p, &c->applied_pfx, sizeof(*p)) == 0))
		return;
	if (c->applied >= 0)
		pfx_str(&c->applied_pfx, was, sizeof(was));
	else
		snprintf(was, sizeof(was), "none");
	if (p)
		pfx_str(p, now, sizeof(now));
	else
		snprintf(now, sizeof(now), "none");
	if (set_kv(c, "pool6", now, NULL) < 0) {
		log_warn("PLAT prefix %s from %s refused by the translator", now, clat_psrc_name((enum clat_psrc)sel));
		return;
	}
	log_info("PLAT prefix %s (%s) -> %s (%s)", was, c->applied >= 0 ? clat_psrc_name((enum clat_psrc)c->applied) : "-",
		 now, p ? clat_psrc_name((enum clat_psrc)sel) : "-");
	c->applied = sel;
	if (p)
		c->applied_pfx = *p;
	else
		memset(&c->applied_pfx, 0, sizeof(c->applied_pfx));
	c->n.prefix_changes++;
}

static void on_tun(void *arg, int fd, uint32_t events);

/* The IPv4 side: the TUN (created by this process, not persistent), 192.0.0.1/29 and the default route. */
static int bring_up(struct clat *c)
{
	bool created;
	c->tunfd = sys_tun_open(c->tun, &created);
	if (c->tunfd < 0) {
		log_warn("TUN %s: %s", c->tun, strerror(errno));
		return -1;
	}
	if (sys_link_set_mtu_up(c->tun, c->tun_mtu) < 0) {
		log_warn("TUN %s: MTU %u and up: %s", c->tun, c->tun_mtu, strerror(errno));
		return -1;
	}
	c->tun_ifindex = (int)if_nametoindex(c->tun);
	if (sys_nl_link_set_alias(&c->nl, c->tun_ifindex, CLAT_TUN_ALIAS) < 0) /* recover_stale() looks for it */
		log_warn("TUN %s: alias: %s", c->tun, strerror(errno));
	/* Scope host: the kernel never picks 192.0.0.1 as the source of a packet leaving through another
	 * interface (mDNS, SSDP on an uplink without IPv4); the CLAT route names it as its source. */
	if (sys_nl_addr4(&c->nl, true, c->tun_ifindex, clat_host4, CLAT_HOST4_PLEN, RT_SCOPE_HOST) < 0 && errno != EEXIST) {
		log_warn("address 192.0.0.1/%u on %s: %s", CLAT_HOST4_PLEN, c->tun, strerror(errno));
		return -1;
	}
	c->addr4_added = true;
	if (sys_nl_route4(&c->nl, true, c->tun_ifindex, zero4, 0, clat_host4, CLAT_ROUTE_METRIC) < 0 && errno != EEXIST) {
		log_warn("default route via %s metric %u: %s", c->tun, CLAT_ROUTE_METRIC, strerror(errno));
		return -1;
	}
	c->route_added = true;
	if (clat_nft_up(&c->nft) < 0) /* tethering, shared mode (nft.h) */
		return -1;
	if (sys_loop_add(&c->loop, c->tunfd, on_tun, c) < 0) {
		log_warn("epoll: %s", strerror(errno));
		return -1;
	}
	log_info("IPv4 side: %s%s, 192.0.0.1/%u, MTU %u, default route metric %u", c->tun, created ? " (created)" : "",
		 CLAT_HOST4_PLEN, c->tun_mtu, CLAT_ROUTE_METRIC);
	return 0;
}

/* Removes what bring_up added; closing the descriptor removes the TUN with whatever is left on it. */
static void take_down(struct clat *c)
{
	if (c->nft.applied || c->nft.forwarding_set)
		clat_nft_down(&c->nft);
	if (c->route_added && sys_nl_route4(&c->nl, false, c->tun_ifindex, zero4, 0, clat_host4, CLAT_ROUTE_METRIC) < 0)
		log_warn("removing the default route via %s: %s", c->tun, strerror(errno));
	if (c->addr4_added && sys_nl_addr4(&c->nl, false, c->tun_ifindex, clat_host4, CLAT_HOST4_PLEN, RT_SCOPE_HOST) < 0)
		log_warn("removing 192.0.0.1 from %s: %s", c->tun, strerror(errno));
	c->route_added = c->addr4_added = false;
	if (c->tunfd >= 0) {
		sys_loop_del(&c->loop, c->tunfd);
		close(c->tunfd);
		log_info("removed the TUN %s, its address and route", c->tun);
	}
	c->tunfd = -1;
	c->tun_ifindex = 0;
}

/* Re-reads the routing table: a native IPv4 default route (not the CLAT's own), an IPv6 default route. */
static void read_routes(struct clat *c)
{
	int v4 = sys_nl_default_route_oif(&c->nl, AF_INET, c->tunfd >= 0 ? c->tun_ifindex : 0);
	int v6 = sys_nl_default_route_oif(&c->nl, AF_INET6, 0);
	if (v4 < 0 || v6 < 0) {
		log_warn("reading the routes: %s", strerror(errno));
		return;
	}
	c->native4 = v4 > 0;
	c->native4_oif = v4;
	c->default6 = v6 > 0;
}

/* The one place that decides the state, from the prefix manager and the routes last read. */
static void evaluate(struct clat *c)
{
	char why[CLAT_WHY_MAX], p[INET6_ADDRSTRLEN + 4];
	enum clat_state want;
	int sel = clat_prefixes_select(&c->pm, now_s());

	if (c->state == CLAT_STATE_STOPPING)
		return;
	apply_prefix(c, sel);
	if (c->no_prefix64) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), "no SLAAC /64 on %s for the CLAT address", c->up.name);
	} else if (sel < 0) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), "no PLAT prefix: none in Router Advertisements%s%s",
			 c->opt.no_dns64 ? "" : ", none from DNS64", c->opt.pref64 ? "" : ", no --pref64");
	} else if (!c->opt.force && c->native4) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname((unsigned)c->native4_oif, name);
		want = CLAT_STATE_STANDBY;
		snprintf(why, sizeof(why), "native IPv4 default route on %s", name);
	} else if (!c->opt.force && !c->default6) {
		want = CLAT_STATE_WAITING;
		snprintf(why, sizeof(why), "no IPv6 default route");
	} else {
		want = CLAT_STATE_RUNNING;
		snprintf(why, sizeof(why), "PLAT prefix %s from %s%s", pfx_str(&c->applied_pfx, p, sizeof(p)),
			 clat_psrc_name((enum clat_psrc)sel),
			 c->opt.force && c->native4 ? ", --force despite native IPv4" : ", no native IPv4");
	}
	if (want == CLAT_STATE_RUNNING && c->tunfd < 0) {
		if (bring_up(c) < 0) {
			take_down(c);
			want = CLAT_STATE_WAITING;
			snprintf(why, sizeof(why), "the IPv4 side could not be set up (see the log); retrying");
		} else {
			char a[INET6_ADDRSTRLEN];
			c->n.standby_count += c->state == CLAT_STATE_STANDBY;
			log_info("CLAT %s = 192.0.0.1 via %s, PLAT prefix %s (%s), control %s", ntop6(c->addr6, a),
				 c->up.name, p, clat_psrc_name((enum clat_psrc)sel), c->ctlpath);
		}
	} else if (want != CLAT_STATE_RUNNING && c->tunfd >= 0) {
		take_down(c);
	}
	set_state(c, want, why);
}

/* ---- Router Advertisements: PREF64 (RFC 8781) ------------------------------------------------- */

static void on_ra(struct clat *c, const uint8_t *pkt, size_t len)
{
	static struct log_ratelimit rl;
	static struct ndp_ra ra;
	char p[INET6_ADDRSTRLEN + 4];
	enum ndp_result r = NDP_OK;

	c->n.ra_seen++;
	/* RFC 4861 section 6.1.2: hop limit 255 proves the RA was not forwarded. */
	if (pkt[IP6_OFF_HLIM] != NDP_HOP_LIMIT ||
	    (r = ndp_parse_ra(pkt + IP6_OFF_SRC, pkt + IP6_OFF_DST, pkt + IP6_HDR_LEN, len - IP6_HDR_LEN, &ra)) != NDP_OK) {
		c->n.ra_bad++;
		if (log_ratelimit_ok(&rl))
			log_debug("ignored a router advertisement: %s", r == NDP_OK ? "hop limit is not 255" : ndp_result_name(r));
		return;
	}
	if (!ra.npref64)
		return;
	c->n.ra_pref64++;
	if (clat_prefixes_on_ra(&c->pm, ra.pref64, ra.npref64, now_s())) {
		const struct clat_psrc_slot *x = &c->pm.src[CLAT_PSRC_PREF64];
		if (x->valid)
			log_info("RA PREF64: %s, lifetime %u s (%u option%s in the RA)", pfx_str(&x->p, p, sizeof(p)),
				 x->lifetime, ra.npref64, ra.npref64 == 1 ? "" : "s");
		else
			log_info("RA PREF64: withdrawn (lifetime 0)");
	} else if (log_enabled(LOG_LEVEL_DEBUG)) {
		log_debug("RA PREF64: refreshed, lifetime %u s", c->pm.src[CLAT_PSRC_PREF64].lifetime);
	}
	evaluate(c);
}

/* A Router Solicitation from :: (RFC 4861 section 6.3.7 allows it; no options then), so a router
 * tells its PREF64 now rather than at its next periodic advertisement. */
static void send_rs(struct clat *c)
{
	uint8_t msg[ND_RS_LEN] = { NDP_ICMP6_ROUTER_SOLICIT }, mac[6];
	uint32_t sum = csum_partial(unspecified6, 16, 0);
	sum = csum_partial(all_routers, 16, sum);
	sum += ND_RS_LEN + NDP_NEXT_HEADER_ICMP6;
	sum = csum_partial(msg, sizeof(msg), sum);
	uint16_t ck = csum_fold(sum);
	msg[2] = (uint8_t)(ck >> 8);
	msg[3] = (uint8_t)ck;
	ndp_multicast_mac(all_routers, mac);
	if (send_ndp(c, unspecified6, all_routers, mac, msg, sizeof(msg)) < 0)
		log_warn("router solicitation on %s: %s", c->up.name, strerror(errno));
}

/* ---- DNS64 (RFC 7050) -------------------------------------------------------------------------- */

static void dns_done_fail(struct clat *c, const char *why)
{
	static struct log_ratelimit rl;
	c->dns.inflight = false;
	c->n.dns_failures++;
	clat_prefixes_dns64_fail(&c->pm, now_s());
	snprintf(c->dns.last, sizeof(c->dns.last), "failed: %s", why);
	if (c->pm.dns.failures == 1 || log_enabled(LOG_LEVEL_DEBUG) || log_ratelimit_ok(&rl))
		log_info("DNS64: %s; next query in %lld s", why, (long long)(c->pm.dns.next_query - now_s()));
}

/* Sends ipv4only.arpa AAAA to every resolver of resolv.conf (re-read each time: it changes when the
 * network does). */
static void dns_start(struct clat *c)
{
	static char text[CLAT_RESOLV_MAX_BYTES];
	struct clat_nameserver ns[CLAT_RESOLV_MAX];
	const char *path = c->opt.resolv_conf ? c->opt.resolv_conf : CLAT_RESOLV_CONF;
	uint8_t q[DNS64_QUERY_LEN];

	c->dns.inflight = true;
	c->n.dns_queries++;
	FILE *f = fopen(path, "re");
	size_t len = f ? fread(text, 1, sizeof(text), f) : 0;
	if (f)
		fclose(f);
	unsigned n = clat_resolv_parse(text, len, ns);
	if (n == 0) {
		dns_done_fail(c, f ? "no nameserver in resolv.conf" : "cannot read resolv.conf");
		return;
	}
	if (c->dns.fd < 0 && (c->dns.fd = sys_udp_open()) < 0) {
		dns_done_fail(c, strerror(errno));
		return;
	}
	if (getrandom(&c->dns.id, sizeof(c->dns.id), 0) != sizeof(c->dns.id))
		c->dns.id = (uint16_t)now_ms();
	size_t qlen = dns64_build_query(c->dns.id, q, sizeof(q));
	c->dns.nservers = c->dns.nsent = c->dns.nreplies = 0;
	int err = 0;
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_in6 *sa = &c->dns.server[c->dns.nservers];
		memset(sa, 0, sizeof(*sa));
		sa->sin6_family = AF_INET6;
		sa->sin6_port = htons(DNS64_PORT);
		if (ns[i].v6) {
			memcpy(&sa->sin6_addr, ns[i].addr, 16);
			if (ns[i].scope[0])
				sa->sin6_scope_id = if_nametoindex(ns[i].scope);
		} else {
			static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };
			memcpy(sa->sin6_addr.s6_addr, mapped, 12);
			memcpy(sa->sin6_addr.s6_addr + 12, ns[i].addr, 4);
		}
		c->dns.nservers++;
		if (sendto(c->dns.fd, q, qlen, 0, (struct sockaddr *)sa, sizeof(*sa)) == (ssize_t)qlen)
			c->dns.nsent++;
		else
			err = errno;
	}
	if (!c->dns.nsent) {
		dns_done_fail(c, strerror(err));
		return;
	}
	c->dns.deadline_ms = now_ms() + CLAT_DNS64_TIMEOUT_MS;
	log_debug("DNS64: asked %u resolver%s for ipv4only.arpa AAAA", c->dns.nsent, c->dns.nsent == 1 ? "" : "s");
}

static bool dns_from_server(const struct clat *c, const struct sockaddr_in6 *from)
{
	for (unsigned i = 0; i < c->dns.nservers; i++)
		if (from->sin6_port == c->dns.server[i].sin6_port &&
		    memcmp(&from->sin6_addr, &c->dns.server[i].sin6_addr, 16) == 0)
			return true;
	return false;
}

static void on_dns(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	uint8_t buf[1500];
	struct sockaddr_in6 from;
	socklen_t flen;
	ssize_t n;
	char p[INET6_ADDRSTRLEN + 4];

	while (flen = sizeof(from), (n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen)) >= 0) {
		if (!c->dns.inflight || !dns_from_server(c, &from))
			continue; /* late, or not from a resolver we asked */
		struct dns64_result res;
		enum dns64_status st = dns64_parse_response(buf, (size_t)n, c->dns.id, &res);
		if (st == DNS64_ID_MISMATCH)
			continue; /* an answer to an earlier query */
		if (st == DNS64_OK) {
			struct clat_pfx x = { .len = res.prefix[0].len };
			memcpy(x.prefix, res.prefix[0].prefix, 16);
			bool changed = !c->pm.src[CLAT_PSRC_DNS64].valid ||
				       memcmp(&c->pm.src[CLAT_PSRC_DNS64].p, &x, sizeof(x)) != 0;
			c->dns.inflight = false;
			c->n.dns_answers++;
			clat_prefixes_dns64_ok(&c->pm, &x, res.ttl, now_s());
			snprintf(c->dns.last, sizeof(c->dns.last), "ok: %s, TTL %u s (%u prefix%s)", pfx_str(&x, p, sizeof(p)),
				 res.ttl, res.nprefix, res.nprefix == 1 ? "" : "es");
			if (changed)
				log_info("DNS64: ipv4only.arpa gives %s, TTL %u s; next query in %lld s", p, res.ttl,
					 (long long)clat_dns64_refresh_delay(res.ttl));
			else
				log_debug("DNS64: %s again, TTL %u s", p, res.ttl);
			evaluate(c);
			continue;
		}
		if (++c->dns.nreplies >= c->dns.nsent) {
			char why[64];
			snprintf(why, sizeof(why), "no NAT64 prefix in the answer (%s)", dns64_status_name(st));
			dns_done_fail(c, why);
		}
	}
}

/* ---- netlink, timer ---------------------------------------------------------------------------- */

/* ---- following the uplink: MTU, SLAAC /64 (roaming), what a killed run left --------------------- */

static int setup_translator(struct clat *c);

/* The uplink's IPv6 MTU: the link MTU, or less when the IPv6 one is lower (an RA's MTU option sets
 * net.ipv6.conf.IF.mtu, not the link). The TUN gets 20 bytes less (the IPv4 header is 20 bytes shorter),
 * the translator the same pair as mtu6 and mtu4, so a full-size IPv4 packet becomes a full-size IPv6
 * one and bigger DF packets get Fragmentation Needed with the right MTU (from the kernel at the TUN). */
static void follow_mtu(struct clat *c)
{
	struct sys_link l;
	char path[80], m6s[12], m4s[12];
	unsigned mtu, m6;

	if (sys_nl_link_get(&c->nl, c->up.ifindex, &l) < 0)
		return; /* gone: the routes say so too */
	mtu = l.mtu;
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/mtu", c->up.name);
	if (sys_read_uint_file(path, &m6) == 0 && m6 < mtu)
		mtu = m6;
	if (mtu == c->up.mtu)
		return;
	if (mtu < 1280 || mtu > 65535) {
		static struct log_ratelimit rl;
		if (log_ratelimit_ok(&rl))
			log_warn("uplink %s: IPv6 MTU %u is not usable; keeping %u", c->up.name, mtu, c->up.mtu);
		return;
	}
	unsigned was = c->up.mtu;
	c->up.mtu = mtu;
	c->tun_mtu = mtu - 20;
	snprintf(m6s, sizeof(m6s), "%u", mtu);
	snprintf(m4s, sizeof(m4s), "%u", c->tun_mtu);
	if (set_kv(c, "mtu6", m6s, NULL) < 0 || set_kv(c, "mtu4", m4s, NULL) < 0)
		return;
	if (c->tunfd >= 0 && sys_link_set_mtu_up(c->tun, c->tun_mtu) < 0)
		log_warn("TUN %s: MTU %u: %s", c->tun, c->tun_mtu, strerror(errno));
	c->n.mtu_changes++;
	log_info("uplink %s: IPv6 MTU %u -> %u; TUN %s MTU %u, translator mtu6 %u", c->up.name, was, mtu, c->tun,
		 c->tun_mtu, mtu);
}

/* pick_prefix's choice, without waiting: the best SLAAC (else static) global /64 of the uplink, and
 * whether cur is still among the usable ones. Returns 1 (found, in out), 0 (none), or -1. */
static int uplink_prefix64(struct clat *c, const uint8_t cur[16], bool *cur_ok, uint8_t out[16])
{
	static struct sys_addr6 list[CLAT_MAX_ADDRS];
	int n = sys_nl_addr6_list(&c->nl, c->up.ifindex, list, CLAT_MAX_ADDRS), best = -1;
	*cur_ok = false;
	if (n < 0)
		return -1;
	for (int i = 0; i < n && i < CLAT_MAX_ADDRS; i++) {
		const struct sys_addr6 *x = &list[i];
		if (x->scope != RT_SCOPE_UNIVERSE || x->plen != 64 || ndp_is_multicast(x->addr) ||
		    (x->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED | IFA_F_TEMPORARY)))
			continue;
		if (memcmp(x->addr, cur, 8) == 0)
			*cur_ok = true;
		if (best < 0 || ((list[best].flags & IFA_F_PERMANENT) && !(x->flags & IFA_F_PERMANENT)))
			best = i;
	}
	if (best < 0)
		return 0;
	memset(out, 0, 16);
	memcpy(out, list[best].addr, 8);
	return 1;
}

/* Roaming: the /64 the CLAT address lives in is gone (removed, deprecated, renumbered). With a new /64
 * the CLAT makes a new address in it (DAD again), points the packet filter, the translator's EAM and
 * self6 at it and drops the old (no more answers for it); the prefix, TUN and counters stay. With
 * none yet, it waits (no TUN) until one comes. */
static void follow_prefix64(struct clat *c)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	uint8_t p[16], old[16], oldp[16];
	bool cur_ok;
	static int64_t retry_at; /* after a failed DAD in a new /64: not before this */

	if (c->nft.shared || (c->no_prefix64 && now_s() < retry_at))
		return; /* shared: the host's own address, which the kernel manages */
	int r = uplink_prefix64(c, c->prefix64, &cur_ok, p);
	if (r < 0 || cur_ok) {
		if (r > 0 && c->no_prefix64) {
			c->no_prefix64 = false;
			log_info("uplink %s: /64 %s/64 is usable again", c->up.name, ntop6(c->prefix64, a));
		}
		return;
	}
	if (r == 0) {
		if (!c->no_prefix64)
			log_warn("uplink %s: /64 %s/64 is gone and there is no other; waiting for one", c->up.name,
				 ntop6(c->prefix64, a));
		c->no_prefix64 = true;
		return;
	}
	memcpy(old, c->addr6, 16);
	memcpy(oldp, c->prefix64, 16);
	log_info("uplink %s: /64 %s/64 -> %s/64 (renumbered or roamed); a new CLAT address", c->up.name,
		 ntop6(c->prefix64, a), ntop6(p, b));
	memcpy(c->prefix64, p, 16);
	enum clat_state was = c->state;
	if (run_dad(c) < 0) {
		log_warn("uplink %s: no usable CLAT address in the new /64; trying again in 30 s", c->up.name);
		memcpy(c->prefix64, oldp, 16); /* so the next look sees the change again */
		c->no_prefix64 = true;
		retry_at = now_s() + 30;
		c->state = was;
		return;
	}
	c->state = was; /* evaluate() decides from here, with the new address */
	uint8_t m[6];
	ndp_multicast_mac(all_nodes, m);
	send_na(c, all_nodes, m, false);
	struct xlat_stats keep = c->ctx.stats;
	if (setup_translator(c) < 0)
		log_warn("translator settings for %s refused", ntop6(c->addr6, b));
	c->ctx.stats = keep;
	c->applied = -1; /* pool6 was reset: evaluate() sets it again */
	c->no_prefix64 = false;
	c->n.renumbers++;
	log_info("CLAT address %s -> %s", ntop6(old, a), ntop6(c->addr6, b));
}

/* kill -9 recovery, before anything is set up. A TUN the daemon created goes with its descriptor, with
 * its address and route; a persistent TUN it used keeps 192.0.0.1/29 and the default route (a black
 * hole while the CLAT stands by). The stale control socket is replaced by sys_ctl_listen, the pid file
 * rewritten, the nft tables by clat_nft_down. A TUN held open by a live process is refused. */
static int recover_stale(struct clat *c)
{
	struct sys_link l;
	bool created;

	if (sys_nl_link_get_by_name(&c->nl, c->tun, &l) < 0) {
		if (errno == ENODEV)
			return 0;
		log_warn("TUN %s: %s", c->tun, strerror(errno));
		return -1;
	}
	int fd = sys_tun_open(c->tun, &created);
	if (fd < 0) {
		log_warn("TUN %s exists and cannot be taken: %s%s", c->tun, strerror(errno),
			 errno == EBUSY ? " (another process has it open: another xlat464 clat?)" : "");
		return -1;
	}
	close(fd);
	if (strcmp(l.alias, CLAT_TUN_ALIAS) != 0) {
		log_info("TUN %s exists already (not marked \"%s\"): using it", c->tun, CLAT_TUN_ALIAS);
		return 0;
	}
	bool r = sys_nl_route4(&c->nl, false, l.ifindex, zero4, 0, clat_host4, CLAT_ROUTE_METRIC) == 0;
	bool a = sys_nl_addr4(&c->nl, false, l.ifindex, clat_host4, CLAT_HOST4_PLEN, RT_SCOPE_HOST) == 0;
	sys_nl_link_set_alias(&c->nl, l.ifindex, "");
	log_info("TUN %s: left by an earlier run that was killed; removed%s%s%s", c->tun, r ? " its default route" : "",
		 r && a ? " and" : "", a ? " 192.0.0.1" : (r ? "" : " nothing (nothing left)"));
	return 0;
}

static void on_nl(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	int n = sys_nl_monitor_drain(&c->mon);
	if (n < 0 && errno != ENOBUFS)
		log_warn("netlink notifications: %s", strerror(errno));
	if (n == 0)
		return;
	c->n.nl_events++;
	follow_mtu(c);
	follow_prefix64(c);
	read_routes(c);
	evaluate(c);
}

/* Once a second: DNS64 due or timed out, prefixes expired. */
static void tick(struct clat *c)
{
	if (c->dns.inflight && now_ms() >= c->dns.deadline_ms)
		dns_done_fail(c, "no answer from any resolver");
	if (!c->opt.no_dns64 && !c->dns.inflight && clat_prefixes_dns64_due(&c->pm, now_s()))
		dns_start(c);
	if (now_s() % 5 == 0)
		follow_mtu(c); /* an RA's MTU option changes the IPv6 MTU without a link notification */
	evaluate(c);
}

static void on_timer(void *arg, int fd, uint32_t events)
{
	uint64_t ticks;
	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_warn("timer: %s", strerror(errno));
	tick(arg);
}

/* ---- control socket and signals ---------------------------------------------------------------- */

static void format_sources(const struct clat *c, int64_t now, char *buf, size_t cap)
{
	size_t used = 0;
	buf[0] = '\0';
	for (int s = 0; s < CLAT_PSRC__COUNT && used < cap; s++) {
		const struct clat_psrc_slot *x = &c->pm.src[s];
		char p[INET6_ADDRSTRLEN + 4];
		int k;
		if (!x->valid)
			k = snprintf(buf + used, cap - used, "%s%s none", s ? "; " : "", clat_psrc_name((enum clat_psrc)s));
		else if (s == CLAT_PSRC_STATIC)
			k = snprintf(buf + used, cap - used, "%s%s %s", s ? "; " : "", clat_psrc_name((enum clat_psrc)s),
				     pfx_str(&x->p, p, sizeof(p)));
		else
			k = snprintf(buf + used, cap - used, "%s%s %s expires in %lld s", s ? "; " : "",
				     clat_psrc_name((enum clat_psrc)s), pfx_str(&x->p, p, sizeof(p)), (long long)(x->expires - now));
		if (k < 0)
			return;
		used += (size_t)k;
	}
}

static size_t format_status(const struct clat *c, char *buf, size_t cap)
{
	char a6[INET6_ADDRSTRLEN], pref[INET6_ADDRSTRLEN + 160], p[INET6_ADDRSTRLEN + 4], srcs[400], dns[200];
	int64_t now = now_s();
	int sel = c->applied;

	if (sel < 0) {
		snprintf(pref, sizeof(pref), "none");
	} else if (sel == CLAT_PSRC_STATIC) {
		snprintf(pref, sizeof(pref), "%s (source: static --pref64, no expiry)", pfx_str(&c->applied_pfx, p, sizeof(p)));
	} else if (sel == CLAT_PSRC_PREF64) {
		const struct clat_psrc_slot *x = &c->pm.src[sel];
		snprintf(pref, sizeof(pref), "%s (source: ra-pref64, lifetime %u s, expires in %lld s unless an RA refreshes it)",
			 pfx_str(&c->applied_pfx, p, sizeof(p)), x->lifetime, (long long)(x->expires - now));
	} else {
		const struct clat_psrc_slot *x = &c->pm.src[sel];
		snprintf(pref, sizeof(pref), "%s (source: dns64, TTL %u s, expires in %lld s, next query in %lld s)",
			 pfx_str(&c->applied_pfx, p, sizeof(p)), x->lifetime, (long long)(x->expires - now),
			 (long long)(c->pm.dns.next_query > now ? c->pm.dns.next_query - now : 0));
	}
	format_sources(c, now, srcs, sizeof(srcs));
	if (c->opt.no_dns64)
		snprintf(dns, sizeof(dns), "off (--no-dns64)");
	else
		snprintf(dns, sizeof(dns), "%s; %s; queries %llu answers %llu failures %llu (%u in a row)",
			 c->dns.last[0] ? c->dns.last : "not asked yet",
			 c->dns.inflight ? "query in flight" : "next query due", (unsigned long long)c->n.dns_queries,
			 (unsigned long long)c->n.dns_answers, (unsigned long long)c->n.dns_failures, c->pm.dns.failures);
	if (!c->opt.no_dns64 && !c->dns.inflight) {
		size_t l = strlen(dns);
		snprintf(dns + l, sizeof(dns) - l, ", in %lld s",
			 (long long)(c->pm.dns.next_query > now ? c->pm.dns.next_query - now : 0));
	}
	int k = snprintf(buf, cap,
			 "state %s (%s)\nuplink %s (index %d, MTU %u)\npref64 %s\nprefix-sources %s\ndns64 %s\n"
			 "ra seen %llu with-pref64 %llu ignored %llu\nnative-ipv4 %s, ipv6-default %s%s\n"
			 "clat-ipv6 %s (stable, RFC 7217 style, DAD counter %u)\nclat-ipv4 192.0.0.1/%u on %s (MTU %u)%s\n"
			 "route4 default dev %s metric %u src 192.0.0.1%s\n"
			 "ndp ns-answered %llu na-sent %llu dad-conflicts %llu conflicts-after-dad %llu ignored %llu\n"
			 "errors uplink-send %llu uplink-read %llu tun-write %llu tun-read %llu\n",
			 clat_state_name[c->state], c->why, c->up.name, c->up.ifindex, c->up.mtu, pref, srcs, dns,
			 (unsigned long long)c->n.ra_seen, (unsigned long long)c->n.ra_pref64, (unsigned long long)c->n.ra_bad,
			 c->native4 ? "yes" : "no", c->default6 ? "yes" : "no", c->opt.force ? " (--force)" : "",
			 ntop6(c->addr6, a6), c->dad_counter, CLAT_HOST4_PLEN, c->tun, c->tun_mtu,
			 c->tunfd >= 0 ? "" : " (not present: not running)", c->tun, CLAT_ROUTE_METRIC,
			 c->route_added ? "" : " (not present)",
			 (unsigned long long)c->n.ns_answered, (unsigned long long)c->n.na_sent,
			 (unsigned long long)c->n.dad_conflicts, (unsigned long long)c->n.addr_conflicts,
			 (unsigned long long)c->n.ndp_bad, (unsigned long long)c->n.raw_send_errors,
			 (unsigned long long)c->n.pkt_read_errors, (unsigned long long)c->n.tun_write_errors,
			 (unsigned long long)c->n.tun_read_errors);
	if (k < 0)
		return 0;
	if ((size_t)k >= cap)
		return cap - 1;
	size_t used = (size_t)k;
	k = snprintf(buf + used, cap - used, "life config %s reloads %llu reload-errors %llu mtu-changes %llu renumbers %llu capabilities %#llx\n",
		     c->cli.config ? c->cli.config : "(none)", (unsigned long long)c->n.reloads,
		     (unsigned long long)c->n.reload_errors, (unsigned long long)c->n.mtu_changes,
		     (unsigned long long)c->n.renumbers, (unsigned long long)sys_priv_effective());
	if (k > 0 && (size_t)k < cap - used)
		used += (size_t)k;
	used += clat_nft_format(&c->nft, c->n.shared_host, c->n.shared_malformed, buf + used, cap - used);
	siit_settings_format(c->set, buf + used, cap - used);
	return strlen(buf);
}

/* The typed facts behind the status lines, for `xlat464 status --json` (src/clat/ctl_msg.h). */
static void fill_info(const struct clat *c, struct clat_status_info *i)
{
	int64_t now = now_s();
	int sel = c->applied;
	char p[INET6_ADDRSTRLEN + 4];

	snprintf(i->state, sizeof(i->state), "%s", clat_state_name[c->state]);
	snprintf(i->why, sizeof(i->why), "%s", c->why);
	snprintf(i->uplink, sizeof(i->uplink), "%s", c->up.name);
	i->uplink_ifindex = c->up.ifindex;
	i->uplink_mtu = c->up.mtu;
	i->native_ipv4 = c->native4;
	i->ipv6_default = c->default6;
	i->force = c->opt.force;
	i->pref64_lifetime_s = i->pref64_expires_in_s = -1;
	if (sel >= 0) {
		const struct clat_psrc_slot *x = &c->pm.src[sel];
		snprintf(i->pref64, sizeof(i->pref64), "%s", pfx_str(&c->applied_pfx, p, sizeof(p)));
		snprintf(i->pref64_source, sizeof(i->pref64_source), "%s", clat_psrc_name((enum clat_psrc)sel));
		if (sel != CLAT_PSRC_STATIC) {
			i->pref64_lifetime_s = x->lifetime;
			i->pref64_expires_in_s = x->expires > now ? x->expires - now : 0;
		}
	}
	i->dns64_enabled = !c->opt.no_dns64;
	i->dns64_next_query_in_s = -1;
	if (i->dns64_enabled && !c->dns.inflight)
		i->dns64_next_query_in_s = c->pm.dns.next_query > now ? c->pm.dns.next_query - now : 0;
	i->dns64_queries = c->n.dns_queries;
	i->dns64_answers = c->n.dns_answers;
	i->dns64_failures = c->n.dns_failures;
	snprintf(i->address_mode, sizeof(i->address_mode), "%s", c->nft.shared ? "shared" : "dedicated");
	ntop6(c->nft.shared ? c->nft.host6 : c->addr6, i->clat_ipv6);
	snprintf(i->clat_ipv4, sizeof(i->clat_ipv4), "192.0.0.1/%u", CLAT_HOST4_PLEN);
	snprintf(i->tun, sizeof(i->tun), "%s", c->tun);
	i->tun_mtu = c->tun_mtu;
	i->tun_present = c->tunfd >= 0;
	i->route_present = c->route_added;
	i->ntether = c->nft.ntether < CLAT_TETHER_MAX ? c->nft.ntether : CLAT_TETHER_MAX;
	for (unsigned t = 0; t < i->ntether; t++)
		snprintf(i->tether[t], sizeof(i->tether[t]), "%s", c->nft.tether[t]);
	i->tether_applied = i->ntether && c->nft.applied;
	i->dad_conflicts = c->n.dad_conflicts;
	i->conflicts_after_dad = c->n.addr_conflicts;
	i->ns_answered = c->n.ns_answered;
	i->na_sent = c->n.na_sent;
	i->renumbers = c->n.renumbers;
	i->mtu_changes = c->n.mtu_changes;
	i->reloads = c->n.reloads;
	i->reload_errors = c->n.reload_errors;
	i->shared_left_to_host = c->n.shared_host;
	i->shared_malformed = c->n.shared_malformed;
	i->checksums_finished = c->n.csum_completed;
}

static void on_ctl(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	struct siit_status_msg *m = &c->msg->siit;
	int cl;

	while ((cl = sys_ctl_accept(fd)) >= 0) {
		memset(c->msg, 0, sizeof(*c->msg));
		m->magic = CLAT_STATUS_MAGIC;
		m->size = sizeof(*c->msg);
		m->ndrops = XLAT_DROP__COUNT;
		m->pid = (int32_t)getpid();
		m->uptime_sec = (uint64_t)(time(NULL) - c->started);
		m->tun_read_errors = c->n.tun_read_errors;
		m->tun_write_errors = c->n.tun_write_errors;
		snprintf(m->daemon, sizeof(m->daemon), "clat");
		snprintf(m->tun, sizeof(m->tun), "%s", c->tun);
		m->stats = c->ctx.stats;
		format_status(c, m->settings, sizeof(m->settings));
		fill_info(c, &c->msg->clat);
		if (sys_write_all(cl, c->msg, sizeof(*c->msg)) < 0)
			log_debug("status client: %s", strerror(errno));
		close(cl);
	}
}

/* ---- configuration file and SIGHUP --------------------------------------------------------------- */

/* The effective options: a flag given wins, then the config file's key, then the default. */
static void merge_opts(struct clat_opts *o, const struct clat_opts *cli, const struct clat_config *f)
{
	*o = *cli;
	if (!o->uplink && (f->set & CLAT_CFG_UPLINK))
		o->uplink = f->uplink;
	if (!o->pref64 && (f->set & CLAT_CFG_PREF64) && f->pref64[0])
		o->pref64 = f->pref64;
	if (!o->tun && (f->set & CLAT_CFG_TUN))
		o->tun = f->tun;
	if (!o->resolv_conf && (f->set & CLAT_CFG_RESOLV_CONF))
		o->resolv_conf = f->resolv_conf;
	if (!o->control && (f->set & CLAT_CFG_CONTROL))
		o->control = f->control;
	if (!o->pidfile && (f->set & CLAT_CFG_PIDFILE))
		o->pidfile = f->pidfile;
	o->no_dns64 = cli->no_dns64 || f->no_dns64; /* the flags can only say yes */
	o->force = cli->force || f->force;
	o->debug = cli->debug || f->debug;
	o->shared = cli->shared || f->shared;
	if (!cli->ntether) { /* --tether flags replace the file's tether lines */
		for (unsigned i = 0; i < f->ntether; i++)
			o->tether[i] = f->tether[i];
		o->ntether = f->ntether;
	}
	if (!o->tun)
		o->tun = CLAT_DEFAULT_TUN;
}

/* Reads and parses --config FILE into out. 0, or -1 with "FILE:LINE: problem" (or "FILE: why") in err. */
static int read_config(const char *path, struct clat_config *out, char *err, size_t errlen)
{
	static char text[CLAT_CONFIG_FILE_MAX + 1]; /* one byte more: a bigger file is refused by the parser */
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	size_t n = fread(text, 1, sizeof(text), f);
	bool bad = ferror(f);
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: read error", path);
		return -1;
	}
	clat_config_init(out);
	return clat_config_parse(out, text, n, path, err, errlen);
}

static bool str_differs(const char *a, const char *b)
{
	return (a == NULL) != (b == NULL) || (a && strcmp(a, b) != 0);
}

/* SIGHUP: re-reads --config and applies what changed live (the static prefix, DNS64 on or off, force,
 * the resolv.conf path, debug); the translator, the TUN and the CLAT address stay as they are, so
 * running flows see nothing. uplink, tun, control and pidfile need a restart: a change to them is
 * logged and the running value kept. An unreadable or invalid file changes nothing. */
static void reload(struct clat *c)
{
	static struct clat_config nc;
	char err[CLAT_CONFIG_ERR_MAX], oldpref[sizeof(c->cfg.pref64)];
	struct clat_opts o;
	static const struct {
		const char *key;
		unsigned bit;
		size_t off, size;
	} fixed[] = {
		{ "uplink", CLAT_CFG_UPLINK, offsetof(struct clat_config, uplink), sizeof(nc.uplink) },
		{ "tun", CLAT_CFG_TUN, offsetof(struct clat_config, tun), sizeof(nc.tun) },
		{ "control", CLAT_CFG_CONTROL, offsetof(struct clat_config, control), sizeof(nc.control) },
		{ "pidfile", CLAT_CFG_PIDFILE, offsetof(struct clat_config, pidfile), sizeof(nc.pidfile) },
	};

	if (!c->cli.config) {
		log_info("SIGHUP: no --config file; nothing to reload");
		return;
	}
	if (read_config(c->cli.config, &nc, err, sizeof(err)) < 0) {
		c->n.reload_errors++;
		log_warn("reload: %s; keeping the current configuration", err);
		return;
	}
	merge_opts(&o, &c->cli, &nc);
	const char *now_v[] = { o.uplink, o.tun, o.control, o.pidfile };
	const char *was_v[] = { c->opt.uplink, c->opt.tun, c->opt.control, c->opt.pidfile };
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (!str_differs(now_v[i], was_v[i]))
			continue;
		log_warn("reload: %s %s -> %s needs a restart; keeping %s", fixed[i].key, was_v[i] ? was_v[i] : "(default)",
			 now_v[i] ? now_v[i] : "(default)", was_v[i] ? was_v[i] : "the default");
		memcpy((char *)&nc + fixed[i].off, (const char *)&c->cfg + fixed[i].off, fixed[i].size);
		nc.set = (nc.set & ~fixed[i].bit) | (c->cfg.set & fixed[i].bit);
	}
	/* The NAT44 table and the address mode are set up with the TUN: a change needs a restart too. */
	bool tether_differs = o.ntether != c->opt.ntether;
	for (unsigned i = 0; !tether_differs && i < o.ntether; i++)
		tether_differs = strcmp(o.tether[i], c->opt.tether[i]) != 0;
	if (tether_differs) {
		log_warn("reload: tether needs a restart; keeping %u tethered interface%s", c->opt.ntether,
			 c->opt.ntether == 1 ? "" : "s");
		memcpy(nc.tether, c->cfg.tether, sizeof(nc.tether));
		nc.ntether = c->cfg.ntether;
		nc.set = (nc.set & ~(unsigned)CLAT_CFG_TETHER) | (c->cfg.set & CLAT_CFG_TETHER);
	}
	if (o.shared != c->opt.shared) {
		log_warn("reload: shared %s -> %s needs a restart; keeping %s", c->opt.shared ? "yes" : "no",
			 o.shared ? "yes" : "no", c->opt.shared ? "yes" : "no");
		nc.shared = c->cfg.shared;
		nc.set = (nc.set & ~(unsigned)CLAT_CFG_SHARED) | (c->cfg.set & CLAT_CFG_SHARED);
	}
	snprintf(oldpref, sizeof(oldpref), "%s", c->opt.pref64 ? c->opt.pref64 : "");
	bool old_dns64 = !c->opt.no_dns64, old_force = c->opt.force;
	c->cfg = nc;
	merge_opts(&c->opt, &c->cli, &c->cfg);
	log_set_level(c->opt.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);

	const char *newpref = c->opt.pref64 ? c->opt.pref64 : "";
	if (strcmp(oldpref, newpref) != 0) {
		struct clat_pfx x = { 0 };
		if (newpref[0] && !clat_config_check_pref64(newpref, x.prefix, &x.len))
			clat_prefixes_set(&c->pm, CLAT_PSRC_STATIC, &x, 0, now_s());
		else
			clat_prefixes_clear(&c->pm, CLAT_PSRC_STATIC);
		log_info("reload: static prefix %s -> %s", oldpref[0] ? oldpref : "none", newpref[0] ? newpref : "none");
	}
	if (old_dns64 != !c->opt.no_dns64) {
		if (c->opt.no_dns64) {
			c->dns.inflight = false;
			clat_prefixes_clear(&c->pm, CLAT_PSRC_DNS64);
			snprintf(c->dns.last, sizeof(c->dns.last), "turned off by a reload");
		} else {
			if (c->dns.fd < 0 && (c->dns.fd = sys_udp_open()) >= 0 &&
			    sys_loop_add(&c->loop, c->dns.fd, on_dns, c) < 0) {
				close(c->dns.fd);
				c->dns.fd = -1;
			}
			if (c->dns.fd < 0)
				log_warn("reload: UDP socket for DNS64: %s", strerror(errno));
			c->pm.dns.next_query = now_s(); /* ask now */
		}
		log_info("reload: DNS64 %s", c->opt.no_dns64 ? "off" : "on");
	}
	if (old_force != c->opt.force)
		log_info("reload: force %s", c->opt.force ? "on" : "off");
	c->n.reloads++;
	log_info("reloaded %s", c->cli.config);
	evaluate(c);
}

static void on_signal(void *arg, int fd, uint32_t events)
{
	struct clat *c = arg;
	int sig;

	while ((sig = sys_signalfd_read(fd)) != 0) {
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading %s", c->cli.config ? c->cli.config : "(no --config file)");
			reload(c);
			continue;
		}
		log_info("%s: exiting", strsignal(sig));
		set_state(c, CLAT_STATE_STOPPING, strsignal(sig));
		sys_loop_stop(&c->loop);
	}
}

/* ---- setup and teardown ------------------------------------------------------------------------ */

static int parse_opts(int argc, char **argv, struct clat_opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **val = NULL;
		if (strcmp(a, "--uplink") == 0)
			val = &o->uplink;
		else if (strcmp(a, "--pref64") == 0)
			val = &o->pref64;
		else if (strcmp(a, "--tun") == 0)
			val = &o->tun;
		else if (strcmp(a, "--control") == 0)
			val = &o->control;
		else if (strcmp(a, "--pidfile") == 0)
			val = &o->pidfile;
		else if (strcmp(a, "--resolv-conf") == 0)
			val = &o->resolv_conf;
		else if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0)
			val = &o->config;
		if (val) {
			if (i + 1 >= argc) {
				log_warn("%s: expects a value", a);
				return -1;
			}
			*val = argv[++i];
		} else if (strcmp(a, "--force") == 0) {
			o->force = true;
		} else if (strcmp(a, "--no-dns64") == 0) {
			o->no_dns64 = true;
		} else if (strcmp(a, "--shared") == 0) {
			o->shared = true;
		} else if (strcmp(a, "--check") == 0) {
			o->check = true;
		} else if (strcmp(a, "--print-config") == 0) {
			o->print_config = true;
		} else if (strcmp(a, "--tether") == 0) {
			if (i + 1 >= argc || o->ntether >= CLAT_TETHER_MAX || strlen(argv[i + 1]) >= IF_NAMESIZE ||
			    !argv[i + 1][0] || strpbrk(argv[i + 1], "\"\\ /\t\n")) {
				log_warn("--tether %s: %s", i + 1 < argc ? argv[i + 1] : "",
					 i + 1 >= argc ? "expects an interface name"
					 : o->ntether >= CLAT_TETHER_MAX ? "too many (at most 8)" : "not a valid interface name");
				return -1;
			}
			o->tether[o->ntether++] = argv[++i];
		} else if (strcmp(a, "--foreground") == 0 || strcmp(a, "-f") == 0) {
			o->daemon = false;
		} else if (strcmp(a, "--daemon") == 0) {
			o->daemon = true;
		} else if (strcmp(a, "--debug") == 0 || strcmp(a, "-d") == 0) {
			o->debug = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(clat_usage, stdout);
			exit(0);
		} else {
			log_warn("%s: unknown option (see xlat464 clat --help)", a);
			return -1;
		}
	}
	if (o->tun && strlen(o->tun) >= IF_NAMESIZE) {
		log_warn("--tun %s: name too long", o->tun);
		return -1;
	}
	return 0;
}

static int read_key(uint8_t key[CLAT_IID_KEY_LEN])
{
	char buf[64];
	FILE *f = fopen(CLAT_MACHINE_ID, "re");
	size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
	if (f)
		fclose(f);
	if (clat_iid_key_from_machine_id(buf, n, key))
		return 0;
	/* Without a machine id the address is still unguessable, only not stable across restarts. */
	log_warn("%s: missing or not 32 hex digits; the CLAT address will change on every start", CLAT_MACHINE_ID);
	return getrandom(key, CLAT_IID_KEY_LEN, 0) == CLAT_IID_KEY_LEN ? 0 : -1;
}

/* The uplink's SLAAC /64: a global, usable (not tentative, deprecated or temporary) /64 address,
 * preferring one the kernel learned (not IFA_F_PERMANENT) over a static one. Waits a little for
 * SLAAC to finish. */
static int pick_prefix(struct clat *c)
{
	static struct sys_addr6 list[CLAT_MAX_ADDRS];
	char a[INET6_ADDRSTRLEN];

	for (int waited = 0;; waited++) {
		int n = sys_nl_addr6_list(&c->nl, c->up.ifindex, list, CLAT_MAX_ADDRS);
		if (n < 0)
			return -1;
		int best = -1, own = -1; /* own: the host's address for the shared mode (shared.h) */
		for (int i = 0; i < n && i < CLAT_MAX_ADDRS; i++) {
			const struct sys_addr6 *x = &list[i];
			if (x->scope != RT_SCOPE_UNIVERSE || ndp_is_multicast(x->addr) ||
			    (x->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED | IFA_F_TEMPORARY)))
				continue;
			if (own < 0 || (list[own].plen != 128 && x->plen == 128)) /* a DHCPv6 /128 first */
				own = i;
			if (x->plen != 64)
				continue;
			if (best < 0 || ((list[best].flags & IFA_F_PERMANENT) && !(x->flags & IFA_F_PERMANENT)))
				best = i;
		}
		/* No /64 (a DHCPv6 or static /128 only), or --shared: the shared mode, once SLAAC has had
		 * CLAT_SHARED_WAIT_S to give a /64 (docs/clat.md). */
		if (own >= 0 && (c->opt.shared || (best < 0 && waited >= CLAT_SHARED_WAIT_S))) {
			c->nft.shared = true;
			memcpy(c->addr6, list[own].addr, 16);
			memcpy(c->nft.host6, list[own].addr, 16);
			memset(c->prefix64, 0, 16);
			log_info("uplink %s: %s; shared mode: the CLAT uses the host's own address %s/%u, ports %u-%u",
				 c->up.name, c->opt.shared ? "--shared" : "no /64", ntop6(c->addr6, a), list[own].plen,
				 c->nft.port_lo, c->nft.port_hi);
			return 0;
		}
		if (best >= 0) {
			memset(c->prefix64, 0, 16);
			memcpy(c->prefix64, list[best].addr, 8);
			log_info("uplink %s: /64 %s/64 (from %s)", c->up.name, ntop6(c->prefix64, a),
				 list[best].flags & IFA_F_PERMANENT ? "a static address" : "SLAAC");
			return 0;
		}
		if (waited >= CLAT_PREFIX_WAIT_S) {
			log_warn("uplink %s has no global IPv6 address (neither a /64 nor one to share)", c->up.name);
			errno = EADDRNOTAVAIL;
			return -1;
		}
		if (waited == 0)
			log_info("uplink %s: waiting up to %d s for a SLAAC /64", c->up.name, CLAT_PREFIX_WAIT_S);
		sleep(1);
	}
}

/* Is there an IPv6 uplink to run on: --uplink IF, or the link of the IPv6 default route, with a
 * global IPv6 address? When not, why (for the log). */
static bool ipv6_ready(struct clat *c, char *why, size_t cap)
{
	static struct sys_addr6 list[CLAT_MAX_ADDRS];
	int ifindex = c->opt.uplink ? (int)if_nametoindex(c->opt.uplink) : sys_nl_default_route_oif(&c->nl, AF_INET6, 0);
	if (ifindex <= 0) {
		if (c->opt.uplink)
			snprintf(why, cap, "no link %s", c->opt.uplink);
		else
			snprintf(why, cap, "no IPv6 default route to find the uplink by");
		return false;
	}
	int n = sys_nl_addr6_list(&c->nl, ifindex, list, CLAT_MAX_ADDRS);
	for (int i = 0; i < n && i < CLAT_MAX_ADDRS; i++)
		if (list[i].scope == RT_SCOPE_UNIVERSE && !ndp_is_multicast(list[i].addr) &&
		    !(list[i].flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED)))
			return true;
	char name[IF_NAMESIZE] = "?";
	if_indextoname((unsigned)ifindex, name);
	snprintf(why, cap, "uplink %s has no global IPv6 address yet", name);
	return false;
}

/* A laptop starts the CLAT before its network is up, or on an IPv4-only network that it leaves
 * later: wait, for as long as it takes, for an IPv6 uplink with a global address, looking again at
 * each netlink notification and every 5 s. Nothing is set up yet, so SIGTERM may end the wait as it
 * is. Returns 0, or -1 when netlink fails. */
static int wait_for_ipv6(struct clat *c)
{
	char why[96], said[96] = "";
	for (;;) {
		if (ipv6_ready(c, why, sizeof(why))) {
			if (said[0])
				log_info("IPv6 is here: starting");
			return 0;
		}
		if (strcmp(why, said) != 0) {
			log_info("waiting for IPv6: %s", why);
			snprintf(said, sizeof(said), "%s", why);
		}
		struct pollfd p = { .fd = sys_nl_fd(&c->mon), .events = POLLIN };
		int r = poll(&p, 1, 5000);
		if (r < 0 && errno != EINTR)
			return -1;
		if (r > 0)
			sys_nl_monitor_drain(&c->mon);
	}
}

static int setup_uplink(struct clat *c)
{
	int ifindex;
	if (c->opt.uplink) {
		ifindex = (int)if_nametoindex(c->opt.uplink);
		if (!ifindex) {
			log_warn("--uplink %s: %s", c->opt.uplink, strerror(errno));
			return -1;
		}
	} else {
		ifindex = sys_nl_default_route_oif(&c->nl, AF_INET6, 0);
		if (ifindex <= 0) {
			log_warn("no IPv6 default route to find the uplink by (--uplink IF)");
			return -1;
		}
	}
	if (sys_nl_link_get(&c->nl, ifindex, &c->up) < 0) {
		log_warn("uplink index %d: %s", ifindex, strerror(errno));
		return -1;
	}
	if (!c->up.has_mac) {
		log_warn("uplink %s has no Ethernet address (point-to-point uplinks are not supported yet)", c->up.name);
		return -1;
	}
	if (c->up.mtu < 1280 + 20) {
		log_warn("uplink %s: MTU %u is below the IPv6 minimum", c->up.name, c->up.mtu);
		return -1;
	}
	log_info("uplink %s (index %d, MTU %u)%s", c->up.name, ifindex, c->up.mtu,
		 c->opt.uplink ? "" : ", found by the IPv6 default route");
	return 0;
}

/* The translator: the core's stateless map, Android clatd's profile. pool6 starts empty; the prefix
 * manager sets it (apply_prefix). */
static int setup_translator(struct clat *c)
{
	char a6[INET6_ADDRSTRLEN], eam6[INET6_ADDRSTRLEN + 5], mtu4[12], mtu6[12];

	siit_settings_init(c->set);
	ntop6(c->addr6, a6);
	snprintf(eam6, sizeof(eam6), "%s/128", a6);
	snprintf(mtu4, sizeof(mtu4), "%u", c->tun_mtu);
	snprintf(mtu6, sizeof(mtu6), "%u", c->up.mtu);
	if (set_kv(c, "pool6", "none", NULL) < 0 || set_kv(c, "eam", "192.0.0.1/32", eam6) < 0 ||
	    set_kv(c, "self4", "192.0.0.2", NULL) < 0 || set_kv(c, "self6", a6, NULL) < 0 ||
	    set_kv(c, "rfc6791v4", "192.0.0.8", NULL) < 0 || set_kv(c, "mtu4", mtu4, NULL) < 0 ||
	    set_kv(c, "mtu6", mtu6, NULL) < 0 ||
	    /* A host CLAT is not a router hop: TTL and hop limit pass unchanged (docs/clat.md). */
	    set_kv(c, "router", "no", NULL) < 0 ||
	    /* Local applications may send UDP with no checksum (SO_NO_CHECK); IPv6 needs one. */
	    set_kv(c, "amend-udp-checksum-zero", "yes", NULL) < 0 || set_kv(c, "tun", c->tun, NULL) < 0)
		return -1;
	siit_settings_bind(c->set);
	xlat_ctx_init(&c->ctx, &c->set->cfg);
	return 0;
}

static void cleanup(struct clat *c)
{
	take_down(c);
	if (c->ctlfd >= 0) {
		close(c->ctlfd);
		unlink(c->ctlpath);
	}
	if (c->opt.pidfile)
		sys_pidfile_remove(c->opt.pidfile);
	if (c->snm_joined)
		sys_packet_membership(c->pktfd, c->up.ifindex, c->snm_mac, false);
	int fds[] = { c->pktfd, c->rawfd, c->sigfd, c->timerfd, c->dns.fd };
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	sys_loop_close(&c->loop);
	sys_nl_close(&c->mon);
	sys_nl_close(&c->nl);
	free(c->out);
	free(c->rx);
	free(c->msg);
	free(c->set);
}

static int run(struct clat *c)
{
	if (sys_nl_open(&c->nl) < 0) {
		log_warn("netlink: %s", strerror(errno));
		return -1;
	}
	/* Subscribe before reading the routes, so no change falls between the read and the watch. */
	if (sys_nl_monitor_open(&c->mon, RTMGRP_LINK | RTMGRP_IPV4_ROUTE | RTMGRP_IPV6_ROUTE | RTMGRP_IPV6_IFADDR) < 0) {
		log_warn("netlink notifications: %s", strerror(errno));
		return -1;
	}
	if (wait_for_ipv6(c) < 0) {
		log_warn("netlink: %s", strerror(errno));
		return -1;
	}
	if (setup_uplink(c) < 0)
		return -1;
	read_routes(c);
	if (c->native4 && !c->opt.force) {
		char name[IF_NAMESIZE] = "?";
		if_indextoname((unsigned)c->native4_oif, name);
		log_info("native IPv4 default route on %s: the CLAT will stand by until it goes (--force runs it anyway)",
			 name);
	}
	if (read_key(c->key) < 0 || pick_prefix(c) < 0)
		return -1;
	c->pktfd = sys_packet_open(c->up.ifindex);
	if (c->pktfd < 0) {
		log_warn("packet socket on %s: %s", c->up.name, strerror(errno));
		return -1;
	}
	if (c->nft.shared) {
		/* The host's own address: the kernel did DAD and answers neighbour solicitations for it. */
		if (watch_addr(c) < 0) {
			log_warn("packet socket on %s: %s", c->up.name, strerror(errno));
			return -1;
		}
	} else {
		if (run_dad(c) < 0)
			return -1;
		uint8_t m[6];
		ndp_multicast_mac(all_nodes, m);
		send_na(c, all_nodes, m, false); /* RFC 4861 section 7.2.6: tell caches that ask no one */
	}
	clat_nft_down(&c->nft); /* what a killed earlier run left */
	send_rs(c);

	c->tun_mtu = c->up.mtu - 20; /* RFC 6145/7915: an IPv4 header is 20 bytes shorter than IPv6's */
	c->rawfd = sys_raw6_open(c->up.name);
	if (c->rawfd < 0) {
		log_warn("raw IPv6 socket on %s: %s", c->up.name, strerror(errno));
		return -1;
	}
	if (setup_translator(c) < 0)
		return -1;
	clat_prefixes_init(&c->pm, now_s());
	if (c->opt.pref64) {
		struct xlat_prefix6 p6;
		siit_parse_prefix6(c->opt.pref64, &p6); /* checked in clat_main */
		struct clat_pfx x = { .len = p6.len };
		memcpy(x.prefix, p6.addr, 16);
		clat_prefixes_set(&c->pm, CLAT_PSRC_STATIC, &x, 0, now_s());
	}

	if (c->opt.control)
		snprintf(c->ctlpath, sizeof(c->ctlpath), "%s", c->opt.control);
	else
		snprintf(c->ctlpath, sizeof(c->ctlpath), "%s/clat-%s.sock", SYS_CTL_DIR, c->tun);
	c->sigfd = sys_signalfd_open();
	if (c->sigfd < 0 || sys_loop_init(&c->loop) < 0) {
		log_warn("signalfd/epoll: %s", strerror(errno));
		return -1;
	}
	c->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	if (c->timerfd < 0 || timerfd_settime(c->timerfd, 0, &its, NULL) < 0) {
		log_warn("timerfd: %s", strerror(errno));
		return -1;
	}
	c->ctlfd = sys_ctl_listen(c->ctlpath);
	if (c->ctlfd < 0) {
		log_warn("control socket %s: %s", c->ctlpath,
			 errno == EADDRINUSE ? "another daemon is answering there" : strerror(errno));
		c->ctlpath[0] = '\0';
		return -1;
	}
	if (recover_stale(c) < 0) /* after the control socket: no live daemon of ours answers there */
		return -1;
	if (!c->opt.no_dns64 && (c->dns.fd = sys_udp_open()) < 0) {
		log_warn("UDP socket for DNS64: %s", strerror(errno));
		return -1;
	}
	if (sys_loop_add(&c->loop, c->pktfd, on_pkt, c) < 0 || sys_loop_add(&c->loop, c->sigfd, on_signal, c) < 0 ||
	    sys_loop_add(&c->loop, c->ctlfd, on_ctl, c) < 0 || sys_loop_add(&c->loop, c->timerfd, on_timer, c) < 0 ||
	    sys_loop_add(&c->loop, sys_nl_fd(&c->mon), on_nl, c) < 0 ||
	    (c->dns.fd >= 0 && sys_loop_add(&c->loop, c->dns.fd, on_dns, c) < 0)) {
		log_warn("epoll: %s", strerror(errno));
		return -1;
	}
	if (c->opt.pidfile && sys_pidfile_write(c->opt.pidfile) < 0) {
		log_warn("pidfile %s: %s", c->opt.pidfile, strerror(errno));
		c->opt.pidfile = NULL;
		return -1;
	}
	/* Setup is done: what is left to do needs links, addresses, routes (CAP_NET_ADMIN) and the raw and
	 * packet sockets already open (CAP_NET_RAW, for a new DAD probe it is the same socket). */
	if (sys_priv_keep_net() < 0) {
		log_warn("dropping privileges: %s", strerror(errno));
		return -1;
	}
	log_info("capabilities kept: %#llx (CAP_NET_ADMIN, CAP_NET_RAW)", (unsigned long long)sys_priv_effective());
	c->started = time(NULL);
	/* Changes while the above ran (the notifications are waiting too; reading twice is harmless). */
	read_routes(c);
	tick(c); /* the first DNS64 query, and the first decision */
	if (sys_loop_run(&c->loop) < 0) {
		log_warn("epoll_wait: %s", strerror(errno));
		return -1;
	}
	return 0;
}

_Static_assert(CLAT_CONFIG_TETHER_MAX == CLAT_TETHER_MAX, "the config file and --tether take as many interfaces");

/* --check and --print-config: the effective configuration (flags over the file over the defaults) in
 * config-file syntax, every key written out. */
static void print_effective(const struct clat_opts *o)
{
	static struct clat_config e;
	static char buf[4096];
	char ctl[CLAT_CONFIG_CTL_MAX];
	clat_config_init(&e);
	e.set = ~0u;
	snprintf(e.uplink, sizeof(e.uplink), "%s", o->uplink ? o->uplink : "");
	snprintf(e.tun, sizeof(e.tun), "%s", o->tun);
	snprintf(e.pref64, sizeof(e.pref64), "%s", o->pref64 && strcmp(o->pref64, "none") ? o->pref64 : "");
	snprintf(e.resolv_conf, sizeof(e.resolv_conf), "%s", o->resolv_conf ? o->resolv_conf : CLAT_RESOLV_CONF);
	snprintf(ctl, sizeof(ctl), "%s/clat-%s.sock", SYS_CTL_DIR, o->tun);
	snprintf(e.control, sizeof(e.control), "%s", o->control ? o->control : ctl);
	snprintf(e.pidfile, sizeof(e.pidfile), "%s", o->pidfile ? o->pidfile : "");
	e.no_dns64 = o->no_dns64;
	e.force = o->force;
	e.debug = o->debug;
	e.shared = o->shared;
	e.ntether = o->ntether;
	for (unsigned i = 0; i < o->ntether; i++)
		snprintf(e.tether[i], sizeof(e.tether[i]), "%s", o->tether[i]);
	clat_config_format(&e, buf, sizeof(buf));
	/* keys with no value here mean "chosen at run time" */
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		if (!strcmp(line, "uplink ") || !strcmp(line, "pidfile "))
			printf("# %s(%s)\n", line, line[0] == 'u' ? "none given: the link of the IPv6 default route" : "none");
		else
			printf("%s\n", line);
	}
}

int clat_main(int argc, char **argv)
{
	static struct clat cc;
	struct clat *c = &cc;

	log_set_ident("xlat464 clat");
	c->tunfd = c->pktfd = c->rawfd = c->sigfd = c->ctlfd = c->timerfd = c->dns.fd = -1;
	c->applied = -1;
	c->loop.epfd = -1;
	if (parse_opts(argc, argv, &c->cli) < 0)
		return 2;
	if (c->cli.config) {
		char err[CLAT_CONFIG_ERR_MAX];
		if (read_config(c->cli.config, &c->cfg, err, sizeof(err)) < 0) {
			log_warn("%s", err);
			return 2;
		}
	}
	merge_opts(&c->opt, &c->cli, &c->cfg);
	if (c->opt.debug)
		log_set_level(LOG_LEVEL_DEBUG);
	snprintf(c->tun, sizeof(c->tun), "%s", c->opt.tun);
	snprintf(c->nft.tun, sizeof(c->nft.tun), "%s", c->opt.tun);
	for (unsigned i = 0; i < c->opt.ntether; i++)
		snprintf(c->nft.tether[i], sizeof(c->nft.tether[i]), "%s", c->opt.tether[i]);
	c->nft.ntether = c->opt.ntether;
	c->nft.port_lo = CLAT_SHARED_PORT_LO;
	c->nft.port_hi = CLAT_SHARED_PORT_HI;
	c->set = malloc(sizeof(*c->set));
	c->out = malloc(sizeof(*c->out));
	c->rx = malloc(CLAT_PKT_MAX);
	c->msg = malloc(sizeof(*c->msg));
	if (!c->set || !c->out || !c->rx || !c->msg)
		fatal("out of memory");
	/* Check --pref64 before touching anything. */
	siit_settings_init(c->set);
	if (c->opt.pref64) {
		char err[SIIT_ERR_MAX];
		const char *val[1] = { c->opt.pref64 };
		if (siit_settings_set(c->set, "pool6", val, 1, err, sizeof(err)) < 0 || !strcmp(c->opt.pref64, "none")) {
			log_warn("--pref64 %s: %s", c->opt.pref64, strcmp(c->opt.pref64, "none") ? err : "a prefix is needed");
			cleanup(c);
			return 2;
		}
	}
	if (c->opt.check || c->opt.print_config) {
		if (c->opt.check)
			printf("# configuration OK%s%s\n", c->cli.config ? ": " : "", c->cli.config ? c->cli.config : "");
		print_effective(&c->opt);
		cleanup(c);
		return 0;
	}
	if (c->opt.daemon && sys_daemonize() < 0)
		fatal("daemon: %s", strerror(errno));
	int r = run(c);
	if (c->state != CLAT_STATE_STOPPING)
		set_state(c, CLAT_STATE_STOPPING, r < 0 ? "setup failed" : "signal");
	cleanup(c);
	return r < 0 ? 1 : 0;
}
