/* `xlat464 metrics`: reads each daemon's status (the JSON of `xlat464 status --json`) and turns its
 * counters and gauges into Prometheus families. Names follow the Prometheus conventions: the prefix
 * xlat464_, _total on counters, base units (_bytes, _seconds); labels say which daemon and which TUN
 * or interface, and split a family by direction, reason, protocol or state. docs/metrics.md lists
 * every family. Each daemon's families are a table of JSON members; a family by reason takes every
 * member of the JSON object it names, so a new drop reason needs no change here. */
#include <errno.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../clat/daemon.h"
#include "ctl_client.h"
#include "metrics.h"
#include "prom/prom.h"
#include "status_text.h"
#include "sys/ctl.h"
#include "sys/log.h"

static const char metrics_usage[] =
	"usage: xlat464 metrics [--control PATH]... [--listen [ADDR:]PORT] [--timeout MS]\n"
	"  prints every daemon's counters in the Prometheus text format; with no --control, of every\n"
	"  socket in " SYS_CTL_DIR "/. --listen serves them on http://ADDR:PORT/metrics instead, read\n"
	"  fresh for each request, until SIGTERM or SIGINT (ADDR 127.0.0.1 when left out; [::1]:PORT\n"
	"  for IPv6).\n"
	"  --timeout MS   how long the daemons, asked all at once, have to answer (default 1000, 100\n"
	"                 to 30000); one that has not is xlat464_up 0 and xlat464_scrape_timed_out 1\n";

/* One daemon's samples: the registry, the labels all of them carry, and its status. */
struct src {
	struct prom_reg *reg;
	struct prom_labels l;
	struct json_object *st;
};

/* The member at path ("a.b": member b of object a) of the status, or NULL. */
static struct json_object *at(struct json_object *o, const char *path)
{
	char key[64];
	while (o && *path) {
		size_t n = strcspn(path, ".");
		if (n >= sizeof(key) || !json_object_is_type(o, json_type_object))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		if (!json_object_object_get_ex(o, key, &o))
			return NULL;
		path += n + (path[n] == '.');
	}
	return o;
}

/* A number or a boolean as a sample value; false when it is neither (the sample is left out). */
static bool value_of(struct json_object *v, uint64_t *out)
{
	if (json_object_is_type(v, json_type_boolean))
		*out = json_object_get_boolean(v) ? 1 : 0;
	else if (json_object_is_type(v, json_type_int))
		*out = json_object_get_int64(v) < 0 ? 0 : json_object_get_uint64(v);
	else
		return false;
	return true;
}

static const char *str_at(struct json_object *st, const char *path)
{
	struct json_object *v = at(st, path);
	return v && json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
}

/* prom_add refuses a bad name or a type clash (a bug here) and fails when memory runs out: say so
 * rather than leave a family out without a word. */
static void add(struct src *s, enum prom_type t, const char *name, const char *help, const char *k, const char *kv,
		uint64_t v)
{
	if (prom_add(s->reg, t, name, help, &s->l, k, kv, v) < 0)
		log_warn("%s: sample not written (bad name, type clash or out of memory)", name);
}

/* One sample from one member. */
struct fam {
	enum prom_type type;
	const char *name, *help;
	const char *path;   /* the member */
	const char *lk, *lv; /* a label of the sample, or NULL */
};
#define C PROM_COUNTER
#define G PROM_GAUGE

static void add_table(struct src *s, const struct fam *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t v;
		if (value_of(at(s->st, f[i].path), &v))
			add(s, f[i].type, f[i].name, f[i].help, f[i].lk, f[i].lv, v);
	}
}
#define ADD_TABLE(s, t) add_table(s, t, sizeof(t) / sizeof(t[0]))

/* A family by reason (or type): one sample for each member of the object at path, labelled k. */
static void add_each(struct src *s, enum prom_type t, const char *name, const char *help, const char *path,
		     const char *k, bool (*skip)(const char *))
{
	struct json_object *o = at(s->st, path);
	if (!o || !json_object_is_type(o, json_type_object))
		return;
	json_object_object_foreach(o, key, val) {
		uint64_t v;
		if ((!skip || !skip(key)) && value_of(val, &v))
			add(s, t, name, help, k, key, v);
	}
}

/* The data-plane workers' packets (json_workers): one sample per worker and direction, labelled
 * worker="0".. and direction. where: "" for the top level, or "clat." */
