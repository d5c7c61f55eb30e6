// ctest: RUN_SERIAL
/*
 * it_pay_crash.c: a stream of signed payment callbacks from four threads,
 * the daemon killed with SIGKILL in the middle of it and started again.
 * Every callback is sent until it is answered 200, as a provider does (and
 * some answered ones are sent again after the restart, as duplicates).
 * Afterwards every pay is paid exactly once: its order paid, its ticket
 * issued once with one code, its callback applied once. A callback that was
 * answered 200 and then lost would leave its order unpaid: the test fails.
 * It kills the daemon, so it runs alone.
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

#include "paytest.h"

#define NPAYS 120
#define NTHREADS 4
#define KILL_AFTER 40

static struct {
	int64_t oid, pid;
	char txn[64];
	int acked; /* answered 200 */
} pays[NPAYS];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int next_pay, nacked;

static int group_setup(void **state)
{
	(void)state;
	return pt_setup(1, "crash");
}

/* Send pay i's callback once; 1 when answered 200. */
static int send_one(int i)
{
	const char *body = pt_cb_body(pays[i].pid, 4500, 1, pays[i].txn, time(NULL));
	char copy[256];
	struct it_resp *r;
	int ok;

	snprintf(copy, sizeof(copy), "%s", body);
	r = pt_callback(copy, NULL);
	ok = r && r->status == 200;
	it_resp_free(r);
	return ok;
}

static void *sender(void *arg)
{
	(void)arg;
	for (;;) {
		int i;

		pthread_mutex_lock(&mu);
		i = next_pay < NPAYS ? next_pay++ : -1;
		pthread_mutex_unlock(&mu);
		if (i < 0)
			return NULL;
		if (send_one(i)) {
			pthread_mutex_lock(&mu);
			pays[i].acked = 1;
			nacked++;
			pthread_mutex_unlock(&mu);
		}
	}
}

static void test_pay_callbacks_survive_a_daemon_kill(void **state)
{
	pthread_t th[NTHREADS];
	int64_t sid[NPAYS / 9 + 1];
	int i, k, acked_before_kill, waited, again;

	(void)state;
	/* Ten seats per screening (two rows of five in pt_screening's hall, house seat A5). */
	for (i = 0; i < NPAYS / 9 + 1; i++)
		sid[i] = pt_screening(pt.admin, pt.film, 3 * 86400 + i * 7200);
	for (i = 0; i < NPAYS; i++) {
		static const char *seats[] = {"A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "B5"};

		pays[i].oid =
		    pt_order(pt.cust_uid, pt.film, sid[i / 9], seats[i % 9], 4500, 0, 3600);
		pays[i].pid = pt_pay_online(pt.cust, pays[i].oid);
		snprintf(pays[i].txn, sizeof(pays[i].txn), "crash-%lld-%d", (long long)pays[i].pid,
		         i);
	}
	for (k = 0; k < NTHREADS; k++)
		assert_int_equal(pthread_create(&th[k], NULL, sender, NULL), 0);
	/* Kill once KILL_AFTER callbacks were acknowledged, while the others fly. */
	for (waited = 0; waited < 30000; waited += 2) {
		pthread_mutex_lock(&mu);
		acked_before_kill = nacked;
		pthread_mutex_unlock(&mu);
		if (acked_before_kill >= KILL_AFTER)
			break;
		usleep(2000);
	}
	assert_int_equal(it_sh("kill -9 $(head -n1 '%s/daemon.pid')", it_env("STACK_DIR")), 0);
	for (k = 0; k < NTHREADS; k++)
		pthread_join(th[k], NULL);
	print_message("killed with %d of %d callbacks acknowledged (%d by the end)\n",
	              acked_before_kill, NPAYS, nacked);
	assert_int_equal(it_stack("daemon-start"), 0);

	/* The provider sends again what was not acknowledged, and a few duplicates. */
	again = 0;
	for (i = 0; i < NPAYS; i++) {
		if (pays[i].acked && i % 10)
			continue;
		for (k = 0; k < 100 && !send_one(i); k++)
			usleep(100 * 1000);
		assert_true(k < 100);
		again++;
	}
	print_message("%d callbacks sent again after the restart\n", again);

	/* Every pay paid exactly once. */
	assert_int_equal(pt_wait_sql(NPAYS,
	                             "SELECT COUNT(*) FROM pays WHERE status = 1 AND txn_id LIKE "
	                             "'crash-%%' AND uid = %lld",
	                             (long long)pt.cust_uid),
	                 NPAYS);
	for (i = 0; i < NPAYS; i++) {
		assert_int_equal(pt_wait_sql(1, "SELECT status FROM orders WHERE id = %lld",
		                             (long long)pays[i].oid),
		                 1);
		assert_int_equal(
		    it_sql_int("SELECT COUNT(*) FROM tickets WHERE order_id = %lld AND "
		               "status = 1 AND live = 1 AND code IS NOT NULL",
		               (long long)pays[i].oid),
		    1);
		assert_int_equal(it_sql_int("SELECT COUNT(*) FROM applied_events WHERE event_id = "
		                            "'cb-%s'",
		                            pays[i].txn),
		                 1);
		assert_int_equal(
		    it_sql_int("SELECT COUNT(*) FROM pays WHERE id = %lld AND txn_id = '%s'",
		               (long long)pays[i].pid, pays[i].txn),
		    1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pay_callbacks_survive_a_daemon_kill),
	};

	return cmocka_run_group_tests(tests, group_setup, pt_teardown);
}
