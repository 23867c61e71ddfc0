#include "bpfobj.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/libbpf.h>

/* libbpf's messages: the verifier's last word kept for the sentence that says why a load failed,
 * everything printed to stderr when XLAT464_BPF_DEBUG is set. */
static char last_msg[256];
static int keep_last(enum libbpf_print_level level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static int keep_last(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (getenv("XLAT464_BPF_DEBUG")) {
		va_list copy;
		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	/* The verifier's log comes as one message: its last line but the statistics says why. */
	static char msg[16384];
	vsnprintf(msg, sizeof(msg), fmt, ap);
	char *begin = strstr(msg, "-- BEGIN PROG LOAD LOG --");
	if (level != LIBBPF_WARN || !begin)
		return 0;
	char *end = strstr(begin, "-- END"), *line = NULL;
	if (end)
		*end = '\0';
	for (char *l = strtok(begin, "\n"); l; l = strtok(NULL, "\n"))
		if (strncmp(l, "processed ", 10) != 0 && strncmp(l, "-- BEGIN", 8) != 0 && l[0])
			line = l;
	if (line)
		snprintf(last_msg, sizeof(last_msg), "verifier: %s", line);
	return 0;
}

struct bpf_object *sys_bpf_load(const char *start, const char *end, const char *name, const char *what, char *err,
				size_t errlen)
{
	last_msg[0] = '\0';
	libbpf_set_print(keep_last);
	LIBBPF_OPTS(bpf_object_open_opts, oo, .object_name = name);
	struct bpf_object *obj = bpf_object__open_mem(start, (size_t)(end - start), &oo);
	int e = libbpf_get_error(obj);
	if (e) {
		snprintf(err, errlen, "opening the BPF object: %s", strerror(-e));
		return NULL;
	}
	e = bpf_object__load(obj);
	if (e) {
		snprintf(err, errlen, "loading the BPF %s: %s (the kernel refused it, or BPF is not allowed here)%s%s", what,
			 strerror(-e), last_msg[0] ? "; " : "", last_msg);
		bpf_object__close(obj);
		return NULL;
	}
	return obj;
}
