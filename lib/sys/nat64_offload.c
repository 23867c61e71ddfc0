/* The NAT64 offload's loader and maps (nat64_offload.h), with libbpf. */
#include "nat64_offload.h"

#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/nat64_offload_maps.h"
#include "bpfobj.h"
#include "tc.h"

/* The program, compiled by the Makefile (clang -target bpf) and built into the binary. */
#ifndef XLAT464_BPF_OBJ
#error "XLAT464_BPF_OBJ: the path of nat64_offload.bpf.o (the Makefile passes it)"
#endif
SYS_BPF_EMBED(x4_nat64_offload_obj, XLAT464_BPF_OBJ);

#define TC_HANDLE 0x464
#define TC_PRIORITY 0x464

struct sys_offload {
	struct bpf_object *obj;
	int prog_fd, cfg_fd, flows6_fd, flows4_fd, stats_fd, subs_fd;
	bool redirect;
	unsigned sub_len;
	uint64_t sub_interval_ns, sub_tau_ns;
	bool zero_tclass, set_tos;
	uint8_t tos;
	uint8_t pool6[12];
	unsigned nifs;
	struct {
		char name[IF_NAMESIZE];
		int ifindex;
		struct sys_tc_attachment tc;
	} ifs[SYS_OFFLOAD_IFS_MAX];
	uint64_t nflows;
};

static void keys_of(const struct nat64_flow *f, struct x4_off_key6 *k6, struct x4_off_key4 *k4)
{
	memset(k6, 0, sizeof(*k6));
	memcpy(k6->src6, f->v6, 16);
	memcpy(&k6->dst4, f->remote4, 4);
	k6->sport = htons(f->port6);
	k6->dport = htons(f->remote_port);
	k6->proto = f->proto == NAT64_TCP ? IPPROTO_TCP : IPPROTO_UDP;
	memset(k4, 0, sizeof(*k4));
	memcpy(&k4->src4, f->remote4, 4);
	memcpy(&k4->dst4, f->v4, 4);
	k4->sport = htons(f->remote_port);
	k4->dport = htons(f->port4);
	k4->proto = f->proto == NAT64_TCP ? IPPROTO_TCP : IPPROTO_UDP;
}

/* bpf_csum_diff(from, to): the one's-complement sum of to's 32-bit words and of from's complemented
 * (a __wsum, memory order; the kernel folds it). */
static uint32_t wsum_diff(const uint8_t *from, size_t nfrom, const uint8_t *to, size_t nto)
{
	uint64_t s = 0;
	for (size_t i = 0; i + 4 <= nto; i += 4) {
		uint32_t w;
		memcpy(&w, to + i, 4);
		s += w;
	}
	for (size_t i = 0; i + 4 <= nfrom; i += 4) {
		uint32_t w;
		memcpy(&w, from + i, 4);
		s += (uint32_t)~w;
	}
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	return (uint32_t)s;
}

/* The pseudo-header changes of a flow: its IPv6 addresses (client, pool6 + peer) against its IPv4
 * ones (binding, peer), each way. */
static void flow_csums(const struct sys_offload *o, const struct nat64_flow *f, uint32_t *c64, uint32_t *c46)
{
	uint8_t a6[32], a4[8], b4[8];
	memcpy(a6, f->v6, 16);
	memcpy(a6 + 16, o->pool6, 12);
	memcpy(a6 + 28, f->remote4, 4);
	memcpy(a4, f->v4, 4);
	memcpy(a4 + 4, f->remote4, 4);
	*c64 = wsum_diff(a6, 32, a4, 8);
	/* 4to6: from (peer, binding) to (pool6 + peer, client) */
	uint8_t a6r[32];
	memcpy(a6r, o->pool6, 12);
	memcpy(a6r + 12, f->remote4, 4);
	memcpy(a6r + 16, f->v6, 16);
	memcpy(b4, f->remote4, 4);
	memcpy(b4 + 4, f->v4, 4);
	*c46 = wsum_diff(b4, 8, a6r, 32);
}

