/*
 * it_bulkhead.c: a hung MariaDB (SIGSTOP: how a stalled disk or a lost
 * network looks, not a refused connection) must not stall what does not
 * need it. While six uncached reads wait on it: a warm cached read answers
 * in under 200 ms, /healthz within a second, the waiting reads get 503
 * within the daemon's MySQL timeout, further MySQL-bound requests get 503 at
 * once, and everything recovers after MariaDB resumes.
 */
// ctest: RUN_SERIAL
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"
#include "core/clock.h"

#define WAITERS 6

static pid_t mysqld = -1;

/* Timing bounds scale under ThreadSanitizer (tests/CMakeLists.txt). */
static double slow(void)
{
	const char *s = getenv("BOXOFFICE_TEST_SLOWDOWN");
	double k = s ? atof(s) : 1.0;

	return k >= 1.0 ? k : 1.0;
}

static pid_t mysqld_pid(void)
{
	char path[512], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/mysql/mysqld.pid", it_env("STACK_DIR"));
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return (pid_t)atol(buf);
}

/* Whatever happens, MariaDB is not left stopped for the next tests. */
static int resume(void **state)
{
	if (mysqld > 0)
		kill(mysqld, SIGCONT);
	return 0;
}

/* A list query no cache has seen, so it must read MySQL. */
static void uncached_list(char *json, size_t len)
{
	snprintf(json, len, "{\"query\":\"%s\"}", it_unique("hung"));
}

struct timed {
	long status;
	double took;
};

static struct timed timed_post(const char *path, const char *json)
{
	double t0 = clock_s();
	struct it_resp *r = it_post(path, NULL, json);
	struct timed t = {r ? r->status : 0, clock_s() - t0};

	it_resp_free(r);
	return t;
}

static void test_bulkhead_hung_mysql_does_not_stall_cached_reads(void **state)
{
	pid_t kids[WAITERS];
	int pipes[WAITERS][2];
	char json[128];
	struct timed t;
	double t0, worst = 0;
	int i, n503 = 0;

	/*
	 * Warm the cache of a read nothing in the background invalidates (the
	 * sale list moves with every expiring order of earlier tests).
	 */
	for (i = 0; i < 2; i++) {
		t = timed_post("/hall/list", NULL);
		assert_int_equal(t.status, 200);
	}
	mysqld = mysqld_pid();
	assert_true(mysqld > 0);
	assert_int_equal(kill(mysqld, SIGSTOP), 0);
	t0 = clock_s();

	/* Six requests that wait on MySQL, each in its own process. */
	for (i = 0; i < WAITERS; i++) {
		assert_int_equal(pipe(pipes[i]), 0);
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] == 0) {
			close(pipes[i][0]);
			it_set_source(it_random_source());
			uncached_list(json, sizeof(json));
			t = timed_post("/film/list", json);
			if (write(pipes[i][1], &t, sizeof(t)) != (ssize_t)sizeof(t))
				_exit(1);
			_exit(0);
		}
		close(pipes[i][1]);
	}
	usleep(300 * 1000); /* let them reach MySQL; not a synchronisation */

	/* Cached reads and /healthz do not wait on MySQL. */
	for (i = 0; i < 20; i++) {
		t = timed_post("/hall/list", NULL);
		assert_int_equal(t.status, 200);
		if (t.took > worst)
			worst = t.took;
	}
	print_message("cached read while mysql hangs: worst %.0f ms\n", worst * 1000);
	assert_true(worst < 0.2 * slow());
	{
		double h0 = clock_s();
		struct it_resp *r = it_request("GET", "/healthz", NULL, NULL, 0);
		assert_non_null(r);
		assert_true(clock_s() - h0 < 1.0 * slow());
		it_resp_free(r);
	}
	/*
	 * /healthz says so within a few seconds, each answer within a second;
	 * with two daemons, each its own (the next request may go to either).
	 */
	for (;;) {
		int down = 1;

		for (int d = 0; d < it_daemons(); d++) {
			double h0 = clock_s();
			struct it_resp *r;

			it_set_base(it_daemon_url(d));
			r = it_request("GET", "/healthz", NULL, NULL, 0);
			it_set_base(NULL);
			assert_non_null(r);
			assert_true(clock_s() - h0 < 1.0 * slow());
			if (r->status == 503) {
				assert_string_equal(it_json_str(r->json, "db"), "down");
				assert_string_equal(it_json_str(r->json, "redis"), "ok");
			} else {
				down = 0;
			}
			it_resp_free(r);
		}
		if (down)
			break;
		assert_true(clock_s() - t0 < 10);
		usleep(100 * 1000);
	}
	/* And a MySQL-bound request is refused at once now, without a free slot. */
	uncached_list(json, sizeof(json));
	t = timed_post("/film/list", json);
	assert_int_equal(t.status, 503);
	assert_true(t.took < 0.5 * slow());
	/* The six waiting reads get their 503 within the MySQL timeout (30 s bound). */
	for (i = 0; i < WAITERS; i++) {
		int st;
		ssize_t got = read(pipes[i][0], &t, sizeof(t));
		close(pipes[i][0]);
		assert_int_equal(waitpid(kids[i], &st, 0), kids[i]);
		assert_int_equal(got, (ssize_t)sizeof(t));
		print_message("waiting read %d: %ld after %.1f s\n", i, t.status, t.took);
		assert_true(t.took < 30.0);
		n503 += t.status == 503;
	}
	assert_int_equal(n503, WAITERS);

	/* Resume: everything recovers by itself. */
	assert_int_equal(kill(mysqld, SIGCONT), 0);
	mysqld = -1;
	t0 = clock_s();
	for (;;) {
		uncached_list(json, sizeof(json));
		t = timed_post("/film/list", json);
		if (t.status == 200)
			break;
		assert_true(clock_s() - t0 < 20);
		usleep(100 * 1000);
	}
	print_message("recovered %.1f s after mysql resumed\n", clock_s() - t0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_teardown(test_bulkhead_hung_mysql_does_not_stall_cached_reads, resume),
	};

	if (it_setup() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
