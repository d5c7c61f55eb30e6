// ctest: RUN_SERIAL
/*
 * it_pay.c: payments, shifts, refunds, tickets and order search (spec 4.6
 * refund/search, 4.7, 4.8, 4.11 shifts) against the real daemon and paysim:
 * online payment through paysim, forged, stale and duplicated callbacks,
 * an amount mismatch, a decline, late payments both ways, counter payments
 * within a shift and the cash-up, refunds online (also while paysim is
 * down: it stops paysim, so it runs alone) and at the counter, a cancelled
 * screening settling its paid orders, every check-in result, tickets and
 * their QR codes, and the search. Unpaid orders are made with SQL (the
 * selling branch makes them through /order/create).
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

#include "paytest.h"

static int group_setup(void **state)
{
	(void)state;
	return pt_setup(2, "drama");
}

/*
 * A screening in half an hour (*sid), an unpaid order of cust for seats
 * on it (*oid), and the order's online pay: its id.
 */
static int64_t online_pay(int64_t *sid, int64_t *oid, const char *seats, int64_t amount)
{
	*sid = pt_screening(pt.admin, pt.film, 1800);
	*oid = pt_order(pt.cust_uid, pt.film, *sid, seats, amount, 0, 600);
	return pt_pay_online(pt.cust, *oid);
}

/* A paid order (A1,A2 by default) of cust on sid; returns the order id, *pay_id. */
static int64_t paid_order(int64_t sid, const char *seats, int64_t amount, int64_t *pay_id)
{
	int64_t oid = pt_order(pt.cust_uid, pt.film, sid, seats, amount, 0, 600);
	int64_t pid = pt_pay_online(pt.cust, oid);

	pt_approve(pid, amount, oid);
	if (pay_id)
		*pay_id = pid;
	return oid;
}

static char *seat_row(int64_t sid, int row)
{
	struct it_resp *r = it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)sid);
	const cJSON *s;
	char *out;

	it_assert_status(r, 200);
	s = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(it_data(r), "state"), row);
	assert_true(cJSON_IsString(s));
	out = strdup(s->valuestring);
	it_resp_free(r);
	return out;
}

/* Poll the seat map until row reads want. */
static void wait_row(int64_t sid, int row, const char *want)
{
	char *got = NULL;
	int i;

	for (i = 0; i < PT_WAIT_MS / 100; i++) {
		free(got);
		got = seat_row(sid, row);
		if (strcmp(got, want) == 0)
			break;
		usleep(100 * 1000);
	}
	assert_string_equal(got, want);
	free(got);
}

static char *ticket_code(int64_t oid, const char *seat)
{
	char *out = it_sql("SELECT code FROM tickets WHERE order_id = %lld AND seat = '%s'",
	                   (long long)oid, seat);

	assert_non_null(out);
	out[strcspn(out, "\r\n")] = '\0';
	return out;
}

/* ---- online payments ---- */

static void test_pay_online_through_paysim_issues_tickets_and_sells_seats(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800);
	int64_t oid = pt_order(pt.cust_uid, pt.film, sid, "A1,A2", 9000, 0, 600), pid;
	char want[256], path[128];
	struct it_resp *r;

	(void)state;
	wait_row(sid, 0, "hhffb");
	r = it_postf("/pay/create", pt.cust, "{\"oid\":%lld}", (long long)oid);
	it_assert_status(r, 200);
	pid = it_data_int(r, "id");
	assert_int_equal(it_data_int(r, "amount"), 9000);
	snprintf(want, sizeof(want), "%s/pay/%lld?amount=9000&oid=%lld", it_env("PAYSIM_URL"),
	         (long long)pid, (long long)oid);
	assert_string_equal(it_data_str(r, "payUrl"), want);
	it_resp_free(r);

	/* The page a person sees at payUrl. */
	snprintf(path, sizeof(path), "/pay/%lld?amount=9000&oid=%lld", (long long)pid,
	         (long long)oid);
	pt_paysim_expect("GET", path, NULL, 200);

	pt_approve(pid, 9000, oid);
	r = it_postf("/pay/detail", pt.cust, "{\"id\":%lld}", (long long)pid);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "status"), 1);
	assert_int_equal(it_data_int(r, "oid"), oid);
	assert_int_equal(it_data_int(r, "source"), 1);
	assert_string_equal(it_data_str(r, "method"), "online");
	assert_true(strncmp(it_data_str(r, "txnId"), "sim-", 4) == 0);
	it_resp_free(r);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND status = 1 "
	               "AND live = 1 AND code REGEXP BINARY '^[A-HJ-NP-Z2-9]{12}$'",
	               (long long)oid),
	    2);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(DISTINCT code) FROM tickets WHERE order_id = %lld",
	               (long long)oid),
	    2);
	wait_row(sid, 0, "ssffb");

	/* Paid: no second pay. */
	it_conflict(it_postf("/pay/create", pt.cust, "{\"oid\":%lld}", (long long)oid), "paid");
}

