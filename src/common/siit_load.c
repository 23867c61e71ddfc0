/* Loading the SIIT settings from a config file and flags, the same for `xlat464 siit`, `xlat464
 * translate` and the CLAT's configuration (siit_load.h). */
#include "siit_load.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_file.h"
#include "siit_settings.h"


int siit_flag_take(int argc, char **argv, int *i, char **words, int *nwords, char *err, unsigned long errlen)
{
	const char *a = argv[*i];
	if (strncmp(a, "--", 2) != 0)
		return 0;
	int arity = siit_settings_arity(a + 2);
	if (arity < 0)
		return 0;
	if (argc - *i - 1 < arity) {
		snprintf(err, errlen, "%s: expects %d value%s", a, arity, arity == 1 ? "" : "s");
		return -1;
	}
	for (int k = 0; k <= arity; k++)
		words[(*nwords)++] = argv[*i + k];
	*i += arity + 1;
	return 1;
}

int siit_settings_load(struct siit_settings *s, const char *config, char *const *flags, int nflags, char *err,
		       unsigned long errlen)
{
	char msg[SIIT_ERR_MAX];

	siit_settings_init(s);
	if (config) {
		char *text;
		size_t len;
		if (config_file_read(config, &text, &len, err, errlen) < 0)
			return -1;
		int r = siit_settings_parse_text(s, text, len, config, err, errlen);
		free(text);
		if (r < 0)
			return -1;
	}
	for (int i = 0; i < nflags;) {
		const char *key = flags[i] + 2;
		int arity = siit_settings_arity(key);
		if (arity < 0 || i + arity >= nflags) { /* siit_flag_take() lets neither through */
			snprintf(err, errlen, "%s: malformed flag", flags[i]);
			return -1;
		}
		if (siit_settings_set(s, key, (const char *const *)flags + i + 1, arity, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "%s: %s", flags[i], msg);
			return -1;
		}
		i += arity + 1;
	}
	siit_settings_bind(s);
	return 0;
}

