// ctest: RUN_SERIAL
/*
 * it_screening.c: the screening routes of spec 4.4 against the real
 * daemon: creation and its field checks, roles, the overlap rule (with 15
 * minutes of cleaning) also when eight admins race for one hall, by
 * creating or by moving screenings, updates, cancellation and what it does
 * to orders, tickets and holds, the list with its window and paging, the
 * seat map aligned with the layout, that every write shows in the next
 * read at once, and that reads go on from MySQL while Redis is down (it
 * stops Redis: run alone). Orders and tickets are inserted with SQL and
 * holds with redis-cli (the selling issue writes them for real).
 */
#include <pthread.h>
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
#include "core/clock.h"

#define LENGTH_MIN 100
#define SPAN (LENGTH_MIN * 60)
#define CLEANING 900
#define DAY 86400

static char *admin_tok;
static char *customer_tok;
static int64_t film_id;

static struct it_resp *create(int64_t fid, int64_t hid, int64_t start)
{
	return it_postf("/screening/create", admin_tok,
	                "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld}", (long long)fid,
	                (long long)hid, (long long)start);
}

static struct it_resp *detail(int64_t id)
{
	return it_postf("/screening/detail", NULL, "{\"id\":%lld}", (long long)id);
}

static struct it_resp *seats(int64_t id)
{
	return it_postf("/screening/seats", NULL, "{\"id\":%lld}", (long long)id);
}

static const char *row_of(const struct it_resp *r, const char *key, int i)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(it_data(r), key);
	const cJSON *s = cJSON_GetArrayItem(a, i);

	if (!cJSON_IsString(s)) {
		print_error("no %s[%d] in %s\n", key, i, r->body);
		fail();
	}
	return s->valuestring;
}

static int64_t order_new(int64_t sid, int status)
{
	int64_t oid = it_sql_id();

	it_sql_ok(it_sql("INSERT INTO orders (id, uid, fid, screening_id, amount, status, "
	                 "create_time, update_time) VALUES (%lld, 1, %lld, %lld, 4500, %d, "
	                 "UNIX_TIMESTAMP(), UNIX_TIMESTAMP())",
	                 (long long)oid, (long long)film_id, (long long)sid, status));
	return oid;
}

static void ticket_new(int64_t oid, int64_t sid, const char *seat, int status)
{
	it_sql_ok(
	    it_sql("INSERT INTO tickets (id, order_id, screening_id, fid, seat, price, status, "
	           "live, create_time) VALUES (%lld, %lld, %lld, %lld, '%s', 4500, %d, 1, "
	           "UNIX_TIMESTAMP())",
	           (long long)it_sql_id(), (long long)oid, (long long)sid, (long long)film_id, seat,
	           status));
}

/*
 * Seat snapshots live SEATMAP_TTL_S (2 s, +20 % jitter) in the cache: poll
 * /screening/seats until state row `row` reads want, for at most 5 s (twice
 * the lifetime). Returns that answer.
 */
static struct it_resp *seats_until(int64_t sid, int row, const char *want)
{
	double t0 = clock_s();
	struct it_resp *r;

	for (;;) {
		r = seats(sid);
		if (r->status == 200 && !strcmp(row_of(r, "state", row), want))
			return r;
		if (clock_s() - t0 > 5.0) {
			print_error("state[%d] of %lld is not %s after 5 s: %s\n", row,
			            (long long)sid, want, r->body);
			fail();
		}
		it_resp_free(r);
		usleep(100 * 1000);
	}
}

/* Drop the cached snapshot of sid, so the next read rebuilds it. */
static void snapshot_drop(int64_t sid)
{
	char out[32];

	it_redis(out, sizeof(out), "DEL bo:c:seatmap:%lld", (long long)sid);
}

static int group_setup(void **state)
{
	return it_setup_admin_customer_film(&admin_tok, &customer_tok, &film_id,
	                                    it_unique("Screening film "), 4500, LENGTH_MIN);
}

static int group_teardown(void **state)
{
	free(admin_tok);
	free(customer_tok);
	return 0;
}