static void test_pay_create_checks_fields_owner_and_state(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800);
	int64_t oid = pt_order(pt.cust_uid, pt.film, sid, "B1", 4500, 0, 600);
	int64_t expired = pt_order(pt.cust_uid, pt.film, sid, "B2", 4500, 0, -5);
	int64_t pending = pt_order(pt.cust_uid, pt.film, sid, "B3", 4500, 4, 600);
	char *cashier = it_cashier(NULL);

	(void)state;
	it_refused(it_post("/pay/create", pt.cust, "{}"), 400, "invalid_field", "oid");
	it_refused(it_postf("/pay/create", pt.cust, "{\"oid\":%lld}", (long long)it_sql_id()), 404,
	           "not_found", NULL);
	it_refused(it_postf("/pay/create", pt.cust2, "{\"oid\":%lld}", (long long)oid), 404,
	           "not_found", NULL);
	it_refused(it_postf("/pay/create", pt.cust,
	                    "{\"oid\":%lld,\"source\":0,\"method\":\"cash\","
	                    "\"tendered\":5000}",
	                    (long long)oid),
	           403, "forbidden", NULL);
	it_refused(it_postf("/pay/create", cashier,
	                    "{\"oid\":%lld,\"source\":0,\"method\":\"cheque\"}", (long long)oid),
	           400, "invalid_field", "method");
	it_refused(it_postf("/pay/create", cashier,
	                    "{\"oid\":%lld,\"source\":0,\"method\":\"cash\"}", (long long)oid),
	           400, "invalid_field", "tendered");
	it_refused(it_postf("/pay/create", pt.cust, "{\"oid\":%lld,\"source\":7}", (long long)oid),
	           400, "invalid_field", NULL);
	it_conflict(it_postf("/pay/create", pt.cust, "{\"oid\":%lld}", (long long)expired),
	            "expired");
	it_conflict(it_postf("/pay/create", pt.cust, "{\"oid\":%lld}", (long long)pending),
	            "pending");

	/* One live pay per order. */
	pt_pay_online(pt.cust, oid);
	it_conflict(it_postf("/pay/create", pt.cust, "{\"oid\":%lld}", (long long)oid), "live_pay");
	it_refused(it_post("/pay/create", NULL, "{\"oid\":1}"), 401, "unauthorized", NULL);
	free(cashier);
}

static void test_pay_detail_is_for_the_owner_and_staff(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "A3", 4500);
	struct it_resp *r;

	(void)state;
	it_refused(it_postf("/pay/detail", pt.cust2, "{\"id\":%lld}", (long long)pid), 404,
	           "not_found", NULL);
	r = it_postf("/pay/detail", pt.admin, "{\"id\":%lld}", (long long)pid);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "status"), 0);
	assert_int_equal(it_data_int(r, "amount"), 4500);
	assert_int_equal(it_data_int(r, "uid"), pt.cust_uid);
	it_resp_free(r);
	it_refused(it_postf("/pay/detail", pt.cust, "{\"id\":%lld}", (long long)it_sql_id()), 404,
	           "not_found", NULL);
}

static void test_pay_callback_refuses_forged_and_stale(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "A1", 4500), now = (int64_t)time(NULL);
	const char *txn = it_unique("txn-");
	char body[256], other[65];
	struct it_resp *r;

	(void)state;
	/* pt_cb_body's buffers rotate: keep our own copy. */
	snprintf(body, sizeof(body), "%s", pt_cb_body(pid, 4500, 1, txn, now));
	it_refused(
	    pt_callback(body, "0000000000000000000000000000000000000000000000000000000000000000"),
	    401, "bad_signature", NULL);
	it_refused(pt_callback(body, ""), 401, "bad_signature", NULL);
	/* A signature of another body (the amount changed in transit). */
	pt_sign(pt_cb_body(pid, 1, 1, txn, now), other);
	it_refused(pt_callback(body, other), 401, "bad_signature", NULL);
	/* Signed, but more than 300 s off either way. */
	it_refused(pt_callback(pt_cb_body(pid, 4500, 1, txn, now - 400), NULL), 400,
	           "invalid_field", "ts");
	it_refused(pt_callback(pt_cb_body(pid, 4500, 1, txn, now + 400), NULL), 400,
	           "invalid_field", "ts");
	/* None of them had an effect. */
	usleep(500 * 1000);
	assert_int_equal(it_sql_int("SELECT status FROM pays WHERE id = %lld", (long long)pid), 0);
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)oid),
	                 0);
	/* Unknown pay. */
	it_refused(pt_callback(pt_cb_body(it_sql_id(), 4500, 1, it_unique("txn-"), now), NULL), 404,
	           "not_found", NULL);
	/* The genuine one, with an upper-case signature. */
	{
		char sig[65];
		int i;

		pt_sign(body, sig);
		for (i = 0; sig[i]; i++)
			if (sig[i] >= 'a' && sig[i] <= 'f')
				sig[i] = (char)(sig[i] - 'a' + 'A');
		r = pt_callback(body, sig);
	}
	it_assert_status(r, 200);
	it_resp_free(r);
	assert_int_equal(
	    pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 1);
}

