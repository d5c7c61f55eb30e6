/*
 * seatmap.c: see seatmap.h.
 */
#include "cache/seatmap.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "core/log.h"
#include "store/store_screening.h"

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
 * The highest version this instance has served per screening, so that no
 * answer goes backwards (a stale cache entry, Redis down). Direct mapped: a
 * slot taken over by another screening forgets the older one, which then
 * only loses the guarantee while Redis is also down.
 */
#define LAST_SLOTS 16384
static struct {
	int64_t id, version;
} last[LAST_SLOTS];
static pthread_mutex_t last_lock = PTHREAD_MUTEX_INITIALIZER;

static unsigned slot_of(int64_t id)
{
	uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;

	return (unsigned)(h >> 40) % LAST_SLOTS;
}

static int64_t last_get(int64_t id)
{
	unsigned s = slot_of(id);
	int64_t v = 0;

	pthread_mutex_lock(&last_lock);
	if (last[s].id == id)
		v = last[s].version;
	pthread_mutex_unlock(&last_lock);
	return v;
}

/* Remember v for id; returns the version to serve (never below one served before). */
static int64_t last_raise(int64_t id, int64_t v)
{
	unsigned s = slot_of(id);

	pthread_mutex_lock(&last_lock);
	if (last[s].id != id) {
		last[s].id = id;
		last[s].version = v;
	} else if (last[s].version > v) {
		v = last[s].version;
	} else {
		last[s].version = v;
	}
	pthread_mutex_unlock(&last_lock);
	return v;
}

/* Key of one kind for screening id; the format is a literal for -Wformat. */
#define key_of(buf, len, fmt, id) snprintf((buf), (len), fmt, (int64_t)(id))

/* Mark one seat taken; sold wins over held. Seats outside the layout are ignored. */
static void mark(struct seatmap *m, const char *seat, char st)
{
	int r, c;
	char cat;

	if (m->status == STORE_SCREENING_CANCELLED)
		return;
	if (proto_layout_lookup(&m->layout, seat, &r, &c, &cat) < 0 || !proto_seat_sellable(cat))
		return;
	if (m->state[r][c] == PROTO_STATE_SOLD)
		return;
	m->state[r][c] = st;
}

/*
 * Version and holds from Redis into m. Returns 0, or -1 when Redis cannot
 * be reached or answers nonsense (m untouched then).
 */
static int read_redis(struct worker *w, struct seatmap *m)
{
	char kv[64], kh[64];
	const char *argv[2] = {kv, kh};
	redisReply *rep;
	size_t i;
	int rc = -1;

	key_of(kv, sizeof(kv), SEATMAP_VERSION_KEY, m->screening_id);
	key_of(kh, sizeof(kh), SEATMAP_HOLDS_KEY, m->screening_id);
	rep = redis_eval(w, &snapshot_script, 2, 0, argv, NULL);
	if (!rep)
		return -1;
	if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 2 ||
	    rep->element[0]->type != REDIS_REPLY_STRING ||
	    rep->element[1]->type != REDIS_REPLY_ARRAY) {
		log_warn("seat snapshot of screening %" PRId64 ": unexpected redis reply%s%s",
		         m->screening_id, rep->type == REDIS_REPLY_ERROR ? ": " : "",
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "");
		goto out;
	}
	m->version = strtoll(rep->element[0]->str, NULL, 10);
	for (i = 0; i + 1 < rep->element[1]->elements; i += 2) {
		const redisReply *f = rep->element[1]->element[i];
		if (f->type == REDIS_REPLY_STRING)
			mark(m, f->str, PROTO_STATE_HELD);
	}
	rc = 0;
out:
	freeReplyObject(rep);
	return rc;
}

enum proto_err seatmap_build(struct worker *w, int64_t id, struct seatmap *m)
{
	char layout[PROTO_LAYOUT_JSON_MAX + 1], why[80];
	struct taken_seat *taken = NULL;
	enum proto_err e = PROTO_ERR_INTERNAL;
	enum db_rc rc;
	int found, n = 0, r, c, i;

