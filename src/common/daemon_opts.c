/* The daemons' shared lifecycle options (daemon_opts.h). */
#include "daemon_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings_table.h"
#include "sys/log.h"

int daemon_opt_take(int argc, char **argv, int *i, struct daemon_opts *o, const char *usage)
{
	const char *a = argv[*i];
	const char **val = NULL;
	if (strcmp(a, "--config") == 0 || strcmp(a, "-c") == 0)
		val = &o->config;
	else if (strcmp(a, "--pidfile") == 0)
		val = &o->pidfile;
	if (val) {
		if (*i + 1 >= argc) {
			log_warn("%s: expects a value", a);
			return -1;
		}
		*val = argv[*i + 1];
		*i += 2;
		return 1;
	}
	if (strcmp(a, "--foreground") == 0 || strcmp(a, "-f") == 0)
		o->daemon = false;
	else if (strcmp(a, "--daemon") == 0)
		o->daemon = true;
	else if (strcmp(a, "--check") == 0)
		o->check = true;
	else if (strcmp(a, "--print-config") == 0)
		o->print_config = true;
	else if (strcmp(a, "--debug") == 0 || strcmp(a, "-d") == 0)
		o->debug = true;
	else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
		fputs(usage, stdout);
		exit(0);
	} else
		return 0;
	(*i)++;
	return 1;
}

int daemon_arg_take(const struct settings_table *t, int argc, char **argv, int *i, char **words, int *nwords,
		    struct daemon_opts *o, void (*help)(void))
{
	char err[256];
	const char *a = argv[*i];
	int r = settings_flag_take(t, argc, argv, i, words, nwords, err, sizeof(err));
	if (r < 0)
		log_warn("%s", err);
	if (r != 0)
		return r;
	if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
		help();
		exit(0);
	}
	if (strcmp(a, "--list-settings") == 0) {
		o->list_settings = true;
		(*i)++;
		return 1;
	}
	return daemon_opt_take(argc, argv, i, o, "");
}
