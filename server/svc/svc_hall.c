/*
 * svc_hall.c: see svc_hall.h.
 */
#include "svc/svc_hall.h"

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
#include "store/store_hall.h"
#include "store/store_screening.h"
#include "svc/svc_screening.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define DETAIL_TTL_S 300
#define LIST_TTL_S 300
#define NS "hall"

/* detail_kind.json: row is a struct hall_row. */
static cJSON *hall_json(const void *row)
{
	const struct hall_row *h = row;
	struct proto_layout l;
	cJSON *o, *layout;
	char why[80];

	if (proto_layout_from_text(&l, h->layout, why, sizeof(why)) < 0) {
		log_error("hall %" PRId64 " has an invalid layout: %s", h->id, why);
		return NULL;
	}
	o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, PROTO_KEY_ID, (double)h->id);
	cJSON_AddStringToObject(o, "name", h->name);
	layout = proto_layout_to_json(&l);
	if (!layout) {
		cJSON_Delete(o);
		return NULL;
	}
	cJSON_AddItemToObject(o, PROTO_KEY_LAYOUT, layout);
	cJSON_AddNumberToObject(o, "seats", l.seats);
	cJSON_AddNumberToObject(o, "sellable", l.sellable);
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_CREATE_TIME, (double)h->create_time)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/*
 * The layout of the request parsed into *l. Returns 1 present and valid, 0
 * absent, -1 invalid (error filled in r, reason in msg).
 */
static int read_layout(struct req *r, struct proto_layout *l)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->body, PROTO_KEY_LAYOUT);
	char why[80];

	if (!v || cJSON_IsNull(v))
		return 0;
	if (proto_layout_from_json(l, v, why, sizeof(why)) < 0) {
		req_fail_field(r, PROTO_KEY_LAYOUT);
		snprintf(r->err_msg, sizeof(r->err_msg), "invalid field 'layout': %s", why);
		return -1;
	}
	return 1;
}

/* name: 1 present and valid, 0 absent, -1 invalid (error filled in r). */
static int read_name(struct req *r, const char **name)
{
	int g = proto_get_str(r->body, "name", PROTO_LEN_NAME, name);

	if (g < 0 || (g == 1 && !(*name)[0])) {
		req_fail_field(r, "name");
		return -1;
	}
	return g;
}

/* ---- /hall/create ---- */

static enum proto_err create_tx(struct req *r, void *arg, enum db_rc *db)
{
	const struct hall_row *h = arg;

	TXN_TRY(store_hall_insert(r->w, h));
	TXN_TRY(txn_audit(r, "hall.create", "hall", h->id, h->name));
	return PROTO_OK;
}

enum proto_err hall_create(struct req *r)
{
	struct proto_layout l;
	struct hall_row *h;
	const char *name = NULL;
	enum proto_err e;
	int g;

	g = read_name(r, &name);
	if (g < 0)
		return PROTO_ERR_INVALID_FIELD;
	if (g == 0)
		return req_fail_field(r, "name");
	g = read_layout(r, &l);
	if (g < 0)
		return PROTO_ERR_INVALID_FIELD;
	if (g == 0)
		return req_fail_field(r, PROTO_KEY_LAYOUT);
	h = calloc(1, sizeof(*h));
	if (!h)
		return PROTO_ERR_INTERNAL;
	h->id = ids_next();
	snprintf(h->name, sizeof(h->name), "%s", name);
	if (proto_layout_to_text(&l, h->layout, sizeof(h->layout)) < 0) {
		free(h);
		return PROTO_ERR_INTERNAL;
	}
	h->seats = l.seats;
	e = txn_run(r, create_tx, h);
	if (e == PROTO_OK) {
		detail_invalidate(r->w, NS, h->id);
		cJSON_AddNumberToObject(r->data, PROTO_KEY_ID, (double)h->id);
		cJSON_AddNumberToObject(r->data, "seats", l.seats);
	}
	free(h);
	return e;
}

