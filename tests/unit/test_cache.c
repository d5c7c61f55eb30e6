/*
 * test_cache.c: the cache-aside of cache/cache.c against a private
 * redis-server that this program starts on a free loopback port and stops:
 * hits and misses, the empty-value marker, errors that are not cached, TTL
 * jitter, one loader for concurrent misses, waiters that give up on a stuck
 * loader, generations, a write during a load (the old row is not put back),
 * Redis down (fallback) and read_cache 0; the same for raw reads (the stored
 * text handed back as it is) and for generation keys read in one round trip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <hiredis/hiredis.h>

#include "svc/conns.h"
#include "cache/cache.h"
#include "cache/redis.h"
#include "core/config.h"
#include "redis_fixture.h"
#include "core/pool.h"

static struct redis_fixture redis;
static struct worker *w;
static redisContext *probe; /* the test's own view of Redis */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* A command on the probe connection; the reply as an integer or string length. */
static redisReply *probe_cmd(const char *fmt, ...)
{
	va_list ap;
	redisReply *r;

	va_start(ap, fmt);
	r = redisvCommand(probe, fmt, ap);
	va_end(ap);
	assert_non_null(r);
	return r;
}

static long long probe_int(const char *fmt, const char *key)
{
	redisReply *r = probe_cmd(fmt, key);
	long long v = r->type == REDIS_REPLY_INTEGER ? r->integer : -1;

	freeReplyObject(r);
	return v;
}

/* 1 when key (without the prefix) holds a tombstone of cache_del. */
static int holds_tombstone(const char *key)
{
	redisReply *r = probe_cmd("GET %s%s", CACHE_PREFIX, key);
	int yes = r->type == REDIS_REPLY_STRING && strncmp(r->str, "!gone:", 6) == 0;

	freeReplyObject(r);
	return yes;
}

static int setup_group(void **state)
{
	pool_set_conn_ops(&svc_conn_ops);
	struct timeval tv = {2, 0};

	if (redis_fixture_start(&redis, "test_cache") < 0)
		return -1;
	if (redis_configure(redis.url) < 0)
		return -1;
	probe = redisConnectWithTimeout("127.0.0.1", redis.port, tv);
	if (!probe || probe->err)
		return -1;
	w = worker_new_local();
	return w ? 0 : -1;
}

static int teardown_group(void **state)
{
	worker_free_local(w);
	if (probe)
		redisFree(probe);
	redis_fixture_remove(&redis);
	return 0;
}

static int setup_each(void **state)
{
	cfg.read_cache = 1;
	freeReplyObject(probe_cmd("FLUSHALL"));
	return 0;
}

/* --- loaders ---------------------------------------------------------------- */

struct fake {
	atomic_int calls;
	enum proto_err ret;
	int missing; /* answer "no such row" */
	int delay_ms;
	int value;
};

static enum proto_err fake_load(struct worker *wk, void *arg, cJSON **out)
{
	struct fake *f = arg;

	atomic_fetch_add(&f->calls, 1);
	if (f->delay_ms)
		redis_fixture_sleep_ms(f->delay_ms);
	if (f->ret != PROTO_OK)
		return f->ret;
	if (f->missing) {
		*out = NULL;
		return PROTO_OK;
	}
	*out = cJSON_CreateObject();
	cJSON_AddNumberToObject(*out, "value", f->value);
	return PROTO_OK;
}

static int value_of(const cJSON *v)
{
	const cJSON *n = cJSON_GetObjectItemCaseSensitive(v, "value");

	assert_true(cJSON_IsNumber(n));
	return n->valueint;
}

/* --- tests ------------------------------------------------------------------- */

static void test_cache_get_loads_once_then_hits(void **state)
{
	struct fake f = {.value = 42};
	struct cache_stats s0, s1;
	cJSON *v = NULL;

	cache_stats_get(&s0);
	assert_int_equal(cache_get(w, "t:one", 60, fake_load, &f, &v), PROTO_OK);
	assert_int_equal(value_of(v), 42);
	cJSON_Delete(v);
	f.value = 43; /* the cache answers the first value */
	assert_int_equal(cache_get(w, "t:one", 60, fake_load, &f, &v), PROTO_OK);
	assert_int_equal(value_of(v), 42);
	cJSON_Delete(v);
	assert_int_equal(atomic_load(&f.calls), 1);
	cache_stats_get(&s1);
	assert_int_equal(s1.misses - s0.misses, 1);
	assert_int_equal(s1.hits - s0.hits, 1);
	assert_int_equal(s1.loads - s0.loads, 1);

	/* stored as JSON text under the prefix; the lock is gone */
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:one"), 1);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "lock:t:one"), 0);
}

