/* The address `xlat464 metrics --listen` takes. */
#ifndef XLAT464_CLI_LISTEN_ADDR_H
#define XLAT464_CLI_LISTEN_ADDR_H

#include <sys/socket.h>

/* [ADDR:]PORT or [IPV6]:PORT (ADDR 127.0.0.1 when left out, PORT 1 to 65535) into ss. 0, or -1 when
 * it is not one. */
int listen_addr_parse(const char *s, struct sockaddr_storage *ss, socklen_t *sslen);

#endif
