/*
 * test_protocol.c: the wire contract's protocol/ layer (spec sections 1, 2):
 * error table, body limits, field getters, UTF-8 lengths, envelopes, names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "proto_error.h"
#include "proto_json.h"
#include "proto_wire.h"

#define TWO_53 (INT64_C(1) << 53)

/*
 * Parses exactly strlen(s) bytes from a heap copy with no NUL after it, so
 * AddressSanitizer catches any read past len.
 */
static cJSON *parse_n(const char *s, size_t n, enum proto_err *err)
{
	char *buf = malloc(n ? n : 1);
	cJSON *v;

	assert_non_null(buf);
	memcpy(buf, s, n);
	v = proto_json_parse(buf, n, err);
	free(buf);
	return v;
}

static cJSON *parse(const char *s, enum proto_err *err)
{
	return parse_n(s, strlen(s), err);
}

static void assert_parse_fails(const char *s, enum proto_err want)
{
	enum proto_err err = PROTO_OK;
	cJSON *v = parse(s, &err);

	if (v) {
		cJSON_Delete(v);
		fail_msg("body '%s' was accepted", s);
	}
	assert_int_equal(err, want);
}

static void assert_parse_ok(const char *s)
{
	enum proto_err err = PROTO_ERR_INTERNAL;
	cJSON *v = parse(s, &err);

	if (!v)
		fail_msg("body '%s' was refused", s);
	assert_int_equal(err, PROTO_OK);
	assert_true(cJSON_IsObject(v));
	cJSON_Delete(v);
}

/* A body whose value nests depth levels: objects, the inner ones arrays if arrays. */
static char *nested(int depth, int arrays)
{
	size_t cap = (size_t)depth * 6 + 16, n = 0;
	char *s = malloc(cap);
	int i;

	assert_non_null(s);
	if (arrays) {
		n += (size_t)sprintf(s + n, "{\"a\":");
		for (i = 1; i < depth; i++)
			s[n++] = '[';
		for (i = 1; i < depth; i++)
			s[n++] = ']';
		s[n++] = '}';
	} else {
		for (i = 1; i < depth; i++)
			n += (size_t)sprintf(s + n, "{\"a\":");
		n += (size_t)sprintf(s + n, "{}");
		for (i = 1; i < depth; i++)
			s[n++] = '}';
	}
	s[n] = '\0';
	return s;
}

/* ---- proto_error ---- */

static const struct {
	enum proto_err e;
	int status;
	const char *slug;
} spec_rows[] = {
    {PROTO_ERR_OK, 200, "ok"},
    {PROTO_ERR_BAD_REQUEST, 400, "bad_request"},
    {PROTO_ERR_INVALID_FIELD, 400, "invalid_field"},
    {PROTO_ERR_UNAUTHORIZED, 401, "unauthorized"},
    {PROTO_ERR_TOKEN_EXPIRED, 401, "token_expired"},
    {PROTO_ERR_BAD_SIGNATURE, 401, "bad_signature"},
    {PROTO_ERR_FORBIDDEN, 403, "forbidden"},
    {PROTO_ERR_NOT_FOUND, 404, "not_found"},
    {PROTO_ERR_METHOD_NOT_ALLOWED, 405, "method_not_allowed"},
    {PROTO_ERR_SEAT_TAKEN, 409, "seat_taken"},
    {PROTO_ERR_CONFLICT, 409, "conflict"},
    {PROTO_ERR_ALREADY_EXISTS, 409, "already_exists"},
    {PROTO_ERR_HOLD_EXPIRED, 410, "hold_expired"},
    {PROTO_ERR_CODE_EXPIRED, 410, "code_expired"},
    {PROTO_ERR_LENGTH_REQUIRED, 411, "length_required"},
    {PROTO_ERR_TOO_LARGE, 413, "too_large"},
    {PROTO_ERR_URI_TOO_LONG, 414, "uri_too_long"},
    {PROTO_ERR_UNSUPPORTED_MEDIA_TYPE, 415, "unsupported_media_type"},
    {PROTO_ERR_RATE_LIMITED, 429, "rate_limited"},
    {PROTO_ERR_HEADERS_TOO_LARGE, 431, "headers_too_large"},
    {PROTO_ERR_INTERNAL, 500, "internal"},
    {PROTO_ERR_UNAVAILABLE, 503, "unavailable"},
};
#define N_SPEC_ROWS (sizeof(spec_rows) / sizeof(spec_rows[0]))

/* Spec 1: stored text refuses C0/C1 controls; desc/content keep LF and tab. */
static void test_json_get_str_refuses_controls(void **state)
{
	cJSON *o = cJSON_Parse("{\"title\":\"a\\u0001b\",\"name\":\"a\\u009bb\","
	                       "\"genre\":\"a\\u007fb\",\"desc\":\"l1\\nl2\\tx\","
	                       "\"content\":\"a\\rb\",\"other\":\"a\\nb\","
	                       "\"ok\":\"caf\u00e9 \u2014 \u00a0fine\"}");
	const char *s = NULL;

	(void)state;
	assert_non_null(o);
	assert_int_equal(proto_get_str(o, "title", 100, &s), -1);
	assert_int_equal(proto_get_str(o, "name", 100, &s), -1);
	assert_int_equal(proto_get_str(o, "genre", 100, &s), -1);
	assert_int_equal(proto_get_str(o, "desc", 100, &s), 1);
	assert_int_equal(proto_get_str(o, "content", 100, &s), -1);
	assert_int_equal(proto_get_str(o, "other", 100, &s), -1);
	assert_int_equal(proto_get_str(o, "ok", 100, &s), 1);
	assert_int_equal(proto_text_ok("\xc2\xa0", 0), 1);
	assert_int_equal(proto_text_ok("\xc2\x80", 1), 0);
	cJSON_Delete(o);
}

static void test_error_every_row_matches_spec(void **state)
{
	size_t i;

	(void)state;
	/* a row added to the table without a line here fails */
	assert_int_equal(N_SPEC_ROWS, PROTO_ERR__COUNT);
	for (i = 0; i < N_SPEC_ROWS; i++) {
		assert_int_equal(proto_err_status(spec_rows[i].e), spec_rows[i].status);
		assert_string_equal(proto_err_slug(spec_rows[i].e), spec_rows[i].slug);
		assert_non_null(proto_err_message(spec_rows[i].e));
		assert_true(strlen(proto_err_message(spec_rows[i].e)) > 0);
	}
	assert_int_equal(PROTO_OK, PROTO_ERR_OK);
	assert_string_equal(proto_err_message(PROTO_OK), "OK");
}

