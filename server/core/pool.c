/*
 * pool.c: the worker pool of pool.h. A bounded FIFO of jobs under one
 * mutex; the lock is held only to push or pop, never across a job.
 */
#include "core/pool.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "core/log.h"
#include "core/thread_role.h"

#define QUEUE_CAP 4096

struct job {
	job_fn fn;
	void *arg;
};

static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct job ring[QUEUE_CAP];
	int head, count;
	int stopping;
	int nworkers;
	struct worker *workers;
} pool = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static const struct pool_conn_ops *conn_ops;

/* The MySQL bulkhead: a counter under its own lock (never held across I/O). */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	int slots, used;
	atomic_long refused;
	atomic_llong last_ok_ms; /* last good ping (monotonic ms); 0 none yet */
	atomic_int checked;      /* pool_db_health was called */
} db = {.lock = PTHREAD_MUTEX_INITIALIZER, .freed = PTHREAD_COND_INITIALIZER};

void pool_set_conn_ops(const struct pool_conn_ops *ops)
{
	conn_ops = ops;
}

int pool_threads_for(int cores)
{
	int n = cores * POOL_THREADS_PER_CORE;

	return n < POOL_MIN_THREADS ? POOL_MIN_THREADS : n;
}

static long long mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

void pool_db_health(int ok)
{
	if (ok)
		atomic_store(&db.last_ok_ms, mono_ms());
	atomic_store(&db.checked, 1);
}

/* MySQL answered the checker lately (or nobody checks it). */
static int db_fresh(void)
{
	return !atomic_load(&db.checked) ||
	       mono_ms() - atomic_load(&db.last_ok_ms) < POOL_DB_STALE_MS;
}

int pool_db_enter(struct worker *w)
{
	struct timespec until;
	int rc = 0;

	if (w->index < 0 || w->db_slot)
		return 0;
	if (!db_fresh()) {
		atomic_fetch_add(&db.refused, 1);
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += POOL_DB_WAIT_MS * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&db.lock);
	while (db.used >= db.slots && rc == 0)
		rc = pthread_cond_timedwait(&db.freed, &db.lock, &until);
	if (db.used < db.slots) {
		db.used++;
		w->db_slot = 1;
		rc = 0;
	} else {
		rc = -1;
	}
	pthread_mutex_unlock(&db.lock);
	if (rc < 0)
		atomic_fetch_add(&db.refused, 1);
	return rc;
}

static void db_leave(struct worker *w)
{
	if (!w->db_slot)
		return;
	w->db_slot = 0;
	pthread_mutex_lock(&db.lock);
	db.used--;
	pthread_cond_signal(&db.freed);
	pthread_mutex_unlock(&db.lock);
}

int pool_size(void)
{
	return pool.nworkers;
}

int pool_db_slots(void)
{
	return db.slots;
}

/* *v, read under lock (a count that other threads change under it). */
static int locked_read(pthread_mutex_t *lock, const int *v)
{
	int n;

	pthread_mutex_lock(lock);
	n = *v;
	pthread_mutex_unlock(lock);
	return n;
}

int pool_db_busy(void)
{
	return locked_read(&db.lock, &db.used);
}

long pool_db_refused(void)
{
	return atomic_load(&db.refused);
}

static int conns_open(struct worker *w)
{
	return conn_ops && conn_ops->open(w) == 0 ? 0 : -1;
}

static void conns_close(struct worker *w)
{
	if (conn_ops)
		conn_ops->close(w);
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct job j;

	for (;;) {
		pthread_mutex_lock(&pool.lock);
		while (!pool.count && !pool.stopping)
			pthread_cond_wait(&pool.cond, &pool.lock);
		if (!pool.count) {
			pthread_mutex_unlock(&pool.lock);
			break;
		}
		j = pool.ring[pool.head];
		pool.head = (pool.head + 1) % QUEUE_CAP;
		pool.count--;
		pthread_mutex_unlock(&pool.lock);
		j.fn(w, j.arg);
		db_leave(w);
	}
	return NULL;
}

struct worker *worker_new_local(void)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->index = -1;
	if (conns_open(w) < 0) {
		free(w);
		return NULL;
	}
	return w;
}

void worker_free_local(struct worker *w)
{
	if (!w)
		return;
	conns_close(w);
	free(w);
}

int pool_start(int n)
{
	int i;

	pool.workers = calloc((size_t)n, sizeof(struct worker));
	if (!pool.workers)
		return -1;
	/* Keep a quarter (at least 2) of the workers out of MySQL. */
	db.slots = n - (n / 4 < 2 ? 2 : n / 4);
	if (db.slots < 1)
		db.slots = 1;
	for (i = 0; i < n; i++) {
		struct worker *w = &pool.workers[i];
		w->index = i;
		if (conns_open(w) < 0) {
			log_error("cannot start worker %d: out of memory", i);
			pool.nworkers = i;
			pool_stop();
			return -1;
		}
		if (thread_start(&w->thread, worker_main, w, "bo-worker%d", i) != 0) {
			conns_close(w);
			pool.nworkers = i;
			pool_stop();
			return -1;
		}
		pool.nworkers = i + 1;
	}
	return 0;
}

int pool_submit(job_fn fn, void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&pool.lock);
	if (!pool.stopping && pool.count < QUEUE_CAP) {
		pool.ring[(pool.head + pool.count) % QUEUE_CAP] = (struct job){fn, arg};
		pool.count++;
		rc = 0;
		pthread_cond_signal(&pool.cond);
	}
	pthread_mutex_unlock(&pool.lock);
	return rc;
}

int pool_queue_depth(void)
{
	return locked_read(&pool.lock, &pool.count);
}

void pool_stop(void)
{
	int i;

	pthread_mutex_lock(&pool.lock);
	pool.stopping = 1;
	pthread_cond_broadcast(&pool.cond);
	pthread_mutex_unlock(&pool.lock);
	for (i = 0; i < pool.nworkers; i++) {
		pthread_join(pool.workers[i].thread, NULL);
		conns_close(&pool.workers[i]);
	}
	free(pool.workers);
	pool.workers = NULL;
	pool.nworkers = 0;
}
