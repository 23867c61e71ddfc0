/* doctor_sys.h: /proc and child processes for `xlat464 doctor`. */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "doctor_sys.h"

/* The NUL-separated arguments of /proc/PID/cmdline joined by spaces; returns argc. */
static int cmdline(int pid, char *out, size_t cap, char argv[][64], int maxargs)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
	size_t n = doctor_read_file(path, out, cap);
	int argc = 0;
	size_t start = 0;
	for (size_t i = 0; i <= n && n; i++) {
		if (i == n || out[i] == '\0') {
			if (argc < maxargs && i > start)
				snprintf(argv[argc++], 64, "%.*s", (int)(i - start), out + start);
			if (i < n)
				out[i] = ' ';
			start = i + 1;
		}
	}
	if (n && out[n - 1] == ' ')
		out[n - 1] = '\0';
	return argc;
}

static const char *base(const char *s)
{
	const char *b = strrchr(s, '/');
	return b ? b + 1 : s;
}

unsigned doctor_procs_here(const char *name, struct doctor_proc *out, unsigned max)
{
	struct stat self;
	unsigned n = 0;
	char sub[32] = "";
	const char *sp = strchr(name, ' ');
	if (sp)
		snprintf(sub, sizeof(sub), "%s", sp + 1);
	size_t nlen = sp ? (size_t)(sp - name) : strlen(name);
	if (stat("/proc/self/ns/net", &self) < 0)
		return 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		char path[300], comm[64] = "", cl[1024], argv[4][64];
		int pid = atoi(e->d_name);
		struct stat st;
		if (pid <= 0 || pid == getpid())
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		if (stat(path, &st) < 0 || st.st_ino != self.st_ino || st.st_dev != self.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/comm", pid);
		doctor_read_file(path, comm, sizeof(comm));
		comm[strcspn(comm, "\n")] = '\0';
		int argc = cmdline(pid, cl, sizeof(cl), argv, 4);
		bool hit;
		if (sub[0])
			hit = argc >= 2 && strlen(base(argv[0])) == nlen && strncmp(base(argv[0]), name, nlen) == 0 &&
			      strcmp(argv[1], sub) == 0;
		else {
			hit = strcmp(comm, name) == 0;
			for (int k = 1; k < argc && k < 3 && !hit; k++) /* an interpreter running the script */
				hit = strcmp(base(argv[k]), name) == 0;
		}
		if (!hit)
			continue;
		struct doctor_proc *p = &out[n++];
		memset(p, 0, sizeof(*p));
		p->pid = pid;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		char stat_text[512];
		doctor_read_file(path, stat_text, sizeof(stat_text));
		const char *rp = strrchr(stat_text, ')'); /* comm may hold spaces and parentheses */
		if (rp)
			sscanf(rp + 1, " %*c %d", &p->ppid);
		if (p->ppid > 0)
			cmdline(p->ppid, p->parent_cmdline, sizeof(p->parent_cmdline), argv, 4);
	}
	closedir(d);
	return n;
}

int doctor_run(char *const argv[], char *out, size_t cap, unsigned timeout_ms)
{
	int fds[2];
	if (cap == 0 || pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	out[0] = '\0';
	pid_t pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		dup2(fds[1], STDOUT_FILENO);
		if (devnull >= 0) {
			dup2(devnull, STDIN_FILENO);
			dup2(devnull, STDERR_FILENO);
		}
		execvp(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	size_t len = 0;
	double deadline = doctor_now_ms() + timeout_ms;
	bool late = false;
	for (;;) {
		double left = deadline - doctor_now_ms();
		struct pollfd p = { .fd = fds[0], .events = POLLIN };
		if (left <= 0 || poll(&p, 1, (int)left + 1) <= 0) {
			late = true;
			break;
		}
		char drain[512];
		char *dst = len + 1 < cap ? out + len : drain;
		size_t room = len + 1 < cap ? cap - 1 - len : sizeof(drain);
		ssize_t n = read(fds[0], dst, room);
		if (n <= 0)
			break;
		if (dst != drain)
			len += (size_t)n;
	}
	out[len] = '\0';
	close(fds[0]);
	if (late)
		kill(pid, SIGKILL);
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return !late && WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -1;
}

int doctor_sysctl(const char *name)
{
	char path[256], v[32];
	snprintf(path, sizeof(path), "/proc/sys/%s", name);
	if (doctor_read_file(path, v, sizeof(v)) == 0)
		return -1;
	char *end;
	long x = strtol(v, &end, 10);
	return end == v ? -1 : (int)x;
}

unsigned doctor_control_paths_here(char (*paths)[256], unsigned max)
{
	static const char *const daemons[] = { "clat", "plat", "siit", "ra", "dhcp4" };
	struct stat self;
	unsigned n = 0;
	if (stat("/proc/self/ns/net", &self) < 0)
		return 0;
	DIR *d = opendir("/proc");
	if (!d)
		return 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < max) {
		char path[300], cl[4096];
		int pid = atoi(e->d_name);
		struct stat st;
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
		if (stat(path, &st) < 0 || st.st_ino != self.st_ino || st.st_dev != self.st_dev)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
		size_t len = doctor_read_file(path, cl, sizeof(cl));
		/* the arguments, NUL-separated: xlat464 DAEMON ... --control PATH ... */
		const char *arg[64];
		unsigned na = 0;
		for (size_t i = 0; i < len && na < 64; i += strlen(cl + i) + 1)
			arg[na++] = cl + i;
		if (na < 2 || strcmp(base(arg[0]), "xlat464") != 0)
			continue;
		bool daemon = false;
		for (size_t k = 0; k < sizeof(daemons) / sizeof(daemons[0]); k++)
			daemon |= strcmp(arg[1], daemons[k]) == 0;
		if (!daemon)
			continue;
		for (unsigned i = 2; i + 1 < na && n < max; i++) {
			if (strcmp(arg[i], "--control") != 0 || strlen(arg[i + 1]) >= 256 || arg[i + 1][0] != '/')
				continue;
			bool dup = false;
			for (unsigned k = 0; k < n; k++)
				dup |= strcmp(paths[k], arg[i + 1]) == 0;
			if (!dup)
				snprintf(paths[n++], 256, "%s", arg[i + 1]);
		}
	}
	closedir(d);
	return n;
}
