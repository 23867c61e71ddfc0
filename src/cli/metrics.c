/* `xlat464 metrics`: reads each daemon's status message (the same as `xlat464 status`) and turns its
 * counters and gauges into Prometheus families. Names follow the Prometheus conventions: the prefix
 * xlat464_, _total on counters, base units (_bytes, _seconds); labels say which daemon and which TUN
 * or interface, and split a family by direction, reason, protocol or state. docs/metrics.md lists
 * every family. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../clat/clat_ctl.h"
#include "../clat/daemon.h"
#include "../common/siit_ctl.h"
#include "../mostly/dhcp4_daemon.h"
#include "../mostly/ra.h"
#include "../plat/plat.h"
#include "../plat/plat_ctl.h"
#include "ctl_client.h"
#include "metrics.h"
#include "prom/prom.h"
#include "sys/clat_offload.h"
#include "sys/ctl.h"
#include "sys/log.h"

static const char metrics_usage[] =
	"usage: xlat464 metrics [--control PATH]... [--listen [ADDR:]PORT]\n"
	"  prints every daemon's counters in the Prometheus text format; with no --control, of every\n"
	"  socket in " SYS_CTL_DIR "/. --listen serves them on http://ADDR:PORT/metrics instead, read\n"
	"  fresh for each request, until SIGTERM or SIGINT (ADDR 127.0.0.1 when left out; [::1]:PORT\n"
	"  for IPv6).\n";

/* One daemon's samples: the registry, and the labels all of them carry. */
struct src {
	struct prom_reg *reg;
	struct prom_labels l;
};

/* prom_add refuses a bad name or a type clash (a bug here) and fails when memory runs out: say so
 * rather than leave a family out without a word. */
static void add(struct src *s, enum prom_type t, const char *name, const char *help, const char *k, const char *kv,
		uint64_t v)
{
	if (prom_add(s->reg, t, name, help, &s->l, k, kv, v) < 0)
		log_warn("%s: sample not written (bad name, type clash or out of memory)", name);
}
static void counter(struct src *s, const char *name, const char *help, uint64_t v)
{
	add(s, PROM_COUNTER, name, help, NULL, NULL, v);
}
static void counter_by(struct src *s, const char *name, const char *help, const char *k, const char *kv, uint64_t v)
{
	add(s, PROM_COUNTER, name, help, k, kv, v);
}
static void gauge(struct src *s, const char *name, const char *help, uint64_t v)
{
	add(s, PROM_GAUGE, name, help, NULL, NULL, v);
}
static void gauge_by(struct src *s, const char *name, const char *help, const char *k, const char *kv, uint64_t v)
{
	add(s, PROM_GAUGE, name, help, k, kv, v);
}

/* A string of a daemon's message, cut at its field's size: the client trusts nothing it reads. */
static const char *cut(char *dst, size_t dcap, const char *field, size_t fcap)
{
	size_t n = fcap < dcap ? fcap : dcap;
	memcpy(dst, field, n);
	dst[n - 1] = '\0';
	return dst;
}
#define CUT(buf, field) cut(buf, sizeof(buf), field, sizeof(field))

static void uptime(struct src *s, uint64_t sec)
{
	gauge(s, "xlat464_uptime_seconds", "Seconds since the daemon started", sec);
}

