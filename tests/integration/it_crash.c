// ctest: RUN_SERIAL
/*
 * it_crash.c: what was accepted survives. Buyers stream seated and
 * general-admission orders while the daemon is killed with SIGKILL and
 * started again (the embedded broker runs in its own process, kbroker):
 * every order answered pending is written once, with its tickets once and
 * the general stock taken once per written order. Then Redis is flushed in
 * the middle of a stream: holds answer 503 until the daemon rebuilt the
 * seat state from MySQL, nothing is sold twice, and every ticketed seat is
 * refused to a new hold afterwards. A frozen broker: /order/create answers
 * 503 and nothing changes, also when the message lands late. Kills,
 * freezes and flushes things: runs alone.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"

#define THREADS 6
#define MAX_ORDERS 4000
#define GA_STOCK 100000

static char *admin_tok;
static char *tokens[THREADS];
static int64_t film_id, hall_id, ga_film;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int64_t accepted[MAX_ORDERS];
static int naccepted;
static atomic_int stop;

struct stream {
	int64_t sid;
	int index;
};

static void accept_id(int64_t id)
{
	pthread_mutex_lock(&mu);
	if (naccepted < MAX_ORDERS)
		accepted[naccepted++] = id;
	pthread_mutex_unlock(&mu);
}

/* Hold one seat by best available and order it; every other call a GA ticket. */
static void *stream_main(void *arg)
{
	const struct stream *s = arg;
	const char *tok = tokens[s->index];
	unsigned n = 0;

	while (!atomic_load(&stop)) {
		struct it_resp *r;

		if (++n % 2) {
			r = it_postf("/order/create", tok, "{\"fid\":%lld,\"quantity\":1}",
			             (long long)ga_film);
		} else {
			const cJSON *seats;
			int64_t hold_id;
			char seat[8];

			r = it_postf("/seat/hold", tok, "{\"screeningId\":%lld,\"count\":1}",
			             (long long)s->sid);
			if (!r || r->status != 200) {
				it_resp_free(r);
				usleep(20000);
				continue;
			}
			hold_id = it_data_int(r, "holdId");
			seats = cJSON_GetObjectItemCaseSensitive(it_data(r), "seats");
			snprintf(seat, sizeof(seat), "%s",
			         cJSON_GetArrayItem(seats, 0)->valuestring);
			it_resp_free(r);
			r = it_postf("/order/create", tok,
			             "{\"holdId\":%lld,\"items\":[{\"seat\":\"%s\"}]}",
			             (long long)hold_id, seat);
		}
		if (r && r->status == 200)
			accept_id(it_data_int(r, "id"));
		else
			usleep(20000); /* the daemon is down, or Redis is being rebuilt */
		it_resp_free(r);
	}
	return NULL;
}

static int setup(void **state)
{
	char rows[2048];
	size_t off = 0;
	int i;

	(void)state;
	if (it_setup_admin(&admin_tok) < 0)
		return -1;
	for (i = 0; i < THREADS; i++)
		if (!(tokens[i] = it_customer(NULL, NULL)))
			return -1;
	/* A big hall: 20 rows of 30. */
	off += (size_t)snprintf(rows + off, sizeof(rows) - off, "[");
	for (i = 0; i < 20; i++)
		off += (size_t)snprintf(rows + off, sizeof(rows) - off, "%s\"%s\"", i ? "," : "",
		                        "SSSSSSSSSSSSSSSSSSSSSSSSSSSSSS");
	snprintf(rows + off, sizeof(rows) - off, "]");
	film_id = it_film_sql("crash");
	hall_id = it_hall_new(admin_tok, rows);
	ga_film = it_sql_id();
	it_sql_ok(it_sql("INSERT INTO films (id, name, length, amount, stock, is_select_seat, "
	                 "create_time, update_time) VALUES (%lld, '%s', 90, 1000, %d, 0, 0, 0)",
	                 (long long)ga_film, it_unique("ga-crash-"), GA_STOCK));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	it_free_each(tokens, THREADS);
	free(admin_tok);
	return 0;
}

static void run_streams(int64_t sid, pthread_t *t, struct stream *s)
{
	int i;

	atomic_store(&stop, 0);
	for (i = 0; i < THREADS; i++) {
		s[i].sid = sid;
		s[i].index = i;
		assert_int_equal(pthread_create(&t[i], NULL, stream_main, &s[i]), 0);
	}
}

