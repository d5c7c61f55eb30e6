/*
 * store_order.c: see store_order.h.
 */
#include "store/store_order.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ORDER_COLUMNS                                                                         \
	"id, uid, fid, screening_id, hold_id, quantity, amount, status, reason, cashier_id, " \
	"COALESCE(idempotency_key, ''), expire_at, paid_at, refund_pending, create_time, "    \
	"update_time"

static const struct db_col order_cols[] = {
    DB_COLS(struct order_row, id, uid, fid, screening_id, hold_id, quantity, amount, status, reason,
            cashier_id, idem, expire_at, paid_at, refund_pending, create_time, update_time)};

static const struct db_col ticket_cols[] = {
    DB_COLS(struct ticket_row, id, seat, ticket_type, price, code, status)};

enum db_rc store_order_insert(struct worker *w, const struct order_row *o)
{
	return db_exec(w,
	               "INSERT INTO orders (id, uid, fid, screening_id, hold_id, quantity, amount, "
	               "status, reason, cashier_id, idempotency_key, expire_at, paid_at, "
	               "refund_pending, create_time, update_time) "
	               "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)",
	               DB_PARAMS(DB_I64(o->id), DB_I64(o->uid), DB_I64(o->fid),
	                         DB_I64(o->screening_id), DB_I64(o->hold_id), DB_I64(o->quantity),
	                         DB_I64(o->amount), DB_I64(o->status), DB_STR(o->reason),
	                         DB_I64(o->cashier_id), o->idem[0] ? DB_STR(o->idem) : DB_NULL,
	                         DB_I64(o->expire_at), DB_I64(o->create_time),
	                         DB_I64(o->update_time)),
	               NULL, NULL);
}

/* One multi-row INSERT per row count: the statement cache keys on the literal. */
#define TICKET_INSERT                                                                              \
	"INSERT INTO tickets (id, order_id, screening_id, fid, seat, ticket_type, price, status, " \
	"live, create_time) VALUES "
#define TR "(?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
#define TICKET_PARAMS 9
static const char *const ticket_sql[STORE_ORDER_MAX_ITEMS + 1] = {
    NULL,
    TICKET_INSERT TR,
    TICKET_INSERT TR "," TR,
    TICKET_INSERT TR "," TR "," TR,
    TICKET_INSERT TR "," TR "," TR "," TR,
    TICKET_INSERT TR "," TR "," TR "," TR "," TR,
    TICKET_INSERT TR "," TR "," TR "," TR "," TR "," TR,
    TICKET_INSERT TR "," TR "," TR "," TR "," TR "," TR "," TR,
    TICKET_INSERT TR "," TR "," TR "," TR "," TR "," TR "," TR "," TR,
    TICKET_INSERT TR "," TR "," TR "," TR "," TR "," TR "," TR "," TR "," TR,
    TICKET_INSERT TR "," TR "," TR "," TR "," TR "," TR "," TR "," TR "," TR "," TR,
};

enum db_rc store_order_insert_tickets(struct worker *w, const struct order_row *o,
                                      const struct ticket_row *t, int n)
{
	struct db_param p[STORE_ORDER_MAX_ITEMS * TICKET_PARAMS];
	int i, k = 0;

	if (n < 1 || n > STORE_ORDER_MAX_ITEMS)
		return DB_ERROR;
	for (i = 0; i < n; i++) {
		p[k++] = DB_I64(t[i].id);
		p[k++] = DB_I64(o->id);
		p[k++] = DB_I64(o->screening_id);
		p[k++] = DB_I64(o->fid);
		p[k++] = DB_STR(t[i].seat);
		p[k++] = DB_STR(t[i].ticket_type);
		p[k++] = DB_I64(t[i].price);
		p[k++] = t[i].seat[0] ? DB_I64(1) : DB_NULL;
		p[k++] = DB_I64(o->create_time);
	}
	return db_exec(w, ticket_sql[n], p, k, NULL, NULL);
}

enum db_rc store_order_get(struct worker *w, int64_t id, struct order_row *out, int *found)
{
	struct db_res res;
	enum db_rc rc = db_query(w, "SELECT " ORDER_COLUMNS " FROM orders WHERE id = ?",
	                         DB_PARAMS(DB_I64(id)), &res);

	return db_first_row(rc, &res, order_cols, out, found);
}

enum db_rc store_order_lock(struct worker *w, int64_t id, struct order_row *out, int *found)
{
	struct db_res res;
	enum db_rc rc = db_query(w, "SELECT " ORDER_COLUMNS " FROM orders WHERE id = ? FOR UPDATE",
	                         DB_PARAMS(DB_I64(id)), &res);

	return db_first_row(rc, &res, order_cols, out, found);
}

enum db_rc store_order_tickets(struct worker *w, int64_t id, struct ticket_row **t, int *n)
{
	struct db_res res;
	enum db_rc rc = db_query(w,
	                         "SELECT id, seat, ticket_type, price, COALESCE(code, ''), status "
	                         "FROM tickets WHERE order_id = ? ORDER BY id",
	                         DB_PARAMS(DB_I64(id)), &res);

	return db_all_rows(rc, &res, ticket_cols, (void **)t, n);
}

