/*
 * seatstate.h: the Redis side of a screening's seat state (the key
 * contract is described in svc/seatmap.h): its version and holds read
 * together, the layout-change fence, and dropping every hold. Each
 * function is one atomic script; none of them knows JSON or MySQL.
 * Worker threads only.
 */
#ifndef BOXOFFICE_CACHE_SEATSTATE_H
#define BOXOFFICE_CACHE_SEATSTATE_H

#include <inttypes.h>
#include <stdint.h>

#include "cache/redis.h"

struct worker;

/*
 * Key formats (printf, with the screening's shard as int then its id as
 * PRId64: the screening's keys share the hash tag of its shard, see
 * REDIS_SHARDS). SEATMAP_KEY fills a buffer with one.
 */
#define SEATMAP_HOLDS_KEY REDIS_SHARD_PREFIX "seats:%" PRId64
#define SEATMAP_VERSION_KEY REDIS_SHARD_PREFIX "seatver:%" PRId64
#define SEATMAP_FENCE_KEY REDIS_SHARD_PREFIX "seatfence:%" PRId64
#define SEATMAP_KEY(buf, len, fmt, id) snprintf((buf), (len), fmt, REDIS_SHARD(id), (int64_t)(id))
#define SEATMAP_FENCE_MS 30000

/* Called once per held seat by seatstate_read (seat is borrowed). */
typedef void (*seatstate_seat_fn)(const char *seat, void *arg);

/*
 * The version and the held seats of screening id, read together (one
 * script), so the holds are the state of that version. Returns 0 with
 * *version set and seat_fn called per held seat, or -1 when Redis cannot
 * be reached or answers nonsense (logged; redis_why tells which).
 */
int seatstate_read(struct worker *w, int64_t id, int64_t *version, seatstate_seat_fn seat_fn,
                   void *arg);
/*
 * If none of screenings ids[0..n) has a held seat, set the fence of each
 * (SEATMAP_FENCE_MS). Any n. Returns 0 (set), 1 (a seat is held: nothing
 * set) or -1 (Redis failed; logged). In a cluster the screenings are
 * fenced one shard at a time (one script each); a held seat in a later
 * shard lifts the fences set before it.
 */
int seatstate_fence(struct worker *w, const int64_t *ids, int n);
/*
 * Drop the fences of ids[0..n); with changed, INCR each version too and
 * store the new versions in versions[0..n) (left alone otherwise).
 * Returns 0 or -1 (logged).
 */
int seatstate_unfence(struct worker *w, const int64_t *ids, int n, int changed, int64_t *versions);
/*
 * After Redis lost its state: raise id's version to floor when it is lower
 * (a version counter lost with Redis starts again from 0, below what
 * clients and hubs already hold, and they would skip every delta until it
 * caught up) and publish an empty change at that version on
 * PROTO_CHANNEL_SEATS "<id>", so every subscriber sees a gap and reads a
 * fresh snapshot. Returns 0 or -1 (logged).
 */
int seatstate_raise(struct worker *w, int64_t id, int64_t floor);
/* Delete every hold of id and INCR its version into *version. Returns 0 or -1 (logged). */
int seatstate_drop(struct worker *w, int64_t id, int64_t *version);

#endif
