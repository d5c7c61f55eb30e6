/*
 * svc_comment.c: see svc_comment.h. Cached values are the full rows (uid,
 * author, hidden); what a reader may see is cut per request, so one cached
 * value serves every reader of its kind.
 */
#include "svc/svc_comment.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/ratelimit.h"
#include "core/ids.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "store/store_film.h"
#include "store/store_comment.h"
#include "svc/detail.h"
#include "svc/txn.h"
#include "svc/routes.h"

#define COMMENTS_PER_USER 10
#define COMMENT_WINDOW_S 60

#define DETAIL_TTL_S 300
#define LIST_TTL_S 300

static int is_admin(const struct req *r)
{
	return r->auth.uid > 0 && r->auth.role == PROTO_ROLE_ADMIN;
}

static void key_ns(char *buf, size_t len, int64_t fid)
{
	snprintf(buf, len, "comment:%" PRId64, fid);
}

/* Every write: the comment's detail and every cached list of its film. */
static void invalidate(struct worker *w, int64_t id, int64_t fid)
{
	char k[64];

	detail_key(k, sizeof(k), "comment", id);
	cache_del(w, k);
	key_ns(k, sizeof(k), fid);
	cache_bump(w, k);
}

/* The full wire object of a comment (nothing masked). */
static cJSON *comment_json(const struct comment *c)
{
	cJSON *o = cJSON_CreateObject();

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, PROTO_KEY_ID, (double)c->id);
	cJSON_AddNumberToObject(o, "uid", (double)c->uid);
	cJSON_AddStringToObject(o, "author", c->author);
	cJSON_AddNumberToObject(o, "fid", (double)c->fid);
	cJSON_AddStringToObject(o, "title", c->title);
	cJSON_AddStringToObject(o, "content", c->content);
	cJSON_AddNumberToObject(o, "rating", c->rating);
	cJSON_AddNumberToObject(o, "isAnonymous", c->is_anonymous);
	cJSON_AddNumberToObject(o, "hidden", c->hidden);
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_CREATE_TIME, (double)c->create_time)) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static cJSON *list_json(const struct comment_list *l)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = o ? cJSON_AddArrayToObject(o, PROTO_KEY_LIST) : NULL;
	int i;

	if (!arr)
		goto fail;
	for (i = 0; i < l->n; i++) {
		cJSON *c = comment_json(&l->items[i]);
		if (!c)
			goto fail;
		cJSON_AddItemToArray(arr, c);
	}
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_TOTAL, (double)l->total))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

/* What a non-admin reader sees of an anonymous comment. */
static void mask(cJSON *c)
{
	cJSON *anon = cJSON_GetObjectItemCaseSensitive(c, "isAnonymous");

	if (!cJSON_IsNumber(anon) || anon->valueint == 0)
		return;
	cJSON_ReplaceItemInObjectCaseSensitive(c, "uid", cJSON_CreateNumber(0));
	cJSON_ReplaceItemInObjectCaseSensitive(c, "author", cJSON_CreateString(""));
}

static int get_int(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? v->valueint : 0;
}

/*
 * A text field of 1..max characters. *present (may be NULL) says whether the
 * key was given; a missing required key is an invalid_field like a bad one.
 */
static enum proto_err get_text(struct req *r, const char *key, size_t max, int required,
                               const char **out, int *present)
{
	int g = proto_get_str(r->body, key, max, out);

	if (present)
		*present = g == 1;
	if (g < 0 || (g == 0 && required) || (g == 1 && (*out)[0] == '\0'))
		return req_fail_field(r, key);
	return PROTO_OK;
}

/* The comment id of the request, loaded; 404 when there is none. */
static enum proto_err load_comment(struct req *r, int64_t *id, struct comment_list *l)
{
	enum db_rc rc;

