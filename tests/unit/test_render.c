/*
 * test_render.c: the success envelope around data that is already JSON text
 * (proto_render_ok_raw, and r->data_raw through dispatch_run) gives the very
 * bytes proto_render_ok gives for the same object; what is not an object is
 * refused; an error answer ignores (and frees) the raw data.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"
#include "svc/dispatch.h"
#include "proto_json.h"

/* Objects as a cached answer holds them: the loaders' kinds of values. */
static const char *const samples[] = {
    "{}",
    "{\"id\":1}",
    "{\"list\":[],\"total\":0}",
    "{\"id\":9007199254740991,\"neg\":-42,\"frac\":0.1,\"big\":1e+300,\"small\":1.5e-07}",
    "{\"name\":\"caf\xc3\xa9 \xe5\xbd\xb1\xe9\x99\xa2 \xf0\x9f\x8e\xac\",\"q\":\"a\\\"b\\\\c/d\"}",
    "{\"ctl\":\"tab\\there\\nnl\\u0001\\u001f\",\"empty\":\"\",\"t\":true,\"f\":false,"
    "\"n\":null}",
    "{\"list\":[{\"id\":1,\"prices\":{\"A\":4500,\"S\":6000},\"discounts\":{}},"
    "{\"id\":2,\"prices\":{},\"tags\":[1,[2,[3]]]}],\"total\":2}",
};

static void test_render_ok_raw_matches_render_ok(void **state)
{
	size_t i, n_raw, n_ok;

	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		cJSON *v = cJSON_Parse(samples[i]);
		char *text, *raw, *ok;

		assert_non_null(v);
		/* what the cache stores: the loader's value printed by proto_json_print */
		text = proto_json_print(v);
		assert_non_null(text);
		raw = proto_render_ok_raw(text, strlen(text), &n_raw);
		ok = proto_render_ok(v, &n_ok);
		assert_non_null(raw);
		assert_non_null(ok);
		assert_int_equal(n_raw, strlen(raw));
		assert_int_equal(n_raw, n_ok);
		assert_string_equal(raw, ok);
		free(raw);
		free(ok);
		cJSON_free(text);
		cJSON_Delete(v);
	}
}

static void test_render_ok_raw_envelope(void **state)
{
	size_t len = 99;
	char *s = proto_render_ok_raw("{\"a\":1}", 7, &len);

	assert_non_null(s);
	assert_string_equal(s, "{\"code\":200,\"msg\":\"OK\",\"data\":{\"a\":1}}");
	assert_int_equal(len, strlen(s));
	free(s);
	/* only raw_len bytes are taken */
	s = proto_render_ok_raw("{}{\"more\":1}", 2, &len);
	assert_non_null(s);
	assert_string_equal(s, "{\"code\":200,\"msg\":\"OK\",\"data\":{}}");
	free(s);
	/* len may be NULL */
	s = proto_render_ok_raw("{}", 2, NULL);
	assert_non_null(s);
	free(s);
}

static void test_render_ok_raw_refuses_what_is_not_an_object(void **state)
{
	static const char *const bad[] = {"", "{", "}", "[]", "[{}]", "1", "\"{}\"", "null", " {}"};
	size_t i, len;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		len = 99;
		assert_null(proto_render_ok_raw(bad[i], strlen(bad[i]), &len));
		assert_int_equal(len, 0);
	}
	len = 99;
	assert_null(proto_render_ok_raw(NULL, 2, &len));
	assert_int_equal(len, 0);
}

/* ---- through the dispatcher ---- */

#define SAMPLE "{\"id\":7,\"name\":\"x\\\"y\",\"list\":[1.25,{\"k\":null}]}"

static enum proto_err h_tree(struct req *r)
{
	cJSON *v = cJSON_Parse(SAMPLE);

	assert_non_null(v);
	proto_json_move_members(r->data, v);
	cJSON_Delete(v);
	return PROTO_OK;
}

static enum proto_err h_raw(struct req *r)
{
	r->data_raw = strdup(SAMPLE);
	r->data_raw_len = strlen(SAMPLE);
	/* ignored when data_raw is set */
	cJSON_AddNumberToObject(r->data, "ignored", 1);
	return PROTO_OK;
}

static enum proto_err h_raw_then_error(struct req *r)
{
	r->data_raw = strdup(SAMPLE);
	r->data_raw_len = strlen(SAMPLE);
	return req_fail_field(r, "id");
}

static const struct route test_routes[] = {
    {"/t/tree", h_tree, ROUTE_PUBLIC},
    {"/t/raw", h_raw, ROUTE_PUBLIC},
    {"/t/raw-error", h_raw_then_error, ROUTE_PUBLIC},
    {NULL, NULL, 0},
};

static enum proto_err fake_auth_check(struct worker *w, struct auth *a, int64_t token_tv)
{
	return PROTO_OK;
}

static int fake_bootstrap(struct worker *w, const char *mobile_colon_password)
{
	return 0;
}

static const struct route *const test_tables[] = {test_routes, NULL};
static const struct dispatch_services test_services = {
    .tables = test_tables, .auth_check = fake_auth_check, .bootstrap_admin = fake_bootstrap};

static void run(const char *path, struct http_response *out)
{
	struct http_request rq;

	memset(&rq, 0, sizeof(rq));
	snprintf(rq.path, sizeof(rq.path), "%s", path);
	snprintf(rq.request_id, sizeof(rq.request_id), "rid-r");
	rq.method = HTTP_POST;
	rq.route = dispatch_find(path);
	assert_non_null(rq.route);
	rq.body = strdup("{}");
	rq.body_len = 2;
	dispatch_run(NULL, &rq, out);
	free(rq.body);
}

static void test_render_dispatch_raw_answer_is_the_tree_answer(void **state)
{
	struct http_response tree, raw;

	run("/t/tree", &tree);
	run("/t/raw", &raw);
	assert_int_equal(tree.status, 200);
	assert_int_equal(raw.status, 200);
	assert_string_equal(raw.ctype, "application/json");
	assert_int_equal(raw.len, tree.len);
	assert_memory_equal(raw.body, tree.body, tree.len);
	free(tree.body);
	free(raw.body);
}

static void test_render_dispatch_error_ignores_raw_data(void **state)
{
	struct http_response out;
	cJSON *j;

	run("/t/raw-error", &out); /* and no leak of data_raw (ASan) */
	assert_int_equal(out.status, 400);
	j = cJSON_ParseWithLength(out.body, out.len);
	assert_non_null(j);
	assert_string_equal(cJSON_GetObjectItem(j, "error")->valuestring, "invalid_field");
	assert_string_equal(
	    cJSON_GetObjectItem(cJSON_GetObjectItem(j, "data"), "field")->valuestring, "id");
	cJSON_Delete(j);
	free(out.body);
}

static int setup(void **state)
{
	cfg.jwt_secret = strdup("unit-test-secret-unit-test-secret-0123");
	return dispatch_init(&test_services);
}

static int teardown(void **state)
{
	free(cfg.jwt_secret);
	cfg.jwt_secret = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_render_ok_raw_matches_render_ok),
	    cmocka_unit_test(test_render_ok_raw_envelope),
	    cmocka_unit_test(test_render_ok_raw_refuses_what_is_not_an_object),
	    cmocka_unit_test(test_render_dispatch_raw_answer_is_the_tree_answer),
	    cmocka_unit_test(test_render_dispatch_error_ignores_raw_data),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
