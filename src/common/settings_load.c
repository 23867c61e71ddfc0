/* Config file, then flags (settings_load.h). */
#include "settings_load.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "settings_table.h"

int settings_load(const struct settings_table *t, void *s, const char *config, char *const *words, int nwords,
		  char *err, size_t errlen)
{
	if (config) {
		char *text;
		size_t len;
		if (config_file_read(config, &text, &len, err, errlen) < 0)
			return -1;
		int r = settings_parse_text(t, s, text, len, config, err, errlen);
		free(text);
		if (r < 0)
			return -1;
	}
	return settings_apply_words(t, s, words, nwords, err, errlen);
}
