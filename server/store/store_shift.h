/*
 * store_shift.h: cashier shifts (spec 4.11): at most one open shift per
 * cashier (shifts.open = 1 while open, NULL after: a unique key keeps it so),
 * and the figures of a shift, computed from the pays and refunds recorded
 * against it. A closed shift keeps the expected cash it was closed with.
 * Worker threads only; inside the caller's transaction when one is open.
 */
#ifndef BOXOFFICE_STORE_STORE_SHIFT_H
#define BOXOFFICE_STORE_STORE_SHIFT_H

#include <stdint.h>

#include "store/db.h"

struct worker;

#define STORE_SHIFT_METHODS 4

struct shift_row {
	int64_t id, cashier_id, opened_at, closed_at, float_amount, counted, expected_cash;
	int open;
};

struct shift_figures {
	int nmethods;
	char method[STORE_SHIFT_METHODS][11];
	int64_t sales[STORE_SHIFT_METHODS];
	int64_t cash_sales, refunds, cash_refunds;
};

/* DB_DUPLICATE when the cashier already has an open shift. */
enum db_rc store_shift_insert(struct worker *w, const struct shift_row *s);
/* The open shift of a cashier; lock: FOR UPDATE. */
enum db_rc store_shift_open_of(struct worker *w, int64_t cashier_id, int lock,
                               struct shift_row *out, int *found);
/* Sales by method (pays paid or later refunded) and refunds of shift id. */
enum db_rc store_shift_figures(struct worker *w, int64_t id, struct shift_figures *f);
/* Counter pays of shift id not yet confirmed (status 0, in flight to the consumer). */
enum db_rc store_shift_pending(struct worker *w, int64_t id, int64_t *n);
/* Close an open shift; *affected 0 when it was not open. */
enum db_rc store_shift_close(struct worker *w, int64_t id, int64_t counted, int64_t expected,
                             int64_t now, uint64_t *affected);

#endif
