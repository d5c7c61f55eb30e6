/*
 * pubsub.c: see pubsub.h.
 */
#include "cache/pubsub.h"

#include <string.h>

#include "cache/redis.h"
#include "core/log.h"

long pubsub_publish(struct worker *w, const char *channel, const char *text, size_t len)
{
	const char *argv[3] = {"PUBLISH", channel, text};
	size_t lens[3] = {7, strlen(channel), len};
	redisReply *rep = redis_argv(w, 3, argv, lens);
	long n = -1;

	if (!rep) {
		log_warn("cannot publish on '%s': %s", channel, redis_fail_text(redis_why(w)));
		return -1;
	}
	if (rep->type == REDIS_REPLY_INTEGER)
		n = (long)rep->integer;
	else
		log_warn("cannot publish on '%s': %s", channel,
		         rep->type == REDIS_REPLY_ERROR ? rep->str : "unexpected reply");
	freeReplyObject(rep);
	return n;
}
