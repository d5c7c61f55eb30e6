/*
 * it_seat.c: /seat/hold and /seat/release (spec 4.5) against the real
 * daemon: seats and best available, every error of the table (unknown,
 * blocked and house seats, conflicts listed in full, the 10-seat cap, a
 * started or cancelled screening, the layout fence), release by owner,
 * stranger and staff, the version and its publication, expiry by the
 * sweeper, the rate limit, and a revoked token refused at once on the
 * cached token check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"

#define DAY 86400

/* A hall: A has a blocked seat, B house seats, C is plain. */
#define LAYOUT "[\"SSSXSSS\",\"SSHHHSS\",\"SSSSSSS\",\"SSSSSSS\"]"

static int setup(void **state)
{
	(void)state;
	return it_sale_setup("drama", LAYOUT);
}

/* A fresh screening of the test hall, days ahead (each its own slot). */
static int64_t screening(void)
{
	static int n;

	return it_screening_new(it_sale.admin, it_sale.film, it_sale.hall,
	                        time(NULL) + (++n + 1) * DAY);
}

/* The state letter of seat (row, col) in /screening/seats. */
static char state_at(int64_t sid, int row, int col)
{
	char c = it_seat_state(sid, row, col);

	assert_true(c != '?');
	return c;
}

static int64_t version(int64_t sid)
{
	char out[64];

	it_redis(out, sizeof(out), "GET %s", it_rkey("seatver", sid));
	return atoll(out);
}

static struct it_resp *release(const char *tok, int64_t id)
{
	return it_postf("/seat/release", tok, "{\"holdId\":%lld}", (long long)id);
}

static void test_seat_hold_then_release(void **state)
{
	int64_t sid = screening(), id, v0;
	struct it_resp *r;
	const cJSON *seats;

	(void)state;
	v0 = version(sid);
	r = it_ok(it_hold(it_sale.cust, sid, "[\"C3\",\"C4\"]"));
	id = it_data_int(r, "holdId");
	assert_true(id > 0 && id < (INT64_C(1) << 53));
	seats = cJSON_GetObjectItemCaseSensitive(it_data(r), "seats");
	assert_int_equal(cJSON_GetArraySize(seats), 2);
	assert_string_equal(cJSON_GetArrayItem(seats, 0)->valuestring, "C3");
	assert_string_equal(cJSON_GetArrayItem(seats, 1)->valuestring, "C4");
	assert_true(llabs(it_data_int(r, "expireAt") - (time(NULL) + 600)) <= 5);
	it_resp_free(r);
	/* One change, one version. */
	assert_int_equal(version(sid), v0 + 1);
	assert_int_equal(state_at(sid, 2, 2), 'h');
	assert_int_equal(state_at(sid, 2, 3), 'h');
	it_resp_free(it_ok(release(it_sale.cust, id)));
	assert_int_equal(version(sid), v0 + 2);
	assert_int_equal(state_at(sid, 2, 2), 'f');
	assert_int_equal(state_at(sid, 2, 3), 'f');
	/* Released once: a second release finds nothing. */
	it_refused(release(it_sale.cust, id), 404, "not_found", NULL);
}

static void test_seat_hold_lists_every_conflict(void **state)
{
	int64_t sid = screening();
	struct it_resp *r;
	const cJSON *c;

	(void)state;
	it_hold_id(it_sale.cust, sid, "[\"D1\",\"D2\",\"D3\"]");
	r = it_hold(it_sale.cust2, sid, "[\"D3\",\"D4\",\"D1\"]");
	it_assert_error(r, 409, "seat_taken");
	c = cJSON_GetObjectItemCaseSensitive(it_data(r), "conflicts");
	assert_int_equal(cJSON_GetArraySize(c), 2);
	assert_string_equal(cJSON_GetArrayItem(c, 0)->valuestring, "D3");
	assert_string_equal(cJSON_GetArrayItem(c, 1)->valuestring, "D1");
	it_resp_free(r);
	/* All or nothing: D4 stayed free. */
	assert_int_equal(state_at(sid, 3, 3), 'f');
}