static void test_pay_duplicated_callbacks_have_one_effect(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "A1,A2", 9000), now = (int64_t)time(NULL);
	const char *txn = it_unique("txn-");
	char *codes1, *codes2;
	struct it_resp *r;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		r = pt_callback(pt_cb_body(pid, 9000, 1, txn, now + i), NULL);
		it_assert_status(r, 200);
		it_resp_free(r);
	}
	assert_int_equal(
	    pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 1);
	codes1 = it_sql("SELECT GROUP_CONCAT(code ORDER BY id) FROM tickets WHERE order_id = %lld",
	                (long long)oid);
	/* Again later, and a second txn for the paid pay: neither changes anything. */
	r = pt_callback(pt_cb_body(pid, 9000, 1, txn, now + 5), NULL);
	it_assert_status(r, 200);
	it_resp_free(r);
	r = pt_callback(pt_cb_body(pid, 9000, 1, it_unique("txn-other-"), now), NULL);
	it_assert_status(r, 200);
	it_resp_free(r);
	/* Absence of an effect cannot be polled for: give the consumer a second. */
	sleep(1);
	codes2 = it_sql("SELECT GROUP_CONCAT(code ORDER BY id) FROM tickets WHERE order_id = %lld",
	                (long long)oid);
	assert_string_equal(codes1, codes2);
	free(codes1);
	free(codes2);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM applied_events WHERE event_id = 'cb-%s'", txn), 1);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM pays WHERE oid = %lld AND status = 1 AND "
	                            "txn_id = '%s'",
	                            (long long)oid, txn),
	                 1);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND status = 1",
	               (long long)oid),
	    2);
}

static void test_pay_amount_mismatch_invalidates_the_pay_and_alerts(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "A1", 4500);
	struct it_resp *r;

	(void)state;
	r = pt_callback(pt_cb_body(pid, 45, 1, it_unique("txn-"), time(NULL)), NULL);
	it_assert_status(r, 200);
	it_resp_free(r);
	assert_int_equal(pt_wait_sql(2, "SELECT status FROM pays WHERE id = %lld", (long long)pid),
	                 2);
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)oid),
	                 0);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND status = 0",
	               (long long)oid),
	    1);
	/* Either daemon's consumer may have taken the payment (two daemons: DAEMON2_LOG). */
	assert_int_equal(it_sh("grep -q 'ALERT: pay %lld of order %lld: paid amount 45' '%s' '%s'",
	                       (long long)pid, (long long)oid, it_env("DAEMON_LOG"),
	                       it_env("DAEMON2_LOG") ? it_env("DAEMON2_LOG") : "/dev/null"),
	                 0);
	/* The order can still be paid with a new pay. */
	pid = pt_pay_online(pt.cust, oid);
	pt_approve(pid, 4500, oid);
}

static void test_pay_decline_leaves_the_order_unpaid(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "A2", 4500);
	char body[64];

	(void)state;
	snprintf(body, sizeof(body), "{\"payId\":%lld}", (long long)pid);
	pt_paysim_expect("POST", "/api/decline", body, 200);
	assert_int_equal(pt_wait_sql(2, "SELECT status FROM pays WHERE id = %lld", (long long)pid),
	                 2);
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)oid),
	                 0);
	wait_row(sid, 0, "fhffb");
	/* A new pay may be created for it, and approving it sells the seat. */
	pid = pt_pay_online(pt.cust, oid);
	pt_approve(pid, 4500, oid);
	wait_row(sid, 0, "fsffb");
}

/* Expire an order the way the expiry sweep does: invalid, tickets freed. */
static void expire(int64_t oid)
{
	it_sql_ok(it_sql("UPDATE orders SET status = 2, reason = 'expired' WHERE id = %lld; "
	                 "UPDATE tickets SET status = 2, live = NULL WHERE order_id = %lld",
	                 (long long)oid, (long long)oid));
}

static void test_pay_late_payment_sells_the_seats_again_when_free(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "B1,B2", 9000);

	(void)state;
	expire(oid);
	pt_approve(pid, 9000, oid);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND status = 1 "
	               "AND live = 1 AND code IS NOT NULL",
	               (long long)oid),
	    2);
	assert_int_equal(it_sql_int("SELECT status FROM pays WHERE id = %lld", (long long)pid), 1);
	wait_row(sid, 1, "ssfff");
}

static void test_pay_late_payment_is_refunded_when_a_seat_was_taken(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "B1,B2", 9000), other;
	char path[64];
	long st = 0;
	cJSON *s;

	(void)state;
	expire(oid);
	other = pt_order(pt.cust2_uid, pt.film, sid, "B2", 4500, 0, 600);
	pt_approve(pid, 9000, 0);
	assert_int_equal(
	    pt_wait_sql(3, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 3);
	assert_int_equal(it_sql_int("SELECT reason = 'late_payment' FROM orders WHERE id = %lld",
	                            (long long)oid),
	                 1);
	/* The money goes back through paysim. */
	assert_int_equal(pt_wait_sql(3, "SELECT status FROM pays WHERE id = %lld", (long long)pid),
	                 3);
	assert_int_equal(
	    pt_wait_sql(0, "SELECT refund_pending FROM orders WHERE id = %lld", (long long)oid), 0);
	snprintf(path, sizeof(path), "/api/state?payId=%lld", (long long)pid);
	s = pt_paysim("GET", path, NULL, &st);
	assert_int_equal(st, 200);
	assert_int_equal(it_json_int(s, "refunded"), 1);
	cJSON_Delete(s);
	/* Nothing of the late order holds a seat; the other order keeps B2. */
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND live = 1",
	               (long long)oid),
	    0);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND live = 1",
	               (long long)other),
	    1);
}

/* ---- counter payments and shifts ---- */

