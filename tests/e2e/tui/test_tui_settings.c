/* test_tui_settings.c: defaults < file < environment < flags. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "settings.h"

static char cfg[64];

static int setup(void **state)
{
	FILE *f;

	snprintf(cfg, sizeof(cfg), "/tmp/tui-settings-%d.conf", (int)getpid());
	f = fopen(cfg, "w");
	if (!f)
		return -1;
	fputs("# a comment\nurl = http://file:1/\nprinter = front\nlang=zh\n", f);
	fclose(f);
	unsetenv("BOXOFFICE_URL");
	unsetenv("BOXOFFICE_PRINTER");
	unsetenv("BOXOFFICE_LANG");
	unsetenv("BOXOFFICE_CONFIG");
	setenv("HOME", "/nonexistent", 1);
	return 0;
}

static int teardown(void **state)
{
	unlink(cfg);
	return 0;
}

static void test_tui_settings_defaults(void **state)
{
	struct settings s;
	char err[256];
	char *argv[] = {"boxoffice", NULL};

	assert_int_equal(settings_load(&s, 1, argv, err, sizeof(err)), 0);
	assert_string_equal(s.url, "http://127.0.0.1:8080");
	assert_string_equal(s.printer, "");
	assert_string_equal(s.lang, "");
}

static void test_tui_settings_file_env_flag_order(void **state)
{
	struct settings s;
	char err[256];
	char *argv[] = {"boxoffice", "--config", cfg, "--lang=en", NULL};

	setenv("BOXOFFICE_PRINTER", "back", 1);
	assert_int_equal(settings_load(&s, 4, argv, err, sizeof(err)), 0);
	assert_string_equal(s.url, "http://file:1"); /* from the file, slash trimmed */
	assert_string_equal(s.printer, "back");      /* environment over file */
	assert_string_equal(s.lang, "en");           /* flag over file */
	unsetenv("BOXOFFICE_PRINTER");
}

static void test_tui_settings_refuses_unknown_flag(void **state)
{
	struct settings s;
	char err[256];
	char *argv[] = {"boxoffice", "--colour", "red", NULL};
	char *argv2[] = {"boxoffice", "--url", NULL};

	assert_int_equal(settings_load(&s, 3, argv, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "--colour"));
	assert_int_equal(settings_load(&s, 2, argv2, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "needs a value"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tui_settings_defaults),
	    cmocka_unit_test(test_tui_settings_file_env_flag_order),
	    cmocka_unit_test(test_tui_settings_refuses_unknown_flag),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
