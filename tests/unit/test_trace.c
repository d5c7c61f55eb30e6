/*
 * test_trace.c: W3C traceparent parsing (valid, invalid, future versions),
 * span nesting and the sink, and JSON log lines carrying the current span.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "core/log.h"
#include "core/trace.h"

#define SAMPLE "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"

static void test_trace_parse_accepts_the_spec_example(void **state)
{
	struct trace_ids t;
	char hex[33];

	assert_int_equal(trace_parse(SAMPLE, &t), 0);
	assert_int_equal(t.valid, 1);
	trace_hex(t.trace_id, 16, hex);
	assert_string_equal(hex, "4bf92f3577b34da6a3ce929d0e0e4736");
	trace_hex(t.span_id, 8, hex);
	assert_string_equal(hex, "00f067aa0ba902b7");
	assert_int_equal(t.flags, 1);
	(void)state;
}

static void test_trace_parse_refuses_invalid_headers(void **state)
{
	static const char *const bad[] = {
	    "",
	    "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   /* upper case */
	    "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   /* zero trace-id */
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   /* zero parent-id */
	    "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   /* version ff */
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", /* 00 is 55 long */
	    "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    /* short trace-id */
	    "00_4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   /* delimiter */
	    "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",   /* flags not hex */
	    "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   /* version not hex */
	    "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",  /* no '-' after 55 */
	    "-",
	};
	struct trace_ids t;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (trace_parse(bad[i], &t) != -1)
			fail_msg("accepted '%s'", bad[i]);
		assert_int_equal(t.valid, 0);
	}
	assert_int_equal(trace_parse(NULL, &t), -1);
	(void)state;
}

static void test_trace_parse_reads_a_later_version_by_its_first_fields(void **state)
{
	struct trace_ids t;

	assert_int_equal(
	    trace_parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-comes", &t),
	    0);
	assert_int_equal(trace_parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &t),
	                 0);
	assert_int_equal(t.flags, 0);
	(void)state;
}

static void test_trace_ids_from_header_continue_or_start(void **state)
{
	struct trace_ids a, b;
	char tp[TRACE_HEADER_SIZE], tp2[TRACE_HEADER_SIZE];

	trace_ids_from_header(&a, SAMPLE);
	trace_format(&a, tp);
	assert_int_equal(strlen(tp), 55);
	/* Same trace, a new span whose parent is the caller's. */
	assert_memory_equal(tp, "00-4bf92f3577b34da6a3ce929d0e0e4736-", 36);
	assert_memory_not_equal(tp + 36, "00f067aa0ba902b7", 16);
	assert_string_equal(tp + 52, "-01");
	trace_hex(a.parent_id, 8, tp2);
	assert_string_equal(tp2, "00f067aa0ba902b7");

	/* An invalid header starts a new, sampled trace. */
	trace_ids_from_header(&b, "00-00000000000000000000000000000000-00f067aa0ba902b7-01");
	trace_format(&b, tp2);
	assert_int_equal(trace_parse(tp2, &a), 0);
	assert_memory_not_equal(tp2 + 3, "00000000000000000000000000000000", 32);
	assert_string_equal(tp2 + 52, "-01");
	trace_ids_from_header(&a, NULL);
	assert_memory_not_equal(a.trace_id, b.trace_id, 16);
	(void)state;
}

static struct trace_span seen[4];
static int nseen;

static void fake_sink(const struct trace_span *s)
{
	if (nseen < 4)
		seen[nseen++] = *s;
}

static void test_trace_spans_nest_and_reach_the_sink(void **state)
{
	struct trace_span outer, inner;
	struct trace_ids unsampled;

	nseen = 0;
	trace_set_sink(fake_sink);
	assert_null(trace_current());
	trace_span_begin(&outer, "outer", TRACE_KIND_SERVER, NULL, "rid-1");
	assert_ptr_equal(trace_current(), &outer);
	trace_span_begin(&inner, "inner", TRACE_KIND_PRODUCER, NULL, NULL);
	assert_memory_equal(inner.ids.trace_id, outer.ids.trace_id, 16);
	assert_memory_equal(inner.ids.parent_id, outer.ids.span_id, 8);
	assert_string_equal(inner.request_id, "rid-1");
	trace_span_end(&inner);
	assert_ptr_equal(trace_current(), &outer);
	trace_span_end(&outer);
	assert_null(trace_current());
	assert_int_equal(nseen, 2);
	assert_string_equal(seen[0].name, "inner");
	assert_string_equal(seen[1].name, "outer");
	assert_true(seen[1].end_ns >= seen[1].start_ns);

	/* A caller that asked not to be sampled is not exported. */
	assert_int_equal(
	    trace_parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00", &unsampled), 0);
	trace_span_begin(&outer, "unsampled", TRACE_KIND_CONSUMER, &unsampled, NULL);
	/* A parsed header is the parent of the span begun under it. */
	assert_memory_equal(outer.ids.parent_id, unsampled.span_id, 8);
	assert_memory_equal(outer.ids.trace_id, unsampled.trace_id, 16);
	trace_span_end(&outer);
	assert_int_equal(nseen, 2);
	trace_set_sink(NULL);
	(void)state;
}

/* Log one line inside a span and parse it back. */
static void test_trace_log_lines_are_json_with_the_span(void **state)
{
	struct trace_span span;
	char path[] = "/tmp/test_trace_log_XXXXXX", line[4096], tid[33], sid[17];
	int fd = mkstemp(path), saved = dup(2);
	FILE *f;
	cJSON *o;

	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	assert_int_equal(log_set_format("json"), 0);
	trace_span_begin(&span, "log", TRACE_KIND_INTERNAL, NULL, "req-7");
	log_msg_id(LOG_INFO, "order_id", 42, "quote \" backslash \\ newline \n bad \xff end");
	trace_span_end(&span);
	log_warn("outside");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	assert_non_null(f);
	rewind(f);

	assert_non_null(fgets(line, sizeof(line), f));
	o = cJSON_Parse(line);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "level")->valuestring, "info");
	assert_string_equal(cJSON_GetObjectItem(o, "msg")->valuestring,
	                    "quote \" backslash \\ newline \n bad \xc3\xbf end");
	assert_string_equal(cJSON_GetObjectItem(o, "request_id")->valuestring, "req-7");
	trace_hex(span.ids.trace_id, 16, tid);
	trace_hex(span.ids.span_id, 8, sid);
	assert_string_equal(cJSON_GetObjectItem(o, "trace_id")->valuestring, tid);
	assert_string_equal(cJSON_GetObjectItem(o, "span_id")->valuestring, sid);
	assert_int_equal(cJSON_GetObjectItem(o, "order_id")->valueint, 42);
	assert_non_null(cJSON_GetObjectItem(o, "ts"));
	cJSON_Delete(o);

	assert_non_null(fgets(line, sizeof(line), f));
	o = cJSON_Parse(line);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "msg")->valuestring, "outside");
	assert_null(cJSON_GetObjectItem(o, "trace_id"));
	cJSON_Delete(o);
	assert_null(fgets(line, sizeof(line), f));
	fclose(f);
	unlink(path);
	assert_int_equal(log_set_format("yaml"), -1);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_trace_parse_accepts_the_spec_example),
	    cmocka_unit_test(test_trace_parse_refuses_invalid_headers),
	    cmocka_unit_test(test_trace_parse_reads_a_later_version_by_its_first_fields),
	    cmocka_unit_test(test_trace_ids_from_header_continue_or_start),
	    cmocka_unit_test(test_trace_spans_nest_and_reach_the_sink),
	    cmocka_unit_test(test_trace_log_lines_are_json_with_the_span),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