static int64_t counter_pay(const char *tok, int64_t oid, const char *method, int64_t tendered,
                           int64_t *change)
{
	struct it_resp *r;
	int64_t id;

	if (strcmp(method, "cash") == 0)
		r = it_postf("/pay/create", tok,
		             "{\"oid\":%lld,\"source\":0,\"method\":\"cash\",\"tendered\":%lld}",
		             (long long)oid, (long long)tendered);
	else
		r = it_postf("/pay/create", tok, "{\"oid\":%lld,\"source\":0,\"method\":\"%s\"}",
		             (long long)oid, method);
	it_assert_status(r, 200);
	id = it_data_int(r, "id");
	if (change)
		*change = it_data_int(r, "change");
	it_resp_free(r);
	return id;
}

static void test_shift_counter_sales_refunds_and_cash_up(void **state)
{
	int64_t cashier_uid = 0, sid = pt_screening(pt.admin, pt.film, 1800), change = -1, shift;
	char *cashier = it_cashier(&cashier_uid);
	int64_t o1 = pt_order(pt.cust_uid, pt.film, sid, "A1", 4500, 0, 600);
	int64_t o2 = pt_order(pt.cust_uid, pt.film, sid, "A2,A3", 8000, 0, 600);
	struct it_resp *r;
	cJSON *sales;
	char body[128];

	(void)state;
	/* No shift, no counter sale. */
	it_conflict(it_postf("/pay/create", cashier,
	                     "{\"oid\":%lld,\"source\":0,\"method\":\"cash\",\"tendered\":5000}",
	                     (long long)o1),
	            "no_open_shift");
	it_refused(it_post("/shift/current", cashier, NULL), 404, "not_found", NULL);
	it_refused(it_post("/shift/open", pt.cust, "{\"float\":100}"), 403, "forbidden", NULL);
	it_refused(it_post("/shift/open", cashier, "{\"float\":-1}"), 400, "invalid_field",
	           "float");
	r = it_post("/shift/open", cashier, "{\"float\":10000}");
	it_assert_status(r, 200);
	shift = it_data_int(r, "id");
	it_resp_free(r);
	it_refused(it_post("/shift/open", cashier, "{\"float\":10000}"), 409, "conflict", NULL);

	/* Cash: not enough tendered, then change. */
	it_refused(it_postf("/pay/create", cashier,
	                    "{\"oid\":%lld,\"source\":0,\"method\":\"cash\",\"tendered\":4000}",
	                    (long long)o1),
	           400, "invalid_field", "tendered");
	counter_pay(cashier, o1, "cash", 5000, &change);
	assert_int_equal(change, 500);
	assert_int_equal(pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)o1),
	                 1);
	counter_pay(cashier, o2, "card", 0, &change);
	assert_int_equal(change, 0);
	assert_int_equal(pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)o2),
	                 1);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id IN (%lld, %lld) AND "
	               "status = 1 AND code IS NOT NULL",
	               (long long)o1, (long long)o2),
	    3);

	r = it_post("/shift/current", cashier, NULL);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "id"), shift);
	assert_int_equal(it_data_int(r, "float"), 10000);
	assert_true(it_data_int(r, "openedAt") > 0);
	sales = cJSON_GetObjectItemCaseSensitive(it_data(r), "sales");
	assert_int_equal(it_json_int(sales, "cash"), 4500);
	assert_int_equal(it_json_int(sales, "card"), 8000);
	assert_int_equal(it_data_int(r, "refunds"), 0);
	assert_int_equal(it_data_int(r, "expectedCash"), 14500);
	it_resp_free(r);

	/* A refund of the cash sale: cash back from this drawer. */
	r = it_postf("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"wrong film\"}",
	             (long long)o1);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "refundPending"), 0);
	it_resp_free(r);
	assert_int_equal(it_sql_int("SELECT status FROM pays WHERE oid = %lld", (long long)o1), 3);
	r = it_post("/shift/current", cashier, NULL);
	assert_int_equal(it_data_int(r, "refunds"), 4500);
	assert_int_equal(it_data_int(r, "expectedCash"), 10000);
	it_resp_free(r);

	/* An admin sees and closes the cashier's shift; a cashier cannot see another's. */
	snprintf(body, sizeof(body), "{\"cashierId\":%lld}", (long long)cashier_uid);
	r = it_post("/shift/current", pt.admin, body);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "expectedCash"), 10000);
	it_resp_free(r);
	{
		char *other = it_cashier(NULL);

		it_refused(it_post("/shift/current", other, body), 403, "forbidden", NULL);
		free(other);
	}
	it_refused(it_post("/shift/close", cashier, "{}"), 400, "invalid_field", "counted");
	snprintf(body, sizeof(body), "{\"cashierId\":%lld,\"counted\":9900}",
	         (long long)cashier_uid);
	r = it_post("/shift/close", pt.admin, body);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "expectedCash"), 10000);
	assert_int_equal(it_data_int(r, "counted"), 9900);
	assert_int_equal(it_data_int(r, "variance"), -100);
	it_resp_free(r);
	/* Closed is closed; a new shift may start. */
	it_refused(it_post("/shift/close", cashier, "{\"counted\":1}"), 404, "not_found", NULL);
	assert_int_equal(
	    it_sql_int("SELECT counted * 1000000 + expected_cash FROM shifts WHERE id = %lld",
	               (long long)shift),
	    INT64_C(9900) * 1000000 + 10000);
	it_post_ok("/shift/open", cashier, "{\"float\":0}");
	/* Audit trail. */
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE actor = %lld AND action IN "
	                            "('pay.counter', 'shift.open')",
	                            (long long)cashier_uid),
	                 4);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'order.refund' AND "
	                            "target = 'order:%lld'",
	                            (long long)o1),
	                 1);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'shift.close' AND "
	                            "target = 'shift:%lld'",
	                            (long long)shift),
	                 1);
	free(cashier);
}

