/* scr_shift.c: the cashier's shift: open with a float, close with the count. */
#include "screens.h"

#include <stdio.h>

#include <curses.h>

#include "term.h"
#include "widgets.h"

static void row(int y, enum str_id label, int64_t v)
{
	char m[32];

	wd_text(y, 6, 24, tr(label));
	wd_right(y, 30, 14, app_money(v, m, sizeof(m)));
}

void scr_shift(const struct app *a)
{
	const struct shift_view *s = &a->shift;
	char when[32];
	int y = 3;

	wd_frame(a, tr(S_SHIFT_TITLE));
	wd_rule(1, tr(S_SHIFT_TITLE));
	if (s->closed) {
		row(y++, S_EXPECTED, s->close_expected);
		row(y++, S_COUNTED, s->close_counted);
		attron(term_attr(s->close_variance == 0  ? PAIR_OK
		                 : s->close_variance < 0 ? PAIR_ERROR
		                                         : PAIR_WARN) |
		       A_BOLD);
		row(y++, S_VARIANCE, s->close_variance);
		attroff(term_attr(s->close_variance == 0  ? PAIR_OK
		                  : s->close_variance < 0 ? PAIR_ERROR
		                                          : PAIR_WARN) |
		        A_BOLD);
		y++;
		wd_text(y, 6, COLS - 12, tr(S_SHIFT_CLOSED));
		return;
	}
	if (!s->loaded)
		return;
	if (!s->open) {
		wd_text(y, 6, COLS - 12, tr(S_SHIFT_NO_OPEN));
		return;
	}
	wd_text(y, 6, 24, tr(S_OPENED_AT));
	wd_right(y++, 30, 14, wd_time(s->opened_at, "%Y-%m-%d %H:%M", when, sizeof(when)));
	row(y++, S_FLOAT, s->float_amount);
	{
		char lab[64];
		snprintf(lab, sizeof(lab), "%s %s", tr(S_SALES), tr(S_CASH));
		wd_text(y, 6, 24, lab);
		wd_right(y++, 30, 14, app_money(s->sales_cash, when, sizeof(when)));
		snprintf(lab, sizeof(lab), "%s %s", tr(S_SALES), tr(S_CARD));
		wd_text(y, 6, 24, lab);
		wd_right(y++, 30, 14, app_money(s->sales_card, when, sizeof(when)));
	}
	row(y++, S_REFUNDS, s->refunds);
	attron(A_BOLD);
	row(y++, S_EXPECTED, s->expected);
	attroff(A_BOLD);
	if (s->confirm) {
		y++;
		row(y++, S_COUNTED, app_parse_money(s->counted_text));
		row(y++, S_VARIANCE, app_parse_money(s->counted_text) - s->expected);
		attron(term_attr(PAIR_WARN) | A_BOLD);
		wd_text(y + 1, 6, COLS - 12, tr(S_CLOSE_FINAL));
		attroff(term_attr(PAIR_WARN) | A_BOLD);
	}
}
