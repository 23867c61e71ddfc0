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
	struct pollfd pf[2] = { { .fd = w->fd, .events = POLLIN }, { .fd = w->wakefd, .events = POLLIN } };
	while (!__atomic_load_n(&w->pool->stop, __ATOMIC_ACQUIRE)) {
		int r = poll(pf, 2, TUN_WORKER_TICK_MS);
		if (r < 0 && errno != EINTR)
			break;
		if (__atomic_load_n(&w->pool->stop, __ATOMIC_ACQUIRE))
			break;
		pthread_mutex_lock(&w->lock);
		w->pool->burst(w->state, w->fd);
		pthread_mutex_unlock(&w->lock);
	}
	return NULL;
}

int tun_workers_start(struct tun_workers *p, const int *fds, void *const *states, unsigned n, tun_worker_burst_fn burst)
{
	if (n == 0 || n > TUN_WORKERS_MAX) {
		errno = EINVAL;
		return -1;
	}
	memset(p, 0, sizeof(*p));
	p->burst = burst;
	for (unsigned i = 0; i < TUN_WORKERS_MAX; i++)
		p->w[i].wakefd = -1;
	for (unsigned i = 0; i < n; i++) {
		struct tun_worker *w = &p->w[i];
		w->fd = fds[i];
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
