/* libFuzzer target for the CLAT configuration file parser (src/clat/config.c): any bytes as a config
 * file. Never a crash; an error message is always terminated and names the file; what parses must
 * print, and what it prints must parse back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clat/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct clat_config c, again;
	static char out[8192], out2[8192];
	char err[CLAT_CONFIG_ERR_MAX];

	/* an exact-size copy, so that ASan sees any read past the end of the text */
	char *text = malloc(size ? size : 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	clat_config_init(&c);
	int r = clat_config_parse(&c, text, size, "fuzz", err, sizeof(err));
	free(text);
	if (r < 0) {
		if (!memchr(err, '\0', sizeof(err)) || strncmp(err, "fuzz:", 5) != 0)
			abort();
		return 0;
	}
	size_t n = clat_config_format(&c, out, sizeof(out));
	if (n >= sizeof(out))
		abort(); /* every field is bounded: the printed form always fits */
	clat_config_init(&again);
	if (clat_config_parse(&again, out, n, "printed", err, sizeof(err)) < 0)
		abort(); /* the printer wrote something the parser rejects */
	clat_config_format(&again, out2, sizeof(out2));
	if (strcmp(out, out2) != 0)
		abort();
	return 0;
}
