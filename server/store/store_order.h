/*
 * store_order.h: orders and their tickets (spec 4.6), the only SQL about
 * them, plus the general-admission stock mirror of films.stock. Plain
 * structs; every function runs prepared statements on the worker's
 * connection (inside the caller's transaction when one is open) and
 * returns its enum db_rc. Worker and consumer threads only.
 *
 * A seated ticket holds its seat while live = 1; UNIQUE(screening_id,
 * seat, live) refuses a second live ticket for a seat (DB_DUPLICATE, key
 * "uniq_live_seat"). General-admission tickets (seat "", screening 0) hold
 * no seat: live is NULL.
 */
#ifndef BOXOFFICE_STORE_STORE_ORDER_H
#define BOXOFFICE_STORE_STORE_ORDER_H

#include <stdint.h>

#include "proto_layout.h"
#include "store/db.h"

struct worker;

#define STORE_ORDER_MAX_ITEMS 10
#define STORE_ORDER_REASON_MAX 32
#define STORE_ORDER_IDEM_MAX 100
#define STORE_TICKET_TYPE_MAX 20

struct order_row {
	int64_t id, uid, fid, screening_id, hold_id;
	int quantity;
	int64_t amount;
	int status; /* enum proto_order_status */
	char reason[STORE_ORDER_REASON_MAX + 1];
	int64_t cashier_id;
	char idem[STORE_ORDER_IDEM_MAX * 4 + 1]; /* "" = none */
	int64_t expire_at, paid_at;
	int refund_pending;
	int64_t create_time, update_time;
};

struct ticket_row {
	int64_t id;
	char seat[PROTO_SEAT_ID_SIZE + 1]; /* "" for general admission */
	char ticket_type[STORE_TICKET_TYPE_MAX + 1];
	int64_t price;
	char code[13]; /* "" until paid */
	int status;    /* 0 reserved, 1 issued, 2 void */
};

/* Insert o as is (times included). DB_DUPLICATE on uniq_idem: the key was used. */
enum db_rc store_order_insert(struct worker *w, const struct order_row *o);
/*
 * Insert the n (1..STORE_ORDER_MAX_ITEMS) tickets of order o, reserved, in
 * one statement: live 1 for seats, NULL for general admission.
 */
enum db_rc store_order_insert_tickets(struct worker *w, const struct order_row *o,
                                      const struct ticket_row *t, int n);
/* One order; *found 0 or 1. */
enum db_rc store_order_get(struct worker *w, int64_t id, struct order_row *out, int *found);
/* Its tickets, in id order: *t malloc'd (free(); NULL when none), *n. */
enum db_rc store_order_tickets(struct worker *w, int64_t id, struct ticket_row **t, int *n);
/*
 * A page of uid's orders, newest first; paid_only 1: status paid. *rows
 * malloc'd (free()), *n of them, *total every match.
 */
enum db_rc store_order_list(struct worker *w, int64_t uid, int paid_only, int64_t offset,
                            int64_t limit, struct order_row **rows, int *n, int64_t *total);
/*
 * Guarded status change: order id from a status in from_mask (bit 1<<s) to
 * status to with reason. *changed 1 when it moved, 0 when its status was
 * not in from_mask (or no such order).
 */
enum db_rc store_order_set_status(struct worker *w, int64_t id, unsigned from_mask, int to,
                                  const char *reason, int *changed);
/* Void the live tickets of order id (status 2, live NULL). */
enum db_rc store_order_void_tickets(struct worker *w, int64_t id);
/* Ids of unpaid orders whose expire_at passed (at most max; *ids malloc'd, free()). */
enum db_rc store_order_expired(struct worker *w, int64_t now, int max, int64_t **ids, int *n);
/* Lock order id (FOR UPDATE) and read it. */
enum db_rc store_order_lock(struct worker *w, int64_t id, struct order_row *out, int *found);

/* A seat held by live tickets, for rebuilding Redis. */
struct live_seat {
	int64_t screening_id, order_id;
	char seat[PROTO_SEAT_ID_SIZE + 1];
};
/*
 * Every seat held by live tickets of screenings not over at now, ordered
 * by screening then order: *seats malloc'd (free()), *n.
 */
enum db_rc store_order_live_seats(struct worker *w, int64_t now, struct live_seat **seats, int *n);

/*
 * The screening's status and start under a share lock (the cancel
 * transaction locks it for update, so an order cannot slip past a cancel).
 * *found 0 when there is no such screening.
 */
enum db_rc store_order_screening_state(struct worker *w, int64_t sid, int *status,
                                       int64_t *start_at, int *found);
/*
 * The general-admission mirror: films.stock -= q when at least q are left.
 * *taken 1 when it did, 0 when the stock was short (or no such film).
 */
enum db_rc store_order_take_stock(struct worker *w, int64_t fid, int q, int *taken);
/* films.stock += q (an order that took stock was cancelled). */
enum db_rc store_order_return_stock(struct worker *w, int64_t fid, int q);
/* films.stock of fid into *stock; *found 0 when no such film (or removed, or sold by seat). */
enum db_rc store_order_film_stock(struct worker *w, int64_t fid, int64_t *stock, int64_t *amount,
                                  int *found);

#endif
