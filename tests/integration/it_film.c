// ctest: RUN_SERIAL
/*
 * it_film.c: the film routes of spec 4.2 against the real daemon: creation
 * and its field checks, roles, present-key updates, search and paging, the
 * sale list, removal (soft, refused while paid tickets are to come, taking
 * the film's future screenings with it), that every write shows in the
 * next read at once (cache invalidation), and that reads go on from MySQL
 * while Redis is down (it stops Redis: run alone).
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

static char *admin_tok;
static char *customer_tok;
static char *cashier_tok;

/* A film through the API; returns its id. */
static int64_t film_new(const char *name, const char *director, const char *genre, int select,
                        int stock)
{
	struct it_resp *r;

	r = it_postf("/film/create", admin_tok,
	             "{\"name\":\"%s\",\"desc\":\"A film.\",\"stock\":%d,\"amount\":4500,"
	             "\"screenwriter\":\"Writer\",\"director\":\"%s\",\"length\":100,"
	             "\"isSelectSeat\":%d,\"genre\":\"%s\"}",
	             name, stock, director, select, genre);
	return it_created_id(r);
}

/* An order of a screening with one ticket on seat, by SQL (the selling issue's rows). */
static int64_t order_with_ticket(int64_t fid, int64_t sid, const char *seat, int order_status,
                                 int ticket_status)
{
	int64_t oid = it_sql_id(), tid = it_sql_id();

	it_sql_ok(it_sql("INSERT INTO orders (id, uid, fid, screening_id, amount, status, "
	                 "create_time, update_time) VALUES (%lld, 1, %lld, %lld, 4500, %d, "
	                 "UNIX_TIMESTAMP(), UNIX_TIMESTAMP())",
	                 (long long)oid, (long long)fid, (long long)sid, order_status));
	it_sql_ok(it_sql(
	    "INSERT INTO tickets (id, order_id, screening_id, fid, seat, price, status, "
	    "live, create_time) VALUES (%lld, %lld, %lld, %lld, '%s', 4500, %d, 1, "
	    "UNIX_TIMESTAMP())",
	    (long long)tid, (long long)oid, (long long)sid, (long long)fid, seat, ticket_status));
	return oid;
}

static struct it_resp *detail(int64_t id)
{
	return it_postf("/film/detail", NULL, "{\"id\":%lld}", (long long)id);
}

static int group_setup(void **state)
{
	if (it_setup_admin_customer(&admin_tok, &customer_tok) != 0)
		return -1;
	cashier_tok = it_cashier(NULL);
	return cashier_tok ? 0 : -1;
}

static int group_teardown(void **state)
{
	free(admin_tok);
	free(customer_tok);
	free(cashier_tok);
	return 0;
}

static void test_film_create_then_detail_shows_every_field(void **state)
{
	struct it_resp *r;
	cJSON *d;
	int64_t id;

	id = it_ok_id(
	    it_post("/film/create", admin_tok,
	            "{\"name\":\"Les Enfants du Paradis\",\"desc\":\"Paris, 1828: a mime loves "
	            "an actress.\",\"stock\":12,\"amount\":5200,\"screenwriter\":\"Jacques "
	            "Prévert\",\"director\":\"Marcel Carné\",\"length\":190,\"isSelectSeat\":0,"
	            "\"genre\":\"Drama\",\"posterUrl\":\"/static/posters/enfants.svg\"}"));

	r = it_ok(detail(id));
	d = it_data(r);
	assert_int_equal(it_json_int(d, "id"), id);
	assert_string_equal(it_json_str(d, "name"), "Les Enfants du Paradis");
	assert_string_equal(it_json_str(d, "desc"), "Paris, 1828: a mime loves an actress.");
	assert_string_equal(it_json_str(d, "screenwriter"), "Jacques Prévert");
	assert_string_equal(it_json_str(d, "director"), "Marcel Carné");
	assert_int_equal(it_json_int(d, "length"), 190);
	assert_int_equal(it_json_int(d, "amount"), 5200);
	assert_int_equal(it_json_int(d, "stock"), 12);
	assert_int_equal(it_json_int(d, "isSelectSeat"), 0);
	assert_string_equal(it_json_str(d, "genre"), "Drama");
	assert_string_equal(it_json_str(d, "posterUrl"), "/static/posters/enfants.svg");
	assert_true(llabs((long long)(it_json_int(d, "createTime") - time(NULL))) < 60);
	it_resp_free(r);

	/* Every admin write is audited. */
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'film.create' AND "
	                            "target = 'film:%lld'",
	                            (long long)id),
	                 1);
}

