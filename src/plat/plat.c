/* `xlat464 plat`: the PLAT daemon. One TUN carries both families (the TAYGA model): the kernel routes
 * pool6 (IPv6 clients' packets to the IPv4 Internet) and the pool4 prefixes (the IPv4 answers) into
 * it, and the daemon writes each translated packet back into it for the kernel to forward.
 *
 *   read(tun) -> set_now -> xlat_translate() (policy: lib/nat64 stateful, or lib/nat64/dynpool
 *   stateless) -> writev(tun); ICMP errors the translator makes itself pass a token bucket
 *
 * One epoll loop watches the TUN, a signalfd (SIGTERM/SIGINT: clean exit; SIGHUP: reload without
 * dropping sessions), a 1 s timerfd (expiry, log flush), the status socket and the command socket
 * (session list, flush). See docs/plat.md. */
#include "plat.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "../common/daemon_opts.h"
#include "../common/settings_load.h"
#include "../common/settings_table.h"
#include "../common/tun_workers.h"
#include "../common/json.h"
#include "../common/daemon_frame.h"
#include "evlog.h"
#include "ipfix_export.h"
#include "nat64/dynpool.h"
#include "plat_settings.h"
#include "stateful.h"
#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/notify.h"
#include "sys/nat64_offload.h"
#include "sys/netlink.h"
#include "sys/priv.h"
#include "sys/route6.h"
#include "sys/sig.h"
#include "sys/tun.h"
#include "sys/tun_steer.h"
#include "xlat/offload.h"
#include "xlat/reasm.h"

#define PLAT_PKT_MAX (65535 + 40) /* the largest IPv6 packet (a 64 KiB IPv4 super-packet grows by 20 bytes) */
#define PLAT_READ_BURST 64
#define PLAT_EXPIRE_BUDGET 1000000u
#define PLAT_ROUTE_METRIC 1024
#define PLAT_SETTINGS_TEXT_MAX 32768

struct plat_opts {
	struct daemon_opts d; /* --config, --pidfile, --foreground/--daemon, --check, --print-config, --debug */
	char **flags; /* settings flags and their values, re-applied on every reload */
	int nflags;
	bool list_settings;
};

struct plat_routes {
	bool has6;
	struct xlat_prefix6 p6;
	unsigned n4;
	struct xlat_prefix4 p4[NAT64_POOL4_MAX];
};

struct plat_daemon;

/* One TUN queue and what translates its packets: with one worker, the main loop's; with more (stateful
 * mode), a thread each (src/common/tun_workers.h), its own lib/nat64 instance owning a share of the
 * pool's ports, and the TUN steered so that each packet reaches the instance of its state
 * (lib/sys/tun_steer.h). */
struct plat_worker {
	struct plat_daemon *d;
	unsigned index;
	int fd;
	struct nat64 *nat;         /* stateful: this worker's instance */
	struct xlat_config cfg;    /* the settings' xcfg with this worker's policy */
	struct xlat_ctx ctx;
	struct xlat_out *out;
	uint8_t *rx;
	struct xlat_config lifted; /* cfg with MTUs lifted, for super-packets (scratch) */
	struct xlat_reasm reasm;   /* zero-checksum UDP from IPv4 made whole (lib/xlat/reasm.h) */
	void *reasm_slots;
	uint64_t tokens_milli, refill_ms; /* the reply token bucket, in thousandths of a reply */
	uint64_t tun_read_errors, tun_write_errors, replies_sent, replies_suppressed;
	struct xlat_offload_stats off; /* super-packets translated, their bytes; checksums finished */
	uint64_t last_tick_ms;
};

struct plat_daemon {
	struct plat_opts opt;
	struct plat_settings *set;
	enum plat_mode mode;
	unsigned nw;               /* workers */
	struct plat_worker w[TUN_WORKERS_MAX];
	struct tun_workers pool;   /* their threads, with more than one */
	struct sys_tun_steer *steer;
	pthread_mutex_t evlock;    /* the event log and the exporter, which every worker feeds */
	struct nat64_dynpool *dp;
	struct sys_loop loop;
	struct daemon_frame frame; /* signals, control socket, pidfile */
	int cmdfd, timerfd, gonefd;
	char ctlpath[PLAT_PATH_MAX], cmdpath[PLAT_PATH_MAX];
	char *settings;            /* PLAT_SETTINGS_TEXT_MAX bytes, for a status answer */
	struct plat_sums *sums;
	time_t started;
	uint64_t reloads;
	struct plat_evlog log;
	struct plat_ipfix ipfix;   /* IPFIX export of the NAT64 events (ipfix-collector) */
	struct sys_nl nl;
	bool nl_open;
	int ifindex;
	struct plat_routes routes; /* the routes this process added (and removes at exit) */
	int exit_status;
	bool offload;              /* the TUN does checksum and TCP segmentation offload (offload.h) */
	struct sys_offload *bpf;   /* the kernel fast path (bpf-offload), or NULL */
	char bpf_error[128];       /* why it is not there when it was asked for */
};

static const char plat_usage[] =
	"usage: xlat464 plat [SETTINGS] [--config FILE] [--pidfile FILE] [--foreground | --daemon] [--debug]\n"
	"                    [--check | --print-config | --list-settings]\n"
	"settings (flags, or `key value...` lines in FILE; flags override the file; a time T is seconds,\n"
	"or 30s, 5m, 2h4m, 1d):\n";
static const char plat_usage_other[] =
	"other options:\n"
	"  --check            validate, print the effective settings, exit\n"
	"  --print-config     print the effective settings and exit\n"
	"  --list-settings    print the settings table (Markdown: docs/plat-settings.md) and exit\n"
	"status: xlat464 status [--json] | --sessions [--json] | --flush [tcp|udp|icmp|all]\n";

/* --help: the settings' lines come from their table. */
static void plat_help(void)
{
	fputs(plat_usage, stdout);
	settings_help(&plat_settings_table, stdout);
	fputs(plat_usage_other, stdout);
}

static void plat_list_settings(void)
{
	settings_page(&plat_settings_table, stdout, "xlat464 plat", "xlat464 plat", "src/plat/plat_settings.c");
}

/* ---- settings -------------------------------------------------------------------------------- */

/* Config file, then flags (words: "--key", values..., NULL, "--key", ...; pool4 and static flags
 * replace the file's lines), then the checks across settings. */
static int load_settings(struct plat_settings *s, const char *config, char *const *words, int nwords, char *err,
			 size_t errlen)
{
	plat_settings_init(s);
	if (settings_load(&plat_settings_table, s, config, words, nwords, err, errlen) < 0)
		return -1;
	return plat_settings_finish(s, err, errlen);
}

/* ---- the data path ------------------------------------------------------------------------- */

static void set_now(struct plat_worker *w, uint64_t now)
{
	if (w->nat)
		plat_sf_set_now(w->nat, now);
	else
		nat64_dynpool_set_now(w->d->dp, now);
}

/* Token bucket for the ICMP errors the translator makes (pool exhausted, limits, ...): a flood of new
 * flows must not turn into a flood of answers. */
static bool reply_allowed(struct plat_worker *w, uint64_t now)
{
	/* each worker has its share of the rate and the burst */
	const struct plat_settings *s = w->d->set;
	uint64_t cap = (uint64_t)s->reply_burst * 1000 / w->d->nw;
	if (now > w->refill_ms) {
		w->tokens_milli += (now - w->refill_ms) * s->reply_rate / w->d->nw;
		if (w->tokens_milli > cap)
			w->tokens_milli = cap;
		w->refill_ms = now;
	}
	if (w->tokens_milli < 1000)
		return false;
	w->tokens_milli -= 1000;
	return true;
}

