/* `xlat464 status`: asks a daemon's control socket for its counters and prints them, as text (nonzero
 * drop counters only) or as JSON (every counter, zeros included). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../common/json.h"
#include "../clat/clat_ctl.h"
#include "../mostly/dhcp4_daemon.h"
#include "../mostly/ra.h"
#include "../plat/plat_ctl.h"
#include "../plat/plat.h"
#include "../common/siit_ctl.h"
#include "ctl_client.h"
#include "status.h"
#include "sys/ctl.h"
#include "sys/log.h"

static const char status_usage[] = "usage: xlat464 status [--json] [--control PATH | --tun NAME]\n"
				   "                      [--sessions | --flush [tcp|udp|icmp|all]]   (plat only)\n"
				   "  with neither, the one socket in " SYS_CTL_DIR "/ is used\n";


/* clat: the CLAT's own members, or NULL for a SIIT daemon. */
static void print_json(const struct siit_status_msg *m, const char *path, const struct clat_status_info *clat)
{
	const struct xlat_stats *st = &m->stats;
	char settings[SIIT_STATUS_SETTINGS_MAX];

	memcpy(settings, m->settings, sizeof(settings));
	settings[sizeof(settings) - 1] = '\0';
	json_status_open(m->daemon, path, m->pid);
	printf(",\n  \"tun\": ");
	json_str(m->tun);
	printf(",\n  \"uptime_seconds\": %" PRIu64 ",\n  \"settings\": ", m->uptime_sec);
	json_lines(settings);
	printf(",\n");
	printf("  \"packets_4to6\": %" PRIu64 ",\n  \"bytes_4to6\": %" PRIu64 ",\n", st->pkts_4to6, st->bytes_4to6);
	printf("  \"packets_6to4\": %" PRIu64 ",\n  \"bytes_6to4\": %" PRIu64 ",\n", st->pkts_6to4, st->bytes_6to4);
	printf("  \"replies\": %" PRIu64 ",\n  \"hairpinned\": %" PRIu64 ",\n", st->replies, m->hairpinned);
	printf("  \"tun_read_errors\": %" PRIu64 ",\n  \"tun_write_errors\": %" PRIu64 ",\n", m->tun_read_errors,
	       m->tun_write_errors);
	printf("  \"reloads\": %" PRIu64 ",\n", m->reloads);
	if (clat) {
		printf("  \"clat\": {");
		clat_status_json(clat);
		printf("\n  },\n");
	}
	status_drops_json(st);
	printf("\n}\n");
}

