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
 *
 * A raw read hands the stored text on as it is; the answer is then the
 * envelope around it (proto_render_ok_raw), the very bytes a parsed value
 * would have rendered, since the text is cJSON's own printing of it. A
 * generation key is read with its generation by gen_get_script: the
 * generation and the value it names are of one instant, and a miss locks,
 * compares and stores under that generation's key as any other key.
 */
#include "cache/cache.h"

#include <inttypes.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/near.h"
#include "cache/redis.h"
#include "core/config.h"
#include "core/jsonguard.h"
#include "core/log.h"
#include "core/random.h"
#include "core/clock.h"
#include "proto_json.h"

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
#define SEEN_MAX 64       /* a tombstone: prefix + token */
#define GEN_NEAR_TTL_S 60 /* a generation kept in the near cache (cache_gen) */

static atomic_ulong st_hits, st_misses, st_loads, st_fallbacks;
static atomic_ulong tomb_seq; /* only if the CSPRNG fails */
static atomic_int lost;       /* an invalidation could not reach Redis */

/* Deletes the lock only if it still holds our token (it may have expired and
 * been taken by another loader meanwhile). */
static struct redis_script unlock_script = REDIS_SCRIPT(
    "cache_unlock",
    "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end "
    "return 0");

/*
 * Store ARGV[2] for ARGV[3] ms only if the key holds what the loader saw:
 * nothing (ARGV[1] empty) or that tombstone. Returns 1 if stored.
 */
