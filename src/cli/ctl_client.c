/* The client side of the daemons' control sockets (ctl_client.h). */
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ctl_client.h"
#include "sys/ctl.h"

#define CTL_TIMEOUT_SEC 5
#define CTL_COMMAND_TIMEOUT_SEC 10

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
