/*
 * test_seatpick.c: best available (protocol/proto_seatpick.c) on many
 * layouts: empty halls, aisles and gaps, blocked and house seats,
 * wheelchair spaces, stranded single seats, nearly full and full halls.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto_layout.h"
#include "proto_seatpick.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

struct hall {
	struct proto_layout l;
	char state[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
};

/* The layout of rows with every seat in its initial state (as /screening/seats). */
static void hall_init(struct hall *h, const char *const *rows, int n)
{
	int r, c;

	assert_int_equal(proto_layout_parse(&h->l, rows, n, NULL, 0), 0);
	for (r = 0; r < n; r++) {
		for (c = 0; c < h->l.width[r]; c++) {
			char cat = h->l.rows[r][c];
			h->state[r][c] = cat == '.'   ? PROTO_STATE_NONE
			                 : cat == 'X' ? PROTO_STATE_BLOCKED
			                 : cat == 'H' ? PROTO_STATE_HOUSE
			                              : PROTO_STATE_FREE;
		}
		h->state[r][c] = '\0';
	}
}

/* Override row r's states with s (same length as the row). */
static void hall_state(struct hall *h, int r, const char *s)
{
	assert_int_equal((int)strlen(s), h->l.width[r]);
	memcpy(h->state[r], s, strlen(s) + 1);
}

/* Pick count seats and compare them, joined by spaces, with want ("" = none). */
static void expect_pick(const struct hall *h, int count, int staff, const char *want)
{
	char out[PROTO_SEATPICK_MAX][PROTO_SEAT_ID_SIZE], got[64] = "";
	int i, rc = proto_seatpick(&h->l, (const char(*)[PROTO_LAYOUT_MAX_COLS + 1]) h->state,
	                           count, staff, out);

	if (rc == 0) {
		for (i = 0; i < count; i++) {
			if (i)
				strcat(got, " ");
			strcat(got, out[i]);
		}
	}
	if (strcmp(got, want) != 0) {
		print_error("count %d staff %d: expected '%s', got '%s'\n", count, staff, want,
		            got);
		fail();
	}
}

