/* libFuzzer target for the `xlat464 dhcp4` settings (src/mostly/dhcp4_settings.c): any bytes as a
 * config file. Never a crash; an error is terminated and names the file; what parses and passes the
 * whole check keeps its invariants (a pool inside one subnet, the server identifier outside it), and
 * what it prints reads back to the same text. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/settings_table.h"
#include "mostly/dhcp4_settings.h"

#include "fz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);


int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dhcp4_settings s, again;
	static char out[8192], out2[8192];
	char err[DHCP4_SET_ERR_MAX];

	char *text = malloc(size ? size : 1); /* exact size: ASan sees a read past the end */
	if (!text)
		return 0;
	memcpy(text, data, size);
	dhcp4_settings_init(&s);
	memset(err, 'x', sizeof(err));
	int r = settings_parse_text(&dhcp4_settings_table, &s, text, size, "fuzz", err, sizeof(err));
	free(text);
	if (r < 0) {
		FZ_CHECK(memchr(err, '\0', sizeof(err)) != NULL && strncmp(err, "fuzz:", 5) == 0);
		return 0;
	}
	size_t n = dhcp4_settings_format(&s, out, sizeof(out));
	FZ_CHECK(n < sizeof(out));
	dhcp4_settings_init(&again);
	FZ_CHECK(settings_parse_text(&dhcp4_settings_table, &again, out, n, "printed", err, sizeof(err)) == 0);
	dhcp4_settings_format(&again, out2, sizeof(out2));
	FZ_CHECK(strcmp(out, out2) == 0);
	if (dhcp4_settings_finish(&s, err, sizeof(err)) < 0)
		return 0;
	FZ_CHECK(s.ifname[0] != '\0');
	FZ_CHECK(s.v6only_wait == 0 || s.v6only_wait >= DHCP4_MIN_V6ONLY_WAIT);
	if (s.mode == DHCP4_MODE_MOSTLY) {
		uint32_t mask = 0xffffffffu << (32 - s.plen);
		FZ_CHECK(s.pool_first && s.pool_first <= s.pool_last && s.pool_last - s.pool_first < DHCP4_POOL_MAX);
		FZ_CHECK((s.pool_first & mask) == (s.pool_last & mask));
	} else {
		FZ_CHECK(!s.pool_first && !s.nrouters && !s.ndns);
	}
	FZ_CHECK(s.nrouters <= DHCP4_MAX_ADDRS && s.ndns <= DHCP4_MAX_ADDRS);
	return 0;
}
