/* libFuzzer target: `xlat464 status`'s reading of a daemon's answer (src/cli/status_text.c): json-c
 * parses any bytes with the depth bound the CLI uses, and the generic renderer prints what parsed. It
 * never crashes or reads past the input, and the text it prints carries no control byte but the
 * newline, whatever the strings held. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "check_packet.h"
#include "cli/status_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size ? size : 1); /* exact size, no terminator: ASan sees a read past the end */
	char err[160];
	if (!s)
		return 0;
	memcpy(s, data, size);
	struct json_object *st = status_parse(s, size, err, sizeof(err));
	if (!st) {
		CHK(err[0] != '\0', "refused without a reason");
	} else {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);
		if (f) {
			status_render(st, f);
			fclose(f);
			CHK(len > 0 && out[len - 1] == '\n', "the text does not end a line");
			for (size_t i = 0; i < len; i++)
				CHK((unsigned char)out[i] >= 0x20 ? out[i] != 0x7f : out[i] == '\n',
				    "control byte 0x%02x at %zu of the text", (unsigned char)out[i], i);
			free(out);
		}
		json_object_put(st);
	}
	free(s);
	return 0;
}
