/*
 * kq.c: the Kafka producer, the consumer thread and the embedded cluster.
 *
 * Threads: kq_start/kq_stop run on main; kq_produce*, kq_healthy and
 * kq_consumer_lag on any worker or consumer thread. A poll thread serves the
 * producer's delivery reports. The consumer thread owns the consumer handle,
 * its worker (MySQL/Redis connections) and everything in struct cons; the
 * rebalance callback runs on it too, from inside rd_kafka_consumer_poll().
 */
#include "queue/kq.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "core/config.h"
#include "core/log.h"
#include "core/thread_role.h"
#include "core/trace.h"
#include "core/pool.h"
#include "store/db.h"
#include "core/clock.h"
#include "proto_json.h"

#define MAX_HANDLERS 32
#define TYPE_MAX 32     /* applied_events.type VARCHAR(32) */
#define EVENT_ID_MAX 64 /* applied_events.event_id VARCHAR(64) */
#define PREFIX_MAX 100
#define TOPIC_MAX (PREFIX_MAX + 16)
#define ORIGINAL_MAX (64 * 1024) /* bytes of an unparseable message kept in the dlq */
#define LAG_EVERY_MS 3000
#define UNAVAILABLE_WAIT_MS 1000
#define DEADLOCK_RETRIES 20
#define DLQ_TIMEOUT_MS 10000
#define BATCH_MAX 100
/* Message header of the request id beside traceparent (core/trace.h). */
#define HEADER_REQUEST_ID "x-request-id"

struct handler {
	char type[TYPE_MAX + 1];
	kq_handler_fn fn;
};

static pthread_mutex_t handlers_mu = PTHREAD_MUTEX_INITIALIZER;
static struct handler handlers[MAX_HANDLERS];
static int nhandlers;

/* State of the consumer thread only (also seen by its rebalance callback). */
struct cons {
	struct worker *w;
	int waiting; /* partitions are paused while a message waits for MySQL */
	const char *held_topic;
	int32_t held_partition;
	int held_revoked; /* the held message's partition left our assignment */
};

static struct {
	pthread_mutex_t life; /* serializes kq_start and kq_stop */
	/*
	 * Guards the producer pointer, not its use: librdkafka handles are
	 * thread-safe; the lock only keeps kq_stop from destroying the handle
	 * under a caller. Held for one call, never while waiting for a report.
	 */
	pthread_rwlock_t plock;
	rd_kafka_t *producer;
	rd_kafka_t *consumer;
	rd_kafka_t *mock_rk; /* owns the embedded cluster */
	rd_kafka_mock_cluster_t *mock;
	pthread_t poll_thr, cons_thr;
	int poll_running, cons_running;
	atomic_int stop_poll, stop_cons;
	atomic_long lag;
	char bootstrap[1024];
	char prefix[PREFIX_MAX + 1];
	char topic_orders[TOPIC_MAX], topic_payments[TOPIC_MAX];
} kq = {
    .life = PTHREAD_MUTEX_INITIALIZER,
    .plock = PTHREAD_RWLOCK_INITIALIZER,
    .lag = -1,
};

/* One kq_produce_sync call, shared with its delivery report. */
struct dr_wait {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int refs; /* the caller and the delivery report: the last one frees */
	int done;
	rd_kafka_resp_err_t err;
};

/* Sleep ms in small steps; returns -1 as soon as the consumer must stop. */
static int cons_sleep(int ms)
{
	int64_t end = clock_ms() + ms;

	while (!atomic_load(&kq.stop_cons)) {
		int64_t left = end - clock_ms();
		if (left <= 0)
			return 0;
		clock_sleep_ms(left < 50 ? (int)left : 50);
	}
	return -1;
}

static void topic_name(char *out, size_t outlen, const char *topic)
{
	snprintf(out, outlen, "%s%s", kq.prefix, topic);
}

/* ---- registry ---------------------------------------------------------- */

void kq_register(const char *type, kq_handler_fn fn)
{
	int i;

	if (!type || !*type || strlen(type) > TYPE_MAX || !fn) {
		log_error("cannot register kafka handler '%s': bad type or function",
		          type ? type : "");
		return;
	}
	pthread_mutex_lock(&handlers_mu);
	for (i = 0; i < nhandlers; i++)
		if (strcmp(handlers[i].type, type) == 0)
			break;
	if (i == MAX_HANDLERS) {
		log_error("cannot register kafka handler '%s': more than %d handlers", type,
		          MAX_HANDLERS);
	} else {
		snprintf(handlers[i].type, sizeof(handlers[i].type), "%s", type);
		handlers[i].fn = fn;
		if (i == nhandlers)
			nhandlers++;
	}
	pthread_mutex_unlock(&handlers_mu);
}

static kq_handler_fn handler_find(const char *type)
{
	kq_handler_fn fn = NULL;
	int i;

	pthread_mutex_lock(&handlers_mu);
	for (i = 0; i < nhandlers; i++)
		if (strcmp(handlers[i].type, type) == 0) {
			fn = handlers[i].fn;
			break;
		}
	pthread_mutex_unlock(&handlers_mu);
	return fn;
}

/* ---- librdkafka callbacks ------------------------------------------------ */

static void on_log(const rd_kafka_t *rk, int level, const char *fac, const char *buf)
{
	enum log_level lvl = level <= 3   ? LOG_ERROR
	                     : level == 4 ? LOG_WARN
	                     : level <= 6 ? LOG_INFO
	                                  : LOG_DEBUG;

	log_msg(lvl, "kafka %s: %s: %s", rd_kafka_name(rk), fac, buf);
}

static void on_error(rd_kafka_t *rk, int err, const char *reason, void *opaque)
{
	(void)opaque;
	/* Connection failures are logged once already, by on_log. */
	if (err == RD_KAFKA_RESP_ERR__TRANSPORT)
		return;
	if (err == RD_KAFKA_RESP_ERR__FATAL)
		log_error("kafka %s: fatal error: %s", rd_kafka_name(rk), reason);
	else
		log_warn("kafka %s: %s: %s", rd_kafka_name(rk),
		         rd_kafka_err2name((rd_kafka_resp_err_t)err), reason);
}

static void dr_wait_unref(struct dr_wait *dw)
{
	int last;

	pthread_mutex_lock(&dw->mu);
	last = --dw->refs == 0;
	pthread_mutex_unlock(&dw->mu);
	if (last) {
		pthread_cond_destroy(&dw->cv);
		pthread_mutex_destroy(&dw->mu);
		free(dw);
	}
}

/* Delivery report, on the poll thread (or in rd_kafka_flush on kq_stop). */
static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct dr_wait *dw = m->_private;

	(void)rk;
	(void)opaque;
	if (!dw) {
		if (m->err)
			log_warn("cannot deliver kafka message to '%s': %s",
			         rd_kafka_topic_name(m->rkt), rd_kafka_err2str(m->err));
		return;
	}
	pthread_mutex_lock(&dw->mu);
	dw->err = m->err;
	dw->done = 1;
	pthread_cond_broadcast(&dw->cv);
	pthread_mutex_unlock(&dw->mu);
	dr_wait_unref(dw);
}

