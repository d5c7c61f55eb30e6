/*
 * redis.c: see redis.h. Blocking hiredis contexts with short timeouts; a
 * context that reports an I/O or protocol error is dead for hiredis, so it is
 * freed and a new one is made on the next call (at most once a second).
 */
#include "cache/redis.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "core/depstate.h"
#include "core/log.h"
#include "core/thread_role.h"
#include "core/pool.h"

static pthread_mutex_t sha_lock = PTHREAD_MUTEX_INITIALIZER;

struct redis_conn {
	redisContext *ctx;
	time_t retry_at;
	enum redis_fail why;
};

static struct depstate dep = DEPSTATE_INIT("redis");

static struct {
	char host[256];
	int port;
	int db;
	char addr[300];
} rcfg;

int redis_configure(const char *url)
{
	const char *p, *slash;
	char hostport[256];
	char *colon, *end;

	memset(&rcfg, 0, sizeof(rcfg));
	if (strncmp(url, "redis://", 8) != 0)
		return -1;
	p = url + 8;
	slash = strchr(p, '/');
	snprintf(hostport, sizeof(hostport), "%.*s", slash ? (int)(slash - p) : (int)strlen(p), p);
	rcfg.port = 6379;
	colon = strrchr(hostport, ':');
	if (colon) {
		long port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			return -1;
		rcfg.port = (int)port;
		*colon = '\0';
	}
	if (!hostport[0])
		return -1;
	if (slash && slash[1]) {
		long db = strtol(slash + 1, &end, 10);
		if (*end || db < 0 || db > 15)
			return -1;
		rcfg.db = (int)db;
	}
	snprintf(rcfg.host, sizeof(rcfg.host), "%s", hostport);
	snprintf(rcfg.addr, sizeof(rcfg.addr), "%s:%d", rcfg.host, rcfg.port);
	return 0;
}

static redisContext *connect_new(char *msg, size_t msglen)
{
	struct timeval ct = {1, 0}, rw = {2, 0};
	redisContext *ctx = redisConnectWithTimeout(rcfg.host, rcfg.port, ct);
	redisReply *r;

	if (!ctx || ctx->err) {
		snprintf(msg, msglen, "cannot connect to redis '%s': %s", rcfg.addr,
		         ctx ? ctx->errstr : "out of memory");
		if (ctx)
			redisFree(ctx);
		return NULL;
	}
	redisSetTimeout(ctx, rw);
	redisEnableKeepAlive(ctx);
	if (rcfg.db) {
		r = redisCommand(ctx, "SELECT %d", rcfg.db);
		if (!r || r->type == REDIS_REPLY_ERROR) {
			snprintf(msg, msglen, "cannot select redis db %d on '%s'", rcfg.db,
			         rcfg.addr);
			if (r)
				freeReplyObject(r);
			redisFree(ctx);
			return NULL;
		}
		freeReplyObject(r);
	}
	return ctx;
}

redisContext *redis_connect(char *msg, size_t msglen)
{
	return connect_new(msg, msglen);
}

int redis_check(char *msg, size_t msglen)
{
	redisContext *ctx = connect_new(msg, msglen);
	redisReply *r;
	int rc = -1;

	if (!ctx)
		return -1;
	r = redisCommand(ctx, "PING");
	if (r && r->type != REDIS_REPLY_ERROR)
		rc = 0;
	else
		snprintf(msg, msglen, "redis '%s' does not answer PING", rcfg.addr);
	if (r)
		freeReplyObject(r);
	redisFree(ctx);
	return rc;
}

struct redis_conn *redis_conn_new(void)
{
	return calloc(1, sizeof(struct redis_conn));
}

void redis_conn_free(struct redis_conn *c)
{
	if (!c)
		return;
	if (c->ctx)
		redisFree(c->ctx);
	free(c);
}

static redisContext *conn_get(struct worker *w)
{
	struct redis_conn *c = w->redis;
	char msg[400];
	time_t now;

	ASSERT_NOT_LOOP("redis");
	c->why = REDIS_FAIL_NONE;
	if (c->ctx)
		return c->ctx;
	now = time(NULL);
	c->why = REDIS_FAIL_UNREACHABLE;
	if (now < c->retry_at) {
		depstate_fail(&dep, rcfg.addr, "reconnect delayed");
		return NULL;
	}
	c->ctx = connect_new(msg, sizeof(msg));
	if (!c->ctx) {
		c->retry_at = now + 1;
		depstate_fail(&dep, rcfg.addr, msg);
		return NULL;
	}
	c->why = REDIS_FAIL_NONE;
	log_debug("worker %d: connected to redis '%s'", w->index, rcfg.addr);
	return c->ctx;
}

/*
 * A connection the server closed (a Redis restart) fails the next command
 * before the new server could have seen it: that command is sent once more
 * on a new connection instead of failing the request.
 */
static int server_closed(const redisContext *ctx)
{
	return ctx->err == REDIS_ERR_EOF ||
	       (ctx->err == REDIS_ERR_IO &&
	        (strstr(ctx->errstr, "reset") || strstr(ctx->errstr, "Broken pipe")));
}

