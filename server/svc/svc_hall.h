/*
 * svc_hall.h: the hall service of spec 4.3.
 *
 * Rules beyond the table of 4.3:
 *   - name 1..100 characters; layout as protocol/proto_layout.h (at most 26
 *     rows of 60 positions, S V W C H X and '.', aisle rows allowed, at
 *     least one sellable seat); a bad layout is 400 invalid_field "layout"
 *     with the reason in msg. Halls answer "seats" (every letter) and
 *     "sellable" (all but X);
 *   - /hall/update with a layout that differs from the current one is
 *     refused with 409 conflict while a scheduled screening of the hall that
 *     is not over has a live ticket (reason "sold_seats") or a held seat in
 *     Redis (reason "held_seats"; 503 when Redis cannot be asked). Otherwise
 *     those screenings' seatsTotal follow the new layout and their seat
 *     versions go up by one (clients fetch the new layout); holds on them
 *     are fenced off until the change is committed (seatmap.h), so none is
 *     made on the old layout. A name change is always allowed;
 *   - /hall/remove is soft (removed halls are 404 everywhere but in the
 *     screenings that already used them) and refused with 409 conflict,
 *     reason "future_screenings", while a scheduled screening of the hall
 *     is not over;
 *   - /hall/list: every hall, by name, at most HALL_LIST_MAX, with "total".
 * Every admin write is audited ("hall.create", "hall.update", "hall.remove").
 *
 * Cache keys (cache.h): "hall:<id>" and "hall:list:<gen>" with the
 * generation of namespace "hall". Handlers run on worker threads.
 */
#ifndef BOXOFFICE_SVC_SVC_HALL_H
#define BOXOFFICE_SVC_SVC_HALL_H

#include "core/req.h"

#define HALL_LIST_MAX 500

#endif