static void test_screening_create_then_detail_shows_every_field(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSSS\",\"VVXH\"]"), start = time(NULL) + DAY, id;
	struct it_resp *r;
	cJSON *d, *p;

	id = it_ok_id(
	    it_postf("/screening/create", admin_tok,
	             "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld,"
	             "\"prices\":{\"V\":6500,\"S\":4500},\"discounts\":{\"adult\":0,\"child\":30}}",
	             (long long)film_id, (long long)hid, (long long)start));

	r = it_ok(detail(id));
	d = it_data(r);
	assert_int_equal(it_json_int(d, "id"), id);
	assert_int_equal(it_json_int(d, "filmId"), film_id);
	assert_int_equal(it_json_int(d, "hallId"), hid);
	assert_int_equal(it_json_int(d, "startAt"), start);
	assert_int_equal(it_json_int(d, "endAt"), start + SPAN);
	assert_string_equal(it_json_str(d, "status"), "scheduled");
	assert_true(strncmp(it_json_str(d, "filmName"), "Screening film ", 15) == 0);
	assert_true(strncmp(it_json_str(d, "hallName"), "hall-", 5) == 0);
	/* 8 letters, one X: 7 sellable, all free (the house seat too). */
	assert_int_equal(it_json_int(d, "seatsTotal"), 7);
	assert_int_equal(it_json_int(d, "seatsFree"), 7);
	p = cJSON_GetObjectItemCaseSensitive(d, "prices");
	assert_int_equal(it_json_int(p, "S"), 4500);
	assert_int_equal(it_json_int(p, "V"), 6500);
	assert_int_equal(cJSON_GetArraySize(p), 2);
	p = cJSON_GetObjectItemCaseSensitive(d, "discounts");
	assert_int_equal(it_json_int(p, "child"), 30);
	/* "adult" is always 0, so it is not stored. */
	assert_int_equal(cJSON_GetArraySize(p), 1);
	it_resp_free(r);

	/* Without prices and discounts: empty objects. */
	id = it_screening_new(admin_tok, film_id, hid, start + 2 * DAY);
	r = detail(id);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(it_data(r), "prices")), 0);
	assert_true(cJSON_IsObject(cJSON_GetObjectItem(it_data(r), "discounts")));
	it_resp_free(r);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'screening.create' "
	                            "AND target = 'screening:%lld'",
	                            (long long)id),
	                 1);
}

static void test_screening_create_refuses_bad_fields(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SS\"]"), now = time(NULL), ga;
	char body[512];
	size_t i;
	const struct {
		const char *extra, *field;
	} bad[] = {
	    {"\"prices\":{\"X\":100}", "prices"},
	    {"\"prices\":{\"H\":100}", "prices"}, /* H costs the S price */
	    {"\"prices\":{\"S\":-1}", "prices"},
	    {"\"prices\":{\"S\":1.5}", "prices"},
	    {"\"prices\":[4500]", "prices"},
	    {"\"prices\":\"S=4500\"", "prices"},
	    {"\"discounts\":{\"adult\":10}", "discounts"},
	    {"\"discounts\":{\"Child\":10}", "discounts"},
	    {"\"discounts\":{\"child\":101}", "discounts"},
	    {"\"discounts\":[]", "discounts"},
	};

	it_postf_refused("/screening/create", admin_tok, 400, "invalid_field", "filmId",
	                 "{\"hallId\":%lld,\"startAt\":%lld}", (long long)hid,
	                 (long long)(now + DAY));
	it_postf_refused("/screening/create", admin_tok, 400, "invalid_field", "hallId",
	                 "{\"filmId\":%lld,\"startAt\":%lld}", (long long)film_id,
	                 (long long)(now + DAY));
	it_postf_refused("/screening/create", admin_tok, 400, "invalid_field", "startAt",
	                 "{\"filmId\":%lld,\"hallId\":%lld}", (long long)film_id, (long long)hid);
	/* In the past, and more than two years ahead. */
	it_refused(create(film_id, hid, now - 60), 400, "invalid_field", "startAt");
	it_refused(create(film_id, hid, now + 3 * 366 * DAY), 400, "invalid_field", NULL);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(body, sizeof(body),
		         "{%s,\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld}", bad[i].extra,
		         (long long)film_id, (long long)hid,
		         (long long)(now + DAY + (int64_t)i * DAY));
		it_post_refused("/screening/create", admin_tok, body, 400, "invalid_field",
		                bad[i].field);
	}
	/* Unknown film or hall. */
	it_refused(create(it_sql_id(), hid, now + DAY), 404, "not_found", NULL);
	it_refused(create(film_id, it_sql_id(), now + DAY), 404, "not_found", NULL);
	/* A film sold by quantity has no screenings. */
	ga = it_ok_id(
	    it_post("/film/create", admin_tok,
	            "{\"name\":\"GA\",\"desc\":\"\",\"stock\":10,\"amount\":4500,"
	            "\"screenwriter\":\"\",\"director\":\"\",\"length\":60,\"isSelectSeat\":0}"));
	it_refused(create(ga, hid, now + DAY), 400, "invalid_field", "filmId");
	/* Nothing was scheduled in the hall by any of these. */
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM screenings WHERE hall_id = %lld", (long long)hid), 0);
}