enum db_rc store_order_list(struct worker *w, int64_t uid, int paid_only, int64_t offset,
                            int64_t limit, struct order_row **rows, int *n, int64_t *total)
{
	return db_get_page(w, "SELECT COUNT(*) FROM orders WHERE uid = ? AND (? = 0 OR status = 1)",
	                   DB_PARAMS(DB_I64(uid), DB_I64(paid_only)),
	                   "SELECT " ORDER_COLUMNS
	                   " FROM orders WHERE uid = ? AND (? = 0 OR status = 1) "
	                   "ORDER BY create_time DESC, id DESC LIMIT ? OFFSET ?",
	                   DB_PARAMS(DB_I64(uid), DB_I64(paid_only), DB_I64(limit), DB_I64(offset)),
	                   offset, order_cols, (void **)rows, n, total);
}

enum db_rc store_order_set_status(struct worker *w, int64_t id, unsigned from_mask, int to,
                                  const char *reason, int *changed)
{
	uint64_t affected = 0;
	enum db_rc rc;

	rc = db_exec(w,
	             "UPDATE orders SET status = ?, reason = ?, update_time = ? "
	             "WHERE id = ? AND ((1 << status) & ?) <> 0",
	             DB_PARAMS(DB_I64(to), DB_STR(reason), DB_I64(time(NULL)), DB_I64(id),
	                       DB_I64(from_mask)),
	             &affected, NULL);
	*changed = rc == DB_OK && affected > 0;
	return rc;
}

enum db_rc store_order_void_tickets(struct worker *w, int64_t id)
{
	return db_exec(
	    w, "UPDATE tickets SET status = 2, live = NULL WHERE order_id = ? AND status <> 2",
	    DB_PARAMS(DB_I64(id)), NULL, NULL);
}

enum db_rc store_order_expired(struct worker *w, int64_t now, int max, int64_t **ids, int *n)
{
	struct db_res res;
	enum db_rc rc = db_query(w,
	                         "SELECT id FROM orders WHERE status = 0 AND expire_at > 0 "
	                         "AND expire_at <= ? ORDER BY expire_at LIMIT ?",
	                         DB_PARAMS(DB_I64(now), DB_I64(max)), &res);

	return db_id_column(rc, &res, ids, n);
}

static const struct db_col live_seat_cols[] = {
    DB_COLS(struct live_seat, screening_id, order_id, seat)};

enum db_rc store_order_live_seats(struct worker *w, int64_t now, struct live_seat **seats, int *n)
{
	struct db_res res;
	enum db_rc rc = db_query(w,
	                         "SELECT t.screening_id, t.order_id, t.seat FROM tickets t "
	                         "JOIN screenings s ON s.id = t.screening_id "
	                         "WHERE t.live = 1 AND t.seat <> '' AND s.end_at > ? "
	                         "ORDER BY t.screening_id, t.order_id",
	                         DB_PARAMS(DB_I64(now)), &res);

	return db_all_rows(rc, &res, live_seat_cols, (void **)seats, n);
}

/* The two integer columns of the row sql (one id parameter) finds, if any, into *a and *b. */
static enum db_rc two_i64(struct worker *w, const char *sql, int64_t id, int64_t *a, int64_t *b,
                          int *found)
{
	struct db_res res;
	enum db_rc rc = db_query(w, sql, DB_PARAMS(DB_I64(id)), &res);

	*found = 0;
	if (rc != DB_OK)
		return rc;
	if (res.nrows > 0) {
		*found = 1;
		*a = db_cell_i64(&res, 0, 0);
		*b = db_cell_i64(&res, 0, 1);
	}
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_order_screening_state(struct worker *w, int64_t sid, int *status,
                                       int64_t *start_at, int *found)
{
	int64_t st = 0;
	enum db_rc rc = two_i64(w,
	                        "SELECT status, start_at FROM screenings WHERE id = ? "
	                        "LOCK IN SHARE MODE",
	                        sid, &st, start_at, found);

	if (*found)
		*status = (int)st;
	return rc;
}

enum db_rc store_order_take_stock(struct worker *w, int64_t fid, int q, int *taken)
{
	uint64_t affected = 0;
	enum db_rc rc = db_exec(w,
	                        "UPDATE films SET stock = stock - ? WHERE id = ? AND stock >= ? "
	                        "AND removed = 0",
	                        DB_PARAMS(DB_I64(q), DB_I64(fid), DB_I64(q)), &affected, NULL);

	*taken = rc == DB_OK && affected > 0;
	return rc;
}

enum db_rc store_order_return_stock(struct worker *w, int64_t fid, int q)
{
	return db_exec(w, "UPDATE films SET stock = stock + ? WHERE id = ?",
	               DB_PARAMS(DB_I64(q), DB_I64(fid)), NULL, NULL);
}

enum db_rc store_order_film_stock(struct worker *w, int64_t fid, int64_t *stock, int64_t *amount,
                                  int *found)
{
	return two_i64(w,
	               "SELECT stock, amount FROM films WHERE id = ? AND removed = 0 "
	               "AND is_select_seat = 0",
	               fid, stock, amount, found);
}
