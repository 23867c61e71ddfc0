#include "seccomp.h"

#include <errno.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define XLAT464_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define XLAT464_SANITIZED 1
#endif
#endif

/* What an event-loop daemon does after setup. No execve, fork, ptrace, mount, bpf, module or
 * capability calls; signals only to itself (tgkill, for abort). */
static const int event_loop_calls[] = {
	/* I/O and waiting */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(readv), SCMP_SYS(writev), SCMP_SYS(close),
	SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait), SCMP_SYS(epoll_ctl), SCMP_SYS(poll), SCMP_SYS(ppoll),
	SCMP_SYS(fcntl), SCMP_SYS(ioctl), SCMP_SYS(lseek),
	/* sockets: traffic, the control socket, netlink queries, sd_notify */
	SCMP_SYS(socket), SCMP_SYS(bind), SCMP_SYS(connect), SCMP_SYS(accept), SCMP_SYS(accept4),
	SCMP_SYS(recvfrom), SCMP_SYS(recvmsg), SCMP_SYS(recvmmsg), SCMP_SYS(sendto), SCMP_SYS(sendmsg),
	SCMP_SYS(sendmmsg), SCMP_SYS(getsockname), SCMP_SYS(getsockopt), SCMP_SYS(setsockopt),
	SCMP_SYS(shutdown),
	/* files: the configuration on reload, the lease file, removing the pidfile and socket */
	SCMP_SYS(openat), SCMP_SYS(open), SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(statx),
	SCMP_SYS(fsync), SCMP_SYS(fdatasync), SCMP_SYS(rename), SCMP_SYS(renameat), SCMP_SYS(renameat2),
	SCMP_SYS(unlink), SCMP_SYS(unlinkat), SCMP_SYS(umask),
	/* time and timers */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time), SCMP_SYS(nanosleep),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(timerfd_settime), SCMP_SYS(timerfd_gettime),
	/* signals (signalfd) and the end */
	SCMP_SYS(rt_sigreturn), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigaction), SCMP_SYS(tgkill),
	SCMP_SYS(restart_syscall), SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* identity and memory */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid), SCMP_SYS(uname),
	SCMP_SYS(brk), SCMP_SYS(mmap), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	SCMP_SYS(mprotect), SCMP_SYS(futex), SCMP_SYS(getrandom),
};

int sys_seccomp_event_loop(void)
{
	const char *env = getenv("XLAT464_SECCOMP");
	int r;

#ifdef XLAT464_SANITIZED
	return 0;
#endif
	if (env && strcmp(env, "off") == 0)
		return 0;
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		errno = ENOMEM;
		return -1;
	}
	for (size_t i = 0; i < sizeof(event_loop_calls) / sizeof(event_loop_calls[0]); i++) {
		/* A call this architecture lacks (open, time on some) resolves negative: skip it. */
		if (event_loop_calls[i] < 0)
			continue;
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, event_loop_calls[i], 0);
		if (r < 0)
			goto fail;
	}
	r = seccomp_load(ctx);
	if (r < 0)
		goto fail;
	seccomp_release(ctx);
	return 1;
fail:
	seccomp_release(ctx);
	errno = -r;
	return -1;
}

int sys_seccomp_mode(void)
{
	char line[128];
	int mode = -1;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "Seccomp: %d", &mode) == 1)
			break;
	fclose(f);
	return mode;
}

void sys_seccomp_report(int loaded)
{
	if (loaded > 0)
		log_info("seccomp: allow-list loaded (any other system call kills the process; XLAT464_SECCOMP=off "
			 "turns it off)");
	else if (loaded == 0)
		log_info("seccomp: off (XLAT464_SECCOMP=off, or a build with sanitizers)");
	else
		log_warn("seccomp: %s; running without the allow-list", strerror(errno));
}
