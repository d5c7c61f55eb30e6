/*
 * test_otlp.c: the OTLP/HTTP JSON exporter against a collector of the
 * test's own (a loopback listener on a free port): what arrives at
 * /v1/traces, and that a collector that is down costs nothing but the spans.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "core/metrics.h"
#include "core/trace.h"
#include "svc/otlp.h"

/* One POST at a time: its request line and body. */
struct collector {
	int fd, port;
	pthread_t thr;
	char line[256];
	char *body;
	int posts;
};

static void *collector_main(void *arg)
{
	struct collector *c = arg;
	int s;

	while ((s = accept(c->fd, NULL, NULL)) >= 0) {
		char head[8192], *end, *cl;
		size_t have = 0, len;
		ssize_t k;

		while (have < sizeof(head) - 1 &&
		       (k = read(s, head + have, sizeof(head) - 1 - have)) > 0) {
			have += (size_t)k;
			head[have] = '\0';
			if ((end = strstr(head, "\r\n\r\n")))
				break;
		}
		end = strstr(head, "\r\n\r\n");
		cl = strcasestr(head, "content-length:");
		if (!end || !cl) {
			close(s);
			continue;
		}
		len = strtoul(cl + 15, NULL, 10);
		free(c->body);
		c->body = calloc(1, len + 1);
		have -= (size_t)(end + 4 - head);
		memcpy(c->body, end + 4, have);
		while (have < len && (k = read(s, c->body + have, len - have)) > 0)
			have += (size_t)k;
		snprintf(c->line, sizeof(c->line), "%.*s", (int)strcspn(head, "\r"), head);
		c->posts++;
		dprintf(s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
		close(s);
	}
	return NULL;
}

static void collector_start(struct collector *c)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t al = sizeof(a);

	memset(c, 0, sizeof(*c));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	assert_int_equal(bind(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(c->fd, 8), 0);
	assert_int_equal(getsockname(c->fd, (struct sockaddr *)&a, &al), 0);
	c->port = ntohs(a.sin_port);
	assert_int_equal(pthread_create(&c->thr, NULL, collector_main, c), 0);
}

static void collector_stop(struct collector *c)
{
	shutdown(c->fd, SHUT_RDWR);
	close(c->fd);
	pthread_join(c->thr, NULL);
}

static const cJSON *path(const cJSON *o, const char *a, const char *b)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(o, a), 0)
	           ? cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(o, a), 0), b)
	           : NULL;
}

