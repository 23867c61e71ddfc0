/* `xlat464 report`: everything a bug report needs in one tar.gz. Each member comes from a command
 * (run with a time limit and an output cap, its own process group killed when it overruns), a file,
 * or this process; index.json says, for each, where it came from and how that went, so that a
 * missing tool or a daemon that did not answer is a line in the index, never a failure of the
 * report. Daemons' status is this binary's own `status --json`, one run per control socket.
 * --redact passes every member through redact_text; configuration files always go through
 * redact_secrets, and files whose name looks secret are left out. The archive is written by
 * libarchive into a temporary file of mode 0600 beside the output, renamed into place at the end. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "bugreport.h"
#include "redact.h"
#include "sys/ctl.h"
#include "sys/log.h"

#define REPORT_CMD_TIMEOUT_MS 10000
#define REPORT_CMD_OUT_MAX (4u << 20)  /* bytes kept of one command's output */
#define REPORT_FILE_MAX (1u << 20)     /* bytes kept of one log file (its end) */
#define REPORT_CONFIG_MAX (256u << 10) /* a configuration file larger than this is left out */
#define REPORT_CONFIG_FILES 64
#define REPORT_CONTROL_MAX 32
#define REPORT_LOG_MAX 16
#define REPORT_TC_IFS 64 /* interfaces whose TC filters are shown */
#define REPORT_DEFAULT_CONFIG_DIR "/etc/xlat464"
#define REPORT_DEFAULT_SINCE "-24h"
#define REPORT_JOURNAL_LINES "5000"
#define REPORT_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static const char report_usage[] =
	"usage: xlat464 report [-o FILE] [--redact] [--control PATH]... [--control-dir DIR]\n"
	"                      [--config-dir DIR] [--log FILE]... [--since TIME]\n"
	"  writes a tar.gz for a bug report (default ./xlat464-report-HOST-DATE.tar.gz, mode 0600):\n"
	"  versions, each daemon's status as JSON, recent log lines, addresses, routes, rules, the nft\n"
	"  ruleset, sysctls and the configuration; index.json lists every member and how it was got.\n"
	"  --redact       mask the host part of every address (IPv4 /24 and IPv6 /64 kept) and MAC\n"
	"  --control PATH a daemon's control socket (repeatable; default: every socket in --control-dir)\n"
	"  --control-dir  where to look for control sockets (default " SYS_CTL_DIR ")\n"
	"  --config-dir   the configuration to include (default " REPORT_DEFAULT_CONFIG_DIR "); lines whose\n"
	"                 key looks secret (key, password, token...) are masked, such files left out\n"
	"  --log FILE     the end of a log file (repeatable), beside the journal's xlat464* units\n"
	"  --since TIME   how far back the journal goes (journalctl --since; default " REPORT_DEFAULT_SINCE ")\n";

struct member {
	char *name; /* path inside the bundle, below its top directory */
	char *data;
	size_t len;
};

struct report {
	struct member *m;
	size_t n, cap;
	char *index; /* index.json's entries, comma-separated */
	size_t ilen, icap;
	bool redact;
	char host[HOST_NAME_MAX + 1];
	char self[PATH_MAX]; /* this binary, for `status --json` and `--version` */
};

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		fatal("out of memory");
	return q;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (!d)
		fatal("out of memory");
	return d;
}

/* ---- index.json --------------------------------------------------------------------------------- */

static void index_raw(struct report *r, const char *s, size_t n)
{
	if (r->ilen + n + 1 > r->icap) {
		r->icap = (r->ilen + n + 1) * 2;
		r->index = xrealloc(r->index, r->icap);
	}
	memcpy(r->index + r->ilen, s, n);
	r->ilen += n;
	r->index[r->ilen] = '\0';
}

static void index_str(struct report *r, const char *s)
{
	index_raw(r, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			index_raw(r, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof(esc), "\\u%04x", c);
			index_raw(r, esc, 6);
		} else {
			index_raw(r, s, 1);
		}
	}
	index_raw(r, "\"", 1);
}

