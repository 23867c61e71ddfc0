/* `xlat464 status` for a dhcp4 daemon: how many clients asked for option 108, what was answered,
 * and the drops by reason (text: nonzero ones; JSON: all). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../common/json.h"
#include "dhcp4_daemon.h"
#include "sys/log.h"


static double share(uint64_t part, uint64_t whole)
{
	return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_text(const struct dhcp4_status_msg *m, const char *path, char *settings)
{
	char *save = NULL, *line;
	bool any = false;

	printf("%s on %s (pid %" PRId32 ", up %" PRIu64 " s, control %s)\n", m->daemon, m->ifname, m->pid,
	       m->uptime_sec, path);
	printf("settings:\n");
	for (line = strtok_r(settings, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("  %s\n", line);
	printf("clients:\n");
	printf("  seen            %10" PRIu64 "\n", m->clients);
	printf("  asked for 108   %10" PRIu64 "  (%.1f%%)\n", m->clients_108, share(m->clients_108, m->clients));
	printf("  did not         %10" PRIu64 "\n", m->clients - m->clients_108);
	if (m->clients_untracked)
		printf("  untracked       %10" PRIu64 "  (after the client table filled up)\n", m->clients_untracked);
	printf("messages received:\n ");
	for (unsigned t = DHCP4_DISCOVER; t <= DHCP4_TYPE_MAX; t++)
		if (m->rx[t])
			printf(" %s %" PRIu64, dhcp4_type_name(t), m->rx[t]);
	printf("\nanswers:\n");
	printf("  option 108      %10" PRIu64 " OFFER  %10" PRIu64 " ACK   (yiaddr 0.0.0.0)\n", m->offers_v6only,
	       m->acks_v6only);
	printf("  address         %10" PRIu64 " OFFER  %10" PRIu64 " ACK  %" PRIu64 " NAK  %" PRIu64 " INFORM\n",
	       m->offers, m->acks, m->naks, m->informs);
	printf("  releases %" PRIu64 ", declines %" PRIu64 "\n", m->releases, m->declines);
	if (m->pool_size)
		printf("leases: %" PRIu32 " bound of %" PRIu32 "\n", m->bound, m->pool_size);
	if (m->recv_errors || m->send_errors || m->lease_write_errors)
		printf("errors: receive %" PRIu64 ", send %" PRIu64 ", lease file %" PRIu64 "\n", m->recv_errors,
		       m->send_errors, m->lease_write_errors);
	printf("drops:\n");
	for (int r = 1; r < DHCP4_DROP__COUNT; r++) {
		if (!m->drops[r])
			continue;
		printf("  %-20s %10" PRIu64 "  %s\n", dhcp4_drop_name((enum dhcp4_drop)r), m->drops[r],
		       dhcp4_drop_desc((enum dhcp4_drop)r));
		any = true;
	}
	if (!any)
		printf("  (none)\n");
}

static void print_json(const struct dhcp4_status_msg *m, const char *path, char *settings)
{
	json_status_open(m->daemon, path, m->pid);
	printf(",\n  \"interface\": ");
	json_str(m->ifname);
	printf(",\n  \"uptime_seconds\": %" PRIu64 ",\n  \"settings\": ", m->uptime_sec);
	json_lines(settings);
	printf(",\n");
	printf("  \"clients\": %" PRIu64 ",\n  \"clients_option108\": %" PRIu64 ",\n", m->clients, m->clients_108);
	printf("  \"option108_share_percent\": %.1f,\n  \"clients_untracked\": %" PRIu64 ",\n",
	       share(m->clients_108, m->clients), m->clients_untracked);
	printf("  \"received\": {");
	for (unsigned t = DHCP4_DISCOVER; t <= DHCP4_TYPE_MAX; t++)
		printf("%s\"%s\": %" PRIu64, t == DHCP4_DISCOVER ? "" : ", ", dhcp4_type_name(t), m->rx[t]);
	printf("},\n");
	printf("  \"offers_option108\": %" PRIu64 ",\n  \"acks_option108\": %" PRIu64 ",\n", m->offers_v6only,
	       m->acks_v6only);
	printf("  \"offers\": %" PRIu64 ",\n  \"acks\": %" PRIu64 ",\n  \"naks\": %" PRIu64 ",\n  \"informs\": %" PRIu64
	       ",\n", m->offers, m->acks, m->naks, m->informs);
	printf("  \"releases\": %" PRIu64 ",\n  \"declines\": %" PRIu64 ",\n", m->releases, m->declines);
	printf("  \"pool_size\": %" PRIu32 ",\n  \"leases_bound\": %" PRIu32 ",\n", m->pool_size, m->bound);
	printf("  \"receive_errors\": %" PRIu64 ",\n  \"send_errors\": %" PRIu64 ",\n  \"lease_write_errors\": %" PRIu64
	       ",\n", m->recv_errors, m->send_errors, m->lease_write_errors);
	printf("  \"drops\": {");
	for (int r = 1; r < DHCP4_DROP__COUNT; r++) {
		printf("%s\n    ", r == 1 ? "" : ",");
		json_str(dhcp4_drop_name((enum dhcp4_drop)r));
		printf(": %" PRIu64, m->drops[r]);
	}
	printf("\n  }\n}\n");
}

int dhcp4_status_print(const void *buf, size_t len, const char *path, int json)
{
	struct dhcp4_status_msg m;
	char settings[DHCP4_STATUS_SETTINGS_MAX];

	if (len != sizeof(m)) {
		log_warn("%s: unexpected answer (%zu bytes; a daemon from another build?)", path, len);
		return 1;
	}
	memcpy(&m, buf, sizeof(m));
	if (m.size != sizeof(m) || m.ndrops != DHCP4_DROP__COUNT) {
		log_warn("%s: unexpected answer (a daemon from another build?)", path);
		return 1;
	}
	m.daemon[sizeof(m.daemon) - 1] = '\0';
	m.ifname[sizeof(m.ifname) - 1] = '\0';
	if (m.clients_108 > m.clients)
		m.clients_108 = m.clients;
	memcpy(settings, m.settings, sizeof(settings));
	settings[sizeof(settings) - 1] = '\0';
	if (json)
		print_json(&m, path, settings);
	else
		print_text(&m, path, settings);
	return 0;
}
