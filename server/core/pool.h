/*
 * pool.h: the fixed pool of worker threads. Each worker owns one MySQL and
 * one Redis connection (reconnected lazily after a failure) and runs jobs
 * handed over by the loop thread. Nothing here is shared between workers.
 */
#ifndef BOXOFFICE_CORE_POOL_H
#define BOXOFFICE_CORE_POOL_H

#include <pthread.h>
#include <stdint.h>

struct db_conn;
struct redis_conn;

struct worker {
	int index;
	pthread_t thread;
	struct db_conn *db;
	struct redis_conn *redis;
};

/* A unit of work; run on some worker, then done on the same worker. */
typedef void (*job_fn)(struct worker *w, void *arg);

/* Start n workers. Returns 0, or -1 with a message logged. Loop thread only. */
int pool_start(int n);
/* Queue a job. Returns 0, or -1 when the queue is full (caller sheds: 503). */
int pool_submit(job_fn fn, void *arg);
/* Jobs waiting (for /metrics). */
int pool_queue_depth(void);
/* Let queued jobs finish, then join every worker. */
void pool_stop(void);

/* Run fn on a worker-like context of the calling thread (tests, --migrate). */
struct worker *worker_new_local(void);
void worker_free_local(struct worker *w);

#endif
