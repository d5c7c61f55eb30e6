/*
 * redis.c: see redis.h. Blocking hiredis contexts with short timeouts; a
 * context that reports an I/O or protocol error is dead for hiredis, so it is
 * freed and a new one is made on the next call (at most once a second).
 *
 * Standalone and Cluster share one path: a command is formatted once, its
 * key's slot picks a node (standalone: the only node owns every slot), and
 * the formatted bytes go to that node's context. In cluster mode a worker
 * reads CLUSTER SLOTS when it first needs the map and again after a MOVED
 * or a lost node; MOVED retries on the named node at once, ASK sends ASKING
 * first and leaves the map alone. Nodes are listed once for the process
 * (append only, so an index names one address for good); each worker keeps
 * its own context per node and its own slot map, so the hot path takes no
 * lock.
 */
#include "cache/redis.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

#include "core/depstate.h"
#include "core/log.h"
#include "core/thread_role.h"
#include "core/pool.h"

#define MAX_NODES 32
#define MAX_REDIRECTS 5
#define NO_NODE 0xff

static pthread_mutex_t sha_lock = PTHREAD_MUTEX_INITIALIZER;

/* One Redis server of the process: its address and its outage state. */
struct gnode {
	char host[64];
	int port;
	char addr[80];
	struct depstate dep;
};

static pthread_mutex_t nodes_lock = PTHREAD_MUTEX_INITIALIZER;
static struct gnode gnodes[MAX_NODES];
static atomic_int ngnodes;

struct redis_conn {
	redisContext *ctx[MAX_NODES];
	time_t retry_at[MAX_NODES];
	unsigned char slot[REDIS_SLOTS]; /* node of each slot; NO_NODE unknown */
	int map_ok;                      /* cluster: slot[] is the last map read */
	enum redis_fail why;
};

static struct {
	int cluster;
	int nseeds;
	int seed[MAX_NODES]; /* node indices of the url's addresses */
	int db;
	char addr[300]; /* the url's addresses, for messages */
} rcfg;

/* --- slots ------------------------------------------------------------------ */

/* CRC16-CCITT (XMODEM): polynomial 0x1021, initial 0, no reflection. */
static unsigned crc16(const char *s, size_t n)
{
	unsigned crc = 0;
	size_t i;
	int b;

	for (i = 0; i < n; i++) {
		crc ^= (unsigned)(unsigned char)s[i] << 8;
		for (b = 0; b < 8; b++)
			crc = (crc & 0x8000) ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
	}
	return crc;
}

unsigned redis_key_slot(const char *key, size_t len)
{
	const char *open = memchr(key, '{', len), *close;

	/* Only the part inside the first {...} counts, when it is not empty. */
	if (open) {
		close = memchr(open + 1, '}', len - (size_t)(open + 1 - key));
		if (close && close > open + 1)
			return crc16(open + 1, (size_t)(close - open - 1)) & (REDIS_SLOTS - 1);
	}
	return crc16(key, len) & (REDIS_SLOTS - 1);
}

/* --- nodes ------------------------------------------------------------------- */

/* The index of host:port in the process's node list, added if new; -1 when full. */
static int node_index(const char *host, size_t hostlen, int port)
{
	int i, n = atomic_load(&ngnodes);

	for (i = 0; i < n; i++)
		if (gnodes[i].port == port && strlen(gnodes[i].host) == hostlen &&
		    !memcmp(gnodes[i].host, host, hostlen))
			return i;
	pthread_mutex_lock(&nodes_lock);
	n = atomic_load(&ngnodes);
	for (i = 0; i < n; i++)
		if (gnodes[i].port == port && strlen(gnodes[i].host) == hostlen &&
		    !memcmp(gnodes[i].host, host, hostlen))
			break;
	if (i == n && n < MAX_NODES && hostlen < sizeof(gnodes[n].host)) {
		struct gnode *g = &gnodes[n];

		memcpy(g->host, host, hostlen);
		g->host[hostlen] = '\0';
		g->port = port;
		snprintf(g->addr, sizeof(g->addr), "%.*s:%d", (int)hostlen, host, port);
		g->dep.name = "redis";
		atomic_init(&g->dep.down, 0);
		atomic_init(&g->dep.failed, 0);
		atomic_store(&ngnodes, n + 1);
	} else if (i == n) {
		i = -1;
	}
	pthread_mutex_unlock(&nodes_lock);
	return i;
}