/* What the three translators (siit, clat, plat) share: lib/xlat's struct xlat_stats. */
static void translator(struct src *s, const struct xlat_stats *st)
{
	static const char pk[] = "Packets translated, by direction (4to6: IPv4 in, IPv6 out)";
	static const char by[] = "Bytes of the packets translated, as received, by direction";
	counter_by(s, "xlat464_packets_total", pk, "direction", "4to6", st->pkts_4to6);
	counter_by(s, "xlat464_packets_total", pk, "direction", "6to4", st->pkts_6to4);
	counter_by(s, "xlat464_bytes_total", by, "direction", "4to6", st->bytes_4to6);
	counter_by(s, "xlat464_bytes_total", by, "direction", "6to4", st->bytes_6to4);
	for (int r = 1; r < XLAT_DROP__COUNT; r++)
		counter_by(s, "xlat464_drops_total",
			   "Packets not translated as they stood, by reason (docs/drop-reasons.md); those answered "
			   "with an ICMP error included",
			   "reason", xlat_drop_name((enum xlat_drop)r), st->drops[r]);
	counter(s, "xlat464_udp_checksums_computed_total",
		"IPv4 UDP datagrams with checksum zero given one (amend-udp-checksum-zero)", st->udp_csum_computed);
	counter(s, "xlat464_reassembly_fragments_total",
		"Fragments of IPv4 UDP datagrams with checksum zero kept for reassembly", st->reasm_fragments);
	counter(s, "xlat464_reassembly_datagrams_total", "Datagrams made whole from those fragments",
		st->reasm_datagrams);
}

static void tun_errors(struct src *s, uint64_t rd, uint64_t wr)
{
	counter(s, "xlat464_tun_read_errors_total", "Failed reads from the TUN", rd);
	counter(s, "xlat464_tun_write_errors_total", "Failed writes to the TUN", wr);
}

static void reloads(struct src *s, uint64_t n)
{
	counter(s, "xlat464_reloads_total", "Configuration reloads (SIGHUP)", n);
}

static void icmp_sent(struct src *s, uint64_t n)
{
	counter(s, "xlat464_icmp_errors_sent_total", "ICMP errors the translator generated and sent", n);
}

static void siit_common(struct src *s, const struct siit_status_msg *m)
{
	uptime(s, m->uptime_sec);
	translator(s, &m->stats);
	icmp_sent(s, m->stats.replies);
	counter(s, "xlat464_hairpinned_packets_total",
		"Packets translated back to IPv6 without leaving the translator (RFC 7757 section 4)", m->hairpinned);
	tun_errors(s, m->tun_read_errors, m->tun_write_errors);
}

static void fastpath_traffic(struct src *s, uint64_t p4, uint64_t b4, uint64_t p6, uint64_t b6)
{
	static const char pk[] = "Packets translated by the kernel fast path, by direction";
	static const char by[] = "Bytes of the packets the kernel fast path translated, by direction";
	counter_by(s, "xlat464_fastpath_packets_total", pk, "direction", "4to6", p4);
	counter_by(s, "xlat464_fastpath_packets_total", pk, "direction", "6to4", p6);
	counter_by(s, "xlat464_fastpath_bytes_total", by, "direction", "4to6", b4);
	counter_by(s, "xlat464_fastpath_bytes_total", by, "direction", "6to4", b6);
}

static void fastpath_on(struct src *s, bool on)
{
	gauge(s, "xlat464_fastpath_enabled", "1 when the kernel fast path (TC BPF program) is attached and translating",
	      on);
}

