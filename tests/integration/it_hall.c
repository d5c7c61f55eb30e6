// ctest: RUN_SERIAL
/*
 * it_hall.c: the hall routes of spec 4.3 against the real daemon: creation
 * with layout validation, roles, updates (refused while a seat of a
 * screening to come is sold or held), soft removal (refused while
 * screenings to come use the hall), that every write shows in the next
 * read at once, and that reads go on from MySQL while Redis is down (it
 * stops Redis: run alone).
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
static int64_t film_id;

/* The layout of a hall answer as one string, rows joined by '|'. */
static void layout_str(const cJSON *d, char *out, size_t len)
{
	const cJSON *it, *l = cJSON_GetObjectItemCaseSensitive(d, "layout");
	size_t n = 0;

	assert_true(cJSON_IsArray(l));
	out[0] = '\0';
	cJSON_ArrayForEach(it, l)
	{
		assert_true(cJSON_IsString(it));
		n += (size_t)snprintf(out + n, len - n, "%s%s", n ? "|" : "", it->valuestring);
		assert_true(n < len);
	}
}

static struct it_resp *detail(int64_t id)
{
	return it_postf("/hall/detail", NULL, "{\"id\":%lld}", (long long)id);
}

static struct it_resp *update_layout(int64_t id, const char *layout_json)
{
	return it_postf("/hall/update", admin_tok, "{\"id\":%lld,\"layout\":%s}", (long long)id,
	                layout_json);
}

static int group_setup(void **state)
{
	return it_setup_admin_customer_film(&admin_tok, &customer_tok, &film_id, "Hall test film",
	                                    4000, 90);
}

static int group_teardown(void **state)
{
	free(admin_tok);
	free(customer_tok);
	return 0;
}

static void test_hall_create_then_detail_and_list(void **state)
{
	const char *name = it_unique("Studio ");
	struct it_resp *r;
	char lay[256];
	int64_t id;
	cJSON *d;

	r = it_ok(it_postf(
	    "/hall/create", admin_tok,
	    "{\"name\":\"%s\",\"layout\":[\"..SSSS..\",\"VVVV.VVVV\",\"\",\"WC.SS.HX\"]}", name));
	id = it_data_int(r, "id");
	/* Every letter counts, X included. */
	assert_int_equal(it_data_int(r, "seats"), 4 + 8 + 6);
	it_resp_free(r);

	r = it_ok(detail(id));
	d = it_data(r);
	assert_int_equal(it_json_int(d, "id"), id);
	assert_string_equal(it_json_str(d, "name"), name);
	layout_str(d, lay, sizeof(lay));
	assert_string_equal(lay, "..SSSS..|VVVV.VVVV||WC.SS.HX");
	assert_int_equal(it_json_int(d, "seats"), 18);
	assert_int_equal(it_json_int(d, "sellable"), 17);
	it_resp_free(r);

	r = it_ok(it_post("/hall/list", NULL, NULL));
	d = it_list_find(r, id);
	assert_non_null(d);
	assert_string_equal(it_json_str(d, "name"), name);
	assert_int_equal(it_json_int(d, "seats"), 18);
	assert_true(it_data_int(r, "total") >= 1);
	it_resp_free(r);

	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'hall.create' AND "
	                            "target = 'hall:%lld'",
	                            (long long)id),
	                 1);
}

/* A layout of nrows rows of one seat each: ["S","S",...]. */
static void rows_of_one_seat(char *out, size_t len, int nrows)
{
	size_t n = (size_t)snprintf(out, len, "[");

	for (int i = 0; i < nrows; i++)
		n += (size_t)snprintf(out + n, len - n, "%s\"S\"", i ? "," : "");
	snprintf(out + n, len - n, "]");
}

