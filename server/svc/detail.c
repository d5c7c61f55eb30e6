/*
 * detail.c: see detail.h.
 */
#include "svc/detail.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "cache/cache.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "svc/txn.h"

void detail_key(char *buf, size_t len, const char *ns, int64_t id)
{
	snprintf(buf, len, "%s:%" PRId64, ns, id);
}

void detail_invalidate(struct worker *w, const char *ns, int64_t id)
{
	char k[64];

	detail_key(k, sizeof(k), ns, id);
	cache_del(w, k);
	cache_bump(w, ns);
}

enum proto_err detail_load(struct worker *w, void *arg, cJSON **out)
{
	const struct detail_arg *a = arg;
	void *row = malloc(a->kind->row_size);
	enum proto_err e = PROTO_OK;
	enum db_rc rc;
	int found;

	*out = NULL;
	if (!row)
		return PROTO_ERR_INTERNAL;
	rc = a->kind->get(w, a->id, row, &found);
	if (rc != DB_OK)
		e = txn_err(rc);
	else if (found && !(*out = a->kind->json(row)))
		e = PROTO_ERR_INTERNAL;
	free(row);
	return e;
}

/* The answer is the cached object as it is: handed on as text (r->data_raw). */
enum proto_err detail_answer(struct req *r, const struct detail_kind *kind)
{
	struct detail_arg a = {kind, 0};
	enum proto_err e;
	char k[64];

	if (proto_get_id(r->body, PROTO_KEY_ID, &a.id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	detail_key(k, sizeof(k), kind->ns, a.id);
	e = cache_get_raw(r->w, k, kind->ttl_s, detail_load, &a, &r->data_raw, &r->data_raw_len);
	if (e == PROTO_ERR_NOT_FOUND)
		return req_fail_msg(r, e, "%s", kind->missing);
	return e;
}

enum proto_err detail_fetch(struct req *r, const char *ns, int ttl_s, cache_load_fn load,
                            const char *missing, cJSON **out)
{
	enum proto_err e;
	int64_t id;
	char k[64];

	*out = NULL;
	if (proto_get_id(r->body, PROTO_KEY_ID, &id) != 1)
		return req_fail_field(r, PROTO_KEY_ID);
	detail_key(k, sizeof(k), ns, id);
	e = cache_get(r->w, k, ttl_s, load, &id, out);
	if (e == PROTO_ERR_NOT_FOUND)
		return req_fail_msg(r, e, "%s", missing);
	return e;
}

cJSON *detail_list(const struct detail_kind *kind, const void *rows, int n, int64_t total)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *arr = o ? cJSON_AddArrayToObject(o, PROTO_KEY_LIST) : NULL;
	int i;

	if (!arr)
		goto fail;
	for (i = 0; i < n; i++) {
		cJSON *item = kind->json((const char *)rows + (size_t)i * kind->row_size);
		if (!item)
			goto fail;
		cJSON_AddItemToArray(arr, item);
	}
	if (!cJSON_AddNumberToObject(o, PROTO_KEY_TOTAL, (double)total))
		goto fail;
	return o;
fail:
	cJSON_Delete(o);
	return NULL;
}
