/* scr_seats.c: the seat map drawn as the hall, live. */
#include "screens.h"

#include <stdio.h>
#include <string.h>
#include <wchar.h>

#include <curses.h>

#include "term.h"
#include "widgets.h"

struct look {
	const char *sym;
	enum term_pair pair;
};

static const char *wheel_sym(void)
{
	/* ♿ is two cells wide in some terminals: then a plain letter keeps the grid */
	return wcwidth(0x267F) == 1 ? "♿" : "W";
}

static struct look look_of(const struct app *a, int r, int c)
{
	const struct seatmap *m = &a->map;
	char cat = m->layout.rows[r][c], st = m->state[r][c];
	char id[PROTO_SEAT_ID_SIZE];
	int n = proto_layout_number_at(&m->layout, r, c);

	if (cat == PROTO_SEAT_NONE)
		return (struct look){" ", PAIR_NORMAL};
	if (n > 0 && proto_seat_format(r, n, id) == 0 && app_pick_index(a, id) >= 0)
		return (struct look){"✓", PAIR_MINE};
	switch (st) {
	case PROTO_STATE_SOLD:
		return (struct look){"●", PAIR_SOLD};
	case PROTO_STATE_HELD:
		return (struct look){"◐", PAIR_HELD};
	case PROTO_STATE_BLOCKED:
		return (struct look){"×", PAIR_BLOCKED};
	case PROTO_STATE_HOUSE:
		return (struct look){"H", PAIR_HOUSE};
	default:
		break;
	}
	switch (cat) {
	case PROTO_SEAT_VIP:
		return (struct look){"♦", PAIR_VIP};
	case PROTO_SEAT_WHEELCHAIR:
		return (struct look){wheel_sym(), PAIR_WHEEL};
	case PROTO_SEAT_COMPANION:
		return (struct look){"◇", PAIR_WHEEL};
	case PROTO_SEAT_HOUSE:
		return (struct look){"H", PAIR_HOUSE};
	case PROTO_SEAT_BLOCKED:
		return (struct look){"×", PAIR_BLOCKED};
	default:
		return (struct look){"○", PAIR_FREE};
	}
}

static void legend(int y)
{
	static const struct {
		const char *sym;
		enum term_pair pair;
		enum str_id label;
	} items[] = {
	    {"○", PAIR_FREE, S_LEGEND_FREE},       {"✓", PAIR_MINE, S_LEGEND_YOURS},
	    {"◐", PAIR_HELD, S_LEGEND_HELD},       {"●", PAIR_SOLD, S_LEGEND_SOLD},
	    {"♦", PAIR_VIP, S_LEGEND_VIP},         {NULL, PAIR_WHEEL, S_LEGEND_WHEEL},
	    {"◇", PAIR_WHEEL, S_LEGEND_COMP},      {"H", PAIR_HOUSE, S_LEGEND_HOUSE},
	    {"×", PAIR_BLOCKED, S_LEGEND_BLOCKED},
	};
	int x = 1;

	for (size_t i = 0; i < sizeof(items) / sizeof(items[0]) && x < COLS - 4; i++) {
		attron(term_attr(items[i].pair));
		x += wd_text(y, x, COLS - x, items[i].sym ? items[i].sym : wheel_sym());
		attroff(term_attr(items[i].pair));
		x += wd_text(y, x, COLS - x, " ");
		x += wd_text(y, x, COLS - x, tr(items[i].label));
		x += wd_text(y, x, COLS - x, " ");
	}
}

