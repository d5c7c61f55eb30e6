/*
 * svc_screening.c: see svc_screening.h. Cached details and lists hold what
 * only writes change; seatsFree/seatsTotal, which every hold changes, are
 * added per request from the seat snapshot.
 */
#include "svc/svc_screening.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "svc/detail.h"
#include "svc/seatmap.h"
#include "core/ids.h"
#include "core/log.h"
#include "proto_json.h"
#include "proto_layout.h"
#include "proto_wire.h"
#include "store/store_film.h"
#include "store/store_hall.h"
#include "store/store_screening.h"
#include "svc/pricing.h"
#include "svc/txn.h"

#define DETAIL_TTL_S 60
#define LIST_TTL_S 30 /* default lists start "now": keep them short */
#define NS "screening"
#define FILM_NS "film"
#define AHEAD_MAX (2 * 366 * 86400)
#define WEEK (7 * 86400)

void screening_cache_bump(struct worker *w)
{
	cache_bump(w, NS);
}

void screening_cancelled(struct worker *w, int64_t id)
{
	seatmap_drop_holds(w, id);
	seatmap_invalidate(w, id);
	cache_bump(w, NS);
	/* The sale list counts screenings with free seats. */
	cache_bump(w, FILM_NS);
}

/* A stored JSON object (prices, discounts); {} when it does not parse. */
static cJSON *object_of(const char *text)
{
	cJSON *v = cJSON_Parse(text);

	if (!cJSON_IsObject(v)) {
		cJSON_Delete(v);
		v = cJSON_CreateObject();
	}
	return v;
}

/* A screening without its seat counts (those come from the snapshot). */
/* detail_kind.json: row is a struct screening_row. */
static cJSON *screening_json(const void *row)
{
	const struct screening_row *s = row;
	cJSON *o = cJSON_CreateObject();
	cJSON *p, *d;

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, PROTO_KEY_ID, (double)s->id);
	cJSON_AddNumberToObject(o, PROTO_KEY_FILM_ID, (double)s->film_id);
	cJSON_AddNumberToObject(o, PROTO_KEY_HALL_ID, (double)s->hall_id);
	cJSON_AddStringToObject(o, "filmName", s->film_name);
	cJSON_AddStringToObject(o, "hallName", s->hall_name);
	cJSON_AddNumberToObject(o, PROTO_KEY_START_AT, (double)s->start_at);
	cJSON_AddNumberToObject(o, PROTO_KEY_END_AT, (double)s->end_at);
	p = object_of(s->prices);
	d = object_of(s->discounts);
	if (!p || !d) {
		cJSON_Delete(p);
		cJSON_Delete(d);
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, "prices", p);
	cJSON_AddItemToObject(o, "discounts", d);
	cJSON_AddStringToObject(o, PROTO_KEY_STATUS,
	                        s->status == STORE_SCREENING_CANCELLED ? PROTO_SCREENING_CANCELLED
	                                                               : PROTO_SCREENING_SCHEDULED);
	if (s->status == STORE_SCREENING_CANCELLED)
		cJSON_AddStringToObject(o, "cancelReason", s->cancel_reason);
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_CREATE_TIME, (double)s->create_time)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Add seatsFree and seatsTotal of screening object o from its seat snapshot. */
static enum proto_err add_counts(struct req *r, cJSON *o)
{
	const cJSON *id = cJSON_GetObjectItemCaseSensitive(o, PROTO_KEY_ID);
	enum proto_err e;
	cJSON *snap = NULL;
	int free_seats, total;

	if (!cJSON_IsNumber(id))
		return PROTO_ERR_INTERNAL;
	e = seatmap_get(r->w, (int64_t)id->valuedouble, &snap);
	if (e != PROTO_OK)
		return e;
	if (seatmap_counts(snap, &free_seats, &total) < 0) {
		cJSON_Delete(snap);
		return PROTO_ERR_INTERNAL;
	}
	cJSON_Delete(snap);
	cJSON_DeleteItemFromObjectCaseSensitive(o, PROTO_KEY_SEATS_FREE);
	cJSON_DeleteItemFromObjectCaseSensitive(o, PROTO_KEY_SEATS_TOTAL);
	cJSON_AddNumberToObject(o, PROTO_KEY_SEATS_FREE, free_seats);
	cJSON_AddNumberToObject(o, PROTO_KEY_SEATS_TOTAL, total);
	return PROTO_OK;
}