static void *poll_main(void *arg)
{
	rd_kafka_t *rk = arg;

	while (!atomic_load(&kq.stop_poll))
		rd_kafka_poll(rk, 100);
	return NULL;
}

/* ---- trace context in message headers ------------------------------------ */

/*
 * The calling thread's current span as message headers (traceparent and the
 * request id), or NULL when there is none. librdkafka owns them once
 * producev accepts the message.
 */
static rd_kafka_headers_t *trace_headers(void)
{
	const struct trace_span *sp = trace_current();
	rd_kafka_headers_t *h;
	char tp[TRACE_HEADER_SIZE];

	if (!sp)
		return NULL;
	h = rd_kafka_headers_new(2);
	if (!h)
		return NULL;
	trace_format(&sp->ids, tp);
	rd_kafka_header_add(h, TRACE_HEADER, -1, tp, -1);
	if (sp->request_id[0])
		rd_kafka_header_add(h, HEADER_REQUEST_ID, -1, sp->request_id, -1);
	return h;
}

/* The last value of header name as a string into out[outlen], or "". */
static void header_str(const rd_kafka_message_t *m, const char *name, char *out, size_t outlen)
{
	rd_kafka_headers_t *h = NULL;
	const void *v = NULL;
	size_t n = 0;

	out[0] = '\0';
	if (rd_kafka_message_headers(m, &h) != RD_KAFKA_RESP_ERR_NO_ERROR ||
	    rd_kafka_header_get_last(h, name, &v, &n) != RD_KAFKA_RESP_ERR_NO_ERROR || !v ||
	    n >= outlen || memchr(v, '\0', n))
		return;
	memcpy(out, v, n);
	out[n] = '\0';
}

/*
 * Begin the consumer span of m: a child of the span that produced it (its
 * traceparent header), or the root of a new trace when the header is
 * missing or invalid.
 */
static void consume_span_begin(struct trace_span *s, const rd_kafka_message_t *m)
{
	struct trace_ids parent;
	char tp[128], rid[TRACE_REQUEST_ID_SIZE], name[TRACE_NAME_SIZE];
	const char *topic = rd_kafka_topic_name(m->rkt);

	header_str(m, TRACE_HEADER, tp, sizeof(tp));
	header_str(m, HEADER_REQUEST_ID, rid, sizeof(rid));
	/* It goes into JSON (logs, publications) as is: only what http.c accepts. */
	if (!trace_request_id_valid(rid))
		rid[0] = '\0';
	trace_parse(tp, &parent);
	snprintf(name, sizeof(name), "process %.50s", topic);
	trace_span_begin(s, name, TRACE_KIND_CONSUMER, &parent, rid);
	trace_span_attr_str(s, "messaging.system", "kafka");
	trace_span_attr_str(s, "messaging.destination.name", topic);
	trace_span_attr_int(s, "messaging.destination.partition.id", m->partition);
	trace_span_attr_int(s, "messaging.kafka.message.offset", m->offset);
}

/* ---- producer ------------------------------------------------------------ */

/*
 * Hand one message to librdkafka, retrying while its local queue is full
 * until deadline. dw (may be NULL) is the message's opaque. Returns 0 when
 * queued; -1 otherwise, and then no delivery report will come.
 */
static int produce_raw(const char *topic, const void *key, size_t keylen, const void *payload,
                       size_t len, struct dr_wait *dw, int64_t deadline)
{
	char name[TOPIC_MAX];
	rd_kafka_resp_err_t err;

	topic_name(name, sizeof(name), topic);
	for (;;) {
		rd_kafka_headers_t *hdrs = trace_headers();

		pthread_rwlock_rdlock(&kq.plock);
		if (!kq.producer) {
			pthread_rwlock_unlock(&kq.plock);
			if (hdrs)
				rd_kafka_headers_destroy(hdrs);
			log_warn("cannot produce to '%s': kafka is not started", name);
			return -1;
		}
		err = rd_kafka_producev(kq.producer, RD_KAFKA_V_TOPIC(name),
		                        RD_KAFKA_V_KEY((void *)key, key ? keylen : 0),
		                        RD_KAFKA_V_VALUE((void *)payload, len),
		                        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
		                        RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(dw),
		                        RD_KAFKA_V_END);
		pthread_rwlock_unlock(&kq.plock);
		if (err == RD_KAFKA_RESP_ERR_NO_ERROR)
			return 0;
		/* A message librdkafka refused leaves its headers with us. */
		if (hdrs)
			rd_kafka_headers_destroy(hdrs);
		if (err != RD_KAFKA_RESP_ERR__QUEUE_FULL || clock_ms() >= deadline) {
			log_warn("cannot produce to '%s': %s", name, rd_kafka_err2str(err));
			return -1;
		}
		/* The poll thread drains the queue as reports come back. */
		clock_sleep_ms(5);
	}
}

/* kq_produce_sync with a key of any bytes. */
static int produce_sync(const char *topic, const void *key, size_t keylen, const char *payload,
                        size_t len, int timeout_ms)
{
	struct dr_wait *dw;
	pthread_condattr_t ca;
	struct timespec ts;
	int64_t deadline = clock_ms() + (timeout_ms > 0 ? timeout_ms : 0);
	int rc = -1;

	dw = calloc(1, sizeof(*dw));
	if (!dw) {
		log_error("cannot produce to '%s%s': out of memory", kq.prefix, topic);
		return -1;
	}
	pthread_mutex_init(&dw->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&dw->cv, &ca);
	pthread_condattr_destroy(&ca);
	dw->refs = 2;
	if (produce_raw(topic, key, keylen, payload, len, dw, deadline) != 0) {
		dw->refs = 1; /* no report will come: only the caller's reference */
		goto out;
	}
	ts.tv_sec = (time_t)(deadline / 1000);
	ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
	pthread_mutex_lock(&dw->mu);
	while (!dw->done)
		if (pthread_cond_timedwait(&dw->cv, &dw->mu, &ts) == ETIMEDOUT)
			break;
	if (!dw->done) {
		log_warn("cannot produce to '%s%s': no acknowledgement within %d ms", kq.prefix,
		         topic, timeout_ms);
	} else if (dw->err) {
		log_warn("cannot produce to '%s%s': %s", kq.prefix, topic,
		         rd_kafka_err2str(dw->err));
	} else {
		rc = 0;
	}
	pthread_mutex_unlock(&dw->mu);
out:
	/* A report arriving after a timeout finds its reference and frees dw. */
	dr_wait_unref(dw);
	return rc;
}

