#include "settings_table.h"

#include <arpa/inet.h>
#include <string.h>

#include "value_parse.h"

bool settings_parse_u32(const char *v, uint32_t hi, uint32_t *out) { return value_uint(v, 0, hi, out); }

#define DURATION_MAX 31536000u /* a year, in seconds */

/* "300", "5m", "2h4m", "1h30m15s", "1d": seconds, at most a year. */
static bool parse_duration(const char *v, uint32_t *out)
{
	uint64_t total = 0;
	const char *p = v;
	if (*p == '\0')
		return false;
	while (*p) {
		uint64_t x = 0;
		int digits = 0;
		while (*p >= '0' && *p <= '9') {
			if (++digits > 9)
				return false;
			x = x * 10 + (uint64_t)(*p++ - '0');
		}
		if (digits == 0)
			return false;
		uint64_t unit = 1;
		if (*p == 's' || *p == 'm' || *p == 'h' || *p == 'd') {
			unit = *p == 's' ? 1 : *p == 'm' ? 60 : *p == 'h' ? 3600 : 86400;
			p++;
		} else if (*p != '\0') {
			return false;
		}
		total += x * unit;
		if (total > DURATION_MAX)
			return false;
	}
	*out = (uint32_t)total;
	return true;
}

static unsigned nval_max(const struct setting *e) { return e->nval_max > e->nval ? e->nval_max : e->nval; }

int settings_arity(const struct settings_table *t, const char *key, int *max)
{
	const struct setting *e = settings_find(t, key);
	if (!e)
		return -1;
	if (max)
		*max = (int)nval_max(e);
	return (int)e->nval;
}

/* "'X' is neither A nor B", "'X' is not A, B or C" */
static int enum_err(const struct setting *e, const char *v, char *err, size_t errlen)
{
	size_t n = 0, used;
	while (e->names[n])
		n++;
	if (n == 2)
		return cfgtext_err(err, errlen, "'%.32s' is neither %s nor %s", v, e->names[0], e->names[1]);
	used = (size_t)snprintf(err, errlen, "'%.32s' is not ", v);
	for (size_t i = 0; i < n && used < errlen; i++)
		used += (size_t)snprintf(err + used, errlen - used, "%s%s", e->names[i],
					 i + 2 < n ? ", " : i + 2 == n ? " or " : "");
	return -1;
}

static void store_uint(void *p, size_t size, uint32_t x)
{
	if (size == 1)
		*(uint8_t *)p = (uint8_t)x;
	else if (size == 2)
		*(uint16_t *)p = (uint16_t)x;
	else
		*(uint32_t *)p = x;
}

static uint32_t load_uint(const void *p, size_t size)
{
	return size == 1 ? *(const uint8_t *)p : size == 2 ? *(const uint16_t *)p : *(const uint32_t *)p;
}

const struct setting *settings_find(const struct settings_table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->s[i].key, key) == 0)
			return &t->s[i];
	return NULL;
}

static int set_addr(const char *v, int af, uint8_t *addr, bool *has, char *err, size_t errlen)
{
	if (strcmp(v, "none") == 0) {
		*has = false;
		memset(addr, 0, af == AF_INET ? 4 : 16);
		return 0;
	}
	if (inet_pton(af, v, addr) != 1)
		return cfgtext_err(err, errlen, "'%s' is not an IPv%c address or none", v, af == AF_INET ? '4' : '6');
	*has = true;
	return 0;
}

