/* Reading a daemon's config file whole, bounded (1 MiB), for its settings parser. */
#ifndef XLAT464_CONFIG_FILE_H
#define XLAT464_CONFIG_FILE_H

#include <stddef.h>

#define CONFIG_FILE_MAX (1u << 20)

/* The file's bytes into *text (malloc'd, not terminated; the caller frees) and *len. 0, or -1 with
 * "PATH: why" in err (no such file, a read error, larger than CONFIG_FILE_MAX, out of memory). */
int config_file_read(const char *path, char **text, size_t *len, char *err, size_t errlen);

#endif