int kq_produce_sync(const char *topic, const char *key, const char *payload, size_t len,
                    int timeout_ms)
{
	struct trace_span span;
	char name[TRACE_NAME_SIZE];
	int rc;

	ASSERT_NOT_LOOP("kafka");
	if (!trace_current())
		return produce_sync(topic, key, key ? strlen(key) : 0, payload, len, timeout_ms);
	/* Inside a trace the message is sent by a span of its own, its consumer's parent. */
	snprintf(name, sizeof(name), "send %.20s%.30s", kq.prefix, topic);
	trace_span_begin(&span, name, TRACE_KIND_PRODUCER, NULL, NULL);
	trace_span_attr_str(&span, "messaging.system", "kafka");
	rc = produce_sync(topic, key, key ? strlen(key) : 0, payload, len, timeout_ms);
	span.error = rc != 0;
	trace_span_end(&span);
	return rc;
}

int kq_produce_json(const char *topic, const char *key, const cJSON *m, int timeout_ms)
{
	char *text = m ? proto_json_print(m) : NULL;
	int rc = -1;

	if (text)
		rc = kq_produce_sync(topic, key, text, strlen(text), timeout_ms);
	cJSON_free(text);
	return rc;
}

int kq_healthy(int timeout_ms)
{
	const struct rd_kafka_metadata *md = NULL;
	rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR__STATE;

	ASSERT_NOT_LOOP("kafka");
	pthread_rwlock_rdlock(&kq.plock);
	if (kq.producer)
		err = rd_kafka_metadata(kq.producer, 0, NULL, &md, timeout_ms);
	pthread_rwlock_unlock(&kq.plock);
	if (md)
		rd_kafka_metadata_destroy(md);
	return err == RD_KAFKA_RESP_ERR_NO_ERROR;
}

long kq_consumer_lag(void)
{
	return atomic_load(&kq.lag);
}

/* ---- consumer: bookkeeping ---------------------------------------------- */

/* Pause or resume every partition currently assigned. */
static void pause_all(rd_kafka_t *rk, int pause)
{
	rd_kafka_topic_partition_list_t *parts = NULL;

	if (rd_kafka_assignment(rk, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts)
		return;
	if (parts->cnt > 0) {
		if (pause)
			rd_kafka_pause_partitions(rk, parts);
		else
			rd_kafka_resume_partitions(rk, parts);
	}
	rd_kafka_topic_partition_list_destroy(parts);
}

/*
 * Our own rebalance callback (instead of librdkafka's default assign) for
 * two reasons: partitions assigned while a message waits for MySQL must
 * start paused, and a held message whose partition is revoked must be given
 * up (its new owner reads it again from the committed offset).
 */
static void on_rebalance(rd_kafka_t *rk, rd_kafka_resp_err_t err,
                         rd_kafka_topic_partition_list_t *parts, void *opaque)
{
	struct cons *cs = opaque;
	int coop = strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
	rd_kafka_error_t *e = NULL;
	rd_kafka_resp_err_t aerr = RD_KAFKA_RESP_ERR_NO_ERROR;
	int i;

	if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		log_info("kafka consumer: %d partitions assigned", parts->cnt);
		if (coop)
			e = rd_kafka_incremental_assign(rk, parts);
		else
			aerr = rd_kafka_assign(rk, parts);
		/*
		 * A partition keeps its pause flag across assignments (seen with
		 * 2.0.2: paused, revoked, assigned again = never fetched), so set
		 * the state we want either way.
		 */
		if (parts->cnt > 0) {
			if (cs->waiting)
				rd_kafka_pause_partitions(rk, parts);
			else
				rd_kafka_resume_partitions(rk, parts);
		}
	} else {
		if (err != RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS)
			log_warn("kafka consumer: rebalance error: %s", rd_kafka_err2str(err));
		log_info("kafka consumer: %d partitions revoked", parts->cnt);
		for (i = 0; cs->held_topic && i < parts->cnt; i++)
			if (parts->elems[i].partition == cs->held_partition &&
			    strcmp(parts->elems[i].topic, cs->held_topic) == 0)
				cs->held_revoked = 1;
		if (coop)
			e = rd_kafka_incremental_unassign(rk, parts);
		else
			aerr = rd_kafka_assign(rk, NULL);
	}
	if (e) {
		log_warn("kafka consumer: cannot change assignment: %s", rd_kafka_error_string(e));
		rd_kafka_error_destroy(e);
	} else if (aerr) {
		log_warn("kafka consumer: cannot change assignment: %s", rd_kafka_err2str(aerr));
	}
}

static int64_t json_i64(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(it) ? (int64_t)it->valuedouble : RD_KAFKA_OFFSET_INVALID;
}

/*
 * Lag from librdkafka's statistics (every LAG_EVERY_MS, served by
 * rd_kafka_consumer_poll on the consumer thread): per assigned partition of
 * our topics, high watermark - committed offset (or - the next offset to
 * read when nothing is committed yet). Asking the broker instead
 * (query_watermark_offsets) queues behind the fetch long-poll and blocked
 * the consumer for about 500 ms per partition.
 */
static int on_stats(rd_kafka_t *rk, char *json, size_t json_len, void *opaque)
{
	cJSON *root = cJSON_ParseWithLength(json, json_len);
	const cJSON *topics = cJSON_GetObjectItemCaseSensitive(root, "topics");
	const cJSON *t, *p;
	long total = 0;

	(void)rk;
	(void)opaque;
	cJSON_ArrayForEach(t, topics)
	{
		if (!t->string ||
		    (strcmp(t->string, kq.topic_orders) && strcmp(t->string, kq.topic_payments)))
			continue;
		cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(t, "partitions"))
		{
			const cJSON *st = cJSON_GetObjectItemCaseSensitive(p, "fetch_state");
			int64_t hi = json_i64(p, "hi_offset"),
			        next = json_i64(p, "committed_offset");

			if (json_i64(p, "partition") < 0 || !cJSON_IsString(st) ||
			    strcmp(st->valuestring, "none") == 0 || hi < 0)
				continue;
			if (next < 0)
				next = json_i64(p, "app_offset");
			if (next < 0)
				next = json_i64(p, "lo_offset"); /* auto.offset.reset=earliest */
			if (next >= 0 && hi > next)
				total += (long)(hi - next);
		}
	}
	if (root)
		atomic_store(&kq.lag, total);
	cJSON_Delete(root);
	return 0; /* librdkafka frees json */
}

/*
 * Wait about ms for MySQL (or the dlq) to come back while holding message m.
 *
 * Why not just sleep: librdkafka sends heartbeats from its own thread, but
 * a consumer that does not call rd_kafka_consumer_poll() for
 * max.poll.interval.ms (5 min) leaves the group, and rebalances are only
 * served from poll. So we keep polling. Why pause: a poll could hand us the
 * messages after m (or from other partitions) while m is not applied; with
 * every assigned partition paused (and new ones paused by on_rebalance),
 * poll returns none: pausing drops prefetched messages, and resuming fetches
 * again from the offset after the last message returned to us, which is m.
 * So m stays in hand, nothing after it is read, and offsets are committed in
 * order. Returns 0 to try m again, -1 to give it up uncommitted (stopping,
 * or its partition was revoked: it will be read again).
 */