/* Writes one packet behind its offload header (all zero unless vh says otherwise). */
static void write_pkt(struct plat_worker *w, const struct xlat_pkt *p, const struct xlat_vnet *vh)
{
	if (sys_tun_write_vnet(w->fd, vh, p) < 0) {
		w->tun_write_errors++;
		if (log_enabled(LOG_LEVEL_DEBUG))
			log_debug("write to the TUN (%zu bytes): %s", p->len, strerror(errno));
	}
}

/* A packet read from the TUN (behind its offload header): readied, translated, finished, written. */
static void handle_pkt(struct plat_worker *w, uint8_t *pkt, size_t n, const struct xlat_vnet *vh, uint64_t now)
{
	struct plat_daemon *d = w->d;
	struct xlat_out *out = w->out;
	struct xlat_vnet oh;
	switch (xlat_offload_translate(&w->ctx, &w->lifted, pkt, n, vh, out, &oh, &w->off)) {
	case XLAT_OFFLOAD_DROPPED:
		return;
	case XLAT_OFFLOAD_SUPER:
		write_pkt(w, &out->pkt[0], &oh);
		return;
	case XLAT_OFFLOAD_PLAIN:
		xlat_translate_reasm(&w->ctx, &w->reasm, pkt, n, now, out);
		break;
	case XLAT_OFFLOAD_OTHER:
		break;
	}
	/* A subscriber at one of its limits: its next new flows are dropped in the kernel, before the
	 * TUN queue that every subscriber shares, for a second (then the daemon is asked again). */
	if (d->bpf && d->set->subscriber_hold_ms && (out->reason == XLAT_DROP_NAT64_LIMIT_SUB_SESSIONS || out->reason == XLAT_DROP_NAT64_LIMIT_SUB_PORTS) &&
	    n >= 40 && pkt[0] >> 4 == 6 && sys_offload_sub_hold(d->bpf, pkt + 8, d->set->subscriber_hold_ms) < 0) {
		static struct log_ratelimit rl;
		if (log_ratelimit_ok(&rl))
			log_warn("bpf-offload: holding a subscriber at its limit in the kernel: %s", strerror(errno));
	}
	switch (out->action) {
	case XLAT_HELD:
		break; /* a fragment kept for reassembly */
	case XLAT_DROP:
		/* counted by the core under its reason; a kept SYN's bytes go to the NAT64 (RFC 6146
		 * section 3.5.2.2: it may be answered 6 s later) */
		if (out->reason == XLAT_DROP_NAT64_SYN4_KEPT && w->nat)
			plat_sf_syn4_keep(w->nat, pkt, n);
		break;
	case XLAT_REPLY:
		if (out->npkts && reply_allowed(w, now)) {
			write_pkt(w, &out->pkt[0], NULL);
			w->replies_sent++;
		} else {
			w->replies_suppressed++;
		}
		break;
	case XLAT_FORWARD:
		for (unsigned k = 0; k < out->npkts; k++)
			write_pkt(w, &out->pkt[k], NULL);
		break;
	}
}

/* RFC 6146 section 3.5.2.2: a kept IPv4 SYN whose 6 s ran out without a simultaneous open is answered
 * with Port Unreachable from the address it was sent to, under the same rate limit as other errors. */
static void syn4_answer_due(struct plat_worker *w, uint64_t now)
{
	struct nat64_syn4_due *due = (struct nat64_syn4_due *)w->rx; /* the read buffer is free here */
	_Static_assert(sizeof(struct nat64_syn4_due) <= XLAT_VNET_HDR_LEN + PLAT_PKT_MAX, "the SYN fits rx");
	for (unsigned k = 0; k < PLAT_EXPIRE_BUDGET && plat_sf_syn4_due(w->nat, now, due); k++) {
		/* type 3 Destination Unreachable, code 3 Port Unreachable */
		if (!xlat_icmp4_error(&w->ctx, due->pkt, due->len, due->src4, 3, 3, w->out))
			continue;
		if (reply_allowed(w, now)) {
			write_pkt(w, &w->out->pkt[0], NULL);
			w->replies_sent++;
		} else {
			w->replies_suppressed++;
		}
	}
}

/* A worker's timers, once a second: expiry, the kept SYNs owed an answer, reassembly. */
static void worker_tick(struct plat_worker *w, uint64_t now)
{
	w->last_tick_ms = now;
	if (w->nat) {
		plat_sf_expire(w->nat, now, PLAT_EXPIRE_BUDGET);
		syn4_answer_due(w, now);
	} else {
		nat64_dynpool_expire(w->d->dp, now, PLAT_EXPIRE_BUDGET);
	}
	xlat_reasm_expire(&w->reasm, now, &w->ctx.stats);
}

/* A burst from one queue (tun_worker_burst_fn): on the main loop with one worker, on the worker's own
 * thread with more, where it is also called once a second with nothing to read, for the timers. */
static void worker_burst(void *arg, int fd)
{
	struct plat_worker *w = arg;
	uint64_t now = sys_mono_ms();

	set_now(w, now);
	if (w->d->nw > 1 && now - w->last_tick_ms >= 1000)
		worker_tick(w, now);
	for (int i = 0; i < PLAT_READ_BURST; i++) {
		ssize_t n = read(fd, w->rx, XLAT_VNET_HDR_LEN + PLAT_PKT_MAX);
		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return;
			if (errno == EBADFD) { /* the TUN was deleted: the main loop stops */
				uint64_t one = 1;
				if (write(w->d->gonefd, &one, sizeof(one)) < 0)
					log_warn("the TUN is gone");
				return;
			}
			if (w->tun_read_errors++ % 1000 == 0)
				log_warn("read from the TUN: %s", strerror(errno));
			return;
		}
		if (n < XLAT_VNET_HDR_LEN) {
			w->ctx.stats.drops[XLAT_DROP_OFFLOAD_BAD_HEADER]++;
			continue;
		}
		struct xlat_vnet vh;
		xlat_vnet_read(w->rx, &vh);
		handle_pkt(w, w->rx + XLAT_VNET_HDR_LEN, (size_t)n - XLAT_VNET_HDR_LEN, &vh, now);
	}
}

static void on_tun(void *arg, int fd, uint32_t events) { worker_burst(arg, fd); }

static void on_gone(void *arg, int fd, uint32_t events)
{
	struct plat_daemon *d = arg;
	uint64_t v;
	if (read(fd, &v, sizeof(v)) < 0 && errno == EAGAIN)
		return;
	log_warn("TUN %s is gone; exiting", d->set->tun);
	d->exit_status = 1;
	sys_loop_stop(&d->loop);
}

static void on_timer(void *arg, int fd, uint32_t events)
{
	struct plat_daemon *d = arg;
	uint64_t ticks;
	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("timerfd: %s", strerror(errno));
	uint64_t now = sys_mono_ms();
	if (d->nw == 1)
		worker_tick(&d->w[0], now); /* threads tick themselves */
	pthread_mutex_lock(&d->evlock);
	plat_ipfix_tick(&d->ipfix, now); /* templates when due; what is pending goes out */
	plat_evlog_flush(&d->log);
	pthread_mutex_unlock(&d->evlock);
}

/* ---- routes ----------------------------------------------------------------------------------- */

static void routes_wanted(const struct plat_settings *s, struct plat_routes *r)
{
	memset(r, 0, sizeof(*r));
	if (!s->routes)
		return;
	r->has6 = true;
	r->p6 = s->nat.pool6;
	for (unsigned i = 0; i < s->nat.npool4; i++)
		r->p4[r->n4++] = s->nat.pool4[i].prefix;
}

