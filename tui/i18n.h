/*
 * i18n.h: every word the terminal client shows, one table per language
 * (i18n_en.c, i18n_zh.c), indexed by enum str_id. The language is chosen
 * once at start (setting or LANG) and read by the UI thread only.
 */
#ifndef BOXOFFICE_TUI_I18N_H
#define BOXOFFICE_TUI_I18N_H

/* The ids, once; the enum and the names for tests are made from it. */
// clang-format off
#define I18N_IDS(X) \
	X(S_APP_NAME) X(S_LOGIN_TITLE) X(S_MOBILE) X(S_PASSWORD) X(S_LOGIN_HINT) \
	X(S_LOGIN_OK) X(S_LOGIN_CUSTOMER) X(S_LOGIN_BAD) X(S_LIVE) X(S_OFFLINE) \
	X(S_SHIFT_OPEN_SINCE) X(S_SHIFT_NONE) X(S_TODAY) X(S_DAY) X(S_COL_TIME) \
	X(S_COL_FILM) X(S_COL_HALL) X(S_COL_FREE) X(S_COL_STATUS) X(S_NO_SCREENINGS) \
	X(S_CANCELLED) X(S_SCREEN) X(S_LEGEND_FREE) X(S_LEGEND_YOURS) X(S_LEGEND_HELD) \
	X(S_LEGEND_SOLD) X(S_LEGEND_VIP) X(S_LEGEND_WHEEL) X(S_LEGEND_COMP) \
	X(S_LEGEND_HOUSE) X(S_LEGEND_BLOCKED) X(S_HOLD_LEFT) X(S_HOLD_EXPIRED) X(S_TOTAL) \
	X(S_NO_PICK) X(S_SEAT_NOT_FREE) X(S_TOO_MANY) X(S_BEST_COUNT) X(S_HELD_SEATS) \
	X(S_ORDER_PENDING) X(S_ORDER_STATUS) X(S_PAY_TITLE) X(S_METHOD) X(S_CASH) \
	X(S_CARD) X(S_TENDERED) X(S_CHANGE) X(S_PAY_HINT) X(S_PAID) X(S_WAIT_PAID) \
	X(S_TICKET_TITLE) X(S_TICKET_CODE) X(S_SEAT) X(S_PRICE) X(S_PRINTED) \
	X(S_SAVED_TO) X(S_PRINT_FAIL) X(S_CHECKIN_TITLE) X(S_CHECKIN_PROMPT) \
	X(S_ADMITTED) X(S_ALREADY_USED) X(S_VOID) X(S_WRONG_SCREENING) X(S_TOO_EARLY) \
	X(S_UNKNOWN_CODE) X(S_USED_AT) X(S_SHIFT_TITLE) X(S_SHIFT_NO_OPEN) X(S_FLOAT) \
	X(S_OPENED_AT) X(S_SALES) X(S_REFUNDS) X(S_EXPECTED) X(S_COUNTED) X(S_VARIANCE) \
	X(S_CLOSE_FINAL) X(S_SHIFT_CLOSED) X(S_SHIFT_OPENED) X(S_ORDERS_TITLE) \
	X(S_ORDER_QUERY) X(S_COL_ORDER) X(S_COL_AMOUNT) X(S_REFUNDED) X(S_REASON) \
	X(S_ADMIN_TITLE) X(S_FILMS) X(S_HALLS) X(S_SCHEDULE) X(S_ADVERTS) X(S_COMMENTS) \
	X(S_USERS) X(S_REPORTS) X(S_NAME) X(S_DESC) X(S_DIRECTOR) X(S_WRITER) X(S_LENGTH) \
	X(S_AMOUNT) X(S_STOCK) X(S_SELECT_SEAT) X(S_GENRE) X(S_NEW_FILM) X(S_EDIT_FILM) \
	X(S_SAVED) X(S_REMOVED) X(S_CONFIRM_REMOVE) X(S_SEARCH) X(S_LAYOUT_TITLE) \
	X(S_LAYOUT_OK) X(S_LAYOUT_KEYS) X(S_SEATS_COUNT) X(S_HALL_NAME) X(S_FILM_ID) \
	X(S_START) X(S_NEW_SCREENING) X(S_PRICE_S) X(S_PRICE_V) X(S_TITLE) X(S_CONTENT) \
	X(S_IS_COM) X(S_NEW_ADVERT) X(S_HIDDEN) X(S_AUTHOR) X(S_RATING) X(S_PICK_FILM) \
	X(S_ROLE) X(S_DISABLED) X(S_EMAIL) X(S_NEW_CASHIER) X(S_REPORT_SALES) \
	X(S_REPORT_OCC) X(S_REPORT_MISSING) X(S_GROUP_BY) X(S_TICKETS) X(S_HELP_TITLE) \
	X(S_HELP_CLOSE) X(S_WORKING) X(S_NET_DOWN) X(S_ERR_HTTP) X(S_ERR_unauthorized) \
	X(S_ERR_token_expired) X(S_ERR_forbidden) X(S_ERR_not_found) \
	X(S_ERR_invalid_field) X(S_ERR_seat_taken) X(S_ERR_conflict) \
	X(S_ERR_already_exists) X(S_ERR_hold_expired) X(S_ERR_rate_limited) \
	X(S_ERR_unavailable) X(S_ERR_internal) X(S_ERR_bad_request) X(S_ERR_other) \
	X(S_ANNOUNCEMENT) X(S_TERM_SMALL) X(S_ADMIN_ONLY) X(S_TYPE_adult) X(S_TYPE_child) \
	X(S_TYPE_senior) X(S_TYPE_student) X(S_KEY_HELP) X(S_KEY_SELL) X(S_KEY_CHECKIN) \
	X(S_KEY_SHIFT) X(S_KEY_ORDERS) X(S_KEY_ADMIN) X(S_KEY_QUIT) X(S_KEY_MOVE) \
	X(S_KEY_OPEN) X(S_KEY_BACK) X(S_KEY_PICK) X(S_KEY_BEST) X(S_KEY_TTYPE) \
	X(S_KEY_RELEASE) X(S_KEY_PAY) X(S_KEY_CASH) X(S_KEY_CARD) X(S_KEY_PRINT) \
	X(S_KEY_NEW) X(S_KEY_EDIT) X(S_KEY_REMOVE) X(S_KEY_SEARCH) X(S_KEY_REFRESH) \
	X(S_KEY_TOGGLE) X(S_KEY_REFUND) X(S_KEY_OPEN_SHIFT) X(S_KEY_CLOSE_SHIFT) \
	X(S_KEY_CONFIRM) X(S_KEY_GROUP) X(S_KEY_HALL) X(S_KEY_ADD_ROW) X(S_KEY_DEL_ROW) \
	X(S_KEY_SAVE) X(S_KEY_RENAME) X(S_KEY_COMMENTS) X(S_KEY_DAY) X(S_KEY_NEXT_FIELD) \
	X(S_KEY_SEAT_TYPES) X(S_KEY_PAGE) X(S_HOUSE_ONLY) X(S_OVERLAP) X(S_NOT_SELLABLE) \
	X(S_GENERAL_ADM) X(S_NEED_SHIFT) X(S_COL_ID) X(S_DISABLE_TOGGLED) X(S_CREATED) \
	X(S_CONFIRM_CLOSE) X(S_SELECT_HALL) X(S_ENTER_SUBMIT)
