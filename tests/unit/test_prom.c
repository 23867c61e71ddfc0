/* lib/prom: label values and HELP text escaped as the exposition format says, samples of one family
 * kept together under one HELP and TYPE whatever order they were added in, bad names refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "prom/prom.h"

static char *render(struct prom_reg *reg)
{
	size_t len = 0;
	char *s = prom_render(reg, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	return s;
}

static void label_values_escaped(void **state)
{
	struct prom_reg *reg = prom_new();
	struct prom_labels l = { .n = 1, .k = { "tun" }, .v = { "a\"b\\c\nd" } };
	assert_int_equal(prom_add(reg, PROM_GAUGE, "x_g", "help", &l, "why", "\tnon-ascii \xc3\xa9", 7), 0);
	char *s = render(reg);
	assert_string_equal(s, "# HELP x_g help\n# TYPE x_g gauge\n"
			       "x_g{tun=\"a\\\"b\\\\c\\nd\",why=\"?non-ascii ??\"} 7\n");
	free(s);
	prom_free(reg);
}

static void help_escaped(void **state)
{
	struct prom_reg *reg = prom_new();
	assert_int_equal(prom_add(reg, PROM_COUNTER, "x_total", "back\\slash \"quoted\"\nnext", NULL, NULL, NULL, 0), 0);
	char *s = render(reg);
	assert_string_equal(s, "# HELP x_total back\\\\slash \"quoted\"\\nnext\n# TYPE x_total counter\nx_total 0\n");
	free(s);
	prom_free(reg);
}

static void families_grouped(void **state)
{
	struct prom_reg *reg = prom_new();
	struct prom_labels a = { .n = 1, .k = { "daemon" }, .v = { "siit" } };
	struct prom_labels b = { .n = 1, .k = { "daemon" }, .v = { "plat" } };
	assert_int_equal(prom_add(reg, PROM_COUNTER, "p_total", "packets", &a, "direction", "4to6", 1), 0);
	assert_int_equal(prom_add(reg, PROM_GAUGE, "u_seconds", "uptime", &a, NULL, NULL, 2), 0);
	assert_int_equal(prom_add(reg, PROM_COUNTER, "p_total", "ignored later help", &b, "direction", "4to6",
				  UINT64_MAX), 0);
	char *s = render(reg);
	assert_string_equal(s, "# HELP p_total packets\n# TYPE p_total counter\n"
			       "p_total{daemon=\"siit\",direction=\"4to6\"} 1\n"
			       "p_total{daemon=\"plat\",direction=\"4to6\"} 18446744073709551615\n"
			       "# HELP u_seconds uptime\n# TYPE u_seconds gauge\nu_seconds{daemon=\"siit\"} 2\n");
	free(s);
	prom_free(reg);
}

static void bad_names_refused(void **state)
{
	struct prom_reg *reg = prom_new();
	struct prom_labels l = { .n = 1, .k = { "bad-label" }, .v = { "v" } };
	assert_int_equal(prom_add(reg, PROM_GAUGE, "9lives", "h", NULL, NULL, NULL, 1), -1);
	assert_int_equal(prom_add(reg, PROM_GAUGE, "has space", "h", NULL, NULL, NULL, 1), -1);
	assert_int_equal(prom_add(reg, PROM_GAUGE, "ok_name", "h", &l, NULL, NULL, 1), -1);
	assert_int_equal(prom_add(reg, PROM_GAUGE, "ok_name", "h", NULL, "a:b", "v", 1), -1);
	assert_int_equal(prom_add(reg, PROM_GAUGE, "ok_name", "h", NULL, NULL, NULL, 1), 0);
	/* the same family as another type */
	assert_int_equal(prom_add(reg, PROM_COUNTER, "ok_name", "h", NULL, NULL, NULL, 1), -1);
	char *s = render(reg);
	assert_string_equal(s, "# HELP ok_name h\n# TYPE ok_name gauge\nok_name 1\n");
	free(s);
	prom_free(reg);
}

static void empty_registry(void **state)
{
	struct prom_reg *reg = prom_new();
	char *s = render(reg);
	assert_string_equal(s, "");
	free(s);
	prom_free(reg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(label_values_escaped), cmocka_unit_test(help_escaped),
		cmocka_unit_test(families_grouped), cmocka_unit_test(bad_names_refused),
		cmocka_unit_test(empty_registry),
	};
	return cmocka_run_group_tests_name("prom", tests, NULL, NULL);
}