	memset(m, 0, sizeof(*m));
	m->screening_id = id;
	rc = store_screening_seat_source(w, id, &m->status, layout, sizeof(layout), &found);
	if (rc != DB_OK) {
		e = rc == DB_UNAVAILABLE ? PROTO_ERR_UNAVAILABLE : PROTO_ERR_INTERNAL;
		goto out;
	}
	if (!found) {
		e = PROTO_ERR_NOT_FOUND;
		goto out;
	}
	if (proto_layout_from_text(&m->layout, layout, why, sizeof(why)) < 0) {
		log_error("hall layout of screening %" PRId64 " is invalid: %s", id, why);
		goto out;
	}
	for (r = 0; r < m->layout.nrows; r++) {
		for (c = 0; c < m->layout.width[r]; c++) {
			char cat = m->layout.rows[r][c];
			char st = PROTO_STATE_FREE;

			if (cat == PROTO_SEAT_NONE)
				st = PROTO_STATE_NONE;
			else if (cat == PROTO_SEAT_BLOCKED ||
			         m->status == STORE_SCREENING_CANCELLED)
				st = PROTO_STATE_BLOCKED;
			else if (cat == PROTO_SEAT_HOUSE)
				st = PROTO_STATE_HOUSE;
			m->state[r][c] = st;
		}
		m->state[r][c] = '\0';
	}
	m->total = m->layout.sellable;
	/* Redis first: the MySQL read below is then at least that new. */
	m->redis_ok = read_redis(w, m) == 0;
	if (!m->redis_ok)
		m->version = 0; /* unknown: the last one served, below */
	if (m->status != STORE_SCREENING_CANCELLED) {
		rc = store_screening_taken_seats(w, id, &taken, &n);
		if (rc != DB_OK) {
			e = rc == DB_UNAVAILABLE ? PROTO_ERR_UNAVAILABLE : PROTO_ERR_INTERNAL;
			goto out;
		}
		for (i = 0; i < n; i++)
			mark(m, taken[i].seat,
			     taken[i].status == 1 ? PROTO_STATE_SOLD : PROTO_STATE_HELD);
	}
	m->version = last_raise(id, m->version);
	for (r = 0; r < m->layout.nrows; r++)
		for (c = 0; c < m->layout.width[r]; c++)
			if (m->state[r][c] == PROTO_STATE_FREE ||
			    m->state[r][c] == PROTO_STATE_HOUSE)
				m->free++;
	e = PROTO_OK;
out:
	free(taken);
	return e;
}

cJSON *seatmap_to_json(const struct seatmap *m)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *layout, *state;
	int r;

	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "screeningId", (double)m->screening_id);
	cJSON_AddNumberToObject(o, "version", (double)m->version);
	layout = proto_layout_to_json(&m->layout);
	if (!layout)
		goto fail;
	cJSON_AddItemToObject(o, "layout", layout);
	state = cJSON_AddArrayToObject(o, "state");
	if (!state)
		goto fail;
	for (r = 0; r < m->layout.nrows; r++) {
		cJSON *s = cJSON_CreateString(m->state[r]);
		if (!s)
			goto fail;
		cJSON_AddItemToArray(state, s);
	}
	cJSON_AddNumberToObject(o, "seatsFree", m->free);
	if (!cJSON_AddNumberToObject(o, "seatsTotal", m->total))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}

static enum proto_err load(struct worker *w, void *arg, cJSON **out)
{
	struct seatmap *m = malloc(sizeof(*m));
	enum proto_err e;