static void clat(struct src *s, const struct clat_status_msg *msg)
{
	const struct clat_status_info *c = &msg->clat;
	char state[sizeof(c->state)], up[sizeof(c->uplink)], kind[sizeof(c->uplink_kind)], p64[sizeof(c->pref64)],
		p64src[sizeof(c->pref64_source)], mode[sizeof(c->address_mode)], v6[sizeof(c->clat_ipv6)],
		v4[sizeof(c->clat_ipv4)];

	siit_common(s, &msg->siit);
	reloads(s, c->reloads);
	counter(s, "xlat464_reload_errors_total", "Reloads refused: the new configuration was not valid",
		c->reload_errors);
	CUT(state, c->state);
	/* every state, so that an alert on one of them has a series to look at (STOPPING is the last) */
	for (int i = CLAT_STATE_INIT; i <= CLAT_STATE_STOPPING; i++)
		gauge_by(s, "xlat464_clat_state", "The CLAT's state: 1 for the current one, 0 for the others", "state",
			 clat_state_name[i], strcmp(state, clat_state_name[i]) == 0);
	{
		struct src info = *s;
		const char *k[] = { "uplink", "uplink_kind", "pref64", "pref64_source", "address_mode", "clat_ipv4",
				    "clat_ipv6" };
		const char *v[] = { CUT(up, c->uplink),	     CUT(kind, c->uplink_kind), CUT(p64, c->pref64),
				    CUT(p64src, c->pref64_source), CUT(mode, c->address_mode),
				    CUT(v4, c->clat_ipv4),	     CUT(v6, c->clat_ipv6) };
		for (unsigned i = 0; i < sizeof(k) / sizeof(k[0]) && info.l.n < PROM_LABELS_MAX; i++) {
			info.l.k[info.l.n] = k[i];
			info.l.v[info.l.n++] = v[i];
		}
		gauge(&info, "xlat464_clat_info", "The CLAT's uplink, PREF64 and addresses, as labels (value 1)", 1);
	}
	if (c->pref64_lifetime_s >= 0)
		gauge(s, "xlat464_clat_pref64_lifetime_seconds",
		      "Lifetime of the PREF64 in use as learnt (RA PREF64 lifetime or DNS64 answer TTL)",
		      (uint64_t)c->pref64_lifetime_s);
	if (c->pref64_expires_in_s >= 0)
		gauge(s, "xlat464_clat_pref64_expires_in_seconds",
		      "Seconds until the PREF64 in use expires unless refreshed (absent: static, or no prefix)",
		      (uint64_t)c->pref64_expires_in_s);
	gauge(s, "xlat464_clat_uplink_up", "1 when the uplink is up", c->uplink_up);
	gauge(s, "xlat464_clat_native_ipv4", "1 when the host has native IPv4 (the CLAT stands by)", c->native_ipv4);
	gauge(s, "xlat464_clat_ipv6_default_route", "1 when the host has an IPv6 default route", c->ipv6_default);
	gauge(s, "xlat464_clat_uplink_mtu_bytes", "The uplink's IPv6 MTU", c->uplink_mtu);
	gauge(s, "xlat464_clat_tun_mtu_bytes", "The CLAT TUN's MTU", c->tun_mtu);
	counter(s, "xlat464_clat_uplink_changes_total", "Times the uplink changed", c->uplink_changes);
	counter(s, "xlat464_clat_dns64_queries_total", "DNS64 queries for ipv4only.arpa (RFC 7050)", c->dns64_queries);
	counter(s, "xlat464_clat_dns64_answers_total", "DNS64 answers that gave a prefix", c->dns64_answers);
	counter(s, "xlat464_clat_dns64_failures_total", "DNS64 queries that failed", c->dns64_failures);
	counter(s, "xlat464_clat_dad_conflicts_total", "Duplicate address detection conflicts of the CLAT address",
		c->dad_conflicts);
	counter(s, "xlat464_clat_conflicts_after_dad_total", "Conflicts of the CLAT address seen after DAD",
		c->conflicts_after_dad);
	counter(s, "xlat464_clat_neighbor_solicitations_answered_total",
		"Neighbour solicitations for the CLAT address answered",
		c->ns_answered);
	counter(s, "xlat464_clat_neighbor_advertisements_sent_total", "Neighbour advertisements sent", c->na_sent);
	counter(s, "xlat464_clat_renumbers_total", "Times the CLAT address changed", c->renumbers);
	counter(s, "xlat464_clat_mtu_changes_total", "Times the MTU changed", c->mtu_changes);
	counter(s, "xlat464_clat_shared_left_to_host_total",
		"Shared address mode: packets for the host's own sockets left to it", c->shared_left_to_host);
	counter(s, "xlat464_clat_shared_malformed_total", "Shared address mode: malformed packets", c->shared_malformed);
	counter(s, "xlat464_clat_checksums_finished_total",
		"Packets whose checksum a sender on this host left to the device, finished by the CLAT",
		c->checksums_finished);
	counter(s, "xlat464_clat_uplink_queue_full_total",
		"Packets the kernel dropped because the packet socket's queue was full", c->uplink_queue_full);
	fastpath_on(s, c->fast_path_active);
	fastpath_traffic(s, c->fast_path[SYS_CLAT_OFF_PKTS_4TO6], c->fast_path[SYS_CLAT_OFF_BYTES_4TO6],
			 c->fast_path[SYS_CLAT_OFF_PKTS_6TO4], c->fast_path[SYS_CLAT_OFF_BYTES_6TO4]);
	for (unsigned i = SYS_CLAT_OFF_FIRST_PASS; i < SYS_CLAT_OFFLOAD_NCOUNTERS && i < CLAT_FAST_COUNTERS_MAX; i++)
		counter_by(s, "xlat464_clat_fastpath_passed_total",
			   "Packets the CLAT's kernel fast path left to the daemon (or, failed, dropped), by reason",
			   "reason", sys_clat_offload_counter_name(i), c->fast_path[i]);
}

