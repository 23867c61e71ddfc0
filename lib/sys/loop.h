/* The event loop: one epoll instance per process, callbacks by file descriptor. */
#ifndef XLAT464_SYS_LOOP_H
#define XLAT464_SYS_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define SYS_LOOP_MAX_FDS 128 /* dns64: a TCP client and its upstream connection each */

typedef void (*sys_loop_fn)(void *arg, int fd, uint32_t events);

struct sys_loop_slot {
	int fd;
	sys_loop_fn fn;
	void *arg;
};

struct sys_loop {
	int epfd;
	bool stop;
	struct sys_loop_slot slot[SYS_LOOP_MAX_FDS];
};

int sys_loop_init(struct sys_loop *l);
/* Watches fd for input (EPOLLIN). Returns 0 or -1 with errno. */
int sys_loop_add(struct sys_loop *l, int fd, sys_loop_fn fn, void *arg);
int sys_loop_del(struct sys_loop *l, int fd);
/* Watches fd for events (EPOLLIN, EPOLLOUT...) instead, or changes them: a connecting socket waits for
 * EPOLLOUT, then for input. 0 or -1 with errno. */
int sys_loop_add_ev(struct sys_loop *l, int fd, uint32_t events, sys_loop_fn fn, void *arg);
int sys_loop_mod(struct sys_loop *l, int fd, uint32_t events);
/* Dispatches events until sys_loop_stop() is called. Returns 0, or -1 if epoll_wait fails. */
int sys_loop_run(struct sys_loop *l);
void sys_loop_stop(struct sys_loop *l);

/* CLOCK_MONOTONIC in milliseconds: the clock of every timeout the daemons keep. */
uint64_t sys_mono_ms(void);
void sys_loop_close(struct sys_loop *l);

#endif