static void test_film_create_refuses_bad_fields(void **state)
{
	static const char *const full =
	    "\"name\":\"N\",\"desc\":\"\",\"stock\":0,\"amount\":0,\"screenwriter\":\"\","
	    "\"director\":\"\",\"length\":1,\"isSelectSeat\":1";
	static const struct {
		const char *body, *field;
	} cases[] = {
	    {"{\"desc\":\"\",\"stock\":0,\"amount\":0,\"screenwriter\":\"\",\"director\":\"\","
	     "\"length\":1,\"isSelectSeat\":1}",
	     "name"},
	    {"{\"name\":\"N\",\"stock\":0,\"amount\":0,\"screenwriter\":\"\",\"director\":\"\","
	     "\"length\":1,\"isSelectSeat\":1}",
	     "desc"},
	    {"{\"name\":\"N\",\"desc\":\"\",\"amount\":0,\"screenwriter\":\"\","
	     "\"director\":\"\",\"length\":1,\"isSelectSeat\":1}",
	     "stock"},
	    {"{\"name\":\"N\",\"desc\":\"\",\"stock\":0,\"screenwriter\":\"\","
	     "\"director\":\"\",\"length\":1,\"isSelectSeat\":1}",
	     "amount"},
	    {"{\"name\":\"N\",\"desc\":\"\",\"stock\":0,\"amount\":0,\"director\":\"\","
	     "\"length\":1,\"isSelectSeat\":1}",
	     "screenwriter"},
	    {"{\"name\":\"N\",\"desc\":\"\",\"stock\":0,\"amount\":0,\"screenwriter\":\"\","
	     "\"length\":1,\"isSelectSeat\":1}",
	     "director"},
	    {"{\"name\":\"N\",\"desc\":\"\",\"stock\":0,\"amount\":0,\"screenwriter\":\"\","
	     "\"director\":\"\",\"isSelectSeat\":1}",
	     "length"},
	    {"{\"name\":\"N\",\"desc\":\"\",\"stock\":0,\"amount\":0,\"screenwriter\":\"\","
	     "\"director\":\"\",\"length\":1}",
	     "isSelectSeat"},
	};
	static const struct {
		const char *extra, *field;
	} bad[] = {
	    {"\"name\":\"\"", "name"},
	    {"\"name\":7", "name"},
	    {"\"length\":0", "length"},
	    {"\"length\":1441", "length"},
	    {"\"length\":90.5", "length"},
	    {"\"amount\":-1", "amount"},
	    {"\"amount\":1000000001", "amount"},
	    {"\"stock\":-3", "stock"},
	    {"\"isSelectSeat\":2", "isSelectSeat"},
	    {"\"stock\":\"5\"", "stock"},
	    {"\"posterUrl\":\"javascript:alert(1)\"", "posterUrl"},
	    {"\"posterUrl\":\"/a b.svg\"", "posterUrl"},
	    {"\"posterUrl\":\"/x\\\"onload=\\\"y.svg\"", "posterUrl"},
	    {"\"genre\":[\"Drama\"]", "genre"},
	};
	char body[4096], longname[202];
	struct it_resp *r;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		r = it_post("/film/create", admin_tok, cases[i].body);
		it_assert_error(r, 400, "invalid_field");
		assert_string_equal(it_json_str(it_data(r), "field"), cases[i].field);
		it_resp_free(r);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		/* The bad key comes first: of duplicate keys, the first one is read. */
		snprintf(body, sizeof(body), "{%s,%s}", bad[i].extra, full);
		it_post_refused("/film/create", admin_tok, body, 400, "invalid_field",
		                bad[i].field);
	}
	/* 101 characters (each two bytes in UTF-8) is one too many; 100 is fine. */
	for (i = 0; i < 101; i++)
		memcpy(longname + 2 * i, "\xc3\xa9", 2);
	longname[202 - 2] = '\0';
	it_postf_ok("/film/create", admin_tok, "{\"name\":\"%s\",%s}", longname, full);
	it_postf_refused("/film/create", admin_tok, 400, "invalid_field", NULL,
	                 "{\"name\":\"%s\xc3\xa9\",%s}", longname, full);
}

