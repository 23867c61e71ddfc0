/* `xlat464 dns64`: the daemon.
 *
 *   client --query (UDP or TCP 53)--> dns64_msg_query (ldns; drop with a named reason)
 *      --> kind of client: its IPv6 source -> neighbour table (netlink, followed) -> hardware address
 *          -> dhcp4's clients file (inotify) -> clat | no-clat | unknown (dns64_classify)
 *      --> ipv4only.arpa: answered here for every client (RFC 8880 section 7.2)
 *      --> a client with a CLAT, or any other question: relayed to upstream, the answer relayed back
 *          untouched (only the ID is the client's again)
 *      --> otherwise AAAA: upstream AAAA answer -> dns64_aaaa_decide -> pass | filter | ask for A
 *          and synthesize (dns64_msg_synth); PTR under the prefix: CNAME to in-addr.arpa and its PTR
 *
 * Upstream goes over the client's transport: UDP through one connected socket (IDs remapped), TCP with
 * one connection per exchange (RFC 7766). Every wait is bounded: max-pending exchanges, each
 * upstream-timeout long; max-tcp client connections, each closed after tcp-timeout idle. */
#include "dns64d.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#include "../common/daemon_opts.h"
#include "../common/json.h"
#include "../common/daemon_frame.h"
#include "../common/settings_load.h"
#include "../common/settings_table.h"
#include "dhcp4/dhcp4_clients.h"
#include "dns64_msg.h"
#include "dns64_settings.h"
#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/netlink.h"
#include "sys/notify.h"
#include "sys/priv.h"
#include "sys/sig.h"
#include "sys/sock6.h"

#define NEIGH_MAX 8192      /* neighbour entries followed; past it an address stays unknown */
#define NEIGH_SLOTS 16384   /* its hash table (open addressing), at most 3/4 used with the deleted */
#define CLIENTS_MAX 8192
#define CLIENT_SLOTS 16384
#define TCP_MSG_MAX 65535
#define TICK_MS 100

enum stage { ST_RELAY, ST_AAAA, ST_A, ST_PTR };

struct origin {
	bool tcp;
	int ufd;               /* UDP: the socket it came in on */
	struct sys_peer6 peer; /* UDP: whom to answer; TCP: peer.addr */
	int conn;              /* TCP: the connection */
	unsigned gen;          /* TCP: its generation (a reused slot is another client) */
};

struct pend {
	bool used;
	enum stage st;
	enum dns64_pass_reason why; /* ST_RELAY: counted under this */
	uint16_t up_id;
	uint64_t deadline;
	struct origin o;
	struct dns64_q q;
	enum dns64_client_kind kind;
	uint8_t *aaaa; /* ST_A: the upstream AAAA answer, for section 5.1.6 */
	size_t aaaa_len;
	bool have_soa;
	uint32_t soa_ttl;
	char target[DNS64_NAME_MAX]; /* ST_PTR */
	/* TCP to upstream: the query being written, the answer being read */
	int upfd;
	bool connecting;
	uint8_t *obuf, *ibuf;
	size_t olen, ilen;
};

struct conn {
	int fd;
	unsigned gen;
	uint8_t peer[16];
	uint8_t *buf; /* 2 + TCP_MSG_MAX */
	size_t have;
	uint64_t idle_since;
};

enum slot_state { SLOT_EMPTY, SLOT_LIVE, SLOT_DEAD };

struct neigh {
	uint8_t state; /* enum slot_state: a deleted entry stays DEAD so that probing goes on past it */
	uint8_t addr[16];
	uint8_t mac[6];
};

struct client {
	uint8_t mac[6];
	bool asked108;
};

struct counters {
	uint64_t queries_udp, queries_tcp;
	uint64_t by_kind[DNS64_CLIENT__COUNT];
	uint64_t synthesized, filtered, ptr_synthesized, ipv4only, truncated_udp, servfail;
	uint64_t passed[DNS64_PASS__COUNT];
	uint64_t drops[DNS64_DROP__COUNT];
	uint64_t neigh_resyncs, clients_loads, clients_bad_lines;
};

struct dns64d {
	struct daemon_opts opt;
	char **flags; /* the settings flags (settings_flag_take), applied again over the file on a reload */
	int nflags;
	struct dns64_settings set;
	struct sys_loop loop;
	struct daemon_frame frame; /* signals, control socket, pidfile */
	int timerfd, watchfd, upfd;
	int nudp, ntcp;
	int udpfd[DNS64_LISTEN_MAX], tcpfd[DNS64_LISTEN_MAX];
	struct sys_nl nlmon, nlreq;
	int ifindex;
	char ctlpath[DNS64_PATH_MAX];
	char clients_path[DNS64_FILE_MAX];
	char clients_dir[DNS64_FILE_MAX];
	const char *clients_base;
	bool clients_loaded;
	time_t started;
	struct neigh *neigh;     /* NEIGH_SLOTS */
	unsigned nneigh, nneigh_dead;
	uint16_t *client_index;  /* CLIENT_SLOTS: the clients' hash table, index + 1 */
	struct client *clients;
	unsigned nclients;
	struct pend *pend;
	unsigned npend;
	uint16_t *by_id; /* upstream UDP ID -> pending slot + 1 */
	struct conn *conn;
	unsigned nconn, conn_gen;
	struct counters c;
};

static struct dns64d *g_d;

static const char dns64_usage[] =
	"usage: xlat464 dns64 --upstream ADDR [PORT] [SETTINGS] [--config FILE] [--pidfile FILE]\n"
	"                     [--foreground | --daemon] [--debug] [--check | --print-config | --list-settings]\n"
	"                     [--list-drop-reasons]\n"
	"settings (flags, or `key value...` lines in FILE; flags override the file):\n";