void scr_seats(const struct app *a)
{
	const struct seatmap *m = &a->map;
	char head[256], when[16], right[96], money[32], id[PROTO_SEAT_ID_SIZE] = "";
	int maxw = 0, cell, x0, y0 = 3, rows_avail, first = 0;

	wd_frame(a, tr(S_KEY_SELL));
	snprintf(head, sizeof(head), "%s · %s · %s", m->film,
	         wd_time(m->start_at, "%H:%M", when, sizeof(when)), m->hall);
	right[0] = '\0';
	if (m->hold_id && m->hold_expire > a->now) {
		int64_t left = m->hold_expire - a->now;
		snprintf(right, sizeof(right), tr(S_HOLD_LEFT), (int)(left / 60), (int)(left % 60));
	}
	{
		size_t k = strlen(right);
		snprintf(right + k, sizeof(right) - k, "%s%s v %lld", k ? " · " : "",
		         m->live ? "●" : "○", (long long)m->version);
	}
	attron(A_BOLD);
	wd_text(1, 1, COLS - wd_width(right) - 3, head);
	attroff(A_BOLD);
	attron(term_attr(m->live ? PAIR_OK : PAIR_DIM));
	wd_right(1, 0, COLS - 1, right);
	attroff(term_attr(m->live ? PAIR_OK : PAIR_DIM));
	if (!m->loaded)
		return;

	for (int r = 0; r < m->layout.nrows; r++)
		if (m->layout.width[r] > maxw)
			maxw = m->layout.width[r];
	cell = maxw * 3 <= COLS - 10 ? 3 : maxw * 2 <= COLS - 10 ? 2 : 1;
	x0 = (COLS - maxw * cell) / 2;
	{
		/* the screen is at the top: row A is nearest to it */
		int sw = maxw * cell, sx = x0;
		char bar[512] = "";
		size_t k = 0;
		int lw = wd_width(tr(S_SCREEN)), side = (sw - lw) / 2;
		for (int i = 0; i < side && k + 4 < sizeof(bar); i++)
			k += (size_t)snprintf(bar + k, sizeof(bar) - k, "═");
		k += (size_t)snprintf(bar + k, sizeof(bar) - k, "%s", tr(S_SCREEN));
		for (int i = 0; i < sw - side - lw && k + 4 < sizeof(bar); i++)
			k += (size_t)snprintf(bar + k, sizeof(bar) - k, "═");
		wd_text(2, sx, COLS - sx, bar);
	}
	rows_avail = wd_body_end() - y0 - 2;
	if (m->layout.nrows > rows_avail && m->cur_r >= rows_avail)
		first = m->cur_r - rows_avail + 1;
	for (int r = first; r < m->layout.nrows && r - first < rows_avail; r++) {
		int y = y0 + r - first;
		char letter[2] = {(char)('A' + r), 0};
		wd_text(y, x0 - 3, 1, letter);
		wd_text(y, x0 + maxw * cell + 2, 1, letter);
		for (int c = 0; c < m->layout.width[r]; c++) {
			struct look lk = look_of(a, r, c);
			int x = x0 + c * cell + (cell == 3 ? 1 : 0);
			int cur = r == m->cur_r && c == m->cur_c;
			int attr = term_attr(lk.pair) | (cur ? A_REVERSE | A_BOLD : 0);
			if (m->layout.rows[r][c] == PROTO_SEAT_NONE) {
				attron(term_attr(PAIR_DIM));
				mvaddstr(y, x, "·");
				attroff(term_attr(PAIR_DIM));
				continue;
			}
			if (cur && cell == 3)
				mvaddstr(y, x - 1, "[");
			attron(attr);
			wd_text(y, x, 2, lk.sym);
			attroff(attr);
			if (cur && cell == 3)
				mvaddstr(y, x + 1, "]");
		}
	}
	legend(wd_body_end() - 2);
	{
		/* the picks with their ticket types, the cursor's seat, and the server's total */
		char line[512];
		size_t k = 0;
		int n = proto_layout_number_at(&m->layout, m->cur_r, m->cur_c);
		if (n > 0)
			proto_seat_format(m->cur_r, n, id);
		k += (size_t)snprintf(line + k, sizeof(line) - k, "[%s] ", id);
		for (int i = 0; i < m->npicks && k < sizeof(line); i++)
			k += (size_t)snprintf(line + k, sizeof(line) - k, "%s %s  ",
			                      m->picks[i].seat,
			                      tr_ticket_type(m->types[m->picks[i].type]));
		wd_text(wd_body_end() - 1, 1, COLS - 22, line);
		if (a->order.id && a->order.amount) {
			char tot[64];
			snprintf(tot, sizeof(tot), "%s CNY %s", tr(S_TOTAL),
			         app_money(a->order.amount, money, sizeof(money)));
			attron(A_BOLD);
			wd_right(wd_body_end() - 1, 0, COLS - 1, tot);
			attroff(A_BOLD);
		}
	}
}