static void test_cache_missing_row_is_a_short_marker(void **state)
{
	struct fake f = {.missing = 1};
	cJSON *v = NULL;
	long long ttl;

	assert_int_equal(cache_get(w, "t:none", 600, fake_load, &f, &v), PROTO_ERR_NOT_FOUND);
	assert_null(v);
	assert_int_equal(cache_get(w, "t:none", 600, fake_load, &f, &v), PROTO_ERR_NOT_FOUND);
	assert_int_equal(atomic_load(&f.calls), 1);
	assert_int_equal(probe_int("STRLEN %s", CACHE_PREFIX "t:none"), 0);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:none"), 1);
	ttl = probe_int("PTTL %s", CACHE_PREFIX "t:none");
	assert_true(ttl > 25000 && ttl <= 36000); /* 30 s + jitter, not the 600 s */
}

static void test_cache_loader_errors_pass_through_uncached(void **state)
{
	struct fake f = {.ret = PROTO_ERR_UNAVAILABLE};
	cJSON *v = NULL;

	assert_int_equal(cache_get(w, "t:err", 60, fake_load, &f, &v), PROTO_ERR_UNAVAILABLE);
	assert_int_equal(cache_get(w, "t:err", 60, fake_load, &f, &v), PROTO_ERR_UNAVAILABLE);
	assert_int_equal(atomic_load(&f.calls), 2);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:err"), 0);

	/* a loader's own NOT_FOUND is an error like any other: no marker */
	f.ret = PROTO_ERR_NOT_FOUND;
	assert_int_equal(cache_get(w, "t:err", 60, fake_load, &f, &v), PROTO_ERR_NOT_FOUND);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:err"), 0);
}

static void test_cache_ttl_has_up_to_twenty_percent_jitter(void **state)
{
	struct fake f = {.value = 1};
	long long lo = -1, hi = -1, ttl;
	char key[32];
	cJSON *v;

	for (int i = 0; i < 40; i++) {
		snprintf(key, sizeof(key), "t:ttl:%d", i);
		v = NULL;
		assert_int_equal(cache_get(w, key, 100, fake_load, &f, &v), PROTO_OK);
		cJSON_Delete(v);
		snprintf(key, sizeof(key), CACHE_PREFIX "t:ttl:%d", i);
		ttl = probe_int("PTTL %s", key);
		assert_true(ttl > 99000 && ttl <= 120000);
		lo = lo < 0 || ttl < lo ? ttl : lo;
		hi = ttl > hi ? ttl : hi;
	}
	assert_true(hi - lo > 5000);
}

struct racer {
	struct fake *f;
	enum proto_err e;
	int value;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct worker *mine = worker_new_local();
	cJSON *v = NULL;

	r->e = cache_get(mine, "t:hot", 60, fake_load, r->f, &v);
	r->value = v ? value_of(v) : -1;
	cJSON_Delete(v);
	worker_free_local(mine);
	return NULL;
}

