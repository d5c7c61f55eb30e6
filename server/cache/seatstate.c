/*
 * seatstate.c: see seatstate.h.
 */
#include "cache/seatstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "proto_wire.h"

/* Version and holds read together, so the holds are the state of that version. */
static struct redis_script snapshot_script =
    REDIS_SCRIPT("seatmap_snapshot",
                 "return {redis.call('GET', KEYS[1]) or '0', redis.call('HGETALL', KEYS[2])}");

/* Cancellation: every hold goes, and the change gets a version of its own. */
static struct redis_script drop_script =
    REDIS_SCRIPT("seatmap_drop", "redis.call('DEL', KEYS[1]) return redis.call('INCR', KEYS[2])");

/*
 * Layout change: KEYS = the holds hashes of n screenings, then their
 * fences; ARGV[1] = fence lifetime in ms. Returns 0 (fenced) or the
 * 1-based index of a screening with a held seat (nothing set).
 */
static struct redis_script fence_script =
    REDIS_SCRIPT("seatmap_fence", "local n = #KEYS / 2 "
                                  "for i = 1, n do "
                                  "if redis.call('HLEN', KEYS[i]) > 0 then return i end end "
                                  "for i = 1, n do "
                                  "redis.call('SET', KEYS[n + i], '1', 'PX', ARGV[1]) end "
                                  "return 0");

/*
 * KEYS = the fences of n screenings, then their versions; ARGV[1] "1" when
 * the layout changed. Returns the new versions (empty when unchanged).
 */
static struct redis_script unfence_script = REDIS_SCRIPT(
    "seatmap_unfence", "local n = #KEYS / 2 "
                       "local v = {} "
                       "for i = 1, n do "
                       "redis.call('DEL', KEYS[i]) "
                       "if ARGV[1] == '1' then v[i] = redis.call('INCR', KEYS[n + i]) end "
                       "end "
                       "return v");

/*
 * KEYS[1] = a version; ARGV = the floor, the channel, the screening id. The
 * floor stays a string (a Lua number would print as 1.7e+12).
 */
static struct redis_script raise_script = REDIS_SCRIPT(
    "seatmap_raise", "if tonumber(redis.call('GET', KEYS[1]) or '0') >= tonumber(ARGV[1]) then "
                     "return 0 end "
                     "redis.call('SET', KEYS[1], ARGV[1]) "
                     "redis.call('PUBLISH', ARGV[2] .. ARGV[3], '{\"screeningId\":' .. ARGV[3] .. "
                     "',\"version\":' .. ARGV[1] .. ',\"changes\":[]}') "
                     "return 1");

/* Key of one kind for screening id; the format is a literal for -Wformat. */
#define key_of SEATMAP_KEY

int seatstate_read(struct worker *w, int64_t id, int64_t *version, seatstate_seat_fn seat_fn,
                   void *arg)
{
	char kv[64], kh[64];
	const char *argv[2] = {kv, kh};
	redisReply *rep;
	size_t i;
	int rc = -1;

	key_of(kv, sizeof(kv), SEATMAP_VERSION_KEY, id);
	key_of(kh, sizeof(kh), SEATMAP_HOLDS_KEY, id);
	rep = redis_eval(w, &snapshot_script, 2, 0, argv, NULL);
	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[1]->type != REDIS_REPLY_ARRAY) {
		log_warn("seat snapshot of screening %" PRId64 ": unexpected redis reply%s%s", id,
		         rep->type == REDIS_REPLY_ERROR ? ": " : "",
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "");
		goto out;
	}
	*version = strtoll(rep->element[0]->str, NULL, 10);
	for (i = 0; i + 1 < rep->element[1]->elements; i += 2) {
		const redisReply *f = rep->element[1]->element[i];
		if (f->type == REDIS_REPLY_STRING)
			seat_fn(f->str, arg);
	}
	rc = 0;
out:
	freeReplyObject(rep);
	return rc;
}

/*
 * Keys of two kinds for ids[0..n) as one argv: first kind for every id,
 * then the second, then arg (if not NULL). Returns the malloc'd argv (one
 * block: free() it), or NULL on ENOMEM.
 */
#define KEY_SIZE 64
static const char **key_pairs(const int64_t *ids, int n, int first_fence, const char *arg)
{
	size_t nargv = (size_t)n * 2 + (arg ? 1 : 0);
	const char **argv = malloc(nargv * (sizeof(*argv) + KEY_SIZE));
	char *buf;
	int i;

	if (!argv)
		return NULL;
	buf = (char *)(argv + nargv);
	for (i = 0; i < n; i++) {
		char *a = buf + (size_t)i * KEY_SIZE, *b = buf + (size_t)(n + i) * KEY_SIZE;

		if (first_fence) {
			key_of(a, KEY_SIZE, SEATMAP_FENCE_KEY, ids[i]);
			key_of(b, KEY_SIZE, SEATMAP_VERSION_KEY, ids[i]);
		} else {
			key_of(a, KEY_SIZE, SEATMAP_HOLDS_KEY, ids[i]);
			key_of(b, KEY_SIZE, SEATMAP_FENCE_KEY, ids[i]);
		}
		argv[i] = a;
		argv[n + i] = b;
	}
	if (arg)
		argv[nargv - 1] = arg;
	return argv;
}

/*
 * Run s on the key pairs of the n screenings ids (key_pairs) and arg. The
 * reply, or NULL when it could not run (logged: "cannot <what> ...").
 */
