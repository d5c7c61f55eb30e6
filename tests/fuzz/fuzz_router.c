/*
 * fuzz_router.c: libFuzzer harness for the router (server/svc/dispatch.c):
 * what happens to a request between the HTTP parser (fuzz_http) and a
 * handler: the route lookup (dispatch_find, dispatch_find_get) and
 * dispatch_run's generic checks in their fixed order, body (400/413), token
 * (401), the user's state (401 revoked, 503), role (403), then the handler
 * and the one rendering of the answer.
 *
 * The routes are a table of real paths, one per kind of access (public,
 * optional token, user, staff, admin) in two tables as the registry hands
 * them over; handlers are the harness's own and need no stack. The user
 * check is a function of the token version (0 ok, 1 revoked, 2 store down).
 *
 * Input: byte 0 picks the path (a route's, a near miss of one, or the text
 * below), byte 1 the token (none, valid with role byte 2 % 3 and tv byte 3
 * % 4, bare or after "Bearer ", expired, signed with another secret, or the
 * text below), byte 3 / 4 what the handler answers; then text up to the
 * first NUL, then the body.
 *
 * Checks: the lookup finds exactly the route whose path is equal (a near
 * miss is 404); /healthz and /metrics exactly by their paths, and a worker
 * answers them through the service's own hook; a route's
 * answer is the model's: 400/413 as proto_json_parse decides, else 401, 403
 * or 503 as the token, the user check and the route's flags decide, else the
 * handler runs (once, with the body as an object, the raw bytes and the
 * token's user and role, or anonymous) and its answer is sent: 200 with the
 * envelope, 200 with its raw text, or its error. Every envelope is JSON with
 * the status as "code"; the request id comes back; a 503 says Retry-After.
 *
 *   clang -D_GNU_SOURCE -DBOXOFFICE_VERSION='"fuzz"' -fsanitize=fuzzer,address,undefined \
 *       -I server -I protocol tests/fuzz/fuzz_router.c server/svc/dispatch.c \
 *       server/core/{config,log,jwt,b64url,jsonguard,metrics,clock,req}.c protocol/proto_*.c \
 *       $(pkg-config --cflags --libs libcjson libcrypto) -lm -lpthread -o fuzz_router
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "core/jwt.h"
#include "core/log.h"
#include "core/req.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "svc/dispatch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char secret[] = "fuzz router secret: not the one in production";
static const char other_secret[] = "fuzz router secret: another one entirely";

static void check(int ok)
{
	if (!ok)
		abort();
}

/* What the handler saw and is to answer (set per input). */
static struct {
	int calls, answer;
	const char *raw;
	size_t raw_len;
	int64_t uid;
	int role;
} hs;

static enum proto_err handler(struct req *r)
{
	hs.calls++;
	check(cJSON_IsObject(r->body));
	check(r->raw_len == hs.raw_len && !memcmp(r->raw, hs.raw, hs.raw_len) &&
	      !r->raw[hs.raw_len]);
	if (hs.uid >= 0) /* -1: a token the fuzzer wrote, no model of it */
		check(r->auth.uid == hs.uid && (hs.uid == 0 || r->auth.role == hs.role));
	check(r->data && cJSON_IsObject(r->data));
	switch (hs.answer) {
	case 0:
		cJSON_AddNumberToObject(r->data, "seen", (double)cJSON_GetArraySize(r->body));
		return PROTO_OK;
	case 1:
		return req_fail_conflict(r, "fuzz");
	case 2:
		r->out_body = strdup("a,b\r\n1,2\r\n");
		check(r->out_body != NULL);
		r->out_len = strlen(r->out_body);
		r->out_ctype = "text/csv";
		return PROTO_OK;
	default:
		r->data_raw = strdup("{\"raw\":true}");
		check(r->data_raw != NULL);
		r->data_raw_len = strlen(r->data_raw);
		return PROTO_OK;
	}
}

static const struct route routes_a[] = {
    {PROTO_PATH_FILM_LIST, handler, ROUTE_PUBLIC},
    {PROTO_PATH_COMMENT_FILM_LIST, handler, ROUTE_AUTH_OPTIONAL},
    {PROTO_PATH_USER_INFO, handler, ROUTE_USER},
    {NULL, NULL, 0},
};
static const struct route routes_b[] = {
    {PROTO_PATH_SHIFT_OPEN, handler, ROUTE_STAFF},
    {PROTO_PATH_REPORT_SALES, handler, ROUTE_ADMIN},
    {PROTO_PATH_PAY_CALLBACK, handler, ROUTE_PUBLIC},
    {NULL, NULL, 0},
};
static const struct route *const tables[] = {routes_a, routes_b, NULL};
static const struct route *const dup_tables[] = {routes_a, routes_b, routes_a, NULL};
#define NROUTES 6

