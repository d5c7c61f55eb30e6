/* scr_home.c: today's screenings, the cashier's home. */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "term.h"
#include "widgets.h"

void scr_home(const struct app *a)
{
	const struct app_list *l = &a->screenings;
	int y0 = 2, h = wd_body_end() - y0 - 1, top, n = app_list_count(l), i = 0;
	char title[192], day[32];
	const cJSON *it;

	wd_frame(a, tr(S_KEY_SELL));
	wd_time(a->now + (int64_t)a->day * 86400, "%a %d %b", day, sizeof(day));
	snprintf(title, sizeof(title), "%s, %s%s%s", a->day == 0 ? tr(S_TODAY) : tr(S_DAY), day,
	         a->home_query[0] ? " · / " : "", a->home_query);
	wd_rule(1, title);
	attron(A_BOLD);
	wd_text(y0, 3, 6, tr(S_COL_TIME));
	wd_text(y0, 10, 28, tr(S_COL_FILM));
	wd_text(y0, 39, 16, tr(S_COL_HALL));
	wd_right(y0, 55, 12, tr(S_COL_FREE));
	attroff(A_BOLD);
	if (l->loaded && n == 0)
		wd_text(y0 + 2, 3, COLS - 6, tr(S_NO_SCREENINGS));
	top = scr_list_top(l, h);
	cJSON_ArrayForEach(it, l->items)
	{
		int y = y0 + 1 + i - top, total = (int)scr_num(it, "seatsTotal"),
		    freec = (int)scr_num(it, "seatsFree");
		char t[16], fr[32];
		if (i < top || y >= wd_body_end()) {
			i++;
			continue;
		}
		if (i == l->sel) {
			attron(A_REVERSE);
			mvaddstr(y, 1, "▶");
		}
		wd_pad(y, 3, 7, wd_time(scr_num(it, "startAt"), "%H:%M", t, sizeof(t)));
		wd_pad(y, 10, 28, scr_str(it, "filmName"));
		wd_pad(y, 39, 16, scr_str(it, "hallName"));
		snprintf(fr, sizeof(fr), "%d / %d", freec, total);
		wd_right(y, 55, 12, fr);
		if (i == l->sel)
			attroff(A_REVERSE);
		if (!strcmp(scr_str(it, "status"), "cancelled")) {
			attron(term_attr(PAIR_ERROR));
			wd_text(y, 69, COLS - 70, tr(S_CANCELLED));
			attroff(term_attr(PAIR_ERROR));
		} else {
			wd_bar(y, 69, COLS - 70 < 10 ? COLS - 70 : 10,
			       total > 0 ? (double)freec / total : 0);
		}
		i++;
	}
	(void)n;
}
