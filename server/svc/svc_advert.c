/*
 * svc_advert.c: see svc_advert.h. Cached values hold the stored status and
 * the window; the effective status and the per-user order are worked out
 * for each answer.
 */
#include "svc/svc_advert.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cache/cache.h"
#include "core/ids.h"
#include "core/log.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/store_advert.h"
#include "store/store_film.h"
#include "svc/announce.h"
#include "svc/detail.h"
#include "svc/txn.h"
#include "svc/routes.h"
#include "svc/jsonfield.h"

#define DETAIL_TTL_S 300
#define LIST_TTL_S 300
#define NS "advert"

static int window_open(int64_t start_at, int64_t end_at, int64_t now)
{
	return (start_at == 0 || start_at <= now) && (end_at == 0 || now < end_at);
}

static int is_valid(const struct advert *a, int64_t now)
{
	return a->status == 0 && window_open(a->start_at, a->end_at, now);
}

static void invalidate(struct worker *w, int64_t id)
{
	detail_invalidate(w, NS, id);
}

/* The wire object with the stored status. */
static cJSON *advert_json(const struct advert *a)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, PROTO_KEY_ID, (double)a->id);
	cJSON_AddStringToObject(o, "title", a->title);
	cJSON_AddStringToObject(o, "content", a->content);
	cJSON_AddNumberToObject(o, "isCom", a->is_com);
	cJSON_AddNumberToObject(o, PROTO_KEY_STATUS, a->status);
	cJSON_AddNumberToObject(o, PROTO_KEY_FILM_ID, (double)a->film_id);
	cJSON_AddStringToObject(o, "genre", a->genre);
	cJSON_AddNumberToObject(o, PROTO_KEY_START_AT, (double)a->start_at);
	cJSON_AddNumberToObject(o, PROTO_KEY_END_AT, (double)a->end_at);
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_CREATE_TIME, (double)a->create_time)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

/* Replace the stored status of a cached object by the effective one; 1 if valid. */
static int apply_window(cJSON *o, int64_t now)
{
	int valid = jsonfield_i64(o, PROTO_KEY_STATUS) == 0 &&
	            window_open(jsonfield_i64(o, PROTO_KEY_START_AT),
	                        jsonfield_i64(o, PROTO_KEY_END_AT), now);

	cJSON_ReplaceItemInObjectCaseSensitive(o, PROTO_KEY_STATUS,
	                                       cJSON_CreateNumber(valid ? 0 : 1));
	return valid;
}

/* ---- request fields ---- */

struct fields {
	int has_title, has_content, has_is_com, has_status, has_film, has_genre, has_start, has_end;
	const char *title, *content, *genre;
	int64_t is_com, status, film_id, start_at, end_at;
};

/* Read every advert field that is present; required ones must be. */
static enum proto_err read_fields(struct req *r, int create, struct fields *f)
{
	int g;

	memset(f, 0, sizeof(*f));
	g = proto_get_str(r->body, "title", PROTO_LEN_NAME, &f->title);
	if (g < 0 || (g == 0 && create) || (g == 1 && f->title[0] == '\0'))
		return req_fail_field(r, "title");
	f->has_title = g == 1;
	g = proto_get_str(r->body, "content", PROTO_LEN_TEXT, &f->content);
	if (g < 0 || (g == 0 && create))
		return req_fail_field(r, "content");
	f->has_content = g == 1;
	g = proto_get_int(r->body, "isCom", 0, 1, &f->is_com);
	if (g < 0 || (g == 0 && create))
		return req_fail_field(r, "isCom");
	f->has_is_com = g == 1;
	g = proto_get_int(r->body, PROTO_KEY_STATUS, 0, 1, &f->status);
	if (g < 0 || (g == 0 && create))
		return req_fail_field(r, PROTO_KEY_STATUS);
	f->has_status = g == 1;
	g = proto_get_int(r->body, PROTO_KEY_FILM_ID, 0, PROTO_MAX_ID, &f->film_id);
	if (g < 0)
		return req_fail_field(r, PROTO_KEY_FILM_ID);
	f->has_film = g == 1;
	g = proto_get_str(r->body, "genre", PROTO_LEN_NAME, &f->genre);
	if (g < 0)
		return req_fail_field(r, "genre");
	f->has_genre = g == 1;
	g = proto_get_int(r->body, PROTO_KEY_START_AT, 0, PROTO_MAX_ID, &f->start_at);
	if (g < 0)
		return req_fail_field(r, PROTO_KEY_START_AT);
	f->has_start = g == 1;
	g = proto_get_int(r->body, PROTO_KEY_END_AT, 0, PROTO_MAX_ID, &f->end_at);
	if (g < 0)
		return req_fail_field(r, PROTO_KEY_END_AT);
	f->has_end = g == 1;
	return PROTO_OK;
}

