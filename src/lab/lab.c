/* `xlat464 lab`: a thin front for scripts/lab.sh, which does the work with ip, nft and the other
 * subcommands of this binary. The script is found, in order, at $XLAT464_LAB_SCRIPT, beside the
 * binary in a build tree (DIR/../scripts/lab.sh for DIR/xlat464) and in an installed tree
 * (DIR/../share/xlat464/lab.sh); XLAT464 tells it which binary to run. The one option, `up --plats
 * N`, is checked here and passed on as `--plats N`, so that a bad value is refused before anything
 * is built. */
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
#define LAB_PLATS_OPT "--plats"
#define LAB_V6ONLY_OPT "--v6only"
#define LAB_PLATS_MIN 1
#define LAB_PLATS_MAX 8 /* 198.51.100.0/28 split into /31s; one BGP AS each in 64497-64504 */

static const char *const lab_script_rel[] = {
	"../scripts/lab.sh",
	"../share/xlat464/lab.sh",
};

static void lab_usage(FILE *f)
{
	fprintf(f, "usage: xlat464 lab up [--plats N] [--v6only] | tour | doctor | down   (as root)\n"
		   "  up     build the lab in network namespaces x464lab-* and start every daemon\n"
		   "         --plats N  N PLAT instances (%d to %d, default %d); from 2 on, each in its own\n"
		   "                    namespace x464lab-platK with a disjoint share of pool4, behind ECMP:\n"
		   "                    BIRD announces each share and 64:ff9b::/96 to the router by BGP\n"
		   "                    and withdraws them when the instance dies (docs/plat.md)\n"
		   "         --v6only   an IPv6-only network: no IPv4 on the access side, dhcp4 --mode v6only,\n"
		   "                    and xlat464 dns64 for the client without option 108 (docs/dns64.md)\n"
		   "  tour   show, step by step, IPv4 working from the IPv6-only client\n"
		   "  doctor xlat464 doctor in the client (target: the IPv4 server) and --router in the router\n"
		   "  down   stop everything the lab started, delete its namespaces and /run/xlat464-lab\n"
		   "environment: XLAT464_LAB_SCRIPT (the script; default: found beside this binary)\n",
		LAB_PLATS_MIN, LAB_PLATS_MAX, LAB_PLATS_MIN);
}

static int lab_is_action(const char *a)
{
	return strcmp(a, "up") == 0 || strcmp(a, "tour") == 0 || strcmp(a, "doctor") == 0 || strcmp(a, "down") == 0;
}

/* The value of --plats: a decimal number in [LAB_PLATS_MIN, LAB_PLATS_MAX], nothing else. */
static int lab_parse_plats(const char *v, char *out, size_t outlen)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (v[0] < '0' || v[0] > '9' || *end != '\0' || errno != 0 || n < LAB_PLATS_MIN || n > LAB_PLATS_MAX) {
		fprintf(stderr, "xlat464 lab: %s '%s': want a number of PLAT instances from %d to %d\n",
			LAB_PLATS_OPT, v, LAB_PLATS_MIN, LAB_PLATS_MAX);
		return -1;
	}
	snprintf(out, outlen, "%ld", n);
	return 0;
}

/* up [--plats N | --plats=N] [--v6only]: fills plats (empty when not given) and *v6only; -1 after
 * saying what is wrong. */
static int lab_parse_up(int argc, char **argv, char *plats, size_t platslen, int *v6only)
{
	size_t optlen = strlen(LAB_PLATS_OPT);

	plats[0] = '\0';
	*v6only = 0;
	for (int i = 2; i < argc; i++) {
		const char *v;

		if (strcmp(argv[i], LAB_V6ONLY_OPT) == 0) {
			if (*v6only) {
				fprintf(stderr, "xlat464 lab: %s given twice\n", LAB_V6ONLY_OPT);
				return -1;
			}
			*v6only = 1;
			continue;
		}
		if (strcmp(argv[i], LAB_PLATS_OPT) == 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "xlat464 lab: %s needs a value (%d to %d)\n", LAB_PLATS_OPT,
					LAB_PLATS_MIN, LAB_PLATS_MAX);
				return -1;
			}
			v = argv[++i];
		} else if (strncmp(argv[i], LAB_PLATS_OPT, optlen) == 0 && argv[i][optlen] == '=') {
			v = argv[i] + optlen + 1;
		} else {
			fprintf(stderr, "xlat464 lab up: unknown option '%s'\n", argv[i]);
			return -1;
		}
		if (plats[0]) {
			fprintf(stderr, "xlat464 lab: %s given twice\n", LAB_PLATS_OPT);
			return -1;
		}
		if (lab_parse_plats(v, plats, platslen) != 0)
			return -1;
	}
	return 0;
}

int lab_main(int argc, char **argv)
{
	char self[PATH_MAX], script[PATH_MAX + 32], plats[8];
	int v6only = 0;
	const char *env_script = getenv(LAB_SCRIPT_ENV);
	ssize_t n;

	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		lab_usage(stdout);
		return 0;
	}
	if (argc < 2 || !lab_is_action(argv[1])) {
		if (argc >= 2)
			fprintf(stderr, "xlat464 lab: '%s' is not an action\n", argv[1]);
		lab_usage(stderr);
		return 2;
	}
	plats[0] = '\0';
	if (strcmp(argv[1], "up") == 0) {
		if (lab_parse_up(argc, argv, plats, sizeof(plats), &v6only) != 0) {
			lab_usage(stderr);
			return 2;
		}
	} else if (argc != 2) {
		fprintf(stderr, "xlat464 lab %s: takes no options ('%s'; %s is an option of 'up')\n", argv[1],
			argv[2], LAB_PLATS_OPT);
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
	const char *args[8];
	int na = 0;
	args[na++] = LAB_SHELL;
	args[na++] = script;
	args[na++] = argv[1];
	if (plats[0]) {
		args[na++] = LAB_PLATS_OPT;
		args[na++] = plats;
	}
	if (v6only)
		args[na++] = LAB_V6ONLY_OPT;
	args[na] = NULL;
	execv(LAB_SHELL, (char *const *)args);
	fprintf(stderr, "xlat464 lab: cannot run %s %s: %s\n", LAB_SHELL, script, strerror(errno));
	return 1;
}
