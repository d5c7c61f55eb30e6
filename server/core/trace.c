/* trace.c: see trace.h. */
#include "core/trace.h"

#include <ctype.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/random.h"

static _Thread_local struct trace_span *current;
static _Thread_local uint64_t rng_state;
static _Atomic(trace_sink_fn) sink;

/*
 * Ids need to be unique, not secret: splitmix64, seeded once per thread
 * from the kernel, costs no syscall per id (ids are made on the loop thread).
 */
static uint64_t rng_next(void)
{
	uint64_t z;

	if (!rng_state) {
		struct timespec ts;

		if (random_bytes(&rng_state, sizeof(rng_state)) != 0 || !rng_state) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			rng_state = ((uint64_t)ts.tv_sec << 32) ^ (uint64_t)ts.tv_nsec ^
			            (uint64_t)(uintptr_t)&rng_state;
		}
	}
	z = (rng_state += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* n random bytes, not all zero (the spec forbids all-zero ids). */
static void random_id(uint8_t *b, size_t n)
{
	size_t i;

	do {
		for (i = 0; i < n; i += 8) {
			uint64_t v = rng_next();
			size_t k = n - i < 8 ? n - i : 8;

			memcpy(b + i, &v, k);
		}
		for (i = 0; i < n && !b[i]; i++)
			;
	} while (i == n);
}

static int all_zero(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i])
			return 0;
	return 1;
}

/* Lower case only: upper-case hex is invalid in traceparent. */
static const char hex_digits[] = "0123456789abcdef";

static int hexval(char c)
{
	const char *p = c ? strchr(hex_digits, c) : NULL;

	return p ? (int)(p - hex_digits) : -1;
}

/* n bytes from 2n lower-case hex digits. Returns 0 or -1. */
static int unhex(const char *s, uint8_t *out, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		int hi = hexval(s[2 * i]), lo = hi < 0 ? -1 : hexval(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

int trace_parse(const char *s, struct trace_ids *out)
{
	uint8_t version;
	size_t len;
	struct trace_ids t;

	memset(out, 0, sizeof(*out));
	if (!s)
		return -1;
	len = strlen(s);
	/* version(2) '-' trace-id(32) '-' parent-id(16) '-' flags(2) = 55 */
	if (len < 55 || s[2] != '-' || s[35] != '-' || s[52] != '-')
		return -1;
	if (unhex(s, &version, 1) < 0 || version == 0xff)
		return -1;
	/* Version 00 is exactly 55 characters; a later one may append "-...". */
	if ((version == 0 && len != 55) || (len > 55 && s[55] != '-'))
		return -1;
	memset(&t, 0, sizeof(t));
	if (unhex(s + 3, t.trace_id, 16) < 0 || unhex(s + 36, t.span_id, 8) < 0 ||
	    unhex(s + 53, &t.flags, 1) < 0)
		return -1;
	if (all_zero(t.trace_id, 16) || all_zero(t.span_id, 8))
		return -1;
	t.valid = 1;
	*out = t;
	return 0;
}

void trace_ids_from_header(struct trace_ids *out, const char *header)
{
	if (trace_parse(header, out) != 0) {
		memset(out, 0, sizeof(*out));
		random_id(out->trace_id, sizeof(out->trace_id));
		out->flags = 0x01; /* sampled: every span is exported */
		out->valid = 1;
	} else {
		/* The caller's span is the parent of ours. */
		memcpy(out->parent_id, out->span_id, sizeof(out->parent_id));
	}
	random_id(out->span_id, sizeof(out->span_id));
}

void trace_hex(const uint8_t *b, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex_digits[b[i] >> 4];
		out[2 * i + 1] = hex_digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

void trace_format(const struct trace_ids *ids, char *out)
{
	if (!ids || !ids->valid) {
		out[0] = '\0';
		return;
	}
	memcpy(out, "00-", 3);
	trace_hex(ids->trace_id, 16, out + 3);
	out[35] = '-';
	trace_hex(ids->span_id, 8, out + 36);
	out[52] = '-';
	trace_hex(&ids->flags, 1, out + 53);
}

uint64_t trace_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void span_push(struct trace_span *s, const char *name, enum trace_kind kind,
                      const char *request_id)
{
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->kind = kind;
	if (request_id)
		snprintf(s->request_id, sizeof(s->request_id), "%s", request_id);
	s->start_ns = trace_now_ns();
	s->outer = current;
	current = s;
}

void trace_span_begin(struct trace_span *s, const char *name, enum trace_kind kind,
                      const struct trace_ids *parent, const char *request_id)
{
	memset(s, 0, sizeof(*s));
	if (!(parent && parent->valid) && current) {
		parent = &current->ids;
		if (!request_id)
			request_id = current->request_id;
	}
	if (parent && parent->valid) {
		memcpy(s->ids.trace_id, parent->trace_id, sizeof(s->ids.trace_id));
		memcpy(s->ids.parent_id, parent->span_id, sizeof(s->ids.parent_id));
		s->ids.flags = parent->flags;
	} else {
		random_id(s->ids.trace_id, sizeof(s->ids.trace_id));
		s->ids.flags = 0x01;
	}
	random_id(s->ids.span_id, sizeof(s->ids.span_id));
	s->ids.valid = 1;
	span_push(s, name, kind, request_id);
}

void trace_span_begin_ids(struct trace_span *s, const char *name, enum trace_kind kind,
                          const struct trace_ids *ids, const char *request_id)
{
	memset(s, 0, sizeof(*s));
	s->ids = *ids;
	span_push(s, name, kind, request_id);
}

static struct trace_attr *attr_add(struct trace_span *s, const char *key)
{
	struct trace_attr *a;

	if (s->nattrs >= TRACE_MAX_ATTRS)
		return NULL;
	a = &s->attrs[s->nattrs++];
	snprintf(a->key, sizeof(a->key), "%s", key);
	return a;
}

void trace_span_attr_str(struct trace_span *s, const char *key, const char *value)
{
	struct trace_attr *a = attr_add(s, key);

	if (a)
		snprintf(a->s, sizeof(a->s), "%s", value ? value : "");
}

void trace_span_attr_int(struct trace_span *s, const char *key, int64_t value)
{
	struct trace_attr *a = attr_add(s, key);

	if (a) {
		a->is_int = 1;
		a->i = value;
	}
}

void trace_span_end(struct trace_span *s)
{
	trace_sink_fn fn = atomic_load_explicit(&sink, memory_order_acquire);

	s->end_ns = trace_now_ns();
	/* Spans end in the order they began; a mismatch would be a bug. */
	if (current == s)
		current = s->outer;
	if (fn && (s->ids.flags & 0x01))
		fn(s);
}

const struct trace_span *trace_current(void)
{
	return current;
}

void trace_set_sink(trace_sink_fn fn)
{
	atomic_store_explicit(&sink, fn, memory_order_release);
}

int trace_request_id_valid(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.:", *s))
			return 0;
	return 1;
}

void trace_request_id(const char *given, char *out)
{
	uint8_t b[8];

	if (given && trace_request_id_valid(given)) {
		snprintf(out, TRACE_REQUEST_ID_SIZE, "%s", given);
		return;
	}
	random_id(b, sizeof(b));
	trace_hex(b, sizeof(b), out);
}
