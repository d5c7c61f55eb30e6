/*
 * store_advert.c: see store_advert.h.
 */
#include "store/store_advert.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_wire.h"

#define ADVERT_COLUMNS                                                                        \
	"id, title, content, is_com, status, film_id, genre, start_at, end_at, create_time, " \
	"update_time"

/* Turn the rows of res (ADVERT_COLUMNS) into out->items; takes res. */
static enum db_rc fill(struct db_res *res, struct advert_list *out)
{
	int i;

	out->res = *res;
	memset(res, 0, sizeof(*res));
	out->n = 0;
	if (out->res.nrows == 0)
		return DB_OK;
	out->items = calloc((size_t)out->res.nrows, sizeof(*out->items));
	if (!out->items) {
		db_res_release(&out->res);
		return DB_ERROR;
	}
	for (i = 0; i < out->res.nrows; i++) {
		struct advert *a = &out->items[i];

		a->id = db_cell_i64(&out->res, i, 0);
		a->title = db_cell_str(&out->res, i, 1);
		a->content = db_cell_str(&out->res, i, 2);
		a->is_com = (int)db_cell_i64(&out->res, i, 3);
		a->status = (int)db_cell_i64(&out->res, i, 4);
		a->film_id = db_cell_i64(&out->res, i, 5);
		a->genre = db_cell_str(&out->res, i, 6);
		a->start_at = db_cell_i64(&out->res, i, 7);
		a->end_at = db_cell_i64(&out->res, i, 8);
		a->create_time = db_cell_i64(&out->res, i, 9);
		a->update_time = db_cell_i64(&out->res, i, 10);
	}
	out->n = out->res.nrows;
	return DB_OK;
}

void store_advert_list_release(struct advert_list *l)
{
	if (!l)
		return;
	free(l->items);
	db_res_release(&l->res);
	memset(l, 0, sizeof(*l));
}

void store_advert_bought_release(struct advert_bought *b)
{
	if (!b)
		return;
	free(b->fids);
	free(b->genres);
	db_res_release(&b->res);
	memset(b, 0, sizeof(*b));
}

enum db_rc store_advert_insert(struct worker *w, const struct advert *a)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(w,
	               "INSERT INTO adverts (id, title, content, is_com, status, film_id, genre, "
	               "start_at, end_at, create_time, update_time) "
	               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	               DB_PARAMS(DB_I64(a->id), DB_STR(a->title), DB_STR(a->content),
	                         DB_I64(a->is_com), DB_I64(a->status), DB_I64(a->film_id),
	                         DB_STR(a->genre), DB_I64(a->start_at), DB_I64(a->end_at),
	                         DB_I64(now), DB_I64(now)),
	               NULL, NULL);
}

enum db_rc store_advert_get(struct worker *w, int64_t id, int for_update, struct advert_list *out)
{
	struct db_res res;
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	if (for_update)
		rc = db_query(w, "SELECT " ADVERT_COLUMNS " FROM adverts WHERE id = ? FOR UPDATE",
		              DB_PARAMS(DB_I64(id)), &res);
	else
		rc = db_query(w, "SELECT " ADVERT_COLUMNS " FROM adverts WHERE id = ?",
		              DB_PARAMS(DB_I64(id)), &res);
	if (rc != DB_OK)
		return rc;
	return fill(&res, out);
}

enum db_rc store_advert_update(struct worker *w, const struct advert *a)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(w,
	               "UPDATE adverts SET title = ?, content = ?, is_com = ?, status = ?, "
	               "film_id = ?, genre = ?, start_at = ?, end_at = ?, update_time = ? "
	               "WHERE id = ?",
	               DB_PARAMS(DB_STR(a->title), DB_STR(a->content), DB_I64(a->is_com),
	                         DB_I64(a->status), DB_I64(a->film_id), DB_STR(a->genre),
	                         DB_I64(a->start_at), DB_I64(a->end_at), DB_I64(now),
	                         DB_I64(a->id)),
	               NULL, NULL);
}

enum db_rc store_advert_delete(struct worker *w, int64_t id, uint64_t *affected)
{
	return db_exec(w, "DELETE FROM adverts WHERE id = ?", DB_PARAMS(DB_I64(id)), affected,
	               NULL);
}

enum db_rc store_advert_valid(struct worker *w, int is_com, int64_t now, struct advert_list *out)
{
	struct db_res res;
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	rc = db_query(w,
	              "SELECT " ADVERT_COLUMNS " FROM adverts "
	              "WHERE is_com = ? AND status = 0 AND (end_at = 0 OR end_at > ?) "
	              "ORDER BY create_time DESC, id DESC LIMIT ?",
	              DB_PARAMS(DB_I64(is_com ? 1 : 0), DB_I64(now), DB_I64(STORE_ADVERT_LIST_MAX)),
	              &res);
	if (rc != DB_OK)
		return rc;
	return fill(&res, out);
}

enum db_rc store_advert_bought(struct worker *w, int64_t uid, struct advert_bought *out)
{
	enum db_rc rc;
	int i;

	memset(out, 0, sizeof(*out));
	/* The newest 500 films are plenty to rank a few hundred adverts. */
	rc = db_query(w,
	              "SELECT o.fid, f.genre, MAX(o.create_time) AS t FROM orders o "
	              "JOIN films f ON f.id = o.fid WHERE o.uid = ? AND o.status = ? "
	              "GROUP BY o.fid, f.genre ORDER BY t DESC LIMIT 500",
	              DB_PARAMS(DB_I64(uid), DB_I64(PROTO_ORDER_PAID)), &out->res);
	if (rc != DB_OK)
		return rc;
	if (out->res.nrows == 0)
		return DB_OK;
	out->fids = calloc((size_t)out->res.nrows, sizeof(*out->fids));
	out->genres = calloc((size_t)out->res.nrows, sizeof(*out->genres));
	if (!out->fids || !out->genres) {
		store_advert_bought_release(out);
		return DB_ERROR;
	}
	for (i = 0; i < out->res.nrows; i++) {
		out->fids[i] = db_cell_i64(&out->res, i, 0);
		out->genres[i] = db_cell_str(&out->res, i, 1);
	}
	out->n = out->res.nrows;
	return DB_OK;
}
