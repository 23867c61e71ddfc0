/* Entry points of the subcommands implemented in src/siit (called by src/cli/main.c). */
#ifndef XLAT464_SIIT_H
#define XLAT464_SIIT_H

/* `xlat464 siit [settings] [--config FILE] ...`: the stateless translator daemon on one TUN. */
int siit_main(int argc, char **argv);
/* `xlat464 status [--json] [--control PATH | --tun NAME]`: what a running daemon reports. */
int status_main(int argc, char **argv);
/* Prints the drop reasons as a Markdown table (the source of docs/drop-reasons.md). */
void siit_print_drop_reasons(void);

/* Loads settings the same way for siit and translate: config file (if any), then flags.
 * flags/nflags: the argv words of the settings flags (e.g. "--pool6", "64:ff9b::/96").
 * Returns 0, or -1 with a message (naming the file:line or the --flag) in err. */
struct siit_settings;
int siit_settings_load(struct siit_settings *s, const char *config, char *const *flags, int nflags, char *err,
		       unsigned long errlen);



/* If argv[*i] is a settings flag (--KEY for a settings key), checks that its values follow, appends
 * the flag and its values to words[*nwords...] (room for argc entries) and advances *i past them.
 * Returns 1 when consumed, 0 when argv[*i] is not a settings flag, -1 with a message in err. */
int siit_flag_take(int argc, char **argv, int *i, char **words, int *nwords, char *err, unsigned long errlen);
#endif
