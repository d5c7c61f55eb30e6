/*
 * it_order.c: the order routes of spec 4.6 and the order consumer of spec
 * 5 against the real daemon and the embedded Kafka: a seated order answered
 * pending at once, visible at once, written unpaid by the consumer with the
 * server's prices; every error of /order/create; the idempotency key;
 * general admission from the stock counter down to sold out; remove and
 * update with their conflicts; the lists; the unique live-ticket key as the
 * final guard (seat_taken); expiry of unpaid orders by the sweeper.
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

#define LAYOUT "[\"SSSSSS\",\"VVHHVV\",\"SSSSSS\"]"

static int setup(void **state)
{
	(void)state;
	return it_sale_setup("comedy", LAYOUT);
}

/* A screening with prices S 4000, V 6000 and a child discount of 50 %. */
static int64_t screening(void)
{
	static int n;

	return it_created_id(it_postf(
	    "/screening/create", it_sale.admin,
	    "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld,\"prices\":{\"S\":4000,\"V\":6000},"
	    "\"discounts\":{\"child\":50}}",
	    (long long)it_sale.film, (long long)it_sale.hall,
	    (long long)(time(NULL) + (++n + 1) * DAY)));
}

static struct it_resp *detail(const char *tok, int64_t id)
{
	return it_postf("/order/detail", tok, "{\"id\":%lld}", (long long)id);
}

/*
 * Poll /order/detail until status is want (10 s; the second daemons tests
 * start do not consume, so no rebalance holds an order); returns the answer.
 */
static struct it_resp *wait_status(const char *tok, int64_t id, int want)
{
	struct it_resp *r = NULL;
	int i;

	for (i = 0; i < 200; i++) {
		r = it_ok(detail(tok, id));
		if (it_data_int(r, "status") == want)
			return r;
		it_resp_free(r);
		usleep(50000);
	}
	print_error("order %lld never reached status %d\n", (long long)id, want);
	fail();
	return NULL;
}

/* it_sale.cust holds seats of screening sid and orders them as items; waits until unpaid. */
static int64_t unpaid(int64_t sid, const char *seats, const char *items)
{
	int64_t oid = it_order_id(it_sale.cust, it_hold_id(it_sale.cust, sid, seats), items);

	it_resp_free(wait_status(it_sale.cust, oid, 0));
	return oid;
}

static void test_order_seated_pending_then_unpaid(void **state)
{
	int64_t sid = screening(), hid, oid;
	struct it_resp *r;
	const cJSON *items;

	(void)state;
	hid = it_hold_id(it_sale.cust, sid, "[\"B1\",\"B2\"]");
	r = it_ok(it_order(it_sale.cust, hid,
	                   "[{\"seat\":\"B1\",\"ticketType\":\"adult\"},"
	                   "{\"seat\":\"B2\",\"ticketType\":\"child\"}]"));
	oid = it_data_int(r, "id");
	assert_true(oid > 0);
	assert_int_equal(it_data_int(r, "status"), 4);
	assert_string_equal(it_data_str(r, "statusText"), "pending");
	/* V 6000 adult + V 6000 at 50 % off. */
	assert_int_equal(it_data_int(r, "amount"), 9000);
	assert_true(llabs(it_data_int(r, "expireAt") - (time(NULL) + 600 + 120)) <= 5);
	it_resp_free(r);
	/* Visible at once, whatever the consumer did yet. */
	r = it_ok(detail(it_sale.cust, oid));
	assert_true(it_data_int(r, "status") == 4 || it_data_int(r, "status") == 0);
	assert_int_equal(it_data_int(r, "amount"), 9000);
	it_resp_free(r);
	r = wait_status(it_sale.cust, oid, 0);
	assert_string_equal(it_data_str(r, "statusText"), "unpaid");
	assert_int_equal(it_data_int(r, "screeningId"), sid);
	assert_int_equal(it_data_int(r, "fid"), it_sale.film);
	items = cJSON_GetObjectItemCaseSensitive(it_data(r), "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_string_equal(it_json_str(cJSON_GetArrayItem(items, 1), "ticketType"), "child");
	assert_int_equal(it_json_int(cJSON_GetArrayItem(items, 1), "price"), 3000);
	it_resp_free(r);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND live = 1",
	               (long long)oid),
	    2);
	/* The tickets hold the seats now: still held, not holdable, the hold is gone. */
	assert_int_equal(it_seat_state(sid, 1, 0), 'h');
	it_refused(it_postf("/seat/hold", it_sale.cust2,
	                    "{\"screeningId\":%lld,\"seats\":[\"B1\"]}", (long long)sid),
	           409, "seat_taken", NULL);
	it_refused(it_postf("/seat/release", it_sale.cust, "{\"holdId\":%lld}", (long long)hid),
	           404, "not_found", NULL);
	/* Another customer does not see it; staff do. */
	it_refused(detail(it_sale.cust2, oid), 404, "not_found", NULL);
	it_resp_free(it_ok(detail(it_sale.cashier, oid)));
}

