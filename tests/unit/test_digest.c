/*
 * test_digest.c: SHA-256 of query parts (core/digest.c), the cache key of
 * list queries.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/digest.h"

static void test_digest_known_vector(void **state)
{
	/* sha256("abc" 0x1f) computed independently (python3 hashlib). */
	const char *parts[] = {"abc"};
	char out[DIGEST_HEX_LEN + 1];

	assert_int_equal(digest_parts_hex(parts, 1, out), 0);
	assert_int_equal(strlen(out), DIGEST_HEX_LEN);
	assert_string_equal(out,
	                    "d5e9267952b38b2580c2e845cb5f9277848e1069a3d523ad92f375383b146953");
}

static void test_digest_parts_do_not_run_together(void **state)
{
	const char *a[] = {"ab", "c"}, *b[] = {"a", "bc"}, *c[] = {NULL, "x"}, *d[] = {"", "x"};
	char ha[DIGEST_HEX_LEN + 1], hb[DIGEST_HEX_LEN + 1];
	char hc[DIGEST_HEX_LEN + 1], hd[DIGEST_HEX_LEN + 1];

	assert_int_equal(digest_parts_hex(a, 2, ha), 0);
	assert_int_equal(digest_parts_hex(b, 2, hb), 0);
	assert_int_equal(digest_parts_hex(c, 2, hc), 0);
	assert_int_equal(digest_parts_hex(d, 2, hd), 0);
	assert_string_not_equal(ha, hb);
	assert_string_not_equal(hc, hd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_digest_known_vector),
	    cmocka_unit_test(test_digest_parts_do_not_run_together),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