static void test_error_slug_round_trips(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < PROTO_ERR__COUNT; i++)
		assert_int_equal(proto_err_from_slug(proto_err_slug((enum proto_err)i)), i);
}

static void test_error_slugs_are_unique(void **state)
{
	int i, j;

	(void)state;
	for (i = 0; i < PROTO_ERR__COUNT; i++)
		for (j = i + 1; j < PROTO_ERR__COUNT; j++)
			assert_string_not_equal(proto_err_slug((enum proto_err)i),
			                        proto_err_slug((enum proto_err)j));
}

static void test_error_unknown_slug_is_count(void **state)
{
	(void)state;
	assert_int_equal(proto_err_from_slug("no_such_error"), PROTO_ERR__COUNT);
	assert_int_equal(proto_err_from_slug(""), PROTO_ERR__COUNT);
	assert_int_equal(proto_err_from_slug("SEAT_TAKEN"), PROTO_ERR__COUNT);
	assert_int_equal(proto_err_from_slug("seat_taken "), PROTO_ERR__COUNT);
	assert_int_equal(proto_err_from_slug(NULL), PROTO_ERR__COUNT);
}

static void test_error_out_of_range_is_internal(void **state)
{
	(void)state;
	assert_int_equal(proto_err_status(PROTO_ERR__COUNT), 500);
	assert_int_equal(proto_err_status((enum proto_err) - 1), 500);
	assert_int_equal(proto_err_status((enum proto_err)1000), 500);
	assert_string_equal(proto_err_slug(PROTO_ERR__COUNT), "internal");
	assert_string_equal(proto_err_slug((enum proto_err) - 1), "internal");
	assert_string_equal(proto_err_message(PROTO_ERR__COUNT),
	                    proto_err_message(PROTO_ERR_INTERNAL));
}

/* ---- proto_json_parse ---- */

static void test_json_parse_empty_body_is_empty_object(void **state)
{
	enum proto_err err = PROTO_ERR_INTERNAL;
	const char *blanks[] = {"", " ", "\r\n", " \t\r\n  "};
	size_t i;
	cJSON *v;

	(void)state;
	for (i = 0; i < sizeof(blanks) / sizeof(blanks[0]); i++) {
		err = PROTO_ERR_INTERNAL;
		v = parse(blanks[i], &err);
		assert_non_null(v);
		assert_int_equal(err, PROTO_OK);
		assert_true(cJSON_IsObject(v));
		assert_null(v->child);
		cJSON_Delete(v);
	}
	v = proto_json_parse(NULL, 0, &err);
	assert_non_null(v);
	assert_true(cJSON_IsObject(v));
	cJSON_Delete(v);
}

static void test_json_parse_object_with_fields(void **state)
{
	enum proto_err err;
	cJSON *v = parse(" {\"id\": 7, \"name\": \"Ran\", \"seats\": [\"C7\", \"C8\"]} \n", &err);

	(void)state;
	assert_non_null(v);
	assert_int_equal(err, PROTO_OK);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(v, "seats")), 2);
	assert_string_equal(cJSON_GetObjectItem(v, "name")->valuestring, "Ran");
	cJSON_Delete(v);
}

static void test_json_parse_err_may_be_null(void **state)
{
	cJSON *v;

	(void)state;
	v = proto_json_parse("{}", 2, NULL);
	assert_non_null(v);
	cJSON_Delete(v);
	assert_null(proto_json_parse("[", 1, NULL));
	assert_null(proto_json_parse("{}", PROTO_MAX_BODY + 1, NULL));
}

static void test_json_parse_len_is_authoritative(void **state)
{
	enum proto_err err;
	cJSON *v;

	(void)state;
	/* bytes after len are not part of the body */
	v = proto_json_parse("{}garbage", 2, &err);
	assert_non_null(v);
	cJSON_Delete(v);
	v = proto_json_parse("{\"a\":1}", 7, &err);
	assert_non_null(v);
	cJSON_Delete(v);
	/* a body cut short by len */
	assert_null(proto_json_parse("{\"a\":1}", 6, &err));
	assert_int_equal(err, PROTO_ERR_BAD_REQUEST);
	/* a NUL byte inside len is not the end of the body */
	assert_null(parse_n("{}\0", 3, &err));
	assert_int_equal(err, PROTO_ERR_BAD_REQUEST);
	assert_null(parse_n("{}\0{}", 5, &err));
	assert_int_equal(err, PROTO_ERR_BAD_REQUEST);
	assert_null(parse_n("{\"a\":\"x\0y\"}", 11, &err));
	assert_int_equal(err, PROTO_ERR_BAD_REQUEST);
	/* a non-NULL buffer is required for a non-empty body */
	assert_null(proto_json_parse(NULL, 2, &err));
	assert_int_equal(err, PROTO_ERR_BAD_REQUEST);
}

static char *body_of_size(size_t size)
{
	char *s = malloc(size + 1);

	assert_non_null(s);
	assert_true(size >= 8);
	memcpy(s, "{\"a\":\"", 6);
	memset(s + 6, 'x', size - 8);
	memcpy(s + size - 2, "\"}", 3);
	return s;
}

static void test_json_parse_max_body_is_accepted(void **state)
{
	char *s = body_of_size(PROTO_MAX_BODY);
	enum proto_err err;
	cJSON *v;

	(void)state;
	assert_int_equal(strlen(s), 64 * 1024);
	v = parse(s, &err);
	assert_non_null(v);
	assert_int_equal(strlen(cJSON_GetObjectItem(v, "a")->valuestring), PROTO_MAX_BODY - 8);
	cJSON_Delete(v);
	free(s);
}

static void test_json_parse_max_body_plus_one_is_too_large(void **state)
{
	char *s = body_of_size(PROTO_MAX_BODY + 1);
	enum proto_err err = PROTO_OK;

	(void)state;
	assert_null(parse(s, &err));
	assert_int_equal(err, PROTO_ERR_TOO_LARGE);
	free(s);
	/* size is judged before content */
	s = malloc(PROTO_MAX_BODY + 1);
	assert_non_null(s);
	memset(s, '[', PROTO_MAX_BODY + 1);
	assert_null(proto_json_parse(s, PROTO_MAX_BODY + 1, &err));
	assert_int_equal(err, PROTO_ERR_TOO_LARGE);
	memset(s, ' ', PROTO_MAX_BODY + 1);
	assert_null(proto_json_parse(s, PROTO_MAX_BODY + 1, &err));
	assert_int_equal(err, PROTO_ERR_TOO_LARGE);
	free(s);
}