static bool has4(const struct plat_routes *r, const struct xlat_prefix4 *p)
{
	for (unsigned i = 0; i < r->n4; i++)
		if (r->p4[i].len == p->len && memcmp(r->p4[i].addr, p->addr, 4) == 0)
			return true;
	return false;
}

static bool same6(const struct plat_routes *a, const struct plat_routes *b)
{
	return a->has6 == b->has6 && (!a->has6 || (a->p6.len == b->p6.len && memcmp(a->p6.addr, b->p6.addr, 16) == 0));
}

/* Moves the installed routes to want: removes what is no longer wanted, adds what is new. A route
 * that exists already (EEXIST: the operator made it) is used but not taken over. */
static int routes_apply(struct plat_daemon *d, const struct plat_routes *want)
{
	struct plat_routes *have = &d->routes;
	struct plat_routes next;
	int rc = 0;

	memset(&next, 0, sizeof(next));
	if (!d->nl_open)
		return want->has6 || want->n4 ? -1 : 0;
	for (unsigned i = 0; i < have->n4; i++) {
		if (has4(want, &have->p4[i]))
			next.p4[next.n4++] = have->p4[i];
		else if (sys_nl_route4(&d->nl, false, d->ifindex, have->p4[i].addr, have->p4[i].len, NULL, PLAT_ROUTE_METRIC) < 0)
			log_warn("route del %u.%u.%u.%u/%u: %s", have->p4[i].addr[0], have->p4[i].addr[1], have->p4[i].addr[2],
				 have->p4[i].addr[3], have->p4[i].len, strerror(errno));
	}
	if (have->has6 && !same6(have, want)) {
		if (sys_nl_route6(&d->nl, false, d->ifindex, have->p6.addr, have->p6.len, PLAT_ROUTE_METRIC) < 0)
			log_warn("route del pool6: %s", strerror(errno));
	} else if (have->has6) {
		next.has6 = true;
		next.p6 = have->p6;
	}
	if (want->has6 && !next.has6) {
		if (sys_nl_route6(&d->nl, true, d->ifindex, want->p6.addr, want->p6.len, PLAT_ROUTE_METRIC) == 0) {
			next.has6 = true;
			next.p6 = want->p6;
		} else if (errno != EEXIST) {
			log_warn("route add pool6 dev %s: %s", d->set->tun, strerror(errno));
			rc = -1;
		}
	}
	for (unsigned i = 0; i < want->n4; i++) {
		if (has4(&next, &want->p4[i]))
			continue;
		if (sys_nl_route4(&d->nl, true, d->ifindex, want->p4[i].addr, want->p4[i].len, NULL, PLAT_ROUTE_METRIC) == 0)
			next.p4[next.n4++] = want->p4[i];
		else if (errno != EEXIST) {
			log_warn("route add %u.%u.%u.%u/%u dev %s: %s", want->p4[i].addr[0], want->p4[i].addr[1],
				 want->p4[i].addr[2], want->p4[i].addr[3], want->p4[i].len, d->set->tun, strerror(errno));
			rc = -1;
		}
	}
	*have = next;
	return rc;
}

/* ---- control sockets ------------------------------------------------------------------------ */

/* sys_ctl_accept gives a non-blocking socket: make it blocking with a send deadline. */
/* The settings' pool6 line, for the member "pool6". */
static void pool6_of(const char *settings, char *buf, size_t cap)
{
	const char *p = strstr(settings, "pool6 ");
	size_t n = 0;
	buf[0] = '\0';
	if (!p)
		return;
	p += 6;
	while (p[n] && p[n] != '\n' && n + 1 < cap)
		n++;
	memcpy(buf, p, n);
	buf[n] = '\0';
}

/* The counters every worker keeps, summed. */
struct plat_sums {
	uint64_t tun_read_errors, tun_write_errors, replies_sent, replies_suppressed;
	struct xlat_offload_stats off;
	struct xlat_stats stats;
	struct nat64_stats nat;
	unsigned ntop;
	struct nat64_subscriber_usage top[PLAT_TOP_MAX];
	uint64_t worker_4to6[TUN_WORKERS_MAX], worker_6to4[TUN_WORKERS_MAX];
};

static void sum_workers(struct plat_daemon *d, struct plat_sums *m)
{
	/* the workers' counters and tables, each read under its lock */
	struct nat64_subscriber_usage top[TUN_WORKERS_MAX * PLAT_TOP_MAX];
	unsigned ntop = 0;
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < d->nw; i++) {
		const struct plat_worker *w = &d->w[i];
		tun_workers_lock(&d->pool, i);
		m->tun_read_errors += w->tun_read_errors;
		m->tun_write_errors += w->tun_write_errors;
		m->replies_sent += w->replies_sent;
		m->replies_suppressed += w->replies_suppressed;
		xlat_offload_stats_add(&m->off, &w->off);
		xlat_stats_add(&m->stats, &w->ctx.stats);
		m->worker_4to6[i] = w->ctx.stats.pkts_4to6;
		m->worker_6to4[i] = w->ctx.stats.pkts_6to4;
		if (w->nat) {
			struct nat64_stats st;
			plat_sf_get_stats(w->nat, &st);
			nat64_stats_add(&m->nat, &st);
			ntop += plat_sf_top(w->nat, top + ntop, PLAT_TOP_MAX);
		}
		tun_workers_unlock(&d->pool, i);
	}
	if (d->bpf) { /* the limits the kernel enforces for the daemon count as its own */
		struct sys_offload_counters c;
		sys_offload_counters(d->bpf, &c);
		m->stats.drops[XLAT_DROP_NAT64_LIMIT_SUB_HELD] += c.sub_held;
		m->stats.drops[XLAT_DROP_NAT64_LIMIT_SUB_RATE] += c.sub_rate;
	}
	/* a subscriber lives in one instance: the busiest of each, merged */
	for (unsigned i = 0; i < ntop && m->ntop < PLAT_TOP_MAX; i++) {
		unsigned best = i;
		for (unsigned j = i + 1; j < ntop; j++)
			if (top[j].sessions > top[best].sessions)
				best = j;
		struct nat64_subscriber_usage t = top[i];
		top[i] = top[best];
		top[best] = t;
		m->top[m->ntop++] = top[i];
	}
}

