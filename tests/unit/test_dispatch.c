/*
 * test_dispatch.c: the router's generic checks, run before any handler:
 * JSON limits, token, token version, role; and the one rendering of every
 * answer. Route tables and the user service's token hook are faked here
 * (this file's strong definitions win over the weak references).
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/jsonguard.h"
#include "svc/conns.h"
#include "core/config.h"
#include "svc/dispatch.h"
#include "core/jwt.h"
#include "proto_wire.h"
#include "store/db.h"
#include "core/thread_role.h"
#include "core/pool.h"

#define SECRET "unit-test-secret-unit-test-secret-0123"

static enum proto_err h_ok(struct req *r)
{
	cJSON_AddNumberToObject(r->data, "uid", (double)r->auth.uid);
	return PROTO_OK;
}

static enum proto_err h_field(struct req *r)
{
	return req_fail_field(r, "name");
}

/* Builds its answer while an allocation fails, and misses the NULL. */
static enum proto_err h_half_built(struct req *r)
{
	jsonguard_fail_next(1);
	cJSON_AddStringToObject(r->data, "lost", "value");
	cJSON_AddNumberToObject(r->data, "kept", 1);
	return PROTO_OK;
}

static enum proto_err h_down(struct req *r)
{
	return PROTO_ERR_UNAVAILABLE;
}

static const struct route test_routes[] = {
    {"/t/public", h_ok, ROUTE_PUBLIC},
    {"/t/user", h_ok, ROUTE_USER},
    {"/t/staff", h_ok, ROUTE_STAFF},
    {"/t/admin", h_ok, ROUTE_ADMIN},
    {"/t/optional", h_ok, ROUTE_AUTH_OPTIONAL},
    {"/t/field", h_field, ROUTE_PUBLIC},
    {"/t/down", h_down, ROUTE_PUBLIC},
    {"/t/half", h_half_built, ROUTE_PUBLIC},
    {NULL, NULL, 0},
};

/* Token version 99 stands for "revoked". */
static enum proto_err fake_auth_check(struct worker *w, struct auth *a, int64_t token_tv)
{
	return token_tv == 99 ? PROTO_ERR_TOKEN_EXPIRED : PROTO_OK;
}

static int fake_bootstrap(struct worker *w, const char *mobile_colon_password)
{
	return 0;
}

static const struct route *const test_tables[] = {test_routes, NULL};
static const struct dispatch_services test_services = {
    .tables = test_tables, .auth_check = fake_auth_check, .bootstrap_admin = fake_bootstrap};

static char *token(int role, int64_t tv, int64_t exp_in)
{
	struct jwt_claims c = {.user_id = 42, .role = role, .tv = tv};
	char *t, *bearer;

	c.iat = (int64_t)time(NULL);
	c.exp = c.iat + exp_in;
	t = jwt_sign(&c, SECRET, strlen(SECRET));
	assert_non_null(t);
	bearer = malloc(strlen(t) + 8);
	strcpy(bearer, "Bearer ");
	strcat(bearer, t);
	free(t);
	return bearer;
}

struct answer {
	int status;
	cJSON *json;
	int retry_after;
};

static struct answer run(const char *path, const char *auth, const char *body)
{
	struct http_request rq;
	struct http_response out;
	struct answer a;

	memset(&rq, 0, sizeof(rq));
	snprintf(rq.path, sizeof(rq.path), "%s", path);
	snprintf(rq.request_id, sizeof(rq.request_id), "rid-1");
	snprintf(rq.authorization, sizeof(rq.authorization), "%s", auth ? auth : "");
	rq.method = HTTP_POST;
	rq.route = dispatch_find(path);
	assert_non_null(rq.route);
	rq.body = strdup(body ? body : "");
	rq.body_len = strlen(rq.body);
	dispatch_run(NULL, &rq, &out);
	free(rq.body);
	a.status = out.status;
	a.retry_after = out.retry_after;
	assert_string_equal(out.request_id, "rid-1");
	assert_string_equal(out.ctype, "application/json");
	a.json = cJSON_ParseWithLength(out.body, out.len);
	assert_non_null(a.json);
	free(out.body);
	/* Every answer carries code = HTTP status. */
	assert_int_equal(cJSON_GetObjectItem(a.json, "code")->valueint, a.status);
	return a;
}

