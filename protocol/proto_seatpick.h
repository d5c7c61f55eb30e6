/*
 * proto_seatpick.h: "best available" of /seat/hold with count (spec 4.5):
 * choose count free seats, adjacent in one row, nearest the middle of the
 * hall, never leaving a single free seat stranded when that can be avoided.
 *
 * Rules, in order of weight:
 *   - the seats are in one row and adjacent: consecutive positions of the
 *     row string with no '.' (aisle, gap) and no unavailable seat between;
 *   - a seat is available when its state is 'f', or 'b' (house seat) for
 *     staff only; W (wheelchair spaces) are taken only when nothing else
 *     fits, since a general buyer rarely wants one;
 *   - a choice that leaves exactly one available seat alone in its run
 *     (between taken seats, an aisle, a blocked seat or the row end) is
 *     taken only when every choice does;
 *   - then the block whose centre is nearest the hall's centre (the middle
 *     of the widest row, the middle row), rows counting twice as much as
 *     columns so that a centred block one row off beats an off-centre one;
 *   - ties: the front row first, then the left block.
 *
 * Pure function, no I/O, no globals; any thread. The terminal client uses
 * it too, so "b" picks the same seats as the server.
 */
#ifndef BOXOFFICE_PROTO_SEATPICK_H
#define BOXOFFICE_PROTO_SEATPICK_H

#include "proto_layout.h"

/* At most this many seats per pick (spec 4.5: count 1..10). */
#define PROTO_SEATPICK_MAX 10

/*
 * Pick count (1..PROTO_SEATPICK_MAX) seats of layout l whose current states
 * are state (rows aligned with l's rows, PROTO_STATE_* characters). staff 1
 * lets house seats ('b') be picked. Returns 0 with out[0..count) the seat
 * ids left to right, or -1 when no row has count adjacent available seats
 * (or count is out of range).
 */
int proto_seatpick(const struct proto_layout *l, const char state[][PROTO_LAYOUT_MAX_COLS + 1],
                   int count, int staff, char out[][PROTO_SEAT_ID_SIZE]);

#endif
