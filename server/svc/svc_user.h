/*
 * svc_user.h: the user service of spec 4.1 (codes, registration, login,
 * tokens, profile, password, admin user management) and the auth rules of
 * spec section 3 that need the users table.
 *
 * The dispatcher runs the generic checks (method, size, JSON, token
 * signature, role flags) and calls user_auth_check for every token before a
 * handler runs. Handlers run on worker threads.
 */
#ifndef BOXOFFICE_SVC_SVC_USER_H
#define BOXOFFICE_SVC_SVC_USER_H

#include <stdint.h>

#include "proto_error.h"
#include "core/req.h"

struct worker;

/*
 * Create the first admin from "mobile:password" (setting bootstrap_admin)
 * unless an admin exists already. Returns 0 (created, or nothing to do) or
 * -1 (malformed setting, mobile used by a non-admin, database failure;
 * logged). Start-up, on a worker context.
 */
int user_bootstrap_admin(struct worker *w, const char *mobile_colon_password);

/*
 * Check a verified token's user against the users table: PROTO_OK and
 * a->role set to the user's current role (the table wins over the token);
 * PROTO_ERR_TOKEN_EXPIRED when the user is gone, disabled, or token_tv is not
 * its current token version; PROTO_ERR_UNAVAILABLE when MySQL is down;
 * PROTO_ERR_INTERNAL on another database failure (logged).
 */
enum proto_err user_auth_check(struct worker *w, struct auth *a, int64_t token_tv);

#endif