static struct redis_script store_script =
    REDIS_SCRIPT("cache_store", "local cur = redis.call('GET', KEYS[1]) "
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

/*
 * What a read hands back: the parsed value (cache_get) or the JSON text
 * itself (raw, cache_get_raw). Set only when the read answers PROTO_OK.
 */
struct val {
	int raw;
	cJSON *json;
	char *text; /* malloc'd, NUL-terminated */
	size_t len;
};

/* A plain key, or a key built with a namespace's generation (ns not NULL). */
struct key {
	const char *key;
	const char *ns, *head, *tail;
};

/* A copy of s[0..len) from malloc, NUL-terminated. */
static char *copy_text(const char *s, size_t len)
{
	char *t = malloc(len + 1);

	if (t) {
		memcpy(t, s, len);
		t[len] = '\0';
	}
	return t;
}

/* The loader's value v (taken) as text into out; a raw answer is an object. */
static enum proto_err to_text(cJSON *v, struct val *out)
{
	enum proto_err e = PROTO_ERR_INTERNAL;
	char *printed = NULL;

	if (!cJSON_IsObject(v)) {
		log_error("cache loader returned no json object for a raw read");
		goto out;
	}
	printed = proto_json_print(v);
	if (!printed)
		goto out;
	out->text = copy_text(printed, strlen(printed));
	if (out->text) {
		out->len = strlen(printed);
		e = PROTO_OK;
	}
out:
	cJSON_free(printed);
	cJSON_Delete(v);
	return e;
}

/* Call the loader. *missing is set when it reported "no such row" (PROTO_OK
 * with no value), the only case a marker may be cached for. */
static enum proto_err load_call(struct worker *w, cache_load_fn load, void *arg, struct val *out,
                                int *missing)
{
	enum proto_err e;
	cJSON *v = NULL;

	atomic_fetch_add(&st_loads, 1);
	*missing = 0;
	e = load(w, arg, &v);
	/* Never cache (or answer) an object built while an allocation failed. */
	if (e == PROTO_OK && v && jsonguard_failed()) {
		log_error("cache loader ran out of memory; not caching its answer");
		e = PROTO_ERR_INTERNAL;
	}
	if (e != PROTO_OK) {
		cJSON_Delete(v);
		return e;
	}
	if (v == NULL) {
		*missing = 1;
		return PROTO_ERR_NOT_FOUND;
	}
	if (out->raw)
		return to_text(v, out);
	out->json = v;
	return PROTO_OK;
}

/* Read MySQL, bypassing Redis: the near cache must not keep such an answer. */
static enum proto_err load_direct(struct worker *w, cache_load_fn load, void *arg, struct val *out)
{
	int missing;

	near_capture_spoil();
	return load_call(w, load, arg, out, &missing);
}

/* Redis is unreachable or answered an error: read MySQL. */
static enum proto_err fallback(struct worker *w, cache_load_fn load, void *arg, struct val *out)
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
 * What key fk holds, from its GET reply rep; on LK_HIT out has the value. On
 * LK_MISS, seen (if not NULL, SEEN_MAX bytes) receives what the key held:
 * "" for nothing, else the tombstone.
 */
static enum lookup classify(struct worker *w, const char *fk, const redisReply *rep,
                            struct val *out, char *seen)
{
	int ok;

	if (seen)
		seen[0] = '\0';
	if (rep->type == REDIS_REPLY_NIL)
		return LK_MISS;
	if (rep->type == REDIS_REPLY_ERROR) {
		log_warn("cache get '%s' failed: %s", fk, rep->str);
		return LK_DOWN;
	}
	if (rep->type != REDIS_REPLY_STRING)
		return LK_DOWN;
	if (rep->len == 0)
		return LK_MARKER;
	if (is_tombstone(rep->str, rep->len)) {
		/* One we did not write (too long) never matches: the store is refused. */
		if (seen)
			snprintf(seen, SEEN_MAX, "%s",
			         rep->len < SEEN_MAX ? rep->str : TOMB_PREFIX);
		return LK_MISS;
	}
	if (out->raw) {
		/* Trusted as stored (see cache.h): no parse, the envelope is checked. */
		ok = rep->len >= 2 && rep->str[0] == '{' && rep->str[rep->len - 1] == '}';
		if (ok) {
			out->text = copy_text(rep->str, rep->len);
			if (!out->text)
				return LK_DOWN; /* out of memory: read MySQL */
			out->len = rep->len;
		}
	} else {
		out->json = cJSON_ParseWithLength(rep->str, rep->len);
		ok = out->json != NULL;
	}
	if (ok)
		return LK_HIT;
	/* Not written by us: drop it and load afresh. */
	log_warn("cache key '%s' holds no valid json: dropped", fk);
	freeReplyObject(redis_cmd(w, "DEL %s", fk));
	return LK_MISS;
}

/* Read key fk (see classify). */
static enum lookup lookup(struct worker *w, const char *fk, struct val *out, char *seen)
{
	redisReply *rep = redis_cmd(w, "GET %s", fk);
	enum lookup res;

	if (seen)
		seen[0] = '\0';
	if (!rep)
		return LK_DOWN;
	res = classify(w, fk, rep, out, seen);
	freeReplyObject(rep);
	return res;
}

/*
 * Reads a namespace's generation (creating it at 1, as cache_gen does) and
 * the key ARGV[1] .. generation .. ARGV[2] in one step. It reads a key it is
 * not given in KEYS, which a Redis Cluster allows only in the same slot:
 * the generation key and the keys built on it carry the hash tag
 * "{namespace}" (a namespace's entries live on one node of a cluster).
 */
static struct redis_script gen_get_script =
    REDIS_SCRIPT("cache_gen_get", "local g = redis.call('GET', KEYS[1]) "
                                  "if not g then g = redis.call('INCR', KEYS[1]) end "
                                  "g = tostring(g) "
                                  "return {g, redis.call('GET', ARGV[1] .. g .. ARGV[2])}");

/* 1 if s is a generation as INCR writes it: decimal digits, no sign. */
static int is_gen(const redisReply *g)
{
	size_t i;

	if (g->type != REDIS_REPLY_STRING || g->len == 0 || g->len > 19)
		return 0;
	for (i = 0; i < g->len; i++)
		if (g->str[i] < '0' || g->str[i] > '9')
			return 0;
	return 1;
}

/*
 * The generation key k in one round trip: on return (not LK_DOWN) fk and lk
 * (KEY_MAX bytes each) hold the value key and the lock key of the current
 * generation, and the result is classify's.
 */
static enum lookup lookup_gen(struct worker *w, const struct key *k, char *fk, char *lk,
                              struct val *out)
{
	char gk[KEY_MAX], hk[KEY_MAX];
	const char *argv[3] = {gk, hk, k->tail};
	enum lookup res = LK_DOWN;
	redisReply *rep, *g;

	snprintf(gk, sizeof(gk), CACHE_GEN_KEY, k->ns);
	snprintf(hk, sizeof(hk), CACHE_PREFIX "{%s}%s", k->ns, k->head);
	rep = redis_eval(w, &gen_get_script, 1, 2, argv, NULL);
	if (!rep)
		return LK_DOWN;
	if (rep->type == REDIS_REPLY_ERROR) {
		log_warn("cache get of generation '%s' failed: %s", k->ns, rep->str);
		goto out;
	}
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 || !is_gen(rep->element[0])) {
		log_warn("cache get of generation '%s': unexpected reply", k->ns);
		goto out;
	}
	g = rep->element[0];
	/* The lengths were checked by the caller (gen_key_fits). */
	snprintf(fk, KEY_MAX, CACHE_PREFIX "{%s}%s%.*s%s", k->ns, k->head, (int)g->len, g->str,
	         k->tail);
	snprintf(lk, KEY_MAX, CACHE_PREFIX "lock:{%s}%s%.*s%s", k->ns, k->head, (int)g->len, g->str,
	         k->tail);
	res = classify(w, fk, rep->element[1], out, NULL);
out:
	freeReplyObject(rep);
	return res;
}