int settings_apply(const struct settings_table *t, void *s, const char *key, const char *const *val, int nval,
		   char *err, size_t errlen)
{
	const struct setting *e = settings_find(t, key);
	if (!e)
		return cfgtext_err(err, errlen, "unknown setting");
	unsigned max = nval_max(e);
	if (nval < (int)e->nval || nval > (int)max) {
		if (max == e->nval)
			return cfgtext_err(err, errlen, "expects %u value%s, got %d", e->nval, e->nval == 1 ? "" : "s", nval);
		return cfgtext_err(err, errlen, "expects %u to %u values, got %d", e->nval, max, nval);
	}
	char *p = (char *)s + e->off;
	switch (e->kind) {
	case SETTING_BOOL:
		if (nval == 0) { /* a boolean alone (nval 0, nval_max 1): yes */
			*(bool *)p = true;
			return 0;
		}
		return cfgtext_bool(val[0], (bool *)p, err, errlen);
	case SETTING_U32: {
		uint32_t x;
		if (!settings_parse_u32(val[0], e->hi, &x) || x < e->lo)
			return cfgtext_err(err, errlen, "'%s' is not a number from %u to %u", val[0], e->lo, e->hi);
		store_uint(p, e->size, x);
		return 0;
	}
	case SETTING_DURATION: {
		uint32_t x;
		if (!parse_duration(val[0], &x) || x < e->lo)
			return cfgtext_err(err, errlen, "'%s' is not a time from %u s to a year (seconds, or e.g. 5m, 2h4m)",
					   val[0], e->lo);
		*(uint32_t *)p = x;
		return 0;
	}
	case SETTING_ENUM:
		for (int i = 0; e->names[i]; i++) {
			if (strcmp(val[0], e->names[i]) == 0) {
				*(int *)p = i;
				return 0;
			}
		}
		return enum_err(e, val[0], err, errlen);
	case SETTING_IFNAME: {
		/* zero-filled, so that a reload compares the whole name (settings_keep_restart) */
		char name[16] = { 0 };
		if (cfgtext_ifname(val[0], name, sizeof(name), err, errlen) < 0)
			return -1;
		memcpy(p, name, sizeof(name));
		return 0;
	}
	case SETTING_ADDR4:
		return set_addr(val[0], AF_INET, (uint8_t *)p, (bool *)((char *)s + e->off2), err, errlen);
	case SETTING_ADDR6:
		return set_addr(val[0], AF_INET6, (uint8_t *)p, (bool *)((char *)s + e->off2), err, errlen);
	case SETTING_CPUS: {
		struct value_cpus c; /* zero-filled past n by value_cpus, so that a reload compares it whole */
		if (value_cpus(val[0], &c, err, errlen) < 0)
			return -1;
		memcpy(p, &c, sizeof(c));
		return 0;
	}
	case SETTING_PATH: /* zero-filled, so that a reload compares the whole buffer */
		if (cfgtext_path(val[0], p, e->size, err, errlen) < 0)
			return -1;
		memset(p + strlen(p), 0, e->size - strlen(p));
		return 0;
	case SETTING_CUSTOM:
		return e->set(s, val, nval, err, errlen);
	}
	return cfgtext_err(err, errlen, "unknown setting");
}

struct parse_arg {
	const struct settings_table *t;
	void *s;
};

static int parse_line(void *arg, const struct cfgtext_line *l, char *msg, size_t msgcap)
{
	const struct parse_arg *a = arg;
	char why[CFGTEXT_LINE_MAX];
	if (settings_apply(a->t, a->s, l->word[0], l->word + 1, l->nw - 1, why, sizeof(why)) < 0) {
		snprintf(msg, msgcap, "%.64s: %s", l->word[0], why); /* word[0] may be long junk: bounded */
		return -1;
	}
	return 0;
}

int settings_parse_text(const struct settings_table *t, void *s, const char *text, size_t len, const char *name,
			char *err, size_t errlen)
{
	const struct cfgtext_rules rules = { .max_words = CFGTEXT_WORDS_MAX, .hash_at_word_start = t->hash_at_word_start };
	struct parse_arg a = { t, s };
	return cfgtext_walk(text, len, name, &rules, parse_line, &a, err, errlen);
}