static int wait_held(rd_kafka_t *rk, struct cons *cs, const rd_kafka_message_t *m, int ms)
{
	int64_t end = clock_ms() + ms;

	if (!cs->waiting) {
		cs->waiting = 1;
		cs->held_topic = rd_kafka_topic_name(m->rkt);
		cs->held_partition = m->partition;
		cs->held_revoked = 0;
		pause_all(rk, 1);
	}
	while (!atomic_load(&kq.stop_cons) && !cs->held_revoked) {
		int64_t left = end - clock_ms();
		rd_kafka_message_t *x;

		if (left <= 0)
			return 0;
		x = rd_kafka_consumer_poll(rk, left < 200 ? (int)left : 200);
		if (!x)
			continue;
		if (!x->err) {
			/*
			 * Should not happen (all paused). If it does, rewind so
			 * that the message is read again after the wait.
			 */
			rd_kafka_topic_partition_list_t *one = rd_kafka_topic_partition_list_new(1);
			rd_kafka_error_t *e;

			log_warn("kafka consumer: message from '%s' [%d] while paused: rewinding",
			         rd_kafka_topic_name(x->rkt), (int)x->partition);
			rd_kafka_topic_partition_list_add(one, rd_kafka_topic_name(x->rkt),
			                                  x->partition)
			    ->offset = x->offset;
			e = rd_kafka_seek_partitions(rk, one, 2000);
			if (e)
				rd_kafka_error_destroy(e);
			rd_kafka_pause_partitions(rk, one);
			rd_kafka_topic_partition_list_destroy(one);
		}
		rd_kafka_message_destroy(x);
	}
	return -1;
}

/* Leave the waiting state: fetch again on every assigned partition. */
static void wait_done(rd_kafka_t *rk, struct cons *cs)
{
	if (!cs->waiting)
		return;
	cs->waiting = 0;
	cs->held_topic = NULL;
	cs->held_revoked = 0;
	pause_all(rk, 0);
}

/* ---- consumer: one message ---------------------------------------------- */

static int utf8_seq_len(const unsigned char *s, size_t n)
{
	int len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4;
	else
		return 0;
	if ((size_t)len > n)
		return 0;
	for (i = 1; i < len; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return len;
}

/* A NUL-terminated copy that is valid UTF-8 (bad bytes and NULs become '?'). */
static char *printable_copy(const void *data, size_t len)
{
	const unsigned char *s = data;
	char *out;
	size_t i = 0, o = 0;

	if (len > ORIGINAL_MAX)
		len = ORIGINAL_MAX;
	out = malloc(len + 1);
	if (!out)
		return NULL;
	while (i < len) {
		int n = utf8_seq_len(s + i, len - i);
		if (n == 0 || s[i] == 0) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, s + i, (size_t)n);
		o += (size_t)n;
		i += (size_t)n;
	}
	out[o] = '\0';
	return out;
}

/*
 * Produce m wrapped with error to the dlq, keyed like m. root is the parsed
 * message or NULL when it did not parse. Returns 0 once acknowledged.
 */
static int dlq_send(const rd_kafka_message_t *m, const cJSON *root, const char *error)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *orig = NULL;
	char *text = NULL, *copy = NULL;
	int rc = -1;

	if (!o)
		goto out;
	if (root) {
		orig = cJSON_Duplicate(root, 1);
	} else {
		copy = printable_copy(m->payload ? m->payload : "", m->payload ? m->len : 0);
		orig = copy ? cJSON_CreateString(copy) : NULL;
	}
	if (!orig || !cJSON_AddStringToObject(o, "error", error) ||
	    !cJSON_AddStringToObject(o, "topic", rd_kafka_topic_name(m->rkt)) ||
	    !cJSON_AddNumberToObject(o, "partition", m->partition) ||
	    !cJSON_AddNumberToObject(o, "offset", (double)m->offset)) {
		cJSON_Delete(orig);
		goto out;
	}
	cJSON_AddItemToObject(o, "message", orig);
	text = proto_json_print(o);
	if (!text)
		goto out;
	rc = produce_sync(KQ_TOPIC_DLQ, m->key, m->key_len, text, strlen(text), DLQ_TIMEOUT_MS);
out:
	if (!text)
		log_error("cannot build dlq message for '%s' [%d] @%lld: out of memory",
		          rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset);
	cJSON_free(text);
	free(copy);
	cJSON_Delete(o);
	return rc;
}

static void commit_offset(rd_kafka_t *rk, const rd_kafka_message_t *m)
{
	rd_kafka_resp_err_t err = rd_kafka_commit_message(rk, m, 0);

	/* Not fatal: a redelivered message finds its eventId and has no effect. */
	if (err)
		log_warn("kafka consumer: cannot commit '%s' [%d] @%lld: %s",
		         rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset,
		         rd_kafka_err2str(err));
}

enum apply_rc { APPLIED, ALREADY, UNAVAILABLE, DEADLOCK, FAILED };

static enum apply_rc classify(enum db_rc rc)
{
	return rc == DB_UNAVAILABLE ? UNAVAILABLE : rc == DB_DEADLOCK ? DEADLOCK : FAILED;
}

/* kq_cons_stats: counters and microseconds, written by the consumer thread. */
static atomic_ulong cst_batches, cst_batched, cst_single, cst_poll_us, cst_apply_us, cst_commit_us,
    cst_after_us, cst_offsets_us;

static void cst_add(atomic_ulong *c, double t0)
{
	atomic_fetch_add(c, (unsigned long)((clock_s() - t0) * 1e6));
}

void kq_cons_stats_get(struct kq_cons_stats *s)
{
	s->batches = atomic_load(&cst_batches);
	s->batched = atomic_load(&cst_batched);
	s->single = atomic_load(&cst_single);
	s->poll_s = (double)atomic_load(&cst_poll_us) / 1e6;
	s->apply_s = (double)atomic_load(&cst_apply_us) / 1e6;
	s->commit_s = (double)atomic_load(&cst_commit_us) / 1e6;
	s->after_s = (double)atomic_load(&cst_after_us) / 1e6;
	s->offsets_s = (double)atomic_load(&cst_offsets_us) / 1e6;
}

/* After-commit work queued by the handler being applied on this thread. */
#define AFTER_MAX 1024
static _Thread_local struct {
	kq_after_fn fn;
	void *arg;
	void (*free_fn)(void *);
	int msg; /* index of its message in a batch */
} after[AFTER_MAX];
static _Thread_local int nafter;

/*
 * The spans of a batch's messages, for their after-commit work, which runs
 * once the whole batch committed, after each message's own span ended.
 * Set by cons_batch only; a single message's work runs inside its span.
 */
