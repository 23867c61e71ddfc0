/* The Prometheus text exposition format (version 0.0.4; OpenMetrics parsers read it too): a registry
 * of metric families, filled in any order and written out family by family, each with its HELP and
 * TYPE lines and then all its samples, as the format requires. Pure: libc only.
 *
 *     struct prom_labels l = { .n = 2, .k = { "daemon", "tun" }, .v = { "plat", "plat0" } };
 *     prom_add(reg, PROM_COUNTER, "xlat464_drops_total", "Packets dropped", &l, "reason", "ttl-expired", 3);
 *     char *text = prom_render(reg, &len);
 */
#ifndef XLAT464_PROM_H
#define XLAT464_PROM_H

#include <stddef.h>
#include <stdint.h>

enum prom_type { PROM_COUNTER, PROM_GAUGE };

#define PROM_LABELS_MAX 12

/* The labels every sample of one source carries (daemon, tun, ...). */
struct prom_labels {
	unsigned n;
	const char *k[PROM_LABELS_MAX];
	const char *v[PROM_LABELS_MAX];
};

struct prom_reg;

struct prom_reg *prom_new(void);
void prom_free(struct prom_reg *reg);

/* One sample of family name: the labels of base (may be NULL), then key=val when key is not NULL.
 * The family is made at its first sample with type and help; a later sample with another type is
 * refused. Names must match [a-zA-Z_:][a-zA-Z0-9_:]* and label names [a-zA-Z_][a-zA-Z0-9_]*; label
 * values are escaped (backslash, double quote, newline), and bytes that are not printable ASCII
 * become '?', so text from a daemon's message cannot break a line or the UTF-8 the format requires.
 * Returns 0, or -1 (bad name, type clash, out of memory; the registry stays usable). */
int prom_add(struct prom_reg *reg, enum prom_type type, const char *name, const char *help,
	     const struct prom_labels *base, const char *key, const char *val, uint64_t value);

/* The whole exposition: a NUL-terminated string the caller frees, its length in *len; NULL when
 * memory ran out (now or in an earlier prom_add). */
char *prom_render(const struct prom_reg *reg, size_t *len);

#endif