/*
 * A NULL reply means the context is unusable: drop it. Returns 1 when the
 * command may be retried on a new connection right away.
 */
static int drop(struct worker *w)
{
	struct redis_conn *c = w->redis;
	int retry = c->ctx && server_closed(c->ctx);

	if (!retry)
		depstate_fail(&dep, rcfg.addr, c->ctx ? c->ctx->errstr : "?");
	c->why = REDIS_FAIL_UNREACHABLE;
	redisFree(c->ctx);
	c->ctx = NULL;
	c->retry_at = retry ? 0 : time(NULL) + 1;
	return retry;
}

redisReply *redis_cmd(struct worker *w, const char *fmt, ...)
{
	redisContext *ctx;
	redisReply *r = NULL;
	va_list ap;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		ctx = conn_get(w);
		if (!ctx)
			return NULL;
		va_start(ap, fmt);
		r = redisvCommand(ctx, fmt, ap);
		va_end(ap);
		if (r || !drop(w))
			break;
	}
	if (r)
		depstate_ok(&dep, rcfg.addr);
	return r;
}

redisReply *redis_argv(struct worker *w, int argc, const char **argv, const size_t *lens)
{
	redisContext *ctx;
	redisReply *r = NULL;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		ctx = conn_get(w);
		if (!ctx)
			return NULL;
		r = redisCommandArgv(ctx, argc, argv, lens);
		if (r || !drop(w))
			break;
	}
	if (r)
		depstate_ok(&dep, rcfg.addr);
	return r;
}

/* EVALSHA with av[0..1] filled in by the caller's sha. */
static redisReply *evalsha(struct worker *w, const char *sha, int n, const char **av, size_t *al)
{
	av[0] = "EVALSHA";
	al[0] = 7;
	av[1] = sha;
	al[1] = 40;
	return redis_argv(w, n + 3, av, al);
}

redisReply *redis_eval(struct worker *w, struct redis_script *s, int nkeys, int nargs,
                       const char **argv, const size_t *lens)
{
	const char **av = NULL;
	size_t *al = NULL;
	char nk[16];
	redisReply *r = NULL;
	int i, n = nkeys + nargs;
	char sha[41];

	av = malloc(sizeof(*av) * (size_t)(n + 3));
	al = malloc(sizeof(*al) * (size_t)(n + 3));
	if (!av || !al) {
		w->redis->why = REDIS_FAIL_NOMEM;
		goto out;
	}
	/* sha is shared by every worker; copied in and out under a lock. */
	pthread_mutex_lock(&sha_lock);
	memcpy(sha, s->sha, sizeof(sha));
	pthread_mutex_unlock(&sha_lock);
	snprintf(nk, sizeof(nk), "%d", nkeys);
	for (i = 0; i < n; i++) {
		av[3 + i] = argv[i];
		al[3 + i] = lens ? lens[i] : strlen(argv[i]);
	}
	av[2] = nk;
	al[2] = strlen(nk);
	if (sha[0]) {
		r = evalsha(w, sha, n, av, al);
		if (!r || r->type != REDIS_REPLY_ERROR || strncmp(r->str, "NOSCRIPT", 8) != 0)
			goto out;
		freeReplyObject(r);
		r = NULL;
	}
	r = redis_cmd(w, "SCRIPT LOAD %s", s->src);
	if (!r)
		goto out;
	if (r->type != REDIS_REPLY_STRING || r->len != 40) {
		log_error("cannot load redis script '%s': %s", s->name,
		          r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
		freeReplyObject(r);
		r = NULL;
		w->redis->why = REDIS_FAIL_SCRIPT;
		goto out;
	}
	memcpy(sha, r->str, 40);
	sha[40] = '\0';
	freeReplyObject(r);
	pthread_mutex_lock(&sha_lock);
	memcpy(s->sha, sha, sizeof(sha));
	pthread_mutex_unlock(&sha_lock);
	r = evalsha(w, sha, n, av, al);
out:
	free(av);
	free(al);
	return r;
}

enum redis_fail redis_why(const struct worker *w)
{
	return w->redis ? w->redis->why : REDIS_FAIL_UNREACHABLE;
}

const char *redis_fail_text(enum redis_fail f)
{
	switch (f) {
	case REDIS_FAIL_NONE:
		return "no failure";
	case REDIS_FAIL_UNREACHABLE:
		return "redis unreachable";
	case REDIS_FAIL_SCRIPT:
		return "redis script could not be loaded";
	case REDIS_FAIL_NOMEM:
		return "out of memory";
	}
	return "unknown failure";
}

int redis_is_down(void)
{
	return depstate_is_down(&dep);
}

int redis_ping(struct worker *w)
{
	redisReply *r = redis_cmd(w, "PING");
	int ok = r && r->type != REDIS_REPLY_ERROR;

	if (r)
		freeReplyObject(r);
	return ok;
}
