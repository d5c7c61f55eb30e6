/*
 * sale_facts.c: see sale_facts.h.
 */
#include "svc/sale_facts.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "core/log.h"
#include "core/req.h"
#include "store/store_screening.h"
#include "svc/txn.h"
#include "svc/jsonfield.h"

#define FACTS_TTL_S 60
#define NS "screening"

struct load_arg {
	int64_t id;
};

static enum proto_err load(struct worker *w, void *arg, cJSON **out)
{
	const struct load_arg *a = arg;
	char layout[PROTO_LAYOUT_JSON_MAX + 1];
	struct screening_row *s = calloc(1, sizeof(*s));
	enum proto_err e = PROTO_ERR_INTERNAL;
	enum db_rc rc;
	int found = 0, status;
	cJSON *o = NULL;

	*out = NULL;
	if (!s)
		return PROTO_ERR_INTERNAL;
	rc = store_screening_get(w, a->id, s, &found);
	if (rc == DB_OK && found)
		rc = store_screening_seat_source(w, a->id, &status, layout, sizeof(layout), &found);
	if (rc != DB_OK) {
		e = txn_err(rc);
		goto out;
	}
	if (!found) {
		e = PROTO_OK; /* NULL: no such row, cached as such */
		goto out;
	}
	o = cJSON_CreateObject();
	if (!o)
		goto out;
	cJSON_AddNumberToObject(o, "filmId", (double)s->film_id);
	cJSON_AddNumberToObject(o, "hallId", (double)s->hall_id);
	cJSON_AddNumberToObject(o, "startAt", (double)s->start_at);
	cJSON_AddNumberToObject(o, "status", s->status);
	cJSON_AddNumberToObject(o, "filmAmount", (double)s->film_amount);
	cJSON_AddStringToObject(o, "prices", s->prices);
	cJSON_AddStringToObject(o, "discounts", s->discounts);
	if (!cJSON_AddStringToObject(o, "layout", layout)) {
		cJSON_Delete(o);
		goto out;
	}
	*out = o;
	e = PROTO_OK;
out:
	free(s);
	return e;
}

/*
 * The parsed facts this thread served last, per screening (direct mapped),
 * freed with the thread (a key destructor).
 */
#define MEMO_SLOTS 32
static pthread_key_t memo_key;
static pthread_once_t memo_once = PTHREAD_ONCE_INIT;

static void memo_free(void *p)
{
	struct sale_facts **m = p;
	int i;

	for (i = 0; i < MEMO_SLOTS; i++)
		free(m[i]);
	free(m);
}

static void memo_init(void)
{
	pthread_key_create(&memo_key, memo_free);
}

/* This thread's slot for screening id, or NULL (out of memory). */
static struct sale_facts **memo_slot(int64_t id)
{
	struct sale_facts **m;

	pthread_once(&memo_once, memo_init);
	m = pthread_getspecific(memo_key);
	if (!m) {
		m = calloc(MEMO_SLOTS, sizeof(*m));
		if (!m || pthread_setspecific(memo_key, m) != 0) {
			free(m);
			return NULL;
		}
	}
	return &m[(uint64_t)id % MEMO_SLOTS];
}

enum proto_err sale_facts_get(struct worker *w, int64_t id, struct sale_facts *f)
{
	struct load_arg a = {id};
	struct sale_facts **slot = memo_slot(id);
	char head[48], why[80];
	enum proto_err e;
	cJSON *o = NULL;
	int64_t gen = cache_gen(w, NS);

	if (gen && slot && *slot && (*slot)->screening_id == id && (*slot)->gen == gen) {
		*f = **slot;
		return PROTO_OK;
	}
	snprintf(head, sizeof(head), "sfacts:%" PRId64 ":", id);
	e = cache_get_gen(w, NS, head, "", FACTS_TTL_S, load, &a, &o);
	if (e != PROTO_OK)
		return e;
	memset(f, 0, sizeof(*f));
	f->screening_id = id;
	f->film_id = jsonfield_i64(o, "filmId");
	f->hall_id = jsonfield_i64(o, "hallId");
	f->start_at = jsonfield_i64(o, "startAt");
	f->status = (int)jsonfield_i64(o, "status");
	/*
	 * gen was read before the facts: if a write bumped it meanwhile, these
	 * facts are at least that new and the next call reloads (gen differs).
	 */
	f->gen = gen;
	if (!jsonfield_str(o, "layout", NULL) ||
	    proto_layout_from_text(&f->layout, jsonfield_str(o, "layout", NULL), why, sizeof(why)) <
	        0 ||
	    pricing_init_text(&f->pricing, jsonfield_str(o, "prices", NULL),
	                      jsonfield_str(o, "discounts", NULL),
	                      jsonfield_i64(o, "filmAmount")) < 0) {
		log_error("screening %" PRId64 ": stored layout or prices do not parse", id);
		e = PROTO_ERR_INTERNAL;
	}
	cJSON_Delete(o);
	if (e == PROTO_OK && gen && slot) {
		if (!*slot)
			*slot = malloc(sizeof(**slot));
		if (*slot)
			**slot = *f;
	}
	return e;
}

char sale_facts_free_state(char cat)
{
	return cat == PROTO_SEAT_HOUSE ? PROTO_STATE_HOUSE : PROTO_STATE_FREE;
}

enum proto_err sale_facts_on_sale(struct req *r, const struct sale_facts *f, int64_t now)
{
	if (f->status == STORE_SCREENING_CANCELLED)
		return req_fail_conflict(r, "cancelled");
	if (f->start_at <= now)
		return req_fail_conflict(r, "started");
	return PROTO_OK;
}