static void test_hall_create_refuses_bad_layouts(void **state)
{
	static const char *const bad[] = {
	    "\"SSSS\"",        /* not an array */
	    "[]",              /* no rows */
	    "[\"....\",\"\"]", /* no seat */
	    "[\"XXXX\"]",      /* nothing sellable */
	    "[\"SSsS\"]",      /* lower case */
	    "[\"SS SS\"]",     /* space */
	    "[\"SSQS\"]",      /* unknown letter */
	    "[\"SS\",5]",      /* a row that is not a string */
	    "[[\"SS\"]]",      /* nested */
	    "{\"A\":\"SS\"}",  /* object */
	    "[\"S\\u00e9\"]",  /* non-ASCII */
	};
	char rows27[27 * 5 + 3], row61[61 + 5];
	struct it_resp *r;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = it_postf("/hall/create", admin_tok, "{\"name\":\"bad\",\"layout\":%s}", bad[i]);
		if (!r || r->status != 400)
			print_error("layout %s\n", bad[i]);
		it_assert_error(r, 400, "invalid_field");
		assert_string_equal(it_json_str(it_data(r), "field"), "layout");
		it_resp_free(r);
	}
	/* 27 rows. */
	rows_of_one_seat(rows27, sizeof(rows27), 27);
	it_postf_refused("/hall/create", admin_tok, 400, "invalid_field", "layout",
	                 "{\"name\":\"bad\",\"layout\":%s}", rows27);
	/* 61 positions. */
	row61[0] = '[';
	row61[1] = '"';
	memset(row61 + 2, 'S', 61);
	memcpy(row61 + 63, "\"]", 3);
	it_postf_refused("/hall/create", admin_tok, 400, "invalid_field", NULL,
	                 "{\"name\":\"bad\",\"layout\":%s}", row61);
	/* 60 positions and 26 rows are fine. */
	memcpy(row61 + 62, "\"]", 3);
	r = it_ok(it_postf("/hall/create", admin_tok, "{\"name\":\"%s\",\"layout\":%s}",
	                   it_unique("wide-"), row61));
	assert_int_equal(it_data_int(r, "seats"), 60);
	it_resp_free(r);
	rows_of_one_seat(rows27, sizeof(rows27), 26);
	it_postf_ok("/hall/create", admin_tok, "{\"name\":\"%s\",\"layout\":%s}",
	            it_unique("deep-"), rows27);

	/* name is required and not empty; layout is required. */
	it_post_refused("/hall/create", admin_tok, "{\"layout\":[\"SS\"]}", 400, "invalid_field",
	                "name");
	it_post_refused("/hall/create", admin_tok, "{\"name\":\"\",\"layout\":[\"SS\"]}", 400,
	                "invalid_field", "name");
	it_post_refused("/hall/create", admin_tok, "{\"name\":\"x\"}", 400, "invalid_field",
	                "layout");
}

static void test_hall_writes_need_the_admin_role(void **state)
{
	static const char *const paths[] = {"/hall/create", "/hall/update", "/hall/remove"};
	int64_t id = it_hall_new(admin_tok, "[\"SS\"]");
	const char *const toks[] = {customer_tok};
	char body[80];

	snprintf(body, sizeof(body), "{\"id\":%lld,\"name\":\"x\",\"layout\":[\"S\"]}",
	         (long long)id);
	it_admin_only(paths, 3, toks, 1, body);
	it_resp_free(it_ok(detail(id)));
}

static void test_hall_update_shows_at_once(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SSSS\"]");
	struct it_resp *r;
	char lay[128];

	/* Read first, so both answers are cached before the writes. */
	r = detail(id);
	it_resp_free(r);
	r = it_post("/hall/list", NULL, NULL);
	it_resp_free(r);

	it_postf_ok("/hall/update", admin_tok, "{\"id\":%lld,\"name\":\"Renamed\"}", (long long)id);
	r = detail(id);
	assert_string_equal(it_json_str(it_data(r), "name"), "Renamed");
	layout_str(it_data(r), lay, sizeof(lay));
	assert_string_equal(lay, "SSSS");
	it_resp_free(r);
	r = it_post("/hall/list", NULL, NULL);
	assert_string_equal(it_json_str(it_list_find(r, id), "name"), "Renamed");
	it_resp_free(r);

	it_resp_free(it_ok(update_layout(id, "[\"SS.SS\",\"VVVVV\"]")));
	r = detail(id);
	layout_str(it_data(r), lay, sizeof(lay));
	assert_string_equal(lay, "SS.SS|VVVVV");
	assert_int_equal(it_json_int(it_data(r), "seats"), 9);
	assert_string_equal(it_json_str(it_data(r), "name"), "Renamed");
	it_resp_free(r);

	it_refused(update_layout(id, "[\"SS\",\"sS\"]"), 400, "invalid_field", "layout");
	it_postf_refused("/hall/update", admin_tok, 400, "invalid_field", NULL,
	                 "{\"id\":%lld,\"name\":\"\"}", (long long)id);
	it_postf_refused("/hall/update", admin_tok, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"name\":\"x\"}", (long long)it_sql_id());
	it_post_refused("/hall/update", admin_tok, "{\"name\":\"x\"}", 400, "invalid_field", "id");
}

