/* The options every settings-file daemon takes besides its settings (xlat464 siit, xlat464 plat):
 * --config FILE (-c), --pidfile FILE, --foreground (-f) | --daemon, --check, --print-config,
 * --debug (-d), --help (-h). One parser, so they read and fail alike. */
#ifndef XLAT464_CLI_DAEMON_OPTS_H
#define XLAT464_CLI_DAEMON_OPTS_H

#include <stdbool.h>

struct daemon_opts {
	const char *config, *pidfile;
	bool daemon, check, print_config, debug, list_settings;
};

/* Takes argv[*i] when it is one of the options above: returns 1 with *i past it (and its value),
 * 0 when it is not one (nothing changed), or -1 after logging what is wrong (a missing value).
 * --help prints usage and exits 0. */
int daemon_opt_take(int argc, char **argv, int *i, struct daemon_opts *o, const char *usage);

struct settings_table;

/* The start of every settings daemon's argument loop: takes argv[*i] when it is a settings flag of t
 * (into words, settings_flag_take), --help or -h (help() prints, then exit 0), --list-settings or one
 * of the options above. Returns 1 with *i past it, 0 when it is none of those (the daemon's own, or
 * unknown), -1 after logging what is wrong. */
int daemon_arg_take(const struct settings_table *t, int argc, char **argv, int *i, char **words, int *nwords,
		    struct daemon_opts *o, void (*help)(void));

#endif