static void test_cache_concurrent_misses_load_once(void **state)
{
	struct fake f = {.value = 7, .delay_ms = 80};
	struct racer rs[8];
	pthread_t th[8];
	int i;

	for (i = 0; i < 8; i++) {
		rs[i].f = &f;
		assert_int_equal(pthread_create(&th[i], NULL, race, &rs[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(rs[i].e, PROTO_OK);
		assert_int_equal(rs[i].value, 7);
	}
	assert_int_equal(atomic_load(&f.calls), 1);
}

static void test_cache_waiters_load_themselves_when_the_loader_is_stuck(void **state)
{
	struct fake f = {.value = 9};
	cJSON *v = NULL;
	double t0, took;

	/* another loader holds the lock and never writes */
	freeReplyObject(probe_cmd("SET %s %s PX 60000", CACHE_PREFIX "lock:t:stuck", "someone"));
	t0 = now_ms();
	assert_int_equal(cache_get(w, "t:stuck", 60, fake_load, &f, &v), PROTO_OK);
	took = now_ms() - t0;
	assert_int_equal(value_of(v), 9);
	cJSON_Delete(v);
	assert_int_equal(atomic_load(&f.calls), 1);
	assert_true(took >= 150 && took < 2000); /* waited a little, then read MySQL */
	/* the key is left to the lock holder, whose lock is untouched */
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:stuck"), 0);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "lock:t:stuck"), 1);
}

/* A loader during whose load our lock expired and another loader took it. */
static enum proto_err takeover_load(struct worker *wk, void *arg, cJSON **out)
{
	freeReplyObject(probe_cmd("SET %s %s PX 60000", CACHE_PREFIX "lock:t:mine", "theirs"));
	return fake_load(wk, arg, out);
}

static void test_cache_a_lock_that_is_not_ours_is_kept(void **state)
{
	struct fake f = {.value = 5};
	redisReply *r;
	cJSON *v = NULL;

	assert_int_equal(cache_get(w, "t:mine", 60, takeover_load, &f, &v), PROTO_OK);
	assert_int_equal(value_of(v), 5);
	cJSON_Delete(v);
	r = probe_cmd("GET %s", CACHE_PREFIX "lock:t:mine");
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_string_equal(r->str, "theirs");
	freeReplyObject(r);
}

static void test_cache_del_and_generations(void **state)
{
	struct fake f = {.value = 1};
	cJSON *v = NULL;
	int64_t g0, g1;
	long long ttl;

	assert_int_equal(cache_get(w, "t:del", 60, fake_load, &f, &v), PROTO_OK);
	cJSON_Delete(v);
	cache_del(w, "t:del");
	/* the value is gone; a short-lived tombstone holds its place */
	assert_true(holds_tombstone("t:del"));
	ttl = probe_int("PTTL %s", CACHE_PREFIX "t:del");
	assert_true(ttl > 0 && ttl <= 60000);
	f.value = 2;
	assert_int_equal(cache_get(w, "t:del", 60, fake_load, &f, &v), PROTO_OK);
	assert_int_equal(value_of(v), 2);
	cJSON_Delete(v);
	assert_int_equal(atomic_load(&f.calls), 2);
	/* the load replaced the tombstone: the next read is a hit */
	assert_int_equal(cache_get(w, "t:del", 60, fake_load, &f, &v), PROTO_OK);
	cJSON_Delete(v);
	assert_int_equal(atomic_load(&f.calls), 2);

	g0 = cache_gen(w, "ns");
	assert_true(g0 >= 1);
	assert_int_equal(cache_gen(w, "ns"), g0);
	cache_bump(w, "ns");
	g1 = cache_gen(w, "ns");
	assert_int_equal(g1, g0 + 1);
	assert_int_equal(cache_gen(w, "other-ns") >= 1, 1);
}

/*
 * A write that commits and calls cache_del while a reader is inside its
 * loader, after the loader read the old row: the race forced in order.
 */
struct racing_write {
	struct fake f;
	const char *key;
	int writes; /* cache_del calls made from inside the loader */
};

static enum proto_err load_then_write(struct worker *wk, void *arg, cJSON **out)
{
	struct racing_write *rw = arg;
	enum proto_err e = fake_load(wk, &rw->f, out); /* reads the old row ... */

	if (rw->writes-- > 0)
		cache_del(wk, rw->key); /* ... then the writer commits and invalidates */
	return e;
}

static void test_cache_a_write_during_a_load_keeps_the_old_value_out(void **state)
{
	struct racing_write rw = {.f = {.value = 1}, .key = "t:race", .writes = 1};
	cJSON *v = NULL;

	/* the reader answers what it read, but does not cache it */
	assert_int_equal(cache_get(w, "t:race", 60, load_then_write, &rw, &v), PROTO_OK);
	assert_int_equal(value_of(v), 1);
	cJSON_Delete(v);
	assert_true(holds_tombstone("t:race"));

	/* the next reader loads the new row and caches it */
	rw.f.value = 2;
	assert_int_equal(cache_get(w, "t:race", 60, load_then_write, &rw, &v), PROTO_OK);
	assert_int_equal(value_of(v), 2);
	cJSON_Delete(v);
	assert_int_equal(atomic_load(&rw.f.calls), 2);
	assert_int_equal(cache_get(w, "t:race", 60, load_then_write, &rw, &v), PROTO_OK);
	assert_int_equal(value_of(v), 2);
	cJSON_Delete(v);
	assert_int_equal(atomic_load(&rw.f.calls), 2);

	/* a key already written once: the loader saw an older tombstone, not this one */
	cache_del(w, "t:race");
	rw.f.value = 3;
	rw.writes = 1;
	assert_int_equal(cache_get(w, "t:race", 60, load_then_write, &rw, &v), PROTO_OK);
	cJSON_Delete(v);
	assert_true(holds_tombstone("t:race"));
	rw.f.value = 4;
	assert_int_equal(cache_get(w, "t:race", 60, load_then_write, &rw, &v), PROTO_OK);
	assert_int_equal(value_of(v), 4);
	cJSON_Delete(v);
}

static void test_cache_an_insert_during_a_load_caches_no_marker(void **state)
{
	struct racing_write rw = {.f = {.missing = 1}, .key = "t:born", .writes = 1};
	cJSON *v = NULL;

	/* the loader found no row, then the row was inserted */
	assert_int_equal(cache_get(w, "t:born", 60, load_then_write, &rw, &v), PROTO_ERR_NOT_FOUND);
	assert_null(v);
	assert_true(holds_tombstone("t:born"));
	rw.f.missing = 0;
	rw.f.value = 8;
	assert_int_equal(cache_get(w, "t:born", 60, load_then_write, &rw, &v), PROTO_OK);
	assert_int_equal(value_of(v), 8);
	cJSON_Delete(v);
}

static void test_cache_redis_down_falls_back_to_the_loader(void **state)
{
	struct fake f = {.value = 3};
	struct cache_stats s0, s1;
	struct worker *down;
	char url[64];
	cJSON *v = NULL;

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", redis_fixture_free_port());
	assert_int_equal(redis_configure(url), 0);
	down = worker_new_local();
	assert_non_null(down);
	cache_stats_get(&s0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cache_get(down, "t:down", 60, fake_load, &f, &v), PROTO_OK);
		assert_int_equal(value_of(v), 3);
		cJSON_Delete(v);
		v = NULL;
	}
	f.missing = 1;
	assert_int_equal(cache_get(down, "t:down", 60, fake_load, &f, &v), PROTO_ERR_NOT_FOUND);
	assert_int_equal(atomic_load(&f.calls), 4);
	cache_stats_get(&s1);
	assert_int_equal(s1.fallbacks - s0.fallbacks, 4);
	assert_int_equal(cache_gen(down, "ns"), 0);
	cache_del(down, "t:down"); /* logged, harmless */
	cache_bump(down, "ns");
	worker_free_local(down);
	assert_int_equal(redis_configure(redis.url), 0);
}

/* A write that could not reach Redis leaves no stale read behind once it is back. */
static void test_cache_lost_invalidation_drops_the_cache(void **state)
{
	struct fake f = {.value = 1};
	struct worker *down;
	char url[64];
	cJSON *v = NULL;

	freeReplyObject(probe_cmd("SET %s %s", "bo:seats:1", "not a cache key"));
	assert_int_equal(cache_get(w, "t:lost", 60, fake_load, &f, &v), PROTO_OK);
	assert_int_equal(value_of(v), 1);
	cJSON_Delete(v);
	v = NULL;
	/* The write: MySQL changed, but its invalidation finds Redis unreachable. */
	f.value = 2;
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", redis_fixture_free_port());
	assert_int_equal(redis_configure(url), 0);
	down = worker_new_local();
	assert_non_null(down);
	cache_del(down, "t:lost");
	worker_free_local(down);
	assert_int_equal(redis_configure(redis.url), 0);
	/* Redis answers again: the next read drops the cache and sees the new row. */
	assert_int_equal(cache_get(w, "t:lost", 60, fake_load, &f, &v), PROTO_OK);
	assert_int_equal(value_of(v), 2);
	cJSON_Delete(v);
	/* Only the read cache went. */
	assert_int_equal(probe_int("EXISTS %s", "bo:seats:1"), 1);
}

static void test_cache_read_cache_off_always_loads(void **state)
{
	struct fake f = {.value = 11};
	cJSON *v = NULL;

	cfg.read_cache = 0;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(cache_get(w, "t:off", 60, fake_load, &f, &v), PROTO_OK);
		cJSON_Delete(v);
		v = NULL;
	}
	assert_int_equal(atomic_load(&f.calls), 3);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:off"), 0);
	cfg.read_cache = 1;
}

/* --- raw reads and generation keys ------------------------------------------ */

/* The stored text of key (without the prefix), malloc'd, or NULL. */
static char *stored(const char *key)
{
	redisReply *r = probe_cmd("GET %s%s", CACHE_PREFIX, key);
	char *s = r->type == REDIS_REPLY_STRING ? strdup(r->str) : NULL;

	freeReplyObject(r);
	return s;
}

static void test_cache_raw_miss_then_hit_hands_back_the_stored_text(void **state)
{
	struct fake f = {.value = 42};
	struct cache_stats s0, s1;
	char *text = NULL, *in_redis;
	size_t len = 0;

	cache_stats_get(&s0);
	assert_int_equal(cache_get_raw(w, "t:raw", 60, fake_load, &f, &text, &len), PROTO_OK);
	assert_non_null(text);
	assert_string_equal(text, "{\"value\":42}");
	assert_int_equal(len, strlen(text));
	/* the text returned is the text stored */
	in_redis = stored("t:raw");
	assert_non_null(in_redis);
	assert_string_equal(in_redis, text);
	free(in_redis);
	free(text);

	f.value = 43; /* the cache answers the first value, without the loader */
	text = NULL;
	assert_int_equal(cache_get_raw(w, "t:raw", 60, fake_load, &f, &text, &len), PROTO_OK);
	assert_string_equal(text, "{\"value\":42}");
	assert_int_equal(len, strlen(text));
	free(text);
	assert_int_equal(atomic_load(&f.calls), 1);
	cache_stats_get(&s1);
	assert_int_equal(s1.misses - s0.misses, 1);
	assert_int_equal(s1.hits - s0.hits, 1);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "lock:t:raw"), 0);
}

