/*
 * svc_film.c: see svc_film.h.
 */
#include "svc/svc_film.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/cache.h"
#include "core/digest.h"
#include "core/ids.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/store_film.h"
#include "store/store_screening.h"
#include "svc/detail.h"
#include "svc/pricing.h"
#include "svc/svc_screening.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define DETAIL_TTL_S 300
#define LIST_TTL_S 120
#define SALE_TTL_S 30 /* sales change it without telling us */
#define NS "film"
#define LENGTH_MAX 1440
#define STOCK_MAX INT64_C(1000000000)
#define POSTER_MAX 500

void film_cache_invalidate(struct worker *w, int64_t film_id)
{
	detail_invalidate(w, NS, film_id);
}

/* detail_kind.json: row is a struct film_row. */
static cJSON *film_json(const void *row)
{
	const struct film_row *f = row;
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, PROTO_KEY_ID, (double)f->id);
	cJSON_AddStringToObject(o, "name", f->name);
	cJSON_AddStringToObject(o, "desc", f->desc);
	cJSON_AddStringToObject(o, "director", f->director);
	cJSON_AddStringToObject(o, "screenwriter", f->screenwriter);
	cJSON_AddNumberToObject(o, "length", (double)f->length);
	cJSON_AddNumberToObject(o, PROTO_KEY_AMOUNT, (double)f->amount);
	cJSON_AddNumberToObject(o, "stock", (double)f->stock);
	cJSON_AddNumberToObject(o, "isSelectSeat", f->is_select_seat);
	cJSON_AddStringToObject(o, "genre", f->genre);
	cJSON_AddStringToObject(o, "posterUrl", f->poster_url);
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_CREATE_TIME, (double)f->create_time)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* ---- field validation ---- */

static int poster_ok(const char *s)
{
	const char *p;

	if (!s[0])
		return 1;
	if (s[0] != '/' && strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return 0;
	for (p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\'' || *p == '<' || *p == '>' ||
		    *p == '\\' || *p == '`')
			return 0;
	return 1;
}

struct text_field {
	const char *key;
	size_t max;
	int nonempty;
	size_t off; /* of the const char * in struct film_patch */
};

static const struct text_field text_fields[] = {
    {"name", PROTO_LEN_NAME, 1, offsetof(struct film_patch, name)},
    {"desc", PROTO_LEN_TEXT, 0, offsetof(struct film_patch, desc)},
    {"director", PROTO_LEN_NAME, 0, offsetof(struct film_patch, director)},
    {"screenwriter", PROTO_LEN_NAME, 0, offsetof(struct film_patch, screenwriter)},
    {"genre", PROTO_LEN_NAME, 0, offsetof(struct film_patch, genre)},
    {"posterUrl", POSTER_MAX, 0, offsetof(struct film_patch, poster_url)},
};

struct int_field {
	const char *key;
	int64_t min, max;
	size_t off; /* of the int64_t in struct film_patch */
};

static const struct int_field int_fields[] = {
    {"length", 1, LENGTH_MAX, offsetof(struct film_patch, length)},
    {PROTO_KEY_AMOUNT, 0, PRICING_MAX_PRICE, offsetof(struct film_patch, amount)},
    {"stock", 0, STOCK_MAX, offsetof(struct film_patch, stock)},
    {"isSelectSeat", 0, 1, offsetof(struct film_patch, is_select_seat)},
};

/* Keys /film/create needs; genre and posterUrl are optional. */
static const char *const required[] = {"name",         "desc",     "stock",  PROTO_KEY_AMOUNT,
                                       "screenwriter", "director", "length", "isSelectSeat"};

/*
 * Read the film fields of the request into p (absent: NULL / -1). With
 * create, the keys of required[] must be present. *n counts the present ones.
 */
static enum proto_err read_fields(struct req *r, int create, struct film_patch *p, int *n)
{
	size_t i;

	memset(p, 0, sizeof(*p));
	p->length = p->amount = p->stock = p->is_select_seat = -1;
	*n = 0;
	for (i = 0; i < sizeof(text_fields) / sizeof(text_fields[0]); i++) {
		const struct text_field *f = &text_fields[i];
		const char **dst = (const char **)((char *)p + f->off);
		int g = proto_get_str(r->body, f->key, f->max, dst);

		if (g < 0 || (g == 1 && f->nonempty && !(*dst)[0]))
			return req_fail_field(r, f->key);
		if (g == 1 && f->off == offsetof(struct film_patch, poster_url) && !poster_ok(*dst))
			return req_fail_field(r, f->key);
		*n += g;
	}
	for (i = 0; i < sizeof(int_fields) / sizeof(int_fields[0]); i++) {
		const struct int_field *f = &int_fields[i];
		int64_t *dst = (int64_t *)(void *)((char *)p + f->off);
		int g = proto_get_int(r->body, f->key, f->min, f->max, dst);

		if (g < 0)
			return req_fail_field(r, f->key);
		*n += g;
	}
	if (create) {
		for (i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(r->body, required[i]);
			if (!v || cJSON_IsNull(v))
				return req_fail_field(r, required[i]);
		}
	}
	return PROTO_OK;
}

/* The request's keys (minus id) as audit detail; malloc'd or NULL. */
static char *body_detail(const struct req *r)
{
	cJSON *copy = cJSON_Duplicate(r->body, 1);
	char *s;

	if (!copy)
		return NULL;
	cJSON_DeleteItemFromObjectCaseSensitive(copy, PROTO_KEY_ID);
	s = proto_json_print(copy);
	cJSON_Delete(copy);
	return s;
}

/* ---- /film/create ---- */

struct create_ctx {
	struct film_row *f;
};

static enum proto_err create_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct create_ctx *c = arg;

	TXN_TRY(store_film_insert(r->w, c->f));
	TXN_TRY(txn_audit(r, "film.create", "film", c->f->id, c->f->name));
	return PROTO_OK;
}