static void test_film_writes_need_the_admin_role(void **state)
{
	static const char *const paths[] = {"/film/create", "/film/update", "/film/remove"};
	int64_t id = film_new(it_unique("roles-"), "D", "Drama", 1, 0);
	const char *const toks[] = {customer_tok, cashier_tok};
	char body[64];

	snprintf(body, sizeof(body), "{\"id\":%lld,\"name\":\"x\"}", (long long)id);
	it_admin_only(paths, 3, toks, 2, body);
	/* Reads are public. */
	it_resp_free(it_ok(detail(id)));
	it_post_ok("/film/list", NULL, NULL);
	it_post_ok("/film/sale/list", NULL, NULL);
}

static void test_film_update_sets_present_keys_only(void **state)
{
	int64_t id = film_new("Before", "Dir", "Comedy", 0, 50);
	struct it_resp *r;
	cJSON *d;

	/* Cached now: the update below must show at once. */
	it_resp_free(it_ok(detail(id)));

	it_postf_ok("/film/update", admin_tok,
	            "{\"id\":%lld,\"name\":\"After\",\"stock\":0,\"genre\":\"\",\"desc\":\"\"}",
	            (long long)id);
	r = it_ok(detail(id));
	d = it_data(r);
	assert_string_equal(it_json_str(d, "name"), "After");
	assert_int_equal(it_json_int(d, "stock"), 0);
	assert_string_equal(it_json_str(d, "genre"), "");
	assert_string_equal(it_json_str(d, "desc"), "");
	/* Absent keys are unchanged. */
	assert_string_equal(it_json_str(d, "director"), "Dir");
	assert_int_equal(it_json_int(d, "amount"), 4500);
	assert_int_equal(it_json_int(d, "length"), 100);
	assert_int_equal(it_json_int(d, "isSelectSeat"), 0);
	it_resp_free(r);

	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"isSelectSeat\":1,\"amount\":0}",
	            (long long)id);
	r = detail(id);
	assert_int_equal(it_json_int(it_data(r), "isSelectSeat"), 1);
	assert_int_equal(it_json_int(it_data(r), "amount"), 0);
	assert_string_equal(it_json_str(it_data(r), "name"), "After");
	it_resp_free(r);

	/* Nothing to set is fine; bad values and unknown ids are not. */
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld}", (long long)id);
	it_postf_refused("/film/update", admin_tok, 400, "invalid_field", "name",
	                 "{\"id\":%lld,\"name\":\"\"}", (long long)id);
	it_postf_refused("/film/update", admin_tok, 400, "invalid_field", NULL,
	                 "{\"id\":%lld,\"length\":0}", (long long)id);
	it_post_refused("/film/update", admin_tok, "{\"name\":\"x\"}", 400, "invalid_field", "id");
	it_postf_refused("/film/update", admin_tok, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"name\":\"x\"}", (long long)it_sql_id());
	it_postf_refused("/film/update", admin_tok, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)it_sql_id());
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'film.update' AND "
	                            "target = 'film:%lld'",
	                            (long long)id),
	                 2);
}

static void test_film_detail_refuses_bad_and_unknown_ids(void **state)
{
	it_post_refused("/film/detail", NULL, "{}", 400, "invalid_field", NULL);
	it_post_refused("/film/detail", NULL, "{\"id\":0}", 400, "invalid_field", NULL);
	it_post_refused("/film/detail", NULL, "{\"id\":\"12\"}", 400, "invalid_field", NULL);
	it_post_refused("/film/detail", NULL, "{\"id\":9007199254740992}", 400, "invalid_field",
	                NULL);
	it_refused(detail(it_sql_id()), 404, "not_found", NULL);
}

