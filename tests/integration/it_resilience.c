/*
 * it_resilience.c: dependencies that go away under a running daemon.
 * Redis, then MariaDB, is stopped: /healthz turns 503 within 5 s naming the
 * part that is down, requests that need it answer 503 unavailable with
 * Retry-After, nothing crashes, and everything recovers by itself when the
 * dependency is back. Also /metrics exposes the counters of spec section 1.
 */
// ctest: RUN_SERIAL
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

/* 1 when the /healthz of the daemon at url answers want with part in state. */
static int health_is(const char *url, long want, const char *part, const char *state)
{
	struct it_resp *r;
	int ok = 0;

	it_set_base(url);
	r = it_request("GET", "/healthz", NULL, NULL, 0);
	it_set_base(NULL);
	if (r && r->status == want && r->json) {
		cJSON *v = cJSON_GetObjectItem(r->json, part);
		ok = cJSON_IsString(v) && !strcmp(v->valuestring, state);
	}
	it_resp_free(r);
	return ok;
}

/*
 * Poll /healthz until its status is want (and part is state); seconds taken,
 * or -1. With two daemons, each has its own health: both must say so, since
 * the requests that follow go to both.
 */
static double wait_health(long want, const char *part, const char *state, double limit)
{
	double t0 = clock_s();

	while (clock_s() - t0 < limit) {
		int ok = 1;

		for (int i = 0; ok && i < it_daemons(); i++)
			ok = health_is(it_daemon_url(i), want, part, state);
		if (ok)
			return clock_s() - t0;
		usleep(100 * 1000);
	}
	return -1;
}

/*
 * Stops what (stack.sh's "<what>-stop") and waits up to 5 s for /healthz to
 * answer 503 with part down; fails (after starting it again) if it does not.
 */
static void stop_until_down(const char *what, const char *part)
{
	char cmd[32];
	double took;

	snprintf(cmd, sizeof(cmd), "%s-stop", what);
	assert_int_equal(it_stack(cmd), 0);
	took = wait_health(503, part, "down", 5);
	if (took < 0) {
		snprintf(cmd, sizeof(cmd), "%s-start", what);
		it_stack(cmd);
		fail_msg("/healthz did not turn 503 within 5 s of %s stopping", what);
	}
	print_message("healthz saw %s down after %.2f s\n", what, took);
}

static void test_resilience_redis_down_and_back(void **state)
{
	struct it_resp *r;
	double took;
	int i;

	assert_true(wait_health(200, "redis", "ok", 10) >= 0);
	stop_until_down("redis", "redis");
	/* Code sending needs Redis: 503 with Retry-After, several times, no crash. */
	for (i = 0; i < 3; i++) {
		it_set_source(it_random_source());
		r = it_postf("/email/code/send", NULL, "{\"email\":\"%s\"}", it_unique_email());
		it_assert_error(r, 503, "unavailable");
		assert_true(atoi(r->retry_after) >= 1);
		it_resp_free(r);
	}
	/* Login's rate limit lives in Redis: it fails closed. */
	it_postf_refused("/user/login", NULL, 503, "unavailable", NULL,
	                 "{\"mobile\":\"%s\",\"password\":\"%s\"}", it_env("ADMIN_MOBILE"),
	                 it_env("ADMIN_PASSWORD"));

	assert_int_equal(it_redis_start(), 0);
	took = wait_health(200, "redis", "ok", 10);
	assert_true(took >= 0);
	print_message("healthz saw redis back after %.2f s\n", took);
	/* Every worker's old connection is dead: none may cost a request a 503. */
	for (i = 0; i < 6; i++) {
		it_set_source(it_random_source());
		it_postf_ok("/email/code/send", NULL, "{\"email\":\"%s\"}", it_unique_email());
	}
	char *tok = it_admin_token();
	assert_non_null(tok);
	free(tok);
}

/* A quick Redis restart that no request saw: the workers' connections are all dead. */
static void test_resilience_redis_restart_costs_no_request(void **state)
{
	int i;

	for (i = 0; i < 4; i++) { /* every worker holds a live connection */
		it_set_source(it_random_source());
		it_postf_ok("/email/code/send", NULL, "{\"email\":\"%s\"}", it_unique_email());
	}
	assert_int_equal(it_stack("redis-stop"), 0);
	assert_int_equal(it_redis_start(), 0);
	for (i = 0; i < 6; i++) {
		it_set_source(it_random_source());
		it_postf_ok("/email/code/send", NULL, "{\"email\":\"%s\"}", it_unique_email());
	}
}

static void test_resilience_mysql_down_and_back(void **state)
{
	struct it_resp *r;
	char *tok = it_admin_token();
	double took;

	assert_non_null(tok);
	stop_until_down("mysql", "db");
	r = it_post("/user/userinfo", tok, NULL);
	it_assert_error(r, 503, "unavailable");
	assert_true(atoi(r->retry_after) >= 1);
	it_resp_free(r);
	it_post_refused("/user/userinfo", tok, NULL, 503, "unavailable", NULL);

	assert_int_equal(it_stack("mysql-start"), 0);
	took = wait_health(200, "db", "ok", 15);
	assert_true(took >= 0);
	print_message("healthz saw mysql back after %.2f s\n", took);
	it_post_ok("/user/userinfo", tok, NULL);
	free(tok);
}

