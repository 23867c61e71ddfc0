/* IPv6 UDP and TCP sockets for a DNS server and its upstream resolver (`xlat464 dns64`). Addresses
 * are 16 bytes; an IPv4 one is IPv4-mapped (::ffff:a.b.c.d), which these AF_INET6 sockets also take.
 * Every socket is non-blocking and close-on-exec. */
#ifndef XLAT464_SYS_SOCK6_H
#define XLAT464_SYS_SOCK6_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Where a datagram came from and to which local address and link (IPV6_PKTINFO), for the reply. */
struct sys_peer6 {
	uint8_t addr[16];
	uint16_t port;
	uint8_t local[16];
	int ifindex;
};

/* UDP on addr:port (:: takes IPv4 too) with IPV6_RECVPKTINFO. fd or -1 with errno. */
int sys_udp6_listen(const uint8_t addr[16], uint16_t port);
/* One datagram: its length (cut at cap), or -1 with errno (EAGAIN: none). */
ssize_t sys_udp6_recv(int fd, void *buf, size_t cap, struct sys_peer6 *from);
/* Answers from the address and link the datagram arrived on. 0 or -1 with errno. */
int sys_udp6_reply(int fd, const void *buf, size_t len, const struct sys_peer6 *to);
/* A UDP socket connected to addr:port. fd or -1 with errno. */
int sys_udp6_connect(const uint8_t addr[16], uint16_t port);

/* TCP listening on addr:port. fd or -1 with errno. */
int sys_tcp6_listen(const uint8_t addr[16], uint16_t port);
/* Accepts one connection and gives its peer's address. fd or -1 with errno (EAGAIN: none). */
int sys_tcp6_accept(int lfd, uint8_t peer[16]);
/* Starts a TCP connection to addr:port: fd (connected or connecting: wait for EPOLLOUT) or -1. */
int sys_tcp6_connect(const uint8_t addr[16], uint16_t port);
/* After EPOLLOUT on a connecting socket: 0 when connected, -1 with the connection's errno. */
int sys_tcp6_connected(int fd);

/* Follows changes to the files of one directory (inotify: written and closed, renamed in, deleted).
 * fd or -1 with errno. */
int sys_dirwatch_open(const char *dir);
/* Reads the waiting events; 1 when one names name, 0 when none does, -1 with errno. */
int sys_dirwatch_read(int fd, const char *name);

#endif
