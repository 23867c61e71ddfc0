/* The data plane on several threads: one worker per queue of a multi-queue TUN (sys_tun_open_mq),
 * each with its own translator state, so that packets of different flows are translated on
 * different CPUs. The kernel picks the queue by flow hash; nothing is shared between workers on the
 * per-packet path. A worker may read a second fd besides its queue (the CLAT's: a packet socket on
 * the uplink, one of a fanout group), with a burst function of its own, which the main thread swaps
 * under the worker's lock. The main thread keeps the control socket, the signals and the reloads:
 * it takes a worker's lock (held by the worker while it handles a burst) to read its counters or to
 * hand it new settings, so a worker never sees settings being freed. */
#ifndef XLAT464_TUN_WORKERS_H
#define XLAT464_TUN_WORKERS_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "value_parse.h"

#define TUN_WORKERS_MAX 16

/* Reads what waits on fd (a burst) and handles it; state is the worker's own. Also called about
 * once a second with nothing to read, for timers. */
typedef void (*tun_worker_burst_fn)(void *state, int fd);

struct tun_worker {
	int fd, wakefd;
	int fd2;   /* a second fd it reads (-1: none), changed under its lock (tun_workers_set_fd2) */
	void *state;
	pthread_t thread;
	pthread_mutex_t lock;
	bool started;
	struct tun_workers *pool;
};

struct tun_workers {
	unsigned n;
	struct tun_worker w[TUN_WORKERS_MAX];
	tun_worker_burst_fn burst;
	tun_worker_burst_fn burst2; /* for fd2: called only when it has something (or has just changed) */
	volatile int stop;
};

/* Starts n threads, worker i reading fds[i] with states[i]. Call it after the capabilities are
 * dropped: a thread keeps the ones its creator had. 0, or -1 with errno (none left running). */
int tun_workers_start(struct tun_workers *p, const int *fds, void *const *states, unsigned n, tun_worker_burst_fn burst);
/* The same, worker i also reading fds2[i] (-1: nothing yet) with burst2 and the same state: the CLAT's
 * workers read a queue of the TUN and a packet socket on the uplink. */
int tun_workers_start2(struct tun_workers *p, const int *fds, const int *fds2, void *const *states, unsigned n,
		       tun_worker_burst_fn burst, tun_worker_burst_fn burst2);
/* Worker i reads fd (-1: none) as its second fd from now on. Call it with worker i's lock held: the
 * caller may then close the old fd (a poll() on it still holds it). Wakes the worker, which polls
 * the new one. Nothing to do for a pool that is not running. */
void tun_workers_set_fd2(struct tun_workers *p, unsigned i, int fd);
/* Worker i's lock: while it is held the worker handles no packet. Nothing to do for a pool that is
 * not running (a daemon with one worker on its main loop). */
void tun_workers_lock(struct tun_workers *p, unsigned i);
void tun_workers_unlock(struct tun_workers *p, unsigned i);
/* Pins worker i to CPU cpus->cpu[i % cpus->n] (the setting worker-cpus; an empty list: nothing);
 * a pool that is not running (one worker, on the daemon's loop) pins the calling thread to the first.
 * Every CPU of the list must be one this process may run on (sched_getaffinity). 0, or -1 with the
 * problem in err. */
int tun_workers_pin(struct tun_workers *p, const struct value_cpus *cpus, char *err, size_t errlen);
/* Stops and joins every worker (the fds stay open: the caller's). */
void tun_workers_stop(struct tun_workers *p);

#endif