static void add_workers(struct src *s, const char *where)
{
	static const char *const dir[] = { "4to6", "6to4" };
	for (unsigned d = 0; d < 2; d++) {
		char path[48];
		snprintf(path, sizeof(path), "%sworker_packets_%s", where, dir[d]);
		struct json_object *a = at(s->st, path);
		if (!a || !json_object_is_type(a, json_type_array))
			continue;
		for (size_t i = 0; i < json_object_array_length(a) && s->l.n < PROM_LABELS_MAX; i++) {
			uint64_t v;
			char num[24];
			if (!value_of(json_object_array_get_idx(a, i), &v))
				continue;
			snprintf(num, sizeof(num), "%zu", i);
			struct src one = *s;
			one.l.k[one.l.n] = "worker";
			one.l.v[one.l.n++] = num;
			add(&one, PROM_COUNTER, "xlat464_worker_packets_total",
			    "Packets each data-plane worker translated, by worker and direction (how the flows spread)",
			    "direction", dir[d], v);
		}
	}
}

static const char pk[] = "Packets translated, by direction (4to6: IPv4 in, IPv6 out)";
static const char by[] = "Bytes of the packets translated, as received, by direction";
static const char fpk[] = "Packets translated by the kernel fast path, by direction";
static const char fby[] = "Bytes of the packets the kernel fast path translated, by direction";
static const char fon[] = "1 when the kernel fast path (TC BPF program) is attached and translating";
static const char up_help[] = "Seconds since the daemon started";

/* What the three translators (siit, clat, plat) share: lib/xlat's counters. */
static const struct fam translator_fams[] = {
	{ G, "xlat464_uptime_seconds", up_help, "uptime_seconds", NULL, NULL },
	{ C, "xlat464_packets_total", pk, "packets_4to6", "direction", "4to6" },
	{ C, "xlat464_packets_total", pk, "packets_6to4", "direction", "6to4" },
	{ C, "xlat464_bytes_total", by, "bytes_4to6", "direction", "4to6" },
	{ C, "xlat464_bytes_total", by, "bytes_6to4", "direction", "6to4" },
};
static const struct fam translator_tail[] = {
	{ C, "xlat464_udp_checksums_computed_total",
	  "IPv4 UDP datagrams with checksum zero given one (amend-udp-checksum-zero)", "udp_checksums_computed", NULL,
	  NULL },
	{ C, "xlat464_reassembly_fragments_total", "Fragments of IPv4 UDP datagrams with checksum zero kept for reassembly",
	  "reassembled_fragments", NULL, NULL },
	{ C, "xlat464_reassembly_datagrams_total", "Datagrams made whole from those fragments", "reassembled_datagrams",
	  NULL, NULL },
	{ C, "xlat464_icmp_errors_sent_total", "ICMP errors the translator generated and sent", "replies", NULL, NULL },
};

static void translator(struct src *s)
{
	ADD_TABLE(s, translator_fams);
	add_each(s, C, "xlat464_drops_total",
		 "Packets not translated as they stood, by reason (docs/drop-reasons.md); those answered with an ICMP "
		 "error included",
		 "drops", "reason", NULL);
	ADD_TABLE(s, translator_tail);
}

static const struct fam tun_fams[] = {
	{ C, "xlat464_tun_read_errors_total", "Failed reads from the TUN", "tun_read_errors", NULL, NULL },
	{ C, "xlat464_tun_write_errors_total", "Failed writes to the TUN", "tun_write_errors", NULL, NULL },
};
static const struct fam reload_fams[] = {
	{ C, "xlat464_reloads_total", "Configuration reloads (SIGHUP)", "reloads", NULL, NULL },
};
static const struct fam hairpin_fams[] = {
	{ C, "xlat464_hairpinned_packets_total",
	  "Packets translated back to IPv6 without leaving the translator (RFC 7757 section 4)", "hairpinned", NULL,
	  NULL },
};

/* siit and plat: the TUN's offload (json_xlat_offload) */
static const struct fam offload_fams[] = {
	{ G, "xlat464_tun_offload_enabled", "1 when the TUN does checksum and TCP segmentation offload", "offload", NULL,
	  NULL },
	{ C, "xlat464_tun_offload_super_packets_total", "TCP super-packets translated whole", "offload_super_packets", NULL,
	  NULL },
	{ C, "xlat464_tun_offload_bytes_total", "Bytes of those super-packets", "offload_bytes", NULL, NULL },
	{ C, "xlat464_tun_offload_checksums_finished_total", "Checksums left to the device, finished",
	  "offload_checksums_finished", NULL, NULL },
};

static void siit(struct src *s)
{
	translator(s);
	add_workers(s, "");
	ADD_TABLE(s, hairpin_fams);
	ADD_TABLE(s, tun_fams);
	ADD_TABLE(s, offload_fams);
	ADD_TABLE(s, reload_fams);
}

