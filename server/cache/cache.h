/*
 * cache.h: cache-aside for public reads (films, screenings, halls, adverts,
 * comments), in Redis, guarded against
 *   - penetration: a missing row is cached as an empty-value marker (short TTL);
 *   - breakdown: one loader per key (SET NX PX lock with a random token,
 *     released by a compare-and-delete script); others wait briefly, then
 *     read MySQL themselves rather than fail;
 *   - avalanche: every TTL gets random jitter (+0..20 %).
 * With Redis down, cache_get simply calls the loader (reads fall back to
 * MySQL). Writes invalidate with cache_del (one key) or cache_bump (a
 * namespace generation that list keys embed, so every list of that
 * namespace is dropped at once). Worker threads only.
 *
 * A read racing a write never puts the old row back. cache_del does not
 * delete the key: it replaces it with a tombstone, a value unique to that
 * call that reads as a miss and lives 60 s. A loader notes what the key
 * holds (nothing, or a tombstone) after taking the lock and before reading
 * MySQL, and stores its value with a compare-and-set script: only if the
 * key still holds exactly that. The writer commits, then calls cache_del.
 * So either the loader's store comes before the tombstone (which then
 * overwrites it), or the tombstone was there before the loader looked (so
 * it read MySQL after the commit: its value is current), or the tombstone
 * came in between (the key no longer holds what the loader saw: nothing is
 * stored). A load that takes longer than 30 s stores nothing, so the
 * tombstone cannot have expired meanwhile. Lists need no tombstone: a bump
 * moves readers to a new key, and a late store lands on the old one.
 * Limits: a tombstone lost to Redis eviction or to a failover that drops
 * recent writes can let a stale value back in until its TTL; so can a
 * write whose cache_del failed (Redis unreachable, logged).
 */
#ifndef BOXOFFICE_CACHE_CACHE_H
#define BOXOFFICE_CACHE_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "proto_error.h"

struct worker;

/*
 * Every key of the read cache starts with this, apart from the rest of
 * what boxoffice keeps in Redis (holds, codes, counters), so the whole read
 * cache can be dropped at once (see cache.c: a lost invalidation).
 */
#define CACHE_PREFIX "bo:c:"
/* A namespace's generation key (printf, the namespace): its hash tag is the namespace. */
#define CACHE_GEN_KEY CACHE_PREFIX "gen:{%s}"

/*
 * Loads the value from MySQL. On PROTO_OK *out is a new value (the cache
 * takes ownership), or NULL for "no such row". Any other return is passed
 * through by cache_get and nothing is cached.
 */
typedef enum proto_err (*cache_load_fn)(struct worker *w, void *arg, cJSON **out);

/*
 * Returns PROTO_OK with *out a new value the caller frees (cJSON_Delete),
 * PROTO_ERR_NOT_FOUND (row missing, marker cached), or the loader's error.
 * key is the full key without the "bo:" prefix, e.g. "film:123".
 */
enum proto_err cache_get(struct worker *w, const char *key, int ttl_s, cache_load_fn load,
                         void *arg, cJSON **out);
/*
 * As cache_get, for a handler whose answer is exactly the cached value: hands
 * back the cached JSON text itself. On a hit the text is not parsed; on a
 * miss the loader's value (which must be an object) is printed once, stored
 * and returned. On PROTO_OK *text is that NUL-terminated text from malloc
 * (free()) and *len its length; otherwise *text is NULL. Only boxoffice
 * writes under CACHE_PREFIX: a hit is trusted to be the JSON object stored
 * (only its first and last bytes are checked).
 */
enum proto_err cache_get_raw(struct worker *w, const char *key, int ttl_s, cache_load_fn load,
                             void *arg, char **text, size_t *len);
/*
 * As cache_get and cache_get_raw, for a key built with a namespace's
 * generation: "<head><generation of ns><tail>", e.g. head "film:sale:" and
 * tail "" for "film:sale:<gen>" (the very key cache_gen would give, so both
 * ways share entries). The generation and the key are read in one Redis
 * round trip (a script) instead of cache_gen then a GET; a miss loads and
 * stores under the generation read, as cache_get does.
 */
enum proto_err cache_get_gen(struct worker *w, const char *ns, const char *head, const char *tail,
                             int ttl_s, cache_load_fn load, void *arg, cJSON **out);
enum proto_err cache_get_gen_raw(struct worker *w, const char *ns, const char *head,
                                 const char *tail, int ttl_s, cache_load_fn load, void *arg,
                                 char **text, size_t *len);
/*
 * As cache_get, through the near cache (near.h): a value read here before
 * and not changed since on any instance is answered from this process's
 * memory without a Redis round trip. For small values read on every
 * request of a hot path (a token's version); the near cache's freshness
 * argument makes a change on another instance seen at once.
 */
enum proto_err cache_get_near(struct worker *w, const char *key, int ttl_s, cache_load_fn load,
                              void *arg, cJSON **out);
/* Drop one key. Best effort (Redis down: logged, the TTL bounds staleness). */
/* Call it after the write commits; it leaves a tombstone (see above). */
void cache_del(struct worker *w, const char *key);
/*
 * Current generation of a namespace ("film"), for building list keys. 0 if
 * Redis is down. Vouched for by the near cache when it is on (no round trip).
 */
int64_t cache_gen(struct worker *w, const char *ns);
/* Invalidate every key built with the namespace's generation. */
void cache_bump(struct worker *w, const char *ns);

/* Counters for /metrics and the benchmark. */
struct cache_stats {
	unsigned long hits, misses, loads, fallbacks;
};
void cache_stats_get(struct cache_stats *s);

#endif