/* "host:port" (port required unless dflt > 0) into the node list. */
static int parse_addr(const char *s, size_t n, int dflt)
{
	const char *colon = NULL;
	char num[8], *end;
	long port = dflt;
	size_t i;

	for (i = n; i > 0; i--)
		if (s[i - 1] == ':') {
			colon = s + i - 1;
			break;
		}
	if (colon) {
		size_t pl = n - (size_t)(colon + 1 - s);

		if (pl == 0 || pl >= sizeof(num))
			return -1;
		memcpy(num, colon + 1, pl);
		num[pl] = '\0';
		port = strtol(num, &end, 10);
		if (*end)
			return -1;
		n = (size_t)(colon - s);
	}
	if (n == 0 || port < 1 || port > 65535)
		return -1;
	return node_index(s, n, (int)port);
}

int redis_configure(const char *url)
{
	const char *p, *end, *q, *comma;
	char *e;

	memset(&rcfg, 0, sizeof(rcfg));
	if (strncmp(url, "redis://", 8) != 0)
		return -1;
	p = url + 8;
	end = p + strcspn(p, "/?");
	snprintf(rcfg.addr, sizeof(rcfg.addr), "%.*s", (int)(end - p), p);
	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (!comma)
			comma = end;
		if (rcfg.nseeds == MAX_NODES ||
		    (rcfg.seed[rcfg.nseeds] = parse_addr(p, (size_t)(comma - p), 6379)) < 0)
			return -1;
		rcfg.nseeds++;
		p = comma < end ? comma + 1 : end;
	}
	if (rcfg.nseeds == 0)
		return -1;
	if (*end == '/' && end[1] && end[1] != '?') {
		long db = strtol(end + 1, &e, 10);
		if ((*e && *e != '?') || db < 0 || db > 15)
			return -1;
		rcfg.db = (int)db;
	}
	q = strchr(end, '?');
	rcfg.cluster = rcfg.nseeds > 1 || (q && strstr(q, "cluster=1"));
	/* A cluster has database 0 only. */
	return rcfg.cluster && rcfg.db ? -1 : 0;
}

int redis_cluster_mode(void)
{
	return rcfg.cluster;
}

static redisContext *connect_node(int i, char *msg, size_t msglen)
{
	struct timeval ct = {1, 0}, rw = {2, 0};
	const struct gnode *g = &gnodes[i];
	redisContext *ctx = redisConnectWithTimeout(g->host, g->port, ct);
	redisReply *r;

	if (!ctx || ctx->err) {
		snprintf(msg, msglen, "cannot connect to redis '%s': %s", g->addr,
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
			         g->addr);
			if (r)
				freeReplyObject(r);
			redisFree(ctx);
			return NULL;
		}
		freeReplyObject(r);
	}
	return ctx;
}

/*
 * A new blocking connection of its own (near_track.c): to the first seed,
 * the only node in single mode (in cluster mode the near cache is off).
 */
redisContext *redis_connect(char *msg, size_t msglen)
{
	return connect_node(rcfg.seed[0], msg, msglen);
}