static void test_cache_raw_hit_is_the_text_as_stored(void **state)
{
	/* another instance's store (or cache_get's): handed on byte for byte */
	static const char v[] =
	    "{\"list\":[{\"id\":1,\"name\":\"caf\xc3\xa9 \\\"x\\\"\"}],\"total\":1}";
	struct fake f = {.value = 1};
	char *text = NULL;
	size_t len = 0;
	cJSON *j = NULL;

	freeReplyObject(probe_cmd("SET %s %s PX 60000", CACHE_PREFIX "t:as-is", v));
	assert_int_equal(cache_get_raw(w, "t:as-is", 60, fake_load, &f, &text, &len), PROTO_OK);
	assert_int_equal(len, sizeof(v) - 1);
	assert_memory_equal(text, v, len);
	free(text);
	assert_int_equal(atomic_load(&f.calls), 0);

	/* and what cache_get_raw stores, cache_get reads */
	text = NULL;
	assert_int_equal(cache_get_raw(w, "t:shared", 60, fake_load, &f, &text, &len), PROTO_OK);
	free(text);
	assert_int_equal(cache_get(w, "t:shared", 60, fake_load, &f, &j), PROTO_OK);
	assert_int_equal(value_of(j), 1);
	cJSON_Delete(j);
	assert_int_equal(atomic_load(&f.calls), 1);
}

