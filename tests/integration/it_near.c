/*
 * it_near.c: the near cache (server/cache/near.h) across two instances on
 * the same MariaDB and Redis: the stack's daemon (A) and a second one (B).
 *   - a film changed through A reads changed on B in the very next request,
 *     with B's near cache warm for it;
 *   - a seat held through A shows held in B's very next /screening/seats;
 *   - a near-cache answer carries the caller's X-Request-Id and the same
 *     bytes a worker renders;
 *   - a user disabled through A is refused by B in the very next request,
 *     though B read that token's version from its near cache.
 * No sleeps: "warm" is proven by B's near-cache hit counter (/metrics), and
 * the read after a write is sent as soon as the write has answered. B only
 * produces (kafka_consume 0, it_daemon_start), so it runs beside other
 * tests: it never joins the consumer group that applies their orders.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "fixtures.h"

#define LAYOUT "[\"SSSSSSSS\",\"SSSSSSSS\"]"
#define ROUNDS 12
#define WARM_S 10

static pid_t b_pid = -1;
static char b_url[64];
static const char *a_url;

static int group_setup(void **state)
{
	if (it_sale_setup("drama", LAYOUT) < 0)
		return -1;
	a_url = it_env("BOXOFFICE_URL");
	b_pid = it_daemon_start("daemon-near", b_url, sizeof(b_url));
	if (b_pid < 0)
		fprintf(stderr, "it_near: the second daemon did not start\n");
	return b_pid < 0 ? -1 : 0;
}

static int group_teardown(void **state)
{
	int st = it_daemon_stop(b_pid);

	it_set_base(NULL);
	it_sale_teardown(state);
	if (st != 0)
		fprintf(stderr, "it_near: the second daemon exited with %d\n", st);
	return st == 0 ? 0 : -1;
}

/* The value of metric name in /metrics of the daemon at url. */
static long metric(const char *url, const char *name)
{
	struct it_resp *r;
	char line[96];
	const char *p;
	long n = -1;

	it_set_base(url);
	r = it_request("GET", "/metrics", NULL, NULL, 0);
	it_set_base(NULL);
	assert_non_null(r);
	snprintf(line, sizeof(line), "\n%s ", name);
	p = strstr(r->body, line);
	if (p)
		n = strtol(p + strlen(line), NULL, 10);
	it_resp_free(r);
	assert_true(n >= 0);
	return n;
}

/* Answers of the daemon at url from its near cache. */
static long near_hits(const char *url)
{
	return metric(url, "boxoffice_near_hits_total");
}

/* POST path with body to url; asserts 200. */
static struct it_resp *read_at(const char *url, const char *path, const char *body)
{
	struct it_resp *r;

	it_set_base(url);
	r = it_post(path, NULL, body);
	it_set_base(NULL);
	it_assert_status(r, 200);
	return r;
}

/* Read path/body at url until an answer comes from its near cache (fails after WARM_S). */
static void warm(const char *url, const char *path, const char *body)
{
	time_t until = time(NULL) + WARM_S;

	for (;;) {
		long before = near_hits(url);
		it_resp_free(read_at(url, path, body));
		if (near_hits(url) > before)
			return;
		if (time(NULL) > until)
			fail_msg("%s %s never answered from %s's near cache", path, body, url);
	}
}

static void test_near_film_change_is_seen_at_once_on_the_other_instance(void **state)
{
	char body[64], name[64];
	int i;

	(void)state;
	snprintf(body, sizeof(body), "{\"id\":%lld}", (long long)it_sale.film);
	for (i = 0; i < ROUNDS; i++) {
		struct it_resp *r;

		warm(b_url, "/film/detail", body);
		warm(a_url, "/film/detail", body);
		snprintf(name, sizeof(name), "near-%d-%s", i, it_unique("f"));
		it_set_base(a_url);
		it_postf_ok("/film/update", it_sale.admin, "{\"id\":%lld,\"name\":\"%s\"}",
		            (long long)it_sale.film, name);
		/* At once, on the other instance, then on the writer. */
		r = read_at(b_url, "/film/detail", body);
		assert_string_equal(it_data_str(r, "name"), name);
		it_resp_free(r);
		r = read_at(a_url, "/film/detail", body);
		assert_string_equal(it_data_str(r, "name"), name);
		it_resp_free(r);
	}
}

/* The state letter of seat ("A3") in a /screening/seats answer. */
static char seat_state(const struct it_resp *r, const char *seat)
{
	const cJSON *st = cJSON_GetObjectItemCaseSensitive(it_data(r), "state");
	const cJSON *row = cJSON_GetArrayItem(st, seat[0] - 'A');
	int col = atoi(seat + 1) - 1;

	assert_true(cJSON_IsString(row));
	assert_true(col >= 0 && (size_t)col < strlen(row->valuestring));
	return row->valuestring[col];
}

