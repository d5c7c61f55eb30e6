/* test_password.c: Argon2id hashes and the CSPRNG helpers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include <argon2.h>

#include "core/password.h"
#include "core/random.h"

#define HASH_MAX 128

static int low_cost(void **state)
{
	(void)state;
	/* The production cost takes tens of milliseconds per hash. */
	password_set_cost(1024, 1);
	return 0;
}

static void test_password_hash_verify(void **state)
{
	char h[HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("correct horse", h, sizeof(h)), 0);
	assert_true(strlen(h) < HASH_MAX);
	assert_non_null(strstr(h, "$argon2id$v=19$m=1024,t=1,p=1$"));
	assert_int_equal(password_verify("correct horse", h), 1);
}

static void test_password_wrong_password(void **state)
{
	char h[HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("correct horse", h, sizeof(h)), 0);
	assert_int_equal(password_verify("correct hors", h), 0);
	assert_int_equal(password_verify("correct horse ", h), 0);
	assert_int_equal(password_verify("", h), 0);
}

static void test_password_same_password_differs_by_salt(void **state)
{
	char a[HASH_MAX], b[HASH_MAX];

	(void)state;
	assert_int_equal(password_hash("same password", a, sizeof(a)), 0);
	assert_int_equal(password_hash("same password", b, sizeof(b)), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(password_verify("same password", a), 1);
	assert_int_equal(password_verify("same password", b), 1);
}

static void test_password_cost_is_in_the_hash(void **state)
{
	char h[HASH_MAX];

	(void)state;
	password_set_cost(2048, 2);
	assert_int_equal(password_hash("pw123456", h, sizeof(h)), 0);
	assert_non_null(strstr(h, "$m=2048,t=2,p=1$"));
	/* A hash keeps verifying after the cost changes. */
	password_set_cost(1024, 1);
	assert_int_equal(password_verify("pw123456", h), 1);
}

static void test_password_production_cost_fits_128_bytes(void **state)
{
	char h[HASH_MAX];

	(void)state;
	/* The settings table's maximum cost still fits. */
	assert_true(argon2_encodedlen(16, 1048576, 1, 16, 32, Argon2_id) < HASH_MAX);
	password_set_cost(19456, 2);
	assert_int_equal(password_hash("pw123456", h, sizeof(h)), 0);
	assert_non_null(strstr(h, "$argon2id$v=19$m=19456,t=2,p=1$"));
	assert_true(strlen(h) < HASH_MAX);
	password_set_cost(1024, 1);
}

static void test_password_small_buffer_fails(void **state)
{
	char h[40];

	(void)state;
	assert_int_equal(password_hash("pw123456", h, sizeof(h)), -1);
	assert_int_equal(password_hash(NULL, h, sizeof(h)), -1);
}

static void test_password_malformed_stored_hash(void **state)
{
	char h[HASH_MAX];

	(void)state;
	assert_int_equal(password_verify("pw123456", ""), 0);
	assert_int_equal(password_verify("pw123456", "pw123456"), 0);
	assert_int_equal(password_verify("pw123456", NULL), 0);
	assert_int_equal(password_verify("pw123456", "$argon2id$v=19$m=1024,t=1,p=1$garbage"), 0);
	assert_int_equal(password_hash("pw123456", h, sizeof(h)), 0);
	/* An argon2i hash is not what we store. */
	memcpy(h, "$argon2i$", 9);
	memmove(h + 9, h + 10, strlen(h + 10) + 1);
	assert_int_equal(password_verify("pw123456", h), 0);
	/* A truncated hash. */
	assert_int_equal(password_hash("pw123456", h, sizeof(h)), 0);
	h[strlen(h) - 5] = '\0';
	assert_int_equal(password_verify("pw123456", h), 0);
}

static void test_password_random_bytes_fill(void **state)
{
	unsigned char a[1000], b[1000];
	size_t i, zeros = 0;

	(void)state;
	memset(a, 0, sizeof(a));
	assert_int_equal(random_bytes(a, sizeof(a)), 0);
	assert_int_equal(random_bytes(b, sizeof(b)), 0);
	assert_memory_not_equal(a, b, sizeof(a));
	for (i = 0; i < sizeof(a); i++)
		zeros += a[i] == 0;
	assert_true(zeros < 20); /* expected about 4 */
	assert_int_equal(random_bytes(a, 0), 0);
}

static void test_password_random_digits_distribution(void **state)
{
	enum { N = 100000 };
	static char buf[N + 1];
	long count[10] = {0};
	double chi2 = 0;
	size_t i;

	(void)state;
	assert_int_equal(random_digits(buf, N), 0);
	assert_int_equal(strlen(buf), N);
	for (i = 0; i < N; i++) {
		assert_true(buf[i] >= '0' && buf[i] <= '9');
		count[buf[i] - '0']++;
	}
	for (i = 0; i < 10; i++) {
		double d = (double)count[i] - N / 10.0;

		chi2 += d * d / (N / 10.0);
	}
	/* 9 degrees of freedom: P(chi2 > 33.7) < 1e-4, so a fair source fails
	 * once in 10000 runs. byte % 10 without rejection gives about 45. */
	if (chi2 > 33.7)
		fail_msg("digit counts are not uniform: chi2 = %.1f", chi2);
}

static void test_password_random_string_no_modulo_bias(void **state)
{
	/* With 255 letters, byte % 255 would give the first letter twice the
	 * share of any other (bytes 0 and 255). */
	enum { N = 200000 };
	static char alphabet[256];
	static char buf[N + 1];
	long first = 0, second = 0;
	size_t i;

	(void)state;
	for (i = 0; i < 255; i++)
		alphabet[i] = (char)(i + 1);
	alphabet[255] = '\0';
	assert_int_equal(random_string(buf, N, alphabet), 0);
	for (i = 0; i < N; i++) {
		first += buf[i] == 1;
		second += buf[i] == 2;
	}
	/* Expected N/255 = 784 each (sd 28); biased, the first would be ~1568. */
	assert_true(first < 1100);
	assert_true(second < 1100);
	assert_true(first > 500);
}

static void test_password_random_string_alphabet(void **state)
{
	char buf[33];
	size_t i;

	(void)state;
	assert_int_equal(random_string(buf, 32, "ab"), 0);
	assert_int_equal(strlen(buf), 32);
	for (i = 0; i < 32; i++)
		assert_true(buf[i] == 'a' || buf[i] == 'b');
	assert_int_equal(random_string(buf, 5, "z"), 0);
	assert_string_equal(buf, "zzzzz");
	assert_int_equal(random_string(buf, 0, "ab"), 0);
	assert_string_equal(buf, "");
	assert_int_equal(random_string(buf, 4, ""), -1);
	assert_int_equal(random_string(buf, 4, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_password_hash_verify),
	    cmocka_unit_test(test_password_wrong_password),
	    cmocka_unit_test(test_password_same_password_differs_by_salt),
	    cmocka_unit_test(test_password_cost_is_in_the_hash),
	    cmocka_unit_test(test_password_production_cost_fits_128_bytes),
	    cmocka_unit_test(test_password_small_buffer_fails),
	    cmocka_unit_test(test_password_malformed_stored_hash),
	    cmocka_unit_test(test_password_random_bytes_fill),
	    cmocka_unit_test(test_password_random_digits_distribution),
	    cmocka_unit_test(test_password_random_string_no_modulo_bias),
	    cmocka_unit_test(test_password_random_string_alphabet),
	};

	return cmocka_run_group_tests(tests, low_cost, NULL);
}
