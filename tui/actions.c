/* actions.c: keys, answers, WebSocket messages and the tick change the state here. */
#include "actions.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "printout.h"
#include "proto_wire.h"

#define HOME_REFRESH_S 15
#define SEATS_POLL_MS 2000 /* only while the WebSocket is down */
#define ORDER_POLL_MS 1000 /* only while an order waits for the server */

static int64_t seats_polled_ms, order_polled_ms;

/* --- small JSON helpers ---------------------------------------------------- */

static int64_t jnum(const cJSON *o, const char *key, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

static const char *jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? v->valuestring : "";
}

static cJSON *obj(void)
{
	return cJSON_CreateObject();
}

static void add_num(cJSON *o, const char *key, int64_t v)
{
	cJSON_AddNumberToObject(o, key, (double)v);
}

static void req_id(struct app *a, enum req_tag tag, const char *path, int64_t id)
{
	cJSON *b = obj();
	add_num(b, "id", id);
	app_request(a, tag, id, path, b);
}

/* Detach data.list of an answer (or NULL). */
static cJSON *take_list(cJSON *data)
{
	return cJSON_DetachItemFromObjectCaseSensitive(data, "list");
}

/* Local midnight of today + day days. */
static int64_t day_start(int64_t now, int day)
{
	time_t t = (time_t)now;
	struct tm tm;

	localtime_r(&t, &tm);
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_mday += day;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

/* --- forms ------------------------------------------------------------------ */

void form_open(struct app *a, enum form_purpose p, enum str_id title, int64_t ctx)
{
	memset(&a->form, 0, sizeof(a->form));
	a->form.purpose = p;
	a->form.title = title;
	a->form.ctx = ctx;
}

void form_add(struct app *a, enum str_id label, const char *key, enum field_type t,
              const char *value)
{
	struct form_field *f;

	if (a->form.n >= FORM_MAX_FIELDS)
		return;
	f = &a->form.f[a->form.n++];
	f->label = label;
	f->key = key;
	f->type = t;
	snprintf(f->value, sizeof(f->value), "%s", value ? value : "");
}

struct form_field *form_field(struct app *a, const char *key)
{
	for (int i = 0; i < a->form.n; i++)
		if (a->form.f[i].key && !strcmp(a->form.f[i].key, key))
			return &a->form.f[i];
	return NULL;
}

static void form_close(struct app *a)
{
	memset(&a->form, 0, sizeof(a->form));
}

/* Append code point cp to s as UTF-8. */
static void utf8_append(char *s, size_t size, int cp)
{
	size_t n = strlen(s);
	char b[4];
	size_t k;

	if (cp < 0x80) {
		b[0] = (char)cp;
		k = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		k = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		k = 3;
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		k = 4;
	}
	if (n + k + 1 > size)
		return;
	memcpy(s + n, b, k);
	s[n + k] = '\0';
}

static void utf8_backspace(char *s)
{
	size_t n = strlen(s);

	while (n > 0 && ((unsigned char)s[n - 1] & 0xc0) == 0x80)
		n--;
	if (n > 0)
		n--;
	s[n] = '\0';
}

static int field_accepts(const struct form_field *f, int cp)
{
	switch (f->type) {
	case FT_INT:
		return (cp >= '0' && cp <= '9') || cp == '-';
	case FT_MONEY:
		return (cp >= '0' && cp <= '9') || cp == '.';
	case FT_TIME:
		return (cp >= '0' && cp <= '9') || cp == ':';
	default:
		return cp >= ' ' && cp != 0x7f;
	}
}

/* The value of a number field (FT_INT or FT_MONEY) into *v; 0 when it does not parse. */
static int field_number(const struct form_field *f, int64_t *v)
{
	char *end;

	if (f->type == FT_MONEY)
		return (*v = app_parse_money(f->value)) >= 0;
	*v = strtoll(f->value, &end, 10);
	return f->value[0] && !*end;
}

/*
 * A JSON body of the form's field values by their types, or NULL (the bad
 * field marked and named in the status line).
 */
static cJSON *form_json(struct app *a)
{
	cJSON *b = obj();

	for (int i = 0; i < a->form.n; i++) {
		struct form_field *f = &a->form.f[i];
		int64_t v;

		if (!f->key)
			continue;
		f->bad = 0;
		if (f->type != FT_INT && f->type != FT_MONEY) {
			cJSON_AddStringToObject(b, f->key, f->value);
		} else if (field_number(f, &v)) {
			add_num(b, f->key, v);
		} else {
			f->bad = 1;
			a->form.cur = i;
			app_status(a, ST_ERROR, "%s: %s", tr(S_ERR_invalid_field), tr(f->label));
			cJSON_Delete(b);
			return NULL;
		}
	}
	return b;
}

/* --- screens ------------------------------------------------------------------ */

/*
 * A day's screenings come in pages of PROTO_PAGE_SIZE_MAX: every page is
 * fetched (a busy day, or the schedule of one hall among many, is past the
 * first). The request's ctx carries the day and the page.
 */
#define SCREENINGS_MAX_PAGES 50
static int64_t screenings_ctx(int day, int page)
{
	return ((int64_t)day + 100000) * 1000 + page;
}

static int ctx_day(int64_t ctx)
{
	return (int)(ctx / 1000 - 100000);
}

static int ctx_page(int64_t ctx)
{
	return (int)(ctx % 1000);
}

static void request_screenings(struct app *a, enum req_tag tag, int page)
{
	cJSON *b = obj();

	add_num(b, "from", day_start(a->now, a->day));
	add_num(b, "to", day_start(a->now, a->day + 1));
	add_num(b, "page", page);
	add_num(b, "pageSize", PROTO_PAGE_SIZE_MAX);
	app_request(a, tag, screenings_ctx(a->day, page), PROTO_PATH_SCREENING_LIST, b);
}

static void load_screenings(struct app *a)
{
	request_screenings(a, a->screen == SCR_SCHED ? RQ_SCHED : RQ_SCREENINGS, 1);
	a->screenings_at = a->now;
}

/* Page `page` of a day's list arrived: the first replaces l, later ones append. */
static void screenings_page(struct app *a, enum req_tag tag, struct app_list *l, cJSON *items,
                            int page, int total)
{
	cJSON *it, *all;

	if (page == 1 || !l->items) {
		app_list_set(l, items);
	} else {
		while ((it = cJSON_DetachItemFromArray(items, 0)) != NULL)
			cJSON_AddItemToArray(l->items, it);
		cJSON_Delete(items);
		/* app_list_set keeps the selection within the longer list */
		all = l->items;
		l->items = NULL;
		app_list_set(l, all);
	}
	if (page * PROTO_PAGE_SIZE_MAX < total && page < SCREENINGS_MAX_PAGES)
		request_screenings(a, tag, page + 1);
}

static void load_films(struct app *a)
{
	cJSON *b = obj();

	if (a->film_query[0])
		cJSON_AddStringToObject(b, "query", a->film_query);
	add_num(b, "page", a->films.page > 0 ? a->films.page : 1);
	add_num(b, "pageSize", 20);
	app_request(a, RQ_FILMS, 0, PROTO_PATH_FILM_LIST, b);
}

static void load_report(struct app *a)
{
	cJSON *b = obj();

	add_num(b, "from", a->now - 7 * 86400);
	add_num(b, "to", a->now + 1);
	if (a->report_kind == 0) {
		cJSON_AddStringToObject(b, "groupBy", app_report_groups[a->report_group]);
		app_request(a, RQ_REPORT_SALES, 0, PROTO_PATH_REPORT_SALES, b);
	} else {
		app_request(a, RQ_REPORT_OCC, 0, PROTO_PATH_REPORT_OCCUPANCY, b);
	}
}

static void load_comments(struct app *a)
{
	cJSON *b = obj();

	add_num(b, "fid", a->comments_film);
	add_num(b, "page", 1);
	add_num(b, "pageSize", 100);
	app_request(a, RQ_COMMENTS, a->comments_film, PROTO_PATH_COMMENT_FILM_LIST, b);
}

static void load_adverts(struct app *a)
{
	app_list_set(&a->adverts, NULL);
	app_request(a, RQ_ADVERTS, 0, PROTO_PATH_ADVERT_NORMAL_LIST, NULL);
	app_request(a, RQ_ADVERTS, 1, PROTO_PATH_ADVERT_COMMER_LIST, NULL);
}

static void load_users(struct app *a)
{
	cJSON *b = obj();

	add_num(b, "page", 1);
	add_num(b, "pageSize", 100);
	app_request(a, RQ_USERS, 0, PROTO_PATH_USER_LIST, b);
}

static void load_shift(struct app *a)
{
	app_request(a, RQ_SHIFT_CURRENT, 0, PROTO_PATH_SHIFT_CURRENT, NULL);
}

static void load_halls(struct app *a)
{
	app_request(a, RQ_HALLS, 0, PROTO_PATH_HALL_LIST, NULL);
}

static void load_sched(struct app *a)
{
	load_halls(a);
	load_screenings(a);
}

/* (Re)load what the current screen shows. */
static void load_current(struct app *a)
{
	static void (*const load[SCR_COUNT])(struct app *) = {
	    [SCR_HOME] = load_screenings,   [SCR_SHIFT] = load_shift, [SCR_FILMS] = load_films,
	    [SCR_HALLS] = load_halls,       [SCR_SCHED] = load_sched, [SCR_ADVERTS] = load_adverts,
	    [SCR_COMMENTS] = load_comments, [SCR_USERS] = load_users, [SCR_REPORTS] = load_report};

	if (load[a->screen])
		load[a->screen](a);
}

static void reset_sale(struct app *a)
{
	if (a->map.hold_id && a->order.id == 0)
		req_id(a, RQ_RELEASE, PROTO_PATH_SEAT_RELEASE, a->map.hold_id);
	/* an order left unpaid gives its seats back now, not at its expiry */
	if (a->order.id && !a->order.paying &&
	    (a->order.status == PROTO_ORDER_UNPAID || a->order.status == PROTO_ORDER_PENDING))
		req_id(a, RQ_RELEASE, PROTO_PATH_ORDER_REMOVE, a->order.id);
	memset(&a->map, 0, sizeof(a->map));
	cJSON_Delete(a->order.items);
	memset(&a->order, 0, sizeof(a->order));
	a->order.status = -1;
	a->order.change = -1;
	a->ws_want = 0;
}

int actions_go(struct app *a, enum screen_id s)
{
	if (!a->token[0] && s != SCR_LOGIN)
		return 0;
	if ((s >= SCR_ADMIN && s <= SCR_REPORTS) && !app_is_admin(a)) {
		app_status(a, ST_ERROR, "%s", tr(S_ADMIN_ONLY));
		return 1;
	}
	if (s == SCR_HELP) {
		if (a->screen != SCR_HELP)
			a->prev = a->screen;
		a->screen = s;
		return 1;
	}
	/* leaving a sale that was not paid gives its seats back */
	if ((a->screen == SCR_SEATS || a->screen == SCR_PAY || a->screen == SCR_TICKET) &&
	    s != SCR_SEATS && s != SCR_PAY && s != SCR_TICKET)
		reset_sale(a);
	form_close(a);
	a->confirm_action = ACT_NONE;
	a->screen = s;
	switch (s) {
	case SCR_LOGIN:
		form_open(a, FORM_LOGIN, S_LOGIN_TITLE, 0);
		form_add(a, S_MOBILE, "mobile", FT_TEXT, NULL);
		form_add(a, S_PASSWORD, "password", FT_PASSWORD, NULL);
		break;
	case SCR_CHECKIN:
		form_open(a, FORM_CHECKIN, S_CHECKIN_TITLE, 0);
		form_add(a, S_CHECKIN_PROMPT, "code", FT_TEXT, NULL);
		break;
	case SCR_ORDERS:
		form_open(a, FORM_ORDER_SEARCH, S_ORDERS_TITLE, 0);
		form_add(a, S_ORDER_QUERY, NULL, FT_TEXT, NULL);
		break;
	case SCR_SHIFT:
		a->shift.closed = 0;
		a->shift.confirm = 0;
		break;
	default:
		break;
	}
	load_current(a);
	return 1;
}

/* --- the sale ----------------------------------------------------------------- */

static void open_seats(struct app *a, const cJSON *scr)
{
	struct seatmap *m = &a->map;
	const cJSON *disc, *it;

	reset_sale(a);
	m->screening_id = jnum(scr, "id", 0);
	snprintf(m->film, sizeof(m->film), "%s", jstr(scr, "filmName"));
	snprintf(m->hall, sizeof(m->hall), "%s", jstr(scr, "hallName"));
	m->start_at = jnum(scr, "startAt", 0);
	snprintf(m->types[0], sizeof(m->types[0]), "adult");
	m->ntypes = 1;
	disc = cJSON_GetObjectItemCaseSensitive(scr, "discounts");
	cJSON_ArrayForEach(it, disc)
	{
		if (m->ntypes < 6 && it->string && strcmp(it->string, "adult"))
			snprintf(m->types[m->ntypes++], sizeof(m->types[0]), "%s", it->string);
	}
	a->screen = SCR_SEATS;
	a->ws_want = m->screening_id;
	req_id(a, RQ_SEATS, PROTO_PATH_SCREENING_SEATS, m->screening_id);
	seats_polled_ms = a->now_ms;
}

static void send_hold(struct app *a, int count, int then_order)
{
	cJSON *b = obj(), *arr;

	add_num(b, "screeningId", a->map.screening_id);
	if (count > 0) {
		add_num(b, "count", count);
	} else {
		arr = cJSON_AddArrayToObject(b, "seats");
		for (int i = 0; i < a->map.npicks; i++)
			cJSON_AddItemToArray(arr, cJSON_CreateString(a->map.picks[i].seat));
	}
	if (a->map.hold_id) {
		req_id(a, RQ_RELEASE, PROTO_PATH_SEAT_RELEASE, a->map.hold_id);
		a->map.hold_id = 0;
	}
	app_request(a, RQ_HOLD, then_order, PROTO_PATH_SEAT_HOLD, b);
}

static void send_order(struct app *a)
{
	cJSON *b = obj(), *items = cJSON_CreateArray();
	char key[96];

	add_num(b, "holdId", a->map.hold_id);
	for (int i = 0; i < a->map.npicks; i++) {
		cJSON *it = obj();
		cJSON_AddStringToObject(it, "seat", a->map.picks[i].seat);
		cJSON_AddStringToObject(it, "ticketType", a->map.types[a->map.picks[i].type]);
		cJSON_AddItemToArray(items, it);
	}
	cJSON_AddItemToObject(b, "items", items);
	/* the same key for the same hold: a repeated Enter cannot make two orders */
	snprintf(key, sizeof(key), "tui-%lld-%lld", (long long)a->uid, (long long)a->map.hold_id);
	cJSON_AddStringToObject(b, "idempotencyKey", key);
	app_request(a, RQ_ORDER_CREATE, a->map.hold_id, PROTO_PATH_ORDER_CREATE, b);
}

static void send_pay(struct app *a)
{
	cJSON *b = obj();

	add_num(b, "oid", a->order.id);
	add_num(b, "source", 0);
	cJSON_AddStringToObject(b, "method", a->order.method == PAY_CASH ? "cash" : "card");
	if (a->order.method == PAY_CASH) {
		int64_t t =
		    a->order.tendered[0] ? app_parse_money(a->order.tendered) : a->order.amount;
		if (t < 0) {
			cJSON_Delete(b);
			app_status(a, ST_ERROR, "%s: %s", tr(S_ERR_invalid_field), tr(S_TENDERED));
			return;
		}
		add_num(b, "tendered", t);
	}
	a->order.paying = 1;
	app_request(a, RQ_PAY, a->order.id, PROTO_PATH_PAY_CREATE, b);
}

static int seats_enter(struct app *a)
{
	struct seatmap *m = &a->map;

	if (m->npicks == 0) {
		app_status(a, ST_ERROR, "%s", tr(S_NO_PICK));
		return 1;
	}
	if (m->held && m->hold_id && m->hold_expire > a->now)
		send_order(a);
	else
		send_hold(a, 0, 1);
	return 1;
}

/* --- form submission ------------------------------------------------------------ */

static int submit_form(struct app *a)
{
	struct form *f = &a->form;
	cJSON *b;

	switch (f->purpose) {
	case FORM_LOGIN: {
		const char *who = f->f[0].value;
		b = obj();
		cJSON_AddStringToObject(b, strchr(who, '@') ? "email" : "mobile", who);
		cJSON_AddStringToObject(b, "password", f->f[1].value);
		app_request(a, RQ_LOGIN, 0, PROTO_PATH_ADMIN_LOGIN, b);
		return 1;
	}
	case FORM_CHECKIN:
		if (!f->f[0].value[0])
			return 0;
		b = obj();
		cJSON_AddStringToObject(b, "code", f->f[0].value);
		snprintf(a->checkin.code, sizeof(a->checkin.code), "%.31s", f->f[0].value);
		app_request(a, RQ_CHECKIN, 0, PROTO_PATH_TICKET_CHECKIN, b);
		f->f[0].value[0] = '\0'; /* ready for the next scan at once */
		return 1;
	case FORM_ORDER_SEARCH: {
		const char *q = f->f[0].value;
		size_t n = strlen(q), digits = strspn(q, "0123456789");
		if (!n)
			return 0;
		b = obj();
		if (digits == n && n == 11)
			cJSON_AddStringToObject(b, "mobile", q);
		else if (digits == n)
			add_num(b, "screeningId", strtoll(q, NULL, 10));
		else
			cJSON_AddStringToObject(b, "ticketCode", q);
		app_request(a, RQ_ORDER_SEARCH, 0, PROTO_PATH_ORDER_SEARCH, b);
		form_close(a);
		return 1;
	}
	case FORM_HOME_SEARCH:
		snprintf(a->home_query, sizeof(a->home_query), "%.63s", f->f[0].value);
		a->screenings.sel = 0;
		form_close(a);
		load_screenings(a);
		return 1;
	case FORM_FILM_SEARCH:
		snprintf(a->film_query, sizeof(a->film_query), "%.63s", f->f[0].value);
		a->films.page = 1;
		a->films.sel = 0;
		form_close(a);
		load_films(a);
		return 1;
	case FORM_FILM_NEW:
	case FORM_FILM_EDIT:
		if (!(b = form_json(a)))
			return 1;
		if (f->purpose == FORM_FILM_EDIT)
			add_num(b, "id", f->ctx);
		app_request(a, RQ_FILM_SAVE, f->ctx,
		            f->purpose == FORM_FILM_EDIT ? PROTO_PATH_FILM_UPDATE
		                                         : PROTO_PATH_FILM_CREATE,
		            b);
		return 1;
	case FORM_SCREENING_NEW: {
		cJSON *hall = cJSON_GetArrayItem(a->halls.items, a->sched_hall), *prices;
		int hh, mm;
		int64_t s, v;
		b = obj();
		if (sscanf(form_field(a, "startAt")->value, "%d:%d", &hh, &mm) != 2 || hh < 0 ||
		    hh > 23 || mm < 0 || mm > 59) {
			form_field(a, "startAt")->bad = 1;
			app_status(a, ST_ERROR, "%s: %s", tr(S_ERR_invalid_field), tr(S_START));
			cJSON_Delete(b);
			return 1;
		}
		add_num(b, "filmId", strtoll(form_field(a, "filmId")->value, NULL, 10));
		add_num(b, "hallId", jnum(hall, "id", 0));
		add_num(b, "startAt", day_start(a->now, a->day) + hh * 3600 + mm * 60);
		s = app_parse_money(form_field(a, "S")->value);
		v = app_parse_money(form_field(a, "V")->value);
		if (s > 0 || v > 0) {
			prices = cJSON_AddObjectToObject(b, "prices");
			if (s > 0)
				add_num(prices, "S", s);
			if (v > 0)
				add_num(prices, "V", v);
		}
		app_request(a, RQ_SCREENING_CREATE, 0, PROTO_PATH_SCREENING_CREATE, b);
		return 1;
	}
	case FORM_ADVERT_NEW:
		if (!(b = form_json(a)))
			return 1;
		add_num(b, "status", 0);
		app_request(a, RQ_ADVERT_SAVE, 0, PROTO_PATH_ADVERT_CREATE, b);
		return 1;
	case FORM_USER_NEW:
		if (!(b = form_json(a)))
			return 1;
		add_num(b, "gender", 0);
		cJSON_AddStringToObject(b, "role", PROTO_ROLE_NAME_CASHIER);
		app_request(a, RQ_USER_CREATE, 0, PROTO_PATH_ADMIN_REGISTER, b);
		return 1;
	case FORM_SHIFT_OPEN:
		if (!(b = form_json(a)))
			return 1;
		app_request(a, RQ_SHIFT_OPEN, 0, PROTO_PATH_SHIFT_OPEN, b);
		return 1;
	case FORM_SHIFT_CLOSE:
		if (app_parse_money(f->f[0].value) < 0) {
			f->f[0].bad = 1;
			return 1;
		}
		snprintf(a->shift.counted_text, sizeof(a->shift.counted_text), "%.15s",
		         f->f[0].value);
		a->shift.confirm = 1;
		form_close(a);
		app_status(a, ST_INFO, "%s", tr(S_CLOSE_FINAL));
		return 1;
	case FORM_BEST: {
		int n = atoi(f->f[0].value);
		if (n < 1 || n > APP_MAX_PICKS) {
			f->f[0].bad = 1;
			app_status(a, ST_ERROR, "%s", tr(S_TOO_MANY));
			return 1;
		}
		form_close(a);
		send_hold(a, n, 0);
		return 1;
	}
	case FORM_REFUND:
		b = obj();
		add_num(b, "id", f->ctx);
		cJSON_AddStringToObject(b, "reason", f->f[0].value);
		app_request(a, RQ_REFUND, f->ctx, PROTO_PATH_ORDER_REFUND, b);
		return 1;
	case FORM_HALL_NAME:
		snprintf(a->led.name, sizeof(a->led.name), "%s", f->f[0].value);
		form_close(a);
		return 1;
	default:
		return 0;
	}
}

/* A key while a form is open; returns -1 when the form does not take it. */
static int form_key(struct app *a, int key)
{
	struct form *f = &a->form;
	struct form_field *fld = &f->f[f->cur];

	if (key == KEY_ENTER_) {
		if (f->cur < f->n - 1 && f->purpose == FORM_LOGIN && !f->f[f->cur + 1].value[0]) {
			f->cur++;
			return 1;
		}
		return submit_form(a);
	}
	if (key == KEY_TAB_ || key == KEY_DOWN_) {
		f->cur = (f->cur + 1) % f->n;
		return 1;
	}
	if (key == KEY_BTAB_ || key == KEY_UP_) {
		f->cur = (f->cur + f->n - 1) % f->n;
		return 1;
	}
	if (key == KEY_BACKSPACE_) {
		utf8_backspace(fld->value);
		fld->bad = 0;
		return 1;
	}
	if (key == KEY_ESC_) {
		/* the login and check-in screens are their forms */
		if (f->purpose == FORM_LOGIN)
			return 0;
		if (f->purpose == FORM_CHECKIN || f->purpose == FORM_ORDER_SEARCH)
			return -1;
		form_close(a);
		return 1;
	}
	if (key < KEY_UP_ && key >= ' ') {
		if (!field_accepts(fld, key))
			return 0;
		utf8_append(fld->value, sizeof(fld->value), key);
		fld->bad = 0;
		return 1;
	}
	return -1;
}

/* --- keys ------------------------------------------------------------------------ */

static int layout_key(struct app *a, int key)
{
	struct layout_ed *e = &a->led;
	char *row;
	int w;

	if (e->nrows == 0)
		return 0;
	row = e->rows[e->cr];
	w = (int)strlen(row);
	if (key == KEY_BACKSPACE_ && e->cc > 0) {
		memmove(row + e->cc - 1, row + e->cc, (size_t)(w - e->cc + 1));
		e->cc--;
	} else if (key < 0x80 && strchr("SVWCHX.", key) && key) {
		if (e->cc < w)
			row[e->cc] = (char)key;
		else if (w < PROTO_LAYOUT_MAX_COLS) {
			row[w] = (char)key;
			row[w + 1] = '\0';
		} else {
			return 0;
		}
		if (e->cc < PROTO_LAYOUT_MAX_COLS - 1)
			e->cc++;
	} else {
		return -1;
	}
	app_layout_check(e);
	return 1;
}

int actions_key(struct app *a, int key)
{
	enum action act;
	int r;

	if (key == KEY_RESIZE_)
		return 1;
	if (a->confirm_action != ACT_NONE) {
		enum action c = a->confirm_action;
		a->confirm_action = ACT_NONE;
		if (key == 'y' || key == 'Y')
			return actions_do(a, c);
		app_status(a, ST_INFO, " ");
		return 1;
	}
	if (a->form.purpose != FORM_NONE && (r = form_key(a, key)) >= 0)
		return r;
	if (a->screen == SCR_PAY && ((key >= '0' && key <= '9') || key == '.')) {
		utf8_append(a->order.tendered, sizeof(a->order.tendered), key);
		return 1;
	}
	if (a->screen == SCR_PAY && key == KEY_BACKSPACE_) {
		utf8_backspace(a->order.tendered);
		return 1;
	}
	if (a->screen == SCR_LAYOUT && (r = layout_key(a, key)) >= 0)
		return r;
	act = keymap_lookup(a->screen, key, app_is_admin(a));
	return actions_do(a, act);
}

static void confirm(struct app *a, enum action act, const char *what)
{
	a->confirm_action = act;
	snprintf(a->confirm_what, sizeof(a->confirm_what), "%s", what);
	app_status(a, ST_INFO, tr(S_CONFIRM_REMOVE), what);
}

/* The list the current screen shows, or NULL. */
static struct app_list *current_list(struct app *a)
{
	struct app_list *const lists[SCR_COUNT] = {
	    [SCR_HOME] = &a->screenings,   [SCR_ORDERS] = &a->orders, [SCR_FILMS] = &a->films,
	    [SCR_HALLS] = &a->halls,       [SCR_SCHED] = &a->sched,   [SCR_ADVERTS] = &a->adverts,
	    [SCR_COMMENTS] = &a->comments, [SCR_USERS] = &a->users,   [SCR_REPORTS] = &a->report};

	return lists[a->screen];
}

static const enum screen_id admin_items[] = {SCR_FILMS,    SCR_HALLS, SCR_SCHED,  SCR_ADVERTS,
                                             SCR_COMMENTS, SCR_USERS, SCR_REPORTS};

static void edit_film_form(struct app *a, const cJSON *film)
{
	char buf[64];
	int edit = film != NULL;

	form_open(a, edit ? FORM_FILM_EDIT : FORM_FILM_NEW, edit ? S_EDIT_FILM : S_NEW_FILM,
	          edit ? jnum(film, "id", 0) : 0);
	form_add(a, S_NAME, "name", FT_TEXT, edit ? jstr(film, "name") : NULL);
	form_add(a, S_DESC, "desc", FT_TEXT, edit ? jstr(film, "desc") : NULL);
	form_add(a, S_DIRECTOR, "director", FT_TEXT, edit ? jstr(film, "director") : NULL);
	form_add(a, S_WRITER, "screenwriter", FT_TEXT, edit ? jstr(film, "screenwriter") : NULL);
	form_add(a, S_GENRE, "genre", FT_TEXT, edit ? jstr(film, "genre") : NULL);
	snprintf(buf, sizeof(buf), "%lld", (long long)(edit ? jnum(film, "length", 0) : 100));
	form_add(a, S_LENGTH, "length", FT_INT, buf);
	form_add(a, S_AMOUNT, "amount", FT_MONEY,
	         app_money(edit ? jnum(film, "amount", 0) : 4500, buf, sizeof(buf)));
	snprintf(buf, sizeof(buf), "%lld", (long long)(edit ? jnum(film, "stock", 0) : 0));
	form_add(a, S_STOCK, "stock", FT_INT, buf);
	snprintf(buf, sizeof(buf), "%lld", (long long)(edit ? jnum(film, "isSelectSeat", 1) : 1));
	form_add(a, S_SELECT_SEAT, "isSelectSeat", FT_INT, buf);
}

static void open_layout(struct app *a, const cJSON *hall)
{
	struct layout_ed *e = &a->led;
	const cJSON *it;

	memset(e, 0, sizeof(*e));
	if (hall) {
		e->hall_id = jnum(hall, "id", 0);
		snprintf(e->name, sizeof(e->name), "%s", jstr(hall, "name"));
		cJSON_ArrayForEach(it, cJSON_GetObjectItemCaseSensitive(hall, "layout"))
		{
			if (e->nrows < PROTO_LAYOUT_MAX_ROWS && cJSON_IsString(it))
				snprintf(e->rows[e->nrows++], sizeof(e->rows[0]), "%.60s",
				         it->valuestring);
		}
	}
	if (e->nrows == 0) {
		snprintf(e->rows[0], sizeof(e->rows[0]), "SSSSSSSSSS");
		e->nrows = 1;
	}
	app_layout_check(e);
	form_close(a);
	a->screen = SCR_LAYOUT;
}

static int do_enter(struct app *a)
{
	cJSON *it;

	switch (a->screen) {
	case SCR_HOME:
		if (!(it = app_list_selected(&a->screenings)))
			return 0;
		if (!strcmp(jstr(it, "status"), PROTO_SCREENING_CANCELLED)) {
			app_status(a, ST_ERROR, "%s", tr(S_NOT_SELLABLE));
			return 1;
		}
		open_seats(a, it);
		return 1;
	case SCR_SEATS:
		return seats_enter(a);
	case SCR_PAY:
		if (a->order.status != PROTO_ORDER_UNPAID) {
			app_status(a, ST_INFO, "%s", tr(S_WAIT_PAID));
			return 1;
		}
		if (a->order.paying && a->order.pay_id)
			return 0;
		send_pay(a);
		return 1;
	case SCR_ADMIN:
		return actions_go(a, admin_items[a->admin_sel]);
	case SCR_FILMS:
		if ((it = app_list_selected(&a->films)))
			edit_film_form(a, it);
		return 1;
	case SCR_HALLS:
		if ((it = app_list_selected(&a->halls)))
			req_id(a, RQ_HALL_DETAIL, PROTO_PATH_HALL_DETAIL, jnum(it, "id", 0));
		return 1;
	case SCR_ORDERS:
		if ((it = app_list_selected(&a->orders))) {
			cJSON_Delete(a->order.items);
			a->order.items = NULL;
			a->order.id = jnum(it, "id", 0);
			req_id(a, RQ_ORDER_DETAIL, PROTO_PATH_ORDER_DETAIL, a->order.id);
		}
		return 1;
	default:
		return 0;
	}
}

static int do_move(struct app *a, int dr, int dc)
{
	struct app_list *l;

	if (a->screen == SCR_SEATS) {
		app_cursor_move(a, dr, dc);
		return 1;
	}
	if (a->screen == SCR_LAYOUT) {
		struct layout_ed *e = &a->led;
		e->cr += dr;
		if (e->cr < 0)
			e->cr = 0;
		if (e->cr >= e->nrows)
			e->cr = e->nrows - 1;
		e->cc += dc;
		if (e->cc > (int)strlen(e->rows[e->cr]))
			e->cc = (int)strlen(e->rows[e->cr]);
		if (e->cc >= PROTO_LAYOUT_MAX_COLS)
			e->cc = PROTO_LAYOUT_MAX_COLS - 1;
		if (e->cc < 0)
			e->cc = 0;
		return 1;
	}
	if (a->screen == SCR_TICKET) {
		int n = a->order.items ? cJSON_GetArraySize(a->order.items) : 0;
		a->order.ticket_sel += dc;
		if (a->order.ticket_sel >= n)
			a->order.ticket_sel = n - 1;
		if (a->order.ticket_sel < 0)
			a->order.ticket_sel = 0;
		return 1;
	}
	if (a->screen == SCR_ADMIN) {
		int n = (int)(sizeof(admin_items) / sizeof(admin_items[0]));
		a->admin_sel = (a->admin_sel + dr + n) % n;
		return 1;
	}
	if (dc && (a->screen == SCR_HOME || a->screen == SCR_SCHED)) {
		a->day += dc;
		if (a->day < -7)
			a->day = -7;
		if (a->day > 30)
			a->day = 30;
		load_screenings(a);
		return 1;
	}
	if ((l = current_list(a))) {
		app_list_move(l, dr);
		return 1;
	}
	return 0;
}

/* The screen each going action opens; SCR_LOGIN (0): the action is not one. */
static const enum screen_id go_to[] = {
    [ACT_HELP] = SCR_HELP,      [ACT_GO_HOME] = SCR_HOME,     [ACT_GO_CHECKIN] = SCR_CHECKIN,
    [ACT_GO_SHIFT] = SCR_SHIFT, [ACT_GO_ORDERS] = SCR_ORDERS, [ACT_GO_ADMIN] = SCR_ADMIN};
/* The step (rows, columns) of each arrow action; {0, 0}: the action is not one. */
static const signed char move_by[][2] = {
    [ACT_UP] = {-1, 0}, [ACT_DOWN] = {1, 0}, [ACT_LEFT] = {0, -1}, [ACT_RIGHT] = {0, 1}};
#define IN_TABLE(t, i) ((size_t)(i) < sizeof(t) / sizeof((t)[0]))

int actions_do(struct app *a, enum action act)
{
	cJSON *it;
	struct app_list *l;
	char buf[128];

	if (IN_TABLE(go_to, act) && go_to[act] != SCR_LOGIN) {
		if (act == ACT_GO_ADMIN)
			a->admin_sel = 0; /* F6 always opens the menu at its top */
		return actions_go(a, go_to[act]);
	}
	if (IN_TABLE(move_by, act) && (move_by[act][0] || move_by[act][1]))
		return do_move(a, move_by[act][0], move_by[act][1]);
	switch (act) {
	case ACT_NONE:
		return 0;
	case ACT_QUIT:
		if (a->map.hold_id && a->order.id == 0)
			req_id(a, RQ_RELEASE, PROTO_PATH_SEAT_RELEASE, a->map.hold_id);
		a->running = 0;
		return 1;
	case ACT_PGUP:
	case ACT_PGDN:
		if (a->screen == SCR_FILMS) {
			int p =
			    (a->films.page > 0 ? a->films.page : 1) + (act == ACT_PGDN ? 1 : -1);
			if (p < 1 || (act == ACT_PGDN && (p - 1) * 20 >= a->films.total))
				return 0;
			a->films.page = p;
			a->films.sel = 0;
			load_films(a);
			return 1;
		}
		if ((l = current_list(a))) {
			app_list_move(l, act == ACT_PGDN ? 10 : -10);
			return 1;
		}
		return 0;
	case ACT_ENTER:
		return do_enter(a);
	case ACT_BACK:
		switch (a->screen) {
		case SCR_HELP:
			a->screen = a->prev;
			return 1;
		case SCR_PAY:
			if (a->order.paying)
				return 0;
			a->screen = SCR_SEATS;
			return 1;
		case SCR_TICKET:
		case SCR_SEATS:
		case SCR_CHECKIN:
		case SCR_ORDERS:
		case SCR_SHIFT:
		case SCR_ADMIN:
			return actions_go(a, SCR_HOME);
		case SCR_LAYOUT:
			return actions_go(a, SCR_HALLS);
		case SCR_COMMENTS:
			return actions_go(a, SCR_FILMS);
		case SCR_HOME:
			return 0;
		default:
			return actions_go(a, SCR_ADMIN);
		}
	case ACT_PICK: {
		enum str_id why = app_toggle_pick(a);
		if (why != S_COUNT) {
			char id[PROTO_SEAT_ID_SIZE] = "";
			proto_seat_format(
			    a->map.cur_r,
			    proto_layout_number_at(&a->map.layout, a->map.cur_r, a->map.cur_c), id);
			app_status(a, ST_ERROR, tr(why), id);
		}
		return 1;
	}
	case ACT_BEST:
		form_open(a, FORM_BEST, S_BEST_COUNT, 0);
		form_add(a, S_BEST_COUNT, NULL, FT_INT, "2");
		return 1;
	case ACT_TICKET_TYPE: {
		char id[PROTO_SEAT_ID_SIZE];
		int i, n = proto_layout_number_at(&a->map.layout, a->map.cur_r, a->map.cur_c);
		if (n <= 0 || proto_seat_format(a->map.cur_r, n, id) < 0 ||
		    (i = app_pick_index(a, id)) < 0)
			return 0;
		a->map.picks[i].type =
		    (a->map.picks[i].type + 1) % (a->map.ntypes ? a->map.ntypes : 1);
		return 1;
	}
	case ACT_RELEASE:
		if (a->map.npicks > 0 || a->map.hold_id) {
			if (a->map.hold_id)
				req_id(a, RQ_RELEASE, PROTO_PATH_SEAT_RELEASE, a->map.hold_id);
			a->map.hold_id = 0;
			a->map.held = 0;
			a->map.npicks = 0;
			return 1;
		}
		return actions_go(a, SCR_HOME);
	case ACT_PAY_CASH:
	case ACT_PAY_CARD:
		if (a->order.paying)
			return 0;
		a->order.method = act == ACT_PAY_CASH ? PAY_CASH : PAY_CARD;
		return 1;
	case ACT_PRINT:
		if ((it = cJSON_GetArrayItem(a->order.items, a->order.ticket_sel))) {
			char where[300], err[200];
			if (printout_ticket(a, it, where, sizeof(where), err, sizeof(err)) == 0)
				app_status(a, ST_OK, tr(where[0] == '@' ? S_PRINTED : S_SAVED_TO),
				           where[0] == '@' ? where + 1 : where);
			else
				app_status(a, ST_ERROR, tr(S_PRINT_FAIL), err);
		}
		return 1;
	case ACT_NEW:
		switch (a->screen) {
		case SCR_FILMS:
			edit_film_form(a, NULL);
			return 1;
		case SCR_HALLS:
			open_layout(a, NULL);
			return 1;
		case SCR_SCHED:
			if (!app_list_count(&a->halls)) {
				app_status(a, ST_ERROR, "%s", tr(S_ERR_not_found));
				return 1;
			}
			form_open(a, FORM_SCREENING_NEW, S_NEW_SCREENING, 0);
			form_add(a, S_FILM_ID, "filmId", FT_INT, NULL);
			form_add(a, S_START, "startAt", FT_TIME, "20:00");
			form_add(a, S_PRICE_S, "S", FT_MONEY, NULL);
			form_add(a, S_PRICE_V, "V", FT_MONEY, NULL);
			return 1;
		case SCR_ADVERTS:
			form_open(a, FORM_ADVERT_NEW, S_NEW_ADVERT, 0);
			form_add(a, S_TITLE, "title", FT_TEXT, NULL);
			form_add(a, S_CONTENT, "content", FT_TEXT, NULL);
			form_add(a, S_IS_COM, "isCom", FT_INT, "0");
			return 1;
		case SCR_USERS:
			form_open(a, FORM_USER_NEW, S_NEW_CASHIER, 0);
			form_add(a, S_NAME, "name", FT_TEXT, NULL);
			form_add(a, S_MOBILE, "mobile", FT_TEXT, NULL);
			form_add(a, S_EMAIL, "email", FT_TEXT, NULL);
			form_add(a, S_PASSWORD, "password", FT_PASSWORD, NULL);
			return 1;
		default:
			return 0;
		}
	case ACT_EDIT:
		return do_enter(a);
	case ACT_REMOVE:
		if (!(l = current_list(a)) || !(it = app_list_selected(l)))
			return 0;
		snprintf(buf, sizeof(buf), "%s",
		         jstr(it, a->screen == SCR_ADVERTS ? "title" : "name"));
		confirm(a, ACT_CONFIRM, buf);
		return 1;
	case ACT_CONFIRM:
		if (a->screen == SCR_SHIFT) {
			cJSON *b;
			if (!a->shift.confirm)
				return 0;
			a->shift.confirm = 0;
			b = obj();
			add_num(b, "counted", app_parse_money(a->shift.counted_text));
			app_request(a, RQ_SHIFT_CLOSE, 0, PROTO_PATH_SHIFT_CLOSE, b);
			return 1;
		}
		if (!(l = current_list(a)) || !(it = app_list_selected(l)))
			return 0;
		if (a->screen == SCR_FILMS)
			req_id(a, RQ_FILM_REMOVE, PROTO_PATH_FILM_REMOVE, jnum(it, "id", 0));
		else if (a->screen == SCR_HALLS)
			req_id(a, RQ_FILM_REMOVE, PROTO_PATH_HALL_REMOVE, jnum(it, "id", 0));
		else if (a->screen == SCR_ADVERTS)
			req_id(a, RQ_ADVERT_REMOVE, PROTO_PATH_ADVERT_REMOVE, jnum(it, "id", 0));
		return 1;
	case ACT_SEARCH:
		if (a->screen == SCR_HOME) {
			form_open(a, FORM_HOME_SEARCH, S_SEARCH, 0);
			form_add(a, S_COL_FILM, NULL, FT_TEXT, a->home_query);
			return 1;
		}
		if (a->screen == SCR_FILMS) {
			form_open(a, FORM_FILM_SEARCH, S_SEARCH, 0);
			form_add(a, S_SEARCH, NULL, FT_TEXT, a->film_query);
		} else {
			form_open(a, FORM_ORDER_SEARCH, S_ORDERS_TITLE, 0);
			form_add(a, S_ORDER_QUERY, NULL, FT_TEXT, NULL);
		}
		return 1;
	case ACT_REFRESH:
		load_current(a);
		return 1;
	case ACT_TOGGLE:
		if (a->screen == SCR_REPORTS) {
			a->report_kind = !a->report_kind;
			load_report(a);
			return 1;
		}
		if (!(l = current_list(a)) || !(it = app_list_selected(l)))
			return 0;
		if (a->screen == SCR_COMMENTS) {
			cJSON *b = obj();
			add_num(b, "id", jnum(it, "id", 0));
			add_num(b, "hidden", !jnum(it, "hidden", 0));
			app_request(a, RQ_COMMENT_HIDE, 0, PROTO_PATH_COMMENT_HIDE, b);
		} else if (a->screen == SCR_USERS) {
			cJSON *b = obj();
			add_num(b, "id", jnum(it, "id", 0));
			add_num(b, "disabled", !jnum(it, "disabled", 0));
			app_request(a, RQ_USER_DISABLE, 0, PROTO_PATH_USER_DISABLE, b);
		}
		return 1;
	case ACT_REFUND:
		if (!(it = app_list_selected(&a->orders)))
			return 0;
		form_open(a, FORM_REFUND, S_KEY_REFUND, jnum(it, "id", 0));
		form_add(a, S_REASON, "reason", FT_TEXT, NULL);
		return 1;
	case ACT_OPEN_SHIFT:
		if (a->shift.open)
			return 0;
		form_open(a, FORM_SHIFT_OPEN, S_KEY_OPEN_SHIFT, 0);
		form_add(a, S_FLOAT, "float", FT_MONEY, NULL);
		return 1;
	case ACT_CLOSE_SHIFT:
		if (!a->shift.open)
			return 0;
		a->shift.closed = 0;
		form_open(a, FORM_SHIFT_CLOSE, S_CONFIRM_CLOSE, 0);
		form_add(a, S_COUNTED, "counted", FT_MONEY, NULL);
		return 1;
	case ACT_GROUP:
		a->report_group = (a->report_group + 1) % 4;
		a->report_kind = 0;
		load_report(a);
		return 1;
	case ACT_HALL_NEXT: {
		int n = app_list_count(&a->halls);
		if (n)
			a->sched_hall = (a->sched_hall + 1) % n;
		a->sched.sel = 0;
		return 1;
	}
	case ACT_ADD_ROW:
		if (a->led.nrows >= PROTO_LAYOUT_MAX_ROWS)
			return 0;
		memmove(&a->led.rows[a->led.cr + 2], &a->led.rows[a->led.cr + 1],
		        (size_t)(a->led.nrows - a->led.cr - 1) * sizeof(a->led.rows[0]));
		memcpy(a->led.rows[a->led.cr + 1], a->led.rows[a->led.cr], sizeof(a->led.rows[0]));
		a->led.nrows++;
		a->led.cr++;
		app_layout_check(&a->led);
		return 1;
	case ACT_DEL_ROW:
		if (a->led.nrows <= 1)
			return 0;
		memmove(&a->led.rows[a->led.cr], &a->led.rows[a->led.cr + 1],
		        (size_t)(a->led.nrows - a->led.cr - 1) * sizeof(a->led.rows[0]));
		a->led.nrows--;
		if (a->led.cr >= a->led.nrows)
			a->led.cr = a->led.nrows - 1;
		app_layout_check(&a->led);
		return 1;
	case ACT_RENAME:
		form_open(a, FORM_HALL_NAME, S_HALL_NAME, 0);
		form_add(a, S_HALL_NAME, NULL, FT_TEXT, a->led.name);
		return 1;
	case ACT_SAVE: {
		cJSON *b, *rows;
		app_layout_check(&a->led);
		if (!a->led.ok) {
			app_status(a, ST_ERROR, "%s", a->led.verdict);
			return 1;
		}
		if (!a->led.name[0])
			return actions_do(a, ACT_RENAME);
		b = obj();
		if (a->led.hall_id)
			add_num(b, "id", a->led.hall_id);
		cJSON_AddStringToObject(b, "name", a->led.name);
		rows = cJSON_AddArrayToObject(b, "layout");
		for (int i = 0; i < a->led.nrows; i++)
			cJSON_AddItemToArray(rows, cJSON_CreateString(a->led.rows[i]));
		app_request(a, RQ_HALL_SAVE, a->led.hall_id,
		            a->led.hall_id ? PROTO_PATH_HALL_UPDATE : PROTO_PATH_HALL_CREATE, b);
		return 1;
	}
	case ACT_COMMENTS:
		if (!(it = app_list_selected(&a->films)))
			return 0;
		a->comments_film = jnum(it, "id", 0);
		snprintf(a->comments_film_name, sizeof(a->comments_film_name), "%s",
		         jstr(it, "name"));
		return actions_go(a, SCR_COMMENTS);
	default:
		return 0;
	}
}

/* --- answers ---------------------------------------------------------------------- */

/* Show an error answer in words; mark the form field it names. */
static void show_error(struct app *a, long status, cJSON *root, const char *neterr)
{
	const char *slug = jstr(root, "error"), *msg = jstr(root, "msg");
	cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data");
	const char *field = jstr(data, "field");
	char extra[160] = "";
	struct form_field *f;

	if (status == 0) {
		app_status(a, ST_ERROR, tr(S_NET_DOWN), neterr ? neterr : "?");
		return;
	}
	if (!root) {
		app_status(a, ST_ERROR, tr(S_ERR_HTTP), status);
		return;
	}
	if (!strcmp(slug, "seat_taken")) {
		const cJSON *c, *conf = cJSON_GetObjectItemCaseSensitive(data, "conflicts");
		size_t n = 0;
		cJSON_ArrayForEach(c, conf)
		{
			if (cJSON_IsString(c) && n + 6 < sizeof(extra))
				n += (size_t)snprintf(extra + n, sizeof(extra) - n, "%s%s",
				                      n ? " " : "", c->valuestring);
		}
	} else if (field[0]) {
		snprintf(extra, sizeof(extra), "%s", field);
		if ((f = form_field(a, field)))
			f->bad = 1;
	} else if (jstr(data, "reason")[0]) {
		snprintf(extra, sizeof(extra), "%s", jstr(data, "reason"));
	} else {
		snprintf(extra, sizeof(extra), "%s", msg);
	}
	app_status(a, ST_ERROR, "%s%s%s", tr_error(slug), extra[0] ? ": " : "", extra);
}

static void order_from(struct app *a, cJSON *d)
{
	cJSON *items;

	a->order.id = jnum(d, "id", a->order.id);
	a->order.status = (int)jnum(d, "status", a->order.status);
	snprintf(a->order.status_text, sizeof(a->order.status_text), "%s",
	         jstr(d, "statusText")[0] ? jstr(d, "statusText")
	                                  : proto_order_status_text(a->order.status));
	a->order.amount = jnum(d, "amount", a->order.amount);
	a->order.expire_at = jnum(d, "expireAt", a->order.expire_at);
	if ((items = cJSON_DetachItemFromObjectCaseSensitive(d, "items"))) {
		cJSON_Delete(a->order.items);
		a->order.items = items;
	}
}

/* The order became paid: fetch it for its ticket codes, then show the tickets. */
static void order_paid(struct app *a)
{
	app_status(a, ST_OK, tr(S_ORDER_STATUS), (long long)a->order.id, tr(S_PAID));
	req_id(a, RQ_ORDER_DETAIL, PROTO_PATH_ORDER_DETAIL, a->order.id);
}

static int on_ok(struct app *a, enum req_tag tag, int64_t ctx, cJSON *root, cJSON *d)
{
	cJSON *it;
	char buf[64];

	switch (tag) {
	case RQ_LOGIN: {
		const char *role = jstr(d, "role");
		if (!strcmp(role, PROTO_ROLE_NAME_CUSTOMER) || !role[0]) {
			a->form.f[1].value[0] = '\0';
			app_status(a, ST_ERROR, "%s", tr(S_LOGIN_CUSTOMER));
			return 1;
		}
		snprintf(a->token, sizeof(a->token), "%s", jstr(d, "accessToken"));
		snprintf(a->role, sizeof(a->role), "%s", role);
		app_request(a, RQ_USERINFO, 0, PROTO_PATH_USER_INFO, NULL);
		app_request(a, RQ_SHIFT_CURRENT, 0, PROTO_PATH_SHIFT_CURRENT, NULL);
		actions_go(a, SCR_HOME);
		return 1;
	}
	case RQ_USERINFO:
		snprintf(a->user_name, sizeof(a->user_name), "%s", jstr(d, "name"));
		a->uid = jnum(d, "id", 0);
		app_status(a, ST_OK, tr(S_LOGIN_OK), a->user_name);
		return 1;
	case RQ_SCREENINGS: {
		cJSON *l = take_list(d);
		if (ctx_day(ctx) != a->day) {
			cJSON_Delete(l);
			return 0;
		}
		/* the film filter of "/" keeps what matches, case and all */
		for (int i = cJSON_GetArraySize(l) - 1; a->home_query[0] && i >= 0; i--)
			if (!strstr(jstr(cJSON_GetArrayItem(l, i), "filmName"), a->home_query))
				cJSON_DeleteItemFromArray(l, i);
		screenings_page(a, RQ_SCREENINGS, &a->screenings, l, ctx_page(ctx),
		                (int)jnum(d, "total", 0));
		return 1;
	}
	case RQ_SCHED:
		if (ctx_day(ctx) != a->day)
			return 0;
		screenings_page(a, RQ_SCHED, &a->sched, take_list(d), ctx_page(ctx),
		                (int)jnum(d, "total", 0));
		return 1;
	case RQ_SEATS:
		if (ctx != a->map.screening_id)
			return 0;
		app_seats_snapshot(a, d);
		return 1;
	case RQ_HOLD: {
		struct seatmap *m = &a->map;
		const cJSON *seats = cJSON_GetObjectItemCaseSensitive(d, "seats");
		int keep[APP_MAX_PICKS], n = 0;
		m->hold_id = jnum(d, "holdId", 0);
		m->hold_expire = jnum(d, "expireAt", 0);
		/* the picks become the held seats, keeping the types already chosen */
		cJSON_ArrayForEach(it, seats)
		{
			int i = cJSON_IsString(it) ? app_pick_index(a, it->valuestring) : -1;
			keep[n] = i >= 0 ? m->picks[i].type : 0;
			if (++n >= APP_MAX_PICKS)
				break;
		}
		n = 0;
		cJSON_ArrayForEach(it, seats)
		{
			if (!cJSON_IsString(it) || n >= APP_MAX_PICKS)
				continue;
			snprintf(m->picks[n].seat, sizeof(m->picks[n].seat), "%s", it->valuestring);
			m->picks[n].type = keep[n];
			n++;
		}
		m->npicks = n;
		m->held = 1;
		buf[0] = '\0';
		for (int i = 0, k = 0; i < n; i++)
			k += snprintf(buf + k, sizeof(buf) - (size_t)k, "%s%s", i ? " " : "",
			              m->picks[i].seat);
		app_status(a, ST_OK, tr(S_HELD_SEATS), buf);
		if (ctx)
			send_order(a);
		return 1;
	}
	case RQ_ORDER_CREATE:
		order_from(a, d);
		a->order.change = -1;
		a->order.paying = 0;
		a->order.pay_id = 0;
		a->order.tendered[0] = '\0';
		a->screen = SCR_PAY;
		order_polled_ms = a->now_ms;
		app_status(a, ST_INFO, tr(S_ORDER_PENDING), (long long)a->order.id);
		return 1;
	case RQ_ORDER_DETAIL: {
		int was = a->order.status;
		if (jnum(d, "id", 0) != a->order.id)
			return 0;
		order_from(a, d);
		if (a->order.status == PROTO_ORDER_PAID) {
			if (was != PROTO_ORDER_PAID)
				app_status(a, ST_OK, tr(S_ORDER_STATUS), (long long)a->order.id,
				           tr(S_PAID));
			if (a->screen == SCR_ORDERS && jnum(d, "screeningId", 0) > 0)
				/* tickets found by search: film, hall and time come from the
				 * screening */
				req_id(a, RQ_SCREENING_DETAIL, PROTO_PATH_SCREENING_DETAIL,
				       jnum(d, "screeningId", 0));
			if (a->screen == SCR_PAY || a->screen == SCR_ORDERS) {
				a->order.ticket_sel = 0;
				a->screen = SCR_TICKET;
			}
		} else if (was != a->order.status) {
			app_status(a, ST_INFO, tr(S_ORDER_STATUS), (long long)a->order.id,
			           a->order.status_text);
		}
		return 1;
	}
	case RQ_SCREENING_DETAIL:
		if (a->screen != SCR_TICKET || a->map.screening_id)
			return 0;
		snprintf(a->map.film, sizeof(a->map.film), "%s", jstr(d, "filmName"));
		snprintf(a->map.hall, sizeof(a->map.hall), "%s", jstr(d, "hallName"));
		a->map.start_at = jnum(d, "startAt", 0);
		return 1;
	case RQ_PAY:
		a->order.pay_id = jnum(d, "id", 0);
		a->order.change = jnum(d, "change", 0);
		a->order.amount = jnum(d, "amount", a->order.amount);
		app_status(a, ST_INFO, "%s", tr(S_WAIT_PAID));
		order_polled_ms = a->now_ms;
		return 1;
	case RQ_CHECKIN: {
		const char *r = jstr(d, "result");
		struct checkin_view *c = &a->checkin;
		c->result = !strcmp(r, "admitted")          ? CHK_ADMITTED
		            : !strcmp(r, "already_used")    ? CHK_ALREADY_USED
		            : !strcmp(r, "void")            ? CHK_VOID
		            : !strcmp(r, "wrong_screening") ? CHK_WRONG_SCREENING
		            : !strcmp(r, "too_early")       ? CHK_TOO_EARLY
		                                            : CHK_UNKNOWN;
		snprintf(c->seat, sizeof(c->seat), "%s", jstr(d, "seat"));
		snprintf(c->film, sizeof(c->film), "%s", jstr(d, "film"));
		c->used_at = jnum(d, "usedAt", 0);
		return 1;
	}
	case RQ_SHIFT_CURRENT: {
		struct shift_view *s = &a->shift;
		const cJSON *sales = cJSON_GetObjectItemCaseSensitive(d, "sales");
		s->loaded = 1;
		s->open = 1;
		s->id = jnum(d, "id", 0);
		s->opened_at = jnum(d, "openedAt", 0);
		s->float_amount = jnum(d, "float", 0);
		s->expected = jnum(d, "expectedCash", 0);
		s->refunds = jnum(d, "refunds", 0);
		s->sales_cash = jnum(sales, "cash", 0);
		s->sales_card = jnum(sales, "card", 0);
		s->sales_other = 0;
		cJSON_ArrayForEach(it, sales)
		{
			if (it->string && strcmp(it->string, "cash") &&
			    strcmp(it->string, "card") && cJSON_IsNumber(it))
				s->sales_other += (int64_t)it->valuedouble;
		}
		return 1;
	}
	case RQ_SHIFT_OPEN:
		form_close(a);
		app_status(a, ST_OK, "%s", tr(S_SHIFT_OPENED));
		app_request(a, RQ_SHIFT_CURRENT, 0, PROTO_PATH_SHIFT_CURRENT, NULL);
		return 1;
	case RQ_SHIFT_CLOSE:
		a->shift.closed = 1;
		a->shift.open = 0;
		a->shift.close_expected = jnum(d, "expectedCash", 0);
		a->shift.close_counted = jnum(d, "counted", 0);
		a->shift.close_variance = jnum(d, "variance", 0);
		app_status(a, ST_OK, "%s", tr(S_SHIFT_CLOSED));
		return 1;
	case RQ_ORDER_SEARCH:
		app_list_set(&a->orders, take_list(d));
		return 1;
	case RQ_REFUND:
		form_close(a);
		app_status(a, ST_OK, "%s", tr(S_REFUNDED));
		return 1;
	case RQ_FILMS:
		a->films.total = (int)jnum(d, "total", 0);
		app_list_set(&a->films, take_list(d));
		return 1;
	case RQ_FILM_SAVE:
	case RQ_ADVERT_SAVE:
	case RQ_USER_CREATE:
	case RQ_SCREENING_CREATE:
		form_close(a);
		if (jnum(d, "id", 0) > 0)
			app_status(a, ST_OK, tr(S_CREATED), (long long)jnum(d, "id", 0));
		else
			app_status(a, ST_OK, "%s", tr(S_SAVED));
		load_current(a);
		return 1;
	case RQ_FILM_REMOVE:
	case RQ_ADVERT_REMOVE:
	case RQ_COMMENT_HIDE:
	case RQ_USER_DISABLE:
		/* a change of a listed row: the list is loaded again */
		app_status(
		    a, ST_OK, "%s",
		    tr(tag == RQ_COMMENT_HIDE || tag == RQ_USER_DISABLE ? S_SAVED : S_REMOVED));
		load_current(a);
		return 1;
	case RQ_HALLS: {
		/*
		 * The schedule stays on the hall it showed, by id: halls made
		 * meanwhile (by another admin) shift the list's indexes.
		 */
		int64_t keep = jnum(cJSON_GetArrayItem(a->halls.items, a->sched_hall), "id", 0);
		const cJSON *h;
		int i = 0;

		app_list_set(&a->halls, take_list(d));
		if (a->sched_hall >= app_list_count(&a->halls))
			a->sched_hall = 0;
		cJSON_ArrayForEach(h, a->halls.items)
		{
			if (keep && jnum(h, "id", 0) == keep) {
				a->sched_hall = i;
				break;
			}
			i++;
		}
		return 1;
	}
	case RQ_HALL_DETAIL:
		if (a->screen == SCR_HALLS)
			open_layout(a, d);
		return 1;
	case RQ_HALL_SAVE:
		if (jnum(d, "id", 0) > 0) {
			a->led.hall_id = jnum(d, "id", 0);
			app_status(a, ST_OK, tr(S_CREATED), (long long)a->led.hall_id);
		} else {
			app_status(a, ST_OK, "%s", tr(S_SAVED));
		}
		return 1;
	case RQ_ADVERTS: {
		cJSON *l = take_list(d), *mine = a->adverts.items;
		if (!mine)
			mine = cJSON_CreateArray();
		else
			a->adverts.items = NULL;
		while (l && cJSON_GetArraySize(l) > 0)
			cJSON_AddItemToArray(mine, cJSON_DetachItemFromArray(l, 0));
		cJSON_Delete(l);
		app_list_set(&a->adverts, mine);
		return 1;
	}
	case RQ_COMMENTS:
		if (ctx != a->comments_film)
			return 0;
		app_list_set(&a->comments, take_list(d));
		return 1;
	case RQ_USERS:
		app_list_set(&a->users, take_list(d));
		return 1;
	case RQ_REPORT_SALES:
	case RQ_REPORT_OCC:
		a->report_missing = 0;
		app_list_set(&a->report, take_list(d));
		return 1;
	default:
		(void)root;
		return 0;
	}
}

int actions_response(struct app *a, enum req_tag tag, int64_t ctx, long status, const char *body,
                     const char *neterr)
{
	cJSON *root = body ? cJSON_Parse(body) : NULL;
	cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "data");
	const char *slug = jstr(root, "error");
	int r = 1;

	if (a->inflight > 0)
		a->inflight--;
	if (status == 200 && cJSON_IsObject(d)) {
		r = on_ok(a, tag, ctx, root, d);
		goto out;
	}
	/* answers that mean something particular */
	if (tag == RQ_LOGIN && a->form.purpose == FORM_LOGIN) {
		/* a refused password is not left on the screen */
		a->form.f[1].value[0] = '\0';
		a->form.cur = 1;
	}
	if (tag == RQ_LOGIN && status == 403) {
		app_status(a, ST_ERROR, "%s", tr(S_LOGIN_CUSTOMER));
		goto out;
	}
	if (tag == RQ_LOGIN && status == 401) {
		app_status(a, ST_ERROR, "%s", tr(S_LOGIN_BAD));
		goto out;
	}
	if (status == 401 && a->token[0]) {
		show_error(a, status, root, neterr);
		a->token[0] = '\0';
		actions_go(a, SCR_LOGIN);
		goto out;
	}
	if (tag == RQ_RELEASE || tag == RQ_USERINFO)
		goto out; /* a release that fails frees itself at expiry */
	if (tag == RQ_SHIFT_CURRENT && (status == 404 || status == 409)) {
		a->shift.loaded = 1;
		a->shift.open = 0;
		goto out;
	}
	if (tag == RQ_CHECKIN && status == 404 && !strcmp(slug, "not_found")) {
		a->checkin.result = CHK_UNKNOWN;
		goto out;
	}
	if ((tag == RQ_REPORT_SALES || tag == RQ_REPORT_OCC) && status == 404) {
		a->report_missing = 1;
		app_list_set(&a->report, NULL);
		app_status(a, ST_ERROR, "%s", tr(S_REPORT_MISSING));
		goto out;
	}
	if (tag == RQ_SCREENING_CREATE && status == 409) {
		app_status(a, ST_ERROR, "%s", tr(S_OVERLAP));
		goto out;
	}
	if (tag == RQ_PAY) {
		a->order.paying = 0;
		if (!strcmp(jstr(cJSON_GetObjectItemCaseSensitive(root, "data"), "reason"),
		            "no_open_shift")) {
			app_status(a, ST_ERROR, "%s", tr(S_NEED_SHIFT));
			goto out;
		}
	}
	if (tag == RQ_HOLD && status == 409 && !strcmp(slug, "seat_taken"))
		req_id(a, RQ_SEATS, PROTO_PATH_SCREENING_SEATS, a->map.screening_id);
	if (tag == RQ_ORDER_CREATE && status == 410) {
		a->map.hold_id = 0;
		a->map.held = 0;
	}
	show_error(a, status, root, neterr);
out:
	cJSON_Delete(root);
	return r;
}

