/*
 * store_screening.c: see store_screening.h.
 */
#include "store/store_screening.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The cleaning time as SQL text. */
#define STR_(x) #x
#define STR(x) STR_(x)
#define CLEANING STR(STORE_SCREENING_CLEANING)

#define SCREENING_COLUMNS                                                                     \
	"s.id, s.film_id, s.hall_id, s.start_at, s.end_at, s.prices, s.discounts, s.status, " \
	"s.cancel_reason, s.seats_total, s.create_time, s.update_time"
/* The joined readers add these after SCREENING_COLUMNS. */
#define JOIN_COLUMNS ", f.name, h.name, f.amount"
#define JOIN_FROM                                                                \
	" FROM screenings s JOIN films f ON f.id = s.film_id AND f.removed = 0 " \
	"JOIN halls h ON h.id = s.hall_id"

#define LIST_WHERE                                                                \
	" WHERE s.start_at >= ? AND s.start_at < ? AND (? = 0 OR s.film_id = ?) " \
	"AND (? < 0 OR s.status = ?)"

/* The last three are read only by the joined readers (JOIN_COLUMNS). */
static const struct db_col row_cols[] = {DB_COLS(
    struct screening_row, id, film_id, hall_id, start_at, end_at, prices, discounts, status,
    cancel_reason, seats_total, create_time, update_time, film_name, hall_name, film_amount)};

enum db_rc store_screening_insert(struct worker *w, const struct screening_row *s)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(w,
	               "INSERT INTO screenings (id, film_id, hall_id, start_at, end_at, prices, "
	               "discounts, status, cancel_reason, seats_total, create_time, update_time) "
	               "VALUES (?, ?, ?, ?, ?, ?, ?, 0, '', ?, ?, ?)",
	               DB_PARAMS(DB_I64(s->id), DB_I64(s->film_id), DB_I64(s->hall_id),
	                         DB_I64(s->start_at), DB_I64(s->end_at), DB_STR(s->prices),
	                         DB_STR(s->discounts), DB_I64(s->seats_total), DB_I64(now),
	                         DB_I64(now)),
	               NULL, NULL);
}

enum db_rc store_screening_get(struct worker *w, int64_t id, struct screening_row *out, int *found)
{
	return db_get_row(w, "SELECT " SCREENING_COLUMNS JOIN_COLUMNS JOIN_FROM " WHERE s.id = ?",
	                  DB_PARAMS(DB_I64(id)), row_cols, out, found);
}

enum db_rc store_screening_lock(struct worker *w, int64_t id, struct screening_row *out, int *found)
{
	return db_get_row(
	    w, "SELECT " SCREENING_COLUMNS " FROM screenings s WHERE s.id = ? FOR UPDATE",
	    DB_PARAMS(DB_I64(id)), row_cols, out, found);
}

enum db_rc store_screening_overlaps(struct worker *w, int64_t hall_id, int64_t start_at,
                                    int64_t end_at, int64_t except_id, int64_t *n)
{
	return db_get_count(
	    w,
	    "SELECT COUNT(*) FROM screenings WHERE hall_id = ? AND status = 0 AND id <> ? "
	    "AND start_at < ? + " CLEANING " AND end_at + " CLEANING " > ? LOCK IN SHARE MODE",
	    DB_PARAMS(DB_I64(hall_id), DB_I64(except_id), DB_I64(end_at), DB_I64(start_at)), n);
}

enum db_rc store_screening_update(struct worker *w, int64_t id, int64_t start_at, int64_t end_at,
                                  const char *prices, const char *discounts)
{
	return db_exec(w,
	               "UPDATE screenings SET start_at = ?, end_at = ?, prices = ?, discounts = ?, "
	               "update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_I64(start_at), DB_I64(end_at), DB_STR(prices),
	                         DB_STR(discounts), DB_I64((int64_t)time(NULL)), DB_I64(id)),
	               NULL, NULL);
}