/* The flows' checksum changes depend on pool6: recomputed for every flow when it changes. */
static void recompute_csums(struct sys_offload *o)
{
	struct x4_off_key6 k6, n6;
	struct x4_off_val6 v6;
	struct x4_off_key4 k4;
	struct x4_off_val4 v4;
	void *prev = NULL;
	while (bpf_map_get_next_key(o->flows6_fd, prev, &n6) == 0) {
		k6 = n6;
		prev = &k6;
		if (bpf_map_lookup_elem(o->flows6_fd, &k6, &v6) < 0)
			continue;
		struct nat64_flow f = { .proto = k6.proto == IPPROTO_TCP ? NAT64_TCP : NAT64_UDP,
					.port6 = ntohs(k6.sport), .port4 = ntohs(v6.sport4), .remote_port = ntohs(k6.dport) };
		memcpy(f.v6, k6.src6, 16);
		memcpy(f.v4, &v6.src4, 4);
		memcpy(f.remote4, &k6.dst4, 4);
		uint32_t c64, c46;
		flow_csums(o, &f, &c64, &c46);
		v6.csum = c64;
		bpf_map_update_elem(o->flows6_fd, &k6, &v6, BPF_EXIST);
		struct x4_off_key4 kk;
		struct x4_off_key6 unused;
		keys_of(&f, &unused, &kk);
		k4 = kk;
		if (bpf_map_lookup_elem(o->flows4_fd, &k4, &v4) == 0) {
			v4.csum = c46;
			bpf_map_update_elem(o->flows4_fd, &k4, &v4, BPF_EXIST);
		}
	}
}

int sys_offload_set_pool6(struct sys_offload *o, const uint8_t pool6[12])
{
	struct x4_off_cfg c = { .enabled = 1, .redirect = o->redirect, .zero_tclass = o->zero_tclass,
				.set_tos = o->set_tos, .tos = o->tos, .sub_len = o->sub_len,
				.sub_interval_ns = o->sub_interval_ns, .sub_tau_ns = o->sub_tau_ns };
	uint32_t zero = 0;
	bool changed = memcmp(o->pool6, pool6, 12) != 0;
	memcpy(c.pool6, pool6, 12);
	memcpy(o->pool6, pool6, 12);
	if (changed && o->nflows)
		recompute_csums(o);
	return bpf_map_update_elem(o->cfg_fd, &zero, &c, BPF_ANY);
}

int sys_offload_set_tos(struct sys_offload *o, bool zero_tclass, bool set_tos, uint8_t tos)
{
	uint8_t p[12];
	o->zero_tclass = zero_tclass;
	o->set_tos = set_tos;
	o->tos = tos;
	memcpy(p, o->pool6, 12);
	return sys_offload_set_pool6(o, p);
}

int sys_offload_set_sub_limits(struct sys_offload *o, unsigned sub_len, uint32_t rate, uint32_t burst)
{
	uint8_t p[12];
	o->sub_len = sub_len;
	o->sub_interval_ns = rate ? 1000000000ull / rate : 0;
	o->sub_tau_ns = rate ? o->sub_interval_ns * (burst ? burst - 1 : 0) : 0;
	memcpy(p, o->pool6, 12);
	return sys_offload_set_pool6(o, p);
}

int sys_offload_sub_hold(struct sys_offload *o, const uint8_t src6[16], uint32_t ms)
{
	struct x4_off_sub_key k;
	struct x4_off_sub v = { 0 };
	struct timespec ts;
	memcpy(k.prefix, src6, 16);
	if (o->sub_len <= 64)
		memset(k.prefix + 8, 0, 8);
	bpf_map_lookup_elem(o->subs_fd, &k, &v); /* keeps its pace; none yet is fine */
	clock_gettime(CLOCK_MONOTONIC, &ts); /* bpf_ktime_get_ns's clock */
	v.held_until_ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec + (uint64_t)ms * 1000000ull;
	return bpf_map_update_elem(o->subs_fd, &k, &v, BPF_ANY);
}

static void detach_all(struct sys_offload *o)
{
	for (unsigned i = 0; i < o->nifs; i++)
		sys_tc_detach(&o->ifs[i].tc);
}

static struct sys_offload *open_any(const char *const *ifnames, unsigned n, const uint8_t pool6[12], bool redirect,
				    char *err, size_t errlen);