static const struct fam clat_fams[] = {
	{ C, "xlat464_reloads_total", "Configuration reloads (SIGHUP)", "clat.reloads", NULL, NULL },
	{ C, "xlat464_reload_errors_total", "Reloads refused: the new configuration was not valid", "clat.reload_errors",
	  NULL, NULL },
};
static const struct fam clat_fams2[] = {
	{ G, "xlat464_clat_pref64_lifetime_seconds",
	  "Lifetime of the PREF64 in use as learnt (RA PREF64 lifetime or DNS64 answer TTL)",
	  "clat.pref64_lifetime_seconds", NULL, NULL },
	{ G, "xlat464_clat_pref64_expires_in_seconds",
	  "Seconds until the PREF64 in use expires unless refreshed (absent: static, or no prefix)",
	  "clat.pref64_expires_in_seconds", NULL, NULL },
	{ G, "xlat464_clat_uplink_up", "1 when the uplink is up", "clat.uplink_up", NULL, NULL },
	{ G, "xlat464_clat_native_ipv4", "1 when the host has native IPv4 (the CLAT stands by)", "clat.native_ipv4", NULL,
	  NULL },
	{ G, "xlat464_clat_ipv6_default_route", "1 when the host has an IPv6 default route", "clat.ipv6_default_route",
	  NULL, NULL },
	{ G, "xlat464_clat_uplink_mtu_bytes", "The uplink's IPv6 MTU", "clat.uplink_mtu", NULL, NULL },
	{ G, "xlat464_clat_tun_mtu_bytes", "The CLAT TUN's MTU", "clat.tun_mtu", NULL, NULL },
	{ C, "xlat464_clat_uplink_changes_total", "Times the uplink changed", "clat.uplink_changes", NULL, NULL },
	{ C, "xlat464_clat_dns64_queries_total", "DNS64 queries for ipv4only.arpa (RFC 7050)", "clat.dns64_queries", NULL,
	  NULL },
	{ C, "xlat464_clat_dns64_answers_total", "DNS64 answers that gave a prefix", "clat.dns64_answers", NULL, NULL },
	{ C, "xlat464_clat_dns64_failures_total", "DNS64 queries that failed", "clat.dns64_failures", NULL, NULL },
	{ C, "xlat464_clat_dad_conflicts_total", "Duplicate address detection conflicts of the CLAT address",
	  "clat.dad_conflicts", NULL, NULL },
	{ C, "xlat464_clat_conflicts_after_dad_total", "Conflicts of the CLAT address seen after DAD",
	  "clat.conflicts_after_dad", NULL, NULL },
	{ C, "xlat464_clat_neighbor_solicitations_answered_total", "Neighbour solicitations for the CLAT address answered",
	  "clat.ns_answered", NULL, NULL },
	{ C, "xlat464_clat_neighbor_advertisements_sent_total", "Neighbour advertisements sent", "clat.na_sent", NULL,
	  NULL },
	{ C, "xlat464_clat_renumbers_total", "Times the CLAT address changed", "clat.renumbers", NULL, NULL },
	{ C, "xlat464_clat_mtu_changes_total", "Times the MTU changed", "clat.mtu_changes", NULL, NULL },
	{ C, "xlat464_clat_shared_left_to_host_total", "Shared address mode: packets for the host's own sockets left to it",
	  "clat.shared_left_to_host", NULL, NULL },
	{ C, "xlat464_clat_shared_malformed_total", "Shared address mode: malformed packets", "clat.shared_malformed",
	  NULL, NULL },
	{ C, "xlat464_clat_checksums_finished_total",
	  "Packets whose checksum a sender on this host left to the device, finished by the CLAT",
	  "clat.checksums_finished", NULL, NULL },
	{ C, "xlat464_clat_uplink_queue_full_total", "Packets the kernel dropped because the packet socket's queue was full",
	  "clat.uplink_queue_full", NULL, NULL },
	{ G, "xlat464_fastpath_enabled", fon, "clat.fast_path_active", NULL, NULL },
	{ C, "xlat464_fastpath_packets_total", fpk, "clat.fast_path.pkts-4to6", "direction", "4to6" },
	{ C, "xlat464_fastpath_packets_total", fpk, "clat.fast_path.pkts-6to4", "direction", "6to4" },
	{ C, "xlat464_fastpath_bytes_total", fby, "clat.fast_path.bytes-4to6", "direction", "4to6" },
	{ C, "xlat464_fastpath_bytes_total", fby, "clat.fast_path.bytes-6to4", "direction", "6to4" },
};

/* The fast path's traffic counters; the others are the reasons a packet was left to the daemon. */
static bool fast_traffic(const char *k) { return strncmp(k, "pkts-", 5) == 0 || strncmp(k, "bytes-", 6) == 0; }

