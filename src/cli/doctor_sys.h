/* What `xlat464 doctor` asks the system, apart from netlink and the control sockets. */
#ifndef XLAT464_CLI_DOCTOR_SYS_H
#define XLAT464_CLI_DOCTOR_SYS_H

#include <stddef.h>

struct doctor_proc {
	int pid, ppid;
	char parent_cmdline[256]; /* arguments joined by spaces */
};

double doctor_now_ms(void);
/* Reads at most cap - 1 bytes of path, NUL-terminated; returns the length (0 when unreadable). */
size_t doctor_read_file(const char *path, char *buf, size_t cap);
/* The same for the last cap - 1 bytes (a log's newest lines). */
size_t doctor_read_tail(const char *path, char *buf, size_t cap);
/* The processes in this network namespace named name: by their command name (comm), by a script's
 * name among their first arguments (clatd is Perl), or "xlat464 SUB" for a subcommand. */
unsigned doctor_procs_here(const char *name, struct doctor_proc *out, unsigned max);
/* Runs argv (looked up in PATH) with stdout into out (cap bytes, NUL-terminated), for at most
 * timeout_ms; 0 when it exited 0. */
int doctor_run(char *const argv[], char *out, size_t cap, unsigned timeout_ms);
/* The control sockets named on the command line (--control PATH, an absolute path) of the xlat464
 * daemons in this network namespace, at most max, without repeats. Returns how many. */
unsigned doctor_control_paths_here(char (*paths)[256], unsigned max);
/* An integer from /proc/sys (e.g. "net/ipv6/conf/all/forwarding"), or -1. */
int doctor_sysctl(const char *name);

#endif
