/* scr_halls.c: the halls list and the layout editor. */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "term.h"
#include "widgets.h"

void scr_halls(const struct app *a)
{
	static const struct scr_col cols[] = {
	    {S_COL_ID, "id", 6, SF_NUM},
	    {S_NAME, "name", 40, SF_TEXT},
	    {S_LEGEND_FREE, "seats", 8, SF_NUM},
	};

	scr_list(a, S_HALLS, NULL, &a->halls, cols, SCR_NCOLS(cols));
}

void scr_layout(const struct app *a)
{
	const struct layout_ed *e = &a->led;
	char title[512], count[64];
	int x0 = 6, y0 = 4, avail = wd_body_end() - y0 - 2, first = 0;

	wd_frame(a, tr(S_LAYOUT_TITLE));
	snprintf(title, sizeof(title), "%s · %s%s", tr(S_LAYOUT_TITLE), e->name[0] ? e->name : "?",
	         e->hall_id ? "" : " *");
	wd_rule(1, title);
	attron(term_attr(e->ok ? PAIR_OK : PAIR_ERROR) | A_BOLD);
	wd_text(2, 2, COLS - 30, e->verdict);
	attroff(term_attr(e->ok ? PAIR_OK : PAIR_ERROR) | A_BOLD);
	snprintf(count, sizeof(count), tr(S_SEATS_COUNT), e->seats, e->sellable);
	wd_right(2, 0, COLS - 2, count);
	wd_text(3, x0, 60, tr(S_SCREEN));
	if (e->cr >= avail)
		first = e->cr - avail + 1;
	for (int r = first; r < e->nrows && r - first < avail; r++) {
		int y = y0 + r - first, w = (int)strlen(e->rows[r]);
		char letter[2] = {(char)('A' + r), 0};
		wd_text(y, 2, 1, letter);
		for (int c = 0; c <= w && c < PROTO_LAYOUT_MAX_COLS; c++) {
			char ch[2] = {c < w ? e->rows[r][c] : ' ', 0};
			int cur = r == e->cr && c == e->cc;
			if (cur)
				attron(A_REVERSE);
			mvaddstr(y, x0 + c, c < w || cur ? ch : " ");
			if (cur)
				attroff(A_REVERSE);
		}
	}
	wd_text(wd_body_end() - 1, 2, COLS - 4, tr(S_LAYOUT_KEYS));
}