/* ---- settings ----------------------------------------------------------------------------------- */

/* Config file, then flags (listen and exclude flags replace the file's lines), then the checks
 * across settings. */
static int load_settings(struct dns64d *d, struct dns64_settings *s, char *err, size_t errlen)
{
	dns64_settings_init(s);
	if (settings_load(&dns64_settings_table, s, d->opt.config, d->flags, d->nflags, err, errlen) < 0)
		return -1;
	return dns64_settings_finish(s, err, errlen);
}

static void dns64_help(void)
{
	fputs(dns64_usage, stdout);
	settings_help(&dns64_settings_table, stdout);
}

static int parse_args(int argc, char **argv, struct dns64d *d)
{
	d->flags = calloc((size_t)argc * 2 + 2, sizeof(*d->flags)); /* a NULL after each flag's values */
	if (!d->flags)
		fatal("out of memory");
	for (int i = 1; i < argc;) {
		const char *a = argv[i];
		int r = daemon_arg_take(&dns64_settings_table, argc, argv, &i, d->flags, &d->nflags, &d->opt, dns64_help);
		if (r < 0)
			return -1;
		if (d->opt.list_settings) {
			settings_page(&dns64_settings_table, stdout, "xlat464 dns64", "xlat464 dns64", "src/dns64/dns64_settings.c");
			exit(0);
		}
		if (r > 0)
			continue;
		if (strcmp(a, "--list-drop-reasons") == 0) {
			printf("| reason | meaning |\n|---|---|\n");
			for (int k = 1; k < DNS64_DROP__COUNT; k++)
				printf("| `%s` | %s |\n", dns64_drop_name((enum dns64_drop)k),
				       dns64_drop_desc((enum dns64_drop)k));
			exit(0);
		}
		log_warn("%s: unknown option (see xlat464 dns64 --help)", a);
		return -1;
	}
	return 0;
}

/* ---- who has a CLAT ------------------------------------------------------------------------------ */

