/*
 * test_near_track.c: the near cache's invalidation thread
 * (server/cache/near_track.c) against a private redis-server: a change of
 * a tracked key by another client, once that client has its reply, is
 * never answered from the near cache any more; a FLUSHALL drops
 * everything; a killed subscription flushes, and tracking comes back.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "cache/near.h"
#include "cache/redis.h"
#include "redis_fixture.h"

static struct redis_fixture redis;
static redisContext *other; /* "another instance" writing to Redis */

static int setup(void **state)
{
	(void)state;
	if (redis_fixture_start(&redis, "test_near_track") < 0 || redis_configure(redis.url) < 0)
		return -1;
	other = redisConnect("127.0.0.1", redis.port);
	if (!other || other->err)
		return -1;
	near_init(1u << 20);
	return near_track_start();
}

static int teardown(void **state)
{
	(void)state;
	near_track_stop();
	near_release();
	redisFree(other);
	redis_fixture_remove(&redis);
	return 0;
}

/* Wait (5 s at most) until invalidations are followed. */
static void wait_usable(void)
{
	struct near_stats st;
	int i;

	for (i = 0; i < 500; i++) {
		near_stats_get(&st);
		if (st.usable)
			return;
		redis_fixture_sleep_ms(10);
	}
	fail_msg("the near cache did not start tracking within 5 s");
}

static int hit(const char *key)
{
	size_t n;
	char *v = near_get(key, strlen(key), near_sync_check(), &n);

	free(v);
	return v != NULL;
}

/* A command of the other client; asserts it answered. */
static void other_cmd(const char *cmd)
{
	redisReply *r = redisCommand(other, cmd);

	assert_non_null(r);
	assert_int_not_equal(r->type, REDIS_REPLY_ERROR);
	freeReplyObject(r);
}

/*
 * Keep a value under key, depending on Redis key dep, until it answers (2 s
 * at most): an invalidation of an earlier write applied after the capture
 * began drops what it captured.
 */
static void put(const char *key, const char *dep)
{
	int i;

	for (i = 0; i < 200; i++) {
		near_capture_begin();
		near_capture_dep(dep, 60);
		(void)near_capture_end(key, strlen(key), "v", 1);
		if (hit(key))
			return;
		redis_fixture_sleep_ms(10);
	}
	fail_msg("%s was never answered from the near cache", key);
}

static void test_near_track_change_is_seen_once_answered(void **state)
{
	int i;

	(void)state;
	wait_usable();
	for (i = 0; i < 200; i++) {
		put("film", "bo:c:film:1");
		other_cmd("SET bo:c:film:1 x");
		/* The reply is in: the invalidation is in our socket or applied. */
		assert_false(hit("film"));
		put("seats", "bo:{s5}:seatver:5");
		other_cmd("INCR bo:{s5}:seatver:5");
		assert_false(hit("seats"));
	}
}

/*
 * Redis writes a flush's invalidation (a nil message, sent during the
 * command, not BCAST's batch) in the same pass as the reply but maybe after
 * it: only "soon" is promised here.
 */
static void test_near_track_flushall_drops_everything(void **state)
{
	int i;

	(void)state;
	wait_usable();
	put("a", "bo:c:a");
	put("b", "bo:c:gen:film");
	other_cmd("FLUSHALL");
	for (i = 0; i < 200 && hit("a"); i++)
		redis_fixture_sleep_ms(10);
	assert_false(hit("a"));
	assert_false(hit("b"));
}

static void test_near_track_lost_subscription_flushes_and_returns(void **state)
{
	struct near_stats st;
	unsigned long flushes;
	int i;

	(void)state;
	wait_usable();
	put("a", "bo:c:a");
	near_stats_get(&st);
	flushes = st.flushes;
	other_cmd("CLIENT KILL TYPE pubsub");
	/* Refused at once (the socket's end is seen), gone for good once noticed. */
	assert_false(hit("a"));
	for (i = 0; i < 200 && st.flushes == flushes; i++) {
		redis_fixture_sleep_ms(10);
		near_stats_get(&st);
	}
	assert_true(st.flushes > flushes);
	wait_usable();
	assert_false(hit("a"));
	put("a", "bo:c:a");
}

/* Each test with its own redis-server and tracking thread. */
int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_near_track_change_is_seen_once_answered, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_near_track_flushall_drops_everything, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_near_track_lost_subscription_flushes_and_returns,
	                                    setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