void settings_format(const struct settings_table *t, const void *s, struct cfgtext_buf *b)
{
	char a[INET6_ADDRSTRLEN];
	for (size_t i = 0; i < t->n; i++) {
		const struct setting *e = &t->s[i];
		const char *p = (const char *)s + e->off;
		bool has = (e->kind == SETTING_ADDR4 || e->kind == SETTING_ADDR6) && *(const bool *)((const char *)s + e->off2);
		if (e->format) {
			e->format(s, b);
			continue;
		}
		switch (e->kind) {
		case SETTING_BOOL:
			cfgtext_add(b, "%s %s\n", e->key, *(const bool *)p ? "yes" : "no");
			break;
		case SETTING_U32:
			cfgtext_add(b, "%s %u\n", e->key, load_uint(p, e->size));
			break;
		case SETTING_DURATION:
			cfgtext_add(b, "%s %u\n", e->key, *(const uint32_t *)p);
			break;
		case SETTING_ENUM:
			cfgtext_add(b, "%s %s\n", e->key, e->names[*(const int *)p]);
			break;
		case SETTING_IFNAME:
			if (p[0])
				cfgtext_add(b, "%s %.16s\n", e->key, p);
			break;
		case SETTING_ADDR4:
		case SETTING_ADDR6:
			cfgtext_add(b, "%s %s\n", e->key,
				    has ? inet_ntop(e->kind == SETTING_ADDR4 ? AF_INET : AF_INET6, p, a, sizeof(a)) : "none");
			break;
		case SETTING_PATH:
			if (p[0])
				cfgtext_add(b, "%s %.*s\n", e->key, (int)e->size, p);
			break;
		case SETTING_CPUS: {
			struct value_cpus c;
			char list[VALUE_CPUS_MAX * 6];
			memcpy(&c, p, sizeof(c));
			value_cpus_format(&c, list, sizeof(list));
			cfgtext_add(b, "%s %s\n", e->key, list);
			break;
		}
		case SETTING_CUSTOM:
			break; /* a custom setting has a format */
		}
	}
}

size_t settings_format_buf(const struct settings_table *t, const void *s, char *buf, size_t cap)
{
	struct cfgtext_buf b = { buf, cap, 0 };
	if (cap)
		buf[0] = '\0';
	settings_format(t, s, &b);
	return b.len;
}

static size_t value_size(const struct setting *e)
{
	switch (e->kind) {
	case SETTING_BOOL:
		return sizeof(bool);
	case SETTING_U32:
		return e->size ? e->size : sizeof(uint32_t);
	case SETTING_DURATION:
		return sizeof(uint32_t);
	case SETTING_ENUM:
		return sizeof(int);
	case SETTING_IFNAME:
		return 16;
	case SETTING_ADDR4:
		return 4;
	case SETTING_ADDR6:
		return 16;
	case SETTING_PATH:
		return e->size;
	case SETTING_CPUS:
		return sizeof(struct value_cpus);
	case SETTING_CUSTOM:
		return e->size;
	}
	return 0;
}

unsigned settings_keep_restart(const struct settings_table *t, void *now, const void *before, char *names, size_t cap)
{
	unsigned n = 0;
	size_t used = 0;
	if (cap)
		names[0] = '\0';
	for (size_t i = 0; i < t->n; i++) {
		const struct setting *e = &t->s[i];
		size_t sz = value_size(e);
		if (!e->restart || !sz)
			continue; /* a custom setting without a size: its restart rule is its daemon's */
		char *p = (char *)now + e->off;
		const char *q = (const char *)before + e->off;
		bool differs = memcmp(p, q, sz) != 0;
		if (e->kind == SETTING_ADDR4 || e->kind == SETTING_ADDR6) {
			bool *h = (bool *)((char *)now + e->off2);
			const bool *g = (const bool *)((const char *)before + e->off2);
			differs = differs || *h != *g;
			*h = *g;
		}
		memcpy(p, q, sz);
		if (differs) {
			int w = snprintf(names + used, used < cap ? cap - used : 0, "%s%s", n ? ", " : "", e->key);
			used += w > 0 ? (size_t)w : 0;
			n++;
		}
	}
	return n;
}

void settings_help(const struct settings_table *t, FILE *f)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct setting *e = &t->s[i];
		char flag[64];
		snprintf(flag, sizeof(flag), "--%s %s", e->key, e->syntax);
		if (strlen(flag) > 34) /* too long for the column: the text on the next line */
			fprintf(f, "  %s\n  %-34s", flag, "");
		else
			fprintf(f, "  %-34s", flag);
		fprintf(f, " %s; default %s%s%s\n", e->doc, e->dflt, e->repeat ? "; repeatable" : "",
			e->restart ? "; a change needs a restart" : "");
	}
}

