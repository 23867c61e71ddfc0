/* `xlat464 dhcp4`: the option-108 DHCPv4 responder of an IPv6-mostly or IPv6-only network.
 *
 *   client --DISCOVER/REQUEST (UDP 67, broadcast)--> socket bound to --interface
 *          --> dhcp4_parse (lib/dhcp4: drop with a named reason)
 *          --> dhcp4_server_handle (lib/dhcp4: RFC 8925 section 3.3 / RFC 2131 section 4.3)
 *          --> dhcp4_build_reply --> 255.255.255.255:68 (or ciaddr:68) out of the same interface
 *
 * A client whose Parameter Request List has 108 gets yiaddr 0.0.0.0 and option 108 (V6ONLY_WAIT),
 * whatever the mode. Other clients get nothing (--mode v6only) or an address from --pool
 * (--mode mostly), remembered in --lease-file across restarts. Each client hardware address is
 * logged once (and again if it changes its mind about 108); `xlat464 status` shows how many
 * clients asked for 108. docs/dhcp4.md describes the choices. */
#include "dhcp4_daemon.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../common/config_file.h"
#include "../common/daemon_opts.h"
#include "../common/settings_load.h"
#include "../common/settings_table.h"
#include "dhcp4_settings.h"
#include "../common/json.h"
#include "../common/daemon_frame.h"
#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/notify.h"
#include "sys/priv.h"
#include "sys/seccomp.h"
#include "sys/sig.h"
#include "sys/udp4.h"

#define DHCP4_PKT_MAX 4096
#define DHCP4_SEEN_MAX 4096
#define DHCP4_CTL_PATH_MAX 108
#define DHCP4_LEASE_DIR "/var/lib/xlat464"

struct dhcp4_opts {
	struct daemon_opts d; /* --config, --foreground/--daemon, --check, --print-config, --debug */
	char **words; /* the settings flags and their values, applied again over the file on a reload */
	int nwords;
};

struct seen_client {
	uint8_t hlen;
	uint8_t chaddr[DHCP4_CHADDR_LEN];
	bool asked108;
	int relay; /* index in dhcp4d.relays, -1: directly attached */
};

/* Adoption of option 108 behind one relay agent address (giaddr): a relay's address on a client
 * subnet (RFC 2131 section 4.1), so one entry is one relay and one subnet. */
#define DHCP4_RELAYS_MAX 64
struct relay_stat {
	uint8_t giaddr[4];
	uint64_t clients, clients_108, requests;
};

#define DHCP4_SETTINGS_TEXT_MAX 2048

/* What `xlat464 status` shows (written as JSON by on_ctl). */
struct dhcp4_counters {
	uint64_t clients;     /* distinct client hardware addresses seen */
	uint64_t clients_108; /* of which asked for option 108 */
	uint64_t clients_untracked; /* seen after the table filled up (not deduplicated) */
	uint64_t rx[DHCP4_TYPE_MAX + 1]; /* valid messages by type */
	uint64_t offers_v6only, acks_v6only, offers, acks, naks, informs, releases, declines;
	uint64_t recv_errors, send_errors, lease_write_errors;
	uint64_t drops[DHCP4_DROP__COUNT];
};

struct dhcp4d {
	struct dhcp4_opts opt;
	struct dhcp4_settings set; /* in use */
	uint64_t reloads, reload_errors;
	struct dhcp4_server srv;
	int ifindex;
	int fd;
	struct sys_loop loop;
	struct daemon_frame frame; /* signals, control socket, pidfile */
	char ctlpath[DHCP4_CTL_PATH_MAX];
	char lease_path[4096];
	char clients_path[4096]; /* "" with --clients-file none */
	time_t started;
	struct seen_client *seen;
	unsigned nseen;
	bool seen_full_logged;
	struct relay_stat relays[DHCP4_RELAYS_MAX];
	unsigned nrelays;
	uint64_t relays_untracked; /* requests from relays past DHCP4_RELAYS_MAX */
	struct dhcp4_counters st;
};

