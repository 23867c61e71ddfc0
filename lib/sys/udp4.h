/* An IPv4 UDP socket serving one link (the DHCPv4 server's). */
#ifndef XLAT464_SYS_UDP4_H
#define XLAT464_SYS_UDP4_H

#include <stddef.h>
#include <stdint.h>

/* UDP port on every address, bound to ifname (SO_BINDTODEVICE), with SO_BROADCAST and IP_PKTINFO;
 * non-blocking, close-on-exec. Returns the fd or -1 with errno. */
int sys_udp4_open_link(const char *ifname, uint16_t port);
/* Sends buf to dst:port (255.255.255.255 for the limited broadcast) out of ifindex. With
 * SO_BINDTODEVICE and IP_PKTINFO the kernel sends the broadcast out of that link even when it has no
 * IPv4 address of its own (the source is then 0.0.0.0). 0 or -1 with errno. */
int sys_udp4_send_link(int fd, int ifindex, const uint8_t dst[4], uint16_t port, const void *buf, size_t len);
/* The first IPv4 address of ifname; 0 or -1 (none: EADDRNOTAVAIL, or errno). */
int sys_if_addr4(const char *ifname, uint8_t addr[4]);

#endif
