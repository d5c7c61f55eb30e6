/*
 * near.c: see near.h. Entries live in NEAR_SHARDS shards (one below 1 MiB; by key hash),
 * each a chained hash table and an LRU list under one mutex. A dependency
 * is a slot of dep_ctr (FNV-1a of the Redis key, modulo NEAR_SLOTS): an
 * invalidation raises the slot's counter, and an entry remembers each
 * counter as it was before the read it depends on. Two keys sharing a slot
 * only cost a needless miss. The epoch changes with every flush; an entry
 * of an older epoch is gone.
 *
 * sync_seq is odd while the cache is unusable (no tracking connection) or
 * while the tracking thread applies what it read; near_sync_check reads it
 * and then the socket, a lookup reads it again after looking (near.h; the
 * ordering argument is at near_sync_check).
 */
#include "cache/near.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>

#include "core/clock.h"

#define NEAR_SHARDS 16
#define NEAR_BUCKETS 4096 /* per shard */
#define NEAR_SLOTS 65536

struct dep {
	uint32_t slot, seen;
};

struct entry {
	struct entry *hnext;       /* hash chain */
	struct entry *prev, *next; /* LRU: head is the newest */
	uint64_t hash, epoch;
	int64_t expires_ms;
	size_t klen, vlen, size;
	int ndeps;
	struct dep deps[];
	/* then the key bytes, then the value bytes */
};

struct shard {
	pthread_mutex_t lock;
	struct entry *buckets[NEAR_BUCKETS];
	struct entry *head, *tail;
	size_t bytes, entries;
};

/* Fewer than that many bytes: one shard (one exact LRU order). */
#define NEAR_SHARDED_MIN (1u << 20)

static struct shard shards[NEAR_SHARDS];
static int nshards = NEAR_SHARDS;
static size_t budget; /* per shard; 0: off */
static atomic_uint dep_ctr[NEAR_SLOTS];
static atomic_ulong epoch = 1;
static atomic_ulong sync_seq = 1; /* odd: unusable (no tracking yet) */
static atomic_int sync_fd = -1, sync_ctl = -1;
static atomic_ulong st_hits, st_misses, st_unsynced, st_stores, st_evictions, st_invalidations,
    st_flushes, st_value_hits, st_value_misses;

/* The capture of the answer a worker is rendering. */
static _Thread_local struct {
	int on, spoiled, ndeps, ttl_s;
	unsigned long epoch, seq;
	struct dep deps[NEAR_DEPS_MAX];
} cap;

static uint64_t fnv(const char *s, size_t n)
{
	uint64_t h = 1469598103934665603ull;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 1099511628211ull;
	}
	return h;
}

static char *key_of(struct entry *e)
{
	return (char *)&e->deps[e->ndeps];
}

static struct shard *shard_of(uint64_t h)
{
	return &shards[(h >> 32) % (unsigned)nshards];
}

static struct entry **bucket_of(struct shard *s, uint64_t h)
{
	return &s->buckets[h % NEAR_BUCKETS];
}

static pthread_once_t locks_once = PTHREAD_ONCE_INIT;

static void locks_init(void)
{
	int i;

	for (i = 0; i < NEAR_SHARDS; i++)
		pthread_mutex_init(&shards[i].lock, NULL);
}

void near_init(size_t bytes)
{
	pthread_once(&locks_once, locks_init);
	near_release();
	nshards = bytes < NEAR_SHARDED_MIN ? 1 : NEAR_SHARDS;
	budget = bytes / (size_t)nshards;
	atomic_store(&sync_seq, 1);
	atomic_store(&sync_fd, -1);
}

int near_enabled(void)
{
	return budget > 0;
}

/* Unlink e from its shard s (locked) and free it. */
static void drop(struct shard *s, struct entry *e)
{
	struct entry **pp;

	for (pp = bucket_of(s, e->hash); *pp; pp = &(*pp)->hnext)
		if (*pp == e) {
			*pp = e->hnext;
			break;
		}
	if (e->prev)
		e->prev->next = e->next;
	else
		s->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		s->tail = e->prev;
	s->bytes -= e->size;
	s->entries--;
	free(e);
}

static void shard_clear(struct shard *s)
{
	while (s->head)
		drop(s, s->head);
}

void near_release(void)
{
	int i;

	if (!budget)
		return;
	for (i = 0; i < nshards; i++) {
		pthread_mutex_lock(&shards[i].lock);
		shard_clear(&shards[i]);
		pthread_mutex_unlock(&shards[i].lock);
	}
}

void near_flush(void)
{
	atomic_fetch_add(&epoch, 1);
	atomic_fetch_add(&st_flushes, 1);
	near_release();
}

void near_invalidate(const char *redis_key, size_t len)
{
	atomic_fetch_add(&dep_ctr[fnv(redis_key, len) % NEAR_SLOTS], 1);
	atomic_fetch_add(&st_invalidations, 1);
}

