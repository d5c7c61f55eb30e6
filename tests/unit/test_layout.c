/*
 * test_layout.c: hall layouts and seat ids (protocol/proto_layout.c) on odd
 * layouts: aisles, gaps, every seat type, the size limits, bad characters,
 * empty rows, seat numbering across gaps.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "proto_layout.h"

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))

/* Assert that the n rows are refused; when why_want is not NULL, with that reason. */
static void refused(const char *const *rows, int n, const char *why_want)
{
	struct proto_layout l;
	char why[100];

	assert_int_equal(proto_layout_parse(&l, rows, n, why, sizeof(why)), -1);
	if (why_want != NULL)
		assert_string_equal(why, why_want);
}

static void test_layout_accepts_every_seat_type(void **state)
{
	const char *rows[] = {"SVWCHX"};
	struct proto_layout l;
	char why[100];
	char cat;
	int r, c;

	(void)state;
	assert_int_equal(proto_layout_parse(&l, rows, N(rows), why, sizeof(why)), 0);
	assert_int_equal(l.nrows, 1);
	assert_int_equal(l.seats, 6);
	assert_int_equal(l.sellable, 5);
	assert_int_equal(proto_layout_lookup(&l, "A1", &r, &c, &cat), 0);
	assert_int_equal(cat, 'S');
	assert_int_equal(proto_layout_lookup(&l, "A2", NULL, NULL, &cat), 0);
	assert_int_equal(cat, 'V');
	assert_int_equal(proto_layout_lookup(&l, "A3", NULL, NULL, &cat), 0);
	assert_int_equal(cat, 'W');
	assert_int_equal(proto_layout_lookup(&l, "A4", NULL, NULL, &cat), 0);
	assert_int_equal(cat, 'C');
	assert_int_equal(proto_layout_lookup(&l, "A5", NULL, NULL, &cat), 0);
	assert_int_equal(cat, 'H');
	assert_int_equal(proto_layout_lookup(&l, "A6", &r, &c, &cat), 0);
	assert_int_equal(cat, 'X');
	assert_int_equal(r, 0);
	assert_int_equal(c, 5);
	assert_int_equal(proto_layout_lookup(&l, "A7", NULL, NULL, NULL), -1);
}

static void test_layout_numbers_seats_across_gaps(void **state)
{
	/* Seat numbers count letters (X included) and skip '.'. */
	const char *rows[] = {"..SS.SX.S..", "S...S"};
	struct proto_layout l;
	char cat;
	int r, c;

	(void)state;
	assert_int_equal(proto_layout_parse(&l, rows, N(rows), NULL, 0), 0);
	assert_int_equal(l.nseats[0], 5);
	assert_int_equal(l.width[0], 11);
	assert_int_equal(proto_layout_lookup(&l, "A1", &r, &c, NULL), 0);
	assert_int_equal(c, 2);
	assert_int_equal(proto_layout_lookup(&l, "A3", &r, &c, NULL), 0);
	assert_int_equal(c, 5);
	assert_int_equal(proto_layout_lookup(&l, "A4", &r, &c, &cat), 0);
	assert_int_equal(c, 6);
	assert_int_equal(cat, 'X');
	assert_int_equal(proto_layout_lookup(&l, "A5", &r, &c, NULL), 0);
	assert_int_equal(c, 8);
	assert_int_equal(proto_layout_lookup(&l, "A6", NULL, NULL, NULL), -1);
	assert_int_equal(proto_layout_lookup(&l, "B2", &r, &c, NULL), 0);
	assert_int_equal(r, 1);
	assert_int_equal(c, 4);
	assert_int_equal(proto_layout_number_at(&l, 0, 8), 5);
	assert_int_equal(proto_layout_number_at(&l, 0, 6), 4);
	assert_int_equal(proto_layout_number_at(&l, 0, 4), 0);
	assert_int_equal(proto_layout_number_at(&l, 0, 0), 0);
	assert_int_equal(proto_layout_number_at(&l, 0, 11), 0);
	assert_int_equal(proto_layout_number_at(&l, 2, 0), 0);
	assert_int_equal(l.seats, 7);
	assert_int_equal(l.sellable, 6);
}

static void test_layout_aisle_rows_keep_their_letter(void **state)
{
	/* Row B is a cross aisle, row C an empty string: both keep a letter. */
	const char *rows[] = {"SSS", "...", "", "SSS"};
	struct proto_layout l;
	int r;

	(void)state;
	assert_int_equal(proto_layout_parse(&l, rows, N(rows), NULL, 0), 0);
	assert_int_equal(l.nrows, 4);
	assert_int_equal(l.seats, 6);
	assert_int_equal(l.nseats[1], 0);
	assert_int_equal(l.nseats[2], 0);
	assert_int_equal(l.width[2], 0);
	assert_int_equal(proto_layout_lookup(&l, "B1", NULL, NULL, NULL), -1);
	assert_int_equal(proto_layout_lookup(&l, "C1", NULL, NULL, NULL), -1);
	assert_int_equal(proto_layout_lookup(&l, "D3", &r, NULL, NULL), 0);
	assert_int_equal(r, 3);
}

