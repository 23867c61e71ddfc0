/* `xlat464 ra`: a PREF64 announcer (RFC 8781) for IPv6-mostly and IPv6-only networks.
 *
 *   timer (RFC 4861 6.2.4, random interval in [MinRtrAdvInterval, MaxRtrAdvInterval], the first three
 *   at most 16 s apart) -> RA with PREF64 options -> ff02::1 from the link-local address, hop limit 255
 *   Router Solicitation -> raw ICMPv6 socket (ICMP6_FILTER: type 133 only; member of ff02::2)
 *       -> ra_parse_rs (strict, RFC 4861 6.1.1; ignored ones counted by reason)
 *       -> unicast answer to a link-local source within 0.5 s, or the rate-limited multicast one
 *   SIGTERM -> a final RA (PREF64 lifetime 0; router lifetime 0 and deprecated prefixes with --router)
 *
 * Beside a router (the default) the RA has router lifetime 0, no hop limit or timers ("unspecified")
 * and only PREF64 options, so hosts keep their real router and learn the NAT64 prefix from us. With
 * --router we are the link's router: router lifetime 3 x MaxRtrAdvInterval, Prefix Information for
 * SLAAC and RDNSS.
 *
 * States, each change logged as `old -> new`:  waiting (no usable link-local address yet) ->
 * advertising -> stopping (waits for MIN_DELAY_BETWEEN_RAS after the last RA, sends the final one). */
#include "../common/json.h"
#include "../common/daemon_frame.h"
#include "ra.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "../common/config_file.h"
#include "../common/settings_table.h"
#include "sys/ctl.h"
#include "sys/icmp6.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/netlink.h"
#include "sys/notify.h"
#include "sys/priv.h"
#include "sys/seccomp.h"
#include "sys/sig.h"

#define RA_SETTINGS_TEXT_MAX 2048  /* the settings text of a status answer */
#define RA_WAIT_RETRY_MS 1000  /* how often to look again for a usable link-local address */
#define RA_MAX_ADDRS 64
#define RA_RX_MAX 1500         /* a solicitation longer than a link MTU is not one */
#define RA_ETH_ADDR_LEN 6

static const uint8_t all_nodes[16] = { 0xff, 0x02, [15] = 1 };   /* RFC 4291 2.7.1 */
static const uint8_t all_routers[16] = { 0xff, 0x02, [15] = 2 };

enum ra_state { RA_STATE_WAITING, RA_STATE_ADVERTISING, RA_STATE_STOPPING };
static const char *const ra_state_name[] = { "waiting", "advertising", "stopping" };

struct ra_counters {
	uint64_t ra_periodic, ra_solicited_multicast, ra_solicited_unicast, ra_final, send_errors;
	uint64_t rs_received, rs_valid, rs_ignored, recv_errors;
	uint64_t rs_answer_unicast, rs_answer_multicast, rs_answer_coalesced;
	uint64_t rs_reason[RA_RS__COUNT];
};

struct ra_daemon;

/* One interface: its settings, its socket and timer, its state and counters. */
struct ra_link {
	struct ra_daemon *d;
	struct ra_config cfg;
	enum ra_state state;
	int ifindex;
	bool has_mac;
	uint8_t mac[RA_ETH_ADDR_LEN];
	bool has_lladdr;
	uint8_t lladdr[16];
	int icmpfd, timerfd;
	struct ra_sched sched;
	uint64_t final_at;
	bool final_sent, done; /* done: nothing more to send before exiting */
	struct ra_counters n;
};

struct ra_daemon {
	int argc;          /* the command line, applied again over the file on every reload */
	char **argv;
	const char *config; /* --config FILE, or NULL */
	uint64_t reloads, reload_errors;
	unsigned nlink;
	struct ra_link link[RA_MAX_IFACES]; /* link[0].cfg: the process settings (control, pidfile, debug) */
	struct sys_nl nl;
	struct daemon_frame frame; /* signals, control socket, pidfile */
	bool stopping;
	struct sys_loop loop;
	char ctlpath[RA_PATH_MAX];
	time_t started;
	uint8_t rx[RA_RX_MAX];
};

