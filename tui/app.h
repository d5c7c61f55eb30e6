/*
 * app.h: the whole state of the terminal client (struct app) and the small
 * model operations on it (lists, the seat map, the outbox of requests).
 * No curses and no I/O here: the screens draw from this state, the actions
 * change it, and requests leave through the outbox that main hands to the
 * network module. UI thread only.
 */
#ifndef BOXOFFICE_TUI_APP_H
#define BOXOFFICE_TUI_APP_H

#include <stdint.h>

#include <cjson/cJSON.h>

#include "i18n.h"
#include "keymap.h"
#include "proto_layout.h"

/* What a request is for; its answer is routed by this tag. */
enum req_tag {
	RQ_LOGIN,
	RQ_USERINFO,
	RQ_SCREENINGS,
	RQ_SEATS,
	RQ_SCREENING_DETAIL,
	RQ_HOLD,
	RQ_RELEASE,
	RQ_ORDER_CREATE,
	RQ_ORDER_DETAIL,
	RQ_PAY,
	RQ_CHECKIN,
	RQ_SHIFT_CURRENT,
	RQ_SHIFT_OPEN,
	RQ_SHIFT_CLOSE,
	RQ_ORDER_SEARCH,
	RQ_REFUND,
	RQ_FILMS,
	RQ_FILM_SAVE,
	RQ_FILM_REMOVE,
	RQ_HALLS,
	RQ_HALL_DETAIL,
	RQ_HALL_SAVE,
	RQ_SCHED,
	RQ_SCREENING_CREATE,
	RQ_ADVERTS,
	RQ_ADVERT_SAVE,
	RQ_ADVERT_REMOVE,
	RQ_COMMENTS,
	RQ_COMMENT_HIDE,
	RQ_USERS,
	RQ_USER_CREATE,
	RQ_USER_DISABLE,
	RQ_REPORT_SALES,
	RQ_REPORT_OCC,
	RQ_COUNT
};

#define APP_OUTBOX_MAX 16
struct app_req {
	enum req_tag tag;
	int64_t ctx;   /* e.g. the screening id the answer belongs to */
	char path[48]; /* a PROTO_PATH_* */
	char *body;    /* JSON text, malloc'd; ownership passes to whoever takes it */
};

/* A list loaded from the server. */
struct app_list {
	cJSON *items; /* owned JSON array, or NULL before the first load */
	int sel, top;
	int page, total;
	int loaded;
};

#define APP_MAX_PICKS 10
struct seat_pick {
	char seat[PROTO_SEAT_ID_SIZE];
	int type; /* index into seatmap.types */
};

struct seatmap {
	int64_t screening_id;
	char film[128];
	char hall[128];
	int64_t start_at;
	int loaded;
	struct proto_layout layout;
	char state[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
	int64_t version;
	int live; /* the WebSocket snapshot is fresh */
	int cur_r, cur_c;
	struct seat_pick picks[APP_MAX_PICKS];
	int npicks;
	char types[6][16]; /* "adult" and the screening's discount types */
	int ntypes;
	int64_t hold_id;
	int64_t hold_expire;
	int held; /* the picks are exactly the hold's seats */
};

enum pay_method { PAY_CASH, PAY_CARD };

struct order_view {
	int64_t id;
	int status; /* -1 unknown */
	char status_text[24];
	int64_t amount;
	int64_t expire_at;
	cJSON *items; /* owned array of order items (seat, ticketType, price, ticketCode) */
	enum pay_method method;
	char tendered[16];
	int64_t pay_id;
	int64_t change; /* -1 until paid */
	int paying;     /* a /pay/create went out */
	int ticket_sel;
};

enum checkin_result {
	CHK_NONE,
	CHK_ADMITTED,
	CHK_ALREADY_USED,
	CHK_VOID,
	CHK_WRONG_SCREENING,
	CHK_TOO_EARLY,
	CHK_UNKNOWN
};

struct checkin_view {
	enum checkin_result result;
	char code[32];
	char seat[8];
	char film[128];
	int64_t used_at;
};

struct shift_view {
	int loaded;
	int open;
	int64_t id, opened_at, float_amount, expected, refunds;
	int64_t sales_cash, sales_card, sales_other;
	int closed; /* a close answer is shown */
	int64_t close_expected, close_counted, close_variance;
	int confirm;           /* waiting for y after the counted amount */
	char counted_text[16]; /* what was typed */
};

enum field_type { FT_TEXT, FT_INT, FT_MONEY, FT_PASSWORD, FT_TIME };

#define FORM_MAX_FIELDS 10
struct form_field {
	enum str_id label;
	const char *key; /* JSON key; NULL = not sent */
	enum field_type type;
	char value[256];
	int bad; /* the server named this field */
};

enum form_purpose {
	FORM_NONE,
	FORM_LOGIN,
	FORM_CHECKIN,
	FORM_ORDER_SEARCH,
	FORM_FILM_NEW,
	FORM_FILM_EDIT,
	FORM_FILM_SEARCH,
	FORM_HOME_SEARCH,
	FORM_SCREENING_NEW,
	FORM_ADVERT_NEW,
	FORM_USER_NEW,
	FORM_SHIFT_OPEN,
	FORM_SHIFT_CLOSE,
	FORM_BEST,
	FORM_REFUND,
	FORM_HALL_NAME,
	FORM_TENDERED
};

struct form {
	enum form_purpose purpose;
	enum str_id title;
	int64_t ctx;
	int n, cur;
	struct form_field f[FORM_MAX_FIELDS];
};

struct layout_ed {
	int64_t hall_id; /* 0 = new hall */
	char name[404];  /* 100 characters of UTF-8 */
	char rows[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
	int nrows;
	int cr, cc;
	int ok;
	char verdict[128];
	int seats, sellable;
};

enum status_kind { ST_INFO, ST_OK, ST_ERROR };

struct app {
	enum screen_id screen;
	enum screen_id prev; /* where Esc from help goes */
	int running;

