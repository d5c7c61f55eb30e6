/* scr_reports.c: sales and occupancy as horizontal bar charts with totals. */
#include "screens.h"

#include <stdio.h>

#include <curses.h>

#include "term.h"
#include "widgets.h"

void scr_reports(const struct app *a)
{
	const cJSON *it;
	char title[160], buf[96], m[32];
	int y = 3, i = 0, top;
	double max = 0;
	long long total = 0, tickets = 0;

	wd_frame(a, tr(S_REPORTS));
	if (a->report_kind == 0)
		snprintf(title, sizeof(title), tr(S_REPORT_SALES),
		         app_report_groups[a->report_group]);
	else
		snprintf(title, sizeof(title), "%s", tr(S_REPORT_OCC));
	wd_rule(1, title);
	if (a->report_missing) {
		attron(term_attr(PAIR_WARN) | A_BOLD);
		wd_text(y, 4, COLS - 8, tr(S_REPORT_MISSING));
		attroff(term_attr(PAIR_WARN) | A_BOLD);
		return;
	}
	cJSON_ArrayForEach(it, a->report.items)
	{
		double v = a->report_kind == 0 ? (double)scr_num(it, "amount")
		                               : (double)scr_num(it, "percent");
		if (v > max)
			max = v;
		total += scr_num(it, "amount");
		tickets += a->report_kind == 0 ? scr_num(it, "tickets") : scr_num(it, "sold");
	}
	if (a->report_kind == 1)
		max = 100;
	top = scr_list_top(&a->report, wd_body_end() - y - 2);
	cJSON_ArrayForEach(it, a->report.items)
	{
		int yy = y + i - top;
		double v;
		if (i < top || yy >= wd_body_end() - 1) {
			i++;
			continue;
		}
		if (a->report_kind == 0) {
			v = (double)scr_num(it, "amount");
			wd_pad(yy, 2, 20, scr_str(it, "key"));
			snprintf(buf, sizeof(buf), "%s (%lld)", app_money((int64_t)v, m, sizeof(m)),
			         scr_num(it, "tickets"));
		} else {
			char when[32];
			v = (double)scr_num(it, "percent");
			snprintf(buf, sizeof(buf), "%s %s",
			         wd_time(scr_num(it, "startAt"), "%m-%d %H:%M", when, sizeof(when)),
			         scr_str(it, "film"));
			wd_pad(yy, 2, 20, buf);
			snprintf(buf, sizeof(buf), "%lld/%lld %lld%%", scr_num(it, "sold"),
			         scr_num(it, "total"), scr_num(it, "percent"));
		}
		if (i == a->report.sel)
			attron(A_REVERSE);
		wd_bar(yy, 23, 36, max > 0 ? v / max : 0);
		if (i == a->report.sel)
			attroff(A_REVERSE);
		wd_text(yy, 61, COLS - 62, buf);
		i++;
	}
	attron(A_BOLD);
	if (a->report_kind == 0)
		snprintf(buf, sizeof(buf), "%s CNY %s · %lld %s", tr(S_TOTAL),
		         app_money(total, m, sizeof(m)), tickets, tr(S_TICKETS));
	else
		snprintf(buf, sizeof(buf), "%s %lld %s", tr(S_TOTAL), tickets, tr(S_TICKETS));
	wd_text(wd_body_end() - 1, 2, COLS - 4, buf);
	attroff(A_BOLD);
}
