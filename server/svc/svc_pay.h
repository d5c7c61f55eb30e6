/*
 * svc_pay.h: payments (spec 4.7): /pay/create (online through the payment
 * provider's payUrl, or at the counter in cash or by card within an open
 * shift), /pay/detail, /pay/callback (the provider's signed callback,
 * queued as payment.callback), and the payment consumer that applies
 * payment.callback and payment.counter in one transaction each: pay and
 * order paid, tickets issued with random codes, seats sold; a late payment
 * sells the seats again when they are all still free, else it is refunded.
 */
#ifndef BOXOFFICE_SVC_SVC_PAY_H
#define BOXOFFICE_SVC_SVC_PAY_H

#include <stdint.h>

#include "core/req.h"
#include "svc/pay_verify.h" /* pay_sign, PAY_TS_WINDOW */

struct worker;
struct pay_ticket;

#define PAY_MSG_CALLBACK "payment.callback"
#define PAY_MSG_COUNTER "payment.counter"

/* Register the payment consumer's handlers (before kq_start). */
void pay_register_consumers(void);

/* What happened to an order's seats, for pay_publish_seats. */
enum pay_seats {
	PAY_SEATS_SOLD,   /* its reserved tickets were issued */
	PAY_SEATS_RESOLD, /* a late payment took its freed seats again */
	PAY_SEATS_FREE,   /* refunded: the seats are free again */
};

/*
 * After a commit: the Redis side of order oid's seated tickets t[0..n) of
 * screening sid (the ticket markers of cache/holds.h and the published
 * seat change, through the selling branch's scripts). Best effort.
 */
void pay_publish_seats(struct worker *w, int64_t sid, int64_t oid, const struct pay_ticket *t,
                       int n, enum pay_seats what);

#endif
