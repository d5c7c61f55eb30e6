/*
 * expiry.h: the sell sweeper, one thread per daemon:
 *   - after a Redis start or FLUSHALL (the key HOLDS_READY_KEY is missing)
 *     it rebuilds the seat markers of live tickets from MySQL (unpaid and
 *     paid orders of screenings not over), raises each screening's version,
 *     then sets the key; holds answer 503 until then;
 *   - holds whose hold_ttl passed are freed (cache/holds.h HOLDS_EXPIRE);
 *   - unpaid orders whose expireAt passed become invalid, reason
 *     "expired", seats freed (svc_order.h order_expire).
 * It wakes every EXPIRY_PERIOD_MS on a condition variable (no busy
 * polling); several daemons may sweep at once: every step is a guarded
 * update or an atomic script. Start and stop from main only.
 */
#ifndef BOXOFFICE_SVC_EXPIRY_H
#define BOXOFFICE_SVC_EXPIRY_H

#define EXPIRY_PERIOD_MS 500

/* Start the sweeper thread. Returns 0 or -1 (logged). */
int expiry_start(void);
/* Stop and join it. */
void expiry_stop(void);

#endif