/* ---- refunds ---- */

static void test_refund_online_voids_tickets_and_frees_seats(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800), pid;
	int64_t oid = paid_order(sid, "A1,A2", 9000, &pid);
	int64_t unpaid = pt_order(pt.cust_uid, pt.film, sid, "B1", 4500, 0, 600);
	struct it_resp *r;
	char path[64], ref[32];
	long st = 0;
	cJSON *s;

	(void)state;
	wait_row(sid, 0, "ssffb");
	it_refused(
	    it_postf("/order/refund", pt.cust, "{\"id\":%lld,\"reason\":\"x\"}", (long long)oid),
	    403, "forbidden", NULL);
	it_refused(it_postf("/order/refund", pt.admin, "{\"id\":%lld}", (long long)oid), 400,
	           "invalid_field", "reason");
	it_refused(it_postf("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"x\"}",
	                    (long long)it_sql_id()),
	           404, "not_found", NULL);
	it_conflict(it_postf("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"x\"}",
	                     (long long)unpaid),
	            "not_paid");

	r = it_postf("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"customer asked\"}",
	             (long long)oid);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "refundPending"), 0);
	it_resp_free(r);
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)oid),
	                 3);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND status = 2 "
	               "AND live IS NULL",
	               (long long)oid),
	    2);
	snprintf(ref, sizeof(ref), "rf-%lld", (long long)pid);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM pays WHERE id = %lld AND status = 3 AND "
	                            "refund_id = '%s'",
	                            (long long)pid, ref),
	                 1);
	snprintf(path, sizeof(path), "/api/state?payId=%lld", (long long)pid);
	s = pt_paysim("GET", path, NULL, &st);
	assert_int_equal(it_json_int(s, "refunded"), 1);
	cJSON_Delete(s);
	wait_row(sid, 0, "ffffb");
	it_conflict(it_postf("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"again\"}",
	                     (long long)oid),
	            "already_refunded");
}

static void test_refund_is_retried_while_paysim_is_down(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800), pid;
	int64_t oid = paid_order(sid, "A4", 4500, &pid);
	struct it_resp *r;
	char path[64];
	long st = 0;
	cJSON *s;

	(void)state;
	assert_int_equal(it_stack("paysim-stop"), 0);
	r = it_postf("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"down\"}",
	             (long long)oid);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "refundPending"), 1);
	it_resp_free(r);
	assert_int_equal(
	    it_sql_int("SELECT refund_pending FROM orders WHERE id = %lld", (long long)oid), 1);
	r = it_postf("/pay/detail", pt.cust, "{\"id\":%lld}", (long long)pid);
	assert_int_equal(it_data_int(r, "refundPending"), 1);
	it_resp_free(r);
	r = it_postf("/order/search", pt.admin, "{\"mobile\":\"%s\"}", pt.cust_mobile);
	assert_int_equal(it_json_int(it_list_find(r, oid), "refundPending"), 1);
	it_resp_free(r);
	assert_int_equal(it_stack("paysim-start"), 0);
	assert_int_equal(
	    pt_wait_sql(0, "SELECT refund_pending FROM orders WHERE id = %lld", (long long)oid), 0);
	assert_int_equal(it_sql_int("SELECT status FROM pays WHERE id = %lld", (long long)pid), 3);
	snprintf(path, sizeof(path), "/api/state?payId=%lld", (long long)pid);
	s = pt_paysim("GET", path, NULL, &st);
	assert_int_equal(it_json_int(s, "refunded"), 1);
	cJSON_Delete(s);
	assert_int_equal(
	    it_sql_int("SELECT attempts > 0 FROM refunds WHERE pay_id = %lld", (long long)pid), 1);
}

static void test_refund_cancelled_screening_settles_every_paid_order(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800), pid_online, cashier_uid = 0, shift;
	char *cashier = it_cashier(&cashier_uid);
	int64_t online = paid_order(sid, "A1", 4500, &pid_online);
	int64_t cash = pt_order(pt.cust_uid, pt.film, sid, "A2", 4500, 0, 600);
	struct it_resp *r;

	(void)state;
	r = it_post("/shift/open", cashier, "{\"float\":1000}");
	it_assert_status(r, 200);
	shift = it_data_int(r, "id");
	it_resp_free(r);
	counter_pay(cashier, cash, "cash", 4500, NULL);
	assert_int_equal(
	    pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)cash), 1);
	it_postf_ok("/screening/cancel", pt.admin, "{\"id\":%lld,\"reason\":\"projector\"}",
	            (long long)sid);
	assert_int_equal(
	    pt_wait_sql(3, "SELECT status FROM pays WHERE id = %lld", (long long)pid_online), 3);
	assert_int_equal(
	    pt_wait_sql(3, "SELECT status FROM pays WHERE oid = %lld", (long long)cash), 3);
	assert_int_equal(pt_wait_sql(0,
	                             "SELECT SUM(refund_pending) FROM orders WHERE id IN "
	                             "(%lld, %lld)",
	                             (long long)online, (long long)cash),
	                 0);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM refunds WHERE order_id IN (%lld, %lld) AND "
	               "status = 1",
	               (long long)online, (long long)cash),
	    2);
	/* The cash went back from the open drawer of the cashier who took it. */
	assert_int_equal(
	    it_sql_int("SELECT shift_id FROM refunds WHERE order_id = %lld", (long long)cash),
	    shift);
	r = it_post("/shift/current", cashier, NULL);
	assert_int_equal(it_data_int(r, "expectedCash"), 1000);
	it_resp_free(r);
	free(cashier);
}