static void plat(struct src *s, const struct plat_status_msg *m)
{
	bool stateful = m->mode == PLAT_STATEFUL;
	const struct nat64_stats *n = &m->nat;
	static const char *const proto[] = { [NAT64_TCP] = "tcp", [NAT64_UDP] = "udp", [NAT64_ICMP] = "icmp" };
	static const char mode[] = "The PLAT's mode: 1 for the one it runs in, 0 for the other";

	uptime(s, m->uptime_sec);
	translator(s, &m->stats);
	icmp_sent(s, m->replies_sent);
	counter(s, "xlat464_icmp_errors_suppressed_total", "ICMP errors not sent: over the rate limit",
		m->replies_suppressed);
	tun_errors(s, m->tun_read_errors, m->tun_write_errors);
	reloads(s, m->reloads);
	gauge_by(s, "xlat464_plat_mode", mode, "mode", "stateful", stateful);
	gauge_by(s, "xlat464_plat_mode", mode, "mode", "stateless", !stateful);
	if (stateful) {
		for (int p = 0; p < NAT64_NPROTO; p++) {
			gauge_by(s, "xlat464_nat64_sessions", "Stateful NAT64 sessions now, by protocol", "proto", proto[p],
				 n->sessions[p]);
			gauge_by(s, "xlat464_nat64_bindings", "Stateful NAT64 bindings (BIB entries) now, by protocol",
				 "proto", proto[p], n->bibs[p]);
		}
		gauge(s, "xlat464_nat64_subscribers", "Subscribers (IPv6 prefixes) with at least one binding",
		      n->subscribers);
		counter(s, "xlat464_nat64_sessions_created_total", "Sessions created", n->sessions_created);
		counter(s, "xlat464_nat64_sessions_expired_total", "Sessions expired", n->sessions_expired);
		counter(s, "xlat464_nat64_sessions_flushed_total", "Sessions removed by a flush", n->sessions_flushed);
		gauge(s, "xlat464_nat64_pool4_ports_in_use", "Pool4 ports bound now, all protocols", n->ports_in_use);
		gauge(s, "xlat464_nat64_pool4_ports", "Pool4 ports there are, all protocols", n->ports_total);
		gauge(s, "xlat464_nat64_memory_bytes", "Memory of the NAT64 tables", n->memory_bytes);
		gauge(s, "xlat464_nat64_syn4_stored", "IPv4 SYNs without a binding kept now (RFC 6146 section 3.5.2.2)",
		      n->syn4_kept_now);
		counter(s, "xlat464_nat64_syn4_stored_total", "IPv4 SYNs without a binding kept for 6 s", n->syn4_kept);
		counter(s, "xlat464_nat64_syn4_simultaneous_opens_total", "Kept IPv4 SYNs that became a simultaneous open",
			n->syn4_simultaneous_opens);
		counter(s, "xlat464_nat64_syn4_port_unreachables_total",
			"Kept IPv4 SYNs answered with port unreachable after 6 s", n->syn4_unreachable);
		counter(s, "xlat464_nat64_syn4_not_stored_total", "IPv4 SYNs without a binding not kept (full)",
			n->syn4_full);
	} else {
		const struct nat64_dynpool_stats *y = &m->dyn;
		gauge(s, "xlat464_nat64_leases", "Stateless NAT64: IPv4 addresses leased now", y->leases);
		gauge(s, "xlat464_nat64_pool4_addresses", "Stateless NAT64: leasable IPv4 addresses", y->addrs_total);
		counter(s, "xlat464_nat64_leases_created_total", "Leases made", y->leases_created);
		counter(s, "xlat464_nat64_leases_expired_total", "Leases expired", y->leases_expired);
		counter(s, "xlat464_nat64_leases_flushed_total", "Leases removed by a flush", y->leases_flushed);
		counter(s, "xlat464_nat64_leases_refused_total", "Leases refused: the pool was full", y->refused_full);
		gauge(s, "xlat464_nat64_memory_bytes", "Memory of the NAT64 tables", y->memory_bytes);
	}
	counter(s, "xlat464_plat_log_lines_total", "Session and binding log lines written", m->log_lines);
	counter(s, "xlat464_plat_log_errors_total", "Session and binding log lines that could not be written",
		m->log_errors);
	gauge(s, "xlat464_ipfix_export_enabled", "1 when exporting to an IPFIX collector", m->ipfix_on);
	counter(s, "xlat464_ipfix_records_sent_total", "IPFIX data records sent", m->ipfix.records_sent);
	counter(s, "xlat464_ipfix_messages_sent_total", "IPFIX messages sent", m->ipfix.messages_sent);
	counter(s, "xlat464_ipfix_template_sets_sent_total", "IPFIX template sets sent", m->ipfix.templates_sent);
	counter(s, "xlat464_ipfix_send_errors_total", "IPFIX messages the socket refused", m->ipfix.send_errors);
	counter(s, "xlat464_ipfix_records_dropped_total", "IPFIX data records in refused messages",
		m->ipfix.records_dropped);
	counter(s, "xlat464_ipfix_alarms_suppressed_total", "Exhaustion and quota events over the one-a-second limit",
		m->ipfix.alarms_suppressed);
	gauge(s, "xlat464_tun_offload_enabled", "1 when the TUN does checksum and TCP segmentation offload", m->offload);
	counter(s, "xlat464_tun_offload_super_packets_total", "TCP super-packets translated whole", m->gso_in);
	counter(s, "xlat464_tun_offload_bytes_total", "Bytes of those super-packets", m->gso_bytes);
	counter(s, "xlat464_tun_offload_checksums_finished_total", "Checksums left to the device, finished",
		m->csum_completed);
	fastpath_on(s, m->bpf_on);
	gauge(s, "xlat464_fastpath_flows", "Flows in the kernel fast path's table now", m->bpf_flows);
	gauge(s, "xlat464_fastpath_sessions", "NAT64 sessions carried by the kernel fast path now",
	      n->sessions_offloaded);
	counter(s, "xlat464_fastpath_expiries_put_off_total",
		"Session expiries put off because the kernel fast path carried the session", n->offload_refreshed);
	counter(s, "xlat464_fastpath_refused_total", "Sessions the kernel fast path could not take (full)",
		n->offload_refused);
	fastpath_traffic(s, m->bpf_pkts4, m->bpf_bytes4, m->bpf_pkts6, m->bpf_bytes6);
	counter(s, "xlat464_fastpath_redirected_total", "Packets the fast path sent out itself (bpf-redirect)",
		m->bpf_redirected);
	counter(s, "xlat464_fastpath_passed_total", "Packets of fast-path flows left to the TUN (SYN, FIN, RST, ...)",
		m->bpf_passed);
	counter(s, "xlat464_fastpath_failed_total", "Packets the fast path dropped half rewritten", m->bpf_failed);
}