static void test_cache_raw_marker_tombstone_and_foreign_values(void **state)
{
	struct fake f = {.missing = 1};
	char *text = (char *)"unchanged";
	size_t len = 7;

	assert_int_equal(cache_get_raw(w, "t:rawnone", 60, fake_load, &f, &text, &len),
	                 PROTO_ERR_NOT_FOUND);
	assert_null(text);
	assert_int_equal(len, 0);
	assert_int_equal(cache_get_raw(w, "t:rawnone", 60, fake_load, &f, &text, &len),
	                 PROTO_ERR_NOT_FOUND);
	assert_int_equal(atomic_load(&f.calls), 1);
	assert_int_equal(probe_int("STRLEN %s", CACHE_PREFIX "t:rawnone"), 0);

	/* a tombstone reads as a miss; the load replaces it */
	cache_del(w, "t:rawnone");
	f.missing = 0;
	f.value = 5;
	assert_int_equal(cache_get_raw(w, "t:rawnone", 60, fake_load, &f, &text, &len), PROTO_OK);
	assert_string_equal(text, "{\"value\":5}");
	free(text);
	assert_false(holds_tombstone("t:rawnone"));

	/* what is no object is dropped and loaded afresh */
	freeReplyObject(probe_cmd("SET %s %s", CACHE_PREFIX "t:foreign", "[1,2]"));
	assert_int_equal(cache_get_raw(w, "t:foreign", 60, fake_load, &f, &text, &len), PROTO_OK);
	assert_string_equal(text, "{\"value\":5}");
	free(text);
	assert_int_equal(atomic_load(&f.calls), 3);
}

