/* Loading the SIIT settings from a config file and flags, the same for `xlat464 siit`, `xlat464
 * translate` and the CLAT's configuration (siit_load.h). */
#include "siit_load.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings_load.h"
#include "settings_table.h"
#include "siit_settings.h"


int siit_flag_take(int argc, char **argv, int *i, char **words, int *nwords, char *err, unsigned long errlen)
{
	return settings_flag_take(&siit_settings_table, argc, argv, i, words, nwords, err, errlen);
}

int siit_settings_load(struct siit_settings *s, const char *config, char *const *flags, int nflags, char *err,
		       unsigned long errlen)
{
	siit_settings_init(s);
	if (settings_load(&siit_settings_table, s, config, flags, nflags, err, errlen) < 0)
		return -1;
	siit_settings_bind(s);
	return 0;
}
