/*
 * pool.c: the worker pool of worker.h. A bounded FIFO of jobs under one
 * mutex; the lock is held only to push or pop, never across a job.
 */
#include "core/pool.h"

#include <stdlib.h>

#include "cache/redis.h"
#include "core/log.h"
#include "store/db.h"

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
	}
	return NULL;
}

struct worker *worker_new_local(void)
{
	struct worker *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->index = -1;
	w->db = db_conn_new();
	w->redis = redis_conn_new();
	if (!w->db || !w->redis) {
		worker_free_local(w);
		return NULL;
	}
	return w;
}

void worker_free_local(struct worker *w)
{
	if (!w)
		return;
	db_conn_free(w->db);
	redis_conn_free(w->redis);
	free(w);
}

int pool_start(int n)
{
	int i;

	pool.workers = calloc((size_t)n, sizeof(struct worker));
	if (!pool.workers)
		return -1;
	for (i = 0; i < n; i++) {
		struct worker *w = &pool.workers[i];
		w->index = i;
		w->db = db_conn_new();
		w->redis = redis_conn_new();
		if (!w->db || !w->redis || pthread_create(&w->thread, NULL, worker_main, w) != 0) {
			log_error("cannot start worker %d", i);
			db_conn_free(w->db);
			redis_conn_free(w->redis);
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
	int n;

	pthread_mutex_lock(&pool.lock);
	n = pool.count;
	pthread_mutex_unlock(&pool.lock);
	return n;
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
		db_conn_free(pool.workers[i].db);
		redis_conn_free(pool.workers[i].redis);
	}
	free(pool.workers);
	pool.workers = NULL;
	pool.nworkers = 0;
}