static void test_hall_layout_change_follows_into_screenings(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SSSS\"]");
	int64_t sid = it_screening_new(admin_tok, film_id, id, time(NULL) + 5 * 86400);
	struct it_resp *r;

	r = it_ok(it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)sid));
	assert_int_equal(it_data_int(r, "seatsTotal"), 4);
	it_resp_free(r);
	/* No seat sold or held: the layout may change, and the seat map follows at once. */
	it_resp_free(it_ok(update_layout(id, "[\"SSSSSS\",\"X.X\"]")));
	r = it_ok(it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)sid));
	assert_int_equal(it_data_int(r, "seatsTotal"), 6);
	assert_string_equal(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(it_data(r), "state"), 1)->valuestring, "x.x");
	it_resp_free(r);
}

static void test_hall_layout_change_refused_while_a_seat_is_held(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]");
	int64_t sid = it_screening_new(admin_tok, film_id, id, time(NULL) + 4 * 86400);
	const char *port = it_env("REDIS_PORT");
	struct it_resp *r;
	char lay[64];

	assert_int_equal(
	    it_sh("redis-cli -c -p %s HSET %s B2 4242 >/dev/null", port, it_rkey("seats", sid)), 0);
	it_conflict(update_layout(id, "[\"SSSS\"]"), "held_seats");
	/* The same layout and a new name are fine. */
	it_postf_ok("/hall/update", admin_tok,
	            "{\"id\":%lld,\"name\":\"Held\",\"layout\":[\"SSSS\",\"SSSS\"]}",
	            (long long)id);
	r = detail(id);
	assert_string_equal(it_json_str(it_data(r), "name"), "Held");
	layout_str(it_data(r), lay, sizeof(lay));
	assert_string_equal(lay, "SSSS|SSSS");
	it_resp_free(r);
	/* Released: the change goes through. */
	assert_int_equal(it_sh("redis-cli -c -p %s DEL %s >/dev/null", port, it_rkey("seats", sid)),
	                 0);
	it_resp_free(it_ok(update_layout(id, "[\"SSSS\"]")));
}

/*
 * A real hall has hundreds of future screenings: the fence check covers all
 * of them in one script (it once took 2n+1 arguments, capped at 60).
 */
static void test_hall_layout_change_with_500_future_screenings(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]");
	/* Ids apart from every other it_sql_id() of this run. */
	int64_t first = it_sql_id() + ((int64_t)1 << 40), held = 0;
	const char *port = it_env("REDIS_PORT");
	int i;

	/* One INSERT of 500 rows, 4 h apart (no overlap), starting tomorrow. */
	it_sql_ok(it_sql("INSERT INTO screenings (id, film_id, hall_id, start_at, end_at, prices, "
	                 "discounts, seats_total, create_time, update_time) "
	                 "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n "
	                 "WHERE i < 499) SELECT %lld + i, %lld, %lld, "
	                 "UNIX_TIMESTAMP() + 86400 + i * 14400, "
	                 "UNIX_TIMESTAMP() + 86400 + i * 14400 + 7200, '{}', '{}', 8, "
	                 "UNIX_TIMESTAMP(), UNIX_TIMESTAMP() FROM n",
	                 (long long)first, (long long)film_id, (long long)id));
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM screenings WHERE hall_id = %lld "
	                            "AND start_at > UNIX_TIMESTAMP()",
	                            (long long)id),
	                 500);
	it_resp_free(it_ok(update_layout(id, "[\"SSSSS\",\"SSSS\"]")));
	/* A hold on the last of them is still seen. */
	held = first + 499;
	assert_int_equal(
	    it_sh("redis-cli -c -p %s HSET %s B2 4242 >/dev/null", port, it_rkey("seats", held)),
	    0);
	it_conflict(update_layout(id, "[\"SSSS\"]"), "held_seats");
	assert_int_equal(
	    it_sh("redis-cli -c -p %s DEL %s >/dev/null", port, it_rkey("seats", held)), 0);
	for (i = 0; i < 2; i++) {
		it_resp_free(it_ok(update_layout(id, i ? "[\"SSSS\"]" : "[\"SS\"]")));
	}
	/* Leave the hall without future screenings for the other tests. */
	it_sql_ok(it_sql("DELETE FROM screenings WHERE hall_id = %lld", (long long)id));
}