static const char ra_usage[] =
	"usage: xlat464 ra --interface IF --pref64 PREFIX [--pref64 PREFIX ...] [--lifetime SECONDS]\n"
	"                  [--interval SECONDS] [--beside-router | --router [--prefix PREFIX/64 ...]\n"
	"                  [--rdnss ADDR ...] [--dnssl DOMAIN ...]] [--control PATH] [--pidfile FILE]\n"
	"                  [--config FILE]\n"
	"                  [--foreground | --daemon] [--debug] [--check | --print-config | --list-settings]\n"
	"Sends Router Advertisements with the PREF64 option (RFC 8781) on IF, periodically and in answer\n"
	"to Router Solicitations; on SIGTERM a final one withdraws the prefix (lifetime 0).\n"
	"  --config FILE      `key value` lines with the settings below; flags override it; SIGHUP re-reads it;\n"
	"                     `interface IF` lines open one section per interface (docs/ra.md)\n"
	"  --router, --beside-router   the same as --mode router, --mode beside-router\n"
	"  --check            validate the settings, print them and exit\n"
	"  --print-config     print the effective settings (config file syntax) and exit\n"
	"  --list-settings    print the settings table (Markdown: docs/ra-settings.md) and exit\n"
	"settings (flags, or `key value` lines in FILE):\n";

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* Randomness for the RFC 4861 timers (desynchronisation, not secrecy). */
static uint32_t rand32(void)
{
	uint32_t r;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) == (ssize_t)sizeof(r))
		return r;
	return (uint32_t)random();
}

static const char *ntop6(const uint8_t a[16], char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

/* With several interfaces, each message about one of them starts with its name. */
static const char *lp(const struct ra_link *l, char *buf)
{
	if (l->d->nlink <= 1)
		return "";
	snprintf(buf, RA_IFNAME_MAX + 2, "%s: ", l->cfg.ifname);
	return buf;
}

static void set_state(struct ra_link *l, enum ra_state s, const char *why)
{
	char p[RA_IFNAME_MAX + 2];
	if (l->state == s)
		return;
	log_info("%sstate %s -> %s (%s)", lp(l, p), ra_state_name[l->state], ra_state_name[s], why);
	l->state = s;
}

/* ---- the link ---------------------------------------------------------------------------------- */

/* Finds the interface's link-local address that has finished DAD (RFC 4861 section 6.2.2: a router
 * must not advertise from a tentative address). Returns true when there is one. */
static bool find_lladdr(struct ra_link *l)
{
	struct sys_addr6 a[RA_MAX_ADDRS];
	int n = sys_nl_addr6_list(&l->d->nl, l->ifindex, a, RA_MAX_ADDRS);
	if (n < 0) {
		log_warn("reading the addresses of %s: %s", l->cfg.ifname, strerror(errno));
		return false;
	}
	for (int i = 0; i < n && i < RA_MAX_ADDRS; i++) {
		if (a[i].scope != RT_SCOPE_LINK || !(a[i].addr[0] == 0xfe && (a[i].addr[1] & 0xc0) == 0x80))
			continue;
		if (a[i].flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED))
			continue;
		memcpy(l->lladdr, a[i].addr, 16);
		return true;
	}
	return false;
}

static void warn_forwarding(const struct ra_link *l)
{
	char path[128], v[8] = "";
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/forwarding", l->cfg.ifname);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	if (fgets(v, sizeof(v), f) && v[0] == '0')
		log_warn("--router: IPv6 forwarding is off on %s (sysctl net.ipv6.conf.%s.forwarding=0), yet hosts "
			 "will use this host as their default router", l->cfg.ifname, l->cfg.ifname);
	fclose(f);
}

/* ---- the ICMPv6 socket --------------------------------------------------------------------------- */