static const char dhcp4_usage[] =
	"usage: xlat464 dhcp4 --interface IF [--mode v6only|mostly] [--v6only-wait SECONDS|none]\n"
	"                     [--server-id ADDR] [--pool FIRST-LAST --router ADDR --dns ADDR\n"
	"                      --prefix-len N --lease-time SECONDS --lease-file PATH]\n"
	"                     [--control PATH] [--pidfile FILE] [--config FILE] [--foreground | --daemon]\n"
	"                     [--debug] [--check | --print-config | --list-settings | --list-drop-reasons]\n"
	"Answers DHCPv4 with option 108 (RFC 8925): clients asking for it get V6ONLY_WAIT and no address;\n"
	"in mostly mode the others get an address from the pool.\n"
	"  --config FILE        `key value` lines with the settings below; flags override it; SIGHUP re-reads it\n"
	"  --check              validate the settings, print them and exit\n"
	"  --print-config       print the effective settings (config file syntax) and exit\n"
	"  --list-settings      print the settings table (Markdown: docs/dhcp4-settings.md) and exit\n"
	"settings (flags, or `key value` lines in FILE):\n";

/* ---- flags -------------------------------------------------------------------------------------- */

static void help(void)
{
	fputs(dhcp4_usage, stdout);
	settings_help(&dhcp4_settings_table, stdout);
}

static int parse_opts(int argc, char **argv, struct dhcp4_opts *o)
{
	o->words = calloc((size_t)argc * 2 + 2, sizeof(*o->words));
	if (!o->words)
		fatal("out of memory");
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		if (strcmp(a, "--iface") == 0) /* an older spelling */
			argv[i] = (char *)"--interface";
		int r = daemon_arg_take(&dhcp4_settings_table, argc, argv, &i, o->words, &o->nwords, &o->d, help);
		if (r < 0)
			return -1;
		if (r > 0)
			continue;
		if (strcmp(a, "--list-drop-reasons") == 0) {
			printf("| reason | meaning |\n|---|---|\n");
			for (int k = 1; k < DHCP4_DROP__COUNT; k++)
				printf("| `%s` | %s |\n", dhcp4_drop_name((enum dhcp4_drop)k), dhcp4_drop_desc((enum dhcp4_drop)k));
			exit(0);
		} else {
			log_warn("%s: unknown option (see xlat464 dhcp4 --help)", a);
			return -1;
		}
	}
	return 0;
}

/* The file, then the flags, checked as a whole. 0 or -1 with the message in err. */
static int load(const struct dhcp4_opts *o, struct dhcp4_settings *s, char *err, size_t errlen)
{
	dhcp4_settings_init(s);
	if (settings_load(&dhcp4_settings_table, s, o->d.config, o->words, o->nwords, err, errlen) < 0)
		return -1;
	return dhcp4_settings_finish(s, err, errlen);
}