/* A loader whose value is no object cannot be a raw answer. */
static enum proto_err array_load(struct worker *wk, void *arg, cJSON **out)
{
	*out = cJSON_CreateArray();
	return PROTO_OK;
}

static void test_cache_raw_refuses_a_loader_value_that_is_no_object(void **state)
{
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(cache_get_raw(w, "t:arr", 60, array_load, NULL, &text, &len),
	                 PROTO_ERR_INTERNAL);
	assert_null(text);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:arr"), 0);
}

static void test_cache_gen_key_is_the_cache_gen_key(void **state)
{
	struct fake f = {.value = 6};
	char key[64], *text = NULL;
	size_t len;
	int64_t g;
	cJSON *v = NULL;

	/* no generation yet: the read creates it at 1, as cache_gen does */
	assert_int_equal(cache_get_gen(w, "gns", "t:list:", ":p1", 60, fake_load, &f, &v),
	                 PROTO_OK);
	assert_int_equal(value_of(v), 6);
	cJSON_Delete(v);
	g = cache_gen(w, "gns");
	assert_int_equal(g, 1);
	/* the entry carries the namespace's hash tag: one Redis Cluster slot with its generation */
	snprintf(key, sizeof(key), CACHE_PREFIX "{gns}t:list:%lld:p1", (long long)g);
	assert_int_equal(probe_int("EXISTS %s", key), 1);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "lock:{gns}t:list:1:p1"), 0);
	assert_int_equal(
	    redis_key_slot(key, strlen(key)),
	    redis_key_slot(CACHE_PREFIX "gen:{gns}", strlen(CACHE_PREFIX "gen:{gns}")));
	f.value = 7;
	/* raw and parsed reads of the generation key share it */
	assert_int_equal(
	    cache_get_gen_raw(w, "gns", "t:list:", ":p1", 60, fake_load, &f, &text, &len),
	    PROTO_OK);
	assert_string_equal(text, "{\"value\":6}");
	free(text);
	assert_int_equal(atomic_load(&f.calls), 1);
}

static void test_cache_gen_bump_invalidates_a_raw_list(void **state)
{
	struct fake f = {.value = 1};
	struct cache_stats s0, s1;
	char *text = NULL;
	size_t len = 0;

	cache_stats_get(&s0);
	assert_int_equal(cache_get_gen_raw(w, "lns", "t:sale:", "", 60, fake_load, &f, &text, &len),
	                 PROTO_OK);
	assert_string_equal(text, "{\"value\":1}");
	free(text);
	f.value = 2;
	assert_int_equal(cache_get_gen_raw(w, "lns", "t:sale:", "", 60, fake_load, &f, &text, &len),
	                 PROTO_OK);
	assert_string_equal(text, "{\"value\":1}");
	free(text);
	assert_int_equal(atomic_load(&f.calls), 1);

	/* a write bumps the namespace: the next read loads the new list */
	cache_bump(w, "lns");
	assert_int_equal(cache_get_gen_raw(w, "lns", "t:sale:", "", 60, fake_load, &f, &text, &len),
	                 PROTO_OK);
	assert_string_equal(text, "{\"value\":2}");
	free(text);
	assert_int_equal(atomic_load(&f.calls), 2);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "{lns}t:sale:2"), 1);
	assert_int_equal(cache_get_gen_raw(w, "lns", "t:sale:", "", 60, fake_load, &f, &text, &len),
	                 PROTO_OK);
	free(text);
	assert_int_equal(atomic_load(&f.calls), 2);
	cache_stats_get(&s1);
	assert_int_equal(s1.misses - s0.misses, 2);
	assert_int_equal(s1.hits - s0.hits, 2);
}

/* A write (commit, then bump) while a reader is inside its loader. */
static enum proto_err load_then_bump(struct worker *wk, void *arg, cJSON **out)
{
	struct racing_write *rw = arg;
	enum proto_err e = fake_load(wk, &rw->f, out);

