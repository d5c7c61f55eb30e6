/*
 * test_near.c: the near cache's store (cache/near.h) without Redis: what a
 * capture keeps, invalidation by dependency, the bounded LRU, and the rule
 * that nothing is answered while an invalidation may be unread (a
 * socketpair stands for the subscribed connection).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cache/near.h"

static int sp[2]; /* sp[0]: "the subscribed socket", sp[1]: "redis" */

static int setup(void **state)
{
	(void)state;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sp) < 0)
		return -1;
	near_init(64 * 1024);
	near_sync_up(sp[0], -1);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	near_sync_down();
	near_release();
	close(sp[0]);
	close(sp[1]);
	return 0;
}

/* Keep val under key, depending on the Redis key dep; 1 if stored. */
static int put(const char *key, const char *dep, const char *val)
{
	near_capture_begin();
	near_capture_dep(dep, 30);
	return near_capture_end(key, strlen(key), val, strlen(val));
}

/* 1 if key answers exactly val. */
static int has(const char *key, const char *val)
{
	size_t n = 0;
	char *v = near_get(key, strlen(key), near_sync_check(), &n);
	int same = v && n == strlen(val) && !memcmp(v, val, n);

	free(v);
	return same;
}

static int absent(const char *key)
{
	size_t n;
	char *v = near_get(key, strlen(key), near_sync_check(), &n);

	free(v);
	return v == NULL;
}

static void test_near_keeps_and_answers(void **state)
{
	(void)state;
	assert_int_equal(put("/film/detail\n{\"id\":1}", "bo:c:film:1", "{\"code\":0}"), 1);
	assert_true(has("/film/detail\n{\"id\":1}", "{\"code\":0}"));
	assert_true(absent("/film/detail\n{\"id\":2}"));
	/* Nothing read from the cache (no dependency): not kept. */
	near_capture_begin();
	assert_int_equal(near_capture_end("k", 1, "v", 1), 0);
	/* An answer read from MySQL without Redis: not kept. */
	near_capture_begin();
	near_capture_dep("bo:c:film:3", 30);
	near_capture_spoil();
	assert_int_equal(near_capture_end("k", 1, "v", 1), 0);
	assert_true(absent("k"));
}

static void test_near_invalidation_drops_dependents(void **state)
{
	(void)state;
	assert_int_equal(put("a", "bo:c:film:1", "A"), 1);
	assert_int_equal(put("b", "bo:c:film:2", "B"), 1);
	near_invalidate("bo:c:film:1", strlen("bo:c:film:1"));
	assert_true(absent("a"));
	assert_true(has("b", "B"));
	/* A change between the capture's read and its store: never kept. */
	near_capture_begin();
	near_capture_dep("bo:c:film:2", 30);
	near_invalidate("bo:c:film:2", strlen("bo:c:film:2"));
	assert_int_equal(near_capture_end("c", 1, "C", 1), 0);
	assert_true(absent("c"));
	/* One dependency of several is enough. */
	near_capture_begin();
	near_capture_dep("bo:c:gen:screening", 30);
	near_capture_dep("bo:seatver:9", 0);
	assert_int_equal(near_capture_end("d", 1, "D", 1), 1);
	assert_true(has("d", "D"));
	near_invalidate("bo:seatver:9", strlen("bo:seatver:9"));
	assert_true(absent("d"));
}

static void test_near_lru_is_bounded(void **state)
{
	char key[32], val[1024];
	struct near_stats st;
	int i;

	(void)state;
	memset(val, 'x', sizeof(val) - 1);
	val[sizeof(val) - 1] = '\0';
	/* 64 KiB: about 60 such entries fit; write 200, reading key 0 each time. */
	for (i = 0; i < 200; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_int_equal(put(key, "bo:c:x", val), 1);
		assert_true(has("k0", val)); /* most recently used: never evicted */
		near_stats_get(&st);
		assert_true(st.bytes <= 64 * 1024);
	}
	near_stats_get(&st);
	assert_true(st.evictions >= 140);
	assert_true(st.entries < 64);
	assert_true(absent("k1"));     /* the oldest unread went first */
	assert_true(has("k199", val)); /* the newest stays */
	/* Bigger than the budget: not kept, nothing evicted for it. */
	{
		char *big = malloc(70 * 1024);
		unsigned long ev = st.evictions;
		assert_non_null(big);
		memset(big, 'y', 70 * 1024);
		near_capture_begin();
		near_capture_dep("bo:c:x", 30);
		assert_int_equal(near_capture_end("big", 3, big, 70 * 1024), 0);
		free(big);
		near_stats_get(&st);
		assert_int_equal(st.evictions, ev);
	}
}

