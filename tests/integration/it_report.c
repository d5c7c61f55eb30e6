// ctest: RUN_SERIAL
/*
 * it_report.c: a whole business day at the box office (spec 4.11), then
 * every figure of the shift close, /report/sales in each grouping and as
 * CSV, /report/occupancy and /audit/list, against numbers this test
 * computes from what it did. Two cashiers each open a shift and sell cash
 * and card at the counter (hold, order, pay through the selling routes); a
 * customer pays online through paysim's API; an admin refunds a cash sale;
 * a screening with a cash sale is cancelled (its money goes back from the
 * drawer); a late online payment whose seat was taken meanwhile is
 * refunded; a login fails. Other tests share the stack, so figures that
 * other tests also feed (a day, a method, online sales) are checked as the
 * change from a report taken before the day; this test runs alone
 * (RUN_SERIAL) so nothing else moves them meanwhile.
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
	return pt_setup(2, NULL);
}

/* ---- what the test did, and its own sums ---- */

struct fig {
	int64_t tickets, amount, refunds;
};

static void fig_sale(struct fig *f, int64_t tickets, int64_t amount)
{
	f->tickets += tickets;
	f->amount += amount;
}

/* A row of a sales report: the item of data.list with key (and id when id >= 0). */
static struct fig sales_row(const cJSON *list, const char *key, int64_t id)
{
	struct fig f = {0, 0, 0};
	const cJSON *o;

	cJSON_ArrayForEach(o, list)
	{
		if (key && strcmp(it_json_str(o, "key"), key) != 0)
			continue;
		if (id >= 0 && it_json_int(o, "id") != id)
			continue;
		f.tickets = it_json_int(o, "tickets");
		f.amount = it_json_int(o, "amount");
		f.refunds = it_json_int(o, "refunds");
		break;
	}
	return f;
}

static struct it_resp *sales(const char *group, int64_t from, int64_t to)
{
	struct it_resp *r =
	    it_postf("/report/sales", pt.admin, "{\"from\":%lld,\"to\":%lld,\"groupBy\":\"%s\"}",
	             (long long)from, (long long)to, group);

	it_assert_status(r, 200);
	(void)it_data_list(r);
	return r;
}

static void assert_fig(struct fig got, struct fig want, const char *what)
{
	if (got.tickets != want.tickets || got.amount != want.amount || got.refunds != want.refunds)
		fail_msg("%s: got tickets %lld amount %lld refunds %lld, want %lld %lld %lld", what,
		         (long long)got.tickets, (long long)got.amount, (long long)got.refunds,
		         (long long)want.tickets, (long long)want.amount, (long long)want.refunds);
}

static struct fig fig_minus(struct fig a, struct fig b)
{
	struct fig d = {a.tickets - b.tickets, a.amount - b.amount, a.refunds - b.refunds};

	return d;
}

/* r is a 200 /shift/current answer of shift id with these sums; frees r. */
static void assert_shift(struct it_resp *r, int64_t id, int64_t cash, int64_t card, int64_t refunds,
                         int64_t expected_cash)
{
	const cJSON *sales;

	it_ok(r);
	sales = cJSON_GetObjectItemCaseSensitive(it_data(r), "sales");
	assert_int_equal(it_data_int(r, "id"), id);
	assert_int_equal(it_json_int(sales, "cash"), cash);
	assert_int_equal(it_json_int(sales, "card"), card);
	assert_int_equal(it_data_int(r, "refunds"), refunds);
	assert_int_equal(it_data_int(r, "expectedCash"), expected_cash);
	it_resp_free(r);
}