/* 1 if the keys of k fit KEY_MAX with the longest generation (19 digits). */
static int gen_key_fits(const struct key *k)
{
	return strlen(CACHE_PREFIX "lock:gen:{}") + strlen(k->ns) < KEY_MAX &&
	       strlen(CACHE_PREFIX "lock:{}") + strlen(k->ns) + strlen(k->head) + 19 +
	               strlen(k->tail) <
	           KEY_MAX;
}

/* Store text (NULL: the marker) unless the key changed from seen since the load began. */
static void store_value(struct worker *w, const char *fk, const char *text, int ttl_s,
                        const char *seen)
{
	const char *argv[4];
	redisReply *rep;
	char px[32];

	snprintf(px, sizeof(px), "%lld", jittered_ms(text ? ttl_s : MARKER_TTL_S));
	argv[0] = fk;
	argv[1] = seen;
	argv[2] = text ? text : "";
	argv[3] = px;
	rep = redis_eval(w, &store_script, 1, 3, argv, NULL);
	if (rep && rep->type == REDIS_REPLY_ERROR)
		log_warn("cache set '%s' failed: %s", fk, rep->str);
	if (rep)
		freeReplyObject(rep);
}

/* Store what a load answered: e PROTO_OK with out, or "no such row". */
static void store_loaded(struct worker *w, const char *fk, enum proto_err e, const struct val *out,
                         int ttl_s, const char *seen)
{
	char *printed;

	if (e != PROTO_OK) {
		store_value(w, fk, NULL, ttl_s, seen);
	} else if (out->raw) {
		store_value(w, fk, out->text, ttl_s, seen);
	} else {
		printed = proto_json_print(out->json);
		if (printed)
			store_value(w, fk, printed, ttl_s, seen);
		cJSON_free(printed);
	}
}

static void unlock(struct worker *w, const char *lk, const char *token)
{
	const char *argv[2] = {lk, token};
	redisReply *rep = redis_eval(w, &unlock_script, 1, 1, argv, NULL);

	if (rep)
		freeReplyObject(rep);
}

static enum proto_err from_lookup(enum lookup lr)
{
	atomic_fetch_add(&st_hits, 1);
	return lr == LK_MARKER ? PROTO_ERR_NOT_FOUND : PROTO_OK;
}

/* Drop every key of the read cache on master m. Returns 0, or -1 if Redis failed. */
static int flush_master(struct worker *w, int m, unsigned long *dropped)
{
	char cursor[32] = "0";

	do {
		const char *argv[6] = {"SCAN", cursor, "MATCH", CACHE_PREFIX "*", "COUNT", "1000"};
		redisReply *rep = redis_argv_master(w, m, 6, argv, NULL);
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
			redisReply *d = redis_cmd(w, "UNLINK %b", keys->element[i]->str,
			                          (size_t)keys->element[i]->len);
			if (!d) {
				freeReplyObject(rep);
				return -1;
			}
			freeReplyObject(d);
			(*dropped)++;
		}
		freeReplyObject(rep);
	} while (strcmp(cursor, "0") != 0);
	return 0;
}

