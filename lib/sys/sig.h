/* Signals as file descriptor events (signalfd): SIGTERM, SIGINT and SIGHUP are blocked and read from
 * the event loop, so no handler runs asynchronously. SIGPIPE is ignored (a vanished status client
 * must not kill the daemon). */
#ifndef XLAT464_SYS_SIG_H
#define XLAT464_SYS_SIG_H

/* Returns a non-blocking signalfd, or -1 with errno. */
int sys_signalfd_open(void);
/* Returns the next pending signal number, or 0 when none is pending. */
int sys_signalfd_read(int fd);

#endif
