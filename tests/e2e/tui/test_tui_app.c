/*
 * test_tui_app.c: the client's model without a terminal: money, the
 * outbox, the seat map from a snapshot and live deltas (spec 6 rules),
 * picking seats, the cursor, and the layout editor's verdict.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "app.h"

static const char *snapshot = "{\"screeningId\":7,\"version\":10,"
                              "\"layout\":[\"SS.SS\",\"VV.VV\",\"WC.XH\"],"
                              "\"state\":[\"ff.fs\",\"fh.ff\",\"ff.xb\"]}";

static struct app *fresh(void)
{
	struct app *a = malloc(sizeof(*a));
	cJSON *s;

	assert_non_null(a);
	app_init(a);
	a->map.screening_id = 7;
	s = cJSON_Parse(snapshot);
	assert_int_equal(app_seats_snapshot(a, s), 0);
	cJSON_Delete(s);
	return a;
}

static void done(struct app *a)
{
	app_release(a);
	free(a);
}

static int delta(struct app *a, const char *json)
{
	cJSON *m = cJSON_Parse(json);
	int r;

	assert_non_null(m);
	r = app_seats_delta(a, m);
	cJSON_Delete(m);
	return r;
}

static void test_tui_app_money(void **state)
{
	char b[32];

	assert_string_equal(app_money(4500, b, sizeof(b)), "45.00");
	assert_string_equal(app_money(-305, b, sizeof(b)), "-3.05");
	assert_int_equal(app_parse_money("45"), 4500);
	assert_int_equal(app_parse_money("45.5"), 4550);
	assert_int_equal(app_parse_money("0.07"), 7);
	assert_int_equal(app_parse_money("1.234"), -1);
	assert_int_equal(app_parse_money("abc"), -1);
	assert_int_equal(app_parse_money(""), -1);
}

static void test_tui_app_outbox_keeps_order(void **state)
{
	struct app *a = fresh();
	struct app_req r;

	assert_int_equal(app_request(a, RQ_FILMS, 1, "/film/list", cJSON_CreateObject()), 0);
	assert_int_equal(app_request(a, RQ_HALLS, 2, "/hall/list", NULL), 0);
	assert_int_equal(app_take_request(a, &r), 0);
	assert_int_equal(r.tag, RQ_FILMS);
	assert_string_equal(r.body, "{}");
	free(r.body);
	assert_int_equal(app_take_request(a, &r), 0);
	assert_int_equal(r.tag, RQ_HALLS);
	assert_null(r.body);
	assert_int_equal(app_take_request(a, &r), -1);
	done(a);
}

static void test_tui_app_snapshot_draws_states(void **state)
{
	struct app *a = fresh();

	assert_int_equal(a->map.version, 10);
	assert_int_equal(a->map.layout.nrows, 3);
	assert_int_equal(app_seat_state(a, 0, 4), 's');
	assert_int_equal(app_seat_state(a, 1, 1), 'h');
	assert_int_equal(app_seat_state(a, 2, 4), 'b');
	assert_int_equal(app_seat_state(a, 0, 2), '.');
	assert_int_equal(app_seat_state(a, 9, 9), '.');
	done(a);
}

static void test_tui_app_snapshot_of_other_screening_ignored(void **state)
{
	struct app *a = fresh();
	cJSON *s = cJSON_Parse(snapshot);

	cJSON_ReplaceItemInObject(s, "screeningId", cJSON_CreateNumber(8));
	assert_int_equal(app_seats_snapshot(a, s), -1);
	cJSON_Delete(s);
	done(a);
}

static void test_tui_app_delta_applies_ignores_and_detects_gaps(void **state)
{
	struct app *a = fresh();

	/* from <= C < version: applied */
	assert_int_equal(delta(a, "{\"screeningId\":7,\"from\":10,\"version\":11,"
	                          "\"changes\":[{\"seat\":\"A1\",\"state\":\"h\"}]}"),
	                 1);
	assert_int_equal(app_seat_state(a, 0, 0), 'h');
	assert_int_equal(a->map.version, 11);
	/* merged deltas may start before C */
	assert_int_equal(delta(a, "{\"screeningId\":7,\"from\":9,\"version\":13,"
	                          "\"changes\":[{\"seat\":\"A1\",\"state\":\"s\"}]}"),
	                 1);
	assert_int_equal(app_seat_state(a, 0, 0), 's');
	/* version <= C: ignored */
	assert_int_equal(delta(a, "{\"screeningId\":7,\"from\":11,\"version\":12,"
	                          "\"changes\":[{\"seat\":\"A1\",\"state\":\"f\"}]}"),
	                 0);
	assert_int_equal(app_seat_state(a, 0, 0), 's');
	/* from > C: a gap */
	assert_int_equal(delta(a, "{\"screeningId\":7,\"from\":15,\"version\":16,"
	                          "\"changes\":[{\"seat\":\"A2\",\"state\":\"s\"}]}"),
	                 -1);
	assert_int_equal(app_seat_state(a, 0, 1), 'f');
	/* another screening: ignored */
	assert_int_equal(delta(a, "{\"screeningId\":8,\"from\":13,\"version\":14,\"changes\":[]}"),
	                 0);
	done(a);
}