static void test_json_parse_depth_16_objects_ok(void **state)
{
	char *s = nested(PROTO_MAX_DEPTH, 0);
	enum proto_err err;
	cJSON *v;

	(void)state;
	assert_int_equal(PROTO_MAX_DEPTH, 16);
	v = parse(s, &err);
	assert_non_null(v);
	assert_int_equal(proto_json_depth(v), 16);
	cJSON_Delete(v);
	free(s);
}

static void test_json_parse_depth_17_objects_rejected(void **state)
{
	char *s = nested(PROTO_MAX_DEPTH + 1, 0);

	(void)state;
	assert_parse_fails(s, PROTO_ERR_BAD_REQUEST);
	free(s);
}

static void test_json_parse_arrays_count_as_depth(void **state)
{
	char *s = nested(PROTO_MAX_DEPTH, 1);
	enum proto_err err;
	cJSON *v;

	(void)state;
	v = parse(s, &err);
	assert_non_null(v);
	assert_int_equal(proto_json_depth(v), 16);
	cJSON_Delete(v);
	free(s);
	s = nested(PROTO_MAX_DEPTH + 1, 1);
	assert_parse_fails(s, PROTO_ERR_BAD_REQUEST);
	free(s);
}

static void test_json_parse_far_too_deep_rejected(void **state)
{
	/* deeper than cJSON's own limit of 1000 as well as ours */
	char *s = nested(5000, 1);

	(void)state;
	assert_parse_fails(s, PROTO_ERR_BAD_REQUEST);
	free(s);
	s = nested(1000, 0);
	assert_parse_fails(s, PROTO_ERR_BAD_REQUEST);
	free(s);
}

static void test_json_parse_brackets_in_strings_are_not_depth(void **state)
{
	(void)state;
	assert_parse_ok("{\"a\":\"[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{{\"}");
	assert_parse_ok("{\"[[[[[[[[[[[[[[[[[[[[\":\"\\\"[[[[[[[[[[[[[[[[[[[[\"}");
	/* siblings add no depth */
	assert_parse_ok("{\"a\":[1,[2],[[3]],{}],\"b\":{\"c\":{}},\"d\":[[],[]]}");
}