static void test_film_list_searches_and_pages(void **state)
{
	const char *tag = it_unique("zq");
	char name[128], dir[128];
	int64_t a, b, c, d;
	struct it_resp *r;
	cJSON *l;

	snprintf(name, sizeof(name), "Night %s Train", tag);
	a = film_new(name, "Someone", "Thriller", 1, 0);
	snprintf(dir, sizeof(dir), "Ann %s", tag);
	b = film_new("Morning", dir, "Comedy", 1, 0);
	c = film_new("Evening", dir, "Thriller", 1, 0);
	d = film_new("Unrelated", "Nobody", "Thriller", 1, 0);

	r = it_ok(it_postf("/film/list", NULL, "{\"query\":\"%s\"}", tag));
	assert_int_equal(it_data_int(r, "total"), 3);
	assert_non_null(it_list_find(r, a));
	assert_non_null(it_list_find(r, b));
	assert_non_null(it_list_find(r, c));
	assert_null(it_list_find(r, d));
	/* Newest first. */
	assert_int_equal(it_json_int(cJSON_GetArrayItem(it_data_list(r), 0), "id"), c);
	it_resp_free(r);

	/* Case-insensitive substring; genre narrows. */
	r = it_ok(
	    it_postf("/film/list", NULL, "{\"query\":\"night %s\",\"genre\":\"thriller\"}", tag));
	assert_int_equal(it_data_int(r, "total"), 1);
	assert_non_null(it_list_find(r, a));
	it_resp_free(r);
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\",\"genre\":\"Comedy\"}", tag);
	assert_int_equal(it_data_int(r, "total"), 1);
	assert_non_null(it_list_find(r, b));
	it_resp_free(r);

	/* Paging: 3 matches, 2 a page. */
	r = it_ok(
	    it_postf("/film/list", NULL, "{\"query\":\"%s\",\"page\":1,\"pageSize\":2}", tag));
	assert_int_equal(cJSON_GetArraySize(it_data_list(r)), 2);
	assert_int_equal(it_data_int(r, "total"), 3);
	it_resp_free(r);
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\",\"page\":2,\"pageSize\":2}", tag);
	l = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(l), 1);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 0), "id"), a);
	it_resp_free(r);
	r = it_ok(
	    it_postf("/film/list", NULL, "{\"query\":\"%s\",\"page\":3,\"pageSize\":2}", tag));
	assert_int_equal(cJSON_GetArraySize(it_data_list(r)), 0);
	assert_int_equal(it_data_int(r, "total"), 3);
	it_resp_free(r);

	/* LIKE wildcards in a query are plain characters. */
	r = it_ok(it_post("/film/list", NULL, "{\"query\":\"%_%\"}"));
	assert_int_equal(it_data_int(r, "total"), 0);
	it_resp_free(r);

	/* A film created now is in the next list at once. */
	d = film_new(name, "X", "Thriller", 1, 0);
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\"}", tag);
	assert_int_equal(it_data_int(r, "total"), 4);
	assert_non_null(it_list_find(r, d));
	it_resp_free(r);

	it_post_refused("/film/list", NULL, "{\"pageSize\":0}", 400, "invalid_field", "pageSize");
	it_post_refused("/film/list", NULL, "{\"pageSize\":101}", 400, "invalid_field", NULL);
	it_post_refused("/film/list", NULL, "{\"page\":0}", 400, "invalid_field", NULL);
	it_post_refused("/film/list", NULL, "{\"query\":5}", 400, "invalid_field", NULL);
}

static void test_film_sale_list_has_stock_or_a_future_free_seat(void **state)
{
	int64_t ga = film_new(it_unique("ga-"), "D", "Drama", 0, 5);
	int64_t soldout = film_new(it_unique("soldout-"), "D", "Drama", 0, 0);
	int64_t seated = film_new(it_unique("seated-"), "D", "Drama", 1, 0);
	int64_t hall = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"), sid;
	struct it_resp *r;

	r = it_ok(it_post("/film/sale/list", NULL, NULL));
	assert_non_null(it_list_find(r, ga));
	assert_null(it_list_find(r, soldout));
	assert_null(it_list_find(r, seated));
	assert_true(it_data_int(r, "total") >= 1);
	it_resp_free(r);

	/* A screening to come puts it on sale at once. */
	sid = it_screening_new(admin_tok, seated, hall, time(NULL) + 3 * 86400);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_non_null(it_list_find(r, seated));
	it_resp_free(r);

	/* Stock updated to 0: off sale at once. */
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"stock\":0}", (long long)ga);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_null(it_list_find(r, ga));
	it_resp_free(r);

	/* Cancelled: off sale at once. */
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"test\"}",
	            (long long)sid);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_null(it_list_find(r, seated));
	it_resp_free(r);
}

static void test_film_sale_list_leaves_out_sold_out_screenings(void **state)
{
	int64_t fid = film_new(it_unique("full-"), "D", "Drama", 1, 0);
	int64_t hall, sid;
	struct it_resp *r;

	hall = it_ok_id(it_postf("/hall/create", admin_tok,
	                         "{\"name\":\"%s\",\"layout\":[\"S.X\"]}", it_unique("tiny-")));
	sid = it_screening_new(admin_tok, fid, hall, time(NULL) + 2 * 86400);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_non_null(it_list_find(r, fid));
	it_resp_free(r);
	/*
	 * The one sellable seat sold. A sale does not bump the film namespace
	 * (the sale list has a short TTL of its own), so a film write does.
	 */
	order_with_ticket(fid, sid, "A1", 1, 1);
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"stock\":0}", (long long)fid);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_null(it_list_find(r, fid));
	it_resp_free(r);
}

