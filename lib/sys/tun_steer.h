/* The PLAT's multi-queue TUN, steered (lib/sys/bpf/tun_steer.bpf.c): each packet the kernel routes
 * into the TUN goes to the queue of the lib/nat64 instance that owns its state, IPv6 by subscriber
 * and IPv4 by pool port, as nat64_instance_of_v6 and nat64_instance_of_port decide. */
#ifndef XLAT464_SYS_TUN_STEER_H
#define XLAT464_SYS_TUN_STEER_H

#include <stddef.h>

struct sys_tun_steer;

/* Loads the program with n queues, unit ports per instance run (port-block-size, or 64) and
 * subscribers of sub_len bits. NULL with a sentence in err. */
struct sys_tun_steer *sys_tun_steer_load(unsigned n, unsigned unit, unsigned sub_len, char *err, size_t errlen);
/* Makes it the TUN's steering program (TUNSETSTEERINGEBPF on one of its queues). 0 or -1 with errno. */
int sys_tun_steer_attach(struct sys_tun_steer *s, int tunfd);
/* The queue it picks for an IP packet (BPF_PROG_TEST_RUN; the differential test). 0 or -1 with errno. */
int sys_tun_steer_run(struct sys_tun_steer *s, const void *pkt, size_t len, unsigned *queue);
void sys_tun_steer_close(struct sys_tun_steer *s);

#endif