/* Start-up: some seed answers PING and, in a cluster, says its state is ok. */
int redis_check(char *msg, size_t msglen)
{
	int i;

	for (i = 0; i < rcfg.nseeds; i++) {
		const struct gnode *g = &gnodes[rcfg.seed[i]];
		redisContext *ctx = connect_node(rcfg.seed[i], msg, msglen);
		redisReply *r;
		int ok;

		if (!ctx)
			continue;
		r = redisCommand(ctx, rcfg.cluster ? "CLUSTER INFO" : "PING");
		ok = r && r->type != REDIS_REPLY_ERROR;
		if (!ok)
			snprintf(msg, msglen, "redis '%s' does not answer %s%s%s", g->addr,
			         rcfg.cluster ? "CLUSTER INFO" : "PING", r ? ": " : "",
			         r ? r->str : "");
		else if (rcfg.cluster &&
		         (r->type != REDIS_REPLY_STRING || !strstr(r->str, "cluster_state:ok"))) {
			snprintf(msg, msglen, "redis cluster at '%s' is not ready (cluster_state)",
			         g->addr);
			ok = 0;
		}
		if (r)
			freeReplyObject(r);
		redisFree(ctx);
		if (ok)
			return 0;
	}
	return -1;
}

struct redis_conn *redis_conn_new(void)
{
	struct redis_conn *c = calloc(1, sizeof(struct redis_conn));

	if (c)
		memset(c->slot, NO_NODE, sizeof(c->slot));
	return c;
}

void redis_conn_free(struct redis_conn *c)
{
	int i;

	if (!c)
		return;
	for (i = 0; i < MAX_NODES; i++)
		if (c->ctx[i])
			redisFree(c->ctx[i]);
	free(c);
}

/* w's context to node i, connecting when it has none (at most once a second). */
static redisContext *node_ctx(struct worker *w, int i)
{
	struct redis_conn *c = w->redis;
	char msg[400];
	time_t now;

	if (c->ctx[i])
		return c->ctx[i];
	now = time(NULL);
	c->why = REDIS_FAIL_UNREACHABLE;
	if (now < c->retry_at[i]) {
		depstate_fail(&gnodes[i].dep, gnodes[i].addr, "reconnect delayed");
		return NULL;
	}
	c->ctx[i] = connect_node(i, msg, sizeof(msg));
	if (!c->ctx[i]) {
		c->retry_at[i] = now + 1;
		depstate_fail(&gnodes[i].dep, gnodes[i].addr, msg);
		return NULL;
	}
	c->why = REDIS_FAIL_NONE;
	log_debug("worker %d: connected to redis '%s'", w->index, gnodes[i].addr);
	return c->ctx[i];
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
 * A NULL reply means node i's context is unusable: drop it (and, in a
 * cluster, the slot map: a failover may have moved its slots). Returns 1
 * when the command may be retried on a new connection right away.
 */
static int drop(struct worker *w, int i)
{
	struct redis_conn *c = w->redis;
	int retry = c->ctx[i] && server_closed(c->ctx[i]);

	if (!retry)
		depstate_fail(&gnodes[i].dep, gnodes[i].addr, c->ctx[i] ? c->ctx[i]->errstr : "?");
	c->why = REDIS_FAIL_UNREACHABLE;
	redisFree(c->ctx[i]);
	c->ctx[i] = NULL;
	c->retry_at[i] = retry ? 0 : time(NULL) + 1;
	if (rcfg.cluster)
		c->map_ok = 0;
	return retry;
}

/* One command on node i (ASKING first when asking). NULL: the node failed. */
static redisReply *send_node(struct worker *w, int i, const char *cmd, size_t len, int asking)
{
	redisContext *ctx;
	void *r = NULL;
	int attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		ctx = node_ctx(w, i);
		if (!ctx)
			return NULL;
		if (asking)
			redisAppendCommand(ctx, "ASKING");
		if (redisAppendFormattedCommand(ctx, cmd, len) == REDIS_OK &&
		    (!asking || redisGetReply(ctx, &r) == REDIS_OK)) {
			if (r)
				freeReplyObject(r);
			r = NULL;
			if (redisGetReply(ctx, &r) == REDIS_OK && r)
				break;
		}
		r = NULL;
		if (!drop(w, i))
			return NULL;
	}
	if (r)
		depstate_ok(&gnodes[i].dep, gnodes[i].addr);
	return r;
}

