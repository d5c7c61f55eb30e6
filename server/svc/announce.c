/*
 * announce.c: see announce.h. One PUBLISH per announcement; the channel is
 * the wire name of spec 6 (no REDIS_PREFIX: other programs subscribe to it).
 */
#include "svc/announce.h"

#include <hiredis/hiredis.h>

#include "cache/redis.h"
#include "core/log.h"
#include "proto_wire.h"

int announce_advert(struct worker *w, const cJSON *advert)
{
	cJSON *msg = cJSON_CreateObject();
	cJSON *copy = cJSON_Duplicate(advert, 1);
	char *text = NULL;
	redisReply *rep = NULL;
	int rc = -1;

	if (!msg || !copy) {
		cJSON_Delete(copy);
		goto out;
	}
	cJSON_AddStringToObject(msg, "type", PROTO_WS_TYPE_ANNOUNCEMENT);
	cJSON_AddItemToObject(msg, "advert", copy);
	text = cJSON_PrintUnformatted(msg);
	if (!text)
		goto out;
	rep = redis_cmd(w, "PUBLISH %s %s", ANNOUNCE_CHANNEL, text);
	if (!rep) {
		log_warn("cannot publish announcement on '%s': redis unreachable",
		         ANNOUNCE_CHANNEL);
		goto out;
	}
	if (rep->type == REDIS_REPLY_ERROR) {
		log_warn("cannot publish announcement on '%s': %s", ANNOUNCE_CHANNEL, rep->str);
		goto out;
	}
	rc = 0;
out:
	if (rep)
		freeReplyObject(rep);
	cJSON_free(text);
	cJSON_Delete(msg);
	return rc;
}
