/*
 * ratelimit.h: fixed-window rate limits of spec section 3 in Redis
 * ("bo:rl:<bucket>:<subject>"). One Lua script counts the hit (INCR, PEXPIRE
 * on the first hit of a window) and returns the count and the window's
 * remaining PTTL, so concurrent requests on any instance share one counter.
 *
 * Every hit counts, allowed or not. With the setting rate_limits 0 nothing is
 * counted and everything is allowed. Worker threads only.
 */
#ifndef BOXOFFICE_CACHE_RATELIMIT_H
#define BOXOFFICE_CACHE_RATELIMIT_H

#include <stddef.h>

struct worker;

/*
 * Count one hit of subject (any bytes, NUL-terminated) in bucket ("login",
 * "code:dest", ...) whose window is window_s seconds. Returns 0 when the
 * count is within limit, 1 when over it (*retry_after: whole seconds until
 * the window ends, at least 1), -1 when Redis is unreachable (logged).
 * The service decides what to answer (svc/limit.h).
 */
int ratelimit_hit(struct worker *w, const char *bucket, const char *subject, long limit,
                  long window_s, int *retry_after);

/*
 * The rate-limit subject of a client address into out: an IPv4 address as
 * is, an IPv4-mapped IPv6 one (a dual-stack listener) as its IPv4 address,
 * any other IPv6 address by its /64, since one host usually holds a whole
 * /64 and could otherwise take a new address for every try. Anything else
 * (NULL: "") is copied as is. Pure; any thread.
 */
void ratelimit_addr_subject(const char *remote, char *out, size_t outlen);

#endif
