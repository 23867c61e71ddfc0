/* The status protocol's two ends: the daemons' JSON writer (src/common/json.c) and the CLI's parser
 * and text renderer (src/cli/status_text.c). What the writer makes, json-c reads back with the same
 * values, strings whatever bytes they held; the renderer's layout; bad nesting reported. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <json-c/json.h>

#include "../../src/cli/status_text.c"
#include "../../src/common/json.c"

static struct json_object *parse(const struct json_w *w)
{
	char err[160] = "";
	struct json_object *o = status_parse(w->buf, w->len, err, sizeof(err));
	if (!o)
		fail_msg("%s: %s", err, w->buf);
	return o;
}

static const char *str(struct json_object *o, const char *k)
{
	struct json_object *v;
	assert_true(json_object_object_get_ex(o, k, &v));
	return json_object_get_string(v);
}

static void values_read_back(void **state)
{
	struct json_w w;
	json_w_init(&w);
	json_obj_open(&w, NULL);
	json_u64(&w, "big", UINT64_MAX);
	json_i64(&w, "neg", -5);
	json_dbl1(&w, "share", 50.0);
	json_boolean(&w, "yes", true);
	json_null(&w, "none");
	json_str(&w, "nul", NULL);
	json_obj_open(&w, "empty");
	json_obj_close(&w);
	json_arr_open(&w, "list");
	json_u64(&w, NULL, 1);
	json_str(&w, NULL, "two");
	json_arr_close(&w);
	json_obj_close(&w);
	assert_int_equal(json_w_end(&w), 0);
	struct json_object *o = parse(&w), *v;
	assert_true(json_object_object_get_ex(o, "big", &v));
	assert_true(json_object_get_uint64(v) == UINT64_MAX);
	assert_true(json_object_object_get_ex(o, "neg", &v));
	assert_int_equal(json_object_get_int64(v), -5);
	assert_string_equal(str(o, "share"), "50.0");
	assert_true(json_object_object_get_ex(o, "yes", &v) && json_object_get_boolean(v));
	assert_true(json_object_object_get_ex(o, "none", &v) && v == NULL);
	assert_true(json_object_object_get_ex(o, "empty", &v) && json_object_object_length(v) == 0);
	assert_true(json_object_object_get_ex(o, "list", &v) && json_object_array_length(v) == 2);
	assert_non_null(strstr(w.buf, "\"empty\": {}"));
	json_object_put(o);
	json_w_free(&w);
}

/* Every byte but NUL, in a key and a value: escaped by the writer, the same bytes after parsing
 * (non-ASCII bytes come back as U+0080..U+00FF, as \u00XX says). */
static void strings_escaped(void **state)
{
	char s[256], key[128];
	for (int i = 1; i < 256; i++)
		s[i - 1] = (char)i;
	s[255] = '\0';
	memcpy(key, s, 127);
	key[127] = '\0';
	struct json_w w;
	json_w_init(&w);
	json_obj_open(&w, NULL);
	json_str(&w, key, s);
	json_lines(&w, "lines", "one \"quoted\"\n\ntwo\\\n");
	json_obj_close(&w);
	assert_int_equal(json_w_end(&w), 0);
	for (size_t i = 0; i < w.len; i++)
		assert_true((unsigned char)w.buf[i] >= 0x20 ? (unsigned char)w.buf[i] < 0x7f : w.buf[i] == '\n');
	struct json_object *o = parse(&w), *v;
	assert_true(json_object_object_get_ex(o, key, &v));
	const unsigned char *back = (const unsigned char *)json_object_get_string(v);
	for (int i = 1; i < 0x80; i++)
		assert_int_equal(back[i - 1], i);
	for (int i = 0x80; i < 0x100; i++) { /* U+00XX in UTF-8 */
		assert_int_equal(back[127 + 2 * (i - 0x80)], 0xc0 | (i >> 6));
		assert_int_equal(back[128 + 2 * (i - 0x80)], 0x80 | (i & 0x3f));
	}
	assert_true(json_object_object_get_ex(o, "lines", &v));
	assert_int_equal(json_object_array_length(v), 2); /* the empty line is left out */
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 0)), "one \"quoted\"");
	assert_string_equal(json_object_get_string(json_object_array_get_idx(v, 1)), "two\\");
	json_object_put(o);
	json_w_free(&w);
}

static void bad_nesting_reported(void **state)
{
	struct json_w w;
	json_w_init(&w);
	json_obj_open(&w, NULL);
	assert_int_equal(json_w_end(&w), -1); /* left open */
	json_w_free(&w);
	json_w_init(&w);
	json_obj_close(&w);
	assert_int_equal(json_w_end(&w), -1); /* closed what was not open */
	json_w_free(&w);
	json_w_init(&w);
	for (int i = 0; i <= JSON_DEPTH_MAX; i++)
		json_arr_open(&w, NULL);
	assert_true(w.failed);
	json_w_free(&w);
}

