/*
 * holds.h: seat holds in Redis (spec 4.5), the keys of cache/seatstate.h plus
 * what a hold needs of its own. Every key but the pending orders' carries its screening's shard
 * tag, "bo:{sN}:" (REDIS_SHARD_PREFIX, N = sid mod REDIS_SHARDS), so one script touches one cluster
 * slot:
 *
 *   bo:{sN}:seats:<sid>      hash seat -> hold id (seatstate.h, seatmap.h)
 *   bo:{sN}:seatver:<sid>    version (seatstate.h, seatmap.h)
 *   bo:{sN}:seatfence:<sid>  layout-change fence (seatstate.h, seatmap.h)
 *   bo:{sN}:hold:<holdId>    hash sid, uid, seats ("C7 C8"), free
 *       (the state each seat returns to when freed, 'f' or 'b', one char per
 *       seat), exp (Unix ms), oid (0, or the order the hold became); the
 *       hold id is drawn in its screening's shard (holds_new_id)
 *   bo:{sN}:holdexp          zset hold id -> when the sweeper must look
 *       at it: exp ms of holds not yet ordered; for ordered ones a time by
 *       which their order must have been settled; one per shard
 *   bo:{sN}:uheld:<sid>      hash uid -> seats held (the 10-seat cap)
 *   bo:{sN}:holdsready       present once the hold state was rebuilt
 *       from MySQL after a Redis start (or FLUSHALL); holds wait for it
 *
 * A seat that live tickets hold keeps a field in the seats hash too, with
 * the value "t<orderId>" (a marker, not a hold id), so the hold script
 * refuses it without asking MySQL; the snapshot shows it held or, from
 * MySQL, sold.
 *
 * Every script that changes seat state INCRs the version by 1 and PUBLISHes
 * {"screeningId":N,"version":V,"changes":[...]} on "boxoffice:seats:<sid>"
 * in the same script (the COMMON contract). The release-type scripts build
 * their key names from the hold record, so they are for one Redis (not
 * Cluster), which is what boxoffice runs.
 *
 * An ordered hold (oid set) stays until the order consumer committed its
 * tickets (then holds_drop KEEP removes the fields without a state change:
 * the tickets hold the seats) or gave up on it (FREE: the seats go back).
 *
 * Worker and consumer threads (they use the worker's Redis connection).
 */
#ifndef BOXOFFICE_CACHE_HOLDS_H
#define BOXOFFICE_CACHE_HOLDS_H

#include <inttypes.h>
#include <stdint.h>

#include "cache/redis.h"
#include "proto_layout.h"

struct worker;

#define HOLDS_MAX_SEATS 10

/* Results of holds_take. */
enum holds_take_rc {
	HOLDS_TAKEN = 0,
	HOLDS_CONFLICT = 1,  /* seats taken: the list is in conflicts */
	HOLDS_FENCED = 2,    /* a layout change is under way */
	HOLDS_CAP = 3,       /* the user would hold more than the cap */
	HOLDS_NOT_READY = 4, /* Redis lost its state and holds are not rebuilt yet */
	HOLDS_STALE = 5,     /* the generation in gen_key is no longer gen */
	HOLDS_DOWN = -1,     /* Redis unreachable or a bad reply (logged) */
};

/*
 * Hold seats[0..n) (state to go back to when freed: free_states[i]) of
 * screening sid for uid as hold hold_id until exp_ms; cap 0 = no cap.
 * Only while the string at gen_key is gen (gen 0: no such check): the
 * caller validated the seats against facts of that generation.
 * On HOLDS_TAKEN *version is the version after the change; on
 * HOLDS_CONFLICT conflicts[0..*nconf) are the seats already held.
 */
enum holds_take_rc holds_take(struct worker *w, int64_t sid, int64_t uid, int64_t hold_id,
                              const char seats[][PROTO_SEAT_ID_SIZE], const char *free_states,
                              int n, int64_t exp_ms, int cap, const char *gen_key, int64_t gen,
                              int64_t *version, char conflicts[][PROTO_SEAT_ID_SIZE], int *nconf);

