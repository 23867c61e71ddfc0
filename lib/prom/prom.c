/* The Prometheus text format writer (prom.h). Each family keeps its rendered sample lines in its own
 * growing buffer, so samples added in any order come out grouped under one HELP and TYPE. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "prom.h"

struct prom_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

struct prom_family {
	char *name, *help;
	enum prom_type type;
	struct prom_buf samples;
};

struct prom_reg {
	struct prom_family *fam;
	size_t n, cap;
	bool oom;
};

static void buf_put(struct prom_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void buf_str(struct prom_buf *b, const char *s) { buf_put(b, s, strlen(s)); }

/* Label values escape backslash, double quote and newline; HELP text escapes backslash and newline.
 * Anything else outside printable ASCII becomes '?'. */
static void buf_escaped(struct prom_buf *b, const char *s, bool quote)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '\\')
			buf_str(b, "\\\\");
		else if (c == '\n')
			buf_str(b, "\\n");
		else if (c == '"' && quote)
			buf_str(b, "\\\"");
		else if (c < 0x20 || c > 0x7e)
			buf_str(b, "?");
		else
			buf_put(b, (const char *)&c, 1);
	}
}

static bool name_ok(const char *s, bool colon)
{
	if (!s || !*s || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++) {
		char c = *s;
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
		      (colon && c == ':')))
			return false;
	}
	return true;
}

struct prom_reg *prom_new(void) { return calloc(1, sizeof(struct prom_reg)); }

void prom_free(struct prom_reg *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->n; i++) {
		free(reg->fam[i].name);
		free(reg->fam[i].help);
		free(reg->fam[i].samples.p);
	}
	free(reg->fam);
	free(reg);
}

static struct prom_family *family(struct prom_reg *reg, enum prom_type type, const char *name, const char *help)
{
	for (size_t i = 0; i < reg->n; i++)
		if (strcmp(reg->fam[i].name, name) == 0)
			return reg->fam[i].type == type ? &reg->fam[i] : NULL;
	if (reg->n == reg->cap) {
		size_t cap = reg->cap ? 2 * reg->cap : 32;
		struct prom_family *f = realloc(reg->fam, cap * sizeof(*f));
		if (!f) {
			reg->oom = true;
			return NULL;
		}
		reg->fam = f;
		reg->cap = cap;
	}
	struct prom_family *f = &reg->fam[reg->n];
	memset(f, 0, sizeof(*f));
	f->name = strdup(name);
	f->help = strdup(help ? help : "");
	f->type = type;
	if (!f->name || !f->help) {
		free(f->name);
		free(f->help);
		reg->oom = true;
		return NULL;
	}
	reg->n++;
	return f;
}

static void label(struct prom_buf *b, bool *first, const char *k, const char *v)
{
	buf_str(b, *first ? "{" : ",");
	*first = false;
	buf_str(b, k);
	buf_str(b, "=\"");
	buf_escaped(b, v ? v : "", true);
	buf_str(b, "\"");
}

int prom_add(struct prom_reg *reg, enum prom_type type, const char *name, const char *help,
	     const struct prom_labels *base, const char *key, const char *val, uint64_t value)
{
	unsigned nbase = base ? base->n : 0;
	if (!name_ok(name, true) || nbase > PROM_LABELS_MAX || (key && !name_ok(key, false)))
		return -1;
	for (unsigned i = 0; i < nbase; i++)
		if (!name_ok(base->k[i], false))
			return -1;
	struct prom_family *f = family(reg, type, name, help);
	if (!f)
		return -1;
	struct prom_buf *b = &f->samples;
	bool first = true;
	char num[32];
	buf_str(b, name);
	for (unsigned i = 0; i < nbase; i++)
		label(b, &first, base->k[i], base->v[i]);
	if (key)
		label(b, &first, key, val);
	if (!first)
		buf_str(b, "}");
	snprintf(num, sizeof(num), " %" PRIu64 "\n", value);
	buf_str(b, num);
	if (b->oom) {
		reg->oom = true;
		return -1;
	}
	return 0;
}

char *prom_render(const struct prom_reg *reg, size_t *len)
{
	struct prom_buf out = { 0 };
	if (reg->oom)
		return NULL;
	buf_put(&out, "", 0); /* an empty registry is an empty string, not NULL */
	for (size_t i = 0; i < reg->n; i++) {
		const struct prom_family *f = &reg->fam[i];
		buf_str(&out, "# HELP ");
		buf_str(&out, f->name);
		buf_str(&out, " ");
		buf_escaped(&out, f->help, false);
		buf_str(&out, "\n# TYPE ");
		buf_str(&out, f->name);
		buf_str(&out, f->type == PROM_COUNTER ? " counter\n" : " gauge\n");
		if (f->samples.len)
			buf_put(&out, f->samples.p, f->samples.len);
	}
	if (out.oom) {
		free(out.p);
		return NULL;
	}
	if (len)
		*len = out.len;
	return out.p;
}
