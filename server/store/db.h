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
 * How a result row lands in a row struct: one DB_COL per column, in the
 * order of the SELECT, closed by DB_END naming the struct (which is zeroed
 * before a row is read into it). The field's type picks the conversion:
 * int64_t, int, or a char array (copied, truncated, "" for SQL NULL).
 * Fields of columns the result does not have stay zero.
 *   static const struct db_col shift_cols[] = {
 *       DB_COLS(struct shift_row, id, cashier_id, opened_at, closed_at)};
 * DB_COLS(type, field...) is that list for up to 24 fields, DB_END included.
 */
enum db_col_type { DBC_END = 0, DBC_I64, DBC_INT, DBC_TEXT };
struct db_col {
	enum db_col_type t;
	size_t off, size; /* of the field; for DBC_END, size is the struct's */
};
/* clang-format off */
#define DB_COL(type, field) \
	{_Generic(((type *)0)->field, int64_t: DBC_I64, int: DBC_INT, char *: DBC_TEXT), \
	 offsetof(type, field), sizeof(((type *)0)->field)}
#define DB_END(type) {DBC_END, 0, sizeof(type)}
#define DB_COLS(type, ...) DB_COLS_N_(DB_NARGS_(__VA_ARGS__), type, __VA_ARGS__), DB_END(type)
#define DB_NARGS_(...) DB_NTH_(__VA_ARGS__, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define DB_NTH_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, n, ...) n
#define DB_COLS_N_(n, type, ...) DB_CAT_(DB_COLS_, n)(type, __VA_ARGS__)
#define DB_CAT_(a, b) a##b
#define DB_COLS_1(t, f) DB_COL(t, f)
#define DB_COLS_2(t, f, ...) DB_COL(t, f), DB_COLS_1(t, __VA_ARGS__)
#define DB_COLS_3(t, f, ...) DB_COL(t, f), DB_COLS_2(t, __VA_ARGS__)
#define DB_COLS_4(t, f, ...) DB_COL(t, f), DB_COLS_3(t, __VA_ARGS__)
#define DB_COLS_5(t, f, ...) DB_COL(t, f), DB_COLS_4(t, __VA_ARGS__)
#define DB_COLS_6(t, f, ...) DB_COL(t, f), DB_COLS_5(t, __VA_ARGS__)
#define DB_COLS_7(t, f, ...) DB_COL(t, f), DB_COLS_6(t, __VA_ARGS__)
#define DB_COLS_8(t, f, ...) DB_COL(t, f), DB_COLS_7(t, __VA_ARGS__)
#define DB_COLS_9(t, f, ...) DB_COL(t, f), DB_COLS_8(t, __VA_ARGS__)
#define DB_COLS_10(t, f, ...) DB_COL(t, f), DB_COLS_9(t, __VA_ARGS__)
#define DB_COLS_11(t, f, ...) DB_COL(t, f), DB_COLS_10(t, __VA_ARGS__)
#define DB_COLS_12(t, f, ...) DB_COL(t, f), DB_COLS_11(t, __VA_ARGS__)
#define DB_COLS_13(t, f, ...) DB_COL(t, f), DB_COLS_12(t, __VA_ARGS__)
#define DB_COLS_14(t, f, ...) DB_COL(t, f), DB_COLS_13(t, __VA_ARGS__)
#define DB_COLS_15(t, f, ...) DB_COL(t, f), DB_COLS_14(t, __VA_ARGS__)
#define DB_COLS_16(t, f, ...) DB_COL(t, f), DB_COLS_15(t, __VA_ARGS__)
#define DB_COLS_17(t, f, ...) DB_COL(t, f), DB_COLS_16(t, __VA_ARGS__)
#define DB_COLS_18(t, f, ...) DB_COL(t, f), DB_COLS_17(t, __VA_ARGS__)
#define DB_COLS_19(t, f, ...) DB_COL(t, f), DB_COLS_18(t, __VA_ARGS__)
#define DB_COLS_20(t, f, ...) DB_COL(t, f), DB_COLS_19(t, __VA_ARGS__)
#define DB_COLS_21(t, f, ...) DB_COL(t, f), DB_COLS_20(t, __VA_ARGS__)
#define DB_COLS_22(t, f, ...) DB_COL(t, f), DB_COLS_21(t, __VA_ARGS__)
#define DB_COLS_23(t, f, ...) DB_COL(t, f), DB_COLS_22(t, __VA_ARGS__)
#define DB_COLS_24(t, f, ...) DB_COL(t, f), DB_COLS_23(t, __VA_ARGS__)
/* clang-format on */

/* Reads row of res into out as cols says (out: a struct of cols' DB_END size). */
void db_row_read(const struct db_res *res, int row, const struct db_col *cols, void *out);

/*
 * Result tails shared by the stores. Each takes the rc of a db_query and
 * its result as db_query left them, returns rc (or DB_ERROR when memory
 * runs out) and always releases res.
 *   db_first_row: reads the first row, if any, into out (*found = 0 or 1);
 *   db_all_rows:  reads every row into a calloc'd array of row structs
 *                 (*rows, free(); NULL when none), *n of them;
 *   db_any_row:   *yes = 1 if there was a row;
 *   db_id_column: the first column as ids into *ids (free()), *n of them.
 */
enum db_rc db_first_row(enum db_rc rc, struct db_res *res, const struct db_col *cols, void *out,
                        int *found);
enum db_rc db_all_rows(enum db_rc rc, struct db_res *res, const struct db_col *cols, void **rows,
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
                      const struct db_col *cols, void *out, int *found);
enum db_rc db_get_rows(struct worker *w, const char *sql, const struct db_param *p, int n,
                       const struct db_col *cols, void **rows, int *nrows);
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
                       const struct db_col *cols, void **rows, int *nrows, int64_t *total);

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
