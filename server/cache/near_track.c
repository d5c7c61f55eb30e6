/*
 * near_track.c: the invalidation thread of the near cache (near.h).
 *
 * Redis 7 with hiredis 0.14 (RESP2, no push replies): two connections.
 * "sub" asks for its CLIENT ID and SUBSCRIBEs to __redis__:invalidate;
 * "ctl" turns on CLIENT TRACKING ... REDIRECT <sub's id> BCAST with the
 * prefixes of the read cache and of seat versions (one per screening shard,
 * REDIS_SHARDS; they do not overlap), so every change of such
 * a key, by any client of that Redis, arrives on sub as a message whose
 * payload is the array of changed keys (nil: everything, a FLUSHALL).
 * Tracking belongs to ctl, so ctl must stay open; it answers a PING every
 * IDLE_PING_MS to prove it. Any error or EOF on either: the near cache is
 * flushed and unusable (near_sync_down) until both are set up again.
 */
#include "cache/near.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include <hiredis/hiredis.h>

#include "cache/cache.h"
#include "cache/redis.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/thread_role.h"

#define INVALIDATE_CHANNEL "__redis__:invalidate"
#define IDLE_PING_MS 1000
#define RETRY_MS 1000
/* Prefix of the seat version keys of one shard: SEATMAP_VERSION_KEY up to its number. */
#define SEATVER_PREFIX REDIS_SHARD_PREFIX "seatver:"
/* CLIENT TRACKING on REDIRECT <id> BCAST PREFIX <cache> + PREFIX <seatver> per shard */
#define TRACK_ARGC (8 + 2 * REDIS_SHARDS)

static pthread_t thread;
static atomic_int stopping;
static int running;

static redisContext *open_conn(void)
{
	char msg[400];
	redisContext *c = redis_connect(msg, sizeof(msg));

	if (!c)
		log_debug("near cache: %s", msg);
	return c;
}

/* Reply r of a command on c: 0 if of the type expected (its integer into *integer), else -1. */
static int expect(redisContext *c, redisReply *r, int type, long long *integer)
{
	int ok = r && r->type == type;

	if (!ok)
		log_warn("near cache: tracking setup failed: %s", r && r->type == REDIS_REPLY_ERROR
		                                                      ? r->str
		                                                  : c->err ? c->errstr
		                                                           : "unexpected reply");
	if (ok && integer)
		*integer = r->integer;
	if (r)
		freeReplyObject(r);
	return ok ? 0 : -1;
}

/* Subscribe sub and turn tracking on through ctl. 0 or -1. */
static int setup(redisContext *sub, redisContext *ctl)
{
	char ids[24], pre[REDIS_SHARDS][32];
	const char *argv[TRACK_ARGC] = {"CLIENT", "TRACKING", "on",     "REDIRECT",
	                                ids,      "BCAST",    "PREFIX", CACHE_PREFIX};
	long long id = 0;
	int k;

	if (expect(sub, redisCommand(sub, "CLIENT ID"), REDIS_REPLY_INTEGER, &id) < 0 ||
	    expect(sub, redisCommand(sub, "SUBSCRIBE " INVALIDATE_CHANNEL), REDIS_REPLY_ARRAY,
	           NULL) < 0)
		return -1;
	snprintf(ids, sizeof(ids), "%lld", id);
	for (k = 0; k < REDIS_SHARDS; k++) {
		snprintf(pre[k], sizeof(pre[k]), SEATVER_PREFIX, k);
		argv[8 + 2 * k] = "PREFIX";
		argv[9 + 2 * k] = pre[k];
	}
	return expect(ctl, redisCommandArgv(ctl, TRACK_ARGC, argv, NULL), REDIS_REPLY_STATUS, NULL);
}

/* One message of sub: ["message", channel, keys or nil]. */
static void apply(const redisReply *r)
{
	const redisReply *keys;
	size_t i;

	if (r->type != REDIS_REPLY_ARRAY || r->elements != 3 ||
	    r->element[0]->type != REDIS_REPLY_STRING || strcmp(r->element[0]->str, "message"))
		return; /* a pong, or the subscribe confirmation */
	keys = r->element[2];
	if (keys->type == REDIS_REPLY_ARRAY) {
		for (i = 0; i < keys->elements; i++)
			if (keys->element[i]->type == REDIS_REPLY_STRING)
				near_invalidate(keys->element[i]->str, keys->element[i]->len);
	} else {
		near_flush();
	}
}

/* Read what sub has and apply every whole message. 0, or -1 on EOF/error. */
static int drain(redisContext *sub)
{
	void *reply = NULL;
	int rc = 0;

	near_sync_begin();
	if (redisBufferRead(sub) != REDIS_OK) {
		near_sync_end(0);
		return -1;
	}
	while (redisReaderGetReply(sub->reader, &reply) == REDIS_OK && reply) {
		apply(reply);
		freeReplyObject(reply);
		reply = NULL;
	}
	if (sub->reader->err)
		rc = -1;
	/* A message cut in two stays unapplied: still not in sync. */
	near_sync_end(rc == 0 && sub->reader->pos >= sub->reader->len);
	return rc;
}

/* Follow the invalidations until a connection fails or we stop. */
static void follow(redisContext *sub, redisContext *ctl)
{
	int64_t last = clock_ms();

	while (!atomic_load(&stopping)) {
		struct pollfd p[2] = {{.fd = sub->fd, .events = POLLIN},
		                      {.fd = ctl->fd, .events = POLLIN}};
		int n = poll(p, 2, 200);

		if (n < 0)
			continue;
		if (p[1].revents) {
			log_warn("near cache: the tracking connection closed");
			return;
		}
		if (p[0].revents && drain(sub) < 0) {
			log_warn("near cache: the invalidation connection failed: %s",
			         sub->err ? sub->errstr : "closed");
			return;
		}
		if (clock_ms() - last >= IDLE_PING_MS) {
			redisReply *r = redisCommand(ctl, "PING");
			int ok = r && r->type == REDIS_REPLY_STATUS;

			if (r)
				freeReplyObject(r);
			if (!ok) {
				log_warn("near cache: the tracking connection does not answer");
				return;
			}
			last = clock_ms();
		}
	}
}

static void *track_main(void *arg)
{
	int logged = 0;

	(void)arg;
	while (!atomic_load(&stopping)) {
		redisContext *sub = open_conn(), *ctl = sub ? open_conn() : NULL;

		if (ctl && setup(sub, ctl) == 0) {
			near_sync_up(sub->fd, ctl->fd);
			log_info("near cache: tracking invalidations");
			logged = 0;
			follow(sub, ctl);
			near_sync_down();
		} else if (!logged) {
			log_warn("near cache: off until redis tracking can be set up (retrying)");
			logged = 1;
		}
		if (ctl)
			redisFree(ctl);
		if (sub)
			redisFree(sub);
		for (int64_t t = clock_ms(); !atomic_load(&stopping) && clock_ms() - t < RETRY_MS;)
			clock_sleep_ms(50);
	}
	return NULL;
}

int near_track_start(void)
{
	if (!near_enabled() || running)
		return 0;
	running = thread_start(&thread, track_main, NULL, "bo-near-track") == 0;
	return running ? 0 : -1;
}

void near_track_stop(void)
{
	if (running) {
		atomic_store(&stopping, 1);
		pthread_join(thread, NULL);
		running = 0;
		atomic_store(&stopping, 0);
	}
}