/* One socket per interface, bound to it (SO_BINDTODEVICE in sys_icmp6_open_link): an RS is read on
 * the socket of the link it came in on and answered there, and nothing crosses between links. */
static int icmp_open(const struct ra_link *l)
{
	return sys_icmp6_open_link(l->cfg.ifname, l->ifindex, NDP_ICMP6_ROUTER_SOLICIT, all_routers, NDP_HOP_LIMIT);
}

/* Builds and sends one RA to dst. Returns 0 or -1 (counted and logged, rate-limited). */
static int send_ra(struct ra_link *l, const uint8_t dst[16], bool final)
{
	static struct log_ratelimit rl;
	struct ndp_ra ra;
	uint8_t buf[NDP_RA_MAX_LEN];
	char a[INET6_ADDRSTRLEN], p[RA_IFNAME_MAX + 2];

	ra_build_content(&l->cfg, l->has_mac ? l->mac : NULL, final, &ra);
	size_t len = ndp_build_ra(l->lladdr, dst, &ra, buf, sizeof(buf));
	if (len == 0) {
		/* The settings parser only lets encodable content through. */
		log_warn("internal: the RA does not encode");
		l->n.send_errors++;
		return -1;
	}
	if (sys_icmp6_send(l->icmpfd, l->ifindex, l->lladdr, dst, buf, len) < 0) {
		int e = errno;
		l->n.send_errors++;
		if (log_ratelimit_ok(&rl))
			log_warn("%ssending an RA to %s: %s", lp(l, p), ntop6(dst, a), strerror(e));
		if (e == EADDRNOTAVAIL || e == EINVAL)
			l->has_lladdr = false; /* our source address went away: look for it again */
		return -1;
	}
	if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
		log_debug("%sRA to %s (%zu bytes%s)", lp(l, p), ntop6(dst, a), len, final ? ", final" : "");
	return 0;
}

/* ---- timing ------------------------------------------------------------------------------------ */

static void arm_timer(struct ra_link *l, uint64_t ms)
{
	struct itimerspec its = { 0 };
	if (ms == 0)
		ms = 1; /* 0 would disarm it */
	its.it_value.tv_sec = (time_t)(ms / 1000u);
	its.it_value.tv_nsec = (long)(ms % 1000u) * 1000000L;
	if (timerfd_settime(l->timerfd, 0, &its, NULL) < 0)
		fatal("timerfd: %s", strerror(errno));
}

static void rearm(struct ra_link *l)
{
	uint64_t now = now_ms();
	if (l->state == RA_STATE_WAITING)
		arm_timer(l, RA_WAIT_RETRY_MS);
	else if (l->state == RA_STATE_STOPPING)
		arm_timer(l, l->final_at > now ? l->final_at - now : 0);
	else
		arm_timer(l, ra_sched_next_ms(&l->sched, now));
}

static void start_advertising(struct ra_link *l)
{
	char a[INET6_ADDRSTRLEN];
	ra_sched_start(&l->sched, now_ms());
	l->has_lladdr = true;
	log_info("advertising from %s on %s", ntop6(l->lladdr, a), l->cfg.ifname);
	set_state(l, RA_STATE_ADVERTISING, "link-local address ready");
}

static void send_due(struct ra_link *l)
{
	uint64_t now = now_ms();
	unsigned due = ra_sched_due(&l->sched, now);

	if (due & RA_DUE_MULTICAST) {
		bool solicited = l->sched.mcast_pending;
		if (send_ra(l, all_nodes, false) == 0) {
			if (solicited)
				l->n.ra_solicited_multicast++;
			else
				l->n.ra_periodic++;
		}
		uint32_t iv = ra_interval_ms(l->cfg.min_interval_ms, l->cfg.max_interval, l->sched.initial_left > 0,
					     rand32());
		ra_sched_sent_multicast(&l->sched, now, iv);
	}
	if (due & RA_DUE_UNICAST) {
		for (unsigned i = 0; i < l->sched.nunicast; i++)
			if (send_ra(l, l->sched.unicast[i], false) == 0)
				l->n.ra_solicited_unicast++;
		ra_sched_sent_unicast(&l->sched);
	}
	if (!l->has_lladdr)
		set_state(l, RA_STATE_WAITING, "the link-local address went away");
}

