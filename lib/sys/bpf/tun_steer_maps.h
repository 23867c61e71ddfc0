/* The map shared by the TUN steering program (tun_steer.bpf.c) and its loader (lib/sys/tun_steer.c). */
#ifndef XLAT464_SYS_BPF_TUN_STEER_MAPS_H
#define XLAT464_SYS_BPF_TUN_STEER_MAPS_H

#include <linux/types.h>

/* One entry of the array x4_steer_cfg: how lib/nat64 splits the work among its instances
 * (nat64_instance_of_v6, nat64_instance_of_port). */
struct x4_steer_cfg {
	__u32 n;       /* queues = instances; 0 or 1: everything to queue 0 */
	__u32 unit;    /* ports per run of one instance (port-block-size, or 64) */
	__u32 sub_len; /* a subscriber is the source's first 64 or 128 bits */
	__u32 pad;
};

#endif
