/* read(2) and writev(2) for a data path's per-packet loop (a TUN queue), without the C library's
 * wrapper. On x86-64 the system call is made inline, as liburing makes io_uring_enter: the wrapper's
 * call, its thread-cancellation check and its errno cost about ten instructions each way, a tenth of
 * what a translated packet costs in userspace (docs/performance.md). Nothing here is a cancellation
 * point, which is right for threads that are stopped by a flag, never cancelled. Elsewhere the C
 * library's calls are used. Both return the count, or -errno; errno is left alone. */
#ifndef XLAT464_SYS_FASTIO_H
#define XLAT464_SYS_FASTIO_H

#include <errno.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#if defined(__x86_64__)
/* A system call of three arguments, inline (the x86-64 convention: rax, rdi, rsi, rdx; rcx and r11
 * are lost). The result, or -errno. */
static inline long sys_fast_syscall3(long nr, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "0"(nr), "D"(a), "S"(b), "d"(c) : "rcx", "r11", "memory");
	return r;
}
#endif

static inline ssize_t sys_fast_read(int fd, void *buf, size_t n)
{
#if defined(__x86_64__)
	return sys_fast_syscall3(SYS_read, fd, (long)buf, (long)n);
#else
	ssize_t r = read(fd, buf, n);
	return r < 0 ? -errno : r;
#endif
}

static inline ssize_t sys_fast_writev(int fd, const struct iovec *iov, int niov)
{
#if defined(__x86_64__)
	return sys_fast_syscall3(SYS_writev, fd, (long)iov, niov);
#else
	ssize_t r = writev(fd, iov, niov);
	return r < 0 ? -errno : r;
#endif
}

#endif
