/* `xlat464 status`: asks a daemon's control socket for its status, which every daemon writes as one
 * JSON object (docs/design.md, "Status"), and prints it: as it came with --json, or as text through
 * the one renderer of status_text.c. A PLAT's session list and flush go to its command socket. */
#include <errno.h>
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_client.h"
#include "status.h"
#include "status_text.h"
#include "sys/ctl.h"
#include "sys/log.h"

static const char status_usage[] = "usage: xlat464 status [--json] [--control PATH | --tun NAME]\n"
				   "                      [--sessions | --flush [tcp|udp|icmp|all]]   (plat only)\n"
				   "  with neither, the one socket in " SYS_CTL_DIR "/ is used\n";

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

static const char *str_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

static uint64_t u64_of(struct json_object *o, const char *key)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_int))
		return 0;
	return json_object_get_uint64(v);
}

/* A session list as text, one a line (src/plat/plat.c writes the members). */
static void sessions_text(struct json_object *ans)
{
	struct json_object *list;
	bool stateful = !str_of(ans, "mode") || strcmp(str_of(ans, "mode"), "stateless") != 0;
	size_t n = 0;

	if (json_object_object_get_ex(ans, "sessions", &list) && json_object_is_type(list, json_type_array))
		n = json_object_array_length(list);
	for (size_t i = 0; i < n; i++) {
		struct json_object *r = json_object_array_get_idx(list, i);
		const char *proto = str_of(r, "proto"), *v6 = str_of(r, "v6"), *v4 = str_of(r, "v4");
		const char *remote4 = str_of(r, "remote4"), *state = str_of(r, "state");
		struct json_object *st;
		bool is_static = json_object_object_get_ex(r, "static", &st) && json_object_get_boolean(st);
		if (!json_object_is_type(r, json_type_object) || !proto || !v6 || !v4)
			continue;
		if (strcmp(proto, "lease") == 0) {
			printf("lease %-40s %-15s %10" PRIu64 " packets  expires in %" PRIu64 " s\n", v6, v4,
			       u64_of(r, "packets"), u64_of(r, "expires_in_ms") / 1000);
			continue;
		}
		printf("%-4s %s#%" PRIu64 " %s#%" PRIu64 " -> %s#%" PRIu64 " %s%s expires in %" PRIu64 " s\n", proto, v6,
		       u64_of(r, "port6"), v4, u64_of(r, "port4"), remote4 ? remote4 : "-", u64_of(r, "remote_port"),
		       state ? state : "", is_static ? " static" : "", u64_of(r, "expires_in_ms") / 1000);
	}
	uint64_t total = u64_of(ans, "total");
	if (total > n)
		printf("(%zu of %" PRIu64 " shown)\n", n, total);
	else if (n == 0)
		printf("(no %s)\n", stateful ? "sessions" : "leases");
}

/* --sessions and --flush: a request line on the PLAT's command socket, named in its status. */
static int plat_command(struct json_object *st, const char *path, bool json, bool sessions, const char *flush)
{
	const char *daemon = str_of(st, "daemon"), *cmd = str_of(st, "commands");
	char req[64], err[160];
	char *text = NULL;

	if (!daemon || strcmp(daemon, "plat") != 0 || !cmd) {
		log_warn("%s: --sessions and --flush are for a plat daemon", path);
		return 2;
	}
	if (flush && strcmp(flush, "tcp") != 0 && strcmp(flush, "udp") != 0 && strcmp(flush, "icmp") != 0 &&
	    strcmp(flush, "all") != 0) {
		log_warn("--flush %s: tcp, udp, icmp or all", flush);
		return 2;
	}
	snprintf(req, sizeof(req), "%s %s\n", flush ? "flush" : "sessions", flush ? flush : "all");
	if (ctl_request_json(cmd, req, CTL_COMMAND_MAX, &text) < 0) {
		log_warn("%s: %s", cmd, errno == EPROTO ? "empty answer" : strerror(errno));
		return 1;
	}
	size_t len = strlen(text);
	struct json_object *ans = status_parse(text, len, err, sizeof(err));
	if (!ans) {
		log_warn("%s: %s", cmd, err);
		free(text);
		return 1;
	}
	int rc = 0;
	const char *e = str_of(ans, "error");
	if (e) {
		log_warn("%s: %s", cmd, e);
		rc = 1;
	} else if (json) {
		fwrite(text, 1, len, stdout);
	} else if (flush) {
		bool stateless = str_of(ans, "mode") && strcmp(str_of(ans, "mode"), "stateless") == 0;
		printf("flushed %" PRIu64 " %s\n", u64_of(ans, "flushed"), stateless ? "leases" : "sessions");
	} else {
		(void)sessions;
		sessions_text(ans);
	}
	json_object_put(ans);
	free(text);
	return rc;
}

int status_main(int argc, char **argv)
{
	char path[256] = "", err[160];
	bool json = false, sessions = false;
	const char *flush = NULL;
	char *text = NULL;

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
	if (ctl_status_json(path, &text) < 0) {
		log_warn("%s: %s", path,
			 errno == EMSGSIZE ? "answer longer than 1 MiB"
			 : errno == EPROTO ? "empty answer (not a daemon of xlat464?)"
					   : strerror(errno));
		return 1;
	}
	size_t len = strlen(text);
	struct json_object *st = status_parse(text, len, err, sizeof(err));
	int rc = 0;
	if (!st) {
		log_warn("%s: %s", path, err);
		rc = 1;
	} else if (sessions || flush) {
		rc = plat_command(st, path, json, sessions, flush);
	} else if (json) {
		rc = fwrite(text, 1, len, stdout) == len ? 0 : 1;
	} else {
		status_render(st, stdout);
	}
	json_object_put(st);
	free(text);
	return rc;
}