/* The process exits once every interface has sent its final RA (or had none to send). */
static void link_done(struct ra_link *l)
{
	struct ra_daemon *d = l->d;
	l->done = true;
	for (unsigned i = 0; i < d->nlink; i++)
		if (!d->link[i].done)
			return;
	sys_loop_stop(&d->loop);
}

static void send_final_and_stop(struct ra_link *l)
{
	char p[RA_IFNAME_MAX + 2];
	if (!l->final_sent && l->has_lladdr) {
		l->final_sent = true;
		if (send_ra(l, all_nodes, true) == 0) {
			l->n.ra_final++;
			log_info("%sfinal RA sent: PREF64 lifetime 0%s", lp(l, p), l->cfg.mode == RA_MODE_ROUTER ?
				 ", router lifetime 0, prefixes deprecated" : "");
		}
	}
	link_done(l);
}

static void on_timer(void *arg, int fd, uint32_t events)
{
	struct ra_link *l = arg;
	uint64_t expirations;
	if (read(fd, &expirations, sizeof(expirations)) < 0 && errno == EAGAIN)
		return;
	switch (l->state) {
	case RA_STATE_WAITING:
		if (find_lladdr(l))
			start_advertising(l);
		break;
	case RA_STATE_ADVERTISING:
		send_due(l);
		break;
	case RA_STATE_STOPPING:
		if (!l->done)
			send_final_and_stop(l);
		return;
	}
	rearm(l);
}

/* ---- solicitations ----------------------------------------------------------------------------- */

static void on_icmp(void *arg, int fd, uint32_t events)
{
	static struct log_ratelimit rl;
	struct ra_link *l = arg;
	uint8_t *rx = l->d->rx;
	bool answered = false;
	char p[RA_IFNAME_MAX + 2];

	for (;;) {
		uint8_t src[16], dst[16];
		int hop_limit;
		bool truncated;
		ssize_t n = sys_icmp6_recv(fd, rx, RA_RX_MAX, &truncated, src, dst, &hop_limit);
		if (n == 0)
			break;
		if (n < 0) {
			l->n.recv_errors++;
			if (log_ratelimit_ok(&rl))
				log_warn("%sreceiving: %s", lp(l, p), strerror(errno));
			break;
		}
		l->n.rs_received++;
		struct ra_rs rs;
		enum ra_rs_result r = ra_parse_rs(src, dst, hop_limit, rx, truncated ? 0 : (size_t)n,
						  l->has_mac ? RA_ETH_ADDR_LEN : 0, &rs);
		char a[INET6_ADDRSTRLEN];
		if (r != RA_RS_OK) {
			l->n.rs_ignored++;
			l->n.rs_reason[r]++;
			if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
				log_debug("%sRS from %s ignored: %s", lp(l, p), ntop6(src, a), ra_rs_result_name(r));
			continue;
		}
		l->n.rs_valid++;
		if (l->state != RA_STATE_ADVERTISING)
			continue; /* no source address yet, or on the way out */
		switch (ra_sched_solicit(&l->sched, now_ms(), src, rand32() % (RA_MAX_RA_DELAY_TIME_MS + 1))) {
		case RA_ANSWER_UNICAST:
			l->n.rs_answer_unicast++;
			break;
		case RA_ANSWER_MULTICAST:
			l->n.rs_answer_multicast++;
			break;
		case RA_ANSWER_ALREADY_PENDING:
			l->n.rs_answer_coalesced++;
			break;
		}
		answered = true;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("%sRS from %s", lp(l, p), ntop6(src, a));
	}
	if (answered)
		rearm(l);
}

