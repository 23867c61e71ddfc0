/* libFuzzer target for the PLAT settings parser (src/plat/plat_settings.c): any bytes as a config file.
 * Whatever parses must print, and what it prints must parse back to the same text; finishing (the
 * checks and derived addresses) must not crash either. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nat64/dynpool.h"
#include "plat/plat_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct plat_settings s, again;
	static char out[131072], out2[131072];
	char err[PLAT_ERR_MAX];

	plat_settings_init(&s);
	if (plat_settings_parse_text(&s, (const char *)data, size, "fuzz", err, sizeof(err)) < 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	size_t n = plat_settings_format(&s, out, sizeof(out));
	if (n >= sizeof(out))
		return 0;
	plat_settings_init(&again);
	if (plat_settings_parse_text(&again, out, n, "printed", err, sizeof(err)) < 0)
		abort(); /* the printer wrote something the parser rejects */
	plat_settings_format(&again, out2, sizeof(out2));
	if (strcmp(out, out2) != 0)
		abort();
	if (plat_settings_finish(&s, err, sizeof(err)) == 0) {
		struct nat64_dynpool_config dc;
		plat_settings_dynpool(&s, &dc);
	}
	return 0;
}