	memset(l, 0, sizeof(*l));
	if (proto_get_id(r->body, PROTO_KEY_ID, id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	rc = store_comment_get(r->w, *id, l);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (l->n == 0)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such comment");
	return PROTO_OK;
}

/*
 * A caller who may not change another user's comment: 404, as for every id
 * of another customer (spec section 2: never 403 for those); an admin, who
 * sees every comment, is told 403.
 */
static enum proto_err refuse(struct req *r)
{
	if (is_admin(r))
		return req_fail_msg(r, PROTO_ERR_FORBIDDEN, "not your comment");
	return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such comment");
}

/*
 * A write to comment id: op, and its audit record when an admin acts on
 * another's comment, in one transaction (txn_run).
 */
struct audited_write {
	int64_t id;
	int audit;
	const char *action, *detail;
	enum db_rc (*op)(struct worker *, void *);
	void *arg;
};

static enum proto_err audited_tx(struct req *r, void *arg, enum db_rc *db)
{
	const struct audited_write *a = arg;

	TXN_TRY(a->op(r->w, a->arg));
	if (a->audit)
		TXN_TRY(txn_audit(r, a->action, "comment", a->id, a->detail));
	return PROTO_OK;
}

/* The tail of every write of a loaded comment c: run w, then drop c's caches. */
static enum proto_err write_loaded(struct req *r, const struct comment *c, struct audited_write *w)
{
	enum proto_err e = txn_run(r, audited_tx, w);

	if (e == PROTO_OK)
		invalidate(r->w, c->id, c->fid);
	return e;
}

/* ---- /comment/create ---- */

enum proto_err comment_create(struct req *r)
{
	struct comment c;
	const char *title, *content;
	int64_t fid, anon, rating = 0;
	enum proto_err e;
	enum db_rc rc;
	int exists, g, ra = 0;
	char subject[32];

	memset(&c, 0, sizeof(c));
	if (proto_get_id(r->body, "fid", &fid) != 1)
		return req_fail_field(r, "fid");
	if ((e = get_text(r, "title", PROTO_LEN_NAME, 1, &title, NULL)) != PROTO_OK)
		return e;
	if ((e = get_text(r, "content", PROTO_LEN_TEXT, 1, &content, NULL)) != PROTO_OK)
		return e;
	if (proto_get_int(r->body, "isAnonymous", 0, 1, &anon) != 1)
		return req_fail_field(r, "isAnonymous");
	g = proto_get_int(r->body, "rating", 1, 5, &rating);
	if (g < 0)
		return req_fail_field(r, "rating");
	/*
	 * Spec 3: 10/min per user. With Redis down comments stay open (the
	 * limit is against spam, not a cost or a secret).
	 */
	snprintf(subject, sizeof(subject), "%" PRId64, r->auth.uid);
	if (ratelimit_hit(r->w, "comment", subject, COMMENTS_PER_USER, COMMENT_WINDOW_S, &ra) == 1)
		return req_fail_rate(r, ra);

	rc = store_film_exists(r->w, fid, &exists);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	if (!exists)
		return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such film");

	c.id = ids_next();
	c.uid = r->auth.uid;
	c.fid = fid;
	c.title = title;
	c.content = content;
	c.rating = (int)rating;
	c.is_anonymous = (int)anon;
	rc = store_comment_insert(r->w, &c);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	invalidate(r->w, c.id, fid);
	cJSON_AddNumberToObject(r->data, PROTO_KEY_ID, (double)c.id);
	return PROTO_OK;
}

/* ---- /comment/update ---- */

struct update_arg {
	int64_t id, uid;
	const struct comment_patch *p;
};

static enum db_rc do_update(struct worker *w, void *arg)
{
	const struct update_arg *a = arg;

	return store_comment_update(w, a->id, a->uid, a->p);
}

enum proto_err comment_update(struct req *r)
{
	struct comment_list l;
	struct comment_patch p;
	struct update_arg u;
	struct audited_write w;
	const cJSON *rating_item;
	int64_t id, v;
	enum proto_err e;
	int g;

	memset(&p, 0, sizeof(p));
	if (proto_get_id(r->body, PROTO_KEY_ID, &id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	if ((e = get_text(r, "title", PROTO_LEN_NAME, 0, &p.title, &p.has_title)) != PROTO_OK)
		return e;
	if ((e = get_text(r, "content", PROTO_LEN_TEXT, 0, &p.content, &p.has_content)) != PROTO_OK)
		return e;
	g = proto_get_int(r->body, "isAnonymous", 0, 1, &v);
	if (g < 0)
		return req_fail_field(r, "isAnonymous");
	p.has_anonymous = g == 1;
	p.is_anonymous = g == 1 ? (int)v : 0;
	rating_item = cJSON_GetObjectItemCaseSensitive(r->body, "rating");
	if (cJSON_IsNull(rating_item)) {
		p.has_rating = 1; /* null clears the rating */
		p.rating = 0;
	} else {
		g = proto_get_int(r->body, "rating", 1, 5, &v);
		if (g < 0)
			return req_fail_field(r, "rating");
		p.has_rating = g == 1;
		p.rating = g == 1 ? (int)v : 0;
	}

	if ((e = load_comment(r, &id, &l)) != PROTO_OK)
		goto out;
	if (l.items[0].uid != r->auth.uid) {
		e = refuse(r);
		goto out;
	}
	u = (struct update_arg){id, r->auth.uid, &p};
	w = (struct audited_write){id, 0, NULL, NULL, do_update, &u};
	e = write_loaded(r, &l.items[0], &w);
out:
	store_comment_list_release(&l);
	return e;
}

/* ---- /comment/remove ---- */

struct remove_arg {
	int64_t id;
};

static enum db_rc do_remove(struct worker *w, void *arg)
{
	const struct remove_arg *a = arg;

	return store_comment_delete(w, a->id, NULL);
}

enum proto_err comment_remove(struct req *r)
{
	struct comment_list l;
	struct remove_arg a;
	struct audited_write w;
	char detail[64];
	int64_t id;
	enum proto_err e;
	int own;

	if ((e = load_comment(r, &id, &l)) != PROTO_OK)
		goto out;
	own = l.items[0].uid == r->auth.uid;
	if (!own && !is_admin(r)) {
		e = refuse(r);
		goto out;
	}
	a.id = id;
	snprintf(detail, sizeof(detail), "fid=%" PRId64 " uid=%" PRId64, l.items[0].fid,
	         l.items[0].uid);
	w = (struct audited_write){id, !own, "comment.remove", detail, do_remove, &a};
	e = write_loaded(r, &l.items[0], &w);
out:
	store_comment_list_release(&l);
	return e;
}

/* ---- /comment/hide ---- */

struct hide_arg {
	int64_t id;
	int hidden;
};

static enum db_rc do_hide(struct worker *w, void *arg)
{
	const struct hide_arg *a = arg;

	return store_comment_set_hidden(w, a->id, a->hidden);
}

enum proto_err comment_hide(struct req *r)
{
	struct comment_list l;
	struct hide_arg a;
	struct audited_write w;
	char detail[32];
	int64_t id, hidden;
	enum proto_err e;

	memset(&l, 0, sizeof(l));
	if (proto_get_id(r->body, PROTO_KEY_ID, &id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	if (proto_get_int(r->body, "hidden", 0, 1, &hidden) != 1)
		return req_fail_field(r, "hidden");
	if ((e = load_comment(r, &id, &l)) != PROTO_OK)
		goto out;
	a.id = id;
	a.hidden = (int)hidden;
	snprintf(detail, sizeof(detail), "hidden=%d", a.hidden);
	w = (struct audited_write){id, 1, "comment.hide", detail, do_hide, &a};
	e = write_loaded(r, &l.items[0], &w);
out:
	store_comment_list_release(&l);
	return e;
}

/* ---- /comment/detail ---- */

static enum proto_err load_detail(struct worker *w, void *arg, cJSON **out)
{
	const int64_t *id = arg;
	struct comment_list l;
	enum db_rc rc;

	rc = store_comment_get(w, *id, &l);
	if (rc != DB_OK)
		return txn_err(rc);
	*out = NULL;
	if (l.n > 0) {
		*out = comment_json(&l.items[0]);
		if (!*out) {
			store_comment_list_release(&l);
			return PROTO_ERR_INTERNAL;
		}
	}
	store_comment_list_release(&l);
	return PROTO_OK;
}

enum proto_err comment_detail(struct req *r)
{
	cJSON *c;
	enum proto_err e =
	    detail_fetch(r, "comment", DETAIL_TTL_S, load_detail, "no such comment", &c);

	if (e != PROTO_OK)
		return e;
	if (!is_admin(r)) {
		if (get_int(c, "hidden")) {
			cJSON_Delete(c);
			return req_fail_msg(r, PROTO_ERR_NOT_FOUND, "no such comment");
		}
		mask(c);
	}
	return req_answer(r, c);
}

/* ---- /comment/film/list ---- */

struct film_list_arg {
	int64_t fid, offset, limit;
	int with_hidden;
};

static enum proto_err load_film_list(struct worker *w, void *arg, cJSON **out)
{
	const struct film_list_arg *a = arg;
	struct comment_list l;
	double avg;
	int64_t count;
	enum db_rc rc;
	int exists;

	memset(&l, 0, sizeof(l));
	*out = NULL;
	rc = store_film_exists(w, a->fid, &exists);
	if (rc != DB_OK)
		goto fail;
	if (!exists)
		return PROTO_OK; /* no such film: cached as a marker */
	rc = store_comment_by_film(w, a->fid, a->with_hidden, a->offset, a->limit, &l);
	if (rc != DB_OK)
		goto fail;
	rc = store_comment_rating(w, a->fid, &avg, &count);
	if (rc != DB_OK)
		goto fail;
	*out = list_json(&l);
	store_comment_list_release(&l);
	if (!*out)
		return PROTO_ERR_INTERNAL;
	cJSON_AddNumberToObject(*out, "avgRating", count > 0 ? round(avg * 100.0) / 100.0 : 0);
	cJSON_AddNumberToObject(*out, "ratingCount", (double)count);
	return PROTO_OK;
fail:
	store_comment_list_release(&l);
	return txn_err(rc);
}

enum proto_err comment_film_list(struct req *r)
{
	struct film_list_arg a;
	char head[96], key[96], ns[64];
	int64_t page, size;
	cJSON *v = NULL, *c;
	enum proto_err e;

	memset(&a, 0, sizeof(a));
	if (proto_get_id(r->body, "fid", &a.fid) != 1)
		return req_fail_field(r, "fid");
	if ((e = req_paging(r, &page, &size)) != PROTO_OK)
		return e;
	a.offset = (page - 1) * size;
	a.limit = size;
	a.with_hidden = is_admin(r);
	key_ns(ns, sizeof(ns), a.fid);
	snprintf(head, sizeof(head), "comment:film:%" PRId64 ":g", a.fid);
	snprintf(key, sizeof(key), ":%" PRId64 ":%" PRId64 ":%c", page, size,
	         a.with_hidden ? 'a' : 'v');
	e = cache_get_gen(r->w, ns, head, key, LIST_TTL_S, load_film_list, &a, &v);
	if (e == PROTO_ERR_NOT_FOUND)
		return req_fail_msg(r, e, "no such film");
	if (e != PROTO_OK) {
		return e;
	}
	if (!a.with_hidden)
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(v, PROTO_KEY_LIST)) mask(c);
	return req_answer(r, v);
}

/* ---- /comment/list ---- */

enum proto_err comment_list(struct req *r)
{
	struct comment_list l;
	int64_t page = 1, size = PROTO_PAGE_SIZE_MAX;
	cJSON *v, *c;
	enum proto_err e;
	enum db_rc rc;

	if (cJSON_GetObjectItemCaseSensitive(r->body, "page") ||
	    cJSON_GetObjectItemCaseSensitive(r->body, "pageSize")) {
		if ((e = req_paging(r, &page, &size)) != PROTO_OK)
			return e;
	}
	rc = store_comment_by_user(r->w, r->auth.uid, (page - 1) * size, size, &l);
	if (rc != DB_OK)
		return txn_fail(r, rc);
	v = list_json(&l);
	store_comment_list_release(&l);
	if (!v)
		return PROTO_ERR_INTERNAL;
	/* Spec 4.9 masks anonymous comments for every reader but admins, the writer included. */
	if (!is_admin(r))
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(v, PROTO_KEY_LIST)) mask(c);
	return req_answer(r, v);
}
