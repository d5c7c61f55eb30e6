/*
 * seatmap.c: see seatmap.h.
 */
#include "svc/seatmap.h"

#include "proto_wire.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "cache/near.h"
#include "core/log.h"
#include "store/store_screening.h"

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

static void mark_held(const char *seat, void *arg)
{
	mark(arg, seat, PROTO_STATE_HELD);
}

/* Version and holds from Redis into m. Returns 0, or -1 (m's states untouched then). */
static int read_redis(struct worker *w, struct seatmap *m)
{
	return seatstate_read(w, m->screening_id, &m->version, mark_held, m);
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
	cJSON_AddNumberToObject(o, PROTO_KEY_SCREENING_ID, (double)m->screening_id);
	cJSON_AddNumberToObject(o, PROTO_KEY_VERSION, (double)m->version);
	layout = proto_layout_to_json(&m->layout);
	if (!layout)
		goto fail;
	cJSON_AddItemToObject(o, PROTO_KEY_LAYOUT, layout);
	state = cJSON_AddArrayToObject(o, PROTO_KEY_STATE);
	if (!state)
		goto fail;
	for (r = 0; r < m->layout.nrows; r++) {
		cJSON *s = cJSON_CreateString(m->state[r]);
		if (!s)
			goto fail;
		cJSON_AddItemToArray(state, s);
	}
	cJSON_AddNumberToObject(o, PROTO_KEY_SEATS_FREE, m->free);
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_SEATS_TOTAL, m->total))
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
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(snap, PROTO_KEY_VERSION);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : 0;
}

enum proto_err seatmap_get(struct worker *w, int64_t id, cJSON **out)
{
	char key[64];
	enum proto_err e;

	/* A kept answer of this snapshot goes with the next seat change (near.h). */
	SEATMAP_KEY(key, sizeof(key), SEATMAP_VERSION_KEY, id);
	near_capture_dep(key, 0);
	key_of(key, sizeof(key), SEATMAP_CACHE_KEY, id);
	e = cache_get(w, key, SEATMAP_TTL_S, load, &id, out);
	if (e != PROTO_OK)
		return e;
	if (version_of(*out) < last_get(id)) {
		/* Older than an answer already given: never serve it again. */
		cJSON_Delete(*out);
		*out = NULL;
		near_capture_spoil();
		cache_del(w, key);
		e = load(w, &id, out);
		if (e == PROTO_OK && !*out)
			e = PROTO_ERR_NOT_FOUND;
	}
	return e;
}

int seatmap_counts(const cJSON *snapshot, int *free_out, int *total)
{
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(snapshot, PROTO_KEY_SEATS_FREE);
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(snapshot, PROTO_KEY_SEATS_TOTAL);

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

int seatmap_fence(struct worker *w, const int64_t *ids, int n)
{
	return seatstate_fence(w, ids, n);
}

void seatmap_unfence(struct worker *w, const int64_t *ids, int n, int changed)
{
	int64_t *v = NULL;
	int i;

	if (n <= 0)
		return;
	if (changed && !(v = calloc((size_t)n, sizeof(*v)))) {
		log_warn("cannot unfence %d screenings: out of memory", n);
		return;
	}
	if (seatstate_unfence(w, ids, n, changed, v) == 0 && v)
		for (i = 0; i < n; i++)
			last_raise(ids[i], v[i]);
	free(v);
	if (changed)
		for (i = 0; i < n; i++)
			seatmap_invalidate(w, ids[i]);
}

int seatmap_drop_holds(struct worker *w, int64_t id)
{
	int64_t v;

	if (seatstate_drop(w, id, &v) < 0)
		return -1;
	last_raise(id, v);
	return 0;
}
