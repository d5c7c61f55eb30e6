/*
 * dispatch.h: the transport-neutral request and response, and the router.
 *
 * The loop thread (http/) builds a struct http_request, asks dispatch_find
 * for cheap checks (404/405: pure, no I/O) and hands the request to a
 * worker, which calls dispatch_run: JSON parsing under the spec's limits,
 * token and role checks, the handler, and the one rendering of every answer.
 */
#ifndef BOXOFFICE_CORE_DISPATCH_H
#define BOXOFFICE_CORE_DISPATCH_H

#include <stddef.h>
#include <stdint.h>

#include "proto_error.h"
#include "core/req.h"
#include "core/trace.h"

struct worker;

enum http_method { HTTP_GET, HTTP_POST, HTTP_HEAD, HTTP_OTHER };

struct http_request {
	uint64_t conn_id; /* the loop's id of the connection's current request */
	enum http_method method;
	char path[256];
	char request_id[80];
	char remote[64];
	char authorization[1024];
	char signature[160];
	char *body; /* malloc'd, NUL-terminated; owned by the request */
	size_t body_len;
	double t_start;            /* monotonic seconds */
	struct trace_ids trace;    /* the request's server span (trace_ids_from_header) */
	const struct route *route; /* from dispatch_find, NULL for GET endpoints */
};

struct http_response {
	int status;
	const char *ctype; /* static string */
	char *body;        /* malloc'd */
	size_t len;
	char request_id[80];
	int retry_after;                     /* 0 = no header */
	int close;                           /* close the connection after writing */
	const char *allow;                   /* Allow header of a 405 (static string), or NULL */
	char traceparent[TRACE_HEADER_SIZE]; /* the traceparent header, or "" */
};

/* GET endpoints served by workers (not static files). */
enum dispatch_get { DISPATCH_GET_NONE, DISPATCH_GET_HEALTHZ, DISPATCH_GET_METRICS };

/* The API route of path, or NULL. Pure; any thread. */
const struct route *dispatch_find(const char *path);
/* Which worker-served GET endpoint path is. */
enum dispatch_get dispatch_find_get(const char *path);

/* Run a request on a worker; fills *out (out->body malloc'd). */
void dispatch_run(struct worker *w, const struct http_request *in, struct http_response *out);

/*
 * The near cache on the loop thread (cache/near.h), before a request goes
 * to a worker. dispatch_near_wanted: 1 if the request may be answered from
 * it (a ROUTE_NEAR route, the cache on, a key that fits). dispatch_near_sync:
 * a freshness token covering every request read before the call, or 0
 * (near_sync_check: one poll() that returns at once). dispatch_near: if the
 * near cache holds the answer, fresh under token, fill *out (out->body
 * malloc'd) as dispatch_run would have and return 1; else 0. No I/O.
 */
int dispatch_near_wanted(const struct http_request *in);
unsigned long dispatch_near_sync(void);
int dispatch_near(const struct http_request *in, unsigned long token, struct http_response *out);

/* Render an error answer without a worker (loop thread: 404, 405, 411, 413, 415, 503). */
void dispatch_error(enum proto_err e, const char *request_id, struct http_response *out);

/* Checks a verified token against the user's state (svc_user.c user_auth_check). */
typedef enum proto_err (*dispatch_auth_check_fn)(struct worker *w, struct auth *a,
                                                 int64_t token_tv);
/* Creates the first admin from "mobile:password" (svc_user.c user_bootstrap_admin). */
typedef int (*dispatch_bootstrap_fn)(struct worker *w, const char *mobile_colon_password);

/* Answers a worker-served GET endpoint (svc/health.c); fills *out, body malloc'd. */
typedef void (*dispatch_get_fn)(struct http_response *out);

/*
 * What the dispatcher serves: the route tables (NULL-terminated list of
 * tables, each ending with a NULL path), the user service's two hooks and
 * the two GET endpoints (NULL: answered 404).
 * The daemon passes svc_registry (svc/registry.c); tests pass fakes.
 */
struct dispatch_services {
	const struct route *const *tables;
	dispatch_auth_check_fn auth_check;
	dispatch_bootstrap_fn bootstrap_admin;
	dispatch_get_fn healthz, metrics;
};

/*
 * Index every route of s (borrowed; must outlive the dispatcher) and log
 * them at debug level. Returns 0, or -1 when a path is defined twice or there
 * are too many. Call once at start, before any request.
 */
int dispatch_init(const struct dispatch_services *s);
/* Hook for the bootstrap admin and the token check (user service). */
int dispatch_bootstrap(struct worker *w);

#endif
