/* widgets.c: text by display width, the frame, forms, bars, big letters. */
#include "widgets.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "keymap.h"
#include "term.h"

int wd_width(const char *s)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;
	int w = 0;

	memset(&st, 0, sizeof(st));
	while (*s) {
		k = mbrtowc(&wc, s, strlen(s), &st);
		if (k == (size_t)-1 || k == (size_t)-2) {
			memset(&st, 0, sizeof(st));
			s++;
			w++;
			continue;
		}
		if (k == 0)
			break;
		w += wcwidth(wc) > 0 ? wcwidth(wc) : 0;
		s += k;
	}
	return w;
}

int wd_text(int y, int x, int w, const char *s)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;
	int used = 0;
	const char *p = s;

	if (w <= 0 || y < 0 || y >= LINES)
		return 0;
	memset(&st, 0, sizeof(st));
	while (*p) {
		int cw;
		k = mbrtowc(&wc, p, strlen(p), &st);
		if (k == (size_t)-1 || k == (size_t)-2 || k == 0)
			break;
		cw = wcwidth(wc);
		if (cw < 0)
			cw = 0;
		if (used + cw > w)
			break;
		used += cw;
		p += k;
	}
	mvaddnstr(y, x, s, (int)(p - s));
	return used;
}

void wd_pad(int y, int x, int w, const char *s)
{
	int used = wd_text(y, x, w, s);

	for (; used < w; used++)
		mvaddch(y, x + used, ' ');
}

void wd_right(int y, int x, int w, const char *s)
{
	int sw = wd_width(s);

	if (sw > w)
		sw = w;
	wd_text(y, x + w - sw, sw, s);
}

void wd_rule(int y, const char *title)
{
	int x = 0;

	move(y, 0);
	for (int i = 0; i < COLS; i++)
		addstr("─");
	if (title && *title) {
		mvaddstr(y, 1, " ");
		x = 2 + wd_text(y, 2, COLS - 4, title);
		mvaddstr(y, x, " ");
	}
}

int wd_body_top(void)
{
	return 1;
}

int wd_body_end(void)
{
	return LINES - 3;
}

const char *wd_time(int64_t t, const char *fmt, char *buf, unsigned len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	strftime(buf, len, fmt, &tm);
	return buf;
}

