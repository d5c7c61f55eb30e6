/*
 * store_advert.h: the adverts table (spec 4.10) and the purchase history
 * that orders commercial adverts; the only code with SQL about adverts.
 * Rows come back as plain structs whose strings borrow from the list's
 * result; no JSON here. Every function returns its enum db_rc
 * (DB_UNAVAILABLE when MySQL cannot be reached). Worker threads only.
 *
 * An advert's stored status is 0 (valid) or 1 (expired); its window
 * start_at..end_at (0 = unbounded) is applied by the service at read time,
 * because "now" moves while rows sit in the cache.
 */
#ifndef BOXOFFICE_STORE_STORE_ADVERT_H
#define BOXOFFICE_STORE_STORE_ADVERT_H

#include <stdint.h>

#include "store/db.h"

struct worker;

struct advert {
	int64_t id;
	const char *title, *content, *genre;
	int is_com, status;
	int64_t film_id; /* 0: none */
	int64_t start_at, end_at;
	int64_t create_time, update_time;
};

/* Rows of a query; strings borrow from res. Release with store_advert_list_release. */
struct advert_list {
	int n;
	struct advert *items;
	struct db_res res;
};

/* Films a user has paid orders for, with their genres. Strings borrow from res. */
struct advert_bought {
	int n;
	int64_t *fids;
	const char **genres; /* "" when the film has none */
	struct db_res res;
};

/* Most adverts one list answers (the newest ones). */
#define STORE_ADVERT_LIST_MAX 200

/* Insert a (every column but the times, which are now). */
enum db_rc store_advert_insert(struct worker *w, const struct advert *a);

/* One advert by id into out (n is 0 when there is none); for_update locks the row (inside a
 * transaction). */
enum db_rc store_advert_get(struct worker *w, int64_t id, int for_update, struct advert_list *out);

/* Write every column of a but id and create_time (update_time is now). */
enum db_rc store_advert_update(struct worker *w, const struct advert *a);

/* Delete advert id; *affected is 1 when it existed. */
enum db_rc store_advert_delete(struct worker *w, int64_t id, uint64_t *affected);

/*
 * Adverts of kind is_com with stored status 0 whose window has not ended at
 * now (not yet started ones included), newest first, at most
 * STORE_ADVERT_LIST_MAX.
 */
enum db_rc store_advert_valid(struct worker *w, int is_com, int64_t now, struct advert_list *out);

/* Distinct films (and their genres) of the paid orders of uid. */
enum db_rc store_advert_bought(struct worker *w, int64_t uid, struct advert_bought *out);

void store_advert_list_release(struct advert_list *l);
void store_advert_bought_release(struct advert_bought *b);

#endif