/*
 * An outage is logged once when it starts and once when it ends, with the
 * number of failed calls, however many requests fail in between (issue 6,
 * item 10: a 30 s outage once wrote 1,253 error lines).
 */
static void test_resilience_mysql_outage_is_logged_once(void **state)
{
	const char *log = it_env("DAEMON_LOG");
	char line[1024], query[64];
	long offset;
	int i, down = 0, back = 0, noisy = 0;
	FILE *f;

	assert_non_null(log);
	f = fopen(log, "r");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	offset = ftell(f);
	fclose(f);

	stop_until_down("mysql", "db");
	for (i = 0; i < 40; i++) {
		struct it_resp *r;

		snprintf(query, sizeof(query), "{\"query\":\"%s\"}", it_unique("outage"));
		r = it_post("/film/list", NULL, query);
		assert_int_equal(r->status, 503);
		it_resp_free(r);
	}
	assert_int_equal(it_stack("mysql-start"), 0);
	assert_true(wait_health(200, "db", "ok", 15) >= 0);
	snprintf(query, sizeof(query), "{\"query\":\"%s\"}", it_unique("back"));
	it_post_ok("/film/list", NULL, query);

	f = fopen(log, "r");
	assert_non_null(f);
	fseek(f, offset, SEEK_SET);
	while (fgets(line, sizeof(line), f)) {
		/* The recovery is an info line with the count of failed calls. */
		back += strstr(line, "mysql") && strstr(line, "is back") &&
		        strstr(line, "calls failed while it was down");
		/* The daemon's log lines are JSON (log_format's default). */
		if (!strstr(line, "\"level\":\"warn\"") && !strstr(line, "\"level\":\"error\""))
			continue;
		noisy++;
		down += strstr(line, "mysql") && strstr(line, "is down") != NULL;
		print_message("logged: %s", line);
	}
	fclose(f);
	/*
	 * Once each per outage; a server that is shutting down may still take
	 * one connection, so the stop itself can show as down, back, down.
	 */
	assert_true(down >= 1 && down <= 2);
	assert_true(back >= 1 && back <= down);
	assert_true(noisy <= 5);
	(void)state;
}

/* Connections the server drops (KILL, wait_timeout) cost a read nothing. */
static void test_resilience_killed_connections_reads_retried(void **state)
{
	char *ids, *line, *save = NULL;
	int i;

	for (i = 0; i < 4; i++) { /* every worker holds a connection */
		it_postf_ok("/film/list", NULL, "{\"query\":\"%s\"}", it_unique("warm"));
	}
	ids = it_sql("SELECT id FROM information_schema.processlist WHERE user = '%s'",
	             it_env("MYSQL_USER"));
	assert_non_null(ids);
	for (line = strtok_r(ids, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		free(it_sql("KILL %s", line));
	free(ids);
	for (i = 0; i < 6; i++) {
		/* a fresh query each time, so no cached answer hides the database */
		it_postf_ok("/film/list", NULL, "{\"query\":\"%s\"}", it_unique("after-kill"));
	}
}

static void test_resilience_metrics_exposed(void **state)
{
	struct it_resp *r;

	/* /metrics is the first daemon's: the login goes there too. */
	it_set_base(it_daemon_url(0));
	it_postf_ok("/user/login", NULL, "{\"mobile\":\"%s\",\"password\":\"%s\"}",
	            it_env("ADMIN_MOBILE"), it_env("ADMIN_PASSWORD"));
	it_set_base(NULL);
	r = it_ok(it_request("GET", "/metrics", NULL, NULL, 0));
	assert_non_null(strstr(r->content_type, "text/plain"));
	assert_non_null(
	    strstr(r->body, "boxoffice_requests_total{route=\"/user/login\",status=\"200\"}"));
	assert_non_null(
	    strstr(r->body,
	           "boxoffice_request_duration_seconds_bucket{route=\"/user/login\",le=\"+Inf\"}"));
	assert_non_null(strstr(r->body, "boxoffice_worker_queue_depth "));
	/* The loop thread never made a blocking call during the whole run so far. */
	assert_non_null(strstr(r->body, "boxoffice_loop_blocking_calls_total 0\n"));
	it_resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_resilience_redis_down_and_back),
	    cmocka_unit_test(test_resilience_redis_restart_costs_no_request),
	    cmocka_unit_test(test_resilience_mysql_down_and_back),
	    cmocka_unit_test(test_resilience_mysql_outage_is_logged_once),
	    cmocka_unit_test(test_resilience_killed_connections_reads_retried),
	    cmocka_unit_test(test_resilience_metrics_exposed),
	};
	return cmocka_run_group_tests(tests, it_group_setup, NULL);
}