	*out = NULL;
	if (!m)
		return PROTO_ERR_INTERNAL;
	e = seatmap_build(w, *(const int64_t *)arg, m);
	if (e == PROTO_OK) {
		*out = seatmap_to_json(m);
		if (!*out)
			e = PROTO_ERR_INTERNAL;
	} else if (e == PROTO_ERR_NOT_FOUND) {
		e = PROTO_OK; /* "no such row": cache_get caches the marker */
	}
	free(m);
	return e;
}

static int64_t version_of(const cJSON *snap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(snap, "version");

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

enum proto_err seatmap_get(struct worker *w, int64_t id, cJSON **out)
{
	char key[64];
	enum proto_err e;

	key_of(key, sizeof(key), SEATMAP_CACHE_KEY, id);
	e = cache_get(w, key, SEATMAP_TTL_S, load, &id, out);
	if (e != PROTO_OK)
		return e;
	if (version_of(*out) < last_get(id)) {
		/* Older than an answer already given: never serve it again. */
		cJSON_Delete(*out);
		*out = NULL;
		cache_del(w, key);
		e = load(w, &id, out);
		if (e == PROTO_OK && !*out)
			e = PROTO_ERR_NOT_FOUND;
	}
	return e;
}

int seatmap_counts(const cJSON *snapshot, int *free_out, int *total)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(snapshot, "seatsFree");
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(snapshot, "seatsTotal");

	if (!cJSON_IsNumber(f) || !cJSON_IsNumber(t))
		return -1;
	*free_out = f->valueint;
	*total = t->valueint;
	return 0;
}

void seatmap_invalidate(struct worker *w, int64_t id)
{
	char key[64];

	key_of(key, sizeof(key), SEATMAP_CACHE_KEY, id);
	cache_del(w, key);
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

int seatmap_fence(struct worker *w, const int64_t *ids, int n)
{
	char ttl[16];
	const char **argv;
	redisReply *rep;
	int rc = -1;

	if (n <= 0)
		return 0;
	snprintf(ttl, sizeof(ttl), "%d", SEATMAP_FENCE_MS);
	argv = key_pairs(ids, n, 0, ttl);
	if (!argv)
		return -1;
	rep = redis_eval(w, &fence_script, 2 * n, 1, argv, NULL);
	free(argv);
	if (!rep) {
		log_warn("cannot fence %d screenings: %s", n, redis_fail_text(redis_why(w)));
		return -1;
	}
	if (rep->type == REDIS_REPLY_INTEGER)
		rc = rep->integer == 0 ? 0 : 1;
	else
		log_warn("cannot fence %d screenings: %s", n,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	freeReplyObject(rep);
	return rc;
}

void seatmap_unfence(struct worker *w, const int64_t *ids, int n, int changed)
{
	const char **argv;
	redisReply *rep;
	size_t i;

	if (n <= 0)
		return;
	argv = key_pairs(ids, n, 1, changed ? "1" : "0");
	if (!argv) {
		log_warn("cannot unfence %d screenings: out of memory", n);
		return;
	}
	rep = redis_eval(w, &unfence_script, 2 * n, 1, argv, NULL);
	free(argv);
	if (!rep) {
		log_warn("cannot unfence %d screenings: %s", n, redis_fail_text(redis_why(w)));
	} else if (rep->type == REDIS_REPLY_ARRAY) {
		for (i = 0; i < rep->elements && i < (size_t)n; i++)
			if (rep->element[i]->type == REDIS_REPLY_INTEGER)
				last_raise(ids[i], rep->element[i]->integer);
	} else {
		log_warn("cannot unfence %d screenings: %s", n,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	}
	if (rep)
		freeReplyObject(rep);
	if (changed)
		for (i = 0; i < (size_t)n; i++)
			seatmap_invalidate(w, ids[i]);
}

int seatmap_drop_holds(struct worker *w, int64_t id)
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
		last_raise(id, rep->integer);
		rc = 0;
	} else {
		log_warn("cannot drop holds of screening %" PRId64 ": %s", id,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	}
	freeReplyObject(rep);
	return rc;
}
