/*
 * store_pay.c: see store_pay.h.
 */
#include "store/store_pay.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PAY_COLUMNS                                                                               \
	"id, uid, oid, amount, source, method, status, COALESCE(live, 0), COALESCE(txn_id, ''), " \
	"tendered, change_due, cashier_id, shift_id, refund_id, paid_at, create_time"

static const struct db_col pay_cols[] = {
    DB_COLS(struct pay_row, id, uid, oid, amount, source, method, status, live, txn_id, tendered,
            change_due, cashier_id, shift_id, refund_id, paid_at, create_time)};

enum db_rc store_pay_insert(struct worker *w, const struct pay_row *p)
{
	int64_t now = (int64_t)time(NULL);

	uint64_t affected = 0;
	enum db_rc rc;

	/* The order's ticket count and film go with the pay (006_report_pays.sql). */
	rc = db_exec(w,
	             "INSERT INTO pays (id, uid, oid, amount, source, method, status, live, "
	             "tendered, change_due, cashier_id, shift_id, create_time, update_time, "
	             "tickets, fid) SELECT ?, ?, ?, ?, ?, ?, 0, 1, ?, ?, ?, ?, ?, ?, o.quantity, "
	             "o.fid FROM orders o WHERE o.id = ?",
	             DB_PARAMS(DB_I64(p->id), DB_I64(p->uid), DB_I64(p->oid), DB_I64(p->amount),
	                       DB_I64(p->source), DB_STR(p->method), DB_I64(p->tendered),
	                       DB_I64(p->change_due), DB_I64(p->cashier_id), DB_I64(p->shift_id),
	                       DB_I64(now), DB_I64(now), DB_I64(p->oid)),
	             &affected, NULL);
	if (rc == DB_OK && affected != 1)
		rc = DB_ERROR; /* no such order: the caller locked it, so a bug */
	return rc;
}

enum db_rc store_pay_get(struct worker *w, int64_t id, struct pay_row *out, int *found)
{
	return db_get_row(w, "SELECT " PAY_COLUMNS " FROM pays WHERE id = ?", DB_PARAMS(DB_I64(id)),
	                  pay_cols, out, found);
}

enum db_rc store_pay_lock(struct worker *w, int64_t id, struct pay_row *out, int *found)
{
	return db_get_row(w, "SELECT " PAY_COLUMNS " FROM pays WHERE id = ? FOR UPDATE",
	                  DB_PARAMS(DB_I64(id)), pay_cols, out, found);
}

enum db_rc store_pay_txn_used(struct worker *w, const char *txn_id, int *found)
{
	return db_get_any(w, "SELECT 1 FROM pays WHERE txn_id = ?", DB_PARAMS(DB_STR(txn_id)),
	                  found);
}

enum db_rc store_pay_settle(struct worker *w, int64_t id, int status, const char *txn_id,
                            int64_t paid_at, uint64_t *affected)
{
	return db_exec(w,
	               "UPDATE pays SET status = ?, txn_id = ?, paid_at = ?, "
	               "live = IF(? = 2, NULL, live), update_time = ? WHERE id = ? AND status = 0",
	               DB_PARAMS(DB_I64(status), txn_id ? DB_STR(txn_id) : DB_NULL, DB_I64(paid_at),
	                         DB_I64(status), DB_I64((int64_t)time(NULL)), DB_I64(id)),
	               affected, NULL);
}

enum db_rc store_pay_refunded(struct worker *w, int64_t id, const char *refund_ref)
{
	return db_exec(w,
	               "UPDATE pays SET status = 3, refund_id = ?, update_time = ? "
	               "WHERE id = ? AND status = 1",
	               DB_PARAMS(DB_STR(refund_ref), DB_I64((int64_t)time(NULL)), DB_I64(id)), NULL,
	               NULL);
}

enum db_rc store_pay_paid_of_order(struct worker *w, int64_t oid, struct pay_row *out, int *found)
{
	return db_get_row(w,
	                  "SELECT " PAY_COLUMNS " FROM pays WHERE oid = ? AND status = 1 "
	                  "ORDER BY paid_at DESC LIMIT 1",
	                  DB_PARAMS(DB_I64(oid)), pay_cols, out, found);
}

