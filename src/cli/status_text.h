/* `xlat464 status` as text: one renderer for every daemon's JSON status (docs/design.md, "Status"),
 * so that a member a daemon adds shows up without a change here. */
#ifndef XLAT464_CLI_STATUS_TEXT_H
#define XLAT464_CLI_STATUS_TEXT_H

#include <stddef.h>
#include <stdio.h>

struct json_object;

#define STATUS_JSON_DEPTH 16 /* deeper nesting is refused as malformed */

/* Parses the len bytes of text (a daemon's answer) as one JSON object, whitespace around it allowed.
 * Returns it (json_object_put frees it), or NULL with the reason in err. */
struct json_object *status_parse(const char *text, size_t len, char *err, size_t errcap);

/* Prints a status object as text: a header line (daemon, TUN or interface, pid, uptime, mode,
 * control socket), then each member in order: a scalar as "key value", an array of strings as an
 * indented block, an object as a block of its members (one line for a small one below the top), and
 * a family of counters named in the member "descriptions" as its nonzero counters, each with its
 * description, or "(none)". A top-level member named in the array "text_omit" is left out (the
 * daemon's settings lines say the same). */
void status_render(struct json_object *st, FILE *out);

#endif
