/*
 * redis.h: the Redis connection of one worker (hiredis, blocking, with
 * timeouts) and atomic scripts run by EVALSHA.
 *
 * Worker threads only (ASSERT_NOT_LOOP). A failed connection is dropped and
 * reopened on next use, at most once a second; meanwhile calls return NULL,
 * which services map to 503 unavailable (or, for read caches, a MySQL read),
 * and redis_why tells why. An outage is logged once when it starts and once
 * when it ends (core/depstate.h), not once per call.
 */
#ifndef BOXOFFICE_CACHE_REDIS_H
#define BOXOFFICE_CACHE_REDIS_H

#include <stddef.h>

#include <hiredis/hiredis.h>

struct worker;

/* A Lua script; sha is filled in on first use. Define with REDIS_SCRIPT. */
struct redis_script {
	const char *name;
	const char *src;
	char sha[41];
};
#define REDIS_SCRIPT(name, src)   \
	{                         \
		(name), (src), "" \
	}

/* Why the last call of a worker returned NULL. */
enum redis_fail {
	REDIS_FAIL_NONE = 0,
	REDIS_FAIL_UNREACHABLE, /* no connection, or it broke (timeout, reset) */
	REDIS_FAIL_SCRIPT,      /* a script could not be loaded */
	REDIS_FAIL_NOMEM,       /* out of memory building the command */
};

/* Set once at start from redis_url. Returns 0 or -1 (bad url). */
int redis_configure(const char *url);
/*
 * A new blocking connection of its own to the configured Redis (near_track.c),
 * or NULL with *msg set.
 */
redisContext *redis_connect(char *msg, size_t msglen);
/* Start-up check. Returns 0, or -1 with *msg set. */
int redis_check(char *msg, size_t msglen);

struct redis_conn *redis_conn_new(void);
void redis_conn_free(struct redis_conn *c);

/*
 * Run a command (printf-style, as redisCommand). Returns the reply (free with
 * freeReplyObject) or NULL when Redis is unreachable. An error reply
 * (REDIS_REPLY_ERROR) is returned as is.
 */
redisReply *redis_cmd(struct worker *w, const char *fmt, ...);
redisReply *redis_argv(struct worker *w, int argc, const char **argv, const size_t *lens);
/*
 * EVALSHA script with keys then args (NOSCRIPT falls back to loading it).
 * Any number of keys and args (the argument vector is allocated).
 */
redisReply *redis_eval(struct worker *w, struct redis_script *s, int nkeys, int nargs,
                       const char **argv, const size_t *lens);
/* Why w's last redis_cmd/redis_argv/redis_eval returned NULL (NONE after a reply). */
enum redis_fail redis_why(const struct worker *w);
/* "redis unreachable", "script not loaded", ...: static text for logs. */
const char *redis_fail_text(enum redis_fail f);
/* 1 while Redis is known to be unreachable (any worker saw it fail last). */
int redis_is_down(void);

/* 1 if the worker's Redis answered PING just now. */
int redis_ping(struct worker *w);

/* Key prefix of everything boxoffice stores ("bo:"). */
#define REDIS_PREFIX "bo:"

#endif
