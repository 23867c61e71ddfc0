/* libFuzzer target for the CLAT's resolv.conf reader (src/clat/prefix.c): any text, never a crash,
 * never more than CLAT_RESOLV_MAX servers, and every scope name stored is NUL-terminated. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clat/prefix.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size copy, so that ASan sees any read past the end of the text */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	struct clat_nameserver ns[CLAT_RESOLV_MAX];
	unsigned n = clat_resolv_parse(text, size, ns);
	if (n > CLAT_RESOLV_MAX)
		abort();
	for (unsigned i = 0; i < n; i++)
		if (!memchr(ns[i].scope, 0, sizeof(ns[i].scope)) || (!ns[i].v6 && ns[i].scope[0]))
			abort();
	free(text);
	return 0;
}