/* Cluster: read the slot map from the first node that answers. Returns 0 or -1. */
static int load_slots(struct worker *w)
{
	struct redis_conn *c = w->redis;
	int i, n = atomic_load(&ngnodes);
	size_t k;

	for (i = 0; i < n; i++) {
		redisContext *ctx = node_ctx(w, i);
		redisReply *r;

		if (!ctx)
			continue;
		r = redisCommand(ctx, "CLUSTER SLOTS");
		if (!r) {
			drop(w, i);
			continue;
		}
		if (r->type != REDIS_REPLY_ARRAY) {
			log_warn("redis '%s': CLUSTER SLOTS failed: %s", gnodes[i].addr,
			         r->type == REDIS_REPLY_ERROR ? r->str : "unexpected reply");
			freeReplyObject(r);
			continue;
		}
		memset(c->slot, NO_NODE, sizeof(c->slot));
		for (k = 0; k < r->elements; k++) {
			const redisReply *e = r->element[k], *m;
			long long s;
			int idx;

			/* [start, end, [host, port, id, ...], replicas...] */
			if (e->type != REDIS_REPLY_ARRAY || e->elements < 3 ||
			    e->element[0]->type != REDIS_REPLY_INTEGER ||
			    e->element[1]->type != REDIS_REPLY_INTEGER ||
			    e->element[2]->type != REDIS_REPLY_ARRAY || e->element[2]->elements < 2)
				continue;
			m = e->element[2];
			if (m->element[0]->type != REDIS_REPLY_STRING ||
			    m->element[1]->type != REDIS_REPLY_INTEGER)
				continue;
			/* An empty host means "the address you reached me at". */
			if (m->element[0]->len == 0 || !strcmp(m->element[0]->str, "?"))
				idx = node_index(gnodes[i].host, strlen(gnodes[i].host),
				                 (int)m->element[1]->integer);
			else
				idx = node_index(m->element[0]->str, m->element[0]->len,
				                 (int)m->element[1]->integer);
			if (idx < 0)
				continue;
			for (s = e->element[0]->integer; s <= e->element[1]->integer; s++)
				if (s >= 0 && s < REDIS_SLOTS)
					c->slot[s] = (unsigned char)idx;
		}
		freeReplyObject(r);
		c->map_ok = 1;
		return 0;
	}
	return -1;
}

/*
 * The node of slot (-1: a keyless command): standalone, the one server;
 * cluster, the slot's master, or for a keyless command a master w is
 * connected to already; the first seed while no map is known.
 */
static int pick_node(struct worker *w, int slot)
{
	struct redis_conn *c = w->redis;
	int i, n = atomic_load(&ngnodes);

	if (!rcfg.cluster)
		return rcfg.seed[0];
	if (slot >= 0)
		return c->slot[slot] == NO_NODE ? rcfg.seed[0] : c->slot[slot];
	for (i = 0; i < n; i++)
		if (c->ctx[i] && memchr(c->slot, i, sizeof(c->slot)))
			return i;
	return rcfg.seed[0];
}

/* "MOVED 3999 127.0.0.1:6381" / "ASK ...": the node named, or -1. */
static int redirect_node(const char *err, unsigned *slot)
{
	const char *sp = strchr(err, ' '), *addr;

	if (!sp)
		return -1;
	*slot = (unsigned)strtoul(sp + 1, NULL, 10);
	addr = strchr(sp + 1, ' ');
	if (!addr || *slot >= REDIS_SLOTS)
		return -1;
	addr++;
	return parse_addr(addr, strlen(addr), 0);
}

/*
 * A formatted command to the owner of slot (-1: any node), following
 * MOVED and ASK. Returns the reply or NULL (unreachable).
 */
