#include "json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "xlat/xlat.h"

void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

void json_status_open(const char *daemon, const char *control, int32_t pid)
{
	printf("{\n  \"daemon\": ");
	json_str(daemon);
	printf(",\n  \"control\": ");
	json_str(control);
	printf(",\n  \"pid\": %" PRId32, pid);
}

void json_lines(char *text)
{
	char *save = NULL;
	bool first = true;

	putchar('[');
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		printf("%s\n    ", first ? "" : ",");
		json_str(line);
		first = false;
	}
	printf("\n  ]");
}

void status_drops_text(const struct xlat_stats *st)
{
	bool any = false;
	/* RFC 6146 section 3.4 asks for the count of UDP checksums computed */
	if (st->udp_csum_computed || st->reasm_fragments)
		printf("udp with checksum zero:\n  %" PRIu64 " checksums computed, %" PRIu64
		       " datagrams reassembled from %" PRIu64 " fragments\n",
		       st->udp_csum_computed, st->reasm_datagrams, st->reasm_fragments);
	printf("drops:\n");
	for (int r = 1; r < XLAT_DROP__COUNT; r++) {
		if (!st->drops[r])
			continue;
		printf("  %-26s %12" PRIu64 "  %s\n", xlat_drop_name((enum xlat_drop)r), st->drops[r],
		       xlat_drop_desc((enum xlat_drop)r));
		any = true;
	}
	if (!any)
		printf("  (none)\n");
}

void status_drops_json(const struct xlat_stats *st)
{
	printf("  \"udp_checksums_computed\": %" PRIu64 ",\n  \"reassembled_datagrams\": %" PRIu64
	       ",\n  \"reassembled_fragments\": %" PRIu64 ",\n",
	       st->udp_csum_computed, st->reasm_datagrams, st->reasm_fragments);
	printf("  \"drops\": {");
	for (int r = 1; r < XLAT_DROP__COUNT; r++) {
		printf("%s\n    ", r == 1 ? "" : ",");
		json_str(xlat_drop_name((enum xlat_drop)r));
		printf(": %" PRIu64, st->drops[r]);
	}
	printf("\n  }");
}
