/*
 * trace.h: W3C Trace Context ids and spans, and the span in progress of the
 * calling thread (which every log line carries: core/log.h).
 *
 * A request's trace starts at the HTTP head (trace_ids_from_header: the
 * client's `traceparent` continues its trace, anything else starts a new
 * one), crosses Kafka in a `traceparent` message header and Redis pub/sub
 * in a "traceparent" member, and ends at the WebSocket push. A span lives
 * on its creator's stack between trace_span_begin and trace_span_end, on
 * one thread; while it runs it is that thread's current span (spans nest).
 * trace_span_end hands a finished span to the sink (the OTLP exporter,
 * svc/otlp.c, installed at start), which copies what it keeps: the sink
 * must never block, since spans end on the loop thread too.
 *
 * Pure computation and thread-local state: any thread, no locks.
 */
#ifndef BOXOFFICE_CORE_TRACE_H
#define BOXOFFICE_CORE_TRACE_H

#include <stddef.h>
#include <stdint.h>

/* "00-" 32 hex "-" 16 hex "-" 2 hex, and the NUL. */
#define TRACE_HEADER_SIZE 56
#define TRACE_HEADER "traceparent"
#define TRACE_NAME_SIZE 64
#define TRACE_REQUEST_ID_SIZE 80

/*
 * 1 if s may serve as a request id taken from outside (an X-Request-Id
 * header, a Kafka message's header): 1 to 64 characters of [A-Za-z0-9-_.:],
 * so it goes into JSON and logs as is.
 */
int trace_request_id_valid(const char *s);
/*
 * The request id of a request that offered given (NULL or ""): given when
 * valid, else 16 random hex digits (this thread's generator, no lock), into
 * out[TRACE_REQUEST_ID_SIZE].
 */
void trace_request_id(const char *given, char *out);
#define TRACE_MAX_ATTRS 8
#define TRACE_ATTR_KEY_SIZE 40
#define TRACE_ATTR_STR_SIZE 96

/* OTLP SpanKind numbers. */
enum trace_kind {
	TRACE_KIND_INTERNAL = 1,
	TRACE_KIND_SERVER = 2,
	TRACE_KIND_CLIENT = 3,
	TRACE_KIND_PRODUCER = 4,
	TRACE_KIND_CONSUMER = 5
};

/*
 * One span's place in its trace. parent_id all zero: a root span. valid 0:
 * no trace at all (a thread doing background work).
 */
struct trace_ids {
	uint8_t trace_id[16];
	uint8_t span_id[8];
	uint8_t parent_id[8];
	uint8_t flags;
	uint8_t valid;
};

struct trace_attr {
	char key[TRACE_ATTR_KEY_SIZE];
	int is_int;
	int64_t i;
	char s[TRACE_ATTR_STR_SIZE];
};

struct trace_span {
	struct trace_ids ids;
	char name[TRACE_NAME_SIZE];
	enum trace_kind kind;
	char request_id[TRACE_REQUEST_ID_SIZE]; /* "" when none */
	uint64_t start_ns, end_ns;              /* Unix nanoseconds */
	int error;                              /* OTLP status ERROR */
	int nattrs;
	struct trace_attr attrs[TRACE_MAX_ATTRS];
	struct trace_span *outer; /* the thread's current span before this one */
};

typedef void (*trace_sink_fn)(const struct trace_span *s);

/*
 * Parse a traceparent value (W3C Trace Context level 1): version 00 (a
 * higher version is read by its first four fields, as the spec asks;
 * ff is invalid), lower-case hex, trace-id and parent-id not all zero.
 * Returns 0 and fills trace_id, span_id (the caller's span: what a child
 * names as its parent) and flags of *out, valid 1; -1 when s is NULL,
 * empty or invalid.
 */
int trace_parse(const char *s, struct trace_ids *out);

/*
 * The ids of a server span for an incoming header: continue the header's
 * trace with a new span id, or start a new trace when the header is absent
 * or invalid (sampled flag set). Always valid afterwards.
 */
void trace_ids_from_header(struct trace_ids *out, const char *header);

/*
 * "00-<trace-id>-<span-id>-<flags>" of ids (what a child or a response
 * names as its parent) into out[TRACE_HEADER_SIZE]; "" when !ids->valid.
 */
void trace_format(const struct trace_ids *ids, char *out);

/* Lower-case hex of n bytes into out[2n+1]. */
void trace_hex(const uint8_t *b, size_t n, char *out);

/* Unix time in nanoseconds. */
uint64_t trace_now_ns(void);

/*
 * Start span s named name as the calling thread's current span. Its
 * parent: *parent when given and valid (a header, a publication), else the
 * thread's current span, else none (a new trace). With ids (valid) the
 * span takes them as they are (the server span whose ids the loop already
 * answered with). request_id (may be NULL) defaults to the parent span's.
 */
void trace_span_begin(struct trace_span *s, const char *name, enum trace_kind kind,
                      const struct trace_ids *parent, const char *request_id);
void trace_span_begin_ids(struct trace_span *s, const char *name, enum trace_kind kind,
                          const struct trace_ids *ids, const char *request_id);
/* Attributes beyond TRACE_MAX_ATTRS are dropped. */
void trace_span_attr_str(struct trace_span *s, const char *key, const char *value);
void trace_span_attr_int(struct trace_span *s, const char *key, int64_t value);
/*
 * End s (the thread's current span), make its outer span current again and
 * hand it to the sink.
 */
void trace_span_end(struct trace_span *s);

/* The calling thread's current span, or NULL. */
const struct trace_span *trace_current(void);

/*
 * The sink of finished spans (NULL: none). Set once at start before other
 * threads run, and cleared only after they stopped.
 */
void trace_set_sink(trace_sink_fn fn);

#endif