static char *render(const char *json)
{
	char err[160] = "", *out = NULL;
	size_t len = 0;
	struct json_object *o = status_parse(json, strlen(json), err, sizeof(err));
	if (!o)
		fail_msg("%s", err);
	FILE *f = open_memstream(&out, &len);
	assert_non_null(f);
	status_render(o, f);
	fclose(f);
	json_object_put(o);
	return out;
}

static void text_layout(void **state)
{
	char *t = render("{\"schema\": 1, \"daemon\": \"plat\", \"control\": \"/run/p.sock\", \"pid\": 9, "
			 "\"uptime_seconds\": 4, \"tun\": \"nat64\", \"mode\": \"stateful\", "
			 "\"settings\": [\"pool6 64:ff9b::/96\"], \"packets_4to6\": 3, \"why\": \"a\\u0007b\", "
			 "\"pool4\": {\"ports_in_use\": 2, \"ports_total\": 10, \"per\": {\"tcp\": 1, \"udp\": 1}}, "
			 "\"top\": [{\"prefix\": \"2001:db8::/64\", \"sessions\": 5}], \"tether\": [], "
			 "\"drops\": {\"ttl-expired\": 2, \"truncated\": 0}, "
			 "\"descriptions\": {\"drops\": {\"ttl-expired\": \"TTL ran out\", \"truncated\": \"short\"}}, "
			 "\"hidden\": {\"a\": 1}, \"text_omit\": [\"hidden\", 7]}");
	assert_string_equal(t, "plat on nat64 (pid 9, up 4 s, stateful, control /run/p.sock)\n"
			       "settings:\n"
			       "  pool6 64:ff9b::/96\n"
			       "packets_4to6  3\n"
			       "why           a?b\n"
			       "pool4:\n"
			       "  ports_in_use  2\n"
			       "  ports_total   10\n"
			       "  per           tcp 1  udp 1\n"
			       "top:\n"
			       "  prefix 2001:db8::/64  sessions 5\n"
			       "tether: (none)\n"
			       "drops:\n"
			       "  ttl-expired            2  TTL ran out\n");
	free(t);
	t = render("{\"daemon\": \"siit\", \"drops\": {\"a\": 0}, \"descriptions\": {\"drops\": {\"a\": \"x\"}}}");
	assert_string_equal(t, "siit\ndrops:\n  (none)\n");
	free(t);
}

/* A family by reason (json_by_reason, json_descriptions): the reasons from first to end, each under
 * its name, reason 0 left out where first is 1; the text shows a nonzero one with its description. */
static const char *fam_name(unsigned r) { return (const char *[]){ "none", "too-short", "bad-sum" }[r]; }
static const char *fam_desc(unsigned r) { return (const char *[]){ "-", "shorter than a header", "checksum wrong" }[r]; }

static void reasons_family(void **state)
{
	static const struct json_reasons fam = { "drops", 1, 3, fam_name, fam_desc };
	static const struct json_reasons all = { "by_reason", 0, 3, fam_name, NULL };
	const uint64_t counters[3] = { 7, 0, 5 };
	struct json_w w;
	json_w_init(&w);
	json_obj_open(&w, NULL);
	json_by_reason(&w, &all, counters);
	json_by_reason(&w, &fam, counters);
	json_descriptions(&w, &fam);
	json_obj_close(&w);
	assert_int_equal(json_w_end(&w), 0);
	assert_string_equal(w.buf, "{\n"
				   "  \"by_reason\": {\n"
				   "    \"none\": 7,\n"
				   "    \"too-short\": 0,\n"
				   "    \"bad-sum\": 5\n"
				   "  },\n"
				   "  \"drops\": {\n"
				   "    \"too-short\": 0,\n"
				   "    \"bad-sum\": 5\n"
				   "  },\n"
				   "  \"descriptions\": {\n"
				   "    \"drops\": {\n"
				   "      \"too-short\": \"shorter than a header\",\n"
				   "      \"bad-sum\": \"checksum wrong\"\n"
				   "    }\n"
				   "  }\n"
				   "}\n");
	char *t = render(w.buf);
	const char *drops = strstr(t, "drops:\n  bad-sum ");
	assert_non_null(drops);
	assert_non_null(strstr(drops, " 5  checksum wrong\n"));
	assert_null(strstr(drops, "too-short"));
	free(t);
	json_w_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(values_read_back),
		cmocka_unit_test(strings_escaped),
		cmocka_unit_test(bad_nesting_reported),
		cmocka_unit_test(text_layout),
		cmocka_unit_test(reasons_family),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
