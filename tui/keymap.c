/* keymap.c: the one key table; help and the key bar are generated from it. */
#include "keymap.h"

#include <stdio.h>

#define LISTS                                                                            \
	(KM(SCR_HOME) | KM(SCR_ORDERS) | KM(SCR_ADMIN) | KM(SCR_FILMS) | KM(SCR_HALLS) | \
	 KM(SCR_SCHED) | KM(SCR_ADVERTS) | KM(SCR_COMMENTS) | KM(SCR_USERS) | KM(SCR_REPORTS))
#define SIGNED_IN (KM_ALL & ~KM(SCR_LOGIN))

/*
 * Screen-specific entries come first: the first match wins, so F2 saves in
 * the layout editor and sells everywhere else.
 */
static const struct keymap_entry table[] = {
    /* seat map */
    {KM(SCR_SEATS), ' ', ACT_PICK, S_KEY_PICK, 0},
    {KM(SCR_SEATS), 'b', ACT_BEST, S_KEY_BEST, 0},
    {KM(SCR_SEATS), 't', ACT_TICKET_TYPE, S_KEY_TTYPE, 0},
    {KM(SCR_SEATS), KEY_ENTER_, ACT_ENTER, S_KEY_PAY, 0},
    {KM(SCR_SEATS), KEY_ESC_, ACT_RELEASE, S_KEY_RELEASE, 0},
    /* payment */
    {KM(SCR_PAY), 'c', ACT_PAY_CASH, S_KEY_CASH, 0},
    {KM(SCR_PAY), 'k', ACT_PAY_CARD, S_KEY_CARD, 0},
    {KM(SCR_PAY), KEY_ENTER_, ACT_ENTER, S_KEY_PAY, 0},
    /* tickets */
    {KM(SCR_TICKET), 'p', ACT_PRINT, S_KEY_PRINT, 0},
    /* shift */
    {KM(SCR_SHIFT), 'o', ACT_OPEN_SHIFT, S_KEY_OPEN_SHIFT, 0},
    {KM(SCR_SHIFT), 'x', ACT_CLOSE_SHIFT, S_KEY_CLOSE_SHIFT, 0},
    {KM(SCR_SHIFT), 'y', ACT_CONFIRM, S_KEY_CONFIRM, 0},
    /* orders and the home list */
    {KM(SCR_ORDERS) | KM(SCR_HOME), '/', ACT_SEARCH, S_KEY_SEARCH, 0},
    {KM(SCR_ORDERS), 'r', ACT_REFUND, S_KEY_REFUND, KM_ADMIN},
    /* admin lists */
    {KM(SCR_FILMS) | KM(SCR_HALLS) | KM(SCR_SCHED) | KM(SCR_ADVERTS) | KM(SCR_USERS), 'n', ACT_NEW,
     S_KEY_NEW, KM_ADMIN},
    {KM(SCR_FILMS) | KM(SCR_HALLS), 'e', ACT_EDIT, S_KEY_EDIT, KM_ADMIN},
    {KM(SCR_FILMS) | KM(SCR_HALLS) | KM(SCR_ADVERTS), 'd', ACT_REMOVE, S_KEY_REMOVE, KM_ADMIN},
    {KM(SCR_FILMS), '/', ACT_SEARCH, S_KEY_SEARCH, KM_ADMIN},
    {KM(SCR_FILMS), 'c', ACT_COMMENTS, S_KEY_COMMENTS, KM_ADMIN},
    {KM(SCR_COMMENTS) | KM(SCR_USERS), ' ', ACT_TOGGLE, S_KEY_TOGGLE, KM_ADMIN},
    {KM(SCR_SCHED), 'h', ACT_HALL_NEXT, S_KEY_HALL, KM_ADMIN},
    {KM(SCR_REPORTS), 'g', ACT_GROUP, S_KEY_GROUP, KM_ADMIN},
    {KM(SCR_REPORTS), KEY_TAB_, ACT_TOGGLE, S_REPORTS, KM_ADMIN},
    /* layout editor (the seat letters are typed straight into the grid) */
    {KM(SCR_LAYOUT), 'S', ACT_NONE, S_KEY_SEAT_TYPES, KM_ADMIN},
    {KM(SCR_LAYOUT), '+', ACT_ADD_ROW, S_KEY_ADD_ROW, KM_ADMIN},
    {KM(SCR_LAYOUT), '-', ACT_DEL_ROW, S_KEY_DEL_ROW, KM_ADMIN},
    {KM(SCR_LAYOUT), 'n', ACT_RENAME, S_KEY_RENAME, KM_ADMIN},
    {KM(SCR_LAYOUT), KEY_F_(2), ACT_SAVE, S_KEY_SAVE, KM_ADMIN | KM_BAR},
    /* lists and moving */
    {LISTS | KM(SCR_SEATS) | KM(SCR_LAYOUT), KEY_UP_, ACT_UP, S_KEY_MOVE, 0},
    {LISTS | KM(SCR_SEATS) | KM(SCR_LAYOUT), KEY_DOWN_, ACT_DOWN, S_KEY_MOVE, 0},
    {KM(SCR_HOME) | KM(SCR_SCHED), KEY_LEFT_, ACT_LEFT, S_KEY_DAY, 0},
    {KM(SCR_HOME) | KM(SCR_SCHED), KEY_RIGHT_, ACT_RIGHT, S_KEY_DAY, 0},
    {KM(SCR_SEATS) | KM(SCR_LAYOUT) | KM(SCR_TICKET), KEY_LEFT_, ACT_LEFT, S_KEY_MOVE, 0},
    {KM(SCR_SEATS) | KM(SCR_LAYOUT) | KM(SCR_TICKET), KEY_RIGHT_, ACT_RIGHT, S_KEY_MOVE, 0},
    {LISTS, KEY_PGUP_, ACT_PGUP, S_KEY_PAGE, 0},
    {LISTS, KEY_PGDN_, ACT_PGDN, S_KEY_PAGE, 0},
    {KM(SCR_HOME) | KM(SCR_ADMIN) | KM(SCR_HALLS) | KM(SCR_FILMS) | KM(SCR_ORDERS), KEY_ENTER_,
     ACT_ENTER, S_KEY_OPEN, 0},
    {KM(SCR_HOME) | KM(SCR_SHIFT) | KM(SCR_FILMS) | KM(SCR_HALLS) | KM(SCR_SCHED) |
         KM(SCR_ADVERTS) | KM(SCR_COMMENTS) | KM(SCR_USERS) | KM(SCR_REPORTS) | KM(SCR_ORDERS),
     'r', ACT_REFRESH, S_KEY_REFRESH, 0},
    {SIGNED_IN, KEY_ESC_, ACT_BACK, S_KEY_BACK, 0},
    /* everywhere */
    {SIGNED_IN, KEY_F_(1), ACT_HELP, S_KEY_HELP, KM_BAR},
    {SIGNED_IN & ~KM(SCR_LAYOUT), '?', ACT_HELP, S_KEY_HELP, 0},
    {SIGNED_IN, KEY_F_(2), ACT_GO_HOME, S_KEY_SELL, KM_BAR},
    {SIGNED_IN, KEY_F_(3), ACT_GO_CHECKIN, S_KEY_CHECKIN, KM_BAR},
    {SIGNED_IN, KEY_F_(4), ACT_GO_SHIFT, S_KEY_SHIFT, KM_BAR},
    {SIGNED_IN, KEY_F_(5), ACT_GO_ORDERS, S_KEY_ORDERS, KM_BAR},
    {SIGNED_IN, KEY_F_(6), ACT_GO_ADMIN, S_KEY_ADMIN, KM_BAR | KM_ADMIN},
    {KM_ALL, KEY_F_(10), ACT_QUIT, S_KEY_QUIT, KM_BAR},
};

