/* term.c: curses setup, colours and key translation. */
#include "term.h"

#include <locale.h>
#include <string.h>

#include <curses.h>

#include "keymap.h"

static int started, colours;

int term_init(void)
{
	/*
	 * A language whose locale is not installed (LANG=zh_CN.UTF-8 on a bare
	 * Debian) must not cost UTF-8 output: fall back to C.UTF-8 for characters.
	 */
	if (!setlocale(LC_ALL, "") || !strstr(setlocale(LC_CTYPE, NULL), "UTF-8"))
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "");
	/* Esc must be a key of its own at once, not the start of a sequence */
	set_escdelay(25);
	if (!initscr())
		return -1;
	started = 1;
	raw();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	curs_set(0);
	if (has_colors()) {
		start_color();
		use_default_colors();
		colours = 1;
		init_pair(PAIR_TITLE, COLOR_BLACK, COLOR_CYAN);
		init_pair(PAIR_OK, COLOR_GREEN, -1);
		init_pair(PAIR_ERROR, COLOR_RED, -1);
		init_pair(PAIR_FREE, COLOR_GREEN, -1);
		init_pair(PAIR_MINE, COLOR_BLACK, COLOR_GREEN);
		init_pair(PAIR_HELD, COLOR_YELLOW, -1);
		init_pair(PAIR_SOLD, COLOR_RED, -1);
		init_pair(PAIR_VIP, COLOR_MAGENTA, -1);
		init_pair(PAIR_WHEEL, COLOR_CYAN, -1);
		init_pair(PAIR_HOUSE, COLOR_BLUE, -1);
		init_pair(PAIR_BLOCKED, COLOR_WHITE, -1);
		init_pair(PAIR_BAR, COLOR_BLACK, COLOR_WHITE);
		init_pair(PAIR_WARN, COLOR_YELLOW, -1);
		init_pair(PAIR_DIM, COLOR_WHITE, -1);
		init_pair(PAIR_QR, COLOR_WHITE, COLOR_BLACK);
	}
	return 0;
}

void term_end(void)
{
	if (started)
		endwin();
	started = 0;
}

int term_attr(enum term_pair p)
{
	if (p == PAIR_NORMAL)
		return A_NORMAL;
	if (!colours) {
		switch (p) {
		case PAIR_TITLE:
		case PAIR_BAR:
		case PAIR_MINE:
			return A_REVERSE;
		case PAIR_ERROR:
		case PAIR_OK:
			return A_BOLD;
		case PAIR_DIM:
		case PAIR_BLOCKED:
			return A_DIM;
		default:
			return A_NORMAL;
		}
	}
	if (p == PAIR_DIM || p == PAIR_BLOCKED)
		return COLOR_PAIR(p) | A_DIM;
	return COLOR_PAIR(p);
}

int term_key(int timeout_ms)
{
	wint_t ch;
	int r;

	timeout(timeout_ms);
	r = get_wch(&ch);
	if (r == ERR)
		return -1;
	if (r == KEY_CODE_YES) {
		switch (ch) {
		case KEY_UP:
			return KEY_UP_;
		case KEY_DOWN:
			return KEY_DOWN_;
		case KEY_LEFT:
			return KEY_LEFT_;
		case KEY_RIGHT:
			return KEY_RIGHT_;
		case KEY_ENTER:
			return KEY_ENTER_;
		case KEY_BACKSPACE:
			return KEY_BACKSPACE_;
		case KEY_DC:
			return KEY_DELETE_;
		case KEY_PPAGE:
			return KEY_PGUP_;
		case KEY_NPAGE:
			return KEY_PGDN_;
		case KEY_HOME:
			return KEY_HOME_;
		case KEY_END:
			return KEY_END_;
		case KEY_BTAB:
			return KEY_BTAB_;
		case KEY_RESIZE:
			return KEY_RESIZE_;
		default:
			if (ch >= KEY_F(1) && ch <= KEY_F(24))
				return KEY_F_((int)(ch - KEY_F0));
			return -1;
		}
	}
	switch (ch) {
	case '\r':
	case '\n':
		return KEY_ENTER_;
	case 27:
		return KEY_ESC_;
	case '\t':
		return KEY_TAB_;
	case 127:
	case 8:
		return KEY_BACKSPACE_;
	case 3: /* Ctrl-C quits like F10 */
		return KEY_F_(10);
	default:
		return (int)ch;
	}
}
