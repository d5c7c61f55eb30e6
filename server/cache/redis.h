/*
 * redis.h: the Redis connection of one worker (hiredis, blocking, with
 * timeouts) and atomic scripts run by EVALSHA, to one Redis server or to a
 * Redis Cluster.
 *
 * Cluster mode (redis_url lists several host:port seeds, or ends in
 * "?cluster=1"): each worker reads CLUSTER SLOTS, sends every command to the
 * master of its first key's slot (CRC16 of the key, or of its {hash tag}),
 * keeps one connection per master, follows MOVED (and then reads the map
 * again) and ASK, and loads a script on the node that answers NOSCRIPT.
 * Keyless commands (PING, PUBLISH, SCRIPT) go to any master: a cluster
 * broadcasts publications to every node. A script's keys must share one
 * slot; every multi-key key set of boxoffice carries a hash tag for that
 * (REDIS_SHARD_TAG below, the cache's "{namespace}").
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

/*
 * Set once at start from redis_url: redis://host[:port][,host:port...][/db]
 * [?cluster=1]. Returns 0 or -1 (bad url; a cluster has db 0 only).
 */
int redis_configure(const char *url);
/*
 * A new blocking connection of its own to the configured Redis (near_track.c),
 * or NULL with *msg set.
 */
redisContext *redis_connect(char *msg, size_t msglen);
/* 1 when redis_url names a Redis Cluster. */
int redis_cluster_mode(void);
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

/* 1 if the worker's Redis (every master of a cluster) answered PING just now. */
int redis_ping(struct worker *w);

/*
 * The masters: 1 for a standalone server, the distinct owners of the slot
 * map in a cluster (0 while no node answers). redis_argv_master runs a
 * command on master m (0 .. count-1), without redirection: for commands
 * that concern every node (SCAN). redis_master_addr gives its address, for
 * a connection of one's own (CLIENT TRACKING must be turned on per master).
 */
int redis_master_count(struct worker *w);
redisReply *redis_argv_master(struct worker *w, int m, int argc, const char **argv,
                              const size_t *lens);
int redis_master_addr(struct worker *w, int m, char *host, size_t hostlen, int *port);

/* The cluster slot (0 .. REDIS_SLOTS-1) of a key: CRC16 of it or of its {tag}. */
#define REDIS_SLOTS 16384
unsigned redis_key_slot(const char *key, size_t len);

/* Key prefix of everything boxoffice stores ("bo:"). */
#define REDIS_PREFIX "bo:"

/*
 * Screenings are spread over REDIS_SHARDS hash tags: the keys of a
 * screening (seats, version, fence, per-user counts), its holds (a hold id
 * is drawn in its screening's shard, holds_new_id) and the shard's expiry
 * set and "rebuilt" flag share the tag "{sN}", N = id mod REDIS_SHARDS,
 * so each hold script touches one slot. REDIS_SHARD_PREFIX is "bo:{s%d}:".
 */
#define REDIS_SHARDS 16
#define REDIS_SHARD(id) ((int)((((id) % REDIS_SHARDS) + REDIS_SHARDS) % REDIS_SHARDS))
#define REDIS_SHARD_PREFIX REDIS_PREFIX "{s%d}:"

#endif
