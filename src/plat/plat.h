/* `xlat464 plat`: the PLAT (RFC 6877's provider-side translator), a stateful NAT64 (RFC 6146) or a
 * stateless NAT64 with a dynamic IPv4 pool, on one TUN carrying both families. */
#ifndef XLAT464_PLAT_H
#define XLAT464_PLAT_H

#include <stdbool.h>
#include <stddef.h>

int plat_main(int argc, char **argv);

/* Called by `xlat464 status` when the answer carries PLAT_STATUS_MAGIC (len bytes read from path):
 * prints it (text or JSON), or with sessions the session list, or with flush (a protocol name or
 * "all") flushes. Returns the exit status. */
int plat_status_print(const void *msg, size_t len, const char *path, bool json, bool sessions, const char *flush);

#endif
