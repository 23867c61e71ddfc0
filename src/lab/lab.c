/* `xlat464 lab`: a thin front for scripts/lab.sh, which does the work with ip, nft and the other
 * subcommands of this binary. The script is found, in order, at $XLAT464_LAB_SCRIPT, beside the
 * binary in a build tree (DIR/../scripts/lab.sh for DIR/xlat464) and in an installed tree
 * (DIR/../share/xlat464/lab.sh); XLAT464 tells it which binary to run. */
#include "lab.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LAB_SCRIPT_ENV "XLAT464_LAB_SCRIPT"
#define LAB_BINARY_ENV "XLAT464"
#define LAB_SELF_EXE "/proc/self/exe"
#define LAB_SHELL "/bin/bash"

static const char *const lab_script_rel[] = {
	"../scripts/lab.sh",
	"../share/xlat464/lab.sh",
};

static void lab_usage(FILE *f)
{
	fprintf(f, "usage: xlat464 lab up|tour|down   (as root)\n"
		   "  up     build the lab in network namespaces x464lab-* and start every daemon\n"
		   "  tour   show, step by step, IPv4 working from the IPv6-only client\n"
		   "  down   stop everything the lab started, delete its namespaces and /run/xlat464-lab\n"
		   "environment: XLAT464_LAB_SCRIPT (the script; default: found beside this binary)\n");
}

static int lab_is_action(const char *a)
{
	return strcmp(a, "up") == 0 || strcmp(a, "tour") == 0 || strcmp(a, "down") == 0;
}

int lab_main(int argc, char **argv)
{
	char self[PATH_MAX], script[PATH_MAX + 32];
	const char *env_script = getenv(LAB_SCRIPT_ENV);
	ssize_t n;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		lab_usage(stdout);
		return 0;
	}
	if (argc != 2 || !lab_is_action(argv[1])) {
		if (argc >= 2)
			fprintf(stderr, "xlat464 lab: '%s' is not an action\n", argv[1]);
		lab_usage(stderr);
		return 2;
	}
	n = readlink(LAB_SELF_EXE, self, sizeof(self) - 1);
	if (n < 0) {
		fprintf(stderr, "xlat464 lab: readlink %s: %s\n", LAB_SELF_EXE, strerror(errno));
		return 1;
	}
	self[n] = '\0';

	if (env_script && env_script[0]) {
		snprintf(script, sizeof(script), "%s", env_script);
		if (access(script, R_OK) != 0) {
			fprintf(stderr, "xlat464 lab: %s=%s: %s\n", LAB_SCRIPT_ENV, script, strerror(errno));
			return 1;
		}
	} else {
		char *slash = strrchr(self, '/');
		size_t dirlen = slash ? (size_t)(slash - self) : 0;
		size_t i;

		script[0] = '\0';
		for (i = 0; i < sizeof(lab_script_rel) / sizeof(lab_script_rel[0]); i++) {
			snprintf(script, sizeof(script), "%.*s/%s", (int)dirlen, self, lab_script_rel[i]);
			if (access(script, R_OK) == 0)
				break;
		}
		if (i == sizeof(lab_script_rel) / sizeof(lab_script_rel[0])) {
			fprintf(stderr,
				"xlat464 lab: lab.sh not found beside %s (tried %.*s/%s and %.*s/%s); set %s\n",
				self, (int)dirlen, self, lab_script_rel[0], (int)dirlen, self, lab_script_rel[1],
				LAB_SCRIPT_ENV);
			return 1;
		}
	}
	if (setenv(LAB_BINARY_ENV, self, 1) != 0) {
		fprintf(stderr, "xlat464 lab: setenv %s: %s\n", LAB_BINARY_ENV, strerror(errno));
		return 1;
	}
	fflush(stdout);
	execl(LAB_SHELL, LAB_SHELL, script, argv[1], (char *)NULL);
	fprintf(stderr, "xlat464 lab: cannot run %s %s: %s\n", LAB_SHELL, script, strerror(errno));
	return 1;
}