/* startAt of the request: 1 present and valid, 0 absent, or an error filled in r. */
static int read_start(struct req *r, int64_t now, int64_t *start, enum proto_err *e)
{
	int g = proto_get_int(r->body, PROTO_KEY_START_AT, now + 1, now + AHEAD_MAX, start);

	if (g < 0)
		*e = req_fail_field(r, PROTO_KEY_START_AT);
	return g;
}

/*
 * prices and discounts of the request in canonical text (malloc'd, NULL
 * when absent). Returns PROTO_OK or an invalid_field error.
 */
static enum proto_err read_prices(struct req *r, char **prices, char **discounts)
{
	const cJSON *p = cJSON_GetObjectItemCaseSensitive(r->body, "prices");
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(r->body, "discounts");
	struct pricing pr;

	*prices = *discounts = NULL;
	if (p && cJSON_IsNull(p))
		p = NULL;
	if (d && cJSON_IsNull(d))
		d = NULL;
	if (p && pricing_check_prices(p) < 0)
		return req_fail_field(r, "prices");
	if (d && pricing_check_discounts(d) < 0)
		return req_fail_field(r, "discounts");
	if (pricing_init(&pr, p, d, 0) < 0)
		return PROTO_ERR_INTERNAL;
	if (p && !(*prices = pricing_prices_text(&pr)))
		return PROTO_ERR_INTERNAL;
	if (d && !(*discounts = pricing_discounts_text(&pr))) {
		free(*prices);
		*prices = NULL;
		return PROTO_ERR_INTERNAL;
	}
	return PROTO_OK;
}

/* ---- /screening/create ---- */

struct create_ctx {
	struct screening_row *s;
	struct hall_row *hall;
	struct film_row *film;
};

