/* systemd's service notifications (sd_notify(3), the protocol, without libsystemd): one datagram of
 * "KEY=VALUE" lines to the AF_UNIX socket named by $NOTIFY_SOCKET (a path, or "@name" in the abstract
 * namespace). The units in dist/systemd are Type=notify: READY=1 once set up, RELOADING=1 and
 * READY=1 around a reload, STOPPING=1, and STATUS= lines that `systemctl status` shows. */
#ifndef XLAT464_SYS_NOTIFY_H
#define XLAT464_SYS_NOTIFY_H

/* Sends state as it is. Returns 1 when sent, 0 when there is no $NOTIFY_SOCKET (not run by systemd),
 * -1 with errno. */
int sys_notify(const char *state);
/* printf-style; the text is cut at 1 KiB. */
int sys_notifyf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "RELOADING=1" with the MONOTONIC_USEC= that systemd 253's Type=notify-reload asks for. */
int sys_notify_reloading(void);

#endif