enum proto_err film_create(struct req *r)
{
	struct film_patch p;
	struct create_ctx c;
	enum proto_err e;
	int n;

	if ((e = read_fields(r, 1, &p, &n)) != PROTO_OK)
		return e;
	c.f = calloc(1, sizeof(*c.f));
	if (!c.f)
		return PROTO_ERR_INTERNAL;
	c.f->id = ids_next();
	snprintf(c.f->name, sizeof(c.f->name), "%s", p.name);
	snprintf(c.f->desc, sizeof(c.f->desc), "%s", p.desc);
	snprintf(c.f->director, sizeof(c.f->director), "%s", p.director);
	snprintf(c.f->screenwriter, sizeof(c.f->screenwriter), "%s", p.screenwriter);
	snprintf(c.f->genre, sizeof(c.f->genre), "%s", p.genre ? p.genre : "");
	snprintf(c.f->poster_url, sizeof(c.f->poster_url), "%s", p.poster_url ? p.poster_url : "");
	c.f->length = p.length;
	c.f->amount = p.amount;
	c.f->stock = p.stock;
	c.f->is_select_seat = (int)p.is_select_seat;
	e = txn_run(r, create_tx, &c);
	if (e == PROTO_OK) {
		/* A "no such film" marker may sit under the new id. */
		detail_invalidate(r->w, NS, c.f->id);
		cJSON_AddNumberToObject(r->data, PROTO_KEY_ID, (double)c.f->id);
	}
	free(c.f);
	return e;
}

/* ---- /film/update ---- */

struct update_ctx {
	int64_t id, now;
	const struct film_patch *p;
	struct film_row *old;
	const char *detail;
};