/* Drop every key of the read cache (on every master). Returns 0, or -1 if Redis failed. */
static int flush_all(struct worker *w)
{
	unsigned long dropped = 0;
	int m, n = redis_master_count(w);

	if (n <= 0)
		return -1;
	for (m = 0; m < n; m++)
		if (flush_master(w, m, &dropped) < 0)
			return -1;
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

static enum proto_err get(struct worker *w, const struct key *k, int ttl_s, cache_load_fn load,
                          void *arg, struct val *out)
{
	char fk[KEY_MAX], lk[KEY_MAX], token[TOKEN_LEN + 1], seen[SEEN_MAX];
	enum proto_err e;
	enum lookup lr;
	redisReply *rep;
	int n, i, locked, missing;
	long long t0;

	if (!cfg.read_cache)
		return load_direct(w, load, arg, out);
	flush_if_lost(w);
	if (atomic_load(&lost))
		return fallback(w, load, arg, out); /* stale entries may remain */
	if (k->ns) {
		if (!gen_key_fits(k)) {
			log_error("cache key '%.60s...' too long", k->head);
			return load_direct(w, load, arg, out);
		}
		/* Before the read: a change after it then shows (near.h). */
		snprintf(fk, sizeof(fk), CACHE_GEN_KEY, k->ns);
		near_capture_dep(fk, ttl_s);
		lr = lookup_gen(w, k, fk, lk, out);
	} else {
		n = snprintf(fk, sizeof(fk), CACHE_PREFIX "%s", k->key);
		if (n < 0 || (size_t)n >= sizeof(fk) ||
		    snprintf(lk, sizeof(lk), CACHE_PREFIX "lock:%s", k->key) >= (int)sizeof(lk)) {
			log_error("cache key '%.60s...' too long", k->key);
			return load_direct(w, load, arg, out);
		}
		near_capture_dep(fk, ttl_s);
		lr = lookup(w, fk, out, NULL);
	}
	if (lr == LK_DOWN)
		return fallback(w, load, arg, out);
	if (lr != LK_MISS)
		return from_lookup(lr);
	atomic_fetch_add(&st_misses, 1);

	if (random_string(token, TOKEN_LEN, "abcdefghijklmnopqrstuvwxyz0123456789") != 0)
		return fallback(w, load, arg, out);
	rep = redis_cmd(w, "SET %s %s NX PX %d", lk, token, LOCK_TTL_MS);
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
		lr = lookup(w, fk, out, seen);
		if (lr == LK_HIT || lr == LK_MARKER) {
			unlock(w, lk, token);
			return from_lookup(lr);
		}
		t0 = clock_ms();
		e = load_call(w, load, arg, out, &missing);
		if (lr == LK_MISS && (e == PROTO_OK || missing) &&
		    clock_ms() - t0 < STORE_DEADLINE_MS)
			store_loaded(w, fk, e, out, ttl_s, seen);
		unlock(w, lk, token);
		return e;
	}

	/* Someone else is loading: wait for its value a little. */
	for (i = 0; i < WAIT_POLLS; i++) {
		clock_sleep_ms(WAIT_POLL_MS);
		lr = lookup(w, fk, out, NULL);
		if (lr == LK_DOWN)
			return fallback(w, load, arg, out);
		if (lr != LK_MISS)
			return from_lookup(lr);
	}
	/* The loader is slow or gone: read MySQL ourselves, leave the key to it. */
	return load_direct(w, load, arg, out);
}

enum proto_err cache_get(struct worker *w, const char *key, int ttl_s, cache_load_fn load,
                         void *arg, cJSON **out)
{
	struct key k = {.key = key};
	struct val v = {0};
	enum proto_err e = get(w, &k, ttl_s, load, arg, &v);

	*out = v.json;
	return e;
}

enum proto_err cache_get_raw(struct worker *w, const char *key, int ttl_s, cache_load_fn load,
                             void *arg, char **text, size_t *len)
{
	struct key k = {.key = key};
	struct val v = {.raw = 1};
	enum proto_err e = get(w, &k, ttl_s, load, arg, &v);

	*text = v.text;
	*len = v.len;
	return e;
}

enum proto_err cache_get_gen(struct worker *w, const char *ns, const char *head, const char *tail,
                             int ttl_s, cache_load_fn load, void *arg, cJSON **out)
{
	struct key k = {.ns = ns, .head = head, .tail = tail};
	struct val v = {0};
	enum proto_err e = get(w, &k, ttl_s, load, arg, &v);

	*out = v.json;
	return e;
}

enum proto_err cache_get_gen_raw(struct worker *w, const char *ns, const char *head,
                                 const char *tail, int ttl_s, cache_load_fn load, void *arg,
                                 char **text, size_t *len)
{
	struct key k = {.ns = ns, .head = head, .tail = tail};
	struct val v = {.raw = 1};
	enum proto_err e = get(w, &k, ttl_s, load, arg, &v);

	*text = v.text;
	*len = v.len;
	return e;
}

/*
 * The end of an invalidating write (what, subject: for the log). A write that
 * did not reach Redis marks the cache lost, so it is flushed when Redis is
 * back; a refused one is only logged.
 */