static size_t format_settings(const struct dhcp4d *d, char *buf, size_t cap)
{
	const struct dhcp4_server_cfg *c = &d->srv.cfg;
	char a[16], b[16];
	size_t n = 0;
#define APPEND(...)                                                               \
	do {                                                                      \
		int k_ = snprintf(buf + n, cap - n, __VA_ARGS__);                  \
		if (k_ > 0)                                                       \
			n = (size_t)k_ >= cap - n ? cap - 1 : n + (size_t)k_;        \
	} while (0)

	buf[0] = '\0';
	if (c->server_id[0] | c->server_id[1] | c->server_id[2] | c->server_id[3])
		dhcp4_addr_format(c->server_id, a, sizeof(a));
	else
		snprintf(a, sizeof(a), "(interface)");
	APPEND("interface %s\nmode %s\nserver-id %s\n", d->set.ifname,
	       c->mode == DHCP4_MODE_MOSTLY ? "mostly" : "v6only", a);
	if (c->v6only_wait)
		APPEND("v6only-wait %u\n", c->v6only_wait);
	else
		APPEND("v6only-wait none (option 108 carries 0; clients wait MIN_V6ONLY_WAIT, 300 s)\n");
	if (c->mode == DHCP4_MODE_MOSTLY) {
		uint8_t f[4] = { (uint8_t)(c->pool_first >> 24), (uint8_t)(c->pool_first >> 16),
				 (uint8_t)(c->pool_first >> 8), (uint8_t)c->pool_first };
		uint8_t l[4] = { (uint8_t)(c->pool_last >> 24), (uint8_t)(c->pool_last >> 16),
				 (uint8_t)(c->pool_last >> 8), (uint8_t)c->pool_last };
		dhcp4_addr_format(f, a, sizeof(a));
		dhcp4_addr_format(l, b, sizeof(b));
		APPEND("pool %s-%s (%u addresses)\nprefix-len %u\nlease-time %u\n", a, b,
		       c->pool_last - c->pool_first + 1, c->plen, c->lease_time);
		for (unsigned i = 0; i < c->nrouters; i++) {
			dhcp4_addr_format(c->routers[i], a, sizeof(a));
			APPEND("router %s\n", a);
		}
		for (unsigned i = 0; i < c->ndns; i++) {
			dhcp4_addr_format(c->dns[i], a, sizeof(a));
			APPEND("dns %s\n", a);
		}
		APPEND("lease-file %s\n", d->lease_path);
	}
	APPEND("clients-file %s\n", d->clients_path[0] ? d->clients_path : "none");
#undef APPEND
	return n;
}

/* ---- per-client log and counts ---------------------------------------------------------------- */

static const char *fmt_hw(const struct dhcp4_msg *m, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (unsigned i = 0; i < m->hlen && n + 3 < cap; i++)
		n += (size_t)snprintf(buf + n, cap - n, i ? ":%02x" : "%02x", m->chaddr[i]);
	return buf;
}

/* The clients file (lib/dhcp4/dhcp4_clients.h), rewritten whole when a client is new or changes its
 * mind about 108: PATH.tmp, then rename, so `xlat464 dns64` (following it with inotify) never reads
 * half of one. It lives on /run: no fsync. */
static void save_clients(struct dhcp4d *d)
{
	char tmp[4096 + 8], line[DHCP4_CLIENTS_LINE_MAX];

	if (!d->clients_path[0])
		return;
	snprintf(tmp, sizeof(tmp), "%s.tmp", d->clients_path);
	FILE *f = fopen(tmp, "w");
	if (f) {
		fputs(DHCP4_CLIENTS_HEADER, f);
		for (unsigned i = 0; i < d->nseen; i++) {
			size_t n = d->seen[i].hlen == 6 ? dhcp4_clients_format(d->seen[i].chaddr, d->seen[i].asked108, line,
									     sizeof(line)) : 0;
			if (n)
				fwrite(line, 1, n, f);
		}
	}
	if (!f || fclose(f) != 0 || rename(tmp, d->clients_path) < 0) {
		static struct log_ratelimit rl;
		d->st.lease_write_errors++;
		if (log_ratelimit_ok(&rl))
			log_warn("clients file %s: %s", d->clients_path, strerror(errno));
		unlink(tmp);
	}
}

/* The relay entry for giaddr (created on first sight), or -1: directly attached, or the table is
 * full (counted). */
static int relay_of(struct dhcp4d *d, const uint8_t giaddr[4])
{
	static const uint8_t zero4[4];
	char a[16];

	if (memcmp(giaddr, zero4, 4) == 0)
		return -1;
	for (unsigned i = 0; i < d->nrelays; i++)
		if (memcmp(d->relays[i].giaddr, giaddr, 4) == 0)
			return (int)i;
	if (d->nrelays >= DHCP4_RELAYS_MAX) {
		d->relays_untracked++;
		return -1;
	}
	memcpy(d->relays[d->nrelays].giaddr, giaddr, 4);
	dhcp4_addr_format(giaddr, a, sizeof(a));
	log_info("first request relayed by %s", a);
	return (int)d->nrelays++;
}

