/* The options every settings-file daemon takes besides its settings (xlat464 siit, xlat464 plat):
 * --config FILE (-c), --pidfile FILE, --foreground (-f) | --daemon, --check, --print-config,
 * --debug (-d), --help (-h). One parser, so they read and fail alike. */
#ifndef XLAT464_CLI_DAEMON_OPTS_H
#define XLAT464_CLI_DAEMON_OPTS_H

#include <stdbool.h>

struct daemon_opts {
	const char *config, *pidfile;
	bool daemon, check, print_config, debug;
};

/* Takes argv[*i] when it is one of the options above: returns 1 with *i past it (and its value),
 * 0 when it is not one (nothing changed), or -1 after logging what is wrong (a missing value).
 * --help prints usage and exits 0. */
int daemon_opt_take(int argc, char **argv, int *i, struct daemon_opts *o, const char *usage);

#endif
