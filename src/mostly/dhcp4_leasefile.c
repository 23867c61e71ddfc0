/* The lease file: the pure line format of lib/dhcp4 (dhcp4_lease_format/parse), written atomically. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dhcp4_daemon.h"
#include "sys/log.h"

int dhcp4_leasefile_load(const char *path, struct dhcp4_server *s)
{
	char line[512], err[160];
	unsigned lineno = 0, loaded = 0, skipped = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		if (errno == ENOENT)
			return 0;
		log_warn("%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		bool skip;
		lineno++;
		if (!strchr(line, '\n') && !feof(f)) {
			log_warn("%s:%u: line too long", path, lineno);
			fclose(f);
			return -1;
		}
		if (dhcp4_lease_parse(s, line, &skip, err, sizeof(err)) < 0) {
			log_warn("%s:%u: %s", path, lineno, err);
			fclose(f);
			return -1;
		}
		if (skip)
			skipped++;
		else if (line[strspn(line, " \t")] != '#' && line[strspn(line, " \t\n")] != '\0')
			loaded++;
	}
	fclose(f);
	log_info("lease file %s: %u leases loaded%s", path, loaded, skipped ? " (some outside the pool, dropped)" : "");
	return 0;
}

int dhcp4_leasefile_save(const char *path, const struct dhcp4_server *s)
{
	char tmp[4096 + 8], line[DHCP4_LEASE_LINE_MAX + 64];

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	FILE *f = fopen(tmp, "w");
	if (!f)
		return -1;
	fputs("# xlat464 dhcp4 leases: ADDRESS STATE EXPIRES(unix seconds) CLIENT-KEY(hex)\n", f);
	for (unsigned i = 0; i < s->nlease; i++) {
		size_t n = dhcp4_lease_format(s, i, line, sizeof(line));
		if (n)
			fwrite(line, 1, n, f);
	}
	if (fflush(f) != 0 || fsync(fileno(f)) < 0) {
		int e = errno;
		fclose(f);
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (fclose(f) != 0 || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}