static void test_screening_writes_need_the_admin_role(void **state)
{
	static const char *const paths[] = {"/screening/create", "/screening/update",
	                                    "/screening/cancel"};
	int64_t hid = it_hall_new(admin_tok, "[\"SS\"]"),
	        id = it_screening_new(admin_tok, film_id, hid, time(NULL) + DAY);
	char *cashier = it_cashier(NULL);
	const char *const toks[] = {customer_tok, cashier};
	char body[64];

	assert_non_null(cashier);
	snprintf(body, sizeof(body), "{\"id\":%lld,\"reason\":\"x\"}", (long long)id);
	it_admin_only(paths, 3, toks, 2, body);
	free(cashier);
	it_resp_free(it_ok(detail(id)));
	it_resp_free(it_ok(seats(id)));
	it_post_ok("/screening/list", NULL, NULL);
}

static void test_screening_overlap_counts_the_cleaning_time(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSS\"]"),
	        other = it_hall_new(admin_tok, "[\"SSS\"]");
	int64_t t = time(NULL) + 3 * DAY, first;

	first = it_screening_new(admin_tok, film_id, hid, t);
	/* One second short of the cleaning after it, and before it. */
	it_conflict(create(film_id, hid, t + SPAN + CLEANING - 1), "overlap");
	it_refused(create(film_id, hid, t - SPAN - CLEANING + 1), 409, "conflict", NULL);
	it_refused(create(film_id, hid, t + 600), 409, "conflict", NULL);
	/* Exactly after the cleaning, on both sides. */
	it_screening_new(admin_tok, film_id, hid, t + SPAN + CLEANING);
	it_screening_new(admin_tok, film_id, hid, t - SPAN - CLEANING);
	/* Another hall is another matter. */
	it_screening_new(admin_tok, film_id, other, t);
	/* A cancelled screening leaves its slot free. */
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"moved\"}",
	            (long long)first);
	it_screening_new(admin_tok, film_id, hid, t);
}

struct racer {
	int64_t hid, start;
	pthread_barrier_t *go;
	long status;
	char error[32];
};

static void *race(void *arg)
{
	struct racer *rc = arg;
	struct it_resp *r;

	pthread_barrier_wait(rc->go);
	r = create(film_id, rc->hid, rc->start);
	rc->status = r ? r->status : -1;
	snprintf(rc->error, sizeof(rc->error), "%s", r ? it_err(r) : "");
	it_resp_free(r);
	return NULL;
}

static void test_screening_concurrent_overlapping_creates_let_one_win(void **state)
{
	enum { RACERS = 8 };
	int64_t hid = it_hall_new(admin_tok, "[\"SSSS\"]"), t = time(NULL) + 6 * DAY;
	struct racer rc[RACERS];
	pthread_t th[RACERS];
	pthread_barrier_t go;
	int i, won = 0, lost = 0;

	pthread_barrier_init(&go, NULL, RACERS);
	for (i = 0; i < RACERS; i++) {
		rc[i] = (struct racer){.hid = hid, .start = t + i * 300, .go = &go};
		assert_int_equal(pthread_create(&th[i], NULL, race, &rc[i]), 0);
	}
	for (i = 0; i < RACERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < RACERS; i++) {
		if (rc[i].status == 200)
			won++;
		else if (rc[i].status == 409 && !strcmp(rc[i].error, "conflict"))
			lost++;
		else
			print_error("racer %d: %ld %s\n", i, rc[i].status, rc[i].error);
	}
	assert_int_equal(won, 1);
	assert_int_equal(lost, RACERS - 1);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM screenings WHERE hall_id = %lld", (long long)hid), 1);
}

static void test_screening_update_shows_at_once(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSSS\"]"), t = time(NULL) + 8 * DAY, id, other;
	struct it_resp *r;
	cJSON *p;

	id = it_screening_new(admin_tok, film_id, hid, t);
	other = it_screening_new(admin_tok, film_id, hid, t + 2 * DAY);
	r = detail(id); /* cached now */
	it_resp_free(r);

	it_postf_ok("/screening/update", admin_tok,
	            "{\"id\":%lld,\"prices\":{\"S\":3900},\"discounts\":{\"senior\":20}}",
	            (long long)id);
	r = detail(id);
	p = cJSON_GetObjectItemCaseSensitive(it_data(r), "prices");
	assert_int_equal(it_json_int(p, "S"), 3900);
	p = cJSON_GetObjectItemCaseSensitive(it_data(r), "discounts");
	assert_int_equal(it_json_int(p, "senior"), 20);
	assert_int_equal(it_json_int(it_data(r), "startAt"), t);
	it_resp_free(r);

	/* Moving onto the other screening is an overlap; past it is fine. */
	it_conflict(it_postf("/screening/update", admin_tok, "{\"id\":%lld,\"startAt\":%lld}",
	                     (long long)id, (long long)(t + 2 * DAY - 600)),
	            "overlap");
	it_postf_ok("/screening/update", admin_tok, "{\"id\":%lld,\"startAt\":%lld}", (long long)id,
	            (long long)(t + 3 * DAY));
	r = detail(id);
	assert_int_equal(it_json_int(it_data(r), "startAt"), t + 3 * DAY);
	assert_int_equal(it_json_int(it_data(r), "endAt"), t + 3 * DAY + SPAN);
	/* Prices are kept when not sent. */
	p = cJSON_GetObjectItemCaseSensitive(it_data(r), "prices");
	assert_int_equal(it_json_int(p, "S"), 3900);
	it_resp_free(r);
	/* Moving it onto its own old slot is no overlap with itself. */
	it_postf_ok("/screening/update", admin_tok, "{\"id\":%lld,\"startAt\":%lld}", (long long)id,
	            (long long)(t + 3 * DAY + 60));

	it_postf_refused("/screening/update", admin_tok, 400, "invalid_field", "startAt",
	                 "{\"id\":%lld,\"startAt\":%lld}", (long long)id,
	                 (long long)(time(NULL) - 10));
	it_postf_refused("/screening/update", admin_tok, 400, "invalid_field", "prices",
	                 "{\"id\":%lld,\"prices\":{\"Q\":1}}", (long long)id);
	it_postf_refused("/screening/update", admin_tok, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"prices\":{}}", (long long)it_sql_id());

	/* Cancelled: no more updates. */
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"x\"}",
	            (long long)other);
	it_conflict(it_postf("/screening/update", admin_tok, "{\"id\":%lld,\"prices\":{}}",
	                     (long long)other),
	            "cancelled");
}