static enum proto_err create_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct create_ctx *c = arg;
	struct proto_layout layout;
	char why[80], detail[128];
	int64_t overlaps;
	int found;

	/* The hall lock serialises every schedule change of the hall. */
	TXN_TRY(store_hall_lock(r->w, c->s->hall_id, c->hall, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such hall");
	if (proto_layout_from_text(&layout, c->hall->layout, why, sizeof(why)) < 0) {
		log_error("hall %" PRId64 " has an invalid layout: %s", c->hall->id, why);
		return PROTO_ERR_INTERNAL;
	}
	TXN_TRY(store_film_lock(r->w, c->s->film_id, 0, c->film, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such film");
	if (!c->film->is_select_seat)
		return req_fail_field(r, PROTO_KEY_FILM_ID);
	c->s->end_at = c->s->start_at + c->film->length * 60;
	c->s->seats_total = layout.sellable;
	TXN_TRY(store_screening_overlaps(r->w, c->s->hall_id, c->s->start_at, c->s->end_at, 0,
	                                 &overlaps));
	if (overlaps > 0)
		return req_fail_conflict(r, "overlap");
	TXN_TRY(store_screening_insert(r->w, c->s));
	snprintf(detail, sizeof(detail), "film=%" PRId64 " hall=%" PRId64 " startAt=%" PRId64,
	         c->s->film_id, c->s->hall_id, c->s->start_at);
	TXN_TRY(txn_audit(r, "screening.create", "screening", c->s->id, detail));
	return PROTO_OK;
}

static enum proto_err screening_create(struct req *r)
{
	int64_t now = (int64_t)time(NULL);
	char *prices = NULL, *discounts = NULL;
	struct create_ctx c = {0};
	enum proto_err e = PROTO_OK;
	struct screening_row *s;

	s = calloc(1, sizeof(*s));
	c.hall = calloc(1, sizeof(*c.hall));
	c.film = calloc(1, sizeof(*c.film));
	c.s = s;
	if (!s || !c.hall || !c.film) {
		e = PROTO_ERR_INTERNAL;
		goto out;
	}
	if (proto_get_id(r->body, PROTO_KEY_FILM_ID, &s->film_id) != 1) {
		e = req_fail_field(r, PROTO_KEY_FILM_ID);
		goto out;
	}
	if (proto_get_id(r->body, PROTO_KEY_HALL_ID, &s->hall_id) != 1) {
		e = req_fail_field(r, PROTO_KEY_HALL_ID);
		goto out;
	}
	if (read_start(r, now, &s->start_at, &e) != 1) {
		if (e == PROTO_OK)
			e = req_fail_field(r, PROTO_KEY_START_AT);
		goto out;
	}
	if ((e = read_prices(r, &prices, &discounts)) != PROTO_OK)
		goto out;
	snprintf(s->prices, sizeof(s->prices), "%s", prices ? prices : "{}");
	snprintf(s->discounts, sizeof(s->discounts), "%s", discounts ? discounts : "{}");
	s->id = ids_next();
	e = txn_run(r, create_tx, &c);
	if (e == PROTO_OK) {
		cache_bump(r->w, NS);
		cache_bump(r->w, FILM_NS);
		seatmap_invalidate(r->w, s->id);
		cJSON_AddNumberToObject(r->data, PROTO_KEY_ID, (double)s->id);
	}
out:
	free(prices);
	free(discounts);
	free(s);
	free(c.hall);
	free(c.film);
	return e;
}

/* ---- /screening/update ---- */

struct update_ctx {
	int64_t id, now;
	int has_start;
	int64_t start_at;
	const char *prices, *discounts; /* NULL: unchanged */
	struct screening_row *s;
	struct hall_row *hall;
	struct film_row *film;
	char detail[200];
};

/*
 * Locks screening id into s for a change: 404 when there is none, 409
 * "cancelled" when it is cancelled.
 */
static enum proto_err lock_uncancelled(struct req *r, int64_t id, struct screening_row *s,
                                       enum db_rc *db)
{
	int found;

	TXN_TRY(store_screening_lock(r->w, id, s, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such screening");
	if (s->status == STORE_SCREENING_CANCELLED)
		return req_fail_conflict(r, "cancelled");
	return PROTO_OK;
}

static enum proto_err update_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct update_ctx *c = arg;
	int64_t start, end, overlaps;
	enum proto_err e;
	int found;

	/*
	 * Lock order of store_hall.h: hall, film, screening (film removal
	 * locks the film, then its screenings). Hall and film never change
	 * for a screening, so an unlocked read finds them.
	 */
	TXN_TRY(store_screening_get(r->w, c->id, c->s, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such screening");
	TXN_TRY(store_hall_lock(r->w, c->s->hall_id, c->hall, &found));
	if (c->has_start) {
		TXN_TRY(store_film_lock(r->w, c->s->film_id, 0, c->film, &found));
		if (!found)
			return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such screening");
	}
	if ((e = lock_uncancelled(r, c->id, c->s, db)) != PROTO_OK)
		return e;
	if (c->s->start_at <= c->now)
		return req_fail_conflict(r, "started");
	start = c->s->start_at;
	end = c->s->end_at;
	if (c->has_start) {
		start = c->start_at;
		end = start + c->film->length * 60;
		TXN_TRY(
		    store_screening_overlaps(r->w, c->s->hall_id, start, end, c->id, &overlaps));
		if (overlaps > 0)
			return req_fail_conflict(r, "overlap");
	}
	TXN_TRY(store_screening_update(r->w, c->id, start, end,
	                               c->prices ? c->prices : c->s->prices,
	                               c->discounts ? c->discounts : c->s->discounts));
	snprintf(c->detail, sizeof(c->detail), "startAt=%" PRId64 "%s%s", start,
	         c->prices ? " prices" : "", c->discounts ? " discounts" : "");
	TXN_TRY(txn_audit(r, "screening.update", "screening", c->id, c->detail));
	return PROTO_OK;
}

static enum proto_err screening_update(struct req *r)
{
	char *prices = NULL, *discounts = NULL;
	struct update_ctx c = {0};
	enum proto_err e = PROTO_OK;
	int g;

	c.now = (int64_t)time(NULL);
	if (proto_get_id(r->body, PROTO_KEY_ID, &c.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	g = read_start(r, c.now, &c.start_at, &e);
	if (g < 0)
		return e;
	c.has_start = g == 1;
	if ((e = read_prices(r, &prices, &discounts)) != PROTO_OK)
		return e;
	c.prices = prices;
	c.discounts = discounts;
	c.s = calloc(1, sizeof(*c.s));
	c.hall = calloc(1, sizeof(*c.hall));
	c.film = calloc(1, sizeof(*c.film));
	if (!c.s || !c.hall || !c.film) {
		e = PROTO_ERR_INTERNAL;
		goto out;
	}
	e = txn_run(r, update_tx, &c);
	if (e == PROTO_OK) {
		cache_bump(r->w, NS);
		/* The sale list looks at start times. */
		if (c.has_start)
			cache_bump(r->w, FILM_NS);
	}
out:
	free(prices);
	free(discounts);
	free(c.s);
	free(c.hall);
	free(c.film);
	return e;
}

/* ---- /screening/cancel ---- */

struct cancel_ctx {
	int64_t id, now;
	const char *reason;
	struct screening_row *s;
	uint64_t refunded, voided;
};

static enum proto_err cancel_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct cancel_ctx *c = arg;
	char detail[PROTO_LEN_TEXT * 4 + 64];
	enum proto_err e;

	if ((e = lock_uncancelled(r, c->id, c->s, db)) != PROTO_OK)
		return e;
	if (c->s->end_at <= c->now)
		return req_fail_conflict(r, "finished");
	TXN_TRY(store_screening_cancel(r->w, c->id, c->reason, &c->refunded, &c->voided));
	snprintf(detail, sizeof(detail), "refunded=%" PRIu64 " invalidated=%" PRIu64 " reason=%s",
	         c->refunded, c->voided, c->reason);
	TXN_TRY(txn_audit(r, "screening.cancel", "screening", c->id, detail));
	return PROTO_OK;
}

static enum proto_err screening_cancel(struct req *r)
{
	struct cancel_ctx c = {0};
	enum proto_err e;
	int g;

	if (proto_get_id(r->body, PROTO_KEY_ID, &c.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	g = proto_get_str(r->body, PROTO_KEY_REASON, PROTO_LEN_TEXT, &c.reason);
	if (g != 1 || !c.reason[0])
		return req_fail_field(r, PROTO_KEY_REASON);
	c.now = (int64_t)time(NULL);
	c.s = calloc(1, sizeof(*c.s));
	if (!c.s)
		return PROTO_ERR_INTERNAL;
	e = txn_run(r, cancel_tx, &c);
	if (e == PROTO_OK) {
		log_info("screening %" PRId64 " cancelled: %" PRIu64 " orders to refund, %" PRIu64
		         " invalidated",
		         c.id, c.refunded, c.voided);
		screening_cancelled(r->w, c.id);
	}
	free(c.s);
	return e;
}

/* ---- /screening/detail ---- */

static enum db_rc get_row(struct worker *w, int64_t id, void *row, int *found)
{
	return store_screening_get(w, id, row, found);
}

/* Its key carries the namespace's generation (screening_detail), not "<ns>:<id>". */
static const struct detail_kind detail_kind = {
    sizeof(struct screening_row), get_row, screening_json, NS, DETAIL_TTL_S, "no such screening"};

static enum proto_err screening_detail(struct req *r)
{
	struct detail_arg a = {&detail_kind, 0};
	enum proto_err e;
	cJSON *v = NULL;
	char tail[32];

	if (proto_get_id(r->body, PROTO_KEY_ID, &a.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	/* "screening:<generation>:<id>"; the counts are added per request */
	snprintf(tail, sizeof(tail), ":%" PRId64, a.id);
	e = cache_get_gen(r->w, NS, "screening:", tail, detail_kind.ttl_s, detail_load, &a, &v);
	if (e == PROTO_OK)
		e = add_counts(r, v);
	if (e == PROTO_ERR_NOT_FOUND)
		e = req_fail_msg(r, e, "%s", detail_kind.missing);
	if (e == PROTO_OK)
		proto_json_move_members(r->data, v);
	cJSON_Delete(v);
	return e;
}

/* ---- /screening/list ---- */

struct list_args {
	int64_t film_id;
	int64_t from, to; /* -1: default, computed at load time */
	int status;       /* -1: all */
	int64_t page, page_size;
};

static enum proto_err load_list(struct worker *w, void *arg, cJSON **out)
{
	const struct list_args *a = arg;
	struct screening_row *rows = NULL;
	int64_t now = (int64_t)time(NULL), from, to, total = 0;
	enum db_rc rc;
	int n = 0;

	*out = NULL;
	from = a->from >= 0 ? a->from : now;
	to = a->to >= 0 ? a->to : from + WEEK;
	rc = store_screening_list(w, a->film_id, from, to, a->status, (a->page - 1) * a->page_size,
	                          a->page_size, &rows, &n, &total);
	if (rc != DB_OK)
		return txn_err(rc);
	*out = detail_list(&detail_kind, rows, n, total);
	free(rows);
	return *out ? PROTO_OK : PROTO_ERR_INTERNAL;
}

static enum proto_err screening_list(struct req *r)
{
	struct list_args a = {0};
	const char *status = NULL;
	int64_t now = (int64_t)time(NULL);
	enum proto_err e;
	cJSON *v = NULL, *it, *list;
	char tail[160];
	int g;

	if ((e = req_paging(r, &a.page, &a.page_size)) != PROTO_OK)
		return e;
	if (proto_get_id(r->body, PROTO_KEY_FILM_ID, &a.film_id) < 0)
		return req_fail_field(r, PROTO_KEY_FILM_ID);
	a.from = a.to = -1;
	if (proto_get_int(r->body, "from", 0, PROTO_MAX_ID, &a.from) < 0)
		return req_fail_field(r, "from");
	if (proto_get_int(r->body, "to", 0, PROTO_MAX_ID, &a.to) < 0)
		return req_fail_field(r, "to");
	if (a.to >= 0 && a.to <= (a.from >= 0 ? a.from : now))
		return req_fail_field(r, "to");
	g = proto_get_str(r->body, PROTO_KEY_STATUS, 20, &status);
	if (g < 0)
		return req_fail_field(r, PROTO_KEY_STATUS);
	a.status = -1;
	if (g == 1) {
		if (!strcmp(status, PROTO_SCREENING_SCHEDULED))
			a.status = STORE_SCREENING_SCHEDULED;
		else if (!strcmp(status, PROTO_SCREENING_CANCELLED))
			a.status = STORE_SCREENING_CANCELLED;
		else
			return req_fail_field(r, PROTO_KEY_STATUS);
	}
	/*
	 * "screening:list:<generation>:f...". A default bound is "now" when
	 * loaded: the key names it, not its value.
	 */
	snprintf(tail, sizeof(tail),
	         ":f%" PRId64 ":%" PRId64 ":%" PRId64 ":s%d:%" PRId64 ":%" PRId64, a.film_id,
	         a.from, a.to, a.status, a.page, a.page_size);
	e = cache_get_gen(r->w, NS, "screening:list:", tail, LIST_TTL_S, load_list, &a, &v);
	if (e == PROTO_ERR_NOT_FOUND)
		e = PROTO_ERR_INTERNAL;
	if (e == PROTO_OK) {
		list = cJSON_GetObjectItemCaseSensitive(v, PROTO_KEY_LIST);
		cJSON_ArrayForEach(it, list)
		{
			e = add_counts(r, it);
			/* A screening whose film went away since the list was cached. */
			if (e == PROTO_ERR_NOT_FOUND) {
				cJSON_AddNumberToObject(it, PROTO_KEY_SEATS_FREE, 0);
				cJSON_AddNumberToObject(it, PROTO_KEY_SEATS_TOTAL, 0);
				e = PROTO_OK;
			}
			if (e != PROTO_OK)
				break;
		}
	}
	if (e == PROTO_OK)
		proto_json_move_members(r->data, v);
	cJSON_Delete(v);
	return e;
}

/* ---- /screening/seats ---- */

static enum proto_err screening_seats(struct req *r)
{
	enum proto_err e;
	cJSON *v = NULL;
	int64_t id;

	if (proto_get_id(r->body, PROTO_KEY_ID, &id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	e = seatmap_get(r->w, id, &v);
	if (e == PROTO_ERR_NOT_FOUND)
		return req_fail_msg(r, e, "no such screening");
	if (e != PROTO_OK)
		return e;
	proto_json_move_members(r->data, v);
	cJSON_Delete(v);
	return PROTO_OK;
}

const struct route screening_routes[] = {
    {PROTO_PATH_SCREENING_CREATE, screening_create, ROUTE_ADMIN},
    {PROTO_PATH_SCREENING_UPDATE, screening_update, ROUTE_ADMIN},
    {PROTO_PATH_SCREENING_CANCEL, screening_cancel, ROUTE_ADMIN},
    {PROTO_PATH_SCREENING_DETAIL, screening_detail, ROUTE_PUBLIC},
    {PROTO_PATH_SCREENING_LIST, screening_list, ROUTE_NEAR},
    {PROTO_PATH_SCREENING_SEATS, screening_seats, ROUTE_NEAR},
    {NULL, NULL, 0},
};
