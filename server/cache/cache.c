/*
 * cache.c: see cache.h. A cached value is the JSON text of the loader's
 * value under CACHE_PREFIX + key; the empty string is the "no such row" marker
 * (a real value is never empty JSON text), and a string starting with
 * TOMB_PREFIX is a tombstone left by cache_del (never JSON, never empty).
 * Loading is guarded by the lock key CACHE_PREFIX "lock:" + key, taken with
 * SET NX PX and a random token, so at most one worker of all instances
 * loads a key at a time; a worker that does not get the lock polls the key
 * briefly and then reads MySQL itself.
 *
 * A write that cannot reach Redis cannot invalidate what it changed; the
 * read cache is then dropped whole (every instance shares it) as soon as
 * Redis answers again, before this process uses it.
 *
 * A loader stores only if the key still holds what it saw just before it
 * read MySQL (nothing, or the same tombstone): store_script compares and
 * sets in one step. Why that is enough is in cache.h.
 */
#include "cache/cache.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/rcache.h"
#include "config.h"
#include "log.h"
#include "password.h"

#define MARKER_TTL_S 30  /* a cached "no such row" */
#define LOCK_TTL_MS 3000 /* a loader that dies frees its key after this */
#define WAIT_POLLS 10    /* a waiter reads the key this many times ... */
#define WAIT_POLL_MS 20  /* ... this far apart, then loads itself */
#define KEY_MAX 512
#define TOKEN_LEN 24
#define TOMB_PREFIX "!gone:"
#define TOMB_TTL_MS 60000 /* longer than any load that may still store */
/* A load slower than this does not store: the tombstone of a write during
 * it could have expired by the time it compares (half the TTL is a margin
 * for the round trips and for the clocks of Redis and of this host). */
#define STORE_DEADLINE_MS (TOMB_TTL_MS / 2)
#define SEEN_MAX 64 /* a tombstone: prefix + token */

static atomic_ulong st_hits, st_misses, st_loads, st_fallbacks;
static atomic_ulong tomb_seq; /* only if the CSPRNG fails */
static atomic_int lost;       /* an invalidation could not reach Redis */

/* Deletes the lock only if it still holds our token (it may have expired and
 * been taken by another loader meanwhile). */
static struct rc_script unlock_script =
    RC_SCRIPT("cache_unlock",
              "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
              "return 0");

/*
 * Store ARGV[2] for ARGV[3] ms only if the key holds what the loader saw:
 * nothing (ARGV[1] empty) or that tombstone. Returns 1 if stored.
 */
static struct rc_script store_script =
    RC_SCRIPT("cache_store", "local cur = redis.call('GET', KEYS[1]) "
                             "local same "
                             "if ARGV[1] == '' then same = cur == false "
                             "else same = cur == ARGV[1] end "
                             "if not same then return 0 end "
                             "redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) "
                             "return 1");

/* Per-thread xorshift for TTL jitter: no need for the CSPRNG here. */
static _Thread_local uint64_t jitter_state;

static uint64_t jitter_next(void)
{
	uint64_t x = jitter_state;

	if (x == 0) {
		if (random_bytes(&x, sizeof(x)) != 0 || x == 0)
			x = (uint64_t)time(NULL) * 2654435761u + (uint64_t)(uintptr_t)&x;
		if (x == 0)
			x = 88172645463325252ull;
	}
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	jitter_state = x;
	return x;
}

/* ttl_s seconds plus 0..20 %, in milliseconds. */
static long long jittered_ms(int ttl_s)
{
	long long base = (long long)(ttl_s > 0 ? ttl_s : 1) * 1000;
	long long span = base / 5;

	return base + (long long)(jitter_next() % (uint64_t)(span + 1));
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0)
		;
}

/* Call the loader. *missing is set when it reported "no such row" (PROTO_OK
 * with no value), the only case a marker may be cached for. */
