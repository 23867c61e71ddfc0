/* The client side of the daemons' control sockets (ctl_client.h). */
#include <errno.h>
#include <glob.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "sys/ctl.h"

#define CTL_TIMEOUT_SEC 5
#define CTL_COMMAND_TIMEOUT_SEC 10
#define CTL_CONNECT_RETRY_MS 20 /* how often a full backlog is tried again, within the deadline */
#define CTL_READ_CHUNK 16384

/* Reads fd to EOF into a malloc'd, terminated buffer of at most max bytes. */
static int read_answer(int fd, size_t max, char **out)
{
	size_t len = 0, cap = max < 16384 ? max + 1 : 16384;
	char *buf = malloc(cap);

	if (!buf)
		return -1;
	for (;;) {
		if (cap - len < 4096 + 1 && cap <= max) {
			size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
			char *b = ncap > cap ? realloc(buf, ncap) : NULL;
			if (!b) {
				free(buf);
				errno = ncap > cap ? ENOMEM : EMSGSIZE;
				return -1;
			}
			buf = b;
			cap = ncap;
		}
		if (len >= max) {
			free(buf);
			errno = EMSGSIZE;
			return -1;
		}
		ssize_t n = read(fd, buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno == EAGAIN ? ETIMEDOUT : errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == 0) {
		free(buf);
		errno = EPROTO;
		return -1;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

static int ask(const char *path, const char *request, size_t max, int timeout, char **out)
{
	int fd = sys_ctl_connect(path);
	if (fd < 0)
		return -1;
	struct timeval tv = { .tv_sec = timeout };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	int r = request ? sys_write_all(fd, request, strlen(request)) : 0;
	if (r == 0)
		r = read_answer(fd, max, out);
	int e = errno;
	close(fd);
	errno = e;
	return r;
}

int ctl_status_json(const char *path, char **json_out)
{
	return ask(path, NULL, CTL_STATUS_MAX, CTL_TIMEOUT_SEC, json_out);
}

int ctl_request_json(const char *path, const char *request, size_t max, char **json_out)
{
	return ask(path, request, max, CTL_COMMAND_TIMEOUT_SEC, json_out);
}

/* One daemon's answer as it arrives. */
struct pending {
	int fd; /* -1 before the connection (a full backlog is tried again) and after the answer */
	bool done;
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
 * -1 with errno (EMSGSIZE past CTL_STATUS_MAX, EPROTO for an empty answer). */
static int read_some(struct pending *p)
{
	const size_t room = (size_t)CTL_STATUS_MAX + 2; /* a byte past the longest answer, and the NUL */
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
		if (p->len > CTL_STATUS_MAX) {
			errno = EMSGSIZE;
			return -1;
		}
	}
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

void ctl_status_json_all(const char (*paths)[256], unsigned n, unsigned timeout_ms, char **out, int *err)
{
	struct pending *p = calloc(n ? n : 1, sizeof(*p));
	struct pollfd *pfd = calloc(n ? n : 1, sizeof(*pfd));
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
			pfd[i].events = POLLIN;
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
			int r = read_some(&p[i]);
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
