/* scr_orders.c: order search (ticket code, mobile or screening) and refunds. */
#include "screens.h"

#include <stdio.h>

#include <curses.h>

#include "widgets.h"

void scr_orders(const struct app *a)
{
	const struct app_list *l = &a->orders;
	int y0 = 4, h = wd_body_end() - y0 - 1, top, i = 0;
	const cJSON *it;

	wd_frame(a, tr(S_ORDERS_TITLE));
	wd_rule(1, tr(S_ORDERS_TITLE));
	if (a->form.purpose == FORM_ORDER_SEARCH) {
		wd_text(2, 3, 36, tr(S_ORDER_QUERY));
		attron(A_REVERSE);
		wd_pad(2, 40, 30, a->form.f[0].value);
		attroff(A_REVERSE);
	}
	attron(A_BOLD);
	wd_text(y0 - 1, 3, 12, tr(S_COL_ORDER));
	wd_text(y0 - 1, 16, 12, tr(S_COL_AMOUNT));
	wd_text(y0 - 1, 30, 12, tr(S_COL_STATUS));
	wd_text(y0 - 1, 44, 30, tr(S_SEAT));
	attroff(A_BOLD);
	top = scr_list_top(l, h);
	cJSON_ArrayForEach(it, l->items)
	{
		int y = y0 + i - top;
		char b[64], seats[128] = "";
		size_t k = 0;
		const cJSON *s;
		if (i < top || y >= wd_body_end()) {
			i++;
			continue;
		}
		cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(it, "items"))
		{
			if (k < sizeof(seats))
				k += (size_t)snprintf(seats + k, sizeof(seats) - k, "%s ",
				                      scr_str(s, "seat"));
		}
		if (i == l->sel)
			attron(A_REVERSE);
		snprintf(b, sizeof(b), "%lld", scr_num(it, "id"));
		wd_pad(y, 3, 13, b);
		wd_pad(y, 16, 14, app_money(scr_num(it, "amount"), b, sizeof(b)));
		wd_pad(y, 30, 14, scr_str(it, "statusText"));
		wd_pad(y, 44, COLS - 46, seats);
		if (i == l->sel)
			attroff(A_REVERSE);
		i++;
	}
}