static void test_json_parse_top_level_must_be_object(void **state)
{
	(void)state;
	assert_parse_fails("[]", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("[{}]", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("1", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("\"s\"", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("null", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("true", PROTO_ERR_BAD_REQUEST);
}

static void test_json_parse_trailing_garbage_rejected(void **state)
{
	(void)state;
	assert_parse_fails("{}x", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{}{}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{} 1", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":1}}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":1},", PROTO_ERR_BAD_REQUEST);
	assert_parse_ok("{}  \r\n\t");
	assert_parse_ok("\n\t {}");
}

static void test_json_parse_malformed_rejected(void **state)
{
	static const char *bad[] = {
	    "{",
	    "}",
	    "{\"a\"}",
	    "{\"a\":}",
	    "{\"a\":1,}",
	    "{'a':1}",
	    "{a:1}",
	    "{\"a\":1 \"b\":2}",
	    "{\"a\":[1,]}",
	    "{\"a\":tru}",
	    "{\"a\":nul}",
	    "{\"a\":True}",
	    "{\"a\":\"x}",
	    "{\"a\":\"x\\\"}",
	    "{\"a\":1}\\",
	    "x",
	    "{\"a\":undefined}",
	    "{\"a\":1/*c*/}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_parse_fails(bad[i], PROTO_ERR_BAD_REQUEST);
}

static void test_json_parse_numbers_follow_rfc_8259(void **state)
{
	static const char *bad[] = {
	    "{\"a\":01}",       "{\"a\":-01}",       "{\"a\":1.}",    "{\"a\":.5}",   "{\"a\":+1}",
	    "{\"a\":1e}",       "{\"a\":1e+}",       "{\"a\":-}",     "{\"a\":0x10}", "{\"a\":NaN}",
	    "{\"a\":Infinity}", "{\"a\":-Infinity}", "{\"a\":1.5.2}", "{\"a\":1.e5}", "{\"a\":--1}",
	    "{\"a\":1-2}",      "{\"a\":[01]}",      "{\"a\":1 2}",
	};
	static const char *good[] = {
	    "{\"a\":0}",   "{\"a\":-0}",     "{\"a\":1e2}",        "{\"a\":1E+2}", "{\"a\":1.5e-3}",
	    "{\"a\":0.0}", "{\"a\":-12.25}", "{\"a\":[1,-2,3.5]}", "{\"a\":10 }",  "{\"a\":1e999}",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_parse_fails(bad[i], PROTO_ERR_BAD_REQUEST);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_parse_ok(good[i]);
}

static void test_json_parse_control_characters_rejected(void **state)
{
	(void)state;
	assert_parse_fails("{\"a\":\"x\ty\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\"x\ny\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\"\x1f\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("\x01{}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{}\x0b", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\x0c"
	                   "1}",
	                   PROTO_ERR_BAD_REQUEST);
	/* escaped they are fine */
	assert_parse_ok("{\"a\":\"x\\ty\\n\\u001f\"}");
}

static void test_json_parse_escapes(void **state)
{
	enum proto_err err;
	cJSON *v;

	(void)state;
	v = parse("{\"a\":\"\\u00e9\\ud83d\\ude00\\\"\\\\\\/\\b\\f\\n\\r\\t\"}", &err);
	assert_non_null(v);
	assert_string_equal(cJSON_GetObjectItem(v, "a")->valuestring,
	                    "\xc3\xa9\xf0\x9f\x98\x80\"\\/\b\f\n\r\t");
	cJSON_Delete(v);
	/* an escaped backslash followed by the text u0000 is no NUL */
	v = parse("{\"a\":\"\\\\u0000\"}", &err);
	assert_non_null(v);
	assert_string_equal(cJSON_GetObjectItem(v, "a")->valuestring, "\\u0000");
	cJSON_Delete(v);
	assert_parse_fails("{\"a\":\"\\x\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\"\\u12\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\"\\u12g4\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\"\\ud800\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\"\\ude00\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"a\":\"\\", PROTO_ERR_BAD_REQUEST);
}

static void test_json_parse_nul_escape_rejected(void **state)
{
	(void)state;
	/* cJSON would cut "ab\u0000cd" to "ab"; refuse rather than truncate */
	assert_parse_fails("{\"a\":\"ab\\u0000cd\"}", PROTO_ERR_BAD_REQUEST);
	assert_parse_fails("{\"\\u0000\":1}", PROTO_ERR_BAD_REQUEST);
	assert_parse_ok("{\"a\":\"\\u0001\"}");
}

static void test_json_depth_of_values(void **state)
{
	cJSON *v;

	(void)state;
	assert_int_equal(proto_json_depth(NULL), 0);
	v = cJSON_CreateNumber(1);
	assert_int_equal(proto_json_depth(v), 0);
	cJSON_Delete(v);
	v = cJSON_CreateObject();
	assert_int_equal(proto_json_depth(v), 1);
	cJSON_Delete(v);
	v = cJSON_Parse("[[],[[1]],2]");
	assert_int_equal(proto_json_depth(v), 3);
	cJSON_Delete(v);
	v = cJSON_Parse("{\"a\":[{}],\"b\":1}");
	assert_int_equal(proto_json_depth(v), 3);
	cJSON_Delete(v);
}

/* ---- getters ---- */

static cJSON *fields(const char *s)
{
	enum proto_err err;
	cJSON *v = parse(s, &err);

	if (!v)
		fail_msg("fixture '%s' did not parse", s);
	return v;
}

/* proto_get_int on {"v":<json>} with [min, max]; *out starts at a sentinel. */
static int get_int(const char *json, int64_t min, int64_t max, int64_t *out)
{
	char body[256];
	cJSON *v;
	int rc;

	snprintf(body, sizeof(body), "{\"v\":%s}", json);
	v = fields(body);
	*out = -4242;
	rc = proto_get_int(v, "v", min, max, out);
	cJSON_Delete(v);
	return rc;
}

static void test_json_get_int_in_range(void **state)
{
	int64_t out;

	(void)state;
	assert_int_equal(get_int("5", 0, 10, &out), 1);
	assert_int_equal(out, 5);
	assert_int_equal(get_int("-3", -10, 10, &out), 1);
	assert_int_equal(out, -3);
}

static void test_json_get_int_bounds(void **state)
{
	int64_t out;

	(void)state;
	assert_int_equal(get_int("1", 1, 100, &out), 1);
	assert_int_equal(out, 1);
	assert_int_equal(get_int("100", 1, 100, &out), 1);
	assert_int_equal(out, 100);
	assert_int_equal(get_int("0", 1, 100, &out), -1);
	assert_int_equal(out, -4242);
	assert_int_equal(get_int("101", 1, 100, &out), -1);
	assert_int_equal(out, -4242);
	assert_int_equal(get_int("-1", 0, 100, &out), -1);
	assert_int_equal(get_int("7", 7, 7, &out), 1);
	assert_int_equal(out, 7);
	assert_int_equal(get_int("-5", -5, -1, &out), 1);
	assert_int_equal(out, -5);
	assert_int_equal(get_int("-6", -5, -1, &out), -1);
	assert_int_equal(get_int("0", -5, -1, &out), -1);
}

static void test_json_get_int_rejects_fractions(void **state)
{
	int64_t out;

	(void)state;
	assert_int_equal(get_int("1.5", 0, 10, &out), -1);
	assert_int_equal(get_int("0.1", 0, 10, &out), -1);
	assert_int_equal(get_int("-0.5", -10, 10, &out), -1);
	assert_int_equal(get_int("2.000001", 0, 10, &out), -1);
	assert_int_equal(get_int("1e-1", 0, 10, &out), -1);
	assert_int_equal(out, -4242);
}

static void test_json_get_int_accepts_integral_numbers(void **state)
{
	int64_t out;

	(void)state;
	/* the value, not its spelling, decides */
	assert_int_equal(get_int("1.0", 0, 10, &out), 1);
	assert_int_equal(out, 1);
	assert_int_equal(get_int("1e2", 0, 1000, &out), 1);
	assert_int_equal(out, 100);
	assert_int_equal(get_int("-0", 0, 10, &out), 1);
	assert_int_equal(out, 0);
}

static void test_json_get_int_rejects_other_types(void **state)
{
	static const char *bad[] = {"\"5\"", "\"\"", "true", "false",
	                            "[]",    "[5]",  "{}",   "{\"v\":5}"};
	size_t i;
	int64_t out;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(get_int(bad[i], INT64_MIN, INT64_MAX, &out), -1);
		assert_int_equal(out, -4242);
	}
}

static void test_json_get_int_null_or_missing_is_absent(void **state)
{
	cJSON *v = fields("{\"n\":null,\"x\":1}");
	int64_t out = 99;

	(void)state;
	assert_int_equal(proto_get_int(v, "n", 0, 10, &out), 0);
	assert_int_equal(proto_get_int(v, "missing", 0, 10, &out), 0);
	assert_int_equal(proto_get_int(v, "", 0, 10, &out), 0);
	assert_int_equal(proto_get_int(v, NULL, 0, 10, &out), 0);
	assert_int_equal(proto_get_int(NULL, "x", 0, 10, &out), 0);
	assert_int_equal(out, 99);
	cJSON_Delete(v);
}

static void test_json_get_int_keys_are_case_sensitive(void **state)
{
	cJSON *v = fields("{\"ID\":1,\"id\":2}");
	int64_t out = 0;

	(void)state;
	assert_int_equal(proto_get_int(v, "id", 0, 10, &out), 1);
	assert_int_equal(out, 2);
	assert_int_equal(proto_get_int(v, "Id", 0, 10, &out), 0);
	cJSON_Delete(v);
}

static void test_json_get_int_not_on_object_is_absent(void **state)
{
	cJSON *a = cJSON_Parse("[1,2]");
	int64_t out = 99;

	(void)state;
	assert_int_equal(proto_get_int(a, "0", 0, 10, &out), 0);
	assert_int_equal(out, 99);
	cJSON_Delete(a);
}

static void test_json_get_int_beyond_2_53_rejected(void **state)
{
	int64_t out;

	(void)state;
	assert_int_equal(get_int("9007199254740991", INT64_MIN, INT64_MAX, &out), 1);
	assert_int_equal(out, TWO_53 - 1);
	assert_int_equal(get_int("-9007199254740991", INT64_MIN, INT64_MAX, &out), 1);
	assert_int_equal(out, -(TWO_53 - 1));
	/* a double cannot tell these from their neighbours */
	assert_int_equal(get_int("9007199254740992", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("9007199254740993", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("-9007199254740992", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("9223372036854775807", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("9223372036854775808", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("-9223372036854775809", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("1e300", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("1e999", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(get_int("-1e999", INT64_MIN, INT64_MAX, &out), -1);
	assert_int_equal(out, -4242);
}

static void test_json_get_int_duplicate_key_takes_first(void **state)
{
	cJSON *v = fields("{\"a\":1,\"a\":2}");
	int64_t out = 0;

	(void)state;
	assert_int_equal(proto_get_int(v, "a", 0, 10, &out), 1);
	assert_int_equal(out, 1);
	cJSON_Delete(v);
}

static void test_json_get_id_bounds(void **state)
{
	cJSON *v = fields("{\"zero\":0,\"one\":1,\"neg\":-1,\"max\":9007199254740991,"
	                  "\"over\":9007199254740992,\"str\":\"1\",\"frac\":1.5,\"nul\":null,"
	                  "\"yes\":true}");
	int64_t out = -7;

	(void)state;
	assert_int_equal(PROTO_MAX_ID, TWO_53 - 1);
	assert_int_equal(proto_get_id(v, "zero", &out), -1);
	assert_int_equal(proto_get_id(v, "neg", &out), -1);
	assert_int_equal(proto_get_id(v, "over", &out), -1);
	assert_int_equal(proto_get_id(v, "str", &out), -1);
	assert_int_equal(proto_get_id(v, "frac", &out), -1);
	assert_int_equal(proto_get_id(v, "yes", &out), -1);
	assert_int_equal(proto_get_id(v, "nul", &out), 0);
	assert_int_equal(proto_get_id(v, "missing", &out), 0);
	assert_int_equal(out, -7);
	assert_int_equal(proto_get_id(v, "one", &out), 1);
	assert_int_equal(out, 1);
	assert_int_equal(proto_get_id(v, "max", &out), 1);
	assert_int_equal(out, PROTO_MAX_ID);
	cJSON_Delete(v);
}

/*
 * id as the daemon prints it: a cJSON number (a double) in an object, in an
 * array and alone, printed by proto_json_print.
 */
static void assert_prints_exactly(int64_t id)
{
	cJSON *o = cJSON_CreateObject(), *a = cJSON_CreateArray(), *n;
	char want[128], *got;

	assert_non_null(o);
	assert_non_null(a);
	assert_non_null(cJSON_AddNumberToObject(o, "id", (double)id));
	cJSON_AddItemToArray(a, cJSON_CreateNumber((double)id));
	cJSON_AddItemToArray(a, cJSON_CreateNumber(7));
	cJSON_AddItemToObjectCS(o, "list", a);
	cJSON_AddNumberToObject(o, "neg", -(double)id);
	got = proto_json_print(o);
	assert_non_null(got);
	snprintf(want, sizeof(want), "{\"id\":%lld,\"list\":[%lld,7],\"neg\":%lld}", (long long)id,
	         (long long)id, -(long long)id);
	assert_string_equal(got, want);
	cJSON_free(got);
	/* The caller's tree is unchanged: still numbers. */
	assert_true(cJSON_IsNumber(cJSON_GetObjectItem(o, "id")));
	assert_true(cJSON_GetObjectItem(o, "id")->valuedouble == (double)id);
	cJSON_Delete(o);
	n = cJSON_CreateNumber((double)id);
	assert_non_null(n);
	got = proto_json_print(n);
	snprintf(want, sizeof(want), "%lld", (long long)id);
	assert_string_equal(got, want);
	cJSON_free(got);
	cJSON_Delete(n);
}

/*
 * cJSON 1.7 prints 9007199254740991 as 9.00719925474099e+15 (from 2^52 on
 * its 15-digit text reads back "equal") and 1e15 as 1e+15, which a client
 * reading an integer refuses. Ids go up to 2^53 - 1 (spec
 * section 1: core/ids.c makes 53-bit ids, proto_get_id refuses anything
 * above), so every id must print as its own digits through
 * proto_json_print: the edges, and a spread over the whole range.
 */
static void test_json_ids_below_2_53_print_exactly(void **state)
{
	uint64_t x = 88172645463325252ull;
	int i;

	(void)state;
	assert_prints_exactly(1);
	assert_prints_exactly(PROTO_MAX_ID);
	assert_prints_exactly(PROTO_MAX_ID - 1);
	assert_prints_exactly(TWO_53 / 2 + 1);
	assert_prints_exactly(INT64_C(1000000000000000));
	assert_prints_exactly(INT64_C(999999999999999));
	assert_prints_exactly(TWO_53 / 2 - 1);
	assert_prints_exactly(INT64_C(8000000000000001));
	for (i = 0; i < 100000; i++) {
		x ^= x << 13; /* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		assert_prints_exactly((int64_t)(x % (uint64_t)PROTO_MAX_ID) + 1);
	}
}

/* Below 1e15 and for everything but numbers, the text is cJSON's own. */
static void test_json_print_matches_cjson(void **state)
{
	static const char *const docs[] = {
	    "{}",
	    "[]",
	    "{\"a\":[1,-2,0,3.5,-0.25,1e-07,1.5e+300,0.1,123456789012345],\"b\":{}}",
	    "{\"s\":\"q\\\"b\\\\s/\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f caf\u00e9\",\"e\":\"\"}",
	    "[true,false,null,[[[]]],{\"k\":{\"k\":[{}]}}]",
	    "{\"n\":4500,\"t\":1767225600,\"neg\":-999999999999999}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		cJSON *v = cJSON_Parse(docs[i]);
		char *want, *got;

		assert_non_null(v);
		want = cJSON_PrintUnformatted(v);
		got = proto_json_print(v);
		assert_non_null(want);
		assert_non_null(got);
		assert_string_equal(got, want);
		cJSON_free(want);
		cJSON_free(got);
		cJSON_Delete(v);
	}
	assert_null(proto_json_print(NULL));
}

/* A double that 15 digits would round prints with 17 (cJSON prints "2"). */
static void test_json_print_keeps_every_double(void **state)
{
	cJSON *v = cJSON_CreateNumber(2.0000000000000004);
	char *got = proto_json_print(v);

	(void)state;
	assert_string_equal(got, "2.0000000000000004");
	cJSON_free(got);
	cJSON_Delete(v);
}

/* proto_get_str on {"v":<json>} with max_chars; *out starts at a sentinel. */
static const char sentinel[] = "sentinel";

static int get_str(const char *json, size_t max_chars, char *copy, size_t copy_size)
{
	char body[512];
	const char *out = sentinel;
	cJSON *v;
	int rc;

	snprintf(body, sizeof(body), "{\"v\":%s}", json);
	v = fields(body);
	rc = proto_get_str(v, "v", max_chars, &out);
	snprintf(copy, copy_size, "%s", out);
	cJSON_Delete(v);
	return rc;
}

static void test_json_get_str_ok(void **state)
{
	char got[64];

	(void)state;
	assert_int_equal(get_str("\"Ran\"", 100, got, sizeof(got)), 1);
	assert_string_equal(got, "Ran");
	assert_int_equal(get_str("\"\"", 100, got, sizeof(got)), 1);
	assert_string_equal(got, "");
	assert_int_equal(get_str("\"\"", 0, got, sizeof(got)), 1);
}

static void test_json_get_str_borrows_from_object(void **state)
{
	cJSON *v = fields("{\"name\":\"Ran\"}");
	const char *out = NULL;

	(void)state;
	assert_int_equal(proto_get_str(v, "name", PROTO_LEN_NAME, &out), 1);
	assert_ptr_equal(out, cJSON_GetObjectItem(v, "name")->valuestring);
	cJSON_Delete(v);
}

static void test_json_get_str_counts_code_points(void **state)
{
	char got[64];

	(void)state;
	assert_int_equal(get_str("\"abc\"", 3, got, sizeof(got)), 1);
	assert_int_equal(get_str("\"abcd\"", 3, got, sizeof(got)), -1);
	assert_string_equal(got, sentinel);
	/* 5 code points, 6 bytes */
	assert_int_equal(get_str("\"h\xc3\xa9llo\"", 5, got, sizeof(got)), 1);
	assert_int_equal(get_str("\"h\xc3\xa9llo\"", 4, got, sizeof(got)), -1);
	/* 3 code points, 9 bytes */
	assert_int_equal(get_str("\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"", 3, got, sizeof(got)),
	                 1);
	assert_string_equal(got, "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e");
	assert_int_equal(get_str("\"\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\"", 2, got, sizeof(got)),
	                 -1);
	/* escapes count as what they decode to: one emoji, one code point */
	assert_int_equal(get_str("\"\\ud83d\\ude00\"", 1, got, sizeof(got)), 1);
	assert_string_equal(got, "\xf0\x9f\x98\x80");
	assert_int_equal(get_str("\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"", 1, got, sizeof(got)), -1);
}

static void test_json_get_str_column_sizes(void **state)
{
	char body[PROTO_LEN_NAME * 3 + 32], *p;
	const char *out = NULL;
	cJSON *v;
	int i;

	(void)state;
	/* 100 three-byte characters fit a name, 101 do not */
	p = body + sprintf(body, "{\"a\":\"");
	for (i = 0; i < PROTO_LEN_NAME; i++)
		p += sprintf(p, "\xe5\x90\x8d");
	sprintf(p, "\"}");
	v = fields(body);
	assert_int_equal(proto_get_str(v, "a", PROTO_LEN_NAME, &out), 1);
	assert_int_equal(proto_utf8_len(out), PROTO_LEN_NAME);
	assert_int_equal(proto_get_str(v, "a", PROTO_LEN_NAME - 1, &out), -1);
	cJSON_Delete(v);
}

static void test_json_get_str_rejects_other_types(void **state)
{
	static const char *bad[] = {"1", "0", "true", "false", "[]", "[\"a\"]", "{}"};
	size_t i;
	char got[64];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(get_str(bad[i], 100, got, sizeof(got)), -1);
		assert_string_equal(got, sentinel);
	}
}

static void test_json_get_str_null_or_missing_is_absent(void **state)
{
	cJSON *v = fields("{\"n\":null}");
	const char *out = sentinel;

	(void)state;
	assert_int_equal(proto_get_str(v, "n", 10, &out), 0);
	assert_int_equal(proto_get_str(v, "missing", 10, &out), 0);
	assert_int_equal(proto_get_str(NULL, "n", 10, &out), 0);
	assert_ptr_equal(out, sentinel);
	cJSON_Delete(v);
}

static void test_json_get_str_rejects_invalid_utf8(void **state)
{
	static const char *bad[] = {
	    "\"\xff\"",             /* never in UTF-8 */
	    "\"a\x80\"",            /* lone continuation */
	    "\"\xc3\"",             /* truncated */
	    "\"\xe6\x97\"",         /* truncated */
	    "\"\xc0\xaf\"",         /* overlong '/' */
	    "\"\xe0\x80\xaf\"",     /* overlong '/' */
	    "\"\xed\xa0\x80\"",     /* surrogate U+D800 */
	    "\"\xf4\x90\x80\x80\"", /* U+110000 */
	};
	size_t i;
	char got[64];

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(get_str(bad[i], 100, got, sizeof(got)), -1);
		assert_string_equal(got, sentinel);
	}
}

/* ---- proto_utf8_len ---- */

static void test_json_utf8_len_valid(void **state)
{
	(void)state;
	assert_int_equal(proto_utf8_len(""), 0);
	assert_int_equal(proto_utf8_len("abc"), 3);
	assert_int_equal(proto_utf8_len("\x7f"), 1);
	assert_int_equal(proto_utf8_len("\xc2\x80"), 1);         /* U+0080, smallest 2-byte */
	assert_int_equal(proto_utf8_len("\xdf\xbf"), 1);         /* U+07FF */
	assert_int_equal(proto_utf8_len("\xe0\xa0\x80"), 1);     /* U+0800, smallest 3-byte */
	assert_int_equal(proto_utf8_len("\xed\x9f\xbf"), 1);     /* U+D7FF, below surrogates */
	assert_int_equal(proto_utf8_len("\xee\x80\x80"), 1);     /* U+E000, above surrogates */
	assert_int_equal(proto_utf8_len("\xef\xbf\xbf"), 1);     /* U+FFFF */
	assert_int_equal(proto_utf8_len("\xf0\x90\x80\x80"), 1); /* U+10000 */
	assert_int_equal(proto_utf8_len("\xf4\x8f\xbf\xbf"), 1); /* U+10FFFF */
	assert_int_equal(proto_utf8_len("a\xc3\xa9\xe6\x97\xa5\xf0\x9f\x98\x80z"), 5);
}

static void test_json_utf8_len_invalid(void **state)
{
	static const char *bad[] = {
	    "\x80",
	    "\xbf",
	    "a\x80",
	    "\xc0\x80",
	    "\xc1\xbf",
	    "\xc2",
	    "\xc2\x41",
	    "\xe0\x80\x80",
	    "\xe0\x9f\xbf",
	    "\xe0\xa0",
	    "\xed\xa0\x80",
	    "\xed\xbf\xbf",
	    "\xf0\x80\x80\x80",
	    "\xf0\x8f\xbf\xbf",
	    "\xf4\x90\x80\x80",
	    "\xf5\x80\x80\x80",
	    "\xf8\x88\x80\x80\x80",
	    "\xfe",
	    "\xff",
	    "\xf0\x9f\x98",
	    "ok\xe6\x97",
	    "\xc3\xa9\xc3",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (proto_utf8_len(bad[i]) != -1)
			fail_msg("invalid sequence %zu was counted", i);
	assert_int_equal(proto_utf8_len(NULL), -1);
}

/* ---- envelopes ---- */

static char *render_error(enum proto_err e, const char *msg, const cJSON *data, size_t *len)
{
	*len = 12345;
	return proto_render_error(e, msg, data, len);
}

/* Parses a rendered envelope back; checks the promised length. */
static cJSON *reparse(char *s, size_t len)
{
	cJSON *v;

	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	v = cJSON_ParseWithLength(s, len);
	assert_non_null(v);
	free(s);
	return v;
}

static void test_json_render_ok_without_data(void **state)
{
	size_t len = 0;
	char *s = proto_render_ok(NULL, &len);
	cJSON *v, *data;

	(void)state;
	assert_string_equal(s, "{\"code\":200,\"msg\":\"OK\",\"data\":{}}");
	v = reparse(s, len);
	assert_int_equal(cJSON_GetArraySize(v), 3);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(v, "code")->valuedouble, 200);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "msg")->valuestring, "OK");
	data = cJSON_GetObjectItemCaseSensitive(v, "data");
	assert_true(cJSON_IsObject(data));
	assert_null(data->child);
	assert_null(cJSON_GetObjectItemCaseSensitive(v, "error"));
	cJSON_Delete(v);
}

static void test_json_render_ok_with_data(void **state)
{
	cJSON *data = cJSON_Parse("{\"list\":[{\"id\":1,\"name\":\"h\xc3\xa9\"}],\"total\":1,"
	                          "\"empty\":[]}");
	cJSON *v;
	size_t len = 0;
	char *s;

	(void)state;
	assert_non_null(data);
	s = proto_render_ok(data, &len);
	v = reparse(s, len);
	assert_int_equal(cJSON_GetArraySize(v), 3);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(v, "code")->valuedouble, 200);
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(v, "data"), data, 1));
	/* an empty list stays a list */
	assert_true(cJSON_IsArray(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItem(v, "data"), "empty")));
	cJSON_Delete(v);
	/* data was borrowed: still whole, renderable again, freed once by us */
	s = proto_render_ok(data, &len);
	v = reparse(s, len);
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(v, "data"), data, 1));
	cJSON_Delete(v);
	cJSON_Delete(data);
}

static void test_json_render_ok_data_from_inside_a_tree(void **state)
{
	cJSON *tree = cJSON_Parse("{\"inner\":{\"a\":1},\"other\":2}");
	cJSON *v;
	size_t len;
	char *s;

	(void)state;
	s = proto_render_ok(cJSON_GetObjectItem(tree, "inner"), &len);
	assert_string_equal(s, "{\"code\":200,\"msg\":\"OK\",\"data\":{\"a\":1}}");
	v = reparse(s, len);
	cJSON_Delete(v);
	/* the tree is untouched */
	assert_int_equal(cJSON_GetArraySize(tree), 2);
	assert_string_equal(cJSON_GetObjectItem(tree, "inner")->string, "inner");
	cJSON_Delete(tree);
}

static void test_json_render_error_every_row(void **state)
{
	size_t len;
	cJSON *v;
	char *s;
	int i;

	(void)state;
	for (i = 0; i < PROTO_ERR__COUNT; i++) {
		enum proto_err e = (enum proto_err)i;

		s = render_error(e, NULL, NULL, &len);
		v = reparse(s, len);
		assert_int_equal(cJSON_GetArraySize(v), 3);
		assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(v, "code")));
		assert_int_equal(cJSON_GetObjectItemCaseSensitive(v, "code")->valuedouble,
		                 proto_err_status(e));
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "msg")->valuestring,
		                    proto_err_message(e));
		assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "error")->valuestring,
		                    proto_err_slug(e));
		assert_null(cJSON_GetObjectItemCaseSensitive(v, "data"));
		cJSON_Delete(v);
	}
}

static void test_json_render_error_exact_text(void **state)
{
	size_t len;
	char *s = proto_render_error(PROTO_ERR_NOT_FOUND, NULL, NULL, &len);

	(void)state;
	assert_string_equal(s,
	                    "{\"code\":404,\"msg\":\"no such resource\",\"error\":\"not_found\"}");
	assert_int_equal(len, strlen(s));
	free(s);
}

static void test_json_render_error_with_msg_and_data(void **state)
{
	cJSON *data = cJSON_CreateObject();
	size_t len;
	cJSON *v;
	char *s;

	(void)state;
	cJSON_AddStringToObject(data, "field", "name");
	s = proto_render_error(PROTO_ERR_INVALID_FIELD, "name is too long", data, &len);
	assert_string_equal(
	    s, "{\"code\":400,\"msg\":\"name is too long\",\"error\":\"invalid_field\","
	       "\"data\":{\"field\":\"name\"}}");
	v = reparse(s, len);
	assert_int_equal(cJSON_GetArraySize(v), 4);
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(v, "data"), data, 1));
	cJSON_Delete(v);
	cJSON_Delete(data);

	data = cJSON_Parse("{\"conflicts\":[\"C7\",\"C8\"]}");
	s = render_error(PROTO_ERR_SEAT_TAKEN, NULL, data, &len);
	v = reparse(s, len);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(v, "code")->valuedouble, 409);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "error")->valuestring,
	                    "seat_taken");
	assert_true(cJSON_Compare(cJSON_GetObjectItemCaseSensitive(v, "data"), data, 1));
	cJSON_Delete(v);
	cJSON_Delete(data);
}

