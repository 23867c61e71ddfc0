/* A UDP socket that sends to one collector (the PLAT's IPFIX export): connected, non-blocking. */
#ifndef XLAT464_SYS_UDP_EXPORT_H
#define XLAT464_SYS_UDP_EXPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Connects a non-blocking, close-on-exec UDP socket to addr:port (IPv6 when v6, else the first 4
 * bytes of addr are IPv4) and asks for a send buffer of sndbuf bytes (the kernel may cap it at
 * net.core.wmem_max). Returns the fd, or -1 with errno. */
int sys_udp_export_open(bool v6, const uint8_t addr[16], uint16_t port, int sndbuf);
/* Sends one datagram without waiting. Returns 0, or -1 with errno (EAGAIN: the send buffer is
 * full; ECONNREFUSED: an earlier datagram met a port unreachable). */
int sys_udp_export_send(int fd, const void *buf, size_t len);
/* Sends n datagrams (msgs[i], lens[i]) with one sendmmsg without waiting. Returns how many were
 * sent, in order, from 0 to n; when fewer than n, errno says why the next one was not. */
unsigned sys_udp_export_sendm(int fd, uint8_t *const *msgs, const size_t *lens, unsigned n);

#endif
