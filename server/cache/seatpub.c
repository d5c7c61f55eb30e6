/*
 * seatpub.c: see seatpub.h.
 */
#include "cache/seatpub.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cache/redis.h"
#include "cache/seatmap.h"
#include "core/log.h"
#include "proto_wire.h"

static struct redis_script change_script = REDIS_SCRIPT(
    "seatpub_change", "local v = redis.call('INCR', KEYS[1])\n"
                      "redis.call('PUBLISH', ARGV[1], '{\"screeningId\":' .. ARGV[2] .. "
                      "',\"version\":' .. v .. ',\"changes\":' .. ARGV[3] .. '}')\n"
                      "return v\n");

int64_t seatpub_change(struct worker *w, int64_t sid, const char *const *seats, const char *states,
                       int n)
{
	char key[64], chan[64], idtxt[24];
	cJSON *arr = NULL;
	char *changes = NULL;
	redisReply *rep = NULL;
	int64_t v = -1;
	int i;

	if (n <= 0 || sid <= 0)
		return 0;
	arr = cJSON_CreateArray();
	for (i = 0; arr && i < n; i++) {
		cJSON *c = cJSON_CreateObject();
		char st[2] = {states[i], '\0'};

		if (!c)
			goto out;
		cJSON_AddStringToObject(c, "seat", seats[i]);
		cJSON_AddStringToObject(c, "state", st);
		cJSON_AddItemToArray(arr, c);
	}
	changes = arr ? cJSON_PrintUnformatted(arr) : NULL;
	if (!changes)
		goto out;
	snprintf(key, sizeof(key), SEATMAP_VERSION_KEY, sid);
	snprintf(chan, sizeof(chan), SEATPUB_SEATS_CHANNEL "%" PRId64, sid);
	snprintf(idtxt, sizeof(idtxt), "%" PRId64, sid);
	{
		const char *argv[] = {key, chan, idtxt, changes};

		rep = redis_eval(w, &change_script, 1, 3, argv, NULL);
	}
	if (!rep)
		log_warn("cannot publish %d seat changes of screening %" PRId64
		         ": redis unreachable",
		         n, sid);
	else if (rep->type == REDIS_REPLY_INTEGER)
		v = rep->integer;
	else
		log_warn("cannot publish seat changes of screening %" PRId64 ": %s", sid,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	seatmap_invalidate(w, sid);
out:
	if (rep)
		freeReplyObject(rep);
	cJSON_free(changes);
	cJSON_Delete(arr);
	return v;
}

int seatpub_order(struct worker *w, int64_t oid, int64_t uid, int64_t cashier_id, int status)
{
	char text[256];
	redisReply *rep;
	int rc = -1;

	snprintf(text, sizeof(text),
	         "{\"orderId\":%" PRId64 ",\"uid\":%" PRId64 ",\"cashierId\":%" PRId64
	         ",\"status\":%d,\"statusText\":\"%s\"}",
	         oid, uid, cashier_id, status, proto_order_status_text(status));
	rep = redis_cmd(w, "PUBLISH %s %s", SEATPUB_ORDERS_CHANNEL, text);
	if (!rep) {
		log_warn("cannot publish status of order %" PRId64 ": redis unreachable", oid);
		return -1;
	}
	if (rep->type != REDIS_REPLY_ERROR)
		rc = 0;
	freeReplyObject(rep);
	return rc;
}
