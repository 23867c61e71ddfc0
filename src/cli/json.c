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
	printf("  \"drops\": {");
	for (int r = 1; r < XLAT_DROP__COUNT; r++) {
		printf("%s\n    ", r == 1 ? "" : ",");
		json_str(xlat_drop_name((enum xlat_drop)r));
		printf(": %" PRIu64, st->drops[r]);
	}
	printf("\n  }");
}
