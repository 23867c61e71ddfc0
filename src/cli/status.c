/* `xlat464 status`: asks daemons' control sockets (all at once, within one --timeout) for their
 * status, which every daemon writes as one JSON object (docs/design.md, "Status"), and prints each:
 * as it came with --json, or as text through the one renderer of status_text.c. A PLAT's session
 * list and flush go to its command socket. */
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

#define STATUS_CONTROL_MAX 64
/* --sessions and --flush wait this long (or --timeout, when longer): a PLAT writes a long session
 * list with a 5 s send timeout of its own (src/plat/plat.c, cmd_serve). */
#define STATUS_COMMAND_TIMEOUT_MS 10000
/* A person waits longer than a scraper: a daemon busy with a reload or a burst still answers in time,
 * and a wedged one is still named within seconds. */
#define STATUS_TIMEOUT_MS 5000

static const char status_usage[] =
	"usage: xlat464 status [--json] [--timeout MS] [--control PATH | --tun NAME]...\n"
	"                      [--sessions | --flush [tcp|udp|icmp|all]]   (one plat only)\n"
	"  with neither --control nor --tun, the one socket in " SYS_CTL_DIR "/ is used. Several\n"
	"  daemons are asked at once and shown in turn; with --json one object each, and for a daemon\n"
	"  that could not be read {\"control\", \"error\", \"timed_out\"}.\n"
	"  --timeout MS   how long the daemons, asked all at once, have to answer (default 5000, 100\n"
	"                 to 30000); one that has not is named on stderr and the exit status is 1\n";

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

/* --json: an object in the place of a daemon's status that could not be read, so that a script sees
 * which socket and why (the message on stderr and the exit status 1 say it too). */
static void json_error_entry(const char *path, const char *why, bool timed_out)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "control", json_object_new_string(path));
	json_object_object_add(o, "error", json_object_new_string(why));
	json_object_object_add(o, "timed_out", json_object_new_boolean(timed_out));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* A daemon that could not be read: named on stderr, and with --json in an error entry. */
static void unread(const char *path, const char *why, bool timed_out, bool json)
{
	log_warn("%s: %s", path, why);
	if (json)
		json_error_entry(path, why, timed_out);
}

/* --sessions and --flush: a request line on the PLAT's command socket, named in its status. */
static int plat_command(struct json_object *st, const char *path, bool json, bool sessions, const char *flush,
			unsigned timeout_ms)
{
	const char *daemon = str_of(st, "daemon"), *cmd = str_of(st, "commands");
	char req[64], err[160];
	char *text = NULL;
	unsigned ms = timeout_ms > STATUS_COMMAND_TIMEOUT_MS ? timeout_ms : STATUS_COMMAND_TIMEOUT_MS;

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
	if (ctl_request_json(cmd, req, CTL_COMMAND_MAX, ms, &text) < 0) {
		int e = errno;
		unread(cmd, ctl_strerror(e, CTL_COMMAND_MAX, ms, err, sizeof(err)), e == ETIMEDOUT, json);
		return 1;
	}
	size_t len = strlen(text);
	struct json_object *ans = status_parse(text, len, err, sizeof(err));
	if (!ans) {
		unread(cmd, err, false, json);
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

/* One daemon's answer (text, or NULL with err its errno) as --json or text; 0, or 1 when it could
 * not be read. *shown counts the daemons printed as text, to put a blank line between them. */
static int show(const char *path, const char *text, int e, unsigned timeout_ms, bool json, unsigned *shown)
{
	char err[160];
	if (!text) {
		unread(path, ctl_strerror(e, CTL_STATUS_MAX, timeout_ms, err, sizeof(err)), e == ETIMEDOUT, json);
		return 1;
	}
	size_t len = strlen(text);
	struct json_object *st = status_parse(text, len, err, sizeof(err));
	int rc = 0;
	if (!st) {
		unread(path, err, false, json);
		rc = 1;
	} else if (json) {
		rc = fwrite(text, 1, len, stdout) == len ? 0 : 1;
	} else {
		if ((*shown)++)
			putchar('\n');
		status_render(st, stdout);
	}
	json_object_put(st);
	return rc;
}

int status_main(int argc, char **argv)
{
	static char paths[STATUS_CONTROL_MAX][256];
	char *texts[STATUS_CONTROL_MAX];
	int errs[STATUS_CONTROL_MAX];
	unsigned n = 0, timeout_ms = STATUS_TIMEOUT_MS, shown = 0;
	bool json = false, sessions = false;
	const char *flush = NULL;

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
			if (n == STATUS_CONTROL_MAX) {
				log_warn("%s: at most %d sockets", a, STATUS_CONTROL_MAX);
				return 2;
			}
			if (a[2] == 'c')
				snprintf(paths[n++], sizeof(paths[0]), "%s", argv[++i]);
			else
				snprintf(paths[n++], sizeof(paths[0]), "%s/siit-%s.sock", SYS_CTL_DIR, argv[++i]);
		} else if (strcmp(a, "--timeout") == 0 && i + 1 < argc) {
			if (ctl_timeout_arg(argv[++i], &timeout_ms) < 0)
				return 2;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(status_usage, stdout);
			return 0;
		} else {
			log_warn("%s: unknown option or missing value (see xlat464 status --help)", a);
			return 2;
		}
	}
	if ((sessions || flush) && n > 1) {
		log_warn("--sessions and --flush ask one plat: give one --control");
		return 2;
	}
	if (n == 0 && find_socket(paths[n++], sizeof(paths[0])) < 0)
		return 1;
	ctl_status_json_all((const char (*)[256])paths, n, timeout_ms, texts, errs);
	int rc = 0;
	for (unsigned i = 0; i < n; i++) {
		if ((sessions || flush) && texts[i]) {
			char err[160];
			struct json_object *st = status_parse(texts[i], strlen(texts[i]), err, sizeof(err));
			if (st)
				rc |= plat_command(st, paths[i], json, sessions, flush, timeout_ms);
			else
				rc |= show(paths[i], texts[i], 0, timeout_ms, json, &shown);
			json_object_put(st);
		} else {
			rc |= show(paths[i], texts[i], errs[i], timeout_ms, json, &shown);
		}
		free(texts[i]);
	}
	return rc;
}