/* FNV-1a: the addresses are chosen by the clients, but a table this size only slows down. */
static unsigned hash_bytes(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static struct neigh *neigh_find(struct dns64d *d, const uint8_t addr[16])
{
	unsigned i = hash_bytes(addr, 16) & (NEIGH_SLOTS - 1);
	for (unsigned probes = 0; probes < NEIGH_SLOTS; probes++, i = (i + 1) & (NEIGH_SLOTS - 1)) {
		struct neigh *n = &d->neigh[i];
		if (n->state == SLOT_EMPTY)
			return NULL;
		if (n->state == SLOT_LIVE && memcmp(n->addr, addr, 16) == 0)
			return n;
	}
	return NULL;
}

static struct neigh *neigh_insert(struct dns64d *d, const uint8_t addr[16])
{
	unsigned i = hash_bytes(addr, 16) & (NEIGH_SLOTS - 1);
	while (d->neigh[i].state == SLOT_LIVE)
		i = (i + 1) & (NEIGH_SLOTS - 1); /* ends: at most NEIGH_MAX of the slots are live */
	if (d->neigh[i].state == SLOT_DEAD)
		d->nneigh_dead--;
	d->neigh[i].state = SLOT_LIVE;
	memcpy(d->neigh[i].addr, addr, 16);
	d->nneigh++;
	return &d->neigh[i];
}

/* Too many deleted slots make every miss probe far: put the live ones in again. */
static void neigh_rehash(struct dns64d *d)
{
	static struct neigh live[NEIGH_MAX];
	unsigned n = 0;
	for (unsigned i = 0; i < NEIGH_SLOTS; i++)
		if (d->neigh[i].state == SLOT_LIVE && n < NEIGH_MAX)
			live[n++] = d->neigh[i];
	memset(d->neigh, 0, NEIGH_SLOTS * sizeof(*d->neigh));
	d->nneigh = d->nneigh_dead = 0;
	for (unsigned i = 0; i < n; i++)
		memcpy(neigh_insert(d, live[i].addr)->mac, live[i].mac, 6);
}

static void on_neigh(void *arg, const struct sys_neigh6 *ne)
{
	struct dns64d *d = arg;
	if (d->ifindex && ne->ifindex != d->ifindex)
		return;
	struct neigh *n = neigh_find(d, ne->addr);
	bool usable = !ne->deleted && ne->has_mac && !(ne->state & (NUD_FAILED | NUD_INCOMPLETE | NUD_NOARP));
	if (!usable) {
		/* an entry being resolved again keeps its last address; a deleted or failed one goes */
		if (n && (ne->deleted || (ne->state & NUD_FAILED))) {
			n->state = SLOT_DEAD;
			d->nneigh--;
			d->nneigh_dead++;
			if (d->nneigh + d->nneigh_dead > NEIGH_SLOTS / 4 * 3)
				neigh_rehash(d);
		}
		return;
	}
	if (!n) {
		if (d->nneigh >= NEIGH_MAX)
			return; /* full: the address stays unknown */
		if (d->nneigh + d->nneigh_dead >= NEIGH_SLOTS / 4 * 3)
			neigh_rehash(d);
		n = neigh_insert(d, ne->addr);
	}
	memcpy(n->mac, ne->mac, 6);
}

static void neigh_resync(struct dns64d *d)
{
	memset(d->neigh, 0, NEIGH_SLOTS * sizeof(*d->neigh));
	d->nneigh = d->nneigh_dead = 0;
	if (sys_nl_neigh6_dump(&d->nlreq, d->ifindex, on_neigh, d) < 0)
		log_warn("neighbour table: %s", strerror(errno));
}

static void on_nl(void *arg, int fd, uint32_t events)
{
	struct dns64d *d = arg;
	if (sys_nl_monitor_neigh6(&d->nlmon, on_neigh, d) < 0 && errno == ENOBUFS) {
		d->c.neigh_resyncs++;
		neigh_resync(d);
	}
}

static void clients_load(struct dns64d *d)
{
	char line[128];
	unsigned n = 0, lineno = 0;
	FILE *f = fopen(d->clients_path, "r");
	d->c.clients_loads++;
	d->clients_loaded = f != NULL;
	if (!f) {
		if (errno != ENOENT)
			log_warn("clients file %s: %s", d->clients_path, strerror(errno));
		d->nclients = 0;
		return;
	}
	while (fgets(line, sizeof(line), f) && n < CLIENTS_MAX) {
		uint8_t mac[6];
		bool asked;
		lineno++;
		int r = dhcp4_clients_parse(line, mac, &asked);
		if (r < 0) {
			static struct log_ratelimit rl;
			d->c.clients_bad_lines++;
			if (log_ratelimit_ok(&rl))
				log_warn("%s:%u: not HWADDR yes|no, skipped", d->clients_path, lineno);
			continue;
		}
		if (r == 0)
			continue;
		memcpy(d->clients[n].mac, mac, 6);
		d->clients[n].asked108 = asked;
		n++;
	}
	fclose(f);
	d->nclients = n;
	memset(d->client_index, 0, CLIENT_SLOTS * sizeof(*d->client_index));
	for (unsigned k = 0; k < n; k++) {
		unsigned i = hash_bytes(d->clients[k].mac, 6) & (CLIENT_SLOTS - 1);
		while (d->client_index[i])
			i = (i + 1) & (CLIENT_SLOTS - 1);
		d->client_index[i] = (uint16_t)(k + 1);
	}
	log_debug("clients file %s: %u clients", d->clients_path, n);
}

static void on_watch(void *arg, int fd, uint32_t events)
{
	struct dns64d *d = arg;
	if (sys_dirwatch_read(fd, d->clients_base) != 0)
		clients_load(d);
}

static enum dns64_client_kind classify(struct dns64d *d, const uint8_t addr[16])
{
	const struct neigh *n = neigh_find(d, addr);
	bool seen = false, asked = false;
	if (n) {
		unsigned i = hash_bytes(n->mac, 6) & (CLIENT_SLOTS - 1);
		for (; d->client_index[i]; i = (i + 1) & (CLIENT_SLOTS - 1)) {
			const struct client *c = &d->clients[d->client_index[i] - 1];
			if (memcmp(c->mac, n->mac, 6) == 0) {
				seen = true;
				asked = c->asked108;
				break;
			}
		}
	}
	return dns64_classify(n != NULL, seen, asked);
}

/* ---- answers to clients ----------------------------------------------------------------------- */

static struct conn *conn_of(struct dns64d *d, const struct origin *o)
{
	struct conn *c = &d->conn[o->conn];
	return c->fd >= 0 && c->gen == o->gen ? c : NULL;
}

static void conn_close(struct dns64d *d, struct conn *c)
{
	if (c->fd < 0)
		return;
	sys_loop_del(&d->loop, c->fd);
	close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
	d->nconn--;
}

static void reply(struct dns64d *d, const struct origin *o, const struct dns64_q *q, const uint8_t *msg, size_t len)
{
	if (o->tcp) {
		struct conn *c = conn_of(d, o);
		uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };
		struct iovec iov[2] = { { hdr, 2 }, { (void *)msg, len } };
		struct msghdr mh = { .msg_iov = iov, .msg_iovlen = 2 };
		if (!c)
			return; /* the client went away */
		if (len > TCP_MSG_MAX || sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)(len + 2)) {
			d->c.drops[DNS64_DROP_SEND_ERROR]++;
			conn_close(d, c); /* a partial answer cannot be finished later: close */
		}
		return;
	}
	uint8_t *tc = NULL;
	if (q && len > dns64_msg_udp_limit(q)) {
		/* RFC 1035 section 4.2.1 / RFC 6891: too big for the client's UDP: TC, ask over TCP */
		tc = dns64_msg_empty(q, DNS64_RCODE_NOERROR, true, &len);
		d->c.truncated_udp++;
		if (!tc)
			return;
		msg = tc;
	}
	if (sys_udp6_reply(o->ufd, msg, len, &o->peer) < 0)
		d->c.drops[DNS64_DROP_SEND_ERROR]++;
	free(tc);
}

static void reply_rcode(struct dns64d *d, const struct origin *o, const struct dns64_q *q, uint8_t rcode)
{
	size_t len;
	uint8_t *w = dns64_msg_empty(q, rcode, false, &len);
	if (rcode == DNS64_RCODE_SERVFAIL)
		d->c.servfail++;
	if (w)
		reply(d, o, q, w, len);
	free(w);
}

/* ---- exchanges with the upstream resolver ------------------------------------------------------ */

static void pend_free(struct dns64d *d, struct pend *p)
{
	if (!p->used)
		return;
	if (!p->o.tcp && d->by_id[p->up_id] == (uint16_t)(p - d->pend) + 1)
		d->by_id[p->up_id] = 0;
	if (p->upfd >= 0) {
		sys_loop_del(&d->loop, p->upfd);
		close(p->upfd);
	}
	free(p->aaaa);
	free(p->obuf);
	free(p->ibuf);
	memset(p, 0, sizeof(*p));
	p->upfd = -1;
	d->npend--;
}

static struct pend *pend_new(struct dns64d *d)
{
	for (unsigned i = 0; i < d->set.max_pending; i++) {
		struct pend *p = &d->pend[i];
		if (!p->used) {
			memset(p, 0, sizeof(*p));
			p->used = true;
			p->upfd = -1;
			d->npend++;
			return p;
		}
	}
	return NULL;
}