static void clat(struct src *s)
{
	const char *state = str_at(s->st, "clat.state");

	translator(s);
	add_workers(s, "clat.");
	ADD_TABLE(s, hairpin_fams);
	ADD_TABLE(s, tun_fams);
	ADD_TABLE(s, clat_fams);
	/* every state, so that an alert on one of them has a series to look at (STOPPING is the last) */
	for (int i = CLAT_STATE_INIT; i <= CLAT_STATE_STOPPING; i++)
		add(s, G, "xlat464_clat_state", "The CLAT's state: 1 for the current one, 0 for the others", "state",
		    clat_state_name[i], strcmp(state, clat_state_name[i]) == 0);
	struct src info = *s;
	static const char *const k[] = { "uplink", "uplink_kind", "pref64", "pref64_source", "address_mode",
					  "clat_ipv4", "clat_ipv6" };
	static const char *const path[] = { "clat.uplink", "clat.uplink_kind", "clat.pref64", "clat.pref64_source",
					    "clat.address_mode", "clat.clat_ipv4", "clat.clat_ipv6" };
	for (unsigned i = 0; i < sizeof(k) / sizeof(k[0]) && info.l.n < PROM_LABELS_MAX; i++) {
		info.l.k[info.l.n] = k[i];
		info.l.v[info.l.n++] = str_at(s->st, path[i]);
	}
	add(&info, G, "xlat464_clat_info", "The CLAT's uplink, PREF64 and addresses, as labels (value 1)", NULL, NULL, 1);
	ADD_TABLE(s, clat_fams2);
	add_each(s, C, "xlat464_clat_fastpath_passed_total",
		 "Packets the CLAT's kernel fast path left to the daemon (or, failed, dropped), by reason",
		 "clat.fast_path", "reason", fast_traffic);
}

static const char mode_help[] = "The PLAT's mode: 1 for the one it runs in, 0 for the other";
static const char ses_help[] = "Stateful NAT64 sessions now, by protocol";
static const char bib_help[] = "Stateful NAT64 bindings (BIB entries) now, by protocol";
static const char mem_help[] = "Memory of the NAT64 tables";