/* ---- synchronisation with the tracking thread ---- */

void near_sync_up(int fd, int ctl_fd)
{
	near_flush();
	atomic_store(&sync_ctl, ctl_fd);
	atomic_store(&sync_fd, fd);
	if (atomic_load(&sync_seq) & 1)
		atomic_fetch_add(&sync_seq, 1);
}

void near_sync_begin(void)
{
	if (!(atomic_load(&sync_seq) & 1))
		atomic_fetch_add(&sync_seq, 1);
}

void near_sync_end(int complete)
{
	if (complete && (atomic_load(&sync_seq) & 1))
		atomic_fetch_add(&sync_seq, 1);
}

void near_sync_down(void)
{
	near_sync_begin();
	atomic_store(&sync_fd, -1);
	atomic_store(&sync_ctl, -1);
	near_flush();
}

/* ---- capture (workers) ---- */

void near_capture_begin(void)
{
	memset(&cap, 0, sizeof(cap));
	if (!budget)
		return;
	cap.seq = atomic_load(&sync_seq);
	cap.epoch = atomic_load(&epoch);
	/* Not synchronised now: an invalidation may be lost, keep nothing. */
	cap.on = 1;
	cap.spoiled = (cap.seq & 1) && atomic_load(&sync_fd) < 0;
}

void near_capture_dep(const char *redis_key, int ttl_s)
{
	uint32_t slot;

	if (!cap.on)
		return;
	if (cap.ndeps == NEAR_DEPS_MAX) {
		cap.spoiled = 1;
		return;
	}
	slot = (uint32_t)(fnv(redis_key, strlen(redis_key)) % NEAR_SLOTS);
	cap.deps[cap.ndeps].slot = slot;
	cap.deps[cap.ndeps].seen = atomic_load(&dep_ctr[slot]);
	cap.ndeps++;
	if (ttl_s > 0 && (cap.ttl_s == 0 || ttl_s < cap.ttl_s))
		cap.ttl_s = ttl_s;
}

void near_capture_spoil(void)
{
	cap.spoiled = 1;
}

void near_capture_abort(void)
{
	cap.on = 0;
}

int near_capturing(void)
{
	return cap.on;
}

static int deps_valid(const struct dep *d, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (atomic_load(&dep_ctr[d[i].slot]) != d[i].seen)
			return 0;
	return 1;
}

/* The entry of key in s (locked), or NULL. */
static struct entry *find(struct shard *s, uint64_t h, const char *key, size_t klen)
{
	struct entry *e;

	for (e = *bucket_of(s, h); e; e = e->hnext)
		if (e->hash == h && e->klen == klen && !memcmp(key_of(e), key, klen))
			return e;
	return NULL;
}

static void lru_push(struct shard *s, struct entry *e)
{
	e->prev = NULL;
	e->next = s->head;
	if (s->head)
		s->head->prev = e;
	s->head = e;
	if (!s->tail)
		s->tail = e;
}

int near_capture_end(const char *key, size_t klen, const char *val, size_t vlen)
{
	uint64_t h = fnv(key, klen);
	struct shard *s = shard_of(h);
	struct entry *e, *old;
	size_t size;
	int n = cap.ndeps;

	if (!cap.on || cap.spoiled || n == 0 || cap.ttl_s <= 0) {
		cap.on = 0;
		return 0;
	}
	cap.on = 0;
	size = sizeof(*e) + (size_t)n * sizeof(struct dep) + klen + vlen;
	if (size > budget)
		return 0;
	e = malloc(size);
	if (!e)
		return 0;
	e->hash = h;
	e->epoch = cap.epoch;
	e->expires_ms = clock_ms() + (int64_t)cap.ttl_s * 1000;
	e->klen = klen;
	e->vlen = vlen;
	e->size = size;
	e->ndeps = n;
	memcpy(e->deps, cap.deps, (size_t)n * sizeof(struct dep));
	memcpy(key_of(e), key, klen);
	memcpy(key_of(e) + klen, val, vlen);
	pthread_mutex_lock(&s->lock);
	/* Checked under the lock: a flush after this sees the entry and drops it. */
	if (atomic_load(&epoch) != cap.epoch || !deps_valid(e->deps, n)) {
		pthread_mutex_unlock(&s->lock);
		free(e);
		return 0;
	}
	if ((old = find(s, h, key, klen)) != NULL)
		drop(s, old);
	while (s->bytes + size > budget && s->tail) {
		drop(s, s->tail);
		atomic_fetch_add(&st_evictions, 1);
	}
	e->hnext = *bucket_of(s, h);
	*bucket_of(s, h) = e;
	lru_push(s, e);
	s->bytes += size;
	s->entries++;
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add(&st_stores, 1);
	return 1;
}

/* ---- lookup (any thread) ---- */