static void on_up_tcp(void *arg, int fd, uint32_t events);
static void upstream_answer(struct dns64d *d, struct pend *p, uint8_t *r, size_t len);

static void fail(struct dns64d *d, struct pend *p, enum dns64_drop why)
{
	d->c.drops[why]++;
	reply_rcode(d, &p->o, &p->q, DNS64_RCODE_SERVFAIL);
	pend_free(d, p);
}

static void upstream_addr(const struct dns64d *d, uint8_t a[16])
{
	memset(a, 0, 16);
	if (d->set.upstream.v6) {
		memcpy(a, d->set.upstream.addr, 16);
	} else {
		a[10] = a[11] = 0xff;
		memcpy(a + 12, d->set.upstream.addr, 4);
	}
}

/* Sends msg (its ID is overwritten) upstream for p, over p's client's transport. Takes msg. */
static void upstream_send(struct dns64d *d, struct pend *p, uint8_t *msg, size_t len)
{
	uint8_t a[16];
	p->deadline = sys_mono_ms() + d->set.upstream_timeout_ms;
	if (p->o.tcp) {
		upstream_addr(d, a);
		free(p->obuf);
		free(p->ibuf);
		p->ibuf = NULL;
		p->ilen = 0;
		if (p->upfd >= 0) {
			sys_loop_del(&d->loop, p->upfd);
			close(p->upfd);
		}
		p->obuf = malloc(len + 2);
		p->upfd = p->obuf ? sys_tcp6_connect(a, d->set.upstream.port) : -1;
		if (p->upfd < 0 || sys_loop_add_ev(&d->loop, p->upfd, EPOLLOUT, on_up_tcp, p) < 0) {
			if (p->upfd >= 0)
				close(p->upfd);
			p->upfd = -1;
			free(msg);
			fail(d, p, DNS64_DROP_UPSTREAM_ERROR);
			return;
		}
		p->obuf[0] = (uint8_t)(len >> 8);
		p->obuf[1] = (uint8_t)len;
		memcpy(p->obuf + 2, msg, len);
		p->olen = len + 2;
		p->connecting = true;
		free(msg);
		return;
	}
	uint16_t id;
	unsigned tries = 0;
	do {
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (uint16_t)random();
	} while (d->by_id[id] && ++tries < 64);
	if (d->by_id[p->up_id] == (uint16_t)(p - d->pend) + 1)
		d->by_id[p->up_id] = 0;
	if (d->by_id[id]) {
		free(msg);
		fail(d, p, DNS64_DROP_QUEUE_FULL);
		return;
	}
	p->up_id = id;
	d->by_id[id] = (uint16_t)(p - d->pend) + 1;
	msg[0] = (uint8_t)(id >> 8);
	msg[1] = (uint8_t)id;
	ssize_t n = send(d->upfd, msg, len, MSG_DONTWAIT);
	free(msg);
	if (n != (ssize_t)len)
		fail(d, p, DNS64_DROP_UPSTREAM_ERROR);
}

static void on_up_tcp(void *arg, int fd, uint32_t events)
{
	struct pend *p = arg;
	struct dns64d *d = g_d;
	if (p->connecting) {
		if (sys_tcp6_connected(fd) < 0 || send(fd, p->obuf, p->olen, MSG_NOSIGNAL | MSG_DONTWAIT) != (ssize_t)p->olen ||
		    sys_loop_mod(&d->loop, fd, EPOLLIN) < 0) {
			fail(d, p, DNS64_DROP_UPSTREAM_ERROR);
			return;
		}
		p->connecting = false;
		return;
	}
	if (!p->ibuf && !(p->ibuf = malloc(2 + TCP_MSG_MAX))) {
		fail(d, p, DNS64_DROP_UPSTREAM_ERROR);
		return;
	}
	size_t want = p->ilen < 2 ? 2 : 2 + ((size_t)p->ibuf[0] << 8 | p->ibuf[1]);
	ssize_t n = recv(fd, p->ibuf + p->ilen, want - p->ilen, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		fail(d, p, DNS64_DROP_UPSTREAM_ERROR);
		return;
	}
	if (n < 0)
		return;
	p->ilen += (size_t)n;
	if (p->ilen < 2)
		return;
	want = 2 + ((size_t)p->ibuf[0] << 8 | p->ibuf[1]);
	if (want == 2) {
		fail(d, p, DNS64_DROP_UPSTREAM_BAD);
		return;
	}
	if (p->ilen < want)
		return;
	sys_loop_del(&d->loop, fd);
	close(fd);
	p->upfd = -1;
	upstream_answer(d, p, p->ibuf + 2, want - 2);
}

static void on_up_udp(void *arg, int fd, uint32_t events)
{
	struct dns64d *d = arg;
	uint8_t buf[TCP_MSG_MAX];
	for (int burst = 0; burst < 64; burst++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				d->c.drops[DNS64_DROP_UPSTREAM_ERROR]++; /* an ICMP error from the last send */
			return;
		}
		if (n < 12) {
			d->c.drops[DNS64_DROP_UPSTREAM_BAD]++;
			continue;
		}
		uint16_t id = (uint16_t)(buf[0] << 8 | buf[1]);
		unsigned slot = d->by_id[id];
		if (!slot || !d->pend[slot - 1].used || d->pend[slot - 1].o.tcp) {
			d->c.drops[DNS64_DROP_UPSTREAM_STRAY]++;
			continue;
		}
		d->by_id[id] = 0;
		upstream_answer(d, &d->pend[slot - 1], buf, (size_t)n);
	}
}

