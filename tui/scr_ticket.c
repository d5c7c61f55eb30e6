/* scr_ticket.c: the tickets of a paid order with the code's QR in half blocks. */
#include "screens.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "qr.h"
#include "term.h"
#include "widgets.h"

void scr_ticket(const struct app *a)
{
	const cJSON *it = cJSON_GetArrayItem(a->order.items, a->order.ticket_sel);
	int n = a->order.items ? cJSON_GetArraySize(a->order.items) : 0;
	char buf[160], when[32], money[32], qr[8192];
	int y = 3, x = 3, w = 0, lines;

	wd_frame(a, tr(S_TICKET_TITLE));
	snprintf(buf, sizeof(buf), "%s %d/%d", tr(S_TICKET_TITLE), n ? a->order.ticket_sel + 1 : 0,
	         n);
	wd_rule(1, buf);
	if (!it)
		return;
	attron(A_BOLD);
	wd_text(y++, x, 36, a->map.film);
	attroff(A_BOLD);
	if (a->map.start_at)
		wd_text(y++, x, 36, wd_time(a->map.start_at, "%Y-%m-%d %H:%M", when, sizeof(when)));
	wd_text(y++, x, 36, a->map.hall);
	y++;
	snprintf(buf, sizeof(buf), "%-8s %s", tr(S_SEAT), scr_str(it, "seat"));
	wd_text(y++, x, 36, buf);
	snprintf(buf, sizeof(buf), "%-8s %s", " ", tr_ticket_type(scr_str(it, "ticketType")));
	wd_text(y++, x, 36, buf);
	snprintf(buf, sizeof(buf), "%-8s CNY %s", tr(S_PRICE),
	         app_money(scr_num(it, "price"), money, sizeof(money)));
	wd_text(y++, x, 36, buf);
	snprintf(buf, sizeof(buf), "%-8s %s", tr(S_TICKET_CODE), scr_str(it, "ticketCode"));
	attron(A_BOLD);
	wd_text(y++, x, 36, buf);
	attroff(A_BOLD);
	snprintf(buf, sizeof(buf), "%-8s %lld", tr(S_COL_ORDER), (long long)a->order.id);
	wd_text(y++, x, 36, buf);

	/* light modules as blocks, on an explicit black background */
	lines = qr_halfblock(scr_str(it, "ticketCode"), 1, qr, sizeof(qr), &w);
	if (lines > 0) {
		int qy = 2, qx = COLS - w - 4;
		char *p = qr, *nl;
		attron(term_attr(PAIR_QR));
		for (int i = 0; i < lines && (nl = strchr(p, '\n')); i++) {
			*nl = '\0';
			mvaddstr(qy + i, qx, p);
			p = nl + 1;
		}
		attroff(term_attr(PAIR_QR));
	}
}