/* Move the cursor to row r, column c and toggle the pick there. */
static enum str_id pick_at(struct app *a, int r, int c)
{
	a->map.cur_r = r;
	a->map.cur_c = c;
	return app_toggle_pick(a);
}

static void test_tui_app_pick_free_and_house_only(void **state)
{
	struct app *a = fresh();

	assert_int_equal(pick_at(a, 0, 0), S_COUNT);
	assert_int_equal(a->map.npicks, 1);
	assert_string_equal(a->map.picks[0].seat, "A1");
	assert_int_equal(pick_at(a, 0, 0), S_COUNT); /* again: unpicked */
	assert_int_equal(a->map.npicks, 0);
	assert_int_equal(pick_at(a, 0, 4), S_SEAT_NOT_FREE); /* A4 sold */
	assert_int_equal(pick_at(a, 2, 3), S_SEAT_NOT_FREE); /* C3 blocked */
	/* C4 house seat, free: staff may sell it */
	assert_int_equal(pick_at(a, 2, 4), S_COUNT);
	assert_string_equal(a->map.picks[0].seat, "C4");
	done(a);
}

static void test_tui_app_taken_pick_dropped_live(void **state)
{
	struct app *a = fresh();

	assert_int_equal(pick_at(a, 0, 1), S_COUNT);
	assert_int_equal(delta(a, "{\"screeningId\":7,\"from\":10,\"version\":11,"
	                          "\"changes\":[{\"seat\":\"A2\",\"state\":\"h\"}]}"),
	                 1);
	assert_int_equal(a->map.npicks, 0);
	assert_int_equal(a->status_kind, ST_ERROR);
	done(a);
}

static void test_tui_app_cursor_skips_aisles(void **state)
{
	struct app *a = fresh();

	a->map.cur_r = 0;
	a->map.cur_c = 1;
	app_cursor_move(a, 0, 1);
	assert_int_equal(a->map.cur_c, 3); /* over the aisle at 2 */
	app_cursor_move(a, 0, 1);
	assert_int_equal(a->map.cur_c, 4);
	app_cursor_move(a, 0, 1); /* the row's end: stays */
	assert_int_equal(a->map.cur_c, 4);
	app_cursor_move(a, 1, 0);
	assert_int_equal(a->map.cur_r, 1);
	app_cursor_move(a, -1, 0);
	assert_int_equal(a->map.cur_r, 0);
	app_cursor_move(a, -1, 0); /* the first row: stays */
	assert_int_equal(a->map.cur_r, 0);
	done(a);
}

static void test_tui_app_layout_verdict(void **state)
{
	struct layout_ed e;

	memset(&e, 0, sizeof(e));
	strcpy(e.rows[0], "SSS.SS");
	strcpy(e.rows[1], "XXWCX");
	e.nrows = 2;
	app_layout_check(&e);
	assert_true(e.ok);
	assert_int_equal(e.seats, 10);
	assert_int_equal(e.sellable, 7);
	strcpy(e.rows[1], "SSQ");
	app_layout_check(&e);
	assert_false(e.ok);
	assert_non_null(strstr(e.verdict, "row B"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tui_app_money),
	    cmocka_unit_test(test_tui_app_outbox_keeps_order),
	    cmocka_unit_test(test_tui_app_snapshot_draws_states),
	    cmocka_unit_test(test_tui_app_snapshot_of_other_screening_ignored),
	    cmocka_unit_test(test_tui_app_delta_applies_ignores_and_detects_gaps),
	    cmocka_unit_test(test_tui_app_pick_free_and_house_only),
	    cmocka_unit_test(test_tui_app_taken_pick_dropped_live),
	    cmocka_unit_test(test_tui_app_cursor_skips_aisles),
	    cmocka_unit_test(test_tui_app_layout_verdict),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