static void write_stateful(struct json_w *w, const struct plat_sums *m)
{
	const struct nat64_stats *n = &m->nat;
	char a[INET6_ADDRSTRLEN], sub[INET6_ADDRSTRLEN + 4];

	json_obj_open(w, "pool4");
	json_u64(w, "ports_in_use", n->ports_in_use);
	json_u64(w, "ports_total", n->ports_total);
	json_obj_close(w);
	json_obj_open(w, "sessions");
	json_u64(w, "tcp", n->sessions[NAT64_TCP]);
	json_u64(w, "udp", n->sessions[NAT64_UDP]);
	json_u64(w, "icmp", n->sessions[NAT64_ICMP]);
	json_u64(w, "total", n->sessions[NAT64_TCP] + n->sessions[NAT64_UDP] + n->sessions[NAT64_ICMP]);
	json_obj_close(w);
	json_obj_open(w, "bibs");
	json_u64(w, "tcp", n->bibs[NAT64_TCP]);
	json_u64(w, "udp", n->bibs[NAT64_UDP]);
	json_u64(w, "icmp", n->bibs[NAT64_ICMP]);
	json_obj_close(w);
	json_u64(w, "subscribers", n->subscribers);
	json_u64(w, "sessions_created", n->sessions_created);
	json_u64(w, "sessions_expired", n->sessions_expired);
	json_u64(w, "sessions_flushed", n->sessions_flushed);
	json_obj_open(w, "syn4"); /* RFC 6146 section 3.5.2.2 */
	json_u64(w, "kept_now", n->syn4_kept_now);
	json_u64(w, "kept", n->syn4_kept);
	json_u64(w, "simultaneous_opens", n->syn4_simultaneous_opens);
	json_u64(w, "port_unreachables", n->syn4_unreachable);
	json_u64(w, "not_kept_full", n->syn4_full);
	json_obj_close(w);
	json_u64(w, "memory_bytes", n->memory_bytes);
	json_u64(w, "bytes_per_session", n->bytes_per_session);
	json_arr_open(w, "top_subscribers");
	for (unsigned i = 0; i < m->ntop; i++) {
		inet_ntop(AF_INET6, m->top[i].prefix, a, sizeof(a));
		snprintf(sub, sizeof(sub), "%s/%u", a, m->top[i].len);
		json_obj_open(w, NULL);
		json_str(w, "prefix", sub);
		json_u64(w, "sessions", m->top[i].sessions);
		json_u64(w, "ports", m->top[i].ports);
		json_obj_close(w);
	}
	json_arr_close(w);
}

static void write_stateless(struct json_w *w, const struct nat64_dynpool_stats *y)
{
	json_obj_open(w, "pool4");
	json_u64(w, "addresses_leased", y->leases);
	json_u64(w, "addresses_total", y->addrs_total);
	json_obj_close(w);
	json_u64(w, "leases", y->leases);
	json_u64(w, "leases_created", y->leases_created);
	json_u64(w, "leases_expired", y->leases_expired);
	json_u64(w, "leases_flushed", y->leases_flushed);
	json_u64(w, "leases_refused_pool_full", y->refused_full);
	json_u64(w, "memory_bytes", y->memory_bytes);
}

static void write_bpf(struct plat_daemon *d, struct json_w *w, const struct nat64_stats *n)
{
	struct sys_offload_counters c = { 0 };
	char ifs[PLAT_BPF_IFS_MAX * (PLAT_TUN_NAME_MAX + 2)] = "";
	uint64_t flows = 0;

	if (d->bpf) {
		sys_offload_counters(d->bpf, &c);
		sys_offload_ifnames(d->bpf, ifs, sizeof(ifs));
		flows = sys_offload_nflows(d->bpf);
	}
	json_obj_open(w, "bpf_offload");
	json_boolean(w, "on", d->bpf != NULL);
	json_str(w, "error", d->bpf_error);
	json_str(w, "interfaces", ifs);
	json_u64(w, "flows", flows);
	json_u64(w, "sessions_offloaded", n->sessions_offloaded);
	json_u64(w, "expiries_put_off", n->offload_refreshed);
	json_u64(w, "refused", n->offload_refused);
	json_u64(w, "packets_6to4", c.pkts6);
	json_u64(w, "bytes_6to4", c.bytes6);
	json_u64(w, "packets_4to6", c.pkts4);
	json_u64(w, "bytes_4to6", c.bytes4);
	json_u64(w, "passed", c.passed);
	json_u64(w, "failed", c.failed);
	json_u64(w, "redirected", c.redirected);
	json_obj_close(w);
}

/* The status answer (docs/plat.md lists the members). */
static void write_status(void *ctx, struct json_w *w)
{
	struct plat_daemon *d = ctx;
	struct plat_sums *m = d->sums;
	char p6[64];
	bool stateful = d->mode == PLAT_STATEFUL;

	sum_workers(d, m);
	plat_settings_format(d->set, d->settings, PLAT_SETTINGS_TEXT_MAX);
	d->settings[PLAT_SETTINGS_TEXT_MAX - 1] = '\0';
	pool6_of(d->settings, p6, sizeof(p6));
	json_obj_open(w, NULL);
	json_status_head(w, "plat", d->ctlpath, (uint64_t)(time(NULL) - d->started));
	json_str(w, "tun", d->set->tun);
	json_str(w, "mode", stateful ? "stateful" : "stateless");
	json_str(w, "commands", d->cmdpath);
	json_str(w, "pool6", p6);
	json_lines(w, "settings", d->settings);
	if (stateful) {
		write_stateful(w, m);
	} else {
		struct nat64_dynpool_stats y;
		nat64_dynpool_get_stats(d->dp, &y);
		write_stateless(w, &y);
	}
	json_u64(w, "packets_4to6", m->stats.pkts_4to6);
	json_u64(w, "bytes_4to6", m->stats.bytes_4to6);
	json_u64(w, "packets_6to4", m->stats.pkts_6to4);
	json_u64(w, "bytes_6to4", m->stats.bytes_6to4);
	json_u64(w, "replies", m->replies_sent);
	json_u64(w, "replies_suppressed", m->replies_suppressed);
	json_workers(w, d->nw, m->worker_4to6, m->worker_6to4);
	json_u64(w, "log_lines", d->log.lines);
	json_u64(w, "log_errors", d->log.errors);
	json_obj_open(w, "ipfix");
	json_boolean(w, "on", plat_ipfix_on(&d->ipfix));
	json_u64(w, "records_sent", d->ipfix.c.records_sent);
	json_u64(w, "messages_sent", d->ipfix.c.messages_sent);
	json_u64(w, "templates_sent", d->ipfix.c.templates_sent);
	json_u64(w, "send_errors", d->ipfix.c.send_errors);
	json_u64(w, "records_dropped", d->ipfix.c.records_dropped);
	json_u64(w, "alarms_suppressed", d->ipfix.c.alarms_suppressed);
	json_obj_close(w);
	json_xlat_offload(w, d->offload, &m->off);
	write_bpf(d, w, &m->nat);
	json_u64(w, "tun_read_errors", m->tun_read_errors);
	json_u64(w, "tun_write_errors", m->tun_write_errors);
	json_u64(w, "reloads", d->reloads);
	json_xlat_drops(w, &m->stats);
	json_descriptions(w, &json_xlat_drop_reasons);
	json_obj_close(w);
}

struct lease_collect {
	struct plat_session_rec *recs;
	uint64_t n, max, now_ms;
};

static bool lease_one(void *arg, const struct nat64_dynpool_lease *l)
{
	struct lease_collect *c = arg;
	if (c->n < c->max) {
		struct plat_session_rec *r = &c->recs[c->n];
		memset(r, 0, sizeof(*r));
		r->proto = PLAT_REC_LEASE;
		memcpy(r->v6, l->v6, 16);
		memcpy(r->v4, l->v4, 4);
		r->expires_in_ms = l->expires_ms > c->now_ms ? l->expires_ms - c->now_ms : 0;
		r->packets = l->packets;
	}
	c->n++;
	return true;
}

static void write_rec(struct json_w *w, const struct plat_session_rec *r)
{
	static const char *const proto_names[] = { [NAT64_TCP] = "tcp", [NAT64_UDP] = "udp", [NAT64_ICMP] = "icmp" };
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], r4[INET_ADDRSTRLEN];

	inet_ntop(AF_INET6, r->v6, a6, sizeof(a6));
	inet_ntop(AF_INET, r->v4, a4, sizeof(a4));
	json_obj_open(w, NULL);
	if (r->proto == PLAT_REC_LEASE) {
		json_str(w, "proto", "lease");
		json_str(w, "v6", a6);
		json_str(w, "v4", a4);
		json_u64(w, "packets", r->packets);
		json_u64(w, "expires_in_ms", r->expires_in_ms);
	} else {
		inet_ntop(AF_INET, r->remote4, r4, sizeof(r4));
		json_str(w, "proto", r->proto < NAT64_NPROTO ? proto_names[r->proto] : "?");
		json_str(w, "v6", a6);
		json_u64(w, "port6", r->port6);
		json_str(w, "v4", a4);
		json_u64(w, "port4", r->port4);
		json_str(w, "remote4", r4);
		json_u64(w, "remote_port", r->remote_port);
		json_str(w, "state", r->state);
		json_boolean(w, "static", r->is_static);
		json_u64(w, "expires_in_ms", r->expires_in_ms);
	}
	json_obj_close(w);
}

