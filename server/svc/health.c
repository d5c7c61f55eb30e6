/*
 * health.c: see health.h.
 */
#include "svc/health.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "cache/redis.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/pool.h"
#include "queue/kq.h"
#include "store/db.h"

enum part { PART_DB, PART_REDIS, PART_KAFKA, NPARTS };

static struct checker {
	enum part part;
	pthread_t thread;
	int started;
	atomic_llong last_ok_ms; /* monotonic ms of the last success; 0 never */
} checkers[NPARTS];
static atomic_int stopping;

static long long now_ms(void)
{
	return (long long)(clock_s() * 1000.0);
}

static int ping(struct worker *w, enum part p)
{
	switch (p) {
	case PART_DB:
		return db_ping(w) == DB_OK;
	case PART_REDIS:
		return redis_ping(w);
	case PART_KAFKA:
		return kq_healthy(HEALTH_PERIOD_MS * 2);
	default:
		return 0;
	}
}

static void *checker_main(void *arg)
{
	struct checker *c = arg;
	struct worker *w = NULL;
	int ok;

	while (!atomic_load(&stopping)) {
		if (!w)
			w = worker_new_local();
		ok = w && ping(w, c->part);
		if (ok)
			atomic_store(&c->last_ok_ms, now_ms());
		if (c->part == PART_DB)
			pool_db_health(ok);
		clock_sleep_ms(HEALTH_PERIOD_MS);
	}
	worker_free_local(w);
	return NULL;
}

int health_start(void)
{
	int i;

	atomic_store(&stopping, 0);
	for (i = 0; i < NPARTS; i++) {
		checkers[i].part = (enum part)i;
		atomic_store(&checkers[i].last_ok_ms, 0);
		if (pthread_create(&checkers[i].thread, NULL, checker_main, &checkers[i]) != 0) {
			log_error("cannot start the health checker threads");
			health_stop();
			return -1;
		}
		checkers[i].started = 1;
	}
	return 0;
}

void health_stop(void)
{
	int i;

	atomic_store(&stopping, 1);
	for (i = 0; i < NPARTS; i++) {
		if (checkers[i].started)
			pthread_join(checkers[i].thread, NULL);
		checkers[i].started = 0;
	}
}

static int up(enum part p)
{
	long long t = atomic_load(&checkers[p].last_ok_ms);

	return t > 0 && now_ms() - t < HEALTH_STALE_MS;
}

void health_get(struct health *h)
{
	h->db = up(PART_DB);
	h->redis = up(PART_REDIS);
	h->kafka = up(PART_KAFKA);
}