static void test_near_seat_hold_is_seen_at_once_on_the_other_instance(void **state)
{
	int64_t sid =
	    it_screening_new(it_sale.admin, it_sale.film, it_sale.hall, time(NULL) + 3 * 86400);
	char body[64], seat[8];
	int64_t version;
	struct it_resp *r;
	int i;

	(void)state;
	snprintf(body, sizeof(body), "{\"id\":%lld}", (long long)sid);
	for (i = 0; i < ROUNDS; i++) {
		snprintf(seat, sizeof(seat), "%c%d", 'A' + i % 2, i / 2 + 1);
		warm(b_url, "/screening/seats", body);
		r = read_at(b_url, "/screening/seats", body);
		version = it_data_int(r, "version");
		assert_int_equal(seat_state(r, seat), 'f');
		it_resp_free(r);
		it_set_base(a_url);
		/* Two customers: each may hold at most ten seats. */
		it_postf_ok("/seat/hold", i % 2 ? it_sale.cust2 : it_sale.cust,
		            "{\"screeningId\":%lld,\"seats\":[\"%s\"]}", (long long)sid, seat);
		r = read_at(b_url, "/screening/seats", body);
		assert_int_equal(seat_state(r, seat), 'h');
		assert_true(it_data_int(r, "version") > version);
		it_resp_free(r);
	}
}

static void test_near_answer_is_the_workers_answer(void **state)
{
	static const char *const rid[] = {"X-Request-Id: near-rid-1", NULL};
	char body[64];
	struct it_resp *worker, *near;
	long before;

	(void)state;
	snprintf(body, sizeof(body), "{\"id\":%lld}", (long long)it_sale.film);
	/* The first answer of a fresh key comes from a worker. */
	it_set_base(b_url);
	worker = it_request("POST", "/film/sale/list", NULL, "", 0);
	it_set_base(NULL);
	it_assert_status(worker, 200);
	warm(b_url, "/film/sale/list", "");
	before = near_hits(b_url);
	it_set_base(b_url);
	near = it_request("POST", "/film/sale/list", rid, "", 0);
	it_set_base(NULL);
	it_assert_status(near, 200);
	assert_true(near_hits(b_url) > before);
	assert_string_equal(near->request_id, "near-rid-1");
	assert_string_equal(near->content_type, "application/json");
	assert_string_equal(near->body, worker->body);
	it_resp_free(worker);
	it_resp_free(near);
	/* A route that needs a token is never answered from the near cache. */
	before = near_hits(b_url);
	it_set_base(b_url);
	near = it_post("/order/list", NULL, "{}");
	it_set_base(NULL);
	it_assert_status(near, 401);
	assert_int_equal(near_hits(b_url), before);
	it_resp_free(near);
}

/*
 * A token's version comes from the near cache on every authenticated
 * request (cache_get_near): a user disabled through A is refused by B in
 * the very next request, with B's near cache warm for that token.
 */
static void test_near_revoked_token_is_refused_at_once_on_the_other_instance(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		int64_t uid;
		char *tok = it_customer(&uid, NULL);
		time_t until = time(NULL) + WARM_S;
		struct it_resp *r;
		long before;

		assert_non_null(tok);
		for (;;) {
			before = metric(b_url, "boxoffice_near_value_hits_total");
			it_set_base(b_url);
			r = it_post("/user/userinfo", tok, "{}");
			it_set_base(NULL);
			it_assert_status(r, 200);
			it_resp_free(r);
			if (metric(b_url, "boxoffice_near_value_hits_total") > before)
				break;
			if (time(NULL) > until)
				fail_msg("B never read the token's version from its near cache");
		}
		it_set_base(a_url);
		it_postf_ok("/user/disable", it_sale.admin, "{\"id\":%lld,\"disabled\":1}",
		            (long long)uid);
		it_set_base(b_url);
		r = it_post("/user/userinfo", tok, "{}");
		it_set_base(NULL);
		it_assert_error(r, 401, "token_expired");
		it_resp_free(r);
		free(tok);
	}
}

/* One group: the second daemon (or Redis) is started once. */
static const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_near_film_change_is_seen_at_once_on_the_other_instance),
    cmocka_unit_test(test_near_seat_hold_is_seen_at_once_on_the_other_instance),
    cmocka_unit_test(test_near_answer_is_the_workers_answer),
    cmocka_unit_test(test_near_revoked_token_is_refused_at_once_on_the_other_instance)};

int main(void)
{
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
