/* Reading a daemon's control socket, for `xlat464 status`, `xlat464 metrics` and `xlat464 doctor`:
 * every daemon answers each client with its status as one JSON object and closes (docs/design.md,
 * "Status"). Every read is bounded by a deadline the caller gives, connecting included: a wedged
 * daemon (its socket accepting and never answering, or its backlog full) costs that time, no more. */
#ifndef XLAT464_CLI_CTL_CLIENT_H
#define XLAT464_CLI_CTL_CLIENT_H

#include <stddef.h>

#define CTL_STATUS_MAX (1u << 20)    /* the longest status answer read */
#define CTL_COMMAND_MAX (512u << 20) /* the longest command answer read (a PLAT's million sessions) */

/* --timeout MS of status and metrics (doctor's, for its probes too, defaults to more): how long the
 * daemons, asked all at once, have to answer. */
#define CTL_TIMEOUT_MS 1000
#define CTL_TIMEOUT_MIN_MS 100
#define CTL_TIMEOUT_MAX_MS 30000

/* The daemon's status as JSON text (malloc'd, caller frees); 0 or -1 with errno. Gives up after
 * timeout_ms (ETIMEDOUT); an answer longer than CTL_STATUS_MAX is EMSGSIZE, an empty one EPROTO. The
 * text is not checked: parse it before trusting it. */
int ctl_status_json(const char *path, unsigned timeout_ms, char **json_out);

/* The status of each daemon at paths (n of them), asked all at once and all given one deadline,
 * timeout_ms from now, so that a wedged daemon costs the caller that time once, not once per daemon.
 * out[i] is the answer of paths[i] (malloc'd, caller frees), or NULL with err[i] its errno: ETIMEDOUT
 * when no whole answer came in time (a daemon that accepts and says nothing, or accepts no more),
 * EMSGSIZE and EPROTO as ctl_status_json. */
void ctl_status_json_all(const char (*paths)[256], unsigned n, unsigned timeout_ms, char **out, int *err);

/* Writes request (one line, "\n" included) to the socket at path and reads the JSON answer, at most
 * max bytes, into *json_out (malloc'd, caller frees), all within timeout_ms. 0 or -1 with errno, as
 * ctl_status_json. */
int ctl_request_json(const char *path, const char *request, size_t max, unsigned timeout_ms, char **json_out);

/* Why a read failed, for a message after the socket's path: err as set above ("no answer within
 * 1000 ms", "answer longer than 1 MiB", ...), max and timeout_ms as the read was given. Returns buf. */
const char *ctl_strerror(int err, size_t max, unsigned timeout_ms, char *buf, size_t cap);

/* Parses the value of --timeout (CTL_TIMEOUT_MIN_MS to CTL_TIMEOUT_MAX_MS) into *ms: 0, or -1 after a
 * warning naming it. */
int ctl_timeout_arg(const char *v, unsigned *ms);

/* The control sockets in SYS_CTL_DIR (SYS_CTL_DIR/<asterisk>.sock), sorted, at most max of them, copied
 * into paths[i] (256 bytes each). Returns how many. */
unsigned cli_ctl_list(char (*paths)[256], unsigned max);

#endif
