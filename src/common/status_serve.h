/* The answering half of the status protocol (docs/design.md, "Status"), the same for every daemon:
 * each client of the control socket gets the daemon's status as one JSON object, then EOF. */
#ifndef XLAT464_COMMON_STATUS_SERVE_H
#define XLAT464_COMMON_STATUS_SERVE_H

struct json_w;

/* Writes the daemon's whole status object into w. */
typedef void (*status_write_fn)(void *ctx, struct json_w *w);

/* Answers every client waiting on the listening socket lfd: write_status(ctx, w), sent whole, then
 * closed. For the event loop's callback on lfd. */
void status_serve(int lfd, status_write_fn write_status, void *ctx);

/* Makes an accepted client blocking with a send deadline, so that an answer larger than the socket
 * buffer still leaves whole while a client that does not read holds the daemon at most that long. */
void status_client_blocking(int fd, int send_timeout_sec);

#endif
