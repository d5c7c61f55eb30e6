/*
 * it_trace.c: one order followed by its trace (issue 13, "Tracing").
 *
 * The stack's daemon exports spans to the sinks (tests/stack.sh sets
 * TRACES=1: otlp_endpoint is the sinks' HTTP port, which appends every
 * POST /v1/traces to TRACES_FILE). A customer listens on /ws (the terminal
 * client's network module), holds a seat and orders it with a traceparent
 * of the test's own; the order goes through Kafka to the order consumer and
 * comes back as order.update on the WebSocket. Then one trace id must cover
 * the HTTP request's server span, the Kafka producer and consumer spans and
 * the WebSocket push, each the descendant of the one before, and the log
 * lines of those steps must carry that trace id and the request's id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/clock.h"
#include "core/random.h"
#include "core/trace.h"
#include "fixtures.h"
#include "net.h"

#define LAYOUT "[\"SSSS\"]"
#define WAIT_S 20
#define MAX_SPANS 64

struct span {
	char name[64], id[17], parent[17];
	char instance[32]; /* the daemon's service.instance.id */
	int kind;
	int64_t recipients, order_id;
};

static int setup(void **state)
{
	(void)state;
	return it_sale_setup("trace", LAYOUT);
}

/* Wait for a WebSocket message of type (and orderId, when oid > 0); malloc'd JSON. */
static cJSON *ws_wait(struct net *n, const char *type, int64_t oid)
{
	double until = clock_s() + WAIT_S;

	while (clock_s() < until) {
		struct net_event ev;
		cJSON *j;

		if (net_poll(n, &ev) < 0) {
			usleep(20000);
			continue;
		}
		j = ev.kind == NET_EV_WS_MSG && ev.body ? cJSON_Parse(ev.body) : NULL;
		net_event_release(&ev);
		if (j && cJSON_IsString(cJSON_GetObjectItem(j, "type")) &&
		    !strcmp(cJSON_GetObjectItem(j, "type")->valuestring, type) &&
		    (oid <= 0 || it_json_int(j, "orderId") == oid))
			return j;
		cJSON_Delete(j);
	}
	fail_msg("no '%s' message on /ws within %d s", type, WAIT_S);
	return NULL;
}

static int64_t attr_int(const cJSON *s, const char *key)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(s, "attributes"))
	{
		const cJSON *k = cJSON_GetObjectItem(a, "key");
		const cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(a, "value"), "intValue");

		if (cJSON_IsString(k) && !strcmp(k->valuestring, key) && cJSON_IsString(v))
			return strtoll(v->valuestring, NULL, 10);
	}
	return -1;
}

/* The string attribute key of o (a span or a resource), or "". */
static const char *attr_str(const cJSON *o, const char *key)
{
	const cJSON *a;

	cJSON_ArrayForEach(a, cJSON_GetObjectItem(o, "attributes"))
	{
		const cJSON *k = cJSON_GetObjectItem(a, "key");
		const cJSON *v =
		    cJSON_GetObjectItem(cJSON_GetObjectItem(a, "value"), "stringValue");

		if (cJSON_IsString(k) && !strcmp(k->valuestring, key) && cJSON_IsString(v))
			return v->valuestring;
	}
	return "";
}

