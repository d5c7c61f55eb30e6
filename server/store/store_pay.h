/*
 * store_pay.h: the SQL of the payment module (spec 4.7, 4.8, refunds of
 * 4.6): pays, what a payment or a refund does to its order and tickets,
 * refunds, ticket look-ups and check-in. The order rows themselves belong
 * to the order module; the functions here touch only the columns a payment
 * changes (status, reason, paid_at, refund_pending), always guarded by the
 * status they expect. Every function runs prepared statements on the
 * worker's connection (inside the caller's transaction when one is open)
 * and returns its enum db_rc. Worker and consumer threads only.
 */
#ifndef BOXOFFICE_STORE_STORE_PAY_H
#define BOXOFFICE_STORE_STORE_PAY_H

#include <stdint.h>

#include "store/db.h"

struct worker;

enum store_pay_status {
	STORE_PAY_UNPAID = 0,
	STORE_PAY_PAID = 1,
	STORE_PAY_INVALID = 2,
	STORE_PAY_REFUNDED = 3
};
enum store_ticket_status {
	STORE_TICKET_RESERVED = 0,
	STORE_TICKET_ISSUED = 1,
	STORE_TICKET_VOID = 2
};

#define STORE_PAY_TXN_MAX 64
#define STORE_PAY_METHOD_MAX 10
#define STORE_TICKET_CODE_LEN 12

struct pay_row {
	int64_t id, uid, oid, amount;
	int source, status, live;
	char method[STORE_PAY_METHOD_MAX + 1];
	char txn_id[STORE_PAY_TXN_MAX + 1];
	int64_t tendered, change_due, cashier_id, shift_id;
	char refund_id[STORE_PAY_TXN_MAX + 1];
	int64_t paid_at, create_time;
};

struct pay_order {
	int64_t id, uid, fid, screening_id, amount, cashier_id, expire_at, paid_at, create_time;
	int status, refund_pending, quantity;
	char reason[33];
};

struct pay_ticket {
	int64_t id, order_id, screening_id, fid, price, used_at;
	int status, live;
	char seat[8];
	char ticket_type[24];
	char code[STORE_TICKET_CODE_LEN + 1];
};

/* A ticket with what the door needs to know (check-in, detail). */
struct pay_ticket_info {
	struct pay_ticket t;
	int64_t uid, start_at;
	int order_status, screening_status;
	char film[401];
};

struct refund_row {
	int64_t id, order_id, pay_id, amount, shift_id, actor;
	char method[STORE_PAY_METHOD_MAX + 1];
	char reason[256];
	int status, attempts;
	char refund_ref[STORE_PAY_TXN_MAX + 1];
};

/* ---- pays ---- */
enum db_rc store_pay_insert(struct worker *w, const struct pay_row *p);
enum db_rc store_pay_get(struct worker *w, int64_t id, struct pay_row *out, int *found);
/* The same with a row lock (FOR UPDATE). */
enum db_rc store_pay_lock(struct worker *w, int64_t id, struct pay_row *out, int *found);
/* *found = 1 if some pay already carries txn_id. */
enum db_rc store_pay_txn_used(struct worker *w, const char *txn_id, int *found);
/*
 * Settle an unpaid pay: status (paid or invalid), txn_id (NULL: none),
 * paid_at. An invalid pay stops being live, so a new one may be created.
 * Guarded by status 0; *affected 0 when it was not unpaid.
 */
enum db_rc store_pay_settle(struct worker *w, int64_t id, int status, const char *txn_id,
                            int64_t paid_at, uint64_t *affected);
/* Paid -> refunded (guarded), with the provider's refund id (may be ""). */
enum db_rc store_pay_refunded(struct worker *w, int64_t id, const char *refund_ref);
/* The paid pay of an order, if any. */
enum db_rc store_pay_paid_of_order(struct worker *w, int64_t oid, struct pay_row *out, int *found);

