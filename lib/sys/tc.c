#include "tc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>

int sys_tc_attach(struct sys_tc_attachment *a, int ifindex, bool egress, uint32_t handle, uint32_t priority,
		  int prog_fd, char *err, size_t errlen)
{
	memset(a, 0, sizeof(*a));
	a->ifindex = ifindex;
	a->egress = egress;
	a->handle = handle;
	a->priority = priority;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	int e = bpf_tc_hook_create(&hook);
	if (e && e != -EEXIST) {
		snprintf(err, errlen, "making the clsact qdisc: %s", strerror(-e));
		return -1;
	}
	a->made_qdisc = e == 0;
	LIBBPF_OPTS(bpf_tc_opts, opts, .prog_fd = prog_fd, .handle = handle, .priority = priority,
		    .flags = BPF_TC_F_REPLACE);
	e = bpf_tc_attach(&hook, &opts);
	if (e) {
		snprintf(err, errlen, "attaching the program at %s: %s", egress ? "egress" : "ingress", strerror(-e));
		return -1;
	}
	a->attached = true;
	return 0;
}

void sys_tc_detach(struct sys_tc_attachment *a)
{
	if (!a->ifindex)
		return;
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = a->ifindex, .attach_point = a->egress ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	if (a->attached) {
		LIBBPF_OPTS(bpf_tc_opts, opts, .handle = a->handle, .priority = a->priority);
		bpf_tc_detach(&hook, &opts);
	}
	if (a->made_qdisc) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS; /* the clsact qdisc itself */
		bpf_tc_hook_destroy(&hook);
	}
	memset(a, 0, sizeof(*a));
}
