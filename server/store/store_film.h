/*
 * store_film.h: the films table (spec 4.2), the only code with SQL about
 * films. Rows come back as plain structs; no JSON here. Every function runs
 * prepared statements on the worker's connection (inside the caller's
 * transaction when one is open) and returns its enum db_rc. Worker threads
 * only.
 *
 * Removal is soft (removed = 1): every function here except the locking
 * ones sees only films that are not removed, so a removed film is "not
 * found" everywhere.
 */
#ifndef BOXOFFICE_STORE_STORE_FILM_H
#define BOXOFFICE_STORE_STORE_FILM_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

struct worker;

/* Column sizes in bytes (VARCHAR(n) of utf8mb4 holds up to 4n bytes). */
#define STORE_FILM_NAME_MAX (100 * 4)
#define STORE_FILM_DESC_MAX (2000 * 4)
#define STORE_FILM_POSTER_MAX 500 /* ASCII only (checked by the service) */

struct film_row {
	int64_t id;
	char name[STORE_FILM_NAME_MAX + 1];
	char desc[STORE_FILM_DESC_MAX + 1];
	char director[STORE_FILM_NAME_MAX + 1];
	char screenwriter[STORE_FILM_NAME_MAX + 1];
	int64_t length; /* minutes */
	int64_t amount;
	int64_t stock;
	int is_select_seat;
	char genre[STORE_FILM_NAME_MAX + 1];
	char poster_url[STORE_FILM_POSTER_MAX + 1];
	int64_t create_time;
	int64_t update_time;
};

/* Changes of /film/update: NULL strings and negative numbers are left unchanged. */
struct film_patch {
	const char *name, *desc, *director, *screenwriter, *genre, *poster_url;
	int64_t length, amount, stock, is_select_seat;
};

/* Insert f (every column but the times, which are set to now). */
enum db_rc store_film_insert(struct worker *w, const struct film_row *f);

/* One film that is not removed. *found is 1 (and *out filled) or 0. */
enum db_rc store_film_get(struct worker *w, int64_t id, struct film_row *out, int *found);
/* *exists = 1 if film id exists and is not removed (comments and adverts refer to it). */
enum db_rc store_film_exists(struct worker *w, int64_t id, int *exists);
/*
 * The same as a locking read inside the caller's transaction: exclusive
 * (FOR UPDATE: film writes) or shared (LOCK IN SHARE MODE: screening
 * writes, so a film cannot be removed under a screening being scheduled).
 */
enum db_rc store_film_lock(struct worker *w, int64_t id, int exclusive, struct film_row *out,
                           int *found);

/* Apply p to film id (the caller has checked it exists). */
enum db_rc store_film_update(struct worker *w, int64_t id, const struct film_patch *p);
/* Soft delete. */
enum db_rc store_film_remove(struct worker *w, int64_t id);

/*
 * *n = paid live tickets (status 1, live 1) of screenings of film id that
 * are not over at now (a running screening's tickets are still used), as a
 * locking read (the caller holds the film's lock).
 */
enum db_rc store_film_paid_future(struct worker *w, int64_t id, int64_t now, int64_t *n);

/*
 * A page of films, newest first. like: a LIKE pattern already escaped with
 * '!' (see store_film_like_pattern) matched against name or director, or NULL;
 * genre: exact (case-insensitive) genre, or NULL. On DB_OK *rows is a
 * malloc'd array of *n rows (free(); NULL when *n is 0) and *total counts
 * every match.
 */
enum db_rc store_film_list(struct worker *w, const char *like, const char *genre, int64_t offset,
                           int64_t limit, struct film_row **rows, int *n, int64_t *total);

/*
 * Films on sale (spec 4.2): stock > 0, or a scheduled screening starting
 * after now with fewer live tickets than sellable seats. Newest first, at
 * most limit rows; *total counts them all. Ownership as store_film_list.
 */
enum db_rc store_film_sale_list(struct worker *w, int64_t now, int64_t limit,
                                struct film_row **rows, int *n, int64_t *total);

/*
 * "%<s escaped>%" for LIKE ... ESCAPE '!' into out (at least 2 * strlen(s) + 3
 * bytes). Returns 0, or -1 when out is too small.
 */
int store_film_like_pattern(const char *s, char *out, size_t outlen);

#endif