/* ---- orders ---- */

#define ORDER_COLUMNS                                                                       \
	"id, uid, fid, screening_id, amount, cashier_id, expire_at, paid_at, create_time, " \
	"status, "                                                                          \
	"refund_pending, quantity, reason"

static const struct db_col order_cols[] = {
    DB_COLS(struct pay_order, id, uid, fid, screening_id, amount, cashier_id, expire_at, paid_at,
            create_time, status, refund_pending, quantity, reason)};

enum db_rc store_pay_order_get(struct worker *w, int64_t id, struct pay_order *out, int *found)
{
	return db_get_row(w, "SELECT " ORDER_COLUMNS " FROM orders WHERE id = ?",
	                  DB_PARAMS(DB_I64(id)), order_cols, out, found);
}

enum db_rc store_pay_order_lock(struct worker *w, int64_t id, struct pay_order *out, int *found)
{
	return db_get_row(w, "SELECT " ORDER_COLUMNS " FROM orders WHERE id = ? FOR UPDATE",
	                  DB_PARAMS(DB_I64(id)), order_cols, out, found);
}

enum db_rc store_pay_order_paid(struct worker *w, int64_t id, int from, int64_t now,
                                uint64_t *affected)
{
	return db_exec(w,
	               "UPDATE orders SET status = 1, reason = '', paid_at = ?, update_time = ? "
	               "WHERE id = ? AND status = ?",
	               DB_PARAMS(DB_I64(now), DB_I64(now), DB_I64(id), DB_I64(from)), affected,
	               NULL);
}

enum db_rc store_pay_order_refunded(struct worker *w, int64_t id, int from, const char *reason,
                                    int refund_pending, uint64_t *affected)
{
	return db_exec(w,
	               "UPDATE orders SET status = 3, reason = ?, refund_pending = ?, "
	               "update_time = ? WHERE id = ? AND status = ?",
	               DB_PARAMS(DB_STR(reason), DB_I64(refund_pending),
	                         DB_I64((int64_t)time(NULL)), DB_I64(id), DB_I64(from)),
	               affected, NULL);
}

enum db_rc store_pay_order_refund_done(struct worker *w, int64_t id)
{
	return db_exec(w, "UPDATE orders SET refund_pending = 0, update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_I64((int64_t)time(NULL)), DB_I64(id)), NULL, NULL);
}

enum db_rc store_pay_order_refund_pending(struct worker *w, int limit, int64_t **ids, int *n)
{
	return db_get_ids(w,
	                  "SELECT o.id FROM orders o WHERE o.refund_pending = 1 "
	                  "AND EXISTS (SELECT 1 FROM pays p WHERE p.oid = o.id AND p.status = 1) "
	                  "AND NOT EXISTS (SELECT 1 FROM refunds f WHERE f.order_id = o.id "
	                  "AND f.status = 0) ORDER BY o.update_time, o.id LIMIT ?",
	                  DB_PARAMS(DB_I64(limit)), ids, n);
}

enum db_rc store_pay_user_mobile(struct worker *w, int64_t uid, char *out, size_t outlen)
{
	struct db_res res;
	enum db_rc rc;