/* Answers a request that could not be served: {"error": why}. */
static void cmd_error(int c, const char *why)
{
	struct json_w w;
	json_w_init(&w);
	json_obj_open(&w, NULL);
	json_u64(&w, "schema", JSON_STATUS_SCHEMA);
	json_str(&w, "error", why);
	json_obj_close(&w);
	json_w_send(&w, c);
	json_w_free(&w);
}

static void cmd_flush(struct plat_daemon *d, int c, enum nat64_proto proto)
{
	uint64_t count = 0;
	struct json_w w;

	if (d->mode == PLAT_STATEFUL) {
		for (unsigned i = 0; i < d->nw; i++) {
			tun_workers_lock(&d->pool, i);
			count += plat_sf_flush(d->w[i].nat, proto);
			tun_workers_unlock(&d->pool, i);
		}
	} else
		count = nat64_dynpool_flush(d->dp);
	log_info("flushed %llu %s", (unsigned long long)count, d->mode == PLAT_STATEFUL ? "sessions" : "leases");
	json_w_init(&w);
	json_obj_open(&w, NULL);
	json_u64(&w, "schema", JSON_STATUS_SCHEMA);
	json_str(&w, "mode", d->mode == PLAT_STATEFUL ? "stateful" : "stateless");
	json_u64(&w, "flushed", count);
	json_obj_close(&w);
	json_w_send(&w, c);
	json_w_free(&w);
}

static void cmd_sessions(struct plat_daemon *d, int c, enum nat64_proto proto)
{
	uint64_t now = sys_mono_ms(), max, total, count;

	if (d->mode == PLAT_STATEFUL) {
		max = 0;
		for (unsigned i = 0; i < d->nw; i++) {
			struct nat64_stats st;
			tun_workers_lock(&d->pool, i);
			plat_sf_get_stats(d->w[i].nat, &st);
			tun_workers_unlock(&d->pool, i);
			max += st.sessions[NAT64_TCP] + st.sessions[NAT64_UDP] + st.sessions[NAT64_ICMP];
		}
		max += 1024; /* room for sessions made meanwhile */
	} else {
		struct nat64_dynpool_stats st;
		nat64_dynpool_get_stats(d->dp, &st);
		max = st.leases;
	}
	if (max > PLAT_SESSIONS_MAX)
		max = PLAT_SESSIONS_MAX;
	struct plat_session_rec *recs = calloc(max ? max : 1, sizeof(*recs));
	if (!recs) {
		cmd_error(c, "out of memory");
		return;
	}
	if (d->mode == PLAT_STATEFUL) {
		total = 0;
		for (unsigned i = 0; i < d->nw; i++) {
			tun_workers_lock(&d->pool, i);
			total += plat_sf_sessions(d->w[i].nat, now, recs + (total < max ? total : max),
						  total < max ? max - total : 0);
			tun_workers_unlock(&d->pool, i);
		}
	} else {
		struct lease_collect lc = { recs, 0, max, now };
		nat64_dynpool_foreach(d->dp, lease_one, &lc);
		total = lc.n;
	}
	count = total < max ? total : max;
	/* The list can be long: sent a piece at a time, as it is written. */
	struct json_w w;
	json_w_init(&w);
	json_obj_open(&w, NULL);
	json_u64(&w, "schema", JSON_STATUS_SCHEMA);
	json_str(&w, "mode", d->mode == PLAT_STATEFUL ? "stateful" : "stateless");
	json_u64(&w, "total", total);
	json_arr_open(&w, "sessions");
	int rc = 0;
	for (uint64_t i = 0; i < count && rc == 0; i++) {
		if (proto != NAT64_NPROTO && d->mode == PLAT_STATEFUL && recs[i].proto != proto)
			continue;
		write_rec(&w, &recs[i]);
		if (w.len >= 65536) {
			rc = w.failed ? -1 : sys_write_all(c, w.buf, w.len);
			json_w_drain(&w);
		}
	}
	json_arr_close(&w);
	json_obj_close(&w);
	if (rc == 0)
		rc = json_w_send(&w, c);
	if (rc < 0)
		log_debug("sessions client: %s", strerror(errno));
	json_w_free(&w);
	free(recs);
}

/* The command socket takes one request line: "sessions [tcp|udp|icmp|all]" or "flush [tcp|udp|icmp|all]",
 * and answers with one JSON object. */
static void cmd_serve(struct plat_daemon *d, int c)
{
	char req[64], op[16] = "", what[16] = "all";
	enum nat64_proto proto = NAT64_NPROTO;

	/* The client writes its request right after connecting: a second is plenty for it, and five for
	 * reading a long session list. The loop waits meanwhile; these are operator commands. */
	status_client_blocking(c, 5);
	struct timeval tv = { .tv_sec = 1 };
	setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	size_t n = 0;
	while (n + 1 < sizeof(req)) {
		ssize_t k = recv(c, req + n, sizeof(req) - 1 - n, 0);
		if (k <= 0)
			break;
		n += (size_t)k;
		if (memchr(req, '\n', n))
			break;
	}
	req[n] = '\0';
	char *nl = strchr(req, '\n');
	if (!nl) {
		cmd_error(c, "a request is one line: sessions or flush, then tcp, udp, icmp or all");
		return;
	}
	*nl = '\0';
	int words = sscanf(req, "%15s %15s", op, what);
	if (words < 1) {
		cmd_error(c, "empty request");
		return;
	}
	if (strcmp(what, "tcp") == 0)
		proto = NAT64_TCP;
	else if (strcmp(what, "udp") == 0)
		proto = NAT64_UDP;
	else if (strcmp(what, "icmp") == 0)
		proto = NAT64_ICMP;
	else if (strcmp(what, "all") != 0) {
		cmd_error(c, "unknown protocol (tcp, udp, icmp or all)");
		return;
	}
	if (strcmp(op, "flush") == 0)
		cmd_flush(d, c, proto);
	else if (strcmp(op, "sessions") == 0)
		cmd_sessions(d, c, proto);
	else
		cmd_error(c, "unknown request (sessions or flush)");
}

static void on_cmd(void *arg, int fd, uint32_t events)
{
	struct plat_daemon *d = arg;
	int c;
	while ((c = sys_ctl_accept(fd)) >= 0) {
		cmd_serve(d, c);
		close(c);
	}
}

/* ---- reload and signals ----------------------------------------------------------------------- */

/* lib/nat64's events go to the text log and to the IPFIX exporter, each as its settings ask. */
static void on_nat64_event(void *arg, const struct nat64_event *ev)
{
	struct plat_daemon *d = arg;
	pthread_mutex_lock(&d->evlock); /* every worker's instance reports here */
	if (d->set->log_target[0] && (d->set->log_events & nat64_event_class(ev->kind)))
		plat_evlog_nat64(&d->log, ev);
	plat_ipfix_event(&d->ipfix, ev);
	pthread_mutex_unlock(&d->evlock);
}

