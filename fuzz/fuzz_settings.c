/* libFuzzer target for the SIIT settings parser (src/common/siit_settings.c): any bytes as a config file.
 * Whatever parses must print, and what it prints must parse back to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/siit_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct siit_settings s, again;
	static char out[32768], out2[32768];
	char err[SIIT_ERR_MAX];

	siit_settings_init(&s);
	if (siit_settings_parse_text(&s, (const char *)data, size, "fuzz", err, sizeof(err)) < 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	siit_settings_validate(&s, true, err, sizeof(err));
	size_t n = siit_settings_format(&s, out, sizeof(out));
	if (n >= sizeof(out))
		return 0;
	siit_settings_init(&again);
	if (siit_settings_parse_text(&again, out, n, "printed", err, sizeof(err)) < 0)
		abort(); /* the printer wrote something the parser rejects */
	siit_settings_format(&again, out2, sizeof(out2));
	if (strcmp(out, out2) != 0)
		abort();
	return 0;
}