struct msg_trace {
	struct trace_ids ids;
	char request_id[TRACE_REQUEST_ID_SIZE];
};
static _Thread_local const struct msg_trace *batch_traces;
static _Thread_local int batch_msg;

int kq_after_commit(kq_after_fn fn, void *arg, void (*free_fn)(void *))
{
	if (nafter >= AFTER_MAX)
		return -1;
	after[nafter].fn = fn;
	after[nafter].arg = arg;
	after[nafter].free_fn = free_fn;
	after[nafter].msg = batch_msg;
	nafter++;
	return 0;
}

/* Drop the after-commit work queued since mark (a message rolled back to its savepoint). */
static void after_drop_from(int mark)
{
	int i;

	for (i = mark; i < nafter; i++)
		if (after[i].free_fn)
			after[i].free_fn(after[i].arg);
	nafter = mark;
}

/* Run (committed) or drop the after-commit work. */
static void after_finish(struct worker *w, int run)
{
	int i;

	for (i = 0; i < nafter; i++) {
		if (run && batch_traces) {
			const struct msg_trace *mt = &batch_traces[after[i].msg];
			struct trace_span span;

			trace_span_begin(&span, "after commit", TRACE_KIND_INTERNAL, &mt->ids,
			                 mt->request_id);
			after[i].fn(w, after[i].arg);
			trace_span_end(&span);
		} else if (run) {
			after[i].fn(w, after[i].arg);
		}
		if (after[i].free_fn)
			after[i].free_fn(after[i].arg);
	}
	nafter = 0;
}

/* One attempt: record the eventId and run the handler in one transaction. */
static enum apply_rc apply_once(struct worker *w, kq_handler_fn fn, const cJSON *root,
                                const char *type, const char *event_id, char *err, size_t errlen)
{
	enum db_rc rc;

	err[0] = '\0';
	rc = db_begin(w);
	if (rc != DB_OK) {
		snprintf(err, errlen, "cannot begin transaction");
		return classify(rc);
	}
	rc = db_exec(w, "INSERT INTO applied_events (event_id, type, applied_at) VALUES (?,?,?)",
	             DB_PARAMS(DB_STR(event_id), DB_STR(type), DB_I64(time(NULL))), NULL, NULL);
	if (rc == DB_DUPLICATE) {
		db_rollback(w);
		return ALREADY;
	}
	if (rc != DB_OK) {
		db_rollback(w);
		snprintf(err, errlen, "cannot record event");
		return classify(rc);
	}
	after_finish(w, 0);
	if (fn(w, root, err, errlen) != 0) {
		after_finish(w, 0);
		db_rollback(w);
		if (!err[0])
			snprintf(err, errlen, "handler failed");
		/* The handler cannot tell us why; a dead server is not its fault. */
		return db_ping(w) == DB_UNAVAILABLE ? UNAVAILABLE : FAILED;
	}
	rc = db_commit(w);
	if (rc != DB_OK) {
		/* If the commit did land, the retry finds the eventId: no second effect. */
		after_finish(w, 0);
		db_rollback(w);
		snprintf(err, errlen, "cannot commit transaction");
		return classify(rc);
	}
	after_finish(w, 1);
	return APPLIED;
}

/* A string member of at most max bytes, or NULL. */
static const char *str_member(const cJSON *root, const char *name, size_t max)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(root, name);

	if (!cJSON_IsString(it) || !it->valuestring[0] || strlen(it->valuestring) > max)
		return NULL;
	return it->valuestring;
}

/*
 * Handle one message: apply it once, or send it to the dlq, then commit its
 * offset. A message given up in a wait is left uncommitted.
 */
static void cons_handle(rd_kafka_t *rk, struct cons *cs, const rd_kafka_message_t *m)
{
	char err[256];
	cJSON *root = NULL;
	const char *type = NULL, *event_id = NULL;
	kq_handler_fn fn = NULL;
	int attempts = 0, deadlocks = 0, backoff = 100, given_up = 1;
	struct trace_span span;

	err[0] = '\0';
	consume_span_begin(&span, m);
	if (m->payload && m->len > 0)
		root = cJSON_ParseWithLength(m->payload, m->len);
	if (!root) {
		snprintf(err, sizeof(err), "malformed message");
	} else if (!cJSON_IsObject(root)) {
		snprintf(err, sizeof(err), "malformed message: not an object");
	} else if (!(type = str_member(root, "type", TYPE_MAX))) {
		snprintf(err, sizeof(err), "malformed message: no valid 'type'");
	} else if (!(event_id = str_member(root, "eventId", EVENT_ID_MAX))) {
		snprintf(err, sizeof(err), "malformed message: no valid 'eventId'");
	} else if (!(fn = handler_find(type))) {
		snprintf(err, sizeof(err), "unknown type '%s'", type);
	}
	if (type)
		trace_span_attr_str(&span, "boxoffice.event.type", type);

	while (fn) {
		char herr[200];
		enum apply_rc rc = apply_once(cs->w, fn, root, type, event_id, herr, sizeof(herr));

		if (rc == APPLIED || rc == ALREADY) {
			if (rc == ALREADY)
				log_info("kafka consumer: event '%s' already applied", event_id);
			else
				log_info("kafka consumer: event '%s' (%s) applied", event_id, type);
			break;
		}
		if (rc == UNAVAILABLE) {
			/* Not an attempt: the message waits for MySQL, however long. */
			if (wait_held(rk, cs, m, UNAVAILABLE_WAIT_MS) != 0)
				goto out;
			continue;
		}
		if (rc == DEADLOCK && ++deadlocks <= DEADLOCK_RETRIES) {
			if (cons_sleep(10 * deadlocks) != 0)
				goto out;
			continue;
		}
		if (++attempts >= KQ_MAX_ATTEMPTS) {
			snprintf(err, sizeof(err), "%s (after %d attempts)", herr, attempts);
			break;
		}
		log_warn("kafka consumer: event '%s' (%s) failed, attempt %d: %s", event_id, type,
		         attempts, herr);
		if (cons_sleep(backoff) != 0)
			goto out;
		backoff *= 2;
	}

	if (err[0]) {
		log_warn("kafka consumer: '%s' [%d] @%lld to the dlq: %s",
		         rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset, err);
		/* The offset moves on only once the dlq holds the message. */
		while (dlq_send(m, root, err) != 0)
			if (wait_held(rk, cs, m, UNAVAILABLE_WAIT_MS) != 0)
				goto out;
	}
	commit_offset(rk, m);
	given_up = 0;
out:
	if (given_up)
		log_info("kafka consumer: '%s' [%d] @%lld left for redelivery",
		         rd_kafka_topic_name(m->rkt), (int)m->partition, (long long)m->offset);
	span.error = given_up || err[0];
	trace_span_end(&span);
	wait_done(rk, cs);
	cJSON_Delete(root);
}