/*
 * The proof of near.h: every invalidation sent before now has been applied
 * unless the sequence moves. The order of the steps is the argument:
 *   1. seq = sync_seq, even: the thread is not in the middle of applying
 *      (it makes the sequence odd before it reads the socket, even again
 *      only once everything it read is applied);
 *   2. poll: the subscribed socket holds no unread byte and no end of
 *      stream, and the tracking connection is not closing (its end would
 *      stop invalidations). Any invalidation that reached this process
 *      before this poll was therefore read from the socket before it;
 *   3. the lookup (near_get) reads sync_seq again after reading the entry:
 *      still seq means whatever was read before step 2 had been applied
 *      when step 1 saw the even value, or was read and applied in no
 *      window around the lookup, so the entry's dependency counters
 *      already carried it.
 * A write another instance answered before a request was sent has its
 * invalidation in the socket before the request's bytes reach this
 * process (Redis queues it before the write's reply), so a token taken
 * after a request was read covers that request. Taking the token costs one
 * poll(), which the caller shares between every request it has read by
 * then (server/http: once per loop iteration).
 */
unsigned long near_sync_check(void)
{
	struct pollfd p[2];
	unsigned long seq;

	if (!budget)
		return 0;
	seq = atomic_load(&sync_seq);
	if (seq & 1)
		return 0;
	p[0].fd = atomic_load(&sync_fd);
	p[1].fd = atomic_load(&sync_ctl);
	/* The tracking connection's own replies (its PING) are not invalidations. */
	p[0].events = POLLIN | POLLRDHUP;
	p[1].events = POLLRDHUP;
	p[0].revents = p[1].revents = 0;
	if (p[0].fd < 0 || poll(p, p[1].fd < 0 ? 1 : 2, 0) != 0)
		return 0;
	return seq; /* even and at least 2: never 0 */
}

/* near_get and near_get_value: a hit or miss is counted in hit or miss. */
static char *lookup(const char *key, size_t klen, unsigned long token, size_t *vlen,
                    atomic_ulong *hit, atomic_ulong *miss)
{
	uint64_t h;
	struct shard *s;
	struct entry *e;
	unsigned long seq = token;
	char *out = NULL;

	if (!budget)
		return NULL;
	if (!token || token != atomic_load(&sync_seq)) {
		/* Answers count it apart; a value counts it as a miss. */
		atomic_fetch_add(miss == &st_misses ? &st_unsynced : miss, 1);
		return NULL;
	}
	h = fnv(key, klen);
	s = shard_of(h);
	pthread_mutex_lock(&s->lock);
	e = find(s, h, key, klen);
	if (e && (e->epoch != atomic_load(&epoch) || clock_ms() >= e->expires_ms ||
	          !deps_valid(e->deps, e->ndeps))) {
		drop(s, e);
		e = NULL;
	}
	if (e) {
		out = malloc(e->vlen + 1);
		if (out) {
			memcpy(out, key_of(e) + e->klen, e->vlen);
			out[e->vlen] = '\0';
			*vlen = e->vlen;
		}
		if (s->head != e) {
			/* most recently used first */
			e->prev->next = e->next;
			if (e->next)
				e->next->prev = e->prev;
			else
				s->tail = e->prev;
			lru_push(s, e);
		}
	}
	pthread_mutex_unlock(&s->lock);
	/* Something was applied meanwhile: not proven fresh. */
	if (out && atomic_load(&sync_seq) != seq) {
		free(out);
		out = NULL;
	}
	atomic_fetch_add(out ? hit : miss, 1);
	return out;
}

char *near_get(const char *key, size_t klen, unsigned long token, size_t *vlen)
{
	return lookup(key, klen, token, vlen, &st_hits, &st_misses);
}

/*
 * A worker's request was read before it was handed over, so a token taken
 * now covers it: one poll() per value, cheaper than the Redis round trip
 * it saves.
 */
char *near_get_value(const char *key, size_t klen, size_t *vlen)
{
	return lookup(key, klen, near_sync_check(), vlen, &st_value_hits, &st_value_misses);
}

void near_stats_get(struct near_stats *st)
{
	int i;

	memset(st, 0, sizeof(*st));
	st->hits = atomic_load(&st_hits);
	st->misses = atomic_load(&st_misses);
	st->unsynced = atomic_load(&st_unsynced);
	st->stores = atomic_load(&st_stores);
	st->evictions = atomic_load(&st_evictions);
	st->invalidations = atomic_load(&st_invalidations);
	st->flushes = atomic_load(&st_flushes);
	st->value_hits = atomic_load(&st_value_hits);
	st->value_misses = atomic_load(&st_value_misses);
	st->usable = budget && !(atomic_load(&sync_seq) & 1);
	for (i = 0; budget && i < nshards; i++) {
		pthread_mutex_lock(&shards[i].lock);
		st->bytes += shards[i].bytes;
		st->entries += shards[i].entries;
		pthread_mutex_unlock(&shards[i].lock);
	}
}