static void test_near_unread_invalidation_refuses(void **state)
{
	char c;

	(void)state;
	assert_int_equal(put("a", "bo:c:film:1", "A"), 1);
	/* Redis sent something not yet read: maybe an invalidation of "a". */
	assert_int_equal(write(sp[1], "*", 1), 1);
	assert_true(absent("a"));
	assert_int_equal(read(sp[0], &c, 1), 1);
	assert_true(has("a", "A"));
	/* The thread is applying what it read: refused until it is done. */
	near_sync_begin();
	assert_true(absent("a"));
	near_sync_end(0); /* half a message still buffered */
	assert_true(absent("a"));
	near_sync_begin();
	near_sync_end(1);
	assert_true(has("a", "A"));
	/* The connection ended: invalidations may be lost from here on. */
	assert_int_equal(shutdown(sp[1], SHUT_WR), 0);
	assert_true(absent("a"));
}

/* 1 if key answers exactly val under token t. */
static int has_at(const char *key, unsigned long t, const char *val)
{
	size_t n = 0;
	char *v = near_get(key, strlen(key), t, &n);
	int same = v && n == strlen(val) && !memcmp(v, val, n);

	free(v);
	return same;
}

/*
 * One token (one poll) serves every lookup of a batch: no syscall per hit.
 * It proves freshness only as of when it was taken: anything the tracking
 * thread applies afterwards voids it, and no token is given while a byte
 * is unread.
 */
static void test_near_token_serves_a_batch_until_something_is_applied(void **state)
{
	unsigned long t;
	char c;

	(void)state;
	assert_int_equal(put("a", "bo:c:film:1", "A"), 1);
	assert_int_equal(put("b", "bo:c:film:2", "B"), 1);
	t = near_sync_check();
	assert_true(t != 0);
	for (int i = 0; i < 3; i++) {
		assert_true(has_at("a", t, "A"));
		assert_true(has_at("b", t, "B"));
	}
	assert_false(has_at("a", 0, "A")); /* no token: not proven */
	/* A byte is unread: no token until the thread has read and applied it. */
	assert_int_equal(write(sp[1], "*", 1), 1);
	assert_int_equal(near_sync_check(), 0);
	near_sync_begin();
	assert_int_equal(read(sp[0], &c, 1), 1);
	/* What the thread applies moves the sequence: the older token is void. */
	assert_false(has_at("a", t, "A"));
	assert_int_equal(near_sync_check(), 0);
	near_sync_end(1);
	assert_false(has_at("a", t, "A"));
	assert_false(has_at("b", t, "B"));
	t = near_sync_check();
	assert_true(t != 0);
	assert_true(has_at("a", t, "A"));
	/* An invalidation applied under a token drops its dependents at once. */
	near_sync_begin();
	near_invalidate("bo:c:film:2", strlen("bo:c:film:2"));
	near_sync_end(1);
	t = near_sync_check();
	assert_true(has_at("a", t, "A"));
	assert_false(has_at("b", t, "B"));
}

static void test_near_lost_connection_flushes(void **state)
{
	(void)state;
	assert_int_equal(put("a", "bo:c:film:1", "A"), 1);
	near_sync_down();
	assert_true(absent("a"));
	/* Captured while invalidations are not followed: not kept. */
	assert_int_equal(put("b", "bo:c:film:2", "B"), 0);
	near_sync_up(sp[0], -1);
	assert_true(absent("a")); /* gone for good, not hidden */
	assert_true(absent("b"));
	assert_int_equal(put("b", "bo:c:film:2", "B"), 1);
	assert_true(has("b", "B"));
	/* A capture that began before a reconnect is not kept either. */
	near_capture_begin();
	near_capture_dep("bo:c:film:3", 30);
	near_sync_down();
	near_sync_up(sp[0], -1);
	assert_int_equal(near_capture_end("c", 1, "C", 1), 0);
}

/* Readers on several threads while a writer stores and invalidates (ASan/TSan). */
static void *reader(void *arg)
{
	char key[16];
	int i;

	(void)arg;
	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "r%d", i % 50);
		(void)absent(key);
	}
	return NULL;
}

static void test_near_concurrent_readers(void **state)
{
	pthread_t t[4];
	char key[16], dep[32];
	int i;

	(void)state;
	near_init(4u << 20); /* sharded */
	near_sync_up(sp[0], -1);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, reader, NULL), 0);
	for (i = 0; i < 20000; i++) {
		snprintf(key, sizeof(key), "r%d", i % 50);
		snprintf(dep, sizeof(dep), "bo:c:r:%d", i % 50);
		if (i % 3)
			(void)put(key, dep, "value");
		else
			near_invalidate(dep, strlen(dep));
	}
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(put("last", "bo:c:last", "L"), 1);
	assert_true(has("last", "L"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_near_keeps_and_answers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_near_invalidation_drops_dependents, setup,
	                                    teardown),
	    cmocka_unit_test_setup_teardown(test_near_lru_is_bounded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_near_unread_invalidation_refuses, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_near_lost_connection_flushes, setup, teardown),
	    cmocka_unit_test_setup_teardown(
	        test_near_token_serves_a_batch_until_something_is_applied, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_near_concurrent_readers, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
