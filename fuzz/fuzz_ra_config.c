/* libFuzzer target for the `xlat464 ra` settings parser (src/mostly/ra_config.c). The input is read
 * three times: as a config file with the flag --interface and as one of several `interface` sections
 * without flags (what parses must print in config syntax and read back to the same text),
 * then split at NUL and newline bytes into argv words. Whatever parses must satisfy the documented invariants
 * (lifetime a multiple of 8 within [interval, 65528], MinRtrAdvInterval within its RFC 4861 bounds,
 * every PREF64 encodable), and must print; an error must leave a terminated message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mostly/ra_config.c"

#include "fz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAX_WORDS 64

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[4096], out[RA_PATH_MAX * 40];
	static struct ra_config c;
	char *argv[FZ_MAX_WORDS + 1] = { "ra" };
	int argc = 1;
	char err[RA_ERR_MAX];

	if (size >= sizeof(text))
		return 0;
	{
		static struct ra_config f, again;
		static char p1[8192], p2[8192];
		char *const fargv[] = { "ra", "--interface", "fz0", NULL };
		char *file = malloc(size ? size : 1); /* exact size: ASan sees a read past the end */
		if (!file)
			return 0;
		memcpy(file, data, size);
		int fr = ra_config_load(&f, file, size, "fuzz", 3, fargv, err, sizeof(err));
		free(file);
		if (fr < 0)
			FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		if (fr == 0) {
			size_t n = ra_config_print(&f, p1, sizeof(p1));
			FZ_CHECK(n < sizeof(p1));
			FZ_CHECK(ra_config_load(&again, p1, n, "printed", 3, fargv, err, sizeof(err)) == 0);
			ra_config_print(&again, p2, sizeof(p2));
			FZ_CHECK(strcmp(p1, p2) == 0);
		}
	}
	{
		/* The same text as a file of several `interface` sections, no flags. */
		static struct ra_multi m, again;
		static char p1[65536], p2[65536];
		char *const margv[] = { "ra", NULL };
		char *file = malloc(size ? size : 1);
		if (!file)
			return 0;
		memcpy(file, data, size);
		memset(err, 'x', sizeof(err));
		int mr = ra_multi_load(&m, file, size, "fuzz", 1, margv, err, sizeof(err));
		free(file);
		if (mr < 0)
			FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		if (mr == 0) {
			FZ_CHECK(m.n >= 1 && m.n <= RA_MAX_IFACES);
			for (unsigned i = 0; i < m.n; i++) {
				FZ_CHECK(m.ifc[i].ifname[0] != '\0' && m.ifc[i].npref64 >= 1);
				FZ_CHECK(strcmp(m.ifc[i].control, m.ifc[0].control) == 0);
				for (unsigned j = 0; j < i; j++)
					FZ_CHECK(strcmp(m.ifc[i].ifname, m.ifc[j].ifname) != 0);
			}
			size_t n = ra_multi_print(&m, p1, sizeof(p1));
			FZ_CHECK(n < sizeof(p1));
			FZ_CHECK(ra_multi_load(&again, p1, n, "printed", 1, margv, err, sizeof(err)) == 0);
			FZ_CHECK(again.n == m.n);
			ra_multi_print(&again, p2, sizeof(p2));
			FZ_CHECK(strcmp(p1, p2) == 0);
		}
	}
	memcpy(text, data, size);
	text[size] = '\0';
	char *w = text;
	for (size_t i = 0; i <= size && argc <= FZ_MAX_WORDS; i++) {
		if (text[i] == '\n' || text[i] == '\0') {
			text[i] = '\0';
			argv[argc++] = w;
			w = text + i + 1;
		}
	}
	memset(err, 'x', sizeof(err));
	int r = ra_config_parse(&c, argc, argv, err, sizeof(err));
	if (r < 0) {
		FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL && err[0] != '\0');
		return 0;
	}
	if (r == 1)
		return 0;
	FZ_CHECK(c.ifname[0] != '\0' && memchr(c.ifname, '\0', sizeof(c.ifname)) != NULL);
	FZ_CHECK(c.max_interval >= RA_MAX_INTERVAL_MIN && c.max_interval <= RA_MAX_INTERVAL_MAX);
	FZ_CHECK(c.min_interval_ms >= RA_MIN_INTERVAL_FLOOR_MS && c.min_interval_ms <= c.max_interval * 750);
	FZ_CHECK(c.lifetime % 8 == 0 && c.lifetime >= c.max_interval && c.lifetime <= NDP_PREF64_MAX_LIFETIME);
	FZ_CHECK(c.npref64 >= 1 && c.npref64 <= NDP_MAX_PREF64);
	for (unsigned i = 0; i < c.npref64; i++) {
		uint8_t opt[16];
		FZ_CHECK(ndp_pref64_encode(&c.pref64[i], opt));
		FZ_CHECK(c.pref64[i].lifetime == c.lifetime);
	}
	FZ_CHECK(c.mode == RA_MODE_ROUTER || (c.router_lifetime == 0 && c.nprefix == 0 && c.nrdnss == 0));
	FZ_CHECK(c.mode != RA_MODE_ROUTER || (c.router_lifetime >= c.max_interval && c.router_lifetime <= 9000));
	size_t n = ra_config_format(&c, out, sizeof(out));
	FZ_CHECK(n < sizeof(out) && strlen(out) == n);
	return 0;
}
