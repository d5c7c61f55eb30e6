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

struct worker;
struct pay_ticket;

#define PAY_MSG_CALLBACK "payment.callback"
#define PAY_MSG_COUNTER "payment.counter"
/* How far a callback's ts may be from the server's clock (spec 4.7). */
#define PAY_TS_WINDOW 300

extern const struct route pay_routes[];

/* Register the payment consumer's handlers (before kq_start). */
void pay_register_consumers(void);

/*
 * After a commit: publish that the seated tickets t[0..n) of screening sid
 * are now sold (sold 1) or free again (sold 0: 'f', or 'b' for a house
 * seat). Best effort.
 */
void pay_publish_seats(struct worker *w, int64_t sid, const struct pay_ticket *t, int n, int sold);

/* hex(HMAC-SHA256(key, data)) into out (65 bytes). Returns 0 or -1. */
int pay_sign(const char *key, const char *data, size_t len, char out[65]);

#endif