/* Moves a client's weight in the per-relay counts from one entry to another (-1: none). */
static void relay_count(struct dhcp4d *d, int relay, int sign, bool asked)
{
	if (relay < 0)
		return;
	d->relays[relay].clients += (uint64_t)(int64_t)sign;
	if (asked)
		d->relays[relay].clients_108 += (uint64_t)(int64_t)sign;
}

static void note_client(struct dhcp4d *d, const struct dhcp4_msg *m, bool asked)
{
	char hw[3 * DHCP4_CHADDR_LEN + 1];
	struct seen_client *c = NULL;
	int relay = relay_of(d, m->giaddr);

	if (relay >= 0)
		d->relays[relay].requests++;
	for (unsigned i = 0; i < d->nseen; i++)
		if (d->seen[i].hlen == m->hlen && memcmp(d->seen[i].chaddr, m->chaddr, m->hlen) == 0) {
			c = &d->seen[i];
			break;
		}
	if (c) {
		if (c->asked108 == asked && c->relay == relay)
			return;
		relay_count(d, c->relay, -1, c->asked108);
		relay_count(d, relay, +1, asked);
		c->relay = relay;
		if (c->asked108 == asked)
			return;
		c->asked108 = asked;
		if (asked)
			d->st.clients_108++;
		else
			d->st.clients_108--;
		log_info("client %s now %s option 108 (%s)", fmt_hw(m, hw, sizeof(hw)), asked ? "asks for" : "no longer asks for",
			 dhcp4_type_name(m->type));
		save_clients(d);
		return;
	}
	if (d->nseen >= DHCP4_SEEN_MAX) {
		d->st.clients_untracked++;
		if (!d->seen_full_logged)
			log_warn("more than %d clients: later ones are counted but no longer logged", DHCP4_SEEN_MAX);
		d->seen_full_logged = true;
		return;
	}
	c = &d->seen[d->nseen++];
	c->hlen = m->hlen;
	memcpy(c->chaddr, m->chaddr, sizeof(c->chaddr));
	c->asked108 = asked;
	c->relay = relay;
	relay_count(d, relay, +1, asked);
	d->st.clients++;
	d->st.clients_108 += asked;
	log_info("client %s asked for option 108: %s (%s)", fmt_hw(m, hw, sizeof(hw)), asked ? "yes" : "no",
		 dhcp4_type_name(m->type));
	save_clients(d);
}

/* ---- packets ---------------------------------------------------------------------------------- */

static void save_leases(struct dhcp4d *d)
{
	if (!d->srv.dirty || !d->srv.lease)
		return;
	if (dhcp4_leasefile_save(d->lease_path, &d->srv) < 0) {
		static struct log_ratelimit rl;
		d->st.lease_write_errors++;
		if (log_ratelimit_ok(&rl))
			log_warn("lease file %s: %s", d->lease_path, strerror(errno));
		return;
	}
	d->srv.dirty = false;
}

static void count_reply(struct dhcp4d *d, const struct dhcp4_msg *m, const struct dhcp4_reply *r)
{
	if (r->type == DHCP4_NAK)
		d->st.naks++;
	else if (r->type == DHCP4_OFFER && r->v6only)
		d->st.offers_v6only++;
	else if (r->type == DHCP4_OFFER)
		d->st.offers++;
	else if (r->v6only)
		d->st.acks_v6only++;
	else if (m->type == DHCP4_INFORM)
		d->st.informs++;
	else
		d->st.acks++;
}

static const char *const dest_name[] = { "to the relay", "broadcast", "unicast" };