static void test_otlp_exports_spans_with_their_parents(void **state)
{
	struct collector c;
	struct trace_span outer, inner;
	char url[64], hex[33];
	const cJSON *spans, *s0, *s1, *a;
	cJSON *req;

	(void)state;
	collector_start(&c);
	/* A trailing slash is not doubled. */
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/", c.port);
	assert_int_equal(otlp_start(url), 0);
	trace_span_begin(&outer, "POST /order/create", TRACE_KIND_SERVER, NULL, "rid-9");
	trace_span_begin(&inner, "send boxoffice.orders", TRACE_KIND_PRODUCER, NULL, NULL);
	trace_span_attr_int(&inner, "boxoffice.order_id", 77);
	trace_span_end(&inner);
	outer.error = 1;
	trace_span_end(&outer);
	otlp_stop(); /* sends what is queued */
	collector_stop(&c);

	assert_int_equal(c.posts, 1);
	assert_string_equal(c.line, "POST /v1/traces HTTP/1.1");
	req = cJSON_Parse(c.body);
	if (!req)
		fail_msg("not JSON: %s", c.body);
	spans = path(cJSON_GetArrayItem(cJSON_GetObjectItem(req, "resourceSpans"), 0), "scopeSpans",
	             "spans");
	assert_int_equal(cJSON_GetArraySize(spans), 2);
	s0 = cJSON_GetArrayItem(spans, 0); /* ended first */
	s1 = cJSON_GetArrayItem(spans, 1);
	assert_string_equal(cJSON_GetObjectItem(s0, "name")->valuestring, "send boxoffice.orders");
	assert_int_equal(cJSON_GetObjectItem(s0, "kind")->valueint, TRACE_KIND_PRODUCER);
	trace_hex(outer.ids.trace_id, 16, hex);
	assert_string_equal(cJSON_GetObjectItem(s0, "traceId")->valuestring, hex);
	assert_string_equal(cJSON_GetObjectItem(s1, "traceId")->valuestring, hex);
	trace_hex(outer.ids.span_id, 8, hex);
	assert_string_equal(cJSON_GetObjectItem(s1, "spanId")->valuestring, hex);
	assert_string_equal(cJSON_GetObjectItem(s0, "parentSpanId")->valuestring, hex);
	assert_null(cJSON_GetObjectItem(s1, "parentSpanId"));
	assert_true(cJSON_IsString(cJSON_GetObjectItem(s1, "startTimeUnixNano")));
	assert_true(strtoull(cJSON_GetObjectItem(s1, "endTimeUnixNano")->valuestring, NULL, 10) >=
	            strtoull(cJSON_GetObjectItem(s1, "startTimeUnixNano")->valuestring, NULL, 10));
	assert_int_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(s1, "status"), "code")->valueint,
	                 2);
	/* The request id travels as an attribute; an int attribute as a decimal string. */
	a = cJSON_GetArrayItem(cJSON_GetObjectItem(s1, "attributes"), 0);
	assert_string_equal(cJSON_GetObjectItem(a, "key")->valuestring, "boxoffice.request_id");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(a, "value"), "stringValue")->valuestring,
	    "rid-9");
	a = cJSON_GetArrayItem(cJSON_GetObjectItem(s0, "attributes"), 1);
	assert_string_equal(cJSON_GetObjectItem(a, "key")->valuestring, "boxoffice.order_id");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(a, "value"), "intValue")->valuestring, "77");
	cJSON_Delete(req);
	free(c.body);
}

/* The value of a /metrics line. */
static long metric(const char *name)
{
	size_t len;
	char *m = metrics_render(&len), want[80];
	const char *at;
	long v = -1;

	snprintf(want, sizeof(want), "\n%s ", name);
	at = m ? strstr(m, want) : NULL;
	if (at)
		v = strtol(at + strlen(want), NULL, 10);
	free(m);
	return v < 0 ? 0 : v; /* not yet set: 0 */
}

static void test_otlp_collector_down_drops_and_counts(void **state)
{
	struct collector c;
	struct trace_span s;
	struct timespec t0, t1;
	long exported = metric("boxoffice_otlp_spans_exported_total");
	long lost = metric("boxoffice_otlp_spans_dropped_total") +
	            metric("boxoffice_otlp_spans_failed_total");
	char url[64];

	(void)state;
	/* A port that was free a moment ago: nothing listens there now. */
	collector_start(&c);
	collector_stop(&c);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", c.port);
	assert_int_equal(otlp_start(url), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* More than the queue holds, as fast as they come: the caller never waits. */
	for (int i = 0; i < OTLP_QUEUE_MAX + 500; i++) {
		trace_span_begin(&s, "x", TRACE_KIND_INTERNAL, NULL, NULL);
		trace_span_end(&s);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_true((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9 <
	            2.0);
	otlp_stop();
	/* Every span is either dropped at the queue or failed at the collector. */
	assert_int_equal(metric("boxoffice_otlp_spans_exported_total"), exported);
	assert_int_equal(metric("boxoffice_otlp_spans_dropped_total") +
	                     metric("boxoffice_otlp_spans_failed_total") - lost,
	                 OTLP_QUEUE_MAX + 500);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_otlp_exports_spans_with_their_parents),
	    cmocka_unit_test(test_otlp_collector_down_drops_and_counts),
	};
	int rc;

	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	curl_global_cleanup();
	return rc;
}