/* Stateless mode's leases: to the text log, and to the exporter as address bindings. */
static void on_lease_event(void *arg, bool add, const uint8_t v6[16], const uint8_t v4[4], uint64_t time_ms)
{
	struct plat_daemon *d = arg;
	if (d->set->log_target[0])
		plat_evlog_lease(&d->log, add, v6, v4, time_ms);
	plat_ipfix_lease(&d->ipfix, add, v6, v4, time_ms);
}

static void ipfix_setup(struct plat_daemon *d, const struct plat_settings *s)
{
	char a[INET6_ADDRSTRLEN];
	bool was = plat_ipfix_on(&d->ipfix);
	inet_ntop(s->ipfix_v6 ? AF_INET6 : AF_INET, s->ipfix_addr, a, sizeof(a));
	if (plat_ipfix_setup(&d->ipfix, s, sys_mono_ms()) < 0)
		log_warn("ipfix-collector %s %u: %s; NAT64 events are not exported", a, s->ipfix_port, strerror(errno));
	else if (plat_ipfix_on(&d->ipfix))
		log_info("ipfix: exporting NAT64 events to %s port %u (observation domain %u)", a, s->ipfix_port,
			 s->ipfix_domain);
	else if (was)
		log_info("ipfix: export stopped");
}

/* The event log and the IPFIX export, (re)opened as the settings say. */
static void evlog_setup(struct plat_daemon *d, const struct plat_settings *s)
{
	pthread_mutex_lock(&d->evlock);
	plat_evlog_close(&d->log);
	d->log.subscriber_len = s->nat.subscriber_len;
	if (plat_evlog_open(&d->log, s->log_target) < 0)
		log_warn("log %s: %s; binding events are not logged", s->log_target, strerror(errno));
	ipfix_setup(d, s);
	pthread_mutex_unlock(&d->evlock);
	if (d->mode == PLAT_STATEFUL) {
		unsigned what = (s->log_target[0] ? s->log_events : 0) | (plat_ipfix_on(&d->ipfix) ? s->ipfix_events : 0);
		for (unsigned i = 0; i < d->nw; i++) {
			tun_workers_lock(&d->pool, i);
			plat_sf_set_log(d->w[i].nat, what ? on_nat64_event : NULL, d, what);
			tun_workers_unlock(&d->pool, i);
		}
	} else {
		bool any = s->log_target[0] || (plat_ipfix_on(&d->ipfix) && (s->ipfix_events & NAT64_LOG_BIB));
		nat64_dynpool_set_log(d->dp, any ? on_lease_event : NULL, d);
	}
}

/* ---- the kernel fast path (bpf-offload: lib/sys/nat64_offload.c) ------------------------------- */

static bool bpf_add(void *arg, const struct nat64_flow *f)
{
	static struct log_ratelimit rl;
	struct plat_daemon *d = arg;
	if (sys_offload_add(d->bpf, f) == 0)
		return true;
	if (log_ratelimit_ok(&rl))
		log_warn("bpf-offload: a session stays on the TUN: %s", strerror(errno));
	return false;
}

static void bpf_del(void *arg, const struct nat64_flow *f)
{
	struct plat_daemon *d = arg;
	sys_offload_del(d->bpf, f);
}

static uint64_t bpf_last_ms(void *arg, const struct nat64_flow *f)
{
	struct plat_daemon *d = arg;
	return sys_offload_last_ms(d->bpf, f);
}

static const struct nat64_offload_ops bpf_ops = { bpf_add, bpf_del, bpf_last_ms };

/* Attaches the fast path where the settings ask; without it (refused, no BPF) the PLAT runs on the
 * TUN alone and says why. */
static void bpf_setup(struct plat_daemon *d, const struct plat_settings *s)
{
	const char *names[PLAT_BPF_IFS_MAX];
	if (d->mode != PLAT_STATEFUL || s->nbpf_ifs == 0)
		return;
	for (unsigned i = 0; i < s->nbpf_ifs; i++) {
		names[i] = s->bpf_ifs[i];
		if (sys_offload_rp_filter_strict(names[i]) == 1)
			log_warn("bpf-offload: %s has strict reverse-path filtering (rp_filter 1), which drops the IPv4 "
				 "packets the fast path makes there (their pool source is routed to %s): set "
				 "net.ipv4.conf.%s.rp_filter and .all.rp_filter to 0 or 2",
				 names[i], s->tun, names[i]);
	}
	d->bpf = sys_offload_open(names, s->nbpf_ifs, s->nat.pool6.addr, s->bpf_redirect, d->bpf_error,
				  sizeof(d->bpf_error));
	if (!d->bpf) {
		log_warn("bpf-offload: %s; every packet goes through %s", d->bpf_error, s->tun);
		return;
	}
	if (sys_offload_set_tos(d->bpf, s->xcfg.zero_tclass, s->xcfg.set_tos, s->xcfg.tos) < 0)
		log_warn("bpf-offload: the TOS settings are not in the kernel map: %s", strerror(errno));
	if (sys_offload_set_sub_limits(d->bpf, s->nat.subscriber_len, s->subscriber_rate, s->subscriber_burst) < 0)
		log_warn("bpf-offload: the subscriber limits are not in the kernel map: %s", strerror(errno));
	for (unsigned i = 0; i < d->nw; i++)
		plat_sf_set_offload(d->w[i].nat, &bpf_ops, d); /* before the worker threads start */
	char ifs[PLAT_BPF_IFS_MAX * (PLAT_TUN_NAME_MAX + 2)];
	sys_offload_ifnames(d->bpf, ifs, sizeof(ifs));
	log_info("bpf-offload: established TCP and UDP sessions are translated in the kernel at ingress of %s, and %s",
		 ifs, s->bpf_redirect ? "sent out by the program (bpf-redirect yes)" : "forwarded by the stack");
}

static void bpf_teardown(struct plat_daemon *d)
{
	if (!d->bpf)
		return;
	for (unsigned i = 0; i < d->nw; i++) /* after the worker threads stopped */
		if (d->w[i].nat)
			plat_sf_set_offload(d->w[i].nat, NULL, NULL); /* every session back on the library's path */
	sys_offload_close(d->bpf);
	d->bpf = NULL;
}

/* Instance i of n of the settings' NAT64: its share of the ports, and of the tables' capacity. */
static void instance_config(const struct plat_settings *s, unsigned i, unsigned n, struct nat64_config *c)
{
	*c = s->nat;
	c->instance = i;
	c->ninstances = n;
	c->max_sessions = (s->nat.max_sessions + n - 1) / n;
	c->max_stored_syns = (s->nat.max_stored_syns + n - 1) / n;
}

/* A worker's translator settings: the daemon's, with its own policy (its instance). */
static void worker_configure(struct plat_worker *w, const struct plat_settings *s)
{
	w->cfg = s->xcfg;
	w->cfg.policy = w->nat ? plat_sf_policy(w->nat) : nat64_dynpool_policy(w->d->dp);
	w->ctx.cfg = &w->cfg;
	w->reasm.timeout_ms = s->xcfg.reasm_timeout_ms;
}