static void handle(struct dhcp4d *d, const uint8_t *buf, size_t len)
{
	static struct log_ratelimit rl_drop, rl_send;
	struct dhcp4_msg m;
	struct dhcp4_reply r;
	enum dhcp4_verdict v;
	uint8_t out[DHCP4_MAX_RELAYED_REPLY_LEN], dst[4];
	uint16_t port;
	char hw[3 * DHCP4_CHADDR_LEN + 1], a[16];

	enum dhcp4_drop why = dhcp4_parse(buf, len, &m);
	if (why != DHCP4_DROP_NONE) {
		d->st.drops[why]++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl_drop))
			log_debug("dropped a %zu-byte message: %s", len, dhcp4_drop_name(why));
		return;
	}
	d->st.rx[m.type]++;
	fmt_hw(&m, hw, sizeof(hw));
	bool asked = dhcp4_msg_requests(&m, DHCP4_OPT_IPV6_ONLY_PREFERRED);
	note_client(d, &m, asked);

	why = dhcp4_server_handle(&d->srv, &m, (uint64_t)time(NULL), &v, &r);
	if (why != DHCP4_DROP_NONE) {
		d->st.drops[why]++;
		log_debug("%s from %s: no answer (%s)", dhcp4_type_name(m.type), hw, dhcp4_drop_name(why));
		save_leases(d); /* an OFFER given up for another server may have changed nothing durable */
		return;
	}
	if (v == DHCP4_VERDICT_RELEASED || v == DHCP4_VERDICT_DECLINED) {
		if (v == DHCP4_VERDICT_RELEASED)
			d->st.releases++;
		else
			d->st.declines++;
		dhcp4_addr_format(v == DHCP4_VERDICT_RELEASED ? m.ciaddr : m.requested_ip, a, sizeof(a));
		log_info("client %s %s %s", hw, v == DHCP4_VERDICT_RELEASED ? "released" : "declined",
			 a);
		save_leases(d);
		return;
	}
	save_leases(d); /* before the ACK leaves: a bound lease is on disk first */
	size_t n = dhcp4_build_reply(&m, &r, out, sizeof(out));
	enum dhcp4_dest dest = dhcp4_reply_dest(&m, &r, dst, &port);
	/* A reply to a relay is routed (the relay may sit behind a router); the others leave by the
	 * served link, which may have no IPv4 address of its own. */
	if (n == 0 || sys_udp4_send_link(d->fd, dest == DHCP4_DEST_RELAY ? 0 : d->ifindex, dst, port, out, n) < 0) {
		d->st.send_errors++;
		if (log_ratelimit_ok(&rl_send))
			log_warn("sending a %s to %s: %s", dhcp4_type_name(r.type), hw,
				 n == 0 ? "reply too long" : strerror(errno));
		return;
	}
	count_reply(d, &m, &r);
	dhcp4_addr_format(r.yiaddr, a, sizeof(a));
	if (r.v6only)
		log_debug("%s to %s: option 108 = %u, yiaddr 0.0.0.0 (%s)", dhcp4_type_name(r.type), hw, r.v6only_wait,
			  dest_name[dest]);
	else if (r.type == DHCP4_ACK && m.type == DHCP4_REQUEST)
		log_info("client %s bound to %s for %u s", hw, a, r.lease_time);
	else
		log_debug("%s to %s: yiaddr %s (%s)", dhcp4_type_name(r.type), hw, a, dest_name[dest]);
}

static void on_sock(void *arg, int fd, uint32_t events)
{
	struct dhcp4d *d = arg;
	uint8_t buf[DHCP4_PKT_MAX];

	for (int burst = 0; burst < 64; burst++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR) {
				d->st.recv_errors++;
				log_debug("recv: %s", strerror(errno));
			}
			return;
		}
		/* A datagram larger than the buffer is cut: parse what fits (the options field then
		 * lacks End and the message is dropped as such). */
		handle(d, buf, (size_t)n > sizeof(buf) ? sizeof(buf) : (size_t)n);
	}
}

static const char *drop_name(unsigned r) { return dhcp4_drop_name((enum dhcp4_drop)r); }
static const char *drop_desc(unsigned r) { return dhcp4_drop_desc((enum dhcp4_drop)r); }
static const struct json_reasons drop_reasons = { "drops", 1, DHCP4_DROP__COUNT, drop_name, drop_desc };

