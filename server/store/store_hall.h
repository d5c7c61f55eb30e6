/*
 * store_hall.h: the halls table (spec 4.3), the only code with SQL about
 * halls. Rows come back as plain structs; no JSON parsing here (the layout
 * is kept as the JSON text the service wrote). Every function runs prepared
 * statements on the worker's connection (inside the caller's transaction
 * when one is open) and returns its enum db_rc. Worker threads only.
 *
 * Removal is soft (removed = 1); removed halls are never found here.
 * Lock order of catalogue transactions: hall row, then film row, then
 * screening rows, then orders and tickets.
 */
#ifndef BOXOFFICE_STORE_STORE_HALL_H
#define BOXOFFICE_STORE_STORE_HALL_H

#include <stdint.h>

#include "proto_layout.h"
#include "store/db.h"

struct worker;

#define STORE_HALL_NAME_MAX (100 * 4)

struct hall_row {
	int64_t id;
	char name[STORE_HALL_NAME_MAX + 1];
	char layout[PROTO_LAYOUT_JSON_MAX + 1]; /* JSON array of row strings */
	int seats;                              /* every letter of the layout */
	int64_t create_time;
	int64_t update_time;
};

/* Insert h (times set to now). */
enum db_rc store_hall_insert(struct worker *w, const struct hall_row *h);
/* One hall that is not removed. *found is 1 (and *out filled) or 0. */
enum db_rc store_hall_get(struct worker *w, int64_t id, struct hall_row *out, int *found);
/* The same as FOR UPDATE inside the caller's transaction: serialises every
 * write that depends on the hall's screenings (create, update, remove). */
enum db_rc store_hall_lock(struct worker *w, int64_t id, struct hall_row *out, int *found);
/* Set the name (NULL: unchanged) and the layout with its seat count (NULL: unchanged). */
enum db_rc store_hall_update(struct worker *w, int64_t id, const char *name, const char *layout,
                             int seats);
/* Soft delete. */
enum db_rc store_hall_remove(struct worker *w, int64_t id);
/*
 * Every hall not removed, by name then id, at most limit rows. On DB_OK
 * *rows is a malloc'd array of *n rows (free(); NULL when *n is 0), *total
 * counts them all.
 */
enum db_rc store_hall_list(struct worker *w, int64_t limit, struct hall_row **rows, int *n,
                           int64_t *total);

#endif