static redisReply *exec_slot(struct worker *w, int slot, const char *cmd, size_t len)
{
	struct redis_conn *c = w->redis;
	redisReply *r = NULL;
	int hop, i, asking = 0;
	unsigned s;

	ASSERT_NOT_LOOP("redis");
	c->why = REDIS_FAIL_NONE;
	if (rcfg.cluster && !c->map_ok)
		load_slots(w);
	i = pick_node(w, slot);
	for (hop = 0; hop <= MAX_REDIRECTS; hop++) {
		r = send_node(w, i, cmd, len, asking);
		if (!r || !rcfg.cluster || r->type != REDIS_REPLY_ERROR)
			return r;
		asking = !strncmp(r->str, "ASK ", 4);
		if (!asking && strncmp(r->str, "MOVED ", 6) != 0)
			return r;
		i = redirect_node(r->str, &s);
		if (i < 0)
			return r;
		if (!asking) {
			/* This slot now, the rest of the map on the next call. */
			c->slot[s] = (unsigned char)i;
			c->map_ok = 0;
		}
		freeReplyObject(r);
		r = NULL;
	}
	log_warn("redis: more than %d redirections for one command", MAX_REDIRECTS);
	return r;
}

/* --- which key a command is about ------------------------------------------ */

/* Argument k of a RESP command (as hiredis formats it) into *p, *n. */
static int resp_arg(const char *cmd, size_t len, int k, const char **p, size_t *n)
{
	const char *c = cmd, *end = cmd + len;
	long argc, al;
	char *e;
	int i;

	if (len < 4 || *c != '*')
		return -1;
	argc = strtol(c + 1, &e, 10);
	if (k >= argc || e + 2 > end)
		return -1;
	c = e + 2;
	for (i = 0; i <= k; i++) {
		if (c >= end || *c != '$')
			return -1;
		al = strtol(c + 1, &e, 10);
		if (al < 0 || e + 2 + al > end)
			return -1;
		c = e + 2;
		if (i == k) {
			*p = c;
			*n = (size_t)al;
			return 0;
		}
		c += al + 2;
	}
	return -1;
}

static int arg_is(const char *p, size_t n, const char *word)
{
	return strlen(word) == n && !strncasecmp(p, word, n);
}

/* The slot of a formatted command's first key, or -1 for a keyless command. */
static int cmd_slot(const char *cmd, size_t len)
{
	static const char *const keyless[] = {"PING",    "SCRIPT", "PUBLISH",  "SCAN",    "INFO",
	                                      "CLUSTER", "DBSIZE", "FLUSHALL", "FLUSHDB", "TIME",
	                                      "ECHO",    "CLIENT", "CONFIG",   "KEYS"};
	const char *p, *kp;
	size_t n, kn, i;
	int ki = 1;

	if (resp_arg(cmd, len, 0, &p, &n) < 0)
		return -1;
	for (i = 0; i < sizeof(keyless) / sizeof(keyless[0]); i++)
		if (arg_is(p, n, keyless[i]))
			return -1;
	if (arg_is(p, n, "EVALSHA") || arg_is(p, n, "EVAL")) {
		/* EVALSHA sha numkeys key...: the first key, if any */
		if (resp_arg(cmd, len, 2, &kp, &kn) < 0 || (kn == 1 && kp[0] == '0'))
			return -1;
		ki = 3;
	}
	if (resp_arg(cmd, len, ki, &kp, &kn) < 0)
		return -1;
	return (int)redis_key_slot(kp, kn);
}

/* --- the calls ---------------------------------------------------------------- */

static redisReply *exec_cmd(struct worker *w, int slot, char *cmd, int len)
{
	redisReply *r;

	if (len < 0 || !cmd) {
		w->redis->why = REDIS_FAIL_NOMEM;
		return NULL;
	}
	if (slot == -2)
		slot = cmd_slot(cmd, (size_t)len);
	r = exec_slot(w, slot, cmd, (size_t)len);
	redisFreeCommand(cmd);
	return r;
}

redisReply *redis_cmd(struct worker *w, const char *fmt, ...)
{
	va_list ap;
	char *cmd = NULL;
	int len = (va_start(ap, fmt), redisvFormatCommand(&cmd, fmt, ap));

	va_end(ap);
	return exec_cmd(w, -2, cmd, len);
}

