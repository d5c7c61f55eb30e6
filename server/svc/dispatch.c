/*
 * dispatch.c: see dispatch.h. The generic checks of every API request run
 * here in a fixed order, before any handler: JSON (400/413), token (401),
 * role (403). Then the handler, then the one rendering of the answer.
 */
#include "svc/dispatch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/near.h"
#include "core/config.h"
#include "core/jsonguard.h"
#include "core/jwt.h"
#include "core/log.h"
#include "core/metrics.h"
#include "proto_json.h"
#include "proto_wire.h"
#include "core/clock.h"

/* The services this dispatcher serves (dispatch_init). */
static const struct dispatch_services *svcs;

#define MAX_ROUTES 256
static const struct route *table[MAX_ROUTES];
static int nroutes;

static int add_table(const struct route *t)
{
	const struct route *r;

	for (r = t; r->path; r++) {
		if (nroutes == MAX_ROUTES)
			return -1;
		if (dispatch_find(r->path)) {
			log_error("route '%s' is defined twice", r->path);
			return -1;
		}
		table[nroutes++] = r;
		log_debug("route %s flags %#x", r->path, r->flags);
	}
	return 0;
}

int dispatch_init(const struct dispatch_services *s)
{
	const struct route *const *t;

	nroutes = 0;
	svcs = s;
	for (t = s->tables; *t; t++)
		if (add_table(*t) < 0)
			return -1;
	log_info("%d api routes", nroutes);
	return 0;
}

const struct route *dispatch_find(const char *path)
{
	int i;

	for (i = 0; i < nroutes; i++)
		if (!strcmp(table[i]->path, path))
			return table[i];
	return NULL;
}

enum dispatch_get dispatch_find_get(const char *path)
{
	if (!strcmp(path, PROTO_PATH_HEALTHZ))
		return DISPATCH_GET_HEALTHZ;
	if (!strcmp(path, PROTO_PATH_METRICS))
		return DISPATCH_GET_METRICS;
	return DISPATCH_GET_NONE;
}

/* Near-cache keys: the path, a newline, the body; a longer body is not kept. */
#define NEAR_KEY_MAX 512

/* The near-cache key of in into key (NEAR_KEY_MAX bytes); its length, or 0 if none. */
static size_t near_key(const struct http_request *in, char *key)
{
	size_t plen = strlen(in->path);

	if (!in->route || in->route->flags != ROUTE_NEAR || !near_enabled() ||
	    plen + 1 + in->body_len > NEAR_KEY_MAX)
		return 0;
	memcpy(key, in->path, plen);
	key[plen] = '\n';
	if (in->body_len)
		memcpy(key + plen + 1, in->body, in->body_len);
	return plen + 1 + in->body_len;
}

int dispatch_near_wanted(const struct http_request *in)
{
	return in->route && in->route->flags == ROUTE_NEAR && near_enabled() &&
	       strlen(in->path) + 1 + in->body_len <= NEAR_KEY_MAX;
}

unsigned long dispatch_near_sync(void)
{
	return near_sync_check();
}

int dispatch_near(const struct http_request *in, unsigned long token, struct http_response *out)
{
	char key[NEAR_KEY_MAX];
	size_t klen = near_key(in, key), len;
	char *body = klen ? near_get(key, klen, token, &len) : NULL;

	if (!body)
		return 0;
	memset(out, 0, sizeof(*out));
	snprintf(out->request_id, sizeof(out->request_id), "%s", in->request_id);
	out->status = 200;
	out->ctype = "application/json";
	out->body = body;
	out->len = len;
	metrics_observe(in->route->path, 200, clock_s() - in->t_start);
	return 1;
}