static void reload(struct plat_daemon *d)
{
	char err[PLAT_ERR_MAX + 64];
	const char *why = NULL;
	struct plat_settings *s = malloc(sizeof(*s));

	if (!s) {
		log_warn("reload: out of memory; keeping the current settings");
		return;
	}
	if (load_settings(s, d->opt.d.config, d->opt.flags, d->opt.nflags, err, sizeof(err)) < 0) {
		log_warn("reload: %s; keeping the current settings", err);
		free(s);
		return;
	}
	/* tun, control, mode, offload, bpf-offload, bpf-redirect, reassembly-max, workers: the table's */
	char kept[256];
	if (settings_keep_restart(&plat_settings_table, s, d->set, kept, sizeof(kept)))
		log_warn("reload: %s change only with a restart; keeping the running values", kept);
	if (d->bpf && s->nat.pool6.len != 96) {
		log_warn("reload: the kernel fast path is running, and it needs a /96 pool6; keeping the current settings");
		free(s);
		return;
	}
	int r = 0;
	if (d->mode == PLAT_STATEFUL) {
		/* each instance checks the new settings against its own state first: all or none */
		for (unsigned i = 0; i < d->nw && r == 0; i++) {
			struct nat64_config c;
			instance_config(s, i, d->nw, &c);
			tun_workers_lock(&d->pool, i);
			r = plat_sf_reconfigure(d->w[i].nat, &c, &why);
			tun_workers_unlock(&d->pool, i);
			if (r < 0 && i > 0)
				log_warn("reload: instance %u refused the settings the ones before it took", i);
		}
	} else {
		struct nat64_dynpool_config dc;
		plat_settings_dynpool(s, &dc);
		r = nat64_dynpool_reconfigure(d->dp, &dc, &why);
	}
	if (r < 0) {
		log_warn("reload: %s; keeping the current settings", why ? why : "refused");
		free(s);
		return;
	}
	if (d->bpf && sys_offload_set_pool6(d->bpf, s->nat.pool6.addr) < 0)
		log_warn("reload: bpf-offload: the new pool6 is not in the kernel map: %s", strerror(errno));
	if (d->bpf && sys_offload_set_tos(d->bpf, s->xcfg.zero_tclass, s->xcfg.set_tos, s->xcfg.tos) < 0)
		log_warn("reload: bpf-offload: the new TOS settings are not in the kernel map: %s", strerror(errno));
	if (d->bpf && sys_offload_set_sub_limits(d->bpf, s->nat.subscriber_len, s->subscriber_rate, s->subscriber_burst) < 0)
		log_warn("reload: bpf-offload: the new subscriber limits are not in the kernel map: %s", strerror(errno));
	for (unsigned i = 0; i < d->nw; i++) { /* none reads the old settings once this is done */
		tun_workers_lock(&d->pool, i);
		worker_configure(&d->w[i], s);
		tun_workers_unlock(&d->pool, i);
	}
	free(d->set);
	d->set = s;
	d->reloads++;
	evlog_setup(d, s); /* reopens the log file too (logrotate) */
	struct plat_routes want;
	routes_wanted(s, &want);
	routes_apply(d, &want);
	log_info("reloaded settings (%u pool4 entries, %u static)", s->nat.npool4, s->nat.nstatic);
}

static void reload_cb(void *ctx)
{
	reload(ctx);
}

/* ---- start and stop ------------------------------------------------------------------------ */

static int parse_opts(int argc, char **argv, struct plat_opts *o)
{
	o->flags = calloc((size_t)argc * 2 + 2, sizeof(*o->flags));
	if (!o->flags)
		fatal("out of memory");
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		int r = daemon_arg_take(&plat_settings_table, argc, argv, &i, o->flags, &o->nflags, &o->d, plat_help);
		if (r < 0)
			return -1;
		if (r == 0) {
			log_warn("%s: unknown option (see xlat464 plat --help)", a);
			return -1;
		}
	}
	return 0;
}

static void cleanup(struct plat_daemon *d)
{
	if (d->nl_open) {
		struct plat_routes none;
		memset(&none, 0, sizeof(none));
		routes_apply(d, &none);
		sys_nl_close(&d->nl);
		d->nl_open = false;
	}
	daemon_frame_close(&d->frame);
	if (d->cmdfd >= 0) {
		close(d->cmdfd);
		unlink(d->cmdpath);
	}
	if (d->timerfd >= 0)
		close(d->timerfd);
	tun_workers_stop(&d->pool);
	if (d->gonefd >= 0)
		close(d->gonefd);
	sys_loop_close(&d->loop);
	plat_evlog_close(&d->log);
	plat_ipfix_close(&d->ipfix);
	bpf_teardown(d);
	sys_tun_steer_close(d->steer);
	for (unsigned i = 0; i < d->nw; i++) {
		struct plat_worker *w = &d->w[i];
		if (w->fd >= 0)
			close(w->fd);
		if (w->nat)
			plat_sf_destroy(w->nat);
		free(w->out);
		free(w->reasm_slots);
		free(w->rx);
	}
	nat64_dynpool_destroy(d->dp);
	free(d->settings);
	free(d->sums);
	free(d->set);
	free(d->opt.flags);
}

static uint64_t seed64(void)
{
	uint64_t s = 0;
	if (getrandom(&s, sizeof(s), 0) != (ssize_t)sizeof(s))
		s = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	return s;
}

static unsigned tun_mtu(const struct plat_settings *s)
{
	return s->xcfg.mtu4 > s->xcfg.mtu6 ? s->xcfg.mtu4 : s->xcfg.mtu6;
}

