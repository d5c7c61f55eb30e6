/*
 * test_tui_actions.c: what keys, answers and WebSocket messages do to the
 * client's state and which requests they send, without a terminal or a
 * network: the login (staff only), the sale (hold -> order -> counter
 * payment -> tickets), check-in, shift close, admin forms and the errors
 * shown in words.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "actions.h"
#include "proto_wire.h"

static struct app *fresh(void)
{
	struct app *a = malloc(sizeof(*a));

	assert_non_null(a);
	app_init(a);
	a->now = 1700000000;
	a->now_ms = 1000;
	i18n_set(I18N_EN);
	actions_go(a, SCR_LOGIN);
	return a;
}

static void done(struct app *a)
{
	app_release(a);
	free(a);
}

static void type(struct app *a, const char *s)
{
	for (; *s; s++)
		actions_key(a, (unsigned char)*s);
}

/* The ctx of the first page of today's screenings (actions.c screenings_ctx). */
#define TODAY_PAGE1 ((int64_t)100000 * 1000 + 1)

/* Take queued requests until one with tag; its body parsed (caller deletes), or fail. */
static cJSON *expect_req(struct app *a, enum req_tag tag, const char *path)
{
	struct app_req r;

	while (app_take_request(a, &r) == 0) {
		if (r.tag == tag) {
			cJSON *b = r.body ? cJSON_Parse(r.body) : cJSON_CreateObject();
			assert_string_equal(r.path, path);
			free(r.body);
			return b;
		}
		free(r.body);
	}
	print_error("no request with tag %d (%s)\n", tag, path);
	fail();
	return NULL;
}

/* Type text into the open form, submit it with Enter: the request of tag (see expect_req). */
static cJSON *submit(struct app *a, const char *text, enum req_tag tag, const char *path)
{
	type(a, text);
	actions_key(a, KEY_ENTER_);
	return expect_req(a, tag, path);
}

static void drain(struct app *a)
{
	struct app_req r;

	while (app_take_request(a, &r) == 0)
		free(r.body);
}

static void answer(struct app *a, enum req_tag tag, int64_t ctx, long status, const char *body)
{
	a->inflight++;
	actions_response(a, tag, ctx, status, body, NULL);
}

static struct app *logged_in(const char *role)
{
	struct app *a = fresh();
	char body[256];

	snprintf(body, sizeof(body),
	         "{\"code\":200,\"msg\":\"OK\",\"data\":{\"accessToken\":\"tok\",\"role\":\"%s\"}}",
	         role);
	answer(a, RQ_LOGIN, 0, 200, body);
	drain(a);
	return a;
}

static long long num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_true(cJSON_IsNumber(v));
	return (long long)v->valuedouble;
}

static const char *str(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
	assert_true(cJSON_IsString(v));
	return v->valuestring;
}

static void test_tui_actions_login_sends_admin_login(void **state)
{
	struct app *a = fresh();
	cJSON *b;

	type(a, "13900000000");
	actions_key(a, KEY_TAB_);
	b = submit(a, "secret-123", RQ_LOGIN, PROTO_PATH_ADMIN_LOGIN);
	assert_string_equal(str(b, "mobile"), "13900000000");
	assert_string_equal(str(b, "password"), "secret-123");
	cJSON_Delete(b);
	done(a);
}

static void test_tui_actions_login_refuses_customer(void **state)
{
	struct app *a = fresh();

	answer(a, RQ_LOGIN, 0, 403,
	       "{\"code\":403,\"msg\":\"staff only\",\"error\":\"forbidden\"}");
	assert_int_equal(a->screen, SCR_LOGIN);
	assert_string_equal(a->token, "");
	assert_non_null(strstr(a->status, "customer account"));
	/* a customer token from a server that answers anyway is not kept either */
	answer(a, RQ_LOGIN, 0, 200,
	       "{\"code\":200,\"data\":{\"accessToken\":\"t\",\"role\":\"customer\"}}");
	assert_string_equal(a->token, "");
	assert_int_equal(a->screen, SCR_LOGIN);
	done(a);
}

static void test_tui_actions_login_as_cashier_goes_home(void **state)
{
	struct app *a = fresh();
	cJSON *b;

	answer(a, RQ_LOGIN, 0, 200,
	       "{\"code\":200,\"data\":{\"accessToken\":\"tok\",\"role\":\"cashier\"}}");
	assert_int_equal(a->screen, SCR_HOME);
	assert_string_equal(a->token, "tok");
	b = expect_req(a, RQ_SCREENINGS, PROTO_PATH_SCREENING_LIST);
	assert_true(num(b, "to") > num(b, "from"));
	cJSON_Delete(b);
	/* cashiers have no admin screens */
	actions_key(a, KEY_F_(6));
	assert_int_equal(a->screen, SCR_HOME);
	done(a);
}