static void write_status(void *ctx, struct json_w *w)
{
	struct dhcp4d *d = ctx;
	const struct dhcp4_counters *m = &d->st;
	char settings[DHCP4_SETTINGS_TEXT_MAX];
	uint64_t c108 = m->clients_108 < m->clients ? m->clients_108 : m->clients;

	format_settings(d, settings, sizeof(settings));
	json_obj_open(w, NULL);
	json_status_head(w, "dhcp4", d->ctlpath, (uint64_t)(time(NULL) - d->started));
	json_str(w, "interface", d->set.ifname);
	json_lines(w, "settings", settings);
	json_u64(w, "clients", m->clients);
	json_u64(w, "clients_option108", c108);
	json_dbl1(w, "option108_share_percent", m->clients ? 100.0 * (double)c108 / (double)m->clients : 0.0);
	json_u64(w, "clients_untracked", m->clients_untracked);
	/* Option-108 adoption per relay agent address: one relay and one client subnet each. */
	json_arr_open(w, "relays");
	for (unsigned i = 0; i < d->nrelays; i++) {
		const struct relay_stat *r = &d->relays[i];
		char a[16];
		dhcp4_addr_format(r->giaddr, a, sizeof(a));
		json_obj_open(w, NULL);
		json_str(w, "giaddr", a);
		json_u64(w, "clients", r->clients);
		json_u64(w, "clients_108", r->clients_108);
		json_dbl1(w, "option108_share_percent",
			  r->clients ? 100.0 * (double)r->clients_108 / (double)r->clients : 0.0);
		json_u64(w, "requests", r->requests);
		json_obj_close(w);
	}
	json_arr_close(w);
	json_u64(w, "relays_untracked", d->relays_untracked);
	json_obj_open(w, "received");
	for (unsigned t = DHCP4_DISCOVER; t <= DHCP4_TYPE_MAX; t++)
		json_u64(w, dhcp4_type_name(t), m->rx[t]);
	json_obj_close(w);
	json_u64(w, "offers_option108", m->offers_v6only);
	json_u64(w, "acks_option108", m->acks_v6only);
	json_u64(w, "offers", m->offers);
	json_u64(w, "acks", m->acks);
	json_u64(w, "naks", m->naks);
	json_u64(w, "informs", m->informs);
	json_u64(w, "releases", m->releases);
	json_u64(w, "declines", m->declines);
	json_u64(w, "pool_size", d->srv.nlease);
	json_u64(w, "leases_bound", dhcp4_server_bound(&d->srv, (uint64_t)time(NULL)));
	json_u64(w, "receive_errors", m->recv_errors);
	json_u64(w, "send_errors", m->send_errors);
	json_u64(w, "lease_write_errors", m->lease_write_errors);
	json_by_reason(w, &drop_reasons, m->drops);
	json_descriptions(w, &drop_reasons);
	json_obj_close(w);
}

/* SIGHUP: the file again, the flags over it. V6ONLY_WAIT, the server identifier, the lease time and
 * the routers and DNS servers apply to the next answer; interface, mode, pool, prefix-len, lease-file,
 * control and pidfile need a restart (the socket and the lease table are set up with them) and keep
 * their running values. A file that does not parse changes nothing. */
