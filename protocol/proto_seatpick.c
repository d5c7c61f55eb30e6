/*
 * proto_seatpick.c: see proto_seatpick.h. Every block of count adjacent
 * available seats is scored and the least score wins; a hall has at most
 * 26 * 60 positions, so trying every block is cheap (< 2k candidates).
 */
#include "proto_seatpick.h"

#include <limits.h>
#include <stdlib.h>

/* The score of a block, compared field by field (smaller wins). */
struct score {
	int strands;    /* runs left with a single seat (0..2) */
	int wheelchair; /* W seats in the block */
	int dist;       /* distance to the centre in half seats, rows weigh 2 */
	int row, col;
};

static int better(const struct score *a, const struct score *b)
{
	if (a->strands != b->strands)
		return a->strands < b->strands;
	if (a->wheelchair != b->wheelchair)
		return a->wheelchair < b->wheelchair;
	if (a->dist != b->dist)
		return a->dist < b->dist;
	if (a->row != b->row)
		return a->row < b->row;
	return a->col < b->col;
}

static int available(char st, int staff)
{
	return st == PROTO_STATE_FREE || (staff && st == PROTO_STATE_HOUSE);
}

int proto_seatpick(const struct proto_layout *l, const char state[][PROTO_LAYOUT_MAX_COLS + 1],
                   int count, int staff, char out[][PROTO_SEAT_ID_SIZE])
{
	struct score best = {INT_MAX, INT_MAX, INT_MAX, INT_MAX, INT_MAX}, cur;
	int maxw = 0, r, c, found = 0, i;

	if (count < 1 || count > PROTO_SEATPICK_MAX || l->nrows < 1)
		return -1;
	for (r = 0; r < l->nrows; r++)
		if (l->width[r] > maxw)
			maxw = l->width[r];
	for (r = 0; r < l->nrows; r++) {
		int dy = abs(2 * r - (l->nrows - 1));

		c = 0;
		while (c < l->width[r]) {
			int a, b, s;

			/* A run: maximal positions [a, b] of available seats. */
			if (l->rows[r][c] == PROTO_SEAT_NONE || !available(state[r][c], staff)) {
				c++;
				continue;
			}
			a = c;
			while (c < l->width[r] && l->rows[r][c] != PROTO_SEAT_NONE &&
			       available(state[r][c], staff))
				c++;
			b = c - 1;
			for (s = a; s + count - 1 <= b; s++) {
				int left = s - a, right = b - (s + count - 1);

				cur.strands = (left == 1) + (right == 1);
				cur.wheelchair = 0;
				for (i = 0; i < count; i++)
					cur.wheelchair +=
					    l->rows[r][s + i] == PROTO_SEAT_WHEELCHAIR;
				cur.dist = abs(2 * s + count - 1 - (maxw - 1)) + 2 * dy;
				cur.row = r;
				cur.col = s;
				if (!found || better(&cur, &best)) {
					best = cur;
					found = 1;
				}
			}
		}
	}
	if (!found)
		return -1;
	for (i = 0; i < count; i++) {
		int n = proto_layout_number_at(l, best.row, best.col + i);

		if (n < 1 || proto_seat_format(best.row, n, out[i]) < 0)
			return -1;
	}
	return 0;
}
