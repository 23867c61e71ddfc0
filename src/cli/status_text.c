/* The generic text renderer of `xlat464 status` (status_text.h). */
#include "status_text.h"

#include <json-c/json.h>
#include <limits.h>
#include <stdbool.h>
#include <string.h>

struct json_object *status_parse(const char *text, size_t len, char *err, size_t errcap)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t used;

	if (len > INT_MAX) {
		snprintf(err, errcap, "answer too long (%zu bytes)", len);
		return NULL;
	}
	tok = json_tokener_new_ex(STATUS_JSON_DEPTH);
	if (!tok) {
		snprintf(err, errcap, "out of memory");
		return NULL;
	}
	o = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!o || e != json_tokener_success) {
		json_object_put(o);
		snprintf(err, errcap, "not valid JSON (%s, at byte %zu)",
			 e == json_tokener_continue ? "cut short" : json_tokener_error_desc(e), used);
		return NULL;
	}
	while (used < len && strchr(" \t\r\n", text[used]) && text[used])
		used++;
	if (used < len) {
		json_object_put(o);
		snprintf(err, errcap, "not valid JSON (more after the object, at byte %zu)", used);
		return NULL;
	}
	if (!json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		snprintf(err, errcap, "not a JSON object");
		return NULL;
	}
	return o;
}

/* Text from a daemon goes to a terminal: control bytes are shown as '?'. */
static void put_text(FILE *out, const char *s)
{
	for (; *s; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

static bool is_scalar(struct json_object *v)
{
	return !json_object_is_type(v, json_type_object) && !json_object_is_type(v, json_type_array);
}

static void put_scalar(FILE *out, struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_null:
		fputs("-", out);
		break;
	case json_type_boolean:
		fputs(json_object_get_boolean(v) ? "yes" : "no", out);
		break;
	case json_type_string: {
		const char *s = json_object_get_string(v);
		put_text(out, s && *s ? s : "-");
		break;
	}
	default: /* a number as it was written */
		put_text(out, json_object_to_json_string_ext(v, JSON_C_TO_STRING_PLAIN));
		break;
	}
}

static bool all_scalar(struct json_object *o)
{
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++)
			if (!is_scalar(json_object_array_get_idx(o, i)))
				return false;
		return true;
	}
	json_object_object_foreach(o, k, v) {
		(void)k;
		if (!is_scalar(v))
			return false;
	}
	return true;
}

/* An object or array of scalars on one line: "k1 v1  k2 v2", or "v1, v2". */
static void put_inline(FILE *out, struct json_object *o)
{
	bool first = true;
	if (json_object_is_type(o, json_type_array)) {
		for (size_t i = 0; i < json_object_array_length(o); i++) {
			fputs(i ? ", " : "", out);
			put_scalar(out, json_object_array_get_idx(o, i));
		}
		return;
	}
	json_object_object_foreach(o, k, v) {
		fputs(first ? "" : "  ", out);
		put_text(out, k);
		fputc(' ', out);
		put_scalar(out, v);
		first = false;
	}
}

static void indent(FILE *out, int n) { fprintf(out, "%*s", n, ""); }

/* The header's members, shown in the first line rather than below it. */
static bool in_header(const char *k)
{
	static const char *const keys[] = { "schema", "daemon", "tun", "interface", "pid", "uptime_seconds",
					    "control", "mode", "descriptions", "text_omit" };
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(k, keys[i]) == 0)
			return true;
	return false;
}

static bool nonzero(struct json_object *v)
{
	if (json_object_is_type(v, json_type_int))
		return json_object_get_int64(v) != 0 || json_object_get_uint64(v) != 0;
	if (json_object_is_type(v, json_type_double))
		return json_object_get_double(v) != 0;
	return !json_object_is_type(v, json_type_null) && !json_object_is_type(v, json_type_boolean);
}

/* A family of counters with descriptions: the nonzero ones, each with its description. */
static void put_family(FILE *out, struct json_object *fam, struct json_object *desc, int ind)
{
	int w = 0;
	bool any = false;
	json_object_object_foreach(fam, k, v) {
		if (nonzero(v) && (int)strlen(k) > w)
			w = (int)strlen(k);
	}
	json_object_object_foreach(fam, k2, v2) {
		struct json_object *d = NULL;
		if (!nonzero(v2))
			continue;
		indent(out, ind);
		put_text(out, k2);
		fprintf(out, "%*s ", w - (int)strlen(k2), "");
		const char *num = json_object_is_type(v2, json_type_string) ? json_object_get_string(v2)
									   : json_object_to_json_string_ext(v2, JSON_C_TO_STRING_PLAIN);
		int pad = 12 - (int)strlen(num);
		fprintf(out, "%*s", pad > 0 ? pad : 0, "");
		put_text(out, num);
		if (json_object_object_get_ex(desc, k2, &d) && json_object_is_type(d, json_type_string)) {
			fputs("  ", out);
			put_text(out, json_object_get_string(d));
		}
		fputc('\n', out);
		any = true;
	}
	if (!any) {
		indent(out, ind);
		fputs("(none)\n", out);
	}
}

