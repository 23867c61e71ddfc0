/* The SIIT settings from a config file and flags (used by `xlat464 siit` and `xlat464 translate`). */
#ifndef XLAT464_SIIT_LOAD_H
#define XLAT464_SIIT_LOAD_H

struct siit_settings;

/* Loads settings the same way for siit and translate: config file (if any), then flags.
 * flags/nflags: the argv words of the settings flags (e.g. "--pool6", "64:ff9b::/96").
 * Returns 0, or -1 with a message (naming the file:line or the --flag) in err. */
int siit_settings_load(struct siit_settings *s, const char *config, char *const *flags, int nflags, char *err,
		       unsigned long errlen);

/* If argv[*i] is a settings flag (--KEY for a settings key), checks that its values follow, appends
 * the flag, its values and a NULL to words[*nwords...] (room for 2 x argc + 2 entries) and advances
 * *i past them (settings_flag_take).
 * Returns 1 when consumed, 0 when argv[*i] is not a settings flag, -1 with a message in err. */
int siit_flag_take(int argc, char **argv, int *i, char **words, int *nwords, char *err, unsigned long errlen);

#endif
