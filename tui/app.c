/* app.c: the client's state and its model operations (no curses, no I/O). */
#include "app.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto_wire.h"
#include "proto_json.h"

const char *const app_report_groups[4] = {"film", "day", "cashier", "method"};

void app_init(struct app *a)
{
	memset(a, 0, sizeof(*a));
	a->screen = SCR_LOGIN;
	a->running = 1;
	a->order.status = -1;
	a->order.change = -1;
}

void app_list_free(struct app_list *l)
{
	cJSON_Delete(l->items);
	memset(l, 0, sizeof(*l));
}

void app_release(struct app *a)
{
	struct app_req r;

	while (app_take_request(a, &r) == 0)
		free(r.body);
	app_list_free(&a->screenings);
	app_list_free(&a->orders);
	app_list_free(&a->films);
	app_list_free(&a->halls);
	app_list_free(&a->sched);
	app_list_free(&a->adverts);
	app_list_free(&a->comments);
	app_list_free(&a->users);
	app_list_free(&a->report);
	cJSON_Delete(a->order.items);
	a->order.items = NULL;
}

void app_status(struct app *a, enum status_kind kind, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(a->status, sizeof(a->status), fmt, ap);
	va_end(ap);
	a->status_kind = kind;
}

int app_is_admin(const struct app *a)
{
	return !strcmp(a->role, PROTO_ROLE_NAME_ADMIN);
}

int app_request(struct app *a, enum req_tag tag, int64_t ctx, const char *path, cJSON *body)
{
	struct app_req *r;
	char *text;

	if (a->nout >= APP_OUTBOX_MAX) {
		cJSON_Delete(body);
		return -1;
	}
	text = body ? proto_json_print(body) : NULL;
	cJSON_Delete(body);
	if (body && !text)
		return -1;
	r = &a->outbox[a->nout++];
	r->tag = tag;
	r->ctx = ctx;
	snprintf(r->path, sizeof(r->path), "%s", path);
	r->body = text;
	return 0;
}

int app_take_request(struct app *a, struct app_req *out)
{
	if (a->nout == 0)
		return -1;
	*out = a->outbox[0];
	memmove(&a->outbox[0], &a->outbox[1], (size_t)(a->nout - 1) * sizeof(a->outbox[0]));
	a->nout--;
	return 0;
}

int app_list_count(const struct app_list *l)
{
	return l->items ? cJSON_GetArraySize(l->items) : 0;
}

void app_list_set(struct app_list *l, cJSON *arr)
{
	int n;

	cJSON_Delete(l->items);
	l->items = arr && cJSON_IsArray(arr) ? arr : cJSON_CreateArray();
	if (arr && l->items != arr)
		cJSON_Delete(arr);
	l->loaded = 1;
	n = app_list_count(l);
	if (l->sel >= n)
		l->sel = n > 0 ? n - 1 : 0;
	if (l->sel < 0)
		l->sel = 0;
	if (l->top > l->sel)
		l->top = l->sel;
}

cJSON *app_list_selected(const struct app_list *l)
{
	return l->items ? cJSON_GetArrayItem(l->items, l->sel) : NULL;
}

void app_list_move(struct app_list *l, int delta)
{
	int n = app_list_count(l);

	l->sel += delta;
	if (l->sel >= n)
		l->sel = n - 1;
	if (l->sel < 0)
		l->sel = 0;
}

const char *app_money(int64_t minor, char *buf, unsigned len)
{
	int64_t m = minor < 0 ? -minor : minor;

	snprintf(buf, len, "%s%lld.%02lld", minor < 0 ? "-" : "", (long long)(m / 100),
	         (long long)(m % 100));
	return buf;
}

int64_t app_parse_money(const char *s)
{
	int64_t whole = 0, frac = 0;
	int nd = 0, digits = 0;

	while (*s == ' ')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		whole = whole * 10 + (*s - '0');
		if (whole > 1000000000000LL)
			return -1;
	}
	if (*s == '.') {
		for (s++; *s >= '0' && *s <= '9'; s++, nd++) {
			if (nd >= 2)
				return -1;
			frac = frac * 10 + (*s - '0');
		}
		if (nd == 1)
			frac *= 10;
	}
	while (*s == ' ')
		s++;
	if (*s || (digits == 0 && nd == 0))
		return -1;
	return whole * 100 + frac;
}

/* --- seat map ------------------------------------------------------------- */

static int64_t num(const cJSON *o, const char *key, int64_t dflt)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : dflt;
}