static const struct fam plat_head[] = {
	{ C, "xlat464_icmp_errors_suppressed_total", "ICMP errors not sent: over the rate limit", "replies_suppressed",
	  NULL, NULL },
};
static const struct fam plat_stateful[] = {
	{ G, "xlat464_nat64_sessions", ses_help, "sessions.tcp", "proto", "tcp" },
	{ G, "xlat464_nat64_bindings", bib_help, "bibs.tcp", "proto", "tcp" },
	{ G, "xlat464_nat64_sessions", ses_help, "sessions.udp", "proto", "udp" },
	{ G, "xlat464_nat64_bindings", bib_help, "bibs.udp", "proto", "udp" },
	{ G, "xlat464_nat64_sessions", ses_help, "sessions.icmp", "proto", "icmp" },
	{ G, "xlat464_nat64_bindings", bib_help, "bibs.icmp", "proto", "icmp" },
	{ G, "xlat464_nat64_subscribers", "Subscribers (IPv6 prefixes) with at least one binding", "subscribers", NULL,
	  NULL },
	{ C, "xlat464_nat64_sessions_created_total", "Sessions created", "sessions_created", NULL, NULL },
	{ C, "xlat464_nat64_sessions_expired_total", "Sessions expired", "sessions_expired", NULL, NULL },
	{ C, "xlat464_nat64_sessions_flushed_total", "Sessions removed by a flush", "sessions_flushed", NULL, NULL },
	{ G, "xlat464_nat64_pool4_ports_in_use", "Pool4 ports bound now, all protocols", "pool4.ports_in_use", NULL, NULL },
	{ G, "xlat464_nat64_pool4_ports", "Pool4 ports there are, all protocols", "pool4.ports_total", NULL, NULL },
	{ G, "xlat464_nat64_memory_bytes", mem_help, "memory_bytes", NULL, NULL },
	{ G, "xlat464_nat64_syn4_stored", "IPv4 SYNs without a binding kept now (RFC 6146 section 3.5.2.2)",
	  "syn4.kept_now", NULL, NULL },
	{ C, "xlat464_nat64_syn4_stored_total", "IPv4 SYNs without a binding kept for 6 s", "syn4.kept", NULL, NULL },
	{ C, "xlat464_nat64_syn4_simultaneous_opens_total", "Kept IPv4 SYNs that became a simultaneous open",
	  "syn4.simultaneous_opens", NULL, NULL },
	{ C, "xlat464_nat64_syn4_port_unreachables_total", "Kept IPv4 SYNs answered with port unreachable after 6 s",
	  "syn4.port_unreachables", NULL, NULL },
	{ C, "xlat464_nat64_syn4_not_stored_total", "IPv4 SYNs without a binding not kept (full)", "syn4.not_kept_full",
	  NULL, NULL },
};
static const struct fam plat_stateless[] = {
	{ G, "xlat464_nat64_leases", "Stateless NAT64: IPv4 addresses leased now", "leases", NULL, NULL },
	{ G, "xlat464_nat64_pool4_addresses", "Stateless NAT64: leasable IPv4 addresses", "pool4.addresses_total", NULL,
	  NULL },
	{ C, "xlat464_nat64_leases_created_total", "Leases made", "leases_created", NULL, NULL },
	{ C, "xlat464_nat64_leases_expired_total", "Leases expired", "leases_expired", NULL, NULL },
	{ C, "xlat464_nat64_leases_flushed_total", "Leases removed by a flush", "leases_flushed", NULL, NULL },
	{ C, "xlat464_nat64_leases_refused_total", "Leases refused: the pool was full", "leases_refused_pool_full", NULL,
	  NULL },
	{ G, "xlat464_nat64_memory_bytes", mem_help, "memory_bytes", NULL, NULL },
};
static const struct fam plat_tail[] = {
	{ C, "xlat464_plat_log_lines_total", "Session and binding log lines written", "log_lines", NULL, NULL },
	{ C, "xlat464_plat_log_errors_total", "Session and binding log lines that could not be written", "log_errors",
	  NULL, NULL },
	{ G, "xlat464_ipfix_export_enabled", "1 when exporting to an IPFIX collector", "ipfix.on", NULL, NULL },
	{ C, "xlat464_ipfix_records_sent_total", "IPFIX data records sent", "ipfix.records_sent", NULL, NULL },
	{ C, "xlat464_ipfix_messages_sent_total", "IPFIX messages sent", "ipfix.messages_sent", NULL, NULL },
	{ C, "xlat464_ipfix_template_sets_sent_total", "IPFIX template sets sent", "ipfix.templates_sent", NULL, NULL },
	{ C, "xlat464_ipfix_send_errors_total", "IPFIX messages the socket refused", "ipfix.send_errors", NULL, NULL },
	{ C, "xlat464_ipfix_records_dropped_total", "IPFIX data records in refused messages", "ipfix.records_dropped", NULL,
	  NULL },
	{ C, "xlat464_ipfix_alarms_suppressed_total", "Exhaustion and quota events over the one-a-second limit",
	  "ipfix.alarms_suppressed", NULL, NULL },
	{ G, "xlat464_fastpath_enabled", fon, "bpf_offload.on", NULL, NULL },
	{ G, "xlat464_fastpath_flows", "Flows in the kernel fast path's table now", "bpf_offload.flows", NULL, NULL },
	{ G, "xlat464_fastpath_sessions", "NAT64 sessions carried by the kernel fast path now",
	  "bpf_offload.sessions_offloaded", NULL, NULL },
	{ C, "xlat464_fastpath_expiries_put_off_total",
	  "Session expiries put off because the kernel fast path carried the session", "bpf_offload.expiries_put_off",
	  NULL, NULL },
	{ C, "xlat464_fastpath_refused_total", "Sessions the kernel fast path could not take (full)",
	  "bpf_offload.refused", NULL, NULL },
	{ C, "xlat464_fastpath_packets_total", fpk, "bpf_offload.packets_4to6", "direction", "4to6" },
	{ C, "xlat464_fastpath_packets_total", fpk, "bpf_offload.packets_6to4", "direction", "6to4" },
	{ C, "xlat464_fastpath_bytes_total", fby, "bpf_offload.bytes_4to6", "direction", "4to6" },
	{ C, "xlat464_fastpath_bytes_total", fby, "bpf_offload.bytes_6to4", "direction", "6to4" },
	{ C, "xlat464_fastpath_redirected_total", "Packets the fast path sent out itself (bpf-redirect)",
	  "bpf_offload.redirected", NULL, NULL },
	{ C, "xlat464_fastpath_passed_total", "Packets of fast-path flows left to the TUN (SYN, FIN, RST, ...)",
	  "bpf_offload.passed", NULL, NULL },
	{ C, "xlat464_fastpath_failed_total", "Packets the fast path dropped half rewritten", "bpf_offload.failed", NULL,
	  NULL },
};

static void plat(struct src *s)
{
	bool stateful = strcmp(str_at(s->st, "mode"), "stateless") != 0;

	translator(s);
	add_workers(s, "");
	ADD_TABLE(s, plat_head);
	ADD_TABLE(s, tun_fams);
	ADD_TABLE(s, offload_fams);
	ADD_TABLE(s, reload_fams);
	add(s, G, "xlat464_plat_mode", mode_help, "mode", "stateful", stateful);
	add(s, G, "xlat464_plat_mode", mode_help, "mode", "stateless", !stateful);
	if (stateful)
		ADD_TABLE(s, plat_stateful);
	else
		ADD_TABLE(s, plat_stateless);
	ADD_TABLE(s, plat_tail);
}

