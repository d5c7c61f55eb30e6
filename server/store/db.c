/*
 * db.c: see db.h. One MYSQL handle per worker, a prepared-statement cache
 * keyed by the address of the SQL literal, and lazy reconnection.
 */
#include "store/db.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <errmsg.h>
#include <mysql.h>
#include <mysqld_error.h>

#include "core/depstate.h"
#include "core/log.h"
#include "core/thread_role.h"
#include "core/pool.h"

#define STMT_SLOTS 256
#define CELL_BUF 64
#define MAX_COLS 64
#define MAX_PARAMS 64
#define IDLE_CHECK_S 10

struct stmt_slot {
	const char *sql;
	MYSQL_STMT *st;
};

struct db_conn {
	MYSQL *my;
	time_t retry_at;
	int in_txn;
	time_t last_used;
	unsigned last_errno; /* of the last failure classify() saw */
	unsigned epoch;      /* conn_epoch when this connection was last known good */
	struct stmt_slot slots[STMT_SLOTS];
	char dup_key[65];
};

static struct {
	char host[256];
	char user[128];
	char pass[128];
	char name[128];
	unsigned port;
	char addr[300];
} dbcfg;

/* mysql://user:pass@host:port/db */
static struct depstate dep = DEPSTATE_INIT("mysql");

/*
 * Raised whenever any worker sees a connection die (a MariaDB restart
 * kills all of them at once): every other worker then pings its own
 * connection before its next statement, instead of failing that statement
 * with "lost connection" and answering 503.
 */
static atomic_uint conn_epoch;

int db_configure(const char *url)
{
	const char *p, *at, *slash, *colon;
	char hostport[256];

	memset(&dbcfg, 0, sizeof(dbcfg));
	if (strncmp(url, "mysql://", 8) != 0)
		return -1;
	p = url + 8;
	at = strrchr(p, '@');
	if (at) {
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			snprintf(dbcfg.user, sizeof(dbcfg.user), "%.*s", (int)(colon - p), p);
			snprintf(dbcfg.pass, sizeof(dbcfg.pass), "%.*s", (int)(at - colon - 1),
			         colon + 1);
		} else {
			snprintf(dbcfg.user, sizeof(dbcfg.user), "%.*s", (int)(at - p), p);
		}
		p = at + 1;
	}
	slash = strchr(p, '/');
	if (!slash || !slash[1])
		return -1;
	snprintf(hostport, sizeof(hostport), "%.*s", (int)(slash - p), p);
	snprintf(dbcfg.name, sizeof(dbcfg.name), "%s", slash + 1);
	dbcfg.port = 3306;
	colon = strrchr(hostport, ':');
	if (colon) {
		char *end;
		long port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			return -1;
		dbcfg.port = (unsigned)port;
		hostport[colon - hostport] = '\0';
	}
	if (!hostport[0])
		return -1;
	snprintf(dbcfg.host, sizeof(dbcfg.host), "%s", hostport);
	snprintf(dbcfg.addr, sizeof(dbcfg.addr), "%s:%u", dbcfg.host, dbcfg.port);
	return 0;
}