// clang-format on

enum str_id {
#define I18N_ENUM(id) id,
	I18N_IDS(I18N_ENUM)
#undef I18N_ENUM
	    S_COUNT
};

enum i18n_lang { I18N_EN, I18N_ZH };

/* The tables (i18n_en.c, i18n_zh.c); every entry non-NULL (a unit test checks). */
extern const char *const i18n_en[S_COUNT];
extern const char *const i18n_zh[S_COUNT];

/*
 * Choose the language from a setting ("en", "zh", "zh_CN.UTF-8", ...) or,
 * when setting is NULL or empty, from LC_ALL / LC_MESSAGES / LANG. Anything
 * starting with "zh" is Chinese, everything else English. Returns the choice.
 */
enum i18n_lang i18n_choose(const char *setting);
/* Set the language directly. */
void i18n_set(enum i18n_lang lang);
enum i18n_lang i18n_get(void);
/* The text of id in the current language (never NULL). */
const char *tr(enum str_id id);
/* The text of an error slug ("seat_taken"), S_ERR_other when unknown. */
const char *tr_error(const char *slug);
/* The text of a ticket type ("child"), the type itself when unknown. */
const char *tr_ticket_type(const char *type);
/* The identifier name ("S_MOBILE") of id, for tests. */
const char *i18n_id_name(enum str_id id);

#endif