/* The spans of trace tid in the collector's file so far. */
static int read_spans(const char *tid, struct span *out, int max)
{
	FILE *f = fopen(it_env("TRACES_FILE"), "r");
	size_t cap = 0;
	char *line = NULL;
	int n = 0;

	if (!f)
		return 0;
	while (getline(&line, &cap, f) > 0) {
		cJSON *req = cJSON_Parse(line), *rs, *ss, *s;

		cJSON_ArrayForEach(rs, cJSON_GetObjectItem(req, "resourceSpans"))
		    cJSON_ArrayForEach(ss, cJSON_GetObjectItem(rs, "scopeSpans"))
		        cJSON_ArrayForEach(s, cJSON_GetObjectItem(ss, "spans"))
		{
			const cJSON *parent = cJSON_GetObjectItem(s, "parentSpanId");

			if (n >= max || strcmp(it_json_str(s, "traceId"), tid))
				continue;
			snprintf(
			    out[n].instance, sizeof(out[n].instance), "%s",
			    attr_str(cJSON_GetObjectItem(rs, "resource"), "service.instance.id"));
			snprintf(out[n].name, sizeof(out[n].name), "%s", it_json_str(s, "name"));
			snprintf(out[n].id, sizeof(out[n].id), "%s", it_json_str(s, "spanId"));
			snprintf(out[n].parent, sizeof(out[n].parent), "%s",
			         cJSON_IsString(parent) ? parent->valuestring : "");
			out[n].kind = (int)it_json_int(s, "kind");
			out[n].recipients = attr_int(s, "boxoffice.ws.recipients");
			out[n].order_id = attr_int(s, "boxoffice.order_id");
			n++;
		}
		cJSON_Delete(req);
	}
	free(line);
	fclose(f);
	return n;
}

static const struct span *find(const struct span *s, int n, const char *name, int kind)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s[i].name, name) && s[i].kind == kind)
			return &s[i];
	return NULL;
}

static int is_push_of(const struct span *s, int64_t oid)
{
	return !strcmp(s->name, "ws push order.update") && s->kind == TRACE_KIND_PRODUCER &&
	       s->order_id == oid;
}

/*
 * The push spans of order oid: one per daemon (each has the publication),
 * however many loops (each with a hub of its own) it runs; -1 when a daemon
 * (service.instance.id) recorded more than one. *delivered gets the one
 * that reached a connection.
 */
static int order_pushes(const struct span *s, int n, int64_t oid, const struct span **delivered)
{
	int count = 0;

	*delivered = NULL;
	for (int i = 0; i < n; i++) {
		if (!is_push_of(&s[i], oid))
			continue;
		for (int k = 0; k < i; k++)
			if (is_push_of(&s[k], oid) && !strcmp(s[k].instance, s[i].instance))
				return -1;
		if (s[i].recipients > 0 && !*delivered)
			*delivered = &s[i];
		count++;
	}
	return count;
}

/* The daemons of the stack: 2 when it has a second one. */
static int daemons(void)
{
	const char *second = it_env("DAEMON2_LOG");

	return second && *second ? 2 : 1;
}

/* 1 when span `from` has ancestor id `anc` (within the trace's spans). */
static int descends(const struct span *s, int n, const struct span *from, const char *anc)
{
	for (int depth = 0; from && depth < n; depth++) {
		const struct span *up = NULL;

		if (!strcmp(from->parent, anc))
			return 1;
		for (int i = 0; i < n; i++)
			if (!strcmp(s[i].id, from->parent))
				up = &s[i];
		from = up;
	}
	return 0;
}

/* How many lines of log file path of trace tid and request rid contain both words. */
static int log_lines_in(const char *path, const char *tid, const char *rid, const char *w1,
                        const char *w2)
{
	FILE *f = fopen(path, "r");
	size_t cap = 0;
	char *line = NULL;
	int n = 0;

	assert_non_null(f);
	while (getline(&line, &cap, f) > 0) {
		cJSON *o;
		const cJSON *t, *r, *m;

		if (line[0] != '{' || !strstr(line, tid))
			continue;
		o = cJSON_Parse(line);
		t = cJSON_GetObjectItem(o, "trace_id");
		r = cJSON_GetObjectItem(o, "request_id");
		m = cJSON_GetObjectItem(o, "msg");
		n += cJSON_IsString(t) && !strcmp(t->valuestring, tid) && cJSON_IsString(r) &&
		     !strcmp(r->valuestring, rid) && cJSON_IsString(m) &&
		     strstr(m->valuestring, w1) && strstr(m->valuestring, w2);
		cJSON_Delete(o);
	}
	free(line);
	fclose(f);
	return n;
}