static const char sent[] = "Router Advertisements sent, by kind";
static const char ans[] = "Router Solicitations answered, by how";
static const struct fam ra_fams[] = {
	{ G, "xlat464_uptime_seconds", up_help, "uptime_seconds", NULL, NULL },
	{ C, "xlat464_ra_sent_total", sent, "ra_sent.periodic", "kind", "periodic" },
	{ C, "xlat464_ra_sent_total", sent, "ra_sent.solicited_multicast", "kind", "solicited-multicast" },
	{ C, "xlat464_ra_sent_total", sent, "ra_sent.solicited_unicast", "kind", "solicited-unicast" },
	{ C, "xlat464_ra_sent_total", sent, "ra_sent.final", "kind", "final" },
	{ C, "xlat464_ra_send_errors_total", "Router Advertisements the socket refused", "ra_sent.send_errors", NULL, NULL },
	{ C, "xlat464_ra_receive_errors_total", "Failed receives", "rs.receive_errors", NULL, NULL },
	{ C, "xlat464_ra_rs_received_total", "Router Solicitations received", "rs.received", NULL, NULL },
	{ C, "xlat464_ra_rs_valid_total", "Router Solicitations valid (RFC 4861 section 6.1.1)", "rs.valid", NULL, NULL },
};
static const struct fam ra_tail[] = {
	{ C, "xlat464_ra_rs_answered_total", ans, "rs.answered_unicast", "how", "unicast" },
	{ C, "xlat464_ra_rs_answered_total", ans, "rs.answered_multicast", "how", "multicast" },
	{ C, "xlat464_ra_rs_answered_total", ans, "rs.coalesced", "how", "coalesced" },
};

static void ra_link(struct src *s)
{
	add(s, G, "xlat464_ra_state", "The announcer's state, as a label (value 1)", "state", str_at(s->st, "state"), 1);
	ADD_TABLE(s, ra_fams);
	add_each(s, C, "xlat464_ra_rs_ignored_total", "Router Solicitations ignored, by reason", "rs_ignored", "reason",
		 NULL);
	ADD_TABLE(s, ra_tail);
}

/* One ra process may announce on several interfaces: each member of "interfaces" gives its samples
 * with its own interface label (the top level sums them). A status without the array (an older
 * daemon) is read as one interface. */
static void ra(struct src *s)
{
	struct json_object *ifs = at(s->st, "interfaces");
	size_t n = ifs && json_object_is_type(ifs, json_type_array) ? json_object_array_length(ifs) : 0;
	uint64_t up;
	if (n == 0) {
		ra_link(s);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct src e = *s;
		e.st = json_object_array_get_idx(ifs, i);
		e.l.v[1] = str_at(e.st, "interface");
		if (value_of(at(s->st, "uptime_seconds"), &up))
			add(&e, G, "xlat464_uptime_seconds", up_help, NULL, NULL, up);
		ra_link(&e);
	}
}

static const char off[] = "OFFERs sent; option108 true: the IPv6-only preferred answer (yiaddr 0.0.0.0)";
static const char ack[] = "ACKs sent; option108 true: the IPv6-only preferred answer (yiaddr 0.0.0.0)";
static const struct fam dhcp4_fams[] = {
	{ G, "xlat464_uptime_seconds", up_help, "uptime_seconds", NULL, NULL },
	{ G, "xlat464_dhcp4_clients", "Distinct client hardware addresses seen", "clients", NULL, NULL },
	{ G, "xlat464_dhcp4_clients_option108", "Of those, clients that asked for option 108 (RFC 8925)",
	  "clients_option108", NULL, NULL },
	{ C, "xlat464_dhcp4_clients_untracked_total", "Clients seen after the client table filled up",
	  "clients_untracked", NULL, NULL },
};
static const struct fam dhcp4_tail[] = {
	{ C, "xlat464_dhcp4_offers_total", off, "offers_option108", "option108", "true" },
	{ C, "xlat464_dhcp4_offers_total", off, "offers", "option108", "false" },
	{ C, "xlat464_dhcp4_acks_total", ack, "acks_option108", "option108", "true" },
	{ C, "xlat464_dhcp4_acks_total", ack, "acks", "option108", "false" },
	{ C, "xlat464_dhcp4_naks_total", "NAKs sent", "naks", NULL, NULL },
	{ C, "xlat464_dhcp4_informs_total", "INFORMs answered", "informs", NULL, NULL },
	{ C, "xlat464_dhcp4_releases_total", "RELEASEs received", "releases", NULL, NULL },
	{ C, "xlat464_dhcp4_declines_total", "DECLINEs received", "declines", NULL, NULL },
	{ C, "xlat464_dhcp4_receive_errors_total", "Failed receives", "receive_errors", NULL, NULL },
	{ C, "xlat464_dhcp4_send_errors_total", "Failed sends", "send_errors", NULL, NULL },
	{ C, "xlat464_dhcp4_lease_write_errors_total", "Failed writes of the lease file", "lease_write_errors", NULL, NULL },
	{ G, "xlat464_dhcp4_pool_addresses", "Addresses in the pool (0: option 108 only)", "pool_size", NULL, NULL },
	{ G, "xlat464_dhcp4_leases_bound", "Leases bound now", "leases_bound", NULL, NULL },
};