static MYSQL *connect_new(unsigned long flags, char *msg, size_t msglen)
{
	MYSQL *my = mysql_init(NULL);
	unsigned int connect_timeout = 2, rw_timeout = 10;
	my_bool off = 0;

	if (!my) {
		snprintf(msg, msglen, "cannot allocate a mysql handle");
		return NULL;
	}
	mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &connect_timeout);
	mysql_options(my, MYSQL_OPT_READ_TIMEOUT, &rw_timeout);
	mysql_options(my, MYSQL_OPT_WRITE_TIMEOUT, &rw_timeout);
	mysql_options(my, MYSQL_OPT_RECONNECT, &off);
	mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(my, dbcfg.host, dbcfg.user, dbcfg.pass, dbcfg.name, dbcfg.port,
	                        NULL, flags)) {
		snprintf(msg, msglen, "cannot connect to mysql '%s': %s", dbcfg.addr,
		         mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	/* Times are Unix seconds in BIGINT columns; keep the session in UTC anyway. */
	if (mysql_query(my, "SET time_zone = '+00:00'")) {
		snprintf(msg, msglen, "cannot set the time zone on mysql '%s': %s", dbcfg.addr,
		         mysql_error(my));
		mysql_close(my);
		return NULL;
	}
	return my;
}

int db_check(char *msg, size_t msglen)
{
	MYSQL *my = connect_new(0, msg, msglen);

	if (!my)
		return -1;
	mysql_close(my);
	return 0;
}

struct db_conn *db_conn_new(void)
{
	return calloc(1, sizeof(struct db_conn));
}

static void conn_drop(struct db_conn *c)
{
	int i;

	for (i = 0; i < STMT_SLOTS; i++) {
		if (c->slots[i].st)
			mysql_stmt_close(c->slots[i].st);
		c->slots[i].st = NULL;
		c->slots[i].sql = NULL;
	}
	if (c->my)
		mysql_close(c->my);
	c->my = NULL;
}

void db_conn_free(struct db_conn *c)
{
	if (!c)
		return;
	conn_drop(c);
	free(c);
}

/* The worker's live handle, (re)connecting at most once a second. */
static MYSQL *conn_get(struct worker *w)
{
	struct db_conn *c = w->db;
	char msg[400];
	time_t now;

	/* The bulkhead first: a hung MySQL must not take every worker. */
	if (pool_db_enter(w) < 0) {
		c->last_errno = 0;
		return NULL;
	}
	now = time(NULL);
	if (c->my) {
		/*
		 * A connection idle for a while may have been closed by the server
		 * (wait_timeout, a restart): check it before trusting it.
		 */
		unsigned epoch = atomic_load(&conn_epoch);
		int suspect = now - c->last_used >= IDLE_CHECK_S || c->epoch != epoch;

		if (suspect && !c->in_txn && mysql_ping(c->my)) {
			log_debug("worker %d: mysql connection was closed; reconnecting", w->index);
			conn_drop(c);
		} else {
			if (!c->in_txn)
				c->epoch = epoch;
			c->last_used = now;
			return c->my;
		}
	}
	if (now < c->retry_at) {
		depstate_fail(&dep, dbcfg.addr, "reconnect delayed");
		return NULL;
	}
	c->my = connect_new(0, msg, sizeof(msg));
	if (!c->my) {
		c->retry_at = now + 1;
		depstate_fail(&dep, dbcfg.addr, msg);
		return NULL;
	}
	depstate_ok(&dep, dbcfg.addr);
	log_debug("worker %d: connected to mysql '%s'", w->index, dbcfg.addr);
	c->last_used = now;
	c->epoch = atomic_load(&conn_epoch);
	return c->my;
}

static int is_conn_error(unsigned int err)
{
	return err == CR_SERVER_GONE_ERROR || err == CR_SERVER_LOST || err == CR_CONN_HOST_ERROR ||
	       err == CR_CONNECTION_ERROR || err == CR_SERVER_LOST_EXTENDED ||
	       err == ER_CONNECTION_KILLED || err == ER_SERVER_SHUTDOWN ||
	       err == CR_COMMANDS_OUT_OF_SYNC;
}

/* Map an error number to a db_rc; drops the connection when it is gone. */
static enum db_rc classify(struct worker *w, unsigned int err, const char *text, const char *sql)
{
	struct db_conn *c = w->db;

	c->last_errno = err;
	if (err == ER_DUP_ENTRY || err == ER_DUP_ENTRY_WITH_KEY_NAME) {
		const char *k = strstr(text, "for key '");
		c->dup_key[0] = '\0';
		if (k) {
			const char *e;
			k += 9;
			e = strchr(k, '\'');
			/* MariaDB may print "table.key"; keep the key name. */
			if (e) {
				const char *dot = memchr(k, '.', (size_t)(e - k));
				if (dot)
					k = dot + 1;
				snprintf(c->dup_key, sizeof(c->dup_key), "%.*s", (int)(e - k), k);
			}
		}
		return DB_DUPLICATE;
	}
	if (err == ER_LOCK_DEADLOCK || err == ER_LOCK_WAIT_TIMEOUT)
		return DB_DEADLOCK;
	if (is_conn_error(err)) {
		atomic_fetch_add(&conn_epoch, 1);
		depstate_fail(&dep, dbcfg.addr, text);
		conn_drop(c);
		c->retry_at = time(NULL) + 1;
		return DB_UNAVAILABLE;
	}
	log_error("worker %d: sql error %u: %s [%.80s]", w->index, err, text, sql);
	return DB_ERROR;
}

static unsigned slot_of(const char *sql)
{
	uintptr_t h = (uintptr_t)sql;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ull;
	return (unsigned)(h >> 40) % STMT_SLOTS;
}

/* A prepared statement for sql, from the cache or newly prepared. */
static enum db_rc stmt_get(struct worker *w, const char *sql, MYSQL_STMT **out)
{
	struct db_conn *c = w->db;
	MYSQL *my = conn_get(w);
	MYSQL_STMT *st;
	unsigned i, s;
	enum db_rc rc;

	*out = NULL;
	if (!my)
		return DB_UNAVAILABLE;
	s = slot_of(sql);
	for (i = 0; i < STMT_SLOTS; i++) {
		struct stmt_slot *sl = &c->slots[(s + i) % STMT_SLOTS];
		if (sl->sql == sql) {
			*out = sl->st;
			return DB_OK;
		}
		if (!sl->sql)
			break;
	}
	st = mysql_stmt_init(my);
	if (!st)
		return classify(w, mysql_errno(my), mysql_error(my), sql);
	if (mysql_stmt_prepare(st, sql, strlen(sql))) {
		rc = classify(w, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		mysql_stmt_close(st);
		return rc;
	}
	for (i = 0; i < STMT_SLOTS; i++) {
		struct stmt_slot *sl = &c->slots[(s + i) % STMT_SLOTS];
		if (!sl->sql) {
			sl->sql = sql;
			sl->st = st;
			break;
		}
	}
	/* A full cache would leak the handle; the program has far fewer statements. */
	if (i == STMT_SLOTS) {
		log_error("statement cache full; raise STMT_SLOTS");
		mysql_stmt_close(st);
		return DB_ERROR;
	}
	depstate_ok(&dep, dbcfg.addr);
	*out = st;
	return DB_OK;
}

static enum db_rc run_once(struct worker *w, const char *sql, const struct db_param *p, int n,
                           MYSQL_STMT **out)
{
	MYSQL_BIND bind[MAX_PARAMS];
	MYSQL_STMT *st;
	enum db_rc rc;
	int i;

	ASSERT_NOT_LOOP("mysql");
	if (n > MAX_PARAMS)
		return DB_ERROR;
	rc = stmt_get(w, sql, &st);
	if (rc != DB_OK)
		return rc;
	if ((int)mysql_stmt_param_count(st) != n) {
		log_error("sql expects %lu parameters, got %d [%.80s]", mysql_stmt_param_count(st),
		          n, sql);
		return DB_ERROR;
	}
	memset(bind, 0, sizeof(bind));
	for (i = 0; i < n; i++) {
		switch (p[i].t) {
		case DBP_I64:
			bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
			bind[i].buffer = (void *)&p[i].i;
			break;
		case DBP_STR:
			bind[i].buffer_type = MYSQL_TYPE_STRING;
			bind[i].buffer = (void *)p[i].s;
			bind[i].buffer_length = p[i].len;
			bind[i].length_value = p[i].len;
			bind[i].length = &bind[i].length_value;
			break;
		default:
			bind[i].buffer_type = MYSQL_TYPE_NULL;
			break;
		}
	}
	if (n && mysql_stmt_bind_param(st, bind))
		return classify(w, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
	if (mysql_stmt_execute(st)) {
		rc = classify(w, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		if (rc != DB_UNAVAILABLE)
			mysql_stmt_reset(st);
		return rc;
	}
	*out = st;
	return DB_OK;
}

static int is_read(const char *sql)
{
	while (*sql == ' ' || *sql == '\n' || *sql == '\t')
		sql++;
	return !strncasecmp(sql, "SELECT", 6) && !strcasestr(sql, "FOR UPDATE") &&
	       !strcasestr(sql, "LOCK IN SHARE MODE");
}

/*
 * A connection the server closed (KILL, wait_timeout, a restart) shows on
 * the next statement as CR_SERVER_GONE_ERROR (nothing was sent) or
 * CR_SERVER_LOST. Outside a transaction the statement is tried once more on
 * a new connection when that is harmless: always for SERVER_GONE, and for
 * SERVER_LOST only for a plain read, since a write may have run.
 */
static enum db_rc run(struct worker *w, const char *sql, const struct db_param *p, int n,
                      MYSQL_STMT **out)
{
	struct db_conn *c = w->db;
	int had_conn = c->my != NULL;
	enum db_rc rc;

	c->last_errno = 0;
	rc = run_once(w, sql, p, n, out);

	if (rc == DB_UNAVAILABLE && had_conn && !c->in_txn &&
	    (c->last_errno == CR_SERVER_GONE_ERROR ||
	     (c->last_errno == CR_SERVER_LOST && is_read(sql)))) {
		c->retry_at = 0;
		rc = run_once(w, sql, p, n, out);
	}
	return rc;
}

enum db_rc db_exec(struct worker *w, const char *sql, const struct db_param *p, int n,
                   uint64_t *affected, uint64_t *insert_id)
{
	MYSQL_STMT *st;
	enum db_rc rc = run(w, sql, p, n, &st);

	if (rc != DB_OK)
		return rc;
	if (affected)
		*affected = mysql_stmt_affected_rows(st);
	if (insert_id)
		*insert_id = mysql_stmt_insert_id(st);
	mysql_stmt_free_result(st);
	return DB_OK;
}

struct growbuf {
	char *p;
	size_t len, cap;
};

static int grow_append(struct growbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;
		char *q;
		while (cap < b->len + n + 1)
			cap *= 2;
		q = realloc(b->p, cap);
		if (!q)
			return -1;
		b->p = q;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len++] = '\0';
	return 0;
}

enum db_rc db_query(struct worker *w, const char *sql, const struct db_param *p, int n,
                    struct db_res *res)
{
	MYSQL_BIND bind[MAX_COLS];
	char bufs[MAX_COLS][CELL_BUF];
	unsigned long lens[MAX_COLS];
	my_bool nulls[MAX_COLS], errs[MAX_COLS];
	struct growbuf gb = {0};
	size_t *offs = NULL, noffs = 0, capoffs = 0;
	MYSQL_STMT *st;
	int ncols, i, r, fr;
	enum db_rc rc;

	memset(res, 0, sizeof(*res));
	rc = run(w, sql, p, n, &st);
	if (rc != DB_OK)
		return rc;
	ncols = (int)mysql_stmt_field_count(st);
	if (ncols > MAX_COLS) {
		mysql_stmt_free_result(st);
		return DB_ERROR;
	}
	if (mysql_stmt_store_result(st)) {
		rc = classify(w, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		goto out;
	}
	memset(bind, 0, sizeof(bind));
	for (i = 0; i < ncols; i++) {
		bind[i].buffer_type = MYSQL_TYPE_STRING;
		bind[i].buffer = bufs[i];
		bind[i].buffer_length = CELL_BUF;
		bind[i].length = &lens[i];
		bind[i].is_null = &nulls[i];
		bind[i].error = &errs[i];
	}
	if (ncols && mysql_stmt_bind_result(st, bind)) {
		rc = classify(w, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
		goto out;
	}
	for (r = 0; ncols; r++) {
		fr = mysql_stmt_fetch(st);
		if (fr == MYSQL_NO_DATA)
			break;
		if (fr == 1) {
			rc = classify(w, mysql_stmt_errno(st), mysql_stmt_error(st), sql);
			goto out;
		}
		for (i = 0; i < ncols; i++) {
			size_t off = gb.len;
			if (noffs == capoffs) {
				size_t nc = capoffs ? capoffs * 2 : 64;
				size_t *q = realloc(offs, nc * sizeof(*q));
				if (!q) {
					rc = DB_ERROR;
					goto out;
				}
				offs = q;
				capoffs = nc;
			}
			if (nulls[i]) {
				offs[noffs++] = (size_t)-1;
				continue;
			}
			if (lens[i] > CELL_BUF) {
				/* Truncated: fetch the whole cell into the result buffer. */
				MYSQL_BIND big;
				char *tmp = malloc(lens[i] + 1);
				unsigned long blen = lens[i];
				if (!tmp) {
					rc = DB_ERROR;
					goto out;
				}
				memset(&big, 0, sizeof(big));
				big.buffer_type = MYSQL_TYPE_STRING;
				big.buffer = tmp;
				big.buffer_length = blen + 1;
				big.length = &blen;
				if (mysql_stmt_fetch_column(st, &big, (unsigned)i, 0) ||
				    grow_append(&gb, tmp, blen) < 0) {
					free(tmp);
					rc = DB_ERROR;
					goto out;
				}
				free(tmp);
			} else if (grow_append(&gb, bufs[i], lens[i]) < 0) {
				rc = DB_ERROR;
				goto out;
			}
			offs[noffs++] = off;
		}
	}
	res->nrows = ncols ? r : 0;
	res->ncols = ncols;
	if (noffs) {
		res->cells = calloc(noffs, sizeof(char *));
		if (!res->cells) {
			rc = DB_ERROR;
			goto out;
		}
		for (size_t k = 0; k < noffs; k++)
			res->cells[k] = offs[k] == (size_t)-1 ? NULL : gb.p + offs[k];
		res->blob = gb.p;
		gb.p = NULL;
	}
	rc = DB_OK;
out:
	free(offs);
	free(gb.p);
	if (w->db->my)
		mysql_stmt_free_result(st);
	if (rc != DB_OK) {
		free(res->cells);
		memset(res, 0, sizeof(*res));
	}
	return rc;
}

void db_res_release(struct db_res *res)
{
	if (!res)
		return;
	free(res->cells);
	free(res->blob);
	memset(res, 0, sizeof(*res));
}

const char *db_cell(const struct db_res *res, int row, int col)
{
	if (row < 0 || row >= res->nrows || col < 0 || col >= res->ncols)
		return NULL;
	return res->cells[row * res->ncols + col];
}

int64_t db_cell_i64(const struct db_res *res, int row, int col)
{
	const char *s = db_cell(res, row, col);

	return s ? strtoll(s, NULL, 10) : 0;
}

const char *db_cell_str(const struct db_res *res, int row, int col)
{
	const char *s = db_cell(res, row, col);

	return s ? s : "";
}

void db_cell_copy(char *dst, size_t dstlen, const struct db_res *res, int row, int col)
{
	snprintf(dst, dstlen, "%s", db_cell_str(res, row, col));
}

static size_t row_size(const struct db_col *cols)
{
	while (cols->t != DBC_END)
		cols++;
	return cols->size;
}

void db_row_read(const struct db_res *res, int row, const struct db_col *cols, void *out)
{
	const struct db_col *c;
	char *o = out;
	int i;

	memset(out, 0, row_size(cols));
	for (i = 0; cols[i].t != DBC_END && i < res->ncols; i++) {
		c = &cols[i];
		if (c->t == DBC_I64)
			*(int64_t *)(void *)(o + c->off) = db_cell_i64(res, row, i);
		else if (c->t == DBC_INT)
			*(int *)(void *)(o + c->off) = (int)db_cell_i64(res, row, i);
		else
			db_cell_copy(o + c->off, c->size, res, row, i);
	}
}

enum db_rc db_first_row(enum db_rc rc, struct db_res *res, const struct db_col *cols, void *out,
                        int *found)
{
	*found = 0;
	if (rc != DB_OK)
		return rc;
	if (res->nrows > 0) {
		db_row_read(res, 0, cols, out);
		*found = 1;
	}
	db_res_release(res);
	return DB_OK;
}

enum db_rc db_all_rows(enum db_rc rc, struct db_res *res, const struct db_col *cols, void **rows,
                       int *n)
{
	size_t size = row_size(cols);
	char *a;
	int i;

	*rows = NULL;
	*n = 0;
	if (rc != DB_OK)
		return rc;
	if (res->nrows > 0) {
		a = calloc((size_t)res->nrows, size);
		if (!a) {
			db_res_release(res);
			return DB_ERROR;
		}
		for (i = 0; i < res->nrows; i++)
			db_row_read(res, i, cols, a + (size_t)i * size);
		*rows = a;
		*n = res->nrows;
	}
	db_res_release(res);
	return DB_OK;
}

enum db_rc db_any_row(enum db_rc rc, struct db_res *res, int *yes)
{
	*yes = 0;
	if (rc != DB_OK)
		return rc;
	*yes = res->nrows > 0;
	db_res_release(res);
	return DB_OK;
}

static const struct db_col id_cols[] = {{DBC_I64, 0, sizeof(int64_t)}, DB_END(int64_t)};

enum db_rc db_id_column(enum db_rc rc, struct db_res *res, int64_t **ids, int *n)
{
	void *v = NULL;

	rc = db_all_rows(rc, res, id_cols, &v, n);
	*ids = v;
	return rc;
}

enum db_rc db_get_row(struct worker *w, const char *sql, const struct db_param *p, int n,
                      const struct db_col *cols, void *out, int *found)
{
	struct db_res res;

	return db_first_row(db_query(w, sql, p, n, &res), &res, cols, out, found);
}

enum db_rc db_get_rows(struct worker *w, const char *sql, const struct db_param *p, int n,
                       const struct db_col *cols, void **rows, int *nrows)
{
	struct db_res res;

	return db_all_rows(db_query(w, sql, p, n, &res), &res, cols, rows, nrows);
}

enum db_rc db_get_ids(struct worker *w, const char *sql, const struct db_param *p, int n,
                      int64_t **ids, int *nids)
{
	struct db_res res;

	return db_id_column(db_query(w, sql, p, n, &res), &res, ids, nids);
}

enum db_rc db_get_any(struct worker *w, const char *sql, const struct db_param *p, int n, int *yes)
{
	struct db_res res;

	return db_any_row(db_query(w, sql, p, n, &res), &res, yes);
}

enum db_rc db_get_count(struct worker *w, const char *sql, const struct db_param *p, int n,
                        int64_t *count)
{
	struct db_res res;
	enum db_rc rc;

	*count = 0;
	rc = db_query(w, sql, p, n, &res);
	if (rc != DB_OK)
		return rc;
	*count = db_cell_i64(&res, 0, 0);
	db_res_release(&res);
	return DB_OK;
}

enum db_rc db_get_page(struct worker *w, const char *count_sql, const struct db_param *cp, int cn,
                       const char *sql, const struct db_param *p, int n, int64_t offset,
                       const struct db_col *cols, void **rows, int *nrows, int64_t *total)
{
	enum db_rc rc;

	*rows = NULL;
	*nrows = 0;
	rc = db_get_count(w, count_sql, cp, cn, total);
	if (rc != DB_OK || *total <= offset)
		return rc;
	return db_get_rows(w, sql, p, n, cols, rows, nrows);
}

static enum db_rc simple(struct worker *w, const char *what)
{
	MYSQL *my;

	ASSERT_NOT_LOOP("mysql");
	my = conn_get(w);
	if (!my)
		return DB_UNAVAILABLE;
	if (mysql_query(my, what))
		return classify(w, mysql_errno(my), mysql_error(my), what);
	return DB_OK;
}

enum db_rc db_begin(struct worker *w)
{
	struct db_conn *c = w->db;
	enum db_rc rc;

	/* Nothing has run yet: a connection found gone may be replaced once. */
	c->last_errno = 0;
	rc = simple(w, "START TRANSACTION");
	if (rc == DB_UNAVAILABLE && c->last_errno == CR_SERVER_GONE_ERROR) {
		c->retry_at = 0;
		rc = simple(w, "START TRANSACTION");
	}
	c->in_txn = rc == DB_OK;
	return rc;
}

enum db_rc db_commit(struct worker *w)
{
	w->db->in_txn = 0;
	return simple(w, "COMMIT");
}

void db_rollback(struct worker *w)
{
	w->db->in_txn = 0;
	if (w->db->my)
		simple(w, "ROLLBACK");
}

const char *db_dup_key(struct worker *w)
{
	return w->db->dup_key;
}

enum db_rc db_ping(struct worker *w)
{
	MYSQL *my;

	ASSERT_NOT_LOOP("mysql");
	my = conn_get(w);
	if (!my)
		return DB_UNAVAILABLE;
	if (mysql_ping(my)) {
		classify(w, CR_SERVER_GONE_ERROR, mysql_error(my), "ping");
		return DB_UNAVAILABLE;
	}
	return DB_OK;
}

enum db_rc db_exec_script(struct worker *w, const char *sql_text)
{
	char msg[400];
	MYSQL *my;
	enum db_rc rc = DB_OK;
	int status;

	ASSERT_NOT_LOOP("mysql");
	/* Its own connection: multi-statements stay off on the workers' handles. */
	my = connect_new(CLIENT_MULTI_STATEMENTS, msg, sizeof(msg));
	if (!my) {
		log_error("%s", msg);
		return DB_UNAVAILABLE;
	}
	if (mysql_query(my, sql_text)) {
		log_error("migration failed: %s", mysql_error(my));
		rc = DB_ERROR;
		goto out;
	}
	do {
		MYSQL_RES *r = mysql_store_result(my);
		if (r)
			mysql_free_result(r);
		status = mysql_next_result(my);
		if (status > 0) {
			log_error("migration failed: %s", mysql_error(my));
			rc = DB_ERROR;
			goto out;
		}
	} while (status == 0);
out:
	mysql_close(my);
	return rc;
}