/*
 * /film/remove of fid is refused (409 paid_tickets) while order oid's ticket
 * is live, and the film stays; once the ticket is refunded, removal goes
 * through.
 */
static void remove_after_refund(int64_t fid, int64_t oid)
{
	it_conflict(it_postf("/film/remove", admin_tok, "{\"id\":%lld}", (long long)fid),
	            "paid_tickets");
	it_resp_free(it_ok(detail(fid)));
	it_sql_ok(it_sql("UPDATE tickets SET status = 2, live = NULL WHERE order_id = %lld",
	                 (long long)oid));
	it_postf_ok("/film/remove", admin_tok, "{\"id\":%lld}", (long long)fid);
}

static void test_film_remove_is_refused_while_paid_tickets_are_to_come(void **state)
{
	char name[64];
	int64_t fid, hall = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"), sid, oid;
	struct it_resp *r;

	snprintf(name, sizeof(name), "%s", it_unique("paid-"));
	fid = film_new(name, "D", "Drama", 1, 0);
	/* Listed (and cached) before the removal. */
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\"}", name);
	assert_non_null(it_list_find(r, fid));
	it_resp_free(r);

	sid = it_screening_new(admin_tok, fid, hall, time(NULL) + 86400);
	oid = order_with_ticket(fid, sid, "B2", 1, 1);
	/* Refused, the film stays; refunded (ticket void): removal goes through. */
	remove_after_refund(fid, oid);

	/* Removed films are 404 everywhere. */
	it_refused(detail(fid), 404, "not_found", NULL);
	it_postf_refused("/film/update", admin_tok, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"name\":\"back\"}", (long long)fid);
	it_postf_refused("/film/remove", admin_tok, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)fid);
	r = it_ok(it_postf("/film/list", NULL, "{\"query\":\"%s\"}", name));
	assert_int_equal(it_data_int(r, "total"), 0);
	assert_null(it_list_find(r, fid));
	it_resp_free(r);
	it_postf_refused("/screening/detail", NULL, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)sid);
	it_postf_refused("/screening/create", admin_tok, 404, "not_found", NULL,
	                 "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld}", (long long)fid,
	                 (long long)hall, (long long)(time(NULL) + 30 * 86400));
	assert_int_equal(it_sql_int("SELECT removed FROM films WHERE id = %lld", (long long)fid),
	                 1);
}

static void test_film_remove_ignores_paid_tickets_of_past_screenings(void **state)
{
	int64_t fid = film_new(it_unique("past-"), "D", "Drama", 1, 0);
	int64_t hall = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"), sid = it_sql_id();

	/* A screening that was yesterday, with a paid ticket. */
	it_screening_sql(sid, fid, hall, "UNIX_TIMESTAMP() - 86400", "UNIX_TIMESTAMP() - 80000", 8);
	order_with_ticket(fid, sid, "A1", 1, 1);
	it_postf_ok("/film/remove", admin_tok, "{\"id\":%lld}", (long long)fid);
	/* Its history stays as it was. */
	assert_int_equal(
	    it_sql_int("SELECT status FROM screenings WHERE id = %lld", (long long)sid), 0);
}

static void test_film_remove_is_refused_while_a_running_screening_has_paid_tickets(void **state)
{
	int64_t fid = film_new(it_unique("running-"), "D", "Drama", 1, 0);
	int64_t hall = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"), sid = it_sql_id(), oid;

	/* Started ten minutes ago, not over: its paid tickets are still to be used. */
	it_screening_sql(sid, fid, hall, "UNIX_TIMESTAMP() - 600", "UNIX_TIMESTAMP() + 5400", 8);
	oid = order_with_ticket(fid, sid, "A2", 1, 1);
	/* Refunded: removal goes through, and a running screening is not cancelled. */
	remove_after_refund(fid, oid);
	assert_int_equal(
	    it_sql_int("SELECT status FROM screenings WHERE id = %lld", (long long)sid), 0);
}