	out[0] = '\0';
	rc = db_query(w, "SELECT mobile FROM users WHERE id = ?", DB_PARAMS(DB_I64(uid)), &res);
	if (rc != DB_OK)
		return rc;
	db_cell_copy(out, outlen, &res, 0, 0);
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_pay_order_search(struct worker *w, const char *code, const char *mobile,
                                  int64_t screening_id, int limit, int64_t **ids, int *n)
{
	if (code)
		return db_get_ids(w,
		                  "SELECT DISTINCT order_id FROM tickets WHERE code = ? "
		                  "ORDER BY order_id DESC LIMIT ?",
		                  DB_PARAMS(DB_STR(code), DB_I64(limit)), ids, n);
	else if (mobile)
		return db_get_ids(
		    w,
		    "SELECT o.id FROM orders o JOIN users u ON u.id = o.uid "
		    "WHERE u.mobile = ? ORDER BY o.create_time DESC, o.id DESC LIMIT ?",
		    DB_PARAMS(DB_STR(mobile), DB_I64(limit)), ids, n);
	else
		return db_get_ids(w,
		                  "SELECT id FROM orders WHERE screening_id = ? "
		                  "ORDER BY create_time DESC, id DESC LIMIT ?",
		                  DB_PARAMS(DB_I64(screening_id), DB_I64(limit)), ids, n);
}

/* ---- tickets ---- */

#define TICKET_COLUMNS                                                            \
	"t.id, t.order_id, t.screening_id, t.fid, t.price, t.used_at, t.status, " \
	"COALESCE(t.live, 0), t.seat, t.ticket_type, COALESCE(t.code, '')"

static const struct db_col ticket_cols[] = {DB_COLS(struct pay_ticket, id, order_id, screening_id,
                                                    fid, price, used_at, status, live, seat,
                                                    ticket_type, code)};

enum db_rc store_pay_tickets_of_order(struct worker *w, int64_t oid, struct pay_ticket **rows,
                                      int *n)
{
	return db_get_rows(
	    w, "SELECT " TICKET_COLUMNS " FROM tickets t WHERE t.order_id = ? ORDER BY t.id",
	    DB_PARAMS(DB_I64(oid)), ticket_cols, (void **)rows, n);
}

enum db_rc store_pay_ticket_issue(struct worker *w, int64_t id, const char *code,
                                  uint64_t *affected)
{
	return db_exec(w,
	               "UPDATE tickets SET status = 1, code = ? WHERE id = ? AND status = 0 "
	               "AND (live = 1 OR screening_id = 0)",
	               DB_PARAMS(DB_STR(code), DB_I64(id)), affected, NULL);
}

enum db_rc store_pay_ticket_revive(struct worker *w, int64_t id, const char *code)
{
	return db_exec(w, "UPDATE tickets SET status = 1, live = 1, code = ? WHERE id = ?",
	               DB_PARAMS(DB_STR(code), DB_I64(id)), NULL, NULL);
}

enum db_rc store_pay_tickets_void(struct worker *w, int64_t oid)
{
	return db_exec(w, "UPDATE tickets SET status = 2, live = NULL WHERE order_id = ?",
	               DB_PARAMS(DB_I64(oid)), NULL, NULL);
}

enum db_rc store_pay_screening_full(struct worker *w, int64_t screening_id, int *full)
{
	struct db_res res;
	enum db_rc rc;

