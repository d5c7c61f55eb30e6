/*
 * it_static.c: files under web_root are served at /static/... with their
 * media type (the demo posters among them); nothing outside web_root is
 * reachable, and a missing file is a 404 in the error envelope.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"

static void test_static_demo_posters_served(void **state)
{
	static const char *const posters[] = {
	    "lighthouse",      "orbital-drift", "paper-lanterns",  "valparaiso",
	    "grand-rehearsal", "iron-meridian", "midsummer-shorts"};
	size_t i;

	for (i = 0; i < sizeof(posters) / sizeof(posters[0]); i++) {
		char path[128];
		struct it_resp *r;
		snprintf(path, sizeof(path), "/static/posters/%s.svg", posters[i]);
		r = it_ok(it_request("GET", path, NULL, NULL, 0));
		assert_string_equal(r->content_type, "image/svg+xml");
		assert_non_null(strstr(r->body, "<svg"));
		it_resp_free(r);
	}
}

/* Spec 2: every response carries X-Request-Id, a static file's too. */
static void test_static_answers_carry_the_request_id(void **state)
{
	static const char *const hdrs[] = {"X-Request-Id: static-rid-1", NULL};
	struct it_resp *r = it_request("GET", "/static/posters/lighthouse.svg", hdrs, NULL, 0);

	it_assert_status(r, 200);
	assert_string_equal(r->request_id, "static-rid-1");
	it_resp_free(r);
	r = it_ok(it_request("GET", "/static/posters/lighthouse.svg", NULL, NULL, 0));
	assert_true(strlen(r->request_id) > 0);
	it_resp_free(r);
}

static void test_static_no_escape_from_web_root(void **state)
{
	static const char *const paths[] = {"/static/../../secrets", "/static/%2e%2e/%2e%2e/env",
	                                    "/static/posters/../../../../etc/passwd",
	                                    "/static/nope.svg", "/etc/passwd"};
	size_t i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		struct it_resp *r = it_request("GET", paths[i], NULL, NULL, 0);
		assert_non_null(r);
		if (r->status == 200) {
			print_error("%s was served: %.200s\n", paths[i], r->body);
			fail();
		}
		it_resp_free(r);
	}
	struct it_resp *r = it_request("GET", "/static/nope.svg", NULL, NULL, 0);
	it_assert_error(r, 404, "not_found");
	it_resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_static_demo_posters_served),
	    cmocka_unit_test(test_static_answers_carry_the_request_id),
	    cmocka_unit_test(test_static_no_escape_from_web_root),
	};
	return cmocka_run_group_tests(tests, it_group_setup, NULL);
}
