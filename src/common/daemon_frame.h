/* The lifecycle every daemon shares (docs/design.md, "The daemon frame"): the signals, the control
 * socket answering with the status, the pidfile, the drop of privileges and systemd's notifications.
 * A daemon fills in its part, then
 *
 *     daemon_frame_open(&f, ctlpath, pidfile)   after its own sockets and TUN, its loop initialised
 *     daemon_frame_privileges(&f, caps, seccomp) once set up, before any thread starts
 *     daemon_frame_ready(&f, "STATUS text", ...)  READY=1
 *     sys_loop_run(f.loop)
 *     daemon_frame_close(&f)
 *
 * SIGHUP calls reload between RELOADING=1 and READY=1; SIGTERM and SIGINT call stopping (or, when
 * the daemon has none, send STOPPING=1 and stop the loop). */
#ifndef XLAT464_COMMON_DAEMON_FRAME_H
#define XLAT464_COMMON_DAEMON_FRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "status_serve.h"

struct sys_loop;

#define DAEMON_FRAME_CTL_MAX 108 /* sizeof(sun_path) */

struct daemon_frame {
	/* the daemon's part */
	struct sys_loop *loop;
	void *ctx;                        /* passed to the three below */
	status_write_fn status;           /* the control socket's answer */
	void (*reload)(void *ctx);        /* SIGHUP; NULL: nothing to reload */
	void (*stopping)(void *ctx, int sig); /* NULL: STOPPING=1 and the loop stops */
	const char *config;               /* the file SIGHUP re-reads, for the log; NULL: none */
	/* the frame's */
	int sigfd, ctlfd;
	char ctlpath[DAEMON_FRAME_CTL_MAX];
	const char *pidfile;
};

/* No descriptor open yet: daemon_frame_close is safe from here on. */
void daemon_frame_init(struct daemon_frame *f);

/* Opens the signalfd, listens on the control socket at ctlpath and writes pidfile (NULL: none), the
 * first two added to f->loop. 0, or -1 after logging what failed (the control socket: EADDRINUSE when
 * another daemon answers there). */
int daemon_frame_open(struct daemon_frame *f, const char *ctlpath, const char *pidfile);

/* Writes pidfile (NULL: none), removed by daemon_frame_close: for a daemon that forks into the
 * background after daemon_frame_open (which then had pidfile NULL). 0, or -1 after logging. */
int daemon_frame_pidfile(struct daemon_frame *f, const char *pidfile);

/* Set up: keeps only the capabilities in keep (SYS_PRIV_*) and loads the seccomp allow-list when
 * asked. Both hold for the calling thread and the threads it starts afterwards, so call it before
 * starting any. */
void daemon_frame_privileges(struct daemon_frame *f, uint64_t keep, bool seccomp);

/* Tells systemd READY=1, with a STATUS line made from fmt. */
void daemon_frame_ready(struct daemon_frame *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Closes the control socket (and removes it), removes the pidfile, closes the signalfd. */
void daemon_frame_close(struct daemon_frame *f);

#endif