/* r: the upstream answer for p (its ID is ours; r may be changed). */
static void upstream_answer(struct dns64d *d, struct pend *p, uint8_t *r, size_t len)
{
	size_t olen = 0;
	uint8_t *w;
	enum dns64_pass_reason why;
	struct dns64_aaaa_facts f;

	switch (p->st) {
	case ST_RELAY:
		r[0] = (uint8_t)(p->q.id >> 8);
		r[1] = (uint8_t)p->q.id;
		d->c.passed[p->why]++;
		reply(d, &p->o, &p->q, r, len);
		break;
	case ST_AAAA:
		if (dns64_msg_aaaa_facts(r, len, &p->q, &d->set.exclude, &f, &p->have_soa, &p->soa_ttl) < 0) {
			fail(d, p, DNS64_DROP_UPSTREAM_BAD);
			return;
		}
		r[0] = (uint8_t)(p->q.id >> 8);
		r[1] = (uint8_t)p->q.id;
		switch (dns64_aaaa_decide(&f, &why)) {
		case DNS64_PASS:
			d->c.passed[why]++;
			reply(d, &p->o, &p->q, r, len);
			break;
		case DNS64_PASS_FILTERED:
			w = dns64_msg_filtered(r, len, &d->set.exclude, &olen);
			d->c.filtered++;
			d->c.passed[why]++;
			if (w)
				reply(d, &p->o, &p->q, w, olen);
			else
				reply_rcode(d, &p->o, &p->q, DNS64_RCODE_SERVFAIL);
			free(w);
			break;
		case DNS64_SYNTHESIZE:
			p->aaaa = malloc(len);
			w = p->aaaa ? dns64_msg_build_query(p->q.qname, DNS64_TYPE_A, &p->q, 0, &olen) : NULL;
			if (!w) {
				fail(d, p, DNS64_DROP_UPSTREAM_ERROR);
				return;
			}
			memcpy(p->aaaa, r, len);
			p->aaaa_len = len;
			p->st = ST_A;
			upstream_send(d, p, w, olen);
			return; /* p waits again */
		}
		break;
	case ST_A: {
		unsigned n;
		bool bad;
		w = dns64_msg_synth(&p->q, r, len, &d->set.prefix, p->have_soa, p->soa_ttl, &n, &bad, &olen);
		if (w) {
			d->c.synthesized++;
			reply(d, &p->o, &p->q, w, olen);
			free(w);
		} else {
			/* section 5.1.6: no A record (or an error): the AAAA answer stands */
			if (bad)
				d->c.drops[DNS64_DROP_UPSTREAM_BAD]++;
			d->c.passed[DNS64_PASS_NO_A]++;
			reply(d, &p->o, &p->q, p->aaaa, p->aaaa_len);
		}
		break;
	}
	case ST_PTR:
		w = dns64_msg_ptr(&p->q, p->target, r, len, &olen);
		if (!w) {
			fail(d, p, DNS64_DROP_UPSTREAM_BAD);
			return;
		}
		d->c.ptr_synthesized++;
		reply(d, &p->o, &p->q, w, olen);
		free(w);
		break;
	}
	pend_free(d, p);
}

/* ---- queries ------------------------------------------------------------------------------------ */

static void handle_query(struct dns64d *d, const uint8_t *buf, size_t len, const struct origin *o)
{
	struct dns64_q q;
	enum dns64_drop why = dns64_msg_query(buf, len, &q);
	if (o->tcp)
		d->c.queries_tcp++;
	else
		d->c.queries_udp++;
	if (why != DNS64_DROP_NONE) {
		static struct log_ratelimit rl;
		d->c.drops[why]++;
		if (log_enabled(LOG_LEVEL_DEBUG) && log_ratelimit_ok(&rl))
			log_debug("dropped a %zu-byte query: %s", len, dns64_drop_name(why));
		if (why == DNS64_DROP_NO_QUESTION) {
			uint8_t h[12];
			dns64_msg_header_error(q.id, DNS64_RCODE_FORMERR, h);
			reply(d, o, NULL, h, sizeof(h));
		}
		return;
	}
	enum dns64_client_kind kind = classify(d, o->peer.addr);
	d->c.by_kind[kind]++;
	bool query_in = q.opcode == 0 && q.qclass == 1;

	/* RFC 8880 section 7.2: never sent upstream; a CLAT needs it to find the prefix (RFC 7050) */
	if (query_in && dns64_is_ipv4only(q.qname)) {
		size_t olen;
		uint8_t *w = dns64_msg_ipv4only(&q, &d->set.prefix, &olen);
		d->c.ipv4only++;
		if (w)
			reply(d, o, &q, w, olen);
		free(w);
		return;
	}
	struct pend *p = pend_new(d);
	if (!p) {
		d->c.drops[DNS64_DROP_QUEUE_FULL]++;
		return; /* the client asks again */
	}
	p->o = *o;
	p->q = q;
	p->kind = kind;
	p->st = ST_RELAY;
	p->why = DNS64_PASS_NOT_AAAA;
	bool synth = dns64_client_synthesizes(kind, (enum dns64_unknown_policy)d->set.unknown);
	if (!synth)
		p->why = DNS64_PASS_CLAT;
	else if (query_in && q.qtype == DNS64_TYPE_AAAA)
		p->st = ST_AAAA;
	else if (query_in && q.qtype == DNS64_TYPE_PTR && dns64_ptr_target(&d->set.prefix, q.qname, p->target, sizeof(p->target)))
		p->st = ST_PTR;

	uint8_t *msg;
	size_t mlen = len;
	if (p->st == ST_PTR) {
		msg = dns64_msg_build_query(p->target, DNS64_TYPE_PTR, &q, 0, &mlen);
	} else {
		msg = malloc(len);
		if (msg)
			memcpy(msg, buf, len);
	}
	if (!msg) {
		fail(d, p, DNS64_DROP_UPSTREAM_ERROR);
		return;
	}
	upstream_send(d, p, msg, mlen);
}