static void test_screening_update_refused_once_started(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSSS\"]"), sid = it_sql_id();

	it_screening_sql(sid, film_id, hid, "UNIX_TIMESTAMP() - 600", "UNIX_TIMESTAMP() + 5400", 4);
	it_conflict(it_postf("/screening/update", admin_tok, "{\"id\":%lld,\"prices\":{\"S\":1}}",
	                     (long long)sid),
	            "started");
	/* A finished screening cannot be cancelled any more. */
	it_sql_ok(it_sql("UPDATE screenings SET end_at = UNIX_TIMESTAMP() - 1 WHERE id = %lld",
	                 (long long)sid));
	it_conflict(it_postf("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"late\"}",
	                     (long long)sid),
	            "finished");
}

static void test_screening_cancel_refunds_voids_and_drops_holds(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSSS\",\"SSSS\"]"), t = time(NULL) + 2 * DAY, sid;
	int64_t paid, unpaid, pending, invalid;
	struct it_resp *r;
	char out[64];
	int i;

	sid = it_screening_new(admin_tok, film_id, hid, t);
	paid = order_new(sid, 1);
	ticket_new(paid, sid, "A1", 1);
	unpaid = order_new(sid, 0);
	ticket_new(unpaid, sid, "A2", 0);
	pending = order_new(sid, 4);
	invalid = order_new(sid, 2);
	it_redis(out, sizeof(out), "HSET %s B1 99", it_rkey("seats", sid));
	it_redis(out, sizeof(out), "SET %s 3", it_rkey("seatver", sid));

	r = it_ok(seats(sid));
	assert_string_equal(row_of(r, "state", 0), "shff");
	assert_string_equal(row_of(r, "state", 1), "hfff");
	assert_int_equal(it_data_int(r, "version"), 3);
	it_resp_free(r);
	r = detail(sid);
	assert_int_equal(it_data_int(r, "seatsFree"), 5);
	it_resp_free(r);

	it_postf_refused("/screening/cancel", admin_tok, 400, "invalid_field", "reason",
	                 "{\"id\":%lld}", (long long)sid);
	it_postf_ok("/screening/cancel", admin_tok,
	            "{\"id\":%lld,\"reason\":\"Projector failure\"}", (long long)sid);

	/* Orders: paid -> refunded with a refund to send; unpaid and pending -> invalid. */
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)paid),
	                 3);
	assert_int_equal(
	    it_sql_int("SELECT refund_pending FROM orders WHERE id = %lld", (long long)paid), 1);
	assert_int_equal(it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)unpaid),
	                 2);
	assert_int_equal(
	    it_sql_int("SELECT status FROM orders WHERE id = %lld", (long long)pending), 2);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM orders WHERE id IN (%lld, %lld, %lld) AND "
	               "reason = 'cancelled'",
	               (long long)paid, (long long)unpaid, (long long)pending),
	    3);
	/* An order already invalid keeps its own reason. */
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM orders WHERE id = %lld AND status = 2 AND "
	               "reason = '' AND refund_pending = 0",
	               (long long)invalid),
	    1);
	/* Tickets void, seats freed. */
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM tickets WHERE screening_id = %lld AND "
	                            "(live IS NOT NULL OR status <> 2)",
	                            (long long)sid),
	                 0);
	/* Holds gone, one more version. */
	it_redis(out, sizeof(out), "EXISTS %s", it_rkey("seats", sid));
	assert_string_equal(out, "0");
	it_redis(out, sizeof(out), "GET %s", it_rkey("seatver", sid));
	assert_string_equal(out, "4");

	/* Every answer shows it at once. */
	r = it_ok(seats(sid));
	for (i = 0; i < 2; i++)
		assert_string_equal(row_of(r, "state", i), "xxxx");
	assert_int_equal(it_data_int(r, "version"), 4);
	assert_int_equal(it_data_int(r, "seatsFree"), 0);
	it_resp_free(r);
	r = it_ok(detail(sid));
	assert_string_equal(it_data_str(r, "status"), "cancelled");
	assert_string_equal(it_data_str(r, "cancelReason"), "Projector failure");
	assert_int_equal(it_data_int(r, "seatsFree"), 0);
	it_resp_free(r);
	it_listed(it_postf("/screening/list", NULL,
	                   "{\"filmId\":%lld,\"from\":%lld,\"to\":%lld,\"status\":\"cancelled\"}",
	                   (long long)film_id, (long long)(t - 1), (long long)(t + 1)),
	          sid, 1);
	r = it_postf("/screening/list", NULL,
	             "{\"filmId\":%lld,\"from\":%lld,\"to\":%lld,\"status\":\"scheduled\"}",
	             (long long)film_id, (long long)(t - 1), (long long)(t + 1));
	assert_null(it_list_find(r, sid));
	it_resp_free(r);

	/* Once is enough. */
	it_conflict(it_postf("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"again\"}",
	                     (long long)sid),
	            "cancelled");
	it_postf_refused("/screening/cancel", admin_tok, 404, "not_found", NULL,
	                 "{\"id\":%lld,\"reason\":\"x\"}", (long long)it_sql_id());
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM audit WHERE action = 'screening.cancel' "
	                            "AND target = 'screening:%lld'",
	                            (long long)sid),
	                 1);
}

