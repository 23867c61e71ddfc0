/* A seccomp allow-list for the daemons that parse traffic from the LAN (ra, dhcp4): once set up,
 * they only read, write and wait. libseccomp writes the filter; the kernel kills the process on any
 * other system call (SIGSYS, logged by the kernel's audit). */
#ifndef XLAT464_SYS_SECCOMP_H
#define XLAT464_SYS_SECCOMP_H

/* Loads the allow-list of an event-loop daemon into this process: sockets, files it already
 * names (a lease file rewritten by rename, its pidfile and control socket removed at exit), the
 * clock, signals to itself and memory. Needs no_new_privs (sys_priv_keep sets it).
 * Returns 1 when loaded, 0 when switched off (XLAT464_SECCOMP=off in the environment, or a build
 * with sanitizers, whose run-time makes system calls of its own), -1 with errno on failure. */
int sys_seccomp_event_loop(void);

/* Logs what sys_seccomp_event_loop returned: loaded, off and why, or the error. */
void sys_seccomp_report(int loaded);

/* The mode this process runs in, from /proc/self/status (0 none, 1 strict, 2 filter), -1 unknown. */
int sys_seccomp_mode(void);

#endif
