/* Unit tests for lib/common/cfgtext.c, the configuration text reader under the siit, plat and clat
 * parsers: lines and words, comments (anywhere, or only at a word's start), limits, and errors
 * named NAME:LINE. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/cfgtext.h"

struct seen {
	char text[4096]; /* "LINENO:w1,w2,...[+];" per line */
	const char *fail_on; /* a first word that makes the callback fail */
};

static int record(void *arg, const struct cfgtext_line *l, char *msg, size_t msgcap)
{
	struct seen *s = arg;
	size_t n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%u:", l->lineno);
	for (int i = 0; i < l->nw; i++) {
		n = strlen(s->text);
		snprintf(s->text + n, sizeof(s->text) - n, "%s%s", i ? "," : "", l->word[i]);
	}
	n = strlen(s->text);
	snprintf(s->text + n, sizeof(s->text) - n, "%s;", l->more ? "+" : "");
	if (s->fail_on && strcmp(l->word[0], s->fail_on) == 0) {
		snprintf(msg, msgcap, "%s: refused", l->word[0]);
		return -1;
	}
	return 0;
}

static int walk(const char *text, size_t len, const struct cfgtext_rules *r, struct seen *s, char *err, size_t errlen)
{
	memset(s->text, 0, sizeof(s->text));
	err[0] = '\0';
	return cfgtext_walk(text, len, "f.conf", r, record, s, err, errlen);
}

static void test_lines_words_comments(void **state)
{
	struct cfgtext_rules r = { .max_words = CFGTEXT_WORDS_MAX };
	struct seen s = { .fail_on = NULL };
	char err[256];
	const char *t = "# heading\n\n  a  b\tc \r\n#x\nstatic tcp 1#80 2#8080 # port forward\nlast";
	assert_int_equal(walk(t, strlen(t), &r, &s, err, sizeof(err)), 0);
	assert_string_equal(s.text, "3:a,b,c;5:static,tcp,1;6:last;"); /* '#' anywhere starts a comment */
	r.hash_at_word_start = true;
	assert_int_equal(walk(t, strlen(t), &r, &s, err, sizeof(err)), 0);
	assert_string_equal(s.text, "3:a,b,c;5:static,tcp,1#80,2#8080;6:last;");
	/* len bounds the text: no terminator needed, the rest is not read */
	assert_int_equal(walk("k v\nk2", 3, &r, &s, err, sizeof(err)), 0);
	assert_string_equal(s.text, "1:k,v;");
}

static void test_limits_and_errors(void **state)
{
	struct cfgtext_rules r = { .max_words = 3 };
	struct seen s = { .fail_on = "bad" };
	char err[256];
	assert_int_equal(walk("a b c\na b c d\n", 14, &r, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "f.conf:2: too many words");
	r.more_ok = true; /* passed on, flagged */
	assert_int_equal(walk("a b c\na b c d\n", 14, &r, &s, err, sizeof(err)), 0);
	assert_string_equal(s.text, "1:a,b,c;2:a,b,c+;");
	assert_int_equal(walk("ok 1\nbad 2\nnever\n", 17, &r, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "f.conf:2: bad: refused");
	assert_string_equal(s.text, "1:ok,1;2:bad,2;");
	assert_int_equal(walk("a\nb\0c\n", 6, &r, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "f.conf:2: NUL byte in line");
	static char longline[CFGTEXT_LINE_MAX + 8];
	memset(longline, 'x', sizeof(longline));
	assert_int_equal(walk(longline, sizeof(longline), &r, &s, err, sizeof(err)), -1);
	assert_string_equal(err, "f.conf:1: line longer than 1023 bytes");
	memset(longline, 'y', CFGTEXT_LINE_MAX - 1); /* 1023 bytes: fits */
	assert_int_equal(walk(longline, CFGTEXT_LINE_MAX - 1, &r, &s, err, sizeof(err)), 0);
	/* a short error buffer is cut and terminated */
	char tiny[8];
	assert_int_equal(walk("bad\n", 4, &r, &s, tiny, sizeof(tiny)), -1);
	assert_int_equal(strlen(tiny), sizeof(tiny) - 1);
}

/* The printers' helpers: appending with snprintf's count, and the error setter. */
static void test_buf_and_err(void **state)
{
	char out[16];
	struct cfgtext_buf b = { out, sizeof(out), 0 };
	out[0] = '\0';
	cfgtext_add(&b, "tun %s\n", "plat0");
	cfgtext_add(&b, "mtu4 %u\n", 1500u);
	assert_string_equal(out, "tun plat0\nmtu4 "); /* cut at 15 bytes and terminated */
	assert_int_equal(b.len, strlen("tun plat0\nmtu4 1500\n")); /* what would have been written */
	cfgtext_add(&b, "more\n");
	assert_int_equal(b.len, strlen("tun plat0\nmtu4 1500\nmore\n"));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	char err[32] = "untouched";
	assert_int_equal(cfgtext_err(err, sizeof(err), "%s:%d: %s", "f", 3, "bad"), -1);
	assert_string_equal(err, "f:3: bad");
	assert_int_equal(cfgtext_err(err, 0, "ignored"), -1);
	assert_string_equal(err, "f:3: bad");
}

static void test_value_checks(void **state)
{
	char err[128], name[16] = "keep";
	bool b = false;
	assert_int_equal(cfgtext_bool("yes", &b, err, sizeof(err)), 0);
	assert_true(b);
	assert_int_equal(cfgtext_bool("no", &b, err, sizeof(err)), 0);
	assert_false(b);
	assert_int_equal(cfgtext_bool("Yes", &b, err, sizeof(err)), -1);
	assert_string_equal(err, "'Yes' is neither yes nor no");
	assert_int_equal(cfgtext_ifname("plat0", name, sizeof(name), err, sizeof(err)), 0);
	assert_string_equal(name, "plat0");
	assert_int_equal(cfgtext_ifname("abcdefghijklmnop", name, sizeof(name), err, sizeof(err)), -1);
	assert_string_equal(err, "interface name must be 1 to 15 characters");
	assert_int_equal(cfgtext_ifname("", name, sizeof(name), err, sizeof(err)), -1);
	for (const char *bad = "a/b\0a:b\0a b\0..\0"; *bad; bad += strlen(bad) + 1) {
		assert_int_equal(cfgtext_ifname(bad, name, sizeof(name), err, sizeof(err)), -1);
		assert_non_null(strstr(err, "is not a valid interface name"));
	}
	assert_string_equal(name, "plat0"); /* untouched by refusals */
	assert_int_equal(cfgtext_ifname("abcdefghijklmno", name, sizeof(name), err, sizeof(err)), 0); /* 15: fits */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines_words_comments),
		cmocka_unit_test(test_limits_and_errors),
		cmocka_unit_test(test_buf_and_err),
		cmocka_unit_test(test_value_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
