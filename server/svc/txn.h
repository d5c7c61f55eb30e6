/*
 * txn.h: what every service handler does with the database the same way:
 * turn a storage failure into the answer (503 with Retry-After when MySQL
 * is unreachable or a deadlock outlived its retries, 500 otherwise), and run
 * a write inside one transaction, retried after a deadlock, and record it in
 * the audit log inside that transaction. Every write of a service goes
 * through txn_run. Worker threads.
 */
#ifndef BOXOFFICE_SVC_TXN_H
#define BOXOFFICE_SVC_TXN_H

#include "proto_error.h"
#include "core/req.h"
#include "store/db.h"

#define TXN_TRIES 3

/*
 * The error for a storage failure rc (not DB_OK) where there is no request
 * to fill in (cache loaders): 503 when MySQL is unreachable, else 500.
 */
enum proto_err txn_err(enum db_rc rc);

/* The answer for a storage failure rc (not DB_OK); fills r's message. */
enum proto_err txn_fail(struct req *r, enum db_rc rc);

/*
 * The body of a transaction: returns PROTO_OK to commit; on a storage
 * failure it sets *db (then its return value is ignored); any other error
 * rolls back and is answered as is.
 */
typedef enum proto_err (*txn_fn)(struct req *r, void *arg, enum db_rc *db);

/* Run fn in a transaction, up to TXN_TRIES times while it deadlocks. */
enum proto_err txn_run(struct req *r, txn_fn fn, void *arg);

/*
 * Inside a txn_fn: record that the caller did action to kind:id (e.g.
 * "film", 42) with detail (may be NULL), in the same transaction as the
 * change. Returns DB_OK or the failure; use it as TXN_TRY(txn_audit(...)).
 */
enum db_rc txn_audit(struct req *r, const char *action, const char *kind, int64_t id,
                     const char *detail);
/*
 * txn_audit for a transaction without a request (consumers, sweepers):
 * actor is the user id the row names, 0 for the system.
 */
enum db_rc txn_audit_by(struct worker *w, int64_t actor, const char *action, const char *kind,
                        int64_t id, const char *detail);

/* Inside a txn_fn: stop on a storage failure, handing it to txn_run. */
#define TXN_TRY(x)                                 \
	do {                                       \
		enum db_rc rc_ = (x);              \
		if (rc_ != DB_OK) {                \
			*db = rc_;                 \
			return PROTO_ERR_INTERNAL; \
		}                                  \
	} while (0)

#endif