static void test_hall_layout_change_refused_while_a_seat_is_sold(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]");
	int64_t sid = it_screening_new(admin_tok, film_id, id, time(NULL) + 4 * 86400);
	int64_t oid = it_sql_id(), tid = it_sql_id();

	it_sql_ok(it_sql("INSERT INTO orders (id, uid, fid, screening_id, amount, status, "
	                 "create_time, update_time) VALUES (%lld, 1, %lld, %lld, 4000, 0, "
	                 "UNIX_TIMESTAMP(), UNIX_TIMESTAMP())",
	                 (long long)oid, (long long)film_id, (long long)sid));
	it_sql_ok(
	    it_sql("INSERT INTO tickets (id, order_id, screening_id, fid, seat, price, status, "
	           "live, create_time) VALUES (%lld, %lld, %lld, %lld, 'A1', 4000, 0, 1, "
	           "UNIX_TIMESTAMP())",
	           (long long)tid, (long long)oid, (long long)sid, (long long)film_id));
	it_conflict(update_layout(id, "[\"SSSS\",\"SSS\"]"), "sold_seats");
	/* A cancelled screening does not count. */
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"test\"}",
	            (long long)sid);
	it_resp_free(it_ok(update_layout(id, "[\"SSSS\",\"SSS\"]")));
}

static void test_hall_remove_refused_while_screenings_are_to_come(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SSS\"]");
	int64_t sid = it_screening_new(admin_tok, film_id, id, time(NULL) + 2 * 86400);
	struct it_resp *r;

	r = detail(id);
	it_resp_free(r);
	r = it_post("/hall/list", NULL, NULL);
	assert_non_null(it_list_find(r, id)); /* listed (and cached) before */
	it_resp_free(r);
	it_conflict(it_postf("/hall/remove", admin_tok, "{\"id\":%lld}", (long long)id),
	            "future_screenings");
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"test\"}",
	            (long long)sid);
	it_postf_ok("/hall/remove", admin_tok, "{\"id\":%lld}", (long long)id);
	/* Soft removal: 404 everywhere, at once. */
	it_refused(detail(id), 404, "not_found", NULL);
	r = it_post("/hall/list", NULL, NULL);
	assert_null(it_list_find(r, id));
	it_resp_free(r);
	it_postf_refused("/hall/update", admin_tok, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"name\":\"x\"}", (long long)id);
	it_postf_refused("/hall/remove", admin_tok, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)id);
	it_postf_refused("/screening/create", admin_tok, 404, "not_found", NULL,
	                 "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld}", (long long)film_id,
	                 (long long)id, (long long)(time(NULL) + 9 * 86400));
	/* The cancelled screening still names its hall. */
	r = it_ok(it_postf("/screening/detail", NULL, "{\"id\":%lld}", (long long)sid));
	assert_int_equal(it_data_int(r, "hallId"), id);
	it_resp_free(r);
}

static void test_hall_detail_refuses_bad_and_unknown_ids(void **state)
{
	it_post_refused("/hall/detail", NULL, "{}", 400, "invalid_field", NULL);
	it_post_refused("/hall/detail", NULL, "{\"id\":-1}", 400, "invalid_field", NULL);
	it_refused(detail(it_sql_id()), 404, "not_found", NULL);
	it_postf_refused("/hall/remove", admin_tok, 404, "not_found", NULL, "{\"id\":%lld}",
	                 (long long)it_sql_id());
}

static struct it_resp *seats(int64_t sid)
{
	return it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)sid);
}