static void invalidated(redisReply *rep, const char *what, const char *subject)
{
	if (!rep) {
		log_debug("cannot %s '%s': redis unreachable", what, subject);
		atomic_store(&lost, 1);
		return;
	}
	if (rep->type == REDIS_REPLY_ERROR)
		log_warn("cannot %s '%s': %s", what, subject, rep->str);
	freeReplyObject(rep);
}

void cache_del(struct worker *w, const char *key)
{
	char token[TOKEN_LEN + 1];

	/* Unique per call: a loader that saw an older tombstone must not match this one. */
	if (random_string(token, TOKEN_LEN, "abcdefghijklmnopqrstuvwxyz0123456789") != 0)
		snprintf(token, sizeof(token), "%lx.%llx.%lx",
		         (unsigned long)atomic_fetch_add(&tomb_seq, 1),
		         (unsigned long long)clock_ms(), (unsigned long)(uintptr_t)&token);
	invalidated(
	    redis_cmd(w, "SET " CACHE_PREFIX "%s " TOMB_PREFIX "%s PX %d", key, token, TOMB_TTL_MS),
	    "drop cache key", key);
}

enum proto_err cache_get_near(struct worker *w, const char *key, int ttl_s, cache_load_fn load,
                              void *arg, cJSON **out)
{
	char nk[KEY_MAX], *text;
	size_t klen, len;
	enum proto_err e;

	klen = (size_t)snprintf(nk, sizeof(nk), "v:%s", key);
	if (klen >= sizeof(nk) || near_capturing())
		return cache_get(w, key, ttl_s, load, arg, out);
	text = near_get_value(nk, klen, &len);
	if (text) {
		*out = cJSON_ParseWithLength(text, len);
		free(text);
		if (*out)
			return PROTO_OK;
	}
	/* cache_get names its key to the capture before it reads it (near.h). */
	near_capture_begin();
	e = cache_get(w, key, ttl_s, load, arg, out);
	text = e == PROTO_OK ? proto_json_print(*out) : NULL;
	if (text)
		near_capture_end(nk, klen, text, strlen(text));
	else
		near_capture_abort();
	free(text);
	return e;
}

int64_t cache_gen(struct worker *w, const char *ns)
{
	char gk[KEY_MAX], nk[KEY_MAX], *text, buf[24];
	size_t klen, len;
	redisReply *rep;
	int64_t g = 0;
	int near = 0;

	if (!cfg.read_cache)
		return 0;
	/* A generation the near cache vouches for (near.h): no round trip. */
	snprintf(gk, sizeof(gk), CACHE_GEN_KEY, ns);
	klen = (size_t)snprintf(nk, sizeof(nk), "g:%s", gk);
	if (klen < sizeof(nk) && !near_capturing()) {
		text = near_get_value(nk, klen, &len);
		if (text) {
			g = strtoll(text, NULL, 10);
			free(text);
			if (g > 0)
				return g;
		}
		near_capture_begin();
		near = 1;
	}
	/* Ours, or the answer's being captured (near.h): named before the read. */
	near_capture_dep(gk, GEN_NEAR_TTL_S);
	rep = redis_cmd(w, "GET %s", gk);
	if (!rep) {
		if (near)
			near_capture_abort();
		return 0;
	}
	if (rep->type == REDIS_REPLY_STRING) {
		g = strtoll(rep->str, NULL, 10);
	} else if (rep->type == REDIS_REPLY_NIL) {
		/* Start at 1, so generation 0 only ever means "redis is down". */
		freeReplyObject(rep);
		rep = redis_cmd(w, "INCR %s", gk);
		if (!rep) {
			if (near)
				near_capture_abort();
			return 0;
		}
		if (rep->type == REDIS_REPLY_INTEGER)
			g = rep->integer;
	}
	freeReplyObject(rep);
	if (near && g > 0)
		near_capture_end(nk, klen, buf, (size_t)snprintf(buf, sizeof(buf), "%" PRId64, g));
	else if (near)
		near_capture_abort();
	return g;
}

void cache_bump(struct worker *w, const char *ns)
{
	invalidated(redis_cmd(w, "INCR " CACHE_GEN_KEY, ns), "bump cache namespace", ns);
}

void cache_stats_get(struct cache_stats *s)
{
	s->hits = atomic_load(&st_hits);
	s->misses = atomic_load(&st_misses);
	s->loads = atomic_load(&st_loads);
	s->fallbacks = atomic_load(&st_fallbacks);
}
