/*
 * detail.h: the /x/detail answer that films, halls and screenings share: a
 * row read by id, turned into its JSON object and cached under the
 * resource's detail key; a row that is not there is 404 "no such <what>".
 * A resource describes itself once in a struct detail_kind and its handler
 * is one call. Its lists share the answer's shape: {"list":[...],"total":N}.
 */
#ifndef BOXOFFICE_SVC_DETAIL_H
#define BOXOFFICE_SVC_DETAIL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "proto_error.h"
#include "cache/cache.h"
#include "core/req.h"
#include "store/db.h"

struct detail_kind {
	size_t row_size; /* the row struct the two functions below share */
	/* Reads row id into row; *found 0 when there is none. */
	enum db_rc (*get)(struct worker *w, int64_t id, void *row, int *found);
	/* The answer object of row, or NULL when out of memory. */
	cJSON *(*json)(const void *row);
	/* The cache namespace: the detail key is "<ns>:<id>" (detail_key). */
	const char *ns;
	int ttl_s;
	const char *missing; /* the 404 message, e.g. "no such film" */
};

/* "<ns>:<id>", the cache key of a detail, into buf. */
void detail_key(char *buf, size_t len, const char *ns, int64_t id);
/*
 * After a write of row id (or a creation, which may replace a cached "no
 * such" marker): drops its detail "<ns>:<id>" and bumps the generation of
 * namespace ns, so every cached list of ns is reloaded.
 */
void detail_invalidate(struct worker *w, const char *ns, int64_t id);

/* What a detail loader reads: the kind and the id. */
struct detail_arg {
	const struct detail_kind *kind;
	int64_t id;
};

/*
 * cache_load_fn for arg a struct detail_arg: the row's object, or *out NULL
 * when there is no such row (PROTO_OK either way), or the store's error.
 */
enum proto_err detail_load(struct worker *w, void *arg, cJSON **out);
/*
 * The whole handler: reads "id" from the body, answers the cached object as
 * it is (r->data_raw), 404 with kind->missing when there is no such row.
 */
enum proto_err detail_answer(struct req *r, const struct detail_kind *kind);
/*
 * For a handler that edits the object before it answers: reads "id" from
 * the body and the object cached under "<ns>:<id>" (load gets a pointer to
 * the int64_t id as its arg) into *out, which the caller deletes. Answers
 * 400 for a bad id and 404 with missing when there is no such row.
 */
enum proto_err detail_fetch(struct req *r, const char *ns, int ttl_s, cache_load_fn load,
                            const char *missing, cJSON **out);
/*
 * {"list":[object of each of the n rows],"total":total}, or NULL when out of
 * memory; rows is an array of kind->row_size structs.
 */
cJSON *detail_list(const struct detail_kind *kind, const void *rows, int n, int64_t total);

#endif
