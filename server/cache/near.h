/*
 * near.h: the near cache, the rendered answers of hot public reads kept in
 * this process's memory, in front of the Redis read cache (cache.h), and
 * answered without a worker (issue 12).
 *
 * An entry is the whole answer body under a key the dispatcher builds
 * (route path and request body). It names the Redis keys it was made from
 * (its dependencies: a cache key, a namespace's generation, a screening's
 * seat version). Redis tells this process about every change of those keys
 * (CLIENT TRACKING, BCAST on the prefixes of the read cache and of seat
 * versions, pushed on a connection SUBSCRIBEd to __redis__:invalidate and
 * read by a thread of its own, near_track.c). An invalidation raises a
 * counter of the key's hash slot; an entry is valid while every counter of
 * its dependencies still has the value it had before its Redis reads.
 *
 * Fresh across instances, at once: Redis queues the invalidation of a
 * write on the subscribed connection before the writer's reply leaves, so
 * once any client has seen a write answered, its invalidation is in this
 * process's socket or already applied. A lookup answers only under a
 * token of near_sync_check taken after its request was read: the
 * invalidation socket held no unread byte nor end of stream (one poll),
 * the thread was not in the middle of applying what it read (a sequence
 * number, odd while it reads or while the connection is not set up), that
 * sequence has not moved since, and the dependencies are unchanged;
 * otherwise it misses and the worker path (Redis) answers. One token
 * serves every request read before it was taken, so the syscall is paid
 * once per batch (a loop iteration), not once per hit: only a syscall
 * made after a request's bytes arrived can see bytes the kernel holds for
 * the tracking thread that it has not read yet, since nothing tells the
 * thread, let alone a lookup, of their arrival without one.
 * A lost connection flushes everything and keeps the cache unusable until
 * tracking is set up again. Limits: a FLUSHALL's invalidation is sent
 * during the command (not in BCAST's batch before the replies), so it may
 * leave Redis just after the reply; across hosts, two TCP connections do
 * not keep Redis's order, so "at once" needs Redis on the same host.
 *
 * Bounded: near_init's byte budget, split over shards, each with its own
 * lock and LRU list. Any thread may look up; captures run on workers.
 */
#ifndef BOXOFFICE_CACHE_NEAR_H
#define BOXOFFICE_CACHE_NEAR_H

#include <stddef.h>
#include <stdint.h>

/* Dependencies an entry may have; an answer with more is not kept. */
#define NEAR_DEPS_MAX 48

/* Set the byte budget (0: off) and reset everything. Before any other call. */
void near_init(size_t bytes);
/* 1 if the cache is on (a budget was set). */
int near_enabled(void);
/* Drop every entry and free the memory (at exit). */
void near_release(void);

/*
 * Capture, on the worker that renders an answer: near_capture_begin, then
 * the read cache calls near_capture_dep for each Redis key before it reads
 * it (and near_capture_spoil when it answers from MySQL without Redis),
 * then near_capture_end stores the answer if nothing it depends on changed
 * meanwhile. Thread-local; the calls are no-ops outside a capture.
 */
void near_capture_begin(void);
void near_capture_dep(const char *redis_key, int ttl_s);
void near_capture_spoil(void);
/* Returns 1 if stored. Ends the capture whatever happens. */
int near_capture_end(const char *key, size_t klen, const char *val, size_t vlen);
void near_capture_abort(void);

/*
 * A token proving that every invalidation that reached this process
 * before the call has been applied (while it stays valid), or 0 when that
 * cannot be proven now. Take it after reading the requests it is to
 * serve; one poll() that returns at once. Any thread.
 */
unsigned long near_sync_check(void);
/*
 * The value under key if present, valid and fresh under token (from
 * near_sync_check; 0 misses): a copy from malloc (free()) with *vlen, or
 * NULL. Any thread; no syscall, never blocks on I/O.
 */
char *near_get(const char *key, size_t klen, unsigned long token, size_t *vlen);

/*
 * The same for a small value a worker reads from Redis on its hot path (a
 * token's version, a namespace's generation; cache.h cache_get_near),
 * counted apart from the answers of the loop: worker thread. It takes its
 * own token (one poll(): the request was read before the worker got it). A worker that
 * is capturing an answer (near_capturing) reads through Redis instead, so
 * that the answer's own capture sees every key it depends on.
 */
char *near_get_value(const char *key, size_t klen, size_t *vlen);
/* 1 while this thread captures (between near_capture_begin and its end). */
int near_capturing(void);

/* For the tracking thread (and tests): */
/* A Redis key changed. */
void near_invalidate(const char *redis_key, size_t len);
/* Drop everything (a FLUSHALL, a new connection). */
void near_flush(void);
/*
 * Synchronisation state: near_sync_up(fd, ctl_fd) once tracking is set up,
 * with the subscribed socket fd and the tracking connection's ctl_fd (-1:
 * none; flushes, makes the cache usable); near_sync_begin
 * before reading that socket and near_sync_end(complete) after applying
 * what was read (complete: no partial message left in the buffer);
 * near_sync_down when the connection is lost (flushes, unusable).
 */
void near_sync_up(int fd, int ctl_fd);
void near_sync_begin(void);
void near_sync_end(int complete);
void near_sync_down(void);

struct near_stats {
	unsigned long hits, misses, unsynced, stores, evictions, invalidations, flushes;
	unsigned long value_hits, value_misses; /* near_get_value */
	size_t bytes, entries;
	int usable;
};
void near_stats_get(struct near_stats *s);

/* The tracking thread (near_track.c): started when the cache is on. */
int near_track_start(void);
void near_track_stop(void);

#endif