/*
 * The same, over the logs of every daemon of the stack: with two, the
 * request, the consumer and the push may each run on either.
 */
static int log_lines(const char *tid, const char *rid, const char *w1, const char *w2)
{
	const char *second = it_env("DAEMON2_LOG");
	int n = log_lines_in(it_env("DAEMON_LOG"), tid, rid, w1, w2);

	if (second && *second)
		n += log_lines_in(second, tid, rid, w1, w2);
	return n;
}

static void test_trace_one_order_from_request_to_push(void **state)
{
	uint8_t tid_b[16], parent_b[8];
	char tid[33], parent[17], tp[80], rid[64], body[200], want[64], auth[1100];
	const char *headers[5];
	struct span spans[MAX_SPANS];
	const struct span *server, *send, *consume, *push;
	struct net *n;
	struct it_resp *r;
	int64_t sid, hold_id, oid;
	int nspans = 0, npushes;
	double until;
	cJSON *j;

	(void)state;
	assert_non_null(it_env("TRACES_FILE"));
	n = net_new(it_env("BOXOFFICE_URL"), body, sizeof(body));
	assert_non_null(n);
	net_ws_want(n, it_sale.cust, 0);
	cJSON_Delete(ws_wait(n, "auth.ok", 0));

	sid = it_created_id(it_postf(
	    "/screening/create", it_sale.admin,
	    "{\"filmId\":%lld,\"hallId\":%lld,\"startAt\":%lld,\"prices\":{\"S\":4000}}",
	    (long long)it_sale.film, (long long)it_sale.hall, (long long)time(NULL) + 86400));
	r = it_ok(it_postf("/seat/hold", it_sale.cust, "{\"screeningId\":%lld,\"seats\":[\"A1\"]}",
	                   (long long)sid));
	hold_id = it_data_int(r, "holdId");
	it_resp_free(r);

	/* The caller's own trace: the daemon continues it. */
	assert_int_equal(random_bytes(tid_b, sizeof(tid_b)), 0);
	assert_int_equal(random_bytes(parent_b, sizeof(parent_b)), 0);
	tid_b[0] |= 1;
	parent_b[0] |= 1;
	trace_hex(tid_b, 16, tid);
	trace_hex(parent_b, 8, parent);
	snprintf(tp, sizeof(tp), "traceparent: 00-%s-%s-01", tid, parent);
	snprintf(rid, sizeof(rid), "X-Request-Id: it-trace-%d", (int)getpid());
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", it_sale.cust);
	headers[0] = auth;
	headers[1] = tp;
	headers[2] = rid;
	headers[3] = NULL;
	snprintf(body, sizeof(body), "{\"holdId\":%lld,\"items\":[{\"seat\":\"A1\"}]}",
	         (long long)hold_id);
	r = it_ok(it_request("POST", "/order/create", headers, body, strlen(body)));
	oid = it_data_int(r, "id");
	/* The answer names the request's span: same trace, a span of its own. */
	snprintf(want, sizeof(want), "00-%s-", tid);
	assert_int_equal(strlen(r->traceparent), 55);
	assert_memory_equal(r->traceparent, want, 36);
	assert_memory_not_equal(r->traceparent + 36, parent, 16);
	assert_string_equal(r->traceparent + 52, "-01");
	it_resp_free(r);

	/* The consumer wrote the order and the hub pushed it to its owner. */
	j = ws_wait(n, "order.update", oid);
	assert_int_equal(it_json_int(j, "status"), 0);
	assert_null(cJSON_GetObjectItem(j, "traceparent"));
	cJSON_Delete(j);
	net_free(n);

	/*
	 * Every daemon's exporter sends at least once a second; with two, the
	 * steps' spans may come from either, each in its own batch, so wait for
	 * all four; then two seconds more, in which a second push span of one
	 * daemon (another loop's hub) would come in.
	 */
	until = clock_s() + WAIT_S;
	do {
		nspans = read_spans(tid, spans, MAX_SPANS);
		server = find(spans, nspans, "POST /order/create", TRACE_KIND_SERVER);
		send = find(spans, nspans, "send boxoffice.orders", TRACE_KIND_PRODUCER);
		consume = find(spans, nspans, "process boxoffice.orders", TRACE_KIND_CONSUMER);
		order_pushes(spans, nspans, oid, &push);
		if (server && send && consume && push)
			break;
		usleep(200000);
	} while (clock_s() < until);
	usleep(2200000);
	nspans = read_spans(tid, spans, MAX_SPANS);
	server = find(spans, nspans, "POST /order/create", TRACE_KIND_SERVER);
	send = find(spans, nspans, "send boxoffice.orders", TRACE_KIND_PRODUCER);
	consume = find(spans, nspans, "process boxoffice.orders", TRACE_KIND_CONSUMER);
	npushes = order_pushes(spans, nspans, oid, &push);
	for (int i = 0; i < nspans; i++)
		print_message("span %s kind %d id %s parent %s instance %s\n", spans[i].name,
		              spans[i].kind, spans[i].id, spans[i].parent, spans[i].instance);
	assert_non_null(server);
	assert_non_null(send);
	assert_non_null(consume);
	/*
	 * One publication, one push per daemon (each subscribes to the order
	 * channel): not one span per loop's hub.
	 */
	assert_true(npushes >= 1);
	assert_true(npushes <= daemons());
	assert_non_null(push);
	assert_string_equal(server->parent, parent);
	assert_string_equal(send->parent, server->id);
	assert_string_equal(consume->parent, send->id);
	assert_true(descends(spans, nspans, push, consume->id));
	assert_int_equal(push->order_id, oid);
	assert_int_equal(push->recipients, 1);

	/* The log lines of each step carry the trace and the request id. */
	snprintf(rid, sizeof(rid), "it-trace-%d", (int)getpid());
	snprintf(want, sizeof(want), "order %lld ", (long long)oid);
	assert_int_equal(log_lines(tid, rid, want, "queued, pending"), 1);
	assert_true(log_lines(tid, rid, "kafka consumer: event", "order.requested") >= 1);
	snprintf(want, sizeof(want), "ws: order %lld ", (long long)oid);
	/* One line per daemon's push, with the total over its hubs. */
	assert_int_equal(log_lines_in(it_env("DAEMON_LOG"), tid, rid, want, "pushed to "), 1);
	if (daemons() > 1)
		assert_int_equal(log_lines_in(it_env("DAEMON2_LOG"), tid, rid, want, "pushed to "),
		                 1);
	assert_int_equal(log_lines(tid, rid, want, "pushed to 1 connections"), 1);
}

/* A traceparent the spec refuses starts a new trace; the answer still has one. */
static void test_trace_invalid_header_starts_a_new_trace(void **state)
{
	static const char *const headers[] = {
	    "traceparent: 00-00000000000000000000000000000000-00f067aa0ba902b7-01", NULL};
	struct it_resp *r = it_request("GET", "/healthz", headers, NULL, 0);
	struct trace_ids t;

	(void)state;
	it_assert_status(r, 200);
	assert_int_equal(trace_parse(r->traceparent, &t), 0);
	assert_int_not_equal(t.flags & 1, 0);
	it_resp_free(r);
	/* An error the transport answers itself carries one too. */
	r = it_request("DELETE", "/order/create", NULL, NULL, 0);
	it_assert_status(r, 405);
	assert_int_equal(trace_parse(r->traceparent, &t), 0);
	it_resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trace_one_order_from_request_to_push),
	    cmocka_unit_test(test_trace_invalid_header_starts_a_new_trace),
	};

	if (it_setup() < 0)
		return 1;
	return cmocka_run_group_tests(tests, setup, it_sale_teardown);
}
