/* The kernel fast path of the stateful PLAT (lib/sys/bpf/nat64_offload.bpf.c): loads the TC program
 * (built into the binary), attaches it at ingress of the given interfaces, and keeps its flow maps.
 * The daemon adds a flow when lib/nat64 lets the kernel carry a session and removes it when not; it
 * asks when the kernel last carried one, to keep the session alive. */
#ifndef XLAT464_SYS_NAT64_OFFLOAD_H
#define XLAT464_SYS_NAT64_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nat64/nat64.h" /* struct nat64_flow: a session as lib/nat64 hands it over */

#define SYS_OFFLOAD_IFS_MAX 8

struct sys_offload_counters {
	uint64_t pkts6, bytes6, pkts4, bytes4, passed, failed, redirected;
	uint64_t sub_held, sub_rate; /* dropped before the TUN: a held subscriber's new flow; past its pace */
};

struct sys_offload;

/* Loads the program and attaches it at ingress of each of the n interfaces (a clsact qdisc is made
 * where there is none), with pool6 (a /96, its first 12 bytes). redirect: the program sends what it
 * translates out itself (a FIB lookup and bpf_redirect, past the stack's forwarding and netfilter),
 * else the stack forwards it. Returns NULL with a sentence in err. */
struct sys_offload *sys_offload_open(const char *const *ifnames, unsigned n, const uint8_t pool6[12], bool redirect,
				     char *err, size_t errlen);
/* The program and its maps, attached nowhere: for sys_offload_run (tests/bpf/offload_diff.c). */
struct sys_offload *sys_offload_load(const uint8_t pool6[12], bool redirect, char *err, size_t errlen);
/* Runs the program once on a frame (Ethernet header first) with BPF_PROG_TEST_RUN: the frame as the
 * program left it into out (*out_len, up to its size on entry) and its return value into *action
 * (TC_ACT_*). 0, or -1 with errno. */
int sys_offload_run(struct sys_offload *o, const void *frame, size_t len, void *out, size_t *out_len, int *action);

/* Detaches the program (and removes the clsact qdiscs it made) and frees everything. */
void sys_offload_close(struct sys_offload *o);
int sys_offload_set_pool6(struct sys_offload *o, const uint8_t pool6[12]);
/* RFC 7915 sections 4.1 and 5.1: the traffic class 0 instead of the TOS (4to6), the TOS tos instead
 * of the traffic class (6to4); as lib/xlat's zero_tclass, set_tos and tos. 0 or -1 with errno. */
int sys_offload_set_tos(struct sys_offload *o, bool zero_tclass, bool set_tos, uint8_t tos);

/* Per-subscriber limits before the TUN. A subscriber is the source's first sub_len bits (64 or 128);
 * its packets for the daemon are paced to rate per second with a burst (rate 0: no pacing).
 * 0 or -1 with errno. */
int sys_offload_set_sub_limits(struct sys_offload *o, unsigned sub_len, uint32_t rate, uint32_t burst);
/* The daemon refused a new flow of src6's subscriber for a per-subscriber limit: for ms, the program
 * drops that subscriber's new flows (TCP SYN, UDP not in the maps) before they reach the TUN. */
int sys_offload_sub_hold(struct sys_offload *o, const uint8_t src6[16], uint32_t ms);

/* Puts a flow in both maps (0), or -1 with errno (ENOSPC when full). */
int sys_offload_add(struct sys_offload *o, const struct nat64_flow *f);
void sys_offload_del(struct sys_offload *o, const struct nat64_flow *f);
/* When the kernel last translated a packet of the flow, either way, in CLOCK_MONOTONIC ms; 0 never. */
uint64_t sys_offload_last_ms(struct sys_offload *o, const struct nat64_flow *f);

/* The program's counters, summed over the CPUs; the flows in the maps now. */
void sys_offload_counters(struct sys_offload *o, struct sys_offload_counters *c);
uint64_t sys_offload_nflows(const struct sys_offload *o);
/* The interfaces the program is attached to, ", "-separated, into buf. */
void sys_offload_ifnames(const struct sys_offload *o, char *buf, size_t len);

/* Would strict reverse-path filtering drop what the program translates on ifname (the IPv4 packets
 * it makes come from the pool, whose route is the TUN)? 1 yes, 0 no, -1 unknown. */
int sys_offload_rp_filter_strict(const char *ifname);

#endif