	if (rw->writes-- > 0)
		cache_bump(wk, rw->key);
	return e;
}

static void test_cache_gen_a_bump_during_a_load_keeps_the_old_list_out(void **state)
{
	struct racing_write rw = {.f = {.value = 1}, .key = "rns", .writes = 1};
	char *text = NULL;
	size_t len = 0;

	/* the reader answers what it read; its late store lands on the old generation */
	assert_int_equal(
	    cache_get_gen_raw(w, "rns", "t:r:", "", 60, load_then_bump, &rw, &text, &len),
	    PROTO_OK);
	assert_string_equal(text, "{\"value\":1}");
	free(text);
	rw.f.value = 2;
	assert_int_equal(
	    cache_get_gen_raw(w, "rns", "t:r:", "", 60, load_then_bump, &rw, &text, &len),
	    PROTO_OK);
	assert_string_equal(text, "{\"value\":2}");
	free(text);
	assert_int_equal(atomic_load(&rw.f.calls), 2);
}

struct gen_racer {
	struct fake *f;
	enum proto_err e;
	char *text;
};

static void *gen_race(void *arg)
{
	struct gen_racer *r = arg;
	struct worker *mine = worker_new_local();
	size_t len;

	r->e = cache_get_gen_raw(mine, "hns", "t:hot:", "", 60, fake_load, r->f, &r->text, &len);
	worker_free_local(mine);
	return NULL;
}