static void render(struct req *r, enum proto_err e, struct http_response *out)
{
	const char *msg = r && r->err_msg[0] ? r->err_msg : NULL;

	out->status = proto_err_status(e);
	out->ctype = "application/json";
	if (e == PROTO_OK && r && r->data_raw)
		out->body = proto_render_ok_raw(r->data_raw, r->data_raw_len, &out->len);
	else if (e == PROTO_OK)
		out->body = proto_render_ok(r ? r->data : NULL, &out->len);
	else
		out->body = proto_render_error(e, msg, r ? r->err_data : NULL, &out->len);
	if (!out->body) {
		out->status = 500;
		out->body =
		    strdup("{\"code\":500,\"msg\":\"out of memory\",\"error\":\"internal\"}");
		out->len = out->body ? strlen(out->body) : 0;
	}
	if (r && r->retry_after)
		out->retry_after = r->retry_after;
	else if (e == PROTO_ERR_UNAVAILABLE)
		out->retry_after = 1;
}

void dispatch_error(enum proto_err e, const char *request_id, struct http_response *out)
{
	memset(out, 0, sizeof(*out));
	snprintf(out->request_id, sizeof(out->request_id), "%s", request_id);
	render(NULL, e, out);
}

/* Token check: fills r->auth, or returns the 401/403/503 to answer. */
static enum proto_err authenticate(struct req *r, const char *authorization, unsigned flags)
{
	struct jwt_claims c;
	enum jwt_rc jr;
	enum proto_err e;
	int need = flags & (ROUTE_USER | ROUTE_STAFF | ROUTE_ADMIN);

	memset(&r->auth, 0, sizeof(r->auth));
	if (!need && !(flags & ROUTE_AUTH_OPTIONAL))
		return PROTO_OK;
	if (!authorization[0]) {
		if (!need)
			return PROTO_OK;
		return req_fail_msg(r, PROTO_ERR_UNAUTHORIZED, "a token is required");
	}
	jr = jwt_verify(authorization, cfg.jwt_secret, strlen(cfg.jwt_secret), (int64_t)time(NULL),
	                &c);
	if (jr != JWT_OK) {
		if (!need)
			return PROTO_OK; /* optional: an unusable token reads as anonymous */
		if (jr == JWT_EXPIRED)
			return req_fail_msg(r, PROTO_ERR_TOKEN_EXPIRED, "token expired");
		return req_fail_msg(r, PROTO_ERR_UNAUTHORIZED, "invalid token");
	}
	r->auth.uid = c.user_id;
	r->auth.role = c.role;
	r->auth.iat = c.iat;
	r->auth.exp = c.exp;
	e = svcs->auth_check(r->w, &r->auth, c.tv);
	if (e != PROTO_OK) {
		memset(&r->auth, 0, sizeof(r->auth));
		if (!need && e != PROTO_ERR_UNAVAILABLE)
			return PROTO_OK;
		if (e == PROTO_ERR_TOKEN_EXPIRED)
			return req_fail_msg(r, e, "token revoked");
		return e;
	}
	if ((flags & ROUTE_ADMIN) && r->auth.role != PROTO_ROLE_ADMIN)
		return req_fail_msg(r, PROTO_ERR_FORBIDDEN, "admin role required");
	if ((flags & ROUTE_STAFF) && r->auth.role != PROTO_ROLE_ADMIN &&
	    r->auth.role != PROTO_ROLE_CASHIER)
		return req_fail_msg(r, PROTO_ERR_FORBIDDEN, "staff role required");
	return PROTO_OK;
}