/* One entry: the member's name (or NULL when nothing was added), where it came from, how it went. */
static void index_add(struct report *r, const char *name, const char *source, const char *status)
{
	const char *open = r->ilen ? ",\n    {\"name\": " : "\n    {\"name\": ";
	index_raw(r, open, strlen(open));
	if (name)
		index_str(r, name);
	else
		index_raw(r, "null", 4);
	index_raw(r, ", \"source\": ", 12);
	index_str(r, source);
	index_raw(r, ", \"status\": ", 12);
	index_str(r, status);
	index_raw(r, "}", 1);
}

/* ---- members ------------------------------------------------------------------------------------ */

/* Replaces every occurrence of the host name (when it is at least 3 bytes) by "HOST". */
static char *hide_host(const char *host, char *data, size_t *len)
{
	size_t hl = strlen(host), n = *len, o = 0;
	if (hl < 3)
		return data;
	char *out = xrealloc(NULL, 2 * n + 1); /* "HOST" is at most 4/3 of a name of 3 bytes or more */
	for (size_t i = 0; i < n;) {
		if (i + hl <= n && memcmp(data + i, host, hl) == 0) {
			memcpy(out + o, "HOST", 4);
			o += 4;
			i += hl;
		} else {
			out[o++] = data[i++];
		}
	}
	free(data);
	*len = o;
	return out;
}

/* Takes data (malloc'd, len bytes): redacted with --redact, then kept as the member name. */
static void member_add(struct report *r, const char *name, char *data, size_t len)
{
	if (r->redact) {
		size_t cap = REDACT_OUT_MAX(len);
		char *red = xrealloc(NULL, cap);
		size_t n = redact_text(data, len, red, cap);
		if (n == (size_t)-1)
			fatal("redact: output larger than its bound (a bug)");
		free(data);
		data = hide_host(r->host, red, &n);
		len = n;
	}
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->m = xrealloc(r->m, r->cap * sizeof(*r->m));
	}
	r->m[r->n++] = (struct member){ xstrdup(name), data, len };
}

/* ---- commands ----------------------------------------------------------------------------------- */