static void stop_streams(pthread_t *t)
{
	int i;

	atomic_store(&stop, 1);
	for (i = 0; i < THREADS; i++)
		pthread_join(t[i], NULL);
}

/*
 * Every accepted order is written exactly once, with its tickets once.
 * races_lost 0: no order lost its seat to another in MySQL (seat_taken),
 * which only a Redis that lost its state may let happen.
 */
static void check_accepted(int64_t sid, int races_lost)
{
	int i, k, tries;

	/* In slices of 200 ids: one query each, polled until all are written. */
	for (i = 0; i < naccepted; i += 200) {
		char in[200 * 20 + 1];
		size_t off = 0;
		int64_t n = 0, want = naccepted - i < 200 ? naccepted - i : 200;

		for (k = 0; k < want; k++)
			off += (size_t)snprintf(in + off, sizeof(in) - off, "%s%lld", k ? "," : "",
			                        (long long)accepted[i + k]);
		for (tries = 0; tries < 600; tries++) {
			n = it_sql_int("SELECT COUNT(*) FROM orders WHERE id IN (%s)", in);
			if (n == want)
				break;
			usleep(50000);
		}
		if (n != want) {
			print_error("%lld of %lld accepted orders were lost\n",
			            (long long)(want - n), (long long)want);
			fail();
		}
	}
	/* Tickets once per written order; no order lost its seat race (seat_taken). */
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM orders o WHERE o.status = 0 AND "
	                            "(o.screening_id = %lld OR o.fid = %lld) AND o.quantity <> "
	                            "(SELECT COUNT(*) FROM tickets t WHERE t.order_id = o.id)",
	                            (long long)sid, (long long)ga_film),
	                 0);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM (SELECT seat FROM tickets WHERE "
	                            "screening_id = %lld AND live = 1 GROUP BY seat HAVING "
	                            "COUNT(*) > 1) d",
	                            (long long)sid),
	                 0);
	if (!races_lost)
		assert_int_equal(it_sql_int("SELECT COUNT(*) FROM orders WHERE screening_id = %lld "
		                            "AND reason = 'seat_taken'",
		                            (long long)sid),
		                 0);
	/* The general stock was taken once per written order. */
	assert_int_equal(it_sql_int("SELECT stock FROM films WHERE id = %lld", (long long)ga_film) +
	                     it_sql_int("SELECT COALESCE(SUM(quantity), 0) FROM orders WHERE fid = "
	                                "%lld AND status = 0",
	                                (long long)ga_film),
	                 GA_STOCK);
}

static void test_crash_sigkill_loses_and_repeats_nothing(void **state)
{
	int64_t sid = it_screening_new(admin_tok, film_id, hall_id, time(NULL) + 5 * 86400);
	struct stream s[THREADS];
	pthread_t t[THREADS];
	int before;

	(void)state;
	naccepted = 0;
	run_streams(sid, t, s);
	sleep(2);
	pthread_mutex_lock(&mu);
	before = naccepted;
	pthread_mutex_unlock(&mu);
	assert_int_equal(it_sh("kill -KILL $(cat %s/daemon.pid)", it_env("STACK_DIR")), 0);
	usleep(500000);
	assert_int_equal(it_stack("daemon-start"), 0);
	sleep(2);
	stop_streams(t);
	print_message("crash: %d orders accepted before the kill, %d in all\n", before, naccepted);
	assert_true(before > 0 && naccepted > before);
	check_accepted(sid, 0);
}

/* One ticketed seat through the API too: 409 seat_taken. */
static void expect_seat_taken(int64_t sid)
{
	char seat[8] = "";
	char *out =
	    it_sql("SELECT seat FROM tickets WHERE screening_id = %lld AND live = 1 LIMIT 1",
	           (long long)sid);

	assert_non_null(out);
	sscanf(out, "%7s", seat);
	free(out);
	assert_true(seat[0] != '\0');
	it_refused(it_postf("/seat/hold", admin_tok, "{\"screeningId\":%lld,\"seats\":[\"%s\"]}",
	                    (long long)sid, seat),
	           409, "seat_taken", NULL);
}

