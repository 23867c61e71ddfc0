/* Reading a daemon's control socket, for `xlat464 status` and `xlat464 metrics`: every daemon writes
 * one fixed-size message to each client and closes; the first word is its magic. */
#ifndef XLAT464_CLI_CTL_CLIENT_H
#define XLAT464_CLI_CTL_CLIENT_H

#include <stddef.h>

enum cli_ctl_kind { CLI_CTL_UNKNOWN, CLI_CTL_SIIT, CLI_CTL_CLAT, CLI_CTL_PLAT, CLI_CTL_RA, CLI_CTL_DHCP4 };

/* Room for the largest message any daemon writes. */
size_t cli_ctl_msg_max(void);

/* Connects to path and reads the daemon's answer into buf (cap bytes), giving up after a few seconds
 * so that a wedged daemon cannot hang the caller. Returns the bytes read, or -1 with errno. */
long cli_ctl_fetch(const char *path, void *buf, size_t cap);

/* Which daemon wrote the n bytes of msg (aligned as malloc aligns), with magic, size and counts all
 * checked: a message from another build, or cut short, is CLI_CTL_UNKNOWN. */
enum cli_ctl_kind cli_ctl_kind(const void *msg, long n);

/* The control sockets in SYS_CTL_DIR (SYS_CTL_DIR/<asterisk>.sock), sorted, at most max of them, copied
 * into paths[i] (cap bytes each). Returns how many. */
unsigned cli_ctl_list(char (*paths)[256], unsigned max);

/* The daemon's status at path as JSON text (what `xlat464 status --json` prints): malloc'd, NUL-
 * terminated, the caller frees it. 0, or -1 with errno. */
int ctl_status_json(const char *path, char **json_out);

#endif