const struct keymap_entry *keymap_table(int *n)
{
	*n = (int)(sizeof(table) / sizeof(table[0]));
	return table;
}

enum action keymap_lookup(enum screen_id s, int key, int admin)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		const struct keymap_entry *e = &table[i];
		if (e->key != key || !(e->screens & KM(s)))
			continue;
		if ((e->flags & KM_ADMIN) && !admin)
			continue;
		return e->action;
	}
	return ACT_NONE;
}

const char *keymap_key_name(int key, char *buf, unsigned len)
{
	static const struct {
		int key;
		const char *name;
	} names[] = {
	    {KEY_UP_, "↑"},      {KEY_DOWN_, "↓"},      {KEY_LEFT_, "←"},
	    {KEY_RIGHT_, "→"},   {KEY_ENTER_, "Enter"}, {KEY_ESC_, "Esc"},
	    {KEY_TAB_, "Tab"},   {KEY_BTAB_, "S-Tab"},  {KEY_BACKSPACE_, "Bksp"},
	    {KEY_PGUP_, "PgUp"}, {KEY_PGDN_, "PgDn"},   {' ', "Space"},
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].key == key) {
			snprintf(buf, len, "%s", names[i].name);
			return buf;
		}
	if (key > KEY_F0_ && key < KEY_F0_ + 64)
		snprintf(buf, len, "F%d", key - KEY_F0_);
	else if (key < 0x80 && key > ' ')
		snprintf(buf, len, "%c", key);
	else
		snprintf(buf, len, "#%d", key);
	return buf;
}