static void test_film_remove_cancels_its_future_screenings(void **state)
{
	int64_t fid = film_new(it_unique("cancel-"), "D", "Drama", 1, 0);
	int64_t hall = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"), sid, oid;

	sid = it_screening_new(admin_tok, fid, hall, time(NULL) + 86400);
	oid = order_with_ticket(fid, sid, "A3", 0, 0);
	it_sh("redis-cli -c -p %s HSET %s A4 77 >/dev/null", it_env("REDIS_PORT"),
	      it_rkey("seats", sid));
	it_postf_ok("/film/remove", admin_tok, "{\"id\":%lld}", (long long)fid);
	assert_int_equal(
	    it_sql_int("SELECT status FROM screenings WHERE id = %lld", (long long)sid), 1);
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)oid),
	                 2);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND "
	                            "live IS NULL AND status = 2",
	                            (long long)oid),
	                 1);
	assert_int_equal(it_sh("test \"$(redis-cli -c -p %s EXISTS %s)\" = 0", it_env("REDIS_PORT"),
	                       it_rkey("seats", sid)),
	                 0);
	/* The hall is free again. */
	it_postf_ok("/hall/remove", admin_tok, "{\"id\":%lld}", (long long)hall);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'film.remove' AND "
	                            "target = 'film:%lld'",
	                            (long long)fid),
	                 1);
}

static void test_film_openapi_example_still_works(void **state)
{
	/* The original's example (seed-openapi.json): a general-admission film. */
	struct it_resp *r;
	cJSON *d;
	int64_t id;

	r = it_ok(
	    it_post("/film/create", admin_tok,
	            "{\"name\": \"Star Fight\", \"desc\": \"a excellent movie \", \"stock\": 100, "
	            "\"amount\": 38, \"screenwriter\": \"James\", \"director\": \"John\", "
	            "\"length\": 120, \"isSelectSeat\": 0}"));
	id = it_data_int(r, "id");
	assert_true(id > 0 && id < (INT64_C(1) << 53));
	it_resp_free(r);

	/* The detail now carries its id, and every field of the original. */
	r = it_ok(detail(id));
	d = it_data(r);
	assert_int_equal(it_json_int(d, "id"), id);
	assert_string_equal(it_json_str(d, "name"), "Star Fight");
	assert_string_equal(it_json_str(d, "desc"), "a excellent movie ");
	assert_int_equal(it_json_int(d, "stock"), 100);
	assert_int_equal(it_json_int(d, "amount"), 38);
	assert_string_equal(it_json_str(d, "screenwriter"), "James");
	assert_string_equal(it_json_str(d, "director"), "John");
	assert_int_equal(it_json_int(d, "length"), 120);
	assert_int_equal(it_json_int(d, "isSelectSeat"), 0);
	assert_string_equal(it_json_str(d, "genre"), "");
	assert_string_equal(it_json_str(d, "posterUrl"), "");
	it_resp_free(r);

	/* General admission with stock: on sale, with its id, and no screenings. */
	r = it_ok(it_post("/film/sale/list", NULL, NULL));
	d = it_list_find(r, id);
	assert_non_null(d);
	assert_int_equal(it_json_int(d, "stock"), 100);
	it_resp_free(r);
	it_postf_refused("/screening/create", admin_tok, 400, "invalid_field", "filmId",
	                 "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld}", (long long)id,
	                 (long long)it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"),
	                 (long long)(time(NULL) + 86400));

	/* The update example: id and name. */
	it_postf_ok("/film/update", admin_tok, "{\"id\": %lld, \"name\": \"Star Fight 2\"}",
	            (long long)id);
	r = detail(id);
	assert_string_equal(it_data_str(r, "name"), "Star Fight 2");
	assert_int_equal(it_data_int(r, "stock"), 100);
	it_resp_free(r);
	it_postf_ok("/film/remove", admin_tok, "{\"id\": %lld}", (long long)id);
}

