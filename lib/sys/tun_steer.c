/* The TUN steering program's loader (tun_steer.h), with libbpf. */
#include "tun_steer.h"

#include <errno.h>
#include <linux/if_tun.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/tun_steer_maps.h"
#include "bpfobj.h"

#ifndef XLAT464_BPF_OBJ
#error "XLAT464_BPF_OBJ: the path of tun_steer.bpf.o (the Makefile passes it)"
#endif
SYS_BPF_EMBED(x4_tun_steer_obj, XLAT464_BPF_OBJ);

struct sys_tun_steer {
	struct bpf_object *obj;
	int prog_fd;
};

struct sys_tun_steer *sys_tun_steer_load(unsigned n, unsigned unit, unsigned sub_len, char *err, size_t errlen)
{
	struct sys_tun_steer *s = calloc(1, sizeof(*s));
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	s->obj = sys_bpf_load(x4_tun_steer_obj, x4_tun_steer_obj_end, "xlat464_tun_steer", "steering program", err, errlen);
	if (!s->obj) {
		free(s);
		return NULL;
	}
	struct bpf_program *prog = bpf_object__find_program_by_name(s->obj, "x4_tun_steer");
	struct bpf_map *m = bpf_object__find_map_by_name(s->obj, "x4_steer_cfg");
	if (!prog || !m) {
		snprintf(err, errlen, "the BPF object lacks its program or map");
		sys_tun_steer_close(s);
		return NULL;
	}
	s->prog_fd = bpf_program__fd(prog);
	struct x4_steer_cfg c = { .n = n, .unit = unit, .sub_len = sub_len };
	uint32_t zero = 0;
	if (bpf_map_update_elem(bpf_map__fd(m), &zero, &c, BPF_ANY) < 0) {
		snprintf(err, errlen, "the steering map: %s", strerror(errno));
		sys_tun_steer_close(s);
		return NULL;
	}
	return s;
}

int sys_tun_steer_attach(struct sys_tun_steer *s, int tunfd) { return ioctl(tunfd, TUNSETSTEERINGEBPF, &s->prog_fd); }

int sys_tun_steer_run(struct sys_tun_steer *s, const void *pkt, size_t len, unsigned *queue)
{
	/* BPF_PROG_TEST_RUN takes an Ethernet frame and hands the program what follows its header,
	 * as the TUN hands it an IP packet */
	uint8_t frame[14 + 2048];
	if (len > sizeof(frame) - 14) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(frame, 0, 14);
	frame[12] = (((const uint8_t *)pkt)[0] >> 4) == 6 ? 0x86 : 0x08;
	frame[13] = (((const uint8_t *)pkt)[0] >> 4) == 6 ? 0xdd : 0x00;
	memcpy(frame + 14, pkt, len);
	LIBBPF_OPTS(bpf_test_run_opts, t, .data_in = frame, .data_size_in = (uint32_t)(len + 14), .repeat = 1);
	if (bpf_prog_test_run_opts(s->prog_fd, &t) < 0)
		return -1;
	*queue = t.retval;
	return 0;
}

void sys_tun_steer_close(struct sys_tun_steer *s)
{
	if (!s)
		return;
	if (s->obj)
		bpf_object__close(s->obj);
	free(s);
}