static const char *screenings =
    "{\"code\":200,\"data\":{\"list\":[{\"id\":7,\"filmName\":\"Iron Meridian\","
    "\"hallName\":\"Hall 2\",\"startAt\":1700003600,\"status\":\"scheduled\","
    "\"discounts\":{\"child\":30},\"seatsFree\":9,\"seatsTotal\":10}],\"total\":1}}";
static const char *seats = "{\"code\":200,\"data\":{\"screeningId\":7,\"version\":3,"
                           "\"layout\":[\"SSSSS\",\"SSSSS\"],\"state\":[\"fffff\",\"fffff\"]}}";

static struct app *on_seat_map(void)
{
	struct app *a = logged_in("cashier");

	answer(a, RQ_SCREENINGS, TODAY_PAGE1, 200, screenings);
	actions_key(a, KEY_ENTER_);
	assert_int_equal(a->screen, SCR_SEATS);
	assert_int_equal(a->ws_want, 7);
	drain(a);
	answer(a, RQ_SEATS, 7, 200, seats);
	assert_true(a->map.loaded);
	return a;
}

static void test_tui_actions_sale_hold_order_pay(void **state)
{
	struct app *a = on_seat_map();
	cJSON *b, *items;

	a->map.cur_r = 0;
	a->map.cur_c = 1;
	actions_key(a, ' ');
	actions_key(a, KEY_RIGHT_);
	actions_key(a, ' ');
	actions_key(a, 't'); /* A3 becomes child */
	assert_int_equal(a->map.npicks, 2);
	actions_key(a, KEY_ENTER_);
	b = expect_req(a, RQ_HOLD, PROTO_PATH_SEAT_HOLD);
	assert_int_equal(num(b, "screeningId"), 7);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(b, "seats")), 2);
	cJSON_Delete(b);
	answer(a, RQ_HOLD, 1, 200,
	       "{\"code\":200,\"data\":{\"holdId\":55,\"seats\":[\"A2\",\"A3\"],"
	       "\"expireAt\":1700000600}}");
	assert_int_equal(a->map.hold_id, 55);
	b = expect_req(a, RQ_ORDER_CREATE, PROTO_PATH_ORDER_CREATE);
	assert_int_equal(num(b, "holdId"), 55);
	items = cJSON_GetObjectItem(b, "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_string_equal(str(cJSON_GetArrayItem(items, 1), "ticketType"), "child");
	assert_non_null(strstr(str(b, "idempotencyKey"), "55"));
	cJSON_Delete(b);
	answer(a, RQ_ORDER_CREATE, 55, 200,
	       "{\"code\":200,\"data\":{\"id\":900,\"status\":4,\"statusText\":\"pending\","
	       "\"amount\":7650,\"expireAt\":1700000720}}");
	assert_int_equal(a->screen, SCR_PAY);
	assert_int_equal(a->order.amount, 7650);
	/* no payment while the order is pending */
	actions_key(a, KEY_ENTER_);
	assert_int_equal(a->nout, 0);
	a->order.status = PROTO_ORDER_UNPAID;
	b = submit(a, "100", RQ_PAY, PROTO_PATH_PAY_CREATE);
	assert_int_equal(num(b, "oid"), 900);
	assert_int_equal(num(b, "source"), 0);
	assert_string_equal(str(b, "method"), "cash");
	assert_int_equal(num(b, "tendered"), 10000);
	cJSON_Delete(b);
	answer(a, RQ_PAY, 900, 200,
	       "{\"code\":200,\"data\":{\"id\":3,\"amount\":7650,\"change\":2350}}");
	assert_int_equal(a->order.change, 2350);
	/* the order turns paid live; its tickets are fetched and shown */
	actions_ws_message(a, "{\"type\":\"order.update\",\"orderId\":900,\"status\":1,"
	                      "\"statusText\":\"paid\"}");
	b = expect_req(a, RQ_ORDER_DETAIL, PROTO_PATH_ORDER_DETAIL);
	assert_int_equal(num(b, "id"), 900);
	cJSON_Delete(b);
	answer(a, RQ_ORDER_DETAIL, 900, 200,
	       "{\"code\":200,\"data\":{\"id\":900,\"status\":1,\"amount\":7650,\"items\":["
	       "{\"seat\":\"A2\",\"ticketType\":\"adult\",\"price\":4500,\"ticketCode\":"
	       "\"ABCDEFGHJKLM\"}]}}");
	assert_int_equal(a->screen, SCR_TICKET);
	done(a);
}

