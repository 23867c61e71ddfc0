/* The one reader of the daemons' `key value...` configuration text (siit, plat, clat): lines split
 * at '\n', a '#' starting a comment, words split at white space, errors named "NAME:LINE: problem".
 * Pure (libc only), so each parser built on it stays fuzzable. */
#ifndef XLAT464_COMMON_CFGTEXT_H
#define XLAT464_COMMON_CFGTEXT_H

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#define CFGTEXT_LINE_MAX 1024 /* bytes in a line, with its terminator */
#define CFGTEXT_WORDS_MAX 8

struct cfgtext_line {
	unsigned lineno;
	int nw;    /* words in word[] (at least one: blank and comment lines are skipped) */
	bool more; /* the line had more than the max_words given to cfgtext_walk (with more_ok) */
	const char *word[CFGTEXT_WORDS_MAX];
};

/* Handles one line. Returns 0, or -1 with the problem in msg (the walker puts "NAME:LINE: " first). */
typedef int (*cfgtext_fn)(void *arg, const struct cfgtext_line *l, char *msg, size_t msgcap);

struct cfgtext_rules {
	unsigned max_words;      /* at most CFGTEXT_WORDS_MAX */
	bool more_ok;            /* more words than that: passed on with .more (else "too many words") */
	bool hash_at_word_start; /* '#' starts a comment only at the start of a word (ADDR#PORT values) */
};

/* vsnprintf into err (when errlen is not 0); returns -1, so that a parser can return it. */
int cfgtext_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Value checks the settings parsers share (siit, plat). Each returns 0, or -1 with the problem in
 * err. cfgtext_bool takes "yes" or "no"; cfgtext_ifname copies an interface name that the kernel's
 * dev_valid_name() would take (1 to cap - 1 bytes, not "." or "..", no '/', ':' or white space), and
 * without a control character (the name goes into logs and file names). */
int cfgtext_bool(const char *v, bool *out, char *err, size_t errlen);
/* "copy" (*set false) or a TOS octet 0..255 (*set true, *tos): RFC 7915 section 5.1's option. */
int cfgtext_tos(const char *v, bool *set, uint8_t *tos, char *err, size_t errlen);
int cfgtext_ifname(const char *v, char *dst, size_t cap, char *err, size_t errlen);
/* A file or socket path: 1 to cap - 1 bytes, no control character. */
int cfgtext_path(const char *v, char *dst, size_t cap, char *err, size_t errlen);

/* Text that printing appends to, for the parsers' printers of effective settings: len counts what
 * would have been written (as snprintf does), the text is cut at cap and stays terminated. */
struct cfgtext_buf {
	char *p;
	size_t cap, len;
};
void cfgtext_add(struct cfgtext_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Calls fn for every line of text (len bytes, need not be NUL-terminated) with words. Returns 0, or -1
 * with "NAME:LINE: problem" in err (NUL bytes, a line too long, too many words, or fn's problem). */
int cfgtext_walk(const char *text, size_t len, const char *name, const struct cfgtext_rules *rules, cfgtext_fn fn,
		 void *arg, char *err, size_t errlen);

#endif