static void test_cache_gen_concurrent_misses_load_once(void **state)
{
	struct fake f = {.value = 7, .delay_ms = 80};
	struct gen_racer rs[8];
	pthread_t th[8];
	int i;

	for (i = 0; i < 8; i++) {
		rs[i].f = &f;
		rs[i].text = NULL;
		assert_int_equal(pthread_create(&th[i], NULL, gen_race, &rs[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(rs[i].e, PROTO_OK);
		assert_non_null(rs[i].text);
		assert_string_equal(rs[i].text, "{\"value\":7}");
		free(rs[i].text);
	}
	assert_int_equal(atomic_load(&f.calls), 1);
}

static void test_cache_raw_and_gen_fall_back_with_redis_down(void **state)
{
	struct fake f = {.value = 3};
	struct cache_stats s0, s1;
	struct worker *down;
	char url[64], *text = NULL;
	size_t len = 0;
	cJSON *v = NULL;

	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", redis_fixture_free_port());
	assert_int_equal(redis_configure(url), 0);
	down = worker_new_local();
	assert_non_null(down);
	cache_stats_get(&s0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(cache_get_raw(down, "t:down", 60, fake_load, &f, &text, &len),
		                 PROTO_OK);
		assert_string_equal(text, "{\"value\":3}");
		assert_int_equal(len, strlen(text));
		free(text);
		assert_int_equal(
		    cache_get_gen_raw(down, "ns", "t:l:", "", 60, fake_load, &f, &text, &len),
		    PROTO_OK);
		assert_string_equal(text, "{\"value\":3}");
		free(text);
		assert_int_equal(cache_get_gen(down, "ns", "t:l:", "", 60, fake_load, &f, &v),
		                 PROTO_OK);
		assert_int_equal(value_of(v), 3);
		cJSON_Delete(v);
		v = NULL;
	}
	f.missing = 1;
	text = (char *)"unchanged";
	assert_int_equal(cache_get_gen_raw(down, "ns", "t:l:", "", 60, fake_load, &f, &text, &len),
	                 PROTO_ERR_NOT_FOUND);
	assert_null(text);
	assert_int_equal(atomic_load(&f.calls), 7);
	cache_stats_get(&s1);
	assert_int_equal(s1.fallbacks - s0.fallbacks, 7);
	worker_free_local(down);
	assert_int_equal(redis_configure(redis.url), 0);
}

/* A bump that could not reach Redis: the generation reads drop the cache too. */
static void test_cache_gen_lost_bump_drops_the_cache(void **state)
{
	struct fake f = {.value = 1};
	struct worker *down;
	char url[64], *text = NULL;
	size_t len = 0;

	assert_int_equal(cache_get_gen_raw(w, "xns", "t:x:", "", 60, fake_load, &f, &text, &len),
	                 PROTO_OK);
	free(text);
	f.value = 2;
	snprintf(url, sizeof(url), "redis://127.0.0.1:%d/0", redis_fixture_free_port());
	assert_int_equal(redis_configure(url), 0);
	down = worker_new_local();
	assert_non_null(down);
	cache_bump(down, "xns");
	worker_free_local(down);
	assert_int_equal(redis_configure(redis.url), 0);
	assert_int_equal(cache_get_gen_raw(w, "xns", "t:x:", "", 60, fake_load, &f, &text, &len),
	                 PROTO_OK);
	assert_string_equal(text, "{\"value\":2}");
	free(text);
}

static void test_cache_raw_read_cache_off_always_loads(void **state)
{
	struct fake f = {.value = 11};
	char *text = NULL;
	size_t len = 0;

	cfg.read_cache = 0;
	for (int i = 0; i < 2; i++) {
		assert_int_equal(cache_get_raw(w, "t:off", 60, fake_load, &f, &text, &len),
		                 PROTO_OK);
		assert_string_equal(text, "{\"value\":11}");
		free(text);
		assert_int_equal(
		    cache_get_gen_raw(w, "ons", "t:off:", "", 60, fake_load, &f, &text, &len),
		    PROTO_OK);
		free(text);
	}
	assert_int_equal(atomic_load(&f.calls), 4);
	assert_int_equal(probe_int("EXISTS %s", CACHE_PREFIX "t:off"), 0);
	assert_int_equal(probe_int("EXISTS " CACHE_GEN_KEY, "ons"), 0);
	cfg.read_cache = 1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup(test_cache_get_loads_once_then_hits, setup_each),
	    cmocka_unit_test_setup(test_cache_missing_row_is_a_short_marker, setup_each),
	    cmocka_unit_test_setup(test_cache_loader_errors_pass_through_uncached, setup_each),
	    cmocka_unit_test_setup(test_cache_ttl_has_up_to_twenty_percent_jitter, setup_each),
	    cmocka_unit_test_setup(test_cache_concurrent_misses_load_once, setup_each),
	    cmocka_unit_test_setup(test_cache_waiters_load_themselves_when_the_loader_is_stuck,
	                           setup_each),
	    cmocka_unit_test_setup(test_cache_a_lock_that_is_not_ours_is_kept, setup_each),
	    cmocka_unit_test_setup(test_cache_del_and_generations, setup_each),
	    cmocka_unit_test_setup(test_cache_a_write_during_a_load_keeps_the_old_value_out,
	                           setup_each),
	    cmocka_unit_test_setup(test_cache_an_insert_during_a_load_caches_no_marker, setup_each),
	    cmocka_unit_test_setup(test_cache_redis_down_falls_back_to_the_loader, setup_each),
	    cmocka_unit_test_setup(test_cache_lost_invalidation_drops_the_cache, setup_each),
	    cmocka_unit_test_setup(test_cache_read_cache_off_always_loads, setup_each),
	    cmocka_unit_test_setup(test_cache_raw_miss_then_hit_hands_back_the_stored_text,
	                           setup_each),
	    cmocka_unit_test_setup(test_cache_raw_hit_is_the_text_as_stored, setup_each),
	    cmocka_unit_test_setup(test_cache_raw_marker_tombstone_and_foreign_values, setup_each),
	    cmocka_unit_test_setup(test_cache_raw_refuses_a_loader_value_that_is_no_object,
	                           setup_each),
	    cmocka_unit_test_setup(test_cache_gen_key_is_the_cache_gen_key, setup_each),
	    cmocka_unit_test_setup(test_cache_gen_bump_invalidates_a_raw_list, setup_each),
	    cmocka_unit_test_setup(test_cache_gen_a_bump_during_a_load_keeps_the_old_list_out,
	                           setup_each),
	    cmocka_unit_test_setup(test_cache_gen_concurrent_misses_load_once, setup_each),
	    cmocka_unit_test_setup(test_cache_raw_and_gen_fall_back_with_redis_down, setup_each),
	    cmocka_unit_test_setup(test_cache_gen_lost_bump_drops_the_cache, setup_each),
	    cmocka_unit_test_setup(test_cache_raw_read_cache_off_always_loads, setup_each),
	};

	return cmocka_run_group_tests(tests, setup_group, teardown_group);
}