/* ---- /hall/update ---- */

struct update_ctx {
	int64_t id, now;
	const char *name;                  /* NULL: unchanged */
	const struct proto_layout *layout; /* NULL: unchanged */
	char text[PROTO_LAYOUT_JSON_MAX + 1];
	struct hall_row *old;
	int layout_changed;
	int64_t *future; /* screenings whose seat map follows the layout */
	int nfuture;
	int fenced; /* future[] carry seat fences (seatmap.h) */
};

/*
 * 409 when a seat of a screening still to come is sold or held. Otherwise
 * those screenings are fenced against new holds until after the commit,
 * so that no hold can be made on the old layout meanwhile. Tickets need no
 * fence: the locking read below keeps new ones out until the commit.
 */
static enum proto_err check_taken(struct req *r, struct update_ctx *c, enum db_rc *db)
{
	int64_t n;
	int f;

	TXN_TRY(store_screening_live_tickets_in_hall(r->w, c->id, c->now, &n));
	if (n > 0)
		return req_fail_conflict(r, "sold_seats");
	TXN_TRY(store_screening_future_in_hall(r->w, c->id, c->now, &c->future, &c->nfuture));
	f = seatmap_fence(r->w, c->future, c->nfuture);
	if (f < 0)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE,
		                    "cannot check the holds of hall %" PRId64, c->id);
	if (f > 0)
		return req_fail_conflict(r, "held_seats");
	c->fenced = c->nfuture > 0;
	return PROTO_OK;
}

/* Drop the fences of an attempt, if any (before a retry, or at the end). */
static void unfence(struct req *r, struct update_ctx *c, int changed)
{
	if (c->fenced)
		seatmap_unfence(r->w, c->future, c->nfuture, changed);
	c->fenced = 0;
}

