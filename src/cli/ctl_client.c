/* The client side of the daemons' control sockets (ctl_client.h). */
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "sys/ctl.h"
#include "sys/log.h"

#define CTL_CONNECT_RETRY_MS 20 /* how often a full backlog is tried again, within the deadline */
#define CTL_READ_CHUNK 16384

/* One daemon's exchange as it goes: connect, write the request (if any), read the answer. */
struct pending {
	int fd; /* -1 before the connection (a full backlog is tried again) and after the answer */
	bool done;
	size_t sent; /* bytes of the request written */
	char *buf;
	size_t len, cap;
};

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

/* Reads what the socket has. 1 at the end of a whole answer (terminated), 0 when more is to come,
 * -1 with errno (EMSGSIZE past max bytes, EPROTO for an empty answer). */
static int read_some(struct pending *p, size_t max)
{
	const size_t room = max + 2; /* a byte past the longest answer, and the NUL */
	for (;;) {
		if (p->cap - p->len < 2) {
			size_t ncap = p->cap ? p->cap * 2 : CTL_READ_CHUNK;
			char *b = realloc(p->buf, ncap < room ? ncap : room);
			if (!b)
				return -1;
			p->buf = b;
			p->cap = ncap < room ? ncap : room;
		}
		ssize_t r = read(p->fd, p->buf + p->len, p->cap - 1 - p->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errno == EAGAIN ? 0 : -1;
		if (r == 0) {
			if (p->len == 0) {
				errno = EPROTO;
				return -1;
			}
			p->buf[p->len] = '\0';
			return 1;
		}
		p->len += (size_t)r;
		if (p->len > max) {
			errno = EMSGSIZE;
			return -1;
		}
	}
}

/* Writes what the socket takes of the request: 0, or -1 with errno (the daemon closed, say). */
static int write_some(struct pending *p, const char *request, size_t len)
{
	while (p->sent < len) {
		/* MSG_NOSIGNAL: a daemon that closed is an error for this one daemon, not SIGPIPE */
		ssize_t w = send(p->fd, request + p->sent, len - p->sent, MSG_NOSIGNAL);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN ? 0 : -1;
		p->sent += (size_t)w;
	}
	return 0;
}

static void settle(struct pending *p, char **out, int *err, int r)
{
	if (r == 1) {
		*out = p->buf;
		p->buf = NULL;
	} else
		*err = r < 0 ? errno : ETIMEDOUT;
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	free(p->buf);
	p->buf = NULL;
	p->done = true;
}

/* Every exchange at once, in one poll loop against one deadline: connect without waiting (a full
 * backlog tried again every CTL_CONNECT_RETRY_MS), write request (NULL: none), read to EOF. */
static void ask_all(const char (*paths)[256], unsigned n, const char *request, size_t max, unsigned timeout_ms,
		    char **out, int *err)
{
	struct pending *p = calloc(n ? n : 1, sizeof(*p));
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
	size_t reqlen = request ? strlen(request) : 0;
	double deadline = now_ms() + timeout_ms;

	for (unsigned i = 0; i < n; i++) {
		out[i] = NULL;
		err[i] = p && pfd ? 0 : ENOMEM;
	}
	if (!p || !pfd)
		goto out;
	for (unsigned i = 0; i < n; i++)
		p[i].fd = -1;
	for (;;) {
		unsigned busy = 0;
		bool backlog_full = false;
		for (unsigned i = 0; i < n; i++) {
			pfd[i].fd = -1;
			pfd[i].revents = 0;
			if (p[i].done)
				continue;
			busy++;
			if (p[i].fd < 0 && (p[i].fd = sys_ctl_connect_nonblock(paths[i])) < 0) {
				if (errno == EAGAIN)
					backlog_full = true;
				else
					settle(&p[i], &out[i], &err[i], -1);
				continue;
			}
			pfd[i].fd = p[i].fd;
			pfd[i].events = p[i].sent < reqlen ? POLLOUT : POLLIN;
		}
		double left = deadline - now_ms();
		if (busy == 0 || left <= 0)
			break;
		int wait = backlog_full && left > CTL_CONNECT_RETRY_MS ? CTL_CONNECT_RETRY_MS : (int)left + 1;
		if (poll(pfd, n, wait) < 0 && errno != EINTR)
			break;
		for (unsigned i = 0; i < n; i++) {
			if (pfd[i].fd < 0 || !pfd[i].revents)
				continue;
			int r = p[i].sent < reqlen ? write_some(&p[i], request, reqlen) : read_some(&p[i], max);
			if (r != 0)
				settle(&p[i], &out[i], &err[i], r);
		}
	}
	for (unsigned i = 0; i < n; i++)
		if (!p[i].done)
			settle(&p[i], &out[i], &err[i], 0);
out:
	free(p);
	free(pfd);
}

static int ask(const char *path, const char *request, size_t max, unsigned timeout_ms, char **out)
{
	char one[1][256];
	int err = 0;

	if (strlen(path) >= sizeof(one[0])) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(one[0], path, strlen(path) + 1);
	ask_all((const char (*)[256])one, 1, request, max, timeout_ms, out, &err);
	errno = err;
	return *out ? 0 : -1;
}

int ctl_status_json(const char *path, unsigned timeout_ms, char **json_out)
{
	return ask(path, NULL, CTL_STATUS_MAX, timeout_ms, json_out);
}

void ctl_status_json_all(const char (*paths)[256], unsigned n, unsigned timeout_ms, char **out, int *err)
{
	ask_all(paths, n, NULL, CTL_STATUS_MAX, timeout_ms, out, err);
}

int ctl_request_json(const char *path, const char *request, size_t max, unsigned timeout_ms, char **json_out)
{
	return ask(path, request, max, timeout_ms, json_out);
}

const char *ctl_strerror(int err, size_t max, unsigned timeout_ms, char *buf, size_t cap)
{
	if (err == ETIMEDOUT)
		snprintf(buf, cap, "no answer within %u ms", timeout_ms);
	else if (err == EMSGSIZE)
		snprintf(buf, cap, "answer longer than %zu MiB", max >> 20);
	else if (err == EPROTO)
		snprintf(buf, cap, "empty answer (not a daemon of xlat464?)");
	else
		snprintf(buf, cap, "%s", strerror(err));
	return buf;
}

int ctl_timeout_arg(const char *v, unsigned *ms)
{
	char *end;
	unsigned long x = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end || x < CTL_TIMEOUT_MIN_MS || x > CTL_TIMEOUT_MAX_MS) {
		log_warn("--timeout '%s': want milliseconds from %d to %d", v, CTL_TIMEOUT_MIN_MS, CTL_TIMEOUT_MAX_MS);
		return -1;
	}
	*ms = (unsigned)x;
	return 0;
}

unsigned cli_ctl_list(char (*paths)[256], unsigned max)
{
	glob_t g = { 0 };
	unsigned n = 0;
	if (glob(SYS_CTL_DIR "/*.sock", 0, NULL, &g) == 0)
		for (size_t i = 0; i < g.gl_pathc && n < max; i++)
			snprintf(paths[n++], 256, "%s", g.gl_pathv[i]);
	globfree(&g);
	return n;
}
