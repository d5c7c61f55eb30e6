/*
 * it_stack.c: the fixture stack is up and the transport keeps the generic
 * rules of spec sections 1 and 2: /healthz, request ids, 404/405, bodies
 * without a length, size, media type and JSON shape limits.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fixtures.h"

#define RAW_WAIT_MS 5000

static const char *field(const struct it_resp *r, const char *key)
{
	const cJSON *v = r && r->json ? cJSON_GetObjectItemCaseSensitive(r->json, key) : NULL;

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* r's top-level string key equals want (a missing key fails, never crashes). */
static void expect_str(const struct it_resp *r, const char *key, const char *want)
{
	const char *v = field(r, key);

	if (v == NULL) {
		print_error("no string \"%s\" in %s\n", key, r && r->body ? r->body : "(none)");
		fail();
	}
	if (want != NULL)
		assert_string_equal(v, want);
}

static void test_stack_healthz_reports_every_part_ok(void **state)
{
	struct it_resp *r = it_request("GET", "/healthz", NULL, NULL, 0);

	it_assert_status(r, 200);
	expect_str(r, "status", "ok");
	expect_str(r, "db", "ok");
	expect_str(r, "redis", "ok");
	expect_str(r, "kafka", "ok");
	expect_str(r, "currency", NULL);
	assert_int_equal(strlen(field(r, "currency")), 3);
	assert_int_equal(strncmp(r->content_type, "application/json", 16), 0);
	it_resp_free(r);
}

static void test_stack_request_id_is_set_and_echoed(void **state)
{
	const char *hdr[] = {"X-Request-Id: it-stack-req-0042", NULL};
	struct it_resp *r = it_request("GET", "/healthz", NULL, NULL, 0);

	it_assert_status(r, 200);
	assert_true(r->request_id[0] != '\0');
	it_resp_free(r);

	r = it_ok(it_request("GET", "/healthz", hdr, NULL, 0));
	assert_string_equal(r->request_id, "it-stack-req-0042");
	it_resp_free(r);

	/* error answers carry one too */
	r = it_request("GET", "/nonexistent-path", hdr, NULL, 0);
	assert_non_null(r);
	assert_string_equal(r->request_id, "it-stack-req-0042");
	it_resp_free(r);
}

static void test_stack_unknown_path_is_404_not_found(void **state)
{
	struct it_resp *r = it_request("GET", "/nonexistent-path", NULL, NULL, 0);

	const cJSON *code;

	it_assert_error(r, 404, "not_found");
	code = cJSON_GetObjectItemCaseSensitive(r->json, "code");
	assert_true(cJSON_IsNumber(code));
	assert_int_equal(code->valueint, 404);
	expect_str(r, "msg", NULL);
	it_resp_free(r);
}

static void test_stack_get_on_api_path_is_405(void **state)
{
	struct it_resp *r = it_request("GET", "/user/login", NULL, NULL, 0);

	it_assert_error(r, 405, "method_not_allowed");
	assert_string_equal(r->allow, "POST");
	it_resp_free(r);
	r = it_request("DELETE", "/healthz", NULL, NULL, 0);
	it_assert_error(r, 405, "method_not_allowed");
	assert_string_equal(r->allow, "GET");
	it_resp_free(r);
}

/*
 * Send raw bytes from a fresh loopback source address and return the status
 * of the answer, or -1 when none came within RAW_WAIT_MS (or -2 when the
 * server closed the connection without an answer).
 */