/* A counter sale by tok: hold and order seats, pay by method; waits for paid. */
static int64_t counter_sale(const char *tok, int64_t sid, const char *seat1, const char *seat2,
                            const char *method, int64_t *amount)
{
	char seats[64], items[256];
	struct it_resp *r;
	int64_t oid;

	if (seat2) {
		snprintf(seats, sizeof(seats), "[\"%s\",\"%s\"]", seat1, seat2);
		snprintf(items, sizeof(items),
		         "[{\"seat\":\"%s\",\"ticketType\":\"adult\"},"
		         "{\"seat\":\"%s\",\"ticketType\":\"adult\"}]",
		         seat1, seat2);
	} else {
		snprintf(seats, sizeof(seats), "[\"%s\"]", seat1);
		snprintf(items, sizeof(items), "[{\"seat\":\"%s\",\"ticketType\":\"adult\"}]",
		         seat1);
	}
	oid = pt_hold_and_order(tok, sid, seats, items, amount);
	if (strcmp(method, "cash") == 0)
		r = it_postf("/pay/create", tok,
		             "{\"oid\":%lld,\"source\":0,\"method\":\"cash\",\"tendered\":%lld}",
		             (long long)oid, (long long)*amount);
	else
		r = it_postf("/pay/create", tok, "{\"oid\":%lld,\"source\":0,\"method\":\"%s\"}",
		             (long long)oid, method);
	it_assert_status(r, 200);
	it_resp_free(r);
	assert_int_equal(
	    pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)oid), 1);
	return oid;
}

/* ---- CSV (RFC 4180) ---- */

#define CSV_MAX_ROWS 512
#define CSV_COLS 5

struct csv {
	int nrows;
	char *cell[CSV_MAX_ROWS][CSV_COLS];
};

/* Parse text into rows of exactly 5 fields, CRLF line ends; 0 or -1. */
static int csv_parse(const char *s, struct csv *c)
{
	char field[512];
	int col = 0;

	memset(c, 0, sizeof(*c));
	while (*s) {
		size_t n = 0;

		if (*s == '"') {
			s++;
			for (;;) {
				if (!*s)
					return -1;
				if (*s == '"' && s[1] == '"') {
					s += 2;
					field[n++] = '"';
				} else if (*s == '"') {
					s++;
					break;
				} else {
					field[n++] = *s++;
				}
				if (n >= sizeof(field) - 1)
					return -1;
			}
		} else {
			while (*s && *s != ',' && *s != '\r' && *s != '\n') {
				if (*s == '"' || n >= sizeof(field) - 1)
					return -1;
				field[n++] = *s++;
			}
		}
		field[n] = '\0';
		if (c->nrows >= CSV_MAX_ROWS || col >= CSV_COLS)
			return -1;
		c->cell[c->nrows][col++] = strdup(field);
		if (*s == ',') {
			s++;
		} else if (s[0] == '\r' && s[1] == '\n') {
			s += 2;
			if (col != CSV_COLS)
				return -1;
			c->nrows++;
			col = 0;
		} else {
			return -1; /* a bare LF or junk after a quoted field */
		}
	}
	return col == 0 ? 0 : -1;
}

static void csv_free(struct csv *c)
{
	int i, j;

	for (i = 0; i < c->nrows; i++)
		for (j = 0; j < CSV_COLS; j++)
			free(c->cell[i][j]);
}

/* ---- the day ---- */

