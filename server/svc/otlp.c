/* otlp.c: see otlp.h. */
#include "svc/otlp.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "core/config.h"
#include "core/log.h"
#include "core/metrics.h"
#include "core/thread_role.h"
#include "core/trace.h"
#include "proto_json.h"

#define POST_TIMEOUT_S 5L
#define FLUSH_MS 1000

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thr;
	struct trace_span *ring; /* OTLP_QUEUE_MAX */
	unsigned head, count;
	int accepting, stopping, running;
	char url[1024];
} q = {.mu = PTHREAD_MUTEX_INITIALIZER};

static atomic_long dropped, exported, failed;

/* The sink: runs on whichever thread ends a span, the loop thread included. */
static void sink(const struct trace_span *s)
{
	int wake = 0;

	pthread_mutex_lock(&q.mu);
	if (!q.accepting) {
		pthread_mutex_unlock(&q.mu);
		return;
	}
	if (q.count >= OTLP_QUEUE_MAX) {
		pthread_mutex_unlock(&q.mu);
		atomic_fetch_add(&dropped, 1);
		return;
	}
	q.ring[(q.head + q.count) % OTLP_QUEUE_MAX] = *s;
	q.ring[(q.head + q.count) % OTLP_QUEUE_MAX].outer = NULL;
	wake = ++q.count == OTLP_BATCH_MAX;
	pthread_mutex_unlock(&q.mu);
	if (wake)
		pthread_cond_signal(&q.cv);
}

static void add_u64_string(cJSON *o, const char *key, uint64_t v)
{
	char b[24];

	snprintf(b, sizeof(b), "%" PRIu64, v);
	cJSON_AddStringToObject(o, key, b);
}

static void add_attr(cJSON *list, const char *key, const struct trace_attr *a, const char *s)
{
	cJSON *kv = cJSON_CreateObject(), *v = cJSON_CreateObject();
	char b[24];

	cJSON_AddStringToObject(kv, "key", key);
	if (a && a->is_int) {
		/* OTLP/JSON: int64 as a decimal string (protobuf's JSON mapping). */
		snprintf(b, sizeof(b), "%" PRId64, a->i);
		cJSON_AddStringToObject(v, "intValue", b);
	} else {
		cJSON_AddStringToObject(v, "stringValue", a ? a->s : s);
	}
	cJSON_AddItemToObject(kv, "value", v);
	cJSON_AddItemToArray(list, kv);
}

static cJSON *span_json(const struct trace_span *s)
{
	cJSON *o = cJSON_CreateObject(), *attrs;
	char hex[33];
	int i;

	trace_hex(s->ids.trace_id, 16, hex);
	cJSON_AddStringToObject(o, "traceId", hex);
	trace_hex(s->ids.span_id, 8, hex);
	cJSON_AddStringToObject(o, "spanId", hex);
	for (i = 0; i < 8 && !s->ids.parent_id[i]; i++)
		;
	if (i < 8) {
		trace_hex(s->ids.parent_id, 8, hex);
		cJSON_AddStringToObject(o, "parentSpanId", hex);
	}
	cJSON_AddStringToObject(o, "name", s->name);
	cJSON_AddNumberToObject(o, "kind", s->kind);
	add_u64_string(o, "startTimeUnixNano", s->start_ns);
	add_u64_string(o, "endTimeUnixNano", s->end_ns);
	attrs = cJSON_AddArrayToObject(o, "attributes");
	if (s->request_id[0])
		add_attr(attrs, "boxoffice.request_id", NULL, s->request_id);
	for (i = 0; i < s->nattrs; i++)
		add_attr(attrs, s->attrs[i].key, &s->attrs[i], NULL);
	if (s->error) {
		cJSON *st = cJSON_AddObjectToObject(o, "status");

		cJSON_AddNumberToObject(st, "code", 2);
	}
	return o;
}

/* One ExportTraceServiceRequest of n spans; malloc'd text (cJSON_free), or NULL. */
static char *render(const struct trace_span *spans, unsigned n)
{
	cJSON *root = cJSON_CreateObject(), *rs_list, *rs, *res, *rattrs, *ss_list, *ss, *scope,
	      *list;
	char *text = NULL, instance[24];
	unsigned i;

	if (!root)
		return NULL;
	rs_list = cJSON_AddArrayToObject(root, "resourceSpans");
	rs = cJSON_CreateObject();
	cJSON_AddItemToArray(rs_list, rs);
	res = cJSON_AddObjectToObject(rs, "resource");
	rattrs = cJSON_AddArrayToObject(res, "attributes");
	add_attr(rattrs, "service.name", NULL, "boxofficed");
	add_attr(rattrs, "service.version", NULL, BOXOFFICE_VERSION);
	/* Which daemon: several share a trace (each pushes an order it hears of). */
	snprintf(instance, sizeof(instance), "%ld", cfg.node_id);
	add_attr(rattrs, "service.instance.id", NULL, instance);
	ss_list = cJSON_AddArrayToObject(rs, "scopeSpans");
	ss = cJSON_CreateObject();
	cJSON_AddItemToArray(ss_list, ss);
	scope = cJSON_AddObjectToObject(ss, "scope");
	cJSON_AddStringToObject(scope, "name", "boxoffice");
	list = cJSON_AddArrayToObject(ss, "spans");
	for (i = 0; i < n; i++)
		cJSON_AddItemToArray(list, span_json(&spans[i]));
	/* Any allocation that failed above left a hole: send nothing rather than half. */
	if (cJSON_GetArraySize(list) == (int)n)
		text = proto_json_print(root);
	cJSON_Delete(root);
	return text;
}