/* ---- tickets ---- */

static struct it_resp *checkin(const char *tok, const char *code, int64_t door)
{
	if (door)
		return it_postf("/ticket/checkin", tok, "{\"code\":\"%s\",\"screeningId\":%lld}",
		                code, (long long)door);
	return it_postf("/ticket/checkin", tok, "{\"code\":\"%s\"}", code);
}

/* checkin answers result want; its usedAt. */
static int64_t checkin_result(const char *tok, const char *code, int64_t door, const char *want)
{
	struct it_resp *r = checkin(tok, code, door);
	int64_t used;

	assert_string_equal(it_data_str(r, "result"), want);
	used = it_data_int(r, "usedAt");
	it_resp_free(r);
	return used;
}

static void test_ticket_checkin_gives_every_result(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800),
	        far = pt_screening(pt.admin, pt.film, 2 * 86400);
	int64_t oid = paid_order(sid, "A1,A2,A3", 13500, NULL);
	int64_t far_oid = paid_order(far, "A1", 4500, NULL);
	int64_t refunded = paid_order(sid, "B1", 4500, NULL);
	char *c1 = ticket_code(oid, "A1"), *c2 = ticket_code(oid, "A2"),
	     *c3 = ticket_code(oid, "A3");
	char *cfar = ticket_code(far_oid, "A1"), *cref = ticket_code(refunded, "B1");
	char *cashier = it_cashier(NULL), film_name[256];
	struct it_resp *r;
	int64_t used;

	(void)state;
	{
		char *n = it_sql("SELECT name FROM films WHERE id = %lld", (long long)pt.film);

		assert_non_null(n);
		n[strcspn(n, "\r\n")] = '\0';
		snprintf(film_name, sizeof(film_name), "%s", n);
		free(n);
	}
	r = checkin(cashier, c1, sid);
	it_assert_status(r, 200);
	assert_string_equal(it_data_str(r, "result"), "admitted");
	assert_string_equal(it_data_str(r, "seat"), "A1");
	assert_int_equal(it_data_int(r, "screeningId"), sid);
	assert_string_equal(it_data_str(r, "film"), film_name);
	used = it_data_int(r, "usedAt");
	assert_true(used > 0);
	it_resp_free(r);
	assert_int_equal(checkin_result(pt.admin, c1, sid, "already_used"), used);
	checkin_result(cashier, c2, far, "wrong_screening");
	assert_int_equal(checkin_result(cashier, cfar, 0, "too_early"), 0);
	it_postf_ok("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"void me\"}",
	            (long long)refunded);
	checkin_result(cashier, cref, sid, "void");
	/* Without a door, a ticket within its window is admitted. */
	checkin_result(cashier, c3, 0, "admitted");
	it_refused(checkin(cashier, "NOSUCHCODE99", 0), 404, "not_found", NULL);
	it_refused(checkin(pt.cust, c2, 0), 403, "forbidden", NULL);
	it_refused(it_post("/ticket/checkin", cashier, "{}"), 400, "invalid_field", "code");
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'ticket.checkin' AND "
	               "detail LIKE 'code=%s %%'",
	               c1),
	    2);
	free(c1);
	free(c2);
	free(c3);
	free(cfar);
	free(cref);
	free(cashier);
}

static void test_ticket_detail_and_qr_for_owner_and_staff(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800);
	int64_t oid = paid_order(sid, "A2", 4500, NULL);
	char *code = ticket_code(oid, "A2");
	struct it_resp *r;
	const char *svg;

	(void)state;
	r = it_postf("/ticket/detail", pt.cust, "{\"code\":\"%s\"}", code);
	it_assert_status(r, 200);
	assert_string_equal(it_data_str(r, "code"), code);
	assert_int_equal(it_data_int(r, "orderId"), oid);
	assert_string_equal(it_data_str(r, "seat"), "A2");
	assert_int_equal(it_data_int(r, "screeningId"), sid);
	assert_int_equal(it_data_int(r, "status"), 1);
	assert_int_equal(it_data_int(r, "price"), 4500);
	it_resp_free(r);
	it_refused(it_postf("/ticket/detail", pt.cust2, "{\"code\":\"%s\"}", code), 404,
	           "not_found", NULL);
	it_postf_ok("/ticket/detail", pt.admin, "{\"code\":\"%s\"}", code);
	r = it_postf("/ticket/qr", pt.cust, "{\"code\":\"%s\"}", code);
	it_assert_status(r, 200);
	svg = it_data_str(r, "svg");
	assert_non_null(svg);
	assert_true(strncmp(svg, "<svg", 4) == 0);
	assert_non_null(strstr(svg, "<path"));
	assert_non_null(strstr(svg, "</svg>"));
	it_resp_free(r);
	it_refused(it_postf("/ticket/qr", pt.cust2, "{\"code\":\"%s\"}", code), 404, "not_found",
	           NULL);
	free(code);
}

