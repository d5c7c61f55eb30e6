/*
 * store_user.h: the users table (spec 4.1), the only code with SQL about
 * users. Rows come back as plain structs; no JSON here. Every function runs
 * prepared statements on the worker's connection and returns its enum db_rc
 * (DB_UNAVAILABLE when MySQL cannot be reached). Worker threads only.
 *
 * A user's type is its role (enum proto_role); tv is the token version,
 * bumped by a password change and by disabling, so older tokens stop working.
 */
#ifndef BOXOFFICE_STORE_STORE_USER_H
#define BOXOFFICE_STORE_STORE_USER_H

#include <stdint.h>

#include "store/db.h"

struct worker;

/* Column sizes in bytes (VARCHAR(n) of utf8mb4 holds up to 4n bytes). */
#define STORE_USER_NAME_MAX (100 * 4)
#define STORE_USER_MOBILE_MAX 20
#define STORE_USER_EMAIL_MAX (254 * 4)
#define STORE_USER_PASSWORD_MAX 200

struct user_row {
	int64_t id;
	char name[STORE_USER_NAME_MAX + 1];
	int gender;
	char mobile[STORE_USER_MOBILE_MAX + 1];
	char email[STORE_USER_EMAIL_MAX + 1];
	char password[STORE_USER_PASSWORD_MAX + 1]; /* PHC string; "" in lists */
	int type;
	int64_t tv;
	int disabled;
	int64_t create_time;
	int64_t update_time;
};

/*
 * Changes of /user/update/info: NULL strings and a negative gender are left
 * unchanged; everything else is set ("" included, validated by the caller).
 */
struct user_patch {
	const char *name;
	int gender;
	const char *mobile;
	const char *email;
};

/*
 * Insert u (id, name, gender, mobile, email, password, type; tv 0, enabled,
 * times now). DB_DUPLICATE for a used mobile or email: db_dup_key() says
 * which ("uniq_mobile", "uniq_email").
 */
enum db_rc store_user_insert(struct worker *w, const struct user_row *u);

/* One user by id, by mobile or by email. *found is 1 (and *out filled) or 0. */
enum db_rc store_user_get(struct worker *w, int64_t id, struct user_row *out, int *found);
enum db_rc store_user_by_mobile(struct worker *w, const char *mobile, struct user_row *out,
                                int *found);
enum db_rc store_user_by_email(struct worker *w, const char *email, struct user_row *out,
                               int *found);

/* *taken = 1 when a user other than except_id (0: none) has this mobile/email. */
enum db_rc store_user_mobile_taken(struct worker *w, const char *mobile, int64_t except_id,
                                   int *taken);
enum db_rc store_user_email_taken(struct worker *w, const char *email, int64_t except_id,
                                  int *taken);

/* *exists = 1 when at least one user has the admin type. */
enum db_rc store_user_admin_exists(struct worker *w, int *exists);

/*
 * Inside a transaction: lock the rows of every admin (FOR UPDATE, in index
 * order, so concurrent admin changes run one after another without a
 * deadlock). *enabled counts the enabled ones; *id_enabled says whether user
 * id is one of them.
 */
enum db_rc store_user_lock_admins(struct worker *w, int64_t id, int *enabled, int *id_enabled);

/* Apply p to user id. DB_DUPLICATE as for insert. */
enum db_rc store_user_update_info(struct worker *w, int64_t id, const struct user_patch *p);
/* Store a new password hash and bump tv. */
enum db_rc store_user_set_password(struct worker *w, int64_t id, const char *hash);
/* Set disabled (0/1); disabling also bumps tv. */
enum db_rc store_user_set_disabled(struct worker *w, int64_t id, int disabled);

/*
 * A page of users ordered by id, optionally only one type (type < 0: all).
 * On DB_OK *rows is a malloc'd array of *n rows (free() it; NULL when
 * *n is 0), password left empty, and *total counts every matching user.
 */
enum db_rc store_user_list(struct worker *w, int type, int64_t offset, int64_t limit,
                           struct user_row **rows, int *n, int64_t *total);

#endif
