/*
 * svc_order.h: orders of spec 4.6 (create, detail, list, paid list,
 * remove, update) and the order consumer of spec 5 (order.requested,
 * order.cancel).
 *
 * Rules beyond the table of 4.6:
 *   - /order/create answers status 4 (pending) once order.requested is
 *     acknowledged by the broker (else 503 and nothing changed: a message
 *     librdkafka still delivers after the timeout finds a Redis marker and
 *     is written invalid, reason "not_queued", without tickets or stock). Until the
 *     consumer writes the order to MySQL it lives in Redis as a pending
 *     record (cache/holds.h), which /order/detail and /order/list show;
 *     the consumer deletes the record after its commit. The pending order
 *     owns its hold from the start (the hold is "claimed": release refuses
 *     it, the sweeper leaves it), so nobody can take the seats in between;
 *   - seated: "holdId" (the caller's hold, or any hold for staff; another
 *     customer's is 404), "items" covering exactly the held seats, each
 *     {"seat","ticketType"} (ticketType defaults to "adult"; an unknown
 *     type or seat is 400 invalid_field "items"). A hold that is gone or
 *     expired is 410 hold_expired; a hold already ordered is 409 conflict
 *     "ordered"; a cancelled or started screening is 409 conflict
 *     "cancelled" / "started";
 *   - general admission: "fid" (a film with isSelectSeat 0, else 400
 *     invalid_field "fid"), "quantity" 1..10 (default 1). The stock is a
 *     Redis counter (REDIS_PREFIX "stock:<fid>", loaded from films.stock,
 *     60 s lifetime so admin changes show) decremented atomically: short is
 *     409 conflict "sold_out"; the consumer's guarded UPDATE of films.stock
 *     is the final guard (short there: the order becomes invalid, reason
 *     "sold_out");
 *   - prices: svc/pricing.c, from the screening's prices and discounts (the
 *     film's amount for general admission); amount = sum of the items;
 *   - expireAt: the hold's expiry plus grace (general admission: now +
 *     hold_ttl + grace). Staff orders carry cashierId = the staff user;
 *   - "idempotencyKey" (1..100 characters): the first answer is kept 24 h
 *     under REDIS_PREFIX "idem:<uid>:<key>" and repeated as is; a repeat
 *     while the first is still being answered is 409 conflict
 *     "in_progress"; MySQL's UNIQUE(uid, idempotency_key) is the final guard;
 *   - consumer: one transaction per message (kq.c); the unique key on live
 *     tickets refuses a seat sold meanwhile: the order is written invalid,
 *     reason "seat_taken", and its hold freed. After the commit the seats'
 *     Redis state and the order status are published (COMMON contract);
 *   - /order/remove (owner or staff): an unpaid order is cancelled in one
 *     transaction (invalid, reason "cancelled", tickets void, seats freed
 *     after the commit); a pending one through order.cancel on the same
 *     partition, applied right after its order.requested; paid or refunded:
 *     409 conflict "paid"; already invalid: {} (nothing to do);
 *   - /order/update (admin): only "status" 2 from 0 or 4, as remove; any
 *     other change is 409 conflict.
 */
#ifndef BOXOFFICE_SVC_ORDER_H
#define BOXOFFICE_SVC_ORDER_H

#include <stdint.h>

#include "core/req.h"
#include "proto_layout.h"

struct worker;

/* Register the order consumer's handlers (before kq_start). */
void order_register(void);

/*
 * After a commit that changed order oid's status: publish it on
 * PROTO_CHANNEL_ORDERS. Best effort (logged).
 */
void order_publish_status(struct worker *w, int64_t oid, int64_t uid, int64_t cashier_id,
                          int status);

/*
 * After a commit that voided order oid's seats of screening sid: free their
 * Redis markers and publish them free ('f', or 'b' for house seats).
 * Best effort (logged).
 */
void order_free_seats(struct worker *w, int64_t sid, int64_t oid,
                      const char seats[][PROTO_SEAT_ID_SIZE], int n);

/*
 * Expire unpaid order oid if its expire_at passed (the sweeper): invalid,
 * reason "expired", tickets void, seats freed. Returns 0 (done or nothing
 * to do) or -1 (MySQL or Redis trouble: try again later).
 */
int order_expire(struct worker *w, int64_t oid);

/*
 * The sweeper found hold hold_id (of uid) ordered as oid and still there
 * long after the order's expiry: settle it from MySQL (order written unpaid
 * or paid: the hold becomes ticket markers; else it never got queued, or is
 * invalid: the seats are freed). Returns 0 or -1 (try later).
 */
int order_settle_hold(struct worker *w, int64_t hold_id, int64_t oid, int64_t uid);

#endif