/* A Markdown cell: '|' escaped. */
static void md_cell(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '|')
			fputc('\\', f);
		fputc(*s, f);
	}
}

void settings_markdown(const struct settings_table *t, FILE *f)
{
	fprintf(f, "| setting | meaning | default | on reload |\n|---|---|---|---|\n");
	for (size_t i = 0; i < t->n; i++) {
		const struct setting *e = &t->s[i];
		fprintf(f, "| `%s ", e->key);
		md_cell(f, e->syntax);
		fprintf(f, "` | ");
		md_cell(f, e->doc);
		fprintf(f, "%s | ", e->repeat ? " (repeatable)" : "");
		md_cell(f, e->dflt);
		fprintf(f, " | %s |\n", e->restart ? "needs a restart" : "applies");
	}
}

void settings_page(const struct settings_table *t, FILE *f, const char *title, const char *cmd, const char *source)
{
	char text[1024];
	snprintf(text, sizeof(text),
		 "Generated by `%s --list-settings` from the table in %s; do not edit by hand. Each is a flag "
		 "`--key value...` or a config file line `key value...`; flags override the file. SIGHUP reloads the "
		 "file; a setting marked \"needs a restart\" keeps its value.", cmd, source);
	fprintf(f, "# Settings of %s\n\n", title);
	/* the paragraph wrapped at 100 columns, at spaces */
	for (const char *p = text; *p;) {
		size_t n = strlen(p);
		if (n > 100) {
			n = 100;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = strcspn(p, " ");
		}
		fprintf(f, "%.*s\n", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
	settings_markdown(t, f);
}

int settings_flag_take(const struct settings_table *t, int argc, char **argv, int *i, char **words, int *nwords,
		       char *err, size_t errlen)
{
	const char *a = argv[*i];
	int max = 0;
	if (strncmp(a, "--", 2) != 0)
		return 0;
	int min = settings_arity(t, a + 2, &max);
	if (min < 0)
		return 0;
	/* a value never starts with "--": `--tun --check` is a missing value, not a TUN named --check */
	int have = 0;
	while (have < min && *i + have + 1 < argc && strncmp(argv[*i + have + 1], "--", 2) != 0)
		have++;
	if (have < min) {
		snprintf(err, errlen, "%s: expects %d value%s", a, min, min == 1 ? "" : "s");
		return -1;
	}
	const struct setting *e = settings_find(t, a + 2);
	int take = min;
	while (take < max && *i + take + 1 < argc && strncmp(argv[*i + take + 1], "-", 1) != 0) {
		const char *v = argv[*i + take + 1];
		/* a boolean alone: only yes or no is its value (`--force -d` is two flags) */
		if (e->kind == SETTING_BOOL && strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			break;
		take++;
	}
	words[(*nwords)++] = argv[*i];
	for (int k = 1; k <= take; k++)
		words[(*nwords)++] = argv[*i + k];
	words[(*nwords)++] = NULL; /* end of this flag's values */
	*i += take + 1;
	return 1;
}

int settings_apply_words(const struct settings_table *t, void *s, char *const *words, int nwords, char *err,
			 size_t errlen)
{
	char msg[CFGTEXT_LINE_MAX];
	const struct setting *cleared[16];
	size_t ncleared = 0;
	for (int i = 0; i < nwords;) {
		const char *key = words[i] + 2;
		int n = 0;
		while (i + 1 + n < nwords && words[i + 1 + n])
			n++;
		const struct setting *e = settings_find(t, key);
		if (e && e->clear) {
			bool done = false;
			for (size_t k = 0; k < ncleared; k++)
				done |= cleared[k] == e;
			if (!done && ncleared < sizeof(cleared) / sizeof(cleared[0])) {
				e->clear(s);
				cleared[ncleared++] = e;
			}
		}
		if (settings_apply(t, s, key, (const char *const *)words + i + 1, n, msg, sizeof(msg)) < 0) {
			snprintf(err, errlen, "--%s: %s", key, msg);
			return -1;
		}
		i += n + 2;
	}
	return 0;
}