static void test_order_search_by_code_mobile_and_screening(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800);
	int64_t oid = paid_order(sid, "A1", 4500, NULL);
	char *code = ticket_code(oid, "A1"), *cashier = it_cashier(NULL);
	const cJSON *o, *items;
	struct it_resp *r;

	(void)state;
	r = it_postf("/order/search", cashier, "{\"ticketCode\":\"%s\"}", code);
	it_assert_status(r, 200);
	o = it_list_find(r, oid);
	assert_non_null(o);
	assert_int_equal(it_json_int(o, "status"), 1);
	assert_string_equal(it_json_str(o, "statusText"), "paid");
	items = cJSON_GetObjectItemCaseSensitive(o, "items");
	assert_int_equal(cJSON_GetArraySize(items), 1);
	assert_string_equal(it_json_str(cJSON_GetArrayItem(items, 0), "ticketCode"), code);
	assert_string_equal(it_json_str(cJSON_GetArrayItem(items, 0), "seat"), "A1");
	assert_int_equal(it_data_int(r, "total"), 1);
	it_resp_free(r);
	r = it_postf("/order/search", cashier, "{\"mobile\":\"%s\"}", pt.cust_mobile);
	it_assert_status(r, 200);
	assert_non_null(it_list_find(r, oid));
	it_resp_free(r);
	r = it_postf("/order/search", pt.admin, "{\"screeningId\":%lld}", (long long)sid);
	it_assert_status(r, 200);
	assert_non_null(it_list_find(r, oid));
	assert_int_equal(it_data_int(r, "total"), 1);
	it_resp_free(r);
	it_refused(it_post("/order/search", cashier, "{}"), 400, "invalid_field", NULL);
	r = it_post("/order/search", cashier, "{\"ticketCode\":\"NOPE\"}");
	it_assert_status(r, 200);
	assert_int_equal(cJSON_GetArraySize(it_data_list(r)), 0);
	it_resp_free(r);
	it_refused(it_postf("/order/search", pt.cust, "{\"ticketCode\":\"%s\"}", code), 403,
	           "forbidden", NULL);
	free(code);
	free(cashier);
}

/* ---- end to end: hold, order, pay (the selling branch's routes) ---- */

static void test_pay_end_to_end_online_and_at_the_counter(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800), oid, pid, amount, online;
	char *cashier = it_cashier(NULL);
	struct it_resp *r;
	const cJSON *items;

	(void)state;
	/* Online: a customer holds, orders and pays at paysim. */
	oid = pt_hold_and_order(pt.cust, sid, "[\"B1\",\"B2\"]",
	                        "[{\"seat\":\"B1\",\"ticketType\":\"adult\"},"
	                        "{\"seat\":\"B2\",\"ticketType\":\"adult\"}]",
	                        &amount);
	pid = pt_pay_online(pt.cust, oid);
	pt_approve(pid, amount, oid);
	online = oid;
	r = it_postf("/order/detail", pt.cust, "{\"id\":%lld}", (long long)oid);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "status"), 1);
	items = cJSON_GetObjectItemCaseSensitive(it_data(r), "items");
	assert_int_equal(cJSON_GetArraySize(items), 2);
	assert_int_equal(strlen(it_json_str(cJSON_GetArrayItem(items, 0), "ticketCode")), 12);
	it_resp_free(r);
	wait_row(sid, 1, "ssfff");

	/* At the counter: a cashier holds, orders and takes cash. */
	it_post_ok("/shift/open", cashier, "{\"float\":0}");
	oid = pt_hold_and_order(cashier, sid, "[\"A1\"]",
	                        "[{\"seat\":\"A1\",\"ticketType\":\"adult\"}]", &amount);
	r = it_postf("/pay/create", cashier,
	             "{\"oid\":%lld,\"source\":0,\"method\":\"cash\",\"tendered\":%lld}",
	             (long long)oid, (long long)amount + 100);
	it_assert_status(r, 200);
	assert_int_equal(it_data_int(r, "change"), 100);
	it_resp_free(r);
	assert_int_equal(
	    pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 1);
	wait_row(sid, 0, "sfffb");
	r = it_post("/shift/current", cashier, NULL);
	assert_int_equal(it_data_int(r, "expectedCash"), amount);
	it_resp_free(r);

	/* A refund gives the seats back: another customer can hold them at once. */
	it_refused(it_postf("/seat/hold", pt.cust2, "{\"screeningId\":%lld,\"seats\":[\"B1\"]}",
	                    (long long)sid),
	           409, "seat_taken", NULL);
	it_postf_ok("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"seats back\"}",
	            (long long)online);
	wait_row(sid, 1, "fffff");
	it_postf_ok("/seat/hold", pt.cust2, "{\"screeningId\":%lld,\"seats\":[\"B1\",\"B2\"]}",
	            (long long)sid);
	wait_row(sid, 1, "hhfff");
	free(cashier);
}

