/*
 * store_comment.c: see store_comment.h.
 */
#include "store/store_comment.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define COMMENT_COLUMNS                                                                \
	"c.id, c.uid, c.fid, c.title, c.content, c.rating, c.is_anonymous, c.hidden, " \
	"c.create_time, c.update_time, COALESCE(u.name, '')"
#define COMMENT_FROM " FROM comments c LEFT JOIN users u ON u.id = c.uid "

/* Turn the rows of res (COMMENT_COLUMNS) into out->items; takes res. */
static enum db_rc fill(struct db_res *res, struct comment_list *out)
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
		struct comment *c = &out->items[i];

		c->id = db_cell_i64(&out->res, i, 0);
		c->uid = db_cell_i64(&out->res, i, 1);
		c->fid = db_cell_i64(&out->res, i, 2);
		c->title = db_cell_str(&out->res, i, 3);
		c->content = db_cell_str(&out->res, i, 4);
		c->rating = (int)db_cell_i64(&out->res, i, 5);
		c->is_anonymous = (int)db_cell_i64(&out->res, i, 6);
		c->hidden = (int)db_cell_i64(&out->res, i, 7);
		c->create_time = db_cell_i64(&out->res, i, 8);
		c->update_time = db_cell_i64(&out->res, i, 9);
		c->author = db_cell_str(&out->res, i, 10);
	}
	out->n = out->res.nrows;
	return DB_OK;
}

void store_comment_list_release(struct comment_list *l)
{
	if (!l)
		return;
	free(l->items);
	db_res_release(&l->res);
	memset(l, 0, sizeof(*l));
}

enum db_rc store_comment_insert(struct worker *w, const struct comment *c)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(w,
	               "INSERT INTO comments (id, uid, fid, title, content, rating, is_anonymous, "
	               "hidden, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
	               DB_PARAMS(DB_I64(c->id), DB_I64(c->uid), DB_I64(c->fid), DB_STR(c->title),
	                         DB_STR(c->content), c->rating > 0 ? DB_I64(c->rating) : DB_NULL,
	                         DB_I64(c->is_anonymous ? 1 : 0), DB_I64(now), DB_I64(now)),
	               NULL, NULL);
}

enum db_rc store_comment_get(struct worker *w, int64_t id, struct comment_list *out)
{
	struct db_res res;
	enum db_rc rc;

	memset(out, 0, sizeof(*out));
	rc = db_query(w, "SELECT " COMMENT_COLUMNS COMMENT_FROM "WHERE c.id = ?",
	              DB_PARAMS(DB_I64(id)), &res);
	if (rc != DB_OK)
		return rc;
	out->total = res.nrows;
	return fill(&res, out);
}

enum db_rc store_comment_update(struct worker *w, int64_t id, int64_t uid,
                                const struct comment_patch *p)
{
	int64_t now = (int64_t)time(NULL);

	/* IF(flag, value, column): one statement for every combination of present keys. */
	return db_exec(w,
	               "UPDATE comments SET title = IF(?, ?, title), content = IF(?, ?, content), "
	               "is_anonymous = IF(?, ?, is_anonymous), rating = IF(?, ?, rating), "
	               "update_time = ? WHERE id = ? AND uid = ?",
	               DB_PARAMS(DB_I64(p->has_title), DB_STR(p->title ? p->title : ""),
	                         DB_I64(p->has_content), DB_STR(p->content ? p->content : ""),
	                         DB_I64(p->has_anonymous), DB_I64(p->is_anonymous ? 1 : 0),
	                         DB_I64(p->has_rating), p->rating > 0 ? DB_I64(p->rating) : DB_NULL,
	                         DB_I64(now), DB_I64(id), DB_I64(uid)),
	               NULL, NULL);
}

enum db_rc store_comment_delete(struct worker *w, int64_t id, uint64_t *affected)
{
	return db_exec(w, "DELETE FROM comments WHERE id = ?", DB_PARAMS(DB_I64(id)), affected,
	               NULL);
}

enum db_rc store_comment_set_hidden(struct worker *w, int64_t id, int hidden)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(w, "UPDATE comments SET hidden = ?, update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_I64(hidden ? 1 : 0), DB_I64(now), DB_I64(id)), NULL, NULL);
}

enum db_rc store_comment_by_film(struct worker *w, int64_t fid, int with_hidden, int64_t offset,
                                 int64_t limit, struct comment_list *out)
{
	struct db_res res;
	enum db_rc rc;
	int64_t total;

	memset(out, 0, sizeof(*out));
	rc = db_query(w, "SELECT COUNT(*) FROM comments WHERE fid = ? AND (? OR hidden = 0)",
	              DB_PARAMS(DB_I64(fid), DB_I64(with_hidden ? 1 : 0)), &res);
	if (rc != DB_OK)
		return rc;
	total = db_cell_i64(&res, 0, 0);
	db_res_release(&res);
	rc = db_query(
	    w,
	    "SELECT " COMMENT_COLUMNS COMMENT_FROM "WHERE c.fid = ? AND (? OR c.hidden = 0) "
	    "ORDER BY c.create_time DESC, c.id DESC LIMIT ? OFFSET ?",
	    DB_PARAMS(DB_I64(fid), DB_I64(with_hidden ? 1 : 0), DB_I64(limit), DB_I64(offset)),
	    &res);
	if (rc != DB_OK)
		return rc;
	out->total = total;
	return fill(&res, out);
}

enum db_rc store_comment_rating(struct worker *w, int64_t fid, double *avg, int64_t *count)
{
	struct db_res res;
	enum db_rc rc;
	const char *a;

	*avg = 0;
	*count = 0;
	rc = db_query(w,
	              "SELECT COUNT(rating), AVG(rating) FROM comments "
	              "WHERE fid = ? AND hidden = 0 AND rating IS NOT NULL",
	              DB_PARAMS(DB_I64(fid)), &res);
	if (rc != DB_OK)
		return rc;
	*count = db_cell_i64(&res, 0, 0);
	a = db_cell(&res, 0, 1);
	if (*count > 0 && a)
		*avg = strtod(a, NULL);
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_comment_by_user(struct worker *w, int64_t uid, int64_t offset, int64_t limit,
                                 struct comment_list *out)
{
	struct db_res res;
	enum db_rc rc;
	int64_t total;

	memset(out, 0, sizeof(*out));
	rc = db_query(w, "SELECT COUNT(*) FROM comments WHERE uid = ?", DB_PARAMS(DB_I64(uid)),
	              &res);
	if (rc != DB_OK)
		return rc;
	total = db_cell_i64(&res, 0, 0);
	db_res_release(&res);
	rc = db_query(w,
	              "SELECT " COMMENT_COLUMNS COMMENT_FROM
	              "WHERE c.uid = ? ORDER BY c.create_time DESC, c.id DESC LIMIT ? OFFSET ?",
	              DB_PARAMS(DB_I64(uid), DB_I64(limit), DB_I64(offset)), &res);
	if (rc != DB_OK)
		return rc;
	out->total = total;
	return fill(&res, out);
}