static void reload(struct dhcp4d *d)
{
	static struct dhcp4_settings ns;
	char err[DHCP4_SET_ERR_MAX], kept[256];
	if (load(&d->opt, &ns, err, sizeof(err)) < 0) {
		d->reload_errors++;
		log_warn("reload: %s; keeping the current settings", err);
		return;
	}
	if (settings_keep_restart(&dhcp4_settings_table, &ns, &d->set, kept, sizeof(kept)))
		log_warn("reload: %s change only with a restart; keeping the running values", kept);
	uint8_t sid[4];
	memcpy(sid, d->srv.cfg.server_id, 4);
	d->set = ns;
	dhcp4_settings_server_cfg(&d->set, &d->srv.cfg);
	if (!d->set.has_server_id)
		memcpy(d->srv.cfg.server_id, sid, 4); /* the interface's, found at start */
	d->reloads++;
	char a[16];
	dhcp4_addr_format(d->srv.cfg.server_id, a, sizeof(a));
	log_info("reloaded: server-id %s, option 108 V6ONLY_WAIT %u, lease time %u, %u router%s, %u DNS server%s", a,
		 d->srv.cfg.v6only_wait, d->srv.cfg.lease_time, d->srv.cfg.nrouters, d->srv.cfg.nrouters == 1 ? "" : "s",
		 d->srv.cfg.ndns, d->srv.cfg.ndns == 1 ? "" : "s");
}

static void reload_cb(void *ctx)
{
	reload(ctx);
}

