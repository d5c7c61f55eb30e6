/* txn.c: see txn.h. */
#include "svc/txn.h"

#include <inttypes.h>
#include <stdio.h>

#include "store/store_audit.h"

enum proto_err txn_err(enum db_rc rc)
{
	return rc == DB_UNAVAILABLE ? PROTO_ERR_UNAVAILABLE : PROTO_ERR_INTERNAL;
}

enum proto_err txn_fail(struct req *r, enum db_rc rc)
{
	/* The dispatcher adds Retry-After: 1 to every 503. */
	if (rc == DB_UNAVAILABLE || rc == DB_DEADLOCK)
		return req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "database unavailable, retry later");
	return PROTO_ERR_INTERNAL;
}

enum proto_err txn_run(struct req *r, txn_fn fn, void *arg)
{
	enum proto_err e = PROTO_ERR_INTERNAL;
	enum db_rc db = DB_OK;
	int i;

	for (i = 0; i < TXN_TRIES; i++) {
		db = db_begin(r->w);
		if (db != DB_OK)
			return txn_fail(r, db);
		e = fn(r, arg, &db);
		if (e == PROTO_OK && db == DB_OK) {
			db = db_commit(r->w);
			if (db == DB_OK)
				return PROTO_OK;
		}
		db_rollback(r->w);
		if (db == DB_OK)
			return e;
		if (db != DB_DEADLOCK)
			return txn_fail(r, db);
	}
	return txn_fail(r, db);
}

enum db_rc txn_audit_by(struct worker *w, int64_t actor, const char *action, const char *kind,
                        int64_t id, const char *detail)
{
	char target[64];

	snprintf(target, sizeof(target), "%s:%" PRId64, kind, id);
	return audit_log(w, actor, action, target, detail ? detail : "");
}

enum db_rc txn_audit(struct req *r, const char *action, const char *kind, int64_t id,
                     const char *detail)
{
	return txn_audit_by(r->w, r->auth.uid, action, kind, id, detail);
}
