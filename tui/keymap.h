/*
 * keymap.h: the key map of the terminal client. One table turns a key on a
 * screen into an action; the function-key bar and the `?` help are drawn
 * from the same table, so they never disagree with what the keys do.
 *
 * Keys are the client's own codes (KEY_* below): the terminal module
 * translates curses key codes into them, so this module and the actions
 * that use it have no curses and run in unit tests. Any thread; no state.
 */
#ifndef BOXOFFICE_TUI_KEYMAP_H
#define BOXOFFICE_TUI_KEYMAP_H

#include "i18n.h"

/* Key codes: Unicode code points below 0x110000, special keys above. */
enum {
	KEY_UP_ = 0x110000,
	KEY_DOWN_,
	KEY_LEFT_,
	KEY_RIGHT_,
	KEY_ENTER_,
	KEY_ESC_,
	KEY_TAB_,
	KEY_BTAB_,
	KEY_BACKSPACE_,
	KEY_DELETE_,
	KEY_PGUP_,
	KEY_PGDN_,
	KEY_HOME_,
	KEY_END_,
	KEY_RESIZE_,
	KEY_F0_ = 0x110100 /* KEY_F0_ + n is Fn */
};
#define KEY_F_(n) (KEY_F0_ + (n))

/* Screens; also bits of keymap masks. */
enum screen_id {
	SCR_LOGIN,
	SCR_HOME,
	SCR_SEATS,
	SCR_PAY,
	SCR_TICKET,
	SCR_CHECKIN,
	SCR_SHIFT,
	SCR_ORDERS,
	SCR_ADMIN,
	SCR_FILMS,
	SCR_HALLS,
	SCR_LAYOUT,
	SCR_SCHED,
	SCR_ADVERTS,
	SCR_COMMENTS,
	SCR_USERS,
	SCR_REPORTS,
	SCR_HELP,
	SCR_COUNT
};

enum action {
	ACT_NONE,
	ACT_QUIT,
	ACT_HELP,
	ACT_GO_HOME,
	ACT_GO_CHECKIN,
	ACT_GO_SHIFT,
	ACT_GO_ORDERS,
	ACT_GO_ADMIN,
	ACT_UP,
	ACT_DOWN,
	ACT_LEFT,
	ACT_RIGHT,
	ACT_PGUP,
	ACT_PGDN,
	ACT_ENTER,
	ACT_BACK,
	ACT_NEXT_FIELD,
	ACT_PREV_FIELD,
	ACT_PICK,
	ACT_BEST,
	ACT_TICKET_TYPE,
	ACT_RELEASE,
	ACT_PAY_CASH,
	ACT_PAY_CARD,
	ACT_PRINT,
	ACT_NEW,
	ACT_EDIT,
	ACT_REMOVE,
	ACT_SEARCH,
	ACT_REFRESH,
	ACT_TOGGLE,
	ACT_REFUND,
	ACT_OPEN_SHIFT,
	ACT_CLOSE_SHIFT,
	ACT_CONFIRM,
	ACT_GROUP,
	ACT_HALL_NEXT,
	ACT_ADD_ROW,
	ACT_DEL_ROW,
	ACT_SAVE,
	ACT_RENAME,
	ACT_COMMENTS,
	ACT_COUNT
};

#define KM_ALL (~0u)
#define KM(s) (1u << (s))
/* Flags of a key map entry. */
#define KM_BAR 1u   /* shown in the function-key bar */
#define KM_STAFF 0  /* everybody */
#define KM_ADMIN 2u /* only for admins */

struct keymap_entry {
	unsigned screens; /* KM(SCR_...) bits */
	int key;
	enum action action;
	enum str_id label; /* what the help and the bar say */
	unsigned flags;
};

/*
 * The action for key on screen, for a user that is admin (1) or not (0);
 * ACT_NONE when the key means nothing there.
 */
enum action keymap_lookup(enum screen_id s, int key, int admin);
/* The table (for help and the bar); *n is set to its length. */
const struct keymap_entry *keymap_table(int *n);
/* The key's name for help and bar ("F2", "Enter", "b", "Space") into buf. */
const char *keymap_key_name(int key, char *buf, unsigned len);

#endif
