/*
 * req.h: one API request as a service handler sees it, and the route table.
 *
 * The dispatcher (core/dispatch.c) fills a struct req on a worker thread:
 * parsed body, verified caller, the worker's connections. A handler validates
 * only its own fields, adds its answer to r->data and returns PROTO_OK, or
 * returns an error (after req_fail_* for details). Handlers never see lws.
 */
#ifndef BOXOFFICE_CORE_REQ_H
#define BOXOFFICE_CORE_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "proto_error.h"

struct worker;

/* The verified caller. uid 0: anonymous (a public route without a token). */
struct auth {
	int64_t uid;
	int role; /* enum proto_role */
	int64_t iat, exp;
};

struct req {
	/* input, owned by the dispatcher */
	const char *path;
	const char *request_id;
	const char *remote; /* client address, for rate limits */
	const char *raw;    /* body bytes, NUL-terminated */
	size_t raw_len;
	const char *signature; /* X-Boxoffice-Signature or NULL */
	cJSON *body;           /* the request object; {} for an empty body */
	struct auth auth;
	struct worker *w;

	/* output */
	cJSON *data; /* success "data" object, pre-created */
	/*
	 * Or the success "data" as JSON text already (a cached answer), malloc'd,
	 * freed by the dispatcher: when set, r->data is ignored and the answer is
	 * the envelope around these bytes (proto_render_ok_raw). One JSON object,
	 * as cJSON_PrintUnformatted prints it.
	 */
	char *data_raw;
	size_t data_raw_len;
	char err_msg[200]; /* "" = the table's default message */
	cJSON *err_data;   /* "data" of an error, or NULL */
	int retry_after;   /* seconds, for 429/503; 0 = none (a 503 then gets 1) */
	char *out_body;    /* raw answer instead of the envelope (csv), malloc'd */
	size_t out_len;
	const char *out_ctype; /* static string */
};

typedef enum proto_err (*route_fn)(struct req *r);

enum route_flags {
	ROUTE_PUBLIC = 0,
	ROUTE_USER = 1 << 0,  /* any valid token */
	ROUTE_STAFF = 1 << 1, /* admin or cashier */
	ROUTE_ADMIN = 1 << 2,
	ROUTE_AUTH_OPTIONAL = 1 << 3, /* public, but a valid token fills r->auth */
	/*
	 * Public, and its answer depends only on the path, the body and what
	 * the read cache (cache/cache.h) hands it: kept in the near cache
	 * (cache/near.h) and answered on the loop thread while valid.
	 */
	ROUTE_NEAR = 1 << 4,
};

struct route {
	const char *path;
	route_fn fn;
	unsigned flags;
};

/*
 * The answer is object v: its members are moved into r->data and v is
 * deleted (taken). Returns PROTO_OK, or PROTO_ERR_INTERNAL when v is NULL.
 */
enum proto_err req_answer(struct req *r, cJSON *v);
/* 400 invalid_field with data {"field": field}. Returns PROTO_ERR_INVALID_FIELD. */
enum proto_err req_fail_field(struct req *r, const char *field);
/* 409 conflict with data {"reason": reason}. */
enum proto_err req_fail_conflict(struct req *r, const char *reason);
/* 409 already_exists with data {"field": field}. */
enum proto_err req_fail_exists(struct req *r, const char *field);
/* 429 with Retry-After. */
enum proto_err req_fail_rate(struct req *r, int retry_after);
/* Any error with a printf-style message. */
enum proto_err req_fail_msg(struct req *r, enum proto_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Paging of list routes: reads "page" (1..) and "pageSize" (1..100, default
 * 20). Returns PROTO_OK or an invalid_field error already filled in r.
 */
enum proto_err req_paging(struct req *r, int64_t *page, int64_t *page_size);

#endif