/* ---- control socket and signals ---------------------------------------------------------------- */

static void add_counters(struct ra_counters *sum, const struct ra_counters *c)
{
	const uint64_t *from = (const uint64_t *)c;
	uint64_t *to = (uint64_t *)sum;
	for (size_t i = 0; i < sizeof(*c) / sizeof(uint64_t); i++)
		to[i] += from[i];
}

static const char *rs_name(unsigned r) { return ra_rs_result_name((enum ra_rs_result)r); }
static const char *rs_desc(unsigned r) { return ra_rs_result_desc((enum ra_rs_result)r); }
static const struct json_reasons rs_ignored_reasons = { "rs_ignored", 1, RA_RS__COUNT, rs_name, rs_desc };

/* One interface's state and counters (or, for the top level, their sums). */
static void write_link(struct json_w *w, const struct ra_link *l, const struct ra_counters *n)
{
	char a[INET6_ADDRSTRLEN], settings[RA_SETTINGS_TEXT_MAX];

	ra_config_format(&l->cfg, settings, sizeof(settings));
	json_str(w, "interface", l->cfg.ifname);
	json_str(w, "state", ra_state_name[l->state]);
	json_str(w, "source", l->has_lladdr ? ntop6(l->lladdr, a) : "none");
	json_lines(w, "settings", settings);
	json_obj_open(w, "ra_sent");
	json_u64(w, "periodic", n->ra_periodic);
	json_u64(w, "solicited_multicast", n->ra_solicited_multicast);
	json_u64(w, "solicited_unicast", n->ra_solicited_unicast);
	json_u64(w, "final", n->ra_final);
	json_u64(w, "send_errors", n->send_errors);
	json_obj_close(w);
	json_obj_open(w, "rs");
	json_u64(w, "received", n->rs_received);
	json_u64(w, "valid", n->rs_valid);
	json_u64(w, "ignored", n->rs_ignored);
	json_u64(w, "answered_unicast", n->rs_answer_unicast);
	json_u64(w, "answered_multicast", n->rs_answer_multicast);
	json_u64(w, "coalesced", n->rs_answer_coalesced);
	json_u64(w, "receive_errors", n->recv_errors);
	json_obj_close(w);
	json_by_reason(w, &rs_ignored_reasons, n->rs_reason);
}

/* The top level is the first interface's state and settings with the counters summed over all
 * interfaces (with one interface: exactly that one, as before there were several); "interfaces"
 * has each on its own. */
static void write_status(void *ctx, struct json_w *w)
{
	struct ra_daemon *d = ctx;
	struct ra_counters sum = { 0 };

	for (unsigned i = 0; i < d->nlink; i++)
		add_counters(&sum, &d->link[i].n);
	json_obj_open(w, NULL);
	json_status_head(w, "ra", d->ctlpath, (uint64_t)(time(NULL) - d->started));
	write_link(w, &d->link[0], &sum);
	json_u64(w, "reloads", d->reloads);
	json_u64(w, "reload_errors", d->reload_errors);
	json_arr_open(w, "interfaces");
	for (unsigned i = 0; i < d->nlink; i++) {
		json_obj_open(w, NULL);
		write_link(w, &d->link[i], &d->link[i].n);
		json_obj_close(w);
	}
	json_arr_close(w);
	json_descriptions(w, &rs_ignored_reasons);
	json_obj_close(w);
}

static void warn_settings(const struct ra_config *cfg);

/* The file (when given) and then the flags into m. 0, 1 (--help) or -1 with the message in err. */
static int load(const struct ra_daemon *d, struct ra_multi *m, char *err, size_t errlen)
{
	char *text = NULL;
	size_t len = 0;
	if (d->config && config_file_read(d->config, &text, &len, err, errlen) < 0)
		return -1;
	int r = ra_multi_load(m, text, len, d->config, d->argc, d->argv, err, errlen);
	free(text);
	return r;
}