static void test_tui_actions_home_filter_by_film(void **state)
{
	struct app *a = logged_in("cashier");
	cJSON *b;

	actions_key(a, '/');
	b = submit(a, "Paper", RQ_SCREENINGS, PROTO_PATH_SCREENING_LIST);
	cJSON_Delete(b);
	answer(a, RQ_SCREENINGS, TODAY_PAGE1, 200,
	       "{\"code\":200,\"data\":{\"list\":[{\"id\":1,\"filmName\":\"Iron Meridian\"},"
	       "{\"id\":2,\"filmName\":\"Paper Lanterns\"}],\"total\":2}}");
	assert_int_equal(app_list_count(&a->screenings), 1);
	assert_int_equal(
	    (int)cJSON_GetObjectItem(app_list_selected(&a->screenings), "id")->valuedouble, 2);
	done(a);
}

static void test_tui_actions_seat_taken_refreshes_map(void **state)
{
	struct app *a = on_seat_map();

	actions_key(a, ' ');
	actions_key(a, KEY_ENTER_);
	drain(a);
	answer(a, RQ_HOLD, 1, 409,
	       "{\"code\":409,\"msg\":\"taken\",\"error\":\"seat_taken\","
	       "\"data\":{\"conflicts\":[\"A1\"]}}");
	assert_int_equal(a->status_kind, ST_ERROR);
	assert_non_null(strstr(a->status, "A1"));
	cJSON_Delete(expect_req(a, RQ_SEATS, PROTO_PATH_SCREENING_SEATS));
	done(a);
}

static void test_tui_actions_best_available_by_count(void **state)
{
	struct app *a = on_seat_map();
	cJSON *b;

	actions_key(a, 'b');
	actions_key(a, KEY_BACKSPACE_);
	b = submit(a, "3", RQ_HOLD, PROTO_PATH_SEAT_HOLD);
	assert_int_equal(num(b, "count"), 3);
	assert_null(cJSON_GetObjectItem(b, "seats"));
	cJSON_Delete(b);
	answer(a, RQ_HOLD, 0, 200,
	       "{\"code\":200,\"data\":{\"holdId\":8,\"seats\":[\"B2\",\"B3\",\"B4\"],"
	       "\"expireAt\":1700000600}}");
	assert_int_equal(a->map.npicks, 3);
	assert_true(a->map.held);
	assert_int_equal(a->nout, 0); /* no order until Enter */
	done(a);
}

static void test_tui_actions_ws_gap_resubscribes(void **state)
{
	struct app *a = on_seat_map();

	actions_ws_message(a, "{\"type\":\"seats.snapshot\",\"screeningId\":7,\"version\":3,"
	                      "\"layout\":[\"SSSSS\",\"SSSSS\"],\"state\":[\"fffff\",\"fffff\"]}");
	assert_true(a->map.live);
	actions_ws_message(a, "{\"type\":\"seats.delta\",\"screeningId\":7,\"from\":5,"
	                      "\"version\":6,\"changes\":[]}");
	assert_true(a->ws_resub);
	assert_false(a->map.live);
	actions_ws_state(a, 0);
	assert_false(a->ws_up);
	done(a);
}

static void test_tui_actions_checkin_verdicts(void **state)
{
	struct app *a = logged_in("cashier");
	cJSON *b;

	actions_key(a, KEY_F_(3));
	assert_int_equal(a->screen, SCR_CHECKIN);
	b = submit(a, "ABCDEFGHJKLM", RQ_CHECKIN, PROTO_PATH_TICKET_CHECKIN);
	assert_string_equal(str(b, "code"), "ABCDEFGHJKLM");
	cJSON_Delete(b);
	assert_string_equal(a->form.f[0].value, ""); /* ready for the next scan */
	answer(a, RQ_CHECKIN, 0, 200,
	       "{\"code\":200,\"data\":{\"result\":\"already_used\",\"seat\":\"C7\","
	       "\"film\":\"X\",\"usedAt\":1699999000}}");
	assert_int_equal(a->checkin.result, CHK_ALREADY_USED);
	assert_int_equal(a->checkin.used_at, 1699999000);
	answer(a, RQ_CHECKIN, 0, 404, "{\"code\":404,\"error\":\"not_found\",\"msg\":\"x\"}");
	assert_int_equal(a->checkin.result, CHK_UNKNOWN);
	done(a);
}