static void test_seatpick_empty_hall_takes_the_centre(void **state)
{
	const char *rows[] = {"SSSSSSSS", "SSSSSSSS", "SSSSSSSS", "SSSSSSSS", "SSSSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	expect_pick(&h, 2, 0, "C4 C5");
	expect_pick(&h, 4, 0, "C3 C4 C5 C6");
	/* Odd count in an even row: two equally centred blocks, the left one wins. */
	expect_pick(&h, 3, 0, "C3 C4 C5");
	expect_pick(&h, 8, 0, "C1 C2 C3 C4 C5 C6 C7 C8");
}

static void test_seatpick_refuses_bad_counts(void **state)
{
	const char *rows[] = {"SSSSSSSSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	expect_pick(&h, 0, 0, "");
	expect_pick(&h, 11, 0, "");
	/* Centred 10 of 12 would strand A1 and A12: the block moves to an edge. */
	expect_pick(&h, 10, 0, "A1 A2 A3 A4 A5 A6 A7 A8 A9 A10");
}

static void test_seatpick_never_crosses_an_aisle(void **state)
{
	/* Blocks of 3 on each side of a central aisle: 4 adjacent seats exist only in row B. */
	const char *rows[] = {"SSS.SSS", "SSSSSSS", "SSS.SSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	/* B2-B5 and B3-B6 would strand B1 or B7: an edge block instead. */
	expect_pick(&h, 4, 0, "B1 B2 B3 B4");
	hall_state(&h, 1, "fffsfff");
	/* B now splits in two runs of 3: no row has 4 adjacent seats. */
	expect_pick(&h, 4, 0, "");
	expect_pick(&h, 3, 0, "B1 B2 B3");
}

static void test_seatpick_gaps_break_adjacency_and_numbering(void **state)
{
	/* Seat numbers skip '.': row A is A1 A2 (gap) A3 A4 A5. */
	const char *rows[] = {"SS..SSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	expect_pick(&h, 3, 0, "A3 A4 A5");
	/* Two of A3-A5 would strand one; A1 A2 fill their run exactly. */
	expect_pick(&h, 2, 0, "A1 A2");
	expect_pick(&h, 4, 0, "");
}

static void test_seatpick_skips_blocked_seats(void **state)
{
	const char *rows[] = {"SSSXSSS", "SSSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	expect_pick(&h, 1, 0, "B4");
	hall_state(&h, 1, "sssssss");
	/* A4 is blocked: row A is two runs of 3, never joined. */
	expect_pick(&h, 1, 0, "A3");
	expect_pick(&h, 3, 0, "A1 A2 A3");
	expect_pick(&h, 4, 0, "");
}

static void test_seatpick_house_seats_for_staff_only(void **state)
{
	const char *rows[] = {"SSHHHSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	expect_pick(&h, 3, 1, "A3 A4 A5");
	expect_pick(&h, 3, 0, "");
	expect_pick(&h, 2, 0, "A1 A2");
	/* A house seat already sold is not free for staff either. */
	hall_state(&h, 0, "ffbsbff");
	expect_pick(&h, 3, 1, "A1 A2 A3");
	expect_pick(&h, 4, 1, "");
}

static void test_seatpick_avoids_stranding_a_single_seat(void **state)
{
	/* Row A: 5 free seats between two taken ones: 2 from the middle would strand one. */
	const char *rows[] = {"SSSSSSS", "SSSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	hall_state(&h, 0, "sfffffs");
	hall_state(&h, 1, "sssssss");
	/* Centre would be A3 A4 (left 1 stranded) or A4 A5 (right 1 stranded). */
	expect_pick(&h, 2, 0, "A2 A3");
	/* A3-A5 would strand both A2 and A6. */
	expect_pick(&h, 3, 0, "A2 A3 A4");
	expect_pick(&h, 4, 0, "A2 A3 A4 A5");
}

static void test_seatpick_strands_when_unavoidable(void **state)
{
	const char *rows[] = {"SSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	expect_pick(&h, 2, 0, "A1 A2");
	/* The middle seat would strand both others. */
	expect_pick(&h, 1, 0, "A1");
}

static void test_seatpick_prefers_a_centred_row_over_stranding(void **state)
{
	/* Two in row B (middle) would strand one; row A does not: A wins, one row off. */
	const char *rows[] = {"SSSSSS", "SSSSSS", "SSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	hall_state(&h, 1, "sfffss");
	hall_state(&h, 0, "ssffss");
	hall_state(&h, 2, "ssssss");
	expect_pick(&h, 2, 0, "A3 A4");
	expect_pick(&h, 3, 0, "B2 B3 B4");
}

static void test_seatpick_keeps_wheelchair_spaces_for_last(void **state)
{
	const char *rows[] = {"SSWWSS", "SSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	hall_state(&h, 0, "ssffss");
	hall_state(&h, 1, "ssssff");
	/* The centred block A3 A4 is wheelchair spaces; B5 B6 is not. */
	expect_pick(&h, 2, 0, "B5 B6");
	hall_state(&h, 1, "ssssss");
	hall_state(&h, 0, "ssffss");
	expect_pick(&h, 2, 0, "A3 A4");
}

static void test_seatpick_nearly_full_hall(void **state)
{
	const char *rows[] = {"SSSSSSSSSS", "SSSSSSSSSS", "SSSSSSSSSS", "SSSSSSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	hall_state(&h, 0, "ssssssssss");
	hall_state(&h, 1, "sfsssssfss");
	hall_state(&h, 2, "sssssssssf");
	hall_state(&h, 3, "ffssssssss");
	expect_pick(&h, 1, 0, "B8");
	expect_pick(&h, 2, 0, "D1 D2");
	expect_pick(&h, 3, 0, "");
}

static void test_seatpick_full_hall(void **state)
{
	const char *rows[] = {"SSSS", "SSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	hall_state(&h, 0, "shsh");
	hall_state(&h, 1, "ssss");
	expect_pick(&h, 1, 0, "");
	expect_pick(&h, 1, 1, "");
}

static void test_seatpick_uneven_rows_use_the_hall_centre(void **state)
{
	/* A short front row, offset by gaps; the widest row sets the centre. */
	const char *rows[] = {"...SSSS...", "SSSSSSSSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	/* Row A's 4 seats are centred like row B; both rows are as far from the middle. */
	expect_pick(&h, 4, 0, "A1 A2 A3 A4");
	/* Two of row A would strand one or be off centre; B5 B6 are centred. */
	expect_pick(&h, 2, 0, "B5 B6");
	expect_pick(&h, 6, 0, "B3 B4 B5 B6 B7 B8");
}

static void test_seatpick_cross_aisle_rows_count(void **state)
{
	/* Row B is a cross aisle: the middle of the hall is row B, so A and C tie: front wins. */
	const char *rows[] = {"SSSS", "", "SSSS"};
	struct hall h;

	(void)state;
	hall_init(&h, rows, N(rows));
	expect_pick(&h, 2, 0, "A1 A2");
	hall_state(&h, 0, "sffs");
	hall_state(&h, 2, "ffff");
	expect_pick(&h, 2, 0, "A2 A3");
	expect_pick(&h, 3, 0, "C1 C2 C3");
}

static void test_seatpick_big_hall(void **state)
{
	static const char row[] = "SSSSSSSSSS.SSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSSS.SSSSSSSSS";
	const char *rows[PROTO_LAYOUT_MAX_ROWS];
	struct hall h;
	int r;

	(void)state;
	for (r = 0; r < PROTO_LAYOUT_MAX_ROWS; r++)
		rows[r] = row;
	hall_init(&h, rows, N(rows));
	/* 26 rows: middle between M and N (rows 12 and 13); M is in front. Centre column 29.5. */
	expect_pick(&h, 2, 0, "M29 M30");
	expect_pick(&h, 10, 0, "M25 M26 M27 M28 M29 M30 M31 M32 M33 M34");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seatpick_empty_hall_takes_the_centre),
	    cmocka_unit_test(test_seatpick_refuses_bad_counts),
	    cmocka_unit_test(test_seatpick_never_crosses_an_aisle),
	    cmocka_unit_test(test_seatpick_gaps_break_adjacency_and_numbering),
	    cmocka_unit_test(test_seatpick_skips_blocked_seats),
	    cmocka_unit_test(test_seatpick_house_seats_for_staff_only),
	    cmocka_unit_test(test_seatpick_avoids_stranding_a_single_seat),
	    cmocka_unit_test(test_seatpick_strands_when_unavoidable),
	    cmocka_unit_test(test_seatpick_prefers_a_centred_row_over_stranding),
	    cmocka_unit_test(test_seatpick_keeps_wheelchair_spaces_for_last),
	    cmocka_unit_test(test_seatpick_nearly_full_hall),
	    cmocka_unit_test(test_seatpick_full_hall),
	    cmocka_unit_test(test_seatpick_uneven_rows_use_the_hall_centre),
	    cmocka_unit_test(test_seatpick_cross_aisle_rows_count),
	    cmocka_unit_test(test_seatpick_big_hall),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
