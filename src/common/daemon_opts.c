/* The daemons' shared lifecycle options (daemon_opts.h). */
#include "daemon_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
