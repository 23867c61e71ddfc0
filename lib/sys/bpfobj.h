/* BPF objects compiled by the Makefile (clang -target bpf) and built into the binary that loads them,
 * for the PLAT's and the CLAT's kernel fast paths.
 *
 * SYS_BPF_EMBED(name, path) defines name[] and name_end[] around the object's bytes (the Makefile
 * passes the path as XLAT464_BPF_OBJ when it compiles a loader); sys_bpf_load opens and loads them. */
#ifndef XLAT464_SYS_BPFOBJ_H
#define XLAT464_SYS_BPFOBJ_H

#include <stddef.h>

#define SYS_BPF_EMBED(name, path)                                                                    \
	__asm__(".section .rodata\n"                                                                 \
		".balign 8\n"                                                                        \
		".global " #name "\n" #name ":\n"                                                    \
		".incbin \"" path "\"\n"                                                             \
		".global " #name "_end\n" #name "_end:\n"                                            \
		".previous\n");                                                                      \
	extern const char name[], name##_end[]

struct bpf_object;

/* Opens the object between start and end under name and loads its programs and maps into the kernel.
 * NULL with a sentence in err when that fails: "opening the BPF object: ...", or "loading the BPF
 * WHAT: <errno> (the kernel refused ...); verifier: <the verifier's last word>". libbpf's own messages
 * go to stderr only when XLAT464_BPF_DEBUG is set (the verifier's whole log). */
struct bpf_object *sys_bpf_load(const char *start, const char *end, const char *name, const char *what, char *err,
				size_t errlen);

#endif