static void ra(struct src *s, const struct ra_status_msg *m)
{
	char state[sizeof(m->state)];
	static const char sent[] = "Router Advertisements sent, by kind";
	static const char ans[] = "Router Solicitations answered, by how";

	uptime(s, m->uptime_sec);
	gauge_by(s, "xlat464_ra_state", "The announcer's state, as a label (value 1)", "state", CUT(state, m->state), 1);
	counter_by(s, "xlat464_ra_sent_total", sent, "kind", "periodic", m->ra_periodic);
	counter_by(s, "xlat464_ra_sent_total", sent, "kind", "solicited-multicast", m->ra_solicited_multicast);
	counter_by(s, "xlat464_ra_sent_total", sent, "kind", "solicited-unicast", m->ra_solicited_unicast);
	counter_by(s, "xlat464_ra_sent_total", sent, "kind", "final", m->ra_final);
	counter(s, "xlat464_ra_send_errors_total", "Router Advertisements the socket refused", m->send_errors);
	counter(s, "xlat464_ra_receive_errors_total", "Failed receives", m->recv_errors);
	counter(s, "xlat464_ra_rs_received_total", "Router Solicitations received", m->rs_received);
	counter(s, "xlat464_ra_rs_valid_total", "Router Solicitations valid (RFC 4861 section 6.1.1)", m->rs_valid);
	for (int r = 1; r < RA_RS__COUNT; r++)
		counter_by(s, "xlat464_ra_rs_ignored_total", "Router Solicitations ignored, by reason", "reason",
			   ra_rs_result_name((enum ra_rs_result)r), m->rs_reason[r]);
	counter_by(s, "xlat464_ra_rs_answered_total", ans, "how", "unicast", m->rs_answer_unicast);
	counter_by(s, "xlat464_ra_rs_answered_total", ans, "how", "multicast", m->rs_answer_multicast);
	counter_by(s, "xlat464_ra_rs_answered_total", ans, "how", "coalesced", m->rs_answer_coalesced);
}