static void test_seat_hold_refuses_bad_seats(void **state)
{
	char *tok = it_customer(NULL, NULL); /* its own rate limit */
	int64_t sid = screening();

	(void)state;
	it_refused(it_hold(tok, sid, "[\"A4\"]"), 400, "invalid_field", NULL); /* blocked */
	it_refused(it_hold(tok, sid, "[\"A8\"]"), 400, "invalid_field", NULL); /* no such seat */
	it_refused(it_hold(tok, sid, "[\"c1\"]"), 400, "invalid_field", NULL);
	it_refused(it_hold(tok, sid, "[\"C1\",\"C1\"]"), 400, "invalid_field", NULL);
	it_refused(it_hold(tok, sid, "[]"), 400, "invalid_field", NULL);
	it_refused(it_hold(tok, sid, "[7]"), 400, "invalid_field", NULL);
	it_refused(it_hold(tok, sid, "[\"B3\"]"), 403, "forbidden", NULL); /* house seat */
	it_refused(it_postf("/seat/hold", tok, "{\"screeningId\":%lld}", (long long)sid), 400,
	           "invalid_field", NULL);
	it_refused(it_postf("/seat/hold", tok,
	                    "{\"screeningId\":%lld,\"count\":2,\"seats\":[\"C1\"]}",
	                    (long long)sid),
	           400, "invalid_field", NULL);
	it_refused(
	    it_postf("/seat/hold", tok, "{\"screeningId\":%lld,\"count\":11}", (long long)sid), 400,
	    "invalid_field", NULL);
	it_refused(it_hold(tok, 999999999, "[\"C1\"]"), 404, "not_found", NULL);
	it_refused(it_hold(NULL, sid, "[\"C1\"]"), 401, "unauthorized", NULL);
	/* Staff may hold house seats. */
	it_hold_id(it_sale.cashier, sid, "[\"B3\",\"B4\"]");
	assert_int_equal(state_at(sid, 1, 2), 'h');
	free(tok);
}

static void test_seat_hold_count_picks_best_available(void **state)
{
	int64_t sid = screening();
	struct it_resp *r;
	const cJSON *seats;

	(void)state;
	/* Rows B and C are the middle; B's centre is house seats, so C wins for a customer. */
	r = it_ok(it_postf("/seat/hold", it_sale.cust, "{\"screeningId\":%lld,\"count\":3}",
	                   (long long)sid));
	seats = cJSON_GetObjectItemCaseSensitive(it_data(r), "seats");
	assert_int_equal(cJSON_GetArraySize(seats), 3);
	assert_string_equal(cJSON_GetArrayItem(seats, 0)->valuestring, "C3");
	assert_string_equal(cJSON_GetArrayItem(seats, 2)->valuestring, "C5");
	it_resp_free(r);
	/* Staff get the house seats of row B, nearer the middle. */
	r = it_ok(it_postf("/seat/hold", it_sale.cashier, "{\"screeningId\":%lld,\"count\":3}",
	                   (long long)sid));
	seats = cJSON_GetObjectItemCaseSensitive(it_data(r), "seats");
	assert_string_equal(cJSON_GetArrayItem(seats, 0)->valuestring, "B3");
	it_resp_free(r);
	/* No row has 8 adjacent seats. */
	it_refused(it_postf("/seat/hold", it_sale.cust2, "{\"screeningId\":%lld,\"count\":8}",
	                    (long long)sid),
	           409, "conflict", NULL);
}

static void test_seat_hold_caps_a_customer_at_ten(void **state)
{
	int64_t sid = screening();

	(void)state;
	it_hold_id(it_sale.cust2, sid, "[\"C1\",\"C2\",\"C3\",\"C4\",\"C5\",\"C6\"]");
	it_hold_id(it_sale.cust2, sid, "[\"D1\",\"D2\",\"D3\",\"D4\"]");
	it_conflict(it_hold(it_sale.cust2, sid, "[\"D6\"]"), "hold_limit");
	it_refused(it_hold(it_sale.cust2, sid,
	                   "[\"A1\",\"A2\",\"A3\",\"A5\",\"A6\",\"A7\",\"B1\",\"B2\",\"B6\","
	                   "\"B7\",\"C7\"]"),
	           409, "conflict", NULL);
	/* Another screening has its own count; staff have none. */
	it_hold_id(it_sale.cust2, screening(), "[\"D6\"]");
	it_hold_id(it_sale.cashier, sid,
	           "[\"A1\",\"A2\",\"A3\",\"A5\",\"A6\",\"A7\",\"B1\",\"B2\",\"B6\"]");
	it_hold_id(it_sale.cashier, sid, "[\"B7\",\"C7\"]");
}