struct sys_offload *sys_offload_open(const char *const *ifnames, unsigned n, const uint8_t pool6[12], bool redirect,
				     char *err, size_t errlen)
{
	if (n == 0 || n > SYS_OFFLOAD_IFS_MAX) {
		snprintf(err, errlen, "between 1 and %d interfaces", SYS_OFFLOAD_IFS_MAX);
		return NULL;
	}
	return open_any(ifnames, n, pool6, redirect, err, errlen);
}

struct sys_offload *sys_offload_load(const uint8_t pool6[12], bool redirect, char *err, size_t errlen)
{
	return open_any(NULL, 0, pool6, redirect, err, errlen);
}

int sys_offload_run(struct sys_offload *o, const void *frame, size_t len, void *out, size_t *out_len, int *action)
{
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame, .data_size_in = (uint32_t)len, .data_out = out,
		    .data_size_out = (uint32_t)*out_len, .repeat = 1);
	if (bpf_prog_test_run_opts(o->prog_fd, &t) < 0)
		return -1;
	*out_len = t.data_size_out;
	*action = (int)t.retval;
	return 0;
}

static struct sys_offload *open_any(const char *const *ifnames, unsigned n, const uint8_t pool6[12], bool redirect,
				    char *err, size_t errlen)
{
	struct sys_offload *o = calloc(1, sizeof(*o));
	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->redirect = redirect;
	for (unsigned i = 0; i < n; i++) {
		int ix = (int)if_nametoindex(ifnames[i]);
		if (ix <= 0) {
			snprintf(err, errlen, "interface %s: %s", ifnames[i], strerror(errno));
			free(o);
			return NULL;
		}
		snprintf(o->ifs[i].name, sizeof(o->ifs[i].name), "%s", ifnames[i]);
		o->ifs[i].ifindex = ix;
	}
	o->obj = sys_bpf_load(x4_nat64_offload_obj, x4_nat64_offload_obj_end, "xlat464_nat64", "program", err, errlen);
	if (!o->obj)
		goto fail;
	struct bpf_program *prog = bpf_object__find_program_by_name(o->obj, "x4_nat64");
	struct bpf_map *mc = bpf_object__find_map_by_name(o->obj, "x4_off_cfg");
	struct bpf_map *m6 = bpf_object__find_map_by_name(o->obj, "x4_off_flows6");
	struct bpf_map *m4 = bpf_object__find_map_by_name(o->obj, "x4_off_flows4");
	struct bpf_map *ms = bpf_object__find_map_by_name(o->obj, "x4_off_stats");
	struct bpf_map *mu = bpf_object__find_map_by_name(o->obj, "x4_off_subs");
	if (!prog || !mc || !m6 || !m4 || !ms || !mu) {
		snprintf(err, errlen, "the BPF object lacks its program or maps");
		goto fail;
	}
	o->prog_fd = bpf_program__fd(prog);
	o->cfg_fd = bpf_map__fd(mc);
	o->flows6_fd = bpf_map__fd(m6);
	o->flows4_fd = bpf_map__fd(m4);
	o->stats_fd = bpf_map__fd(ms);
	o->subs_fd = bpf_map__fd(mu);
	o->sub_len = 64;
	if (sys_offload_set_pool6(o, pool6) < 0) {
		snprintf(err, errlen, "setting pool6 in the BPF map: %s", strerror(errno));
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		char why[160];
		o->nifs = i + 1;
		if (sys_tc_attach(&o->ifs[i].tc, o->ifs[i].ifindex, false, TC_HANDLE, TC_PRIORITY, o->prog_fd, why,
				  sizeof(why)) < 0) {
			snprintf(err, errlen, "interface %s: %s", ifnames[i], why);
			goto fail;
		}
	}
	return o;
fail:
	detach_all(o);
	if (o->obj)
		bpf_object__close(o->obj);
	free(o);
	return NULL;
}

void sys_offload_close(struct sys_offload *o)
{
	if (!o)
		return;
	detach_all(o);
	bpf_object__close(o->obj);
	free(o);
}

