/* A daemon's settings from its config file and its flags, the same way for every daemon with a
 * settings table (settings_table.h): the file first, then the flags over it. The flags are kept as
 * words so that a reload (SIGHUP) applies them again over the re-read file. */
#ifndef XLAT464_SETTINGS_LOAD_H
#define XLAT464_SETTINGS_LOAD_H

#include <stddef.h>

struct settings_table;

/* Applies the file at config (when not NULL; "FILE:LINE: key: problem") and then the flag words
 * settings_flag_take gathered (settings_apply_words) to s, which the caller has set to its defaults.
 * Returns 0 or -1 with the message in err. */
int settings_load(const struct settings_table *t, void *s, const char *config, char *const *words, int nwords,
		  char *err, size_t errlen);

#endif