static void run(struct worker *w, const struct http_request *in, struct http_response *out)
{
	struct req r;
	enum proto_err e;
	const char *label = in->route ? in->route->path : in->path;
	char nkey[NEAR_KEY_MAX];
	size_t nklen;

	memset(out, 0, sizeof(*out));
	snprintf(out->request_id, sizeof(out->request_id), "%s", in->request_id);
	if (!in->route) {
		dispatch_get_fn get = NULL;

		if (dispatch_find_get(in->path) == DISPATCH_GET_HEALTHZ) {
			label = PROTO_PATH_HEALTHZ;
			get = svcs->healthz;
		} else {
			label = PROTO_PATH_METRICS;
			get = svcs->metrics;
		}
		if (get)
			get(out);
		else
			render(NULL, PROTO_ERR_NOT_FOUND, out);
		metrics_observe(label, out->status, clock_s() - in->t_start);
		return;
	}
	nklen = near_key(in, nkey);
	if (nklen)
		near_capture_begin();
	memset(&r, 0, sizeof(r));
	r.path = in->path;
	r.request_id = in->request_id;
	r.remote = in->remote;
	r.raw = in->body ? in->body : "";
	r.raw_len = in->body_len;
	r.signature = in->signature[0] ? in->signature : NULL;
	r.w = w;
	r.body = proto_json_parse(r.raw, r.raw_len, &e);
	if (!r.body) {
		req_fail_msg(
		    &r, e,
		    e == PROTO_ERR_TOO_LARGE
		        ? "request body too large"
		        : "body must be well-formed JSON: one object, nested at most 16 deep");
		goto answer;
	}
	e = authenticate(&r, in->authorization, in->route->flags);
	if (e != PROTO_OK)
		goto answer;
	jsonguard_reset();
	r.data = cJSON_CreateObject();
	if (!r.data) {
		e = PROTO_ERR_INTERNAL;
		goto answer;
	}
	e = in->route->fn(&r);
	/* A half-built answer is never sent (core/jsonguard.h). */
	if (e == PROTO_OK && jsonguard_failed()) {
		e = req_fail_msg(&r, PROTO_ERR_INTERNAL, "out of memory building the answer");
		free(r.out_body);
		r.out_body = NULL;
	}
answer:
	if (r.out_body && e == PROTO_OK) {
		out->status = 200;
		out->ctype = r.out_ctype ? r.out_ctype : "text/plain";
		out->body = r.out_body;
		out->len = r.out_len;
		r.out_body = NULL;
	} else {
		render(&r, e, out);
	}
	if (nklen && out->status == 200 && out->body)
		near_capture_end(nkey, nklen, out->body, out->len);
	else if (nklen)
		near_capture_abort();
	/*
	 * A 500 is a bug: always logged. A 503 means a dependency is down or
	 * load is shed, which core/depstate.h logs once per outage: one line per
	 * request would flood the log (debug only).
	 */
	if (out->status >= 500 && out->status != 503)
		log_error("request %s %s answered %d: %s", in->request_id, in->path, out->status,
		          r.err_msg[0] ? r.err_msg : proto_err_message(e));
	else if (out->status == 503)
		log_debug("request %s %s answered 503: %s", in->request_id, in->path,
		          r.err_msg[0] ? r.err_msg : proto_err_message(e));
	metrics_observe(label, out->status, clock_s() - in->t_start);
	free(r.out_body);
	free(r.data_raw);
	cJSON_Delete(r.body);
	cJSON_Delete(r.data);
	cJSON_Delete(r.err_data);
}

/*
 * The request's server span, with the ids the loop gave it (http.c answers
 * its own errors with them too); it started when the head arrived, and it
 * is current while the handler runs, so log lines and Kafka messages of
 * the request carry it.
 */
void dispatch_run(struct worker *w, const struct http_request *in, struct http_response *out)
{
	struct trace_span span;
	double waited = clock_s() - in->t_start;
	char name[TRACE_NAME_SIZE];

	snprintf(name, sizeof(name), "%s %.58s", in->method == HTTP_GET ? "GET" : "POST",
	         in->route ? in->route->path : in->path);
	if (in->trace.valid)
		trace_span_begin_ids(&span, name, TRACE_KIND_SERVER, &in->trace, in->request_id);
	else /* a request made inside the daemon (ws.c's token check) */
		trace_span_begin(&span, name, TRACE_KIND_SERVER, NULL, in->request_id);
	if (waited > 0)
		span.start_ns -= (uint64_t)(waited * 1e9);
	trace_span_attr_str(&span, "http.route", in->route ? in->route->path : in->path);
	run(w, in, out);
	trace_span_attr_int(&span, "http.response.status_code", out->status);
	span.error = out->status >= 500;
	trace_span_end(&span);
	trace_format(&span.ids, out->traceparent);
}

int dispatch_bootstrap(struct worker *w)
{
	if (!cfg.bootstrap_admin[0])
		return 0;
	return svcs->bootstrap_admin(w, cfg.bootstrap_admin);
}
