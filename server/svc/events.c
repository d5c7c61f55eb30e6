/*
 * events.c: see events.h.
 *
 * events_emit only queues: a sender thread produces each event and waits
 * for the broker's acknowledgement, so that the payment consumer (which
 * emits after its commits) never waits for the broker. The queue is
 * bounded; an event that finds it full is dropped and logged.
 */
#include "svc/events.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/ids.h"
#include "core/log.h"
#include "core/thread_role.h"
#include "queue/kq.h"
#include "proto_json.h"

#define EVENTS_TIMEOUT_MS 5000
#define EVENTS_QUEUE_MAX 10000

struct event {
	char key[24];
	char *text;
	struct event *next;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thr;
	struct event *head, **tail;
	int len, running, stopping;
} q = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

static void *sender_main(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&q.mu);
	for (;;) {
		struct event *e;

		while (!q.head && !q.stopping)
			pthread_cond_wait(&q.cv, &q.mu);
		if (!q.head)
			break;
		e = q.head;
		q.head = e->next;
		if (!q.head)
			q.tail = &q.head;
		q.len--;
		pthread_mutex_unlock(&q.mu);
		if (kq_produce_sync(KQ_TOPIC_EVENTS, e->key, e->text, strlen(e->text),
		                    EVENTS_TIMEOUT_MS) != 0)
			log_warn("cannot send event %s", e->text);
		cJSON_free(e->text);
		free(e);
		pthread_mutex_lock(&q.mu);
	}
	pthread_mutex_unlock(&q.mu);
	return NULL;
}

int events_start(void)
{
	q.tail = &q.head;
	q.stopping = 0;
	if (thread_start(&q.thr, sender_main, NULL, "bo-events") != 0)
		return -1;
	q.running = 1;
	return 0;
}

void events_stop(void)
{
	if (!q.running)
		return;
	pthread_mutex_lock(&q.mu);
	q.stopping = 1;
	pthread_cond_broadcast(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thr, NULL);
	q.running = 0;
}

int events_emit(const char *type, int64_t oid, cJSON *payload)
{
	cJSON *o = payload ? payload : cJSON_CreateObject();
	struct event *e = NULL;
	char eid[40];
	int rc = -1;

	if (!o)
		goto out;
	snprintf(eid, sizeof(eid), "ev-%" PRId64, ids_next());
	cJSON_AddStringToObject(o, "type", type);
	cJSON_AddStringToObject(o, "eventId", eid);
	cJSON_AddNumberToObject(o, "at", (double)time(NULL));
	if (!cJSON_GetObjectItemCaseSensitive(o, "orderId"))
		cJSON_AddNumberToObject(o, "orderId", (double)oid);
	e = calloc(1, sizeof(*e));
	if (!e || !(e->text = proto_json_print(o)))
		goto out;
	snprintf(e->key, sizeof(e->key), "%" PRId64, oid);
	pthread_mutex_lock(&q.mu);
	if (q.running && !q.stopping && q.len < EVENTS_QUEUE_MAX) {
		*q.tail = e;
		q.tail = &e->next;
		q.len++;
		pthread_cond_signal(&q.cv);
		e = NULL;
		rc = 0;
	}
	pthread_mutex_unlock(&q.mu);
out:
	if (rc != 0)
		log_warn("event '%s' of order %" PRId64 " dropped (sender stopped or queue full)",
		         type, oid);
	if (e) {
		cJSON_free(e->text);
		free(e);
	}
	cJSON_Delete(o);
	return rc;
}