/* SIGHUP for one interface: what changed in the announcement (prefixes, lifetimes, interval, mode,
 * prefixes for SLAAC, DNS servers) goes out in the next RA, which is brought forward with the next
 * few at the initial pace (RFC 4861 section 6.2.4 lets a router treat changed information as a new
 * start); control and pidfile need a restart and keep their running values. */
static void reload_link(struct ra_link *l, struct ra_config *nc)
{
	char kept[256], p[RA_IFNAME_MAX + 2];
	if (settings_keep_restart(&ra_settings_table, nc, &l->cfg, kept, sizeof(kept)))
		log_warn("reload: %s%s change only with a restart; keeping the running values", lp(l, p), kept);
	nc->daemon = l->cfg.daemon;
	bool changed = memcmp(nc, &l->cfg, sizeof(*nc)) != 0;
	if (nc->mode == RA_MODE_ROUTER && l->cfg.mode != RA_MODE_ROUTER) {
		l->cfg = *nc;
		warn_forwarding(l);
	}
	l->cfg = *nc;
	warn_settings(&l->cfg);
	if (!changed) {
		log_info("reloaded: %snothing changed", lp(l, p));
		return;
	}
	char text[RA_SETTINGS_TEXT_MAX];
	ra_config_format(&l->cfg, text, sizeof(text));
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		log_info("reloaded: %s%s", lp(l, p), line);
	if (l->state == RA_STATE_ADVERTISING) {
		ra_sched_changed(&l->sched, now_ms()); /* a few quick RAs carry the change */
		rearm(l);
	}
}

/* SIGHUP: the file again, the flags over it, each interface's new section onto it (matched by
 * name). The set of interfaces is fixed at start: an interface added to or removed from the file
 * takes a restart (the sockets are opened, and the capabilities dropped, before the first RA).
 * A file that does not parse changes nothing. */
static void reload(struct ra_daemon *d)
{
	static struct ra_multi nm;
	char err[RA_ERR_MAX];
	if (load(d, &nm, err, sizeof(err)) != 0) {
		d->reload_errors++;
		log_warn("reload: %s; keeping the current settings", err);
		return;
	}
	if (d->nlink == 1 && nm.n == 1) {
		/* one interface: its name too is a restart-only setting (settings_keep_restart keeps it) */
		reload_link(&d->link[0], &nm.ifc[0]);
	} else {
		for (unsigned i = 0; i < nm.n; i++) {
			unsigned j = 0;
			while (j < d->nlink && strcmp(d->link[j].cfg.ifname, nm.ifc[i].ifname) != 0)
				j++;
			if (j == d->nlink)
				log_warn("reload: interface %s is new; it takes a restart", nm.ifc[i].ifname);
			else
				reload_link(&d->link[j], &nm.ifc[i]);
		}
		for (unsigned j = 0; j < d->nlink; j++) {
			unsigned i = 0;
			while (i < nm.n && strcmp(d->link[j].cfg.ifname, nm.ifc[i].ifname) != 0)
				i++;
			if (i == nm.n)
				log_warn("reload: interface %s is no longer in the settings; it keeps its running values "
					 "until a restart", d->link[j].cfg.ifname);
		}
	}
	log_set_level(d->link[0].cfg.debug ? LOG_LEVEL_DEBUG : LOG_LEVEL_INFO);
	d->reloads++;
}

static void stop_link(struct ra_link *l, const char *why)
{
	bool advertised = l->state == RA_STATE_ADVERTISING;
	set_state(l, RA_STATE_STOPPING, why);
	if (!advertised) {
		link_done(l);
		return;
	}
	/* RFC 4861 section 6.2.6: multicast RAs at least MIN_DELAY_BETWEEN_RAS apart, the final one too. */
	l->final_at = ra_sched_final_at(&l->sched, now_ms());
	rearm(l);
}

static void reload_cb(void *ctx)
{
	reload(ctx);
}

/* SIGTERM, SIGINT: every link sends its final RA (router lifetime 0); the loop stops after the
 * last one (link_done). */
