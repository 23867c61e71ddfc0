/* The CLAT's kernel fast path (lib/sys/bpf/clat_offload.bpf.c): loads the two TC programs (built
 * into the binary), attaches the ingress one to the uplink and the egress one to the CLAT's TUN,
 * and keeps their configuration and counters. The daemon translates whatever the programs leave. */
#ifndef XLAT464_SYS_CLAT_OFFLOAD_H
#define XLAT464_SYS_CLAT_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What the programs need to know, all of it set at once (sys_clat_offload_set). */
struct sys_clat_offload_cfg {
	bool enabled;            /* false: every packet goes on to the daemon */
	uint8_t clat6[16];       /* the CLAT's IPv6 address (shared mode: the host's) */
	uint8_t pool6[16];       /* the PLAT prefix */
	unsigned pool6_len;      /* an RFC 6052 length */
	uint8_t clat4[4];        /* 192.0.0.1 */
	int tun_ifindex;         /* 0 while there is no TUN */
	int uplink_ifindex;
	bool uplink_eth;         /* an Ethernet header on the uplink */
	unsigned mtu6, mtu4, lowest_mtu6;
	uint16_t port_lo, port_hi; /* the shared mode's ports; 0 and 0 in the dedicated mode */
	bool has_gw;             /* Ethernet: the gateway towards the PLAT prefix (else a route lookup per packet) */
	uint8_t gw6[16];
};

/* The counters (X4_CLAT_COUNTERS of lib/sys/bpf/clat_offload_maps.h), summed over the CPUs. */
#define SYS_CLAT_OFFLOAD_NCOUNTERS 12
struct sys_clat_offload_counters {
	uint64_t c[SYS_CLAT_OFFLOAD_NCOUNTERS];
};
/* The short name and one-line description of counter i (names as in the status). */
const char *sys_clat_offload_counter_name(unsigned i);
const char *sys_clat_offload_counter_doc(unsigned i);
/* Indexes the daemon reads by name. */
enum {
	SYS_CLAT_OFF_PKTS_4TO6,
	SYS_CLAT_OFF_BYTES_4TO6,
	SYS_CLAT_OFF_PKTS_6TO4,
	SYS_CLAT_OFF_BYTES_6TO4,
	SYS_CLAT_OFF_FIRST_PASS /* the reasons a packet was left to the daemon start here */
};

struct sys_clat_offload;

/* Loads the programs and their maps, attached nowhere, everything disabled. NULL with a sentence in
 * err when the kernel refuses (no BPF, no capability, an old kernel: the daemon runs on the TUN). */
struct sys_clat_offload *sys_clat_offload_load(char *err, size_t errlen);
/* Attaches the ingress program at the uplink (the variant for its link-layer header), replacing an
 * attachment to another uplink. 0, or -1 with err. */
int sys_clat_offload_attach_uplink(struct sys_clat_offload *o, int ifindex, bool eth, char *err, size_t errlen);
void sys_clat_offload_detach_uplink(struct sys_clat_offload *o);
/* Attaches the egress program at the TUN's egress (the TUN takes it away with itself). */
int sys_clat_offload_attach_tun(struct sys_clat_offload *o, int ifindex, char *err, size_t errlen);
void sys_clat_offload_detach_tun(struct sys_clat_offload *o);
int sys_clat_offload_set(struct sys_clat_offload *o, const struct sys_clat_offload_cfg *c);
void sys_clat_offload_counters(struct sys_clat_offload *o, struct sys_clat_offload_counters *c);
/* Detaches everything and frees it. */
void sys_clat_offload_close(struct sys_clat_offload *o);

/* For the differential tests: runs the egress (4to6) or ingress (6to4) program once on an Ethernet
 * frame with BPF_PROG_TEST_RUN (its Ethernet variants: the test runner always hands a frame). The
 * frame as the program left it goes into out (*out_len: its size on entry) and its return value
 * (TC_ACT_*) into *action. 0, or -1 with errno. */
int sys_clat_offload_run(struct sys_clat_offload *o, bool egress, const void *frame, size_t len, void *out,
			 size_t *out_len, int *action);

#endif
