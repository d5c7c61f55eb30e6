/*
 * expiry.c: see expiry.h.
 */
#include "svc/expiry.h"

#include <errno.h>
#include <stdint.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache/holds.h"
#include "svc/seatmap.h"
#include "core/depstate.h"
#include "core/log.h"
#include "core/pool.h"
#include "core/thread_role.h"
#include "store/store_order.h"
#include "store/store_screening.h"
#include "svc/svc_order.h"

#define SWEEP_BATCH 200

static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stopping, started;

/*
 * The seat versions of every screening not yet over raised past any
 * version served before Redis lost them (seatstate_raise). The floor is
 * the clock in milliseconds: a later loss raises them again past the
 * versions since, unless a screening changed more than once a millisecond
 * in between. Returns 0 or -1.
 */
static int raise_versions(struct worker *w)
{
	struct timespec ts;
	int64_t floor, now = (int64_t)time(NULL), offset = 0, total = 0;

	clock_gettime(CLOCK_REALTIME, &ts);
	floor = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	do {
		struct screening_row *rows = NULL;
		int n = 0, i;

		/* Scheduled, started within the last day or later: those a client may watch. */
		if (store_screening_list(w, 0, now - 86400, INT64_MAX, STORE_SCREENING_SCHEDULED,
		                         offset, 500, &rows, &n, &total) != DB_OK)
			return -1;
		for (i = 0; i < n; i++)
			if (seatstate_raise(w, rows[i].id, floor) < 0) {
				free(rows);
				return -1;
			}
		free(rows);
		offset += n;
		if (n == 0)
			break;
	} while (offset < total);
	return 0;
}

/* Rebuild the ticket markers from MySQL. Returns 0 or -1. */
static int rebuild(struct worker *w)
{
	struct live_seat *s = NULL;
	char seats[HOLDS_MAX_SEATS][PROTO_SEAT_ID_SIZE];
	int n = 0, i = 0, k, rc = -1;
	enum db_rc drc;

	drc = store_order_live_seats(w, (int64_t)time(NULL), &s, &n);
	if (drc != DB_OK)
		return -1;
	while (i < n) {
		int64_t sid = s[i].screening_id, oid = s[i].order_id;

		for (k = 0; i < n && s[i].screening_id == sid && s[i].order_id == oid &&
		            k < HOLDS_MAX_SEATS;
		     i++, k++)
			memcpy(seats[k], s[i].seat, PROTO_SEAT_ID_SIZE);
		if (holds_seats(w, sid, oid, 't', (const char(*)[PROTO_SEAT_ID_SIZE])seats, NULL,
		                k) < 0)
			goto out;
		/* A version of its own, so clients re-read the rebuilt state. */
		holds_seatmap_bump(w, sid);
		seatmap_invalidate(w, sid);
	}
	if (raise_versions(w) < 0 || holds_ready(w, 1) < 0)
		goto out;
	log_info("seat holds: rebuilt %d ticketed seats from mysql", n);
	rc = 0;
out:
	free(s);
	return rc;
}

/* The holds of one shard (each has its own expiry set) whose time has come. */
static void sweep_shard(struct worker *w, int shard)
{
	int64_t ids[SWEEP_BATCH];
	int n, i;

	n = holds_expired(w, shard, (int64_t)time(NULL) * 1000, ids, SWEEP_BATCH);
	for (i = 0; i < n; i++) {
		struct hold_rec h;

		/* 2: ordered, and its order is overdue: settle it from MySQL. */
		if (holds_drop(w, ids[i], HOLDS_EXPIRE, 0, (int64_t)time(NULL) * 1000) == 2 &&
		    holds_get(w, ids[i], &h) == 1 && h.oid)
			order_settle_hold(w, ids[i], h.oid, h.uid);
	}
}

static void sweep_holds(struct worker *w)
{
	int k;

	for (k = 0; k < REDIS_SHARDS; k++)
		sweep_shard(w, k);
}

static void sweep_orders(struct worker *w)
{
	int64_t *ids = NULL;
	int n = 0, i;

	if (store_order_expired(w, (int64_t)time(NULL), SWEEP_BATCH, &ids, &n) != DB_OK)
		return;
	for (i = 0; i < n; i++)
		if (order_expire(w, ids[i]) < 0)
			break;
	free(ids);
}

/*
 * A rebuild that cannot read MySQL is tried again every period: logged once
 * when it starts failing and once when it succeeds (an outage is one line),
 * as every other dependency outage is (core/depstate.h). The sweeper
 * thread's own.
 */
static struct depstate rebuild_dep = DEPSTATE_INIT("seat-hold rebuild");

static void rebuilt(int ok)
{
	char why[80];

	if (ok) {
		depstate_ok(&rebuild_dep, "mysql");
		return;
	}
	snprintf(why, sizeof(why), "cannot read the live seats yet (trying every %d ms)",
	         EXPIRY_PERIOD_MS);
	depstate_fail(&rebuild_dep, "mysql", why);
}

static void *sweeper_main(void *arg)
{
	struct worker *w = NULL;
	struct timespec ts;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		pthread_mutex_unlock(&mu);
		if (!w)
			w = worker_new_local();
		if (w) {
			int ready = holds_ready(w, 0);

			if (ready == 0)
				rebuilt(rebuild(w) == 0);
			if (ready == 1) {
				sweep_holds(w);
				sweep_orders(w);
			}
		}
		pthread_mutex_lock(&mu);
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += (long)EXPIRY_PERIOD_MS * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		while (!stopping && pthread_cond_timedwait(&cv, &mu, &ts) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&mu);
	worker_free_local(w);
	return NULL;
}

int expiry_start(void)
{
	stopping = 0;
	if (thread_start(&thread, sweeper_main, NULL, "bo-hold-sweep") != 0)
		return -1;
	started = 1;
	return 0;
}

void expiry_stop(void)
{
	if (!started)
		return;
	pthread_mutex_lock(&mu);
	stopping = 1;
	pthread_cond_signal(&cv);
	pthread_mutex_unlock(&mu);
	pthread_join(thread, NULL);
	started = 0;
}
