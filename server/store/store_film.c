/*
 * store_film.c: see store_film.h.
 */
#include "store/store_film.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Every SELECT of a whole row lists the columns in this order. */
#define FILM_COLUMNS                                                                        \
	"id, name, `desc`, director, screenwriter, length, amount, stock, is_select_seat, " \
	"genre, poster_url, create_time, update_time"

/* Tickets that hold a seat (or a general-admission place) count as sold here. */
#define SALE_WHERE                                                                      \
	"removed = 0 AND (stock > 0 OR EXISTS (SELECT 1 FROM screenings s WHERE "       \
	"s.film_id = films.id AND s.status = 0 AND s.start_at > ? AND s.seats_total > " \
	"(SELECT COUNT(*) FROM tickets t WHERE t.screening_id = s.id AND t.live = 1)))"

#define LIST_WHERE                                                                             \
	"removed = 0 AND (? IS NULL OR name LIKE ? ESCAPE '!' OR director LIKE ? ESCAPE '!') " \
	"AND (? IS NULL OR genre = ?)"

static const struct db_col row_cols[] = {
    DB_COLS(struct film_row, id, name, desc, director, screenwriter, length, amount, stock,
            is_select_seat, genre, poster_url, create_time, update_time)};

enum db_rc store_film_insert(struct worker *w, const struct film_row *f)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(
	    w,
	    "INSERT INTO films (id, name, `desc`, director, screenwriter, length, amount, "
	    "stock, is_select_seat, genre, poster_url, removed, create_time, update_time) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
	    DB_PARAMS(DB_I64(f->id), DB_STR(f->name), DB_STR(f->desc), DB_STR(f->director),
	              DB_STR(f->screenwriter), DB_I64(f->length), DB_I64(f->amount),
	              DB_I64(f->stock), DB_I64(f->is_select_seat), DB_STR(f->genre),
	              DB_STR(f->poster_url), DB_I64(now), DB_I64(now)),
	    NULL, NULL);
}

enum db_rc store_film_get(struct worker *w, int64_t id, struct film_row *out, int *found)
{
	return db_get_row(w, "SELECT " FILM_COLUMNS " FROM films WHERE id = ? AND removed = 0",
	                  DB_PARAMS(DB_I64(id)), row_cols, out, found);
}

enum db_rc store_film_lock(struct worker *w, int64_t id, int exclusive, struct film_row *out,
                           int *found)
{
	if (exclusive)
		return db_get_row(
		    w, "SELECT " FILM_COLUMNS " FROM films WHERE id = ? AND removed = 0 FOR UPDATE",
		    DB_PARAMS(DB_I64(id)), row_cols, out, found);
	else
		return db_get_row(w,
		                  "SELECT " FILM_COLUMNS
		                  " FROM films WHERE id = ? AND removed = 0 LOCK IN SHARE MODE",
		                  DB_PARAMS(DB_I64(id)), row_cols, out, found);
}

static struct db_param str_or_null(const char *s)
{
	return s ? DB_STR(s) : DB_NULL;
}

static struct db_param int_or_null(int64_t v)
{
	return v >= 0 ? DB_I64(v) : DB_NULL;
}

enum db_rc store_film_update(struct worker *w, int64_t id, const struct film_patch *p)
{
	int64_t now = (int64_t)time(NULL);

	/* One fixed statement: an absent field binds NULL and keeps its column. */
	return db_exec(w,
	               "UPDATE films SET name = COALESCE(?, name), `desc` = COALESCE(?, `desc`), "
	               "director = COALESCE(?, director), "
	               "screenwriter = COALESCE(?, screenwriter), genre = COALESCE(?, genre), "
	               "poster_url = COALESCE(?, poster_url), length = COALESCE(?, length), "
	               "amount = COALESCE(?, amount), stock = COALESCE(?, stock), "
	               "is_select_seat = COALESCE(?, is_select_seat), update_time = ? "
	               "WHERE id = ? AND removed = 0",
	               DB_PARAMS(str_or_null(p->name), str_or_null(p->desc),
	                         str_or_null(p->director), str_or_null(p->screenwriter),
	                         str_or_null(p->genre), str_or_null(p->poster_url),
	                         int_or_null(p->length), int_or_null(p->amount),
	                         int_or_null(p->stock), int_or_null(p->is_select_seat), DB_I64(now),
	                         DB_I64(id)),
	               NULL, NULL);
}

enum db_rc store_film_remove(struct worker *w, int64_t id)
{
	return db_exec(w, "UPDATE films SET removed = 1, update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_I64((int64_t)time(NULL)), DB_I64(id)), NULL, NULL);
}

enum db_rc store_film_paid_future(struct worker *w, int64_t id, int64_t now, int64_t *n)
{
	return db_get_count(
	    w,
	    "SELECT COUNT(*) FROM tickets t JOIN screenings s ON s.id = t.screening_id "
	    "WHERE s.film_id = ? AND s.end_at > ? AND t.status = 1 AND t.live = 1 "
	    "LOCK IN SHARE MODE",
	    DB_PARAMS(DB_I64(id), DB_I64(now)), n);
}

enum db_rc store_film_list(struct worker *w, const char *like, const char *genre, int64_t offset,
                           int64_t limit, struct film_row **rows, int *n, int64_t *total)
{
	return db_get_page(w, "SELECT COUNT(*) FROM films WHERE " LIST_WHERE,
	                   DB_PARAMS(str_or_null(like), str_or_null(like), str_or_null(like),
	                             str_or_null(genre), str_or_null(genre)),
	                   "SELECT " FILM_COLUMNS " FROM films WHERE " LIST_WHERE
	                   " ORDER BY create_time DESC, id DESC LIMIT ? OFFSET ?",
	                   DB_PARAMS(str_or_null(like), str_or_null(like), str_or_null(like),
	                             str_or_null(genre), str_or_null(genre), DB_I64(limit),
	                             DB_I64(offset)),
	                   offset, row_cols, (void **)rows, n, total);
}

enum db_rc store_film_sale_list(struct worker *w, int64_t now, int64_t limit,
                                struct film_row **rows, int *n, int64_t *total)
{
	return db_get_page(
	    w, "SELECT COUNT(*) FROM films WHERE " SALE_WHERE, DB_PARAMS(DB_I64(now)),
	    "SELECT " FILM_COLUMNS " FROM films WHERE " SALE_WHERE
	    " ORDER BY create_time DESC, id DESC LIMIT ?",
	    DB_PARAMS(DB_I64(now), DB_I64(limit)), 0, row_cols, (void **)rows, n, total);
}

int store_film_like_pattern(const char *s, char *out, size_t outlen)
{
	size_t n = 0;

	if (outlen < 3)
		return -1;
	out[n++] = '%';
	for (; *s; s++) {
		if (n + 4 > outlen)
			return -1;
		if (*s == '%' || *s == '_' || *s == '!')
			out[n++] = '!';
		out[n++] = *s;
	}
	out[n++] = '%';
	out[n] = '\0';
	return 0;
}

enum db_rc store_film_exists(struct worker *w, int64_t id, int *exists)
{
	*exists = 0;
	return db_get_any(w, "SELECT 1 FROM films WHERE id = ? AND removed = 0",
	                  DB_PARAMS(DB_I64(id)), exists);
}