static redisReply *eval_pairs(struct worker *w, struct redis_script *s, const int64_t *ids, int n,
                              int first_fence, const char *arg, const char *what)
{
	const char **argv = key_pairs(ids, n, first_fence, arg);
	redisReply *rep;

	if (!argv) {
		log_warn("cannot %s %d screenings: out of memory", what, n);
		return NULL;
	}
	rep = redis_eval(w, s, 2 * n, 1, argv, NULL);
	free(argv);
	if (!rep)
		log_warn("cannot %s %d screenings: %s", what, n, redis_fail_text(redis_why(w)));
	return rep;
}

static int fence_group(struct worker *w, const int64_t *ids, int n)
{
	char ttl[16];
	redisReply *rep;
	int rc = -1;

	if (n <= 0)
		return 0;
	snprintf(ttl, sizeof(ttl), "%d", SEATMAP_FENCE_MS);
	rep = eval_pairs(w, &fence_script, ids, n, 0, ttl, "fence");
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_INTEGER)
		rc = rep->integer == 0 ? 0 : 1;
	else
		log_warn("cannot fence %d screenings: %s", n,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	freeReplyObject(rep);
	return rc;
}

static int unfence_group(struct worker *w, const int64_t *ids, int n, int changed,
                         int64_t *versions)
{
	redisReply *rep;
	size_t i;
	int rc = -1;

	if (n <= 0)
		return 0;
	rep = eval_pairs(w, &unfence_script, ids, n, 1, changed ? "1" : "0", "unfence");
	if (!rep)
		return -1;
	if (rep->type == REDIS_REPLY_ARRAY) {
		for (i = 0; i < rep->elements && i < (size_t)n; i++)
			if (versions && rep->element[i]->type == REDIS_REPLY_INTEGER)
				versions[i] = rep->element[i]->integer;
		rc = 0;
	} else {
		log_warn("cannot unfence %d screenings: %s", n,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	}
	freeReplyObject(rep);
	return rc;
}

int seatstate_raise(struct worker *w, int64_t id, int64_t floor)
{
	char kv[64], af[24], aid[24];
	const char *argv[4] = {kv, af, PROTO_CHANNEL_SEATS, aid};
	redisReply *rep;
	int rc = -1;

	key_of(kv, sizeof(kv), SEATMAP_VERSION_KEY, id);
	snprintf(af, sizeof(af), "%" PRId64, floor);
	snprintf(aid, sizeof(aid), "%" PRId64, id);
	rep = redis_eval(w, &raise_script, 1, 3, argv, NULL);
	if (rep && rep->type == REDIS_REPLY_INTEGER)
		rc = 0;
	else
		log_warn("cannot raise the seat version of screening %" PRId64 ": %s", id,
		         rep ? (rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply")
		             : redis_fail_text(redis_why(w)));
	if (rep)
		freeReplyObject(rep);
	return rc;
}

/* The ids of shard k among ids[0..n) into sub, their positions into pos. */
static int of_shard(const int64_t *ids, int n, int k, int64_t *sub, int *pos)
{
	int i, m = 0;

	for (i = 0; i < n; i++)
		if (REDIS_SHARD(ids[i]) == k) {
			sub[m] = ids[i];
			pos[m++] = i;
		}
	return m;
}

/*
 * Cluster mode: fn on each shard's part of ids (a script's keys share one
 * slot); stops at the first result other than 0 and returns it. versions
 * (may be NULL) are scattered back to the caller's order.
 */
static int by_shard(struct worker *w, const int64_t *ids, int n, int upto, int changed,
                    int64_t *versions, int fence)
{
	int64_t *sub = malloc(sizeof(*sub) * (size_t)n * 2), *vs = sub + n;
	int *pos = malloc(sizeof(*pos) * (size_t)n);
	int k, i, m, rc = 0, r;

	if (!sub || !pos) {
		free(sub);
		free(pos);
		return -1;
	}
	for (k = 0; k < upto; k++) {
		if (!(m = of_shard(ids, n, k, sub, pos)))
			continue;
		if (fence) {
			r = fence_group(w, sub, m);
			if (r != 0) {
				/* lift what the shards before this one set */
				by_shard(w, ids, n, k, 0, NULL, 0);
				rc = r;
				break;
			}
			continue;
		}
		if (unfence_group(w, sub, m, changed, versions ? vs : NULL) < 0)
			rc = -1;
		else if (versions && changed)
			for (i = 0; i < m; i++)
				versions[pos[i]] = vs[i];
	}
	free(sub);
	free(pos);
	return rc;
}

int seatstate_fence(struct worker *w, const int64_t *ids, int n)
{
	if (!redis_cluster_mode() || n <= 0)
		return fence_group(w, ids, n);
	return by_shard(w, ids, n, REDIS_SHARDS, 0, NULL, 1);
}

int seatstate_unfence(struct worker *w, const int64_t *ids, int n, int changed, int64_t *versions)
{
	if (!redis_cluster_mode() || n <= 0)
		return unfence_group(w, ids, n, changed, versions);
	return by_shard(w, ids, n, REDIS_SHARDS, changed, versions, 0);
}

int seatstate_drop(struct worker *w, int64_t id, int64_t *version)
{
	char kh[64], kv[64];
	const char *argv[2] = {kh, kv};
	redisReply *rep;
	int rc = -1;

	key_of(kh, sizeof(kh), SEATMAP_HOLDS_KEY, id);
	key_of(kv, sizeof(kv), SEATMAP_VERSION_KEY, id);
	rep = redis_eval(w, &drop_script, 2, 0, argv, NULL);
	if (!rep) {
		log_warn("cannot drop holds of screening %" PRId64 ": %s", id,
		         redis_fail_text(redis_why(w)));
		return -1;
	}
	if (rep->type == REDIS_REPLY_INTEGER) {
		*version = rep->integer;
		rc = 0;
	} else {
		log_warn("cannot drop holds of screening %" PRId64 ": %s", id,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	}
	freeReplyObject(rep);
	return rc;
}
