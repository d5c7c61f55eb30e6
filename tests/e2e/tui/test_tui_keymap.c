/* test_tui_keymap.c: the key table: screen-specific keys first, admin keys for admins. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "keymap.h"
#include "qr.h"

static void test_tui_keymap_screen_keys_win(void **state)
{
	assert_int_equal(keymap_lookup(SCR_LAYOUT, KEY_F_(2), 1), ACT_SAVE);
	assert_int_equal(keymap_lookup(SCR_HOME, KEY_F_(2), 0), ACT_GO_HOME);
	assert_int_equal(keymap_lookup(SCR_SEATS, ' ', 0), ACT_PICK);
	assert_int_equal(keymap_lookup(SCR_SEATS, 'b', 0), ACT_BEST);
	assert_int_equal(keymap_lookup(SCR_LOGIN, KEY_F_(2), 0), ACT_NONE);
	assert_int_equal(keymap_lookup(SCR_LOGIN, KEY_F_(10), 0), ACT_QUIT);
}

static void test_tui_keymap_admin_keys_for_admins(void **state)
{
	assert_int_equal(keymap_lookup(SCR_HOME, KEY_F_(6), 0), ACT_NONE);
	assert_int_equal(keymap_lookup(SCR_HOME, KEY_F_(6), 1), ACT_GO_ADMIN);
	assert_int_equal(keymap_lookup(SCR_ORDERS, 'r', 0), ACT_REFRESH);
	assert_int_equal(keymap_lookup(SCR_ORDERS, 'r', 1), ACT_REFUND);
}

static void test_tui_keymap_every_entry_named(void **state)
{
	int n;
	const struct keymap_entry *t = keymap_table(&n);
	char b[16];

	assert_true(n > 20);
	for (int i = 0; i < n; i++) {
		assert_true(t[i].screens != 0);
		/* an unnamed key would show as "#<code>" in the help */
		assert_int_not_equal(keymap_key_name(t[i].key, b, sizeof(b))[0], '#');
	}
	assert_string_equal(keymap_key_name(KEY_F_(10), b, sizeof(b)), "F10");
	assert_string_equal(keymap_key_name(' ', b, sizeof(b)), "Space");
}

static void test_tui_qr_half_blocks(void **state)
{
	char out[8192];
	int w = 0, lines = qr_halfblock("ABCDEFGHJKLM", 0, out, sizeof(out), &w);

	/* version 1 is 21 modules, plus 2 of quiet zone each side: 25, in 13 lines */
	assert_int_equal(w, 25);
	assert_int_equal(lines, 13);
	/* the quiet zone is blank, the finder pattern's top edge is full blocks */
	assert_int_equal(strncmp(out, "                         \n", 26), 0);
	assert_int_equal(strncmp(out + 26, "  █▀▀▀▀▀█", strlen("  █▀▀▀▀▀█")), 0);
	assert_int_equal(qr_halfblock("x", 0, out, 10, &w), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tui_keymap_screen_keys_win),
	    cmocka_unit_test(test_tui_keymap_admin_keys_for_admins),
	    cmocka_unit_test(test_tui_keymap_every_entry_named),
	    cmocka_unit_test(test_tui_qr_half_blocks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
