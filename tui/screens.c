/* screens.c: picks the screen to draw; the frame around it. */
#include "screens.h"

#include <curses.h>

#include "widgets.h"

long long scr_num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (long long)v->valuedouble : 0;
}

const char *scr_str(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

int scr_list_top(const struct app_list *l, int h)
{
	int top = l->top;

	if (h < 1)
		h = 1;
	if (l->sel < top)
		top = l->sel;
	if (l->sel >= top + h)
		top = l->sel - h + 1;
	if (top < 0)
		top = 0;
	((struct app_list *)l)->top = top; /* scroll position is view state */
	return top;
}

static void (*const draw[SCR_COUNT])(const struct app *) = {
    [SCR_LOGIN] = scr_login, [SCR_HOME] = scr_home,       [SCR_SEATS] = scr_seats,
    [SCR_PAY] = scr_pay,     [SCR_TICKET] = scr_ticket,   [SCR_CHECKIN] = scr_checkin,
    [SCR_SHIFT] = scr_shift, [SCR_ORDERS] = scr_orders,   [SCR_ADMIN] = scr_admin,
    [SCR_FILMS] = scr_films, [SCR_HALLS] = scr_halls,     [SCR_LAYOUT] = scr_layout,
    [SCR_SCHED] = scr_sched, [SCR_ADVERTS] = scr_adverts, [SCR_COMMENTS] = scr_comments,
    [SCR_USERS] = scr_users, [SCR_REPORTS] = scr_reports, [SCR_HELP] = scr_help,
};

void screens_draw(const struct app *a)
{
	erase();
	if (LINES < 24 || COLS < 80) {
		wd_text(0, 0, COLS, tr(S_TERM_SMALL));
		refresh();
		return;
	}
	if (draw[a->screen])
		draw[a->screen](a);
	if (a->form.purpose != FORM_NONE && a->form.purpose != FORM_LOGIN &&
	    a->form.purpose != FORM_CHECKIN)
		wd_form(a, LINES / 2 - 4);
	refresh();
}

void scr_list(const struct app *a, enum str_id title, const char *rule, const struct app_list *l,
              const struct scr_col *cols, int ncols)
{
	wd_frame(a, tr(title));
	wd_rule(1, rule ? rule : tr(title));
	scr_table(l, 2, cols, ncols);
}

void scr_table(const struct app_list *l, int y0, const struct scr_col *cols, int ncols)
{
	int h = wd_body_end() - y0 - 1, top, i = 0, x = 2;
	const cJSON *it;

	attron(A_BOLD);
	for (int c = 0; c < ncols; c++) {
		wd_pad(y0, x, cols[c].width, tr(cols[c].head));
		x += cols[c].width + 1;
	}
	attroff(A_BOLD);
	top = scr_list_top(l, h);
	cJSON_ArrayForEach(it, l->items)
	{
		int y = y0 + 1 + i - top;
		if (i < top || y >= wd_body_end()) {
			i++;
			continue;
		}
		if (i == l->sel)
			attron(A_REVERSE);
		x = 2;
		for (int c = 0; c < ncols; c++) {
			char b[64];
			const char *s = b;
			switch (cols[c].fmt) {
			case SF_NUM:
				snprintf(b, sizeof(b), "%lld", scr_num(it, cols[c].key));
				break;
			case SF_MONEY:
				app_money(scr_num(it, cols[c].key), b, sizeof(b));
				break;
			case SF_TIME:
				wd_time(scr_num(it, cols[c].key), "%m-%d %H:%M", b, sizeof(b));
				break;
			case SF_FLAG:
				snprintf(b, sizeof(b), "%s", scr_num(it, cols[c].key) ? "✓" : "");
				break;
			default:
				s = scr_str(it, cols[c].key);
			}
			wd_pad(y, x, cols[c].width + (c < ncols - 1), s);
			x += cols[c].width + 1;
		}
		if (i == l->sel)
			attroff(A_REVERSE);
		i++;
	}
}