/* Apply present fields to a (strings borrow from the request). */
static void merge(struct advert *a, const struct fields *f)
{
	if (f->has_title)
		a->title = f->title;
	if (f->has_content)
		a->content = f->content;
	if (f->has_is_com)
		a->is_com = (int)f->is_com;
	if (f->has_status)
		a->status = (int)f->status;
	if (f->has_film)
		a->film_id = f->film_id;
	if (f->has_genre)
		a->genre = f->genre;
	if (f->has_start)
		a->start_at = f->start_at;
	if (f->has_end)
		a->end_at = f->end_at;
}

/* Checks on the merged advert: the window and the film. */
static enum proto_err check(struct req *r, const struct advert *a, int film_changed)
{
	enum db_rc rc;
	int exists;

	if (a->start_at && a->end_at && a->end_at <= a->start_at)
		return req_fail_field(r, PROTO_KEY_END_AT);
	if (film_changed && a->film_id) {
		rc = store_film_exists(r->w, a->film_id, &exists);
		if (rc != DB_OK)
			return txn_fail(r, rc);
		if (!exists)
			return req_fail_field(r, PROTO_KEY_FILM_ID);
	}
	return PROTO_OK;
}

/* The audit record of a write to a, in its transaction. */
static enum db_rc audit(struct req *r, const char *action, const struct advert *a)
{
	char detail[PROTO_LEN_NAME * 4 + 64];

	snprintf(detail, sizeof(detail), "isCom=%d status=%d title=%s", a->is_com, a->status,
	         a->title ? a->title : "");
	return txn_audit(r, action, "advert", a->id, detail);
}

/* Publish a (now a valid announcement); failures are logged by announce. */
static void announce(struct worker *w, const struct advert *a, int64_t now)
{
	cJSON *o = advert_json(a);

	if (!o)
		return;
	apply_window(o, now);
	announce_advert(w, o);
	cJSON_Delete(o);
}

/* ---- /advert/create ---- */

static enum proto_err create_tx(struct req *r, void *arg, enum db_rc *db)
{
	const struct advert *a = arg;

	TXN_TRY(store_advert_insert(r->w, a));
	TXN_TRY(audit(r, "advert.create", a));
	return PROTO_OK;
}

enum proto_err advert_create(struct req *r)
{
	struct fields f;
	struct advert a;
	int64_t now = (int64_t)time(NULL);
	enum proto_err e;

	if ((e = read_fields(r, 1, &f)) != PROTO_OK)
		return e;
	memset(&a, 0, sizeof(a));
	a.title = "";
	a.content = "";
	a.genre = "";
	merge(&a, &f);
	if ((e = check(r, &a, 1)) != PROTO_OK)
		return e;
	a.id = ids_next();
	a.create_time = now;

	if ((e = txn_run(r, create_tx, &a)) != PROTO_OK)
		return e;
	invalidate(r->w, a.id);
	if (a.is_com == 0 && is_valid(&a, now))
		announce(r->w, &a, now);
	cJSON_AddNumberToObject(r->data, PROTO_KEY_ID, (double)a.id);
	return PROTO_OK;
}

/* ---- /advert/update ---- */

struct update_ctx {
	const struct fields *f;
	int64_t id, now;
	cJSON *announcement; /* the advert to announce after the commit, or NULL */
};

static enum proto_err update_tx(struct req *r, void *arg, enum db_rc *db)
{
	struct update_ctx *c = arg;
	struct advert_list l;
	struct advert a;
	enum proto_err e;
	int was_announcement;

	cJSON_Delete(c->announcement); /* from a try that deadlocked */
	c->announcement = NULL;
	memset(&l, 0, sizeof(l));
	TXN_TRY(store_advert_get(r->w, c->id, 1, &l));
	if (l.n == 0) {
		e = req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such advert");
		goto out;
	}
	a = l.items[0];
	was_announcement = a.is_com == 0 && is_valid(&a, c->now);
	merge(&a, c->f);
	e = check(r, &a, c->f->has_film && c->f->film_id != l.items[0].film_id);
	if (e != PROTO_OK)
		goto out;
	if ((*db = store_advert_update(r->w, &a)) == DB_OK)
		*db = audit(r, "advert.update", &a);
	e = *db == DB_OK ? PROTO_OK : PROTO_ERR_INTERNAL;
	if (e == PROTO_OK && !was_announcement && a.is_com == 0 && is_valid(&a, c->now) &&
	    (c->announcement = advert_json(&a)) != NULL)
		apply_window(c->announcement, c->now);
out:
	store_advert_list_release(&l);
	return e;
}

