/* Settings described once: a daemon lists its settings in a table (name, values, type, bounds,
 * default, whether a reload applies it, one line of doc), and from it come the flag and file
 * parser's dispatch (settings_apply), the effective settings in config syntax (settings_format),
 * `--help`'s lines (settings_help) and the Markdown table in docs/ (settings_markdown, checked in CI).
 * Pure, like the parsers that use it: no system calls. */
#ifndef XLAT464_SETTINGS_TABLE_H
#define XLAT464_SETTINGS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "common/cfgtext.h"

enum setting_kind {
	SETTING_BOOL,   /* yes|no into a bool at off; with nval 0 (and nval_max 1) alone means yes */
	SETTING_U32,    /* a decimal from lo to hi into an unsigned integer of size bytes at off (1, 2 or 4;
			 * 0: a uint32_t) */
	SETTING_DURATION, /* seconds from lo to a year into a uint32_t at off: "300", "5m", "2h4m", "1d" */
	SETTING_ENUM,   /* one of names (NULL-terminated) into an int at off: its index */
	SETTING_IFNAME, /* an interface name into a char[16] at off (not written when empty) */
	SETTING_ADDR4,  /* ADDR|none: 4 bytes at off, its presence in the bool at off2 */
	SETTING_ADDR6,  /* ADDR|none: 16 bytes at off, its presence in the bool at off2 */
	SETTING_PATH,   /* a file or socket path into a char[size] at off: 1 to size - 1 bytes, no control
			 * character (not written when empty: the daemon's default) */
	SETTING_CPUS,   /* a CPU list (0-3,6) or none into a struct value_cpus at off (value_parse.h) */
	SETTING_CUSTOM, /* its own set and format */
};

struct setting {
	const char *key;
	unsigned nval;          /* the values it takes (the least, when nval_max is more) */
	unsigned nval_max;      /* the most values it takes; 0: exactly nval */
	enum setting_kind kind;
	size_t off, off2;       /* where it lives in the settings struct */
	size_t size;            /* SETTING_U32: its width; SETTING_PATH: its buffer; SETTING_CUSTOM: the bytes
				 * at off a reload keeps when restart is set (0: its daemon's own rule) */
	uint32_t lo, hi;        /* SETTING_U32; lo for SETTING_DURATION */
	const char *const *names; /* SETTING_ENUM */
	bool restart;           /* a reload does not apply it: it needs a restart */
	bool repeat;            /* may be given more than once (each adds) */
	const char *syntax;     /* the values as --help shows them: "yes|no", "N", "ADDR|none" */
	const char *dflt;       /* the default as the docs show it */
	const char *doc;        /* one line */
	/* SETTING_CUSTOM: parse val[0..nval) into s (nval already checked against the setting's), 0 or
	 * -1 with a message in err; and (any kind) write the setting's lines in config syntax. */
	int (*set)(void *s, const char *const *val, int nval, char *err, size_t errlen);
	void (*format)(const void *s, struct cfgtext_buf *b); /* any kind: replaces the kind's own printing */
	/* A repeatable setting whose flags replace the file's lines instead of adding to them: empties
	 * the list before the first flag (settings_load). NULL: flags add. */
	void (*clear)(void *s);
};

/* The doc line of worker-cpus, the same in every daemon with workers. */
#define WORKER_CPUS_DOC                                                                                     \
	"pins worker i to the i-th CPU of LIST (as taskset -c writes it: 0-3,6), round robin; none leaves them " \
	"to the scheduler"

struct settings_table {
	const struct setting *s;
	size_t n;
	bool hash_at_word_start; /* the file's '#' starts a comment only at the start of a word (ADDR#PORT) */
};

/* The value parsers the kinds use, for a daemon's own parsers. A strict decimal: digits only, no
 * sign, at most 10 digits, at most hi. */
bool settings_parse_u32(const char *v, uint32_t hi, uint32_t *out);

const struct setting *settings_find(const struct settings_table *t, const char *key);
/* How many values key takes: the least, and the most in *max (may be NULL). -1 when key is not in t. */
int settings_arity(const struct settings_table *t, const char *key, int *max);
/* One setting, from a flag or a config line: "unknown setting", "expects N values, got M" ("expects
 * N to M values"), or the parser's own message in err. */
int settings_apply(const struct settings_table *t, void *s, const char *key, const char *const *val, int nval,
		   char *err, size_t errlen);
/* Config text (len bytes, need not be NUL-terminated): `key value...` lines, `#` comments, each line
 * through settings_apply. Returns 0, or -1 with "NAME:LINE: key: problem" in err. */
int settings_parse_text(const struct settings_table *t, void *s, const char *text, size_t len, const char *name,
			char *err, size_t errlen);
/* If argv[*i] is --KEY for a key of t, takes it with its values into words ("--key", values..., NULL;
 * room for 2 x argc + 2 entries in all): the least it takes, then more up to the most, up to the next
 * flag. Returns 1 with *i past them, 0 when argv[*i] is not a settings flag, -1 with "--key: expects N
 * values" in err. */
int settings_flag_take(const struct settings_table *t, int argc, char **argv, int *i, char **words, int *nwords,
		       char *err, size_t errlen);

/* Applies the words settings_flag_take gathered ("--key", values..., NULL, ...) to s: "--key: problem"
 * in err. A setting with a clear function is emptied before its first flag, so that its flags replace
 * the file's lines. */
int settings_apply_words(const struct settings_table *t, void *s, char *const *words, int nwords, char *err,
			 size_t errlen);
/* Every setting's lines, in table order. */
void settings_format(const struct settings_table *t, const void *s, struct cfgtext_buf *b);
/* On a reload: the settings marked restart take their running value back (now from before). The
 * keys that would have changed are written to names, ", "-separated. Returns how many. */
unsigned settings_keep_restart(const struct settings_table *t, void *now, const void *before, char *names, size_t cap);
/* "  --key SYNTAX   doc; default D" lines for --help. */
void settings_help(const struct settings_table *t, FILE *f);
/* The table in Markdown: | setting | meaning | default | reload |. */
void settings_markdown(const struct settings_table *t, FILE *f);
/* --list-settings: a page "# Settings of TITLE" saying it is generated by `CMD --list-settings` from
 * the table in SOURCE and how settings are given, then the table (docs/DAEMON-settings.md). */
void settings_page(const struct settings_table *t, FILE *f, const char *title, const char *cmd, const char *source);
/* settings_format into buf (cap bytes, terminated; cut when short). Returns the length it would have. */
size_t settings_format_buf(const struct settings_table *t, const void *s, char *buf, size_t cap);

#endif
