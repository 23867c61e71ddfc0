/* A raw ICMPv6 socket serving one link (the RA daemon's): it receives the one ICMPv6 type asked for,
 * with the hop limit and destination each message arrived with, and sends from a chosen source. */
#ifndef XLAT464_SYS_ICMP6_H
#define XLAT464_SYS_ICMP6_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Bound to ifname, passing only ICMPv6 type pass_type, joined to group on ifindex, sending with
 * hop limit hops (unicast and multicast) and without looping its own multicast back. Non-blocking,
 * close-on-exec. Returns the fd or -1 with errno. */
int sys_icmp6_open_link(const char *ifname, int ifindex, uint8_t pass_type, const uint8_t group[16], int hops);

/* Receives one message into buf. Returns its length (*truncated set when it did not fit), 0 when
 * nothing is waiting, or -1 with errno. *hop_limit is -1 when the kernel did not say it or the
 * destination (so a caller that insists on 255 refuses the message). */
ssize_t sys_icmp6_recv(int fd, void *buf, size_t cap, bool *truncated, uint8_t src[16], uint8_t dst[16],
		       int *hop_limit);

/* Sends buf (an ICMPv6 message; the kernel fills in the checksum) from src to dst out of ifindex.
 * 0 or -1 with errno. */
int sys_icmp6_send(int fd, int ifindex, const uint8_t src[16], const uint8_t dst[16], const void *buf, size_t len);

#endif