enum proto_err advert_update(struct req *r)
{
	struct update_ctx c;
	struct fields f;
	enum proto_err e;

	memset(&c, 0, sizeof(c));
	if (proto_get_id(r->body, PROTO_KEY_ID, &c.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	if ((e = read_fields(r, 0, &f)) != PROTO_OK)
		return e;
	c.f = &f;
	c.now = (int64_t)time(NULL);
	e = txn_run(r, update_tx, &c);
	if (e == PROTO_OK) {
		invalidate(r->w, c.id);
		if (c.announcement)
			announce_advert(r->w, c.announcement);
	}
	cJSON_Delete(c.announcement);
	return e;
}

/* ---- /advert/remove ---- */

static enum proto_err remove_tx(struct req *r, void *arg, enum db_rc *db)
{
	const struct advert *a = arg;
	uint64_t affected = 0;

	TXN_TRY(store_advert_delete(r->w, a->id, &affected));
	if (affected == 0)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such advert");
	TXN_TRY(audit(r, "advert.remove", a));
	return PROTO_OK;
}

enum proto_err advert_remove(struct req *r)
{
	struct advert a;
	int64_t id;
	enum proto_err e;

	if (proto_get_id(r->body, PROTO_KEY_ID, &id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	memset(&a, 0, sizeof(a));
	a.id = id;
	if ((e = txn_run(r, remove_tx, &a)) != PROTO_OK)
		return e;
	invalidate(r->w, id);
	return PROTO_OK;
}

/* ---- /advert/detail ---- */

static enum proto_err load_detail(struct worker *w, void *arg, cJSON **out)
{
	const int64_t *id = arg;
	struct advert_list l;
	enum db_rc rc;

	*out = NULL;
	rc = store_advert_get(w, *id, 0, &l);
	if (rc != DB_OK)
		return txn_err(rc);
	if (l.n > 0 && !(*out = advert_json(&l.items[0]))) {
		store_advert_list_release(&l);
		return PROTO_ERR_INTERNAL;
	}
	store_advert_list_release(&l);
	return PROTO_OK;
}

enum proto_err advert_detail(struct req *r)
{
	cJSON *v;
	enum proto_err e = detail_fetch(r, NS, DETAIL_TTL_S, load_detail, "no such advert", &v);

	if (e != PROTO_OK)
		return e;
	apply_window(v, (int64_t)time(NULL));
	return req_answer(r, v);
}

/* ---- lists ---- */

struct list_arg {
	int is_com;
};

static enum proto_err load_list(struct worker *w, void *arg, cJSON **out)
{
	const struct list_arg *a = arg;
	struct advert_list l;
	cJSON *o, *arr;
	enum db_rc rc;
	int i;

	*out = NULL;
	rc = store_advert_valid(w, a->is_com, (int64_t)time(NULL), &l);
	if (rc != DB_OK)
		return txn_err(rc);
	o = cJSON_CreateObject();
	arr = o ? cJSON_AddArrayToObject(o, PROTO_KEY_LIST) : NULL;
	for (i = 0; arr && i < l.n; i++) {
		cJSON *it = advert_json(&l.items[i]);
		if (!it) {
			arr = NULL;
			break;
		}
		cJSON_AddItemToArray(arr, it);
	}
	store_advert_list_release(&l);
	if (!arr) {
		cJSON_Delete(o);
		return PROTO_ERR_INTERNAL;
	}
	*out = o;
	return PROTO_OK;
}

/* The cached base list of one kind, window applied: the valid adverts, newest first. */
static enum proto_err valid_list(struct req *r, int is_com, cJSON **out)
{
	struct list_arg a = {is_com};
	int64_t now = (int64_t)time(NULL);
	char key[96];
	cJSON *v = NULL, *arr, *it, *next;
	enum proto_err e;

	*out = NULL;
	snprintf(key, sizeof(key), "advert:list:%d:g", is_com);
	e = cache_get_gen(r->w, NS, key, "", LIST_TTL_S, load_list, &a, &v);
	if (e == PROTO_ERR_NOT_FOUND) {
		/* load_list always gives a value; a marker here is not ours: treat as empty. */
		v = cJSON_CreateObject();
		if (!v || !cJSON_AddArrayToObject(v, PROTO_KEY_LIST)) {
			cJSON_Delete(v);
			return PROTO_ERR_INTERNAL;
		}
	} else if (e != PROTO_OK) {
		return e;
	}
	arr = cJSON_GetObjectItemCaseSensitive(v, PROTO_KEY_LIST);
	if (!cJSON_IsArray(arr)) {
		cJSON_Delete(v);
		return PROTO_ERR_INTERNAL;
	}
	for (it = arr->child; it; it = next) {
		next = it->next;
		if (!apply_window(it, now))
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, it));
	}
	*out = v;
	return PROTO_OK;
}

static void finish_list(struct req *r, cJSON *v)
{
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(v, PROTO_KEY_LIST);

	cJSON_DeleteItemFromObjectCaseSensitive(v, PROTO_KEY_TOTAL);
	cJSON_AddNumberToObject(v, PROTO_KEY_TOTAL, cJSON_GetArraySize(arr));
	proto_json_move_members(r->data, v);
	cJSON_Delete(v);
}

enum proto_err advert_normal_list(struct req *r)
{
	cJSON *v;
	enum proto_err e;

	if ((e = valid_list(r, 0, &v)) != PROTO_OK)
		return e;
	finish_list(r, v);
	return PROTO_OK;
}

/* Next item of a genre list ("Drama, Sci-Fi"): trimmed, into buf; NULL at the end. */
static const char *next_genre(const char *s, char *buf, size_t len)
{
	const char *end;
	size_t n;

	while (*s == ',' || isspace((unsigned char)*s))
		s++;
	if (!*s)
		return NULL;
	end = strchr(s, ',');
	if (!end)
		end = s + strlen(s);
	n = (size_t)(end - s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	return end;
}

static int genres_match(const char *a, const char *b)
{
	char x[PROTO_LEN_NAME * 4 + 1], y[PROTO_LEN_NAME * 4 + 1];
	const char *p, *q;

	for (p = next_genre(a, x, sizeof(x)); p; p = next_genre(p, x, sizeof(x)))
		for (q = next_genre(b, y, sizeof(y)); q; q = next_genre(q, y, sizeof(y)))
			if (strcasecmp(x, y) == 0)
				return 1;
	return 0;
}

/* 0: an advert of a film the user bought, 1: of a genre of those films, 2: the rest. */
static int rank(const cJSON *ad, const struct advert_bought *b)
{
	int64_t fid = jsonfield_i64(ad, PROTO_KEY_FILM_ID);
	const char *genre = jsonfield_str(ad, "genre", "");
	int i, r = 2;

	for (i = 0; i < b->n; i++) {
		if (fid && b->fids[i] == fid)
			return 0;
		if (genre[0] && b->genres[i][0] && genres_match(genre, b->genres[i]))
			r = 1;
	}
	return r;
}

struct ranked {
	int rank, pos;
	cJSON *item;
};

static int by_rank(const void *pa, const void *pb)
{
	const struct ranked *a = pa, *b = pb;

	if (a->rank != b->rank)
		return a->rank - b->rank;
	return a->pos - b->pos;
}

/* Reorder the list in v for user uid (stable within each rank). */
static void personalise(struct req *r, cJSON *v)
{
	struct advert_bought b;
	struct ranked *rs = NULL;
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(v, PROTO_KEY_LIST), *it;
	enum db_rc rc;
	int n = cJSON_GetArraySize(arr), i = 0;

	if (n < 2)
		return;
	rc = store_advert_bought(r->w, r->auth.uid, &b);
	if (rc != DB_OK) {
		/* The order is a nicety: answer the plain list rather than fail. */
		log_warn("cannot read purchases of user %" PRId64 " for advert order", r->auth.uid);
		return;
	}
	if (b.n == 0)
		goto out;
	rs = calloc((size_t)n, sizeof(*rs));
	if (!rs)
		goto out;
	cJSON_ArrayForEach(it, arr)
	{
		rs[i].rank = rank(it, &b);
		rs[i].pos = i;
		rs[i].item = it;
		i++;
	}
	qsort(rs, (size_t)n, sizeof(*rs), by_rank);
	/* Relink the array's children in the new order. */
	for (i = 0; i < n; i++) {
		rs[i].item->prev = i > 0 ? rs[i - 1].item : rs[n - 1].item;
		rs[i].item->next = i + 1 < n ? rs[i + 1].item : NULL;
	}
	arr->child = rs[0].item;
out:
	free(rs);
	store_advert_bought_release(&b);
}

enum proto_err advert_commer_list(struct req *r)
{
	cJSON *v;
	enum proto_err e;

	if ((e = valid_list(r, 1, &v)) != PROTO_OK)
		return e;
	if (r->auth.uid > 0)
		personalise(r, v);
	finish_list(r, v);
	return PROTO_OK;
}