static const char spinner[][4] = {"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};

void wd_frame(const struct app *a, const char *section)
{
	char left[256], right[96], clock[16], since[16], shift[64];
	int n, y;
	const struct keymap_entry *km = keymap_table(&n);
	int admin = app_is_admin(a);

	/* title bar */
	attron(term_attr(PAIR_TITLE));
	move(0, 0);
	for (int i = 0; i < COLS; i++)
		addch(' ');
	if (a->shift.open)
		snprintf(shift, sizeof(shift), tr(S_SHIFT_OPEN_SINCE),
		         wd_time(a->shift.opened_at, "%H:%M", since, sizeof(since)));
	else
		snprintf(shift, sizeof(shift), "%s", tr(S_SHIFT_NONE));
	snprintf(left, sizeof(left), " %s · %s%s%s%s%s", tr(S_APP_NAME), section,
	         a->user_name[0] ? " · " : "", a->user_name, a->token[0] ? " · " : "",
	         a->token[0] ? shift : "");
	snprintf(right, sizeof(right), "%s %s  %s ", a->ws_up ? "●" : "○",
	         tr(a->ws_up ? S_LIVE : S_OFFLINE), wd_time(a->now, "%H:%M", clock, sizeof(clock)));
	wd_text(0, 0, COLS - wd_width(right) - 1, left);
	wd_right(0, 0, COLS, right);
	attroff(term_attr(PAIR_TITLE));

	/* hint line: this screen's own keys, from the key map */
	y = LINES - 3;
	move(y, 0);
	clrtoeol();
	{
		char line[512] = "", kn[16];
		size_t k = 0;
		enum str_id seen[32];
		int nseen = 0;
		for (int i = 0; i < n; i++) {
			const struct keymap_entry *e = &km[i];
			int dup = 0;
			if (!(e->screens & KM(a->screen)) || (e->flags & KM_BAR) ||
			    e->screens == (KM_ALL & ~KM(SCR_LOGIN)) || e->screens == KM_ALL)
				continue;
			if ((e->flags & KM_ADMIN) && !admin)
				continue;
			for (int j = 0; j < nseen; j++)
				dup |= seen[j] == e->label;
			if (dup || nseen >= 32)
				continue;
			seen[nseen++] = e->label;
			if (e->key == KEY_DOWN_ || e->key == KEY_RIGHT_)
				continue;
			keymap_key_name(e->key, kn, sizeof(kn));
			if (e->key == KEY_UP_)
				snprintf(kn, sizeof(kn), "↑↓");
			if (e->key == KEY_LEFT_)
				snprintf(kn, sizeof(kn), "←→");
			if (e->key == KEY_PGUP_)
				snprintf(kn, sizeof(kn), "PgUp/Dn");
			k += (size_t)snprintf(line + k, sizeof(line) - k, "%s%s %s", k ? " · " : "",
			                      kn, tr(e->label));
			if (k >= sizeof(line))
				break;
		}
		attron(term_attr(PAIR_DIM));
		wd_text(y, 1, COLS - 2, line);
		attroff(term_attr(PAIR_DIM));
	}

	/* status line: the last message, or the spinner while a request is slow */
	y = LINES - 2;
	move(y, 0);
	clrtoeol();
	{
		int kind = a->status_kind == ST_ERROR ? PAIR_ERROR
		           : a->status_kind == ST_OK  ? PAIR_OK
		                                      : PAIR_NORMAL;
		int sw = 0;
		if (a->inflight > 0 && a->now_ms - a->busy_since_ms >= 150) {
			char sp[64];
			snprintf(
			    sp, sizeof(sp), "%s %s ",
			    spinner[(a->now_ms / 100) % (sizeof(spinner) / sizeof(spinner[0]))],
			    tr(S_WORKING));
			sw = wd_width(sp);
			wd_right(y, 0, COLS - 1, sp);
		}
		attron(term_attr(kind));
		wd_text(y, 1, COLS - 2 - sw, a->status);
		attroff(term_attr(kind));
	}

	/* key bar: the function keys of this screen, from the key map */
	y = LINES - 1;
	move(y, 0);
	clrtoeol();
	{
		int x = 0;
		int used[64] = {0};
		for (int i = 0; i < n && x < COLS; i++) {
			const struct keymap_entry *e = &km[i];
			char kn[16];
			int fk = e->key - KEY_F0_;
			if (!(e->flags & KM_BAR) || !(e->screens & KM(a->screen)))
				continue;
			if ((e->flags & KM_ADMIN) && !admin)
				continue;
			if (fk > 0 && fk < 64) {
				if (used[fk])
					continue; /* a screen's own F-key hides the global one */
				used[fk] = 1;
			}
			keymap_key_name(e->key, kn, sizeof(kn));
			attron(A_BOLD);
			x += wd_text(y, x, COLS - x, kn);
			attroff(A_BOLD);
			x += wd_text(y, x, COLS - x, " ");
			attron(term_attr(PAIR_BAR));
			x += wd_text(y, x, COLS - x, tr(e->label));
			attroff(term_attr(PAIR_BAR));
			x += wd_text(y, x, COLS - x, "  ");
		}
	}
}

void wd_form(const struct app *a, int y)
{
	const struct form *f = &a->form;
	int lw = 0, w, x, h;

	if (f->purpose == FORM_NONE)
		return;
	for (int i = 0; i < f->n; i++)
		if (wd_width(tr(f->f[i].label)) > lw)
			lw = wd_width(tr(f->f[i].label));
	w = COLS - 8 < 70 ? COLS - 8 : 70;
	x = (COLS - w) / 2;
	h = f->n + 4;
	if (y + h > LINES - 3)
		y = LINES - 3 - h;
	if (y < 1)
		y = 1;
	for (int r = 0; r < h; r++) {
		move(y + r, x);
		for (int c = 0; c < w; c++)
			addstr(r == 0 || r == h - 1 ? "─" : " ");
		mvaddstr(y + r, x, r == 0 ? "┌" : r == h - 1 ? "└" : "│");
		mvaddstr(y + r, x + w - 1, r == 0 ? "┐" : r == h - 1 ? "┘" : "│");
	}
	attron(A_BOLD);
	mvaddstr(y, x + 2, " ");
	wd_text(y, x + 3, w - 6, tr(f->title));
	addstr(" ");
	attroff(A_BOLD);
	for (int i = 0; i < f->n; i++) {
		const struct form_field *fl = &f->f[i];
		int fx = x + 3 + lw + 2, fw = w - (fx - x) - 3;
		char shown[300];
		if (fl->type == FT_PASSWORD) {
			size_t k = strlen(fl->value);
			if (k > sizeof(shown) - 1)
				k = sizeof(shown) - 1;
			memset(shown, '*', k);
			shown[k] = '\0';
		} else {
			snprintf(shown, sizeof(shown), "%s", fl->value);
		}
		if (fl->bad)
			attron(term_attr(PAIR_ERROR));
		wd_text(y + 2 + i, x + 3, lw, tr(fl->label));
		if (fl->bad)
			attroff(term_attr(PAIR_ERROR));
		attron(i == f->cur ? A_REVERSE : A_UNDERLINE);
		{
			/* the end of a long value stays visible while typing */
			const char *p = shown;
			while (wd_width(p) > fw - 1 && *p)
				p++;
			wd_pad(y + 2 + i, fx, fw, p);
			if (i == f->cur) {
				int cx = fx + wd_width(p);
				if (cx < fx + fw)
					mvaddstr(y + 2 + i, cx, "▏");
			}
		}
		attroff(i == f->cur ? A_REVERSE : A_UNDERLINE);
		if (fl->bad) {
			attron(term_attr(PAIR_ERROR));
			mvaddstr(y + 2 + i, x + w - 3, "!");
			attroff(term_attr(PAIR_ERROR));
		}
	}
}

void wd_bar(int y, int x, int w, double frac)
{
	int full;

	if (frac < 0)
		frac = 0;
	if (frac > 1)
		frac = 1;
	full = (int)(frac * w + 0.5);
	move(y, x);
	for (int i = 0; i < w; i++)
		addstr(i < full ? "█" : "░");
}

/* 4x5 block letters and digits: the check-in verdicts and the change. */
static const struct {
	char c;
	const char *rows[5];
} font[] = {
    {'A', {".##.", "#..#", "####", "#..#", "#..#"}},
    {'C', {".###", "#...", "#...", "#...", ".###"}},
    {'D', {"###.", "#..#", "#..#", "#..#", "###."}},
    {'E', {"####", "#...", "###.", "#...", "####"}},
    {'G', {".###", "#...", "#.##", "#..#", ".###"}},
    {'I', {"###.", ".#..", ".#..", ".#..", "###."}},
    {'L', {"#...", "#...", "#...", "#...", "####"}},
    {'M', {"#..#", "####", "#..#", "#..#", "#..#"}},
    {'N', {"#..#", "##.#", "#.##", "#..#", "#..#"}},
    {'O', {".##.", "#..#", "#..#", "#..#", ".##."}},
    {'R', {"###.", "#..#", "###.", "#.#.", "#..#"}},
    {'S', {".###", "#...", ".##.", "...#", "###."}},
    {'T', {"####", ".##.", ".##.", ".##.", ".##."}},
    {'U', {"#..#", "#..#", "#..#", "#..#", ".##."}},
    {'V', {"#..#", "#..#", "#..#", ".##.", ".##."}},
    {'W', {"#..#", "#..#", "#..#", "####", "#..#"}},
    {'Y', {"#..#", "#..#", ".##.", ".#..", ".#.."}},
    {' ', {"..", "..", "..", "..", ".."}},
    {'0', {".##.", "#..#", "#..#", "#..#", ".##."}},
    {'1', {".#..", "##..", ".#..", ".#..", "###."}},
    {'2', {"###.", "...#", ".##.", "#...", "####"}},
    {'3', {"###.", "...#", ".##.", "...#", "###."}},
    {'4', {"#..#", "#..#", "####", "...#", "...#"}},
    {'5', {"####", "#...", "###.", "...#", "###."}},
    {'6', {".##.", "#...", "###.", "#..#", ".##."}},
    {'7', {"####", "...#", "..#.", ".#..", ".#.."}},
    {'8', {".##.", "#..#", ".##.", "#..#", ".##."}},
    {'9', {".##.", "#..#", ".###", "...#", ".##."}},
    {'.', {".", ".", ".", ".", "#"}},
    {'-', {"...", "...", "###", "...", "..."}},
};

static int glyph(char c)
{
	for (size_t i = 0; i < sizeof(font) / sizeof(font[0]); i++)
		if (font[i].c == c)
			return (int)i;
	return -1;
}

int wd_big_width(const char *s)
{
	int w = 0, g;

	for (; *s; s++)
		if ((g = glyph(*s)) >= 0)
			w += (int)strlen(font[g].rows[0]) + 1;
	return w;
}

int wd_big(int y, int x, const char *s)
{
	int cx = x, g;

	for (; *s; s++) {
		if ((g = glyph(*s)) < 0)
			continue;
		for (int r = 0; r < 5; r++) {
			const char *row = font[g].rows[r];
			for (int c = 0; row[c]; c++)
				if (row[c] == '#' && cx + c < COLS)
					mvaddstr(y + r, cx + c, "█");
		}
		cx += (int)strlen(font[g].rows[0]) + 1;
	}
	return cx - x;
}