static void test_tui_actions_shift_close_needs_confirmation(void **state)
{
	struct app *a = logged_in("cashier");
	cJSON *b;

	actions_key(a, KEY_F_(4));
	drain(a);
	answer(a, RQ_SHIFT_CURRENT, 0, 200,
	       "{\"code\":200,\"data\":{\"id\":1,\"openedAt\":1699990000,\"float\":10000,"
	       "\"sales\":{\"cash\":9000},\"refunds\":0,\"expectedCash\":19000}}");
	assert_true(a->shift.open);
	actions_key(a, 'x');
	type(a, "185");
	actions_key(a, KEY_ENTER_);
	assert_int_equal(a->nout, 0); /* nothing sent before y */
	assert_true(a->shift.confirm);
	actions_key(a, 'y');
	b = expect_req(a, RQ_SHIFT_CLOSE, PROTO_PATH_SHIFT_CLOSE);
	assert_int_equal(num(b, "counted"), 18500);
	cJSON_Delete(b);
	answer(a, RQ_SHIFT_CLOSE, 0, 200,
	       "{\"code\":200,\"data\":{\"expectedCash\":19000,\"counted\":18500,"
	       "\"variance\":-500}}");
	assert_true(a->shift.closed);
	assert_int_equal(a->shift.close_variance, -500);
	done(a);
}

static void test_tui_actions_admin_film_form_and_field_error(void **state)
{
	struct app *a = logged_in("admin");
	cJSON *b;

	actions_key(a, KEY_F_(6));
	assert_int_equal(a->screen, SCR_ADMIN);
	actions_key(a, KEY_ENTER_); /* Films */
	assert_int_equal(a->screen, SCR_FILMS);
	drain(a);
	actions_key(a, 'n');
	assert_int_equal(a->form.purpose, FORM_FILM_NEW);
	b = submit(a, "Paper Lanterns", RQ_FILM_SAVE, PROTO_PATH_FILM_CREATE);
	assert_string_equal(str(b, "name"), "Paper Lanterns");
	assert_int_equal(num(b, "amount"), 4500);
	assert_int_equal(num(b, "isSelectSeat"), 1);
	cJSON_Delete(b);
	answer(a, RQ_FILM_SAVE, 0, 400,
	       "{\"code\":400,\"msg\":\"bad\",\"error\":\"invalid_field\",\"data\":{\"field\":"
	       "\"desc\"}}");
	assert_int_equal(a->form.purpose, FORM_FILM_NEW); /* stays open */
	assert_true(form_field(a, "desc")->bad);
	assert_non_null(strstr(a->status, "desc"));
	answer(a, RQ_FILM_SAVE, 0, 200, "{\"code\":200,\"data\":{\"id\":1009}}");
	assert_int_equal(a->form.purpose, FORM_NONE);
	assert_non_null(strstr(a->status, "1009"));
	done(a);
}

static void test_tui_actions_layout_editor_saves_valid_only(void **state)
{
	struct app *a = logged_in("admin");
	cJSON *b;

	actions_go(a, SCR_HALLS);
	drain(a);
	actions_key(a, 'n');
	assert_int_equal(a->screen, SCR_LAYOUT);
	assert_true(a->led.ok);
	a->led.cc = 3;
	type(a, ".");
	assert_true(a->led.ok);
	actions_key(a, '+');
	actions_key(a, KEY_F_(2)); /* no name yet: asks for it */
	assert_int_equal(a->form.purpose, FORM_HALL_NAME);
	type(a, "Studio 9");
	actions_key(a, KEY_ENTER_);
	actions_key(a, KEY_F_(2));
	b = expect_req(a, RQ_HALL_SAVE, PROTO_PATH_HALL_CREATE);
	assert_string_equal(str(b, "name"), "Studio 9");
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(b, "layout")), 2);
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(b, "layout"), 0)->valuestring,
	                    "SSS.SSSSSS");
	cJSON_Delete(b);
	/* an all-blocked layout is refused locally by the same parser */
	for (int r = 0; r < a->led.nrows; r++)
		memset(a->led.rows[r], 'X', strlen(a->led.rows[r]));
	actions_key(a, KEY_F_(2));
	assert_int_equal(a->nout, 0);
	assert_int_equal(a->status_kind, ST_ERROR);
	done(a);
}

