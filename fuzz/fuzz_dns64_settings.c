/* libFuzzer target for the DNS64's text parsers: any bytes as a config file of `xlat464 dns64`
 * (src/dns64/dns64_settings.c; what parses must print, and what it prints must parse back to the same
 * text) and, line by line, as dhcp4's clients file (lib/dhcp4/dhcp4_clients.c; a line that parses
 * must format and parse back to the same hardware address and answer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dhcp4/dhcp4_clients.h"
#include "dns64/dns64_settings.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void clients_lines(const uint8_t *data, size_t size)
{
	char line[256], out[DHCP4_CLIENTS_LINE_MAX];
	size_t start = 0;
	while (start < size) {
		const uint8_t *nl = memchr(data + start, '\n', size - start);
		size_t len = nl ? (size_t)(nl - (data + start)) : size - start;
		if (len < sizeof(line)) {
			uint8_t mac[6], mac2[6];
			bool asked, asked2;
			memcpy(line, data + start, len);
			line[len] = '\0';
			int r = dhcp4_clients_parse(line, mac, &asked);
			if (r < -1 || r > 1)
				abort();
			if (r == 1) {
				size_t n = dhcp4_clients_format(mac, asked, out, sizeof(out));
				if (n == 0 || dhcp4_clients_parse(out, mac2, &asked2) != 1 || memcmp(mac, mac2, 6) != 0 ||
				    asked != asked2)
					abort();
			}
		}
		start += len + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns64_settings s, again;
	static char out[16384], out2[16384];
	char err[DNS64_ERR_MAX];

	clients_lines(data, size);
	dns64_settings_init(&s);
	if (dns64_settings_parse_text(&s, (const char *)data, size, "fuzz", err, sizeof(err)) < 0) {
		if (memchr(err, '\0', sizeof(err)) == NULL)
			abort();
		return 0;
	}
	size_t n = dns64_settings_format(&s, out, sizeof(out));
	if (n >= sizeof(out))
		return 0;
	dns64_settings_init(&again);
	if (dns64_settings_parse_text(&again, out, n, "printed", err, sizeof(err)) < 0)
		abort(); /* the printer wrote something the parser rejects */
	dns64_settings_format(&again, out2, sizeof(out2));
	if (strcmp(out, out2) != 0)
		abort();
	(void)dns64_settings_finish(&s, err, sizeof(err));
	return 0;
}