static const struct route *route_at(int i)
{
	return i < 3 ? &routes_a[i] : &routes_b[i - 3];
}

/* The user check: by token version, as svc_user.c's answers. */
static enum proto_err auth_check(struct worker *w, struct auth *a, int64_t tv)
{
	return tv == 1 ? PROTO_ERR_TOKEN_EXPIRED : tv == 2 ? PROTO_ERR_UNAVAILABLE : PROTO_OK;
}

static int bootstrap(struct worker *w, const char *mobile_colon_password)
{
	return 0;
}

/* The GET endpoints: each says which it is. */
static void get_answer(struct http_response *out, const char *which)
{
	out->status = 200;
	out->ctype = "text/plain";
	out->body = strdup(which);
	check(out->body != NULL);
	out->len = strlen(which);
}

static void get_healthz(struct http_response *out)
{
	get_answer(out, "healthz");
}

static void get_metrics(struct http_response *out)
{
	get_answer(out, "metrics");
}

static const struct dispatch_services services = {tables, auth_check, bootstrap, get_healthz,
                                                  get_metrics};
static const struct dispatch_services dup_services = {dup_tables, auth_check, bootstrap, NULL,
                                                      NULL};

static void init_once(void)
{
	static int done;

	if (done)
		return;
	done = 1;
	log_set_level(LOG_ERROR);
	cfg.jwt_secret = secret;
	check(dispatch_init(&dup_services) == -1); /* a path twice is refused */
	check(dispatch_init(&services) == 0);
}

/* A near miss of a route's path: 404 like any unknown path. */
static void near_miss(const char *path, unsigned how, char *out, size_t size)
{
	size_t n = strlen(path);

	switch (how % 4) {
	case 0:
		snprintf(out, size, "%s/", path);
		break;
	case 1:
		snprintf(out, size, "%.*s", (int)(n - 1), path);
		break;
	case 2:
		snprintf(out, size, "%s", path);
		out[1] = (char)(out[1] - 'a' + 'A');
		break;
	default:
		snprintf(out, size, "/%s", path);
		break;
	}
}

/* The status the model expects before the handler, or 0 when the handler runs. */
static int model_status(unsigned flags, int token, int role, int64_t tv, int *anonymous)
{
	int need = flags & (ROUTE_USER | ROUTE_STAFF | ROUTE_ADMIN);

	*anonymous = 1;
	if (!need && !(flags & ROUTE_AUTH_OPTIONAL))
		return 0;
	if (token == 0 || token >= 3) /* none, expired, another secret */
		return need ? 401 : 0;
	if (tv == 1)
		return need ? 401 : 0;
	if (tv == 2)
		return 503;
	*anonymous = 0;
	if ((flags & ROUTE_ADMIN) && role != PROTO_ROLE_ADMIN)
		return 403;
	if ((flags & ROUTE_STAFF) && role == PROTO_ROLE_CUSTOMER)
		return 403;
	return 0;
}

static void check_envelope(const struct http_response *out)
{
	cJSON *env = cJSON_ParseWithLength(out->body, out->len);
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(env, "code");

	check(env != NULL && cJSON_IsNumber(code) && code->valueint == out->status);
	check(!strcmp(out->ctype, "application/json"));
	cJSON_Delete(env);
}

