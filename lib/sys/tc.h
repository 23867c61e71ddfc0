/* Attaching a TC (clsact) BPF program to an interface and taking it off again, with libbpf, for
 * the PLAT's and the CLAT's kernel fast paths. A clsact qdisc is made where there is none, and
 * removed again only by the one who made it. */
#ifndef XLAT464_SYS_TC_H
#define XLAT464_SYS_TC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sys_tc_attachment {
	int ifindex;
	bool egress;     /* else ingress */
	uint32_t handle, priority;
	bool made_qdisc; /* the clsact qdisc was made here: sys_tc_detach removes it */
	bool attached;
};

/* Attaches prog_fd at the interface's ingress or egress under handle and priority, replacing a
 * filter there with the same two (one an earlier, killed run left). 0, or -1 with a sentence in
 * err (and a's fields as far as it got, for sys_tc_detach). */
int sys_tc_attach(struct sys_tc_attachment *a, int ifindex, bool egress, uint32_t handle, uint32_t priority,
		  int prog_fd, char *err, size_t errlen);
/* Takes the filter off and removes the qdisc when it was made here; quiet when the interface is
 * gone already (its filters went with it). */
void sys_tc_detach(struct sys_tc_attachment *a);

#endif
