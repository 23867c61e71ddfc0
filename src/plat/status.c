/* `xlat464 status` for a PLAT: the status message as text or JSON, and the command socket's session
 * list and flush (src/plat/plat_ctl.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "../common/json.h"
#include "plat_ctl.h"
#include "plat.h"
#include "sys/ctl.h"
#include "sys/log.h"

static const char *const proto_names[] = { "tcp", "udp", "icmp", "lease" };

static const char *rec_proto(uint8_t p) { return p <= PLAT_REC_LEASE ? proto_names[p] : "?"; }

static void sub_text(const struct nat64_subscriber_usage *u, char *buf, size_t cap)
{
	char a[INET6_ADDRSTRLEN];
	inet_ntop(AF_INET6, u->prefix, a, sizeof(a));
	snprintf(buf, cap, "%s/%u", a, u->len);
}

static void pool6_of(const struct plat_status_msg *m, char *buf, size_t cap)
{
	/* the settings' pool6 line */
	const char *p = strstr(m->settings, "pool6 ");
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

static void print_text(const struct plat_status_msg *m, const char *path)
{
	const struct xlat_stats *st = &m->stats;
	char settings[PLAT_SETTINGS_TEXT_MAX], p6[64], sub[64];
	char *save = NULL, *line;
	bool stateful = m->mode == PLAT_STATEFUL;

	memcpy(settings, m->settings, sizeof(settings));
	pool6_of(m, p6, sizeof(p6));
	printf("plat on %s (pid %" PRId32 ", up %" PRIu64 " s, %s, control %s)\n", m->tun, m->pid, m->uptime_sec,
	       stateful ? "stateful NAT64" : "stateless NAT64", path);
	printf("settings:\n");
	for (line = strtok_r(settings, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("  %s\n", line);
	printf("pool:\n  pool6    %s\n", p6);
	if (stateful) {
		const struct nat64_stats *n = &m->nat;
		double pct = n->ports_total ? 100.0 * (double)n->ports_in_use / (double)n->ports_total : 0;
		printf("  pool4    %" PRIu64 " of %" PRIu64 " ports in use (%.1f%%)\n", n->ports_in_use, n->ports_total, pct);
		printf("sessions:\n");
		printf("  tcp      %12" PRIu64 " sessions %10" PRIu64 " bindings\n", n->sessions[NAT64_TCP], n->bibs[NAT64_TCP]);
		printf("  udp      %12" PRIu64 " sessions %10" PRIu64 " bindings\n", n->sessions[NAT64_UDP], n->bibs[NAT64_UDP]);
		printf("  icmp     %12" PRIu64 " sessions %10" PRIu64 " bindings\n", n->sessions[NAT64_ICMP], n->bibs[NAT64_ICMP]);
		printf("  created %" PRIu64 ", expired %" PRIu64 ", flushed %" PRIu64 "; %" PRIu64
		       " subscribers; memory %zu bytes (%zu per session)\n",
		       n->sessions_created, n->sessions_expired, n->sessions_flushed, n->subscribers, n->memory_bytes,
		       n->bytes_per_session);
		printf("  IPv4 SYNs without a binding (RFC 6146 3.5.2.2): %" PRIu64 " kept now; %" PRIu64 " kept, %" PRIu64
		       " simultaneous opens, %" PRIu64 " port unreachables, %" PRIu64 " not kept (full)\n",
		       n->syn4_kept_now, n->syn4_kept, n->syn4_simultaneous_opens, n->syn4_unreachable, n->syn4_full);
		if (m->ntop) {
			printf("top subscribers:\n");
			for (uint32_t i = 0; i < m->ntop && i < PLAT_TOP_MAX; i++) {
				sub_text(&m->top[i], sub, sizeof(sub));
				printf("  %-44s %8" PRIu32 " sessions %8" PRIu32 " ports\n", sub, m->top[i].sessions, m->top[i].ports);
			}
		}
	} else {
		const struct nat64_dynpool_stats *y = &m->dyn;
		printf("  pool4    %" PRIu64 " of %" PRIu64 " addresses leased\n", y->leases, y->addrs_total);
		printf("leases: created %" PRIu64 ", expired %" PRIu64 ", flushed %" PRIu64 ", refused (pool full) %" PRIu64
		       "; memory %zu bytes\n",
		       y->leases_created, y->leases_expired, y->leases_flushed, y->refused_full, y->memory_bytes);
	}
	printf("traffic:\n");
	printf("  4to6     %12" PRIu64 " packets %14" PRIu64 " bytes\n", st->pkts_4to6, st->bytes_4to6);
	printf("  6to4     %12" PRIu64 " packets %14" PRIu64 " bytes\n", st->pkts_6to4, st->bytes_6to4);
	printf("  replies  %12" PRIu64 " ICMP errors sent, %" PRIu64 " suppressed by the rate limit\n", m->replies_sent,
	       m->replies_suppressed);
	if (m->tun_read_errors || m->tun_write_errors)
		printf("  TUN errors: %" PRIu64 " read, %" PRIu64 " write\n", m->tun_read_errors, m->tun_write_errors);
	printf("  log      %12" PRIu64 " lines, %" PRIu64 " errors\n", m->log_lines, m->log_errors);
	if (m->ipfix_on || m->ipfix.messages_sent || m->ipfix.send_errors) {
		const struct plat_ipfix_counters *x = &m->ipfix;
		printf("  ipfix    %12" PRIu64 " records in %" PRIu64 " messages (%" PRIu64 " template sets)%s\n",
		       x->records_sent, x->messages_sent, x->templates_sent, m->ipfix_on ? "" : "; export off");
		printf("           %12" PRIu64 " send errors, %" PRIu64 " records dropped, %" PRIu64
		       " exhaustion and quota events suppressed (one a second)\n",
		       x->send_errors, x->records_dropped, x->alarms_suppressed);
	}
	if (m->offload)
		printf("  offload  %12" PRIu64 " TCP super-packets (%" PRIu64 " bytes) translated whole; %" PRIu64
		       " checksums finished\n", m->gso_in, m->gso_bytes, m->csum_completed);
	else
		printf("  offload  off (one packet per read and write)\n");
	if (m->bpf_on) {
		char ifs[sizeof(m->bpf_ifs)];
		memcpy(ifs, m->bpf_ifs, sizeof(ifs));
		ifs[sizeof(ifs) - 1] = '\0';
		printf("kernel fast path (bpf-offload at ingress of %s):\n", ifs);
		printf("  flows    %12" PRIu64 " in the kernel now (%" PRIu64 " sessions; %" PRIu64
		       " expiries put off, %" PRIu64 " refused)\n",
		       m->bpf_flows, m->nat.sessions_offloaded, m->nat.offload_refreshed, m->nat.offload_refused);
		printf("  6to4     %12" PRIu64 " packets %14" PRIu64 " bytes\n", m->bpf_pkts6, m->bpf_bytes6);
		printf("  4to6     %12" PRIu64 " packets %14" PRIu64 " bytes\n", m->bpf_pkts4, m->bpf_bytes4);
		printf("  sent     %12" PRIu64 " translated packets out by the program itself (bpf-redirect)\n",
		       m->bpf_redirected);
		printf("  passed   %12" PRIu64 " packets of those flows to the TUN (SYN, FIN, RST, ...); %" PRIu64
		       " dropped half rewritten\n", m->bpf_passed, m->bpf_failed);
	} else if (m->bpf_error[0]) {
		char e[sizeof(m->bpf_error)];
		memcpy(e, m->bpf_error, sizeof(e));
		e[sizeof(e) - 1] = '\0';
		printf("kernel fast path: off (%s)\n", e);
	}
	if (m->reloads)
		printf("  reloads  %12" PRIu64 "\n", m->reloads);
	status_drops_text(st);
}

static void print_json(const struct plat_status_msg *m, const char *path)
{
	const struct xlat_stats *st = &m->stats;
	char settings[PLAT_SETTINGS_TEXT_MAX], p6[64], sub[64];
	bool stateful = m->mode == PLAT_STATEFUL;

	memcpy(settings, m->settings, sizeof(settings));
	pool6_of(m, p6, sizeof(p6));
	json_status_open(m->daemon, path, m->pid);
	printf(",\n  \"tun\": ");
	json_str(m->tun);
	printf(",\n  \"mode\": \"%s\",\n  \"uptime_seconds\": %" PRIu64 ",\n  \"pool6\": ", stateful ? "stateful" : "stateless",
	       m->uptime_sec);
	json_str(p6);
	printf(",\n  \"settings\": ");
	json_lines(settings);
	printf(",\n");
	if (stateful) {
		const struct nat64_stats *n = &m->nat;
		printf("  \"pool4\": {\"ports_in_use\": %" PRIu64 ", \"ports_total\": %" PRIu64 "},\n", n->ports_in_use,
		       n->ports_total);
		printf("  \"sessions\": {\"tcp\": %" PRIu64 ", \"udp\": %" PRIu64 ", \"icmp\": %" PRIu64 ", \"total\": %" PRIu64 "},\n",
		       n->sessions[NAT64_TCP], n->sessions[NAT64_UDP], n->sessions[NAT64_ICMP],
		       n->sessions[NAT64_TCP] + n->sessions[NAT64_UDP] + n->sessions[NAT64_ICMP]);
		printf("  \"bibs\": {\"tcp\": %" PRIu64 ", \"udp\": %" PRIu64 ", \"icmp\": %" PRIu64 "},\n", n->bibs[NAT64_TCP],
		       n->bibs[NAT64_UDP], n->bibs[NAT64_ICMP]);
		printf("  \"subscribers\": %" PRIu64 ",\n  \"sessions_created\": %" PRIu64 ",\n  \"sessions_expired\": %" PRIu64
		       ",\n  \"sessions_flushed\": %" PRIu64 ",\n",
		       n->subscribers, n->sessions_created, n->sessions_expired, n->sessions_flushed);
		printf("  \"syn4\": {\"kept_now\": %" PRIu64 ", \"kept\": %" PRIu64 ", \"simultaneous_opens\": %" PRIu64
		       ", \"port_unreachables\": %" PRIu64 ", \"not_kept_full\": %" PRIu64 "},\n",
		       n->syn4_kept_now, n->syn4_kept, n->syn4_simultaneous_opens, n->syn4_unreachable, n->syn4_full);
		printf("  \"memory_bytes\": %zu,\n  \"bytes_per_session\": %zu,\n  \"top_subscribers\": [", n->memory_bytes,
		       n->bytes_per_session);
		for (uint32_t i = 0; i < m->ntop && i < PLAT_TOP_MAX; i++) {
			sub_text(&m->top[i], sub, sizeof(sub));
			printf("%s\n    {\"prefix\": ", i ? "," : "");
			json_str(sub);
			printf(", \"sessions\": %" PRIu32 ", \"ports\": %" PRIu32 "}", m->top[i].sessions, m->top[i].ports);
		}
		printf("%s],\n", m->ntop ? "\n  " : "");
	} else {
		const struct nat64_dynpool_stats *y = &m->dyn;
		printf("  \"pool4\": {\"addresses_leased\": %" PRIu64 ", \"addresses_total\": %" PRIu64 "},\n", y->leases,
		       y->addrs_total);
		printf("  \"leases\": %" PRIu64 ",\n  \"leases_created\": %" PRIu64 ",\n  \"leases_expired\": %" PRIu64
		       ",\n  \"leases_flushed\": %" PRIu64 ",\n  \"leases_refused_pool_full\": %" PRIu64 ",\n  \"memory_bytes\": %zu,\n",
		       y->leases, y->leases_created, y->leases_expired, y->leases_flushed, y->refused_full, y->memory_bytes);
	}
	printf("  \"packets_4to6\": %" PRIu64 ",\n  \"bytes_4to6\": %" PRIu64 ",\n", st->pkts_4to6, st->bytes_4to6);
	printf("  \"packets_6to4\": %" PRIu64 ",\n  \"bytes_6to4\": %" PRIu64 ",\n", st->pkts_6to4, st->bytes_6to4);
	printf("  \"replies\": %" PRIu64 ",\n  \"replies_suppressed\": %" PRIu64 ",\n", m->replies_sent, m->replies_suppressed);
	printf("  \"log_lines\": %" PRIu64 ",\n  \"log_errors\": %" PRIu64 ",\n", m->log_lines, m->log_errors);
	printf("  \"ipfix\": {\"on\": %s, \"records_sent\": %" PRIu64 ", \"messages_sent\": %" PRIu64
	       ", \"templates_sent\": %" PRIu64 ", \"send_errors\": %" PRIu64 ", \"records_dropped\": %" PRIu64
	       ", \"alarms_suppressed\": %" PRIu64 "},\n",
	       m->ipfix_on ? "true" : "false", m->ipfix.records_sent, m->ipfix.messages_sent, m->ipfix.templates_sent,
	       m->ipfix.send_errors, m->ipfix.records_dropped, m->ipfix.alarms_suppressed);
	printf("  \"offload\": %s,\n  \"offload_super_packets\": %" PRIu64 ",\n  \"offload_bytes\": %" PRIu64
	       ",\n  \"offload_checksums_finished\": %" PRIu64 ",\n", m->offload ? "true" : "false", m->gso_in, m->gso_bytes,
	       m->csum_completed);
	{
		char ifs[sizeof(m->bpf_ifs)], e[sizeof(m->bpf_error)];
		memcpy(ifs, m->bpf_ifs, sizeof(ifs));
		ifs[sizeof(ifs) - 1] = '\0';
		memcpy(e, m->bpf_error, sizeof(e));
		e[sizeof(e) - 1] = '\0';
		printf("  \"bpf_offload\": {\"on\": %s, \"error\": ", m->bpf_on ? "true" : "false");
		json_str(e);
		printf(", \"interfaces\": ");
		json_str(ifs);
		printf(", \"flows\": %" PRIu64 ", \"sessions_offloaded\": %" PRIu64 ", \"expiries_put_off\": %" PRIu64
		       ", \"refused\": %" PRIu64 ",\n    \"packets_6to4\": %" PRIu64 ", \"bytes_6to4\": %" PRIu64
		       ", \"packets_4to6\": %" PRIu64 ", \"bytes_4to6\": %" PRIu64 ", \"passed\": %" PRIu64
		       ", \"failed\": %" PRIu64 ", \"redirected\": %" PRIu64 "},\n",
		       m->bpf_flows, m->nat.sessions_offloaded, m->nat.offload_refreshed, m->nat.offload_refused,
		       m->bpf_pkts6, m->bpf_bytes6, m->bpf_pkts4, m->bpf_bytes4, m->bpf_passed, m->bpf_failed,
		       m->bpf_redirected);
	}
	printf("  \"tun_read_errors\": %" PRIu64 ",\n  \"tun_write_errors\": %" PRIu64 ",\n", m->tun_read_errors,
	       m->tun_write_errors);
	printf("  \"reloads\": %" PRIu64 ",\n", m->reloads);
	status_drops_json(st);
	printf("\n}\n");
}

static int cmd_connect(const struct plat_status_msg *m)
{
	char path[PLAT_PATH_MAX];
	memcpy(path, m->cmd_path, sizeof(path));
	path[sizeof(path) - 1] = '\0';
	int fd = sys_ctl_connect(path);
	if (fd < 0) {
		log_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	struct timeval tv = { .tv_sec = 10 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static int do_flush(const struct plat_status_msg *m, const char *what, bool json)
{
	struct plat_cmd_req req = { .magic = PLAT_CMD_MAGIC, .op = PLAT_CMD_FLUSH, .proto = NAT64_NPROTO };
	struct plat_cmd_reply rep = { 0 };
	if (strcmp(what, "tcp") == 0)
		req.proto = NAT64_TCP;
	else if (strcmp(what, "udp") == 0)
		req.proto = NAT64_UDP;
	else if (strcmp(what, "icmp") == 0)
		req.proto = NAT64_ICMP;
	else if (strcmp(what, "all") != 0) {
		log_warn("--flush %s: tcp, udp, icmp or all", what);
		return 2;
	}
	int fd = cmd_connect(m);
	if (fd < 0)
		return 1;
	long n = -1;
	if (sys_write_all(fd, &req, sizeof(req)) == 0)
		n = sys_read_all(fd, &rep, sizeof(rep));
	close(fd);
	if (n != (long)sizeof(rep) || rep.magic != PLAT_CMD_MAGIC || rep.status != 0) {
		log_warn("flush: no valid answer");
		return 1;
	}
	if (json)
		printf("{\"flushed\": %" PRIu64 "}\n", rep.count);
	else
		printf("flushed %" PRIu64 " %s\n", rep.count, m->mode == PLAT_STATEFUL ? "sessions" : "leases");
	return 0;
}

static void rec_text(const struct plat_session_rec *r, bool json)
{
	char a6[INET6_ADDRSTRLEN], a4[INET_ADDRSTRLEN], r4[INET_ADDRSTRLEN];
	char state[sizeof(r->state) + 1];
	inet_ntop(AF_INET6, r->v6, a6, sizeof(a6));
	inet_ntop(AF_INET, r->v4, a4, sizeof(a4));
	inet_ntop(AF_INET, r->remote4, r4, sizeof(r4));
	memcpy(state, r->state, sizeof(r->state));
	state[sizeof(r->state)] = '\0';
	if (r->proto == PLAT_REC_LEASE) {
		if (json)
			printf("{\"proto\": \"lease\", \"v6\": \"%s\", \"v4\": \"%s\", \"packets\": %" PRIu64
			       ", \"expires_in_ms\": %" PRIu64 "}",
			       a6, a4, r->packets, r->expires_in_ms);
		else
			printf("lease %-40s %-15s %10" PRIu64 " packets  expires in %" PRIu64 " s\n", a6, a4, r->packets,
			       r->expires_in_ms / 1000);
		return;
	}
	if (json) {
		printf("{\"proto\": \"%s\", \"v6\": \"%s\", \"port6\": %u, \"v4\": \"%s\", \"port4\": %u, \"remote4\": \"%s\", "
		       "\"remote_port\": %u, \"state\": ",
		       rec_proto(r->proto), a6, r->port6, a4, r->port4, r4, r->remote_port);
		json_str(state);
		printf(", \"static\": %s, \"expires_in_ms\": %" PRIu64 "}", r->is_static ? "true" : "false", r->expires_in_ms);
	} else {
		printf("%-4s %s#%u %s#%u -> %s#%u %s%s expires in %" PRIu64 " s\n", rec_proto(r->proto), a6, r->port6, a4,
		       r->port4, r4, r->remote_port, state, r->is_static ? " static" : "", r->expires_in_ms / 1000);
	}
}

static int do_sessions(const struct plat_status_msg *m, bool json)
{
	struct plat_cmd_req req = { .magic = PLAT_CMD_MAGIC, .op = PLAT_CMD_SESSIONS, .proto = NAT64_NPROTO };
	struct plat_cmd_reply rep = { 0 };
	int fd = cmd_connect(m);
	if (fd < 0)
		return 1;
	long n = -1;
	if (sys_write_all(fd, &req, sizeof(req)) == 0)
		n = sys_read_all(fd, &rep, sizeof(rep));
	if (n != (long)sizeof(rep) || rep.magic != PLAT_CMD_MAGIC || rep.status != 0 || rep.count > PLAT_SESSIONS_MAX) {
		log_warn("sessions: no valid answer");
		close(fd);
		return 1;
	}
	struct plat_session_rec *recs = calloc(rep.count ? rep.count : 1, sizeof(*recs));
	if (!recs)
		fatal("out of memory");
	size_t want = rep.count * sizeof(*recs);
	n = want ? sys_read_all(fd, recs, want) : 0;
	close(fd);
	if (n != (long)want) {
		log_warn("sessions: short answer (%ld of %zu bytes)", n, want);
		free(recs);
		return 1;
	}
	if (json)
		printf("{\n  \"total\": %" PRIu64 ",\n  \"sessions\": [", rep.total);
	for (uint64_t i = 0; i < rep.count; i++) {
		if (json)
			printf("%s\n    ", i ? "," : "");
		rec_text(&recs[i], json);
	}
	if (json)
		printf("%s]\n}\n", rep.count ? "\n  " : "");
	else if (rep.total > rep.count)
		printf("(%" PRIu64 " of %" PRIu64 " shown)\n", rep.count, rep.total);
	else if (rep.count == 0)
		printf("(no %s)\n", m->mode == PLAT_STATEFUL ? "sessions" : "leases");
	free(recs);
	return 0;
}

int plat_status_print(const void *msg, size_t len, const char *path, bool json, bool sessions, const char *flush)
{
	struct plat_status_msg *m;
	if (len != sizeof(*m)) {
		log_warn("%s: unexpected plat answer (%zu bytes; a daemon from another build?)", path, len);
		return 1;
	}
	m = malloc(sizeof(*m));
	if (!m)
		fatal("out of memory");
	memcpy(m, msg, sizeof(*m));
	int r = 0;
	if (m->size != sizeof(*m) || m->ndrops != XLAT_DROP__COUNT) {
		log_warn("%s: unexpected plat answer (a daemon from another build?)", path);
		free(m);
		return 1;
	}
	m->daemon[sizeof(m->daemon) - 1] = '\0';
	m->tun[sizeof(m->tun) - 1] = '\0';
	m->settings[sizeof(m->settings) - 1] = '\0';
	if (flush)
		r = do_flush(m, flush, json);
	else if (sessions)
		r = do_sessions(m, json);
	else if (json)
		print_json(m, path);
	else
		print_text(m, path);
	free(m);
	return r;
}
