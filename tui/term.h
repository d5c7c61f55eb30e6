/*
 * term.h: the one module that owns the terminal: curses start and end,
 * colours, keys (translated to the key map's codes) and resizes. UI thread
 * only; nothing else calls initscr/endwin.
 */
#ifndef BOXOFFICE_TUI_TERM_H
#define BOXOFFICE_TUI_TERM_H

/* Colour pairs; on a terminal without colours every pair is plain. */
enum term_pair {
	PAIR_NORMAL = 0,
	PAIR_TITLE = 1,
	PAIR_OK,
	PAIR_ERROR,
	PAIR_FREE,
	PAIR_MINE,
	PAIR_HELD,
	PAIR_SOLD,
	PAIR_VIP,
	PAIR_WHEEL,
	PAIR_HOUSE,
	PAIR_BLOCKED,
	PAIR_BAR,
	PAIR_WARN,
	PAIR_DIM,
	PAIR_QR,
	PAIR_COUNT
};

/* Start curses (locale, raw keys, colours). Returns 0, or -1 when there is no terminal. */
int term_init(void);
/* Restore the terminal. Safe to call twice. */
void term_end(void);
/* Wait up to timeout_ms for a key; a KEY_* code, a code point, or -1 for none. */
int term_key(int timeout_ms);
/* The attribute of a pair (colour when the terminal has it, else a fallback). */
int term_attr(enum term_pair p);

#endif
