/* TUN devices: one file descriptor carrying bare IP packets of both families (IFF_TUN | IFF_NO_PI). */
#ifndef XLAT464_SYS_TUN_H
#define XLAT464_SYS_TUN_H

#include <stdbool.h>
#include <sys/types.h>

/* Attaches to the TUN called name, creating it when it does not exist (a TUN created here vanishes
 * when the descriptor closes; one made with `ip tuntap add` persists). The descriptor is non-blocking
 * and close-on-exec. Returns the fd, or -1 with errno set. *created tells which case happened. */
int sys_tun_open(const char *name, bool *created);

/* As sys_tun_open, with a struct virtio_net_hdr (10 bytes, little-endian) before every packet read
 * or written (IFF_VNET_HDR), and, when *offload is true, checksum and TCP segmentation offload asked
 * for (TUNSETOFFLOAD: TUN_F_CSUM, TSO4, TSO6, TSO_ECN; lib/xlat/offload.h). *offload comes back
 * false when the kernel refused the offloads (the headers stay, all zero). */
int sys_tun_open_vnet(const char *name, bool *created, bool *offload);

/* Writes the packet p to a TUN opened with a header (sys_tun_open_vnet) behind the header vh, or
 * behind an all-zero one (a complete packet) when vh is NULL: one writev. Returns writev's result. */
struct xlat_pkt;
struct xlat_vnet;
ssize_t sys_tun_write_vnet(int fd, const struct xlat_vnet *vh, const struct xlat_pkt *p);

/* n queues of one multi-queue TUN (IFF_MULTI_QUEUE), into fds[0..n): the kernel spreads the packets
 * it routes into the TUN over the queues by flow hash, so that n workers can each read one. Every
 * queue is non-blocking and close-on-exec. A TUN that exists without IFF_MULTI_QUEUE is refused
 * (EINVAL). Returns 0, or -1 with errno and nothing left open. */
int sys_tun_open_mq(const char *name, bool *created, int *fds, unsigned n);

/* sys_tun_open_vnet for n queues of a multi-queue TUN (as sys_tun_open_mq). */
int sys_tun_open_vnet_mq(const char *name, bool *created, bool *offload, int *fds, unsigned n);

/* Sets the interface's MTU and brings it up (SIOCSIFMTU, SIOCSIFFLAGS). Returns 0 or -1 with errno. */
int sys_link_set_mtu_up(const char *name, unsigned mtu);

#endif
