/*
 * seatpub.h: the publications a payment makes after its MySQL commit
 * (COMMON contract, spec 6):
 *   - seat changes: one Lua script INCRs REDIS_PREFIX "seatver:<id>" by one
 *     and PUBLISHes on "boxoffice:seats:<id>" the text
 *     {"screeningId":N,"version":V,"changes":[{"seat":"C7","state":"s"},...]}
 *     with V the version after the change;
 *   - order status: PUBLISH on "boxoffice:orders"
 *     {"orderId":N,"uid":U,"cashierId":C,"status":S,"statusText":"..."}.
 * Best effort: Redis down is logged (clients re-read the seat map; the
 * version still only moves forward). Worker and consumer threads.
 */
#ifndef BOXOFFICE_CACHE_SEATPUB_H
#define BOXOFFICE_CACHE_SEATPUB_H

#include <stdint.h>

struct worker;

#define SEATPUB_SEATS_CHANNEL "boxoffice:seats:"
#define SEATPUB_ORDERS_CHANNEL "boxoffice:orders"

/*
 * Publish that seats[i] of screening sid are now in state states[i] (one
 * of the letters of /screening/seats). Drops the cached seat map too.
 * Returns the new version, or -1 (logged).
 */
int64_t seatpub_change(struct worker *w, int64_t sid, const char *const *seats, const char *states,
                       int n);
/* Publish an order's new status. Returns 0 or -1 (logged). */
int seatpub_order(struct worker *w, int64_t oid, int64_t uid, int64_t cashier_id, int status);

#endif