static void test_screening_seats_align_with_the_layout(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"..SS..SS..\",\"VVVV\",\"\",\"WCXH.S\"]");
	int64_t sid = it_screening_new(admin_tok, film_id, hid, time(NULL) + 4 * DAY), oid, v;
	struct it_resp *r;
	char out[64];
	int i;

	it_redis(out, sizeof(out), "HSET %s B2 5 Z9 6 A0 7", it_rkey("seats", sid));
	it_redis(out, sizeof(out), "SET %s 7", it_rkey("seatver", sid));
	r = it_ok(seats(sid));
	assert_int_equal(it_data_int(r, "screeningId"), sid);
	assert_int_equal(it_data_int(r, "version"), 7);
	for (i = 0; i < 4; i++) {
		const char *l = row_of(r, "layout", i), *s = row_of(r, "state", i);
		size_t k;

		assert_int_equal(strlen(l), strlen(s));
		for (k = 0; l[k]; k++)
			assert_int_equal(l[k] == '.', s[k] == '.');
	}
	assert_string_equal(row_of(r, "layout", 0), "..SS..SS..");
	assert_string_equal(row_of(r, "state", 0), "..ff..ff..");
	/* The held seat; seat ids outside the layout are ignored. */
	assert_string_equal(row_of(r, "state", 1), "fhff");
	assert_string_equal(row_of(r, "state", 2), "");
	/* Blocked 'x', the house seat 'b'. */
	assert_string_equal(row_of(r, "state", 3), "ffxb.f");
	assert_int_equal(it_data_int(r, "seatsTotal"), 12);
	assert_int_equal(it_data_int(r, "seatsFree"), 11);
	it_resp_free(r);

	/* Sold A3 ('s'); reserved, unpaid D4 (the house seat) shows held. */
	oid = order_new(sid, 1);
	ticket_new(oid, sid, "A3", 1);
	oid = order_new(sid, 0);
	ticket_new(oid, sid, "D4", 0);
	r = seats_until(sid, 0, "..ff..sf..");
	assert_string_equal(row_of(r, "state", 3), "ffxh.f");
	assert_int_equal(it_data_int(r, "seatsFree"), 9);
	it_resp_free(r);
	r = detail(sid);
	assert_int_equal(it_data_int(r, "seatsFree"), 9);
	assert_int_equal(it_data_int(r, "seatsTotal"), 12);
	it_resp_free(r);

	/* A version lost in Redis never makes the answer go back. */
	it_redis(out, sizeof(out), "DEL %s", it_rkey("seatver", sid));
	snapshot_drop(sid);
	r = it_ok(seats(sid));
	v = it_data_int(r, "version");
	assert_true(v >= 7);
	it_resp_free(r);

	it_refused(seats(it_sql_id()), 404, "not_found", NULL);
	it_post_refused("/screening/seats", NULL, "{\"id\":\"1\"}", 400, "invalid_field", NULL);
}