redisReply *redis_argv(struct worker *w, int argc, const char **argv, const size_t *lens)
{
	char *cmd = NULL;
	int len = redisFormatCommandArgv(&cmd, argc, argv, lens);

	return exec_cmd(w, -2, cmd, len);
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
	char nk[16], *cmd = NULL;
	redisReply *r = NULL;
	int i, n = nkeys + nargs, slot = -1;
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
	if (nkeys > 0)
		slot = (int)redis_key_slot(av[3], al[3]);
	if (sha[0]) {
		r = evalsha(w, sha, n, av, al);
		if (!r || r->type != REDIS_REPLY_ERROR || strncmp(r->str, "NOSCRIPT", 8) != 0)
			goto out;
		freeReplyObject(r);
		r = NULL;
	}
	/* Scripts are cached per server: load it where its keys live. */
	i = redisFormatCommand(&cmd, "SCRIPT LOAD %s", s->src);
	r = exec_cmd(w, slot, cmd, i);
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

/* --- masters --------------------------------------------------------------------- */

/* The distinct nodes of w's slot map, in slot order (standalone: node 0). */
static int masters(struct worker *w, int *idx, int max)
{
	struct redis_conn *c = w->redis;
	unsigned char seen[MAX_NODES] = {0};
	int n = 0, s;

	if (!rcfg.cluster) {
		idx[0] = rcfg.seed[0];
		return 1;
	}
	if (!c->map_ok)
		load_slots(w);
	for (s = 0; s < REDIS_SLOTS && n < max; s++)
		if (c->slot[s] != NO_NODE && !seen[c->slot[s]]) {
			seen[c->slot[s]] = 1;
			idx[n++] = c->slot[s];
		}
	return n;
}

int redis_master_count(struct worker *w)
{
	int idx[MAX_NODES];

	ASSERT_NOT_LOOP("redis");
	return masters(w, idx, MAX_NODES);
}

int redis_master_addr(struct worker *w, int m, char *host, size_t hostlen, int *port)
{
	int idx[MAX_NODES], n;

	ASSERT_NOT_LOOP("redis");
	n = masters(w, idx, MAX_NODES);
	if (m < 0 || m >= n)
		return -1;
	snprintf(host, hostlen, "%s", gnodes[idx[m]].host);
	*port = gnodes[idx[m]].port;
	return 0;
}

redisReply *redis_argv_master(struct worker *w, int m, int argc, const char **argv,
                              const size_t *lens)
{
	int idx[MAX_NODES], n, len;
	char *cmd = NULL;
	redisReply *r;

	ASSERT_NOT_LOOP("redis");
	w->redis->why = REDIS_FAIL_NONE;
	n = masters(w, idx, MAX_NODES);
	if (m < 0 || m >= n) {
		w->redis->why = REDIS_FAIL_UNREACHABLE;
		return NULL;
	}
	len = redisFormatCommandArgv(&cmd, argc, argv, lens);
	if (len < 0 || !cmd) {
		w->redis->why = REDIS_FAIL_NOMEM;
		return NULL;
	}
	r = send_node(w, idx[m], cmd, (size_t)len, 0);
	redisFreeCommand(cmd);
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
	int i, n = atomic_load(&ngnodes);

	for (i = 0; i < n; i++)
		if (depstate_is_down(&gnodes[i].dep))
			return 1;
	return 0;
}

/* Every master answers PING (a cluster with one master down serves a part of the keys). */
int redis_ping(struct worker *w)
{
	int m, n = redis_master_count(w), ok = n > 0;

	for (m = 0; m < n && ok; m++) {
		const char *ping = "PING";
		redisReply *r = redis_argv_master(w, m, 1, &ping, NULL);

		ok = r && r->type != REDIS_REPLY_ERROR;
		if (r)
			freeReplyObject(r);
	}
	return ok;
}