static enum proto_err load_call(struct worker *w, cache_load_fn load, void *arg, cJSON **out,
                                int *missing)
{
	enum proto_err e;

	atomic_fetch_add(&st_loads, 1);
	*out = NULL;
	*missing = 0;
	e = load(w, arg, out);
	if (e != PROTO_OK) {
		cJSON_Delete(*out);
		*out = NULL;
		return e;
	}
	if (*out == NULL) {
		*missing = 1;
		return PROTO_ERR_NOT_FOUND;
	}
	return PROTO_OK;
}

static enum proto_err load_direct(struct worker *w, cache_load_fn load, void *arg, cJSON **out)
{
	int missing;

	return load_call(w, load, arg, out, &missing);
}

/* Redis is unreachable or answered an error: read MySQL. */
static enum proto_err fallback(struct worker *w, cache_load_fn load, void *arg, cJSON **out)
{
	atomic_fetch_add(&st_fallbacks, 1);
	return load_direct(w, load, arg, out);
}

enum lookup { LK_HIT, LK_MARKER, LK_MISS, LK_DOWN };

static int is_tombstone(const char *s, size_t len)
{
	return len >= sizeof(TOMB_PREFIX) - 1 &&
	       memcmp(s, TOMB_PREFIX, sizeof(TOMB_PREFIX) - 1) == 0;
}

/*
 * Read key; on LK_HIT *out is the parsed value. On LK_MISS, seen (if not
 * NULL, SEEN_MAX bytes) receives what the key held: "" for nothing, else the
 * tombstone.
 */
static enum lookup lookup(struct worker *w, const char *fk, cJSON **out, char *seen)
{
	redisReply *rep = rc_cmd(w, "GET %s", fk);
	enum lookup res = LK_DOWN;

	if (seen)
		seen[0] = '\0';
	if (!rep)
		return LK_DOWN;
	if (rep->type == REDIS_REPLY_NIL) {
		res = LK_MISS;
	} else if (rep->type == REDIS_REPLY_STRING && rep->len == 0) {
		res = LK_MARKER;
	} else if (rep->type == REDIS_REPLY_STRING && is_tombstone(rep->str, rep->len)) {
		res = LK_MISS;
		/* One we did not write (too long) never matches: the store is refused. */
		if (seen)
			snprintf(seen, SEEN_MAX, "%s",
			         rep->len < SEEN_MAX ? rep->str : TOMB_PREFIX);
	} else if (rep->type == REDIS_REPLY_STRING) {
		*out = cJSON_ParseWithLength(rep->str, rep->len);
		if (*out) {
			res = LK_HIT;
		} else {
			/* Not written by us: drop it and load afresh. */
			log_warn("cache key '%s' holds no valid json: dropped", fk);
			freeReplyObject(rc_cmd(w, "DEL %s", fk));
			res = LK_MISS;
		}
	} else if (rep->type == REDIS_REPLY_ERROR) {
		log_warn("cache get '%s' failed: %s", fk, rep->str);
	}
	freeReplyObject(rep);
	return res;
}

/* Store v (NULL: the marker) unless the key changed from seen since the load began. */
static void store_value(struct worker *w, const char *fk, const cJSON *v, int ttl_s,
                        const char *seen)
{
	char *text = NULL, px[32];
	const char *argv[4];
	redisReply *rep;

	if (v) {
		text = cJSON_PrintUnformatted(v);
		if (!text)
			return;
	}
	snprintf(px, sizeof(px), "%lld", jittered_ms(v ? ttl_s : MARKER_TTL_S));
	argv[0] = fk;
	argv[1] = seen;
	argv[2] = text ? text : "";
	argv[3] = px;
	rep = rc_eval(w, &store_script, 1, 3, argv, NULL);
	if (rep && rep->type == REDIS_REPLY_ERROR)
		log_warn("cache set '%s' failed: %s", fk, rep->str);
	if (rep)
		freeReplyObject(rep);
	cJSON_free(text);
}

