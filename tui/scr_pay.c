/* scr_pay.c: the payment dialog: total, method, tendered, change, live status. */
#include "screens.h"

#include <stdio.h>

#include <curses.h>

#include "term.h"
#include "widgets.h"

void scr_pay(const struct app *a)
{
	const struct order_view *o = &a->order;
	char buf[128], money[32];
	int y = 3, x = 6;

	wd_frame(a, tr(S_PAY_TITLE));
	wd_rule(1, tr(S_PAY_TITLE));
	snprintf(buf, sizeof(buf), "%s · %s", a->map.film, a->map.hall);
	wd_text(y++, x, COLS - 2 * x, buf);
	for (int i = 0; i < a->map.npicks; i++) {
		snprintf(buf, sizeof(buf), "%s %s", a->map.picks[i].seat,
		         tr_ticket_type(a->map.types[a->map.picks[i].type]));
		wd_text(y, x + (i % 4) * 18, 18, buf);
		if (i % 4 == 3)
			y++;
	}
	y += 2;
	snprintf(buf, sizeof(buf), tr(S_ORDER_STATUS), (long long)o->id,
	         o->status_text[0] ? o->status_text : "…");
	attron(term_attr(o->status == 1 ? PAIR_OK : PAIR_WARN));
	wd_text(y++, x, COLS - 2 * x, buf);
	attroff(term_attr(o->status == 1 ? PAIR_OK : PAIR_WARN));
	y++;
	attron(A_BOLD);
	snprintf(buf, sizeof(buf), "%-10s CNY %s", tr(S_TOTAL),
	         app_money(o->amount, money, sizeof(money)));
	wd_text(y++, x, COLS - 2 * x, buf);
	attroff(A_BOLD);
	snprintf(buf, sizeof(buf), "%-10s [%s] %s   [%s] %s", tr(S_METHOD),
	         o->method == PAY_CASH ? "x" : " ", tr(S_CASH), o->method == PAY_CARD ? "x" : " ",
	         tr(S_CARD));
	wd_text(y++, x, COLS - 2 * x, buf);
	if (o->method == PAY_CASH) {
		wd_text(y, x, 12, tr(S_TENDERED));
		attron(A_REVERSE);
		wd_pad(y, x + 11, 14,
		       o->tendered[0] ? o->tendered : app_money(o->amount, money, sizeof(money)));
		attroff(A_REVERSE);
		y++;
	}
	y++;
	if (o->change >= 0) {
		/* the change in words and large, so nobody miscounts it */
		snprintf(buf, sizeof(buf), "%-10s CNY %s", tr(S_CHANGE),
		         app_money(o->change, money, sizeof(money)));
		attron(term_attr(PAIR_OK) | A_BOLD);
		wd_text(y++, x, COLS - 2 * x, buf);
		if (y + 5 < wd_body_end() - 1)
			wd_big(y, x + 11, money);
		attroff(term_attr(PAIR_OK) | A_BOLD);
	}
	wd_text(wd_body_end() - 1, x, COLS - 2 * x, tr(S_PAY_HINT));
}
