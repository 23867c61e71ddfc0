/* ctl_status_json (ctl_client.h) for now: runs this binary's own `status --json --control PATH` and
 * takes what it prints, so that `xlat464 doctor` reads every daemon's status as JSON without knowing
 * each daemon's message. Bounded: STATUS_FETCH_MAX bytes, STATUS_FETCH_MS milliseconds. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ctl_client.h"

#define STATUS_FETCH_MAX (1u << 20)
#define STATUS_FETCH_MS 8000

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int ctl_status_json(const char *path, char **json_out)
{
	int p[2];
	*json_out = NULL;
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(p[0]);
		close(p[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_WRONLY);
		dup2(p[1], STDOUT_FILENO);
		if (devnull >= 0)
			dup2(devnull, STDERR_FILENO);
		char *argv[] = { "xlat464", "status", "--json", "--control", (char *)path, NULL };
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	close(p[1]);
	size_t cap = 65536, len = 0;
	char *buf = malloc(cap);
	int err = buf ? 0 : ENOMEM;
	long deadline = now_ms() + STATUS_FETCH_MS;
	while (!err) {
		long left = deadline - now_ms();
		struct pollfd pfd = { .fd = p[0], .events = POLLIN };
		if (left <= 0 || poll(&pfd, 1, (int)left) == 0) {
			err = ETIMEDOUT;
			break;
		}
		if (len + 1 >= cap) {
			if (cap >= STATUS_FETCH_MAX) {
				err = EMSGSIZE;
				break;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				err = ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t n = read(p[0], buf + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(p[0]);
	if (err)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!err && !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
		err = ECONNREFUSED; /* status said why on its stderr; the daemon did not answer */
	if (err) {
		free(buf);
		errno = err;
		return -1;
	}
	buf[len] = '\0';
	*json_out = buf;
	return 0;
}
