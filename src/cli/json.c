#include "json.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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