/* --- WebSocket ----------------------------------------------------------------------- */

int actions_ws_message(struct app *a, const char *text)
{
	cJSON *m = cJSON_Parse(text);
	const char *type = jstr(m, "type");
	int r = 0;

	if (!strcmp(type, PROTO_WS_TYPE_SEATS_SNAPSHOT)) {
		if (app_seats_snapshot(a, m) == 0) {
			a->map.live = 1;
			r = 1;
		}
	} else if (!strcmp(type, PROTO_WS_TYPE_SEATS_DELTA)) {
		int k = app_seats_delta(a, m);
		if (k < 0) {
			a->map.live = 0;
			a->ws_resub = 1;
		}
		r = k != 0;
	} else if (!strcmp(type, PROTO_WS_TYPE_ORDER_UPDATE)) {
		if (jnum(m, "orderId", 0) == a->order.id && a->order.id) {
			int was = a->order.status;
			a->order.status = (int)jnum(m, "status", a->order.status);
			snprintf(a->order.status_text, sizeof(a->order.status_text), "%s",
			         jstr(m, "statusText"));
			if (a->order.status == PROTO_ORDER_PAID && was != PROTO_ORDER_PAID)
				order_paid(a);
			r = 1;
		}
	} else if (!strcmp(type, PROTO_WS_TYPE_ANNOUNCEMENT)) {
		cJSON *adv = cJSON_GetObjectItemCaseSensitive(m, "advert");
		app_status(a, ST_INFO, "%s: %s", tr(S_ANNOUNCEMENT), jstr(adv, "title"));
		r = 1;
	}
	cJSON_Delete(m);
	return r;
}

