/*
 * store_audit.h: the audit trail of spec 4.11: every admin and cashier
 * write, refund and check-in. Worker threads only.
 */
#ifndef BOXOFFICE_STORE_AUDIT_H
#define BOXOFFICE_STORE_AUDIT_H

#include <stdint.h>

#include "store/db.h"

struct worker;

/*
 * Record one action; target like "film:123". Runs on the worker's
 * connection, so inside the caller's transaction if one is open.
 * Returns DB_OK or the failure (logged); services call it through
 * txn_audit (svc/txn.h), which fails the transaction with it.
 */
enum db_rc audit_log(struct worker *w, int64_t actor, const char *action, const char *target,
                     const char *detail);

#endif