/* The Lua text of the hold script (bench/holds.sh drives it with redis-benchmark). */
const char *holds_take_source(void);

/* A hold record. */
struct hold_rec {
	int64_t id, sid, uid, exp_ms, oid;
	int n;
	char seats[HOLDS_MAX_SEATS][PROTO_SEAT_ID_SIZE];
	char free_states[HOLDS_MAX_SEATS + 1];
};
/* Read hold id. Returns 1 (found, *h filled), 0 (none), -1 (Redis down). */
int holds_get(struct worker *w, int64_t id, struct hold_rec *h);

/* What holds_drop does. */
enum holds_drop_mode {
	HOLDS_RELEASE, /* owner (uid, 0 = anyone) frees a hold not yet ordered */
	HOLDS_EXPIRE,  /* the sweeper frees a hold not yet ordered whose exp passed */
	HOLDS_FREE,    /* the hold of order oid goes back to free */
	HOLDS_KEEP,    /* the hold of order oid becomes its tickets' markers (no state change) */
};
/*
 * Returns 1 (done), 0 (no such hold, not uid's, or not of order oid),
 * 2 (RELEASE/EXPIRE of an ordered hold, or EXPIRE before exp: nothing
 * done), -1 (Redis down).
 */
int holds_drop(struct worker *w, int64_t id, enum holds_drop_mode mode, int64_t uid, int64_t oid);

/*
 * Turn hold id into order oid: only uid's (0 = anyone's), not ordered yet,
 * exp after now_ms. Also stores the pending order's JSON text pending (see
 * holds_pending_get) for its owner owner_uid at create_time. The hold
 * stays on the sweeper's list for sweep_at_ms: if the order's consumer has
 * not settled it by then (the daemon died between this and queueing the
 * order), the sweeper settles it from MySQL. Returns 1, 0 (no such hold or
 * not uid's), 2 (already ordered: *prev_oid), 3 (expired), -1 (Redis down).
 */
int holds_claim(struct worker *w, int64_t id, int64_t uid, int64_t now_ms, int64_t oid,
                int64_t owner_uid, int64_t create_time, const char *pending, int64_t sweep_at_ms,
                int64_t *prev_oid);
/* Undo holds_claim (the order could not be queued). Best effort. */
void holds_unclaim(struct worker *w, int64_t id, int64_t oid);

/*
 * Seats of order oid in screening sid, seats[0..n), one script:
 *   't': mark them ticketed, also a seat another hold took meanwhile (the
 *        tickets are committed: that hold's order can only fail, and its
 *        release must not free the seat), no state change published;
 *   'f': drop the order's markers and publish states[i] ('f' or 'b');
 *   's': publish them sold (states NULL) - the sale changes no key here.
 * Returns 0, or -1 when Redis is down (logged by the caller).
 */
int holds_seats(struct worker *w, int64_t sid, int64_t oid, char mode,
                const char seats[][PROTO_SEAT_ID_SIZE], const char *states, int n);
/* set 1: mark the hold state rebuilt; set 0: ask. Returns 1/0, or -1 when down. */
int holds_ready(struct worker *w, int set);
/* Key formats (printf: the shard as int, then the id as PRId64). */
#define HOLDS_READY_KEY REDIS_SHARD_PREFIX "holdsready"
#define HOLDS_RECORD_KEY REDIS_SHARD_PREFIX "hold:%" PRId64
#define HOLDS_UHELD_KEY REDIS_SHARD_PREFIX "uheld:%" PRId64
/* The zset of unordered holds by expiry (the sweeper's work list), one per shard. */
#define HOLDS_EXP_KEY REDIS_SHARD_PREFIX "holdexp"
/*
 * A new hold id (ids_next) in the shard of screening sid, so the hold's
 * record shares its screening's slot; -1 if none came (never in practice).
 */