static const char *slug(const struct answer *a)
{
	cJSON *e = cJSON_GetObjectItem(a->json, "error");
	return cJSON_IsString(e) ? e->valuestring : "";
}

/* run(), asserting the status and, when want_slug is not NULL, the error slug. */
static void expect(const char *path, const char *auth, const char *body, int status,
                   const char *want_slug)
{
	struct answer a = run(path, auth, body);

	assert_int_equal(a.status, status);
	if (want_slug)
		assert_string_equal(slug(&a), want_slug);
	cJSON_Delete(a.json);
}

/* run() of a route that answers its caller's uid: asserts 200; data.uid. */
static int uid_seen(const char *path, const char *auth)
{
	struct answer a = run(path, auth, "{}");
	int uid;

	assert_int_equal(a.status, 200);
	uid = cJSON_GetObjectItem(cJSON_GetObjectItem(a.json, "data"), "uid")->valueint;
	cJSON_Delete(a.json);
	return uid;
}

static int setup(void **state)
{
	pool_set_conn_ops(&svc_conn_ops);
	jsonguard_install();
	cfg.jwt_secret = strdup(SECRET);
	cfg.currency = strdup("CNY");
	return dispatch_init(&test_services);
}

static int teardown(void **state)
{
	free(cfg.jwt_secret);
	free(cfg.currency);
	cfg.jwt_secret = cfg.currency = NULL;
	return 0;
}

static void test_dispatch_half_built_answer_is_a_500(void **state)
{
	struct answer a = run("/t/half", NULL, "{}");

	assert_int_equal(a.status, 500);
	assert_string_equal(slug(&a), "internal");
	assert_null(cJSON_GetObjectItem(a.json, "data"));
	cJSON_Delete(a.json);
}

static void test_dispatch_find_routes(void **state)
{
	assert_non_null(dispatch_find("/t/public"));
	assert_null(dispatch_find("/t/nope"));
	assert_null(dispatch_find("/t/public/"));
	assert_int_equal(dispatch_find_get(PROTO_PATH_HEALTHZ), DISPATCH_GET_HEALTHZ);
	assert_int_equal(dispatch_find_get(PROTO_PATH_METRICS), DISPATCH_GET_METRICS);
	assert_int_equal(dispatch_find_get("/t/public"), DISPATCH_GET_NONE);
}

static void test_dispatch_public_ok_envelope(void **state)
{
	struct answer a = run("/t/public", NULL, "");

	assert_int_equal(a.status, 200);
	assert_string_equal(cJSON_GetObjectItem(a.json, "msg")->valuestring, "OK");
	assert_true(cJSON_IsObject(cJSON_GetObjectItem(a.json, "data")));
	cJSON_Delete(a.json);
}

static void test_dispatch_missing_token_401(void **state)
{
	struct answer a = run("/t/user", NULL, "{}");

	assert_int_equal(a.status, 401);
	assert_string_equal(slug(&a), "unauthorized");
	cJSON_Delete(a.json);
}

static void test_dispatch_roles(void **state)
{
	char *cust = token(PROTO_ROLE_CUSTOMER, 0, 600);
	char *cash = token(PROTO_ROLE_CASHIER, 0, 600);
	char *adm = token(PROTO_ROLE_ADMIN, 0, 600);

	expect("/t/admin", cust, "{}", 403, "forbidden");
	expect("/t/admin", cash, "{}", 403, NULL);
	expect("/t/admin", adm, "{}", 200, NULL);
	expect("/t/staff", cust, "{}", 403, NULL);
	expect("/t/staff", cash, "{}", 200, NULL);
	/* a bare token without "Bearer " */
	assert_int_equal(uid_seen("/t/user", cust + 7), 42);
	free(cust);
	free(cash);
	free(adm);
}