static void stopping_cb(void *ctx, int sig)
{
	struct ra_daemon *d = ctx;
	if (d->stopping)
		return;
	d->stopping = true;
	log_info("%s: withdrawing the announcement and exiting", strsignal(sig));
	sys_notify("STOPPING=1");
	for (unsigned i = 0; i < d->nlink; i++)
		stop_link(&d->link[i], strsignal(sig));
}

/* ---- setup ------------------------------------------------------------------------------------- */

static void cleanup(struct ra_daemon *d)
{
	daemon_frame_close(&d->frame);
	for (unsigned i = 0; i < d->nlink; i++) {
		if (d->link[i].icmpfd >= 0)
			close(d->link[i].icmpfd);
		if (d->link[i].timerfd >= 0)
			close(d->link[i].timerfd);
	}
	sys_loop_close(&d->loop);
	if (d->nl.nl)
		sys_nl_close(&d->nl);
}

static void warn_settings(const struct ra_config *cfg)
{
	if (cfg->lifetime_short)
		log_warn("--lifetime %u: below 3 x the interval (%u s); RFC 8781 section 4.1 advises at least that, "
			 "so that hosts keep the prefix when an RA or two is lost", cfg->lifetime_asked,
			 3 * cfg->max_interval);
	if (cfg->lifetime_asked && cfg->lifetime != cfg->lifetime_asked)
		log_info("--lifetime %u: announced as %u s (the option counts 8-second units, rounded up)",
			 cfg->lifetime_asked, cfg->lifetime);
	if (cfg->mode == RA_MODE_ROUTER && cfg->lifetime < cfg->router_lifetime)
		log_warn("--lifetime %u: shorter than the router lifetime (%u s); RFC 8781 section 4.1 finds that "
			 "highly undesirable", cfg->lifetime, cfg->router_lifetime);
}

