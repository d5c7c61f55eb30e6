/*
 * test_tui_i18n.c: the string tables of the terminal client: complete in
 * both languages, the same printf conversions in each, and the language
 * chosen from the setting or LANG.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "i18n.h"

/* The conversions of a format ("%s%lld") as a string of their letters. */
static void convs(const char *f, char *out, size_t len)
{
	size_t n = 0;

	for (; *f; f++) {
		if (*f != '%')
			continue;
		f++;
		if (*f == '%')
			continue;
		while (*f && !strchr("sdifuxc", *f))
			f++;
		if (*f && n + 1 < len)
			out[n++] = *f;
		if (!*f)
			break;
	}
	out[n] = '\0';
}

static void test_tui_i18n_every_string_in_both_languages(void **state)
{
	for (int i = 0; i < S_COUNT; i++) {
		if (!i18n_en[i] || !i18n_zh[i])
			print_error("missing string %s\n", i18n_id_name((enum str_id)i));
		assert_non_null(i18n_en[i]);
		assert_non_null(i18n_zh[i]);
	}
}

static void test_tui_i18n_same_conversions(void **state)
{
	char a[16], b[16];

	for (int i = 0; i < S_COUNT; i++) {
		convs(i18n_en[i], a, sizeof(a));
		convs(i18n_zh[i], b, sizeof(b));
		if (strcmp(a, b))
			print_error("%s: en '%s' zh '%s'\n", i18n_id_name((enum str_id)i), a, b);
		assert_string_equal(a, b);
	}
}

static void test_tui_i18n_choice_from_setting_and_lang(void **state)
{
	setenv("LANG", "zh_CN.UTF-8", 1);
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	assert_int_equal(i18n_choose(NULL), I18N_ZH);
	assert_string_equal(tr(S_ADMITTED), "准予入场");
	assert_int_equal(i18n_choose("en"), I18N_EN);
	assert_string_equal(tr(S_ADMITTED), "ADMITTED");
	setenv("LANG", "C.UTF-8", 1);
	assert_int_equal(i18n_choose(""), I18N_EN);
	assert_int_equal(i18n_choose("zh"), I18N_ZH);
	i18n_set(I18N_EN);
}

static void test_tui_i18n_error_slugs_in_words(void **state)
{
	i18n_set(I18N_EN);
	assert_string_equal(tr_error("seat_taken"), "Seats already taken");
	assert_string_equal(tr_error("no_such_slug"), "Error");
	assert_string_equal(tr_error(NULL), "Error");
	assert_string_equal(tr_ticket_type("child"), "child");
	assert_string_equal(tr_ticket_type("pensioner"), "pensioner");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tui_i18n_every_string_in_both_languages),
	    cmocka_unit_test(test_tui_i18n_same_conversions),
	    cmocka_unit_test(test_tui_i18n_choice_from_setting_and_lang),
	    cmocka_unit_test(test_tui_i18n_error_slugs_in_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