static void test_seat_hold_refuses_started_cancelled_and_fenced(void **state)
{
	int64_t sid = screening(), past = it_sql_id();
	char out[64];

	(void)state;
	it_sql_ok(
	    it_sql("INSERT INTO screenings (id, film_id, hall_id, start_at, end_at, prices, "
	           "discounts, status, seats_total, create_time, update_time) VALUES (%lld, "
	           "%lld, %lld, UNIX_TIMESTAMP() - 60, UNIX_TIMESTAMP() + 6000, '{}', '{}', 0, "
	           "24, 0, 0)",
	           (long long)past, (long long)it_sale.film, (long long)it_sale.hall));
	it_conflict(it_hold(it_sale.cust, past, "[\"C1\"]"), "started");

	it_redis(out, sizeof(out), "SET %s 1 PX 30000", it_rkey("seatfence", sid));
	it_conflict(it_hold(it_sale.cust, sid, "[\"C1\"]"), "layout_change");
	it_redis(out, sizeof(out), "DEL %s", it_rkey("seatfence", sid));
	it_hold_id(it_sale.cust, sid, "[\"C1\"]");

	it_resp_free(it_ok(it_postf("/screening/cancel", it_sale.admin,
	                            "{\"id\":%lld,\"reason\":\"projector\"}", (long long)sid)));
	it_conflict(it_hold(it_sale.cust, sid, "[\"C2\"]"), "cancelled");
}

static void test_seat_release_owner_or_staff_only(void **state)
{
	int64_t sid = screening(), id;

	(void)state;
	id = it_hold_id(it_sale.cust, sid, "[\"A1\"]");
	it_refused(release(it_sale.cust2, id), 404, "not_found", NULL);
	it_refused(release(it_sale.cust, 123456789), 404, "not_found", NULL);
	it_refused(it_post("/seat/release", it_sale.cust, "{}"), 400, "invalid_field", NULL);
	assert_int_equal(state_at(sid, 0, 0), 'h');
	it_resp_free(it_ok(release(it_sale.cashier, id)));
	assert_int_equal(state_at(sid, 0, 0), 'f');
}

static void test_seat_hold_expires(void **state)
{
	int64_t sid = screening(), id;
	char out[64];

	(void)state;
	id = it_hold_id(it_sale.cust, sid, "[\"D7\"]");
	assert_int_equal(state_at(sid, 3, 6), 'h');
	/* Make it due now, as hold_ttl later would. */
	it_redis(out, sizeof(out), "HSET %s exp 1", it_rkey("hold", id));
	it_redis(out, sizeof(out), "ZADD %s 1 %lld", it_rkey("holdexp", id), (long long)id);
	it_wait_seat_state(sid, 3, 6, 'f');
	it_refused(release(it_sale.cust, id), 404, "not_found", NULL);
	/* The seat can be held again. */
	it_hold_id(it_sale.cust2, sid, "[\"D7\"]");
}

static void test_seat_hold_rate_limited(void **state)
{
	char *tok = it_customer(NULL, NULL);
	int64_t sid = screening();
	struct it_resp *r = NULL;
	int i;

	(void)state;
	assert_non_null(tok);
	for (i = 0; i < 30; i++) {
		r = it_hold(tok, sid,
		            "[\"A1\",\"A2\",\"A3\",\"A5\",\"A6\",\"A7\",\"C1\",\"C2\",\"C3\","
		            "\"C4\",\"C5\"]");
		/* Over the cap every time: counted, not held. */
		it_assert_error(r, 409, "conflict");
		it_resp_free(r);
	}
	r = it_hold(tok, sid, "[\"A1\"]");
	it_assert_error(r, 429, "rate_limited");
	assert_true(atoi(r->retry_after) >= 1);
	it_resp_free(r);
	free(tok);
}

static void test_seat_hold_refuses_a_revoked_token_at_once(void **state)
{
	const char *mobile;
	char *tok = it_customer(NULL, &mobile);
	char body[256];
	int64_t sid = screening();

	(void)state;
	assert_non_null(tok);
	it_hold_id(tok, sid, "[\"A5\"]"); /* the token state is cached now */
	snprintf(body, sizeof(body), "{\"oldPassword\":\"%s\",\"password\":\"another-pass-1\"}",
	         IT_PASSWORD);
	it_post_ok("/user/update/pass", tok, body);
	it_refused(it_hold(tok, sid, "[\"A6\"]"), 401, "token_expired", NULL);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seat_hold_then_release),
	    cmocka_unit_test(test_seat_hold_lists_every_conflict),
	    cmocka_unit_test(test_seat_hold_refuses_bad_seats),
	    cmocka_unit_test(test_seat_hold_count_picks_best_available),
	    cmocka_unit_test(test_seat_hold_caps_a_customer_at_ten),
	    cmocka_unit_test(test_seat_hold_refuses_started_cancelled_and_fenced),
	    cmocka_unit_test(test_seat_release_owner_or_staff_only),
	    cmocka_unit_test(test_seat_hold_expires),
	    cmocka_unit_test(test_seat_hold_rate_limited),
	    cmocka_unit_test(test_seat_hold_refuses_a_revoked_token_at_once),
	};

	return cmocka_run_group_tests(tests, setup, it_sale_teardown);
}
