/* scr_login.c: the staff login. */
#include "screens.h"

#include <curses.h>

#include "widgets.h"

void scr_login(const struct app *a)
{
	int y = LINES / 2 - 5;

	wd_frame(a, tr(S_LOGIN_TITLE));
	attron(A_BOLD);
	wd_text(y - 2, (COLS - wd_width(tr(S_APP_NAME))) / 2, COLS, tr(S_APP_NAME));
	attroff(A_BOLD);
	wd_form(a, y);
	wd_text(y + a->form.n + 5, (COLS - wd_width(tr(S_LOGIN_HINT))) / 2, COLS, tr(S_LOGIN_HINT));
}
