/* The configuration text reader (cfgtext.h). */
#include "cfgtext.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int cfgtext_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (errlen == 0)
		return -1;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int cfgtext_bool(const char *v, bool *out, char *err, size_t errlen)
{
	if (strcmp(v, "yes") == 0)
		*out = true;
	else if (strcmp(v, "no") == 0)
		*out = false;
	else
		return cfgtext_err(err, errlen, "'%s' is neither yes nor no", v);
	return 0;
}

int cfgtext_tos(const char *v, bool *set, uint8_t *tos, char *err, size_t errlen)
{
	if (strcmp(v, "copy") == 0) {
		*set = false;
		*tos = 0;
		return 0;
	}
	unsigned long n = 0;
	size_t len = strlen(v);
	if (len == 0 || len > 3)
		return cfgtext_err(err, errlen, "'%.16s' is neither copy nor a TOS value 0 to 255", v);
	for (size_t i = 0; i < len; i++) {
		if (v[i] < '0' || v[i] > '9')
			return cfgtext_err(err, errlen, "'%.16s' is neither copy nor a TOS value 0 to 255", v);
		n = n * 10 + (unsigned long)(v[i] - '0');
	}
	if (n > 255)
		return cfgtext_err(err, errlen, "'%.16s' is neither copy nor a TOS value 0 to 255", v);
	*set = true;
	*tos = (uint8_t)n;
	return 0;
}

int cfgtext_ifname(const char *v, char *dst, size_t cap, char *err, size_t errlen)
{
	size_t n = strlen(v);
	if (n == 0 || n >= cap)
		return cfgtext_err(err, errlen, "interface name must be 1 to %zu characters", cap - 1);
	bool bad = strcmp(v, ".") == 0 || strcmp(v, "..") == 0 || strpbrk(v, "/:");
	for (size_t i = 0; i < n && !bad; i++)
		bad = (unsigned char)v[i] <= ' ' || v[i] == 0x7f; /* white space, and no control character either */
	if (bad)
		return cfgtext_err(err, errlen, "'%s' is not a valid interface name", v);
	memcpy(dst, v, n + 1);
	return 0;
}

int cfgtext_path(const char *v, char *dst, size_t cap, char *err, size_t errlen)
{
	size_t n = strlen(v);
	if (n == 0 || n >= cap)
		return cfgtext_err(err, errlen, "a path is 1 to %zu characters", cap - 1);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)v[i] < ' ' || v[i] == 0x7f)
			return cfgtext_err(err, errlen, "control character in a path");
	memcpy(dst, v, n + 1);
	return 0;
}

void cfgtext_add(struct cfgtext_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b->len < b->cap ? b->p + b->len : NULL, b->len < b->cap ? b->cap - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

int cfgtext_walk(const char *text, size_t len, const char *name, const struct cfgtext_rules *rules, cfgtext_fn fn,
		 void *arg, char *err, size_t errlen)
{
	char line[CFGTEXT_LINE_MAX], msg[512];
	unsigned max = rules->max_words < CFGTEXT_WORDS_MAX ? rules->max_words : CFGTEXT_WORDS_MAX;
	struct cfgtext_line l;
	size_t pos = 0;

	memset(&l, 0, sizeof(l));
	while (pos < len) {
		const char *start = text + pos;
		const char *nl = memchr(start, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - start) : len - pos;
		pos += n + (nl ? 1 : 0);
		l.lineno++;
		if (memchr(start, '\0', n))
			return cfgtext_err(err, errlen, "%s:%u: NUL byte in line", name, l.lineno);
		if (n >= sizeof(line))
			return cfgtext_err(err, errlen, "%s:%u: line longer than %zu bytes", name, l.lineno, sizeof(line) - 1);
		memcpy(line, start, n);
		line[n] = '\0';
		char *hash = strchr(line, '#');
		while (rules->hash_at_word_start && hash && hash != line && !strchr(" \t\r\v\f", hash[-1]))
			hash = strchr(hash + 1, '#');
		if (hash)
			*hash = '\0';
		l.nw = 0;
		l.more = false;
		char *save = NULL;
		for (char *w = strtok_r(line, " \t\r\v\f", &save); w; w = strtok_r(NULL, " \t\r\v\f", &save)) {
			if ((unsigned)l.nw == max) {
				if (!rules->more_ok)
					return cfgtext_err(err, errlen, "%s:%u: too many words", name, l.lineno);
				l.more = true;
				break;
			}
			l.word[l.nw++] = w;
		}
		if (l.nw == 0)
			continue;
		msg[0] = '\0';
		if (fn(arg, &l, msg, sizeof(msg)) < 0)
			return cfgtext_err(err, errlen, "%s:%u: %s", name, l.lineno, msg);
	}
	return 0;
}