static void test_order_create_errors(void **state)
{
	int64_t sid = screening(), hid;
	struct it_resp *r;
	char out[64];

	(void)state;
	hid = it_hold_id(it_sale.cust, sid, "[\"A1\",\"A2\"]");
	/* items must cover exactly the held seats, with known ticket types */
	it_refused(it_order(it_sale.cust, hid, "[{\"seat\":\"A1\"}]"), 400, "invalid_field", NULL);
	it_refused(it_order(it_sale.cust, hid, "[{\"seat\":\"A1\"},{\"seat\":\"A3\"}]"), 400,
	           "invalid_field", NULL);
	it_refused(it_order(it_sale.cust, hid, "[{\"seat\":\"A1\"},{\"seat\":\"A1\"}]"), 400,
	           "invalid_field", NULL);
	it_refused(it_order(it_sale.cust, hid,
	                    "[{\"seat\":\"A1\"},{\"seat\":\"A2\",\"ticketType\":\"senior\"}]"),
	           400, "invalid_field", NULL);
	it_refused(it_post("/order/create", it_sale.cust, "{}"), 400, "invalid_field", NULL);
	/* another customer's hold */
	it_refused(it_order(it_sale.cust2, hid, "[{\"seat\":\"A1\"},{\"seat\":\"A2\"}]"), 404,
	           "not_found", NULL);
	/* a hold that is gone, or expired */
	it_refused(it_order(it_sale.cust, 424242, "[{\"seat\":\"A1\"}]"), 410, "hold_expired",
	           NULL);
	it_redis(out, sizeof(out), "HSET %s exp 1", it_rkey("hold", hid));
	it_refused(it_order(it_sale.cust, hid, "[{\"seat\":\"A1\"},{\"seat\":\"A2\"}]"), 410,
	           "hold_expired", NULL);
	/* ordered twice */
	hid = it_hold_id(it_sale.cust, sid, "[\"A5\"]");
	it_resp_free(it_ok(it_order(it_sale.cust, hid, "[{\"seat\":\"A5\"}]")));
	r = it_order(it_sale.cust, hid, "[{\"seat\":\"A5\"}]");
	if (r->status == 409) {
		assert_string_equal(it_err(r), "conflict");
	} else {
		/* the consumer was quicker: the hold became the tickets */
		it_assert_error(r, 410, "hold_expired");
	}
	it_resp_free(r);
}

static void test_order_idempotency_key(void **state)
{
	int64_t sid = screening(), hid, a, b;
	struct it_resp *r;
	const char *key = it_unique("idem-");
	char body[256];

	(void)state;
	hid = it_hold_id(it_sale.cust, sid, "[\"C1\"]");
	snprintf(body, sizeof(body),
	         "{\"holdId\":%lld,\"items\":[{\"seat\":\"C1\"}],\"idempotencyKey\":\"%s\"}",
	         (long long)hid, key);
	r = it_ok(it_post("/order/create", it_sale.cust, body));
	a = it_data_int(r, "id");
	it_resp_free(r);
	r = it_ok(it_post("/order/create", it_sale.cust, body));
	b = it_data_int(r, "id");
	assert_int_equal(it_data_int(r, "status"), 4);
	it_resp_free(r);
	assert_int_equal(a, b);
	it_resp_free(wait_status(it_sale.cust, a, 0));
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM orders WHERE uid = %lld AND "
	                            "idempotency_key = '%s'",
	                            (long long)it_sale.cust_uid, key),
	                 1);
}

