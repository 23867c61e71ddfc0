/* A BPF object compiled by the Makefile (clang -target bpf), built into the binary that loads it:
 * SYS_BPF_EMBED(name, path) defines name[] and name_end[] around the object's bytes. The Makefile
 * passes the path as XLAT464_BPF_OBJ when it compiles a loader. */
#ifndef XLAT464_SYS_BPF_EMBED_H
#define XLAT464_SYS_BPF_EMBED_H

#define SYS_BPF_EMBED(name, path)                                                                    \
	__asm__(".section .rodata\n"                                                                 \
		".balign 8\n"                                                                        \
		".global " #name "\n" #name ":\n"                                                    \
		".incbin \"" path "\"\n"                                                             \
		".global " #name "_end\n" #name "_end:\n"                                            \
		".previous\n");                                                                      \
	extern const char name[], name##_end[]

#endif
