/*
 * limit.h: the rate limits of spec section 3 as answers: a hit counted by
 * cache/ratelimit.c becomes PROTO_OK, 429 rate_limited with Retry-After, or
 * 503 when the counter cannot be reached (the limit fails closed: use these
 * only where an unlimited fallback would be worse than refusing, as for
 * login brute force, code sending, holds and comment spam). Worker threads.
 */
#ifndef BOXOFFICE_SVC_LIMIT_H
#define BOXOFFICE_SVC_LIMIT_H

#include "core/req.h"

/* Count one hit of subject in bucket (limit per window_s); the answer for r. */
enum proto_err limit_req(struct req *r, const char *bucket, const char *subject, long limit,
                         long window_s);
/* limit_req with r's client address (ratelimit_addr_subject) as the subject. */
enum proto_err limit_req_addr(struct req *r, const char *bucket, long limit, long window_s);

#endif