static void test_order_general_admission_until_sold_out(void **state)
{
	int64_t fid = it_sql_id(), oid;
	struct it_resp *r;

	(void)state;
	it_sql_ok(it_sql("INSERT INTO films (id, name, length, amount, stock, is_select_seat, "
	                 "create_time, update_time) VALUES (%lld, '%s', 90, 2500, 3, 0, 0, 0)",
	                 (long long)fid, it_unique("ga-")));
	r = it_ok(it_postf("/order/create", it_sale.cust, "{\"fid\":%lld,\"quantity\":2}",
	                   (long long)fid));
	oid = it_data_int(r, "id");
	assert_int_equal(it_data_int(r, "amount"), 5000);
	assert_int_equal(it_data_int(r, "status"), 4);
	it_resp_free(r);
	it_conflict(it_postf("/order/create", it_sale.cust2, "{\"fid\":%lld,\"quantity\":2}",
	                     (long long)fid),
	            "sold_out");
	it_resp_free(wait_status(it_sale.cust, oid, 0));
	assert_int_equal(it_sql_int("SELECT stock FROM films WHERE id = %lld", (long long)fid), 1);
	it_postf_ok("/order/create", it_sale.cust2, "{\"fid\":%lld}", (long long)fid);
	it_refused(it_postf("/order/create", it_sale.cust2, "{\"fid\":%lld}", (long long)fid), 409,
	           "conflict", NULL);
	/* A film sold by seat has no general admission. */
	it_refused(
	    it_postf("/order/create", it_sale.cust2, "{\"fid\":%lld}", (long long)it_sale.film),
	    400, "invalid_field", NULL);
	it_refused(it_postf("/order/create", it_sale.cust2, "{\"fid\":%lld,\"quantity\":0}",
	                    (long long)fid),
	           400, "invalid_field", NULL);
}

static void test_order_remove_frees_the_seats(void **state)
{
	int64_t sid = screening(), oid;
	struct it_resp *r;

	(void)state;
	oid = unpaid(sid, "[\"C5\",\"C6\"]", "[{\"seat\":\"C5\"},{\"seat\":\"C6\"}]");
	it_refused(it_postf("/order/remove", it_sale.cust2, "{\"id\":%lld}", (long long)oid), 404,
	           "not_found", NULL);
	it_resp_free(
	    it_ok(it_postf("/order/remove", it_sale.cust, "{\"id\":%lld}", (long long)oid)));
	r = it_ok(detail(it_sale.cust, oid));
	assert_int_equal(it_data_int(r, "status"), 2);
	assert_string_equal(it_data_str(r, "reason"), "cancelled");
	it_resp_free(r);
	assert_int_equal(it_seat_state(sid, 2, 4), 'f');
	assert_int_equal(it_seat_state(sid, 2, 5), 'f');
	/* The seats can be held again. */
	it_hold_id(it_sale.cust2, sid, "[\"C5\",\"C6\"]");
}

static void test_order_remove_pending_and_paid(void **state)
{
	int64_t sid = screening(), hid, oid;

	(void)state;
	/* Removed right away: it may still be pending; the cancel follows it on its partition. */
	hid = it_hold_id(it_sale.cust, sid, "[\"A3\"]");
	oid = it_order_id(it_sale.cust, hid, "[{\"seat\":\"A3\"}]");
	it_resp_free(
	    it_ok(it_postf("/order/remove", it_sale.cust, "{\"id\":%lld}", (long long)oid)));
	it_resp_free(wait_status(it_sale.cust, oid, 2));
	it_wait_seat_state(sid, 0, 2, 'f');
	/* A paid order is refunded, never removed. */
	oid = unpaid(sid, "[\"A4\"]", "[{\"seat\":\"A4\"}]");
	it_sql_ok(it_sql("UPDATE orders SET status = 1 WHERE id = %lld", (long long)oid));
	it_refused(it_postf("/order/remove", it_sale.cust, "{\"id\":%lld}", (long long)oid), 409,
	           "conflict", NULL);
	it_listed(it_post("/order/paid/list", it_sale.cust, NULL), oid, 1);
}

static void test_order_update_admin_only_to_invalid(void **state)
{
	int64_t sid = screening(), oid;

	(void)state;
	oid = unpaid(sid, "[\"A6\"]", "[{\"seat\":\"A6\"}]");
	it_refused(
	    it_postf("/order/update", it_sale.cust, "{\"id\":%lld,\"status\":2}", (long long)oid),
	    403, "forbidden", NULL);
	it_refused(
	    it_postf("/order/update", it_sale.admin, "{\"id\":%lld,\"status\":1}", (long long)oid),
	    409, "conflict", NULL);
	it_resp_free(it_ok(it_postf("/order/update", it_sale.admin, "{\"id\":%lld,\"status\":2}",
	                            (long long)oid)));
	it_refused(
	    it_postf("/order/update", it_sale.admin, "{\"id\":%lld,\"status\":2}", (long long)oid),
	    409, "conflict", NULL);
	it_wait_seat_state(sid, 0, 5, 'f');
}