enum db_rc store_screening_cancel(struct worker *w, int64_t id, const char *reason,
                                  uint64_t *refunded, uint64_t *voided)
{
	int64_t now = (int64_t)time(NULL);
	uint64_t r = 0, v = 0;
	enum db_rc rc;

	rc = db_exec(w,
	             "UPDATE screenings SET status = 1, cancel_reason = ?, update_time = ? "
	             "WHERE id = ? AND status = 0",
	             DB_PARAMS(DB_STR(reason), DB_I64(now), DB_I64(id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	/*
	 * Only marked here: the refund itself goes to the payment provider
	 * from the payment module, which retries every order with
	 * refund_pending = 1 (spec 4.7: "the order shows refundPending: 1").
	 */
	rc = db_exec(w,
	             "UPDATE orders SET status = 3, reason = 'cancelled', refund_pending = 1, "
	             "update_time = ? WHERE screening_id = ? AND status = 1",
	             DB_PARAMS(DB_I64(now), DB_I64(id)), &r, NULL);
	if (rc != DB_OK)
		return rc;
	rc = db_exec(w,
	             "UPDATE orders SET status = 2, reason = 'cancelled', update_time = ? "
	             "WHERE screening_id = ? AND status IN (0, 4)",
	             DB_PARAMS(DB_I64(now), DB_I64(id)), &v, NULL);
	if (rc != DB_OK)
		return rc;
	rc = db_exec(
	    w, "UPDATE tickets SET status = 2, live = NULL WHERE screening_id = ? AND live = 1",
	    DB_PARAMS(DB_I64(id)), NULL, NULL);
	if (rc != DB_OK)
		return rc;
	if (refunded)
		*refunded = r;
	if (voided)
		*voided = v;
	return DB_OK;
}

enum db_rc store_screening_list(struct worker *w, int64_t film_id, int64_t from, int64_t to,
                                int status, int64_t offset, int64_t limit,
                                struct screening_row **rows, int *n, int64_t *total)
{
	return db_get_page(w, "SELECT COUNT(*)" JOIN_FROM LIST_WHERE,
	                   DB_PARAMS(DB_I64(from), DB_I64(to), DB_I64(film_id), DB_I64(film_id),
	                             DB_I64(status), DB_I64(status)),
	                   "SELECT " SCREENING_COLUMNS JOIN_COLUMNS JOIN_FROM LIST_WHERE
	                   " ORDER BY s.start_at, s.id LIMIT ? OFFSET ?",
	                   DB_PARAMS(DB_I64(from), DB_I64(to), DB_I64(film_id), DB_I64(film_id),
	                             DB_I64(status), DB_I64(status), DB_I64(limit), DB_I64(offset)),
	                   offset, row_cols, (void **)rows, n, total);
}

enum db_rc store_screening_future_of_film(struct worker *w, int64_t film_id, int64_t now,
                                          int64_t **ids, int *n)
{
	return db_get_ids(
	    w,
	    "SELECT id FROM screenings WHERE film_id = ? AND status = 0 AND start_at > ? "
	    "ORDER BY id FOR UPDATE",
	    DB_PARAMS(DB_I64(film_id), DB_I64(now)), ids, n);
}

enum db_rc store_screening_future_in_hall(struct worker *w, int64_t hall_id, int64_t now,
                                          int64_t **ids, int *n)
{
	return db_get_ids(
	    w,
	    "SELECT id FROM screenings WHERE hall_id = ? AND status = 0 AND end_at > ? "
	    "ORDER BY id LOCK IN SHARE MODE",
	    DB_PARAMS(DB_I64(hall_id), DB_I64(now)), ids, n);
}

enum db_rc store_screening_live_tickets_in_hall(struct worker *w, int64_t hall_id, int64_t now,
                                                int64_t *n)
{
	return db_get_count(
	    w,
	    "SELECT COUNT(*) FROM tickets t JOIN screenings s ON s.id = t.screening_id "
	    "WHERE s.hall_id = ? AND s.status = 0 AND s.end_at > ? AND t.live = 1 "
	    "LOCK IN SHARE MODE",
	    DB_PARAMS(DB_I64(hall_id), DB_I64(now)), n);
}

enum db_rc store_screening_set_total_in_hall(struct worker *w, int64_t hall_id, int64_t now,
                                             int total)
{
	return db_exec(
	    w,
	    "UPDATE screenings SET seats_total = ?, update_time = ? "
	    "WHERE hall_id = ? AND status = 0 AND end_at > ?",
	    DB_PARAMS(DB_I64(total), DB_I64((int64_t)time(NULL)), DB_I64(hall_id), DB_I64(now)),
	    NULL, NULL);
}

enum db_rc store_screening_seat_source(struct worker *w, int64_t id, int *status, char *layout,
                                       size_t layout_len, int *found)
{
	struct db_res res;
	enum db_rc rc;
	const char *s;

	*found = 0;
	rc = db_query(w, "SELECT s.status, h.layout" JOIN_FROM " WHERE s.id = ?",
	              DB_PARAMS(DB_I64(id)), &res);
	if (rc != DB_OK)
		return rc;
	if (res.nrows > 0) {
		*status = (int)db_cell_i64(&res, 0, 0);
		s = db_cell(&res, 0, 1);
		snprintf(layout, layout_len, "%s", s ? s : "");
		*found = 1;
	}
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_screening_taken_seats(struct worker *w, int64_t id, struct taken_seat **seats,
                                       int *n)
{
	struct db_res res;
	enum db_rc rc;
	int i;

	*seats = NULL;
	*n = 0;
	rc = db_query(w,
	              "SELECT seat, status FROM tickets WHERE screening_id = ? AND live = 1 "
	              "AND seat <> ''",
	              DB_PARAMS(DB_I64(id)), &res);
	if (rc != DB_OK)
		return rc;
	if (res.nrows > 0) {
		*seats = calloc((size_t)res.nrows, sizeof(**seats));
		if (!*seats) {
			db_res_release(&res);
			return DB_ERROR;
		}
		for (i = 0; i < res.nrows; i++) {
			db_cell_copy((*seats)[i].seat, sizeof((*seats)[i].seat), &res, i, 0);
			(*seats)[i].status = (int)db_cell_i64(&res, i, 1);
		}
		*n = res.nrows;
	}
	db_res_release(&res);
	return DB_OK;
}
