#include "loop.h"

#include <errno.h>
#include <time.h>
#include <sys/epoll.h>
#include <unistd.h>

int sys_loop_init(struct sys_loop *l)
{
	l->stop = false;
	for (unsigned i = 0; i < SYS_LOOP_MAX_FDS; i++)
		l->slot[i].fd = -1;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	return l->epfd < 0 ? -1 : 0;
}

int sys_loop_add(struct sys_loop *l, int fd, sys_loop_fn fn, void *arg)
{
	return sys_loop_add_ev(l, fd, EPOLLIN, fn, arg);
}

int sys_loop_mod(struct sys_loop *l, int fd, uint32_t events)
{
	for (unsigned i = 0; i < SYS_LOOP_MAX_FDS; i++) {
		if (l->slot[i].fd == fd) {
			struct epoll_event ev = { .events = events, .data.u32 = i };
			return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
		}
	}
	errno = ENOENT;
	return -1;
}

int sys_loop_add_ev(struct sys_loop *l, int fd, uint32_t events, sys_loop_fn fn, void *arg)
{
	for (unsigned i = 0; i < SYS_LOOP_MAX_FDS; i++) {
		if (l->slot[i].fd >= 0)
			continue;
		struct epoll_event ev = { .events = events, .data.u32 = i };
		if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
			return -1;
		l->slot[i] = (struct sys_loop_slot){ fd, fn, arg };
		return 0;
	}
	errno = ENOSPC;
	return -1;
}

int sys_loop_del(struct sys_loop *l, int fd)
{
	for (unsigned i = 0; i < SYS_LOOP_MAX_FDS; i++) {
		if (l->slot[i].fd == fd) {
			l->slot[i].fd = -1;
			return epoll_ctl(l->epfd, EPOLL_CTL_DEL, fd, NULL);
		}
	}
	errno = ENOENT;
	return -1;
}

int sys_loop_run(struct sys_loop *l)
{
	struct epoll_event ev[SYS_LOOP_MAX_FDS];

	while (!l->stop) {
		int n = epoll_wait(l->epfd, ev, SYS_LOOP_MAX_FDS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		for (int i = 0; i < n && !l->stop; i++) {
			uint32_t k = ev[i].data.u32;
			if (k >= SYS_LOOP_MAX_FDS || l->slot[k].fd < 0)
				continue; /* removed by an earlier callback in this batch */
			l->slot[k].fn(l->slot[k].arg, l->slot[k].fd, ev[i].events);
		}
	}
	return 0;
}

void sys_loop_stop(struct sys_loop *l) { l->stop = true; }

void sys_loop_close(struct sys_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	l->epfd = -1;
}

uint64_t sys_mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}