static void dhcp4(struct src *s, const struct dhcp4_status_msg *m)
{
	static const char off[] = "OFFERs sent; option108 true: the IPv6-only preferred answer (yiaddr 0.0.0.0)";
	static const char ack[] = "ACKs sent; option108 true: the IPv6-only preferred answer (yiaddr 0.0.0.0)";

	uptime(s, m->uptime_sec);
	gauge(s, "xlat464_dhcp4_clients", "Distinct client hardware addresses seen", m->clients);
	gauge(s, "xlat464_dhcp4_clients_option108", "Of those, clients that asked for option 108 (RFC 8925)",
	      m->clients_108 < m->clients ? m->clients_108 : m->clients);
	counter(s, "xlat464_dhcp4_clients_untracked_total", "Clients seen after the client table filled up",
		m->clients_untracked);
	for (unsigned t = DHCP4_DISCOVER; t <= DHCP4_TYPE_MAX; t++)
		counter_by(s, "xlat464_dhcp4_received_total", "Valid DHCPv4 messages received, by type", "type",
			   dhcp4_type_name(t), m->rx[t]);
	counter_by(s, "xlat464_dhcp4_offers_total", off, "option108", "true", m->offers_v6only);
	counter_by(s, "xlat464_dhcp4_offers_total", off, "option108", "false", m->offers);
	counter_by(s, "xlat464_dhcp4_acks_total", ack, "option108", "true", m->acks_v6only);
	counter_by(s, "xlat464_dhcp4_acks_total", ack, "option108", "false", m->acks);
	counter(s, "xlat464_dhcp4_naks_total", "NAKs sent", m->naks);
	counter(s, "xlat464_dhcp4_informs_total", "INFORMs answered", m->informs);
	counter(s, "xlat464_dhcp4_releases_total", "RELEASEs received", m->releases);
	counter(s, "xlat464_dhcp4_declines_total", "DECLINEs received", m->declines);
	counter(s, "xlat464_dhcp4_receive_errors_total", "Failed receives", m->recv_errors);
	counter(s, "xlat464_dhcp4_send_errors_total", "Failed sends", m->send_errors);
	counter(s, "xlat464_dhcp4_lease_write_errors_total", "Failed writes of the lease file", m->lease_write_errors);
	gauge(s, "xlat464_dhcp4_pool_addresses", "Addresses in the pool (0: option 108 only)", m->pool_size);
	gauge(s, "xlat464_dhcp4_leases_bound", "Leases bound now", m->bound);
	for (int r = 1; r < DHCP4_DROP__COUNT; r++)
		counter_by(s, "xlat464_dhcp4_drops_total", "DHCPv4 messages dropped, by reason", "reason",
			   dhcp4_drop_name((enum dhcp4_drop)r), m->drops[r]);
}

