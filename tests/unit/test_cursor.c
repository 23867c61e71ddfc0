/* lib/common/cursor.h: every read is bounds-checked, a failed read poisons the cursor and yields
 * zero, and the big-endian helpers agree with byte-by-byte arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/cursor.h"

static void test_reads_in_order(void **state)
{
	(void)state;
	const uint8_t b[] = { 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07 };
	struct cursor c = cursor_make(b, sizeof(b));
	assert_int_equal(cursor_u8(&c), 0x01);
	assert_int_equal(cursor_be16(&c), 0x0203);
	assert_int_equal(cursor_be32(&c), 0x04050607);
	assert_true(cursor_ok(&c));
	assert_int_equal(cursor_left(&c), 0);
}

static void test_overrun_poisons(void **state)
{
	(void)state;
	const uint8_t b[] = { 0xaa, 0xbb, 0xcc };
	struct cursor c = cursor_make(b, sizeof(b));
	assert_int_equal(cursor_be32(&c), 0); /* 4 > 3: fails, yields 0 */
	assert_false(cursor_ok(&c));
	assert_int_equal(cursor_left(&c), 3); /* nothing consumed */
	assert_int_equal(cursor_u8(&c), 0);   /* and stays failed, even for a read that would fit */
	assert_null(cursor_take(&c, 1));
}

static void test_take_every_length(void **state)
{
	(void)state;
	uint8_t b[16];
	for (size_t len = 0; len <= sizeof(b); len++) {
		for (size_t n = 0; n <= sizeof(b) + 1; n++) {
			struct cursor c = cursor_make(b, len);
			const uint8_t *p = cursor_take(&c, n);
			if (n <= len) {
				assert_ptr_equal(p, b);
				assert_int_equal(cursor_left(&c), len - n);
				assert_true(cursor_ok(&c));
			} else {
				assert_null(p);
				assert_false(cursor_ok(&c));
			}
		}
	}
}

static void test_copy_and_skip(void **state)
{
	(void)state;
	const uint8_t b[] = { 1, 2, 3, 4, 5 };
	uint8_t out[3] = { 0 };
	struct cursor c = cursor_make(b, sizeof(b));
	assert_true(cursor_skip(&c, 1));
	assert_true(cursor_copy(&c, out, 3));
	assert_memory_equal(out, b + 1, 3);
	assert_false(cursor_copy(&c, out, 2)); /* one byte left */
	assert_false(cursor_ok(&c));
}

static void test_big_endian_helpers(void **state)
{
	(void)state;
	uint8_t b[9] = { 0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 };
	/* odd offsets: the helpers must not depend on alignment */
	assert_int_equal(be16_at(b + 1), 0x1122);
	assert_int_equal(be32_at(b + 1), 0x11223344u);
	assert_true(be64_at(b + 1) == 0x1122334455667788ull);
	put_be16(b + 1, 0xbeef);
	assert_int_equal(b[1], 0xbe);
	assert_int_equal(b[2], 0xef);
	put_be32(b + 3, 0xdeadc0de);
	assert_int_equal(b[3], 0xde);
	assert_int_equal(b[6], 0xde);
	assert_int_equal(be32_at(b + 3), 0xdeadc0deu);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_in_order),
		cmocka_unit_test(test_overrun_poisons),
		cmocka_unit_test(test_take_every_length),
		cmocka_unit_test(test_copy_and_skip),
		cmocka_unit_test(test_big_endian_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