static enum proto_err update_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct update_ctx *c = arg;
	int64_t *future = NULL;
	int found, n = 0;

	TXN_TRY(store_film_lock(r->w, c->id, 1, c->old, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such film");
	/*
	 * A film sold by quantity has no screenings (screening creation
	 * refuses it): it cannot become one while screenings are to come.
	 */
	if (c->p->is_select_seat == 0 && c->old->is_select_seat) {
		TXN_TRY(store_screening_future_of_film(r->w, c->id, c->now, &future, &n));
		free(future);
		if (n > 0)
			return req_fail_conflict(r, "future_screenings");
	}
	TXN_TRY(store_film_update(r->w, c->id, c->p));
	TXN_TRY(txn_audit(r, "film.update", "film", c->id, c->detail));
	return PROTO_OK;
}

enum proto_err film_update(struct req *r)
{
	struct update_ctx c = {0};
	struct film_patch p;
	struct film_row *cur;
	enum proto_err e;
	char *detail;
	int n, found;
	enum db_rc rc;

	if (proto_get_id(r->body, PROTO_KEY_ID, &c.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	if ((e = read_fields(r, 0, &p, &n)) != PROTO_OK)
		return e;
	cur = calloc(1, sizeof(*cur));
	if (!cur)
		return PROTO_ERR_INTERNAL;
	if (n == 0) {
		/* Nothing to set: still a 404 for an unknown film. */
		rc = store_film_get(r->w, c.id, cur, &found);
		e = rc != DB_OK ? txn_fail(r, rc)
		    : found     ? PROTO_OK
		                : req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such film");
		free(cur);
		return e;
	}
	detail = body_detail(r);
	c.now = (int64_t)time(NULL);
	c.p = &p;
	c.old = cur;
	c.detail = detail;
	e = txn_run(r, update_tx, &c);
	if (e == PROTO_OK) {
		film_cache_invalidate(r->w, c.id);
		/* Screening answers carry the film's name. */
		if (p.name && strcmp(p.name, cur->name) != 0)
			screening_cache_bump(r->w);
	}
	cJSON_free(detail);
	free(cur);
	return e;
}

/* ---- /film/remove ---- */

struct remove_ctx {
	int64_t id;
	int64_t now;
	struct film_row *f;
	int64_t *cancelled;
	int ncancelled;
};

static enum proto_err remove_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct remove_ctx *c = arg;
	int64_t paid;
	int found, i;

	free(c->cancelled);
	c->cancelled = NULL;
	c->ncancelled = 0;
	TXN_TRY(store_film_lock(r->w, c->id, 1, c->f, &found));
	if (!found)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such film");
	TXN_TRY(store_film_paid_future(r->w, c->id, c->now, &paid));
	if (paid > 0)
		return req_fail_conflict(r, "paid_tickets");
	TXN_TRY(store_screening_future_of_film(r->w, c->id, c->now, &c->cancelled, &c->ncancelled));
	for (i = 0; i < c->ncancelled; i++)
		TXN_TRY(store_screening_cancel(r->w, c->cancelled[i], "film removed", NULL, NULL));
	TXN_TRY(store_film_remove(r->w, c->id));
	TXN_TRY(txn_audit(r, "film.remove", "film", c->id, c->f->name));
	return PROTO_OK;
}

enum proto_err film_remove(struct req *r)
{
	struct remove_ctx c = {0};
	enum proto_err e;
	char k[64];
	int i;

	if (proto_get_id(r->body, PROTO_KEY_ID, &c.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	c.now = (int64_t)time(NULL);
	c.f = calloc(1, sizeof(*c.f));
	if (!c.f)
		return PROTO_ERR_INTERNAL;
	e = txn_run(r, remove_tx, &c);
	if (e == PROTO_OK) {
		for (i = 0; i < c.ncancelled; i++)
			screening_cancelled(r->w, c.cancelled[i]);
		film_cache_invalidate(r->w, c.id);
		screening_cache_bump(r->w);
		/* The comment service answers 404 for a removed film's lists. */
		snprintf(k, sizeof(k), "comment:%" PRId64, c.id);
		cache_bump(r->w, k);
	}
	free(c.cancelled);
	free(c.f);
	return e;
}

/* ---- /film/detail ---- */

static enum db_rc get_row(struct worker *w, int64_t id, void *row, int *found)
{
	return store_film_get(w, id, row, found);
}

static const struct detail_kind detail_kind = {
    sizeof(struct film_row), get_row, film_json, NS, DETAIL_TTL_S, "no such film"};

enum proto_err film_detail(struct req *r)
{
	return detail_answer(r, &detail_kind);
}

/* ---- /film/list and /film/sale/list ---- */

struct list_args {
	const char *like;  /* escaped pattern or NULL */
	const char *genre; /* or NULL */
	int64_t page, page_size;
	int sale;
};

static enum proto_err load_list(struct worker *w, void *arg, cJSON **out)
{
	const struct list_args *a = arg;
	struct film_row *rows = NULL;
	int64_t total = 0;
	enum db_rc rc;
	int n = 0;

	*out = NULL;
	if (a->sale)
		rc = store_film_sale_list(w, (int64_t)time(NULL), FILM_SALE_MAX, &rows, &n, &total);
	else
		rc = store_film_list(w, a->like, a->genre, (a->page - 1) * a->page_size,
		                     a->page_size, &rows, &n, &total);
	if (rc != DB_OK)
		return txn_err(rc);
	*out = detail_list(&detail_kind, rows, n, total);
	free(rows);
	return *out ? PROTO_OK : PROTO_ERR_INTERNAL;
}

/*
 * The list under "<head><generation><tail>", generation and list read in one
 * round trip; the answer is the cached object as it is (r->data_raw).
 */
static enum proto_err answer_list(struct req *r, const char *head, const char *tail, int ttl,
                                  struct list_args *a)
{
	enum proto_err e;

	e = cache_get_gen_raw(r->w, NS, head, tail, ttl, load_list, a, &r->data_raw,
	                      &r->data_raw_len);
	return e == PROTO_ERR_NOT_FOUND ? PROTO_ERR_INTERNAL : e;
}

enum proto_err film_list(struct req *r)
{
	char like[PROTO_LEN_NAME * 4 * 2 + 3], tail[DIGEST_HEX_LEN + 2], nums[48];
	const char *query = NULL, *parts[3];
	struct list_args a = {0};
	enum proto_err e;

	if ((e = req_paging(r, &a.page, &a.page_size)) != PROTO_OK)
		return e;
	if (proto_get_str(r->body, "query", PROTO_LEN_NAME, &query) < 0)
		return req_fail_field(r, "query");
	if (proto_get_str(r->body, "genre", PROTO_LEN_NAME, &a.genre) < 0)
		return req_fail_field(r, "genre");
	if (query && query[0]) {
		if (store_film_like_pattern(query, like, sizeof(like)) < 0)
			return req_fail_field(r, "query");
		a.like = like;
	}
	if (a.genre && !a.genre[0])
		a.genre = NULL;
	snprintf(nums, sizeof(nums), "%" PRId64 ",%" PRId64, a.page, a.page_size);
	parts[0] = a.like;
	parts[1] = a.genre;
	parts[2] = nums;
	/* "film:list:<generation>:<sha-256 of the query>" */
	tail[0] = ':';
	if (digest_parts_hex(parts, 3, tail + 1) < 0)
		return req_fail_msg(r, PROTO_ERR_INTERNAL, "cannot hash the query");
	return answer_list(r, "film:list:", tail, LIST_TTL_S, &a);
}

enum proto_err film_sale_list(struct req *r)
{
	struct list_args a = {0};

	a.sale = 1;
	/* "film:sale:<generation>" */
	return answer_list(r, "film:sale:", "", SALE_TTL_S, &a);
}
