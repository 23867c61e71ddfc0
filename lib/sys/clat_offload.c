/* The CLAT offload's loader, maps and attachments (clat_offload.h), with libbpf. */
#include "clat_offload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/clat_offload_maps.h"
#include "bpfobj.h"
#include "tc.h"

#ifndef XLAT464_BPF_OBJ
#error "XLAT464_BPF_OBJ: the path of clat_offload.bpf.o (the Makefile passes it)"
#endif
SYS_BPF_EMBED(x4_clat_offload_obj, XLAT464_BPF_OBJ);

_Static_assert(X4_CLAT_NCOUNTERS == SYS_CLAT_OFFLOAD_NCOUNTERS, "the counters of bpf/clat_offload_maps.h");
_Static_assert((int)X4_CLAT_PKTS_4TO6 == (int)SYS_CLAT_OFF_PKTS_4TO6 &&
		       (int)X4_CLAT_BYTES_6TO4 == (int)SYS_CLAT_OFF_BYTES_6TO4 &&
		       (int)X4_CLAT_PASS_NOT_OURS == (int)SYS_CLAT_OFF_FIRST_PASS,
	       "the counter indexes of clat_offload.h");

/* Beside the PLAT's (0x464), so both may sit on one interface. */
#define TC_HANDLE 0x4c4
#define TC_PRIORITY 0x4c4

struct sys_clat_offload {
	struct bpf_object *obj;
	int egress_fd, egress_eth_fd, ingress_eth_fd, ingress_l3_fd, cfg_fd, stats_fd;
	struct sys_tc_attachment uplink, tun;
};

static const char *const counter_name[] = {
#define X4_CLAT_NAME(name, label, doc) label,
	X4_CLAT_COUNTERS(X4_CLAT_NAME)
#undef X4_CLAT_NAME
};
static const char *const counter_doc[] = {
#define X4_CLAT_DOC(name, label, doc) doc,
	X4_CLAT_COUNTERS(X4_CLAT_DOC)
#undef X4_CLAT_DOC
};

const char *sys_clat_offload_counter_name(unsigned i) { return i < X4_CLAT_NCOUNTERS ? counter_name[i] : "?"; }
const char *sys_clat_offload_counter_doc(unsigned i) { return i < X4_CLAT_NCOUNTERS ? counter_doc[i] : "?"; }

static int prog_fd(struct bpf_object *obj, const char *name)
{
	struct bpf_program *p = bpf_object__find_program_by_name(obj, name);
	return p ? bpf_program__fd(p) : -1;
}

struct sys_clat_offload *sys_clat_offload_load(char *err, size_t errlen)
{
	struct sys_clat_offload *o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->obj = sys_bpf_load(x4_clat_offload_obj, x4_clat_offload_obj_end, "xlat464_clat", "programs", err, errlen);
	if (!o->obj)
		goto fail;
	o->egress_fd = prog_fd(o->obj, "x4_clat_egress");
	o->egress_eth_fd = prog_fd(o->obj, "x4_clat_egress_eth");
	o->ingress_eth_fd = prog_fd(o->obj, "x4_clat_ingress_eth");
	o->ingress_l3_fd = prog_fd(o->obj, "x4_clat_ingress_l3");
	struct bpf_map *mc = bpf_object__find_map_by_name(o->obj, "x4_clat_cfg");
	struct bpf_map *ms = bpf_object__find_map_by_name(o->obj, "x4_clat_stats");
	if (o->egress_fd < 0 || o->egress_eth_fd < 0 || o->ingress_eth_fd < 0 || o->ingress_l3_fd < 0 || !mc || !ms) {
		snprintf(err, errlen, "the BPF object lacks its programs or maps");
		goto fail;
	}
	o->cfg_fd = bpf_map__fd(mc);
	o->stats_fd = bpf_map__fd(ms);
	return o; /* the configuration map starts zeroed: disabled */
fail:
	if (o->obj)
		bpf_object__close(o->obj);
	free(o);
	return NULL;
}

int sys_clat_offload_attach_uplink(struct sys_clat_offload *o, int ifindex, bool eth, char *err, size_t errlen)
{
	sys_tc_detach(&o->uplink);
	if (sys_tc_attach(&o->uplink, ifindex, false, TC_HANDLE, TC_PRIORITY, eth ? o->ingress_eth_fd : o->ingress_l3_fd,
			  err, errlen) < 0) {
		sys_tc_detach(&o->uplink);
		return -1;
	}
	return 0;
}