static void on_udp(void *arg, int fd, uint32_t events)
{
	struct dns64d *d = arg;
	uint8_t buf[TCP_MSG_MAX];
	for (int burst = 0; burst < 64; burst++) {
		struct origin o = { .tcp = false, .ufd = fd };
		ssize_t n = sys_udp6_recv(fd, buf, sizeof(buf), &o.peer);
		if (n < 0)
			return;
		handle_query(d, buf, (size_t)n, &o);
	}
}

static void on_conn(void *arg, int fd, uint32_t events)
{
	struct conn *c = arg;
	struct dns64d *d = g_d;
	ssize_t n = recv(fd, c->buf + c->have, 2 + TCP_MSG_MAX - c->have, MSG_DONTWAIT);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
		if (c->have)
			d->c.drops[DNS64_DROP_TCP_LENGTH]++; /* closed mid-message */
		conn_close(d, c);
		return;
	}
	if (n < 0)
		return;
	c->have += (size_t)n;
	c->idle_since = sys_mono_ms();
	/* RFC 7766 section 6.2.1: several queries may follow one another; each is answered */
	while (c->have >= 2) {
		size_t mlen = (size_t)c->buf[0] << 8 | c->buf[1];
		if (mlen == 0) {
			d->c.drops[DNS64_DROP_TCP_LENGTH]++;
			conn_close(d, c);
			return;
		}
		if (c->have < 2 + mlen)
			return;
		struct origin o = { .tcp = true, .conn = (int)(c - d->conn), .gen = c->gen };
		memcpy(o.peer.addr, c->peer, 16);
		handle_query(d, c->buf + 2, mlen, &o);
		if (c->fd < 0)
			return; /* closed while answering */
		memmove(c->buf, c->buf + 2 + mlen, c->have - 2 - mlen);
		c->have -= 2 + mlen;
	}
}

static void on_accept(void *arg, int fd, uint32_t events)
{
	struct dns64d *d = arg;
	uint8_t peer[16];
	int cfd;
	while ((cfd = sys_tcp6_accept(fd, peer)) >= 0) {
		struct conn *c = NULL;
		for (unsigned i = 0; i < d->set.max_tcp && !c; i++)
			if (d->conn[i].fd < 0)
				c = &d->conn[i];
		if (!c || !(c->buf = malloc(2 + TCP_MSG_MAX))) {
			d->c.drops[DNS64_DROP_TCP_FULL]++;
			close(cfd);
			continue;
		}
		c->fd = cfd;
		c->gen = ++d->conn_gen;
		c->have = 0;
		c->idle_since = sys_mono_ms();
		memcpy(c->peer, peer, 16);
		if (sys_loop_add(&d->loop, cfd, on_conn, c) < 0) {
			d->c.drops[DNS64_DROP_TCP_FULL]++;
			close(cfd);
			free(c->buf);
			c->buf = NULL;
			c->fd = -1;
			continue;
		}
		d->nconn++;
	}
}

static void on_timer(void *arg, int fd, uint32_t events)
{
	struct dns64d *d = arg;
	uint64_t ticks, now = sys_mono_ms();
	if (read(fd, &ticks, sizeof(ticks)) < 0)
		return;
	for (unsigned i = 0; i < d->set.max_pending; i++) {
		struct pend *p = &d->pend[i];
		if (p->used && now >= p->deadline)
			fail(d, p, DNS64_DROP_UPSTREAM_TIMEOUT);
	}
	for (unsigned i = 0; i < d->set.max_tcp; i++) {
		struct conn *c = &d->conn[i];
		if (c->fd >= 0 && now - c->idle_since >= (uint64_t)d->set.tcp_timeout * 1000) {
			if (c->have)
				d->c.drops[DNS64_DROP_CLIENT_TIMEOUT]++;
			conn_close(d, c);
		}
	}
}

/* ---- status: JSON the daemon writes itself ------------------------------------------------------ */

static const char *pass_name(unsigned r) { return dns64_pass_reason_name((enum dns64_pass_reason)r); }
static const char *drop_name(unsigned r) { return dns64_drop_name((enum dns64_drop)r); }
static const char *drop_desc(unsigned r) { return dns64_drop_desc((enum dns64_drop)r); }
/* Every answer passed has a reason, so reason 0 counts too. */
static const struct json_reasons pass_reasons = { "passed_by_reason", 0, DNS64_PASS__COUNT, pass_name, NULL };
static const struct json_reasons drop_reasons = { "drops", 1, DNS64_DROP__COUNT, drop_name, drop_desc };

