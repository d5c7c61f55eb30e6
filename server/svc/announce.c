/*
 * announce.c: see announce.h. One PUBLISH per announcement; the channel is
 * the wire name of spec 6 (PROTO_CHANNEL_ANNOUNCE).
 */
#include "svc/announce.h"

#include <string.h>

#include "cache/pubsub.h"
#include "core/log.h"
#include "proto_wire.h"
#include "proto_json.h"

int announce_advert(struct worker *w, const cJSON *advert)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON *copy = cJSON_Duplicate(advert, 1);
	char *text = NULL;
	int rc = -1;

	if (!msg || !copy) {
		cJSON_Delete(copy);
		goto out;
	}
	cJSON_AddStringToObject(msg, "type", PROTO_WS_TYPE_ANNOUNCEMENT);
	cJSON_AddItemToObject(msg, "advert", copy);
	text = proto_json_print(msg);
	if (!text)
		goto out;
	if (pubsub_publish(w, PROTO_CHANNEL_ANNOUNCE, text, strlen(text)) < 0)
		goto out;
	rc = 0;
out:
	cJSON_free(text);
	cJSON_Delete(msg);
	return rc;
}
