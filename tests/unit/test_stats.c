/* xlat_stats_add: every counter of struct xlat_stats is summed (the workers' counters make one
 * status). The struct is all uint64_t, so a field added later and forgotten shows up here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "xlat/xlat.h"

static void every_counter_summed(void **state)
{
	struct xlat_stats a, b;
	uint64_t *wa = (uint64_t *)&a, *wb = (uint64_t *)&b;
	size_t n = sizeof(a) / sizeof(uint64_t);
	assert_int_equal(sizeof(a) % sizeof(uint64_t), 0);
	for (size_t i = 0; i < n; i++) {
		wa[i] = i + 1;
		wb[i] = 1000 * (i + 1);
	}
	xlat_stats_add(&a, &b);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(wa[i], 1001 * (i + 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(every_counter_summed) };
	return cmocka_run_group_tests_name("stats", tests, NULL, NULL);
}
