/*
 * ws_sub.c: see ws_sub.h. The thread waits in poll() a second at a time so
 * that it notices ws_sub_stop; pub/sub needs no SELECT (channels are global
 * to the server).
 */
#include "ws/ws_sub.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include <hiredis/hiredis.h>

#include "core/log.h"
#include "core/thread_role.h"
#include "proto_wire.h"
#include "svc/announce.h"

static pthread_t thread;
static atomic_int stopping;
static int running;
/* The seeds of redis_url; in a Redis Cluster any node delivers every publication. */
#define SUB_SEEDS 8
static char hosts[SUB_SEEDS][256];
static int ports[SUB_SEEDS], nseeds, seed;

static void pause_s(int s)
{
	for (int i = 0; i < s * 10 && !atomic_load(&stopping); i++) {
		struct timespec t = {0, 100 * 1000 * 1000};
		nanosleep(&t, NULL);
	}
}

static void handle(redisReply *r)
{
	/* ["pmessage", pattern, channel, text] or ["message", channel, text] */
	if (r->type != REDIS_REPLY_ARRAY)
		return;
	if (r->elements == 4 && !strcmp(r->element[0]->str, "pmessage") &&
	    r->element[2]->type == REDIS_REPLY_STRING && r->element[3]->type == REDIS_REPLY_STRING)
		ws_publish_in(r->element[2]->str, r->element[3]->str, r->element[3]->len);
	else if (r->elements == 3 && r->element[0]->type == REDIS_REPLY_STRING &&
	         !strcmp(r->element[0]->str, "message") &&
	         r->element[1]->type == REDIS_REPLY_STRING &&
	         r->element[2]->type == REDIS_REPLY_STRING)
		ws_publish_in(r->element[1]->str, r->element[2]->str, r->element[2]->len);
}

static void *sub_main(void *arg)
{
	int down_logged = 0, was_up = 0;
	long failures = 0;

	(void)arg;
	while (!atomic_load(&stopping)) {
		struct timeval ct = {1, 0};
		redisContext *c = redisConnectWithTimeout(hosts[seed], ports[seed], ct);
		redisReply *r;

		if (!c || c->err) {
			if (!down_logged)
				log_warn("ws: cannot subscribe on redis %s:%d: %s (retrying every "
				         "second)",
				         hosts[seed], ports[seed], c ? c->errstr : "out of memory");
			down_logged = 1;
			failures++;
			if (c)
				redisFree(c);
			seed = (seed + 1) % nseeds; /* the next seed of a cluster */
			pause_s(1);
			continue;
		}
		redisEnableKeepAlive(c);
		r = redisCommand(c, "PSUBSCRIBE %s*", PROTO_CHANNEL_SEATS);
		if (r)
			freeReplyObject(r);
		r = redisCommand(c, "SUBSCRIBE %s %s", PROTO_CHANNEL_ORDERS,
		                 PROTO_CHANNEL_ANNOUNCE);
		if (r) {
			freeReplyObject(r);
			/* SUBSCRIBE answers once per channel. */
			void *more = NULL;
			if (redisGetReply(c, &more) == REDIS_OK && more)
				freeReplyObject(more);
		}
		if (c->err) {
			redisFree(c);
			pause_s(1);
			continue;
		}
		if (down_logged)
			log_info("ws: subscribed on redis again after %ld failed attempts",
			         failures);
		down_logged = 0;
		failures = 0;
		/* Publications may have been missed while we were not subscribed. */
		if (was_up)
			ws_publish_in("", "", 0);
		was_up = 1;
		while (!atomic_load(&stopping)) {
			void *reply = NULL;
			struct pollfd pfd = {.fd = c->fd, .events = POLLIN};
			int n;

			if (redisReaderGetReply(c->reader, &reply) != REDIS_OK) {
				log_warn("ws: bad reply on the redis subscription");
				down_logged = 1;
				break;
			}
			if (reply) {
				handle(reply);
				freeReplyObject(reply);
				continue;
			}
			/* A second at most, so that ws_sub_stop is noticed. */
			n = poll(&pfd, 1, 1000);
			if (n == 0 || (n < 0 && errno == EINTR))
				continue;
			if (n < 0 || redisBufferRead(c) != REDIS_OK) {
				log_warn("ws: redis subscription lost: %s",
				         c->err ? c->errstr : "poll failed");
				down_logged = 1;
				break;
			}
		}
		redisFree(c);
		if (!atomic_load(&stopping))
			pause_s(1);
	}
	return NULL;
}

int ws_sub_start(const char *url)
{
	const char *p, *colon;
	char hp[300];
	size_t n;

	if (strncmp(url, "redis://", 8))
		return -1;
	p = url + 8;
	for (nseeds = 0, seed = 0; nseeds < SUB_SEEDS && *p && !strchr("/?", *p); nseeds++) {
		n = strcspn(p, ",/?");
		snprintf(hp, sizeof(hp), "%.*s", (int)n, p);
		colon = strrchr(hp, ':');
		ports[nseeds] = colon ? atoi(colon + 1) : 6379;
		snprintf(hosts[nseeds], sizeof(hosts[0]), "%.*s",
		         colon ? (int)(colon - hp) : (int)strlen(hp), hp);
		p += n + (p[n] == ',');
	}
	if (nseeds == 0)
		return -1;
	atomic_store(&stopping, 0);
	if (thread_start(&thread, sub_main, NULL, "bo-ws-sub") != 0)
		return -1;
	running = 1;
	return 0;
}

void ws_sub_stop(void)
{
	if (!running)
		return;
	atomic_store(&stopping, 1);
	pthread_join(thread, NULL);
	running = 0;
}
