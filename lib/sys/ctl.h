/* Control sockets: a daemon listens on a unix stream socket; `xlat464 status` connects to it. */
#ifndef XLAT464_SYS_CTL_H
#define XLAT464_SYS_CTL_H

#include <stddef.h>

#define SYS_CTL_DIR "/run/xlat464"

/* Creates the parent directory when it is SYS_CTL_DIR, refuses when a live daemon already answers on
 * path, replaces a stale socket, binds and listens (mode 0600, non-blocking, close-on-exec).
 * Returns the fd, or -1 with errno (EADDRINUSE when another daemon answers). */
int sys_ctl_listen(const char *path);
/* Accepts one client (non-blocking, close-on-exec); -1 with errno when none is waiting. */
int sys_ctl_accept(int lfd);
/* Connects to a daemon's control socket; -1 with errno. */
int sys_ctl_connect(const char *path);
/* The same without waiting, and the socket non-blocking: -1 with EAGAIN when the daemon's backlog is
 * full (a daemon that no longer accepts), to be tried again. */
int sys_ctl_connect_nonblock(const char *path);
/* Writes all of buf; 0 or -1 with errno. */
int sys_write_all(int fd, const void *buf, size_t len);
/* Reads until EOF or cap bytes; returns the number read, or -1 with errno. */
long sys_read_all(int fd, void *buf, size_t cap);

/* Pid files: written at start, removed at exit (only when it still holds our pid). */
int sys_pidfile_write(const char *path);
void sys_pidfile_remove(const char *path);

/* Forks into the background and detaches from the terminal (daemon(3)), keeping the working
 * directory. 0 or -1 with errno. */
int sys_daemonize(void);

#endif
