/*
 * svc_screening.h: the screening service of spec 4.4.
 *
 * Rules beyond the table of 4.4:
 *   - a screening occupies its hall over [startAt, endAt + 900): 15 minutes
 *     of cleaning after each. /screening/create and a /screening/update that
 *     moves startAt lock the hall row, check for an overlap with the hall's
 *     other scheduled screenings and write in one transaction (retried on a
 *     deadlock), so two admins scheduling at the same moment cannot both
 *     win: the loser gets 409 conflict, reason "overlap";
 *   - startAt must lie in the future (at most 2 years ahead); endAt is
 *     startAt plus the film's length. A film sold by quantity (isSelectSeat
 *     0) has no screenings: 400 invalid_field filmId. An unknown film or
 *     hall is 404;
 *   - prices and discounts: see svc/pricing.h (400 invalid_field "prices" /
 *     "discounts"); they are stored in canonical form. Sold tickets keep
 *     the price they were sold at (tickets.price);
 *   - /screening/update: only a scheduled screening that has not started
 *     (409 conflict, reasons "cancelled" and "started"); moving startAt
 *     takes the film's current length;
 *   - /screening/cancel: "reason" 1..2000 characters; refused for a
 *     cancelled (reason "cancelled") or finished ("finished") screening.
 *     In one transaction: status cancelled; paid orders -> refunded (3),
 *     reason "cancelled", refundPending 1 (the payment module sends the
 *     refunds); unpaid and pending orders -> invalid (2), reason
 *     "cancelled"; their tickets void, seats freed. After the commit every
 *     hold is dropped (seatmap_drop_holds). Every seat of a cancelled
 *     screening shows 'x' and seatsFree is 0;
 *   - /screening/list: startAt in [from, to) (default: now ... now + 7 days;
 *     to alone counts from now, from alone spans 7 days), optional filmId,
 *     optional "status" ("scheduled" or "cancelled"; absent: both, so a
 *     customer sees that a screening was cancelled), paging; ordered by
 *     startAt. Items carry filmName and hallName like the detail;
 *   - every answer carries seatsFree and seatsTotal from the seat snapshot
 *     (svc/seatmap.h), so they follow holds within SEATMAP_TTL_S.
 * Every admin write is audited ("screening.create", ".update", ".cancel").
 *
 * Cache keys (cache.h): "screening:<gen>:<id>" and
 * "screening:list:<gen>:<hash>" with the generation of namespace
 * "screening" (bumped by screening, film-name and hall writes), plus the
 * seat snapshots "seatmap:<id>". Handlers run on worker threads.
 */
#ifndef BOXOFFICE_SVC_SVC_SCREENING_H
#define BOXOFFICE_SVC_SVC_SCREENING_H

#include <stdint.h>

#include "core/req.h"

struct worker;

/*
 * After the commit of a transaction that cancelled screening id
 * (store_screening_cancel): drop its holds and raise its seat version, and
 * drop every cached answer that showed it.
 */
void screening_cancelled(struct worker *w, int64_t id);
/* Drop every cached screening detail and list (film or hall names changed). */
void screening_cache_bump(struct worker *w);

#endif
