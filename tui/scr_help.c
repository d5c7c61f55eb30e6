/* scr_help.c: help generated from the key map for the screen it was opened on. */
#include "screens.h"

#include <stdio.h>

#include <curses.h>

#include "widgets.h"

void scr_help(const struct app *a)
{
	int n, y = 3, col = 0;
	const struct keymap_entry *km = keymap_table(&n);
	char kn[16];

	wd_frame(a, tr(S_HELP_TITLE));
	wd_rule(1, tr(S_HELP_TITLE));
	for (int i = 0; i < n; i++) {
		const struct keymap_entry *e = &km[i];
		int dup = 0;
		if (!(e->screens & KM(a->prev)))
			continue;
		if ((e->flags & KM_ADMIN) && !app_is_admin(a))
			continue;
		for (int j = 0; j < i; j++)
			dup |= km[j].key == e->key && (km[j].screens & KM(a->prev)) &&
			       (!(km[j].flags & KM_ADMIN) || app_is_admin(a));
		if (dup)
			continue;
		if (y >= wd_body_end() - 1) {
			y = 3;
			col++;
		}
		attron(A_BOLD);
		wd_text(y, 3 + col * 38, 8, keymap_key_name(e->key, kn, sizeof(kn)));
		attroff(A_BOLD);
		wd_text(y, 12 + col * 38, 28, tr(e->label));
		y++;
	}
	wd_text(wd_body_end() - 1, 3, COLS - 6, tr(S_HELP_CLOSE));
}