static void render_members(FILE *out, struct json_object *obj, int ind, struct json_object *desc);

static void render_member(FILE *out, const char *k, struct json_object *v, int ind, int w, struct json_object *desc)
{
	struct json_object *fd = NULL;

	indent(out, ind);
	put_text(out, k);
	if (is_scalar(v)) {
		fprintf(out, "%*s  ", w - (int)strlen(k), "");
		put_scalar(out, v);
		fputc('\n', out);
	} else if (json_object_is_type(v, json_type_object) && desc && json_object_object_get_ex(desc, k, &fd) &&
		   json_object_is_type(fd, json_type_object)) {
		fputs(":\n", out);
		put_family(out, v, fd, ind + 2);
	} else if (json_object_is_type(v, json_type_array) && json_object_array_length(v) == 0) {
		fputs(": (none)\n", out);
	} else if (ind > 0 && all_scalar(v)) {
		fprintf(out, "%*s  ", w - (int)strlen(k), "");
		put_inline(out, v);
		fputc('\n', out);
	} else if (json_object_is_type(v, json_type_object)) {
		fputs(":\n", out);
		render_members(out, v, ind + 2, NULL);
	} else {
		fputs(":\n", out);
		for (size_t i = 0; i < json_object_array_length(v); i++) {
			struct json_object *e = json_object_array_get_idx(v, i);
			indent(out, ind + 2);
			if (is_scalar(e) || all_scalar(e)) {
				if (is_scalar(e))
					put_scalar(out, e);
				else
					put_inline(out, e);
				fputc('\n', out);
			} else {
				fputs("-\n", out);
				render_members(out, e, ind + 4, NULL);
			}
		}
	}
}

/* A top-level member the daemon's "text_omit" names: its settings lines say the same. */
static bool omitted(struct json_object *st, const char *k)
{
	struct json_object *list;
	if (!json_object_object_get_ex(st, "text_omit", &list) || !json_object_is_type(list, json_type_array))
		return false;
	for (size_t i = 0; i < json_object_array_length(list); i++) {
		struct json_object *e = json_object_array_get_idx(list, i);
		if (json_object_is_type(e, json_type_string) && strcmp(json_object_get_string(e), k) == 0)
			return true;
	}
	return false;
}

static void render_members(FILE *out, struct json_object *obj, int ind, struct json_object *desc)
{
	int w = 0;
	if (!json_object_is_type(obj, json_type_object)) {
		indent(out, ind);
		put_inline(out, obj);
		fputc('\n', out);
		return;
	}
	json_object_object_foreach(obj, k, v) {
		if ((ind == 0 && (in_header(k) || omitted(obj, k))) || !(is_scalar(v) || (ind > 0 && all_scalar(v))))
			continue;
		if ((int)strlen(k) > w)
			w = (int)strlen(k);
	}
	json_object_object_foreach(obj, k2, v2) {
		if (ind == 0 && (in_header(k2) || omitted(obj, k2)))
			continue;
		render_member(out, k2, v2, ind, w, desc);
	}
}

/* One item of the header's parenthesis: " (" before the first, ", " between. */
static void header_item(FILE *out, struct json_object *st, const char *key, const char *before, const char *after,
			bool *first)
{
	struct json_object *v;
	if (json_object_object_get_ex(st, key, &v) && is_scalar(v)) {
		fputs(*first ? " (" : ", ", out);
		fputs(before, out);
		put_scalar(out, v);
		fputs(after, out);
		*first = false;
	}
}

void status_render(struct json_object *st, FILE *out)
{
	struct json_object *desc = NULL, *v;

	if (!json_object_object_get_ex(st, "descriptions", &desc) || !json_object_is_type(desc, json_type_object))
		desc = NULL;
	if (json_object_object_get_ex(st, "daemon", &v))
		put_scalar(out, v);
	else
		fputs("status", out);
	if (json_object_object_get_ex(st, "tun", &v) && is_scalar(v)) {
		fputs(" on ", out);
		put_scalar(out, v);
	} else if (json_object_object_get_ex(st, "interface", &v) && is_scalar(v)) {
		fputs(" on ", out);
		put_scalar(out, v);
	}
	bool first = true;
	header_item(out, st, "pid", "pid ", "", &first);
	header_item(out, st, "uptime_seconds", "up ", " s", &first);
	header_item(out, st, "mode", "", "", &first);
	header_item(out, st, "control", "control ", "", &first);
	fputs(first ? "\n" : ")\n", out);
	render_members(out, st, 0, desc);
}