static void test_crash_redis_flush_rebuilds_holds(void **state)
{
	int64_t sid = it_screening_new(admin_tok, film_id, hall_id, time(NULL) + 6 * 86400);
	struct stream s[THREADS];
	pthread_t t[THREADS];
	char out[128];
	int refused = 0, ticketed = 0;

	(void)state;
	naccepted = 0;
	run_streams(sid, t, s);
	sleep(2);
	it_redis(out, sizeof(out), "FLUSHALL");
	sleep(2);
	stop_streams(t);
	/* Orders in flight lost their holds with the flush: a seat race may be lost in MySQL. */
	check_accepted(sid, 1);
	/* The daemon rebuilt the seat state: every ticketed seat is refused to a new hold. */
	{
		char *list =
		    it_sql("SELECT seat FROM tickets WHERE screening_id = %lld AND live = 1",
		           (long long)sid);
		char *save = NULL, *seat;

		assert_non_null(list);
		for (seat = strtok_r(list, "\n", &save); seat; seat = strtok_r(NULL, "\n", &save)) {
			ticketed++;
			it_redis(out, sizeof(out), "HEXISTS %s %s", it_rkey("seats", sid), seat);
			refused += strcmp(out, "1") == 0;
		}
		free(list);
	}
	expect_seat_taken(sid);
	print_message("flush: %d orders accepted, %d ticketed seats, %d refused\n", naccepted,
	              ticketed, refused);
	assert_true(ticketed > 0);
	assert_int_equal(refused, ticketed);
}

static void test_crash_frozen_broker_answers_503_and_changes_nothing(void **state)
{
	int64_t sid = it_screening_new(admin_tok, film_id, hall_id, time(NULL) + 7 * 86400);
	struct it_resp *r;
	int64_t hold_id, oid;
	int i;
	/* Its own customer: the earlier tests used up the others' hold rate limit. */
	char *tok = it_customer(NULL, NULL);

	(void)state;
	assert_non_null(tok);
	r = it_ok(it_postf("/seat/hold", tok, "{\"screeningId\":%lld,\"seats\":[\"A1\"]}",
	                   (long long)sid));
	hold_id = it_data_int(r, "holdId");
	it_resp_free(r);
	/* The broker stops answering: the order cannot be queued. */
	assert_int_equal(it_sh("kill -STOP $(cat %s/kbroker.pid)", it_env("STACK_DIR")), 0);
	r = it_postf("/order/create", tok, "{\"holdId\":%lld,\"items\":[{\"seat\":\"A1\"}]}",
	             (long long)hold_id);
	assert_int_equal(it_sh("kill -CONT $(cat %s/kbroker.pid)", it_env("STACK_DIR")), 0);
	it_assert_error(r, 503, "unavailable");
	it_resp_free(r);
	/* Whatever librdkafka delivers late is never a live order. */
	for (i = 0; i < 60; i++) {
		assert_int_equal(it_sql_int("SELECT COUNT(*) FROM orders WHERE hold_id = %lld AND "
		                            "status <> 2",
		                            (long long)hold_id),
		                 0);
		usleep(100000);
	}
	/* The hold is the customer's again: ordering it now works. */
	r = it_ok(it_postf("/order/create", tok, "{\"holdId\":%lld,\"items\":[{\"seat\":\"A1\"}]}",
	                   (long long)hold_id));
	oid = it_data_int(r, "id");
	it_resp_free(r);
	for (i = 0;
	     i < 300 && it_sql_int("SELECT COUNT(*) FROM orders WHERE id = %lld AND status = 0",
	                           (long long)oid) == 0;
	     i++)
		usleep(100000);
	assert_int_equal(
	    it_sql_int("SELECT COUNT(*) FROM orders WHERE hold_id = %lld AND status = 0",
	               (long long)hold_id),
	    1);
	assert_int_equal(it_sql_int("SELECT COUNT(*) FROM tickets WHERE screening_id = %lld AND "
	                            "live = 1",
	                            (long long)sid),
	                 1);
	free(tok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crash_sigkill_loses_and_repeats_nothing),
	    cmocka_unit_test(test_crash_redis_flush_rebuilds_holds),
	    cmocka_unit_test(test_crash_frozen_broker_answers_503_and_changes_nothing),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