void sys_clat_offload_detach_uplink(struct sys_clat_offload *o) { sys_tc_detach(&o->uplink); }

int sys_clat_offload_attach_tun(struct sys_clat_offload *o, int ifindex, char *err, size_t errlen)
{
	sys_tc_detach(&o->tun);
	if (sys_tc_attach(&o->tun, ifindex, true, TC_HANDLE, TC_PRIORITY, o->egress_fd, err, errlen) < 0) {
		sys_tc_detach(&o->tun);
		return -1;
	}
	return 0;
}

void sys_clat_offload_detach_tun(struct sys_clat_offload *o) { sys_tc_detach(&o->tun); }

/* The prefix's bits, and the bits that must be zero under it (the u-octet, bits 64-71, and the suffix
 * past the 32 IPv4 bits, RFC 6052 section 2.2), as memory-order words. */
static void pool6_masks(unsigned len, uint32_t mask[4], uint32_t zero[4])
{
	uint8_t m[16] = { 0 }, z[16] = { 0 };
	for (unsigned i = 0; i < len / 8 && i < 16; i++)
		m[i] = 0xff;
	if (len < 96) {
		z[8] = 0xff; /* the u-octet */
		/* the IPv4 address takes 32 bits after the prefix, skipping the u-octet */
		unsigned end = len / 8 + 4 + (len / 8 <= 8 ? 1 : 0);
		for (unsigned i = end; i < 16; i++)
			z[i] = 0xff;
	}
	memcpy(mask, m, 16);
	memcpy(zero, z, 16);
}

int sys_clat_offload_set(struct sys_clat_offload *o, const struct sys_clat_offload_cfg *c)
{
	struct x4_clat_cfg k;
	uint32_t zero = 0;
	memset(&k, 0, sizeof(k));
	k.enabled = c->enabled;
	memcpy(k.clat6, c->clat6, 16);
	memcpy(k.pool6, c->pool6, 16);
	k.pool6_len = c->pool6_len;
	pool6_masks(c->pool6_len, k.pool6_mask, k.pool6_zero);
	for (int i = 0; i < 4; i++) { /* bits past the prefix are zero in what the program compares with */
		uint32_t w;
		memcpy(&w, k.pool6 + 4 * i, 4);
		w &= k.pool6_mask[i];
		memcpy(k.pool6 + 4 * i, &w, 4);
	}
	memcpy(&k.clat4, c->clat4, 4);
	k.tun_ifindex = c->tun_ifindex > 0 ? (uint32_t)c->tun_ifindex : 0;
	k.uplink_ifindex = c->uplink_ifindex > 0 ? (uint32_t)c->uplink_ifindex : 0;
	k.uplink_eth = c->uplink_eth;
	k.mtu6 = c->mtu6;
	k.mtu4 = c->mtu4;
	k.lowest_mtu6 = c->lowest_mtu6;
	k.port_lo = c->port_lo;
	k.port_hi = c->port_hi;
	k.has_gw = c->has_gw;
	memcpy(k.gw6, c->gw6, 16);
	return bpf_map_update_elem(o->cfg_fd, &zero, &k, BPF_ANY);
}

void sys_clat_offload_counters(struct sys_clat_offload *o, struct sys_clat_offload_counters *c)
{
	int ncpu = libbpf_num_possible_cpus();
	uint32_t zero = 0;
	struct x4_clat_stats *v = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*v)) : NULL;
	memset(c, 0, sizeof(*c));
	if (v && bpf_map_lookup_elem(o->stats_fd, &zero, v) == 0)
		for (int i = 0; i < ncpu; i++)
			for (int k = 0; k < X4_CLAT_NCOUNTERS; k++)
				c->c[k] += v[i].c[k];
	free(v);
}

void sys_clat_offload_close(struct sys_clat_offload *o)
{
	if (!o)
		return;
	sys_tc_detach(&o->tun);
	sys_tc_detach(&o->uplink);
	bpf_object__close(o->obj);
	free(o);
}

int sys_clat_offload_run(struct sys_clat_offload *o, bool egress, const void *frame, size_t len, void *out,
			 size_t *out_len, int *action)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame, .data_size_in = (uint32_t)len, .data_out = out,
		    .data_size_out = (uint32_t)*out_len, .repeat = 1);
	if (bpf_prog_test_run_opts(egress ? o->egress_eth_fd : o->ingress_eth_fd, &t) < 0)
		return -1;
	*out_len = t.data_size_out;
	*action = (int)t.retval;
	return 0;
}