	*full = 0;
	rc =
	    db_query(w,
	             "SELECT (SELECT COUNT(*) FROM tickets WHERE screening_id = s.id AND live = 1) "
	             ">= s.seats_total FROM screenings s WHERE s.id = ?",
	             DB_PARAMS(DB_I64(screening_id)), &res);
	if (rc != DB_OK)
		return rc;
	*full = db_cell_i64(&res, 0, 0) == 1;
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_pay_screening_layout(struct worker *w, int64_t screening_id, char *out,
                                      size_t outlen)
{
	struct db_res res;
	enum db_rc rc;

	out[0] = '\0';
	rc = db_query(w,
	              "SELECT h.layout FROM screenings s JOIN halls h ON h.id = s.hall_id "
	              "WHERE s.id = ?",
	              DB_PARAMS(DB_I64(screening_id)), &res);
	if (rc != DB_OK)
		return rc;
	db_cell_copy(out, outlen, &res, 0, 0);
	db_res_release(&res);
	return DB_OK;
}

/* A ticket's columns, then its order's, screening's and film's. */
static const struct db_col info_cols[] = {DB_COLS(
    struct pay_ticket_info, t.id, t.order_id, t.screening_id, t.fid, t.price, t.used_at, t.status,
    t.live, t.seat, t.ticket_type, t.code, uid, order_status, start_at, screening_status, film)};

enum db_rc store_pay_ticket_by_code(struct worker *w, const char *code, struct pay_ticket_info *out,
                                    int *found)
{
	return db_get_row(w,
	                  "SELECT " TICKET_COLUMNS ", o.uid, o.status, COALESCE(s.start_at, 0), "
	                  "COALESCE(s.status, 0), COALESCE(f.name, '') FROM tickets t "
	                  "JOIN orders o ON o.id = t.order_id "
	                  "LEFT JOIN screenings s ON s.id = t.screening_id "
	                  "LEFT JOIN films f ON f.id = t.fid WHERE t.code = ?",
	                  DB_PARAMS(DB_STR(code)), info_cols, out, found);
}

enum db_rc store_pay_ticket_checkin(struct worker *w, int64_t id, int64_t now, uint64_t *affected)
{
	return db_exec(w,
	               "UPDATE tickets SET used_at = ? WHERE id = ? AND status = 1 AND used_at = 0",
	               DB_PARAMS(DB_I64(now), DB_I64(id)), affected, NULL);
}

enum db_rc store_pay_film_restock(struct worker *w, int64_t fid, int quantity)
{
	return db_exec(w, "UPDATE films SET stock = stock + ?, update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_I64(quantity), DB_I64((int64_t)time(NULL)), DB_I64(fid)), NULL,
	               NULL);
}

/* ---- refunds ---- */

#define REFUND_COLUMNS                                                                       \
	"id, order_id, pay_id, amount, shift_id, actor, method, LEFT(reason, 200), status, " \
	"attempts, refund_ref"

static const struct db_col refund_cols[] = {DB_COLS(struct refund_row, id, order_id, pay_id, amount,
                                                    shift_id, actor, method, reason, status,
                                                    attempts, refund_ref)};

enum db_rc store_refund_insert(struct worker *w, const struct refund_row *r)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(
	    w,
	    "INSERT INTO refunds (id, order_id, pay_id, amount, method, shift_id, actor, "
	    "reason, status, refund_ref, create_time, done_at) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
	    DB_PARAMS(DB_I64(r->id), DB_I64(r->order_id), DB_I64(r->pay_id), DB_I64(r->amount),
	              DB_STR(r->method), DB_I64(r->shift_id), DB_I64(r->actor), DB_STR(r->reason),
	              DB_I64(r->status), DB_STR(r->refund_ref), DB_I64(now),
	              DB_I64(r->status == 1 ? now : 0)),
	    NULL, NULL);
}

enum db_rc store_refund_of_pay(struct worker *w, int64_t pay_id, struct refund_row *out, int *found)
{
	return db_get_row(w, "SELECT " REFUND_COLUMNS " FROM refunds WHERE pay_id = ?",
	                  DB_PARAMS(DB_I64(pay_id)), refund_cols, out, found);
}

enum db_rc store_refund_lock(struct worker *w, int64_t id, struct refund_row *out, int *found)
{
	return db_get_row(w, "SELECT " REFUND_COLUMNS " FROM refunds WHERE id = ? FOR UPDATE",
	                  DB_PARAMS(DB_I64(id)), refund_cols, out, found);
}

enum db_rc store_refund_due(struct worker *w, int64_t now, int limit, struct refund_row **rows,
                            int *n)
{
	return db_get_rows(w,
	                   "SELECT " REFUND_COLUMNS
	                   " FROM refunds WHERE status = 0 AND next_at <= ? "
	                   "ORDER BY next_at, id LIMIT ?",
	                   DB_PARAMS(DB_I64(now), DB_I64(limit)), refund_cols, (void **)rows, n);
}

enum db_rc store_refund_done(struct worker *w, int64_t id, const char *ref, int64_t now)
{
	return db_exec(w,
	               "UPDATE refunds SET status = 1, refund_ref = ?, done_at = ? "
	               "WHERE id = ? AND status = 0",
	               DB_PARAMS(DB_STR(ref), DB_I64(now), DB_I64(id)), NULL, NULL);
}

enum db_rc store_refund_later(struct worker *w, int64_t id, int64_t next_at)
{
	return db_exec(w,
	               "UPDATE refunds SET attempts = attempts + 1, next_at = ? WHERE id = ? "
	               "AND status = 0",
	               DB_PARAMS(DB_I64(next_at), DB_I64(id)), NULL, NULL);
}