static void dhcp4(struct src *s)
{
	ADD_TABLE(s, dhcp4_fams);
	add_each(s, C, "xlat464_dhcp4_received_total", "Valid DHCPv4 messages received, by type", "received", "type",
		 NULL);
	ADD_TABLE(s, dhcp4_tail);
	add_each(s, C, "xlat464_dhcp4_drops_total", "DHCPv4 messages dropped, by reason", "drops", "reason", NULL);
	/* Per relay agent (giaddr): at most 64, so the series stay bounded. */
	struct json_object *rl = at(s->st, "relays");
	size_t n = rl && json_object_is_type(rl, json_type_array) ? json_object_array_length(rl) : 0;
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(rl, i);
		const char *gi = str_at(r, "giaddr");
		uint64_t v;
		if (value_of(at(r, "clients"), &v))
			add(s, G, "xlat464_dhcp4_relay_clients", "Distinct clients behind a relay agent (giaddr)", "relay", gi, v);
		if (value_of(at(r, "clients_108"), &v))
			add(s, G, "xlat464_dhcp4_relay_clients_option108",
			    "Of the clients behind a relay agent, those that asked for option 108", "relay", gi, v);
		if (value_of(at(r, "requests"), &v))
			add(s, C, "xlat464_dhcp4_relay_requests_total", "Requests relayed by a relay agent", "relay", gi, v);
	}
}

static const struct fam dns64_fams[] = {
	{ G, "xlat464_uptime_seconds", up_help, "uptime_seconds", NULL, NULL },
	{ G, "xlat464_dns64_clients", "Clients known from dhcp4's clients file, by kind", "clients.clat", "kind", "clat" },
	{ G, "xlat464_dns64_clients", "Clients known from dhcp4's clients file, by kind", "clients.no-clat", "kind",
	  "no-clat" },
	{ G, "xlat464_dns64_neighbours", "IPv6 neighbours followed (address to MAC)", "neighbours", NULL, NULL },
	{ C, "xlat464_dns64_queries_total", "Queries received, by transport", "queries.udp", "transport", "udp" },
	{ C, "xlat464_dns64_queries_total", "Queries received, by transport", "queries.tcp", "transport", "tcp" },
	{ G, "xlat464_dns64_pending", "Queries waiting for the upstream resolver", "pending", NULL, NULL },
	{ G, "xlat464_dns64_tcp_connections", "TCP connections open", "tcp_connections", NULL, NULL },
	{ C, "xlat464_dns64_clients_file_loads_total", "Times the clients file was read", "clients_file_loads", NULL,
	  NULL },
	{ C, "xlat464_dns64_clients_file_bad_lines_total", "Lines of the clients file refused", "clients_file_bad_lines",
	  NULL, NULL },
};

static void dns64(struct src *s)
{
	ADD_TABLE(s, dns64_fams);
	add_each(s, C, "xlat464_dns64_client_queries_total", "Queries by the kind of client that asked",
		 "queries_by_client_kind", "kind", NULL);
	add_each(s, C, "xlat464_dns64_answers_total", "Answers sent, by kind (passed: the upstream answer untouched)",
		 "answers", "kind", NULL);
	add_each(s, C, "xlat464_dns64_passed_total", "Answers passed through untouched, by reason", "passed_by_reason",
		 "reason", NULL);
	add_each(s, C, "xlat464_dns64_drops_total", "Queries and upstream answers dropped, by reason", "drops", "reason",
		 NULL);
}