int actions_ws_state(struct app *a, int up)
{
	a->ws_up = up;
	if (!up)
		a->map.live = 0;
	return 1;
}

int actions_tick(struct app *a)
{
	int r = 0;

	if (!a->token[0])
		return 0;
	if (a->screen == SCR_HOME && a->now - a->screenings_at >= HOME_REFRESH_S &&
	    a->inflight == 0) {
		load_screenings(a);
		r = 1;
	}
	if (a->screen == SCR_SEATS && a->map.screening_id && !a->map.live &&
	    a->now_ms - seats_polled_ms >= SEATS_POLL_MS && a->inflight == 0) {
		/* without the WebSocket the map stays current by asking */
		req_id(a, RQ_SEATS, PROTO_PATH_SCREENING_SEATS, a->map.screening_id);
		seats_polled_ms = a->now_ms;
	}
	if (a->map.hold_id && a->order.id == 0 && a->map.hold_expire &&
	    a->now >= a->map.hold_expire) {
		a->map.hold_id = 0;
		a->map.held = 0;
		a->map.npicks = 0;
		app_status(a, ST_ERROR, "%s", tr(S_HOLD_EXPIRED));
		r = 1;
	}
	if (a->screen == SCR_PAY && a->order.id &&
	    (a->order.status == PROTO_ORDER_PENDING || a->order.status == -1 ||
	     (a->order.paying && a->order.status == PROTO_ORDER_UNPAID)) &&
	    a->now_ms - order_polled_ms >= ORDER_POLL_MS && a->inflight == 0) {
		/* order.update may be late or the WebSocket down: ask as well */
		req_id(a, RQ_ORDER_DETAIL, PROTO_PATH_ORDER_DETAIL, a->order.id);
		order_polled_ms = a->now_ms;
	}
	if (a->screen == SCR_SEATS || a->screen == SCR_PAY || a->screen == SCR_HOME)
		r = 1; /* countdowns and the clock */
	return r;
}
