/*
 * screens.h: one draw function per screen (scr_*.c), each drawing from the
 * state only. screens_draw picks the current one and draws the frame.
 * UI thread only, between term_init and term_end.
 */
#ifndef BOXOFFICE_TUI_SCREENS_H
#define BOXOFFICE_TUI_SCREENS_H

#include "app.h"

void screens_draw(const struct app *a);

void scr_login(const struct app *a);
void scr_home(const struct app *a);
void scr_seats(const struct app *a);
void scr_pay(const struct app *a);
void scr_ticket(const struct app *a);
void scr_checkin(const struct app *a);
void scr_shift(const struct app *a);
void scr_orders(const struct app *a);
void scr_admin(const struct app *a);
void scr_films(const struct app *a);
void scr_halls(const struct app *a);
void scr_layout(const struct app *a);
void scr_sched(const struct app *a);
void scr_adverts(const struct app *a);
void scr_comments(const struct app *a);
void scr_users(const struct app *a);
void scr_reports(const struct app *a);
void scr_help(const struct app *a);

/* Shared by the list screens: JSON field helpers. */
long long scr_num(const cJSON *o, const char *key);
const char *scr_str(const cJSON *o, const char *key);
/* A column of a list table: header, JSON key, width, how to show it. */
enum scr_fmt { SF_TEXT, SF_NUM, SF_MONEY, SF_TIME, SF_FLAG };
struct scr_col {
	enum str_id head;
	const char *key;
	int width;
	enum scr_fmt fmt;
};
/* Draw list l as a table from row y0 to the body's end, the selection reversed. */
void scr_table(const struct app_list *l, int y0, const struct scr_col *cols, int ncols);
/*
 * A list screen: the frame of section title, the rule under it showing rule
 * (NULL: the title again) and list l as a table below (scr_table).
 */
void scr_list(const struct app *a, enum str_id title, const char *rule, const struct app_list *l,
              const struct scr_col *cols, int ncols);
#define SCR_NCOLS(cols) ((int)(sizeof(cols) / sizeof((cols)[0])))
/* Keep a list's selection on screen: the first row to draw for height h. */
int scr_list_top(const struct app_list *l, int h);

#endif
