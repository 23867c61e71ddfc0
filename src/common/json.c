#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sys/ctl.h"
#include "xlat/xlat.h"
#include "xlat/offload.h"

static bool reserve(struct json_w *w, size_t more)
{
	if (w->failed)
		return false;
	if (w->len + more + 1 <= w->cap)
		return true;
	size_t cap = w->cap ? w->cap : 4096;
	while (cap < w->len + more + 1)
		cap *= 2;
	char *b = realloc(w->buf, cap);
	if (!b) {
		w->failed = true;
		return false;
	}
	w->buf = b;
	w->cap = cap;
	return true;
}

static void put(struct json_w *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void puts_(struct json_w *w, const char *s) { put(w, s, strlen(s)); }

__attribute__((format(printf, 2, 3))) static void putf(struct json_w *w, const char *fmt, ...)
{
	char b[64];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(b, sizeof(b), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(w, b, (size_t)n < sizeof(b) ? (size_t)n : sizeof(b) - 1);
}

/* The n bytes of s as a JSON string (RFC 8259 section 7). */
static void put_string_n(struct json_w *w, const char *s, size_t n)
{
	puts_(w, "\"");
	while (n) {
		size_t run = 0;
		/* copy the plain run in one go */
		while (run < n && (unsigned char)s[run] >= 0x20 && (unsigned char)s[run] < 0x7f && s[run] != '"' &&
		       s[run] != '\\')
			run++;
		put(w, s, run);
		s += run;
		n -= run;
		if (!n)
			break;
		unsigned char c = (unsigned char)*s++;
		n--;
		if (c == '"' || c == '\\')
			putf(w, "\\%c", c);
		else
			putf(w, "\\u%04x", c);
	}
	puts_(w, "\"");
}

static void put_string(struct json_w *w, const char *s) { put_string_n(w, s, strlen(s)); }

void json_w_init(struct json_w *w)
{
	memset(w, 0, sizeof(*w));
	w->first[0] = true;
}

void json_w_free(struct json_w *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

int json_w_end(struct json_w *w)
{
	puts_(w, "\n");
	return w->failed || w->depth ? -1 : 0;
}

int json_w_send(struct json_w *w, int fd)
{
	if (json_w_end(w) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return sys_write_all(fd, w->buf, w->len);
}

/* Starts a member or an element: the comma, the newline and indent, the key. */
static void member(struct json_w *w, const char *key)
{
	if (w->depth > 0) {
		puts_(w, w->first[w->depth] ? "\n" : ",\n");
		w->first[w->depth] = false;
		for (unsigned i = 0; i < w->depth; i++)
			puts_(w, "  ");
	}
	if (key) {
		put_string(w, key);
		puts_(w, ": ");
	}
}

static void open_(struct json_w *w, const char *key, const char *brace)
{
	member(w, key);
	puts_(w, brace);
	if (w->depth >= JSON_DEPTH_MAX) {
		w->failed = true;
		return;
	}
	w->first[++w->depth] = true;
}

static void close_(struct json_w *w, const char *brace)
{
	if (w->depth == 0) {
		w->failed = true;
		return;
	}
	bool empty = w->first[w->depth];
	w->depth--;
	if (!empty) {
		puts_(w, "\n");
		for (unsigned i = 0; i < w->depth; i++)
			puts_(w, "  ");
	}
	puts_(w, brace);
}

void json_obj_open(struct json_w *w, const char *key) { open_(w, key, "{"); }
void json_obj_close(struct json_w *w) { close_(w, "}"); }
void json_arr_open(struct json_w *w, const char *key) { open_(w, key, "["); }
void json_arr_close(struct json_w *w) { close_(w, "]"); }

void json_u64(struct json_w *w, const char *key, uint64_t v)
{
	member(w, key);
	putf(w, "%" PRIu64, v);
}

void json_i64(struct json_w *w, const char *key, int64_t v)
{
	member(w, key);
	putf(w, "%" PRId64, v);
}

void json_dbl1(struct json_w *w, const char *key, double v)
{
	member(w, key);
	putf(w, "%.1f", v);
}

void json_boolean(struct json_w *w, const char *key, bool v)
{
	member(w, key);
	puts_(w, v ? "true" : "false");
}

void json_null(struct json_w *w, const char *key)
{
	member(w, key);
	puts_(w, "null");
}

void json_str(struct json_w *w, const char *key, const char *s)
{
	if (!s) {
		json_null(w, key);
		return;
	}
	member(w, key);
	put_string(w, s);
}

void json_lines(struct json_w *w, const char *key, const char *text)
{
	json_arr_open(w, key);
	while (*text) {
		size_t n = strcspn(text, "\n");
		if (n) {
			member(w, NULL);
			put_string_n(w, text, n);
		}
		text += n;
		if (*text)
			text++;
	}
	json_arr_close(w);
}

void json_status_head(struct json_w *w, const char *daemon, const char *control, uint64_t uptime_sec)
{
	json_u64(w, "schema", JSON_STATUS_SCHEMA);
	json_str(w, "daemon", daemon);
	json_str(w, "control", control);
	json_i64(w, "pid", (int64_t)getpid());
	json_u64(w, "uptime_seconds", uptime_sec);
}

void json_workers(struct json_w *w, unsigned n, const uint64_t *pkts_4to6, const uint64_t *pkts_6to4)
{
	json_u64(w, "workers", n);
	json_arr_open(w, "worker_packets_4to6");
	for (unsigned i = 0; i < n; i++)
		json_u64(w, NULL, pkts_4to6[i]);
	json_arr_close(w);
	json_arr_open(w, "worker_packets_6to4");
	for (unsigned i = 0; i < n; i++)
		json_u64(w, NULL, pkts_6to4[i]);
	json_arr_close(w);
}

void json_by_reason(struct json_w *w, const struct json_reasons *f, const uint64_t *counters)
{
	json_obj_open(w, f->key);
	for (unsigned r = f->first; r < f->end; r++)
		json_u64(w, f->name(r), counters[r]);
	json_obj_close(w);
}

void json_descriptions(struct json_w *w, const struct json_reasons *f)
{
	json_obj_open(w, "descriptions");
	json_obj_open(w, f->key);
	for (unsigned r = f->first; r < f->end; r++)
		json_str(w, f->name(r), f->desc ? f->desc(r) : NULL);
	json_obj_close(w);
	json_obj_close(w);
}

static const char *xlat_drop_name_u(unsigned r) { return xlat_drop_name((enum xlat_drop)r); }
static const char *xlat_drop_desc_u(unsigned r) { return xlat_drop_desc((enum xlat_drop)r); }
const struct json_reasons json_xlat_drop_reasons = { "drops", 1, XLAT_DROP__COUNT, xlat_drop_name_u,
						     xlat_drop_desc_u };

void json_xlat_drops(struct json_w *w, const struct xlat_stats *st)
{
	json_u64(w, "udp_checksums_computed", st->udp_csum_computed);
	json_u64(w, "reassembled_datagrams", st->reasm_datagrams);
	json_u64(w, "reassembled_fragments", st->reasm_fragments);
	json_by_reason(w, &json_xlat_drop_reasons, st->drops);
}

void json_xlat_offload(struct json_w *w, bool on, const struct xlat_offload_stats *st)
{
	json_boolean(w, "offload", on);
	json_u64(w, "offload_super_packets", st->super_packets);
	json_u64(w, "offload_bytes", st->super_bytes);
	json_u64(w, "offload_checksums_finished", st->csum_completed);
}