static void test_hall_each_write_is_seen_by_the_next_read(void **state)
{
	const char *name = it_unique("Salle ");
	struct it_resp *r;
	char lay[64];
	int64_t id;

	/* Create: the cached list has it at once. */
	it_post_ok("/hall/list", NULL, NULL);
	r = it_ok(
	    it_postf("/hall/create", admin_tok, "{\"name\":\"%s\",\"layout\":[\"SVS\"]}", name));
	id = it_data_int(r, "id");
	assert_int_equal(it_data_int(r, "seats"), 3);
	it_resp_free(r);
	r = it_ok(it_post("/hall/list", NULL, NULL));
	assert_non_null(it_list_find(r, id));
	assert_string_equal(it_json_str(it_list_find(r, id), "name"), name);
	it_resp_free(r);

	/* Update (name and layout together): detail and list at once. */
	it_resp_free(it_ok(detail(id)));
	it_postf_ok("/hall/update", admin_tok,
	            "{\"id\":%lld,\"name\":\"%s bis\",\"layout\":[\"SS\",\"..\",\"WC\"]}",
	            (long long)id, name);
	r = detail(id);
	layout_str(it_data(r), lay, sizeof(lay));
	assert_string_equal(lay, "SS|..|WC");
	assert_int_equal(it_json_int(it_data(r), "seats"), 4);
	assert_true(strstr(it_json_str(it_data(r), "name"), " bis") != NULL);
	it_resp_free(r);
	r = it_post("/hall/list", NULL, NULL);
	assert_true(strstr(it_json_str(it_list_find(r, id), "name"), " bis") != NULL);
	assert_int_equal(it_json_int(it_list_find(r, id), "seats"), 4);
	it_resp_free(r);

	/* Remove: gone from the detail and the list at once. */
	it_postf_ok("/hall/remove", admin_tok, "{\"id\":%lld}", (long long)id);
	it_refused(detail(id), 404, "not_found", NULL);
	it_listed(it_post("/hall/list", NULL, NULL), id, 0);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM audit WHERE target = 'hall:%lld' AND action "
	               "IN ('hall.create', 'hall.update', 'hall.remove')",
	               (long long)id),
	    3);
}

static void test_hall_name_limit_is_enforced(void **state)
{
	char name[102];
	struct it_resp *r;
	int64_t id;

	memset(name, 'n', 101);
	name[101] = '\0';
	it_postf_refused("/hall/create", admin_tok, 400, "invalid_field", "name",
	                 "{\"name\":\"%s\",\"layout\":[\"S\"]}", name);
	name[100] = '\0';
	id = it_ok_id(
	    it_postf("/hall/create", admin_tok, "{\"name\":\"%s\",\"layout\":[\"S\"]}", name));
	it_postf_refused("/hall/update", admin_tok, 400, "invalid_field", "name",
	                 "{\"id\":%lld,\"name\":\"%sn\"}", (long long)id, name);
	r = detail(id);
	assert_int_equal(strlen(it_json_str(it_data(r), "name")), 100);
	it_resp_free(r);
}

static void test_hall_layout_change_raises_the_seat_version(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SSSS\"]");
	int64_t sid = it_screening_new(admin_tok, film_id, id, time(NULL) + 6 * 86400), v;
	struct it_resp *r;
	char out[64];

	it_redis(out, sizeof(out), "SET %s 11", it_rkey("seatver", sid));
	r = it_ok(seats(sid));
	v = it_data_int(r, "version");
	assert_int_equal(v, 11);
	it_resp_free(r);
	/* Refused while a seat is held: nothing changes, no fence is left. */
	it_redis(out, sizeof(out), "HSET %s A2 77", it_rkey("seats", sid));
	it_refused(update_layout(id, "[\"SSS\"]"), 409, "conflict", NULL);
	it_redis(out, sizeof(out), "EXISTS %s", it_rkey("seatfence", sid));
	assert_string_equal(out, "0");
	it_redis(out, sizeof(out), "GET %s", it_rkey("seatver", sid));
	assert_string_equal(out, "11");
	it_redis(out, sizeof(out), "DEL %s", it_rkey("seats", sid));

	/* A new layout is a new seat state: one version more, at once, no fence left. */
	it_resp_free(it_ok(update_layout(id, "[\"SSS\",\"VV\"]")));
	it_redis(out, sizeof(out), "EXISTS %s", it_rkey("seatfence", sid));
	assert_string_equal(out, "0");
	r = it_ok(seats(sid));
	assert_int_equal(it_data_int(r, "version"), 12);
	assert_string_equal(
	    cJSON_GetArrayItem(cJSON_GetObjectItem(it_data(r), "layout"), 1)->valuestring, "VV");
	assert_int_equal(it_data_int(r, "seatsTotal"), 5);
	it_resp_free(r);
	/* The same layout again changes nothing. */
	it_resp_free(it_ok(update_layout(id, "[\"SSS\",\"VV\"]")));
	it_redis(out, sizeof(out), "GET %s", it_rkey("seatver", sid));
	assert_string_equal(out, "12");
}

