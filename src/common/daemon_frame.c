#include "daemon_frame.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sys/ctl.h"
#include "sys/log.h"
#include "sys/loop.h"
#include "sys/notify.h"
#include "sys/priv.h"
#include "sys/seccomp.h"
#include "sys/sig.h"

void daemon_frame_init(struct daemon_frame *f)
{
	f->sigfd = f->ctlfd = -1;
	f->ctlpath[0] = '\0';
	f->pidfile = NULL;
}

static void on_signal(void *arg, int fd, uint32_t events)
{
	struct daemon_frame *f = arg;
	int sig;

	while ((sig = sys_signalfd_read(fd)) != 0) {
		if (sig == SIGHUP) {
			log_info("SIGHUP: reloading %s", f->config ? f->config : "settings (no config file)");
			sys_notify_reloading();
			if (f->reload)
				f->reload(f->ctx);
			sys_notify("READY=1");
		} else if (f->stopping) {
			f->stopping(f->ctx, sig);
		} else {
			log_info("%s: exiting", strsignal(sig));
			sys_notify("STOPPING=1");
			sys_loop_stop(f->loop);
		}
	}
}

static void on_ctl(void *arg, int fd, uint32_t events)
{
	struct daemon_frame *f = arg;
	status_serve(fd, f->status, f->ctx);
}

int daemon_frame_open(struct daemon_frame *f, const char *ctlpath, const char *pidfile)
{
	f->sigfd = sys_signalfd_open();
	if (f->sigfd < 0 || sys_loop_add(f->loop, f->sigfd, on_signal, f) < 0) {
		log_warn("signals: %s", strerror(errno));
		return -1;
	}
	f->ctlfd = sys_ctl_listen(ctlpath);
	if (f->ctlfd < 0) {
		log_warn("control socket %s: %s", ctlpath,
			 errno == EADDRINUSE ? "another daemon is answering there" : strerror(errno));
		return -1;
	}
	snprintf(f->ctlpath, sizeof(f->ctlpath), "%s", ctlpath);
	if (sys_loop_add(f->loop, f->ctlfd, on_ctl, f) < 0) {
		log_warn("control socket %s: %s", ctlpath, strerror(errno));
		return -1;
	}
	return daemon_frame_pidfile(f, pidfile);
}

int daemon_frame_pidfile(struct daemon_frame *f, const char *pidfile)
{
	if (pidfile && sys_pidfile_write(pidfile) < 0) {
		log_warn("pidfile %s: %s", pidfile, strerror(errno));
		return -1;
	}
	f->pidfile = pidfile;
	return 0;
}

void daemon_frame_privileges(struct daemon_frame *f, uint64_t keep, bool seccomp)
{
	if (sys_priv_keep(keep) < 0)
		log_warn("dropping capabilities: %s", strerror(errno));
	if (seccomp)
		sys_seccomp_report(sys_seccomp_event_loop());
}

void daemon_frame_ready(struct daemon_frame *f, const char *fmt, ...)
{
	char status[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(status, sizeof(status), fmt, ap);
	va_end(ap);
	sys_notifyf("READY=1\nSTATUS=%s", status);
}

void daemon_frame_close(struct daemon_frame *f)
{
	if (f->ctlfd >= 0) {
		close(f->ctlfd);
		unlink(f->ctlpath);
		f->ctlfd = -1;
	}
	if (f->pidfile) {
		sys_pidfile_remove(f->pidfile);
		f->pidfile = NULL;
	}
	if (f->sigfd >= 0) {
		close(f->sigfd);
		f->sigfd = -1;
	}
}
