/* What every daemon's `xlat464 status` shares: JSON string escaping, the opening members
 * (daemon, control socket, pid) and the settings as an array of lines. */
#ifndef XLAT464_CLI_JSON_H
#define XLAT464_CLI_JSON_H

#include <stdint.h>

/* Prints s as a JSON string; control and non-ASCII bytes as \u00XX, so wire text cannot break out. */
void json_str(const char *s);
/* Prints `{` and the daemon, control and pid members (no trailing comma). */
void json_status_open(const char *daemon, const char *control, int32_t pid);
/* Prints the lines of text (which it modifies) as a JSON array of strings. */
void json_lines(char *text);

struct xlat_stats;
/* The translator's drops by reason, as `xlat464 status` shows them for siit, clat and plat: in text
 * the nonzero ones with their descriptions (or "(none)"), in JSON the member "drops" with all of
 * them (no comma after it; the caller closes the object). */
void status_drops_text(const struct xlat_stats *st);
void status_drops_json(const struct xlat_stats *st);

#endif