static void test_json_render_error_out_of_range_is_internal(void **state)
{
	size_t len;
	char *s = render_error(PROTO_ERR__COUNT, NULL, NULL, &len);
	cJSON *v = reparse(s, len);

	(void)state;
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(v, "code")->valuedouble, 500);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "error")->valuestring, "internal");
	cJSON_Delete(v);
}

static void test_json_render_escapes_strings(void **state)
{
	const char *msg = "a \"quoted\" \\ line\nbreak\t\x01 h\xc3\xa9 \xf0\x9f\x98\x80";
	size_t len;
	cJSON *v;
	char *s;

	(void)state;
	s = proto_render_error(PROTO_ERR_CONFLICT, msg, NULL, &len);
	assert_null(memchr(s, '\n', len));
	assert_null(memchr(s, '\x01', len));
	v = reparse(s, len);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(v, "msg")->valuestring, msg);
	cJSON_Delete(v);
}

static void test_json_render_output_parses_as_request(void **state)
{
	enum proto_err err;
	size_t len;
	char *s = proto_render_ok(NULL, &len);
	cJSON *v;

	(void)state;
	/* what the server writes, protocol/ reads: clients share the code */
	v = proto_json_parse(s, len, &err);
	assert_non_null(v);
	cJSON_Delete(v);
	free(s);
}