/* ---- consumer: a batch ---------------------------------------------------- */

/*
 * Apply the messages of one poll batch in one transaction, a savepoint per
 * message: a message whose handler fails is rolled back to its savepoint
 * and ends the batch there (later messages may depend on it: same
 * partition, same order). Returns how many leading messages are done
 * (applied, or already applied) and committed, offsets included; the rest
 * goes through cons_handle one by one, with its retries, waits and dlq.
 */
static int cons_batch(rd_kafka_t *rk, struct cons *cs, rd_kafka_message_t **ms, int n)
{
	struct msg_trace traces[BATCH_MAX];
	rd_kafka_topic_partition_list_t *offs = NULL;
	struct worker *w = cs->w;
	char err[256];
	enum db_rc rc;
	int i, done = 0;
	double t0 = clock_s(), t1;

	if (n < 2 || db_begin(w) != DB_OK)
		return 0;
	for (i = 0; i < n; i++) {
		const rd_kafka_message_t *m = ms[i];
		const char *type, *event_id;
		kq_handler_fn fn;
		cJSON *root = NULL;
		int mark = nafter, ok;

		if (m->err || !m->payload || !m->len ||
		    !(root = cJSON_ParseWithLength(m->payload, m->len)) || !cJSON_IsObject(root) ||
		    !(type = str_member(root, "type", TYPE_MAX)) ||
		    !(event_id = str_member(root, "eventId", EVENT_ID_MAX)) ||
		    !(fn = handler_find(type))) {
			cJSON_Delete(root);
			break; /* cons_handle reports it */
		}
		rc = db_exec(w, "SAVEPOINT kq_msg", DB_NOPARAMS, NULL, NULL);
		if (rc == DB_OK)
			rc = db_exec(w,
			             "INSERT INTO applied_events (event_id, type, applied_at) "
			             "VALUES (?,?,?)",
			             DB_PARAMS(DB_STR(event_id), DB_STR(type), DB_I64(time(NULL))),
			             NULL, NULL);
		if (rc == DB_DUPLICATE) {
			rc = db_exec(w, "ROLLBACK TO SAVEPOINT kq_msg", DB_NOPARAMS, NULL, NULL);
			cJSON_Delete(root);
			if (rc != DB_OK)
				goto abort;
			done = i + 1;
			continue;
		}
		if (rc != DB_OK) {
			cJSON_Delete(root);
			goto abort;
		}
		err[0] = '\0';
		{
			struct trace_span span;

			consume_span_begin(&span, m);
			trace_span_attr_str(&span, "boxoffice.event.type", type);
			traces[i].ids = span.ids;
			memcpy(traces[i].request_id, span.request_id, sizeof(traces[i].request_id));
			batch_msg = i;
			ok = fn(w, root, err, sizeof(err)) == 0;
			batch_msg = 0;
			if (ok)
				log_info("kafka consumer: event '%s' (%s) handled in a batch",
				         event_id, type);
			span.error = !ok;
			trace_span_end(&span);
		}
		cJSON_Delete(root);
		if (!ok) {
			after_drop_from(mark);
			if (db_exec(w, "ROLLBACK TO SAVEPOINT kq_msg", DB_NOPARAMS, NULL, NULL) !=
			    DB_OK)
				goto abort;
			break;
		}
		done = i + 1;
	}
	t1 = clock_s();
	cst_add(&cst_apply_us, t0);
	if (done == 0 || db_commit(w) != DB_OK)
		goto abort;
	cst_add(&cst_commit_us, t1);
	t1 = clock_s();
	batch_traces = traces;
	after_finish(w, 1);
	batch_traces = NULL;
	cst_add(&cst_after_us, t1);
	t1 = clock_s();
	/* One synchronous offset commit for the batch: the next offset of each partition. */
	offs = rd_kafka_topic_partition_list_new(done);
	for (i = 0; i < done; i++)
		rd_kafka_topic_partition_list_add(offs, rd_kafka_topic_name(ms[i]->rkt),
		                                  ms[i]->partition)
		    ->offset = ms[i]->offset + 1;
	if (rd_kafka_commit(rk, offs, 0))
		log_warn("kafka consumer: cannot commit the offsets of a batch of %d", done);
	rd_kafka_topic_partition_list_destroy(offs);
	cst_add(&cst_offsets_us, t1);
	atomic_fetch_add(&cst_batches, 1);
	atomic_fetch_add(&cst_batched, (unsigned long)done);
	return done;
abort:
	after_finish(w, 0);
	db_rollback(w);
	return 0;
}

static void *cons_main(void *arg)
{
	struct cons *cs = arg;
	rd_kafka_t *rk = kq.consumer;
	rd_kafka_topic_partition_list_t *topics;
	rd_kafka_resp_err_t err;

	while (!(cs->w = worker_new_local())) {
		log_error("kafka consumer: cannot create its worker; retrying");
		if (cons_sleep(1000) != 0)
			goto out;
	}
	topics = rd_kafka_topic_partition_list_new(2);
	rd_kafka_topic_partition_list_add(topics, kq.topic_orders, RD_KAFKA_PARTITION_UA);
	rd_kafka_topic_partition_list_add(topics, kq.topic_payments, RD_KAFKA_PARTITION_UA);
	err = rd_kafka_subscribe(rk, topics);
	rd_kafka_topic_partition_list_destroy(topics);
	if (err) {
		log_error("kafka consumer: cannot subscribe to '%s', '%s': %s", kq.topic_orders,
		          kq.topic_payments, rd_kafka_err2str(err));
		goto out;
	}
	while (!atomic_load(&kq.stop_cons)) {
		rd_kafka_message_t *ms[BATCH_MAX];
		int n = 0, i, done;

		double t0 = clock_s();

		/* Whatever is already fetched joins the first message, up to BATCH_MAX. */
		while (n < BATCH_MAX) {
			rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, n ? 0 : 200);

			if (!m)
				break;
			if (m->err) {
				if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
					log_warn("kafka consumer: %s", rd_kafka_message_errstr(m));
				rd_kafka_message_destroy(m);
				continue;
			}
			ms[n++] = m;
		}
		cst_add(&cst_poll_us, t0);
		done = cons_batch(rk, cs, ms, n);
		for (i = 0; i < n; i++) {
			if (i >= done && !atomic_load(&kq.stop_cons)) {
				atomic_fetch_add(&cst_single, 1);
				cons_handle(rk, cs, ms[i]);
			}
			rd_kafka_message_destroy(ms[i]);
		}
	}
out:
	rd_kafka_consumer_close(rk);
	worker_free_local(cs->w);
	free(cs);
	return NULL;
}

/* ---- lifecycle ----------------------------------------------------------- */

