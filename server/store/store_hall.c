/*
 * store_hall.c: see store_hall.h.
 */
#include "store/store_hall.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define HALL_COLUMNS "id, name, layout, seats, create_time, update_time"

static const struct db_col row_cols[] = {
    DB_COLS(struct hall_row, id, name, layout, seats, create_time, update_time)};

enum db_rc store_hall_insert(struct worker *w, const struct hall_row *h)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(w,
	               "INSERT INTO halls (id, name, layout, seats, removed, create_time, "
	               "update_time) VALUES (?, ?, ?, ?, 0, ?, ?)",
	               DB_PARAMS(DB_I64(h->id), DB_STR(h->name), DB_STR(h->layout),
	                         DB_I64(h->seats), DB_I64(now), DB_I64(now)),
	               NULL, NULL);
}

enum db_rc store_hall_get(struct worker *w, int64_t id, struct hall_row *out, int *found)
{
	return db_get_row(w, "SELECT " HALL_COLUMNS " FROM halls WHERE id = ? AND removed = 0",
	                  DB_PARAMS(DB_I64(id)), row_cols, out, found);
}

enum db_rc store_hall_lock(struct worker *w, int64_t id, struct hall_row *out, int *found)
{
	return db_get_row(
	    w, "SELECT " HALL_COLUMNS " FROM halls WHERE id = ? AND removed = 0 FOR UPDATE",
	    DB_PARAMS(DB_I64(id)), row_cols, out, found);
}

enum db_rc store_hall_update(struct worker *w, int64_t id, const char *name, const char *layout,
                             int seats)
{
	return db_exec(w,
	               "UPDATE halls SET name = COALESCE(?, name), layout = COALESCE(?, layout), "
	               "seats = COALESCE(?, seats), update_time = ? WHERE id = ? AND removed = 0",
	               DB_PARAMS(name ? DB_STR(name) : DB_NULL, layout ? DB_STR(layout) : DB_NULL,
	                         layout ? DB_I64(seats) : DB_NULL, DB_I64((int64_t)time(NULL)),
	                         DB_I64(id)),
	               NULL, NULL);
}

enum db_rc store_hall_remove(struct worker *w, int64_t id)
{
	return db_exec(w, "UPDATE halls SET removed = 1, update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_I64((int64_t)time(NULL)), DB_I64(id)), NULL, NULL);
}

enum db_rc store_hall_list(struct worker *w, int64_t limit, struct hall_row **rows, int *n,
                           int64_t *total)
{
	struct db_res res;
	void *v = NULL;
	enum db_rc rc;

	*rows = NULL;
	*n = 0;
	*total = 0;
	rc = db_get_count(w, "SELECT COUNT(*) FROM halls WHERE removed = 0", DB_NOPARAMS, total);
	if (rc != DB_OK)
		return rc;
	if (*total == 0)
		return DB_OK;
	rc = db_query(
	    w, "SELECT " HALL_COLUMNS " FROM halls WHERE removed = 0 ORDER BY name, id LIMIT ?",
	    DB_PARAMS(DB_I64(limit)), &res);
	rc = db_all_rows(rc, &res, row_cols, &v, n);
	*rows = v;
	return rc;
}