/* One daemon's message into the registry; false when it is not one this build reads. */
static bool add_daemon(struct prom_reg *reg, void *msg, long n)
{
	struct src s = { .reg = reg, .l = { .n = 2, .k = { "daemon", "tun" } } };
	char name[64];

	switch (cli_ctl_kind(msg, n)) {
	case CLI_CTL_SIIT: {
		struct siit_status_msg *m = msg;
		s.l.v[0] = "siit";
		s.l.v[1] = CUT(name, m->tun);
		siit_common(&s, m);
		reloads(&s, m->reloads);
		return true;
	}
	case CLI_CTL_CLAT: {
		struct clat_status_msg *m = msg;
		s.l.v[0] = "clat";
		s.l.v[1] = CUT(name, m->siit.tun);
		clat(&s, m);
		return true;
	}
	case CLI_CTL_PLAT: {
		struct plat_status_msg *m = msg;
		s.l.v[0] = "plat";
		s.l.v[1] = CUT(name, m->tun);
		plat(&s, m);
		return true;
	}
	case CLI_CTL_RA: {
		struct ra_status_msg *m = msg;
		s.l.k[1] = "interface";
		s.l.v[0] = "ra";
		s.l.v[1] = CUT(name, m->ifname);
		ra(&s, m);
		return true;
	}
	case CLI_CTL_DHCP4: {
		struct dhcp4_status_msg *m = msg;
		s.l.k[1] = "interface";
		s.l.v[0] = "dhcp4";
		s.l.v[1] = CUT(name, m->ifname);
		dhcp4(&s, m);
		return true;
	}
	default:
		return false;
	}
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

char *metrics_collect(const char (*paths)[256], unsigned n, size_t *len)
{
	static char found[METRICS_CONTROL_MAX][256];
	struct prom_reg *reg = prom_new();
	size_t cap = cli_ctl_msg_max();
	void *msg = malloc(cap);
	char *out = NULL;

	if (!reg || !msg)
		goto done;
	if (n == 0) {
		n = cli_ctl_list(found, METRICS_CONTROL_MAX);
		paths = (const char (*)[256])found;
	}
	for (unsigned i = 0; i < n; i++) {
		long got = cli_ctl_fetch(paths[i], msg, cap);
		bool ok = got > 0 && add_daemon(reg, msg, got);
		note_answer(paths[i], ok, got < 0 ? strerror(errno) : "unexpected answer (a daemon from another build?)");
		prom_add(reg, PROM_GAUGE, "xlat464_up",
			 "1 when the daemon at this control socket answered with a status this xlat464 reads", NULL,
			 "control", paths[i], ok);
	}
	out = prom_render(reg, len);
done:
	free(msg);
	prom_free(reg);
	return out;
}

int metrics_main(int argc, char **argv)
{
	static char paths[METRICS_CONTROL_MAX][256];
	unsigned n = 0;
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
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(metrics_usage, stdout);
			return 0;
		} else {
			log_warn("%s: unknown option or missing value (see xlat464 metrics --help)", a);
			return 2;
		}
	}
	if (listen)
		return metrics_serve(listen, (const char (*)[256])paths, n);
	size_t len = 0;
	char *text = metrics_collect((const char (*)[256])paths, n, &len);
	if (!text)
		fatal("out of memory");
	int r = fwrite(text, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
	free(text);
	return r;
}
