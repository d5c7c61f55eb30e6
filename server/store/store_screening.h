/*
 * store_screening.h: the screenings table and what a screening does to its
 * orders and tickets when it is cancelled (spec 4.4). The only code with
 * SQL about screenings. Plain structs, no JSON parsing (prices and
 * discounts are kept as the JSON text the service wrote). Every function
 * runs prepared statements on the worker's connection (inside the caller's
 * transaction when one is open) and returns its enum db_rc. Worker threads
 * only.
 *
 * Status: 0 scheduled, 1 cancelled. A screening occupies its hall over
 * [start_at, end_at + STORE_SCREENING_CLEANING); two scheduled screenings of
 * a hall never overlap. Callers keep that true by locking the hall row
 * (store_hall_lock) before store_screening_overlaps and the insert/update.
 *
 * Screenings of removed films are never returned by the readers here
 * (get, list, seat_source): removed films are 404 everywhere.
 */
#ifndef BOXOFFICE_STORE_STORE_SCREENING_H
#define BOXOFFICE_STORE_STORE_SCREENING_H

#include <stdint.h>

#include "proto_layout.h"
#include "store/db.h"

struct worker;

#define STORE_SCREENING_CLEANING 900 /* seconds of cleaning after each screening */
#define STORE_SCREENING_PRICES_MAX 255
#define STORE_SCREENING_DISCOUNTS_MAX 1023
#define STORE_SCREENING_REASON_MAX (2000 * 4)
#define STORE_SCREENING_NAME_MAX (100 * 4)

enum store_screening_status { STORE_SCREENING_SCHEDULED = 0, STORE_SCREENING_CANCELLED = 1 };

struct screening_row {
	int64_t id, film_id, hall_id;
	int64_t start_at, end_at;
	char prices[STORE_SCREENING_PRICES_MAX + 1];       /* JSON object text */
	char discounts[STORE_SCREENING_DISCOUNTS_MAX + 1]; /* JSON object text */
	int status;
	char cancel_reason[STORE_SCREENING_REASON_MAX + 1];
	int seats_total; /* sellable seats of the hall's layout */
	int64_t create_time, update_time;
	/* Filled by get and list only (joins); "" elsewhere. */
	char film_name[STORE_SCREENING_NAME_MAX + 1];
	char hall_name[STORE_SCREENING_NAME_MAX + 1];
	int64_t film_amount;
};

/* Insert s (times set to now, status scheduled). */
enum db_rc store_screening_insert(struct worker *w, const struct screening_row *s);
/* One screening with its film and hall names. *found is 1 (and *out filled) or 0. */
enum db_rc store_screening_get(struct worker *w, int64_t id, struct screening_row *out, int *found);
/* The screening row alone, FOR UPDATE inside the caller's transaction. */
enum db_rc store_screening_lock(struct worker *w, int64_t id, struct screening_row *out,
                                int *found);
/*
 * *n = scheduled screenings of hall whose [start, end + cleaning) meets
 * [start_at, end_at + cleaning), other than except_id (0: none). A locking
 * read, so it sees what committed while the caller waited for the hall lock.
 */
enum db_rc store_screening_overlaps(struct worker *w, int64_t hall_id, int64_t start_at,
                                    int64_t end_at, int64_t except_id, int64_t *n);
/* Set start, end, prices and discounts text. */
enum db_rc store_screening_update(struct worker *w, int64_t id, int64_t start_at, int64_t end_at,
                                  const char *prices, const char *discounts);

/*
 * Cancel screening id with reason, in the caller's transaction: status
 * cancelled; paid orders of it -> refunded (3), reason "cancelled",
 * refund_pending 1; unpaid and pending orders -> invalid (2), reason
 * "cancelled"; every live ticket of it -> void (2), live NULL. *refunded and
 * *voided (may be NULL) count the orders changed.
 */
enum db_rc store_screening_cancel(struct worker *w, int64_t id, const char *reason,
                                  uint64_t *refunded, uint64_t *voided);

/*
 * A page of screenings starting in [from, to), of one film (film_id 0: all),
 * of one status (status < 0: all), ordered by start then id, with film and
 * hall names. On DB_OK *rows is a malloc'd array of *n rows (free(); NULL
 * when *n is 0), *total counts every match.
 */
enum db_rc store_screening_list(struct worker *w, int64_t film_id, int64_t from, int64_t to,
                                int status, int64_t offset, int64_t limit,
                                struct screening_row **rows, int *n, int64_t *total);

/*
 * Ids of the scheduled screenings of a film starting after now (films.c:
 * removal cancels them), or of a hall not yet over (end_at > now: a layout
 * change must not reach them while seats are taken). On DB_OK *ids is a
 * malloc'd array of *n ids (free(); NULL when *n is 0). Locking reads.
 */
enum db_rc store_screening_future_of_film(struct worker *w, int64_t film_id, int64_t now,
                                          int64_t **ids, int *n);
enum db_rc store_screening_future_in_hall(struct worker *w, int64_t hall_id, int64_t now,
                                          int64_t **ids, int *n);
/* *n = live tickets of the scheduled screenings of a hall not yet over. */
enum db_rc store_screening_live_tickets_in_hall(struct worker *w, int64_t hall_id, int64_t now,
                                                int64_t *n);
/* seats_total = total for every scheduled screening of a hall not yet over. */
enum db_rc store_screening_set_total_in_hall(struct worker *w, int64_t hall_id, int64_t now,
                                             int total);

/*
 * What the seat map of a screening needs: its status and its hall's layout
 * text (layout must hold PROTO_LAYOUT_JSON_MAX + 1 bytes). *found 0 when
 * there is no such screening (or its film is removed).
 */
enum db_rc store_screening_seat_source(struct worker *w, int64_t id, int *status, char *layout,
                                       size_t layout_len, int *found);

/* A seat taken by a live ticket: seat id and ticket status (0 reserved, 1 issued). */
struct taken_seat {
	char seat[PROTO_SEAT_ID_SIZE + 1];
	int status;
};
/*
 * Every seat taken by a live ticket of the screening. On DB_OK *seats is a
 * malloc'd array of *n (free(); NULL when *n is 0).
 */
enum db_rc store_screening_taken_seats(struct worker *w, int64_t id, struct taken_seat **seats,
                                       int *n);

#endif