/* ---- proto_wire ---- */

static void test_wire_role_names(void **state)
{
	(void)state;
	assert_string_equal(proto_role_name(PROTO_ROLE_CUSTOMER), "customer");
	assert_string_equal(proto_role_name(PROTO_ROLE_ADMIN), "admin");
	assert_string_equal(proto_role_name(PROTO_ROLE_CASHIER), "cashier");
	assert_int_equal(PROTO_ROLE_CUSTOMER, 0);
	assert_int_equal(PROTO_ROLE_ADMIN, 1);
	assert_int_equal(PROTO_ROLE_CASHIER, 2);
}

static void test_wire_role_unknown_number_is_customer(void **state)
{
	(void)state;
	assert_string_equal(proto_role_name(-1), "customer");
	assert_string_equal(proto_role_name(3), "customer");
	assert_string_equal(proto_role_name(1000), "customer");
}

static void test_wire_role_from_name(void **state)
{
	int r;

	(void)state;
	for (r = PROTO_ROLE_CUSTOMER; r <= PROTO_ROLE_CASHIER; r++)
		assert_int_equal(proto_role_from_name(proto_role_name(r)), r);
	assert_int_equal(proto_role_from_name("admin"), PROTO_ROLE_ADMIN);
	assert_int_equal(proto_role_from_name("Admin"), -1);
	assert_int_equal(proto_role_from_name("admin "), -1);
	assert_int_equal(proto_role_from_name(""), -1);
	assert_int_equal(proto_role_from_name("root"), -1);
	assert_int_equal(proto_role_from_name(NULL), -1);
}