	/* session: the token lives only here */
	char token[1024];
	char role[16];
	char user_name[101];
	int64_t uid;

	char status[256];
	enum status_kind status_kind;
	int64_t now;    /* wall clock, seconds (set by main each tick) */
	int64_t now_ms; /* monotonic milliseconds */
	int inflight;   /* requests sent and not answered */
	int64_t busy_since_ms;

	struct app_req outbox[APP_OUTBOX_MAX];
	int nout;

	/* WebSocket state as the network module reports it */
	int ws_up;
	int64_t ws_want; /* screening to subscribe to, 0 = none */
	int ws_resub;    /* ask the network module to subscribe again (gap) */

	struct form form; /* the open form, purpose FORM_NONE when closed */
	char confirm_what[128];
	enum action confirm_action; /* waiting for y, ACT_NONE when not */

	int day;             /* days from today on the home and schedule screens */
	char home_query[64]; /* film name filter of the home list, "" = all */
	struct app_list screenings;
	int64_t screenings_at; /* when last loaded (seconds) */
	struct seatmap map;
	struct order_view order;
	struct checkin_view checkin;
	struct shift_view shift;
	struct app_list orders;

	int admin_sel;
	struct app_list films;
	char film_query[64];
	struct app_list halls;
	struct layout_ed led;
	struct app_list sched;
	int sched_hall; /* index into halls.items */
	struct app_list adverts;
	struct app_list comments;
	int64_t comments_film;
	char comments_film_name[128];
	struct app_list users;
	struct app_list report;
	int report_kind;  /* 0 sales, 1 occupancy */
	int report_group; /* index into app_report_groups */
	int report_missing;
};

extern const char *const app_report_groups[4];

/* Zero *a and set defaults. */
void app_init(struct app *a);
/* Free what *a owns (lists, outbox bodies). */
void app_release(struct app *a);

/* Set the status line (printf-like). */
void app_status(struct app *a, enum status_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

int app_is_admin(const struct app *a);

/*
 * Queue a request: body is consumed (deleted) whatever happens. Returns 0,
 * or -1 when the outbox is full.
 */
int app_request(struct app *a, enum req_tag tag, int64_t ctx, const char *path, cJSON *body);
/* Take the oldest queued request into *out (caller frees out->body). 0, or -1 when empty. */
int app_take_request(struct app *a, struct app_req *out);

/* Replace a list's items with arr (ownership taken; NULL = empty). Keeps sel in range. */
void app_list_set(struct app_list *l, cJSON *arr);
int app_list_count(const struct app_list *l);
/* The selected item, or NULL. */
cJSON *app_list_selected(const struct app_list *l);
void app_list_move(struct app_list *l, int delta);
void app_list_free(struct app_list *l);

/* Money in minor units as "45.00" into buf. */
const char *app_money(int64_t minor, char *buf, unsigned len);
/* Parse "45", "45.5", "45.00" into minor units; -1 on error. */
int64_t app_parse_money(const char *s);

/* --- seat map --- */

/*
 * Load a /screening/seats answer (or a seats.snapshot message) into the map.
 * Returns 0, or -1 when it does not parse (the map is unchanged).
 */
int app_seats_snapshot(struct app *a, const cJSON *d);
/*
 * Apply a seats.delta per spec 6. Returns 1 applied, 0 ignored (old or
 * another screening), -1 a gap (the caller re-subscribes).
 */
int app_seats_delta(struct app *a, const cJSON *msg);
/* The state letter at (row, col) ('.' outside). */
char app_seat_state(const struct app *a, int r, int c);
/* Index in picks of seat id, or -1. */
int app_pick_index(const struct app *a, const char *seat);
/* Toggle the seat under the cursor. Returns a str_id of a refusal, or S_COUNT when done. */
enum str_id app_toggle_pick(struct app *a);
/* Move the cursor by (dr, dc) to the next seat position, skipping gaps. */
void app_cursor_move(struct app *a, int dr, int dc);

/* --- layout editor --- */
/* Re-run the protocol parser over the editor's rows and set its verdict. */
void app_layout_check(struct layout_ed *e);

#endif
