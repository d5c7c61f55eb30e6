#include "store/store_user.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "proto_wire.h"

/* Every SELECT of a whole row lists the columns in this order. */
#define USER_COLUMNS                                                                   \
	"id, name, gender, mobile, email, password, type, tv, disabled, create_time, " \
	"update_time"

static const struct db_col row_cols[] = {DB_COLS(struct user_row, id, name, gender, mobile, email,
                                                 password, type, tv, disabled, create_time,
                                                 update_time)};

enum db_rc store_user_insert(struct worker *w, const struct user_row *u)
{
	int64_t now = (int64_t)time(NULL);

	return db_exec(
	    w,
	    "INSERT INTO users (id, name, gender, mobile, email, password, type, tv, "
	    "disabled, create_time, update_time) VALUES (?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)",
	    DB_PARAMS(DB_I64(u->id), DB_STR(u->name), DB_I64(u->gender), DB_STR(u->mobile),
	              DB_STR(u->email), DB_STR(u->password), DB_I64(u->type), DB_I64(now),
	              DB_I64(now)),
	    NULL, NULL);
}

enum db_rc store_user_get(struct worker *w, int64_t id, struct user_row *out, int *found)
{
	return db_get_row(w, "SELECT " USER_COLUMNS " FROM users WHERE id = ?",
	                  DB_PARAMS(DB_I64(id)), row_cols, out, found);
}

enum db_rc store_user_by_mobile(struct worker *w, const char *mobile, struct user_row *out,
                                int *found)
{
	return db_get_row(w, "SELECT " USER_COLUMNS " FROM users WHERE mobile = ?",
	                  DB_PARAMS(DB_STR(mobile)), row_cols, out, found);
}

enum db_rc store_user_by_email(struct worker *w, const char *email, struct user_row *out,
                               int *found)
{
	return db_get_row(w, "SELECT " USER_COLUMNS " FROM users WHERE email = ?",
	                  DB_PARAMS(DB_STR(email)), row_cols, out, found);
}

enum db_rc store_user_mobile_taken(struct worker *w, const char *mobile, int64_t except_id,
                                   int *taken)
{
	return db_get_any(w, "SELECT id FROM users WHERE mobile = ? AND id <> ? LIMIT 1",
	                  DB_PARAMS(DB_STR(mobile), DB_I64(except_id)), taken);
}

enum db_rc store_user_email_taken(struct worker *w, const char *email, int64_t except_id,
                                  int *taken)
{
	return db_get_any(w, "SELECT id FROM users WHERE email = ? AND id <> ? LIMIT 1",
	                  DB_PARAMS(DB_STR(email), DB_I64(except_id)), taken);
}

enum db_rc store_user_admin_exists(struct worker *w, int *exists)
{
	return db_get_any(w, "SELECT id FROM users WHERE type = ? LIMIT 1",
	                  DB_PARAMS(DB_I64(PROTO_ROLE_ADMIN)), exists);
}

enum db_rc store_user_lock_admins(struct worker *w, int64_t id, int *enabled, int *id_enabled)
{
	struct db_res res;
	enum db_rc rc;
	int i;

	*enabled = 0;
	*id_enabled = 0;
	rc = db_query(w, "SELECT id, disabled FROM users WHERE type = ? ORDER BY id FOR UPDATE",
	              DB_PARAMS(DB_I64(PROTO_ROLE_ADMIN)), &res);
	if (rc != DB_OK)
		return rc;
	for (i = 0; i < res.nrows; i++) {
		if (db_cell_i64(&res, i, 1) != 0)
			continue;
		(*enabled)++;
		if (db_cell_i64(&res, i, 0) == id)
			*id_enabled = 1;
	}
	db_res_release(&res);
	return DB_OK;
}

enum db_rc store_user_update_info(struct worker *w, int64_t id, const struct user_patch *p)
{
	/* A NULL parameter keeps the column: COALESCE(NULL, col) = col. */
	return db_exec(w,
	               "UPDATE users SET name = COALESCE(?, name), gender = COALESCE(?, gender), "
	               "mobile = COALESCE(?, mobile), email = COALESCE(?, email), "
	               "update_time = ? WHERE id = ?",
	               DB_PARAMS(p->name ? DB_STR(p->name) : DB_NULL,
	                         p->gender >= 0 ? DB_I64(p->gender) : DB_NULL,
	                         p->mobile ? DB_STR(p->mobile) : DB_NULL,
	                         p->email ? DB_STR(p->email) : DB_NULL, DB_I64(time(NULL)),
	                         DB_I64(id)),
	               NULL, NULL);
}

enum db_rc store_user_set_password(struct worker *w, int64_t id, const char *hash)
{
	return db_exec(w,
	               "UPDATE users SET password = ?, tv = tv + 1, update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_STR(hash), DB_I64(time(NULL)), DB_I64(id)), NULL, NULL);
}

enum db_rc store_user_set_disabled(struct worker *w, int64_t id, int disabled)
{
	return db_exec(w,
	               "UPDATE users SET disabled = ?, tv = tv + ?, update_time = ? WHERE id = ?",
	               DB_PARAMS(DB_I64(disabled ? 1 : 0), DB_I64(disabled ? 1 : 0),
	                         DB_I64(time(NULL)), DB_I64(id)),
	               NULL, NULL);
}

enum db_rc store_user_list(struct worker *w, int type, int64_t offset, int64_t limit,
                           struct user_row **rows, int *n, int64_t *total)
{
	return db_get_page(
	    w, "SELECT COUNT(*) FROM users WHERE (? < 0 OR type = ?)",
	    DB_PARAMS(DB_I64(type), DB_I64(type)),
	    "SELECT id, name, gender, mobile, email, '', type, tv, disabled, create_time, "
	    "update_time FROM users WHERE (? < 0 OR type = ?) ORDER BY id LIMIT ? OFFSET ?",
	    DB_PARAMS(DB_I64(type), DB_I64(type), DB_I64(limit), DB_I64(offset)), offset, row_cols,
	    (void **)rows, n, total);
}
