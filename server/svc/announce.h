/*
 * announce.h: the seam through which a valid announcement reaches every
 * WebSocket client (spec 4.10, 6). The advert service calls announce_advert
 * after the write commits; it publishes the advert on the Redis channel
 * PROTO_CHANNEL_ANNOUNCE (proto_wire.h), to which every instance's WebSocket hub subscribes
 * (the selling issue adds the hub). Worker threads only.
 */
#ifndef BOXOFFICE_SVC_ANNOUNCE_H
#define BOXOFFICE_SVC_ANNOUNCE_H

#include <cjson/cJSON.h>

struct worker;

/* Publish {"type":"announcement","advert":{...}}. Returns 0, or -1 if Redis is down (logged). */
int announce_advert(struct worker *w, const cJSON *advert);

#endif