/* One daemon's status into the registry; false when it is not one this build reads. */
static bool add_daemon(struct prom_reg *reg, struct json_object *st)
{
	struct src s = { .reg = reg, .l = { .n = 2, .k = { "daemon", "tun" } }, .st = st };
	const char *d = str_at(st, "daemon");

	s.l.v[0] = d;
	s.l.v[1] = str_at(st, "tun");
	if (strcmp(d, "siit") == 0)
		siit(&s);
	else if (strcmp(d, "clat") == 0)
		clat(&s);
	else if (strcmp(d, "plat") == 0)
		plat(&s);
	else if (strcmp(d, "ra") == 0 || strcmp(d, "dhcp4") == 0) {
		s.l.k[1] = "interface";
		s.l.v[1] = str_at(st, "interface");
		if (d[0] == 'r')
			ra(&s);
		else
			dhcp4(&s);
	} else if (strcmp(d, "dns64") == 0) {
		s.l.n = 1;
		dns64(&s);
	} else
		return false;
	return true;
}

/* A daemon that stops answering is warned about once, not at every scrape, and its return is noted. */
static void note_answer(const char *path, bool ok, const char *why)
{
	static char failing[METRICS_CONTROL_MAX][256];
	static unsigned nfailing;
	unsigned i = 0;

	while (i < nfailing && strcmp(failing[i], path) != 0)
		i++;
	if (!ok && i == nfailing) {
		log_warn("%s: %s (xlat464_up 0 until it answers)", path, why);
		if (nfailing < METRICS_CONTROL_MAX)
			snprintf(failing[nfailing++], sizeof(failing[0]), "%.255s", path);
	} else if (ok && i < nfailing) {
		log_info("%s: answers again", path);
		memmove(failing[i], failing[i + 1], (size_t)(nfailing - i - 1) * sizeof(failing[0]));
		nfailing--;
	}
}

char *metrics_collect(const char (*paths)[256], unsigned n, unsigned timeout_ms, size_t *len)
{
	static char found[METRICS_CONTROL_MAX][256];
	char *texts[METRICS_CONTROL_MAX];
	int errs[METRICS_CONTROL_MAX];
	struct prom_reg *reg = prom_new();
	char *out = NULL;

	if (!reg)
		return NULL;
	if (n == 0) {
		n = cli_ctl_list(found, METRICS_CONTROL_MAX);
		paths = (const char (*)[256])found;
	}
	if (n > METRICS_CONTROL_MAX)
		n = METRICS_CONTROL_MAX;
	ctl_status_json_all(paths, n, timeout_ms, texts, errs);
	for (unsigned i = 0; i < n; i++) {
		char err[160] = "";
		struct json_object *st = NULL;
		if (!texts[i])
			ctl_strerror(errs[i], CTL_STATUS_MAX, timeout_ms, err, sizeof(err));
		else if (!(st = status_parse(texts[i], strlen(texts[i]), err, sizeof(err))))
			;
		else if (!add_daemon(reg, st))
			snprintf(err, sizeof(err), "a status of no daemon this xlat464 knows");
		bool ok = st && !err[0];
		note_answer(paths[i], ok, err);
		prom_add(reg, PROM_GAUGE, "xlat464_up",
			 "1 when the daemon at this control socket answered with a status this xlat464 reads", NULL,
			 "control", paths[i], ok);
		prom_add(reg, PROM_GAUGE, "xlat464_scrape_timed_out",
			 "1 when the daemon at this control socket did not answer within the scrape's --timeout", NULL,
			 "control", paths[i], !texts[i] && errs[i] == ETIMEDOUT);
		json_object_put(st);
		free(texts[i]);
	}
	out = prom_render(reg, len);
	prom_free(reg);
	return out;
}

int metrics_main(int argc, char **argv)
{
	static char paths[METRICS_CONTROL_MAX][256];
	unsigned n = 0, timeout_ms = CTL_TIMEOUT_MS;
	const char *listen = NULL;

	log_set_ident("xlat464 metrics");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--control") == 0 && i + 1 < argc) {
			if (n == METRICS_CONTROL_MAX) {
				log_warn("--control: at most %d sockets", METRICS_CONTROL_MAX);
				return 2;
			}
			snprintf(paths[n++], sizeof(paths[0]), "%s", argv[++i]);
		} else if (strcmp(a, "--listen") == 0 && i + 1 < argc) {
			listen = argv[++i];
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			if (ctl_timeout_arg(argv[++i], &timeout_ms) < 0)
				return 2;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(metrics_usage, stdout);
			return 0;
		} else {
			log_warn("%s: unknown option or missing value (see xlat464 metrics --help)", a);
			return 2;
		}
	}
	if (listen)
		return metrics_serve(listen, (const char (*)[256])paths, n, timeout_ms);
	size_t len = 0;
	char *text = metrics_collect((const char (*)[256])paths, n, timeout_ms, &len);
	if (!text)
		fatal("out of memory");
	int r = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
	free(text);
	return r;
}
