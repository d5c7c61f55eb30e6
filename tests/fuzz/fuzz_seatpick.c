/*
 * fuzz_seatpick.c: libFuzzer harness for "best available"
 * (protocol/proto_seatpick.c), which /seat/hold with a count and the
 * terminal client's "b" both call on a hall layout and its seat states.
 *
 * Input: byte 0 the count (0..11, so 0 and 11 are out of range), byte 1 bit
 * 0 staff; then the layout as raw rows split at '\n' up to the first NUL
 * (proto_layout_parse; refused layouts end the run), then one byte per
 * position, row after row, for its state: "fhsbx."[byte % 6] (missing
 * bytes: the state the layout letter starts with, as /screening/seats).
 *
 * A reference model written from the rules of proto_seatpick.h decides:
 * every block of count positions of one row that are all seats (no '.') and
 * available ('f', or 'b' for staff) is a candidate; its score is (single
 * seats stranded beside it in its run, wheelchair spaces in it, distance of
 * its centre to the hall's centre with rows counting twice, row, column),
 * least wins. proto_seatpick must answer -1 exactly when there is no
 * candidate (or the count is out of range), else the model's block: count
 * ids, left to right, that parse, lie in that row with consecutive numbers,
 * and name available seats.
 *
 *   clang -D_GNU_SOURCE -fsanitize=fuzzer,address,undefined -I protocol \
 *       tests/fuzz/fuzz_seatpick.c protocol/proto_*.c \
 *       $(pkg-config --cflags --libs libcjson) -o fuzz_seatpick
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto_layout.h"
#include "proto_seatpick.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef char state_rows[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
/* C11 does not convert char (*)[N] to const char (*)[N] by itself. */
#define CONST_ROWS(s) ((const char(*)[PROTO_LAYOUT_MAX_COLS + 1])(s))

static void check(int ok)
{
	if (!ok)
		abort();
}

static int model_available(const struct proto_layout *l, const state_rows st, int r, int c,
                           int staff)
{
	if (c < 0 || c >= l->width[r] || l->rows[r][c] == PROTO_SEAT_NONE)
		return 0;
	return st[r][c] == PROTO_STATE_FREE || (staff && st[r][c] == PROTO_STATE_HOUSE);
}

/* The model's score of the block at (r, s), or 0 when it is not a candidate. */
static int model_score(const struct proto_layout *l, const state_rows st, int r, int s, int count,
                       int staff, long long key[5])
{
	int i, a, b, maxw = 0, k;

	for (i = 0; i < count; i++)
		if (!model_available(l, st, r, s + i, staff))
			return 0;
	/* how far the run of available seats reaches on each side */
	for (a = s; model_available(l, st, r, a - 1, staff); a--)
		;
	for (b = s + count - 1; model_available(l, st, r, b + 1, staff); b++)
		;
	for (k = 0; k < l->nrows; k++)
		maxw = l->width[k] > maxw ? l->width[k] : maxw;
	key[0] = (s - a == 1) + (b - (s + count - 1) == 1);
	key[1] = 0;
	for (i = 0; i < count; i++)
		key[1] += l->rows[r][s + i] == PROTO_SEAT_WHEELCHAIR;
	key[2] = llabs(2LL * s + count - 1 - (maxw - 1)) + 2 * llabs(2LL * r - (l->nrows - 1));
	key[3] = r;
	key[4] = s;
	return 1;
}

static int less(const long long a[5], const long long b[5])
{
	int i;

	for (i = 0; i < 5; i++)
		if (a[i] != b[i])
			return a[i] < b[i];
	return 0;
}

/* The model's choice: 1 with *row, *start, or 0 when nothing fits. */
static int model_pick(const struct proto_layout *l, const state_rows st, int count, int staff,
                      int *row, int *start)
{
	long long best[5], cur[5];
	int r, s, found = 0;

	if (count < 1 || count > PROTO_SEATPICK_MAX)
		return 0;
	for (r = 0; r < l->nrows; r++)
		for (s = 0; s + count <= l->width[r]; s++)
			if (model_score(l, st, r, s, count, staff, cur) &&
			    (!found || less(cur, best))) {
				memcpy(best, cur, sizeof(best));
				found = 1;
			}
	if (found) {
		*row = (int)best[3];
		*start = (int)best[4];
	}
	return found;
}

/* The layout's initial state of a position (as /screening/seats starts). */
static char initial(char cat)
{
	return cat == PROTO_SEAT_NONE      ? PROTO_STATE_NONE
	       : cat == PROTO_SEAT_BLOCKED ? PROTO_STATE_BLOCKED
	       : cat == PROTO_SEAT_HOUSE   ? PROTO_STATE_HOUSE
	                                   : PROTO_STATE_FREE;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char states[] = "fhsbx.";
	struct proto_layout l;
	static state_rows st;
	char text[PROTO_LAYOUT_MAX_ROWS * (PROTO_LAYOUT_MAX_COLS + 2) + 1], *rows[64], *p;
	char out[PROTO_SEATPICK_MAX][PROTO_SEAT_ID_SIZE];
	const uint8_t *end, *sp;
	size_t tlen;
	int count, staff, n = 0, r, c, rc, want, row = -1, start = -1, i;

	if (size < 2)
		return 0;
	count = data[0] % 12;
	staff = data[1] & 1;
	data += 2;
	size -= 2;
	end = memchr(data, 0, size);
	tlen = end ? (size_t)(end - data) : size;
	if (tlen >= sizeof(text))
		return 0;
	memcpy(text, data, tlen);
	text[tlen] = '\0';
	for (p = text; n < 64; n++) {
		rows[n] = p;
		p = strchr(p, '\n');
		if (!p) {
			n++;
			break;
		}
		*p++ = '\0';
	}
	if (n > PROTO_LAYOUT_MAX_ROWS ||
	    proto_layout_parse(&l, (const char *const *)rows, n, NULL, 0))
		return 0;
	sp = end ? end + 1 : data + size;
	for (r = 0; r < l.nrows; r++) {
		for (c = 0; c < l.width[r]; c++)
			st[r][c] = sp < data + size ? states[*sp++ % 6] : initial(l.rows[r][c]);
		st[r][c] = '\0';
	}
	rc = proto_seatpick(&l, CONST_ROWS(st), count, staff, out);
	want = model_pick(&l, CONST_ROWS(st), count, staff, &row, &start);
	check(rc == 0 || rc == -1);
	check((rc == 0) == want);
	if (rc != 0)
		return 0;
	for (i = 0; i < count; i++) {
		int pr, pn, lr, lc;
		char cat;

		check(proto_seat_parse(out[i], &pr, &pn) == 0);
		check(proto_layout_lookup(&l, out[i], &lr, &lc, &cat) == 0);
		check(pr == row && lr == row && lc == start + i);
		check(model_available(&l, CONST_ROWS(st), lr, lc, staff));
		if (i > 0) {
			int qr, qn;
			check(proto_seat_parse(out[i - 1], &qr, &qn) == 0 && qn + 1 == pn);
		}
	}
	return 0;
}
