/* The clients file's line format (dhcp4_clients.h). */
#include "dhcp4_clients.h"

#include <stdio.h>
#include <string.h>

size_t dhcp4_clients_format(const uint8_t mac[6], bool asked108, char *buf, size_t cap)
{
	int n = snprintf(buf, cap, "%02x:%02x:%02x:%02x:%02x:%02x %s\n", mac[0], mac[1], mac[2], mac[3], mac[4],
			 mac[5], asked108 ? "yes" : "no");
	return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

static int hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int dhcp4_clients_parse(const char *line, uint8_t mac[6], bool *asked108)
{
	const char *p = line + strspn(line, " \t");
	if (*p == '#' || *p == '\n' || *p == '\0')
		return 0;
	for (int i = 0; i < 6; i++) {
		int h = hex((unsigned char)p[0]), l = h < 0 ? -1 : hex((unsigned char)p[1]);
		if (l < 0)
			return -1;
		mac[i] = (uint8_t)(h << 4 | l);
		p += 2;
		if (i < 5 && *p++ != ':')
			return -1;
	}
	if (*p != ' ' && *p != '\t')
		return -1;
	p += strspn(p, " \t");
	if (strncmp(p, "yes", 3) == 0) {
		*asked108 = true;
		p += 3;
	} else if (strncmp(p, "no", 2) == 0) {
		*asked108 = false;
		p += 2;
	} else {
		return -1;
	}
	p += strspn(p, " \t\r\n");
	return *p == '\0' ? 1 : -1;
}