int app_seats_snapshot(struct app *a, const cJSON *d)
{
	struct seatmap *m = &a->map;
	struct proto_layout l;
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(d, "state"), *row;
	char state[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
	int i = 0;

	if (num(d, "screeningId", 0) != m->screening_id)
		return -1;
	if (proto_layout_from_json(&l, cJSON_GetObjectItemCaseSensitive(d, "layout"), NULL, 0) <
	        0 ||
	    !cJSON_IsArray(st) || cJSON_GetArraySize(st) != l.nrows)
		return -1;
	cJSON_ArrayForEach(row, st)
	{
		if (!cJSON_IsString(row) || (int)strlen(row->valuestring) != l.width[i])
			return -1;
		memcpy(state[i], row->valuestring, (size_t)l.width[i] + 1);
		i++;
	}
	m->layout = l;
	memcpy(m->state, state, sizeof(state));
	m->version = num(d, "version", 0);
	if (!m->loaded) {
		/* the cursor starts on the first seat of the middle row */
		m->cur_r = l.nrows / 2;
		m->cur_c = 0;
		m->loaded = 1;
		app_cursor_move(a, 0, 0);
	}
	return 0;
}

/* A picked seat that someone else took goes out of the pick list. */
static void drop_taken_picks(struct app *a)
{
	struct seatmap *m = &a->map;
	int r, c;

	if (m->held)
		return;
	for (int i = 0; i < m->npicks;) {
		char s = 'x';
		if (proto_layout_lookup(&m->layout, m->picks[i].seat, &r, &c, NULL) == 0)
			s = m->state[r][c];
		if (s != PROTO_STATE_FREE && s != PROTO_STATE_HOUSE) {
			app_status(a, ST_ERROR, tr(S_SEAT_NOT_FREE), m->picks[i].seat);
			memmove(&m->picks[i], &m->picks[i + 1],
			        (size_t)(m->npicks - i - 1) * sizeof(m->picks[0]));
			m->npicks--;
		} else {
			i++;
		}
	}
}

int app_seats_delta(struct app *a, const cJSON *msg)
{
	struct seatmap *m = &a->map;
	const cJSON *ch = cJSON_GetObjectItemCaseSensitive(msg, "changes"), *it;
	int64_t from = num(msg, "from", -1), ver = num(msg, "version", -1);

	if (!m->loaded || num(msg, "screeningId", 0) != m->screening_id)
		return 0;
	if (ver <= m->version)
		return 0;
	if (from > m->version || from < 0)
		return -1;
	cJSON_ArrayForEach(it, ch)
	{
		const cJSON *seat = cJSON_GetObjectItemCaseSensitive(it, "seat");
		const cJSON *state = cJSON_GetObjectItemCaseSensitive(it, "state");
		int r, c;

		if (!cJSON_IsString(seat) || !cJSON_IsString(state) || !state->valuestring[0])
			continue;
		if (proto_layout_lookup(&m->layout, seat->valuestring, &r, &c, NULL) == 0)
			m->state[r][c] = state->valuestring[0];
	}
	m->version = ver;
	drop_taken_picks(a);
	return 1;
}

char app_seat_state(const struct app *a, int r, int c)
{
	const struct seatmap *m = &a->map;

	if (r < 0 || r >= m->layout.nrows || c < 0 || c >= m->layout.width[r])
		return PROTO_STATE_NONE;
	return m->state[r][c];
}

int app_pick_index(const struct app *a, const char *seat)
{
	for (int i = 0; i < a->map.npicks; i++)
		if (!strcmp(a->map.picks[i].seat, seat))
			return i;
	return -1;
}

enum str_id app_toggle_pick(struct app *a)
{
	struct seatmap *m = &a->map;
	char id[PROTO_SEAT_ID_SIZE];
	int n = proto_layout_number_at(&m->layout, m->cur_r, m->cur_c), i;
	char s = app_seat_state(a, m->cur_r, m->cur_c);

	if (n <= 0 || proto_seat_format(m->cur_r, n, id) < 0)
		return S_NO_PICK;
	if ((i = app_pick_index(a, id)) >= 0) {
		memmove(&m->picks[i], &m->picks[i + 1],
		        (size_t)(m->npicks - i - 1) * sizeof(m->picks[0]));
		m->npicks--;
		m->held = 0;
		return S_COUNT;
	}
	if (s != PROTO_STATE_FREE && s != PROTO_STATE_HOUSE)
		return S_SEAT_NOT_FREE;
	if (m->npicks >= APP_MAX_PICKS)
		return S_TOO_MANY;
	memcpy(m->picks[m->npicks].seat, id, sizeof(id));
	m->picks[m->npicks].type = 0;
	m->npicks++;
	m->held = 0;
	return S_COUNT;
}

static int is_seat(const struct seatmap *m, int r, int c)
{
	return r >= 0 && r < m->layout.nrows && c >= 0 && c < m->layout.width[r] &&
	       m->layout.rows[r][c] != PROTO_SEAT_NONE;
}

/* Put the cursor on the seat of row y nearest column c; 0 when the row has none. */
static int nearest_in_row(struct seatmap *m, int y, int c)
{
	int best = -1;

	for (int x = 0; x < m->layout.width[y]; x++)
		if (is_seat(m, y, x) && (best < 0 || abs(x - c) < abs(best - c)))
			best = x;
	if (best < 0)
		return 0;
	m->cur_r = y;
	m->cur_c = best;
	return 1;
}

void app_cursor_move(struct app *a, int dr, int dc)
{
	struct seatmap *m = &a->map;
	int r = m->cur_r, c = m->cur_c;

	if (!m->loaded || m->layout.nrows == 0)
		return;
	if (dc) {
		for (int x = c + dc; x >= 0 && x < m->layout.width[r]; x += dc)
			if (is_seat(m, r, x)) {
				m->cur_c = x;
				return;
			}
		return;
	}
	if (!dr) {
		/* placing the cursor: the nearest seat, rows from r downwards, wrapping */
		for (int k = 0; k < m->layout.nrows; k++)
			if (nearest_in_row(m, (r + k) % m->layout.nrows, c))
				return;
		return;
	}
	for (int y = r + dr; y >= 0 && y < m->layout.nrows; y += dr)
		if (nearest_in_row(m, y, c))
			return;
}

/* --- layout editor ------------------------------------------------------- */

void app_layout_check(struct layout_ed *e)
{
	struct proto_layout l;
	const char *rows[PROTO_LAYOUT_MAX_ROWS];

	for (int i = 0; i < e->nrows; i++)
		rows[i] = e->rows[i];
	if (proto_layout_parse(&l, rows, e->nrows, e->verdict, sizeof(e->verdict)) == 0) {
		e->ok = 1;
		e->seats = l.seats;
		e->sellable = l.sellable;
		snprintf(e->verdict, sizeof(e->verdict), "%s", tr(S_LAYOUT_OK));
	} else {
		e->ok = 0;
		e->seats = e->sellable = 0;
	}
}