static size_t discard(char *p, size_t size, size_t n, void *arg)
{
	(void)p;
	(void)arg;
	return size * n;
}

/* POST one batch. Returns 0 when the collector answered 2xx. */
static int post(CURL *c, const char *body, char *why, size_t whylen)
{
	struct curl_slist *hdr = curl_slist_append(NULL, "Content-Type: application/json");
	char errbuf[CURL_ERROR_SIZE] = "";
	long status = 0;
	CURLcode rc;

	/* No "Expect: 100-continue" round trip before a large batch. */
	if (hdr)
		hdr = curl_slist_append(hdr, "Expect:");

	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, q.url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, POST_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, POST_TIMEOUT_S);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdr);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
	rc = curl_easy_perform(c);
	curl_slist_free_all(hdr);
	if (rc != CURLE_OK) {
		snprintf(why, whylen, "%s", errbuf[0] ? errbuf : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		snprintf(why, whylen, "status %ld", status);
		return -1;
	}
	return 0;
}

static void update_metrics(void)
{
	metrics_gauge_set("boxoffice_otlp_spans_exported_total", "Spans the collector took.",
	                  (double)atomic_load(&exported));
	metrics_gauge_set("boxoffice_otlp_spans_dropped_total",
	                  "Spans dropped because the export queue was full.",
	                  (double)atomic_load(&dropped));
	metrics_gauge_set("boxoffice_otlp_spans_failed_total",
	                  "Spans of batches the collector did not take.",
	                  (double)atomic_load(&failed));
}

static void *exporter_main(void *arg)
{
	struct trace_span *batch = malloc(sizeof(*batch) * OTLP_BATCH_MAX);
	CURL *c = curl_easy_init();
	int down = 0;

	(void)arg;
	pthread_mutex_lock(&q.mu);
	for (;;) {
		struct timespec until;
		unsigned n, i;
		char *body, why[CURL_ERROR_SIZE + 32];

		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += FLUSH_MS / 1000;
		while (q.count < OTLP_BATCH_MAX && !q.stopping)
			if (pthread_cond_timedwait(&q.cv, &q.mu, &until) == ETIMEDOUT)
				break;
		/* At shutdown a collector that is down gets no more 5 s tries. */
		if (q.stopping && down && q.count) {
			atomic_fetch_add(&failed, (long)q.count);
			q.count = 0;
		}
		if (q.count == 0) {
			if (q.stopping)
				break;
			continue;
		}
		n = q.count < OTLP_BATCH_MAX ? q.count : OTLP_BATCH_MAX;
		for (i = 0; i < n && batch; i++)
			batch[i] = q.ring[(q.head + i) % OTLP_QUEUE_MAX];
		q.head = (q.head + n) % OTLP_QUEUE_MAX;
		q.count -= n;
		pthread_mutex_unlock(&q.mu);
		body = batch && c ? render(batch, n) : NULL;
		if (body && post(c, body, why, sizeof(why)) == 0) {
			atomic_fetch_add(&exported, (long)n);
			if (down)
				log_info("otlp: collector '%s' takes spans again", q.url);
			down = 0;
		} else {
			atomic_fetch_add(&failed, (long)n);
			if (!body)
				snprintf(why, sizeof(why), "out of memory");
			if (!down)
				log_warn("otlp: cannot export %u spans to '%s': %s (logged once "
				         "until it "
				         "works again)",
				         n, q.url, why);
			down = 1;
		}
		cJSON_free(body);
		update_metrics();
		pthread_mutex_lock(&q.mu);
	}
	pthread_mutex_unlock(&q.mu);
	update_metrics();
	if (c)
		curl_easy_cleanup(c);
	free(batch);
	return NULL;
}

int otlp_start(const char *endpoint)
{
	pthread_condattr_t ca;
	size_t n;

	if (!endpoint || !*endpoint)
		return 0;
	n = strlen(endpoint);
	while (n && endpoint[n - 1] == '/')
		n--;
	if (snprintf(q.url, sizeof(q.url), "%.*s/v1/traces", (int)n, endpoint) >=
	    (int)sizeof(q.url)) {
		log_error("otlp: endpoint '%s' too long", endpoint);
		return -1;
	}
	q.ring = calloc(OTLP_QUEUE_MAX, sizeof(*q.ring));
	if (!q.ring) {
		log_error("otlp: cannot start: out of memory");
		return -1;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&q.cv, &ca);
	pthread_condattr_destroy(&ca);
	q.head = q.count = 0;
	q.stopping = 0;
	q.accepting = 1;
	if (thread_start(&q.thr, exporter_main, NULL, "bo-otlp") != 0) {
		q.accepting = 0;
		pthread_cond_destroy(&q.cv);
		free(q.ring);
		q.ring = NULL;
		return -1;
	}
	q.running = 1;
	trace_set_sink(sink);
	log_info("otlp: exporting spans to '%s'", q.url);
	return 0;
}

void otlp_stop(void)
{
	if (!q.running)
		return;
	trace_set_sink(NULL);
	pthread_mutex_lock(&q.mu);
	q.accepting = 0;
	q.stopping = 1;
	pthread_cond_signal(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thr, NULL);
	pthread_cond_destroy(&q.cv);
	free(q.ring);
	q.ring = NULL;
	q.running = 0;
}
