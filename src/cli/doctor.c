/* `xlat464 doctor [--router]`: finds the daemons by their control sockets, runs the host's or the
 * router's checks (doctor_host.c, doctor_router.c) and prints one line per check, or JSON. */
#include <arpa/inet.h>
#include <errno.h>
#include <glob.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <json-c/json.h>

#include "ctl_client.h"
#include "doctor.h"
#include "doctor_sys.h"
#include "sys/ctl.h"
#include "sys/log.h"

static const char doctor_usage[] =
	"usage: xlat464 doctor [--router] [--json] [--target ADDR] [--dns ADDR] [--resolv-conf FILE]\n"
	"                      [--control PATH]... [--control-dir DIR] [--timeout MS]\n"
	"  checks everything between an IPv4 application and the IPv4 Internet on this host, or with\n"
	"  --router the network side (PREF64 = pool6, forwarding, rp_filter, routes, option 108, daemons).\n"
	"  Each line is PASS, WARN or FAIL; the exit status is 1 when a check failed.\n"
	"  --target ADDR    IPv4 host for the end-to-end probe (else $XLAT464_DOCTOR_TARGET; none: not probed)\n"
	"  --dns ADDR       resolver asked for ipv4only.arpa (default: the nameservers of resolv.conf)\n"
	"  --control PATH   a daemon's control socket (repeatable; default: every socket in " SYS_CTL_DIR ",\n"
	"                   and those the daemons running here were given with --control)\n"
	"  --control-dir DIR  every DIR/*.sock\n"
	"  --timeout MS     each network probe's time, and the daemons', asked all at once, to answer\n"
	"                   (default 2000, 100 to 30000)\n";

/* 1 when pid's network namespace is this process's, 0 when not, -1 when unknown. */
static int same_netns(long pid)
{
	char path[64];
	struct stat a, b;
	if (pid <= 0)
		return -1;
	snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
	if (stat(path, &a) < 0 || stat("/proc/self/ns/net", &b) < 0)
		return -1;
	return a.st_ino == b.st_ino && a.st_dev == b.st_dev;
}

unsigned doctor_collect(const struct doctor_opts *o, struct doctor_found *f, unsigned max)
{
	char paths[DOCTOR_FOUND_MAX][256];
	unsigned np = 0;
	if (o->ncontrol) {
		for (unsigned i = 0; i < o->ncontrol && np < DOCTOR_FOUND_MAX; i++)
			snprintf(paths[np++], 256, "%s", o->control[i]);
	} else {
		char pattern[300];
		glob_t g = { 0 };
		snprintf(pattern, sizeof(pattern), "%s/*.sock", o->control_dir ? o->control_dir : SYS_CTL_DIR);
		if (glob(pattern, 0, NULL, &g) == 0)
			for (size_t i = 0; i < g.gl_pathc && np < DOCTOR_FOUND_MAX; i++) {
				size_t l = strlen(g.gl_pathv[i]);
				if (l < 256)
					memcpy(paths[np++], g.gl_pathv[i], l + 1);
			}
		globfree(&g);
		/* and the sockets the daemons running here were told to use */
		char more[DOCTOR_FOUND_MAX][256];
		unsigned nm = doctor_control_paths_here(more, DOCTOR_FOUND_MAX);
		for (unsigned k = 0; k < nm && np < DOCTOR_FOUND_MAX; k++) {
			bool dup = false;
			for (unsigned j = 0; j < np; j++)
				dup |= strcmp(paths[j], more[k]) == 0;
			if (!dup)
				memcpy(paths[np++], more[k], 256);
		}
	}
	if (np > max)
		np = max;
	/* all asked at once, within one --timeout: a wedged daemon costs that once */
	char *texts[DOCTOR_FOUND_MAX];
	int errs[DOCTOR_FOUND_MAX];
	ctl_status_json_all((const char (*)[256])paths, np, o->timeout_ms, texts, errs);
	unsigned n = 0;
	for (unsigned i = 0; i < np; i++) {
		struct doctor_found *x = &f[n++];
		char *json = texts[i], err[128];
		memset(x, 0, sizeof(*x));
		memcpy(x->path, paths[i], sizeof(x->path));
		if (!json) {
			x->err = errs[i];
			continue;
		}
		if (doctor_status_parse(json, strlen(json), &x->d, err, sizeof(err)) < 0) {
			log_warn("%s: %s", x->path, err);
			x->err = EPROTO;
		} else {
			x->answered = true;
			/* A daemon in another network namespace is another host's (a lab's socket directory
			 * holds every namespace's): its /proc/PID/ns/net says so. Where that cannot be read
			 * (another PID namespace), its link must exist here, with the same index for a CLAT. */
			int same = same_netns(x->d.pid);
			unsigned idx = x->d.ifname[0] ? if_nametoindex(x->d.ifname) : 0;
			if (same >= 0)
				x->here = same == 1;
			else
				x->here = idx != 0 && (x->d.kind != DOCTOR_CLAT || (int)idx == x->d.uplink_ifindex);
		}
		free(json);
	}
	return n;
}