static void test_layout_refuses_no_sellable_seat(void **state)
{
	const char *aisles[] = {"...", ""};
	const char *blocked[] = {"XX", ".X"};
	const char *one[] = {"X..H"};
	struct proto_layout l;
	char why[100];

	(void)state;
	refused(aisles, N(aisles), "no sellable seat");
	refused(blocked, N(blocked), NULL);
	refused(NULL, 0, "no rows");
	/* One house seat is enough: staff can sell it. */
	assert_int_equal(proto_layout_parse(&l, one, N(one), why, sizeof(why)), 0);
	assert_int_equal(l.sellable, 1);
	assert_int_equal(l.seats, 2);
}

static void test_layout_accepts_max_size(void **state)
{
	char buf[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
	const char *rows[PROTO_LAYOUT_MAX_ROWS];
	char text[PROTO_LAYOUT_JSON_MAX + 1];
	struct proto_layout l, back;
	int r;

	(void)state;
	for (r = 0; r < PROTO_LAYOUT_MAX_ROWS; r++) {
		memset(buf[r], 'S', PROTO_LAYOUT_MAX_COLS);
		buf[r][PROTO_LAYOUT_MAX_COLS] = '\0';
		rows[r] = buf[r];
	}
	assert_int_equal(proto_layout_parse(&l, rows, PROTO_LAYOUT_MAX_ROWS, NULL, 0), 0);
	assert_int_equal(l.seats, 26 * 60);
	assert_int_equal(proto_layout_lookup(&l, "Z60", &r, NULL, NULL), 0);
	assert_int_equal(r, 25);
	assert_int_equal(proto_layout_to_text(&l, text, sizeof(text)), PROTO_LAYOUT_JSON_MAX - 1);
	assert_int_equal(proto_layout_from_text(&back, text, NULL, 0), 0);
	assert_true(proto_layout_equal(&l, &back));
	/* One byte short is refused, never truncated. */
	assert_int_equal(proto_layout_to_text(&l, text, PROTO_LAYOUT_JSON_MAX - 1), -1);
}

static void test_layout_refuses_27_rows(void **state)
{
	const char *rows[PROTO_LAYOUT_MAX_ROWS + 1];
	struct proto_layout l;
	cJSON *arr;
	char why[100];
	int r;

	(void)state;
	for (r = 0; r < PROTO_LAYOUT_MAX_ROWS + 1; r++)
		rows[r] = "S";
	assert_int_equal(proto_layout_parse(&l, rows, N(rows), why, sizeof(why)), -1);
	assert_non_null(strstr(why, "27 rows"));
	arr = cJSON_CreateStringArray(rows, N(rows));
	assert_int_equal(proto_layout_from_json(&l, arr, why, sizeof(why)), -1);
	cJSON_Delete(arr);
}

static void test_layout_refuses_61_columns(void **state)
{
	char row[PROTO_LAYOUT_MAX_COLS + 2];
	const char *rows[] = {row};
	struct proto_layout l;
	char why[100];

	(void)state;
	memset(row, '.', sizeof(row) - 2);
	row[0] = 'S';
	row[sizeof(row) - 2] = '.';
	row[sizeof(row) - 1] = '\0';
	assert_int_equal(strlen(row), 61);
	assert_int_equal(proto_layout_parse(&l, rows, 1, why, sizeof(why)), -1);
	assert_string_equal(why, "row A: more than 60 positions");
	row[60] = '\0';
	assert_int_equal(proto_layout_parse(&l, rows, 1, why, sizeof(why)), 0);
}

static void test_layout_refuses_invalid_characters(void **state)
{
	const char *lower[] = {"SSS", "ssS"};
	const char *space[] = {"S S"};
	const char *other[] = {"SQ"};
	const char *ctrl[] = {"S\tS"};
	const char *utf8[] = {"S\xc3\xa9"};

	(void)state;
	refused(lower, N(lower), "row B: invalid character 's' at 1");
	refused(space, N(space), NULL);
	refused(other, N(other), "row A: invalid character 'Q' at 2");
	refused(ctrl, N(ctrl), "row A: invalid character at 2");
	refused(utf8, N(utf8), NULL);
}

static void test_layout_from_json_refuses_non_strings(void **state)
{
	/* what is not an array of strings, and the reason when it is checked */
	static const struct {
		const char *json, *why;
	} bad[] = {
	    {"[\"SS\", 5]", "row B: not a string"},
	    {"\"SS\"", NULL},
	    {"{\"A\":\"SS\"}", NULL},
	    {"[]", NULL},
	    {"[[\"S\"]]", NULL},
	};
	struct proto_layout l;
	char why[100];

	(void)state;
	for (int i = 0; i < N(bad); i++) {
		cJSON *v = cJSON_Parse(bad[i].json);

		assert_int_equal(proto_layout_from_json(&l, v, why, sizeof(why)), -1);
		if (bad[i].why)
			assert_string_equal(why, bad[i].why);
		cJSON_Delete(v);
	}
	assert_int_equal(proto_layout_from_json(&l, NULL, why, sizeof(why)), -1);
	assert_int_equal(proto_layout_from_text(&l, "[\"SS\"", why, sizeof(why)), -1);
	assert_int_equal(proto_layout_from_text(&l, NULL, why, sizeof(why)), -1);
}

static void test_layout_json_round_trip(void **state)
{
	const char *rows[] = {"..SS..", "VVVVVV", "", "W.CXH."};
	struct proto_layout l, back;
	char text[PROTO_LAYOUT_JSON_MAX + 1];
	cJSON *arr;
	char *printed;

	(void)state;
	assert_int_equal(proto_layout_parse(&l, rows, N(rows), NULL, 0), 0);
	arr = proto_layout_to_json(&l);
	assert_non_null(arr);
	printed = cJSON_PrintUnformatted(arr);
	assert_int_equal(proto_layout_to_text(&l, text, sizeof(text)), (int)strlen(printed));
	assert_string_equal(text, printed);
	assert_string_equal(text, "[\"..SS..\",\"VVVVVV\",\"\",\"W.CXH.\"]");
	assert_int_equal(proto_layout_from_json(&back, arr, NULL, 0), 0);
	assert_true(proto_layout_equal(&l, &back));
	back.rows[3][0] = 'S';
	assert_false(proto_layout_equal(&l, &back));
	cJSON_free(printed);
	cJSON_Delete(arr);
}

static void test_seat_parse_accepts_canonical_ids(void **state)
{
	int r, n;

	(void)state;
	assert_int_equal(proto_seat_parse("C7", &r, &n), 0);
	assert_int_equal(r, 2);
	assert_int_equal(n, 7);
	assert_int_equal(proto_seat_parse("A1", &r, &n), 0);
	assert_int_equal(r, 0);
	assert_int_equal(n, 1);
	assert_int_equal(proto_seat_parse("Z60", &r, &n), 0);
	assert_int_equal(r, 25);
	assert_int_equal(n, 60);
	assert_int_equal(proto_seat_parse("B10", NULL, NULL), 0);
}

static void test_seat_parse_refuses_other_forms(void **state)
{
	const char *bad[] = {"C0",  "c7",  "AA1", "C61",  "C07", "C",  "7",  "",
	                     "C7 ", " C7", "C-1", "C100", "C6a", "[1", "@1", "C999"};
	int i;

	(void)state;
	for (i = 0; i < N(bad); i++)
		if (proto_seat_parse(bad[i], NULL, NULL) != -1)
			fail_msg("seat id '%s' was accepted", bad[i]);
	assert_int_equal(proto_seat_parse(NULL, NULL, NULL), -1);
}

static void test_seat_format_round_trips(void **state)
{
	char id[PROTO_SEAT_ID_SIZE];
	int r, n, pr, pn;

	(void)state;
	for (r = 0; r < PROTO_LAYOUT_MAX_ROWS; r++)
		for (n = 1; n <= PROTO_LAYOUT_MAX_COLS; n++) {
			assert_int_equal(proto_seat_format(r, n, id), 0);
			assert_int_equal(proto_seat_parse(id, &pr, &pn), 0);
			assert_int_equal(pr, r);
			assert_int_equal(pn, n);
		}
	assert_int_equal(proto_seat_format(2, 7, id), 0);
	assert_string_equal(id, "C7");
	assert_int_equal(proto_seat_format(26, 1, id), -1);
	assert_int_equal(proto_seat_format(0, 0, id), -1);
	assert_int_equal(proto_seat_format(0, 61, id), -1);
	assert_int_equal(proto_seat_format(-1, 1, id), -1);
}

static void test_layout_lookup_refuses_seats_outside(void **state)
{
	const char *rows[] = {"SS", "SSSS"};
	struct proto_layout l;

	(void)state;
	assert_int_equal(proto_layout_parse(&l, rows, N(rows), NULL, 0), 0);
	assert_int_equal(proto_layout_lookup(&l, "A3", NULL, NULL, NULL), -1);
	assert_int_equal(proto_layout_lookup(&l, "B4", NULL, NULL, NULL), 0);
	assert_int_equal(proto_layout_lookup(&l, "C1", NULL, NULL, NULL), -1);
	assert_int_equal(proto_layout_lookup(&l, "b1", NULL, NULL, NULL), -1);
	assert_int_equal(proto_layout_lookup(&l, "B01", NULL, NULL, NULL), -1);
}

static void test_seat_sellable_categories(void **state)
{
	(void)state;
	assert_true(proto_seat_sellable('S'));
	assert_true(proto_seat_sellable('V'));
	assert_true(proto_seat_sellable('W'));
	assert_true(proto_seat_sellable('C'));
	assert_true(proto_seat_sellable('H'));
	assert_false(proto_seat_sellable('X'));
	assert_false(proto_seat_sellable('.'));
	assert_false(proto_seat_sellable('s'));
}

static void test_layout_every_position_round_trips_on_an_odd_max_layout(void **state)
{
	/* 26 rows of 60: aisles, gaps, every type, an empty row, a row of X. */
	static const char pattern[] = "SVWCHX..SS.";
	char buf[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
	const char *rows[PROTO_LAYOUT_MAX_ROWS];
	char id[PROTO_SEAT_ID_SIZE], cat;
	struct proto_layout l;
	int r, c, n, lr, lc, seats = 0, sellable = 0;

	(void)state;
	for (r = 0; r < PROTO_LAYOUT_MAX_ROWS; r++) {
		for (c = 0; c < PROTO_LAYOUT_MAX_COLS; c++)
			buf[r][c] = pattern[(r + c) % (sizeof(pattern) - 1)];
		buf[r][PROTO_LAYOUT_MAX_COLS] = '\0';
		rows[r] = buf[r];
	}
	buf[4][0] = '\0';                           /* row E: an empty cross aisle */
	memset(buf[7], 'X', PROTO_LAYOUT_MAX_COLS); /* row H: all blocked */
	assert_int_equal(proto_layout_parse(&l, rows, PROTO_LAYOUT_MAX_ROWS, NULL, 0), 0);
	for (r = 0; r < PROTO_LAYOUT_MAX_ROWS; r++) {
		n = 0;
		for (c = 0; c < l.width[r]; c++) {
			if (buf[r][c] == '.') {
				assert_int_equal(proto_layout_number_at(&l, r, c), 0);
				continue;
			}
			/* Numbers count every letter, left to right, from 1. */
			assert_int_equal(proto_layout_number_at(&l, r, c), ++n);
			assert_int_equal(proto_seat_format(r, n, id), 0);
			assert_int_equal(id[0], 'A' + r);
			assert_int_equal(proto_layout_lookup(&l, id, &lr, &lc, &cat), 0);
			assert_int_equal(lr, r);
			assert_int_equal(lc, c);
			assert_int_equal(cat, buf[r][c]);
			seats++;
			sellable += cat != 'X';
		}
		assert_int_equal(l.nseats[r], n);
		/* One past the last seat of the row is no seat. */
		if (n < PROTO_LAYOUT_MAX_COLS) {
			assert_int_equal(proto_seat_format(r, n + 1, id), 0);
			assert_int_equal(proto_layout_lookup(&l, id, NULL, NULL, NULL), -1);
		}
	}
	assert_int_equal(l.nseats[4], 0);
	assert_int_equal(l.nseats[7], PROTO_LAYOUT_MAX_COLS);
	assert_int_equal(l.seats, seats);
	assert_int_equal(l.sellable, sellable);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_layout_accepts_every_seat_type),
	    cmocka_unit_test(test_layout_numbers_seats_across_gaps),
	    cmocka_unit_test(test_layout_aisle_rows_keep_their_letter),
	    cmocka_unit_test(test_layout_refuses_no_sellable_seat),
	    cmocka_unit_test(test_layout_accepts_max_size),
	    cmocka_unit_test(test_layout_refuses_27_rows),
	    cmocka_unit_test(test_layout_refuses_61_columns),
	    cmocka_unit_test(test_layout_refuses_invalid_characters),
	    cmocka_unit_test(test_layout_from_json_refuses_non_strings),
	    cmocka_unit_test(test_layout_json_round_trip),
	    cmocka_unit_test(test_seat_parse_accepts_canonical_ids),
	    cmocka_unit_test(test_seat_parse_refuses_other_forms),
	    cmocka_unit_test(test_seat_format_round_trips),
	    cmocka_unit_test(test_layout_lookup_refuses_seats_outside),
	    cmocka_unit_test(test_seat_sellable_categories),
	    cmocka_unit_test(test_layout_every_position_round_trips_on_an_odd_max_layout),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
