/* xlat464: one command, one subcommand per job, behind a dispatch table (the wireguard-tools shape). */
#include <stdio.h>
#include <string.h>

#include "../clat/clat.h"
#include "../lab/lab.h"
#include "../dns64/dns64d.h"
#include "../mostly/dhcp4_daemon.h"
#include "../mostly/ra.h"
#include "../plat/plat.h"
#include "../siit/siit.h"
#include "bugreport.h"
#include "doctor.h"
#include "metrics.h"
#include "status.h"
#include "../translate/translate.h"

#ifndef XLAT464_VERSION
#define XLAT464_VERSION "0.1-dev"
#endif

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

static int version_main(int argc, char **argv);
static int help_main(int argc, char **argv);

static const struct subcommand subcommands[] = {
	{ "clat", clat_main, "CLAT (RFC 6877): IPv4 for this host across an IPv6-only uplink" },
	{ "lab", lab_main, "the whole 464XLAT system in namespaces on this machine: lab up|tour|doctor|down" },
	{ "dhcp4", dhcp4_main, "option-108 DHCPv4 responder (RFC 8925) for IPv6-only and IPv6-mostly networks" },
	{ "dns64", dns64_main, "selective DNS64 (RFC 6147): AAAA synthesized only for clients without a CLAT" },
	{ "ra", ra_main, "PREF64 announcer (RFC 8781): Router Advertisements with the NAT64 prefix" },
	{ "plat", plat_main, "PLAT: stateful NAT64 (RFC 6146) or stateless with a dynamic IPv4 pool, on one TUN" },
	{ "siit", siit_main, "stateless translator (RFC 7915/6052/7757) on one TUN carrying both families" },
	{ "translate", translate_main, "translate a pcap file offline with the SIIT settings" },
	{ "status", status_main, "show a running daemon's settings and counters (--json)" },
	{ "metrics", metrics_main, "every daemon's counters in the Prometheus text format, printed or served (--listen)" },
	{ "doctor", doctor_main, "check everything between an IPv4 application and the IPv4 Internet (--router: the network side)" },
	{ "report", report_main, "a tar.gz for a bug report: versions, status, logs, addresses, routes, nft (--redact)" },
	{ "version", version_main, "print the version" },
	{ "help", help_main, "show this list" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: xlat464 SUBCOMMAND [ARGS...]\n\nsubcommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-10s %s\n", subcommands[i].name, subcommands[i].summary);
	fprintf(f, "\n`xlat464 SUBCOMMAND --help` describes each one.\n");
}

static int version_main(int argc, char **argv)
{
	printf("xlat464 %s\n", XLAT464_VERSION);
	return 0;
}

static int help_main(int argc, char **argv)
{
	usage(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0)
		return help_main(argc - 1, argv + 1);
	if (strcmp(cmd, "--version") == 0)
		return version_main(argc - 1, argv + 1);
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (strcmp(cmd, subcommands[i].name) == 0)
			return subcommands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "xlat464: '%s' is not a subcommand (try: xlat464 help)\n", cmd);
	return 2;
}