static enum proto_err update_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct update_ctx *c = arg;
	struct proto_layout cur;
	char why[80], detail[PROTO_LAYOUT_JSON_MAX + PROTO_LEN_NAME * 4 + 32];
	enum proto_err e;
	int found;

	unfence(r, c, 0);
	free(c->future);
	c->future = NULL;
	c->nfuture = 0;
	c->layout_changed = 0;
	TXN_TRY(store_hall_lock(r->w, c->id, c->old, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such hall");
	if (c->layout) {
		/* A stored layout that does not parse is replaced, never kept. */
		if (proto_layout_from_text(&cur, c->old->layout, why, sizeof(why)) < 0) {
			log_warn("hall %" PRId64 " had an invalid layout: %s", c->id, why);
			c->layout_changed = 1;
		} else {
			c->layout_changed = !proto_layout_equal(&cur, c->layout);
		}
	}
	if (c->layout_changed) {
		if ((e = check_taken(r, c, db)) != PROTO_OK)
			return e;
		TXN_TRY(
		    store_screening_set_total_in_hall(r->w, c->id, c->now, c->layout->sellable));
	}
	TXN_TRY(store_hall_update(r->w, c->id, c->name, c->layout_changed ? c->text : NULL,
	                          c->layout_changed ? c->layout->seats : 0));
	snprintf(detail, sizeof(detail), "%s%s%s%s", c->name ? "name=" : "", c->name ? c->name : "",
	         c->layout_changed ? " layout=" : "", c->layout_changed ? c->text : "");
	TXN_TRY(txn_audit(r, "hall.update", "hall", c->id, detail));
	return PROTO_OK;
}

enum proto_err hall_update(struct req *r)
{
	struct update_ctx c = {0};
	struct proto_layout l;
	enum proto_err e;
	int g;

	if (proto_get_id(r->body, PROTO_KEY_ID, &c.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	if (read_name(r, &c.name) < 0)
		return PROTO_ERR_INVALID_FIELD;
	g = read_layout(r, &l);
	if (g < 0)
		return PROTO_ERR_INVALID_FIELD;
	if (g == 1) {
		c.layout = &l;
		if (proto_layout_to_text(&l, c.text, sizeof(c.text)) < 0)
			return PROTO_ERR_INTERNAL;
	}
	c.now = (int64_t)time(NULL);
	c.old = calloc(1, sizeof(*c.old));
	if (!c.old)
		return PROTO_ERR_INTERNAL;
	e = txn_run(r, update_tx, &c);
	/*
	 * After the commit: holds read the layout from the screening facts
	 * cache (svc/sale_facts.h), so its generation moves before the fences
	 * go; then new versions, so that clients fetch the new layout.
	 */
	if (e == PROTO_OK && c.layout_changed)
		screening_cache_bump(r->w);
	unfence(r, &c, e == PROTO_OK);
	if (e == PROTO_OK) {
		detail_invalidate(r->w, NS, c.id);
		/* The sale list compares sold seats with seatsTotal (seat maps: unfence). */
		if (c.layout_changed)
			cache_bump(r->w, "film");
		/* Screening answers carry the hall's name. */
		if (c.name && strcmp(c.name, c.old->name) != 0)
			screening_cache_bump(r->w);
	}
	free(c.future);
	free(c.old);
	return e;
}

/* ---- /hall/remove ---- */

struct remove_ctx {
	int64_t id, now;
	struct hall_row *h;
};

static enum proto_err remove_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct remove_ctx *c = arg;
	int64_t *future = NULL;
	int found, n = 0;

	TXN_TRY(store_hall_lock(r->w, c->id, c->h, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such hall");
	TXN_TRY(store_screening_future_in_hall(r->w, c->id, c->now, &future, &n));
	free(future);
	if (n > 0)
		return req_fail_conflict(r, "future_screenings");
	TXN_TRY(store_hall_remove(r->w, c->id));
	TXN_TRY(txn_audit(r, "hall.remove", "hall", c->id, c->h->name));
	return PROTO_OK;
}

enum proto_err hall_remove(struct req *r)
{
	struct remove_ctx c = {0};
	enum proto_err e;

	if (proto_get_id(r->body, PROTO_KEY_ID, &c.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	c.now = (int64_t)time(NULL);
	c.h = calloc(1, sizeof(*c.h));
	if (!c.h)
		return PROTO_ERR_INTERNAL;
	e = txn_run(r, remove_tx, &c);
	if (e == PROTO_OK) {
		detail_invalidate(r->w, NS, c.id);
	}
	free(c.h);
	return e;
}

/* ---- /hall/detail ---- */

static enum db_rc get_row(struct worker *w, int64_t id, void *row, int *found)
{
	return store_hall_get(w, id, row, found);
}

static const struct detail_kind detail_kind = {
    sizeof(struct hall_row), get_row, hall_json, NS, DETAIL_TTL_S, "no such hall"};

enum proto_err hall_detail(struct req *r)
{
	return detail_answer(r, &detail_kind);
}

/* ---- /hall/list ---- */

static enum proto_err load_list(struct worker *w, void *arg, cJSON **out)
{
	struct hall_row *rows = NULL;
	int64_t total = 0;
	enum db_rc rc;
	int n = 0;

	(void)arg;
	*out = NULL;
	rc = store_hall_list(w, HALL_LIST_MAX, &rows, &n, &total);
	if (rc != DB_OK)
		return txn_err(rc);
	*out = detail_list(&detail_kind, rows, n, total);
	free(rows);
	return *out ? PROTO_OK : PROTO_ERR_INTERNAL;
}

/* "hall:list:<generation>", read with its generation in one round trip. */
enum proto_err hall_list(struct req *r)
{
	enum proto_err e;

	e = cache_get_gen_raw(r->w, NS, "hall:list:", "", LIST_TTL_S, load_list, NULL, &r->data_raw,
	                      &r->data_raw_len);
	if (e == PROTO_ERR_NOT_FOUND)
		e = PROTO_ERR_INTERNAL;
	return e;
}