int sys_offload_add(struct sys_offload *o, const struct nat64_flow *f)
{
	struct x4_off_key6 k6;
	struct x4_off_key4 k4;
	keys_of(f, &k6, &k4);
	struct x4_off_val6 v6 = { .sport4 = htons(f->port4), .ipid = (uint16_t)random() };
	memcpy(&v6.src4, f->v4, 4);
	struct x4_off_val4 v4 = { .dport6 = htons(f->port6) };
	memcpy(v4.dst6, f->v6, 16);
	flow_csums(o, f, &v6.csum, &v4.csum);
	if (bpf_map_update_elem(o->flows6_fd, &k6, &v6, BPF_ANY) < 0)
		return -1;
	if (bpf_map_update_elem(o->flows4_fd, &k4, &v4, BPF_ANY) < 0) {
		int saved = errno;
		bpf_map_delete_elem(o->flows6_fd, &k6);
		errno = saved;
		return -1;
	}
	__atomic_add_fetch(&o->nflows, 1, __ATOMIC_RELAXED); /* the PLAT's workers add from their threads */
	return 0;
}

void sys_offload_del(struct sys_offload *o, const struct nat64_flow *f)
{
	struct x4_off_key6 k6;
	struct x4_off_key4 k4;
	keys_of(f, &k6, &k4);
	int a = bpf_map_delete_elem(o->flows6_fd, &k6), b = bpf_map_delete_elem(o->flows4_fd, &k4);
	if ((a == 0 || b == 0) && __atomic_load_n(&o->nflows, __ATOMIC_RELAXED))
		__atomic_sub_fetch(&o->nflows, 1, __ATOMIC_RELAXED);
}

uint64_t sys_offload_last_ms(struct sys_offload *o, const struct nat64_flow *f)
{
	struct x4_off_key6 k6;
	struct x4_off_key4 k4;
	struct x4_off_val6 v6;
	struct x4_off_val4 v4;
	keys_of(f, &k6, &k4);
	uint64_t last = 0;
	if (bpf_map_lookup_elem(o->flows6_fd, &k6, &v6) == 0)
		last = v6.last_ns;
	if (bpf_map_lookup_elem(o->flows4_fd, &k4, &v4) == 0 && v4.last_ns > last)
		last = v4.last_ns;
	return last / 1000000;
}

void sys_offload_counters(struct sys_offload *o, struct sys_offload_counters *c)
{
	uint64_t sum[X4_OFF_NCOUNTERS] = { 0 };
	int ncpu = libbpf_num_possible_cpus();
	uint32_t zero = 0;
	struct x4_off_stats *v = ncpu > 0 ? calloc((size_t)ncpu, sizeof(*v)) : NULL;
	if (v && bpf_map_lookup_elem(o->stats_fd, &zero, v) == 0)
		for (int i = 0; i < ncpu; i++)
			for (int k = 0; k < X4_OFF_NCOUNTERS; k++)
				sum[k] += v[i].c[k];
	free(v);
	c->pkts6 = sum[X4_OFF_PKTS6];
	c->bytes6 = sum[X4_OFF_BYTES6];
	c->pkts4 = sum[X4_OFF_PKTS4];
	c->bytes4 = sum[X4_OFF_BYTES4];
	c->passed = sum[X4_OFF_PASSED];
	c->failed = sum[X4_OFF_FAILED];
	c->redirected = sum[X4_OFF_REDIRECTED];
	c->sub_held = sum[X4_OFF_SUB_HELD];
	c->sub_rate = sum[X4_OFF_SUB_RATE];
}

uint64_t sys_offload_nflows(const struct sys_offload *o) { return __atomic_load_n(&o->nflows, __ATOMIC_RELAXED); }

void sys_offload_ifnames(const struct sys_offload *o, char *buf, size_t len)
{
	size_t at = 0;
	buf[0] = 0;
	for (unsigned i = 0; i < o->nifs && at < len; i++) {
		int w = snprintf(buf + at, len - at, "%s%s", i ? ", " : "", o->ifs[i].name);
		if (w < 0)
			break;
		at += (size_t)w;
	}
}

static int read_int(const char *path)
{
	char b[16] = { 0 };
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, b, sizeof(b) - 1);
	close(fd);
	return n > 0 ? atoi(b) : -1;
}

int sys_offload_rp_filter_strict(const char *ifname)
{
	char p[128];
	int all = read_int("/proc/sys/net/ipv4/conf/all/rp_filter");
	snprintf(p, sizeof(p), "/proc/sys/net/ipv4/conf/%s/rp_filter", ifname);
	int one = read_int(p);
	if (all < 0 || one < 0)
		return -1;
	return (all > one ? all : one) == 1; /* the kernel takes the larger */
}
