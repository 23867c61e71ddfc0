#include "tun_workers.h"

#include <errno.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define TUN_WORKER_TICK_MS 1000

static void *worker_main(void *arg)
{
	struct tun_worker *w = arg;
	struct pollfd pf[3] = { { .fd = w->fd, .events = POLLIN }, { .fd = w->wakefd, .events = POLLIN },
				{ .fd = -1, .events = POLLIN } };
	pthread_mutex_lock(&w->lock);
	int fd2 = w->fd2;
	pthread_mutex_unlock(&w->lock);
	while (!__atomic_load_n(&w->pool->stop, __ATOMIC_ACQUIRE)) {
		pf[2].fd = fd2;
		pf[2].revents = 0;
		int r = poll(pf, fd2 >= 0 ? 3 : 2, TUN_WORKER_TICK_MS);
		if (r < 0 && errno != EINTR)
			break;
		if (__atomic_load_n(&w->pool->stop, __ATOMIC_ACQUIRE))
			break;
		if (r > 0 && (pf[1].revents & POLLIN)) {
			uint64_t v;
			if (read(w->wakefd, &v, sizeof(v)) < 0) {
				/* EAGAIN: another read took it */
			}
		}
		pthread_mutex_lock(&w->lock);
		w->pool->burst(w->state, w->fd);
		/* fd2 as it is now: the one polled, or a new one (swapped while this thread polled). */
		if (w->fd2 >= 0 && w->pool->burst2 && (w->fd2 != fd2 || (r > 0 && pf[2].revents)))
			w->pool->burst2(w->state, w->fd2);
		fd2 = w->fd2;
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

int tun_workers_start(struct tun_workers *p, const int *fds, void *const *states, unsigned n, tun_worker_burst_fn burst)
{
	return tun_workers_start2(p, fds, NULL, states, n, burst, NULL);
}

int tun_workers_start2(struct tun_workers *p, const int *fds, const int *fds2, void *const *states, unsigned n,
		       tun_worker_burst_fn burst, tun_worker_burst_fn burst2)
{
	if (n == 0 || n > TUN_WORKERS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->burst = burst;
	p->burst2 = burst2;
	for (unsigned i = 0; i < TUN_WORKERS_MAX; i++)
		p->w[i].wakefd = p->w[i].fd2 = -1;
	for (unsigned i = 0; i < n; i++) {
		struct tun_worker *w = &p->w[i];
		w->fd = fds[i];
		w->fd2 = fds2 ? fds2[i] : -1;
		w->state = states[i];
		w->pool = p;
		w->wakefd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (w->wakefd < 0 || pthread_mutex_init(&w->lock, NULL) != 0)
			goto fail;
		p->n = i + 1;
		int e = pthread_create(&w->thread, NULL, worker_main, w);
		if (e != 0) {
			errno = e;
			goto fail;
		}
		w->started = true;
	}
	return 0;
fail:;
	int e = errno;
	tun_workers_stop(p);
	errno = e;
	return -1;
}

void tun_workers_set_fd2(struct tun_workers *p, unsigned i, int fd)
{
	if (i >= p->n)
		return;
	struct tun_worker *w = &p->w[i];
	w->fd2 = fd;
	uint64_t one = 1;
	if (w->wakefd >= 0 && write(w->wakefd, &one, sizeof(one)) < 0) {
		/* the worker sees the new fd within a tick */
	}
}

void tun_workers_lock(struct tun_workers *p, unsigned i)
{
	if (i < p->n)
		pthread_mutex_lock(&p->w[i].lock);
}

void tun_workers_unlock(struct tun_workers *p, unsigned i)
{
	if (i < p->n)
		pthread_mutex_unlock(&p->w[i].lock);
}

int tun_workers_pin(struct tun_workers *p, const struct value_cpus *cpus, char *err, size_t errlen)
{
	cpu_set_t allowed;
	if (cpus->n == 0)
		return 0;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0) {
		snprintf(err, errlen, "worker-cpus: the CPUs this process may use: %s", strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < cpus->n; i++) {
		if (!CPU_ISSET(cpus->cpu[i], &allowed)) {
			snprintf(err, errlen, "worker-cpus: CPU %u is not one this process may run on (%d allowed)",
				 cpus->cpu[i], CPU_COUNT(&allowed));
			return -1;
		}
	}
	unsigned n = p->n ? p->n : 1;
	for (unsigned i = 0; i < n; i++) {
		cpu_set_t one;
		CPU_ZERO(&one);
		CPU_SET(cpus->cpu[i % cpus->n], &one);
		int e = pthread_setaffinity_np(p->n ? p->w[i].thread : pthread_self(), sizeof(one), &one);
		if (e != 0) {
			snprintf(err, errlen, "worker-cpus: worker %u on CPU %u: %s", i, cpus->cpu[i % cpus->n], strerror(e));
			return -1;
		}
	}
	return 0;
}

void tun_workers_stop(struct tun_workers *p)
{
	__atomic_store_n(&p->stop, 1, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < p->n; i++) {
		struct tun_worker *w = &p->w[i];
		uint64_t one = 1;
		if (w->wakefd >= 0 && write(w->wakefd, &one, sizeof(one)) < 0) {
			/* the worker still sees stop within a tick */
		}
	}
	for (unsigned i = 0; i < p->n; i++) {
		struct tun_worker *w = &p->w[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		w->started = false;
		if (w->wakefd >= 0)
			close(w->wakefd);
		w->wakefd = -1;
		pthread_mutex_destroy(&w->lock);
	}
	p->n = 0;
}