static void test_wire_order_status_texts(void **state)
{
	(void)state;
	assert_string_equal(proto_order_status_text(PROTO_ORDER_UNPAID), "unpaid");
	assert_string_equal(proto_order_status_text(PROTO_ORDER_PAID), "paid");
	assert_string_equal(proto_order_status_text(PROTO_ORDER_INVALID), "invalid");
	assert_string_equal(proto_order_status_text(PROTO_ORDER_REFUNDED), "refunded");
	assert_string_equal(proto_order_status_text(PROTO_ORDER_PENDING), "pending");
	assert_string_equal(proto_order_status_text(0), "unpaid");
	assert_string_equal(proto_order_status_text(4), "pending");
	assert_string_equal(proto_order_status_text(-1), "unknown");
	assert_string_equal(proto_order_status_text(5), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_error_every_row_matches_spec),
	    cmocka_unit_test(test_error_slug_round_trips),
	    cmocka_unit_test(test_error_slugs_are_unique),
	    cmocka_unit_test(test_error_unknown_slug_is_count),
	    cmocka_unit_test(test_error_out_of_range_is_internal),
	    cmocka_unit_test(test_json_parse_empty_body_is_empty_object),
	    cmocka_unit_test(test_json_parse_object_with_fields),
	    cmocka_unit_test(test_json_parse_err_may_be_null),
	    cmocka_unit_test(test_json_parse_len_is_authoritative),
	    cmocka_unit_test(test_json_parse_max_body_is_accepted),
	    cmocka_unit_test(test_json_parse_max_body_plus_one_is_too_large),
	    cmocka_unit_test(test_json_parse_depth_16_objects_ok),
	    cmocka_unit_test(test_json_parse_depth_17_objects_rejected),
	    cmocka_unit_test(test_json_parse_arrays_count_as_depth),
	    cmocka_unit_test(test_json_parse_far_too_deep_rejected),
	    cmocka_unit_test(test_json_parse_brackets_in_strings_are_not_depth),
	    cmocka_unit_test(test_json_parse_top_level_must_be_object),
	    cmocka_unit_test(test_json_parse_trailing_garbage_rejected),
	    cmocka_unit_test(test_json_parse_malformed_rejected),
	    cmocka_unit_test(test_json_parse_numbers_follow_rfc_8259),
	    cmocka_unit_test(test_json_parse_control_characters_rejected),
	    cmocka_unit_test(test_json_parse_escapes),
	    cmocka_unit_test(test_json_parse_nul_escape_rejected),
	    cmocka_unit_test(test_json_depth_of_values),
	    cmocka_unit_test(test_json_get_int_in_range),
	    cmocka_unit_test(test_json_get_str_refuses_controls),
	    cmocka_unit_test(test_json_get_int_bounds),
	    cmocka_unit_test(test_json_get_int_rejects_fractions),
	    cmocka_unit_test(test_json_get_int_accepts_integral_numbers),
	    cmocka_unit_test(test_json_get_int_rejects_other_types),
	    cmocka_unit_test(test_json_get_int_null_or_missing_is_absent),
	    cmocka_unit_test(test_json_get_int_keys_are_case_sensitive),
	    cmocka_unit_test(test_json_get_int_not_on_object_is_absent),
	    cmocka_unit_test(test_json_get_int_beyond_2_53_rejected),
	    cmocka_unit_test(test_json_get_int_duplicate_key_takes_first),
	    cmocka_unit_test(test_json_get_id_bounds),
	    cmocka_unit_test(test_json_ids_below_2_53_print_exactly),
	    cmocka_unit_test(test_json_print_matches_cjson),
	    cmocka_unit_test(test_json_print_keeps_every_double),
	    cmocka_unit_test(test_json_get_str_ok),
	    cmocka_unit_test(test_json_get_str_borrows_from_object),
	    cmocka_unit_test(test_json_get_str_counts_code_points),
	    cmocka_unit_test(test_json_get_str_column_sizes),
	    cmocka_unit_test(test_json_get_str_rejects_other_types),
	    cmocka_unit_test(test_json_get_str_null_or_missing_is_absent),
	    cmocka_unit_test(test_json_get_str_rejects_invalid_utf8),
	    cmocka_unit_test(test_json_utf8_len_valid),
	    cmocka_unit_test(test_json_utf8_len_invalid),
	    cmocka_unit_test(test_json_render_ok_without_data),
	    cmocka_unit_test(test_json_render_ok_with_data),
	    cmocka_unit_test(test_json_render_ok_data_from_inside_a_tree),
	    cmocka_unit_test(test_json_render_error_every_row),
	    cmocka_unit_test(test_json_render_error_exact_text),
	    cmocka_unit_test(test_json_render_error_with_msg_and_data),
	    cmocka_unit_test(test_json_render_error_out_of_range_is_internal),
	    cmocka_unit_test(test_json_render_escapes_strings),
	    cmocka_unit_test(test_json_render_output_parses_as_request),
	    cmocka_unit_test(test_wire_role_names),
	    cmocka_unit_test(test_wire_role_unknown_number_is_customer),
	    cmocka_unit_test(test_wire_role_from_name),
	    cmocka_unit_test(test_wire_order_status_texts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
