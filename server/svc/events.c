/*
 * events.c: see events.h.
 */
#include "svc/events.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/log.h"
#include "queue/kq.h"

#define EVENTS_TIMEOUT_MS 5000

int events_emit(const char *type, int64_t oid, cJSON *payload)
{
	cJSON *o = payload ? payload : cJSON_CreateObject();
	char eid[40], key[24];
	char *text = NULL;
	int rc = -1;

	if (!o)
		goto out;
	snprintf(eid, sizeof(eid), "ev-%" PRId64, ids_next());
	snprintf(key, sizeof(key), "%" PRId64, oid);
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "eventId", eid);
	cJSON_AddNumberToObject(o, "at", (double)time(NULL));
	if (!cJSON_GetObjectItemCaseSensitive(o, "orderId"))
		cJSON_AddNumberToObject(o, "orderId", (double)oid);
	text = cJSON_PrintUnformatted(o);
	if (!text)
		goto out;
	rc = kq_produce_sync(KQ_TOPIC_EVENTS, key, text, strlen(text), EVENTS_TIMEOUT_MS);
out:
	if (rc != 0)
		log_warn("cannot send event '%s' of order %" PRId64, type, oid);
	cJSON_free(text);
	cJSON_Delete(o);
	return rc;
}