static void unlock(struct worker *w, const char *lk, const char *token)
{
	const char *argv[2] = {lk, token};
	redisReply *rep = rc_eval(w, &unlock_script, 1, 1, argv, NULL);

	if (rep)
		freeReplyObject(rep);
}

static enum proto_err from_lookup(enum lookup lr, cJSON *v, cJSON **out)
{
	atomic_fetch_add(&st_hits, 1);
	if (lr == LK_MARKER)
		return PROTO_ERR_NOT_FOUND;
	*out = v;
	return PROTO_OK;
}

/* Drop every key of the read cache. Returns 0, or -1 if Redis failed. */
static int flush_all(struct worker *w)
{
	char cursor[32] = "0";
	unsigned long dropped = 0;

	do {
		redisReply *rep = rc_cmd(w, "SCAN %s MATCH " CACHE_PREFIX "* COUNT 1000", cursor);
		redisReply *keys;
		size_t i;

		if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
		    rep->element[0]->type != REDIS_REPLY_STRING) {
			if (rep)
				freeReplyObject(rep);
			return -1;
		}
		snprintf(cursor, sizeof(cursor), "%s", rep->element[0]->str);
		keys = rep->element[1];
		for (i = 0; keys->type == REDIS_REPLY_ARRAY && i < keys->elements; i++) {
			redisReply *d = rc_cmd(w, "UNLINK %b", keys->element[i]->str,
			                       (size_t)keys->element[i]->len);
			if (!d) {
				freeReplyObject(rep);
				return -1;
			}
			freeReplyObject(d);
			dropped++;
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	log_warn("dropped the read cache (%lu keys): a write could not invalidate it while "
	         "redis was unreachable",
	         dropped);
	return 0;
}

/* After a lost invalidation, drop the read cache once Redis answers again. */
static void flush_if_lost(struct worker *w)
{
	if (!atomic_load(&lost) || !atomic_exchange(&lost, 0))
		return;
	if (flush_all(w) < 0)
		atomic_store(&lost, 1);
}

enum proto_err cache_get(struct worker *w, const char *key, int ttl_s, cache_load_fn load,
                         void *arg, cJSON **out)
{
	char fk[KEY_MAX], lk[KEY_MAX], token[TOKEN_LEN + 1], seen[SEEN_MAX];
	enum proto_err e;
	enum lookup lr;
	cJSON *v = NULL;
	redisReply *rep;
	int n, i, locked, missing;
	long long t0;

	*out = NULL;
	if (!cfg.read_cache)
		return load_direct(w, load, arg, out);
	flush_if_lost(w);
	if (atomic_load(&lost))
		return fallback(w, load, arg, out); /* stale entries may remain */
	n = snprintf(fk, sizeof(fk), CACHE_PREFIX "%s", key);
	if (n < 0 || (size_t)n >= sizeof(fk) ||
	    snprintf(lk, sizeof(lk), CACHE_PREFIX "lock:%s", key) >= (int)sizeof(lk)) {
		log_error("cache key '%.60s...' too long", key);
		return load_direct(w, load, arg, out);
	}

	lr = lookup(w, fk, &v, NULL);
	if (lr == LK_DOWN)
		return fallback(w, load, arg, out);
	if (lr != LK_MISS)
		return from_lookup(lr, v, out);
	atomic_fetch_add(&st_misses, 1);

	if (random_string(token, TOKEN_LEN, "abcdefghijklmnopqrstuvwxyz0123456789") != 0)
		return fallback(w, load, arg, out);
	rep = rc_cmd(w, "SET %s %s NX PX %d", lk, token, LOCK_TTL_MS);
	if (!rep)
		return fallback(w, load, arg, out);
	locked = rep->type == REDIS_REPLY_STATUS;
	if (rep->type == REDIS_REPLY_ERROR) {
		log_warn("cache lock '%s' failed: %s", lk, rep->str);
		freeReplyObject(rep);
		return fallback(w, load, arg, out);
	}
	freeReplyObject(rep);

	if (locked) {
		/*
		 * Another loader may have filled the key between our GET and SET NX.
		 * What the key holds now, before MySQL is read, is what the store
		 * compares against.
		 */
		lr = lookup(w, fk, &v, seen);
		if (lr == LK_HIT || lr == LK_MARKER) {
			unlock(w, lk, token);
			return from_lookup(lr, v, out);
		}
		t0 = now_ms();
		e = load_call(w, load, arg, out, &missing);
		if (lr == LK_MISS && (e == PROTO_OK || missing) &&
		    now_ms() - t0 < STORE_DEADLINE_MS)
			store_value(w, fk, *out, ttl_s, seen);
		unlock(w, lk, token);
		return e;
	}

	/* Someone else is loading: wait for its value a little. */
	for (i = 0; i < WAIT_POLLS; i++) {
		sleep_ms(WAIT_POLL_MS);
		lr = lookup(w, fk, &v, NULL);
		if (lr == LK_DOWN)
			return fallback(w, load, arg, out);
		if (lr != LK_MISS)
			return from_lookup(lr, v, out);
	}
	/* The loader is slow or gone: read MySQL ourselves, leave the key to it. */
	return load_direct(w, load, arg, out);
}

void cache_del(struct worker *w, const char *key)
{
	char token[TOKEN_LEN + 1];
	redisReply *rep;

	/* Unique per call: a loader that saw an older tombstone must not match this one. */
	if (random_string(token, TOKEN_LEN, "abcdefghijklmnopqrstuvwxyz0123456789") != 0)
		snprintf(token, sizeof(token), "%lx.%llx.%lx",
		         (unsigned long)atomic_fetch_add(&tomb_seq, 1),
		         (unsigned long long)now_ms(), (unsigned long)(uintptr_t)&token);
	rep = rc_cmd(w, "SET " CACHE_PREFIX "%s " TOMB_PREFIX "%s PX %d", key, token, TOMB_TTL_MS);
	if (!rep) {
		log_warn("cannot drop cache key '%s': redis unreachable", key);
		atomic_store(&lost, 1);
		return;
	}
	if (rep->type == REDIS_REPLY_ERROR)
		log_warn("cannot drop cache key '%s': %s", key, rep->str);
	freeReplyObject(rep);
}

int64_t cache_gen(struct worker *w, const char *ns)
{
	redisReply *rep;
	int64_t g = 0;

	if (!cfg.read_cache)
		return 0;
	rep = rc_cmd(w, "GET " CACHE_PREFIX "gen:%s", ns);
	if (!rep)
		return 0;
	if (rep->type == REDIS_REPLY_STRING) {
		g = strtoll(rep->str, NULL, 10);
	} else if (rep->type == REDIS_REPLY_NIL) {
		/* Start at 1, so generation 0 only ever means "redis is down". */
		freeReplyObject(rep);
		rep = rc_cmd(w, "INCR " CACHE_PREFIX "gen:%s", ns);
		if (!rep)
			return 0;
		if (rep->type == REDIS_REPLY_INTEGER)
			g = rep->integer;
	}
	freeReplyObject(rep);
	return g;
}

void cache_bump(struct worker *w, const char *ns)
{
	redisReply *rep = rc_cmd(w, "INCR " CACHE_PREFIX "gen:%s", ns);

	if (!rep) {
		log_warn("cannot bump cache namespace '%s': redis unreachable", ns);
		atomic_store(&lost, 1);
		return;
	}
	if (rep->type == REDIS_REPLY_ERROR)
		log_warn("cannot bump cache namespace '%s': %s", ns, rep->str);
	freeReplyObject(rep);
}

void cache_stats_get(struct cache_stats *s)
{
	s->hits = atomic_load(&st_hits);
	s->misses = atomic_load(&st_misses);
	s->loads = atomic_load(&st_loads);
	s->fallbacks = atomic_load(&st_fallbacks);
}