int64_t holds_new_id(int64_t sid);

/*
 * Pending orders (accepted, not yet written by the order consumer) as JSON
 * text in REDIS_PREFIX "porder:<oid>", listed per user in REDIS_PREFIX
 * "porders:<uid>" (zset by create time).
 */
/* Store one without a hold (general admission). Returns 0 or -1. */
int holds_pending_put(struct worker *w, int64_t oid, int64_t uid, int64_t create_time,
                      const char *json);
/* The text of pending order oid: malloc'd (free()), NULL when none or Redis is down. */
char *holds_pending_get(struct worker *w, int64_t oid);
/* Ids of uid's pending orders, newest first, at most max. Returns the count, -1 when down. */
int holds_pending_list(struct worker *w, int64_t uid, int64_t *ids, int max);
/* Forget pending order oid of uid (written to MySQL, or refused). Best effort. */
void holds_pending_del(struct worker *w, int64_t oid, int64_t uid);

/*
 * The rest of what orders keep in Redis, so that services issue no Redis
 * command of their own.
 */
/* PUBLISH msg (JSON text) on the orders channel. Returns 0 or -1 when down. */
int holds_publish_order(struct worker *w, const char *msg);
/*
 * The general admission stock counter of film fid (REDIS_PREFIX
 * "stock:<fid>", loaded from MySQL for HOLDS_STOCK_TTL_S seconds).
 * holds_stock_take: takes q, returns 1 taken, 0 short, -1 Redis down, -2
 * not loaded; holds_stock_load: sets the counter to stock unless it is
 * set, 0 or -1; holds_stock_give: puts q back (best effort);
 * holds_stock_forget: drops it, to be reloaded on next use (best effort).
 */
#define HOLDS_STOCK_TTL_S 60
int holds_stock_take(struct worker *w, int64_t fid, int q);
int holds_stock_load(struct worker *w, int64_t fid, int64_t stock);
void holds_stock_give(struct worker *w, int64_t fid, int q);
void holds_stock_forget(struct worker *w, int64_t fid);
/*
 * Idempotency keys of /order/create, per user, kept HOLDS_IDEM_TTL_S.
 * holds_idem_begin reserves key for uid: HOLDS_IDEM_NEW (reserved, go on),
 * HOLDS_IDEM_DONE (*answer: the stored answer, malloc'd, free(); NULL when
 * out of memory), HOLDS_IDEM_BUSY (another request holds it), or
 * HOLDS_IDEM_DOWN / HOLDS_IDEM_ERROR. holds_idem_end stores answer under
 * key, or with answer NULL releases it (best effort).
 */
#define HOLDS_IDEM_TTL_S 86400
enum holds_idem {
	HOLDS_IDEM_NEW,
	HOLDS_IDEM_DONE,
	HOLDS_IDEM_BUSY,
	HOLDS_IDEM_DOWN,
	HOLDS_IDEM_ERROR,
};
enum holds_idem holds_idem_begin(struct worker *w, int64_t uid, const char *key, char **answer,
                                 size_t *len);
void holds_idem_end(struct worker *w, int64_t uid, const char *key, const char *answer);
/*
 * The marker of an order answered 503 whose message may still land
 * (order_create): set (best effort), and 1 if set (0 also when down).
 */
void holds_not_queued_set(struct worker *w, int64_t oid);
int holds_not_queued(struct worker *w, int64_t oid);
/* A new seat-map version of screening sid, so clients re-read it (best effort). */
void holds_seatmap_bump(struct worker *w, int64_t sid);
/*
 * Up to max ids of the holds of shard (REDIS_SHARD) expired by now_ms into
 * ids. Returns the count, -1 when down.
 */
int holds_expired(struct worker *w, int shard, int64_t now_ms, int64_t *ids, int max);

#endif