/* Opens one interface: its index and MAC, its ICMPv6 socket and its timer. 0 or -1 (logged). */
static int link_open(struct ra_daemon *d, struct ra_link *l)
{
	l->d = d;
	l->ifindex = (int)if_nametoindex(l->cfg.ifname);
	if (l->ifindex == 0) {
		log_warn("--interface %s: %s", l->cfg.ifname, strerror(errno));
		return -1;
	}
	struct sys_link link;
	if (sys_nl_link_get(&d->nl, l->ifindex, &link) < 0) {
		log_warn("--interface %s: %s", l->cfg.ifname, strerror(errno));
		return -1;
	}
	l->has_mac = link.has_mac;
	memcpy(l->mac, link.mac, sizeof(l->mac));
	if (l->cfg.mode == RA_MODE_ROUTER)
		warn_forwarding(l);
	l->icmpfd = icmp_open(l);
	if (l->icmpfd < 0) {
		log_warn("ICMPv6 socket on %s: %s (needs CAP_NET_RAW)", l->cfg.ifname, strerror(errno));
		return -1;
	}
	l->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->timerfd < 0 || sys_loop_add(&d->loop, l->icmpfd, on_icmp, l) < 0 ||
	    sys_loop_add(&d->loop, l->timerfd, on_timer, l) < 0) {
		log_warn("event loop: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int ra_main(int argc, char **argv)
{
	static struct ra_daemon dd;
	static struct ra_multi m;
	struct ra_daemon *d = &dd;
	char err[RA_ERR_MAX], text[RA_SETTINGS_TEXT_MAX * RA_MAX_IFACES];

	log_set_ident("xlat464 ra");
	d->argc = argc;
	d->argv = argv;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--list-settings") == 0) {
			settings_page(&ra_settings_table, stdout, "xlat464 ra", "xlat464 ra", "src/mostly/ra_config.c");
			return 0;
		}
		if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "-c") == 0) && i + 1 < argc)
			d->config = argv[++i];
	}
	int r = load(d, &m, err, sizeof(err));
	if (r == 1) {
		fputs(ra_usage, stdout);
		settings_help(&ra_settings_table, stdout);
		return 0;
	}
	if (r < 0) {
		log_warn("%s", err);
		return 2;
	}
	const struct ra_config *top = &m.ifc[0];
	if (top->debug)
		log_set_level(LOG_LEVEL_DEBUG);
	for (unsigned i = 0; i < m.n; i++)
		warn_settings(&m.ifc[i]);
	if (top->check || top->print_config) {
		if (top->check) {
			for (unsigned i = 0; i < m.n; i++) {
				ra_config_format(&m.ifc[i], text, sizeof(text));
				printf("%s%s", i ? "\n" : "", text); /* a blank line between interfaces */
			}
			log_info("configuration OK");
		} else {
			ra_multi_print(&m, text, sizeof(text));
			fputs(text, stdout);
		}
		return 0;
	}

	daemon_frame_init(&d->frame);
	d->loop.epfd = -1;
	d->started = time(NULL);
	d->nlink = m.n;
	for (unsigned i = 0; i < m.n; i++) {
		d->link[i].cfg = m.ifc[i];
		d->link[i].icmpfd = d->link[i].timerfd = -1;
		d->link[i].d = d;
	}
	if (sys_nl_open(&d->nl) < 0) {
		log_warn("netlink: %s", strerror(errno));
		return 1;
	}
	if (sys_loop_init(&d->loop) < 0) {
		log_warn("event loop: %s", strerror(errno));
		cleanup(d);
		return 1;
	}
	for (unsigned i = 0; i < d->nlink; i++) {
		if (link_open(d, &d->link[i]) < 0) {
			cleanup(d);
			return 1;
		}
	}
	top = &d->link[0].cfg;
	if (top->control[0])
		memcpy(d->ctlpath, top->control, sizeof(d->ctlpath)); /* same size, terminated by the parser */
	else
		snprintf(d->ctlpath, sizeof(d->ctlpath), "%s/ra-%.*s.sock", SYS_CTL_DIR, RA_IFNAME_MAX - 1, top->ifname);
	d->frame.loop = &d->loop;
	d->frame.ctx = d;
	d->frame.status = write_status;
	d->frame.reload = reload_cb;
	d->frame.stopping = stopping_cb;
	d->frame.config = d->config;
	if (daemon_frame_open(&d->frame, d->ctlpath, NULL) < 0) {
		cleanup(d);
		return 1;
	}
	if (top->daemon && sys_daemonize() < 0)
		fatal("daemon: %s", strerror(errno));
	/* after the fork, so that it holds the daemon's pid; a failure is only a warning, as before */
	daemon_frame_pidfile(&d->frame, top->pidfile[0] ? top->pidfile : NULL);

	for (unsigned i = 0; i < d->nlink; i++) {
		char p[RA_IFNAME_MAX + 2];
		ra_config_format(&d->link[i].cfg, text, sizeof(text));
		for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			log_info("%s%s", lp(&d->link[i], p), line);
	}
	log_info("control socket %s", d->ctlpath);
	/* set up: its ICMPv6 sockets are open, and netlink queries need no capability */
	daemon_frame_privileges(&d->frame, 0, true);
	if (d->nlink == 1)
		daemon_frame_ready(&d->frame, "on %s", top->ifname);
	else
		daemon_frame_ready(&d->frame, "on %s and %u more", top->ifname, d->nlink - 1);
	for (unsigned i = 0; i < d->nlink; i++) {
		struct ra_link *l = &d->link[i];
		l->state = RA_STATE_WAITING;
		if (find_lladdr(l))
			start_advertising(l);
		else
			log_info("waiting for a link-local address on %s that has passed DAD", l->cfg.ifname);
		rearm(l);
	}
	r = sys_loop_run(&d->loop);
	cleanup(d);
	if (r < 0) {
		log_warn("event loop: %s", strerror(errno));
		return 1;
	}
	return 0;
}