static void write_status(void *ctx, struct json_w *w)
{
	struct dns64d *d = ctx;
	char settings[4096];
	unsigned nclat = 0;
	uint64_t passed = 0;

	for (unsigned i = 0; i < d->nclients; i++)
		nclat += d->clients[i].asked108;
	for (int r = 0; r < DNS64_PASS__COUNT; r++)
		passed += d->c.passed[r];
	dns64_settings_format(&d->set, settings, sizeof(settings));
	json_obj_open(w, NULL);
	json_status_head(w, "dns64", d->ctlpath, (uint64_t)(time(NULL) - d->started));
	json_lines(w, "settings", settings);
	json_str(w, "clients_file", d->clients_path[0] ? d->clients_path : "none");
	json_boolean(w, "clients_file_loaded", d->clients_loaded);
	json_obj_open(w, "clients");
	json_u64(w, "clat", nclat);
	json_u64(w, "no-clat", d->nclients - nclat);
	json_obj_close(w);
	json_u64(w, "neighbours", d->nneigh);
	json_obj_open(w, "queries");
	json_u64(w, "udp", d->c.queries_udp);
	json_u64(w, "tcp", d->c.queries_tcp);
	json_obj_close(w);
	json_obj_open(w, "queries_by_client_kind");
	for (int k = 0; k < DNS64_CLIENT__COUNT; k++)
		json_u64(w, dns64_client_kind_name((enum dns64_client_kind)k), d->c.by_kind[k]);
	json_obj_close(w);
	json_obj_open(w, "answers");
	json_u64(w, "synthesized", d->c.synthesized);
	json_u64(w, "passed", passed);
	json_u64(w, "filtered", d->c.filtered);
	json_u64(w, "ptr_synthesized", d->c.ptr_synthesized);
	json_u64(w, "ipv4only", d->c.ipv4only);
	json_u64(w, "truncated_udp", d->c.truncated_udp);
	json_u64(w, "servfail", d->c.servfail);
	json_obj_close(w);
	json_by_reason(w, &pass_reasons, d->c.passed);
	json_u64(w, "pending", d->npend);
	json_u64(w, "tcp_connections", d->nconn);
	json_u64(w, "neighbour_resyncs", d->c.neigh_resyncs);
	json_u64(w, "clients_file_loads", d->c.clients_loads);
	json_u64(w, "clients_file_bad_lines", d->c.clients_bad_lines);
	json_by_reason(w, &drop_reasons, d->c.drops);
	json_descriptions(w, &drop_reasons);
	json_obj_close(w);
}

/* ---- lifecycle ------------------------------------------------------------------------------ */

static int open_upstream(struct dns64d *d)
{
	uint8_t a[16];
	upstream_addr(d, a);
	int fd = sys_udp6_connect(a, d->set.upstream.port);
	if (fd < 0)
		return -1;
	if (d->upfd >= 0) {
		sys_loop_del(&d->loop, d->upfd);
		close(d->upfd);
	}
	d->upfd = fd;
	return sys_loop_add(&d->loop, fd, on_up_udp, d);
}

static void reload(void *ctx)
{
	struct dns64d *d = ctx;
	struct dns64_settings s;
	char err[DNS64_ERR_MAX], kept[512];
	if (load_settings(d, &s, err, sizeof(err)) < 0) {
		log_warn("reload: %s; keeping the running settings", err);
		return;
	}
	if (settings_keep_restart(&dns64_settings_table, &s, &d->set, kept, sizeof(kept)))
		log_warn("reload: %s need%s a restart; kept", kept, strchr(kept, ',') ? "" : "s");
	bool new_upstream = memcmp(&s.upstream, &d->set.upstream, sizeof(s.upstream)) != 0;
	/* restart settings sized the tables: keep them as they are */
	s.max_pending = d->set.max_pending;
	s.max_tcp = d->set.max_tcp;
	d->set = s;
	if (new_upstream && open_upstream(d) < 0)
		log_warn("reload: upstream: %s", strerror(errno));
	log_info("reloaded");
}

static int open_listeners(struct dns64d *d)
{
	struct dns64_sockaddr any = { .v6 = true, .port = 53 };
	unsigned n = d->set.nlisten ? d->set.nlisten : 1;
	for (unsigned i = 0; i < n; i++) {
		const struct dns64_sockaddr *l = d->set.nlisten ? &d->set.listen[i] : &any;
		uint8_t a[16] = { 0 };
		char t[64];
		if (l->v6) {
			memcpy(a, l->addr, 16);
		} else {
			a[10] = a[11] = 0xff;
			memcpy(a + 12, l->addr, 4);
		}
		inet_ntop(l->v6 ? AF_INET6 : AF_INET, l->addr, t, sizeof(t));
		int u = sys_udp6_listen(a, l->port), t6 = u < 0 ? -1 : sys_tcp6_listen(a, l->port);
		if (u < 0 || t6 < 0) {
			log_warn("listen %s port %u: %s", t, l->port, strerror(errno));
			if (u >= 0)
				close(u);
			return -1;
		}
		d->udpfd[d->nudp++] = u;
		d->tcpfd[d->ntcp++] = t6;
		if (sys_loop_add(&d->loop, u, on_udp, d) < 0 || sys_loop_add(&d->loop, t6, on_accept, d) < 0)
			return -1;
	}
	return 0;
}

