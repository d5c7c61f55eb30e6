/* scr_sched.c: the screenings of one hall on one day, as a list and a timeline. */
#include "screens.h"

#include <stdio.h>
#include <stdlib.h>

#include <curses.h>

#include "widgets.h"

void scr_sched(const struct app *a)
{
	const cJSON *hall = cJSON_GetArrayItem(a->halls.items, a->sched_hall), *it;
	long long hid = scr_num(hall, "id");
	char title[200], day[32], t0[16], t1[16], buf[200];
	int y = 3, i = 0;

	wd_frame(a, tr(S_SCHEDULE));
	snprintf(title, sizeof(title), "%s · %s · %s", tr(S_SCHEDULE), scr_str(hall, "name"),
	         wd_time(a->now + (int64_t)a->day * 86400, "%a %d %b", day, sizeof(day)));
	wd_rule(1, title);
	/* a timeline of the day: one cell per 20 minutes */
	{
		int w = 72, x0 = 4;
		move(2, x0);
		for (int c = 0; c < w; c++)
			addstr("·");
		cJSON_ArrayForEach(it, a->sched.items)
		{
			long long s, e;
			int cs, ce;
			if (scr_num(it, "hallId") != hid)
				continue;
			{
				/* local time of day */
				char hh[8], mm[8];
				wd_time(scr_num(it, "startAt"), "%H", hh, sizeof(hh));
				wd_time(scr_num(it, "startAt"), "%M", mm, sizeof(mm));
				s = atoll(hh) * 3600 + atoll(mm) * 60;
				e = s + (scr_num(it, "endAt") - scr_num(it, "startAt"));
			}
			cs = (int)(s / 1200);
			ce = (int)(e / 1200);
			for (int c = cs; c <= ce && c < w; c++)
				mvaddstr(2, x0 + c, "█");
		}
	}
	attron(A_BOLD);
	wd_text(y, 3, 14, tr(S_COL_TIME));
	wd_text(y, 18, 40, tr(S_COL_FILM));
	wd_text(y, 60, 14, tr(S_COL_FREE));
	attroff(A_BOLD);
	y++;
	cJSON_ArrayForEach(it, a->sched.items)
	{
		if (scr_num(it, "hallId") != hid)
			continue;
		if (y >= wd_body_end())
			break;
		snprintf(buf, sizeof(buf), "%s-%s",
		         wd_time(scr_num(it, "startAt"), "%H:%M", t0, sizeof(t0)),
		         wd_time(scr_num(it, "endAt"), "%H:%M", t1, sizeof(t1)));
		wd_pad(y, 3, 14, buf);
		wd_pad(y, 18, 40, scr_str(it, "filmName"));
		snprintf(buf, sizeof(buf), "%lld / %lld", scr_num(it, "seatsFree"),
		         scr_num(it, "seatsTotal"));
		wd_pad(y, 60, 14, buf);
		y++;
		i++;
	}
	(void)i;
}
