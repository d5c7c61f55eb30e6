/*
 * svc_refund.h: refunds and order search (spec 4.6 /order/refund,
 * /order/search) and the refund sweeper: a thread that sends pending
 * online refunds to the payment provider (POST paysim_url/api/refund,
 * signed like callbacks) until it accepts them, and settles the paid
 * orders that a cancelled screening left with refund_pending = 1.
 * An online refund is pending (the order shows refundPending: 1) until the
 * provider confirmed it; cash and card refunds at the counter are done at
 * once, cash back recorded on a shift.
 */
#ifndef BOXOFFICE_SVC_SVC_REFUND_H
#define BOXOFFICE_SVC_SVC_REFUND_H

#include <stdint.h>

#include "core/req.h"
#include "store/db.h"

struct worker;
struct pay_order;
struct pay_row;

/*
 * Inside the caller's transaction: record the refund of paid pay p (of
 * order o) by actor (0: the system) for reason, cash back on shift_id (0:
 * none). Online: a pending refund for the sweeper (*pending = 1). At the
 * counter: done now, the pay refunded (*pending = 0).
 */
enum db_rc refund_record(struct worker *w, const struct pay_order *o, const struct pay_row *p,
                         int64_t actor, const char *reason, int64_t shift_id, int *pending);

/* Wake the sweeper now (after a commit that left work for it). Any thread. */
void refund_kick(void);
/* Start / stop the sweeper thread (main thread; start after kq_start). */
int refund_sweeper_start(void);
void refund_sweeper_stop(void);

#endif
