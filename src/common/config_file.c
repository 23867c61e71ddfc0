#include "config_file.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int config_file_read(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char *buf = malloc(CONFIG_FILE_MAX);
	size_t n = buf ? fread(buf, 1, CONFIG_FILE_MAX, f) : 0;
	bool bad = !buf || ferror(f) || n == CONFIG_FILE_MAX;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "%s: %s", path, buf ? "read error or larger than 1 MiB" : "out of memory");
		free(buf);
		return -1;
	}
	*text = buf;
	*len = n;
	return 0;
}
