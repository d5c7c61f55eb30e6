/*
 * db.h: the MySQL/MariaDB connection of one worker and the only way to run
 * SQL: prepared statements with bound parameters, cached per connection.
 *
 * Worker threads only (ASSERT_NOT_LOOP). A lost connection is closed and
 * reopened on next use, at most once a second; meanwhile calls return
 * DB_UNAVAILABLE, which services map to 503 unavailable.
 */
#ifndef BOXOFFICE_STORE_DB_H
#define BOXOFFICE_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

struct worker;

enum db_rc {
	DB_OK = 0,
	DB_UNAVAILABLE = -1, /* cannot reach the server */
	DB_DUPLICATE = -2,   /* a unique key refused the row; see db_dup_key() */
	DB_ERROR = -3,       /* any other failure (logged) */
	DB_DEADLOCK = -4,    /* deadlock or lock wait timeout: retry the transaction */
};

enum db_type { DBP_NULL = 0, DBP_I64, DBP_STR };

struct db_param {
	enum db_type t;
	int64_t i;
	const char *s;
	size_t len;
};

#define DB_I64(v) ((struct db_param){.t = DBP_I64, .i = (int64_t)(v)})
#define DB_STR(v) ((struct db_param){.t = DBP_STR, .s = (v), .len = strlen(v)})
#define DB_STRN(v, n) ((struct db_param){.t = DBP_STR, .s = (v), .len = (n)})
#define DB_NULL ((struct db_param){.t = DBP_NULL})
#define DB_PARAMS(...)                            \
	((const struct db_param[]){__VA_ARGS__}), \
	    (int)(sizeof((const struct db_param[]){__VA_ARGS__}) / sizeof(struct db_param))
#define DB_NOPARAMS NULL, 0

/* All cells of a result as strings; NULL cells are NULL pointers. */
struct db_res {
	int nrows, ncols;
	char **cells; /* nrows * ncols, row major */
	char *blob;   /* owns the cell bytes */
};

/* Set once at start from the db_url setting. Returns 0 or -1 (bad url). */
int db_configure(const char *url);
/* Open a connection now (start-up check). Returns 0, or -1 with *msg set. */
int db_check(char *msg, size_t msglen);

struct db_conn *db_conn_new(void);
void db_conn_free(struct db_conn *c);

/*
 * Run a statement. sql must be a string literal (the statement cache keys on
 * its address). affected/insert_id may be NULL.
 */
enum db_rc db_exec(struct worker *w, const char *sql, const struct db_param *p, int n,
                   uint64_t *affected, uint64_t *insert_id);
/* Run a query; on DB_OK *res holds the rows (release with db_res_release). */
enum db_rc db_query(struct worker *w, const char *sql, const struct db_param *p, int n,
                    struct db_res *res);
void db_res_release(struct db_res *res);
/* Cell accessors: NULL/0 out of range or SQL NULL. */
const char *db_cell(const struct db_res *res, int row, int col);
int64_t db_cell_i64(const struct db_res *res, int row, int col);
/* The cell as a string, "" for SQL NULL or out of range (borrowed from res). */
const char *db_cell_str(const struct db_res *res, int row, int col);
/* Copy the cell (or "") into dst of dstlen bytes, truncating. */
void db_cell_copy(char *dst, size_t dstlen, const struct db_res *res, int row, int col);

/*
 * Result tails shared by the stores. Each takes the rc of a db_query and
 * its result as db_query left them, returns rc (or DB_ERROR when memory
 * runs out) and always releases res.
 *   db_first_row: maps the first row, if any, into out (*found = 0 or 1);
 *   db_all_rows:  maps every row into a calloc'd array of size-byte
 *                 elements (*rows, free(); NULL when none), *n of them;
 *   db_any_row:   *yes = 1 if there was a row;
 *   db_id_column: the first column as ids into *ids (free()), *n of them.
 */
typedef void (*db_row_fn)(const struct db_res *res, int row, void *out);
enum db_rc db_first_row(enum db_rc rc, struct db_res *res, db_row_fn map, void *out, int *found);
enum db_rc db_all_rows(enum db_rc rc, struct db_res *res, db_row_fn map, size_t size, void **rows,
                       int *n);
enum db_rc db_any_row(enum db_rc rc, struct db_res *res, int *yes);
enum db_rc db_id_column(enum db_rc rc, struct db_res *res, int64_t **ids, int *n);

/*
 * The usual store function in one call: db_query(w, sql, p, n) and then the
 * tail above of the same name (db_get_row: db_first_row, db_get_rows:
 * db_all_rows, db_get_ids: db_id_column, db_get_any: db_any_row).
 * db_get_count: the first cell of the first row (a COUNT(*)) into *count,
 * 0 on error. sql must be a string literal, as for db_query.
 */
enum db_rc db_get_row(struct worker *w, const char *sql, const struct db_param *p, int n,
                      db_row_fn map, void *out, int *found);
enum db_rc db_get_rows(struct worker *w, const char *sql, const struct db_param *p, int n,
                       db_row_fn map, size_t size, void **rows, int *nrows);
enum db_rc db_get_ids(struct worker *w, const char *sql, const struct db_param *p, int n,
                      int64_t **ids, int *nids);
enum db_rc db_get_any(struct worker *w, const char *sql, const struct db_param *p, int n, int *yes);
enum db_rc db_get_count(struct worker *w, const char *sql, const struct db_param *p, int n,
                        int64_t *count);
/*
 * One page of a list: the count query (cp, cn: its parameters) into *total,
 * then, if the page starts before the end (offset < *total), the rows query
 * as db_get_rows. *rows NULL and *nrows 0 when the page is empty.
 */
enum db_rc db_get_page(struct worker *w, const char *count_sql, const struct db_param *cp, int cn,
                       const char *sql, const struct db_param *p, int n, int64_t offset,
                       db_row_fn map, size_t size, void **rows, int *nrows, int64_t *total);

/* Transactions on the worker's connection. */
enum db_rc db_begin(struct worker *w);
enum db_rc db_commit(struct worker *w);
void db_rollback(struct worker *w);

/* Name of the unique key behind the last DB_DUPLICATE ("uniq_mobile"), or "". */
const char *db_dup_key(struct worker *w);
/* Ping for /healthz. Returns DB_OK or DB_UNAVAILABLE. */
enum db_rc db_ping(struct worker *w);
/* Run one multi-statement SQL text (migrations only). */
enum db_rc db_exec_script(struct worker *w, const char *sql_text);

#endif