static void print_text(const struct siit_status_msg *m, const char *path)
{
	const struct xlat_stats *st = &m->stats;
	char settings[SIIT_STATUS_SETTINGS_MAX];
	char *save = NULL, *line;

	memcpy(settings, m->settings, sizeof(settings));
	settings[sizeof(settings) - 1] = '\0';
	printf("%s on %s (pid %" PRId32 ", up %" PRIu64 " s, control %s)\n", m->daemon, m->tun, m->pid, m->uptime_sec,
	       path);
	printf("settings:\n");
	for (line = strtok_r(settings, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		printf("  %s\n", line);
	printf("traffic:\n");
	printf("  4to6     %12" PRIu64 " packets %14" PRIu64 " bytes\n", st->pkts_4to6, st->bytes_4to6);
	printf("  6to4     %12" PRIu64 " packets %14" PRIu64 " bytes\n", st->pkts_6to4, st->bytes_6to4);
	printf("  replies  %12" PRIu64 " ICMP errors sent by the translator\n", st->replies);
	if (m->hairpinned)
		printf("  hairpin  %12" PRIu64 " packets translated back to IPv6 (RFC 7757 section 4)\n", m->hairpinned);
	if (m->tun_read_errors || m->tun_write_errors)
		printf("  TUN errors: %" PRIu64 " read, %" PRIu64 " write\n", m->tun_read_errors, m->tun_write_errors);
	if (m->reloads)
		printf("  reloads  %12" PRIu64 "\n", m->reloads);
	status_drops_text(st);
}

/* With no --control, the single socket in SYS_CTL_DIR is the obvious choice. */
static int find_socket(char *path, size_t cap)
{
	char found[8][256];
	unsigned n = cli_ctl_list(found, 8);
	if (n == 0) {
		log_warn("no daemon control socket in %s (is a daemon running? --control PATH)", SYS_CTL_DIR);
		return -1;
	}
	if (n > 1) {
		log_warn("several control sockets; choose one with --control PATH:");
		for (unsigned i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", found[i]);
		return -1;
	}
	snprintf(path, cap, "%s", found[0]);
	return 0;
}

int status_main(int argc, char **argv)
{
	char path[256] = "";
	bool json = false, sessions = false;
	const char *flush = NULL;
	struct siit_status_msg *m;
	size_t cap = cli_ctl_msg_max();
	const struct clat_status_info *clat = NULL;

	log_set_ident("xlat464 status");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--json") == 0) {
			json = true;
		} else if (strcmp(a, "--sessions") == 0) {
			sessions = true;
		} else if (strcmp(a, "--flush") == 0) {
			flush = i + 1 < argc && argv[i + 1][0] != '-' ? argv[++i] : "all";
		} else if ((strcmp(a, "--control") == 0 || strcmp(a, "--tun") == 0) && i + 1 < argc) {
			if (a[2] == 'c')
				snprintf(path, sizeof(path), "%s", argv[++i]);
			else
				snprintf(path, sizeof(path), "%s/siit-%s.sock", SYS_CTL_DIR, argv[++i]);
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(status_usage, stdout);
			return 0;
		} else {
			log_warn("%s: unknown option or missing value (see xlat464 status --help)", a);
			return 2;
		}
	}
	if (!path[0] && find_socket(path, sizeof(path)) < 0)
		return 1;
	m = malloc(cap);
	if (!m)
		fatal("out of memory");
	long n = cli_ctl_fetch(path, m, cap);
	if (n < 0) {
		log_warn("%s: %s", path, strerror(errno));
		free(m);
		return 1;
	}
	/* A daemon that writes its JSON status itself (src/dns64): shown as it is, --json or not, until
	 * the text renderer reads JSON generically. */
	if (n >= 1 && ((const char *)m)[0] == '{') {
		fwrite(m, 1, (size_t)n, stdout);
		free(m);
		return 0;
	}
	/* Daemons with their own message (the first word is the magic): src/mostly/dhcp4. */
	if (n >= 4 && m->magic == DHCP4_STATUS_MAGIC) {
		int r = dhcp4_status_print(m, (size_t)n, path, json);
		free(m);
		return r;
	}
	if (n >= 4 && m->magic == PLAT_STATUS_MAGIC) { /* src/plat */
		int r = plat_status_print(m, (size_t)n, path, json, sessions, flush);
		free(m);
		return r;
	}
	if (sessions || flush) {
		log_warn("%s: --sessions and --flush are for a plat daemon", path);
		free(m);
		return 2;
	}
	if (n >= 4 && m->magic == RA_STATUS_MAGIC) { /* src/mostly/ra */
		int r = ra_status_print(m, (size_t)n, json, path);
		free(m);
		return r;
	}
	enum cli_ctl_kind kind = cli_ctl_kind(m, n);
	if (kind == CLI_CTL_CLAT) { /* src/clat */
		clat = &((const struct clat_status_msg *)(const void *)m)->clat;
	} else if (kind != CLI_CTL_SIIT) {
		log_warn("%s: unexpected answer (%ld bytes; a daemon from another build?)", path, n);
		free(m);
		return 1;
	}
	m->daemon[sizeof(m->daemon) - 1] = '\0';
	m->tun[sizeof(m->tun) - 1] = '\0';
	if (json)
		print_json(m, path, clat);
	else
		print_text(m, path);
	free(m);
	return 0;
}
