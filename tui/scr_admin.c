/* scr_admin.c: the admin menu, and the films, adverts, comments and users lists. */
#include "screens.h"

#include <stdio.h>

#include <curses.h>

#include "widgets.h"

void scr_admin(const struct app *a)
{
	static const enum str_id items[] = {S_FILMS,    S_HALLS, S_SCHEDULE, S_ADVERTS,
	                                    S_COMMENTS, S_USERS, S_REPORTS};

	wd_frame(a, tr(S_ADMIN_TITLE));
	wd_rule(1, tr(S_ADMIN_TITLE));
	for (int i = 0; i < (int)(sizeof(items) / sizeof(items[0])); i++) {
		if (i == a->admin_sel)
			attron(A_REVERSE);
		wd_pad(3 + i, 6, 40, tr(items[i]));
		if (i == a->admin_sel)
			attroff(A_REVERSE);
	}
}

void scr_films(const struct app *a)
{
	static const struct scr_col cols[] = {
	    {S_COL_ID, "id", 6, SF_NUM},           {S_NAME, "name", 28, SF_TEXT},
	    {S_DIRECTOR, "director", 16, SF_TEXT}, {S_LENGTH, "length", 6, SF_NUM},
	    {S_AMOUNT, "amount", 8, SF_MONEY},     {S_GENRE, "genre", 8, SF_TEXT},
	};
	char title[160];
	int pages = (a->films.total + 19) / 20;

	snprintf(title, sizeof(title), "%s %d/%d%s%s", tr(S_FILMS),
	         a->films.page > 0 ? a->films.page : 1, pages > 0 ? pages : 1,
	         a->film_query[0] ? " · " : "", a->film_query);
	scr_list(a, S_FILMS, title, &a->films, cols, SCR_NCOLS(cols));
}

void scr_adverts(const struct app *a)
{
	static const struct scr_col cols[] = {
	    {S_COL_ID, "id", 6, SF_NUM},
	    {S_TITLE, "title", 30, SF_TEXT},
	    {S_IS_COM, "isCom", 16, SF_FLAG},
	    {S_CONTENT, "content", 20, SF_TEXT},
	};

	scr_list(a, S_ADVERTS, NULL, &a->adverts, cols, SCR_NCOLS(cols));
}

void scr_comments(const struct app *a)
{
	static const struct scr_col cols[] = {
	    {S_COL_ID, "id", 6, SF_NUM},         {S_AUTHOR, "author", 12, SF_TEXT},
	    {S_RATING, "rating", 6, SF_NUM},     {S_TITLE, "title", 24, SF_TEXT},
	    {S_CONTENT, "content", 18, SF_TEXT}, {S_HIDDEN, "hidden", 6, SF_FLAG},
	};
	char title[200];

	snprintf(title, sizeof(title), tr(S_PICK_FILM), a->comments_film_name);
	scr_list(a, S_COMMENTS, title, &a->comments, cols, SCR_NCOLS(cols));
}

void scr_users(const struct app *a)
{
	static const struct scr_col cols[] = {
	    {S_COL_ID, "id", 6, SF_NUM},       {S_NAME, "name", 20, SF_TEXT},
	    {S_MOBILE, "mobile", 12, SF_TEXT}, {S_ROLE, "role", 9, SF_TEXT},
	    {S_EMAIL, "email", 16, SF_TEXT},   {S_DISABLED, "disabled", 6, SF_FLAG},
	};

	scr_list(a, S_USERS, NULL, &a->users, cols, SCR_NCOLS(cols));
}
