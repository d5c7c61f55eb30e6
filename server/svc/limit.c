/*
 * limit.c: see limit.h.
 */
#include "svc/limit.h"

#include <arpa/inet.h>

#include "cache/ratelimit.h"

enum proto_err limit_req(struct req *r, const char *bucket, const char *subject, long limit,
                         long window_s)
{
	enum proto_err e;
	int retry_after = 0;

	switch (ratelimit_hit(r->w, bucket, subject, limit, window_s, &retry_after)) {
	case 0:
		return PROTO_OK;
	case 1:
		return req_fail_rate(r, retry_after);
	default:
		e = req_fail_msg(r, PROTO_ERR_UNAVAILABLE, "rate limiter unavailable, retry later");
		r->retry_after = 1;
		return e;
	}
}

enum proto_err limit_req_addr(struct req *r, const char *bucket, long limit, long window_s)
{
	char subject[INET6_ADDRSTRLEN + 8];

	ratelimit_addr_subject(r->remote, subject, sizeof(subject));
	return limit_req(r, bucket, subject, limit, window_s);
}