static void test_order_list_newest_first(void **state)
{
	char *tok = it_customer(NULL, NULL);
	int64_t sid = screening(), o1, o2;
	struct it_resp *r;
	cJSON *list;

	(void)state;
	r = it_ok(it_order(tok, it_hold_id(tok, sid, "[\"B5\"]"), "[{\"seat\":\"B5\"}]"));
	o1 = it_data_int(r, "id");
	it_resp_free(r);
	r = it_ok(it_order(tok, it_hold_id(tok, sid, "[\"B6\"]"), "[{\"seat\":\"B6\"}]"));
	o2 = it_data_int(r, "id");
	it_resp_free(r);
	/* At once, pending or written: both listed. */
	r = it_ok(it_post("/order/list", tok, NULL));
	list = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_int_equal(it_data_int(r, "total"), 2);
	assert_non_null(it_list_find(r, o1));
	assert_non_null(it_list_find(r, o2));
	it_resp_free(r);
	it_resp_free(wait_status(tok, o2, 0));
	it_resp_free(wait_status(tok, o1, 0));
	r = it_ok(it_post("/order/list", tok, NULL));
	list = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(list, 0), "id"), o2);
	it_resp_free(r);
	r = it_ok(it_post("/order/paid/list", tok, NULL));
	assert_int_equal(cJSON_GetArraySize(it_data_list(r)), 0);
	it_resp_free(r);
	free(tok);
}

static void test_order_seat_sold_meanwhile_is_seat_taken(void **state)
{
	int64_t sid = screening(), hid, oid, other = it_sql_id();
	struct it_resp *r;

	(void)state;
	hid = it_hold_id(it_sale.cust, sid, "[\"C3\"]");
	/* What only a lost Redis could let happen: a live ticket appears for the held seat. */
	it_sql_ok(
	    it_sql("INSERT INTO tickets (id, order_id, screening_id, fid, seat, price, "
	           "status, live, create_time) VALUES (%lld, %lld, %lld, %lld, 'C3', 4000, 1, "
	           "1, 0)",
	           (long long)other, (long long)other, (long long)sid, (long long)it_sale.film));
	oid = it_order_id(it_sale.cust, hid, "[{\"seat\":\"C3\"}]");
	r = wait_status(it_sale.cust, oid, 2);
	assert_string_equal(it_data_str(r, "reason"), "seat_taken");
	it_resp_free(r);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM tickets WHERE screening_id = %lld AND "
	                            "seat = 'C3' AND live = 1",
	                            (long long)sid),
	                 1);
}

static void test_order_unpaid_expires(void **state)
{
	int64_t sid = screening(), oid;
	struct it_resp *r;

	(void)state;
	oid = unpaid(sid, "[\"C4\"]", "[{\"seat\":\"C4\"}]");
	it_sql_ok(it_sql("UPDATE orders SET expire_at = UNIX_TIMESTAMP() - 1 WHERE id = %lld",
	                 (long long)oid));
	r = wait_status(it_sale.cust, oid, 2);
	assert_string_equal(it_data_str(r, "reason"), "expired");
	it_resp_free(r);
	it_wait_seat_state(sid, 2, 3, 'f');
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND "
	                            "live = 1",
	                            (long long)oid),
	                 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_order_seated_pending_then_unpaid),
	    cmocka_unit_test(test_order_create_errors),
	    cmocka_unit_test(test_order_idempotency_key),
	    cmocka_unit_test(test_order_general_admission_until_sold_out),
	    cmocka_unit_test(test_order_remove_frees_the_seats),
	    cmocka_unit_test(test_order_remove_pending_and_paid),
	    cmocka_unit_test(test_order_update_admin_only_to_invalid),
	    cmocka_unit_test(test_order_list_newest_first),
	    cmocka_unit_test(test_order_seat_sold_meanwhile_is_seat_taken),
	    cmocka_unit_test(test_order_unpaid_expires),
	};

	return cmocka_run_group_tests(tests, setup, it_sale_teardown);
}