static void test_screening_list_window_filters_and_paging(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSSS\"]"), now = time(NULL), fid, a, b, c, d;
	struct it_resp *r;
	cJSON *l, *it;

	fid = it_ok_id(
	    it_postf("/film/create", admin_tok,
	             "{\"name\":\"%s\",\"desc\":\"\",\"stock\":0,\"amount\":4500,"
	             "\"screenwriter\":\"\",\"director\":\"\",\"length\":60,\"isSelectSeat\":1}",
	             it_unique("List film ")));
	r = create(fid, hid, now + 2 * DAY);
	b = it_data_int(r, "id");
	it_resp_free(r);
	r = create(fid, hid, now + DAY);
	a = it_data_int(r, "id");
	it_resp_free(r);
	r = create(fid, hid, now + 10 * DAY);
	c = it_data_int(r, "id");
	it_resp_free(r);

	/* Default window: now .. now + 7 days, by startAt. */
	r = it_ok(it_postf("/screening/list", NULL, "{\"filmId\":%lld}", (long long)fid));
	l = it_data_list(r);
	assert_int_equal(it_data_int(r, "total"), 2);
	assert_int_equal(cJSON_GetArraySize(l), 2);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 0), "id"), a);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 1), "id"), b);
	cJSON_ArrayForEach(it, l)
	{
		assert_int_equal(it_json_int(it, "filmId"), fid);
		assert_true(strncmp(it_json_str(it, "filmName"), "List film ", 10) == 0);
		assert_true(strlen(it_json_str(it, "hallName")) > 0);
		assert_string_equal(it_json_str(it, "status"), "scheduled");
		assert_int_equal(it_json_int(it, "seatsTotal"), 4);
		assert_int_equal(it_json_int(it, "seatsFree"), 4);
	}
	it_resp_free(r);

	/* A wider window, paged by 2. */
	r = it_ok(it_postf("/screening/list", NULL,
	                   "{\"filmId\":%lld,\"from\":%lld,\"to\":%lld,\"pageSize\":2,\"page\":2}",
	                   (long long)fid, (long long)now, (long long)(now + 30 * DAY)));
	assert_int_equal(it_data_int(r, "total"), 3);
	l = it_data_list(r);
	assert_int_equal(cJSON_GetArraySize(l), 1);
	assert_int_equal(it_json_int(cJSON_GetArrayItem(l, 0), "id"), c);
	it_resp_free(r);
	/* "from" alone spans 7 days. */
	r = it_postf("/screening/list", NULL, "{\"filmId\":%lld,\"from\":%lld}", (long long)fid,
	             (long long)(now + 5 * DAY));
	assert_int_equal(it_data_int(r, "total"), 1);
	assert_non_null(it_list_find(r, c));
	it_resp_free(r);

	/* A new screening is in the next (cached) list at once. */
	r = create(fid, hid, now + 3 * DAY);
	d = it_data_int(r, "id");
	it_resp_free(r);
	r = it_postf("/screening/list", NULL, "{\"filmId\":%lld}", (long long)fid);
	assert_int_equal(it_data_int(r, "total"), 3);
	assert_non_null(it_list_find(r, d));
	it_resp_free(r);
	/* And a hold shows in its seatsFree within the snapshot's lifetime. */
	{
		char out[32];

		it_redis(out, sizeof(out), "HSET %s A1 1", it_rkey("seats", d));
	}
	{
		double t0 = clock_s();

		for (;;) {
			r = it_postf("/screening/list", NULL, "{\"filmId\":%lld}", (long long)fid);
			if (it_json_int(it_list_find(r, d), "seatsFree") == 3)
				break;
			assert_true(clock_s() - t0 < 5.0);
			it_resp_free(r);
			usleep(100 * 1000);
		}
		it_resp_free(r);
	}

	it_postf_refused("/screening/list", NULL, 400, "invalid_field", "to",
	                 "{\"from\":%lld,\"to\":%lld}", (long long)(now + DAY),
	                 (long long)(now + DAY));
	it_post_refused("/screening/list", NULL, "{\"status\":\"done\"}", 400, "invalid_field",
	                "status");
	it_post_refused("/screening/list", NULL, "{\"filmId\":0}", 400, "invalid_field", NULL);
	it_post_refused("/screening/list", NULL, "{\"pageSize\":500}", 400, "invalid_field", NULL);
}

static void test_screening_film_and_hall_names_follow_renames(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SS\"]"),
	        sid = it_screening_new(admin_tok, film_id, hid, time(NULL) + 12 * DAY);
	struct it_resp *r;

	r = detail(sid);
	it_resp_free(r);
	it_postf_ok("/hall/update", admin_tok, "{\"id\":%lld,\"name\":\"Grand Salle\"}",
	            (long long)hid);
	r = detail(sid);
	assert_string_equal(it_data_str(r, "hallName"), "Grand Salle");
	it_resp_free(r);
	it_postf_ok("/film/update", admin_tok, "{\"id\":%lld,\"name\":\"Renamed film\"}",
	            (long long)film_id);
	r = detail(sid);
	assert_string_equal(it_data_str(r, "filmName"), "Renamed film");
	it_resp_free(r);
}