/* Set name=value on conf, or fill msg and return -1. */
static int conf_set(rd_kafka_conf_t *conf, const char *name, const char *value, char *msg,
                    size_t msglen)
{
	char errstr[256];

	if (rd_kafka_conf_set(conf, name, value, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
		snprintf(msg, msglen, "kafka setting '%s': %s", name, errstr);
		return -1;
	}
	return 0;
}

static int env_ms(const char *name, int def)
{
	const char *v = getenv(name);
	char *end;
	long n;

	if (!v || !*v)
		return def;
	n = strtol(v, &end, 10);
	if (*end || n < 100 || n > 3600000) {
		log_warn("ignoring %s='%s': not a number of milliseconds", name, v);
		return def;
	}
	return (int)n;
}

/* Write the bootstrap address to path: a reader sees all of it or nothing. */
static int write_bootstrap_file(const char *path, const char *bootstrap, char *msg, size_t msglen)
{
	char tmp[4096];
	FILE *f;
	int rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	if (!f) {
		snprintf(msg, msglen, "cannot write '%s': %s", tmp, strerror(errno));
		return -1;
	}
	if (fprintf(f, "%s\n", bootstrap) < 0 || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(msg, msglen, "cannot write '%s': %s", tmp, strerror(errno));
		fclose(f);
		goto out;
	}
	if (fclose(f) != 0) {
		snprintf(msg, msglen, "cannot write '%s': %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		snprintf(msg, msglen, "cannot rename '%s' to '%s': %s", tmp, path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/*
 * The address the broker process wrote to path, waiting up to
 * BROKER_FILE_WAIT_MS for it (the stack may start both at once).
 */
#define BROKER_FILE_WAIT_MS 10000
static int read_broker_file(const char *path, char *out, size_t outlen, char *msg, size_t msglen)
{
	int64_t end = clock_ms() + BROKER_FILE_WAIT_MS;

	for (;;) {
		FILE *f = fopen(path, "r");

		if (f) {
			int ok = fgets(out, (int)outlen, f) != NULL;

			fclose(f);
			out[strcspn(out, "\r\n")] = '\0';
			if (ok && out[0])
				return 0;
		}
		if (clock_ms() > end)
			break;
		usleep(100000);
	}
	snprintf(msg, msglen, "no kafka broker address in '%s' (is tools/kbroker running?)", path);
	return -1;
}

/* The embedded cluster: one mock broker with our topics, on a random port. */
static int mock_start(char *msg, size_t msglen)
{
	static const struct {
		const char *topic;
		int partitions;
	} topics[] = {
	    {KQ_TOPIC_ORDERS, 4},
	    {KQ_TOPIC_PAYMENTS, 4},
	    {KQ_TOPIC_EVENTS, 1},
	    {KQ_TOPIC_DLQ, 1},
	};
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	char errstr[256], name[TOPIC_MAX];
	const char *bs;
	size_t i;

	/* log_level 3: it warns that it has no bootstrap.servers, which is the point. */
	if (conf_set(conf, "log_level", "3", msg, msglen) != 0 ||
	    conf_set(conf, "client.id", "boxofficed-mock", msg, msglen) != 0) {
		rd_kafka_conf_destroy(conf);
		return -1;
	}
	rd_kafka_conf_set_log_cb(conf, on_log);
	kq.mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!kq.mock_rk) {
		rd_kafka_conf_destroy(conf);
		snprintf(msg, msglen, "cannot start embedded kafka: %s", errstr);
		return -1;
	}
	kq.mock = rd_kafka_mock_cluster_new(kq.mock_rk, 1);
	if (!kq.mock) {
		snprintf(msg, msglen, "cannot start embedded kafka: no mock cluster");
		return -1;
	}
	for (i = 0; i < sizeof(topics) / sizeof(topics[0]); i++) {
		rd_kafka_resp_err_t err;

		topic_name(name, sizeof(name), topics[i].topic);
		err = rd_kafka_mock_topic_create(kq.mock, name, topics[i].partitions, 1);
		if (err) {
			snprintf(msg, msglen, "cannot create embedded kafka topic '%s': %s", name,
			         rd_kafka_err2str(err));
			return -1;
		}
	}
	bs = rd_kafka_mock_cluster_bootstraps(kq.mock);
	if (!bs || strlen(bs) >= sizeof(kq.bootstrap)) {
		snprintf(msg, msglen, "cannot start embedded kafka: no bootstrap address");
		return -1;
	}
	snprintf(kq.bootstrap, sizeof(kq.bootstrap), "%s", bs);
	log_info("embedded kafka listening on %s", kq.bootstrap);
	return 0;
}

static rd_kafka_t *producer_new(char *msg, size_t msglen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	char errstr[256];

	if (conf_set(conf, "bootstrap.servers", kq.bootstrap, msg, msglen) != 0 ||
	    conf_set(conf, "client.id", "boxofficed", msg, msglen) != 0 ||
	    conf_set(conf, "enable.idempotence", "true", msg, msglen) != 0 ||
	    conf_set(conf, "acks", "all", msg, msglen) != 0 ||
	    conf_set(conf, "linger.ms", "5", msg, msglen) != 0 ||
	    /* Bounds how long after a kq_produce_sync timeout a message may still land. */
	    conf_set(conf, "message.timeout.ms", "30000", msg, msglen) != 0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, on_log);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		snprintf(msg, msglen, "cannot create kafka producer: %s", errstr);
	}
	return rk;
}

static rd_kafka_t *consumer_new(struct cons *cs, char *msg, size_t msglen)
{
	rd_kafka_conf_t *conf = rd_kafka_conf_new();
	rd_kafka_t *rk;
	char errstr[256], session[16], heartbeat[16], stats[16];

	snprintf(session, sizeof(session), "%d", env_ms("KQ_SESSION_TIMEOUT_MS", 6000));
	snprintf(heartbeat, sizeof(heartbeat), "%d", env_ms("KQ_HEARTBEAT_INTERVAL_MS", 1000));
	snprintf(stats, sizeof(stats), "%d", LAG_EVERY_MS);
	if (conf_set(conf, "bootstrap.servers", kq.bootstrap, msg, msglen) != 0 ||
	    conf_set(conf, "client.id", "boxofficed-consumer", msg, msglen) != 0 ||
	    conf_set(conf, "group.id", KQ_GROUP, msg, msglen) != 0 ||
	    conf_set(conf, "enable.auto.commit", "false", msg, msglen) != 0 ||
	    conf_set(conf, "enable.auto.offset.store", "false", msg, msglen) != 0 ||
	    conf_set(conf, "auto.offset.reset", "earliest", msg, msglen) != 0 ||
	    conf_set(conf, "session.timeout.ms", session, msg, msglen) != 0 ||
	    conf_set(conf, "heartbeat.interval.ms", heartbeat, msg, msglen) != 0 ||
	    conf_set(conf, "statistics.interval.ms", stats, msg, msglen) != 0) {
		rd_kafka_conf_destroy(conf);
		return NULL;
	}
	rd_kafka_conf_set_log_cb(conf, on_log);
	rd_kafka_conf_set_error_cb(conf, on_error);
	rd_kafka_conf_set_rebalance_cb(conf, on_rebalance);
	rd_kafka_conf_set_stats_cb(conf, on_stats);
	rd_kafka_conf_set_opaque(conf, cs);
	rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof(errstr));
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		snprintf(msg, msglen, "cannot create kafka consumer: %s", errstr);
		return NULL;
	}
	/* Everything (rebalances, errors) is served by rd_kafka_consumer_poll. */
	rd_kafka_poll_set_consumer(rk);
	return rk;
}