static void test_tui_actions_screening_overlap_in_words(void **state)
{
	struct app *a = logged_in("admin");

	actions_go(a, SCR_SCHED);
	answer(a, RQ_HALLS, 0, 200,
	       "{\"code\":200,\"data\":{\"list\":[{\"id\":2,\"name\":\"H\"}]}}");
	drain(a);
	actions_key(a, 'n');
	type(a, "1001");
	actions_key(a, KEY_ENTER_);
	{
		cJSON *b = expect_req(a, RQ_SCREENING_CREATE, PROTO_PATH_SCREENING_CREATE);
		assert_int_equal(num(b, "hallId"), 2);
		assert_int_equal(num(b, "filmId"), 1001);
		cJSON_Delete(b);
	}
	answer(a, RQ_SCREENING_CREATE, 0, 409,
	       "{\"code\":409,\"error\":\"conflict\",\"msg\":\"overlap\",\"data\":{\"reason\":"
	       "\"overlap\"}}");
	assert_non_null(strstr(a->status, "Overlaps"));
	done(a);
}

static void test_tui_actions_reports_degrade_on_404(void **state)
{
	struct app *a = logged_in("admin");

	actions_go(a, SCR_REPORTS);
	drain(a);
	answer(a, RQ_REPORT_SALES, 0, 404, "{\"code\":404,\"error\":\"not_found\",\"msg\":\"no\"}");
	assert_true(a->report_missing);
	assert_non_null(strstr(a->status, "not available"));
	done(a);
}

/* A day past the first page: every page is fetched and the list grows. */
static void test_tui_actions_screenings_every_page(void **state)
{
	struct app *a = logged_in("cashier");
	cJSON *b;

	drain(a);
	answer(a, RQ_SCREENINGS, TODAY_PAGE1, 200,
	       "{\"code\":200,\"data\":{\"list\":[{\"id\":7,\"filmName\":\"A\"}],"
	       "\"total\":101}}");
	assert_int_equal(app_list_count(&a->screenings), 1);
	b = expect_req(a, RQ_SCREENINGS, PROTO_PATH_SCREENING_LIST);
	assert_int_equal(num(b, "page"), 2);
	cJSON_Delete(b);
	answer(a, RQ_SCREENINGS, TODAY_PAGE1 + 1, 200,
	       "{\"code\":200,\"data\":{\"list\":[{\"id\":8,\"filmName\":\"B\"}],"
	       "\"total\":101}}");
	assert_int_equal(app_list_count(&a->screenings), 2);
	done(a);
}

static void test_tui_actions_expired_token_back_to_login(void **state)
{
	struct app *a = logged_in("cashier");

	answer(a, RQ_SCREENINGS, TODAY_PAGE1, 401,
	       "{\"code\":401,\"error\":\"token_expired\",\"msg\":\"expired\"}");
	assert_int_equal(a->screen, SCR_LOGIN);
	assert_string_equal(a->token, "");
	done(a);
}

static void test_tui_actions_network_failure_in_words(void **state)
{
	struct app *a = logged_in("cashier");

	a->inflight++;
	actions_response(a, RQ_SCREENINGS, TODAY_PAGE1, 0, NULL, "Couldn't connect to server");
	assert_int_equal(a->status_kind, ST_ERROR);
	assert_non_null(strstr(a->status, "Couldn't connect"));
	assert_int_equal(a->inflight, 0);
	done(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_tui_actions_login_sends_admin_login),
	    cmocka_unit_test(test_tui_actions_login_refuses_customer),
	    cmocka_unit_test(test_tui_actions_login_as_cashier_goes_home),
	    cmocka_unit_test(test_tui_actions_sale_hold_order_pay),
	    cmocka_unit_test(test_tui_actions_home_filter_by_film),
	    cmocka_unit_test(test_tui_actions_seat_taken_refreshes_map),
	    cmocka_unit_test(test_tui_actions_best_available_by_count),
	    cmocka_unit_test(test_tui_actions_ws_gap_resubscribes),
	    cmocka_unit_test(test_tui_actions_checkin_verdicts),
	    cmocka_unit_test(test_tui_actions_shift_close_needs_confirmation),
	    cmocka_unit_test(test_tui_actions_admin_film_form_and_field_error),
	    cmocka_unit_test(test_tui_actions_layout_editor_saves_valid_only),
	    cmocka_unit_test(test_tui_actions_screening_overlap_in_words),
	    cmocka_unit_test(test_tui_actions_reports_degrade_on_404),
	    cmocka_unit_test(test_tui_actions_screenings_every_page),
	    cmocka_unit_test(test_tui_actions_expired_token_back_to_login),
	    cmocka_unit_test(test_tui_actions_network_failure_in_words),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