struct mover {
	int64_t id, start;
	pthread_barrier_t *go;
	long status;
	char error[32];
};

static void *move(void *arg)
{
	struct mover *m = arg;
	struct it_resp *r;

	pthread_barrier_wait(m->go);
	r = it_postf("/screening/update", admin_tok, "{\"id\":%lld,\"startAt\":%lld}",
	             (long long)m->id, (long long)m->start);
	m->status = r ? r->status : -1;
	snprintf(m->error, sizeof(m->error), "%s", r ? it_err(r) : "");
	it_resp_free(r);
	return NULL;
}

static void test_screening_concurrent_overlapping_moves_let_one_win(void **state)
{
	enum { MOVERS = 6 };
	int64_t hid = it_hall_new(admin_tok, "[\"SSSS\"]"), t = time(NULL) + 20 * DAY;
	struct mover m[MOVERS];
	pthread_t th[MOVERS];
	pthread_barrier_t go;
	int i, won = 0, lost = 0;

	/* Six screenings a day apart, all moved at once into one evening. */
	pthread_barrier_init(&go, NULL, MOVERS);
	for (i = 0; i < MOVERS; i++)
		m[i] = (struct mover){
		    .id = it_screening_new(admin_tok, film_id, hid, t + (i + 1) * DAY),
		    .start = t + i * 300,
		    .go = &go};
	for (i = 0; i < MOVERS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, move, &m[i]), 0);
	for (i = 0; i < MOVERS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&go);
	for (i = 0; i < MOVERS; i++) {
		if (m[i].status == 200)
			won++;
		else if (m[i].status == 409 && !strcmp(m[i].error, "conflict"))
			lost++;
		else
			print_error("mover %d: %ld %s\n", i, m[i].status, m[i].error);
	}
	assert_int_equal(won, 1);
	assert_int_equal(lost, MOVERS - 1);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM screenings WHERE hall_id = %lld AND "
	                            "start_at < %lld",
	                            (long long)hid, (long long)(t + DAY)),
	                 1);
}

static void test_screening_each_write_is_seen_by_the_next_read(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSS\",\"VV\"]"), now = time(NULL), fid, id, t;
	char body[512];
	struct it_resp *r;
	cJSON *it;

	fid = it_ok_id(
	    it_postf("/film/create", admin_tok,
	             "{\"name\":\"%s\",\"desc\":\"\",\"stock\":0,\"amount\":4500,"
	             "\"screenwriter\":\"\",\"director\":\"\",\"length\":60,\"isSelectSeat\":1}",
	             it_unique("RWR film ")));
	snprintf(body, sizeof(body), "{\"filmId\":%lld,\"from\":%lld,\"to\":%lld}", (long long)fid,
	         (long long)now, (long long)(now + 30 * DAY));
	t = now + 4 * DAY;

	/* Create: the cached list has it at once. */
	r = it_post("/screening/list", NULL, body);
	assert_int_equal(it_data_int(r, "total"), 0);
	it_resp_free(r);
	id = it_ok_id(create(fid, hid, t));
	r = it_post("/screening/list", NULL, body);
	assert_int_equal(it_data_int(r, "total"), 1);
	assert_int_equal(it_json_int(it_list_find(r, id), "startAt"), t);
	it_resp_free(r);

	/* Update: detail and list at once. */
	it_resp_free(it_ok(detail(id)));
	it_postf_ok("/screening/update", admin_tok,
	            "{\"id\":%lld,\"startAt\":%lld,\"prices\":{\"V\":7000},\"discounts\":{}}",
	            (long long)id, (long long)(t + DAY));
	r = detail(id);
	assert_int_equal(it_data_int(r, "startAt"), t + DAY);
	assert_int_equal(it_data_int(r, "endAt"), t + DAY + 3600);
	assert_int_equal(it_json_int(cJSON_GetObjectItem(it_data(r), "prices"), "V"), 7000);
	it_resp_free(r);
	r = it_post("/screening/list", NULL, body);
	it = it_list_find(r, id);
	assert_non_null(it);
	assert_int_equal(it_json_int(it, "startAt"), t + DAY);
	assert_int_equal(it_json_int(cJSON_GetObjectItem(it, "prices"), "V"), 7000);
	it_resp_free(r);

	/* Cancel: detail, list and seats at once. */
	r = seats(id);
	assert_string_equal(row_of(r, "state", 1), "ff");
	it_resp_free(r);
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"Rain\"}",
	            (long long)id);
	r = detail(id);
	assert_string_equal(it_data_str(r, "status"), "cancelled");
	assert_int_equal(it_data_int(r, "seatsFree"), 0);
	it_resp_free(r);
	r = it_post("/screening/list", NULL, body);
	assert_string_equal(it_json_str(it_list_find(r, id), "status"), "cancelled");
	it_resp_free(r);
	r = seats(id);
	assert_string_equal(row_of(r, "state", 0), "xxx");
	assert_string_equal(row_of(r, "state", 1), "xx");
	it_resp_free(r);
}