/* Tear down whatever exists; kq.life held. */
static void teardown(void)
{
	if (kq.cons_running) {
		atomic_store(&kq.stop_cons, 1);
		pthread_join(kq.cons_thr, NULL);
		kq.cons_running = 0;
	}
	if (kq.consumer) {
		rd_kafka_destroy(kq.consumer);
		kq.consumer = NULL;
	}
	if (kq.poll_running) {
		atomic_store(&kq.stop_poll, 1);
		pthread_join(kq.poll_thr, NULL);
		kq.poll_running = 0;
	}
	if (kq.producer) {
		rd_kafka_t *p;

		pthread_rwlock_wrlock(&kq.plock);
		p = kq.producer;
		kq.producer = NULL;
		pthread_rwlock_unlock(&kq.plock);
		/* Flush serves the remaining reports, so no waiter is left hanging. */
		if (rd_kafka_flush(p, 5000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
			log_warn("kafka producer: %d messages not delivered at stop",
			         rd_kafka_outq_len(p));
			rd_kafka_purge(p, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
			rd_kafka_flush(p, 1000);
		}
		rd_kafka_destroy(p);
	}
	/* The cluster lives as long as its handle: destroy it first. */
	if (kq.mock) {
		rd_kafka_mock_cluster_destroy(kq.mock);
		kq.mock = NULL;
	}
	if (kq.mock_rk) {
		rd_kafka_destroy(kq.mock_rk);
		kq.mock_rk = NULL;
	}
	atomic_store(&kq.lag, -1);
	kq.bootstrap[0] = '\0';
}

int kq_start(const char *brokers, const char *topic_prefix, char *msg, size_t msglen)
{
	struct cons *cs = NULL;
	int rc = -1;

	pthread_mutex_lock(&kq.life);
	if (kq.producer || kq.mock_rk) {
		snprintf(msg, msglen, "kafka is already started");
		goto out_unlocked;
	}
	if (!topic_prefix)
		topic_prefix = "";
	if (strlen(topic_prefix) > PREFIX_MAX) {
		snprintf(msg, msglen, "kafka topic prefix '%s' is longer than %d bytes",
		         topic_prefix, PREFIX_MAX);
		goto out_unlocked;
	}
	snprintf(kq.prefix, sizeof(kq.prefix), "%s", topic_prefix);
	topic_name(kq.topic_orders, sizeof(kq.topic_orders), KQ_TOPIC_ORDERS);
	topic_name(kq.topic_payments, sizeof(kq.topic_payments), KQ_TOPIC_PAYMENTS);
	atomic_store(&kq.stop_poll, 0);
	atomic_store(&kq.stop_cons, 0);

	if ((!brokers || !*brokers) && cfg.kafka_broker_file && cfg.kafka_broker_file[0]) {
		/* The embedded broker runs as its own process (tools/kbroker). */
		if (read_broker_file(cfg.kafka_broker_file, kq.bootstrap, sizeof(kq.bootstrap), msg,
		                     msglen) != 0)
			goto out;
		log_info("embedded kafka broker process at %s", kq.bootstrap);
	} else if (!brokers || !*brokers) {
		if (mock_start(msg, msglen) != 0)
			goto out;
	} else {
		if (strlen(brokers) >= sizeof(kq.bootstrap)) {
			snprintf(msg, msglen, "kafka brokers '%.40s...' too long", brokers);
			goto out;
		}
		snprintf(kq.bootstrap, sizeof(kq.bootstrap), "%s", brokers);
	}
	if (cfg.kafka_bootstrap_file && cfg.kafka_bootstrap_file[0] &&
	    write_bootstrap_file(cfg.kafka_bootstrap_file, kq.bootstrap, msg, msglen) != 0)
		goto out;

	kq.producer = producer_new(msg, msglen);
	if (!kq.producer)
		goto out;
	if (thread_start(&kq.poll_thr, poll_main, kq.producer, "bo-kafka-poll") != 0) {
		snprintf(msg, msglen, "cannot start the kafka poll thread");
		goto out;
	}
	kq.poll_running = 1;
	/*
	 * kafka_consume 0: produce only. Such an instance never joins the
	 * consumer group, so its start and stop cost the group no rebalance
	 * (a second daemon in a test, a reporting instance).
	 */
	if (!cfg.kafka_consume) {
		log_info("kafka: consumers off (kafka_consume = 0): this instance only produces");
		atomic_store(&kq.lag, -1);
		rc = 0;
		goto out;
	}

	cs = calloc(1, sizeof(*cs));
	if (!cs) {
		snprintf(msg, msglen, "cannot start the kafka consumer: out of memory");
		goto out;
	}
	kq.consumer = consumer_new(cs, msg, msglen);
	if (!kq.consumer)
		goto out;
	if (thread_start(&kq.cons_thr, cons_main, cs, "bo-kafka-cons") != 0) {
		snprintf(msg, msglen, "cannot start the kafka consumer thread");
		goto out;
	}
	cs = NULL; /* the thread owns it */
	kq.cons_running = 1;
	atomic_store(&kq.lag, 0);
	rc = 0;
out:
	if (rc != 0)
		teardown();
	free(cs);
out_unlocked:
	pthread_mutex_unlock(&kq.life);
	return rc;
}

void kq_stop(void)
{
	pthread_mutex_lock(&kq.life);
	teardown();
	pthread_mutex_unlock(&kq.life);
}

int kq_broker_start(const char *topic_prefix, const char *bootstrap_file, char *msg, size_t msglen)
{
	int rc = -1;

	pthread_mutex_lock(&kq.life);
	if (kq.producer || kq.mock_rk) {
		snprintf(msg, msglen, "kafka is already started");
		goto out;
	}
	if (!topic_prefix || strlen(topic_prefix) > PREFIX_MAX) {
		snprintf(msg, msglen, "bad kafka topic prefix");
		goto out;
	}
	snprintf(kq.prefix, sizeof(kq.prefix), "%s", topic_prefix);
	if (mock_start(msg, msglen) != 0 ||
	    write_bootstrap_file(bootstrap_file, kq.bootstrap, msg, msglen) != 0) {
		teardown();
		goto out;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&kq.life);
	return rc;
}

const char *kq_broker_address(void)
{
	return kq.bootstrap;
}