static void test_hall_reads_fall_back_to_mysql_while_redis_is_down(void **state)
{
	int64_t id = it_hall_new(admin_tok, "[\"SS.SS\",\"\",\"VWCH\"]"),
	        busy = it_hall_new(admin_tok, "[\"SSSS\"]");
	struct it_resp *r;
	char lay[64];
	int round;

	it_screening_new(admin_tok, film_id, busy, time(NULL) + 7 * 86400);
	r = detail(id); /* cached */
	it_resp_free(r);
	r = it_post("/hall/list", NULL, NULL);
	it_resp_free(r);

	assert_int_equal(it_stack("redis-stop"), 0);
	for (round = 0; round < 3; round++) {
		r = it_ok(detail(id));
		layout_str(it_data(r), lay, sizeof(lay));
		assert_string_equal(lay, "SS.SS||VWCH");
		assert_int_equal(it_json_int(it_data(r), "seats"), 8);
		it_resp_free(r);
		it_listed(it_post("/hall/list", NULL, NULL), id, 1);
		it_refused(detail(it_sql_id()), 404, "not_found", NULL);
	}
	/*
	 * A new layout of a hall with screenings to come needs Redis (the holds
	 * cannot be checked): 503 and nothing written. A name change does not.
	 */
	r = update_layout(busy, "[\"SS\"]");
	it_assert_error(r, 503, "unavailable");
	assert_true(r->retry_after[0] != '\0');
	it_resp_free(r);
	r = detail(busy);
	layout_str(it_data(r), lay, sizeof(lay));
	assert_string_equal(lay, "SSSS");
	it_resp_free(r);
	it_postf_ok("/hall/update", admin_tok, "{\"id\":%lld,\"name\":\"Down\"}", (long long)busy);
	r = update_layout(id, "[\"SSS\"]"); /* no screenings: no holds to check */
	it_assert_status(r, 200);
	it_resp_free(r);
	r = detail(id);
	layout_str(it_data(r), lay, sizeof(lay));
	assert_string_equal(lay, "SSS");
	it_resp_free(r);
	assert_int_equal(it_redis_start(), 0);

	for (round = 0; round < 3; round++) {
		r = it_ok(detail(busy));
		assert_string_equal(it_json_str(it_data(r), "name"), "Down");
		it_resp_free(r);
		usleep(300 * 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_hall_create_then_detail_and_list),
	    cmocka_unit_test(test_hall_create_refuses_bad_layouts),
	    cmocka_unit_test(test_hall_writes_need_the_admin_role),
	    cmocka_unit_test(test_hall_update_shows_at_once),
	    cmocka_unit_test(test_hall_layout_change_follows_into_screenings),
	    cmocka_unit_test(test_hall_layout_change_refused_while_a_seat_is_held),
	    cmocka_unit_test(test_hall_layout_change_refused_while_a_seat_is_sold),
	    cmocka_unit_test(test_hall_layout_change_with_500_future_screenings),
	    cmocka_unit_test(test_hall_remove_refused_while_screenings_are_to_come),
	    cmocka_unit_test(test_hall_detail_refuses_bad_and_unknown_ids),
	    cmocka_unit_test(test_hall_each_write_is_seen_by_the_next_read),
	    cmocka_unit_test(test_hall_name_limit_is_enforced),
	    cmocka_unit_test(test_hall_layout_change_raises_the_seat_version),
	    cmocka_unit_test_teardown(test_hall_reads_fall_back_to_mysql_while_redis_is_down,
	                              it_redis_back),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