static void run(const struct route *rt, const char *path, const char *authorization,
                const char *body, size_t body_len, int token, int role, int64_t tv,
                int fuzzed_token)
{
	struct http_request in;
	struct http_response out;
	enum proto_err e;
	cJSON *parsed;
	int want, anonymous;

	memset(&in, 0, sizeof(in));
	in.method = HTTP_POST;
	snprintf(in.path, sizeof(in.path), "%s", path);
	snprintf(in.request_id, sizeof(in.request_id), "fuzz-%d", hs.answer);
	snprintf(in.authorization, sizeof(in.authorization), "%s", authorization);
	in.body = malloc(body_len + 1);
	check(in.body != NULL);
	memcpy(in.body, body, body_len);
	in.body[body_len] = '\0';
	in.body_len = body_len;
	in.route = rt;
	hs.calls = 0;
	hs.raw = in.body;
	hs.raw_len = body_len;
	dispatch_run(NULL, &in, &out);
	check(!strcmp(out.request_id, in.request_id));
	check(out.body != NULL && out.len > 0);
	parsed = proto_json_parse(in.body, body_len, &e);
	if (!parsed) {
		check(out.status == proto_err_status(e) &&
		      (out.status == 400 || out.status == 413));
		check(hs.calls == 0);
		check_envelope(&out);
		goto done;
	}
	cJSON_Delete(parsed);
	if (fuzzed_token) {
		/* no model of an arbitrary token: only that the answer is one of these */
		check(out.status == 200 || out.status == 401 || out.status == 403 ||
		      out.status == 409 || out.status == 503);
		check(hs.calls == (out.status == 200 || out.status == 409));
		goto done;
	}
	want = model_status(rt->flags, token, role, tv, &anonymous);
	if (want) {
		check(out.status == want && hs.calls == 0);
		check_envelope(&out);
		check((want == 503) == (out.retry_after == 1));
		goto done;
	}
	check(hs.calls == 1);
	if (hs.answer == 2) {
		check(out.status == 200 && !strcmp(out.ctype, "text/csv") && out.len == 10);
	} else {
		check(out.status == (hs.answer == 1 ? 409 : 200));
		check_envelope(&out);
	}
done:
	free(out.body);
	free(in.body);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[1200], path[300], *token = NULL, authorization[1100];
	const uint8_t *nul;
	const char *body;
	size_t tlen, body_len;
	const struct route *rt = NULL;
	struct jwt_claims c;
	int sel, kind, role, i, fuzzed_token = 0;
	uint8_t b0;
	int64_t now = (int64_t)time(NULL);

	init_once();
	if (size < 4)
		return 0;
	b0 = data[0];
	sel = b0 % 16;
	kind = data[1] % 8;
	role = data[2] % 3;
	hs.answer = data[3] >> 6;
	c.tv = data[3] % 4;
	data += 4;
	size -= 4;
	nul = memchr(data, 0, size);
	tlen = nul ? (size_t)(nul - data) : 0;
	if (tlen >= sizeof(text))
		tlen = sizeof(text) - 1;
	memcpy(text, data, tlen);
	text[tlen] = '\0';
	body = nul ? (const char *)nul + 1 : (const char *)data;
	body_len = nul ? size - (size_t)(nul - data) - 1 : size;

	/* the path, and the lookup against the model */
	if (sel < NROUTES)
		snprintf(path, sizeof(path), "%s", route_at(sel)->path);
	else if (sel < 12)
		near_miss(route_at(sel % NROUTES)->path, b0 >> 4, path, sizeof(path));
	else
		snprintf(path, sizeof(path), "%.255s", text);
	for (i = 0; i < NROUTES; i++)
		if (!strcmp(route_at(i)->path, path))
			rt = route_at(i);
	check(dispatch_find(path) == rt);
	check(dispatch_find_get(path) == (!strcmp(path, PROTO_PATH_HEALTHZ)   ? DISPATCH_GET_HEALTHZ
	                                  : !strcmp(path, PROTO_PATH_METRICS) ? DISPATCH_GET_METRICS
	                                                                      : DISPATCH_GET_NONE));
	if (!rt) {
		enum dispatch_get g = dispatch_find_get(path);
		struct http_request in;
		struct http_response out;

		if (g == DISPATCH_GET_NONE)
			return 0;
		/* what the loop hands a worker for GET /healthz and /metrics */
		memset(&in, 0, sizeof(in));
		in.method = HTTP_GET;
		snprintf(in.path, sizeof(in.path), "%s", path);
		dispatch_run(NULL, &in, &out);
		check(out.status == 200 &&
		      !strcmp(out.body, g == DISPATCH_GET_HEALTHZ ? "healthz" : "metrics"));
		free(out.body);
		return 0;
	}

	/* the token */
	c.user_id = 1 + (int64_t)(b0 >> 4);
	c.role = role;
	c.iat = now - 10;
	c.exp = kind == 3 ? now - 1 : now + 3600;
	authorization[0] = '\0';
	if (kind == 1 || kind == 2 || kind == 3 || kind == 4)
		token = jwt_sign(&c, kind == 4 ? other_secret : secret,
		                 strlen(kind == 4 ? other_secret : secret));
	if (token) {
		snprintf(authorization, sizeof(authorization), "%s%s", kind == 2 ? "Bearer " : "",
		         token);
		free(token);
	} else if (kind >= 5) {
		snprintf(authorization, sizeof(authorization), "%s", text);
		fuzzed_token = 1;
	}
	hs.uid = c.user_id;
	hs.role = role;
	{
		/* the model's token kinds: 0 none, 1 valid, 3 expired, 4 another secret */
		int mk = kind == 0 ? 0 : kind <= 2 ? 1 : kind;
		int anonymous = 1;
		if (!fuzzed_token)
			model_status(rt->flags, mk, role, c.tv, &anonymous);
		if (anonymous && !fuzzed_token)
			hs.uid = 0;
		if (fuzzed_token) /* whoever it names: the handler checks nothing about it */
			hs.uid = -1;
		run(rt, path, authorization, body, body_len, mk, role, c.tv, fuzzed_token);
	}
	return 0;
}