/* The full path of a program, found in PATH as execvp would; false when there is none. */
static bool find_program(const char *prog, char *path, size_t cap)
{
	if (strchr(prog, '/')) {
		snprintf(path, cap, "%s", prog);
		return access(path, X_OK) == 0;
	}
	const char *p = getenv("PATH");
	if (!p || !*p)
		p = REPORT_DEFAULT_PATH;
	while (*p) {
		const char *colon = strchr(p, ':');
		size_t n = colon ? (size_t)(colon - p) : strlen(p);
		if (n > 0 && (size_t)snprintf(path, cap, "%.*s/%s", (int)n, p, prog) < cap && access(path, X_OK) == 0)
			return true;
		p += n + (colon ? 1 : 0);
	}
	return false;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Runs argv (stdout and stderr together, stdin /dev/null, LC_ALL=C) for at most
 * REPORT_CMD_TIMEOUT_MS, keeping REPORT_CMD_OUT_MAX bytes. Fills *out and *len, and status with
 * "ok", "exit N", "signal N", "timed out ..." or "missing: ..." (then *out is NULL). Returns the
 * exit status, or -1. */
static int run_cmd(char *const argv[], char **out, size_t *len, char *status, size_t scap)
{
	char path[PATH_MAX];
	int fds[2], ws = 0;
	bool timed_out = false, truncated = false;
	size_t n = 0, cap = 65536;
	char *buf;
	pid_t pid;

	*out = NULL;
	*len = 0;
	if (!find_program(argv[0], path, sizeof(path))) {
		snprintf(status, scap, "missing: %s not found in PATH", argv[0]);
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		snprintf(status, scap, "error: pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		snprintf(status, scap, "error: fork: %s", strerror(errno));
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		setpgid(0, 0); /* a group of its own: a timeout kills its children too */
		if (null >= 0)
			dup2(null, 0);
		dup2(fds[1], 1);
		dup2(fds[1], 2);
		setenv("LC_ALL", "C", 1);
		setenv("SYSTEMD_COLORS", "0", 1);
		execv(path, argv);
		_exit(127);
	}
	setpgid(pid, pid); /* also here, so that the kill below cannot race the child's own call */
	close(fds[1]);
	buf = xrealloc(NULL, cap);
	long deadline = now_ms() + REPORT_CMD_TIMEOUT_MS;
	for (;;) {
		long left = deadline - now_ms();
		if (left <= 0) {
			timed_out = true;
			break;
		}
		struct pollfd pfd = { .fd = fds[0], .events = POLLIN };
		int pr = poll(&pfd, 1, (int)left);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			timed_out = pr == 0;
			break;
		}
		if (n == cap) {
			if (cap >= REPORT_CMD_OUT_MAX) {
				truncated = true;
				break;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		ssize_t got = read(fds[0], buf + n, cap - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fds[0]);
	/* Its output closed, it may still not exit: the same deadline holds for the exit. */
	while (!timed_out && !truncated) {
		pid_t w = waitpid(pid, &ws, WNOHANG);
		if (w == pid || (w < 0 && errno != EINTR))
			break;
		if (now_ms() >= deadline) {
			timed_out = true;
			break;
		}
		struct timespec nap = { 0, 20 * 1000000L };
		nanosleep(&nap, NULL);
	}
	if (timed_out || truncated) {
		kill(-pid, SIGKILL);
		while (waitpid(pid, &ws, 0) < 0 && errno == EINTR)
			;
	}
	*out = buf;
	*len = n;
	if (timed_out)
		snprintf(status, scap, "timed out after %d s (output so far kept)", REPORT_CMD_TIMEOUT_MS / 1000);
	else if (truncated)
		snprintf(status, scap, "truncated at %u bytes", REPORT_CMD_OUT_MAX);
	else if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0)
		snprintf(status, scap, "ok");
	else if (WIFEXITED(ws))
		snprintf(status, scap, "exit %d", WEXITSTATUS(ws));
	else
		snprintf(status, scap, "signal %d", WIFSIGNALED(ws) ? WTERMSIG(ws) : 0);
	return WIFEXITED(ws) && !timed_out && !truncated ? WEXITSTATUS(ws) : -1;
}

static void argv_text(char *const argv[], char *s, size_t cap)
{
	size_t o = 0;
	s[0] = '\0';
	for (int i = 0; argv[i] && o < cap; i++)
		o += (size_t)snprintf(s + o, cap - o, "%s%s", i ? " " : "", argv[i]);
}

/* One command, one member; NULL-terminated argv. A missing tool is an index line only. Returns the
 * command's exit status, or -1. */
static int add_cmd(struct report *r, const char *name, char *const argv[])
{
	char status[128], cmd[512], *out;
	size_t len;
	int rc = run_cmd(argv, &out, &len, status, sizeof(status));

	argv_text(argv, cmd, sizeof(cmd));
	index_add(r, out ? name : NULL, cmd, status);
	if (out)
		member_add(r, name, out, len);
	return rc;
}

#define CMD(...) ((char *const[]){ __VA_ARGS__, NULL })

/* The TC filters at ingress and egress of every interface (the CLAT's and the PLAT's kernel fast
 * paths; tcx programs show in bpftool's list only), one member: `tc` once per interface and direction, each output
 * under a header line. */
static void add_tc_filters(struct report *r)
{
	char *text = NULL, status[256] = "ok";
	size_t len = 0, cap = 0;
	unsigned nif = 0;
	struct dirent *de;
	DIR *d = opendir("/sys/class/net");

	if (!d) {
		index_add(r, NULL, "tc -s filter show dev IF ingress|egress", "error: no /sys/class/net");
		return;
	}
	while ((de = readdir(d)) != NULL && nif < REPORT_TC_IFS) {
		if (de->d_name[0] == '.')
			continue;
		nif++;
		for (int dir = 0; dir < 2; dir++) {
			char head[320], st[128], *out;
			size_t n;
			const char *where = dir ? "egress" : "ingress";
			int rc = run_cmd(CMD("tc", "-s", "filter", "show", "dev", de->d_name, (char *)where), &out, &n, st,
					 sizeof(st));
			if (!out) { /* tc missing: said once, nothing more to try */
				snprintf(status, sizeof(status), "%s", st);
				closedir(d);
				index_add(r, NULL, "tc -s filter show dev IF ingress|egress", status);
				free(text);
				return;
			}
			if (rc != 0 && strcmp(status, "ok") == 0)
				snprintf(status, sizeof(status), "%.100s (dev %.32s %s; others may be ok)", st, de->d_name, where);
			int hl = snprintf(head, sizeof(head), "== tc -s filter show dev %s %s\n", de->d_name, where);
			size_t need = len + (size_t)(hl > 0 ? hl : 0) + n + 1;
			if (need > cap) {
				cap = need * 2;
				text = xrealloc(text, cap);
			}
			memcpy(text + len, head, (size_t)(hl > 0 ? hl : 0));
			len += (size_t)(hl > 0 ? hl : 0);
			memcpy(text + len, out, n);
			len += n;
			free(out);
		}
	}
	closedir(d);
	index_add(r, "net/tc-filters.txt", "tc -s filter show dev IF ingress|egress (every interface)", status);
	member_add(r, "net/tc-filters.txt", text ? text : xstrdup(""), len);
}

/* ---- files -------------------------------------------------------------------------------------- */

/* Reads at most max bytes of path: from its start, or its last max bytes when tail. */
static char *read_file(const char *path, size_t max, bool tail, size_t *len, char *status, size_t scap)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		snprintf(status, scap, "error: %s", strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(status, scap, "error: not a regular file");
		close(fd);
		return NULL;
	}
	size_t size = (size_t)st.st_size, want = size < max ? size : max;
	if (tail && size > max)
		lseek(fd, (off_t)(size - max), SEEK_SET);
	char *buf = xrealloc(NULL, want + 1);
	size_t n = 0;
	while (n < want) {
		ssize_t got = read(fd, buf + n, want - n);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	*len = n;
	if (size > max)
		snprintf(status, scap, "%s %zu of %zu bytes", tail ? "ok, the last" : "ok, the first", n, size);
	else
		snprintf(status, scap, "ok");
	return buf;
}

static void add_file(struct report *r, const char *name, const char *path, size_t max, bool tail)
{
	char status[128];
	size_t len = 0;
	char *data = read_file(path, max, tail, &len, status, sizeof(status));
	index_add(r, data ? name : NULL, path, status);
	if (data)
		member_add(r, name, data, len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of the configuration directory, secret-looking lines masked, secret-looking
 * files left out (both said in the index). */
static void add_config(struct report *r, const char *dir)
{
	char *names[REPORT_CONFIG_FILES];
	size_t nn = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!d) {
		char status[160];
		snprintf(status, sizeof(status), "missing: %s", strerror(errno));
		index_add(r, NULL, dir, status);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (nn == REPORT_CONFIG_FILES) {
			char status[64];
			snprintf(status, sizeof(status), "more than %d files: the rest left out", REPORT_CONFIG_FILES);
			index_add(r, NULL, dir, status);
			break;
		}
		names[nn++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, nn, sizeof(names[0]), cmp_str);
	for (size_t i = 0; i < nn; i++) {
		char path[PATH_MAX], name[PATH_MAX], status[160];
		struct stat st;
		size_t len = 0;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		snprintf(name, sizeof(name), "config/%s", names[i]);
		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode)) {
			index_add(r, NULL, path, "left out: not a regular file");
		} else if (redact_is_secret_key(names[i], strlen(names[i]))) {
			index_add(r, NULL, path, "left out: its name looks secret");
		} else if ((size_t)st.st_size > REPORT_CONFIG_MAX) {
			char big[64];
			snprintf(big, sizeof(big), "left out: larger than %u KiB", REPORT_CONFIG_MAX >> 10);
			index_add(r, NULL, path, big);
		} else {
			char *data = read_file(path, REPORT_CONFIG_MAX, false, &len, status, sizeof(status));
			if (!data) {
				index_add(r, NULL, path, status);
			} else {
				size_t cap = redact_secrets_max(data, len);
				char *clean = xrealloc(NULL, cap);
				unsigned masked = 0;
				size_t n = redact_secrets(data, len, clean, cap, &masked);
				if (n == (size_t)-1)
					fatal("redact_secrets: output larger than its bound (a bug)");
				free(data);
				if (masked)
					snprintf(status, sizeof(status), "ok, %u secret-looking line%s masked", masked,
						 masked == 1 ? "" : "s");
				else
					snprintf(status, sizeof(status), "ok");
				index_add(r, name, path, status);
				member_add(r, name, clean, n);
			}
		}
		free(names[i]);
	}
}

/* ---- sysctls ------------------------------------------------------------------------------------ */

/* The kernel settings a translator depends on, under /proc/sys ('*': every interface). */
static const char *const report_sysctls[] = {
	"net/ipv4/ip_forward",
	"net/ipv4/conf/*/forwarding",
	"net/ipv4/conf/*/rp_filter",
	"net/ipv4/ip_local_port_range",
	"net/ipv4/ping_group_range",
	"net/ipv4/fib_multipath_hash_policy",
	"net/ipv6/conf/*/forwarding",
	"net/ipv6/conf/*/accept_ra",
	"net/ipv6/conf/*/disable_ipv6",
	"net/ipv6/conf/*/mtu",
	"net/ipv6/conf/*/use_tempaddr",
	"net/ipv6/conf/*/addr_gen_mode",
	"net/ipv6/fib_multipath_hash_policy",
	"net/ipv6/route/max_size",
	"net/core/rmem_max",
	"net/core/wmem_max",
	"net/core/bpf_jit_enable",
	"kernel/unprivileged_bpf_disabled",
	"net/netfilter/nf_conntrack_max",
	"net/netfilter/nf_conntrack_count",
};

static void add_sysctls(struct report *r)
{
	char *text = NULL;
	size_t len = 0, cap = 0;

	for (size_t k = 0; k < sizeof(report_sysctls) / sizeof(report_sysctls[0]); k++) {
		char pat[256];
		glob_t g = { 0 };
		snprintf(pat, sizeof(pat), "/proc/sys/%s", report_sysctls[k]);
		if (glob(pat, 0, NULL, &g) != 0) {
			globfree(&g);
			continue; /* not in this kernel (or its module is not loaded) */
		}
		for (size_t i = 0; i < g.gl_pathc; i++) {
			char val[256] = "", line[600];
			int fd = open(g.gl_pathv[i], O_RDONLY | O_CLOEXEC);
			ssize_t got = fd >= 0 ? read(fd, val, sizeof(val) - 1) : -1;
			if (fd >= 0)
				close(fd);
			if (got < 0)
				snprintf(val, sizeof(val), "(unreadable: %s)", strerror(errno));
			else
				val[got] = '\0';
			val[strcspn(val, "\n")] = '\0';
			for (char *t = val; *t; t++)
				if (*t == '\t')
					*t = ' ';
			/* sysctl(8) names: dots for the slashes below /proc/sys */
			char *name = g.gl_pathv[i] + strlen("/proc/sys/");
			for (char *t = name; *t; t++)
				if (*t == '/')
					*t = '.';
			int w = snprintf(line, sizeof(line), "%s = %s\n", name, val);
			size_t wl = w < 0 ? 0 : (size_t)w >= sizeof(line) ? sizeof(line) - 1 : (size_t)w;
			if (len + wl + 1 > cap) {
				cap = (len + wl + 1) * 2;
				text = xrealloc(text, cap);
			}
			memcpy(text + len, line, wl);
			len += wl;
		}
		globfree(&g);
	}
	index_add(r, "sysctl.txt", "/proc/sys", "ok");
	member_add(r, "sysctl.txt", text ? text : xstrdup(""), len);
}

/* ---- daemons ------------------------------------------------------------------------------------ */

static const char *base_name(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

static void add_status(struct report *r, const char *sock)
{
	char name[320], what[300];
	const char *b = base_name(sock);
	size_t bl = strlen(b);
	char *out, status[128], cmd[PATH_MAX + 64];
	size_t len;

	if (bl > 5 && strcmp(b + bl - 5, ".sock") == 0)
		bl -= 5;
	snprintf(what, sizeof(what), "%.*s", (int)bl, b);
	int rc = run_cmd(CMD(r->self, "status", "--json", "--control", (char *)sock), &out, &len, status, sizeof(status));
	snprintf(cmd, sizeof(cmd), "xlat464 status --json --control %s", sock);
	/* a daemon that did not answer: its error, not a .json that does not parse */
	snprintf(name, sizeof(name), "status/%.290s.%s", what, rc == 0 ? "json" : "error.txt");
	index_add(r, out ? name : NULL, cmd, status);
	if (out)
		member_add(r, name, out, len);
}

static void add_daemons(struct report *r, char (*ctl)[PATH_MAX], unsigned nctl, const char *ctl_dir)
{
	if (nctl) {
		for (unsigned i = 0; i < nctl; i++)
			add_status(r, ctl[i]);
		return;
	}
	char pat[PATH_MAX];
	glob_t g = { 0 };
	snprintf(pat, sizeof(pat), "%s/*.sock", ctl_dir);
	int gr = glob(pat, 0, NULL, &g);
	if (gr != 0 || g.gl_pathc == 0) {
		char status[PATH_MAX + 64];
		snprintf(status, sizeof(status), "none: no control socket in %s (no daemon running?)", ctl_dir);
		index_add(r, NULL, "xlat464 status --json", status);
	}
	for (size_t i = 0; gr == 0 && i < g.gl_pathc && i < REPORT_CONTROL_MAX; i++)
		add_status(r, g.gl_pathv[i]);
	globfree(&g);
}

/* ---- the archive -------------------------------------------------------------------------------- */

/* The temporary file beside out_path (mode 0600), made before anything is gathered so that an
 * output that cannot be written is said at once. Its name goes to tmp (PATH_MAX bytes). */
static int open_output(const char *out_path, char *tmp)
{
	if ((size_t)snprintf(tmp, PATH_MAX, "%s.XXXXXX", out_path) >= PATH_MAX) {
		log_warn("%s: path too long", out_path);
		return -1;
	}
	int fd = mkstemp(tmp);
	if (fd < 0)
		log_warn("%s: cannot write there: %s", out_path, strerror(errno));
	return fd;
}

/* Writes the members into fd (tmp, closed here) and renames tmp to out_path; tmp is removed on failure. */
static int write_archive(struct report *r, const char *top, int fd, const char *tmp, const char *out_path)
{
	struct archive *a;
	time_t now = time(NULL);
	int ok = 1;

	a = archive_write_new();
	if (!a || archive_write_add_filter_gzip(a) != ARCHIVE_OK || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_open_fd(a, fd) != ARCHIVE_OK) {
		log_warn("%s: libarchive: %s", out_path, a ? archive_error_string(a) : "out of memory");
		ok = 0;
	}
	for (size_t i = 0; ok && i < r->n; i++) {
		struct archive_entry *e = archive_entry_new();
		char path[PATH_MAX];
		if (!e)
			fatal("out of memory");
		snprintf(path, sizeof(path), "%s/%s", top, r->m[i].name);
		archive_entry_set_pathname(e, path);
		archive_entry_set_size(e, (la_int64_t)r->m[i].len);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0600);
		archive_entry_set_mtime(e, now, 0);
		if (archive_write_header(a, e) != ARCHIVE_OK ||
		    (r->m[i].len && archive_write_data(a, r->m[i].data, r->m[i].len) != (la_ssize_t)r->m[i].len)) {
			log_warn("%s: %s: %s", out_path, r->m[i].name, archive_error_string(a));
			ok = 0;
		}
		archive_entry_free(e);
	}
	if (a && archive_write_close(a) != ARCHIVE_OK) {
		log_warn("%s: %s", out_path, archive_error_string(a));
		ok = 0;
	}
	if (a)
		archive_write_free(a);
	if (close(fd) < 0)
		ok = 0;
	if (ok && rename(tmp, out_path) < 0) {
		log_warn("%s: %s", out_path, strerror(errno));
		ok = 0;
	}
	if (!ok)
		unlink(tmp);
	return ok ? 0 : -1;
}

/* ---- the command -------------------------------------------------------------------------------- */

static void collect(struct report *r, char (*ctl)[PATH_MAX], unsigned nctl, const char *ctl_dir, const char *cfg_dir,
		    char (*logs)[PATH_MAX], unsigned nlogs, const char *since)
{
	/* versions: uname's node name is the host's; with --redact it is left out */
	add_cmd(r, "versions/xlat464.txt", CMD(r->self, "--version"));
	if (r->redact)
		add_cmd(r, "versions/uname.txt", CMD("uname", "-s", "-r", "-v", "-m"));
	else
		add_cmd(r, "versions/uname.txt", CMD("uname", "-a"));
	add_file(r, "versions/os-release.txt", "/etc/os-release", REPORT_CONFIG_MAX, false);
	add_cmd(r, "versions/iproute2.txt", CMD("ip", "-V"));
	add_cmd(r, "versions/nft.txt", CMD("nft", "--version"));

	add_daemons(r, ctl, nctl, ctl_dir);

	add_cmd(r, "net/link.txt", CMD("ip", "-d", "-s", "link", "show"));
	add_cmd(r, "net/addr.txt", CMD("ip", "-d", "addr", "show"));
	add_cmd(r, "net/route4.txt", CMD("ip", "-4", "route", "show", "table", "all"));
	add_cmd(r, "net/route6.txt", CMD("ip", "-6", "route", "show", "table", "all"));
	add_cmd(r, "net/rule4.txt", CMD("ip", "-4", "rule", "show"));
	add_cmd(r, "net/rule6.txt", CMD("ip", "-6", "rule", "show"));
	add_cmd(r, "net/neigh.txt", CMD("ip", "neigh", "show"));
	add_tc_filters(r);
	add_cmd(r, "net/bpf.txt", CMD("bpftool", "net", "show"));
	add_cmd(r, "nft/ruleset.txt", CMD("nft", "list", "ruleset"));
	add_sysctls(r);

	add_cmd(r, "logs/journal.txt",
		CMD("journalctl", "--no-pager", "-o", "short-iso", "-n", REPORT_JOURNAL_LINES, "--since", (char *)since, "-u",
		    "xlat464*"));
	add_cmd(r, "logs/systemctl-status.txt", CMD("systemctl", "status", "--no-pager", "--full", "xlat464*"));
	for (unsigned i = 0; i < nlogs; i++) {
		char name[300];
		snprintf(name, sizeof(name), "logs/%.250s", base_name(logs[i]));
		add_file(r, name, logs[i], REPORT_FILE_MAX, true);
	}
	add_config(r, cfg_dir);
}

static int opt_value(int argc, char **argv, int *i, const char **v)
{
	if (*i + 1 >= argc || argv[*i + 1][0] == '\0') {
		log_warn("%s needs a value (see xlat464 report --help)", argv[*i]);
		return -1;
	}
	*v = argv[++*i];
	return 0;
}

int report_main(int argc, char **argv)
{
	static char ctl[REPORT_CONTROL_MAX][PATH_MAX], logs[REPORT_LOG_MAX][PATH_MAX];
	unsigned nctl = 0, nlogs = 0;
	const char *out = NULL, *ctl_dir = SYS_CTL_DIR, *cfg_dir = REPORT_DEFAULT_CONFIG_DIR, *since = REPORT_DEFAULT_SINCE;
	struct report r = { 0 };
	char out_buf[PATH_MAX], top[256], stamp[32], created[32];
	time_t now = time(NULL);
	struct tm tm;

	log_set_ident("xlat464 report");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v;
		if (strcmp(a, "--redact") == 0) {
			r.redact = true;
		} else if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0) {
			if (opt_value(argc, argv, &i, &out) < 0)
				return 2;
		} else if (strcmp(a, "--control") == 0 || strcmp(a, "--log") == 0) {
			bool is_ctl = a[2] == 'c';
			unsigned *n = is_ctl ? &nctl : &nlogs, max = is_ctl ? REPORT_CONTROL_MAX : REPORT_LOG_MAX;
			if (opt_value(argc, argv, &i, &v) < 0)
				return 2;
			if (*n == max) {
				log_warn("%s: at most %u of them", a, max);
				return 2;
			}
			if (strlen(v) >= PATH_MAX) {
				log_warn("%s: path too long", a);
				return 2;
			}
			snprintf(is_ctl ? ctl[(*n)++] : logs[(*n)++], PATH_MAX, "%s", v);
		} else if (strcmp(a, "--control-dir") == 0) {
			if (opt_value(argc, argv, &i, &ctl_dir) < 0)
				return 2;
		} else if (strcmp(a, "--config-dir") == 0) {
			if (opt_value(argc, argv, &i, &cfg_dir) < 0)
				return 2;
		} else if (strcmp(a, "--since") == 0) {
			if (opt_value(argc, argv, &i, &since) < 0)
				return 2;
		} else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
			fputs(report_usage, stdout);
			return 0;
		} else {
			log_warn("%s: unknown option or missing value (see xlat464 report --help)", a);
			return 2;
		}
	}

	if (gethostname(r.host, sizeof(r.host)) < 0 || !r.host[0])
		snprintf(r.host, sizeof(r.host), "unknown");
	r.host[sizeof(r.host) - 1] = '\0';
	ssize_t sl = readlink("/proc/self/exe", r.self, sizeof(r.self) - 1);
	if (sl <= 0) {
		log_warn("/proc/self/exe: %s", strerror(errno));
		return 1;
	}
	r.self[sl] = '\0';
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%d-%H%M%SZ", &tm);
	strftime(created, sizeof(created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	/* the host name stays out of a redacted bundle's name too; '/' cannot be in a file name */
	snprintf(top, sizeof(top), "xlat464-report-%s-%s", r.redact ? "redacted" : r.host, stamp);
	for (char *t = top; *t; t++)
		if (*t == '/')
			*t = '_';
	if (!out) {
		snprintf(out_buf, sizeof(out_buf), "%s.tar.gz", top);
		out = out_buf;
	}

	char tmp[PATH_MAX];
	int fd = open_output(out, tmp);
	if (fd < 0)
		return 1;
	collect(&r, ctl, nctl, ctl_dir, cfg_dir, logs, nlogs, since);

	/* index.json last: it describes the rest. Its strings are redacted like everything else. */
	char head[512];
	snprintf(head, sizeof(head), "{\n  \"report\": \"xlat464\",\n  \"created\": \"%s\",\n  \"redacted\": %s,\n  \"members\": [",
		 created, r.redact ? "true" : "false");
	size_t hl = strlen(head);
	size_t total = hl + r.ilen + 8;
	char *idx = xrealloc(NULL, total);
	memcpy(idx, head, hl);
	memcpy(idx + hl, r.index ? r.index : "", r.ilen);
	memcpy(idx + hl + r.ilen, "\n  ]\n}\n", 7);
	member_add(&r, "index.json", idx, hl + r.ilen + 7);

	int rc = write_archive(&r, top, fd, tmp, out);
	if (rc == 0)
		printf("xlat464 report: wrote %s (%zu members%s)\n", out, r.n, r.redact ? ", redacted" : "");
	for (size_t i = 0; i < r.n; i++) {
		free(r.m[i].name);
		free(r.m[i].data);
	}
	free(r.m);
	free(r.index);
	return rc == 0 ? 0 : 1;
}