static void test_film_text_limits_are_enforced(void **state)
{
	static const char *const base =
	    "\"desc\":\"\",\"stock\":0,\"amount\":0,\"screenwriter\":\"\","
	    "\"director\":\"\",\"length\":1,\"isSelectSeat\":1";
	static const struct {
		const char *key;
		size_t max;
	} limits[] = {
	    {"name", 100},  {"desc", 2000},        {"director", 100},
	    {"genre", 100}, {"screenwriter", 100}, {"posterUrl", 500},
	};
	char *body, *val;
	struct it_resp *r;
	size_t i, n;
	int64_t id;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++) {
		for (n = limits[i].max; n <= limits[i].max + 1; n++) {
			val = malloc(n + 1);
			assert_non_null(val);
			memset(val, 'a', n);
			if (!strcmp(limits[i].key, "posterUrl"))
				val[0] = '/';
			val[n] = '\0';
			/* The key under test first: of duplicate keys the first is read. */
			assert_true(asprintf(&body, "{\"%s\":\"%s\",\"name\":\"%s\",%s}",
			                     limits[i].key, val, it_unique("limit-"), base) > 0);
			r = it_post("/film/create", admin_tok, body);
			if (n == limits[i].max) {
				it_assert_status(r, 200);
				id = it_data_int(r, "id");
				it_resp_free(r);
				r = it_ok(detail(id));
				assert_int_equal(strlen(it_data_str(r, limits[i].key)), n);
			} else {
				it_assert_error(r, 400, "invalid_field");
				assert_string_equal(it_json_str(it_data(r), "field"),
				                    limits[i].key);
			}
			it_resp_free(r);
			free(body);
			free(val);
		}
	}
	/* The search query is a name: at most 100 characters too. */
	val = malloc(102);
	assert_non_null(val);
	memset(val, 'q', 101);
	val[101] = '\0';
	it_postf_refused("/film/list", NULL, 400, "invalid_field", "query", "{\"query\":\"%s\"}",
	                 val);
	val[100] = '\0';
	it_postf_ok("/film/list", NULL, "{\"query\":\"%s\",\"pageSize\":100}", val);
	free(val);
}

/* The film's entry in a list answer, asserting the list is an answer. */
static cJSON *in_list(const struct it_resp *r, int64_t id)
{
	it_assert_status(r, 200);
	return it_list_find(r, id);
}

static void test_film_each_write_is_seen_by_the_next_read(void **state)
{
	char tag[64], body[256];
	struct it_resp *r;
	int64_t id;

	snprintf(tag, sizeof(tag), "%s", it_unique("rwr"));
	/* Read (and cache) the list, the sale list; create; read again. */
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\"}", tag);
	assert_int_equal(it_data_int(r, "total"), 0);
	it_resp_free(r);
	it_post_ok("/film/sale/list", NULL, NULL);
	snprintf(body, sizeof(body), "First %s", tag);
	id = film_new(body, "Dir", "Drama", 0, 5);
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\"}", tag);
	assert_int_equal(it_data_int(r, "total"), 1);
	assert_string_equal(it_json_str(in_list(r, id), "name"), body);
	it_resp_free(r);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_non_null(in_list(r, id));
	it_resp_free(r);

	/* Update: detail, list and sale list (stock 0: off sale) at once. */
	it_resp_free(it_ok(detail(id)));
	it_postf_ok("/film/update", admin_tok,
	            "{\"id\":%lld,\"name\":\"Second %s\",\"stock\":0,\"genre\":\"Noir\"}",
	            (long long)id, tag);
	snprintf(body, sizeof(body), "Second %s", tag);
	r = detail(id);
	assert_string_equal(it_data_str(r, "name"), body);
	assert_string_equal(it_data_str(r, "genre"), "Noir");
	assert_int_equal(it_data_int(r, "stock"), 0);
	it_resp_free(r);
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\"}", tag);
	assert_string_equal(it_json_str(in_list(r, id), "name"), body);
	it_resp_free(r);
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\",\"genre\":\"Noir\"}", tag);
	assert_non_null(in_list(r, id));
	it_resp_free(r);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_null(in_list(r, id));
	it_resp_free(r);
	/* And back on sale. */
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"stock\":7}", (long long)id);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_int_equal(it_json_int(in_list(r, id), "stock"), 7);
	it_resp_free(r);
	r = detail(id);
	assert_int_equal(it_data_int(r, "stock"), 7);
	it_resp_free(r);

	/* Remove: gone from the detail, the list and the sale list at once. */
	it_postf_ok("/film/remove", admin_tok, "{\"id\":%lld}", (long long)id);
	it_refused(detail(id), 404, "not_found", NULL);
	r = it_postf("/film/list", NULL, "{\"query\":\"%s\"}", tag);
	assert_int_equal(it_data_int(r, "total"), 0);
	assert_null(in_list(r, id));
	it_resp_free(r);
	r = it_post("/film/sale/list", NULL, NULL);
	assert_null(in_list(r, id));
	it_resp_free(r);
}

