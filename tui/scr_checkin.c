/* scr_checkin.c: one input line; the verdict fills the body in large letters. */
#include "screens.h"

#include <stdio.h>

#include <curses.h>

#include "term.h"
#include "widgets.h"

void scr_checkin(const struct app *a)
{
	const struct checkin_view *c = &a->checkin;
	const struct form_field *f = &a->form.f[0];
	static const struct {
		const char *big;
		enum str_id word;
		enum term_pair pair;
	} v[] = {
	    [CHK_ADMITTED] = {"ADMITTED", S_ADMITTED, PAIR_OK},
	    [CHK_ALREADY_USED] = {"ALREADY USED", S_ALREADY_USED, PAIR_ERROR},
	    [CHK_VOID] = {"VOID", S_VOID, PAIR_ERROR},
	    [CHK_WRONG_SCREENING] = {"WRONG SCREENING", S_WRONG_SCREENING, PAIR_ERROR},
	    [CHK_TOO_EARLY] = {"TOO EARLY", S_TOO_EARLY, PAIR_WARN},
	    [CHK_UNKNOWN] = {"VOID", S_UNKNOWN_CODE, PAIR_ERROR},
	};
	char buf[256], when[32];
	int y = 3;

	wd_frame(a, tr(S_CHECKIN_TITLE));
	wd_rule(1, tr(S_CHECKIN_TITLE));
	wd_text(y, 3, 20, tr(S_CHECKIN_PROMPT));
	attron(A_REVERSE);
	wd_pad(y, 20, 30, a->form.purpose == FORM_CHECKIN ? f->value : "");
	attroff(A_REVERSE);
	if (c->result == CHK_NONE)
		return;
	y += 2;
	attron(term_attr(v[c->result].pair) | A_BOLD);
	wd_big(y, (COLS - wd_big_width(v[c->result].big)) / 2, v[c->result].big);
	y += 6;
	snprintf(buf, sizeof(buf), "%s  %s", tr(v[c->result].word), c->code);
	wd_text(y++, (COLS - wd_width(buf)) / 2, COLS, buf);
	attroff(term_attr(v[c->result].pair) | A_BOLD);
	buf[0] = '\0';
	if (c->result != CHK_UNKNOWN)
		snprintf(buf, sizeof(buf), "%s · %s %s", c->film, tr(S_SEAT), c->seat);
	wd_text(y++, (COLS - wd_width(buf)) / 2, COLS, buf);
	if (c->result == CHK_ALREADY_USED && c->used_at) {
		snprintf(buf, sizeof(buf), tr(S_USED_AT),
		         wd_time(c->used_at, "%Y-%m-%d %H:%M:%S", when, sizeof(when)));
		wd_text(y++, (COLS - wd_width(buf)) / 2, COLS, buf);
	}
}
