/*
 * pubsub.h: publishing on Redis pub/sub channels (PROTO_CHANNEL_* of
 * proto_wire.h), so that services never speak Redis themselves. Delivery
 * is at most once: a subscriber that is away misses the message, which is
 * why every seat message carries a version. Worker threads only.
 */
#ifndef BOXOFFICE_CACHE_PUBSUB_H
#define BOXOFFICE_CACHE_PUBSUB_H

#include <stddef.h>

struct worker;

/*
 * PUBLISH text (len bytes) on channel. Returns the number of subscribers
 * that received it (0 or more), or -1 when Redis cannot be reached or
 * refuses (logged with the reason).
 */
long pubsub_publish(struct worker *w, const char *channel, const char *text, size_t len);

#endif