static void test_screening_cancel_reason_limit(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SS\"]"),
	        id = it_screening_new(admin_tok, film_id, hid, time(NULL) + 15 * DAY);
	struct it_resp *r;
	char *reason = malloc(2002);

	assert_non_null(reason);
	memset(reason, 'r', 2001);
	reason[2001] = '\0';
	it_postf_refused("/screening/cancel", admin_tok, 400, "invalid_field", "reason",
	                 "{\"id\":%lld,\"reason\":\"%s\"}", (long long)id, reason);
	r = detail(id);
	assert_string_equal(it_data_str(r, "status"), "scheduled");
	it_resp_free(r);
	reason[2000] = '\0';
	it_postf_ok("/screening/cancel", admin_tok, "{\"id\":%lld,\"reason\":\"%s\"}",
	            (long long)id, reason);
	r = detail(id);
	assert_int_equal(strlen(it_data_str(r, "cancelReason")), 2000);
	it_resp_free(r);
	free(reason);
}

static void test_screening_reads_fall_back_to_mysql_while_redis_is_down(void **state)
{
	int64_t hid = it_hall_new(admin_tok, "[\"SSS\",\"XH.\"]"), t = time(NULL) + 9 * DAY, sid,
	        oid, v, id2;
	struct it_resp *r;
	char out[32];
	int round;

	sid = it_screening_new(admin_tok, film_id, hid, t);
	oid = order_new(sid, 1);
	ticket_new(oid, sid, "A2", 1);
	it_redis(out, sizeof(out), "SET %s 5", it_rkey("seatver", sid));
	r = seats(sid); /* cached, version 5 served */
	v = it_data_int(r, "version");
	assert_int_equal(v, 5);
	it_resp_free(r);
	r = detail(sid);
	it_resp_free(r);

	assert_int_equal(it_stack("redis-stop"), 0);
	for (round = 0; round < 3; round++) {
		r = it_ok(detail(sid));
		assert_int_equal(it_data_int(r, "startAt"), t);
		assert_int_equal(it_data_int(r, "seatsTotal"), 4);
		assert_int_equal(it_data_int(r, "seatsFree"), 3);
		it_resp_free(r);
		r = it_ok(it_postf("/screening/list", NULL,
		                   "{\"filmId\":%lld,\"from\":%lld,\"to\":%lld}",
		                   (long long)film_id, (long long)(t - 1), (long long)(t + 1)));
		assert_int_equal(it_json_int(it_list_find(r, sid), "seatsFree"), 3);
		it_resp_free(r);
		/* The seat map from MySQL alone, never an older version than served. */
		r = it_ok(seats(sid));
		assert_string_equal(row_of(r, "state", 0), "fsf");
		assert_string_equal(row_of(r, "state", 1), "xb.");
		assert_true(it_data_int(r, "version") >= v);
		it_resp_free(r);
		it_refused(seats(it_sql_id()), 404, "not_found", NULL);
	}
	/* A new screening is listed at once (invalidation is best effort). */
	id2 = it_screening_new(admin_tok, film_id, hid, t + DAY);
	r = it_ok(detail(id2));
	assert_int_equal(it_data_int(r, "seatsFree"), 4);
	it_resp_free(r);
	assert_int_equal(it_redis_start(), 0);

	for (round = 0; round < 3; round++) {
		r = it_ok(seats(sid));
		assert_string_equal(row_of(r, "state", 0), "fsf");
		it_resp_free(r);
		usleep(300 * 1000);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_screening_create_then_detail_shows_every_field),
	    cmocka_unit_test(test_screening_create_refuses_bad_fields),
	    cmocka_unit_test(test_screening_writes_need_the_admin_role),
	    cmocka_unit_test(test_screening_overlap_counts_the_cleaning_time),
	    cmocka_unit_test(test_screening_concurrent_overlapping_creates_let_one_win),
	    cmocka_unit_test(test_screening_update_shows_at_once),
	    cmocka_unit_test(test_screening_update_refused_once_started),
	    cmocka_unit_test(test_screening_cancel_refunds_voids_and_drops_holds),
	    cmocka_unit_test(test_screening_seats_align_with_the_layout),
	    cmocka_unit_test(test_screening_list_window_filters_and_paging),
	    cmocka_unit_test(test_screening_film_and_hall_names_follow_renames),
	    cmocka_unit_test(test_screening_concurrent_overlapping_moves_let_one_win),
	    cmocka_unit_test(test_screening_each_write_is_seen_by_the_next_read),
	    cmocka_unit_test(test_screening_cancel_reason_limit),
	    cmocka_unit_test_teardown(test_screening_reads_fall_back_to_mysql_while_redis_is_down,
	                              it_redis_back),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