static void test_film_select_seat_stays_while_screenings_are_to_come(void **state)
{
	int64_t fid = film_new(it_unique("seated-"), "D", "Drama", 1, 0);
	int64_t hall = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"), sid;
	struct it_resp *r;

	sid = it_screening_new(admin_tok, fid, hall, time(NULL) + 2 * 86400);
	it_conflict(it_postf("/film/update", admin_tok,
	                     "{\"id\":%lld,\"isSelectSeat\":0,\"stock\":50}", (long long)fid),
	            "future_screenings");
	/* Nothing of the refused update was written. */
	r = detail(fid);
	assert_int_equal(it_data_int(r, "isSelectSeat"), 1);
	assert_int_equal(it_data_int(r, "stock"), 0);
	it_resp_free(r);
	/* Other fields, and isSelectSeat 1 again, are fine. */
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"isSelectSeat\":1,\"stock\":3}",
	            (long long)fid);
	/* With the screening cancelled it may be sold by quantity. */
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"test\"}",
	            (long long)sid);
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"isSelectSeat\":0}", (long long)fid);
	r = detail(fid);
	assert_int_equal(it_data_int(r, "isSelectSeat"), 0);
	assert_int_equal(it_data_int(r, "stock"), 3);
	it_resp_free(r);
}

static void test_film_reads_fall_back_to_mysql_while_redis_is_down(void **state)
{
	const char *name = it_unique("down-");
	int64_t id = film_new(name, "Dir", "Western", 0, 9);
	struct it_resp *r;
	int round;

	/* Cached first. */
	it_resp_free(it_ok(detail(id)));
	it_postf_ok("/film/list", NULL, "{\"query\":\"%s\"}", name);

	assert_int_equal(it_stack("redis-stop"), 0);
	for (round = 0; round < 3; round++) {
		r = it_ok(detail(id));
		assert_int_equal(it_data_int(r, "id"), id);
		assert_string_equal(it_data_str(r, "name"), name);
		assert_int_equal(it_data_int(r, "stock"), 9);
		it_resp_free(r);
		r = it_postf("/film/list", NULL, "{\"query\":\"%s\",\"genre\":\"Western\"}", name);
		assert_int_equal(it_data_int(r, "total"), 1);
		assert_non_null(in_list(r, id));
		it_resp_free(r);
		r = it_post("/film/sale/list", NULL, NULL);
		assert_non_null(in_list(r, id));
		it_resp_free(r);
		it_refused(detail(it_sql_id()), 404, "not_found", NULL);
	}
	/* A write goes through too (invalidation is best effort), and is read back. */
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"stock\":4}", (long long)id);
	r = detail(id);
	assert_int_equal(it_data_int(r, "stock"), 4);
	it_resp_free(r);
	assert_int_equal(it_redis_start(), 0);

	/* Back up: reads are answered (and cached again) all along. */
	for (round = 0; round < 3; round++) {
		r = it_ok(detail(id));
		assert_int_equal(it_data_int(r, "stock"), 4);
		it_resp_free(r);
		usleep(300 * 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_film_create_then_detail_shows_every_field),
	    cmocka_unit_test(test_film_create_refuses_bad_fields),
	    cmocka_unit_test(test_film_writes_need_the_admin_role),
	    cmocka_unit_test(test_film_update_sets_present_keys_only),
	    cmocka_unit_test(test_film_detail_refuses_bad_and_unknown_ids),
	    cmocka_unit_test(test_film_list_searches_and_pages),
	    cmocka_unit_test(test_film_sale_list_has_stock_or_a_future_free_seat),
	    cmocka_unit_test(test_film_sale_list_leaves_out_sold_out_screenings),
	    cmocka_unit_test(test_film_remove_is_refused_while_paid_tickets_are_to_come),
	    cmocka_unit_test(test_film_remove_ignores_paid_tickets_of_past_screenings),
	    cmocka_unit_test(
	        test_film_remove_is_refused_while_a_running_screening_has_paid_tickets),
	    cmocka_unit_test(test_film_remove_cancels_its_future_screenings),
	    cmocka_unit_test(test_film_openapi_example_still_works),
	    cmocka_unit_test(test_film_text_limits_are_enforced),
	    cmocka_unit_test(test_film_each_write_is_seen_by_the_next_read),
	    cmocka_unit_test(test_film_select_seat_stays_while_screenings_are_to_come),
	    cmocka_unit_test_teardown(test_film_reads_fall_back_to_mysql_while_redis_is_down,
	                              it_redis_back),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