static void print_text(const struct doctor_report *r, const char *what)
{
	for (unsigned i = 0; i < r->n; i++) {
		const struct doctor_line *l = &r->line[i];
		printf("%s  %-14s %s\n", doctor_verdict_name(l->verdict), l->check, l->evidence);
		if (l->verdict != DOCTOR_PASS && l->hint[0])
			printf("      %-14s hint: %s\n", "", l->hint);
	}
	printf("%s: %u passed, %u warned, %u failed\n", what, doctor_count(r, DOCTOR_PASS), doctor_count(r, DOCTOR_WARN),
	       doctor_count(r, DOCTOR_FAIL));
}

static void print_json(const struct doctor_report *r, const char *what)
{
	struct json_object *root = json_object_new_object(), *checks = json_object_new_array();
	json_object_object_add(root, "doctor", json_object_new_string(what));
	for (unsigned i = 0; i < r->n; i++) {
		const struct doctor_line *l = &r->line[i];
		struct json_object *c = json_object_new_object();
		json_object_object_add(c, "check", json_object_new_string(l->check));
		json_object_object_add(c, "verdict", json_object_new_string(doctor_verdict_name(l->verdict)));
		json_object_object_add(c, "evidence", json_object_new_string(l->evidence));
		json_object_object_add(c, "hint", l->hint[0] ? json_object_new_string(l->hint) : NULL);
		json_object_array_add(checks, c);
	}
	json_object_object_add(root, "checks", checks);
	json_object_object_add(root, "passed", json_object_new_int((int)doctor_count(r, DOCTOR_PASS)));
	json_object_object_add(root, "warned", json_object_new_int((int)doctor_count(r, DOCTOR_WARN)));
	json_object_object_add(root, "failed", json_object_new_int((int)doctor_count(r, DOCTOR_FAIL)));
	printf("%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(root);
}

int doctor_main(int argc, char **argv)
{
	struct doctor_opts o = { .timeout_ms = 2000, .resolv_conf = "/etc/resolv.conf" };
	static struct doctor_found found[DOCTOR_FOUND_MAX];
	static struct doctor_report report;

	log_set_ident("xlat464 doctor");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(a, "--router") == 0) {
			o.router = true;
		} else if (strcmp(a, "--json") == 0) {
			o.json = true;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(doctor_usage, stdout);
			return 0;
		} else if (!v) {
			log_warn("%s: unknown option or missing value (see xlat464 doctor --help)", a);
			return 2;
		} else if (strcmp(a, "--target") == 0) {
			o.target = argv[++i];
		} else if (strcmp(a, "--dns") == 0) {
			o.dns = argv[++i];
		} else if (strcmp(a, "--resolv-conf") == 0) {
			o.resolv_conf = argv[++i];
		} else if (strcmp(a, "--control-dir") == 0) {
			o.control_dir = argv[++i];
		} else if (strcmp(a, "--control") == 0) {
			if (o.ncontrol == DOCTOR_CONTROL_MAX) {
				log_warn("--control: at most %d sockets", DOCTOR_CONTROL_MAX);
				return 2;
			}
			o.control[o.ncontrol++] = argv[++i];
		} else if (strcmp(a, "--timeout") == 0) {
			if (ctl_timeout_arg(argv[++i], &o.timeout_ms) < 0)
				return 2;
		} else {
			log_warn("%s: unknown option or missing value (see xlat464 doctor --help)", a);
			return 2;
		}
	}
	if (!o.target) {
		const char *t = getenv("XLAT464_DOCTOR_TARGET");
		if (t && t[0])
			o.target = t;
	}
	struct in_addr probe;
	if (o.target && inet_pton(AF_INET, o.target, &probe) != 1) {
		log_warn("--target '%s': want an IPv4 address", o.target);
		return 2;
	}
	struct in6_addr probe6;
	if (o.dns && inet_pton(AF_INET6, o.dns, &probe6) != 1 && inet_pton(AF_INET, o.dns, &probe) != 1) {
		log_warn("--dns '%s': want an IPv4 or IPv6 address", o.dns);
		return 2;
	}
	unsigned nf = doctor_collect(&o, found, DOCTOR_FOUND_MAX);
	if (o.router)
		doctor_router(&o, found, nf, &report);
	else
		doctor_host(&o, found, nf, &report);
	if (o.json)
		print_json(&report, o.router ? "router" : "host");
	else
		print_text(&report, o.router ? "doctor --router" : "doctor");
	fflush(stdout);
	return doctor_count(&report, DOCTOR_FAIL) ? 1 : 0;
}