static int run(struct dhcp4d *d)
{
	char a[16];

	d->ifindex = (int)if_nametoindex(d->set.ifname);
	if (d->ifindex == 0) {
		log_warn("--interface %s: %s", d->set.ifname, strerror(errno));
		return -1;
	}
	if (!d->srv.cfg.server_id[0] && !d->srv.cfg.server_id[1] && !d->srv.cfg.server_id[2] &&
	    !d->srv.cfg.server_id[3] && sys_if_addr4(d->set.ifname, d->srv.cfg.server_id) < 0) {
		log_warn("%s has no IPv4 address to use as the server identifier: give --server-id ADDR",
			 d->set.ifname);
		return -1;
	}
	if (d->srv.lease && !d->set.lease_file[0] && mkdir(DHCP4_LEASE_DIR, 0755) < 0 && errno != EEXIST) {
		log_warn("%s: %s (or give --lease-file PATH)", DHCP4_LEASE_DIR, strerror(errno));
		return -1;
	}
	if (d->srv.lease && dhcp4_leasefile_load(d->lease_path, &d->srv) < 0)
		return -1;
	d->fd = sys_udp4_open_link(d->set.ifname, DHCP4_SERVER_PORT);
	if (d->fd < 0) {
		log_warn("UDP port %d on %s: %s", DHCP4_SERVER_PORT, d->set.ifname, strerror(errno));
		return -1;
	}
	if (d->set.control[0])
		snprintf(d->ctlpath, sizeof(d->ctlpath), "%s", d->set.control);
	else
		snprintf(d->ctlpath, sizeof(d->ctlpath), "%s/dhcp4-%s.sock", SYS_CTL_DIR, d->set.ifname);
	if (sys_loop_init(&d->loop) < 0 || sys_loop_add(&d->loop, d->fd, on_sock, d) < 0) {
		log_warn("epoll: %s", strerror(errno));
		return -1;
	}
	d->frame.loop = &d->loop;
	d->frame.ctx = d;
	d->frame.status = write_status;
	d->frame.reload = reload_cb;
	d->frame.config = d->opt.d.config;
	if (daemon_frame_open(&d->frame, d->ctlpath, d->set.pidfile[0] ? d->set.pidfile : NULL) < 0)
		return -1;
	d->started = time(NULL);
	/* Its directory, as for the control socket, before the seccomp allow-list (no mkdir there). */
	if (d->clients_path[0] && strncmp(d->clients_path, SYS_CTL_DIR "/", strlen(SYS_CTL_DIR "/")) == 0)
		mkdir(SYS_CTL_DIR, 0755); /* EEXIST is the usual answer */
	save_clients(d); /* an empty one at start: dns64 knows dhcp4 runs, and forgets a previous run's clients */
	dhcp4_addr_format(d->srv.cfg.server_id, a, sizeof(a));
	log_info("serving %s in %s mode, server-id %s, option 108 V6ONLY_WAIT %u, control %s", d->set.ifname,
		 d->srv.cfg.mode == DHCP4_MODE_MOSTLY ? "mostly" : "v6only", a, d->srv.cfg.v6only_wait, d->ctlpath);
	/* set up: port 67 is bound and the lease file's directory is ours (uid 0 owns it) */
	daemon_frame_privileges(&d->frame, 0, true);
	daemon_frame_ready(&d->frame, "serving %s", d->set.ifname);
	if (sys_loop_run(&d->loop) < 0) {
		log_warn("epoll_wait: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void cleanup(struct dhcp4d *d)
{
	if (d->srv.lease && d->srv.dirty)
		save_leases(d);
	daemon_frame_close(&d->frame);
	if (d->clients_path[0] && d->started)
		unlink(d->clients_path);
	if (d->fd >= 0)
		close(d->fd);
	sys_loop_close(&d->loop);
	free(d->srv.lease);
	free(d->seen);
	free(d->opt.words);
}

int dhcp4_main(int argc, char **argv)
{
	static struct dhcp4d dd;
	struct dhcp4d *d = &dd;

	log_set_ident("xlat464 dhcp4");
	d->fd = -1;
	daemon_frame_init(&d->frame);
	d->loop.epfd = -1;
	char err[DHCP4_SET_ERR_MAX];
	if (parse_opts(argc, argv, &d->opt) < 0) {
		free(d->opt.words);
		return 2;
	}
	if (d->opt.d.list_settings) {
		settings_page(&dhcp4_settings_table, stdout, "xlat464 dhcp4", "xlat464 dhcp4", "src/mostly/dhcp4_settings.c");
		free(d->opt.words);
		return 0;
	}
	if (load(&d->opt, &d->set, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		free(d->opt.words);
		return 2;
	}
	dhcp4_settings_server_cfg(&d->set, &d->srv.cfg);
	if (d->opt.d.debug)
		log_set_level(LOG_LEVEL_DEBUG);
	if (d->set.lease_file[0])
		snprintf(d->lease_path, sizeof(d->lease_path), "%.*s", DHCP4_SET_PATH_MAX, d->set.lease_file);
	else
		snprintf(d->lease_path, sizeof(d->lease_path), "%s/dhcp4-%.*s.leases", DHCP4_LEASE_DIR,
			 DHCP4_SET_IFNAME_MAX, d->set.ifname);
	if (strcmp(d->set.clients_file, "none") == 0)
		d->clients_path[0] = '\0';
	else if (d->set.clients_file[0])
		snprintf(d->clients_path, sizeof(d->clients_path), "%.*s", DHCP4_SET_PATH_MAX, d->set.clients_file);
	else
		snprintf(d->clients_path, sizeof(d->clients_path), "%s/dhcp4-%.*s.clients", SYS_CTL_DIR,
			 DHCP4_SET_IFNAME_MAX, d->set.ifname);
	if (d->opt.d.check || d->opt.d.print_config) {
		char buf[DHCP4_SETTINGS_TEXT_MAX];
		if (d->opt.d.check)
			format_settings(d, buf, sizeof(buf));
		else
			dhcp4_settings_format(&d->set, buf, sizeof(buf));
		fputs(buf, stdout);
		if (d->opt.d.check)
			log_info("configuration OK");
		free(d->opt.words);
		return 0;
	}
	if (d->srv.cfg.mode == DHCP4_MODE_MOSTLY) {
		d->srv.nlease = d->srv.cfg.pool_last - d->srv.cfg.pool_first + 1;
		d->srv.lease = calloc(d->srv.nlease, sizeof(*d->srv.lease));
	}
	d->seen = calloc(DHCP4_SEEN_MAX, sizeof(*d->seen));
	if ((d->srv.cfg.mode == DHCP4_MODE_MOSTLY && !d->srv.lease) || !d->seen)
		fatal("out of memory");
	if (d->opt.d.daemon && sys_daemonize() < 0)
		fatal("daemon: %s", strerror(errno));
	int r = run(d);
	cleanup(d);
	return r < 0 ? 1 : 0;
}