static void test_pay_outbound_events(void **state)
{
	int64_t sid = pt_screening(pt.admin, pt.film, 1800), pid;
	int64_t oid = paid_order(sid, "B4", 4500, &pid);
	char *code = ticket_code(oid, "B4"), *cashier = it_cashier(NULL);
	struct it_resp *r;
	cJSON *e;

	(void)state;
	e = pt_event_find("order.paid", oid);
	assert_non_null(e);
	assert_int_equal(it_json_int(e, "payId"), pid);
	assert_int_equal(it_json_int(e, "amount"), 4500);
	assert_true(strlen(it_json_str(e, "eventId")) > 0);
	assert_true(it_json_int(e, "at") > 0);
	cJSON_Delete(e);
	r = it_postf("/ticket/checkin", cashier, "{\"code\":\"%s\"}", code);
	assert_string_equal(it_data_str(r, "result"), "admitted");
	it_resp_free(r);
	e = pt_event_find("ticket.checkedin", oid);
	assert_non_null(e);
	assert_string_equal(it_json_str(e, "code"), code);
	cJSON_Delete(e);
	it_postf_ok("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"events\"}",
	            (long long)oid);
	e = pt_event_find("order.refunded", oid);
	assert_non_null(e);
	assert_int_equal(it_json_int(e, "amount"), 4500);
	cJSON_Delete(e);
	free(code);
	free(cashier);
}

static void test_pay_general_admission_paid_and_refunded_restocks(void **state)
{
	int64_t fid = it_sql_id(), oid, pid;
	struct it_resp *r;

	(void)state;
	it_sql_ok(
	    it_sql("INSERT INTO films (id, name, genre, length, amount, stock, is_select_seat, "
	           "create_time, update_time) VALUES (%lld, '%s', 'ga', 90, 3000, 5, 0, "
	           "UNIX_TIMESTAMP(), UNIX_TIMESTAMP())",
	           (long long)fid, it_unique("ga-film-")));
	r = it_postf("/order/create", pt.cust, "{\"fid\":%lld,\"quantity\":2}", (long long)fid);
	it_assert_status(r, 200);
	oid = it_data_int(r, "id");
	it_resp_free(r);
	assert_int_equal(
	    pt_wait_sql(0, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 0);
	pid = pt_pay_online(pt.cust, oid);
	pt_approve(pid, 6000, oid);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND status = 1 "
	               "AND code IS NOT NULL",
	               (long long)oid),
	    2);
	assert_int_equal(it_sql_int("SELECT stock FROM films WHERE id = %lld", (long long)fid), 3);
	it_postf_ok("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"ga\"}", (long long)oid);
	assert_int_equal(it_sql_int("SELECT stock FROM films WHERE id = %lld", (long long)fid), 5);
	/* The whole stock can be ordered again. */
	it_postf_ok("/order/create", pt.cust2, "{\"fid\":%lld,\"quantity\":5}", (long long)fid);
}

static void test_paysim_page_buttons_pay_the_order(void **state)
{
	int64_t sid, oid, pid = online_pay(&sid, &oid, "A3", 4500);
	char path[96];

	(void)state;
	/* What the page's Approve button posts (a form, amount from payUrl). */
	snprintf(path, sizeof(path), "/pay/%lld/approve", (long long)pid);
	pt_paysim_expect("POST", path, "amount=4500", 200);
	assert_int_equal(
	    pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 1);
	/* Declining a settled pay is refused by paysim itself. */
	snprintf(path, sizeof(path), "/pay/%lld/decline", (long long)pid);
	pt_paysim_expect("POST", path, "", 409);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pay_online_through_paysim_issues_tickets_and_sells_seats),
	    cmocka_unit_test(test_pay_create_checks_fields_owner_and_state),
	    cmocka_unit_test(test_pay_detail_is_for_the_owner_and_staff),
	    cmocka_unit_test(test_pay_callback_refuses_forged_and_stale),
	    cmocka_unit_test(test_pay_duplicated_callbacks_have_one_effect),
	    cmocka_unit_test(test_pay_amount_mismatch_invalidates_the_pay_and_alerts),
	    cmocka_unit_test(test_pay_decline_leaves_the_order_unpaid),
	    cmocka_unit_test(test_pay_late_payment_sells_the_seats_again_when_free),
	    cmocka_unit_test(test_pay_late_payment_is_refunded_when_a_seat_was_taken),
	    cmocka_unit_test(test_shift_counter_sales_refunds_and_cash_up),
	    cmocka_unit_test(test_refund_online_voids_tickets_and_frees_seats),
	    cmocka_unit_test(test_refund_is_retried_while_paysim_is_down),
	    cmocka_unit_test(test_refund_cancelled_screening_settles_every_paid_order),
	    cmocka_unit_test(test_ticket_checkin_gives_every_result),
	    cmocka_unit_test(test_ticket_detail_and_qr_for_owner_and_staff),
	    cmocka_unit_test(test_order_search_by_code_mobile_and_screening),
	    cmocka_unit_test(test_pay_end_to_end_online_and_at_the_counter),
	    cmocka_unit_test(test_pay_outbound_events),
	    cmocka_unit_test(test_pay_general_admission_paid_and_refunded_restocks),
	    cmocka_unit_test(test_paysim_page_buttons_pay_the_order),
	};

	return cmocka_run_group_tests(tests, group_setup, pt_teardown);
}
