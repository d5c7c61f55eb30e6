/*
 * pool.h: the fixed pool of worker threads, and the MySQL bulkhead.
 *
 * Each worker owns one MySQL and one Redis connection (opened by the
 * connection hooks the daemon installs with pool_set_conn_ops, so that this
 * layer knows neither library) and runs jobs handed over by the loop thread.
 * Nothing here is shared between workers.
 *
 * Workers mostly wait on I/O, so the pool is sized for waiting (POOL_THREADS
 * per configured core, at least POOL_MIN_THREADS), not for the cores. A hung
 * MySQL must not stall work that does not need it (cached reads, holds, rate
 * limits, codes): at most pool_db_slots() workers may be inside MySQL calls
 * at once. A job takes a slot on its first MySQL call (store/db.c calls
 * pool_db_enter) and gives it back when the job ends; a job that cannot get
 * one within POOL_DB_WAIT_MS is answered 503 by its service, so the rest of
 * the pool always has workers for Redis-only work. While the health checker
 * sees MySQL hung, no new job waits on it at all.
 */
#ifndef BOXOFFICE_CORE_POOL_H
#define BOXOFFICE_CORE_POOL_H

#include <pthread.h>
#include <stdint.h>

struct db_conn;
struct redis_conn;

struct worker {
	int index; /* 0.. in the pool; -1 for a local worker (no bulkhead) */
	pthread_t thread;
	struct db_conn *db;
	struct redis_conn *redis;
	int db_slot; /* holds a MySQL slot for the running job */
};

#define POOL_THREADS_PER_CORE 8
#define POOL_MIN_THREADS 16
#define POOL_DB_WAIT_MS 250

/*
 * How a worker gets its connections: open fills w->db and w->redis and
 * returns 0 (or -1: the worker is not started); close frees them. Installed
 * once at start, before pool_start and worker_new_local.
 */
struct pool_conn_ops {
	int (*open)(struct worker *w);
	void (*close)(struct worker *w);
};
void pool_set_conn_ops(const struct pool_conn_ops *ops);

/* A unit of work; run on some worker, then done on the same worker. */
typedef void (*job_fn)(struct worker *w, void *arg);

/* Threads for a configured number of cores: max(POOL_MIN_THREADS, POOL_THREADS_PER_CORE * cores).
 */
int pool_threads_for(int cores);
/* Start n workers. Returns 0, or -1 with a message logged. Loop thread only. */
int pool_start(int n);
/* Queue a job. Returns 0, or -1 when the queue is full (caller sheds: 503). */
int pool_submit(job_fn fn, void *arg);
/* Jobs waiting (for /metrics). */
int pool_queue_depth(void);
/* Workers of the pool, and how many may be inside MySQL at once. */
int pool_size(void);
int pool_db_slots(void);
/* MySQL slots in use now, and jobs refused a slot since start (for /metrics). */
int pool_db_busy(void);
long pool_db_refused(void);
/* Let queued jobs finish, then join every worker. */
void pool_stop(void);

/*
 * The health checker's word on MySQL (svc/health.c): call after each ping
 * with its result. While no ping succeeded for POOL_DB_STALE_MS (MySQL hung
 * or down), pool_db_enter refuses at once instead of letting more workers
 * wait on it. Before the first call nothing is refused. Any thread.
 */
void pool_db_health(int ok);
#define POOL_DB_STALE_MS 3000

/*
 * Take a MySQL slot for w's running job (no-op if it has one, or for a
 * local worker). Returns 0, or -1 when none freed up within
 * POOL_DB_WAIT_MS: the caller answers 503 without touching MySQL.
 */
int pool_db_enter(struct worker *w);

/* A worker-like context for the calling thread (consumers, tests, --migrate). */
struct worker *worker_new_local(void);
void worker_free_local(struct worker *w);

#endif