int plat_main(int argc, char **argv)
{
	static struct plat_daemon dd;
	struct plat_daemon *d = &dd;
	char err[PLAT_ERR_MAX + 64];
	const char *why = NULL;
	bool created;

	log_set_ident("xlat464 plat");
	daemon_frame_init(&d->frame);
	d->cmdfd = d->timerfd = d->gonefd = -1;
	pthread_mutex_init(&d->evlock, NULL);
	plat_ipfix_init(&d->ipfix);
	d->loop.epfd = -1;
	if (parse_opts(argc, argv, &d->opt) < 0) {
		free(d->opt.flags);
		return 2;
	}
	if (d->opt.d.debug)
		log_set_level(LOG_LEVEL_DEBUG);
	if (d->opt.d.list_settings) {
		plat_list_settings();
		free(d->opt.flags);
		return 0;
	}
	d->set = malloc(sizeof(*d->set));
	if (!d->set)
		fatal("out of memory");
	if (load_settings(d->set, d->opt.d.config, d->opt.flags, d->opt.nflags, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		cleanup(d);
		return 1;
	}
	struct plat_settings *s = d->set;
	d->mode = s->mode;
	d->nw = s->workers ? s->workers : 1;
	for (unsigned i = 0; i < d->nw; i++) {
		d->w[i].d = d;
		d->w[i].index = i;
		d->w[i].fd = -1;
	}
	/* build the state first: --check reports what lib/nat64 refuses too */
	if (d->mode == PLAT_STATEFUL) {
		uint64_t seed = seed64();
		for (unsigned i = 0; i < d->nw; i++) {
			struct nat64_config c;
			instance_config(s, i, d->nw, &c);
			d->w[i].nat = plat_sf_create(&c, seed, &why); /* one seed: the instances agree */
			if (!d->w[i].nat) {
				log_warn("%s", why ? why : "cannot create the NAT64 tables");
				cleanup(d);
				return 1;
			}
		}
	} else {
		struct nat64_dynpool_config dc;
		plat_settings_dynpool(s, &dc);
		d->dp = nat64_dynpool_create(&dc, seed64(), &why);
		if (!d->dp) {
			log_warn("%s", why ? why : "cannot create the address pool");
			cleanup(d);
			return 1;
		}
	}
	if (d->opt.d.print_config || d->opt.d.check) {
		static char text[PLAT_SETTINGS_TEXT_MAX * 2];
		plat_settings_format(s, text, sizeof(text));
		fputs(text, stdout);
		if (d->opt.d.check)
			log_info("configuration OK");
		cleanup(d);
		return 0;
	}

	if (s->control[0])
		snprintf(d->ctlpath, sizeof(d->ctlpath), "%s", s->control);
	else
		snprintf(d->ctlpath, sizeof(d->ctlpath), "%s/plat-%s.sock", SYS_CTL_DIR, s->tun);
	size_t cl = strlen(d->ctlpath);
	if (cl > 5 && strcmp(d->ctlpath + cl - 5, ".sock") == 0)
		snprintf(d->cmdpath, sizeof(d->cmdpath), "%.*s.cmd", (int)(cl - 5), d->ctlpath);
	else
		snprintf(d->cmdpath, sizeof(d->cmdpath), "%.100s.cmd", d->ctlpath);
	if (d->opt.d.daemon && sys_daemonize() < 0)
		fatal("daemon: %s", strerror(errno));

	d->settings = malloc(PLAT_SETTINGS_TEXT_MAX);
	d->sums = malloc(sizeof(*d->sums));
	if (!d->settings || !d->sums)
		fatal("out of memory");
	uint64_t now = sys_mono_ms();
	for (unsigned i = 0; i < d->nw; i++) {
		struct plat_worker *w = &d->w[i];
		w->rx = malloc(XLAT_VNET_HDR_LEN + PLAT_PKT_MAX);
		w->out = malloc(sizeof(*w->out));
		w->reasm_slots = s->xcfg.reasm_max ? calloc(s->xcfg.reasm_max, xlat_reasm_slot_size()) : NULL;
		if (!w->rx || !w->out || (s->xcfg.reasm_max && !w->reasm_slots))
			fatal("out of memory");
		xlat_reasm_init(&w->reasm, w->reasm_slots, s->xcfg.reasm_max, s->xcfg.reasm_timeout_ms);
		xlat_ctx_init(&w->ctx, &w->cfg);
		worker_configure(w, s);
		set_now(w, now); /* the static bindings are announced at once, with this time */
		w->refill_ms = now;
		w->tokens_milli = (uint64_t)s->reply_burst * 1000 / d->nw;
		w->last_tick_ms = now;
	}
	evlog_setup(d, s);

	d->offload = s->offload;
	int fds[TUN_WORKERS_MAX];
	int r0 = d->nw == 1 ? ((fds[0] = sys_tun_open_vnet(s->tun, &created, &d->offload)) < 0 ? -1 : 0)
			    : sys_tun_open_vnet_mq(s->tun, &created, &d->offload, fds, d->nw);
	if (s->offload && !d->offload && r0 == 0)
		log_warn("TUN %s: the kernel refused checksum and segmentation offload; running without", s->tun);
	if (r0 < 0) {
		log_warn("TUN %s%s: %s", s->tun, d->nw > 1 ? " (multi-queue)" : "", strerror(errno));
		cleanup(d);
		return 1;
	}
	for (unsigned i = 0; i < d->nw; i++)
		d->w[i].fd = fds[i];
	if (d->nw > 1) { /* each packet to the queue of the instance that owns its state */
		char serr[256];
		unsigned unit = s->nat.port_block_size ? s->nat.port_block_size : 64;
		d->steer = sys_tun_steer_load(d->nw, unit, s->nat.subscriber_len, serr, sizeof(serr));
		if (!d->steer || sys_tun_steer_attach(d->steer, fds[0]) < 0) {
			log_warn("workers %u: steering the TUN's queues: %s", d->nw, d->steer ? strerror(errno) : serr);
			cleanup(d);
			return 1;
		}
	}
	d->gonefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (d->gonefd < 0)
		fatal("eventfd: %s", strerror(errno));
	if (sys_link_set_mtu_up(s->tun, tun_mtu(s)) < 0) {
		log_warn("TUN %s: MTU %u and up: %s", s->tun, tun_mtu(s), strerror(errno));
		cleanup(d);
		return 1;
	}
	if (s->routes) {
		struct sys_link link;
		struct plat_routes want;
		if (sys_nl_open(&d->nl) < 0) {
			log_warn("netlink: %s", strerror(errno));
			cleanup(d);
			return 1;
		}
		d->nl_open = true;
		if (sys_nl_link_get_by_name(&d->nl, s->tun, &link) < 0) {
			log_warn("TUN %s: %s", s->tun, strerror(errno));
			cleanup(d);
			return 1;
		}
		d->ifindex = link.ifindex;
		routes_wanted(s, &want);
		if (routes_apply(d, &want) < 0) {
			cleanup(d);
			return 1;
		}
	}
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	if (d->timerfd < 0 || timerfd_settime(d->timerfd, 0, &its, NULL) < 0 || sys_loop_init(&d->loop) < 0) {
		log_warn("timerfd/epoll: %s", strerror(errno));
		cleanup(d);
		return 1;
	}
	d->frame.loop = &d->loop;
	d->frame.ctx = d;
	d->frame.status = write_status;
	d->frame.reload = reload_cb;
	d->frame.config = d->opt.d.config;
	if (daemon_frame_open(&d->frame, d->ctlpath, d->opt.d.pidfile) < 0) {
		cleanup(d);
		return 1;
	}
	d->cmdfd = sys_ctl_listen(d->cmdpath);
	if (d->cmdfd < 0) {
		log_warn("command socket %s: %s", d->cmdpath, strerror(errno));
		cleanup(d);
		return 1;
	}
	if ((d->nw == 1 && sys_loop_add(&d->loop, d->w[0].fd, on_tun, &d->w[0]) < 0) ||
	    sys_loop_add(&d->loop, d->gonefd, on_gone, d) < 0 || sys_loop_add(&d->loop, d->timerfd, on_timer, d) < 0 ||
	    sys_loop_add(&d->loop, d->cmdfd, on_cmd, d) < 0) {
		log_warn("epoll: %s", strerror(errno));
		cleanup(d);
		return 1;
	}
	bpf_setup(d, s); /* loading a BPF program needs more than the capabilities kept next */
	daemon_frame_privileges(&d->frame, SYS_PRIV_NET_ADMIN | SYS_PRIV_NET_RAW, false);
	if (d->nw > 1) { /* after the drop: a thread keeps its creator's capabilities */
		void *states[TUN_WORKERS_MAX];
		for (unsigned i = 0; i < d->nw; i++)
			states[i] = &d->w[i];
		if (tun_workers_start(&d->pool, fds, states, d->nw, worker_burst) < 0) {
			log_warn("worker threads: %s", strerror(errno));
			cleanup(d);
			return 1;
		}
	}
	char pin_err[160];
	if (tun_workers_pin(&d->pool, &s->worker_cpus, pin_err, sizeof(pin_err)) < 0) {
		log_warn("%s", pin_err);
		cleanup(d);
		return 1;
	}
	d->started = time(NULL);
	log_info("%s NAT64 on %s%s (MTU %u, %u pool4 entries, %u static, %u worker%s), control %s",
		 d->mode == PLAT_STATEFUL ? "stateful" : "stateless", s->tun, created ? " (created)" : "", tun_mtu(s),
		 s->nat.npool4, s->nat.nstatic, d->nw, d->nw == 1 ? "" : "s", d->ctlpath);
	daemon_frame_ready(&d->frame, "%s NAT64 on %s", d->mode == PLAT_STATEFUL ? "stateful" : "stateless", s->tun);

	int r = sys_loop_run(&d->loop);
	if (r < 0)
		log_warn("epoll_wait: %s", strerror(errno));
	cleanup(d);
	return r < 0 ? 1 : d->exit_status;
}