static void test_a_business_day_adds_up(void **state)
{
	int64_t t0 = (int64_t)time(NULL), from = t0 - 3600, to = t0 + 86400;
	int64_t ca_uid = 0, cb_uid = 0, f1, f2, s1, s2, s3;
	int64_t o1, o2, o3, o4, o5, o6, other, a1, a2, a3, a4, a5, a6 = 9000, p5, p6;
	int64_t shift_a, shift_b, total1, total3, pending_pay;
	char *ca = it_cashier(&ca_uid), *cb = it_cashier(&cb_uid);
	const char *f2_name = "Say \"hi\", world";
	struct fig film1 = {0}, film2 = {0}, cash_a = {0}, cash_b = {0}, online = {0};
	struct fig m_cash = {0}, m_card = {0}, m_online = {0}, day = {0};
	struct fig before_online, before_cash, before_card, before_monline, before_day;
	struct it_resp *r, *rb;
	char today[16], body[256], bad_mobile[32];
	const cJSON *list, *o;
	struct tm tm;
	struct csv csv;
	time_t now;
	int i, found;

	(void)state;
	assert_non_null(ca);
	assert_non_null(cb);
	f1 = it_film_sql("report");
	f2 = it_film_sql("report");
	it_sql_ok(
	    it_sql("UPDATE films SET name = 'Say \"hi\", world' WHERE id = %lld", (long long)f2));
	s1 = pt_screening(pt.admin, f1, 7200);
	s2 = pt_screening(pt.admin, f2, 7200);
	s3 = pt_screening(pt.admin, f1, 9000);
	total1 = it_sql_int("SELECT seats_total FROM screenings WHERE id = %lld", (long long)s1);
	total3 = it_sql_int("SELECT seats_total FROM screenings WHERE id = %lld", (long long)s3);

	/* The figures other tests feed too, before the day. */
	rb = sales("cashier", from, to);
	before_online = sales_row(it_data_list(rb), "online", 0);
	it_resp_free(rb);
	rb = sales("method", from, to);
	before_cash = sales_row(it_data_list(rb), "cash", 0);
	before_card = sales_row(it_data_list(rb), "card", 0);
	before_monline = sales_row(it_data_list(rb), "online", 0);
	it_resp_free(rb);
	now = (time_t)t0;
	localtime_r(&now, &tm);
	strftime(today, sizeof(today), "%Y-%m-%d", &tm);
	rb = sales("day", from, to);
	before_day = sales_row(it_data_list(rb), today, 0);
	it_resp_free(rb);

	/* Shifts: none yet, so no counter sale; then both open with a float. */
	r = it_post("/shift/open", ca, "{\"float\":10000}");
	shift_a = it_ok_id(r);
	r = it_post("/shift/open", cb, "{\"float\":5000}");
	shift_b = it_ok_id(r);
	it_post_refused("/shift/open", ca, "{\"float\":1}", 409, "conflict", NULL);

	/* Cashier A: cash for two, card for one. */
	o1 = counter_sale(ca, s1, "A1", "A2", "cash", &a1);
	fig_sale(&film1, 2, a1);
	fig_sale(&cash_a, 2, a1);
	fig_sale(&m_cash, 2, a1);
	o2 = counter_sale(ca, s1, "A3", NULL, "card", &a2);
	fig_sale(&film1, 1, a2);
	fig_sale(&cash_a, 1, a2);
	fig_sale(&m_card, 1, a2);
	/* Cashier B: cash for one on the screening to be cancelled, card for two. */
	o3 = counter_sale(cb, s2, "A1", NULL, "cash", &a3);
	fig_sale(&film2, 1, a3);
	fig_sale(&cash_b, 1, a3);
	fig_sale(&m_cash, 1, a3);
	o4 = counter_sale(cb, s1, "B1", "B2", "card", &a4);
	fig_sale(&film1, 2, a4);
	fig_sale(&cash_b, 2, a4);
	fig_sale(&m_card, 2, a4);
	/*
	 * The doors of s1 open (it now starts in 30 min, inside the 1 h check-in
	 * window): cashier B admits one of o4's tickets, and a second scan says
	 * it was used. Both are audited; neither changes a sale or occupancy.
	 */
	it_postf_ok("/screening/update", pt.admin, "{\"id\":%lld,\"startAt\":%lld}", (long long)s1,
	            (long long)(t0 + 1800));
	{
		char *code =
		    it_sql("SELECT code FROM tickets WHERE order_id = %lld AND seat = 'B1'",
		           (long long)o4);
		char *nl;

		assert_non_null(code);
		if ((nl = strchr(code, '\n')))
			*nl = '\0';
		assert_int_equal(strlen(code), 12);
		r = it_ok(it_postf("/ticket/checkin", cb, "{\"code\":\"%s\",\"screeningId\":%lld}",
		                   code, (long long)s1));
		assert_string_equal(it_data_str(r, "result"), "admitted");
		it_resp_free(r);
		r = it_ok(it_postf("/ticket/checkin", cb, "{\"code\":\"%s\",\"screeningId\":%lld}",
		                   code, (long long)s1));
		assert_string_equal(it_data_str(r, "result"), "already_used");
		it_resp_free(r);
		free(code);
	}
	/* A customer pays online at paysim. */
	o5 = pt_hold_and_order(pt.cust, s1, "[\"B3\"]",
	                       "[{\"seat\":\"B3\",\"ticketType\":\"adult\"}]", &a5);
	p5 = pt_pay_online(pt.cust, o5);
	pt_approve(p5, a5, 0);
	assert_int_equal(pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld", (long long)o5),
	                 1);
	fig_sale(&film1, 1, a5);
	fig_sale(&online, 1, a5);
	fig_sale(&m_online, 1, a5);

	/* An admin refunds A's cash sale: the cash leaves A's drawer. */
	it_postf_ok("/order/refund", pt.admin, "{\"id\":%lld,\"reason\":\"wrong day\"}",
	            (long long)o1);
	assert_int_equal(pt_wait_sql(3, "SELECT status FROM pays WHERE oid = %lld", (long long)o1),
	                 3);
	film1.refunds += a1;
	cash_a.refunds += a1;
	m_cash.refunds += a1;

	/* The screening of B's cash sale is cancelled: the cash leaves B's drawer. */
	it_postf_ok("/screening/cancel", pt.admin, "{\"id\":%lld,\"reason\":\"projector\"}",
	            (long long)s2);
	assert_int_equal(pt_wait_sql(3, "SELECT status FROM pays WHERE oid = %lld", (long long)o3),
	                 3);
	assert_int_equal(
	    pt_wait_sql(1, "SELECT COUNT(*) FROM refunds WHERE order_id = %lld", (long long)o3), 1);
	film2.refunds += a3;
	cash_b.refunds += a3;
	m_cash.refunds += a3;

	/* A late online payment: its order expired and the seat was sold meanwhile. */
	o6 = pt_order(pt.cust_uid, f1, s3, "B1", a6, 0, 600);
	p6 = pt_pay_online(pt.cust, o6);
	it_sql_ok(it_sql("UPDATE orders SET status = 2, reason = 'expired' WHERE id = %lld; "
	                 "UPDATE tickets SET status = 2, live = NULL WHERE order_id = %lld",
	                 (long long)o6, (long long)o6));
	other = pt_order(pt.cust2_uid, f1, s3, "B1", 4500, 0, 600);
	pt_approve(p6, a6, 0);
	assert_int_equal(pt_wait_sql(3, "SELECT status FROM pays WHERE id = %lld", (long long)p6),
	                 3);
	assert_int_equal(
	    pt_wait_sql(1, "SELECT COUNT(*) FROM refunds WHERE pay_id = %lld", (long long)p6), 1);
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)other),
	                 0);
	fig_sale(&film1, 1, a6);
	fig_sale(&online, 1, a6);
	fig_sale(&m_online, 1, a6);
	film1.refunds += a6;
	online.refunds += a6;
	m_online.refunds += a6;
	day.tickets = film1.tickets + film2.tickets;
	day.amount = film1.amount + film2.amount;
	day.refunds = film1.refunds + film2.refunds;

	/* A failed login. */
	snprintf(bad_mobile, sizeof(bad_mobile), "139%08lld", (long long)(it_sql_id() % 100000000));
	it_postf_refused("/user/login", NULL, 401, "unauthorized", NULL,
	                 "{\"mobile\":\"%s\",\"password\":\"not-the-password\"}", bad_mobile);

	/* ---- the shifts ---- */
	assert_shift(it_post("/shift/current", ca, NULL), shift_a, a1, a2, a1, 10000 + a1 - a1);
	/* A counter payment still on its way to the consumer keeps the shift open. */
	pending_pay = it_sql_id();
	it_sql_ok(it_sql("INSERT INTO pays (id, uid, oid, amount, source, method, status, "
	                 "cashier_id, shift_id, create_time, update_time) VALUES (%lld, %lld, "
	                 "%lld, 100, 0, 'cash', 0, %lld, %lld, UNIX_TIMESTAMP(), UNIX_TIMESTAMP())",
	                 (long long)pending_pay, (long long)pt.cust_uid, (long long)it_sql_id(),
	                 (long long)ca_uid, (long long)shift_a));
	it_conflict(it_post("/shift/close", ca, "{\"counted\":10000}"), "payments_pending");
	it_sql_ok(it_sql("DELETE FROM pays WHERE id = %lld", (long long)pending_pay));
	r = it_ok(it_post("/shift/close", ca, "{\"counted\":10000}"));
	assert_int_equal(it_data_int(r, "expectedCash"), 10000);
	assert_int_equal(it_data_int(r, "variance"), 0);
	it_resp_free(r);
	/* B went home: the admin sees and closes B's shift. */
	snprintf(body, sizeof(body), "{\"cashierId\":%lld}", (long long)cb_uid);
	assert_shift(it_post("/shift/current", pt.admin, body), shift_b, a3, a4, a3, 5000);
	snprintf(body, sizeof(body), "{\"cashierId\":%lld,\"counted\":4900}", (long long)cb_uid);
	r = it_ok(it_post("/shift/close", pt.admin, body));
	assert_int_equal(it_data_int(r, "expectedCash"), 5000);
	assert_int_equal(it_data_int(r, "counted"), 4900);
	assert_int_equal(it_data_int(r, "variance"), -100);
	it_resp_free(r);
	/* Closed is closed: no second close, no counter sale, the row keeps its figures. */
	r = it_post("/shift/close", cb, "{\"counted\":1}");
	assert_true(r->status == 404 || r->status == 409);
	it_resp_free(r);
	it_conflict(it_postf("/pay/create", ca, "{\"oid\":%lld,\"source\":0,\"method\":\"card\"}",
	                     (long long)other),
	            "no_open_shift");
	assert_int_equal(it_sql_int("SELECT counted * 100000 + expected_cash FROM shifts WHERE "
	                            "id = %lld AND open IS NULL",
	                            (long long)shift_b),
	                 INT64_C(4900) * 100000 + 5000);

	/* ---- /report/sales ---- */
	{
		const char *const paths[] = {"/report/sales", "/report/occupancy", "/audit/list"};
		const char *const toks[] = {pt.cust, ca};

		it_admin_only(paths, 3, toks, 2, "{\"from\":0,\"to\":1,\"groupBy\":\"film\"}");
	}
	it_postf_refused("/report/sales", pt.admin, 400, "invalid_field", "groupBy",
	                 "{\"from\":%lld,\"to\":%lld,\"groupBy\":\"hall\"}", (long long)from,
	                 (long long)to);
	it_postf_refused("/report/sales", pt.admin, 400, "invalid_field", "to",
	                 "{\"from\":%lld,\"to\":%lld,\"groupBy\":\"day\"}", (long long)to,
	                 (long long)from);

	r = sales("film", from, to);
	list = it_data_list(r);
	assert_fig(sales_row(list, NULL, f1), film1, "film 1");
	assert_fig(sales_row(list, f2_name, f2), film2, "film 2 (cancelled screening)");
	it_resp_free(r);

	r = sales("cashier", from, to);
	list = it_data_list(r);
	assert_fig(sales_row(list, NULL, ca_uid), cash_a, "cashier A");
	assert_fig(sales_row(list, NULL, cb_uid), cash_b, "cashier B");
	assert_fig(fig_minus(sales_row(list, "online", 0), before_online), online, "online");
	it_resp_free(r);

	r = sales("method", from, to);
	list = it_data_list(r);
	assert_fig(fig_minus(sales_row(list, "cash", 0), before_cash), m_cash, "cash");
	assert_fig(fig_minus(sales_row(list, "card", 0), before_card), m_card, "card");
	assert_fig(fig_minus(sales_row(list, "online", 0), before_monline), m_online, "online");
	it_resp_free(r);

	now = time(NULL);
	localtime_r(&now, &tm);
	strftime(body, sizeof(body), "%Y-%m-%d", &tm);
	r = sales("day", from, to);
	list = it_data_list(r);
	if (strcmp(body, today) == 0)
		assert_fig(fig_minus(sales_row(list, today, 0), before_day), day, "day");
	else
		print_message("the day turned during the test: the day figures are not checked\n");
	it_resp_free(r);

	/* A range before the day has none of it. */
	r = sales("film", from - 86400, from);
	assert_null(it_list_find(r, f1));
	it_resp_free(r);

	/* ---- CSV ---- */
	r = it_postf("/report/sales", pt.admin,
	             "{\"from\":%lld,\"to\":%lld,\"groupBy\":\"film\",\"format\":\"csv\"}",
	             (long long)from, (long long)to);
	it_assert_status(r, 200);
	assert_true(strncmp(r->content_type, "text/csv", 8) == 0);
	if (csv_parse(r->body, &csv) < 0)
		fail_msg("not RFC 4180 CSV:\n%s", r->body);
	assert_true(csv.nrows >= 3);
	assert_string_equal(csv.cell[0][0], "key");
	assert_string_equal(csv.cell[0][1], "id");
	assert_string_equal(csv.cell[0][2], "tickets");
	assert_string_equal(csv.cell[0][3], "amount");
	assert_string_equal(csv.cell[0][4], "refunds");
	found = 0;
	for (i = 1; i < csv.nrows; i++) {
		int64_t id = strtoll(csv.cell[i][1], NULL, 10);
		const struct fig *want = id == f1 ? &film1 : id == f2 ? &film2 : NULL;

		if (!want)
			continue;
		found++;
		if (id == f2)
			assert_string_equal(csv.cell[i][0], f2_name);
		assert_int_equal(strtoll(csv.cell[i][2], NULL, 10), want->tickets);
		assert_int_equal(strtoll(csv.cell[i][3], NULL, 10), want->amount);
		assert_int_equal(strtoll(csv.cell[i][4], NULL, 10), want->refunds);
	}
	assert_int_equal(found, 2);
	assert_non_null(strstr(r->body, "\"Say \"\"hi\"\", world\","));
	csv_free(&csv);
	it_resp_free(r);

	/* ---- /report/occupancy ---- */
	r = it_ok(it_postf("/report/occupancy", pt.admin, "{\"from\":%lld,\"to\":%lld}",
	                   (long long)from, (long long)to));
	(void)it_data_list(r);
	o = NULL;
	cJSON_ArrayForEach(o, it_data_list(r))
	{
		int64_t id = it_json_int(o, "screeningId");

		/* A cancelled screening is not on the report. */
		assert_true(id != s2);
		if (id == s1) {
			/* A3, B1, B2, B3 sold; A1, A2 refunded. */
			int64_t sold = 1 + 2 + 1;

			assert_true(strlen(it_json_str(o, "film")) > 0);
			assert_int_equal(it_json_int(o, "sold"), sold);
			assert_int_equal(it_json_int(o, "total"), total1);
			assert_int_equal(
			    (int64_t)(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "percent")) * 10 +
			              0.5),
			    (sold * 1000 + total1 / 2) / total1);
		}
		if (id == s3) {
			/* The late payment was refunded; the other order is unpaid. */
			assert_int_equal(it_json_int(o, "sold"), 0);
			assert_int_equal(it_json_int(o, "total"), total3);
		}
	}
	it_resp_free(r);

	/* ---- /audit/list ---- */
	/* Cashier A, newest first: close, card sale, cash sale, open. */
	r = it_ok(it_postf("/audit/list", pt.admin, "{\"actor\":%lld,\"from\":%lld}",
	                   (long long)ca_uid, (long long)from));
	list = it_data_list(r);
	assert_int_equal(it_data_int(r, "total"), 4);
	assert_int_equal(cJSON_GetArraySize(list), 4);
	{
		const char *want[] = {"shift.close", "pay.counter", "pay.counter", "shift.open"};
		int64_t prev = INT64_MAX;

		i = 0;
		cJSON_ArrayForEach(o, list)
		{
			assert_string_equal(it_json_str(o, "action"), want[i]);
			assert_int_equal(it_json_int(o, "actor"), ca_uid);
			assert_true(it_json_int(o, "at") <= prev);
			prev = it_json_int(o, "at");
			i++;
		}
		snprintf(body, sizeof(body), "shift:%lld", (long long)shift_a);
		assert_string_equal(it_json_str(cJSON_GetArrayItem(list, 0), "target"), body);
		assert_string_equal(it_json_str(cJSON_GetArrayItem(list, 3), "target"), body);
	}
	it_resp_free(r);
	/* Paging: two per page, page 2 holds the older two. */
	r = it_ok(it_postf("/audit/list", pt.admin,
	                   "{\"actor\":%lld,\"from\":%lld,\"page\":2,\"pageSize\":2}",
	                   (long long)ca_uid, (long long)from));
	list = it_data_list(r);
	assert_int_equal(it_data_int(r, "total"), 4);
	assert_int_equal(cJSON_GetArraySize(list), 2);
	assert_string_equal(it_json_str(cJSON_GetArrayItem(list, 1), "action"), "shift.open");
	it_resp_free(r);
	/* Cashier B: open, two sales and two check-ins; the close was the admin's. */
	r = it_ok(it_postf("/audit/list", pt.admin, "{\"actor\":%lld,\"from\":%lld,\"to\":%lld}",
	                   (long long)cb_uid, (long long)from, (long long)to));
	assert_int_equal(it_data_int(r, "total"), 5);
	{
		int checkins = 0;

		cJSON_ArrayForEach(o, it_data_list(r))
		{
			if (!strcmp(it_json_str(o, "action"), "ticket.checkin")) {
				checkins++;
				assert_non_null(
				    strstr(it_json_str(o, "detail"),
				           checkins == 1 ? "already_used" : "admitted"));
			}
		}
		assert_int_equal(checkins, 2);
	}
	it_resp_free(r);
	/* The admin's refund, cancel and close of B's shift; the failed login (actor 0). */
	{
		char t_refund[48], t_close[48];
		int seen_refund = 0, seen_close = 0, seen_login = 0, seen_cancel = 0, page;

		snprintf(t_refund, sizeof(t_refund), "order:%lld", (long long)o1);
		snprintf(t_close, sizeof(t_close), "shift:%lld", (long long)shift_b);
		for (page = 1; page <= 50; page++) {
			int64_t total;

			r = it_ok(it_postf("/audit/list", pt.admin,
			                   "{\"from\":%lld,\"page\":%d,\"pageSize\":100}",
			                   (long long)from, page));
			list = it_data_list(r);
			total = it_data_int(r, "total");
			cJSON_ArrayForEach(o, list)
			{
				const char *a = it_json_str(o, "action"),
				           *t = it_json_str(o, "target");

				if (strcmp(a, "order.refund") == 0 && strcmp(t, t_refund) == 0)
					seen_refund++;
				if (strcmp(a, "shift.close") == 0 && strcmp(t, t_close) == 0) {
					seen_close++;
					assert_non_null(
					    strstr(it_json_str(o, "detail"), "variance=-100"));
				}
				if (strcmp(a, "user.login_failed") == 0 &&
				    strcmp(t, bad_mobile) == 0) {
					seen_login++;
					assert_int_equal(it_json_int(o, "actor"), 0);
				}
				if (strstr(a, "cancel") && strstr(t, "screening") &&
				    strtoll(strchr(t, ':') ? strchr(t, ':') + 1 : "0", NULL, 10) ==
				        s2)
					seen_cancel++;
			}
			it_resp_free(r);
			if ((int64_t)page * 100 >= total)
				break;
		}
		assert_int_equal(seen_refund, 1);
		assert_int_equal(seen_close, 1);
		assert_int_equal(seen_login, 1);
		assert_int_equal(seen_cancel, 1);
	}
	/* Nothing in the API deletes or changes an audit row. */
	r = it_post("/audit/delete", pt.admin, "{\"id\":1}");
	assert_int_equal(r->status, 404);
	it_resp_free(r);
	(void)o2;
	(void)o4;
	free(ca);
	free(cb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_a_business_day_adds_up),
	};

	return cmocka_run_group_tests(tests, group_setup, pt_teardown);
}
