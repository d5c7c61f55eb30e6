/*
 * store_shift.c: see store_shift.h.
 */
#include "store/store_shift.h"

#include <stdio.h>
#include <string.h>

static const struct db_col shift_cols[] = {DB_COLS(struct shift_row, id, cashier_id, opened_at,
                                                   closed_at, float_amount, counted, expected_cash,
                                                   open)};

enum db_rc store_shift_insert(struct worker *w, const struct shift_row *s)
{
	return db_exec(w,
	               "INSERT INTO shifts (id, cashier_id, opened_at, float_amount, open) "
	               "VALUES (?, ?, ?, ?, 1)",
	               DB_PARAMS(DB_I64(s->id), DB_I64(s->cashier_id), DB_I64(s->opened_at),
	                         DB_I64(s->float_amount)),
	               NULL, NULL);
}

enum db_rc store_shift_open_of(struct worker *w, int64_t cashier_id, int lock,
                               struct shift_row *out, int *found)
{
	if (lock)
		return db_get_row(
		    w,
		    "SELECT id, cashier_id, opened_at, closed_at, float_amount, counted, "
		    "expected_cash, COALESCE(open, 0) FROM shifts "
		    "WHERE cashier_id = ? AND open = 1 FOR UPDATE",
		    DB_PARAMS(DB_I64(cashier_id)), shift_cols, out, found);
	else
		return db_get_row(
		    w,
		    "SELECT id, cashier_id, opened_at, closed_at, float_amount, counted, "
		    "expected_cash, COALESCE(open, 0) FROM shifts "
		    "WHERE cashier_id = ? AND open = 1",
		    DB_PARAMS(DB_I64(cashier_id)), shift_cols, out, found);
}

enum db_rc store_shift_figures(struct worker *w, int64_t id, struct shift_figures *f)
{
	struct db_res res;
	enum db_rc rc;
	int i;

	memset(f, 0, sizeof(*f));
	rc =
	    db_query(w,
	             "SELECT method, SUM(amount) FROM pays WHERE shift_id = ? AND status IN (1, 3) "
	             "GROUP BY method ORDER BY method",
	             DB_PARAMS(DB_I64(id)), &res);
	if (rc != DB_OK)
		return rc;
	for (i = 0; i < res.nrows && f->nmethods < STORE_SHIFT_METHODS; i++) {
		db_cell_copy(f->method[f->nmethods], sizeof(f->method[0]), &res, i, 0);
		f->sales[f->nmethods] = db_cell_i64(&res, i, 1);
		if (strcmp(f->method[f->nmethods], "cash") == 0)
			f->cash_sales = f->sales[f->nmethods];
		f->nmethods++;
	}
	db_res_release(&res);
	rc = db_query(w,
	              "SELECT COALESCE(SUM(amount), 0), "
	              "COALESCE(SUM(IF(method = 'cash', amount, 0)), 0) FROM refunds "
	              "WHERE shift_id = ?",
	              DB_PARAMS(DB_I64(id)), &res);
	if (rc != DB_OK)
		return rc;
	f->refunds = db_cell_i64(&res, 0, 0);
	f->cash_refunds = db_cell_i64(&res, 0, 1);
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_shift_pending(struct worker *w, int64_t id, int64_t *n)
{
	struct db_res res;
	enum db_rc rc;

	*n = 0;
	rc = db_query(w, "SELECT COUNT(*) FROM pays WHERE shift_id = ? AND status = 0",
	              DB_PARAMS(DB_I64(id)), &res);
	if (rc != DB_OK)
		return rc;
	*n = res.nrows > 0 ? db_cell_i64(&res, 0, 0) : 0;
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_shift_close(struct worker *w, int64_t id, int64_t counted, int64_t expected,
                             int64_t now, uint64_t *affected)
{
	return db_exec(w,
	               "UPDATE shifts SET open = NULL, closed_at = ?, counted = ?, "
	               "expected_cash = ? WHERE id = ? AND open = 1",
	               DB_PARAMS(DB_I64(now), DB_I64(counted), DB_I64(expected), DB_I64(id)),
	               affected, NULL);
}