/* ---- orders (the payment columns) ---- */
enum db_rc store_pay_order_get(struct worker *w, int64_t id, struct pay_order *out, int *found);
enum db_rc store_pay_order_lock(struct worker *w, int64_t id, struct pay_order *out, int *found);
/* status from -> 1 paid (reason cleared). *affected 0 when not in from. */
enum db_rc store_pay_order_paid(struct worker *w, int64_t id, int from, int64_t now,
                                uint64_t *affected);
/* status from -> 3 refunded with reason and refund_pending. */
enum db_rc store_pay_order_refunded(struct worker *w, int64_t id, int from, const char *reason,
                                    int refund_pending, uint64_t *affected);
enum db_rc store_pay_order_refund_done(struct worker *w, int64_t id);
/*
 * Orders marked refund_pending with a paid pay and no refund under way
 * (what a cancelled screening leaves), oldest first, at most limit. An
 * order marked without any pay on record (loaded by hand) is not listed:
 * there is nothing to give back automatically.
 */
enum db_rc store_pay_order_refund_pending(struct worker *w, int limit, int64_t **ids, int *n);
/* The mobile of user uid ("" when unknown) into out. */
enum db_rc store_pay_user_mobile(struct worker *w, int64_t uid, char *out, size_t outlen);
/*
 * Order ids for /order/search, newest first, at most limit: by ticket code,
 * by the buyer's mobile, or by screening (exactly one of them non-NULL/0).
 */
enum db_rc store_pay_order_search(struct worker *w, const char *code, const char *mobile,
                                  int64_t screening_id, int limit, int64_t **ids, int *n);

/* ---- tickets ---- */
/* Every ticket of an order (*rows: free()). */
enum db_rc store_pay_tickets_of_order(struct worker *w, int64_t oid, struct pay_ticket **rows,
                                      int *n);
/* Reserved and live -> issued with code. *affected 0 when not reserved. */
enum db_rc store_pay_ticket_issue(struct worker *w, int64_t id, const char *code,
                                  uint64_t *affected);
/*
 * A freed ticket (live NULL) of a late payment takes its seat again,
 * issued with code: DB_DUPLICATE when the seat is taken meanwhile (or the
 * code collides: see db_dup_key).
 */
enum db_rc store_pay_ticket_revive(struct worker *w, int64_t id, const char *code);
/* Void every ticket of an order and free its seats. */
enum db_rc store_pay_tickets_void(struct worker *w, int64_t oid);
/* 1 in *full when every sellable seat of the screening has a live ticket. */
enum db_rc store_pay_screening_full(struct worker *w, int64_t screening_id, int *full);
/* Layout text of a screening's hall (for house seats), "" when unknown. */
enum db_rc store_pay_screening_layout(struct worker *w, int64_t screening_id, char *out,
                                      size_t outlen);
enum db_rc store_pay_ticket_by_code(struct worker *w, const char *code, struct pay_ticket_info *out,
                                    int *found);
/* Mark an issued, unused ticket used at now; *affected 0 if it was not. */
enum db_rc store_pay_ticket_checkin(struct worker *w, int64_t id, int64_t now, uint64_t *affected);

/* A refunded general-admission order gives its quantity back to the film's stock. */
enum db_rc store_pay_film_restock(struct worker *w, int64_t fid, int quantity);

/* ---- refunds ---- */
enum db_rc store_refund_insert(struct worker *w, const struct refund_row *r);
/* The refund of a pay, if any. */
enum db_rc store_refund_of_pay(struct worker *w, int64_t pay_id, struct refund_row *out,
                               int *found);
enum db_rc store_refund_lock(struct worker *w, int64_t id, struct refund_row *out, int *found);
/* Pending refunds due at now, oldest first (*rows: free()). */
enum db_rc store_refund_due(struct worker *w, int64_t now, int limit, struct refund_row **rows,
                            int *n);
enum db_rc store_refund_done(struct worker *w, int64_t id, const char *ref, int64_t now);
enum db_rc store_refund_later(struct worker *w, int64_t id, int64_t next_at);

#endif
