/*
 * seatmap.h (services): the seat-state snapshot of one screening (spec 4.4
 * /screening/seats, and the seats.snapshot of spec 6):
 *   {"screeningId":N,"version":V,"layout":[...],"state":[...],
 *    "seatsFree":F,"seatsTotal":T}
 * where state rows align character by character with layout rows:
 *   '.' no seat, 'f' free, 'h' held, 's' sold, 'x' blocked, 'b' house seat
 *   still free (PROTO_STATE_* of proto_layout.h).
 * A seat is sold ('s') while a live ticket of status 1 (issued) holds it,
 * held ('h') while a live ticket of status 0 (reserved, unpaid) holds it or
 * while its field exists in the Redis holds hash; sold wins over held.
 * Every seat of a cancelled screening is 'x': nothing can be sold there.
 * seatsTotal counts the sellable seats (all letters but X), seatsFree the
 * 'f' and 'b' states.
 *
 * The Redis keys below are the contract with the selling issue (the hold
 * script, the order and payment consumers, the WebSocket hub):
 *
 * (N below is the screening's shard, screeningId mod REDIS_SHARDS: every
 * key of a screening carries the hash tag "{sN}", cache/redis.h.)
 *
 *   bo:{sN}:seats:<screeningId>    hash: seat id ("C7") -> hold id
 *       (decimal text). A seat is held while its field exists. Only the
 *       hold/release scripts and the expiry sweeper write it; the catalogue
 *       reads it (snapshot, hall update check) and deletes it when the
 *       screening is cancelled. A field that an order turns into tickets
 *       leaves only after those tickets are committed, so a seat is always
 *       held or ticketed in between (the hall update check relies on it).
 *   bo:{sN}:seatver:<screeningId>  string: integer version of the
 *       screening's seat state; absent means 0. Every seat change (hold,
 *       release, expiry, sale, refund, cancellation, a new hall layout)
 *       INCRs it in the same script that makes the change, so a version
 *       names one state. A new layout publishes no delta: the next delta's
 *       "from" is past every client's version, a gap, so clients
 *       re-subscribe and get the new layout with the snapshot.
 *   bo:{sN}:seatfence:<screeningId>  string, present (at most
 *       SEATMAP_FENCE_MS) while a new layout of the screening's hall is
 *       being written (/hall/update). The hold script must refuse every
 *       hold while it exists (409 conflict, reason "layout_change"), and the
 *       hold service must check the seats it held against the layout it
 *       reads after its script succeeded. Then a hold and a layout change
 *       cannot cross: a hold made before the fence is seen by the change
 *       (409 held_seats, nothing changes), one made after the fence is gone
 *       reads the new layout (the fence goes only after the commit).
 *
 * A snapshot reads the version and the holds in one script, then the live
 * tickets from MySQL: the state is at least as new as its version, so a
 * client that applies deltas from that version misses nothing (deltas carry
 * final states; applying one twice is harmless).
 *
 * Snapshots are cached (cache.h) under "seatmap:<screeningId>" for
 * SEATMAP_TTL_S seconds. Versions never go backwards on one instance: every
 * version served is remembered per screening, a cached snapshot older than
 * that is reloaded, and with Redis down the snapshot is built from MySQL
 * alone with the last version remembered (holds then unknown). A writer
 * that changes seat state (hold, release, sale, refund) may call
 * seatmap_invalidate after its change, so that the next /screening/seats
 * shows it at once rather than within SEATMAP_TTL_S.
 *
 * The snapshot is built here, in the services, from the screening's row
 * (store/) and the Redis state (cache/seatstate.h).
 *
 * Worker threads only.
 */
#ifndef BOXOFFICE_SVC_SEATMAP_H
#define BOXOFFICE_SVC_SEATMAP_H

#include <inttypes.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "cache/seatstate.h"
#include "proto_error.h"
#include "proto_layout.h"

struct worker;

/* The key formats of the contract above are in cache/seatstate.h. */
/* Cache key (without REDIS_PREFIX) and lifetime of snapshots. */
#define SEATMAP_CACHE_KEY "seatmap:%" PRId64
#define SEATMAP_TTL_S 2

struct seatmap {
	int64_t screening_id;
	int64_t version;
	int status; /* store_screening_status */
	struct proto_layout layout;
	char state[PROTO_LAYOUT_MAX_ROWS][PROTO_LAYOUT_MAX_COLS + 1];
	int total;    /* sellable seats */
	int free;     /* 'f' and 'b' */
	int redis_ok; /* 0: built without Redis (holds unknown) */
};

/*
 * Build the snapshot of screening id from MySQL and Redis, bypassing the
 * cache. Returns PROTO_OK, PROTO_ERR_NOT_FOUND (no such screening, or its
 * film is removed), PROTO_ERR_UNAVAILABLE (MySQL down) or
 * PROTO_ERR_INTERNAL.
 */
enum proto_err seatmap_build(struct worker *w, int64_t id, struct seatmap *m);
/* The snapshot object of m; new, the caller frees it (cJSON_Delete); NULL on ENOMEM. */
cJSON *seatmap_to_json(const struct seatmap *m);

/*
 * The snapshot object of screening id, from the cache or built. Returns
 * PROTO_OK with *out new (cJSON_Delete), or the errors of seatmap_build.
 */
enum proto_err seatmap_get(struct worker *w, int64_t id, cJSON **out);
/* seatsFree and seatsTotal of a snapshot object. Returns 0, or -1 if absent. */
int seatmap_counts(const cJSON *snapshot, int *free, int *total);

/* Drop the cached snapshot (after a write that changes it). */
void seatmap_invalidate(struct worker *w, int64_t id);
/*
 * Before a layout change reaches screenings ids[0..n): in one script, if
 * none of them has a held seat, set the fence of each. Returns 0 (fences
 * set: the caller must seatmap_unfence them whatever happens next), 1 (a
 * seat is held: nothing set), or -1 when Redis cannot be reached (the
 * caller cannot know; refuse with 503). n 0 sets nothing and returns 0.
 */
int seatmap_fence(struct worker *w, const int64_t *ids, int n);
/*
 * Drop the fences of ids[0..n). With changed (the layout change committed),
 * raise each screening's version too and drop its cached snapshot, so that
 * clients see a new state. Best effort (logged): a fence left behind
 * expires after SEATMAP_FENCE_MS.
 */
void seatmap_unfence(struct worker *w, const int64_t *ids, int n, int changed);
/*
 * Delete every hold of screening id and raise its version (one script).
 * Returns 0, or -1 when Redis cannot be reached (logged; the holds then
 * expire on their own and are refused by the cancelled status).
 */
int seatmap_drop_holds(struct worker *w, int64_t id);

#endif