static void test_dispatch_expired_revoked_forged(void **state)
{
	char *expired = token(PROTO_ROLE_ADMIN, 0, -10);
	char *revoked = token(PROTO_ROLE_ADMIN, 99, 600);
	char *forged = token(PROTO_ROLE_ADMIN, 0, 600);

	forged[strlen(forged) - 2] ^= 1; /* break the signature */
	expect("/t/user", expired, "{}", 401, "token_expired");
	expect("/t/user", revoked, "{}", 401, "token_expired");
	expect("/t/user", forged, "{}", 401, "unauthorized");
	expect("/t/user", "Bearer not.a.token", "{}", 401, NULL);
	/* On an optional-auth route a bad token reads as anonymous. */
	assert_int_equal(uid_seen("/t/optional", forged), 0);
	free(expired);
	free(revoked);
	free(forged);
}

static void test_dispatch_bad_json_before_auth(void **state)
{
	static const char *const bad[] = {"{", "[]", "\"s\"", "{\"a\":1}x", "nul"};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct answer a = run("/t/public", NULL, bad[i]);
		assert_int_equal(a.status, 400);
		assert_string_equal(slug(&a), "bad_request");
		cJSON_Delete(a.json);
	}
}

static void test_dispatch_field_error_data(void **state)
{
	struct answer a = run("/t/field", NULL, "{}");
	cJSON *data = cJSON_GetObjectItem(a.json, "data");

	assert_int_equal(a.status, 400);
	assert_string_equal(slug(&a), "invalid_field");
	assert_string_equal(cJSON_GetObjectItem(data, "field")->valuestring, "name");
	cJSON_Delete(a.json);
}

static void test_dispatch_unavailable_retry_after(void **state)
{
	struct answer a = run("/t/down", NULL, "{}");

	assert_int_equal(a.status, 503);
	assert_string_equal(slug(&a), "unavailable");
	assert_true(a.retry_after >= 1);
	cJSON_Delete(a.json);
}

static void test_dispatch_loop_error_render(void **state)
{
	struct http_response out;
	cJSON *j;

	dispatch_error(PROTO_ERR_LENGTH_REQUIRED, "x", &out);
	assert_int_equal(out.status, 411);
	j = cJSON_ParseWithLength(out.body, out.len);
	assert_string_equal(cJSON_GetObjectItem(j, "error")->valuestring, "length_required");
	cJSON_Delete(j);
	free(out.body);
}

/* A blocking call from the loop thread is caught (abort in debug builds). */
static void test_dispatch_loop_thread_never_blocks(void **state)
{
	pid_t pid = fork();
	int st;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct worker *w = worker_new_local();
		thread_role_set_loop();
		db_configure("mysql://u:p@127.0.0.1:1/x");
		db_exec(w, "SELECT 1", DB_NOPARAMS, NULL, NULL);
		_exit(thread_role_violations() == 1 ? 3 : 4);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
#ifndef NDEBUG
	assert_true(WIFSIGNALED(st));
	assert_int_equal(WTERMSIG(st), SIGABRT);
#else
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 3);
#endif
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_dispatch_find_routes),
	    cmocka_unit_test(test_dispatch_half_built_answer_is_a_500),
	    cmocka_unit_test(test_dispatch_public_ok_envelope),
	    cmocka_unit_test(test_dispatch_missing_token_401),
	    cmocka_unit_test(test_dispatch_roles),
	    cmocka_unit_test(test_dispatch_expired_revoked_forged),
	    cmocka_unit_test(test_dispatch_bad_json_before_auth),
	    cmocka_unit_test(test_dispatch_field_error_data),
	    cmocka_unit_test(test_dispatch_unavailable_retry_after),
	    cmocka_unit_test(test_dispatch_loop_error_render),
	    cmocka_unit_test(test_dispatch_loop_thread_never_blocks),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