static int run(struct dns64d *d)
{
	if (d->set.interface[0]) {
		d->ifindex = (int)if_nametoindex(d->set.interface);
		if (!d->ifindex) {
			log_warn("interface %s: %s", d->set.interface, strerror(errno));
			return -1;
		}
	}
	d->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct itimerspec its = { { 0, TICK_MS * 1000000L }, { 0, TICK_MS * 1000000L } };
	if (d->timerfd < 0 || timerfd_settime(d->timerfd, 0, &its, NULL) < 0 ||
	    sys_loop_init(&d->loop) < 0) {
		log_warn("timerfd/epoll: %s", strerror(errno));
		return -1;
	}
	if (sys_nl_open(&d->nlreq) < 0 || sys_nl_monitor_open(&d->nlmon, RTMGRP_NEIGH) < 0) {
		log_warn("netlink: %s", strerror(errno));
		return -1;
	}
	neigh_resync(d);
	if (d->clients_path[0]) {
		d->watchfd = sys_dirwatch_open(d->clients_dir);
		if (d->watchfd < 0)
			log_warn("clients file directory %s: %s (the file is read once)", d->clients_dir, strerror(errno));
		clients_load(d);
	}
	if (open_listeners(d) < 0 || open_upstream(d) < 0) {
		if (errno)
			log_warn("sockets: %s", strerror(errno));
		return -1;
	}
	if (sys_loop_add(&d->loop, d->timerfd, on_timer, d) < 0 || sys_loop_add(&d->loop, sys_nl_fd(&d->nlmon), on_nl, d) < 0 ||
	    (d->watchfd >= 0 && sys_loop_add(&d->loop, d->watchfd, on_watch, d) < 0)) {
		log_warn("epoll: %s", strerror(errno));
		return -1;
	}
	d->frame.loop = &d->loop;
	d->frame.ctx = d;
	d->frame.status = write_status;
	d->frame.reload = reload;
	d->frame.config = d->opt.config;
	if (daemon_frame_open(&d->frame, d->ctlpath, d->opt.pidfile) < 0)
		return -1;
	d->started = time(NULL);
	log_info("serving DNS64 with %s/%u, clients file %s, unknown clients: %s, control %s",
		 "prefix", d->set.prefix.len, d->clients_path[0] ? d->clients_path : "none",
		 d->set.unknown == DNS64_UNKNOWN_PASS ? "pass" : "synthesize", d->ctlpath);
	/* set up: the sockets are bound; a restart setting (listen) would need port 53 again */
	daemon_frame_privileges(&d->frame, SYS_PRIV_NET_BIND_SERVICE, false);
	daemon_frame_ready(&d->frame, "serving DNS64");
	if (sys_loop_run(&d->loop) < 0) {
		log_warn("epoll_wait: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static void cleanup(struct dns64d *d)
{
	for (unsigned i = 0; d->pend && i < d->set.max_pending; i++)
		pend_free(d, &d->pend[i]);
	for (unsigned i = 0; d->conn && i < d->set.max_tcp; i++)
		conn_close(d, &d->conn[i]);
	daemon_frame_close(&d->frame);
	int fds[] = { d->timerfd, d->watchfd, d->upfd };
	for (unsigned i = 0; i < sizeof(fds) / sizeof(fds[0]); i++)
		if (fds[i] >= 0)
			close(fds[i]);
	for (int i = 0; i < d->nudp; i++)
		close(d->udpfd[i]);
	for (int i = 0; i < d->ntcp; i++)
		close(d->tcpfd[i]);
	sys_nl_close(&d->nlmon);
	sys_nl_close(&d->nlreq);
	sys_loop_close(&d->loop);
	free(d->neigh);
	free(d->client_index);
	free(d->clients);
	free(d->pend);
	free(d->by_id);
	free(d->conn);
}

int dns64_main(int argc, char **argv)
{
	static struct dns64d dd;
	struct dns64d *d = &dd;
	char err[DNS64_ERR_MAX];

	g_d = d;
	log_set_ident("xlat464 dns64");
	daemon_frame_init(&d->frame);
	d->timerfd = d->watchfd = d->upfd = -1;
	d->loop.epfd = -1;
	if (parse_args(argc, argv, d) < 0)
		return 2;
	if (d->opt.debug)
		log_set_level(LOG_LEVEL_DEBUG);
	if (load_settings(d, &d->set, err, sizeof(err)) < 0) {
		log_warn("%s", err);
		return 2;
	}
	if (d->opt.check || d->opt.print_config) {
		char text[4096];
		dns64_settings_format(&d->set, text, sizeof(text));
		fputs(text, stdout);
		return 0;
	}
	snprintf(d->ctlpath, sizeof(d->ctlpath), "%.107s", d->set.control[0] ? d->set.control : SYS_CTL_DIR "/dns64.sock");
	if (strcmp(d->set.clients_file, "none") == 0)
		d->clients_path[0] = '\0';
	else if (d->set.clients_file[0])
		snprintf(d->clients_path, sizeof(d->clients_path), "%.255s", d->set.clients_file);
	else if (d->set.interface[0])
		snprintf(d->clients_path, sizeof(d->clients_path), "%s/dhcp4-%.15s.clients", SYS_CTL_DIR, d->set.interface);
	else {
		log_warn("clients-file: give one, or interface IF for " SYS_CTL_DIR "/dhcp4-IF.clients (or none)");
		return 2;
	}
	if (d->clients_path[0]) {
		char *slash = strrchr(d->clients_path, '/');
		if (slash) {
			snprintf(d->clients_dir, sizeof(d->clients_dir), "%.*s", (int)(slash - d->clients_path),
				 slash == d->clients_path ? "/" : d->clients_path);
			d->clients_base = slash + 1;
		} else {
			snprintf(d->clients_dir, sizeof(d->clients_dir), ".");
			d->clients_base = d->clients_path;
		}
	}
	d->neigh = calloc(NEIGH_SLOTS, sizeof(*d->neigh));
	d->client_index = calloc(CLIENT_SLOTS, sizeof(*d->client_index));
	d->clients = calloc(CLIENTS_MAX, sizeof(*d->clients));
	d->pend = calloc(d->set.max_pending, sizeof(*d->pend));
	d->by_id = calloc(65536, sizeof(*d->by_id));
	d->conn = calloc(d->set.max_tcp, sizeof(*d->conn));
	if (!d->neigh || !d->client_index || !d->clients || !d->pend || !d->by_id || !d->conn)
		fatal("out of memory");
	for (unsigned i = 0; i < d->set.max_pending; i++)
		d->pend[i].upfd = -1;
	for (unsigned i = 0; i < d->set.max_tcp; i++)
		d->conn[i].fd = -1;
	if (d->opt.daemon && sys_daemonize() < 0)
		fatal("daemon: %s", strerror(errno));
	int r = run(d);
	cleanup(d);
	return r < 0 ? 1 : 0;
}
