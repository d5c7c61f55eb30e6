/*
 * svc_seat.h: seat holds of spec 4.5 (/seat/hold, /seat/release).
 *
 * Rules beyond the table of 4.5:
 *   - a hold is one Redis script (cache/holds.h): all or nothing, every
 *     conflicting seat in data.conflicts of 409 seat_taken; a seat that
 *     live tickets hold conflicts the same way (its marker);
 *   - "seats" (1..10 distinct seat ids) or "count" (1..10), not both (400
 *     invalid_field "seats"); an unknown or blocked seat is 400
 *     invalid_field "seats"; a house seat H for a customer is 403;
 *   - 409 conflict reasons: "cancelled", "started" (startAt passed),
 *     "layout_change" (the hall's layout is being changed), "hold_limit"
 *     (a customer would hold more than 10 seats of the screening; staff
 *     have no cap but 10 seats per hold), "no_seats" (count: no row has
 *     that many adjacent available seats), "ordered" (release of a hold
 *     that became an order: remove the order instead);
 *   - 30 holds a minute per user (429); 503 while Redis is down or the hold
 *     state is being rebuilt after a Redis restart;
 *   - the hold expires after hold_ttl seconds (the sweeper frees it);
 *   - no MySQL round trip: screening facts come from the read cache
 *     (svc/sale_facts.h), the token check from the user cache;
 *   - /seat/release: the owner's or, for staff, anyone's hold; another
 *     customer's or an unknown hold is 404.
 */
#ifndef BOXOFFICE_SVC_SEAT_H
#define BOXOFFICE_SVC_SEAT_H

#include "core/req.h"

#endif
