/* The two sockets a host CLAT uses on its IPv6 uplink, where its IPv6 address is not a kernel address:
 *
 *  - an AF_PACKET socket (SOCK_DGRAM: the kernel strips and builds the link-layer header) that takes
 *    IPv6 packets for one address off the link, through a classic BPF filter, and sends neighbour
 *    discovery messages to a chosen link-layer destination;
 *  - a raw IPv6 socket with the header included (IPPROTO_RAW), bound to the uplink, so outgoing
 *    translated packets are routed and their next hop resolved by the kernel.
 *
 * The kernel ignores the packets the filter takes for it: a host (forwarding off) drops unicast
 * packets for an address it does not own without an answer. */
#ifndef XLAT464_SYS_PACKET_H
#define XLAT464_SYS_PACKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

struct xlat_vnet;

/* Opens an AF_PACKET socket for IPv6 on ifindex that accepts nothing until sys_packet_filter() sets
 * an address (so no packet slips in before the filter). Non-blocking, close-on-exec, and blind to
 * the packets this host sends itself. Returns the fd, or -1 with errno. */
int sys_packet_open(int ifindex);
#define SYS_PACKET_RCVBUF (8 << 20) /* its receive buffer (SO_RCVBUFFORCE, else as much as allowed) */

/* Adds the packets the kernel dropped for want of room in the socket's buffer since the last call
 * (PACKET_STATISTICS, which resets the count) to *drops. 0 or -1 with errno. */
int sys_packet_drops(int fd, uint64_t *drops);

/* Lets through exactly: IPv6 packets whose destination is addr, ICMPv6 Neighbor Solicitations and
 * Advertisements whose target is addr (whatever their destination, so DAD probes and answers for it
 * are seen), and ICMPv6 Router Advertisements (without extension headers; for their PREF64 option).
 * Replaces the previous filter. 0 or -1 with errno. */
int sys_packet_filter(int fd, const uint8_t addr[16]);
/* The same for n addresses (0 to SYS_PACKET_ADDRS_MAX; with 0, router advertisements only): the CLAT
 * address, one under Duplicate Address Detection, and one being retired. */
#define SYS_PACKET_ADDRS_MAX 4
int sys_packet_filter_addrs(int fd, const uint8_t (*addrs)[16], unsigned n);

/* Which packets a socket takes, for a socket per thread: SYS_PACKET_TAKE_ALL is sys_packet_filter_addrs;
 * SYS_PACKET_TAKE_NDP only its neighbour discovery and router advertisements; SYS_PACKET_TAKE_DATA
 * (one address or none) the packets for the address that are not neighbour discovery (ICMPv6 types
 * 133 to 137), and with no address nothing. NDP and DATA split ALL between two sockets. */
enum sys_packet_take { SYS_PACKET_TAKE_ALL, SYS_PACKET_TAKE_NDP, SYS_PACKET_TAKE_DATA };
int sys_packet_filter_take(int fd, const uint8_t (*addrs)[16], unsigned n, enum sys_packet_take take);

/* Puts the (bound) socket in a PACKET_FANOUT group of hash mode: each packet goes to one socket of
 * the group, by the hash of its flow. *id 0: a new group, whose id the kernel chooses unique and
 * writes to *id; else the group *id. 0 or -1 with errno. */
int sys_packet_fanout(int fd, uint16_t *id);

/* Joins (join = true) or leaves a link-layer multicast group on ifindex (PACKET_ADD_MEMBERSHIP), so
 * frames for it are received even where the NIC filters multicast. 0 or -1 with errno. */
int sys_packet_membership(int fd, int ifindex, const uint8_t mac[6], bool join);

/* Receives one IPv6 packet into buf. Returns its length (trimmed to the IPv6 payload length, so
 * link-layer padding is gone), 0 for a frame to skip (sent by this host, or shorter than an IPv6
 * header), or -1 with errno (EAGAIN when none is waiting). src_mac gets the link-layer source; vh
 * says, in lib/xlat/offload.h's terms, when a sender on this host left the transport checksum to the
 * device (XLAT_VNET_F_NEEDS_CSUM, the transport right after the IPv6 header); such a sender's TCP
 * super-packets come whole (longer than the link MTU). */
ssize_t sys_packet_recv(int fd, uint8_t *buf, size_t cap, uint8_t src_mac[6], struct xlat_vnet *vh);

/* Sends an IPv6 packet to a link-layer destination on ifindex. 0 or -1 with errno. */
int sys_packet_send(int fd, int ifindex, const uint8_t dst_mac[6], const void *buf, size_t len);

/* Opens an AF_PACKET socket (SOCK_RAW) that only sends, each frame behind a struct virtio_net_hdr
 * (PACKET_VNET_HDR, lib/xlat/offload.h), so a TCP super-packet leaves whole and the device, or the
 * kernel's software GSO, cuts it into segments. Returns the fd, or -1 with errno. */
int sys_packet_open_gso(void);
/* Sends iov out of ifindex: the 10-byte virtio_net_hdr first (its offsets from the frame's start),
 * then the frame as the link takes it (an Ethernet header, or none on a layer-3 link) and the IPv6
 * packet. 0 or -1 with errno. */
int sys_packet_send_gso(int fd, int ifindex, const struct iovec *iov, int niov);

/* Opens a raw IPv6 socket (IPPROTO_RAW: the caller supplies the IPv6 header) bound to the device
 * ifname with SO_BINDTODEVICE. Non-blocking, close-on-exec. Returns the fd, or -1 with errno. */
int sys_raw6_open(const char *ifname);

/* Sends one IPv6 packet given as iovecs; dst is its destination (the kernel routes on it). */
int sys_raw6_send(int fd, const struct iovec *iov, int niov, const uint8_t dst[16]);

/* Opens a UDP socket for both families (AF_INET6, IPV6_V6ONLY off: IPv4 peers as ::ffff:a.b.c.d),
 * non-blocking, close-on-exec, on an ephemeral port. Returns the fd, or -1 with errno. */
int sys_udp_open(void);

#endif