static int raw_status(const char *req, size_t len)
{
	const char *port = it_env("HTTP_PORT");
	struct sockaddr_in src = {0}, dst = {0};
	char buf[512];
	size_t got = 0;
	int fd, status = -1, waited = 0;

	assert_non_null(port);
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	src.sin_family = AF_INET;
	inet_pton(AF_INET, it_random_source(), &src.sin_addr);
	dst.sin_family = AF_INET;
	dst.sin_port = htons((uint16_t)atoi(port));
	inet_pton(AF_INET, "127.0.0.1", &dst.sin_addr);
	if (bind(fd, (struct sockaddr *)&src, sizeof(src)) != 0 ||
	    connect(fd, (struct sockaddr *)&dst, sizeof(dst)) != 0) {
		print_error("raw_status: connect: %s\n", strerror(errno));
		close(fd);
		fail();
	}
	assert_int_equal(send(fd, req, len, MSG_NOSIGNAL), (ssize_t)len);
	while (waited < RAW_WAIT_MS && got < sizeof(buf) - 1) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		struct timespec t0, t1;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (poll(&p, 1, RAW_WAIT_MS - waited) <= 0)
			break;
		clock_gettime(CLOCK_MONOTONIC, &t1);
		waited +=
		    (int)((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
		n = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (n <= 0) {
			if (got == 0)
				status = -2;
			break;
		}
		got += (size_t)n;
		buf[got] = '\0';
		if (strchr(buf, '\n') != NULL)
			break;
	}
	buf[got] = '\0';
	if (got > 0 && strncmp(buf, "HTTP/1.", 7) == 0 && strlen(buf) >= 12)
		status = atoi(buf + 9);
	close(fd);
	return status;
}

static void test_stack_post_without_length_answers_quickly(void **state)
{
	static const char req[] = "POST /user/login HTTP/1.1\r\n"
	                          "Host: 127.0.0.1\r\n"
	                          "Content-Type: application/json\r\n"
	                          "\r\n";
	int st = raw_status(req, sizeof(req) - 1);

	if (st < 100) {
		print_error("POST without Content-Length: no answer within %d ms (%d)\n",
		            RAW_WAIT_MS, st);
		fail();
	}
}

static void test_stack_chunked_post_answers_quickly(void **state)
{
	static const char req[] = "POST /user/login HTTP/1.1\r\n"
	                          "Host: 127.0.0.1\r\n"
	                          "Content-Type: application/json\r\n"
	                          "Transfer-Encoding: chunked\r\n"
	                          "\r\n"
	                          "2\r\n{}\r\n0\r\n\r\n";
	int st = raw_status(req, sizeof(req) - 1);

	if (st < 100) {
		print_error("chunked POST: no answer within %d ms (%d)\n", RAW_WAIT_MS, st);
		fail();
	}
}

static void test_stack_body_over_64k_is_413(void **state)
{
	size_t n = 70 * 1024;
	char *body = malloc(n + 1);
	struct it_resp *r;

	assert_non_null(body);
	/* valid JSON, just too long: {"name":"xxxx...."} */
	memset(body, 'x', n);
	memcpy(body, "{\"name\":\"", 9);
	memcpy(body + n - 2, "\"}", 2);
	body[n] = '\0';
	r = it_request("POST", "/user/login", NULL, body, n);
	free(body);
	it_assert_error(r, 413, "too_large");
	it_resp_free(r);
}

static void test_stack_non_json_body_is_415(void **state)
{
	const char *hdr[] = {"Content-Type: text/plain", NULL};
	struct it_resp *r = it_request("POST", "/user/login", hdr, "hello", 5);

	it_assert_error(r, 415, "unsupported_media_type");
	it_resp_free(r);
}

static void test_stack_malformed_json_is_400(void **state)
{
	struct it_resp *r = it_post("/user/login", NULL, "{\"mobile\":");

	it_assert_error(r, 400, "bad_request");
	it_resp_free(r);
}

/* {"a":{"a":...{}...}} with depth objects in all (spec: at most 16 levels) */
static char *nested(int depth)
{
	size_t n = (size_t)depth * 6 + 8;
	char *s = malloc(n), *p = s;

	assert_non_null(s);
	for (int i = 0; i < depth - 1; i++)
		p += sprintf(p, "{\"a\":");
	p += sprintf(p, "{}");
	for (int i = 0; i < depth - 1; i++)
		*p++ = '}';
	*p = '\0';
	return s;
}

static void test_stack_json_nested_17_deep_is_400(void **state)
{
	char *body = nested(17);
	struct it_resp *r = it_post("/user/login", NULL, body);

	free(body);
	it_assert_error(r, 400, "bad_request");
	it_resp_free(r);

	/* 16 levels are allowed: whatever the route says, it is not bad_request */
	body = nested(16);
	r = it_post("/user/login", NULL, body);
	free(body);
	assert_non_null(r);
	assert_true(r->status < 500);
	assert_string_not_equal(it_err(r), "bad_request");
	it_resp_free(r);
}

static void test_stack_top_level_array_is_400(void **state)
{
	struct it_resp *r = it_post("/user/login", NULL, "[{\"mobile\":\"13800000000\"}]");

	it_assert_error(r, 400, "bad_request");
	it_resp_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_stack_healthz_reports_every_part_ok),
	    cmocka_unit_test(test_stack_request_id_is_set_and_echoed),
	    cmocka_unit_test(test_stack_unknown_path_is_404_not_found),
	    cmocka_unit_test(test_stack_get_on_api_path_is_405),
	    cmocka_unit_test(test_stack_post_without_length_answers_quickly),
	    cmocka_unit_test(test_stack_chunked_post_answers_quickly),
	    cmocka_unit_test(test_stack_body_over_64k_is_413),
	    cmocka_unit_test(test_stack_non_json_body_is_415),
	    cmocka_unit_test(test_stack_malformed_json_is_400),
	    cmocka_unit_test(test_stack_json_nested_17_deep_is_400),
	    cmocka_unit_test(test_stack_top_level_array_is_400),
	};

	return cmocka_run_group_tests_name("it_stack", tests, it_group_setup, NULL);
}
