/*
 * store_comment.h: the comments table (spec 4.9), the only code with SQL
 * about comments. Rows come back as plain structs whose strings borrow from
 * the list's result; no JSON here. Every function runs prepared statements
 * on the worker's connection and returns its enum db_rc (DB_UNAVAILABLE when
 * MySQL cannot be reached). Worker threads only.
 *
 * A comment's rating is 1..5, or 0 for "no rating" (SQL NULL). author is the
 * writer's current user name ("" when the user is gone); masking anonymous
 * authors is the service's business, not the store's.
 */
#ifndef BOXOFFICE_STORE_STORE_COMMENT_H
#define BOXOFFICE_STORE_STORE_COMMENT_H

#include <stdint.h>

#include "store/db.h"

struct worker;

struct comment {
	int64_t id, uid, fid;
	const char *title, *content, *author;
	int rating; /* 0: none */
	int is_anonymous, hidden;
	int64_t create_time, update_time;
};

/* Rows of a query; items[i] strings borrow from res. Release with store_comment_list_release. */
struct comment_list {
	int n;
	int64_t total; /* rows matching without paging (list queries) */
	struct comment *items;
	struct db_res res;
};

/* Changes of /comment/update: only fields with has_* set are written. */
struct comment_patch {
	int has_title, has_content, has_anonymous, has_rating;
	const char *title, *content;
	int is_anonymous;
	int rating; /* 0: clear */
};

/* Insert c (id, uid, fid, title, content, rating, is_anonymous; visible; times now). */
enum db_rc store_comment_insert(struct worker *w, const struct comment *c);

/* One comment by id into out (n is 0 when there is none). */
enum db_rc store_comment_get(struct worker *w, int64_t id, struct comment_list *out);

/*
 * Apply p to comment id if uid owns it (the caller checked it exists; a row
 * that vanished meanwhile is not an error).
 */
enum db_rc store_comment_update(struct worker *w, int64_t id, int64_t uid,
                                const struct comment_patch *p);

/* Delete comment id; *affected is 1 when it existed. */
enum db_rc store_comment_delete(struct worker *w, int64_t id, uint64_t *affected);

/* Set the hidden flag of comment id. */
enum db_rc store_comment_set_hidden(struct worker *w, int64_t id, int hidden);

/*
 * Comments of film fid, newest first: visible ones only, or all when
 * with_hidden; limit rows from offset, total counts every match.
 */
enum db_rc store_comment_by_film(struct worker *w, int64_t fid, int with_hidden, int64_t offset,
                                 int64_t limit, struct comment_list *out);

/* Average rating of the visible rated comments of film fid; *count 0 (and *avg 0) when none. */
enum db_rc store_comment_rating(struct worker *w, int64_t fid, double *avg, int64_t *count);

/* Comments written by uid (hidden ones included), newest first. */
enum db_rc store_comment_by_user(struct worker *w, int64_t uid, int64_t offset, int64_t limit,
                                 struct comment_list *out);

void store_comment_list_release(struct comment_list *l);

#endif
